// The docs' Options sections, the README's rule table and the rule settings in
// package.json are generated from the rule registry, and the exploration depth
// setting from the explorer's limits: a checked-in copy that differs fails here
// (fix: `npm run generate:rules`).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, RULE_IDS } from '../src/analysis/index';
import { MAX_DEPTH, MAX_PLAIN_DEPTH } from '../src/simulate/index';
import { EXPLORATION_DEPTH_SETTING, generatedFiles, optionsSection, readmeTable, ruleSettings, staleFiles } from '../scripts/rule-docs';

const ROOT = join(__dirname, '..');

describe('docs and settings generated from the rule registry', () => {
  it('are up to date: run `npm run generate:rules` when this fails', () => {
    assert.deepEqual(staleFiles(ROOT), []);
  });

  it('covers every rule page, the README and package.json', () => {
    assert.deepEqual([...generatedFiles().keys()].sort(), [...RULE_IDS.map((id) => `docs/rules/${id}.md`), 'README.md', 'package.json'].sort());
  });

  it('notices drift: an edited Options section, table row or setting is rewritten', () => {
    const rewrite = generatedFiles();
    const page = readFileSync(join(ROOT, 'docs/rules/lost-wakeup.md'), 'utf8');
    const edited = page.replace('(default)', '');
    assert.notEqual(edited, page);
    assert.equal(rewrite.get('docs/rules/lost-wakeup.md')!(edited, 'lost-wakeup.md'), page);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const withoutRow = readme.replace(/^\| \[`lost-wakeup`\].*\n/m, '');
    assert.notEqual(withoutRow, readme);
    assert.equal(rewrite.get('README.md')!(withoutRow, 'README.md'), readme);
    const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8');
    const parsed = JSON.parse(manifest);
    delete parsed.contributes.configuration.properties['wakerscope.rules.lost-wakeup'];
    assert.equal(rewrite.get('package.json')!(JSON.stringify(parsed, null, 2) + '\n', 'package.json'), manifest);
  });

  it("the editor's exploration depth goes as far as the explorer's, and says why a module it cannot read stops at 6", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const setting = manifest.contributes.configuration.properties[EXPLORATION_DEPTH_SETTING];
    assert.equal(setting.maximum, MAX_DEPTH);
    assert.ok(setting.markdownDescription.includes(`capped at ${MAX_PLAIN_DEPTH}`), setting.markdownDescription);
    const capped = structuredClone(manifest);
    capped.contributes.configuration.properties[EXPLORATION_DEPTH_SETTING].maximum = MAX_PLAIN_DEPTH;
    assert.equal(generatedFiles().get('package.json')!(JSON.stringify(capped, null, 2) + '\n', 'package.json'), readFileSync(join(ROOT, 'package.json'), 'utf8'));
  });

  it('names the file when the part to generate has no anchor', () => {
    assert.throws(() => generatedFiles().get('docs/rules/lost-wakeup.md')!('# page\n', 'docs/rules/lost-wakeup.md'), /^Error: docs\/rules\/lost-wakeup\.md: no "## Options" section$/);
    assert.throws(() => generatedFiles().get('README.md')!('# readme\n', 'README.md'), /^Error: README\.md: no "\| rule \| reports \|" table$/);
  });

  it('says what each front end reads: ESLint does not read the tsconfig levels', () => {
    for (const id of RULE_IDS) {
      const section = optionsSection(id);
      assert.match(section, new RegExp(`In ESLint the lint configuration decides the level and the tsconfig entry is not read: \`rules: \\{ 'wakerscope/${id}'`));
      assert.ok(section.includes(`wakerscope(${RULES[id].code})`));
      assert.ok(section.includes(`\`${RULES[id].defaultLevel}\` (default)`));
    }
    assert.equal(readmeTable().split('\n').filter((line) => line.startsWith('| [')).length, RULE_IDS.length);
    assert.deepEqual(Object.keys(ruleSettings()), RULE_IDS.map((id) => `wakerscope.rules.${id}`));
  });
});
