// Places: fields and array slots that hold a value, named by their access path
// from `this` or a local (`this.state.joiner`, `entry.waker`, `this.slots[key]`).
// The engine's aliasing rule and the fields checker name places the same way.
//
// An array slot is a place only when its index cannot change under it within
// the body: a literal (`slots[0]`), a name that is never written there
// (`const key`, an unwritten parameter), or a readonly property (`this.id`).
// `slots[i]` with a loop counter `i` is no place at all: it names another slot
// on every iteration. Two different index names are taken to be two different
// slots. A `Map` entry is a slot like any other: `waiters.get(id)` reads the
// place `waiters[id]`, and `set`/`delete` write it (see `MapMethod`).

import type * as ts from 'typescript';
import type { TypeScript } from '../types';
import { skipOuterExpressions, syntaxOf } from '../syntax';
import { NO_ITEMS } from '../arrays';

export interface AccessPath {
  /** `this.entry.waker`, `this.slots[key]` */
  readonly path: string;
  /** `this`, or the local the path starts from. */
  readonly root: string;
  /** The names its indexes read (`key` in `this.slots[key]`): writing one of them names another place. */
  readonly indexNames: readonly string[];
  /** What the last segment names: a field, an array slot (`slots[key]`) or a `Map` entry (`waiters.get(id)`, spelled as the program reads it). */
  readonly last?: 'field' | 'slot' | 'entry';
}

/** The `Map` methods that read or write one entry, or all of them: the rest (`values()`, `forEach`) reach the map as any call would. */
export type MapMethod = 'get' | 'set' | 'delete' | 'has' | 'clear';

/** What a body's place names depend on, answered by whoever holds the checker and the body (discovery). */
export interface PlaceNaming {
  /** Whether a name is written in the body (`i` in `i++`, `i = 0`), besides its declaration: such an index moves. */
  isWritten(name: string): boolean;
  /** Whether a property read as an index (`this.id`) is readonly: it names one entry for the whole body. */
  isReadonly(access: ts.PropertyAccessExpression): boolean;
  /** Which entry method of a `Map` a call is (`get` in `waiters.get(id)`), if it is one. */
  mapMethod(call: ts.CallExpression): MapMethod | undefined;
}

/** The access path of `node`, when it is one (at least one property or index: a bare name is a local, not a place). */
export function accessPath(ts: TypeScript, node: ts.Expression, naming: PlaceNaming): AccessPath | undefined {
  const path = objectPath(ts, node, naming);
  return path && path.path !== path.root ? path : undefined;
}

/** The path of the object `node` names: an access path, or a bare root (`entry` in `const { waker } = entry`). */
export function objectPath(ts: TypeScript, node: ts.Expression, naming: PlaceNaming): AccessPath | undefined {
  const { SyntaxKind } = syntaxOf(ts); // every receiver of every call is asked about
  // Outermost segment first (`.waker`, then `.entry` for `this.entry.waker`): each goes before the ones found so far.
  let segments = '';
  let indexNames: string[] | undefined;
  let last: AccessPath['last'];
  let current: ts.Expression = skipOuterExpressions(ts, node);
  for (;;) {
    let object: ts.Expression;
    if (current.kind === SyntaxKind.PropertyAccessExpression) {
      const name = (current as ts.PropertyAccessExpression).name;
      segments = `.${name.text}${segments}`;
      last ??= 'field';
      object = (current as ts.PropertyAccessExpression).expression;
    } else if (current.kind === SyntaxKind.ElementAccessExpression || (current.kind === SyntaxKind.CallExpression && naming.mapMethod(current as ts.CallExpression) === 'get')) {
      // `slots[key]`, and `waiters.get(id)`: the entry of `waiters` at `id`.
      const slot = current.kind === SyntaxKind.ElementAccessExpression;
      const key = keyOf(ts, slot ? (current as ts.ElementAccessExpression).argumentExpression : (current as ts.CallExpression).arguments[0], naming);
      if (!key) return undefined;
      segments = slot ? `[${key.text}]${segments}` : `.get(${key.text})${segments}`;
      if (key.name) (indexNames ??= []).push(key.name);
      last ??= slot ? 'slot' : 'entry';
      object = slot ? (current as ts.ElementAccessExpression).expression : ((current as ts.CallExpression).expression as ts.PropertyAccessExpression).expression;
    } else break;
    current = skipOuterExpressions(ts, object);
  }
  let root: string;
  if (current.kind === SyntaxKind.ThisKeyword) root = 'this';
  else if (current.kind === SyntaxKind.Identifier) root = (current as ts.Identifier).text;
  else return undefined;
  // Most paths read no index: they share one empty list (less garbage; every call's receiver is asked about).
  if (!last) return { path: root, root, indexNames: indexNames ?? NO_ITEMS };
  return { path: root + segments, root, indexNames: indexNames ?? NO_ITEMS, last };
}

/** The path of a `Map` entry (`waiters.get(id)` for `waiters.set(id, w)`), when the map and its key name one. */
export function entryPath(ts: TypeScript, map: ts.Expression, key: ts.Expression | undefined, naming: PlaceNaming): AccessPath | undefined {
  const container = objectPath(ts, map, naming);
  const index = container && keyOf(ts, key, naming);
  if (!container || !index) return undefined;
  return { path: `${container.path}.get(${index.text})`, root: container.root, indexNames: index.name ? [...container.indexNames, index.name] : container.indexNames, last: 'entry' };
}

/** An index that names one slot for the whole body: a literal, an unwritten name (which `name` reports), or a readonly `this.id`. */
function keyOf(ts: TypeScript, node: ts.Expression | undefined, naming: PlaceNaming): { readonly text: string; readonly name?: string } | undefined {
  const syntax = syntaxOf(ts);
  const index = node && skipOuterExpressions(ts, node);
  if (!index) return undefined;
  if (syntax.isNumericLiteral(index)) return { text: index.text };
  if (syntax.isStringLiteral(index)) return { text: `'${index.text}'` };
  if (syntax.isIdentifier(index)) return naming.isWritten(index.text) ? undefined : { text: index.text, name: index.text };
  if (syntax.isPropertyAccessExpression(index) && index.expression.kind === syntax.SyntaxKind.ThisKeyword && naming.isReadonly(index)) return { text: `this.${index.name.text}` };
  return undefined;
}

/** Whether `path` lies inside the object `outer` names (`this.state.joiner` inside `this.state`). */
export function isInside(path: string, outer: string): boolean {
  return path.length > outer.length && path.startsWith(outer) && (path[outer.length] === '.' || path[outer.length] === '[');
}

/** Whether the place `path` stops naming the same object when `name` is rebound (its root or one of its indexes). */
export function dependsOnName(place: AccessPath, name: string): boolean {
  return place.root === name || place.indexNames.includes(name);
}

/**
 * The path a destructured binding reads: `entry.waker` for `waker` in
 * `const { waker } = entry`, `entry[1]` for `w` in `const [id, w] = entry`.
 */
export function destructuredPath(ts: TypeScript, element: ts.BindingElement, initializerPath: string): string | undefined {
  const syntax = syntaxOf(ts);
  const segments: string[] = [];
  let current: ts.Node = element;
  while (syntax.isBindingElement(current)) {
    const pattern: ts.Node = current.parent;
    if (syntax.isObjectBindingPattern(pattern)) {
      const key = current.propertyName ?? current.name;
      if (!syntax.isIdentifier(key)) return undefined;
      segments.unshift(`.${key.text}`);
    } else if (syntax.isArrayBindingPattern(pattern)) {
      segments.unshift(`[${pattern.elements.indexOf(current)}]`);
    } else return undefined;
    current = pattern.parent;
  }
  return syntax.isVariableDeclaration(current) ? initializerPath + segments.join('') : undefined;
}

/** The names written in a body's own code (assignment targets, `++`/`--`), besides declarations. */
export function writtenNames(ts: TypeScript, identifiers: readonly ts.Identifier[], isWriteTarget: (identifier: ts.Identifier) => boolean): Set<string> {
  const names = new Set<string>();
  for (const identifier of identifiers) if (isWriteTarget(identifier)) names.add(identifier.text);
  return names;
}

/** The roots a call may reach: its receiver (`this` in `this.take()`) and the plain names it is passed (`helper(entry)`). */
export function rootsReachedBy(ts: TypeScript, call: ts.CallExpression): Set<string> {
  const syntax = syntaxOf(ts);
  const roots = new Set<string>();
  const callee = skipOuterExpressions(ts, call.expression);
  const add = (node: ts.Expression): void => {
    const inner = skipOuterExpressions(ts, node);
    if (inner.kind === syntax.SyntaxKind.ThisKeyword) roots.add('this');
    else if (syntax.isIdentifier(inner)) roots.add(inner.text);
  };
  if (syntax.isPropertyAccessExpression(callee)) add(callee.expression);
  for (const argument of call.arguments) add(argument);
  return roots;
}
