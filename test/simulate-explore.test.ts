// The explorer's state reduction: breadth first over distinct states, with the
// same shortest sequence per outcome as running every sequence, and a fallback
// (said so) when the module keeps state the explorer cannot read.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { enumerateSequences, explore, exploreEverySequenceRun, SimulationError, type Exploration } from '../src/simulate';
import { plainFallback } from '../src/simulate/explore';
import { moduleBindings } from '../src/simulate/module-bindings';

const ROOT = resolve(__dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'simulate');

/** Plain enumeration's answer (every sequence run) beside the reduced one. */
async function bothWays(module: string, factory: string, depth: number): Promise<{ reduced: Exploration; plain: Exploration }> {
  const reduced = await explore(module, factory, { depth });
  const plain = await exploreEverySequenceRun(module, factory, { depth });
  return { reduced, plain };
}

describe('simulate: explore with state reduction', function () {
  this.timeout(300_000);

  // Depth 5 for the seed here (5,093 sequences run plainly); bench/explore.ts compares both examples at depth 6.
  for (const [name, module, factory, depth] of [
    ['the seed Box vtable', join(ROOT, 'examples', 'seed-box-waker.ts'), 'createRawWaker', 5],
    ['the Arc vtable', join(ROOT, 'examples', 'arc-waker.ts'), 'createWaker', 4],
    ['a vtable counting in a Map and a global (module-state.ts)', join(FIXTURES, 'module-state.ts'), 'createRawWaker', 4],
    ['a vtable whose wake frees once wake and wake_by_ref calls reach 2, counted at top level', join(FIXTURES, 'counted-wakes.ts'), 'createRawWaker', 4],
  ] as const) {
    it(`${name}: per outcome the same shortest sequence, length and message as running every sequence, in fewer runs`, async () => {
      const { reduced, plain } = await bothWays(module, factory, depth);
      assert.equal(reduced.reduction?.kind, 'states', JSON.stringify(reduced.reduction));
      assert.deepEqual(reduced.outcomes, plain.outcomes);
      assert.ok(reduced.explored < plain.explored, `${reduced.explored} runs, not fewer than ${plain.explored}`);
    });
  }

  it('the counted vtable: `new; clone 0` and `new; clone 0; wake_by_ref 0` look alike but for the count, and only the count reveals the double free', async () => {
    const exploration = await explore(join(FIXTURES, 'counted-wakes.ts'), 'createRawWaker', { depth: 4 });
    const doubleFree = exploration.outcomes.find((o) => o.outcome === 'double-free');
    assert.equal(doubleFree?.sequence, 'new; clone 0; wake_by_ref 0; wake 0; wake 1');
  });

  for (const [name, file, reason] of [
    ['a counter captured by a closure', 'hidden-closure.ts', /`countWake` is a closure|a closure or bound function/],
    ['a queue with a #private field', 'private-queue.ts', /private fields/],
  ] as const) {
    it(`${name}: falls back to running every sequence, says why, and finds what that finds`, async () => {
      const { reduced, plain } = await bothWays(join(FIXTURES, file), 'createRawWaker', 4);
      assert.equal(reduced.reduction?.kind, 'none');
      assert.match(reduced.reduction?.kind === 'none' ? reduced.reduction.reason : '', reason);
      assert.equal(reduced.explored, plain.explored);
      assert.deepEqual(reduced.outcomes, plain.outcomes);
      assert.ok(plain.outcomes.some((o) => o.outcome === 'double-free'), 'the hidden state matters: some sequence double-frees');
    });
  }

  it('goes to depth 12 in shortest-per-outcome mode', async () => {
    const deep = await explore(join(ROOT, 'examples', 'seed-box-waker.ts'), 'createRawWaker', { depth: 12 });
    assert.equal(deep.depth, 12);
    assert.equal(deep.reduction?.kind, 'states');
    assert.deepEqual(
      deep.outcomes.map((o) => [o.outcome, o.sequence]),
      [['double-free', 'new; clone 0; wake 0; wake 1'], ['leak', 'new'], ['ok', 'new; wake 0']],
    );
  });

  it('without state reduction the depth is capped at 6, and the reason says so', () => {
    assert.deepEqual(plainFallback(5, 'why'), { depth: 5, reason: 'why' });
    assert.deepEqual(plainFallback(9, 'why'), { depth: 6, reason: 'why; without state reduction the depth is capped at 6' });
  });

  it('reports progress after each level', async () => {
    const levels: number[] = [];
    await explore(join(ROOT, 'examples', 'seed-box-waker.ts'), 'createRawWaker', { depth: 3, onLevel: (p) => levels.push(p.length) });
    assert.deepEqual(levels, [0, 1, 2, 3]);
  });

  it('refuses depths out of range, saying why --all has a cap', async () => {
    const seed = join(ROOT, 'examples', 'seed-box-waker.ts');
    await assert.rejects(explore(seed, 'createRawWaker', { depth: 7, all: true }), (error: Error) => {
      assert.ok(error instanceof SimulationError);
      assert.match(error.message, /0–6 .*half a million/);
      return true;
    });
    await assert.rejects(explore(seed, 'createRawWaker', { depth: 13 }), /0–12/);
  });
});

describe('simulate: explore --all shares runs between prefixes that leave the same state', function () {
  this.timeout(300_000);

  /** `--all`, with how many runs it took (the last level's progress report), beside running every sequence. */
  async function sharedAndPlain(module: string, factory: string, depth: number): Promise<{ shared: Exploration; runs: number; plain: Exploration }> {
    let runs = Infinity;
    const shared = await explore(module, factory, { depth, all: true, onLevel: (progress) => (runs = progress.explored) });
    const plain = await exploreEverySequenceRun(module, factory, { depth });
    return { shared, runs, plain };
  }

  // The bar: the same verdict on every sequence to depth 6, on the examples. Plain
  // enumeration runs 54,641 sequences for each (about 7 s on two idle cores); shortest-per-outcome
  // mode is compared too.
  for (const [name, module, factory] of [
    ['the seed Box vtable', join(ROOT, 'examples', 'seed-box-waker.ts'), 'createRawWaker'],
    ['the Arc example', join(ROOT, 'examples', 'arc-waker.ts'), 'createWaker'],
  ] as const) {
    it(`${name}: at depth 6, every sequence's outcome and each outcome's shortest sequence and message are plain enumeration's, from a fraction of the runs`, async () => {
      const { shared, runs, plain } = await sharedAndPlain(module, factory, 6);
      assert.equal(plain.all?.length, enumerateSequences(6).length);
      assert.deepEqual(shared, plain);
      assert.ok(runs * 20 < plain.explored, `${runs} runs for ${plain.explored} sequences`);
      const reduced = await explore(module, factory, { depth: 6 });
      assert.equal(reduced.reduction?.kind, 'states');
      assert.deepEqual(reduced.outcomes, plain.outcomes);
    });
  }

  for (const [name, file, factory, depth, shares] of [
    ['a vtable whose wake frees once wake and wake_by_ref calls reach 2 (the count only tells states apart)', 'counted-wakes.ts', 'createRawWaker', 5, true],
    ['a vtable counting in a Map and a global', 'module-state.ts', 'createRawWaker', 5, true],
    ['an executor whose wake queues its task (reachable, #private: every sequence runs)', 'executor-queue.ts', 'createRawWaker', 4, false],
    ['a counter captured by a closure (every sequence runs)', 'hidden-closure.ts', 'createRawWaker', 4, false],
  ] as const) {
    it(`${name}: the same listing as running every sequence`, async () => {
      const { shared, runs, plain } = await sharedAndPlain(join(FIXTURES, file), factory, depth);
      assert.deepEqual(shared, plain);
      assert.equal(runs < plain.explored, shares, `${runs} runs for ${plain.explored} sequences`);
    });
  }
});

describe('simulate: module bindings (what each user file shows the explorer)', () => {
  it('lists top-level bindings, and the function and class literals among them', async () => {
    const source = [
      'let count = 0;',
      'const queue: number[] = [], limit = 3;',
      'class Task { static made = 0; run() { return count++; } }',
      'export function make() { queue.push(count++); return new Task(); }',
      'const arrow = (a: number) => a + limit;',
      'const closure = (() => { let hidden = 0; return () => hidden++; })();',
      'const made = function () { let k = 0; return function () { return k++; }; }();',
      'export { closure };',
    ].join('\n');
    const bindings = await moduleBindings(source, 'ts', 'x.ts');
    assert.ok(!('unreadable' in bindings));
    assert.deepEqual(bindings.names, ['Task', 'arrow', 'closure', 'count', 'limit', 'made', 'make', 'queue']);
    assert.deepEqual(Object.keys(bindings.literals).sort(), ['Task', 'arrow', 'make']);
    assert.match(bindings.literals.arrow, /^\(a\) => a \+ limit$/);
  });

  it('reads the syntax tree: a regular expression literal with brackets and quotes does not merge statements', async () => {
    const source = [
      "const opener = /[({'\"`]/g;",
      'let after = 1;',
      'function after2() {',
      '  return opener.test("(") && after;',
      '}',
      'const slash = 4 / 2, tail = /}/;',
    ].join('\n');
    const bindings = await moduleBindings(source, 'ts', 'x.ts');
    assert.ok(!('unreadable' in bindings));
    assert.deepEqual(bindings.names, ['after', 'after2', 'opener', 'slash', 'tail']);
    assert.deepEqual(bindings.literals, { after2: 'function after2() {\n  return opener.test("(") && after;\n}' });
  });

  it('lists `var`s nested in top-level blocks and loops, and destructured names; not a block\'s own function or a function\'s locals', async () => {
    const source = [
      'if (Date.now() < 0) { var hidden = 1; }',
      'for (var i = 0; i < 1; i++) { try { var inTry = i; } catch { var inCatch = 0; } }',
      'const { a, b: [c, ...d], e = 5, ...rest } = { a: 1, b: [2, 3], f: 6 };',
      '{ function blockOnly() { var local = 1; return local; } blockOnly(); }',
      'export const later = () => { var notMine = 1; return notMine; };',
    ].join('\n');
    const bindings = await moduleBindings(source, 'ts', 'x.ts');
    assert.ok(!('unreadable' in bindings));
    assert.deepEqual(bindings.names, ['a', 'c', 'd', 'e', 'hidden', 'i', 'inCatch', 'inTry', 'later', 'rest']);
    assert.deepEqual(Object.keys(bindings.literals), ['later']);
  });

  it('evaluates nothing of the file: a top-level loop that never ends is only read', async () => {
    const bindings = await moduleBindings('let spins = 0;\nwhile (true) { spins++; }\nexport function f() { return spins; }', 'ts', 'x.ts');
    assert.ok(!('unreadable' in bindings));
    assert.deepEqual(bindings.names, ['f', 'spins']);
  });

  it('finds the example vtable functions and its VTABLE constant', async () => {
    const file = join(ROOT, 'examples', 'seed-box-waker.ts');
    const bindings = await moduleBindings(readFileSync(file, 'utf8'), 'ts', file);
    assert.ok(!('unreadable' in bindings));
    assert.deepEqual(bindings.names, ['VTABLE', 'createRawWaker', 'main', 'myClone', 'myDrop', 'myWake', 'myWakeByRef']);
    assert.deepEqual(Object.keys(bindings.literals).sort(), ['createRawWaker', 'main', 'myClone', 'myDrop', 'myWake', 'myWakeByRef']);
  });

  it('an `export default` of an expression has no name to read: unreadable, with the reason', async () => {
    const bindings = await moduleBindings('export default { count: 0 };', 'ts', 'x.ts');
    assert.deepEqual(bindings, { unreadable: 'x.ts has an `export default` of an expression, whose value has no name to read' });
  });
});
