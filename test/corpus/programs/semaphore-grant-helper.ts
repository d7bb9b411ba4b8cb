// A counting semaphore (tokio's `Semaphore`) whose `release` hands the next
// waiter's waker to `grant`, a helper that wakes it. The caller then drops the
// same waker "to be tidy": `grant` already consumed it, so the drop is a use
// after wake (a second release of the task's reference).
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Semaphore implements Disposable {
  private readonly waiters: Waker[] = [];
  readonly granted: string[] = [];
  constructor(private permits: number) {}

  tryAcquire(): boolean {
    if (this.permits === 0) return false;
    this.permits--;
    return true;
  }

  /** Queue the polling task; it retries `tryAcquire` when woken. */
  wait(cx: Context): void {
    this.waiters.push(cx.waker().clone());
  }

  release(): void {
    this.permits++;
    const waker = this.waiters.shift();
    if (waker === undefined) return;
    this.grant(waker);
    waker.drop(); // expect: use-after-wake error
  }

  private grant(waker: Waker): void {
    this.granted.push(`permit for ${String(waker.data)}`);
    waker.wake();
  }

  [Symbol.dispose](): void {
    for (const waker of this.waiters.splice(0)) waker.drop();
  }
}

class Acquire implements Future<void> {
  constructor(private readonly semaphore: Semaphore) {}

  poll(cx: Context): Poll<void> {
    if (this.semaphore.tryAcquire()) return Poll.ready(undefined);
    this.semaphore.wait(cx);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using semaphore = new Semaphore(0);
  const task = executor.spawn(new Acquire(semaphore));
  executor.setTimeout(() => semaphore.release(), 5);
  executor.run();
  if (!task.done) throw new Error('the acquirer was never woken (a lost wakeup)');
}
