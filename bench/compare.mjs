// This tree's analyzer side by side with a baseline commit's, in one process,
// on the same programs: the warm analysis (after a full type check, as in the
// editor), runs interleaved A B A B … so load on the shared machine hits both
// alike. Prints the median CPU time of each and the ratio.
//
//   node bench/compare.mjs [--baseline 4763cf5] [--files 200 --functions 30 --waker-share 0.2] [--reps 7]
//   node bench/compare.mjs --baseline 4763cf5,c442eb2,a4483f9   # to bisect: more commits in the same interleaved runs
//
// With several commits, each later one gets a row of its own, its ratio also
// against the first (the baseline), so adjacent commits can be compared under
// the same load.
// Programs: the generated corpus (realistic with --waker-share 0.2) and the
// realistic programs of test/corpus/programs.
import { join } from 'node:path';
import { corpusOptions, cpu, folderProgram, loadAnalyzer, loadCommitAnalyzer, median, option, OUT, REPO } from './common.mjs';
import { generate } from './generate.mjs';

const [BASELINE, ...OTHERS] = option('baseline', '4763cf5').split(',');
const { files: FILES, functions: FUNCTIONS, wakerShare: WAKER_SHARE } = corpusOptions();
const REPS = Number(option('reps', '7'));

const current = loadAnalyzer('compare-');
const ts = current.ts;
const baseline = loadCommitAnalyzer(BASELINE);
const others = OTHERS.map((commit) => ({ commit, analyzer: loadCommitAnalyzer(commit) }));

function compare(label, program) {
  for (const file of program.getSourceFiles()) program.getSemanticDiagnostics(file);
  // Warm the JIT on this program for both, then measure interleaved.
  for (let i = 0; i < 2; i++) {
    current.analysis.analyzeProgram(ts, program);
    baseline.analyzeProgram(ts, program);
    for (const other of others) other.analyzer.analyzeProgram(ts, program);
  }
  const mine = [];
  const theirs = [];
  const otherTimes = others.map(() => []);
  const otherFindings = others.map(() => 0);
  let findings = [0, 0];
  for (let rep = 0; rep < REPS; rep++) {
    const [a, fa] = cpu(() => baseline.analyzeProgram(ts, program));
    others.forEach((other, index) => {
      const [t, f] = cpu(() => other.analyzer.analyzeProgram(ts, program));
      otherTimes[index].push(t);
      otherFindings[index] = f.length;
    });
    const [b, fb] = cpu(() => current.analysis.analyzeProgram(ts, program));
    theirs.push(a);
    mine.push(b);
    findings = [fa.length, fb.length];
  }
  const [base, now] = [median(theirs), median(mine)];
  console.log(`| ${label} | ${base.toFixed(0)} ms | ${now.toFixed(0)} ms | ${(now / base).toFixed(2)} | ${findings[0]} → ${findings[1]} |`);
  others.forEach(({ commit }, index) => {
    const time = median(otherTimes[index]);
    console.log(`| ${label}, commit ${commit} instead of this tree | ${base.toFixed(0)} ms | ${time.toFixed(0)} ms | ${(time / base).toFixed(2)} | ${findings[0]} → ${otherFindings[index]} |`);
  });
}

const mix = WAKER_SHARE === undefined ? 'worst case' : `${WAKER_SHARE * 100}% waker functions`;
console.log(`warm analysis, CPU time, median of ${REPS} interleaved runs; baseline ${BASELINE}; node ${process.version}, typescript ${ts.version}\n`);
console.log(`| program | baseline | this tree | ratio | findings |`);
console.log('|---|---|---|---|---|');
const generated = generate(join(OUT, `compare-corpus-${FILES}x${FUNCTIONS}-${WAKER_SHARE ?? 'worst'}`), FILES, FUNCTIONS, WAKER_SHARE);
compare(`generated: ${FILES} files × ${FUNCTIONS} functions, ${mix}`, current.buildProgram(generated).program);
const corpus = folderProgram(ts, join(REPO, 'test', 'corpus', 'programs'));
compare(`test/corpus/programs (${corpus.getRootFileNames().length} realistic programs)`, corpus);
