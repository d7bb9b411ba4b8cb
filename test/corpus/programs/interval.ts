// tokio's `time::Interval` with `MissedTickBehavior`: ticks every `period`;
// when the task falls behind, `Burst` fires the missed ticks back to back,
// `Delay` restarts the schedule from now, `Skip` jumps to the next multiple.
// A clock drives virtual time and wakes the one waker each interval keeps.
import { Poll, Waker, Context, Arc, type Future, type Wake } from 'wakerscope/waker';

export const enum MissedTickBehavior {
  Burst,
  Delay,
  Skip,
}

export class Clock {
  now = 0;
  readonly #sleepers: { readonly at: number; readonly wake: () => void }[] = [];

  at(at: number, wake: () => void): void {
    this.#sleepers.push({ at, wake });
  }

  advance(to: number): void {
    this.now = to;
    const due = this.#sleepers.filter((s) => s.at <= to);
    this.#sleepers.splice(0, this.#sleepers.length, ...this.#sleepers.filter((s) => s.at > to));
    for (const sleeper of due) sleeper.wake();
  }
}

export class Interval implements Disposable {
  #next: number;
  #waker: Waker | null = null;
  #armedFor: number | null = null;

  constructor(private readonly clock: Clock, private readonly period: number, private readonly behavior: MissedTickBehavior) {
    this.#next = clock.now;
  }

  pollTick(cx: Context): Poll<number> {
    const now = this.clock.now;
    if (now >= this.#next) {
      const tick = this.#next;
      this.#next = this.#following(tick, now);
      return Poll.ready(tick);
    }
    if (this.#waker === null || !this.#waker.willWake(cx.waker())) {
      const previous = this.#waker;
      this.#waker = cx.waker().clone();
      previous?.drop();
    }
    if (this.#armedFor !== this.#next) {
      this.#armedFor = this.#next;
      this.clock.at(this.#next, () => this.#fire());
    }
    return Poll.pending();
  }

  #following(tick: number, now: number): number {
    switch (this.behavior) {
      case MissedTickBehavior.Burst:
        return tick + this.period;
      case MissedTickBehavior.Delay:
        return now + this.period;
      case MissedTickBehavior.Skip:
        return now + this.period - ((now - tick) % this.period);
    }
  }

  #fire(): void {
    const waker = this.#waker;
    this.#waker = null;
    waker?.wake();
  }

  [Symbol.dispose](): void {
    const waker = this.#waker;
    this.#waker = null;
    waker?.drop();
  }
}

/** A task that records when it was woken to poll again. */
class Recorder implements Wake {
  wakes = 0;
  wake(self: Arc<this>): void {
    this.wakes++;
    self.drop();
  }
}

function ticks(behavior: MissedTickBehavior): number[] {
  const clock = new Clock();
  using interval = new Interval(clock, 10, behavior);
  const task = Arc.new(new Recorder());
  const waker = Waker.fromArc(Arc.clone(task));
  const cx = Context.fromWaker(waker);
  const seen: number[] = [];
  const pollAll = (): void => {
    for (let polled = interval.pollTick(cx); polled.ready; polled = interval.pollTick(cx)) seen.push(polled.value);
  };
  pollAll();
  for (const to of [10, 20, 45, 50, 60]) {
    clock.advance(to);
    pollAll();
  }
  waker.drop();
  const woken = task.value.wakes;
  task.drop();
  if (woken === 0) throw new Error('the interval never woke its task (a lost wakeup)');
  return seen;
}

export function drive(): void {
  const burst = ticks(MissedTickBehavior.Burst).join(',');
  const delay = ticks(MissedTickBehavior.Delay).join(',');
  const skip = ticks(MissedTickBehavior.Skip).join(',');
  if (burst !== '0,10,20,30,40,50,60') throw new Error(`burst ticked ${burst}`);
  if (delay !== '0,10,20,30,55') throw new Error(`delay ticked ${delay}`);
  if (skip !== '0,10,20,30,50,60') throw new Error(`skip ticked ${skip}`);
}
