// Profile the analysis alone on a generated corpus, warm and cold, in this process:
//
//   node --cpu-prof --cpu-prof-dir bench/out/prof bench/profile.mjs [--files 200] [--functions 30] [--waker-share 0.2] [--mode warm|cold] [--reps 3]
//   node bench/cpu-summary.mjs bench/out/prof/<file>.cpuprofile
//
// Prints the CPU time of each repetition; the profile shows where it goes.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { generate } from './generate.mjs';

const REPO = resolve(fileURLToPath(import.meta.url), '..', '..');
const OUT = join(REPO, 'bench', 'out');
const require = createRequire(import.meta.url);

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}
const FILES = Number(option('files', '200'));
const FUNCTIONS = Number(option('functions', '30'));
const WAKER_SHARE = option('waker-share') === undefined ? undefined : Number(option('waker-share'));
const MODE = option('mode', 'warm');
const REPS = Number(option('reps', '3'));

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['typescript'], logLevel: 'warning', sourcemap: 'inline' };
buildSync({ ...common, entryPoints: [join(REPO, 'src/analysis/index.ts')], outfile: join(OUT, 'profile-analysis.cjs') });
buildSync({ ...common, entryPoints: [join(REPO, 'src/analysis/program.ts')], outfile: join(OUT, 'profile-program.cjs') });
const analysis = require(join(OUT, 'profile-analysis.cjs'));
const { loadProject } = require(join(OUT, 'profile-program.cjs'));
const ts = require('typescript');

const dir = generate(join(OUT, 'corpus-profile'), FILES, FUNCTIONS, WAKER_SHARE);
const cpuMs = (fn) => {
  const before = process.cpuUsage();
  const value = fn();
  const { user, system } = process.cpuUsage(before);
  return [(user + system) / 1000, value];
};
for (let rep = 0; rep < REPS; rep++) {
  const project = loadProject(ts, join(dir, 'tsconfig.json'));
  const checker = project.program.getTypeChecker();
  let typeCheckMs = 0;
  if (MODE === 'warm') [typeCheckMs] = cpuMs(() => project.program.getSourceFiles().forEach((f) => project.program.getSemanticDiagnostics(f)));
  const [analysisMs, findings] = cpuMs(() => analysis.analyzeProgram(ts, project.program, project.config));
  void checker;
  console.log(`${MODE}: analysis ${analysisMs.toFixed(0)} ms${MODE === 'warm' ? `, type-check ${typeCheckMs.toFixed(0)} ms, ratio ${((analysisMs / typeCheckMs) * 100).toFixed(1)}%` : ''}, ${findings.length} findings`);
}
