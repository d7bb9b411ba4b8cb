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
import { findMentions, wordsPattern } from '../mentions';
import { scanUnits, type FlowUnit, type FunctionLikeWithBody } from './graph';
import { FlowEngine } from './engine';
import { summariesFor } from './summaries';
import { FieldChecker } from './checkers/fields';
import { LeakChecker } from './checkers/leaks';
import { LostWakeupChecker } from './checkers/lost-wakeup';
import { UseAfterChecker } from './checkers/use-after';

export { buildCfg, scanUnits, type BasicBlock, type Cfg, type FlowUnit, type Op } from './graph';

/** Identifiers that can only matter if the library is involved. */
const HINTS = new Set([
  'Waker', 'Box', 'Arc', 'RawWaker', 'Context', 'WakerRef',
  'wake', 'clone', 'drop', 'forget', 'intoRaw', 'fromRaw', 'fromArc', 'pending', 'waker', 'poll',
]);
const FILE_HINT = /\b(?:Waker|Box|Arc|RawWaker|Context|wake|clone|drop|forget|intoRaw|fromRaw|fromArc|pending|poll)\b/;
const HINT_WORDS = wordsPattern(HINTS);

export function analyzeFlow(context: FileContext): Finding[] {
  if (!flowMayApply(context.file)) return [];
  const findings: Finding[] = [];
  for (const unit of hintedUnits(context.ts, context.file)) analyzeUnit(context, unit, findings);
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
  const fields = ownedFieldsOf(ts, root.getSourceFile());
  // A field named like a hint (`waker`) is found by the hints' own pattern, made once.
  const unhinted = [...fields].filter((field) => !HINTS.has(field));
  const mentions = ts.isSourceFile(root) ? findMentions(root.text, unhinted.length === 0 ? HINT_WORDS : wordsPattern([...HINTS, ...unhinted])) : undefined;
  return scanUnits(ts, root, HINTS, mentions, fields).filter((unit) => unit.hinted);
}

const OWNED_TYPES = ['Waker', 'Box', 'Arc', 'RawWaker'];
const OWNED_TYPE_WORD = new RegExp(`\\b(?:${OWNED_TYPES.join('|')})\\b`);
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
 * look at each top-level declaration's members, no checker).
 */
function ownedFieldsOf(ts: TypeScript, file: ts.SourceFile): ReadonlySet<string> {
  let fields = ownedFieldsByFile.get(file);
  if (fields) return fields;
  const names = new Set<string>();
  const text = file.text;
  // Aliases and records first (in order, so one may name an earlier one).
  const owned = [...OWNED_TYPES];
  let ownedType = OWNED_TYPE_WORD;
  const namesOwned = (type: ts.Node): boolean => ownedType.test(text.slice(type.pos, type.end));
  const record = (statement: ts.Statement): ts.NodeArray<ts.TypeElement> | undefined =>
    ts.isInterfaceDeclaration(statement) ? statement.members : ts.isTypeAliasDeclaration(statement) && ts.isTypeLiteralNode(statement.type) ? statement.type.members : undefined;
  for (const statement of file.statements) {
    const members = record(statement);
    const isOwned = members ? members.some((member) => ts.isPropertySignature(member) && member.type !== undefined && namesOwned(member.type)) : ts.isTypeAliasDeclaration(statement) && namesOwned(statement.type);
    if (!isOwned) continue;
    owned.push((statement as ts.InterfaceDeclaration | ts.TypeAliasDeclaration).name.text);
    ownedType = new RegExp(`\\b(?:${owned.join('|')})\\b`);
  }
  const addMembers = (members: ts.NodeArray<ts.ClassElement | ts.TypeElement>): void => {
    for (const member of members) {
      if (!ts.isPropertyDeclaration(member) && !ts.isPropertySignature(member)) continue;
      const type = member.type;
      // Unannotated, the type is in the initializer's type arguments (`waiters = new Map<number, Waker>()`).
      const initializer = ts.isPropertyDeclaration(member) && member.initializer && ts.isNewExpression(member.initializer) ? member.initializer.typeArguments : undefined;
      const named = type ? namesOwned(type) : initializer !== undefined && initializer.some(namesOwned);
      if (named && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))) names.add(member.name.text.replace(/^#/, ''));
      if (type && ts.isTypeLiteralNode(type)) addMembers(type.members);
    }
  };
  for (const statement of file.statements) {
    if (ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement)) addMembers(statement.members);
    else if (ts.isTypeAliasDeclaration(statement) && ts.isTypeLiteralNode(statement.type)) addMembers(statement.type.members);
    else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (declaration.type && ts.isTypeLiteralNode(declaration.type)) addMembers(declaration.type.members);
    }
  }
  fields = names;
  ownedFieldsByFile.set(file, fields);
  return fields;
}

/** What one unit's analysis read beyond its own body (for incremental re-analysis). */
export interface UnitReads {
  /** Whether it looked inside the unit's nested functions and classes (it does when it tracks a binding they might capture). */
  readonly nested: boolean;
  /** The function bodies behind the helper summaries it used (`undefined`: it failed, assume it read anything). */
  readonly summaries: ReadonlySet<ts.Node> | undefined;
}

/**
 * Analyse one function body (or a file's top level) and append its findings:
 * the dataflow engine with one checker per rule (use-after-* share one), and
 * the program's helper summaries.
 */
function analyzeFunction(context: FileContext, unit: FlowUnit, findings: Finding[]): UnitReads {
  const engine = new FlowEngine(context, unit, summariesFor(context));
  engine.use(new LostWakeupChecker(engine));
  engine.use(new UseAfterChecker(engine));
  engine.use(new LeakChecker(engine));
  engine.use(new FieldChecker(engine));
  engine.run(findings);
  return { nested: engine.discovery.readNested, summaries: engine.reads };
}

/** Analyse one unit, appending its findings; returns what it read (see analyzeFunction). */
export function analyzeUnit(context: FileContext, unit: FlowUnit, findings: Finding[]): UnitReads {
  try {
    return analyzeFunction(context, unit, findings);
  } catch (error) {
    // Never take the editor down over one odd function: skip it (tests set WAKERSCOPE_STRICT to see the error).
    if (typeof process !== 'undefined' && process.env?.WAKERSCOPE_STRICT) throw error;
    return { nested: true, summaries: undefined };
  }
}

/** The flow pass's order: by position, then rule (stable, so a unit's own order stays). */
export function sortFlowFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule));
}
