// Futures wrapping futures, as futures-util's combinators: `Map` applies a
// function to the output, `Then` chains a second future built from the first
// output. Each polls its inner future with the caller's context, so the inner
// one registers the task's waker.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Map<T, U> implements Future<U> {
  constructor(private readonly inner: Future<T>, private readonly f: (value: T) => U) {}
  poll(cx: Context): Poll<U> {
    const result = this.inner.poll(cx);
    if (!result.ready) return Poll.pending();
    return Poll.ready(this.f(result.value));
  }
}

export class Then<T, U> implements Future<U> {
  private second: Future<U> | undefined;
  constructor(private readonly first: Future<T>, private readonly next: (value: T) => Future<U>) {}
  poll(cx: Context): Poll<U> {
    if (this.second === undefined) {
      const first = this.first.poll(cx);
      if (!first.ready) return Poll.pending();
      this.second = this.next(first.value);
    }
    return this.second.poll(cx);
  }
}

/** A value that becomes available after `delay` ticks. */
class Later<T> implements Future<T> {
  private waker: Waker | undefined;
  private ready = false;
  private armed = false;
  constructor(private readonly executor: Executor, private readonly value: T, private readonly delay: number) {}
  poll(cx: Context): Poll<T> {
    if (this.ready) return Poll.ready(this.value);
    const previous = this.waker;
    this.waker = cx.waker().clone();
    previous?.drop();
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
  const chained = new Then(new Map(new Later(executor, 20, 5), (n) => n + 1), (n) => new Map(new Later(executor, n, 7), (m) => m * 2));
  const result = executor.blockOn(chained);
  if (result !== 42) throw new Error(`got ${result}`);
}
