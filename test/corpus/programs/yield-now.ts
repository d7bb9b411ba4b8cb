// tokio's `task::yield_now` and a cooperative budget: a future that returns
// pending once after waking its own task by reference, so the executor polls
// it again after the others.
import { Executor, Poll, type Context, type Future } from 'wakerscope/waker';

export class YieldNow implements Future<void> {
  private yielded = false;
  poll(cx: Context): Poll<void> {
    if (this.yielded) return Poll.ready(undefined);
    this.yielded = true;
    cx.waker().wakeByRef();
    return Poll.pending();
  }
}

/** Sums `items`, yielding to the executor every `budget` items. */
class Summer implements Future<number> {
  private index = 0;
  private total = 0;
  private yielding: YieldNow | undefined;
  constructor(private readonly items: readonly number[], private readonly budget: number, private readonly log: string[], private readonly name: string) {}

  poll(cx: Context): Poll<number> {
    if (this.yielding) {
      if (!this.yielding.poll(cx).ready) return Poll.pending();
      this.yielding = undefined;
    }
    let spent = 0;
    while (this.index < this.items.length) {
      if (spent === this.budget) {
        this.log.push(this.name);
        this.yielding = new YieldNow();
        if (!this.yielding.poll(cx).ready) return Poll.pending();
      }
      this.total += this.items[this.index++];
      spent++;
    }
    return Poll.ready(this.total);
  }
}

export function drive(): void {
  const executor = new Executor();
  const log: string[] = [];
  const a = executor.spawn(new Summer([1, 2, 3, 4, 5, 6], 2, log, 'a'));
  const b = executor.spawn(new Summer([10, 20, 30, 40], 2, log, 'b'));
  executor.run();
  if (a.output !== 21 || b.output !== 100) throw new Error('a summer never finished (a lost wakeup)');
  if (!log.includes('a') || !log.includes('b')) throw new Error('the summers never yielded');
}
