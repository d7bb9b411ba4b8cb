/**
 * End-to-end test helpers: real VS Code (code-server) in real Debian Chromium,
 * driven headless by playwright-core.
 *
 * Prerequisite (once per machine, cached outside the work tree):
 *     bash scripts/setup-e2e.sh
 *
 * Typical use in a mocha test (see smoke.e2e.ts):
 *
 *     const server = await startCodeServer({ folder });
 *     const browser = await launchBrowser();
 *     const page = await browser.newPage();
 *     await openWorkbench(page, server.url);
 *     await openFile(page, 'src/hello.ts');
 *     await runCommand(page, 'View: Focus Problems');
 *     const rows = await waitForProblems(page, (r) => r.length > 0);
 *     await screenshot(page, 'problems');
 *     await browser.close();
 *     await server.stop();
 *
 * Nothing here skips: if the cache is missing the call throws, telling you to
 * run the setup script.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
/** code-server logs, one file per server (kept after stop() for debugging). */
export const LOG_DIR = path.join(SCREENSHOT_DIR, 'logs');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CACHE_DIR =
  process.env.WAKERSCOPE_E2E_CACHE || path.join(os.homedir(), '.cache', 'wakerscope-e2e');

const SETUP_HINT = 'run `bash scripts/setup-e2e.sh`';

/** Chromium flags: needed as root, headless, on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/** User settings written before code-server starts; `settings` passed to startCodeServer win. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'workbench.editor.enablePreview': false,
  'typescript.surveys.enabled': false,
  'typescript.tsserver.experimental.enableProjectDiagnostics': false,
  'npm.fetchOnlinePackageInfo': false,
};

/**
 * With `workspaceTrust: true`: Workspace Trust on, the folder untrusted (a fresh
 * browser profile has no trusted folders), and no modal at startup, so the
 * workbench opens straight into Restricted Mode; the banner always shows.
 */
export const RESTRICTED_MODE_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'always',
};

interface E2eEnv {
  codeServerVersion: string;
  nodeAbi: string;
  codeServerEntry: string;
  chromium: string;
}

function fail(message: string): never {
  throw new Error(`e2e: ${message}`);
}

/** Reads the cache written by scripts/setup-e2e.sh; throws a one-line reason if unusable. */
export function e2eEnv(): E2eEnv {
  const file = path.join(CACHE_DIR, 'e2e-env.json');
  if (!fs.existsSync(file)) fail(`code-server cache not found (${file}); ${SETUP_HINT}`);
  const env = JSON.parse(fs.readFileSync(file, 'utf8')) as E2eEnv;
  if (env.nodeAbi !== process.versions.modules) {
    fail(`code-server cache was built for Node ABI ${env.nodeAbi}, this is ${process.versions.modules}; ${SETUP_HINT}`);
  }
  if (!fs.existsSync(env.codeServerEntry)) fail(`code-server missing at ${env.codeServerEntry}; ${SETUP_HINT}`);
  if (!fs.existsSync(CHROMIUM_PATH)) fail(`${CHROMIUM_PATH} not found; ${SETUP_HINT}`);
  return env;
}

// --------------------------------------------------------------------- processes

/** A free TCP port on 127.0.0.1 (asks the kernel, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** All descendants of pid (Linux /proc), deepest last. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ..."; comm may contain spaces/parens.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // process went away
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killTree(pid: number, signal: NodeJS.Signals): number[] {
  const pids = [pid, ...descendants(pid)];
  try {
    process.kill(-pid, signal); // the process group (spawned detached)
  } catch {
    // group gone
  }
  for (const p of pids) {
    try {
      process.kill(p, signal); // stragglers that left the group (e.g. terminals via setsid)
    } catch {
      // gone
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Kills pid, its process group and all its descendants: SIGTERM, then SIGKILL after graceMs. */
export async function killProcessTree(pid: number, graceMs = 3000): Promise<void> {
  const pids = killTree(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await sleep(100);
  if (pids.some(alive)) {
    killTree(pid, 'SIGKILL');
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

// Safety net: if mocha exits without stop() (crash, Ctrl+C), do not leave code-server behind.
const liveServers = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveServers) killTree(pid, 'SIGKILL');
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

// --------------------------------------------------------------------- code-server

export interface CodeServerOptions {
  /** The workspace folder to open. */
  folder: string;
  /** Where extensions live (installVsix into the same dir). Default: a fresh temp dir. */
  extensionsDir?: string;
  /** VS Code user data dir. Default: a fresh temp dir. */
  userDataDir?: string;
  /** User settings merged over DEFAULT_SETTINGS, written to userDataDir/User/settings.json. */
  settings?: Record<string, unknown>;
  /** Extra code-server CLI arguments. */
  extraArgs?: string[];
  /** Extra environment variables for code-server (and so the extension host). */
  env?: Record<string, string>;
  /** How long to wait for HTTP (ms). Default 60 s. */
  startTimeoutMs?: number;
  /**
   * Turn Workspace Trust on (default off): the folder then opens untrusted, in
   * Restricted Mode, with the banner and no modal prompt (RESTRICTED_MODE_SETTINGS).
   */
  workspaceTrust?: boolean;
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234/?folder=/tmp/x — open this in the browser. */
  url: string;
  port: number;
  pid: number;
  extensionsDir: string;
  userDataDir: string;
  /** code-server's stdout+stderr, under test-results/e2e/logs/ (kept after stop()). */
  logFile: string;
  /** Kills the whole process tree and removes the temp dir it made (set WAKERSCOPE_E2E_KEEP=1 to keep it). Safe to call twice. */
  stop(): Promise<void>;
}

/** Arguments and environment so code-server keeps its own config/data out of $HOME. */
function codeServerBase(home: string, env?: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
    XDG_DATA_HOME: path.join(home, 'xdg-data'),
    XDG_CACHE_HOME: path.join(home, 'xdg-cache'),
    ...env,
  };
  // Do not leak the test runner's tsx/mocha hooks into code-server or the extension host.
  delete e.NODE_OPTIONS;
  delete e.ELECTRON_RUN_AS_NODE;
  delete e.VSCODE_IPC_HOOK_CLI;
  return e;
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const env = e2eEnv();
  const folder = path.resolve(opts.folder);
  if (!fs.existsSync(folder)) fail(`workspace folder does not exist: ${folder}`);

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wakerscope-e2e-cs-'));
  const extensionsDir = path.resolve(opts.extensionsDir ?? path.join(home, 'extensions'));
  const userDataDir = path.resolve(opts.userDataDir ?? path.join(home, 'user-data'));
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = { ...DEFAULT_SETTINGS, ...(opts.workspaceTrust ? RESTRICTED_MODE_SETTINGS : {}), ...(opts.settings ?? {}) };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const port = await freePort();
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `code-server-${new Date().toISOString().replace(/[:.]/g, '-')}-${port}.log`);
  const logFd = fs.openSync(logFile, 'a');
  const args = [
    env.codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    // The server flag overrides the setting: without it the workbench asks the setting.
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--config', path.join(home, 'config.yaml'),
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    ...(opts.extraArgs ?? []),
    folder,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: folder,
    env: codeServerBase(home, opts.env),
    stdio: ['ignore', logFd, logFd],
    detached: true, // own process group, so stop() can kill the whole tree
  });
  fs.closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) fail('could not spawn code-server');
  installExitHook();
  liveServers.add(pid);

  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `code ${code} signal ${signal}`;
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killProcessTree(pid);
    liveServers.delete(pid);
    // Caller-given extensionsDir/userDataDir live outside `home` and are kept.
    if (!process.env.WAKERSCOPE_E2E_KEEP) fs.rmSync(home, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (await httpOk(`${base}/healthz`)) break;
    if (exited !== undefined || Date.now() > deadline) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      await stop();
      fail(
        `code-server ${exited ? `exited (${exited})` : 'did not answer HTTP in time'} on ${base}\n${tail}`,
      );
    }
    await sleep(250);
  }
  return {
    url: `${base}/?folder=${encodeURIComponent(folder)}`,
    port,
    pid,
    extensionsDir,
    userDataDir,
    logFile,
    stop,
  };
}

/**
 * Installs a .vsix (or a marketplace id, though there is no network here) into
 * extensionsDir with code-server's CLI. Call it before startCodeServer with the
 * same extensionsDir. Returns the CLI output.
 */
export async function installVsix(vsixPath: string, extensionsDir: string): Promise<string> {
  const env = e2eEnv();
  const vsix = path.resolve(vsixPath);
  if (!fs.existsSync(vsix)) fail(`VSIX not found: ${vsix}`);
  fs.mkdirSync(extensionsDir, { recursive: true });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wakerscope-e2e-cli-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          env.codeServerEntry,
          '--config', path.join(home, 'config.yaml'),
          '--user-data-dir', path.join(home, 'user-data'),
          '--extensions-dir', path.resolve(extensionsDir),
          '--install-extension', vsix,
          '--force',
        ],
        { env: codeServerBase(home), timeout: 120_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const out = `${stdout}${stderr}`;
          if (err || !/successfully installed/i.test(out)) {
            reject(new Error(`e2e: installing ${vsix} failed: ${out.trim().split('\n').slice(-5).join(' | ') || err}`));
          } else {
            resolve(out);
          }
        },
      );
    });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------- browser

/** Headless Debian Chromium. Close it in an after() hook. */
export async function launchBrowser(): Promise<Browser> {
  e2eEnv();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A page with a size that shows the editor and the panel side by side. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

const isMac = process.platform === 'darwin';
const mod = isMac ? 'Meta' : 'Control';

/**
 * Loads the workbench and waits until it is usable: the workbench, editor
 * area and status bar are there and, when a folder is open, the Explorer
 * shows its files.
 */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  if (url.includes('folder=')) {
    await page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs });
  }
}

/**
 * Press `key` (F1, Ctrl+P, Ctrl+G) and wait for the quick input. A webview's
 * iframe can hold the focus and keep the key to itself (right after clicking a
 * panel's tab), so on a miss the focus goes back to the workbench's active tab
 * and the key is pressed again.
 */
/**
 * Opens a quick input with `key` and types `text` into it. A quick input closes
 * when it loses focus, and a webview that was just clicked can take focus a
 * moment after the input opened (a CI flake): then open it again and refill.
 */
async function openQuickInput(page: Page, key: string, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(text, { timeout: 5_000 });
      await sleep(200);
      if ((await input.isVisible()) && (await input.inputValue()) === text) return;
      if (attempt === 3) fail(`the quick input opened by ${key} closed before "${text}" could be entered`);
    } catch (error) {
      if (attempt === 3) throw error;
    }
    await closeQuickInput(page);
    await page.locator('.tabs-container .tab.active').first().click();
  }
}

async function closeQuickInput(page: Page): Promise<void> {
  if (await page.locator('.quick-input-widget').isVisible()) {
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }
}

/**
 * Runs a command by its Command Palette label, e.g. 'View: Toggle Word Wrap'.
 * Picks the row whose label is exactly `label` (case-insensitive), else the
 * first row whose label starts with it ('View: Focus Problems' finds
 * 'View: Focus Problems (Errors, Warnings, Infos)'); fails if there is none.
 */
export async function runCommand(page: Page, label: string): Promise<void> {
  await closeQuickInput(page);
  await openQuickInput(page, 'F1', `>${label}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const wanted = label.trim().toLowerCase();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const labels = await rows.evaluateAll((els) =>
      els.map((el) => (el.querySelector('.label-name')?.textContent ?? '').replace(/\u00a0/g, ' ').trim()),
    );
    let pick = labels.findIndex((l) => l.toLowerCase() === wanted);
    if (pick < 0) pick = labels.findIndex((l) => l.toLowerCase().startsWith(wanted));
    if (pick >= 0) {
      await rows.nth(pick).click();
      break;
    }
    if (Date.now() > deadline) {
      await closeQuickInput(page);
      fail(`command "${label}" not in the Command Palette (saw: ${labels.slice(0, 5).join(' | ') || 'nothing'})`);
    }
    await sleep(200);
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * Opens a workspace file by its path relative to the folder, with Quick Open
 * (Ctrl+P), and waits until its tab is the active one.
 */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  await closeQuickInput(page);
  const rel = relativePath.split(path.sep).join('/');
  const base = path.posix.basename(rel);
  await openQuickInput(page, `${mod}+P`, rel);
  // Wait for a result whose file name matches (file search runs ripgrep on the server).
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: base }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page
    .locator('.tabs-container .tab.active', { has: page.locator('.label-name', { hasText: base }) })
    .waitFor({ state: 'visible' });
  await activeEditor(page).locator('.view-lines').waitFor({ state: 'visible' });
}

/** The active (focused group's active) text editor. */
export function activeEditor(page: Page) {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/** The visible text of the active editor (non-breaking spaces turned into spaces). */
export async function editorText(page: Page): Promise<string> {
  const text = await activeEditor(page).locator('.view-lines').innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** Waits until the active editor shows `needle` (rendered lines only: keep files short). */
export async function waitForEditorText(page: Page, needle: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await editorText(page).catch(() => '');
    if (text.includes(needle)) return;
    if (Date.now() > deadline) fail(`editor never showed ${JSON.stringify(needle)}; it shows: ${JSON.stringify(text.slice(0, 300))}`);
    await sleep(250);
  }
}

/** Opens and focuses the Problems panel. */
export async function focusProblems(page: Page): Promise<void> {
  await runCommand(page, 'View: Focus Problems');
  await page.locator('.markers-panel').waitFor({ state: 'visible' });
}

/** The text of each row in the Problems panel (file rows and marker rows). Open it first. */
export async function problems(page: Page): Promise<string[]> {
  const rows = page.locator('.markers-panel .monaco-tl-contents');
  const texts = await rows.allInnerTexts();
  return texts.map((t) => t.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** Polls the Problems panel until `accept(rows)` holds; returns the rows. Opens the panel. */
export async function waitForProblems(
  page: Page,
  accept: (rows: string[]) => boolean,
  timeoutMs = 90_000,
): Promise<string[]> {
  if (!(await page.locator('.markers-panel').isVisible())) await focusProblems(page);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await problems(page);
    if (accept(rows)) return rows;
    if (Date.now() > deadline) fail(`Problems panel never matched; rows: ${JSON.stringify(rows)}`);
    await sleep(500);
  }
}

/** Waits for a notification toast containing `text` (e.g. from showInformationMessage). */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 30_000): Promise<void> {
  await page
    .locator('.notifications-toasts .notification-list-item-message', { hasText: text })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Saves test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Makes a temp workspace folder with the given files ({ 'src/a.ts': '...' }). */
export function makeWorkspace(files: Record<string, string>, prefix = 'wakerscope-e2e-ws-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

// --------------------------------------------------------------------- editor actions (extension e2e)

/** Moves the cursor of the active editor to 1-based `line`:`column` with Go to Line (Ctrl+G). */
export async function goToLine(page: Page, line: number, column = 1): Promise<void> {
  await closeQuickInput(page);
  await activeEditor(page).locator('.view-lines').click();
  await openQuickInput(page, 'Control+G', `:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Shows the hover at the cursor and waits until it contains `text`; returns the hover's text. */
export async function hoverAtCursor(page: Page, text: string | RegExp, timeoutMs = 60_000): Promise<string> {
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: text }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Ask again until tsserver has the answer: the first hover may come back empty while it loads.
    await runCommand(page, 'Show or Focus Hover');
    try {
      await hover.waitFor({ state: 'visible', timeout: 5_000 });
      return (await hover.innerText()).replace(/\u00a0/g, ' ');
    } catch (error) {
      if (Date.now() > deadline) {
        const shown = await page.locator('.monaco-hover').allInnerTexts().catch(() => []);
        fail(`no hover containing ${String(text)} at the cursor; hovers shown: ${JSON.stringify(shown)}`);
      }
      await page.keyboard.press('Escape');
      await sleep(1000);
    }
  }
}

/** Opens Quick Fix (Ctrl+.) at the cursor and applies the action whose title matches `title`, with the keyboard. */
export async function applyQuickFix(page: Page, title: string | RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const actions = page.locator('.action-widget .monaco-list-row.action');
  const matches = (label: string) => (typeof title === 'string' ? label.includes(title) : title.test(label));
  for (;;) {
    await page.keyboard.press(`${mod}+.`);
    try {
      await actions.first().waitFor({ state: 'visible', timeout: 5_000 });
      const labels = await actions.allInnerTexts();
      const index = labels.findIndex(matches);
      if (index < 0) throw new Error(`not offered yet`);
      // The first action starts focused; arrows skip the group headers. (Mouse clicks
      // on the list are intercepted by the editor's overlay in this layout.)
      for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
      await page.locator('.action-widget .monaco-list-row.action.focused', { hasText: title }).waitFor({ state: 'visible', timeout: 5_000 });
      await page.keyboard.press('Enter');
      await actions.first().waitFor({ state: 'hidden' });
      return;
    } catch (error) {
      const offered = await actions.allInnerTexts().catch(() => []);
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        const why = String((error as Error).message ?? error).split('\n')[0];
        fail(`no quick fix ${String(title)} could be applied at the cursor (${why}); offered: ${JSON.stringify(offered)}`);
      }
      await sleep(1000);
    }
  }
}

/** The active editor's squiggle decorations, by severity. */
export async function squiggles(page: Page): Promise<{ errors: number; warnings: number }> {
  const editor = activeEditor(page);
  return {
    errors: await editor.locator('.squiggly-error').count(),
    warnings: await editor.locator('.squiggly-warning').count(),
  };
}
