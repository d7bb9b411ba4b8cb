// tokio-stream's `merge`: yields items from two streams as they come, ending when
// both end. Each stream's end is recorded in a flag of the merge; the final test
// of both flags lets pending through only when some stream was polled pending.
import { Executor, Poll, type Context, type Waker } from 'wakerscope/waker';

export interface Stream<T> {
  pollNext(cx: Context): Poll<T | undefined>;
}

/** An unbounded channel's receiving side, fed by timers. */
export class Channel<T> implements Stream<T>, Disposable {
  readonly #queue: T[] = [];
  #closed = false;
  #receiver: Waker | undefined;

  send(value: T): void {
    this.#queue.push(value);
    this.#receiver?.wakeByRef();
  }

  close(): void {
    this.#closed = true;
    const receiver = this.#receiver;
    this.#receiver = undefined;
    receiver?.wake();
  }

  pollNext(cx: Context): Poll<T | undefined> {
    const value = this.#queue.shift();
    if (value !== undefined) return Poll.ready(value);
    if (this.#closed) return Poll.ready(undefined);
    if (!this.#receiver?.willWake(cx.waker())) {
      this.#receiver?.drop();
      this.#receiver = cx.waker().clone();
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    this.#receiver?.drop();
    this.#receiver = undefined;
  }
}

export class Merge<T> implements Stream<T> {
  #aDone = false;
  #bDone = false;
  constructor(private readonly a: Stream<T>, private readonly b: Stream<T>) {}

  pollNext(cx: Context): Poll<T | undefined> {
    if (!this.#aDone) {
      const next = this.a.pollNext(cx);
      if (next.ready) {
        if (next.value !== undefined) return next;
        this.#aDone = true;
      }
    }
    if (!this.#bDone) {
      const next = this.b.pollNext(cx);
      if (next.ready) {
        if (next.value !== undefined) return next;
        this.#bDone = true;
      }
    }
    if (this.#aDone && this.#bDone) return Poll.ready(undefined);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using a = new Channel<number>();
  using b = new Channel<number>();
  executor.setTimeout(() => a.send(1), 5);
  executor.setTimeout(() => b.send(2), 7);
  executor.setTimeout(() => a.close(), 9);
  executor.setTimeout(() => b.send(3), 11);
  executor.setTimeout(() => b.close(), 13);
  const merged = new Merge(a, b);
  const seen: number[] = [];
  executor.blockOn({
    poll(cx: Context): Poll<void> {
      for (;;) {
        const next = merged.pollNext(cx);
        if (!next.ready) return Poll.pending();
        if (next.value === undefined) return Poll.ready(undefined);
        seen.push(next.value);
      }
    },
  });
  if (seen.join() !== '1,2,3') throw new Error(`saw ${seen.join()}`);
}
