// The walkthrough's commands of its own: open the seed example, and explore
// its vtable. The workspace's copy of the seed when it has one; else the copy
// the extension ships, written into the workspace (or shown unsaved when there
// is no folder). Exploring needs a file on disk and a TypeScript editor, which
// a click in the walkthrough does not have: the command opens the seed first.

import * as vscode from 'vscode';

const SEED = 'seed-box-waker.ts';
const SEED_FACTORY = 'createRawWaker';

export function registerWalkthrough(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const openSeed = async (): Promise<vscode.TextDocument> => {
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
    return document;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('wakerscope.openSeedExample', async () => void (await openSeed())),
    vscode.commands.registerCommand('wakerscope.exploreSeedExample', async () => {
      const seed = await openSeed();
      // Explore Vtable itself asks for trust and says why a document it cannot explore (unsaved, no folder) is refused.
      await vscode.commands.executeCommand('wakerscope.exploreVtable', seed.uri, [SEED_FACTORY]);
    }),
  );
}
