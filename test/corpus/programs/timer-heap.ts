// A timer driver on a binary min-heap of deadlines (tokio's first time driver,
// async-io's `Timer`): `Sleep` registers its waker under its deadline, and the
// driver's `advance(now)` pops every expired entry and wakes it.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Entry {
  readonly deadline: number;
  readonly seq: number;
  waker: Waker | undefined;
  fired: boolean;
}

export class TimerHeap implements Disposable {
  private readonly heap: Entry[] = [];
  private seq = 0;
  now = 0;

  insert(deadline: number, waker: Waker): Entry {
    const entry: Entry = { deadline, seq: this.seq++, waker, fired: false };
    this.heap.push(entry);
    this.siftUp(this.heap.length - 1);
    return entry;
  }

  nextDeadline(): number | undefined {
    return this.heap[0]?.deadline;
  }

  /** Move the clock to `now` and wake every entry due by then, earliest first. */
  advance(now: number): void {
    this.now = now;
    while (this.heap.length > 0 && this.heap[0].deadline <= now) {
      const entry = this.popMin();
      entry.fired = true;
      const waker = entry.waker;
      entry.waker = undefined;
      waker?.wake();
    }
  }

  private popMin(): Entry {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(this.heap[index], this.heap[parent])) return;
      [this.heap[index], this.heap[parent]] = [this.heap[parent], this.heap[index]];
      index = parent;
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.less(this.heap[left], this.heap[smallest])) smallest = left;
      if (right < this.heap.length && this.less(this.heap[right], this.heap[smallest])) smallest = right;
      if (smallest === index) return;
      [this.heap[index], this.heap[smallest]] = [this.heap[smallest], this.heap[index]];
      index = smallest;
    }
  }

  [Symbol.dispose](): void {
    for (const entry of this.heap.splice(0)) entry.waker?.drop();
  }
}

export class Sleep implements Future<number> {
  private entry: Entry | undefined;
  constructor(private readonly timers: TimerHeap, private readonly deadline: number) {}

  poll(cx: Context): Poll<number> {
    if (this.timers.now >= this.deadline) return Poll.ready(this.timers.now);
    if (this.entry === undefined) {
      this.entry = this.timers.insert(this.deadline, cx.waker().clone());
      return Poll.pending();
    }
    // Re-polled before firing: swap in the current waker.
    const previous = this.entry.waker;
    this.entry.waker = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using timers = new TimerHeap();
  const sleeps = [30, 10, 20, 10, 50].map((deadline) => executor.spawn(new Sleep(timers, deadline)));
  // The runtime's park loop: run what is ready, then jump the clock to the next deadline.
  for (;;) {
    executor.run();
    const next = timers.nextDeadline();
    if (next === undefined) break;
    timers.advance(next);
  }
  if (sleeps.some((sleep) => !sleep.done)) throw new Error('a sleep never woke (a lost wakeup)');
}
