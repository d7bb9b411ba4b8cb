// A hand-rolled executor whose `wake` slot was written as "same as
// wake_by_ref": it schedules a new count of the task and forgets the one the
// waker owned, so every woken waker leaks a reference and tasks are never freed.
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

function cloneTask(data: Ptr): RawWaker {
  Arc.incrementStrongCount(data);
  return new RawWaker(data, TASK_VTABLE);
}

function wakeTask(data: Ptr): void { // expect: vtable-wake-no-release error
  const task = Arc.fromRaw<Task>(data);
  schedule(task.clone());
  forget(task);
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
