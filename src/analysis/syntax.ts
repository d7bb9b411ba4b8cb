// The syntax toolkit every pass shares, so they agree on what "the same value"
// looks like.
//
// Outer expressions are the five wrappers that leave the runtime value
// untouched: parentheses `(x)`, `x as T`, `x satisfies T`, `x!` and the old
// `<T>x` assertion. Passes look through all five, always: `(w as Waker).wake()`
// wakes `w`. Anything that computes (`await`, `void`, `typeof`, `,`, `?:`) is
// not an outer expression; a pass that follows a value through those says so
// itself (`climb` in flow/positions.ts).

import type * as ts from 'typescript';
import type { TypeScript } from './types';

export type OuterExpression = ts.ParenthesizedExpression | ts.AsExpression | ts.SatisfiesExpression | ts.NonNullExpression | ts.TypeAssertion;

export function isOuterExpression(ts: TypeScript, node: ts.Node): node is OuterExpression {
  return ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node);
}

/** `w` in `((w as Waker)!)`. */
export function skipOuterExpressions(ts: TypeScript, node: ts.Expression): ts.Expression {
  while (isOuterExpression(ts, node)) node = node.expression;
  return node;
}

/** The outermost wrapper around `node`: `((w as Waker)!)` for the `w` inside it; `node` itself when unwrapped. */
export function walkUpOuterExpressions(ts: TypeScript, node: ts.Node): ts.Node {
  while (isOuterExpression(ts, node.parent)) node = node.parent;
  return node;
}
