// The exhaustive explorer: every sequence of waker operations to a depth, run
// through one Simulator, keeping the shortest sequence per outcome.

import { DEFAULT_DEPTH, Simulator, type SimulatorOptions } from './engine';
import type { Exploration, ExploredOutcome, ExploredSequence, Outcome, ScenarioOp } from './types';
import { VIOLATION_KINDS } from './types';

const EXPLORED_OPERATIONS = ['clone', 'wake', 'wake_by_ref', 'drop'] as const;

/**
 * Every sequence from one `new` applying clone / wake / wake_by_ref / drop to a
 * live handle, with at most `depth` operations after `new`, shortest first.
 * Liveness follows the scenario alone: wake and drop consume, clone adds.
 */
export function enumerateSequences(depth: number): ScenarioOp[][] {
  if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`depth must be a whole number ≥ 0, got ${depth}`);
  type Node = { ops: ScenarioOp[]; live: boolean[] };
  let level: Node[] = [{ ops: [{ operation: 'new' }], live: [true] }];
  const all: ScenarioOp[][] = [level[0].ops];
  for (let length = 1; length <= depth; length++) {
    const next: Node[] = [];
    for (const node of level) {
      node.live.forEach((isLive, handle) => {
        if (!isLive) return;
        for (const operation of EXPLORED_OPERATIONS) {
          const live = [...node.live];
          if (operation === 'clone') live.push(true);
          if (operation === 'wake' || operation === 'drop') live[handle] = false;
          next.push({ ops: [...node.ops, { operation, handle }], live });
        }
      });
    }
    for (const node of next) all.push(node.ops);
    level = next;
  }
  return all;
}

const OUTCOME_RANK: readonly Outcome[] = [...VIOLATION_KINDS, 'timeout', 'out-of-memory', 'error', 'leak', 'reachable', 'ok'];

export interface ExploreOptions extends SimulatorOptions {
  /** Operations after `new`; default 4. */
  readonly depth?: number;
  /** Include every sequence and its outcome. */
  readonly all?: boolean;
  /** After each run: how many of the `total` sequences (known up front) are done, for a progress bar. */
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

/** Run every sequence to `depth` and keep, per outcome, the shortest that reaches it. */
export async function explore(modulePath: string, factory: string, options: ExploreOptions = {}): Promise<Exploration> {
  const depth = options.depth ?? DEFAULT_DEPTH;
  const sequences = enumerateSequences(depth);
  const simulator = await Simulator.open(modulePath, factory, options);
  const shortest = new Map<Outcome, ExploredOutcome>();
  const all: ExploredSequence[] = [];
  // Cancelling terminates the worker, which ends the batch at once.
  const cancel = () => void simulator.close();
  options.signal?.addEventListener('abort', cancel, { once: true });
  let done = 0;
  try {
    if (options.signal?.aborted) throw new ExplorationCancelled();
    await simulator.runAll(
      sequences.map((ops) => ({ factory, ops, detail: false })),
      (index, run) => {
        if (options.all) all.push({ sequence: run.sequence, outcome: run.outcome });
        // Sequences arrive shortest first, so the first of each outcome is a shortest one.
        if (!shortest.has(run.outcome)) {
          shortest.set(run.outcome, { outcome: run.outcome, sequence: run.sequence, length: sequences[index].length - 1, ...(run.message ? { message: run.message } : {}) });
        }
        options.onProgress?.(++done, sequences.length);
      },
    );
  } catch (error) {
    throw options.signal?.aborted ? new ExplorationCancelled() : error;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    await simulator.close();
  }
  const outcomes = [...shortest.values()].sort((a, b) => OUTCOME_RANK.indexOf(a.outcome) - OUTCOME_RANK.indexOf(b.outcome));
  return { module: simulator.modulePath, factory, depth, explored: sequences.length, outcomes, ...(options.all ? { all } : {}) };
}
