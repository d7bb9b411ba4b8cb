// Suppression comments:
//   // wakerscope-ignore-next-line [rule…]   findings whose primary span starts on the next line
//   // wakerscope-ignore-file [rule…]        every finding in the file
// No rule means every rule. A directive (or a rule it names) that suppresses
// nothing is reported as `unused-suppression`, so stale comments do not pile up.

import type * as ts from 'typescript';
import { levelOf } from './config';
import { isRuleId } from './rules';
import type { AnalyzerConfig, Finding, RuleId, TypeScript } from './types';

interface Suppression {
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
function findSuppressions(ts: TypeScript, file: ts.SourceFile): Suppression[] {
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
 * Whether a comment starts exactly at `position` (so `// see // wakerscope-ignore-file`
 * and text inside strings, templates or regexes are not directives): find the
 * trivia run around `position` from the parse tree, and ask the scanner for its comments.
 */
function isComment(ts: TypeScript, file: ts.SourceFile, position: number): boolean {
  let node: ts.Node = file;
  let triviaStart = 0;
  for (;;) {
    let next: ts.Node | undefined;
    ts.forEachChild(node, (child) => {
      if (child.end <= position) triviaStart = Math.max(triviaStart, child.end);
      else if (!next && child.pos <= position) next = child;
    });
    if (!next) break;
    triviaStart = Math.max(triviaStart, next.pos);
    node = next;
  }
  if (node !== file && position >= node.getStart(file) && LITERAL_KINDS.has(node.kind)) return false;
  // Comments on the same line as the code before them are "trailing", the rest "leading".
  const comments = [...(ts.getTrailingCommentRanges(file.text, triviaStart) ?? []), ...(ts.getLeadingCommentRanges(file.text, triviaStart) ?? [])];
  return comments.some((comment) => comment.pos === position);
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
