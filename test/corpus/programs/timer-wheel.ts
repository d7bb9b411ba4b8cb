// A hashed timer wheel with two levels (tokio's time driver, Varghese & Lauck):
// a near wheel of 8 one-tick slots and a far wheel of 8 eight-tick slots whose
// entries cascade down into the near wheel when their turn comes.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

const SLOTS = 8;

export interface TimerEntry {
  readonly deadline: number;
  waker: Waker;
}

export class TimerWheel implements Disposable {
  private readonly near: TimerEntry[][] = Array.from({ length: SLOTS }, () => []);
  private readonly far: TimerEntry[][] = Array.from({ length: SLOTS }, () => []);
  now = 0;
  pending = 0;

  /** File `waker` under `deadline`; the wheel owns it from here on. */
  insert(deadline: number, waker: Waker): TimerEntry {
    this.pending++;
    let level = 0;
    // Find the first level whose span covers the deadline (the far wheel covers everything else).
    while (true) {
      const span = level === 0 ? SLOTS : SLOTS * SLOTS;
      if (deadline - this.now < span || level === 1) {
        const wheel = level === 0 ? this.near : this.far;
        const slot = level === 0 ? deadline % SLOTS : Math.floor(deadline / SLOTS) % SLOTS;
        const entry: TimerEntry = { deadline, waker };
        wheel[slot].push(entry);
        return entry;
      }
      level++;
    }
  }

  /** Put a cascading entry back, same object, so its future can still refresh the waker. */
  private refile(entry: TimerEntry): void {
    this.pending++;
    const slot = entry.deadline - this.now < SLOTS ? this.near[entry.deadline % SLOTS] : this.far[Math.floor(entry.deadline / SLOTS) % SLOTS];
    slot.push(entry);
  }

  /** Advance one tick: cascade at each far-slot boundary, then fire the near slot. */
  tick(): void {
    this.now++;
    if (this.now % SLOTS === 0) {
      const bucket = this.far[Math.floor(this.now / SLOTS) % SLOTS];
      for (const entry of bucket.splice(0)) {
        this.pending--;
        this.refile(entry);
      }
    }
    const slot = this.near[this.now % SLOTS];
    const due = slot.filter((entry) => entry.deadline <= this.now);
    const later = slot.filter((entry) => entry.deadline > this.now);
    slot.length = 0;
    slot.push(...later);
    for (const { waker } of due) {
      this.pending--;
      waker.wake();
    }
  }

  [Symbol.dispose](): void {
    for (const wheel of [this.near, this.far]) for (const slot of wheel) for (const entry of slot.splice(0)) entry.waker.drop();
  }
}

export class Delay implements Future<number> {
  private entry: TimerEntry | undefined;
  constructor(private readonly wheel: TimerWheel, private readonly deadline: number) {}

  poll(cx: Context): Poll<number> {
    if (this.wheel.now >= this.deadline) return Poll.ready(this.wheel.now);
    const entry = this.entry;
    if (entry === undefined) {
      this.entry = this.wheel.insert(this.deadline, cx.waker().clone());
      return Poll.pending();
    }
    // Polled again before the deadline: keep the wheel's waker current.
    if (entry.waker.willWake(cx.waker())) return Poll.pending();
    const previous = entry.waker;
    entry.waker = cx.waker().clone();
    previous.drop();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using wheel = new TimerWheel();
  const delays = [3, 9, 17, 64, 70].map((deadline) => executor.spawn(new Delay(wheel, deadline)));
  for (;;) {
    executor.run();
    if (wheel.pending === 0) break;
    wheel.tick();
  }
  if (delays.some((delay) => !delay.done)) throw new Error('a delay never fired (a lost wakeup)');
}
