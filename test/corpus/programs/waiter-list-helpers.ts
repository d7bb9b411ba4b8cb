// A condition variable over a waiter list (async-std's `WakerSet`, event-listener's
// `Event`), written the way such code is: `register(cx)` keeps the context's waker
// through a `store` helper, `take()` moves the oldest waker out, `wakeAll` drains
// the list, and `describe` only reads a waker for the debug log before it is woken.
import { Executor, Poll, type Context, type Future, type Waker, type WakerRef } from 'wakerscope/waker';

/** Only reads the waker: the caller still owns it. */
export function describe(waker: Waker): string {
  return `waker@${String(waker.data)}`;
}

/** Wakes every waker in `wakers`, emptying it. */
export function wakeAll(wakers: Waker[], log: string[]): void {
  for (const waker of wakers.splice(0)) {
    log.push(`wake ${describe(waker)}`);
    waker.wake();
  }
}

export class Condvar implements Disposable {
  private readonly waiters: Waker[] = [];
  readonly log: string[] = [];

  /** Keep the polling task's waker (once per task: a re-poll replaces nothing). */
  register(cx: Context): void {
    for (const waiter of this.waiters) if (waiter.willWake(cx.waker())) return;
    this.store(cx.waker());
  }

  private store(waker: WakerRef): void {
    this.waiters.push(waker.clone());
  }

  /** The oldest waiter's waker, moved out of the list: the caller must wake or drop it. */
  take(): Waker | undefined {
    return this.waiters.shift();
  }

  notifyOne(): void {
    const waker = this.take();
    if (waker === undefined) return;
    this.log.push(`notify ${describe(waker)}`);
    waker.wake();
  }

  notifyAll(): void {
    wakeAll(this.waiters, this.log);
  }

  [Symbol.dispose](): void {
    for (const waker of this.waiters.splice(0)) waker.drop();
  }
}

/** Waits until `flag.count` reaches `target`, re-registering on every pending poll. */
class WaitFor implements Future<void> {
  constructor(
    private readonly condvar: Condvar,
    private readonly flag: { count: number },
    private readonly target: number,
  ) {}

  poll(cx: Context): Poll<void> {
    if (this.flag.count >= this.target) return Poll.ready(undefined);
    this.condvar.register(cx);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using condvar = new Condvar();
  const flag = { count: 0 };
  const first = executor.spawn(new WaitFor(condvar, flag, 1));
  const second = executor.spawn(new WaitFor(condvar, flag, 2));
  executor.setTimeout(() => {
    flag.count = 1;
    condvar.notifyOne();
  }, 5);
  executor.setTimeout(() => {
    flag.count = 2;
    condvar.notifyAll();
  }, 10);
  executor.run();
  if (!first.done || !second.done) throw new Error('a waiter was never woken (a lost wakeup)');
}
