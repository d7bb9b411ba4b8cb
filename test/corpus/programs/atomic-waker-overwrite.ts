// futures-util's `AtomicWaker::register`, ported without Rust's implicit drop:
// `*slot = Some(waker.clone())` drops the waker it replaces, but the port's
// assignment just overwrites the field, so a consumer that moves to another
// task leaks the first task's waker.
import { Arc, Context, Poll, Waker, type Future, type Wake, type WakerRef } from 'wakerscope/waker';

export class AtomicWaker implements Disposable {
  private waker: Waker | undefined;

  register(waker: WakerRef): void {
    if (this.waker?.willWake(waker)) return;
    this.waker = waker.clone(); // expect: clone-without-drop warning
  }

  wake(): void {
    const waker = this.waker;
    this.waker = undefined;
    waker?.wake();
  }

  [Symbol.dispose](): void {
    const waker = this.waker;
    this.waker = undefined;
    waker?.drop();
  }
}

export class Signal implements Future<void> {
  set = false;
  readonly waker = new AtomicWaker();

  poll(cx: Context): Poll<void> {
    if (this.set) return Poll.ready(undefined);
    this.waker.register(cx.waker());
    if (this.set) return Poll.ready(undefined);
    return Poll.pending();
  }
}

/** A task that only counts its wake-ups. */
class Probe implements Wake {
  wakes = 0;
  wake(self: Arc<this>): void {
    this.wakes++;
    self.drop();
  }
}

export function drive(): void {
  const signal = new Signal();
  // The future is polled by one task, then moved to another (as a select that hands it on would).
  const first = Waker.fromArc(Arc.new(new Probe()));
  const second = Waker.fromArc(Arc.new(new Probe()));
  signal.poll(Context.fromWaker(first));
  signal.poll(Context.fromWaker(second));
  signal.set = true;
  signal.waker.wake();
  signal.poll(Context.fromWaker(second));
  first.drop();
  second.drop();
  signal.waker[Symbol.dispose]();
}
