// What a simulated step is in Rust: the panel shows, beside each step, the
// `std::task::Waker` call it stands for and the `RawWakerVTable` slot it
// reaches. Pure, so the mapping is unit-tested without a browser.

import type { SlotName, StepResult } from '../simulate/types';

/** Rust's name for a vtable slot (`RawWakerVTable::new(clone, wake, wake_by_ref, drop)`). */
const RUST_SLOT: Record<SlotName, string> = { clone: 'clone', wake: 'wake', wakeByRef: 'wake_by_ref', drop: 'drop' };

/** Scenario handle 1 is the Rust variable `w1`. */
const variable = (handle: number | undefined) => `w${handle ?? '?'}`;

/** The Rust statement for a step: `let w1 = w0.clone();`, `w0.wake();`, `w1.wake_by_ref();`, `drop(w1);`. */
export function rustStatement(step: Pick<StepResult, 'operation' | 'handle' | 'created'>, factory: string): string {
  switch (step.operation) {
    case 'new':
      return `let ${variable(step.created)} = ${factory}();`;
    case 'clone':
      return `let ${variable(step.created)} = ${variable(step.handle)}.clone();`;
    case 'wake':
      return `${variable(step.handle)}.wake();`;
    case 'wake_by_ref':
      return `${variable(step.handle)}.wake_by_ref();`;
    case 'drop':
      return `drop(${variable(step.handle)});`;
  }
}

/** `RawWakerVTable::clone`: the slot as Rust names it. */
export function rustSlot(slot: SlotName): string {
  return `RawWakerVTable::${RUST_SLOT[slot]}`;
}
