/**
 * The packaged extension in real VS Code (code-server 4.99.4 = VS Code 1.99.3)
 * in Debian's Chromium: builds and packages the .vsix, installs it into a fresh
 * extensions folder, opens a folder with the seed example, and checks what a
 * user sees: the squiggle and Problems entry for the seed's clone bug, the hover
 * on `myClone`, a quick fix that removes a problem, and the simulation panel
 * (a scenario, an exploration from the code lens, a run opened from it, a reload
 * keeping the step, a run reaching a hidden panel, two simulations back to back).
 * Screenshots go to test-results/e2e/extension-*.png.
 *
 *   npm run test:e2e           (after `npm run setup`, which builds the code-server cache)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { activeEditor, applyQuickFix, goToLine, hoverAtCursor, openFile, runCommand, screenshot, squiggles, waitForEditorText, waitForProblems } from './vscode';
import { CLONE_LEAK, type ExtensionWorkbench, openExtensionWorkbench, recordFailure, ruleCode as code, SEED, simulationPanel } from './workspace';

/** The seed scenario: clone, wake the original, drop the clone: a double free. */
const SEED_SCENARIO = [
  '# The seed: a clone and its original free the same box. Try also: new; clone 0; drop 0; drop 1',
  'use "./seed-box-waker.ts" create createRawWaker',
  'new',
  'clone 0',
  'wake 0',
  'drop 1',
  'expect double-free',
  '',
].join('\n');

/** 1-based line and column of the first `needle` in `text`. */
function locate(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${JSON.stringify(needle)} not in the fixture`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('e2e: the Wakerscope extension in VS Code', function () {
  this.timeout(600_000);

  let workbench: ExtensionWorkbench | undefined;
  let folder: string;
  let page: Page;

  before(async function () {
    workbench = await openExtensionWorkbench({
      prefix: 'wakerscope-e2e-ext-',
      files: {
        'seed-box-waker.wakersim': SEED_SCENARIO,
        'clone-leak.ts': CLONE_LEAK,
        'broken.wakersim': 'use "./seed-box-waker.ts" create createRawWaker\nnew\nwake 3\n',
      },
    });
    ({ folder, page } = workbench);
  });

  after(async () => workbench?.close());

  afterEach(async function () {
    await recordFailure(this, 'extension', workbench);
  });

  const panelTab = () => page.locator('.tabs-container .tab', { hasText: 'Wakerscope Simulation' });
  /** The sequence of the run the panel shows. */
  const shownSequence = () => simulationPanel(page).locator('.summary .sequence').innerText();

  /** Opens the scenario in the first group and selects the other sequence its comment suggests. */
  async function selectSequenceInScenario(): Promise<void> {
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'seed-box-waker.wakersim');
    const { line, column } = locate(SEED_SCENARIO, 'new; clone 0; drop 0; drop 1');
    await goToLine(page, line, column);
    await page.keyboard.press('Shift+End');
  }

  it("squiggles the seed's myClone and lists vtable-clone-no-retain in Problems", async function () {
    await openFile(page, 'seed-box-waker.ts');
    await waitForEditorText(page, 'function myClone');
    const rows = await waitForProblems(page, (r) => r.some((t) => code('vtable-clone-no-retain').test(t)), 240_000);
    const row = rows.find((t) => code('vtable-clone-no-retain').test(t))!;
    assert.match(row, /`?myClone`? takes 0 references/);
    const { line, column } = locate(SEED, 'myClone(rawWaker');
    assert.ok(row.includes(`[Ln ${line}, Col ${column}]`), `the problem is not on myClone (${line}:${column}): ${row}`);
    // The squiggle: the editor draws the plugin's error as a decoration.
    const deadline = Date.now() + 30_000;
    while ((await squiggles(page)).errors === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.ok((await squiggles(page)).errors > 0, 'no error squiggle in seed-box-waker.ts');
    await screenshot(page, 'extension-01-problems');
  });

  it("explains myClone's contract and verdict on hover", async function () {
    await openFile(page, 'seed-box-waker.ts');
    const { line, column } = locate(SEED, 'myClone(rawWaker');
    await goToLine(page, line, column + 2);
    const hover = await hoverAtCursor(page, /Waker is cloned/);
    assert.match(hover, /Must return a RawWaker that holds its own reference/);
    assert.match(hover, /double free/);
    await screenshot(page, 'extension-02-hover');
    await page.keyboard.press('Escape');
  });

  it('applies "Declare with `using`" to a clone without drop, and the problem goes away', async function () {
    await openFile(page, 'clone-leak.ts');
    const rule = code('clone-without-drop');
    await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 240_000);
    const { line, column } = locate(CLONE_LEAK, 'copy = waker');
    await goToLine(page, line, column);
    await applyQuickFix(page, /Declare with .?using/);
    await waitForEditorText(page, 'using copy = waker.clone()');
    await page.keyboard.press('Control+S');
    const deadline = Date.now() + 20_000;
    while (!fs.readFileSync(path.join(folder, 'clone-leak.ts'), 'utf8').includes('using copy') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(fs.readFileSync(path.join(folder, 'clone-leak.ts'), 'utf8'), /using copy = waker\.clone\(\);/);
    const rows = await waitForProblems(page, (r) => !r.some((t) => rule.test(t)), 120_000);
    assert.ok(!rows.some((t) => /error TS|ts\(\d+\)/.test(t) && t.includes('using')), `the fix does not type-check: ${JSON.stringify(rows)}`);
    await screenshot(page, 'extension-03-quick-fix');
  });

  it('simulates the seed scenario and shows the double free in the panel', async function () {
    await openFile(page, 'seed-box-waker.wakersim');
    await runCommand(page, 'Wakerscope: Simulate Scenario');
    const panel = simulationPanel(page);
    const shown = panel.locator('body', { hasText: 'double-free' });
    const failed = page.locator('.notifications-toasts .notification-list-item:has(.codicon-error) .notification-list-item-message', { hasText: 'Wakerscope:' });
    const deadline = Date.now() + 120_000;
    while (!(await shown.isVisible().catch(() => false))) {
      if (await failed.first().isVisible()) assert.fail(`the command failed: ${await failed.first().innerText()}`);
      if (Date.now() > deadline) assert.fail(`the panel never showed double-free; it shows: ${await panel.locator('body').innerText().catch(() => '(no panel)')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const text = await panel.locator('body').innerText();
    assert.match(text, /double-free/);
    assert.match(text, /myDrop/);
    const tab = page.locator('.tabs-container .tab', { hasText: 'Wakerscope Simulation' });
    await tab.first().waitFor({ state: 'visible' });
    await screenshot(page, 'extension-04-simulation');
  });

  it('explores the vtable from its code lens, then opens the double-free run from the table', async function () {
    await openFile(page, 'seed-box-waker.ts');
    await goToLine(page, locate(SEED, 'new RawWakerVTable').line, 1); // scrolls the lens into view
    const lens = activeEditor(page).locator('.codelens-decoration a', { hasText: 'Explore vtable with createRawWaker()' });
    await lens.first().waitFor({ state: 'visible', timeout: 60_000 });
    await lens.first().click();
    const panel = simulationPanel(page);
    await panel.locator('h1', { hasText: 'Exploration of' }).waitFor({ state: 'visible', timeout: 120_000 });
    const table = await panel.locator('table').innerText();
    assert.match(table, /double-free/);
    assert.doesNotMatch(table, /use-after-free|error/, 'the seed vtable only frees twice or leaks');
    await screenshot(page, 'extension-05-exploration');
    await panel.getByRole('button', { name: /Open the double-free run/ }).click();
    await panel.locator('text=Step 1 of').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await panel.locator('body').innerText(), /double-free/);
    // A step other than the first, for the reload to keep.
    await panel.locator('.timeline .step').nth(2).click();
    await panel.locator('.controls .position', { hasText: 'Step 3 of' }).waitFor({ state: 'visible' });
    await screenshot(page, 'extension-06-opened-run');
  });

  it('restores the panel after a reload', async function () {
    // VS Code's own reload saves the open editors first (a bare page reload may not).
    const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 90_000 });
    const panel = simulationPanel(page);
    const tab = page.locator('.tabs-container .tab', { hasText: 'Wakerscope Simulation' }).first();
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    await tab.click();
    await panel.locator('body', { hasText: 'double-free' }).waitFor({ state: 'visible', timeout: 60_000 });
    // The run opened from the exploration, with the way back to it: the whole saved state came back.
    const text = await panel.locator('body').innerText();
    assert.match(text, /Back to exploration/);
    assert.match(text, /Step 3 of \d/, 'the step the user was on');
    await screenshot(page, 'extension-07-restored');
  });

  it('passes wakerscope.* settings to the tsserver plugin: a rule set to off disappears, and comes back', async function () {
    const rule = code('vtable-clone-no-retain');
    await runCommand(page, 'View: Focus First Editor Group'); // not the panel's group, where the file is open too after the reload
    await openFile(page, 'seed-box-waker.ts');
    await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 120_000);
    const settingsFile = path.join(folder, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ 'wakerscope.rules.vtable-clone-no-retain': 'off' }));
    await waitForProblems(page, (r) => !r.some((t) => rule.test(t)), 60_000);
    await runCommand(page, 'Wakerscope: Show Log');
    const log = page.locator('.part.panel .view-lines', { hasText: 'tsserver plugin configured' }).first();
    await log.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await log.innerText()).replace(/\u00a0/g, ' '), /"vtable-clone-no-retain":"off"/);
    await screenshot(page, 'extension-08-setting-off');
    fs.writeFileSync(settingsFile, '{}');
    await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 60_000);
  });

  it('simulates a sequence selected in the scenario against its factory', async function () {
    await selectSequenceInScenario();
    await runCommand(page, 'Wakerscope: Simulate Selected Sequence');
    const panel = simulationPanel(page);
    await panel.locator('body', { hasText: 'new; clone 0; drop 0; drop 1' }).waitFor({ state: 'visible', timeout: 120_000 });
    assert.match(await panel.locator('body').innerText(), /double-free/);
    await screenshot(page, 'extension-09-selected-sequence');
  });

  it('a panel hidden behind another tab shows the run simulated meanwhile once revealed', async function () {
    await simulationPanel(page).locator('.summary .sequence', { hasText: 'new; clone 0; drop 0; drop 1' }).waitFor({ state: 'visible' });
    // Open a file in the panel's group: the panel's tab stays, its webview is hidden (and destroyed).
    await panelTab().first().click();
    await openFile(page, 'clone-leak.ts');
    // Quick Open closes before the editor takes the tab: wait for the file's tab, then look at the panel's.
    await page.locator('.tabs-container .tab.active', { hasText: 'clone-leak.ts' }).waitFor({ state: 'visible', timeout: 20_000 });
    // The panel's tab loses `active` a moment after the file's gains it: wait for it, do not read it once (a flake in CI).
    await page.locator('.tabs-container .tab:not(.active)', { hasText: 'Wakerscope Simulation' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'seed-box-waker.wakersim');
    await runCommand(page, 'Wakerscope: Simulate Scenario');
    await simulationPanel(page).locator('.summary .sequence', { hasText: 'new; clone 0; wake 0; drop 1' }).waitFor({ state: 'visible', timeout: 120_000 });
    await screenshot(page, 'extension-10-revealed');
  });

  it('of two simulations started back to back, a new panel ends showing the second', async function () {
    await panelTab().first().hover();
    await panelTab().first().locator('.tab-actions .action-label').click();
    await panelTab().first().waitFor({ state: 'detached' });
    await selectSequenceInScenario();
    // Both run at once; the first may finish first, and then the panel is still loading when the second comes.
    await runCommand(page, 'Wakerscope: Simulate Scenario');
    await runCommand(page, 'Wakerscope: Simulate Selected Sequence');
    const second = simulationPanel(page).locator('.summary .sequence', { hasText: 'new; clone 0; drop 0; drop 1' });
    await second.waitFor({ state: 'visible', timeout: 120_000 });
    // Whichever finished last, the second stays: wait until neither is running, then look again.
    const running = page.locator('.notifications-toasts .notification-list-item', { hasText: 'Wakerscope: simulating' });
    const deadline = Date.now() + 60_000;
    while ((await running.count()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await shownSequence(), 'new; clone 0; drop 0; drop 1');
    assert.equal(await panelTab().count(), 1, 'one panel');
    await screenshot(page, 'extension-11-second-of-two');
  });

  it('shows a malformed .wakersim line as a problem at its line and column', async function () {
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'broken.wakersim');
    const rows = await waitForProblems(page, (r) => r.some((t) => t.includes('handle 3 does not exist yet')), 60_000);
    const row = rows.find((t) => t.includes('handle 3 does not exist yet'))!;
    assert.match(row, /wakerscope/);
    assert.ok(row.includes('[Ln 3, Col 6]'), `wrong place: ${row}`);
    await screenshot(page, 'extension-12-wakersim-error');
  });
});
