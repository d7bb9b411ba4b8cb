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
//
// `--all` lists every sequence's outcome, and shares runs the same way
// (`everySequence`): a sequence whose prefix reached a state seen before takes
// its last step's outcome from the run that took that step first. Its output
// is plain enumeration's, line for line; `exploreEverySequenceRun` is plain
// enumeration itself, which the tests compare it with.

import type { RunRequest } from './driver';
import { DEFAULT_DEPTH, SimulationError, Simulator, type SimulatorOptions } from './engine';
import { formatSequence } from './parse';
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
  /** Include every sequence and its outcome (in enumeration order, as running each would give). */
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
  const depth = checkedDepth(options);
  return withSimulator(modulePath, factory, options, async (simulator, progress) => {
    if (options.all) {
      const every = await everySequence(simulator, depth, options.onLevel, progress);
      const exploration = 'opaque' in every ? await enumerate(simulator, depth, /*all*/ true, progress) : every;
      return { ...exploration, reduction: { kind: 'none', reason: 'every sequence was asked for' } };
    }
    const reduced = await breadthFirst(simulator, depth, options.onLevel, progress);
    if (!('opaque' in reduced)) return reduced;
    const fallback = plainFallback(depth, reduced.opaque);
    return { ...(await enumerate(simulator, fallback.depth, /*all*/ false, progress)), reduction: { kind: 'none', reason: fallback.reason } };
  });
}

/**
 * What `explore` with `all` answers, by running every sequence and sharing
 * nothing: the reference the explorer's reductions are tested and measured
 * against (test/simulate-explore.test.ts, bench/).
 */
export async function exploreEverySequenceRun(modulePath: string, factory: string, options: Omit<ExploreOptions, 'all'> = {}): Promise<Exploration> {
  const depth = checkedDepth({ ...options, all: true });
  return withSimulator(modulePath, factory, options, async (simulator, progress) => ({
    ...(await enumerate(simulator, depth, /*all*/ true, progress)),
    reduction: { kind: 'none', reason: 'every sequence was asked for' },
  }));
}

function checkedDepth(options: ExploreOptions): number {
  const depth = options.depth ?? DEFAULT_DEPTH;
  const limit = options.all ? MAX_PLAIN_DEPTH : MAX_DEPTH;
  if (!Number.isInteger(depth) || depth < 0 || depth > limit) {
    throw new SimulationError(
      options.all
        ? `depth ${depth}: with every sequence listed the depth is 0–${MAX_PLAIN_DEPTH} (each level has about ten times as many sequences: depth 7 would be over half a million)`
        : `depth ${depth}: the depth is 0–${MAX_DEPTH}`,
    );
  }
  return depth;
}

/** Open a simulator for `search`, cancellable through `options.signal`, and close it after. */
async function withSimulator(
  modulePath: string,
  factory: string,
  options: ExploreOptions,
  search: (simulator: Simulator, progress: Progress) => Promise<Exploration>,
): Promise<Exploration> {
  const simulator = await Simulator.open(modulePath, factory, options);
  // Cancelling terminates the worker, which ends the batch at once.
  const cancel = () => void simulator.close();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (options.signal?.aborted) throw new ExplorationCancelled();
    return await search(simulator, new Progress(options.onProgress));
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

/**
 * `--all`: every sequence's outcome, as plain enumeration gives it, running
 * each distinct step once. A step is a state (the fingerprint of what a prefix
 * left, with its first violation if it has one: that fixes the outcome of
 * every continuation) and an operation on one of its live handles, numbered in
 * creation order as the fingerprint numbers them. Sequences are decided level
 * by level in enumeration order; the first to take a step runs it, and every
 * later sequence taking the same step gets its outcome and next state, which
 * is exact for the reason breadth-first search is: equal fingerprints behave
 * alike under every continuation, up to renaming handles. A run with no
 * fingerprint (a limit stopped it) is a state of its own, shared only by the
 * sequences that reached it by the same step. Messages name steps, so they
 * are never shared: the shortest sequence per outcome is run for its own.
 * `opaque` when the module keeps state the fingerprint cannot read.
 */
async function everySequence(
  simulator: Simulator,
  depth: number,
  onLevel: ExploreOptions['onLevel'],
  progress: Progress,
): Promise<Exploration | { readonly opaque: string }> {
  const total = enumerateSequences(depth).length;
  progress.expect(total, /*fresh*/ true);
  type Step = { readonly outcome: Outcome; readonly next: string; readonly sequence: string; readonly message?: string };
  const steps = new Map<string, Step>();
  const states = new Set<string>();
  const every: ExploredSequence[] = [];
  const first = new Map<Outcome, { readonly ops: readonly ScenarioOp[]; readonly length: number; readonly ran?: Step }>();
  let runs = 0;
  // Each sequence of the level with the state before its last operation; the root's single step is `new`.
  let level: { readonly sequence: Sequence; readonly step: string }[] = [{ sequence: START, step: 'new' }];
  for (let length = 0; length <= depth; length++) {
    const last = length === depth;
    const requests: RunRequest[] = [];
    const firstTakers = new Map<string, number>();
    for (const { sequence, step } of level) {
      if (steps.has(step) || firstTakers.has(step)) continue;
      firstTakers.set(step, requests.length);
      requests.push({ factory: simulator.factory, ops: sequence.ops, detail: false, fingerprint: !last });
    }
    const results = await simulator.runAll(requests);
    runs += results.length;
    for (const [step, index] of firstTakers) {
      const run = results[index];
      if (run.state && 'opaque' in run.state) return { opaque: run.state.opaque };
      const next = run.state ? (VIOLATIONS.has(run.outcome) ? `${run.outcome}|${run.state.key}` : run.state.key) : `unfingerprinted after ${step}`;
      steps.set(step, { outcome: run.outcome, next, sequence: run.sequence, ...(run.message ? { message: run.message } : {}) });
      if (run.state) states.add(next);
    }
    const nextLevel: typeof level = [];
    for (const { sequence, step } of level) {
      const taken = steps.get(step)!;
      const { outcome, next } = taken;
      const text = formatSequence(sequence.ops);
      every.push({ sequence: text, outcome });
      if (!first.has(outcome)) first.set(outcome, { ops: sequence.ops, length, ...(taken.sequence === text ? { ran: taken } : {}) });
      progress.ran();
      if (last) continue;
      for (const extended of extensions(sequence)) {
        const { operation, handle } = extended.ops.at(-1)!;
        // The handle as the fingerprint numbers it: its place among the live ones.
        const position = sequence.live.slice(0, handle).filter(Boolean).length;
        nextLevel.push({ sequence: extended, step: `${next}#${position}:${operation}` });
      }
    }
    onLevel?.({ length, depth, explored: runs, states: states.size });
    level = nextLevel;
  }
  // The shortest sequence of each outcome that took its last step second-hand runs for its message.
  const unrun = [...first.values()].filter((entry) => !entry.ran);
  const messages = await simulator.runAll(unrun.map((entry) => ({ factory: simulator.factory, ops: entry.ops, detail: false })));
  const shortest = new Shortest();
  for (const [outcome, entry] of first) {
    const run = entry.ran ?? messages[unrun.indexOf(entry)];
    shortest.note(outcome, formatSequence(entry.ops), entry.length, run.message);
  }
  return { module: simulator.modulePath, factory: simulator.factory, depth, explored: total, outcomes: shortest.outcomes(), all: every };
}
