// A scenario as a test: whether it passed, and if not, why and where, for the
// CLI's suite report and the editor's Test Explorer alike.

import type { SimulationRun } from './types';

/** A scenario passes when its outcome is its `expect`, or it has none. */
export function scenarioPassed(run: SimulationRun): boolean {
  return run.expect === undefined || run.expect === run.outcome;
}

export interface FailureReason {
  /** `double-free: freed at step 3 by `myWake`, freed again at step 4 by `myDrop`` */
  readonly text: string;
  /** The scenario line (1-based) of the step that raised it, when known. */
  readonly line?: number;
}

/** What went wrong in a run: the first violation, else the first error, else the stop, else the first leak. */
export function failureReason(run: SimulationRun): FailureReason | undefined {
  const lineOf = (step: number) => {
    const line = run.steps[step - 1]?.location?.line;
    return line === undefined ? {} : { line };
  };
  const violation = run.violations[0];
  if (violation) return { text: `${violation.kind}: ${violation.summary}`, ...lineOf(violation.step) };
  const failedStep = run.steps.find((step) => step.error);
  if (failedStep) return { text: `error: ${failedStep.error}`, ...lineOf(failedStep.step) };
  if (run.stopped) return { text: run.stopped };
  const leak = run.leaks[0];
  if (leak) return { text: `leak: ${leak.kind === 'box' ? 'Box' : 'Arc'} ${leak.address} allocated here is never freed`, ...lineOf(leak.allocated.step) };
  return undefined;
}
