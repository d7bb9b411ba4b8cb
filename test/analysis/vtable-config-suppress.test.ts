// Configuration (rule levels from the tsconfig plugin entry and --rule) and
// suppression comments, end to end through analyzeFile on the seed's Box vtable.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import {
  ConfigError,
  RULES,
  RULE_IDS,
  analyzeFile,
  applyLevels,
  configFromCompilerOptions,
  parseRuleFlag,
  ruleByCode,
  type AnalyzerConfig,
  type Finding,
} from '../../src/analysis/index';
import { FixtureProgram, REPO_ROOT } from './fixture-runner';

const BUGGY_VTABLE = `import { Box, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';
function myWake(data: Ptr): void {
  drop(Box.fromRaw<number>(data));
}
`;
// Line 5 (1-based) holds the buggy clone, so a next-line directive goes on line 4.
const CLONE = `function myClone(data: Ptr): RawWaker {
  return new RawWaker(data, VTABLE);
}
export const VTABLE: RawWakerVTable = new RawWakerVTable(myClone, myWake, () => {}, myWake);
`;

describe('configuration', () => {
  it('reads rule levels from the wakerscope plugin entry and ignores other plugins', () => {
    const config = configFromCompilerOptions({
      plugins: [{ name: 'other', rules: { anything: 1 } }, { name: 'wakerscope', rules: { 'lost-wakeup': 'warn', 'vtable-clone-no-retain': 'off' } }],
    });
    assert.deepEqual(config, { rules: { 'lost-wakeup': 'warn', 'vtable-clone-no-retain': 'off' } });
    assert.deepEqual(configFromCompilerOptions({}), { rules: {} });
    assert.deepEqual(configFromCompilerOptions({ plugins: [{ name: 'wakerscope' }] }), { rules: {} });
  });

  it('rejects unknown rules and levels with one line naming them', () => {
    const unknownRule = () => configFromCompilerOptions({ plugins: [{ name: 'wakerscope', rules: { 'use-after-free': 'warn' } }] }, 'app/tsconfig.json');
    assert.throws(unknownRule, (e: Error) => e instanceof ConfigError && /^app\/tsconfig\.json: unknown rule 'use-after-free'/.test(e.message) && !e.message.includes('\n'));
    const badLevel = () => configFromCompilerOptions({ plugins: [{ name: 'wakerscope', rules: { 'lost-wakeup': 'warning' } }] });
    assert.throws(badLevel, /rule 'lost-wakeup' has invalid level "warning" \(expected off, warn or error\)/);
    assert.throws(() => configFromCompilerOptions({ plugins: [{ name: 'wakerscope', rules: ['lost-wakeup'] }] }), /"rules" must be an object/);
    assert.throws(() => configFromCompilerOptions({ plugins: 'wakerscope' }), /plugins must be an array/);
  });

  it('parses --rule id=level', () => {
    assert.deepEqual(parseRuleFlag('lost-wakeup=off'), ['lost-wakeup', 'off']);
    assert.throws(() => parseRuleFlag('lost-wakeup'), /--rule lost-wakeup: expected id=off\|warn\|error/);
    assert.throws(() => parseRuleFlag('nope=warn'), /unknown rule 'nope'/);
    assert.throws(() => parseRuleFlag('lost-wakeup=loud'), /invalid level "loud"/);
  });

  it('applies levels: error keeps the verdict, warn downgrades, off drops', () => {
    const finding = (rule: Finding['rule'], severity: Finding['severity']): Finding => ({ rule, severity, message: rule, span: { file: 'a.ts', start: 0, end: 1 }, related: [], fixes: [] });
    const findings = [finding('lost-wakeup', 'error'), finding('lost-wakeup', 'warning'), finding('use-after-wake', 'error'), finding('clone-without-drop', 'error')];
    const config: AnalyzerConfig = { rules: { 'lost-wakeup': 'error', 'use-after-wake': 'warn', 'clone-without-drop': 'off' } };
    assert.deepEqual(
      applyLevels(findings, config).map((f) => `${f.rule} ${f.severity}`),
      ['lost-wakeup error', 'lost-wakeup warning', 'use-after-wake warning'],
    );
  });

  it('gives every rule a stable, distinct code, a docs page and a default level', () => {
    const codes = RULE_IDS.map((id) => RULES[id].code);
    assert.equal(new Set(codes).size, RULE_IDS.length);
    assert.equal(ruleByCode(RULES['vtable-clone-no-retain'].code)?.id, 'vtable-clone-no-retain');
    for (const id of RULE_IDS) {
      assert.equal(RULES[id].docs, `docs/rules/${id}.md`);
      const page = readFileSync(join(REPO_ROOT, RULES[id].docs), 'utf8');
      for (const section of [`# \`${id}\``, '## Why it matters', '## Failing example', '## Fixed example', '## Options']) {
        assert.ok(page.includes(section), `${RULES[id].docs} lacks "${section}"`);
      }
    }
    assert.equal(RULES['unused-suppression'].defaultLevel, 'warn');
  });
});

describe('suppression comments', () => {
  let dir: string;
  let counter = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wakerscope-suppress-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Analyse `text` as a file of its own; findings as `line rule severity: message`. */
  function analyze(text: string, config: AnalyzerConfig = { rules: {} }): string[] {
    const fileName = join(dir, `case${counter++}.ts`);
    writeFileSync(fileName, text);
    const fixtures = new FixtureProgram([fileName]);
    const file = fixtures.sourceFile(fileName);
    return analyzeFile(ts, fixtures.program, file, config).map((f) => `${file.getLineAndCharacterOfPosition(f.span.start).line + 1} ${f.rule} ${f.severity}: ${f.message}`);
  }

  it('reports the unsuppressed vtable (control)', () => {
    assert.deepEqual(analyze(BUGGY_VTABLE + CLONE).map((f) => f.split(':')[0]), ['5 vtable-clone-no-retain error']);
  });

  it('ignore-next-line with the rule suppresses it, and counts as used', () => {
    assert.deepEqual(analyze(BUGGY_VTABLE + '// wakerscope-ignore-next-line vtable-clone-no-retain -- the data is static\n' + CLONE), []);
  });

  it('ignore-next-line without rules suppresses every rule on that line', () => {
    assert.deepEqual(analyze(BUGGY_VTABLE + '  // wakerscope-ignore-next-line\n' + CLONE), []);
  });

  it('ignore-file suppresses findings anywhere in the file', () => {
    assert.deepEqual(analyze('// wakerscope-ignore-file vtable-clone-no-retain\n' + BUGGY_VTABLE + CLONE), []);
  });

  it('a directive naming another rule leaves the finding and is itself reported', () => {
    assert.deepEqual(analyze(BUGGY_VTABLE + '// wakerscope-ignore-next-line lost-wakeup\n' + CLONE).map((f) => f.split(':')[0]), [
      '5 unused-suppression warning',
      '6 vtable-clone-no-retain error',
    ]);
  });

  it('a directive with nothing to suppress is reported at the comment', () => {
    const findings = analyze('// wakerscope-ignore-next-line\nexport const x = 1;\n');
    assert.deepEqual(findings, ['1 unused-suppression warning: `wakerscope-ignore-next-line` suppresses nothing: no finding on line 2']);
    assert.deepEqual(analyze('export const y = 2; // wakerscope-ignore-file use-after-wake\n'), [
      '1 unused-suppression warning: `wakerscope-ignore-file use-after-wake` suppresses nothing: no use-after-wake finding in this file',
    ]);
  });

  it('names an unknown rule in a directive', () => {
    assert.deepEqual(analyze('// wakerscope-ignore-file no-such-rule\nexport const x = 1;\n'), ["1 unused-suppression warning: `wakerscope-ignore-file` names unknown rule 'no-such-rule'"]);
  });

  it('ignores directive text inside strings and templates', () => {
    const text = 'export const a = "// wakerscope-ignore-file";\nexport const b = `\n// wakerscope-ignore-next-line\n`;\n';
    assert.deepEqual(analyze(text), []);
    // The string's directive suppresses nothing: the vtable below is still reported.
    assert.deepEqual(analyze(text + BUGGY_VTABLE + CLONE).map((f) => f.split(':')[0]), ['9 vtable-clone-no-retain error']);
  });

  it('only a comment that starts with the directive is one: documentation quoting it is not', () => {
    const text = '//   // wakerscope-ignore-next-line [rule…]  documents the syntax\n/* // wakerscope-ignore-file */\nexport const x = 1;\n';
    assert.deepEqual(analyze(text), []);
    assert.deepEqual(analyze('export const x = 1; /* a */ // wakerscope-ignore-file\n'), [
      '1 unused-suppression warning: `wakerscope-ignore-file` suppresses nothing: no finding in this file',
    ]);
  });

  it('does not report a suppression of a rule that is turned off, nor when unused-suppression is off', () => {
    const off: AnalyzerConfig = { rules: { 'vtable-clone-no-retain': 'off' } };
    assert.deepEqual(analyze(BUGGY_VTABLE + '// wakerscope-ignore-next-line vtable-clone-no-retain\n' + CLONE, off), []);
    assert.deepEqual(analyze('// wakerscope-ignore-file\nexport const x = 1;\n', { rules: { 'unused-suppression': 'off' } }), []);
  });

  it('levels apply before suppression: warn turns the vtable error into a warning', () => {
    assert.deepEqual(analyze(BUGGY_VTABLE + CLONE, { rules: { 'vtable-clone-no-retain': 'warn' } }).map((f) => f.split(':')[0]), ['5 vtable-clone-no-retain warning']);
  });
});
