// The one simulation panel: created on first use, reused after, restored after a
// reload by a serializer. What it shows reaches the webview through a
// PanelDelivery (see panel-delivery.ts): the latest content, numbered, sent when
// the webview says it is ready and whenever the panel shows again.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Exploration, SimulationRun } from '../simulate/types';
import { renderPanelHtml } from '../webview/html';
import { scenarioFor } from './save-scenario';
import { explorationContent, PanelDelivery, readPanelState, runContent, type FromWebview, type PanelState } from './panel-delivery';

const PANEL_VIEW_TYPE = 'wakerscope.simulation';
const TITLE = 'Wakerscope Simulation';

export interface PanelHandlers {
  /** Run `sequence` against the module and factory of the exploration the panel shows. */
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
  private readonly delivery: PanelDelivery;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
    restored?: PanelState,
  ) {
    this.delivery = new PanelDelivery((message) => void panel.webview.postMessage(message), panel.visible, restored);
    panel.webview.options = webviewOptions(extensionUri);
    panel.onDidDispose(() => {
      if (SimulationPanel.current === this) SimulationPanel.current = undefined;
    });
    panel.onDidChangeViewState(({ webviewPanel }) => this.delivery.visibilityChanged(webviewPanel.visible));
    panel.webview.onDidReceiveMessage((message: FromWebview) => void this.receive(message));
    // Listen first, then load the script: its `ready` must find us listening.
    panel.webview.html = html(panel.webview, extensionUri);
  }

  /** The panel, revealed beside the editor, or created there if there is none. */
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
        // The webview restores itself from the same state (getState); the delivery
        // keeps it too, to resend if the webview comes back without it.
        SimulationPanel.current = new SimulationPanel(panel, extensionUri, handlers, readPanelState(state));
      },
    });
  }

  showRun(run: SimulationRun): void {
    this.panel.title = `${TITLE}: ${run.outcome}`;
    this.delivery.show(runContent(run, this.delivery.content));
  }

  showExploration(exploration: Exploration): void {
    this.panel.title = `${TITLE}: explore ${exploration.factory}`;
    this.delivery.show(explorationContent(exploration));
  }

  private async receive(message: FromWebview): Promise<void> {
    try {
      if (message?.type === 'ready') this.delivery.ready(typeof message.shown === 'number' ? message.shown : 0);
      else if (message?.type === 'reveal') await reveal(message.file, message.line, message.column);
      else if (message?.type === 'openRun') {
        // Runs are opened from the exploration table: run them against its module and factory.
        const exploration = this.delivery.content?.exploration;
        if (!exploration) throw new Error('the panel does not know which exploration the run belongs to; run Explore Vtable again');
        await this.handlers.openRun(message.sequence, { module: exploration.module, factory: exploration.factory });
      } else if (message?.type === 'saveScenario') {
        const exploration = this.delivery.content?.exploration;
        if (!exploration) throw new Error('the panel does not know which exploration the row belongs to; run Explore Vtable again');
        await saveScenario(exploration, message.sequence, this.handlers.log);
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

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file)).toString();
  return renderPanelHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('hex'),
    scriptUri: media('webview.js'),
    styleUri: media('panel.css'),
    codiconsUri: media('codicons/codicon.css'),
  });
}

/** Writes the row's sequence as a `.wakersim` regression file beside the module, and opens it. */
async function saveScenario(exploration: Exploration, sequence: string, log: vscode.LogOutputChannel): Promise<void> {
  const row = exploration.outcomes.find((o) => o.sequence === sequence) ?? exploration.all?.find((o) => o.sequence === sequence);
  if (!row) throw new Error(`${sequence} is not a sequence of this exploration`);
  const saved = scenarioFor(exploration.module, exploration.factory, sequence, row.outcome, fs.existsSync);
  await vscode.workspace.fs.writeFile(vscode.Uri.file(saved.file), new TextEncoder().encode(saved.text));
  log.info(`saved ${sequence} (${row.outcome}) as ${saved.file}`);
  await vscode.window.showTextDocument(vscode.Uri.file(saved.file), { viewColumn: vscode.ViewColumn.One });
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
