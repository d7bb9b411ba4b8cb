// Synthetic projects for the analyzer benchmark: `files` files of `functions`
// functions each, mixing clean and buggy waker code (vtables, futures, waker
// handling) with plain code, the way a runtime's source tree would.
//
// `wakerShare` (0 to 1) makes a realistic corpus instead: that share of the
// functions use wakers (drawn from the waker templates), the rest is ordinary
// code (drawn from the plain ones). Without it, files rotate through every
// template, which makes about 85% of functions waker code: the worst case.
//
//   node bench/generate.mjs [outDir] [files] [functionsPerFile] [wakerShare]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(import.meta.url), '..', '..');

export const HEADER = `import { Arc, Box, Context, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Ptr } from 'wakerscope/waker';\n\nexport class Task {\n  n = 0;\n}\n`;

// Each template is one function (or a function-like unit) using index `i`.
export const TEMPLATES = [
  // A clean Arc vtable: five declarations, counted as five functions.
  (i) => `
function cloneArc${i}(data: Ptr): RawWaker {
  const arc = Arc.fromRaw<Task>(data);
  const copy = arc.clone();
  forget(arc);
  return new RawWaker(Arc.intoRaw(copy), VTABLE${i});
}
function wakeArc${i}(data: Ptr): void {
  const arc = Arc.fromRaw<Task>(data);
  arc.value.n++;
  drop(arc);
}
function wakeByRefArc${i}(data: Ptr): void {
  const arc = Arc.fromRaw<Task>(data);
  arc.value.n++;
  forget(arc);
}
function dropArc${i}(data: Ptr): void {
  drop(Arc.fromRaw<Task>(data));
}
export const VTABLE${i}: RawWakerVTable = new RawWakerVTable(cloneArc${i}, wakeArc${i}, wakeByRefArc${i}, dropArc${i});
`,
  // The seed's buggy Box vtable, inline.
  (i) => `
export const BOX_VTABLE${i}: RawWakerVTable = new RawWakerVTable(
  (data) => new RawWaker(data, BOX_VTABLE${i}),
  (data) => drop(Box.fromRaw<number>(data)),
  () => {},
  (data) => drop(Box.fromRaw<number>(data)),
);
`,
  // A future that keeps its waker (clean).
  (i) => `
export class Timer${i} {
  private waker: Waker | undefined;
  private remaining = ${(i % 5) + 1};
  poll(cx: Context): Poll<number> {
    if (this.remaining-- <= 0) {
      this.waker?.drop();
      this.waker = undefined;
      return Poll.ready(${i});
    }
    this.waker?.drop();
    this.waker = cx.waker().clone();
    return Poll.pending();
  }
}
`,
  // A future that forgets to register its waker (lost wakeup).
  (i) => `
export class Flaky${i} {
  private ready = false;
  poll(_cx: Context): Poll<number> {
    if (this.ready) return Poll.ready(${i});
    this.ready = Math.random() > 0.5;
    return Poll.pending();
  }
}
`,
  // Waker handling: clean.
  (i) => `
export function notifyAll${i}(wakers: Waker[], urgent: boolean): void {
  for (const waker of wakers) {
    if (urgent) waker.wakeByRef();
    waker.wake();
  }
  wakers.length = 0;
}
`,
  // Waker handling: use after wake on one path.
  (i) => `
export function notifyTwice${i}(waker: Waker, again: boolean): void {
  waker.wake();
  if (again) waker.wakeByRef();
}
`,
  // A clone that leaks on an early return.
  (i) => `
export function register${i}(cx: Context, queue: Waker[], full: boolean): boolean {
  const copy = cx.waker().clone();
  if (full) return false;
  queue.push(copy);
  return true;
}
`,
  // Plain code the analyzer must skip quickly.
  (i) => `
export function checksum${i}(values: readonly number[]): number {
  let sum = ${i};
  for (let k = 0; k < values.length; k++) {
    const v = values[k] ?? 0;
    sum = (sum * 31 + (k % 2 === 0 ? v : -v)) | 0;
  }
  return sum;
}
`,
  (i) => `
export function describe${i}(task: { id: number; name?: string }): string {
  switch (task.id % 3) {
    case 0:
      return \`task \${task.name ?? task.id}\`;
    case 1:
      return task.name ? task.name.toUpperCase() : 'anonymous';
    default:
      return String(task.id);
  }
}
`,
];
// How many functions each template contributes.
const WEIGHT = [5, 1, 1, 1, 1, 1, 1, 1, 1];
const WAKER_TEMPLATES = [0, 1, 2, 3, 4, 5, 6];

// More ordinary code for the realistic corpus: what the rest of a project looks like.
export const PLAIN_TEMPLATES = [
  TEMPLATES[7],
  TEMPLATES[8],
  (i) => `
export interface Order${i} {
  readonly id: number;
  readonly lines: readonly { sku: string; quantity: number; price: number }[];
}
export function total${i}(orders: readonly Order${i}[]): Map<number, number> {
  const totals = new Map<number, number>();
  for (const order of orders) {
    const sum = order.lines.filter((line) => line.quantity > 0).reduce((acc, line) => acc + line.quantity * line.price, 0);
    totals.set(order.id, (totals.get(order.id) ?? 0) + sum);
  }
  return totals;
}
`,
  (i) => `
export class Cache${i}<K, V> {
  private readonly entries = new Map<K, { value: V; at: number }>();
  constructor(private readonly ttl: number) {}
  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry || now - entry.at > this.ttl) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }
  set(key: K, value: V, now: number): void {
    this.entries.set(key, { value, at: now });
  }
}
`,
  (i) => `
export async function retry${i}<T>(attempt: () => Promise<T>, times: number): Promise<T> {
  let last: unknown;
  for (let k = 0; k <= times; k++) {
    try {
      return await attempt();
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 2 ** k));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}
`,
  (i) => `
export type Shape${i} = { kind: 'circle'; r: number } | { kind: 'rect'; w: number; h: number };
export function area${i}(shapes: Shape${i}[]): number[] {
  return shapes.map((shape) => (shape.kind === 'circle' ? Math.PI * shape.r ** 2 : shape.w * shape.h)).sort((a, b) => a - b);
}
`,
];

export function generate(outDir, files = 200, functionsPerFile = 30, wakerShare = undefined) {
  if (wakerShare !== undefined && !(wakerShare >= 0 && wakerShare <= 1)) throw new Error(`waker share must be between 0 and 1, got ${wakerShare}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'src'), { recursive: true });
  const waker = relative(outDir, join(REPO, 'src', 'waker', 'index.ts')).split('\\').join('/');
  writeFileSync(
    join(outDir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'preserve', moduleResolution: 'bundler',
          strict: true, noEmit: true, skipLibCheck: true, types: ['node'], baseUrl: '.',
          paths: { 'wakerscope/waker': [waker] },
          plugins: [{ name: 'wakerscope' }],
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  let unit = 0;
  let wakerFunctions = 0;
  let allFunctions = 0;
  let nextWaker = 0;
  let nextPlain = 0;
  for (let f = 0; f < files; f++) {
    let text = '';
    let count = 0;
    let usesWakers = false;
    if (wakerShare === undefined) {
      // Rotate the start so files differ; at most one vtable of each kind per file.
      for (let t = f % TEMPLATES.length; count < functionsPerFile; t = (t + 1) % TEMPLATES.length) {
        text += TEMPLATES[t](unit++);
        count += WEIGHT[t];
      }
      usesWakers = true;
    } else {
      // Keep the running share of waker functions at `wakerShare`, corpus-wide.
      while (count < functionsPerFile) {
        if (wakerFunctions < wakerShare * (allFunctions + 1)) {
          const t = WAKER_TEMPLATES[nextWaker++ % WAKER_TEMPLATES.length];
          text += TEMPLATES[t](unit++);
          count += WEIGHT[t];
          wakerFunctions += WEIGHT[t];
          allFunctions += WEIGHT[t];
          usesWakers = true;
        } else {
          text += PLAIN_TEMPLATES[nextPlain++ % PLAIN_TEMPLATES.length](unit++);
          count += 1;
          allFunctions += 1;
        }
      }
    }
    // A file without waker code does not import the library, as in a real project.
    writeFileSync(join(outDir, 'src', `module${String(f).padStart(4, '0')}.ts`), (usesWakers ? HEADER : '') + text);
  }
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out = join(REPO, 'bench', 'out', 'corpus'), files = '200', functions = '30', share] = process.argv.slice(2);
  generate(resolve(out), Number(files), Number(functions), share === undefined ? undefined : Number(share));
  console.log(`wrote ${files} files × ${functions} functions to ${out}${share === undefined ? '' : ` (waker share ${share})`}`);
}

/**
 * A project of one template only (`files` files of `perFile` units each, after
 * `HEADER`), for measuring templates one at a time; returns its folder.
 */
export function generateOneTemplate(outDir, template, files, perFile) {
  // generate() writes the tsconfig; the files are replaced by the template's.
  const dir = generate(outDir, 1, 1, 0);
  rmSync(join(dir, 'src'), { recursive: true, force: true });
  mkdirSync(join(dir, 'src'));
  let unit = 0;
  for (let f = 0; f < files; f++) {
    let text = HEADER;
    for (let k = 0; k < perFile; k++) text += template(unit++);
    writeFileSync(join(dir, 'src', `module${f}.ts`), text);
  }
  return dir;
}
