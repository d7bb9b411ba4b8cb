// The `futures` crate's `join_all` (its variant for few futures): every child
// sits in a `MaybeDone` slot, and each poll polls every slot with the caller's
// context. A slot that is still running keeps the waker it was given; a slot
// that finished holds its output. The join is pending while any slot reported
// pending, and completes with the outputs in input order once none did.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

/** A child, or its output once it finished (futures' `MaybeDone`). */
class MaybeDone<T> {
  #output: { readonly value: T } | undefined;
  constructor(private readonly future: Future<T>) {}

  poll(cx: Context): Poll<void> {
    if (this.#output !== undefined) return Poll.ready(undefined);
    const polled = this.future.poll(cx);
    if (!polled.ready) return Poll.pending();
    this.#output = { value: polled.value };
    return Poll.ready(undefined);
  }

  take(): T {
    if (this.#output === undefined) throw new Error('`MaybeDone` taken before it finished');
    return this.#output.value;
  }
}

export class JoinAll<T> implements Future<T[]> {
  readonly #slots: MaybeDone<T>[];

  constructor(futures: readonly Future<T>[]) {
    this.#slots = futures.map((future) => new MaybeDone(future));
  }

  poll(cx: Context): Poll<T[]> {
    if (this.#slots.length === 0) return Poll.ready([]);
    let allDone = true;
    for (const slot of this.#slots) {
      const polled = slot.poll(cx);
      if (!polled.ready) allDone = false;
    }
    if (!allDone) return Poll.pending();
    return Poll.ready(this.#slots.map((slot) => slot.take()));
  }
}

/** Resolves to `value` after `delay` units of virtual time (at once for 0). */
class Delay<T> implements Future<T> {
  #waker: Waker | undefined;
  #fired: boolean;
  #armed = false;
  constructor(private readonly executor: Executor, private readonly delay: number, private readonly value: T) {
    this.#fired = delay === 0;
  }

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

export function drive(): void {
  const executor = new Executor();
  const join = executor.spawn(new JoinAll([new Delay(executor, 20, 'a'), new Delay(executor, 0, 'b'), new Delay(executor, 10, 'c')]));
  const empty = executor.spawn(new JoinAll<string>([]));
  executor.run();
  if (!join.done) throw new Error('the join was never woken (a lost wakeup)');
  if (join.output?.join(' ') !== 'a b c') throw new Error(`wrong outputs: ${join.output?.join(' ')}`);
  if (!empty.done || empty.output?.length !== 0) throw new Error('an empty join must complete at once');
}
