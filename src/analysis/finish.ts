// The last stage every entry point shares: configured levels, then the file's
// suppressions, then source order. And how `analyzeProgram` holds every file's
// findings until it returns.

import type * as ts from 'typescript';
import { applyLevels } from './config';
import { applySuppressions } from './suppress';
import type { AnalyzerConfig, Finding, Fix, RelatedSpan, RuleId, Severity, TextEdit, TypeScript } from './types';

/** The passes' findings for `file` with the configuration's levels and the file's suppressions applied, in order. */
export function finishFindings(ts: TypeScript, file: ts.SourceFile, findings: readonly Finding[], config: AnalyzerConfig): Finding[] {
  const finished = orderedFindings(ts, file, findings, config);
  for (let i = 0; i < finished.length; i++) finished[i] = withExactLists(finished[i]);
  return finished;
}

/** `finishFindings` without its exact lists, for a caller that copies the findings anyway. */
export function orderedFindings(ts: TypeScript, file: ts.SourceFile, findings: readonly Finding[], config: AnalyzerConfig): Finding[] {
  return sortFindings(applySuppressions(ts, file, applyLevels(findings, config), config));
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.span.file === b.span.file ? a.span.start - b.span.start : a.span.file < b.span.file ? -1 : 1));
}

/**
 * `finding` with lists exactly as long as their items (`slice` copies no spare
 * room): a finding outlives the analysis of its file, and a list grown by
 * `push` keeps room for 17 items, which every scavenge copies again while the
 * finding survives it (speed).
 */
function withExactLists(finding: Finding): Finding {
  const fixes = finding.fixes.slice();
  for (let i = 0; i < fixes.length; i++) fixes[i] = withExactEdits(fixes[i]);
  return { ...finding, related: finding.related.slice(), fixes };
}

function withExactEdits(fix: Fix): Fix {
  return { ...fix, edits: fix.edits.slice() };
}

/**
 * A program's findings, held file by file until its analysis returns, then
 * made into `Finding`s all at once. A finding made when its file is analysed
 * lives through the rest of the program's analysis: a dozen objects and half a
 * dozen concatenated strings that every scavenge copies and the second one
 * promotes, a tenth of the analysis (bench/README, the `hold13` work). Held
 * here, every field is a number in a typed array, whose contents no scavenge
 * copies: offsets and lengths as they are, texts and the other values as their
 * index in a table of each distinct value once. The objects are born just
 * before they are returned.
 */
export class HeldFindings {
  private fields = new Int32Array(4096);
  private length = 0;
  private readonly values: unknown[] = [];
  private readonly indexes = new Map<unknown, number>();

  add(findings: readonly Finding[]): void {
    for (let i = 0; i < findings.length; i++) this.hold(findings[i]);
  }

  /** The findings added, in order, as `finishFindings` makes them. */
  findings(): Finding[] {
    const result: Finding[] = [];
    const reader: Reader = { fields: this.fields, values: this.values, at: 0 };
    while (reader.at < this.length) result.push(readFinding(reader));
    return result;
  }

  /** In the order `readFinding` reads them: the finding, its related spans, its fixes and their edits. */
  private hold(finding: Finding): void {
    const { span, related, fixes } = finding;
    this.value(finding.rule);
    this.value(finding.severity);
    this.value(finding.message);
    this.value(span.file);
    this.number(span.start);
    this.number(span.end);
    this.value(finding.help);
    this.number(related.length);
    for (let i = 0; i < related.length; i++) {
      const r = related[i];
      this.value(r.file);
      this.number(r.start);
      this.number(r.end);
      this.value(r.message);
    }
    this.number(fixes.length);
    for (let i = 0; i < fixes.length; i++) {
      const fix = fixes[i];
      this.value(fix.title);
      this.value(fix.safe);
      this.number(fix.edits.length);
      for (let j = 0; j < fix.edits.length; j++) {
        const edit = fix.edits[j];
        this.value(edit.file);
        this.number(edit.start);
        this.number(edit.end);
        this.value(edit.newText);
      }
    }
  }

  private number(value: number): void {
    if (this.length === this.fields.length) {
      const grown = new Int32Array(this.fields.length * 2);
      grown.set(this.fields);
      this.fields = grown;
    }
    this.fields[this.length++] = value;
  }

  /** Looking a text up flattens it: a concatenation held is one string, not a tree of them. */
  private value(value: unknown): void {
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indexes.set(value, index);
    }
    this.number(index);
  }
}

interface Reader {
  readonly fields: Int32Array;
  readonly values: readonly unknown[];
  at: number;
}

function readFinding(reader: Reader): Finding {
  const { fields, values } = reader;
  const at = reader.at;
  const rule = values[fields[at]] as RuleId;
  const severity = values[fields[at + 1]] as Severity;
  const message = values[fields[at + 2]] as string;
  const span = { file: values[fields[at + 3]] as string, start: fields[at + 4], end: fields[at + 5] };
  const help = values[fields[at + 6]] as string | undefined;
  const related: RelatedSpan[] = new Array(fields[at + 7]);
  reader.at = at + 8;
  for (let i = 0; i < related.length; i++) {
    const r = reader.at;
    related[i] = { file: values[fields[r]] as string, start: fields[r + 1], end: fields[r + 2], message: values[fields[r + 3]] as string };
    reader.at = r + 4;
  }
  const fixes: Fix[] = new Array(fields[reader.at++]);
  for (let i = 0; i < fixes.length; i++) fixes[i] = readFix(reader);
  return help === undefined ? { rule, severity, message, span, related, fixes } : { rule, severity, message, span, related, help, fixes };
}

function readFix(reader: Reader): Fix {
  const { fields, values } = reader;
  const at = reader.at;
  const title = values[fields[at]] as string;
  const safe = values[fields[at + 1]] as boolean | undefined;
  const edits: TextEdit[] = new Array(fields[at + 2]);
  reader.at = at + 3;
  for (let i = 0; i < edits.length; i++) {
    const e = reader.at;
    edits[i] = { file: values[fields[e]] as string, start: fields[e + 1], end: fields[e + 2], newText: values[fields[e + 3]] as string };
    reader.at = e + 4;
  }
  return safe === undefined ? { title, edits } : { title, edits, safe };
}
