// A condition-variable-like waiter list (async-std's `WakerSet`) with a debug
// log. `notifyOne` takes the first waiter and hands it to `logWaker`, which
// only reads it (it takes a `WakerRef`); nothing wakes or drops the waker.
import { Executor, Poll, type Context, type Future, type Waker, type WakerRef } from 'wakerscope/waker';

export function logWaker(log: string[], waker: WakerRef): void {
  log.push(`notify ${waker.data}`);
}

export interface Entry {
  waker: Waker | undefined;
}

export class WakerSet implements Disposable {
  private readonly entries: Entry[] = [];
  readonly log: string[] = [];

  insert(cx: Context): Entry {
    const entry: Entry = { waker: cx.waker().clone() };
    this.entries.push(entry);
    return entry;
  }

  /** Keep an entry's waker current for a re-polled future. */
  update(entry: Entry, cx: Context): void {
    if (entry.waker?.willWake(cx.waker())) return;
    const previous = entry.waker;
    entry.waker = cx.waker().clone();
    previous?.drop();
  }

  notifyOne(): void {
    const entry = this.entries.shift();
    if (entry === undefined) return;
    const waker = entry.waker; // expect: clone-without-drop error
    entry.waker = undefined;
    if (waker === undefined) return;
    logWaker(this.log, waker);
  }

  [Symbol.dispose](): void {
    for (const entry of this.entries.splice(0)) entry.waker?.drop();
  }
}

export class Ready implements Future<void> {
  private entry: Entry | undefined;
  constructor(private readonly set: WakerSet, private readonly flag: { ready: boolean }) {}
  poll(cx: Context): Poll<void> {
    if (this.flag.ready) return Poll.ready(undefined);
    if (this.entry === undefined) this.entry = this.set.insert(cx);
    else this.set.update(this.entry, cx);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using set = new WakerSet();
  const flag = { ready: false };
  executor.setTimeout(() => {
    flag.ready = true;
    set.notifyOne();
  }, 5);
  executor.blockOn(new Ready(set, flag));
}
