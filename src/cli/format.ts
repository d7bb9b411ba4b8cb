// Output formats for `wakerscope check`: text (tsc/eslint style), JSON, SARIF
// 2.1.0 for GitHub code scanning, and GitHub Actions workflow commands.
// Positions are 1-based; files are relative to the working directory with `/`.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES, RULE_IDS, docsUrl, type RuleId } from '../analysis/index';
import { formatLocation } from '../simulate/index';
import { ansi } from './ansi';
import type { Report, ReportRule } from './report';

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface JsonFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: ReportRule;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly related: ReadonlyArray<{ file: string; line: number; column: number; message: string }>;
}

export function toJson(reports: readonly Report[]): JsonFinding[] {
  return reports.map((report) => ({
    ...report.at,
    rule: report.rule,
    severity: report.severity,
    message: report.message,
    related: report.related.map((r) => ({ file: r.at.file, line: r.at.line, column: r.at.column, message: r.message })),
  }));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `file:line:col  severity  message  rule`, related places indented, a help line, a summary. */
export function toText(reports: readonly Report[], options: { colour: boolean; files: number }): string {
  const c = ansi(options.colour);
  const lines: string[] = [];
  for (const report of reports) {
    const severity = report.severity === 'error' ? c.red('error') : c.yellow('warning');
    lines.push(`${c.bold(formatLocation(report.at))}  ${severity}  ${report.message}  ${c.dim(report.rule)}`);
    for (const related of report.related) lines.push(`    ${c.cyan(formatLocation(related.at))}  ${related.message}`);
    if (report.help) lines.push(`    ${c.bold('help:')} ${report.help}`);
  }
  const errors = reports.filter((r) => r.severity === 'error').length;
  const warnings = reports.length - errors;
  if (reports.length === 0) {
    lines.push(`✔ no problems (${plural(options.files, 'file')} checked)`);
  } else {
    lines.push('');
    const summary = `✖ ${plural(reports.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
    lines.push(errors > 0 ? c.red(c.bold(summary)) : c.yellow(c.bold(summary)));
  }
  return lines.join('\n') + '\n';
}

// GitHub Actions workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One `::error` / `::warning` annotation a line; related places and the help line go in its (multi-line) message. */
export function toGithub(reports: readonly Report[]): string {
  return reports
    .map((report) => {
      const { file, line, column, endLine, endColumn } = report.at;
      const properties = `file=${escapeProperty(file)},line=${line},col=${column},endLine=${endLine},endColumn=${endColumn},title=${escapeProperty(`wakerscope ${report.rule}`)}`;
      const body = [report.message, ...report.related.map((r) => `${formatLocation(r.at)}: ${r.message}`), ...(report.help ? [`help: ${report.help}`] : [])].join('\n');
      return `::${report.severity} ${properties}::${escapeData(body)}\n`;
    })
    .join('');
}

const SARIF_LEVEL = { error: 'error', warn: 'warning', off: 'none' } as const;

/** `use-after-wake` → "Use after wake": a short description distinct from the full one. */
function shortDescription(id: string): string {
  const words = id.split('-').join(' ');
  return words[0]!.toUpperCase() + words.slice(1);
}

/** The package root (where docs/ ships), found from this bundle's folder. */
function packageRoot(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, 'docs', 'rules'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function helpMarkdown(id: RuleId, root: string | undefined): string {
  const page = root ? path.join(root, RULES[id].docs) : undefined;
  if (page && fs.existsSync(page)) return fs.readFileSync(page, 'utf8');
  return `${RULES[id].description}\n\n[Documentation](${docsUrl(id)})`;
}

/** SARIF message text is Markdown-like: `[text](n)` links a related location, so literal brackets are escaped. */
const escapeSarifText = (s: string) => s.replace(/[[\]\\]/g, (c) => `\\${c}`);

function fingerprint(report: Report): string {
  // No line numbers: an edit above the finding must not make it a new alert.
  return createHash('sha256').update(JSON.stringify([report.rule, report.at.file, report.within, report.message])).digest('hex').slice(0, 32);
}

const PARSE_ERROR_RULE = {
  id: 'parse-error',
  name: 'ParseError',
  shortDescription: { text: 'Parse error' },
  fullDescription: { text: 'A file TypeScript cannot parse. It is reported with the parser\'s message and not analysed.' },
  help: { text: 'Fix the syntax error; the file is analysed once it parses.', markdown: 'Fix the syntax error; the file is analysed once it parses.' },
  defaultConfiguration: { level: 'error' },
  properties: { tags: ['correctness'] },
};

/** SARIF 2.1.0 as GitHub code scanning takes it: rules with help, fingerprints, related locations linked from the message. */
export function toSarif(reports: readonly Report[], options: { cwd: string; version: string }): object {
  const root = packageRoot();
  const location = (at: Report['at']) => ({
    physicalLocation: {
      artifactLocation: { uri: encodeURI(at.file), uriBaseId: '%SRCROOT%' },
      region: { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn },
    },
  });
  const ruleIndex = (rule: ReportRule) => (rule === 'parse-error' ? RULE_IDS.length : RULE_IDS.indexOf(rule));
  const seen = new Map<string, number>();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wakerscope',
            version: options.version,
            semanticVersion: options.version,
            informationUri: 'https://github.com/wakerscope/wakerscope',
            rules: [
              ...RULE_IDS.map((id) => ({
                id,
                name: id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
                shortDescription: { text: shortDescription(id) },
                fullDescription: { text: RULES[id].description },
                helpUri: docsUrl(id),
                help: { text: `${RULES[id].description} See ${docsUrl(id)}`, markdown: helpMarkdown(id, root) },
                defaultConfiguration: { level: SARIF_LEVEL[RULES[id].defaultLevel] },
                properties: { tags: ['correctness', 'waker'], precision: 'high' },
              })),
              PARSE_ERROR_RULE,
            ],
          },
        },
        invocations: [{ executionSuccessful: true }],
        // Result URIs are relative to the working directory (the repository root in CI).
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(options.cwd + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results: reports.map((report) => {
          const links = report.related.map((r, index) => `[${escapeSarifText(r.message)}](${index + 1})`);
          const text = [escapeSarifText(report.message) + (links.length > 0 ? ` (${links.join('; ')})` : ''), ...(report.help ? [`help: ${escapeSarifText(report.help)}`] : [])].join('\n');
          const key = fingerprint(report);
          // Two identical findings in one function stay two alerts: number the repeats.
          const occurrence = (seen.get(key) ?? 0) + 1;
          seen.set(key, occurrence);
          return {
            ruleId: report.rule,
            ruleIndex: ruleIndex(report.rule),
            level: report.severity,
            message: { text },
            locations: [location(report.at)],
            partialFingerprints: { 'wakerscope/v1': occurrence === 1 ? key : `${key}:${occurrence}` },
            relatedLocations: report.related.map((related, index) => ({ id: index + 1, ...location(related.at), message: { text: related.message } })),
          };
        }),
      },
    ],
  };
}
