// A timer wheel that runs a per-timer callback before waking, and releases the
// waker in `finally` so a throwing callback cannot leak it. On the normal path
// the waker was already consumed by `wake()`, and `finally` drops it again.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

const SLOTS = 16;

interface TimerEntry {
  readonly deadline: number;
  waker: Waker;
  readonly onFire: () => void;
}

export class TimerWheel {
  private readonly slots: TimerEntry[][] = Array.from({ length: SLOTS }, () => []);
  now = 0;
  pending = 0;

  insert(entry: TimerEntry): void {
    this.pending++;
    this.slots[entry.deadline % SLOTS].push(entry);
  }

  tick(): void {
    this.now++;
    const slot = this.slots[this.now % SLOTS];
    const due = slot.filter((entry) => entry.deadline <= this.now);
    const later = slot.filter((entry) => entry.deadline > this.now);
    slot.length = 0;
    slot.push(...later);
    for (const entry of due) {
      this.pending--;
      const { waker, onFire } = entry;
      try {
        onFire();
        waker.wake();
      } finally {
        waker.drop(); // expect: use-after-wake warning
      }
    }
  }
}

export class Delay implements Future<number> {
  private entry: TimerEntry | undefined;
  fired = 0;
  constructor(private readonly wheel: TimerWheel, private readonly deadline: number) {}

  poll(cx: Context): Poll<number> {
    if (this.wheel.now >= this.deadline) return Poll.ready(this.fired);
    const entry = this.entry;
    if (entry === undefined) {
      this.entry = { deadline: this.deadline, waker: cx.waker().clone(), onFire: () => this.fired++ };
      this.wheel.insert(this.entry);
      return Poll.pending();
    }
    if (entry.waker.willWake(cx.waker())) return Poll.pending();
    const previous = entry.waker;
    entry.waker = cx.waker().clone();
    previous.drop();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const wheel = new TimerWheel();
  executor.spawn(new Delay(wheel, 3));
  for (;;) {
    executor.run();
    if (wheel.pending === 0) break;
    wheel.tick();
  }
}
