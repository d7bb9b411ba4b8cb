// The built CLI as a real process on temporary projects, shared by the CLI tests.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleCli } from './cli-bundle';

export const REPO = resolve(__dirname, '..');
// The bundle scripts/build.mjs makes for dist/cli/main.js, built to a private
// place: other test runs start with `rm -rf dist` and would pull it from under us.
export const CLI_DIR = join(REPO, 'node_modules', '.cache', 'wakerscope-cli-test');
export const CLI = join(CLI_DIR, 'cli', 'main.js');
export const DIST_CLI = join(REPO, 'dist', 'cli', 'main.js');
export const WAKER = join(REPO, 'src', 'waker', 'index.ts');

export const BUGGY = `import { Box, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';

function myClone(data: Ptr): RawWaker {
  return new RawWaker(data, VTABLE);
}

function myDrop(data: Ptr): void {
  drop(Box.fromRaw<number>(data));
}

export const VTABLE: RawWakerVTable = new RawWakerVTable(myClone, myDrop, () => {}, myDrop);
`;

export const CLEAN = `import { Arc, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';

function cloneArc(data: Ptr): RawWaker {
  Arc.incrementStrongCount(data);
  return new RawWaker(data, VTABLE);
}

export const VTABLE: RawWakerVTable = new RawWakerVTable(cloneArc, (d) => drop(Arc.fromRaw(d)), () => {}, (d) => Arc.decrementStrongCount(d));
`;

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  // Another `npm run build` may have emptied dist/ meanwhile (it starts with rm -rf dist).
  if (!existsSync(CLI)) bundleCli(CLI_DIR);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...withoutForceColor(), NO_COLOR: '', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary project: `files` relative to its root; the tsconfig maps wakerscope/waker to this repo's library. */
export function project(files: Record<string, string>, plugin: object = { name: 'wakerscope' }, tsconfig?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'wakerscope-cli-'));
  const config = {
    compilerOptions: { target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [], paths: { 'wakerscope/waker': [WAKER] }, plugins: [plugin] },
    include: ['src'],
  };
  writeFileSync(join(root, 'tsconfig.json'), tsconfig ?? JSON.stringify(config, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

/** One line, prefixed, and nothing on stdout: the bad-input contract. */
export function assertUsageError(result: Run, pattern: RegExp): void {
  assert.equal(result.status, 2, `exit code, stderr: ${result.stderr}`);
  assert.match(result.stderr, /^wakerscope: error: [^\n]+\n$/);
  assert.match(result.stderr, pattern);
}


/** The test process's environment without FORCE_COLOR, which would decide colour for the CLI under test. */
export function withoutForceColor(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  return env;
}

/**
 * Call inside a `describe`: bundles the CLI before its tests and removes, after
 * them, every project the returned `make` (same arguments as `project`) created.
 */
export function cliProjects(): (...args: Parameters<typeof project>) => string {
  const roots: string[] = [];
  before(() => bundleCli(CLI_DIR));
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  return (...args) => {
    const root = project(...args);
    roots.push(root);
    return root;
  };
}
