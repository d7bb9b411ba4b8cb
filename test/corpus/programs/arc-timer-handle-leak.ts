// A timer task's output shared through an `Arc`, as a `JoinHandle` and the
// task it joins share `Arc<Cell>` in tokio: the producer's clone is dropped
// when it completes, the handle's when the handle is dropped.
// The bug: the timer's callback never drops the producer's clone, so the
// shared state outlives both sides.
import { Arc, Executor, Poll, drop, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Shared<T> {
  output: T | undefined;
  done: boolean;
  waker: Waker | undefined;
}

export class Handle<T> implements Future<T>, Disposable {
  constructor(private readonly shared: Arc<Shared<T>>) {}

  poll(cx: Context): Poll<T> {
    const state = this.shared.value;
    if (state.done) return Poll.ready(state.output as T);
    if (!state.waker?.willWake(cx.waker())) {
      state.waker?.drop();
      state.waker = cx.waker().clone();
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    const state = this.shared.value;
    state.waker?.drop();
    state.waker = undefined;
    drop(this.shared);
  }
}

export function after<T>(executor: Executor, delay: number, value: T): Handle<T> {
  const shared = Arc.new<Shared<T>>({ output: undefined, done: false, waker: undefined });
  const producer = shared.clone(); // expect: clone-without-drop error
  executor.setTimeout(() => {
    const state = producer.value;
    state.output = value;
    state.done = true;
    const waker = state.waker;
    state.waker = undefined;
    waker?.wake();
  }, delay);
  return new Handle(shared);
}

export function drive(): void {
  const executor = new Executor();
  const handle = after(executor, 3, 'done');
  if (executor.blockOn(handle) !== 'done') throw new Error('wrong output');
  handle[Symbol.dispose]();
}
