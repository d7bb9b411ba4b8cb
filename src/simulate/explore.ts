// The exhaustive explorer: every sequence of waker operations to a depth, run
// through one Simulator, keeping the shortest sequence per outcome.
//
// Shortest-per-outcome mode searches breadth-first and runs each distinct state
// once: a prefix whose fingerprint (fingerprint.ts) equals an earlier one's is
// not extended, nor is one that has already violated (its first violation, and
// so its outcome, is fixed). Why the result is exactly plain enumeration's:
// if `p + s` is the first sequence in enumeration order to reach an outcome,
// and a prefix `p` of it was dropped for an equal earlier `q`, then `q + s'`
// (`s` with handles renamed) reaches the same outcome and comes earlier,
// a contradiction; so no first sequence is ever dropped, and each outcome's
// sequence, length and message are the ones plain enumeration reports. When a
// fingerprint is `opaque` (the module keeps state the explorer cannot read),
// it falls back to plain enumeration and says why.

import { DEFAULT_DEPTH, SimulationError, Simulator, type SimulatorOptions } from './engine';
import type { Exploration, ExploredOutcome, ExploredSequence, Outcome, ScenarioOp } from './types';
import { VIOLATION_KINDS } from './types';

const EXPLORED_OPERATIONS = ['clone', 'wake', 'wake_by_ref', 'drop'] as const;

/** Shortest-per-outcome mode, which runs each distinct state once. */
export const MAX_DEPTH = 12;
/**
 * `--all` lists every sequence, and plain enumeration runs every one: about
 * tenfold per level (depth 6 is 54,641 sequences, 7 over half a million).
 */
export const MAX_PLAIN_DEPTH = 6;

/** A sequence, and which of its handles are live by the scenario's rules (wake and drop consume, clone adds). */
interface Sequence {
  readonly ops: ScenarioOp[];
  readonly live: readonly boolean[];
}

const START: Sequence = { ops: [{ operation: 'new' }], live: [true] };

/** Every one-operation extension of `sequence`, in enumeration order. */
function extensions(sequence: Sequence): Sequence[] {
  const next: Sequence[] = [];
  sequence.live.forEach((isLive, handle) => {
    if (!isLive) return;
    for (const operation of EXPLORED_OPERATIONS) {
      const live = [...sequence.live];
      if (operation === 'clone') live.push(true);
      if (operation === 'wake' || operation === 'drop') live[handle] = false;
      next.push({ ops: [...sequence.ops, { operation, handle }], live });
    }
  });
  return next;
}

/**
 * Every sequence from one `new` applying clone / wake / wake_by_ref / drop to a
 * live handle, with at most `depth` operations after `new`, shortest first.
 */
export function enumerateSequences(depth: number): ScenarioOp[][] {
  if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`depth must be a whole number ≥ 0, got ${depth}`);
  let level: Sequence[] = [START];
  const all: ScenarioOp[][] = [START.ops];
  for (let length = 1; length <= depth; length++) {
    level = level.flatMap(extensions);
    for (const sequence of level) all.push(sequence.ops);
  }
  return all;
}

const OUTCOME_RANK: readonly Outcome[] = [...VIOLATION_KINDS, 'timeout', 'out-of-memory', 'error', 'leak', 'reachable', 'ok'];

export interface ExploreProgress {
  /** The level just finished: operations after `new`. */
  readonly length: number;
  readonly depth: number;
  /** Sequences run so far. */
  readonly explored: number;
  /** Distinct states found so far. */
  readonly states: number;
}

export interface ExploreOptions extends SimulatorOptions {
  /** Operations after `new`; default 4. */
  readonly depth?: number;
  /** Include every sequence and its outcome (plain enumeration). */
  readonly all?: boolean;
  /** After each level of the breadth-first search (the CLI's progress line). */
  readonly onLevel?: (progress: ExploreProgress) => void;
  /**
   * After each run: how many sequences are done of the `total` known so far
   * (all of them up front when every sequence runs; level by level when
   * breadth first), for a progress bar.
   */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborting stops the run (its worker is terminated); `explore` then rejects with `ExplorationCancelled`. */
  readonly signal?: AbortSignal;
}

export class ExplorationCancelled extends Error {
  constructor() {
    super('the exploration was cancelled');
    this.name = 'ExplorationCancelled';
  }
}

/** Run sequences to `depth` and keep, per outcome, the shortest that reaches it. */
export async function explore(modulePath: string, factory: string, options: ExploreOptions = {}): Promise<Exploration> {
  const depth = options.depth ?? DEFAULT_DEPTH;
  const limit = options.all ? MAX_PLAIN_DEPTH : MAX_DEPTH;
  if (!Number.isInteger(depth) || depth < 0 || depth > limit) {
    throw new SimulationError(
      options.all
        ? `depth ${depth}: with every sequence listed the depth is 0–${MAX_PLAIN_DEPTH} (each level has about ten times as many sequences: depth 7 would be over half a million)`
        : `depth ${depth}: the depth is 0–${MAX_DEPTH}`,
    );
  }
  const simulator = await Simulator.open(modulePath, factory, options);
  // Cancelling terminates the worker, which ends the batch at once.
  const cancel = () => void simulator.close();
  options.signal?.addEventListener('abort', cancel, { once: true });
  const progress = new Progress(options.onProgress);
  try {
    if (options.signal?.aborted) throw new ExplorationCancelled();
    if (options.all) return { ...(await enumerate(simulator, depth, /*all*/ true, progress)), reduction: { kind: 'none', reason: 'every sequence was asked for' } };
    const reduced = await breadthFirst(simulator, depth, options.onLevel, progress);
    if (!('opaque' in reduced)) return reduced;
    const fallback = plainFallback(depth, reduced.opaque);
    return { ...(await enumerate(simulator, fallback.depth, /*all*/ false, progress)), reduction: { kind: 'none', reason: fallback.reason } };
  } catch (error) {
    throw options.signal?.aborted ? new ExplorationCancelled() : error;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    await simulator.close();
  }
}

/** Counts runs for `onProgress`; the total grows as the search learns what it will run. */
class Progress {
  private done = 0;
  private total = 0;

  constructor(private readonly report: ExploreOptions['onProgress']) {}

  /** `count` more runs are coming; a fallback to plain enumeration counts afresh. */
  expect(count: number, fresh: boolean): void {
    if (fresh) this.done = this.total = 0;
    this.total += count;
  }

  ran(): void {
    this.report?.(++this.done, this.total);
  }
}

/** Without state reduction every sequence runs: the depth is capped as for --all, and the reason says so. */
export function plainFallback(depth: number, opaque: string): { readonly depth: number; readonly reason: string } {
  if (depth <= MAX_PLAIN_DEPTH) return { depth, reason: opaque };
  return { depth: MAX_PLAIN_DEPTH, reason: `${opaque}; without state reduction the depth is capped at ${MAX_PLAIN_DEPTH}` };
}

/** Keeps the first (shortest) sequence seen per outcome. */
class Shortest {
  private readonly byOutcome = new Map<Outcome, ExploredOutcome>();

  note(outcome: Outcome, sequence: string, length: number, message: string | undefined): void {
    if (!this.byOutcome.has(outcome)) this.byOutcome.set(outcome, { outcome, sequence, length, ...(message ? { message } : {}) });
  }

  outcomes(): ExploredOutcome[] {
    return [...this.byOutcome.values()].sort((a, b) => OUTCOME_RANK.indexOf(a.outcome) - OUTCOME_RANK.indexOf(b.outcome));
  }
}

/** Plain enumeration: every sequence, shortest first. */
async function enumerate(simulator: Simulator, depth: number, all: boolean, progress: Progress): Promise<Exploration> {
  const sequences = enumerateSequences(depth);
  progress.expect(sequences.length, /*fresh*/ true);
  const shortest = new Shortest();
  const every: ExploredSequence[] = [];
  await simulator.runAll(
    sequences.map((ops) => ({ factory: simulator.factory, ops, detail: false })),
    (index, run) => {
      if (all) every.push({ sequence: run.sequence, outcome: run.outcome });
      // Sequences arrive shortest first, so the first of each outcome is a shortest one.
      shortest.note(run.outcome, run.sequence, sequences[index].length - 1, run.message);
      progress.ran();
    },
  );
  return { module: simulator.modulePath, factory: simulator.factory, depth, explored: sequences.length, outcomes: shortest.outcomes(), ...(all ? { all: every } : {}) };
}

const VIOLATIONS: ReadonlySet<Outcome> = new Set(VIOLATION_KINDS);

/** Breadth-first over distinct states; `opaque` when a state cannot be fingerprinted. */
async function breadthFirst(simulator: Simulator, depth: number, onLevel: ExploreOptions['onLevel'], progress: Progress): Promise<Exploration | { readonly opaque: string }> {
  const shortest = new Shortest();
  const seen = new Set<string>();
  let level: Sequence[] = [START];
  let explored = 0;
  for (let length = 0; level.length > 0; length++) {
    const last = length === depth;
    progress.expect(level.length, /*fresh*/ false);
    const runs = await simulator.runAll(
      level.map((sequence) => ({ factory: simulator.factory, ops: sequence.ops, detail: false, fingerprint: !last })),
      () => progress.ran(),
    );
    explored += runs.length;
    const kept: Sequence[] = [];
    for (const [index, run] of runs.entries()) {
      shortest.note(run.outcome, run.sequence, length, run.message);
      if (last || VIOLATIONS.has(run.outcome)) continue;
      const state = run.state;
      if (!state) throw new Error(`the simulator returned no fingerprint for \`${run.sequence}\``);
      if ('opaque' in state) return { opaque: state.opaque };
      if (seen.has(state.key)) continue;
      seen.add(state.key);
      kept.push(level[index]);
    }
    onLevel?.({ length, depth, explored, states: seen.size });
    level = last ? [] : kept.flatMap(extensions);
  }
  return {
    module: simulator.modulePath,
    factory: simulator.factory,
    depth,
    explored,
    outcomes: shortest.outcomes(),
    reduction: { kind: 'states', states: seen.size },
  };
}
