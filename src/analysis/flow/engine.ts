// The ownership dataflow of one function body: which tracked bindings hold a
// live value, and which were woken, dropped or moved, at every point of the CFG.
//
// Facts per binding form a may-set: a use where every fact is "woken" is an
// error, a use where some path still holds a live value is a warning. The
// analysis is forward, joins by union, and iterates to a fixed point (the facts
// are finite: one per kind and syntax node). Findings are produced by one more
// pass over the converged states, so every report sees the final facts.
//
// The engine knows no rule. Checkers (flow/checkers/) see the dataflow through
// `FlowChecker` hooks: ownership events (a use, a binding leaving its scope, a
// value disposed), and, for a checker with a lattice of its own (lost-wakeup's
// registrations), its state carried beside the bindings' and joined with them.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import type { Finding, RelatedSpan, Span, TypeScript } from '../types';
import { NO_SUMMARIES, type CallSummaries, type FunctionSummary } from './calls';
import { Discovery, type DiscoveryHooks, type TrackedBinding } from './discovery';
import { Effects, type Effect } from './effects';
import { correlateConditions } from './correlate';
import { buildCfg, type BasicBlock, type Cfg, type CfgOptions, type Edge, type FlowRoot, type FlowUnit, type Narrowing, type Op } from './graph';
import { runsAtLeastOnce } from './loops';
import { FactTable, joinFactLists, sameFactLists, sortFacts, type Fact, type Facts } from './lattice';
import { packedMap } from '../arrays';
import { climb, emptiedOnEdge, isNullish, switchCoversEveryValue } from './positions';
import { dependsOnName, destructuredPath, isInside, rootsReachedBy, type AccessPath, type MapMethod } from './places';
import { skipOuterExpressions, type Syntax, syntaxOf } from '../syntax';

/**
 * `borrowed`: live, but read out of a place that still holds it (`const w = this.waker`,
 * label: the place's path). Not the binding's to release until the place lets go of it.
 */
export type OwnershipFactKind = 'live' | 'borrowed' | 'woken' | 'dropped' | 'moved' | 'escaped' | 'nullish' | 'reported';
export type OwnershipFact = Fact<OwnershipFactKind>;
export type OwnershipFacts = Facts<OwnershipFactKind>;

/** The dataflow state at one point: facts per tracked binding (by its index), and each stateful checker's own state (by its slot). */
export interface FlowState {
  readonly bindings: readonly OwnershipFacts[];
  readonly checkers: readonly unknown[];
}

/** Each block's output state, by block id (`undefined`: not reached yet). */
type Outputs = (FlowState | undefined)[];

/** The state while one block is transferred: updated in place. */
export interface WorkingState {
  readonly bindings: OwnershipFacts[];
  readonly checkers: unknown[];
}

/** A checker's own lattice. */
export interface CheckerLattice<S> {
  initial(): S;
  /** The union; `a` itself when `b` adds nothing. */
  join(a: S, b: S): S;
  same(a: S, b: S): boolean;
}

/** A checker's place in the state; `get`/`set` read and write it. */
export interface StateSlot<S> {
  get(state: FlowState | WorkingState): S;
  set(state: { readonly checkers: unknown[] }, value: S): void;
}

/** How a checker takes part: every hook is optional. */
export interface FlowChecker extends DiscoveryHooks {
  /** A state edge taken only when `narrowing` holds: returns the narrowed state (or `state` itself). */
  narrow?(state: FlowState, narrowing: Narrowing): FlowState;
  /** A reference the checker watches (`DiscoveryHooks.onReference`) is evaluated. */
  evaluateReference?(identifier: ts.Identifier, state: WorkingState): void;
  /** A read of a place the checker watches (`Discovery.watchedReads`), after its object and index were evaluated. */
  evaluateRead?(access: ts.PropertyAccessExpression | ts.ElementAccessExpression, state: WorkingState): void;
  /** A call whose callee and arguments were evaluated. */
  evaluateCall?(call: ts.CallExpression, state: WorkingState): void;
  /** An assignment `a = b` whose target is not a tracked binding (`this.waker = w`), after the engine's own handling. */
  evaluateAssignment?(assignment: ts.BinaryExpression, state: WorkingState): void;
  /** A variable declaration is initialised, after the engine's own handling. */
  evaluateDeclaration?(declaration: ts.VariableDeclaration, state: WorkingState): void;
  /** A closure or class is created. */
  evaluateClosure?(closure: ts.Node, state: WorkingState): void;
  /** `closure` takes `binding`'s value with it and outlives the call, yet never wakes, drops or moves it. Reporting pass only. */
  onKeptByClosure?(binding: TrackedBinding, closure: ts.Node, state: WorkingState): void;
  /** A reference to `binding` is about to apply `effect`. */
  beforeEffect?(binding: TrackedBinding, effect: Effect, reference: ts.Identifier, state: WorkingState): void;
  /** The value of `binding` is read at `use` (a reference, or a capture by a closure). */
  onUse?(binding: TrackedBinding, use: ts.Node, state: WorkingState): void;
  /** `binding`'s current value stops being reachable through it at `at`: a scope end, an exit, or an overwrite. */
  onLeave?(binding: TrackedBinding, at: ts.Node, state: WorkingState): void;
  /** `binding`'s value, with facts `before`, is disposed of by `fact` (woken, dropped, moved, escaped). Reporting pass only. */
  onDispose?(binding: TrackedBinding, before: OwnershipFacts, fact: OwnershipFact): void;
  /** `binding`'s value is handed on (moved into another binding, stored, passed, returned). */
  onHandOff?(binding: TrackedBinding): void;
  /** The function is left at `at` (a `return`, a `throw`, the end of its body). */
  onExit?(at: ts.Node, state: WorkingState): void;
  /** The round whose states observers read starts: it transfers every block from its converged input (`solveOnly`). */
  onRound?(): void;
  /** After the reporting pass. */
  finish?(): void;
  /** Forgets the unit just analysed: the next `FlowEngine.reset` hands the checker another (see `FlowEngine.reset`). */
  reset?(): void;
}

/**
 * One unit's dataflow at a time. `reset` moves it and its checkers on to the
 * next unit of the same file, so a file's units share one engine, discovery,
 * effects and set of checkers, and each unit allocates only the tables it fills
 * (a fresh set per unit was about a tenth of what the flow pass allocated).
 */
export class FlowEngine {
  readonly ts: FileContext['ts'];
  /** The typescript module's enums and predicates, read once (see `syntaxOf`); the checkers read them here too. */
  readonly syntax: Syntax;
  unit: FlowUnit;
  root: FlowRoot;
  readonly discovery: Discovery;
  readonly effects: Effects;
  /** `captureMode` per closure and captured binding, the same in every pass (made on first use: most units create no closure). */
  private captureModes: Map<ts.Node, Map<TrackedBinding, 'borrow' | 'move' | 'keep'>> | undefined;
  /** What calls of the program's own functions do (interprocedural summaries); records what it reads in `reads`. */
  readonly calls: CallSummaries;
  /** The function bodies the summaries this analysis used were computed from (for incremental re-analysis; made on first use: most units call no helper). */
  private readBodies: Set<ts.Node> | undefined;
  /** Whether the current pass is the reporting one (after convergence). */
  reporting = false;
  private readonly checkers: FlowChecker[] = [];
  /**
   * The checkers taking part in this unit's dataflow (`needsDataflow`; a checker
   * without that hook always does). The others, a `poll`'s lost-wakeup outside a
   * `poll`, fields where no field is a place, would return at once from every
   * hook of every operation of every pass (speed).
   */
  private active: readonly FlowChecker[] = NO_CHECKERS;
  private readonly lattices: CheckerLattice<unknown>[] = [];
  /**
   * `solve`'s tables by block id (dense within a graph), one pair for all the
   * units: two arrays a unit, grown by writes, were 1.4 MB of the 84 MB a warm
   * worst-case analysis allocates (200 files).
   * Between units every output is empty again (`forgetOutputs`); `solve` marks
   * every block stale first.
   */
  private readonly outs: Outputs = [];
  private readonly stale: boolean[] = [];
  /** What the CFG builder asks of every unit's discovery (one set of callbacks for all the units this engine analyses); without `isInterestingRead` for the units that watch no read (most). */
  private readonly cfgOptions: CfgOptions;
  private readonly cfgOptionsWithReads: CfgOptions;
  // The tables below are made on first use: most units need no dataflow and report nothing (speed).
  private facts: FactTable | undefined;
  private reported: Finding[] | undefined;
  /** The places that `borrowed` facts name, by path. */
  private aliasedPlaces: Map<string, AccessPath> | undefined;
  private initial: FlowState | undefined;
  /** `emptiedBinding` per narrowing: asked on every pass over every edge. */
  private emptiedBindings: Map<Narrowing, { readonly binding: TrackedBinding; readonly expr: ts.Identifier } | null> | undefined;

  constructor(
    readonly context: FileContext,
    unit: FlowUnit,
    summaries: CallSummaries = NO_SUMMARIES,
  ) {
    this.ts = context.ts;
    this.syntax = syntaxOf(context.ts);
    this.unit = unit;
    this.root = unit.root;
    this.calls = {
      of: (call) => {
        const summary = summaries.of(call);
        if (summary) this.noteRead(summary);
        return summary;
      },
    };
    this.discovery = new Discovery(context, unit, this.checkers, this.calls);
    this.effects = new Effects(context, this.discovery, this.calls);
    const discovery = this.discovery;
    const isInteresting = (identifier: ts.Identifier): boolean => discovery.uses.has(identifier) || discovery.watchedReferences.has(identifier);
    const coversEveryValue = (node: ts.SwitchStatement): boolean => switchCoversEveryValue(this.ts, this.context.checker, node);
    const runsAtLeast = (node: ts.ForStatement | ts.ForOfStatement): boolean => runsAtLeastOnce(this.ts, this.context.library, node);
    // Both written out with the same keys in the same order: one object shape where the builder reads them.
    this.cfgOptions = { isInteresting, isInterestingRead: undefined, coversEveryValue, runsAtLeastOnce: runsAtLeast };
    this.cfgOptionsWithReads = { isInteresting, isInterestingRead: (access) => discovery.watchedReads.has(access), coversEveryValue, runsAtLeastOnce: runsAtLeast };
  }

  /**
   * Moves on to `unit`, of the same file: everything learnt about the last unit
   * is dropped, here, in discovery and effects, and in every checker (`reset`).
   * The tables handed out (`reads`, the findings) are never cleared in place.
   */
  reset(unit: FlowUnit): void {
    this.unit = unit;
    this.root = unit.root;
    this.discovery.reset(unit);
    this.effects.reset();
    this.captureModes = undefined;
    this.readBodies = undefined;
    this.reporting = false;
    this.active = NO_CHECKERS;
    this.lattices.length = 0;
    this.facts = undefined;
    this.reported = undefined;
    this.aliasedPlaces = undefined;
    this.initial = undefined;
    this.emptiedBindings = undefined;
    for (let i = 0; i < this.checkers.length; i++) this.checkers[i].reset?.();
  }

  private noteRead(summary: FunctionSummary): void {
    for (const node of summary.reads) (this.readBodies ??= new Set()).add(node);
  }

  get reads(): ReadonlySet<ts.Node> {
    return this.readBodies ?? NO_NODES;
  }

  /** Adds a checker; its hooks run in the order checkers were added. */
  use(checker: FlowChecker): void {
    this.checkers.push(checker);
  }

  /** A place in the state for a checker's own lattice. */
  allocate<S>(lattice: CheckerLattice<S>): StateSlot<S> {
    const slot = this.lattices.length;
    this.lattices.push(lattice as CheckerLattice<unknown>);
    return {
      get: (state) => state.checkers[slot] as S,
      set: (state, value) => {
        state.checkers[slot] = value;
      },
    };
  }

  /**
   * Discovers, solves to a fixed point, then transfers once more with reporting
   * on; appends the findings. Without loops or copies of a block, one pass in
   * reverse post-order sees every block's final input (transfer depends on its
   * input alone): that pass is the reporting one, and the solve is skipped.
   */
  run(findings: Finding[]): void {
    const cfg = this.discoverAndBuild();
    if (cfg) {
      if (isSinglePass(cfg)) {
        this.reporting = true;
        this.solve(cfg);
      } else this.reportFrom(cfg, this.solve(cfg));
      this.forgetOutputs(cfg);
      for (let i = 0; i < this.checkers.length; i++) this.checkers[i].finish?.();
    }
    if (this.reported) for (const finding of this.reported) findings.push(finding);
  }

  /** The reporting pass: once per original block, from the union of its copies' inputs (a problem on some paths stays a warning). */
  private reportFrom(cfg: Cfg, outs: Outputs): void {
    this.reporting = true;
    const inputs = new Map<BasicBlock, FlowState>();
    for (const block of cfg.blocks) {
      const input = this.inputOf(block, cfg.entry, outs);
      if (!input) continue;
      const original = block.original ?? block;
      const earlier = inputs.get(original);
      inputs.set(original, earlier ? this.joinStates(earlier, input) : input);
    }
    for (const [block, input] of inputs) this.transferBlock(block, input);
  }

  /**
   * Discovers and solves to a fixed point, without the reporting pass: for
   * checkers that only observe (a summary's), which see the converged states
   * in a last round over every block from its converged input (`onRound` starts
   * it). Without loops, the solve's one round is that round.
   */
  solveOnly(): void {
    const cfg = this.discoverAndBuild();
    if (!cfg) return;
    if (cfg.acyclic) {
      for (let i = 0; i < this.active.length; i++) this.active[i].onRound?.();
      this.solve(cfg);
    } else {
      const outs = this.solve(cfg);
      for (let i = 0; i < this.active.length; i++) this.active[i].onRound?.();
      for (const block of cfg.blocks) {
        const input = this.inputOf(block, cfg.entry, outs);
        if (input) this.transferBlock(block, input);
      }
    }
    this.forgetOutputs(cfg);
  }

  /** Discovers; the unit's CFG when it needs the dataflow. */
  private discoverAndBuild(): Cfg | undefined {
    this.discovery.run();
    if (!this.discovery.needsDataflow) return undefined;
    this.active = this.checkers.filter((checker) => checker.needsDataflow?.() ?? true);
    const whole = buildCfg(this.ts, this.root, this.discovery.watchedReads.size > 0 ? this.cfgOptionsWithReads : this.cfgOptions);
    return correlateConditions(this.ts, this.context.checker, whole, this.root);
  }

  // ---------------------------------------------------------------- for checkers

  fact<Kind extends string>(kind: Kind, site: ts.Node, label?: string): Fact<Kind> {
    return (this.facts ??= new FactTable()).fact(kind, site, label);
  }

  span(node: ts.Node): Span {
    return { file: this.context.file.fileName, start: node.getStart(this.context.file), end: node.getEnd() };
  }

  // Written out: a spread of the span (`{ ...span, message }`) took V8 about twenty times as long.
  related(node: ts.Node, message: string): RelatedSpan {
    return { file: this.context.file.fileName, start: node.getStart(this.context.file), end: node.getEnd(), message };
  }

  /**
   * One finding per rule and span: the first report wins. A unit reports a few
   * findings, so a scan beats a map keyed by a string made for every report (speed).
   */
  report(finding: Finding): void {
    const reported = (this.reported ??= []);
    const { start, end } = finding.span;
    for (let i = 0; i < reported.length; i++) {
      const earlier = reported[i];
      if (earlier.rule === finding.rule && earlier.span.start === start && earlier.span.end === end) return;
    }
    reported.push(finding);
  }

  /** `next`, keeping the `reported` fact of `before` (one report per chain of misuses). */
  keepReported(before: OwnershipFacts, next: OwnershipFact[]): OwnershipFacts {
    const reported = before.find((f) => f.kind === 'reported');
    return reported ? sortFacts([...next, reported]) : next;
  }

  // ---------------------------------------------------------------- dataflow

  /** The state at the entry, made once: every pass starts from it (facts are interned, so it never changes). */
  private initialState(): FlowState {
    this.initial ??= this.makeInitialState();
    return this.initial;
  }

  private makeInitialState(): FlowState {
    // A copy of the bindings overwritten, not a push per binding: as long as it needs to be (a push onto `[]` makes
    // room for 17) and packed, as every state's arrays are (slices of this one).
    const bindings = this.discovery.bindings.slice() as unknown[] as OwnershipFacts[];
    for (let i = 0; i < bindings.length; i++) bindings[i] = NO_FACTS;
    for (const binding of this.discovery.bindings) {
      if (this.syntax.isParameter(binding.declaration)) {
        const facts: OwnershipFact[] = [this.fact('live', binding.declaration.name)];
        if (binding.declaration.questionToken || binding.declaration.initializer) facts.push(this.fact('nullish', binding.declaration));
        bindings[binding.index] = sortFacts(facts);
      }
    }
    return { bindings, checkers: packedMap(this.lattices, (lattice) => lattice.initial()) };
  }

  /**
   * Transfers blocks in reverse post-order until no output changes, each block
   * again only when an output it depends on changed (a block's transfer depends
   * on its input alone, so the others would give what they gave).
   */
  private solve(cfg: Cfg): Outputs {
    const { blocks, entry } = cfg;
    const { outs, stale } = this;
    for (let b = 0; b < blocks.length; b++) stale[blocks[b].id] = true;
    let changed = true;
    let rounds = 0;
    while (changed) {
      changed = false;
      if (++rounds > 1000) break; // A safety net: the lattice is finite, so this is never reached in practice.
      for (let b = 0; b < blocks.length; b++) {
        const block = blocks[b];
        if (!stale[block.id]) continue;
        stale[block.id] = false;
        const input = this.inputOf(block, entry, outs);
        if (!input) continue;
        const output = this.transferBlock(block, input);
        const previous = outs[block.id];
        if (!previous || !this.sameState(previous, output)) {
          outs[block.id] = output;
          for (let i = 0; i < block.succs.length; i++) stale[block.succs[i].to.id] = true;
          changed = true;
        }
      }
    }
    return outs;
  }

  /** Empties `outs` again for the next unit: only the blocks of `cfg` were written (a block out of reach has no output). */
  private forgetOutputs(cfg: Cfg): void {
    const { blocks } = cfg;
    for (let b = 0; b < blocks.length; b++) this.outs[blocks[b].id] = undefined;
  }

  private inputOf(block: BasicBlock, entry: BasicBlock, outs: Outputs): FlowState | undefined {
    let input: FlowState | undefined = block === entry ? this.initialState() : undefined;
    const preds = block.preds;
    for (let i = 0; i < preds.length; i++) {
      const edge = preds[i];
      const out = outs[edge.from.id];
      if (!out) continue;
      const narrowed = this.narrow(out, edge);
      input = input ? this.joinStates(input, narrowed) : narrowed;
    }
    return input;
  }

  // Plain loops in the two below: they run for every edge and block of every pass (speed).
  private joinStates(a: FlowState, b: FlowState): FlowState {
    const bindings = joinFactLists(a.bindings, b.bindings);
    let checkers: unknown[] | undefined;
    for (let slot = 0; slot < this.lattices.length; slot++) {
      const joined = this.lattices[slot].join(a.checkers[slot], b.checkers[slot]);
      if (joined !== a.checkers[slot]) {
        checkers ??= a.checkers.slice();
        checkers[slot] = joined;
      }
    }
    return bindings === a.bindings && !checkers ? a : { bindings, checkers: checkers ?? a.checkers };
  }

  private sameState(a: FlowState, b: FlowState): boolean {
    if (a === b) return true;
    if (!sameFactLists(a.bindings, b.bindings)) return false;
    for (let slot = 0; slot < this.lattices.length; slot++) if (!this.lattices[slot].same(a.checkers[slot], b.checkers[slot])) return false;
    return true;
  }

  /** On the edge where a tracked binding is known to be null/undefined, it holds nothing. */
  private narrow(state: FlowState, edge: Edge): FlowState {
    const narrowing = edge.narrowing;
    if (!narrowing) return state;
    for (let i = 0; i < this.active.length; i++) state = this.active[i].narrow?.(state, narrowing) ?? state;
    let emptied = this.emptiedBindings?.get(narrowing);
    if (emptied === undefined) (this.emptiedBindings ??= new Map()).set(narrowing, (emptied = this.emptiedBinding(narrowing) ?? null));
    if (!emptied) return state;
    const { binding, expr } = emptied;
    if (state.bindings[binding.index].length === 0) return state;
    const bindings = state.bindings.slice();
    bindings[binding.index] = this.keepReported(state.bindings[binding.index], [this.fact('nullish', expr)]);
    return { bindings, checkers: state.checkers };
  }

  /** The tracked binding a narrowing proves empty (`w` on the false edge of `if (w)`), if any. */
  private emptiedBinding(narrowing: Narrowing): { readonly binding: TrackedBinding; readonly expr: ts.Identifier } | undefined {
    const expr = emptiedOnEdge(this.ts, narrowing);
    const binding = expr && this.syntax.isIdentifier(expr) ? this.discovery.uses.get(expr) : undefined;
    return binding && { binding, expr: expr as ts.Identifier };
  }

  private transferBlock(block: BasicBlock, input: FlowState): FlowState {
    const ops = block.ops;
    // Two blocks in five hold no operation (a branch's join, a loop's head): their output is their input, no copy.
    if (ops.length === 0) return input;
    // Most units carry no checker state: nothing would write a copy of the empty array.
    const state: WorkingState = { bindings: input.bindings.slice(), checkers: input.checkers.length === 0 ? (input.checkers as unknown[]) : input.checkers.slice() };
    for (let i = 0; i < ops.length; i++) this.transfer(ops[i], state);
    return state;
  }

  private transfer(op: Op, state: WorkingState): void {
    switch (op.kind) {
      case 'declare':
        this.declare(op.node, state);
        return;
      case 'scopeEnd': {
        const scoped = this.discovery.scoped.get(op.node) ?? NO_BINDINGS;
        for (let i = 0; i < scoped.length; i++) {
          const binding = scoped[i];
          this.leave(binding, op.via ?? op.node, state);
          // Out of scope it holds nothing, as before its declaration: so a loop body's binding reaches the loop head
          // by the back edge as it did from before the loop, and the head's input does not change once more (a round saved).
          state.bindings[binding.index] = NO_FACTS;
        }
        return;
      }
      case 'exit':
        for (let i = 0; i < this.discovery.bindings.length; i++) this.leave(this.discovery.bindings[i], op.node, state);
        for (let i = 0; i < this.active.length; i++) this.active[i].onExit?.(op.node, state);
        return;
      case 'eval':
        this.evaluate(op.node, state);
        return;
    }
  }

  /**
   * By the node's kind first: only an identifier can be a use or a watched
   * reference, only an access a watched read, so a call (a third of the
   * operations) is told by one comparison, not three table lookups (speed).
   */
  private evaluate(node: ts.Node, state: WorkingState): void {
    const { SyntaxKind } = this.syntax;
    const kind = node.kind;
    if (kind === SyntaxKind.Identifier) {
      const binding = this.discovery.uses.get(node);
      if (binding) this.useBinding(binding, node as ts.Identifier, state);
      const watched = this.discovery.watchedReferences.has(node);
      if (watched) for (let i = 0; i < this.active.length; i++) this.active[i].evaluateReference?.(node as ts.Identifier, state);
      if (binding || watched) return;
    } else if ((kind === SyntaxKind.PropertyAccessExpression || kind === SyntaxKind.ElementAccessExpression) && this.discovery.watchedReads.has(node)) {
      for (let i = 0; i < this.active.length; i++) this.active[i].evaluateRead?.(node as ts.PropertyAccessExpression | ts.ElementAccessExpression, state);
      return;
    }
    if (kind === SyntaxKind.CallExpression) {
      const call = node as ts.CallExpression;
      if (this.sharing(state)) this.aliasesAtCall(call, state);
      for (let i = 0; i < this.active.length; i++) this.active[i].evaluateCall?.(call, state);
      return;
    }
    if (kind === SyntaxKind.BinaryExpression) {
      this.evaluateBinary(node as ts.BinaryExpression, state);
      return;
    }
    // A closure (or object-literal method) is created: it captures what it references, by reference or by move (`captureMode`).
    const captures = this.discovery.captures.get(node) ?? NO_BINDINGS;
    for (let c = 0; c < captures.length; c++) {
      const captured = captures[c];
      this.used(captured, node, state);
      const mode = this.captureMode(node, captured);
      if (mode === 'borrow') continue;
      if (mode === 'keep' && this.reporting) for (let i = 0; i < this.active.length; i++) this.active[i].onKeptByClosure?.(captured, node, state);
      this.setFacts(captured, this.fact('moved', node, 'value moved into closure here'), state);
    }
    for (let i = 0; i < this.active.length; i++) this.active[i].evaluateClosure?.(node, state);
  }

  private evaluateBinary(node: ts.BinaryExpression, state: WorkingState): void {
    const syntax = this.syntax;
    const ts = this.ts;
    const left = skipOuterExpressions(ts, node.left);
    if (syntax.isIdentifier(left)) {
      const target = this.discovery.bindingOfIdentifier(left);
      if (target) this.assign(target, node.right, node, state);
    } else if (syntax.isArrayLiteralExpression(left) || syntax.isObjectLiteralExpression(left)) {
      // Destructuring writes: whatever lands in a tracked binding is unknown.
      this.forEachIdentifier(left, (identifier) => {
        const target = this.discovery.bindingOfIdentifier(identifier);
        if (target) state.bindings[target.index] = [this.fact('escaped', identifier)];
      });
    }
    if (node.operatorToken.kind === this.syntax.SyntaxKind.EqualsToken) {
      if (this.sharing(state)) this.aliasesAtAssignment(left, state);
      for (let i = 0; i < this.active.length; i++) this.active[i].evaluateAssignment?.(node, state);
    }
  }

  private forEachIdentifier(node: ts.Node, action: (identifier: ts.Identifier) => void): void {
    const syntax = this.syntax;
    const visit = (child: ts.Node): void => {
      if (syntax.isIdentifier(child)) action(child);
      else syntax.forEachChild(child, visit);
    };
    visit(node);
  }

  /**
   * A declaration is initialised. A destructured binding (`const { waker } =
   * entry`) and the variable of a loop over a fresh array (`for (const w of
   * queue.splice(0))`) receive a value of their own, live from their name.
   */
  private declare(declaration: ts.VariableDeclaration, state: WorkingState): void {
    if (this.sharing(state)) this.forEachDeclaredName(declaration.name, (name) => this.escapeAliases((place) => dependsOnName(place, name), state));
    this.declareBindings(declaration, state);
    for (let i = 0; i < this.active.length; i++) this.active[i].evaluateDeclaration?.(declaration, state);
  }

  private declareBindings(declaration: ts.VariableDeclaration, state: WorkingState): void {
    const syntax = this.syntax;
    const ts = this.ts;
    if (!syntax.isIdentifier(declaration.name)) {
      // `const { waker } = entry` shares `entry.waker`'s value; from a call (`= queue.shift()!`) the value is the binding's own.
      const source = declaration.initializer && this.discovery.objectPath(declaration.initializer);
      for (const binding of this.discovery.bindingsDestructuredBy(declaration)) {
        const path = source && syntax.isBindingElement(binding.declaration) ? destructuredPath(ts, binding.declaration, source.path) : undefined;
        if (path && source) {
          this.leave(binding, binding.declaration, state);
          state.bindings[binding.index] = [this.borrowedFact(binding.declaration.name, { ...source, path })];
        } else this.receive(binding, binding.declaration.name, state);
      }
      return;
    }
    const binding = this.discovery.bindingOfDeclaration(declaration);
    if (!binding) return;
    const loop = declaration.parent.parent;
    if (!syntax.isForOfStatement(loop)) this.assign(binding, declaration.initializer, declaration, state);
    else {
      // `for (const w of waiting)`: each element is lent by the array that still holds it (one place per loop variable).
      const array = this.discovery.iteratedPlace(loop);
      if (!array) this.receive(binding, declaration.name, state);
      else {
        this.leave(binding, binding.declaration, state);
        state.bindings[binding.index] = [this.borrowedFact(declaration.name, array)];
      }
    }
  }

  private receive(binding: TrackedBinding, origin: ts.Node, state: WorkingState): void {
    this.leave(binding, binding.declaration, state);
    state.bindings[binding.index] = [this.fact('live', origin)];
  }

  /** `binding = value` (or its declaration): the old value leaves; the new one is tracked. */
  private assign(binding: TrackedBinding, value: ts.Expression | undefined, site: ts.Node, state: WorkingState): void {
    const syntax = this.syntax;
    const ts = this.ts;
    this.leave(binding, site, state);
    if (!value) {
      state.bindings[binding.index] = [this.fact('nullish', site)];
      return;
    }
    const inner = skipOuterExpressions(ts, value);
    const source = syntax.isIdentifier(inner) ? this.discovery.uses.get(inner) : undefined;
    if (source && source !== binding) {
      // `last = waker` copies the pointer, which touches nothing: `last` now holds what `waker` held,
      // a waker woken or dropped included (a later `last.willWake(…)` is the use after wake), and
      // what was still `waker`'s to release is moved into `last`.
      const sourceFacts = state.bindings[source.index];
      const carried = sourceFacts.filter((f) => f.kind === 'live' || f.kind === 'borrowed' || f.kind === 'nullish');
      const consumed = sourceFacts.filter((f) => f.kind === 'woken' || f.kind === 'dropped');
      const unknown = sourceFacts.some((f) => f.kind === 'moved' || f.kind === 'escaped');
      const shared = packedMap(consumed, (f) => this.fact(f.kind, f.site, f.label ?? sharedLabel(source.name)));
      state.bindings[binding.index] = sortFacts(unknown ? [...carried, ...shared, this.fact('escaped', site)] : [...carried, ...shared]);
      if (carried.length === 0) return;
      this.handOff(source);
      state.bindings[source.index] = this.keepReported(state.bindings[source.index], sortFacts([...consumed, this.fact('moved', inner, `value moved into \`${binding.name}\` here`)]) as OwnershipFact[]);
      return;
    }
    if (source === binding) return;
    state.bindings[binding.index] = sortFacts(this.originsOf(inner, site));
  }

  /** Where an assigned value comes from: a creation (live), nothing (nullish), either branch of `?:`, or somewhere unknown (escaped at `site`). */
  private originsOf(value: ts.Expression, site: ts.Node): OwnershipFact[] {
    const syntax = this.syntax;
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, value);
    if (this.discovery.creations.has(inner)) return [this.fact('live', inner)];
    if (isNullish(ts, inner)) return [this.fact('nullish', inner)];
    const place = this.discovery.placeRead(inner);
    if (place) return [this.borrowedFact(inner, place)];
    if (syntax.isConditionalExpression(inner)) return [...this.originsOf(inner.whenTrue, site), ...this.originsOf(inner.whenFalse, site)];
    return [this.fact('escaped', site)];
  }

  private useBinding(binding: TrackedBinding, identifier: ts.Identifier, state: WorkingState): void {
    const effect = this.effects.of(binding, identifier);
    for (let i = 0; i < this.active.length; i++) this.active[i].beforeEffect?.(binding, effect, identifier, state);
    switch (effect.kind) {
      case 'ignore':
        return;
      case 'write':
        state.bindings[binding.index] = [this.fact('escaped', identifier)];
        return;
      case 'use':
        this.used(binding, identifier, state);
        return;
      case 'consume': {
        this.used(binding, identifier, state);
        if (this.sharing(state)) this.shareWithAliases(binding, this.fact(effect.how, effect.site, sharedLabel(binding.name)), state);
        this.setFacts(binding, this.fact(effect.how, effect.site), state);
        return;
      }
      case 'move':
        this.used(binding, identifier, state);
        this.handOff(binding);
        if (this.sharing(state)) this.shareWithAliases(binding, this.fact('escaped', effect.site), state);
        this.setFacts(binding, this.fact('moved', effect.site, effect.label), state);
        return;
      case 'escape':
        this.used(binding, identifier, state);
        this.handOff(binding);
        if (this.sharing(state)) this.shareWithAliases(binding, this.fact('escaped', effect.site), state);
        this.setFacts(binding, this.fact('escaped', effect.site), state);
        return;
      case 'handOver': {
        // A helper of the program: its summary says what became of the value (`consumed`), on every path or some.
        this.used(binding, identifier, state);
        const only = effect.consumed.length === 1 ? effect.consumed[0]!.kind : undefined;
        if (this.sharing(state)) {
          const shared = only === 'woken' || only === 'dropped' ? this.fact(only, effect.site, sharedLabel(binding.name)) : this.fact('escaped', effect.site);
          this.shareWithAliases(binding, shared, state);
        }
        if (effect.consumed.some((c) => c.kind === 'moved' || c.kind === 'escaped')) this.handOff(binding);
        this.setFactList(
          binding,
          packedMap(effect.consumed, (c) => this.fact(c.kind, effect.site, c.label)),
          state,
        );
        return;
      }
    }
  }

  /**
   * How a closure captures a binding, as Rust infers it from the body: by
   * reference (`borrow`) when the closure only uses the value and runs before
   * the call that takes it returns (an argument of `forEach`, `some`, `find`,
   * …: `list.some((w) => w.willWake(waker))`); else by move. A closure that
   * outlives the call (a timer's callback) owns what it captures: `keep` when
   * no reference in it wakes, drops or moves the value (it leaks there).
   */
  private captureMode(closure: ts.Node, binding: TrackedBinding): 'borrow' | 'move' | 'keep' {
    this.captureModes ??= new Map();
    let modes = this.captureModes.get(closure);
    if (!modes) this.captureModes.set(closure, (modes = new Map()));
    let mode = modes.get(binding);
    if (mode) return mode;
    const references = this.discovery.captureReferences.get(closure)?.get(binding.symbol) ?? [];
    const onlyUses = references.every((reference) => {
      const kind = this.effects.of(binding, reference).kind;
      return kind === 'use' || kind === 'ignore';
    });
    mode = !onlyUses ? 'move' : runsDuringCall(this.ts, closure) ? 'borrow' : 'keep';
    modes.set(binding, mode);
    return mode;
  }

  private used(binding: TrackedBinding, use: ts.Node, state: WorkingState): void {
    for (let i = 0; i < this.active.length; i++) this.active[i].onUse?.(binding, use, state);
  }

  private leave(binding: TrackedBinding, at: ts.Node, state: WorkingState): void {
    for (let i = 0; i < this.active.length; i++) this.active[i].onLeave?.(binding, at, state);
  }

  private handOff(binding: TrackedBinding): void {
    for (let i = 0; i < this.active.length; i++) this.active[i].onHandOff?.(binding);
  }

  private setFacts(binding: TrackedBinding, fact: OwnershipFact, state: WorkingState): void {
    this.setFactList(binding, [fact], state);
  }

  /** The value is disposed of in one of several ways (`facts`: one per way, a may-set). */
  private setFactList(binding: TrackedBinding, facts: OwnershipFact[], state: WorkingState): void {
    const before = state.bindings[binding.index];
    if (this.reporting) for (const fact of facts) for (let i = 0; i < this.active.length; i++) this.active[i].onDispose?.(binding, before, fact);
    state.bindings[binding.index] = this.keepReported(before, sortFacts(facts) as OwnershipFact[]);
  }

  // ---------------------------------------------------------------- aliasing
  //
  // A value read out of a place (`const w = this.waker`) is a copy of the
  // pointer: the place and the local both hold it, as two owners would. So:
  //   - assigning the place (`this.waker = undefined`, a `take`) hands the value
  //     to the local, which must then release it (`borrowed` becomes `live`);
  //   - consuming the local consumes what the place and every other local read
  //     out of it hold (the fields checker sees the place's side in `beforeEffect`),
  //     and consuming through the place consumes the locals' value;
  //   - rebinding the path's root or an index, or a call that may reach the
  //     object, makes the sharing unknown (`escaped`: nothing is reported).

  /** Whether some binding still shares a place's value here (else the rule has nothing to do: the common case). */
  private sharing(state: WorkingState): boolean {
    if (!this.discovery.aliasing) return false;
    // Indexed, no callbacks: asked at every call, consumption and declaration of a unit that reads places.
    const bindings = state.bindings;
    for (let b = 0; b < bindings.length; b++) {
      const facts = bindings[b];
      for (let f = 0; f < facts.length; f++) if (facts[f].kind === 'borrowed') return true;
    }
    return false;
  }

  private borrowedFact(site: ts.Node, place: AccessPath): OwnershipFact {
    (this.aliasedPlaces ??= new Map()).set(place.path, place);
    return this.fact('borrowed', site, place.path);
  }

  /** Replaces, in every binding, the `borrowed` facts whose place `matches` with what `replace` gives. */
  private rewriteAliases(matches: (place: AccessPath) => boolean, replace: (borrowed: OwnershipFact) => OwnershipFact, state: WorkingState, except?: TrackedBinding): void {
    for (const binding of this.discovery.bindings) {
      if (binding === except) continue;
      const facts = state.bindings[binding.index];
      if (!facts.some((f) => f.kind === 'borrowed' && matches(this.aliasedPlaces!.get(f.label!)!))) continue;
      state.bindings[binding.index] = sortFacts(packedMap(facts, (f) => (f.kind === 'borrowed' && matches(this.aliasedPlaces!.get(f.label!)!) ? replace(f) : f)));
    }
  }

  private escapeAliases(matches: (place: AccessPath) => boolean, state: WorkingState): void {
    this.rewriteAliases(matches, (f) => this.fact('escaped', f.site), state);
  }

  /** `binding`'s value is consumed or handed on: so is what the other locals read out of the same place share with it. */
  private shareWithAliases(binding: TrackedBinding, fact: OwnershipFact, state: WorkingState): void {
    const paths = new Set(packedMap(state.bindings[binding.index].filter((f) => f.kind === 'borrowed'), (f) => f.label!));
    if (paths.size > 0) this.rewriteAliases((place) => paths.has(place.path), () => fact, state, binding);
  }

  /** `target = …`: a place assigned lets go of its value (the locals that read it now own it); a rebound name renames places. */
  private aliasesAtAssignment(target: ts.Expression, state: WorkingState): void {
    const syntax = this.syntax;
    if (syntax.isIdentifier(target)) {
      this.escapeAliases((place) => dependsOnName(place, target.text), state);
      return;
    }
    const assigned = this.discovery.placePath(target);
    if (!assigned) return;
    this.rewriteAliases((place) => place.path === assigned.path, (f) => this.fact('live', f.site), state);
    this.escapeAliases((place) => isInside(place.path, assigned.path), state);
  }

  /** `this.waker.wake()` consumes what the locals read out of `this.waker`; a call that may reach the object makes them unknown. */
  private aliasesAtCall(call: ts.CallExpression, state: WorkingState): void {
    const syntax = this.syntax;
    const ts = this.ts;
    const method = this.discovery.mapMethod(call);
    if (method !== undefined) {
      this.aliasesAtMapCall(call, method, state);
      return;
    }
    const callee = skipOuterExpressions(ts, call.expression);
    const receiver = syntax.isPropertyAccessExpression(callee) ? this.discovery.placePath(callee.expression) : undefined;
    const passed = packedMap(call.arguments, (argument) => this.discovery.placePath(argument));
    const roots = rootsReachedBy(ts, call);
    // Nothing shared is reached (`w.wakeByRef()` with `w` read out of `this.waiters`): no need to resolve the callee.
    if (!receiver && passed.every((path) => !path) && ![...(this.aliasedPlaces?.values() ?? [])].some((place) => roots.has(place.root))) return;
    const name = this.context.library.calleeOf(call);
    if (receiver) {
      const how = name === 'Waker#wake' ? 'woken' : name === 'Waker#drop' || name === 'Box#drop' || name === 'Arc#drop' ? 'dropped' : undefined;
      if (how) this.rewriteAliases((place) => place.path === receiver.path, () => this.fact(how, call, sharedLabel(receiver.path)), state);
    }
    for (const passedPath of passed) {
      if (!passedPath) continue;
      if (name === 'drop') this.rewriteAliases((place) => place.path === passedPath.path, () => this.fact('dropped', call, sharedLabel(passedPath.path)), state);
      else if (name === undefined) this.escapeAliases((place) => place.path === passedPath.path || isInside(place.path, passedPath.path), state);
    }
    if (name === undefined && roots.size > 0) this.escapeAliases((place) => roots.has(place.root), state);
  }

  /**
   * `map.set(k, w)` and `map.delete(k)` assign the entry `map[k]` as `slots[k] = …`
   * does (the locals that read it out now own it); `clear()` assigns every entry.
   * `get` and `has` only read: the map reaches nothing else.
   */
  private aliasesAtMapCall(call: ts.CallExpression, method: MapMethod, state: WorkingState): void {
    if (method === 'clear') {
      const map = this.discovery.objectPath((call.expression as ts.PropertyAccessExpression).expression);
      if (map) this.rewriteAliases((place) => isInside(place.path, map.path), (f) => this.fact('live', f.site), state);
      return;
    }
    if (method !== 'set' && method !== 'delete') return;
    const entry = this.discovery.entryPath(call);
    if (!entry) return;
    this.rewriteAliases((place) => place.path === entry.path, (f) => this.fact('live', f.site), state);
    this.escapeAliases((place) => isInside(place.path, entry.path), state);
  }

  private forEachDeclaredName(name: ts.BindingName, action: (name: string) => void): void {
    const syntax = this.syntax;
    if (syntax.isIdentifier(name)) action(name.text);
    else for (const element of name.elements) if (syntax.isBindingElement(element)) this.forEachDeclaredName(element.name, action);
  }
}

const NO_BINDINGS: readonly TrackedBinding[] = [];
/** No fact: a binding before its declaration, or out of scope (facts lists are never written in place). */
const NO_FACTS: OwnershipFacts = [];
const NO_CHECKERS: readonly FlowChecker[] = [];
const NO_NODES: ReadonlySet<ts.Node> = new Set();

/** The label of a consumption that reached a binding through what it shares (another local, or the place it was read out of). */
function sharedLabel(owner: string): string {
  return `shared with \`${owner}\``;
}

/** Whether the reporting pass can be the solve's only pass: no loops, and no copies of a block to join (correlate.ts; a split graph's blocks are all copies). */
function isSinglePass(cfg: Cfg): boolean {
  return cfg.acyclic && cfg.entry.original === undefined;
}

/** Array and collection methods that call their callback before they return (and never keep it); known by name, whatever the receiver. */
const SYNCHRONOUS_CALLBACKS = new Set(['forEach', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'filter', 'map', 'flatMap', 'reduce', 'reduceRight', 'sort', 'toSorted']);

/** Whether a closure runs only while the call it is handed to runs: an argument of one of those methods, or called on the spot. */
function runsDuringCall(ts: TypeScript, closure: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  const { value, parent } = climb(ts, closure);
  if (!syntax.isCallExpression(parent)) return false;
  if (parent.expression === value) return true;
  const callee = skipOuterExpressions(ts, parent.expression);
  return syntax.isPropertyAccessExpression(callee) && SYNCHRONOUS_CALLBACKS.has(callee.name.text) && parent.arguments.includes(value as ts.Expression);
}
