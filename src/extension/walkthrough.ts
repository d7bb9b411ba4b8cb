// The walkthrough's one command of its own: open the seed example. The
// workspace's copy when it has one; else the copy the extension ships, written
// into the workspace (or shown unsaved when there is no folder).

import * as vscode from 'vscode';

const SEED = 'seed-box-waker.ts';

export function registerWalkthrough(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('wakerscope.openSeedExample', async () => {
      const [existing] = await vscode.workspace.findFiles(`**/${SEED}`, '**/node_modules/**', 1);
      const shipped = vscode.Uri.joinPath(context.extensionUri, 'media', 'walkthrough', SEED);
      const folder = vscode.workspace.workspaceFolders?.[0];
      let target = existing;
      if (!target && folder) {
        target = vscode.Uri.joinPath(folder.uri, SEED);
        await vscode.workspace.fs.copy(shipped, target);
      }
      const document = target
        ? await vscode.workspace.openTextDocument(target)
        : await vscode.workspace.openTextDocument({ language: 'typescript', content: new TextDecoder().decode(await vscode.workspace.fs.readFile(shipped)) });
      await vscode.window.showTextDocument(document, { preview: false });
      log.info(`opened the seed example: ${document.uri.toString()}`);
    }),
  );
}
