// What one simulated run may carry into the next (nothing), what `using` does
// inside the simulator (what it does in Node), and leaks told apart from cells
// the module's state still holds (valgrind's "definitely lost" and "still reachable").
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { explore, parseSequence, simulateSequence, Simulator, type ScenarioOp } from '../src/simulate';

const ROOT = resolve(__dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'simulate');

function ops(sequence: string): ScenarioOp[] {
  const parsed = parseSequence(sequence);
  assert.deepEqual(parsed.errors, []);
  return parsed.ops;
}

describe('simulate: nothing carries from one run to the next', () => {
  it('module counters, globals, prototypes, Error.stackTraceLimit, late promise jobs and undeletable globals are as new in every run', async function () {
    this.timeout(60_000);
    const simulator = await Simulator.open(join(FIXTURES, 'leaves-traces.ts'), 'createRawWaker', { processes: 1 });
    try {
      const runs = await simulator.runAll(Array.from({ length: 6 }, () => ({ factory: 'createRawWaker', ops: ops('new; wake 0'), detail: true })));
      // runs 1, counter 1, Array.prototype.polluted undefined, Error.stackTraceLimit 10, lateWrite, sticky and setTimeout undefined
      const fresh = '"11u1uuu"';
      assert.deepEqual(
        runs.map((run) => [run.outcome, run.steps?.[0].cells[0]?.value]),
        runs.map(() => ['ok', fresh]),
      );
    } finally {
      await simulator.close();
    }
  });

  it('runs spread over several processes give each sequence the outcome it has alone', async function () {
    this.timeout(120_000);
    const module = join(FIXTURES, 'module-state.ts');
    const sequences = ['new; wake 0', 'new; clone 0', 'new; clone 0; drop 1; wake 0', 'new'];
    const alone = await Promise.all(sequences.map(async (sequence) => (await simulateSequence(module, 'createRawWaker', ops(sequence))).outcome));
    const simulator = await Simulator.open(module, 'createRawWaker', { processes: 2 });
    try {
      const requests = Array.from({ length: 400 }, (_, i) => ({ factory: 'createRawWaker', ops: ops(sequences[i % sequences.length]), detail: false }));
      const order: number[] = [];
      const runs = await simulator.runAll(requests, (index) => order.push(index));
      assert.deepEqual(
        runs.map((run) => run.outcome),
        requests.map((_, i) => alone[i % sequences.length]),
      );
      assert.deepEqual(order, requests.map((_, i) => i), 'results arrive in request order');
    } finally {
      await simulator.close();
    }
  });
});

describe('simulate: `using` works as in Node', () => {
  it('a slot that releases through `using` gives the verdict it gives under tsx', async function () {
    this.timeout(60_000);
    const underTsx = JSON.parse(
      execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(FIXTURES, 'using-under-tsx.ts')], { cwd: ROOT, encoding: 'utf8' }),
    ) as Record<string, string>;
    assert.deepEqual(underTsx, { 'new; wake 0': 'ok', 'new; wake_by_ref 0; drop 0': 'ok', 'new; clone 0; wake 0; drop 1': 'double-free' });
    for (const [sequence, verdict] of Object.entries(underTsx)) {
      const run = await simulateSequence(join(FIXTURES, 'using-slots.ts'), 'createRawWaker', ops(sequence));
      assert.equal(run.outcome, verdict, `${sequence}: ${run.steps.map((step) => step.error).filter(Boolean).join('; ')}`);
    }
  });
});

describe('simulate: leaks as valgrind counts them', () => {
  const EXECUTOR = join(FIXTURES, 'executor-queue.ts');

  it('a task the run queue holds is reachable, not a leak; a lost reference is a leak', async function () {
    this.timeout(60_000);
    const woken = await simulateSequence(EXECUTOR, 'createRawWaker', ops('new; wake 0'));
    assert.equal(woken.outcome, 'reachable');
    assert.deepEqual(woken.leaks, []);
    assert.deepEqual(woken.reachable?.map((cell) => [cell.kind, cell.address, cell.count]), [['arc', '0x1000', 1]]);
    assert.equal((await simulateSequence(EXECUTOR, 'createRawWaker', ops('new; drop 0'))).outcome, 'ok');
    const lost = await simulateSequence(EXECUTOR, 'createRawWaker', ops('new'));
    assert.equal(lost.outcome, 'leak');
    assert.deepEqual(lost.leaks.map((cell) => cell.address), ['0x1000']);
    assert.deepEqual(lost.reachable ?? [], []);
    assert.equal((await simulateSequence(EXECUTOR, 'createLeakyRawWaker', ops('new; wake 0'))).outcome, 'leak');
    assert.equal((await simulateSequence(EXECUTOR, 'createGlobalQueueRawWaker', ops('new; wake 0'))).outcome, 'reachable');
  });

  it('exploring the executor: every clean sequence is ok or reachable, and only sequences that lose a reference with nothing queued leak', async function () {
    this.timeout(120_000);
    const exploration = await explore(EXECUTOR, 'createRawWaker', { depth: 4, all: true });
    for (const { sequence, outcome } of exploration.all!) {
      const steps = sequence.split('; ');
      const made = steps.filter((op) => op === 'new' || op.startsWith('clone ')).length;
      const consumed = steps.filter((op) => op.startsWith('wake ') || op.startsWith('drop ')).length;
      const queued = steps.some((op) => op.startsWith('wake'));
      const expected = queued ? 'reachable' : made === consumed ? 'ok' : 'leak';
      assert.equal(outcome, expected, sequence);
    }
  });
});
