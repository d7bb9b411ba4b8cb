// futures' `join`: runs two futures to completion and yields both outputs.
// Each output is kept once its future is ready (futures' `MaybeDone`); the
// future not yet done is polled again on each poll, and keeps the waker.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

class Sleep implements Future<number>, Disposable {
  #waker: Waker | undefined;
  #fired = false;
  constructor(executor: Executor, private readonly delay: number) {
    executor.setTimeout(() => {
      this.#fired = true;
      const waker = this.#waker;
      this.#waker = undefined;
      waker?.wake();
    }, delay);
  }

  poll(cx: Context): Poll<number> {
    if (this.#fired) return Poll.ready(this.delay);
    if (!this.#waker?.willWake(cx.waker())) {
      this.#waker?.drop();
      this.#waker = cx.waker().clone();
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    this.#waker?.drop();
    this.#waker = undefined;
  }
}

export class Join<A, B> implements Future<[A, B]> {
  #a: { value: A } | undefined;
  #b: { value: B } | undefined;
  constructor(private readonly first: Future<A>, private readonly second: Future<B>) {}

  poll(cx: Context): Poll<[A, B]> {
    if (this.#a === undefined) {
      const polled = this.first.poll(cx);
      if (polled.ready) this.#a = { value: polled.value };
    }
    if (this.#b === undefined) {
      const polled = this.second.poll(cx);
      if (polled.ready) this.#b = { value: polled.value };
    }
    if (this.#a !== undefined && this.#b !== undefined) return Poll.ready([this.#a.value, this.#b.value]);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using slow = new Sleep(executor, 9);
  using fast = new Sleep(executor, 4);
  const [a, b] = executor.blockOn(new Join(slow, fast));
  if (a !== 9 || b !== 4) throw new Error(`joined ${a}, ${b}`);
}
