// futures' `stream::select_all`: polls every live child stream with the
// caller's context, starting after the one that yielded last (fairness), and
// yields the first item found. Ends when every child has ended.
// The bug: once every child has ended it returns pending instead of ending,
// and no child is left to wake the task.
import { Executor, Poll, type Context, type Waker } from 'wakerscope/waker';

export interface Stream<T> {
  pollNext(cx: Context): Poll<T | undefined>;
}

export class SelectAll<T> implements Stream<T> {
  readonly #streams: (Stream<T> | undefined)[];
  #next = 0;
  constructor(streams: Stream<T>[]) {
    this.#streams = [...streams];
  }

  pollNext(cx: Context): Poll<T | undefined> {
    const count = this.#streams.length;
    let live = 0;
    for (let step = 0; step < count; step++) {
      const index = (this.#next + step) % count;
      const stream = this.#streams[index];
      if (stream === undefined) continue;
      const polled = stream.pollNext(cx);
      if (!polled.ready) {
        live++;
        continue;
      }
      if (polled.value === undefined) {
        this.#streams[index] = undefined;
        continue;
      }
      this.#next = (index + 1) % count;
      return Poll.ready(polled.value);
    }
    return Poll.pending(); // expect: lost-wakeup warning
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
}

export function drive(): void {
  const executor = new Executor();
  const all = new SelectAll<number>([new Ticks(executor, 2, 3, 0), new Ticks(executor, 3, 2, 100)]);
  const seen: number[] = [];
  executor.blockOn({
    poll(cx: Context): Poll<void> {
      for (;;) {
        const next = all.pollNext(cx);
        if (!next.ready) return Poll.pending();
        if (next.value === undefined) return Poll.ready(undefined);
        seen.push(next.value);
      }
    },
  });
  if (seen.length !== 5) throw new Error(`saw ${seen.join()}`);
}
