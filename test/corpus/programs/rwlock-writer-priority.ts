// An async `RwLock` that prefers writers: while a writer waits, new readers
// hold back so the writer is not starved. Readers and writers wait in
// separate queues; the last reader out wakes a writer, and a writer on release
// wakes every reader. A reader holding back for a waiting writer returns
// `Pending` without queueing its waker, on the theory that the writer's release
// will wake it, but that release only wakes readers in the queue.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class RwLock implements Disposable {
  #readers = 0;
  #writing = false;
  readonly #readWaiters: Waker[] = [];
  readonly #writeWaiters: Waker[] = [];

  pollRead(cx: Context): Poll<void> {
    if (this.#writing) {
      this.#readWaiters.push(cx.waker().clone());
      return Poll.pending();
    }
    if (this.#writeWaiters.length > 0) return Poll.pending(); // expect: lost-wakeup error
    this.#readers++;
    return Poll.ready(undefined);
  }

  pollWrite(cx: Context): Poll<void> {
    if (!this.#writing && this.#readers === 0) {
      this.#writing = true;
      return Poll.ready(undefined);
    }
    this.#writeWaiters.push(cx.waker().clone());
    return Poll.pending();
  }

  releaseRead(): void {
    this.#readers--;
    if (this.#readers > 0) return;
    this.#writeWaiters.shift()?.wake();
  }

  releaseWrite(): void {
    this.#writing = false;
    const writer = this.#writeWaiters.shift();
    if (writer !== undefined) {
      writer.wake();
      return;
    }
    for (const reader of this.#readWaiters.splice(0)) reader.wake();
  }

  [Symbol.dispose](): void {
    for (const waker of [...this.#readWaiters.splice(0), ...this.#writeWaiters.splice(0)]) waker.drop();
  }
}

/** Holds a read or write lock for `hold` units of virtual time. */
class Hold implements Future<string> {
  #state: 'acquiring' | 'holding' | 'done' = 'acquiring';
  constructor(
    private readonly executor: Executor,
    private readonly lock: RwLock,
    private readonly mode: 'read' | 'write',
    private readonly hold: number,
  ) {}

  poll(cx: Context): Poll<string> {
    switch (this.#state) {
      case 'acquiring': {
        const acquired = this.mode === 'read' ? this.lock.pollRead(cx) : this.lock.pollWrite(cx);
        if (!acquired.ready) return Poll.pending();
        this.#state = 'holding';
        const waker = cx.waker().clone();
        this.executor.setTimeout(() => waker.wake(), this.hold);
        return Poll.pending();
      }
      case 'holding':
        this.#state = 'done';
        if (this.mode === 'read') this.lock.releaseRead();
        else this.lock.releaseWrite();
        return Poll.ready(this.mode);
      case 'done':
        return Poll.ready(this.mode);
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  using lock = new RwLock();
  const first = executor.spawn(new Hold(executor, lock, 'read', 10));
  const tasks = [first];
  executor.setTimeout(() => tasks.push(executor.spawn(new Hold(executor, lock, 'write', 10))), 2);
  executor.setTimeout(() => tasks.push(executor.spawn(new Hold(executor, lock, 'read', 10))), 4);
  executor.run();
  if (tasks.some((t) => !t.done)) throw new Error('a task never got the lock (a lost wakeup)');
}
