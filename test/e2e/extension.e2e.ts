/**
 * The packaged extension in real VS Code (code-server 4.99.4 = VS Code 1.99.3)
 * in Debian's Chromium: builds and packages the .vsix, installs it into a fresh
 * extensions folder, opens a folder with the seed example, and checks what a
 * user sees: the squiggle and Problems entry for the seed's clone bug, the hover
 * on `myClone`, a quick fix that removes a problem, and the simulation panel
 * (a scenario, an exploration from the code lens, a run opened from it, a reload).
 * Screenshots go to test-results/e2e/extension-*.png.
 *
 *   npm run test:e2e           (after `npm run setup`, which builds the code-server cache)
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RULES } from '../../src/analysis/rules';
import {
  activeEditor,
  applyQuickFix,
  type CodeServer,
  e2eEnv,
  goToLine,
  hoverAtCursor,
  installVsix,
  launchBrowser,
  makeWorkspace,
  newPage,
  openFile,
  openWorkbench,
  REPO_ROOT,
  runCommand,
  screenshot,
  squiggles,
  startCodeServer,
  waitForEditorText,
  waitForProblems,
} from './vscode';

const SEED = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'seed-box-waker.ts'), 'utf8');

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

/** A clone that is never dropped: `clone-without-drop`, fixable with `using`. */
const CLONE_LEAK = [
  "import type { WakerRef } from 'wakerscope/waker';",
  '',
  'export function notifyTwice(waker: WakerRef): void {',
  '  const copy = waker.clone();',
  '  copy.wakeByRef();',
  '  waker.wakeByRef();',
  '}',
  '',
].join('\n');

/** Type-checks the waker library's sources from the folder, as a user's project would with `paths`. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
    module: 'preserve',
    moduleResolution: 'bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    baseUrl: '.',
    paths: { 'wakerscope/waker': ['./src/waker/index.ts'] },
  },
  include: ['*.ts', 'src'],
};

function workspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify(TSCONFIG, null, 2),
    'seed-box-waker.ts': SEED,
    'seed-box-waker.wakersim': SEED_SCENARIO,
    'clone-leak.ts': CLONE_LEAK,
    'broken.wakersim': 'use "./seed-box-waker.ts" create createRawWaker\nnew\nwake 3\n',
  };
  const waker = path.join(REPO_ROOT, 'src', 'waker');
  for (const name of fs.readdirSync(waker)) files[`src/waker/${name}`] = fs.readFileSync(path.join(waker, name), 'utf8');
  return files;
}

/** `npm run package`, as CI would; returns the .vsix path. WAKERSCOPE_E2E_VSIX=path reuses a package (for iterating on the test). */
function buildVsix(): string {
  const reuse = process.env.WAKERSCOPE_E2E_VSIX;
  if (reuse) {
    assert.ok(fs.existsSync(reuse), `WAKERSCOPE_E2E_VSIX=${reuse} does not exist`);
    return path.resolve(reuse);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = path.join(REPO_ROOT, `${manifest.name}-${manifest.version}.vsix`);
  fs.rmSync(vsix, { force: true });
  try {
    execFileSync('npm', ['run', 'package'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8', timeout: 300_000 });
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    throw new Error(`npm run package failed: ${output.trim().split('\n').slice(-8).join(' | ')}`);
  }
  assert.ok(fs.existsSync(vsix), `npm run package did not write ${vsix}`);
  return vsix;
}

/** 1-based line and column of the first `needle` in `text`. */
function locate(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${JSON.stringify(needle)} not in the fixture`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** How the Problems panel shows a rule's diagnostic code: `wakerscope(9006)` (innerText may split it). */
const code = (rule: keyof typeof RULES) => new RegExp(`wakerscope\\W*${RULES[rule].code}\\b`);

describe('e2e: the Wakerscope extension in VS Code', function () {
  this.timeout(600_000);

  let folder: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    e2eEnv(); // fails at once, with the setup command, when code-server is not set up
    const vsix = buildVsix();
    console.log(`    packaged ${path.basename(vsix)}: ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MiB`);
    folder = makeWorkspace(workspaceFiles(), 'wakerscope-e2e-ext-');
    // The waker runtime uses Node's Error.captureStackTrace; type-check it with the repository's @types/node.
    fs.mkdirSync(path.join(folder, 'node_modules', '@types'), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', '@types', 'node'), path.join(folder, 'node_modules', '@types', 'node'), 'dir');
    const extensionsDir = path.join(folder, '..', `${path.basename(folder)}-extensions`);
    const installed = await installVsix(vsix, extensionsDir);
    assert.match(installed, /wakerscope/i);
    server = await startCodeServer({ folder, extensionsDir });
    browser = await launchBrowser();
    page = await newPage(browser);
    await openWorkbench(page, server.url);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (folder && !process.env.WAKERSCOPE_E2E_KEEP) {
      fs.rmSync(folder, { recursive: true, force: true });
      fs.rmSync(`${folder}-extensions`, { recursive: true, force: true });
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, `extension-failed-${this.currentTest.title}`).catch(() => {});
      if (server) console.log(`    code-server log: ${server.logFile}`);
    }
  });

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
    // The panel's content lives two iframes deep: the webview host, then its active frame.
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
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
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await panel.locator('h1', { hasText: 'Exploration of' }).waitFor({ state: 'visible', timeout: 120_000 });
    const table = await panel.locator('table').innerText();
    assert.match(table, /double-free/);
    assert.doesNotMatch(table, /use-after-free|error/, 'the seed vtable only frees twice or leaks');
    await screenshot(page, 'extension-05-exploration');
    await panel.getByRole('button', { name: /Open the double-free run/ }).click();
    await panel.locator('text=Step 1 of').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await panel.locator('body').innerText(), /double-free/);
    await screenshot(page, 'extension-06-opened-run');
  });

  it('restores the panel after a reload', async function () {
    // VS Code's own reload saves the open editors first (a bare page reload may not).
    const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 90_000 });
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const tab = page.locator('.tabs-container .tab', { hasText: 'Wakerscope Simulation' }).first();
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    await tab.click();
    await panel.locator('body', { hasText: 'double-free' }).waitFor({ state: 'visible', timeout: 60_000 });
    // The run opened from the exploration, with the way back to it: the whole saved state came back.
    const text = await panel.locator('body').innerText();
    assert.match(text, /Back to exploration/);
    assert.match(text, /Step 1 of \d/);
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
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'seed-box-waker.wakersim');
    const { line, column } = locate(SEED_SCENARIO, 'new; clone 0; drop 0; drop 1');
    await goToLine(page, line, column);
    await page.keyboard.press('Shift+End');
    await runCommand(page, 'Wakerscope: Simulate Selected Sequence');
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await panel.locator('body', { hasText: 'new; clone 0; drop 0; drop 1' }).waitFor({ state: 'visible', timeout: 120_000 });
    assert.match(await panel.locator('body').innerText(), /double-free/);
    await screenshot(page, 'extension-09-selected-sequence');
  });

  it('shows a malformed .wakersim line as a problem at its line and column', async function () {
    await runCommand(page, 'View: Focus First Editor Group');
    await openFile(page, 'broken.wakersim');
    const rows = await waitForProblems(page, (r) => r.some((t) => t.includes('handle 3 does not exist yet')), 60_000);
    const row = rows.find((t) => t.includes('handle 3 does not exist yet'))!;
    assert.match(row, /wakerscope/);
    assert.ok(row.includes('[Ln 3, Col 6]'), `wrong place: ${row}`);
    await screenshot(page, 'extension-10-wakersim-error');
  });
});
