// clone-without-drop: an owned waker that is never dropped, woken or moved.
// Two ways: a temporary (`cx.waker().clone().wakeByRef()`), seen in discovery;
// and a tracked binding whose live value leaves its scope, leaves the function
// or is overwritten, collected during the reporting pass and reported once per
// origin at the end.

import type * as ts from 'typescript';
import type { TypeScript } from '../../types';
import { cloneWithoutDrop } from '../../rules/index';
import type { TrackedBinding, ValueKind } from '../discovery';
import type { FlowChecker, FlowEngine, OwnershipFact, OwnershipFacts, WorkingState } from '../engine';
import { leakFixes } from '../fixes';
import { conditionOf, describeCondition, pathSuffix, SOME_PATHS } from '../paths';
import { climb, closingBrace } from '../positions';
import { packedMap } from '../../arrays';
import { sharedTexts } from '../../texts';

/** Only these calls can create a waker: the rest are skipped without the checker. */
const WAKER_CREATORS = new Set(['clone', 'fromRaw', 'fromArc']);
/** Array methods that take elements out and return them: the caller then owns what they took. */
const REMOVERS = new Set(['pop', 'shift', 'splice']);

interface LeakObservation {
  readonly binding: TrackedBinding;
  readonly origin: ts.Node;
  readonly point: ts.Node;
  /** Every fact at the point is live: dropping there is always right. */
  readonly onlyLive: boolean;
}

export class LeakChecker implements FlowChecker {
  private readonly leaks: LeakObservation[] = [];
  // The tables below are made on first use: most units report nothing (speed).
  /** Where each live value (by its origin) was disposed of, on the paths that did. */
  private disposals: Map<ts.Node, ts.Node[]> | undefined;
  /** Bindings a closure took and never releases, with that closure (`null`: used after, which use-after-move reports). */
  private keptByClosure: Map<TrackedBinding, ts.Node | null> | undefined;
  /** Bindings whose value was handed on somewhere (a `using` fix would drop it twice). */
  private handedOff: Set<TrackedBinding> | undefined;

  constructor(private readonly engine: FlowEngine) {}

  reset(): void {
    this.leaks.length = 0;
    this.disposals = undefined;
    this.keptByClosure = undefined;
    this.handedOff = undefined;
  }

  /** Temporaries: a created waker that is discarded or only borrowed leaks right away. */
  onCall(node: ts.CallExpression | ts.NewExpression): void {
    const engine = this.engine;
    const callee = node.expression;
    if (!engine.syntax.isPropertyAccessExpression(callee)) return;
    if (REMOVERS.has(callee.name.text)) return this.checkDiscardedRemoval(node, callee);
    if (!WAKER_CREATORS.has(callee.name.text)) return;
    const kind = engine.discovery.discoverLibraryCreation(node);
    if (kind !== 'waker') return;
    const discardedAt = this.temporaryLeak(node);
    if (!discardedAt) return;
    engine.report({
      rule: 'clone-without-drop',
      severity: 'error',
      message: cloneWithoutDrop.messages.temporaryLeak(),
      span: engine.span(node),
      related: [engine.related(discardedAt, cloneWithoutDrop.messages.temporaryDiscarded())],
      help: cloneWithoutDrop.messages.temporaryHelp(),
      fixes: [],
    });
  }

  /**
   * `this.wakers.pop();`, `this.queue.splice(index, 1);` as a statement: what it
   * takes out is an owned waker, or a record holding one (`{ id, waker }`), that
   * nobody drops. Rust's `Vec::remove` drops what it removes; here nothing does.
   * Silent when the body looks at the array's elements first (`queue[i].waker.drop()`,
   * `queue.find(…)`, a `for…of` over it): those may have been consumed already.
   */
  private checkDiscardedRemoval(call: ts.CallExpression | ts.NewExpression, callee: ts.PropertyAccessExpression): void {
    const { ts, context } = this.engine;
    const { parent } = climb(ts, call);
    if (!ts.isExpressionStatement(parent) && !ts.isVoidExpression(parent)) return;
    const checker = context.checker;
    const arrayType = checker.getTypeAtLocation(callee.expression);
    if (!checker.isArrayType(arrayType)) return;
    const element = checker.getIndexTypeOfType(arrayType, ts.IndexKind.Number);
    const held = element && this.ownedIn(element);
    if (!held || this.elementsLookedAt(callee.expression, call)) return;
    const removal = call.getText(context.file);
    const { kind, property, optional } = held;
    const dropped = property ? `removed.${property}${optional ? '?' : ''}` : 'removed';
    this.engine.report({
      rule: 'clone-without-drop',
      severity: optional ? 'warning' : 'error',
      message: cloneWithoutDrop.messages.removedDiscarded(removal, kind, property, optional),
      span: this.engine.span(call),
      related: [],
      help: cloneWithoutDrop.messages.removedHelp(callee.name.text === 'splice' ? `for (const removed of ${removal}) ${dropped}.drop()` : `${removal}${property ? `?.${property}` : ''}?.drop()`),
      fixes: [],
    });
  }

  /** What an element of this type owns: itself (a `Waker`), or a property holding one (`waker: Waker`, `waker?: Waker`). */
  private ownedIn(element: ts.Type): { readonly kind: ValueKind; readonly property?: string; readonly optional: boolean } | undefined {
    const { ts, discovery, context } = this.engine;
    const kind = discovery.ownedKindOf(element);
    if (kind) return { kind, optional: false };
    if (!(element.flags & ts.TypeFlags.Object)) return undefined;
    for (const property of context.checker.getPropertiesOfType(element)) {
      const type = context.checker.getTypeOfSymbol(property);
      const owned = discovery.ownedKindOf(type);
      if (!owned) continue;
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0 || includesNullish(ts, type);
      return { kind: owned, property: property.name, optional };
    }
    return undefined;
  }

  /**
   * Whether the body may still hold what `call` removes, or consumed it already:
   * it read the array's elements before (an index, `find`/`at`, a `for…of`), or
   * it removes an element it holds, found by identity (`indexOf(waiter)`,
   * `findIndex((w) => w === waiter)`: an intrusive list's waiter, which its
   * future drops).
   */
  private elementsLookedAt(array: ts.Expression, call: ts.Node): boolean {
    const { context, root } = this.engine;
    const name = array.getText(context.file);
    const before = context.file.text.slice(root.getStart(context.file), call.getStart(context.file));
    if ([`${name}[`, `${name}.find(`, `${name}.at(`, `of ${name})`, `of ${name}.`, `${name}.indexOf(`, `${name}.lastIndexOf(`].some((reading) => before.includes(reading))) return true;
    const byIdentity = /\.findIndex\(\s*\(?\s*(\w+)\s*\)?\s*=>\s*\1\s*===/;
    return byIdentity.test(before);
  }

  private temporaryLeak(node: ts.Expression): ts.Node | undefined {
    const syntax = this.engine.syntax;
    const { ts, context } = this.engine;
    const { value, parent } = climb(ts, node);
    if (syntax.isExpressionStatement(parent) || syntax.isVoidExpression(parent)) return parent;
    if ((syntax.isPropertyAccessExpression(parent) || syntax.isElementAccessExpression(parent)) && parent.expression === value) {
      const call = parent.parent;
      const name = syntax.isPropertyAccessExpression(parent) ? context.library.nameOf(parent) : undefined;
      if (name === 'Waker#wake' || name === 'Waker#drop') return undefined;
      if (syntax.isCallExpression(call) && call.expression === parent && !name) return undefined;
      return parent;
    }
    if ((syntax.isCallExpression(parent) || syntax.isNewExpression(parent)) && parent.arguments?.includes(value as ts.Expression)) {
      const name = context.library.calleeOf(parent);
      if (name === 'drop' || name === 'forget') return undefined;
      // A helper of the program that only borrows it (`log(w.clone())`).
      if (!name && this.engine.calls.of(parent)?.parameters[parent.arguments.indexOf(value as ts.Expression)]?.paths === 'none') return parent;
      const expected = context.checker.getContextualType(value as ts.Expression);
      if (expected && context.library.isType(expected, 'WakerRef') && !context.library.isType(expected, 'Waker')) return parent;
    }
    return undefined;
  }

  /** A timer's callback (any closure that outlives the call) takes the waker and only borrows it: nothing ever releases it. */
  onKeptByClosure(binding: TrackedBinding, closure: ts.Node, state: WorkingState): void {
    if (binding.leakChecked && !this.keptByClosure?.has(binding) && state.bindings[binding.index].some((f) => f.kind === 'live')) (this.keptByClosure ??= new Map()).set(binding, closure);
  }

  /** Used after the closure took it: that use is the problem (use-after-move), not a leak. */
  onUse(binding: TrackedBinding, use: ts.Node): void {
    const closure = this.keptByClosure?.get(binding);
    if (closure && use !== closure && this.engine.reporting) this.keptByClosure!.set(binding, null);
  }

  private reportKeptByClosure(): void {
    if (!this.keptByClosure) return;
    const engine = this.engine;
    for (const [binding, closure] of this.keptByClosure) {
      if (!closure) continue;
      engine.report({
        rule: 'clone-without-drop',
        severity: 'error',
        message: cloneWithoutDrop.messages.closureLeak(binding.name, binding.kind),
        span: engine.span(binding.declaration.name),
        related: [engine.related(closure, cloneWithoutDrop.messages.closureTakesIt(binding.name))],
        help: cloneWithoutDrop.messages.closureHelp(binding.name, binding.kind),
        fixes: [],
      });
    }
  }

  onHandOff(binding: TrackedBinding): void {
    (this.handedOff ??= new Set()).add(binding);
  }

  onDispose(_binding: TrackedBinding, before: OwnershipFacts, fact: OwnershipFact): void {
    for (let i = 0; i < before.length; i++) {
      const old = before[i];
      if (old.kind !== 'live') continue;
      this.disposals ??= new Map();
      const list = this.disposals.get(old.site);
      if (!list) this.disposals.set(old.site, [fact.site]);
      else if (!list.includes(fact.site)) list.push(fact.site);
    }
  }

  /** `at`: a statement leaving the function, or a block whose end is reached (the leak shows at its `}`), or an overwrite. */
  onLeave(binding: TrackedBinding, at: ts.Node, state: WorkingState): void {
    const ts = this.engine.ts;
    if (!binding.leakChecked || !this.engine.reporting || !state.bindings[binding.index].some((f) => f.kind === 'live')) return;
    const point = at.kind === ts.SyntaxKind.Block ? closingBrace(ts, at as ts.Block) : at;
    const facts = state.bindings[binding.index].filter((f) => f.kind !== 'reported');
    const onlyLive = facts.length > 0 && facts.every((f) => f.kind === 'live');
    for (const fact of facts) {
      if (fact.kind === 'live') this.leaks.push({ binding, origin: fact.site, point, onlyLive });
    }
  }

  finish(): void {
    this.reportKeptByClosure();
    // Most units leak nothing: no table for them (finish runs for every unit with dataflow).
    if (this.leaks.length === 0) return;
    const engine = this.engine;
    const ts = engine.ts;
    const byOrigin = new Map<ts.Node, LeakObservation[]>();
    for (const leak of this.leaks) {
      const list = byOrigin.get(leak.origin) ?? [];
      if (!list.some((l) => l.point === leak.point && l.binding === leak.binding)) list.push(leak);
      byOrigin.set(leak.origin, list);
    }
    for (const [origin, observations] of byOrigin) {
      const binding = observations[0].binding;
      const disposals = this.disposals?.get(origin) ?? [];
      const everyPath = disposals.length === 0;
      const isParameter = ts.isParameter(binding.declaration);
      // A parameter no path consumes is borrowed: its callers still own the value (their summaries say so).
      if (isParameter && everyPath && !this.ownedByContract(binding.declaration as ts.ParameterDeclaration)) continue;
      const path = everyPath ? '' : pathSuffix(this.leakPath(binding, observations, disposals));
      const related = packedMap(observations, (o) => engine.related(o.point, this.leakLabel(binding, o.point)));
      if (!isParameter && origin !== binding.declaration.name) related.unshift(engine.related(origin, bindingLabel(binding.name, this.createdHow(origin))));
      engine.report({
        rule: 'clone-without-drop',
        severity: everyPath ? 'error' : 'warning',
        message: isParameter ? cloneWithoutDrop.messages.parameterLeak(binding.name, binding.kind, path) : cloneWithoutDrop.messages.leak(binding.name, binding.kind, path),
        span: engine.span(origin),
        related,
        help: isParameter ? cloneWithoutDrop.messages.parameterHelp(binding.name, binding.kind) : cloneWithoutDrop.messages.help(binding.name, binding.kind),
        fixes: leakFixes(ts, engine.context.file, { name: binding.name, declaration: binding.declaration, mayBeNullish: () => this.mayBeNullish(binding) }, observations, /*everMoved*/ this.handedOff?.has(binding) ?? false),
      });
    }
  }

  /**
   * A parameter whose ownership the library's contract fixes, not the program's
   * callers: a method implementing a member of a library interface (the
   * `self: Arc<this>` that `Wake.wake` must release), which the library calls.
   */
  private ownedByContract(parameter: ts.ParameterDeclaration): boolean {
    const { ts, context } = this.engine;
    const method = parameter.parent;
    if (!ts.isMethodDeclaration(method) || !ts.isIdentifier(method.name) || !ts.isClassLike(method.parent)) return false;
    const name = method.name.text;
    for (const clause of method.parent.heritageClauses ?? []) {
      for (const type of clause.types) {
        let symbol = context.checker.getSymbolAtLocation(type.expression);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = context.checker.getAliasedSymbol(symbol);
        if (symbol?.members?.has(ts.escapeLeadingUnderscores(name)) && (symbol.declarations ?? []).some((d) => context.library.declares(d))) return true;
      }
    }
    return false;
  }

  /** The type of its symbol: what `getTypeAtLocation` answers for a declared name, without its way there. */
  private mayBeNullish(binding: TrackedBinding): boolean {
    const { ts, context } = this.engine;
    return includesNullish(ts, context.checker.getTypeOfSymbol(binding.symbol));
  }

  /** How `origin` made the value: "cloned here". */
  private createdHow(origin: ts.Node): string {
    const { ts, context } = this.engine;
    if (ts.isCallExpression(origin) && context.library.calleeOf(origin) === 'Waker#clone') return 'cloned here';
    // Read out of a place that then let go of it (the engine's aliasing rule).
    if (ts.isPropertyAccessExpression(origin) || ts.isElementAccessExpression(origin)) return takenOutOf(origin.getText(context.file));
    return 'created here';
  }

  private leakLabel(binding: TrackedBinding, point: ts.Node): string {
    const ts = this.engine.ts;
    if (ts.isReturnStatement(point)) return bindingLabel(binding.name, 'leaks when returning here');
    if (ts.isThrowStatement(point)) return bindingLabel(binding.name, 'leaks when throwing here');
    if (ts.isBreakStatement(point)) return bindingLabel(binding.name, 'leaks when breaking out here');
    if (ts.isContinueStatement(point)) return bindingLabel(binding.name, 'leaks when the loop continues here');
    if (ts.isVariableDeclaration(point) || ts.isBinaryExpression(point)) return bindingLabel(binding.name, 'overwritten here while still live');
    return bindingLabel(binding.name, 'goes out of scope here');
  }

  private leakPath(binding: TrackedBinding, observations: readonly LeakObservation[], disposals: readonly ts.Node[]): string {
    const { ts, context, root } = this.engine;
    // A jump out of the block is the path itself: name it.
    const jump = observations.find((o) => ts.isBreakOrContinueStatement(o.point))?.point;
    if (jump) {
      const line = context.file.getLineAndCharacterOfPosition(jump.getStart(context.file)).line + 1;
      return ts.isBreakStatement(jump) ? `when breaking out at line ${line}` : `when the loop continues at line ${line}`;
    }
    for (const observation of observations) {
      if (ts.isReturnStatement(observation.point) || ts.isThrowStatement(observation.point)) {
        const condition = conditionOf(ts, context.file, observation.point, binding.declaration, root);
        if (condition) return describeCondition(condition);
      }
    }
    for (const disposal of disposals) {
      const condition = conditionOf(ts, context.file, disposal, binding.declaration, root);
      if (condition) return describeCondition(condition, /*negate*/ true);
    }
    return SOME_PATHS;
  }
}

/** A related span's label: "`waker` goes out of scope here". */
const bindingLabel = sharedTexts((name: string, what: string) => `\`${name}\` ${what}`);

const takenOutOf = sharedTexts((place: string) => `taken out of \`${place}\` here`);

/** Whether `undefined` or `null` is among the values of `type`. */
function includesNullish(ts: TypeScript, type: ts.Type): boolean {
  const nullish = ts.TypeFlags.Undefined | ts.TypeFlags.Null;
  return type.isUnion() ? type.types.some((t) => (t.flags & nullish) !== 0) : (type.flags & nullish) !== 0;
}
