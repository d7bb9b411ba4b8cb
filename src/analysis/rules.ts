// The rule registry: one entry per rule id, with the stable numeric code tsserver
// shows, the docs page, and the default level. Front ends read it; rule passes
// never decide levels themselves.

import { RULE_IDS, type RuleId, type RuleMeta } from './types';

const DESCRIPTIONS: Record<RuleId, string> = {
  'use-after-wake': 'A waker used after `wake()` consumed it.',
  'use-after-drop': 'A waker, Box or Arc handle used after it was dropped, including a second drop.',
  'use-after-move': 'A value used after its ownership moved (passed, assigned, stored, captured, `fromRaw` twice).',
  'clone-without-drop': 'An owned waker that reaches the end of its scope on some path without being consumed or moved (a leak).',
  'lost-wakeup': "A `poll` that returns `Poll.pending()` on a path where the context's waker was neither kept, woken, nor handed on.",
  'vtable-clone-no-retain': "A vtable whose `clone` hands out the same data without taking a new reference while `wake`/`drop` release one: a clone and its original free the data twice.",
  'vtable-wake-no-release': 'A vtable whose `wake` keeps the reference that `drop` releases: every woken waker leaks.',
  'vtable-wake-by-ref-releases': 'A vtable whose `wakeByRef` releases a reference it only borrows.',
  'vtable-drop-no-release': 'A vtable whose `drop` releases nothing while `clone` takes a reference: every dropped waker leaks.',
  'unused-suppression': 'A `wakerscope-ignore` comment that suppresses nothing.',
};

/** Codes are stable across releases: append new rules, never renumber. */
export const RULES: Readonly<Record<RuleId, RuleMeta>> = Object.fromEntries(
  RULE_IDS.map((id, index) => [
    id,
    {
      id,
      code: 9001 + index,
      description: DESCRIPTIONS[id],
      docs: `docs/rules/${id}.md`,
      defaultLevel: id === 'unused-suppression' ? 'warn' : 'error',
    } satisfies RuleMeta,
  ]),
) as Record<RuleId, RuleMeta>;

export function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}

/** The rule with this tsserver diagnostic code, if any. */
export function ruleByCode(code: number): RuleMeta | undefined {
  return Object.values(RULES).find((rule) => rule.code === code);
}

/** Where the docs page is published, for SARIF `helpUri` and editor links. */
export const DOCS_BASE_URL = 'https://github.com/wakerscope/wakerscope/blob/main/';

export function docsUrl(id: RuleId): string {
  return DOCS_BASE_URL + RULES[id].docs;
}
