// The esbuild options of every Node bundle of our sources, so the build
// (scripts/build.mjs), the benchmarks (bench/common.mjs) and the tests' CLI
// (test/cli-bundle.ts) bundle alike. `typescript` and `vscode` are never
// bundled (tsserver and VS Code hand us theirs), nor `esbuild` (its binary).

/** @type {import('esbuild').BuildOptions} */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['typescript', 'vscode', 'esbuild'],
  logLevel: 'warning',
};
