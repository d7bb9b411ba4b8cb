// Bad input, everywhere (issue 13 §4, the CLI half): unreadable and binary
// files, a 5 MB source, a tsconfig that extends itself, paths with spaces and
// non-ASCII characters, and random argument vectors. Each gets a one-line
// error (or a parse-error finding) and a documented exit code, never a stack trace.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../src/cli/main';
import { BUGGY, CLEAN, CLI, assertUsageError, cliProjects, run, withoutForceColor } from './cli-harness';
import { mulberry32 } from './analysis/random';

const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

function assertNoStack(result: { stdout: string; stderr: string }): void {
  assert.doesNotMatch(result.stderr, STACK_FRAME, result.stderr);
  assert.doesNotMatch(result.stdout, STACK_FRAME, result.stdout);
  assert.doesNotMatch(result.stderr, /internal error/, result.stderr);
}

describe('wakerscope check: bad input never crashes (built CLI)', function () {
  this.timeout(300_000);
  const make = cliProjects();

  it('a binary file is one parse-error finding (exit 1); the other files are still checked', () => {
    const random = mulberry32(13);
    const bytes = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    const root = make({ 'src/clean.ts': CLEAN });
    writeFileSync(join(root, 'src', 'blob.ts'), bytes);
    const result = run(['check', '--format', 'json'], root);
    assertNoStack(result);
    assert.equal(result.status, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as Array<{ file: string; rule: string; message: string }>;
    assert.deepEqual(findings.map((f) => [f.file, f.rule]), [['src/blob.ts', 'parse-error']]);
    assert.doesNotMatch(findings[0]!.message, /\n/);
  });

  it('an unreadable file is one line and exit 2', function () {
    // root reads anything: run the CLI as `nobody` then.
    const asNobody = process.getuid?.() === 0;
    const root = make({ 'src/clean.ts': CLEAN, 'src/secret.ts': CLEAN });
    chmodSync(root, 0o755);
    chmodSync(join(root, 'src'), 0o755);
    chmodSync(join(root, 'src', 'clean.ts'), 0o644);
    chmodSync(join(root, 'tsconfig.json'), 0o644);
    chmodSync(join(root, 'src', 'secret.ts'), 0o000);
    const result = spawnSync(process.execPath, [CLI, 'check'], { cwd: root, encoding: 'utf8', env: { ...withoutForceColor(), NO_COLOR: '' }, ...(asNobody ? { uid: 65534, gid: 65534 } : {}) });
    assertUsageError({ status: result.status, stdout: result.stdout, stderr: result.stderr }, /cannot read src\/secret\.ts \(EACCES\)/);
  });

  it('a 5 MB source file is checked like any other', () => {
    const chunk = BUGGY.replace(/myClone/g, 'cloneN').replace(/myDrop/g, 'dropN').replace(/VTABLE/g, 'TABLE_N');
    const parts: string[] = [chunk.split('\n')[0]!];
    const body = chunk.split('\n').slice(1).join('\n');
    for (let i = 0; parts.join('\n').length < 5 * 1024 * 1024; i++) parts.push(...Array.from({ length: 200 }, (_, j) => `export const filler${i}_${j} = ${j};`), i === 0 ? body.replace(/N\b/g, String(i)) : '');
    const root = make({ 'src/huge.ts': parts.join('\n') });
    const result = run(['check', '--format', 'json'], root);
    assertNoStack(result);
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).map((f: { rule: string }) => f.rule), ['vtable-clone-no-retain']);
  });

  it('a tsconfig that extends itself is one line and exit 2', () => {
    const root = make({ 'src/a.ts': CLEAN }, {}, JSON.stringify({ extends: './tsconfig.json', include: ['src'] }));
    assertUsageError(run(['check'], root), /tsconfig\.json.*[Cc]ircularity/);
    const pair = make({ 'src/a.ts': CLEAN }, {}, JSON.stringify({ extends: './other.json', include: ['src'] }));
    writeFileSync(join(pair, 'other.json'), JSON.stringify({ extends: './tsconfig.json' }));
    assertUsageError(run(['check'], pair), /[Cc]ircularity/);
  });

  it('paths with spaces and non-ASCII characters are reported as they are, and encoded in SARIF', () => {
    const root = make({});
    const folder = join(root, 'my project', 'ünïcødé');
    mkdirSync(join(folder, 'src dir'), { recursive: true });
    writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'preserve', moduleResolution: 'bundler', target: 'ES2022', skipLibCheck: true, types: [], paths: { 'wakerscope/waker': [join(__dirname, '..', 'src', 'waker', 'index.ts')] } }, include: ['src dir'] }));
    writeFileSync(join(folder, 'src dir', 'wäker – 1.ts'), BUGGY);
    const text = run(['check', 'my project/ünïcødé/src dir/wäker – 1.ts'], root);
    assert.equal(text.status, 1, text.stderr);
    assert.match(text.stdout, /^my project\/ünïcødé\/src dir\/wäker – 1\.ts:3:10 {2}error/m);
    const sarif = JSON.parse(run(['check', '--format', 'sarif', '-p', 'my project/ünïcødé'], root).stdout);
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, encodeURI('my project/ünïcødé/src dir/wäker – 1.ts'));
    assertUsageError(run(['check', 'my project/nö such/*.ts'], root), /no TypeScript files match 'my project\/nö such\/\*\.ts'/);
  });
});

describe('wakerscope: random argument vectors (in process)', function () {
  this.timeout(300_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'wakerscope-argv-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['src'] }));
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const token = fc.oneof(
    fc.constantFrom('check', 'check', 'simulate', 'help', '--help', '-h', '--version', '-p', '--project', '--format', 'json', 'sarif', 'github', 'xml', '--rule', 'lost-wakeup=warn', 'nope=off', '--quiet', '--max-warnings', '-1', '3', '--shard', '1/2', '0/0', '-o', 'out.txt', '--cache-location', '--fix-dry-run', '--depth', '--create', '--all', '--', '-', '=', '--=', 'src', 'src/a.ts', 'src/**/*.ts', 'missing.ts', 'tsconfig.json', 'x.wakersim'),
    fc.string({ maxLength: 12 }),
    fc.string({ maxLength: 6 }).map((s) => `--${s}`),
    fc.string({ maxLength: 6 }).map((s) => `-${s}`),
  );

  it('every vector exits 0, 1 or 2; a 2 is exactly one line on stderr, never a stack or an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (argv) => {
        let stdout = '';
        let stderr = '';
        const io = { cwd: root, env: { NO_COLOR: '1' }, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
        const code = await main(argv, io);
        const context = `argv ${JSON.stringify(argv)}: exit ${code}\n${stderr}`;
        assert.ok([0, 1, 2].includes(code), context);
        assertNoStack({ stdout, stderr });
        if (code === 2) assert.match(stderr, /^wakerscope: error: [^\n]+\n$/, context);
      }),
      { numRuns: 80, seed: 4242 },
    );
  });
});
