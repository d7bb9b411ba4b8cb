// Output formats for `wakerscope check`: text (tsc/eslint style), JSON and SARIF 2.1.0.
// Positions are 1-based; files are relative to the working directory with `/`.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ts from 'typescript';
import { RULES, RULE_IDS, docsUrl, type Finding, type Span } from '../analysis/index';
import { ansi } from './ansi';

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Resolves spans to 1-based positions through the program's source files. */
export class Locator {
  constructor(
    private readonly program: ts.Program,
    readonly cwd: string,
  ) {}

  relative(fileName: string): string {
    return path.relative(this.cwd, fileName).split(path.sep).join('/') || fileName;
  }

  position(span: Span): Position {
    const file = this.program.getSourceFile(span.file);
    if (!file) return { file: this.relative(span.file), line: 1, column: 1, endLine: 1, endColumn: 1 };
    const start = file.getLineAndCharacterOfPosition(span.start);
    const end = file.getLineAndCharacterOfPosition(span.end);
    return { file: this.relative(span.file), line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  }
}

export interface JsonFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly related: ReadonlyArray<{ file: string; line: number; column: number; message: string }>;
}

export function toJson(findings: readonly Finding[], locator: Locator): JsonFinding[] {
  return findings.map((finding) => {
    const at = locator.position(finding.span);
    return {
      file: at.file,
      line: at.line,
      column: at.column,
      endLine: at.endLine,
      endColumn: at.endColumn,
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
      related: finding.related.map((r) => {
        const where = locator.position(r);
        return { file: where.file, line: where.line, column: where.column, message: r.message };
      }),
    };
  });
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `file:line:col  severity  message  rule`, related places indented, a help line, a summary. */
export function toText(findings: readonly Finding[], locator: Locator, options: { colour: boolean; files: number }): string {
  const c = ansi(options.colour);
  const lines: string[] = [];
  for (const finding of findings) {
    const at = locator.position(finding.span);
    const severity = finding.severity === 'error' ? c.red('error') : c.yellow('warning');
    lines.push(`${c.bold(`${at.file}:${at.line}:${at.column}`)}  ${severity}  ${finding.message}  ${c.dim(finding.rule)}`);
    for (const related of finding.related) {
      const where = locator.position(related);
      lines.push(`    ${c.cyan(`${where.file}:${where.line}:${where.column}`)}  ${related.message}`);
    }
    if (finding.help) lines.push(`    ${c.bold('help:')} ${finding.help}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (findings.length === 0) {
    lines.push(`✔ no problems (${plural(options.files, 'file')} checked)`);
  } else {
    if (lines.length > 0) lines.push('');
    const summary = `✖ ${plural(findings.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
    lines.push(errors > 0 ? c.red(c.bold(summary)) : c.yellow(c.bold(summary)));
  }
  return lines.join('\n') + '\n';
}

const SARIF_LEVEL = { error: 'error', warn: 'warning', off: 'none' } as const;

/** SARIF 2.1.0, the subset GitHub code scanning reads. */
export function toSarif(findings: readonly Finding[], locator: Locator, version: string): object {
  const location = (span: Span) => {
    const at = locator.position(span);
    return {
      physicalLocation: {
        artifactLocation: { uri: encodeURI(at.file), uriBaseId: '%SRCROOT%' },
        region: { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn },
      },
    };
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wakerscope',
            version,
            semanticVersion: version,
            informationUri: 'https://github.com/wakerscope/wakerscope',
            rules: RULE_IDS.map((id) => ({
              id,
              name: id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
              shortDescription: { text: RULES[id].description.split(': ')[0]! },
              fullDescription: { text: RULES[id].description },
              helpUri: docsUrl(id),
              help: { text: `${RULES[id].description} See ${docsUrl(id)}` },
              defaultConfiguration: { level: SARIF_LEVEL[RULES[id].defaultLevel] },
              properties: { tags: ['correctness', 'waker'], precision: 'high' },
            })),
          },
        },
        // Result URIs are relative to the working directory (the repository root in CI).
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(locator.cwd + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: RULE_IDS.indexOf(finding.rule),
          level: finding.severity,
          message: { text: finding.help ? `${finding.message}\nhelp: ${finding.help}` : finding.message },
          locations: [location(finding.span)],
          relatedLocations: finding.related.map((related, index) => ({ id: index + 1, ...location(related), message: { text: related.message } })),
        })),
      },
    ],
  };
}
