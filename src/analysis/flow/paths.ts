// Naming the path a warning happens on: "when `urgent` is true". The flow
// analysis knows a problem happens on some paths only; the condition that
// decides is the nearest branching construct around the event that made the
// difference (a wake, a drop, an early return), below what it shares with the
// place the problem shows up.

import type * as ts from 'typescript';
import { isOuterExpression, kindTest } from '../syntax';
import { sharedTexts } from '../texts';
import type { TypeScript } from '../types';

export type Outcome = 'true' | 'false' | 'nullish' | 'nonNullish' | 'case' | 'default' | 'loop' | 'try' | 'catch';

export interface PathCondition {
  readonly outcome: Outcome;
  /** The tested expression's text (or the switch's discriminant). */
  readonly subject: string;
  /** For `case`: the case label's text. */
  readonly label?: string;
}

const MAX_SUBJECT = 40;

/**
 * The nearest condition that decides whether `site` runs, looking outward from
 * `site` but not beyond `limit` (a node that contains both the site and the
 * place of the problem) nor past the function `root`. `file` is theirs.
 */
export function conditionOf(ts: TypeScript, file: ts.SourceFile, site: ts.Node, limit: ts.Node | undefined, root: ts.Node): PathCondition | undefined {
  const own = optionalChainSubject(ts, file, site, undefined);
  if (own) return own;
  let child: ts.Node = site;
  for (let node = site.parent; node && node !== root; child = node, node = node.parent) {
    if (limit && contains(node, limit)) return undefined;
    const found = isBranching(ts, node) ? branchOf(ts, file, node, child) : optionalChainSubject(ts, file, node, child);
    if (found) return found;
  }
  return undefined;
}

/** The constructs `branchOf` reads: one set lookup per ancestor, not a chain of `ts.isX` getters (speed). */
const isBranching = kindTest((k) => [
  k.IfStatement,
  k.ConditionalExpression,
  k.BinaryExpression,
  k.CaseClause,
  k.DefaultClause,
  k.WhileStatement,
  k.ForStatement,
  k.ForOfStatement,
  k.ForInStatement,
  k.TryStatement,
]);

function branchOf(ts: TypeScript, file: ts.SourceFile, node: ts.Node, child: ts.Node): PathCondition | undefined {
  const SyntaxKind = ts.SyntaxKind;
  switch (node.kind) {
    case SyntaxKind.IfStatement: {
      const statement = node as ts.IfStatement;
      if (child === statement.thenStatement) return truthOf(ts, file, statement.expression, true);
      if (child === statement.elseStatement) return truthOf(ts, file, statement.expression, false);
      return undefined;
    }
    case SyntaxKind.ConditionalExpression: {
      const conditional = node as ts.ConditionalExpression;
      if (child === conditional.whenTrue) return truthOf(ts, file, conditional.condition, true);
      if (child === conditional.whenFalse) return truthOf(ts, file, conditional.condition, false);
      return undefined;
    }
    case SyntaxKind.BinaryExpression: {
      const binary = node as ts.BinaryExpression;
      if (child !== binary.right) return undefined;
      const operator = binary.operatorToken.kind;
      if (operator === SyntaxKind.AmpersandAmpersandToken || operator === SyntaxKind.AmpersandAmpersandEqualsToken) return truthOf(ts, file, binary.left, true);
      if (operator === SyntaxKind.BarBarToken || operator === SyntaxKind.BarBarEqualsToken) return truthOf(ts, file, binary.left, false);
      if (operator === SyntaxKind.QuestionQuestionToken || operator === SyntaxKind.QuestionQuestionEqualsToken) return { outcome: 'nullish', subject: textOf(file, binary.left) };
      return undefined;
    }
    case SyntaxKind.CaseClause: {
      const clause = node as ts.CaseClause;
      return { outcome: 'case', subject: textOf(file, clause.parent.parent.expression), label: textOf(file, clause.expression) };
    }
    case SyntaxKind.DefaultClause:
      return { outcome: 'default', subject: textOf(file, (node as ts.DefaultClause).parent.parent.expression) };
    case SyntaxKind.WhileStatement:
    case SyntaxKind.ForStatement:
    case SyntaxKind.ForOfStatement:
    case SyntaxKind.ForInStatement:
      return child === (node as ts.IterationStatement).statement ? { outcome: 'loop', subject: '' } : undefined;
    case SyntaxKind.TryStatement: {
      const statement = node as ts.TryStatement;
      if (child === statement.tryBlock) return { outcome: 'try', subject: '' };
      if (child === statement.catchClause) return { outcome: 'catch', subject: '' };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `a?.f(x)`: `x` (or the call itself) runs only when `a` is not nullish. */
function optionalChainSubject(ts: TypeScript, file: ts.SourceFile, node: ts.Node, child: ts.Node | undefined): PathCondition | undefined {
  if (!isOptionalChain(ts, node) || (child !== undefined && child === node.expression)) return undefined;
  let link: ts.Expression = node;
  for (;;) {
    if (isChainLink(ts, link) && link.kind !== ts.SyntaxKind.NonNullExpression && (link as ts.PropertyAccessExpression | ts.ElementAccessExpression | ts.CallExpression).questionDotToken) {
      return { outcome: 'nonNullish', subject: textOf(file, link.expression) };
    }
    if (isChainLink(ts, link)) link = link.expression;
    else return undefined;
  }
}

/** The kinds `ts.isOptionalChain` looks for besides the flag: a property or element access, a call, a `!`. */
const isChainLinkKind = kindTest((k) => [k.PropertyAccessExpression, k.ElementAccessExpression, k.CallExpression, k.NonNullExpression]);

function isChainLink(ts: TypeScript, node: ts.Node): node is ts.PropertyAccessExpression | ts.ElementAccessExpression | ts.CallExpression | ts.NonNullExpression {
  return isChainLinkKind(ts, node);
}

/** `ts.isOptionalChain`, its kind test first: it runs on most ancestors of a reported site. */
function isOptionalChain(ts: TypeScript, node: ts.Node): node is ts.OptionalChain {
  return isChainLink(ts, node) && (node.flags & ts.NodeFlags.OptionalChain) !== 0;
}

/** The path on which `expression` (of `file`) is `value` ("`stored === undefined` is true"), looking through `!` and parentheses. */
export function truthOf(ts: TypeScript, file: ts.SourceFile, expression: ts.Expression, value: boolean): PathCondition {
  let tested = expression;
  let truth = value;
  for (;;) {
    if (isOuterExpression(ts, tested)) tested = tested.expression;
    else if (tested.kind === ts.SyntaxKind.PrefixUnaryExpression && (tested as ts.PrefixUnaryExpression).operator === ts.SyntaxKind.ExclamationToken) {
      tested = (tested as ts.PrefixUnaryExpression).operand;
      truth = !truth;
    } else break;
  }
  return { outcome: truth ? 'true' : 'false', subject: textOf(file, tested) };
}

// The node's text as `getText(file)` gives it outside JSDoc, without its walk up to the root (to rule out a JSDoc type).
function textOf(file: ts.SourceFile, node: ts.Node): string {
  const text = file.text.slice(node.getStart(file), node.end).replace(/\s+/g, ' ');
  return text.length > MAX_SUBJECT ? '' : text;
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end;
}

/** "when `urgent` is true"; `negate` describes the other paths ("when `urgent` is false"). */
export function describeCondition(condition: PathCondition, negate = false): string {
  return conditionText(condition.outcome, condition.subject, condition.label, negate);
}

/** `describeCondition`'s text, made once per distinct condition (`sharedTexts`): it is a finding's, or part of one. */
const conditionText = sharedTexts((outcome: PathCondition['outcome'], tested: string, label: string | undefined, negate: boolean): string => {
  const subject = tested ? `\`${tested}\`` : 'the condition';
  switch (outcome) {
    case 'true':
    case 'false': {
      const truth = (outcome === 'true') !== negate;
      return `when ${subject} is ${truth ? 'true' : 'false'}`;
    }
    case 'nullish':
      return `when ${subject} is ${negate ? 'not ' : ''}null or undefined`;
    case 'nonNullish':
      return `when ${subject} is ${negate ? '' : 'not '}null or undefined`;
    case 'case':
      return `when ${subject} is ${negate ? 'not ' : ''}\`${label ?? '?'}\``;
    case 'default':
      return negate ? `when ${subject} matches a \`case\`` : `when ${subject} matches no \`case\``;
    case 'loop':
      return negate ? 'when the loop body does not run' : 'when the loop body runs';
    case 'try':
      return negate ? 'when the `try` block throws' : 'when the `try` block does not throw';
    case 'catch':
      return negate ? 'when nothing is thrown' : 'when an exception is caught';
  }
});

/** A path as a message's suffix: " when `urgent` is true" (one shared text, not a concatenation per finding). */
export const pathSuffix = sharedTexts((path: string) => ` ${path}`);

export const SOME_PATHS = 'on some paths';
export const LATER_ITERATION = 'on a later iteration of the loop';
