// Factories and vtables for the simulation commands and the code lens, found by
// walking TypeScript's syntax tree (src/analysis/factories.ts).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { factoriesUsing, findFactories, findVtables } from '../../src/analysis/index';

const parse = (text: string) => ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
const example = (name: string) => readFileSync(join(__dirname, '..', '..', 'examples', name), 'utf8');
const factoriesIn = (text: string) => findFactories(ts, parse(text));
const vtablesIn = (text: string) => findVtables(ts, parse(text));

describe('analysis: vtable factories and vtables in a file, by its syntax', () => {
  it('finds the seed factory, not its unexported slot functions', () => {
    assert.deepEqual(factoriesIn(example('seed-box-waker.ts')).map((f) => [f.name, f.returns, f.position.line]), [['createRawWaker', 'RawWaker', 6]]);
  });

  it('skips factories that need arguments (arcWaker(task)) and keeps createWaker', () => {
    assert.deepEqual(factoriesIn(example('arc-waker.ts')).map((f) => f.name), ['createWaker']);
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
    assert.deepEqual(factoriesIn(text).map((f) => f.name), ['viaList', 'arrow', 'generic']);
  });

  it('is not fooled by a regex literal with a backtick: the factories after it are still found', () => {
    const text = [
      'const fence = /`+/;',
      'export function first(): RawWaker { return r; }',
      "const template = `${'`'}`;",
      'export function second(): Waker { return w; }',
      'const VTABLE = new RawWakerVTable(c, w, b, d);',
    ].join('\n');
    assert.deepEqual(factoriesIn(text).map((f) => [f.name, f.position.line]), [['first', 1], ['second', 3]]);
    assert.deepEqual(vtablesIn(text).map((v) => [v.variable, v.position.line]), [['VTABLE', 4]]);
  });

  it('offers every no-argument export when none declares its return type', () => {
    const text = 'export function make() { return new RawWaker(p, V); }\nexport function helper(x) {}\n';
    assert.deepEqual(factoriesIn(text).map((f) => [f.name, f.returns]), [['make', undefined]]);
  });

  it('finds each `new RawWakerVTable` with its variable, skipping comments, through `as` and parentheses', () => {
    assert.deepEqual(vtablesIn(example('seed-box-waker.ts')).map((s) => [s.variable, s.position.line, s.position.character]), [['VTABLE', 25, 22]]);
    assert.deepEqual(vtablesIn('// new RawWakerVTable(a, b, c, d)\nfoo(new RawWakerVTable(a, b, c, d));').map((s) => [s.variable, s.position.line]), [[undefined, 1]]);
    assert.deepEqual(vtablesIn('const V = (new RawWakerVTable(a, b, c, d) as RawWakerVTable);').map((s) => s.variable), ['V']);
  });

  it('matches a vtable to the factories that name it, else offers all', () => {
    const text = [
      'const A = new RawWakerVTable(a1, a2, a3, a4);',
      'const B = new RawWakerVTable(b1, b2, b3, b4);',
      'export function makeA(): RawWaker { return new RawWaker(p, A); }',
      'export function makeB(): RawWaker { return new RawWaker(p, B); }',
      'export function makeAB(): RawWaker { return cond ? new RawWaker(p, A) : new RawWaker(p, B); }',
    ].join('\n');
    const factories = factoriesIn(text);
    const [a, b] = vtablesIn(text);
    assert.deepEqual(factoriesUsing(ts, factories, a!).map((f) => f.name), ['makeA', 'makeAB']);
    assert.deepEqual(factoriesUsing(ts, factories, b!).map((f) => f.name), ['makeB', 'makeAB']);
    const arc = parse(example('arc-waker.ts'));
    assert.deepEqual(factoriesUsing(ts, findFactories(ts, arc), findVtables(ts, arc)[0]!).map((f) => f.name), ['createWaker']);
  });
});
