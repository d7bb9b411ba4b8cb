// Shared fixture runner for analyzer rules (flow fixtures, vtable fixtures, …).
//
// A fixture is a `.ts` file in a fixtures folder that imports from
// 'wakerscope/waker' and states, inline, every finding the analyzer must report
// on it. The runner compares EXACTLY: a missing finding or an extra one fails.
//
// ## Expectation format
//
// 1. Trailing comment on the line of the primary span's start:
//
//        waker.wake(); // expect: use-after-wake error
//        copy.drop();  // expect: use-after-drop warning "when `urgent` is true"
//        f(w, w);      // expect: use-after-move error@8, clone-without-drop warning
//
//    `rule severity` pairs are separated by commas. `@N` pins the 1-based column
//    of the primary span's start; a "quoted" text must occur in the message.
//
// 2. Caret line: a line holding only `//`, carets and the expectation refers to
//    the nearest line above that is not itself a caret line; the first caret
//    pins the column (1-based column of the caret in the file):
//
//        waker.wake();
//    //  ^ use-after-wake error
//
// 3. Directives, anywhere in the file:
//        // fixture: allow-type-errors   the fixture need not type-check
//                                        (it must still parse without errors)
//
// Lines without expectations expect nothing. Every fixture must be free of
// syntax errors, and (unless allowed) of type errors, so that quick-fix edits can
// be checked by type-checking the edited file (see `typeCheckEdits`).

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { Library, type FileContext, type Finding, type TextEdit } from '../../src/analysis/index';
import { checkerOf } from '../../src/analysis/checker';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface Expectation {
  readonly rule: string;
  readonly severity: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based; undefined when the expectation does not pin a column. */
  readonly column?: number;
  readonly messageIncludes?: string;
}

export interface FixtureDirectives {
  readonly allowTypeErrors: boolean;
}

const TRAILING = /\/\/\s*expect:\s*(.+)$/;
const CARET_LINE = /^(\s*)\/\/(\s*)(\^+)\s+(.+)$/;
const ITEM = /^([a-z-]+)\s+(error|warning)(?:@(\d+))?(?:\s+"([^"]*)")?$/;

/** Parse the inline expectations of a fixture; throws a clear `file:line` error on a malformed one. */
export function parseExpectations(fileName: string, text: string): Expectation[] {
  const lines = text.split(/\r?\n/);
  const expectations: Expectation[] = [];
  let lastCodeLine = 0;
  lines.forEach((lineText, index) => {
    const lineNumber = index + 1;
    const caret = CARET_LINE.exec(lineText);
    if (caret) {
      if (lastCodeLine === 0) throw new Error(`${fileName}:${lineNumber}: caret expectation with no code line above it`);
      const column = caret[1].length + 2 + caret[2].length + 1;
      for (const item of splitItems(caret[4])) expectations.push({ ...parseItem(fileName, lineNumber, item), line: lastCodeLine, column });
      return;
    }
    lastCodeLine = lineNumber;
    const trailing = TRAILING.exec(lineText);
    if (!trailing) return;
    for (const item of splitItems(trailing[1])) {
      const parsed = parseItem(fileName, lineNumber, item);
      expectations.push({ ...parsed, line: lineNumber });
    }
  });
  return expectations;
}

/** Split `a error, b warning "x, y"` on commas outside quotes. */
function splitItems(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      items.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) items.push(current.trim());
  return items;
}

function parseItem(fileName: string, line: number, item: string): Omit<Expectation, 'line'> {
  const match = ITEM.exec(item);
  if (!match) throw new Error(`${fileName}:${line}: malformed expectation \`${item}\` (want \`rule error|warning[@col] ["message part"]\`)`);
  return {
    rule: match[1],
    severity: match[2],
    ...(match[3] ? { column: Number(match[3]) } : {}),
    ...(match[4] !== undefined ? { messageIncludes: match[4] } : {}),
  };
}

export function parseDirectives(text: string): FixtureDirectives {
  return { allowTypeErrors: /\/\/\s*fixture:\s*allow-type-errors\b/.test(text) };
}

/** The repository's compiler options (with its `paths` mapping for 'wakerscope/waker'). */
export function repoCompilerOptions(): ts.CompilerOptions {
  const configPath = join(REPO_ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO_ROOT, undefined, configPath);
  return { ...parsed.options, noEmit: true };
}

/** The rule fixtures and the corpus programs in one program, type-checked: where the checker-agreement tests hold a shortcut to the checker. */
export function checkedFixturesAndCorpus(): { readonly program: ts.Program; readonly files: ts.SourceFile[] } {
  const folders = ['test/fixtures/flow', 'test/fixtures/vtable', 'test/corpus/programs'].map((folder) => join(REPO_ROOT, folder));
  const program = new FixtureProgram(folders.flatMap((folder) => fixtureFiles(folder))).program;
  const files = program.getSourceFiles().filter((f) => folders.some((folder) => f.fileName.startsWith(folder)));
  for (const file of files) program.getSemanticDiagnostics(file);
  return { program, files };
}

/** A program of one file at `path` holding `source` (a test's edge cases), and its source file. */
export function virtualFixture(path: string, source: string): { readonly program: ts.Program; readonly file: ts.SourceFile } {
  const fixture = new FixtureProgram([path]);
  fixture.setText(path, source);
  return { program: fixture.program, file: fixture.sourceFile(path) };
}

export function fixtureFiles(folder: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
      });
  return walk(folder);
}

/**
 * A program over some root files, where any file's text can be overridden in
 * memory (to check quick-fix edits). Programs are rebuilt from the previous one,
 * so unchanged files (lib, the waker library) are reused.
 */
export class FixtureProgram {
  private readonly overrides = new Map<string, string>();
  private readonly host: ts.CompilerHost;
  private current: ts.Program;

  constructor(
    readonly rootNames: readonly string[],
    readonly options: ts.CompilerOptions = repoCompilerOptions(),
  ) {
    const base = ts.createCompilerHost(options, true);
    const cache = new Map<string, ts.SourceFile>();
    this.host = {
      ...base,
      getSourceFile: (fileName, languageVersion, onError, shouldCreate) => {
        const override = this.overrides.get(resolve(fileName));
        if (override !== undefined) return ts.createSourceFile(fileName, override, languageVersion, true);
        let file = cache.get(fileName);
        if (!file) {
          file = base.getSourceFile(fileName, languageVersion, onError, shouldCreate);
          if (file) cache.set(fileName, file);
        }
        return file;
      },
      fileExists: (fileName) => this.overrides.has(resolve(fileName)) || base.fileExists(fileName),
      readFile: (fileName) => this.overrides.get(resolve(fileName)) ?? base.readFile(fileName),
    };
    this.current = ts.createProgram({ rootNames, options, host: this.host });
  }

  get program(): ts.Program {
    return this.current;
  }

  sourceFile(fileName: string): ts.SourceFile {
    const file = this.current.getSourceFile(fileName);
    if (!file) throw new Error(`${fileName}: not part of the fixture program`);
    return file;
  }

  context(fileName: string): FileContext {
    return { ts, program: this.current, checker: checkerOf(this.current), library: new Library(ts, this.current), file: this.sourceFile(fileName) };
  }

  /** Replace (or with `undefined`, restore) a file's text and rebuild the program. */
  setText(fileName: string, text: string | undefined): void {
    if (text === undefined) this.overrides.delete(resolve(fileName));
    else this.overrides.set(resolve(fileName), text);
    this.current = ts.createProgram({ rootNames: this.rootNames, options: this.options, host: this.host, oldProgram: this.current });
  }

  /** Replace several files' texts at once, rebuilding the program once. */
  setTexts(texts: ReadonlyMap<string, string>): void {
    for (const [fileName, text] of texts) this.overrides.set(resolve(fileName), text);
    this.current = ts.createProgram({ rootNames: this.rootNames, options: this.options, host: this.host, oldProgram: this.current });
  }

  /** Syntactic and semantic errors of one file, formatted `file:line:col: message`. */
  errorsOf(fileName: string, { semantic }: { semantic: boolean }): string[] {
    const file = this.sourceFile(fileName);
    const diagnostics = [
      ...this.current.getSyntacticDiagnostics(file),
      ...(semantic ? this.current.getSemanticDiagnostics(file) : []),
    ];
    return diagnostics.map((d) => formatDiagnostic(d));
  }
}

export function formatDiagnostic(d: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  if (!d.file || d.start === undefined) return message;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative(REPO_ROOT, d.file.fileName)}:${line + 1}:${character + 1}: ${message}`;
}

/** Apply non-overlapping edits to a text (any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  let limit = Infinity;
  for (const edit of sorted) {
    if (edit.end > limit) throw new Error(`overlapping edits at ${edit.start}..${edit.end}`);
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
    limit = edit.start;
  }
  return result;
}

/** A finding as a comparable line: `12:5 use-after-wake error: message`. */
export function describeFinding(file: ts.SourceFile, finding: Finding): string {
  const { line, character } = file.getLineAndCharacterOfPosition(finding.span.start);
  return `${line + 1}:${character + 1} ${finding.rule} ${finding.severity}: ${finding.message}`;
}

/** Compare findings with expectations; returns the list of mismatches (empty when exact). */
export function compareFindings(file: ts.SourceFile, findings: readonly Finding[], expectations: readonly Expectation[]): string[] {
  const remaining = [...findings];
  const problems: string[] = [];
  for (const expected of expectations) {
    const index = remaining.findIndex((f) => {
      const { line, character } = file.getLineAndCharacterOfPosition(f.span.start);
      return (
        f.rule === expected.rule &&
        f.severity === expected.severity &&
        line + 1 === expected.line &&
        (expected.column === undefined || character + 1 === expected.column) &&
        (expected.messageIncludes === undefined || f.message.includes(expected.messageIncludes))
      );
    });
    if (index >= 0) remaining.splice(index, 1);
    else {
      const where = `${expected.line}${expected.column !== undefined ? `:${expected.column}` : ''}`;
      const text = expected.messageIncludes !== undefined ? ` "${expected.messageIncludes}"` : '';
      problems.push(`missing: ${where} ${expected.rule} ${expected.severity}${text}`);
    }
  }
  for (const extra of remaining) problems.push(`unexpected: ${describeFinding(file, extra)}`);
  return problems;
}

export interface FixtureSuiteOptions {
  /** Mocha suite title. */
  readonly title: string;
  /** Folder holding the fixtures (searched recursively). */
  readonly folder: string;
  /** The pass under test. */
  readonly analyze: (context: FileContext) => readonly Finding[];
  /** Also apply every quick fix of every finding and require the edited file to type-check. */
  readonly checkFixes?: boolean;
  /** Rule ids the folder must cover with at least this many failing and passing fixtures. */
  readonly coverage?: { readonly rules: readonly string[]; readonly failing: number; readonly passing: number };
}

/**
 * Register a mocha suite: one test per fixture (exact comparison), one per
 * fixture's quick fixes when `checkFixes`, and a coverage test when asked.
 * A fixture counts as "failing" for a rule when it expects that rule, and as
 * "passing" for a rule when its path (relative to the folder) contains
 * `<rule>.pass` or `<rule>/pass` and it expects nothing of that rule, e.g.
 * `use-after-wake.pass-loop.ts` or `use-after-wake/pass-loop.ts`.
 */
export function describeFixtures(options: FixtureSuiteOptions): void {
  const files = fixtureFiles(options.folder);
  describe(options.title, function () {
    let fixtures: FixtureProgram | undefined;
    const load = (): FixtureProgram => (fixtures ??= new FixtureProgram(files));

    it('has fixtures', () => {
      assert.ok(files.length > 0, `no fixtures in ${options.folder}`);
    });

    for (const fileName of files) {
      const name = relative(options.folder, fileName);
      const text = readFileSync(fileName, 'utf8');
      it(name, function () {
        const expectations = parseExpectations(name, text);
        const directives = parseDirectives(text);
        const program = load();
        const errors = program.errorsOf(fileName, { semantic: !directives.allowTypeErrors });
        assert.deepEqual(errors, [], `fixture ${name} must be valid TypeScript`);
        const file = program.sourceFile(fileName);
        const findings = options.analyze(program.context(fileName));
        const problems = compareFindings(file, findings, expectations);
        assert.deepEqual(problems, [], `${name}: findings differ from expectations\n  got:\n    ${findings.map((f) => describeFinding(file, f)).join('\n    ') || '(none)'}`);
        // Front ends add the "help:" label themselves; a labelled help would print it twice.
        const labelledHelp = findings.filter((f) => f.help !== undefined && /^\s*help\s*:/i.test(f.help)).map((f) => describeFinding(file, f));
        assert.deepEqual(labelledHelp, [], `${name}: Finding.help must not start with "help:"`);
      });
    }

    if (options.checkFixes) {
      describe('quick fixes type-check', () => {
        for (const fileName of files) {
          const name = relative(options.folder, fileName);
          const text = readFileSync(fileName, 'utf8');
          if (parseDirectives(text).allowTypeErrors) continue;
          it(name, function () {
            this.timeout(60_000);
            const program = load();
            const findings = options.analyze(program.context(fileName));
            const problems: string[] = [];
            for (const finding of findings) {
              for (const fix of finding.fixes) {
                problems.push(...checkFix(program, fileName, text, finding, fix.title, fix.edits));
              }
            }
            program.setText(fileName, undefined);
            assert.deepEqual(problems, []);
          });
        }
      });
    }

    if (options.coverage) {
      const coverage = options.coverage;
      it(`covers each rule with ≥${coverage.failing} failing and ≥${coverage.passing} passing fixtures`, () => {
        const gaps: string[] = [];
        for (const rule of coverage.rules) {
          const failing = files.filter((f) => parseExpectations(f, readFileSync(f, 'utf8')).some((e) => e.rule === rule)).length;
          const passing = files.filter((f) => {
            const path = relative(options.folder, f).replace(/\\/g, '/');
            const named = path.startsWith(`${rule}.pass`) || path.includes(`/${rule}.pass`) || path.startsWith(`${rule}/pass`) || path.includes(`/${rule}/pass`);
            return named && !parseExpectations(f, readFileSync(f, 'utf8')).some((e) => e.rule === rule);
          }).length;
          if (failing < coverage.failing) gaps.push(`${rule}: ${failing} failing fixtures`);
          if (passing < coverage.passing) gaps.push(`${rule}: ${passing} passing fixtures`);
        }
        assert.deepEqual(gaps, []);
      });
    }
  });
}

function checkFix(program: FixtureProgram, fileName: string, text: string, finding: Finding, title: string, edits: readonly TextEdit[]): string[] {
  const where = `${relative(REPO_ROOT, fileName)} ${finding.rule} fix "${title}"`;
  if (edits.length === 0) return [`${where}: has no edits`];
  if (edits.some((e) => resolve(e.file) !== resolve(fileName))) return [`${where}: edits another file`];
  let edited: string;
  try {
    edited = applyEdits(text, edits);
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
  if (edited === text) return [`${where}: changes nothing`];
  program.setText(fileName, edited);
  return program.errorsOf(fileName, { semantic: true }).map((e) => `${where}: ${e}`);
}

/** Type-check `text` with `edits` applied, as `fileName` in `program`; returns the errors (empty = fine). */
export function typeCheckEdits(program: FixtureProgram, fileName: string, text: string, edits: readonly TextEdit[]): string[] {
  program.setText(fileName, applyEdits(text, edits));
  try {
    return program.errorsOf(fileName, { semantic: true });
  } finally {
    program.setText(fileName, undefined);
  }
}

export const FIXTURES_ROOT = join(REPO_ROOT, 'test', 'fixtures');
