// Native esbuild against esbuild-wasm for the simulator's bundling, in one
// process: the three examples bundled as src/simulate/bundle.ts bundles a
// scenario module (with the driver and the runtime's sources), first call and
// warm median, and each package's size gzip-compressed (what a .vsix adds).
// The choice it informed (one .vsix per platform, native esbuild) is in bench/README.md.
//
//   node bench/esbuild-wasm.mjs [--reps 10]
//
// esbuild-wasm (same version as esbuild) is installed into bench/out/ on first use.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { median, option, OUT, REPO } from './common.mjs';

const REPS = Number(option('reps', '10'));
const require = createRequire(join(REPO, 'package.json'));
const version = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
const wasmPrefix = join(OUT, 'esbuild-wasm');
if (!existsSync(join(wasmPrefix, 'node_modules', 'esbuild-wasm'))) {
  execFileSync('npm', ['install', '--prefix', wasmPrefix, '--no-audit', '--no-fund', '--no-save', `esbuild-wasm@${version}`], { stdio: 'inherit' });
}
const engines = {
  esbuild: require('esbuild'),
  'esbuild-wasm': createRequire(join(wasmPrefix, 'package.json'))('esbuild-wasm'),
};

const driver = join(REPO, 'src', 'simulate', 'driver.ts');
const runtime = join(REPO, 'src', 'waker', 'index.ts');
const examples = ['seed-box-waker.ts', 'arc-waker.ts', 'timer-future.ts'].map((name) => join(REPO, 'examples', name));
const options = (module) => ({
  stdin: { contents: `import * as user from ${JSON.stringify(module)};\nimport { createDriver } from ${JSON.stringify(driver)};\nexport const driver = createDriver(user);`, resolveDir: dirname(module), loader: 'js' },
  outfile: join(dirname(module), '__wakersim_bundle__.js'),
  write: false, bundle: true, platform: 'neutral', mainFields: ['module', 'main'], format: 'iife', globalName: '__wakersim',
  target: 'es2022', sourcemap: 'external', alias: { 'wakerscope/waker': runtime }, logLevel: 'silent',
});

const results = {};
for (const [name, engine] of Object.entries(engines)) {
  let start = performance.now();
  await engine.build(options(examples[0]));
  const first = performance.now() - start;
  const times = [];
  for (let rep = 0; rep < REPS; rep++) {
    for (const module of examples) {
      start = performance.now();
      await engine.build(options(module));
      times.push(performance.now() - start);
    }
  }
  results[name] = { first, warm: median(times) };
  engine.stop?.();
}

const gz = (file) => gzipSync(readFileSync(file)).length / 1024 / 1024;
const nativeBinary = require.resolve(`@esbuild/${process.platform}-${process.arch}/${process.platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild'}`);
const wasmFile = join(wasmPrefix, 'node_modules', 'esbuild-wasm', 'esbuild.wasm');
const sizes = { esbuild: gz(nativeBinary), 'esbuild-wasm': gz(wasmFile) };
console.log(`esbuild ${version}, node ${process.version}, ${process.platform}-${process.arch}; ${examples.length} examples × ${REPS}, wall time\n`);
console.log('| bundler | first bundle | warm bundle (median) | binary, gzip |');
console.log('|---|---|---|---|');
for (const name of Object.keys(engines)) {
  console.log(`| ${name} | ${results[name].first.toFixed(0)} ms | ${results[name].warm.toFixed(1)} ms | ${sizes[name].toFixed(2)} MiB |`);
}
console.log(`\nesbuild-wasm / esbuild: first ${(results['esbuild-wasm'].first / results.esbuild.first).toFixed(1)}×, warm ${(results['esbuild-wasm'].warm / results.esbuild.warm).toFixed(1)}×, size ${(sizes['esbuild-wasm'] / sizes.esbuild).toFixed(2)}×`);
