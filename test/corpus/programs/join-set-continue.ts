// tokio's `JoinSet`: `joinNext()` completes with the output of whichever child
// finishes first. Each child keeps the waker of the task that joins on it.
// The loop clones the joiner's waker before it looks at the child, and a
// finished child that was already reported is skipped with `continue`, leaking
// the clone made for it.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

class Child<T> {
  output: { readonly value: T } | undefined;
  reported = false;
  joiner: Waker | undefined;

  finish(value: T): void {
    this.output = { value };
    const joiner = this.joiner;
    this.joiner = undefined;
    joiner?.wake();
  }
}

export class JoinSet<T> implements Disposable {
  readonly #children: Child<T>[] = [];

  spawn(executor: Executor, delay: number, value: T): void {
    const child = new Child<T>();
    this.#children.push(child);
    executor.setTimeout(() => child.finish(value), delay);
  }

  get isEmpty(): boolean {
    return this.#children.every((c) => c.reported);
  }

  pollJoinNext(cx: Context): Poll<T | undefined> {
    if (this.isEmpty) return Poll.ready(undefined);
    for (const child of this.#children) {
      const waker = cx.waker().clone(); // expect: clone-without-drop warning
      if (child.reported) continue;
      if (child.output !== undefined) {
        waker.drop();
        child.reported = true;
        return Poll.ready(child.output.value);
      }
      child.joiner?.drop();
      child.joiner = waker;
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    for (const child of this.#children) child.joiner?.drop();
  }
}

/** Joins every child, in the order they finish. */
class JoinAll implements Future<number[]> {
  readonly #order: number[] = [];
  constructor(private readonly set: JoinSet<number>) {}

  poll(cx: Context): Poll<number[]> {
    for (;;) {
      const next = this.set.pollJoinNext(cx);
      if (!next.ready) return Poll.pending();
      if (next.value === undefined) return Poll.ready(this.#order);
      this.#order.push(next.value);
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  using set = new JoinSet<number>();
  set.spawn(executor, 30, 3);
  set.spawn(executor, 10, 1);
  set.spawn(executor, 20, 2);
  const all = executor.spawn(new JoinAll(set));
  executor.run();
  if (!all.done) throw new Error('the join never finished (a lost wakeup)');
  if (all.output?.join(',') !== '1,2,3') throw new Error(`joined in order ${all.output?.join(',')}`);
}
