// The same timer wheel (buckets of timer ids, each timer's waker in a slot of
// `wakers`), where firing wakes the waker read out of the slot and then clears
// the slot with the idiom `cancel` would use: `wakers[id]?.drop()` drops the
// waker `wake()` already consumed.
import { Executor, Poll, type Context, type Future, type Waker, type WakerRef } from 'wakerscope/waker';

const SLOTS = 8;

export class TimerWheel implements Disposable {
  private readonly buckets: number[][] = Array.from({ length: SLOTS }, () => []);
  private readonly deadlines: number[] = [];
  private readonly wakers: (Waker | undefined)[] = [];
  now = 0;
  pending = 0;

  /** File `waker` under `deadline`; the wheel owns it until the timer fires. */
  insert(deadline: number, waker: Waker): number {
    const id = this.wakers.length;
    this.wakers.push(waker);
    this.deadlines.push(deadline);
    this.buckets[deadline % SLOTS].push(id);
    this.pending++;
    return id;
  }

  /** A timer polled again before its deadline: keep its waker current. */
  reset(id: number, waker: WakerRef): void {
    const stored = this.wakers[id];
    if (stored === undefined || stored.willWake(waker)) return;
    this.wakers[id] = waker.clone();
    stored.drop();
  }

  /** Advance one tick and fire the timers of the bucket that comes round. */
  tick(): void {
    this.now++;
    const bucket = this.buckets[this.now % SLOTS];
    const due = bucket.filter((id) => this.deadlines[id] <= this.now);
    const later = bucket.filter((id) => this.deadlines[id] > this.now);
    bucket.length = 0;
    bucket.push(...later);
    for (const id of due) this.fire(id);
  }

  private fire(id: number): void {
    const waker = this.wakers[id];
    this.pending--;
    waker?.wake();
    this.wakers[id]?.drop(); // expect: use-after-wake error
    this.wakers[id] = undefined;
  }

  [Symbol.dispose](): void {
    for (const waker of this.wakers.splice(0)) waker?.drop();
  }
}

export class Delay implements Future<number> {
  private id: number | undefined;
  constructor(private readonly wheel: TimerWheel, private readonly deadline: number) {}

  poll(cx: Context): Poll<number> {
    if (this.wheel.now >= this.deadline) return Poll.ready(this.wheel.now);
    if (this.id === undefined) this.id = this.wheel.insert(this.deadline, cx.waker().clone());
    else this.wheel.reset(this.id, cx.waker());
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using wheel = new TimerWheel();
  const delays = [2, 5, 9, 13, 21].map((deadline) => executor.spawn(new Delay(wheel, deadline)));
  for (;;) {
    executor.run();
    if (wheel.pending === 0) break;
    wheel.tick();
  }
  if (delays.some((delay) => !delay.done)) throw new Error('a delay never fired (a lost wakeup)');
}
