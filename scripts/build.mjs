// One build for every entry point. Each bundle is CommonJS for Node (tsserver
// and VS Code load CommonJS; the options in esbuild-node.mjs), except the
// webview, which runs in the browser.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { NODE_BUNDLE } from './esbuild-node.mjs';

const nodeEntries = {
  'waker/index': 'src/waker/index.ts',
  'cli/main': 'src/cli/main.ts',
  'tsserver/index': 'src/tsserver/index.ts',
  'extension/main': 'src/extension/main.ts',
  'eslint/index': 'src/eslint/index.ts',
  'simulate/worker': 'src/simulate/worker.ts',
  // The package's `main`: the extension's and the tsserver plugin's door (see src/main.ts).
  main: 'src/main.ts',
};
const present = Object.fromEntries(Object.entries(nodeEntries).filter(([, src]) => existsSync(src)));

rmSync('dist', { recursive: true, force: true });
await build({
  ...NODE_BUNDLE,
  entryPoints: present,
  outdir: 'dist',
  sourcemap: true,
  // main.js loads the other bundles at run time; it must not contain them.
  external: [...NODE_BUNDLE.external, './tsserver/index.js', './extension/main.js'],
});
// tsserver loads a plugin by resolving its name from `<probe location>/node_modules`
// (VS Code probes the extension's folder), so `wakerscope` there must be the plugin.
if (present['tsserver/index']) {
  mkdirSync('node_modules/wakerscope', { recursive: true });
  writeFileSync('node_modules/wakerscope/package.json', JSON.stringify({ name: 'wakerscope', private: true, main: 'index.js' }, null, 2) + '\n');
  writeFileSync('node_modules/wakerscope/index.js', "module.exports = require('../../dist/tsserver/index.js');\n");
}
if (existsSync('src/webview/main.ts')) {
  // The panel's icons: VS Code's own codicon font, from @vscode/codicons (shipped in the .vsix).
  mkdirSync('media/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `media/codicons/${file}`);
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
// The public `wakerscope/eslint` types: only the plugin entry's own declaration,
// which names nothing but `eslint` types (the analyzer stays an implementation detail).
if (present['eslint/index']) {
  const { default: ts } = await import('typescript');
  const options = { ...ts.getDefaultCompilerOptions(), strict: true, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, resolveJsonModule: true, esModuleInterop: true, skipLibCheck: true, declaration: true, emitDeclarationOnly: true, types: [] };
  const program = ts.createProgram([present['eslint/index']], options);
  program.emit(program.getSourceFile(present['eslint/index']), (_name, text) => writeFileSync('dist/eslint/index.d.ts', text), undefined, true);
}
