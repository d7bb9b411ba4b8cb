// Quick fixes of the vtable rules do what they say: after the edits the file
// still type-checks and the finding is gone; the safe flag says whether
// `--fix` may apply them unattended.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeVtables, type Finding, type Fix, type RuleId } from '../../src/analysis/index';
import { FIXTURES_ROOT, FixtureProgram, applyEdits, fixtureFiles } from './fixture-runner';

const folder = join(FIXTURES_ROOT, 'vtable');
const files = fixtureFiles(folder);
let fixtures: FixtureProgram | undefined;
const load = (): FixtureProgram => (fixtures ??= new FixtureProgram(files));

function findingIn(name: string, rule: RuleId): { fileName: string; text: string; finding: Finding } {
  const fileName = join(folder, name);
  const program = load();
  program.setText(fileName, undefined);
  const finding = analyzeVtables(program.context(fileName)).find((f) => f.rule === rule);
  assert.ok(finding, `${name}: no ${rule} finding`);
  return { fileName, text: readFileSync(fileName, 'utf8'), finding };
}

/** Apply the only fix offered; return it, the edited text, the rules still reported, and the type errors. */
function applyFix(name: string, rule: RuleId): { fix: Fix; edited: string; rules: RuleId[]; errors: string[] } {
  const { fileName, text, finding } = findingIn(name, rule);
  assert.equal(finding.fixes.length, 1, `${name}: fixes offered: ${finding.fixes.map((f) => f.title).join(', ') || 'none'}`);
  const fix = finding.fixes[0]!;
  assert.ok(fix.edits.every((e) => e.file === fileName), 'every edit lands in the vtable file');
  const edited = applyEdits(text, fix.edits);
  const program = load();
  program.setText(fileName, edited);
  try {
    return { fix, edited, rules: analyzeVtables(program.context(fileName)).map((f) => f.rule), errors: program.errorsOf(fileName, { semantic: true }) };
  } finally {
    program.setText(fileName, undefined);
  }
}

describe('vtable quick fixes', function () {
  this.timeout(60_000);

  it('vtable-clone-no-retain on an Arc: takes a count at the top of clone (safe)', () => {
    const { fix, edited, rules, errors } = applyFix('vtable-clone-no-retain/fail-arc-pointer-copy.ts', 'vtable-clone-no-retain');
    assert.equal(fix.title, 'Take a count in `cloneArc`: `Arc.incrementStrongCount(data)`');
    assert.equal(fix.safe, true);
    assert.match(edited, /function cloneArc\(data: Ptr\): RawWaker \{[^\n]*\n {2}Arc\.incrementStrongCount\(data\);\n {2}return new RawWaker\(data, VTABLE\);/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it("vtable-clone-no-retain on the seed's Box: a box of the clone's own, never an Arc count (not safe unattended)", () => {
    const { fix, edited, rules, errors } = applyFix('vtable-clone-no-retain/fail-seed-box.ts', 'vtable-clone-no-retain');
    assert.equal(fix.safe, false);
    assert.doesNotMatch(edited, /incrementStrongCount/);
    assert.match(edited, /const original = Box\.fromRaw<number>\(rawWaker\);\n {2}const copy = Box\.new\(original\.value\);\n {2}forget\(original\);\n {2}return new RawWaker\(Box\.intoRaw\(copy\), VTABLE\);/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it('vtable-clone-no-retain on a Box imported under another name: spells it so, and imports forget', () => {
    const { edited, rules, errors } = applyFix('vtable-clone-no-retain/fail-box-without-imports.ts', 'vtable-clone-no-retain');
    assert.match(edited, /^import \{ RawWaker, RawWakerVTable, drop, Box as Heap, type Ptr, forget \} from 'wakerscope\/waker';/);
    assert.match(edited, /const original = Heap\.fromRaw<string>\(data\);/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it('vtable-wake-by-ref-releases: forget instead of drop (safe)', () => {
    const { fix, edited, rules, errors } = applyFix('vtable-wake-by-ref-releases/fail-drop-instead-of-forget.ts', 'vtable-wake-by-ref-releases');
    assert.equal(fix.safe, true);
    assert.match(edited, /arc\.value\.n\+\+;\n {2}forget\(arc\);\n\}\nfunction dropArc/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it('vtable-wake-by-ref-releases: `arc.drop()` becomes `forget(arc)`, importing forget', () => {
    const { edited, rules, errors } = applyFix('vtable-wake-by-ref-releases/fail-drop-method-without-forget.ts', 'vtable-wake-by-ref-releases');
    assert.match(edited, /^import \{ Arc, RawWaker, RawWakerVTable, drop, type Ptr, forget \} from 'wakerscope\/waker';/);
    assert.match(edited, /arc\.value\.n\+\+;\n {2}forget\(arc\);/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it('offers nothing where an edit could not be right on every path', () => {
    // The release happens in a helper wake shares: forgetting there would break wake.
    assert.deepEqual(findingIn('vtable-wake-by-ref-releases/fail-helper-drops.ts', 'vtable-wake-by-ref-releases').finding.fixes, []);
    // A count kept by hand: the fix is in the program's own words, which the help gives.
    assert.deepEqual(findingIn('vtable-clone-no-retain/fail-box-hand-count-no-increment.ts', 'vtable-clone-no-retain').finding.fixes, []);
  });
});
