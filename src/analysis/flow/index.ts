// The flow rules: use-after-wake, use-after-drop, use-after-move,
// clone-without-drop and lost-wakeup, from an ownership dataflow per function.
//
// Speed: this runs in tsserver on every keystroke. A file whose text names
// nothing of the library is skipped outright; inside a file, only functions
// that mention a library name (one AST walk, no checker) are analysed, and only
// those with tracked bindings or a `poll(cx)` get a CFG. One walk of the file
// gathers each unit's nodes, so discovery never walks the tree again; that walk
// does not enter functions whose text holds no hint word at all.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import type { Finding, TypeScript } from '../types';
import { mentionedIn, mergeMentions, wholeWordOffsets, wordOffsets, wordsPattern, wordStarts } from '../mentions';
import { scanUnits, type FlowUnit, type FunctionLikeWithBody } from './graph';
import { FlowEngine } from './engine';
import { summariesFor } from './summaries';
import { FieldChecker } from './checkers/fields';
import { LeakChecker } from './checkers/leaks';
import { LostWakeupChecker } from './checkers/lost-wakeup';
import { UseAfterChecker } from './checkers/use-after';
import { packedMap } from '../arrays';
import { syntaxOf } from '../syntax';

export { buildCfg, scanUnits, type BasicBlock, type Cfg, type FlowUnit, type Op } from './graph';

/** Identifiers that can only matter if the library is involved. */
export const HINTS = new Set([
  'Waker', 'Box', 'Arc', 'RawWaker', 'Context', 'WakerRef',
  'wake', 'clone', 'drop', 'forget', 'intoRaw', 'fromRaw', 'fromArc', 'pending', 'waker', 'poll',
]);
const FILE_HINT = /\b(?:Waker|Box|Arc|RawWaker|Context|wake|clone|drop|forget|intoRaw|fromRaw|fromArc|pending|poll)\b/;
const HINT_WORDS = wordsPattern(HINTS);

export function analyzeFlow(context: FileContext): Finding[] {
  if (!flowMayApply(context.file)) return [];
  const findings: Finding[] = [];
  const analyzeUnit = unitAnalyzer(context);
  for (const unit of hintedUnits(context.ts, context.file)) analyzeUnit(unit, findings);
  return sortFlowFindings(findings);
}

/** Whether the file's text names anything the flow rules look at (else it has no flow findings). */
export function flowMayApply(file: ts.SourceFile): boolean {
  return FILE_HINT.test(file.text);
}

/**
 * The units worth analysing: the file's top level, or a function-like and the
 * ones nested in it. A unit is worth it when it names something of the library,
 * or touches a field the file declares with an owned type (`cancel(key) {
 * this.slots[key] = undefined; }` or `this.queue.splice(index, 1)` may lose
 * the waker the field holds).
 */
export function hintedUnits(ts: TypeScript, root: ts.SourceFile | FunctionLikeWithBody): FlowUnit[] {
  const file = root.getSourceFile();
  if (root !== file) return scanUnits(ts, root, HINTS, undefined, ownedFieldsOf(ts, file)).filter((unit) => unit.hinted);
  // One scan of the text serves both: the owned types' names are hint words.
  const hintWords = wordStarts(file.text, HINT_WORDS);
  const fields = ownedFieldsOf(ts, file, hintWords);
  // A field named like a hint (`waker`) is among the hint words already.
  const unhinted = [...fields].filter((field) => !HINTS.has(field));
  const words = unhinted.length === 0 ? hintWords : mergeMentions(hintWords, wordOffsets(file.text, wordsPattern(unhinted)));
  const mentions = file.text.includes('\\u') ? undefined : words; // see findMentions
  return scanUnits(ts, root, HINTS, mentions, fields).filter((unit) => unit.hinted);
}

/** An owned type's name at a hint word's offset (the offset starts a whole word). */
const OWNED_NAMES = ['Waker', 'Box', 'Arc', 'RawWaker'];
const OWNED_TYPE_AT = /(?:Waker|Box|Arc|RawWaker)\b/y;
const OWNED_INITIALS = new Set(packedMap(['W', 'B', 'A', 'R'], (letter) => letter.charCodeAt(0)));
const ownedFieldsByFile = new WeakMap<ts.SourceFile, ReadonlySet<string>>();

/**
 * The fields the file declares, outside every function body, with a type that
 * names an owned library type (`private slots: (Waker | undefined)[]`, an
 * interface's `waker?: Waker`, `#waiters = new Map<number, Waker>()`; a private
 * name without its `#`): its classes' properties and its interfaces' and type
 * literals' members. Only declarations outside bodies, so an edit inside a
 * body never changes which other bodies are analysed (incremental.ts relies on
 * that). A top-level alias of such a type counts as one (`type Slot = Waker |
 * undefined`, then `slots: Slot[]`), and so does a record holding one (`interface
 * Waiter { waker: Waker }`, then `queue: Waiter[]`: removing from the queue may
 * lose a waker). A field declared in another file is not seen here (cost: one
 * look at each top-level declaration's members, no checker). A type names an
 * owned type when one of their names' whole-word offsets in the text (the
 * file's hint words, `hintWords`, hold them) lies inside it: a binary search
 * per type, where slicing and matching each type's text cost a tenth of
 * the file's analysis.
 */
function ownedFieldsOf(ts: TypeScript, file: ts.SourceFile, hintWords?: readonly number[]): ReadonlySet<string> {
  let fields = ownedFieldsByFile.get(file);
  if (fields) return fields;
  const { SyntaxKind } = syntaxOf(ts);
  const names = new Set<string>();
  const text = file.text;
  // Without the hint words (a body's units, after an edit), the owned names alone: a match object per hint word in the file is most of this scan's garbage.
  let owned = hintWords
    ? hintWords.filter((offset) => {
        // Most hint words are lowercase (`wake`, `clone`, `drop`): one character rules them out.
        if (!OWNED_INITIALS.has(text.charCodeAt(offset))) return false;
        OWNED_TYPE_AT.lastIndex = offset;
        return OWNED_TYPE_AT.test(text);
      })
    : wholeWordOffsets(text, OWNED_NAMES);
  const namesOwned = (type: ts.Node): boolean => mentionedIn(owned, type.pos, type.end);
  // A declaration whose text holds no owned name has no member typed with one: one search rules it out (most classes of plain code).
  const record = (statement: ts.Statement): ts.NodeArray<ts.TypeElement> | undefined =>
    statement.kind === SyntaxKind.InterfaceDeclaration ? (statement as ts.InterfaceDeclaration).members : isTypeLiteralAlias(ts, statement) ? (statement.type as ts.TypeLiteralNode).members : undefined;
  // Aliases and records first (in order, so one may name an earlier one).
  for (const statement of file.statements) {
    if (!namesOwned(statement)) continue;
    const members = record(statement);
    const isOwned = members
      ? members.some((member) => member.kind === SyntaxKind.PropertySignature && (member as ts.PropertySignature).type !== undefined && namesOwned((member as ts.PropertySignature).type!))
      : statement.kind === SyntaxKind.TypeAliasDeclaration && namesOwned((statement as ts.TypeAliasDeclaration).type);
    if (isOwned) owned = mergeMentions(owned, wordOffsets(text, wordsPattern([(statement as ts.InterfaceDeclaration | ts.TypeAliasDeclaration).name.text])));
  }
  const addMembers = (members: ts.NodeArray<ts.ClassElement | ts.TypeElement>): void => {
    for (const member of members) {
      if (member.kind !== SyntaxKind.PropertyDeclaration && member.kind !== SyntaxKind.PropertySignature) continue;
      const { type, name, initializer } = member as ts.PropertyDeclaration;
      // Unannotated, the type is in the initializer's type arguments (`waiters = new Map<number, Waker>()`).
      const typeArguments = member.kind === SyntaxKind.PropertyDeclaration && initializer?.kind === SyntaxKind.NewExpression ? (initializer as ts.NewExpression).typeArguments : undefined;
      const named = type ? namesOwned(type) : typeArguments !== undefined && typeArguments.some(namesOwned);
      if (named && (name.kind === SyntaxKind.Identifier || name.kind === SyntaxKind.PrivateIdentifier)) names.add(name.text.replace(/^#/, ''));
      if (type?.kind === SyntaxKind.TypeLiteral) addMembers((type as ts.TypeLiteralNode).members);
    }
  };
  for (const statement of file.statements) {
    if (!namesOwned(statement)) continue;
    if (statement.kind === SyntaxKind.ClassDeclaration || statement.kind === SyntaxKind.InterfaceDeclaration) addMembers((statement as ts.ClassDeclaration | ts.InterfaceDeclaration).members);
    else if (isTypeLiteralAlias(ts, statement)) addMembers((statement.type as ts.TypeLiteralNode).members);
    else if (statement.kind === SyntaxKind.VariableStatement) {
      for (const declaration of (statement as ts.VariableStatement).declarationList.declarations) {
        if (declaration.type?.kind === SyntaxKind.TypeLiteral) addMembers((declaration.type as ts.TypeLiteralNode).members);
      }
    }
  }
  fields = names;
  ownedFieldsByFile.set(file, fields);
  return fields;
}

function isTypeLiteralAlias(ts: TypeScript, statement: ts.Statement): statement is ts.TypeAliasDeclaration {
  const syntax = syntaxOf(ts);
  return statement.kind === syntax.SyntaxKind.TypeAliasDeclaration && (statement as ts.TypeAliasDeclaration).type.kind === syntax.SyntaxKind.TypeLiteral;
}

/** What one unit's analysis read beyond its own body (for incremental re-analysis). */
export interface UnitReads {
  /** Whether it looked inside the unit's nested functions and classes (it does when it tracks a binding they might capture). */
  readonly nested: boolean;
  /** The function bodies behind the helper summaries it used (`undefined`: it failed, assume it read anything). */
  readonly summaries: ReadonlySet<ts.Node> | undefined;
}

/**
 * Analyses units of one file one after another, each appending its findings
 * and returning what it read: one engine for them all (`FlowEngine.reset`), not
 * one per unit (less garbage). Held by the caller for as long as it analyses
 * the file, never in a table of files: a table would keep every file's engine,
 * and the last unit's tables in it, alive through the scavenges that follow.
 */
export function unitAnalyzer(context: FileContext): (unit: FlowUnit, findings: Finding[]) => UnitReads {
  let engine: FlowEngine | undefined;
  return (unit, findings) => {
    try {
      if (engine) engine.reset(unit);
      else engine = newEngine(context, unit);
      engine.run(findings);
      return { nested: engine.discovery.readNested, summaries: engine.reads };
    } catch (error) {
      // Never take the editor down over one odd function: skip it (tests set WAKERSCOPE_STRICT to see the error).
      if (typeof process !== 'undefined' && process.env?.WAKERSCOPE_STRICT) throw error;
      return { nested: true, summaries: undefined };
    }
  };
}

/** The engine with one checker per rule (use-after-* share one), and the program's helper summaries. */
export function newEngine(context: FileContext, unit: FlowUnit): FlowEngine {
  const engine = new FlowEngine(context, unit, summariesFor(context));
  engine.use(new LostWakeupChecker(engine));
  engine.use(new UseAfterChecker(engine));
  engine.use(new LeakChecker(engine));
  engine.use(new FieldChecker(engine));
  return engine;
}

/** The flow pass's order: by position, then rule (stable, so a unit's own order stays). */
export function sortFlowFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule));
}
