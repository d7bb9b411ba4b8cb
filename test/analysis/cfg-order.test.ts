// The CFG's block order and loop flag (src/analysis/flow/graph.ts `cfgOf`): the
// engine solves an acyclic graph in one pass, so `acyclic` must say exactly
// whether some edge leads back in the blocks' reverse post-order.
import { strict as assert } from 'node:assert';
import * as ts from 'typescript';
import { NO_ITEMS } from '../../src/analysis/arrays';
import { appended, buildCfg, type Cfg } from '../../src/analysis/flow/graph';
import { checkedFixturesAndCorpus, virtualFixture } from './fixture-runner';

/** The definition: every edge leads forward in `blocks`' order (a self-loop leads back). */
function everyEdgeForward(cfg: Cfg): boolean {
  const position = new Map(cfg.blocks.map((block, index) => [block, index]));
  return cfg.blocks.every((block) => block.succs.every((edge) => position.get(edge.to)! > position.get(block)!));
}

function bodies(file: ts.SourceFile): ts.FunctionLikeDeclaration[] {
  const found: ts.FunctionLikeDeclaration[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) found.push(node as ts.FunctionLikeDeclaration);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const cfgOf = (root: ts.FunctionLikeDeclaration): Cfg => buildCfg(ts, root as Parameters<typeof buildCfg>[1], { isInteresting: () => true });

describe('flow: the CFG knows whether it has a loop', () => {
  it('agrees with "every edge leads forward" on every function of the fixtures and the corpus', () => {
    const { files } = checkedFixturesAndCorpus();
    let loops = 0;
    let functions = 0;
    for (const file of files) {
      for (const root of bodies(file)) {
        const cfg = cfgOf(root);
        const expected = everyEdgeForward(cfg);
        assert.equal(cfg.acyclic, expected, `${file.fileName}:${file.getLineAndCharacterOfPosition(root.getStart()).line + 1}`);
        functions++;
        if (!expected) loops++;
      }
    }
    // Both answers occur, so the comparison tests something.
    assert.ok(loops > 10 && functions - loops > 100, `${loops} of ${functions} functions loop`);
  });

  it('sees a loop of one block, a labelled continue, a loop left only by a break, and none in a try', () => {
    const { file } = virtualFixture(
      '/virtual/cfg-order.ts',
      `declare function a(): boolean;
export function spin() { for (;;) {} }
export function labelled() { outer: for (const x of [1]) { for (;;) { if (a()) continue outer; break; } } }
export function untilBreak() { while (true) { if (a()) break; } }
export function straight() { try { a(); } catch { a(); } finally { a(); } return a() ? 1 : 2; }`,
    );
    const flags = Object.fromEntries(bodies(file).map((root) => [(root.name as ts.Identifier).text, cfgOf(root).acyclic]));
    assert.deepEqual(flags, { spin: false, labelled: false, untilBreak: false, straight: true });
  });

  it("builds blocks' lists by `appended`, which keeps their order and never writes the empty list they all start as", () => {
    let list: readonly number[] = NO_ITEMS;
    for (let i = 0; i < 5; i++) list = appended(list, i);
    assert.deepEqual(list, [0, 1, 2, 3, 4]);
    const { files } = checkedFixturesAndCorpus();
    for (const file of files) for (const root of bodies(file)) cfgOf(root);
    assert.equal(NO_ITEMS.length, 0);
  });
});
