// Hover text for editors: what a vtable slot function must do and whether it
// does it, and what a waker method does to ownership. Pure: it reads the
// program through the checker and the vtable summaries, and returns Markdown.

import type * as ts from 'typescript';
import { createFileContext, type FileContext } from './context';
import { RULES } from './rules/index';
import { skipOuterExpressions } from './syntax';
import type { TypeScript } from './types';
import { SLOT_NAMES, vtableAt, type SlotName, type SlotReport, type VtableReport } from './vtable/index';

export interface Hover {
  /** Markdown, one paragraph per line group. */
  readonly text: string;
  /** The identifier the text is about. */
  readonly start: number;
  readonly end: number;
}

/** Each slot's contract, in two sentences. */
export const SLOT_CONTRACTS: Readonly<Record<SlotName, string>> = {
  clone:
    'Called when a Waker is cloned. Must return a RawWaker that holds its own reference to the data, so each clone can be released independently.',
  wake: 'Called when a Waker is woken by value, which consumes it. Must schedule the task and then release the reference the Waker held, as `drop` does.',
  wakeByRef:
    'Called when a Waker is woken through a borrow, so the Waker stays alive. Must schedule the task without releasing the reference the Waker still holds.',
  drop: 'Called when a Waker is dropped without being woken. Must release the reference the Waker held, exactly once.',
};

type WakerMethod = 'clone' | 'wake' | 'wakeByRef' | 'drop';

const WAKER_METHODS: Readonly<Record<string, WakerMethod>> = {
  'Waker#clone': 'clone',
  'Waker#wake': 'wake',
  'Waker#wakeByRef': 'wakeByRef',
  'Waker#drop': 'drop',
};

/** The Wakerscope hover at `position`, or undefined when there is nothing to say. */
export function hoverAt(ts: TypeScript, program: ts.Program, file: ts.SourceFile, position: number): Hover | undefined {
  const identifier = identifierAt(ts, file, position);
  if (!identifier) return undefined;
  const context = createFileContext(ts, program, file);
  return wakerMethodHover(context, identifier) ?? slotHover(context, identifier);
}

function identifierAt(ts: TypeScript, file: ts.SourceFile, position: number): ts.Identifier | undefined {
  let node: ts.Node = file;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.getStart(file) <= position && position < c.end ? c : undefined));
    if (!child) break;
    node = child;
  }
  return ts.isIdentifier(node) ? node : undefined;
}

// ---- vtable slot functions ----

function slotHover(context: FileContext, identifier: ts.Identifier): Hover | undefined {
  // `slotNamedBy` only ever matches these identifiers: skip checking the file's vtables for any other.
  if (!mayNameSlot(context.ts, identifier)) return undefined;
  const report = vtableAt(context, identifier);
  if (!report) return undefined;
  const slot = slotNamedBy(context, report, identifier);
  if (!slot) return undefined;
  const summary = report.slots[slot];
  const lines = [
    `**Wakerscope** · \`${slot}\` slot of a \`RawWakerVTable\``,
    SLOT_CONTRACTS[slot],
    summary.references ? `\`${summary.name}\` ${summary.effect}.` : `The effect of \`${summary.name}\` on the reference could not be computed.`,
    verdictLine(summary),
  ];
  return { text: lines.join('\n\n'), start: identifier.getStart(), end: identifier.getEnd() };
}

/** The slot `identifier` stands for: the argument passed to the vtable, or the name of a slot function's declaration. */
function slotNamedBy(context: FileContext, report: VtableReport, identifier: ts.Identifier): SlotName | undefined {
  const ts = context.ts;
  for (const slot of SLOT_NAMES) {
    const { argument, declaration } = report.slots[slot];
    if (argument === identifier) return slot;
    if (declaration && declarationName(ts, declaration) === identifier) return slot;
  }
  return undefined;
}

/** Whether `identifier` could be what `slotNamedBy` looks for: an argument of a `new` expression, or the name `declarationName` gives a function. */
function mayNameSlot(ts: TypeScript, identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (ts.isNewExpression(parent)) return parent.arguments?.includes(identifier) ?? false;
  if (ts.isFunctionLike(parent)) return (parent as { name?: ts.Node }).name === identifier;
  return (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name === identifier;
}

function declarationName(ts: TypeScript, fn: ts.FunctionLikeDeclaration): ts.Node | undefined {
  if (fn.name) return fn.name;
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name;
  return undefined;
}

function verdictLine(summary: SlotReport): string {
  if (summary.verdict === 'ok') return '✓ keeps the contract';
  if (summary.verdict === 'unknown') return '? no verdict: Wakerscope cannot follow this function, so it does not judge it';
  const consequence = RULES[summary.verdict].consequence ?? 'broken contract';
  return `✗ ${consequence}: ${summary.problem ?? 'breaks the contract'} (${summary.verdict})`;
}

// ---- waker methods ----

function wakerMethodHover(context: FileContext, identifier: ts.Identifier): Hover | undefined {
  const ts = context.ts;
  const access = identifier.parent;
  if (!ts.isPropertyAccessExpression(access) || access.name !== identifier) return undefined;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return undefined;
  const method = WAKER_METHODS[context.library.calleeOf(call) ?? ''];
  if (!method) return undefined;
  const receiver = access.expression;
  const lines = [`**Wakerscope** · \`${method}()\``, ownershipLine(method, receiver.getText()), targetLine(context, receiver, method)];
  return { text: lines.join('\n\n'), start: identifier.getStart(), end: identifier.getEnd() };
}

function ownershipLine(method: WakerMethod, receiver: string): string {
  switch (method) {
    case 'wake':
      return `Consumes \`${receiver}\`: it cannot be used afterwards. Its reference goes to the vtable's \`wake\`, which must release it.`;
    case 'drop':
      return `Consumes \`${receiver}\`: it cannot be used afterwards. Its reference goes to the vtable's \`drop\`, which must release it.`;
    case 'wakeByRef':
      return `Borrows \`${receiver}\`: it stays usable, and must still be woken or dropped later.`;
    case 'clone':
      return `Borrows \`${receiver}\` and returns a new owned Waker with its own reference, which must itself be woken or dropped.`;
  }
}

function targetLine(context: FileContext, receiver: ts.Expression, method: WakerMethod): string {
  const vtable = vtableOfWaker(context, receiver, 0);
  if (!vtable) return `Which vtable function it calls is not known here: Wakerscope cannot tell where \`${receiver.getText()}\` was built.`;
  if (vtable === 'library') return `It calls the library's Arc waker vtable (\`Waker.fromArc\`), which keeps the contract.`;
  const argument = vtable.arguments?.[SLOT_NAMES.indexOf(method)];
  if (!argument) return 'The vtable it calls has no function for this slot.';
  const { line } = vtable.getSourceFile().getLineAndCharacterOfPosition(vtable.getStart());
  const where = `${baseName(vtable.getSourceFile().fileName)}:${line + 1}`;
  return `It calls \`${slotFunctionName(context.ts, argument)}\`, the \`${method}\` of the vtable built at ${where}.`;
}

/** How a slot argument reads in prose: its name, or "an inline function". */
function slotFunctionName(ts: TypeScript, argument: ts.Expression): string {
  if (ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument)) return argument.getText();
  if (ts.isFunctionExpression(argument) && argument.name) return argument.name.text;
  return 'an inline function';
}

function baseName(fileName: string): string {
  return fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
}

type VtableOrigin = ts.NewExpression | 'library' | undefined;

/** Deep enough for real code, shallow enough that a cycle of aliases ends quickly. */
const MAX_DEPTH = 8;

/** The `new RawWakerVTable(...)` a Waker expression was built with, following variables, `fromRaw`, factories and clones. */
function vtableOfWaker(context: FileContext, expression: ts.Expression, depth: number): VtableOrigin {
  const ts = context.ts;
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(ts, expression);
  if (ts.isIdentifier(node)) {
    const initializer = constInitializer(context, node);
    return initializer ? vtableOfWaker(context, initializer, depth + 1) : undefined;
  }
  if (!ts.isCallExpression(node)) return undefined;
  const callee = context.library.calleeOf(node);
  if (callee === 'Waker.fromArc') return 'library';
  if (callee === 'Waker.fromRaw') {
    const raw = node.arguments[0];
    return raw ? vtableOfRawWaker(context, raw, depth + 1) : undefined;
  }
  if (callee === 'Waker#clone' && ts.isPropertyAccessExpression(node.expression)) {
    // A clone carries whatever RawWaker the original's `clone` slot returns.
    const original = vtableOfWaker(context, node.expression.expression, depth + 1);
    if (original === undefined || original === 'library') return original;
    const cloneSlot = original.arguments?.[0];
    return cloneSlot ? vtableReturnedBy(context, cloneSlot, depth + 1) : undefined;
  }
  return undefined;
}

/** The vtable of a RawWaker expression: `new RawWaker(data, VTABLE)`, a variable, or a factory call. */
function vtableOfRawWaker(context: FileContext, expression: ts.Expression, depth: number): VtableOrigin {
  const ts = context.ts;
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(ts, expression);
  if (ts.isIdentifier(node)) {
    const initializer = constInitializer(context, node);
    return initializer ? vtableOfRawWaker(context, initializer, depth + 1) : undefined;
  }
  if (ts.isNewExpression(node) && context.library.calleeOf(node) === 'RawWaker') {
    const vtable = node.arguments?.[1];
    return vtable ? vtableExpression(context, vtable, depth + 1) : undefined;
  }
  if (ts.isCallExpression(node)) return vtableReturnedBy(context, node.expression, depth + 1);
  return undefined;
}

/** The vtable of the RawWaker every `return` of the function `callee` refers to, when they all agree. */
function vtableReturnedBy(context: FileContext, callee: ts.Expression, depth: number): VtableOrigin {
  const ts = context.ts;
  const fn = functionDeclarationOf(context, callee);
  if (!fn?.body) return undefined;
  const returned: ts.Expression[] = [];
  if (!ts.isBlock(fn.body)) returned.push(fn.body);
  else {
    const visit = (node: ts.Node): void => {
      if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
      if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
    };
    ts.forEachChild(fn.body, visit);
  }
  const origins = new Set(returned.map((e) => vtableOfRawWaker(context, e, depth + 1)));
  if (origins.size !== 1) return undefined;
  return [...origins][0];
}

function vtableExpression(context: FileContext, expression: ts.Expression, depth: number): VtableOrigin {
  const ts = context.ts;
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(ts, expression);
  if (ts.isNewExpression(node) && context.library.calleeOf(node) === 'RawWakerVTable') return node;
  if (ts.isIdentifier(node)) {
    const initializer = constInitializer(context, node);
    return initializer ? vtableExpression(context, initializer, depth + 1) : undefined;
  }
  return undefined;
}

function functionDeclarationOf(context: FileContext, callee: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const ts = context.ts;
  const node = skipOuterExpressions(ts, callee);
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return node;
  const declaration = declarationOf(context, node);
  if (!declaration) return undefined;
  if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) return declaration;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const initializer = skipOuterExpressions(ts, declaration.initializer);
    if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) return initializer;
  }
  return undefined;
}

/** The initializer of a `const` or `using` the identifier refers to (a `let` may have been reassigned, so it is not followed). */
function constInitializer(context: FileContext, identifier: ts.Expression): ts.Expression | undefined {
  const ts = context.ts;
  const declaration = declarationOf(context, identifier);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list)) return undefined;
  const binding = list.flags & ts.NodeFlags.BlockScoped;
  if (binding === 0 || binding === ts.NodeFlags.Let) return undefined;
  return declaration.initializer;
}

function declarationOf(context: FileContext, node: ts.Node): ts.Declaration | undefined {
  const ts = context.ts;
  const nameNode = ts.isPropertyAccessExpression(node) ? node.name : node;
  let symbol = context.checker.getSymbolAtLocation(nameNode);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = context.checker.getAliasedSymbol(symbol);
  return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
}

