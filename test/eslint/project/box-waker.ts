// A user's copy of the seed's Box vtable: `cloneBox` copies the pointer without taking a reference.
import { Box, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';

function cloneBox(data: Ptr): RawWaker {
  return new RawWaker(data, VTABLE);
}

function dropBox(data: Ptr): void {
  drop(Box.fromRaw<number>(data));
}

export const VTABLE = new RawWakerVTable(cloneBox, dropBox, () => {}, dropBox);
