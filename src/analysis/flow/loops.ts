// Loops whose body runs at least once, as `while (true)`'s does: the CFG then
// gives them no path that skips the body (a `poll` that registers in every
// iteration registers, a value dropped in every iteration is dropped).
//
// - `for (const branch of [a, b, c])`: an array literal with an element;
// - `for (const branch of branches)`, `branches` a `const` bound to one that
//   nothing can empty (see `neverEmptied`);
// - `for (let i = 0; i < branches.length; i++)` over such an array, or
//   `i < 3`: the first test compares two known numbers;
// - `for (const child of this.children)` after `if (this.isEmpty) return …`
//   (or `this.children.length === 0`): the function has left on the empty case.

import type * as ts from 'typescript';
import type { Library } from '../library';
import type { TypeScript } from '../types';
import { skipOuterExpressions } from '../syntax';
import { leaves } from './positions';

/** Whether the first test of `loop` is known to pass. */
export function runsAtLeastOnce(ts: TypeScript, library: Library, loop: ts.ForStatement | ts.ForOfStatement): boolean {
  if (ts.isForOfStatement(loop)) return minimumLength(ts, library, loop.expression) > 0 || leftWhenEmpty(ts, loop);
  const { initializer, condition } = loop;
  if (!initializer || !condition || !ts.isVariableDeclarationList(initializer) || initializer.declarations.length !== 1) return false;
  const counter = initializer.declarations[0];
  const start = counter.initializer && skipOuterExpressions(ts, counter.initializer);
  const test = skipOuterExpressions(ts, condition);
  if (!start || !ts.isNumericLiteral(start) || !ts.isIdentifier(counter.name) || !ts.isBinaryExpression(test)) return false;
  const left = skipOuterExpressions(ts, test.left);
  if (!ts.isIdentifier(left) || left.text !== counter.name.text) return false;
  const bound = upperBound(ts, library, test.right);
  const first = Number(start.text);
  if (test.operatorToken.kind === ts.SyntaxKind.LessThanToken) return first < bound;
  if (test.operatorToken.kind === ts.SyntaxKind.LessThanEqualsToken) return first <= bound;
  return false;
}

/**
 * `if (this.isEmpty) return Poll.ready(undefined); for (const child of this.children) …`:
 * a function that leaves when its object (or the collection) tests empty, on
 * a statement before the loop in an enclosing block, has something to iterate
 * (the collection is a field of that object: `isEmpty` is its own account of
 * it). Not past another loop, which could have emptied it.
 */
function leftWhenEmpty(ts: TypeScript, loop: ts.ForOfStatement): boolean {
  const collection = skipOuterExpressions(ts, loop.expression);
  if (!ts.isPropertyAccessExpression(collection)) return false;
  const owner = skipOuterExpressions(ts, collection.expression);
  if (owner.kind !== ts.SyntaxKind.ThisKeyword && !ts.isIdentifier(owner)) return false;
  let child: ts.Node = loop;
  let texts: { owner: string; collection: string } | undefined;
  for (let node = loop.parent; node && !ts.isFunctionLike(node) && !ts.isSourceFile(node); child = node, node = node.parent) {
    if (node !== loop.parent && isLoopStatement(ts, node)) return false;
    if (!ts.isBlock(node)) continue;
    for (const statement of node.statements) {
      if (statement === child) break;
      if (!ts.isIfStatement(statement) || statement.elseStatement || !leaves(ts, statement.thenStatement)) continue;
      texts ??= { owner: owner.getText(), collection: collection.getText() };
      if (testsEmpty(ts, statement.expression, texts.owner, texts.collection)) return true;
    }
  }
  return false;
}

function isLoopStatement(ts: TypeScript, node: ts.Node): boolean {
  return ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

/** `owner.isEmpty`, `owner.isEmpty()`, `collection.length === 0`, `collection.size === 0`, `!collection.length`. */
function testsEmpty(ts: TypeScript, condition: ts.Expression, owner: string, collection: string): boolean {
  let test = skipOuterExpressions(ts, condition);
  if (ts.isCallExpression(test) && test.arguments.length === 0) test = skipOuterExpressions(ts, test.expression);
  if (ts.isPropertyAccessExpression(test) && test.name.text === 'isEmpty') return test.expression.getText() === owner;
  const sized = (node: ts.Expression): boolean => {
    const inner = skipOuterExpressions(ts, node);
    return ts.isPropertyAccessExpression(inner) && (inner.name.text === 'length' || inner.name.text === 'size') && inner.expression.getText() === collection;
  };
  if (ts.isPrefixUnaryExpression(test) && test.operator === ts.SyntaxKind.ExclamationToken) return sized(test.operand);
  if (!ts.isBinaryExpression(test)) return false;
  const zero = skipOuterExpressions(ts, test.right);
  const equals = test.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || test.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken;
  return equals && ts.isNumericLiteral(zero) && zero.text === '0' && sized(test.left);
}

/** `3`, or `xs.length` with `xs` at least that long; -Infinity when unknown. */
function upperBound(ts: TypeScript, library: Library, node: ts.Expression): number {
  const inner = skipOuterExpressions(ts, node);
  if (ts.isNumericLiteral(inner)) return Number(inner.text);
  if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'length') return minimumLength(ts, library, inner.expression);
  return -Infinity;
}

/** How many elements the array certainly has: its literal's elements other than spreads, read through a never-emptied `const`. */
function minimumLength(ts: TypeScript, library: Library, node: ts.Expression): number {
  const inner = skipOuterExpressions(ts, node);
  if (ts.isArrayLiteralExpression(inner)) return inner.elements.filter((element) => !ts.isSpreadElement(element)).length;
  if (!ts.isIdentifier(inner)) return 0;
  // Through the scopes where they answer (a parameter, a local): the checker's answer without its cost.
  const declaration = library.referenceTo(inner, ANY_SYMBOL)?.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer || !ts.isIdentifier(declaration.name)) return 0;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return 0;
  // Exported, another module may empty it.
  if (ts.isVariableStatement(list.parent) && list.parent.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return 0;
  const literal = skipOuterExpressions(ts, declaration.initializer);
  if (!ts.isArrayLiteralExpression(literal)) return 0;
  return neverEmptied(ts, library, declaration.name) ? minimumLength(ts, library, literal) : 0;
}

/** `Library.referenceTo` resolves through the scopes whatever symbol it finds there. */
const ANY_SYMBOL = { has: (): boolean => true };

/** Array methods that leave the array's length alone. */
const READS = new Set(['length', 'at', 'concat', 'entries', 'every', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flat', 'flatMap', 'forEach', 'includes', 'indexOf', 'join', 'keys', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'slice', 'some', 'toString', 'values']);

/**
 * Whether every reference to the `const` array `name` (in the scope that
 * declares it) leaves its length alone: indexed (`xs[i]`, a write too),
 * `xs.length` read, a method of `READS` called, iterated or spread. Anything
 * else (`xs.pop()`, `xs.length = 0`, handing `xs` to a function) might empty it.
 */
function neverEmptied(ts: TypeScript, library: Library, name: ts.Identifier): boolean {
  const symbol = library.symbolAt(name);
  const scope = name.parent.parent.parent.parent; // declaration, list, statement, then its block
  if (!symbol || !scope) return false;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe) return;
    if (ts.isIdentifier(node)) {
      if (node !== name && node.text === name.text && library.referenceTo(node, ANY_SYMBOL) === symbol && !keepsLength(ts, node)) safe = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return safe;
}

function keepsLength(ts: TypeScript, reference: ts.Identifier): boolean {
  const parent = reference.parent;
  if (ts.isElementAccessExpression(parent)) return parent.expression === reference;
  if (ts.isForOfStatement(parent) || ts.isSpreadElement(parent)) return true;
  if (!ts.isPropertyAccessExpression(parent) || parent.expression !== reference || !READS.has(parent.name.text)) return false;
  if (parent.name.text !== 'length') return true;
  const user = parent.parent;
  const written =
    (ts.isBinaryExpression(user) && user.left === parent && user.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && user.operatorToken.kind <= ts.SyntaxKind.LastAssignment) ||
    ((ts.isPrefixUnaryExpression(user) || ts.isPostfixUnaryExpression(user)) && (user.operator === ts.SyntaxKind.PlusPlusToken || user.operator === ts.SyntaxKind.MinusMinusToken));
  return !written;
}
