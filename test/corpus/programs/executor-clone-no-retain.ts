// A hand-rolled executor whose `clone` slot hands out the same task pointer
// without taking a count: the clone and the original each release one count,
// so the task is freed while a waker still points at it, and freed again.
import { Arc, Context, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Future, type Ptr } from 'wakerscope/waker';

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

function cloneTask(data: Ptr): RawWaker { // expect: vtable-clone-no-retain error
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
    if (task.value.future.poll(Context.fromWaker(waker)).ready) task.value.done = true;
    waker.drop();
    drop(task);
  }
}

/** Parks a clone of its waker; the driver wakes it from outside. */
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
  spawn(external);
  runUntilIdle();
  external.fired = true;
  const parked = external.parked;
  external.parked = undefined;
  parked?.wake();
  runUntilIdle();
}
