// Effects: what one reference to a tracked binding does to the value it holds,
// read from where the reference appears (`w.wake()` consumes, `drop(w)` drops,
// `f(w)` with an owned parameter moves, `w.wakeByRef()` only uses).

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import type { TypeScript } from '../types';
import type { Library, LibraryName } from '../library';
import { useAfterDrop, useAfterMove, useAfterWake } from '../rules/index';
import type { CallSummaries, Consumption } from './calls';
import type { Discovery, TrackedBinding, ValueKind } from './discovery';
import { climb, isDestructuringTarget, isInOperand, isTestPosition } from './positions';
import { skipOuterExpressions, type Syntax, syntaxOf } from '../syntax';
import { packedMap } from '../arrays';
import type { Checker } from '../checker';

export type Effect =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'use' }
  | { readonly kind: 'write' }
  | { readonly kind: 'consume'; readonly how: 'woken' | 'dropped'; readonly site: ts.Node }
  | { readonly kind: 'move'; readonly site: ts.Node; readonly label: string }
  | { readonly kind: 'escape'; readonly site: ts.Node }
  /** Passed to a helper of the program whose summary says what becomes of it: each way, or `escaped` for the paths that keep it. */
  | { readonly kind: 'handOver'; readonly site: ts.Node; readonly consumed: readonly { readonly kind: Consumption; readonly label?: string }[] };

const IGNORE: Effect = { kind: 'ignore' };
const USE: Effect = { kind: 'use' };

const OWNED_TYPE: Readonly<Record<ValueKind, 'Waker' | 'Box' | 'Arc' | 'RawWaker'>> = { waker: 'Waker', box: 'Box', arc: 'Arc', raw: 'RawWaker' };

export class Effects {
  private readonly ts: FileContext['ts'];
  /** The typescript module's enums and predicates, read once (see `syntaxOf`). */
  private readonly syntax: Syntax;
  /** Effects by reference: the same in every pass of the dataflow. */
  private readonly byReference = new Map<ts.Node, Effect>();

  constructor(
    private readonly context: FileContext,
    private readonly discovery: Discovery,
    private readonly calls: CallSummaries,
  ) {
    this.ts = context.ts;
    this.syntax = syntaxOf(context.ts);
  }

  /** What `identifier` (a reference to `binding`) does to its value. */
  of(binding: TrackedBinding, identifier: ts.Identifier): Effect {
    let effect = this.byReference.get(identifier);
    if (!effect) {
      effect = this.classify(binding, identifier);
      this.byReference.set(identifier, effect);
    }
    return effect;
  }

  /** Forgets the last unit's references (`FlowEngine.reset`). */
  reset(): void {
    if (this.byReference.size > 0) this.byReference.clear();
  }

  /** The effect already computed for a reference, if any. */
  known(reference: ts.Node): Effect | undefined {
    return this.byReference.get(reference);
  }

  private classify(binding: TrackedBinding, identifier: ts.Identifier): Effect {
    const syntax = this.syntax;
    const ts = this.ts;
    const library = this.context.library;
    if (syntax.isShorthandPropertyAssignment(identifier.parent)) return { kind: 'move', site: identifier.parent, label: 'value stored here' };
    const { value, parent, flowed } = climb(ts, identifier);
    if (isTestPosition(ts, value, parent) && !isInOperand(ts, parent)) return IGNORE;
    if ((syntax.isPropertyAccessExpression(parent) || syntax.isElementAccessExpression(parent)) && parent.expression === value) {
      const call = parent.parent;
      // Only a method named `wake` or `drop` consumes (no need to resolve `w.wakeByRef()`).
      if (syntax.isPropertyAccessExpression(parent) && syntax.isCallExpression(call) && call.expression === parent && (parent.name.text === 'wake' || parent.name.text === 'drop')) {
        const name = consumingMethodOf(ts, this.context.checker, library, binding.symbol, parent);
        if (name === 'Waker#wake') return { kind: 'consume', how: 'woken', site: call };
        if (name === 'Waker#drop' || name === 'Box#drop' || name === 'Arc#drop') return { kind: 'consume', how: 'dropped', site: call };
      }
      return USE;
    }
    if (syntax.isCallExpression(parent) || syntax.isNewExpression(parent)) {
      if (parent.expression === value) return USE;
      return this.argumentEffect(binding, parent, value as ts.Expression);
    }
    if (syntax.isSpreadElement(parent)) return { kind: 'escape', site: parent };
    if (syntax.isVariableDeclaration(parent) && parent.initializer === value) {
      if (!syntax.isIdentifier(parent.name)) return USE;
      if (!flowed && this.discovery.bindingOfDeclaration(parent)) return IGNORE;
      return { kind: 'move', site: value, label: `value moved into \`${parent.name.text}\` here` };
    }
    if (syntax.isBinaryExpression(parent)) {
      const operator = parent.operatorToken.kind;
      if (operator === syntax.SyntaxKind.EqualsToken) {
        if (parent.left === value) return IGNORE;
        const target = skipOuterExpressions(ts, parent.left);
        if (syntax.isIdentifier(target)) {
          if (!flowed && this.discovery.bindingOfIdentifier(target)) return IGNORE;
          return { kind: 'move', site: value, label: `value moved into \`${target.text}\` here` };
        }
        if (syntax.isPropertyAccessExpression(target) || syntax.isElementAccessExpression(target)) return { kind: 'move', site: value, label: 'value stored here' };
        return USE;
      }
      return USE;
    }
    if (syntax.isForOfStatement(parent) || syntax.isForInStatement(parent)) return parent.initializer === value ? { kind: 'write' } : USE;
    if (syntax.isReturnStatement(parent) || (syntax.isArrowFunction(parent) && parent.body === value)) return { kind: 'move', site: parent, label: 'value returned here' };
    if (syntax.isThrowStatement(parent) || syntax.isYieldExpression(parent)) return { kind: 'move', site: parent, label: 'value moved here' };
    if (syntax.isArrayLiteralExpression(parent) || syntax.isPropertyAssignment(parent)) {
      if (isDestructuringTarget(ts, parent)) return { kind: 'write' };
      return { kind: 'move', site: value, label: 'value stored here' };
    }
    if (syntax.isPrefixUnaryExpression(parent) || syntax.isPostfixUnaryExpression(parent)) return USE;
    return USE;
  }

  private argumentEffect(binding: TrackedBinding, call: ts.CallExpression | ts.NewExpression, argument: ts.Expression): Effect {
    const syntax = this.syntax;
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
    if (syntax.isCallExpression(call) && syntax.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'wakeByRef') return USE;
    const helper = this.helperEffect(binding, call, argument);
    if (helper) return helper;
    const expected = expectedArgumentType(ts, this.context.checker, call, argument);
    if (!expected || expected.flags & (syntax.TypeFlags.Any | syntax.TypeFlags.Unknown | syntax.TypeFlags.TypeParameter)) return { kind: 'escape', site: call };
    if (this.context.library.isType(expected, OWNED_TYPE[binding.kind])) return { kind: 'move', site: argument, label: 'value moved here' };
    if (this.context.library.isType(expected, 'WakerRef')) return USE;
    return { kind: 'escape', site: call };
  }

  /** A helper of the program that tracks the parameter: what its summary says it does with the value. */
  private helperEffect(binding: TrackedBinding, call: ts.CallExpression | ts.NewExpression, argument: ts.Expression): Effect | undefined {
    const index = call.arguments?.indexOf(argument) ?? -1;
    if (index < 0 || call.arguments!.slice(0, index + 1).some((a) => this.syntax.isSpreadElement(a))) return undefined;
    const summary = this.calls.of(call);
    const use = summary?.parameters[index];
    if (!summary || !use) return undefined;
    if (use.paths === 'none') return USE;
    const everyPath = use.paths === 'every';
    const consumed: { kind: Consumption; label?: string }[] = packedMap(use.how, (kind) => ({ kind, label: consumedLabel(kind, summary.name, everyPath) }));
    // On the paths where the helper keeps it, the helper leaks it (and says so): nothing is left for the caller.
    if (!everyPath && !use.how.includes('escaped')) consumed.push({ kind: 'escaped' });
    return { kind: 'handOver', site: call, consumed };
  }
}

/** The methods that consume an owned value, by the library class that declares them. */
const CONSUMING_METHODS: ReadonlySet<LibraryName> = new Set(['Waker#wake', 'Waker#drop', 'Box#drop', 'Arc#drop']);

/**
 * `library.nameOf(access)` for `w.wake` or `w.drop` (`access`), where `symbol`
 * is `w`'s. When `w` stands alone as the receiver and its declared type is one
 * library class (`Waker`, `Box<T>`, `Arc<T>`), perhaps with `undefined` or
 * `null`, the method is that class's: flow narrowing only takes those two away
 * (nothing extends the classes, whose constructors are private), and the
 * checker would ask for the property of the narrowed type, its declared one
 * (about a tenth of the solve in a unit that wakes a parameter). A wrapper
 * (`(w as any).wake()`), a union with another type, or a method the class does
 * not declare asks the checker. Held to it by `test/analysis/method-names.test.ts`.
 */
export function consumingMethodOf(ts: TypeScript, checker: Checker, library: Library, symbol: ts.Symbol, access: ts.PropertyAccessExpression): LibraryName | undefined {
  const syntax = syntaxOf(ts);
  if (access.expression.kind === syntax.SyntaxKind.Identifier) {
    const owner = soleLibraryClass(ts, library, checker.getTypeOfSymbol(symbol));
    const name = owner && `${owner}#${access.name.text}`;
    if (name && CONSUMING_METHODS.has(name)) return name;
  }
  return library.nameOf(access);
}

/** The library class that is every value of `type` but `undefined` and `null`, if there is one: `Waker` for `Waker | undefined`. */
function soleLibraryClass(ts: TypeScript, library: Library, type: ts.Type): 'Waker' | 'Box' | 'Arc' | undefined {
  const syntax = syntaxOf(ts);
  let owner: 'Waker' | 'Box' | 'Arc' | undefined;
  for (const member of type.isUnion() ? type.types : [type]) {
    if (member.flags & (syntax.TypeFlags.Undefined | syntax.TypeFlags.Null)) continue;
    // An instance type (`typeof Waker`, the class's constructor, is an anonymous object type).
    if (!(member.flags & syntax.TypeFlags.Object) || !((member as ts.ObjectType).objectFlags & (syntax.ObjectFlags.Class | syntax.ObjectFlags.Reference))) return undefined;
    const named = library.isType(member, 'Waker') ? 'Waker' : library.isType(member, 'Box') ? 'Box' : library.isType(member, 'Arc') ? 'Arc' : undefined;
    if (!named || (owner && owner !== named)) return undefined;
    owner = named;
  }
  return owner;
}

/**
 * `checker.getContextualType(argument)` for an argument as it stands in a call's
 * list, read from the call's resolved signature (which the type check left in
 * the call's links): a plain parameter's type, an array rest parameter's
 * element type. The checker gets a rest parameter's element by an indexed
 * access with the argument's position as a literal, worked out afresh on every
 * call (`queue.push(copy)`: most of the time the effects took in a fresh
 * program). Where its rules add more (a spread argument, an optional or
 * defaulted parameter, a tuple or generic rest, an argument past the
 * parameters) the checker answers. Held to it by
 * `test/analysis/argument-types.test.ts`.
 */
export function expectedArgumentType(ts: TypeScript, checker: Checker, call: ts.CallExpression | ts.NewExpression, argument: ts.Expression): ts.Type | undefined {
  const parameter = parameterOf(ts, checker, call, argument);
  if (!parameter) return checker.getContextualType(argument);
  const type = checker.getTypeOfSymbol(parameter.symbol);
  if (!parameter.rest) return type;
  return checker.isArrayType(type) ? checker.getTypeArguments(type as ts.TypeReference)[0] : checker.getContextualType(argument);
}

/** The parameter `argument` is passed to, when the checker's contextual type is that parameter's declared type (or, for `rest`, its element type). */
function parameterOf(ts: TypeScript, checker: Checker, call: ts.CallExpression | ts.NewExpression, argument: ts.Expression): { readonly symbol: ts.Symbol; readonly rest: boolean } | undefined {
  const syntax = syntaxOf(ts);
  const args = call.arguments;
  if (!args) return undefined;
  const index = args.indexOf(argument);
  if (index < 0) return undefined;
  for (const arg of args) if (arg.kind === syntax.SyntaxKind.SpreadElement) return undefined;
  const parameters = checker.getResolvedSignature(call)?.parameters;
  if (!parameters || parameters.length === 0) return undefined;
  const last = parameters.length - 1;
  const symbol = parameters[Math.min(index, last)];
  const declaration = symbol.valueDeclaration;
  if (!declaration || declaration.kind !== syntax.SyntaxKind.Parameter) return undefined;
  const { dotDotDotToken, questionToken, initializer } = declaration as ts.ParameterDeclaration;
  if (questionToken || initializer) return undefined;
  if (dotDotDotToken) return index >= last && symbol === parameters[last] ? { symbol, rest: true } : undefined;
  return index <= last ? { symbol, rest: false } : undefined;
}

/** The label of a helper's consumption: for a wake or drop, what `consumedHere` gets in parentheses ("woken here (inside `notify`)"). */
function consumedLabel(kind: Consumption, helper: string, everyPath: boolean): string {
  switch (kind) {
    case 'woken':
      return useAfterWake.messages.byHelper(helper, everyPath);
    case 'dropped':
      return useAfterDrop.messages.byHelper(helper, everyPath);
    default:
      return useAfterMove.messages.movedIntoHelper(helper, everyPath);
  }
}
