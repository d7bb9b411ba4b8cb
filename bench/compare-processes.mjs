// Issue 9's measure, done so that no sample can bias another: this tree's
// warm analysis against a baseline commit's, every sample in a process of its
// own. A sample builds a fresh program of the generated corpus, type-checks
// it, and analyses it once (the warm analysis of bench/run.mjs), after warming
// the JIT on three programs of a smaller corpus of the same templates. Samples
// alternate A B B A …, so load on the shared machine hits both sides alike.
// Prints each side's median CPU time, its samples, and the ratio.
//
//   node bench/compare-processes.mjs [--baseline 4763cf5] [--reps 15] [--files 200 --functions 30 --waker-share 0.2]
//   node bench/compare-processes.mjs --node-flags --max-opt=2   # V8 flags for the samples: here, no optimising compiler
//   node bench/compare-processes.mjs --warmups 12                # more warm-up analyses, so TurboFan has settled (default 3)
//
// Why not bench/compare.mjs: in one long process, each side's garbage and the
// JIT's state carry over into the other's samples, and two runs on the same
// tree disagreed by more than the 10% the issue allows. This takes longer
// (about 25 s a sample) and agrees with itself.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { checkedProgram, cpu, median, option, sampleSetup } from './common.mjs';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--sample') {
  const [analyzerFile, programFile, corpus, warmupCorpus, warmups] = process.argv.slice(3);
  const require = createRequire(import.meta.url);
  const ts = require('typescript');
  const analyzer = require(analyzerFile);
  const { loadProject } = require(programFile);
  for (let i = 0; i < Number(warmups); i++) analyzer.analyzeProgram(ts, checkedProgram(ts, loadProject, warmupCorpus));
  const program = checkedProgram(ts, loadProject, corpus);
  const [ms, findings] = cpu(() => analyzer.analyzeProgram(ts, program));
  console.log(JSON.stringify({ ms, findings: findings.length }));
  process.exit(0);
}

const reps = Number(option('reps', '15'));
// A sample's CPU time includes the optimising compiler's work on the analyzer's hot functions, which in a fresh
// process happens during the sample (with --single-threaded, on the main thread): `--max-opt=2` leaves it out.
const { files, functions, wakerShare, warmups, nodeFlags, sides, programFile, corpus, warmupCorpus } = sampleSetup('processes');

console.log(`warm analysis, one process per sample (V8 on one thread, ${warmups} warm-up analyses), ${reps} reps; ${files} files × ${functions} functions, ${wakerShare * 100}% waker functions; node ${process.version}${nodeFlags.length > 0 ? ` ${nodeFlags.join(' ')}` : ''}`);
for (let rep = 0; rep < reps; rep++) {
  for (const side of rep % 2 === 0 ? sides : [...sides].reverse()) {
    const run = spawnSync(process.execPath, ['--single-threaded', ...nodeFlags, SELF, '--sample', side.analyzer, programFile, corpus, warmupCorpus, warmups], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${side.label}: sample failed: ${run.stderr.trim().split('\n')[0]}`);
    side.samples.push(JSON.parse(run.stdout));
  }
}
const [base, mine] = sides.map((side) => median(side.samples.map((s) => s.ms)));
for (const side of sides) {
  const ms = median(side.samples.map((s) => s.ms));
  console.log(`${side.label}: median ${ms.toFixed(0)} ms, ratio ${(ms / base).toFixed(2)}, findings ${side.samples[0].findings}; samples ${side.samples.map((s) => s.ms.toFixed(0)).join(' ')}`);
}
if (sides[0].samples[0].findings !== sides[1].samples[0].findings) console.log('note: the two sides report different numbers of findings');
console.log(`ratio ${(mine / base).toFixed(2)}`);
