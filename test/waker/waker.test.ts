import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  Arc,
  Box,
  Context,
  DoubleFreeError,
  Executor,
  Poll,
  RawWaker,
  RawWakerVTable,
  Runtime,
  UseAfterDropError,
  UseAfterFreeError,
  UseAfterMoveError,
  UseAfterWakeError,
  Waker,
  drop,
  forget,
  withRuntime,
  type Future,
  type Ptr,
  type Wake,
} from 'wakerscope/waker';
import { createRawWaker } from '../../examples/seed-box-waker';
import { Task, arcWaker } from '../../examples/arc-waker';
import { TimerFuture } from '../../examples/timer-future';

function fresh<T>(body: (runtime: Runtime) => T): T {
  const runtime = new Runtime();
  return withRuntime(runtime, () => body(runtime));
}

const frees = (rt: Runtime) => rt.trace.filter((e) => e.type === 'free');

/** A vtable that records which slots ran, over a Box it never frees. */
function recordingVtable(calls: string[]): RawWakerVTable {
  const vtable: RawWakerVTable = new RawWakerVTable(
    (data) => {
      calls.push('clone');
      return new RawWaker(data, vtable);
    },
    () => void calls.push('wake'),
    () => void calls.push('wakeByRef'),
    () => void calls.push('drop'),
  );
  return vtable;
}

describe('RawWakerVTable and RawWaker', () => {
  it('keeps the four functions and the data pointer', () =>
    fresh(() => {
      const vtable = recordingVtable([]);
      const data = Box.intoRaw(Box.new(0));
      const raw = new RawWaker(data, vtable);
      assert.equal(raw.data, data);
      assert.equal(raw.vtable, vtable);
      assert.equal(typeof vtable.wakeByRef, 'function');
      drop(Box.fromRaw(data));
    }));

  it('rejects a vtable slot that is not a function', () => {
    const nope = 1 as unknown as () => void;
    assert.throws(() => new RawWakerVTable(() => undefined as never, nope, nope, nope), /`wake` must be a function/);
  });

  it('Waker.fromRaw takes ownership: a second fromRaw of the same RawWaker is a use after move', () =>
    fresh(() => {
      const raw = new RawWaker(Box.intoRaw(Box.new(0)), recordingVtable([]));
      Waker.fromRaw(raw);
      assert.throws(() => Waker.fromRaw(raw), UseAfterMoveError);
    }));
});

describe('Waker', () => {
  it('calls the vtable slot for each operation', () =>
    fresh(() => {
      const calls: string[] = [];
      const waker = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), recordingVtable(calls)));
      const copy = waker.clone();
      waker.wakeByRef();
      waker.wake();
      copy.drop();
      assert.deepEqual(calls, ['clone', 'wakeByRef', 'wake', 'drop']);
    }));

  it('is consumed by wake and by drop', () =>
    fresh(() => {
      const vtable = recordingVtable([]);
      const woken = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), vtable));
      woken.wake();
      assert.throws(() => woken.wakeByRef(), UseAfterWakeError);
      assert.throws(() => woken.clone(), UseAfterWakeError);
      const dropped = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), vtable));
      dropped.drop();
      assert.throws(() => dropped.wake(), UseAfterDropError);
      const forgotten = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), vtable));
      forget(forgotten);
      assert.throws(() => forgotten.data, UseAfterMoveError);
    }));

  it('willWake compares data pointer and vtable', () =>
    fresh(() => {
      const vtable = recordingVtable([]);
      const data = Box.intoRaw(Box.new(0));
      const a = Waker.fromRaw(new RawWaker(data, vtable));
      const b = a.clone();
      const other = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), vtable));
      assert.equal(a.willWake(b), true);
      assert.equal(a.willWake(other), false);
    }));

  it('noop wakers do nothing, and a Context lends its waker', () =>
    fresh((rt) => {
      const noop = Waker.noop();
      const cx = Context.fromWaker(noop);
      assert.equal(cx.waker(), noop);
      cx.waker().wakeByRef();
      cx.waker().clone().drop();
      assert.deepEqual(rt.leaks(), []);
      assert.deepEqual(rt.violations, []);
    }));

  it('`using` drops an unconsumed waker at scope end and skips a woken one', () =>
    fresh(() => {
      const calls: string[] = [];
      const vtable = recordingVtable(calls);
      {
        using _kept = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), vtable));
        using woken = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(0)), vtable));
        woken.wake();
      }
      assert.deepEqual(calls, ['wake', 'drop']);
    }));
});

describe('Poll and Context', () => {
  it('Poll is a value and a type', () => {
    const ready: Poll<number> = Poll.ready(3);
    const pending: Poll<number> = Poll.pending();
    assert.equal(Poll.isReady(ready) && ready.value, 3);
    assert.equal(Poll.isPending(pending), true);
    assert.equal(Poll.isPending(ready), false);
  });
});

describe("the seed's Box vtable", () => {
  it('new → wake frees the box exactly once', () =>
    fresh((rt) => {
      Waker.fromRaw(createRawWaker()).wake();
      assert.equal(frees(rt).length, 1);
      assert.deepEqual(rt.leaks(), []);
    }));

  it('new → drop frees the box exactly once', () =>
    fresh((rt) => {
      Waker.fromRaw(createRawWaker()).drop();
      assert.equal(frees(rt).length, 1);
      assert.deepEqual(rt.leaks(), []);
    }));

  it('wakeByRef frees nothing', () =>
    fresh((rt) => {
      const waker = Waker.fromRaw(createRawWaker());
      waker.wakeByRef();
      assert.equal(frees(rt).length, 0);
      waker.drop();
    }));

  it("hides a double free: clone, wake the original, drop the clone", () =>
    fresh(() => {
      const original = Waker.fromRaw(createRawWaker());
      const copy = original.clone();
      original.wake();
      assert.throws(
        () => copy.drop(),
        (error: unknown) => {
          assert.ok(error instanceof DoubleFreeError);
          assert.match(error.message, /at step \d+: Box::drop in `drop` \(myDrop\)/);
          assert.match(error.message, /freed at step \d+: Box::drop in `wake` \(myWake\), .*seed-box-waker\.ts:\d+:\d+/);
          assert.equal(error.freed?.slotFunction, 'myWake');
          assert.equal(error.at.slotFunction, 'myDrop');
          return true;
        },
      );
    }));
});

describe("the seed's Arc runtime", () => {
  type Op = { kind: 'clone' | 'wake' | 'wakeByRef' | 'drop'; pick: number };
  const op = fc.record({ kind: fc.constantFrom('clone', 'wake', 'wakeByRef', 'drop'), pick: fc.nat() }) as fc.Arbitrary<Op>;

  it('never violates anything and leaves no leak once every handle is consumed', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) =>
        fresh((rt) => {
          const live: Waker[] = [arcWaker(Arc.new(new Task()))];
          for (const { kind, pick } of ops) {
            if (live.length === 0) break;
            const index = pick % live.length;
            const waker = live[index];
            if (kind === 'clone') live.push(waker.clone());
            else if (kind === 'wakeByRef') waker.wakeByRef();
            else {
              live.splice(index, 1);
              if (kind === 'wake') waker.wake();
              else waker.drop();
            }
          }
          for (const waker of live) waker.drop();
          assert.deepEqual(rt.violations, []);
          assert.deepEqual(rt.leaks(), []);
        }),
      ),
      { numRuns: 300 },
    );
  });

  it('a wakeByRef that drops instead of forgetting fails on a later operation with use after free', () =>
    fresh(() => {
      const vtable: RawWakerVTable = new RawWakerVTable(
        (p) => {
          Arc.incrementStrongCount(p);
          return new RawWaker(p, vtable);
        },
        (p) => drop(Arc.fromRaw(p)),
        (p) => drop(Arc.fromRaw(p)), // the bug: releases a reference it only borrowed
        (p) => drop(Arc.fromRaw(p)),
      );
      const waker = Waker.fromRaw(new RawWaker(Arc.intoRaw(Arc.new(new Task())), vtable));
      waker.wakeByRef(); // count 1 -> 0: freed while the waker still points at it
      assert.throws(() => waker.clone(), UseAfterFreeError);
    }));
});

describe('Executor', () => {
  class Countdown implements Future<string> {
    constructor(private left: number) {}
    poll(cx: Context): Poll<string> {
      if (this.left-- === 0) return Poll.ready('done');
      cx.waker().wakeByRef();
      return Poll.pending();
    }
  }

  it('runs a future to completion, polling it again each time it is woken', () =>
    fresh((rt) => {
      const executor = new Executor();
      assert.equal(executor.blockOn(new Countdown(3)), 'done');
      assert.equal(rt.trace.filter((e) => e.type === 'task' && e.action === 'poll').length, 4);
      assert.deepEqual(rt.leaks(), []);
      assert.deepEqual(rt.violations, []);
    }));

  it('spawns several tasks and reports their output', () =>
    fresh((rt) => {
      const executor = new Executor();
      const a = executor.spawn(new Countdown(1));
      const b = executor.spawn(new Countdown(0));
      executor.run();
      assert.equal(a.done && b.done, true);
      assert.equal(a.output, 'done');
      assert.deepEqual(rt.leaks(), []);
    }));

  it('wakes a parked waker from a timer', () =>
    fresh((rt) => {
      const executor = new Executor();
      assert.equal(executor.blockOn(new TimerFuture(executor, 50)), 'timer fired');
      assert.equal(executor.now, 50);
      assert.deepEqual(rt.leaks(), []);
    }));

  it('blockOn reports a lost wakeup instead of hanging', () =>
    fresh(() => {
      const never: Future<void> = { poll: () => Poll.pending() };
      assert.throws(() => new Executor().blockOn(never), /lost wakeup/);
    }));

  it('Waker.fromArc drives a user Wake implementation; the default wakeByRef clones and wakes', () =>
    fresh((rt) => {
      const woken: string[] = [];
      class Flag implements Wake {
        wake(self: Arc<this>): void {
          woken.push('wake');
          self.drop();
        }
      }
      const waker = Waker.fromArc(Arc.new(new Flag()));
      waker.wakeByRef();
      waker.wake();
      assert.deepEqual(woken, ['wake', 'wake']);
      assert.deepEqual(rt.leaks(), []);
      assert.deepEqual(rt.violations, []);
    }));
});

// Keep the Ptr type in use so the import documents the API surface under test.
export type { Ptr };
