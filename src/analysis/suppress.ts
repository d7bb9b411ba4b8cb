// Suppression comments:
//   // wakerscope-ignore-next-line [rule…]   findings whose primary span starts on the next line
//   // wakerscope-ignore-file [rule…]        every finding in the file
// No rule means every rule. A directive (or a rule it names) that suppresses
// nothing is reported as `unused-suppression`, so stale comments do not pile up.

import type * as ts from 'typescript';
import { levelOf } from './config';
import { isRuleId } from './rules';
import type { AnalyzerConfig, Finding, RuleId, TypeScript } from './types';

export interface Suppression {
  readonly kind: 'next-line' | 'file';
  /** Empty: every rule. */
  readonly rules: readonly string[];
  /** The comment's range. */
  readonly start: number;
  readonly end: number;
  /** 0-based line the directive applies to (next-line only). */
  readonly line: number;
}

const DIRECTIVE = /\/\/[ \t]*wakerscope-ignore-(next-line|file)\b([^\r\n]*)/g;

/** The suppression directives in a file: `//` comments only, never text inside strings. */
export function findSuppressions(ts: TypeScript, file: ts.SourceFile): Suppression[] {
  const text = file.text;
  if (!text.includes('wakerscope-ignore')) return [];
  if (LITERAL_KINDS.size === 0) LITERAL_KINDS = new Set(LITERAL_KIND_NAMES.map((name) => ts.SyntaxKind[name]));
  const result: Suppression[] = [];
  for (const match of text.matchAll(DIRECTIVE)) {
    const start = match.index;
    if (!isComment(ts, file, start)) continue;
    // Anything after `--` is a free-form reason.
    const list = match[2]!.split('--')[0]!.trim();
    const rules = list === '' ? [] : list.split(/[\s,]+/).filter(Boolean);
    const line = file.getLineAndCharacterOfPosition(start).line + 1;
    result.push({ kind: match[1] === 'file' ? 'file' : 'next-line', rules, start, end: start + match[0].length, line });
  }
  return result;
}

/**
 * Whether `position` is in a comment rather than inside a string, template or
 * regex: the deepest node around it either has it in its leading trivia, or is
 * not a literal (a `//` between tokens can only start a comment).
 */
function isComment(ts: TypeScript, file: ts.SourceFile, position: number): boolean {
  let node: ts.Node = file;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.pos <= position && position < c.end ? c : undefined));
    if (!child) break;
    node = child;
  }
  if (node === file || position < node.getStart(file)) return true;
  return !LITERAL_KINDS.has(node.kind);
}

const LITERAL_KIND_NAMES = [
  'StringLiteral',
  'NoSubstitutionTemplateLiteral',
  'TemplateHead',
  'TemplateMiddle',
  'TemplateTail',
  'RegularExpressionLiteral',
  'JsxText',
] as const;
let LITERAL_KINDS: ReadonlySet<number> = new Set();

/** Drop suppressed findings and report directives that suppressed nothing. */
export function applySuppressions(ts: TypeScript, file: ts.SourceFile, findings: readonly Finding[], config: AnalyzerConfig): Finding[] {
  const suppressions = findSuppressions(ts, file);
  if (suppressions.length === 0) return [...findings];
  // Per directive, the rules it actually silenced ('*' for a rule-less one).
  const used = suppressions.map(() => new Set<string>());
  const kept = findings.filter((finding) => {
    if (finding.span.file !== file.fileName) return true;
    const line = file.getLineAndCharacterOfPosition(finding.span.start).line;
    let suppressed = false;
    suppressions.forEach((s, index) => {
      if (s.kind === 'next-line' && s.line !== line) return;
      if (s.rules.length > 0 && !s.rules.includes(finding.rule)) return;
      used[index]!.add(s.rules.length > 0 ? finding.rule : '*');
      suppressed = true;
    });
    return !suppressed;
  });
  if (levelOf(config, 'unused-suppression') === 'off') return kept;
  const severity = 'warning' as const;
  suppressions.forEach((s, index) => {
    const directive = `wakerscope-ignore-${s.kind}`;
    const span = { file: file.fileName, start: s.start, end: s.end };
    const report = (message: string): void => {
      kept.push({ rule: 'unused-suppression', severity, message, span, related: [], help: 'remove the comment, or the rule names that no longer apply', fixes: [] });
    };
    if (s.rules.length === 0) {
      if (used[index]!.size === 0) report(`\`${directive}\` suppresses nothing: no finding ${s.kind === 'file' ? 'in this file' : `on line ${s.line + 1}`}`);
      return;
    }
    for (const rule of s.rules) {
      if (!isRuleId(rule)) {
        report(`\`${directive}\` names unknown rule '${rule}'`);
        continue;
      }
      if (used[index]!.has(rule) || levelOf(config, rule as RuleId) === 'off') continue;
      report(`\`${directive} ${rule}\` suppresses nothing: no ${rule} finding ${s.kind === 'file' ? 'in this file' : `on line ${s.line + 1}`}`);
    }
  });
  return kept;
}
