// A `JoinHandle`, as tokio and async-std give for a spawned task: the task
// writes its output into shared state and wakes whoever awaits the handle.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface JoinState<T> {
  output: T | undefined;
  finished: boolean;
  joiner: Waker | undefined;
}

/** Runs `work` after `delay` ticks and publishes its result. */
class Spawned<T> implements Future<void> {
  private started = false;
  private ready = false;
  private waker: Waker | undefined;
  constructor(private readonly executor: Executor, private readonly state: JoinState<T>, private readonly work: () => T, private readonly delay: number) {}

  poll(cx: Context): Poll<void> {
    if (!this.ready) {
      const stored = this.waker;
      if (stored?.willWake(cx.waker())) return Poll.pending();
      this.waker = cx.waker().clone();
      stored?.drop();
      if (!this.started) {
        this.started = true;
        this.executor.setTimeout(() => {
          this.ready = true;
          const waker = this.waker;
          this.waker = undefined;
          waker?.wake();
        }, this.delay);
      }
      return Poll.pending();
    }
    this.state.output = this.work();
    this.state.finished = true;
    const joiner = this.state.joiner;
    this.state.joiner = undefined;
    joiner?.wake();
    return Poll.ready(undefined);
  }
}

export class JoinHandle<T> implements Future<T>, Disposable {
  constructor(private readonly state: JoinState<T>) {}

  poll(cx: Context): Poll<T> {
    if (this.state.finished) return Poll.ready(this.state.output as T);
    const previous = this.state.joiner;
    this.state.joiner = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }

  /** Dropping the handle detaches the task. */
  [Symbol.dispose](): void {
    const joiner = this.state.joiner;
    this.state.joiner = undefined;
    joiner?.drop();
  }
}

export function spawn<T>(executor: Executor, work: () => T, delay: number): JoinHandle<T> {
  const state: JoinState<T> = { output: undefined, finished: false, joiner: undefined };
  executor.spawn(new Spawned(executor, state, work, delay));
  return new JoinHandle(state);
}

/** Awaits two handles in turn and adds their outputs. */
class JoinBoth implements Future<number> {
  private first: number | undefined;
  constructor(private readonly a: JoinHandle<number>, private readonly b: JoinHandle<number>) {}

  poll(cx: Context): Poll<number> {
    if (this.first === undefined) {
      const a = this.a.poll(cx);
      if (!a.ready) return Poll.pending();
      this.first = a.value;
    }
    const b = this.b.poll(cx);
    if (!b.ready) return Poll.pending();
    return Poll.ready(this.first + b.value);
  }
}

export function drive(): void {
  const executor = new Executor();
  using a = spawn(executor, () => 40, 10);
  using b = spawn(executor, () => 2, 3);
  const sum = executor.blockOn(new JoinBoth(a, b));
  if (sum !== 42) throw new Error(`joined ${sum}`);
}
