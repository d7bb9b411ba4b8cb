// Latency the tsserver plugin adds to `semanticDiagnosticsSync` on a 3,000-line
// file after a one-character edit (what an editor asks on every keystroke pause).
//
// Two real tsservers run side by side on the same generated file, one with the
// plugin and one without; each round makes the same edit in both and times the
// request, alternating which goes first. The added time is measured twice:
//   - exactly, by the plugin itself (it logs the time it adds per request when
//     tsserver logs verbosely), and
//   - end to end, plugin on against plugin off (noisy on a shared machine).
// Prints p50/p95 of each, the on/off ratio, and the plugin's time on a repeated
// request with nothing edited (its cache). Target: p95 added under 10 ms.
//
// The edit is inside a function body by default (what typing mostly is, and what
// the plugin re-analyses incrementally); `skeleton` edits a class property's
// initializer instead, outside every function body, which re-analyses the file whole.
//
// Run (after `npm run build`): npx tsx bench/tsserver-latency.ts [rounds] [body|skeleton]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, TsServer, locationOf, makeProject } from '../test/tsserver/client';

const LINES = 3_000;
const WARMUP = 10;
const ROUNDS = Number(process.argv[2] ?? 100);
const WHERE = process.argv[3] ?? 'body';

/** A realistic module: vtables (correct and buggy), waker factories, and functions that clone, wake and drop wakers. */
export function generateFile(): string {
  const header = [
    "import { Arc, Box, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Context, type Ptr } from 'wakerscope/waker';",
    '',
    'export class Task {',
    '  wakeups = 0;',
    '}',
    '',
  ];
  const lines = [...header];
  for (let i = 0; lines.length < LINES; i++) {
    const buggy = i % 10 === 0; // some findings, as in real code under development
    lines.push(
      `// ---- block ${i} ----`,
      `function clone${i}(ptr: Ptr): RawWaker {`,
      buggy ? `  return new RawWaker(ptr, VTABLE_${i});` : `  Arc.incrementStrongCount(ptr);`,
      buggy ? `` : `  return new RawWaker(ptr, VTABLE_${i});`,
      `}`,
      `function wake${i}(ptr: Ptr): void {`,
      `  const arc = Arc.fromRaw<Task>(ptr);`,
      `  arc.value.wakeups += ${i};`,
      `  drop(arc);`,
      `}`,
      `function wakeByRef${i}(ptr: Ptr): void {`,
      `  const arc = Arc.fromRaw<Task>(ptr);`,
      `  arc.value.wakeups++;`,
      `  forget(arc);`,
      `}`,
      `function drop${i}(ptr: Ptr): void {`,
      `  drop(Arc.fromRaw<Task>(ptr));`,
      `}`,
      `export const VTABLE_${i} = new RawWakerVTable(clone${i}, wake${i}, wakeByRef${i}, drop${i});`,
      `export function waker${i}(task: Arc<Task>): Waker {`,
      `  return Waker.fromRaw(new RawWaker(Arc.intoRaw(task), VTABLE_${i}));`,
      `}`,
      `export function use${i}(waker: Waker, n: number): number {`,
      `  const copy = waker.clone();`,
      `  if (n > ${i}) {`,
      `    copy.wakeByRef();`,
      `    n += Box.new(${i}).value;`,
      `  }`,
      `  copy.drop();`,
      `  waker.wake();`,
      `  return n;`,
      `}`,
      `export function poll${i}(cx: Context, ready: boolean, parked: { waker?: Waker }): Poll<number> {`,
      `  if (ready) return Poll.ready(${i});`,
      `  parked.waker?.drop();`,
      `  parked.waker = cx.waker().clone();`,
      `  return Poll.pending();`,
      `}`,
      '',
    );
  }
  return lines.slice(0, LINES).join('\n') + '\n';
}

function makeBenchProject(text: string, withPluginEntry: boolean): { dir: string; file: string } {
  const dir = makeProject({ 'big.ts': text }, withPluginEntry ? { name: 'wakerscope' } : null);
  return { dir, file: path.join(dir, 'big.ts') };
}

interface Side {
  readonly name: string;
  readonly server: TsServer;
  readonly file: string;
  readonly dir: string;
  readonly times: number[];
}

/** The time the plugin reports adding to each semanticDiagnostics request for `file`, in log order. */
function pluginTimes(log: string, file: string): number[] {
  const times: number[] = [];
  for (const match of log.matchAll(/\[wakerscope\] getSemanticDiagnostics (.+): ([\d.]+) ms added/g)) {
    if (match[1] === file) times.push(Number(match[2]));
  }
  return times;
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function main(): Promise<void> {
  const bundle = path.join(REPO_ROOT, 'dist', 'tsserver', 'index.js');
  if (!fs.existsSync(bundle) || !fs.existsSync(path.join(REPO_ROOT, 'node_modules', 'wakerscope', 'index.js'))) {
    throw new Error('the tsserver plugin is not built: run `npm run build`');
  }
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`rounds must be a positive integer, got '${process.argv[2]}'`);
  if (WHERE !== 'body' && WHERE !== 'skeleton') throw new Error(`where to edit must be 'body' or 'skeleton', got '${WHERE}'`);
  const text = generateFile();
  const findings = (text.match(/^function clone\d+\(ptr: Ptr\): RawWaker \{\n  return/gm) ?? []).length;

  // The off side has no plugin anywhere: no tsconfig entry, no --globalPlugins.
  const on = makeBenchProject(text, true);
  const off = makeBenchProject(text, false);
  const sides: Side[] = [
    { name: 'plugin on', server: TsServer.start({ globalPlugins: ['wakerscope'], pluginProbeLocations: [REPO_ROOT] }), ...on, times: [] },
    { name: 'plugin off', server: TsServer.start(), ...off, times: [] },
  ];
  try {
    for (const side of sides) await side.server.open(side.file);
    // The first request builds the program in both: not what this measures.
    const first = await sides[0]!.server.request<{ source?: string }[]>('semanticDiagnosticsSync', { file: sides[0]!.file });
    await sides[1]!.server.request('semanticDiagnosticsSync', { file: sides[1]!.file });
    const reported = first.filter((d) => d.source === 'wakerscope').length;
    if (reported !== findings) throw new Error(`expected ${findings} wakerscope diagnostics in the generated file, got ${reported}: is the plugin loaded?`);

    // The one-character edit: a digit in the middle of the file (in a function body), or in
    // the class property `wakeups = 0` (outside every body), toggled each round.
    const marker = WHERE === 'body' ? 'arc.value.wakeups += ' : 'wakeups = ';
    const anchor = text.indexOf(marker, WHERE === 'body' ? Math.floor(text.length / 2) : 0) + marker.length;
    const where = locationOf(text, anchor);
    const digits = ['7', '8'];
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        await side.server.request('updateOpen', {
          changedFiles: [{ fileName: side.file, textChanges: [{ start: where, end: { line: where.line, offset: where.offset + 1 }, newText: digits[round % 2] }] }],
        });
        const started = process.hrtime.bigint();
        await side.server.request('semanticDiagnosticsSync', { file: side.file });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (round >= WARMUP) side.times.push(ms);
      }
      // The same request again, nothing edited: served from the plugin's cache.
      await sides[0]!.server.request('semanticDiagnosticsSync', { file: sides[0]!.file });
    }
  } finally {
    for (const side of sides) {
      await side.server.stop();
      fs.rmSync(side.dir, { recursive: true, force: true });
    }
  }

  // The plugin's log has, per round, the edited request then the repeated one.
  const logged = pluginTimes(sides[0]!.server.log(), sides[0]!.file).slice(-2 * ROUNDS);
  if (logged.length !== 2 * ROUNDS) throw new Error(`found ${logged.length} timings of ${2 * ROUNDS} in the plugin's log ${sides[0]!.server.logFile}`);
  const added = logged.filter((_, i) => i % 2 === 0).sort((a, b) => a - b);
  const cached = logged.filter((_, i) => i % 2 === 1).sort((a, b) => a - b);
  const [withPlugin, without] = sides.map((side) => [...side.times].sort((a, b) => a - b)) as [number[], number[]];
  const row = (name: string, sorted: number[]): string => `${name.padEnd(12)} p50 ${percentile(sorted, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(sorted, 95).toFixed(1).padStart(7)} ms`;
  const added50 = percentile(added, 50);
  const added95 = percentile(added, 95);
  console.log(`semanticDiagnosticsSync after a one-character edit ${WHERE === 'body' ? 'inside a function body' : 'outside every function body'}, ${LINES}-line file (${findings} findings), ${ROUNDS} rounds after ${WARMUP} warm-up`);
  console.log(row('plugin off', without));
  console.log(row('plugin on', withPlugin));
  console.log(`${'end to end'.padEnd(12)} p50 ${(percentile(withPlugin, 50) - percentile(without, 50)).toFixed(1).padStart(7)} ms   p95 ${(percentile(withPlugin, 95) - percentile(without, 95)).toFixed(1).padStart(7)} ms added (on - off)`);
  console.log(`${'added'.padEnd(12)} p50 ${added50.toFixed(1).padStart(7)} ms   p95 ${added95.toFixed(1).padStart(7)} ms   (the plugin's own time; target p95 < 10 ms: ${added95 < 10 ? 'met' : 'NOT met'})`);
  console.log(`${'cached'.padEnd(12)} p50 ${percentile(cached, 50).toFixed(3).padStart(7)} ms   p95 ${percentile(cached, 95).toFixed(3).padStart(7)} ms   (the plugin's own time on a repeated request, nothing edited)`);
  console.log(`ratio on/off p50 ${(percentile(withPlugin, 50) / percentile(without, 50)).toFixed(2)}x   p95 ${(percentile(withPlugin, 95) / percentile(without, 95)).toFixed(2)}x`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`tsserver-latency: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
