// The whole workspace, not only open files (tsserver plugins report open files
// only): a `wakerscope` task type whose `check` task runs the project's
// `wakerscope check` under the `$wakerscope` problem matcher, and the command
// **Wakerscope: Check Workspace**, which runs the same CLI with `--format json`
// and shows its findings for the files that are not open (open files have the
// plugin's live diagnostics).

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findingsOfCheck, projectCli, type CheckFinding } from './cli-check';

const TASK_TYPE = 'wakerscope';

interface WakerscopeTaskDefinition extends vscode.TaskDefinition {
  readonly command: 'check';
  readonly args?: readonly string[];
}

export function registerWorkspaceCheck(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const collection = vscode.languages.createDiagnosticCollection('wakerscope-workspace');
  context.subscriptions.push(
    collection,
    // Once open, a file gets the plugin's live diagnostics: drop the snapshot.
    vscode.workspace.onDidOpenTextDocument((document) => collection.delete(document.uri)),
    vscode.tasks.registerTaskProvider(TASK_TYPE, {
      provideTasks: () => (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => checkTask({ type: TASK_TYPE, command: 'check' }, folder) ?? []),
      resolveTask: (task) => {
        const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
        return folder ? checkTask(task.definition as WakerscopeTaskDefinition, folder, task) : undefined;
      },
    }),
    vscode.commands.registerCommand('wakerscope.checkWorkspace', async () => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showInformationMessage('Wakerscope: Check Workspace runs the project\'s wakerscope CLI, so it needs a trusted workspace.');
        return;
      }
      try {
        const total = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Wakerscope: checking the workspace…', cancellable: true },
          (_progress, token) => checkWorkspace(collection, log, token),
        );
        void vscode.window.setStatusBarMessage(`Wakerscope: ${total} problem${total === 1 ? '' : 's'} in the workspace`, 5000);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        log.error(`wakerscope.checkWorkspace: ${text}`);
        void vscode.window.showErrorMessage(`Wakerscope: ${text}`);
      }
    }),
  );
}

/** The `check` task for a folder, or undefined when the folder has no wakerscope CLI installed. */
function checkTask(definition: WakerscopeTaskDefinition, folder: vscode.WorkspaceFolder, existing?: vscode.Task): vscode.Task | undefined {
  const cli = projectCli(folder.uri.fsPath);
  if (!cli) return undefined;
  // The extension host's own runtime runs the CLI (Electron as Node in VS Code desktop).
  const execution = new vscode.ProcessExecution(process.execPath, [cli, 'check', ...(definition.args ?? [])], {
    cwd: folder.uri.fsPath,
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
  const task = new vscode.Task(existing?.definition ?? definition, folder, existing?.name ?? 'check', TASK_TYPE, execution, '$wakerscope');
  task.group = vscode.TaskGroup.Build;
  task.detail = 'wakerscope check: waker lifecycle findings for the whole project';
  return task;
}

/** Runs `wakerscope check --format json` in every folder; shows the findings of files that are not open. Returns how many there are. */
async function checkWorkspace(collection: vscode.DiagnosticCollection, log: vscode.LogOutputChannel, token: vscode.CancellationToken): Promise<number> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error('open a folder first: Check Workspace checks the folder\'s TypeScript project');
  collection.clear();
  let total = 0;
  for (const folder of folders) {
    const cli = projectCli(folder.uri.fsPath);
    if (!cli) throw new Error(`${folder.name} has no wakerscope CLI: install it in the project (npm install --save-dev wakerscope), then run Check Workspace again`);
    const output = await run(cli, folder.uri.fsPath, token);
    const findings = findingsOfCheck(output, folder.uri.fsPath);
    log.info(`Check Workspace: ${folder.name}: ${findings.length} finding(s)`);
    total += findings.length;
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const finding of findings) {
      if (open.has(finding.file)) continue;
      const list = byFile.get(finding.file) ?? [];
      list.push(toDiagnostic(finding));
      byFile.set(finding.file, list);
    }
    for (const [file, diagnostics] of byFile) collection.set(vscode.Uri.file(file), diagnostics);
  }
  return total;
}

function run(cli: string, cwd: string, token: vscode.CancellationToken): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [cli, 'check', '--format', 'json'], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      // Exit 1 means findings; anything else with no JSON is a failure worth its stderr line.
      if (token.isCancellationRequested) reject(new Error('Check Workspace was cancelled'));
      else if (error && (error as { code?: unknown }).code !== 1) reject(new Error(stderr.trim().split('\n')[0] || error.message));
      else resolve(stdout);
    });
    token.onCancellationRequested(() => child.kill());
  });
}

function toDiagnostic(finding: CheckFinding): vscode.Diagnostic {
  const range = new vscode.Range(finding.line - 1, finding.column - 1, finding.endLine - 1, finding.endColumn - 1);
  const diagnostic = new vscode.Diagnostic(range, finding.message, finding.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'wakerscope';
  diagnostic.code = finding.rule;
  diagnostic.relatedInformation = finding.related.map(
    (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.file), new vscode.Position(r.line - 1, r.column - 1)), r.message),
  );
  return diagnostic;
}
