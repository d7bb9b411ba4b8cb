// tokio's `time::Timeout`: races a future against a deadline. The combinator
// is a small state machine (`switch` on its state); on its first poll it arms
// a timer with a clone of the task's waker. The author clones before looking
// at the inner future, so an inner future that is ready on the first poll
// returns early with the clone still in hand.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

const enum State {
  Start,
  Armed,
  Done,
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** A one-shot timer owned by the timeout: it holds the waker until it fires or is cancelled. */
class Timer {
  fired = false;
  waker: Waker | null = null;

  arm(executor: Executor, delay: number, waker: Waker): void {
    this.waker = waker;
    executor.setTimeout(() => {
      this.fired = true;
      const armed = this.waker;
      this.waker = null;
      armed?.wake();
    }, delay);
  }

  cancel(): void {
    const armed = this.waker;
    this.waker = null;
    armed?.drop();
  }
}

export class Timeout<T> implements Future<Outcome<T>> {
  #state = State.Start;
  readonly #timer = new Timer();
  constructor(private readonly executor: Executor, private readonly inner: Future<T>, private readonly limit: number) {}

  poll(cx: Context): Poll<Outcome<T>> {
    switch (this.#state) {
      case State.Start: {
        const waker = cx.waker().clone(); // expect: clone-without-drop warning
        const first = this.inner.poll(cx);
        if (first.ready) {
          this.#state = State.Done;
          return Poll.ready({ ok: true, value: first.value });
        }
        this.#timer.arm(this.executor, this.limit, waker);
        this.#state = State.Armed;
        return Poll.pending();
      }
      case State.Armed: {
        const polled = this.inner.poll(cx);
        if (polled.ready) {
          this.#timer.cancel();
          this.#state = State.Done;
          return Poll.ready({ ok: true, value: polled.value });
        }
        if (!this.#timer.fired) return Poll.pending();
        this.#state = State.Done;
        return Poll.ready({ ok: false });
      }
      case State.Done:
        throw new Error('Timeout polled after completion');
    }
  }
}

/** Ready after `delay` units of virtual time (at once when 0); the timer wakes whoever polled last. */
class After implements Future<string> {
  #waker: Waker | undefined;
  #armed = false;
  #due = false;
  constructor(private readonly executor: Executor, private readonly delay: number, private readonly value: string) {}

  poll(cx: Context): Poll<string> {
    if (this.delay === 0 || this.#due) return Poll.ready(this.value);
    this.#waker?.drop();
    this.#waker = cx.waker().clone();
    if (!this.#armed) {
      this.#armed = true;
      this.executor.setTimeout(() => this.#fire(), this.delay);
    }
    return Poll.pending();
  }

  #fire(): void {
    this.#due = true;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

export function drive(): void {
  const executor = new Executor();
  const quick = executor.spawn(new Timeout(executor, new After(executor, 0, 'now'), 10));
  const slow = executor.spawn(new Timeout(executor, new After(executor, 50, 'late'), 20));
  const inTime = executor.spawn(new Timeout(executor, new After(executor, 5, 'soon'), 20));
  executor.run();
  if (!quick.done || !slow.done || !inTime.done) throw new Error('a timeout was never woken (a lost wakeup)');
  if (slow.output?.ok !== false || inTime.output?.ok !== true) throw new Error('a timeout decided wrongly');
}
