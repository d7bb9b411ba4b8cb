// The last stage every entry point shares: configured levels, then the file's
// suppressions, then source order.

import type * as ts from 'typescript';
import { applyLevels } from './config';
import { applySuppressions } from './suppress';
import type { AnalyzerConfig, Finding, TypeScript } from './types';

/** The passes' findings for `file` with the configuration's levels and the file's suppressions applied, in order. */
export function finishFindings(ts: TypeScript, file: ts.SourceFile, findings: readonly Finding[], config: AnalyzerConfig): Finding[] {
  return sortFindings(applySuppressions(ts, file, applyLevels(findings, config), config));
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.span.file === b.span.file ? a.span.start - b.span.start : a.span.file < b.span.file ? -1 : 1));
}
