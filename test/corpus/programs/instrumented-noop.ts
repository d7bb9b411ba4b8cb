// A future wrapper that counts polls (tracing's `Instrumented`), written to
// poll the inner future with a no-op waker "so it does not wake us twice": the
// inner future parks the no-op waker, and nothing ever wakes this task.
import { Context, Executor, Poll, Waker, type Future } from 'wakerscope/waker';

export class Instrumented<T> implements Future<T> {
  polls = 0;
  constructor(private readonly inner: Future<T>) {}

  poll(_cx: Context): Poll<T> {
    this.polls++;
    const result = this.inner.poll(Context.fromWaker(Waker.noop()));
    if (!result.ready) return Poll.pending(); // expect: lost-wakeup error
    return result;
  }
}

/** Ready after the executor's clock passes `delay`. */
class Timer implements Future<string> {
  private waker: Waker | undefined;
  private fired = false;
  private armed = false;
  constructor(private readonly executor: Executor, private readonly delay: number) {}

  poll(cx: Context): Poll<string> {
    if (this.fired) return Poll.ready('fired');
    const previous = this.waker;
    this.waker = cx.waker().clone();
    previous?.drop();
    if (!this.armed) {
      this.armed = true;
      this.executor.setTimeout(() => {
        this.fired = true;
        const waker = this.waker;
        this.waker = undefined;
        waker?.wake();
      }, this.delay);
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  executor.blockOn(new Instrumented(new Timer(executor, 10)));
}
