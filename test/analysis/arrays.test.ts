// src/analysis/arrays.ts: the hot paths' arrays keep one elements kind whatever
// tier V8 runs their maker in. The premise is V8's behaviour, so it is checked
// in a real V8 (a child node with natives syntax): if `map` ever stops
// returning a holey array once optimised, the premise's assertion says so and
// the helpers can go.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { mapKeepingSame, packedFlatMap, packedMap } from '../../src/analysis/arrays';

const ANALYSIS = join(__dirname, '..', '..', 'src', 'analysis');
const ARRAYS = join(ANALYSIS, 'arrays.ts');
/** The passes that run for every unit and vtable site, where the arrays they hand on meet optimised code. */
const HOT_PASSES = ['flow', 'vtable'];

/** `file:line` of every `x.map(…)` and `x.flatMap(…)` call in `text`. */
function mapCalls(fileName: string, text: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['map', 'flatMap'].includes(node.expression.name.text)) {
      found.push(`${fileName}:${file.getLineAndCharacterOfPosition(node.expression.name.getStart(file)).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).map((name) => join(dir, name));
}

/** For each builder, whether it returns a holey array interpreted and once optimised by TurboFan (one child process). */
function holeyInEachTier(builders: Record<string, string>): Record<string, { interpreted: boolean; optimised: boolean }> {
  const script = `
    const { packedMap, packedFlatMap } = require(${JSON.stringify(ARRAYS)});
    const items = [{ a: 1 }, { a: 2 }];
    const result = {};
    for (const [name, build] of Object.entries({ ${Object.entries(builders).map(([name, build]) => `${JSON.stringify(name)}: ${build}`).join(', ')} })) {
      %PrepareFunctionForOptimization(build);
      const interpreted = %HasHoleyElements(build(items));
      build(items);
      %OptimizeFunctionOnNextCall(build);
      result[name] = { interpreted, optimised: %HasHoleyElements(build(items)) };
    }
    process.stdout.write(JSON.stringify(result));`;
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

describe('analysis: arrays built in one elements kind', () => {
  it("packedMap and packedFlatMap are packed in both tiers, where V8's map is holey once optimised", () => {
    const tiers = holeyInEachTier({
      map: '(items) => items.map((item) => [item])',
      packedMap: '(items) => packedMap(items, (item) => [item])',
      packedFlatMap: '(items) => packedFlatMap(items, (item) => [item, item])',
    });
    // The premise: if this fails, V8 no longer changes map's kind with the tier, and the helpers can go.
    assert.deepEqual(tiers.map, { interpreted: false, optimised: true });
    assert.deepEqual(tiers.packedMap, { interpreted: false, optimised: false });
    assert.deepEqual(tiers.packedFlatMap, { interpreted: false, optimised: false });
  });

  it('the flow and vtable passes build with them, never with map or flatMap', () => {
    const files = HOT_PASSES.flatMap((pass) => sourcesUnder(join(ANALYSIS, pass)));
    assert.ok(files.length > 10, `found ${files.length} files`);
    assert.deepEqual(files.flatMap((path) => mapCalls(relative(ANALYSIS, path), readFileSync(path, 'utf8'))), []);
    assert.deepEqual(mapCalls('x.ts', 'const a = xs.map((x) => x);\nys.flatMap(f);'), ['x.ts:1', 'x.ts:2']);
  });

  it('give what map and flatMap give, from any iterable', () => {
    assert.deepEqual(packedMap([1, 2, 3], (n) => n * 2), [2, 4, 6]);
    assert.deepEqual(packedMap(new Set(['a', 'b']).values(), (s) => s.toUpperCase()), ['A', 'B']);
    assert.deepEqual(packedMap([], (n: number) => n), []);
    assert.deepEqual(packedFlatMap([1, 2], (n) => [n, -n]), [1, -1, 2, -2]);
    assert.deepEqual(packedFlatMap([1, 2], () => []), []);
    assert.deepEqual(packedMap(['a', 'b'], (s, index) => `${s}${index}`), ['a0', 'b1']);
    assert.deepEqual(packedFlatMap(['a', 'b'], (s, index) => [index, s]), [0, 'a', 1, 'b']);
  });

  it('read an array by index, never through an iterator (an iterator and a result object per element are garbage)', () => {
    const noIterator = <T>(items: T[]): T[] => {
      items[Symbol.iterator] = () => assert.fail('iterated');
      return items;
    };
    assert.deepEqual(packedMap(noIterator([1, 2]), (n) => n + 1), [2, 3]);
    assert.deepEqual(packedFlatMap(noIterator([1, 2]), (n) => noIterator([n, -n])), [1, -1, 2, -2]);
  });
});

describe('analysis: mapKeepingSame', () => {
  it('returns the array itself when every item maps to itself, and a copy with the mapped items otherwise', () => {
    const items = [{ n: 1 }, { n: 2 }, { n: 3 }];
    assert.equal(mapKeepingSame(items, (item) => item), items);
    const doubled = mapKeepingSame(items, (item) => (item.n === 1 ? item : { n: item.n * 2 }));
    assert.notEqual(doubled, items);
    assert.deepEqual(doubled, [{ n: 1 }, { n: 4 }, { n: 6 }]);
    assert.equal(doubled[0], items[0]);
    assert.deepEqual(items, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  });
});
