// An async `Mutex` with a FIFO waiter queue and direct handoff (as in
// `async-lock`/tokio's fair mutex): `unlock` does not free the lock while
// someone waits, it hands it to the oldest waiter and wakes that waiter, so a
// newcomer cannot barge in ahead of the queue.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Waiter {
  granted: boolean;
  waker: Waker | null;
}

export class Mutex<T> implements Disposable {
  #locked = false;
  readonly #queue: Waiter[] = [];
  constructor(public value: T) {}

  lock(): Future<Guard<T>> {
    let waiter: Waiter | null = null;
    return {
      poll: (cx: Context): Poll<Guard<T>> => {
        if (waiter === null) {
          if (!this.#locked) {
            this.#locked = true;
            return Poll.ready(new Guard(this));
          }
          waiter = { granted: false, waker: cx.waker().clone() };
          this.#queue.push(waiter);
          return Poll.pending();
        }
        if (waiter.granted) return Poll.ready(new Guard(this));
        if (!waiter.waker?.willWake(cx.waker())) {
          const stale = waiter.waker;
          waiter.waker = cx.waker().clone();
          stale?.drop();
        }
        return Poll.pending();
      },
    };
  }

  /** @internal Hand the lock to the oldest waiter, or free it. */
  unlock(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#locked = false;
      return;
    }
    next.granted = true;
    const waker = next.waker;
    next.waker = null;
    waker?.wake();
  }

  [Symbol.dispose](): void {
    for (const waiter of this.#queue.splice(0)) waiter.waker?.drop();
  }
}

export class Guard<T> implements Disposable {
  #held = true;
  constructor(private readonly mutex: Mutex<T>) {}

  get value(): T {
    if (!this.#held) throw new Error('guard used after unlock');
    return this.mutex.value;
  }
  set value(next: T) {
    if (!this.#held) throw new Error('guard used after unlock');
    this.mutex.value = next;
  }

  [Symbol.dispose](): void {
    if (!this.#held) return;
    this.#held = false;
    this.mutex.unlock();
  }
}

/** Takes the lock, holds it across a timer, appends its name. */
class Append implements Future<void> {
  #lock: Future<Guard<string[]>> | undefined;
  #guard: Guard<string[]> | undefined;
  #slept = false;
  constructor(private readonly executor: Executor, private readonly mutex: Mutex<string[]>, private readonly name: string) {}

  poll(cx: Context): Poll<void> {
    if (this.#guard === undefined) {
      this.#lock ??= this.mutex.lock();
      const locked = this.#lock.poll(cx);
      if (!locked.ready) return Poll.pending();
      this.#guard = locked.value;
    }
    if (!this.#slept) {
      this.#slept = true;
      const waker = cx.waker().clone();
      this.executor.setTimeout(() => waker.wake(), 5);
      return Poll.pending();
    }
    using guard = this.#guard;
    guard.value = [...guard.value, this.name];
    return Poll.ready(undefined);
  }
}

export function drive(): void {
  const executor = new Executor();
  using mutex = new Mutex<string[]>([]);
  const tasks = ['a', 'b', 'c'].map((name) => executor.spawn(new Append(executor, mutex, name)));
  executor.run();
  if (tasks.some((t) => !t.done)) throw new Error('a task never got the lock (a lost wakeup)');
  if (mutex.value.join('') !== 'abc') throw new Error(`lock order ${mutex.value.join('')}, expected abc`);
}
