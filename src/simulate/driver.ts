// Runs scenario operations against the user's module. This file is bundled
// together with the user's module and the runtime, and runs inside the worker's
// vm context: everything the simulated code can reach belongs to that context,
// and only JSON strings cross back to the worker.
//
// Locations in the output are positions in the bundle; the worker maps them
// back to the user's sources.

import { RawWaker, Runtime, Waker, WakerError, withRuntime, type EventRef, type TraceEvent } from 'wakerscope/waker';
import { Fingerprinter, type Fingerprint } from './fingerprint';
import { formatOp, formatSequence } from './parse';
import type {
  CellSnapshot,
  EventSummary,
  HandleSnapshot,
  LeakReport,
  Outcome,
  ScenarioOp,
  SlotCall,
  StepEvent,
  StepResult,
  ViolationKind,
  ViolationReport,
} from './types';

/** What the worker asks for: run `ops` from a fresh runtime. */
export interface RunRequest {
  readonly factory: string;
  readonly ops: readonly ScenarioOp[];
  /** `false` for exploration: outcome and first message only, no per-step states. */
  readonly detail: boolean;
  /** Fingerprint the state the run leaves, for the explorer's state reduction (fingerprint.ts). */
  readonly fingerprint?: boolean;
}

/** A slot call whose function the worker locates; `functionId` indexes `slotFunctions()`. */
export interface RawSlotCall extends SlotCall {
  readonly functionId?: number;
}

export interface RawRun {
  readonly sequence: string;
  readonly outcome: Outcome;
  /**
   * Cells were live at the end: whether each is a leak or still reachable from
   * the module's state is known only after a garbage collection, so the worker
   * collects, then asks `settle()` for the run.
   */
  readonly pending?: true;
  /** The first violation's summary or the first error. */
  readonly message?: string;
  readonly steps?: readonly (Omit<StepResult, 'slots'> & { readonly slots: readonly RawSlotCall[] })[];
  readonly violations?: readonly ViolationReport[];
  readonly leaks?: readonly LeakReport[];
  /** When asked for: the state after the run, or why it cannot be fingerprinted. */
  readonly state?: Fingerprint;
  readonly reachable?: readonly LeakReport[];
}

export interface Driver {
  /** An error message when the module lacks the factory, else `undefined`. */
  check(factory: string): string | undefined;
  /** `JSON.stringify(RunRequest)` in, `JSON.stringify(RawRun)` out. */
  run(request: string): string;
  /** After a pending `run` and a garbage collection: the run, its live cells told apart into leaked and reachable. */
  settle(): string;
  /** The source text of the slot function `functionId` (see `RawSlotCall`), for the worker to locate. */
  functionSource(functionId: number): string;
}

type SlotFunction = (...args: never[]) => unknown;

export function createDriver(user: Record<string, unknown>): Driver {
  const functionIds = new Map<SlotFunction, number>();
  const functions: SlotFunction[] = [];
  let unsettled: { readonly run: Unsettled; readonly live: readonly LiveCell[] } | undefined;
  const idOf = (fn: SlotFunction): number => {
    let id = functionIds.get(fn);
    if (id === undefined) {
      id = functions.length;
      functions.push(fn);
      functionIds.set(fn, id);
    }
    return id;
  };

  return {
    check(factory) {
      if (typeof user[factory] === 'function') return undefined;
      const exported = Object.keys(user).filter((name) => typeof user[name] === 'function');
      const known = exported.length ? `it exports ${exported.join(', ')}` : 'it exports no functions';
      return `the module does not export a function '${factory}' (${known})`;
    },
    run(request) {
      const { run, live } = runOps(user, JSON.parse(request) as RunRequest, idOf);
      if (!live) return JSON.stringify(run);
      unsettled = { run, live };
      return JSON.stringify({ sequence: run.sequence, outcome: run.outcome, pending: true } satisfies RawRun);
    },
    settle() {
      if (!unsettled) throw new Error('settle() without a pending run');
      const { run, live } = unsettled;
      unsettled = undefined;
      return JSON.stringify(settle(run, live));
    },
    functionSource(functionId) {
      const fn = functions[functionId];
      return fn ? Function.prototype.toString.call(fn) : '';
    },
  };
}

function runOps(user: Record<string, unknown>, request: RunRequest, idOf: (fn: SlotFunction) => number): { run: Unsettled; live?: readonly LiveCell[] } {
  // Made before the run: it remembers the built-ins and the module's functions as loaded.
  const fingerprinter = request.fingerprint ? new Fingerprinter() : undefined;
  const runtime = new Runtime({ mode: 'record', trace: request.detail });
  const wakers: (Waker | undefined)[] = [];
  // Read while live, as `addresses`: the vtable each scenario waker had.
  const vtables: unknown[] = [];
  // Read while live: reading `data` of a consumed waker is itself a violation.
  const addresses: string[] = [];
  // Slot functions by name, from every vtable a scenario waker had while live.
  const slotFunctionsByName = new Map<string, SlotFunction>();
  const errors: string[] = [];
  const steps: NonNullable<RawRun['steps']>[number][] = [];

  const adopt = (waker: Waker): number => {
    const vtable = waker.vtable;
    for (const slot of ['clone', 'wake', 'wakeByRef', 'drop'] as const) {
      const fn = vtable[slot] as SlotFunction;
      slotFunctionsByName.set(fn.name || `<anonymous ${slot}>`, fn);
    }
    addresses[wakers.length] = waker.data.toString();
    vtables[wakers.length] = vtable;
    wakers.push(waker);
    return wakers.length - 1;
  };

  withRuntime(runtime, () => {
    request.ops.forEach((op, index) => {
      const stepNumber = index + 1;
      const firstEvent = runtime.trace.length;
      const firstViolation = runtime.violations.length;
      let created: number | undefined;
      let error: string | undefined;
      try {
        runtime.runStep(() => {
          created = apply(user, request.factory, op, wakers, adopt);
        });
      } catch (thrown) {
        error = describeThrown(thrown);
        if (op.operation === 'new' || op.operation === 'clone') wakers.push(undefined);
        errors.push(`step ${stepNumber} (${formatOp(op)}): ${error}`);
      }
      if (!request.detail) return;
      const events = runtime.trace.slice(firstEvent);
      steps.push({
        step: stepNumber,
        operation: op.operation,
        ...(op.handle !== undefined ? { handle: op.handle } : {}),
        ...(created !== undefined ? { created } : {}),
        text: formatOp(op),
        slots: events.flatMap((event): RawSlotCall[] => {
          if (event.type !== 'slot-enter') return [];
          const fn = slotFunctionsByName.get(event.function);
          return [{ slot: event.called, function: event.function, ...(fn ? { functionId: idOf(fn) } : {}) }];
        }),
        events: events.flatMap(describeEvent),
        ...(error !== undefined ? { error } : {}),
        violations: runtime.violations.slice(firstViolation).map((_, i) => firstViolation + i),
        handles: wakers.flatMap((waker, id): HandleSnapshot[] =>
          waker ? [{ id, state: runtime.handles()[waker.handleId].state, address: addresses[id] }] : [],
        ),
        cells: runtime.cells().map(
          (cell): CellSnapshot => ({ address: cell.ptr.toString(), kind: cell.kind, count: cell.count, state: cell.state, value: preview(cell.value) }),
        ),
      });
    });
  });

  const violations = runtime.violations.map(reportViolation);
  const leaks = runtime.leaks().map((leak) => ({ address: leak.address, kind: leak.kind, count: leak.count, allocated: summarize(leak.allocated) }));
  const message = violations[0]?.summary ?? errors[0];
  const state = fingerprinter?.fingerprint(runtime, scenarioLiveHandles(request.ops), { wakers, addresses, vtables }, errors.length > 0);
  const run: Unsettled = {
    sequence: formatSequence(request.ops),
    outcome: violations[0]?.kind ?? (errors.length ? 'error' : 'ok'),
    ...(state ? { state } : {}),
    ...(message ? { message } : {}),
    ...(request.detail ? { steps, violations, leaks } : {}),
  };
  // A violation or an error outranks a leak: without the details, nothing more to tell.
  if (leaks.length === 0 || (!request.detail && run.outcome !== 'ok')) return { run };
  const live = runtime.cells().flatMap((cell): LiveCell[] => (cell.state === 'live' ? [{ address: cell.ptr.toString(), pointer: new WeakRef(cell.ptr) }] : []));
  // The run's own references go: the runtime's heap, and (returning) the scenario's wakers.
  runtime.release();
  return { run, live };
}

/** A run whose live cells are not yet told apart. */
type Unsettled = Omit<RawRun, 'leaks' | 'reachable'> & { readonly leaks?: readonly LeakReport[] };

/** A live cell at the end of a run; its pointer object survives a collection only if the module's state still reaches it. */
interface LiveCell {
  readonly address: string;
  readonly pointer: WeakRef<object>;
}

/**
 * As valgrind counts: a live cell nothing reaches any more is a leak ("definitely
 * lost"); one the module's state still holds (a run queue, a map, a global) is
 * reachable ("still reachable"), shown but not a problem.
 */
function settle(run: Unsettled, live: readonly LiveCell[]): RawRun {
  const reachable = new Set(live.filter((cell) => cell.pointer.deref() !== undefined).map((cell) => cell.address));
  const leaked = live.length - reachable.size;
  const outcome: Outcome = run.outcome !== 'ok' ? run.outcome : leaked ? 'leak' : 'reachable';
  if (!run.leaks) return { ...run, outcome };
  return {
    ...run,
    outcome,
    leaks: run.leaks.filter((cell) => !reachable.has(cell.address)),
    reachable: run.leaks.filter((cell) => reachable.has(cell.address)),
  };
}

/** The handles live by the scenario's rules (wake and drop consume, clone adds), in creation order. */
function scenarioLiveHandles(ops: readonly ScenarioOp[]): number[] {
  const live: boolean[] = [];
  for (const op of ops) {
    if (op.operation === 'new' || op.operation === 'clone') live.push(true);
    if (op.operation === 'wake' || op.operation === 'drop') live[op.handle!] = false;
  }
  return live.flatMap((isLive, handle) => (isLive ? [handle] : []));
}

/** Perform one operation; returns the handle it created, if any. */
function apply(
  user: Record<string, unknown>,
  factory: string,
  op: ScenarioOp,
  wakers: readonly (Waker | undefined)[],
  adopt: (waker: Waker) => number,
): number | undefined {
  if (op.operation === 'new') {
    const made = (user[factory] as () => unknown)();
    if (made instanceof Waker) return adopt(made);
    if (made instanceof RawWaker) return adopt(Waker.fromRaw(made));
    throw new TypeError(`the factory '${factory}' returned ${describeValue(made)}, expected a RawWaker or a Waker`);
  }
  const waker = wakers[op.handle!];
  if (!waker) throw new Error(`handle ${op.handle} was never created (the step that should have made it failed)`);
  switch (op.operation) {
    case 'clone':
      return adopt(waker.clone());
    case 'wake':
      waker.wake();
      return undefined;
    case 'wake_by_ref':
      waker.wakeByRef();
      return undefined;
    case 'drop':
      waker.drop();
      return undefined;
  }
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  return `threw ${describeValue(thrown)}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${preview(value)})`;
  return `${typeof value} ${preview(value)}`;
}

/** A short preview that never calls user code (no toString, no getters). */
function preview(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 24 ? value.slice(0, 23) + '…' : value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
    case 'symbol':
      return String(value);
    case 'function':
      return `function ${value.name}`;
    default: {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `array(${value.length})`;
      const constructor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(value) ?? {}, 'constructor')?.value as { name?: unknown } | undefined;
      return typeof constructor?.name === 'string' && constructor.name ? constructor.name : 'object';
    }
  }
}

function summarize(ref: EventRef): EventSummary {
  return {
    step: ref.step,
    operation: ref.operation,
    ...(ref.slot ? { slot: ref.slot } : {}),
    ...(ref.slotFunction ? { function: ref.slotFunction } : {}),
    ...(ref.location ? { location: { file: ref.location.file, line: ref.location.line, column: ref.location.column } } : {}),
  };
}

function by(ref: EventSummary): string {
  return `\`${ref.function ?? ref.operation}\``;
}

const EARLIER_VERB: Record<ViolationKind, string> = {
  'double-free': 'freed',
  'use-after-free': 'freed',
  'use-after-wake': 'woken',
  'use-after-drop': 'dropped',
  'use-after-move': 'moved',
};

function reportViolation(error: WakerError): ViolationReport {
  const kind = error.kind as ViolationKind;
  const detail = error as WakerError & { freed?: EventRef; consumed?: EventRef };
  const earlierRef = detail.freed ?? detail.consumed;
  const at = summarize(error.at);
  const earlier = earlierRef ? summarize(earlierRef) : undefined;
  const now = kind === 'double-free' ? 'freed again' : 'used';
  // Wakers are consumed by the scenario's own operation, so "by `Waker::wake`" would add nothing.
  const earlierBy = earlier && (earlier.function || kind === 'double-free' || kind === 'use-after-free') ? ` by ${by(earlier)}` : '';
  const summary = earlier
    ? `${EARLIER_VERB[kind]} at step ${earlier.step}${earlierBy}, ${now} at step ${at.step} by ${by(at)}`
    : `${kind} at step ${at.step} by ${by(at)}`;
  return {
    kind,
    message: error.message,
    summary,
    step: at.step,
    ...(error.address ? { address: error.address } : {}),
    at,
    ...(earlier ? { earlier } : {}),
  };
}

function describeEvent(event: TraceEvent): StepEvent[] {
  const inFunction = event.slotFunction ? ` in \`${event.slotFunction}\`` : '';
  const location = event.location ? { location: { file: event.location.file, line: event.location.line, column: event.location.column } } : {};
  const name = (kind: string) => (kind === 'box' ? 'Box' : 'Arc');
  switch (event.type) {
    case 'slot-enter':
      return [{ type: 'slot', text: `calls \`${event.function}\` (vtable ${event.called})` }];
    case 'alloc':
      return [{ type: 'alloc', text: `allocates ${name(event.kind)} 0x${event.address.toString(16)}${inFunction}`, ...location }];
    case 'free':
      return [{ type: 'free', text: `frees ${name(event.kind)} 0x${event.address.toString(16)}${inFunction}`, ...location }];
    case 'count':
      return [{ type: 'count', text: `Arc 0x${event.address.toString(16)} count ${event.from} → ${event.to}${inFunction}`, ...location }];
    case 'violation':
      return [{ type: 'violation', text: event.error.message.split('\n')[0], ...location }];
    default:
      return [];
  }
}
