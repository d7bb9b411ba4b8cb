// Fields as places: a field (`this.waker`, `inner.rxWaker`, `this.entry.waker`)
// whose type is an owned `Waker` holds a value too.
//   - clone-without-drop: assigning it while it may still hold a waker (not
//     dropped, woken or taken before, on some path) loses the old one;
//   - use-after-wake / use-after-drop: consuming the waker through the field
//     (`inner.rxWaker.wake()`) and then using the field again before assigning it.
// A place is named by its access path from `this` or a local; two paths to one
// object (an alias) are two places, and a call that may reach the object
// (`this.take()`, `helper(this)`) makes its places unknown: nothing is
// reported on them until they are assigned again.

import type * as ts from 'typescript';
import type { FlowChecker, FlowEngine, FlowState, StateSlot, WorkingState } from '../engine';
import type { Narrowing } from '../graph';
import { joinFactLists, sameFactLists, type Fact, type Facts } from '../lattice';
import { emptiedOnEdge, isNullish } from '../positions';
import { skipOuterExpressions } from '../../syntax';

/**
 * `unknown`: whatever the field held when the function began (it may hold a waker);
 * `held`: assigned here (site: the value); `empty`: known to hold nothing;
 * `woken`/`dropped`: consumed through the field; `opaque`: taken or reached by a call we cannot see into.
 */
type PlaceFactKind = 'unknown' | 'held' | 'empty' | 'woken' | 'dropped' | 'opaque';
type PlaceFacts = Facts<PlaceFactKind>;

interface AccessPath {
  /** `this.entry.waker` */
  readonly path: string;
  /** `this`, or the local the path starts from. */
  readonly root: string;
}

interface Place extends AccessPath {
  readonly index: number;
}

const CONSUMERS: Readonly<Record<string, 'woken' | 'dropped'>> = { 'Waker#wake': 'woken', 'Waker#drop': 'dropped', drop: 'dropped' };

export class FieldChecker implements FlowChecker {
  private readonly places = new Map<string, Place>();
  private slot: StateSlot<readonly PlaceFacts[]> | undefined;
  /** Place uses already reported (one report per use; later copies of a `finally` body agree). */
  private readonly reportedUses = new Set<ts.Node>();
  /** `pathOf` per node: every pass of the dataflow asks again about the same receivers and arguments. */
  private readonly paths = new Map<ts.Expression, AccessPath | null>();

  constructor(private readonly engine: FlowEngine) {}

  // ---------------------------------------------------------------- discovery

  /** Places are the fields that are assigned an owned waker in this body, or consumed through. */
  startDiscovery(): void {
    const { ts, unit, context } = this.engine;
    const candidates: ts.Expression[] = [];
    for (const assignment of unit.assignments) candidates.push(skipOuterExpressions(ts, assignment.left));
    for (const call of unit.calls) {
      const consumed = this.consumedPlaceExpression(call);
      if (consumed) candidates.push(consumed);
    }
    for (const candidate of candidates) {
      const path = this.pathOf(candidate);
      if (!path || this.places.has(path.path)) continue;
      if (!context.library.isType(context.checker.getTypeAtLocation(candidate), 'Waker')) continue;
      this.places.set(path.path, { index: this.places.size, ...path });
    }
    if (this.places.size === 0) return;
    const root = this.engine.root;
    // A constructor starts with its fields empty (property initializers aside, which assign no waker we track).
    const initialKind: PlaceFactKind = ts.isConstructorDeclaration(root) ? 'empty' : 'unknown';
    this.slot = this.engine.allocate<readonly PlaceFacts[]>({
      initial: () => [...this.places.values()].map(() => [this.engine.fact(initialKind, root)]),
      join: joinFactLists,
      same: sameFactLists,
    });
  }

  needsDataflow(): boolean {
    return this.places.size > 0;
  }

  /** `this.waker` for `this.waker.wake()`, `this.waker?.drop()`, `drop(this.waker)`. */
  private consumedPlaceExpression(call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined {
    const ts = this.engine.ts;
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'wake' || callee.name.text === 'drop')) {
      const receiver = skipOuterExpressions(ts, callee.expression);
      return ts.isPropertyAccessExpression(receiver) ? receiver : undefined;
    }
    if (ts.isIdentifier(callee) && callee.text === 'drop' && call.arguments?.length === 1) {
      const argument = skipOuterExpressions(ts, call.arguments[0]);
      return ts.isPropertyAccessExpression(argument) ? argument : undefined;
    }
    return undefined;
  }

  /** The access path of `node` (`this.a.b`, `inner.rxWaker`), when it is one. */
  private pathOf(node: ts.Expression): AccessPath | undefined {
    let path = this.paths.get(node);
    if (path === undefined) {
      path = this.accessPath(node) ?? null;
      this.paths.set(node, path);
    }
    return path ?? undefined;
  }

  private accessPath(node: ts.Expression): AccessPath | undefined {
    const ts = this.engine.ts;
    const names: string[] = [];
    let current: ts.Expression = skipOuterExpressions(ts, node);
    while (ts.isPropertyAccessExpression(current) && ts.isIdentifier(current.name)) {
      names.unshift(current.name.text);
      current = skipOuterExpressions(ts, current.expression);
    }
    if (names.length === 0) return undefined;
    let root: string;
    if (current.kind === ts.SyntaxKind.ThisKeyword) root = 'this';
    else if (ts.isIdentifier(current)) root = current.text;
    else return undefined;
    return { path: [root, ...names].join('.'), root };
  }

  private placeOf(node: ts.Expression): Place | undefined {
    if (this.places.size === 0) return undefined;
    const path = this.pathOf(node);
    return path && this.places.get(path.path);
  }

  // ---------------------------------------------------------------- dataflow

  narrow(state: FlowState, narrowing: Narrowing): FlowState {
    const slot = this.slot;
    if (!slot) return state;
    const expr = emptiedOnEdge(this.engine.ts, narrowing);
    if (!expr) return state;
    const place = this.placeOf(expr);
    if (!place) return state;
    const facts = slot.get(state).slice();
    facts[place.index] = [this.engine.fact('empty', expr)];
    const next = { bindings: state.bindings, checkers: state.checkers.slice() };
    slot.set(next, facts);
    return next;
  }

  evaluateCall(call: ts.CallExpression, state: WorkingState): void {
    const slot = this.slot;
    if (!slot) return;
    const { ts, context } = this.engine;
    const callee = call.expression;
    // `place.wake()`, `place.drop()`, `place.wakeByRef()`, …: a use of the place, maybe consuming it.
    if (ts.isPropertyAccessExpression(callee)) {
      const receiver = skipOuterExpressions(ts, callee.expression);
      const place = this.placeOf(receiver);
      if (place) {
        this.checkUse(place, receiver, state);
        const how = CONSUMERS[context.library.nameOf(callee) ?? ''];
        if (how) this.set(place, [this.engine.fact(how, call)], state);
        return;
      }
    }
    const name = context.library.calleeOf(call);
    for (const argument of call.arguments) {
      const inner = skipOuterExpressions(ts, argument);
      const place = this.placeOf(inner);
      if (!place) continue;
      this.checkUse(place, inner, state);
      const how = CONSUMERS[name ?? ''];
      // Handed to a library call that consumes it, or to code we cannot see (it may take it).
      if (how) this.set(place, [this.engine.fact(how, call)], state);
      else if (name === undefined) this.set(place, [this.engine.fact('opaque', call)], state);
    }
    // A call that may reach the object (`this.takeWaiter()`, `helper(this)`) may change its fields.
    if (name === undefined) this.forgetReachable(call, state);
  }

  evaluateAssignment(assignment: ts.BinaryExpression, state: WorkingState): void {
    const slot = this.slot;
    if (!slot) return;
    const ts = this.engine.ts;
    // `const w = this.waker` and `x = this.waker` take the value out: the field no longer decides.
    this.taken(assignment.right, state);
    const left = skipOuterExpressions(ts, assignment.left);
    if (ts.isIdentifier(left)) {
      // The root now names another object.
      for (const other of this.places.values()) if (other.root === left.text) this.set(other, [this.engine.fact('unknown', assignment)], state);
      return;
    }
    const place = this.placeOf(left);
    if (!place) return;
    this.checkOverwrite(place, assignment, state);
    const value = skipOuterExpressions(ts, assignment.right);
    this.set(place, [isNullish(ts, value) ? this.engine.fact('empty', value) : this.engine.fact('held', value)], state);
  }

  evaluateDeclaration(declaration: ts.VariableDeclaration, state: WorkingState): void {
    if (!this.slot) return;
    if (declaration.initializer) this.taken(declaration.initializer, state);
    // A new object under the root (each iteration of `for (const entry of …)`): its fields hold whatever they hold.
    const ts = this.engine.ts;
    const declared = new Set<string>();
    const collect = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) declared.add(name.text);
      else for (const element of name.elements) if (ts.isBindingElement(element)) collect(element.name);
    };
    collect(declaration.name);
    for (const place of this.places.values()) {
      if (declared.has(place.root)) this.set(place, [this.engine.fact('unknown', declaration)], state);
    }
  }

  private taken(value: ts.Expression, state: WorkingState): void {
    const inner = skipOuterExpressions(this.engine.ts, value);
    const place = this.placeOf(inner);
    if (!place) return;
    this.checkUse(place, inner, state);
    this.set(place, [this.engine.fact('opaque', inner)], state);
  }

  private forgetReachable(call: ts.CallExpression, state: WorkingState): void {
    const ts = this.engine.ts;
    const roots = new Set<string>();
    const callee = skipOuterExpressions(ts, call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const receiver = skipOuterExpressions(ts, callee.expression);
      if (receiver.kind === ts.SyntaxKind.ThisKeyword) roots.add('this');
      else if (ts.isIdentifier(receiver)) roots.add(receiver.text);
    }
    for (const argument of call.arguments) {
      const inner = skipOuterExpressions(ts, argument);
      if (inner.kind === ts.SyntaxKind.ThisKeyword) roots.add('this');
      else if (ts.isIdentifier(inner)) roots.add(inner.text);
    }
    if (roots.size === 0) return;
    for (const place of this.places.values()) {
      if (roots.has(place.root)) this.set(place, [this.engine.fact('opaque', call)], state);
    }
  }

  private set(place: Place, facts: PlaceFacts, state: WorkingState): void {
    const slot = this.slot!;
    const all = slot.get(state).slice();
    all[place.index] = facts;
    slot.set(state, all);
  }

  // ---------------------------------------------------------------- reports

  /** Assigning a field that may still hold a waker loses it. */
  private checkOverwrite(place: Place, assignment: ts.BinaryExpression, state: WorkingState): void {
    const engine = this.engine;
    if (!engine.reporting) return;
    const facts = this.slot!.get(state)[place.index];
    const holding = facts.filter((f) => f.kind === 'unknown' || f.kind === 'held');
    if (holding.length === 0) return;
    const stored = holding.filter((f) => f.kind === 'held');
    const everyPath = stored.length === facts.length;
    const target = `\`${place.path}\``;
    engine.report({
      rule: 'clone-without-drop',
      severity: everyPath ? 'error' : 'warning',
      message: everyPath
        ? `assigning ${target} loses the waker it still holds: it leaks`
        : `assigning ${target} loses the waker it may still hold: it leaks`,
      span: engine.span(assignment),
      related: stored.map((f) => engine.related(f.site, 'the old waker was stored here')),
      help: `drop the old waker first (\`${place.path}?.drop()\`), or take it out and hand it on`,
      fixes: [],
    });
  }

  /** Using a field whose waker was woken or dropped through it (`inner.rxWaker.wake(); inner.rxWaker.drop()`). */
  private checkUse(place: Place, use: ts.Expression, state: WorkingState): void {
    const engine = this.engine;
    if (!engine.reporting || this.reportedUses.has(use)) return;
    const facts = this.slot!.get(state)[place.index];
    const consumed = facts.filter((f): f is Fact<'woken' | 'dropped'> => f.kind === 'woken' || f.kind === 'dropped');
    if (consumed.length === 0) return;
    this.reportedUses.add(use);
    const woken = consumed.some((f) => f.kind === 'woken');
    const everyPath = consumed.length === facts.length;
    engine.report({
      rule: woken ? 'use-after-wake' : 'use-after-drop',
      severity: everyPath ? 'error' : 'warning',
      message: `use of \`${place.path}\` after its waker was ${woken ? 'woken' : 'dropped'}${everyPath ? '' : ' on some paths'}`,
      span: engine.span(use),
      related: consumed.map((f) => engine.related(f.site, `\`${place.path}\` ${f.kind} here`)),
      help: woken ? 'use `wakeByRef()` if the waker is needed afterwards, and clear the field once it is consumed' : 'clear the field once its waker is dropped (`= undefined`)',
      fixes: [],
    });
  }
}
