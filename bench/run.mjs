// The analyzer benchmark: on the same synthetic corpus, in one run, at 1×, 2×
// and 4× size, measure
//   - `tsc --noEmit -p corpus`               (a process)
//   - `wakerscope check -p corpus`           (a process)
//   - the analysis alone, in process: analyzeProgram() on a program already
//     built (program build excluded). "cold": the checker has not type-checked
//     anything yet, so the types the analysis asks for are resolved here and
//     counted; "warm": after a full type check, as in an editor.
// all as CPU time (user + system), which a busy shared machine skews far less
// than wall time, and print analysis / type-check ratios and growth from 1×.
//
//   npm run bench [-- --files 200 --functions 30 --scales 1,2,4 --reps 5 --waker-share 0.2]
//
// Without --waker-share the corpus is the worst case (about 85% of functions
// use wakers); `--waker-share 0.2` makes 20% of functions waker code and the rest
// ordinary code, as in a real project.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundle, corpusOptions, cpu, loadAnalyzer, median, option, OUT, REPO } from './common.mjs';
import { generate } from './generate.mjs';

// Five runs: the in-process type check, the ratios' denominator, swings up to 40% between runs (1× measured 1.41–2.00 s) while the analysis varies about 15% (0.49–0.56 s at 4×).
const { files: FILES, functions: FUNCTIONS, reps: REPS, wakerShare: WAKER_SHARE } = corpusOptions({ reps: 5 });
const SCALES = option('scales', '1,2,4').split(',').map(Number);
const CORPUS = WAKER_SHARE === undefined ? 'corpus' : `corpus-share${WAKER_SHARE}`;

const CLI = bundle('cli/main.ts', 'cli');
const { analysis, ts, buildProgram } = loadAnalyzer();
const TSC = join(REPO, 'node_modules', 'typescript', 'lib', 'tsc.js');

/** CPU milliseconds (user + system) of a child process, as it reports them at exit. */
function timeProcess(args, okCodes) {
  const result = spawnSync(process.execPath, ['--require', join(REPO, 'bench', 'cpu-report.cjs'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (!okCodes.includes(result.status)) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.split('\n')[0]}`);
  const match = /wakerscope-bench-cpu-ms ([\d.]+)/.exec(result.stderr);
  if (!match) throw new Error(`${args.join(' ')}: no CPU report`);
  return { ms: Number(match[1]), stdout: result.stdout };
}

function measureInProcess(dir) {
  // Cold: a fresh checker, as `wakerscope check` has it; types the rules ask for are resolved (and counted) here.
  const [programMs, cold] = cpu(() => buildProgram(dir));
  const [coldMs, findings] = cpu(() => analysis.analyzeProgram(ts, cold.program, cold.config));
  // Warm: after a full type check of a fresh program, as in the editor.
  const warm = buildProgram(dir);
  const [typeCheckMs] = cpu(() => {
    for (const file of warm.program.getSourceFiles()) warm.program.getSemanticDiagnostics(file);
  });
  const [warmMs] = cpu(() => analysis.analyzeProgram(ts, warm.program, warm.config));
  // Which pass the warm time goes to: the vtable rules alone, the rest is the flow rules.
  const library = new analysis.Library(ts, warm.program);
  const userFiles = warm.program.getSourceFiles().filter((file) => analysis.isUserFile(warm.program, file));
  const [vtableMs] = cpu(() => userFiles.forEach((file) => analysis.analyzeVtables(analysis.createFileContext(ts, warm.program, file, library))));
  return { programMs, coldMs, typeCheckMs, warmMs, vtableMs, findings: findings.length };
}

// Warm the JIT first, the analyzer's and TypeScript's alike: three passes over
// the 1× corpus itself. The editor's process has long compiled both; a small
// warm-up corpus left the type check still compiling at 1× (its second pass
// there took 0.6 of its first), which flattered the 1× ratio. The CLI's cold
// start is in the `wakerscope check` column.
const warmup = generate(join(OUT, `${CORPUS}-${SCALES[0]}x`), FILES * SCALES[0], FUNCTIONS, WAKER_SHARE);
for (let pass = 0; pass < 3; pass++) measureInProcess(warmup);

const rows = [];
for (const scale of SCALES) {
  const files = FILES * scale;
  const dir = generate(join(OUT, `${CORPUS}-${scale}x`), files, FUNCTIONS, WAKER_SHARE);
  const runs = [];
  for (let rep = 0; rep < REPS; rep++) {
    const tsc = timeProcess([TSC, '--noEmit', '-p', dir], [0]);
    const check = timeProcess([CLI, 'check', '-p', dir, '--format', 'json'], [0, 1]);
    runs.push({ tscMs: tsc.ms, checkMs: check.ms, ...measureInProcess(dir) });
  }
  const pick = (key) => median(runs.map((r) => r[key]));
  rows.push({ scale, files, functions: files * FUNCTIONS, tscMs: pick('tscMs'), checkMs: pick('checkMs'), programMs: pick('programMs'), coldMs: pick('coldMs'), typeCheckMs: pick('typeCheckMs'), warmMs: pick('warmMs'), vtableMs: pick('vtableMs'), findings: runs[0].findings });
  console.error(`measured ${scale}× (${files} files)`);
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const mix = WAKER_SHARE === undefined ? 'worst case (every template, ~85% waker functions)' : `${WAKER_SHARE * 100}% waker functions`;
console.log(`corpus: ${FILES} files × ${FUNCTIONS} functions per 1×, ${mix}; CPU time, median of ${REPS} run(s); node ${process.version}, typescript ${ts.version}\n`);
console.log('| size | files | tsc --noEmit | wakerscope check | type-check (in process) | analysis (cold) | analysis (warm) | of which vtable rules | cold / tsc | warm / type-check | findings |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.scale}× | ${r.files} | ${fmt(r.tscMs)} | ${fmt(r.checkMs)} | ${fmt(r.typeCheckMs)} | ${fmt(r.coldMs)} | ${fmt(r.warmMs)} | ${fmt(r.vtableMs)} | ${pct(r.coldMs / r.tscMs)} | ${pct(r.warmMs / r.typeCheckMs)} | ${r.findings} |`);
}
const base = rows[0];
console.log('\ngrowth from 1× (time ratio / size ratio; 1.00 = linear):');
for (const r of rows.slice(1)) {
  const size = r.scale / base.scale;
  console.log(`  ${r.scale}×: analysis cold ${(r.coldMs / base.coldMs / size).toFixed(2)}, warm ${(r.warmMs / base.warmMs / size).toFixed(2)}, tsc ${(r.tscMs / base.tscMs / size).toFixed(2)}, check ${(r.checkMs / base.checkMs / size).toFixed(2)}`);
}
