// The npm package where users meet it: `npm pack`, then `npm install` of the
// tarball (with typescript, eslint and typescript-eslint, from npm's cache when
// it has them) into a temporary project, and what the README promises there:
// `npx wakerscope check` and `simulate`, running an example against the
// installed runtime, and ESLint with `wakerscope/eslint`. Needs `npm run build` first.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { packTarball, REPO, type Tarball } from './package-tarball';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const versionOf = (name: string) => (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** What the package ships: the built entry points, the runtime's sources (the simulator bundles them), the rule docs. */
const SHIPPED = /^(?:package\.json|README(?:\.marketplace)?\.md|LICENSE|CHANGELOG\.md|dist\/main\.js|dist\/(?:cli|eslint|simulate|tsserver|waker)\/[^/]+|src\/waker\/[^/]+\.ts|src\/simulate\/(?:driver|fingerprint|module-state|parse|types)\.ts|docs\/rules\/[^/]+\.md)$/;

const LOST_WAKEUP = `import { Poll, type Context, type Future } from 'wakerscope/waker';

export class Never implements Future<void> {
  poll(_cx: Context): Poll<void> {
    return Poll.pending();
  }
}
`;

describe('the npm package, installed from its tarball into a project', function () {
  this.timeout(300_000);
  const work = mkdtempSync(join(tmpdir(), 'wakerscope-package-'));
  const project = join(work, 'project');
  let tarball: Tarball;

  const run = (command: string, args: readonly string[], cwd = project) => spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  before(() => {
    tarball = packTarball(join(work, 'pack'));
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }, null, 2));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['src'] }, null, 2),
    );
    mkdirSync(join(project, 'src'));
    cpSync(join(REPO, 'examples', 'seed-box-waker.ts'), join(project, 'src', 'seed-box-waker.ts'));
    writeFileSync(join(project, 'src', 'never.ts'), LOST_WAKEUP);
    cpSync(join(REPO, 'test', 'eslint', 'project', 'eslint.config.mjs'), join(project, 'eslint.config.mjs'));
    const dependencies = [tarball.file, `typescript@${versionOf('typescript')}`, `eslint@${versionOf('eslint')}`, `typescript-eslint@${versionOf('typescript-eslint')}`];
    execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...dependencies], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('ships only its allow-list: built code, the runtime sources the simulator needs, the rule docs', () => {
    const paths = tarball.files.map((f) => f.path);
    assert.deepEqual(paths.filter((p) => !SHIPPED.test(p)), [], 'files outside the allow-list');
    for (const needed of ['dist/cli/main.js', 'dist/simulate/worker.js', 'dist/waker/index.js', 'dist/waker/index.d.ts', 'dist/waker/runtime.d.ts', 'dist/eslint/index.js', 'dist/eslint/index.d.ts', 'dist/tsserver/index.js', 'dist/main.js', 'src/waker/index.ts', 'src/simulate/driver.ts', 'docs/rules/lost-wakeup.md']) {
      assert.ok(paths.includes(needed), `${needed} is not in the tarball`);
    }
    assert.ok(paths.length < 80, `${paths.length} files`);
  });

  it('is publishable, with typescript as a peer dependency', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'wakerscope', 'package.json'), 'utf8')) as Record<string, Record<string, string> | string | string[] | boolean | undefined>;
    assert.equal(manifest.private, undefined);
    for (const field of ['repository', 'bugs', 'homepage', 'keywords', 'license']) assert.ok(manifest[field], `${field} is missing`);
    assert.equal((manifest.dependencies as Record<string, string>).typescript, undefined);
    assert.ok((manifest.peerDependencies as Record<string, string>).typescript);
  });

  it('`npx wakerscope check` finds the seed bug and, from the installed .d.ts, the lost wakeup', () => {
    const result = run(NPM, ['exec', '--offline', '--', 'wakerscope', 'check', '--format', 'json']);
    assert.equal(result.status, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as { file: string; rule: string }[];
    assert.deepEqual(findings.map((f) => [f.file, f.rule]), [
      ['src/never.ts', 'lost-wakeup'],
      ['src/seed-box-waker.ts', 'vtable-clone-no-retain'],
    ]);
  });

  it("uses the project's TypeScript: the nearest one above the checked project", () => {
    // A project whose own `typescript` says so when it is loaded, then hands over the real one.
    const sub = join(project, 'sub');
    mkdirSync(join(sub, 'node_modules', 'typescript'), { recursive: true });
    writeFileSync(join(sub, 'node_modules', 'typescript', 'package.json'), JSON.stringify({ name: 'typescript', version: ts.version, main: 'index.js' }));
    writeFileSync(join(sub, 'node_modules', 'typescript', 'index.js'), `process.stderr.write('the sub-project typescript\\n');\nmodule.exports = require(${JSON.stringify(join(project, 'node_modules', 'typescript'))});\n`);
    writeFileSync(join(sub, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['*.ts'] }));
    writeFileSync(join(sub, 'plain.ts'), 'export const answer = 42;\n');
    const result = run(NPM, ['exec', '--offline', '--', 'wakerscope', 'check', '-p', 'sub']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, 'the sub-project typescript\n');
    assert.equal(result.stdout, 'no file in this program imports wakerscope/waker\n');
  });

  it('runs an example against the installed runtime', () => {
    const source = readFileSync(join(REPO, 'examples', 'arc-waker.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(project, 'arc-waker.cjs'), outputText);
    const result = run(process.execPath, ['arc-waker.cjs']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /strong count back to 1/);
    assert.match(result.stdout, /leaks: 0/);
  });

  it('`npx wakerscope explore` and `simulate` run the seed in the sandbox from the installed package', () => {
    const explored = run(NPM, ['exec', '--offline', '--', 'wakerscope', 'explore', 'src/seed-box-waker.ts', '--create', 'createRawWaker', '--depth', '3']);
    assert.equal(explored.status, 1, explored.stderr);
    assert.match(explored.stdout, /^double-free\s+3\s+new; clone 0; wake 0; (wake|drop) 1$/m);
    assert.match(explored.stdout, /each of \d+ distinct states extended once/);
    writeFileSync(join(project, 'src', 'seed.wakersim'), 'use "./seed-box-waker.ts" create createRawWaker\nnew\nclone 0\nwake 0\ndrop 1\nexpect double-free\n');
    const simulated = run(NPM, ['exec', '--offline', '--', 'wakerscope', 'simulate', 'src/**/*.wakersim']);
    assert.equal(simulated.status, 0, simulated.stderr || simulated.stdout);
    assert.equal(simulated.stdout, '✔ src/seed.wakersim  double-free (as expected)\n\n1 passed, 0 failed\n');
  });

  it('simulates a scenario with the runtime sources it ships', () => {
    cpSync(join(REPO, 'examples', 'seed-box-waker.wakersim'), join(project, 'src', 'seed-box-waker.wakersim'));
    const result = run(NPM, ['exec', '--offline', '--', 'wakerscope', 'simulate', 'src/seed-box-waker.wakersim', '--format', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const simulation = JSON.parse(result.stdout) as { outcome: string; expect: string };
    assert.deepEqual([simulation.outcome, simulation.expect], ['double-free', 'double-free']);
  });

  it('ESLint with the README configuration reports the seed bug through wakerscope/eslint', () => {
    const result = run(process.execPath, [join(project, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', 'src/seed-box-waker.ts']);
    assert.equal(result.status, 1, result.stderr || result.stdout);
    const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string; severity: number }[] }[];
    assert.deepEqual(report!.messages.map((m) => [m.ruleId, m.severity]), [['wakerscope/vtable-clone-no-retain', 2]]);
  });
});
