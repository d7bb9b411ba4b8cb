// What a call of the program's own function does, as the dataflow of its
// caller sees it: the vocabulary of interprocedural summaries. The engine,
// effects and checkers ask through `CallSummaries`; `summaries.ts` computes the
// answers from the callee's body (it runs the engine on it, so the engine
// cannot import it: this module is what both sides share).

import type * as ts from 'typescript';

/** What a helper does with an owned value passed to one of its parameters, over all its paths. */
export type ParameterUse =
  /** Never consumed: the caller still owns it (must drop it, may use it). */
  | { readonly paths: 'none' }
  /** Consumed on every path (`how`: each way it is, e.g. woken on one path, dropped on another). */
  | { readonly paths: 'every'; readonly how: readonly Consumption[] }
  /** Consumed on some paths only: the helper leaks it on the others (and reports that itself). */
  | { readonly paths: 'some'; readonly how: readonly Consumption[] };

export type Consumption = 'woken' | 'dropped' | 'moved' | 'escaped';

/** Whether a helper keeps or wakes the waker of a context (or a borrowed waker) it receives, so a pending `poll` can be woken. */
export interface Registration {
  /** The paths by which the helper returns having kept or woken the waker: all of them, some, or none. */
  readonly paths: 'every' | 'some' | 'none';
  /** `some`: the helper's own words for where it keeps nothing ("when `this.closed` is true"), when one condition decides. */
  readonly missedWhen?: string;
  /**
   * `some`: every path that keeps nothing found the slot the helper stores the
   * waker in vacant (`reset(id, waker)` with no waker at `id`): the helper
   * refreshes a registration made elsewhere, and never discards the waker.
   */
  readonly refreshesOnly?: boolean;
  /** `some`: the result tells the paths apart: it is `keptWhen.value` exactly where the helper kept the waker. */
  readonly keptWhen?: ResultDiscriminant;
  /** The places of `this` the helper stores the waker in, for a caller on the same object (`this.store(cx.waker())`). */
  readonly storesIn?: StorePlaces;
}

/**
 * Where a function stores clones of a waker, as text (`this.wakers[id]`): the
 * places it assigns one to, and the lists it adds one to (`this.waiters.push(…)`).
 */
export interface StorePlaces {
  readonly slots: ReadonlySet<string>;
  readonly lists: ReadonlySet<string>;
}

/** A boolean the helper returns: the result itself, or one property of the object literal it returns (`{ leader: false, … }`). */
export interface ResultDiscriminant {
  readonly property?: string;
  readonly value: boolean;
}

export interface FunctionSummary {
  readonly declaration: ts.Node;
  /** The callee's name as the program spells it (`notify`, `this.register`'s `register`). */
  readonly name: string;
  /** Per parameter index: undefined when the parameter is not an owned value the helper tracks. */
  readonly parameters: readonly (ParameterUse | undefined)[];
  /** Per parameter index: for a `Context` or `WakerRef` parameter, whether the helper registers its waker. */
  readonly registers: readonly (Registration | undefined)[];
  /** False when every `return` hands back a place the object keeps (`return this.waker`): a loan, not a new owned value. */
  readonly returnsOwned: boolean;
  /** Every function body this summary was computed from (its own and its callees', transitively): for incremental re-analysis. */
  readonly reads: ReadonlySet<ts.Node>;
}

export interface CallSummaries {
  /** The summary of the program function a call resolves to, or undefined (library, declaration only, unknown, or recursion). */
  of(call: ts.CallExpression | ts.NewExpression): FunctionSummary | undefined;
}

/** No summaries at all: every call is treated by its signature alone. */
export const NO_SUMMARIES: CallSummaries = { of: () => undefined };
