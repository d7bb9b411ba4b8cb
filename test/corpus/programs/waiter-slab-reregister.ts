// A waiter slab (the `slab` crate's `Slab<Waker>`) ported without Rust's implicit
// drop: `slab[key] = waker.clone()` in Rust drops the waker it replaces, the
// port's assignment only overwrites it, so a waiter re-polled by another task
// leaks the first task's waker.
import { Arc, Context, Poll, Waker, type Future, type Wake, type WakerRef } from 'wakerscope/waker';

export class WaiterSlab implements Disposable {
  private readonly slots: (Waker | undefined)[] = [];
  private readonly free: number[] = [];

  /** Park a waker; the key names its slot until `remove`. A key off the free list names a vacant slot. */
  insert(waker: Waker): number {
    const key = this.free.pop();
    if (key === undefined) {
      this.slots.push(waker);
      return this.slots.length - 1;
    }
    this.slots[key] = waker;
    return key;
  }

  /** Keep a re-polled waiter's waker current: the task may have changed. */
  register(key: number, waker: WakerRef): void {
    if (this.slots[key]?.willWake(waker)) return;
    this.slots[key] = waker.clone(); // expect: clone-without-drop warning
  }

  /** Give the key back, releasing a waker that was never woken. */
  remove(key: number): void {
    const waker = this.slots[key];
    this.slots[key] = undefined;
    this.free.push(key);
    waker?.drop();
  }

  /** Wake every parked waiter; the keys stay theirs until they `remove` them. */
  wakeAll(): void {
    for (const key of this.occupied()) {
      const waker = this.slots[key];
      this.slots[key] = undefined;
      waker?.wake();
    }
  }

  private occupied(): number[] {
    return this.slots.flatMap((waker, key) => (waker === undefined ? [] : [key]));
  }

  [Symbol.dispose](): void {
    for (const waker of this.slots.splice(0)) waker?.drop();
  }
}

export class Event {
  isSet = false;
  readonly waiters = new WaiterSlab();

  set(): void {
    this.isSet = true;
    this.waiters.wakeAll();
  }
}

export class Wait implements Future<void>, Disposable {
  private key: number | undefined;
  constructor(private readonly event: Event) {}

  poll(cx: Context): Poll<void> {
    if (this.event.isSet) {
      this[Symbol.dispose]();
      return Poll.ready(undefined);
    }
    if (this.key === undefined) this.key = this.event.waiters.insert(cx.waker().clone());
    else this.event.waiters.register(this.key, cx.waker());
    return Poll.pending();
  }

  /** Rust's `Drop` for the future: a cancelled or finished waiter gives its key back. */
  [Symbol.dispose](): void {
    if (this.key !== undefined) this.event.waiters.remove(this.key);
    this.key = undefined;
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
  const event = new Event();
  const task = Waker.fromArc(Arc.new(new Probe()));
  const other = Waker.fromArc(Arc.new(new Probe()));
  const a = new Wait(event);
  const b = new Wait(event);
  a.poll(Context.fromWaker(task));
  b.poll(Context.fromWaker(task));
  a.poll(Context.fromWaker(task)); // the same task: the slot keeps its waker
  b.poll(Context.fromWaker(other)); // moved to another task: the slot's waker is replaced
  a[Symbol.dispose](); // cancelled: its key goes back on the free list
  const c = new Wait(event);
  c.poll(Context.fromWaker(task)); // reuses a's key
  event.set();
  const woken = Context.fromWaker(task);
  const missed = !b.poll(woken).ready || !c.poll(woken).ready;
  task.drop();
  other.drop();
  event.waiters[Symbol.dispose]();
  if (missed) throw new Error('a waiter missed the event (a lost wakeup)');
}
