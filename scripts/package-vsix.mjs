// Packages the VS Code extension: `npm run package` (builds first) → wakerscope-<version>.vsix.
//
// vsce runs in a staging folder, not in the repository, because the package
// needs a node_modules that the repository does not have:
//   - node_modules/wakerscope: tsserver finds a contributed plugin by package
//     name under the extension's node_modules; this stub re-exports
//     dist/tsserver/index.js.
//   - node_modules/esbuild and this platform's @esbuild/<os>-<arch>: the
//     simulator bundles user modules at run time (typescript is not shipped:
//     tsserver hands the plugin its own).
// .vscodeignore (an allow-list) then decides what of the staging folder ships.
// README.marketplace.md becomes the package's README.md.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(join(root, 'package.json'));
const fail = (message) => {
  console.error(`package-vsix: ${message}`);
  process.exit(1);
};

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const built of ['dist/main.js', 'dist/extension/main.js', 'dist/tsserver/index.js', 'dist/simulate/worker.js']) {
  if (!existsSync(join(root, built))) fail(`${built} is missing: run \`npm run build\` first (or \`npm run package\`, which builds)`);
}

// vsce's --target names: linux-x64, darwin-arm64, win32-x64, alpine-x64, …
const target = `${process.platform}-${process.arch}`;
const esbuildPlatformPackage = `@esbuild/${process.platform}-${process.arch}`;
const esbuildDir = dirname(require.resolve('esbuild/package.json'));
let esbuildPlatformDir;
try {
  esbuildPlatformDir = dirname(require.resolve(`${esbuildPlatformPackage}/package.json`, { paths: [esbuildDir] }));
} catch {
  fail(`${esbuildPlatformPackage} is not installed (npm installs it with esbuild): run \`npm ci\``);
}
const esbuildVersion = JSON.parse(readFileSync(join(esbuildDir, 'package.json'), 'utf8')).version;

const stage = mkdtempSync(join(tmpdir(), 'wakerscope-vsix-'));
try {
  // Everything of the repository vsce may need; .vscodeignore filters it.
  const skip = new Set(['node_modules', '.git', 'test-results', 'bench', 'test', 'docs', 'examples']);
  for (const entry of execFileSync('git', ['ls-files', '--others', '--cached', '--exclude-standard', '--directory'], { cwd: root, encoding: 'utf8' }).split('\n')) {
    const top = entry.split('/')[0];
    if (!top || skip.has(top) || top.endsWith('.vsix') || !existsSync(join(root, top))) continue;
    cpSync(join(root, top), join(stage, top), { recursive: true });
  }
  cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true });
  cpSync(join(root, 'README.marketplace.md'), join(stage, 'README.md'));

  // The package's runtime dependencies: esbuild only (vsce lists them with npm).
  // No peers: in the editor, tsserver hands the plugin its own typescript, and ESLint is not involved.
  const { devDependencies: _dev, scripts: _scripts, peerDependencies: _peers, peerDependenciesMeta: _peersMeta, files: _files, ...shipped } = manifest;
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...shipped, dependencies: { esbuild: esbuildVersion } }, null, 2));
  cpSync(esbuildDir, join(stage, 'node_modules', 'esbuild'), { recursive: true });
  cpSync(esbuildPlatformDir, join(stage, 'node_modules', esbuildPlatformPackage), { recursive: true });
  const stub = join(stage, 'node_modules', 'wakerscope');
  mkdirSync(stub, { recursive: true });
  writeFileSync(join(stub, 'package.json'), JSON.stringify({ name: 'wakerscope', version: manifest.version, private: true, main: 'index.js' }, null, 2));
  writeFileSync(join(stub, 'index.js'), "// The tsserver plugin, found by tsserver as the package `wakerscope`.\nmodule.exports = require('../../dist/tsserver/index.js');\n");

  const out = join(root, `${manifest.name}-${manifest.version}.vsix`);
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--out', out], { cwd: stage, stdio: 'inherit' });
  const listing = execFileSync(process.execPath, [vsce, 'ls'], { cwd: stage, encoding: 'utf8' });
  for (const needed of ['node_modules/wakerscope/index.js', 'node_modules/esbuild/lib/main.js', 'dist/main.js', 'dist/extension/main.js', 'dist/tsserver/index.js', 'src/waker/index.ts', 'src/simulate/driver.ts']) {
    if (!listing.split('\n').includes(needed)) fail(`${needed} is not in the package: check .vscodeignore`);
  }
  const size = statSync(out).size;
  console.log(`package-vsix: ${relative(process.cwd(), out) || out} (${target}) ${(size / 1024 / 1024).toFixed(2)} MiB, ${listing.trim().split('\n').length} files`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
