// tokio's `sync::Notify`: `notifyOne` wakes the oldest waiter or, with nobody
// waiting, stores one permit; `notifyWaiters` wakes everyone waiting now. A
// `Notified` future remembers that it was notified, so a re-poll completes.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Waiter {
  notified: boolean;
  waker: Waker | undefined;
}

export class Notify implements Disposable {
  private permit = false;
  private readonly waiters: Waiter[] = [];

  notified(): Notified {
    return new Notified(this);
  }

  notifyOne(): void {
    const waiter = this.waiters.shift();
    if (!waiter) {
      this.permit = true;
      return;
    }
    waiter.notified = true;
    const waker = waiter.waker;
    waiter.waker = undefined;
    waker?.wake();
  }

  notifyWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.notified = true;
      const waker = waiter.waker;
      waiter.waker = undefined;
      waker?.wake();
    }
  }

  /** @internal */
  takePermit(): boolean {
    const had = this.permit;
    this.permit = false;
    return had;
  }

  /** @internal */
  enqueue(waiter: Waiter): void {
    this.waiters.push(waiter);
  }

  [Symbol.dispose](): void {
    for (const waiter of this.waiters.splice(0)) waiter.waker?.drop();
  }
}

export class Notified implements Future<void> {
  private waiter: Waiter | undefined;
  constructor(private readonly notify: Notify) {}

  poll(cx: Context): Poll<void> {
    const waiter = this.waiter;
    if (waiter === undefined) {
      if (this.notify.takePermit()) return Poll.ready(undefined);
      const fresh: Waiter = { notified: false, waker: cx.waker().clone() };
      this.waiter = fresh;
      this.notify.enqueue(fresh);
      return Poll.pending();
    }
    if (waiter.notified) return Poll.ready(undefined);
    // Spurious poll: refresh the waker in case the task changed.
    const previous = waiter.waker;
    waiter.waker = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }
}

/** Waits for `count` notifications in a row. */
class Worker implements Future<number> {
  private current: Notified | undefined;
  private seen = 0;
  constructor(private readonly notify: Notify, private readonly count: number) {}

  poll(cx: Context): Poll<number> {
    while (this.seen < this.count) {
      this.current ??= this.notify.notified();
      if (!this.current.poll(cx).ready) return Poll.pending();
      this.current = undefined;
      this.seen++;
    }
    return Poll.ready(this.seen);
  }
}

export function drive(): void {
  const executor = new Executor();
  using notify = new Notify();
  notify.notifyOne(); // stored as a permit: the first wait completes at once
  const a = executor.spawn(new Worker(notify, 3));
  const b = executor.spawn(new Worker(notify, 2));
  executor.setTimeout(() => notify.notifyOne(), 10);
  executor.setTimeout(() => notify.notifyWaiters(), 20);
  executor.setTimeout(() => notify.notifyWaiters(), 30);
  executor.run();
  if (!a.done || !b.done) throw new Error('a worker was never woken (a lost wakeup)');
}
