// Every corpus program's driver, run under the record-mode runtime: a clean
// program shows no violation, no leak and no stall; a buggy one shows what its
// markers claim (EVIDENCE) and nothing the markers do not explain.
import { strict as assert } from 'node:assert';
import { RULE_IDS } from '../../src/analysis/index';
import { Runtime, withRuntime } from '../../src/waker/index';
import { EVIDENCE, STALL, corpusPrograms, type Observation } from './corpus';

interface Run {
  readonly observed: Set<Observation>;
  readonly details: string[];
}

function runDriver(path: string): Run {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require(path) as { drive?: () => void };
  assert.equal(typeof program.drive, 'function', `${path} must export drive()`);
  const runtime = new Runtime({ mode: 'record' });
  const observed = new Set<Observation>();
  const details: string[] = [];
  withRuntime(runtime, () => {
    try {
      program.drive!();
    } catch (error) {
      if (!(error instanceof Error) || !STALL.test(error.message)) throw error;
      observed.add('stall');
      details.push(`stall: ${error.message}`);
    }
  });
  for (const violation of runtime.violations) {
    observed.add(violation.kind as Observation);
    details.push(violation.message.split('\n')[0]);
  }
  const leaks = runtime.leaks();
  if (leaks.length > 0) {
    observed.add('leak');
    details.push(...leaks.map((leak) => `leak: ${leak.kind} ${leak.address} allocated at step ${leak.allocated.step} (${leak.allocated.operation}, line ${leak.allocated.location?.line ?? '?'})`));
  }
  return { observed, details };
}

describe('realistic corpus: drivers under the record-mode runtime', () => {
  const programs = corpusPrograms();

  it('has 30 or more programs, about half of them buggy', () => {
    const buggy = programs.filter((p) => p.expectations.length > 0).length;
    assert.ok(programs.length >= 30, `${programs.length} programs`);
    assert.ok(buggy >= programs.length * 0.4 && buggy <= programs.length * 0.6, `${buggy} of ${programs.length} buggy`);
  });

  it('knows what a run of each lifecycle rule\'s bug shows', () => {
    assert.deepEqual(RULE_IDS.filter((rule) => rule !== 'unused-suppression' && !EVIDENCE[rule]), []);
  });

  for (const program of programs) {
    it(program.name, () => {
      const { observed, details } = runDriver(program.path);
      const rules = [...new Set(program.expectations.map((e) => e.rule))];
      const shown = `observed: ${details.join('; ') || '(nothing)'}`;
      if (rules.length === 0) {
        assert.deepEqual([...observed], [], `${program.name} is clean but its run shows problems. ${shown}`);
        return;
      }
      for (const rule of rules) {
        const evidence = EVIDENCE[rule];
        assert.ok(evidence, `${program.name}: no execution evidence is defined for rule ${rule}`);
        assert.ok(evidence.proof.some((o) => observed.has(o)), `${program.name}: the marker claims ${rule}, so the run must show ${evidence.proof.join(' or ')}. ${shown}`);
      }
      const explained = new Set(rules.flatMap((rule) => [...EVIDENCE[rule].proof, ...EVIDENCE[rule].fallout]));
      const unexplained = [...observed].filter((o) => !explained.has(o));
      assert.deepEqual(unexplained, [], `${program.name}: the run shows what no marker claims. ${shown}`);
    });
  }
});
