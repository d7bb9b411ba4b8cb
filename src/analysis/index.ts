// The analyzer's entry points. Front ends call `analyzeFile` (one file of a
// program) or `analyzeProgram` (every user file); both return findings with
// severities already resolved against the configuration and suppressions.

import type * as ts from 'typescript';
import { createFileContext, type FileContext } from './context';
import { finishFindings } from './finish';
import { isLibraryFile, Library } from './library';
import { DEFAULT_CONFIG, type AnalyzerConfig, type Finding, type TypeScript } from './types';
import { analyzeFlow } from './flow/index';
import { leaksExplainedElsewhere, slotsHoldAny, vtablesInFile, withoutExplainedLeaks } from './vtable/index';

export * from './types';
export { Library, isLibraryFile, programImportsLibrary } from './library';
export { CONFIG_ERROR_CODE, RULES, docsUrl, isRuleId, ruleByCode } from './rules/index';
export { ConfigError, applyLevels, configFromCompilerOptions, configFromPluginEntry, levelOf, mergeConfig, parseRuleFlag } from './config';
export { applySuppressions, ignoreFix } from './suppress';
export { factoriesUsing, findFactories, findVtables, type Factory, type TextPosition, type VtableSite } from './factories';
export { IncrementalAnalyzer } from './incremental';
export { createFileContext, type FileContext } from './context';
export { finishFindings } from './finish';
export { hoverAt, type Hover } from './hover';
export { findTsconfig, loadProject, readProject, type ParsedProject } from './program';
export { SLOT_NAMES, analyzeVtables, describeEffect, resolveSlotFunction, summarizeSlot, vtableAt, vtablesInFile, type SlotName, type SlotReport, type SlotSummary, type VtableReport } from './vtable/index';

/** The rule passes alone: findings with the analyzer's own severities, before configuration and suppressions. */
function runPasses(context: FileContext): Finding[] {
  const vtables = vtablesInFile(context);
  const leaks = analyzeFlow(context);
  const flow = withoutExplainedLeaks(leaks, (unexplained) => [
    ...vtables.filter((report) => slotsHoldAny(report, unexplained)).flatMap((report) => report.explainedLeaks),
    ...leaksExplainedElsewhere(context, leaks),
  ]);
  return [...flow, ...vtables.flatMap((report) => report.findings)];
}

export function analyzeFile(ts: TypeScript, program: ts.Program, file: ts.SourceFile, config: AnalyzerConfig = DEFAULT_CONFIG, library?: Library): Finding[] {
  const context = createFileContext(ts, program, file, library);
  return finishFindings(ts, file, runPasses(context), config);
}

/** Whether a file is user code worth analysing: not the library, not a declaration file, not a dependency. */
export function isUserFile(program: ts.Program, file: ts.SourceFile): boolean {
  return !file.isDeclarationFile && !isLibraryFile(program, file) && !program.isSourceFileFromExternalLibrary(file) && !/[\\/]node_modules[\\/]/.test(file.fileName);
}

/**
 * Every user file of the program (or only `files`, by file name), analysed with
 * one shared checker. `onFile` reports progress.
 */
export function analyzeProgram(
  ts: TypeScript,
  program: ts.Program,
  config: AnalyzerConfig = DEFAULT_CONFIG,
  files?: readonly string[],
  onFile?: (done: number, total: number) => void,
): Finding[] {
  const wanted = files ? new Set(files.map((f) => f.replace(/\\/g, '/'))) : undefined;
  const sources = program.getSourceFiles().filter((file) => isUserFile(program, file) && (!wanted || wanted.has(file.fileName)));
  const library = new Library(ts, program);
  const findings: Finding[] = [];
  sources.forEach((file, index) => {
    findings.push(...analyzeFile(ts, program, file, config, library));
    onFile?.(index + 1, sources.length);
  });
  return findings;
}
