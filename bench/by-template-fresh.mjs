// Where a slowdown against a baseline comes from, measured as the warm analysis
// is: one generated template at a time, and every analysis on a program of its
// own (built and type-checked afresh), so the first-time work per program (the
// checker's lazy answers to what the rules ask, per-program and per-file
// caches) is in every sample. bench/by-template.mjs analyses one program again
// and again, which hides that work. Run it on one V8 thread (see below).
//
//   node --single-threaded bench/by-template-fresh.mjs [--baseline 4763cf5] [--reps 7] [--files 60] [--per-file 30] [--only waker-2,waker-4]
//
// Per template: two warm-up analyses per side, then `reps` samples per side in
// the order A B B A …, each on a fresh program. Prints each side's median CPU
// milliseconds and the ratio of the medians.
import { join } from 'node:path';
import { cpu, loadAnalyzer, loadCommitAnalyzer, median, option, OUT } from './common.mjs';
import { PLAIN_TEMPLATES, TEMPLATES, generateOneTemplate } from './generate.mjs';

const BASELINE = option('baseline', '4763cf5');
const REPS = Number(option('reps', '7'));
const FILES = Number(option('files', '60'));
const PER_FILE = Number(option('per-file', '30'));
const ONLY = option('only')?.split(',');

const current = loadAnalyzer('by-template-fresh-');
const { ts } = current;
const sides = [
  { label: BASELINE, analyzer: loadCommitAnalyzer(BASELINE) },
  { label: 'this tree', analyzer: current.analysis },
];

function corpus(name, template) {
  return generateOneTemplate(join(OUT, `by-template-fresh-${name}`), template, FILES, PER_FILE);
}

function checkedProgram(dir) {
  const { program } = current.buildProgram(dir);
  for (const file of program.getSourceFiles()) program.getSemanticDiagnostics(file);
  return program;
}

console.log(`fresh program per analysis, ${FILES} files × ${PER_FILE} of one template, ${REPS} reps; node ${process.version}${process.execArgv.length > 0 ? ` ${process.execArgv.join(' ')}` : ''}`);
console.log(`| template | ${BASELINE} | this tree | ratio |\n|---|---|---|---|`);
const rows = [
  ...TEMPLATES.slice(0, 7).map((t, i) => [`waker-${i}`, t]), // 7 and 8 are the first two plain ones
  ...PLAIN_TEMPLATES.map((t, i) => [`plain-${i}`, t]),
].filter(([name]) => !ONLY || ONLY.includes(name));
for (const [name, template] of rows) {
  const dir = corpus(name, template);
  const samples = sides.map(() => []);
  for (let rep = -2; rep < REPS; rep++) {
    for (const s of rep % 2 === 0 ? [0, 1] : [1, 0]) {
      const program = checkedProgram(dir);
      const [ms] = cpu(() => sides[s].analyzer.analyzeProgram(ts, program));
      if (rep >= 0) samples[s].push(ms);
    }
  }
  const [x, y] = samples.map(median);
  console.log(`| ${name} | ${x.toFixed(1)} ms | ${y.toFixed(1)} ms | ${(y / x).toFixed(2)} |`);
}
