// tokio's `sync::oneshot`: one value from a Sender to a Receiver through shared
// state. The receiver parks its waker in the state and, polled again by the same
// task, keeps it (`will_wake`) instead of cloning a new one.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Inner<T> {
  value: T | undefined;
  complete: boolean;
  closed: boolean;
  rxWaker: Waker | undefined;
}

export class Sender<T> implements Disposable {
  constructor(private readonly inner: Inner<T>) {}

  /** Hand the value over; false when the receiver is gone. */
  send(value: T): boolean {
    const inner = this.inner;
    if (inner.closed) return false;
    inner.value = value;
    inner.complete = true;
    const waker = inner.rxWaker;
    inner.rxWaker = undefined;
    waker?.wake();
    return true;
  }

  /** Dropping the sender without sending closes the channel and wakes the receiver. */
  [Symbol.dispose](): void {
    const inner = this.inner;
    if (inner.complete) return;
    inner.complete = true;
    const waker = inner.rxWaker;
    inner.rxWaker = undefined;
    waker?.wake();
  }
}

export class Receiver<T> implements Future<T | undefined>, Disposable {
  constructor(private readonly inner: Inner<T>) {}

  poll(cx: Context): Poll<T | undefined> {
    const inner = this.inner;
    if (inner.complete) return Poll.ready(inner.value);
    const stored = inner.rxWaker;
    // Polled again by the same task: the stored waker is still the right one.
    if (stored?.willWake(cx.waker())) return Poll.pending();
    inner.rxWaker = cx.waker().clone();
    stored?.drop();
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    const inner = this.inner;
    inner.closed = true;
    const waker = inner.rxWaker;
    inner.rxWaker = undefined;
    waker?.drop();
  }
}

export function channel<T>(): [Sender<T>, Receiver<T>] {
  const inner: Inner<T> = { value: undefined, complete: false, closed: false, rxWaker: undefined };
  return [new Sender(inner), new Receiver(inner)];
}

/** Polls the receiver twice before the value arrives, so the second poll keeps the stored waker. */
class Twice<T> implements Future<T | undefined> {
  private polls = 0;
  constructor(private readonly rx: Receiver<T>) {}
  poll(cx: Context): Poll<T | undefined> {
    this.polls++;
    const result = this.rx.poll(cx);
    if (result.ready || this.polls > 1) return result;
    // Re-poll once at once, as a select would.
    return this.rx.poll(cx);
  }
}

export function drive(): void {
  const executor = new Executor();
  const [tx, rx] = channel<string>();
  executor.setTimeout(() => tx.send('hello'), 5);
  const value = executor.blockOn(new Twice(rx));
  if (value !== 'hello') throw new Error(`received ${value}`);
  rx[Symbol.dispose]();

  // A sender dropped unsent wakes the receiver with nothing.
  const [tx2, rx2] = channel<number>();
  executor.setTimeout(() => tx2[Symbol.dispose](), 5);
  if (executor.blockOn(rx2) !== undefined) throw new Error('expected a closed channel');
  rx2[Symbol.dispose]();
}
