// tokio-stream's `StreamMap`: streams kept by key, polled in turn from a
// rotating start (fairness) with the caller's context. A stream that ends is
// removed with `swap_remove`, the cursor wrapping as tokio's does; the map
// ends when it is empty. Every entry is visited once per poll: each either
// yields, registers (pending) or is removed, so pending is returned only when
// some stream was polled pending.
import { Executor, Poll, type Context, type Waker } from 'wakerscope/waker';

export interface Stream<T> {
  pollNext(cx: Context): Poll<T | undefined>;
}

export class StreamMap<K, T> implements Stream<[K, T]> {
  readonly #entries: [K, Stream<T>][] = [];
  #turn = 0;

  insert(key: K, stream: Stream<T>): void {
    this.#entries.push([key, stream]);
  }

  get size(): number {
    return this.#entries.length;
  }

  pollNext(cx: Context): Poll<[K, T] | undefined> {
    const start = this.#entries.length === 0 ? 0 : this.#turn++ % this.#entries.length;
    let index = start;
    for (let visits = this.#entries.length; visits > 0; visits--) {
      const [key, stream] = this.#entries[index]!;
      const next = stream.pollNext(cx);
      if (!next.ready) {
        index = (index + 1) % this.#entries.length;
        continue;
      }
      if (next.value !== undefined) return Poll.ready([key, next.value]);
      // `swap_remove`: the last entry takes this one's place.
      const last = this.#entries.pop()!;
      if (index < this.#entries.length) this.#entries[index] = last;
      if (index === this.#entries.length) index = 0;
      else if (index < start && start <= this.#entries.length) index = (index + 1) % this.#entries.length;
    }
    if (this.#entries.length === 0) return Poll.ready(undefined);
    return Poll.pending();
  }
}

/** Yields `count` numbers, one every `period` units of virtual time. */
class Ticks implements Stream<number> {
  #sent = 0;
  #due = false;
  #waker: Waker | undefined;
  #armed = false;
  constructor(private readonly executor: Executor, private readonly period: number, private readonly count: number, private readonly base: number) {}

  pollNext(cx: Context): Poll<number | undefined> {
    if (this.#sent === this.count) return Poll.ready(undefined);
    if (this.#due) {
      this.#due = false;
      this.#armed = false;
      return Poll.ready(this.base + this.#sent++);
    }
    if (!this.#waker?.willWake(cx.waker())) {
      this.#waker?.drop();
      this.#waker = cx.waker().clone();
    }
    if (!this.#armed) {
      this.#armed = true;
      this.executor.setTimeout(() => {
        this.#due = true;
        const waker = this.#waker;
        this.#waker = undefined;
        waker?.wake();
      }, this.period);
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    this.#waker?.drop();
    this.#waker = undefined;
  }
}

export function drive(): void {
  const executor = new Executor();
  using a = new Ticks(executor, 2, 3, 0);
  using b = new Ticks(executor, 3, 2, 100);
  using c = new Ticks(executor, 5, 0, 200);
  const map = new StreamMap<string, number>();
  map.insert('a', a);
  map.insert('b', b);
  map.insert('c', c);
  const seen: string[] = [];
  executor.blockOn({
    poll(cx: Context): Poll<void> {
      for (;;) {
        const next = map.pollNext(cx);
        if (!next.ready) return Poll.pending();
        if (next.value === undefined) return Poll.ready(undefined);
        seen.push(next.value.join('='));
      }
    },
  });
  if (seen.length !== 5 || map.size !== 0) throw new Error(`saw ${seen.join()}, ${map.size} left`);
}
