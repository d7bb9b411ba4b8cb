// A waker whose data is a `Box` holding a reference count kept by hand (what
// embedded executors without `Arc` do): `clone` increments, `wake` and `drop`
// decrement and free the box when the count reaches zero.
import { Box, RawWaker, RawWakerVTable, Waker, drop, forget, type Ptr } from 'wakerscope/waker';

interface Counted {
  refs: number;
  readonly taskId: number;
  readonly woken: number[];
}

function retain(data: Ptr): void {
  const cell = Box.fromRaw<Counted>(data);
  cell.value.refs++;
  forget(cell);
}

function release(data: Ptr): void {
  const cell = Box.fromRaw<Counted>(data);
  cell.value.refs--;
  if (cell.value.refs === 0) drop(cell);
  else forget(cell);
}

function notify(data: Ptr): void {
  const cell = Box.fromRaw<Counted>(data);
  cell.value.woken.push(cell.value.taskId);
  forget(cell);
}

function countedClone(data: Ptr): RawWaker {
  retain(data);
  return new RawWaker(data, COUNTED_VTABLE);
}

function countedWake(data: Ptr): void {
  notify(data);
  release(data);
}

function countedWakeByRef(data: Ptr): void {
  notify(data);
}

function countedDrop(data: Ptr): void {
  release(data);
}

export const COUNTED_VTABLE = new RawWakerVTable(countedClone, countedWake, countedWakeByRef, countedDrop);

export function counted(taskId: number, woken: number[]): Waker {
  return Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new<Counted>({ refs: 1, taskId, woken })), COUNTED_VTABLE));
}

export function drive(): void {
  const woken: number[] = [];
  const waker = counted(7, woken);
  const a = waker.clone();
  const b = a.clone();
  a.wakeByRef();
  a.wake();
  b.drop();
  waker.wake();
  if (woken.length !== 3) throw new Error(`woken ${woken.length} times`);
}
