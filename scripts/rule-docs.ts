// Everything that restates the rule registry (src/analysis/rules) outside the
// code: each docs/rules page's "## Options" section, the README's rule table
// and the `wakerscope.rules.*` settings in package.json; and the
// `wakerscope.exploration.depth` setting, which restates the explorer's depth
// limits (src/simulate/explore.ts). They are generated (`npm run
// generate:rules` writes them) and a test fails when a checked-in copy
// differs, so they cannot drift.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_ERROR_CODE, RULES, RULE_IDS, type RuleId } from '../src/analysis/index';
import { DEFAULT_DEPTH, MAX_DEPTH, MAX_PLAIN_DEPTH } from '../src/simulate/index';

/** The `## Options` section that ends every docs/rules page. */
export function optionsSection(id: RuleId): string {
  const rule = RULES[id];
  const example = rule.defaultLevel === 'warn' ? 'off' : 'warn';
  const marked = (level: string): string => `\`${level}\`${rule.defaultLevel === level ? ' (default)' : ''}`;
  const suppress = id === 'unused-suppression' ? '' : ` To silence one finding, put \`// wakerscope-ignore-next-line ${id}\` on the line above it.`;
  return `## Options

Set the level in the tsconfig's \`compilerOptions.plugins\` entry, which \`wakerscope check\` and the editor read:

\`\`\`json
{ "compilerOptions": { "plugins": [{ "name": "wakerscope", "rules": { "${id}": "${example}" } }] } }
\`\`\`

- ${marked('error')}: keep the analyzer's verdict: an error when the problem happens on every path, a warning when only on some.
- ${marked('warn')}: report every finding as a warning (exit code 0).
- ${marked('off')}: do not report it.

On the command line, \`--rule ${id}=off|warn|error\` overrides the tsconfig; in VS Code, the \`wakerscope.rules.${id}\` setting overrides both (\`default\` keeps them).${suppress}

In ESLint the lint configuration decides the level and the tsconfig entry is not read: \`rules: { 'wakerscope/${id}': '${example}' }\`.

Editors show its findings with the code \`wakerscope(${rule.code})\`; \`wakerscope(${CONFIG_ERROR_CODE})\` is a configuration the plugin cannot read.
`;
}

/** The README's `| rule | reports |` table. */
export function readmeTable(): string {
  const rows = RULE_IDS.map((id) => `| [\`${id}\`](${RULES[id].docs}) | ${RULES[id].summary} |`);
  return ['| rule | reports |', '|---|---|', ...rows].join('\n') + '\n';
}

const RULE_SETTING_PREFIX = 'wakerscope.rules.';

/** The `contributes.configuration.properties` entries for the rule levels, in registry order. */
export function ruleSettings(): Record<string, unknown> {
  return Object.fromEntries(
    RULE_IDS.map((id) => [
      `${RULE_SETTING_PREFIX}${id}`,
      {
        type: 'string',
        enum: ['default', 'off', 'warn', 'error'],
        enumDescriptions: [
          "The level from tsconfig.json, else the rule's default.",
          'Do not report.',
          'Report as a warning.',
          "Report as an error on every path, a warning on some paths (the analyzer's verdict).",
        ],
        default: 'default',
        markdownDescription: `\`${id}\`: ${RULES[id].description}`,
      },
    ]),
  );
}

export const EXPLORATION_DEPTH_SETTING = 'wakerscope.exploration.depth';

/** The depth setting: the explorer's own limits, and why a module it cannot read stops sooner (as `wakerscope explore` says). */
export function explorationDepthSetting(): Record<string, unknown> {
  return {
    type: 'number',
    default: DEFAULT_DEPTH,
    minimum: 1,
    maximum: MAX_DEPTH,
    markdownDescription:
      `**Wakerscope: Explore Vtable** tries every sequence of up to this many operations after \`new\` (at most ${MAX_DEPTH}), extending each distinct state once. ` +
      `When the module keeps state the explorer cannot read, every sequence runs instead, capped at ${MAX_PLAIN_DEPTH}: ` +
      `each level has about ten times as many sequences (depth ${MAX_PLAIN_DEPTH + 1} would be over half a million).`,
  };
}

/** `text` with its part generated from the registry rewritten. Throws `file: reason` when the anchor is missing. */
type Rewrite = (text: string, file: string) => string;

function rewriteOptions(id: RuleId): Rewrite {
  return (text, file) => {
    const at = text.search(/^## Options$/m);
    if (at < 0) throw new Error(`${file}: no "## Options" section`);
    return text.slice(0, at) + optionsSection(id);
  };
}

const rewriteReadme: Rewrite = (text, file) => {
  const lines = text.split('\n');
  const start = lines.indexOf('| rule | reports |');
  if (start < 0) throw new Error(`${file}: no "| rule | reports |" table`);
  let end = start;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  return [...lines.slice(0, start), readmeTable().trimEnd(), ...lines.slice(end)].join('\n');
};

const rewriteManifest: Rewrite = (text, file) => {
  const manifest = JSON.parse(text);
  const properties: Record<string, unknown> | undefined = manifest.contributes?.configuration?.properties;
  if (!properties) throw new Error(`${file}: no contributes.configuration.properties`);
  // The rule settings go where the first one was (after wakerscope.enable when there were none).
  const keys = Object.keys(properties);
  const first = keys.findIndex((key) => key.startsWith(RULE_SETTING_PREFIX));
  const others = keys.filter((key) => !key.startsWith(RULE_SETTING_PREFIX));
  const insertAt = first >= 0 ? keys.slice(0, first).filter((key) => !key.startsWith(RULE_SETTING_PREFIX)).length : others.indexOf('wakerscope.enable') + 1;
  const rebuilt: Record<string, unknown> = {};
  others.forEach((key, index) => {
    if (index === insertAt) Object.assign(rebuilt, ruleSettings());
    rebuilt[key] = properties[key];
  });
  if (insertAt >= others.length) Object.assign(rebuilt, ruleSettings());
  if (!(EXPLORATION_DEPTH_SETTING in rebuilt)) throw new Error(`${file}: no ${EXPLORATION_DEPTH_SETTING} setting`);
  rebuilt[EXPLORATION_DEPTH_SETTING] = explorationDepthSetting();
  manifest.contributes.configuration.properties = rebuilt;
  return JSON.stringify(manifest, null, 2) + '\n';
};

/** Every generated file, relative to the repository root, with how to rewrite it. */
export function generatedFiles(): ReadonlyMap<string, Rewrite> {
  return new Map<string, Rewrite>([
    ...RULE_IDS.map((id) => [RULES[id].docs, rewriteOptions(id)] as const),
    ['README.md', rewriteReadme],
    ['package.json', rewriteManifest],
  ]);
}

/** The files whose checked-in text differs from what the registry generates. */
export function staleFiles(root: string): string[] {
  return [...generatedFiles()].filter(([file, rewrite]) => {
    const text = readFileSync(join(root, file), 'utf8');
    return rewrite(text, file) !== text;
  }).map(([file]) => file);
}

/** Rewrite every stale file; returns the ones written. */
export function writeGeneratedFiles(root: string): string[] {
  const stale = staleFiles(root);
  for (const file of stale) {
    const path = join(root, file);
    writeFileSync(path, generatedFiles().get(file)!(readFileSync(path, 'utf8'), file));
  }
  return stale;
}
