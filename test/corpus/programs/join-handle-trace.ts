// A JoinHandle's completion path with tracing added: the joiner is woken, and
// the trace line that follows reads the waker's data pointer, after `wake()`
// consumed it.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface JoinState<T> {
  output: T | undefined;
  finished: boolean;
  joiner: Waker | undefined;
}

export class Completion<T> {
  readonly trace: string[] = [];
  constructor(private readonly state: JoinState<T>) {}

  complete(output: T): void {
    this.state.output = output;
    this.state.finished = true;
    const joiner = this.state.joiner;
    this.state.joiner = undefined;
    if (joiner) {
      joiner.wake();
      this.trace.push(`woke joiner of ${joiner.data}`); // expect: use-after-wake error
    }
  }
}

export class JoinHandle<T> implements Future<T> {
  constructor(private readonly state: JoinState<T>) {}

  poll(cx: Context): Poll<T> {
    if (this.state.finished) return Poll.ready(this.state.output as T);
    const previous = this.state.joiner;
    this.state.joiner = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const state: JoinState<string> = { output: undefined, finished: false, joiner: undefined };
  const completion = new Completion(state);
  executor.setTimeout(() => completion.complete('done'), 5);
  executor.blockOn(new JoinHandle(state));
}
