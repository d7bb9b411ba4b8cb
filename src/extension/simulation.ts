// The simulation commands: Simulate Scenario, Explore Vtable (also a code lens
// above each `new RawWakerVTable`), Simulate Selected Sequence. They run the
// workspace's code, so each first checks Workspace Trust and explains itself
// when the workspace is not trusted.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_DEPTH, DEFAULT_TIME_LIMIT_MS, scenarioModulePath, simulateScenario, simulateSequence } from '../simulate/engine';
import { ExplorationCancelled, explore } from '../simulate/explore';
import { formatParseError, parseScenario, parseSequence } from '../simulate/parse';
import type { Exploration, ScenarioOp } from '../simulate/types';
import { isScenarioDocument } from './diagnostics';
import type * as ts from 'typescript';
import { factoriesUsing, findFactories, findVtables, type Factory } from '../analysis/index';
import { typescript } from './typescript';
import { SimulationPanel, type PanelHandlers, type RunSource } from './panel';
import { LatestRequest } from './panel-delivery';

const TYPESCRIPT_FILES: vscode.DocumentSelector = [
  { language: 'typescript', scheme: 'file' },
  { language: 'typescriptreact', scheme: 'file' },
];

/** A user-facing, one-line reason a command cannot go on. */
class CommandError extends Error {}

export function registerSimulation(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const handlers: PanelHandlers = {
    log,
    openRun: async (sequence, source) => {
      const ops = parseSequenceOrThrow(sequence, 'the sequence');
      await runSequence(source, ops);
    },
  };
  // Simulations run concurrently; the one the user started last is the one shown.
  const latest = new LatestRequest();
  const showIfLatest = (isLatest: () => boolean, what: string, show: (panel: SimulationPanel) => void) => {
    if (isLatest()) show(SimulationPanel.show(context.extensionUri, handlers));
    else log.info(`${what} not shown: a later simulation was started meanwhile`);
  };

  const runSequence = async (source: RunSource, ops: readonly ScenarioOp[]) => {
    const isLatest = latest.start();
    const run = await withProgress(`simulating ${source.factory}`, () => simulateSequence(source.module, source.factory, ops, limits()));
    log.info(`${source.module} ${source.factory}: ${run.sequence} → ${run.outcome}`);
    showIfLatest(isLatest, run.sequence, (panel) => panel.showRun(run));
  };

  const lensesChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(
    SimulationPanel.registerSerializer(context.extensionUri, handlers),
    command('wakerscope.simulateScenario', log, async (uri?: unknown) => {
      const document = await scenarioDocument(uri instanceof vscode.Uri ? uri : undefined);
      if (!document) return;
      await saveIfDirty(document);
      const { scenario, errors } = parseScenario(document.getText(), document.uri.fsPath);
      if (errors.length > 0 || !scenario) throw new CommandError(formatParseError(vscode.workspace.asRelativePath(document.uri), errors[0]));
      const isLatest = latest.start();
      const run = await withProgress(`simulating ${path.basename(document.uri.fsPath)}`, () => simulateScenario(scenario, limits()));
      log.info(`${document.uri.fsPath}: ${run.sequence} → ${run.outcome}${run.expect ? ` (expected ${run.expect})` : ''}`);
      showIfLatest(isLatest, run.sequence, (panel) => panel.showRun(run));
    }),
    command('wakerscope.exploreVtable', log, async (uri?: unknown, factoryNames?: unknown) => {
      const document = await typescriptDocument(uri instanceof vscode.Uri ? uri : undefined);
      const names = Array.isArray(factoryNames) ? factoryNames.filter((n): n is string => typeof n === 'string') : undefined;
      const factory = await pickFactory(document, names);
      if (!factory) return;
      await saveIfDirty(document);
      const depth = vscode.workspace.getConfiguration('wakerscope').get<number>('exploration.depth', DEFAULT_DEPTH);
      const isLatest = latest.start();
      const exploration = await exploreWithProgress(document.uri.fsPath, factory, depth);
      if (!exploration) return void log.info(`${document.uri.fsPath} ${factory}: exploration cancelled`);
      log.info(`${document.uri.fsPath} ${factory}: ${exploration.explored} sequences, outcomes ${exploration.outcomes.map((o) => o.outcome).join(', ')}`);
      // A module whose state the explorer cannot read runs every sequence, to depth 6 at most: say so, as the CLI does.
      if (exploration.reduction?.kind === 'none') {
        log.info(`${document.uri.fsPath} ${factory}: every sequence run: ${exploration.reduction.reason}`);
        if (exploration.depth < depth) void vscode.window.showWarningMessage(`Wakerscope: ${factory} explored to depth ${exploration.depth}, not ${depth}: ${exploration.reduction.reason}`);
      }
      showIfLatest(isLatest, `the exploration of ${factory}`, (panel) => panel.showExploration(exploration));
    }),
    command('wakerscope.simulateSelection', log, async () => {
      const editor = vscode.window.activeTextEditor;
      const selected = editor?.document.getText(editor.selection).trim();
      if (!editor || !selected) throw new CommandError('select a sequence first, e.g. `new; clone 0; wake 0; drop 1`');
      const ops = parseSequenceOrThrow(selected, 'the selected sequence');
      let source: RunSource | undefined;
      if (isScenarioDocument(editor.document)) {
        const { scenario } = parseScenario(editor.document.getText(), editor.document.uri.fsPath);
        if (!scenario) throw new CommandError(`${vscode.workspace.asRelativePath(editor.document.uri)} has no valid \`use\` line naming the module and factory`);
        source = { module: scenarioModulePath(scenario), factory: scenario.factory };
      } else {
        const document = await typescriptDocument(editor.document.uri);
        const factory = await pickFactory(document, undefined);
        if (!factory) return;
        await saveIfDirty(document);
        source = { module: document.uri.fsPath, factory };
      }
      await runSequence(source, ops);
    }),
    lensesChanged,
    vscode.languages.registerCodeLensProvider(TYPESCRIPT_FILES, { provideCodeLenses: vtableCodeLenses, onDidChangeCodeLenses: lensesChanged.event }),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('wakerscope.codeLens.enable') && lensesChanged.fire()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lensesChanged.fire()),
  );
}

/** Registers a command that needs trust, turning thrown errors into one-line messages. */
function command(id: string, log: vscode.LogOutputChannel, run: (...args: unknown[]) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showInformationMessage(
        'Wakerscope: simulation runs this workspace\'s code, so it is disabled until you trust the workspace. Findings, hover and quick fixes still work.',
        manage,
      );
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    try {
      await run(...args);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      log.error(`${id}: ${text}`);
      if (!(error instanceof CommandError) && error instanceof Error && error.stack) log.debug(error.stack);
      void vscode.window.showErrorMessage(`Wakerscope: ${text}`);
    }
  });
}

function limits(): { timeLimitMs: number } {
  return { timeLimitMs: vscode.workspace.getConfiguration('wakerscope').get<number>('simulation.timeLimitMs', DEFAULT_TIME_LIMIT_MS) };
}

function withProgress<T>(title: string, task: () => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Wakerscope: ${title}…` }, task));
}

/**
 * An exploration behind a cancellable progress notification that fills as the
 * sequences (counted up front) run; undefined when the user cancels it, which
 * stops the worker.
 */
function exploreWithProgress(module: string, factory: string, depth: number): Thenable<Exploration | undefined> {
  const title = `Wakerscope: exploring ${factory} to depth ${depth}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    try {
      return await explore(module, factory, {
        ...limits(),
        depth,
        signal: controller.signal,
        onProgress: (done, total) => {
          // Whole percents only: a notification update per run would flood the renderer.
          const percent = Math.floor((done / total) * 100);
          if (percent === reported) return;
          progress.report({ increment: percent - reported, message: `${done} of ${total} sequences` });
          reported = percent;
        },
      });
    } catch (error) {
      if (error instanceof ExplorationCancelled) return undefined;
      throw error;
    } finally {
      subscription.dispose();
    }
  });
}

function parseSequenceOrThrow(text: string, what: string): ScenarioOp[] {
  const { ops, errors } = parseSequence(text);
  if (errors.length > 0) throw new CommandError(`${what}, column ${errors[0].column}: ${errors[0].message}`);
  return ops;
}

/** The simulator reads files from disk: run what the user sees. */
async function saveIfDirty(document: vscode.TextDocument): Promise<void> {
  if (document.isDirty && !(await document.save())) throw new CommandError(`could not save ${vscode.workspace.asRelativePath(document.uri)} before simulating it`);
}

/** The given scenario, the active one, or one picked from the workspace's `*.wakersim` files. */
async function scenarioDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri) return vscode.workspace.openTextDocument(uri);
  const active = vscode.window.activeTextEditor?.document;
  if (active && isScenarioDocument(active)) return active;
  const files = await vscode.workspace.findFiles('**/*.wakersim', '**/node_modules/**', 500);
  if (files.length === 0) throw new CommandError('no .wakersim scenario in this workspace: create one (see the README) or open one');
  const items = files
    .map((file) => ({ label: vscode.workspace.asRelativePath(file), uri: file }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'Scenario to simulate' });
  return picked ? vscode.workspace.openTextDocument(picked.uri) : undefined;
}

async function typescriptDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument> {
  const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!document || !/^typescript(?:react)?$/.test(document.languageId)) {
    throw new CommandError('open the TypeScript file that exports the vtable factory (a function returning a RawWaker or a Waker)');
  }
  if (document.uri.scheme !== 'file') throw new CommandError(`${document.uri.toString()} is not a file on disk; save it first`);
  return document;
}

/** `names` (from a code lens) narrows the choice; one candidate is taken without asking. */
async function pickFactory(document: vscode.TextDocument, names: readonly string[] | undefined): Promise<string | undefined> {
  const typescriptModule = typescript();
  let factories: Factory[] = findFactories(typescriptModule, syntaxOf(typescriptModule, document));
  if (names && names.length > 0) factories = factories.filter((f) => names.includes(f.name));
  const file = vscode.workspace.asRelativePath(document.uri);
  if (factories.length === 0) {
    throw new CommandError(`${file} exports no function that takes no arguments and returns a RawWaker or a Waker (the factory to simulate)`);
  }
  if (factories.length === 1) return factories[0].name;
  const picked = await vscode.window.showQuickPick(
    factories.map((f) => ({ label: f.name, description: f.returns ? `returns ${f.returns}` : undefined, detail: `${file}:${f.position.line + 1}` })),
    { placeHolder: 'Vtable factory to simulate' },
  );
  return picked?.label;
}

/** The document's syntax tree (no type check: a lens must not wait for one). */
function syntaxOf(typescriptModule: typeof ts, document: vscode.TextDocument): ts.SourceFile {
  const kind = document.languageId === 'typescriptreact' ? typescriptModule.ScriptKind.TSX : typescriptModule.ScriptKind.TS;
  return typescriptModule.createSourceFile(document.fileName, document.getText(), typescriptModule.ScriptTarget.Latest, true, kind);
}

function vtableCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
  // A lens runs the workspace's code: none until the workspace is trusted, nor when switched off.
  if (!vscode.workspace.isTrusted || !vscode.workspace.getConfiguration('wakerscope').get<boolean>('codeLens.enable', true)) return [];
  if (!document.getText().includes('RawWakerVTable')) return [];
  const typescriptModule = typescript();
  const file = syntaxOf(typescriptModule, document);
  const factories = findFactories(typescriptModule, file);
  if (factories.length === 0) return [];
  return findVtables(typescriptModule, file).map((site) => {
    const candidates = factoriesUsing(typescriptModule, factories, site);
    const position = new vscode.Position(site.position.line, site.position.character);
    return new vscode.CodeLens(new vscode.Range(position, position), {
      title: candidates.length === 1 ? `Explore vtable with ${candidates[0].name}()` : 'Explore vtable…',
      command: 'wakerscope.exploreVtable',
      arguments: [document.uri, candidates.map((f) => f.name)],
    });
  });
}
