// This tree's analyzer side by side with a baseline commit's, in one process,
// on the same programs: the warm analysis as bench/run.mjs measures it (a fresh
// program, fully type-checked, then analysed once, as `wakerscope check` or the
// editor after an edit does), runs interleaved A B A B … so load on the shared
// machine hits both alike. Prints the median CPU time of each and the ratio.
//
//   node bench/compare.mjs [--baseline 4763cf5] [--files 200 --functions 30 --waker-share 0.2] [--reps 7]
//   node bench/compare.mjs --baseline 4763cf5,c442eb2,a4483f9   # to bisect: more commits in the same interleaved runs
//
// Each analysis gets a program of its own: analysing one program again would
// find the checker's and the analyzer's per-program caches filled, which a real
// run never does. With several commits, each later one gets a row of its own,
// its ratio also against the first (the baseline), so adjacent commits can be
// compared under the same load.
// Programs: the generated corpus (realistic with --waker-share 0.2) and the
// realistic programs of test/corpus/programs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusOptions, cpu, folderProgram, loadAnalyzer, loadCommitAnalyzer, median, option, OUT, REPO } from './common.mjs';
import { generate } from './generate.mjs';

// CPU time is the process's: V8's garbage-collector threads count too, and under load
// their work lands on whichever side runs next (two copies of the same analyzer
// measured 1.18 apart). On one thread each side pays for its own collections.
if (!process.execArgv.includes('--single-threaded')) {
  const run = spawnSync(process.execPath, ['--single-threaded', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const [BASELINE, ...OTHERS] = option('baseline', '4763cf5').split(',');
const { files: FILES, functions: FUNCTIONS, wakerShare: WAKER_SHARE } = corpusOptions();
const REPS = Number(option('reps', '7'));

const current = loadAnalyzer('compare-');
const ts = current.ts;
const analyzers = [
  { label: BASELINE, analyzer: loadCommitAnalyzer(BASELINE) },
  ...OTHERS.map((commit) => ({ label: `commit ${commit} instead of this tree`, analyzer: loadCommitAnalyzer(commit) })),
  { label: 'this tree', analyzer: current.analysis },
];

/** CPU time and finding count of one analysis of a fresh, type-checked program. */
function analyzeFresh(analyzer, newProgram) {
  const program = newProgram();
  for (const file of program.getSourceFiles()) program.getSemanticDiagnostics(file);
  const [ms, findings] = cpu(() => analyzer.analyzeProgram(ts, program));
  return { ms, findings: findings.length };
}

function compare(label, newProgram) {
  // Warm the JIT for every analyzer first: the editor's process has long compiled it.
  for (let i = 0; i < 2; i++) for (const { analyzer } of analyzers) analyzeFresh(analyzer, newProgram);
  const runs = analyzers.map(() => []);
  for (let rep = 0; rep < REPS; rep++) {
    // Alternate the order, so neither side always runs right after the other's garbage.
    const order = rep % 2 === 0 ? analyzers.keys() : [...analyzers.keys()].reverse();
    for (const index of order) runs[index].push(analyzeFresh(analyzers[index].analyzer, newProgram));
  }
  const [base, ...rest] = runs.map((times) => ({ ms: median(times.map((t) => t.ms)), findings: times[0].findings }));
  const mine = rest[rest.length - 1];
  console.log(`| ${label} | ${base.ms.toFixed(0)} ms | ${mine.ms.toFixed(0)} ms | ${(mine.ms / base.ms).toFixed(2)} | ${base.findings} → ${mine.findings} |`);
  rest.slice(0, -1).forEach((other, index) => {
    console.log(`| ${label}, ${analyzers[index + 1].label} | ${base.ms.toFixed(0)} ms | ${other.ms.toFixed(0)} ms | ${(other.ms / base.ms).toFixed(2)} | ${base.findings} → ${other.findings} |`);
  });
}

const mix = WAKER_SHARE === undefined ? 'worst case' : `${WAKER_SHARE * 100}% waker functions`;
console.log(`warm analysis of a fresh program, CPU time (V8 on one thread), median of ${REPS} interleaved runs; baseline ${BASELINE}; node ${process.version}, typescript ${ts.version}\n`);
console.log(`| program | baseline | this tree | ratio | findings |`);
console.log('|---|---|---|---|---|');
const generated = generate(join(OUT, `compare-corpus-${FILES}x${FUNCTIONS}-${WAKER_SHARE ?? 'worst'}`), FILES, FUNCTIONS, WAKER_SHARE);
compare(`generated: ${FILES} files × ${FUNCTIONS} functions, ${mix}`, () => current.buildProgram(generated).program);
const programs = join(REPO, 'test', 'corpus', 'programs');
compare(`test/corpus/programs (${folderProgram(ts, programs).getRootFileNames().length} realistic programs)`, () => folderProgram(ts, programs));
