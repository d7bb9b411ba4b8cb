// A finding's texts are made once per distinct text and shared by every finding
// that says the same thing (`src/analysis/texts.ts`): these tests hold the
// builders to saying each text once, to telling arguments apart, and to
// forgetting what they said in a long session instead of growing without end.

import { strict as assert } from 'node:assert';
import { createRule } from '../../src/analysis/rules/index';
import { sharedTexts } from '../../src/analysis/texts';

/** `build`, counting its calls in `calls`. */
function counted<Args extends unknown[]>(calls: { count: number }, build: (...args: Args) => string): (...args: Args) => string {
  return (...args) => {
    calls.count++;
    return build(...args);
  };
}

describe('shared texts', () => {
  it("builds a rule's message once per distinct arguments", () => {
    const calls = { count: 0 };
    const rule = createRule({
      id: 'test-rule',
      code: 39999,
      description: 'A rule for this test.',
      summary: 'a rule for this test',
      defaultLevel: 'error',
      messages: { use: counted(calls, (name: string, path: string) => `use of \`${name}\` after it was woken${path}`) },
    });
    const source = 'const pendingWakerHandle = 1; pendingWakerHandle;';
    const first = rule.messages.use(source.slice(6, 24), ' when `urgent` is true');
    const again = rule.messages.use(source.slice(30, 48), ` when \`${'urgent'}\` is ${'true'}`);
    assert.equal(first, 'use of `pendingWakerHandle` after it was woken when `urgent` is true');
    assert.equal(again, first);
    assert.equal(calls.count, 1);
    assert.equal(rule.messages.use('pendingWakerHandle', ''), 'use of `pendingWakerHandle` after it was woken');
    assert.equal(calls.count, 2);
  });

  it('tells arguments apart by number, type and value', () => {
    const calls = { count: 0 };
    const say = sharedTexts(counted(calls, (...args: unknown[]) => args.map((arg) => `${typeof arg}:${String(arg)}`).join(',')));
    const said = [say(), say(1), say('1'), say(true), say(undefined), say(undefined, undefined), say('a', 'b'), say('ab'), say('a', 'b', false)];
    assert.deepEqual(said, ['', 'number:1', 'string:1', 'boolean:true', 'undefined:undefined', 'undefined:undefined,undefined:undefined', 'string:a,string:b', 'string:ab', 'string:a,string:b,boolean:false']);
    assert.equal(calls.count, said.length);
    assert.deepEqual([say(), say(1), say('1'), say(true), say(undefined), say(undefined, undefined), say('a', 'b'), say('ab'), say('a', 'b', false)], said);
    assert.equal(calls.count, said.length);
  });

  it('starts over after a few thousand texts, so a long editor session does not grow without end', () => {
    const calls = { count: 0 };
    const say = sharedTexts(counted(calls, (name: string) => `\`${name}\` woken here`));
    say('first');
    for (let i = 0; i < 5000; i++) say(`name${i}`);
    assert.equal(say('first'), '`first` woken here');
    assert.equal(calls.count, 5002);
  });
});
