// tokio's `sync::OnceCell::get_or_init`: the first caller runs the initializer;
// callers that arrive while it runs wait in a map keyed by waiter id, and the
// initializer's completion wakes them all. A waiter that gives up (dropped
// before the value is ready) removes its entry and releases its waker.
import { Context, Executor, Poll, Waker, type Future } from 'wakerscope/waker';

export class OnceCell<T> implements Disposable {
  #value: { readonly value: T } | undefined;
  #initializing = false;
  readonly #waiters = new Map<number, Waker>();
  #nextWaiter = 0;

  get(): T | undefined {
    return this.#value?.value;
  }

  getOrInit(init: () => Future<T>): Future<T> & Disposable {
    const id = this.#nextWaiter++;
    let running: Future<T> | undefined;
    const cell = this;
    return {
      poll(cx: Context): Poll<T> {
        if (cell.#value !== undefined) return Poll.ready(cell.#value.value);
        if (running === undefined && !cell.#initializing) {
          cell.#initializing = true;
          running = init();
        }
        if (running !== undefined) {
          const polled = running.poll(cx);
          if (!polled.ready) return Poll.pending();
          cell.#set(polled.value);
          return Poll.ready(polled.value);
        }
        const parked = cell.#waiters.get(id);
        if (parked?.willWake(cx.waker())) return Poll.pending();
        cell.#waiters.set(id, cx.waker().clone());
        parked?.drop();
        return Poll.pending();
      },
      [Symbol.dispose](): void {
        const parked = cell.#waiters.get(id);
        cell.#waiters.delete(id);
        parked?.drop();
      },
    };
  }

  #set(value: T): void {
    this.#value = { value };
    this.#initializing = false;
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waker of waiters) waker.wake();
  }

  [Symbol.dispose](): void {
    for (const waker of this.#waiters.values()) waker.drop();
    this.#waiters.clear();
  }
}

/** Loads a value after a delay, waking whoever polled it last. */
class Load implements Future<number> {
  #waker: Waker | undefined;
  #done = false;
  constructor(executor: Executor, delay: number, private readonly value: number) {
    executor.setTimeout(() => {
      this.#done = true;
      const waker = this.#waker;
      this.#waker = undefined;
      waker?.wake();
    }, delay);
  }

  poll(cx: Context): Poll<number> {
    if (this.#done) return Poll.ready(this.value);
    this.#waker?.drop();
    this.#waker = cx.waker().clone();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using cell = new OnceCell<number>();
  let inits = 0;
  const init = (): Future<number> => {
    inits++;
    return new Load(executor, 10, 7);
  };
  const readers = [cell.getOrInit(init), cell.getOrInit(init), cell.getOrInit(init)];
  const tasks = readers.map((reader) => executor.spawn(reader));
  // A caller that waits a while, then gives up while the value is still loading.
  const quitter = cell.getOrInit(init);
  executor.setTimeout(() => quitter.poll(Context.fromWaker(Waker.noop())), 5);
  executor.setTimeout(() => quitter[Symbol.dispose](), 6);
  executor.run();
  if (tasks.some((t) => !t.done)) throw new Error('a reader was never woken (a lost wakeup)');
  if (inits !== 1 || cell.get() !== 7) throw new Error(`initialized ${inits} times, value ${cell.get()}`);
}
