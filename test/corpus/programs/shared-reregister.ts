// The `futures` crate's `Shared`: one inner future, many handles, each polled
// by its own task. A handle parks its task's waker in a map keyed by handle id
// before it polls the inner future, and the poll that sees the inner future
// complete wakes every parked task. A handle polled again overwrites its entry
// with `Map.set`, which (unlike Rust's `HashMap::insert`) hands back nothing to
// drop: the waker parked by the earlier poll leaks.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

class Inner<T> {
  result: { readonly value: T } | undefined;
  readonly wakers = new Map<number, Waker>();
  nextId = 0;
  constructor(readonly future: Future<T>) {}
}

export class Shared<T> implements Future<T> {
  readonly #inner: Inner<T>;
  readonly #id: number;

  private constructor(inner: Inner<T>) {
    this.#inner = inner;
    this.#id = inner.nextId++;
  }

  static new<T>(future: Future<T>): Shared<T> {
    return new Shared(new Inner(future));
  }

  clone(): Shared<T> {
    return new Shared(this.#inner);
  }

  poll(cx: Context): Poll<T> {
    const inner = this.#inner;
    if (inner.result !== undefined) return Poll.ready(inner.result.value);
    inner.wakers.set(this.#id, cx.waker().clone()); // expect: clone-without-drop warning
    const polled = inner.future.poll(cx);
    if (!polled.ready) return Poll.pending();
    inner.result = { value: polled.value };
    const parked = [...inner.wakers.values()];
    inner.wakers.clear();
    for (const waker of parked) waker.wake();
    return Poll.ready(polled.value);
  }
}

/** Completes once a timer fired; the timer wakes whoever polled it last. */
class Answer implements Future<number> {
  #waker: Waker | undefined;
  #armed = false;
  #fired = false;
  constructor(private readonly executor: Executor) {}

  poll(cx: Context): Poll<number> {
    if (this.#fired) return Poll.ready(42);
    this.#waker?.drop();
    this.#waker = cx.waker().clone();
    if (!this.#armed) {
      this.#armed = true;
      this.executor.setTimeout(() => this.#fire(), 10);
    }
    return Poll.pending();
  }

  #fire(): void {
    this.#fired = true;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

export function drive(): void {
  const executor = new Executor();
  const shared = Shared.new(new Answer(executor));
  const first = executor.spawn(shared);
  const second = executor.spawn(shared.clone());
  executor.run();
  if (!first.done || !second.done) throw new Error('a handle was never woken (a lost wakeup)');
  if (first.output !== 42 || second.output !== 42) throw new Error('a handle saw another value');
}
