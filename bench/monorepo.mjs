// Scale benchmark for monorepos and CI (issue 13 §2): a generated monorepo of
// 20 projects × 200 files (a solution tsconfig, each project referencing the
// one before it and importing from it), checked as CI would:
//
//   - `tsc -b` on the solution (the baseline: a clean build, declarations only);
//   - a cold `wakerscope check -p .` (no cache);
//   - a `--cache` re-check after one file changed (the cache filled by a cold --cache run);
//   - 4 shards (`--shard i/4`), one after another: the slowest one and the largest peak.
//
// Each is its own process, timed (wall clock) and measured (peak resident set
// size) by GNU time. Ratios are against `tsc -b`, run in this same script.
//
//   node bench/monorepo.mjs [--projects 20] [--files 200] [--functions 6]
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { OUT, REPO, bundle, option } from './common.mjs';
import { generate } from './generate.mjs';

const PROJECTS = Number(option('--projects', '20'));
const FILES = Number(option('--files', '200'));
const FUNCTIONS = Number(option('--functions', '6'));
const ROOT = join(OUT, 'monorepo');
const TSC = join(REPO, 'node_modules', 'typescript', 'lib', 'tsc.js');

function writeMonorepo() {
  rmSync(ROOT, { recursive: true, force: true });
  const waker = join(REPO, 'src', 'waker', 'index.ts');
  for (let p = 0; p < PROJECTS; p++) {
    const dir = join(ROOT, 'packages', `p${String(p).padStart(2, '0')}`);
    generate(dir, FILES, FUNCTIONS, 0.2);
    const previous = p > 0 ? `../p${String(p - 1).padStart(2, '0')}` : undefined;
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'preserve', moduleResolution: 'bundler',
            strict: true, composite: true, emitDeclarationOnly: true, outDir: 'dist', rootDir: 'src', skipLibCheck: true, types: [],
            paths: { 'wakerscope/waker': [relative(dir, waker).split('\\').join('/')] },
            plugins: [{ name: 'wakerscope' }],
          },
          include: ['src'],
          ...(previous ? { references: [{ path: previous }] } : {}),
        },
        null,
        2,
      ),
    );
    // A dependency across projects, as monorepos have: its findings depend on the project before.
    if (previous) writeFileSync(join(dir, 'src', 'bridge.ts'), `import { checksum1 } from '${previous}/src/module0000';\nexport const bridged = checksum1;\n`);
  }
  writeFileSync(join(ROOT, 'tsconfig.json'), JSON.stringify({ files: [], references: Array.from({ length: PROJECTS }, (_, p) => ({ path: `./packages/p${String(p).padStart(2, '0')}` })) }, null, 2));
}

/** Wall seconds and peak RSS (MB) of one process, from GNU time. */
function measure(label, command, args) {
  const report = join(OUT, 'monorepo-time.txt');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', report, command, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${label} exited ${result.status}: ${result.stderr.slice(0, 400)}`);
  const [seconds, kilobytes] = readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { label, seconds, megabytes: kilobytes / 1024, stdout: result.stdout };
}

mkdirSync(OUT, { recursive: true });
writeMonorepo();
const files = PROJECTS * FILES + PROJECTS - 1;
console.log(`monorepo: ${PROJECTS} projects, ${files} files, ${FUNCTIONS} functions a file (20% waker code), in ${relative(REPO, ROOT)}`);
const cli = bundle('cli/main.ts', 'monorepo-cli');
const check = (...args) => [cli, 'check', '-p', '.', '--format', 'json', ...args];

const tsc = measure('tsc -b', process.execPath, [TSC, '-b', '.']);
const cold = measure('wakerscope check (cold)', process.execPath, check());
const coldFindings = JSON.parse(cold.stdout).length;
rmSync(join(ROOT, '.wakerscopecache'), { force: true });
const fill = measure('wakerscope check --cache (filling the cache)', process.execPath, check('--cache'));
appendFileSync(join(ROOT, 'packages', 'p00', 'src', 'module0000.ts'), '\nexport const edited = 1;\n');
const recheck = measure('wakerscope check --cache after one file changed', process.execPath, check('--cache'));
const shards = [1, 2, 3, 4].map((i) => measure(`wakerscope check --shard ${i}/4`, process.execPath, check('--shard', `${i}/4`)));
const shardFindings = shards.reduce((sum, s) => sum + JSON.parse(s.stdout).length, 0);
if (shardFindings !== coldFindings) throw new Error(`shards found ${shardFindings}, the whole run ${coldFindings}`);
if (JSON.parse(recheck.stdout).length !== coldFindings) throw new Error('the cached re-check disagrees with the cold run');

const row = (m) => `| ${m.label} | ${m.seconds.toFixed(1)} s | ${(m.seconds / tsc.seconds).toFixed(2)}× | ${m.megabytes.toFixed(0)} MB | ${(m.megabytes / tsc.megabytes).toFixed(2)}× |`;
const slowest = shards.reduce((a, b) => (b.seconds > a.seconds ? b : a));
const largest = shards.reduce((a, b) => (b.megabytes > a.megabytes ? b : a));
console.log(`\n| run | wall | vs tsc -b | peak RSS | vs tsc -b |\n|---|---|---|---|---|`);
for (const m of [tsc, cold, fill, recheck]) console.log(row(m));
console.log(row({ ...slowest, label: `slowest of 4 shards (${slowest.label.split(' ').at(-1)})`, megabytes: largest.megabytes }));
console.log(`\n${coldFindings} findings; the 4 shards together report the same number, and so does the cached re-check.`);
console.log(`cold peak memory / tsc -b peak memory: ${(cold.megabytes / tsc.megabytes).toFixed(2)} (the target is at most 1.5)`);
