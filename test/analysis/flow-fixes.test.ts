// Quick fixes of the flow rules do what they say: the finding goes away after
// the edit, and the edited file still type-checks.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFlow } from '../../src/analysis/flow/index';
import type { Finding, RuleId } from '../../src/analysis/index';
import { FIXTURES_ROOT, FixtureProgram, applyEdits, fixtureFiles } from './fixture-runner';

const folder = join(FIXTURES_ROOT, 'flow');
const files = fixtureFiles(folder);
let fixtures: FixtureProgram | undefined;
const load = (): FixtureProgram => (fixtures ??= new FixtureProgram(files));

function findingIn(name: string, rule: RuleId): { fileName: string; text: string; finding: Finding } {
  const fileName = join(folder, name);
  const program = load();
  program.setText(fileName, undefined);
  const finding = analyzeFlow(program.context(fileName)).find((f) => f.rule === rule);
  assert.ok(finding, `${name}: no ${rule} finding`);
  return { fileName, text: readFileSync(fileName, 'utf8'), finding };
}

/** Apply the fix titled `title`; return the edited text, the rules still reported, and the type errors. */
function applyFix(name: string, rule: RuleId, title: string): { edited: string; rules: RuleId[]; errors: string[] } {
  const { fileName, text, finding } = findingIn(name, rule);
  const fix = finding.fixes.find((f) => f.title === title);
  assert.ok(fix, `${name}: no fix "${title}" (offered: ${finding.fixes.map((f) => f.title).join(', ') || 'none'})`);
  const edited = applyEdits(text, fix.edits);
  const program = load();
  program.setText(fileName, edited);
  try {
    return { edited, rules: analyzeFlow(program.context(fileName)).map((f) => f.rule), errors: program.errorsOf(fileName, { semantic: true }) };
  } finally {
    program.setText(fileName, undefined);
  }
}

describe('flow quick fixes', function () {
  this.timeout(60_000);

  it('clone-without-drop: "Declare with `using`" turns the const into using', () => {
    const { edited, rules, errors } = applyFix('clone-without-drop.fail-never.ts', 'clone-without-drop', 'Declare with `using`');
    assert.match(edited, /using copy = source\.clone\(\);/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it('clone-without-drop: "Drop at the end of the scope" drops before the closing brace', () => {
    const { edited, rules, errors } = applyFix('clone-without-drop.fail-never.ts', 'clone-without-drop', 'Drop at the end of the scope');
    assert.match(edited, /copy\.wakeByRef\(\);\n\s+copy\.drop\(\);\n\}/);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules, []);
  });

  it('clone-without-drop: the drop goes before an early return, braced when the return is alone', () => {
    const { edited, rules, errors } = applyFix('clone-without-drop.fail-early-return.ts', 'clone-without-drop', 'Drop at the end of the scope');
    assert.match(edited, /copy\.drop\(\);\n\s+return 0;/);
    assert.deepEqual([errors, rules], [[], []]);
    const thrown = applyFix('clone-without-drop.fail-throw.ts', 'clone-without-drop', 'Drop at the end of the scope');
    assert.match(thrown.edited, /if \(!valid\) \{ copy\.drop\(\); throw new Error\('invalid'\); \}/);
    assert.deepEqual([thrown.errors, thrown.rules], [[], []]);
  });

  it('clone-without-drop: no `using` for a value that may move, no drop where it may be consumed already', () => {
    const moved = findingIn('clone-without-drop.fail-optional-chain.ts', 'clone-without-drop').finding;
    assert.ok(!moved.fixes.some((f) => f.title === 'Declare with `using`'));
    const partly = findingIn('clone-without-drop.fail-if.ts', 'clone-without-drop').finding;
    assert.ok(!partly.fixes.some((f) => f.title === 'Drop at the end of the scope'));
  });

  it('use-after-wake: "Use `wakeByRef()` here" and "Clone before waking" remove the finding', () => {
    const byRef = applyFix('use-after-wake.fail-straight.ts', 'use-after-wake', 'Use `wakeByRef()` here');
    assert.match(byRef.edited, /waker\.wakeByRef\(\);\n\s+waker\.wake\(\);/);
    assert.deepEqual([byRef.errors, byRef.rules], [[], []]);
    const cloned = applyFix('use-after-wake.fail-straight.ts', 'use-after-wake', 'Clone before waking');
    assert.match(cloned.edited, /waker\.clone\(\)\.wake\(\);\n\s+waker\.wake\(\);/);
    assert.deepEqual([cloned.errors, cloned.rules], [[], []]);
  });

  it("lost-wakeup: keeps a clone in the class's `waker` field, dropping the old one", () => {
    const { edited, rules, errors } = applyFix('lost-wakeup.fail-if.ts', 'lost-wakeup', "Keep a clone of the context's waker");
    assert.match(edited, /this\.waker\?\.drop\(\);\n\s+this\.waker = cx\.waker\(\)\.clone\(\);\n\s+return Poll\.pending\(\);/);
    assert.deepEqual([errors, rules], [[], []]);
  });

  it('lost-wakeup: without a `waker` field, wakes the task again before returning pending', () => {
    const { edited, rules, errors } = applyFix('lost-wakeup.fail-never.ts', 'lost-wakeup', 'Wake the task again (`cx.waker().wakeByRef()`)');
    assert.match(edited, /cx\.waker\(\)\.wakeByRef\(\);\n\s+return Poll\.pending\(\);/);
    assert.deepEqual([errors, rules], [[], []]);
  });
});
