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

/**
 * A test for a set of syntax kinds, made once per TypeScript instance (kind
 * numbers differ between versions): one set lookup instead of a chain of
 * `ts.isX(node)` calls, each a property lookup on the typescript module's
 * ~2,000 exports. For tests that run on nearly every node (speed).
 */
export function kindTest(pick: (kinds: typeof ts.SyntaxKind) => readonly ts.SyntaxKind[]): (ts: TypeScript, node: ts.Node) => boolean {
  let forTs: TypeScript | undefined;
  let kinds: ReadonlySet<ts.SyntaxKind> = new Set();
  return (ts, node) => {
    if (ts !== forTs) {
      kinds = new Set(pick(ts.SyntaxKind));
      forTs = ts;
    }
    return kinds.has(node.kind);
  };
}

const isOuterKind = kindTest((k) => [k.ParenthesizedExpression, k.AsExpression, k.SatisfiesExpression, k.NonNullExpression, k.TypeAssertionExpression]);

export function isOuterExpression(ts: TypeScript, node: ts.Node): node is OuterExpression {
  return isOuterKind(ts, node);
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
