// Pure logic behind the VS Code extension: settings → tsserver plugin
// configuration, and finding vtable factories and vtables in a file's text.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_IDS } from '../src/analysis/types';
import { codeOnly, factoriesUsing, findFactories, findVtables } from '../src/extension/factories';
import { pluginConfiguration, RULE_SETTING_VALUES } from '../src/extension/settings';

const ROOT = join(__dirname, '..');
const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8');

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

describe('extension: factories and vtables in a file', () => {
  it('blanks comments and strings but keeps offsets and lines', () => {
    const text = 'a // x\n"s\\"t" /* y\n*/ b `c`';
    const code = codeOnly(text);
    assert.equal(code.length, text.length);
    assert.equal(code.split('\n').length, text.split('\n').length);
    assert.doesNotMatch(code, /[xyst]|c`/);
    assert.match(code, /^a .*b/s);
  });

  it('finds the seed factory, not its unexported slot functions', () => {
    const factories = findFactories(example('seed-box-waker.ts'));
    assert.deepEqual(factories.map((f) => [f.name, f.returns, f.position.line]), [['createRawWaker', 'RawWaker', 6]]);
  });

  it('skips factories that need arguments (arcWaker(task)) and keeps createWaker', () => {
    const factories = findFactories(example('arc-waker.ts'));
    assert.deepEqual(factories.map((f) => f.name), ['createWaker']);
  });

  it('reads arrow functions, `export { f }` lists, generics and optional parameters', () => {
    const text = [
      'function viaList(): Waker { return w; }',
      'export { viaList, other as renamed };',
      'export const arrow = (n = 1): RawWaker => new RawWaker(p, V);',
      'export function generic<T extends (a: number) => void>(f?: T): RawWaker { return r; }',
      'export function needsArg(x: number): RawWaker { return r; }',
      'export function notAWaker(): number { return 1; }',
      '// export function commented(): RawWaker {}',
      'const s = "export function inString(): Waker {}";',
    ].join('\n');
    assert.deepEqual(findFactories(text).map((f) => f.name), ['viaList', 'arrow', 'generic']);
  });

  it('offers every no-argument export when none declares its return type', () => {
    const text = 'export function make() { return new RawWaker(p, V); }\nexport function helper(x) {}\n';
    assert.deepEqual(findFactories(text).map((f) => [f.name, f.returns]), [['make', undefined]]);
  });

  it('finds each `new RawWakerVTable` with its variable, skipping comments', () => {
    const sites = findVtables(example('seed-box-waker.ts'));
    assert.deepEqual(sites.map((s) => [s.variable, s.position.line, s.position.character]), [['VTABLE', 25, 22]]);
    assert.deepEqual(findVtables('// new RawWakerVTable(a, b, c, d)\nfoo(new RawWakerVTable(a, b, c, d));').map((s) => [s.variable, s.position.line]), [[undefined, 1]]);
  });

  it('matches a vtable to the factories that name it, else offers all', () => {
    const text = [
      'const A = new RawWakerVTable(a1, a2, a3, a4);',
      'const B = new RawWakerVTable(b1, b2, b3, b4);',
      'export function makeA(): RawWaker { return new RawWaker(p, A); }',
      'export function makeB(): RawWaker { return new RawWaker(p, B); }',
      'export function makeAB(): RawWaker { return cond ? new RawWaker(p, A) : new RawWaker(p, B); }',
    ].join('\n');
    const factories = findFactories(text);
    const [a, b] = findVtables(text);
    assert.deepEqual(factoriesUsing(text, factories, a).map((f) => f.name), ['makeA', 'makeAB']);
    assert.deepEqual(factoriesUsing(text, factories, b).map((f) => f.name), ['makeB', 'makeAB']);
    const arc = example('arc-waker.ts');
    assert.deepEqual(factoriesUsing(arc, findFactories(arc), findVtables(arc)[0]).map((f) => f.name), ['createWaker']);
  });
});
