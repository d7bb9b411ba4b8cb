import { strict as assert } from 'node:assert';
import {
  Arc,
  Box,
  DoubleFreeError,
  Runtime,
  UseAfterDropError,
  UseAfterFreeError,
  UseAfterMoveError,
  WakerError,
  drop,
  forget,
  withRuntime,
} from 'wakerscope/waker';

/** Run `body` on a fresh strict heap, so every test starts from nothing. */
function fresh<T>(body: (runtime: Runtime) => T, mode: 'strict' | 'record' = 'strict'): T {
  const runtime = new Runtime({ mode });
  return withRuntime(runtime, () => body(runtime));
}

describe('Box', () => {
  it('allocates, reads, writes and frees its cell', () =>
    fresh((rt) => {
      const b = Box.new(42);
      assert.equal(b.value, 42);
      b.value = 7;
      assert.equal(b.value, 7);
      assert.equal(rt.leaks().length, 1);
      b.drop();
      assert.deepEqual(rt.leaks(), []);
      assert.deepEqual(rt.violations, []);
    }));

  it('intoRaw consumes the box and leaves the cell allocated; fromRaw takes it back', () =>
    fresh((rt) => {
      const p = Box.intoRaw(Box.new('x'));
      assert.match(String(p), /^0x[0-9a-f]+$/);
      assert.equal(rt.leaks().length, 1);
      const b = Box.fromRaw<string>(p);
      assert.equal(b.value, 'x');
      drop(b);
      assert.deepEqual(rt.leaks(), []);
    }));

  it('dropping a freed box is a double free that names both frees', () =>
    fresh(() => {
      const p = Box.intoRaw(Box.new(1));
      Box.fromRaw(p).drop();
      const again = Box.fromRaw(p);
      assert.throws(
        () => again.drop(),
        (error: unknown) => {
          assert.ok(error instanceof DoubleFreeError);
          assert.equal(error.kind, 'double-free');
          assert.equal(error.address, String(p));
          assert.match(error.message, /^double free of Box 0x[0-9a-f]+ at step \d+: Box::drop/);
          assert.match(error.message, /allocated at step 1: Box::new, .*heap\.test\.ts:\d+:\d+/);
          assert.match(error.message, /freed at step \d+: Box::drop, .*heap\.test\.ts:\d+:\d+/);
          return true;
        },
      );
    }));

  it('reading a freed box is a use after free', () =>
    fresh(() => {
      const p = Box.intoRaw(Box.new(1));
      const reader = Box.fromRaw<number>(p);
      Box.fromRaw(p).drop();
      assert.throws(() => reader.value, UseAfterFreeError);
    }));

  it('a box used after intoRaw, forget or drop is a use after move or drop', () =>
    fresh(() => {
      const moved = Box.new(1);
      Box.intoRaw(moved);
      assert.throws(() => moved.value, UseAfterMoveError);
      const forgotten = Box.new(2);
      forget(forgotten);
      assert.throws(() => forgotten.drop(), UseAfterMoveError);
      const dropped = Box.new(3);
      dropped.drop();
      assert.throws(() => dropped.drop(), UseAfterDropError);
    }));

  it('`using` drops at scope end, but not what was moved out', () =>
    fresh((rt) => {
      {
        using kept = Box.new(1);
        assert.equal(kept.value, 1);
      }
      assert.deepEqual(rt.leaks(), []);
      let p;
      {
        using moved = Box.new(2);
        p = Box.intoRaw(moved);
      }
      assert.equal(rt.leaks().length, 1);
      Box.fromRaw(p).drop();
      assert.deepEqual(rt.violations, []);
    }));
});

describe('Arc', () => {
  it('counts clones and frees at zero', () =>
    fresh((rt) => {
      const a = Arc.new({ n: 1 });
      const b = a.clone();
      const c = Arc.clone(b);
      assert.equal(Arc.strongCount(a), 3);
      a.drop();
      drop(b);
      assert.equal(Arc.strongCount(c), 1);
      assert.equal(c.value.n, 1);
      c.drop();
      assert.deepEqual(rt.leaks(), []);
      assert.deepEqual(
        rt.trace.filter((e) => e.type === 'count').map((e) => (e.type === 'count' ? `${e.from}->${e.to}` : '')),
        ['1->2', '2->3', '3->2', '2->1', '1->0'],
      );
    }));

  it('intoRaw keeps the count; fromRaw takes over one; increment and decrement work on the pointer', () =>
    fresh((rt) => {
      const p = Arc.intoRaw(Arc.new('task'));
      Arc.incrementStrongCount(p);
      const a = Arc.fromRaw<string>(p);
      assert.equal(Arc.strongCount(a), 2);
      Arc.decrementStrongCount(p);
      assert.equal(Arc.strongCount(a), 1);
      a.drop();
      assert.deepEqual(rt.leaks(), []);
    }));

  it('touching the count or value of a freed Arc is a use after free', () =>
    fresh(() => {
      const p = Arc.intoRaw(Arc.new(0));
      const stale = Arc.fromRaw<number>(p);
      Arc.decrementStrongCount(p);
      assert.throws(() => stale.value, UseAfterFreeError);
      assert.throws(() => stale.clone(), UseAfterFreeError);
      assert.throws(() => Arc.incrementStrongCount(p), UseAfterFreeError);
      assert.throws(() => Arc.decrementStrongCount(p), UseAfterFreeError);
      assert.throws(() => Arc.strongCount(stale), UseAfterFreeError);
    }));

  it('in record mode, a clone and drop of freed memory free it again, as Rust would', () =>
    fresh((rt) => {
      const p = Arc.intoRaw(Arc.new(0));
      const stale = Arc.fromRaw<number>(p);
      Arc.decrementStrongCount(p); // freed
      const revived = stale.clone(); // count 0 -> 1 in freed memory
      revived.drop(); // 1 -> 0: drop_slow runs again
      assert.deepEqual(
        rt.violations.map((v) => v.kind),
        ['use-after-free', 'use-after-free', 'double-free'],
      );
    }, 'record'));

  it('a handle used after it was dropped is a use after drop', () =>
    fresh(() => {
      const a = Arc.new(1);
      const keep = a.clone();
      a.drop();
      assert.throws(() => a.clone(), UseAfterDropError);
      keep.drop();
    }));
});

describe('Runtime', () => {
  it('isolates runs: handles of one runtime never touch another heap', () => {
    const first = new Runtime();
    const second = new Runtime();
    withRuntime(first, () => Box.new(1));
    withRuntime(second, () => Box.new(2).drop());
    assert.equal(first.leaks().length, 1);
    assert.equal(second.leaks().length, 0);
  });

  it('record mode notes each violation and carries on', () =>
    fresh((rt) => {
      const p = Box.intoRaw(Box.new(1));
      Box.fromRaw(p).drop();
      Box.fromRaw(p).drop();
      Box.fromRaw(p).drop();
      assert.equal(rt.violations.length, 2);
      assert.ok(rt.violations.every((v) => v instanceof WakerError && v.kind === 'double-free'));
      assert.equal(rt.trace.filter((e) => e.type === 'violation').length, 2);
    }, 'record'));

  it('numbers steps: one per outermost call, or one per runStep', () =>
    fresh((rt) => {
      const b = Box.new(1);
      b.drop();
      assert.equal(rt.step, 2);
      rt.runStep(() => {
        Box.new(2).drop();
      });
      assert.equal(rt.step, 3);
      const steps = rt.trace.map((e) => e.step);
      assert.deepEqual([...new Set(steps)], [1, 2, 3]);
    }));

  it('leaks() names where each live allocation was made', () =>
    fresh((rt) => {
      Box.new('leaked');
      const [leak] = rt.leaks();
      assert.equal(leak.kind, 'box');
      assert.equal(leak.allocated.operation, 'Box::new');
      assert.match(leak.allocated.location?.file ?? '', /heap\.test\.ts$/);
    }));
});

describe('Runtime without a trace (the explorer\'s runs)', () => {
  it('keeps no events and takes no locations, yet reports the double free and the leak at the same steps and operations', () => {
    const run = (trace: boolean) => {
      const runtime = new Runtime({ mode: 'record', trace });
      withRuntime(runtime, () => {
        const p = Box.intoRaw(Box.new(1));
        Box.fromRaw(p).drop();
        Box.fromRaw(p).drop();
        Box.new(2);
      });
      return runtime;
    };
    const traced = run(true);
    const untraced = run(false);
    assert.ok(traced.trace.length > 0);
    assert.deepEqual(untraced.trace, []);
    assert.deepEqual(
      untraced.violations.map((v) => [v.kind, v.at.step, v.at.operation, v.at.location]),
      traced.violations.map((v) => [v.kind, v.at.step, v.at.operation, undefined]),
    );
    assert.ok(traced.violations[0].at.location, 'the traced run locates the violation');
    assert.deepEqual(
      untraced.leaks().map((leak) => [leak.address, leak.allocated.step, leak.allocated.operation]),
      traced.leaks().map((leak) => [leak.address, leak.allocated.step, leak.allocated.operation]),
    );
  });
});
