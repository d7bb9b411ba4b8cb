import { strict as assert } from 'node:assert';
import ts from 'typescript';
import { hintedUnits } from '../../src/analysis/flow/index';

/** The names of the functions `hintedUnits` picks in `text` (the file's own top level aside). */
function hintedFunctions(text: string): string[] {
  const file = ts.createSourceFile('t.ts', text, ts.ScriptTarget.Latest, /*setParentNodes*/ true, ts.ScriptKind.TS);
  return hintedUnits(ts, file)
    .map((unit) => unit.root)
    .filter((root): root is ts.MethodDeclaration | ts.FunctionDeclaration => root !== file)
    .map((root) => (root.name as ts.Identifier).text);
}

// A method that touches a field and names nothing of the library is analysed
// exactly when the field's declared type names an owned type (see ownedFieldsOf).
describe('hintedUnits: fields declared with an owned type', () => {
  const cases: [string, string, boolean][] = [
    ['an annotated property', 'class Q { private slots: (Waker | undefined)[] = []; touch(k: number) { this.slots[k] = undefined; } }', true],
    ['an alias of an owned type', 'type Slot = Waker | undefined;\nclass Q { slots: Slot[] = []; touch() { this.slots.length = 0; } }', true],
    ['a record holding one', 'interface Waiter { id: number; waker: Waker }\nclass Q { queue: Waiter[] = []; touch() { this.queue.shift(); } }', true],
    ['a type literal alias holding one', 'type Waiter = { waker?: Arc<number> };\nclass Q { queue: Waiter[] = []; touch() { this.queue.pop(); } }', true],
    ['a private name typed by its initializer', 'class Q { #waiters = new Map<number, Box<number>>(); touch() { this.#waiters.clear(); } }', true],
    ["an object literal's member", 'const registry: { pending: RawWaker[] } = { pending: [] };\nfunction touch() { registry.pending.pop(); }', true],
    ['a name that only contains one', 'class Q { slots: Boxed[] = []; touch() { this.slots.pop(); } }', false],
    ['WakerRef (borrowed, not owned)', 'class Q { refs: WakerRef[] = []; touch() { this.refs.pop(); } }', false],
    ['a plain type', 'class Q { slots: number[] = []; touch() { this.slots.pop(); } }', false],
  ];
  for (const [what, text, hinted] of cases) {
    it(`${hinted ? 'analyses' : 'skips'} a method touching ${what}`, () => {
      assert.deepEqual(hintedFunctions(text), hinted ? ['touch'] : []);
    });
  }

  it('counts an alias of an earlier alias, in declaration order', () => {
    const text = 'type Inner = Waker;\ntype Outer = Inner | undefined;\nclass Q { slots: Outer[] = []; touch() { this.slots.pop(); } }';
    assert.deepEqual(hintedFunctions(text), ['touch']);
    const reversed = 'type Outer = Inner | undefined;\ntype Inner = Waker;\nclass Q { slots: Outer[] = []; touch() { this.slots.pop(); } }';
    assert.deepEqual(hintedFunctions(reversed), []);
  });

  it('finds the field where the text spells a name with an escape (nothing skipped there)', () => {
    const text = 'class Q { slots: Waker[] = []; touch() { this.slots.pop(); } other() { const \\u0077ake = 1; } }';
    assert.deepEqual(hintedFunctions(text), ['touch', 'other']);
  });
});
