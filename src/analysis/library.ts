// Recognising the waker library through the type checker: a call is a waker
// operation when the symbol it resolves to is declared in the library's files,
// whether imported as `wakerscope/waker` (installed or mapped with `paths`) or
// by a relative path. Names alone never decide.

import type * as ts from 'typescript';
import type { TypeScript } from './types';

/** Files that declare the library: this repository's sources or the installed package's .d.ts. */
const LIBRARY_FILE = /(?:^|[\\/])(?:src[\\/]waker|wakerscope[\\/]dist[\\/]waker)[\\/][^\\/]+\.(?:d\.)?ts$/;

export function isLibraryFile(fileName: string): boolean {
  return LIBRARY_FILE.test(fileName);
}

/**
 * What a call or property resolves to in the library: `Waker#wake` for an
 * instance member (of `Waker` or `WakerRef`), `Waker.fromRaw` for a static one,
 * `drop` for a free function, `Poll.pending` for a member of the `Poll` object.
 */
export type LibraryName = string;

/** Names worth asking the checker about; anything else is skipped without a symbol lookup (speed). */
const MEMBER_NAMES = new Set([
  'clone', 'wake', 'wakeByRef', 'drop', 'willWake', 'fromRaw', 'fromArc', 'noop', 'intoRaw', 'new',
  'strongCount', 'incrementStrongCount', 'decrementStrongCount', 'value', 'data', 'vtable',
  'fromWaker', 'waker', 'ready', 'pending', 'forget', 'spawn', 'blockOn', 'run',
]);

export class Library {
  private readonly cache = new Map<ts.Node, LibraryName | undefined>();

  constructor(
    private readonly ts: TypeScript,
    private readonly checker: ts.TypeChecker,
  ) {}

  /** The library name of the thing `node` (an identifier, property access or call callee) refers to. */
  nameOf(node: ts.Node): LibraryName | undefined {
    if (this.cache.has(node)) return this.cache.get(node);
    const name = this.resolve(node);
    this.cache.set(node, name);
    return name;
  }

  /** The library name of a call's callee: `w.wake()` → `Waker#wake`. */
  calleeOf(call: ts.CallExpression | ts.NewExpression): LibraryName | undefined {
    const ts = this.ts;
    if (ts.isNewExpression(call)) return this.nameOf(call.expression);
    return this.nameOf(call.expression);
  }

  /** Whether `type` is (a union containing) the library class or interface `name`, e.g. `Waker`. */
  isType(type: ts.Type, name: 'Waker' | 'WakerRef' | 'RawWaker' | 'Box' | 'Arc' | 'Context' | 'RawWakerVTable'): boolean {
    if (type.isUnion()) return type.types.some((t) => this.isType(t, name));
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    if (!symbol || symbol.getName() !== name) return false;
    return (symbol.getDeclarations() ?? []).some((d) => isLibraryFile(d.getSourceFile().fileName));
  }

  private resolve(node: ts.Node): LibraryName | undefined {
    const ts = this.ts;
    const nameNode = ts.isPropertyAccessExpression(node) ? node.name : ts.isIdentifier(node) ? node : undefined;
    if (!nameNode) return undefined;
    const text = nameNode.text;
    if (ts.isIdentifier(node) && !MEMBER_NAMES.has(text) && !/^[A-Z]/.test(text)) return undefined;
    if (ts.isPropertyAccessExpression(node) && !MEMBER_NAMES.has(text)) return undefined;
    let symbol = this.checker.getSymbolAtLocation(nameNode);
    if (!symbol) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration || !isLibraryFile(declaration.getSourceFile().fileName)) return undefined;
    return qualify(ts, symbol, declaration);
  }
}

function qualify(ts: TypeScript, symbol: ts.Symbol, declaration: ts.Declaration): LibraryName {
  const name = symbol.getName();
  const parent = declaration.parent;
  if (ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent)) {
    const owner = parent.name?.text ?? '?';
    const isStatic = ts.canHaveModifiers(declaration) && (ts.getModifiers(declaration) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
    // A WakerRef member is the same operation as the Waker one.
    const ownerName = owner === 'WakerRef' ? 'Waker' : owner;
    return isStatic ? `${ownerName}.${name}` : `${ownerName}#${name}`;
  }
  if (ts.isObjectLiteralExpression(parent) && ts.isVariableDeclaration(parent.parent) && ts.isIdentifier(parent.parent.name)) {
    return `${parent.parent.name.text}.${name}`;
  }
  return name;
}
