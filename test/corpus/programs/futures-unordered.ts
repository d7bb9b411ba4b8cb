// futures-util's `FuturesUnordered`, simplified: each child future is polled
// with a waker of its own (an `Arc<ChildTask>` through `Waker.fromArc`) that
// records the child's index in a shared ready list and wakes the parent, so
// the parent polls only the children that were woken.
import { Arc, Context, Executor, Poll, Waker, type Future, type Wake } from 'wakerscope/waker';

interface Shared {
  readonly ready: number[];
  parent: Waker | undefined;
}

class ChildTask implements Wake {
  constructor(
    private readonly index: number,
    private readonly shared: Shared,
  ) {}

  wake(self: Arc<this>): void {
    this.markReady();
    self.drop();
  }

  wakeByRef(_self: Arc<this>): void {
    this.markReady();
  }

  private markReady(): void {
    if (!this.shared.ready.includes(this.index)) this.shared.ready.push(this.index);
    this.shared.parent?.wakeByRef();
  }
}

export class FuturesUnordered<T> implements Future<T[]>, Disposable {
  private readonly shared: Shared = { ready: [], parent: undefined };
  private readonly children: (Future<T> | undefined)[];
  private readonly wakers: Waker[];
  private readonly outputs: T[] = [];

  constructor(futures: readonly Future<T>[]) {
    this.children = [...futures];
    this.wakers = futures.map((_, index) => Waker.fromArc(Arc.new(new ChildTask(index, this.shared))));
    this.shared.ready.push(...futures.map((_, index) => index));
  }

  poll(cx: Context): Poll<T[]> {
    const stored = this.shared.parent;
    if (!stored?.willWake(cx.waker())) {
      this.shared.parent = cx.waker().clone();
      stored?.drop();
    }
    for (;;) {
      const index = this.shared.ready.shift();
      if (index === undefined) break;
      const child = this.children[index];
      if (child === undefined) continue;
      const result = child.poll(Context.fromWaker(this.wakers[index]));
      if (result.ready) {
        this.outputs.push(result.value);
        this.children[index] = undefined;
      }
    }
    if (this.children.every((child) => child === undefined)) return Poll.ready(this.outputs);
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    for (const waker of this.wakers.splice(0)) waker.drop();
    const parent = this.shared.parent;
    this.shared.parent = undefined;
    parent?.drop();
  }
}

/** A value available after `delay` ticks. */
class Later<T> implements Future<T> {
  private waker: Waker | undefined;
  private ready = false;
  private armed = false;
  constructor(private readonly executor: Executor, private readonly value: T, private readonly delay: number) {}

  poll(cx: Context): Poll<T> {
    if (this.ready) return Poll.ready(this.value);
    const stored = this.waker;
    if (stored?.willWake(cx.waker())) return Poll.pending();
    this.waker = cx.waker().clone();
    stored?.drop();
    if (!this.armed) {
      this.armed = true;
      this.executor.setTimeout(() => {
        this.ready = true;
        const waker = this.waker;
        this.waker = undefined;
        waker?.wake();
      }, this.delay);
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using all = new FuturesUnordered([new Later(executor, 'c', 30), new Later(executor, 'a', 10), new Later(executor, 'b', 20)]);
  const order = executor.blockOn(all).join('');
  if (order !== 'abc') throw new Error(`completed in order ${order}`);
}
