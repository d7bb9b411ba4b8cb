// What one compare-processes.mjs sample's time is made of, on both sides: the
// same sample (a fresh process on one V8 thread, the JIT warmed on `--warmups`, default three,
// programs of a 40-file corpus, then one fresh type-checked program of the
// generated corpus analysed once), run with V8's tracing on, and its measured
// analysis split into user and system CPU, garbage collection (pauses, and
// whether a major GC's incremental marking ran inside), and the optimising
// compiler's work inside it (functions compiled, their compile time as V8
// reports it, how many of them were optimised in the warm-up already and
// deoptimised since, deoptimisations). The JIT columns also count the warm-up's own
// analyses, to show how much of the analyzer was optimised before the sample.
//
//   node bench/sample-anatomy.mjs [--baseline 4763cf5] [--reps 3] [--warmups 3] [--files 200 --functions 30 --waker-share 0.2] [--node-flags --max-opt=2]
//
// Tracing costs a little; the CPU figures are for comparing the two sides run
// the same way, not for a verdict (that is compare-processes.mjs). V8 reports
// compile and GC times as wall-clock time: on a loaded machine they exceed the
// CPU time they stand for, so read them only from an idle run, and the counts
// always.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { checkedProgram, median, option, sampleSetup } from './common.mjs';

const SELF = fileURLToPath(import.meta.url);
const MARK = '@@anatomy';

if (process.argv[2] === '--sample') {
  const [analyzerFile, programFile, corpus, warmupCorpus, warmups] = process.argv.slice(3);
  const require = createRequire(import.meta.url);
  const ts = require('typescript');
  const analyzer = require(analyzerFile);
  const { loadProject } = require(programFile);
  for (let i = 0; i < Number(warmups); i++) {
    const program = checkedProgram(ts, loadProject, warmupCorpus);
    console.log(`${MARK} warmup`);
    analyzer.analyzeProgram(ts, program);
    console.log(`${MARK} end`);
  }
  const program = checkedProgram(ts, loadProject, corpus);
  const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(`${MARK} measured`);
  const before = process.cpuUsage();
  analyzer.analyzeProgram(ts, program);
  const { user, system } = process.cpuUsage(before);
  console.log(`${MARK} end`);
  console.log(`${MARK} result ${JSON.stringify({ user: user / 1000, system: system / 1000, heapMB })}`);
  process.exit(0);
}

/** The trace lines of each phase (`warmup`, `measured`) of one sample's output, and its result. */
function phases(output) {
  const lines = { warmup: [], measured: [] };
  let phase;
  let result;
  for (const line of output.split('\n')) {
    if (line.startsWith(`${MARK} result `)) result = JSON.parse(line.slice(MARK.length + 8));
    else if (line.startsWith(MARK)) phase = line.slice(MARK.length + 1) === 'end' ? undefined : line.slice(MARK.length + 1);
    else if (phase) lines[phase].push(line);
  }
  return { lines, result };
}

/** What V8's `--trace-opt --trace-deopt --trace-gc --trace-incremental-marking` lines say about a phase. */
function jitAndGc(lines) {
  let compiled = 0;
  const compiledFunctions = new Set();
  let compileMs = 0;
  let deopts = 0;
  let gcMs = 0;
  let scavenges = 0;
  let marking = false;
  for (const line of lines) {
    const compile = /completed compiling .*\(sfi = (\w+)\).*took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line);
    if (compile) {
      compiled += 1;
      compiledFunctions.add(compile[1]);
      compileMs += Number(compile[2]) + Number(compile[3]) + Number(compile[4]);
    }
    if (line.includes('bailout (kind: deopt')) deopts += 1;
    const gc = /: (Scavenge|Mark-Compact|Mark-Sweep)\b.*?MB, ([\d.]+) \/ [\d.]+ ms/.exec(line);
    if (gc) {
      gcMs += Number(gc[2]);
      if (gc[1] === 'Scavenge') scavenges += 1;
      else marking = true;
    }
    if (line.includes('[IncrementalMarking] Start')) marking = true;
  }
  return { compiled, compiledFunctions, compileMs, deopts, gcMs, scavenges, marking };
}

const reps = Number(option('reps', '3'));
const TRACE = ['--trace-opt', '--trace-deopt', '--trace-gc', '--trace-incremental-marking'];
const { files, functions, wakerShare, warmups, nodeFlags, sides, programFile, corpus, warmupCorpus } = sampleSetup('anatomy');

console.log(`one compare-processes sample, traced, ${warmups} warm-up analyses, ${reps} reps a side (A B B A …); ${files} files × ${functions} functions, ${wakerShare * 100}% waker functions; node ${process.version} --single-threaded ${[...nodeFlags, ...TRACE].join(' ')}`);
for (let rep = 0; rep < reps; rep++) {
  for (const side of rep % 2 === 0 ? sides : [...sides].reverse()) {
    const run = spawnSync(process.execPath, ['--single-threaded', ...nodeFlags, ...TRACE, SELF, '--sample', side.analyzer, programFile, corpus, warmupCorpus, warmups], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (run.status !== 0) throw new Error(`${side.label}: sample failed: ${run.stderr.trim().split('\n')[0]}`);
    const { lines, result } = phases(run.stdout);
    side.samples.push({ ...result, measured: jitAndGc(lines.measured), warmup: jitAndGc(lines.warmup) });
  }
}
const fixed = (value, digits = 0) => value.toFixed(digits);
console.log(`| side | CPU ms (user + system) | GC pauses, wall ms (scavenges) | major GC marking inside | optimised inside (compile, wall ms) | of which again (optimised in the warm-up, deoptimised since) | deopts inside | optimised in the ${warmups} warm-up analyses (wall ms) | heap used at start MB |`);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const side of sides) {
  for (const s of side.samples) {
    const m = s.measured;
    console.log(`| ${side.label} | ${fixed(s.user + s.system)} (${fixed(s.user)} + ${fixed(s.system)}) | ${fixed(m.gcMs, 1)} (${m.scavenges}) | ${m.marking ? 'yes' : 'no'} | ${m.compiled} (${fixed(m.compileMs)}) | ${[...m.compiledFunctions].filter((f) => s.warmup.compiledFunctions.has(f)).length} | ${m.deopts} | ${s.warmup.compiled} (${fixed(s.warmup.compileMs)}) | ${fixed(s.heapMB)} |`);
  }
}
for (const side of sides) {
  const cpuMs = median(side.samples.map((s) => s.user + s.system));
  const compileMs = median(side.samples.map((s) => s.measured.compileMs));
  console.log(`${side.label}: median CPU ${fixed(cpuMs)} ms, median compile inside ${fixed(compileMs)} wall ms, median GC ${fixed(median(side.samples.map((s) => s.measured.gcMs)), 1)} wall ms`);
}
