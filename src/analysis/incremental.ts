// Re-analysis after an edit, for the editor: tsserver asks for diagnostics after
// every pause in typing, the edit is nearly always inside one function body, and
// analysing a 3,000-line file whole takes about 20 ms. `IncrementalAnalyzer`
// returns exactly what `analyzeFile` would, reusing every result the edit
// cannot have changed.
//
// Why reuse is sound. A file splits into *opaque bodies* and the *skeleton*
// (everything else). An opaque body is the body of a function-like that is
// not nested in another function and whose signature is written out in full:
// a return type annotation, no `typeof` anywhere in the signature, no
// parameter typed by its default value. Nothing outside such a body depends on
// its text:
//   - the function's type is its signature, which is skeleton (TypeScript
//     infers a return type from the body only when it is not annotated, and
//     class property types from constructor bodies, so constructors, setters and
//     static blocks are never opaque; `typeof` or an unannotated default in a
//     signature could name something declared in the body);
//   - what a body declares is visible only inside it;
//   - a function nested in another belongs to the enclosing body: the
//     enclosing analysis reads it (captures), so only outermost bodies count;
//   - one exception in the checker: a closure sees a narrowed type of an outer
//     `let` unless it is assigned anywhere in its container, nested functions
//     included. So an edited body whose old or new text mentions a `let` or
//     `var` declared outside every function re-analyses the whole file;
//   - one exception in the flow rules: a loop over a `const` bound to an array
//     literal outside every function runs at least once only if no code in its
//     scope may empty the array (flow/loops.ts reads every reference), so the
//     names of such `const`s count as the `let`s do.
// Together these are the file's *shared names*.
// So when the skeleton is the same text and the compiler options the same
// object, a result that read no edited body is what a fresh analysis would
// compute, with positions shifted by the bodies' length changes before them.
// The same holds across files: what another file B sees of this file A is
// what the checker says of A's declarations, which are A's skeleton, and the
// bodies it reads itself (below). So an edit to A that leaves its skeleton the
// same text (and mentions none of A's shared names) changes nothing in B that
// did not read an edited body of A; tsserver keeps the SourceFile of every
// file it did not change, so B compares the program's other files with those
// it was last analysed with, by identity, and follows the edited ones body by
// body. Any other change re-analyses B whole: a file added or removed, other
// options, a skeleton edit, an edit to a JavaScript or declaration file or to
// the library.
// What each result reads:
//   - a flow unit inside an opaque body: that body (and the skeleton);
//   - a flow unit outside every opaque body: the skeleton only, except the
//     file's top level, which reads the functions it contains when it tracks a
//     module-level binding they might capture: then any body edit re-analyses
//     the whole file;
//   - either kind of flow unit also reads the bodies of the helpers whose
//     summaries it used, and of their helpers in turn, in any file (the engine
//     collects them in `reads`): a body that read an edited helper is analysed
//     again, and a unit outside every opaque body that did makes the whole file
//     analysed again;
//   - a vtable: the functions its slot summaries ran and the declarations they
//     were resolved through, in any file (the vtable pass records them in
//     `readNodes`);
//   - a result whose findings point into another file (a related span at a
//     slot function declared there) reads that file's positions: any edit
//     there analyses it again.
// JavaScript files have no opaque bodies (`this.x = …` anywhere types a
// property), so they are always analysed whole. Anything unexpected (a
// position that does not map) falls back to a whole analysis.

import type * as ts from 'typescript';
import { createFileContext, type FileContext } from './context';
import { finishFindings } from './finish';
import { analyzeUnit, flowMayApply, hintedUnits, sortFlowFindings } from './flow/index';
import { isFunctionBoundary, type FunctionLikeWithBody } from './flow/graph';
import { isLibraryFile } from './library';
import { findMentions, mentionedIn } from './mentions';
import { skipOuterExpressions } from './syntax';
import { checkVtable, leaksExplainedElsewhere, vtableSites, withoutExplainedLeaks } from './vtable/index';
import { DEFAULT_CONFIG, type AnalyzerConfig, type Finding, type Span, type TypeScript } from './types';

/** An opaque body: the function that owns it and its text range (`body.pos` to `body.end`). */
interface Body {
  readonly owner: FunctionLikeWithBody;
  readonly start: number;
  readonly end: number;
}

/** What re-analysis needs of one version of a file (one `SourceFile` object): computed once per version. */
interface Skeleton {
  readonly bodies: readonly Body[];
  /** Each body's owning function, to its index. */
  readonly owners: ReadonlyMap<ts.Node, number>;
  /** The text of each body. */
  readonly texts: readonly string[];
  /** The skeleton: the text between opaque bodies (one more piece than bodies). */
  readonly pieces: readonly string[];
  /** Names an edited body must not mention for the edit to stay inside it (see the header). */
  readonly sharedNames: readonly string[];
}

/**
 * What a result was computed from beyond its own body and the skeletons: per
 * file name, the indices of the opaque bodies it read, and `ANY_CHANGE` for
 * another file its findings point into (any edit there moves them).
 */
type Reads = ReadonlyMap<string, ReadonlySet<number>>;
/** Per file name, the bodies edited since the last analysis, and `ANY_CHANGE` for every other file edited at all. */
type Changes = ReadonlyMap<string, ReadonlySet<number>>;
const ANY_CHANGE = -1;

interface VtableEntry {
  readonly start: number;
  readonly end: number;
  readonly reads: Reads;
  readonly findings: readonly Finding[];
  /** The flow leaks its findings explain (`VtableReport.explainedLeaks`). */
  readonly explained: readonly Span[];
}

interface FileState {
  readonly options: ts.CompilerOptions;
  readonly others: readonly ts.SourceFile[];
  readonly flowApplies: boolean;
  readonly skeleton: Skeleton;
  /** Flow findings outside every opaque body (index 0), then per body (index i + 1), each in unit order. */
  readonly flow: readonly (readonly Finding[])[];
  /** Per group of `flow`: what its units read (undefined: anything). */
  readonly flowReads: readonly (Reads | undefined)[];
  readonly topLevelReadsBodies: boolean;
  readonly vtables: readonly VtableEntry[];
}

/** How the last `analyzeFile` call went, for tests and the benchmark. */
export interface IncrementalStats {
  readonly mode: 'whole' | 'incremental';
  /** Opaque bodies of the file whose text changed (incremental mode). */
  readonly changedBodies: number;
  /** Other files of the program edited since the file's last analysis whose edits were followed body by body (incremental mode). */
  readonly changedFiles: number;
  /** The opaque bodies whose flow units were analysed (all of them in whole mode). */
  readonly analysedBodies: readonly number[];
  /** Whether the flow units outside every opaque body were analysed. */
  readonly analysedOutside: boolean;
  /** How many vtables were checked (the others' reports were reused). */
  readonly checkedVtables: number;
}

export class IncrementalAnalyzer {
  private readonly states = new Map<string, FileState>();
  /** The skeleton of each file version seen (the states keep the versions they compare with alive). */
  private readonly skeletons = new WeakMap<ts.SourceFile, Skeleton>();
  /** The program of the last call: when another one comes, files it no longer holds are forgotten. */
  private lastProgram: ts.Program | undefined;
  last: IncrementalStats = { mode: 'whole', changedBodies: 0, changedFiles: 0, analysedBodies: [], analysedOutside: true, checkedVtables: 0 };

  constructor(private readonly ts: TypeScript) {}

  /** The same findings as `analyzeFile(ts, program, file, config)`. */
  analyzeFile(program: ts.Program, file: ts.SourceFile, config: AnalyzerConfig = DEFAULT_CONFIG): Finding[] {
    if (program !== this.lastProgram) {
      this.lastProgram = program;
      this.pruneFilesOutside(program);
    }
    return finishFindings(this.ts, file, this.passes(program, file), config);
  }

  /** The files whose results are kept (for tests and diagnostics). */
  trackedFiles(): string[] {
    return [...this.states.keys()];
  }

  /** Drop the state of files the program no longer holds (deleted, renamed, or left the project). */
  private pruneFilesOutside(program: ts.Program): void {
    for (const fileName of this.states.keys()) {
      if (!program.getSourceFile(fileName)) this.states.delete(fileName);
    }
  }

  private skeleton(file: ts.SourceFile): Skeleton {
    let skeleton = this.skeletons.get(file);
    if (!skeleton) {
      skeleton = skeletonData(this.ts, file);
      this.skeletons.set(file, skeleton);
    }
    return skeleton;
  }

  private passes(program: ts.Program, file: ts.SourceFile): Finding[] {
    const current: Analysed = {
      options: program.getCompilerOptions(),
      others: program.getSourceFiles().filter((other) => other !== file),
      flowApplies: flowMayApply(file),
      skeleton: this.skeleton(file),
    };
    const previous = this.states.get(file.fileName);
    const changes = previous ? this.changesSince(program, previous, current, file.fileName) : undefined;
    const context = createFileContext(this.ts, program, file);
    let state: FileState | undefined;
    if (previous && changes) {
      try {
        state = this.reanalyze(context, previous, current, changes);
      } catch (error) {
        if (!(error instanceof Unmappable)) throw error;
      }
    }
    if (!state) state = this.analyzeWhole(context, current);
    this.states.set(file.fileName, state);
    const leaks = sortFlowFindings(state.flow.flat());
    const flow = withoutExplainedLeaks(leaks, () => [...state.vtables.flatMap((entry) => entry.explained), ...leaksExplainedElsewhere(context, leaks)]);
    return [...flow, ...state.vtables.flatMap((entry) => entry.findings)];
  }

  /**
   * The bodies edited since `previous`, in this file and in the program's other
   * files, or undefined when anything else changed (then the whole file is
   * analysed): the compiler options, the set of files, a skeleton, or a file
   * whose edits are not followed body by body (JavaScript, declarations, the library).
   */
  private changesSince(program: ts.Program, previous: FileState, current: Analysed, fileName: string): Changes | undefined {
    if (previous.options !== current.options || previous.flowApplies !== current.flowApplies || previous.others.length !== current.others.length) return undefined;
    const changes = new Map<string, ReadonlySet<number>>();
    const own = changedBodies(previous.skeleton, current.skeleton);
    if (!own) return undefined;
    if (own.size > 0) changes.set(fileName, own);
    for (let i = 0; i < current.others.length; i++) {
      const before = previous.others[i]!;
      const after = current.others[i]!;
      if (before === after) continue;
      if (before.fileName !== after.fileName || before.isDeclarationFile || after.isDeclarationFile || before.impliedNodeFormat !== after.impliedNodeFormat) return undefined;
      if (before.text === after.text) continue; // parsed again, the same
      if (!isTypeScript(after) || isLibraryFile(program, after) || program.isSourceFileFromExternalLibrary(after)) return undefined;
      const edited = changedBodies(this.skeleton(before), this.skeleton(after));
      if (!edited) return undefined;
      changes.set(after.fileName, new Set([...edited, ANY_CHANGE]));
    }
    return changes;
  }

  private analyzeWhole(context: FileContext, current: Analysed): FileState {
    const ts = this.ts;
    const file = context.file;
    const { bodies } = current.skeleton;
    const flow: Finding[][] = [[], ...bodies.map(() => [])];
    const flowReads: (Map<string, Set<number>> | undefined)[] = flow.map(() => new Map());
    let topLevelReadsBodies = false;
    if (current.flowApplies) {
      for (const unit of hintedUnits(ts, file)) {
        const index = bodyIndexOf(current.skeleton, unit.root) + 1;
        const reads = analyzeUnit(context, unit, flow[index]!);
        if (unit.root === file && reads.nested) topLevelReadsBodies = true;
        flowReads[index] = this.noteReads(flowReads[index], reads.summaries);
      }
    }
    flow.forEach((findings, index) => this.noteFindings(flowReads[index], findings, [], file.fileName));
    const vtables = vtableSites(context).map((site) => this.checkSite(context, site));
    this.last = { mode: 'whole', changedBodies: 0, changedFiles: 0, analysedBodies: bodies.map((_, index) => index), analysedOutside: true, checkedVtables: vtables.length };
    return { ...current, flow, flowReads, topLevelReadsBodies, vtables };
  }

  /** Reuse what the edits cannot have changed; undefined when the file must be analysed whole. */
  private reanalyze(context: FileContext, previous: FileState, current: Analysed, changes: Changes): FileState | undefined {
    const file = context.file;
    const changed = changes.get(file.fileName) ?? NONE;
    if (previous.topLevelReadsBodies && changed.size > 0) return undefined;
    if (readsChanged(previous.flowReads[0], changes)) return undefined;
    const ts = this.ts;
    const { bodies } = current.skeleton;
    const toNew = positionMap(previous.skeleton.bodies, bodies, changed);
    const toOld = positionMap(bodies, previous.skeleton.bodies, changed);
    const move = (findings: readonly Finding[]): Finding[] => findings.map((finding) => moveFinding(finding, file.fileName, toNew));

    const flow: Finding[][] = [move(previous.flow[0]!)];
    const flowReads: (Reads | undefined)[] = [previous.flowReads[0]];
    const analysedBodies: number[] = [];
    bodies.forEach((body, index) => {
      const reads = previous.flowReads[index + 1];
      if (!changed.has(index) && !readsChanged(reads, changes)) {
        flow.push(move(previous.flow[index + 1]!));
        flowReads.push(reads);
        return;
      }
      analysedBodies.push(index);
      const group: Finding[] = [];
      let read: Map<string, Set<number>> | undefined = new Map();
      if (current.flowApplies) {
        for (const unit of hintedUnits(ts, body.owner)) read = this.noteReads(read, analyzeUnit(context, unit, group).summaries);
      }
      flow.push(group);
      flowReads.push(this.noteFindings(read, group, [], file.fileName));
    });

    const previousSites = new Map(previous.vtables.map((entry) => [`${entry.start}:${entry.end}`, entry]));
    let checkedVtables = 0;
    const vtables = vtableSites(context).map((site): VtableEntry => {
      const inside = bodyIndexOf(current.skeleton, site);
      const reusable = inside < 0 || !changed.has(inside);
      const old = reusable ? previousSites.get(`${toOld(site.pos)}:${toOld(site.end)}`) : undefined;
      if (old && !readsChanged(old.reads, changes)) {
        return { start: site.pos, end: site.end, reads: old.reads, findings: move(old.findings), explained: old.explained.map((span) => moveSpan(span, file.fileName, toNew)) };
      }
      checkedVtables++;
      return this.checkSite(context, site);
    });
    const changedFiles = [...changes.keys()].filter((name) => name !== file.fileName).length;
    this.last = { mode: 'incremental', changedBodies: changed.size, changedFiles, analysedBodies, analysedOutside: false, checkedVtables };
    return { ...current, flow, flowReads, topLevelReadsBodies: previous.topLevelReadsBodies, vtables };
  }

  private checkSite(context: FileContext, site: ts.NewExpression): VtableEntry {
    const readNodes: ts.Node[] = [site];
    const report = checkVtable({ ...context, readNodes }, site);
    const explained = report.explainedLeaks;
    const reads = this.noteFindings(this.noteReads(new Map(), readNodes)!, report.findings, explained, context.file.fileName)!;
    return { start: site.pos, end: site.end, reads, findings: report.findings, explained };
  }

  /** Adds the opaque bodies `nodes` overlap, in whichever file, to `reads`; undefined (anything) stays so, and `nodes` undefined makes it so. */
  private noteReads(reads: Map<string, Set<number>> | undefined, nodes: Iterable<ts.Node> | undefined): Map<string, Set<number>> | undefined {
    if (!reads || !nodes) return undefined;
    for (const node of nodes) {
      const file = node.getSourceFile();
      for (const index of bodiesOverlapping(this.skeleton(file), node)) addRead(reads, file.fileName, index);
    }
    return reads;
  }

  /** Adds `ANY_CHANGE` of every other file the findings (or explained spans) point into: an edit there moves them. */
  private noteFindings(reads: Map<string, Set<number>> | undefined, findings: readonly Finding[], explained: readonly Span[], fileName: string): Map<string, Set<number>> | undefined {
    if (!reads) return undefined;
    const note = (span: Span): void => {
      if (span.file !== fileName) addRead(reads, span.file, ANY_CHANGE);
    };
    for (const finding of findings) {
      note(finding.span);
      finding.related.forEach(note);
      for (const fix of finding.fixes) fix.edits.forEach(note);
    }
    explained.forEach(note);
    return reads;
  }
}

/** What is known of a file before its rule passes run. */
type Analysed = Omit<FileState, 'flow' | 'flowReads' | 'topLevelReadsBodies' | 'vtables'>;

const NONE: ReadonlySet<number> = new Set();

function addRead(reads: Map<string, Set<number>>, fileName: string, index: number): void {
  let indices = reads.get(fileName);
  if (!indices) reads.set(fileName, (indices = new Set()));
  indices.add(index);
}

/** Whether a result that read `reads` (undefined: anything) may differ after `changes`. */
function readsChanged(reads: Reads | undefined, changes: Changes): boolean {
  if (changes.size === 0) return false;
  if (!reads) return true;
  for (const [fileName, changed] of changes) {
    const read = reads.get(fileName);
    if (read) for (const index of changed) if (read.has(index)) return true;
  }
  return false;
}

/**
 * The indices of the bodies edited between two versions of a file, or undefined
 * when its skeleton changed, or an edited body's old or new text mentions a
 * shared name (see the header).
 */
function changedBodies(previous: Skeleton, current: Skeleton): Set<number> | undefined {
  if (previous.pieces.length !== current.pieces.length || previous.pieces.some((piece, i) => piece !== current.pieces[i])) return undefined;
  const changed = new Set<number>();
  const shared = namesPattern([...new Set([...previous.sharedNames, ...current.sharedNames])]);
  for (let i = 0; i < current.texts.length; i++) {
    const before = previous.texts[i]!;
    const after = current.texts[i]!;
    if (before === after) continue;
    if (shared && (shared.test(before) || shared.test(after))) return undefined;
    if (before.includes('\\u') || after.includes('\\u')) return undefined; // an escaped name could spell one
    changed.add(i);
  }
  return changed;
}

function isTypeScript(file: ts.SourceFile): boolean {
  return !file.isDeclarationFile && /\.[cm]?tsx?$/i.test(file.fileName);
}

const TYPEOF = /typeof/g;

/** A position that falls inside an edited body: the caller re-analyses the whole file. */
class Unmappable extends Error {}

/**
 * Maps positions of one version of the file to another with the same skeleton:
 * the skeleton between bodies shifts by the length changes before it; inside an
 * unchanged body, by its start's shift. Inside an edited body it cannot map.
 */
function positionMap(
  from: readonly { readonly start: number; readonly end: number }[],
  to: readonly { readonly start: number; readonly end: number }[],
  changed: ReadonlySet<number>,
): (position: number) => number {
  return (position) => {
    // The last body starting at or before `position`.
    let low = 0;
    let high = from.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (from[middle]!.start <= position) low = middle + 1;
      else high = middle;
    }
    const index = low - 1;
    if (index < 0) return position;
    const body = from[index]!;
    if (position >= body.end) return to[index]!.end + (position - body.end);
    if (changed.has(index) && position !== body.start) throw new Unmappable();
    return to[index]!.start + (position - body.start);
  };
}

function moveFinding(finding: Finding, fileName: string, map: (position: number) => number): Finding {
  const move = <S extends Span>(span: S): S => moveSpan(span, fileName, map);
  return {
    ...finding,
    span: move(finding.span),
    related: finding.related.map(move),
    fixes: finding.fixes.map((fix) => ({ ...fix, edits: fix.edits.map(move) })),
  };
}

function moveSpan<S extends Span>(span: S, fileName: string, map: (position: number) => number): S {
  return span.file === fileName ? { ...span, start: map(span.start), end: map(span.end) } : span;
}

/** The index of the opaque body a node is in (its owner counts as inside), or -1 for the skeleton. */
function bodyIndexOf(skeleton: Skeleton, node: ts.Node): number {
  const owned = skeleton.owners.get(node);
  if (owned !== undefined) return owned;
  const index = lastStartingAtOrBefore(skeleton.bodies, node.pos);
  return index >= 0 && node.pos < skeleton.bodies[index]!.end ? index : -1;
}

/** The indices of the opaque bodies a node overlaps: the one it is in, or those inside it (its owner's, for a function). */
function bodiesOverlapping(skeleton: Skeleton, node: ts.Node): number[] {
  const { bodies } = skeleton;
  const indices: number[] = [];
  let index = lastStartingAtOrBefore(bodies, node.pos);
  if (index < 0 || bodies[index]!.end <= node.pos) index++;
  for (; index < bodies.length && bodies[index]!.start < node.end; index++) indices.push(index);
  return indices;
}

/** The index of the last body starting at or before `position` (-1: none). */
function lastStartingAtOrBefore(bodies: readonly Body[], position: number): number {
  let low = 0;
  let high = bodies.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (bodies[middle]!.start <= position) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

function skeletonData(ts: TypeScript, file: ts.SourceFile): Skeleton {
  const { bodies, sharedNames } = skeletonOf(ts, file);
  const text = file.text;
  const pieces: string[] = [];
  let at = 0;
  for (const body of bodies) {
    pieces.push(text.slice(at, body.start));
    at = body.end;
  }
  pieces.push(text.slice(at));
  return {
    bodies,
    owners: new Map(bodies.map((body, index) => [body.owner as ts.Node, index])),
    texts: bodies.map((body) => text.slice(body.start, body.end)),
    pieces,
    sharedNames,
  };
}

/**
 * The file's opaque bodies in source order (see the header for what makes one),
 * and the shared names: the `let`/`var` variables declared outside every
 * function, and the `const`s there bound to an array literal.
 */
export function skeletonOf(ts: TypeScript, file: ts.SourceFile): { bodies: Body[]; sharedNames: string[] } {
  const { SyntaxKind } = ts;
  const bodies: Body[] = [];
  const names = new Set<string>();
  const typeScript = isTypeScript(file);
  const typeofs = findMentions(file.text, TYPEOF);
  const addNames = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addNames(element.name);
  };
  const visit = (node: ts.Node): void => {
    if (isFunctionBoundary(ts, node) && node.kind !== SyntaxKind.ClassDeclaration && node.kind !== SyntaxKind.ClassExpression) {
      // Anything nested in a function belongs to that function's body: do not look inside.
      if (typeScript && isOpaque(ts, node, typeofs)) {
        const body = (node as FunctionLikeWithBody & { body: ts.Node }).body;
        bodies.push({ owner: node as FunctionLikeWithBody, start: body.pos, end: body.end });
      }
      return;
    }
    if (node.kind === SyntaxKind.VariableDeclarationList) {
      const mutable = !(node.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using));
      for (const declaration of (node as ts.VariableDeclarationList).declarations) {
        if (mutable || (declaration.initializer && skipOuterExpressions(ts, declaration.initializer).kind === SyntaxKind.ArrayLiteralExpression)) addNames(declaration.name);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return { bodies, sharedNames: [...names] };
}

function isOpaque(ts: TypeScript, node: ts.Node, typeofs: readonly number[] | undefined): boolean {
  const { SyntaxKind } = ts;
  switch (node.kind) {
    case SyntaxKind.FunctionDeclaration:
    case SyntaxKind.MethodDeclaration:
    case SyntaxKind.GetAccessor:
    case SyntaxKind.FunctionExpression:
    case SyntaxKind.ArrowFunction:
      break;
    default:
      return false;
  }
  const fn = node as ts.FunctionDeclaration | ts.MethodDeclaration | ts.GetAccessorDeclaration | ts.FunctionExpression | ts.ArrowFunction;
  if (!fn.type || !fn.body) return false;
  if (fn.parameters.some((parameter) => parameter.initializer && !parameter.type)) return false;
  // A signature with `typeof` in its text (even in a comment) is not trusted: cheaper than finding the type queries.
  return !mentionedIn(typeofs, fn.pos, fn.body.pos);
}

/** Matches any of `names` as a whole identifier (`$` and `_` are identifier characters). */
function namesPattern(names: readonly string[]): RegExp | undefined {
  if (names.length === 0) return undefined;
  return new RegExp(`(?<![\\w$])(?:${names.map((name) => name.replace(/\$/g, '\\$')).join('|')})(?![\\w$])`);
}
