// Naming the path a warning happens on: "when `urgent` is true". The flow
// analysis knows a problem happens on some paths only; the condition that
// decides is the nearest branching construct around the event that made the
// difference (a wake, a drop, an early return), below what it shares with the
// place the problem shows up.

import type * as ts from 'typescript';
import { isOuterExpression } from '../syntax';
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
 * place of the problem) nor past the function `root`.
 */
export function conditionOf(ts: TypeScript, site: ts.Node, limit: ts.Node | undefined, root: ts.Node): PathCondition | undefined {
  const own = optionalChainSubject(ts, site, undefined);
  if (own) return own;
  let child: ts.Node = site;
  for (let node = site.parent; node && node !== root; child = node, node = node.parent) {
    if (limit && contains(node, limit)) return undefined;
    const found = branchOf(ts, node, child);
    if (found) return found;
  }
  return undefined;
}

function branchOf(ts: TypeScript, node: ts.Node, child: ts.Node): PathCondition | undefined {
  if (ts.isIfStatement(node)) {
    if (child === node.thenStatement) return truthOf(ts, node.expression, true);
    if (child === node.elseStatement) return truthOf(ts, node.expression, false);
  } else if (ts.isConditionalExpression(node)) {
    if (child === node.whenTrue) return truthOf(ts, node.condition, true);
    if (child === node.whenFalse) return truthOf(ts, node.condition, false);
  } else if (ts.isBinaryExpression(node) && child === node.right) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.AmpersandAmpersandEqualsToken) return truthOf(ts, node.left, true);
    if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.BarBarEqualsToken) return truthOf(ts, node.left, false);
    if (operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.QuestionQuestionEqualsToken) return { outcome: 'nullish', subject: textOf(ts, node.left) };
  } else if (ts.isCaseClause(node)) {
    return { outcome: 'case', subject: textOf(ts, node.parent.parent.expression), label: textOf(ts, node.expression) };
  } else if (ts.isDefaultClause(node)) {
    return { outcome: 'default', subject: textOf(ts, node.parent.parent.expression) };
  } else if ((ts.isWhileStatement(node) || ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && child === node.statement) {
    return { outcome: 'loop', subject: '' };
  } else if (ts.isTryStatement(node)) {
    if (child === node.tryBlock) return { outcome: 'try', subject: '' };
    if (child === node.catchClause) return { outcome: 'catch', subject: '' };
  } else {
    return optionalChainSubject(ts, node, child);
  }
  return undefined;
}

/** `a?.f(x)`: `x` (or the call itself) runs only when `a` is not nullish. */
function optionalChainSubject(ts: TypeScript, node: ts.Node, child: ts.Node | undefined): PathCondition | undefined {
  if (!ts.isOptionalChain(node) || (child !== undefined && child === node.expression)) return undefined;
  let link: ts.Expression = node;
  for (;;) {
    if ((ts.isPropertyAccessExpression(link) || ts.isElementAccessExpression(link) || ts.isCallExpression(link)) && link.questionDotToken) {
      return { outcome: 'nonNullish', subject: textOf(ts, link.expression) };
    }
    if (ts.isPropertyAccessExpression(link) || ts.isElementAccessExpression(link) || ts.isCallExpression(link) || ts.isNonNullExpression(link)) link = link.expression;
    else return undefined;
  }
}

/** The path on which `expression` is `value` ("`stored === undefined` is true"), looking through `!` and parentheses. */
export function truthOf(ts: TypeScript, expression: ts.Expression, value: boolean): PathCondition {
  let tested = expression;
  let truth = value;
  for (;;) {
    if (isOuterExpression(ts, tested)) tested = tested.expression;
    else if (ts.isPrefixUnaryExpression(tested) && tested.operator === ts.SyntaxKind.ExclamationToken) {
      tested = tested.operand;
      truth = !truth;
    } else break;
  }
  return { outcome: truth ? 'true' : 'false', subject: textOf(ts, tested) };
}

function textOf(ts: TypeScript, node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > MAX_SUBJECT ? '' : text;
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end;
}

/** "when `urgent` is true"; `negate` describes the other paths ("when `urgent` is false"). */
export function describeCondition(condition: PathCondition, negate = false): string {
  const subject = condition.subject ? `\`${condition.subject}\`` : 'the condition';
  switch (condition.outcome) {
    case 'true':
    case 'false': {
      const truth = (condition.outcome === 'true') !== negate;
      return `when ${subject} is ${truth ? 'true' : 'false'}`;
    }
    case 'nullish':
      return `when ${subject} is ${negate ? 'not ' : ''}null or undefined`;
    case 'nonNullish':
      return `when ${subject} is ${negate ? '' : 'not '}null or undefined`;
    case 'case':
      return `when ${subject} is ${negate ? 'not ' : ''}\`${condition.label ?? '?'}\``;
    case 'default':
      return negate ? `when ${subject} matches a \`case\`` : `when ${subject} matches no \`case\``;
    case 'loop':
      return negate ? 'when the loop body does not run' : 'when the loop body runs';
    case 'try':
      return negate ? 'when the `try` block throws' : 'when the `try` block does not throw';
    case 'catch':
      return negate ? 'when nothing is thrown' : 'when an exception is caught';
  }
}

export const SOME_PATHS = 'on some paths';
export const LATER_ITERATION = 'on a later iteration of the loop';
