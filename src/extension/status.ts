// The language status item on TypeScript files (the `{}` in the status bar):
// whether the tsserver plugin is on, which rules are off, and when the file's
// findings last came back. It opens the log; when the plugin is off, the settings.

import * as vscode from 'vscode';
import { pluginConfiguration } from './settings';

const TYPESCRIPT: vscode.DocumentSelector = [{ language: 'typescript' }, { language: 'typescriptreact' }];

export function registerLanguageStatus(context: vscode.ExtensionContext): void {
  const item = vscode.languages.createLanguageStatusItem('wakerscope.status', TYPESCRIPT);
  item.name = 'Wakerscope';
  /** When each file's Wakerscope diagnostics last arrived from tsserver (the plugin's analysis). */
  const analysedAt = new Map<string, Date>();

  const update = () => {
    const settings = vscode.workspace.getConfiguration('wakerscope');
    const { configuration } = pluginConfiguration((key) => settings.get(key));
    const off = Object.entries(configuration.rules).filter(([, level]) => level === 'off').map(([rule]) => rule);
    if (!configuration.enable) {
      item.text = '$(circle-slash) Wakerscope off';
      item.detail = 'wakerscope.enable is false';
      item.severity = vscode.LanguageStatusSeverity.Warning;
      item.command = { command: 'workbench.action.openSettings', title: 'Open Settings', arguments: ['wakerscope.enable'] };
      return;
    }
    const document = vscode.window.activeTextEditor?.document;
    const at = document ? analysedAt.get(document.uri.toString()) : undefined;
    item.text = '$(check) Wakerscope';
    item.detail = [
      'plugin active',
      off.length > 0 ? `${off.length} rule${off.length === 1 ? '' : 's'} off (${off.join(', ')})` : 'all rules on',
      at ? `last analysis ${at.toLocaleTimeString()}` : 'not analysed yet',
    ].join(' · ');
    item.severity = vscode.LanguageStatusSeverity.Information;
    item.command = { command: 'wakerscope.showLog', title: 'Show Log' };
  };

  context.subscriptions.push(
    item,
    vscode.languages.onDidChangeDiagnostics(({ uris }) => {
      const now = new Date();
      for (const uri of uris) if (/\.[cm]?tsx?$/.test(uri.path)) analysedAt.set(uri.toString(), now);
      update();
    }),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('wakerscope') && update()),
  );
  update();
}
