// lost-wakeup: a `poll(cx)` that returns `Poll.pending()` on a path where it
// neither kept nor woke `cx`'s waker (nor handed `cx` on): nothing will poll the
// future again. Its own lattice, beside the bindings': a may-set of
// `unregistered` / `registered` facts for the poll's context.

import type * as ts from 'typescript';
import type { Registration } from '../calls';
import type { TrackedBinding } from '../discovery';
import type { Effect } from '../effects';
import type { FlowChecker, FlowEngine, FlowState, StateSlot, WorkingState } from '../engine';
import { lostWakeupFixes } from '../fixes';
import type { Narrowing } from '../graph';
import { joinFacts, sameFacts, sortFacts, type Facts } from '../lattice';
import { lostWakeup } from '../../rules/index';
import { conditionOf, describeCondition, SOME_PATHS, type PathCondition } from '../paths';
import { calleeNameText, climb, enclosingFunction, isTestPosition } from '../positions';
import { skipOuterExpressions } from '../../syntax';

type RegistrationKind = 'unregistered' | 'registered';
type Registrations = Facts<RegistrationKind>;

/** What a context alias stands for: the context itself, or its waker (`const w = cx.waker()`). */
type ContextAlias = 'context' | 'wakerRef';

interface PollInfo {
  readonly parameter: ts.ParameterDeclaration;
  readonly name: string;
}

interface ReadyTest {
  readonly context: ts.Identifier;
  readonly whenReady: 'truthy' | 'falsy';
}

export class LostWakeupChecker implements FlowChecker {
  private poll: PollInfo | undefined;
  private registrations: StateSlot<Registrations> | undefined;
  private readonly contextAliases = new Map<ts.Symbol, ContextAlias>();
  /** References to the context (or an alias) in the poll's own code. */
  private readonly contextRefs = new Map<ts.Node, ContextAlias>();
  /** Closures that reference the context: creating one hands the context on. */
  private readonly closuresUsingContext = new Set<ts.Node>();
  /**
   * `const w = cx.waker().clone()`: the clone registers only while `w` may still be
   * kept or woken. Maps `w` to the context reference whose registration it holds;
   * dropping or forgetting `w` before any other use takes that registration back.
   */
  private readonly registrationHeldByClone = new Map<TrackedBinding, ts.Identifier>();
  /** Memo per context reference: the binding declared with a clone made there (null: none). */
  private readonly cloneBindingMadeAt = new Map<ts.Identifier, TrackedBinding | null>();
  /** Readiness tests (`Poll.isReady(r)`, `r.ready`) of `const r = inner.poll(cx)`, to the `cx` handed on there (null: not one). */
  private readonly readyTests = new Map<ts.Expression, ReadyTest | null>();
  /** Memo per tested expression: whether it is `stored?.willWake(cx.waker())` (narrowing asks on every pass). */
  private readonly heldWakerTests = new Map<ts.Expression, boolean>();
  /** Summary mode: the registration facts wherever the helper exits. */
  private readonly atExits = new Set<RegistrationKind>();

  /**
   * `summaryOf`: instead of checking a `poll`, follow this `Context` or
   * `WakerRef` parameter of a helper and record whether the helper registers it
   * (`registrationAtExits`); nothing is reported.
   */
  constructor(
    private readonly engine: FlowEngine,
    private readonly summaryOf?: ts.ParameterDeclaration,
  ) {}

  // ---------------------------------------------------------------- discovery

  startDiscovery(): void {
    if (this.summaryOf) {
      this.follow(this.summaryOf, this.engine.context.library.isType(this.engine.context.checker.getTypeAtLocation(this.summaryOf), 'Context') ? 'context' : 'wakerRef');
      return;
    }
    const { ts, root, context } = this.engine;
    if (ts.isSourceFile(root) || root.kind === ts.SyntaxKind.ClassStaticBlockDeclaration) return;
    let name: ts.Node | undefined = 'name' in root ? root.name : undefined;
    if (!name && (ts.isArrowFunction(root) || ts.isFunctionExpression(root)) && (ts.isPropertyAssignment(root.parent) || ts.isPropertyDeclaration(root.parent))) name = root.parent.name;
    if (!name || !ts.isIdentifier(name) || name.text !== 'poll') return;
    const parameter = root.parameters[0];
    if (!parameter || !ts.isIdentifier(parameter.name)) return;
    if (!context.library.isType(context.checker.getTypeAtLocation(parameter), 'Context')) return;
    this.follow(parameter, 'context');
  }

  private follow(parameter: ts.ParameterDeclaration, kind: ContextAlias): void {
    if (!this.engine.ts.isIdentifier(parameter.name)) return;
    const poll: PollInfo = { parameter, name: parameter.name.text };
    this.poll = poll;
    const symbol = this.engine.context.library.symbolAt(parameter.name);
    if (symbol) this.contextAliases.set(symbol, kind);
    this.registrations = this.engine.allocate<Registrations>({
      initial: () => [this.engine.fact('unregistered', poll.parameter)],
      join: joinFacts,
      same: sameFacts,
    });
  }

  needsDataflow(): boolean {
    return this.poll !== undefined;
  }

  onUntrackedInitializer(declaration: ts.VariableDeclaration, initializer: ts.Expression): void {
    if (!this.poll) return;
    const ts = this.engine.ts;
    if (ts.isIdentifier(initializer)) {
      const source = this.engine.context.library.symbolAt(initializer);
      if (source && this.contextAliases.get(source) === 'context') this.alias(declaration, 'context');
    }
    if (this.isContextWaker(initializer)) this.alias(declaration, 'wakerRef');
  }

  watchedSymbols(): Iterable<ts.Symbol> {
    return this.contextAliases.keys();
  }

  onNestedReference(closure: ts.Node): void {
    this.closuresUsingContext.add(closure);
  }

  onReference(identifier: ts.Identifier, symbol: ts.Symbol): boolean {
    const alias = this.contextAliases.get(symbol);
    if (alias) this.contextRefs.set(identifier, alias);
    return alias !== undefined;
  }

  private alias(declaration: ts.VariableDeclaration, kind: ContextAlias): void {
    const symbol = this.engine.context.library.symbolAt(declaration.name);
    if (symbol) this.contextAliases.set(symbol, kind);
  }

  /** `cx.waker()` on the poll's context (or an alias of it). */
  private isContextWaker(node: ts.Expression): boolean {
    const { ts, context } = this.engine;
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
    if (context.library.calleeOf(node) !== 'Context#waker') return false;
    const receiver = skipOuterExpressions(ts, node.expression.expression);
    if (!ts.isIdentifier(receiver)) return false;
    const symbol = context.library.symbolAt(receiver);
    return !!symbol && this.contextAliases.get(symbol) === 'context';
  }

  // ---------------------------------------------------------------- dataflow

  evaluateReference(identifier: ts.Identifier, state: WorkingState): void {
    const kind = this.contextRefs.get(identifier);
    if (!kind) return;
    const registration = this.contextRegisters(identifier, kind);
    if (registration === 'none') return;
    const held = this.cloneBindingAt(identifier, kind);
    if (held) this.registrationHeldByClone.set(held, identifier);
    if (registration === 'every') this.register(identifier, state);
    else this.registerOnSomePaths(identifier, state);
  }

  /** Summary mode: the registration state where the helper exits (the engine only solves: the last round counts). */
  onExit(_at: ts.Node, state: WorkingState): void {
    if (!this.summaryOf || !this.registrations) return;
    for (const fact of this.registrations.get(state)) this.atExits.add(fact.kind);
  }

  onRound(): void {
    this.atExits.clear();
  }

  /** Summary mode: whether the helper registered the parameter on every path it exits by, some, or none. */
  registrationAtExits(): Registration {
    if (!this.atExits.has('registered')) return 'none';
    return this.atExits.has('unregistered') ? 'some' : 'every';
  }

  evaluateCall(call: ts.CallExpression, state: WorkingState): void {
    if (this.poll && calleeNameText(this.engine.ts, call) === 'pending' && this.engine.context.library.calleeOf(call) === 'Poll.pending') this.checkPending(call, state);
  }

  evaluateClosure(closure: ts.Node, state: WorkingState): void {
    if (this.closuresUsingContext.has(closure)) this.register(closure, state);
  }

  /**
   * A use of a held clone: dropping or forgetting it takes the registration back
   * (nobody can wake the task with it); any other use keeps it, as we cannot tell.
   */
  beforeEffect(binding: TrackedBinding, effect: Effect, use: ts.Identifier, state: WorkingState): void {
    const slot = this.registrations;
    const source = this.registrationHeldByClone.get(binding);
    if (!slot || !source || effect.kind === 'ignore') return;
    const facts = slot.get(state);
    if (!facts.some((f) => f.kind === 'registered' && f.site === source)) return;
    const engine = this.engine;
    const discarded =
      (effect.kind === 'consume' && effect.how === 'dropped') ||
      (effect.kind === 'move' && engine.ts.isCallExpression(effect.site) && engine.context.library.calleeOf(effect.site) === 'forget');
    const replacement = discarded
      ? engine.fact('unregistered', effect.site, 'the clone of the waker is dropped or forgotten here: nothing can wake the task with it')
      : engine.fact('registered', use);
    slot.set(state, sortFacts([...facts.filter((f) => !(f.kind === 'registered' && f.site === source)), replacement]));
  }

  /**
   * Where `const r = inner.poll(cx)` tested ready: the inner future has finished and
   * registered nothing, so handing `cx` on there no longer counts as keeping the waker.
   */
  narrow(state: FlowState, narrowing: Narrowing): FlowState {
    const slot = this.registrations;
    if (!slot) return state;
    if (narrowing.outcome === 'truthy' && this.isHeldWakerWillWake(narrowing.expr)) {
      const next = { bindings: state.bindings, checkers: state.checkers.slice() };
      slot.set(next, [this.engine.fact('registered', narrowing.expr)]);
      return next;
    }
    const test = this.readyTest(narrowing.expr);
    if (!test || narrowing.outcome !== test.whenReady) return state;
    const facts = slot.get(state);
    if (!facts.some((f) => f.kind === 'registered' && f.site === test.context)) return state;
    const next = { bindings: state.bindings, checkers: state.checkers.slice() };
    const unregistered = this.engine.fact('unregistered', narrowing.expr, 'the inner future is ready here: it keeps no waker');
    slot.set(next, sortFacts([...facts.filter((f) => !(f.kind === 'registered' && f.site === test.context)), unregistered]));
    return next;
  }

  /**
   * `stored?.willWake(cx.waker())` with `stored` reached from `this` (directly or
   * through `const`s): where it is true, the future already holds a waker for
   * this task, the AtomicWaker / oneshot dedup, so returning pending is fine.
   */
  private isHeldWakerWillWake(expr: ts.Expression): boolean {
    let answer = this.heldWakerTests.get(expr);
    if (answer === undefined) this.heldWakerTests.set(expr, (answer = this.testsHeldWakerWillWake(expr)));
    return answer;
  }

  private testsHeldWakerWillWake(expr: ts.Expression): boolean {
    const { ts, context } = this.engine;
    const call = skipOuterExpressions(ts, expr);
    if (!ts.isCallExpression(call) || call.arguments.length !== 1 || !ts.isPropertyAccessExpression(call.expression)) return false;
    if (context.library.nameOf(call.expression) !== 'Waker#willWake') return false;
    const argument = skipOuterExpressions(ts, call.arguments[0]);
    const argumentSymbol = ts.isIdentifier(argument) ? context.library.symbolAt(argument) : undefined;
    const isOurWaker = this.isContextWaker(argument) || (!!argumentSymbol && this.contextAliases.get(argumentSymbol) === 'wakerRef');
    if (!isOurWaker) return false;
    return this.summaryOf ? this.isKeptByCaller(call.expression.expression) : this.isHeldByFuture(call.expression.expression, 0);
  }

  /**
   * Summary mode: a field of `this`, of a parameter or of a local (`entry.value.waker`
   * with `entry` a box the caller's future owns), or an element of a list kept
   * so, not a module-level variable: the helper dedups against a waker some
   * caller keeps.
   */
  private isKeptByCaller(node: ts.Expression): boolean {
    const ts = this.engine.ts;
    let inner = skipOuterExpressions(ts, node);
    if (ts.isIdentifier(inner)) {
      // `for (const waiter of this.waiters) if (waiter.willWake(cx.waker())) return;`: an element of a kept list.
      const declaration = this.engine.context.library.symbolAt(inner)?.valueDeclaration;
      const loop = declaration && ts.isVariableDeclaration(declaration) ? declaration.parent.parent : undefined;
      return !!loop && ts.isForOfStatement(loop) && this.isKeptByCaller(loop.expression);
    }
    if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner)) return false;
    while (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) inner = skipOuterExpressions(ts, inner.expression);
    if (inner.kind === ts.SyntaxKind.ThisKeyword) return true;
    if (!ts.isIdentifier(inner)) return false;
    const declaration = this.engine.context.library.symbolAt(inner)?.valueDeclaration;
    return !!declaration && declaration.getSourceFile() === this.engine.context.file && declaration.pos >= this.engine.root.pos && declaration.end <= this.engine.root.end;
  }

  /** `this.a.b`, or a `const` initialised with one (`const stored = this.inner.waker`). */
  private isHeldByFuture(node: ts.Expression, depth: number): boolean {
    const { ts, context } = this.engine;
    const inner = skipOuterExpressions(ts, node);
    if (inner.kind === ts.SyntaxKind.ThisKeyword) return true;
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) return this.isHeldByFuture(inner.expression, depth);
    if (!ts.isIdentifier(inner) || depth > 4) return false;
    const declaration = context.library.symbolAt(inner)?.valueDeclaration;
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer || !ts.isVariableDeclarationList(declaration.parent)) return false;
    return (declaration.parent.flags & ts.NodeFlags.Const) !== 0 && this.isHeldByFuture(declaration.initializer, depth + 1);
  }

  /** The tracked binding declared with a clone of the context's waker (`const w = cx.waker().clone()`), if that is what this reference does. */
  private cloneBindingAt(identifier: ts.Identifier, kind: ContextAlias): TrackedBinding | undefined {
    const cached = this.cloneBindingMadeAt.get(identifier);
    if (cached !== undefined) return cached ?? undefined;
    const { ts, context } = this.engine;
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
      if (ts.isVariableDeclaration(declaration) && context.library.nameOf(parent) === 'Waker#clone') held = this.engine.discovery.bindingOfDeclaration(declaration);
    }
    this.cloneBindingMadeAt.set(identifier, held ?? null);
    return held;
  }

  /** `Poll.isReady(r)`, `Poll.isPending(r)` or `r.ready`, with `r` a `const` holding `inner.poll(cx)` directly. */
  private readyTest(expr: ts.Expression): ReadyTest | undefined {
    const cached = this.readyTests.get(expr);
    if (cached !== undefined) return cached ?? undefined;
    const ts = this.engine.ts;
    let result: ReadyTest | undefined;
    let tested: ts.Expression | undefined;
    let whenReady: 'truthy' | 'falsy' = 'truthy';
    if (ts.isCallExpression(expr) && expr.arguments.length === 1 && ts.isPropertyAccessExpression(expr.expression)) {
      const name = this.engine.context.library.nameOf(expr.expression);
      if (name === 'Poll.isReady' || name === 'Poll.isPending') {
        tested = expr.arguments[0];
        whenReady = name === 'Poll.isReady' ? 'truthy' : 'falsy';
      }
    } else if (ts.isPropertyAccessExpression(expr) && expr.name.text === 'ready') {
      tested = expr.expression;
    }
    tested = tested && skipOuterExpressions(ts, tested);
    if (tested && ts.isIdentifier(tested)) {
      const declaration = this.engine.context.library.symbolAt(tested)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isVariableDeclarationList(declaration.parent) && declaration.parent.flags & ts.NodeFlags.Const) {
        const poll = skipOuterExpressions(ts, declaration.initializer);
        const argument = ts.isCallExpression(poll) && ts.isPropertyAccessExpression(poll.expression) && poll.expression.name.text === 'poll' && poll.arguments.length === 1 ? skipOuterExpressions(ts, poll.arguments[0]) : undefined;
        if (argument && ts.isIdentifier(argument) && this.contextRefs.get(argument) === 'context') result = { context: argument, whenReady };
      }
    }
    this.readyTests.set(expr, result ?? null);
    return result;
  }

  /** Whether this reference to the context (or its waker) keeps, wakes or hands on the waker: on every path, some, or none. */
  private contextRegisters(identifier: ts.Identifier, kind: ContextAlias): Registration {
    const ts = this.engine.ts;
    const { value, parent } = climb(ts, identifier);
    if (isTestPosition(ts, value, parent)) return 'none';
    if (kind === 'context' && ts.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = parent.parent;
      if (ts.isCallExpression(call) && call.expression === parent && this.engine.context.library.nameOf(parent) === 'Context#waker') return this.wakerRefRegisters(call);
      return 'none';
    }
    if (kind === 'wakerRef') return this.wakerRefRegisters(identifier);
    if (ts.isVariableDeclaration(parent) && parent.initializer === value) return always(!this.isAliasDeclaration(parent));
    if (ts.isExpressionStatement(parent) || this.isLibraryArgument(value, parent)) return 'none';
    return this.helperRegisters(value, parent) ?? 'every';
  }

  private wakerRefRegisters(node: ts.Expression): Registration {
    const ts = this.engine.ts;
    const { value, parent } = climb(ts, node);
    if (isTestPosition(ts, value, parent) || ts.isExpressionStatement(parent)) return 'none';
    if (ts.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = parent.parent;
      if (!ts.isCallExpression(call) || call.expression !== parent) return 'none';
      const name = this.engine.context.library.nameOf(parent);
      if (name === 'Waker#wakeByRef') return 'every';
      if (name === 'Waker#clone') return always(this.cloneKept(call));
      return 'none';
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === value) return always(!this.isAliasDeclaration(parent));
    if (this.isLibraryArgument(value, parent)) return 'none';
    return this.helperRegisters(value, parent) ?? 'every';
  }

  /**
   * The context (or its waker) passed to a helper of the program: whether the
   * helper registers it, from its summary. Undefined for anything else (a
   * future's `poll`, a callback): handing the context on counts as keeping it.
   */
  private helperRegisters(value: ts.Node, parent: ts.Node): Registration | undefined {
    const ts = this.engine.ts;
    if (!ts.isCallExpression(parent) && !ts.isNewExpression(parent)) return undefined;
    const index = parent.arguments?.indexOf(value as ts.Expression) ?? -1;
    if (index < 0 || parent.arguments!.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return undefined;
    return this.engine.calls.of(parent)?.registers[index];
  }

  /** An argument to a library call (`other.willWake(w)`): the library keeps nothing. */
  private isLibraryArgument(value: ts.Node, parent: ts.Node): boolean {
    const ts = this.engine.ts;
    return (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== value && this.engine.context.library.calleeOf(parent) !== undefined;
  }

  private isAliasDeclaration(declaration: ts.VariableDeclaration): boolean {
    const symbol = this.engine.context.library.symbolAt(declaration.name);
    return !!symbol && this.contextAliases.has(symbol);
  }

  /** A clone of the context's waker that is kept somewhere or woken (not dropped or discarded). */
  private cloneKept(clone: ts.CallExpression): boolean {
    const ts = this.engine.ts;
    const { value, parent } = climb(ts, clone);
    if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return false;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === value) return this.engine.context.library.nameOf(parent) === 'Waker#wake';
    if (ts.isCallExpression(parent) && parent.expression !== value) {
      const name = this.engine.context.library.calleeOf(parent);
      if (name === 'drop' || name === 'forget') return false;
    }
    return true;
  }

  private register(site: ts.Node, state: WorkingState): void {
    this.registrations?.set(state, [this.engine.fact('registered', site)]);
  }

  /** A helper that registers on some of its paths: the others leave the state as it was. */
  private registerOnSomePaths(site: ts.Node, state: WorkingState): void {
    const slot = this.registrations;
    if (slot) slot.set(state, sortFacts([...slot.get(state), this.engine.fact('registered', site)]));
  }

  private checkPending(call: ts.CallExpression, state: WorkingState): void {
    const engine = this.engine;
    if (!engine.reporting || !this.poll || !this.registrations || this.summaryOf) return;
    const ts = engine.ts;
    const root = engine.root;
    const { parent } = climb(ts, call);
    const returned = ts.isReturnStatement(parent) ? parent : ts.isArrowFunction(parent) && parent === root ? call : undefined;
    if (!returned) return;
    if (ts.isReturnStatement(parent) && enclosingFunction(ts, parent) !== root) return;
    const facts = this.registrations.get(state);
    if (!facts.some((f) => f.kind === 'unregistered')) return;
    const registrations = facts.filter((f) => f.kind === 'registered');
    const everyPath = registrations.length === 0;
    let path = '';
    if (!everyPath) {
      const condition = registrations.map((r) => conditionOf(ts, r.site, returned, root)).find((c): c is PathCondition => !!c);
      path = ` ${condition ? describeCondition(condition, /*negate*/ true) : SOME_PATHS}`;
    }
    const cx = this.poll.name;
    engine.report({
      rule: 'lost-wakeup',
      severity: everyPath ? 'error' : 'warning',
      message: lostWakeup.messages.pending(cx, path),
      span: engine.span(returned),
      related: [
        engine.related(this.poll.parameter, lostWakeup.messages.received(cx)),
        ...registrations.map((r) => engine.related(r.site, lostWakeup.messages.keptOnOtherPaths())),
        ...facts.filter((f) => f.kind === 'unregistered' && f.label !== undefined).map((f) => engine.related(f.site, f.label!)),
      ],
      help: lostWakeup.messages.help(cx),
      fixes: lostWakeupFixes(engine.context, root, returned, cx),
    });
  }
}

function always(registers: boolean): Registration {
  return registers ? 'every' : 'none';
}
