// Re-analysis after an edit, for the editor: tsserver asks for diagnostics after
// every pause in typing, for every open file, and the edit is nearly always
// inside one function body; analysing a 3,000-line file whole takes about 20 ms.
// `IncrementalAnalyzer` returns exactly what `analyzeFile` would, reusing every
// result the edit cannot have changed, in the edited file and in the others.
//
// Why reuse is sound. A file splits into *opaque regions* and the *skeleton*
// (everything else). Nothing outside an opaque region depends on its text but
// what reads it (listed below). Regions are never nested, and never inside a
// function (a function nested in another belongs to the enclosing body: its
// analysis reads it, for captures). There are two kinds:
//   - the body of a function-like whose signature is written out in full: a
//     return type annotation, no `typeof` anywhere in the signature, no
//     parameter typed by its default value. The function's type is its
//     signature, which is skeleton (TypeScript infers a return type from the
//     body only when it is not annotated, and class property types from
//     constructor bodies, so constructors, setters and static blocks are never
//     opaque; `typeof` or an unannotated default in a signature could name
//     something declared in the body), and what a body declares is visible
//     only inside it;
//   - an initializer whose value no declaration's type is taken from: a class
//     property's under a type annotation; an unannotated class property's
//     literal (`wakeups = 0`: the property's type is the literal's widened
//     one, `number`, so an edit that keeps the literal's kind keeps the type;
//     not `readonly`, which keeps the literal type); a `const`'s, annotated or
//     not exported from a module (what other files see of it is its
//     annotation, or nothing). A class's own code belongs to no flow unit (a
//     function in a property's initializer is a unit of its own); a `const`'s
//     initializer is code of the file's top level, and code that names the
//     `const` sees its type (unannotated) or, in a closure, the type its
//     initializer narrows it to. So an edited `const` initializer analyses
//     the file's top level again and counts as an edit of every region that
//     names the `const` (in its old or new text, and so on for a `const` in
//     turn); if the skeleton names it outside its own declaration, the whole
//     file is analysed.
// Two exceptions reach across regions through names. In the checker: a closure
// sees a narrowed type of an outer `let` unless it is assigned anywhere in its
// container, nested functions included. In the flow rules: a loop over a
// `const` bound to an array literal outside every function runs at least once
// only if no code in its scope may empty the array (flow/loops.ts reads every
// reference). These `let`, `var` and `const` names are the file's *shared
// names*: an edited region whose old or new text mentions one re-analyses the
// whole file.
// So when the skeleton is the same text and the compiler options the same
// object, a result that read no edited region is what a fresh analysis would
// compute, with positions shifted by the regions' length changes before them.
// The same holds across files: what another file B sees of this file A is
// what the checker says of A's declarations, which are A's skeleton, and the
// regions it reads itself (below). So an edit to A that leaves its skeleton the
// same text (and needs no whole analysis of A by the rules above) changes
// nothing in B that did not read an edited region of A; tsserver keeps the
// SourceFile of every file it did not change, so B compares the program's
// other files with those it was last analysed with, by identity, and follows
// the edited ones region by region. When A's skeleton changed and A is a
// module that declares no globals (no `declare global`, no `declare module
// 'x'`, no `export as namespace`), B sees only the declarations of A it names,
// through imports and the declarations those name in turn
// (declaration-changes.ts argues it): the top-level statements of A whose
// text changed, and those that name a changed one (an exported type that
// names an unexported one), followed into every file that imports a changed
// name. B is analysed whole if its own skeleton names one; else the regions
// that name one, or lie in a statement that does (a body reads its signature
// and `this`), count as edited regions of B, for B and for the results in
// other files that read them. A's earlier regions that lie in unchanged
// statements naming nothing changed, with the same text, keep what reads
// them valid under their new numbers (`renumberReads`); A's other regions
// count as edited. A itself follows the same rule (`redeclaredMatch`): the
// results of its kept regions and of the vtables in its kept statements are
// reused unless they read an edited region, the rest is analysed again. Any
// other change re-analyses B whole: a file added or removed, other options,
// B's own skeleton when it cannot be followed by names, a change that cannot
// be (`filesSeeing` answers undefined), an edit to a JavaScript or
// declaration file or to the library.
// An edit that changes only trivia between declarations (whitespace and
// comments between the file's statements, a class's or interface's members,
// a namespace's statements) is no skeleton edit: every token stays, and so do
// the line breaks between them (automatic semicolons), so both versions parse
// to the same declarations and code, moved. Not so a `@jsx…` pragma (it
// changes how the file's JSX is typed; the other comments the compiler reads
// change no type: `@ts-…` directives silence its diagnostics, a `///`
// directive changes which files the program holds, compared anyway), and a
// `typeof` in a comment before a function makes its signature untrusted, so
// the regions are compared too. In the file itself results are reused with
// positions past the edit shifted (those on a line it touched, or naming a
// line when it added or removed lines, analysed again: below); another file
// sees its declarations unchanged, only moved (as for any edit: a result
// whose findings point into the file is analysed again). Trivia inside a
// declaration is not followed: a message may quote a node's text (a
// condition, a type argument), comments included.
// What each result reads:
//   - a flow unit inside a region: that region (and the skeleton);
//   - a flow unit outside every region: the skeleton only, except the file's
//     top level, which reads the functions it contains when it tracks a
//     module-level binding they might capture: then any region edit
//     re-analyses the whole file;
//   - either kind of flow unit also reads the bodies of the helpers whose
//     summaries it used, and of their helpers in turn, in any file (the engine
//     collects them in `reads`): a region's units that read an edited helper
//     are analysed again, and so are the units outside every region that did;
//   - a vtable: the functions its slot summaries ran and the declarations they
//     were resolved through, in any file (the vtable pass records them in
//     `readNodes`): every region they overlap;
//   - a result whose findings point into another file (a related span at a
//     slot function declared there) reads that file's positions: any edit
//     there analyses it again;
//   - a result reads the text of the lines its positions are on (a fix
//     indents like the line it edits), and a message that names a line
//     (`when the loop continues at line 13`) reads the line count before it:
//     a result on a line an edited region shares, or naming a line after an
//     edit that added or removed lines, is analysed again.
//   - whether a flow leak is reported reads every other file's vtables (one
//     whose report explains it leaves it out: `leaksExplainedElsewhere`), so
//     a file whose flow findings hold a leak finishes them again after any
//     edit elsewhere.
// When nothing a file's results read changed (the same text, no edited
// region among what they read, in any file, and no edit elsewhere at all if
// they hold a leak), they are what a fresh analysis gives, positions
// included: the findings are returned as they were, the same array (the
// tsserver plugin then keeps its diagnostics). Every open file asks what the
// program's files changed by since the same last program: it is computed once.
// JavaScript files have no opaque regions (`this.x = …` anywhere types a
// property), so they are always analysed whole. Anything unexpected (a
// position that does not map) falls back to a whole analysis.

import type * as ts from 'typescript';
import { createFileContext, type FileContext } from './context';
import { filesSeeing, firstRegionFrom, JSX_PRAGMA, skipTrivia, statementShapes, type IndexMap, type SeenChange, type StatementShape } from './declaration-changes';
import { finishFindings } from './finish';
import { flowMayApply, hintedUnits, sortFlowFindings, unitAnalyzer, type FlowUnit } from './flow/index';
import { isFunctionBoundary, type FunctionLikeWithBody } from './flow/graph';
import { isLibraryFile } from './library';
import { findMentions, identifiersPattern, mentionedIn } from './mentions';
import { mapKeepingSame } from './arrays';
import { skipOuterExpressions } from './syntax';
import { checkVtable, leaksExplainedElsewhere, vtableSites, withoutExplainedLeaks } from './vtable/index';
import { DEFAULT_CONFIG, type AnalyzerConfig, type Finding, type Span, type TypeScript } from './types';

/**
 * An opaque region (see the header): a function's body, or a declaration's
 * initializer; `owner` is the function or the declaration.
 */
interface Region {
  readonly owner: ts.Node;
  /** The text range: `body.pos` to `body.end`, or the initializer's. */
  readonly start: number;
  readonly end: number;
  /**
   * `body`; `typed`, a class property's initializer under its type annotation;
   * `const`, a `const`'s initializer (the file's top level runs it, and code
   * that names the `const` may read it); or, for an unannotated class
   * property's literal initializer, the literal's type (`number`, `string`,
   * `boolean`, `bigint`): an edit that changes it is a skeleton edit.
   */
  readonly kind: string;
  /** For a `const`: the names it binds. */
  readonly names: readonly string[];
}

/** What re-analysis needs of one version of a file (one `SourceFile` object): computed once per version. */
interface Skeleton {
  readonly regions: readonly Region[];
  /** Each body's owning function, to its region's index. */
  readonly owners: ReadonlyMap<ts.Node, number>;
  /** The text of each region. */
  readonly texts: readonly string[];
  /** The skeleton: the text between regions (one more piece than regions). */
  readonly pieces: readonly string[];
  /** Names an edited region must not mention for the edit to stay inside it (see the header). */
  readonly sharedNames: readonly string[];
  /** `flowMayApply` of the file. */
  readonly flowApplies: boolean;
  /** Its top-level statements (for `filesSeeing`, after a skeleton edit). */
  readonly statements: readonly StatementShape[];
  /** Per top-level statement, whether it holds no code outside the file's regions (`holdsNoCode`). */
  readonly codeFree: readonly boolean[];
  /** The version of the file it is the skeleton of. */
  readonly file: ts.SourceFile;
}

/**
 * What a result was computed from beyond its own region and the skeletons: per
 * file name, the indices of the regions it read, and `ANY_CHANGE` for another
 * file its findings point into (any edit there moves them).
 */
type Reads = ReadonlyMap<string, ReadonlySet<number>>;
/** Per file name, the regions edited since the last analysis, and `ANY_CHANGE` for every other file edited at all. */
type Changes = ReadonlyMap<string, ReadonlySet<number>>;
const ANY_CHANGE = -1;
type Renumbering = ReadonlyMap<string, IndexMap>;

/** What changed for one file since its last analysis (`changesSince`): the edited regions of every file, and of its own edit whether it reaches the top level, or only moved text. */
interface OwnChanges {
  readonly changes: Changes;
  readonly topLevel: boolean;
  readonly moved?: Moved;
  /** Per edited file whose regions were renumbered (its skeleton changed), each unchanged region's new index by its old one. */
  readonly renumbered: Renumbering;
  /** Set when this file's own edit changed what it declares, followed by name (`filesSeeing`): its unchanged statements. */
  readonly redeclared?: Redeclared;
}

/** A module's own declaration edit: its unchanged statements and its unchanged regions, earlier and now (`Renumbered`). */
interface Redeclared {
  readonly statements: IndexMap;
  readonly now: IndexMap;
}

/** The regions edited between two versions of a file, and whether the file's top-level code is among the edited code (a `const`'s initializer). */
interface Edit {
  readonly regions: ReadonlySet<number>;
  readonly topLevel: boolean;
  /** Set when the edit only changed trivia between declarations (`movedBetween`): no region changed, the text after it moved. */
  readonly moved?: Moved;
}

/**
 * A changed stretch of trivia, `start` to `oldEnd` before the edit and `start`
 * to `newEnd` after it, inside the trivia between two tokens that spans
 * `gapStart` to `gapEnd` before it (the end of one token, the start of the next).
 */
interface Moved {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
  readonly gapStart: number;
  readonly gapEnd: number;
}
const NO_EDIT: Edit = { regions: new Set(), topLevel: false };

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
  /** The version of the file analysed. */
  readonly file: ts.SourceFile;
  /** The program's files then (`getSourceFiles()`, this one included). */
  readonly files: readonly ts.SourceFile[];
  readonly skeleton: Skeleton;
  /** Flow findings outside every region (index 0), then per region (index i + 1), each in unit order. */
  readonly flow: readonly (readonly Finding[])[];
  /** Per group of `flow`: what its units read (undefined: anything). */
  readonly flowReads: readonly (Reads | undefined)[];
  readonly topLevelReadsBodies: boolean;
  readonly vtables: readonly VtableEntry[];
  /**
   * Whether the flow findings held a leak (`clone-without-drop`): then what
   * they report depends on every other file's vtables too
   * (`leaksExplainedElsewhere`), so any edit elsewhere finishes them again.
   */
  readonly hadLeaks: boolean;
  /** The findings as `analyzeFile` returned them, with the configuration they were finished under. */
  finished?: { readonly config: AnalyzerConfig; readonly findings: readonly Finding[] };
}

/** How the last `analyzeFile` call went, for tests and the benchmark. */
export interface IncrementalStats {
  readonly mode: 'whole' | 'incremental';
  /**
   * Incremental mode, and nothing the file's results read changed: the
   * findings of its last analysis were returned as they were (not even moved).
   */
  readonly unchanged: boolean;
  /** Incremental mode, and the file's own edit only moved text: trivia between declarations changed (`movedBetween`). */
  readonly movedText: boolean;
  /** Incremental mode, and the file's own edit changed what it declares: its results were reused declaration by declaration (`redeclaredMatch`). */
  readonly redeclared: boolean;
  /** Regions of the file whose text changed, or that code naming an edited `const` reads (incremental mode). */
  readonly changedRegions: number;
  /** Other files of the program edited since the file's last analysis whose edits were followed region by region (incremental mode). */
  readonly changedFiles: number;
  /** The regions whose flow units were analysed (those with any, in whole mode). */
  readonly analysedRegions: readonly number[];
  /** Whether the flow units outside every region (the file's top level among them) were analysed. */
  readonly analysedOutside: boolean;
  /** How many vtables were checked (the others' reports were reused). */
  readonly checkedVtables: number;
}

/**
 * How one of the program's files changed between two versions of the program
 * (the same for every open file analysed last against the first): the regions
 * a result may have read that changed, `ANY_CHANGE` included (an isolated
 * module whose skeleton changed: every region); for a file that sees another
 * one's declaration edits, what it sees (`filesSeeing`). `opaque`: anything
 * else, every other file is analysed whole.
 */
type FileChange = { readonly regions: ReadonlySet<number>; readonly seen?: SeenChange; readonly renumbered?: IndexMap; readonly statements?: IndexMap } | 'opaque';

export class IncrementalAnalyzer {
  private readonly states = new Map<string, FileState>();
  /** The skeleton of each file version seen (the states keep the versions they compare with alive). */
  private readonly skeletons = new WeakMap<ts.SourceFile, Skeleton>();
  /** The program of the last call: when another one comes, files it no longer holds are forgotten. */
  private lastProgram: ts.Program | undefined;
  /** The last comparison of two programs' files (`filesChanged`): asked once per open file after an edit, computed once. */
  private lastComparison: { readonly from: readonly ts.SourceFile[]; readonly to: readonly ts.SourceFile[]; readonly changes: ReadonlyMap<string, FileChange> | undefined } | undefined;
  last: IncrementalStats = { mode: 'whole', unchanged: false, movedText: false, redeclared: false, changedRegions: 0, changedFiles: 0, analysedRegions: [], analysedOutside: true, checkedVtables: 0 };

  constructor(private readonly ts: TypeScript) {}

  /**
   * The same findings as `analyzeFile(ts, program, file, config)`. While
   * nothing they read changed, the same array as the last call returned for
   * the file (a caller can tell by identity that its results are current).
   */
  analyzeFile(program: ts.Program, file: ts.SourceFile, config: AnalyzerConfig = DEFAULT_CONFIG): readonly Finding[] {
    if (program !== this.lastProgram) {
      this.lastProgram = program;
      this.pruneFilesOutside(program);
    }
    const { state, context } = this.stateOf(program, file);
    if (state.finished?.config !== config) {
      const leaks = sortFlowFindings(state.flow.flat());
      const explainedElsewhere = (found: readonly Finding[]): Span[] => leaksExplainedElsewhere(context ?? createFileContext(this.ts, program, file), found);
      const flow = withoutExplainedLeaks(leaks, () => [...state.vtables.flatMap((entry) => entry.explained), ...explainedElsewhere(leaks)]);
      state.finished = { config, findings: finishFindings(this.ts, file, [...flow, ...state.vtables.flatMap((entry) => entry.findings)], config) };
    }
    return state.finished.findings;
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

  /**
   * The skeleton of an earlier version of a file. tsserver parses an edited
   * open file incrementally, moving the old syntax tree's nodes to their new
   * positions (by each edit's length change, so two edits can move them and
   * leave the end where it was), so a version no skeleton was made of while
   * it was current is parsed again from its text.
   */
  private earlierSkeleton(file: ts.SourceFile): Skeleton {
    let skeleton = this.skeletons.get(file);
    if (!skeleton) {
      const { languageVersion, impliedNodeFormat } = file;
      // How the program decided the file is a module (`moduleDetection`), when tsserver's parse recorded it (not in the public typings).
      const { setExternalModuleIndicator } = file as ts.SourceFile & { readonly setExternalModuleIndicator?: (file: ts.SourceFile) => void };
      skeleton = skeletonData(this.ts, this.ts.createSourceFile(file.fileName, file.text, { languageVersion, impliedNodeFormat, setExternalModuleIndicator }, /*setParentNodes*/ true));
      this.skeletons.set(file, skeleton);
    }
    return skeleton;
  }

  /** The file's results on this program: the last ones as they were when nothing they read changed, else re-analysed (the context, when one was made). */
  private stateOf(program: ts.Program, file: ts.SourceFile): { state: FileState; context?: FileContext } {
    const current: Analysed = { options: program.getCompilerOptions(), file, files: program.getSourceFiles(), skeleton: this.skeleton(file) };
    const previous = this.states.get(file.fileName);
    const changes = previous ? this.changesSince(program, previous, current) : undefined;
    if (previous && changes && unchanged(previous, file, changes)) {
      this.last = { mode: 'incremental', unchanged: true, movedText: false, redeclared: false, changedRegions: 0, changedFiles: countOtherFiles(changes.changes, file), analysedRegions: [], analysedOutside: false, checkedVtables: 0 };
      // Nothing here moved; later comparisons start from this program.
      const state: FileState = renumberedState({ ...previous, ...current }, changes.renumbered);
      this.states.set(file.fileName, state);
      return { state };
    }
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
    return { state, context };
  }

  /**
   * The regions edited since `previous`, in this file and in the program's
   * other files, or undefined when anything else changed (then the whole file
   * is analysed): the compiler options, the set of files, this file's
   * skeleton, the skeleton of a file it imports (directly or not) or of one
   * that declares globals, or a file whose edits are not followed region by
   * region (JavaScript, declarations, the library).
   */
  private changesSince(program: ts.Program, previous: FileState, current: Analysed): OwnChanges | undefined {
    const file = current.file;
    if (previous.options !== current.options || previous.skeleton.flowApplies !== current.skeleton.flowApplies) return undefined;
    const own = editBetween(previous.skeleton, current.skeleton) ?? movedBetween(this.ts, previous.skeleton, current.skeleton);
    const others = this.filesChanged(program, previous.files, current.files);
    if (!others) return undefined;
    // Else what this file declares changed: followed by name like any module's (`filesSeeing`), or the file is analysed whole.
    let redeclared: Redeclared | undefined;
    if (!own) {
      const change = others.get(file.fileName);
      if (change === undefined || change === 'opaque' || !change.statements || !change.renumbered) return undefined;
      redeclared = { statements: change.statements, now: change.renumbered };
    }
    const changes = new Map<string, ReadonlySet<number>>();
    const renumbered = new Map<string, IndexMap>();
    let ownRegions = own?.regions ?? NONE;
    for (const [fileName, change] of others) {
      if (change === 'opaque') return undefined;
      if (change.renumbered) renumbered.set(fileName, change.renumbered);
      if (fileName !== file.fileName) changes.set(fileName, change.regions);
      // Its earlier regions that changed (earlier indices: what its results read is compared with them).
      else if (!own) ownRegions = change.regions;
      else if (change.seen) {
        // This file sees declarations edited elsewhere: in its skeleton (whole), or in some of its regions.
        if (change.seen.whole) return undefined;
        ownRegions = new Set([...ownRegions, ...change.seen.regions]);
      }
    }
    if (ownRegions.size > 0) changes.set(file.fileName, ownRegions);
    if (!own) return { changes, topLevel: true, renumbered, redeclared };
    return { changes, topLevel: own.topLevel, moved: own.moved, renumbered };
  }

  /**
   * How each file changed from `from` to `to` (the program's files, in the
   * program's order), by file name; undefined when the set of files changed.
   * Every open file compares the same two versions after an edit: computed
   * for the first, kept for the others.
   */
  private filesChanged(program: ts.Program, from: readonly ts.SourceFile[], to: readonly ts.SourceFile[]): ReadonlyMap<string, FileChange> | undefined {
    if (this.lastComparison?.from === from && this.lastComparison.to === to) return this.lastComparison.changes;
    const changes = from === to ? NO_FILE_CHANGES : compareFiles(this.ts, program, from, to, (file) => this.skeleton(file), (file) => this.earlierSkeleton(file));
    this.lastComparison = { from, to, changes };
    return changes;
  }

  private analyzeWhole(context: FileContext, current: Analysed): FileState {
    const file = context.file;
    const { regions } = current.skeleton;
    const flow: Finding[][] = [[], ...regions.map(() => [])];
    const flowReads: (Map<string, Set<number>> | undefined)[] = flow.map(() => new Map());
    let topLevelReadsBodies = false;
    const units = current.skeleton.flowApplies ? hintedUnits(this.ts, file) : [];
    const analyzeUnit = unitAnalyzer(context);
    for (const unit of units) {
      const index = regionIndexOf(current.skeleton, unit.root) + 1;
      const reads = analyzeUnit(unit, flow[index]!);
      if (unit.root === file && reads.nested) topLevelReadsBodies = true;
      flowReads[index] = this.noteReads(flowReads[index], reads.summaries);
    }
    flow.forEach((findings, index) => this.noteFindings(flowReads[index], findings, [], file.fileName));
    const vtables = vtableSites(context).map((site) => this.checkSite(context, site));
    const analysedRegions = [...new Set(units.map((unit) => regionIndexOf(current.skeleton, unit.root)).filter((index) => index >= 0))];
    this.last = { mode: 'whole', unchanged: false, movedText: false, redeclared: false, changedRegions: 0, changedFiles: 0, analysedRegions, analysedOutside: true, checkedVtables: vtables.length };
    return withResults(current, flow, flowReads, topLevelReadsBodies, vtables);
  }

  /** Reuse what the edits cannot have changed; undefined when the file must be analysed whole. */
  private reanalyze(context: FileContext, previous: FileState, current: Analysed, { changes, topLevel, moved, renumbered, redeclared }: OwnChanges): FileState | undefined {
    const file = context.file;
    const changed = changes.get(file.fileName) ?? NONE;
    if (previous.topLevelReadsBodies && changed.size > 0) return undefined;
    const ts = this.ts;
    const { regions } = current.skeleton;
    const match = redeclared ? redeclaredMatch(previous.skeleton, current.skeleton, redeclared) : sameSkeletonMatch(previous.skeleton, current.skeleton, changed, moved, topLevel);
    if (!match) return undefined;
    const { toNew, stale } = match;
    const move = (findings: readonly Finding[]): Finding[] => findings.map((finding) => moveFinding(finding, file.fileName, toNew));
    // A result whose positions do not all map (one pointing into an edited region, say) is computed again.
    const moveAll = (findings: readonly Finding[]): Finding[] | undefined => mappable(() => move(findings));
    // The file's units, scanned once when a group outside function bodies must be analysed again.
    let fileUnits: FlowUnit[] | undefined;
    const analyzeUnit = unitAnalyzer(context);
    const unitsIn = (index: number): FlowUnit[] => {
      if (!current.skeleton.flowApplies) return [];
      const owner = regions[index]?.owner;
      if (owner && regions[index]!.kind === 'body') return hintedUnits(ts, owner as FunctionLikeWithBody);
      if (LITERAL_KINDS.has(regions[index]?.kind ?? '')) return []; // a literal holds no function
      fileUnits ??= hintedUnits(ts, file);
      return fileUnits.filter((unit) => regionIndexOf(current.skeleton, unit.root) === index);
    };

    const flow: Finding[][] = [];
    const flowReads: (Reads | undefined)[] = [];
    const analysedRegions: number[] = [];
    let topLevelReadsBodies = false;
    const outside = match.outsideChanged ? undefined : moveAll(previous.flow[0]!);
    const analyseOutside = !outside || readsChanged(previous.flowReads[0], changes) || stale(outside);
    for (let group = 0; group <= regions.length; group++) {
      const index = group - 1;
      // The earlier group of the same results (the units outside every region, or those of the same region), if any.
      const earlier = index < 0 ? 0 : (match.earlierRegion(index) ?? -2) + 1;
      const reads = previous.flowReads[earlier];
      const reused = index < 0 ? (analyseOutside ? undefined : outside) : earlier > 0 && !readsChanged(reads, changes) ? moveAll(previous.flow[earlier]!) : undefined;
      if (reused && !stale(reused)) {
        flow.push(reused);
        flowReads.push(renumberReads(reads, renumbered));
        if (index < 0) topLevelReadsBodies = previous.topLevelReadsBodies;
        continue;
      }
      const units = unitsIn(index);
      if (index >= 0 && units.length > 0) analysedRegions.push(index);
      const findings: Finding[] = [];
      let read: Map<string, Set<number>> | undefined = new Map();
      for (const unit of units) {
        const unitReads = analyzeUnit(unit, findings);
        if (unit.root === file && unitReads.nested) topLevelReadsBodies = true;
        read = this.noteReads(read, unitReads.summaries);
      }
      flow.push(findings);
      flowReads.push(this.noteFindings(read, findings, [], file.fileName));
    }

    let checkedVtables = 0;
    const reuse = (old: VtableEntry, start: number, end: number): VtableEntry | undefined => {
      const findings = !readsChanged(old.reads, changes) ? moveAll(old.findings) : undefined;
      const explained = findings && mappable(() => old.explained.map((span) => moveSpan(span, file.fileName, toNew)));
      if (!findings || !explained || stale(findings)) return undefined;
      return { start, end, reads: renumberReads(old.reads, renumbered)!, findings, explained };
    };
    const stats = (): IncrementalStats => ({ mode: 'incremental', unchanged: false, movedText: moved !== undefined, redeclared: redeclared !== undefined, changedRegions: match.changedRegions, changedFiles: countOtherFiles(changes, file), analysedRegions, analysedOutside: analyseOutside, checkedVtables });
    // No edited text can have built a vtable or stopped building one (the class's name is in every site's text): the sites are the last ones, moved.
    if (match.sitesKept) {
      let sites: ts.NewExpression[] | undefined;
      const vtables = previous.vtables.map((old): VtableEntry => {
        const start = toNew(old.start);
        const end = toNew(old.end);
        const reused = reuse(old, start, end);
        if (reused) return reused;
        checkedVtables++;
        const site = (sites ??= vtableSites(context)).find((candidate) => candidate.pos === start && candidate.end === end);
        if (!site) throw new Unmappable();
        return this.checkSite(context, site);
      });
      this.last = stats();
      return withResults(current, flow, flowReads, topLevelReadsBodies, vtables);
    }
    // The earlier sites where they are now, those that map.
    const previousSites = new Map<string, VtableEntry>();
    for (const entry of previous.vtables) {
      const at = mappable(() => `${toNew(entry.start)}:${toNew(entry.end)}`);
      if (at) previousSites.set(at, entry);
    }
    const vtables = vtableSites(context).map((site): VtableEntry => {
      const inside = regionIndexOf(current.skeleton, site);
      const old = inside < 0 || match.earlierRegion(inside) !== undefined ? previousSites.get(`${site.pos}:${site.end}`) : undefined;
      const reused = old && reuse(old, site.pos, site.end);
      if (reused) return reused;
      checkedVtables++;
      return this.checkSite(context, site);
    });
    this.last = stats();
    return withResults(current, flow, flowReads, topLevelReadsBodies, vtables);
  }

  private checkSite(context: FileContext, site: ts.NewExpression): VtableEntry {
    const readNodes: ts.Node[] = [site];
    const report = checkVtable({ ...context, readNodes }, site);
    const explained = report.explainedLeaks;
    const reads = this.noteFindings(this.noteReads(new Map(), readNodes)!, report.findings, explained, context.file.fileName)!;
    return { start: site.pos, end: site.end, reads, findings: report.findings, explained };
  }

  /** Adds the regions `nodes` overlap, in whichever file, to `reads`; undefined (anything) stays so, and `nodes` undefined makes it so. */
  private noteReads(reads: Map<string, Set<number>> | undefined, nodes: Iterable<ts.Node> | undefined): Map<string, Set<number>> | undefined {
    if (!reads || !nodes) return undefined;
    for (const node of nodes) {
      const file = node.getSourceFile();
      for (const index of regionsOverlapping(this.skeleton(file), node)) addRead(reads, file.fileName, index);
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

/** How an earlier version of a file's results carry over to the current one (`reanalyze`). */
interface Match {
  /** The earlier index of a region whose results may be reused (the same text, in the same declaration); undefined: analyse it. */
  readonly earlierRegion: (index: number) => number | undefined;
  /** Earlier positions to current ones (throws `Unmappable` where it cannot). */
  readonly toNew: (position: number) => number;
  /** Whether moved findings may read differently (`staleLines`). */
  readonly stale: (findings: readonly Finding[]) => boolean;
  /** Whether every vtable site is an earlier one, moved (no changed text may spell the vtable class's name). */
  readonly sitesKept: boolean;
  /** How many of the current regions have no earlier counterpart. */
  readonly changedRegions: number;
  /** Whether the units outside every region (the file's top level among them) must be analysed again, whatever they read. */
  readonly outsideChanged: boolean;
}

/** The same skeleton: regions keep their indices, those in `changed` were edited; or only trivia between declarations moved (`moved`). */
function sameSkeletonMatch(previous: Skeleton, current: Skeleton, changed: ReadonlySet<number>, moved: Moved | undefined, topLevel: boolean): Match {
  const { regions } = current;
  return {
    earlierRegion: (index) => (changed.has(index) ? undefined : index),
    toNew: moved ? shiftMap(moved, /*forward*/ true) : positionMap(previous.regions, regions, changed),
    stale: staleLines(previous, current, changed, moved),
    sitesKept: moved !== undefined || [...changed].every((index) => !mayNameVtableClass(previous.texts[index]!) && !mayNameVtableClass(regions[index] ? current.texts[index]! : '')),
    changedRegions: changed.size,
    outsideChanged: topLevel,
  };
}

/**
 * After an edit to what the module declares (`filesSeeing` followed it by
 * name, as into the files that import it), its own results carry over by the
 * same rule as an importer's: what a unit or a vtable computes depends on its
 * text, on the types of the declarations it names (written in their
 * statements' skeleton text, and in the declarations that text names in
 * turn), on `this` (its class, in its statement), and on the bodies of the
 * helpers whose summaries it read (in `reads`, in any file: a helper's
 * summary follows from its body, its signature and the summaries it read in
 * turn; a helper whose statement changed has its body among the changed
 * regions, and one that names a changed declaration has too). So a region
 * that `renumber` kept (the same text, in a statement that is the same
 * declaration and names no changed name, directly or through the file's own
 * declarations) keeps its results unless they read a changed region; so does
 * a vtable whose site lies in such a statement (its slot arguments are names
 * its statement's text holds). The units outside every region (the file's top
 * level, functions whose body is no region) are analysed again, unless every
 * changed statement holds no code outside its regions (`holdsNoCode`: a type,
 * a function's signature), when they are reused by the same rule: their code
 * then lies in kept statements. Positions map inside
 * unchanged statements only. As for a region edit, a changed region whose
 * text names a shared name (or may, with an escape) analyses the whole file,
 * and so does any change when the top level reads the bodies (its caller
 * checks). Undefined: analyse the whole file.
 */
function redeclaredMatch(previous: Skeleton, current: Skeleton, { statements, now }: Redeclared): Match | undefined {
  const shared = identifiersPattern([...new Set([...previous.sharedNames, ...current.sharedNames])]);
  const mayNameShared = (text: string): boolean => text.includes('\\u') || (shared?.test(text) ?? false);
  const keptBefore = (index: number): boolean => now.later(index) !== undefined;
  const keptNow = (index: number): boolean => now.earlier(index) !== undefined;
  if (previous.texts.some((text, index) => !keptBefore(index) && mayNameShared(text))) return undefined;
  if (current.texts.some((text, index) => !keptNow(index) && mayNameShared(text))) return undefined;
  const statementKeptBefore = (index: number): boolean => statements.later(index) !== undefined;
  const statementKeptNow = (index: number): boolean => statements.earlier(index) !== undefined;
  const oldText = previous.file.text;
  const newText = current.file.text;
  // Every site's text names the class: one in a changed statement, or in a changed region of a kept one, may be new or gone.
  const sitesKept =
    previous.statements.every((shape, index) => statementKeptBefore(index) || !mayNameVtableClass(oldText.slice(shape.pos, shape.end))) &&
    current.statements.every((shape, index) => statementKeptNow(index) || !mayNameVtableClass(newText.slice(shape.pos, shape.end))) &&
    previous.texts.every((text, index) => keptBefore(index) || !mayNameVtableClass(text)) &&
    current.texts.every((text, index) => keptNow(index) || !mayNameVtableClass(text));
  return {
    earlierRegion: (index) => now.earlier(index),
    toNew: statementMap(previous, current, statements, now),
    // Every changed character lies in the stretch where the two texts differ: a finding on a line it touches may read differently.
    stale: staleLines(previous, current, NONE, changedStretch(oldText, newText)),
    sitesKept,
    changedRegions: current.regions.length - now.size,
    // A changed statement that holds no code outside its regions (a type, a function's signature) changes none of those units but through names, as for the regions.
    outsideChanged: !previous.codeFree.every((free, index) => free || statementKeptBefore(index)) || !current.codeFree.every((free, index) => free || statementKeptNow(index)),
  };
}

/**
 * Maps positions of a module's earlier version into its version after a
 * declaration edit: inside a statement kept as it was (`statements`), from its first token to its end, by the statement's shift and the
 * length changes of its regions before the position (their texts may differ:
 * a body's or a typed initializer's); inside an unchanged region (`now`), by
 * the region's shift. Elsewhere (a changed statement, a changed region,
 * leading trivia) it cannot map.
 */
function statementMap(previous: Skeleton, current: Skeleton, statements: IndexMap, now: IndexMap): (position: number) => number {
  /** The position in the earlier statement's current counterpart; undefined when it lies outside the statement (its first token to its end). */
  const within = (statement: number, position: number): number | undefined => {
    const oldShape = previous.statements[statement];
    if (!oldShape) return undefined;
    const oldStart = skipTrivia(previous.file.text, oldShape.pos, oldShape.end);
    if (position < oldStart || position > oldShape.end) return undefined;
    const index = statements.later(statement);
    if (index === undefined) throw new Unmappable();
    const newShape = current.statements[index]!;
    let from = firstRegionFrom(previous.regions, oldShape.pos);
    let to = firstRegionFrom(current.regions, newShape.pos);
    // The same text has the same regions, but for a `typeof` in leading trivia, which may take a function's body out of them.
    if (firstRegionFrom(previous.regions, oldShape.end) - from !== firstRegionFrom(current.regions, newShape.end) - to) throw new Unmappable();
    let mapped = skipTrivia(current.file.text, newShape.pos, newShape.end) + (position - oldStart);
    for (; from < previous.regions.length && previous.regions[from]!.start < oldShape.end; from++, to++) {
      const region = previous.regions[from]!;
      const counterpart = current.regions[to]!;
      if (region.kind !== counterpart.kind) throw new Unmappable();
      if (position <= region.start) break;
      if (position < region.end) {
        if (now.later(from) !== to) throw new Unmappable();
        return counterpart.start + (position - region.start);
      }
      mapped = counterpart.end + (position - region.end);
    }
    return mapped;
  };
  return (position) => {
    // The last statement starting at or before the position; at its start, the position may end the one before it.
    let low = 0;
    let high = previous.statements.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (previous.statements[middle]!.pos <= position) low = middle + 1;
      else high = middle;
    }
    const inThis = within(low - 1, position);
    const inPrevious = low >= 2 ? within(low - 2, position) : undefined;
    // In both when no trivia separates them: they must agree.
    if (inThis === undefined ? inPrevious === undefined : inPrevious !== undefined && inPrevious !== inThis) throw new Unmappable();
    return inThis ?? inPrevious!;
  };
}

/** `fn()`, or undefined when it throws `Unmappable` (a position that does not map). */
function mappable<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Unmappable) return undefined;
    throw error;
  }
}

/** The stretch where two texts differ: their common prefix, and their common suffix after it, aside (`Moved`, its gap unknown: empty at its start). */
function changedStretch(before: string, after: string): Moved {
  const shortest = Math.min(before.length, after.length);
  // Compared in chunks of 4,096, then 256, 16 and 1 characters: a string comparison is far faster than a loop over characters.
  let start = 0;
  for (let step = 4096; step >= 1; step >>= 4) {
    while (start + step <= shortest && before.slice(start, start + step) === after.slice(start, start + step)) start += step;
  }
  let common = 0;
  for (let step = 4096; step >= 1; step >>= 4) {
    while (common + step <= shortest - start && before.slice(before.length - common - step, before.length - common) === after.slice(after.length - common - step, after.length - common)) common += step;
  }
  return { start, oldEnd: before.length - common, newEnd: after.length - common, gapStart: start, gapEnd: start };
}

/** What is known of a file before its rule passes run. */
type Analysed = Omit<FileState, 'flow' | 'flowReads' | 'topLevelReadsBodies' | 'vtables' | 'hadLeaks' | 'finished'>;

const NONE: ReadonlySet<number> = new Set();
/** The kinds of a region that is an unannotated property's literal (`Region.kind`). */
const LITERAL_KINDS: ReadonlySet<string> = new Set(['number', 'string', 'boolean', 'bigint']);

/** Whether text may spell the vtable class's name, which every vtable site's text holds (`vtableSites`): as written, or with a unicode escape. */
function mayNameVtableClass(text: string): boolean {
  return text.includes('RawWakerVTable') || text.includes('\\u');
}
const NO_FILE_CHANGES: ReadonlyMap<string, FileChange> = new Map();

/** The state of a file analysed on `current` with these results. */
function withResults(current: Analysed, flow: readonly (readonly Finding[])[], flowReads: readonly (Reads | undefined)[], topLevelReadsBodies: boolean, vtables: readonly VtableEntry[]): FileState {
  const hadLeaks = flow.some((findings) => findings.some((finding) => finding.rule === 'clone-without-drop'));
  return { ...current, flow, flowReads, topLevelReadsBodies, vtables, hadLeaks };
}

/**
 * Whether nothing the file's last results read changed (`changes` since
 * them): the same text, no edited region it read, in any file; and, when its
 * flow findings held a leak (another file's vtable may explain it), no other
 * file edited. Then a fresh analysis gives what it gave, positions included.
 */
function unchanged(previous: FileState, file: ts.SourceFile, { changes, topLevel }: OwnChanges): boolean {
  if (topLevel || changes.has(file.fileName) || (previous.file !== file && previous.file.text !== file.text)) return false;
  if (previous.hadLeaks && changes.size > 0) return false;
  return !previous.flowReads.some((reads) => readsChanged(reads, changes)) && !previous.vtables.some((entry) => readsChanged(entry.reads, changes));
}

/** The state with what its results read of renumbered files' regions under their new indices. */
function renumberedState(state: FileState, renumbered: Renumbering): FileState {
  if (renumbered.size === 0) return state;
  const flowReads = mapKeepingSame(state.flowReads, (reads) => renumberReads(reads, renumbered));
  const vtables = mapKeepingSame(state.vtables, (entry) => {
    const reads = renumberReads(entry.reads, renumbered)!;
    return reads === entry.reads ? entry : { ...entry, reads };
  });
  return flowReads === state.flowReads && vtables === state.vtables ? state : { ...state, flowReads, vtables };
}

/**
 * Reads with the regions of renumbered files under their new indices; a region without one (it changed: a result that read it is not reused) reads any change there.
 * The same reads when every region they read kept its index (a declaration edit that adds or removes no region renumbers none).
 */
function renumberReads(reads: Reads | undefined, renumbered: Renumbering): Reads | undefined {
  if (!reads || renumbered.size === 0) return reads;
  let result: Map<string, ReadonlySet<number>> | undefined;
  for (const [fileName, now] of renumbered) {
    const read = reads.get(fileName);
    if (!read || keepsIndices(read, now)) continue;
    result ??= new Map(reads);
    result.set(fileName, new Set([...read].map((index) => (index === ANY_CHANGE ? ANY_CHANGE : (now.later(index) ?? ANY_CHANGE)))));
  }
  return result ?? reads;
}

/** Whether every region in `read` is under the same index in `now` (`ANY_CHANGE` stays). */
function keepsIndices(read: ReadonlySet<number>, now: IndexMap): boolean {
  for (const index of read) if (index !== ANY_CHANGE && now.later(index) !== index) return false;
  return true;
}

function countOtherFiles(changes: Changes, file: ts.SourceFile): number {
  return changes.size - (changes.has(file.fileName) ? 1 : 0);
}

/**
 * How each file changed from `from` to `to` (two versions of the program's
 * files, in the program's order), by file name; undefined when the set of
 * files changed. A file parsed again with the same text has not changed.
 */
function compareFiles(
  ts: TypeScript,
  program: ts.Program,
  from: readonly ts.SourceFile[],
  to: readonly ts.SourceFile[],
  skeleton: (file: ts.SourceFile) => Skeleton,
  earlierSkeleton: (file: ts.SourceFile) => Skeleton,
): ReadonlyMap<string, FileChange> | undefined {
  if (from.length !== to.length) return undefined;
  const changes = new Map<string, FileChange>();
  const redeclared: { before: Skeleton; after: Skeleton }[] = [];
  for (let i = 0; i < to.length; i++) {
    const before = from[i]!;
    const after = to[i]!;
    if (before === after) continue;
    if (before.fileName !== after.fileName) return undefined;
    if (before.isDeclarationFile || after.isDeclarationFile || before.impliedNodeFormat !== after.impliedNodeFormat) changes.set(after.fileName, 'opaque');
    else if (before.text === after.text) continue;
    else if (!isTypeScript(after) || isLibraryFile(program, after) || program.isSourceFileFromExternalLibrary(after)) changes.set(after.fileName, 'opaque');
    else {
      const earlier = earlierSkeleton(before);
      const edit = editBetween(earlier, skeleton(after)) ?? movedBetween(ts, earlier, skeleton(after));
      if (edit) changes.set(after.fileName, { regions: new Set([...edit.regions, ANY_CHANGE]) });
      // What it declares may have changed: only the files that see the changed declarations are analysed again (below).
      // (The earlier version is read through its skeleton's syntax tree: tsserver may have moved `before`'s.)
      else if (isIsolatedModule(ts, earlier.file) && isIsolatedModule(ts, after)) {
        redeclared.push({ before: earlier, after: skeleton(after) });
      } else changes.set(after.fileName, 'opaque');
    }
  }
  if (redeclared.length === 0) return changes;
  const followed = filesSeeing(ts, program, redeclared, skeleton, (file) => isIsolatedModule(ts, file));
  if (!followed) return undefined;
  const { seeing, edited } = followed;
  for (const [fileName, { changed, now, statements }] of edited) changes.set(fileName, { regions: new Set([...changed, ANY_CHANGE]), renumbered: now, statements });
  for (const [fileName, seen] of seeing) {
    const change = changes.get(fileName);
    if (change === 'opaque') continue;
    changes.set(fileName, { regions: change ? new Set([...change.regions, ...seen.regions]) : seen.regions, seen });
  }
  return changes;
}

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
 * The regions edited between two versions of a file, with the regions that
 * name an edited `const` (they may read it); undefined when the skeleton
 * changed, an edited region's old or new text mentions a shared name, or an
 * edited `const` is named in the skeleton (see the header).
 */
function editBetween(previous: Skeleton, current: Skeleton): Edit | undefined {
  if (previous === current) return NO_EDIT; // the same version of the file
  if (previous.pieces.length !== current.pieces.length || previous.pieces.some((piece, i) => piece !== current.pieces[i])) return undefined;
  if (previous.regions.some((region, i) => region.kind !== current.regions[i]!.kind)) return undefined;
  const changed = new Set<number>();
  const shared = identifiersPattern([...new Set([...previous.sharedNames, ...current.sharedNames])]);
  const consts: number[] = [];
  for (let i = 0; i < current.texts.length; i++) {
    const before = previous.texts[i]!;
    const after = current.texts[i]!;
    if (before === after) continue;
    if (shared && (shared.test(before) || shared.test(after))) return undefined;
    if (before.includes('\\u') || after.includes('\\u')) return undefined; // an escaped name could spell one
    changed.add(i);
    if (current.regions[i]!.kind === 'const') consts.push(i);
  }
  if (consts.length === 0) return { regions: changed, topLevel: false };
  // An edited `const` may change what code naming it sees (its type, unannotated; its narrowed type in a closure): those regions too, in turn.
  const skeleton = current.pieces.join('\n');
  if (skeleton.includes('\\u')) return undefined;
  for (let next = consts.pop(); next !== undefined; next = consts.pop()) {
    for (const name of current.regions[next]!.names) {
      const named = identifiersPattern([name])!;
      if (findMentions(skeleton, new RegExp(named.source, 'gu'))!.length > 1) return undefined; // named outside its own declaration
      current.texts.forEach((text, i) => {
        if (changed.has(i) || !(named.test(text) || named.test(previous.texts[i]!))) return;
        changed.add(i);
        if (current.regions[i]!.kind === 'const') consts.push(i);
      });
    }
  }
  return { regions: changed, topLevel: true };
}

/**
 * The edit between two versions of a file when all it changed is trivia
 * between declarations (whitespace and comments between the file's
 * statements, a class's or interface's members, a namespace's statements),
 * else undefined. Then both versions have the same tokens, the same line
 * breaks between them (automatic semicolons), so the same declarations and
 * code, moved; and the same regions: what any analysis reads of the file is
 * the same, at positions past the edit shifted (see the header). Comments
 * that are more than trivia are not: a `@jsx…` pragma (`JSX_PRAGMA`).
 */
function movedBetween(ts: TypeScript, previous: Skeleton, current: Skeleton): Edit | undefined {
  const before = previous.file.text;
  const after = current.file.text;
  if (!isTypeScript(current.file) || previous.regions.length !== current.regions.length) return undefined;
  const { start, oldEnd, newEnd } = changedStretch(before, after);
  // Where the change lies in the new version's syntax tree; the old one's nodes may have been moved by
  // tsserver's incremental parse since, so the old version is read as text: the same gap must be all trivia.
  const shift = newEnd - oldEnd;
  const newGap = gapAround(ts, current.file, start, newEnd);
  if (!newGap) return undefined;
  const gap = { start: newGap.start, end: newGap.end - shift };
  const gapBefore = before.slice(gap.start, gap.end);
  const gapAfter = after.slice(newGap.start, newGap.end);
  // No trivia before may have been no gap at all (`ab`, now `a b`), unless the token before it is one that ends where it stands.
  if (gapBefore.length === 0 ? gap.start > 0 && !ENDS_TOKEN.has(before.charCodeAt(gap.start - 1)) : !isTrivia(ts, current.file, gapBefore)) return undefined;
  if (JSX_PRAGMA.test(gapBefore) || JSX_PRAGMA.test(gapAfter)) return undefined;
  // A line break may end a statement (an automatic semicolon): not after the start of the file, a `;` or a `{`.
  const ended = gap.start === 0 || before.charCodeAt(gap.start - 1) === 0x3b /* ; */ || before.charCodeAt(gap.start - 1) === 0x7b; /* { */
  if (!ended && lineBreaks(gapBefore) > 0 !== lineBreaks(gapAfter) > 0) return undefined;
  // Regions lie inside declarations, never in the gap: each before it or after it.
  const same = previous.regions.every((region, i) => {
    const now = current.regions[i]!;
    return region.kind === now.kind && region.start + (region.start >= oldEnd ? shift : 0) === now.start && previous.texts[i] === current.texts[i];
  });
  return same ? { regions: NONE, topLevel: false, moved: { start, oldEnd, newEnd, gapStart: gap.start, gapEnd: gap.end } } : undefined;
}

/**
 * Whether `text`, followed by a token, is whitespace and complete comments
 * only, scanned as `file`'s language (a `//` comment ends at a line break
 * inside it, or it would run on into the token).
 */
function isTrivia(ts: TypeScript, file: ts.SourceFile, text: string): boolean {
  const scanner = ts.createScanner(file.languageVersion, /*skipTrivia*/ false, file.languageVariant, text);
  const { SyntaxKind } = ts;
  let last = SyntaxKind.Unknown;
  for (let token = scanner.scan(); token !== SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === SyntaxKind.MultiLineCommentTrivia ? scanner.isUnterminated() : token !== SyntaxKind.WhitespaceTrivia && token !== SyntaxKind.NewLineTrivia && token !== SyntaxKind.SingleLineCommentTrivia) return false;
    last = token;
  }
  return last !== SyntaxKind.SingleLineCommentTrivia;
}

/** `;`, `{`, `}`, `)`, `]`, `,`: a token of one character that nothing after it extends. */
const ENDS_TOKEN = new Set([...';{}),]'].map((character) => character.charCodeAt(0)));


/**
 * The stretch of trivia `start`–`end` lies in, when it lies in trivia between
 * two declarations (see `movedBetween`): the leading trivia of a statement or
 * member, or what precedes the end of the file or a body's `}`.
 */
function gapAround(ts: TypeScript, file: ts.SourceFile, start: number, end: number): { start: number; end: number } | undefined {
  const { SyntaxKind } = ts;
  let list: readonly ts.Node[] = file.statements;
  let closing = file.text.length; // where the list's last trivia ends: the end of the file, or a body's `}`
  for (;;) {
    const element = list.find((node) => node.pos <= start && start < node.end);
    const tokenStart = element ? element.getStart(file) : closing;
    const gapStart = element ? element.pos : list.length > 0 ? list[list.length - 1]!.end : (list as ts.NodeArray<ts.Node>).pos;
    if (start >= gapStart && end <= tokenStart) return { start: gapStart, end: tokenStart };
    if (!element || start < tokenStart) return undefined;
    // Inside a declaration: only a class's, an interface's or a namespace's body holds more declarations.
    let members: ts.NodeArray<ts.Node> | undefined;
    if (element.kind === SyntaxKind.ClassDeclaration || element.kind === SyntaxKind.InterfaceDeclaration) members = (element as ts.ClassDeclaration | ts.InterfaceDeclaration).members;
    else if (element.kind === SyntaxKind.ModuleDeclaration && (element as ts.ModuleDeclaration).body?.kind === SyntaxKind.ModuleBlock) members = ((element as ts.ModuleDeclaration).body as ts.ModuleBlock).statements;
    const brace = element.end - 1;
    if (!members || file.text.charCodeAt(brace) !== 0x7d /* } */ || start < members.pos || end > brace) return undefined;
    list = members;
    closing = brace;
  }
}

/**
 * Whether findings (moved to the new text) may read differently after the
 * edit, though what they read is unchanged: one with a position on a line an
 * edited region shares (a fix indents by the text before it on its line), or,
 * when an edit added or removed lines, one whose text names a line (`when the
 * loop continues at line 13`).
 */
function staleLines(previous: Skeleton, current: Skeleton, changed: ReadonlySet<number>, moved: Moved | undefined): (findings: readonly Finding[]) => boolean {
  if (changed.size === 0 && !moved) return () => false;
  const file = current.file;
  const text = file.text;
  const lines: { readonly start: number; readonly end: number }[] = [];
  let linesMoved = false;
  const addLines = (from: number, to: number): void => {
    let start = from;
    while (start > 0 && !isLineBreak(text.charCodeAt(start - 1))) start--;
    let end = to;
    while (end < text.length && !isLineBreak(text.charCodeAt(end))) end++;
    lines.push({ start, end });
  };
  for (const index of changed) {
    addLines(current.regions[index]!.start, current.regions[index]!.end);
    linesMoved ||= lineBreaks(previous.texts[index]!) !== lineBreaks(current.texts[index]!);
  }
  if (moved) {
    // Text inserted up to a line break leaves the line after it as it was.
    addLines(moved.start, moved.newEnd > moved.start && isLineBreak(text.charCodeAt(moved.newEnd - 1)) ? moved.newEnd - 1 : moved.newEnd);
    linesMoved ||= lineBreaks(previous.file.text.slice(moved.start, moved.oldEnd)) !== lineBreaks(text.slice(moved.start, moved.newEnd));
  }
  const onEditedLine = (span: Span): boolean => span.file === file.fileName && lines.some((line) => span.end >= line.start && span.start <= line.end);
  const namesLine = (finding: Finding): boolean => NAMES_LINE.test(finding.message) || NAMES_LINE.test(finding.help ?? '') || finding.related.some((related) => NAMES_LINE.test(related.message));
  return (findings) =>
    findings.some(
      (finding) =>
        (linesMoved && namesLine(finding)) || onEditedLine(finding.span) || finding.related.some(onEditedLine) || finding.fixes.some((fix) => fix.edits.some(onEditedLine)),
    );
}

const NAMES_LINE = /\bline \d/;
const LINE_BREAKS = /\r\n?|[\n\u2028\u2029]/g;

function lineBreaks(text: string): number {
  return text.match(LINE_BREAKS)?.length ?? 0;
}

/** The characters TypeScript ends a line at (`\r\n` is one break; either half ends the line). */
function isLineBreak(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

/**
 * A module whose declarations reach other files only through imports: no
 * `declare global`, no `declare module 'x'` (an ambient module or an
 * augmentation), no `export as namespace` (a global of its own).
 */
function isIsolatedModule(ts: TypeScript, file: ts.SourceFile): boolean {
  const { SyntaxKind } = ts;
  if (!ts.isExternalModule(file)) return false;
  return file.statements.every((statement) => {
    if (statement.kind === SyntaxKind.NamespaceExportDeclaration) return false;
    if (statement.kind !== SyntaxKind.ModuleDeclaration) return true;
    const name = (statement as ts.ModuleDeclaration).name;
    return name.kind === SyntaxKind.Identifier && name.text !== 'global' && !(statement.flags & ts.NodeFlags.GlobalAugmentation);
  });
}

function isTypeScript(file: ts.SourceFile): boolean {
  return !file.isDeclarationFile && /\.[cm]?tsx?$/i.test(file.fileName);
}

const TYPEOF = /typeof/g;

/** A position that falls inside an edited region: the caller re-analyses the whole file. */
class Unmappable extends Error {}

/**
 * Maps positions of one version of the file to another with the same skeleton:
 * the skeleton between regions shifts by the length changes before it; inside an
 * unchanged region, by its start's shift. Inside an edited region it cannot map.
 */
function positionMap(from: readonly Region[], to: readonly Region[], changed: ReadonlySet<number>): (position: number) => number {
  return (position) => {
    const index = lastStartingAtOrBefore(from, position);
    if (index < 0) return position;
    const region = from[index]!;
    if (position >= region.end) return to[index]!.end + (position - region.end);
    if (changed.has(index) && position !== region.start) throw new Unmappable();
    return to[index]!.start + (position - region.start);
  };
}

/**
 * Maps positions across an edit that only moved text (see `Moved`), forward
 * (old to new) or back: before the change they stay, after it they shift. The
 * gap's ends (a token's end, the next token's start) map to themselves moved;
 * positions inside the change, or at an insertion's point inside the gap
 * (before or after the inserted text?), cannot map.
 */
function shiftMap(moved: Moved, forward: boolean): (position: number) => number {
  const { start, gapStart } = moved;
  const from = forward ? moved.oldEnd : moved.newEnd;
  const to = forward ? moved.newEnd : moved.oldEnd;
  const gapEnd = forward ? moved.gapEnd : moved.gapEnd + moved.newEnd - moved.oldEnd;
  const gap = gapStart < gapEnd;
  return (position) => {
    if (position < start || (gap && position === gapStart) || (position === start && from > start)) return position;
    if (position > from || (gap && position === gapEnd) || (position === from && from > start)) return position + to - from;
    throw new Unmappable();
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

/** The index of the region a node is in (a body's owner counts as inside), or -1 for the skeleton. */
function regionIndexOf(skeleton: Skeleton, node: ts.Node): number {
  const owned = skeleton.owners.get(node);
  if (owned !== undefined) return owned;
  const index = lastStartingAtOrBefore(skeleton.regions, node.pos);
  return index >= 0 && node.pos < skeleton.regions[index]!.end ? index : -1;
}

/** The indices of the regions a node overlaps: the one it is in, or those inside it (its body, for a function). */
function regionsOverlapping(skeleton: Skeleton, node: ts.Node): number[] {
  const { regions } = skeleton;
  const indices: number[] = [];
  let index = lastStartingAtOrBefore(regions, node.pos);
  if (index < 0 || regions[index]!.end <= node.pos) index++;
  for (; index < regions.length && regions[index]!.start < node.end; index++) indices.push(index);
  return indices;
}

/** The index of the last region starting at or before `position` (-1: none). */
function lastStartingAtOrBefore(regions: readonly Region[], position: number): number {
  let low = 0;
  let high = regions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (regions[middle]!.start <= position) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

function skeletonData(ts: TypeScript, file: ts.SourceFile): Skeleton {
  const { regions, sharedNames } = skeletonOf(ts, file);
  const text = file.text;
  const pieces: string[] = [];
  let at = 0;
  for (const region of regions) {
    pieces.push(text.slice(at, region.start));
    at = region.end;
  }
  pieces.push(text.slice(at));
  const owners = new Map<ts.Node, number>();
  regions.forEach((region, index) => {
    if (region.kind === 'body') owners.set(region.owner, index);
  });
  const codeFree = file.statements.map((statement) => holdsNoCode(ts, statement, owners));
  return { regions, owners, texts: regions.map((region) => text.slice(region.start, region.end)), pieces, sharedNames, flowApplies: flowMayApply(file), statements: statementShapes(ts, file), codeFree, file };
}

/**
 * Whether a top-level statement holds no code outside the file's regions: no
 * top-level code, no flow unit outside every region. An interface, a type
 * alias, a function declaration without a body (an overload, `declare`), or
 * one whose body is a region and whose parameters have no initializer (a
 * function there would be a unit of its own, outside the body).
 */
function holdsNoCode(ts: TypeScript, statement: ts.Statement, owners: ReadonlyMap<ts.Node, number>): boolean {
  const { SyntaxKind } = ts;
  switch (statement.kind) {
    case SyntaxKind.InterfaceDeclaration:
    case SyntaxKind.TypeAliasDeclaration:
      return true;
    case SyntaxKind.FunctionDeclaration: {
      const fn = statement as ts.FunctionDeclaration;
      return !fn.body || (owners.has(fn) && fn.parameters.every((parameter) => !parameter.initializer));
    }
    default:
      return false;
  }
}

/**
 * The file's opaque regions in source order (see the header for what makes
 * one), and the shared names: the `let`/`var` variables declared outside every
 * function, and the `const`s there bound to an array literal.
 */
export function skeletonOf(ts: TypeScript, file: ts.SourceFile): { regions: Region[]; sharedNames: string[] } {
  const { SyntaxKind } = ts;
  const regions: Region[] = [];
  const shared = new Set<string>();
  const typeScript = isTypeScript(file);
  const isModule = ts.isExternalModule(file);
  const typeofs = findMentions(file.text, TYPEOF);
  const namesOf = (name: ts.BindingName, into: string[] = []): string[] => {
    if (ts.isIdentifier(name)) into.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) namesOf(element.name, into);
    return into;
  };
  const visit = (node: ts.Node): void => {
    if (isFunctionBoundary(ts, node) && node.kind !== SyntaxKind.ClassDeclaration && node.kind !== SyntaxKind.ClassExpression) {
      // Anything nested in a function belongs to that function's body: do not look inside.
      if (typeScript && isOpaque(ts, node, typeofs)) {
        const body = (node as FunctionLikeWithBody & { body: ts.Node }).body;
        regions.push({ owner: node, start: body.pos, end: body.end, kind: 'body', names: [] });
      }
      return;
    }
    if (node.kind === SyntaxKind.VariableDeclarationList) {
      const mutable = !(node.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using));
      for (const declaration of (node as ts.VariableDeclarationList).declarations) {
        if (mutable || (declaration.initializer && skipOuterExpressions(ts, declaration.initializer).kind === SyntaxKind.ArrayLiteralExpression)) namesOf(declaration.name).forEach((name) => shared.add(name));
      }
    }
    const initializer = typeScript ? opaqueInitializer(ts, node, isModule) : undefined;
    if (!initializer) {
      ts.forEachChild(node, visit);
      return;
    }
    ts.forEachChild(node, (child) => {
      if (child !== initializer.node) visit(child);
    });
    const names = node.kind === SyntaxKind.VariableDeclaration ? namesOf((node as ts.VariableDeclaration).name) : [];
    regions.push({ owner: node, start: initializer.node.pos, end: initializer.node.end, kind: initializer.kind, names });
  };
  ts.forEachChild(file, visit);
  return { regions, sharedNames: [...shared] };
}

/**
 * The initializer of `declaration` when it is an opaque region, with the
 * region's kind (see `Region`): under a class property's type annotation; of a
 * `const` that is annotated, or not exported from a module (what other files
 * see of it is its annotation, or nothing); an unannotated class property's
 * literal, whose widened type (`number`, …) is the property's.
 */
function opaqueInitializer(ts: TypeScript, declaration: ts.Node, isModule: boolean): { node: ts.Expression; kind: string } | undefined {
  const { SyntaxKind } = ts;
  if (declaration.kind === SyntaxKind.PropertyDeclaration) {
    const { initializer, type } = declaration as ts.PropertyDeclaration;
    if (!initializer) return undefined;
    if (type) return { node: initializer, kind: 'typed' };
    const literal = literalType(ts, initializer);
    return literal && !(ts.getCombinedModifierFlags(declaration as ts.PropertyDeclaration) & ts.ModifierFlags.Readonly) ? { node: initializer, kind: literal } : undefined;
  }
  if (declaration.kind !== SyntaxKind.VariableDeclaration) return undefined;
  const { initializer, type, parent } = declaration as ts.VariableDeclaration;
  if (!initializer || parent.kind !== SyntaxKind.VariableDeclarationList || (parent.flags & ts.NodeFlags.BlockScoped) !== ts.NodeFlags.Const) return undefined;
  if (type) return { node: initializer, kind: 'const' };
  const statement = parent.parent;
  const exported = statement.kind === SyntaxKind.VariableStatement && (statement as ts.VariableStatement).modifiers?.some((m) => m.kind === SyntaxKind.ExportKeyword);
  return isModule && statement.kind === SyntaxKind.VariableStatement && !exported ? { node: initializer, kind: 'const' } : undefined;
}

/** The primitive a literal widens to (`0`, `-1`, `'a'`, `true`, `1n`), else undefined. */
function literalType(ts: TypeScript, expression: ts.Expression): string | undefined {
  const { SyntaxKind } = ts;
  switch (expression.kind) {
    case SyntaxKind.NumericLiteral:
      return 'number';
    case SyntaxKind.BigIntLiteral:
      return 'bigint';
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
      return 'string';
    case SyntaxKind.TrueKeyword:
    case SyntaxKind.FalseKeyword:
      return 'boolean';
    case SyntaxKind.PrefixUnaryExpression: {
      const { operator, operand } = expression as ts.PrefixUnaryExpression;
      return operator === SyntaxKind.MinusToken && (operand.kind === SyntaxKind.NumericLiteral || operand.kind === SyntaxKind.BigIntLiteral) ? literalType(ts, operand) : undefined;
    }
    default:
      return undefined;
  }
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

