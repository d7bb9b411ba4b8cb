// Rule levels come from the tsconfig's `compilerOptions.plugins` entry named
// `wakerscope` (where tsserver plugins are configured), so the command, the
// editor and CI agree. The command line can override them with `--rule id=level`.

import { RULES, isRuleId } from './rules/index';
import { RULE_IDS, type AnalyzerConfig, type Finding, type RuleId, type RuleLevel } from './types';

const RULE_LEVELS: readonly RuleLevel[] = ['off', 'warn', 'error'];

/** A configuration problem, always one line; `where` names the file or flag it comes from. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function isRuleLevel(level: unknown): level is RuleLevel {
  return typeof level === 'string' && (RULE_LEVELS as readonly string[]).includes(level);
}

/** Validate one rule setting: an unknown id or level is a ConfigError naming it. */
function checkRuleSetting(id: string, level: unknown, where: string): [RuleId, RuleLevel] {
  if (!isRuleId(id)) throw new ConfigError(`${where}: unknown rule '${id}' (known rules: ${RULE_IDS.join(', ')})`);
  if (!isRuleLevel(level)) throw new ConfigError(`${where}: rule '${id}' has invalid level ${JSON.stringify(level)} (expected off, warn or error)`);
  return [id, level];
}

/**
 * The wakerscope plugin entry's `rules`, from `compilerOptions` as TypeScript
 * parsed it (`plugins` is passed through untouched). No entry means defaults.
 */
export function configFromCompilerOptions(compilerOptions: { readonly plugins?: unknown } | undefined, where = 'tsconfig.json'): AnalyzerConfig {
  const plugins = compilerOptions?.plugins;
  if (plugins === undefined) return { rules: {} };
  if (!Array.isArray(plugins)) throw new ConfigError(`${where}: compilerOptions.plugins must be an array`);
  const entry = plugins.find((p): p is { name: string; rules?: unknown } => typeof p === 'object' && p !== null && (p as { name?: unknown }).name === 'wakerscope');
  return configFromPluginEntry(entry, where);
}

/** The `rules` of one plugin entry (`{ "name": "wakerscope", "rules": { ... } }`). */
export function configFromPluginEntry(entry: { readonly rules?: unknown } | undefined, where = 'tsconfig.json'): AnalyzerConfig {
  const rules = entry?.rules;
  if (rules === undefined) return { rules: {} };
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new ConfigError(`${where}: the wakerscope plugin's "rules" must be an object of rule id to "off", "warn" or "error"`);
  }
  const levels: Partial<Record<RuleId, RuleLevel>> = {};
  for (const [id, level] of Object.entries(rules)) {
    const [ruleId, ruleLevel] = checkRuleSetting(id, level, where);
    levels[ruleId] = ruleLevel;
  }
  return { rules: levels };
}

/** Parse a `--rule id=level` value. */
export function parseRuleFlag(value: string): [RuleId, RuleLevel] {
  const match = /^([^=]+)=(.*)$/.exec(value);
  if (!match) throw new ConfigError(`--rule ${value}: expected id=off|warn|error`);
  return checkRuleSetting(match[1]!.trim(), match[2]!.trim(), `--rule ${value}`);
}

/** `overrides` win over `base`, rule by rule. */
export function mergeConfig(base: AnalyzerConfig, overrides: Partial<Record<RuleId, RuleLevel>>): AnalyzerConfig {
  return { rules: { ...base.rules, ...overrides } };
}

export function levelOf(config: AnalyzerConfig, rule: RuleId): RuleLevel {
  return config.rules[rule] ?? RULES[rule].defaultLevel;
}

/** `error` keeps the analyzer's verdict, `warn` makes every finding a warning, `off` drops it. */
export function applyLevels(findings: readonly Finding[], config: AnalyzerConfig): Finding[] {
  const result: Finding[] = [];
  for (const finding of findings) {
    const level = levelOf(config, finding.rule);
    if (level === 'off') continue;
    result.push(level === 'warn' && finding.severity !== 'warning' ? { ...finding, severity: 'warning' } : finding);
  }
  return result;
}
