// Packages the VS Code extension: `npm run package` (builds first) → wakerscope-<version>.vsix
// for this machine's platform; `npm run package -- --target darwin-arm64` (any vsce
// target below) → wakerscope-<version>-darwin-arm64.vsix. One .vsix per platform,
// because the simulator bundles with native esbuild: esbuild-wasm would make one
// package for all, but bundles 10-150× slower (bench/README.md, "esbuild or esbuild-wasm").
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

// vsce's --target names → the esbuild package holding that platform's binary
// (esbuild's Linux binaries are static, so Alpine takes them too).
const ESBUILD_PLATFORM = {
  'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'linux-armhf': 'linux-arm', 'alpine-x64': 'linux-x64', 'alpine-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64', 'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64',
};
const targetFlag = process.argv.indexOf('--target');
const target = targetFlag >= 0 ? process.argv[targetFlag + 1] : `${process.platform}-${process.arch}`;
if (!ESBUILD_PLATFORM[target]) fail(`--target ${target}: not one of ${Object.keys(ESBUILD_PLATFORM).join(', ')}`);
const esbuildPlatformPackage = `@esbuild/${ESBUILD_PLATFORM[target]}`;
const esbuildDir = dirname(require.resolve('esbuild/package.json'));
const esbuildVersion = JSON.parse(readFileSync(join(esbuildDir, 'package.json'), 'utf8')).version;
const esbuildPlatformDir = installedOrFetched(esbuildPlatformPackage, esbuildVersion);

/** `name`'s folder: installed with esbuild (this machine's platform), else fetched once with `npm pack` into node_modules/.cache. */
function installedOrFetched(name, version) {
  try {
    return dirname(require.resolve(`${name}/package.json`, { paths: [esbuildDir] }));
  } catch {
    // Another platform's binary: npm installs only this machine's.
  }
  const folder = join(root, 'node_modules', '.cache', 'wakerscope-vsix', `${name.replace('/', '+')}@${version}`);
  if (!existsSync(join(folder, 'package.json'))) {
    mkdirSync(folder, { recursive: true });
    try {
      const tarball = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', folder], { cwd: folder, encoding: 'utf8' }).trim().split('\n').at(-1);
      execFileSync('tar', ['-xzf', join(folder, tarball), '-C', folder, '--strip-components=1']);
      rmSync(join(folder, tarball));
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      fail(`cannot fetch ${name}@${version} for --target ${target}: ${String(error).split('\n')[0]}`);
    }
  }
  return folder;
}

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

  const out = join(root, targetFlag >= 0 ? `${manifest.name}-${manifest.version}-${target}.vsix` : `${manifest.name}-${manifest.version}.vsix`);
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--out', out], { cwd: stage, stdio: 'inherit' });
  const listing = execFileSync(process.execPath, [vsce, 'ls'], { cwd: stage, encoding: 'utf8' });
  const binary = `node_modules/${esbuildPlatformPackage}/${target.startsWith('win32') ? 'esbuild.exe' : 'bin/esbuild'}`;
  for (const needed of [binary, 'node_modules/wakerscope/index.js', 'node_modules/esbuild/lib/main.js', 'dist/main.js', 'dist/extension/main.js', 'dist/tsserver/index.js', 'src/waker/index.ts', 'src/simulate/driver.ts']) {
    if (!listing.split('\n').includes(needed)) fail(`${needed} is not in the package: check .vscodeignore`);
  }
  const size = statSync(out).size;
  console.log(`package-vsix: ${relative(process.cwd(), out) || out} (${target}) ${(size / 1024 / 1024).toFixed(2)} MiB, ${listing.trim().split('\n').length} files`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
