// Correlated conditions: `if (last) a(); … if (!last) b();` on the same
// unchanged `const` or parameter runs exactly one of `a` and `b`. An optional
// chain tests too: `w?.drop(); … if (w !== undefined) use(w);` reaches `use`
// only past the `drop`, when `w` holds an object (its type has no falsy value
// but `null`/`undefined`, so truthy, present and `?.` going on are one fact). The dataflow
// joins paths where they merge, so on its own it would also walk "both" and
// "neither". Here the CFG is split by what each such variable was last found
// to be (the product of the graph with the variables' truth values, as jump
// threading does), so a path that contradicts itself is never built. The
// engine solves on the split graph and reports once per original block, from
// the union of its copies' inputs: a problem on some paths stays a warning.
// A flag of the object (`this.done`, `this.#aDone`) correlates too, as a
// combinator's state does in Rust (`&mut self`: only this function, or a
// method it calls on `this`, writes it): `if (!this.#aDone) { … this.#aDone =
// true; } … if (this.#aDone && this.#bDone) return Poll.ready(…)`. Assigning
// it `true` or `false` (or, for one that holds an object or nothing, `{ value }`
// or `undefined`) makes its truth known on that path; a call on `this` (or one
// `this` is passed to) forgets it.

import type * as ts from 'typescript';
import { skipOuterExpressions, syntaxOf } from '../syntax';
import type { TypeScript } from '../types';
import { appended, cfgOf, type BasicBlock, type Cfg, type Edge, type GrowingBlock, type Narrowing } from './graph';
import { isNullish } from './positions';
import { NO_ITEMS, packedFlatMap, packedMap } from '../arrays';
import type { Checker } from '../checker';

/** Copies grow as 3^n with the number of variables: only the first few tested twice are followed. */
const MAX_VARIABLES = 3;
/** If splitting would make the graph this many times larger, keep it whole (less precise, never wrong). */
const MAX_GROWTH = 8;

type Truth = 'T' | 'F';

/** What a condition tests: an unchanged variable (its declaration), or a flag of `this` (its property name, `#` included). */
type Tested = ts.Declaration | string;

interface TruthTest {
  readonly variable: Tested;
  /** The truth of the variable on the edge. */
  readonly truth: Truth;
}

/**
 * The CFG of `root` split by the truth of every `const`, never-assigned
 * parameter or flag of `this` that two or more conditions test; `cfg` itself
 * when there is none.
 */
export function correlateConditions(ts: TypeScript, checker: Checker, cfg: Cfg, root: ts.Node): Cfg {
  const syntax = syntaxOf(ts);
  // By name first: only a name two conditions test can be a variable tested twice, so the
  // checker (and the walk that tells a parameter unchanged) is asked about those alone (speed).
  // Most bodies test each name in one condition at most (its two edges): nothing to split, and no table made.
  let firstTest: Map<string, ts.Expression> | undefined;
  let testedTwice = false;
  // Indexed: this runs for every unit with a dataflow, mostly before the optimising compiler has it (see Discovery.run).
  const blocks = cfg.blocks;
  for (let b = 0; b < blocks.length; b++) {
    const succs = blocks[b].succs;
    for (let e = 0; e < succs.length; e++) {
      const narrowing = succs[e].narrowing;
      const test = narrowing && syntacticTest(ts, narrowing);
      if (!test) continue;
      firstTest ??= new Map();
      const first = firstTest.get(test.name);
      if (first === undefined) firstTest.set(test.name, narrowing.expr);
      else if (first !== narrowing.expr) testedTwice = true;
    }
  }
  if (!testedTwice) return cfg;
  const tested = new Map<Edge, SyntacticTest>();
  const conditionsByName = new Map<string, Set<ts.Expression>>();
  for (const block of cfg.blocks) {
    for (const edge of block.succs) {
      const narrowing = edge.narrowing;
      const test = narrowing && syntacticTest(ts, narrowing);
      if (!test) continue;
      tested.set(edge, test);
      let exprs = conditionsByName.get(test.name);
      if (!exprs) conditionsByName.set(test.name, (exprs = new Set()));
      exprs.add(narrowing.expr);
    }
  }
  const tests = new Map<Edge, TruthTest>();
  const sites = new Map<Tested, Set<ts.Expression>>();
  const stable = new Map<ts.Declaration, boolean>();
  let unfollowed: ReadonlySet<string> | undefined;
  for (const [edge, test] of tested) {
    if (conditionsByName.get(test.name)!.size < 2) continue;
    let variable: Tested | undefined;
    if (syntax.isIdentifier(test.tested)) variable = stableVariable(ts, checker, test.tested, stable);
    else {
      unfollowed ??= unfollowedFlags(ts, root);
      variable = unfollowed.has(test.name) ? undefined : test.name;
    }
    if (!variable || (test.presence && !holdsObjectOrNothing(ts, checker, test.tested))) continue;
    tests.set(edge, { variable, truth: test.truth });
    let exprs = sites.get(variable);
    if (!exprs) sites.set(variable, (exprs = new Set()));
    exprs.add(edge.narrowing!.expr);
  }
  const position = (variable: Tested): number => (typeof variable === 'string' ? firstPosition(sites.get(variable)!) : variable.pos);
  const firstPosition = (exprs: ReadonlySet<ts.Expression>): number => Math.min(...packedMap(exprs, (expr) => expr.pos));
  const variables = packedMap([...sites].filter(([, exprs]) => exprs.size >= 2), ([variable]) => variable).sort((a, b) => position(a) - position(b)).slice(0, MAX_VARIABLES);
  if (variables.length === 0) return cfg;
  const indexOf = new Map(packedMap(variables, (variable, index) => [variable, index]));
  // What a block does to what is known, in order: a `const` declared in a loop body holds a new
  // value on each iteration (its declaration forgets it); a flag assigned a boolean is known, a call on `this` forgets every flag.
  const declarations = packedMap(variables, (variable) => (typeof variable === 'string' ? undefined : variableDeclarationOf(ts, variable)));
  const flagIndexes = packedFlatMap(variables, (variable, index) => (typeof variable === 'string' ? [index] : []));
  const updates = new Map<BasicBlock, readonly Update[]>();
  for (const block of cfg.blocks) {
    const found: Update[] = [];
    for (const op of block.ops) {
      if (op.kind === 'declare') declarations.forEach((declaration, index) => declaration === op.node && found.push({ index, truth: '?' }));
      else if (op.kind === 'eval' && flagIndexes.length > 0) {
        const assigned = flagAssignment(ts, op.node);
        if (assigned) {
          const index = indexOf.get(assigned.name);
          if (index !== undefined) found.push({ index, truth: assigned.truth });
        } else if (reachesThis(ts, op.node)) for (const index of flagIndexes) found.push({ index, truth: '?' });
      }
    }
    if (found.length > 0) updates.set(block, found);
  }

  const copies = new Map<string, GrowingBlock>();
  const pending: { readonly copy: GrowingBlock; readonly original: BasicBlock; readonly truths: string }[] = [];
  let nextId = 0;
  const copyOf = (original: BasicBlock, truths: string): GrowingBlock => {
    const key = `${original.id}:${truths}`;
    let copy = copies.get(key);
    if (!copy) {
      copy = { id: nextId++, ops: original.ops, succs: NO_ITEMS, preds: NO_ITEMS, original };
      copies.set(key, copy);
      pending.push({ copy, original, truths });
    }
    return copy;
  };
  const entry = copyOf(cfg.entry, '?'.repeat(variables.length));
  const limit = cfg.blocks.length * MAX_GROWTH;
  while (pending.length > 0) {
    if (copies.size > limit) return cfg;
    const { copy, original, truths } = pending.pop()!;
    let known = truths;
    for (const { index, truth } of updates.get(original) ?? []) known = known.slice(0, index) + truth + known.slice(index + 1);
    for (const edge of original.succs) {
      let next = known;
      const test = tests.get(edge);
      const index = test && indexOf.get(test.variable);
      if (test && index !== undefined) {
        const truth = test.truth;
        if (known[index] !== '?' && known[index] !== truth) continue; // this path contradicts itself
        next = known.slice(0, index) + truth + known.slice(index + 1);
      }
      const to = copyOf(edge.to, next);
      const copied: Edge = edge.narrowing ? { from: copy, to, narrowing: edge.narrowing } : { from: copy, to };
      copy.succs = appended(copy.succs, copied);
      to.preds = appended(to.preds, copied);
    }
  }
  const exit = [...copies.values()].find((block) => block.original === cfg.exit) ?? cfg.exit;
  return cfgOf(entry, exit, nextId);
}

function flip(truth: Truth): Truth {
  return truth === 'T' ? 'F' : 'T';
}

/** A block's effect on what is known of variable `index`: `?` forgets it. */
interface Update {
  readonly index: number;
  readonly truth: Truth | '?';
}

interface SyntacticTest {
  /** What is tested, by name: the identifier's text, or `this.name` for a flag of `this`. */
  readonly name: string;
  /** The variable's identifier or the flag's `this.name`. */
  readonly tested: ts.Expression;
  /** The truth of the identifier on the edge. */
  readonly truth: Truth;
  /** A test of presence (`x?.`, `x !== undefined`), which only correlates with truthiness where the two agree. */
  readonly presence: boolean;
}

/**
 * `x`, `!x`, `!!(x)`, `x?.`, `x === undefined`, `x != null`: which identifier an
 * edge tests, and what it finds it to be; or a flag of `this` by its truth
 * (`this.done`, `!this.#aDone`).
 */
function syntacticTest(ts: TypeScript, narrowing: Narrowing): SyntacticTest | undefined {
  const syntax = syntaxOf(ts);
  const { outcome } = narrowing;
  let tested = skipOuterExpressions(ts, narrowing.expr);
  // An optional chain's implicit test (`w?.drop()`): of a variable only. A field's (`this.waker?.drop()`,
  // in most poll functions) would split their graphs for a presence the field checker follows already.
  if (outcome === 'nullish' || outcome === 'nonNullish') return syntax.isIdentifier(tested) ? { name: tested.text, tested, truth: outcome === 'nonNullish' ? 'T' : 'F', presence: true } : undefined;
  let whenTruthy: Truth = 'T';
  if (syntax.isBinaryExpression(tested)) {
    const operator = tested.operatorToken.kind;
    const equal = operator === syntax.SyntaxKind.EqualsEqualsEqualsToken || operator === syntax.SyntaxKind.EqualsEqualsToken;
    const notEqual = operator === syntax.SyntaxKind.ExclamationEqualsEqualsToken || operator === syntax.SyntaxKind.ExclamationEqualsToken;
    const other = !equal && !notEqual ? undefined : isNullish(ts, tested.right) ? tested.left : isNullish(ts, tested.left) ? tested.right : undefined;
    const operand = other && skipOuterExpressions(ts, other);
    const name = operand && nameOf(ts, operand);
    if (name === undefined) return undefined;
    // `x !== undefined` is true where `x` is present.
    const truth: Truth = notEqual === (outcome === 'truthy') ? 'T' : 'F';
    return { name, tested: operand!, truth, presence: true };
  }
  while (syntax.isPrefixUnaryExpression(tested) && tested.operator === syntax.SyntaxKind.ExclamationToken) {
    tested = skipOuterExpressions(ts, tested.operand);
    whenTruthy = flip(whenTruthy);
  }
  const name = nameOf(ts, tested);
  return name === undefined ? undefined : { name, tested, truth: outcome === 'truthy' ? whenTruthy : flip(whenTruthy), presence: false };
}

/** A variable's name, or a flag's `this.name`; undefined for anything else. */
function nameOf(ts: TypeScript, node: ts.Expression): string | undefined {
  const syntax = syntaxOf(ts);
  return syntax.isIdentifier(node) ? node.text : flagName(ts, node);
}

/** `this.done` or `this.#done`: the flag's key (`this.done`, `this.#done`). */
function flagName(ts: TypeScript, node: ts.Node): string | undefined {
  const syntax = syntaxOf(ts);
  if (!syntax.isPropertyAccessExpression(node) || node.questionDotToken || skipOuterExpressions(ts, node.expression).kind !== syntax.SyntaxKind.ThisKeyword) return undefined;
  return `this.${node.name.text}`;
}

/**
 * `this.done = true`, `this.output = undefined`, `this.output = { value }`: the
 * flag and its new truth (a flag tested for presence holds an object or
 * nothing, so there presence and truth agree); any other value forgets it.
 */
function flagAssignment(ts: TypeScript, node: ts.Node): { readonly name: string; readonly truth: Truth | '?' } | undefined {
  const syntax = syntaxOf(ts);
  if (!syntax.isBinaryExpression(node) || node.operatorToken.kind !== syntax.SyntaxKind.EqualsToken) return undefined;
  const name = flagName(ts, skipOuterExpressions(ts, node.left));
  if (name === undefined) return undefined;
  const value = skipOuterExpressions(ts, node.right);
  const { SyntaxKind } = syntaxOf(ts);
  switch (value.kind) {
    case SyntaxKind.TrueKeyword:
    case SyntaxKind.ObjectLiteralExpression:
    case SyntaxKind.ArrayLiteralExpression:
    case SyntaxKind.NewExpression:
      return { name, truth: 'T' };
    case SyntaxKind.FalseKeyword:
    case SyntaxKind.NullKeyword:
      return { name, truth: 'F' };
  }
  return { name, truth: isNullish(ts, value) ? 'F' : '?' };
}

/** A call that may write the object's flags: a method called on `this`, or a call `this` is handed to. */
function reachesThis(ts: TypeScript, node: ts.Node): boolean {
  const syntax = syntaxOf(ts);
  if (!syntax.isCallExpression(node) && !syntax.isNewExpression(node)) return false;
  const isThis = (expression: ts.Expression): boolean => skipOuterExpressions(ts, expression).kind === syntax.SyntaxKind.ThisKeyword;
  const callee = skipOuterExpressions(ts, node.expression);
  return ((syntax.isPropertyAccessExpression(callee) || syntax.isElementAccessExpression(callee)) && isThis(callee.expression)) || (node.arguments ?? []).some(isThis);
}

/**
 * The flags of `this` the CFG cannot follow: written in `root` other than by a
 * plain assignment of its own body (`this.n++`, `this.done ||= …`, `delete`, a
 * destructuring target, or anything in a closure, which runs who knows when).
 * The others are written only where the CFG shows it, or not at all.
 */
function unfollowedFlags(ts: TypeScript, root: ts.Node): ReadonlySet<string> {
  const syntax = syntaxOf(ts);
  const { SyntaxKind } = syntaxOf(ts);
  const unfollowed = new Set<string>();
  const visit = (node: ts.Node, nested: boolean): void => {
    const flag = flagName(ts, node);
    if (flag !== undefined) {
      const parent = node.parent;
      const assigned = syntax.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind >= SyntaxKind.FirstAssignment && parent.operatorToken.kind <= SyntaxKind.LastAssignment;
      const written =
        assigned ||
        ((syntax.isPrefixUnaryExpression(parent) || syntax.isPostfixUnaryExpression(parent)) && (parent.operator === SyntaxKind.PlusPlusToken || parent.operator === SyntaxKind.MinusMinusToken)) ||
        syntax.isDeleteExpression(parent) || syntax.isArrayLiteralExpression(parent) || syntax.isPropertyAssignment(parent) || syntax.isShorthandPropertyAssignment(parent) || syntax.isSpreadElement(parent);
      if (written && (nested || !assigned || (parent as ts.BinaryExpression).operatorToken.kind !== SyntaxKind.EqualsToken)) unfollowed.add(flag);
    }
    syntax.forEachChild(node, (child) => visit(child, nested || syntax.isFunctionLike(child)));
  };
  visit(root, false);
  return unfollowed;
}


/** Whether every value of the variable or flag other than `null`/`undefined` is an object: then present and truthy are the same fact. */
function holdsObjectOrNothing(ts: TypeScript, checker: Checker, tested: ts.Expression): boolean {
  const syntax = syntaxOf(ts);
  const type = checker.getNonNullableType(checker.getTypeAtLocation(tested));
  const parts = type.isUnion() ? type.types : [type];
  return parts.every((part) => (part.flags & syntax.TypeFlags.Object) !== 0);
}

/** The declaration of the variable `identifier` names, when it is a stable one (see isUnchanged). */
function stableVariable(ts: TypeScript, checker: Checker, identifier: ts.Identifier, stable: Map<ts.Declaration, boolean>): ts.Declaration | undefined {
  const variable = checker.getSymbolAtLocation(identifier)?.valueDeclaration;
  if (!variable) return undefined;
  let unchanged = stable.get(variable);
  if (unchanged === undefined) stable.set(variable, (unchanged = isUnchanged(ts, variable)));
  return unchanged ? variable : undefined;
}

/** A `const` (not a `for…of`/`for…in` one, which changes each iteration), or a parameter nothing assigns. */
function isUnchanged(ts: TypeScript, declaration: ts.Declaration): boolean {
  const syntax = syntaxOf(ts);
  if (syntax.isParameter(declaration)) return syntax.isIdentifier(declaration.name) && !isAssignedIn(ts, declaration.parent, declaration.name.text);
  const node = variableDeclarationOf(ts, declaration);
  if (!node || !syntax.isVariableDeclarationList(node.parent)) return false;
  const list = node.parent;
  return (list.flags & syntax.NodeFlags.Const) !== 0 && !syntax.isForOfStatement(list.parent) && !syntax.isForInStatement(list.parent);
}

/** Whether any assignment in `scope` (closures included) may write a variable named `name`; by name, so shadowing only makes it more careful. */
function isAssignedIn(ts: TypeScript, scope: ts.Node, name: string): boolean {
  const syntax = syntaxOf(ts);
  let assigned = false;
  const isTarget = (node: ts.Node): boolean => {
    const target = skipOuterExpressions(ts, node as ts.Expression);
    if (syntax.isIdentifier(target)) return target.text === name;
    if (syntax.isArrayLiteralExpression(target)) return target.elements.some((element) => isTarget(syntax.isSpreadElement(element) ? element.expression : element));
    if (syntax.isObjectLiteralExpression(target)) {
      return target.properties.some((property) =>
        syntax.isShorthandPropertyAssignment(property) ? property.name.text === name
        : syntax.isPropertyAssignment(property) ? isTarget(property.initializer)
        : syntax.isSpreadAssignment(property) ? isTarget(property.expression)
        : false,
      );
    }
    if (syntax.isBinaryExpression(target) && target.operatorToken.kind === syntax.SyntaxKind.EqualsToken) return isTarget(target.left); // a default in a destructuring target
    return false;
  };
  const visit = (node: ts.Node): void => {
    if (assigned) return;
    if (syntax.isBinaryExpression(node) && node.operatorToken.kind >= syntax.SyntaxKind.FirstAssignment && node.operatorToken.kind <= syntax.SyntaxKind.LastAssignment && isTarget(node.left)) assigned = true;
    else if ((syntax.isPrefixUnaryExpression(node) || syntax.isPostfixUnaryExpression(node)) && (node.operator === syntax.SyntaxKind.PlusPlusToken || node.operator === syntax.SyntaxKind.MinusMinusToken) && isTarget(node.operand)) assigned = true;
    else if ((syntax.isForOfStatement(node) || syntax.isForInStatement(node)) && !syntax.isVariableDeclarationList(node.initializer) && isTarget(node.initializer)) assigned = true;
    else syntax.forEachChild(node, visit);
  };
  visit(scope);
  return assigned;
}

/** The `VariableDeclaration` a name belongs to: itself, or the one whose binding pattern holds it. */
function variableDeclarationOf(ts: TypeScript, declaration: ts.Declaration): ts.VariableDeclaration | undefined {
  const syntax = syntaxOf(ts);
  let node: ts.Node = declaration;
  while (syntax.isBindingElement(node) || syntax.isObjectBindingPattern(node) || syntax.isArrayBindingPattern(node)) node = node.parent;
  return syntax.isVariableDeclaration(node) ? node : undefined;
}
