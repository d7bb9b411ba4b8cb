// The realistic corpus (test/corpus/programs): ports of Rust async primitives,
// clean and buggy, each with a `drive()` that runs its scenario. Markers use the
// fixture format (test/analysis/fixture-runner.ts) and state what the analyzer
// must report; run.test.ts proves each marker by running the driver.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExpectations, type Expectation } from '../analysis/fixture-runner';

export const PROGRAMS_DIR = join(__dirname, 'programs');

export interface CorpusProgram {
  /** File name inside programs/, e.g. `oneshot.ts`. */
  readonly name: string;
  readonly path: string;
  readonly text: string;
  readonly expectations: readonly Expectation[];
}

export function corpusPrograms(): CorpusProgram[] {
  return readdirSync(PROGRAMS_DIR)
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => {
      const path = join(PROGRAMS_DIR, name);
      const text = readFileSync(path, 'utf8');
      return { name, path, text, expectations: parseExpectations(name, text) };
    });
}

/**
 * What a run shows: the runtime's violation kinds, `leak` when allocations
 * outlive the run, `stall` when the driver reports a future that nothing woke.
 */
export type Observation = 'double-free' | 'use-after-free' | 'use-after-wake' | 'use-after-drop' | 'use-after-move' | 'leak' | 'stall';

/**
 * For each rule, what a run of the bug shows. `proof`: at least one of these
 * must be observed. `fallout`: what the bug may cause on top, because record
 * mode lets the violating operation go on (a waker used after wake still calls
 * its vtable, which touches the freed task).
 */
export const EVIDENCE: Readonly<Record<string, { readonly proof: readonly Observation[]; readonly fallout: readonly Observation[] }>> = {
  'use-after-wake': { proof: ['use-after-wake'], fallout: ['use-after-free', 'double-free'] },
  'use-after-drop': { proof: ['use-after-drop'], fallout: ['use-after-free', 'double-free'] },
  // A move into a field or a helper is invisible to the heap: the violation shows where the moved value is used twice.
  'use-after-move': { proof: ['use-after-move', 'use-after-wake', 'use-after-drop'], fallout: ['use-after-free', 'double-free'] },
  // A waker dropped on the floor is also one nobody wakes: its task may stall.
  'clone-without-drop': { proof: ['leak'], fallout: ['stall'] },
  'lost-wakeup': { proof: ['stall'], fallout: [] },
  'vtable-clone-no-retain': { proof: ['double-free', 'use-after-free'], fallout: [] },
  'vtable-wake-no-release': { proof: ['leak'], fallout: [] },
  'vtable-wake-by-ref-releases': { proof: ['double-free', 'use-after-free'], fallout: [] },
  'vtable-drop-no-release': { proof: ['leak'], fallout: [] },
};

/** A driver throws an error naming a lost wakeup when its future stays pending with nothing left to wake it (as `Executor.blockOn` does). */
export const STALL = /lost wakeup/;
