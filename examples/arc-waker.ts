// The seed's Arc runtime: `clone` takes a new reference, `wake` and `drop`
// release one, `wakeByRef` borrows. Every sequence of operations is clean.
//
// Run: npm run example -- examples/arc-waker.ts
import { Arc, RawWaker, RawWakerVTable, Waker, currentRuntime, drop, forget, type Ptr } from 'wakerscope/waker';

export class Task {
  // A real runtime keeps the future and its scheduler here.
  wakeups = 0;
}

function cloneArc(ptr: Ptr): RawWaker {
  const arc = Arc.fromRaw<Task>(ptr);
  const arc2 = arc.clone();
  forget(arc); // keep the count: the original waker still owns its reference
  return new RawWaker(Arc.intoRaw(arc2), VTABLE);
}

function wakeArc(ptr: Ptr): void {
  const arc = Arc.fromRaw<Task>(ptr);
  arc.value.wakeups++; // schedule the task
  drop(arc); // wake owns the reference, so it releases it
}

function wakeByRefArc(ptr: Ptr): void {
  const arc = Arc.fromRaw<Task>(ptr);
  arc.value.wakeups++; // schedule the task
  forget(arc); // borrowed: the count stays
}

function dropArc(ptr: Ptr): void {
  const arc = Arc.fromRaw<Task>(ptr);
  drop(arc); // frees the task if this was the last reference
}

export const VTABLE = new RawWakerVTable(cloneArc, wakeArc, wakeByRefArc, dropArc);

export function arcWaker(task: Arc<Task>): Waker {
  const raw = new RawWaker(Arc.intoRaw(task), VTABLE);
  return Waker.fromRaw(raw);
}

/** A factory for the simulator: a waker for a fresh task. */
export function createWaker(): Waker {
  return arcWaker(Arc.new(new Task()));
}

function main(): void {
  const task = Arc.new(new Task());
  const waker = arcWaker(Arc.clone(task));
  const copy = waker.clone();
  waker.wakeByRef();
  waker.wake();
  copy.drop();
  console.log(`task woken ${task.value.wakeups} times; strong count back to ${Arc.strongCount(task)}`);
  task.drop();
  console.log(`leaks: ${currentRuntime().leaks().length}`);
}

if (require.main === module) main();
