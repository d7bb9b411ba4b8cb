// The built `wakerscope/eslint` package as a user gets it: ESLint loads the
// README's eslint.config.mjs (ESM, importing the package by name) and lints a
// project. Needs `npm run build` first (`npm test` does it).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const PROJECT = resolve(__dirname, 'eslint', 'project');
const BUNDLE = resolve(ROOT, 'dist', 'eslint', 'index.js');
const TYPES = resolve(ROOT, 'dist', 'eslint', 'index.d.ts');

describe('wakerscope/eslint, built and loaded by ESLint', () => {
  before(() => {
    assert.ok(existsSync(BUNDLE) && existsSync(TYPES), `${BUNDLE} or its .d.ts is missing: run \`npm run build\` first`);
  });

  it("lints a project with the README's eslint.config.mjs and reports the Box vtable bug", async () => {
    const eslint = new ESLint({ cwd: PROJECT });
    const [result, ...others] = await eslint.lintFiles(['box-waker.ts']);
    assert.equal(others.length, 0);
    const source = readFileSync(resolve(PROJECT, 'box-waker.ts'), 'utf8');
    const cloneLine = source.split('\n').findIndex((line) => line.startsWith('function cloneBox')) + 1;
    assert.deepEqual(
      result!.messages.map((m) => [m.ruleId, m.severity, m.line]),
      [['wakerscope/vtable-clone-no-retain', 2, cloneLine]],
      JSON.stringify(result!.messages),
    );
    assert.match(result!.messages[0]!.message, /`cloneBox` takes 0 references, but `dropBox` releases 1/);
  });

  it('ships declarations that name only eslint types and type-check on their own', () => {
    const text = readFileSync(TYPES, 'utf8');
    assert.doesNotMatch(text, /from '\.{1,2}\//, 'the declarations must not reach into unshipped sources');
    assert.match(text, /export = plugin/);
    const program = ts.createProgram([TYPES], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    assert.deepEqual(diagnostics, []);
  });
});
