// The vtable rules: each `new RawWakerVTable(clone, wake, wakeByRef, drop)` in a
// file is checked from the summaries of its four slot functions (see summary.ts).
//
// Findings land in the file that builds the vtable (tsserver asks per file): a
// slot function declared there is the primary span; one declared elsewhere is
// reported on its argument, with a related span at its declaration.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import { isLibraryFile } from '../library';
import { findMentions } from '../mentions';
import { vtableCloneNoRetain, vtableDropNoRelease, vtableWakeByRefReleases, vtableWakeNoRelease } from '../rules/index';
import type { Finding, Fix, RelatedSpan, RuleId, Severity, Span } from '../types';
import { cloneFixes, forgetInsteadOfDropFix } from './fixes';
import { SLOT_NAMES, resolveSlotFunction, summarizeSlot, type Allocation, type Range, type SlotName, type SlotSummary, type SummaryOptions } from './summary';
import { packedFlatMap, packedMap } from '../arrays';
import { sharedTexts } from '../texts';

export { SLOT_NAMES, describeEffect, resolveSlotFunction, summarizeSlot, type Allocation, type Range, type SlotName, type SlotSummary } from './summary';

export interface SlotReport extends SlotSummary {
  /** The argument in `new RawWakerVTable(...)`. */
  readonly argument: ts.Expression;
  /** `ok`, `unknown` (the effect could not be computed), or the rule this slot breaks. */
  readonly verdict: 'ok' | 'unknown' | RuleId;
  /** The finding's message when the verdict is a rule. */
  readonly problem?: string;
}

export interface VtableReport {
  /** The `new RawWakerVTable(...)` expression. */
  readonly site: ts.NewExpression;
  readonly slots: Readonly<Record<SlotName, SlotReport>>;
  /** Each slot's function, as `slots` has it, without making the slot reports (made on first read: the analysis reads only these). */
  readonly declarations: Readonly<Record<SlotName, ts.FunctionLikeDeclaration | undefined>>;
  readonly findings: readonly Finding[];
  /**
   * The handles (`Arc.fromRaw(data)`, `Box.fromRaw(data)`) whose flow leak is
   * no problem of its own (`withoutExplainedLeaks`): taken in a `wake` or
   * `drop` slot that these findings say releases too few (the same problem),
   * or in the `wakeByRef` slot (keeping it is borrowing, the slot's contract).
   * Found on first read: the slots' bodies are walked only for a file with a
   * leak to explain (speed).
   */
  readonly explainedLeaks: readonly Span[];
}

/** Every vtable built in the file, with per-slot effects and verdicts. */
export function vtablesInFile(context: FileContext): VtableReport[] {
  return packedMap(vtableSites(context), (site) => checkVtable(context, site));
}

/** The `new RawWakerVTable(...)` expressions of the file, in source order. */
export function vtableSites(context: FileContext): ts.NewExpression[] {
  const { forEachChild } = context.ts;
  const { SyntaxKind } = context.library;
  const mentions = findMentions(context.file.text, VTABLE_WORD);
  const statements = context.file.statements;
  if (!mentions) {
    // A unicode escape may spell the name: every node is looked at.
    const sites: ts.NewExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (node.kind === SyntaxKind.NewExpression && isVtableConstruction(context, node as ts.NewExpression)) sites.push(node as ts.NewExpression);
      forEachChild(node, visit);
    };
    statements.forEach(visit);
    return sites;
  }
  // A vtable's callee is a name `RawWakerVTable`, so each site is found from a mention: down from its
  // statement to the node there, through the one child that holds it at each level, and up to its `new`
  // when that node is the callee's name. No other node is looked at (speed; a walk of every subtree
  // holding a mention visited each child of each node on the way).
  const sites: ts.NewExpression[] = [];
  let statement = 0;
  let offset = 0;
  // One visitor for every mention, reading the current one.
  const holding = (child: ts.Node): ts.Node | undefined => (child.pos <= offset && offset < child.end ? child : undefined);
  for (let i = 0; i < mentions.length; i++) {
    offset = mentions[i]!;
    while (statement < statements.length && statements[statement]!.end <= offset) statement++;
    if (statement === statements.length) break;
    let node: ts.Node = statements[statement]!;
    // An import names the class without building one (`import { RawWakerVTable }` is where most files mention it).
    if (node.pos > offset || node.kind === SyntaxKind.ImportDeclaration) continue;
    for (let child = childHolding(SyntaxKind, node, offset) ?? forEachChild(node, holding); child; child = childHolding(SyntaxKind, node, offset) ?? forEachChild(node, holding)) node = child;
    const site = constructionNamed(SyntaxKind, node);
    if (site && isVtableConstruction(context, site)) sites.push(site);
  }
  // Source order is the order of the `new`s, which a site's callee name need not keep (`new (new RawWakerVTable(…)).RawWakerVTable`): nested, the outer starts first.
  return sites.length > 1 ? sites.sort((a, b) => a.pos - b.pos) : sites;
}

/**
 * The child of `node` holding `offset`, where a vtable's declaration leads (a variable's initializer, a `new`'s callee),
 * found without visiting the children before it (its modifiers, name and type: a walk over them was most of the site search);
 * undefined elsewhere, where `forEachChild` looks.
 */
function childHolding(SyntaxKind: typeof ts.SyntaxKind, node: ts.Node, offset: number): ts.Node | undefined {
  let child: ts.Node | undefined;
  switch (node.kind) {
    case SyntaxKind.VariableStatement:
      child = (node as ts.VariableStatement).declarationList;
      break;
    case SyntaxKind.VariableDeclarationList: {
      const declarations = (node as ts.VariableDeclarationList).declarations;
      for (let i = 0; i < declarations.length; i++) if (declarations[i]!.end > offset) return holds(declarations[i]!, offset) ? declarations[i] : undefined;
      return undefined;
    }
    case SyntaxKind.VariableDeclaration:
      child = (node as ts.VariableDeclaration).initializer;
      break;
    case SyntaxKind.NewExpression:
    case SyntaxKind.ExpressionStatement:
      child = (node as ts.NewExpression | ts.ExpressionStatement).expression;
      break;
  }
  return child && holds(child, offset) ? child : undefined;
}

function holds(node: ts.Node, offset: number): boolean {
  return node.pos <= offset && offset < node.end;
}

/** The `new` expression whose callee `name` names (`new name(…)`, `new ns.name(…)`), if it does. */
function constructionNamed(SyntaxKind: typeof ts.SyntaxKind, name: ts.Node): ts.NewExpression | undefined {
  if (name.kind !== SyntaxKind.Identifier) return undefined;
  let callee: ts.Node = name;
  const parent = name.parent;
  if (parent.kind === SyntaxKind.PropertyAccessExpression) {
    if ((parent as ts.PropertyAccessExpression).name !== name) return undefined;
    callee = parent;
  }
  const construction = callee.parent;
  return construction.kind === SyntaxKind.NewExpression && (construction as ts.NewExpression).expression === callee ? (construction as ts.NewExpression) : undefined;
}

/** The vtable rules' findings for one file. */
export function analyzeVtables(context: FileContext): Finding[] {
  return packedFlatMap(vtablesInFile(context), (report) => report.findings);
}

/**
 * The vtable a position belongs to, for hover: `node` inside a `new RawWakerVTable(...)`,
 * or a slot function (its declaration or name) used by a vtable built in this file.
 */
export function vtableAt(context: FileContext, node: ts.Node): VtableReport | undefined {
  const ts = context.ts;
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isNewExpression(current) && isVtableConstruction(context, current)) return checkVtable(context, current);
  }
  const fn = enclosingFunction(context, node);
  if (!fn) return undefined;
  return vtablesInFile(context).find((report) => SLOT_NAMES.some((slot) => report.declarations[slot] === fn));
}

function enclosingFunction(context: FileContext, node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  const ts = context.ts;
  if (ts.isIdentifier(node)) {
    const resolved = resolveSlotFunction(context, node);
    if (resolved) return resolved;
  }
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current) || ts.isArrowFunction(current) || ts.isMethodDeclaration(current)) return current;
  }
  return undefined;
}

const VTABLE_CLASS = 'RawWakerVTable';
// A substring, not a whole word: a longer name containing it only makes the walk descend a little further.
const VTABLE_WORD = new RegExp(VTABLE_CLASS, 'g');

function isVtableConstruction(context: FileContext, node: ts.NewExpression): boolean {
  const ts = context.ts;
  // Cheap syntactic filter first; the checker decides.
  const callee = node.expression;
  const text = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (text !== VTABLE_CLASS) return false;
  return context.library.calleeOf(node) === 'RawWakerVTable';
}

/** Check one vtable from its slots' summaries. */
export function checkVtable(context: FileContext, site: ts.NewExpression): VtableReport {
  const args = site.arguments ?? NO_ARGUMENTS;
  // Written out slot by slot, no closures (speed).
  const slotArguments: SlotArguments = { clone: args[0], wake: args[1], wakeByRef: args[2], drop: args[3] };
  const functions: Readonly<Record<SlotName, ts.FunctionLikeDeclaration | undefined>> = {
    clone: slotFunction(context, args[0]),
    wake: slotFunction(context, args[1]),
    wakeByRef: slotFunction(context, args[2]),
    drop: slotFunction(context, args[3]),
  };
  let summaries = summarizeSlots(context, functions, NO_OPTIONS);
  // A count kept by hand in a Box is a reference count: summarise again, counting it.
  const counterFields = handKeptCounts(summaries);
  if (counterFields.size > 0) summaries = summarizeSlots(context, functions, { counterFields });
  const problems = findProblems(context, summaries, counterFields);
  const findings: Finding[] = [];
  for (let i = 0; i < SLOT_NAMES.length; i++) {
    const slot = SLOT_NAMES[i]!;
    const problem = problemOf(problems, slot);
    if (problem && slotArguments[slot]) findings.push(toFinding(context, site, summaries, slotArguments, problem));
  }
  return new CheckedVtable(context, site, slotArguments, functions, findings, summaries, problems);
}

const NO_ARGUMENTS: readonly ts.Expression[] = [];
const NO_OPTIONS: SummaryOptions = {};

function slotFunction(context: FileContext, argument: ts.Expression | undefined): ts.FunctionLikeDeclaration | undefined {
  return argument ? resolveSlotFunction(context, argument) : undefined;
}

function summarizeSlots(context: FileContext, functions: Readonly<Record<SlotName, ts.FunctionLikeDeclaration | undefined>>, options: SummaryOptions): Summaries {
  return {
    clone: summarizeSlot(context, functions.clone, 'clone', undefined, options),
    wake: summarizeSlot(context, functions.wake, 'wake', undefined, options),
    wakeByRef: summarizeSlot(context, functions.wakeByRef, 'wakeByRef', undefined, options),
    drop: summarizeSlot(context, functions.drop, 'drop', undefined, options),
  };
}

/** The problem found in `slot`, if any (at most one a slot). */
function problemOf(problems: readonly Problem[], slot: SlotName): Problem | undefined {
  for (let i = 0; i < problems.length; i++) if (problems[i]!.slot === slot) return problems[i];
  return undefined;
}

/** A checked vtable, its slot reports and explained leaks made on first read (a class: an object literal with a getter is ten times as slow to make). */
class CheckedVtable implements VtableReport {
  private explained: Span[] | undefined;
  private reports: Record<SlotName, SlotReport> | undefined;

  constructor(
    private readonly context: FileContext,
    readonly site: ts.NewExpression,
    private readonly slotArguments: SlotArguments,
    readonly declarations: Readonly<Record<SlotName, ts.FunctionLikeDeclaration | undefined>>,
    readonly findings: readonly Finding[],
    private readonly summaries: Summaries,
    private readonly problems: readonly Problem[],
  ) {}

  get slots(): Readonly<Record<SlotName, SlotReport>> {
    if (!this.reports) {
      const reports = {} as Record<SlotName, SlotReport>;
      for (let i = 0; i < SLOT_NAMES.length; i++) {
        const slot = SLOT_NAMES[i]!;
        const summary = this.summaries[slot];
        const problem = problemOf(this.problems, slot);
        reports[slot] = slotReport(summary, this.slotArguments[slot] ?? this.site, problem ? problem.rule : summary.references ? 'ok' : 'unknown', problem?.message);
      }
      this.reports = reports;
    }
    return this.reports;
  }

  get explainedLeaks(): Span[] {
    // A handle `wakeByRef` keeps is the reference it borrows, as its contract says (`forget` says it explicitly; there is no implicit drop).
    this.explained ??= packedFlatMap([...packedMap(this.problems.filter((problem) => RELEASES_TOO_FEW.has(problem.rule)), (problem) => problem.slot), 'wakeByRef' as const], (slot) => handlesTakenIn(this.context, this.summaries[slot].declaration));
    return this.explained;
  }
}

/**
 * A summary with its verdict, every property written out: a spread copy
 * (`{ ...summary, verdict }`) took a tenth of the vtable pass (speed).
 */
function slotReport(summary: SlotSummary, argument: ts.Expression, verdict: SlotReport['verdict'], problem: string | undefined): SlotReport {
  const { slot, name, declaration, references, effect, allocations, fieldSteps, drops, releasesOnlyByDrop, boxValueTypes } = summary;
  return { slot, name, declaration, references, effect, allocations, fieldSteps, drops, releasesOnlyByDrop, boxValueTypes, argument, verdict, problem };
}

/** The rules that say a slot keeps a reference it should release: its handle leaks. */
const RELEASES_TOO_FEW: ReadonlySet<RuleId> = new Set(['vtable-wake-no-release', 'vtable-drop-no-release']);

/** `Arc.fromRaw(…)` and `Box.fromRaw(…)` in a slot function's own body, in whichever file declares it. */
function handlesTakenIn(context: FileContext, declaration: ts.FunctionLikeDeclaration | undefined): Span[] {
  const ts = context.ts;
  if (!declaration?.body) return [];
  const file = declaration.getSourceFile();
  const spans: Span[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node)) {
      const name = context.library.calleeOf(node);
      if (name === 'Arc.fromRaw' || name === 'Box.fromRaw') spans.push({ file: file.fileName, start: node.getStart(file), end: node.getEnd() });
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(declaration.body, visit);
  return spans;
}

/**
 * One problem, one finding: a slot that keeps the reference its handle holds
 * is a `vtable-*-no-release` finding, which explains it by the slot's contract;
 * the flow rules' `clone-without-drop` on that handle (`Arc.fromRaw(data)`
 * never dropped) says the same, so it is left out. The vtable may be built in
 * another file than the slot: see `leaksExplainedElsewhere`.
 */
export function withoutExplainedLeaks(flow: readonly Finding[], explained: (leaks: readonly Finding[]) => readonly Span[]): Finding[] {
  // Only a leak can be explained: without one, nothing need be looked up (speed).
  const leaks = flow.filter((finding) => finding.rule === 'clone-without-drop');
  if (leaks.length === 0) return [...flow];
  const spans = explained(leaks);
  if (spans.length === 0) return [...flow];
  // A few spans: compared in place, not as keys made of each span's file name and offsets (speed).
  const isExplained = ({ file, start, end }: Span): boolean => spans.some((span) => span.start === start && span.end === end && span.file === file);
  return flow.filter((finding) => finding.rule !== 'clone-without-drop' || !isExplained(finding.span));
}

/**
 * Whether one of `leaks` lies in one of the vtable's slot functions, the only
 * place its `explainedLeaks` can be: elsewhere (a poll's `cx.waker().clone()`)
 * its slots' bodies need not be walked for them.
 */
export function slotsHoldAny(report: VtableReport, leaks: readonly Finding[]): boolean {
  return SLOT_NAMES.some((slot) => {
    const declaration = report.declarations[slot];
    const file = declaration?.getSourceFile().fileName;
    return declaration !== undefined && leaks.some(({ span }) => span.file === file && span.start >= declaration.pos && span.end <= declaration.end);
  });
}

/**
 * The handles among `flow`'s leaks in this file that a vtable built in another
 * file explains (its slot is declared here, its finding is there): the same
 * problem, reported once, by the vtable rule. Only a leak of a `fromRaw` handle
 * can be one, so a file without such a leak costs nothing; otherwise the other
 * files that build a vtable are looked at, and only vtables with a slot
 * declared here are checked. Recomputed on every analysis (the incremental
 * analyzer too): any edit of another file changes what it says.
 */
export function leaksExplainedElsewhere(context: FileContext, flow: readonly Finding[]): Span[] {
  const file = context.file;
  const handles = flow.filter((finding) => finding.rule === 'clone-without-drop' && finding.span.file === file.fileName && file.text.slice(finding.span.start, finding.span.end).includes('fromRaw'));
  if (handles.length === 0) return [];
  const explained: Span[] = [];
  for (const other of context.program.getSourceFiles()) {
    if (other === file || other.isDeclarationFile || !other.text.includes(VTABLE_CLASS) || context.program.isSourceFileFromExternalLibrary(other) || isLibraryFile(context.program, other)) continue;
    const otherContext: FileContext = { ...context, file: other };
    for (const site of vtableSites(otherContext)) {
      const slotsHere = (site.arguments ?? []).some((argument) => resolveSlotFunction(otherContext, argument)?.getSourceFile() === file);
      if (slotsHere) explained.push(...checkVtable(otherContext, site).explainedLeaks.filter((span) => span.file === file.fileName));
    }
  }
  return explained;
}

/**
 * Fields of a Box's contents that `wake` or `drop` counts down by one
 * (`box.value.refs--`, then free at zero): the vtable keeps its reference
 * count by hand there.
 */
function handKeptCounts(summaries: Summaries): ReadonlySet<string> {
  let fields: Set<string> | undefined;
  for (const slot of COUNTING_DOWN_SLOTS) {
    for (const [field, steps] of summaries[slot].fieldSteps) if (steps.has('-')) (fields ??= new Set()).add(field);
  }
  // A set only where there are fields: nearly every vtable has none (garbage).
  return fields ?? NO_FIELDS;
}

const COUNTING_DOWN_SLOTS = ['wake', 'drop'] as const;
const NO_FIELDS: ReadonlySet<string> = new Set();

/** The one allocation every slot treats the data as, if they agree. */
function allocationOf(summaries: Summaries): Allocation | undefined {
  let agreed: Allocation | undefined;
  for (const slot of SLOT_NAMES) {
    for (const allocation of summaries[slot].allocations) {
      if (agreed !== undefined && agreed !== allocation) return undefined;
      agreed = allocation;
    }
  }
  return agreed;
}

interface Problem {
  readonly rule: RuleId;
  readonly slot: SlotName;
  readonly severity: Severity;
  readonly message: string;
  /** The slots the message compares against, for related spans. */
  readonly others: readonly SlotName[];
  readonly help: string;
  readonly fixes: readonly Fix[];
}

type Summaries = Readonly<Record<SlotName, SlotSummary>>;
/** The arguments of `new RawWakerVTable(...)`, by slot; `undefined` where one is missing. */
type SlotArguments = Readonly<Record<SlotName, ts.Expression | undefined>>;

type CountTest = (n: number) => boolean;
const none: CountTest = (n) => n <= 0;
const some: CountTest = (n) => n >= 1;

/**
 * Whether two slots disagree on every path (`error`) or on some (`warning`),
 * given what each must not do. The same range on both sides is no mismatch:
 * "0 or 1" against "0 or 1" is two slots taking the same paths.
 */
function verdict(a: Range, testA: CountTest, b: Range, testB: CountTest): Severity | undefined {
  if (a.min === b.min && a.max === b.max) return undefined;
  const everyA = testA(a.min) && testA(a.max);
  const everyB = testB(b.min) && testB(b.max);
  if (everyA && everyB) return 'error';
  const someA = testA(a.min) || testA(a.max);
  const someB = testB(b.min) || testB(b.max);
  return someA && someB ? 'warning' : undefined;
}

/** The value types every slot's `Box.fromRaw<T>(data)` names. */
function boxValueTypes(s: Summaries): Set<string> {
  return new Set(packedFlatMap(SLOT_NAMES, (slot) => [...s[slot].boxValueTypes]));
}

function fixList(fix: Fix | undefined): Fix[] {
  return fix ? [fix] : [];
}

function count(range: Range): string {
  return range.min === range.max ? `${range.min}` : `${range.min} or ${range.max}`;
}

function noun(range: Range): string {
  return range.min === 1 && range.max === 1 ? 'reference' : 'references';
}

/**
 * What a slot does in the message, in the same words for every rule. When the
 * mismatch holds on every path: its whole range ("0 references", and "1" for the
 * slot it is compared with). On some paths: the count that makes the mismatch,
 * and "on some paths" when the slot does otherwise on others.
 */
function counted(range: Range, test: CountTest, always: boolean, withNoun: boolean): string {
  if (always) return withNoun ? `${count(range)} ${noun(range)}` : count(range);
  const n = test(range.min) ? range.min : range.max;
  const exact = { min: n, max: n };
  const paths = test(range.min) && test(range.max) ? '' : ' on some paths';
  return `${withNoun ? `${n} ${noun(exact)}` : n}${paths}`;
}

function findProblems(context: FileContext, s: Summaries, counterFields: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const clone = s.clone.references;
  const wake = s.wake.references;
  const wakeByRef = s.wakeByRef.references;
  const drop = s.drop.references;
  const allocation = allocationOf(s);
  const counter = allocation === 'box' ? [...counterFields][0] : undefined;

  if (clone) {
    // The releasing slot the clone is compared against: drop first, as in the seed's message.
    const slot: SlotName | undefined = drop && verdict(clone, none, drop, some) ? 'drop' : wake && verdict(clone, none, wake, some) ? 'wake' : undefined;
    if (slot) {
      const released = s[slot].references!;
      const severity = verdict(clone, none, released, some)!;
      const always = severity === 'error';
      problems.push({
        rule: 'vtable-clone-no-retain',
        slot: 'clone',
        severity,
        message: vtableCloneNoRetain.messages.mismatch(s.clone.name, counted(clone, none, always, true), s[slot].name, counted(released, some, always, false), always),
        others: [slot, slot === 'drop' ? 'wake' : 'drop'],
        help: counter ? vtableCloneNoRetain.messages.countHelp(s.clone.name, counter, s[slot].name) : vtableCloneNoRetain.messages.help(s.clone.name, allocation),
        // An edit is right only when the clone takes nothing on every path and the count is the library's.
        fixes: !counter && clone.min === 0 && clone.max === 0 ? cloneFixes(context, s.clone, allocation, boxValueTypes(s)) : [],
      });
    }
  }
  if (wake && drop) {
    const severity = verdict(wake, none, drop, some);
    if (severity) {
      const always = severity === 'error';
      problems.push({
        rule: 'vtable-wake-no-release',
        slot: 'wake',
        severity,
        message: vtableWakeNoRelease.messages.mismatch(s.wake.name, counted(wake, none, always, true), s.drop.name, counted(drop, some, always, false), always),
        others: ['drop'],
        help: counter ? vtableWakeNoRelease.messages.countHelp(s.drop.name, counter) : vtableWakeNoRelease.messages.help(s.drop.name, allocation),
        fixes: [],
      });
    }
  }
  if (wakeByRef && wakeByRef.max >= 1) {
    const severity: Severity = wakeByRef.min >= 1 ? 'error' : 'warning';
    problems.push({
      rule: 'vtable-wake-by-ref-releases',
      slot: 'wakeByRef',
      severity,
      message: vtableWakeByRefReleases.messages.releases(s.wakeByRef.name, counted(wakeByRef, some, severity === 'error', true)),
      others: ['wake'],
      help: vtableWakeByRefReleases.messages.help(allocation),
      fixes: fixList(s.wakeByRef.releasesOnlyByDrop ? forgetInsteadOfDropFix(context, s.wakeByRef, s.wakeByRef.drops) : undefined),
    });
  }
  if (drop && clone) {
    const severity = verdict(drop, none, clone, some);
    if (severity) {
      const always = severity === 'error';
      problems.push({
        rule: 'vtable-drop-no-release',
        slot: 'drop',
        severity,
        message: vtableDropNoRelease.messages.mismatch(s.drop.name, counted(drop, none, always, true), s.clone.name, counted(clone, some, always, false), always),
        others: ['clone'],
        help: counter ? vtableDropNoRelease.messages.countHelp(s.drop.name, counter) : vtableDropNoRelease.messages.help(s.drop.name, allocation),
        fixes: [],
      });
    }
  }
  return problems;
}

function toFinding(context: FileContext, site: ts.NewExpression, summaries: Summaries, slotArguments: SlotArguments, problem: Problem): Finding {
  const file = context.file;
  const summary = summaries[problem.slot];
  const argument = slotArguments[problem.slot]!;
  const declaration = summary.declaration;
  const declaredHere = declaration !== undefined && declaration.getSourceFile() === file && !isInside(declaration, site);
  const related: RelatedSpan[] = [];
  const span = declaredHere ? nameSpan(context, declaration) : spanOf(argument);
  if (declaration && !declaredHere && !isInside(declaration, site)) {
    related.push(labelled(nameSpan(context, declaration), declaredHereLabel(summary.name)));
  }
  for (const other of problem.others) {
    const otherSummary = summaries[other];
    const otherArgument = slotArguments[other];
    if (!otherArgument) continue;
    const where = otherSummary.declaration && !isInside(otherSummary.declaration, site) ? nameSpan(context, otherSummary.declaration) : spanOf(otherArgument);
    related.push(labelled(where, slotEffectLabel(otherSummary.name, otherSummary.effect)));
  }
  related.push(labelled(spanOf(site.expression), 'the vtable is built here'));
  return { rule: problem.rule, severity: problem.severity, message: problem.message, span, related, help: problem.help, fixes: problem.fixes };
}

const declaredHereLabel = sharedTexts((slotFunction: string) => `\`${slotFunction}\` is declared here`);

/** "`drop` releases 1 reference". */
const slotEffectLabel = sharedTexts((slotFunction: string, effect: string) => `\`${slotFunction}\` ${effect}`);

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.pos >= container.pos && node.end <= container.end;
}

function spanOf(node: ts.Node): Span {
  const file = node.getSourceFile();
  return { file: file.fileName, start: node.getStart(file), end: node.getEnd() };
}

function labelled(span: Span, message: string): RelatedSpan {
  return { file: span.file, start: span.start, end: span.end, message };
}

/** The function's name, or for `const f = () => ...` the variable's name. */
function nameSpan(context: FileContext, fn: ts.FunctionLikeDeclaration): Span {
  const ts = context.ts;
  if (fn.name) return spanOf(fn.name);
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return spanOf(parent.name);
  return spanOf(fn);
}
