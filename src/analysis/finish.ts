// The last stage every entry point shares: configured levels, then the file's
// suppressions, then source order.

import type * as ts from 'typescript';
import { applyLevels } from './config';
import { applySuppressions } from './suppress';
import type { AnalyzerConfig, Finding, Fix, TypeScript } from './types';

/** The passes' findings for `file` with the configuration's levels and the file's suppressions applied, in order. */
export function finishFindings(ts: TypeScript, file: ts.SourceFile, findings: readonly Finding[], config: AnalyzerConfig): Finding[] {
  const finished = sortFindings(applySuppressions(ts, file, applyLevels(findings, config), config));
  for (let i = 0; i < finished.length; i++) finished[i] = withExactLists(finished[i]);
  return finished;
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
