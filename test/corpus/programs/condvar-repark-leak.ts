// async-std's `Condvar` (on an async `Mutex`'s guard in the original; here a
// flag stands in for the protected state): waiters park in a queue keyed by a
// ticket; `notifyOne` wakes the oldest, `notifyAll` all of them, and a wait
// dropped before it was notified takes itself out of the queue.
// The bug: a wait polled by another task replaces its waker without dropping
// the old one.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Parked {
  readonly ticket: number;
  waker: Waker;
}

export class Condvar implements Disposable {
  private readonly queue: Parked[] = [];
  private nextTicket = 0;

  wait(): WaitFuture {
    return new WaitFuture(this, this.nextTicket++);
  }

  /** Parks `ticket`, or refreshes its waker when another task polls it now. */
  park(ticket: number, cx: Context): void {
    const parked = this.queue.find((p) => p.ticket === ticket);
    if (parked === undefined) {
      this.queue.push({ ticket, waker: cx.waker().clone() });
      return;
    }
    if (parked.waker.willWake(cx.waker())) return;
    parked.waker = cx.waker().clone(); // expect: clone-without-drop warning
  }

  isParked(ticket: number): boolean {
    return this.queue.some((p) => p.ticket === ticket);
  }

  notifyOne(): boolean {
    const first = this.queue.shift();
    if (first === undefined) return false;
    first.waker.wake();
    return true;
  }

  notifyAll(): number {
    const all = this.queue.splice(0);
    for (const parked of all) parked.waker.wake();
    return all.length;
  }

  /** A wait dropped before it was notified gives up its place. */
  cancel(ticket: number): void {
    const index = this.queue.findIndex((p) => p.ticket === ticket);
    if (index < 0) return;
    const [removed] = this.queue.splice(index, 1);
    removed.waker.drop();
  }

  [Symbol.dispose](): void {
    for (const parked of this.queue.splice(0)) parked.waker.drop();
  }
}

export class WaitFuture implements Future<void>, Disposable {
  private parked = false;
  private done = false;
  constructor(private readonly condvar: Condvar, private readonly ticket: number) {}

  poll(cx: Context): Poll<void> {
    if (this.parked && !this.condvar.isParked(this.ticket)) {
      this.done = true;
      return Poll.ready(undefined);
    }
    this.condvar.park(this.ticket, cx);
    this.parked = true;
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    if (!this.done) this.condvar.cancel(this.ticket);
  }
}

export function drive(): void {
  const executor = new Executor();
  const condvar = new Condvar();
  const moved = condvar.wait();
  const stays = condvar.wait();
  const cancelled = condvar.wait();
  // `moved` is polled once by a task that then lets it go, and from then on by
  // a task of its own (a future moved between tasks): its waker is refreshed.
  executor.spawn({ poll: (cx: Context) => (moved.poll(cx), Poll.ready(undefined)) });
  const a = executor.spawn(moved);
  const b = executor.spawn(stays);
  // Parked once, then dropped unnotified.
  executor.spawn({ poll: (cx: Context) => (cancelled.poll(cx), Poll.ready(undefined)) });
  executor.setTimeout(() => cancelled[Symbol.dispose](), 1);
  executor.setTimeout(() => condvar.notifyOne(), 2);
  executor.setTimeout(() => condvar.notifyAll(), 3);
  executor.run();
  if (!a.done || !b.done) throw new Error('a waiter was never woken: lost wakeup');
  condvar[Symbol.dispose]();
}
