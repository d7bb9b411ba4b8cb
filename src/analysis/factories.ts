// What the simulation commands offer in a TypeScript file, found by walking its
// syntax tree: exported vtable factories (functions callable with no arguments
// that return a `RawWaker` or a `Waker`) and each `new RawWakerVTable(...)`, for
// the code lens. Syntax only: a lens must not wait for a type check, and the
// parser already knows what is a comment, a string, a template or a regex.

import type * as ts from 'typescript';
import { skipOuterExpressions, walkUpOuterExpressions } from './syntax';
import type { TypeScript } from './types';

/** 0-based position, as VS Code's `Position`. */
export interface TextPosition {
  readonly line: number;
  readonly character: number;
}

export interface Factory {
  readonly name: string;
  /** The declared return type, when it is `RawWaker` or `Waker`. */
  readonly returns?: 'RawWaker' | 'Waker';
  /** Where the name is. */
  readonly position: TextPosition;
  /** The declaration's node, to see which vtable it uses. */
  readonly node: ts.Node;
}

export interface VtableSite {
  /** Where `new RawWakerVTable` starts. */
  readonly position: TextPosition;
  readonly offset: number;
  /** The variable it initialises (`const VTABLE = new RawWakerVTable(...)`), if any. */
  readonly variable?: string;
}

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

interface Candidate {
  readonly name: ts.Identifier;
  readonly fn: FunctionLike;
  readonly declaration: ts.Node;
  readonly exported: boolean;
}

/**
 * Exported functions that can be called with no arguments. Those declared to
 * return `RawWaker` or `Waker` come first; if there are none, every such
 * function is offered (the simulator reports a wrong return value clearly).
 */
export function findFactories(ts: TypeScript, file: ts.SourceFile): Factory[] {
  const candidates: Candidate[] = [];
  // `function f() {}` … `export { f }` (renames are skipped: the simulator needs the exported name).
  const exportedLater = new Set<string>();
  const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
      candidates.push({ name: statement.name, fn: statement, declaration: statement, exported: isExported(statement) });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const initializer = declaration.initializer && skipOuterExpressions(ts, declaration.initializer);
        if (!ts.isIdentifier(declaration.name) || !initializer || !(ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer))) continue;
        candidates.push({ name: declaration.name, fn: initializer, declaration: statement, exported: isExported(statement) });
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && !statement.isTypeOnly && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) if (!element.propertyName) exportedLater.add(element.name.text);
    }
  }
  const seen = new Set<string>();
  const factories: Factory[] = [];
  for (const candidate of candidates) {
    const name = candidate.name.text;
    if (seen.has(name) || !(candidate.exported || exportedLater.has(name)) || needsArguments(candidate.fn)) continue;
    seen.add(name);
    const returns = wakerReturnType(ts, candidate.fn);
    factories.push({
      name,
      ...(returns ? { returns } : {}),
      position: file.getLineAndCharacterOfPosition(candidate.name.getStart(file)),
      node: candidate.declaration,
    });
  }
  const typed = factories.filter((f) => f.returns);
  return typed.length > 0 ? typed : factories;
}

/** A required parameter: not optional, no default, not a rest parameter. */
function needsArguments(fn: FunctionLike): boolean {
  return fn.parameters.some((p) => !p.questionToken && !p.initializer && !p.dotDotDotToken);
}

/** `RawWaker` or `Waker` exactly (not `Waker<T>`, `ns.Waker`, `Waker | undefined`). */
function wakerReturnType(ts: TypeScript, fn: FunctionLike): Factory['returns'] {
  const type = fn.type;
  if (!type || !ts.isTypeReferenceNode(type) || type.typeArguments || !ts.isIdentifier(type.typeName)) return undefined;
  const name = type.typeName.text;
  return name === 'RawWaker' || name === 'Waker' ? name : undefined;
}

/** Every `new RawWakerVTable(...)` in the file, with the variable it initialises. */
export function findVtables(ts: TypeScript, file: ts.SourceFile): VtableSite[] {
  const sites: VtableSite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RawWakerVTable') {
      // `const VTABLE = new RawWakerVTable(...)`, also through parentheses, `as` and `satisfies`.
      const outer = walkUpOuterExpressions(ts, node);
      const owner = outer.parent;
      const variable = owner && ts.isVariableDeclaration(owner) && owner.initializer === outer && ts.isIdentifier(owner.name) ? owner.name.text : undefined;
      const offset = node.getStart(file);
      sites.push({ position: file.getLineAndCharacterOfPosition(offset), offset, ...(variable ? { variable } : {}) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sites;
}

/** The factories that build wakers with this vtable: those that name its variable; else all. */
export function factoriesUsing(ts: TypeScript, factories: readonly Factory[], vtable: VtableSite): Factory[] {
  const variable = vtable.variable;
  if (!variable) return [...factories];
  const names = (node: ts.Node): boolean => (ts.isIdentifier(node) && node.text === variable) || (ts.forEachChild(node, names) ?? false);
  const using = factories.filter((f) => names(f.node));
  return using.length > 0 ? using : [...factories];
}
