// One build for every entry point. Each bundle is CommonJS for Node (tsserver
// and VS Code load CommonJS), except the webview, which runs in the browser.
// `typescript` and `vscode` are never bundled: tsserver and VS Code hand us theirs.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

const nodeEntries = {
  'waker/index': 'src/waker/index.ts',
  'cli/main': 'src/cli/main.ts',
  'tsserver/index': 'src/tsserver/index.ts',
  'extension/main': 'src/extension/main.ts',
  'eslint/index': 'src/eslint/index.ts',
  'simulate/worker': 'src/simulate/worker.ts',
};
const present = Object.fromEntries(Object.entries(nodeEntries).filter(([, src]) => existsSync(src)));

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: present,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['typescript', 'vscode', 'esbuild'],
  logLevel: 'warning',
});
if (existsSync('src/webview/main.ts')) {
  await build({
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'media',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: false,
    logLevel: 'warning',
  });
}
// The public `wakerscope/waker` types, for users who import the installed package.
execFileSync(process.execPath, ['node_modules/typescript/lib/tsc.js', '-p', 'tsconfig.waker.json'], { stdio: 'inherit' });
