// VS Code settings → the tsserver plugin's configuration. Pure (no `vscode`),
// so the mapping is unit-tested without an editor.
//
// The payload has the shape of a tsconfig plugin entry (`{ "name": "wakerscope",
// "rules": { … } }`) plus `enable`, so the plugin reads it with the same
// `configFromPluginEntry` it uses for tsconfig.json.

import { RULE_IDS, type RuleId, type RuleLevel } from '../analysis/index';

/** The name tsserver knows the plugin by (`contributes.typescriptServerPlugins`). */
export const PLUGIN_NAME = 'wakerscope';

/** Per-rule setting values: `default` leaves the level to tsconfig.json and the rule's default. */
export const RULE_SETTING_VALUES = ['default', 'off', 'warn', 'error'] as const;
export type RuleSettingValue = (typeof RULE_SETTING_VALUES)[number];

export interface PluginConfiguration {
  /** false: the plugin adds no diagnostics, fixes or hover text. */
  readonly enable: boolean;
  /** Only the rules whose setting is not `default`. */
  readonly rules: Readonly<Partial<Record<RuleId, RuleLevel>>>;
}

/** Reads one setting under `wakerscope.`, e.g. `enable` or `rules.use-after-wake`. */
export type SettingReader = (key: string) => unknown;

/**
 * The configuration to send with `configurePlugin`. Values the settings schema
 * would reject (hand-edited settings.json) are reported in `problems`, one line
 * each, and treated as `default`.
 */
export function pluginConfiguration(read: SettingReader): { configuration: PluginConfiguration; problems: string[] } {
  const problems: string[] = [];
  const enableSetting = read('enable');
  let enable = true;
  if (typeof enableSetting === 'boolean') enable = enableSetting;
  else if (enableSetting !== undefined) problems.push(`wakerscope.enable must be true or false, not ${JSON.stringify(enableSetting)}`);

  const rules: Partial<Record<RuleId, RuleLevel>> = {};
  for (const id of RULE_IDS) {
    const value = read(`rules.${id}`);
    if (value === undefined || value === 'default') continue;
    if (value === 'off' || value === 'warn' || value === 'error') rules[id] = value;
    else problems.push(`wakerscope.rules.${id} must be one of ${RULE_SETTING_VALUES.join(', ')}, not ${JSON.stringify(value)}`);
  }
  return { configuration: { enable, rules }, problems };
}
