// Syntax questions the flow engine and its checkers ask: where a value flows
// (`climb`), which positions only test a value, which identifiers are
// references. Pure syntax, except `switchCoversEveryValue` (the checker).

import type * as ts from 'typescript';
import type { TypeScript } from '../types';
import type { Checker } from '../checker';
import { isOuterExpression, kindTest, skipOuterExpressions, syntaxOf, walkUpOuterExpressions } from '../syntax';
import { isFunctionBoundary, type Narrowing } from './graph';

/** The name a call's callee ends with (`pending` in `Poll.pending()`): a cheap filter before asking the checker. */
export function calleeNameText(ts: TypeScript, call: ts.CallExpression): string | undefined {
  const syntax = syntaxOf(ts);
  const callee = call.expression;
  if (syntax.isIdentifier(callee)) return callee.text;
  if (syntax.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/**
 * Where a value ends up: climb through wrappers and the value positions of `?:`,
 * `??`, `||`, `&&` (right) and `,` (right). `flowed` tells whether it went
 * through a choice (so it is not simply the expression assigned).
 */
export function climb(ts: TypeScript, node: ts.Node): { value: ts.Node; parent: ts.Node; flowed: boolean } {
  const syntax = syntaxOf(ts);
  let value = node;
  let parent = node.parent;
  let flowed = false;
  for (;;) {
    if (isOuterExpression(ts, parent)) {
      value = parent;
      parent = parent.parent;
      continue;
    }
    if (syntax.isConditionalExpression(parent) && parent.condition !== value) {
      flowed = true;
      value = parent;
      parent = parent.parent;
      continue;
    }
    if (syntax.isBinaryExpression(parent)) {
      const operator = parent.operatorToken.kind;
      const valueOperand =
        operator === syntax.SyntaxKind.QuestionQuestionToken ||
        operator === syntax.SyntaxKind.BarBarToken ||
        ((operator === syntax.SyntaxKind.AmpersandAmpersandToken || operator === syntax.SyntaxKind.CommaToken) && parent.right === value);
      if (valueOperand) {
        flowed = true;
        value = parent;
        parent = parent.parent;
        continue;
      }
    }
    return { value, parent, flowed };
  }
}

/** Positions where only the value's truthiness or identity is looked at: no use of what it owns. */
export function isTestPosition(ts: TypeScript, value: ts.Node, parent: ts.Node): boolean {
  const { SyntaxKind } = syntaxOf(ts); // this runs for every read of a place
  switch (parent.kind) {
    case SyntaxKind.IfStatement:
    case SyntaxKind.WhileStatement:
    case SyntaxKind.DoStatement:
      return (parent as ts.IfStatement | ts.WhileStatement | ts.DoStatement).expression === value;
    case SyntaxKind.ForStatement:
      return (parent as ts.ForStatement).condition === value;
    case SyntaxKind.ConditionalExpression:
      return (parent as ts.ConditionalExpression).condition === value;
    case SyntaxKind.PrefixUnaryExpression:
      return (parent as ts.PrefixUnaryExpression).operator === SyntaxKind.ExclamationToken;
    case SyntaxKind.TypeOfExpression:
    case SyntaxKind.VoidExpression:
    case SyntaxKind.DeleteExpression:
    case SyntaxKind.SwitchStatement:
    case SyntaxKind.CaseClause:
      return true;
    case SyntaxKind.BinaryExpression:
      switch ((parent as ts.BinaryExpression).operatorToken.kind) {
        case SyntaxKind.EqualsEqualsEqualsToken:
        case SyntaxKind.ExclamationEqualsEqualsToken:
        case SyntaxKind.EqualsEqualsToken:
        case SyntaxKind.ExclamationEqualsToken:
        case SyntaxKind.InstanceOfKeyword:
        case SyntaxKind.InKeyword:
          return true;
        case SyntaxKind.AmpersandAmpersandToken:
          return (parent as ts.BinaryExpression).left === value;
      }
      return false;
  }
  return false;
}

/** `key in w`, `'data' in w`: reads the value (its properties, its string form as a key), unlike a comparison. */
export function isInOperand(ts: TypeScript, parent: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  return syntax.isBinaryExpression(parent) && parent.operatorToken.kind === syntax.SyntaxKind.InKeyword;
}

export function isNullish(ts: TypeScript, node: ts.Expression): boolean {
  const syntax = syntaxOf(ts);
  const inner = skipOuterExpressions(ts, node);
  return inner.kind === syntax.SyntaxKind.NullKeyword || (syntax.isIdentifier(inner) && inner.text === 'undefined') || syntax.isVoidExpression(inner);
}

export function isWriteTarget(ts: TypeScript, identifier: ts.Identifier): boolean {
  const syntax = syntaxOf(ts);
  const node = walkUpOuterExpressions(ts, identifier);
  const parent = node.parent;
  if (syntax.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind >= syntax.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= syntax.SyntaxKind.LastAssignment) return true;
  if ((syntax.isPrefixUnaryExpression(parent) || syntax.isPostfixUnaryExpression(parent)) && (parent.operator === syntax.SyntaxKind.PlusPlusToken || parent.operator === syntax.SyntaxKind.MinusMinusToken)) return true;
  return isDestructuringTarget(ts, parent);
}

export function isDestructuringTarget(ts: TypeScript, node: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  let current = node;
  while (syntax.isArrayLiteralExpression(current) || syntax.isObjectLiteralExpression(current) || syntax.isPropertyAssignment(current) || syntax.isShorthandPropertyAssignment(current) || syntax.isSpreadElement(current) || syntax.isSpreadAssignment(current)) {
    const parent = current.parent;
    if (syntax.isBinaryExpression(parent) && parent.left === current && parent.operatorToken.kind === syntax.SyntaxKind.EqualsToken) return true;
    if ((syntax.isForOfStatement(parent) || syntax.isForInStatement(parent)) && parent.initializer === current) return true;
    current = parent;
  }
  return false;
}

/** Identifiers in expression position (not property names, declarations' own names, labels). */
export function isReference(ts: TypeScript, identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  return isNamedBy(ts, parent) ? (parent as ts.NamedDeclaration).name !== identifier : !isNeverReferenceParent(ts, parent);
}

/** Parents whose `name` is no reference: a property's, a method's, a declaration's own name (`w` in `const w = …`, `this.w`). */
const isNamedBy = kindTest((k) => [k.PropertyAccessExpression, k.PropertyAssignment, k.PropertyDeclaration, k.MethodDeclaration, k.VariableDeclaration, k.Parameter, k.BindingElement]);
/** Parents none of whose identifiers is a reference: labels, type names. */
const isNeverReferenceParent = kindTest((k) => [k.LabeledStatement, k.BreakStatement, k.ContinueStatement, k.TypeReference, k.QualifiedName]);

/** Whether a type annotation could name an owned library type (skips `number`, `string`, …). */
export function mayNameOwnedType(ts: TypeScript, node: ts.TypeNode): boolean {
  const syntax = syntaxOf(ts);
  if (syntax.isTypeReferenceNode(node)) return true;
  if (syntax.isUnionTypeNode(node) || syntax.isIntersectionTypeNode(node)) return node.types.some((t) => mayNameOwnedType(ts, t));
  if (syntax.isParenthesizedTypeNode(node)) return mayNameOwnedType(ts, node.type);
  return syntax.isTypeQueryNode(node) || syntax.isIndexedAccessTypeNode(node) || syntax.isImportTypeNode(node);
}

export function closingBrace(ts: TypeScript, block: ts.Block): ts.Node {
  const syntax = syntaxOf(ts);
  const last = block.getChildren().find((c) => c.kind === syntax.SyntaxKind.CloseBraceToken);
  return last ?? block;
}

export function enclosingFunction(ts: TypeScript, node: ts.Node): ts.Node | undefined {
  const syntax = syntaxOf(ts);
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionBoundary(ts, current) || syntax.isSourceFile(current)) return current;
  }
  return undefined;
}

/**
 * A switch whose cases name every member of its discriminant's type, each a
 * unit type (a literal, enum member, `true`/`false`, `null` or `undefined`), so
 * comparing their printed types is exact: `kind: 'a' | 'b'` with both cases.
 */
export function switchCoversEveryValue(ts: TypeScript, checker: Checker, node: ts.SwitchStatement): boolean {
  const syntax = syntaxOf(ts);
  const type = checker.getTypeAtLocation(node.expression);
  const members = type.isUnion() ? type.types : [type];
  const unit = syntax.TypeFlags.Literal | syntax.TypeFlags.EnumLiteral | syntax.TypeFlags.BooleanLiteral | syntax.TypeFlags.Null | syntax.TypeFlags.Undefined;
  if (!members.every((member) => member.flags & unit)) return false;
  const covered = new Set<string>();
  for (const clause of node.caseBlock.clauses) {
    if (syntax.isCaseClause(clause)) covered.add(checker.typeToString(checker.getTypeAtLocation(clause.expression)));
  }
  return members.every((member) => covered.has(checker.typeToString(member)));
}

/**
 * The expression an edge proves empty (`null` or `undefined`), if any: `x` on
 * the false edge of `if (x)`, on the true edge of `x === undefined`, on the
 * false edge of `x != null`.
 */
export function emptiedOnEdge(ts: TypeScript, narrowing: Narrowing): ts.Expression | undefined {
  return provenOnEdge(ts, narrowing, 'empty');
}

/**
 * The expression an edge proves present (neither `null` nor `undefined`), if
 * any: `x` on the true edge of `if (x)` and past `x?.`, on the false edge of
 * `x === undefined`, on the true edge of `x != null`.
 */
export function presentOnEdge(ts: TypeScript, narrowing: Narrowing): ts.Expression | undefined {
  return provenOnEdge(ts, narrowing, 'present');
}

function provenOnEdge(ts: TypeScript, narrowing: Narrowing, proven: 'empty' | 'present'): ts.Expression | undefined {
  const syntax = syntaxOf(ts);
  const expr = skipOuterExpressions(ts, narrowing.expr);
  if (!syntax.isBinaryExpression(expr)) {
    const outcomes = proven === 'empty' ? ['falsy', 'nullish'] : ['truthy', 'nonNullish'];
    return outcomes.includes(narrowing.outcome) ? expr : undefined;
  }
  const operator = expr.operatorToken.kind;
  const equal = operator === syntax.SyntaxKind.EqualsEqualsEqualsToken || operator === syntax.SyntaxKind.EqualsEqualsToken;
  const notEqual = operator === syntax.SyntaxKind.ExclamationEqualsEqualsToken || operator === syntax.SyntaxKind.ExclamationEqualsToken;
  if (!equal && !notEqual) return undefined;
  const other = isNullish(ts, expr.right) ? expr.left : isNullish(ts, expr.left) ? expr.right : undefined;
  if (!other) return undefined;
  // `x === null` holds on the true edge: there x is empty; on the false edge, present.
  const emptyOnThisEdge = equal === (narrowing.outcome === 'truthy');
  return emptyOnThisEdge === (proven === 'empty') ? skipOuterExpressions(ts, other) : undefined;
}

/** `return …;`, `throw …;`, or a block that ends in one: the branch always leaves the function. */
export function leaves(ts: TypeScript, statement: ts.Statement): boolean {
  const syntax = syntaxOf(ts);
  if (syntax.isReturnStatement(statement) || syntax.isThrowStatement(statement)) return true;
  return syntax.isBlock(statement) && statement.statements.length > 0 && leaves(ts, statement.statements[statement.statements.length - 1]);
}
