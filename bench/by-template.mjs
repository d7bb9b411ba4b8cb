// Where a slowdown against a baseline comes from: the warm analysis of one
// generated template at a time (200 files of it), this tree beside a baseline
// commit, interleaved as in compare.mjs.
//
//   node bench/by-template.mjs [--baseline 4763cf5] [--reps 11] [--files 200] [--per-file 30]
import { join } from 'node:path';
import { cpu, loadAnalyzer, loadCommitAnalyzer, median, option, OUT } from './common.mjs';
import { PLAIN_TEMPLATES, TEMPLATES, generateOneTemplate } from './generate.mjs';

const BASELINE = option('baseline', '4763cf5');
const REPS = Number(option('reps', '11'));
const FILES = Number(option('files', '200'));
const PER_FILE = Number(option('per-file', '30'));

const current = loadAnalyzer('by-template-');
const { ts } = current;
const baseline = loadCommitAnalyzer(BASELINE);

function program(name, template) {
  return current.buildProgram(generateOneTemplate(join(OUT, `by-template-${name}`), template, FILES, PER_FILE)).program;
}

console.log(`| template | baseline | this tree | ratio |\n|---|---|---|---|`);
const rows = [
  ...TEMPLATES.map((t, i) => [`waker ${i}`, t]),
  ...PLAIN_TEMPLATES.map((t, i) => [`plain ${i}`, t]),
];
for (const [name, template] of rows) {
  const p = program(name.replace(' ', '-'), template);
  for (const f of p.getSourceFiles()) p.getSemanticDiagnostics(f);
  for (let i = 0; i < 2; i++) { baseline.analyzeProgram(ts, p); current.analysis.analyzeProgram(ts, p); }
  const a = [], b = [];
  for (let r = 0; r < REPS; r++) {
    a.push(cpu(() => baseline.analyzeProgram(ts, p))[0]);
    b.push(cpu(() => current.analysis.analyzeProgram(ts, p))[0]);
  }
  const [x, y] = [median(a), median(b)];
  console.log(`| ${name} | ${x.toFixed(1)} ms | ${y.toFixed(1)} ms | ${(y / x).toFixed(2)} |`);
}
