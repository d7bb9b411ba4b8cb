// Recognising the waker library through the type checker: a call is a waker
// operation when the symbol it resolves to is declared in the library's files,
// whether imported as `wakerscope/waker` (installed by copy or symlink, or
// mapped with `paths`) or by a relative path. Names alone never decide.
//
// The library's files are known by identity, not by path: a folder is the
// library when its `runtime` module (src/waker/runtime.ts, or the published
// dist/waker/runtime.d.ts) declares the brand interface `WakerscopeLibrary`.
// TypeScript resolves a symlinked install to its real path, which no path
// pattern can know, and a user's own `src/waker/` folder has no brand.

import type * as ts from 'typescript';
import type { TypeScript } from './types';
import { checkerOf, type Checker } from './checker';
import { kindTest } from './syntax';

const BRAND = 'WakerscopeLibrary';
const BRAND_MODULES = ['runtime.ts', 'runtime.d.ts'];

/** Per program: which folders (by file-name prefix) hold the branded library, and the answer per file. */
const libraryFolders = new WeakMap<ts.Program, { readonly folders: Map<string, boolean>; readonly files: WeakMap<ts.SourceFile, boolean> }>();

/** Whether `file` is one of the library's own files (source or declaration). */
export function isLibraryFile(program: ts.Program, file: ts.SourceFile): boolean {
  let known = libraryFolders.get(program);
  if (!known) libraryFolders.set(program, (known = { folders: new Map(), files: new WeakMap() }));
  // Asked for the declaration of every type and symbol the rules look at: answered once per file (speed).
  let answer = known.files.get(file);
  if (answer === undefined) {
    const folder = file.fileName.slice(0, file.fileName.lastIndexOf('/') + 1);
    answer = known.folders.get(folder);
    if (answer === undefined) {
      answer = BRAND_MODULES.some((name) => program.getSourceFile(folder + name)?.statements.some(declaresBrand) === true);
      known.folders.set(folder, answer);
    }
    known.files.set(file, answer);
  }
  return answer;
}

/** Whether some file of the program is the library, i.e. some file imports it. */
export function programImportsLibrary(program: ts.Program): boolean {
  return program.getSourceFiles().some((file) => isLibraryFile(program, file));
}

function declaresBrand(statement: ts.Statement): boolean {
  return (statement as Partial<ts.InterfaceDeclaration>).name?.text === BRAND;
}

/**
 * What a call or property resolves to in the library: `Waker#wake` for an
 * instance member (of `Waker` or `WakerRef`), `Waker.fromRaw` for a static one,
 * `drop` for a free function, `Poll.pending` for a member of the `Poll` object.
 */
export type LibraryName = string;

/** The library's classes and interfaces the rules ask about by type. */
export type LibraryTypeName = 'Waker' | 'WakerRef' | 'RawWaker' | 'Box' | 'Arc' | 'Context' | 'RawWakerVTable';

/** Names worth asking the checker about; anything else is skipped without a symbol lookup (speed). */
const MEMBER_NAMES = new Set([
  'clone', 'wake', 'wakeByRef', 'drop', 'willWake', 'fromRaw', 'fromArc', 'noop', 'intoRaw', 'new',
  'strongCount', 'incrementStrongCount', 'decrementStrongCount', 'value', 'data', 'vtable',
  'fromWaker', 'waker', 'ready', 'pending', 'isReady', 'isPending', 'forget', 'spawn', 'blockOn', 'run',
]);

function isCapitalised(text: string): boolean {
  const first = text.charCodeAt(0);
  return first >= 65 && first <= 90; // A-Z
}

/**
 * Whether a name's text could name something of the library: one of its
 * member names, or capitalised. Asked of the escaped text, which is the text
 * but for names starting `__` (escaped with one more `_`), which neither test
 * takes: no `.text` getter per name (speed).
 */
function isCandidateText(escapedText: ts.__String): boolean {
  const text = escapedText as string;
  return MEMBER_NAMES.has(text) || isCapitalised(text);
}

/**
 * How many files' tables (`FileNames`) a Library keeps: the file being
 * analysed and one it reaches into (a slot declared elsewhere, a helper's
 * body). Older tables are dropped, so they die young: one Library lives
 * through a whole program's analysis, and tables kept for every file were
 * copied by each scavenge and promoted (about half a megabyte in a 1×
 * worst-case analysis, a fifth of what it promoted).
 */
const RECENT_FILES = 2;

/** The library's classes whose constructors are private: no class extends them, so narrowing a value of one never makes it another's. */
const UNEXTENDABLE_CLASSES: ReadonlySet<string> = new Set(['Waker', 'Box', 'Arc', 'Context']);

/** Where `this` means something other than an instance member's `this` (or where the checker has rules of its own for it). */
const isThisBoundary = kindTest((k) => [
  k.SourceFile, k.ModuleDeclaration, k.EnumDeclaration, k.FunctionDeclaration, k.FunctionExpression, k.ClassStaticBlockDeclaration,
  k.ClassDeclaration, k.ClassExpression, k.ComputedPropertyName, k.Decorator,
  k.PropertySignature, k.MethodSignature, k.CallSignature, k.ConstructSignature, k.IndexSignature,
]);

export class Library {
  /** What the names of the files asked about last were found to be, the latest first (see `FileNames`, `RECENT_FILES`). */
  private readonly recentFiles: FileNames[] = [];
  private readonly namesBySymbol = new Map<ts.Symbol, LibraryName | undefined>();
  private readonly namesByType = new Map<ts.Type, ReadonlySet<string>>();
  /** Per imported value (the library's `Arc`, `Poll`): the names of its members, as in `Arc.fromRaw`. */
  private readonly memberNames = new Map<ts.Symbol, Map<string, LibraryName | undefined>>();

  private readonly checker: Checker;
  /** The module's enums and the one predicate asked per scope, read once: each `ts.X` calls a getter of a module with ~2,000 (speed). The passes read them here too. */
  readonly SyntaxKind: typeof ts.SyntaxKind;
  readonly SymbolFlags: typeof ts.SymbolFlags;
  readonly NodeFlags: typeof ts.NodeFlags;
  private readonly TypeFlags: typeof ts.TypeFlags;
  private readonly ObjectFlags: typeof ts.ObjectFlags;
  private readonly isFunctionLike: typeof ts.isFunctionLike;
  /** Per class or interface a receiver's type was found to be: whether the library declares it. */
  private readonly libraryObjects = new Map<ts.Symbol, boolean>();

  constructor(
    private readonly ts: TypeScript,
    private readonly program: ts.Program,
  ) {
    this.checker = checkerOf(program);
    this.SyntaxKind = ts.SyntaxKind;
    this.SymbolFlags = ts.SymbolFlags;
    this.NodeFlags = ts.NodeFlags;
    this.TypeFlags = ts.TypeFlags;
    this.ObjectFlags = ts.ObjectFlags;
    this.isFunctionLike = ts.isFunctionLike;
  }

  /** Whether `declaration` is the library's (declared in one of its files). */
  declares(declaration: ts.Declaration): boolean {
    return isLibraryFile(this.program, declaration.getSourceFile());
  }

  /** `checker.getSymbolAtLocation(node)`. Not memoised: nodes are asked about about once (measured, a memo cost what it saved). */
  symbolAt(node: ts.Node): ts.Symbol | undefined {
    return this.checker.getSymbolAtLocation(node);
  }

  /** The library name of the thing `node` (an identifier, property access or call callee) refers to. */
  nameOf(node: ts.Node): LibraryName | undefined {
    const { SyntaxKind } = this;
    let nameNode: ts.Identifier;
    let file: FileNames;
    // Only a name whose text could name something of the library is resolved (no checker needed to rule out the rest).
    if (node.kind === SyntaxKind.PropertyAccessExpression) {
      // A class through a namespace import (`new task.RawWakerVTable(…)`) is capitalised, as an imported one is.
      const name = (node as ts.PropertyAccessExpression).name;
      if (name.kind !== SyntaxKind.Identifier || !isCandidateText((name as ts.Identifier).escapedText)) return undefined;
      nameNode = name as ts.Identifier;
      file = this.fileNames(nameNode.getSourceFile());
    } else if (node.kind === SyntaxKind.Identifier) {
      nameNode = node as ts.Identifier;
      file = this.fileNames(nameNode.getSourceFile());
      // A name the file imports under another name (`import { drop as release }`) is a candidate too.
      if (!isCandidateText(nameNode.escapedText) && this.importNamed(file, nameNode.escapedText) === undefined) return undefined;
    } else return undefined;
    // `null`: asked, and not the library's (one lookup for the usual answer).
    let name = file.names.get(nameNode);
    if (name === undefined) {
      name = this.resolve(nameNode) ?? null;
      file.names.set(nameNode, name);
    }
    return name ?? undefined;
  }

  /** The library name of a call's callee: `w.wake()` → `Waker#wake`. */
  calleeOf(call: ts.CallExpression | ts.NewExpression): LibraryName | undefined {
    return this.nameOf(call.expression);
  }

  /** Whether `type` is (a union containing) the library class or interface `name`, e.g. `Waker`. */
  isType(type: ts.Type, name: LibraryTypeName): boolean {
    return this.typeNames(type).has(name);
  }

  /**
   * `isType(checker.getTypeAtLocation(target), name)` for `target` an
   * assignment's target (`this.waker` in `this.waker = w`). The checker types
   * an assigned property by its symbol's declared type, never narrowed, but
   * gets there by checking the object expression (`this`, a local) with flow
   * analysis, most of the cost of asking. The symbol, resolved when the file
   * was checked, answers alone for a property declared with a type or an
   * initializer, not `readonly` (assigning one is an error, typed as such),
   * and not made up by the checker (a union's property, whose write type is
   * computed; a generic's or a mapped type's). Anything else asks the checker.
   */
  isAssignedType(target: ts.Expression, name: LibraryTypeName): boolean {
    const { SyntaxKind, SymbolFlags } = this;
    const assignment = target.parent as ts.BinaryExpression;
    if (target.kind === SyntaxKind.PropertyAccessExpression && assignment.kind === SyntaxKind.BinaryExpression && assignment.left === target && assignment.operatorToken.kind === SyntaxKind.EqualsToken) {
      const property = this.thisProperty(target as ts.PropertyAccessExpression) ?? this.checker.getSymbolAtLocation(target);
      const declaration = property?.valueDeclaration as ts.PropertyDeclaration | ts.PropertySignature | undefined;
      const declared =
        (declaration?.kind === SyntaxKind.PropertySignature || (declaration?.kind === SyntaxKind.PropertyDeclaration && (declaration.type !== undefined || declaration.initializer !== undefined))) &&
        (property!.flags & (SymbolFlags.Property | SymbolFlags.Transient)) === SymbolFlags.Property &&
        !(this.ts.getCombinedModifierFlags(declaration) & this.ts.ModifierFlags.Readonly);
      if (declared) return this.isType(this.checker.getTypeOfSymbol(property!), name);
    }
    return this.isType(this.checker.getTypeAtLocation(target), name);
  }

  /** The library classes and interfaces `type` is, or its union holds; once per type (the rules ask about the same few types again and again). */
  private typeNames(type: ts.Type): ReadonlySet<string> {
    let names = this.namesByType.get(type);
    if (!names) {
      const found = new Set<string>();
      for (const member of type.isUnion() ? type.types : [type]) {
        const symbol = member.getSymbol() ?? member.aliasSymbol;
        if (symbol && (symbol.getDeclarations() ?? []).some((d) => this.declares(d))) found.add(symbol.getName());
      }
      names = found;
      this.namesByType.set(type, names);
    }
    return names;
  }

  /**
   * `checker.getSymbolAtLocation(reference)` for a reference to a name the
   * caller tracks (a slot's `data`, a local waker): without the checker when
   * the scopes between the reference and the file declare one of `known`
   * (see `scopeLookup`).
   */
  referenceTo(reference: ts.Identifier, known: { has(symbol: ts.Symbol): boolean }): ts.Symbol | undefined {
    const found = this.scopeLookup(reference);
    return found && !isSourceFile(found) && known.has(found) ? found : this.symbolAt(reference);
  }

  /**
   * `checker.getSymbolAtLocation(reference)` for a name read as a value (a
   * vtable's slot argument, `cloneArc`), without the checker where the scopes
   * answer (see `scopeLookup`), down to a module's own declarations: at the
   * file, a module's table of locals holds what it declares without `export`
   * as the symbol the checker finds first (an exported declaration's local is
   * only a stand-in for its export, and an import is an alias: both are left
   * to the checker, as are scripts, whose declarations are global, and
   * JavaScript files, where the checker has rules of its own).
   */
  valueAt(reference: ts.Identifier): ts.Symbol | undefined {
    const found = this.scopeLookup(reference);
    if (found !== undefined && !isSourceFile(found)) return found;
    const file = found;
    const local = file && this.ts.isExternalModule(file) && !(file.flags & this.NodeFlags.JavaScriptFile) ? localsOf(file)?.get(reference.escapedText) : undefined;
    return local && local.flags & this.SymbolFlags.Value ? local : this.symbolAt(reference);
  }

  /**
   * `checker.getSymbolAtLocation(name)` for the name of a parameter or of a
   * variable declared in a function: the symbol the binder made for the
   * declaration, which is what the checker answers for a declaration's name
   * wherever nothing merges into it, as nothing can into a function's own
   * names. A file's own variables (which a script shares with the globals)
   * and destructured names are left to the checker.
   */
  declaredBy(name: ts.Identifier): ts.Symbol | undefined {
    const { SyntaxKind } = this;
    const declaration = name.parent as ts.Node & { readonly name?: ts.Node; readonly symbol?: ts.Symbol };
    const inFunction =
      declaration.name === name &&
      (declaration.kind === SyntaxKind.Parameter || (declaration.kind === SyntaxKind.VariableDeclaration && this.insideFunction(declaration)));
    return (inFunction && declaration.symbol) || this.symbolAt(name);
  }

  /** Whether `node` is inside a function's body or signature (not only a file's or namespace's block). */
  private insideFunction(node: ts.Node): boolean {
    const { SyntaxKind } = this;
    for (let at = node.parent; at.kind !== SyntaxKind.SourceFile && at.kind !== SyntaxKind.ModuleBlock; at = at.parent) {
      if (this.isFunctionLike(at) || at.kind === SyntaxKind.ClassStaticBlockDeclaration) return true;
    }
    return false;
  }

  /**
   * The import `identifier` names, as a callee (`drop(w)`, `new RawWaker(…)`)
   * or a receiver (`Arc` in `Arc.fromRaw(data)`): when no scope between it and
   * the file declares the name, it is the file's import (see `scopeLookup`).
   */
  private importAt(identifier: ts.Identifier): Import | undefined {
    const parent = identifier.parent;
    if (!isCallee(this.SyntaxKind, identifier) && !(parent.kind === this.SyntaxKind.PropertyAccessExpression && (parent as ts.PropertyAccessExpression).expression === identifier)) return undefined;
    const file = this.scopeLookup(identifier);
    return file && isSourceFile(file) ? this.importNamed(this.fileNames(file), identifier.escapedText) : undefined;
  }

  /**
   * What the checker's name resolution finds for `reference` (a name read as a
   * value), done as it does it but without its cost (`getSymbolAtLocation`
   * walks to the root twice for JSDoc before resolving; about ten times this):
   * the first scope up from the reference whose binder table declares the
   * name, or the file itself when none below the file does. `undefined` wherever
   * the checker has a rule of its own (a declaration's name, types, JSDoc,
   * parameter lists, decorators, computed names, namespaces, enums, a named
   * function or class expression's own name, `with`, `arguments`): the caller
   * then asks the checker. The binder's tables are TypeScript's internals,
   * read defensively: should they ever be missing, nothing is found here and
   * the checker answers everything.
   */
  private scopeLookup(reference: ts.Identifier): ts.Symbol | ts.SourceFile | undefined {
    const { SyntaxKind, SymbolFlags } = this;
    const name = reference.escapedText;
    const parent = reference.parent;
    if (name === 'arguments' || name === 'const' || !isValueReference(SyntaxKind, reference)) return undefined;
    let last: ts.Node = reference;
    let scope = parent;
    for (; scope.kind !== SyntaxKind.SourceFile; last = scope, scope = scope.parent) {
      const kind = scope.kind;
      const declared = localsOf(scope)?.get(name);
      if (declared) {
        // In a function's parameters or signature, the checker picks between scopes by rules of its own.
        if (!(declared.flags & SymbolFlags.Value) || (this.isFunctionLike(scope) && last !== (scope as ts.FunctionLikeDeclaration).body)) return undefined;
        return declared;
      }
      if ((kind >= SyntaxKind.FirstTypeNode && kind <= SyntaxKind.LastTypeNode) || (kind >= SyntaxKind.FirstJSDocNode && kind <= SyntaxKind.LastJSDocNode)) return undefined;
      switch (kind) {
        case SyntaxKind.ModuleDeclaration:
        case SyntaxKind.EnumDeclaration:
        case SyntaxKind.WithStatement:
        case SyntaxKind.Decorator:
        case SyntaxKind.ComputedPropertyName:
        case SyntaxKind.ExpressionWithTypeArguments:
        case SyntaxKind.Parameter:
        case SyntaxKind.BindingElement:
          return undefined;
        case SyntaxKind.FunctionExpression:
        case SyntaxKind.ClassExpression:
          if ((scope as ts.FunctionExpression).name?.escapedText === name) return undefined;
      }
    }
    return scope as ts.SourceFile;
  }

  /**
   * The value `file` imports as `name`, or undefined. The binder's table of
   * the file's names holds the import's own symbol, the alias the checker
   * answers for the import's name; resolved (what it stands for) only for a
   * name asked about, once per file (a file imports many names and calls few).
   */
  private importNamed(file: FileNames, name: ts.__String): Import | undefined {
    const imports = file.imports;
    let imported = imports.get(name);
    if (imported === undefined && !imports.has(name)) {
      imported = this.valueImport(localsOf(file.file)?.get(name));
      imports.set(name, imported);
    }
    return imported;
  }

  private fileNames(file: ts.SourceFile): FileNames {
    const recent = this.recentFiles;
    for (let i = 0; i < recent.length; i++) if (recent[i].file === file) return recent[i];
    const names: FileNames = { file, names: new Map(), imports: new Map() };
    if (recent.length === RECENT_FILES) recent.pop();
    recent.unshift(names);
    return names;
  }

  /** `symbol` as a value import of an import declaration (a name imported as a type is not what a call resolves to). */
  private valueImport(symbol: ts.Symbol | undefined): Import | undefined {
    const { SymbolFlags } = this;
    if (!symbol || !(symbol.flags & SymbolFlags.Alias) || !symbol.declarations?.some((declaration) => isValueImport(this.SyntaxKind, declaration))) return undefined;
    const target = this.checker.getAliasedSymbol(symbol);
    return target.flags & SymbolFlags.Value ? { symbol, target } : undefined;
  }

  private resolve(nameNode: ts.Identifier): LibraryName | undefined {
    const { SyntaxKind } = this;
    const parent = nameNode.parent;
    if (parent.kind === SyntaxKind.PropertyAccessExpression && (parent as ts.PropertyAccessExpression).name === nameNode) {
      const access = parent as ts.PropertyAccessExpression;
      const receiver = access.expression;
      const found = receiver.kind === SyntaxKind.Identifier ? this.scopeLookup(receiver as ts.Identifier) : undefined;
      // A called member of an import (`Arc.fromRaw(data)`, `Poll.pending()`) is the same member wherever it is called:
      // the checker narrows variables and parameters, never an import, so the receiver always has the import's type.
      const imported = found && isSourceFile(found) && isCallee(SyntaxKind, access) ? this.importNamed(this.fileNames(found), (receiver as ts.Identifier).escapedText) : undefined;
      if (imported) {
        let members = this.memberNames.get(imported.target);
        if (!members) this.memberNames.set(imported.target, (members = new Map()));
        if (!members.has(nameNode.text)) members.set(nameNode.text, this.nameOfSymbol(this.symbolAt(nameNode)));
        return members.get(nameNode.text);
      }
      const member = this.memberOfReceiverType(access, found);
      if (member) return this.nameOfSymbol(member);
    }
    return this.nameOfSymbol(this.importAt(nameNode)?.symbol ?? this.symbolAt(nameNode));
  }

  /**
   * `checker.getSymbolAtLocation(access.name)` where the receiver's type
   * answers without the checker's way to the property (its tests for JSDoc,
   * declaration names and types before it reads the name's links: in a
   * worst-case analysis, 2,757 method names: two fifths of the time
   * resolving names took): the member of the library class or interface the type is
   * (perhaps with `undefined` or `null`), when it declares the member
   * itself. The checker takes the property of the receiver's type as
   * flow-narrowed where it stands, and narrowing only takes `undefined` and
   * `null` away from a class no other class can extend (`Waker`, `Box`,
   * `Arc`, `Context`: their constructors are private; a type guard's
   * intersection still names the class's member first; a receiver narrowed
   * to `never` is a type error). So: a local or
   * parameter by its declared type (`found`, the receiver's scope lookup),
   * `this.waker` by the class's property, and a call's result (never
   * narrowed, any library class or interface: `cx.waker().clone()` is
   * `WakerRef`'s) by its resolved signature's return type, which the type
   * check left in the call's links. A generic class's member is the
   * checker's instantiated one, of the same declaration and name. Held to
   * the checker by `test/analysis/member-names.test.ts`.
   */
  private memberOfReceiverType(access: ts.PropertyAccessExpression, found: ts.Symbol | ts.SourceFile | undefined): ts.Symbol | undefined {
    const { SyntaxKind, SymbolFlags } = this;
    const receiver = access.expression;
    // JavaScript has rules of its own (JSDoc types, expando members): the checker answers.
    if (access.flags & this.NodeFlags.JavaScriptFile) return undefined;
    let type: ts.Type;
    let narrowed = true;
    if (found !== undefined) {
      if (isSourceFile(found) || !(found.flags & SymbolFlags.Variable)) return undefined;
      type = this.checker.getTypeOfSymbol(found);
    } else if (receiver.kind === SyntaxKind.PropertyAccessExpression) {
      const property = this.thisProperty(receiver as ts.PropertyAccessExpression);
      if (!property || !(property.flags & SymbolFlags.Property)) return undefined;
      type = this.checker.getTypeOfSymbol(property);
    } else if (receiver.kind === SyntaxKind.CallExpression) {
      const signature = this.checker.getResolvedSignature(receiver as ts.CallExpression);
      if (!signature) return undefined;
      type = this.checker.getReturnTypeOfSignature(signature);
      narrowed = false;
    } else return undefined;
    const owner = this.soleLibraryObject(type, narrowed);
    return owner?.members?.get(access.name.escapedText);
  }

  /**
   * The class or interface `type` is, perhaps with `undefined` or `null`,
   * when the library declares it; for a type flow narrowing may have taken
   * `undefined` and `null` from (`narrowed`), only a class no other can extend.
   */
  private soleLibraryObject(type: ts.Type, narrowed: boolean): ts.Symbol | undefined {
    const { TypeFlags, ObjectFlags } = this;
    const members = type.isUnion() ? type.types : undefined;
    let owner: ts.Symbol | undefined;
    for (let i = 0; i < (members ? members.length : 1); i++) {
      const member = members ? members[i] : type;
      if (member.flags & (TypeFlags.Undefined | TypeFlags.Null)) continue;
      if (!(member.flags & TypeFlags.Object) || !((member as ts.ObjectType).objectFlags & (ObjectFlags.Class | ObjectFlags.Interface | ObjectFlags.Reference))) return undefined;
      const symbol = member.getSymbol();
      if (!symbol || (owner && owner !== symbol)) return undefined;
      owner = symbol;
    }
    if (!owner || (narrowed && !UNEXTENDABLE_CLASSES.has(owner.escapedName as string))) return undefined;
    let declared = this.libraryObjects.get(owner);
    if (declared === undefined) {
      declared = owner.declarations !== undefined && owner.declarations.length > 0 && owner.declarations.every((declaration) => this.declares(declaration));
      this.libraryObjects.set(owner, declared);
    }
    return declared ? owner : undefined;
  }

  /**
   * `checker.getSymbolAtLocation(access)` for `this.name` in an instance
   * member of a class (through arrow functions, which keep `this`): the
   * class's own member of that name. The checker takes it from the class's
   * `this` type, whose members are the class's own symbols. Anywhere `this`
   * is something else (a function, a static member, a method with a `this`
   * parameter, a computed name or decorator, a JavaScript file), for an
   * inherited member, or for a class merged with declarations elsewhere
   * (whose members the checker reads from the merged symbol): undefined, and
   * the caller asks the checker.
   */
  private thisProperty(access: ts.PropertyAccessExpression): ts.Symbol | undefined {
    const { SyntaxKind, NodeFlags } = this;
    if (access.expression.kind !== SyntaxKind.ThisKeyword || access.name.kind !== SyntaxKind.Identifier || access.flags & NodeFlags.JavaScriptFile) return undefined;
    let member: ts.Node = access.parent;
    for (; ; member = member.parent) {
      const kind = member.kind;
      // Arrow functions keep `this`, as do blocks, statements and expressions.
      if (kind === SyntaxKind.MethodDeclaration || kind === SyntaxKind.Constructor || kind === SyntaxKind.GetAccessor || kind === SyntaxKind.SetAccessor || kind === SyntaxKind.PropertyDeclaration) break;
      if (isThisBoundary(this.ts, member)) return undefined;
    }
    const owner = member.parent as ts.Node & { readonly symbol?: ts.Symbol & { readonly mergeId?: number } };
    if (owner.kind !== SyntaxKind.ClassDeclaration && owner.kind !== SyntaxKind.ClassExpression) return undefined;
    const { modifiers, parameters } = member as ts.MethodDeclaration;
    if (modifiers?.some((modifier) => modifier.kind === SyntaxKind.StaticKeyword)) return undefined;
    const first = parameters?.[0]?.name;
    if (first?.kind === SyntaxKind.Identifier && first.escapedText === 'this') return undefined;
    const symbol = owner.symbol;
    // `mergeId` is set (from 1) on a symbol merged into another.
    return symbol && !symbol.mergeId ? symbol.members?.get(access.name.escapedText) : undefined;
  }

  private nameOfSymbol(symbol: ts.Symbol | undefined): LibraryName | undefined {
    if (!symbol) return undefined;
    if (this.namesBySymbol.has(symbol)) return this.namesBySymbol.get(symbol);
    // Each file's import of `drop` is an alias of its own for the one library function: named once, by what it stands for.
    const target = symbol.flags & this.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    let name: LibraryName | undefined;
    if (this.namesBySymbol.has(target)) name = this.namesBySymbol.get(target);
    else {
      const declaration = target.valueDeclaration ?? target.declarations?.[0];
      name = declaration && this.declares(declaration) ? qualify(this.ts, target, declaration) : undefined;
      this.namesBySymbol.set(target, name);
    }
    this.namesBySymbol.set(symbol, name);
    return name;
  }
}

/** Whether `scopeLookup` answered with the file (no scope below it declares the name). */
function isSourceFile(found: ts.Symbol | ts.SourceFile): found is ts.SourceFile {
  return (found as Partial<ts.SourceFile>).kind !== undefined;
}

/**
 * Whether `identifier` is read as a value where it stands: not a declaration's
 * or a property's name, a label, a JSX tag, or part of an import or export.
 */
function isValueReference(SyntaxKind: typeof ts.SyntaxKind, identifier: ts.Identifier): boolean {
  const parent = identifier.parent as ts.Node & { readonly name?: ts.Node; readonly propertyName?: ts.Node; readonly tagName?: ts.Node };
  if (parent.name === identifier || parent.propertyName === identifier || parent.tagName === identifier) return false;
  switch (parent.kind) {
    case SyntaxKind.QualifiedName:
    case SyntaxKind.LabeledStatement:
    case SyntaxKind.BreakStatement:
    case SyntaxKind.ContinueStatement:
    case SyntaxKind.ExportAssignment:
    case SyntaxKind.ImportEqualsDeclaration:
    case SyntaxKind.ShorthandPropertyAssignment:
      return false;
  }
  return true;
}

/** Whether `declaration` binds a name of an import declaration as a value (not `import type`, not `{ type X }`). */
function isValueImport(SyntaxKind: typeof ts.SyntaxKind, declaration: ts.Declaration): boolean {
  let clause: ts.Node = declaration;
  if (declaration.kind === SyntaxKind.ImportSpecifier) {
    if ((declaration as ts.ImportSpecifier).isTypeOnly) return false;
    clause = declaration.parent.parent; // the specifier's named imports' clause
  } else if (declaration.kind === SyntaxKind.NamespaceImport) clause = declaration.parent;
  return clause.kind === SyntaxKind.ImportClause && !(clause as ts.ImportClause).isTypeOnly && clause.parent.kind === SyntaxKind.ImportDeclaration;
}

/** Whether `node` is what a call or `new` calls. */
function isCallee(SyntaxKind: typeof ts.SyntaxKind, node: ts.Node): boolean {
  const parent = node.parent;
  return (parent.kind === SyntaxKind.CallExpression || parent.kind === SyntaxKind.NewExpression) && (parent as ts.CallExpression).expression === node;
}

/**
 * What a file's names were found to be. One small table per file, where one
 * for the program held every named node asked about (tens of thousands): a
 * `Map` that large cost more to grow than the lookups it saved (speed). The
 * flow and vtable passes ask about the same callees of the file, one file
 * after another: a file's table is kept only while it is among the latest
 * asked about (`RECENT_FILES`).
 */
interface FileNames {
  readonly file: ts.SourceFile;
  /** The library name of each name node asked about (`null`: asked, and not the library's). */
  readonly names: Map<ts.Node, LibraryName | null>;
  /** What each imported value's name asked about binds (`drop` → the `import { drop }` alias and the library's `drop`), by the name's escaped text. */
  readonly imports: Map<ts.__String, Import | undefined>;
}

/** A value a file imports: the import's own symbol (an alias), and what it stands for. */
interface Import {
  readonly symbol: ts.Symbol;
  readonly target: ts.Symbol;
}

/** The binder's table of the names a scope declares: internal to TypeScript, so read defensively (see `importAt`). */
function localsOf(node: ts.Node): ReadonlyMap<ts.__String, ts.Symbol> | undefined {
  return (node as { readonly locals?: ReadonlyMap<ts.__String, ts.Symbol> }).locals;
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
  // `Poll.pending` in `const Poll = { pending() {…} }`, and in the .d.ts's `declare const Poll: { pending…(): … }`.
  if ((ts.isObjectLiteralExpression(parent) || ts.isTypeLiteralNode(parent)) && ts.isVariableDeclaration(parent.parent) && ts.isIdentifier(parent.parent.name)) {
    return `${parent.parent.name.text}.${name}`;
  }
  return name;
}
