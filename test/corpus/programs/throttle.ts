// tokio-stream's `throttle`: yields the inner stream's items no faster than
// one per `period`, sleeping between them.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export interface Stream<T> {
  pollNext(cx: Context): Poll<T | undefined>;
}

class Sleep implements Future<void>, Disposable {
  #waker: Waker | undefined;
  #fired = false;
  constructor(executor: Executor, delay: number) {
    executor.setTimeout(() => {
      this.#fired = true;
      const waker = this.#waker;
      this.#waker = undefined;
      waker?.wake();
    }, delay);
  }

  poll(cx: Context): Poll<void> {
    if (this.#fired) return Poll.ready(undefined);
    if (this.#waker === undefined || !this.#waker.willWake(cx.waker())) {
      const old = this.#waker;
      this.#waker = cx.waker().clone();
      old?.drop();
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    this.#waker?.drop();
    this.#waker = undefined;
  }
}

export class Throttle<T> implements Stream<T>, Disposable {
  #sleep: Sleep | undefined;
  constructor(private readonly executor: Executor, private readonly inner: Stream<T>, private readonly period: number) {}

  pollNext(cx: Context): Poll<T | undefined> {
    if (this.#sleep !== undefined) {
      if (!this.#sleep.poll(cx).ready) return Poll.pending();
      this.#sleep[Symbol.dispose]();
      this.#sleep = undefined;
    }
    const next = this.inner.pollNext(cx);
    if (next.ready && next.value !== undefined) this.#sleep = new Sleep(this.executor, this.period);
    return next;
  }

  [Symbol.dispose](): void {
    this.#sleep?.[Symbol.dispose]();
  }
}

class Counter implements Stream<number> {
  #n = 0;
  constructor(private readonly limit: number) {}
  pollNext(_cx: Context): Poll<number | undefined> {
    return Poll.ready(this.#n < this.limit ? this.#n++ : undefined);
  }
}

export function drive(): void {
  const executor = new Executor();
  const throttle = new Throttle(executor, new Counter(4), 5);
  const seen: number[] = [];
  executor.blockOn({
    poll(cx: Context): Poll<void> {
      for (;;) {
        const next = throttle.pollNext(cx);
        if (!next.ready) return Poll.pending();
        if (next.value === undefined) return Poll.ready(undefined);
        seen.push(next.value);
      }
    },
  });
  throttle[Symbol.dispose]();
  if (seen.join() !== '0,1,2,3') throw new Error(`saw ${seen.join()}`);
}
