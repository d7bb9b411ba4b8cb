// tokio's `sync::Semaphore` (batch semaphore, FIFO): `acquire(n)` waits until n
// permits are free and nobody queued before it; `release(n)` hands permits to
// the waiters at the head of the queue, in order, and wakes them.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Waiter {
  readonly needed: number;
  granted: boolean;
  waker: Waker | undefined;
}

export class Semaphore implements Disposable {
  private readonly waiters: Waiter[] = [];
  constructor(private permits: number) {}

  acquire(needed: number): Acquire {
    return new Acquire(this, needed);
  }

  /** @internal Take `needed` permits now if nobody waits ahead. */
  tryAcquire(needed: number): boolean {
    if (this.waiters.length > 0 || this.permits < needed) return false;
    this.permits -= needed;
    return true;
  }

  /** @internal */
  enqueue(waiter: Waiter): void {
    this.waiters.push(waiter);
  }

  release(count: number): void {
    this.permits += count;
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      if (head.needed > this.permits) break;
      this.waiters.shift();
      this.permits -= head.needed;
      head.granted = true;
      const waker = head.waker;
      head.waker = undefined;
      waker?.wake();
    }
  }

  [Symbol.dispose](): void {
    for (const waiter of this.waiters.splice(0)) waiter.waker?.drop();
  }
}

export class Acquire implements Future<void> {
  private waiter: Waiter | undefined;
  constructor(private readonly semaphore: Semaphore, private readonly needed: number) {}

  poll(cx: Context): Poll<void> {
    if (this.waiter?.granted) return Poll.ready(undefined);
    if (this.waiter) {
      // Still queued: keep the waker current.
      this.waiter.waker?.drop();
      this.waiter.waker = cx.waker().clone();
      return Poll.pending();
    }
    if (this.semaphore.tryAcquire(this.needed)) return Poll.ready(undefined);
    this.waiter = { needed: this.needed, granted: false, waker: cx.waker().clone() };
    this.semaphore.enqueue(this.waiter);
    return Poll.pending();
  }
}

/** Holds `permits` for `hold` ticks, then gives them back. */
class Job implements Future<void> {
  private acquiring: Acquire | undefined;
  private holding = false;
  constructor(private readonly executor: Executor, private readonly semaphore: Semaphore, private readonly permits: number, private readonly hold: number) {}

  poll(cx: Context): Poll<void> {
    if (this.holding) return Poll.ready(undefined);
    this.acquiring ??= this.semaphore.acquire(this.permits);
    if (!this.acquiring.poll(cx).ready) return Poll.pending();
    this.holding = true;
    this.executor.setTimeout(() => this.semaphore.release(this.permits), this.hold);
    return Poll.ready(undefined);
  }
}

export function drive(): void {
  const executor = new Executor();
  using semaphore = new Semaphore(3);
  const jobs = [
    executor.spawn(new Job(executor, semaphore, 2, 10)),
    executor.spawn(new Job(executor, semaphore, 2, 5)),
    executor.spawn(new Job(executor, semaphore, 3, 5)),
    executor.spawn(new Job(executor, semaphore, 1, 1)),
  ];
  executor.run();
  if (jobs.some((job) => !job.done)) throw new Error('a job never got its permits (a lost wakeup)');
}
