// Building a ts.Program from a tsconfig for the command line. Every failure is a
// ConfigError with one line naming the file (and line:col when TypeScript has one).

import type * as ts from 'typescript';
import { ConfigError, configFromCompilerOptions } from './config';
import type { AnalyzerConfig, TypeScript } from './types';

export interface LoadedProject {
  readonly configPath: string;
  readonly program: ts.Program;
  /** Rule levels from the tsconfig's wakerscope plugin entry. */
  readonly config: AnalyzerConfig;
}

/** The nearest `tsconfig.json` in `directory` or above it. */
export function findTsconfig(ts: TypeScript, directory: string): string | undefined {
  return ts.findConfigFile(directory, ts.sys.fileExists, 'tsconfig.json');
}

function formatDiagnostic(ts: TypeScript, diagnostic: ts.Diagnostic, fallbackFile: string): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ').trim();
  if (diagnostic.file && diagnostic.start !== undefined) {
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName}:${line + 1}:${character + 1}: ${text}`;
  }
  return `${fallbackFile}: ${text}`;
}

export interface ParsedProject {
  readonly configPath: string;
  readonly parsed: ts.ParsedCommandLine;
  /** Rule levels from the tsconfig's wakerscope plugin entry. */
  readonly config: AnalyzerConfig;
}

/**
 * Parse `configPath` without building a program (cheap: the file list, options
 * and references). `allowNoInputs` accepts a tsconfig that matches no file.
 */
export function readProject(ts: TypeScript, configPath: string, allowNoInputs = false): ParsedProject {
  if (!ts.sys.fileExists(configPath)) throw new ConfigError(`${configPath}: cannot read tsconfig (no such file)`);
  let unrecoverable: ts.Diagnostic | undefined;
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      unrecoverable = diagnostic;
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, host);
  if (unrecoverable || !parsed) throw new ConfigError(unrecoverable ? formatDiagnostic(ts, unrecoverable, configPath) : `${configPath}: cannot read tsconfig`);
  const NO_INPUTS = 18003;
  const errors = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error && !(d.code === NO_INPUTS && allowNoInputs));
  if (errors.length > 0) throw new ConfigError(formatDiagnostic(ts, errors[0]!, configPath));
  return { configPath, parsed, config: configFromCompilerOptions(parsed.options as { plugins?: unknown }, configPath) };
}

/**
 * Parse `configPath` and create its program. `extraRoots` are files named on
 * the command line that the tsconfig does not include: they are analysed too.
 */
export function loadProject(ts: TypeScript, configPath: string, extraRoots: readonly string[] = []): LoadedProject {
  // "No inputs were found" is fine when files are named on the command line.
  const { parsed, config } = readProject(ts, configPath, extraRoots.length > 0);
  const known = new Set(parsed.fileNames.map((f) => f.toLowerCase()));
  const rootNames = [...parsed.fileNames, ...extraRoots.filter((f) => !known.has(f.toLowerCase()))];
  const program = ts.createProgram({ rootNames, options: parsed.options, projectReferences: parsed.projectReferences, configFileParsingDiagnostics: parsed.errors });
  return { configPath, program, config };
}
