// The analyzer on the realistic corpus, compared exactly with the markers that
// run.test.ts proves by execution. Where the analyzer is still wrong, the
// difference must be listed in known-differences.ts, and every listed
// difference must still occur: a fix fails this test until its entry is
// deleted, so the list only shrinks. Prints precision and recall.
import { strict as assert } from 'node:assert';
import * as ts from 'typescript';
import { IncrementalAnalyzer, analyzeFile, type Finding } from '../../src/analysis/index';
import { FixtureProgram } from '../analysis/fixture-runner';
import { corpusPrograms, type CorpusProgram } from './corpus';
import { KNOWN_DIFFERENCES, differenceKey, type Difference } from './known-differences';

// Surface analyzer exceptions instead of the production safety net that skips a function.
process.env.WAKERSCOPE_STRICT = '1';

interface Comparison {
  readonly matched: number;
  readonly differences: Difference[];
  readonly findings: readonly Finding[];
}

function compare(program: CorpusProgram, file: ts.SourceFile, findings: readonly Finding[]): Comparison {
  const remaining = [...findings];
  const differences: Difference[] = [];
  let matched = 0;
  for (const expected of program.expectations) {
    const index = remaining.findIndex((f) => {
      const { line, character } = file.getLineAndCharacterOfPosition(f.span.start);
      return (
        f.rule === expected.rule &&
        f.severity === expected.severity &&
        line + 1 === expected.line &&
        (expected.column === undefined || character + 1 === expected.column) &&
        (expected.messageIncludes === undefined || f.message.includes(expected.messageIncludes))
      );
    });
    if (index >= 0) {
      remaining.splice(index, 1);
      matched++;
    } else differences.push({ program: program.name, line: expected.line, kind: 'missed', rule: expected.rule, severity: expected.severity });
  }
  for (const extra of remaining) {
    const line = file.getLineAndCharacterOfPosition(extra.span.start).line + 1;
    differences.push({ program: program.name, line, kind: 'false-positive', rule: extra.rule, severity: extra.severity, message: extra.message });
  }
  return { matched, differences, findings };
}

describe('realistic corpus: the analyzer against the markers', () => {
  const programs = corpusPrograms();
  let results: Map<string, Comparison> | undefined;

  before(function () {
    this.timeout(120_000);
    const fixtures = new FixtureProgram(programs.map((p) => p.path));
    results = new Map(
      programs.map((program) => {
        const file = fixtures.sourceFile(program.path);
        const errors = fixtures.errorsOf(program.path, { semantic: true });
        assert.deepEqual(errors, [], `${program.name} must be valid TypeScript`);
        return [program.name, compare(program, file, analyzeFile(ts, fixtures.program, file))];
      }),
    );
  });

  it('lists every known difference once, each with a reason', () => {
    const keys = KNOWN_DIFFERENCES.map(differenceKey);
    assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'duplicate entries');
    const names = new Set(programs.map((p) => p.name));
    assert.deepEqual(KNOWN_DIFFERENCES.filter((d) => !names.has(d.program)).map(differenceKey), [], 'entries for programs that do not exist');
    assert.deepEqual(KNOWN_DIFFERENCES.filter((d) => !d.reason?.trim()).map(differenceKey), [], 'entries without a reason');
  });

  it('gives the same findings through the incremental analyzer (what the editor runs)', function () {
    this.timeout(120_000);
    const fixtures = new FixtureProgram(programs.map((p) => p.path));
    const incremental = new IncrementalAnalyzer(ts);
    const differing = programs.filter((program) => {
      const file = fixtures.sourceFile(program.path);
      return JSON.stringify(incremental.analyzeFile(fixtures.program, file)) !== JSON.stringify(analyzeFile(ts, fixtures.program, file));
    });
    assert.deepEqual(differing.map((p) => p.name), []);
  });

  for (const program of programs) {
    it(program.name, () => {
      const { differences } = results!.get(program.name)!;
      const known = new Set(KNOWN_DIFFERENCES.filter((d) => d.program === program.name).map(differenceKey));
      const actual = new Set(differences.map(differenceKey));
      const unlisted = differences.filter((d) => !known.has(differenceKey(d))).map((d) => `${differenceKey(d)}${d.message ? `: ${d.message}` : ''}`);
      const fixed = [...known].filter((k) => !actual.has(k));
      assert.deepEqual(unlisted, [], `${program.name}: the analyzer differs from the markers where known-differences.ts does not say so`);
      assert.deepEqual(fixed, [], `${program.name}: the analyzer is now right here; delete these entries from known-differences.ts`);
    });
  }

  after(() => {
    if (!results) return;
    let matched = 0;
    let missed = 0;
    let falsePositives = 0;
    let cleanRight = 0;
    let buggyRight = 0;
    for (const program of programs) {
      const result = results.get(program.name)!;
      matched += result.matched;
      missed += result.differences.filter((d) => d.kind === 'missed').length;
      falsePositives += result.differences.filter((d) => d.kind === 'false-positive').length;
      if (result.differences.length === 0) {
        if (program.expectations.length === 0) cleanRight++;
        else buggyRight++;
      }
    }
    const buggy = programs.filter((p) => p.expectations.length > 0).length;
    const percent = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(0)}%`);
    console.log(
      `      corpus: ${matched} of ${matched + missed} marked bugs found (recall ${percent(matched, matched + missed)}), ` +
        `${falsePositives} false positives (precision ${percent(matched, matched + falsePositives)}); ` +
        `exact on ${buggyRight}/${buggy} buggy and ${cleanRight}/${programs.length - buggy} clean programs`,
    );
  });
});
