// What the extension needs of the project's `wakerscope` CLI: where it is, and
// its `--format json` output read back. Pure (no `vscode`), unit-tested on the
// built CLI's real output.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export interface CheckFinding {
  /** Absolute. */
  readonly file: string;
  /** 1-based, as the CLI prints them; `endColumn` exclusive. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly related: readonly { readonly file: string; readonly line: number; readonly column: number; readonly message: string }[];
}

/** The CLI script of the `wakerscope` package installed in `folder` (its `bin`), or undefined. */
export function projectCli(folder: string): string | undefined {
  try {
    const manifestPath = createRequire(path.join(folder, 'package.json')).resolve('wakerscope/package.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.wakerscope;
    return bin ? path.resolve(path.dirname(manifestPath), bin) : undefined;
  } catch {
    return undefined;
  }
}

/** The findings in `wakerscope check --format json` output, with paths made absolute against `cwd`. */
export function findingsOfCheck(output: string, cwd: string): CheckFinding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new Error(`wakerscope check printed no JSON: ${output.trim().split('\n')[0] ?? '(nothing)'}`);
  }
  // An array of findings, or (newer CLIs) an object that holds them.
  const list = Array.isArray(parsed) ? parsed : (parsed as { findings?: unknown })?.findings;
  if (!Array.isArray(list)) throw new Error('wakerscope check printed JSON without a list of findings');
  return list.map((raw: CheckFinding) => ({
    ...raw,
    file: path.resolve(cwd, raw.file),
    endLine: raw.endLine ?? raw.line,
    endColumn: raw.endColumn ?? raw.column,
    related: (raw.related ?? []).map((r) => ({ ...r, file: path.resolve(cwd, r.file) })),
  }));
}
