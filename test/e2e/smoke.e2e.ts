/**
 * Smoke test of the e2e infrastructure: code-server + Debian Chromium +
 * the built-in TypeScript extension. Needs `bash scripts/setup-e2e.sh` once.
 *
 *   npx mocha --require tsx/cjs --timeout 300000 'test/e2e/**\/*.e2e.ts'
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import {
  type CodeServer,
  editorText,
  launchBrowser,
  makeWorkspace,
  newPage,
  openFile,
  openWorkbench,
  screenshot,
  startCodeServer,
  waitForEditorText,
  waitForProblems,
} from './vscode';

const HELLO = [
  'export function greet(name: string): string {',
  '  return `hello, ${name}`;',
  '}',
  '',
  'const x: number = "s";',
  'console.log(greet("wakerscope"), x);',
  '',
].join('\n');

describe('e2e smoke: VS Code (code-server) in Chromium', function () {
  this.timeout(300_000);

  let folder: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    folder = makeWorkspace({ 'hello.ts': HELLO });
    server = await startCodeServer({ folder });
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, `smoke-failed-${this.currentTest.title}`).catch(() => {});
      if (server) console.log(`    code-server log: ${server.logFile}`);
    }
  });

  it('renders the workbench with the folder open', async function () {
    await openWorkbench(page, server!.url);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hello.ts' }).waitFor();
    await screenshot(page, 'smoke-01-workbench');
  });

  it('opens hello.ts and shows its text in the editor', async function () {
    await openFile(page, 'hello.ts');
    await waitForEditorText(page, 'export function greet');
    const text = await editorText(page);
    assert.match(text, /const x: number = "s";/);
    await screenshot(page, 'smoke-02-editor');
  });

  it('runs the built-in TypeScript server: the type error is in the Problems panel', async function () {
    const rows = await waitForProblems(page, (r) => r.some((t) => /not assignable to type 'number'/.test(t)), 120_000);
    assert.ok(rows.some((t) => t.includes('hello.ts')), `no hello.ts row in ${JSON.stringify(rows)}`);
    await screenshot(page, 'smoke-03-problems');
  });
});
