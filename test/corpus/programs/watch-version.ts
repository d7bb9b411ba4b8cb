// tokio's `sync::watch` with version numbers: the sender bumps a version on
// every send; each receiver remembers the version it saw last and `changed()`
// completes once the shared version moves past it. Waiting receivers are kept
// in a map by receiver id, so a receiver re-polled by another task replaces
// its own waker and nobody else's.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

class Shared<T> {
  version = 0;
  closed = false;
  readonly waiting = new Map<number, Waker>();
  constructor(public value: T) {}
}

export class Sender<T> implements Disposable {
  readonly #shared: Shared<T>;
  constructor(shared: Shared<T>) {
    this.#shared = shared;
  }

  send(value: T): void {
    this.#shared.value = value;
    this.#shared.version++;
    this.#wakeAll();
  }

  [Symbol.dispose](): void {
    this.#shared.closed = true;
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiting = [...this.#shared.waiting.values()];
    this.#shared.waiting.clear();
    for (const waker of waiting) waker.wake();
  }
}

let nextReceiverId = 0;

export class Receiver<T> {
  readonly id = nextReceiverId++;
  #seen: number;
  constructor(private readonly shared: Shared<T>) {
    this.#seen = shared.version;
  }

  borrowAndUpdate(): T {
    this.#seen = this.shared.version;
    return this.shared.value;
  }

  changed(): Future<boolean> {
    return { poll: (cx) => this.#pollChanged(cx) };
  }

  #pollChanged(cx: Context): Poll<boolean> {
    if (this.shared.version !== this.#seen) return Poll.ready(true);
    if (this.shared.closed) return Poll.ready(false);
    const previous = this.shared.waiting.get(this.id);
    if (previous?.willWake(cx.waker())) return Poll.pending();
    this.shared.waiting.set(this.id, cx.waker().clone());
    previous?.drop();
    return Poll.pending();
  }

  /** Rust's `Drop` for a receiver: it no longer waits. */
  release(): void {
    const waker = this.shared.waiting.get(this.id);
    this.shared.waiting.delete(this.id);
    waker?.drop();
  }
}

export function channel<T>(initial: T): [Sender<T>, Receiver<T>, () => Receiver<T>] {
  const shared = new Shared(initial);
  return [new Sender(shared), new Receiver(shared), () => new Receiver(shared)];
}

/** Collects every value it sees until the sender goes away. */
class Follow implements Future<number[]> {
  readonly #seen: number[] = [];
  #changed: Future<boolean> | undefined;
  constructor(private readonly rx: Receiver<number>) {}

  poll(cx: Context): Poll<number[]> {
    for (;;) {
      this.#changed ??= this.rx.changed();
      const polled = this.#changed.poll(cx);
      if (!polled.ready) return Poll.pending();
      this.#changed = undefined;
      if (!polled.value) {
        this.rx.release();
        return Poll.ready(this.#seen);
      }
      this.#seen.push(this.rx.borrowAndUpdate());
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  const [tx, rx, subscribe] = channel(0);
  const first = executor.spawn(new Follow(rx));
  const second = executor.spawn(new Follow(subscribe()));
  executor.setTimeout(() => tx.send(1), 10);
  executor.setTimeout(() => tx.send(2), 20);
  executor.setTimeout(() => tx.send(3), 20); // same instant: a receiver may see only the latest
  executor.setTimeout(() => tx[Symbol.dispose](), 30);
  executor.run();
  if (!first.done || !second.done) throw new Error('a receiver was never woken (a lost wakeup)');
  if (first.output?.at(-1) !== 3 || second.output?.at(-1) !== 3) throw new Error('a receiver missed the last value');
}
