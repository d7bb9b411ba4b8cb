// The ESLint rules analyse with the `typescript` module that made the parser's
// program, not with a second copy of their own: two copies number their
// SyntaxKinds alike only by luck of matching versions.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { typeScriptOf } from '../src/eslint/rules';

describe('wakerscope/eslint: the TypeScript instance', function () {
  this.timeout(60_000);
  const work = mkdtempSync(join(tmpdir(), 'wakerscope-second-typescript-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it("is the one that made the program's source files, even when another is loaded first", () => {
    // A second install, as in a project whose parser resolves a typescript other than the plugin's.
    const copy = join(work, 'node_modules', 'typescript');
    cpSync(resolve(__dirname, '..', 'node_modules', 'typescript', 'package.json'), join(copy, 'package.json'));
    cpSync(resolve(__dirname, '..', 'node_modules', 'typescript', 'lib', 'typescript.js'), join(copy, 'lib', 'typescript.js'));
    const second = require(join(copy, 'lib', 'typescript.js')) as typeof ts;
    assert.notEqual(second, ts);
    assert.equal(typeScriptOf(second.createSourceFile('a.ts', 'const a = 1;', second.ScriptTarget.Latest)), second);
    assert.equal(typeScriptOf(ts.createSourceFile('b.ts', 'const b = 1;', ts.ScriptTarget.Latest)), ts);
  });
});
