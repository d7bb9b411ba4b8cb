// A semaphore's `Acquire` that re-checks for permits after queueing (the
// register-then-check order AtomicWaker teaches). When the re-check succeeds it
// drops "its" waker, but the queue entry it just built owns that waker now;
// the next `release` wakes a dropped waker.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Waiter {
  readonly needed: number;
  granted: boolean;
  waker: Waker;
}

export class Semaphore {
  private readonly waiters: Waiter[] = [];
  constructor(public permits: number) {}

  enqueue(waiter: Waiter): void {
    this.waiters.push(waiter);
  }

  release(count: number): void {
    this.permits += count;
    while (this.waiters.length > 0 && this.waiters[0].needed <= this.permits) {
      const waiter = this.waiters.shift()!;
      this.permits -= waiter.needed;
      waiter.granted = true;
      waiter.waker.wake();
    }
  }
}

export class Acquire implements Future<void> {
  private waiter: Waiter | undefined;
  constructor(private readonly semaphore: Semaphore, private readonly needed: number) {}

  poll(cx: Context): Poll<void> {
    if (this.waiter?.granted) return Poll.ready(undefined);
    if (this.waiter) {
      if (this.waiter.waker.willWake(cx.waker())) return Poll.pending();
      const previous = this.waiter.waker;
      this.waiter.waker = cx.waker().clone();
      previous.drop();
      return Poll.pending();
    }
    const waker = cx.waker().clone();
    this.waiter = { needed: this.needed, granted: false, waker };
    this.semaphore.enqueue(this.waiter);
    if (this.semaphore.permits >= this.needed) {
      waker.drop(); // expect: use-after-move error
      this.semaphore.permits -= this.needed;
      return Poll.ready(undefined);
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const semaphore = new Semaphore(1);
  executor.blockOn(new Acquire(semaphore, 1));
  semaphore.release(1);
}
