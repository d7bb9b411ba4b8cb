// Finds, in the text of a TypeScript file, what the simulation commands offer:
// exported vtable factories (functions callable with no arguments that return a
// `RawWaker` or a `Waker`) and each `new RawWakerVTable(...)`, for the code lens.
// Pure and text-based: the extension host has no `typescript` module of its own
// (the bundle leaves it out), and a scan of the current text is instant.

/** 0-based position, as VS Code's `Position`. */
export interface TextPosition {
  readonly line: number;
  readonly character: number;
}

export interface Factory {
  readonly name: string;
  /** The declared return type, when it is `RawWaker` or `Waker`. */
  readonly returns?: 'RawWaker' | 'Waker';
  /** Where the name is. */
  readonly position: TextPosition;
  /** Offsets of the function's text (declaration to end of body), to see which vtable it uses. */
  readonly start: number;
  readonly end: number;
}

export interface VtableSite {
  /** Where `new RawWakerVTable` starts. */
  readonly position: TextPosition;
  readonly offset: number;
  /** The variable it is assigned to (`const VTABLE = new RawWakerVTable(...)`), if any. */
  readonly variable?: string;
}

/** The text with comments and string/template contents blanked (same length, newlines kept). */
export function codeOnly(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n' && out[i] !== '\r') out[i] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    const next = text[i + 1];
    if (char === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (char === '"' || char === "'" || char === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== char) {
        if (text[j] === '\\') j++;
        else if (char !== '`' && text[j] === '\n') break; // unterminated: stop at the line end
        j++;
      }
      blank(i + 1, Math.min(j, text.length));
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

let lastScan: { readonly text: string; readonly code: string } | undefined;

/** `codeOnly`, kept for the last text: one code-lens pass asks for it 2 + (one per vtable) times. */
function codeOf(text: string): string {
  if (lastScan?.text !== text) lastScan = { text, code: codeOnly(text) };
  return lastScan.code;
}

function positionAt(text: string, offset: number): TextPosition {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

const OPENERS: Record<string, string> = { '(': ')', '{': '}', '[': ']', '<': '>' };

/** Offset just past the bracket closing the one at `open` (in code-only text), or -1. */
function closeOf(code: string, open: number): number {
  const opener = code[open];
  const closer = OPENERS[opener];
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const char = code[i];
    // `=>` inside generics is not a closing angle bracket.
    if (char === opener) depth++;
    else if (char === closer && !(closer === '>' && code[i - 1] === '=')) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function skipSpace(code: string, at: number): number {
  while (at < code.length && /\s/.test(code[at])) at++;
  return at;
}

/** Whether a parameter list (without its parentheses) needs arguments. */
function hasRequiredParameter(parameters: string): boolean {
  const list: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < parameters.length; i++) {
    const char = parameters[i];
    if ('([{<'.includes(char)) depth++;
    else if (')]}'.includes(char) || (char === '>' && parameters[i - 1] !== '=')) depth--;
    else if (char === ',' && depth === 0) {
      list.push(parameters.slice(start, i));
      start = i + 1;
    }
  }
  list.push(parameters.slice(start));
  return list
    .map((p) => p.trim())
    .filter(Boolean)
    .some((p) => !p.startsWith('...') && !/^[\w$]+\s*\?/.test(p) && !/=(?!>)/.test(p.replace(/=>/g, '')));
}

/** Reads `(params): Type` at `at`, then the body; returns what a factory needs, or undefined. */
function readSignature(code: string, at: number): { required: boolean; returns?: Factory['returns']; end: number } | undefined {
  let cursor = skipSpace(code, at);
  if (code[cursor] === '<') {
    const end = closeOf(code, cursor);
    if (end < 0) return undefined;
    cursor = skipSpace(code, end);
  }
  if (code[cursor] !== '(') return undefined;
  const paramsEnd = closeOf(code, cursor);
  if (paramsEnd < 0) return undefined;
  const required = hasRequiredParameter(code.slice(cursor + 1, paramsEnd - 1));
  cursor = skipSpace(code, paramsEnd);
  let returns: Factory['returns'];
  if (code[cursor] === ':') {
    const match = /^:\s*(RawWaker|Waker)\b(?!\s*[<.[|&])/.exec(code.slice(cursor, cursor + 200));
    if (match) returns = match[1] as Factory['returns'];
  }
  // The body: the first `{` after the signature, or an arrow's expression up to `;` or a blank line.
  const bodyStart = code.slice(cursor).search(/[{;]|=>/);
  if (bodyStart < 0) return { required, returns, end: code.length };
  let bodyAt = cursor + bodyStart;
  if (code.startsWith('=>', bodyAt)) bodyAt = skipSpace(code, bodyAt + 2);
  if (code[bodyAt] === '{') {
    const end = closeOf(code, bodyAt);
    return { required, returns, end: end < 0 ? code.length : end };
  }
  const semicolon = code.indexOf(';', bodyAt);
  return { required, returns, end: semicolon < 0 ? code.length : semicolon + 1 };
}

const EXPORTED_FUNCTION = /\bexport\s+function\s*\*?\s*([A-Za-z_$][\w$]*)/g;
const EXPORTED_CONST = /\bexport\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:function\b\s*\*?\s*(?:[A-Za-z_$][\w$]*)?|(?:async\s+)?)/g;
const LOCAL_FUNCTION = /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/g;
const EXPORT_LIST = /\bexport\s*\{([^}]*)\}(?!\s*from\b)/g;

/**
 * Exported functions that can be called with no arguments. Those declared to
 * return `RawWaker` or `Waker` come first; if there are none, every such
 * function is offered (the simulator reports a wrong return value clearly).
 */
export function findFactories(text: string): Factory[] {
  const code = codeOf(text);
  const found = new Map<string, Factory>();
  const add = (name: string, nameOffset: number, declarationStart: number, signatureAt: number) => {
    const signature = readSignature(code, signatureAt);
    if (!signature || signature.required || found.has(name)) return;
    found.set(name, {
      name,
      ...(signature.returns ? { returns: signature.returns } : {}),
      position: positionAt(text, nameOffset),
      start: declarationStart,
      end: signature.end,
    });
  };
  for (const match of code.matchAll(EXPORTED_FUNCTION)) {
    add(match[1], match.index + match[0].length - match[1].length, match.index, match.index + match[0].length);
  }
  for (const match of code.matchAll(EXPORTED_CONST)) {
    const nameOffset = code.indexOf(match[1], match.index + 6);
    add(match[1], nameOffset, match.index, match.index + match[0].length);
  }
  // `function f() {}` … `export { f }` (renames are skipped: the simulator needs the exported name).
  const exportedLater = new Set<string>();
  for (const match of code.matchAll(EXPORT_LIST)) {
    for (const item of match[1].split(',')) {
      const parts = item.trim().split(/\s+as\s+/);
      if (parts.length === 1 && /^[A-Za-z_$][\w$]*$/.test(parts[0])) exportedLater.add(parts[0]);
    }
  }
  for (const match of code.matchAll(LOCAL_FUNCTION)) {
    if (exportedLater.has(match[1])) add(match[1], match.index + match[0].length - match[1].length, match.index, match.index + match[0].length);
  }
  const factories = [...found.values()].sort((a, b) => a.start - b.start);
  const typed = factories.filter((f) => f.returns);
  return typed.length > 0 ? typed : factories;
}

/** Every `new RawWakerVTable(` in the file, with the variable it initialises. */
export function findVtables(text: string): VtableSite[] {
  const code = codeOf(text);
  const sites: VtableSite[] = [];
  for (const match of code.matchAll(/\bnew\s+RawWakerVTable\s*[(<]/g)) {
    const before = code.slice(Math.max(0, match.index - 200), match.index);
    const assignment = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=\s*$/.exec(before);
    sites.push({
      position: positionAt(text, match.index),
      offset: match.index,
      ...(assignment ? { variable: assignment[1] } : {}),
    });
  }
  return sites;
}

/** The factories that build wakers with this vtable: those whose text names its variable; else all. */
export function factoriesUsing(text: string, factories: readonly Factory[], vtable: VtableSite): Factory[] {
  if (!vtable.variable) return [...factories];
  const code = codeOf(text);
  const mention = new RegExp(`(?<![\\w$.])${vtable.variable.replace(/\$/g, '\\$')}(?![\\w$])`);
  const using = factories.filter((f) => mention.test(code.slice(f.start, f.end)));
  return using.length > 0 ? using : [...factories];
}
