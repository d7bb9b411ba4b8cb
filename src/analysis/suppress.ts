// Suppression comments:
//   // wakerscope-ignore-next-line [rule…]   findings whose primary span starts on the next line
//   // wakerscope-ignore-file [rule…]        every finding in the file
// No rule means every rule. A directive (or a rule it names) that suppresses
// nothing is reported as `unused-suppression`, so stale comments do not pile up.

import type * as ts from 'typescript';
import { levelOf } from './config';
import { isRuleId, unusedSuppression } from './rules/index';
import { sharedText } from './texts';
import type { AnalyzerConfig, Finding, Fix, RuleId, TypeScript } from './types';

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
    const report = (message: string, fix: Fix): void => {
      kept.push({ rule: 'unused-suppression', severity, message, span, related: [], help: unusedSuppression.messages.help(), fixes: [fix] });
    };
    const where = s.kind === 'file' ? 'in this file' : `on line ${s.line + 1}`;
    if (s.rules.length === 0) {
      if (used[index]!.size === 0) report(unusedSuppression.messages.suppressesNothing(directive, where), removeDirective(file, s));
      return;
    }
    // One rule name that no longer applies goes; the comment goes with the last one.
    const removeName = (rule: string): Fix => (s.rules.length === 1 ? removeDirective(file, s) : removeRuleName(file, s, rule));
    for (const rule of s.rules) {
      if (!isRuleId(rule)) {
        report(unusedSuppression.messages.unknownRule(directive, rule), removeName(rule));
        continue;
      }
      if (used[index]!.has(rule) || levelOf(config, rule as RuleId) === 'off') continue;
      report(unusedSuppression.messages.ruleSuppressesNothing(directive, rule, where), removeName(rule));
    }
  });
  return kept;
}

/**
 * "Remove the comment": its whole line when nothing else is on it, else the
 * comment and the blanks before it. Safe for `--fix`: the directive silences nothing.
 */
function removeDirective(file: ts.SourceFile, s: Suppression): Fix {
  const text = file.text;
  const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
  const aloneOnItsLine = text.slice(lineStart, s.start).trim() === '';
  let start = s.start;
  let end = s.end;
  if (aloneOnItsLine) {
    start = lineStart;
    const newline = text.indexOf('\n', s.end);
    end = newline < 0 ? text.length : newline + 1;
  } else {
    while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  }
  return { title: 'Remove the comment', edits: [{ file: file.fileName, start, end, newText: '' }], safe: true };
}

/** "Remove `rule` from the comment": the name and the separator before it (after it, for the first name). */
function removeRuleName(file: ts.SourceFile, s: Suppression, rule: string): Fix {
  const comment = file.text.slice(s.start, s.end);
  const names = /wakerscope-ignore-(?:next-line|file)\b/.exec(comment)!;
  const listStart = names.index + names[0].length;
  const name = new RegExp(`(^|[\\s,]+)${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s,]|$)`).exec(comment.slice(listStart))!;
  let start = s.start + listStart + name.index;
  let end = start + name[0].length;
  if (s.rules[0] === rule) {
    // `a, b` → `b`: keep the blank before the list, drop the separator after the name.
    start += name[1]!.length;
    const after = /^[\s,]*/.exec(file.text.slice(end, s.end))![0];
    end += after.length;
  }
  return { title: sharedText(`Remove \`${rule}\` from the comment`), edits: [{ file: file.fileName, start, end, newText: '' }], safe: true };
}

/**
 * "Ignore with `// wakerscope-ignore-next-line <rule>`", for the editor's code
 * actions (not the CLI's `--fix`: silencing a finding is the user's call). A
 * directive already on the line above gets the rule's name added instead, since
 * a second directive there would apply to the first.
 */
export function ignoreFix(file: ts.SourceFile, finding: Finding): Fix | undefined {
  if (finding.rule === 'unused-suppression' || finding.span.file !== file.fileName) return undefined;
  const text = file.text;
  const title = `Ignore with \`// wakerscope-ignore-next-line ${finding.rule}\``;
  const { line } = file.getLineAndCharacterOfPosition(finding.span.start);
  const lineStart = file.getPositionOfLineAndCharacter(line, 0);
  if (line > 0) {
    const previousStart = file.getPositionOfLineAndCharacter(line - 1, 0);
    const previous = text.slice(previousStart, lineStart).replace(/\r?\n$/, '');
    const directive = /^\s*\/\/[ \t]*wakerscope-ignore-next-line\b/.exec(previous);
    if (directive) {
      const list = previous.slice(directive[0].length).split('--')[0]!;
      // A directive without rule names already silences every rule: this finding is not on its line.
      if (list.trim() !== '') {
        const at = previousStart + directive[0].length + list.trimEnd().length;
        return { title, edits: [{ file: file.fileName, start: at, end: at, newText: ` ${finding.rule}` }] };
      }
    }
  }
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { title, edits: [{ file: file.fileName, start: lineStart, end: lineStart, newText: `${indent}// wakerscope-ignore-next-line ${finding.rule}${newline}` }] };
}
