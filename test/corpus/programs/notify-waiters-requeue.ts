// A port of tokio's `Notify` whose `Notified` future remembers only that it
// queued a waker, not whether it was notified: `notifyWaiters` wakes the
// queued wakers without leaving a permit, and the re-polled future, already
// queued, returns pending with no waker registered anywhere.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Notify {
  private permit = false;
  private readonly waiters: Waker[] = [];

  notifyOne(): void {
    const waker = this.waiters.shift();
    if (waker) waker.wake();
    else this.permit = true;
  }

  notifyWaiters(): void {
    for (const waker of this.waiters.splice(0)) waker.wake();
  }

  takePermit(): boolean {
    const had = this.permit;
    this.permit = false;
    return had;
  }

  enqueue(waker: Waker): void {
    this.waiters.push(waker);
  }
}

export class Notified implements Future<void> {
  private queued = false;
  constructor(private readonly notify: Notify) {}

  poll(cx: Context): Poll<void> {
    if (this.notify.takePermit()) return Poll.ready(undefined);
    if (!this.queued) {
      this.notify.enqueue(cx.waker().clone());
      this.queued = true;
    }
    return Poll.pending(); // expect: lost-wakeup warning
  }
}

export function drive(): void {
  const executor = new Executor();
  const notify = new Notify();
  executor.setTimeout(() => notify.notifyWaiters(), 10);
  executor.blockOn(new Notified(notify));
}
