// futures' `select` / tokio's `select!` over two branches: poll both with the
// task's context, finish with whichever is ready first, and cancel the other
// so it releases the waker it registered.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export interface Cancellable<T> extends Future<T> {
  cancel(): void;
}

/** Completes when the executor's clock reaches `at`. */
export class Deadline implements Cancellable<string> {
  private waker: Waker | undefined;
  private fired = false;
  private armed = false;
  constructor(private readonly executor: Executor, private readonly at: number, private readonly label: string) {}

  poll(cx: Context): Poll<string> {
    if (this.fired) return Poll.ready(this.label);
    const previous = this.waker;
    this.waker = cx.waker().clone();
    previous?.drop();
    if (!this.armed) {
      this.armed = true;
      this.executor.setTimeout(() => this.fire(), this.at - this.executor.now);
    }
    return Poll.pending();
  }

  cancel(): void {
    const waker = this.waker;
    this.waker = undefined;
    waker?.drop();
  }

  private fire(): void {
    this.fired = true;
    const waker = this.waker;
    this.waker = undefined;
    waker?.wake();
  }
}

export type Either<A, B> = { readonly left: A } | { readonly right: B };

export class Select<A, B> implements Future<Either<A, B>> {
  constructor(private readonly left: Cancellable<A>, private readonly right: Cancellable<B>) {}

  poll(cx: Context): Poll<Either<A, B>> {
    const left = this.left.poll(cx);
    if (left.ready) {
      this.right.cancel();
      return Poll.ready({ left: left.value });
    }
    const right = this.right.poll(cx);
    if (right.ready) {
      this.left.cancel();
      return Poll.ready({ right: right.value });
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const winner = executor.blockOn(new Select(new Deadline(executor, 30, 'slow'), new Deadline(executor, 10, 'fast')));
  if (!('right' in winner) || winner.right !== 'fast') throw new Error('the wrong branch won');
}
