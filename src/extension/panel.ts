// The one simulation panel: created on first use, reused after, restored after a
// reload by a serializer. The webview keeps its own state (`setState`); VS Code
// hands it back to `deserializeWebviewPanel`, and we render it as the initial state.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Exploration, SimulationRun } from '../simulate/types';
import { renderPanelHtml } from '../webview/html';

export const PANEL_VIEW_TYPE = 'wakerscope.simulation';
const TITLE = 'Wakerscope Simulation';

/** Messages the webview sends. */
type FromWebview =
  | { readonly type: 'reveal'; readonly file: string; readonly line: number; readonly column: number }
  | { readonly type: 'openRun'; readonly sequence: string };

export interface PanelHandlers {
  /** Run `sequence` against the module and factory of what the panel shows. */
  openRun(sequence: string, source: RunSource): Promise<void>;
  log: vscode.LogOutputChannel;
}

/** Which module and factory the panel's runs come from, for `openRun`. */
export interface RunSource {
  readonly module: string;
  readonly factory: string;
}

export class SimulationPanel {
  private static current: SimulationPanel | undefined;
  private source: RunSource | undefined;
  /** Whether the webview has its HTML yet; a new panel gets it with its first content. */
  private rendered = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
  ) {
    configureWebview(panel.webview, extensionUri);
    panel.onDidDispose(() => {
      if (SimulationPanel.current === this) SimulationPanel.current = undefined;
    });
    panel.webview.onDidReceiveMessage((message: FromWebview) => void this.receive(message));
  }

  /** The panel, created beside the editor if there is none (its HTML comes with showRun/showExploration). */
  static show(extensionUri: vscode.Uri, handlers: PanelHandlers): SimulationPanel {
    if (SimulationPanel.current) {
      SimulationPanel.current.panel.reveal(undefined, true);
      return SimulationPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri));
    SimulationPanel.current = new SimulationPanel(panel, extensionUri, handlers);
    return SimulationPanel.current;
  }

  static registerSerializer(extensionUri: vscode.Uri, handlers: PanelHandlers): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        SimulationPanel.current?.panel.dispose();
        const restored = new SimulationPanel(panel, extensionUri, handlers);
        restored.source = sourceOf(state);
        restored.render(state ?? undefined);
        SimulationPanel.current = restored;
      },
    });
  }

  showRun(run: SimulationRun): void {
    this.source = { module: run.module, factory: run.factory };
    this.panel.title = `${TITLE}: ${run.outcome}`;
    this.display({ run, view: 'run', step: 0 }, { type: 'showRun', run });
  }

  showExploration(exploration: Exploration): void {
    this.source = { module: exploration.module, factory: exploration.factory };
    this.panel.title = `${TITLE}: explore ${exploration.factory}`;
    this.display({ exploration, view: 'exploration', step: 0 }, { type: 'showExploration', exploration });
  }

  /**
   * A new webview gets its content in its HTML (as its initial state), not by
   * message: VS Code hands a new webview the messages posted so far 200 ms after
   * writing its document, whether or not its script has loaded, so on a busy
   * machine the first run was lost and the panel stayed empty (found by the e2e
   * trust test). Later content goes by message, so a run opened from an
   * exploration keeps the way back to it.
   */
  private display(state: object, message: object): void {
    if (this.rendered) void this.panel.webview.postMessage(message);
    else this.render(state);
  }

  private render(state: unknown): void {
    this.panel.webview.html = html(this.panel.webview, this.extensionUri, state);
    this.rendered = true;
  }

  private async receive(message: FromWebview): Promise<void> {
    try {
      if (message?.type === 'reveal') await reveal(message.file, message.line, message.column);
      else if (message?.type === 'openRun') {
        if (!this.source) throw new Error('the panel does not know which module to run; run a command again');
        await this.handlers.openRun(message.sequence, this.source);
      } else this.handlers.log.warn(`unknown message from the panel: ${JSON.stringify(message)}`);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.handlers.log.error(text);
      void vscode.window.showErrorMessage(`Wakerscope: ${text}`);
    }
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

function configureWebview(webview: vscode.Webview, extensionUri: vscode.Uri): void {
  webview.options = webviewOptions(extensionUri);
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri, initialState: unknown): string {
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file)).toString();
  return renderPanelHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('hex'),
    scriptUri: media('webview.js'),
    styleUri: media('panel.css'),
    ...(initialState !== undefined ? { initialState } : {}),
  });
}

/** The module and factory of a restored panel's run or exploration, if its state has one. */
function sourceOf(state: unknown): RunSource | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  for (const value of Object.values(state as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null) {
      const { module, factory } = value as { module?: unknown; factory?: unknown };
      if (typeof module === 'string' && typeof factory === 'string') return { module, factory };
    }
  }
  return undefined;
}

/** Opens `file` with the cursor at 1-based `line`:`column`. */
async function reveal(file: string, line: number, column: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
  });
}
