// A wait group (Go's sync.WaitGroup, async-std's `WaitGroup`) whose waiters
// hand their wakers to helpers: the last `done()` wakes every parked waiter.
// `arrive` decides once whether this arrival is the last and acts on that
// decision twice, so exactly one branch takes the waker.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class WaitGroup implements Disposable {
  private readonly parked: Waker[] = [];
  constructor(private remaining: number) {}

  get finished(): boolean {
    return this.remaining === 0;
  }

  done(): void {
    this.remaining--;
    if (this.remaining === 0) wakeAll(this.parked);
  }

  /** A worker that finishes and waits for the others, handing over its waker. */
  arrive(waker: Waker): void {
    const last = this.remaining === 1;
    this.remaining--;
    if (last) waker.wake();
    if (last) wakeAll(this.parked);
    if (!last) this.park(waker);
  }

  park(waker: Waker): void {
    this.parked.push(waker);
  }

  [Symbol.dispose](): void {
    dropAll(this.parked);
  }
}

/** Wake every waker in `wakers`, emptying it. */
export function wakeAll(wakers: Waker[]): void {
  for (const waker of wakers.splice(0)) waker.wake();
}

export function dropAll(wakers: Waker[]): void {
  for (const waker of wakers.splice(0)) waker.drop();
}

class Worker implements Future<void> {
  private arrived = false;
  constructor(private readonly group: WaitGroup) {}

  poll(cx: Context): Poll<void> {
    if (this.group.finished) return Poll.ready(undefined);
    if (!this.arrived) {
      this.arrived = true;
      this.group.arrive(cx.waker().clone());
      return Poll.pending();
    }
    // Woken early by something else: park again.
    this.group.park(cx.waker().clone());
    return Poll.pending();
  }
}

class Waiter implements Future<void> {
  constructor(private readonly group: WaitGroup) {}
  poll(cx: Context): Poll<void> {
    if (this.group.finished) return Poll.ready(undefined);
    this.group.park(cx.waker().clone());
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using group = new WaitGroup(4);
  const waiter = executor.spawn(new Waiter(group));
  const workers = [1, 2, 3].map(() => executor.spawn(new Worker(group)));
  executor.setTimeout(() => group.done(), 5);
  executor.run();
  if (!waiter.done || workers.some((w) => !w.done)) throw new Error('the group never finished (a lost wakeup)');
}
