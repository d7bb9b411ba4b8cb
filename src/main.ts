// The package's `main`, loaded two ways. VS Code calls `activate`/`deactivate`;
// tsserver, in any editor, resolves a tsconfig `"plugins": [{ "name": "wakerscope" }]`
// entry to this file and calls the module itself as a plugin factory. Each side
// loads only its own bundle, so tsserver never touches `vscode`.

import type * as ts from 'typescript';

type PluginModule = (modules: { typescript: typeof ts }) => ts.server.PluginModule;
// The context is VS Code's ExtensionContext, passed through untouched: only src/extension knows `vscode`.
type ExtensionModule = { activate(context: unknown): void; deactivate(): void };

function wakerscope(modules: { typescript: typeof ts }): ts.server.PluginModule {
  return (require('./tsserver/index.js') as PluginModule)(modules);
}

wakerscope.activate = (context: unknown): void => (require('./extension/main.js') as ExtensionModule).activate(context);
wakerscope.deactivate = (): void => (require('./extension/main.js') as ExtensionModule).deactivate();

export = wakerscope;
