// tokio's `sync::broadcast`: every receiver sees every value. Receivers wait in
// a map keyed by receiver id. `send` wakes them all, and skips a second wake of
// the same task (two receivers polled by one task) by comparing with the last
// waker it woke; but `wake()` consumed that waker, so the comparison reads a
// waker that is gone.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Broadcast<T> implements Disposable {
  readonly #log: T[] = [];
  readonly #waiting = new Map<number, Waker>();
  #nextId = 0;

  subscribe(): Receiver<T> {
    return new Receiver(this, this.#nextId++, this.#log.length);
  }

  send(value: T): void {
    this.#log.push(value);
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    let last: Waker | undefined;
    for (const waker of waiting) {
      if (last?.willWake(waker)) { // expect: use-after-wake warning
        waker.drop();
        continue;
      }
      waker.wake();
      last = waker;
    }
  }

  /** @internal */
  at(index: number): T | undefined {
    return this.#log[index];
  }

  /** @internal */
  wait(id: number, cx: Context): void {
    const previous = this.#waiting.get(id);
    if (previous?.willWake(cx.waker())) return;
    previous?.drop();
    this.#waiting.set(id, cx.waker().clone());
  }

  [Symbol.dispose](): void {
    for (const waker of this.#waiting.values()) waker.drop();
    this.#waiting.clear();
  }
}

export class Receiver<T> {
  constructor(private readonly channel: Broadcast<T>, private readonly id: number, private next: number) {}

  pollRecv(cx: Context): Poll<T> {
    const value = this.channel.at(this.next);
    if (value === undefined) {
      this.channel.wait(this.id, cx);
      return Poll.pending();
    }
    this.next++;
    return Poll.ready(value);
  }
}

/** One task reading two receivers of the same channel until both saw `count` values. */
class ReadBoth implements Future<number> {
  #seen = 0;
  constructor(private readonly a: Receiver<number>, private readonly b: Receiver<number>, private readonly count: number) {}

  poll(cx: Context): Poll<number> {
    while (this.#seen < 2 * this.count) {
      const a = this.a.pollRecv(cx);
      const b = this.b.pollRecv(cx);
      if (a.ready) this.#seen++;
      if (b.ready) this.#seen++;
      if (!a.ready && !b.ready) return Poll.pending();
    }
    return Poll.ready(this.#seen);
  }
}

export function drive(): void {
  const executor = new Executor();
  using channel = new Broadcast<number>();
  const reader = executor.spawn(new ReadBoth(channel.subscribe(), channel.subscribe(), 2));
  executor.setTimeout(() => channel.send(1), 10);
  executor.setTimeout(() => channel.send(2), 20);
  executor.run();
  if (!reader.done) throw new Error('the reader was never woken (a lost wakeup)');
}
