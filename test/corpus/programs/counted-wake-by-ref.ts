// A single-threaded executor whose wakers point at a `Box` holding a task id and
// a reference count kept by hand. Its vtable is an object of arrow functions
// over shared helpers; `wakeByRef` was written by copying `wake`, so it also
// releases the count it only borrows: the waker's own later drop then frees a
// box that is already gone.
import { Box, Context, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Future, type Ptr } from 'wakerscope/waker';

interface Counted {
  readonly taskId: number;
  refs: number;
}

const ready: number[] = [];

function schedule(data: Ptr): void {
  const cell = Box.fromRaw<Counted>(data);
  if (!ready.includes(cell.value.taskId)) ready.push(cell.value.taskId);
  forget(cell);
}

function release(data: Ptr): void {
  const cell = Box.fromRaw<Counted>(data);
  cell.value.refs -= 1;
  if (cell.value.refs === 0) drop(cell);
  else forget(cell);
}

const slots = {
  clone: (data: Ptr): RawWaker => {
    const cell = Box.fromRaw<Counted>(data);
    cell.value.refs += 1;
    forget(cell);
    return new RawWaker(data, VTABLE);
  },
  wake: (data: Ptr): void => {
    schedule(data);
    release(data);
  },
  wakeByRef: (data: Ptr): void => { // expect: vtable-wake-by-ref-releases error
    schedule(data);
    release(data);
  },
  drop: (data: Ptr): void => release(data),
};

const VTABLE = new RawWakerVTable(slots.clone, slots.wake, slots.wakeByRef, slots.drop);

export function runAll(tasks: Map<number, Future<void>>): void {
  for (const id of tasks.keys()) ready.push(id);
  for (let id = ready.shift(); id !== undefined; id = ready.shift()) {
    const future = tasks.get(id);
    if (future === undefined) continue;
    const waker = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new<Counted>({ taskId: id, refs: 1 })), VTABLE));
    if (future.poll(Context.fromWaker(waker)).ready) tasks.delete(id);
    waker.drop();
  }
}

/** Yields once by waking its own task by reference. */
class YieldOnce implements Future<void> {
  #yielded = false;
  poll(cx: Context): Poll<void> {
    if (this.#yielded) return Poll.ready(undefined);
    this.#yielded = true;
    cx.waker().wakeByRef();
    return Poll.pending();
  }
}

export function drive(): void {
  const tasks = new Map<number, Future<void>>([
    [0, new YieldOnce()],
    [1, new YieldOnce()],
  ]);
  runAll(tasks);
  if (tasks.size !== 0) throw new Error(`${tasks.size} tasks never finished (a lost wakeup)`);
}
