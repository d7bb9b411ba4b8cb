// This tree's analyzer beside a baseline commit's in the steady state: one
// checked worst-case program (200 files × 30 functions), the two analyzers
// alternating on it, WARM pairs discarded, then REPS pairs timed. Unlike
// compare.mjs (a fresh program per analysis, as a real run has), the program
// and the checker's caches are shared, so what differs is the analyzer's own
// work; run it with `node --single-threaded` so each side pays for its own
// garbage collection.
//
//   node --single-threaded bench/steady.mjs [--baseline main] [--reps 30]
import { join } from 'node:path';
import { cpu, loadAnalyzer, loadCommitAnalyzer, median, option, OUT } from './common.mjs';
import { generate } from './generate.mjs';

const BASELINE = option('baseline', 'main');
const REPS = Number(option('reps', '30'));
const WARM = 8;

const current = loadAnalyzer('steady-');
const sides = [loadCommitAnalyzer(BASELINE), current.analysis];
const ts = current.ts;
const program = current.buildProgram(generate(join(OUT, 'steady-corpus'), 200, 30)).program;
program.getSourceFiles().forEach((file) => program.getSemanticDiagnostics(file));

const times = [[], []];
for (let rep = 0; rep < WARM + REPS; rep++) {
  for (const side of rep % 2 ? [1, 0] : [0, 1]) {
    const [ms] = cpu(() => sides[side].analyzeProgram(ts, program));
    if (rep >= WARM) times[side].push(ms);
  }
}
const [base, mine] = times.map(median);
const perPair = median(times[0].map((b, i) => times[1][i] / b));
console.log(`${BASELINE}: ${base.toFixed(1)} ms, this tree: ${mine.toFixed(1)} ms, ratio ${(mine / base).toFixed(3)} (median per pair ${perPair.toFixed(3)})`);
