// "Show documentation for `<rule>`" on every Wakerscope diagnostic. The fixes
// and the suppression actions come from the tsserver plugin as code fixes; a
// link to a page is no edit, so it is offered here, from the diagnostic's code.

import * as vscode from 'vscode';
import { docsUrl, isRuleId, ruleByCode } from '../analysis/index';

export function registerRuleDocsActions(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(
      [{ language: 'typescript' }, { language: 'typescriptreact' }],
      { provideCodeActions: (_document, _range, { diagnostics }) => diagnostics.flatMap(docsAction) },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.commands.registerCommand('wakerscope.showRuleDocs', async (rule: unknown) => {
      if (typeof rule !== 'string' || !isRuleId(rule)) return void log.warn(`wakerscope.showRuleDocs: no rule named ${JSON.stringify(rule)}`);
      const url = docsUrl(rule);
      log.info(`opening the documentation of ${rule}: ${url}`);
      await vscode.env.openExternal(vscode.Uri.parse(url));
    }),
  );
}

function docsAction(diagnostic: vscode.Diagnostic): vscode.CodeAction[] {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  const rule = diagnostic.source === 'wakerscope' && code !== undefined ? ruleByCode(Number(code)) : undefined;
  if (!rule) return [];
  const action = new vscode.CodeAction(`Show documentation for \`${rule.id}\``, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.command = { command: 'wakerscope.showRuleDocs', title: action.title, arguments: [rule.id] };
  return [action];
}
