// A `watch`-style cell (tokio's `sync::watch`): receivers park one waker each
// and skip the clone when the stored waker already wakes this task. The
// receiver clones a fresh waker before checking whether the value is already
// there, and the early `ready` return leaves that clone behind.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Cell implements Disposable {
  value: number | undefined;
  private readonly receivers: Changed[] = [];

  set(value: number): void {
    this.value = value;
    for (const receiver of this.receivers.splice(0)) receiver.takeWaker()?.wake();
  }

  subscribe(receiver: Changed): void {
    if (!this.receivers.includes(receiver)) this.receivers.push(receiver);
  }

  [Symbol.dispose](): void {
    for (const receiver of this.receivers.splice(0)) receiver.takeWaker()?.drop();
  }
}

export class Changed implements Future<number> {
  private waker: Waker | undefined;
  constructor(private readonly cell: Cell) {}

  takeWaker(): Waker | undefined {
    const waker = this.waker;
    this.waker = undefined;
    return waker;
  }

  poll(cx: Context): Poll<number> {
    const stored = this.waker;
    const fresh = stored?.willWake(cx.waker()) ? undefined : cx.waker().clone(); // expect: clone-without-drop warning
    if (this.cell.value !== undefined) return Poll.ready(this.cell.value);
    if (fresh) {
      this.waker = fresh;
      stored?.drop();
      this.cell.subscribe(this);
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using cell = new Cell();
  executor.setTimeout(() => cell.set(42), 5);
  const value = executor.blockOn(new Changed(cell));
  if (value !== 42) throw new Error(`saw ${value}`);
}
