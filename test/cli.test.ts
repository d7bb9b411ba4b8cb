// The built CLI as a real process on temporary projects: exit codes, the three
// output formats, rule levels from the tsconfig and --rule, bad input.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { version } from '../package.json';
import { RULE_IDS } from '../src/analysis/types';
import { bundleCli } from './cli-bundle';

const REPO = resolve(__dirname, '..');
// The bundle scripts/build.mjs makes for dist/cli/main.js, built to a private
// place: other test runs start with `rm -rf dist` and would pull it from under us.
const CLI_DIR = join(REPO, 'node_modules', '.cache', 'wakerscope-cli-test');
const CLI = join(CLI_DIR, 'cli', 'main.js');
const DIST_CLI = join(REPO, 'dist', 'cli', 'main.js');
const WAKER = join(REPO, 'src', 'waker', 'index.ts');

const BUGGY = `import { Box, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';

function myClone(data: Ptr): RawWaker {
  return new RawWaker(data, VTABLE);
}

function myDrop(data: Ptr): void {
  drop(Box.fromRaw<number>(data));
}

export const VTABLE: RawWakerVTable = new RawWakerVTable(myClone, myDrop, () => {}, myDrop);
`;

const CLEAN = `import { Arc, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';

function cloneArc(data: Ptr): RawWaker {
  Arc.incrementStrongCount(data);
  return new RawWaker(data, VTABLE);
}

export const VTABLE: RawWakerVTable = new RawWakerVTable(cloneArc, (d) => drop(Arc.fromRaw(d)), () => {}, (d) => Arc.decrementStrongCount(d));
`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  // Another `npm run build` may have emptied dist/ meanwhile (it starts with rm -rf dist).
  if (!existsSync(CLI)) bundleCli(CLI_DIR);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary project: `files` relative to its root; the tsconfig maps wakerscope/waker to this repo's library. */
function project(files: Record<string, string>, plugin: object = { name: 'wakerscope' }, tsconfig?: string): string {
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
function assertUsageError(result: Run, pattern: RegExp): void {
  assert.equal(result.status, 2, `exit code, stderr: ${result.stderr}`);
  assert.match(result.stderr, /^wakerscope: error: [^\n]+\n$/);
  assert.match(result.stderr, pattern);
}

describe('wakerscope CLI (built, as a process)', function () {
  this.timeout(60_000);
  const roots: string[] = [];
  const make = (...args: Parameters<typeof project>): string => {
    const root = project(...args);
    roots.push(root);
    return root;
  };

  before(() => bundleCli(CLI_DIR));
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('exits 0 on a clean project, with a plain-text summary', () => {
    const root = make({ 'src/clean.ts': CLEAN });
    const result = run(['check'], root);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '✔ no problems (1 file checked)\n');
    assert.equal(result.stderr, '');
  });

  it('exits 1 and prints file:line:col  severity  message  rule, related places, help and a summary', () => {
    const root = make({ 'src/bad.ts': BUGGY, 'src/clean.ts': CLEAN });
    const result = run(['check', 'src'], root);
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'src/bad.ts:3:10  error  `myClone` takes 0 references, but `myDrop` releases 1: a clone and its original free the data twice  vtable-clone-no-retain');
    assert.equal(lines[1], '    src/bad.ts:7:10  `myDrop` releases 1 reference');
    assert.match(lines.find((l) => l.includes('the vtable is built here')) ?? '', /^ {4}src\/bad\.ts:11:43 {2}the vtable is built here$/);
    assert.match(lines.find((l) => l.trimStart().startsWith('help:')) ?? '', /^ {4}help: take a new reference in `myClone`/);
    assert.equal(lines.at(-2), '✖ 1 problem (1 error, 0 warnings)');
    assert.doesNotMatch(result.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
  });

  it('selects files by path: a clean file of a buggy project passes', () => {
    const root = make({ 'src/bad.ts': BUGGY, 'src/clean.ts': CLEAN });
    assert.equal(run(['check', 'src/clean.ts'], root).status, 0);
    assert.equal(run(['check', 'src/bad.ts'], root).status, 1);
  });

  it('finds the nearest tsconfig above the first path, or uses --project', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    assert.equal(run(['check', '.'], join(root, 'src')).status, 1);
    const elsewhere = mkdtempSync(join(tmpdir(), 'wakerscope-cwd-'));
    roots.push(elsewhere);
    assert.equal(run(['check', '--project', join(root, 'tsconfig.json')], elsewhere).status, 1);
    assert.equal(run(['check', '-p', root], elsewhere).status, 1);
  });

  it('--format json: 1-based positions, files relative to the cwd, related places', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    const result = run(['check', '--format', 'json'], root);
    assert.equal(result.status, 1);
    const findings = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.deepEqual(Object.keys(finding!), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'related']);
    assert.deepEqual({ ...finding, related: undefined, message: undefined }, {
      file: 'src/bad.ts', line: 3, column: 10, endLine: 3, endColumn: 17, rule: 'vtable-clone-no-retain', severity: 'error', message: undefined, related: undefined,
    });
    assert.deepEqual((finding!.related as unknown[])[0], { file: 'src/bad.ts', line: 7, column: 10, message: '`myDrop` releases 1 reference' });
    assert.deepEqual(JSON.parse(run(['check', '--format=json'], make({ 'src/clean.ts': CLEAN })).stdout), []);
  });

  it('--format sarif: SARIF 2.1.0 with rule metadata, results and related locations', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    const result = run(['check', '--format', 'sarif'], root);
    assert.equal(result.status, 1);
    const sarif = JSON.parse(result.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    const [runLog] = sarif.runs;
    assert.equal(runLog.tool.driver.name, 'wakerscope');
    assert.equal(runLog.tool.driver.version, version);
    assert.deepEqual(runLog.tool.driver.rules.map((r: { id: string }) => r.id), [...RULE_IDS]);
    for (const rule of runLog.tool.driver.rules) {
      assert.match(rule.helpUri, new RegExp(`docs/rules/${rule.id}\\.md$`));
      assert.ok(rule.fullDescription.text.length > 10 && rule.shortDescription.text.length > 0);
    }
    const [sarifResult] = runLog.results;
    assert.equal(sarifResult.ruleId, 'vtable-clone-no-retain');
    assert.equal(runLog.tool.driver.rules[sarifResult.ruleIndex].id, 'vtable-clone-no-retain');
    assert.equal(sarifResult.level, 'error');
    assert.deepEqual(sarifResult.locations[0].physicalLocation, {
      artifactLocation: { uri: 'src/bad.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 10, endLine: 3, endColumn: 17 },
    });
    assert.equal(sarifResult.relatedLocations.length, 3);
    assert.equal(sarifResult.relatedLocations[0].message.text, '`myDrop` releases 1 reference');
    assert.match(runLog.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/.*\/$/);
  });

  it('--rule overrides levels: warn exits 0 with a warning, off reports nothing', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    const warned = run(['check', '--rule', 'vtable-clone-no-retain=warn'], root);
    assert.equal(warned.status, 0);
    assert.match(warned.stdout, /src\/bad\.ts:3:10 {2}warning {2}/);
    assert.match(warned.stdout, /✖ 1 problem \(0 errors, 1 warning\)/);
    const off = run(['check', '--rule=vtable-clone-no-retain=off'], root);
    assert.equal(off.status, 0);
    assert.equal(off.stdout, '✔ no problems (1 file checked)\n');
  });

  it('reads levels from the tsconfig plugin entry, and --rule wins over it', () => {
    const root = make({ 'src/bad.ts': BUGGY }, { name: 'wakerscope', rules: { 'vtable-clone-no-retain': 'warn' } });
    assert.equal(run(['check'], root).status, 0);
    assert.equal(run(['check', '--rule', 'vtable-clone-no-retain=error'], root).status, 1);
  });

  it('exits 2 with one line on bad usage', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    assertUsageError(run(['check', '--fromat', 'json'], root), /unknown option '--fromat'/);
    assertUsageError(run(['check', 'src/missing.ts'], root), /path not found: src\/missing\.ts/);
    assertUsageError(run(['check', '--format', 'xml'], root), /unknown --format 'xml'/);
    assertUsageError(run(['check', '--rule', 'no-such-rule=off'], root), /--rule no-such-rule=off: unknown rule 'no-such-rule'/);
    assertUsageError(run(['check', '--rule', 'lost-wakeup=loud'], root), /invalid level "loud"/);
    assertUsageError(run(['check', '--project'], root), /--project needs a value/);
    assertUsageError(run(['frobnicate'], root), /unknown command 'frobnicate'/);
  });

  it('exits 2 with one line on an unreadable or invalid tsconfig', () => {
    const broken = make({ 'src/bad.ts': BUGGY }, {}, '{ "compilerOptions": { "strict": tru }');
    assertUsageError(run(['check'], broken), /tsconfig\.json:1:\d+: /);
    const unknownRule = make({ 'src/bad.ts': BUGGY }, { name: 'wakerscope', rules: { 'use-after-free': 'off' } });
    assertUsageError(run(['check'], unknownRule), /tsconfig\.json: unknown rule 'use-after-free'/);
    const badOption = make({ 'src/bad.ts': BUGGY }, {}, JSON.stringify({ compilerOptions: { target: 'ES1999' }, include: ['src'] }));
    assertUsageError(run(['check'], badOption), /--target|target/);
    assertUsageError(run(['check', '--project', 'nowhere/tsconfig.json'], broken), /--project nowhere\/tsconfig\.json: no such file or directory/);
    const noConfig = mkdtempSync(join(tmpdir(), 'wakerscope-noconfig-'));
    roots.push(noConfig);
    writeFileSync(join(noConfig, 'a.ts'), 'export {};\n');
    assertUsageError(run(['check', 'a.ts'], noConfig), /no tsconfig\.json found in .* or above it \(pass --project\)/);
  });

  it('analyses a file with syntax errors as far as TypeScript recovers, without crashing', () => {
    const root = make({ 'src/bad.ts': BUGGY + '\nfunction broken( {\n  const = ;\n' });
    const result = run(['check', '--format', 'json'], root);
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).map((f: { rule: string }) => f.rule), ['vtable-clone-no-retain']);
  });

  it('--help and --version', () => {
    const help = run(['--help'], REPO);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: wakerscope <command>/);
    assert.match(help.stdout, /check\s+analyse the project/);
    const checkHelp = run(['check', '--help'], REPO);
    assert.match(checkHelp.stdout, /--format text\|json\|sarif/);
    assert.equal(run(['--version'], REPO).stdout, `${version}\n`);
    const bare = run([], REPO);
    assert.equal(bare.status, 2);
  });

  it('colours only on a terminal, and NO_COLOR turns it off there', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    if (!existsSync(CLI)) bundleCli(CLI_DIR);
    // script(1) gives the CLI a pseudo-terminal as stdout.
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} check`, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
    assert.match(onTerminal({ NO_COLOR: '' }), /\u001b\[31merror\u001b\[39m/);
    assert.doesNotMatch(onTerminal({ NO_COLOR: '1' }), /\u001b\[/);
    assert.doesNotMatch(run(['check'], root).stdout, /\u001b\[/);
  });

  it("`npx wakerscope check examples/` in this repository reports the seed's Box vtable bug", () => {
    if (!existsSync(DIST_CLI)) bundleCli(join(REPO, 'dist'));
    const result = spawnSync('npx', ['--no-install', 'wakerscope', 'check', 'examples/'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^examples\/seed-box-waker\.ts:\d+:\d+ {2}error {2}`myClone` takes 0 references, but `myDrop` releases 1: a clone and its original free the data twice {2}vtable-clone-no-retain$/m);
    assert.doesNotMatch(result.stdout, /arc-waker\.ts:\d+:\d+ {2}error/);
  });
});
