// Finding.help is the text without its label; each front end prints "help:"
// exactly once (the flow pass once prefixed it, and the CLI printed "help: help:").

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ts from 'typescript';
import { analyzeFile, type Finding } from '../../src/analysis/index';
import { toSarif, toText } from '../../src/cli/format';
import { Locator } from '../../src/cli/report';
import { FIXTURES_ROOT, FixtureProgram, REPO_ROOT } from './fixture-runner';

const countLabels = (text: string): number => text.match(/help:/g)?.length ?? 0;

describe('the "help:" label is printed once', () => {
  // One flow finding and one vtable finding: the two passes that produce help.
  const files = [
    join(FIXTURES_ROOT, 'flow', 'clone-without-drop.fail-early-return.ts'),
    join(FIXTURES_ROOT, 'flow', 'use-after-wake.fail-straight.ts'),
    join(FIXTURES_ROOT, 'vtable', 'vtable-clone-no-retain', 'fail-seed-box.ts'),
  ];
  let program: FixtureProgram;
  let findings: Finding[];
  before(() => {
    program = new FixtureProgram(files);
    findings = files.flatMap((f) => analyzeFile(ts, program.program, program.sourceFile(f)));
  });

  it('every finding has help text, without the label', () => {
    assert.ok(findings.length >= 3, `expected findings from every file, got ${findings.length}`);
    for (const finding of findings) {
      assert.ok(finding.help, `${finding.rule}: no help`);
      assert.doesNotMatch(finding.help, /^\s*help\s*:/i);
    }
  });

  it('CLI text: one help line per finding, each labelled once', () => {
    const text = toText(findings.map((f) => new Locator(ts, program.program, REPO_ROOT).report(f)), { colour: false, files: files.length });
    const helpLines = text.split('\n').filter((line) => line.includes('help:'));
    assert.equal(helpLines.length, findings.length);
    for (const line of helpLines) assert.equal(countLabels(line), 1, line);
  });

  it('SARIF: each result message carries the label once', () => {
    const sarif = toSarif(findings.map((f) => new Locator(ts, program.program, REPO_ROOT).report(f)), { cwd: REPO_ROOT, version: '0.0.0' }) as { runs: { results: { message: { text: string } }[] }[] };
    const results = sarif.runs[0].results;
    assert.equal(results.length, findings.length);
    for (const result of results) assert.equal(countLabels(result.message.text), 1, result.message.text);
  });
});

describe('use-after-drop help fits the second use', () => {
  it('a drop after a drop is told to remove one; a wake after a drop is told to keep a clone', () => {
    const files = [join(FIXTURES_ROOT, 'flow', 'use-after-drop.fail-double-drop.ts'), join(FIXTURES_ROOT, 'flow', 'use-after-drop.fail-renamed-import.ts')];
    const program = new FixtureProgram(files);
    const [doubleDrop, wakeAfterDrop] = files.map((f) => analyzeFile(ts, program.program, program.sourceFile(f)).filter((finding) => finding.rule === 'use-after-drop'));
    assert.ok(doubleDrop.length > 0 && wakeAfterDrop.length === 1);
    for (const finding of doubleDrop) assert.match(finding.help ?? '', /remove the second drop/);
    assert.match(wakeAfterDrop[0].help ?? '', /clone the value before dropping it/);
  });
});
