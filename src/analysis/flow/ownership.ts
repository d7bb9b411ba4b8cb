// The ownership dataflow of one function body: which tracked bindings hold a
// live value, and which were woken, dropped or moved, at every point of the CFG.
//
// Facts per binding form a may-set: a use where every fact is "woken" is an
// error, a use where some path still holds a live value is a warning. The
// analysis is forward, joins by union, and iterates to a fixed point (the facts
// are finite: one per kind and syntax node). Findings are produced by one more
// pass over the converged states, so every report sees the final facts.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import { isOuterExpression, skipOuterExpressions, walkUpOuterExpressions } from '../syntax';
import { isLibraryFile } from '../library';
import type { Finding, RelatedSpan, RuleId, Severity, Span, TypeScript } from '../types';
import { buildCfg, isFunctionBoundary, type BasicBlock, type Edge, type FlowRoot, type FlowUnit, type Op } from './graph';
import { conditionOf, describeCondition, LATER_ITERATION, SOME_PATHS, type PathCondition } from './paths';
import { leakFixes, lostWakeupFixes, useAfterWakeFixes } from './fixes';

/** What a binding holds. Only wakers must be released (leaks); the others only have use-after rules. */
export type ValueKind = 'waker' | 'box' | 'arc' | 'raw';

export interface TrackedBinding {
  readonly index: number;
  readonly name: string;
  readonly kind: ValueKind;
  readonly symbol: ts.Symbol;
  readonly declaration: ts.VariableDeclaration | ts.ParameterDeclaration;
  /** The block whose end takes the binding out of scope (undefined: the function's end, or module lifetime). */
  readonly scope: ts.Block | undefined;
  readonly using: boolean;
  /** Whether reaching the end of its scope while live is a leak. */
  readonly leakChecked: boolean;
}

type FactKind = 'live' | 'woken' | 'dropped' | 'moved' | 'escaped' | 'nullish' | 'dead' | 'reported' | 'unregistered' | 'registered';

interface Fact {
  readonly id: number;
  readonly kind: FactKind;
  /** `live`: where the value was created; events: where they happened. */
  readonly site: ts.Node;
  readonly label?: string;
}

type Facts = readonly Fact[];
type State = readonly Facts[];

const BAD: ReadonlySet<FactKind> = new Set(['woken', 'dropped', 'moved']);

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

const WAKER_CREATORS = new Set(['clone', 'fromRaw', 'fromArc']);

const OWNED_TYPE: Readonly<Record<ValueKind, 'Waker' | 'Box' | 'Arc' | 'RawWaker'>> = { waker: 'Waker', box: 'Box', arc: 'Arc', raw: 'RawWaker' };

type Effect =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'use' }
  | { readonly kind: 'write' }
  | { readonly kind: 'consume'; readonly how: 'woken' | 'dropped'; readonly site: ts.Node }
  | { readonly kind: 'move'; readonly site: ts.Node; readonly label: string }
  | { readonly kind: 'escape'; readonly site: ts.Node };

const IGNORE: Effect = { kind: 'ignore' };
const USE: Effect = { kind: 'use' };

interface LeakObservation {
  readonly binding: TrackedBinding;
  readonly origin: ts.Node;
  readonly point: ts.Node;
  /** Every fact at the point is live: dropping there is always right. */
  readonly onlyLive: boolean;
}

interface PollInfo {
  readonly parameter: ts.ParameterDeclaration;
  readonly name: string;
}

/**
 * Analyse one function body (or a file's top level) and append its findings.
 * Returns whether the analysis looked inside the unit's nested functions and
 * classes (it does when it tracks a binding they might capture).
 */
export function analyzeFunction(context: FileContext, unit: FlowUnit, findings: Finding[]): boolean {
  const analysis = new FunctionAnalysis(context, unit);
  analysis.run(findings);
  return analysis.readNested;
}

class FunctionAnalysis {
  private readonly ts: FileContext['ts'];
  private readonly bindings: TrackedBinding[] = [];
  private readonly bySymbol = new Map<ts.Symbol, TrackedBinding>();
  private readonly uses = new Map<ts.Node, TrackedBinding>();
  /** Context-parameter references inside a `poll`: the context itself, or its waker (`const w = cx.waker()`). */
  private readonly contextRefs = new Map<ts.Node, 'context' | 'wakerRef'>();
  private readonly contextAliases = new Map<ts.Symbol, 'context' | 'wakerRef'>();
  /**
   * `const w = cx.waker().clone()`: the clone registers only while `w` may still be
   * kept or woken. Maps `w` to the context reference whose registration it holds;
   * dropping or forgetting `w` before any other use takes that registration back.
   */
  private readonly heldClones = new Map<TrackedBinding, ts.Identifier>();
  private readonly heldCloneOf = new Map<ts.Identifier, TrackedBinding | null>();
  /** Readiness tests (`Poll.isReady(r)`, `r.ready`) of `const r = inner.poll(cx)`, to the `cx` handed on there (null: not one). */
  private readonly readyTests = new Map<ts.Expression, { readonly context: ts.Identifier; readonly whenReady: 'truthy' | 'falsy' } | null>();
  private readonly captures = new Map<ts.Node, TrackedBinding[]>();
  private readonly capturesContext = new Set<ts.Node>();
  private readonly creations = new Map<ts.Node, ValueKind>();
  private readonly effects = new Map<ts.Node, Effect>();
  private poll: PollInfo | undefined;
  private contextIndex = -1;
  /** Facts by their site's start: one fact per kind, label and site range (`fact` runs for every operation of every pass). */
  private readonly factsAt = new Map<number, Fact[]>();
  private factCount = 0;
  private reporting = false;
  private readonly reported = new Map<string, Finding>();
  private readonly leaks: LeakObservation[] = [];
  private readonly disposals = new Map<ts.Node, ts.Node[]>();
  private readonly moves = new Set<TrackedBinding>();
  /** Bindings by the block whose end takes them out of scope. */
  private readonly scoped = new Map<ts.Node, TrackedBinding[]>();

  private readonly root: FlowRoot;
  /** Whether discovery walked the nested functions and classes (for incremental re-analysis). */
  readNested = false;

  constructor(
    private readonly context: FileContext,
    private readonly unit: FlowUnit,
  ) {
    this.ts = context.ts;
    this.root = unit.root;
  }

  run(findings: Finding[]): void {
    this.discover();
    if (this.bindings.length === 0 && !this.poll) {
      findings.push(...this.reported.values());
      return;
    }
    const cfg = buildCfg(this.ts, this.root, {
      isInteresting: (identifier) => this.uses.has(identifier) || this.contextRefs.has(identifier),
      coversEveryValue: (node) => switchCoversEveryValue(this.ts, this.context.checker, node),
    });
    const outs = this.solve(cfg.blocks, cfg.entry);
    this.reporting = true;
    for (const block of cfg.blocks) {
      const input = this.inputOf(block, cfg.entry, outs);
      if (input) this.transferBlock(block, input);
    }
    this.reportLeaks();
    findings.push(...this.reported.values());
  }

  // ---------------------------------------------------------------- discovery

  private discover(): void {
    const ts = this.ts;
    const root = this.root;
    this.detectPoll();
    if (!ts.isSourceFile(root)) {
      for (const parameter of root.kind === ts.SyntaxKind.ClassStaticBlockDeclaration ? [] : root.parameters) this.discoverParameter(parameter);
    }
    const unit = this.unit;
    // Declarations in source order, so `const b = a` sees `a` already tracked.
    for (const declaration of unit.declarations) this.discoverVariable(declaration);
    for (const call of unit.calls) this.discoverCall(call);
    for (const assignment of unit.assignments) {
      if (ts.isIdentifier(skipOuterExpressions(ts, assignment.left))) this.discoverCreation(assignment.right, true);
    }
    if (this.bindings.length === 0 && !this.poll) return;
    this.readNested = true;
    this.discoverCaptures(unit.nested);
    this.mapUses();
    for (const binding of this.bindings) {
      if (!binding.scope) continue;
      const list = this.scoped.get(binding.scope) ?? [];
      list.push(binding);
      this.scoped.set(binding.scope, list);
    }
  }

  private detectPoll(): void {
    const ts = this.ts;
    const root = this.root;
    if (ts.isSourceFile(root) || root.kind === ts.SyntaxKind.ClassStaticBlockDeclaration) return;
    let name: ts.Node | undefined = 'name' in root ? root.name : undefined;
    if (!name && (ts.isArrowFunction(root) || ts.isFunctionExpression(root)) && (ts.isPropertyAssignment(root.parent) || ts.isPropertyDeclaration(root.parent))) name = root.parent.name;
    if (!name || !ts.isIdentifier(name) || name.text !== 'poll') return;
    const parameter = root.parameters[0];
    if (!parameter || !ts.isIdentifier(parameter.name)) return;
    if (!this.context.library.isType(this.context.checker.getTypeAtLocation(parameter), 'Context')) return;
    this.poll = { parameter, name: parameter.name.text };
    const symbol = this.context.library.symbolAt(parameter.name);
    if (symbol) this.contextAliases.set(symbol, 'context');
  }

  private discoverParameter(parameter: ts.ParameterDeclaration): void {
    const ts = this.ts;
    if (!ts.isIdentifier(parameter.name) || parameter.dotDotDotToken || parameter.name.text === 'this') return;
    // Only annotated parameters: an unannotated callback parameter (`wakers.map((w) => …)`) usually borrows.
    const annotation = parameter.type;
    if (!annotation || !mayNameOwnedType(ts, annotation)) return;
    const type = this.context.checker.getTypeFromTypeNode(annotation);
    const kind = this.ownedKindOf(type);
    if (!kind) return;
    const body = this.root.kind !== this.ts.SyntaxKind.SourceFile && 'body' in this.root && this.root.body && ts.isBlock(this.root.body) ? this.root.body : undefined;
    this.track(parameter, kind, body, false, true);
  }

  private discoverVariable(declaration: ts.VariableDeclaration): void {
    const ts = this.ts;
    if (!ts.isIdentifier(declaration.name)) return;
    const list = declaration.parent;
    if (!ts.isVariableDeclarationList(list)) return;
    const statement = list.parent;
    // Loop variables and catch bindings are assigned by the loop/runtime, not tracked.
    if (!ts.isVariableStatement(statement) && !ts.isForStatement(statement)) return;
    const initializer = declaration.initializer && skipOuterExpressions(ts, declaration.initializer);
    let kind: ValueKind | undefined;
    if (initializer) {
      kind = this.discoverCreation(initializer, true);
      if (!kind && ts.isIdentifier(initializer)) {
        const source = this.context.library.symbolAt(initializer);
        kind = source ? this.bySymbol.get(source)?.kind : undefined;
        if (this.poll && source && this.contextAliases.get(source) === 'context') this.alias(declaration, 'context');
      }
      if (!kind && this.poll && this.isContextWaker(initializer)) this.alias(declaration, 'wakerRef');
    }
    if (!kind && declaration.type && mayNameOwnedType(ts, declaration.type)) kind = this.ownedKindOf(this.context.checker.getTypeFromTypeNode(declaration.type));
    if (!kind) return;
    const flags = list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using);
    const using = (flags & ts.NodeFlags.Using) !== 0;
    const scope = ts.isVariableStatement(statement) && ts.isBlock(statement.parent) ? statement.parent : undefined;
    const moduleLevel = ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent);
    this.track(declaration, kind, scope, using, !using && !moduleLevel);
  }

  private alias(declaration: ts.VariableDeclaration, kind: 'context' | 'wakerRef'): void {
    const symbol = this.context.library.symbolAt(declaration.name);
    if (symbol) this.contextAliases.set(symbol, kind);
  }

  /** `cx.waker()` on the poll's context (or an alias of it). */
  private isContextWaker(node: ts.Expression): boolean {
    const ts = this.ts;
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
    if (this.context.library.calleeOf(node) !== 'Context#waker') return false;
    const receiver = skipOuterExpressions(ts, node.expression.expression);
    if (!ts.isIdentifier(receiver)) return false;
    const symbol = this.context.library.symbolAt(receiver);
    return !!symbol && this.contextAliases.get(symbol) === 'context';
  }

  /** Record what a creation expression creates (for assignments and declarations). */
  private discoverCreation(node: ts.Expression, userRawWakers: boolean): ValueKind | undefined {
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, node);
    if (!ts.isCallExpression(inner) && !ts.isNewExpression(inner)) return undefined;
    const cached = this.creations.get(inner);
    if (cached) return cached;
    const name = this.context.library.calleeOf(inner);
    let kind = name ? CREATIONS[name] : undefined;
    // A RawWaker from the program's own functions (the seed's `createRawWaker()`): tracked for moves only.
    if (!kind && !name && userRawWakers && ts.isCallExpression(inner) && this.context.library.isType(this.context.checker.getTypeAtLocation(inner), 'RawWaker')) kind = 'raw';
    if (kind) this.creations.set(inner, kind);
    return kind;
  }

  /** Temporaries: a created waker that is discarded or only borrowed leaks right away. */
  private discoverCall(node: ts.CallExpression | ts.NewExpression): void {
    // Only `x.clone()`, `Waker.fromRaw(…)`, `Waker.fromArc(…)` can create a waker: skip the rest without the checker.
    const callee = node.expression;
    if (!this.ts.isPropertyAccessExpression(callee) || !WAKER_CREATORS.has(callee.name.text)) return;
    const kind = this.discoverCreation(node, false);
    if (kind !== 'waker') return;
    const discardedAt = this.temporaryLeak(node);
    if (!discardedAt) return;
    this.report({
      rule: 'clone-without-drop',
      severity: 'error',
      message: 'this waker is never dropped, woken or moved: it leaks',
      span: this.span(node),
      related: [this.related(discardedAt, 'the new waker is only borrowed, then discarded here')],
      help: 'wake or drop the new waker, or use the borrowed one directly (`wakeByRef()` needs no clone)',
      fixes: [],
    });
  }

  private temporaryLeak(node: ts.Expression): ts.Node | undefined {
    const ts = this.ts;
    const { value, parent } = climb(ts, node);
    if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return parent;
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === value) {
      const call = parent.parent;
      const name = ts.isPropertyAccessExpression(parent) ? this.context.library.nameOf(parent) : undefined;
      if (name === 'Waker#wake' || name === 'Waker#drop') return undefined;
      if (ts.isCallExpression(call) && call.expression === parent && !name) return undefined;
      return parent;
    }
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(value as ts.Expression)) {
      const name = this.context.library.calleeOf(parent);
      if (name === 'drop' || name === 'forget') return undefined;
      const expected = this.context.checker.getContextualType(value as ts.Expression);
      if (expected && this.context.library.isType(expected, 'WakerRef') && !this.context.library.isType(expected, 'Waker')) return parent;
    }
    return undefined;
  }

  private track(declaration: ts.VariableDeclaration | ts.ParameterDeclaration, kind: ValueKind, scope: ts.Block | undefined, using: boolean, leakChecked: boolean): void {
    const symbol = this.context.library.symbolAt(declaration.name);
    if (!symbol || this.bySymbol.has(symbol) || !this.ts.isIdentifier(declaration.name)) return;
    const binding: TrackedBinding = {
      index: this.bindings.length,
      name: declaration.name.text,
      kind,
      symbol,
      declaration,
      scope,
      using,
      leakChecked: leakChecked && kind === 'waker',
    };
    this.bindings.push(binding);
    this.bySymbol.set(symbol, binding);
  }

  /**
   * Nested functions and classes: a reference to a tracked binding captures it
   * (a move, where the closure is created). Hoisted declarations or writes from
   * inside make the binding's flow unknowable here, so it is not tracked at all.
   */
  private discoverCaptures(nested: readonly ts.Node[]): void {
    const ts = this.ts;
    const names = this.trackedNames();
    const untracked = new Set<TrackedBinding>();
    for (const closure of nested) {
      const hoisted = ts.isFunctionDeclaration(closure) || ts.isClassDeclaration(closure);
      const captured = new Set<TrackedBinding>();
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node) && names.has(node.text)) {
          const symbol = this.symbolOfReference(node);
          const binding = symbol && this.bySymbol.get(symbol);
          if (binding) {
            if (hoisted || isWriteTarget(ts, node)) untracked.add(binding);
            else captured.add(binding);
          }
          if (symbol && this.contextAliases.has(symbol)) this.capturesContext.add(closure);
        }
        ts.forEachChild(node, visit);
      };
      visit(closure);
      if (captured.size > 0) this.captures.set(closure, [...captured]);
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
    for (const [closure, list] of this.captures) {
      const remaining = list.filter((b) => !untracked.has(b)).map((b) => this.bySymbol.get(b.symbol)!);
      if (remaining.length > 0) this.captures.set(closure, remaining);
      else this.captures.delete(closure);
    }
  }

  /** The tracked names, fixed once discovery ends (`mapUses`). */
  private finalNames: ReadonlySet<string> = new Set();

  private trackedNames(): Set<string> {
    const names = new Set(this.bindings.map((b) => b.name));
    for (const symbol of this.contextAliases.keys()) names.add(symbol.getName());
    return names;
  }

  private symbolOfReference(identifier: ts.Identifier): ts.Symbol | undefined {
    const ts = this.ts;
    const checker = this.context.checker;
    if (ts.isShorthandPropertyAssignment(identifier.parent) && identifier.parent.name === identifier) return checker.getShorthandAssignmentValueSymbol(identifier.parent);
    return this.context.library.symbolAt(identifier);
  }

  /** Map every reference (in this body, not nested ones) to its tracked binding. */
  private mapUses(): void {
    const ts = this.ts;
    const names = this.trackedNames();
    this.finalNames = names;
    if (names.size === 0) return;
    if (this.poll) this.contextIndex = this.bindings.length;
    for (const identifier of this.unit.identifiers) {
      if (!names.has(identifier.text) || !isReference(ts, identifier)) continue;
      const symbol = this.symbolOfReference(identifier);
      if (!symbol) continue;
      const binding = this.bySymbol.get(symbol);
      if (binding) this.uses.set(identifier, binding);
      const alias = this.contextAliases.get(symbol);
      if (alias) this.contextRefs.set(identifier, alias);
    }
  }

  private ownedKindOf(type: ts.Type): ValueKind | undefined {
    const library = this.context.library;
    if (library.isType(type, 'Waker')) return 'waker';
    if (library.isType(type, 'Box')) return 'box';
    if (library.isType(type, 'Arc')) return 'arc';
    if (library.isType(type, 'RawWaker')) return 'raw';
    return undefined;
  }

  // ---------------------------------------------------------------- dataflow

  private initialState(): State {
    const state: Facts[] = this.bindings.map(() => []);
    for (const binding of this.bindings) {
      if (this.ts.isParameter(binding.declaration)) {
        const facts = [this.fact('live', binding.declaration.name)];
        if (binding.declaration.questionToken || binding.declaration.initializer) facts.push(this.fact('nullish', binding.declaration));
        state[binding.index] = sortFacts(facts);
      }
    }
    if (this.poll) state.push([this.fact('unregistered', this.poll.parameter)]);
    return state;
  }

  private solve(blocks: readonly BasicBlock[], entry: BasicBlock): Map<BasicBlock, State> {
    const outs = new Map<BasicBlock, State>();
    // Without loops, one pass in reverse post-order sees every block's final inputs: the
    // confirming pass would change nothing (transfer depends on its input alone), so skip it.
    const order = new Map(blocks.map((block, index) => [block, index]));
    const acyclic = blocks.every((block, index) => block.succs.every((edge) => (order.get(edge.to) ?? Infinity) > index));
    let changed = true;
    let rounds = 0;
    while (changed) {
      changed = false;
      if (++rounds > 1000) break; // A safety net: the lattice is finite, so this is never reached in practice.
      for (const block of blocks) {
        const input = this.inputOf(block, entry, outs);
        if (!input) continue;
        const output = this.transferBlock(block, input);
        const previous = outs.get(block);
        if (!previous || !sameState(previous, output)) {
          outs.set(block, output);
          changed = true;
        }
      }
      if (acyclic) break;
    }
    return outs;
  }

  private inputOf(block: BasicBlock, entry: BasicBlock, outs: Map<BasicBlock, State>): State | undefined {
    let input: State | undefined = block === entry ? this.initialState() : undefined;
    for (const edge of block.preds) {
      const out = outs.get(edge.from);
      if (!out) continue;
      const narrowed = this.narrow(out, edge);
      input = input ? joinStates(input, narrowed) : narrowed;
    }
    return input;
  }

  /** On the edge where a tracked binding is known to be null/undefined, it holds nothing. */
  private narrow(state: State, edge: Edge): State {
    const narrowing = edge.narrowing;
    if (!narrowing) return state;
    if (this.poll && this.contextIndex >= 0) state = this.narrowInnerReady(state, narrowing.expr, narrowing.outcome);
    const ts = this.ts;
    let expr = skipOuterExpressions(ts, narrowing.expr);
    let nullOnEdge = narrowing.outcome === 'falsy' || narrowing.outcome === 'nullish';
    if (ts.isBinaryExpression(expr)) {
      const operator = expr.operatorToken.kind;
      const equal = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
      const notEqual = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
      if (!equal && !notEqual) return state;
      const other = isNullish(ts, expr.right) ? expr.left : isNullish(ts, expr.left) ? expr.right : undefined;
      if (!other) return state;
      expr = skipOuterExpressions(ts, other);
      const truthy = narrowing.outcome === 'truthy';
      nullOnEdge = equal ? truthy : !truthy;
    }
    if (!nullOnEdge || !ts.isIdentifier(expr)) return state;
    const binding = this.uses.get(expr);
    if (!binding || state[binding.index].length === 0) return state;
    const next = state.slice();
    next[binding.index] = this.keepReported(state[binding.index], [this.fact('nullish', expr)]);
    return next;
  }

  private transferBlock(block: BasicBlock, input: State): State {
    const state = input.slice() as Facts[];
    for (const op of block.ops) this.transfer(op, state);
    return state;
  }

  private transfer(op: Op, state: Facts[]): void {
    const ts = this.ts;
    switch (op.kind) {
      case 'declare': {
        const binding = this.bindingOfDeclaration(op.node);
        if (binding) this.assign(binding, op.node.initializer, op.node, state);
        return;
      }
      case 'scopeEnd':
        for (const binding of this.scoped.get(op.node) ?? []) {
          if (binding.leakChecked) this.checkLeak(binding, op.via ?? op.node, state);
          state[binding.index] = state[binding.index].length > 0 ? [this.fact('dead', op.node)] : [];
        }
        return;
      case 'exit':
        for (const binding of this.bindings) if (binding.leakChecked) this.checkLeak(binding, op.node, state);
        return;
      case 'eval':
        this.evaluate(op.node, state);
        return;
    }
  }

  private evaluate(node: ts.Node, state: Facts[]): void {
    const ts = this.ts;
    const binding = this.uses.get(node);
    if (binding) this.useBinding(binding, node as ts.Identifier, state);
    const contextRef = this.contextRefs.get(node);
    if (contextRef) this.useContext(node as ts.Identifier, contextRef, state);
    if (binding || contextRef) return;
    if (ts.isCallExpression(node)) {
      if (this.poll && calleeNameText(ts, node) === 'pending' && this.context.library.calleeOf(node) === 'Poll.pending') this.checkPending(node, state);
      return;
    }
    if (ts.isBinaryExpression(node)) {
      const left = skipOuterExpressions(ts, node.left);
      if (ts.isIdentifier(left)) {
        const target = this.bindingOfIdentifier(left);
        if (target) this.assign(target, node.right, node, state);
      } else if (ts.isArrayLiteralExpression(left) || ts.isObjectLiteralExpression(left)) {
        // Destructuring writes: whatever lands in a tracked binding is unknown.
        this.forEachIdentifier(left, (identifier) => {
          const target = this.bindingOfIdentifier(identifier);
          if (target) state[target.index] = [this.fact('escaped', identifier)];
        });
      }
      return;
    }
    // A closure (or object-literal method) is created: it captures what it references.
    for (const captured of this.captures.get(node) ?? []) {
      this.checkUse(captured, node, state);
      this.setFacts(captured, this.fact('moved', node, 'value moved into closure here'), state);
    }
    if (this.poll && this.capturesContext.has(node)) this.register(node, state);
  }

  private forEachIdentifier(node: ts.Node, action: (identifier: ts.Identifier) => void): void {
    const ts = this.ts;
    const visit = (child: ts.Node): void => {
      if (ts.isIdentifier(child)) action(child);
      else ts.forEachChild(child, visit);
    };
    visit(node);
  }

  private bindingOfDeclaration(declaration: ts.VariableDeclaration): TrackedBinding | undefined {
    if (!this.ts.isIdentifier(declaration.name)) return undefined;
    const symbol = this.context.library.symbolAt(declaration.name);
    const binding = symbol && this.bySymbol.get(symbol);
    return binding && binding.declaration === declaration ? binding : undefined;
  }

  private bindingOfIdentifier(identifier: ts.Identifier): TrackedBinding | undefined {
    if (!this.finalNames.has(identifier.text)) return undefined;
    const symbol = this.context.library.symbolAt(identifier);
    return symbol ? this.bySymbol.get(symbol) : undefined;
  }

  /** `binding = value` (or its declaration): the old value, if live, leaks; the new one is tracked. */
  private assign(binding: TrackedBinding, value: ts.Expression | undefined, site: ts.Node, state: Facts[]): void {
    const ts = this.ts;
    if (binding.leakChecked) this.checkLeak(binding, site, state);
    if (!value) {
      state[binding.index] = [this.fact('nullish', site)];
      return;
    }
    const inner = skipOuterExpressions(ts, value);
    const source = ts.isIdentifier(inner) ? this.uses.get(inner) : undefined;
    if (source && source !== binding) {
      this.checkUse(source, inner, state);
      const carried = state[source.index].filter((f) => f.kind === 'live' || f.kind === 'nullish');
      const others = state[source.index].some((f) => f.kind !== 'live' && f.kind !== 'nullish' && f.kind !== 'reported');
      state[binding.index] = sortFacts(others ? [...carried, this.fact('escaped', site)] : carried);
      this.moves.add(source);
      state[source.index] = this.keepReported(state[source.index], [this.fact('moved', inner, `value moved into \`${binding.name}\` here`)]);
      return;
    }
    if (source === binding) return;
    if (this.creations.has(inner)) state[binding.index] = [this.fact('live', inner)];
    else if (isNullish(ts, inner)) state[binding.index] = [this.fact('nullish', inner)];
    else state[binding.index] = [this.fact('escaped', site)];
  }

  // ---------------------------------------------------------------- uses of tracked bindings

  private useBinding(binding: TrackedBinding, identifier: ts.Identifier, state: Facts[]): void {
    let effect = this.effects.get(identifier);
    if (!effect) {
      effect = this.classify(binding, identifier);
      this.effects.set(identifier, effect);
    }
    if (this.poll && this.contextIndex >= 0) this.useHeldClone(binding, effect, identifier, state);
    switch (effect.kind) {
      case 'ignore':
        return;
      case 'write':
        state[binding.index] = [this.fact('escaped', identifier)];
        return;
      case 'use':
        this.checkUse(binding, identifier, state);
        return;
      case 'consume':
        this.checkUse(binding, identifier, state);
        this.setFacts(binding, this.fact(effect.how, effect.site), state);
        return;
      case 'move':
        this.checkUse(binding, identifier, state);
        this.moves.add(binding);
        this.setFacts(binding, this.fact('moved', effect.site, effect.label), state);
        return;
      case 'escape':
        this.checkUse(binding, identifier, state);
        this.moves.add(binding);
        this.setFacts(binding, this.fact('escaped', effect.site), state);
        return;
    }
  }

  /** What a reference does to the value, from where it appears. */
  private classify(binding: TrackedBinding, identifier: ts.Identifier): Effect {
    const ts = this.ts;
    const library = this.context.library;
    if (ts.isShorthandPropertyAssignment(identifier.parent)) return { kind: 'move', site: identifier.parent, label: 'value stored here' };
    const { value, parent, flowed } = climb(ts, identifier);
    if (isTestPosition(ts, value, parent)) return IGNORE;
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === value) {
      const call = parent.parent;
      if (ts.isPropertyAccessExpression(parent) && ts.isCallExpression(call) && call.expression === parent) {
        const name = library.nameOf(parent);
        if (name === 'Waker#wake') return { kind: 'consume', how: 'woken', site: call };
        if (name === 'Waker#drop' || name === 'Box#drop' || name === 'Arc#drop') return { kind: 'consume', how: 'dropped', site: call };
      }
      return USE;
    }
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      if (parent.expression === value) return USE;
      return this.argumentEffect(binding, parent, value as ts.Expression);
    }
    if (ts.isSpreadElement(parent)) return { kind: 'escape', site: parent };
    if (ts.isVariableDeclaration(parent) && parent.initializer === value) {
      if (!ts.isIdentifier(parent.name)) return USE;
      if (!flowed && this.bindingOfDeclaration(parent)) return IGNORE;
      return { kind: 'move', site: value, label: `value moved into \`${parent.name.text}\` here` };
    }
    if (ts.isBinaryExpression(parent)) {
      const operator = parent.operatorToken.kind;
      if (operator === ts.SyntaxKind.EqualsToken) {
        if (parent.left === value) return IGNORE;
        const target = skipOuterExpressions(ts, parent.left);
        if (ts.isIdentifier(target)) {
          if (!flowed && this.bindingOfIdentifier(target)) return IGNORE;
          return { kind: 'move', site: value, label: `value moved into \`${target.text}\` here` };
        }
        if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) return { kind: 'move', site: value, label: 'value stored here' };
        return USE;
      }
      return USE;
    }
    if (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) return parent.initializer === value ? { kind: 'write' } : USE;
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === value)) return { kind: 'move', site: parent, label: 'value returned here' };
    if (ts.isThrowStatement(parent) || ts.isYieldExpression(parent)) return { kind: 'move', site: parent, label: 'value moved here' };
    if (ts.isArrayLiteralExpression(parent) || ts.isPropertyAssignment(parent)) {
      if (isDestructuringTarget(ts, parent)) return { kind: 'write' };
      return { kind: 'move', site: value, label: 'value stored here' };
    }
    if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) return USE;
    return USE;
  }

  private argumentEffect(binding: TrackedBinding, call: ts.CallExpression | ts.NewExpression, argument: ts.Expression): Effect {
    const ts = this.ts;
    const name = this.context.library.calleeOf(call);
    switch (name) {
      case 'drop':
        return { kind: 'consume', how: 'dropped', site: call };
      case 'forget':
        return { kind: 'move', site: call, label: 'value forgotten here' };
      case 'Box.intoRaw':
      case 'Arc.intoRaw':
        return { kind: 'move', site: call, label: 'value turned into a raw pointer here' };
      case 'Waker.fromRaw':
      case 'Waker.fromArc':
        return { kind: 'move', site: call, label: 'value moved into a waker here' };
      case 'Box.new':
      case 'Arc.new':
        return { kind: 'move', site: call, label: 'value stored here' };
      case 'Arc.clone':
      case 'Arc.strongCount':
      case 'Context.fromWaker':
        return USE;
    }
    // `Wake#wakeByRef(self: Arc<this>)` borrows its Arc even though the type says Arc, as Rust's `&Arc<Self>`.
    if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'wakeByRef') return USE;
    const expected = this.context.checker.getContextualType(argument);
    if (!expected || expected.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) return { kind: 'escape', site: call };
    if (this.context.library.isType(expected, OWNED_TYPE[binding.kind])) return { kind: 'move', site: argument, label: 'value moved here' };
    if (this.context.library.isType(expected, 'WakerRef')) return USE;
    return { kind: 'escape', site: call };
  }

  private setFacts(binding: TrackedBinding, fact: Fact, state: Facts[]): void {
    const before = state[binding.index];
    if (this.reporting) {
      for (const old of before) {
        if (old.kind !== 'live') continue;
        const list = this.disposals.get(old.site) ?? [];
        if (!list.includes(fact.site)) list.push(fact.site);
        this.disposals.set(old.site, list);
      }
    }
    state[binding.index] = this.keepReported(before, [fact]);
  }

  private keepReported(before: Facts, next: Fact[]): Facts {
    const reported = before.find((f) => f.kind === 'reported');
    return reported ? sortFacts([...next, reported]) : next;
  }

  /** A use of `binding` at `use`: reported when some path has woken, dropped or moved it. */
  private checkUse(binding: TrackedBinding, use: ts.Node, state: Facts[]): void {
    const facts = state[binding.index];
    // One report per chain of misuses: later uses stay quiet (but a loop's own use is not "later").
    if (facts.length === 0 || facts.some((f) => f.kind === 'reported' && f.site !== use)) return;
    const bad = facts.filter((f) => BAD.has(f.kind));
    if (bad.length === 0) return;
    state[binding.index] = sortFacts([...facts, this.fact('reported', use)]);
    if (!this.reporting) return;
    const everyPath = facts.every((f) => BAD.has(f.kind) || f.kind === 'reported');
    const rule: RuleId = bad.some((f) => f.kind === 'woken') ? 'use-after-wake' : bad.some((f) => f.kind === 'dropped') ? 'use-after-drop' : 'use-after-move';
    const decisive = bad.find((f) => (rule === 'use-after-wake' ? f.kind === 'woken' : rule === 'use-after-drop' ? f.kind === 'dropped' : true)) ?? bad[0];
    const what = rule === 'use-after-wake' ? 'woken' : rule === 'use-after-drop' ? 'dropped' : 'moved';
    const path = everyPath ? '' : ` ${this.pathOf(decisive.site, use)}`;
    const related = bad.map((f) =>
      this.related(f.site, f.kind === 'moved' ? f.label ?? 'value moved here' : `\`${binding.name}\` ${f.kind === 'woken' ? 'woken' : 'dropped'} here`),
    );
    const secondDrop = rule === 'use-after-drop' && this.effects.get(use)?.kind === 'consume';
    const help =
      rule === 'use-after-wake'
        ? 'use `wakeByRef()` if the waker is needed afterwards'
        : rule === 'use-after-drop'
          ? secondDrop
            ? 'remove the second drop: each owned value is released exactly once'
            : 'clone the value before dropping it if it is needed afterwards'
          : binding.kind === 'raw'
            ? 'a `RawWaker` becomes a `Waker` once; clone that waker instead'
            : 'clone the value before moving it if it is needed afterwards';
    this.report({
      rule,
      severity: everyPath ? 'error' : 'warning',
      message: `use of \`${binding.name}\` after it was ${what}${path}`,
      span: this.span(use),
      related,
      help,
      fixes: rule === 'use-after-wake' ? useAfterWakeFixes(this.ts, this.context.file, bad.filter((f) => f.kind === 'woken').map((f) => f.site)) : [],
    });
  }

  private pathOf(site: ts.Node, use: ts.Node): string {
    const ts = this.ts;
    const condition = conditionOf(ts, site, use, this.root);
    if (condition) return describeCondition(condition);
    if (use.pos <= site.pos && this.insideLoopWith(site, use)) return LATER_ITERATION;
    return SOME_PATHS;
  }

  private insideLoopWith(site: ts.Node, use: ts.Node): boolean {
    const ts = this.ts;
    for (let node = site.parent; node && node !== this.root; node = node.parent) {
      if ((ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && use.pos >= node.pos && use.end <= node.end) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- leaks

  /** `at`: a statement leaving the function, or a block whose end is reached (the leak shows at its `}`). */
  private checkLeak(binding: TrackedBinding, at: ts.Node, state: Facts[]): void {
    if (!this.reporting || !state[binding.index].some((f) => f.kind === 'live')) return;
    const point = at.kind === this.ts.SyntaxKind.Block ? closingBrace(this.ts, at as ts.Block) : at;
    const facts = state[binding.index].filter((f) => f.kind !== 'reported');
    const onlyLive = facts.length > 0 && facts.every((f) => f.kind === 'live');
    for (const fact of facts) {
      if (fact.kind === 'live') this.leaks.push({ binding, origin: fact.site, point, onlyLive });
    }
  }

  private reportLeaks(): void {
    const byOrigin = new Map<ts.Node, LeakObservation[]>();
    for (const leak of this.leaks) {
      const list = byOrigin.get(leak.origin) ?? [];
      if (!list.some((l) => l.point === leak.point && l.binding === leak.binding)) list.push(leak);
      byOrigin.set(leak.origin, list);
    }
    for (const [origin, observations] of byOrigin) {
      const binding = observations[0].binding;
      const disposals = this.disposals.get(origin) ?? [];
      const everyPath = disposals.length === 0;
      const isParameter = this.ts.isParameter(binding.declaration);
      const path = everyPath ? '' : ` ${this.leakPath(binding, observations, disposals)}`;
      const subject = isParameter ? `waker parameter \`${binding.name}\`` : `\`${binding.name}\``;
      const related = observations.map((o) => this.related(o.point, this.leakLabel(binding, o.point)));
      if (!isParameter && origin !== binding.declaration.name) related.unshift(this.related(origin, `\`${binding.name}\` ${this.createdVerb(origin)} here`));
      this.report({
        rule: 'clone-without-drop',
        severity: everyPath ? 'error' : 'warning',
        message: `${subject} is never dropped, woken or moved${path}: it leaks`,
        span: this.span(origin),
        related,
        help: isParameter ? `drop or wake \`${binding.name}\`, or take a \`WakerRef\` if the function only borrows it` : `drop \`${binding.name}\` or declare it with \`using\``,
        fixes: leakFixes(this.ts, this.context.file, binding, observations, this.moves.has(binding)),
      });
    }
  }

  private createdVerb(origin: ts.Node): string {
    const ts = this.ts;
    if (ts.isCallExpression(origin)) {
      const name = this.context.library.calleeOf(origin);
      if (name === 'Waker#clone') return 'cloned';
    }
    return 'created';
  }

  private leakLabel(binding: TrackedBinding, point: ts.Node): string {
    const ts = this.ts;
    if (ts.isReturnStatement(point)) return `\`${binding.name}\` leaks when returning here`;
    if (ts.isThrowStatement(point)) return `\`${binding.name}\` leaks when throwing here`;
    if (ts.isBreakStatement(point)) return `\`${binding.name}\` leaks when breaking out here`;
    if (ts.isContinueStatement(point)) return `\`${binding.name}\` leaks when the loop continues here`;
    if (ts.isVariableDeclaration(point) || ts.isBinaryExpression(point)) return `\`${binding.name}\` overwritten here while still live`;
    return `\`${binding.name}\` goes out of scope here`;
  }

  private leakPath(binding: TrackedBinding, observations: readonly LeakObservation[], disposals: readonly ts.Node[]): string {
    const ts = this.ts;
    // A jump out of the block is the path itself: name it.
    const jump = observations.find((o) => ts.isBreakOrContinueStatement(o.point))?.point;
    if (jump) {
      const line = this.context.file.getLineAndCharacterOfPosition(jump.getStart(this.context.file)).line + 1;
      return ts.isBreakStatement(jump) ? `when breaking out at line ${line}` : `when the loop continues at line ${line}`;
    }
    for (const observation of observations) {
      if (ts.isReturnStatement(observation.point) || ts.isThrowStatement(observation.point)) {
        const condition = conditionOf(ts, observation.point, binding.declaration, this.root);
        if (condition) return describeCondition(condition);
      }
    }
    for (const disposal of disposals) {
      const condition = conditionOf(ts, disposal, binding.declaration, this.root);
      if (condition) return describeCondition(condition, true);
    }
    return SOME_PATHS;
  }

  // ---------------------------------------------------------------- lost wakeups

  private useContext(identifier: ts.Identifier, kind: 'context' | 'wakerRef', state: Facts[]): void {
    if (!this.contextRegisters(identifier, kind)) return;
    const held = this.heldClone(identifier, kind);
    if (held) this.heldClones.set(held, identifier);
    this.register(identifier, state);
  }

  /** The tracked binding declared with a clone of the context's waker (`const w = cx.waker().clone()`), if that is what this reference does. */
  private heldClone(identifier: ts.Identifier, kind: 'context' | 'wakerRef'): TrackedBinding | undefined {
    const cached = this.heldCloneOf.get(identifier);
    if (cached !== undefined) return cached ?? undefined;
    const ts = this.ts;
    let held: TrackedBinding | undefined;
    let waker: ts.Node = identifier;
    if (kind === 'context') {
      // `cx.waker()`: the waker is the call (other context uses hand on `cx` itself, not a clone).
      const access = climb(ts, identifier).parent;
      waker = access.parent;
      if (!ts.isPropertyAccessExpression(access) || !ts.isCallExpression(waker) || waker.expression !== access) waker = identifier;
    }
    const { value, parent } = climb(ts, waker);
    const clone = parent.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === value && ts.isCallExpression(clone) && clone.expression === parent) {
      const declaration = climb(ts, clone).parent;
      if (ts.isVariableDeclaration(declaration) && this.context.library.nameOf(parent) === 'Waker#clone') held = this.bindingOfDeclaration(declaration);
    }
    this.heldCloneOf.set(identifier, held ?? null);
    return held;
  }

  /**
   * A use of a held clone: dropping or forgetting it takes the registration back
   * (nobody can wake the task with it); any other use keeps it, as we cannot tell.
   */
  private useHeldClone(binding: TrackedBinding, effect: Effect, use: ts.Identifier, state: Facts[]): void {
    const source = this.heldClones.get(binding);
    if (!source || effect.kind === 'ignore') return;
    const facts = state[this.contextIndex];
    if (!facts.some((f) => f.kind === 'registered' && f.site === source)) return;
    const discarded =
      (effect.kind === 'consume' && effect.how === 'dropped') ||
      (effect.kind === 'move' && this.ts.isCallExpression(effect.site) && this.context.library.calleeOf(effect.site) === 'forget');
    const replacement = discarded ? this.fact('unregistered', effect.site, 'the clone of the waker is dropped or forgotten here: nothing can wake the task with it') : this.fact('registered', use);
    state[this.contextIndex] = sortFacts([...facts.filter((f) => !(f.kind === 'registered' && f.site === source)), replacement]);
  }

  /**
   * Where `const r = inner.poll(cx)` tested ready: the inner future has finished and
   * registered nothing, so handing `cx` on there no longer counts as keeping the waker.
   */
  private narrowInnerReady(state: State, expr: ts.Expression, outcome: string): State {
    const test = this.readyTest(expr);
    if (!test || outcome !== test.whenReady) return state;
    const facts = state[this.contextIndex];
    if (!facts.some((f) => f.kind === 'registered' && f.site === test.context)) return state;
    const next = state.slice();
    const unregistered = this.fact('unregistered', expr, 'the inner future is ready here: it keeps no waker');
    next[this.contextIndex] = sortFacts([...facts.filter((f) => !(f.kind === 'registered' && f.site === test.context)), unregistered]);
    return next;
  }

  /** `Poll.isReady(r)`, `Poll.isPending(r)` or `r.ready`, with `r` a `const` holding `inner.poll(cx)` directly. */
  private readyTest(expr: ts.Expression): { readonly context: ts.Identifier; readonly whenReady: 'truthy' | 'falsy' } | undefined {
    const cached = this.readyTests.get(expr);
    if (cached !== undefined) return cached ?? undefined;
    const ts = this.ts;
    let result: { readonly context: ts.Identifier; readonly whenReady: 'truthy' | 'falsy' } | undefined;
    let tested: ts.Expression | undefined;
    let whenReady: 'truthy' | 'falsy' = 'truthy';
    if (ts.isCallExpression(expr) && expr.arguments.length === 1 && ts.isPropertyAccessExpression(expr.expression)) {
      // `Library.nameOf` skips these names (speed): resolve the two here.
      const name = expr.expression.name.text;
      const declaration = (name === 'isReady' || name === 'isPending') && this.context.library.symbolAt(expr.expression)?.valueDeclaration;
      if (declaration && isLibraryFile(declaration.getSourceFile().fileName)) {
        tested = expr.arguments[0];
        whenReady = name === 'isReady' ? 'truthy' : 'falsy';
      }
    } else if (ts.isPropertyAccessExpression(expr) && expr.name.text === 'ready') {
      tested = expr.expression;
    }
    tested = tested && skipOuterExpressions(ts, tested);
    if (tested && ts.isIdentifier(tested)) {
      const declaration = this.context.library.symbolAt(tested)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isVariableDeclarationList(declaration.parent) && declaration.parent.flags & ts.NodeFlags.Const) {
        const poll = skipOuterExpressions(ts, declaration.initializer);
        const argument = ts.isCallExpression(poll) && ts.isPropertyAccessExpression(poll.expression) && poll.expression.name.text === 'poll' && poll.arguments.length === 1 ? skipOuterExpressions(ts, poll.arguments[0]) : undefined;
        if (argument && ts.isIdentifier(argument) && this.contextRefs.get(argument) === 'context') result = { context: argument, whenReady };
      }
    }
    this.readyTests.set(expr, result ?? null);
    return result;
  }

  /** Whether this reference to the context (or its waker) keeps, wakes or hands on the waker. */
  private contextRegisters(identifier: ts.Identifier, kind: 'context' | 'wakerRef'): boolean {
    const ts = this.ts;
    const { value, parent } = climb(ts, identifier);
    if (isTestPosition(ts, value, parent)) return false;
    if (kind === 'context' && ts.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = parent.parent;
      if (ts.isCallExpression(call) && call.expression === parent && this.context.library.nameOf(parent) === 'Context#waker') return this.wakerRefRegisters(call);
      return false;
    }
    if (kind === 'wakerRef') return this.wakerRefRegisters(identifier);
    if (ts.isVariableDeclaration(parent) && parent.initializer === value) return !this.isAliasDeclaration(parent);
    return !ts.isExpressionStatement(parent) && !this.isLibraryArgument(value, parent);
  }

  private wakerRefRegisters(node: ts.Expression): boolean {
    const ts = this.ts;
    const { value, parent } = climb(ts, node);
    if (isTestPosition(ts, value, parent) || ts.isExpressionStatement(parent)) return false;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = parent.parent;
      if (!ts.isCallExpression(call) || call.expression !== parent) return false;
      const name = this.context.library.nameOf(parent);
      if (name === 'Waker#wakeByRef') return true;
      if (name === 'Waker#clone') return this.cloneKept(call);
      return false;
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === value) return !this.isAliasDeclaration(parent);
    return !this.isLibraryArgument(value, parent);
  }

  /** An argument to a library call (`other.willWake(w)`): the library keeps nothing. */
  private isLibraryArgument(value: ts.Node, parent: ts.Node): boolean {
    const ts = this.ts;
    return (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== value && this.context.library.calleeOf(parent) !== undefined;
  }

  private isAliasDeclaration(declaration: ts.VariableDeclaration): boolean {
    const symbol = this.context.library.symbolAt(declaration.name);
    return !!symbol && this.contextAliases.has(symbol);
  }

  /** A clone of the context's waker that is kept somewhere or woken (not dropped or discarded). */
  private cloneKept(clone: ts.CallExpression): boolean {
    const ts = this.ts;
    const { value, parent } = climb(ts, clone);
    if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return false;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === value) return this.context.library.nameOf(parent) === 'Waker#wake';
    if (ts.isCallExpression(parent) && parent.expression !== value) {
      const name = this.context.library.calleeOf(parent);
      if (name === 'drop' || name === 'forget') return false;
    }
    return true;
  }

  private register(site: ts.Node, state: Facts[]): void {
    state[this.contextIndex] = [this.fact('registered', site)];
  }

  private checkPending(call: ts.CallExpression, state: Facts[]): void {
    if (!this.reporting || !this.poll) return;
    const ts = this.ts;
    const { parent } = climb(ts, call);
    const returned = ts.isReturnStatement(parent) ? parent : ts.isArrowFunction(parent) && parent === this.root ? call : undefined;
    if (!returned) return;
    if (ts.isReturnStatement(parent) && enclosingFunction(ts, parent) !== this.root) return;
    const facts = state[this.contextIndex];
    if (!facts.some((f) => f.kind === 'unregistered')) return;
    const registrations = facts.filter((f) => f.kind === 'registered');
    const everyPath = registrations.length === 0;
    let path = '';
    if (!everyPath) {
      const condition = registrations.map((r) => conditionOf(ts, r.site, returned, this.root)).find((c): c is PathCondition => !!c);
      path = ` ${condition ? describeCondition(condition, true) : SOME_PATHS}`;
    }
    const cx = this.poll.name;
    this.report({
      rule: 'lost-wakeup',
      severity: everyPath ? 'error' : 'warning',
      message: `\`poll\` returns \`Poll.pending()\` without keeping or waking \`${cx}\`'s waker${path}: nothing will poll this future again`,
      span: this.span(returned),
      related: [
        this.related(this.poll.parameter, `\`${cx}\` received here`),
        ...registrations.map((r) => this.related(r.site, 'the waker is kept or woken here, on other paths')),
        ...facts.filter((f) => f.kind === 'unregistered' && f.label !== undefined).map((f) => this.related(f.site, f.label!)),
      ],
      help: `store \`${cx}.waker().clone()\` where the event source will wake it, or pass \`${cx}\` on to the future you are waiting for`,
      fixes: lostWakeupFixes(this.context, this.root, returned, cx),
    });
  }

  // ---------------------------------------------------------------- plumbing

  private fact(kind: FactKind, site: ts.Node, label?: string): Fact {
    let list = this.factsAt.get(site.pos);
    if (!list) {
      list = [];
      this.factsAt.set(site.pos, list);
    }
    for (const fact of list) {
      if (fact.kind === kind && fact.site.end === site.end && fact.site.kind === site.kind && (fact.label ?? '') === (label ?? '')) return fact;
    }
    const fact: Fact = label === undefined ? { id: this.factCount++, kind, site } : { id: this.factCount++, kind, site, label };
    list.push(fact);
    return fact;
  }

  private span(node: ts.Node): Span {
    return { file: this.context.file.fileName, start: node.getStart(this.context.file), end: node.getEnd() };
  }

  private related(node: ts.Node, message: string): RelatedSpan {
    return { ...this.span(node), message };
  }

  private report(finding: Finding): void {
    const key = `${finding.rule}:${finding.span.start}:${finding.span.end}`;
    if (!this.reported.has(key)) this.reported.set(key, finding);
  }
}

// ---------------------------------------------------------------- helpers

/** The name a call's callee ends with (`pending` in `Poll.pending()`): a cheap filter before asking the checker. */
function calleeNameText(ts: FileContext['ts'], call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function sortFacts(facts: Fact[]): Facts {
  facts.sort((a, b) => a.id - b.id);
  return facts.filter((f, i) => i === 0 || facts[i - 1] !== f);
}

function joinFacts(a: Facts, b: Facts): Facts {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const merged: Fact[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].id < b[j].id)) merged.push(a[i++]);
    else if (i >= a.length || b[j].id < a[i].id) merged.push(b[j++]);
    else {
      merged.push(a[i++]);
      j++;
    }
  }
  return merged.length === a.length ? a : merged;
}

function joinStates(a: State, b: State): State {
  let result: Facts[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const joined = joinFacts(a[i], b[i]);
    if (joined !== a[i]) {
      result ??= a.slice();
      result[i] = joined;
    }
  }
  return result ?? a;
}

function sameFacts(a: Facts, b: Facts): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameState(a: State, b: State): boolean {
  for (let i = 0; i < a.length; i++) if (!sameFacts(a[i], b[i])) return false;
  return true;
}

/**
 * Where a value ends up: climb through wrappers and the value positions of `?:`,
 * `??`, `||`, `&&` (right) and `,` (right). `flowed` tells whether it went
 * through a choice (so it is not simply the expression assigned).
 */
export function climb(ts: FileContext['ts'], node: ts.Node): { value: ts.Node; parent: ts.Node; flowed: boolean } {
  let value = node;
  let parent = node.parent;
  let flowed = false;
  for (;;) {
    if (isOuterExpression(ts, parent)) {
      value = parent;
      parent = parent.parent;
      continue;
    }
    if (ts.isConditionalExpression(parent) && parent.condition !== value) {
      flowed = true;
      value = parent;
      parent = parent.parent;
      continue;
    }
    if (ts.isBinaryExpression(parent)) {
      const operator = parent.operatorToken.kind;
      const valueOperand =
        operator === ts.SyntaxKind.QuestionQuestionToken ||
        operator === ts.SyntaxKind.BarBarToken ||
        ((operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.CommaToken) && parent.right === value);
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
function isTestPosition(ts: FileContext['ts'], value: ts.Node, parent: ts.Node): boolean {
  if (ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) return parent.expression === value;
  if (ts.isForStatement(parent)) return parent.condition === value;
  if (ts.isConditionalExpression(parent)) return parent.condition === value;
  if (ts.isPrefixUnaryExpression(parent)) return parent.operator === ts.SyntaxKind.ExclamationToken;
  if (ts.isTypeOfExpression(parent) || ts.isVoidExpression(parent) || ts.isDeleteExpression(parent)) return true;
  if (ts.isBinaryExpression(parent)) {
    switch (parent.operatorToken.kind) {
      case ts.SyntaxKind.EqualsEqualsEqualsToken:
      case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      case ts.SyntaxKind.EqualsEqualsToken:
      case ts.SyntaxKind.ExclamationEqualsToken:
      case ts.SyntaxKind.InstanceOfKeyword:
      case ts.SyntaxKind.InKeyword:
        return true;
      case ts.SyntaxKind.AmpersandAmpersandToken:
        return parent.left === value;
    }
  }
  if (ts.isSwitchStatement(parent) || ts.isCaseClause(parent)) return true;
  return false;
}

function isNullish(ts: FileContext['ts'], node: ts.Expression): boolean {
  const inner = skipOuterExpressions(ts, node);
  return inner.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(inner) && inner.text === 'undefined') || ts.isVoidExpression(inner);
}

function isWriteTarget(ts: FileContext['ts'], identifier: ts.Identifier): boolean {
  const node = walkUpOuterExpressions(ts, identifier);
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  return isDestructuringTarget(ts, parent);
}

function isDestructuringTarget(ts: FileContext['ts'], node: ts.Node): boolean {
  let current = node;
  while (ts.isArrayLiteralExpression(current) || ts.isObjectLiteralExpression(current) || ts.isPropertyAssignment(current) || ts.isShorthandPropertyAssignment(current) || ts.isSpreadElement(current) || ts.isSpreadAssignment(current)) {
    const parent = current.parent;
    if (ts.isBinaryExpression(parent) && parent.left === current && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    if ((ts.isForOfStatement(parent) || ts.isForInStatement(parent)) && parent.initializer === current) return true;
    current = parent;
  }
  return false;
}

/** Identifiers in expression position (not property names, declarations' own names, labels). */
function isReference(ts: FileContext['ts'], identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === identifier) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === identifier) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  return true;
}

/** Whether a type annotation could name an owned library type (skips `number`, `string`, …). */
function mayNameOwnedType(ts: FileContext['ts'], node: ts.TypeNode): boolean {
  if (ts.isTypeReferenceNode(node)) return true;
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) return node.types.some((t) => mayNameOwnedType(ts, t));
  if (ts.isParenthesizedTypeNode(node)) return mayNameOwnedType(ts, node.type);
  return ts.isTypeQueryNode(node) || ts.isIndexedAccessTypeNode(node) || ts.isImportTypeNode(node);
}

function closingBrace(ts: FileContext['ts'], block: ts.Block): ts.Node {
  const last = block.getChildren().find((c) => c.kind === ts.SyntaxKind.CloseBraceToken);
  return last ?? block;
}

function enclosingFunction(ts: FileContext['ts'], node: ts.Node): ts.Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionBoundary(ts, current) || ts.isSourceFile(current)) return current;
  }
  return undefined;
}

/**
 * A switch whose cases name every member of its discriminant's type, each a
 * unit type (a literal, enum member, `true`/`false`, `null` or `undefined`), so
 * comparing their printed types is exact: `kind: 'a' | 'b'` with both cases.
 */
function switchCoversEveryValue(ts: TypeScript, checker: ts.TypeChecker, node: ts.SwitchStatement): boolean {
  const type = checker.getTypeAtLocation(node.expression);
  const members = type.isUnion() ? type.types : [type];
  const unit = ts.TypeFlags.Literal | ts.TypeFlags.EnumLiteral | ts.TypeFlags.BooleanLiteral | ts.TypeFlags.Null | ts.TypeFlags.Undefined;
  if (!members.every((member) => member.flags & unit)) return false;
  const covered = new Set<string>();
  for (const clause of node.caseBlock.clauses) {
    if (ts.isCaseClause(clause)) covered.add(checker.typeToString(checker.getTypeAtLocation(clause.expression)));
  }
  return members.every((member) => covered.has(checker.typeToString(member)));
}
