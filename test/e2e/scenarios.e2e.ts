/**
 * `.wakersim` scenarios in VS Code's Test Explorer, end to end in real VS Code
 * (code-server 4.99.4 = VS Code 1.99.3) in Debian's Chromium: the packaged
 * extension finds the workspace's scenarios, runs them all, marks the one whose
 * `expect` holds as passed and the other as failed, shows the failure (expected
 * against actual outcome, the violation's message) at the scenario line that
 * raised it, and runs a scenario again when it is saved. Screenshots go to
 * test-results/e2e/scenarios-*.png.
 *
 *   npm run test:e2e   (WAKERSCOPE_E2E_VSIX=path reuses a packaged .vsix)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { activeEditor, openFile, runCommand, screenshot } from './vscode';
import { type ExtensionWorkbench, openExtensionWorkbench, recordFailure } from './workspace';

/** The seed's double free, expected: passes. */
const PASSING = ['use "./seed-box-waker.ts" create createRawWaker', 'new', 'clone 0', 'wake 0', 'drop 1', 'expect double-free', ''].join('\n');
/** The same bug, expected not to happen: fails at line 5, where `wake 1` frees the box again. */
const FAILING = ['use "./seed-box-waker.ts" create createRawWaker', 'new', 'clone 0', 'wake 0', 'wake 1', 'expect ok', ''].join('\n');

describe('e2e: scenarios in the Test Explorer', function () {
  this.timeout(600_000);

  let workbench: ExtensionWorkbench | undefined;
  let folder: string;
  let page: Page;

  before(async function () {
    workbench = await openExtensionWorkbench({ prefix: 'wakerscope-e2e-tests-', files: { 'passing.wakersim': PASSING, 'failing.wakersim': FAILING } });
    ({ folder, page } = workbench);
  });

  after(async () => workbench?.close());

  afterEach(async function () {
    await recordFailure(this, 'scenarios', workbench);
  });

  /**
   * Focuses the Test Explorer. Its command exists once a test controller is
   * registered, that is once the extension has activated: retry until then.
   */
  async function focusTestExplorer(): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        await runCommand(page, 'Testing: Focus on Test Explorer View');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  /** The Test Explorer row of a scenario, by its label. */
  const row = (label: string) => page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.testing-stdtree-container .label', { hasText: label }) });
  /** Waits until the row shows `state` (its testing-<state>-icon). */
  async function waitForState(label: string, state: 'passed' | 'failed', timeoutMs = 120_000): Promise<void> {
    await row(label).locator(`.computed-state.codicon-testing-${state}-icon`).first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  it('lists the workspace scenarios and runs them all: the held expectation passes, the broken one fails', async function () {
    // Opening a scenario activates the extension (as does a workspace that contains one).
    await openFile(page, 'failing.wakersim');
    await focusTestExplorer();
    await row('passing.wakersim').first().waitFor({ state: 'visible', timeout: 60_000 });
    await row('failing.wakersim').first().waitFor({ state: 'visible' });
    await runCommand(page, 'Test: Run All Tests');
    await waitForState('passing.wakersim', 'passed');
    await waitForState('failing.wakersim', 'failed');
    await screenshot(page, 'scenarios-01-run-all');
  });

  it('shows the failure at the scenario line that raised it: expected against actual, and the violation', async function () {
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'failing.wakersim');
    // In the editor: actual against expected, beside `wake 1`, the step that freed the box again.
    const widget = activeEditor(page).locator('.test-error-content-widget', { hasText: 'double-free != ok' });
    await widget.first().waitFor({ state: 'visible', timeout: 60_000 });
    const line = activeEditor(page).locator('.view-line', { hasText: /^wake\s1$/ });
    const [widgetBox, lineBox] = [await widget.first().boundingBox(), await line.first().boundingBox()];
    assert.ok(widgetBox && lineBox && Math.abs(widgetBox.y - lineBox.y) < lineBox.height, `the failure is not on line 5 (widget ${JSON.stringify(widgetBox)}, line ${JSON.stringify(lineBox)})`);
    // In Test Results: the message, with the violation.
    const result = page.locator('.part.panel .monaco-list-row', { hasText: 'expected ok, got double-free' });
    await result.first().waitFor({ state: 'visible', timeout: 60_000 });
    const text = ((await result.first().getAttribute('aria-label')) ?? '') + (await result.first().innerText());
    assert.match(text.replace(/\u00a0/g, ' '), /expected ok, got double-free: double-free: freed at step 3 by `myWake`, freed again at step 4 by `myWake`/);
    await screenshot(page, 'scenarios-02-failure');
  });

  it('runs a scenario again when it is saved: fixed, it passes', async function () {
    await openFile(page, 'failing.wakersim');
    // The fix: expect what happens. Typed into the editor, then saved.
    await activeEditor(page).locator('.view-line', { hasText: 'expect ok' }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('expect double-free');
    await page.keyboard.press('Control+S');
    const deadline = Date.now() + 20_000;
    while (!fs.readFileSync(path.join(folder, 'failing.wakersim'), 'utf8').includes('expect double-free') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await focusTestExplorer();
    await waitForState('failing.wakersim', 'passed');
    await screenshot(page, 'scenarios-03-rerun-on-save');
  });
});
