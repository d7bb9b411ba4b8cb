// Interprocedural summaries: what each function of the program does with the
// owned values and contexts it receives, computed from its body by the same
// dataflow engine that checks it, only for functions that some analysed call
// passes an owned value or a context to.
//
// Summaries are computed once per program version (the files analysed in it
// share them) and only when a call asks.
//
// A parameter's summary is read off the facts its binding holds wherever it
// leaves the function: consumed (woken, dropped, moved, stored, handed to code
// we cannot see) on every path, on some, or on none (the helper only borrows:
// the caller still owns the value). A `Context` or `WakerRef` parameter's
// summary is lost-wakeup's registration state at the exits. Calls inside the
// body use their own callees' summaries, so a helper that hands the value to
// another helper inherits what that one does.
//
// Recursion is a fixed point, as rustc's borrow checker needs none but a
// summary does: a call back into a function whose summary is being computed
// (the head of the recursive group on the call stack) gets an assumed summary,
// at first the optimistic one (no path through the call returns: it consumes
// nothing, leaves nothing live); the head's body is then summarised again under
// the summary it produced, joined with what was assumed, until nothing changes.
// The joined sets only grow in a finite lattice (per parameter, the kinds of
// fact at the exits), so this ends, at the least fixed point when the body's
// summary grows with the assumption. A `Context` parameter's registration
// starts from `every` (what handing the context to code we cannot see counts
// as) and joins the same way. A call more than MAX_DEPTH helpers deep gets no
// summary (the signature decides, as before summaries: an owned parameter
// type moves). Each function's summary is defined as the computation rooted at
// that function (with it as the head); a result computed deeper that leaned on
// an assumption or on the depth cut-off is not cached, so what a call sees
// never depends on which function was asked about first (the incremental
// analyzer relies on that).

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import { isLibraryFile, type Library } from '../library';
import { skipOuterExpressions } from '../syntax';
import type { TypeScript } from '../types';
import type { CallSummaries, Consumption, FunctionSummary, ParameterUse, Registration } from './calls';
import type { TrackedBinding } from './discovery';
import { FlowEngine, type FlowChecker, type WorkingState } from './engine';
import { isPollFunction, LostWakeupChecker } from './checkers/lost-wakeup';
import { isFunctionBoundary, scanUnits, type FunctionLikeWithBody } from './graph';
import { mayNameOwnedType } from './positions';
import { packedMap } from '../arrays';
import { checkerOf, type Checker } from '../checker';

const MAX_DEPTH = 6;
const OWNED_TYPES = ['Waker', 'Box', 'Arc', 'RawWaker'] as const;
const NO_HINTS: ReadonlySet<string> = new Set();

/**
 * Once per program version: every file analysed in it (the CLI's run, the
 * editor's files after an edit) shares them. Summaries read types, so a new
 * program starts afresh.
 */
const byProgram = new WeakMap<ts.Program, ProgramSummaries>();

export function summariesFor(context: FileContext): CallSummaries {
  let summaries = byProgram.get(context.program);
  if (!summaries) {
    summaries = new ProgramSummaries(context.ts, context.program, context.library);
    byProgram.set(context.program, summaries);
  }
  return summaries;
}

interface Frame {
  readonly declaration: FunctionLikeWithBody;
  readonly shape: HelperShape;
  /** The lowest stack index whose in-progress state this computation leaned on (its own index when none). */
  lowest: number;
  /** What calls back into this function are told while it is summarised (a recursive group's fixed point). */
  assumed: FunctionSummary;
  /** Whether a call back into it read `assumed` in the current round. */
  recursive: boolean;
}

/** A safety net: the joined summaries only grow in a finite lattice, so the rounds end long before. */
const MAX_ROUNDS = 32;

class ProgramSummaries implements CallSummaries {
  private readonly checker: Checker;
  private readonly done = new Map<ts.Node, FunctionSummary | null>();
  /** Calls to the body they run (null: none of the program's), as several checkers ask about the same call. */
  private readonly callees = new Map<ts.Node, FunctionLikeWithBody | null>();
  private readonly stack: Frame[] = [];
  private readonly contexts = new Map<ts.SourceFile, FileContext>();

  constructor(
    private readonly ts: TypeScript,
    private readonly program: ts.Program,
    private readonly library: Library,
  ) {
    this.checker = checkerOf(program);
  }

  of(call: ts.CallExpression | ts.NewExpression): FunctionSummary | undefined {
    const declaration = this.calleeOf(call);
    if (!declaration) return undefined;
    const cached = this.done.get(declaration);
    if (cached !== undefined) return cached ?? undefined;
    const onStack = this.stack.findIndex((frame) => frame.declaration === declaration);
    const top = this.stack[this.stack.length - 1];
    if (onStack >= 0) {
      // Recursion: the head's assumed summary, for this round.
      const head = this.stack[onStack]!;
      head.recursive = true;
      top!.lowest = Math.min(top!.lowest, onStack);
      return head.assumed;
    }
    if (this.stack.length >= MAX_DEPTH) {
      if (top) top.lowest = -1;
      return undefined;
    }
    const index = this.stack.length;
    const shape = this.shapeOf(declaration);
    const frame: Frame = { declaration, shape, lowest: index, assumed: optimistic(declaration, shape, 'every'), recursive: false };
    this.stack.push(frame);
    let summary: FunctionSummary | undefined;
    try {
      summary = this.solve(frame);
    } catch (error) {
      // Never take the editor down over one odd function (tests set WAKERSCOPE_STRICT to see the error).
      if (typeof process !== 'undefined' && process.env?.WAKERSCOPE_STRICT) throw error;
      summary = undefined;
    } finally {
      this.stack.pop();
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.lowest = Math.min(parent.lowest, frame.lowest);
    if (index === 0 || frame.lowest >= index) this.done.set(declaration, summary ?? null);
    return summary;
  }

  /**
   * Summarises the frame's function; where its body calls back into it, again
   * under the joined result until it is stable. A registration has no "no exit"
   * value to start from (lost-wakeup's state knows registered and unregistered
   * paths, not dead ones), so a recursive function with a `Context` parameter is
   * solved from both ends, `every` and `none`: the least fixed point lies below
   * both results, and is their meet (a helper that never registers is `none`,
   * one that registers at the end of every recursion `every`).
   */
  private solve(frame: Frame): FunctionSummary | undefined {
    const fromEvery = this.iterate(frame, optimistic(frame.declaration, frame.shape, 'every'));
    if (!fromEvery || !frame.recursive || !fromEvery.registers.some((r) => r !== undefined)) return fromEvery;
    const fromNone = this.iterate(frame, optimistic(frame.declaration, frame.shape, 'none'));
    if (!fromNone) return undefined;
    return { ...fromEvery, registers: packedMap(fromEvery.registers, (r, index) => r && meetRegistrations(r, fromNone.registers[index]!)) };
  }

  private iterate(frame: Frame, start: FunctionSummary): FunctionSummary | undefined {
    frame.assumed = start;
    let recursive = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      frame.recursive = false;
      const summary = this.summarize(frame.declaration, frame.shape);
      recursive ||= frame.recursive;
      frame.recursive = recursive;
      if (!recursive) return summary;
      const next = joinSummaries(frame.assumed, summary);
      if (sameSummaries(next, frame.assumed)) return summary;
      frame.assumed = next;
    }
    return undefined;
  }

  /** What the helper's declaration says, asked once per summary: its rounds and their optimistic start share it. */
  private shapeOf(declaration: FunctionLikeWithBody): HelperShape {
    const ts = this.ts;
    const parameters = 'parameters' in declaration ? declaration.parameters : [];
    // A poll function registers exactly when it returns pending (its own lost-wakeup check sees to that): the caller tests which.
    const isPoll = isPollFunction(this.contextOf(declaration.getSourceFile()), declaration);
    return {
      name: nameOf(ts, declaration),
      parameters,
      owned: packedMap(parameters, (parameter) => this.mayBeOwned(parameter)),
      contextLike: packedMap(parameters, (parameter) => !isPoll && this.isContextLike(parameter)),
      returnsOwned: !lendsOnly(ts, this.checker, declaration),
    };
  }

  /** The body a call runs: a function, method or constructor of the program's own code. */
  private calleeOf(call: ts.CallExpression | ts.NewExpression): FunctionLikeWithBody | undefined {
    let callee = this.callees.get(call);
    if (callee === undefined) {
      callee = this.resolveCallee(call) ?? null;
      this.callees.set(call, callee);
    }
    return callee ?? undefined;
  }

  private resolveCallee(call: ts.CallExpression | ts.NewExpression): FunctionLikeWithBody | undefined {
    const ts = this.ts;
    const declaration = this.checker.getResolvedSignature(call)?.declaration;
    if (!declaration || !('body' in declaration) || !declaration.body) return undefined;
    if (!isFunctionBoundary(ts, declaration) || ts.isClassLike(declaration)) return undefined;
    const file = declaration.getSourceFile();
    if (file.isDeclarationFile || isLibraryFile(this.program, file) || this.program.isSourceFileFromExternalLibrary(file)) return undefined;
    return declaration as FunctionLikeWithBody;
  }

  private contextOf(file: ts.SourceFile): FileContext {
    let context = this.contexts.get(file);
    if (!context) {
      context = { ts: this.ts, program: this.program, checker: this.checker, library: this.library, file };
      this.contexts.set(file, context);
    }
    return context;
  }

  private summarize(declaration: FunctionLikeWithBody, shape: HelperShape): FunctionSummary {
    const ts = this.ts;
    const context = this.contextOf(declaration.getSourceFile());
    const reads = new Set<ts.Node>([declaration]);
    const { name, parameters, contextLike, returnsOwned } = shape;
    // Nothing to follow (a `poll`, a `take()` that receives no owned value): no need to run the engine.
    if (!contextLike.includes(true) && !shape.owned.includes(true)) return { declaration, name, parameters: [], registers: [], returnsOwned, reads };

    const unit = scanUnits(ts, declaration, NO_HINTS).find((u) => u.root === declaration)!;
    // One run of the engine answers both questions: what becomes of each owned parameter, and whether each
    // `Context`/`WakerRef` parameter's waker is kept (a lost-wakeup checker per such parameter, in summary mode).
    const engine = new FlowEngine(context, unit, this);
    const observer = new ParameterObserver(engine);
    engine.use(observer);
    const registrations = packedMap(parameters, (parameter, index) => {
      if (!contextLike[index]) return undefined;
      const checker = new LostWakeupChecker(engine, /*summaryOf*/ parameter);
      engine.use(checker);
      return checker;
    });
    engine.solveOnly();
    for (const node of engine.reads) reads.add(node);
    const reassigned = reassignedParameters(ts, context, unit.assignments);
    const registers = packedMap(registrations, (checker): Registration | undefined => checker?.registrationAtExits());

    return {
      declaration,
      name,
      parameters: packedMap(parameters, (parameter) => {
        // `constructor(private readonly shared: Arc<T>)`: the object stores it before the body runs.
        if (ts.isParameterPropertyDeclaration(parameter, parameter.parent)) return STORED_ON_ENTRY;
        const binding = engine.discovery.bindings.find((b) => b.declaration === parameter);
        if (!binding || reassigned.has(binding.symbol)) return undefined;
        return observer.useOf(binding);
      }),
      registers,
      returnsOwned,
      reads,
    };
  }

  /** A parameter annotated with an owned type (what discovery tracks; a cheap syntactic test first). */
  private mayBeOwned(parameter: ts.ParameterDeclaration): boolean {
    if (!parameter.type || !this.ts.isIdentifier(parameter.name) || parameter.dotDotDotToken || !mayNameOwnedType(this.ts, parameter.type)) return false;
    const type = this.checker.getTypeFromTypeNode(parameter.type);
    return OWNED_TYPES.some((name) => this.library.isType(type, name));
  }

  /** A parameter annotated `Context` or `WakerRef` (what lost-wakeup follows into helpers). */
  private isContextLike(parameter: ts.ParameterDeclaration): boolean {
    if (!parameter.type || !this.ts.isIdentifier(parameter.name)) return false;
    const type = this.checker.getTypeFromTypeNode(parameter.type);
    return this.library.isType(type, 'Context') || (this.library.isType(type, 'WakerRef') && !this.library.isType(type, 'Waker'));
  }
}

/** What a helper's declaration says of it, apart from its body's dataflow. */
interface HelperShape {
  readonly name: string;
  readonly parameters: readonly ts.ParameterDeclaration[];
  /** Per parameter: annotated with an owned type (what discovery tracks). */
  readonly owned: readonly boolean[];
  /** Per parameter: a `Context` or `WakerRef` whose registration is followed (never a poll function's: see summarize). */
  readonly contextLike: readonly boolean[];
  /** False when every `return` hands back a place the object keeps (see lendsOnly). */
  readonly returnsOwned: boolean;
}

/** The start of a recursive group's fixed point: no path through a call back into it returns (nothing consumed, nothing left live). */
function optimistic(declaration: FunctionLikeWithBody, shape: HelperShape, paths: Registration['paths']): FunctionSummary {
  const registers: Registration = { paths };
  return {
    declaration,
    name: shape.name,
    parameters: packedMap(shape.owned, (owned) => (owned ? NO_EXIT : undefined)),
    registers: packedMap(shape.contextLike, (contextLike) => (contextLike ? registers : undefined)),
    returnsOwned: shape.returnsOwned,
    reads: new Set([declaration]),
  };
}

/** A parameter that reaches no exit (every path through it is a call back into the function being summarised, at first). */
const NO_EXIT: ParameterUse = { paths: 'every', how: [] };

/** The kinds of fact a parameter's value holds at the exits, as a use says them: `live` where it is left to the caller. */
function exitKinds(use: ParameterUse): Set<string> {
  const kinds = new Set<string>(use.paths === 'none' ? [] : use.how);
  if (use.paths !== 'every') kinds.add('live');
  return kinds;
}

const STORED_ON_ENTRY: ParameterUse = { paths: 'every', how: ['moved'] };

function useOfKinds(kinds: ReadonlySet<string>): ParameterUse {
  const how = CONSUMPTIONS.filter((kind) => kinds.has(kind));
  if (how.length === 0) return kinds.size === 0 ? NO_EXIT : { paths: 'none' };
  return { paths: kinds.has('live') ? 'some' : 'every', how };
}

const REGISTRATION_KINDS: Readonly<Record<Registration['paths'], readonly string[]>> = { every: ['registered'], some: ['registered', 'unregistered'], none: ['unregistered'] };

function joinRegistrations(a: Registration, b: Registration): Registration {
  const kinds = new Set([...REGISTRATION_KINDS[a.paths], ...REGISTRATION_KINDS[b.paths]]);
  return withPaths(b, kinds.size === 2 ? 'some' : kinds.has('registered') ? 'every' : 'none');
}

/** What both say of the exits (a registration's two fixed points bound the least one from above). */
function meetRegistrations(a: Registration, b: Registration): Registration {
  const kinds = REGISTRATION_KINDS[a.paths].filter((kind) => REGISTRATION_KINDS[b.paths].includes(kind));
  // No kind in common: no path returns; `every` says as much (nothing exits unregistered).
  return withPaths(a, kinds.length === 2 ? 'some' : kinds[0] === 'unregistered' ? 'none' : 'every');
}

/** `registration` over other paths: what it says of its paths that keep nothing (refresh, result, words) only holds for `some` it computed itself. */
function withPaths(registration: Registration, paths: Registration['paths']): Registration {
  if (registration.paths === paths) return registration;
  return registration.storesIn ? { paths, storesIn: registration.storesIn } : { paths };
}

function sameRegistration(a: Registration | undefined, b: Registration | undefined): boolean {
  if (!a || !b) return a === b;
  const sameSet = (x: ReadonlySet<string> | undefined, y: ReadonlySet<string> | undefined) => [...(x ?? [])].sort().join() === [...(y ?? [])].sort().join();
  return (
    a.paths === b.paths &&
    a.missedWhen === b.missedWhen &&
    !!a.refreshesOnly === !!b.refreshesOnly &&
    a.keptWhen?.property === b.keptWhen?.property &&
    a.keptWhen?.value === b.keptWhen?.value &&
    sameSet(a.storesIn?.slots, b.storesIn?.slots) &&
    sameSet(a.storesIn?.lists, b.storesIn?.lists)
  );
}

/** The union of two summaries of one function, per parameter (what the fixed point of a recursive group iterates on). */
function joinSummaries(a: FunctionSummary, b: FunctionSummary): FunctionSummary {
  return {
    ...b,
    parameters: packedMap(b.parameters, (use, index) => {
      const assumed = a.parameters[index];
      return use && assumed ? useOfKinds(new Set([...exitKinds(assumed), ...exitKinds(use)])) : use;
    }),
    registers: packedMap(b.registers, (registers, index) => {
      const assumed = a.registers[index];
      return registers && assumed ? joinRegistrations(assumed, registers) : registers;
    }),
  };
}

function sameSummaries(a: FunctionSummary, b: FunctionSummary): boolean {
  const sameUse = (x: ParameterUse | undefined, y: ParameterUse | undefined): boolean => (!x || !y ? x === y : [...exitKinds(x)].sort().join() === [...exitKinds(y)].sort().join());
  return a.parameters.length === b.parameters.length && a.parameters.every((use, index) => sameUse(use, b.parameters[index])) && a.registers.length === b.registers.length && a.registers.every((r, index) => sameRegistration(r, b.registers[index]));
}

/** Collects, per parameter, the facts its value holds where it leaves the function (in the last round of solving). */
class ParameterObserver implements FlowChecker {
  private readonly atExits = new Map<TrackedBinding, Set<string>>();

  constructor(private readonly engine: FlowEngine) {}

  onRound(): void {
    this.atExits.clear();
  }

  onLeave(binding: TrackedBinding, at: ts.Node, state: WorkingState): void {
    const ts = this.engine.ts;
    if (!ts.isParameter(binding.declaration) || ts.isBinaryExpression(at)) return;
    const kinds = this.atExits.get(binding) ?? new Set<string>();
    for (const fact of state.bindings[binding.index]) kinds.add(fact.kind);
    this.atExits.set(binding, kinds);
  }

  useOf(binding: TrackedBinding): ParameterUse {
    // `Wake#wakeByRef(self: Arc<this>)` borrows by contract.
    if (!binding.leakChecked && binding.kind !== 'raw') return { paths: 'none' };
    return useOfKinds(this.atExits.get(binding) ?? new Set<string>());
  }
}

const CONSUMPTIONS: readonly Consumption[] = ['woken', 'dropped', 'moved', 'escaped'];

/** Parameters the body assigns (`w = other`): their facts at the exits are not about the caller's value. */
function reassignedParameters(ts: TypeScript, context: FileContext, assignments: readonly ts.BinaryExpression[]): Set<ts.Symbol> {
  const symbols = new Set<ts.Symbol>();
  for (const assignment of assignments) {
    const target = skipOuterExpressions(ts, assignment.left);
    if (!ts.isIdentifier(target)) continue;
    const symbol = context.library.symbolAt(target);
    if (symbol?.valueDeclaration && ts.isParameter(symbol.valueDeclaration)) symbols.add(symbol);
  }
  return symbols;
}

/**
 * Whether every value the function returns is a place that outlives the call
 * (`return this.waker`, `return table.slots[key]` with `table` a parameter,
 * `return state.waker` with `state` module-level): the caller gets a loan, not
 * an owned value. A place of the function's own locals (`return entry.waker`
 * after `const entry = this.queue.shift()`) is the caller's to consume, and a
 * `take()` moves the value out first, so it returns something else.
 */
function lendsOnly(ts: TypeScript, checker: Checker, declaration: FunctionLikeWithBody): boolean {
  const returned: ts.Expression[] = [];
  const body = 'body' in declaration ? declaration.body : undefined;
  if (!body) return false;
  if (!ts.isBlock(body)) returned.push(body as ts.Expression);
  else {
    const visit = (node: ts.Node): void => {
      if (isFunctionBoundary(ts, node)) return;
      if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
  }
  return returned.length > 0 && returned.every((expression) => isLentPlace(ts, checker, declaration, body, expression));
}

function isLentPlace(ts: TypeScript, checker: Checker, declaration: FunctionLikeWithBody, body: ts.Node, expression: ts.Expression): boolean {
  let node = skipOuterExpressions(ts, expression);
  if (!ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return false;
  while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) node = skipOuterExpressions(ts, node.expression);
  if (node.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(node)) return false;
  // The root outlives the call: a parameter (the caller's object), or a name declared outside the body (module level).
  const root = checker.getSymbolAtLocation(node)?.valueDeclaration;
  if (!root) return false;
  if (ts.isParameter(root)) return root.parent === declaration;
  return root.getSourceFile() !== body.getSourceFile() || root.end <= body.pos || root.pos >= body.end;
}

function nameOf(ts: TypeScript, declaration: FunctionLikeWithBody): string {
  if (ts.isConstructorDeclaration(declaration)) return `new ${declaration.parent.name?.text ?? 'class'}`;
  const name = 'name' in declaration ? declaration.name : undefined;
  if (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) return name.text;
  const parent = declaration.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return 'the function';
}
