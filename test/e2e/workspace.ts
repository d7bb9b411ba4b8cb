/**
 * What the extension's e2e tests share: the .vsix, packaged once per mocha run;
 * a workspace with the seed example and the waker library mapped through
 * `paths`, as a user's project would have it; and the packaged extension
 * installed into code-server with the workbench open on that workspace.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RULES } from '../../src/analysis/rules';
import { type CodeServer, e2eEnv, installVsix, launchBrowser, makeWorkspace, newPage, openWorkbench, REPO_ROOT, screenshot, startCodeServer } from './vscode';

/** A clone that is never dropped: `clone-without-drop`, fixable with `using`; both e2e suites open it. */
export const CLONE_LEAK = [
  "import type { WakerRef } from 'wakerscope/waker';",
  '',
  'export function notifyTwice(waker: WakerRef): void {',
  '  const copy = waker.clone();',
  '  copy.wakeByRef();',
  '  waker.wakeByRef();',
  '}',
  '',
].join('\n');

export const SEED = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'seed-box-waker.ts'), 'utf8');

const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };

/** Where code-server installs the extension in an extensions folder. */
export const installedExtension = (extensionsDir: string) => path.join(extensionsDir, `${MANIFEST.publisher}.${MANIFEST.name}-${MANIFEST.version}`);

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

let packaged: Promise<string> | undefined;

/**
 * `npm run package`, as CI would, once per mocha run however many files ask;
 * resolves to the .vsix path. WAKERSCOPE_E2E_VSIX=path reuses a package (for iterating on a test).
 */
export function packagedVsix(): Promise<string> {
  packaged ??= packageVsix();
  return packaged;
}

async function packageVsix(): Promise<string> {
  const reuse = process.env.WAKERSCOPE_E2E_VSIX;
  if (reuse) {
    assert.ok(fs.existsSync(reuse), `WAKERSCOPE_E2E_VSIX=${reuse} does not exist`);
    return path.resolve(reuse);
  }
  const vsix = path.join(REPO_ROOT, `${MANIFEST.name}-${MANIFEST.version}.vsix`);
  fs.rmSync(vsix, { force: true });
  await new Promise<void>((resolve, reject) =>
    execFile('npm', ['run', 'package'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm run package failed: ${`${stdout}${stderr}`.trim().split('\n').slice(-8).join(' | ')}`)) : resolve(),
    ),
  );
  assert.ok(fs.existsSync(vsix), `npm run package did not write ${vsix}`);
  console.log(`    packaged ${path.basename(vsix)}: ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MiB`);
  return vsix;
}

/**
 * A temp folder with `files`, tsconfig.json mapping `wakerscope/waker` to the
 * library's sources copied into src/waker, and node_modules/@types/node linked
 * from the repository (the runtime uses Error.captureStackTrace).
 * `linkTypeScript` links the repository's TypeScript too, for a folder that names its own.
 */
export function makeSeedWorkspace(files: Record<string, string>, options: { prefix: string; linkTypeScript?: boolean }): string {
  const all: Record<string, string> = { 'tsconfig.json': JSON.stringify(TSCONFIG, null, 2), 'seed-box-waker.ts': SEED, ...files };
  const waker = path.join(REPO_ROOT, 'src', 'waker');
  for (const name of fs.readdirSync(waker)) all[`src/waker/${name}`] = fs.readFileSync(path.join(waker, name), 'utf8');
  const folder = makeWorkspace(all, options.prefix);
  const link = (name: string) => {
    fs.mkdirSync(path.dirname(path.join(folder, 'node_modules', name)), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', name), path.join(folder, 'node_modules', name), 'dir');
  };
  link('@types/node');
  if (options.linkTypeScript) link('typescript');
  return folder;
}

export interface ExtensionWorkbench {
  readonly folder: string;
  readonly extensionsDir: string;
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
  /** Closes the browser, stops code-server and removes the folders (kept with WAKERSCOPE_E2E_KEEP=1). */
  close(): Promise<void>;
}

/**
 * The packaged extension installed into a fresh extensions folder, code-server
 * on a seed workspace (see makeSeedWorkspace), and the workbench open in Chromium.
 */
export async function openExtensionWorkbench(options: {
  files: Record<string, string>;
  prefix: string;
  linkTypeScript?: boolean;
  workspaceTrust?: boolean;
}): Promise<ExtensionWorkbench> {
  e2eEnv(); // fails at once, with the setup command, when code-server is not set up
  const vsix = await packagedVsix();
  const folder = makeSeedWorkspace(options.files, options);
  const extensionsDir = `${folder}-extensions`;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.stop();
    if (!process.env.WAKERSCOPE_E2E_KEEP) {
      fs.rmSync(folder, { recursive: true, force: true });
      fs.rmSync(extensionsDir, { recursive: true, force: true });
    }
  };
  try {
    assert.match(await installVsix(vsix, extensionsDir), /wakerscope/i);
    server = await startCodeServer({ folder, extensionsDir, workspaceTrust: options.workspaceTrust });
    browser = await launchBrowser();
    const page = await newPage(browser);
    await openWorkbench(page, server.url);
    return { folder, extensionsDir, server, browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** An afterEach hook body: a screenshot `<prefix>-failed-<title>` and the code-server log's path when a test failed. */
export async function recordFailure(context: Mocha.Context, prefix: string, workbench: ExtensionWorkbench | undefined): Promise<void> {
  const test = context.currentTest;
  if (test?.state !== 'failed' || !workbench) return;
  await screenshot(workbench.page, `${prefix}-failed-${test.title}`).catch(() => {});
  console.log(`    code-server log: ${workbench.server.logFile}`);
}

/**
 * The simulation panel's content: two iframes deep, the webview host, then its
 * active frame. The host is our extension's (a walkthrough's markdown is a webview too).
 */
export const simulationPanel = (page: Page) => page.frameLocator(`iframe.webview.ready[src*="extensionId=${MANIFEST.publisher}.${MANIFEST.name}"]`).frameLocator('#active-frame');

/** How the Problems panel shows a rule's diagnostic code: `wakerscope(39006)` (innerText may split it). */
export const ruleCode = (rule: keyof typeof RULES) => new RegExp(`wakerscope\\W*${RULES[rule].code}\\b`);
