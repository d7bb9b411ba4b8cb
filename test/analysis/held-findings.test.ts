// `analyzeProgram` holds each file's findings as numbers and a table of
// values, and makes the `Finding`s when it returns: what a front end receives
// must be what the passes reported, every optional property present or absent
// as it was, in the same order, so the JSON is the same to the byte.
import { strict as assert } from 'node:assert';
import { HeldFindings } from '../../src/analysis/finish';
import type { Finding } from '../../src/analysis/index';

const file = '/project/a.ts';
const other = '/project/b.ts';

const findings: Finding[] = [
  {
    rule: 'use-after-wake',
    severity: 'error',
    message: 'use of `w` after it was woken',
    span: { file, start: 10, end: 11 },
    related: [{ file, start: 3, end: 11, message: '`w` woken here' }],
    help: 'use `wakeByRef()` if the waker is needed afterwards',
    fixes: [
      { title: 'Use `wakeByRef()` here', edits: [{ file, start: 5, end: 9, newText: 'wakeByRef' }] },
      { title: 'Clone before waking', edits: [{ file, start: 4, end: 4, newText: '.clone()' }, { file, start: 20, end: 20, newText: '' }], safe: false },
    ],
  },
  { rule: 'vtable-drop-no-release', severity: 'warning', message: '`drop` releases nothing', span: { file, start: 0, end: 4 }, related: [], fixes: [] },
  {
    rule: 'vtable-clone-no-retain',
    severity: 'error',
    message: '`clone` takes no count',
    span: { file, start: 30, end: 35 },
    related: [
      { file: other, start: 0, end: 5, message: '`clone` is declared here' },
      { file, start: 30, end: 50, message: 'the vtable is built here' },
    ],
    help: 'use `wakeByRef()` if the waker is needed afterwards',
    fixes: [{ title: 'Take a count', edits: [{ file: other, start: 7, end: 7, newText: 'Arc.incrementStrongCount(data);\n  ' }], safe: true }],
  },
];

describe('the findings analyzeProgram holds', () => {
  it('come back as they were added, to the byte', () => {
    const held = new HeldFindings();
    held.add(findings.slice(0, 2));
    held.add([]);
    held.add(findings.slice(2));
    const back = held.findings();
    assert.deepStrictEqual(back, findings);
    assert.equal(JSON.stringify(back), JSON.stringify(findings));
    assert.ok(!('help' in back[1]!) && !('safe' in back[0]!.fixes[0]!));
  });

  it('hold more fields than the first table has room for', () => {
    const held = new HeldFindings();
    const many = Array.from({ length: 400 }, (_, i) => ({ ...findings[0]!, span: { file, start: i, end: i + 1 } }));
    held.add(many);
    assert.deepStrictEqual(held.findings(), many);
  });
});
