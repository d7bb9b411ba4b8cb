// Quick fixes for the vtable rules. Each is offered only where its edits make
// the finding go away on every path and leave the file type-checking (a test
// applies each one, re-checks and re-analyses): the slot's own code is edited,
// never a helper another slot shares, and a name is imported only when it does
// not already mean something else where it is used. Their texts are shared
// (`sharedText`): a fix outlives the analysis of its file.

import type * as ts from 'typescript';
import type { FileContext } from '../context';
import type { Fix, TextEdit } from '../types';
import type { Allocation, SlotSummary } from './summary';
import { packedFlatMap, packedMap } from '../arrays';
import { sharedText } from '../texts';

/** `vtable-clone-no-retain` on an Arc: take the count the clone's waker will own. */
export function takeCountFix(context: FileContext, clone: SlotSummary): Fix | undefined {
  const ts = context.ts;
  const fn = clone.declaration;
  const data = fn && dataParameter(context, fn);
  if (!fn || !data || !fn.body || !ts.isBlock(fn.body) || fn.body.statements.length === 0) return undefined;
  const first = fn.body.statements[0]!;
  const file = first.getSourceFile();
  const arc = importedName(context, fn, first, 'Arc');
  if (!arc) return undefined;
  const indent = indentationOf(file, first);
  return {
    title: sharedText(`Take a count in \`${clone.name}\`: \`Arc.incrementStrongCount(${data})\``),
    edits: [...arc.edits, insertAt(file, first.getStart(file), `${arc.name}.incrementStrongCount(${data});\n${indent}`)],
    safe: true,
  };
}

/**
 * `vtable-clone-no-retain` on a Box, which has one owner: return a box of the
 * clone's own, holding a copy of the value. Not safe unattended: the clone no
 * longer shares the task's state, which a human decides.
 */
export function freshBoxFix(context: FileContext, clone: SlotSummary, valueType: string): Fix | undefined {
  const ts = context.ts;
  const fn = clone.declaration;
  const data = fn && dataParameter(context, fn);
  if (!fn || !data || !fn.body || !ts.isBlock(fn.body)) return undefined;
  // One `return new RawWaker(data, …)`, directly in the body: the only way out.
  const returns = returnStatements(ts, fn.body);
  const last = returns.length === 1 ? returns[0] : undefined;
  if (!last || last !== fn.body.statements[fn.body.statements.length - 1]) return undefined;
  const created = last.expression && ts.isNewExpression(last.expression) ? last.expression : undefined;
  const argument = created?.arguments?.[0];
  if (!created || context.library.calleeOf(created) !== 'RawWaker' || !argument || !ts.isIdentifier(argument) || argument.text !== data) return undefined;
  const file = last.getSourceFile();
  const box = importedName(context, fn, last, 'Box');
  const forget = importedName(context, fn, last, 'forget');
  const original = freshName(context, last, 'original');
  const copy = freshName(context, last, 'copy');
  if (!box || !forget || !original || !copy || original === copy) return undefined;
  const indent = indentationOf(file, last);
  const before =
    `const ${original} = ${box.name}.fromRaw<${valueType}>(${data});\n${indent}` +
    `const ${copy} = ${box.name}.new(${original}.value);\n${indent}` +
    `${forget.name}(${original});\n${indent}`;
  return {
    title: sharedText(`Give \`${clone.name}\`'s waker a box of its own, holding a copy of the value`),
    edits: mergeImports([box, forget], [insertAt(file, last.getStart(file), before), { file: file.fileName, start: argument.getStart(file), end: argument.getEnd(), newText: sharedText(`${box.name}.intoRaw(${copy})`) }]),
    safe: false,
  };
}

/** `vtable-wake-by-ref-releases`: end with `forget` where the slot drops the handle it borrowed. */
export function forgetInsteadOfDropFix(context: FileContext, wakeByRef: SlotSummary, drops: readonly ts.CallExpression[]): Fix | undefined {
  const ts = context.ts;
  const fn = wakeByRef.declaration;
  if (!fn || drops.length === 0) return undefined;
  const file = fn.getSourceFile();
  // Only the slot's own drops: a helper it shares with `wake` must keep releasing there.
  if (drops.some((call) => call.getSourceFile() !== file || call.pos < fn.pos || call.end > fn.end)) return undefined;
  const forget = importedName(context, fn, drops[0]!, 'forget');
  if (!forget) return undefined;
  const edits: TextEdit[] = [];
  for (const call of drops) {
    const callee = call.expression;
    if (ts.isIdentifier(callee) && call.arguments.length === 1) {
      edits.push({ file: file.fileName, start: callee.getStart(file), end: callee.getEnd(), newText: sharedText(forget.name) });
    } else if (ts.isPropertyAccessExpression(callee) && call.arguments.length === 0) {
      edits.push({ file: file.fileName, start: call.getStart(file), end: call.getEnd(), newText: sharedText(`${forget.name}(${callee.expression.getText(file)})`) });
    } else return undefined;
  }
  return { title: sharedText(`Use \`forget\` instead of \`drop\` in \`${wakeByRef.name}\`: it only borrows the waker`), edits: mergeImports([forget], edits), safe: true };
}

/** Which fix `vtable-clone-no-retain` gets, for the allocation the slots use. */
export function cloneFixes(context: FileContext, clone: SlotSummary, allocation: Allocation | undefined, boxValueTypes: ReadonlySet<string>): Fix[] {
  const fix =
    allocation === 'arc' ? takeCountFix(context, clone) : allocation === 'box' && boxValueTypes.size === 1 ? freshBoxFix(context, clone, [...boxValueTypes][0]!) : undefined;
  return fix ? [fix] : [];
}

// ---- plumbing ----

interface ImportedName {
  /** The name to write: the library's export, as this file can spell it. */
  readonly name: string;
  /** Adds it to the file's import of the library, when it is not imported yet. */
  readonly edits: readonly TextEdit[];
}

/**
 * `exported` (`Arc`, `Box`, `forget`) of the library, as code at `at` can
 * name it: under the name the file imports it by (`Box as Heap`), else by its
 * own name when that is free there, added to the file's import of the library.
 * Undefined when the name means something else at `at`.
 */
function importedName(context: FileContext, fn: ts.FunctionLikeDeclaration, at: ts.Node, exported: string): ImportedName | undefined {
  const ts = context.ts;
  const declaration = libraryImportOf(context, fn.getSourceFile());
  const named = declaration?.importClause?.namedBindings;
  const elements = named && ts.isNamedImports(named) ? named.elements : [];
  for (const element of elements) {
    if (element.isTypeOnly || context.library.nameOf(element.name) !== exported) continue;
    // Imported, and not shadowed where the edit goes.
    const seen = context.checker.resolveName(element.name.text, at, ts.SymbolFlags.Value, /*excludeGlobals*/ false);
    if (seen?.declarations?.[0] === element) return { name: element.name.text, edits: [] };
  }
  const inScope = context.checker.resolveName(exported, at, ts.SymbolFlags.Value, /*excludeGlobals*/ false);
  if (inScope) return isLibrarySymbol(context, inScope, exported) ? { name: exported, edits: [] } : undefined;
  const last = elements[elements.length - 1];
  if (!last) return undefined;
  return { name: exported, edits: [{ file: fn.getSourceFile().fileName, start: last.getEnd(), end: last.getEnd(), newText: sharedText(`, ${exported}`) }] };
}

function isLibrarySymbol(context: FileContext, symbol: ts.Symbol, exported: string): boolean {
  const declaration = symbol.declarations?.[0];
  return declaration !== undefined && context.ts.isImportSpecifier(declaration) && context.library.nameOf(declaration.name) === exported;
}

/** The import declaration (with named imports) that brings library names into `file`. */
function libraryImportOf(context: FileContext, file: ts.SourceFile): ts.ImportDeclaration | undefined {
  const ts = context.ts;
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
    const named = statement.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named)) continue;
    const fromLibrary = named.elements.some((element) => !element.isTypeOnly && context.library.nameOf(element.name) !== undefined);
    if (fromLibrary) return statement;
  }
  return undefined;
}

/** Two names added at one import become one edit (tsserver and ESLint reject overlapping edits). */
function mergeImports(names: readonly ImportedName[], edits: readonly TextEdit[]): TextEdit[] {
  const imports = packedFlatMap(names, (n) => n.edits);
  if (imports.length <= 1) return [...imports, ...edits];
  const [first] = imports;
  const same = imports.every((e) => e.file === first!.file && e.start === first!.start);
  if (!same) return [...imports, ...edits];
  return [{ ...first!, newText: sharedText(packedMap(imports, (e) => e.newText).join('')) }, ...edits];
}

function dataParameter(context: FileContext, fn: ts.FunctionLikeDeclaration): string | undefined {
  const parameter = fn.parameters[0];
  return parameter && context.ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;
}

function returnStatements(ts: FileContext['ts'], body: ts.Block): ts.ReturnStatement[] {
  const found: ts.ReturnStatement[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node)) found.push(node);
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** `preferred`, or `preferred2`, … : a name nothing at `at` already means. */
function freshName(context: FileContext, at: ts.Node, preferred: string): string | undefined {
  for (let n = 1; n < 10; n++) {
    const name = n === 1 ? preferred : `${preferred}${n}`;
    if (!context.checker.resolveName(name, at, context.ts.SymbolFlags.All, /*excludeGlobals*/ false) && !declaredIn(context, at, name)) return name;
  }
  return undefined;
}

/** A `const`/`let` declared later in the same block is not in scope at `at` yet, but would clash. */
function declaredIn(context: FileContext, at: ts.Node, name: string): boolean {
  const block = at.parent;
  return block.getText().match(new RegExp(`\\b(?:const|let|var)\\s+${name}\\b`)) !== null;
}

function indentationOf(file: ts.SourceFile, node: ts.Node): string {
  const start = node.getStart(file);
  const lineStart = file.getLineStarts()[file.getLineAndCharacterOfPosition(start).line]!;
  return file.text.slice(lineStart, start).replace(/\S.*$/, '');
}

function insertAt(file: ts.SourceFile, position: number, newText: string): TextEdit {
  return { file: file.fileName, start: position, end: position, newText: sharedText(newText) };
}
