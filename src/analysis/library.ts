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
  /** Per checker: the flow and vtable passes ask about the same callees. */
  private readonly names = new Map<ts.Node, LibraryName | undefined>();
  private readonly namesBySymbol = new Map<ts.Symbol, LibraryName | undefined>();

  constructor(
    private readonly ts: TypeScript,
    private readonly checker: ts.TypeChecker,
  ) {}

  /** `checker.getSymbolAtLocation(node)`. Not memoised: nodes are asked about about once (measured, a memo cost what it saved). */
  symbolAt(node: ts.Node): ts.Symbol | undefined {
    return this.checker.getSymbolAtLocation(node);
  }

  /** The library name of the thing `node` (an identifier, property access or call callee) refers to. */
  nameOf(node: ts.Node): LibraryName | undefined {
    const nameNode = this.candidateName(node);
    if (!nameNode) return undefined;
    let name = this.names.get(nameNode);
    if (name === undefined && !this.names.has(nameNode)) {
      name = this.resolve(nameNode);
      this.names.set(nameNode, name);
    }
    return name;
  }

  /** The library name of a call's callee: `w.wake()` → `Waker#wake`. */
  calleeOf(call: ts.CallExpression | ts.NewExpression): LibraryName | undefined {
    return this.nameOf(call.expression);
  }

  /** Whether `type` is (a union containing) the library class or interface `name`, e.g. `Waker`. */
  isType(type: ts.Type, name: 'Waker' | 'WakerRef' | 'RawWaker' | 'Box' | 'Arc' | 'Context' | 'RawWakerVTable'): boolean {
    if (type.isUnion()) return type.types.some((t) => this.isType(t, name));
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    if (!symbol || symbol.getName() !== name) return false;
    return (symbol.getDeclarations() ?? []).some((d) => isLibraryFile(d.getSourceFile().fileName));
  }

  /** The identifier to resolve, when its text could name something of the library (no checker needed to rule out the rest). */
  private candidateName(node: ts.Node): ts.Identifier | undefined {
    const ts = this.ts;
    if (node.kind === ts.SyntaxKind.PropertyAccessExpression) {
      const name = (node as ts.PropertyAccessExpression).name;
      return ts.isIdentifier(name) && MEMBER_NAMES.has(name.text) ? name : undefined;
    }
    if (node.kind === ts.SyntaxKind.Identifier) {
      const text = (node as ts.Identifier).text;
      return MEMBER_NAMES.has(text) || /^[A-Z]/.test(text) ? (node as ts.Identifier) : undefined;
    }
    return undefined;
  }

  private resolve(nameNode: ts.Identifier): LibraryName | undefined {
    const symbol = this.symbolAt(nameNode);
    if (!symbol) return undefined;
    if (this.namesBySymbol.has(symbol)) return this.namesBySymbol.get(symbol);
    let target = symbol;
    if (target.flags & this.ts.SymbolFlags.Alias) target = this.checker.getAliasedSymbol(target);
    const declaration = target.valueDeclaration ?? target.declarations?.[0];
    const name = declaration && isLibraryFile(declaration.getSourceFile().fileName) ? qualify(this.ts, target, declaration) : undefined;
    this.namesBySymbol.set(symbol, name);
    return name;
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
