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

/**
 * The typescript module's enums and syntax predicates the passes use, as plain
 * properties of one object per TypeScript instance. The module's own exports
 * are getters of an object with ~2,000 of them (a dictionary lookup and a
 * getter call per read, ~8 ns): a worst-case analysis read them about 700,000
 * times. The predicates are the module's own functions, so they answer alike.
 */
export type Syntax = ReturnType<typeof makeSyntax>;

let syntaxFor: TypeScript | undefined;
let syntax: Syntax | undefined;

/** The syntax table of `ts`, made once per TypeScript instance (one comparison per call after that). */
export function syntaxOf(ts: TypeScript): Syntax {
  if (ts !== syntaxFor || !syntax) {
    syntax = makeSyntax(ts);
    syntaxFor = ts;
  }
  return syntax;
}

function makeSyntax(ts: TypeScript) {
  return {
    SyntaxKind: ts.SyntaxKind,
    NodeFlags: ts.NodeFlags,
    SymbolFlags: ts.SymbolFlags,
    TypeFlags: ts.TypeFlags,
    ModifierFlags: ts.ModifierFlags,
    ObjectFlags: ts.ObjectFlags,
    isArrayBindingPattern: ts.isArrayBindingPattern,
    isArrayLiteralExpression: ts.isArrayLiteralExpression,
    isArrowFunction: ts.isArrowFunction,
    isBinaryExpression: ts.isBinaryExpression,
    isBindingElement: ts.isBindingElement,
    isBlock: ts.isBlock,
    isBreakOrContinueStatement: ts.isBreakOrContinueStatement,
    isBreakStatement: ts.isBreakStatement,
    isCallExpression: ts.isCallExpression,
    isCaseClause: ts.isCaseClause,
    isClassDeclaration: ts.isClassDeclaration,
    isClassLike: ts.isClassLike,
    isComputedPropertyName: ts.isComputedPropertyName,
    isConditionalExpression: ts.isConditionalExpression,
    isConstructorDeclaration: ts.isConstructorDeclaration,
    isContinueStatement: ts.isContinueStatement,
    isDefaultClause: ts.isDefaultClause,
    isDeleteExpression: ts.isDeleteExpression,
    isDoStatement: ts.isDoStatement,
    isElementAccessExpression: ts.isElementAccessExpression,
    isExpression: ts.isExpression,
    isExpressionStatement: ts.isExpressionStatement,
    isForInStatement: ts.isForInStatement,
    isForOfStatement: ts.isForOfStatement,
    isForStatement: ts.isForStatement,
    isFunctionDeclaration: ts.isFunctionDeclaration,
    isFunctionExpression: ts.isFunctionExpression,
    isFunctionLike: ts.isFunctionLike,
    isIdentifier: ts.isIdentifier,
    isIfStatement: ts.isIfStatement,
    isImportTypeNode: ts.isImportTypeNode,
    isIndexedAccessTypeNode: ts.isIndexedAccessTypeNode,
    isInterfaceDeclaration: ts.isInterfaceDeclaration,
    isIntersectionTypeNode: ts.isIntersectionTypeNode,
    isIterationStatement: ts.isIterationStatement,
    isJsxElement: ts.isJsxElement,
    isJsxSelfClosingElement: ts.isJsxSelfClosingElement,
    isLabeledStatement: ts.isLabeledStatement,
    isMethodDeclaration: ts.isMethodDeclaration,
    isNewExpression: ts.isNewExpression,
    isNonNullExpression: ts.isNonNullExpression,
    isNumericLiteral: ts.isNumericLiteral,
    isObjectBindingPattern: ts.isObjectBindingPattern,
    isObjectLiteralExpression: ts.isObjectLiteralExpression,
    isOptionalChain: ts.isOptionalChain,
    isParameter: ts.isParameter,
    isParenthesizedTypeNode: ts.isParenthesizedTypeNode,
    isPostfixUnaryExpression: ts.isPostfixUnaryExpression,
    isPrefixUnaryExpression: ts.isPrefixUnaryExpression,
    isPrivateIdentifier: ts.isPrivateIdentifier,
    isPropertyAccessExpression: ts.isPropertyAccessExpression,
    isPropertyAssignment: ts.isPropertyAssignment,
    isPropertyDeclaration: ts.isPropertyDeclaration,
    isReturnStatement: ts.isReturnStatement,
    isShorthandPropertyAssignment: ts.isShorthandPropertyAssignment,
    isSourceFile: ts.isSourceFile,
    isSpreadAssignment: ts.isSpreadAssignment,
    isSpreadElement: ts.isSpreadElement,
    isStringLiteral: ts.isStringLiteral,
    isSwitchStatement: ts.isSwitchStatement,
    isTemplateSpan: ts.isTemplateSpan,
    isThrowStatement: ts.isThrowStatement,
    isToken: ts.isToken,
    isTypeAliasDeclaration: ts.isTypeAliasDeclaration,
    isTypeLiteralNode: ts.isTypeLiteralNode,
    isTypeNode: ts.isTypeNode,
    isTypeQueryNode: ts.isTypeQueryNode,
    isTypeReferenceNode: ts.isTypeReferenceNode,
    isUnionTypeNode: ts.isUnionTypeNode,
    isVariableDeclaration: ts.isVariableDeclaration,
    isVariableDeclarationList: ts.isVariableDeclarationList,
    isVariableStatement: ts.isVariableStatement,
    isVoidExpression: ts.isVoidExpression,
    isWhileStatement: ts.isWhileStatement,
    isYieldExpression: ts.isYieldExpression,
    forEachChild: ts.forEachChild,
  };
}
