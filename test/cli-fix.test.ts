// `check --fix` / `--fix-dry-run` against the built CLI: safe fixes applied,
// re-analysed, what remains reported; files replaced atomically, permissions
// and symbolic links kept, and text outside the fixes byte for byte the same.

import { strict as assert } from 'node:assert';
import { chmodSync, lstatSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleCli } from './cli-bundle';
import { CLI_DIR, project, run } from './cli-harness';

// A leak with a safe fix (drop at the end of the scope) and a use after wake whose fixes need a human's choice.
const LEAK = `import { type WakerRef } from 'wakerscope/waker';

export function forgetful(source: WakerRef): void {
  const copy = source.clone();
  copy.wakeByRef();
}
`;
const WOKEN = `import { type Waker } from 'wakerscope/waker';

export function twice(waker: Waker): void {
  waker.wake();
  waker.wake();
}
`;

describe('wakerscope check --fix (built CLI)', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  const make = (files: Record<string, string>): string => {
    const root = project(files);
    roots.push(root);
    return root;
  };
  before(() => bundleCli(CLI_DIR));
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('--fix applies the safe fix atomically, keeps the rest of the file, and reports what remains', () => {
    // CRLF line endings and a trailing comment: all of it must survive untouched.
    const leak = LEAK.replace(/\n/g, '\r\n') + '// tail ✓\r\n';
    const root = make({ 'src/leak.ts': leak, 'src/woken.ts': WOKEN });
    const file = join(root, 'src', 'leak.ts');
    chmodSync(file, 0o640);
    const result = run(['check', '--fix', '--format', 'json'], root);
    assert.equal(result.status, 1, 'the use after wake remains an error');
    assert.equal(result.stderr, 'wakerscope: fixed src/leak.ts (1 fix)\n');
    assert.deepEqual(JSON.parse(result.stdout).map((f: { file: string; rule: string }) => [f.file, f.rule]), [['src/woken.ts', 'use-after-wake']]);
    const fixed = readFileSync(file, 'utf8');
    assert.match(fixed, /copy\.wakeByRef\(\);\r\n\s+copy\.drop\(\);\n?\r?\n?\}/);
    // Only an insertion: deleting the inserted text gives back the original, byte for byte.
    const inserted = fixed.length - leak.length;
    const at = [...leak].findIndex((_, i) => leak[i] !== fixed[i]);
    assert.equal(fixed.slice(0, at) + fixed.slice(at + inserted), leak);
    assert.equal(statSync(file).mode & 0o777, 0o640, 'permissions kept');
    assert.deepEqual(readdirSync(join(root, 'src')).sort(), ['leak.ts', 'woken.ts'], 'no temporary file left behind');
    assert.equal(readFileSync(join(root, 'src', 'woken.ts'), 'utf8'), WOKEN, 'a finding without a safe fix is left alone');
    const again = run(['check', '--fix'], root);
    assert.equal(again.stderr, '', 'nothing left to fix');
  });

  it('--fix-dry-run reports what would remain and writes nothing', () => {
    const root = make({ 'src/leak.ts': LEAK });
    const result = run(['check', '--fix-dry-run'], root);
    assert.equal(result.status, 0, result.stdout);
    assert.equal(result.stdout, '✔ no problems (1 file checked)\n');
    assert.equal(result.stderr, 'wakerscope: would fix src/leak.ts (1 fix)\n');
    assert.equal(readFileSync(join(root, 'src', 'leak.ts'), 'utf8'), LEAK);
    assert.equal(run(['check'], root).status, 1, 'the leak is still there');
  });

  it('--fix through a symbolic link replaces the target and keeps the link', () => {
    const root = make({ 'real/leak.ts': LEAK, 'src/other.ts': 'export {};\n' });
    symlinkSync(join(root, 'real', 'leak.ts'), join(root, 'src', 'leak.ts'));
    const result = run(['check', '--fix'], root);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.ok(lstatSync(join(root, 'src', 'leak.ts')).isSymbolicLink());
    assert.match(readFileSync(join(root, 'real', 'leak.ts'), 'utf8'), /copy\.drop\(\);/);
  });

  it('--fix with --fix-dry-run is a usage error', () => {
    const root = make({ 'src/leak.ts': LEAK });
    const result = run(['check', '--fix', '--fix-dry-run'], root);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'wakerscope: error: --fix and --fix-dry-run exclude each other\n');
    writeFileSync(join(root, 'unused.txt'), '');
  });
});
