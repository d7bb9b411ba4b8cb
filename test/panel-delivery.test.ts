// The simulation panel's delivery protocol, without VS Code: content posted only
// to a ready, visible webview, the latest only, numbered, and sent again to a
// webview that was reloaded without it.
import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import {
  EMPTY_STATE,
  explorationContent,
  LatestRequest,
  PanelDelivery,
  readPanelState,
  runContent,
  type PanelContent,
  type ToWebview,
} from '../src/extension/panel-delivery';
import type { Exploration, SimulationRun } from '../src/simulate/types';

// Only the fields the protocol reads; the rest of a run does not matter here.
const run = (sequence: string) => ({ sequence, module: '/ws/seed.ts', factory: 'createRawWaker', steps: [] }) as unknown as SimulationRun;
const exploration = (factory: string) => ({ module: '/ws/seed.ts', factory, outcomes: [] }) as unknown as Exploration;

function recorder(visible: boolean, restored = EMPTY_STATE) {
  const posted: ToWebview[] = [];
  const delivery = new PanelDelivery((message) => posted.push(message), visible, restored);
  const sequences = () => posted.map((m) => [m.revision, m.content.run?.sequence ?? m.content.exploration?.factory]);
  return { delivery, posted, sequences };
}

describe('panel delivery: the extension side of the ready handshake', () => {
  it('posts nothing before the webview is ready, then only the latest content', () => {
    const { delivery, sequences } = recorder(true);
    assert.equal(delivery.show(runContent(run('new; wake 0'), undefined)), 1);
    assert.equal(delivery.show(runContent(run('new; drop 0'), delivery.content)), 2);
    assert.deepEqual(sequences(), [], 'a loading webview would lose it');
    delivery.ready(0);
    assert.deepEqual(sequences(), [[2, 'new; drop 0']]);
  });

  it('posts at once to a ready, visible webview, each content with a higher revision', () => {
    const { delivery, sequences } = recorder(true);
    delivery.ready(0);
    delivery.show(explorationContent(exploration('createRawWaker')));
    delivery.show(runContent(run('new; clone 0'), delivery.content));
    assert.deepEqual(sequences(), [
      [1, 'createRawWaker'],
      [2, 'new; clone 0'],
    ]);
  });

  it('holds content while hidden, posts it when shown, and again when the reloaded webview says it lacks it', () => {
    const { delivery, sequences } = recorder(true);
    delivery.ready(0);
    delivery.show(runContent(run('first'), undefined));
    delivery.visibilityChanged(false);
    delivery.show(runContent(run('second'), delivery.content));
    delivery.show(runContent(run('third'), delivery.content));
    assert.deepEqual(sequences(), [[1, 'first']], 'nothing is posted to a hidden webview');
    delivery.visibilityChanged(true);
    assert.deepEqual(sequences().at(-1), [3, 'third'], 'a webview kept alive gets it at once');
    // It was destroyed while hidden: the reloaded one restored revision 1 and says so.
    delivery.ready(1);
    assert.deepEqual(sequences().slice(1), [[3, 'third'], [3, 'third']]);
    delivery.ready(3);
    delivery.visibilityChanged(true);
    assert.equal(sequences().length, 3, 'a webview that has the latest gets nothing');
  });

  it('a restored panel goes on from the saved revision, and resends the saved step to a webview that lost it', () => {
    const saved = readPanelState({ run: run('new; wake 0'), exploration: exploration('createRawWaker'), view: 'run', step: 3, revision: 7 });
    const { delivery, posted } = recorder(true, saved);
    delivery.ready(7);
    assert.deepEqual(posted, [], 'the webview restored itself from getState');
    delivery.ready(0);
    assert.deepEqual(posted, [{ type: 'show', revision: 7, content: { run: run('new; wake 0'), exploration: exploration('createRawWaker'), view: 'run', step: 3 } }]);
    assert.equal(delivery.show(explorationContent(exploration('other'))), 8);
  });

  it('numbers new content above what a webview reports, so it is not ignored', () => {
    const { delivery, posted } = recorder(true);
    delivery.ready(12); // a webview restored with state the extension never saw
    assert.equal(delivery.show(runContent(run('x'), undefined)), 13);
    assert.deepEqual(posted.map((m) => m.revision), [13]);
  });

  it('a run keeps the exploration it may come from; an exploration starts afresh', () => {
    const explored = explorationContent(exploration('createRawWaker'));
    assert.deepEqual(runContent(run('a'), explored), { run: run('a'), exploration: exploration('createRawWaker'), view: 'run', step: 0 });
    assert.deepEqual(runContent(run('a'), undefined), { run: run('a'), view: 'run', step: 0 });
    assert.deepEqual(explorationContent(exploration('f')), { exploration: exploration('f'), view: 'exploration', step: 0 });
  });

  it('readPanelState: malformed or missing parts fall back, never throw', () => {
    assert.deepEqual(readPanelState(undefined), EMPTY_STATE);
    assert.deepEqual(readPanelState('x'), EMPTY_STATE);
    assert.deepEqual(readPanelState({ view: 'run', step: 2, revision: 4 }), { view: 'empty', step: 2, revision: 4 });
    assert.deepEqual(readPanelState({ exploration: exploration('f'), view: 'run', step: -1, revision: 1.5 }), {
      exploration: exploration('f'),
      view: 'exploration',
      step: 0,
      revision: 0,
    });
    // A state saved before revisions existed (an older version of the extension).
    assert.deepEqual(readPanelState({ run: run('a'), step: 2 }), { run: run('a'), view: 'run', step: 2, revision: 0 });
  });

  it('LatestRequest: only the most recently started request may show its result', () => {
    const requests = new LatestRequest();
    const first = requests.start();
    assert.equal(first(), true);
    const second = requests.start();
    assert.equal(first(), false);
    assert.equal(second(), true);
  });
});

// A model of VS Code and the webview: messages to a webview that is hidden or
// still loading are lost; a hidden webview is destroyed and reloads from its
// saved state when shown; messages in either direction may be delayed.
type Action =
  | { kind: 'show' }
  | { kind: 'hide' }
  | { kind: 'reveal' }
  | { kind: 'scriptLoads' }
  | { kind: 'deliverToWebview' }
  | { kind: 'deliverToExtension' };

const actions = fc.array(
  fc.constantFrom<Action>(
    { kind: 'show' },
    { kind: 'hide' },
    { kind: 'reveal' },
    { kind: 'scriptLoads' },
    { kind: 'deliverToWebview' },
    { kind: 'deliverToExtension' },
  ),
  { maxLength: 40 },
);

type Delivery = Pick<PanelDelivery, 'show' | 'ready' | 'visibilityChanged' | 'content'>;

/** What the panel did before the handshake: post every content at once, whatever the webview's state. */
function postAtOnce(post: (message: ToWebview) => void): Delivery {
  let revision = 0;
  let content: PanelContent | undefined;
  return {
    get content() {
      return content;
    },
    show(next) {
      content = next;
      post({ type: 'show', revision: ++revision, content: next });
      return revision;
    },
    ready() {},
    visibilityChanged() {},
  };
}

function simulate(script: readonly Action[], makeDelivery: (post: (message: ToWebview) => void) => Delivery = (post) => new PanelDelivery(post, true)) {
  let visible = true;
  let webview: 'loading' | 'loaded' | 'destroyed' = 'loading';
  let saved = 0; // the revision the webview saved with setState
  const applied: number[] = [];
  const toWebview: ToWebview[] = [];
  const toExtension: number[] = [];
  const delivery = makeDelivery((message) => (visible && webview !== 'destroyed' ? toWebview.push(message) : undefined));
  let shown = 0;
  const contents = new Map<number, PanelContent>();

  const step = (action: Action) => {
    switch (action.kind) {
      case 'show': {
        const content = runContent(run(`run ${shown++}`), delivery.content);
        contents.set(delivery.show(content), content);
        break;
      }
      case 'hide':
        if (!visible) break;
        visible = false;
        webview = 'destroyed';
        toWebview.length = 0; // in flight to a destroyed webview: gone
        delivery.visibilityChanged(false);
        break;
      case 'reveal':
        if (visible) break;
        visible = true;
        webview = 'loading';
        delivery.visibilityChanged(true);
        break;
      case 'scriptLoads':
        if (webview !== 'loading') break;
        webview = 'loaded';
        toExtension.push(saved);
        break;
      case 'deliverToWebview': {
        const message = toWebview.shift();
        // Arriving before the script listens: lost (what VS Code 1.99 does after 200 ms).
        if (!message || webview !== 'loaded') break;
        if (message.revision > saved) {
          saved = message.revision;
          applied.push(message.revision);
        }
        break;
      }
      case 'deliverToExtension': {
        const shownRevision = toExtension.shift();
        if (shownRevision !== undefined) delivery.ready(shownRevision);
        break;
      }
    }
  };
  for (const action of script) step(action);
  // Then things settle: the panel is shown, its script loads, every message arrives.
  step({ kind: 'reveal' });
  step({ kind: 'scriptLoads' });
  while (toWebview.length > 0 || toExtension.length > 0) {
    step({ kind: 'deliverToExtension' });
    step({ kind: 'deliverToWebview' });
  }
  return { saved, applied, latest: shown === 0 ? 0 : Math.max(...contents.keys()), contents };
}

describe('panel delivery: any interleaving of hiding, reloading and slow messages', () => {
  it('ends with the webview showing the latest content, having applied revisions only in increasing order', () => {
    fc.assert(
      fc.property(actions, (script) => {
        const { saved, applied, latest } = simulate(script);
        assert.equal(saved, latest, `the webview shows revision ${saved}, the latest is ${latest}`);
        for (let i = 1; i < applied.length; i++) assert.ok(applied[i] > applied[i - 1], `applied out of order: ${applied.join(', ')}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('the model is not lenient: posting without the handshake loses content in it', () => {
    // The first run posted while the new panel's script loads (the bug the handshake fixes).
    const early: Action[] = [{ kind: 'show' }, { kind: 'deliverToWebview' }];
    assert.equal(simulate(early, postAtOnce).saved, 0);
    assert.equal(simulate(early).saved, 1);
    // A run posted to a hidden panel.
    const hidden: Action[] = [{ kind: 'scriptLoads' }, { kind: 'hide' }, { kind: 'show' }];
    assert.equal(simulate(hidden, postAtOnce).saved, 0);
    assert.equal(simulate(hidden).saved, 1);
  });
});
