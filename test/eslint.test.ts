// The ESLint plugin under @typescript-eslint/rule-tester (mocha) and the ESLint API:
// real code, real typed parser services, the real analyzer.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from '../src/eslint/index';
import { analysisStats, rules } from '../src/eslint/rules';
import { RULE_IDS } from '../src/analysis';
import { RULES } from '../src/analysis/rules';

RuleTester.afterAll = after;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ROOT = resolve(__dirname, '..');
const FIXTURE = resolve(__dirname, 'eslint', 'fixture');

const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: FIXTURE } },
});

// --- The vtable rules: the seed's Arc vtable with one slot swapped for a broken one.

const IMPORTS = "import { Arc, Box, RawWaker, RawWakerVTable, drop, forget, type Ptr } from 'wakerscope/waker';\nclass Task {}\n";

const ARC_SLOTS = {
  clone: `function cloneSlot(ptr: Ptr): RawWaker {
  const arc = Arc.fromRaw<Task>(ptr);
  const arc2 = arc.clone();
  forget(arc);
  return new RawWaker(Arc.intoRaw(arc2), VTABLE);
}`,
  wake: `function wakeSlot(ptr: Ptr): void {
  drop(Arc.fromRaw<Task>(ptr));
}`,
  wakeByRef: `function wakeByRefSlot(ptr: Ptr): void {
  forget(Arc.fromRaw<Task>(ptr));
}`,
  drop: `function dropSlot(ptr: Ptr): void {
  drop(Arc.fromRaw<Task>(ptr));
}`,
};

type Slot = keyof typeof ARC_SLOTS;

function vtable(broken: Partial<Record<Slot, string>> = {}): string {
  const slots = { ...ARC_SLOTS, ...broken };
  return `${IMPORTS}${slots.clone}\n${slots.wake}\n${slots.wakeByRef}\n${slots.drop}\nexport const VTABLE = new RawWakerVTable(cloneSlot, wakeSlot, wakeByRefSlot, dropSlot);\n`;
}

/** The 1-based line and column of `needle` in `code` (computed from the text, not from the analyzer). */
function at(code: string, needle: string): { line: number; column: number; endLine: number; endColumn: number } {
  const index = code.indexOf(needle);
  assert.ok(index >= 0, `'${needle}' not in the test code`);
  const before = code.slice(0, index).split('\n');
  const line = before.length;
  const column = before[before.length - 1]!.length + 1;
  return { line, column, endLine: line, endColumn: column + needle.length };
}

const lineOf = (code: string, needle: string): number => at(code, needle).line;

// The seed's Box vtable: clone copies the pointer, wake and drop free the box.
const SEED_BOX = vtable({
  clone: `function cloneSlot(ptr: Ptr): RawWaker {
  return new RawWaker(ptr, VTABLE);
}`,
  wake: `function wakeSlot(ptr: Ptr): void {
  drop(Box.fromRaw<number>(ptr));
}`,
  wakeByRef: `function wakeByRefSlot(_ptr: Ptr): void {}`,
  drop: `function dropSlot(ptr: Ptr): void {
  drop(Box.fromRaw<number>(ptr));
}`,
});

const WAKE_FORGETS = vtable({
  wake: `function wakeSlot(ptr: Ptr): void {
  forget(Arc.fromRaw<Task>(ptr));
}`,
});

const WAKE_BY_REF_DROPS = vtable({
  wakeByRef: `function wakeByRefSlot(ptr: Ptr): void {
  drop(Arc.fromRaw<Task>(ptr));
}`,
});

const DROP_FORGETS = vtable({
  drop: `function dropSlot(ptr: Ptr): void {
  forget(Arc.fromRaw<Task>(ptr));
}`,
});

ruleTester.run('vtable-clone-no-retain', rules['vtable-clone-no-retain'], {
  valid: [{ name: 'the Arc vtable', code: vtable() }, { name: 'a wakeByRef that releases (another rule)', code: WAKE_BY_REF_DROPS }],
  invalid: [
    {
      name: "the seed's Box vtable",
      code: SEED_BOX,
      errors: [
        {
          messageId: 'finding',
          ...at(SEED_BOX, 'cloneSlot'),
          // The analyzer's message, then its related spans as "… at line N".
          data: {
            message:
              '`cloneSlot` takes 0 references, but `dropSlot` releases 1: a clone and its original free the data twice ' +
              `(\`dropSlot\` releases 1 reference at line ${lineOf(SEED_BOX, 'function dropSlot')}; ` +
              `\`wakeSlot\` releases 1 reference at line ${lineOf(SEED_BOX, 'function wakeSlot')}; ` +
              `the vtable is built at line ${lineOf(SEED_BOX, 'new RawWakerVTable')})`,
          },
        },
      ],
    },
  ],
});

// A slot declared in another file: reported on the argument, the declaration named by file and line.
const CLONE_ELSEWHERE = SEED_BOX.replace("class Task {}\n", "class Task {}\nimport { copyPointer } from './slots';\n").replace('new RawWakerVTable(cloneSlot,', 'new RawWakerVTable(copyPointer,');

ruleTester.run('vtable-clone-no-retain (slot in another file)', rules['vtable-clone-no-retain'], {
  valid: [],
  invalid: [
    {
      name: 'clone slot imported from slots.ts',
      code: CLONE_ELSEWHERE,
      errors: [
        {
          messageId: 'finding',
          ...at(CLONE_ELSEWHERE, 'copyPointer,'),
          endColumn: at(CLONE_ELSEWHERE, 'copyPointer,').endColumn - 1,
          // Related spans in another file read "file:line", relative to ESLint's cwd (here the fixture folder).
          data: {
            message:
              '`copyPointer` takes 0 references, but `dropSlot` releases 1: a clone and its original free the data twice ' +
              `(\`copyPointer\` is declared at slots.ts:${lineOf(readFileSync(resolve(FIXTURE, 'slots.ts'), 'utf8'), 'function copyPointer')}; ` +
              `\`dropSlot\` releases 1 reference at line ${lineOf(CLONE_ELSEWHERE, 'function dropSlot')}; ` +
              `\`wakeSlot\` releases 1 reference at line ${lineOf(CLONE_ELSEWHERE, 'function wakeSlot')}; ` +
              `the vtable is built at line ${lineOf(CLONE_ELSEWHERE, 'new RawWakerVTable')})`,
          },
        },
      ],
    },
  ],
});

ruleTester.run('vtable-wake-no-release', rules['vtable-wake-no-release'], {
  valid: [{ name: 'the Arc vtable', code: vtable() }, { name: "the seed's Box vtable", code: SEED_BOX }],
  invalid: [{ name: 'wake forgets', code: WAKE_FORGETS, errors: [{ messageId: 'finding', ...at(WAKE_FORGETS, 'wakeSlot') }] }],
});

ruleTester.run('vtable-wake-by-ref-releases', rules['vtable-wake-by-ref-releases'], {
  valid: [{ name: 'the Arc vtable', code: vtable() }, { name: "the seed's Box vtable", code: SEED_BOX }],
  invalid: [{ name: 'wakeByRef drops', code: WAKE_BY_REF_DROPS, errors: [{ messageId: 'finding', ...at(WAKE_BY_REF_DROPS, 'wakeByRefSlot') }] }],
});

ruleTester.run('vtable-drop-no-release', rules['vtable-drop-no-release'], {
  valid: [{ name: 'the Arc vtable', code: vtable() }, { name: "the seed's Box vtable", code: SEED_BOX }],
  invalid: [{ name: 'drop forgets', code: DROP_FORGETS, errors: [{ messageId: 'finding', ...at(DROP_FORGETS, 'dropSlot') }] }],
});

// --- Suppressions: a used one is fine, a stale one is reported.

const SUPPRESSED_SEED = SEED_BOX.replace('function cloneSlot', '// wakerscope-ignore-next-line vtable-clone-no-retain -- the seed, on purpose\nfunction cloneSlot');
const STALE_SUPPRESSION = vtable().replace('function cloneSlot', '// wakerscope-ignore-next-line vtable-clone-no-retain\nfunction cloneSlot');

ruleTester.run('unused-suppression', rules['unused-suppression'], {
  valid: [{ name: 'no suppression', code: vtable() }, { name: 'a suppression that suppresses', code: SUPPRESSED_SEED }],
  invalid: [{ name: 'a stale suppression', code: STALE_SUPPRESSION, errors: [{ messageId: 'finding', line: lineOf(STALE_SUPPRESSION, 'wakerscope-ignore-next-line') }] }],
});

ruleTester.run('vtable-clone-no-retain (suppressed)', rules['vtable-clone-no-retain'], {
  valid: [{ name: 'the seed, suppressed', code: SUPPRESSED_SEED }],
  invalid: [],
});

// --- Without type information: one clear report, not a crash.

ruleTester.run('without type information', rules['vtable-clone-no-retain'], {
  valid: [],
  invalid: [
    {
      name: 'no projectService',
      code: SEED_BOX,
      languageOptions: { parserOptions: { projectService: false } },
      errors: [{ messageId: 'needsTypeInformation', line: 1, column: 1 }],
    },
  ],
});

// --- The plugin object and the ESLint API.

function typedConfig(cwd: string): Linter.Config {
  return { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: cwd } } };
}

describe('wakerscope/eslint plugin', () => {
  it('has one rule per analyzer rule id, with declarative meta and a docs url', () => {
    assert.deepEqual(Object.keys(plugin.rules).sort(), [...RULE_IDS].sort());
    for (const id of RULE_IDS) {
      const meta = plugin.rules[id]!.meta!;
      assert.equal(meta.type, 'problem');
      assert.equal(meta.docs?.description, RULES[id].description);
      assert.match(meta.docs?.url ?? '', new RegExp(`/docs/rules/${id}\\.md$`));
      assert.deepEqual(meta.schema, []);
      assert.equal(meta.hasSuggestions, true);
    }
    assert.equal(plugin.meta.name, 'wakerscope');
    assert.match(plugin.meta.version, /^\d+\.\d+\.\d+/);
  });

  it('recommended keeps the default levels; strict makes every rule an error', () => {
    const recommended = plugin.configs.recommended.rules!;
    const strict = plugin.configs.strict.rules!;
    for (const id of RULE_IDS) {
      assert.equal(recommended[`wakerscope/${id}`], RULES[id].defaultLevel);
      assert.equal(strict[`wakerscope/${id}`], 'error');
    }
    assert.equal(recommended['wakerscope/unused-suppression'], 'warn');
    assert.equal(recommended['wakerscope/vtable-clone-no-retain'], 'error');
    assert.equal(plugin.configs.recommended.plugins!.wakerscope, plugin, 'configs must name the plugin object itself');
  });

  it('lints examples/ with the recommended config and finds the seed Box vtable bug', async () => {
    const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: [typedConfig(ROOT), plugin.configs.recommended] });
    const results = await eslint.lintFiles(['examples/']);
    const seed = results.find((result) => result.filePath.endsWith('seed-box-waker.ts'));
    assert.ok(seed, `examples/seed-box-waker.ts not linted (linted: ${results.map((r) => r.filePath).join(', ')})`);
    const bug = seed.messages.find((message) => message.ruleId === 'wakerscope/vtable-clone-no-retain');
    assert.ok(bug, `no vtable-clone-no-retain in ${JSON.stringify(seed.messages)}`);
    assert.equal(bug.severity, 2);
    assert.equal(bug.line, 12, 'reported on `myClone`');
    assert.match(bug.message, /`myClone` takes 0 references, but `myDrop` releases 1/);
    // The seed's Arc runtime is the correct one.
    const arc = results.find((result) => result.filePath.endsWith('arc-waker.ts'));
    assert.deepEqual(arc?.messages.filter((m) => m.ruleId?.startsWith('wakerscope/')), []);
  });

  it('runs the analyzer once per file however many rules are on', async () => {
    const before = analysisStats.analyses;
    const linter = new Linter({ cwd: ROOT });
    const config = [typedConfig(ROOT), plugin.configs.strict];
    const messages = linter.verify(SEED_BOX, config as Linter.Config[], { filename: resolve(FIXTURE, 'file.ts') });
    assert.equal(analysisStats.analyses - before, 1, `${RULE_IDS.length} rules should share one analysis`);
    assert.deepEqual(messages.map((m) => m.ruleId), ['wakerscope/vtable-clone-no-retain']);
  });

  it('reports missing type information once per file, not once per rule', () => {
    const linter = new Linter({ cwd: ROOT });
    const config: Linter.Config[] = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, plugin.configs.strict];
    const messages = linter.verify(SEED_BOX, config, { filename: resolve(FIXTURE, 'file.ts') });
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.match(messages[0]!.message, /^wakerscope rules need type information: set languageOptions\.parserOptions\.projectService/);
    assert.equal(messages[0]!.line, 1);
  });

  it('reports missing type information under the default JavaScript parser too', () => {
    const linter = new Linter({ cwd: ROOT });
    const allRules = Object.fromEntries(RULE_IDS.map((id) => [`wakerscope/${id}`, 'error' as const]));
    const config: Linter.Config[] = [{ files: ['**/*.js'], plugins: { wakerscope: plugin }, rules: allRules }];
    const messages = linter.verify('const waker = 1;\n', config, { filename: resolve(FIXTURE, 'file.js') });
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.match(messages[0]!.message, /need type information/);
  });
});
