// `wakerscope/eslint`: the analyzer's rules as an ESLint plugin, for projects that
// lint with typescript-eslint. The rules need type information (parserOptions.projectService);
// the README's "ESLint" section shows the eslint.config.mjs to use.

import type { ESLint, Linter, Rule } from 'eslint';
import { version } from '../../package.json';
import { RULES, RULE_IDS } from '../analysis/index';
import { rules as typedRules } from './rules';

interface WakerscopePlugin {
  readonly meta: { readonly name: string; readonly version: string };
  readonly rules: Readonly<Record<string, Rule.RuleModule>>;
  readonly configs: {
    /** Every rule at its default level: the lifecycle and vtable rules as errors, `unused-suppression` as a warning. */
    readonly recommended: Linter.Config;
    /** Every rule as an error. */
    readonly strict: Linter.Config;
  };
}

// typescript-eslint's rule types are stricter than ESLint's own; the objects are the same.
const rules = typedRules as unknown as Readonly<Record<string, Rule.RuleModule>>;
const meta = { name: 'wakerscope', version } as const;

const pluginCore: ESLint.Plugin = { meta, rules };

function config(name: string, levelOf: (id: (typeof RULE_IDS)[number]) => Linter.RuleSeverity): Linter.Config {
  return {
    name: `wakerscope/${name}`,
    // TypeScript only: the rules need a program, which plain JavaScript files linted by espree lack.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    plugins: { wakerscope: pluginCore },
    rules: Object.fromEntries(RULE_IDS.map((id) => [`wakerscope/${id}`, levelOf(id)])),
  };
}

const configs: WakerscopePlugin['configs'] = {
  recommended: config('recommended', (id) => RULES[id].defaultLevel),
  strict: config('strict', () => 'error'),
};

// The configs name this very object: ESLint refuses two different objects under one plugin name.
const plugin: WakerscopePlugin = Object.assign(pluginCore, { configs }) as WakerscopePlugin;

// `module.exports = plugin`, so `import wakerscope from 'wakerscope/eslint'` (ESM or CommonJS) is the plugin itself.
export = plugin;
