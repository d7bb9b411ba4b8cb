// `tokio::select!` over three branches, written out by hand: each branch is a
// closure polling its own future; the first branch ready wins, in a rotating
// start order so no branch starves. Losing branches are cancelled, which
// releases whatever waker they parked.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

type Branch<T> = (cx: Context) => Poll<T>;

/** A one-shot signal set from a timer: the waiter parks one waker. */
class Signal implements Future<string>, Disposable {
  #waker: Waker | null = null;
  #value: string | null = null;

  constructor(executor: Executor, delay: number, value: string) {
    executor.setTimeout(() => this.#set(value), delay);
  }

  poll(cx: Context): Poll<string> {
    if (this.#value !== null) return Poll.ready(this.#value);
    if (this.#waker !== null && this.#waker.willWake(cx.waker())) return Poll.pending();
    const previous = this.#waker;
    this.#waker = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }

  #set(value: string): void {
    this.#value = value;
    const waker = this.#waker;
    this.#waker = null;
    if (waker === null) return;
    waker.wake();
  }

  /** Cancelled: release the parked waker, if any. */
  [Symbol.dispose](): void {
    const waker = this.#waker;
    this.#waker = null;
    waker?.drop();
  }
}

export function select3<T>(a: Branch<T>, b: Branch<T>, c: Branch<T>): Future<[number, T]> {
  const branches = [a, b, c];
  let start = 0;
  return {
    poll(cx: Context): Poll<[number, T]> {
      for (let i = 0; i < branches.length; i++) {
        const index = (start + i) % branches.length;
        const polled = branches[index](cx);
        if (polled.ready) return Poll.ready([index, polled.value]);
      }
      start = (start + 1) % branches.length;
      return Poll.pending();
    },
  };
}

class Race implements Future<string> {
  readonly #signals: Signal[];
  readonly #select: Future<[number, string]>;

  constructor(executor: Executor) {
    this.#signals = [new Signal(executor, 30, 'slow'), new Signal(executor, 10, 'fast'), new Signal(executor, 20, 'middle')];
    const [slow, fast, middle] = this.#signals;
    this.#select = select3(
      (cx) => slow.poll(cx),
      (cx) => fast.poll(cx),
      (cx) => middle.poll(cx),
    );
  }

  poll(cx: Context): Poll<string> {
    const polled = this.#select.poll(cx);
    if (!polled.ready) return Poll.pending();
    for (const signal of this.#signals) signal[Symbol.dispose]();
    const [, value] = polled.value;
    return Poll.ready(value);
  }
}

export function drive(): void {
  const executor = new Executor();
  const race = executor.spawn(new Race(executor));
  executor.run();
  if (!race.done) throw new Error('the select was never woken (a lost wakeup)');
  if (race.output !== 'fast') throw new Error(`the select picked ${race.output}`);
}
