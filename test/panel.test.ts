// The simulation panel in headless Debian Chromium: the HTML from
// renderPanelHtml with the bundled webview script, served from localhost under
// its strict CSP, with a stub acquireVsCodeApi capturing posted messages and
// keeping the state. Content arrives as the extension sends it: `show` messages
// with a revision, after the webview has said `ready`.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FromWebview, PanelContent, ToWebview } from '../src/extension/panel-delivery';
import { explore, loadScenario, parseSequence, simulateScenario, simulateSequence } from '../src/simulate';
import type { Exploration, SimulationRun } from '../src/simulate/types';
import { renderPanelHtml } from '../src/webview/html';

const ROOT = resolve(__dirname, '..');
const RESULTS = join(ROOT, 'test-results');
const NONCE = 'c2ltdWxhdGlvbi1wYW5lbC10ZXN0';

interface Stubbed {
  __posted: unknown[];
  __state: unknown;
}

describe('panel: the webview in headless Chromium', function () {
  this.timeout(60_000);
  let server: Server;
  let origin: string;
  let browser: Browser;
  let run: SimulationRun;
  let exploration: Exploration;
  let script: string;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    // The same settings scripts/build.mjs uses for media/webview.js.
    const bundle = await build({ entryPoints: [join(ROOT, 'src/webview/main.ts')], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'warning' });
    script = bundle.outputFiles[0].text;
    run = await simulateScenario(loadScenario(join(ROOT, 'examples', 'seed-box-waker.wakersim')));
    exploration = await explore(join(ROOT, 'examples', 'seed-box-waker.ts'), 'createRawWaker', { depth: 3, all: true });
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', origin);
      const files: Record<string, [string, string]> = {
        '/index.html': ['text/html', renderPanelHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/panel.css`, codiconsUri: `${origin}/codicons/codicon.css` })],
        '/codicons/codicon.css': ['text/css', readFileSync(join(ROOT, 'media', 'codicons', 'codicon.css'), 'utf8')],
        '/codicons/codicon.ttf': ['font/ttf', readFileSync(join(ROOT, 'media', 'codicons', 'codicon.ttf')) as unknown as string],
        '/webview.js': ['text/javascript', script],
        '/panel.css': ['text/css', readFileSync(join(ROOT, 'media', 'panel.css'), 'utf8')],
      };
      if (url.pathname === '/favicon.ico') return void response.writeHead(204).end();
      const file = files[url.pathname];
      response.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' });
      response.end(file?.[1] ?? 'not found');
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  /** A page with the stub API (and `savedState` as what getState returns); collects CSP reports and script errors. Waits for `ready`. */
  async function openPanel(savedState?: unknown, viewport = { width: 980, height: 720 }): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    // A string, not a function: tsx would wrap a function's inner arrows in its `__name` helper.
    await page.addInitScript(`
      window.__posted = [];
      window.__state = ${JSON.stringify(savedState ?? null)} ?? undefined;
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => window.__posted.push(message),
        getState: () => window.__state,
        setState: (state) => { window.__state = state; },
      });
    `);
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => (window as unknown as Stubbed).__posted.length > 0, undefined, { timeout: 5000 }).catch((error: Error) => {
      throw new Error(`the webview never posted ready: ${error.message}\n${problems.join('\n')}`);
    });
    return { page, problems };
  }

  const posted = async (page: Page) => (await page.evaluate(() => (window as unknown as Stubbed).__posted)) as FromWebview[];
  /** What the webview posted after its `ready`. */
  const postedAfterReady = async (page: Page) => (await posted(page)).slice(1);
  /** Sends content as the extension does. */
  const show = (page: Page, revision: number, content: PanelContent) =>
    page.evaluate((message) => window.postMessage(message, '*'), { type: 'show', revision, content } satisfies ToWebview);
  const showRun = (page: Page, revision = 1) => show(page, revision, { run, view: 'run', step: 0 });
  /** Posts the messages and resolves once the webview has handled them (message events are dispatched in order). */
  const handled = (page: Page, messages: ToWebview[]) =>
    page.evaluate(`new Promise((done) => {
      for (const message of ${JSON.stringify(messages)}) window.postMessage(message, '*');
      window.addEventListener('message', (event) => event.data === 'handled' && done());
      window.postMessage('handled', '*');
    })`);
  const currentStep = (page: Page) => page.locator('.step[aria-current="step"] .number').textContent();

  it('shows the seed run: a timeline, the heap diagram, and a crossed-out freed cell after the double free', async () => {
    const { page, problems } = await openPanel();
    assert.deepEqual(await posted(page), [{ type: 'ready', shown: 0 }], 'a new webview asks for content once its script has loaded');
    await showRun(page);
    await page.locator('.timeline .step').first().waitFor({ timeout: 5000 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${problems.join('\n')}`);
    });
    assert.equal(await page.locator('.timeline .step').count(), 5);
    assert.equal(await currentStep(page), '1');
    assert.equal(await page.locator('.diagram .cell-freed').count(), 0, 'the box is live after `new`');
    assert.equal(await page.locator('.diagram .handle').count(), 1);

    await page.keyboard.press('End');
    assert.equal(await currentStep(page), '5');
    await page.screenshot({ path: join(RESULTS, 'panel-seed-run.png'), fullPage: true });
    const freed = page.locator('.diagram .cell-freed');
    assert.equal(await freed.count(), 1);
    assert.equal(await freed.locator('line.cross').count(), 2, 'a freed cell is crossed out');
    assert.equal(await page.locator('.diagram .cell-bad').count(), 1, 'the double-freed cell is highlighted');
    const violation = page.locator('.violation');
    assert.match((await violation.textContent()) ?? '', /double-free of 0x1000: freed at step 3 by myWake, freed again at step 5 by myDrop/);
    assert.match((await violation.textContent()) ?? '', /step 3: seed-box-waker\.ts:17:3.*step 5: seed-box-waker\.ts:23:3/);
    // The error colour: the theme variable's fallback outside VS Code.
    assert.equal(await violation.evaluate((el) => getComputedStyle(el).color), 'rgb(244, 135, 113)');
    assert.equal(await page.locator('.step.bad').count(), 1);

    await page.keyboard.press('ArrowLeft');
    assert.equal(await currentStep(page), '4');
    assert.equal(await page.locator('.diagram .handle-live').count(), 1, 'after wake 0, only waker #1 is live');
    await page.keyboard.press('Home');
    assert.equal(await currentStep(page), '1');
    await page.keyboard.press('ArrowRight');
    assert.equal(await currentStep(page), '2');
    // The controls' icons are codicons, in the codicon font (loaded under the CSP: font-src).
    assert.deepEqual(await page.locator('.controls .control .codicon').evaluateAll((icons) => icons.map((i) => i.className.replace('codicon ', ''))), [
      'codicon-arrow-left',
      'codicon-chevron-left',
      'codicon-play',
      'codicon-chevron-right',
      'codicon-arrow-right',
    ]);
    assert.equal(await page.evaluate(() => document.fonts.check('16px codicon')), true, 'the codicon font did not load');
    assert.equal(await page.locator('.controls svg').count(), 0, 'no hand-drawn SVG icons');
    assert.deepEqual(problems, [], 'no CSP violations or script errors');
    await page.close();
  });

  it('clicking a step or a location posts reveal; the state survives being hidden', async () => {
    const { page } = await openPanel();
    await showRun(page, 4);
    await page.locator('.timeline .step').nth(2).click();
    assert.equal(await currentStep(page), '3');
    await page.getByRole('button', { name: 'Open seed-box-waker.ts:16:10' }).click();
    assert.deepEqual(await postedAfterReady(page), [
      { type: 'reveal', file: join(ROOT, 'examples', 'seed-box-waker.wakersim'), line: 7, column: 1 },
      { type: 'reveal', file: join(ROOT, 'examples', 'seed-box-waker.ts'), line: 16, column: 10 },
    ]);
    const saved = await page.evaluate(() => (window as unknown as Stubbed).__state);
    await page.close();

    // A hidden webview is destroyed; VS Code hands the saved state back to the new
    // one (after a reload too), which tells the extension which revision it has.
    const restored = await openPanel(saved);
    await restored.page.locator('.timeline .step').first().waitFor();
    assert.equal(await currentStep(restored.page), '3');
    assert.deepEqual(await posted(restored.page), [{ type: 'ready', shown: 4 }]);
    await restored.page.close();
  });

  it('ignores content not newer than what it shows: a late or repeated message changes nothing', async () => {
    const { page, problems } = await openPanel();
    await showRun(page, 2);
    await page.locator('.timeline .step').first().waitFor();
    await page.keyboard.press('End');
    assert.equal(await currentStep(page), '5');
    // An older exploration arriving late, then the same run again (sent to a webview thought reloaded).
    await handled(page, [
      { type: 'show', revision: 1, content: { exploration, view: 'exploration', step: 0 } },
      { type: 'show', revision: 2, content: { run, view: 'run', step: 0 } },
    ]);
    assert.equal(await currentStep(page), '5', 'the step the user chose stays');
    assert.equal(await page.locator('table.outcomes').count(), 0, 'the older exploration is not shown');
    await show(page, 3, { run, exploration, view: 'exploration', step: 0 });
    await page.locator('table.outcomes').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Back to the last run →' }).click();
    assert.equal(await currentStep(page), '1', 'revision 3 starts at its own step');
    const state = (await page.evaluate(() => (window as unknown as Stubbed).__state)) as { revision: number; view: string };
    assert.deepEqual([state.revision, state.view], [3, 'run'], 'the revision is saved with the state');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('shows the saved step, not a resent copy of its content, when the revision is the same', async () => {
    const { page } = await openPanel({ run, view: 'run', step: 3, revision: 5 });
    await page.locator('.timeline .step').first().waitFor();
    assert.equal(await currentStep(page), '4');
    await handled(page, [{ type: 'show', revision: 5, content: { run, view: 'run', step: 0 } }]);
    assert.equal(await currentStep(page), '4');
    await handled(page, [{ type: 'show', revision: 6, content: { run, view: 'run', step: 0 } }]);
    assert.equal(await currentStep(page), '1', 'a newer revision does replace it');
    await page.close();
  });

  it('works with the keyboard alone: Tab reaches the controls with a visible focus ring, Space plays', async () => {
    const { page } = await openPanel();
    await showRun(page);
    await page.locator('.timeline .step').first().waitFor();
    const focusedLabels: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      focusedLabels.push(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''));
    }
    assert.ok(focusedLabels.includes('Play (Space)'), focusedLabels.join(' | '));
    assert.ok(focusedLabels.some((label) => label.startsWith('Step 1: new')), focusedLabels.join(' | '));
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.equal(outline, 'solid', 'the focused control shows a focus ring');

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await page.keyboard.press(' ');
    assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause (Space)');
    await page.waitForFunction(() => document.querySelector('.step[aria-current="step"] .number')?.textContent === '3', undefined, { timeout: 5000 });
    await page.keyboard.press(' ');
    assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play (Space)');
    await page.close();
  });

  it('shows an exploration as a table of outcomes, each openable as a run', async () => {
    const { page, problems } = await openPanel();
    await show(page, 1, { exploration, view: 'exploration', step: 0 });
    const rows = page.locator('table.outcomes tbody tr');
    await rows.first().waitFor();
    assert.deepEqual(await rows.locator('td:first-child').allTextContents(), ['double-free', 'leak', 'ok']);
    assert.match((await rows.first().textContent()) ?? '', /new; clone 0; wake 0; wake 1/);
    await page.screenshot({ path: join(RESULTS, 'panel-seed-exploration.png'), fullPage: true });
    await rows.first().getByRole('button', { name: /^Open the double-free run/ }).click();
    assert.deepEqual(await postedAfterReady(page), [{ type: 'openRun', sequence: 'new; clone 0; wake 0; wake 1' }]);
    await rows.nth(1).getByRole('button', { name: /^Save the leak run as a scenario/ }).click();
    assert.deepEqual((await postedAfterReady(page)).slice(1), [{ type: 'saveScenario', sequence: (await rows.nth(1).locator('code').first().textContent())! }]);
    await page.locator('details.all summary').click();
    await page.locator('details.all li').first().getByRole('button', { name: /as a scenario$/ }).click();
    assert.equal((await postedAfterReady(page)).at(-1)?.type, 'saveScenario', 'every sequence of the full list can be saved too');
    // The run the extension answers with replaces the table, which stays one click away.
    await show(page, 2, { run, exploration, view: 'run', step: 0 });
    await page.getByRole('button', { name: '← Back to exploration' }).click();
    assert.equal(await rows.count(), 3);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("tells cells the module's run queue still holds (reachable) apart from leaked ones, in the heap diagram and below it", async () => {
    // The executor's wake moves its task's Arc onto a module-level queue: the first task is
    // held there at the end; the second waker is never consumed, so its task is lost.
    const executor = join(ROOT, 'test', 'fixtures', 'simulate', 'executor-queue.ts');
    const both = await simulateSequence(executor, 'createRawWaker', parseSequence('new; new; wake 0').ops);
    assert.equal(both.outcome, 'leak');
    const [held] = both.reachable ?? [];
    const [lost] = both.leaks;
    assert.ok(held && lost && held.address !== lost.address, JSON.stringify({ reachable: both.reachable, leaks: both.leaks }));
    const { page, problems } = await openPanel();
    await show(page, 1, { run: both, view: 'run', step: 0 });
    await page.locator('.timeline .step').first().waitFor();
    assert.equal(await page.locator('.diagram .cell-reachable, .diagram .cell-leaked').count(), 0, 'a cell\'s fate shows at the end of the run only');
    assert.equal(await page.locator('section.reachable, section.leaks').count(), 0);
    await page.keyboard.press('End');
    const cell = (fate: string) => page.locator(`.diagram .cell-${fate}`);
    assert.deepEqual(await cell('reachable').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-address'))), [held.address]);
    assert.deepEqual(await cell('leaked').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-address'))), [lost.address]);
    assert.equal(await cell('reachable').locator('.state').textContent(), 'reachable');
    assert.equal(await cell('leaked').locator('.state').textContent(), 'leaked');
    assert.match((await page.locator('svg.diagram').getAttribute('aria-label')) ?? '', new RegExp(`arc ${held.address} reachable.*arc ${lost.address} leaked`));
    // Below the diagram, each in its own section, and only the leak in the warning colour.
    const leaks = page.locator('section.leaks');
    const reachable = page.locator('section.reachable');
    assert.match((await leaks.textContent()) ?? '', new RegExp(`unreachable \\(leaks\\)Arc ${lost.address}, count 1`));
    assert.doesNotMatch((await leaks.textContent()) ?? '', new RegExp(held.address));
    assert.match((await reachable.textContent()) ?? '', new RegExp(`reachable, not a leak\\)Arc ${held.address}, count 1`));
    assert.doesNotMatch((await reachable.textContent()) ?? '', new RegExp(lost.address));
    // The theme variables' fallbacks outside VS Code: warning #cca700, muted #9d9d9d.
    assert.equal(await leaks.evaluate((el) => getComputedStyle(el).color), 'rgb(204, 167, 0)');
    assert.equal(await reachable.evaluate((el) => getComputedStyle(el).color), 'rgb(157, 157, 157)');
    assert.notEqual(
      await cell('reachable').locator('rect').evaluate((el) => getComputedStyle(el).stroke),
      await cell('leaked').locator('rect').evaluate((el) => getComputedStyle(el).stroke),
    );
    await page.screenshot({ path: join(RESULTS, 'panel-reachable-and-leak.png'), fullPage: true });

    // Everything queued, nothing lost: the outcome is `reachable`, shown, and not as a problem.
    const queued = await simulateSequence(executor, 'createRawWaker', parseSequence('new; wake 0').ops);
    assert.equal(queued.outcome, 'reachable');
    await show(page, 2, { run: queued, view: 'run', step: 1 });
    await page.locator('section.reachable').waitFor();
    const badge = page.locator('header.summary .badge');
    assert.equal(await badge.textContent(), 'reachable');
    assert.equal(await badge.evaluate((el) => getComputedStyle(el).color), 'rgb(157, 157, 157)');
    assert.equal(await page.locator('section.leaks').count(), 0);
    assert.equal(await cell('reachable').count(), 1);
    assert.equal(await cell('leaked').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("speaks Rust beside each step, and keeps the heap diagram's text at full size at the panel's default width", async () => {
    // VS Code's default: the panel beside the editor in a 1400 px window, about 520 px wide.
    const { page, problems } = await openPanel(undefined, { width: 520, height: 900 });
    await showRun(page);
    await page.locator('.timeline .step').first().waitFor({ timeout: 5000 });
    assert.deepEqual(await page.locator('.timeline .step .rust').allTextContents(), [
      'let w0 = createRawWaker();',
      'let w1 = w0.clone();',
      'w0.wake();',
      'w1.wake_by_ref();',
      'drop(w1);',
    ]);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('.detail .rust-line').textContent(), 'Rust let w1 = w0.clone();');
    assert.equal(await page.locator('.detail .slots li').first().evaluate((li) => li.textContent?.replace(/\s+seed-box-waker.*$/, '')), 'RawWakerVTable::clone → myClone');
    await page.keyboard.press('End');
    // Text as tall as the body's (13 px), not scaled down to fit, and the diagram fits without scrolling.
    const sizes = await page.locator('.diagram text.title').evaluateAll((texts) => texts.map((t) => t.getBoundingClientRect().height));
    assert.ok(sizes.length >= 3 && sizes.every((height) => height >= 12), `diagram text heights: ${sizes.join(', ')} px`);
    const frame = page.locator('.diagram-frame');
    assert.ok(await frame.evaluate((f) => f.scrollWidth <= f.clientWidth), 'the diagram fits the panel without scrolling');
    await page.screenshot({ path: join(RESULTS, 'panel-seed-run-narrow.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('renderPanelHtml: strict CSP with the nonce, no remote resources, no content', () => {
    const html = renderPanelHtml({
      cspSource: 'vscode-webview://abc',
      nonce: NONCE,
      scriptUri: 'vscode-webview://abc/media/webview.js',
      styleUri: 'vscode-webview://abc/media/panel.css',
      codiconsUri: 'vscode-webview://abc/media/codicons/codicon.css',
    });
    assert.match(html, new RegExp(`content="default-src 'none'; script-src 'nonce-${NONCE}'; style-src vscode-webview://abc; img-src vscode-webview://abc data:; font-src vscode-webview://abc"`));
    assert.equal(html.match(/<script /g)?.length, 1);
    assert.match(html, new RegExp(`<script nonce="${NONCE}" src="vscode-webview://abc/media/webview.js">`));
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /style="/);
    assert.throws(() => renderPanelHtml({ cspSource: 'x', nonce: 'short', scriptUri: '', styleUri: '', codiconsUri: '' }), /nonce/);
    assert.throws(() => renderPanelHtml({ cspSource: "x; script-src 'unsafe-inline'", nonce: NONCE, scriptUri: '', styleUri: '', codiconsUri: '' }), /cspSource/);
  });
});
