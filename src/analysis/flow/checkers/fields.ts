// Fields, array slots and `Map` entries as places: a field (`this.waker`,
// `inner.rxWaker`, `this.#waker`), a slot (`this.slots[key]`) or an entry
// (`this.waiters.get(id)`, written by `set`/`delete`) whose type is an owned
// `Waker` holds a value too.
//   - clone-without-drop: assigning it while it may still hold a waker (not
//     dropped, woken or taken before, on some path) loses the old one;
//   - use-after-wake / use-after-drop: consuming the waker through the place
//     (`inner.rxWaker.wake()`), or through a local that read it out and shares
//     it (`const w = this.waker; w.wake()`, the engine's aliasing rule), and then
//     using the place again before assigning it.
// A place is named by its access path from `this` or a local (flow/places.ts);
// two paths to one object (an alias) are two places, and a call that may reach
// the object (`this.take()`, `helper(this)`) makes its places unknown: nothing
// is reported on them until they are assigned again.
//
// A slot starts `vacant`: containers index the slots they fill by an invariant
// the analyzer cannot see (a slab's free list), so filling one is no leak until
// the body itself treats it as possibly full (reads it, as in
// `slots[key]?.willWake(w)`), fills it twice, or clears it (`slots[key] =
// undefined` says it may be full). A field or a `Map` entry starts vacant too,
// except in a function that runs on every poll (see `isPolled`): a key minted
// for the call (`this.next++`) names an entry nobody filled, while a waiter
// that waits again refills its own.

import type * as ts from 'typescript';
import type { TypeScript } from '../../types';
import { cloneWithoutDrop, useAfterDrop, useAfterWake } from '../../rules/index';
import type { TrackedBinding } from '../discovery';
import type { Effect } from '../effects';
import type { FlowChecker, FlowEngine, FlowState, StateSlot, WorkingState } from '../engine';
import type { Narrowing } from '../graph';
import { joinFacts, joinFactLists, sameFactLists, type Fact, type Facts } from '../lattice';
import { packedMap } from '../../arrays';
import { dependsOnName, destructuredPath, isInside, rootsReachedBy, type AccessPath, type MapMethod } from '../places';
import { climb, emptiedOnEdge, isInOperand, isNullish, isTestPosition, presentOnEdge } from '../positions';
import { skipOuterExpressions } from '../../syntax';

/**
 * `unknown`: whatever the field held when the function began (it may hold a waker);
 * `vacant`: a slot not yet looked at (assumed empty by the container's invariant);
 * `held`: assigned here (site: the value); `empty`: known to hold nothing;
 * `woken`/`dropped`: consumed through the place or a local sharing it; `opaque`: taken or reached by a call we cannot see into.
 */
type PlaceFactKind = 'unknown' | 'vacant' | 'held' | 'empty' | 'woken' | 'dropped' | 'opaque';
type PlaceFacts = Facts<PlaceFactKind>;

interface Place extends AccessPath {
  readonly index: number;
  /** An array slot (`this.slots[key]`): vacant until looked at, even where the function runs on every poll. */
  readonly slot: boolean;
}

const NO_PLACES: ReadonlyMap<string, Place> = new Map();

/** The node that names a function (its name, or the function itself). */
function nameOf(ts: TypeScript, root: ts.Node): ts.Node {
  return (ts.isFunctionDeclaration(root) || ts.isMethodDeclaration(root) || ts.isFunctionExpression(root)) && root.name ? root.name : root;
}

/**
 * The names `path` spells between its `.`, `[` and `]` (`this`, `slots`, `key`
 * for `this.slots[key]`), escaped as identifiers hold them (their `text` is a
 * getter that unescapes on every call): `split` by a pattern makes a new RegExp per call.
 */
function addSegments(ts: TypeScript, path: string, segments: Set<ts.__String>): void {
  // Never reads past the end: an out-of-bounds `charCodeAt` deoptimises the function.
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 46 /* . */ || c === 91 /* [ */ || c === 93 /* ] */) {
      if (i > start) segments.add(ts.escapeLeadingUnderscores(path.slice(start, i)));
      start = i + 1;
    }
  }
  if (path.length > start) segments.add(ts.escapeLeadingUnderscores(path.slice(start)));
}

/** The label of a place fact consumed through a local that shares the place's waker. */
function throughLabel(name: string): string {
  return `through \`${name}\``;
}

const CONSUMERS: Readonly<Record<string, 'woken' | 'dropped'>> = { 'Waker#wake': 'woken', 'Waker#drop': 'dropped', drop: 'dropped' };
/** The method names of the `CONSUMERS`. */
const CONSUMERS_BY_NAME: ReadonlySet<string> = new Set(['wake', 'drop']);

/** What a call does to the places, the same on every pass: the places it uses (in order) and those it may reach and change. */
interface CallEffect {
  /** `how`: consumed (`woken`, `dropped`), taken by code we cannot see (`opaque`), or only looked at. */
  readonly uses: readonly { readonly place: Place; readonly node: ts.Expression; readonly how: 'woken' | 'dropped' | 'opaque' | 'looked' }[];
  readonly reached: readonly Place[];
}

export class FieldChecker implements FlowChecker {
  /** Made on the first place found (`afterBindings`): most units have none (speed). */
  private places: ReadonlyMap<string, Place> = NO_PLACES;
  private slot: StateSlot<readonly PlaceFacts[]> | undefined;
  /** Whether the function runs on every poll (`isPolled`): its places may hold what an earlier call stored. */
  private polled = false;
  /** Place uses already reported (one report per use; later copies of a `finally` body agree). */
  private reportedUses: Set<ts.Node> | undefined;
  /** `callEffect` per call (null: it does nothing to the places). */
  private callEffects: Map<ts.CallExpression, CallEffect | null> | undefined;

  constructor(private readonly engine: FlowEngine) {}

  reset(): void {
    this.places = NO_PLACES;
    this.slot = undefined;
    this.polled = false;
    this.reportedUses = undefined;
    this.callEffects = undefined;
  }

  // ---------------------------------------------------------------- discovery

  /** Places are the fields and slots that are assigned an owned waker in this body, consumed through, or read into a local. */
  afterBindings(): void {
    const syntax = this.engine.syntax;
    const { ts, unit, context, discovery } = this.engine;
    const add = (path: AccessPath | undefined): void => {
      if (!path || this.places.has(path.path)) return;
      if (this.places === NO_PLACES) this.places = new Map();
      (this.places as Map<string, Place>).set(path.path, { index: this.places.size, ...path, slot: path.last === 'slot' });
    };
    // Indexed loops: see Discovery.run.
    const { assignments, calls, declarations } = unit;
    for (let i = 0; i < assignments.length; i++) {
      const target = skipOuterExpressions(ts, assignments[i].left);
      const path = discovery.placePath(target);
      if (path && !this.places.has(path.path) && context.library.isAssignedType(target, 'Waker')) add(path);
    }
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const consumed = this.consumedPlaceExpression(call);
      const path = consumed && discovery.placePath(consumed);
      // A place read: its type is narrowed where it stands, so the checker answers.
      if (path && !this.places.has(path.path) && context.library.isType(context.checker.getTypeAtLocation(consumed), 'Waker')) add(path);
      // `waiters.set(id, w)` and `waiters.delete(id)` assign the entry `waiters.get(id)`.
      const method = syntax.isCallExpression(call) ? discovery.mapMethod(call) : undefined;
      if (method === 'set' || method === 'delete') {
        const entry = discovery.entryPath(call as ts.CallExpression);
        if (entry && !this.places.has(entry.path) && this.holdsWakers((call.expression as ts.PropertyAccessExpression).expression)) add(entry);
      }
    }
    // Read into a local (discovery already knows their types).
    for (const read of discovery.placesRead()) if (read.kind === 'waker') add(read);
    for (let i = 0; i < declarations.length; i++) {
      const declaration = declarations[i];
      if (syntax.isIdentifier(declaration.name)) continue;
      const wakers = new Set(packedMap(discovery.bindingsDestructuredBy(declaration).filter((b) => b.kind === 'waker'), (b) => b.declaration));
      if (wakers.size > 0) this.forEachDestructured(declaration, (element, path) => wakers.has(element) && add(path));
    }
    if (this.places.size === 0) return;
    this.watchReads();
    const root = this.engine.root;
    // A constructor starts with its fields empty (property initializers aside, which assign no waker we track).
    const inConstructor = syntax.isConstructorDeclaration(root);
    this.polled = this.isPolled();
    const initial = (place: Place): PlaceFactKind => (inConstructor ? 'empty' : this.notLookedAt(place));
    this.slot = this.engine.allocate<readonly PlaceFacts[]>({
      initial: () => packedMap(this.places.values(), (place) => [this.engine.fact(initial(place), root)]),
      join: joinFactLists,
      same: sameFactLists,
    });
  }

  /**
   * Whether the function receives the task's waker by reference (a `Context` or
   * `WakerRef` parameter), as `poll` and a `register(cx)` do: it runs again on
   * every poll, so a field it fills may hold what the previous poll stored.
   * Elsewhere (`arm(waker: Waker)`, a hand-off) a field the body fills without
   * looking is, like a slot, taken to be vacant by the object's own protocol.
   */
  private isPolled(): boolean {
    const { ts, root, context } = this.engine;
    if (ts.isSourceFile(root) || root.kind === ts.SyntaxKind.ClassStaticBlockDeclaration || !('parameters' in root)) return false;
    return root.parameters.some((parameter) => {
      if (!parameter.type) return false;
      const type = context.checker.getTypeFromTypeNode(parameter.type);
      return context.library.isType(type, 'Context') || context.library.isType(type, 'WakerRef');
    });
  }

  /** Whether a `Map`'s values are wakers (`Map<number, Waker>`). */
  private holdsWakers(map: ts.Expression): boolean {
    const { ts, context } = this.engine;
    const type = context.checker.getTypeAtLocation(map);
    if (!(type.flags & ts.TypeFlags.Object) || !((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference)) return false;
    const value = context.checker.getTypeArguments(type as ts.TypeReference)[1];
    return value !== undefined && context.library.isType(value, 'Waker');
  }

  /** The places a destructuring declaration reads (`entry.waker` for `const { waker } = entry`). */
  private forEachDestructured(declaration: ts.VariableDeclaration, action: (element: ts.BindingElement, path: AccessPath) => void): void {
    const { ts, discovery } = this.engine;
    const source = declaration.initializer && discovery.objectPath(declaration.initializer);
    if (!source) return;
    const visit = (pattern: ts.BindingName): void => {
      if (ts.isIdentifier(pattern)) return;
      for (const element of pattern.elements) {
        if (!ts.isBindingElement(element)) continue;
        if (!ts.isIdentifier(element.name)) visit(element.name);
        else if (!element.dotDotDotToken) {
          const path = destructuredPath(ts, element, source.path);
          if (path) action(element, { ...source, path });
        }
      }
    };
    visit(declaration.name);
  }

  /**
   * Reads of a place that no other hook sees: a template (`` `${this.waker}` ``), a
   * tagged template's argument, a spread, `in`, a computed key, a property of it
   * (`this.waker.data`), a `return`. Calls, assignments and declarations see their
   * own receivers, arguments and values; a test (`if (this.waker)`, `=== undefined`)
   * only asks whether the place holds something.
   */
  private watchReads(): void {
    const syntax = this.engine.syntax;
    const { ts, unit, discovery } = this.engine;
    // Only the names a place's path spells can start an access to it (`waker` in `this.waker`, `slots` in `this.slots[key]`).
    const segments = new Set<ts.__String>();
    for (const place of this.places.values()) addSegments(ts, place.path, segments);
    for (const identifier of unit.identifiers) {
      if (!segments.has(identifier.escapedText)) continue;
      let access: ts.Node = identifier;
      if (syntax.isPropertyAccessExpression(access.parent) && access.parent.name === access) access = access.parent;
      while ((syntax.isPropertyAccessExpression(access.parent) || syntax.isElementAccessExpression(access.parent)) && access.parent.expression === access && !this.placeOf(access as ts.Expression)) access = access.parent;
      if ((syntax.isPropertyAccessExpression(access) || syntax.isElementAccessExpression(access)) && this.placeOf(access) && this.isPlainRead(access)) discovery.watchRead(access);
    }
  }

  private isPlainRead(access: ts.PropertyAccessExpression | ts.ElementAccessExpression): boolean {
    const syntax = this.engine.syntax;
    const ts = this.engine.ts;
    const { value, parent, flowed } = climb(ts, access);
    if (isTestPosition(ts, value, parent) && !isInOperand(ts, parent)) return false;
    if (flowed) return true;
    // Seen by evaluateCall (receiver, argument), evaluateAssignment and evaluateDeclaration (target, value).
    if ((syntax.isPropertyAccessExpression(parent) || syntax.isElementAccessExpression(parent)) && parent.expression === value) {
      return !(syntax.isCallExpression(parent.parent) && parent.parent.expression === parent);
    }
    if (syntax.isCallExpression(parent) || syntax.isNewExpression(parent)) return parent.expression === value;
    if (syntax.isVariableDeclaration(parent)) return parent.initializer !== value;
    if (syntax.isBinaryExpression(parent) && parent.operatorToken.kind === syntax.SyntaxKind.EqualsToken) return false;
    return true;
  }

  needsDataflow(): boolean {
    return this.places.size > 0;
  }

  /** `this.waker` for `this.waker.wake()`, `this.waker?.drop()`, `drop(this.waker)`. */
  private consumedPlaceExpression(call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined {
    const syntax = this.engine.syntax;
    const callee = call.expression;
    if (syntax.isPropertyAccessExpression(callee) && (callee.name.text === 'wake' || callee.name.text === 'drop')) return this.accessIn(callee.expression);
    if (syntax.isIdentifier(callee) && callee.text === 'drop' && call.arguments?.length === 1) return this.accessIn(call.arguments[0]);
    return undefined;
  }

  /** `node` without its wrappers, when that is a property or element access or a `Map`'s `get` (a method, not a closure per call: less garbage). */
  private accessIn(node: ts.Expression): ts.Expression | undefined {
    const syntax = this.engine.syntax;
    const ts = this.engine.ts;
    const inner = skipOuterExpressions(ts, node);
    return syntax.isPropertyAccessExpression(inner) || syntax.isElementAccessExpression(inner) || (syntax.isCallExpression(inner) && this.engine.discovery.mapMethod(inner) === 'get') ? inner : undefined;
  }

  private placeOf(node: ts.Expression): Place | undefined {
    if (this.places.size === 0) return undefined;
    const path = this.engine.discovery.placePath(node);
    return path && this.places.get(path.path);
  }

  // ---------------------------------------------------------------- dataflow

  narrow(state: FlowState, narrowing: Narrowing): FlowState {
    const slot = this.slot;
    if (!slot) return state;
    const hasTest = this.hasTest(narrowing);
    const present = presentOnEdge(this.engine.ts, narrowing);
    const filled = hasTest ? narrowing.outcome === 'truthy' && hasTest : present && this.placeOf(present);
    // Where the place holds something, it is not empty (a path that says so contradicts this edge), and a slot is no longer assumed vacant.
    if (filled) {
      const facts = slot.get(state)[filled.index];
      if (!facts.some((f) => f.kind === 'empty' || f.kind === 'vacant')) return state;
      const kept = facts.filter((f) => f.kind !== 'empty' && f.kind !== 'vacant');
      const present = facts.some((f) => f.kind === 'vacant') ? joinFacts(kept, [this.engine.fact('unknown', narrowing.expr)]) : kept;
      return this.withPlaces(state, (places) => (places[filled.index] = present));
    }
    if (hasTest) return this.withPlaces(state, (facts) => (facts[hasTest.index] = [this.engine.fact('empty', narrowing.expr)]));
    const expr = emptiedOnEdge(this.engine.ts, narrowing);
    if (!expr) return state;
    const place = this.placeOf(expr);
    if (place) return this.withPlaces(state, (facts) => (facts[place.index] = [this.engine.fact('empty', expr)]));
    // `w?.wake()` with `w` read out of a place: where `w` is nullish nothing was consumed through it, and the place it shares is empty.
    const binding = this.engine.ts.isIdentifier(expr) ? this.engine.discovery.uses.get(expr) : undefined;
    if (!binding) return state;
    const through = throughLabel(binding.name);
    const all = slot.get(state);
    if (!all.some((facts) => facts.some((f) => f.label === through))) return state;
    return this.withPlaces(state, (places) => {
      places.forEach((facts, index) => {
        if (facts.some((f) => f.label === through)) places[index] = joinFacts(facts.filter((f) => f.label !== through), [this.engine.fact('empty', expr)]);
      });
    });
  }

  /** The entry a condition `map.has(k)` tests: present on its true edge, empty on its false one. */
  private hasTest(narrowing: Narrowing): Place | undefined {
    const syntax = this.engine.syntax;
    const { discovery } = this.engine;
    const tested = narrowing.expr;
    if (!syntax.isCallExpression(tested) || discovery.mapMethod(tested) !== 'has') return undefined;
    const entry = discovery.entryPath(tested);
    return entry && this.places.get(entry.path);
  }

  private withPlaces(state: FlowState, change: (facts: PlaceFacts[]) => void): FlowState {
    const facts = this.slot!.get(state).slice();
    change(facts);
    const next = { bindings: state.bindings, checkers: state.checkers.slice() };
    this.slot!.set(next, facts);
    return next;
  }

  evaluateRead(access: ts.PropertyAccessExpression | ts.ElementAccessExpression, state: WorkingState): void {
    const place = this.placeOf(access);
    if (!place || !this.slot) return;
    this.checkUse(place, access, state);
    this.lookedAt(place, access, state);
  }

  evaluateCall(call: ts.CallExpression, state: WorkingState): void {
    if (!this.slot) return;
    const method = this.engine.discovery.mapMethod(call);
    if (method !== undefined) {
      this.evaluateMapCall(call, method, state);
      return;
    }
    let effect = this.callEffects?.get(call);
    if (effect === undefined) (this.callEffects ??= new Map()).set(call, (effect = this.callEffect(call)));
    if (!effect) return;
    for (const { place, node, how } of effect.uses) {
      this.checkUse(place, node, state);
      if (how === 'looked') this.lookedAt(place, node, state);
      else this.set(place, [this.engine.fact(how, call)], state);
    }
    for (const place of effect.reached) this.set(place, [this.engine.fact('opaque', call)], state);
  }

  /** What a call (not a `Map` entry method) does to the places; null for nothing, the common case. */
  private callEffect(call: ts.CallExpression): CallEffect | null {
    const syntax = this.engine.syntax;
    const { ts, context, discovery } = this.engine;
    const callee = call.expression;
    // `place.wake()`, `place.drop()`, `place.wakeByRef()`, …: a use of the place, maybe consuming it.
    if (syntax.isPropertyAccessExpression(callee)) {
      const receiver = skipOuterExpressions(ts, callee.expression);
      const place = this.placeOf(receiver);
      // Only a method named `wake` or `drop` can be one of the `CONSUMERS` (no need to resolve the others).
      if (place) return { uses: [{ place, node: receiver, how: (CONSUMERS_BY_NAME.has(callee.name.text) && CONSUMERS[context.library.nameOf(callee) ?? '']) || 'looked' }], reached: [] };
    }
    // Loops into arrays that stay empty for most calls (no room is made until a push), where a spread, a map and two filters made four.
    const passed: { readonly place: Place; readonly node: ts.Expression }[] = [];
    for (let i = 0; i < call.arguments.length; i++) {
      const node = skipOuterExpressions(ts, call.arguments[i]);
      const place = this.placeOf(node);
      if (place) passed.push({ place, node });
    }
    // A call that may reach the object (`this.takeWaiter()`, `helper(this)`) may change its fields: its roots, or the object it is called on (`this.waiters.forEach(…)`).
    const roots = rootsReachedBy(ts, call);
    const inner = skipOuterExpressions(ts, callee);
    const receiver = syntax.isPropertyAccessExpression(inner) ? discovery.objectPath(inner.expression) : undefined;
    const reachable: Place[] = [];
    for (const place of this.places.values()) if (roots.has(place.root) || (receiver && isInside(place.path, receiver.path))) reachable.push(place);
    if (reachable.length === 0 && passed.length === 0) return null;
    const name = context.library.calleeOf(call);
    const how = CONSUMERS[name ?? ''];
    return {
      // Handed to a library call that consumes it, or to code we cannot see (it may take it).
      uses: packedMap(passed, ({ place, node }) => ({ place, node, how: how ?? (name === undefined ? 'opaque' : 'looked') })),
      reached: name === undefined ? reachable : [],
    };
  }

  /**
   * A `Map`'s entry methods on the entry they name, as assignments to a slot:
   * `set(k, w)` assigns `map.get(k)` (loses what it may hold, as `Map.set` hands
   * back nothing, unlike Rust's `HashMap::insert`), `delete(k)` empties it
   * (losing what it may hold, unless taken first), `has(k)` looks at it,
   * `clear()` empties every entry (what it held was spread out or iterated
   * before, which the body decides: no report).
   */
  private evaluateMapCall(call: ts.CallExpression, method: MapMethod, state: WorkingState): void {
    const { ts, discovery } = this.engine;
    if (method === 'clear') {
      const map = discovery.objectPath((call.expression as ts.PropertyAccessExpression).expression);
      if (map) for (const place of this.places.values()) if (isInside(place.path, map.path)) this.set(place, [this.engine.fact('empty', call)], state);
      return;
    }
    if (method === 'get') return;
    const entry = discovery.entryPath(call);
    const place = entry && this.places.get(entry.path);
    if (!place) return;
    if (method === 'has') {
      this.lookedAt(place, call, state);
      return;
    }
    this.checkOverwrite(place, call, state);
    const value = method === 'set' ? call.arguments[1] && skipOuterExpressions(ts, call.arguments[1]) : undefined;
    this.set(place, [!value || isNullish(ts, value) ? this.engine.fact('empty', value ?? call) : this.engine.fact('held', value)], state);
  }

  evaluateAssignment(assignment: ts.BinaryExpression, state: WorkingState): void {
    const slot = this.slot;
    if (!slot) return;
    const ts = this.engine.ts;
    // `const w = this.waker` and `x = this.waker` take the value out: the field no longer decides.
    this.taken(assignment.right, state);
    const left = skipOuterExpressions(ts, assignment.left);
    if (ts.isIdentifier(left)) {
      // The root (or an index) now names another object.
      for (const other of this.places.values()) if (dependsOnName(other, left.text)) this.set(other, [this.fresh(other, assignment)], state);
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
    // `const { waker } = entry` takes `entry.waker` out as `taken` does.
    this.forEachDestructured(declaration, (element, path) => {
      const place = this.places.get(path.path);
      if (place) this.set(place, [this.engine.fact('opaque', element)], state);
    });
    // A new object under the root, or a new index (each iteration of `for (const entry of …)`): the place holds whatever it holds.
    const ts = this.engine.ts;
    const declared = new Set<string>();
    const collect = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) declared.add(name.text);
      else for (const element of name.elements) if (ts.isBindingElement(element)) collect(element.name);
    };
    collect(declaration.name);
    // `for (const [key, waker] of this.entries)`: the entry at `key` is the one being iterated, and holds what the loop read out of it.
    const loop = declaration.parent.parent;
    const iterated = ts.isForOfStatement(loop) ? this.engine.discovery.objectPath(loop.expression) : undefined;
    for (const place of this.places.values()) {
      if (![...declared].some((name) => dependsOnName(place, name))) continue;
      this.set(place, [iterated && place.last === 'entry' && isInside(place.path, iterated.path) ? this.engine.fact('opaque', declaration) : this.fresh(place, declaration)], state);
    }
  }

  /**
   * A local that read a place's waker out and still shares it (`const w = this.waker`)
   * is consumed: so is the place's waker. Handed on, it leaves the place unknown.
   */
  beforeEffect(binding: TrackedBinding, effect: Effect, _reference: ts.Identifier, state: WorkingState): void {
    const slot = this.slot;
    if (!slot || (effect.kind !== 'consume' && effect.kind !== 'move' && effect.kind !== 'escape')) return;
    const facts = state.bindings[binding.index].filter((f) => f.kind !== 'reported');
    for (const borrowed of facts) {
      if (borrowed.kind !== 'borrowed') continue;
      const place = this.places.get(borrowed.label!);
      if (!place) continue;
      const fact = effect.kind === 'consume' ? this.engine.fact(effect.how, effect.site, throughLabel(binding.name)) : this.engine.fact('opaque', effect.site);
      // Shared on every path: the place's waker is consumed; on some: it may be.
      const onEveryPath = facts.every((f) => f === borrowed);
      this.set(place, onEveryPath ? [fact] : joinFacts(slot.get(state)[place.index], [fact]), state);
    }
  }

  private taken(value: ts.Expression, state: WorkingState): void {
    const inner = skipOuterExpressions(this.engine.ts, value);
    const place = this.placeOf(inner);
    if (!place) return;
    this.checkUse(place, inner, state);
    this.set(place, [this.engine.fact('opaque', inner)], state);
  }

  /** What a place holds when its root or index is rebound: what it holds at the start of a call, not looked at yet. */
  private fresh(place: Place, site: ts.Node): Fact<PlaceFactKind> {
    return this.engine.fact(this.notLookedAt(place), site);
  }

  private notLookedAt(place: Place): PlaceFactKind {
    return place.slot || !this.polled || place.indexNames.some((name) => this.engine.discovery.isMintedKey(name)) ? 'vacant' : 'unknown';
  }

  /** The body reads a slot as if it may be full (`slots[key]?.willWake(w)`): from here on it may be. */
  private lookedAt(place: Place, use: ts.Node, state: WorkingState): void {
    const facts = this.slot!.get(state)[place.index];
    if (!facts.some((f) => f.kind === 'vacant')) return;
    this.set(place, joinFacts(facts.filter((f) => f.kind !== 'vacant'), [this.engine.fact('unknown', use)]), state);
  }

  private set(place: Place, facts: PlaceFacts, state: WorkingState): void {
    const slot = this.slot!;
    const all = slot.get(state).slice();
    all[place.index] = facts;
    slot.set(state, all);
  }

  // ---------------------------------------------------------------- reports

  /** Assigning a field that may still hold a waker loses it. */
  private checkOverwrite(place: Place, assignment: ts.BinaryExpression | ts.CallExpression, state: WorkingState): void {
    const engine = this.engine;
    if (!engine.reporting) return;
    const facts = this.slot!.get(state)[place.index];
    // Clearing a slot (`slots[key] = undefined`) says it may be full: the invariant that keeps a vacant slot empty is not at work.
    const ts = engine.ts;
    const clearing = ts.isCallExpression(assignment)
      ? (assignment.expression as ts.PropertyAccessExpression).name.text === 'delete' || (assignment.arguments[1] !== undefined && isNullish(ts, assignment.arguments[1]))
      : isNullish(ts, assignment.right);
    const holding = facts.filter((f) => f.kind === 'unknown' || f.kind === 'held' || (clearing && f.kind === 'vacant'));
    if (holding.length === 0) return;
    const stored = holding.filter((f) => f.kind === 'held');
    const everyPath = stored.length === facts.length;
    engine.report({
      rule: 'clone-without-drop',
      severity: everyPath ? 'error' : 'warning',
      message: this.engine.ts.isCallExpression(assignment) ? cloneWithoutDrop.messages.entryOverwrite(place.path, (assignment.expression as ts.PropertyAccessExpression).name.text, everyPath) : cloneWithoutDrop.messages.placeOverwrite(place.path, everyPath),
      span: engine.span(assignment),
      related: [
        ...packedMap(stored, (f) => engine.related(f.site, cloneWithoutDrop.messages.placeStoredHere())),
        // Why it may hold one at all: what the function found there when it was called again.
        ...(this.polled && holding.some((f) => f.kind === 'unknown' && f.site === engine.root) ? [engine.related(nameOf(engine.ts, engine.root), cloneWithoutDrop.messages.placeFilledEarlier(place.path))] : []),
      ],
      help: cloneWithoutDrop.messages.placeHelp(place.path),
      fixes: [],
    });
  }

  /** Using a field whose waker was woken or dropped through it (`inner.rxWaker.wake(); inner.rxWaker.drop()`). */
  private checkUse(place: Place, use: ts.Expression, state: WorkingState): void {
    const engine = this.engine;
    if (!engine.reporting || this.reportedUses?.has(use)) return;
    const facts = this.slot!.get(state)[place.index];
    const consumed = facts.filter((f): f is Fact<'woken' | 'dropped'> => f.kind === 'woken' || f.kind === 'dropped');
    if (consumed.length === 0) return;
    (this.reportedUses ??= new Set()).add(use);
    const woken = consumed.some((f) => f.kind === 'woken');
    const everyPath = consumed.length === facts.length;
    const rule = woken ? useAfterWake : useAfterDrop;
    engine.report({
      rule: rule.id,
      severity: everyPath ? 'error' : 'warning',
      message: rule.messages.placeUse(place.path, everyPath),
      span: engine.span(use),
      related: packedMap(consumed, (f) => engine.related(f.site, (f.kind === 'woken' ? useAfterWake : useAfterDrop).messages.placeConsumedHere(place.path, f.label ? ` ${f.label}` : ''))),
      help: rule.messages.placeHelp(),
      fixes: [],
    });
  }
}
