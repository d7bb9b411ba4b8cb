// lost-wakeup: a `poll(cx)` that returns `Poll.pending()` on a path where it
// neither kept nor woke `cx`'s waker (nor handed `cx` on): nothing will poll the
// future again. Its own lattice, beside the bindings': a may-set of
// `unregistered` / `registered` facts for the poll's context.

import type * as ts from 'typescript';
import type { Registration, ResultDiscriminant, StorePlaces } from '../calls';
import type { TrackedBinding } from '../discovery';
import type { Effect } from '../effects';
import type { FlowChecker, FlowEngine, FlowState, StateSlot, WorkingState } from '../engine';
import { lostWakeupFixes } from '../fixes';
import type { Narrowing } from '../graph';
import { joinFacts, sameFacts, sortFacts, type Fact, type Facts } from '../lattice';
import { lostWakeup } from '../../rules/index';
import { conditionOf, describeCondition, pathSuffix, SOME_PATHS, truthOf, type PathCondition } from '../paths';
import { calleeNameText, climb, enclosingFunction, isTestPosition, leaves } from '../positions';
import { skipOuterExpressions, syntaxOf } from '../../syntax';
import type { Library } from '../../library';
import type { TypeScript } from '../../types';
import type { FileContext } from '../../context';
import { packedMap } from '../../arrays';
import { sharedTexts } from '../../texts';

/**
 * `vacant` (summary mode only): the helper found the slot it stores the waker in
 * empty (`if (stored === undefined) return;`), so it has no registration to refresh.
 */
type RegistrationKind = 'unregistered' | 'registered' | 'vacant';
type Registrations = Facts<RegistrationKind>;

const NO_ENTRIES: ReadonlyMap<never, never> = new Map<never, never>();
const EVERY: Registration = { paths: 'every' };
const NONE: Registration = { paths: 'none' };

/** What a reference to the context does, and the helper it is passed to, if that is what decides. */
interface ContextUse {
  readonly registration: Registration;
  readonly helper?: string;
  readonly call?: ts.CallExpression | ts.NewExpression;
}

/** A test of what a helper returned (`if (!chan.register(cx))`, `arrival.leader`): which outcome means the helper kept the waker. */
interface HelperResultTest {
  /** The context reference passed to the helper: the site of its registration facts. */
  readonly site: ts.Identifier;
  readonly keptWhenTruthy: boolean;
}

/** What a context alias stands for: the context itself, or its waker (`const w = cx.waker()`). */
type ContextAlias = 'context' | 'wakerRef';

interface PollInfo {
  readonly parameter: ts.ParameterDeclaration;
  readonly name: string;
}

interface ReadyTest {
  readonly context: ts.Identifier;
  readonly whenReady: 'truthy' | 'falsy';
  /** `inner.poll(cx)`, the call whose result is tested. */
  readonly poll: ts.CallExpression;
}

export class LostWakeupChecker implements FlowChecker {
  private poll: PollInfo | undefined;
  /** How the checked function is named in messages: `` `poll` ``, `` `pollRead` ``, or a closure. */
  private pollName = '`poll`';
  private registrations: StateSlot<Registrations> | undefined;
  /** The context and its aliases by symbol; made when the unit is a poll (`follow`), as is `contextRefs`: most units are none (speed). */
  private contextAliases: ReadonlyMap<ts.Symbol, ContextAlias> = NO_ENTRIES;
  /** References to the context (or an alias) in the poll's own code. */
  private contextRefs: ReadonlyMap<ts.Identifier, ContextAlias> = NO_ENTRIES;
  // The sets and memos below are made on first use: most units have no poll (speed).
  /** Closures that reference the context: creating one hands the context on. */
  private closuresUsingContext: Set<ts.Node> | undefined;
  /**
   * `const w = cx.waker().clone()`: the clone registers only while `w` may still be
   * kept or woken. Maps `w` to the context reference whose registration it holds;
   * dropping or forgetting `w` before any other use takes that registration back.
   */
  private registrationHeldByClone: Map<TrackedBinding, ts.Identifier> | undefined;
  /** Memo per context reference: the binding declared with a clone made there (null: none). */
  private cloneBindingMadeAt: Map<ts.Identifier, TrackedBinding | null> | undefined;
  /** Readiness tests (`Poll.isReady(r)`, `r.ready`) of `const r = inner.poll(cx)`, to the `cx` handed on there (null: not one). */
  private readyTests: Map<ts.Expression, ReadyTest | null> | undefined;
  /** Memo per tested expression: whether it is `stored?.willWake(cx.waker())` (narrowing asks on every pass). */
  private heldWakerTests: Map<ts.Expression, boolean> | undefined;
  /** `registrationEvidence`, once per unit. */
  private evidence: ReadonlySet<string> | undefined;
  /** Memo per (ready test, pending return): whether the return waits on state the child's loop wrote (`reportedByChild`). */
  private childReports: Map<string, boolean> | undefined;
  /** Per context reference: what it does (summaries are fixed while the body is solved). */
  private uses: Map<ts.Identifier, ContextUse> | undefined;
  /** Memo per tested expression: the helper result it tests, if any (null: none). */
  private helperResultTests: Map<ts.Expression, HelperResultTest | null> | undefined;
  /** Summary mode: memo per tested expression: whether it proves a slot the helper stores the waker in empty, when true (or when false). */
  private vacancyTests: Map<ts.Expression, 'truthy' | 'falsy' | null> | undefined;
  /** Summary mode: the places the helper stores a clone of the waker in, itself or through a helper on `this`. */
  private storedIn: StorePlaces | undefined;
  /** Summary mode: where the helper exits with each kind of fact, and the facts themselves. */
  private exits: Map<RegistrationKind, Set<ts.Node>> | undefined;
  private factsAtExits: Set<Fact<RegistrationKind>> | undefined;
  /** The earlier holders of a `registered` fact that has more than one (`registeredAt`). */
  private alsoHeldBy: Map<Fact<RegistrationKind>, readonly ts.Node[]> | undefined;

  /**
   * `summaryOf`: instead of checking a `poll`, follow this `Context` or
   * `WakerRef` parameter of a helper and record whether the helper registers it
   * (`registrationAtExits`); nothing is reported.
   */
  constructor(
    private readonly engine: FlowEngine,
    private readonly summaryOf?: ts.ParameterDeclaration,
  ) {}

  reset(): void {
    this.poll = undefined;
    this.pollName = '`poll`';
    this.registrations = undefined;
    this.contextAliases = NO_ENTRIES;
    this.contextRefs = NO_ENTRIES;
    this.closuresUsingContext = undefined;
    this.registrationHeldByClone = undefined;
    this.cloneBindingMadeAt = undefined;
    this.readyTests = undefined;
    this.heldWakerTests = undefined;
    this.evidence = undefined;
    this.childReports = undefined;
    this.uses = undefined;
    this.helperResultTests = undefined;
    this.vacancyTests = undefined;
    this.storedIn = undefined;
    this.exits = undefined;
    this.factsAtExits = undefined;
    this.alsoHeldBy = undefined;
  }

  // ---------------------------------------------------------------- discovery

  startDiscovery(): void {
    if (this.summaryOf) {
      this.follow(this.summaryOf, this.engine.context.library.isType(this.engine.context.checker.getTypeAtLocation(this.summaryOf), 'Context') ? 'context' : 'wakerRef');
      return;
    }
    // The checker reports only at a `Poll.pending()` in the poll's own code (`evaluateCall`, and the CFG evaluates
    // no call outside `unit.calls`: a closure is one operation). Without a call named `pending` it has nothing to
    // report whether the unit is a poll or not, so it does not ask (a poll's parameter types are the checker's costly
    // questions, and most units are no poll), and it takes no part in the dataflow.
    if (!callsPending(this.engine.ts, this.engine.unit.calls)) return;
    const parameter = pollContextParameter(this.engine.context, this.engine.root);
    if (parameter) {
      this.pollName = pollFunctionName(this.engine.ts, this.engine.root);
      this.follow(parameter, 'context');
    }
  }

  private follow(parameter: ts.ParameterDeclaration, kind: ContextAlias): void {
    if (!this.engine.syntax.isIdentifier(parameter.name)) return;
    const poll: PollInfo = { parameter, name: parameter.name.text };
    this.poll = poll;
    const aliases = new Map<ts.Symbol, ContextAlias>();
    this.contextAliases = aliases;
    this.contextRefs = new Map();
    const symbol = this.engine.context.library.declaredBy(parameter.name);
    if (symbol) aliases.set(symbol, kind);
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
    (this.closuresUsingContext ??= new Set()).add(closure);
  }

  onReference(identifier: ts.Identifier, symbol: ts.Symbol): boolean {
    const alias = this.contextAliases.get(symbol);
    // A watched symbol is an alias of the poll's context: `follow` made the table.
    if (alias) (this.contextRefs as Map<ts.Identifier, ContextAlias>).set(identifier, alias);
    return alias !== undefined;
  }

  private alias(declaration: ts.VariableDeclaration, kind: ContextAlias): void {
    const symbol = this.engine.context.library.symbolAt(declaration.name);
    // Only a poll's declarations are looked at (`onUntrackedInitializer`): `follow` made the table.
    if (symbol) (this.contextAliases as Map<ts.Symbol, ContextAlias>).set(symbol, kind);
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
    const use = this.useAt(identifier);
    if (!use) return;
    const { registration, helper } = use;
    if (registration.paths === 'none') return;
    const held = this.cloneBindingAt(identifier, this.contextRefs.get(identifier)!);
    if (held) (this.registrationHeldByClone ??= new Map()).set(held, identifier);
    if (registration.paths === 'every' || (registration.refreshesOnly && this.refreshesEarlierRegistration(identifier))) this.register(identifier, state);
    else this.registerOnSomePaths(identifier, lostWakeup.messages.helperKeepsNothing(helper ?? 'the helper', registration.missedWhen), state);
  }

  private useAt(identifier: ts.Identifier): ContextUse | undefined {
    let use = this.uses?.get(identifier);
    if (!use) {
      const kind = this.contextRefs.get(identifier);
      if (!kind) return undefined;
      (this.uses ??= new Map()).set(identifier, (use = this.contextRegisters(identifier, kind)));
    }
    return use;
  }

  /** Summary mode: the registration state where the helper exits (the engine only solves: the last round counts). */
  onExit(at: ts.Node, state: WorkingState): void {
    if (!this.summaryOf || !this.registrations) return;
    for (const fact of this.registrations.get(state)) {
      this.exits ??= new Map();
      let exits = this.exits.get(fact.kind);
      if (!exits) this.exits.set(fact.kind, (exits = new Set()));
      exits.add(at);
      (this.factsAtExits ??= new Set()).add(fact);
    }
  }

  onRound(): void {
    this.exits = undefined;
    this.factsAtExits = undefined;
  }

  /**
   * Summary mode: whether the helper registered the parameter on every path it
   * exits by, some, or none; for some, what the other paths tested, in the
   * helper's words, and whether its result tells the two apart.
   */
  registrationAtExits(): Registration {
    const kept = this.exits?.get('registered');
    if (!kept) return NONE;
    const missed = this.exits?.get('unregistered');
    const vacant = this.exits?.get('vacant');
    const storesIn = this.placesOfThis();
    if (!missed && !vacant) return storesIn ? { paths: 'every', storesIn } : EVERY;
    const missedWhen = this.describeMissedPaths();
    if (!missed) return { paths: 'some', refreshesOnly: true, ...(missedWhen && { missedWhen }), ...(storesIn && { storesIn }) };
    const keptWhen = resultDiscriminant(this.engine.ts, this.engine.context.library, kept, new Set([...missed, ...(vacant ?? [])]));
    return { paths: 'some', ...(missedWhen && { missedWhen }), ...(keptWhen && { keptWhen }), ...(storesIn && { storesIn }) };
  }

  /** The store places rooted at `this`, which a caller on the same object shares; undefined when there are none. */
  private placesOfThis(): StorePlaces | undefined {
    const { slots, lists } = this.storePlaces();
    const ofThis = (places: ReadonlySet<string>) => new Set([...places].filter((p) => p.startsWith('this.') || p.startsWith('this[')));
    const placesOfThis = { slots: ofThis(slots), lists: ofThis(lists) };
    return placesOfThis.slots.size + placesOfThis.lists.size > 0 ? placesOfThis : undefined;
  }

  /** "when `this.closed` is true": the condition of the first exit that keeps nothing, or the negation of a registration's. */
  private describeMissedPaths(): string | undefined {
    const { ts, root, context } = this.engine;
    const facts = [...(this.factsAtExits ?? [])];
    const vacant = facts.find((f) => f.kind === 'vacant');
    if (vacant) return describeCondition(truthOf(ts, context.file, vacant.site as ts.Expression, this.vacancyTests?.get(vacant.site as ts.Expression) !== 'falsy'));
    for (const exit of this.exits?.get('unregistered') ?? []) {
      const condition = conditionOf(ts, context.file, exit, undefined, root);
      if (condition) return describeCondition(condition);
    }
    const partial = new Set(packedMap(facts.filter((f) => f.kind === 'unregistered'), (f) => f.site));
    for (const fact of facts) {
      if (fact.kind !== 'registered' || partial.has(fact.site)) continue;
      const condition = conditionOf(ts, context.file, fact.site, undefined, root);
      if (condition) return describeCondition(condition, /*negate*/ true);
    }
    return undefined;
  }

  /** `return Poll.pending()`: only the reporting pass looks (it changes no state). */
  evaluateCall(call: ts.CallExpression, state: WorkingState): void {
    if (this.engine.reporting && this.poll && isNamedPending(this.engine.ts, call) && this.engine.context.library.calleeOf(call) === 'Poll.pending') this.checkPending(call, state);
  }

  evaluateClosure(closure: ts.Node, state: WorkingState): void {
    if (this.closuresUsingContext?.has(closure)) this.register(closure, state);
  }

  /**
   * A use of a held clone: dropping or forgetting it takes the registration back
   * (nobody can wake the task with it); any other use keeps it, as we cannot tell.
   */
  beforeEffect(binding: TrackedBinding, effect: Effect, use: ts.Identifier, state: WorkingState): void {
    const slot = this.registrations;
    const source = this.registrationHeldByClone?.get(binding);
    if (!slot || !source || effect.kind === 'ignore') return;
    const facts = slot.get(state);
    if (!facts.some((f) => f.kind === 'registered' && this.holders(f).includes(source))) return;
    const engine = this.engine;
    // `fresh.willWake(cx.waker())` compares and keeps nothing: the clone's fate is still to come.
    if (engine.ts.isPropertyAccessExpression(use.parent) && use.parent.expression === use && engine.context.library.nameOf(use.parent) === 'Waker#willWake') return;
    const discarded =
      (effect.kind === 'consume' && effect.how === 'dropped') ||
      (effect.kind === 'move' && engine.ts.isCallExpression(effect.site) && engine.context.library.calleeOf(effect.site) === 'forget');
    if (discarded) {
      slot.set(state, this.releasedAt(facts, source, engine.fact('unregistered', effect.site, 'the clone of the waker is dropped or forgotten here: nothing can wake the task with it')));
      return;
    }
    // Kept, passed on or woken: the clone's use holds the registration now.
    slot.set(state, sortFacts(packedMap(facts, (f) => (f.kind === 'registered' && this.holders(f).includes(source) ? this.registeredAt(use, this.holders(f).filter((node) => node !== source)) : f))));
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
    if (this.summaryOf && this.provesVacant(narrowing)) return this.withFacts(state, (facts) => packedMap(facts, (f) => (f.kind === 'unregistered' ? this.engine.fact('vacant', narrowing.expr) : f)));
    const helperResult = this.helperResultTest(narrowing.expr);
    if (helperResult && (narrowing.outcome === 'truthy' || narrowing.outcome === 'falsy')) {
      // The helper's result says which of its paths it took: keep only the facts of that one.
      const kept = (narrowing.outcome === 'truthy') === helperResult.keptWhenTruthy;
      const dropped: RegistrationKind = kept ? 'unregistered' : 'registered';
      return this.withFacts(state, (facts) => {
        const remaining = facts.filter((f) => !(f.kind === dropped && f.site === helperResult.site));
        return remaining.length > 0 ? remaining : facts;
      });
    }
    const test = this.readyTest(narrowing.expr);
    if (!test || narrowing.outcome !== test.whenReady) return state;
    const facts = slot.get(state);
    if (!facts.some((f) => f.kind === 'registered' && this.holders(f).includes(test.context))) return state;
    const next = { bindings: state.bindings, checkers: state.checkers.slice() };
    const unregistered = this.engine.fact('unregistered', narrowing.expr, 'the inner future is ready here: it keeps no waker');
    slot.set(next, this.releasedAt(facts, test.context, unregistered));
    return next;
  }

  private withFacts(state: FlowState, change: (facts: Registrations) => Registrations): FlowState {
    const slot = this.registrations!;
    const facts = slot.get(state);
    const changed = sortFacts(change(facts).filter((f, i, all) => all.indexOf(f) === i));
    if (sameFacts(facts, changed)) return state;
    const next = { bindings: state.bindings, checkers: state.checkers.slice() };
    slot.set(next, changed);
    return next;
  }

  /**
   * Summary mode: `stored === undefined` (true), `!stored` (`stored` false) and
   * the like, with `stored` a slot the helper stores a clone of the waker in
   * (or a `const` read out of it): the helper has no registration to refresh.
   */
  private provesVacant(narrowing: Narrowing): boolean {
    if (narrowing.outcome === 'nullish') return this.isStoreSlot(narrowing.expr);
    if (narrowing.outcome !== 'truthy' && narrowing.outcome !== 'falsy') return false;
    let when = this.vacancyTests?.get(narrowing.expr);
    if (when === undefined) (this.vacancyTests ??= new Map()).set(narrowing.expr, (when = this.vacancyTest(narrowing.expr)));
    return when === narrowing.outcome;
  }

  private vacancyTest(expr: ts.Expression): 'truthy' | 'falsy' | null {
    const ts = this.engine.ts;
    const test = skipOuterExpressions(ts, expr);
    if (ts.isBinaryExpression(test)) {
      const operator = test.operatorToken.kind;
      const equal = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
      const unequal = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
      if (!equal && !unequal) return null;
      const tested = isNullish(ts, test.right) ? test.left : isNullish(ts, test.left) ? test.right : undefined;
      if (!tested || !this.isStoreSlot(tested)) return null;
      return equal ? 'truthy' : 'falsy';
    }
    return this.isStoreSlot(test) ? 'falsy' : null;
  }

  /** A place the helper stores a clone of the waker in (`this.wakers[id] = waker.clone()`), or a `const` read out of it. */
  private isStoreSlot(expr: ts.Expression): boolean {
    const ts = this.engine.ts;
    const tested = skipOuterExpressions(ts, expr);
    const names: string[] = [];
    if (ts.isIdentifier(tested)) {
      // `entry` in `const entry = this.entries.get(id); if (entry === undefined) return; … entry.waker = waker.clone()`.
      names.push(tested.text);
      const read = this.constInitializer(tested);
      const place = read && placeOf(ts, read);
      if (place) names.push(place);
    } else {
      const place = placeOf(ts, tested);
      if (place) names.push(place);
    }
    // The slot itself, or the object that holds it (an absent entry has no waker to refresh).
    const { slots } = this.storePlaces();
    return names.some((name) => slots.has(name) || [...slots].some((slot) => slot.startsWith(`${name}.`) || slot.startsWith(`${name}[`)));
  }

  /** The initializer of the `const` an identifier names, if it is one. */
  private constInitializer(identifier: ts.Identifier): ts.Expression | undefined {
    const ts = this.engine.ts;
    const declaration = this.engine.context.library.symbolAt(identifier)?.valueDeclaration;
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer || !ts.isVariableDeclarationList(declaration.parent) || !(declaration.parent.flags & ts.NodeFlags.Const)) return undefined;
    return skipOuterExpressions(ts, declaration.initializer);
  }

  /**
   * Where the helper stores a clone of the waker: `place = waker.clone()`,
   * `list.push(waker.clone())`, or a helper called on `this` that does
   * (`this.store(cx.waker())`).
   */
  private storePlaces(): StorePlaces {
    if (this.storedIn) return this.storedIn;
    const { ts, context } = this.engine;
    const slots = new Set<string>();
    const lists = new Set<string>();
    for (const [reference, kind] of this.contextRefs) {
      const callee = this.useAt(reference)?.call;
      if (callee && ts.isCallExpression(callee) && ts.isPropertyAccessExpression(callee.expression) && skipOuterExpressions(ts, callee.expression.expression).kind === ts.SyntaxKind.ThisKeyword) {
        const stored = this.useAt(reference)?.registration.storesIn;
        for (const slot of stored?.slots ?? []) slots.add(slot);
        for (const list of stored?.lists ?? []) lists.add(list);
        continue;
      }
      let waker: ts.Node = reference;
      if (kind === 'context') {
        const access = climb(ts, reference).parent;
        if (!ts.isPropertyAccessExpression(access) || !ts.isCallExpression(access.parent) || context.library.nameOf(access) !== 'Context#waker') continue;
        waker = access.parent;
      }
      const { value, parent } = climb(ts, waker);
      if (!ts.isPropertyAccessExpression(parent) || parent.expression !== value || context.library.nameOf(parent) !== 'Waker#clone') continue;
      const clone = climb(ts, parent.parent);
      const use = clone.parent;
      if (ts.isBinaryExpression(use) && use.operatorToken.kind === ts.SyntaxKind.EqualsToken && use.right === clone.value) {
        const target = skipOuterExpressions(ts, use.left);
        if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) slots.add(placeText(ts, target));
      } else if (ts.isCallExpression(use) && use.expression !== clone.value && ts.isPropertyAccessExpression(use.expression) && LIST_ADDS.has(use.expression.name.text)) {
        const list = skipOuterExpressions(ts, use.expression.expression);
        if (ts.isPropertyAccessExpression(list) || ts.isElementAccessExpression(list)) lists.add(placeText(ts, list));
      } else if (ts.isCallExpression(use) && use.arguments.length === 2 && use.arguments[1] === clone.value && ts.isPropertyAccessExpression(use.expression) && use.expression.name.text === 'set') {
        // `map.set(key, waker.clone())`: the entry `map.get(key)` reads back.
        slots.add(`${placeText(ts, use.expression.expression)}.get(${placeText(ts, use.arguments[0])})`);
      }
    }
    return (this.storedIn = { slots, lists });
  }

  /**
   * `if (!chan.register(cx))`, `const ok = chan.register(cx); if (ok)`, or
   * `const arrival = barrier.arrive(cx); if (arrival.leader)`: a test of the
   * result of a helper whose result tells whether it kept the waker.
   */
  private helperResultTest(expr: ts.Expression): HelperResultTest | undefined {
    let test = this.helperResultTests?.get(expr);
    if (test === undefined) (this.helperResultTests ??= new Map()).set(expr, (test = this.findHelperResultTest(expr) ?? null));
    return test ?? undefined;
  }

  private findHelperResultTest(expr: ts.Expression): HelperResultTest | undefined {
    const syntax = this.engine.syntax;
    const { ts, context } = this.engine;
    let tested = skipOuterExpressions(ts, expr);
    let property: string | undefined;
    let negated = false;
    if (syntax.isCallExpression(tested) && tested.arguments.length === 1 && syntax.isPropertyAccessExpression(tested.expression)) {
      const name = context.library.nameOf(tested.expression);
      if (name === 'Poll.isReady' || name === 'Poll.isPending') {
        property = 'ready';
        negated = name === 'Poll.isPending';
        tested = skipOuterExpressions(ts, tested.arguments[0]);
      }
    } else if (syntax.isPropertyAccessExpression(tested) && syntax.isIdentifier(tested.name)) {
      property = tested.name.text;
      tested = skipOuterExpressions(ts, tested.expression);
    }
    if (syntax.isIdentifier(tested)) {
      const declaration = context.library.symbolAt(tested)?.valueDeclaration;
      if (!declaration || !syntax.isVariableDeclaration(declaration) || !declaration.initializer || !syntax.isVariableDeclarationList(declaration.parent) || !(declaration.parent.flags & syntax.NodeFlags.Const)) return undefined;
      tested = skipOuterExpressions(ts, declaration.initializer);
    }
    if (!syntax.isCallExpression(tested)) return undefined;
    for (const argument of tested.arguments) {
      const site = this.contextReferenceIn(skipOuterExpressions(ts, argument));
      const keptWhen = site && this.useAt(site)?.registration.keptWhen;
      if (site && keptWhen && keptWhen.property === property) return { site, keptWhenTruthy: keptWhen.value !== negated };
    }
    return undefined;
  }

  /** `cx` or `cx.waker()` (or an alias) as an argument: the reference to the context in it. */
  private contextReferenceIn(argument: ts.Expression): ts.Identifier | undefined {
    const ts = this.engine.ts;
    if (ts.isIdentifier(argument)) return this.contextRefs.has(argument) ? argument : undefined;
    if (!this.isContextWaker(argument)) return undefined;
    const receiver = skipOuterExpressions(ts, ((argument as ts.CallExpression).expression as ts.PropertyAccessExpression).expression);
    return ts.isIdentifier(receiver) && this.contextRefs.has(receiver) ? receiver : undefined;
  }

  /**
   * A helper that only refreshes a registration (`reset(this.id, cx.waker())`)
   * counts where the future registered on an earlier poll: the call is guarded
   * by a test of the future's own state (a field of `this`) whose other outcome
   * registers on every path, as in
   * `if (this.id === undefined) this.id = wheel.insert(cx.waker().clone()); else wheel.reset(this.id, cx.waker());`
   * or an earlier `if (this.id === undefined) { …register…; return …; }`.
   */
  private refreshesEarlierRegistration(site: ts.Identifier): boolean {
    const { ts, root } = this.engine;
    let child: ts.Node = site;
    for (let node = site.parent; node && node !== root; child = node, node = node.parent) {
      if (ts.isIfStatement(node) && child !== node.expression) {
        const other = child === node.thenStatement ? node.elseStatement : node.thenStatement;
        if (other && readsOwnState(ts, node.expression) && this.registersThroughout(other)) return true;
      } else if (ts.isConditionalExpression(node) && child !== node.condition) {
        const other = child === node.whenTrue ? node.whenFalse : node.whenTrue;
        if (readsOwnState(ts, node.condition) && this.registersThroughout(other)) return true;
      } else if (ts.isBlock(node)) {
        for (const statement of node.statements) {
          if (statement === child) break;
          if (ts.isIfStatement(statement) && !statement.elseStatement && readsOwnState(ts, statement.expression) && endsInReturn(ts, statement.thenStatement) && this.registersThroughout(statement.thenStatement)) return true;
        }
      }
    }
    return false;
  }

  /** A branch that registers unconditionally: it holds a reference that registers on every path, under no condition of its own. */
  private registersThroughout(branch: ts.Node): boolean {
    const { ts, root, context } = this.engine;
    for (const reference of this.contextRefs.keys()) {
      if (reference.pos < branch.pos || reference.end > branch.end) continue;
      if (this.useAt(reference)?.registration.paths === 'every' && !conditionOf(ts, context.file, reference, branch, root)) return true;
    }
    return false;
  }

  /**
   * `stored?.willWake(cx.waker())` with `stored` reached from `this` (directly or
   * through `const`s): where it is true, the future already holds a waker for
   * this task, the AtomicWaker / oneshot dedup, so returning pending is fine.
   */
  private isHeldWakerWillWake(expr: ts.Expression): boolean {
    let answer = this.heldWakerTests?.get(expr);
    if (answer === undefined) (this.heldWakerTests ??= new Map()).set(expr, (answer = this.testsHeldWakerWillWake(expr)));
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
    return this.summaryOf ? this.isStoredWaker(call.expression.expression) : this.isHeldElsewhere(call.expression.expression, 0);
  }

  /**
   * Summary mode: the compared waker is one the helper's registering path
   * would replace or add to: in a place it stores the waker in, or an element
   * of a list it adds the waker to (read directly, through a `const`, or as a
   * `for…of` element). That is AtomicWaker's dedup, against its own slot; a
   * waker kept anywhere else (a record of the last one woken) says nothing
   * about whether anything will wake this task. Or a waker the caller handed
   * in and gets back (`slot = park(slot, cx)`, with `park` returning `slot`
   * where it will wake this task and a fresh clone otherwise): the caller keeps
   * whichever the helper returns.
   */
  private isStoredWaker(node: ts.Expression): boolean {
    const ts = this.engine.ts;
    const { slots, lists } = this.storePlaces();
    let place = skipOuterExpressions(ts, node);
    if (ts.isIdentifier(place)) {
      const declaration = this.engine.context.library.symbolAt(place)?.valueDeclaration;
      if (declaration && ts.isParameter(declaration) && declaration.parent === this.engine.root) return this.returnsParameter(declaration);
      if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isVariableDeclarationList(declaration.parent)) return false;
      // `for (const waiter of this.waiters) if (waiter.willWake(cx.waker())) return;`
      const loop = declaration.parent.parent;
      if (ts.isForOfStatement(loop)) return lists.has(placeText(ts, loop.expression));
      // `const stored = this.wakers[id]`, `const parked = this.waiters.get(id)`
      if (!declaration.initializer || !(declaration.parent.flags & ts.NodeFlags.Const)) return false;
      place = skipOuterExpressions(ts, declaration.initializer);
      // `const parked = this.waiters.get(id)`: a waker the map lends, kept there for the caller's future.
      if (ts.isCallExpression(place)) return this.lends(place);
    }
    const text = placeOf(ts, place);
    if (!text) return false;
    return slots.has(text) || (ts.isElementAccessExpression(place) && lists.has(placeText(ts, place.expression)));
  }

  /** Whether the helper returns this parameter itself on some path (`return slot`), handing it back to the caller. */
  private returnsParameter(parameter: ts.ParameterDeclaration): boolean {
    const ts = this.engine.ts;
    const symbol = this.engine.context.library.symbolAt(parameter.name as ts.Identifier);
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found || ts.isFunctionLike(node)) return;
      if (ts.isReturnStatement(node) && node.expression) {
        const value = skipOuterExpressions(ts, node.expression);
        found = ts.isIdentifier(value) && this.engine.context.library.symbolAt(value) === symbol;
        return;
      }
      ts.forEachChild(node, visit);
    };
    const body = (this.engine.root as ts.FunctionLikeDeclaration).body;
    if (body) ts.forEachChild(body, visit);
    return found;
  }

  /**
   * Whether something other than this call keeps the waker `node` names, so a
   * `willWake` on it that is true means the task is registered: a place
   * (`this.waker`, `entry.waker` on an entry a method returned, `waiter.waker`
   * with `waiter` captured), a waker a container or a method lends
   * (`this.waiters.get(id)`, a method returning `this.waker`), an element of a
   * list kept so, a captured or module-level variable, or a `const` bound to
   * one of these. Not a waker the call owns (a fresh clone, a local bound to
   * one): it is dropped when the call ends, and wakes nothing.
   */
  private isHeldElsewhere(node: ts.Expression, depth: number): boolean {
    const { ts, context, root } = this.engine;
    const inner = skipOuterExpressions(ts, node);
    if (inner.kind === ts.SyntaxKind.ThisKeyword || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) return true;
    if (ts.isCallExpression(inner)) return this.lends(inner);
    if (!ts.isIdentifier(inner) || depth > 4) return false;
    const declaration = context.library.symbolAt(inner)?.valueDeclaration;
    if (!declaration) return false;
    if (declaration.getSourceFile() !== context.file || declaration.pos < root.pos || declaration.end > root.end) return true;
    if (!ts.isVariableDeclaration(declaration) || !ts.isVariableDeclarationList(declaration.parent)) return false;
    // `for (const waiter of this.waiters)`: an element of a kept list.
    const loop = declaration.parent.parent;
    if (ts.isForOfStatement(loop)) return this.isHeldElsewhere(loop.expression, depth + 1);
    return !!declaration.initializer && (declaration.parent.flags & ts.NodeFlags.Const) !== 0 && this.isHeldElsewhere(declaration.initializer, depth + 1);
  }

  /** A call that lends a waker its receiver keeps: `Map#get`, or a method of the program that returns a place (`return this.waker`). */
  private lends(call: ts.CallExpression): boolean {
    const { ts, context } = this.engine;
    if (ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'get') {
      const receiver = context.checker.getTypeAtLocation(call.expression.expression);
      const name = receiver.getSymbol()?.getName();
      if (name === 'Map' || name === 'WeakMap') return true;
    }
    return this.engine.calls.of(call)?.returnsOwned === false;
  }

  /** The tracked binding declared with a clone of the context's waker (`const w = cx.waker().clone()`), if that is what this reference does. */
  private cloneBindingAt(identifier: ts.Identifier, kind: ContextAlias): TrackedBinding | undefined {
    const syntax = this.engine.syntax;
    const cached = this.cloneBindingMadeAt?.get(identifier);
    if (cached !== undefined) return cached ?? undefined;
    const { ts, context } = this.engine;
    let held: TrackedBinding | undefined;
    let waker: ts.Node = identifier;
    if (kind === 'context') {
      // `cx.waker()`: the waker is the call (other context uses hand on `cx` itself, not a clone).
      const access = climb(ts, identifier).parent;
      waker = access.parent;
      if (!syntax.isPropertyAccessExpression(access) || !syntax.isCallExpression(waker) || waker.expression !== access) waker = identifier;
    }
    const { value, parent } = climb(ts, waker);
    const clone = parent.parent;
    if (syntax.isPropertyAccessExpression(parent) && parent.expression === value && syntax.isCallExpression(clone) && clone.expression === parent) {
      const declaration = climb(ts, clone).parent;
      if (syntax.isVariableDeclaration(declaration) && context.library.nameOf(parent) === 'Waker#clone') held = this.engine.discovery.bindingOfDeclaration(declaration);
    }
    (this.cloneBindingMadeAt ??= new Map()).set(identifier, held ?? null);
    return held;
  }

  /** `Poll.isReady(r)`, `Poll.isPending(r)` or `r.ready`, with `r` a `const` holding `inner.poll(cx)` directly. */
  private readyTest(expr: ts.Expression): ReadyTest | undefined {
    const syntax = this.engine.syntax;
    const cached = this.readyTests?.get(expr);
    if (cached !== undefined) return cached ?? undefined;
    const ts = this.engine.ts;
    let result: ReadyTest | undefined;
    let tested: ts.Expression | undefined;
    let whenReady: 'truthy' | 'falsy' = 'truthy';
    if (syntax.isCallExpression(expr) && expr.arguments.length === 1 && syntax.isPropertyAccessExpression(expr.expression)) {
      const name = this.engine.context.library.nameOf(expr.expression);
      if (name === 'Poll.isReady' || name === 'Poll.isPending') {
        tested = expr.arguments[0];
        whenReady = name === 'Poll.isReady' ? 'truthy' : 'falsy';
      }
    } else if (syntax.isPropertyAccessExpression(expr) && expr.name.text === 'ready') {
      tested = expr.expression;
    }
    tested = tested && skipOuterExpressions(ts, tested);
    if (tested && syntax.isIdentifier(tested)) {
      const declaration = this.engine.context.library.symbolAt(tested)?.valueDeclaration;
      if (declaration && syntax.isVariableDeclaration(declaration) && declaration.initializer && syntax.isVariableDeclarationList(declaration.parent) && declaration.parent.flags & syntax.NodeFlags.Const) {
        const poll = skipOuterExpressions(ts, declaration.initializer);
        const argument = syntax.isCallExpression(poll) && syntax.isPropertyAccessExpression(poll.expression) && poll.expression.name.text === 'poll' && poll.arguments.length === 1 ? skipOuterExpressions(ts, poll.arguments[0]) : undefined;
        if (argument && syntax.isIdentifier(argument) && this.contextRefs.get(argument) === 'context') result = { context: argument, whenReady, poll: poll as ts.CallExpression };
      }
    }
    (this.readyTests ??= new Map()).set(expr, result ?? null);
    return result;
  }

  /** Whether this reference to the context (or its waker) keeps, wakes or hands on the waker: on every path, some, or none. */
  private contextRegisters(identifier: ts.Identifier, kind: ContextAlias): ContextUse {
    const ts = this.engine.ts;
    const { value, parent } = climb(ts, identifier);
    if (isTestPosition(ts, value, parent)) return NO_USE;
    if (kind === 'context' && ts.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = parent.parent;
      if (ts.isCallExpression(call) && call.expression === parent && this.engine.context.library.nameOf(parent) === 'Context#waker') return this.wakerRefRegisters(call);
      return NO_USE;
    }
    if (kind === 'wakerRef') return this.wakerRefRegisters(identifier);
    if (ts.isVariableDeclaration(parent) && parent.initializer === value) return always(!this.isAliasDeclaration(parent));
    if (ts.isExpressionStatement(parent) || this.isLibraryArgument(value, parent)) return NO_USE;
    return this.helperRegisters(value, parent) ?? KEEPS;
  }

  private wakerRefRegisters(node: ts.Expression): ContextUse {
    const syntax = this.engine.syntax;
    const ts = this.engine.ts;
    const { value, parent } = climb(ts, node);
    if (isTestPosition(ts, value, parent) || syntax.isExpressionStatement(parent)) return NO_USE;
    if (syntax.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = parent.parent;
      if (!syntax.isCallExpression(call) || call.expression !== parent) return NO_USE;
      const name = this.engine.context.library.nameOf(parent);
      if (name === 'Waker#wakeByRef') return KEEPS;
      if (name === 'Waker#clone') return always(this.cloneKept(call));
      return NO_USE;
    }
    if (syntax.isVariableDeclaration(parent) && parent.initializer === value) return always(!this.isAliasDeclaration(parent));
    if (this.isLibraryArgument(value, parent)) return NO_USE;
    return this.helperRegisters(value, parent) ?? KEEPS;
  }

  /**
   * The context (or its waker) passed to a helper of the program: whether the
   * helper registers it, from its summary. Undefined for anything else (a
   * future's `poll`, a callback): handing the context on counts as keeping it.
   */
  private helperRegisters(value: ts.Node, parent: ts.Node): ContextUse | undefined {
    const ts = this.engine.ts;
    if (!ts.isCallExpression(parent) && !ts.isNewExpression(parent)) return undefined;
    const index = parent.arguments?.indexOf(value as ts.Expression) ?? -1;
    if (index < 0 || parent.arguments!.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return undefined;
    const summary = this.engine.calls.of(parent);
    const registration = summary?.registers[index];
    return registration && { registration, helper: summary.name, call: parent };
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
    const syntax = this.engine.syntax;
    const ts = this.engine.ts;
    const { value, parent } = climb(ts, clone);
    if (syntax.isExpressionStatement(parent) || syntax.isVoidExpression(parent)) return false;
    if (syntax.isPropertyAccessExpression(parent) && parent.expression === value) return this.engine.context.library.nameOf(parent) === 'Waker#wake';
    if (syntax.isCallExpression(parent) && parent.expression !== value) {
      const name = this.engine.context.library.calleeOf(parent);
      if (name === 'drop' || name === 'forget') return false;
    }
    return true;
  }

  private register(site: ts.Node, state: WorkingState): void {
    const slot = this.registrations;
    if (!slot) return;
    // Each fact is a class of paths: one that was registered already now holds the waker in two places.
    slot.set(state, sortFacts(packedMap(slot.get(state), (f) => this.registeredAt(site, f.kind === 'registered' ? this.holders(f) : []))));
  }

  /**
   * The fact "registered": `site` is where the waker was last handed on, `also`
   * the earlier places on the same paths that still hold it (`a.poll(cx)` then
   * `b.poll(cx)`: when `b` turns out ready, `a` still keeps the waker).
   */
  private registeredAt(site: ts.Node, also: readonly ts.Node[]): Fact<RegistrationKind> {
    const others = also.filter((node) => node !== site);
    if (others.length === 0) return this.engine.fact('registered', site);
    const fact = this.engine.fact('registered', site, packedMap(others, (node) => `${node.pos}:${node.end}`).join(','));
    (this.alsoHeldBy ??= new Map()).set(fact, others);
    return fact;
  }

  /** Every place a `registered` fact says holds the waker. */
  private holders(fact: Fact<RegistrationKind>): readonly ts.Node[] {
    const also = this.alsoHeldBy?.get(fact);
    return also ? [fact.site, ...also] : [fact.site];
  }

  /** `facts` with `site` no longer holding the waker: a path it was the only holder of becomes `instead`. */
  private releasedAt(facts: Registrations, site: ts.Node, instead: Fact<RegistrationKind>): Registrations {
    return sortFacts(
      packedMap(facts, (f) => {
        if (f.kind !== 'registered') return f;
        const holders = this.holders(f);
        if (!holders.includes(site)) return f;
        const left = holders.filter((node) => node !== site);
        return left.length === 0 ? instead : this.registeredAt(left[0]!, left.slice(1));
      }),
    );
  }

  /**
   * A helper that registers on some of its paths: a path that came here
   * unregistered leaves unregistered through the helper's other paths, which
   * `label` names (so a report describes the path through this call, not around it).
   */
  private registerOnSomePaths(site: ts.Node, label: string, state: WorkingState): void {
    const slot = this.registrations;
    if (!slot) return;
    const facts = slot.get(state);
    const kept = facts.filter((f) => f.kind === 'registered');
    const missed = kept.length < facts.length ? [this.engine.fact('unregistered', site, label)] : [];
    slot.set(state, sortFacts([...kept, this.engine.fact('registered', site), ...missed]));
  }

  private checkPending(call: ts.CallExpression, state: WorkingState): void {
    const engine = this.engine;
    if (!this.poll || !this.registrations || this.summaryOf) return;
    const ts = engine.ts;
    const root = engine.root;
    const { parent } = climb(ts, call);
    const returned = ts.isReturnStatement(parent) ? parent : ts.isArrowFunction(parent) && parent === root ? call : undefined;
    if (!returned) return;
    if (ts.isReturnStatement(parent) && enclosingFunction(ts, parent) !== root) return;
    const facts = this.registrations.get(state).filter((f) => !this.reportedByChild(f, returned) && !this.guardedByRegistration(f, call, returned));
    const missed = facts.filter((f) => f.kind === 'unregistered');
    if (missed.length === 0) return;
    // A helper that registers on some paths is passed through, not gone around: its site holds both kinds of fact.
    const throughHelper = missed.find((m) => facts.some((f) => f.kind === 'registered' && f.site === m.site));
    const registrations = facts.filter((f) => f.kind === 'registered' && !missed.some((m) => m.site === f.site));
    const everyPath = facts.length === missed.length;
    const cx = this.poll.name;
    engine.report({
      rule: 'lost-wakeup',
      severity: everyPath ? 'error' : 'warning',
      message: lostWakeup.messages.pending(this.pollName, cx, everyPath ? '' : pathSuffix(this.describePath(returned, registrations, throughHelper, missed))),
      span: engine.span(returned),
      related: [
        engine.related(this.poll.parameter, lostWakeup.messages.received(cx)),
        ...packedMap(registrations, (r) => engine.related(r.site, lostWakeup.messages.keptOnOtherPaths())),
        ...packedMap(missed.filter((f) => f.label !== undefined), (f) => engine.related(f.site, f.label!)),
      ],
      help: lostWakeup.messages.help(cx),
      fixes: lostWakeupFixes(engine.context, root, returned, cx),
    });
  }

  /**
   * Delegation through state: `fact` is a child's ready path ("the inner future
   * is ready here") in a combinator that polls each child of a collection with
   * `cx` (`for (const [i, child] of this.running) { const r = child.poll(cx); … }`),
   * and the pending `return` is guarded by a test of state the loop body wrote
   * after that poll (`this.finished.set(i, r.value)`, `this.running.delete(i)`,
   * `allDone = false`). The combinator then waits because of what its children
   * reported, and a child that has not reported was polled pending: it keeps the
   * waker. Not a path that skipped a child's poll, nor one where the loop ran
   * zero times (an empty set of children registers nothing): those facts are
   * not a child's ready path.
   */
  private reportedByChild(fact: Fact<RegistrationKind>, returned: ts.Node): boolean {
    const loop = this.childLoopOfReadyPath(fact);
    if (!loop || returned.pos < loop.end) return false;
    const key = `${fact.site.pos}:${returned.pos}`;
    let answer = this.childReports?.get(key);
    if (answer === undefined) (this.childReports ??= new Map()).set(key, (answer = this.guardReads(returned, loop, placesWrittenAfter(this.engine.ts, loop.statement, this.readyTests!.get(fact.site as ts.Expression)!.poll.end))));
    return answer;
  }

  /**
   * Evidence of a registration: `fact` is the path on which nothing registered
   * at all (the loop over children ran zero times or skipped each), and the
   * pending return is guarded by a local that only the registering paths write
   * (`live++` after a child's `pollNext(cx)` came back pending, then `return
   * live === 0 ? Poll.ready(undefined) : Poll.pending()`): where the guard lets
   * pending through, some child was polled and keeps the waker.
   */
  private guardedByRegistration(fact: Fact<RegistrationKind>, call: ts.CallExpression, returned: ts.Node): boolean {
    if (fact.kind !== 'unregistered' || fact.site !== this.poll?.parameter) return false;
    const evidence = this.registrationEvidence();
    if (evidence.size === 0) return false;
    const ts = this.engine.ts;
    const reads = (test: ts.Expression): boolean => readsAny(ts, test, evidence);
    // `return live === 0 ? Poll.ready(…) : Poll.pending()`
    for (let node: ts.Node = call; node !== returned; node = node.parent) {
      if (ts.isConditionalExpression(node.parent) && node.parent.condition !== node && reads(node.parent.condition)) return true;
    }
    // `if (live > 0) return Poll.pending();`, `if (live === 0) return Poll.ready(…); return Poll.pending();`
    let child: ts.Node = returned;
    for (let node = returned.parent; node && node !== this.engine.root; child = node, node = node.parent) {
      if (ts.isIfStatement(node) && child !== node.expression && reads(node.expression)) return true;
      if (!ts.isBlock(node)) continue;
      for (const statement of node.statements) {
        if (statement === child) break;
        if (ts.isIfStatement(statement) && !statement.elseStatement && leaves(ts, statement.thenStatement) && reads(statement.expression)) return true;
      }
    }
    return false;
  }

  /** The locals the body writes only after handing the context to what registers it, later in the same loop body (computed once). */
  private registrationEvidence(): ReadonlySet<string> {
    if (this.evidence) return this.evidence;
    const { ts, root } = this.engine;
    // Where writes count: from a registering use of the context to the end of its loop's body.
    const regions: { readonly from: number; readonly to: number }[] = [];
    for (const [reference] of this.contextRefs) {
      if (this.useAt(reference)?.registration.paths === 'none') continue;
      let loop: ts.Node | undefined = reference.parent;
      while (loop && loop !== root && !ts.isIterationStatement(loop, false)) loop = loop.parent;
      if (loop && loop !== root) regions.push({ from: reference.end, to: (loop as ts.IterationStatement).statement.end });
    }
    const evidence = new Set<string>();
    if (regions.length > 0) {
      const spoiled = new Set<string>();
      forEachLocalWrite(ts, root, (name, at) => {
        if (regions.some((r) => at >= r.from && at < r.to)) evidence.add(name);
        else spoiled.add(name);
      });
      for (const name of spoiled) evidence.delete(name);
      // And starts out saying "nothing registered yet": `let live = 0`, `let pending = false`.
      for (const declaration of this.engine.unit.declarations) {
        if (ts.isIdentifier(declaration.name) && evidence.has(declaration.name.text) && !startsEmpty(ts, declaration.initializer)) evidence.delete(declaration.name.text);
      }
    }
    this.evidence = evidence;
    return evidence;
  }

  /** The loop over children whose ready path `fact` is (`childLoopOf`), if it is one. */
  private childLoopOfReadyPath(fact: Fact<RegistrationKind>): ts.ForOfStatement | undefined {
    if (fact.kind !== 'unregistered') return undefined;
    const test = this.readyTests?.get(fact.site as ts.Expression);
    return test ? childLoopOf(this.engine.ts, this.engine.context, test.poll, this.engine.root) : undefined;
  }

  /**
   * Whether `returned` is guarded, after `loop`, by a test of one of the places
   * `written`: it is in a branch of the `if` (`if (!this.finished.has(k)) return
   * Poll.pending();`), or follows an `if` that leaves (`if (this.running.size ===
   * 0) return Poll.ready(…); return Poll.pending();`).
   */
  private guardReads(returned: ts.Node, loop: ts.ForOfStatement, written: ReadonlySet<string>): boolean {
    const { ts, root } = this.engine;
    if (written.size === 0) return false;
    const children = placeText(ts, loop.expression);
    // A guard that lets the return through only when no child is left (`if (this.running.size === 0) return Poll.pending()`) waits on nobody.
    const guards = (test: ts.Expression, passed: boolean) => test.pos >= loop.end && readsAny(ts, test, written) && !provesEmpty(ts, test, passed, children);
    let child: ts.Node = returned;
    for (let node = returned.parent; node && node !== root; child = node, node = node.parent) {
      if (ts.isIfStatement(node) && child !== node.expression && guards(node.expression, child === node.thenStatement)) return true;
      if (!ts.isBlock(node)) continue;
      for (const statement of node.statements) {
        if (statement === child) break;
        if (ts.isIfStatement(statement) && !statement.elseStatement && leaves(ts, statement.thenStatement) && guards(statement.expression, /*passed*/ false)) return true;
      }
    }
    return false;
  }

  /**
   * The path that returns pending unregistered, in the program's words: through
   * a loop over children where each was ready ("when every child it polls is
   * ready"), through a helper that keeps nothing on some paths ("when
   * `this.id === undefined` is false and `reset` keeps nothing"), or around
   * every registration ("when `urgent` is false": the negation of a
   * registration's condition, which is right only for a registration made on
   * every path through its site).
   */
  private describePath(returned: ts.Node, registrations: Facts<RegistrationKind>, throughHelper: Fact<RegistrationKind> | undefined, missed: Facts<RegistrationKind>): string {
    const { ts, root, context } = this.engine;
    if (missed.every((f) => this.childLoopOfReadyPath(f))) return lostWakeup.messages.everyChildReady();
    if (throughHelper) {
      const condition = conditionOf(ts, context.file, throughHelper.site, returned, root);
      const helper = this.useAt(throughHelper.site as ts.Identifier)?.helper ?? 'the helper';
      return lostWakeup.messages.throughHelper(condition && describeCondition(condition), helper);
    }
    const condition = packedMap(registrations, (r) => conditionOf(ts, context.file, r.site, returned, root)).find((c): c is PathCondition => !!c);
    return condition ? describeCondition(condition, /*negate*/ true) : SOME_PATHS;
  }
}

const KEEPS: ContextUse = { registration: EVERY };
/** Array methods that add their argument to the list. */
const LIST_ADDS: ReadonlySet<string> = new Set(['push', 'unshift']);
const NO_USE: ContextUse = { registration: NONE };

/**
 * The context parameter of a poll function, which promises to have registered
 * wherever it returns pending: `poll(cx: Context)`, or any function that
 * receives the context and returns the library's `Poll` (by type, not by name:
 * tokio's `poll_read`-style `pollRead(cx): Poll<T>`, `pollAcquire`, a closure
 * handed to a `pollFn` whose parameter type gives `cx` its type).
 */
export function pollContextParameter(context: FileContext, fn: ts.Node): ts.ParameterDeclaration | undefined {
  const syntax = syntaxOf(context.ts);
  const ts = context.ts;
  if (!syntax.isFunctionLike(fn) || !('body' in fn) || !fn.body || fn.parameters.length === 0) return undefined;
  const named = pollFunctionName(ts, fn) === '`poll`';
  // A return type written as no type reference (`void`, `boolean`) names no `Poll`: no question to the checker.
  if (!named && fn.type && !syntax.isTypeReferenceNode(fn.type)) return undefined;
  // Parameters whose type could be the context: a reference (`cx: Context`), or none written on a closure (`pollFn((cx) => …)`).
  // A written return type first: the annotation's type is resolved already (the file was checked), and most are no `Poll`.
  if (!named && fn.type && !isLibraryPoll(context, context.checker.getTypeFromTypeNode(fn.type))) return undefined;
  const closure = syntax.isArrowFunction(fn) || syntax.isFunctionExpression(fn);
  // A written parameter type is its annotation's (`cx?: Context` adds only `undefined`), without getTypeAtLocation's way there.
  const parameter = fn.parameters.find(
    (p) => syntax.isIdentifier(p.name) && (p.type ? syntax.isTypeReferenceNode(p.type) : closure) && context.library.isType(p.type ? context.checker.getTypeFromTypeNode(p.type) : context.checker.getTypeAtLocation(p), 'Context'),
  );
  if (!parameter || named || fn.type) return parameter;
  const signature = context.checker.getSignatureFromDeclaration(fn);
  const returned = signature && context.checker.getReturnTypeOfSignature(signature);
  return returned && isLibraryPoll(context, returned) ? parameter : undefined;
}

export function isPollFunction(context: FileContext, fn: ts.Node): boolean {
  return pollContextParameter(context, fn) !== undefined;
}

/** The library's `Poll<T>` (a union of two object types, the alias lost when TypeScript reduces `Poll<A> | Poll<B>`). */
function isLibraryPoll(context: FileContext, type: ts.Type): boolean {
  const ts = context.ts;
  const alias = type.aliasSymbol;
  if (alias) return alias.getName() === 'Poll' && (alias.getDeclarations() ?? []).some((d) => context.library.declares(d));
  const members = type.isUnion() ? type.types : [type];
  return members.every((member) => (member.getSymbol()?.getDeclarations() ?? []).some((d) => {
    let node: ts.Node = d;
    while (ts.isTypeLiteralNode(node) || ts.isUnionTypeNode(node) || ts.isParenthesizedTypeNode(node)) node = node.parent;
    return ts.isTypeAliasDeclaration(node) && node.name.text === 'Poll' && context.library.declares(node);
  }));
}

/** Whether a call could be `Poll.pending()` by its callee's name (no checker: most are not). */
function isNamedPending(ts: TypeScript, call: ts.CallExpression | ts.NewExpression): boolean {
  const syntax = syntaxOf(ts);
  return call.kind === syntax.SyntaxKind.CallExpression && calleeNameText(ts, call as ts.CallExpression) === 'pending';
}

/**
 * Whether some call is `isNamedPending`. Asked of every call of every unit: the
 * kinds are read once, and the name's escaped text is compared (`pending` needs
 * no escape; the `.text` getter unescapes on every call).
 */
function callsPending(ts: TypeScript, calls: readonly (ts.CallExpression | ts.NewExpression)[]): boolean {
  const { CallExpression, Identifier, PropertyAccessExpression } = syntaxOf(ts).SyntaxKind;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    if (call.kind !== CallExpression) continue;
    const callee = call.expression;
    const name = callee.kind === Identifier ? callee : callee.kind === PropertyAccessExpression ? (callee as ts.PropertyAccessExpression).name : undefined;
    if (name !== undefined && (name as ts.Identifier).escapedText === 'pending') return true;
  }
  return false;
}

/** A poll function's name in messages: `` `poll` `` for `poll(cx)` and `poll: (cx) => …`, `` `pollRead` ``, or "this closure". */
function pollFunctionName(ts: TypeScript, fn: ts.Node): string {
  const syntax = syntaxOf(ts);
  let name: ts.Node | undefined = 'name' in fn ? (fn.name as ts.Node | undefined) : undefined;
  if (!name && (syntax.isArrowFunction(fn) || syntax.isFunctionExpression(fn)) && (syntax.isPropertyAssignment(fn.parent) || syntax.isPropertyDeclaration(fn.parent) || syntax.isVariableDeclaration(fn.parent))) name = fn.parent.name;
  return name && (syntax.isIdentifier(name) || syntax.isPrivateIdentifier(name)) ? quoted(name.text) : 'this closure';
}

/** A name as code in a message: "`poll`", made once per name (`sharedTexts`). */
const quoted = sharedTexts((name: string) => `\`${name}\``);

function always(registers: boolean): ContextUse {
  return registers ? KEEPS : NO_USE;
}

/**
 * The `for…of` that polls a different child each iteration: `child.poll(cx)`
 * with `child` (or the object it is read from, `entry.future`) bound by the
 * loop's own declaration (`for (const [index, child] of this.running)`).
 */
function childLoopOf(ts: TypeScript, context: FileContext, poll: ts.CallExpression, root: ts.Node): ts.ForOfStatement | undefined {
  if (!ts.isPropertyAccessExpression(poll.expression)) return undefined;
  let receiver = skipOuterExpressions(ts, poll.expression.expression);
  while (ts.isPropertyAccessExpression(receiver) || ts.isElementAccessExpression(receiver)) receiver = skipOuterExpressions(ts, receiver.expression);
  if (!ts.isIdentifier(receiver)) return undefined;
  const declaration = context.library.symbolAt(receiver)?.valueDeclaration;
  for (let node = poll.parent; node && node !== root && !isFunctionLike(ts, node); node = node.parent) {
    if (!ts.isForOfStatement(node)) continue;
    const initializer = node.initializer;
    return declaration && declaration.pos >= initializer.pos && declaration.end <= initializer.end ? node : undefined;
  }
  return undefined;
}

/** Methods that change the collection they are called on. */
const MUTATORS: ReadonlySet<string> = new Set(['set', 'delete', 'add', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice']);

/**
 * The places `body` writes after position `from`: an assignment's target
 * (`allDone = false`, `this.done`, the array of `this.outputs[i] = …`), a
 * collection changed by a method (`this.finished.set(…)`, `this.running.delete(i)`),
 * a counter (`this.remaining--`). By their text (`placeText`).
 */
function placesWrittenAfter(ts: TypeScript, body: ts.Node, from: number): Set<string> {
  const written = new Set<string>();
  const target = (node: ts.Expression): void => {
    let place = skipOuterExpressions(ts, node);
    if (ts.isElementAccessExpression(place)) place = skipOuterExpressions(ts, place.expression);
    if (ts.isIdentifier(place) || ts.isPropertyAccessExpression(place)) written.add(placeText(ts, place));
  };
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(ts, node)) return;
    if (node.pos >= from) {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) target(node.left);
      else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) target(node.operand);
      else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && MUTATORS.has(node.expression.name.text)) target(node.expression.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return written;
}

/** `0`, `false`, `undefined` or nothing: an initial value that records no event yet. */
function startsEmpty(ts: TypeScript, initializer: ts.Expression | undefined): boolean {
  const value = initializer && skipOuterExpressions(ts, initializer);
  return !value || value.kind === ts.SyntaxKind.FalseKeyword || (ts.isNumericLiteral(value) && Number(value.text) === 0) || isNullish(ts, value);
}

/** Each write of a local name in `body` (`live++`, `found = true`; not declarations), outside nested functions, with its position. */
function forEachLocalWrite(ts: TypeScript, body: ts.Node, action: (name: string, at: number) => void): void {
  const visit = (node: ts.Node): void => {
    if (node !== body && isFunctionLike(ts, node)) return;
    let target: ts.Expression | undefined;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) target = node.left;
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) target = node.operand;
    const inner = target && skipOuterExpressions(ts, target);
    if (inner && ts.isIdentifier(inner)) action(inner.text, node.pos);
    ts.forEachChild(node, visit);
  };
  visit(body);
}

/**
 * Whether `test` coming out `passed` means the collection `children` is empty:
 * `children.size === 0` true, `children.length > 0` false, `!children.size` true.
 */
function provesEmpty(ts: TypeScript, test: ts.Expression, passed: boolean, children: string): boolean {
  let inner = skipOuterExpressions(ts, test);
  while (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    passed = !passed;
    inner = skipOuterExpressions(ts, inner.operand);
  }
  const isSize = (node: ts.Expression): boolean => {
    const size = skipOuterExpressions(ts, node);
    return ts.isPropertyAccessExpression(size) && (size.name.text === 'size' || size.name.text === 'length') && placeText(ts, size.expression) === children;
  };
  if (isSize(inner)) return !passed;
  if (!ts.isBinaryExpression(inner) || !isSize(inner.left)) return false;
  const zero = skipOuterExpressions(ts, inner.right);
  if (!ts.isNumericLiteral(zero) || zero.text !== '0') return false;
  switch (inner.operatorToken.kind) {
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
    case ts.SyntaxKind.EqualsEqualsToken:
    case ts.SyntaxKind.LessThanEqualsToken:
      return passed;
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken:
    case ts.SyntaxKind.GreaterThanToken:
      return !passed;
    default:
      return false;
  }
}

/** Whether `test` reads one of `places` (`!this.finished.has(k)` reads `this.finished`). */
function readsAny(ts: TypeScript, test: ts.Node, places: ReadonlySet<string>): boolean {
  if ((ts.isIdentifier(test) || ts.isPropertyAccessExpression(test)) && places.has(placeText(ts, test))) return true;
  return !isFunctionLike(ts, test) && !!ts.forEachChild(test, (child) => readsAny(ts, child, places) || undefined);
}

function isNullish(ts: TypeScript, node: ts.Expression): boolean {
  const inner = skipOuterExpressions(ts, node);
  return inner.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(inner) && inner.text === 'undefined');
}

/** A place's text without whitespace or wrappers (`this.wakers[id]`), to compare two spellings of it. */
function placeText(ts: TypeScript, place: ts.Expression): string {
  return skipOuterExpressions(ts, place).getText().replace(/\s+|\?(?=\.)|!(?=[.[])/g, '');
}

/** A place's text: a field, an element (`this.wakers[id]`) or a map entry read back (`this.waiters.get(id)`). */
function placeOf(ts: TypeScript, expr: ts.Expression): string | undefined {
  const place = skipOuterExpressions(ts, expr);
  if (ts.isPropertyAccessExpression(place) || ts.isElementAccessExpression(place)) return placeText(ts, place);
  if (ts.isCallExpression(place) && place.arguments.length === 1 && ts.isPropertyAccessExpression(place.expression) && place.expression.name.text === 'get') {
    return `${placeText(ts, place.expression.expression)}.get(${placeText(ts, place.arguments[0])})`;
  }
  return undefined;
}

/** A test that reads a field of `this`: the future's own state, which persists from one poll to the next. */
function readsOwnState(ts: TypeScript, test: ts.Expression): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      let root: ts.Expression = node;
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuterExpressions(ts, root.expression);
      if (root.kind === ts.SyntaxKind.ThisKeyword) return true;
    }
    return !isFunctionLike(ts, node) && !!ts.forEachChild(node, (child) => visit(child) || undefined);
  };
  return visit(test);
}

function isFunctionLike(ts: TypeScript, node: ts.Node): boolean {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node);
}

/** `{ …; return …; }` or `return …;`: the branch always leaves the function. */
function endsInReturn(ts: TypeScript, statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement)) return true;
  return ts.isBlock(statement) && statement.statements.length > 0 && ts.isReturnStatement(statement.statements[statement.statements.length - 1]);
}

/**
 * What the helper returns, told apart between the exits that kept the waker
 * and those that did not: a boolean literal (`return false` where it kept
 * nothing), a boolean property of a returned object literal
 * (`{ leader: true }`), or `Poll.pending()` against `Poll.ready(…)` (read as
 * the result's `ready`). Undefined when some exit returns anything else.
 */
function resultDiscriminant(ts: TypeScript, library: Library, kept: ReadonlySet<ts.Node>, missed: ReadonlySet<ts.Node>): ResultDiscriminant | undefined {
  const keptValues = packedMap(kept, (exit) => returnedBooleans(ts, library, exit));
  const missedValues = packedMap(missed, (exit) => returnedBooleans(ts, library, exit));
  if ([...kept].some((exit) => missed.has(exit))) return undefined;
  const first = keptValues[0];
  if (!first) return undefined;
  for (const [property, value] of first) {
    const agrees = (values: Map<string, boolean> | undefined, expected: boolean) => values?.get(property) === expected;
    if (keptValues.every((v) => agrees(v, value)) && missedValues.every((v) => agrees(v, !value))) return property === RESULT ? { value } : { property, value };
  }
  return undefined;
}

/** The result itself, as a key of `returnedBooleans`. */
const RESULT = '';

/** The booleans a `return` hands back: the result itself (key ''), or properties of an object literal. */
function returnedBooleans(ts: TypeScript, library: Library, exit: ts.Node): Map<string, boolean> | undefined {
  if (!ts.isReturnStatement(exit) || !exit.expression) return undefined;
  const returned = skipOuterExpressions(ts, exit.expression);
  const literal = booleanLiteral(ts, returned);
  if (literal !== undefined) return new Map([[RESULT, literal]]);
  if (ts.isCallExpression(returned)) {
    const callee = library.calleeOf(returned);
    if (callee === 'Poll.pending' || callee === 'Poll.ready') return new Map([['ready', callee === 'Poll.ready']]);
    return undefined;
  }
  if (!ts.isObjectLiteralExpression(returned)) return undefined;
  const values = new Map<string, boolean>();
  for (const property of returned.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
    const value = booleanLiteral(ts, skipOuterExpressions(ts, property.initializer));
    if (value !== undefined) values.set(property.name.text, value);
  }
  return values;
}

function booleanLiteral(ts: TypeScript, node: ts.Node): boolean | undefined {
  return node.kind === ts.SyntaxKind.TrueKeyword ? true : node.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
}
