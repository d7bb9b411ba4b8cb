// The rule registry is the one place a rule is declared: these tests fail when a
// rule module is not registered, when a code moves or collides with one of
// TypeScript's own, or when a message builder stops producing one line.

import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import * as registry from '../../src/analysis/rules/index';
import { CONFIG_ERROR_CODE, RULES, RULE_IDS, ruleByCode, type RuleId } from '../../src/analysis/index';
import { REPO_ROOT } from './fixture-runner';

const RULES_DIR = join(REPO_ROOT, 'src', 'analysis', 'rules');
/** The registry's own modules; every other file in the folder is one rule. */
const NOT_RULES = new Set(['index.ts', 'rule.ts']);

describe('rule registry', () => {
  it('registers every rule module in src/analysis/rules, under the id its file is named after', () => {
    const modules = readdirSync(RULES_DIR).filter((name) => name.endsWith('.ts') && !NOT_RULES.has(name));
    assert.ok(modules.length >= 10, `only ${modules.length} rule modules found`);
    assert.deepEqual(modules.map((name) => name.replace(/\.ts$/, '')).sort(), [...RULE_IDS].sort());
    for (const name of modules) {
      const exported = Object.values(require(join(RULES_DIR, name)) as Record<string, unknown>);
      const id = name.replace(/\.ts$/, '') as RuleId;
      assert.ok(exported.includes(RULES[id]), `${name}: its rule is not the registered ${id}`);
      assert.ok(Object.values(registry).includes(RULES[id]), `${name}: not exported from rules/index.ts`);
    }
  });

  it('pins every diagnostic code: they are fixed per rule and never reused', () => {
    assert.deepEqual(Object.fromEntries(RULE_IDS.map((id) => [id, RULES[id].code])), {
      'use-after-wake': 39001,
      'use-after-drop': 39002,
      'use-after-move': 39003,
      'clone-without-drop': 39004,
      'lost-wakeup': 39005,
      'vtable-clone-no-retain': 39006,
      'vtable-wake-no-release': 39007,
      'vtable-wake-by-ref-releases': 39008,
      'vtable-drop-no-release': 39009,
      'unused-suppression': 39010,
    });
    assert.equal(CONFIG_ERROR_CODE, 39000);
    for (const id of RULE_IDS) assert.equal(ruleByCode(RULES[id].code)?.id, id);
    assert.equal(ruleByCode(CONFIG_ERROR_CODE), undefined);
  });

  it('uses no code TypeScript uses: tsserver picks quick fixes by code', () => {
    const typescriptCodes = new Set(Object.values((ts as unknown as { Diagnostics: Record<string, { code: number }> }).Diagnostics).map((d) => d.code));
    assert.ok(typescriptCodes.size > 1000 && typescriptCodes.has(9006), 'ts.Diagnostics is not the table it used to be');
    const ours = [CONFIG_ERROR_CODE, ...RULE_IDS.map((id) => RULES[id].code)];
    assert.deepEqual(ours.filter((code) => typescriptCodes.has(code)), []);
    assert.equal(new Set(ours).size, ours.length, 'two rules share a code');
  });

  it('derives each docs path from the id and declares a default level and one-line texts', () => {
    for (const id of RULE_IDS) {
      const rule = RULES[id];
      assert.equal(rule.id, id);
      assert.equal(rule.docs, `docs/rules/${id}.md`);
      assert.ok(['off', 'warn', 'error'].includes(rule.defaultLevel));
      for (const text of [rule.description, rule.summary]) assert.match(text, /^[^\n]{10,}$/, `${id}: ${JSON.stringify(text)}`);
      for (const [name, build] of Object.entries(rule.messages)) {
        const text = (build as (...args: string[]) => string)('a', 'b', 'c', 'd', 'e');
        assert.match(text, /^[^\n]{10,}$/, `${id}.messages.${name} must build one line`);
      }
    }
  });

  it('gives every vtable rule the consequence hover shows', () => {
    assert.deepEqual(
      RULE_IDS.filter((id) => RULES[id].consequence !== undefined).map((id) => `${id}: ${RULES[id].consequence}`),
      ['vtable-clone-no-retain: double free', 'vtable-wake-no-release: leak', 'vtable-wake-by-ref-releases: use after free', 'vtable-drop-no-release: leak'],
    );
  });
});
