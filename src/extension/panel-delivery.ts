// How the simulation panel's content reaches its webview, neither lost nor
// shown out of order. No vscode import: the state machine is tested alone.
//
// VS Code loses messages posted to a webview whose script has not loaded yet
// (1.99 flushes them ~200 ms after the HTML is set, loaded or not) and to a
// hidden one (without retainContextWhenHidden a hidden webview is destroyed,
// and reloaded from its saved state when shown again). So the webview says
// `ready`, with the revision it shows, every time its script has loaded; the
// extension keeps only the latest content, numbered by an increasing revision,
// and posts it when the webview is ready, visible and shows an older revision.
// The webview ignores any revision not newer than its own, so a repeated or
// late message cannot undo newer content or the user's step position.

import type { Exploration, SimulationRun } from '../simulate/types';

/** What the panel shows: a run, an exploration, or a run opened from an exploration (with the way back). */
export interface PanelContent {
  readonly run?: SimulationRun;
  readonly exploration?: Exploration;
  /** Which of the two is on screen. */
  readonly view: 'run' | 'exploration';
  /** 0-based index into `run.steps`. */
  readonly step: number;
}

/** The webview's state, saved with `setState`; VS Code hands it back after a reload. */
export interface PanelState extends Omit<PanelContent, 'view'> {
  readonly view: PanelContent['view'] | 'empty';
  /** The revision of the content this state started from; 0 before any. */
  readonly revision: number;
}

export type ToWebview = { readonly type: 'show'; readonly revision: number; readonly content: PanelContent };

export type FromWebview =
  | { readonly type: 'ready'; readonly shown: number }
  | { readonly type: 'reveal'; readonly file: string; readonly line: number; readonly column: number }
  | { readonly type: 'openRun'; readonly sequence: string }
  /** Save as Scenario on an exploration row: the extension looks the outcome up in the exploration it sent. */
  | { readonly type: 'saveScenario'; readonly sequence: string };

export const EMPTY_STATE: PanelState = { view: 'empty', step: 0, revision: 0 };

/** A saved state as the webview or the serializer got it back: anything malformed falls back to empty. */
export function readPanelState(saved: unknown): PanelState {
  if (typeof saved !== 'object' || saved === null) return EMPTY_STATE;
  const { run, exploration, view, step, revision } = saved as Record<string, unknown>;
  const hasRun = typeof run === 'object' && run !== null;
  const hasExploration = typeof exploration === 'object' && exploration !== null;
  const shown = view === 'run' && hasRun ? 'run' : view === 'exploration' && hasExploration ? 'exploration' : hasRun ? 'run' : hasExploration ? 'exploration' : 'empty';
  return {
    ...(hasRun ? { run: run as SimulationRun } : {}),
    ...(hasExploration ? { exploration: exploration as Exploration } : {}),
    view: shown,
    step: typeof step === 'number' && Number.isInteger(step) && step >= 0 ? step : 0,
    revision: typeof revision === 'number' && Number.isInteger(revision) && revision >= 0 ? revision : 0,
  };
}

/** A run to show; an exploration already known stays one click away ("Back to exploration"). */
export function runContent(run: SimulationRun, previous: PanelContent | undefined): PanelContent {
  return { run, ...(previous?.exploration ? { exploration: previous.exploration } : {}), view: 'run', step: 0 };
}

export function explorationContent(exploration: Exploration): PanelContent {
  return { exploration, view: 'exploration', step: 0 };
}

export class PanelDelivery {
  private latest: { readonly revision: number; readonly content: PanelContent } | undefined;
  private lastRevision: number;
  /** The revision the live webview reported (ready) or was last sent; undefined until it is ready. */
  private webviewRevision: number | undefined;
  private visible: boolean;

  /**
   * @param post sends a message to the webview (VS Code's `webview.postMessage`)
   * @param visible whether the panel is visible now
   * @param restored the state a restored panel's webview saved, so revisions go on from it
   */
  constructor(
    private readonly post: (message: ToWebview) => void,
    visible: boolean,
    restored: PanelState = EMPTY_STATE,
  ) {
    this.visible = visible;
    this.lastRevision = restored.revision;
    if (restored.view !== 'empty') {
      const { revision, ...content } = restored;
      this.latest = { revision, content: content as PanelContent };
    }
  }

  /** The content the panel shows, or will as soon as its webview can take it. */
  get content(): PanelContent | undefined {
    return this.latest?.content;
  }

  /** Makes `content` the latest; returns its revision. */
  show(content: PanelContent): number {
    this.latest = { revision: ++this.lastRevision, content };
    this.flush();
    return this.lastRevision;
  }

  /** The webview's script has loaded (again) and shows revision `shown`. */
  ready(shown: number): void {
    this.webviewRevision = shown;
    // A restored webview may know a later revision than a restarted extension host.
    this.lastRevision = Math.max(this.lastRevision, shown);
    this.flush();
  }

  /**
   * When the panel shows again, post at once: a webview kept alive gets it now;
   * a reloaded one may lose it, but then says ready, and gets it again.
   */
  visibilityChanged(visible: boolean): void {
    this.visible = visible;
    this.flush();
  }

  private flush(): void {
    if (!this.visible || this.webviewRevision === undefined || !this.latest) return;
    if (this.latest.revision <= this.webviewRevision) return;
    this.webviewRevision = this.latest.revision;
    this.post({ type: 'show', revision: this.latest.revision, content: this.latest.content });
  }
}

/**
 * Numbers the commands that end by showing something, so that a slow earlier
 * one cannot replace the result of one the user started after it.
 */
export class LatestRequest {
  private started = 0;

  /** Call as a command starts; the result tells, once it has its content, whether it is still the latest. */
  start(): () => boolean {
    const mine = ++this.started;
    return () => mine === this.started;
  }
}
