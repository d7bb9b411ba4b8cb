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
  {
    program: 'stream-map.ts',
    line: 43,
    kind: 'false-positive',
    rule: 'lost-wakeup',
    severity: 'warning',
    reason: 'a loop that visits each entry once, removing every one that ended, empties the map on the path that polls nothing pending: counts are not followed',
  },
];
