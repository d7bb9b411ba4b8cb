// The simulator end to end from source: bundle, sandboxed worker, runs, exploration.
import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import {
  enumerateSequences,
  explore,
  loadScenario,
  parseSequence,
  ScenarioSyntaxError,
  SimulationError,
  simulateScenario,
  simulateSequence,
  Simulator,
  type ScenarioOp,
} from '../src/simulate';

const ROOT = resolve(__dirname, '..');
const SEED = join(ROOT, 'examples', 'seed-box-waker.ts');
const ARC = join(ROOT, 'examples', 'arc-waker.ts');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'simulate');

function ops(sequence: string): ScenarioOp[] {
  const parsed = parseSequence(sequence);
  assert.deepEqual(parsed.errors, []);
  return parsed.ops;
}

describe('simulate: the seed Box vtable', () => {
  it('a clone, then wake the original, then drop the clone: double free, with both frees located', async () => {
    const run = await simulateSequence(SEED, 'createRawWaker', ops('new; clone 0; wake 0; drop 1'));
    assert.equal(run.outcome, 'double-free');
    assert.equal(run.violations.length, 1);
    const [violation] = run.violations;
    assert.equal(violation.summary, 'freed at step 3 by `myWake`, freed again at step 4 by `myDrop`');
    // Both locations are the user's `drop(Box.fromRaw(...))` lines, not the bundle's.
    assert.deepEqual(violation.earlier?.location, { file: SEED, line: 17, column: 3 });
    assert.deepEqual(violation.at.location, { file: SEED, line: 23, column: 3 });
    assert.doesNotMatch(violation.message, /__wakersim_bundle__/);
    assert.match(violation.message, /seed-box-waker\.ts:23:3/);
  });

  it('records each step: slots with their definitions, handle states and cells', async () => {
    const run = await simulateSequence(SEED, 'createRawWaker', ops('new; clone 0; wake 0; drop 1'));
    assert.deepEqual(
      run.steps.map((s) => s.text),
      ['new', 'clone 0', 'wake 0', 'drop 1'],
    );
    assert.deepEqual(run.steps[1].slots, [{ slot: 'clone', function: 'myClone', location: { file: SEED, line: 12, column: 10 } }]);
    assert.equal(run.steps[2].slots[0].function, 'myWake');
    assert.equal(run.steps[2].slots[0].location?.line, 16);
    assert.deepEqual(run.steps[1].created, 1);
    assert.deepEqual(
      run.steps[2].handles.map((h) => `${h.id}:${h.state}:${h.address}`),
      ['0:woken:0x1000', '1:live:0x1000'],
    );
    assert.deepEqual(run.steps[1].cells, [{ address: '0x1000', kind: 'box', count: 1, state: 'live', value: '42' }]);
    assert.equal(run.steps[2].cells[0].state, 'freed');
    assert.deepEqual(run.steps[3].violations, [0]);
    assert.deepEqual(run.steps[2].violations, []);
    assert.deepEqual(run.leaks, []);
  });

  it('one waker woken is ok; one never consumed is a leak', async () => {
    assert.equal((await simulateSequence(SEED, 'createRawWaker', ops('new; wake 0'))).outcome, 'ok');
    const leaked = await simulateSequence(SEED, 'createRawWaker', ops('new; wake_by_ref 0'));
    assert.equal(leaked.outcome, 'leak');
    assert.deepEqual(
      leaked.leaks.map((l) => [l.address, l.kind, l.allocated.step]),
      [['0x1000', 'box', 1]],
    );
  });

  it('carries on past the first violation and locates driver-side uses at the scenario line', async () => {
    const scenario = loadScenario(join(FIXTURES, 'seed.wakersim'));
    const run = await simulateScenario({ ...scenario, ops: [...scenario.ops, { operation: 'wake_by_ref', handle: 0, line: 99 }] });
    assert.deepEqual(
      run.violations.map((v) => v.kind),
      ['double-free', 'use-after-wake'],
    );
    assert.equal(run.outcome, 'double-free');
    assert.equal(run.expect, 'double-free');
    assert.deepEqual(run.violations[1].at.location, { file: join(FIXTURES, 'seed.wakersim'), line: 99, column: 1 });
    assert.equal(run.violations[1].summary, 'woken at step 3, used at step 5 by `Waker::wake_by_ref`');
    assert.deepEqual(run.steps[0].location, { file: join(FIXTURES, 'seed.wakersim'), line: 3, column: 1 });
  });
});

describe('simulate: exploration', () => {
  it('enumerates every sequence over live handles, shortest first', () => {
    assert.deepEqual(enumerateSequences(0), [[{ operation: 'new' }]]);
    const one = enumerateSequences(1);
    assert.equal(one.length, 1 + 4);
    const two = enumerateSequences(2);
    // After clone there are two live handles (8 moves); after wake_by_ref one (4); after wake/drop none.
    assert.equal(two.length, 1 + 4 + 8 + 4);
    assert.ok(two.every((seq, i) => i === 0 || seq.length >= two[i - 1].length));
  });

  it('turns the seed Box vtable into a three-step double-free counterexample', async () => {
    const exploration = await explore(SEED, 'createRawWaker');
    assert.equal(exploration.depth, 4);
    const doubleFree = exploration.outcomes.find((o) => o.outcome === 'double-free');
    assert.ok(doubleFree, JSON.stringify(exploration.outcomes));
    assert.equal(doubleFree.length, 3);
    assert.match(doubleFree.sequence, /^new; clone 0; wake 0; (wake|drop) 1$/);
    assert.equal(exploration.outcomes[0].outcome, 'double-free', 'violations are listed first');
    const replay = await simulateSequence(SEED, 'createRawWaker', ops(doubleFree.sequence));
    assert.equal(replay.outcome, 'double-free');
    assert.deepEqual(exploration.outcomes.find((o) => o.outcome === 'ok')?.sequence, 'new; wake 0');
  });

  it('the Arc runtime is ok or leak, never a violation, on every sequence to depth 5', async function () {
    this.timeout(120_000); // 5,093 runs: about 7 s on an idle 2-core machine, 20 s and more under load
    const exploration = await explore(ARC, 'createWaker', { depth: 5, all: true });
    assert.equal(exploration.explored, enumerateSequences(5).length);
    assert.equal(exploration.all?.length, exploration.explored);
    const outcomes = new Set(exploration.all!.map((s) => s.outcome));
    assert.deepEqual([...outcomes].sort(), ['leak', 'ok']);
  });

  it('a module imported by package name and by relative path shares one runtime', async () => {
    const run = await simulateSequence(join(FIXTURES, 'relative-runtime.ts'), 'createRawWaker', ops('new; clone 0; wake 0; drop 1'));
    assert.equal(run.outcome, 'ok');
    assert.deepEqual(run.steps[1].cells.map((c) => [c.kind, c.count]), [['arc', 2]]);
  });
});

describe('simulate: every run starts from a fresh module', () => {
  const STATEFUL = join(FIXTURES, 'module-state.ts');
  const request = (sequence: string) => ({ factory: 'createRawWaker', ops: ops(sequence), detail: true });

  async function outcomesInOrder(sequences: readonly string[]): Promise<string[]> {
    const simulator = await Simulator.open(STATEFUL, 'createRawWaker');
    try {
      const runs = await simulator.runAll(sequences.map(request));
      // 11: one waker made by a fresh module (10 per module count) in a fresh global object (1).
      return runs.map((run) => `${run.sequence} → ${run.outcome}, box ${run.steps?.[0].cells[0]?.value}`);
    } finally {
      await simulator.close();
    }
  }

  it('the same sequence has the same outcome whatever ran before it, in one simulator', async () => {
    const wake = 'new; wake 0 → ok, box 11';
    const clone = 'new; clone 0 → leak, box 11';
    assert.deepEqual(await outcomesInOrder(['new; wake 0', 'new; clone 0', 'new; wake 0']), [wake, clone, wake]);
    assert.deepEqual(await outcomesInOrder(['new; clone 0', 'new; wake 0', 'new; clone 0']), [clone, wake, clone]);
  });

  it('an exploration of a module-level refcount table finds ok exactly where every handle is consumed', async () => {
    const exploration = await explore(STATEFUL, 'createRawWaker', { depth: 3, all: true });
    assert.equal(exploration.all?.length, enumerateSequences(3).length);
    for (const { sequence, outcome } of exploration.all!) {
      const made = sequence.split('; ').filter((op) => op === 'new' || op.startsWith('clone ')).length;
      const consumed = sequence.split('; ').filter((op) => op.startsWith('wake ') || op.startsWith('drop ')).length;
      assert.equal(outcome, made === consumed ? 'ok' : 'leak', sequence);
    }
  });

  it('a module that loads for the check but throws while loading for a later run stops the batch, saying which run', async () => {
    const module = join(FIXTURES, 'loads-by-chance.ts');
    let simulator: Simulator | undefined;
    // Its top level throws half the time, so opening (one load) needs a lucky draw.
    for (let attempt = 0; !simulator && attempt < 30; attempt++) {
      simulator = await Simulator.open(module, 'createRawWaker').catch((error: Error) => {
        assert.match(error.message, /loads-by-chance\.ts: the module threw while loading: Error: unlucky load$/);
        return undefined;
      });
    }
    assert.ok(simulator, 'no lucky load in 30 attempts');
    try {
      // Each run loads it again: 40 lucky loads in a row has a chance of 2^-40.
      const runs = Array.from({ length: 40 }, () => request('new; wake 0'));
      await assert.rejects(simulator.runAll(runs), /loads-by-chance\.ts: the module threw while loading for run \d+: Error: unlucky load$/);
    } finally {
      await simulator.close();
    }
  });

  it('slot definitions stay right when a later run meets the slot functions in another order', async () => {
    const simulator = await Simulator.open(SEED, 'createRawWaker');
    try {
      const [woken, cloned] = await simulator.runAll([request('new; wake 0'), request('new; clone 0; drop 1')]);
      assert.deepEqual(woken.steps?.[1].slots, [{ slot: 'wake', function: 'myWake', location: { file: SEED, line: 16, column: 10 } }]);
      assert.deepEqual(cloned.steps?.[1].slots, [{ slot: 'clone', function: 'myClone', location: { file: SEED, line: 12, column: 10 } }]);
      assert.deepEqual(cloned.steps?.[2].slots, [{ slot: 'drop', function: 'myDrop', location: { file: SEED, line: 22, column: 10 } }]);
    } finally {
      await simulator.close();
    }
  });
});

describe('simulate: sandbox and bad input', () => {
  it('a module importing fs fails to bundle with a clear message naming the import', async () => {
    await assert.rejects(
      simulateSequence(join(FIXTURES, 'imports-fs.ts'), 'createRawWaker', ops('new')),
      (error: Error) =>
        error instanceof SimulationError &&
        /imports-fs\.ts:2:\d+: scenario module imports 'fs': simulated code has no file system, network or process access$/.test(error.message),
    );
    await assert.rejects(
      simulateSequence(join(FIXTURES, 'imports-child-process.ts'), 'createRawWaker', ops('new')),
      /scenario module imports 'node:child_process': simulated code has no file system, network or process access/,
    );
  });

  it('inside the vm there is no require, no process and no Function constructor from strings', async () => {
    const run = await simulateSequence(join(FIXTURES, 'escapes.ts'), 'createRawWaker', ops('new; clone 0; clone 0; wake 0; wake_by_ref 1; drop 2'));
    assert.equal(run.outcome, 'error');
    const errors = run.steps.map((s) => s.error ?? '');
    assert.match(errors[3], /cannot require 'fs': it has no file system, network or process access/);
    assert.match(errors[4], /TypeError: Cannot read properties of undefined \(reading 'exit'\)/);
    assert.match(errors[5], /EvalError: Code generation from strings disallowed/);
  });

  it('a scenario that loops forever is a timeout at the time limit, with a clear message', async () => {
    const started = Date.now();
    const run = await simulateSequence(join(FIXTURES, 'loops-forever.ts'), 'createRawWaker', ops('new; wake 0'), { timeLimitMs: 500 });
    assert.equal(run.outcome, 'timeout');
    assert.match(run.stopped ?? '', /^simulation stopped: running `new; wake 0` took longer than the 500 ms time limit \(an infinite loop in .*loops-forever\.ts\?\)$/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('a scenario that allocates without bound is out-of-memory at the memory limit, with a clear message', async () => {
    const run = await simulateSequence(join(FIXTURES, 'allocates-forever.ts'), 'createRawWaker', ops('new; wake 0'), { memoryLimitMb: 48, timeLimitMs: 20_000 });
    assert.equal(run.outcome, 'out-of-memory');
    assert.equal(run.stopped, 'simulation stopped: running `new; wake 0` ran out of memory (limit 48 MB)');
  });

  it('a simulator stays usable for many runs, and after a run that timed out the rest of its batch still runs', async () => {
    const simulator = await Simulator.open(join(FIXTURES, 'loops-forever.ts'), 'createRawWaker', { timeLimitMs: 300, processes: 1 });
    const request = (sequence: string) => ({ factory: 'createRawWaker', ops: ops(sequence), detail: false });
    try {
      const [first, second] = await simulator.runAll([request('new; drop 0'), request('new')]);
      assert.deepEqual([first.outcome, second.outcome], ['ok', 'leak']);
      const batch = await simulator.runAll([request('new; drop 0'), request('new; wake 0'), request('new'), request('new; wake_by_ref 0'), request('new; drop 0')]);
      assert.deepEqual(
        batch.map((run) => run.outcome),
        ['ok', 'timeout', 'leak', 'timeout', 'ok'],
      );
      assert.match(batch[3].message ?? '', /running `new; wake_by_ref 0` took longer than the 300 ms time limit/);
    } finally {
      await simulator.close();
    }
  });

  it('a missing factory, a factory returning the wrong thing, and a throwing slot', async () => {
    await assert.rejects(
      simulateSequence(join(FIXTURES, 'relative-runtime.ts'), 'makeWaker', ops('new')),
      /relative-runtime\.ts: the module does not export a function 'makeWaker' \(it exports createRawWaker\)$/,
    );
    const wrong = await simulateSequence(join(FIXTURES, 'throws.ts'), 'notAWaker', ops('new; wake 0'));
    assert.equal(wrong.outcome, 'error');
    assert.equal(wrong.steps[0].error, "TypeError: the factory 'notAWaker' returned number 5, expected a RawWaker or a Waker");
    assert.match(wrong.steps[1].error ?? '', /handle 0 was never created/);
    // The user's class keeps its name in the bundle, though the runtime has a `Task` class too.
    const task = await simulateSequence(join(FIXTURES, 'throws.ts'), 'aTask', ops('new'));
    assert.equal(task.steps[0].error, "TypeError: the factory 'aTask' returned an object (Task), expected a RawWaker or a Waker");
    const thrown = await simulateSequence(join(FIXTURES, 'throws.ts'), 'createRawWaker', ops('new; wake 0'));
    assert.equal(thrown.outcome, 'error');
    assert.equal(thrown.steps[1].error, 'Error: scheduler is shut down');
    await assert.rejects(simulateSequence(join(FIXTURES, 'nope.ts'), 'f', ops('new')), /cannot find the module .*nope\.ts/);
  });

  it('loadScenario reports the first malformed line as file:line:col', () => {
    const file = join(FIXTURES, 'malformed.wakersim');
    assert.throws(
      () => loadScenario(file),
      (error: Error) => error instanceof ScenarioSyntaxError && error.message === `${file}:3:3: unknown operation 'wke' (expected new, clone, wake, wake_by_ref, drop, expect)`,
    );
  });
});
