import { strict as assert } from 'node:assert';
import ts from 'typescript';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HINTS, hintedUnits } from '../../src/analysis/flow/index';
import { wholeWordOffsets, wordOffsets, wordsPattern, wordStarts } from '../../src/analysis/mentions';

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
    // The incremental analyzer asks for one body's units of a new file version: the fields are found without the file's hint words.
    it(`${hinted ? 'analyses' : 'skips'} a method touching ${what}, asked for that body alone`, () => {
      const file = ts.createSourceFile('t.ts', text, ts.ScriptTarget.Latest, /*setParentNodes*/ true, ts.ScriptKind.TS);
      const touch = findFunction(file, 'touch');
      assert.deepEqual(hintedUnits(ts, touch).map((unit) => unit.root === touch), hinted ? [true] : []);
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

/** The function or method named `name` in `file`. */
function findFunction(file: ts.SourceFile, name: string): ts.FunctionDeclaration | ts.MethodDeclaration {
  let found: ts.FunctionDeclaration | ts.MethodDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && ts.isIdentifier(node.name) && node.name.text === name) found ??= node;
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

describe('wordStarts', () => {
  it('finds what wordOffsets finds, for the flow pass\'s hint words', () => {
    const pattern = wordsPattern(HINTS);
    const texts = ['wake', 'waker wakeByRef _wake wake_ $wake wake$ 1poll poll1 Waker RawWaker WakerRef', 'Arc<Box<Waker>>|RawWaker\nArc.fromRaw(Waker)éWaker cx.waker().clone()', ''];
    const fixtures = path.join(__dirname, '..', 'fixtures', 'flow');
    for (const name of fs.readdirSync(fixtures).filter((name) => name.endsWith('.ts'))) texts.push(fs.readFileSync(path.join(fixtures, name), 'utf8'));
    for (const text of texts) assert.deepEqual(wordStarts(text, pattern), wordOffsets(text, pattern));
  });
});

describe('wholeWordOffsets', () => {
  const words = ['Waker', 'Box', 'Arc', 'RawWaker'];
  it('finds what the whole-word pattern finds', () => {
    const texts = ['Waker', 'RawWaker WakerRef _Waker Waker_ $Waker Waker$ 1Box Box1 Boxed', 'Arc<Box<Waker>>|RawWaker\nArc.fromRaw(Waker)éWaker', ''];
    const fixtures = path.join(__dirname, '..', 'fixtures', 'flow');
    for (const name of fs.readdirSync(fixtures).filter((name) => name.endsWith('.ts'))) texts.push(fs.readFileSync(path.join(fixtures, name), 'utf8'));
    for (const text of texts) assert.deepEqual(wholeWordOffsets(text, words), wordOffsets(text, wordsPattern(words)));
  });
});
