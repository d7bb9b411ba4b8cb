// tokio's `Notify` with its intrusive waiter list: each `Notified` future owns
// its waiter record and links it into the list on first poll; `notifyOne`
// unlinks the oldest and wakes it; a future dropped while queued unlinks its
// own record (found by identity) and drops the waker it holds.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Waiter {
  waker: Waker | undefined;
  notified: boolean;
}

export class Notify {
  private readonly waiters: Waiter[] = [];

  notified(): Notified {
    return new Notified(this);
  }

  enqueue(waiter: Waiter): void {
    this.waiters.push(waiter);
  }

  remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  notifyOne(): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return;
    waiter.notified = true;
    const waker = waiter.waker;
    waiter.waker = undefined;
    waker?.wake();
  }
}

export class Notified implements Future<void>, Disposable {
  readonly #waiter: Waiter = { waker: undefined, notified: false };
  #queued = false;
  constructor(private readonly notify: Notify) {}

  poll(cx: Context): Poll<void> {
    const waiter = this.#waiter;
    if (waiter.notified) return Poll.ready(undefined);
    if (!waiter.waker?.willWake(cx.waker())) {
      waiter.waker?.drop();
      waiter.waker = cx.waker().clone();
    }
    if (!this.#queued) {
      this.#queued = true;
      this.notify.enqueue(waiter);
    }
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    if (this.#queued && !this.#waiter.notified) this.notify.remove(this.#waiter);
    this.#waiter.waker?.drop();
    this.#waiter.waker = undefined;
  }
}

export function drive(): void {
  const executor = new Executor();
  const notify = new Notify();
  const a = notify.notified();
  const b = notify.notified();
  const ha = executor.spawn(a);
  executor.spawn({ poll: (cx: Context) => (b.poll(cx), Poll.ready(undefined)) });
  executor.setTimeout(() => b[Symbol.dispose](), 1);
  executor.setTimeout(() => notify.notifyOne(), 2);
  executor.run();
  if (!ha.done) throw new Error('lost wakeup');
  a[Symbol.dispose]();
}
