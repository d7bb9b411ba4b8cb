// The fixture runner's own contract: how expectations parse and how strictly findings are compared.
import { strict as assert } from 'node:assert';
import * as ts from 'typescript';
import { applyEdits, compareFindings, parseDirectives, parseExpectations } from './fixture-runner';
import type { Finding } from '../../src/analysis/index';

const finding = (file: ts.SourceFile, rule: Finding['rule'], severity: Finding['severity'], line: number, column: number, message = 'm'): Finding => {
  const start = file.getPositionOfLineAndCharacter(line - 1, column - 1);
  return { rule, severity, message, span: { file: file.fileName, start, end: start + 1 }, related: [], fixes: [] };
};

describe('fixture runner', () => {
  it('parses trailing expectations with columns and message parts', () => {
    const text = 'a(); // expect: use-after-wake error@3, lost-wakeup warning "when `x, y` is true"\nb();\n';
    assert.deepEqual(parseExpectations('f.ts', text), [
      { rule: 'use-after-wake', severity: 'error', column: 3, line: 1 },
      { rule: 'lost-wakeup', severity: 'warning', messageIncludes: 'when `x, y` is true', line: 1 },
    ]);
  });

  it('parses caret lines against the code line above, pinning the caret column', () => {
    const text = 'x;\n  waker.wake();\n//^ use-after-drop warning\n';
    assert.deepEqual(parseExpectations('f.ts', text), [{ rule: 'use-after-drop', severity: 'warning', line: 2, column: 3 }]);
  });

  it('rejects a malformed expectation with file:line', () => {
    assert.throws(() => parseExpectations('f.ts', 'x;\ny; // expect: use-after-wake fatal\n'), /^Error: f\.ts:2: malformed expectation/);
  });

  it('reads directives', () => {
    assert.equal(parseDirectives('// fixture: allow-type-errors\n').allowTypeErrors, true);
    assert.equal(parseDirectives('const x = 1;\n').allowTypeErrors, false);
  });

  it('compares exactly: missing, extra, wrong severity and wrong column all fail', () => {
    const file = ts.createSourceFile('f.ts', 'aaaa;\nbbbb;\ncccc;\n', ts.ScriptTarget.ES2022, true);
    const expectations = parseExpectations('f.ts', 'aaaa; // expect: use-after-wake error\nbbbb; // expect: use-after-drop warning@2\ncccc;\n');
    assert.deepEqual(compareFindings(file, [finding(file, 'use-after-wake', 'error', 1, 1), finding(file, 'use-after-drop', 'warning', 2, 2)], expectations), []);
    assert.deepEqual(compareFindings(file, [finding(file, 'use-after-wake', 'error', 1, 1)], expectations), ['missing: 2:2 use-after-drop warning']);
    const extra = compareFindings(file, [finding(file, 'use-after-wake', 'error', 1, 1), finding(file, 'use-after-drop', 'warning', 2, 2), finding(file, 'lost-wakeup', 'error', 3, 1)], expectations);
    assert.deepEqual(extra, ['unexpected: 3:1 lost-wakeup error: m']);
    assert.equal(compareFindings(file, [finding(file, 'use-after-wake', 'warning', 1, 1), finding(file, 'use-after-drop', 'warning', 2, 2)], expectations).length, 2);
    assert.equal(compareFindings(file, [finding(file, 'use-after-wake', 'error', 1, 1), finding(file, 'use-after-drop', 'warning', 2, 3)], expectations).length, 2);
  });

  it('applies edits in any order and refuses overlapping ones', () => {
    const edits = [
      { file: 'f', start: 0, end: 5, newText: 'using' },
      { file: 'f', start: 20, end: 20, newText: ' x.drop();' },
    ];
    assert.equal(applyEdits('const x = w.clone();}', edits), 'using x = w.clone(); x.drop();}');
    assert.throws(() => applyEdits('abcdef', [{ file: 'f', start: 0, end: 3, newText: '' }, { file: 'f', start: 2, end: 4, newText: '' }]), /overlapping/);
  });
});
