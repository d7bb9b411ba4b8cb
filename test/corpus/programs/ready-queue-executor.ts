// A minimal executor with its own `RawWakerVTable` (the "build your own
// block_on" pattern of async-task and the async book): each task is an
// `Arc<Task>`; a waker holds one strong count, and waking moves that count into
// the ready queue.
import { Arc, Poll, RawWaker, RawWakerVTable, Context, Waker, drop, forget, type Future, type Ptr } from 'wakerscope/waker';

class Task {
  queued = false;
  done = false;
  constructor(readonly future: Future<void>) {}
}

let readyQueue: Arc<Task>[] = [];

function schedule(task: Arc<Task>): void {
  if (task.value.queued || task.value.done) {
    drop(task);
    return;
  }
  task.value.queued = true;
  readyQueue.push(task);
}

function cloneTask(data: Ptr): RawWaker {
  Arc.incrementStrongCount(data);
  return new RawWaker(data, TASK_VTABLE);
}

function wakeTask(data: Ptr): void {
  schedule(Arc.fromRaw<Task>(data));
}

function wakeTaskByRef(data: Ptr): void {
  const task = Arc.fromRaw<Task>(data);
  schedule(task.clone());
  forget(task);
}

function dropTask(data: Ptr): void {
  drop(Arc.fromRaw<Task>(data));
}

const TASK_VTABLE = new RawWakerVTable(cloneTask, wakeTask, wakeTaskByRef, dropTask);

export function spawn(future: Future<void>): void {
  schedule(Arc.new(new Task(future)));
}

export function runUntilIdle(): void {
  for (;;) {
    const task = readyQueue.shift();
    if (task === undefined) return;
    task.value.queued = false;
    const waker = Waker.fromRaw(new RawWaker(Arc.intoRaw(task.clone()), TASK_VTABLE));
    const result = task.value.future.poll(Context.fromWaker(waker));
    if (result.ready) task.value.done = true;
    waker.drop();
    drop(task);
  }
}

/** Yields `times` times before finishing: wakes itself by reference each time. */
class Countdown implements Future<void> {
  constructor(private times: number) {}
  poll(cx: Context): Poll<void> {
    if (this.times === 0) return Poll.ready(undefined);
    this.times--;
    cx.waker().wakeByRef();
    return Poll.pending();
  }
}

/** Wakes a clone of its waker later, from the outside. */
class External implements Future<void> {
  fired = false;
  parked: Waker | undefined;
  poll(cx: Context): Poll<void> {
    if (this.fired) return Poll.ready(undefined);
    this.parked?.drop();
    this.parked = cx.waker().clone();
    return Poll.pending();
  }
}

export function drive(): void {
  readyQueue = [];
  const external = new External();
  spawn(new Countdown(3));
  spawn(external);
  runUntilIdle();
  external.fired = true;
  const parked = external.parked;
  external.parked = undefined;
  parked?.wake();
  runUntilIdle();
  if (readyQueue.length > 0) throw new Error('tasks left in the queue');
}
