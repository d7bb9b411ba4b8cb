// tokio's oneshot `send`, ported from `if let Some(w) = inner.rx_task.take() { w.wake() }`
// as "wake it, then release the slot": but `wake()` already consumed the waker,
// so the `drop()` that follows releases the task a second time.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Inner<T> {
  value: T | undefined;
  complete: boolean;
  rxWaker: Waker | undefined;
}

export class Sender<T> {
  constructor(private readonly inner: Inner<T>) {}

  send(value: T): void {
    const inner = this.inner;
    inner.value = value;
    inner.complete = true;
    if (inner.rxWaker) {
      inner.rxWaker.wake();
      inner.rxWaker.drop(); // expect: use-after-wake error
      inner.rxWaker = undefined;
    }
  }
}

export class Receiver<T> implements Future<T> {
  constructor(private readonly inner: Inner<T>) {}

  poll(cx: Context): Poll<T> {
    const inner = this.inner;
    if (inner.complete) return Poll.ready(inner.value as T);
    const previous = inner.rxWaker;
    inner.rxWaker = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }
}

export function channel<T>(): [Sender<T>, Receiver<T>] {
  const inner: Inner<T> = { value: undefined, complete: false, rxWaker: undefined };
  return [new Sender(inner), new Receiver(inner)];
}

export function drive(): void {
  const executor = new Executor();
  const [tx, rx] = channel<number>();
  executor.setTimeout(() => tx.send(7), 5);
  executor.blockOn(rx);
}
