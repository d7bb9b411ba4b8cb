// The `futures` crate's `select_ok`: completes with the first child that
// succeeds. A child that fails is removed, and once every child has failed the
// whole completes with the last error. This port forgets that last case: when
// the only child still pending fails and is removed, `poll` returns pending
// with no child left to keep the waker, and the task is never polled again.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class SelectOk<T> implements Future<T | Error> {
  readonly #inner = new Map<number, Future<T | Error>>();
  #lastError: Error | undefined;

  constructor(futures: readonly Future<T | Error>[]) {
    if (futures.length === 0) throw new Error('`select_ok` needs at least one future');
    futures.forEach((future, index) => this.#inner.set(index, future));
  }

  poll(cx: Context): Poll<T | Error> {
    if (this.#inner.size === 0) return Poll.ready(this.#lastError!);
    for (const [index, future] of this.#inner) {
      const polled = future.poll(cx);
      if (!polled.ready) continue;
      if (!(polled.value instanceof Error)) return Poll.ready(polled.value);
      this.#inner.delete(index);
      this.#lastError = polled.value;
    }
    return Poll.pending(); // expect: lost-wakeup warning
  }
}

/** Fails with `message` after `delay` units of virtual time. */
class Attempt implements Future<string | Error> {
  #waker: Waker | undefined;
  #failed = false;
  #armed = false;
  constructor(private readonly executor: Executor, private readonly delay: number, private readonly message: string) {}

  poll(cx: Context): Poll<string | Error> {
    if (this.#failed) return Poll.ready(new Error(this.message));
    this.#waker?.drop();
    this.#waker = cx.waker().clone();
    if (!this.#armed) {
      this.#armed = true;
      this.executor.setTimeout(() => this.#fail(), this.delay);
    }
    return Poll.pending();
  }

  #fail(): void {
    this.#failed = true;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

export function drive(): void {
  const executor = new Executor();
  const select = executor.spawn(new SelectOk([new Attempt(executor, 10, 'refused'), new Attempt(executor, 20, 'timed out')]));
  executor.run();
  if (!select.done) throw new Error('the select was never woken after its last attempt failed (a lost wakeup)');
}
