// What the analyzer benchmarks (run.mjs, profile.mjs, eslint.mjs) share: where
// things are, their command-line options, CPU timing, and bundles of our own
// sources (so the numbers do not depend on a dist/ someone else is rebuilding).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from '../scripts/esbuild-node.mjs';
import { generate } from './generate.mjs';

export const REPO = resolve(fileURLToPath(import.meta.url), '..', '..');
export const OUT = join(REPO, 'bench', 'out');
const require = createRequire(import.meta.url);

/** The value after `--name` on the command line, else `fallback`. */
export function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

/** The corpus options: `--files 200 --functions 30 --reps 3 [--waker-share 0.2]` (no share: the worst-case mix); a script may take more reps by default. */
export function corpusOptions({ reps = 3 } = {}) {
  const share = option('waker-share');
  return {
    files: Number(option('files', '200')),
    functions: Number(option('functions', '30')),
    reps: Number(option('reps', String(reps))),
    wakerShare: share === undefined ? undefined : Number(share),
  };
}

/** CPU milliseconds (user + system) of `fn` in this process, and its value. */
export function cpu(fn) {
  const before = process.cpuUsage();
  const value = fn();
  const { user, system } = process.cpuUsage(before);
  return [(user + system) / 1000, value];
}

/** The middle value (the upper one of an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Bundles `src/<entry>` into `bench/out/<name>.cjs`; returns its path. `extra`: more esbuild options. */
export function bundle(entry, name, extra = {}) {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.cjs`);
  buildSync({ ...NODE_BUNDLE, ...extra, entryPoints: [join(REPO, 'src', entry)], outfile });
  return outfile;
}

/**
 * The analyzer (bundled as `<prefix>analysis.cjs`), the typescript it runs on,
 * and `buildProgram(dir)`: the corpus's program and its checker (binding every
 * file), the part of the work excluded from "analysis".
 */
export function loadAnalyzer(prefix = '', extra = {}) {
  const analysis = require(bundle('analysis/index.ts', `${prefix}analysis`, extra));
  const { loadProject } = require(bundle('analysis/program.ts', `${prefix}program`, extra));
  const ts = require('typescript');
  const buildProgram = (dir) => {
    const project = loadProject(ts, join(dir, 'tsconfig.json'));
    project.program.getTypeChecker();
    return project;
  };
  return { analysis, ts, buildProgram };
}

/** The analyzer of another commit (or branch), bundled from `git archive` of its src/ into `bench/out/`. */
export function loadCommitAnalyzer(commit) {
  const safe = commit.replace(/[^\w.-]/g, '_');
  const root = join(OUT, `baseline-${safe}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const archive = execFileSync('git', ['-C', REPO, 'archive', '--format=tar', commit, 'src'], { maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  const outfile = join(OUT, `baseline-${safe}-analysis.cjs`);
  buildSync({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['typescript'], logLevel: 'warning', entryPoints: [join(root, 'src', 'analysis', 'index.ts')], outfile });
  return require(outfile);
}

/** A program of every `.ts` file in `dir` and its subfolders (test/corpus/programs, the fixture folders), with the library mapped to this repository's source. */
export function folderProgram(ts, dir) {
  const rootNames = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
  const options = { target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'], module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, noEmit: true, skipLibCheck: true, types: [], paths: { 'wakerscope/waker': [join(REPO, 'src', 'waker', 'index.ts')] } };
  return ts.createProgram({ rootNames, options });
}

/**
 * What a one-process-per-sample comparison (compare-processes.mjs, sample-anatomy.mjs) runs: both sides'
 * analyzer bundles (`--baseline`, default 4763cf5, and this tree), the program loader's bundle, the generated
 * corpus (`--files 200 --functions 30 --waker-share 0.2`) and a 40-file warm-up corpus of the same mix, how
 * many warm-up analyses a sample runs first (`--warmups`, default 3) and V8 flags for the samples (`--node-flags`).
 */
export function sampleSetup(name) {
  const baseline = option('baseline', '4763cf5');
  const files = Number(option('files', '200'));
  const functions = Number(option('functions', '30'));
  const wakerShare = Number(option('waker-share', '0.2'));
  loadCommitAnalyzer(baseline);
  return {
    files,
    functions,
    wakerShare,
    // Three warm-up analyses leave much of the analyzer to be optimised inside the sample (bench/README, the
    // fresh9 work); a long-lived editor process has long since compiled it. More warm-ups measure that settled state.
    warmups: option('warmups', '3'),
    nodeFlags: option('node-flags', '').split(' ').filter(Boolean),
    sides: [
      { label: baseline, analyzer: join(OUT, `baseline-${baseline.replace(/[^\w.-]/g, '_')}-analysis.cjs`), samples: [] },
      { label: 'this tree', analyzer: bundle('analysis/index.ts', `${name}-analysis`), samples: [] },
    ],
    programFile: bundle('analysis/program.ts', `${name}-program`),
    corpus: generate(join(OUT, `processes-corpus-${files}x${functions}-${wakerShare}`), files, functions, wakerShare),
    warmupCorpus: generate(join(OUT, `processes-warmup-${functions}-${wakerShare}`), 40, functions, wakerShare),
  };
}

/** In a sample's process: a fresh program of the corpus in `dir`, type-checked whole, as the warm analysis starts. */
export function checkedProgram(ts, loadProject, dir) {
  const { program } = loadProject(ts, join(dir, 'tsconfig.json'));
  for (const file of program.getSourceFiles()) program.getSemanticDiagnostics(file);
  return program;
}
