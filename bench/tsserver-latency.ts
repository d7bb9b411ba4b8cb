// Latency the tsserver plugin adds to `semanticDiagnosticsSync` (what an editor
// asks after every pause in typing) with 10 files open, after a one-character
// edit of one of five kinds:
//   - `body`: inside a function body of the 3,000-line file (what typing mostly is);
//   - `skeleton`: in that file's class property initializer, outside every body;
//   - `comment`: in a comment between two of that file's functions (half the
//     open files import the file);
//   - `signature`: an exported function's parameter type in that file,
//     `parked: { waker?: Waker }` ↔ `{ waker : Waker }` (what it declares
//     changes; the files that import the file name only `Task`);
//   - `other-file`: inside a function body of another open file.
// After each edit the editor asks diagnostics of every open file (VS Code's
// TypeScript extension sends `geterr` for them, the edited one first); so does
// each round here, and the numbers are per request on the 3,000-line file and
// per keystroke (all 10 requests together).
//
// Real tsservers run side by side on copies of the same project: one with
// this tree's plugin, one with the plugin of a baseline commit (default c6f17ea,
// the commit before issue 12's work), each bundled into bench/out/. Each round
// makes the same edit in both and asks the same requests, alternating which
// server goes first. The time counted is what the plugin itself adds, as it logs
// per request when tsserver logs verbosely. Target: p95 under 10 ms per edit.
//
// Run: npx tsx bench/tsserver-latency.ts [--rounds 60] [--baseline c6f17ea[,commit…]] [--edits signature,body]
// (several baselines, comma-separated: one tsserver each, ratios to the first;
// `--edits`: only these kinds, each round of four servers taking ~20 s under load).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from '../scripts/esbuild-node.mjs';
import { REPO_ROOT, TsServer, locationOf, makeProject } from '../test/tsserver/client';

const LINES = 3_000;
const OPEN_FILES = 10;
const WARMUP = 10;
const EDITS = ['body', 'skeleton', 'comment', 'signature', 'other-file'] as const;
type Edit = (typeof EDITS)[number];
const OUT = path.join(REPO_ROOT, 'bench', 'out');

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

/**
 * A realistic module: vtables (correct and buggy), waker factories, and functions that clone, wake and drop wakers.
 * `taskFrom`: import `Task` from that module instead of declaring it (files of a project depend on each other).
 */
export function generateFile(lines = LINES, taskFrom?: string): string {
  const header = [
    "import { Arc, Box, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Context, type Ptr } from 'wakerscope/waker';",
    ...(taskFrom ? [`import { Task } from '${taskFrom}';`] : ['', 'export class Task {', '  wakeups = 0;', '}']),
    '',
  ];
  const out = [...header];
  for (let i = 0; out.length < lines; i++) {
    const buggy = i % 10 === 0; // some findings, as in real code under development
    out.push(
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
  return out.slice(0, lines).join('\n') + '\n';
}

/** A plugin folder tsserver can probe: `<folder>/node_modules/wakerscope`, bundled from `src/` of this tree or of `commit`. */
function pluginFolder(commit?: string): string {
  const name = commit ? `latency-plugin-${commit.replace(/[^\w.-]/g, '_')}` : 'latency-plugin-this-tree';
  const folder = path.join(OUT, name);
  let sources = path.join(REPO_ROOT, 'src');
  if (commit) {
    const tree = path.join(OUT, `${name}-src`);
    fs.rmSync(tree, { recursive: true, force: true });
    fs.mkdirSync(tree, { recursive: true });
    const archive = execFileSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', commit, 'src'], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    sources = path.join(tree, 'src');
  }
  const pkg = path.join(folder, 'node_modules', 'wakerscope');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'wakerscope', main: 'index.js' }));
  buildSync({ ...NODE_BUNDLE, entryPoints: [path.join(sources, 'tsserver', 'index.ts')], outfile: path.join(pkg, 'index.js') });
  return folder;
}

/** The project: the 3,000-line `big.ts` and nine more files; every other one imports `Task` from big.ts. */
function projectFiles(): Record<string, string> {
  const files: Record<string, string> = { 'big.ts': generateFile() };
  for (let i = 1; i < OPEN_FILES; i++) files[`other${i}.ts`] = generateFile(LINES, i % 2 === 1 ? './big' : undefined);
  return files;
}

interface Side {
  readonly name: string;
  readonly server: TsServer;
  readonly dir: string;
  /** Plugin times of the measured rounds, per edit kind: per round, the 10 requests' times (big.ts's first or second, as asked). */
  readonly rounds: Map<Edit, { big: number; all: number }[]>;
}

/** The plugin's logged time per semanticDiagnostics request, in log order. */
function pluginTimes(log: string): { file: string; ms: number }[] {
  return [...log.matchAll(/\[wakerscope\] getSemanticDiagnostics (.+): ([\d.]+) ms added/g)].map((m) => ({ file: m[1]!, ms: Number(m[2]) }));
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Where each edit kind replaces one character, by which two in turn (the file's own first), and which file the editor asks about first (the edited one). */
function editSite(files: Record<string, string>, edit: Edit): { file: string; offset: number; characters: readonly [string, string] } {
  const digits = ['7', '8'] as const;
  if (edit === 'skeleton') return { file: 'big.ts', offset: files['big.ts']!.indexOf('wakeups = ') + 'wakeups = '.length, characters: digits };
  if (edit === 'signature') {
    const marker = 'parked: { waker';
    const text = files['big.ts']!;
    return { file: 'big.ts', offset: text.indexOf(marker, Math.floor(text.length / 2)) + marker.length, characters: [' ', '?'] };
  }
  if (edit === 'comment') {
    const marker = '// ---- block ';
    const text = files['big.ts']!;
    return { file: 'big.ts', offset: text.indexOf(marker, Math.floor(text.length / 2)) + marker.length, characters: digits };
  }
  const file = edit === 'body' ? 'big.ts' : 'other1.ts';
  const text = files[file]!;
  const marker = 'arc.value.wakeups += ';
  return { file, offset: text.indexOf(marker, Math.floor(text.length / 2)) + marker.length, characters: digits };
}

async function main(): Promise<void> {
  const rounds = Number(option('rounds', '60'));
  const baselines = option('baseline', 'c6f17ea').split(',');
  const baseline = baselines[0]!;
  const edits = option('edits', EDITS.join(',')).split(',') as Edit[];
  if (edits.some((edit) => !EDITS.includes(edit))) throw new Error(`--edits takes some of ${EDITS.join(', ')}, got '${option('edits', '')}'`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${option('rounds', '')}'`);
  const files = projectFiles();
  const names = Object.keys(files);
  const findings = (files['big.ts']!.match(/^function clone\d+\(ptr: Ptr\): RawWaker \{\n  return/gm) ?? []).length;

  const sides: Side[] = [
    ...baselines.map((commit) => ({ name: commit, plugin: pluginFolder(commit) })),
    { name: 'this tree', plugin: pluginFolder() },
  ].map(({ name, plugin }) => ({
    name,
    server: TsServer.start({ globalPlugins: ['wakerscope'], pluginProbeLocations: [plugin], timeoutMs: 120_000 }),
    dir: makeProject(files),
    rounds: new Map(),
  }));
  try {
    for (const side of sides) {
      for (const name of names) await side.server.open(path.join(side.dir, name));
      // The first requests build the program: not what this measures.
      for (const name of names) {
        const diagnostics = await side.server.request<{ source?: string }[]>('semanticDiagnosticsSync', { file: path.join(side.dir, name) });
        const reported = diagnostics.filter((d) => d.source === 'wakerscope').length;
        if (name === 'big.ts' && reported !== findings) throw new Error(`${side.name}: expected ${findings} wakerscope diagnostics in big.ts, got ${reported}: is the plugin loaded?`);
      }
    }
    for (const edit of edits) {
      const site = editSite(files, edit);
      const where = locationOf(files[site.file]!, site.offset);
      // The editor asks about the edited file first, then the other open files.
      const asked = [site.file, ...names.filter((name) => name !== site.file)];
      for (let round = 0; round < WARMUP + rounds; round++) {
        // Rotate which server goes first.
        for (const side of [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)]) {
          const logged = pluginTimes(side.server.log()).length;
          await side.server.request('updateOpen', {
            changedFiles: [{ fileName: path.join(side.dir, site.file), textChanges: [{ start: where, end: { line: where.line, offset: where.offset + 1 }, newText: site.characters[round % 2] }] }],
          });
          for (const name of asked) await side.server.request('semanticDiagnosticsSync', { file: path.join(side.dir, name) });
          const times = pluginTimes(side.server.log()).slice(logged);
          if (times.length !== asked.length) throw new Error(`${side.name}: found ${times.length} plugin timings for ${asked.length} requests in ${side.server.logFile}`);
          if (round < WARMUP) continue;
          const big = times.find((t) => t.file === path.join(side.dir, 'big.ts'))!.ms;
          const list = side.rounds.get(edit) ?? [];
          list.push({ big, all: times.reduce((sum, t) => sum + t.ms, 0) });
          side.rounds.set(edit, list);
        }
      }
    }
  } finally {
    for (const side of sides) {
      await side.server.stop();
      fs.rmSync(side.dir, { recursive: true, force: true });
    }
  }

  const cell = (values: number[]): string => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 95).toFixed(1)} ms`;
  };
  const p95 = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 95);
  console.log(`time the plugin adds to semanticDiagnosticsSync, p50 / p95, ${OPEN_FILES} files open (${LINES} lines each), ${rounds} rounds per edit after ${WARMUP} warm-up; node ${process.version}\n`);
  console.log(`| edit | plugin | ${LINES}-line file (big.ts) | per keystroke (all ${OPEN_FILES} files) | p95 ratio to ${baseline} (big.ts, all) |`);
  console.log('|---|---|---|---|---|');
  const base = sides[0]!;
  const mine = sides[sides.length - 1]!;
  for (const edit of edits) {
    for (const side of sides) {
      const rows = side.rounds.get(edit)!;
      const baseRows = base.rounds.get(edit)!;
      const ratio = `${(p95(rows.map((r) => r.big)) / p95(baseRows.map((r) => r.big))).toFixed(2)}, ${(p95(rows.map((r) => r.all)) / p95(baseRows.map((r) => r.all))).toFixed(2)}`;
      console.log(`| ${edit} | ${side.name} | ${cell(rows.map((r) => r.big))} | ${cell(rows.map((r) => r.all))} | ${side === base ? '1.00, 1.00' : ratio} |`);
    }
  }
  const verdicts = edits.map((edit) => {
    const rows = mine.rounds.get(edit)!;
    return `${edit}: big.ts p95 ${p95(rows.map((r) => r.big)).toFixed(1)} ms, per keystroke p95 ${p95(rows.map((r) => r.all)).toFixed(1)} ms`;
  });
  console.log(`\ntarget p95 under 10 ms per edit (this tree): ${verdicts.join('; ')}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`tsserver-latency: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
