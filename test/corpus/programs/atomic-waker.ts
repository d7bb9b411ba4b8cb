// futures-util's `task::AtomicWaker`, single-threaded: a slot a consumer
// registers its waker in and a producer wakes. `register` skips the clone when
// the stored waker already wakes the same task (`will_wake`), and releases the
// waker it replaces, as `*slot = Some(waker.clone())` does in Rust.
import { Executor, Poll, type Context, type Future, type Waker, type WakerRef } from 'wakerscope/waker';

export class AtomicWaker implements Disposable {
  private waker: Waker | undefined;

  register(waker: WakerRef): void {
    if (this.waker?.willWake(waker)) return;
    const previous = this.waker;
    this.waker = waker.clone();
    previous?.drop();
  }

  /** Wake the registered task, if any, leaving the slot empty. */
  wake(): void {
    this.take()?.wake();
  }

  take(): Waker | undefined {
    const waker = this.waker;
    this.waker = undefined;
    return waker;
  }

  [Symbol.dispose](): void {
    this.take()?.drop();
  }
}

/** The AtomicWaker docs' example: a flag set once, which a task awaits. */
export class Flag implements Disposable {
  readonly waker = new AtomicWaker();
  set = false;

  signal(): void {
    this.set = true;
    this.waker.wake();
  }

  [Symbol.dispose](): void {
    this.waker[Symbol.dispose]();
  }
}

export class FlagFuture implements Future<void> {
  constructor(private readonly flag: Flag) {}

  poll(cx: Context): Poll<void> {
    // Quick check to avoid registration if already done.
    if (this.flag.set) return Poll.ready(undefined);
    this.flag.waker.register(cx.waker());
    // Check again after `register`: the flag may have been set in between.
    if (this.flag.set) return Poll.ready(undefined);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using flag = new Flag();
  executor.setTimeout(() => flag.signal(), 10);
  executor.blockOn(new FlagFuture(flag));
  // A second waiter after the flag is set completes at once.
  executor.blockOn(new FlagFuture(flag));
}
