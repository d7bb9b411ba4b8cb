// The `futures` crate's `FuturesOrdered`: runs many futures at once but yields
// their outputs in the order they were pushed. Every unfinished child is
// polled with the caller's context (each child keeps the waker it needs);
// outputs that finish early wait in a map keyed by push index until their turn.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class FuturesOrdered<T> {
  readonly #running = new Map<number, Future<T>>();
  readonly #finished = new Map<number, T>();
  #nextPushed = 0;
  #nextYielded = 0;

  push(future: Future<T>): void {
    this.#running.set(this.#nextPushed++, future);
  }

  get isEmpty(): boolean {
    return this.#nextYielded === this.#nextPushed;
  }

  /** The next output in push order; `undefined` once every pushed future was yielded. */
  pollNext(cx: Context): Poll<T | undefined> {
    if (this.isEmpty) return Poll.ready(undefined);
    for (const [index, future] of this.#running) {
      const polled = future.poll(cx);
      if (!polled.ready) continue;
      this.#running.delete(index);
      this.#finished.set(index, polled.value);
    }
    if (!this.#finished.has(this.#nextYielded)) return Poll.pending();
    const output = this.#finished.get(this.#nextYielded)!;
    this.#finished.delete(this.#nextYielded++);
    return Poll.ready(output);
  }
}

/** Resolves to `value` after `delay` units of virtual time. */
class Delay<T> implements Future<T> {
  #waker: Waker | undefined;
  #fired = false;
  #armed = false;
  constructor(private readonly executor: Executor, private readonly delay: number, private readonly value: T) {}

  poll(cx: Context): Poll<T> {
    if (this.#fired) return Poll.ready(this.value);
    if (this.#waker?.willWake(cx.waker())) return Poll.pending();
    this.#waker?.drop();
    this.#waker = cx.waker().clone();
    if (!this.#armed) {
      this.#armed = true;
      this.executor.setTimeout(() => this.#fire(), this.delay);
    }
    return Poll.pending();
  }

  #fire(): void {
    this.#fired = true;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

class Collect implements Future<string[]> {
  readonly #out: string[] = [];
  constructor(private readonly ordered: FuturesOrdered<string>) {}

  poll(cx: Context): Poll<string[]> {
    for (;;) {
      const next = this.ordered.pollNext(cx);
      if (!next.ready) return Poll.pending();
      if (next.value === undefined) return Poll.ready(this.#out);
      this.#out.push(next.value);
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  const ordered = new FuturesOrdered<string>();
  ordered.push(new Delay(executor, 30, 'first'));
  ordered.push(new Delay(executor, 10, 'second'));
  ordered.push(new Delay(executor, 20, 'third'));
  const collect = executor.spawn(new Collect(ordered));
  executor.run();
  if (!collect.done) throw new Error('the collector was never woken (a lost wakeup)');
  if (collect.output?.join(' ') !== 'first second third') throw new Error(`out of order: ${collect.output?.join(' ')}`);
}
