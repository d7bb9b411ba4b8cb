// The seed's first vtable, ported faithfully, bug included: `myClone` copies the
// pointer without taking a reference, so a clone and its original both free the box.
//
// Run: npm run example -- examples/seed-box-waker.ts
import { Box, RawWaker, RawWakerVTable, Waker, drop, type Ptr } from 'wakerscope/waker';

export function createRawWaker(): RawWaker {
  const data = Box.intoRaw(Box.new(42));
  return new RawWaker(data, VTABLE);
}

function myClone(rawWaker: Ptr): RawWaker {
  return new RawWaker(rawWaker, VTABLE);
}

function myWake(rawWaker: Ptr): void {
  drop(Box.fromRaw<number>(rawWaker));
}

function myWakeByRef(_rawWaker: Ptr): void {}

function myDrop(rawWaker: Ptr): void {
  drop(Box.fromRaw<number>(rawWaker));
}

export const VTABLE = new RawWakerVTable(myClone, myWake, myWakeByRef, myDrop);

// The seed's claim holds for one waker: woken, it is freed exactly once.
function main(): void {
  const waker = Waker.fromRaw(createRawWaker());
  waker.wake();
  console.log('one waker, woken: freed once, as the seed says');

  // Cloned, it does not: the clone and the original free the same box.
  const original = Waker.fromRaw(createRawWaker());
  const copy = original.clone();
  original.wake();
  try {
    copy.drop();
  } catch (error) {
    console.log(`cloned, woken, clone dropped:\n${(error as Error).message}`);
  }
}

if (require.main === module) main();
