// A task's completion slot with cancellation (tokio's `JoinHandle::abort`):
// `complete` takes the joiner's waker first and only then checks whether the
// join was cancelled, returning early with the taken waker still in hand.
import { Arc, Context, Poll, Waker, type Future, type Wake } from 'wakerscope/waker';

export class Completion<T> implements Future<T>, Disposable {
  private joiner: Waker | undefined;
  private value: T | undefined;
  private finished = false;
  cancelled = false;

  private takeJoiner(): Waker | undefined {
    const joiner = this.joiner;
    this.joiner = undefined;
    return joiner;
  }

  complete(value: T): void {
    const joiner = this.takeJoiner(); // expect: clone-without-drop warning
    if (this.cancelled) return;
    this.value = value;
    this.finished = true;
    joiner?.wake();
  }

  poll(cx: Context): Poll<T> {
    if (this.finished) return Poll.ready(this.value as T);
    const previous = this.takeJoiner();
    this.joiner = cx.waker().clone();
    previous?.drop();
    return Poll.pending();
  }

  [Symbol.dispose](): void {
    this.takeJoiner()?.drop();
  }
}

class Probe implements Wake {
  wake(self: Arc<this>): void {
    self.drop();
  }
}

export function drive(): void {
  using completion = new Completion<number>();
  const waker = Waker.fromArc(Arc.new(new Probe()));
  completion.poll(Context.fromWaker(waker));
  completion.cancelled = true;
  completion.complete(1);
  waker.drop();
}
