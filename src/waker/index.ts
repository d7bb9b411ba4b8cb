// `wakerscope/waker`: Rust's std::task over a simulated heap that reports every
// double free, use after free, use after wake/drop/move and leak as it happens.

export { Arc } from './arc';
export { Box } from './box';
export {
  DoubleFreeError,
  LeakError,
  UseAfterDropError,
  UseAfterFreeError,
  UseAfterMoveError,
  UseAfterWakeError,
  WakerError,
  type ViolationKind,
} from './errors';
export { Executor, JoinHandle } from './executor';
export { drop, forget } from './mem';
export {
  currentRuntime,
  installRuntime,
  Runtime,
  withRuntime,
  type Cell,
  type CellKind,
  type CellState,
  type EventRef,
  type HandleKind,
  type HandleRecord,
  type HandleState,
  type Leak,
  type Owned,
  type Ptr,
  type RuntimeMode,
  type RuntimeOptions,
  type SlotName,
  type SourceLocation,
  type TraceEvent,
} from './runtime';
export {
  Context,
  Poll,
  RawWaker,
  RawWakerVTable,
  Waker,
  type Future,
  type RawWakerCloneFn,
  type RawWakerFn,
  type Wake,
  type WakerRef,
} from './waker';
