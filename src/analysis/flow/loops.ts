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
import { skipOuterExpressions, syntaxOf } from '../syntax';
import { leaves } from './positions';

/** Whether the first test of `loop` is known to pass. */
export function runsAtLeastOnce(ts: TypeScript, library: Library, loop: ts.ForStatement | ts.ForOfStatement): boolean {
  const syntax = syntaxOf(ts);
  if (syntax.isForOfStatement(loop)) return minimumLength(ts, library, loop.expression) > 0 || leftWhenEmpty(ts, loop);
  const { initializer, condition } = loop;
  if (!initializer || !condition || !syntax.isVariableDeclarationList(initializer) || initializer.declarations.length !== 1) return false;
  const counter = initializer.declarations[0];
  const start = counter.initializer && skipOuterExpressions(ts, counter.initializer);
  const test = skipOuterExpressions(ts, condition);
  if (!start || !syntax.isNumericLiteral(start) || !syntax.isIdentifier(counter.name) || !syntax.isBinaryExpression(test)) return false;
  const left = skipOuterExpressions(ts, test.left);
  if (!syntax.isIdentifier(left) || left.text !== counter.name.text) return false;
  const bound = upperBound(ts, library, test.right);
  const first = Number(start.text);
  if (test.operatorToken.kind === syntax.SyntaxKind.LessThanToken) return first < bound;
  if (test.operatorToken.kind === syntax.SyntaxKind.LessThanEqualsToken) return first <= bound;
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
  const syntax = syntaxOf(ts);
  const collection = skipOuterExpressions(ts, loop.expression);
  if (!syntax.isPropertyAccessExpression(collection)) return false;
  const owner = skipOuterExpressions(ts, collection.expression);
  if (owner.kind !== syntax.SyntaxKind.ThisKeyword && !syntax.isIdentifier(owner)) return false;
  let child: ts.Node = loop;
  let texts: { owner: string; collection: string } | undefined;
  for (let node = loop.parent; node && !syntax.isFunctionLike(node) && !syntax.isSourceFile(node); child = node, node = node.parent) {
    if (node !== loop.parent && isLoopStatement(ts, node)) return false;
    if (!syntax.isBlock(node)) continue;
    for (const statement of node.statements) {
      if (statement === child) break;
      if (!syntax.isIfStatement(statement) || statement.elseStatement || !leaves(ts, statement.thenStatement)) continue;
      texts ??= { owner: owner.getText(), collection: collection.getText() };
      if (testsEmpty(ts, statement.expression, texts.owner, texts.collection)) return true;
    }
  }
  return false;
}

function isLoopStatement(ts: TypeScript, node: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  return syntax.isForStatement(node) || syntax.isForOfStatement(node) || syntax.isForInStatement(node) || syntax.isWhileStatement(node) || syntax.isDoStatement(node);
}

/** `owner.isEmpty`, `owner.isEmpty()`, `collection.length === 0`, `collection.size === 0`, `!collection.length`. */
function testsEmpty(ts: TypeScript, condition: ts.Expression, owner: string, collection: string): boolean {
  const syntax = syntaxOf(ts);
  let test = skipOuterExpressions(ts, condition);
  if (syntax.isCallExpression(test) && test.arguments.length === 0) test = skipOuterExpressions(ts, test.expression);
  if (syntax.isPropertyAccessExpression(test) && test.name.text === 'isEmpty') return test.expression.getText() === owner;
  const sized = (node: ts.Expression): boolean => {
    const inner = skipOuterExpressions(ts, node);
    return syntax.isPropertyAccessExpression(inner) && (inner.name.text === 'length' || inner.name.text === 'size') && inner.expression.getText() === collection;
  };
  if (syntax.isPrefixUnaryExpression(test) && test.operator === syntax.SyntaxKind.ExclamationToken) return sized(test.operand);
  if (!syntax.isBinaryExpression(test)) return false;
  const zero = skipOuterExpressions(ts, test.right);
  const equals = test.operatorToken.kind === syntax.SyntaxKind.EqualsEqualsEqualsToken || test.operatorToken.kind === syntax.SyntaxKind.EqualsEqualsToken;
  return equals && syntax.isNumericLiteral(zero) && zero.text === '0' && sized(test.left);
}

/** `3`, or `xs.length` with `xs` at least that long; -Infinity when unknown. */
function upperBound(ts: TypeScript, library: Library, node: ts.Expression): number {
  const syntax = syntaxOf(ts);
  const inner = skipOuterExpressions(ts, node);
  if (syntax.isNumericLiteral(inner)) return Number(inner.text);
  if (syntax.isPropertyAccessExpression(inner) && inner.name.text === 'length') return minimumLength(ts, library, inner.expression);
  return -Infinity;
}

/** How many elements the array certainly has: its literal's elements other than spreads, read through a never-emptied `const`. */
function minimumLength(ts: TypeScript, library: Library, node: ts.Expression): number {
  const syntax = syntaxOf(ts);
  const inner = skipOuterExpressions(ts, node);
  if (syntax.isArrayLiteralExpression(inner)) return inner.elements.filter((element) => !syntax.isSpreadElement(element)).length;
  if (!syntax.isIdentifier(inner)) return 0;
  // Through the scopes where they answer (a parameter, a local): the checker's answer without its cost.
  const declaration = library.referenceTo(inner, ANY_SYMBOL)?.valueDeclaration;
  if (!declaration || !syntax.isVariableDeclaration(declaration) || !declaration.initializer || !syntax.isIdentifier(declaration.name)) return 0;
  const list = declaration.parent;
  if (!syntax.isVariableDeclarationList(list) || !(list.flags & syntax.NodeFlags.Const)) return 0;
  // Exported, another module may empty it.
  if (syntax.isVariableStatement(list.parent) && list.parent.modifiers?.some((m) => m.kind === syntax.SyntaxKind.ExportKeyword)) return 0;
  const literal = skipOuterExpressions(ts, declaration.initializer);
  if (!syntax.isArrayLiteralExpression(literal)) return 0;
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
  const syntax = syntaxOf(ts);
  const symbol = library.symbolAt(name);
  const scope = name.parent.parent.parent.parent; // declaration, list, statement, then its block
  if (!symbol || !scope) return false;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe) return;
    if (syntax.isIdentifier(node)) {
      if (node !== name && node.text === name.text && library.referenceTo(node, ANY_SYMBOL) === symbol && !keepsLength(ts, node)) safe = false;
      return;
    }
    syntax.forEachChild(node, visit);
  };
  visit(scope);
  return safe;
}

function keepsLength(ts: TypeScript, reference: ts.Identifier): boolean {
  const syntax = syntaxOf(ts);
  const parent = reference.parent;
  if (syntax.isElementAccessExpression(parent)) return parent.expression === reference;
  if (syntax.isForOfStatement(parent) || syntax.isSpreadElement(parent)) return true;
  if (!syntax.isPropertyAccessExpression(parent) || parent.expression !== reference || !READS.has(parent.name.text)) return false;
  if (parent.name.text !== 'length') return true;
  const user = parent.parent;
  const written =
    (syntax.isBinaryExpression(user) && user.left === parent && user.operatorToken.kind >= syntax.SyntaxKind.FirstAssignment && user.operatorToken.kind <= syntax.SyntaxKind.LastAssignment) ||
    ((syntax.isPrefixUnaryExpression(user) || syntax.isPostfixUnaryExpression(user)) && (user.operator === syntax.SyntaxKind.PlusPlusToken || user.operator === syntax.SyntaxKind.MinusMinusToken));
  return !written;
}
