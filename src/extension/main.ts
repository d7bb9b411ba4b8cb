// The VS Code extension: a thin host. Findings, hover text and quick fixes come
// from the tsserver plugin (contributed in package.json and loaded by VS Code's
// own TypeScript support); this module only hands the plugin its settings,
// shows `.wakersim` syntax errors, runs the simulation commands, and offers
// scenarios to the Test Explorer.

import * as vscode from 'vscode';
import { registerRuleDocsActions } from './code-actions';
import { registerLanguageStatus } from './status';
import { registerWalkthrough } from './walkthrough';
import { registerWorkspaceCheck } from './workspace-check';
import { registerScenarioDiagnostics } from './diagnostics';
import { registerScenarioTests } from './scenario-tests';
import { PLUGIN_NAME, pluginConfiguration } from './settings';
import { registerSimulation } from './simulation';

const TYPESCRIPT_EXTENSION = 'vscode.typescript-language-features';

/** The part of the TypeScript extension's API we use (`getAPI(0)`). */
interface TypeScriptApi {
  configurePlugin(pluginId: string, configuration: unknown): void;
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Wakerscope', { log: true });
  context.subscriptions.push(log);
  log.info(`Wakerscope ${context.extension.packageJSON.version} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted'})`);

  void configureTsPlugin(log);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('wakerscope')) void configureTsPlugin(log);
    }),
    vscode.commands.registerCommand('wakerscope.showLog', () => log.show()),
  );
  registerScenarioDiagnostics(context);
  registerRuleDocsActions(context, log);
  registerWorkspaceCheck(context, log);
  registerLanguageStatus(context);
  registerWalkthrough(context, log);
  registerSimulation(context, log);
  registerScenarioTests(context, log);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** Sends the `wakerscope.*` settings to the tsserver plugin; logs why when it cannot. */
async function configureTsPlugin(log: vscode.LogOutputChannel): Promise<void> {
  try {
    const extension = vscode.extensions.getExtension<{ getAPI?(version: 0): TypeScriptApi | undefined }>(TYPESCRIPT_EXTENSION);
    if (!extension) {
      log.warn(`${TYPESCRIPT_EXTENSION} is not installed or disabled: findings in TypeScript files need VS Code's built-in TypeScript support`);
      return;
    }
    const exports = extension.isActive ? extension.exports : await extension.activate();
    const api = exports?.getAPI?.(0);
    if (!api) {
      log.warn(`${TYPESCRIPT_EXTENSION} does not offer getAPI(0): the plugin keeps its tsconfig.json settings`);
      return;
    }
    const settings = vscode.workspace.getConfiguration('wakerscope');
    const { configuration, problems } = pluginConfiguration((key) => settings.get(key));
    for (const problem of problems) log.warn(problem);
    api.configurePlugin(PLUGIN_NAME, configuration);
    log.info(`tsserver plugin configured: ${JSON.stringify(configuration)}`);
  } catch (error) {
    log.error(`could not configure the tsserver plugin: ${error instanceof Error ? error.message : String(error)}`);
  }
}
