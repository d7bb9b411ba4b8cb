// A `LocalSet`-style single-threaded executor: tasks live in a map by id and
// a ready queue holds the ids to poll. A waker's data is a `Box` with the task
// id and a reference count kept by hand (no `Arc` on a single thread); the
// vtable is built by the set itself, as closures over its ready queue.
import { Box, Context, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Future, type Ptr } from 'wakerscope/waker';

interface WakerData {
  readonly taskId: number;
  refs: number;
}

export class LocalSet {
  readonly #tasks = new Map<number, { future: Future<void>; queued: boolean }>();
  readonly #ready: number[] = [];
  #nextId = 0;
  readonly #vtable: RawWakerVTable;

  constructor() {
    const schedule = (data: Ptr): void => {
      const cell = Box.fromRaw<WakerData>(data);
      const task = this.#tasks.get(cell.value.taskId);
      if (task !== undefined && !task.queued) {
        task.queued = true;
        this.#ready.push(cell.value.taskId);
      }
      forget(cell);
    };
    const release = (data: Ptr): void => {
      const cell = Box.fromRaw<WakerData>(data);
      if (--cell.value.refs === 0) drop(cell);
      else forget(cell);
    };
    this.#vtable = new RawWakerVTable(
      (data) => {
        const cell = Box.fromRaw<WakerData>(data);
        cell.value.refs++;
        forget(cell);
        return new RawWaker(data, this.#vtable);
      },
      (data) => {
        schedule(data);
        release(data);
      },
      (data) => schedule(data),
      (data) => release(data),
    );
  }

  spawnLocal(future: Future<void>): number {
    const id = this.#nextId++;
    this.#tasks.set(id, { future, queued: true });
    this.#ready.push(id);
    return id;
  }

  get pending(): number {
    return this.#tasks.size;
  }

  runUntilStalled(): void {
    for (let id = this.#ready.shift(); id !== undefined; id = this.#ready.shift()) {
      const task = this.#tasks.get(id);
      if (task === undefined) continue;
      task.queued = false;
      const waker = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new<WakerData>({ taskId: id, refs: 1 })), this.#vtable));
      try {
        if (task.future.poll(Context.fromWaker(waker)).ready) this.#tasks.delete(id);
      } finally {
        waker.drop();
      }
    }
  }
}

/** Yields `times` times, waking itself each time (tokio's `yield_now`). */
class YieldTimes implements Future<void> {
  constructor(private times: number, private readonly log: string[], private readonly name: string) {}

  poll(cx: Context): Poll<void> {
    this.log.push(this.name);
    if (this.times-- === 0) return Poll.ready(undefined);
    cx.waker().wakeByRef();
    return Poll.pending();
  }
}

/** Two of these take turns through one relay slot: each wakes whoever is parked there, then parks itself. */
class Relay implements Future<void> {
  #turns = 0;
  constructor(private readonly slot: { parked: Waker | undefined }, private readonly rounds: number) {}

  poll(cx: Context): Poll<void> {
    const other = this.slot.parked;
    this.slot.parked = undefined;
    other?.wake();
    if (++this.#turns === this.rounds) return Poll.ready(undefined);
    this.slot.parked = cx.waker().clone();
    return Poll.pending();
  }
}

export function drive(): void {
  const set = new LocalSet();
  const log: string[] = [];
  set.spawnLocal(new YieldTimes(2, log, 'a'));
  set.spawnLocal(new YieldTimes(1, log, 'b'));
  const slot: { parked: Waker | undefined } = { parked: undefined };
  set.spawnLocal(new Relay(slot, 3));
  set.spawnLocal(new Relay(slot, 3));
  set.runUntilStalled();
  if (set.pending !== 0) throw new Error(`${set.pending} tasks never finished (a lost wakeup)`);
  if (log.sort().join('') !== 'aaabb') throw new Error(`ran ${log.join('')}`);
}
