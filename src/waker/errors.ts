// One error class per violation kind, each message in the style of valgrind's
// "Invalid free": the operation, the address, and where the cell was made and freed.

import type { Cell, EventRef, HandleRecord } from './runtime';

export function formatAddress(address: number): string {
  return '0x' + address.toString(16);
}

export type ViolationKind = 'double-free' | 'use-after-free' | 'use-after-wake' | 'use-after-drop' | 'use-after-move' | 'leak';

/** "step 3: Box::drop in `wake` (myWake), file.ts:17:3" */
export function describeRef(ref: EventRef): string {
  const slot = ref.slot ? ` in \`${ref.slot}\` (${ref.slotFunction})` : '';
  const where = ref.location ? `, ${ref.location.file}:${ref.location.line}:${ref.location.column}` : '';
  return `step ${ref.step}: ${ref.operation}${slot}${where}`;
}

export abstract class WakerError extends Error {
  abstract readonly kind: ViolationKind;
  /** Where the violating operation happened. */
  readonly at: EventRef;
  readonly address?: string;
  /** The operation that violated, e.g. `Box::drop`. */
  readonly operation: string;

  protected constructor(operation: string, at: EventRef, address: number | undefined, message: string) {
    super(message);
    this.operation = operation;
    this.at = at;
    if (address !== undefined) this.address = formatAddress(address);
  }
  override get name(): string {
    return this.constructor.name;
  }
}

abstract class HeapError extends WakerError {
  readonly allocated: EventRef;
  readonly freed?: EventRef;
  constructor(headline: string, operation: string, cell: Cell, at: EventRef) {
    const lines = [
      `${headline} of ${cell.kind === 'box' ? 'Box' : 'Arc'} ${formatAddress(cell.address)} at ${describeRef(at)}`,
      `  allocated at ${describeRef(cell.allocated)}`,
      ...(cell.freed ? [`  freed at ${describeRef(cell.freed)}`] : []),
    ];
    super(operation, at, cell.address, lines.join('\n'));
    this.allocated = cell.allocated;
    this.freed = cell.freed;
  }
}

export class DoubleFreeError extends HeapError {
  readonly kind = 'double-free';
  constructor(operation: string, cell: Cell, at: EventRef) {
    super('double free', operation, cell, at);
  }
}

export class UseAfterFreeError extends HeapError {
  readonly kind = 'use-after-free';
  constructor(operation: string, cell: Cell, at: EventRef) {
    super('use after free', operation, cell, at);
  }
}

abstract class HandleError extends WakerError {
  readonly created: EventRef;
  readonly consumed?: EventRef;
  constructor(headline: string, consumedHow: string, operation: string, handle: HandleRecord, at: EventRef) {
    const name = handleName(handle);
    const lines = [
      `${headline} of ${name} (data ${formatAddress(handle.ptr.address)}) at ${describeRef(at)}`,
      `  created at ${describeRef(handle.created)}`,
      ...(handle.consumed ? [`  ${consumedHow} at ${describeRef(handle.consumed)}`] : []),
    ];
    super(operation, at, handle.ptr.address, lines.join('\n'));
    this.created = handle.created;
    this.consumed = handle.consumed;
  }
}

export class UseAfterWakeError extends HandleError {
  readonly kind = 'use-after-wake';
  constructor(operation: string, handle: HandleRecord, at: EventRef) {
    super('use after wake', 'woken', operation, handle, at);
  }
}

export class UseAfterDropError extends HandleError {
  readonly kind = 'use-after-drop';
  constructor(operation: string, handle: HandleRecord, at: EventRef) {
    super('use after drop', 'dropped', operation, handle, at);
  }
}

export class UseAfterMoveError extends HandleError {
  readonly kind = 'use-after-move';
  constructor(operation: string, handle: HandleRecord, at: EventRef) {
    super('use after move', 'moved', operation, handle, at);
  }
}

/** Thrown by `assertNoLeaks` when allocations outlive a run. */
export class LeakError extends WakerError {
  readonly kind = 'leak';
  readonly leaks: readonly { address: string; allocated: EventRef }[];
  constructor(leaks: readonly { address: string; kind: string; allocated: EventRef }[], at: EventRef) {
    const lines = [
      `leak: ${leaks.length} allocation${leaks.length === 1 ? '' : 's'} still live`,
      ...leaks.map((leak) => `  ${leak.kind} ${leak.address} allocated at ${describeRef(leak.allocated)}`),
    ];
    super('end of run', at, undefined, lines.join('\n'));
    this.leaks = leaks;
  }
}

function handleName(handle: HandleRecord): string {
  const kind = { box: 'Box', arc: 'Arc', 'raw-waker': 'RawWaker', waker: 'Waker' }[handle.kind];
  return `${kind} #${handle.id}`;
}
