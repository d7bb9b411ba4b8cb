// Quick fixes for the flow rules. Every fix is a complete set of edits that
// leaves the file type-checking (a test applies each one and re-checks), and is
// offered only where it is right on every path: a drop is inserted only where
// the waker is certainly still live.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import type { Fix, TextEdit, TypeScript } from '../types';
import type { FlowRoot } from './graph';
import { packedMap } from '../arrays';
import { kindTest } from '../syntax';
import { sharedTexts } from '../texts';

/** The slice of a tracked binding the fixes need. */
interface LeakingBinding {
  readonly name: string;
  readonly declaration: ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement;
  /** Its type admits `undefined` or `null` (`queue.pop()`): the drop must be `w?.drop()`. Asked only for a drop (a checker question). */
  readonly mayBeNullish: () => boolean;
}

interface LeakPoint {
  readonly point: ts.Node;
  readonly onlyLive: boolean;
}

// The fixes' texts, each made once (`sharedTexts`): a fix outlives the analysis of its file.
const dropStatement = sharedTexts((name: string, mayBeNullish: boolean) => `${name}${mayBeNullish ? '?.' : '.'}drop();`);
const onLineOfItsOwn = sharedTexts((indent: string, text: string) => `${indent}  ${text}\n`);
const besideBrace = sharedTexts((text: string) => ` ${text} `);
const onLineBefore = sharedTexts((text: string, indent: string) => `${text}\n${indent}`);
const blockOpening = sharedTexts((text: string) => `{ ${text} `);
const onOneLine = sharedTexts((text: string) => text.replace(/\n\s*/g, ' '));
const keepInField = sharedTexts((cx: string, indent: string) => `this.waker?.drop();\n${indent}this.waker = ${cx}.waker().clone();`);
const wakeAgain = sharedTexts((cx: string) => `${cx}.waker().wakeByRef();`);
const wakeAgainTitle = sharedTexts((cx: string) => `Wake the task again (\`${cx}.waker().wakeByRef()\`)`);

/** `use-after-wake`: keep the waker alive at the wake sites. */
export function useAfterWakeFixes(ts: TypeScript, file: ts.SourceFile, wakeSites: readonly ts.Node[]): Fix[] {
  const SyntaxKind = ts.SyntaxKind; // once: the typescript module's exports are getters
  const isMethodCall = (site: ts.Node): site is ts.CallExpression & { expression: ts.PropertyAccessExpression } =>
    site.kind === SyntaxKind.CallExpression && (site as ts.CallExpression).expression.kind === SyntaxKind.PropertyAccessExpression;
  if (wakeSites.length === 0 || !wakeSites.every(isMethodCall)) return [];
  const byRef: TextEdit[] = packedMap(wakeSites, (call) => ({ file: file.fileName, start: call.expression.name.getStart(file), end: call.expression.name.getEnd(), newText: 'wakeByRef' }));
  // `w?.wake()` becomes `w?.clone()?.wake()`: `w` may still be nullish there.
  const cloneFirst: TextEdit[] = packedMap(wakeSites, (call) => ({ file: file.fileName, start: call.expression.expression.getEnd(), end: call.expression.expression.getEnd(), newText: call.expression.questionDotToken ? '?.clone()' : '.clone()' }));
  return [
    { title: 'Use `wakeByRef()` here', edits: byRef },
    { title: 'Clone before waking', edits: cloneFirst },
  ];
}

/** `clone-without-drop`: declare with `using`, or drop where the waker goes out of scope. */
export function leakFixes(ts: TypeScript, file: ts.SourceFile, binding: LeakingBinding, points: readonly LeakPoint[], everMoved: boolean): Fix[] {
  const fixes: Fix[] = [];
  const usingEdit = usingDeclaration(ts, file, binding, everMoved);
  if (usingEdit) fixes.push({ title: 'Declare with `using`', edits: [usingEdit] });
  const dropEdits = dropAtScopeEnd(ts, file, binding, points);
  // Safe: a drop only where the waker is certainly live and about to leak, so no path changes but the leaking ones.
  if (dropEdits) fixes.push({ title: 'Drop at the end of the scope', edits: dropEdits, safe: true });
  return fixes;
}

function usingDeclaration(ts: TypeScript, file: ts.SourceFile, binding: LeakingBinding, everMoved: boolean): TextEdit | undefined {
  // `using` drops at scope end whatever is still live: wrong if the value may have moved elsewhere.
  if (everMoved) return undefined;
  const declaration = binding.declaration;
  if (!ts.isVariableDeclaration(declaration)) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || list.declarations.length !== 1 || !(list.flags & ts.NodeFlags.Const)) return undefined;
  const statement = list.parent;
  // `using` is not allowed directly in a case clause, nor (in a script) at top level.
  if (!ts.isVariableStatement(statement) || !ts.isBlock(statement.parent)) return undefined;
  const start = list.getStart(file);
  if (file.text.slice(start, start + 5) !== 'const') return undefined;
  return { file: file.fileName, start, end: start + 5, newText: 'using' };
}

function dropAtScopeEnd(ts: TypeScript, file: ts.SourceFile, binding: LeakingBinding, points: readonly LeakPoint[]): TextEdit[] | undefined {
  if (points.length === 0 || points.some((p) => !p.onlyLive)) return undefined;
  const SyntaxKind = ts.SyntaxKind; // once: the typescript module's exports are getters
  const edits: TextEdit[] = [];
  const drop = dropStatement(binding.name, binding.mayBeNullish());
  for (const { point } of points) {
    const kind = point.kind;
    if (kind === SyntaxKind.CloseBraceToken) {
      addEdit(edits, beforeClosingBrace(file, point, drop));
    } else if (kind === SyntaxKind.BreakStatement || kind === SyntaxKind.ContinueStatement) {
      for (const edit of beforeStatement(ts, file, point as ts.BreakOrContinueStatement, drop)) addEdit(edits, edit);
    } else if (kind === SyntaxKind.ReturnStatement || kind === SyntaxKind.ThrowStatement) {
      const statement = point as ts.ReturnStatement | ts.ThrowStatement;
      if (statement.expression && mentions(ts, statement.expression, binding.name)) return undefined;
      for (const edit of beforeStatement(ts, file, statement, drop)) addEdit(edits, edit);
    } else {
      return undefined;
    }
  }
  return edits;
}

/** Adds `edit` unless one with its range is there; a later one with the same range replaces it in place (what a map by range keeps). */
function addEdit(edits: TextEdit[], edit: TextEdit): void {
  const same = edits.findIndex((e) => e.start === edit.start && e.end === edit.end);
  if (same < 0) edits.push(edit);
  else edits[same] = edit;
}

function beforeClosingBrace(file: ts.SourceFile, brace: ts.Node, text: string): TextEdit {
  const start = brace.getStart(file);
  const lineStart = file.text.lastIndexOf('\n', start - 1) + 1;
  const before = file.text.slice(lineStart, start);
  if (/^\s*$/.test(before)) {
    return { file: file.fileName, start: lineStart, end: lineStart, newText: onLineOfItsOwn(before, text) };
  }
  return { file: file.fileName, start, end: start, newText: besideBrace(text) };
}

function beforeStatement(ts: TypeScript, file: ts.SourceFile, statement: ts.Statement, text: string): TextEdit[] {
  const start = statement.getStart(file);
  const parent = statement.parent;
  if (holdsStatements(ts, parent)) {
    return [{ file: file.fileName, start, end: start, newText: onLineBefore(text, indentAt(file, start)) }];
  }
  // `if (x) return;`: the statement needs a block to hold two.
  return [
    { file: file.fileName, start, end: start, newText: blockOpening(text) },
    { file: file.fileName, start: statement.getEnd(), end: statement.getEnd(), newText: ' }' },
  ];
}

/** A block, a `case` or `default` clause, a file: where one more statement needs no braces. */
const holdsStatements = kindTest((k) => [k.Block, k.CaseClause, k.DefaultClause, k.SourceFile]);

function mentions(ts: TypeScript, node: ts.Node, name: string): boolean {
  if (ts.isIdentifier(node) && node.text === name) return true;
  return !!ts.forEachChild(node, (child) => mentions(ts, child, name) || undefined);
}

/** The spaces and tabs that start the line of `position`, up to it: read in place, not matched on a copy of the line (speed). */
function indentAt(file: ts.SourceFile, position: number): string {
  const text = file.text;
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  let end = lineStart;
  for (let code = text.charCodeAt(end); end < position && (code === 0x20 || code === 0x09); code = text.charCodeAt(++end));
  return text.slice(lineStart, end);
}

/**
 * `lost-wakeup`: before `return Poll.pending()`, keep a clone of the context's
 * waker. In a class with a writable `waker` field typed `Waker` (or
 * `Waker | undefined`), store it there, dropping the one it replaces. Otherwise
 * ask to be polled again right away (`cx.waker().wakeByRef()`): a busy poll,
 * but never a hang.
 */
export function lostWakeupFixes(context: FileContext, root: FlowRoot, returned: ts.Node, cx: string): Fix[] {
  const ts = context.ts;
  const SyntaxKind = ts.SyntaxKind; // once: the typescript module's exports are getters
  if (returned.kind !== SyntaxKind.ReturnStatement) return [];
  const file = context.file;
  const owner = root.parent;
  const field = root.kind === SyntaxKind.MethodDeclaration && (owner.kind === SyntaxKind.ClassDeclaration || owner.kind === SyntaxKind.ClassExpression) ? wakerField(context, owner as ts.ClassLikeDeclaration) : false;
  if (field) {
    const indent = indentAt(file, returned.getStart(file));
    const text = keepInField(cx, indent);
    return [{ title: "Keep a clone of the context's waker", edits: inBlock(ts, file, returned as ts.ReturnStatement, text) }];
  }
  return [{ title: wakeAgainTitle(cx), edits: beforeStatement(ts, file, returned as ts.ReturnStatement, wakeAgain(cx)) }];
}

function inBlock(ts: TypeScript, file: ts.SourceFile, statement: ts.Statement, text: string): TextEdit[] {
  const parent = statement.parent;
  if (ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) return beforeStatement(ts, file, statement, text);
  return beforeStatement(ts, file, statement, onOneLine(text));
}

function wakerField(context: FileContext, owner: ts.ClassLikeDeclaration): boolean {
  const ts = context.ts;
  for (const member of owner.members) {
    if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name) || member.name.text !== 'waker') continue;
    const modifiers = ts.getModifiers(member) ?? [];
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword || m.kind === ts.SyntaxKind.StaticKeyword)) return false;
    return context.library.isType(context.checker.getTypeAtLocation(member), 'Waker');
  }
  return false;
}
