// Where the analyzer is known to differ from the corpus markers. analyzer.test.ts
// fails on any difference not listed here and on any entry that no longer
// occurs, so fixing the analyzer forces an entry out and nothing new slips in.
// Keep each reason to one line: what the analyzer does not (yet) understand.

export interface Difference {
  readonly program: string;
  /** 1-based line of the marker (missed) or of the finding's start (false-positive). */
  readonly line: number;
  readonly kind: 'missed' | 'false-positive';
  readonly rule: string;
  readonly severity: string;
  readonly message?: string;
}

export interface KnownDifference extends Difference {
  readonly reason: string;
}

export function differenceKey(d: Difference): string {
  return `${d.program}:${d.line} ${d.kind} ${d.rule} ${d.severity}`;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  { program: 'timer-wheel-clear-after-wake.ts', line: 66, kind: 'false-positive', rule: 'lost-wakeup', severity: 'warning', reason: "the helper `reset(id, cx.waker())` returns unregistered when its slot is empty, which poll never reaches (no path condition across the call); the warning also names the wrong branch of `this.id === undefined`" },
  { program: 'timer-wheel-slots.ts', line: 65, kind: 'false-positive', rule: 'lost-wakeup', severity: 'warning', reason: "the helper `reset(id, cx.waker())` returns unregistered when its slot is empty, which poll never reaches (no path condition across the call); the warning also names the wrong branch of `this.id === undefined`" },
];
