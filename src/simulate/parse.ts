// The `.wakersim` scenario language and the one-line sequence notation
// (`new; clone 0; wake 0; drop 1`). Pure: no file system, so the extension can
// turn the errors into diagnostics as the user types.

import {
  EXPECTABLE_OUTCOMES,
  formatLocation,
  OPERATIONS,
  type ExpectableOutcome,
  type Operation,
  type ParseError,
  type Scenario,
  type ScenarioOp,
} from './types';

interface Token {
  readonly text: string;
  /** 1-based. */
  readonly column: number;
  readonly quoted: boolean;
}

const ALIASES: Readonly<Record<string, Operation>> = { wakeByRef: 'wake_by_ref' };
const KEYWORDS = [...OPERATIONS, 'expect'];
const USE_SHAPE = 'expected `use "./module.ts" create factoryName`';

/** Split a line into words and "strings", dropping a `#` comment; `null` for an unterminated string. */
function tokenize(line: string): { tokens: Token[]; unterminatedAt?: number } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const char = line[i];
    if (char === '#') break;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) return { tokens, unterminatedAt: i + 1 };
      tokens.push({ text: line.slice(i + 1, end), column: i + 1, quoted: true });
      i = end + 1;
    } else {
      const start = i;
      while (i < line.length && !/[\s#"]/.test(line[i])) i++;
      tokens.push({ text: line.slice(start, i), column: start + 1, quoted: false });
    }
  }
  return { tokens };
}

function endOf(token: Token): number {
  return token.column + token.text.length + (token.quoted ? 2 : 0);
}

/**
 * Messages quote what the user wrote, and a quoted string may hold control
 * characters or line separators: escape them, so every error prints as one line.
 */
function printable(error: ParseError): ParseError {
  // eslint-disable-next-line no-control-regex
  const message = error.message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return message === error.message ? error : { ...error, message };
}

function errorAt(line: number, token: Token, message: string): ParseError {
  return { line, column: token.column, endColumn: endOf(token), message };
}

/** Reads operations line by line, tracking which handles exist. */
class OpReader {
  readonly ops: ScenarioOp[] = [];
  private handles = 0;

  /** Parse one operation; returns an error, or undefined when it was taken. */
  read(tokens: readonly Token[], line: number | undefined, errorLine: number): ParseError | undefined {
    const [head, arg, extra] = tokens;
    const operation = (OPERATIONS as readonly string[]).includes(head.text) ? (head.text as Operation) : ALIASES[head.text];
    if (!operation || head.quoted) {
      return errorAt(errorLine, head, `unknown operation '${head.text}' (expected ${KEYWORDS.join(', ')})`);
    }
    if (operation === 'new') {
      if (arg) return errorAt(errorLine, arg, `unexpected '${arg.text}': \`new\` takes no handle`);
      this.ops.push({ operation, ...(line !== undefined ? { line } : {}) });
      this.handles++;
      return undefined;
    }
    if (!arg) {
      return { line: errorLine, column: head.column, endColumn: endOf(head), message: `\`${head.text}\` needs a handle number (e.g. \`${head.text} 0\`)` };
    }
    if (arg.quoted || !/^\d+$/.test(arg.text)) return errorAt(errorLine, arg, `'${arg.text}' is not a handle number`);
    const handle = Number(arg.text);
    if (handle >= this.handles) {
      const exist =
        this.handles === 0 ? 'no handles exist yet: start with `new`' : this.handles === 1 ? 'only handle 0 exists here' : `handles 0–${this.handles - 1} exist here`;
      return errorAt(errorLine, arg, `handle ${handle} does not exist yet (${exist})`);
    }
    if (extra) return errorAt(errorLine, extra, `unexpected '${extra.text}' after \`${head.text} ${arg.text}\``);
    this.ops.push({ operation, handle, ...(line !== undefined ? { line } : {}) });
    if (operation === 'clone') this.handles++;
    return undefined;
  }
}

function readExpect(tokens: readonly Token[], lineNumber: number): { outcome?: ExpectableOutcome; error?: ParseError } {
  const [head, arg, extra] = tokens;
  const expected = `expected ${EXPECTABLE_OUTCOMES.join(', ')}`;
  if (!arg) return { error: errorAt(lineNumber, head, `\`expect\` needs an outcome (${expected})`) };
  if (!(EXPECTABLE_OUTCOMES as readonly string[]).includes(arg.text)) {
    return { error: errorAt(lineNumber, arg, `unknown outcome '${arg.text}' (${expected})`) };
  }
  if (extra) return { error: errorAt(lineNumber, extra, `unexpected '${extra.text}' after \`expect ${arg.text}\``) };
  return { outcome: arg.text as ExpectableOutcome };
}

export interface ParseResult {
  /** Present when the file has a usable `use` line; check `errors` before running it. */
  readonly scenario?: Scenario;
  readonly errors: readonly ParseError[];
}

/** Parse a `.wakersim` file. Every malformed line is reported, not just the first. */
export function parseScenario(text: string, fileName: string): ParseResult {
  const errors: ParseError[] = [];
  const reader = new OpReader();
  let use: { module: string; moduleLocation: { line: number; column: number }; factory: string } | undefined;
  let expect: ExpectableOutcome | undefined;
  let expectSeen = false;
  // Every line break an editor counts, so error positions match what the user sees.
  const lines = text.split(/\r\n|\r|\n/);

  lines.forEach((lineText, index) => {
    const lineNumber = index + 1;
    const { tokens, unterminatedAt } = tokenize(lineText);
    if (unterminatedAt !== undefined) {
      errors.push({ line: lineNumber, column: unterminatedAt, endColumn: lineText.length + 1, message: 'unterminated string: add the closing `"`' });
      return;
    }
    if (tokens.length === 0) return;
    const head = tokens[0];

    if (head.text === 'use' && !head.quoted) {
      if (use) return errors.push(errorAt(lineNumber, head, 'a scenario has one `use` line; this is a second one'));
      const [, module, create, factory, extra] = tokens;
      if (!module || !module.quoted) return errors.push(errorAt(lineNumber, module ?? head, `the module path must be a quoted string (${USE_SHAPE})`));
      if (module.text.trim() === '') return errors.push(errorAt(lineNumber, module, 'the module path is empty'));
      if (!create || create.text !== 'create' || create.quoted) return errors.push(errorAt(lineNumber, create ?? module, USE_SHAPE));
      if (!factory || factory.quoted || !/^[A-Za-z_$][\w$]*$/.test(factory.text)) {
        return errors.push(errorAt(lineNumber, factory ?? create, `the factory must be an exported function name (${USE_SHAPE})`));
      }
      if (extra) return errors.push(errorAt(lineNumber, extra, `unexpected '${extra.text}' after the factory name`));
      if (reader.ops.length > 0) return errors.push(errorAt(lineNumber, head, '`use` must come before the first operation'));
      use = { module: module.text, moduleLocation: { line: lineNumber, column: module.column }, factory: factory.text };
      return;
    }
    if (head.text === 'expect' && !head.quoted) {
      if (expectSeen) return errors.push(errorAt(lineNumber, head, 'a scenario has one `expect` line; this is a second one'));
      expectSeen = true;
      const result = readExpect(tokens, lineNumber);
      if (result.error) return errors.push(result.error);
      expect = result.outcome;
      return;
    }
    const error = reader.read(tokens, lineNumber, lineNumber);
    if (error) errors.push(error);
  });

  if (!use) {
    errors.unshift({ line: 1, column: 1, endColumn: (lines[0]?.length ?? 0) + 1, message: `missing \`use\` line (${USE_SHAPE})` });
    return { errors: errors.map(printable) };
  }
  if (reader.ops.length === 0 && errors.length === 0) {
    errors.push({ line: lines.length, column: 1, endColumn: 1, message: 'the scenario has no operations: add `new` to create handle 0' });
  }
  const scenario: Scenario = { fileName, module: use.module, moduleLocation: use.moduleLocation, factory: use.factory, ops: reader.ops, ...(expect ? { expect } : {}) };
  return { scenario, errors: errors.map(printable) };
}

/** Parse the one-line notation `new; clone 0; wake 0` (semicolons or newlines between steps). */
export function parseSequence(text: string): { ops: ScenarioOp[]; errors: ParseError[] } {
  const reader = new OpReader();
  const errors: ParseError[] = [];
  let offset = 0;
  for (const part of text.split(/[;\n]/)) {
    const { tokens } = tokenize(part);
    if (tokens.length > 0) {
      const shifted = tokens.map((t) => ({ ...t, column: t.column + offset }));
      const error = reader.read(shifted, undefined, 1);
      if (error) errors.push(error);
    }
    offset += part.length + 1;
  }
  if (reader.ops.length === 0 && errors.length === 0) errors.push({ line: 1, column: 1, endColumn: 1, message: 'empty sequence: start with `new`' });
  return { ops: reader.ops, errors: errors.map(printable) };
}

export function formatOp(op: ScenarioOp): string {
  return op.handle === undefined ? op.operation : `${op.operation} ${op.handle}`;
}

/** `new; clone 0; wake 0; drop 1` */
export function formatSequence(ops: readonly ScenarioOp[]): string {
  return ops.map(formatOp).join('; ');
}

/** `file:line:col: message`, the CLI's one-line form. */
export function formatParseError(fileName: string, error: ParseError): string {
  return `${formatLocation({ file: fileName, line: error.line, column: error.column })}: ${error.message}`;
}
