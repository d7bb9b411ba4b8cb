// The `futures` crate's `Abortable`: wraps a future so an `AbortHandle` can
// cancel it from elsewhere. The handle keeps the task's waker so `abort()` can
// wake it. `register` takes the waker by value and keeps it; the port's poll
// still treats the clone it passed as its own and drops it when the inner
// future completes, so the handle is left holding a dropped waker.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class AbortHandle implements Disposable {
  aborted = false;
  #waker: Waker | undefined;

  register(waker: Waker): void {
    this.#waker?.drop();
    this.#waker = waker;
  }

  abort(): void {
    this.aborted = true;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }

  [Symbol.dispose](): void {
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.drop();
  }
}

type Aborted = { readonly aborted: true };

export class Abortable<T> implements Future<T | Aborted> {
  constructor(private readonly inner: Future<T>, private readonly handle: AbortHandle) {}

  poll(cx: Context): Poll<T | Aborted> {
    if (this.handle.aborted) return Poll.ready({ aborted: true });
    const waker = cx.waker().clone();
    this.handle.register(waker);
    const polled = this.inner.poll(cx);
    if (polled.ready) {
      waker.drop(); // expect: use-after-move error
      return polled;
    }
    return Poll.pending();
  }
}

/** Ready after `delay`, waking whoever polled it last. */
class Sleep implements Future<string> {
  #waker: Waker | undefined;
  #due = false;
  constructor(executor: Executor, delay: number) {
    executor.setTimeout(() => {
      this.#due = true;
      const waker = this.#waker;
      this.#waker = undefined;
      waker?.wake();
    }, delay);
  }

  poll(cx: Context): Poll<string> {
    if (this.#due) return Poll.ready('slept');
    this.#waker?.drop();
    this.#waker = cx.waker().clone();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using finishes = new AbortHandle();
  using cancelled = new AbortHandle();
  const a = executor.spawn(new Abortable(new Sleep(executor, 10), finishes));
  const b = executor.spawn(new Abortable(new Sleep(executor, 50), cancelled));
  executor.setTimeout(() => cancelled.abort(), 20);
  executor.run();
  if (!a.done || !b.done) throw new Error('an abortable was never woken (a lost wakeup)');
}
