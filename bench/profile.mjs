// Profile the analysis alone on a generated corpus, warm and cold, in this process:
//
//   node --cpu-prof --cpu-prof-dir bench/out/prof bench/profile.mjs [--files 200] [--functions 30] [--waker-share 0.2] [--mode warm|cold] [--reps 3]
//   node bench/cpu-summary.mjs bench/out/prof/<file>.cpuprofile
//
// Prints the CPU time of each repetition; the profile shows where it goes.
import { join } from 'node:path';
import { corpusOptions, cpu, loadAnalyzer, option, OUT } from './common.mjs';
import { generate } from './generate.mjs';

const { files: FILES, functions: FUNCTIONS, reps: REPS, wakerShare: WAKER_SHARE } = corpusOptions();
const MODE = option('mode', 'warm');

// Inline source maps, so the profile names our source files.
const { analysis, ts, buildProgram } = loadAnalyzer('profile-', { sourcemap: 'inline' });

const dir = generate(join(OUT, 'corpus-profile'), FILES, FUNCTIONS, WAKER_SHARE);
for (let rep = 0; rep < REPS; rep++) {
  const project = buildProgram(dir);
  let typeCheckMs = 0;
  if (MODE === 'warm') [typeCheckMs] = cpu(() => project.program.getSourceFiles().forEach((f) => project.program.getSemanticDiagnostics(f)));
  const [analysisMs, findings] = cpu(() => analysis.analyzeProgram(ts, project.program, project.config));
  console.log(`${MODE}: analysis ${analysisMs.toFixed(0)} ms${MODE === 'warm' ? `, type-check ${typeCheckMs.toFixed(0)} ms, ratio ${((analysisMs / typeCheckMs) * 100).toFixed(1)}%` : ''}, ${findings.length} findings`);
}
