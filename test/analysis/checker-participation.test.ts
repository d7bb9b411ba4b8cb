// A checker takes part in a unit only when it may have something to report
// there: lost-wakeup reports only at a `Poll.pending()` of the unit's own code,
// so a unit without a call named `pending` is not looked at as a poll, whatever
// its parameters. What the unit's analysis read shows it: a poll it follows
// needs the dataflow, which looks inside the unit's closures (`nested`).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { createFileContext } from '../../src/analysis/context';
import { hintedUnits, unitAnalyzer } from '../../src/analysis/flow/index';
import type { Finding } from '../../src/analysis/types';
import { REPO_ROOT, virtualFixture } from './fixture-runner';

process.env.WAKERSCOPE_STRICT = '1';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-checker-participation.ts');

const SOURCE = `
import { Context, Poll } from 'wakerscope/waker';

export class Ready {
  poll(cx: Context): Poll<number> {
    const later = () => cx.waker().wakeByRef();
    void later;
    return Poll.ready(1);
  }
}

export class Waiting {
  poll(cx: Context): Poll<number> {
    const later = () => cx.waker().wakeByRef();
    void later;
    return Poll.pending();
  }
}

export class Forgetful {
  poll(_cx: Context): Poll<number> {
    return Poll.pending();
  }
}
`;

/** Each class's `poll`: whether its analysis looked inside its closures, and its findings' rules. */
function analysed(): Map<string, { readonly nested: boolean; readonly rules: string[] }> {
  const { program, file } = virtualFixture(FILE, SOURCE);
  const context = createFileContext(ts, program, file);
  const results = new Map<string, { nested: boolean; rules: string[] }>();
  for (const unit of hintedUnits(ts, file)) {
    const root = unit.root;
    if (!ts.isMethodDeclaration(root) || !ts.isClassDeclaration(root.parent)) continue;
    const findings: Finding[] = [];
    const { nested } = unitAnalyzer(context)(unit, findings);
    results.set(root.parent.name!.text, { nested, rules: findings.map((finding) => finding.rule) });
  }
  return results;
}

describe('checker participation: lost-wakeup', () => {
  it('does not follow a poll that never returns Poll.pending(), nor look into its closures', () => {
    assert.deepEqual(analysed().get('Ready'), { nested: false, rules: [] });
  });

  it('follows a poll that returns Poll.pending()', () => {
    const results = analysed();
    assert.deepEqual(results.get('Waiting'), { nested: true, rules: [] });
    assert.deepEqual(results.get('Forgetful'), { nested: true, rules: ['lost-wakeup'] });
  });
});
