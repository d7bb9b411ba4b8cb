// `.wakersim` scenarios in VS Code's Test Explorer: one test per file in the
// workspace, run one or all, and again when the file is saved. A scenario
// passes when its outcome is its `expect` (or it has none). A failure shows
// expected against actual outcome, with the violation's message at the
// scenario line of the step that raised it. Running executes the workspace's
// code, so it needs a trusted workspace, like the simulation commands.

import * as vscode from 'vscode';
import { DEFAULT_TIME_LIMIT_MS, SimulationError, simulateScenario } from '../simulate/engine';
import { parseScenario } from '../simulate/parse';
import type { SimulationRun } from '../simulate/types';
import { failureReason, scenarioPassed } from '../simulate/verdict';

const SCENARIO_GLOB = '**/*.wakersim';
const EXCLUDED = '**/node_modules/**';

export function registerScenarioTests(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const controller = vscode.tests.createTestController('wakerscope.scenarios', 'Wakerscope scenarios');
  const watcher = vscode.workspace.createFileSystemWatcher(SCENARIO_GLOB);
  context.subscriptions.push(controller, watcher);

  const itemFor = (uri: vscode.Uri): vscode.TestItem => {
    const existing = controller.items.get(uri.toString());
    if (existing) return existing;
    const item = controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
    item.range = new vscode.Range(0, 0, 0, 0);
    controller.items.add(item);
    return item;
  };
  const discover = async () => {
    for (const uri of await vscode.workspace.findFiles(SCENARIO_GLOB, EXCLUDED)) itemFor(uri);
  };
  controller.resolveHandler = async (item) => {
    if (!item) await discover();
  };
  controller.refreshHandler = async () => {
    controller.items.replace([]);
    await discover();
  };

  const run = async (request: vscode.TestRunRequest, token: vscode.CancellationToken) => {
    const testRun = controller.createTestRun(request);
    const items: vscode.TestItem[] = [];
    if (request.include) items.push(...request.include);
    else controller.items.forEach((item) => items.push(item));
    const queue = items.filter((item) => !request.exclude?.includes(item));
    for (const item of queue) testRun.enqueued(item);
    for (const item of queue) {
      if (token.isCancellationRequested) {
        testRun.skipped(item);
        continue;
      }
      await runScenario(item, testRun, log);
    }
    testRun.end();
  };
  controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => run(request, token), /*isDefault*/ true);

  context.subscriptions.push(
    watcher.onDidCreate((uri) => itemFor(uri)),
    watcher.onDidDelete((uri) => controller.items.delete(uri.toString())),
    // Re-run a scenario when it is saved (once someone has asked for scenarios, or it is already known).
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (!document.uri.fsPath.endsWith('.wakersim') || !vscode.workspace.isTrusted) return;
      const cancellation = new vscode.CancellationTokenSource();
      void run(new vscode.TestRunRequest([itemFor(document.uri)]), cancellation.token).finally(() => cancellation.dispose());
    }),
  );
}

function settingTimeLimit(): number {
  return vscode.workspace.getConfiguration('wakerscope').get<number>('simulation.timeLimitMs', DEFAULT_TIME_LIMIT_MS);
}

async function runScenario(item: vscode.TestItem, testRun: vscode.TestRun, log: vscode.LogOutputChannel): Promise<void> {
  const uri = item.uri!;
  testRun.started(item);
  if (!vscode.workspace.isTrusted) {
    testRun.errored(
      item,
      new vscode.TestMessage('Running a scenario runs this workspace\'s code, so it needs a trusted workspace (Manage Workspace Trust). Findings and hover still work.'),
    );
    return;
  }
  const started = Date.now();
  const document = await vscode.workspace.openTextDocument(uri);
  const { scenario, errors } = parseScenario(document.getText(), uri.fsPath);
  if (errors.length > 0 || !scenario) {
    testRun.errored(
      item,
      errors.map((error) => messageAt(error.message, uri, error.line, error.column, error.endColumn)),
      Date.now() - started,
    );
    return;
  }
  let simulation: SimulationRun;
  try {
    simulation = await simulateScenario(scenario, { timeLimitMs: settingTimeLimit() });
  } catch (error) {
    const message = error instanceof SimulationError ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
    testRun.errored(item, new vscode.TestMessage(message), Date.now() - started);
    return;
  }
  log.info(`${uri.fsPath}: ${simulation.sequence} → ${simulation.outcome}${simulation.expect ? ` (expected ${simulation.expect})` : ''}`);
  if (scenarioPassed(simulation)) {
    testRun.passed(item, Date.now() - started);
    return;
  }
  testRun.failed(item, failureMessage(simulation, document), Date.now() - started);
}

/** Expected against actual outcome, with what went wrong, at the scenario line of the step that did it (else the `expect` line). */
function failureMessage(simulation: SimulationRun, document: vscode.TextDocument): vscode.TestMessage {
  const reason = failureReason(simulation);
  const message = vscode.TestMessage.diff(
    `expected ${simulation.expect}, got ${simulation.outcome}${reason ? `: ${reason.text}` : ''}`,
    simulation.expect!,
    simulation.outcome,
  );
  const line = reason?.line ?? expectLine(document);
  if (line !== undefined) message.location = new vscode.Location(document.uri, document.lineAt(line - 1).range);
  return message;
}

/** The `expect` line, 1-based, where a failure with no step to blame is shown. */
function expectLine(document: vscode.TextDocument): number | undefined {
  for (let line = 0; line < document.lineCount; line++) if (/^\s*expect\b/.test(document.lineAt(line).text)) return line + 1;
  return undefined;
}

function messageAt(text: string, uri: vscode.Uri, line: number, column: number, endColumn: number): vscode.TestMessage {
  const message = new vscode.TestMessage(text);
  message.location = new vscode.Location(uri, new vscode.Range(line - 1, column - 1, line - 1, Math.max(column, endColumn) - 1));
  return message;
}
