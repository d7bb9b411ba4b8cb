// A finding as the CLI prints it: resolved to 1-based positions, with files
// relative to the working directory, so it outlives its program (the cache
// stores these). `parse-error` is the CLI's own: a file TypeScript cannot
// parse is reported, not analysed, as ESLint does.

import type * as ts from 'typescript';
import type { Finding, RuleId, Severity, Span } from '../analysis/index';
import { displayPath } from './projects';

export type ReportRule = RuleId | 'parse-error';

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Report {
  readonly rule: ReportRule;
  readonly severity: Severity;
  readonly message: string;
  readonly help?: string;
  readonly at: Position;
  readonly related: ReadonlyArray<{ readonly at: Position; readonly message: string }>;
  /** The enclosing function's name (`Class.method`, `<top level>`): what a SARIF fingerprint keys on instead of a line. */
  readonly within: string;
}

/** Resolves spans to 1-based positions through the program's source files. */
export class Locator {
  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly program: ts.Program,
    readonly cwd: string,
  ) {}

  position(span: Span): Position {
    const file = this.program.getSourceFile(span.file);
    if (!file) return { file: displayPath(this.cwd, span.file), line: 1, column: 1, endLine: 1, endColumn: 1 };
    const start = file.getLineAndCharacterOfPosition(span.start);
    const end = file.getLineAndCharacterOfPosition(span.end);
    return { file: displayPath(this.cwd, span.file), line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  }

  report(finding: Finding): Report {
    return {
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
      ...(finding.help ? { help: finding.help } : {}),
      at: this.position(finding.span),
      related: finding.related.map((r) => ({ at: this.position(r), message: r.message })),
      within: this.enclosingFunction(finding.span),
    };
  }

  /** TypeScript's first syntax error in `file`. */
  parseError(diagnostic: ts.Diagnostic & { file: ts.SourceFile; start: number }): Report {
    const span = { file: diagnostic.file.fileName, start: diagnostic.start, end: diagnostic.start + (diagnostic.length ?? 0) };
    return {
      rule: 'parse-error',
      severity: 'error',
      message: `Parsing error: ${this.ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
      at: this.position(span),
      related: [],
      within: '<file>',
    };
  }

  private enclosingFunction(span: Span): string {
    const ts = this.ts;
    const file = this.program.getSourceFile(span.file);
    if (!file) return '<file>';
    const names: string[] = [];
    const visit = (node: ts.Node): void => {
      if (span.start < node.getFullStart() || span.start >= node.getEnd()) return;
      const name = (node as { name?: ts.Node }).name;
      if ((ts.isFunctionLike(node) || ts.isClassLike(node)) && name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name))) names.push(name.text);
      else if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) names.push(node.parent.name.text);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(file, visit);
    return names.length > 0 ? names.join('.') : '<top level>';
  }
}

/** Reports in file, then position order. */
export function sortReports(reports: Report[]): Report[] {
  return reports.sort((a, b) => (a.at.file === b.at.file ? a.at.line - b.at.line || a.at.column - b.at.column : a.at.file < b.at.file ? -1 : 1));
}
