// tokio's cooperative budget: a task may make progress a few times per poll,
// then must yield. Yielding parks the waker in the scheduler's defer list,
// which wakes everything deferred once the current round of polls is over.
// When the defer list is full, the port wakes the task at once instead, but
// it has already pushed the waker onto the list: that waker is woken twice.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Defer {
  readonly #deferred: Waker[] = [];
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#deferred.length;
  }

  push(waker: Waker): void {
    this.#deferred.push(waker);
  }

  /** End of a scheduler round: wake what yielded. */
  wakeAll(): void {
    for (const waker of this.#deferred.splice(0)) waker.wake();
  }
}

/** Counts to `target`, at most `budget` steps per poll. */
export class Count implements Future<number> {
  #value = 0;
  constructor(private readonly defer: Defer, private readonly target: number, private readonly budget: number) {}

  poll(cx: Context): Poll<number> {
    for (let spent = 0; spent < this.budget; spent++) {
      if (this.#value === this.target) return Poll.ready(this.#value);
      this.#value++;
    }
    const waker = cx.waker().clone();
    this.defer.push(waker);
    if (this.defer.length > this.defer.capacity) {
      waker.wake(); // expect: use-after-move error
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const defer = new Defer(1);
  const tasks = [executor.spawn(new Count(defer, 5, 2)), executor.spawn(new Count(defer, 3, 2))];
  for (let round = 0; round < 10 && tasks.some((t) => !t.done); round++) {
    executor.run();
    defer.wakeAll();
  }
  executor.run();
  if (tasks.some((t) => !t.done)) throw new Error('a task was never woken (a lost wakeup)');
}
