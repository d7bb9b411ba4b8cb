// A FIFO semaphore whose `release` takes the head waiter off the queue before
// checking that enough permits are free; when there are not, it stops, and the
// waiter it took (with its waker) is neither woken nor put back.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Ticket {
  granted: boolean;
}

interface Waiter {
  readonly needed: number;
  readonly ticket: Ticket;
  waker: Waker;
}

export class Semaphore implements Disposable {
  private readonly waiters: Waiter[] = [];
  constructor(public permits: number) {}

  tryAcquire(needed: number): boolean {
    if (this.waiters.length > 0 || this.permits < needed) return false;
    this.permits -= needed;
    return true;
  }

  enqueue(waiter: Waiter): void {
    this.waiters.push(waiter);
  }

  release(count: number): void {
    this.permits += count;
    while (this.waiters.length > 0) {
      const { needed, ticket, waker } = this.waiters.shift()!; // expect: clone-without-drop warning
      if (needed > this.permits) break;
      this.permits -= needed;
      ticket.granted = true;
      waker.wake();
    }
  }

  [Symbol.dispose](): void {
    for (const { waker } of this.waiters.splice(0)) waker.drop();
  }
}

export class Acquire implements Future<void> {
  private ticket: Ticket | undefined;
  private waiter: Waiter | undefined;
  constructor(private readonly semaphore: Semaphore, private readonly needed: number) {}

  poll(cx: Context): Poll<void> {
    if (this.ticket?.granted) return Poll.ready(undefined);
    const waiter = this.waiter;
    if (waiter) {
      // Still queued: make sure the queue holds the current task's waker.
      if (waiter.waker.willWake(cx.waker())) return Poll.pending();
      const previous = waiter.waker;
      waiter.waker = cx.waker().clone();
      previous.drop();
      return Poll.pending();
    }
    if (this.semaphore.tryAcquire(this.needed)) return Poll.ready(undefined);
    this.ticket = { granted: false };
    this.waiter = { needed: this.needed, ticket: this.ticket, waker: cx.waker().clone() };
    this.semaphore.enqueue(this.waiter);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using semaphore = new Semaphore(0);
  const big = executor.spawn(new Acquire(semaphore, 2));
  executor.setTimeout(() => semaphore.release(1), 5);
  executor.setTimeout(() => semaphore.release(1), 10);
  executor.run();
  if (!big.done) throw new Error('the acquire was never woken (a lost wakeup)');
}
