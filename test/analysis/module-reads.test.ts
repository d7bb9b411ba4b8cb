// The passes read the typescript module's enums and predicates through
// `syntaxOf`, not the module: its exports are getters of an object with
// ~2,000 of them, a dictionary lookup and a call per read, and the flow pass
// asks syntax questions of nearly every node it meets. A worst-case analysis
// read the module 701,202 times before `syntaxOf`, 34,662 after (most of them
// where reports and fixes are built); these programs 4.4 times per node
// before, 0.64 after.
import { strict as assert } from 'node:assert';
import ts from 'typescript';
import { analyzeProgram } from '../../src/analysis/index';
import { checkedFixturesAndCorpus } from './fixture-runner';

describe('reads of the typescript module', () => {
  it('are fewer than the nodes analysed', () => {
    const { program, files } = checkedFixturesAndCorpus();
    let nodes = 0;
    const count = (node: ts.Node): void => {
      nodes++;
      ts.forEachChild(node, count);
    };
    files.forEach(count);
    let reads = 0;
    const counted = new Proxy(ts, {
      get(target, key) {
        reads++;
        return Reflect.get(target, key);
      },
    });
    analyzeProgram(counted, program);
    assert.ok(reads < nodes, `${reads} reads of the module for ${nodes} nodes`);
  });
});
