// A file's units are analysed one after another by one engine (`FlowEngine.reset`
// moves it, its discovery, effects and checkers on to the next unit). Nothing of
// one unit may reach the next: each unit's findings and reads are those of a
// fresh engine, and right after `reset` every field holds what a fresh engine's
// does (so a field added later without a reset fails here, whatever the
// fixtures happen to exercise).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { createFileContext } from '../../src/analysis/context';
import { Library } from '../../src/analysis/library';
import { hintedUnits, newEngine, unitAnalyzer } from '../../src/analysis/flow/index';
import type { FlowEngine } from '../../src/analysis/flow/engine';
import type { FlowUnit } from '../../src/analysis/flow/graph';
import type { Finding } from '../../src/analysis/types';
import { checkedFixturesAndCorpus, REPO_ROOT, virtualFixture } from './fixture-runner';

process.env.WAKERSCOPE_STRICT = '1';

/** Fields that are the engine's wiring, the same for every unit: the file's context, the parts and the callbacks that join them. */
const WIRING = new Set(['context', 'ts', 'engine', 'discovery', 'effects', 'calls', 'hooks', 'checkers', 'cfgOptions', 'summaryOf']);

/**
 * The solve's tables by block id, which the engine keeps from unit to unit: a
 * unit marks every block `stale` before it reads a mark, and leaves no output
 * behind in `outs` (compared by the outputs it holds, not by its length).
 */
const SCRATCH = new Set(['outs', 'stale']);

/** What a fresh object holds, field by field: collections by their size, other objects by their kind (`undefined` or not), the unit by its position. */
function fields(object: object): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (WIRING.has(key)) continue;
    if (SCRATCH.has(key)) {
      if (key === 'outs') result[key] = `${(value as unknown[]).filter((output) => output !== undefined).length} outputs`;
      continue;
    }
    if (value instanceof Map || value instanceof Set) result[key] = `${value.constructor.name} of ${value.size}`;
    else if (Array.isArray(value)) result[key] = `array of ${value.length}`;
    else if (key === 'unit') result[key] = (value as FlowUnit).root.pos;
    else if (key === 'root') result[key] = (value as ts.Node).pos;
    else if (typeof value === 'object' && value !== null) result[key] = 'an object';
    else result[key] = value;
  }
  return result;
}

/** The engine's state and its parts', for comparison with a fresh engine's. */
function state(engine: FlowEngine): Record<string, unknown> {
  const parts = engine as unknown as { readonly checkers: readonly object[] };
  return {
    engine: fields(engine),
    discovery: fields(engine.discovery),
    effects: fields(engine.effects),
    checkers: parts.checkers.map((checker) => ({ [checker.constructor.name]: fields(checker) })),
  };
}

function findingsOfFreshEngine(context: ReturnType<typeof createFileContext>, unit: ReturnType<typeof hintedUnits>[number]): { readonly findings: Finding[]; readonly nested: boolean; readonly summaries: ReadonlySet<ts.Node> } {
  const findings: Finding[] = [];
  const engine = newEngine(context, unit);
  engine.run(findings);
  return { findings, nested: engine.discovery.readNested, summaries: engine.reads };
}

describe('flow engine reuse across a file\'s units', function () {
  // Type-checking the fixtures and the corpus takes 3-5 s idle, several times that on a loaded machine.
  this.timeout(120_000);
  let checked: ReturnType<typeof checkedFixturesAndCorpus>;
  before(() => {
    checked = checkedFixturesAndCorpus();
  });

  it('leaves nothing of a unit to the one after it', () => {
    const { program, file } = virtualFixture(
      join(REPO_ROOT, 'test', 'fixtures', 'virtual-engine-reuse.ts'),
      `
import { Context, Poll, Waker } from 'wakerscope/waker';

export class Forgetful {
  poll(_cx: Context): Poll<number> {
    return Poll.pending();
  }
}

export function later(): Poll<number> {
  return Poll.pending();
}

export function register(cx: Context, queue: Waker[], full: boolean): boolean {
  const copy = cx.waker().clone();
  if (full) return false;
  queue.push(copy);
  return true;
}

export function notify(waker: Waker): void {
  waker.wake();
}
`,
    );
    const analyzeUnit = unitAnalyzer(createFileContext(ts, program, file));
    const rules = hintedUnits(ts, file).map((unit) => {
      const findings: Finding[] = [];
      analyzeUnit(unit, findings);
      return findings.map((finding) => finding.rule);
    });
    // The file's top level, the poll, `later` (no poll), a leak, and a unit that has none.
    assert.deepEqual(rules, [[], ['lost-wakeup'], [], ['clone-without-drop'], []]);
  });

  it('gives every unit of the fixtures and the corpus the findings and reads of a fresh engine', () => {
    const { program, files } = checked;
    const library = new Library(ts, program);
    let units = 0;
    for (const file of files) {
      const context = createFileContext(ts, program, file, library);
      const analyzeUnit = unitAnalyzer(context);
      for (const unit of hintedUnits(ts, file)) {
        const findings: Finding[] = [];
        const reads = analyzeUnit(unit, findings);
        const expected = findingsOfFreshEngine(context, unit);
        const where = `${file.fileName}:${file.getLineAndCharacterOfPosition(unit.root.getStart(file)).line + 1}`;
        // As JSON: a failing deep comparison of objects that reach syntax nodes would print the whole tree.
        assert.equal(JSON.stringify(findings), JSON.stringify(expected.findings), where);
        assert.equal(reads.nested, expected.nested, where);
        assert.deepEqual(reads.summaries && [...reads.summaries].map((node) => node.pos), [...expected.summaries].map((node) => node.pos), where);
        units++;
      }
    }
    assert.ok(units > 500, `only ${units} units`);
  });

  it('holds, right after reset, what a fresh engine holds', () => {
    const { program, files } = checked;
    const library = new Library(ts, program);
    for (const file of files) {
      const context = createFileContext(ts, program, file, library);
      const units = hintedUnits(ts, file);
      if (units.length < 2) continue;
      const reused = newEngine(context, units[0]);
      for (let i = 1; i < units.length; i++) {
        reused.run([]);
        reused.reset(units[i]);
        assert.deepEqual(state(reused), state(newEngine(context, units[i])), `${file.fileName}, unit ${i}`);
      }
    }
  });
});
