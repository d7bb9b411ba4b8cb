// The extension host has no `typescript` of its own (the bundle leaves it out,
// and the .vsix does not ship it): finding factories and vtables by their syntax
// borrows VS Code's, the one its TypeScript support runs, else the workspace's.

import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TypeScript } from '../analysis/index';

let loaded: TypeScript | undefined;

/** VS Code's bundled TypeScript, else the first workspace folder's; throws a one-line reason when neither loads. */
export function typescript(): TypeScript {
  if (loaded) return loaded;
  const candidates = [
    path.join(vscode.env.appRoot, 'extensions', 'node_modules', 'typescript'),
    ...(vscode.workspace.workspaceFolders ?? []).map((folder) => path.join(folder.uri.fsPath, 'node_modules', 'typescript')),
  ];
  const load = createRequire(__filename);
  for (const candidate of candidates) {
    try {
      loaded = load(candidate) as TypeScript;
      return loaded;
    } catch {
      // The next candidate.
    }
  }
  throw new Error(`no TypeScript to read the file with: neither VS Code's (${candidates[0]}) nor the workspace's node_modules/typescript loads`);
}
