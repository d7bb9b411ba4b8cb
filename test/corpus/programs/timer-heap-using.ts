// A timer heap whose `Sleep` declares the waker it registers with `using`, as
// if the heap borrowed it. The heap keeps it, and the scope end drops it anyway:
// when the deadline passes, the heap wakes a waker that was already dropped.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export interface Entry {
  readonly deadline: number;
  waker: Waker;
}

export class TimerHeap {
  private readonly entries: Entry[] = [];
  now = 0;

  insert(deadline: number, waker: Waker): Entry {
    const entry: Entry = { deadline, waker };
    this.entries.push(entry);
    this.entries.sort((a, b) => a.deadline - b.deadline);
    return entry;
  }

  nextDeadline(): number | undefined {
    return this.entries[0]?.deadline;
  }

  advance(now: number): void {
    this.now = now;
    while (this.entries.length > 0 && this.entries[0].deadline <= now) {
      const { waker } = this.entries.shift()!;
      waker.wake();
    }
  }
}

export class Sleep implements Future<void> {
  private entry: Entry | undefined;
  constructor(private readonly timers: TimerHeap, private readonly deadline: number) {}

  poll(cx: Context): Poll<void> {
    if (this.timers.now >= this.deadline) return Poll.ready(undefined);
    if (this.entry) {
      if (this.entry.waker.willWake(cx.waker())) return Poll.pending();
      const previous = this.entry.waker;
      this.entry.waker = cx.waker().clone();
      previous.drop();
      return Poll.pending();
    }
    using waker = cx.waker().clone(); // expect: use-after-move error
    this.entry = this.timers.insert(this.deadline, waker);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const timers = new TimerHeap();
  executor.spawn(new Sleep(timers, 10));
  for (;;) {
    executor.run();
    const next = timers.nextDeadline();
    if (next === undefined) break;
    timers.advance(next);
  }
}
