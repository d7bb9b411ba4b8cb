// A timer driver's wakers: per-timer wakers count references on an `Arc`, while
// the driver's own idle waker points at data that outlives every waker, so its
// slots take and release nothing. `wake` and `drop` each release zero
// references (idle) or one (a timer), consistently.
import { Arc, Box, RawWaker, RawWakerVTable, Waker, drop, forget, type Ptr } from 'wakerscope/waker';

interface TimerTask {
  woken: number;
}

interface Driver {
  idleWakes: number;
}

let idleData: Ptr | undefined;

function isIdle(data: Ptr): boolean {
  return idleData !== undefined && data.address === idleData.address;
}

function timerClone(data: Ptr): RawWaker {
  if (!isIdle(data)) Arc.incrementStrongCount(data);
  return new RawWaker(data, TIMER_VTABLE);
}

function timerWake(data: Ptr): void {
  if (isIdle(data)) {
    noteIdleWake(data);
    return;
  }
  const task = Arc.fromRaw<TimerTask>(data);
  task.value.woken++;
  drop(task);
}

function timerWakeByRef(data: Ptr): void {
  if (isIdle(data)) {
    noteIdleWake(data);
    return;
  }
  const task = Arc.fromRaw<TimerTask>(data);
  task.value.woken++;
  forget(task);
}

function timerDrop(data: Ptr): void {
  if (isIdle(data)) return;
  drop(Arc.fromRaw<TimerTask>(data));
}

function noteIdleWake(data: Ptr): void {
  const driver = Box.fromRaw<Driver>(data);
  driver.value.idleWakes++;
  forget(driver);
}

export const TIMER_VTABLE = new RawWakerVTable(timerClone, timerWake, timerWakeByRef, timerDrop);

export function drive(): void {
  const driver = Box.new<Driver>({ idleWakes: 0 });
  const driverPtr = Box.intoRaw(driver);
  idleData = driverPtr;
  try {
    const idle = Waker.fromRaw(new RawWaker(driverPtr, TIMER_VTABLE));
    const idleCopy = idle.clone();
    idleCopy.wake();
    idle.wakeByRef();
    idle.drop();

    const task = Arc.new<TimerTask>({ woken: 0 });
    const timer = Waker.fromRaw(new RawWaker(Arc.intoRaw(task), TIMER_VTABLE));
    const timerCopy = timer.clone();
    timer.wakeByRef();
    timer.wake();
    timerCopy.drop();
  } finally {
    idleData = undefined;
    drop(Box.fromRaw<Driver>(driverPtr));
  }
}
