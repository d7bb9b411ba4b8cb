// A control-flow graph of one function body, at expression granularity where
// control flow happens inside expressions (`&&`, `||`, `??`, `?:`, `?.`).
//
// Blocks hold operations in evaluation order (children before parents). Only
// nodes the ownership analysis cares about become operations: identifiers it
// tracks, calls, assignments, declarations, closures, scope ends and exits.
// `finally` bodies are built once per way out of the `try` (normal, each
// return/break/continue target, exception), so facts from a `return` path never
// leak into the code after the `try`.

import type * as ts from 'typescript';
import { mentionedIn } from '../mentions';
import { kindTest, skipOuterExpressions, type Syntax, syntaxOf } from '../syntax';
import type { TypeScript } from '../types';
import { NO_ITEMS, packedMap } from '../arrays';

export type Op =
  /** Evaluate this node's own effect; its sub-expressions were evaluated before. */
  | { readonly kind: 'eval'; readonly node: ts.Node }
  /** A variable declaration is initialised (after its initializer). */
  | { readonly kind: 'declare'; readonly node: ts.VariableDeclaration }
  /** A block completes normally, or is left by `via` (a break or continue): its block-scoped bindings go out of scope. */
  | { readonly kind: 'scopeEnd'; readonly node: ts.Block; readonly via?: ts.BreakOrContinueStatement }
  /** The function is left through `node`: a return, a throw, or the end of the body. */
  | { readonly kind: 'exit'; readonly node: ts.Node };

/** What is known on an edge taken only when `expr` has a given outcome. */
export interface Narrowing {
  readonly expr: ts.Expression;
  readonly outcome: 'truthy' | 'falsy' | 'nullish' | 'nonNullish';
}

export interface Edge {
  readonly from: BasicBlock;
  readonly to: BasicBlock;
  readonly narrowing?: Narrowing;
}

export interface BasicBlock {
  readonly id: number;
  readonly ops: readonly Op[];
  readonly succs: readonly Edge[];
  readonly preds: readonly Edge[];
  /** For a copy made by splitting on correlated conditions (correlate.ts): the block it copies. */
  readonly original?: BasicBlock;
}

/** A block while the builder (or correlate.ts) fills it: each list starts as `NO_ITEMS` and is replaced as it grows (`appended`). */
export type GrowingBlock = { -readonly [K in keyof BasicBlock]: BasicBlock[K] };

/**
 * `list` and `item` after it: a new array of exact size while the list is
 * short, then pushed onto. A push onto an empty array gives it room for 17
 * items, and most blocks hold one or two operations, successors and
 * predecessors (three such arrays per block were about 5% of a worst-case
 * analysis's garbage). A list of fewer than two items, `NO_ITEMS` among
 * them, is never written.
 */
export function appended<T>(list: readonly T[], item: T): readonly T[] {
  if (list.length === 0) return [item];
  if (list.length === 1) return [list[0]!, item];
  (list as T[]).push(item);
  return list;
}

export interface Cfg {
  readonly entry: BasicBlock;
  readonly exit: BasicBlock;
  /** Reachable blocks in reverse post-order (the order dataflow converges fastest in). */
  readonly blocks: readonly BasicBlock[];
  /** Whether no edge leads back in `blocks`' order (no loop): then one pass in that order sees every block's final input. */
  readonly acyclic: boolean;
}

export type FunctionLikeWithBody =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.ClassStaticBlockDeclaration;

/** A body to analyse: a function-like with a body, or a file's top level. */
export type FlowRoot = FunctionLikeWithBody | ts.SourceFile;

type Jump =
  | { readonly kind: 'break' | 'continue'; readonly label?: string }
  | { readonly kind: 'return'; readonly origin: ts.Node }
  | { readonly kind: 'throw'; readonly origin?: ts.Node };

type Target =
  | { readonly kind: 'breakable'; readonly labels: readonly string[]; readonly isLoopOrSwitch: boolean; readonly breakTo: BasicBlock; readonly continueTo?: BasicBlock }
  | { readonly kind: 'catch'; readonly entry: BasicBlock }
  | { readonly kind: 'finally'; readonly body: ts.Block; readonly copies: Map<string, BasicBlock> };

export interface CfgOptions {
  /** Whether an identifier is worth an operation (a tracked binding); others are skipped. */
  readonly isInteresting: (identifier: ts.Identifier) => boolean;
  /** Whether a property or element access is worth an operation of its own (a read of a place a checker follows). */
  readonly isInterestingRead?: (access: ts.PropertyAccessExpression | ts.ElementAccessExpression) => boolean;
  /**
   * Whether a switch without `default` has a case for every value its
   * discriminant's type allows: then no path skips every case (as TypeScript's
   * own exhaustiveness check assumes).
   */
  readonly coversEveryValue?: (node: ts.SwitchStatement) => boolean;
  /** Whether a loop's first test is known to pass (`for (const b of [x, y])`): then no path skips its body. */
  readonly runsAtLeastOnce?: (node: ts.ForStatement | ts.ForOfStatement) => boolean;
}

export function buildCfg(ts: TypeScript, root: FlowRoot, options: CfgOptions): Cfg {
  return new Builder(ts, options).build(root);
}

/** Whether `node` starts a new function or class (its code is analysed on its own). */
export const isFunctionBoundary = kindTest((k) => [
  k.FunctionDeclaration, k.FunctionExpression, k.ArrowFunction,
  k.MethodDeclaration, k.Constructor, k.GetAccessor, k.SetAccessor,
  k.ClassDeclaration, k.ClassExpression, k.ClassStaticBlockDeclaration,
  k.MethodSignature, k.CallSignature, k.ConstructSignature, k.IndexSignature,
  k.FunctionType, k.ConstructorType,
]);

/** A type (`Waker | undefined`, `{ id: number }`) or a declaration of one (interface, type alias). */
const isTypeOnly = kindTest((k) => {
  const kinds: ts.SyntaxKind[] = [k.InterfaceDeclaration, k.TypeAliasDeclaration];
  for (let kind = k.FirstTypeNode; kind <= k.LastTypeNode; kind++) kinds.push(kind);
  return kinds;
});

/** What `scanUnits` does with a node, by its kind. */
const enum ScanRole {
  Walk,
  Identifier,
  PrivateIdentifier,
  /** A function-like (its own unit when it has a body). */
  Function,
  /** A class or a class's static block (a static block is a unit). */
  Boundary,
  TypeOnly,
  Declaration,
  Call,
  Binary,
}

let scanRolesFor: TypeScript | undefined;
let scanRoles = new Uint8Array(0);

/**
 * `scanUnits`' role of every syntax kind, made once per TypeScript instance:
 * one array read per node where the walk made up to four tests (the walk
 * meets every node of every hinted function; speed).
 */
function scanRolesOf(ts: TypeScript): Uint8Array {
  if (scanRolesFor === ts) return scanRoles;
  const { SyntaxKind } = ts;
  const roles = new Uint8Array(SyntaxKind.Count);
  for (let kind = 0; kind < SyntaxKind.Count; kind++) {
    const node = { kind } as ts.Node;
    if (isFunctionBoundary(ts, node)) roles[kind] = ts.isFunctionLike(node) ? ScanRole.Function : ScanRole.Boundary;
    else if (isTypeOnly(ts, node)) roles[kind] = ScanRole.TypeOnly;
  }
  roles[SyntaxKind.Identifier] = ScanRole.Identifier;
  roles[SyntaxKind.PrivateIdentifier] = ScanRole.PrivateIdentifier;
  roles[SyntaxKind.VariableDeclaration] = ScanRole.Declaration;
  roles[SyntaxKind.CallExpression] = ScanRole.Call;
  roles[SyntaxKind.NewExpression] = ScanRole.Call;
  roles[SyntaxKind.BinaryExpression] = ScanRole.Binary;
  scanRolesFor = ts;
  scanRoles = roles;
  return roles;
}

const NO_NAMES: ReadonlySet<string> = new Set();
/** The labels of an unlabelled statement (one array for all: `statement` is called for every statement). */
const NO_LABELS: readonly string[] = [];

/** One analysable body and the nodes of its own code (not of nested functions), gathered in one walk of the file. */
export interface FlowUnit {
  readonly root: FlowRoot;
  readonly identifiers: readonly ts.Identifier[];
  readonly declarations: readonly ts.VariableDeclaration[];
  readonly calls: readonly (ts.CallExpression | ts.NewExpression)[];
  readonly assignments: readonly ts.BinaryExpression[];
  /** Functions and classes directly inside (their references to this body's bindings are captures). */
  readonly nested: readonly ts.Node[];
  /** Whether its own code names something of the library (else it is skipped). */
  hinted: boolean;
}

/** A unit while `scanUnits` fills it: its identifiers (dozens in most units) are pushed, the other lists grow by `appended`. */
type GrowingUnit = { -readonly [K in Exclude<keyof FlowUnit, 'identifiers'>]: FlowUnit[K] } & { readonly identifiers: ts.Identifier[] };

/**
 * Split a file (or one function-like and what is nested in it) into units;
 * `hints` are the identifier texts that make a unit worth analysing. With `mentions` (where hint words occur in the text, see
 * mentions.ts), a function or class whose text mentions none is not entered:
 * neither it nor anything nested in it can be hinted, so those units are left
 * out (the enclosing unit still lists it in `nested`). Nor is a type that
 * mentions none: its identifiers are no value's references, so the unit loses
 * nothing it reads (the CFG and the checkers look at code, never into types).
 * `ownedFields` are field names whose declared type is an owned library type
 * (private names without their `#`): touching one (`this.slots[key] =
 * undefined`, `this.queue.splice(i, 1)`) hints a unit too, as it may lose the
 * waker the field holds.
 */
export function scanUnits(
  ts: TypeScript,
  root: ts.SourceFile | FunctionLikeWithBody,
  hints: ReadonlySet<string>,
  mentions?: readonly number[],
  ownedFields: ReadonlySet<string> = NO_NAMES,
): FlowUnit[] {
  // Locals, not `ts.X` in the loop: the typescript module's exports are getters.
  const { SyntaxKind, forEachChild } = ts;
  const roles = scanRolesOf(ts);
  const units: FlowUnit[] = [];
  // Most units declare, assign, call and nest at most two of each: those lists start as the one empty list (less garbage).
  const newUnit = (root: FlowRoot): GrowingUnit => ({ root, identifiers: [], declarations: NO_ITEMS, calls: NO_ITEMS, assignments: NO_ITEMS, nested: NO_ITEMS, hinted: false });
  let current = newUnit(root);
  const isFieldName = (name: ts.Identifier): boolean => name.parent.kind === SyntaxKind.PropertyAccessExpression && (name.parent as ts.PropertyAccessExpression).name === name;
  const visit = (node: ts.Node): void => {
    switch (roles[node.kind]) {
      case ScanRole.Identifier:
        current.identifiers.push(node as ts.Identifier);
        if (!current.hinted) {
          const text = (node as ts.Identifier).text;
          if (hints.has(text) || (ownedFields.has(text) && isFieldName(node as ts.Identifier))) current.hinted = true;
        }
        return;
      case ScanRole.PrivateIdentifier:
        if (!current.hinted && ownedFields.has((node as ts.PrivateIdentifier).text.slice(1))) current.hinted = true;
        return;
      case ScanRole.Function:
      case ScanRole.Boundary: {
        current.nested = appended(current.nested, node);
        if (mentions && !mentionedIn(mentions, node.pos, node.end)) return;
        const outer = current;
        // Classes and bodiless signatures are containers: their own code belongs to no unit.
        const hasBody = roles[node.kind] === ScanRole.Function ? (node as ts.FunctionLikeDeclaration).body !== undefined : node.kind === SyntaxKind.ClassStaticBlockDeclaration;
        current = newUnit(node as FlowRoot);
        if (hasBody) units.push(current);
        forEachChild(node, visit, visitEach);
        current = outer;
        return;
      }
      case ScanRole.TypeOnly:
        // Types (annotations, interfaces, aliases) hold no code: walked only when they may name the library.
        if (mentions && !mentionedIn(mentions, node.pos, node.end)) return;
        break;
      case ScanRole.Declaration:
        current.declarations = appended(current.declarations, node as ts.VariableDeclaration);
        break;
      case ScanRole.Call:
        current.calls = appended(current.calls, node as ts.CallExpression | ts.NewExpression);
        break;
      case ScanRole.Binary:
        if ((node as ts.BinaryExpression).operatorToken.kind === SyntaxKind.EqualsToken) current.assignments = appended(current.assignments, node as ts.BinaryExpression);
        break;
    }
    forEachChild(node, visit, visitEach);
  };
  // Lists by index: forEachChild's own loop over a list is a `for…of`, an iterator per list.
  const visitEach = (nodes: ts.NodeArray<ts.Node>): void => {
    for (let i = 0; i < nodes.length; i++) visit(nodes[i]);
  };
  if (root.kind === SyntaxKind.SourceFile) {
    units.push(current);
    forEachChild(root, visit, visitEach);
  } else {
    visit(root); // `current` is only a placeholder parent here
  }
  return units;
}

class Builder {
  /** Blocks made so far: the next block's id. */
  private blockCount = 0;
  private current: BasicBlock | undefined;
  private targets: Target[] = [];
  private chainEnds: BasicBlock[] = [];
  /** How many catch/finally targets are open: calls inside may throw to them. */
  private tryDepth = 0;
  /** The blocks being built, each with the number of jump targets open when it began. */
  private openBlocks: { readonly block: ts.Block; readonly targetDepth: number }[] = [];
  private readonly entry: BasicBlock;
  private readonly exit: BasicBlock;
  /** The typescript module's enums and predicates, read once (see `syntaxOf`). */
  private readonly syntax: Syntax;

  constructor(
    private readonly ts: TypeScript,
    private readonly options: CfgOptions,
  ) {
    this.syntax = syntaxOf(ts);
    this.entry = this.newBlock();
    this.exit = this.newBlock();
  }

  build(root: FlowRoot): Cfg {
    const syntax = this.syntax;
    this.current = this.entry;
    if (syntax.isSourceFile(root)) {
      this.statements(root.statements);
      this.exitHere(root);
    } else if (root.body && syntax.isBlock(root.body)) {
      this.statement(root.body);
      this.exitHere(root.body);
    } else if (root.body) {
      this.expression(root.body as ts.Expression);
      this.exitHere(root.body);
    }
    return cfgOf(this.entry, this.exit, this.blockCount);
  }

  // ---- blocks and edges ----

  private newBlock(): BasicBlock {
    return { id: this.blockCount++, ops: NO_ITEMS, succs: NO_ITEMS, preds: NO_ITEMS };
  }

  private link(from: BasicBlock | undefined, to: BasicBlock, narrowing?: Narrowing): void {
    if (!from) return;
    const edge: Edge = narrowing ? { from, to, narrowing } : { from, to };
    (from as GrowingBlock).succs = appended(from.succs, edge);
    (to as GrowingBlock).preds = appended(to.preds, edge);
  }

  private emit(op: Op): void {
    if (!this.current) return;
    (this.current as GrowingBlock).ops = appended(this.current.ops, op);
  }

  /** After an operation that may throw inside a `try`: an edge to the handler (via any `finally`). */
  private mayThrow(): void {
    if (this.tryDepth === 0 || !this.current) return;
    const handler = this.route(this.targets.length, { kind: 'throw' });
    if (!handler) return;
    const next = this.newBlock();
    this.link(this.current, handler);
    this.link(this.current, next);
    this.current = next;
  }

  private exitHere(origin: ts.Node): void {
    if (!this.current) return;
    this.emit({ kind: 'exit', node: origin });
    this.link(this.current, this.exit);
    this.current = undefined;
  }

  /**
   * A break or continue leaves every block opened inside its target: their
   * bindings go out of scope at the jump (where a leak then shows), not later.
   */
  private leaveBlocks(node: ts.BreakOrContinueStatement): void {
    const isBreak = node.kind === this.syntax.SyntaxKind.BreakStatement;
    const label = node.label?.text;
    let depth = this.targets.length - 1;
    for (; depth >= 0; depth--) {
      const target = this.targets[depth];
      if (target.kind !== 'breakable') continue;
      if (isBreak ? (label ? target.labels.includes(label) : target.isLoopOrSwitch) : target.continueTo && (!label || target.labels.includes(label))) break;
    }
    if (depth < 0) return;
    for (let i = this.openBlocks.length - 1; i >= 0 && this.openBlocks[i].targetDepth > depth; i--) {
      this.emit({ kind: 'scopeEnd', node: this.openBlocks[i].block, via: node });
    }
  }

  private jump(jump: Jump): void {
    const to = this.route(this.targets.length, jump);
    if (to) this.link(this.current, to);
    this.current = undefined;
  }

  /**
   * Where a jump lands, searching the targets below `depth`. Crossing a
   * `finally` builds (once per jump) a copy of its body that then continues the
   * jump outward.
   */
  private route(depth: number, jump: Jump): BasicBlock | undefined {
    for (let i = depth - 1; i >= 0; i--) {
      const target = this.targets[i];
      if (target.kind === 'finally') return this.finallyCopy(target, i, jump);
      if (target.kind === 'catch') {
        if (jump.kind === 'throw') return target.entry;
        continue;
      }
      if (jump.kind === 'break' && (jump.label ? target.labels.includes(jump.label) : target.isLoopOrSwitch)) return target.breakTo;
      if (jump.kind === 'continue' && target.continueTo && (jump.label ? target.labels.includes(jump.label) : true)) return target.continueTo;
    }
    const origin = jump.kind === 'return' || jump.kind === 'throw' ? jump.origin : undefined;
    if (origin) {
      const block = this.newBlock();
      (block as GrowingBlock).ops = appended(block.ops, { kind: 'exit', node: origin });
      this.link(block, this.exit);
      return block;
    }
    // An implicit exception leaving the function (no leak check there), or a jump to an unknown label.
    return jump.kind === 'throw' ? this.exit : undefined;
  }

  private finallyCopy(target: Extract<Target, { kind: 'finally' }>, index: number, jump: Jump): BasicBlock | undefined {
    const label = jump.kind === 'break' || jump.kind === 'continue' ? jump.label ?? '' : '';
    const origin = jump.kind === 'return' || jump.kind === 'throw' ? jump.origin?.pos ?? '' : '';
    const key = `${jump.kind}:${label}:${origin}`;
    const cached = target.copies.get(key);
    if (cached) return cached;
    const entry = this.newBlock();
    target.copies.set(key, entry);
    const saved = { current: this.current, targets: this.targets, chainEnds: this.chainEnds, tryDepth: this.tryDepth, openBlocks: this.openBlocks };
    this.current = entry;
    this.targets = this.targets.slice(0, index);
    // The copy runs outside the protected block: only the blocks around the `try` are open.
    this.openBlocks = this.openBlocks.filter((open) => open.targetDepth <= index);
    this.chainEnds = [];
    this.tryDepth = this.targets.filter((t) => t.kind !== 'breakable').length;
    this.statement(target.body);
    if (this.current) {
      const next = this.route(index, jump);
      if (next) this.link(this.current, next);
    }
    this.current = saved.current;
    this.targets = saved.targets;
    this.chainEnds = saved.chainEnds;
    this.tryDepth = saved.tryDepth;
    this.openBlocks = saved.openBlocks;
    return entry;
  }

  // ---- statements ----

  private statements(statements: readonly ts.Statement[]): void {
    for (const statement of statements) this.statement(statement);
  }

  private statement(node: ts.Statement, labels: readonly string[] = NO_LABELS): void {
    const syntax = this.syntax;
    const { SyntaxKind } = syntax;
    const ts = this.ts;
    // Unreachable code gets no blocks, so it is never analysed.
    if (!this.current) return;
    switch (node.kind) {
      case SyntaxKind.Block: {
        const block = node as ts.Block;
        this.openBlocks.push({ block, targetDepth: this.targets.length });
        this.statements(block.statements);
        this.openBlocks.pop();
        this.emit({ kind: 'scopeEnd', node: block });
        return;
      }
      case SyntaxKind.VariableStatement:
        this.variableList((node as ts.VariableStatement).declarationList);
        return;
      case SyntaxKind.ExpressionStatement:
        this.expression((node as ts.ExpressionStatement).expression);
        return;
      case SyntaxKind.IfStatement: {
        const n = node as ts.IfStatement;
        const thenBlock = this.newBlock();
        const after = this.newBlock();
        const elseBlock = n.elseStatement ? this.newBlock() : after;
        this.condition(n.expression, thenBlock, elseBlock);
        this.current = thenBlock;
        this.statement(n.thenStatement);
        this.link(this.current, after);
        if (n.elseStatement) {
          this.current = elseBlock;
          this.statement(n.elseStatement);
          this.link(this.current, after);
        }
        this.current = after;
        return;
      }
      case SyntaxKind.WhileStatement: {
        const n = node as ts.WhileStatement;
        const head = this.newBlock();
        const body = this.newBlock();
        const after = this.newBlock();
        this.link(this.current, head);
        this.current = head;
        this.condition(n.expression, body, after);
        this.current = body;
        this.loopBody(n.statement, after, head, labels);
        this.current = after;
        return;
      }
      case SyntaxKind.DoStatement: {
        const n = node as ts.DoStatement;
        const body = this.newBlock();
        const test = this.newBlock();
        const after = this.newBlock();
        this.link(this.current, body);
        this.current = body;
        this.loopBody(n.statement, after, test, labels);
        this.current = test;
        this.condition(n.expression, body, after);
        this.current = after;
        return;
      }
      case SyntaxKind.ForStatement: {
        const n = node as ts.ForStatement;
        if (n.initializer) {
          if (syntax.isVariableDeclarationList(n.initializer)) this.variableList(n.initializer);
          else this.expression(n.initializer);
        }
        const head = this.newBlock();
        const body = this.newBlock();
        const increment = this.newBlock();
        const after = this.newBlock();
        // The first test passes: the way in skips it (its condition is a comparison of a counter, with no effect).
        this.link(this.current, this.options.runsAtLeastOnce?.(n) ? body : head);
        this.current = head;
        if (n.condition) this.condition(n.condition, body, after);
        else this.link(this.current, body);
        this.current = body;
        this.loopBody(n.statement, after, increment, labels);
        this.current = increment;
        if (n.incrementor) this.expression(n.incrementor);
        this.link(this.current, head);
        this.current = after;
        return;
      }
      case SyntaxKind.ForOfStatement:
      case SyntaxKind.ForInStatement: {
        const n = node as ts.ForOfStatement | ts.ForInStatement;
        this.expression(n.expression);
        const head = this.newBlock();
        const body = this.newBlock();
        const after = this.newBlock();
        this.link(this.current, syntax.isForOfStatement(n) && this.options.runsAtLeastOnce?.(n) ? body : head);
        this.link(head, body);
        this.link(head, after);
        this.current = body;
        // Each iteration assigns the loop variable; an existing binding used as the target is written.
        if (!syntax.isVariableDeclarationList(n.initializer)) this.expression(n.initializer);
        else for (const declaration of n.initializer.declarations) this.emit({ kind: 'declare', node: declaration });
        this.loopBody(n.statement, after, head, labels);
        this.current = after;
        return;
      }
      case SyntaxKind.SwitchStatement:
        this.switchStatement(node as ts.SwitchStatement, labels);
        return;
      case SyntaxKind.TryStatement:
        this.tryStatement(node as ts.TryStatement);
        return;
      case SyntaxKind.ReturnStatement: {
        const n = node as ts.ReturnStatement;
        if (n.expression) this.expression(n.expression);
        this.jump({ kind: 'return', origin: n });
        return;
      }
      case SyntaxKind.ThrowStatement: {
        const n = node as ts.ThrowStatement;
        this.expression(n.expression);
        this.jump({ kind: 'throw', origin: n });
        return;
      }
      case SyntaxKind.BreakStatement:
      case SyntaxKind.ContinueStatement: {
        const n = node as ts.BreakOrContinueStatement;
        this.leaveBlocks(n);
        this.jump({ kind: n.kind === SyntaxKind.BreakStatement ? 'break' : 'continue', ...(n.label ? { label: n.label.text } : {}) });
        return;
      }
      case SyntaxKind.LabeledStatement: {
        const n = node as ts.LabeledStatement;
        const all = [...labels, n.label.text];
        if (isLoop(ts, n.statement) || syntax.isLabeledStatement(n.statement) || syntax.isSwitchStatement(n.statement)) {
          this.statement(n.statement, all);
          return;
        }
        const after = this.newBlock();
        this.targets.push({ kind: 'breakable', labels: all, isLoopOrSwitch: false, breakTo: after });
        this.statement(n.statement);
        this.targets.pop();
        this.link(this.current, after);
        this.current = after;
        return;
      }
      case SyntaxKind.ExportAssignment:
        this.expression((node as ts.ExportAssignment).expression);
        return;
      default:
        // Declarations (functions, classes, types, imports) and empty statements: no flow here.
        return;
    }
  }

  /** The body of a loop, starting in the current block; its end and `continue` go to `continueTo`. */
  private loopBody(statement: ts.Statement, after: BasicBlock, continueTo: BasicBlock, labels: readonly string[]): void {
    this.targets.push({ kind: 'breakable', labels, isLoopOrSwitch: true, breakTo: after, continueTo });
    this.statement(statement);
    this.targets.pop();
    this.link(this.current, continueTo);
    this.current = undefined;
  }

  private variableList(list: ts.VariableDeclarationList): void {
    for (const declaration of list.declarations) {
      if (declaration.initializer) this.expression(declaration.initializer);
      this.emit({ kind: 'declare', node: declaration });
    }
  }

  private switchStatement(node: ts.SwitchStatement, labels: readonly string[]): void {
    const syntax = this.syntax;
    this.expression(node.expression);
    const after = this.newBlock();
    const clauses = node.caseBlock.clauses;
    const bodies = packedMap(clauses, () => this.newBlock());
    let defaultBody: BasicBlock | undefined;
    clauses.forEach((clause, index) => {
      if (syntax.isDefaultClause(clause)) {
        defaultBody = bodies[index];
        return;
      }
      this.expression(clause.expression);
      const next = this.newBlock();
      this.link(this.current, bodies[index]);
      this.link(this.current, next);
      this.current = next;
    });
    if (defaultBody || !this.options.coversEveryValue?.(node)) this.link(this.current, defaultBody ?? after);
    this.current = undefined;
    this.targets.push({ kind: 'breakable', labels, isLoopOrSwitch: true, breakTo: after });
    clauses.forEach((clause, index) => {
      // Fall-through: the previous clause's end flows into this one.
      this.link(this.current, bodies[index]);
      this.current = bodies[index];
      this.statements(clause.statements);
    });
    this.targets.pop();
    this.link(this.current, after);
    this.current = after;
  }

  private tryStatement(node: ts.TryStatement): void {
    const after = this.newBlock();
    const finallyTarget: Target | undefined = node.finallyBlock ? { kind: 'finally', body: node.finallyBlock, copies: new Map() } : undefined;
    const afterProtected = node.finallyBlock ? this.newBlock() : after;
    const catchEntry = node.catchClause ? this.newBlock() : undefined;
    if (finallyTarget) {
      this.targets.push(finallyTarget);
      this.tryDepth++;
    }
    if (catchEntry) {
      this.targets.push({ kind: 'catch', entry: catchEntry });
      this.tryDepth++;
    }
    // Exceptions come from the operations inside (edges after each call, await, …), none before the first.
    this.statement(node.tryBlock);
    this.link(this.current, afterProtected);
    if (catchEntry && node.catchClause) {
      this.targets.pop();
      this.tryDepth--;
      this.current = catchEntry;
      this.statement(node.catchClause.block);
      this.link(this.current, afterProtected);
    }
    if (finallyTarget && node.finallyBlock) {
      this.targets.pop();
      this.tryDepth--;
      this.current = afterProtected;
      this.statement(node.finallyBlock);
      this.link(this.current, after);
    }
    this.current = after;
  }

  // ---- expressions ----

  /** Evaluate `node` as a condition: control goes to `whenTrue` or `whenFalse`. */
  private condition(node: ts.Expression, whenTrue: BasicBlock, whenFalse: BasicBlock): void {
    const syntax = this.syntax;
    const { SyntaxKind } = syntax;
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, node);
    if (syntax.isBinaryExpression(inner) && inner.operatorToken.kind === SyntaxKind.AmpersandAmpersandToken) {
      const middle = this.newBlock();
      this.condition(inner.left, middle, whenFalse);
      this.current = middle;
      this.condition(inner.right, whenTrue, whenFalse);
      return;
    }
    if (syntax.isBinaryExpression(inner) && inner.operatorToken.kind === SyntaxKind.BarBarToken) {
      const middle = this.newBlock();
      this.condition(inner.left, whenTrue, middle);
      this.current = middle;
      this.condition(inner.right, whenTrue, whenFalse);
      return;
    }
    if (syntax.isPrefixUnaryExpression(inner) && inner.operator === SyntaxKind.ExclamationToken) {
      this.condition(inner.operand, whenFalse, whenTrue);
      return;
    }
    // `while (true)`: a constant takes one way only, so the body always runs and only `break` leaves.
    if (inner.kind === SyntaxKind.TrueKeyword || inner.kind === SyntaxKind.FalseKeyword) {
      this.link(this.current, inner.kind === SyntaxKind.TrueKeyword ? whenTrue : whenFalse);
      this.current = undefined;
      return;
    }
    this.expression(inner);
    const from = this.current;
    this.link(from, whenTrue, { expr: inner, outcome: 'truthy' });
    this.link(from, whenFalse, { expr: inner, outcome: 'falsy' });
    this.current = undefined;
  }

  private expression(node: ts.Expression): void {
    const syntax = this.syntax;
    const { SyntaxKind } = syntax;
    const ts = this.ts;
    if (!this.current) return;
    switch (node.kind) {
      case SyntaxKind.Identifier:
        if (this.options.isInteresting(node as ts.Identifier)) this.emit({ kind: 'eval', node });
        return;
      case SyntaxKind.ParenthesizedExpression:
      case SyntaxKind.AsExpression:
      case SyntaxKind.SatisfiesExpression:
      case SyntaxKind.TypeAssertionExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.TypeOfExpression:
      case SyntaxKind.VoidExpression:
      case SyntaxKind.DeleteExpression:
      case SyntaxKind.SpreadElement:
        this.expression((node as ts.ParenthesizedExpression).expression);
        return;
      case SyntaxKind.PrefixUnaryExpression:
      case SyntaxKind.PostfixUnaryExpression:
        this.expression((node as ts.PrefixUnaryExpression).operand);
        return;
      case SyntaxKind.AwaitExpression:
        this.expression((node as ts.AwaitExpression).expression);
        this.mayThrow();
        return;
      case SyntaxKind.YieldExpression: {
        const n = node as ts.YieldExpression;
        if (n.expression) this.expression(n.expression);
        this.mayThrow();
        return;
      }
      case SyntaxKind.BinaryExpression:
        this.binary(node as ts.BinaryExpression);
        return;
      case SyntaxKind.ConditionalExpression: {
        const n = node as ts.ConditionalExpression;
        const whenTrue = this.newBlock();
        const whenFalse = this.newBlock();
        const after = this.newBlock();
        this.condition(n.condition, whenTrue, whenFalse);
        this.current = whenTrue;
        this.expression(n.whenTrue);
        this.link(this.current, after);
        this.current = whenFalse;
        this.expression(n.whenFalse);
        this.link(this.current, after);
        this.current = after;
        return;
      }
      case SyntaxKind.CallExpression:
      case SyntaxKind.NewExpression:
      case SyntaxKind.PropertyAccessExpression:
      case SyntaxKind.ElementAccessExpression:
        this.chainable(node as ts.CallExpression | ts.NewExpression | ts.PropertyAccessExpression | ts.ElementAccessExpression);
        return;
      case SyntaxKind.TaggedTemplateExpression: {
        const n = node as ts.TaggedTemplateExpression;
        this.expression(n.tag);
        this.expression(n.template);
        this.emit({ kind: 'eval', node });
        this.mayThrow();
        return;
      }
      case SyntaxKind.ArrowFunction:
      case SyntaxKind.FunctionExpression:
      case SyntaxKind.ClassExpression:
        this.emit({ kind: 'eval', node });
        return;
      // Leaves (no children to walk): most operands.
      case SyntaxKind.ThisKeyword:
      case SyntaxKind.SuperKeyword:
      case SyntaxKind.NullKeyword:
      case SyntaxKind.TrueKeyword:
      case SyntaxKind.FalseKeyword:
      case SyntaxKind.NumericLiteral:
      case SyntaxKind.BigIntLiteral:
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
      case SyntaxKind.RegularExpressionLiteral:
        return;
      case SyntaxKind.ObjectLiteralExpression:
        for (const property of (node as ts.ObjectLiteralExpression).properties) {
          if (syntax.isPropertyAssignment(property)) {
            if (syntax.isComputedPropertyName(property.name)) this.expression(property.name.expression);
            this.expression(property.initializer);
          } else if (syntax.isShorthandPropertyAssignment(property)) {
            if (this.options.isInteresting(property.name)) this.emit({ kind: 'eval', node: property.name });
          } else if (syntax.isSpreadAssignment(property)) {
            this.expression(property.expression);
          } else {
            // Methods and accessors close over the enclosing scope.
            this.emit({ kind: 'eval', node: property });
          }
        }
        return;
      default:
        syntax.forEachChild(node, (child) => {
          if (syntax.isTemplateSpan(child)) this.expression(child.expression);
          else if (isExpressionNode(ts, child)) this.expression(child as ts.Expression);
        });
        return;
    }
  }

  private binary(node: ts.BinaryExpression): void {
    const syntax = this.syntax;
    const { SyntaxKind } = syntax;
    const ts = this.ts;
    const operator = node.operatorToken.kind;
    const logical =
      operator === SyntaxKind.AmpersandAmpersandToken ||
      operator === SyntaxKind.BarBarToken ||
      operator === SyntaxKind.QuestionQuestionToken ||
      operator === SyntaxKind.AmpersandAmpersandEqualsToken ||
      operator === SyntaxKind.BarBarEqualsToken ||
      operator === SyntaxKind.QuestionQuestionEqualsToken;
    if (logical) {
      this.expression(node.left);
      const right = this.newBlock();
      const after = this.newBlock();
      const from = this.current;
      const [takeRight, skipRight]: [Narrowing['outcome'], Narrowing['outcome']] =
        operator === SyntaxKind.AmpersandAmpersandToken || operator === SyntaxKind.AmpersandAmpersandEqualsToken
          ? ['truthy', 'falsy']
          : operator === SyntaxKind.BarBarToken || operator === SyntaxKind.BarBarEqualsToken
            ? ['falsy', 'truthy']
            : ['nullish', 'nonNullish'];
      const tested = skipOuterExpressions(ts, node.left);
      this.link(from, right, { expr: tested, outcome: takeRight });
      this.link(from, after, { expr: tested, outcome: skipRight });
      this.current = right;
      this.expression(node.right);
      // The compound forms (`??=`, …) also assign.
      if (operator !== SyntaxKind.AmpersandAmpersandToken && operator !== SyntaxKind.BarBarToken && operator !== SyntaxKind.QuestionQuestionToken) {
        this.emit({ kind: 'eval', node });
      }
      this.link(this.current, after);
      this.current = after;
      return;
    }
    if (operator === SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(ts, node.left);
      // The target is written, not read: only its object/index sub-expressions are evaluated.
      if (syntax.isPropertyAccessExpression(left)) this.expression(left.expression);
      else if (syntax.isElementAccessExpression(left)) {
        this.expression(left.expression);
        this.expression(left.argumentExpression);
      }
      this.expression(node.right);
      this.emit({ kind: 'eval', node });
      return;
    }
    this.expression(node.left);
    this.expression(node.right);
  }

  /** Calls and member accesses, with optional chaining (`a?.b.c()` skips the whole chain when `a` is nullish). */
  private chainable(node: ts.CallExpression | ts.NewExpression | ts.PropertyAccessExpression | ts.ElementAccessExpression): void {
    const syntax = this.syntax;
    const ts = this.ts;
    const outermost = syntax.isOptionalChain(node) && !continuesChain(ts, node);
    let chainEnd: BasicBlock | undefined;
    if (outermost) {
      chainEnd = this.newBlock();
      this.chainEnds.push(chainEnd);
    }
    this.expression(node.expression);
    if ((node as { readonly questionDotToken?: ts.QuestionDotToken }).questionDotToken && this.current) {
      const target = this.chainEnds[this.chainEnds.length - 1];
      const next = this.newBlock();
      const tested = skipOuterExpressions(ts, node.expression);
      if (target) this.link(this.current, target, { expr: tested, outcome: 'nullish' });
      this.link(this.current, next, { expr: tested, outcome: 'nonNullish' });
      this.current = next;
    }
    if (syntax.isElementAccessExpression(node)) this.expression(node.argumentExpression);
    if (syntax.isCallExpression(node) || syntax.isNewExpression(node)) {
      const args = node.arguments;
      if (args) for (let i = 0; i < args.length; i++) this.expression(args[i]);
      this.emit({ kind: 'eval', node });
      this.mayThrow();
    } else if (this.options.isInterestingRead?.(node)) {
      this.emit({ kind: 'eval', node });
    }
    if (chainEnd) {
      this.chainEnds.pop();
      this.link(this.current, chainEnd);
      this.current = chainEnd;
    }
  }
}

function isExpressionNode(ts: TypeScript, node: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  // Type nodes, tokens and names are not evaluated.
  return !syntax.isTypeNode(node) && !syntax.isToken(node) && node.kind !== syntax.SyntaxKind.TypeParameter && (syntax.isExpression(node) || syntax.isJsxElement(node) || syntax.isJsxSelfClosingElement(node));
}

function continuesChain(ts: TypeScript, node: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  const parent = node.parent;
  return (
    (syntax.isPropertyAccessExpression(parent) || syntax.isElementAccessExpression(parent) || syntax.isCallExpression(parent) || syntax.isNonNullExpression(parent)) &&
    parent.expression === node &&
    syntax.isOptionalChain(parent)
  );
}

function isLoop(ts: TypeScript, node: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  return syntax.isWhileStatement(node) || syntax.isDoStatement(node) || syntax.isForStatement(node) || syntax.isForOfStatement(node) || syntax.isForInStatement(node);
}

/** A block in the depth-first walk of `cfgOf`: on the current path, or finished (unvisited: no mark). */
const enum Mark {
  Unvisited = 0,
  OnPath = 1,
  Done = 2,
}

// `cfgOf`'s working arrays, kept from one call to the next: it runs once per
// unit (and per split), calls nothing back, and leaves them empty (four arrays
// per unit were garbage otherwise).
let marks = new Uint8Array(256);
const stack: BasicBlock[] = [];
const nextEdge: number[] = [];
const finished: BasicBlock[] = [];

/**
 * The graph from `entry`: its reachable blocks in reverse post-order, and
 * whether it has a loop, from one depth-first walk. Block ids are below
 * `blockCount` (a graph numbers its blocks from 0).
 */
export function cfgOf(entry: BasicBlock, exit: BasicBlock, blockCount: number): Cfg {
  // Each block's mark by its id, and the stack as two arrays: no object per step (speed).
  if (marks.length < blockCount) marks = new Uint8Array(Math.max(blockCount, 2 * marks.length));
  marks.fill(Mark.Unvisited, 0, blockCount);
  let acyclic = true;
  // Iterative DFS: long functions must not overflow the stack.
  stack.push(entry);
  nextEdge.push(0);
  marks[entry.id] = Mark.OnPath;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const block = stack[top];
    const next = nextEdge[top];
    if (next < block.succs.length) {
      nextEdge[top] = next + 1;
      const to = block.succs[next].to;
      const mark = marks[to.id];
      if (mark === Mark.Unvisited) {
        marks[to.id] = Mark.OnPath;
        stack.push(to);
        nextEdge.push(0);
      } else if (mark === Mark.OnPath) acyclic = false; // an edge back to a block on the current path closes a loop
    } else {
      finished.push(block);
      marks[block.id] = Mark.Done;
      stack.pop();
      nextEdge.pop();
    }
  }
  // An array of its own, of exact size; the working one lets go of the blocks.
  const blocks = finished.slice().reverse();
  finished.length = 0;
  return { entry, exit, blocks, acyclic };
}
