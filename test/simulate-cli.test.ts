// `wakerscope simulate` and `wakerscope explore` as a user runs them: the
// bundled CLI in a child process. The CLI and worker are bundled here with the
// build script's settings, so the test does not depend on an earlier build.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Exploration, SimulationRun } from '../src/simulate/types';
import { explore } from '../src/cli/explore';
import { bundleCli } from './cli-bundle';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'test-results', 'simulate-cli');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'simulate');

function cli(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(OUT, 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('simulate: the CLI', function () {
  this.timeout(60_000);

  before(() => {
    bundleCli(OUT);
  });

  it('simulate: a numbered table of steps, the violation with both locations, exit 0 when expect holds', () => {
    const { code, stdout, stderr } = cli(['simulate', 'test/fixtures/simulate/seed.wakersim']);
    assert.equal(stderr, '');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^\s*1\s+new\s/m);
    assert.match(stdout, /^\s*4\s+drop 1\s+drop → myDrop\s+#0 woken\s+#1 dropped\s+Box 0x1000 freed$/m);
    assert.match(stdout, /✖ double-free: freed at step 3 by `myWake`, freed again at step 4 by `myDrop`/);
    assert.match(stdout, /examples\/seed-box-waker\.ts:17:3 \(step 3\), examples\/seed-box-waker\.ts:23:3 \(step 4\)/);
    assert.match(stdout, /outcome: double-free \(as expected\)/);
    assert.doesNotMatch(stdout, /\u001b\[/, 'no colour when not a terminal');
  });

  it('simulate: exit 1 when the outcome differs from expect', () => {
    const { code, stdout } = cli(['simulate', join(FIXTURES, 'wrong-expect.wakersim')]);
    assert.equal(code, 1);
    assert.match(stdout, /outcome: ok \(expected leak\)/);
  });

  it('simulate --format json: the documented SimulationRun shape', () => {
    const { code, stdout } = cli(['simulate', 'examples/seed-box-waker.wakersim', '--format', 'json']);
    assert.equal(code, 0);
    const run = JSON.parse(stdout) as SimulationRun;
    assert.equal(run.outcome, 'double-free');
    assert.equal(run.expect, 'double-free');
    assert.equal(run.module, join(ROOT, 'examples', 'seed-box-waker.ts'));
    assert.equal(run.scenarioFile, join(ROOT, 'examples', 'seed-box-waker.wakersim'));
    assert.equal(run.sequence, 'new; clone 0; wake 0; wake_by_ref 1; drop 1');
    assert.deepEqual(Object.keys(run.steps[0]).sort(), ['cells', 'created', 'events', 'handles', 'location', 'operation', 'slots', 'step', 'text', 'violations']);
    assert.deepEqual(run.violations.map((v) => [v.kind, v.step, v.earlier?.function, v.at.function]), [['double-free', 5, 'myWake', 'myDrop']]);
  });

  it('simulate: a malformed scenario is exit 2 with file:line:col and a one-line reason', () => {
    const { code, stdout, stderr } = cli(['simulate', 'test/fixtures/simulate/malformed.wakersim']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `wakerscope: error: ${join(ROOT, 'test/fixtures/simulate/malformed.wakersim')}:3:3: unknown operation 'wke' (expected new, clone, wake, wake_by_ref, drop, expect)\n`);
  });

  it('simulate: a module importing fs, or a missing file, is exit 2 with the reason', () => {
    mkdirSync(OUT, { recursive: true });
    const scenario = join(OUT, 'imports-fs.wakersim');
    writeFileSync(scenario, `use "${join(FIXTURES, 'imports-fs.ts')}" create createRawWaker\nnew\n`);
    const fs = cli(['simulate', scenario]);
    assert.equal(fs.code, 2);
    assert.match(fs.stderr, /^wakerscope: error: .*imports-fs\.ts:2:\d+: scenario module imports 'fs': simulated code has no file system, network or process access\n$/);
    const noModule = join(OUT, 'no-module.wakersim');
    writeFileSync(noModule, '# a typo in the path\nuse "./seed-box-waker.ts" create createRawWaker\nnew\n');
    const typo = cli(['simulate', noModule]);
    assert.equal(typo.code, 2);
    assert.equal(typo.stderr, `wakerscope: error: ${noModule}:2:5: cannot find the module './seed-box-waker.ts' (${join(OUT, 'seed-box-waker.ts')})\n`);
    const missing = cli(['simulate', 'nope.wakersim']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.wakersim: cannot read the scenario \(ENOENT\)/);
  });

  it("simulate 'examples/**/*.wakersim': a test suite, one line per scenario, then the count; exit 0", () => {
    const { code, stdout, stderr } = cli(['simulate', 'examples/**/*.wakersim']);
    assert.equal(stderr, '');
    assert.equal(code, 0, stdout);
    assert.equal(stdout, ['✔ examples/arc-waker.wakersim  ok (as expected)', '✔ examples/seed-box-waker.wakersim  double-free (as expected)', '', '2 passed, 0 failed', ''].join('\n'));
  });

  it('simulate FILE FILE: exit 1 when an expectation fails', () => {
    const { code, stdout } = cli(['simulate', 'test/fixtures/simulate/seed.wakersim', join(FIXTURES, 'wrong-expect.wakersim')]);
    assert.equal(code, 1);
    assert.equal(
      stdout,
      [
        '✔ test/fixtures/simulate/seed.wakersim  double-free (as expected)',
        '✖ test/fixtures/simulate/wrong-expect.wakersim  ok (expected leak)',
        '',
        '1 passed, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('simulate FOLDER: every scenario below it; a failed violation expectation names the scenario line that raised it', () => {
    mkdirSync(join(OUT, 'suite'), { recursive: true });
    writeFileSync(join(OUT, 'suite', 'expects-ok.wakersim'), `use "${join(ROOT, 'examples', 'seed-box-waker.ts')}" create createRawWaker\nnew\nclone 0\nwake 0\nwake 1\nexpect ok\n`);
    const { code, stdout } = cli(['simulate', join(OUT, 'suite')]);
    assert.equal(code, 1);
    assert.match(stdout, /^✖ .*expects-ok\.wakersim {2}double-free \(expected ok\)\n {4}.*expects-ok\.wakersim:5: double-free: freed at step 3 by `myWake`, freed again at step 4 by `myWake`\n\n0 passed, 1 failed\n$/);
  });

  it('simulate: every parse error of a file, alone (stderr, exit 2) or in a suite (under its line, exit 2 after the report)', () => {
    mkdirSync(OUT, { recursive: true });
    const broken = join(OUT, 'two-errors.wakersim');
    writeFileSync(broken, `use "${join(ROOT, 'examples', 'seed-box-waker.ts')}" create createRawWaker\nnew\nwke 0\ndrop 7\n`);
    const alone = cli(['simulate', broken]);
    assert.equal(alone.code, 2);
    assert.equal(alone.stdout, '');
    assert.equal(
      alone.stderr,
      [
        `wakerscope: error: ${broken}:3:1: unknown operation 'wke' (expected new, clone, wake, wake_by_ref, drop, expect)`,
        `wakerscope: error: ${broken}:4:6: handle 7 does not exist yet (only handle 0 exists here)`,
        '',
      ].join('\n'),
    );
    const suite = cli(['simulate', 'test/fixtures/simulate/seed.wakersim', broken]);
    assert.equal(suite.code, 2);
    assert.match(suite.stdout, /✖ .*two-errors\.wakersim {2}cannot run\n {4}.*two-errors\.wakersim:3:1: unknown operation 'wke'.*\n {4}.*two-errors\.wakersim:4:6: handle 7 does not exist yet/);
    assert.match(suite.stdout, /\n1 passed, 1 failed\n$/);
  });

  it('simulate --format junit: a JUnit report with a failure per unmet expect and an error per scenario that cannot run', () => {
    const { code, stdout } = cli(['simulate', 'test/fixtures/simulate/*.wakersim', '--format', 'junit']);
    assert.equal(code, 2, 'malformed.wakersim cannot run');
    assert.match(stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="wakerscope simulate" tests="4" failures="1" errors="1" time="[\d.]+">\n/);
    assert.match(stdout, /<testcase name="test\/fixtures\/simulate\/seed\.wakersim" classname="test\/fixtures\/simulate" file="test\/fixtures\/simulate\/seed\.wakersim" time="[\d.]+">\n {4}<\/testcase>/);
    assert.match(stdout, /<failure type="ok" message="outcome ok, expected leak">sequence: new; wake 0<\/failure>/);
    assert.match(stdout, /<error type="cannot-run" message="[^"]*malformed\.wakersim:3:3: unknown operation 'wke'/);
    assert.match(stdout, /<testcase name="test\/fixtures\/simulate\/times-out\.wakersim"[^>]*>\n {4}<\/testcase>/, 'the timeout was expected');
    assert.equal((stdout.match(/<testcase /g) ?? []).length, 4);
    assert.match(stdout, /<\/testsuite>\n<\/testsuites>\n$/);
  });

  it('simulate --time-limit: a run the limit stops has the outcome timeout, which a scenario can expect', () => {
    const { code, stdout } = cli(['simulate', join(FIXTURES, 'times-out.wakersim'), '--time-limit', '1000']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /✖ simulation stopped: running `new; wake 0` took longer than the 1000 ms time limit/);
    assert.match(stdout, /outcome: timeout \(as expected\)/);
    const bad = cli(['simulate', join(FIXTURES, 'times-out.wakersim'), '--time-limit', 'soon']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "wakerscope: error: --time-limit must be a whole number of milliseconds ≥ 1, got 'soon'\n");
  });

  it('explore: the shortest counterexample per outcome, exit 1 when a violation is reachable', () => {
    const { code, stdout, stderr } = cli(['explore', 'examples/seed-box-waker.ts', '--create', 'createRawWaker']);
    assert.equal(code, 1);
    assert.equal(stderr, '', 'no progress line when stderr is not a terminal');
    const [, runs] = /(\d+) sequences explored to depth 4/.exec(stdout) ?? [];
    assert.ok(Number(runs) > 0 && Number(runs) < 577, `state reduction runs fewer than the 577 sequences: ${stdout}`);
    assert.match(stdout, /each of \d+ distinct states extended once/);
    assert.match(stdout, /^double-free\s+3\s+new; clone 0; wake 0; (wake|drop) 1$/m);
    assert.match(stdout, /^ok\s+1\s+new; wake 0$/m);
  });

  it('explore --all --format json --depth 2: every sequence, exit 0 for the Arc runtime', () => {
    const { code, stdout } = cli(['explore', 'examples/arc-waker.ts', '--create', 'createWaker', '--depth', '2', '--all', '--format', 'json']);
    assert.equal(code, 0);
    const exploration = JSON.parse(stdout) as Exploration;
    assert.equal(exploration.depth, 2);
    assert.equal(exploration.explored, 17);
    assert.equal(exploration.all?.length, 17);
    assert.deepEqual(exploration.outcomes.map((o) => o.outcome), ['leak', 'ok']);
    assert.deepEqual(exploration.all?.[0], { sequence: 'new', outcome: 'leak' });
  });

  it('explore --depth 8 on the seed: the same shortest counterexample, in state-reduced runs', () => {
    const { code, stdout } = cli(['explore', 'examples/seed-box-waker.ts', '--create', 'createRawWaker', '--depth', '8']);
    assert.equal(code, 1);
    assert.match(stdout, /sequences explored to depth 8/);
    assert.match(stdout, /^double-free\s+3\s+new; clone 0; wake 0; (wake|drop) 1$/m);
  });

  it('explore: a module whose state cannot be read runs every sequence and says why', () => {
    const { stdout } = cli(['explore', join(FIXTURES, 'hidden-closure.ts'), '--create', 'createRawWaker', '--depth', '2']);
    assert.match(stdout, /17 sequences explored to depth 2/);
    assert.match(stdout, /^every sequence run: .*closure/m);
  });

  it('explore on a terminal: a progress line on stderr per level, erased at the end; stdout unchanged', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await explore.run(['examples/seed-box-waker.ts', '--create', 'createRawWaker', '--depth', '3'], {
      cwd: ROOT,
      env: {},
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text), isTTY: true },
    });
    assert.equal(code, 1);
    assert.deepEqual(
      stderr.map((text) => /depth (\d) of 3/.exec(text)?.[1] ?? text),
      ['0', '1', '2', '3', '\r\u001b[2K'],
    );
    assert.doesNotMatch(stdout.join(''), /exploring/);
  });

  it('explore: bad usage is exit 2 with one line', () => {
    const noFactory = cli(['explore', 'examples/arc-waker.ts']);
    assert.equal(noFactory.code, 2);
    assert.match(noFactory.stderr, /^wakerscope: error: explore needs --create FACTORY/);
    const depth = cli(['explore', 'examples/arc-waker.ts', '--create', 'createWaker', '--depth', '13']);
    assert.equal(depth.code, 2);
    assert.match(depth.stderr, /--depth must be a whole number from 0 to 12, got '13'/);
    const all = cli(['explore', 'examples/arc-waker.ts', '--create', 'createWaker', '--depth', '7', '--all']);
    assert.equal(all.code, 2);
    assert.match(all.stderr, /^wakerscope: error: --all lists every sequence, so --depth goes to 6 with it: .* over half a million\); without --all, --depth goes to 12\n$/);
    const factory = cli(['explore', 'examples/arc-waker.ts', '--create', 'nope']);
    assert.equal(factory.code, 2);
    assert.match(factory.stderr, /does not export a function 'nope' \(it exports .*createWaker/);
  });
});
