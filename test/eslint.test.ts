// The ESLint plugin under @typescript-eslint/rule-tester (mocha) and the ESLint API:
// real code, real typed parser services, the real analyzer.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from '../src/eslint/index';
import { analysisStats, applicableFixes, rules } from '../src/eslint/rules';
import { RULE_IDS, type Finding } from '../src/analysis';
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
          // A Box has one owner: the clone gets a box of its own (never an Arc count on a Box pointer).
          suggestions: [
            {
              messageId: 'suggestion',
              data: { title: "Give `cloneSlot`'s waker a box of its own, holding a copy of the value" },
              output: SEED_BOX.replace(
                '  return new RawWaker(ptr, VTABLE);',
                '  const original = Box.fromRaw<number>(ptr);\n  const copy = Box.new(original.value);\n  forget(original);\n  return new RawWaker(Box.intoRaw(copy), VTABLE);',
              ),
            },
          ],
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
  invalid: [
    {
      name: 'wakeByRef drops, with forget as a suggestion',
      code: WAKE_BY_REF_DROPS,
      errors: [
        {
          messageId: 'finding',
          ...at(WAKE_BY_REF_DROPS, 'wakeByRefSlot'),
          suggestions: [
            {
              messageId: 'suggestion',
              data: { title: 'Use `forget` instead of `drop` in `wakeByRefSlot`: it only borrows the waker' },
              output: WAKE_BY_REF_DROPS.replace('void {\n  drop(Arc.fromRaw<Task>(ptr));\n}\nfunction dropSlot', 'void {\n  forget(Arc.fromRaw<Task>(ptr));\n}\nfunction dropSlot'),
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('vtable-drop-no-release', rules['vtable-drop-no-release'], {
  valid: [{ name: 'the Arc vtable', code: vtable() }, { name: "the seed's Box vtable", code: SEED_BOX }],
  invalid: [{ name: 'drop forgets', code: DROP_FORGETS, errors: [{ messageId: 'finding', ...at(DROP_FORGETS, 'dropSlot') }] }],
});

// --- The flow rules: one function each, the buggy version and the fixed one.

const WAKER_IMPORT = "import { Waker, type WakerRef } from 'wakerscope/waker';\n";

const WOKEN_TWICE = `${WAKER_IMPORT}
export function twice(source: WakerRef): void {
  const waker = source.clone();
  waker.wake();
  waker.wake();
}
`;

const WOKEN_ON_ONE_BRANCH = `${WAKER_IMPORT}
export function maybe(source: WakerRef, urgent: boolean): void {
  const waker = source.clone();
  if (urgent) {
    waker.wake();
  }
  waker.wakeByRef();
  waker.drop();
}
`;

// The report is on the second `waker.wake()`; the fixes change the first, which consumed the waker.
const FIRST_WAKE = WOKEN_TWICE.indexOf('waker.wake()');
const SECOND_WAKE = WOKEN_TWICE.lastIndexOf('waker.wake()');
const lineAt = (code: string, index: number): number => code.slice(0, index).split('\n').length;
const editAt = (code: string, index: number, remove: number, insert: string): string => code.slice(0, index) + insert + code.slice(index + remove);

ruleTester.run('use-after-wake', rules['use-after-wake'], {
  valid: [
    {
      name: 'wakeByRef then wake',
      code: `${WAKER_IMPORT}
export function once(source: WakerRef): void {
  const waker = source.clone();
  waker.wakeByRef();
  waker.wake();
}
`,
    },
  ],
  invalid: [
    {
      name: 'woken twice, with both quick fixes as suggestions',
      code: WOKEN_TWICE,
      errors: [
        {
          messageId: 'finding',
          line: lineAt(WOKEN_TWICE, SECOND_WAKE),
          column: 3,
          data: { message: `use of \`waker\` after it was woken (\`waker\` woken at line ${lineAt(WOKEN_TWICE, FIRST_WAKE)})` },
          suggestions: [
            { messageId: 'suggestion', data: { title: 'Use `wakeByRef()` here' }, output: editAt(WOKEN_TWICE, FIRST_WAKE + 'waker.'.length, 'wake'.length, 'wakeByRef') },
            { messageId: 'suggestion', data: { title: 'Clone before waking' }, output: editAt(WOKEN_TWICE, FIRST_WAKE + 'waker'.length, 0, '.clone()') },
          ],
        },
      ],
    },
    {
      name: 'woken on one branch: the message says when',
      code: WOKEN_ON_ONE_BRANCH,
      errors: [
        {
          messageId: 'finding',
          ...at(WOKEN_ON_ONE_BRANCH, 'waker.wakeByRef'),
          endColumn: at(WOKEN_ON_ONE_BRANCH, 'waker.wakeByRef').column + 'waker'.length,
          data: { message: `use of \`waker\` after it was woken when \`urgent\` is true (\`waker\` woken at line ${lineOf(WOKEN_ON_ONE_BRANCH, 'waker.wake()')})` },
          suggestions: [
            { messageId: 'suggestion', data: { title: 'Use `wakeByRef()` here' }, output: WOKEN_ON_ONE_BRANCH.replace('waker.wake()', 'waker.wakeByRef()') },
            { messageId: 'suggestion', data: { title: 'Clone before waking' }, output: WOKEN_ON_ONE_BRANCH.replace('waker.wake()', 'waker.clone().wake()') },
          ],
        },
      ],
    },
  ],
});

const BOX_IMPORT = "import { Box, drop } from 'wakerscope/waker';\n";
const READ_AFTER_DROP = `${BOX_IMPORT}
export function late(): number {
  const box = Box.new(1);
  drop(box);
  return box.value;
}
`;

ruleTester.run('use-after-drop', rules['use-after-drop'], {
  valid: [
    {
      name: 'read, then drop',
      code: `${BOX_IMPORT}
export function early(): number {
  const box = Box.new(1);
  const value = box.value;
  drop(box);
  return value;
}
`,
    },
  ],
  invalid: [
    {
      name: 'a Box read after drop',
      code: READ_AFTER_DROP,
      errors: [
        {
          messageId: 'finding',
          ...at(READ_AFTER_DROP, 'box.value'),
          endColumn: at(READ_AFTER_DROP, 'box.value').column + 'box'.length,
          data: { message: `use of \`box\` after it was dropped (\`box\` dropped at line ${lineOf(READ_AFTER_DROP, 'drop(box)')})` },
        },
      ],
    },
  ],
});

const KEEP = `${WAKER_IMPORT}
const kept: Waker[] = [];
function keep(waker: Waker): void {
  kept.push(waker);
}
`;
const USED_AFTER_MOVE = `${KEEP}
export function moved(source: WakerRef): void {
  const waker = source.clone();
  keep(waker);
  waker.wakeByRef();
}
`;

ruleTester.run('use-after-move', rules['use-after-move'], {
  valid: [
    {
      name: 'a clone moved, the original kept',
      code: `${KEEP}
export function cloned(source: WakerRef): void {
  const waker = source.clone();
  keep(waker.clone());
  waker.wake();
}
`,
    },
  ],
  invalid: [
    {
      name: 'used after being passed by value',
      code: USED_AFTER_MOVE,
      errors: [
        {
          messageId: 'finding',
          ...at(USED_AFTER_MOVE, 'waker.wakeByRef'),
          endColumn: at(USED_AFTER_MOVE, 'waker.wakeByRef').column + 'waker'.length,
          data: { message: `use of \`waker\` after it was moved (value moved into \`keep\` at line ${lineOf(USED_AFTER_MOVE, 'keep(waker)')})` },
        },
      ],
    },
  ],
});

const LEAKED_CLONE = `${WAKER_IMPORT}
export function leak(source: WakerRef): void {
  const copy = source.clone();
  copy.wakeByRef();
}
`;

ruleTester.run('clone-without-drop', rules['clone-without-drop'], {
  valid: [
    {
      name: 'declared with using',
      code: `${WAKER_IMPORT}
export function scoped(source: WakerRef): void {
  using copy = source.clone();
  copy.wakeByRef();
}
`,
    },
  ],
  invalid: [
    {
      name: 'a clone that is never dropped, with both quick fixes as suggestions',
      code: LEAKED_CLONE,
      errors: [
        {
          messageId: 'finding',
          ...at(LEAKED_CLONE, 'source.clone()'),
          data: {
            message: `\`copy\` is never dropped, woken or moved: it leaks (\`copy\` cloned at line ${lineOf(LEAKED_CLONE, 'source.clone()')}; \`copy\` goes out of scope at line ${lineOf(LEAKED_CLONE, 'copy.wakeByRef') + 1})`,
          },
          suggestions: [
            { messageId: 'suggestion', data: { title: 'Declare with `using`' }, output: LEAKED_CLONE.replace('const copy', 'using copy') },
            { messageId: 'suggestion', data: { title: 'Drop at the end of the scope' }, output: LEAKED_CLONE.replace('copy.wakeByRef();\n', 'copy.wakeByRef();\n  copy.drop();\n') },
          ],
        },
      ],
    },
  ],
});

const FUTURE_IMPORT = "import { Poll, type Context, type Future, type Waker } from 'wakerscope/waker';\n";
const NEVER_WOKEN = `${FUTURE_IMPORT}
export class Never implements Future<number> {
  poll(cx: Context): Poll<number> {
    return Poll.pending();
  }
}
`;

ruleTester.run('lost-wakeup', rules['lost-wakeup'], {
  valid: [
    {
      name: 'the waker is kept for later',
      code: `${FUTURE_IMPORT}
export class Later implements Future<number> {
  waker: Waker | undefined;
  poll(cx: Context): Poll<number> {
    this.waker = cx.waker().clone();
    return Poll.pending();
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'pending without keeping or waking the waker',
      code: NEVER_WOKEN,
      errors: [
        {
          messageId: 'finding',
          ...at(NEVER_WOKEN, 'return Poll.pending();'),
          data: {
            message: `\`poll\` returns \`Poll.pending()\` without keeping or waking \`cx\`'s waker: nothing will poll this future again (\`cx\` received at line ${lineOf(NEVER_WOKEN, 'poll(cx')})`,
          },
          suggestions: [
            {
              messageId: 'suggestion',
              data: { title: 'Wake the task again (`cx.waker().wakeByRef()`)' },
              output: NEVER_WOKEN.replace('return Poll.pending();', 'cx.waker().wakeByRef();\n    return Poll.pending();'),
            },
          ],
        },
      ],
    },
  ],
});

// --- Suppressions: a used one is fine, a stale one is reported.

const SUPPRESSED_SEED = SEED_BOX.replace('function cloneSlot', '// wakerscope-ignore-next-line vtable-clone-no-retain -- the seed, on purpose\nfunction cloneSlot');
const STALE_SUPPRESSION = vtable().replace('function cloneSlot', '// wakerscope-ignore-next-line vtable-clone-no-retain\nfunction cloneSlot');

ruleTester.run('unused-suppression', rules['unused-suppression'], {
  valid: [{ name: 'no suppression', code: vtable() }, { name: 'a suppression that suppresses', code: SUPPRESSED_SEED }],
  invalid: [
    {
      name: 'a stale suppression, with its removal as a suggestion',
      code: STALE_SUPPRESSION,
      errors: [
        {
          messageId: 'finding',
          line: lineOf(STALE_SUPPRESSION, 'wakerscope-ignore-next-line'),
          suggestions: [{ messageId: 'suggestion', data: { title: 'Remove the comment' }, output: vtable() }],
        },
      ],
    },
  ],
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
      assert.ok(existsSync(resolve(ROOT, RULES[id].docs)), `the docs url of ${id} names a page that does not exist`);
      assert.deepEqual(meta.schema, []);
      assert.equal(meta.hasSuggestions, true);
    }
    assert.equal(plugin.meta.name, 'wakerscope');
    assert.match(plugin.meta.version, /^\d+\.\d+\.\d+/);
  });

  it('offers only quick fixes ESLint can apply: edits in this file, not overlapping', () => {
    const edit = (file: string, start: number, end: number) => ({ file, start, end, newText: 'x' });
    const finding: Finding = {
      rule: 'use-after-wake',
      severity: 'error',
      message: 'm',
      span: { file: '/p/a.ts', start: 0, end: 1 },
      related: [],
      fixes: [
        { title: 'two edits here', edits: [edit('/p/a.ts', 10, 12), edit('/p/a.ts', 2, 10)] },
        { title: 'touches another file', edits: [edit('/p/a.ts', 0, 1), edit('/p/b.ts', 0, 1)] },
        { title: 'overlapping', edits: [edit('/p/a.ts', 0, 5), edit('/p/a.ts', 4, 6)] },
        { title: 'nothing', edits: [] },
      ],
    };
    assert.deepEqual(applicableFixes(finding, '/p/a.ts').map((fix) => fix.title), ['two edits here']);
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
