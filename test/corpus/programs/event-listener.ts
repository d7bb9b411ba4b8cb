// The `event-listener` crate: an `Event` hands out `EventListener`s, kept in a
// map by id; `notify(n)` wakes the n oldest listeners that are not notified yet,
// and a listener dropped before it fires removes its entry (and releases its
// waker). A notified listener that is dropped passes its notification on.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

const enum State {
  Waiting,
  Notified,
}

interface Entry {
  state: State;
  waker: Waker | null;
}

export class Event implements Disposable {
  readonly #entries = new Map<number, Entry>();
  #nextId = 0;

  listen(): EventListener {
    const id = this.#nextId++;
    this.#entries.set(id, { state: State.Waiting, waker: null });
    return new EventListener(this, id);
  }

  /** Wake up to `count` listeners that have not been notified yet, oldest first. */
  notify(count: number): number {
    let notified = 0;
    for (const entry of this.#entries.values()) {
      if (notified === count) break;
      if (entry.state === State.Notified) continue;
      entry.state = State.Notified;
      notified++;
      const waker = entry.waker;
      entry.waker = null;
      waker?.wake();
    }
    return notified;
  }

  /** @internal */
  entry(id: number): Entry {
    const entry = this.#entries.get(id);
    if (entry === undefined) throw new Error(`listener ${id} is gone`);
    return entry;
  }

  /** @internal */
  remove(id: number): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    entry.waker?.drop();
    if (entry.state === State.Notified) this.notify(1);
  }

  [Symbol.dispose](): void {
    for (const entry of this.#entries.values()) entry.waker?.drop();
    this.#entries.clear();
  }
}

export class EventListener implements Future<void>, Disposable {
  #done = false;
  constructor(private readonly event: Event, private readonly id: number) {}

  poll(cx: Context): Poll<void> {
    const entry = this.event.entry(this.id);
    switch (entry.state) {
      case State.Notified:
        this.#done = true;
        this.event.remove(this.id);
        return Poll.ready(undefined);
      case State.Waiting:
        if (entry.waker?.willWake(cx.waker())) return Poll.pending();
        entry.waker?.drop();
        entry.waker = cx.waker().clone();
        return Poll.pending();
    }
  }

  [Symbol.dispose](): void {
    if (!this.#done) this.event.remove(this.id);
    this.#done = true;
  }
}

/** Waits on a listener, then counts itself in. */
class Waiter implements Future<number> {
  constructor(private readonly listener: EventListener, private readonly arrivals: number[], private readonly name: number) {}

  poll(cx: Context): Poll<number> {
    if (this.listener.poll(cx).ready) {
      this.arrivals.push(this.name);
      return Poll.ready(this.name);
    }
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  using event = new Event();
  const arrivals: number[] = [];
  const tasks = [0, 1, 2].map((name) => executor.spawn(new Waiter(event.listen(), arrivals, name)));
  using abandoned = event.listen();
  executor.run();
  event.notify(1);
  executor.run();
  event.notify(5);
  executor.run();
  if (tasks.some((t) => !t.done)) throw new Error(`a listener was never woken (a lost wakeup); arrived: ${arrivals.join(', ')}`);
  if (arrivals.join(',') !== '0,1,2') throw new Error(`listeners woke out of order: ${arrivals.join(', ')}`);
  if (abandoned === undefined) throw new Error('unreachable');
}
