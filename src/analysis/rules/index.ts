// The rule registry: every rule, in the order front ends list them. A rule
// exists when its module is listed here (a test fails for a module in this
// folder that is not); everything else (RULE_IDS, the settings in
// package.json, the docs' Options sections, the README's table, ESLint's rule
// metadata, SARIF's rules) is derived from these entries.

import { cloneWithoutDrop } from './clone-without-drop';
import { lostWakeup } from './lost-wakeup';
import type { RuleMeta } from './rule';
import { unusedSuppression } from './unused-suppression';
import { useAfterDrop } from './use-after-drop';
import { useAfterMove } from './use-after-move';
import { useAfterWake } from './use-after-wake';
import { vtableCloneNoRetain } from './vtable-clone-no-retain';
import { vtableDropNoRelease } from './vtable-drop-no-release';
import { vtableWakeByRefReleases } from './vtable-wake-by-ref-releases';
import { vtableWakeNoRelease } from './vtable-wake-no-release';

export { createRule, type Rule, type RuleLevel, type RuleMeta } from './rule';
export { cloneWithoutDrop, lostWakeup, unusedSuppression, useAfterDrop, useAfterMove, useAfterWake, vtableCloneNoRetain, vtableDropNoRelease, vtableWakeByRefReleases, vtableWakeNoRelease };

const REGISTRY = [
  useAfterWake,
  useAfterDrop,
  useAfterMove,
  cloneWithoutDrop,
  lostWakeup,
  vtableCloneNoRetain,
  vtableWakeNoRelease,
  vtableWakeByRefReleases,
  vtableDropNoRelease,
  // Reported by the suppression pass, not by a lifecycle rule.
  unusedSuppression,
] as const;

type RegisteredRule = (typeof REGISTRY)[number];
export type RuleId = RegisteredRule['id'];

export const RULE_IDS: readonly RuleId[] = REGISTRY.map((rule) => rule.id);

/** Each rule by id, with its message builders. */
export const RULES: { readonly [Id in RuleId]: Extract<RegisteredRule, { id: Id }> } = Object.fromEntries(REGISTRY.map((rule) => [rule.id, rule])) as never;

/**
 * The code of the diagnostic a front end shows for a configuration it cannot
 * read (an unknown rule or level in the tsconfig entry). Not a rule: nothing
 * turns it off.
 */
export const CONFIG_ERROR_CODE = 39000;

export function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}

/** The rule with this diagnostic code, if any. */
export function ruleByCode(code: number): RuleMeta<RuleId> | undefined {
  return REGISTRY.find((rule) => rule.code === code);
}

/** Where the docs pages are published, for SARIF `helpUri` and editor links. */
export const DOCS_BASE_URL = 'https://github.com/wakerscope/wakerscope/blob/main/';

export function docsUrl(id: RuleId): string {
  return DOCS_BASE_URL + RULES[id].docs;
}
