/**
 * The editor conventions of the packaged extension in code-server + Chromium:
 * the code actions on every Wakerscope diagnostic (Show documentation, Ignore
 * with a directive, Remove a stale directive), the panel's Save as Scenario
 * and Rust column at its default width beside the editor, Check Workspace and
 * the `wakerscope` task, the language status item, the code lens setting, and
 * the walkthrough's three buttons.
 * Screenshots go to test-results/e2e/editor-*.png.
 *
 *   npm run test:e2e           (after `npm run setup`, which builds the code-server cache)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { docsUrl } from '../../src/analysis/rules';
import { activeEditor, goToLine, openFile, REPO_ROOT, runCommand, screenshot, waitForEditorText, waitForProblems } from './vscode';
import { CLONE_LEAK, type ExtensionWorkbench, openExtensionWorkbench, recordFailure, ruleCode as code, simulationPanel } from './workspace';

/** A directive with nothing to suppress: `unused-suppression`. */
const STALE_DIRECTIVE = ['// wakerscope-ignore-next-line use-after-wake -- fixed long ago', 'export const answer = 42;', ''].join('\n');

/** Never opened in the editor (until the test opens it): only Check Workspace and the task report it. */
const FAR_LEAK = CLONE_LEAK.replace('notifyTwice', 'notifyFromAfar');

/** The titles in the Quick Fix menu at the cursor, once it lists one matching `expected`. */
async function quickFixTitles(page: Page, expected: RegExp, timeoutMs = 60_000): Promise<string[]> {
  const actions = page.locator('.action-widget .monaco-list-row.action');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Control+.');
    await actions.first().waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
    const titles = (await actions.allInnerTexts().catch(() => [])).map((t) => t.replace(/\u00a0/g, ' ').trim());
    await page.keyboard.press('Escape');
    if (titles.some((t) => expected.test(t))) return titles;
    if (Date.now() > deadline) assert.fail(`the Quick Fix menu never offered ${expected}; it offered ${JSON.stringify(titles)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Applies the Quick Fix titled exactly `title` (keyboard: mouse clicks on the list are intercepted). */
async function applyAction(page: Page, title: string): Promise<void> {
  const titles = await quickFixTitles(page, new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  const actions = page.locator('.action-widget .monaco-list-row.action');
  // The menu may not open on the first press while the editor regains focus: press again.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+.');
    if (await actions.first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) break;
    if (attempt === 5) assert.fail(`the Quick Fix menu did not open to apply "${title}"`);
  }
  for (let i = 0; i < titles.indexOf(title); i++) await page.keyboard.press('ArrowDown');
  await page.locator('.action-widget .monaco-list-row.action.focused', { hasText: title }).waitFor({ state: 'visible', timeout: 5_000 });
  await page.keyboard.press('Enter');
  await actions.first().waitFor({ state: 'hidden' });
}

/** Runs `command` from the Command Palette, then picks `item` in the quick pick it opens. */
async function runCommandAndPick(page: Page, command: string, item: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${command}`);
  await widget.locator('.monaco-list-row', { hasText: command }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  // The command's own quick pick replaces the palette: its input starts empty.
  const deadline = Date.now() + 30_000;
  while ((await input.inputValue().catch(() => '>')).startsWith('>') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await input.fill(item);
  const row = widget.locator('.monaco-list-row', { hasText: item }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 30_000 });
}

/**
 * Tasks: Run Task, then the task type's entry, then the task: as a user picks
 * it (contributed tasks are listed under their type, not at the top).
 */
async function runTask(page: Page, type: string, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await widget.locator('.quick-input-box input').fill('>Tasks: Run Task');
  // Exact: "Tasks: Run Task" is a prefix of others.
  await widget.locator('.monaco-list-row .label-name').filter({ hasText: /^Tasks: Run Task$/ }).first().click();
  // The types are listed once every task provider has answered (slow on a loaded machine).
  await widget.locator('.monaco-list-row .label-name').filter({ hasText: new RegExp(`^\\s*${type}\\s*$`) }).first().click({ timeout: 120_000 });
  await widget.locator('.monaco-list-row .label-name').filter({ hasText: label }).first().click({ timeout: 120_000 });
  await widget.waitFor({ state: 'hidden', timeout: 30_000 });
}

describe('e2e: editor conventions of the Wakerscope extension', function () {
  this.timeout(600_000);

  let workbench: ExtensionWorkbench | undefined;
  let page: Page;
  let folder: string;

  before(async function () {
    workbench = await openExtensionWorkbench({
      prefix: 'wakerscope-e2e-editor-',
      files: { 'clone-leak.ts': CLONE_LEAK, 'stale.ts': STALE_DIRECTIVE, 'src/far-leak.ts': FAR_LEAK },
    });
    ({ page, folder } = workbench);
    // The project installs wakerscope, as `npm install --save-dev wakerscope` would (a link to this build).
    fs.symlinkSync(REPO_ROOT, path.join(folder, 'node_modules', 'wakerscope'), 'dir');
  });

  after(async () => workbench?.close());

  afterEach(async function () {
    await recordFailure(this, 'editor', workbench);
  });

  it('offers the documentation and an ignore directive on a finding; ignoring it removes the problem', async function () {
    await openFile(page, 'clone-leak.ts');
    const rule = code('clone-without-drop');
    await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 240_000);
    await goToLine(page, 4, 9);
    const titles = await quickFixTitles(page, /Ignore with/);
    for (const expected of [
      'Declare with `using`',
      'Ignore with `// wakerscope-ignore-next-line clone-without-drop`',
      'Show documentation for `clone-without-drop`',
    ]) {
      assert.ok(titles.includes(expected), `"${expected}" not offered: ${JSON.stringify(titles)}`);
    }
    await page.keyboard.press('Control+.');
    await page.locator('.action-widget .monaco-list-row.action', { hasText: 'Show documentation' }).waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'editor-01-code-actions');
    await page.keyboard.press('Escape');

    await applyAction(page, 'Show documentation for `clone-without-drop`');
    // code-server asks before opening an external site: the dialog names the page.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok((await dialog.innerText()).includes(docsUrl('clone-without-drop')), `the dialog does not name the docs page: ${await dialog.innerText()}`);
    await screenshot(page, 'editor-02-docs-link');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await goToLine(page, 4, 9);
    await applyAction(page, 'Ignore with `// wakerscope-ignore-next-line clone-without-drop`');
    await waitForEditorText(page, '// wakerscope-ignore-next-line clone-without-drop');
    await page.keyboard.press('Control+S');
    const file = path.join(folder, 'clone-leak.ts');
    const deadline = Date.now() + 20_000;
    while (!fs.readFileSync(file, 'utf8').includes('wakerscope-ignore') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(fs.readFileSync(file, 'utf8'), CLONE_LEAK.replace('  const copy', '  // wakerscope-ignore-next-line clone-without-drop\n  const copy'));
    await waitForProblems(page, (r) => !r.some((t) => rule.test(t)), 120_000);
    await screenshot(page, 'editor-03-ignored');
  });

  it('saves an exploration row as a .wakersim scenario, opens it, and the scenario replays as expected', async function () {
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'seed-box-waker.ts');
    await runCommand(page, 'Wakerscope: Explore Vtable');
    const panel = simulationPanel(page);
    await panel.locator('h1', { hasText: 'Exploration of' }).waitFor({ state: 'visible', timeout: 180_000 });
    await panel.getByRole('button', { name: /^Save the double-free run as a scenario/ }).click();
    const saved = path.join(folder, 'seed-box-waker-double-free.wakersim');
    await page.locator('.tabs-container .tab.active', { hasText: 'seed-box-waker-double-free.wakersim' }).waitFor({ state: 'visible', timeout: 60_000 });
    const text = fs.readFileSync(saved, 'utf8');
    assert.match(text, /^use "\.\/seed-box-waker\.ts" create createRawWaker$/m);
    assert.match(text, /^expect double-free$/m);
    await screenshot(page, 'editor-05-saved-scenario');
    await runCommand(page, 'Wakerscope: Simulate Scenario');
    await panel.locator('.summary', { hasText: 'as expected' }).waitFor({ state: 'visible', timeout: 120_000 });
    assert.match(await panel.locator('.summary').innerText(), /double-free/);
    // The panel at its default width beside the editor: the Rust column, and a legible diagram.
    assert.match(await panel.locator('.timeline').innerText(), /let w1 = w0\.clone\(\);/);
    await panel.locator('.timeline .step').last().click();
    await screenshot(page, 'editor-06-panel-rust');
  });

  it('offers "Remove the comment" on a directive that suppresses nothing, and removing it clears the warning', async function () {
    await openFile(page, 'stale.ts');
    const rule = code('unused-suppression');
    await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 240_000);
    await goToLine(page, 1, 4);
    const titles = await quickFixTitles(page, /Remove the comment/);
    assert.ok(titles.includes('Show documentation for `unused-suppression`'), JSON.stringify(titles));
    assert.ok(!titles.some((t) => t.startsWith('Ignore with')), `an unused directive is not ignored with another: ${JSON.stringify(titles)}`);
    await applyAction(page, 'Remove the comment');
    await waitForProblems(page, (r) => !r.some((t) => rule.test(t)), 120_000);
    const text = (await activeEditor(page).locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
    assert.ok(!text.includes('wakerscope-ignore'), `the comment is still there: ${text}`);
    assert.match(text, /export const answer = 42;/);
    await screenshot(page, 'editor-04-removed');
  });

  /** The Problems rows of src/far-leak.ts's finding, shown with the rule as its code (Check Workspace and the task), not tsserver's number. */
  const farRows = (rows: string[]) => rows.filter((t) => /wakerscope\W*clone-without-drop/.test(t) && /never dropped/.test(t));

  it('Check Workspace fills Problems for a file that is not open; opening it hands the file to the live plugin', async function () {
    await runCommand(page, 'Wakerscope: Check Workspace');
    const rows = await waitForProblems(page, (r) => r.some((t) => t.startsWith('far-leak.ts')) && farRows(r).length > 0, 180_000);
    assert.ok(farRows(rows).some((t) => t.includes('[Ln 4, Col 16]')), `not at the clone: ${JSON.stringify(rows)}`);
    await screenshot(page, 'editor-07-check-workspace');
    await openFile(page, 'src/far-leak.ts');
    // Now tsserver reports it (its numeric code), and the snapshot is gone.
    await waitForProblems(page, (r) => farRows(r).length === 0 && r.some((t) => code('clone-without-drop').test(t) && t.includes('[Ln 4, Col 16]')), 120_000);
    await runCommand(page, 'View: Close Editor');
    await waitForProblems(page, (r) => !r.some((t) => t.startsWith('far-leak.ts')), 60_000);
  });

  it('Tasks: Run Task > wakerscope > check runs the project CLI, and the $wakerscope problem matcher fills Problems', async function () {
    // After Check Workspace's test: far-leak.ts was opened and closed, so nothing but the task can report it now.
    await waitForProblems(page, (r) => farRows(r).length === 0, 60_000);
    await runTask(page, 'wakerscope', 'wakerscope: check');
    await page.locator('.part.panel .terminal-wrapper').first().waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await waitForProblems(page, (r) => farRows(r).length > 0, 180_000);
    assert.ok(farRows(rows).some((t) => t.includes('[Ln 4, Col 16]')), `not at the clone: ${JSON.stringify(rows)}`);
    assert.ok(rows.some((t) => /wakerscope\W*vtable-clone-no-retain/.test(t) && t.includes('[Ln 12, Col 10]')), `the seed's finding is not in Problems: ${JSON.stringify(rows)}`);
    await screenshot(page, 'editor-08-task');
  });

  it('a language status item on TypeScript files says the plugin is active, which rules are off, and the last analysis', async function () {
    await openFile(page, 'clone-leak.ts');
    const status = page.locator('[id="status.languageStatus"]');
    await status.waitFor({ state: 'visible', timeout: 30_000 });
    const item = page.locator('.hover-language-status', { hasText: 'Wakerscope' });
    // Until tsserver has sent the file's diagnostics once, it says "not analysed yet".
    let text = '';
    for (const deadline = Date.now() + 120_000; !/last analysis \d/.test(text) && Date.now() < deadline; ) {
      if (!(await item.first().isVisible())) await status.click();
      await item.first().waitFor({ state: 'visible', timeout: 30_000 });
      text = (await item.first().innerText()).replace(/\s+/g, ' ');
      if (!/last analysis \d/.test(text)) {
        await page.keyboard.press('Escape');
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    assert.match(text, /plugin active/);
    assert.match(text, /all rules on/);
    assert.match(text, /last analysis \d/);
    await screenshot(page, 'editor-09-language-status');
    // Its command opens the log (the hover may need a second click while it settles).
    const log = page.locator('.part.panel .view-lines', { hasText: 'tsserver plugin configured' }).first();
    for (let attempt = 0; attempt < 3 && !(await log.isVisible()); attempt++) {
      if (!(await item.first().isVisible())) await status.click();
      await item.first().locator('a', { hasText: 'Show Log' }).first().click();
      await log.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
    }
    assert.ok(await log.isVisible(), 'the status item did not open the Wakerscope log');
  });

  it('wakerscope.codeLens.enable: false removes the Explore lens, and true brings it back', async function () {
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'seed-box-waker.ts');
    await goToLine(page, 26, 1); // scrolls the lens into view
    const lens = activeEditor(page).locator('.codelens-decoration a', { hasText: /Explore vtable/ });
    await lens.first().waitFor({ state: 'visible', timeout: 60_000 });
    const settingsFile = path.join(folder, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ 'wakerscope.codeLens.enable': false }));
    await lens.first().waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot(page, 'editor-10-no-lens');
    fs.writeFileSync(settingsFile, '{}');
    await lens.first().waitFor({ state: 'visible', timeout: 30_000 });
  });

  it("the walkthrough has three steps, and its first step's button opens the seed example and completes the step", async function () {
    await runCommandAndPick(page, 'Welcome: Open Walkthrough...', 'Get started with Wakerscope');
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.locator('text=Open the seed example and see the squiggle').first().waitFor({ state: 'visible', timeout: 60_000 });
    for (const title of ['Explore its vtable', 'Configure the rules']) assert.ok(await walkthrough.locator(`text=${title}`).first().isVisible(), `no step "${title}"`);
    const done = walkthrough.locator('[data-done-step-id$="#seeTheSquiggle"]');
    assert.equal(await done.getAttribute('aria-checked'), 'false', 'the first step starts not done');
    await screenshot(page, 'editor-11-walkthrough');
    // Exact: the step itself is a button whose accessible name contains the link's label too.
    await walkthrough.getByRole('button', { name: 'Open the Seed Example', exact: true }).click();
    // In the walkthrough's group, where the walkthrough was the active tab.
    await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'seed-box-waker.ts' }).waitFor({ state: 'visible', timeout: 60_000 });
    // The step's completion event (onCommand:wakerscope.openSeedExample) ticks it off.
    await page.locator('.tabs-container .tab', { hasText: 'Walkthrough' }).first().click();
    await walkthrough.locator('[data-done-step-id$="#seeTheSquiggle"][aria-checked="true"]').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'editor-12-walkthrough-done');
  });

  it("the walkthrough's second step explores the seed's vtable from its button, with no TypeScript editor active", async function () {
    const walkthrough = page.locator('.gettingStartedContainer');
    await page.locator('.tabs-container .tab', { hasText: 'Walkthrough' }).first().click();
    await walkthrough.locator('.getting-started-step', { hasText: 'Explore its vtable' }).first().click();
    const panel = simulationPanel(page);
    await walkthrough.getByRole('button', { name: 'Explore Vtable', exact: true }).click();
    await panel.locator('h1', { hasText: 'Exploration of' }).waitFor({ state: 'visible', timeout: 180_000 });
    assert.match(await panel.locator('table').innerText(), /double-free/);
    await page.locator('.tabs-container .tab', { hasText: 'Walkthrough' }).first().click();
    await walkthrough.locator('[data-done-step-id$="#exploreTheVtable"][aria-checked="true"]').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'editor-13-walkthrough-explored');
  });

  it("the walkthrough's third step opens the settings at Wakerscope's", async function () {
    const walkthrough = page.locator('.gettingStartedContainer');
    await page.locator('.tabs-container .tab', { hasText: 'Walkthrough' }).first().click();
    await walkthrough.locator('.getting-started-step', { hasText: 'Configure the rules' }).first().click();
    await walkthrough.getByRole('button', { name: 'Open the Wakerscope Settings', exact: true }).click();
    const settings = page.locator('.settings-editor');
    // Listed by title; the depth setting goes as far as the explorer (12), and says why a module it cannot read stops at 6.
    const depth = settings.locator('.setting-item-contents', { hasText: 'Exploration: Depth' }).first();
    await depth.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await settings.locator('.settings-header .suggest-input-container textarea, .settings-header input').first().inputValue().catch(() => ''), 'wakerscope.');
    assert.match((await depth.innerText()).replace(/\s+/g, ' '), /at most 12\b.*capped at 6/);
    await screenshot(page, 'editor-14-walkthrough-settings');
  });
});
