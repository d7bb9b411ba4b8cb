// The simulator's JSON vocabulary: what a run and an exploration yield. The CLI
// prints these, the extension forwards them to the webview, and the webview
// draws them, so every type here is plain data (no classes, no cycles).

export const OPERATIONS = ['new', 'clone', 'wake', 'wake_by_ref', 'drop'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const VIOLATION_KINDS = ['double-free', 'use-after-free', 'use-after-wake', 'use-after-drop', 'use-after-move'] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/**
 * What `expect` may name. A run's outcome is one of these; or `error` when the
 * simulated code threw; or `timeout` / `out-of-memory` when a limit stopped it
 * (a scenario may expect `timeout`).
 * `leak`: a cell nothing reaches any more; `reachable`: cells still held at the
 * end by the module's state (a queue, a map, a global), as valgrind's "still reachable".
 */
export const EXPECTABLE_OUTCOMES = ['ok', 'leak', 'reachable', 'timeout', ...VIOLATION_KINDS] as const;
export type ExpectableOutcome = (typeof EXPECTABLE_OUTCOMES)[number];
export type Outcome = ExpectableOutcome | 'error' | 'out-of-memory';

/** A violation, an exception or a stopped run: what front ends flag (`ok`, `leak` and `reachable` are not). */
export function isProblemOutcome(outcome: Outcome): boolean {
  return outcome !== 'ok' && outcome !== 'leak' && outcome !== 'reachable';
}

/** One scenario line: `clone 0`. `line` is the 1-based scenario line, when there is a file. */
export interface ScenarioOp {
  readonly operation: Operation;
  /** The handle operated on; absent for `new`. */
  readonly handle?: number;
  readonly line?: number;
}

export interface Scenario {
  /** The scenario file, as given to `parseScenario`. */
  readonly fileName: string;
  /** The module as written in `use "…"`, relative to the scenario file. */
  readonly module: string;
  /** Where the module path is written (1-based), for errors about it. */
  readonly moduleLocation?: { readonly line: number; readonly column: number };
  readonly factory: string;
  readonly ops: readonly ScenarioOp[];
  readonly expect?: ExpectableOutcome;
}

/** A malformed line: 1-based line and column, `endColumn` exclusive. */
export interface ParseError {
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  readonly message: string;
}

/** A place in a source file; line and column are 1-based. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** `file:line:column` (1-based), how every message and report names a place. */
export function formatLocation({ file, line, column }: Location): string {
  return `${file}:${line}:${column}`;
}

export type SlotName = 'clone' | 'wake' | 'wakeByRef' | 'drop';

/** A vtable slot a step called, and where its function is defined. */
export interface SlotCall {
  readonly slot: SlotName;
  readonly function: string;
  readonly location?: Location;
}

/** When and by whom something happened: "step 3, `myWake` (wake)". */
export interface EventSummary {
  readonly step: number;
  /** The library operation, e.g. `Box::drop`. */
  readonly operation: string;
  readonly slot?: SlotName;
  /** The slot function it ran in, e.g. `myWake`. */
  readonly function?: string;
  readonly location?: Location;
}

export type StepEventType = 'alloc' | 'free' | 'count' | 'slot' | 'violation';

/** Something notable inside a step, already phrased for people. */
export interface StepEvent {
  readonly type: StepEventType;
  readonly text: string;
  readonly location?: Location;
}

export type WakerState = 'live' | 'woken' | 'dropped' | 'moved';

/** A scenario waker (handle N in the scenario) after a step. */
export interface HandleSnapshot {
  readonly id: number;
  readonly state: WakerState;
  /** The data pointer, `0x1000`. */
  readonly address: string;
}

export interface CellSnapshot {
  readonly address: string;
  readonly kind: 'box' | 'arc';
  /** Arc strong count; 1 for a live Box. */
  readonly count: number;
  readonly state: 'live' | 'freed';
  /** A short, side-effect-free preview of the value: `42`, `Task`. */
  readonly value: string;
}

export interface StepResult {
  /** 1-based, as the runtime numbers steps. */
  readonly step: number;
  readonly operation: Operation;
  readonly handle?: number;
  /** The handle a `new` or `clone` created. */
  readonly created?: number;
  /** The step in scenario notation: `clone 0`. */
  readonly text: string;
  /** Where the step is written, when it came from a scenario file. */
  readonly location?: Location;
  readonly slots: readonly SlotCall[];
  readonly events: readonly StepEvent[];
  /** An exception the simulated code threw during this step; the run carries on. */
  readonly error?: string;
  /** Indexes into the run's `violations` of those raised in this step. */
  readonly violations: readonly number[];
  readonly handles: readonly HandleSnapshot[];
  readonly cells: readonly CellSnapshot[];
}

export interface ViolationReport {
  readonly kind: ViolationKind;
  /** The runtime's full, multi-line message. */
  readonly message: string;
  /** One line: "freed at step 3 by `myWake`, freed again at step 4 by `myDrop`". */
  readonly summary: string;
  readonly step: number;
  readonly address?: string;
  /** The violating event. */
  readonly at: EventSummary;
  /** The earlier event it conflicts with: the first free, the wake, the drop or the move. */
  readonly earlier?: EventSummary;
}

export interface LeakReport {
  readonly address: string;
  readonly kind: 'box' | 'arc';
  readonly count: number;
  readonly allocated: EventSummary;
}

export interface SimulationRun {
  /** Absolute path of the simulated module. */
  readonly module: string;
  readonly factory: string;
  /** The scenario file, when the run came from one. */
  readonly scenarioFile?: string;
  /** The whole run in scenario notation: `new; clone 0; wake 0; drop 1`. */
  readonly sequence: string;
  readonly steps: readonly StepResult[];
  readonly violations: readonly ViolationReport[];
  /** Cells live at the end that nothing reaches any more. */
  readonly leaks: readonly LeakReport[];
  /** Cells live at the end that the module's state still holds (absent: none). */
  readonly reachable?: readonly LeakReport[];
  /**
   * The first violation's kind, else `error` if a step threw, else `leak` if a
   * live cell is unreachable, else `reachable` if the module still holds one,
   * else `ok`; `timeout` / `out-of-memory` when a limit stopped the run.
   */
  readonly outcome: Outcome;
  /** Why a limit stopped the run, one line (its steps are then unknown). */
  readonly stopped?: string;
  readonly expect?: ExpectableOutcome;
}

export interface ExploredOutcome {
  readonly outcome: Outcome;
  /** The shortest sequence reaching it (the first in breadth-first order). */
  readonly sequence: string;
  /** Operations after `new`. */
  readonly length: number;
  /** The first violation's summary, or the error, for that sequence. */
  readonly message?: string;
}

export interface ExploredSequence {
  readonly sequence: string;
  readonly outcome: Outcome;
}

export interface Exploration {
  readonly module: string;
  readonly factory: string;
  /** Maximum operations after `new`. */
  readonly depth: number;
  /** How many sequences were run; with `all`, how many have an outcome (equivalent ones share a run). */
  readonly explored: number;
  /**
   * How the search was cut: `states` ran each distinct state once (breadth
   * first, exact for the shortest sequence per outcome); `none` ran every
   * sequence, and says why.
   */
  readonly reduction?: { readonly kind: 'states'; readonly states: number } | { readonly kind: 'none'; readonly reason: string };
  /** One entry per outcome reached, `ok` and `leak` last. */
  readonly outcomes: readonly ExploredOutcome[];
  /** Every sequence, in breadth-first order, when asked for. */
  readonly all?: readonly ExploredSequence[];
}
