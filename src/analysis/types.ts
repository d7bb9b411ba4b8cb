// The analyzer's public vocabulary. Front ends (CLI, tsserver plugin, ESLint
// plugin) consume only these types: they never look inside the rules.
//
// The analyzer imports `typescript` for types only and receives the module as a
// value (`ts`), so the tsserver plugin can hand it tsserver's own instance.

import type * as ts from 'typescript';

export type TypeScript = typeof ts;

// The rules themselves (ids, codes, levels, messages) live in the registry.
export { RULE_IDS, type RuleId, type RuleLevel, type RuleMeta } from './rules/index';
import type { RuleId, RuleLevel } from './rules/index';

export type Severity = 'error' | 'warning';

/** A 0-based half-open range of text in one file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A secondary, labelled span: "woken here", "cloned here". */
export interface RelatedSpan extends Span {
  readonly message: string;
}

export interface TextEdit extends Span {
  readonly newText: string;
}

/** A quick fix / ESLint suggestion: the edits are complete and type-check. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /**
   * Right without a human's choice, and changes nothing but the finding:
   * `wakerscope check --fix` applies these unattended, the rest only in an editor.
   */
  readonly safe?: boolean;
}

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** One line, rustc style: "use of `waker` after it was woken". */
  readonly message: string;
  /** The primary span. */
  readonly span: Span;
  readonly related: readonly RelatedSpan[];
  /** A "help:" line. */
  readonly help?: string;
  readonly fixes: readonly Fix[];
}

export interface AnalyzerConfig {
  readonly rules: Readonly<Partial<Record<RuleId, RuleLevel>>>;
}

export const DEFAULT_CONFIG: AnalyzerConfig = { rules: {} };
