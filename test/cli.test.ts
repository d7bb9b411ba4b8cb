// The built CLI as a real process on temporary projects: exit codes, the three
// output formats, rule levels from the tsconfig and --rule, bad input.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '../package.json';
import { RULE_IDS } from '../src/analysis/types';
import { bundleCli } from './cli-bundle';
import { BUGGY, CLEAN, CLI, CLI_DIR, DIST_CLI, REPO, assertUsageError, project, run, withoutForceColor } from './cli-harness';

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

  it('says in one line when no file of the program imports the library, never "no problems"', () => {
    const root = make({ 'src/plain.ts': 'export const answer = 42;\n' });
    const text = run(['check'], root);
    assert.deepEqual([text.status, text.stdout, text.stderr], [0, 'no file in this program imports wakerscope/waker\n', '']);
    const json = run(['check', '--format', 'json'], root);
    assert.deepEqual([json.status, JSON.parse(json.stdout), json.stderr], [0, [], 'wakerscope: no file in this program imports wakerscope/waker\n']);
  });

  it('exits 1 and prints file:line:col  severity  message  rule, related places, help and a summary', () => {
    const root = make({ 'src/bad.ts': BUGGY, 'src/clean.ts': CLEAN });
    const result = run(['check', 'src'], root);
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'src/bad.ts:3:10  error  `myClone` takes 0 references, but `myDrop` releases 1: a clone and its original free the data twice  vtable-clone-no-retain');
    assert.equal(lines[1], '    src/bad.ts:7:10  `myDrop` releases 1 reference');
    assert.match(lines.find((l) => l.includes('the vtable is built here')) ?? '', /^ {4}src\/bad\.ts:11:43 {2}the vtable is built here$/);
    assert.match(lines.find((l) => l.trimStart().startsWith('help:')) ?? '', /^ {4}help: a `Box` has one owner, so `myClone` cannot hand out the same box/);
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
    assert.deepEqual(runLog.tool.driver.rules.map((r: { id: string }) => r.id), [...RULE_IDS, 'parse-error']);
    for (const rule of runLog.tool.driver.rules.slice(0, RULE_IDS.length)) {
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
    assert.equal(runLog.invocations[0].executionSuccessful, true);
    for (const rule of runLog.tool.driver.rules) assert.notEqual(rule.shortDescription.text, rule.fullDescription.text, rule.id);
    const ruleMeta = runLog.tool.driver.rules[sarifResult.ruleIndex];
    assert.equal(ruleMeta.help.markdown, readFileSync(join(REPO, 'docs', 'rules', 'vtable-clone-no-retain.md'), 'utf8'), 'help.markdown is the docs page');
    // GitHub shows related locations only when the message links them.
    assert.match(sarifResult.message.text, /\[`myDrop` releases 1 reference\]\(1\)/);
    assert.match(sarifResult.message.text, /\[the vtable is built here\]\(3\)/);
    // The fingerprint ignores lines: the same finding moved down by an edit above it keeps it.
    const [fingerprint] = Object.values(sarifResult.partialFingerprints as Record<string, string>);
    assert.match(fingerprint!, /^[0-9a-f]{32}$/);
    writeFileSync(join(root, 'src', 'bad.ts'), '// a comment above\n\n' + BUGGY);
    const moved = JSON.parse(run(['check', '--format', 'sarif'], root).stdout).runs[0].results[0];
    assert.equal(moved.locations[0].physicalLocation.region.startLine, 5);
    assert.deepEqual(moved.partialFingerprints, sarifResult.partialFingerprints);
    writeFileSync(join(root, 'src', 'bad.ts'), BUGGY.replace(/myClone/g, 'otherClone'));
    const changed = JSON.parse(run(['check', '--format', 'sarif'], root).stdout).runs[0].results[0];
    assert.notDeepEqual(changed.partialFingerprints, sarifResult.partialFingerprints);
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

  it('reports a file with syntax errors as a parse-error with TypeScript\'s message, in text, JSON and SARIF, and does not analyse it', () => {
    const root = make({ 'src/bad.ts': BUGGY + '\nfunction broken( {\n  const = ;\n', 'src/other.ts': BUGGY });
    const json = run(['check', '--format', 'json'], root);
    assert.equal(json.status, 1, json.stderr);
    const findings = JSON.parse(json.stdout) as Array<{ file: string; rule: string; message: string; line: number; severity: string }>;
    assert.deepEqual(findings.map((f) => [f.file, f.rule]), [['src/bad.ts', 'parse-error'], ['src/other.ts', 'vtable-clone-no-retain']]);
    assert.equal(findings[0]!.line, 14);
    assert.equal(findings[0]!.severity, 'error');
    assert.match(findings[0]!.message, /^Parsing error: .*expected/);
    const text = run(['check', 'src/bad.ts'], root);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^src\/bad\.ts:14:\d+ {2}error {2}Parsing error: .+ {2}parse-error$/m);
    const sarif = JSON.parse(run(['check', '--format', 'sarif', 'src/bad.ts'], root).stdout);
    const [result] = sarif.runs[0].results;
    assert.equal(result.ruleId, 'parse-error');
    assert.equal(sarif.runs[0].tool.driver.rules[result.ruleIndex].id, 'parse-error');
  });

  it('--help and --version', () => {
    const help = run(['--help'], REPO);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: wakerscope <command>/);
    assert.match(help.stdout, /check\s+analyse the project/);
    const checkHelp = run(['check', '--help'], REPO);
    assert.match(checkHelp.stdout, /--format <format> +text, json, sarif or github/);
    assert.equal(run(['--version'], REPO).stdout, `${version}\n`);
    const bare = run([], REPO);
    assert.equal(bare.status, 0);
    assert.match(bare.stdout, /^Usage: wakerscope <command>/);
  });

  it('colours only on a terminal, and NO_COLOR turns it off there', () => {
    const root = make({ 'src/bad.ts': BUGGY });
    if (!existsSync(CLI)) bundleCli(CLI_DIR);
    // script(1) gives the CLI a pseudo-terminal as stdout.
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} check`, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...withoutForceColor(), ...env } }).stdout;
    assert.match(onTerminal({ NO_COLOR: '' }), /\u001b\[31merror\u001b\[39m/);
    assert.doesNotMatch(onTerminal({ NO_COLOR: '1' }), /\u001b\[/);
    assert.doesNotMatch(run(['check'], root).stdout, /\u001b\[/);
    // FORCE_COLOR decides outright, over NO_COLOR and whatever stdout is.
    assert.doesNotMatch(onTerminal({ FORCE_COLOR: '0' }), /\u001b\[/);
    assert.match(run(['check'], root, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout, /\u001b\[31merror\u001b\[39m/);
  });

  it("`npx wakerscope check examples/` in this repository reports the seed's Box vtable bug", () => {
    if (!existsSync(DIST_CLI)) bundleCli(join(REPO, 'dist'));
    const result = spawnSync('npx', ['--no-install', 'wakerscope', 'check', 'examples/'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^examples\/seed-box-waker\.ts:\d+:\d+ {2}error {2}`myClone` takes 0 references, but `myDrop` releases 1: a clone and its original free the data twice {2}vtable-clone-no-retain$/m);
    assert.doesNotMatch(result.stdout, /arc-waker\.ts:\d+:\d+ {2}error/);
  });
});
