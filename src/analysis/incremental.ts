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
//     `var` declared outside every function re-analyses the whole file.
// So when the skeleton is the same text, the program's other files are the same
// objects (tsserver keeps unchanged files) and the compiler options the same
// object, a result that read no edited body is what a fresh analysis would
// compute, with positions shifted by the bodies' length changes before them.
// What each result reads:
//   - a flow unit inside an opaque body: that body (and the skeleton);
//   - a flow unit outside every opaque body: the skeleton only, except the
//     file's top level, which reads the functions it contains when it tracks a
//     module-level binding they might capture: then any body edit re-analyses
//     the whole file;
//   - either kind of flow unit also reads the bodies of the helpers whose
//     summaries it used, and of their helpers in turn (the engine collects
//     them in `reads`): a body that read an edited helper is analysed again,
//     and a unit outside every opaque body that did makes the whole file
//     analysed again. A helper in another file needs nothing here: any other
//     file's change already re-analyses this one whole;
//   - a vtable: the functions its slot summaries ran and the declarations they
//     were resolved through (the vtable pass records them in `readNodes`).
// JavaScript files have no opaque bodies (`this.x = …` anywhere types a
// property), so they are always analysed whole. Anything unexpected (a
// position that does not map) falls back to a whole analysis.

import type * as ts from 'typescript';
import { createFileContext, type FileContext } from './context';
import { finishFindings } from './finish';
import { analyzeUnit, flowMayApply, hintedUnits, sortFlowFindings } from './flow/index';
import { isFunctionBoundary, type FunctionLikeWithBody } from './flow/graph';
import { findMentions, mentionedIn } from './mentions';
import { checkVtable, leaksExplainedElsewhere, vtableSites, withoutExplainedLeaks } from './vtable/index';
import { DEFAULT_CONFIG, type AnalyzerConfig, type Finding, type Span, type TypeScript } from './types';

/** An opaque body: the function that owns it and its text range (`body.pos` to `body.end`). */
interface Body {
  readonly owner: FunctionLikeWithBody;
  readonly start: number;
  readonly end: number;
}

interface VtableEntry {
  readonly start: number;
  readonly end: number;
  /** Indices of the opaque bodies the report read. */
  readonly reads: readonly number[];
  readonly findings: readonly Finding[];
  /** The flow leaks its findings explain (`VtableReport.explainedLeaks`). */
  readonly explained: readonly Span[];
}

interface FileState {
  readonly options: ts.CompilerOptions;
  readonly others: readonly ts.SourceFile[];
  readonly flowApplies: boolean;
  /** The skeleton: the text between opaque bodies (one more piece than bodies). */
  readonly pieces: readonly string[];
  readonly bodies: readonly { readonly start: number; readonly end: number; readonly text: string }[];
  /** Names of `let`/`var` declared outside every function (see the header). */
  readonly outerMutables: readonly string[];
  /** Flow findings outside every opaque body (index 0), then per body (index i + 1), each in unit order. */
  readonly flow: readonly (readonly Finding[])[];
  /** Per group of `flow`: the indices of the other bodies of this file its helper summaries were computed from (undefined: any). */
  readonly flowReads: readonly (ReadonlySet<number> | undefined)[];
  readonly topLevelReadsBodies: boolean;
  readonly vtables: readonly VtableEntry[];
}

/** How the last `analyzeFile` call went, for tests and the benchmark. */
export interface IncrementalStats {
  readonly mode: 'whole' | 'incremental';
  /** Opaque bodies whose text changed (incremental mode). */
  readonly changedBodies: number;
}

export class IncrementalAnalyzer {
  private readonly states = new Map<string, FileState>();
  /** The program of the last call: when another one comes, files it no longer holds are forgotten. */
  private lastProgram: ts.Program | undefined;
  last: IncrementalStats = { mode: 'whole', changedBodies: 0 };

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

  private passes(program: ts.Program, file: ts.SourceFile): Finding[] {
    const ts = this.ts;
    const { bodies, outerMutables } = skeletonOf(ts, file);
    const text = file.text;
    const pieces: string[] = [];
    let at = 0;
    for (const body of bodies) {
      pieces.push(text.slice(at, body.start));
      at = body.end;
    }
    pieces.push(text.slice(at));
    const current = {
      options: program.getCompilerOptions(),
      others: program.getSourceFiles().filter((other) => other !== file),
      flowApplies: flowMayApply(file),
      pieces,
      bodies: bodies.map((b) => ({ start: b.start, end: b.end, text: text.slice(b.start, b.end) })),
      outerMutables,
    };
    const previous = this.states.get(file.fileName);
    const changed = previous ? this.changedBodies(previous, current) : undefined;
    const context = createFileContext(ts, program, file);
    let state: FileState | undefined;
    if (previous && changed) {
      try {
        state = this.reanalyze(context, previous, current, bodies, changed);
        if (state) this.last = { mode: 'incremental', changedBodies: changed.size };
      } catch (error) {
        if (!(error instanceof Unmappable)) throw error;
      }
    }
    if (!state) {
      state = this.analyzeWhole(context, current, bodies);
      this.last = { mode: 'whole', changedBodies: 0 };
    }
    this.states.set(file.fileName, state);
    const leaks = sortFlowFindings(state.flow.flat());
    const flow = withoutExplainedLeaks(leaks, () => [...state.vtables.flatMap((entry) => entry.explained), ...leaksExplainedElsewhere(context, leaks)]);
    return [...flow, ...state.vtables.flatMap((entry) => entry.findings)];
  }

  /** The indices of edited bodies, or undefined when anything else changed (then the whole file is analysed). */
  private changedBodies(previous: FileState, current: Analysed): Set<number> | undefined {
    if (previous.options !== current.options || previous.flowApplies !== current.flowApplies) return undefined;
    if (previous.others.length !== current.others.length || previous.others.some((file, i) => file !== current.others[i])) return undefined;
    if (previous.pieces.length !== current.pieces.length || previous.pieces.some((piece, i) => piece !== current.pieces[i])) return undefined;
    const changed = new Set<number>();
    const mutables = namesPattern([...new Set([...previous.outerMutables, ...current.outerMutables])]);
    for (let i = 0; i < current.bodies.length; i++) {
      const before = previous.bodies[i]!.text;
      const after = current.bodies[i]!.text;
      if (before === after) continue;
      if (mutables && (mutables.test(before) || mutables.test(after))) return undefined;
      if (before.includes('\\u') || after.includes('\\u')) return undefined; // an escaped name could spell one
      changed.add(i);
    }
    return changed;
  }

  private analyzeWhole(context: FileContext, current: Analysed, bodies: readonly Body[]): FileState {
    const ts = this.ts;
    const file = context.file;
    const flow: Finding[][] = [[], ...bodies.map(() => [])];
    const flowReads: (Set<number> | undefined)[] = flow.map(() => new Set<number>());
    let topLevelReadsBodies = false;
    const owners = ownersOf(bodies);
    if (current.flowApplies) {
      for (const unit of hintedUnits(ts, file)) {
        const index = bodyIndexOf(bodies, owners, unit.root) + 1;
        const reads = analyzeUnit(context, unit, flow[index]!);
        if (unit.root === file && reads.nested) topLevelReadsBodies = true;
        flowReads[index] = addBodiesRead(flowReads[index], reads.summaries, context.file, bodies, owners);
      }
    }
    const vtables = vtableSites(context).map((site) => this.checkSite(context, site, bodies, owners));
    return { ...current, flow, flowReads, topLevelReadsBodies, vtables };
  }

  /** Reuse what the edited bodies cannot have changed; undefined when the file must be analysed whole. */
  private reanalyze(context: FileContext, previous: FileState, current: Analysed, bodies: readonly Body[], changed: ReadonlySet<number>): FileState | undefined {
    if (previous.topLevelReadsBodies && changed.size > 0) return undefined;
    const readsChanged = (reads: ReadonlySet<number> | undefined): boolean => !reads || [...changed].some((index) => reads.has(index));
    if (changed.size > 0 && readsChanged(previous.flowReads[0])) return undefined;
    const ts = this.ts;
    const file = context.file;
    const owners = ownersOf(bodies);
    const toNew = positionMap(previous.bodies, current.bodies, changed);
    const toOld = positionMap(current.bodies, previous.bodies, changed);
    const move = (findings: readonly Finding[]): Finding[] => findings.map((finding) => moveFinding(finding, file.fileName, toNew));

    const flow: Finding[][] = [move(previous.flow[0]!)];
    const flowReads: (ReadonlySet<number> | undefined)[] = [previous.flowReads[0]];
    bodies.forEach((body, index) => {
      const reads = previous.flowReads[index + 1];
      if (!changed.has(index) && !(changed.size > 0 && readsChanged(reads))) {
        flow.push(move(previous.flow[index + 1]!));
        flowReads.push(reads);
        return;
      }
      const group: Finding[] = [];
      let bodiesRead: Set<number> | undefined = new Set();
      if (current.flowApplies) {
        for (const unit of hintedUnits(ts, body.owner)) bodiesRead = addBodiesRead(bodiesRead, analyzeUnit(context, unit, group).summaries, file, bodies, owners);
      }
      flow.push(group);
      flowReads.push(bodiesRead);
    });

    const previousSites = new Map(previous.vtables.map((entry) => [`${entry.start}:${entry.end}`, entry]));
    const vtables = vtableSites(context).map((site): VtableEntry => {
      const inside = bodyIndexOf(bodies, owners, site);
      const reusable = inside < 0 || !changed.has(inside);
      const old = reusable ? previousSites.get(`${toOld(site.pos)}:${toOld(site.end)}`) : undefined;
      if (old && !old.reads.some((index) => changed.has(index))) {
        return { start: site.pos, end: site.end, reads: old.reads, findings: move(old.findings), explained: old.explained.map((span) => moveSpan(span, file.fileName, toNew)) };
      }
      return this.checkSite(context, site, bodies, owners);
    });
    return { ...current, flow, flowReads, topLevelReadsBodies: previous.topLevelReadsBodies, vtables };
  }

  private checkSite(context: FileContext, site: ts.NewExpression, bodies: readonly Body[], owners: ReadonlyMap<ts.Node, number>): VtableEntry {
    const readNodes: ts.Node[] = [site];
    const report = checkVtable({ ...context, readNodes }, site);
    const reads = new Set<number>();
    for (const node of readNodes) {
      if (node.getSourceFile() !== context.file) continue;
      const index = bodyIndexOf(bodies, owners, node);
      if (index >= 0) reads.add(index);
    }
    return { start: site.pos, end: site.end, reads: [...reads], findings: report.findings, explained: report.explainedLeaks };
  }
}

/** What is known of a file before its rule passes run. */
type Analysed = Omit<FileState, 'flow' | 'flowReads' | 'topLevelReadsBodies' | 'vtables'>;

/** Adds the bodies of this file among `summaries` (a unit's summary reads) to `reads`; undefined stays undefined (any body). */
function addBodiesRead(
  reads: Set<number> | undefined,
  summaries: ReadonlySet<ts.Node> | undefined,
  file: ts.SourceFile,
  bodies: readonly Body[],
  owners: ReadonlyMap<ts.Node, number>,
): Set<number> | undefined {
  if (!reads || !summaries) return undefined;
  for (const node of summaries) {
    if (node.getSourceFile() !== file) continue;
    const index = bodyIndexOf(bodies, owners, node);
    if (index >= 0) reads.add(index);
  }
  return reads;
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

/** Each opaque body's owning function, to its index (for `bodyIndexOf`). */
function ownersOf(bodies: readonly Body[]): Map<ts.Node, number> {
  return new Map(bodies.map((body, index) => [body.owner as ts.Node, index]));
}

/** The index of the opaque body a node is in (its owner counts as inside), or -1 for the skeleton. */
function bodyIndexOf(bodies: readonly Body[], owners: ReadonlyMap<ts.Node, number>, node: ts.Node): number {
  const owned = owners.get(node);
  if (owned !== undefined) return owned;
  let low = 0;
  let high = bodies.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (bodies[middle]!.start <= node.pos) low = middle + 1;
    else high = middle;
  }
  const body = bodies[low - 1];
  return body && node.pos < body.end ? low - 1 : -1;
}

/**
 * The file's opaque bodies in source order (see the header for what makes one),
 * and the names of the `let`/`var` variables declared outside every function.
 */
export function skeletonOf(ts: TypeScript, file: ts.SourceFile): { bodies: Body[]; outerMutables: string[] } {
  const { SyntaxKind } = ts;
  const bodies: Body[] = [];
  const names = new Set<string>();
  const typeScript = !file.isDeclarationFile && /\.[cm]?tsx?$/i.test(file.fileName);
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
    if (node.kind === SyntaxKind.VariableDeclarationList && !(node.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using))) {
      for (const declaration of (node as ts.VariableDeclarationList).declarations) addNames(declaration.name);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return { bodies, outerMutables: [...names] };
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
