/**
 * Workspace Trust, end to end in real VS Code (code-server 4.99.4 = VS Code
 * 1.99.3) in Debian's Chromium. The manifest declares
 * `untrustedWorkspaces: { supported: 'limited' }`: findings only read code, so
 * they work in Restricted Mode; the simulation commands run the workspace's
 * code, so they refuse and explain until the user trusts the folder.
 *
 * The folder opens untrusted (Workspace Trust on, no startup prompt), and the
 * test checks: Restricted Mode is on; the seed's finding is in Problems, from
 * the plugin loaded into VS Code's bundled TypeScript; Simulate Scenario,
 * Explore Vtable and Simulate Selected Sequence explain themselves and open no
 * panel; after trusting the folder in the Workspace Trust editor the scenario
 * simulates, and the finding is still reported. Screenshots go to
 * test-results/e2e/trust-*.png.
 *
 *   npm run test:e2e   (WAKERSCOPE_E2E_VSIX=path reuses a packaged .vsix)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { activeEditor, e2eEnv, focusProblems, goToLine, openFile, REPO_ROOT, runCommand, screenshot, waitForEditorText, waitForNotification, waitForProblems } from './vscode';
import { type ExtensionWorkbench, installedExtension, openExtensionWorkbench, recordFailure, ruleCode, simulationPanel } from './workspace';

const SEED_SCENARIO = [
  'use "./seed-box-waker.ts" create createRawWaker',
  'new',
  'clone 0',
  'wake 0',
  'drop 1',
  'expect double-free',
  '# selected later: new; clone 0; drop 0; drop 1',
  '',
].join('\n');

/** What the extension says instead of simulating (src/extension/simulation.ts). */
const UNTRUSTED_MESSAGE =
  "Wakerscope: simulation runs this workspace's code, so it is disabled until you trust the workspace. Findings, hover and quick fixes still work.";

/** The Simulate Scenario button in the editor title. */
const PLAY_BUTTON = '.editor-group-container.active .editor-actions .action-label[aria-label^="Simulate Scenario"]';

/** The TypeScript that code-server's built-in TypeScript extension ships. */
const bundledTypeScript = () => path.resolve(e2eEnv().codeServerEntry, '..', '..', '..', 'lib', 'vscode', 'extensions', 'node_modules', 'typescript');

const packageVersion = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every tsserver.log VS Code's TypeScript wrote under the user data dir (code-server keeps extension logs there). */
function tsserverLogs(userDataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'tsserver.log') found.push(full);
    }
  };
  if (fs.existsSync(userDataDir)) walk(userDataDir);
  return found;
}

/** The logs of the semantic tsservers (they load projects and plugins; the other kind runs with --serverMode partialSemantic). */
function semanticTsserverLogs(userDataDir: string): string[] {
  const logs = tsserverLogs(userDataDir).map((file) => fs.readFileSync(file, 'utf8'));
  const semantic = logs.filter((text) => /Arguments: .*tsserver\.js/.test(text) && !/Arguments: .*--serverMode/.test(text));
  assert.ok(semantic.length > 0, `no semantic tsserver log under ${userDataDir} (${logs.length} tsserver logs)`);
  return semantic;
}

const WORKSPACE_FILES = {
  'seed-box-waker.wakersim': SEED_SCENARIO,
  '.vscode/settings.json': JSON.stringify(
    {
      // Like many projects, the folder names its own TypeScript (node_modules/typescript, linked in).
      'typescript.tsdk': 'node_modules/typescript/lib',
      // VS Code's TypeScript then logs which tsserver it started and which plugins that loaded.
      'typescript.tsserver.log': 'verbose',
    },
    null,
    2,
  ),
};

describe('e2e: Workspace Trust (Restricted Mode) in VS Code', function () {
  this.timeout(600_000);

  let workbench: ExtensionWorkbench | undefined;
  let page: Page;

  /** A screenshot once the notification toasts have finished sliding in (or out). */
  async function settledScreenshot(name: string): Promise<void> {
    await page.evaluate(() =>
      Promise.all(
        Array.from(document.querySelectorAll('.notifications-toasts'))
          .flatMap((toasts) => toasts.getAnimations({ subtree: true }))
          .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity) // not a progress bar
          .map((animation) => animation.finished.catch(() => undefined)),
      ),
    );
    await screenshot(page, name);
  }

  const panelTab = () => page.locator('.tabs-container .tab', { hasText: 'Wakerscope Simulation' });
  const notification = (text: string) =>
    page.locator('.notifications-toasts .notification-list-item', { has: page.locator('.notification-list-item-message', { hasText: text }) });

  /** Runs a simulation command and checks it explains itself, runs nothing and opens no panel. */
  async function expectRefused(commandLabel: string, shot: string): Promise<void> {
    await runCommand(page, 'Notifications: Clear All Notifications');
    await notification('Wakerscope').first().waitFor({ state: 'hidden' });
    await runCommand(page, commandLabel);
    await waitForNotification(page, 'it is disabled until you trust the workspace', 60_000);
    const toast = notification('Wakerscope').first();
    const message = (await toast.locator('.notification-list-item-message').innerText()).replace(/\u00a0/g, ' ');
    assert.equal(message, UNTRUSTED_MESSAGE);
    // The way out is offered on the message itself.
    assert.equal(await toast.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).count(), 1);
    await settledScreenshot(shot);
    // The check comes before any simulation starts: no progress toast, no panel.
    assert.equal(await notification('Wakerscope: simulating').count(), 0, `${commandLabel} started a simulation`);
    assert.equal(await notification('Wakerscope: exploring').count(), 0, `${commandLabel} started an exploration`);
    assert.equal(await panelTab().count(), 0, `${commandLabel} opened the simulation panel`);
    assert.equal(await page.locator('iframe.webview').count(), 0, `${commandLabel} opened a webview`);
  }

  before(async function () {
    workbench = await openExtensionWorkbench({ prefix: 'wakerscope-e2e-trust-', files: WORKSPACE_FILES, linkTypeScript: true, workspaceTrust: true });
    page = workbench.page;
  });

  after(async () => workbench?.close());

  afterEach(async function () {
    await recordFailure(this, 'trust', workbench);
  });

  it('opens the folder in Restricted Mode, without a modal prompt', async function () {
    const status = page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' });
    await status.first().waitFor({ state: 'visible', timeout: 60_000 });
    const banner = page.locator('.part.banner', { hasText: 'Restricted Mode is intended for safe code browsing' });
    await banner.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await banner.innerText(), /Trust this folder to enable all features/);
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'a trust dialog is open');
    await settledScreenshot('trust-01-restricted-mode');
  });

  it("shows the seed's finding in Problems: the plugin runs in VS Code's bundled TypeScript", async function () {
    await openFile(page, 'seed-box-waker.ts');
    await waitForEditorText(page, 'function myClone');
    const rule = ruleCode('vtable-clone-no-retain');
    const rows = await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 240_000);
    assert.match(rows.find((t) => rule.test(t))!, /`?myClone`? takes 0 references/);
    await runCommand(page, 'Notifications: Clear All Notifications'); // e.g. "TS Server logging is enabled"
    await settledScreenshot('trust-02-finding');

    // Which tsserver? The folder names its own TypeScript, but VS Code 1.99's
    // TypeScript extension does not switch to a workspace TypeScript in
    // Restricted Mode (typescript.tsdk is one of its restricted settings, and
    // choosing the workspace version asks for trust): its bundled tsserver runs,
    // and loads the plugin from the installed extension.
    const bundled = packageVersion(bundledTypeScript());
    const workspace = packageVersion(path.join(REPO_ROOT, 'node_modules', 'typescript'));
    assert.notEqual(bundled, workspace, 'the fixture needs a workspace TypeScript that differs from the bundled one');
    const pluginDir = installedExtension(workbench!.extensionsDir);
    for (const log of semanticTsserverLogs(workbench!.server.userDataDir)) {
      assert.match(log, new RegExp(`Version: ${escape(bundled)}\\n`));
      const args = log.split('\n').find((line) => line.includes('Arguments:'))!;
      assert.ok(args.includes(path.join(bundledTypeScript(), 'lib', 'tsserver.js')), `not VS Code's bundled tsserver: ${args}`);
      assert.match(log, new RegExp(`Loading wakerscope from ${escape(pluginDir)}.*\\n.*Plugin validation succeeded`));
    }

    // The extension itself is enabled (supported: 'limited') and knows the workspace is not trusted.
    await runCommand(page, 'Wakerscope: Show Log');
    await page.locator('.part.panel .view-lines', { hasText: 'activated (workspace not trusted)' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await focusProblems(page);
  });

  it('Simulate Scenario explains why it is disabled, and opens no panel', async function () {
    await openFile(page, 'seed-box-waker.wakersim');
    // The editor title's play button needs trust too (its `when` clause).
    assert.equal(await page.locator(PLAY_BUTTON).count(), 0, 'the play button shows in Restricted Mode');
    await expectRefused('Wakerscope: Simulate Scenario', 'trust-03-simulate-refused');
  });

  it('Explore Vtable and Simulate Selected Sequence explain themselves too', async function () {
    await openFile(page, 'seed-box-waker.ts');
    // No Explore lens either: it would run the code. (The file's findings are in already, so lenses had their time.)
    await goToLine(page, 26, 1); // the vtable's line, where the lens would be
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await activeEditor(page).locator('.codelens-decoration a', { hasText: /Explore vtable/ }).count(), 0, 'an Explore lens in Restricted Mode');
    await expectRefused('Wakerscope: Explore Vtable', 'trust-04-explore-refused');
    await openFile(page, 'seed-box-waker.wakersim');
    const selected = SEED_SCENARIO.split('\n')[6];
    await goToLine(page, 7, selected.indexOf('new;') + 1);
    await page.keyboard.press('Shift+End');
    await expectRefused('Wakerscope: Simulate Selected Sequence', 'trust-05-selection-refused');
  });

  it('after the user trusts the folder from the message, the scenario simulates', async function () {
    await openFile(page, 'seed-box-waker.wakersim');
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'Wakerscope: Simulate Scenario');
    await waitForNotification(page, 'it is disabled until you trust the workspace', 60_000);
    await notification('Wakerscope').first().locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).click();
    const trustEditor = page.locator('.workspace-trust-editor');
    const trustButton = trustEditor.locator('.workspace-trust-buttons-row .monaco-button', { hasText: /^Trust$/ }).first();
    await trustButton.waitFor({ state: 'visible', timeout: 30_000 });
    await trustButton.scrollIntoViewIfNeeded();
    await settledScreenshot('trust-06-trust-editor');
    await trustButton.click();
    await page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await page.locator('.part.banner', { hasText: 'Restricted Mode' }).waitFor({ state: 'hidden' });

    // Back to the scenario, which was active before the Workspace Trust editor opened.
    await runCommand(page, 'View: Close Editor');
    await page.locator('.tabs-container .tab.active', { hasText: 'seed-box-waker.wakersim' }).waitFor({ state: 'visible' });
    // Trusted, the editor title offers the play button (hidden in Restricted Mode): press it.
    const play = page.locator(PLAY_BUTTON).first();
    await play.waitFor({ state: 'visible', timeout: 30_000 });
    await play.click();
    const panel = simulationPanel(page);
    await panel.locator('body', { hasText: 'double-free' }).waitFor({ state: 'visible', timeout: 120_000 });
    assert.match(await panel.locator('body').innerText(), /myDrop/);
    await panelTab().first().waitFor({ state: 'visible' });
    await settledScreenshot('trust-07-trusted-simulation');
    // Trusting applies the restricted workspace settings (typescript.tsdk among
    // them) and VS Code's TypeScript loads the project again: the finding comes back.
    const rule = ruleCode('vtable-clone-no-retain');
    await waitForProblems(page, (r) => r.some((t) => rule.test(t)), 240_000);
    // Trusted now, the seed's vtable gets its Explore lens.
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'seed-box-waker.ts');
    await goToLine(page, 26, 1); // scrolls the vtable, and its lens, into view
    await activeEditor(page).locator('.codelens-decoration a', { hasText: /Explore vtable/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
  });
});
