// The ESLint-style flags of `wakerscope check`, each with its exit code, against
// the built CLI: --max-warnings, --quiet, -o, quoted globs, --format github,
// solution tsconfigs (references) and --shard.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUGGY, CLEAN, WAKER, assertUsageError, cliProjects, run } from './cli-harness';

const WARN = ['--rule', 'vtable-clone-no-retain=warn'];

describe('wakerscope check: flags (built CLI)', function () {
  this.timeout(120_000);
  const make = cliProjects();

  it('--max-warnings N: exit 1 with one line on stderr past N warnings, 0 at or under; --quiet hides and does not count warnings', () => {
    const root = make({ 'src/a.ts': BUGGY, 'src/b.ts': BUGGY });
    const over = run(['check', ...WARN, '--max-warnings', '1'], root);
    assert.equal(over.status, 1);
    assert.match(over.stdout, /✖ 2 problems \(0 errors, 2 warnings\)/);
    assert.equal(over.stderr, 'wakerscope: too many warnings (2, --max-warnings is 1)\n');
    assert.equal(run(['check', ...WARN, '--max-warnings=2'], root).status, 0);
    const quiet = run(['check', ...WARN, '--quiet', '--max-warnings', '0'], root);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, '✔ no problems (2 files checked)\n');
    const quietErrors = run(['check', '--quiet', '--format', 'json'], root);
    assert.equal(quietErrors.status, 1, 'errors are still reported under --quiet');
    assert.equal(JSON.parse(quietErrors.stdout).length, 2);
    assertUsageError(run(['check', '--max-warnings', 'many'], root), /--max-warnings must be a whole number, got 'many'/);
  });

  it('-o/--output-file writes the report to a file, not stdout, with the same exit code; an unwritable path exits 2', () => {
    const root = make({ 'src/a.ts': BUGGY });
    const result = run(['check', '-o', 'out/report.json', '--format', 'json'], root);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(JSON.parse(readFileSync(join(root, 'out', 'report.json'), 'utf8'))[0].rule, 'vtable-clone-no-retain');
    const text = run(['check', '--output-file=report.txt'], root, { FORCE_COLOR: '1' });
    assert.equal(text.status, 1);
    assert.doesNotMatch(readFileSync(join(root, 'report.txt'), 'utf8'), /\u001b\[/, 'no colour in a file');
    assertUsageError(run(['check', '-o', 'src/a.ts/report.txt'], root), /--output-file src\/a\.ts\/report\.txt: cannot write \(E[A-Z]+\)/);
    assertUsageError(run(['check', '-o'], root), /^wakerscope: error: -o needs a value$/m);
  });

  it('quoted globs select files; a glob that matches nothing exits 2', () => {
    const root = make({ 'src/bad.ts': BUGGY, 'src/deep/clean.ts': CLEAN, 'src/deep/bad-too.ts': BUGGY });
    const json = (args: string[]) => JSON.parse(run(['check', '--format', 'json', ...args], root).stdout).map((f: { file: string }) => f.file);
    assert.deepEqual(json(['src/**/bad*.ts']), ['src/bad.ts', 'src/deep/bad-too.ts']);
    assert.deepEqual(json(['src/deep/*.ts']), ['src/deep/bad-too.ts']);
    assert.equal(run(['check', 'src/**/clean.ts'], root).status, 0);
    assertUsageError(run(['check', 'lib/**/*.ts'], root), /no TypeScript files match 'lib\/\*\*\/\*\.ts'/);
  });

  it('--format github: one Actions annotation a finding, properties and data escaped', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    const result = run(['check', '--format', 'github'], root);
    assert.equal(result.status, 1);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^::error file=src\/bad\.ts,line=3,col=10,endLine=3,endColumn=17,title=wakerscope vtable-clone-no-retain::`myClone` takes 0 references/);
    assert.match(lines[0]!, /%0Asrc\/bad\.ts:7:10: `myDrop` releases 1 reference%0A/);
    assert.match(lines[0]!, /%0Ahelp: a `Box` has one owner/);
    assert.match(run(['check', '--format', 'github', ...WARN], root).stdout, /^::warning file=src\/bad\.ts,/);
  });

  it('a solution tsconfig (files: [] + references) checks every referenced project, each file once', () => {
    const root = make({});
    const compilerOptions = { target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'preserve', moduleResolution: 'bundler', strict: true, composite: true, skipLibCheck: true, types: [], paths: { 'wakerscope/waker': [WAKER] } };
    const write = (name: string, text: string) => {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    };
    write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: './packages/a' }, { path: './packages/b' }] }));
    write('packages/a/tsconfig.json', JSON.stringify({ compilerOptions, include: ['src', '../shared'] }));
    // b references a, and includes the shared folder too: its files are reported once.
    write('packages/b/tsconfig.json', JSON.stringify({ compilerOptions, include: ['src', '../shared'], references: [{ path: '../a' }] }));
    write('packages/a/src/bad.ts', BUGGY);
    write('packages/b/src/bad.ts', BUGGY);
    write('packages/b/src/clean.ts', CLEAN);
    write('packages/shared/bad.ts', BUGGY);
    const result = run(['check', '--format', 'json'], root);
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).map((f: { file: string }) => f.file), ['packages/a/src/bad.ts', 'packages/b/src/bad.ts', 'packages/shared/bad.ts']);
    assert.equal(run(['check'], root).stdout.split('\n').at(-2), '✖ 3 problems (3 errors, 0 warnings)');
    assert.equal(run(['check', '-p', 'packages/b/tsconfig.json', 'packages/b/src/clean.ts'], root).status, 0);
    write('tsconfig.broken.json', JSON.stringify({ files: [], references: [{ path: './packages/missing' }] }));
    assertUsageError(run(['check', '-p', 'tsconfig.broken.json'], root), /tsconfig\.broken\.json: referenced project has no tsconfig: .*packages\/missing\/tsconfig\.json$/m);
  });

  it('--shard i/n: disjoint slices whose union is the unsharded run; bad shards exit 2', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 7; i++) files[`src/f${i}.ts`] = i % 3 === 0 ? CLEAN : BUGGY.replace(/myClone/g, `myClone${i}`);
    const root = make(files);
    const findings = (args: string[]) => {
      const result = run(['check', '--format', 'json', ...args], root);
      assert.ok(result.status === 0 || result.status === 1, result.stderr);
      return JSON.parse(result.stdout) as Array<{ file: string; message: string }>;
    };
    const whole = findings([]);
    assert.equal(whole.length, 4);
    const shards = [1, 2, 3].map((i) => findings(['--shard', `${i}/3`]));
    assert.deepEqual(shards.flat(), whole, 'the shards, in order, are the whole run');
    const filesOf = shards.map((s) => new Set(s.map((f) => f.file)));
    for (const [i, a] of filesOf.entries()) for (const b of filesOf.slice(i + 1)) for (const file of a) assert.ok(!b.has(file), `${file} in two shards`);
    assertUsageError(run(['check', '--shard', '4/3'], root), /--shard must be i\/n with 1 ≤ i ≤ n, got '4\/3'/);
    assertUsageError(run(['check', '--shard', 'half'], root), /--shard must be i\/n/);
  });

  it('unknown short options and stray values are one-line usage errors', () => {
    const root = make({ 'src/a.ts': CLEAN });
    assertUsageError(run(['check', '-z'], root), /unknown option '-z'/);
    assertUsageError(run(['check', '--quiet=yes'], root), /--quiet takes no value/);
    assertUsageError(run(['check', '--project', '--quiet'], root), /--project needs a value/);
    assert.ok(existsSync(root));
  });
});
