// `--fix` / `--fix-dry-run`: apply the analyzer's safe fixes without ever
// corrupting a file. Edits are spliced into the text, so nothing outside their
// ranges changes; a fix that would leave a syntax error is not applied and is
// reported; files are written atomically (a temporary file, then a rename).

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, Fix, TextEdit } from '../analysis/index';

/** The fix `--fix` applies for a finding: its first safe one whose edits all lie in the finding's file. */
export function unattendedFix(finding: Finding): Fix | undefined {
  return finding.fixes.find((fix) => fix.safe === true && fix.edits.length > 0 && fix.edits.every((edit) => edit.file === finding.span.file));
}

// Overlapping ranges (an insertion strictly inside a replacement included), or two edits
// starting at one point, whose result would depend on their order.
const conflicts = (a: TextEdit, b: TextEdit) => a.start === b.start || (a.start < b.end && b.start < a.end);

/**
 * Splice `fixes` into `text`, in order, skipping any fix with an edit that
 * conflicts with an edit already taken (the next pass, after re-analysis, gets
 * another chance at it). Text outside the taken edits is kept byte for byte.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): { text: string; applied: Fix[] } {
  const taken: TextEdit[] = [];
  const applied: Fix[] = [];
  for (const fix of fixes) {
    const edits = fix.edits;
    const inRange = edits.every((e) => e.start >= 0 && e.end >= e.start && e.end <= text.length);
    const selfConflict = edits.some((a, i) => edits.some((b, j) => i < j && conflicts(a, b)));
    if (!inRange || selfConflict || edits.some((e) => taken.some((t) => conflicts(e, t)))) continue;
    taken.push(...edits);
    applied.push(fix);
  }
  let result = '';
  let at = 0;
  for (const edit of [...taken].sort((a, b) => a.start - b.start)) {
    result += text.slice(at, edit.start) + edit.newText;
    at = edit.end;
  }
  return { text: result + text.slice(at), applied };
}

/** The first syntax error TypeScript reports in `text`, as `line:col: message`, or undefined. */
export function syntaxError(ts: typeof import('typescript'), fileName: string, text: string): string | undefined {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  // The parser's own diagnostics are what program.getSyntacticDiagnostics returns for a .ts
  // file, without a program: 0.3 ms here against 6 ms for a one-file program (13 for
  // transpileModule). They are not in the public typings, so the program is the fallback.
  const diagnostics = (source as { parseDiagnostics?: readonly import('typescript').Diagnostic[] }).parseDiagnostics ?? oneFileProgram(ts, source).getSyntacticDiagnostics(source);
  const error = diagnostics.find((d) => d.start !== undefined);
  if (!error) return undefined;
  const { line, character } = source.getLineAndCharacterOfPosition(error.start!);
  return `${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`;
}

function oneFileProgram(ts: typeof import('typescript'), source: import('typescript').SourceFile): import('typescript').Program {
  const host: import('typescript').CompilerHost = {
    getSourceFile: (name) => (name === source.fileName ? source : undefined),
    fileExists: (name) => name === source.fileName,
    readFile: () => undefined,
    writeFile: () => {},
    getDefaultLibFileName: () => 'lib.d.ts',
    useCaseSensitiveFileNames: () => true,
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => '/',
    getNewLine: () => '\n',
  };
  return ts.createProgram({ rootNames: [source.fileName], options: { noLib: true, noResolve: true, types: [], allowJs: true }, host });
}

export interface FixedText {
  readonly text: string;
  readonly applied: readonly Fix[];
  /** Fixes not applied because the text would not parse after them, with TypeScript's `line:col: message`. */
  readonly rejected: ReadonlyArray<{ readonly fix: Fix; readonly error: string }>;
}

/**
 * The fixes that keep `text` parsing, spliced in. A fix that would leave a
 * syntax error on its own is rejected; the others are applied together, or,
 * if together they would break the syntax, only the first of them (the next
 * pass, after re-analysis, gets another chance at the rest).
 * Text that already has a syntax error is never touched.
 */
export function fixText(ts: typeof import('typescript'), fileName: string, text: string, fixes: readonly Fix[]): FixedText {
  if (fixes.length === 0 || syntaxError(ts, fileName, text)) return { text, applied: [], rejected: [] };
  const rejected: Array<{ fix: Fix; error: string }> = [];
  const clean = fixes.filter((fix) => {
    const error = syntaxError(ts, fileName, applyFixes(text, [fix]).text);
    if (error) rejected.push({ fix, error });
    return !error;
  });
  const together = applyFixes(text, clean);
  if (together.applied.length <= 1 || !syntaxError(ts, fileName, together.text)) return { ...together, rejected };
  return { ...applyFixes(text, clean.slice(0, 1)), rejected };
}

/**
 * Replace `file`'s content atomically: a temporary file beside it (same
 * permissions), then a rename, so a crash or a full disk leaves the old file
 * or the new one, never half of one. A symbolic link stays a link: its target is replaced.
 */
export function writeFileAtomic(file: string, text: string): void {
  const exists = fs.existsSync(file);
  const target = exists ? fs.realpathSync(file) : file;
  const mode = exists ? fs.statSync(target).mode & 0o7777 : 0o666;
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.wakerscope-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temporary, text, { mode, flag: 'wx' });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
