// How much of bench/run.mjs's warm analysis is V8's optimising compiler at
// work on the analyzer: run.mjs's sequence (three warm-up rounds on 20 files,
// then per rep a cold and a warm analysis of the corpus, each on a program of
// its own) in a child process with `--trace-opt`, summing the TurboFan compile
// times V8 reports while each warm analysis runs. Compiles run on a helper
// thread; run.mjs's CPU time counts that thread too.
//
//   node bench/jit-share.mjs [--files 200] [--functions 30] [--waker-share 0.2] [--reps 3]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusOptions, cpu, loadAnalyzer, OUT } from './common.mjs';
import { generate } from './generate.mjs';

const { files: FILES, functions: FUNCTIONS, reps: REPS, wakerShare: WAKER_SHARE } = corpusOptions();

if (process.argv.includes('--child')) {
  const { analysis, ts, buildProgram } = loadAnalyzer('jit-share-');
  const checked = (dir) => {
    const project = buildProgram(dir);
    const [typeCheckMs] = cpu(() => project.program.getSourceFiles().forEach((file) => project.program.getSemanticDiagnostics(file)));
    return { ...project, typeCheckMs };
  };
  const warmup = generate(join(OUT, 'corpus-warmup'), 20, FUNCTIONS, WAKER_SHARE);
  for (let pass = 0; pass < 3; pass++) {
    const cold = buildProgram(warmup);
    analysis.analyzeProgram(ts, cold.program, cold.config);
    const warm = checked(warmup);
    analysis.analyzeProgram(ts, warm.program, warm.config);
  }
  const dir = generate(join(OUT, `jit-share-corpus-${FILES}x${FUNCTIONS}-${WAKER_SHARE ?? 'worst'}`), FILES, FUNCTIONS, WAKER_SHARE);
  for (let rep = 0; rep < REPS; rep++) {
    const cold = buildProgram(dir);
    analysis.analyzeProgram(ts, cold.program, cold.config);
    const warm = checked(dir);
    console.log('jit-share: warm analysis starts');
    const [ms] = cpu(() => analysis.analyzeProgram(ts, warm.program, warm.config));
    console.log(`jit-share: warm analysis ends ${ms} ${warm.typeCheckMs}`);
  }
  process.exit(0);
}

const child = spawnSync(process.execPath, ['--trace-opt', fileURLToPath(import.meta.url), '--child', ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 1 << 28 });
if (child.status !== 0) throw new Error(`child exited ${child.status}: ${child.stderr.split('\n')[0]}`);
const mix = WAKER_SHARE === undefined ? 'worst case' : `${WAKER_SHARE * 100}% waker functions`;
console.log(`run.mjs's sequence, ${FILES} files × ${FUNCTIONS} functions, ${mix}; node ${process.version}\n`);
console.log('| rep | warm analysis (CPU) | type check (CPU) | warm / type check | functions compiled meanwhile | their compile time |\n|---|---|---|---|---|---|');
let inside = false;
let compiled = 0;
let compileMs = 0;
let rep = 0;
for (const line of child.stdout.split('\n')) {
  if (line.startsWith('jit-share: warm analysis starts')) [inside, compiled, compileMs] = [true, 0, 0];
  else if (line.startsWith('jit-share: warm analysis ends')) {
    inside = false;
    const [ms, typeCheckMs] = line.split(' ').slice(-2).map(Number);
    console.log(`| ${++rep} | ${ms.toFixed(0)} ms | ${typeCheckMs.toFixed(0)} ms | ${((100 * ms) / typeCheckMs).toFixed(1)}% | ${compiled} | ${compileMs.toFixed(0)} ms |`);
  } else if (inside && line.includes('completed compiling')) {
    // `[completed compiling … (target TURBOFAN) - took 0.008, 1.856, 0.020 ms]`: graph building, optimisation, code generation.
    const took = /took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line);
    if (took) [compiled, compileMs] = [compiled + 1, compileMs + Number(took[1]) + Number(took[2]) + Number(took[3])];
  }
}
