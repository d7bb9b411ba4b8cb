// The analyzer's entry points. Front ends call `analyzeFile` (one file of a
// program) or `analyzeProgram` (every user file); both return findings with
// severities already resolved against the configuration and suppressions.

import type * as ts from 'typescript';
import { Library } from './library';
import { DEFAULT_CONFIG, type AnalyzerConfig, type Finding, type TypeScript } from './types';

export * from './types';
export { Library, isLibraryFile } from './library';

/** Everything a rule pass needs for one file. */
export interface FileContext {
  readonly ts: TypeScript;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly library: Library;
  readonly file: ts.SourceFile;
}

export function analyzeFile(ts: TypeScript, program: ts.Program, file: ts.SourceFile, config: AnalyzerConfig = DEFAULT_CONFIG): Finding[] {
  const checker = program.getTypeChecker();
  const context: FileContext = { ts, program, checker, library: new Library(ts, checker), file };
  void context;
  void config;
  // The rule passes (flow, vtable) and the configuration/suppression pass plug in here.
  return [];
}
