// What a rule pass is handed for one file. Its own module, so the passes and
// the incremental analyzer need not import the barrel (`index.ts`) that
// imports them.

import type * as ts from 'typescript';
import { checkerOf, type Checker } from './checker';
import { Library } from './library';
import type { TypeScript } from './types';

/** Everything a rule pass needs for one file. */
export interface FileContext {
  readonly ts: TypeScript;
  readonly program: ts.Program;
  readonly checker: Checker;
  readonly library: Library;
  readonly file: ts.SourceFile;
  /**
   * When set, the vtable pass adds every declaration whose code it reads beyond
   * the vtable expression (slot functions, helpers it follows, variables it
   * resolves through), so incremental re-analysis knows what a report depends on.
   */
  readonly readNodes?: ts.Node[];
}

export function createFileContext(ts: TypeScript, program: ts.Program, file: ts.SourceFile, library?: Library): FileContext {
  return { ts, program, checker: checkerOf(program), library: library ?? new Library(ts, program), file };
}
