// async-std's `WakerSet`: a slab of optional wakers keyed by the entry a
// waiting future was given. `notifyOne` wakes one registered waker and leaves
// the entry in place (the future removes it when it is done); `notifyAll`
// wakes them all; `cancel` gives an entry back, waking another waiter if this
// one was notified but gave up.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class WakerSet implements Disposable {
  readonly #entries = new Map<number, Waker | undefined>();
  #nextKey = 0;
  #notified = new Set<number>();

  insert(cx: Context): number {
    const key = this.#nextKey++;
    this.#entries.set(key, cx.waker().clone());
    return key;
  }

  /** Refreshes the waker of `key`; false when it was notified meanwhile. */
  update(key: number, cx: Context): boolean {
    if (this.#notified.has(key)) return false;
    const old = this.#entries.get(key);
    if (old?.willWake(cx.waker())) return true;
    this.#entries.set(key, cx.waker().clone());
    old?.drop();
    return true;
  }

  remove(key: number): void {
    const waker = this.#entries.get(key);
    this.#entries.delete(key);
    this.#notified.delete(key);
    waker?.drop();
  }

  cancel(key: number): void {
    const notified = this.#notified.has(key);
    this.remove(key);
    if (notified) this.notifyOne();
  }

  notifyOne(): boolean {
    for (const [key, waker] of this.#entries) {
      if (waker === undefined || this.#notified.has(key)) continue;
      this.#entries.set(key, undefined);
      this.#notified.add(key);
      waker.wake();
      return true;
    }
    return false;
  }

  notifyAll(): void {
    while (this.notifyOne());
  }

  [Symbol.dispose](): void {
    for (const waker of this.#entries.values()) waker?.drop();
    this.#entries.clear();
  }
}

/** Waits until notified once. */
export class Listen implements Future<void>, Disposable {
  #key: number | undefined;
  #done = false;
  constructor(private readonly set: WakerSet) {}

  poll(cx: Context): Poll<void> {
    if (this.#key === undefined) {
      this.#key = this.set.insert(cx);
      return Poll.pending();
    }
    if (this.set.update(this.#key, cx)) return Poll.pending();
    this.set.remove(this.#key);
    this.#key = undefined;
    this.#done = true;
    return Poll.ready(undefined);
  }

  [Symbol.dispose](): void {
    if (this.#key !== undefined && !this.#done) this.set.cancel(this.#key);
  }
}

export function drive(): void {
  const executor = new Executor();
  const set = new WakerSet();
  const a = new Listen(set);
  const b = new Listen(set);
  const ha = executor.spawn(a);
  executor.spawn({ poll: (cx: Context) => (b.poll(cx), Poll.ready(undefined)) });
  executor.setTimeout(() => set.notifyOne(), 1);
  executor.setTimeout(() => b[Symbol.dispose](), 2);
  executor.run();
  if (!ha.done) throw new Error('lost wakeup');
  a[Symbol.dispose]();
  set[Symbol.dispose]();
}
