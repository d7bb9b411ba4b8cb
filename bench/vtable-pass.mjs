// The vtable pass alone (`vtablesInFile` over every user file), this tree against
// a baseline commit, as the warm analysis runs it: every sample on a program
// built and type-checked afresh, with a fresh `Library`, so the first-time work
// (naming the slots' callees, the file's import table) is in it. Per rep one
// program, analysed by both sides in alternated order (A B, B A, …), so the
// checker's caches and the machine's load favour neither. Prints each side's
// median CPU milliseconds and the median of the per-rep ratios.
//
//   node bench/vtable-pass.mjs [--baseline main] [--reps 12] [--files 200] [--functions 30] [--waker-share 0.2]
//
// Without --waker-share the corpus is the worst case, where the pass is 11–18%
// of the warm analysis (bench/README.md). Two copies of the same code measure
// the noise: run it with `--baseline HEAD` first.
import { join } from 'node:path';
import { corpusOptions, cpu, loadAnalyzer, loadCommitAnalyzer, median, option, OUT } from './common.mjs';
import { generate } from './generate.mjs';

const { files: FILES, functions: FUNCTIONS, wakerShare: WAKER_SHARE } = corpusOptions();
const REPS = Number(option('reps', '12'));
const BASELINE = option('baseline', 'main');
const WARMUPS = 3;

const { analysis: current, ts, buildProgram } = loadAnalyzer('vtable-pass-');
const baseline = loadCommitAnalyzer(BASELINE);
const dir = generate(join(OUT, `vtable-pass-corpus-${FILES}x${FUNCTIONS}-${WAKER_SHARE ?? 'worst'}`), FILES, FUNCTIONS, WAKER_SHARE);

/** CPU milliseconds of one side's vtable pass over every user file of `program`, with a fresh Library. */
function vtablePass(analysis, program) {
  const library = new analysis.Library(ts, program);
  const files = program.getSourceFiles().filter((file) => analysis.isUserFile(program, file));
  const [ms, vtables] = cpu(() => files.reduce((count, file) => count + analysis.vtablesInFile(analysis.createFileContext(ts, program, file, library)).length, 0));
  return { ms, vtables };
}

const samples = { baseline: [], current: [] };
const ratios = [];
for (let rep = 0; rep < WARMUPS + REPS; rep++) {
  const { program } = buildProgram(dir);
  for (const file of program.getSourceFiles()) program.getSemanticDiagnostics(file);
  const sides = rep % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline'];
  const results = {};
  for (const side of sides) results[side] = vtablePass(side === 'baseline' ? baseline : current, program);
  if (results.baseline.vtables !== results.current.vtables) throw new Error(`the sides found ${results.baseline.vtables} and ${results.current.vtables} vtables`);
  if (rep < WARMUPS) continue;
  samples.baseline.push(results.baseline.ms);
  samples.current.push(results.current.ms);
  ratios.push(results.current.ms / results.baseline.ms);
}

console.log(`vtable pass, ${FILES} files × ${FUNCTIONS} functions (${WAKER_SHARE === undefined ? 'worst case' : `waker share ${WAKER_SHARE}`}), ${REPS} reps, a fresh type-checked program each`);
console.log(`  ${BASELINE}: ${median(samples.baseline).toFixed(1)} ms   this tree: ${median(samples.current).toFixed(1)} ms   median of per-rep ratios ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(2)).join(' ')})`);
