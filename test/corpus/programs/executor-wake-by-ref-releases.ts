// A hand-rolled executor whose `wake_by_ref` slot schedules the task with the
// count it only borrows (copied from `wake`): the queue's reference and the
// waker's own are the same count, released twice.
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

function wakeTask(data: Ptr): void {
  schedule(Arc.fromRaw<Task>(data));
}

function wakeTaskByRef(data: Ptr): void { // expect: vtable-wake-by-ref-releases error
  schedule(Arc.fromRaw<Task>(data));
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

/** Yields once by waking itself by reference. */
class YieldOnce implements Future<void> {
  private yielded = false;
  poll(cx: Context): Poll<void> {
    if (this.yielded) return Poll.ready(undefined);
    this.yielded = true;
    cx.waker().wakeByRef();
    return Poll.pending();
  }
}

export function drive(): void {
  readyQueue = [];
  spawn(new YieldOnce());
  runUntilIdle();
}
