// src/analysis/flow/lattice.ts: a may-set of facts is a list sorted by id
// without duplicates, and `sortFacts` makes one in place (the engine and the
// checkers call it on lists they have just built, for every operation of every pass).
import { strict as assert } from 'node:assert';
import * as ts from 'typescript';
import { FactTable, sortFacts, type Fact } from '../../src/analysis/flow/lattice';

describe('lattice: sortFacts', () => {
  const file = ts.createSourceFile('facts.ts', 'a; b; c; d;', ts.ScriptTarget.Latest, true);
  const table = new FactTable();
  const [a, b, c, d] = file.statements.map((statement) => table.fact('live', statement));

  it('sorts by id and drops duplicates', () => {
    const cases: [Fact[], Fact[]][] = [
      [[], []],
      [[c], [c]],
      [[d, a], [a, d]],
      [[c, a, c, b, a], [a, b, c]],
      [[d, c, b, a, d], [a, b, c, d]],
      [[b, b, b], [b]],
    ];
    for (const [facts, expected] of cases) assert.deepEqual(sortFacts([...facts]), expected);
  });

  it('sorts the list it is given, making no other', () => {
    const facts = [c, a, c, b];
    assert.equal(sortFacts(facts), facts);
    assert.deepEqual(facts, [a, b, c]);
  });
});
