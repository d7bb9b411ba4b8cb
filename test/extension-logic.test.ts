// Pure logic behind the VS Code extension: settings → tsserver plugin
// configuration. (Factories and vtables: test/analysis/factories.test.ts.)
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_IDS } from '../src/analysis/types';
import { pluginConfiguration, RULE_SETTING_VALUES } from '../src/extension/settings';

const ROOT = join(__dirname, '..');

describe('extension: settings → plugin configuration', () => {
  it('sends enable and only the rules set to something other than default', () => {
    const settings: Record<string, unknown> = {
      enable: true,
      'rules.use-after-wake': 'warn',
      'rules.clone-without-drop': 'off',
      'rules.lost-wakeup': 'default',
    };
    const { configuration, problems } = pluginConfiguration((key) => settings[key]);
    assert.deepEqual(configuration, { enable: true, rules: { 'use-after-wake': 'warn', 'clone-without-drop': 'off' } });
    assert.deepEqual(problems, []);
  });

  it('defaults to enabled with no rule overrides when nothing is set', () => {
    assert.deepEqual(pluginConfiguration(() => undefined), { configuration: { enable: true, rules: {} }, problems: [] });
  });

  it('passes enable: false through', () => {
    assert.equal(pluginConfiguration((key) => (key === 'enable' ? false : undefined)).configuration.enable, false);
  });

  it('reports a hand-edited bad value in one line naming the setting, and ignores it', () => {
    const { configuration, problems } = pluginConfiguration((key) =>
      key === 'rules.use-after-drop' ? 'fatal' : key === 'enable' ? 'yes' : undefined,
    );
    assert.deepEqual(configuration, { enable: true, rules: {} });
    assert.deepEqual(problems, [
      'wakerscope.enable must be true or false, not "yes"',
      'wakerscope.rules.use-after-drop must be one of default, off, warn, error, not "fatal"',
    ]);
  });

  it('package.json declares one setting per rule, with the values the mapping accepts', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const properties = manifest.contributes.configuration.properties as Record<string, { enum?: string[]; default?: unknown; type: string }>;
    for (const id of RULE_IDS) {
      const property = properties[`wakerscope.rules.${id}`];
      assert.ok(property, `no setting wakerscope.rules.${id}`);
      assert.deepEqual(property.enum, [...RULE_SETTING_VALUES]);
      assert.equal(property.default, 'default');
    }
    const ruleSettings = Object.keys(properties).filter((key) => key.startsWith('wakerscope.rules.'));
    assert.equal(ruleSettings.length, RULE_IDS.length);
    assert.equal(properties['wakerscope.enable'].type, 'boolean');
  });
});
