// tokio-util's `CancellationToken`: a tree of tokens; cancelling one cancels
// its whole subtree. Tasks wait with `cancelled()`, whose waker is parked in
// the token's map by waiter id; dropping the wait before it completes removes
// its entry (and releases the waker) with try/finally-style cleanup.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class CancellationToken {
  #cancelled = false;
  readonly #children: CancellationToken[] = [];
  readonly #waiters = new Map<number, Waker>();
  #nextWaiter = 0;

  get isCancelled(): boolean {
    return this.#cancelled;
  }

  childToken(): CancellationToken {
    const child = new CancellationToken();
    if (this.#cancelled) child.cancel();
    else this.#children.push(child);
    return child;
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waker of waiters) waker.wake();
    for (const child of this.#children.splice(0)) child.cancel();
  }

  cancelled(): WaitForCancellation {
    return new WaitForCancellation(this, this.#nextWaiter++);
  }

  /** @internal Park or refresh the waker for waiter `id`. */
  park(id: number, cx: Context): void {
    const parked = this.#waiters.get(id);
    if (parked !== undefined) {
      if (parked.willWake(cx.waker())) return;
      parked.drop();
    }
    this.#waiters.set(id, cx.waker().clone());
  }

  /** @internal */
  unpark(id: number): void {
    const parked = this.#waiters.get(id);
    if (parked === undefined) return;
    this.#waiters.delete(id);
    parked.drop();
  }
}

export class WaitForCancellation implements Future<void>, Disposable {
  constructor(readonly token: CancellationToken, private readonly id: number) {}

  poll(cx: Context): Poll<void> {
    if (this.token.isCancelled) return Poll.ready(undefined);
    this.token.park(this.id, cx);
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    this.token.unpark(this.id);
  }
}

/** Works in steps of 10 until its token is cancelled. */
class Worker implements Future<number> {
  #steps = 0;
  #nextStep: Waker | undefined;
  readonly #wait: WaitForCancellation;
  constructor(private readonly executor: Executor, token: CancellationToken) {
    this.#wait = token.cancelled();
  }

  poll(cx: Context): Poll<number> {
    try {
      if (this.#wait.poll(cx).ready) return Poll.ready(this.#steps);
      if (this.#nextStep === undefined) {
        this.#steps++;
        this.#nextStep = cx.waker().clone();
        this.executor.setTimeout(() => this.#step(), 10);
      }
      return Poll.pending();
    } finally {
      if (this.#wait.token.isCancelled) this.#wait[Symbol.dispose]();
    }
  }

  #step(): void {
    const waker = this.#nextStep;
    this.#nextStep = undefined;
    waker?.wake();
  }
}

export function drive(): void {
  const executor = new Executor();
  const root = new CancellationToken();
  const child = root.childToken();
  const grandchild = child.childToken();
  const workers = [root, child, grandchild].map((token) => executor.spawn(new Worker(executor, token)));
  const detached = new CancellationToken().cancelled();
  executor.setTimeout(() => root.cancel(), 35);
  executor.run();
  detached[Symbol.dispose]();
  if (workers.some((w) => !w.done)) throw new Error('a worker was never woken (a lost wakeup)');
  if (!grandchild.isCancelled) throw new Error('cancellation did not reach the grandchild');
}
