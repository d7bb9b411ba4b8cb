// Timer entries owned through raw pointers, as intrusive timer lists do
// (tokio's `TimerEntry`): the wheel holds `Box::into_raw` pointers, and
// `cancel` takes the box back with `Box::from_raw`. When the timer already
// fired, `cancel` returns early and the box it took back is never freed.
import { Box, Executor, Poll, drop, type Context, type Future, type Ptr, type Waker } from 'wakerscope/waker';

interface Entry {
  readonly deadline: number;
  fired: boolean;
  waker: Waker | undefined;
}

export class Timers {
  private readonly entries: Ptr[] = [];
  now = 0;

  insert(deadline: number, waker: Waker): Ptr {
    const ptr = Box.intoRaw(Box.new<Entry>({ deadline, fired: false, waker }));
    this.entries.push(ptr);
    return ptr;
  }

  /** Fire every due entry: wake it, and leave it for its owner to cancel (free). */
  advance(now: number): void {
    this.now = now;
    for (const ptr of this.entries.splice(0)) {
      const entry = Box.fromRaw<Entry>(ptr);
      if (entry.value.deadline <= now) {
        entry.value.fired = true;
        const waker = entry.value.waker;
        entry.value.waker = undefined;
        waker?.wake();
      } else {
        this.entries.push(ptr);
      }
      Box.intoRaw(entry);
    }
  }

  /** A re-polled owner: make the entry wake the task that polled it last. */
  refresh(ptr: Ptr, cx: Context): void {
    const entry = Box.fromRaw<Entry>(ptr);
    if (!entry.value.waker?.willWake(cx.waker())) {
      const previous = entry.value.waker;
      entry.value.waker = cx.waker().clone();
      previous?.drop();
    }
    Box.intoRaw(entry);
  }

  /** The owner gives its entry back: unlink it if still pending, then free it. */
  cancel(ptr: Ptr): void {
    const entry = Box.fromRaw<Entry>(ptr); // expect: clone-without-drop warning
    if (entry.value.fired) return;
    const index = this.entries.findIndex((p) => p.address === ptr.address);
    if (index >= 0) this.entries.splice(index, 1);
    entry.value.waker?.drop();
    drop(entry);
  }
}

export class Sleep implements Future<void> {
  private entry: Ptr | undefined;
  constructor(private readonly timers: Timers, private readonly deadline: number) {}

  poll(cx: Context): Poll<void> {
    if (this.timers.now >= this.deadline) {
      if (this.entry) this.timers.cancel(this.entry);
      this.entry = undefined;
      return Poll.ready(undefined);
    }
    if (this.entry === undefined) this.entry = this.timers.insert(this.deadline, cx.waker().clone());
    else this.timers.refresh(this.entry, cx);
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const timers = new Timers();
  const sleep = executor.spawn(new Sleep(timers, 10));
  executor.run();
  timers.advance(10);
  executor.run();
  if (!sleep.done) throw new Error('the sleep never woke (a lost wakeup)');
}
