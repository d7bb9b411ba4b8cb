// What a vtable slot function does to the reference its `data` pointer holds.
//
// A small abstract interpreter over the slot's body: it follows every path
// (branches fork, loops run zero or one time, calls to user functions that
// receive the pointer, a handle or the data's contents are followed into their
// bodies, so slots that share a helper share its effect) and counts, per path,
// the change to the data's reference count. The waker library changes counts,
// and so does a count kept by hand in the data (see `counterFields`); anything
// else is ignored. A call the checker cannot resolve that receives the pointer
// makes the summary unknown, and unknown summaries never report.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import { isOuterExpression, skipOuterExpressions, type OuterExpression } from '../syntax';
import { packedFlatMap, packedMap } from '../arrays';
import type { Checker } from '../checker';

export type SlotName = 'clone' | 'wake' | 'wakeByRef' | 'drop';
export const SLOT_NAMES: readonly SlotName[] = ['clone', 'wake', 'wakeByRef', 'drop'];

/** The range of a count over every path that returns normally. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** What the data pointer points at, as the slots treat it: `Box.fromRaw(data)` or `Arc.fromRaw(data)` / `Arc.incrementStrongCount(data)`. */
export type Allocation = 'box' | 'arc';

export interface SlotSummary {
  readonly slot: SlotName;
  /** `myClone`, or the slot name for an anonymous function. */
  readonly name: string;
  /** The function's declaration, when the argument resolves to one. */
  readonly declaration: ts.FunctionLikeDeclaration | undefined;
  /**
   * For `clone`: new references the returned RawWaker carries (a fresh allocation counts as one).
   * For `wake`, `wakeByRef`, `drop`: references released of the one `data` holds (handing a
   * handle off to other code counts as releasing it). `undefined` when it cannot be computed.
   */
  readonly references: Range | undefined;
  /** "takes 1 reference", "releases 0 references", "takes 0 or 1 references", "unknown effect". */
  readonly effect: string;
  /** The allocations the slot (helpers included) treats its data as; two when it is inconsistent. */
  readonly allocations: ReadonlySet<Allocation>;
  /**
   * Fields of the data's contents the slot counts up (`+`) or down (`-`) by one
   * through a `Box` (`box.value.refs++`): candidates for a count kept by hand.
   */
  readonly fieldSteps: ReadonlyMap<string, ReadonlySet<'+' | '-'>>;
  /** The `drop(handle)` / `handle.drop()` calls that released the data's reference, for quick fixes. */
  readonly drops: readonly ts.CallExpression[];
  /** Every release the slot makes is one of `drops` (no hand-off, no `decrementStrongCount`, no `using`). */
  readonly releasesOnlyByDrop: boolean;
  /** `T` of each `Box.fromRaw<T>(data)`, as written: what a fresh box for a clone would hold. */
  readonly boxValueTypes: ReadonlySet<string>;
}

/**
 * How to summarise: `counterFields` are fields of a `Box`'s contents that the
 * vtable uses as a reference count kept by hand (incremented in `clone`,
 * decremented in `wake`/`drop`). Counting one of them up or down changes the
 * count like `Arc.incrementStrongCount`/`decrementStrongCount`, and freeing the
 * box after counting down on the same path is the free at zero, not another
 * release.
 */
export interface SummaryOptions {
  readonly counterFields?: ReadonlySet<string>;
}

type Value =
  | { readonly kind: 'data' } // the slot's data pointer, or a copy of it
  | { readonly kind: 'fresh' } // a pointer to an allocation made in the slot
  | { readonly kind: 'handle'; readonly id: number } // an Arc or Box handle
  | { readonly kind: 'raw'; readonly pointer: Value } // a RawWaker
  | { readonly kind: 'contents'; readonly id: number } // what a handle holds (`box.value`, and fields reached from it)
  | { readonly kind: 'other' };

const OTHER: Value = { kind: 'other' };
const DATA: Value = { kind: 'data' };
const FRESH: Value = { kind: 'fresh' };
/** A slot's arguments: its data pointer. */
const DATA_ONLY: readonly Value[] = [DATA];
const OTHER_ONLY: readonly Value[] = [OTHER];
const FRESH_ONLY: readonly Value[] = [FRESH];

/**
 * The values of one numbered kind (a handle, or what a handle holds), each
 * with itself alone in an array (a call's one argument), made once for every
 * slot: values are never written, and a slot numbers its handles from 0. They
 * were an object or two per handle and an array per call (garbage).
 */
class NumberedValues {
  private readonly values: Value[] = [];
  private readonly arrays: Array<readonly Value[]> = [];

  constructor(private readonly kind: 'handle' | 'contents') {}

  at(id: number): Value {
    while (this.values.length <= id) {
      const value = { kind: this.kind, id: this.values.length } as Value;
      this.values.push(value);
      this.arrays.push([value]);
    }
    return this.values[id]!;
  }

  /** `[value]`, the shared array when `value` is this table's. */
  alone(value: Value & { readonly id: number }): readonly Value[] {
    return value === this.values[value.id] ? this.arrays[value.id]! : [value];
  }
}

const HANDLE_VALUES = new NumberedValues('handle');
const CONTENTS_VALUES = new NumberedValues('contents');

/** `[value]`, shared where the value is. */
function only(value: Value): readonly Value[] {
  switch (value.kind) {
    case 'data':
      return DATA_ONLY;
    case 'fresh':
      return FRESH_ONLY;
    case 'other':
      return OTHER_ONLY;
    case 'handle':
      return HANDLE_VALUES.alone(value);
    case 'contents':
      return CONTENTS_VALUES.alone(value);
  }
  return [value];
}

interface Handle {
  readonly origin: 'data' | 'fresh';
  readonly allocation: Allocation;
  live: boolean;
  /** Declared with `using`: dropped when the slot returns. */
  disposed: boolean;
}

type Ending = 'none' | 'return' | 'throw' | 'break' | 'continue';

/** A name bound on a path, and the bindings made before it. */
interface Binding {
  readonly symbol: ts.Symbol;
  readonly value: Value;
  readonly next: Binding | undefined;
}

/**
 * One path through the slot. The interpreter hands a path back with the value
 * of what it just evaluated on it (`value`, `values`) and as `alone` when it is
 * the only one: a path that does not fork allocates no outcome per node, which
 * was most of the vtable pass's garbage (speed).
 */
class State {
  /** `[this]`: the usual single path, made once. Never written to. */
  readonly alone: readonly State[] = [this];
  /** The value of the expression `expression` last evaluated on this path. */
  value: Value = OTHER;
  /** The values of the expressions `expressions` last evaluated on this path. */
  values: readonly Value[] = NO_VALUES;
  /**
   * The names bound on this path and their values, the latest first: a slot
   * binds a few, so a list searched in order (a Map's `set` costs about 350 ns
   * for an object key, measured), one link a binding (two arrays copied per
   * binding were a tenth of the pass's garbage). Never written to, so a fork
   * shares it.
   */
  private bindings: Binding | undefined = undefined;

  constructor(
    /** Change to the data's reference count on this path so far. */
    public net: number,
    /** Replaced by a longer array for a new handle, never pushed onto: a fork copies it, and the first path starts with `NO_HANDLES`. */
    public handles: readonly Handle[],
    public ending: Ending,
    public returned: Value,
    /** A count kept by hand was counted down on this path: freeing the box now is the free at zero. */
    public countedDown: boolean,
  ) {}

  /** Binds `symbol` to `value` on this path (as `Map.set`: a binding ahead of the last one hides it). */
  bind(symbol: ts.Symbol, value: Value): void {
    this.bindings = { symbol, value, next: this.bindings };
  }

  /** Whether `symbol` is bound on this path: what `Library.referenceTo` asks of the names it may answer with. */
  has(symbol: ts.Symbol): boolean {
    return this.bindingOf(symbol) !== undefined;
  }

  /** `symbol`'s value on this path, if bound (as `Map.get`). */
  valueOf(symbol: ts.Symbol): Value | undefined {
    return this.bindingOf(symbol)?.value;
  }

  private bindingOf(symbol: ts.Symbol): Binding | undefined {
    let binding = this.bindings;
    while (binding !== undefined && binding.symbol !== symbol) binding = binding.next;
    return binding;
  }

  /** A copy of this path, to go on along another branch. */
  fork(): State {
    const copy = new State(this.net, packedMap(this.handles, (h) => ({ ...h })), this.ending, this.returned, this.countedDown);
    copy.value = this.value;
    copy.values = this.values;
    copy.bindings = this.bindings;
    return copy;
  }
}

/** Paths, as the interpreter passes them between its functions; shared (`State.alone`), so never written to. */
type Paths = readonly State[];

const NO_VALUES: readonly Value[] = [];
const NO_HANDLES: readonly Handle[] = [];

/** Forks are capped: a slot with more paths than this is summarised as unknown. */
const MAX_STATES = 64;
/** How deep calls to helper functions are followed. */
const MAX_CALL_DEPTH = 6;

class Unknown extends Error {}

/** `[...array, item]`, made at its size: a push onto `[]` (or a spread) grows it to 17 elements (184 bytes, not 56). */
function appended<T>(array: readonly T[], item: T): T[] {
  switch (array.length) {
    case 0:
      return [item];
    case 1:
      return [array[0]!, item];
    case 2:
      return [array[0]!, array[1]!, item];
  }
  return [...array, item];
}

/**
 * One per file's context, for every slot summarised there, each started afresh
 * (`start`): what it keeps from slot to slot (its call stack's array, the names
 * bound) was three objects per slot (speed, garbage).
 */
class Interpreter {
  private readonly ts: FileContext['ts'];
  private readonly SyntaxKind: typeof ts.SyntaxKind;
  private readonly NodeFlags: typeof ts.NodeFlags;
  private readonly checker: Checker;
  private readonly callStack: ts.Node[] = [];
  /**
   * Every name bound in any slot of the file, escaped (no `.text` getter per
   * name): an identifier with another name needs no symbol lookup (speed). A
   * name bound elsewhere only costs that lookup.
   */
  private readonly boundNames = new Set<ts.__String>();
  private options: SummaryOptions = {};
  // Made at their first entry: most slots have none of some, and these were five collections per slot (speed, garbage).
  /** The allocations the data is treated as, so far: one of four shared sets (nearly every slot has one). */
  allocations: ReadonlySet<Allocation> = NO_ALLOCATIONS;
  fieldSteps: Map<string, Set<'+' | '-'>> | undefined;
  drops: ts.CallExpression[] | undefined;
  releasesOtherwise = false;
  boxValueTypes: Set<string> | undefined;
  /** Set while a `drop` call releases, so `release` can tell it from other releases. */
  private dropping: ts.CallExpression | undefined;

  constructor(private readonly context: FileContext) {
    this.ts = context.ts;
    this.SyntaxKind = context.library.SyntaxKind;
    this.NodeFlags = context.library.NodeFlags;
    this.checker = context.checker;
  }

  /** Ready for another slot, summarised with `options`: no effect of the last one is kept. */
  start(options: SummaryOptions): this {
    this.options = options;
    this.allocations = NO_ALLOCATIONS;
    this.fieldSteps = undefined;
    this.drops = undefined;
    this.releasesOtherwise = false;
    this.boxValueTypes = undefined;
    this.dropping = undefined;
    this.callStack.length = 0;
    return this;
  }

  /** Every normal ending of `fn` called with `args`, its return value as the path's `value`. */
  run(fn: ts.FunctionLikeDeclaration, args: readonly Value[], entry: State): Paths {
    const { SyntaxKind } = this;
    if (this.callStack.includes(fn) || this.callStack.length >= MAX_CALL_DEPTH) throw new Unknown();
    this.context.readNodes?.push(fn);
    this.callStack.push(fn);
    try {
      const state = entry;
      const parameters = fn.parameters;
      for (let index = 0; index < parameters.length; index++) this.bind(state, parameters[index]!.name, args[index] ?? OTHER);
      const body = fn.body;
      let ends: Paths;
      if (!body) ends = state.alone;
      else if (body.kind === SyntaxKind.Block) ends = this.block((body as ts.Block).statements, state.alone);
      else {
        ends = this.expression(body, state);
        for (let i = 0; i < ends.length; i++) {
          const s = ends[i]!;
          s.ending = 'return';
          s.returned = s.value;
        }
      }
      let thrown = false;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i]!;
        if (end.ending === 'throw') {
          thrown = true;
          continue;
        }
        end.value = end.ending === 'return' ? end.returned : OTHER;
        end.ending = 'none';
        end.returned = OTHER;
      }
      return thrown ? ends.filter((end) => end.ending !== 'throw') : ends;
    } finally {
      this.callStack.pop();
    }
  }

  private block(statements: readonly ts.Statement[], states: Paths): Paths {
    let current = states;
    const usingHandles: number[] = [];
    // Indexed: a `for…of` makes an iterator and a result per statement until TurboFan has the function.
    for (let i = 0; i < statements.length; i++) {
      const statement = statements[i]!;
      if (current.length === 1) {
        // One path (the usual case): no copies (speed).
        if (current[0]!.ending === 'none') current = this.statement(statement, current[0]!, usingHandles);
      } else {
        // Paths that stopped keep their place ahead of the ones that run on.
        const next = current.filter((s) => s.ending !== 'none');
        for (const s of current.filter((s) => s.ending === 'none')) next.push(...this.statement(statement, s, usingHandles));
        current = next;
      }
      if (current.length > MAX_STATES) throw new Unknown();
    }
    // `using` drops at the end of its block on every exit path but a throw.
    for (const state of current) {
      if (state.ending === 'throw') continue;
      for (const id of usingHandles) {
        const handle = state.handles[id];
        if (handle && handle.live) this.release(state, handle);
      }
    }
    return current;
  }

  private statement(node: ts.Statement, state: State, usingHandles: number[]): Paths {
    const { SyntaxKind } = this;
    // One switch on the kind, not a chain of `ts.isX` calls: this runs on every statement of every slot (speed).
    switch (node.kind) {
      case SyntaxKind.Block:
        return this.block((node as ts.Block).statements, state.alone);
      case SyntaxKind.ExpressionStatement:
        return this.expression((node as ts.ExpressionStatement).expression, state);
      case SyntaxKind.VariableStatement: {
        const list = (node as ts.VariableStatement).declarationList;
        const isUsing = (list.flags & this.NodeFlags.Using) !== 0;
        const declarations = list.declarations;
        let states = state.alone;
        // Indexed, and no closure per declaration on the one path (speed).
        for (let d = 0; d < declarations.length; d++) {
          const declaration = declarations[d]!;
          if (!declaration.initializer) continue;
          states = states.length === 1 ? this.declare(declaration, isUsing, states[0]!, usingHandles) : packedFlatMap(states, (s) => this.declare(declaration, isUsing, s, usingHandles));
        }
        return states;
      }
      case SyntaxKind.ReturnStatement: {
        const returned = (node as ts.ReturnStatement).expression;
        let states = state.alone;
        if (returned) states = this.expression(returned, state);
        else state.value = OTHER;
        for (let i = 0; i < states.length; i++) {
          const s = states[i]!;
          s.ending = 'return';
          s.returned = s.value;
        }
        return states;
      }
      case SyntaxKind.ThrowStatement:
        state.ending = 'throw';
        return state.alone;
      case SyntaxKind.IfStatement: {
        const branch = node as ts.IfStatement;
        return each(this.expression(branch.expression, state), (s) => {
          const otherwise = s.fork();
          const taken = this.statement(branch.thenStatement, s, usingHandles);
          const skipped = branch.elseStatement ? this.statement(branch.elseStatement, otherwise, usingHandles) : otherwise.alone;
          return [...taken, ...skipped];
        });
      }
      case SyntaxKind.BreakStatement:
        state.ending = 'break';
        return state.alone;
      case SyntaxKind.ContinueStatement:
        state.ending = 'continue';
        return state.alone;
      case SyntaxKind.ForStatement:
      case SyntaxKind.ForInStatement:
      case SyntaxKind.ForOfStatement:
      case SyntaxKind.WhileStatement:
      case SyntaxKind.DoStatement:
        return this.loop(node as ts.IterationStatement, state);
      case SyntaxKind.LabeledStatement:
        return endBreaks(this.statement((node as ts.LabeledStatement).statement, state, usingHandles));
      case SyntaxKind.SwitchStatement: {
        const choice = node as ts.SwitchStatement;
        return packedFlatMap(this.expression(choice.expression, state), (s) => {
          // Each clause may be where control enters; it falls through until a break.
          const clauses = choice.caseBlock.clauses;
          const results: State[] = [];
          clauses.forEach((_, index) => {
            const entry = s.fork();
            const statements = packedFlatMap(clauses.slice(index), (c) => [...c.statements]);
            results.push(...endBreaks(this.block(statements, entry.alone)));
          });
          if (!clauses.some((c) => c.kind === SyntaxKind.DefaultClause)) results.push(s);
          return results;
        });
      }
      case SyntaxKind.TryStatement: {
        const attempt = node as ts.TryStatement;
        // The catch block may run after any prefix of the try block; model it from the try's entry.
        const beforeTry = state.fork();
        let states = this.block(attempt.tryBlock.statements, state.alone);
        if (attempt.catchClause) states = [...states, ...this.block(attempt.catchClause.block.statements, beforeTry.alone)];
        if (attempt.finallyBlock) {
          const finallyBlock = attempt.finallyBlock;
          states = packedFlatMap(states, (s) => {
            const ending = s.ending;
            const returned = s.returned;
            s.ending = 'none';
            return packedMap(this.block(finallyBlock.statements, s.alone), (after) => {
              if (after.ending === 'none') {
                after.ending = ending;
                after.returned = returned;
              }
              return after;
            });
          });
        }
        return states;
      }
      case SyntaxKind.FunctionDeclaration:
      case SyntaxKind.ClassDeclaration:
        this.captures(node, state);
        return state.alone;
    }
    // Declarations without effects (types, interfaces, empty statements, debugger).
    return state.alone;
  }

  /** `declaration`'s initializer evaluated on `state`, its name bound on every path after it (a `using` handle noted for its block's end). */
  private declare(declaration: ts.VariableDeclaration, isUsing: boolean, state: State, usingHandles: number[]): Paths {
    const nexts = this.expression(declaration.initializer!, state);
    for (let i = 0; i < nexts.length; i++) {
      const next = nexts[i]!;
      const value = next.value;
      this.bind(next, declaration.name, value);
      if (isUsing && value.kind === 'handle') usingHandles.push(value.id);
    }
    return nexts;
  }

  private loop(node: ts.IterationStatement, state: State): Paths {
    const ts = this.ts;
    // Zero iterations, or one: a second pass over the body changes the count again,
    // which summaries of straight-line slots never need; more paths would only blur them.
    const head: ts.Expression | undefined =
      ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)
        ? node.expression
        : ts.isForStatement(node)
          ? node.condition
          : undefined;
    let entries: Paths = state.alone;
    if (ts.isForStatement(node) && node.initializer) {
      entries = ts.isVariableDeclarationList(node.initializer)
        ? node.initializer.declarations.reduce<Paths>(
            (states, d) =>
              packedFlatMap(states, (s) => {
                if (!d.initializer) return s.alone;
                const nexts = this.expression(d.initializer, s);
                for (let i = 0; i < nexts.length; i++) this.bind(nexts[i]!, d.name, nexts[i]!.value);
                return nexts;
              }),
            entries,
          )
        : packedFlatMap(entries, (s) => this.expression(node.initializer as ts.Expression, s));
    }
    if (head) entries = packedFlatMap(entries, (s) => this.expression(head, s));
    const results: State[] = [];
    for (const entry of entries) {
      const once = entry.fork();
      if (!ts.isDoStatement(node)) results.push(entry);
      results.push(...endBreaks(this.statement(node.statement, once, [])));
    }
    return results;
  }

  private bind(state: State, name: ts.BindingName, value: Value): void {
    if (name.kind === this.SyntaxKind.Identifier) {
      const symbol = this.context.library.declaredBy(name);
      if (symbol) {
        this.boundNames.add(name.escapedText);
        state.bind(symbol, value);
      }
      return;
    }
    // Destructuring a handle reads its fields; the handle itself stays where it was.
  }

  private valueOf(state: State, node: ts.Identifier): Value {
    if (!this.boundNames.has(node.escapedText)) return OTHER;
    const symbol = this.context.library.referenceTo(node, state);
    return (symbol && state.valueOf(symbol)) ?? OTHER;
  }

  /** A handle leaves the slot's hands (passed on, stored, captured): its reference goes with it. */
  private handOff(state: State, value: Value): void {
    if (value.kind !== 'handle') return;
    const handle = state.handles[value.id];
    if (handle?.live) this.release(state, handle);
  }

  private release(state: State, handle: Handle): void {
    handle.live = false;
    // After counting a hand-kept count down, freeing the box is the free at zero: the count already went.
    if (handle.origin === 'data' && !(handle.allocation === 'box' && state.countedDown)) {
      state.net -= 1;
      if (this.dropping) {
        // An array, each call once (a slot makes one or two): a Set was copied into one for the summary (garbage).
        const drops = (this.drops ??= []);
        if (!drops.includes(this.dropping)) drops.push(this.dropping);
      }
      else this.releasesOtherwise = true;
    }
  }

  /** `drop(handle)` or `handle.drop()`: a release a quick fix can turn into `forget`. */
  private dropCall(state: State, node: ts.CallExpression | ts.NewExpression, value: Value): void {
    this.dropping = this.ts.isCallExpression(node) ? node : undefined;
    try {
      this.handOff(state, value);
    } finally {
      this.dropping = undefined;
    }
  }

  private newHandle(state: State, origin: Handle['origin'], allocation: Allocation): Value {
    if (origin === 'data') this.allocations = withAllocation(this.allocations, allocation);
    // At its size: a push onto `[]` grows it to 17 elements (garbage).
    state.handles = appended(state.handles, { origin, allocation, live: true, disposed: false });
    return HANDLE_VALUES.at(state.handles.length - 1);
  }

  /**
   * `box.value.refs++`, `--box.value.refs`, `box.value.refs += 1`: a step of one
   * on a field of what a `Box` from the data pointer holds. Returns whether
   * `target` was such a field (for a count kept by hand it changes the count).
   */
  private stepField(state: State, target: ts.Expression, step: '+' | '-'): boolean {
    const ts = this.ts;
    const field = skipOuterExpressions(ts, target);
    if (field.kind !== this.SyntaxKind.PropertyAccessExpression) return false;
    const access = field as ts.PropertyAccessExpression;
    // A chain of names (`box.value`) is read on the path itself: reading it changes nothing there, where a fork copied every handle (speed).
    const owner = this.expression(access.expression, this.isNameChain(access.expression) ? state : state.fork());
    if (owner.length !== 1) return false;
    const value = owner[0]!.value;
    if (value.kind !== 'contents') return false;
    const handle = state.handles[value.id];
    if (!handle || handle.origin !== 'data' || handle.allocation !== 'box') return false;
    const name = access.name.text;
    const fieldSteps = (this.fieldSteps ??= new Map());
    let steps = fieldSteps.get(name);
    if (!steps) fieldSteps.set(name, (steps = new Set()));
    steps.add(step);
    if (this.options.counterFields?.has(name)) {
      state.net += step === '+' ? 1 : -1;
      if (step === '-') {
        state.countedDown = true;
        this.releasesOtherwise = true;
      }
    }
    return true;
  }

  /** Whether `node` is a name or a chain of property reads from one (`box.value.inner`): evaluating it only reads. */
  private isNameChain(node: ts.Expression): boolean {
    const { SyntaxKind } = this;
    let at: ts.Expression = node;
    while (at.kind === SyntaxKind.PropertyAccessExpression) at = (at as ts.PropertyAccessExpression).expression;
    return at.kind === SyntaxKind.Identifier;
  }

  /** The step a `++`/`--`/`+= 1`/`-= 1` makes, or undefined for any other update. */
  private stepOf(node: ts.Expression): '+' | '-' | undefined {
    const { SyntaxKind } = this;
    if (node.kind === SyntaxKind.PrefixUnaryExpression || node.kind === SyntaxKind.PostfixUnaryExpression) {
      const operator = (node as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression).operator;
      return operator === SyntaxKind.PlusPlusToken ? '+' : operator === SyntaxKind.MinusMinusToken ? '-' : undefined;
    }
    if (node.kind !== SyntaxKind.BinaryExpression) return undefined;
    const { operatorToken, right } = node as ts.BinaryExpression;
    const step = operatorToken.kind === SyntaxKind.PlusEqualsToken ? '+' : operatorToken.kind === SyntaxKind.MinusEqualsToken ? '-' : undefined;
    const by = step && skipOuterExpressions(this.ts, right);
    return by && by.kind === SyntaxKind.NumericLiteral && (by as ts.NumericLiteral).text === '1' ? step : undefined;
  }

  /** Each of `nodes` in order, on every path; a path's `values` are theirs. */
  private expressions(nodes: readonly ts.Expression[], state: State): Paths {
    // One path (the usual case): its state and values held here, no arrays per node until a node branches (speed).
    let current = state;
    let values: readonly Value[] = NO_VALUES;
    for (let i = 0; i < nodes.length; i++) {
      const results = this.expression(nodes[i]!, current);
      if (results.length !== 1) return this.branchedExpressions(nodes, i + 1, packedMap(results, (next) => [next, [...values, next.value]] as const));
      current = results[0]!;
      // Not `concat`: it looks up `Symbol.isConcatSpreadable` on the value. The first value's array is shared (`only`).
      values = values.length === 0 ? only(current.value) : appended(values, current.value);
    }
    current.values = values;
    return current.alone;
  }

  /** `expressions` from `nodes[from]` on, once a node branched into `outcomes`. */
  private branchedExpressions(nodes: readonly ts.Expression[], from: number, outcomes: Array<readonly [State, Value[]]>): Paths {
    if (outcomes.length > MAX_STATES) throw new Unknown();
    for (let i = from; i < nodes.length; i++) {
      const node = nodes[i]!;
      outcomes = packedFlatMap(outcomes, ([s, values]) => packedMap(this.expression(node, s), (next) => [next, [...values, next.value]] as const));
      if (outcomes.length > MAX_STATES) throw new Unknown();
    }
    return packedMap(outcomes, ([s, values]) => {
      s.values = values;
      return s;
    });
  }

  /** `node` evaluated on `state`: the paths it may leave, each with its value as `value`. */
  expression(node: ts.Expression, state: State): Paths {
    const ts = this.ts;
    const { SyntaxKind } = this;
    // One switch on the kind, not a chain of `ts.isX` calls: this runs on every expression of every slot (speed).
    switch (node.kind) {
      case SyntaxKind.ParenthesizedExpression:
      case SyntaxKind.AsExpression:
      case SyntaxKind.SatisfiesExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.TypeAssertionExpression:
        return this.expression((node as OuterExpression).expression, state);
      case SyntaxKind.Identifier:
        state.value = this.valueOf(state, node as ts.Identifier);
        return state.alone;
      case SyntaxKind.CallExpression:
      case SyntaxKind.NewExpression:
        return this.call(node as ts.CallExpression | ts.NewExpression, state);
      case SyntaxKind.ConditionalExpression: {
        const conditional = node as ts.ConditionalExpression;
        return packedFlatMap(this.expression(conditional.condition, state), (s) => {
          const otherwise = s.fork();
          return [...this.expression(conditional.whenTrue, s), ...this.expression(conditional.whenFalse, otherwise)];
        });
      }
      case SyntaxKind.BinaryExpression:
        return this.binary(node as ts.BinaryExpression, state);
      case SyntaxKind.ArrowFunction:
      case SyntaxKind.FunctionExpression:
      case SyntaxKind.ClassExpression:
        this.captures(node, state);
        state.value = OTHER;
        return state.alone;
      case SyntaxKind.ArrayLiteralExpression:
        return this.handOffValues(this.expressions(packedMap((node as ts.ArrayLiteralExpression).elements, (e) => (e.kind === SyntaxKind.SpreadElement ? (e as ts.SpreadElement).expression : e)), state));
      case SyntaxKind.ObjectLiteralExpression: {
        const parts: ts.Expression[] = [];
        for (const property of (node as ts.ObjectLiteralExpression).properties) {
          if (ts.isPropertyAssignment(property)) parts.push(property.initializer);
          else if (ts.isShorthandPropertyAssignment(property)) parts.push(property.name);
          else if (ts.isSpreadAssignment(property)) parts.push(property.expression);
          else this.captures(property, state);
        }
        return this.handOffValues(this.expressions(parts, state));
      }
      case SyntaxKind.PropertyAccessExpression:
      case SyntaxKind.ElementAccessExpression: {
        // Reading through a handle borrows it; what it holds (and what that reaches) is its contents.
        const access = node as ts.PropertyAccessExpression | ts.ElementAccessExpression;
        const isProperty = access.kind === SyntaxKind.PropertyAccessExpression;
        // A property's owner is one node: `expression`, and the cap `expressions` checks on more paths than one.
        const states = isProperty ? this.expression(access.expression, state) : this.expressions([access.expression, (access as ts.ElementAccessExpression).argumentExpression], state);
        if (states.length > MAX_STATES) throw new Unknown();
        for (let i = 0; i < states.length; i++) {
          const s = states[i]!;
          const owner = isProperty ? s.value : s.values[0]!;
          s.value = owner.kind === 'contents' ? owner : owner.kind === 'handle' && isProperty && (access as ts.PropertyAccessExpression).name.text === 'value' ? CONTENTS_VALUES.at(owner.id) : OTHER;
        }
        return states;
      }
      case SyntaxKind.AwaitExpression:
      case SyntaxKind.VoidExpression:
      case SyntaxKind.TypeOfExpression:
      case SyntaxKind.DeleteExpression:
      case SyntaxKind.SpreadElement:
        return valuesOther(this.expression((node as ts.AwaitExpression).expression, state));
      case SyntaxKind.PrefixUnaryExpression:
      case SyntaxKind.PostfixUnaryExpression: {
        const unary = node as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression;
        const step = this.stepOf(unary);
        if (step && this.stepField(state, unary.operand, step)) {
          state.value = OTHER;
          return state.alone;
        }
        return valuesOther(this.expression(unary.operand, state));
      }
      case SyntaxKind.TemplateExpression:
        return valuesOther(this.expressions(packedMap((node as ts.TemplateExpression).templateSpans, (s) => s.expression), state));
      case SyntaxKind.CommaListExpression: {
        const states = this.expressions((node as ts.CommaListExpression).elements, state);
        for (let i = 0; i < states.length; i++) states[i]!.value = states[i]!.values[states[i]!.values.length - 1] ?? OTHER;
        return states;
      }
      case SyntaxKind.YieldExpression: {
        const yielded = (node as ts.YieldExpression).expression;
        if (!yielded) {
          state.value = OTHER;
          return state.alone;
        }
        const states = this.expression(yielded, state);
        for (let i = 0; i < states.length; i++) this.handOff(states[i]!, states[i]!.value);
        return valuesOther(states);
      }
    }
    state.value = OTHER;
    return state.alone;
  }

  /** Every value of each path's `values` leaves the slot's hands (stored in an array or object); the paths' value is `OTHER`. */
  private handOffValues(states: Paths): Paths {
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!;
      const values = s.values;
      for (let j = 0; j < values.length; j++) this.handOff(s, values[j]!);
      s.value = OTHER;
    }
    return states;
  }

  private binary(node: ts.BinaryExpression, state: State): Paths {
    const { SyntaxKind } = this;
    const operator = node.operatorToken.kind;
    if (operator === SyntaxKind.AmpersandAmpersandToken || operator === SyntaxKind.BarBarToken || operator === SyntaxKind.QuestionQuestionToken) {
      return packedFlatMap(this.expression(node.left, state), (s) => {
        const shortCircuit = s.fork(); // its value is the left operand's
        return [shortCircuit, ...this.expression(node.right, s)];
      });
    }
    if (operator === SyntaxKind.EqualsToken) {
      const states = this.expression(node.right, state);
      for (let i = 0; i < states.length; i++) {
        const s = states[i]!;
        const value = s.value;
        if (node.left.kind === SyntaxKind.Identifier) {
          const target = node.left as ts.Identifier;
          const symbol = this.context.library.valueAt(target);
          if (symbol) {
            this.boundNames.add(target.escapedText);
            s.bind(symbol, value);
          }
        } else {
          this.handOff(s, value); // stored in a property or element
        }
      }
      return states;
    }
    const step = this.stepOf(node);
    if (step && this.stepField(state, node.left, step)) {
      state.value = OTHER;
      return state.alone;
    }
    return valuesOther(this.expressions([node.left, node.right], state));
  }

  private call(node: ts.CallExpression | ts.NewExpression, state: State): Paths {
    const { SyntaxKind } = this;
    const operation = this.context.library.calleeOf(node);
    const callee = node.expression;
    // The receiver of a method call is evaluated first; for library instance methods it is the handle.
    let receivers: Paths;
    if (callee.kind === SyntaxKind.PropertyAccessExpression || callee.kind === SyntaxKind.ElementAccessExpression) receivers = this.expression((callee as ts.AccessExpression).expression, state);
    else if (callee.kind === SyntaxKind.CallExpression || isOuterExpression(this.ts, callee)) receivers = this.expression(callee, state);
    else {
      state.value = OTHER;
      receivers = state.alone;
    }
    const args = node.arguments ?? NO_ARGUMENTS;
    if (receivers.length === 1) return this.applyTo(node, operation, receivers[0]!, args);
    return packedFlatMap(receivers, (s) => this.applyTo(node, operation, s, args));
  }

  /** The call on one path, its receiver that path's value: the arguments, then the operation. */
  private applyTo(node: ts.CallExpression | ts.NewExpression, operation: string | undefined, state: State, args: readonly ts.Expression[]): Paths {
    const receiver = state.value;
    const states = this.expressions(args, state);
    if (states.length === 1) return this.apply(node, operation, receiver, states[0]!.values, states[0]!);
    return packedFlatMap(states, (next) => this.apply(node, operation, receiver, next.values, next));
  }

  /** `operation` (a library name, or undefined for any other callee) on this path: the paths after it, their value its result. */
  private apply(node: ts.CallExpression | ts.NewExpression, operation: string | undefined, receiver: Value, args: readonly Value[], state: State): Paths {
    const first = args[0] ?? OTHER;
    switch (operation) {
      case 'Arc.fromRaw':
      case 'Box.fromRaw': {
        const allocation = operation === 'Arc.fromRaw' ? 'arc' : 'box';
        const valueType = node.kind === this.SyntaxKind.CallExpression ? node.typeArguments?.[0] : undefined;
        if (first.kind === 'data' && allocation === 'box' && valueType) (this.boxValueTypes ??= new Set()).add(valueType.getText());
        if (first.kind === 'data') return this.result(state, this.newHandle(state, 'data', allocation));
        if (first.kind === 'fresh') return this.result(state, this.newHandle(state, 'fresh', allocation));
        return this.result(state, OTHER);
      }
      case 'Arc.new':
      case 'Box.new':
        for (let i = 0; i < args.length; i++) this.handOff(state, args[i]!);
        return this.result(state, this.newHandle(state, 'fresh', operation === 'Arc.new' ? 'arc' : 'box'));
      case 'Arc.clone':
      case 'Arc#clone': {
        const source = operation === 'Arc.clone' ? first : receiver;
        if (source.kind !== 'handle') return this.result(state, OTHER);
        const handle = state.handles[source.id];
        if (!handle) return this.result(state, OTHER);
        if (handle.origin === 'data') state.net += 1;
        return this.result(state, this.newHandle(state, handle.origin, handle.allocation));
      }
      case 'Arc.intoRaw':
      case 'Box.intoRaw': {
        if (first.kind !== 'handle') return this.result(state, OTHER);
        const handle = state.handles[first.id];
        if (!handle) return this.result(state, OTHER);
        handle.live = false;
        return this.result(state, handle.origin === 'data' ? DATA : FRESH);
      }
      case 'forget': {
        if (first.kind === 'handle') {
          const handle = state.handles[first.id];
          if (handle) handle.live = false;
        }
        return this.result(state, OTHER);
      }
      case 'drop':
        this.dropCall(state, node, first);
        return this.result(state, OTHER);
      case 'Arc#drop':
      case 'Box#drop':
        this.dropCall(state, node, receiver);
        return this.result(state, OTHER);
      case 'Arc.incrementStrongCount':
      case 'Arc.decrementStrongCount':
        if (first.kind === 'data') {
          this.allocations = withAllocation(this.allocations, 'arc');
          state.net += operation === 'Arc.incrementStrongCount' ? 1 : -1;
          if (operation === 'Arc.decrementStrongCount') this.releasesOtherwise = true;
        }
        return this.result(state, OTHER);
      case 'RawWaker':
        return this.result(state, { kind: 'raw', pointer: first });
      case 'Arc.strongCount':
        return this.result(state, OTHER);
    }
    if (operation !== undefined) {
      // Any other library operation (Waker.fromArc, Waker.fromRaw, ...) takes what it is given.
      for (let i = 0; i < args.length; i++) this.handOff(state, args[i]!);
      if (args.some((v) => v.kind === 'data' || (v.kind === 'raw' && v.pointer.kind === 'data'))) throw new Unknown();
      return this.result(state, OTHER);
    }
    return this.userCall(node, args, state);
  }

  /**
   * A call outside the library. When it receives the data pointer, a handle or
   * the data's contents and its body is in the program, follow it: what it does
   * counts for the slot, so slots that share a helper share its effect. Else a
   * handle passed to it leaves the slot's hands, and the data pointer passed to
   * code the checker cannot resolve makes the summary unknown.
   */
  private userCall(node: ts.CallExpression | ts.NewExpression, args: readonly Value[], state: State): Paths {
    const passesData = args.some((v) => v.kind === 'data' || (v.kind === 'raw' && v.pointer.kind === 'data'));
    const passesHandle = args.some((v) => v.kind === 'handle' || v.kind === 'contents');
    if (!passesData && !passesHandle) return this.handOffAll(args, state);
    const target = resolveCallee(this.context, node);
    if (target === 'declaration-file') return this.handOffAll(args, state); // lib.d.ts and packages cannot reach the library's counts
    if (passesData) {
      if (!target) throw new Unknown();
      return this.run(target, args, state);
    }
    if (!target) return this.handOffAll(args, state);
    // A handle's helper that cannot be followed (too deep, recursive) takes the handle, as before following.
    const attempt = state.fork();
    try {
      return this.run(target, args, attempt);
    } catch (error) {
      if (!(error instanceof Unknown)) throw error;
      return this.handOffAll(args, state);
    }
  }

  /** A callee the slot cannot follow takes every handle it is given. */
  private handOffAll(args: readonly Value[], state: State): Paths {
    for (let i = 0; i < args.length; i++) this.handOff(state, args[i]!);
    return this.result(state, OTHER);
  }

  /** The one path `state`, its value `value`. */
  private result(state: State, value: Value): Paths {
    state.value = value;
    return state.alone;
  }

  /** A closure that captures a live handle takes it (the handle moves into the closure). */
  private captures(node: ts.Node, state: State): void {
    const ts = this.ts;
    const identifier = this.SyntaxKind.Identifier;
    const visit = (child: ts.Node): void => {
      if (child.kind === identifier) {
        const value = this.valueOf(state, child as ts.Identifier);
        this.handOff(state, value);
        return;
      }
      ts.forEachChild(child, visit);
    };
    ts.forEachChild(node, visit);
  }
}

const NO_ARGUMENTS: readonly ts.Expression[] = [];
// A summary's collections when the slot made none (nothing writes a summary's collections).
const NO_ALLOCATIONS: ReadonlySet<Allocation> = new Set();
const NO_FIELD_STEPS: ReadonlyMap<string, ReadonlySet<'+' | '-'>> = new Map();
const NO_DROPS: readonly ts.CallExpression[] = [];
const ARC: ReadonlySet<Allocation> = new Set(['arc']);
const BOX: ReadonlySet<Allocation> = new Set(['box']);
const ARC_THEN_BOX: ReadonlySet<Allocation> = new Set(['arc', 'box']);
const BOX_THEN_ARC: ReadonlySet<Allocation> = new Set(['box', 'arc']);

/** `allocations` with `allocation` added, as a `Set`'s `add` orders it: shared sets, no collection per slot. */
function withAllocation(allocations: ReadonlySet<Allocation>, allocation: Allocation): ReadonlySet<Allocation> {
  if (allocations.has(allocation)) return allocations;
  if (allocations.size === 0) return allocation === 'arc' ? ARC : BOX;
  return allocation === 'box' ? ARC_THEN_BOX : BOX_THEN_ARC;
}
const NO_BOX_VALUE_TYPES: ReadonlySet<string> = new Set();

/** `items.flatMap(f)`, without copying `f`'s array when there is one item (the usual single path; speed). */
function each<T, U>(items: readonly T[], f: (item: T) => readonly U[]): readonly U[] {
  return items.length === 1 ? f(items[0]!) : packedFlatMap(items, f);
}

/** The paths, a loop's `break` or `continue` ended where it ends (the same paths, each changed). */
function endBreaks(states: Paths): Paths {
  for (let i = 0; i < states.length; i++) {
    const state = states[i]!;
    if (state.ending === 'break' || state.ending === 'continue') state.ending = 'none';
  }
  return states;
}

/** The paths, their value `OTHER` (the same paths, each changed). */
function valuesOther(states: Paths): Paths {
  for (let i = 0; i < states.length; i++) states[i]!.value = OTHER;
  return states;
}

/** The function a call goes to, `'declaration-file'` for ambient code, or undefined when unresolvable. */
function resolveCallee(context: FileContext, node: ts.CallExpression | ts.NewExpression): ts.FunctionLikeDeclaration | 'declaration-file' | undefined {
  const signature = context.checker.getResolvedSignature(node);
  const declaration = signature?.getDeclaration();
  if (!declaration) return undefined;
  if (declaration.getSourceFile().isDeclarationFile) return 'declaration-file';
  const ts = context.ts;
  if (ts.isFunctionLike(declaration) && 'body' in declaration && declaration.body) return declaration as ts.FunctionLikeDeclaration;
  return undefined;
}

/** The function a vtable argument refers to: inline, or declared anywhere in the program. */
export function resolveSlotFunction(context: FileContext, expression: ts.Expression, depth = 0): ts.FunctionLikeDeclaration | undefined {
  // Kinds compared, not `ts.isX` asked: each is a getter of the typescript module, and this runs per slot (speed).
  const { SyntaxKind, SymbolFlags } = context.library;
  if (depth > 8) return undefined;
  const node = skipOuterExpressions(context.ts, expression);
  if (node.kind === SyntaxKind.ArrowFunction || node.kind === SyntaxKind.FunctionExpression) return node as ts.ArrowFunction | ts.FunctionExpression;
  const isIdentifier = node.kind === SyntaxKind.Identifier;
  const nameNode = isIdentifier ? (node as ts.Identifier) : node.kind === SyntaxKind.PropertyAccessExpression ? (node as ts.PropertyAccessExpression).name : undefined;
  // The library's own functions (`Arc.fromRaw` passed as a slot) are not slot code the program wrote.
  if (!nameNode || context.library.nameOf(node) !== undefined) return undefined;
  let symbol = isIdentifier ? context.library.valueAt(node as ts.Identifier) : context.library.symbolAt(nameNode);
  if (symbol && symbol.flags & SymbolFlags.Alias) symbol = context.checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!declaration) return undefined;
  context.readNodes?.push(declaration);
  const kind = declaration.kind;
  if ((kind === SyntaxKind.FunctionDeclaration || kind === SyntaxKind.MethodDeclaration) && (declaration as ts.FunctionDeclaration | ts.MethodDeclaration).body) return declaration as ts.FunctionDeclaration | ts.MethodDeclaration;
  if ((kind === SyntaxKind.VariableDeclaration || kind === SyntaxKind.PropertyDeclaration) && (declaration as ts.VariableDeclaration | ts.PropertyDeclaration).initializer) {
    return resolveSlotFunction(context, (declaration as ts.VariableDeclaration | ts.PropertyDeclaration).initializer!, depth + 1);
  }
  if (kind === SyntaxKind.PropertyAssignment) return resolveSlotFunction(context, (declaration as ts.PropertyAssignment).initializer, depth + 1);
  return undefined;
}

/** Each file context's interpreter (see `Interpreter`). */
const interpreters = new WeakMap<FileContext, Interpreter>();

/** The effect of one slot function on the reference its data pointer holds. */
export function summarizeSlot(context: FileContext, fn: ts.FunctionLikeDeclaration | undefined, slot: SlotName, name?: string, options: SummaryOptions = {}): SlotSummary {
  const displayName = name ?? (fn ? functionName(context, fn) : undefined) ?? slot;
  if (!fn) {
    return { slot, name: displayName, declaration: undefined, references: undefined, effect: 'unknown effect', allocations: NO_ALLOCATIONS, fieldSteps: NO_FIELD_STEPS, drops: NO_DROPS, releasesOnlyByDrop: false, boxValueTypes: NO_BOX_VALUE_TYPES };
  }
  let references: Range | undefined;
  let interpreter = interpreters.get(context);
  if (!interpreter) interpreters.set(context, (interpreter = new Interpreter(context)));
  interpreter.start(options);
  try {
    const entry = new State(0, NO_HANDLES, 'none', OTHER, false);
    const outcomes = interpreter.run(fn, DATA_ONLY, entry);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < outcomes.length; i++) {
      const state = outcomes[i]!;
      const returned = state.value;
      if (slot === 'clone' && returned.kind !== 'raw') throw new Unknown(); // a clone that returns no RawWaker we can see
      const count = slot !== 'clone' ? -state.net : state.net + ((returned as Extract<Value, { kind: 'raw' }>).pointer.kind === 'fresh' ? 1 : 0);
      if (count < min) min = count;
      if (count > max) max = count;
    }
    if (outcomes.length > 0) references = rangeOf(min, max);
  } catch (error) {
    if (!(error instanceof Unknown)) throw error;
  }
  return {
    slot,
    name: displayName,
    declaration: fn,
    references,
    effect: describeEffect(slot, references),
    allocations: interpreter.allocations,
    fieldSteps: interpreter.fieldSteps ?? NO_FIELD_STEPS,
    drops: interpreter.drops ?? NO_DROPS,
    releasesOnlyByDrop: !interpreter.releasesOtherwise,
    boxValueTypes: interpreter.boxValueTypes ?? NO_BOX_VALUE_TYPES,
  };
}

/** The ranges slots usually have (0 to 2 references), made once: nothing writes a summary's range (garbage). */
const USUAL_RANGES: ReadonlyArray<ReadonlyArray<Range>> = packedMap([0, 1, 2], (min) => packedMap([0, 1, 2], (max) => ({ min, max })));

function rangeOf(min: number, max: number): Range {
  return min >= 0 && max < USUAL_RANGES.length && min <= max ? USUAL_RANGES[min]![max]! : { min, max };
}

export function describeEffect(slot: SlotName, references: Range | undefined): string {
  if (!references) return 'unknown effect';
  // The usual words, made once: this runs for every slot.
  if (references.min === references.max && references.min >= 0 && references.min < USUAL_EFFECTS.takes.length) return USUAL_EFFECTS[slot === 'clone' ? 'takes' : 'releases'][references.min]!;
  return effectWords(slot, references);
}

/** What `describeEffect` says of 0, 1 and 2 references, taken or released. */
const USUAL_EFFECTS = {
  takes: packedMap([0, 1, 2], (n) => effectWords('clone', { min: n, max: n })),
  releases: packedMap([0, 1, 2], (n) => effectWords('drop', { min: n, max: n })),
};

function effectWords(slot: SlotName, references: Range): string {
  const verb = slot === 'clone' ? 'takes' : 'releases';
  const count = references.min === references.max ? `${references.min}` : `${references.min} or ${references.max}`;
  const noun = references.min === 1 && references.max === 1 ? 'reference' : 'references';
  return `${verb} ${count} ${noun}`;
}

function functionName(context: FileContext, fn: ts.FunctionLikeDeclaration): string | undefined {
  const { SyntaxKind } = context.library;
  const name = fn.name;
  if (name && (name.kind === SyntaxKind.Identifier || name.kind === SyntaxKind.PrivateIdentifier)) return (name as ts.Identifier | ts.PrivateIdentifier).text;
  const parent = fn.parent as ts.Node | undefined;
  if (parent && (parent.kind === SyntaxKind.VariableDeclaration || parent.kind === SyntaxKind.PropertyAssignment || parent.kind === SyntaxKind.PropertyDeclaration)) {
    const declared = (parent as ts.VariableDeclaration | ts.PropertyAssignment | ts.PropertyDeclaration).name;
    if (declared.kind === SyntaxKind.Identifier) return declared.text;
  }
  return undefined;
}
