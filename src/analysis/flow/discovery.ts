// Discovery: which bindings of one body the ownership dataflow tracks, what
// each of their references is, and which closures capture them. Checkers join
// in through hooks (`DiscoveryHooks`): lost-wakeup names the poll context's
// aliases, clone-without-drop looks at temporaries.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import type { CallSummaries } from './calls';
import { isReference, isWriteTarget, mayNameOwnedType } from './positions';
import { accessPath, entryPath, objectPath, writtenNames, type AccessPath, type MapMethod, type PlaceNaming } from './places';

/** A place whose owned value a binding reads (`this.waker` in `const w = this.waker`). */
export interface PlaceRead extends AccessPath {
  readonly kind: ValueKind;
}
import type { FlowRoot, FlowUnit } from './graph';
import { skipOuterExpressions, type Syntax, syntaxOf } from '../syntax';
import { NO_ITEMS, packedMap } from '../arrays';

/** What a binding holds. Every owned kind has use-after rules; all but a `RawWaker` (plain data) are checked for leaks. */
export type ValueKind = 'waker' | 'box' | 'arc' | 'raw';

export interface TrackedBinding {
  readonly index: number;
  readonly name: string;
  readonly kind: ValueKind;
  readonly symbol: ts.Symbol;
  /** A binding element for `waker` in `const { waker } = entry`. */
  readonly declaration: ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement;
  /** The block whose end takes the binding out of scope (undefined: the function's end, or module lifetime). */
  readonly scope: ts.Block | undefined;
  readonly using: boolean;
  /** Whether reaching the end of its scope while live is a leak. */
  readonly leakChecked: boolean;
}

const MAP_METHODS: ReadonlySet<string> = new Set<MapMethod>(['get', 'set', 'delete', 'has', 'clear']);

/** Library calls that create an owned value, and what they create. */
const CREATIONS: Readonly<Record<string, ValueKind>> = {
  'Waker#clone': 'waker',
  'Waker.fromRaw': 'waker',
  'Waker.fromArc': 'waker',
  'Box.new': 'box',
  'Box.fromRaw': 'box',
  'Arc.new': 'arc',
  'Arc.fromRaw': 'arc',
  'Arc.clone': 'arc',
  'Arc#clone': 'arc',
  RawWaker: 'raw',
};

/** How a checker takes part in discovery. */
export interface DiscoveryHooks {
  /** Before any binding is discovered. */
  startDiscovery?(): void;
  /** After the bindings are discovered, before it is decided whether the unit needs the dataflow. */
  afterBindings?(): void;
  /** A declaration whose initializer creates nothing tracked (`const w = cx.waker()`). */
  onUntrackedInitializer?(declaration: ts.VariableDeclaration, initializer: ts.Expression): void;
  /** A call in the unit's own code. */
  onCall?(call: ts.CallExpression | ts.NewExpression): void;
  /** Whether the checker takes part in this unit's dataflow, which the unit then needs even when it tracks no binding (absent: it takes part whenever there is one). */
  needsDataflow?(): boolean;
  /** Symbols (other than tracked bindings) whose references the checker wants as operations. */
  watchedSymbols?(): Iterable<ts.Symbol>;
  /** A reference to a watched symbol inside a nested function or class. */
  onNestedReference?(closure: ts.Node, symbol: ts.Symbol): void;
  /** A reference to a watched symbol in the unit's own code; returns whether it becomes an operation. */
  onReference?(identifier: ts.Identifier, symbol: ts.Symbol): boolean;
}

const NO_NAMES: ReadonlySet<ts.__String> = new Set();
const NO_SYMBOLS: ReadonlySet<ts.Symbol> = new Set();
const NO_NODES: ReadonlySet<ts.Node> = new Set();
const NO_ENTRIES: ReadonlyMap<never, never> = new Map<never, never>();

/**
 * Discovers one unit's bindings, and names its places (`PlaceNaming`). Its
 * tables are made when first written, or (those of the dataflow) once discovery
 * finds it needs one: most hinted units track nothing, and they are most units
 * (speed: a dozen Maps per unit were a measurable share of the analysis).
 */
export class Discovery implements PlaceNaming {
  readonly bindings: TrackedBinding[] = [];
  readonly bySymbol = new Map<ts.Symbol, TrackedBinding>();
  /** References to tracked bindings in the unit's own code. */
  uses: ReadonlyMap<ts.Node, TrackedBinding> = NO_ENTRIES;
  /** References that a checker watches (see `DiscoveryHooks.onReference`). */
  watchedReferences: ReadonlySet<ts.Node> = NO_NODES;
  /** Reads of places (`this.waker` in `` `${this.waker}` ``) that a checker evaluates as operations of their own (`watchRead`). */
  watchedReads: ReadonlySet<ts.Node> = NO_NODES;
  /** Closures (and classes) to the tracked bindings they capture. */
  captures: ReadonlyMap<ts.Node, TrackedBinding[]> = NO_ENTRIES;
  /** The references inside each closure to what it captures, by the captured binding's symbol. */
  captureReferences: ReadonlyMap<ts.Node, Map<ts.Symbol, ts.Identifier[]>> = NO_ENTRIES;
  /** Creation calls to what they create. */
  creations: ReadonlyMap<ts.Node, ValueKind> = NO_ENTRIES;
  /** Reads out of places, to the place read (`this.waker` in `const w = this.waker`); null where it holds nothing owned. */
  private placeReads: Map<ts.Node, PlaceRead | null> | undefined;
  /** Whether some binding may read its value out of a place (the engine's aliasing rule then runs). */
  aliasing = false;
  /** Bindings by the block whose end takes them out of scope. */
  scoped: ReadonlyMap<ts.Node, TrackedBinding[]> = NO_ENTRIES;
  /** Tracked bindings by the declaration they were tracked from (before renumbering: look the current one up by its symbol). */
  private byDeclaration: Map<TrackedBinding['declaration'], TrackedBinding> | undefined;
  /** `bindingOfIdentifier`'s answers. */
  private byIdentifier: Map<ts.Identifier, TrackedBinding | null> | undefined;
  /** Destructuring declarations to the symbols of the tracked bindings they declare (`const { waker } = entry`). */
  private destructured: Map<ts.VariableDeclaration, ts.Symbol[]> | undefined;
  /** The names of tracked bindings and watched symbols (escaped, as identifiers hold them), fixed once discovery ends. */
  private finalNames: ReadonlySet<ts.__String> = NO_NAMES;
  /** Whether discovery walked the nested functions and classes (for incremental re-analysis). */
  readNested = false;
  private readonly ts: FileContext['ts'];
  /** The typescript module's enums and predicates, read once (see `syntaxOf`). */
  private readonly syntax: Syntax;
  private unit: FlowUnit;
  private root: FlowRoot;
  private written: Set<string> | undefined;
  /** `placePath` per node: every pass of the dataflow asks again about the same receivers and arguments. */
  private paths: Map<ts.Expression, AccessPath | null> | undefined;
  /** `objectPath` per node: the fields checker asks about every call's receiver on every pass. */
  private objectPaths: Map<ts.Expression, AccessPath | null> | undefined;
  /** `iteratedPlace` per loop: asked at every pass over its declaration. */
  private iterated: Map<ts.ForOfStatement, AccessPath | null> | undefined;
  /** `mapMethod` per call (null: no `Map` entry method). */
  private mapMethods: Map<ts.CallExpression, MapMethod | null> | undefined;

  constructor(
    private readonly context: FileContext,
    unit: FlowUnit,
    private readonly hooks: readonly DiscoveryHooks[],
    private readonly calls: CallSummaries,
  ) {
    this.ts = context.ts;
    this.syntax = syntaxOf(context.ts);
    this.unit = unit;
    this.root = unit.root;
  }

  /** Moves on to another unit of the same file, as a fresh discovery of it would start (`FlowEngine.reset`). */
  reset(unit: FlowUnit): void {
    this.unit = unit;
    this.root = unit.root;
    this.bindings.length = 0;
    if (this.bySymbol.size > 0) this.bySymbol.clear();
    this.uses = NO_ENTRIES;
    this.watchedReferences = NO_NODES;
    this.watchedReads = NO_NODES;
    this.captures = NO_ENTRIES;
    this.captureReferences = NO_ENTRIES;
    this.creations = NO_ENTRIES;
    this.placeReads = undefined;
    this.aliasing = false;
    this.scoped = NO_ENTRIES;
    this.byDeclaration = undefined;
    this.byIdentifier = undefined;
    this.destructured = undefined;
    this.finalNames = NO_NAMES;
    this.readNested = false;
    this.written = undefined;
    this.paths = undefined;
    this.objectPaths = undefined;
    this.iterated = undefined;
    this.mapMethods = undefined;
  }

  /** Whether anything needs the dataflow: a tracked binding, or a checker that asks for it. */
  get needsDataflow(): boolean {
    if (this.bindings.length > 0) return true;
    for (let h = 0; h < this.hooks.length; h++) if (this.hooks[h].needsDataflow?.()) return true;
    return false;
  }

  // Indexed loops over the hooks and the unit's lists, here and in the engine's per-operation paths: an array's
  // `for…of` makes an iterator and an object per step until the optimising compiler has the function, and a
  // `wakerscope check` run analyses most units before it has (a quarter of what the analysis allocated).
  run(): void {
    const syntax = this.syntax;
    const ts = this.ts;
    const root = this.root;
    const hooks = this.hooks;
    for (let h = 0; h < hooks.length; h++) hooks[h].startDiscovery?.();
    if (!syntax.isSourceFile(root) && root.kind !== syntax.SyntaxKind.ClassStaticBlockDeclaration) {
      const parameters = root.parameters;
      for (let i = 0; i < parameters.length; i++) this.discoverParameter(parameters[i]);
    }
    const { declarations, calls, assignments } = this.unit;
    // Declarations in source order, so `const b = a` sees `a` already tracked.
    for (let i = 0; i < declarations.length; i++) this.discoverVariable(declarations[i]);
    for (let i = 0; i < calls.length; i++) for (let h = 0; h < hooks.length; h++) hooks[h].onCall?.(calls[i]);
    for (let i = 0; i < assignments.length; i++) {
      const assignment = assignments[i];
      if (!syntax.isIdentifier(skipOuterExpressions(ts, assignment.left))) continue;
      this.discoverSources(assignment.right);
      if (this.placeRead(assignment.right)) this.aliasing = true;
    }
    for (let h = 0; h < hooks.length; h++) hooks[h].afterBindings?.();
    if (!this.needsDataflow) return;
    this.readNested = true;
    // Fixed from here on: what the checkers watch depends on the declarations alone.
    const watched = this.watchedSymbols();
    this.discoverCaptures(this.unit.nested, watched);
    this.mapUses(watched);
    let scoped: Map<ts.Node, TrackedBinding[]> | undefined;
    for (const binding of this.bindings) {
      if (!binding.scope) continue;
      scoped ??= new Map();
      const list = scoped.get(binding.scope) ?? [];
      list.push(binding);
      scoped.set(binding.scope, list);
    }
    if (scoped) this.scoped = scoped;
  }

  bindingOfDeclaration(declaration: ts.VariableDeclaration): TrackedBinding | undefined {
    const binding = this.byDeclaration?.get(declaration);
    return binding && this.bySymbol.get(binding.symbol);
  }

  /** The tracked bindings a destructuring declaration declares. */
  bindingsDestructuredBy(declaration: ts.VariableDeclaration): TrackedBinding[] {
    const symbols = this.destructured?.get(declaration);
    if (!symbols) return [];
    return packedMap(symbols, (symbol) => this.bySymbol.get(symbol)).filter((binding): binding is TrackedBinding => binding !== undefined);
  }

  bindingOfIdentifier(identifier: ts.Identifier): TrackedBinding | undefined {
    if (!this.finalNames.has(identifier.escapedText)) return undefined;
    // Asked on every pass of the dataflow, after discovery (the bindings no longer change): once per identifier.
    this.byIdentifier ??= new Map();
    let binding = this.byIdentifier.get(identifier);
    if (binding === undefined) {
      const symbol = this.context.library.symbolAt(identifier);
      binding = (symbol && this.bySymbol.get(symbol)) ?? null;
      this.byIdentifier.set(identifier, binding);
    }
    return binding ?? undefined;
  }

  /**
   * What a creation expression creates: a library creation, or a call of the
   * program's own functions and methods (`this.takeWaiter()`, `queue.pop()`)
   * whose type is owned: the value returned is the caller's to release.
   */
  discoverCreation(node: ts.Expression): ValueKind | undefined {
    return this.creationKind(node, 'library or owned result');
  }

  /** What a library creation call creates (`x.clone()`, `Waker.fromRaw(…)`, …). */
  discoverLibraryCreation(node: ts.Expression): ValueKind | undefined {
    return this.creationKind(node, 'library only');
  }

  /** The access path of `node` (`this.waker`, `this.slots[key]`), when it names a place. */
  placePath(node: ts.Expression): AccessPath | undefined {
    this.paths ??= new Map();
    let path = this.paths.get(node);
    if (path === undefined) {
      path = accessPath(this.ts, node, this) ?? null;
      this.paths.set(node, path);
    }
    return path ?? undefined;
  }

  /** The path of the object `node` names, a bare root included (`entry` in `const { waker } = entry`). */
  objectPath(node: ts.Expression): AccessPath | undefined {
    this.objectPaths ??= new Map();
    let path = this.objectPaths.get(node);
    if (path === undefined) {
      path = objectPath(this.ts, node, this) ?? null;
      this.objectPaths.set(node, path);
    }
    return path ?? undefined;
  }

  /**
   * The element a `for…of` over an array that a local or a field holds lends
   * its variable (`waiting[of waker]` in `for (const waker of waiting)`): a
   * place of its own per loop variable, which only that variable and what it
   * is copied into share; rebinding the array, or a call that reaches it,
   * makes it unknown, as for any place.
   */
  iteratedPlace(loop: ts.ForOfStatement): AccessPath | undefined {
    const syntax = this.syntax;
    const declarations = loop.initializer;
    if (!syntax.isVariableDeclarationList(declarations) || declarations.declarations.length !== 1) return undefined;
    const variable = declarations.declarations[0].name;
    this.iterated ??= new Map();
    let place = this.iterated.get(loop);
    if (place === undefined) {
      const array = syntax.isIdentifier(variable) ? this.objectPath(loop.expression) : undefined;
      place = array && syntax.isIdentifier(variable) ? { path: `${array.path}[of ${variable.text}]`, root: array.root, indexNames: [...array.indexNames, variable.text], last: 'slot' } : null;
      this.iterated.set(loop, place);
    }
    return place ?? undefined;
  }

  /** The `Map` entry a `set`, `delete` or `has` call names (`waiters[id]` for `waiters.set(id, w)`). */
  entryPath(call: ts.CallExpression): AccessPath | undefined {
    const callee = call.expression as ts.PropertyAccessExpression;
    return entryPath(this.ts, callee.expression, call.arguments[0], this);
  }

  /** Which entry method of a `Map` a call is: `get` reads the entry as reading a slot does, `set` and `delete` write it. */
  mapMethod(call: ts.CallExpression): MapMethod | undefined {
    const syntax = this.syntax;
    const callee = call.expression;
    if (!syntax.isPropertyAccessExpression(callee) || !MAP_METHODS.has(callee.name.text)) return undefined;
    this.mapMethods ??= new Map();
    let method = this.mapMethods.get(call);
    if (method === undefined) {
      const symbol = this.context.checker.getTypeAtLocation(callee.expression).getSymbol();
      const isMap = symbol !== undefined && (symbol.name === 'Map' || symbol.name === 'ReadonlyMap') && (symbol.declarations ?? []).every((d) => this.context.program.isSourceFileDefaultLibrary(d.getSourceFile()));
      method = isMap ? (callee.name.text as MapMethod) : null;
      this.mapMethods.set(call, method);
    }
    return method ?? undefined;
  }

  /** Computed on the first index that is a name (`slots[key]`): one walk of the body's identifiers. */
  isWritten(name: string): boolean {
    const ts = this.ts;
    this.written ??= writtenNames(ts, this.unit.identifiers, (identifier) => isWriteTarget(ts, identifier));
    return this.written.has(name);
  }

  isReadonly(access: ts.PropertyAccessExpression): boolean {
    const declaration = this.context.checker.getSymbolAtLocation(access.name)?.valueDeclaration;
    return declaration !== undefined && this.ts.getCombinedModifierFlags(declaration) & this.syntax.ModifierFlags.Readonly ? true : false;
  }

  /** A read of a place that the engine evaluates as an operation of its own (see `watchedReads`). */
  watchRead(access: ts.Node): void {
    if (this.watchedReads === NO_NODES) this.watchedReads = new Set();
    (this.watchedReads as Set<ts.Node>).add(access);
  }

  /**
   * Whether `name` is a `const` the body mints from a counter (`const key =
   * this.nextKey++`): a key no earlier call can have used, so the entry or slot
   * it names is vacant when the body begins, even in a function that runs on
   * every poll.
   */
  isMintedKey(name: string): boolean {
    const syntax = this.syntax;
    const ts = this.ts;
    return this.unit.declarations.some((declaration) => {
      if (!syntax.isIdentifier(declaration.name) || declaration.name.text !== name || !declaration.initializer) return false;
      if (!syntax.isVariableDeclarationList(declaration.parent) || !(declaration.parent.flags & syntax.NodeFlags.Const)) return false;
      const value = skipOuterExpressions(ts, declaration.initializer);
      return (syntax.isPostfixUnaryExpression(value) || syntax.isPrefixUnaryExpression(value)) && value.operator === syntax.SyntaxKind.PlusPlusToken && syntax.isPropertyAccessExpression(skipOuterExpressions(ts, value.operand));
    });
  }

  /** The places read so far whose value is owned. */
  placesRead(): readonly PlaceRead[] {
    return this.placeReads ? [...this.placeReads.values()].filter((read): read is PlaceRead => read !== null) : NO_ITEMS;
  }

  /** `this.waker` in `const w = this.waker`: a place whose type is owned, read as a value. */
  placeRead(node: ts.Expression): PlaceRead | undefined {
    const inner = skipOuterExpressions(this.ts, node);
    if (!this.syntax.isPropertyAccessExpression(inner) && !this.syntax.isElementAccessExpression(inner) && !(this.syntax.isCallExpression(inner) && this.mapMethod(inner) === 'get')) return undefined;
    this.placeReads ??= new Map();
    const known = this.placeReads.get(inner);
    if (known !== undefined) return known ?? undefined;
    const path = this.placePath(inner);
    const kind = path && this.ownedKindOf(this.context.checker.getTypeAtLocation(inner));
    const read = path && kind ? { ...path, kind } : null;
    this.placeReads.set(inner, read);
    return read ?? undefined;
  }

  /** The creations a value may come from: both branches of `c ? a.clone() : undefined`. */
  private discoverSources(node: ts.Expression): ValueKind | undefined {
    const inner = skipOuterExpressions(this.ts, node);
    if (!this.syntax.isConditionalExpression(inner)) return this.discoverCreation(inner);
    const whenTrue = this.discoverSources(inner.whenTrue);
    const whenFalse = this.discoverSources(inner.whenFalse);
    return whenTrue ?? whenFalse;
  }

  private creationKind(node: ts.Expression, creators: 'library only' | 'library or owned result'): ValueKind | undefined {
    const syntax = this.syntax;
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, node);
    if (!syntax.isCallExpression(inner) && !syntax.isNewExpression(inner)) return undefined;
    const cached = this.creations.get(inner);
    if (cached) return cached;
    const name = this.context.library.calleeOf(inner);
    let kind = name ? CREATIONS[name] : undefined;
    // A call of the program's own code: its owned result (the seed's `createRawWaker()`, a `take()`, `pop()`) is the caller's.
    // A `Map`'s `get` lends the entry the map still holds (a place read), as reading a slot does.
    if (!kind && !name && creators === 'library or owned result' && syntax.isCallExpression(inner) && this.mapMethod(inner) !== 'get') {
      kind = this.ownedKindOf(this.context.checker.getTypeAtLocation(inner));
      // Unless its summary says it lends a place its object keeps (`return this.waker`).
      if (kind && this.calls.of(inner)?.returnsOwned === false) kind = undefined;
    }
    if (kind) {
      if (this.creations === NO_ENTRIES) this.creations = new Map();
      (this.creations as Map<ts.Node, ValueKind>).set(inner, kind);
    }
    return kind;
  }

  private discoverParameter(parameter: ts.ParameterDeclaration): void {
    const syntax = this.syntax;
    const ts = this.ts;
    if (!syntax.isIdentifier(parameter.name) || parameter.dotDotDotToken || parameter.name.text === 'this') return;
    // Only annotated parameters: an unannotated callback parameter (`wakers.map((w) => …)`) usually borrows.
    const annotation = parameter.type;
    if (!annotation || !mayNameOwnedType(ts, annotation)) return;
    const type = this.context.checker.getTypeFromTypeNode(annotation);
    const kind = this.ownedKindOf(type);
    if (!kind) return;
    const body = this.root.kind !== syntax.SyntaxKind.SourceFile && 'body' in this.root && this.root.body && syntax.isBlock(this.root.body) ? this.root.body : undefined;
    // `Wake#wakeByRef(self: Arc<this>)` borrows its Arc even though the type says Arc, as Rust's `&Arc<Self>`.
    const borrowed = kind === 'arc' && syntax.isMethodDeclaration(this.root) && syntax.isIdentifier(this.root.name) && this.root.name.text === 'wakeByRef';
    this.track(parameter, kind, body, { using: false, leakChecked: !borrowed });
  }

  private discoverVariable(declaration: ts.VariableDeclaration): void {
    const syntax = this.syntax;
    const ts = this.ts;
    const list = declaration.parent;
    if (!syntax.isVariableDeclarationList(list)) return;
    const statement = list.parent;
    const flags = list.flags & (syntax.NodeFlags.Let | syntax.NodeFlags.Const | syntax.NodeFlags.Using);
    const using = (flags & syntax.NodeFlags.Using) !== 0;
    if (syntax.isForOfStatement(statement)) {
      this.discoverLoopVariable(declaration, statement, using);
      return;
    }
    // Other loop variables and catch bindings are assigned by the loop/runtime, not tracked.
    if (!syntax.isVariableStatement(statement) && !syntax.isForStatement(statement)) return;
    const scope = syntax.isVariableStatement(statement) && syntax.isBlock(statement.parent) ? statement.parent : undefined;
    const moduleLevel = syntax.isVariableStatement(statement) && syntax.isSourceFile(statement.parent);
    const how = { using, leakChecked: !using && !moduleLevel };
    if (!syntax.isIdentifier(declaration.name)) {
      // `const { waker } = this.queue.shift()!`: destructuring moves the owned parts out; `= entry` shares them with `entry`.
      this.discoverPattern(declaration, declaration.name, scope, how);
      if (declaration.initializer && this.destructured?.has(declaration) && this.objectPath(declaration.initializer)) this.aliasing = true;
      return;
    }
    const initializer = declaration.initializer && skipOuterExpressions(ts, declaration.initializer);
    let kind: ValueKind | undefined;
    if (initializer) {
      kind = this.discoverSources(initializer);
      if (!kind && syntax.isIdentifier(initializer)) {
        const source = this.context.library.symbolAt(initializer);
        kind = source ? this.bySymbol.get(source)?.kind : undefined;
      }
      // `const w = this.waker`: the local shares the place's value (the engine's aliasing rule).
      if (!kind) {
        kind = this.placeRead(initializer)?.kind;
        if (kind) this.aliasing = true;
      }
      if (!kind) for (const hook of this.hooks) hook.onUntrackedInitializer?.(declaration, initializer);
    }
    if (!kind && declaration.type && mayNameOwnedType(ts, declaration.type)) kind = this.ownedKindOf(this.context.checker.getTypeFromTypeNode(declaration.type));
    if (!kind) return;
    this.track(declaration, kind, scope, how);
  }

  /**
   * `for (const w of queue.splice(0))`: each element of a fresh array (the
   * iterated expression is a call) is the loop's to release. Iterating a place
   * (`for (const w of this.wakers)`) only borrows: the array still holds them.
   */
  private discoverLoopVariable(declaration: ts.VariableDeclaration, loop: ts.ForOfStatement, using: boolean): void {
    const syntax = this.syntax;
    const ts = this.ts;
    if (using) return;
    const scope = syntax.isBlock(loop.statement) ? loop.statement : undefined;
    const how = { using: false, leakChecked: true };
    if (!syntax.isCallExpression(skipOuterExpressions(ts, loop.expression))) {
      // Over an array a local or a field holds: tracked as lent (`iteratedPlace`), so what it shares is seen.
      if (!syntax.isIdentifier(declaration.name) || !this.iteratedPlace(loop)) return;
      const kind = this.declaredKind(declaration.name);
      if (kind) {
        this.track(declaration, kind, scope, how);
        this.aliasing = true;
      }
      return;
    }
    if (!syntax.isIdentifier(declaration.name)) {
      this.discoverPattern(declaration, declaration.name, scope, how);
      return;
    }
    const kind = this.declaredKind(declaration.name);
    if (kind) this.track(declaration, kind, scope, how);
  }

  /**
   * The owned kind of a declared name's type (`waker` in `for (const waker of
   * wakers)`): `getTypeAtLocation` of a declaration's name is the type of its
   * symbol, which this asks for directly, without the checker's way there
   * (held to it in test/analysis/declared-types.test.ts).
   */
  private declaredKind(name: ts.Identifier): ValueKind | undefined {
    const symbol = this.context.library.declaredBy(name);
    return symbol && this.ownedKindOf(this.context.checker.getTypeOfSymbol(symbol));
  }

  /** The bindings of a destructuring pattern whose type is owned. */
  private discoverPattern(declaration: ts.VariableDeclaration, pattern: ts.BindingPattern, scope: ts.Block | undefined, how: { readonly using: boolean; readonly leakChecked: boolean }): void {
    const syntax = this.syntax;
    for (const element of pattern.elements) {
      if (!syntax.isBindingElement(element) || element.dotDotDotToken) continue;
      if (!syntax.isIdentifier(element.name)) {
        this.discoverPattern(declaration, element.name, scope, how);
        continue;
      }
      const kind = this.declaredKind(element.name);
      if (!kind) continue;
      const binding = this.track(element, kind, scope, how);
      if (!binding) continue;
      this.destructured ??= new Map();
      const symbols = this.destructured.get(declaration) ?? [];
      symbols.push(binding.symbol);
      this.destructured.set(declaration, symbols);
    }
  }

  private track(declaration: TrackedBinding['declaration'], kind: ValueKind, scope: ts.Block | undefined, how: { readonly using: boolean; readonly leakChecked: boolean }): TrackedBinding | undefined {
    if (!this.syntax.isIdentifier(declaration.name)) return undefined;
    const symbol = this.context.library.declaredBy(declaration.name);
    if (!symbol || this.bySymbol.has(symbol)) return undefined;
    const binding: TrackedBinding = {
      index: this.bindings.length,
      name: declaration.name.text,
      kind,
      symbol,
      declaration,
      scope,
      using: how.using,
      leakChecked: how.leakChecked && kind !== 'raw',
    };
    this.bindings.push(binding);
    this.bySymbol.set(symbol, binding);
    (this.byDeclaration ??= new Map()).set(declaration, binding);
    return binding;
  }

  /**
   * Nested functions and classes: a reference to a tracked binding captures it
   * (a move, where the closure is created). Hoisted declarations or writes from
   * inside make the binding's flow unknowable here, so it is not tracked at all.
   */
  private discoverCaptures(nested: readonly ts.Node[], watched: ReadonlySet<ts.Symbol>): void {
    const syntax = this.syntax;
    // Most units create no closure: nothing captured, nothing to set up.
    if (nested.length === 0) return;
    const ts = this.ts;
    const names = this.trackedNames(watched);
    const tracked = { has: (symbol: ts.Symbol): boolean => this.bySymbol.has(symbol) || watched.has(symbol) };
    const untracked = new Set<TrackedBinding>();
    const captures = new Map<ts.Node, TrackedBinding[]>();
    const captureReferences = new Map<ts.Node, Map<ts.Symbol, ts.Identifier[]>>();
    this.captures = captures;
    this.captureReferences = captureReferences;
    for (const closure of nested) {
      const hoisted = syntax.isFunctionDeclaration(closure) || syntax.isClassDeclaration(closure);
      const captured = new Set<TrackedBinding>();
      const references = new Map<ts.Symbol, ts.Identifier[]>();
      const visit = (node: ts.Node): void => {
        if (syntax.isIdentifier(node) && names.has(node.escapedText)) {
          const symbol = this.symbolOfReference(node, tracked);
          const binding = symbol && this.bySymbol.get(symbol);
          if (binding) {
            if (hoisted || isWriteTarget(ts, node)) untracked.add(binding);
            else captured.add(binding);
            references.set(symbol, [...(references.get(symbol) ?? []), node]);
          }
          if (symbol && watched.has(symbol)) for (const hook of this.hooks) hook.onNestedReference?.(closure, symbol);
        }
        syntax.forEachChild(node, visit);
      };
      visit(closure);
      if (captured.size > 0) {
        captures.set(closure, [...captured]);
        captureReferences.set(closure, references);
      }
    }
    if (untracked.size === 0) return;
    const kept = this.bindings.filter((b) => !untracked.has(b));
    this.bindings.length = 0;
    this.bySymbol.clear();
    for (const binding of kept) {
      const renumbered = { ...binding, index: this.bindings.length };
      this.bindings.push(renumbered);
      this.bySymbol.set(binding.symbol, renumbered);
    }
    for (const [closure, list] of captures) {
      const remaining = packedMap(list.filter((b) => !untracked.has(b)), (b) => this.bySymbol.get(b.symbol)!);
      if (remaining.length > 0) captures.set(closure, remaining);
      else captures.delete(closure);
    }
  }

  private watchedSymbols(): ReadonlySet<ts.Symbol> {
    let symbols: Set<ts.Symbol> | undefined;
    for (let h = 0; h < this.hooks.length; h++) {
      const watched = this.hooks[h].watchedSymbols?.();
      if (watched) for (const symbol of watched) (symbols ??= new Set()).add(symbol);
    }
    return symbols ?? NO_SYMBOLS;
  }

  /** Escaped (`escapedText`, not `text`: a getter that unescapes on every call, asked of every identifier of the body). */
  private trackedNames(watched: ReadonlySet<ts.Symbol>): ReadonlySet<ts.__String> {
    // Filled in place, and none made for no name (a unit whose dataflow follows only places): less garbage, once per unit.
    if (this.bindings.length === 0 && watched.size === 0) return NO_NAMES;
    const names = new Set<ts.__String>();
    for (let i = 0; i < this.bindings.length; i++) names.add(this.bindings[i].symbol.escapedName);
    for (const symbol of watched) names.add(symbol.escapedName);
    return names;
  }

  /** The symbol `identifier` refers to; `tracked`, the symbols discovery maps references to, need no checker in the common case (`Library.referenceTo`). */
  private symbolOfReference(identifier: ts.Identifier, tracked: { has(symbol: ts.Symbol): boolean }): ts.Symbol | undefined {
    const syntax = this.syntax;
    const checker = this.context.checker;
    if (syntax.isShorthandPropertyAssignment(identifier.parent) && identifier.parent.name === identifier) return checker.getShorthandAssignmentValueSymbol(identifier.parent);
    return this.context.library.referenceTo(identifier, tracked);
  }

  /** Map every reference (in this body, not nested ones) to its tracked binding, or to the checker that watches it. */
  private mapUses(watched: ReadonlySet<ts.Symbol>): void {
    const ts = this.ts;
    const names = this.trackedNames(watched);
    this.finalNames = names;
    if (names.size === 0) return;
    const tracked = { has: (symbol: ts.Symbol): boolean => this.bySymbol.has(symbol) || watched.has(symbol) };
    // Made at the first entry: many units have no use or no watched reference, and the shared empty ones answer for them (less garbage).
    let uses: Map<ts.Node, TrackedBinding> | undefined;
    let watchedReferences: Set<ts.Node> | undefined;
    const identifiers = this.unit.identifiers;
    for (let i = 0; i < identifiers.length; i++) {
      const identifier = identifiers[i];
      if (!names.has(identifier.escapedText) || !isReference(ts, identifier)) continue;
      const symbol = this.symbolOfReference(identifier, tracked);
      if (!symbol) continue;
      const binding = this.bySymbol.get(symbol);
      if (binding) (uses ??= this.uses = new Map()).set(identifier, binding);
      if (watched.has(symbol)) {
        for (const hook of this.hooks) if (hook.onReference?.(identifier, symbol)) (watchedReferences ??= this.watchedReferences = new Set()).add(identifier);
      }
    }
  }

  ownedKindOf(type: ts.Type): ValueKind | undefined {
    const library = this.context.library;
    if (library.isType(type, 'Waker')) return 'waker';
    if (library.isType(type, 'Box')) return 'box';
    if (library.isType(type, 'Arc')) return 'arc';
    if (library.isType(type, 'RawWaker')) return 'raw';
    return undefined;
  }
}
