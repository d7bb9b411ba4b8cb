// The simulated heap and the trace. Every handle (Box, Arc, RawWaker, Waker)
// belongs to the runtime that created it, so runs installed with
// `withRuntime` never see each other's cells.

import {
  DoubleFreeError,
  UseAfterDropError,
  UseAfterFreeError,
  UseAfterMoveError,
  UseAfterWakeError,
  formatAddress,
  type WakerError,
} from './errors';

export { formatAddress };

/**
 * The library's brand. The analyzer recognises `wakerscope/waker` by this
 * declaration (which the published .d.ts keeps) in the folder of the file that
 * declares a symbol, never by the folder's path: an install by copy or symlink,
 * a `paths` mapping and a relative import of these sources are one library, and
 * a user's own `waker/` folder is not.
 */
export interface WakerscopeLibrary {
  readonly library: 'wakerscope/waker';
}

/** A place in user code, taken from the V8 stack. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly function?: string;
}

export type SlotName = 'clone' | 'wake' | 'wakeByRef' | 'drop';

/** Where and when something happened: enough to say "freed at step 3 by `myWake`". */
export interface EventRef {
  readonly step: number;
  readonly operation: string;
  readonly slot?: SlotName;
  readonly slotFunction?: string;
  readonly location?: SourceLocation;
}

export type CellKind = 'box' | 'arc';
export type CellState = 'live' | 'freed';
export type HandleKind = 'box' | 'arc' | 'raw-waker' | 'waker';
/** `live`, or how the handle was consumed. */
export type HandleState = 'live' | 'woken' | 'dropped' | 'moved';

const ptrBrand: unique symbol = Symbol('Ptr');

/** An opaque raw pointer to a heap cell (`*const T`). Prints as its address. */
export interface Ptr<T = unknown> {
  readonly address: number;
  readonly [ptrBrand]?: T;
  toString(): string;
}

class RawPointer implements Ptr<never> {
  declare readonly [ptrBrand]?: never;
  constructor(readonly address: number) {
    Object.freeze(this);
  }
  toString(): string {
    return formatAddress(this.address);
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Ptr(${this.toString()})`;
  }
}

export const nullPtr: Ptr = new RawPointer(0);

export interface Cell {
  readonly address: number;
  readonly ptr: Ptr;
  readonly kind: CellKind;
  value: unknown;
  /** Arc strong count; a Box's is 1 while live. Kept after free, as freed memory keeps its bytes. */
  count: number;
  state: CellState;
  readonly allocated: EventRef;
  freed?: EventRef;
}

export interface HandleRecord {
  readonly id: number;
  readonly kind: HandleKind;
  readonly runtime: Runtime;
  /** The cell or data pointer this handle refers to. */
  readonly ptr: Ptr;
  state: HandleState;
  readonly created: EventRef;
  consumed?: EventRef;
}

export type TraceEvent =
  | (EventRef & { readonly seq: number; readonly type: 'alloc'; readonly address: number; readonly kind: CellKind; readonly count: number })
  | (EventRef & { readonly seq: number; readonly type: 'free'; readonly address: number; readonly kind: CellKind })
  | (EventRef & { readonly seq: number; readonly type: 'count'; readonly address: number; readonly from: number; readonly to: number })
  | (EventRef & { readonly seq: number; readonly type: 'handle-created'; readonly handle: number; readonly kind: HandleKind; readonly address: number })
  | (EventRef & { readonly seq: number; readonly type: 'handle-consumed'; readonly handle: number; readonly kind: HandleKind; readonly how: Exclude<HandleState, 'live'> })
  | (EventRef & { readonly seq: number; readonly type: 'slot-enter'; readonly called: SlotName; readonly function: string; readonly address: number })
  | (EventRef & { readonly seq: number; readonly type: 'slot-exit'; readonly called: SlotName; readonly function: string; readonly address: number })
  | (EventRef & { readonly seq: number; readonly type: 'waker'; readonly action: 'clone' | 'wake' | 'wakeByRef' | 'drop'; readonly handle: number })
  | (EventRef & { readonly seq: number; readonly type: 'task'; readonly action: 'schedule' | 'poll' | 'complete'; readonly task: number })
  | (EventRef & { readonly seq: number; readonly type: 'violation'; readonly error: WakerError });

type EventBody = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, keyof EventRef | 'seq'> : never) : never;

export interface Leak {
  readonly address: string;
  readonly kind: CellKind;
  readonly count: number;
  readonly allocated: EventRef;
}

export type RuntimeMode = 'strict' | 'record';

export interface RuntimeOptions {
  /** `strict` (default) throws at the first violation; `record` notes it and carries on. */
  readonly mode?: RuntimeMode;
  /**
   * Keep the trace, and take every event's source location from the stack
   * (default true). Without it the violations, leaks and cells still say at
   * which step and in which operation and slot: all a run that only needs its
   * outcome (the explorer's) reads, at about two thirds of the cost.
   */
  readonly trace?: boolean;
}

interface OpFrame {
  readonly operation: string;
  readonly location?: SourceLocation;
}

interface SlotFrame {
  readonly slot: SlotName;
  readonly slotFunction: string;
}

const STACK_LINE = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function callSite(entry: Function): SourceLocation | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, entry);
  Error.stackTraceLimit = limit;
  const line = holder.stack?.split('\n')[1];
  const match = line ? STACK_LINE.exec(line) : null;
  if (!match) return undefined;
  const [, fn, file, row, column] = match;
  const name = fn?.replace(/^(Object\.|async )/, '');
  return {
    file: file.replace(/^file:\/\//, ''),
    line: Number(row),
    column: Number(column),
    ...(name && name !== '<anonymous>' ? { function: name } : {}),
  };
}

const FIRST_ADDRESS = 0x1000;
const CELL_SPACING = 0x10;

export class Runtime {
  readonly mode: RuntimeMode;
  private readonly tracing: boolean;
  private readonly events: TraceEvent[] = [];
  private readonly errors: WakerError[] = [];
  private readonly heap = new Map<number, Cell>();
  private readonly handleRecords: HandleRecord[] = [];
  private nextAddress = FIRST_ADDRESS;
  private stepNumber = 0;
  private explicitStep = false;
  private readonly ops: OpFrame[] = [];
  private readonly slots: SlotFrame[] = [];

  constructor(options: RuntimeOptions = {}) {
    this.mode = options.mode ?? 'strict';
    this.tracing = options.trace ?? true;
  }

  get trace(): readonly TraceEvent[] {
    return this.events;
  }
  get violations(): readonly WakerError[] {
    return this.errors;
  }
  get step(): number {
    return this.stepNumber;
  }
  cells(): readonly Cell[] {
    return [...this.heap.values()];
  }
  handles(): readonly HandleRecord[] {
    return this.handleRecords;
  }

  /** Allocations still live: in a finished run, each one is a leak. */
  leaks(): Leak[] {
    return this.cells()
      .filter((cell) => cell.state === 'live')
      .map((cell) => ({ address: formatAddress(cell.address), kind: cell.kind, count: cell.count, allocated: cell.allocated }));
  }

  /**
   * Run `body` as one numbered step (the simulator's scenario lines). Without it,
   * every outermost library call is a step of its own.
   */
  runStep<T>(body: () => T): T {
    const outer = this.explicitStep;
    this.stepNumber++;
    this.explicitStep = true;
    try {
      return body();
    } finally {
      this.explicitStep = outer;
    }
  }

  /**
   * @internal Forget the heap, the handles and the trace, so that what the run's
   * remaining objects reach is what they hold themselves (the simulator's
   * leak-or-reachable check). Freed memory holds nothing: its values go too.
   */
  release(): void {
    for (const cell of this.heap.values()) if (cell.state === 'freed') cell.value = undefined;
    this.heap.clear();
    this.handleRecords.length = 0;
    this.events.length = 0;
    this.errors.length = 0;
  }

  // ---- used by the library's handles -------------------------------------

  /** @internal Run a library operation; `entry` is the public function the user called. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  op<T>(operation: string, entry: Function, body: () => T): T {
    if (this.ops.length === 0 && !this.explicitStep) this.stepNumber++;
    this.ops.push({ operation, location: this.tracing ? callSite(entry) : undefined });
    try {
      return body();
    } finally {
      this.ops.pop();
    }
  }

  /** @internal Call a vtable slot: events inside it are attributed to the slot. */
  inSlot<T>(slot: SlotName, fn: (data: Ptr) => T, data: Ptr): T {
    const slotFunction = fn.name || `<anonymous ${slot}>`;
    this.record({ type: 'slot-enter', called: slot, function: slotFunction, address: data.address });
    this.slots.push({ slot, slotFunction });
    try {
      return fn(data);
    } finally {
      this.slots.pop();
      this.record({ type: 'slot-exit', called: slot, function: slotFunction, address: data.address });
    }
  }

  /** @internal */
  here(): EventRef {
    const op = this.ops[this.ops.length - 1];
    const slot = this.slots[this.slots.length - 1];
    return {
      step: this.stepNumber,
      operation: op?.operation ?? '(outside an operation)',
      ...(slot ? { slot: slot.slot, slotFunction: slot.slotFunction } : {}),
      ...(op?.location ? { location: op.location } : {}),
    };
  }

  /** @internal */
  record(body: EventBody): void {
    if (this.tracing) this.events.push({ ...this.here(), ...body, seq: this.events.length } as TraceEvent);
  }

  /** @internal Strict mode throws; record mode notes the violation and lets the operation go on. */
  violate(error: WakerError): void {
    this.errors.push(error);
    this.record({ type: 'violation', error });
    if (this.mode === 'strict') throw error;
  }

  /** @internal */
  allocate(kind: CellKind, value: unknown): Cell {
    const address = this.nextAddress;
    // Addresses are never reused, so a stale pointer can never alias a new cell
    // (valgrind's freed-block quarantine, made permanent).
    this.nextAddress += CELL_SPACING;
    const cell: Cell = { address, ptr: new RawPointer(address), kind, value, count: 1, state: 'live', allocated: this.here() };
    this.heap.set(address, cell);
    this.record({ type: 'alloc', address, kind, count: 1 });
    return cell;
  }

  /** @internal The cell a pointer refers to. */
  cellAt(ptr: Ptr, kind: CellKind): Cell {
    const cell = this.heap.get(ptr.address);
    if (!cell) throw new TypeError(`${formatAddress(ptr.address)} is not a pointer this runtime allocated`);
    if (cell.kind !== kind) {
      throw new TypeError(`${formatAddress(ptr.address)} points to ${article(cell.kind)}, not ${article(kind)}`);
    }
    return cell;
  }

  /** @internal Any read or write of the cell's memory (a value, or an Arc count). */
  access(cell: Cell, what: string): void {
    if (cell.state === 'freed') this.violate(new UseAfterFreeError(what, cell, this.here()));
  }

  /** @internal Free the cell; a second free is a double free. */
  free(cell: Cell, what: string): void {
    if (cell.state === 'freed') {
      this.violate(new DoubleFreeError(what, cell, this.here()));
      return;
    }
    cell.state = 'freed';
    cell.freed = this.here();
    this.record({ type: 'free', address: cell.address, kind: cell.kind });
  }

  /** @internal Change an Arc count. Freed memory is written too, as it would be in Rust. */
  changeCount(cell: Cell, delta: 1 | -1, what: string): void {
    const wasFreed = cell.state === 'freed';
    this.access(cell, what);
    const from = cell.count;
    cell.count += delta;
    this.record({ type: 'count', address: cell.address, from, to: cell.count });
    // Arc's drop frees when the count it replaced was 1, even in freed memory.
    if (delta === -1 && from === 1) {
      if (wasFreed) this.violate(new DoubleFreeError(what, cell, this.here()));
      else this.free(cell, what);
    }
  }

  /** @internal */
  newHandle(kind: HandleKind, ptr: Ptr): HandleRecord {
    const handle: HandleRecord = { id: this.handleRecords.length, kind, runtime: this, ptr, state: 'live', created: this.here() };
    this.handleRecords.push(handle);
    this.record({ type: 'handle-created', handle: handle.id, kind, address: ptr.address });
    return handle;
  }

  /** @internal Using a consumed handle is a violation; the operation then goes on. */
  use(handle: HandleRecord, what: string): void {
    if (handle.state === 'live') return;
    const Error = { woken: UseAfterWakeError, dropped: UseAfterDropError, moved: UseAfterMoveError }[handle.state];
    this.violate(new Error(what, handle, this.here()));
  }

  /** @internal `mem::forget`: the handle is gone, what it owned is not released. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  forget(handle: HandleRecord, entry: Function): void {
    this.op('mem::forget', entry, () => this.consume(handle, 'moved', 'mem::forget'));
  }

  /** @internal */
  consume(handle: HandleRecord, how: Exclude<HandleState, 'live'>, what: string): void {
    this.use(handle, what);
    if (handle.state !== 'live') return;
    handle.state = how;
    handle.consumed = this.here();
    this.record({ type: 'handle-consumed', handle: handle.id, kind: handle.kind, how });
  }
}

function article(kind: CellKind): string {
  return kind === 'box' ? 'a Box' : 'an Arc';
}

let current = new Runtime();

/** The runtime new handles are created in. */
export function currentRuntime(): Runtime {
  return current;
}

/** Run `body` with `runtime` installed, so its handles live on their own heap. */
export function withRuntime<T>(runtime: Runtime, body: () => T): T {
  const previous = current;
  current = runtime;
  try {
    return body();
  } finally {
    current = previous;
  }
}

/** Install `runtime` until the returned handle is disposed (`using _ = installRuntime(rt)`). */
export function installRuntime(runtime: Runtime): Disposable {
  const previous = current;
  current = runtime;
  return {
    [Symbol.dispose]() {
      current = previous;
    },
  };
}

/** @internal How `drop(x)` and `forget(x)` reach a handle; `entry` is the function the user called. */
export const dropWith: unique symbol = Symbol('dropWith');
/** @internal */
export const forgetWith: unique symbol = Symbol('forgetWith');

/** @internal A value that owns something: `drop` and `forget` accept these. */
export interface Owned {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [dropWith](entry: Function): void;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [forgetWith](entry: Function): void;
}

/** @internal The getter function of `name`, for use as a stack-trace entry. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function getterOf(prototype: object, name: string): Function {
  const getter = Object.getOwnPropertyDescriptor(prototype, name)?.get;
  if (!getter) throw new Error(`no getter ${name}`);
  return getter;
}
