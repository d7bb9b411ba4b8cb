// The editor's suppression actions, computed by the analyzer: "Ignore with
// `// wakerscope-ignore-next-line <rule>`" on a finding, and "Remove the
// comment" on an `unused-suppression`. Each applied edit is analysed again: the
// finding it targets is gone and nothing new appears.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { analyzeFile, ignoreFix, type Finding, type Fix } from '../../src/analysis/index';
import { FixtureProgram } from './fixture-runner';

const BUGGY_VTABLE = `import { Box, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';
function myWake(data: Ptr): void {
  drop(Box.fromRaw<number>(data));
}
`;
const CLONE = `function myClone(data: Ptr): RawWaker {
  return new RawWaker(data, VTABLE);
}
export const VTABLE: RawWakerVTable = new RawWakerVTable(myClone, myWake, () => {}, myWake);
`;
const LEAK_IN_BLOCK = `import type { WakerRef } from 'wakerscope/waker';
export function notify(waker: WakerRef): void {
  if (waker) {
    const copy = waker.clone();
    copy.wakeByRef();
  }
}
`;

function applyFix(text: string, fix: Fix): string {
  const edits = [...fix.edits].sort((a, b) => b.start - a.start);
  return edits.reduce((out, edit) => out.slice(0, edit.start) + edit.newText + out.slice(edit.end), text);
}

describe('suppression actions', () => {
  let dir: string;
  let counter = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wakerscope-suppression-fixes-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function analyze(text: string): { file: ts.SourceFile; findings: Finding[] } {
    const fileName = join(dir, `case${counter++}.ts`);
    writeFileSync(fileName, text);
    const fixtures = new FixtureProgram([fileName]);
    const file = fixtures.sourceFile(fileName);
    return { file, findings: analyzeFile(ts, fixtures.program, file, { rules: {} }) };
  }

  const rules = (text: string) => analyze(text).findings.map((f) => f.rule);

  it('ignore: inserts the directive above the finding, with its indentation, and the finding goes', () => {
    const { file, findings } = analyze(LEAK_IN_BLOCK);
    assert.deepEqual(findings.map((f) => f.rule), ['clone-without-drop']);
    const fix = ignoreFix(file, findings[0]!)!;
    assert.equal(fix.title, 'Ignore with `// wakerscope-ignore-next-line clone-without-drop`');
    const fixed = applyFix(LEAK_IN_BLOCK, fix);
    assert.equal(fixed, LEAK_IN_BLOCK.replace('    const copy', '    // wakerscope-ignore-next-line clone-without-drop\n    const copy'));
    assert.deepEqual(rules(fixed), []);
  });

  it('ignore: adds the rule to a directive already on the line above, rather than a second directive', () => {
    // The directive above names another rule, unused: the clone bug is still reported.
    const text = BUGGY_VTABLE + '// wakerscope-ignore-next-line lost-wakeup -- kept on purpose\n' + CLONE;
    const { file, findings } = analyze(text);
    assert.deepEqual(findings.map((f) => f.rule), ['unused-suppression', 'vtable-clone-no-retain']);
    const fixed = applyFix(text, ignoreFix(file, findings[1]!)!);
    assert.ok(fixed.includes('// wakerscope-ignore-next-line lost-wakeup vtable-clone-no-retain -- kept on purpose\nfunction myClone'), fixed);
    assert.deepEqual(rules(fixed), ['unused-suppression'], 'lost-wakeup is still unused, the clone bug is silenced');
  });

  it('ignore: keeps CRLF line endings', () => {
    const text = LEAK_IN_BLOCK.replace(/\n/g, '\r\n');
    const { file, findings } = analyze(text);
    const fixed = applyFix(text, ignoreFix(file, findings[0]!)!);
    assert.ok(fixed.includes('    // wakerscope-ignore-next-line clone-without-drop\r\n    const copy'));
    assert.deepEqual(rules(fixed), []);
  });

  it('ignore: not offered for an unused suppression itself', () => {
    const { file, findings } = analyze('// wakerscope-ignore-next-line\nexport const x = 1;\n');
    assert.deepEqual(findings.map((f) => f.rule), ['unused-suppression']);
    assert.equal(ignoreFix(file, findings[0]!), undefined);
  });

  const removals: [string, string, string][] = [
    ['a directive alone on its line: the line', '// wakerscope-ignore-next-line\nexport const x = 1;\n', 'export const x = 1;\n'],
    ['a trailing directive: the comment and the blanks before it', 'export const y = 2; // wakerscope-ignore-file use-after-wake\n', 'export const y = 2;\n'],
    ['an indented directive with a reason', 'export function f(): void {\n  // wakerscope-ignore-next-line use-after-drop -- why\n  f();\n}\n', 'export function f(): void {\n  f();\n}\n'],
    ['a directive naming an unknown rule', '// wakerscope-ignore-file no-such-rule\nexport const x = 1;\n', 'export const x = 1;\n'],
  ];
  for (const [what, text, expected] of removals) {
    it(`unused suppression: "Remove the comment" removes ${what}`, () => {
      const { findings } = analyze(text);
      assert.deepEqual(findings.map((f) => f.rule), ['unused-suppression']);
      assert.deepEqual(findings[0]!.fixes.map((f) => [f.title, f.safe]), [['Remove the comment', true]], 'safe: check --fix applies it');
      const fixed = applyFix(text, findings[0]!.fixes[0]!);
      assert.equal(fixed, expected);
      assert.deepEqual(rules(fixed), []);
    });
  }

  it('unused suppression: of several names, removes only the stale one', () => {
    for (const [list, stale, kept] of [
      ['lost-wakeup, vtable-clone-no-retain', 'lost-wakeup', 'vtable-clone-no-retain'],
      ['vtable-clone-no-retain lost-wakeup', 'lost-wakeup', 'vtable-clone-no-retain'],
    ] as const) {
      const text = `${BUGGY_VTABLE}// wakerscope-ignore-next-line ${list} -- why\n${CLONE}`;
      const { findings } = analyze(text);
      assert.deepEqual(findings.map((f) => f.rule), ['unused-suppression']);
      const [fix] = findings[0]!.fixes;
      assert.equal(fix!.title, `Remove \`${stale}\` from the comment`);
      const fixed = applyFix(text, fix!);
      assert.ok(fixed.includes(`// wakerscope-ignore-next-line ${kept} -- why\nfunction myClone`), fixed);
      assert.deepEqual(rules(fixed), []);
    }
  });
});
