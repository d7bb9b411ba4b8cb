// `.wakersim` syntax errors as editor diagnostics, updated as the user types.
// Parsing is the simulator's pure `parseScenario`, so the editor, the CLI and
// the Simulate command agree on what is an error.

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { scenarioModulePath } from '../simulate/engine';
import { parseScenario } from '../simulate/parse';

export function isScenarioDocument(document: vscode.TextDocument): boolean {
  return document.languageId === 'wakersim' || document.uri.path.endsWith('.wakersim');
}

export function registerScenarioDiagnostics(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection('wakersim');
  const update = (document: vscode.TextDocument) => {
    if (!isScenarioDocument(document)) return;
    collection.set(document.uri, scenarioDiagnostics(document));
  };
  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((event) => update(event.document)),
    vscode.workspace.onDidCloseTextDocument((document) => collection.delete(document.uri)),
  );
  vscode.workspace.textDocuments.forEach(update);
}

function scenarioDiagnostics(document: vscode.TextDocument): vscode.Diagnostic[] {
  const { scenario, errors } = parseScenario(document.getText(), document.uri.fsPath);
  const diagnostics = errors.map((error) => {
    const line = Math.min(error.line - 1, document.lineCount - 1);
    const range = new vscode.Range(line, error.column - 1, line, Math.max(error.endColumn - 1, error.column));
    const diagnostic = new vscode.Diagnostic(range, error.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'wakerscope';
    return diagnostic;
  });
  // A missing module is only known on disk; say so before the user runs it.
  if (scenario && document.uri.scheme === 'file') {
    const modulePath = scenarioModulePath(scenario);
    if (!fs.existsSync(modulePath)) {
      const { line, column } = scenario.moduleLocation ?? { line: 1, column: 1 };
      const range = new vscode.Range(line - 1, column - 1, line - 1, document.lineAt(line - 1).text.length);
      const diagnostic = new vscode.Diagnostic(range, `cannot find the module ${modulePath}`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'wakerscope';
      diagnostics.push(diagnostic);
    }
  }
  return diagnostics;
}
