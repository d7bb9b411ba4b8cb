// The simulation panel (browser code, bundled to media/webview.js). Plain DOM,
// no dependencies. Shows a run as a timeline plus an SVG heap diagram of the
// current step, or an exploration as a table of outcomes. All text goes in via
// textContent, never innerHTML: messages carry user-controlled strings.
// Content comes by message, after this script says `ready` (the protocol is in
// src/extension/panel-delivery.ts).

import { readPanelState, type FromWebview, type PanelState, type ToWebview } from '../extension/panel-delivery';
import { rustSlot, rustStatement } from './rust';
import { isProblemOutcome, type CellSnapshot, type Exploration, type HandleSnapshot, type Location, type Outcome, type SimulationRun, type StepResult, type ViolationReport } from '../simulate/types';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

// Outside VS Code (a plain browser, a test page without the stub) nothing is posted or kept.
const vscode: VsCodeApi =
  typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage() {}, getState: () => undefined, setState() {} };

const PLAY_INTERVAL_MS = 900;
const MAX_LISTED_SEQUENCES = 1000;
const SVG_NS = 'http://www.w3.org/2000/svg';

// A webview hidden and shown again, or restored after a reload, starts from its saved state.
let state: PanelState = readPanelState(vscode.getState());
let playTimer: ReturnType<typeof setInterval> | undefined;

function setState(next: PanelState): void {
  state = next;
  vscode.setState(state);
  render();
}

// ---- DOM helpers --------------------------------------------------------------

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

function svg(tag: string, attributes: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) if (child) element.append(child);
  return element;
}

function button(label: string, attributes: Record<string, string>, onClick: () => void): HTMLButtonElement {
  const element = h('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', onClick);
  return element;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function reveal(location: Location): void {
  vscode.postMessage({ type: 'reveal', file: location.file, line: location.line, column: location.column });
}

/** A clickable `file.ts:17:3` that reveals the place in the editor. */
function locationLink(location: Location | undefined, label?: string, fileOnly = false): HTMLElement | null {
  if (!location) return null;
  const text = fileOnly ? baseName(location.file) : `${baseName(location.file)}:${location.line}:${location.column}`;
  return button(label ? `${label} ${text}` : text, { class: 'location', title: `Open ${location.file}:${location.line}:${location.column}`, 'aria-label': `Open ${text}` }, () =>
    reveal(location),
  );
}

function announce(text: string): void {
  const announcer = document.getElementById('announcer');
  if (announcer) announcer.textContent = text;
}

/** Text with `backticked` names set as code. */
function richText(text: string): Node[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? h('code', {}, part) : document.createTextNode(part)));
}

function outcomeBadge(outcome: Outcome): HTMLElement {
  return h('span', { class: `badge outcome-${isProblemOutcome(outcome) ? 'violation' : outcome}` }, outcome);
}

// ---- navigation ------------------------------------------------------------------

function stepCount(): number {
  return state.run?.steps.length ?? 0;
}

function goTo(step: number): void {
  if (state.view !== 'run' || stepCount() === 0) return;
  const clamped = Math.max(0, Math.min(stepCount() - 1, step));
  if (clamped !== state.step) setState({ ...state, step: clamped });
  const current = state.run!.steps[clamped];
  announce(`Step ${current.step} of ${stepCount()}: ${current.text}`);
}

function togglePlay(): void {
  if (playTimer !== undefined) return stopPlaying();
  if (state.step >= stepCount() - 1) goTo(0);
  playTimer = setInterval(() => {
    if (state.step >= stepCount() - 1) return stopPlaying();
    goTo(state.step + 1);
  }, PLAY_INTERVAL_MS);
  render();
}

function stopPlaying(): void {
  if (playTimer === undefined) return;
  clearInterval(playTimer);
  playTimer = undefined;
  render();
}

document.addEventListener('keydown', (event) => {
  if (state.view !== 'run' || event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target as HTMLElement | null;
  const onOtherButton = target?.tagName === 'BUTTON' && target.id !== 'play';
  const keys: Record<string, () => void> = {
    ArrowLeft: () => goTo(state.step - 1),
    ArrowUp: () => goTo(state.step - 1),
    ArrowRight: () => goTo(state.step + 1),
    ArrowDown: () => goTo(state.step + 1),
    Home: () => goTo(0),
    End: () => goTo(stepCount() - 1),
  };
  // Space plays, except on another button, where it keeps its usual meaning (press).
  if (event.key === ' ' && !onOtherButton) keys[' '] = togglePlay;
  const action = keys[event.key];
  if (!action) return;
  event.preventDefault();
  if (event.key !== ' ') stopPlaying();
  action();
});

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  // Only newer content: a repeated or late message must not undo newer content or the user's step.
  if (message?.type !== 'show' || typeof message.revision !== 'number' || message.revision <= state.revision) return;
  stopPlaying();
  setState({ ...message.content, revision: message.revision });
});

// ---- rendering ---------------------------------------------------------------------

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  // Keep keyboard focus across re-renders: re-focus the control with the same key.
  const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
  app.replaceChildren(...(state.view === 'run' && state.run ? renderRun(state.run) : state.view === 'exploration' && state.exploration ? renderExploration(state.exploration) : renderEmpty()));
  if (focusKey) app.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}

function renderEmpty(): Node[] {
  return [h('p', { class: 'empty' }, 'Run ', h('strong', {}, 'Wakerscope: Simulate Scenario'), ' or ', h('strong', {}, 'Wakerscope: Explore Vtable'), ' to see a run here.')];
}

function renderRun(run: SimulationRun): Node[] {
  const index = Math.max(0, Math.min(run.steps.length - 1, state.step));
  const current = run.steps[index];
  const expectation = run.expect
    ? h('span', { class: run.expect === run.outcome ? 'expect met' : 'expect unmet' }, run.expect === run.outcome ? 'as expected' : `expected ${run.expect}`)
    : null;
  const header = h(
    'header',
    { class: 'summary' },
    h('h1', {}, outcomeBadge(run.outcome), ' ', h('code', { class: 'sequence' }, run.sequence)),
    h('p', { class: 'meta' }, `${run.factory} from `, locationLink({ file: run.module, line: 1, column: 1 }, undefined, true), ' ', expectation),
    state.exploration ? button('← Back to exploration', { class: 'secondary', 'data-focus-key': 'back-to-exploration' }, () => setState({ ...state, view: 'exploration' })) : null,
  );
  if (!current) return [header, h('p', { class: 'empty' }, 'This run has no steps.')];
  return [header, renderControls(run, index), h('div', { class: 'layout' }, renderTimeline(run, index), renderStep(run, current)), ...renderLeaks(run, index)];
}

/** A codicon (VS Code's icon font, media/codicons): the same glyphs as the workbench's own buttons. */
function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

function renderControls(run: SimulationRun, index: number): HTMLElement {
  const last = run.steps.length - 1;
  const playing = playTimer !== undefined;
  const control = (iconName: string, key: string, aria: string, disabled: boolean, action: () => void) => {
    const element = button('', { class: 'control', 'data-focus-key': key, 'aria-label': aria, title: aria, ...(key === 'play' ? { id: 'play' } : {}) }, action);
    element.append(icon(iconName));
    element.disabled = disabled;
    return element;
  };
  return h(
    'nav',
    { class: 'controls', 'aria-label': 'Playback' },
    control('arrow-left', 'first', 'First step (Home)', index === 0, () => goTo(0)),
    control('chevron-left', 'back', 'Previous step (Left arrow)', index === 0, () => goTo(index - 1)),
    control(playing ? 'debug-pause' : 'play', 'play', playing ? 'Pause (Space)' : 'Play (Space)', false, togglePlay),
    control('chevron-right', 'forward', 'Next step (Right arrow)', index === last, () => goTo(index + 1)),
    control('arrow-right', 'last', 'Last step (End)', index === last, () => goTo(last)),
    h('span', { class: 'position', 'aria-hidden': 'true' }, `Step ${run.steps[index].step} of ${run.steps.length}`),
  );
}

function renderTimeline(run: SimulationRun, index: number): HTMLElement {
  return h(
    'ol',
    { class: 'timeline', 'aria-label': 'Steps' },
    ...run.steps.map((step, i) => {
      const bad = step.violations.length > 0 || step.error !== undefined;
      const slot = step.slots[0] ? ` → ${step.slots[0].function}` : '';
      const rust = rustStatement(step, run.factory);
      const item = button(
        '',
        {
          class: `step${i === index ? ' current' : ''}${bad ? ' bad' : ''}${i > index ? ' future' : ''}`,
          'data-focus-key': `step-${i}`,
          'aria-label': `Step ${step.step}: ${step.text}${slot}, in Rust ${rust}${bad ? ', violation' : ''}`,
          ...(i === index ? { 'aria-current': 'step' } : {}),
        },
        () => {
          stopPlaying();
          goTo(i);
          const location = step.location ?? step.slots[0]?.location;
          if (location) reveal(location);
        },
      );
      item.append(h('span', { class: 'number' }, String(step.step)), h('code', { class: 'op' }, step.text), h('span', { class: 'slot' }, slot));
      if (bad) item.append(h('span', { class: 'mark codicon codicon-error', 'aria-hidden': 'true' }));
      item.append(h('code', { class: 'rust', title: 'The Rust this step stands for' }, rust));
      return h('li', {}, item);
    }),
  );
}

function renderStep(run: SimulationRun, step: StepResult): HTMLElement {
  const violations = step.violations.map((i) => run.violations[i]).filter(Boolean);
  return h(
    'section',
    { class: 'detail', 'aria-label': `Step ${step.step} details` },
    h('h2', {}, `Step ${step.step}: `, h('code', {}, step.text), ' ', locationLink(step.location)),
    h('p', { class: 'rust-line' }, h('span', { class: 'label' }, 'Rust '), h('code', { class: 'rust' }, rustStatement(step, run.factory))),
    step.slots.length
      ? h(
          'ul',
          { class: 'slots' },
          ...step.slots.map((slot) => h('li', {}, h('code', { class: 'rust-slot' }, rustSlot(slot.slot)), ' → ', h('code', { class: 'fn' }, slot.function), ' ', locationLink(slot.location))),
        )
      : null,
    h('div', { class: 'diagram-frame' }, renderDiagram(step, violations, step === run.steps.at(-1) ? endOfRun(run) : undefined)),
    ...violations.map(renderViolation),
    step.error ? h('p', { class: 'error', role: 'alert' }, `✖ exception: ${step.error}`) : null,
    step.events.length
      ? h(
          'details',
          { class: 'events' },
          h('summary', {}, `${step.events.length} event${step.events.length === 1 ? '' : 's'} in this step`),
          h('ul', {}, ...step.events.map((event) => h('li', { class: `event-${event.type}` }, ...richText(event.text.split('\n')[0]), ' ', locationLink(event.location)))),
        )
      : null,
  );
}

function renderViolation(violation: ViolationReport): HTMLElement {
  return h(
    'div',
    { class: 'violation', role: 'alert' },
    h('p', { class: 'headline' }, h('strong', {}, `✖ ${violation.kind}`), violation.address ? ` of ${violation.address}` : '', ': ', ...richText(violation.summary)),
    h(
      'p',
      { class: 'places' },
      violation.earlier ? locationLink(violation.earlier.location, `step ${violation.earlier.step}:`) : null,
      ' ',
      locationLink(violation.at.location, `step ${violation.at.step}:`),
    ),
  );
}

/** At the last step: cells nothing reaches any more (leaks), apart from those the module's state still holds (reachable, not a problem). */
function renderLeaks(run: SimulationRun, index: number): HTMLElement[] {
  if (index !== run.steps.length - 1) return [];
  const list = (cells: SimulationRun['leaks']) =>
    h('ul', {}, ...cells.map((cell) => h('li', {}, `${cell.kind === 'box' ? 'Box' : 'Arc'} ${cell.address}, count ${cell.count}, allocated at step ${cell.allocated.step} `, locationLink(cell.allocated.location))));
  const reachable = run.reachable ?? [];
  return [
    ...(run.leaks.length ? [h('section', { class: 'leaks', 'aria-label': 'Leaks' }, h('h2', {}, 'Still allocated at the end, unreachable (leaks)'), list(run.leaks))] : []),
    ...(reachable.length
      ? [h('section', { class: 'reachable', 'aria-label': 'Reachable' }, h('h2', {}, "Still allocated at the end, held by the module's state (reachable, not a leak)"), list(reachable))]
      : []),
  ];
}

/** What each cell live at the end of the run is: leaked, or still held by the module's state. */
function endOfRun(run: SimulationRun): ReadonlyMap<string, 'leaked' | 'reachable'> {
  return new Map([...run.leaks.map((cell) => [cell.address, 'leaked'] as const), ...(run.reachable ?? []).map((cell) => [cell.address, 'reachable'] as const)]);
}

// ---- the heap diagram -----------------------------------------------------------------

// Drawn at one user unit per CSS pixel (never scaled down: at the panel's
// default width a scaled diagram had 8 px text), narrow enough to fit beside the
// editor; a narrower panel scrolls it sideways.
const HANDLE = { x: 2, width: 164, height: 58, gap: 14 };
const CELL = { x: 232, width: 176, height: 76, gap: 16 };
const TOP = 30;

/** Wakers on the left, their data pointers drawn as arrows to heap cells on the right; at the last step, each live cell's fate. */
function renderDiagram(step: StepResult, violations: readonly ViolationReport[], fates?: ReadonlyMap<string, 'leaked' | 'reachable'>): SVGElement {
  const badAddresses = new Set(violations.map((v) => v.address).filter(Boolean));
  const rows = Math.max(step.handles.length * (HANDLE.height + HANDLE.gap), step.cells.length * (CELL.height + CELL.gap));
  const height = TOP + rows + 8;
  const width = CELL.x + CELL.width + 2;
  const cellY = new Map(step.cells.map((cell, i) => [cell.address, TOP + i * (CELL.height + CELL.gap)]));
  const description = `Heap after step ${step.step}: ${step.handles.map((h) => `waker w${h.id} ${h.state} points to ${h.address}`).join('; ')}. ${step.cells
    .map((c) => `${c.kind} ${c.address} ${fates?.get(c.address) ?? c.state}, count ${c.count}`)
    .join('; ')}.`;
  return svg(
    'svg',
    { class: 'diagram', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': description },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))),
    svg('text', { x: HANDLE.x, y: 18, class: 'column-title' }, 'wakers'),
    svg('text', { x: CELL.x, y: 18, class: 'column-title' }, 'heap'),
    ...step.handles.map((handle, i) => renderHandle(handle, TOP + i * (HANDLE.height + HANDLE.gap), cellY)),
    ...step.cells.map((cell) => renderCell(cell, cellY.get(cell.address)!, badAddresses.has(cell.address), fates?.get(cell.address))),
  );
}

function renderHandle(handle: HandleSnapshot, y: number, cellY: ReadonlyMap<string, number>): SVGElement {
  const live = handle.state === 'live';
  const group = svg(
    'g',
    { class: `handle handle-${handle.state}` },
    svg('rect', { x: HANDLE.x, y, width: HANDLE.width, height: HANDLE.height, rx: 6 }),
    svg('text', { x: HANDLE.x + 12, y: y + 22, class: 'title' }, `w${handle.id}`),
    svg('text', { x: HANDLE.x + HANDLE.width - 12, y: y + 22, class: `state state-${handle.state}`, 'text-anchor': 'end' }, handle.state),
    svg('text', { x: HANDLE.x + 12, y: y + 44, class: 'pointer' }, `data → ${handle.address}`),
    svg('title', {}, `w${handle.id}: ${handle.state}, data pointer ${handle.address}`),
  );
  const target = cellY.get(handle.address);
  if (target !== undefined) {
    const fromY = y + HANDLE.height / 2;
    const toY = target + CELL.height / 2;
    const fromX = HANDLE.x + HANDLE.width;
    const toX = CELL.x - 2;
    group.append(svg('path', { d: `M ${fromX} ${fromY} C ${fromX + 60} ${fromY}, ${toX - 60} ${toY}, ${toX} ${toY}`, class: `edge${live ? '' : ' edge-dead'}`, 'marker-end': 'url(#arrow)' }));
  }
  return group;
}

/** A heap cell; `fate` is what a cell still live at the end of the run is (a leak, or held by the module). */
function renderCell(cell: CellSnapshot, y: number, bad: boolean, fate?: 'leaked' | 'reachable'): SVGElement {
  const freed = cell.state === 'freed';
  const state = fate ?? cell.state;
  const group = svg(
    'g',
    { class: `cell cell-${cell.state}${fate ? ` cell-${fate}` : ''}${bad ? ' cell-bad' : ''}`, 'data-address': cell.address },
    svg('rect', { x: CELL.x, y, width: CELL.width, height: CELL.height, rx: 4 }),
    svg('text', { x: CELL.x + 12, y: y + 22, class: 'title' }, `${cell.kind === 'box' ? 'Box' : 'Arc'} ${cell.address}`),
    svg('text', { x: CELL.x + CELL.width - 12, y: y + 22, class: `state state-${state}`, 'text-anchor': 'end' }, state),
    svg('text', { x: CELL.x + 12, y: y + 44 }, `value ${cell.value}`),
    svg('text', { x: CELL.x + 12, y: y + 64 }, cell.kind === 'arc' ? `strong count ${cell.count}` : 'owned (Box)'),
  );
  if (freed) {
    group.append(
      svg('line', { x1: CELL.x + 4, y1: y + 4, x2: CELL.x + CELL.width - 4, y2: y + CELL.height - 4, class: 'cross' }),
      svg('line', { x1: CELL.x + CELL.width - 4, y1: y + 4, x2: CELL.x + 4, y2: y + CELL.height - 4, class: 'cross' }),
    );
  }
  return group;
}

// ---- exploration ----------------------------------------------------------------------

function renderExploration(exploration: Exploration): Node[] {
  const openRun = (sequence: string) => vscode.postMessage({ type: 'openRun', sequence });
  const saveScenario = (sequence: string) => vscode.postMessage({ type: 'saveScenario', sequence });
  const table = h(
    'table',
    { class: 'outcomes' },
    h('caption', {}, `Shortest sequence per outcome (${exploration.explored} sequences to depth ${exploration.depth})`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Steps'), h('th', { scope: 'col' }, 'Shortest sequence'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    h(
      'tbody',
      {},
      ...exploration.outcomes.map((o, i) =>
        h(
          'tr',
          { class: isProblemOutcome(o.outcome) ? 'problem' : '' },
          h('td', {}, outcomeBadge(o.outcome)),
          h('td', { class: 'number' }, String(o.length)),
          h('td', {}, h('code', {}, o.sequence), o.message ? h('div', { class: isProblemOutcome(o.outcome) ? 'message error' : 'message' }, ...richText(o.message)) : null),
          h(
            'td',
            { class: 'actions' },
            button('Open run', { class: 'secondary', 'data-focus-key': `open-${i}`, 'aria-label': `Open the ${o.outcome} run: ${o.sequence}` }, () => openRun(o.sequence)),
            button('Save as Scenario', { class: 'secondary', 'data-focus-key': `save-${i}`, 'aria-label': `Save the ${o.outcome} run as a scenario: ${o.sequence}` }, () => saveScenario(o.sequence)),
          ),
        ),
      ),
    ),
  );
  const nodes: Node[] = [
    h('header', { class: 'summary' }, h('h1', {}, 'Exploration of ', h('code', {}, exploration.factory)), h('p', { class: 'meta' }, 'from ', locationLink({ file: exploration.module, line: 1, column: 1 }, undefined, true))),
    table,
  ];
  if (exploration.all) {
    const shown = exploration.all.slice(0, MAX_LISTED_SEQUENCES);
    nodes.push(
      h(
        'details',
        { class: 'all' },
        h('summary', {}, `Every sequence (${exploration.all.length}${shown.length < exploration.all.length ? `, first ${shown.length} shown` : ''})`),
        h(
          'ul',
          {},
          ...shown.map((s) =>
            h(
              'li',
              {},
              outcomeBadge(s.outcome),
              ' ',
              button(s.sequence, { class: 'link', 'aria-label': `Open the run ${s.sequence}` }, () => openRun(s.sequence)),
              ' ',
              button('Save as Scenario', { class: 'link save', 'aria-label': `Save ${s.sequence} as a scenario` }, () => saveScenario(s.sequence)),
            ),
          ),
        ),
      ),
    );
  }
  if (state.run) nodes.push(button('Back to the last run →', { class: 'secondary', 'data-focus-key': 'back-to-run' }, () => setState({ ...state, view: 'run' })));
  return nodes;
}

render();
// Listening and showing what was saved: now ask for anything newer.
vscode.postMessage({ type: 'ready', shown: state.revision });
