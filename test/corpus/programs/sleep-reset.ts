// tokio's `time::Sleep` with `reset`: a sleep registered with the timer driver
// can be moved to a new deadline. The driver keeps entries in a map by id;
// `cancel(id)` removes an entry and hands back its waker. `reset` cancels,
// releases the waker it was handed, then re-inserts the entry at the new
// deadline with that same waker: the driver now holds a dropped waker.
import { Executor, Poll, type Context, type Future, type Waker, type WakerRef } from 'wakerscope/waker';

interface Entry {
  readonly deadline: number;
  waker: Waker;
}

export class TimerDriver implements Disposable {
  readonly #entries = new Map<number, Entry>();
  #nextId = 0;
  now = 0;

  insert(deadline: number, waker: Waker): number {
    const id = this.#nextId++;
    this.#entries.set(id, { deadline, waker });
    return id;
  }

  /** Keep entry `id`'s waker current: the task polling the sleep may have changed. */
  register(id: number, waker: WakerRef): void {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.waker.willWake(waker)) return;
    const stale = entry.waker;
    entry.waker = waker.clone();
    stale.drop();
  }

  cancel(id: number): Waker | undefined {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    return entry?.waker;
  }

  /** Advance to `now` and wake everything due. */
  advance(now: number): void {
    this.now = now;
    for (const [id, entry] of this.#entries) {
      if (entry.deadline > now) continue;
      this.#entries.delete(id);
      entry.waker.wake();
    }
  }

  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const { deadline } of this.#entries.values()) if (next === undefined || deadline < next) next = deadline;
    return next;
  }

  [Symbol.dispose](): void {
    for (const { waker } of this.#entries.values()) waker.drop();
    this.#entries.clear();
  }
}

export class Sleep implements Future<void> {
  #entry: number | undefined;
  constructor(private readonly driver: TimerDriver, private deadline: number) {}

  poll(cx: Context): Poll<void> {
    if (this.driver.now >= this.deadline) {
      this.#entry = undefined;
      return Poll.ready(undefined);
    }
    if (this.#entry === undefined) this.#entry = this.driver.insert(this.deadline, cx.waker().clone());
    else this.driver.register(this.#entry, cx.waker());
    return Poll.pending();
  }

  /** Move the sleep to a new deadline, keeping its registration. */
  reset(deadline: number): void {
    this.deadline = deadline;
    if (this.#entry === undefined) return;
    const waker = this.driver.cancel(this.#entry);
    waker?.drop();
    if (waker !== undefined) this.#entry = this.driver.insert(deadline, waker); // expect: use-after-drop error
  }
}

/** Sleeps once, then is pushed back by a watchdog. */
class Nap implements Future<number> {
  constructor(private readonly sleep: Sleep, private readonly driver: TimerDriver) {}

  poll(cx: Context): Poll<number> {
    if (!this.sleep.poll(cx).ready) return Poll.pending();
    return Poll.ready(this.driver.now);
  }
}

export function drive(): void {
  const executor = new Executor();
  using driver = new TimerDriver();
  const sleep = new Sleep(driver, 10);
  const nap = executor.spawn(new Nap(sleep, driver));
  executor.run();
  sleep.reset(25);
  for (let next = driver.nextDeadline(); next !== undefined; next = driver.nextDeadline()) {
    driver.advance(next);
    executor.run();
  }
  if (!nap.done) throw new Error('the sleep was never woken (a lost wakeup)');
}
