// Splitting the CFG on correlated conditions (src/analysis/flow/correlate.ts):
// which paths the split graph still has, checked on the graph itself.
import { strict as assert } from 'node:assert';
import * as ts from 'typescript';
import { correlateConditions } from '../../src/analysis/flow/correlate';
import { buildCfg, type BasicBlock, type Cfg } from '../../src/analysis/flow/graph';

const FILE = '/virtual/correlate.ts';
const libFiles = new Map<string, ts.SourceFile | undefined>();

/** The CFG of `f` in `source`, before and after the split; calls are the only operations kept. */
function graphs(source: string): { readonly whole: Cfg; readonly split: Cfg } {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, strict: true, noEmit: true };
  const host = ts.createCompilerHost(options, true);
  const file = ts.createSourceFile(FILE, source, ts.ScriptTarget.ES2022, true);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, ...rest) => {
    if (name === FILE) return file;
    // The lib files once for all cases: parsing them is most of a program's cost.
    let lib = libFiles.get(name);
    if (!lib) libFiles.set(name, (lib = getSourceFile.call(host, name, ...rest)));
    return lib;
  };
  const program = ts.createProgram({ rootNames: [FILE], options, host });
  const f = file.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'f');
  assert.ok(f, 'the source declares function f');
  const whole = buildCfg(ts, f, { isInteresting: () => false });
  return { whole, split: correlateConditions(ts, program.getTypeChecker(), whole, f) };
}

/** Whether a block calls `name()`. */
function calls(block: BasicBlock, name: string): boolean {
  return block.ops.some((op) => op.kind === 'eval' && ts.isCallExpression(op.node) && op.node.expression.getText() === name);
}

/** The sets of called names along every entry-to-exit path of an acyclic graph. */
function pathsOf(cfg: Cfg, names: readonly string[]): string[] {
  const found = new Set<string>();
  const walk = (block: BasicBlock, seen: readonly string[]): void => {
    const here = [...seen, ...names.filter((name) => calls(block, name))];
    if (block.succs.length === 0) found.add([...new Set(here)].sort().join('+') || '(none)');
    for (const edge of block.succs) walk(edge.to, here);
  };
  walk(cfg.entry, []);
  return [...found].sort();
}

function reachable(from: BasicBlock): Set<BasicBlock> {
  const seen = new Set<BasicBlock>([from]);
  const stack = [from];
  while (stack.length > 0) for (const edge of stack.pop()!.succs) if (!seen.has(edge.to)) stack.push((seen.add(edge.to), edge.to));
  return seen;
}

describe('flow: correlated conditions split the CFG', () => {
  it('keeps the graph whole when no variable is tested twice', () => {
    const { whole, split } = graphs('declare function a(): void;\nexport function f(c: boolean) { if (c) a(); }');
    assert.equal(split, whole);
  });

  it('never takes both or neither branch of `if (c) … if (!c) …` on a const', () => {
    const source = 'declare function a(): void; declare function b(): void; declare function g(): boolean;\nexport function f() { const c = g(); if (c) a(); g(); if (!c) b(); }';
    const { whole, split } = graphs(source);
    assert.deepEqual(pathsOf(whole, ['a', 'b']), ['(none)', 'a', 'a+b', 'b']);
    assert.deepEqual(pathsOf(split, ['a', 'b']), ['a', 'b']);
    assert.ok(split.blocks.every((block) => block.original !== undefined), 'every block of the split graph names the block it copies');
  });

  it('correlates a parameter nothing assigns, through `&&` and `!`', () => {
    const source = 'declare function a(): void; declare function b(): void;\nexport function f(c: boolean, d: boolean) { if (c && d) a(); if (!c) b(); }';
    assert.deepEqual(pathsOf(graphs(source).split, ['a', 'b']), ['(none)', 'a', 'b']);
  });

  it('does not correlate a parameter that is assigned, nor a `let`', () => {
    for (const source of [
      'declare function a(): void; declare function b(): void; declare function g(): boolean;\nexport function f(c: boolean) { if (c) a(); c = g(); if (!c) b(); }',
      'declare function a(): void; declare function b(): void; declare function g(): boolean;\nexport function f() { let c = g(); if (c) a(); if (!c) b(); }',
    ]) {
      const { whole, split } = graphs(source);
      assert.equal(split, whole, source);
    }
  });

  it('forgets a loop-body const at its declaration: a later iteration may decide the other way', () => {
    const source = 'declare function a(): void; declare function b(): void; declare function g(): boolean;\nexport function f() { for (;;) { const now = g(); if (now) a(); if (!now) { b(); return; } } }';
    const { split } = graphs(source);
    const afterA = split.blocks.filter((block) => calls(block, 'a')).flatMap((block) => [...reachable(block)]);
    assert.ok(afterA.some((block) => calls(block, 'b')), '`b()` is reachable after `a()` ran on an earlier iteration');
    // Within one iteration the two tests still agree: no block calls both, and no path from `a()` reaches `b()` without passing the declaration again.
    const declaration = split.blocks.filter((block) => block.ops.some((op) => op.kind === 'declare'));
    for (const start of split.blocks.filter((block) => calls(block, 'a'))) {
      const stack = start.succs.map((edge) => edge.to);
      const seen = new Set<BasicBlock>();
      while (stack.length > 0) {
        const block = stack.pop()!;
        if (seen.has(block) || declaration.includes(block)) continue;
        seen.add(block);
        assert.ok(!calls(block, 'b'), '`b()` right after `a()` in the same iteration');
        stack.push(...block.succs.map((edge) => edge.to));
      }
    }
  });

  it("correlates an optional chain's implicit test with a later presence test on an object", () => {
    const source = 'declare function b(): void; interface W { a(): void }\nexport function f(w: W | undefined) { w?.a(); if (w !== undefined) b(); }';
    const { whole, split } = graphs(source);
    assert.deepEqual(pathsOf(whole, ['w?.a', 'b']), ['(none)', 'b', 'b+w?.a', 'w?.a']);
    assert.deepEqual(pathsOf(split, ['w?.a', 'b']), ['(none)', 'b+w?.a']);
  });

  it('does not correlate presence with truthiness where a present value may be falsy', () => {
    const source = 'declare function b(): void;\nexport function f(n: number | undefined) { n?.toFixed(); if (n) b(); }';
    const { whole, split } = graphs(source);
    assert.equal(split, whole);
  });

  it('correlates a flag of `this` tested twice, as a combinator reads its own state', () => {
    const source = 'declare function a(): void; declare function b(): void;\nexport function f(this: { done: boolean }) { if (!this.done) a(); if (this.done) b(); }';
    const { whole, split } = graphs(source);
    assert.deepEqual(pathsOf(whole, ['a', 'b']), ['(none)', 'a', 'a+b', 'b']);
    assert.deepEqual(pathsOf(split, ['a', 'b']), ['a', 'b']);
  });

  it('knows a flag after `this.done = true`, on the path that assigned it', () => {
    const source = 'declare function a(): void; declare function b(): void;\nexport function f(this: { done: boolean }) { if (!this.done) { a(); this.done = true; } if (this.done) b(); }';
    assert.deepEqual(pathsOf(graphs(source).split, ['a', 'b']), ['a+b', 'b']);
  });

  it('knows a flag that holds an object or nothing from its assignment, and correlates its presence tests', () => {
    const source = 'declare function a(): void; declare function b(): void;\nexport function f(this: { out: { v: number } | undefined }) { if (this.out === undefined) { a(); this.out = { v: 1 }; } if (this.out !== undefined) b(); }';
    assert.deepEqual(pathsOf(graphs(source).split, ['a', 'b']), ['a+b', 'b']);
  });

  it('forgets the flags at a method called on `this`, or a call `this` is handed to', () => {
    for (const call of ['this.reset()', 'reset(this)']) {
      const source = `declare function a(): void; declare function b(): void; declare function reset(o: object): void;\nexport function f(this: { done: boolean; reset(): void }) { if (!this.done) a(); ${call}; if (this.done) b(); }`;
      assert.deepEqual(pathsOf(graphs(source).split, ['a', 'b']), ['(none)', 'a', 'a+b', 'b'], call);
    }
  });

  it('does not follow a flag written where the CFG does not show it: by `++`, a compound assignment or a closure', () => {
    for (const write of ['this.n++', 'this.n ||= 1', '[1].forEach(() => { this.n = 0; })']) {
      const source = `declare function a(): void; declare function b(): void;\nexport function f(this: { n: number }) { if (this.n) a(); ${write}; if (!this.n) b(); }`;
      const { whole, split } = graphs(source);
      assert.equal(split, whole, write);
    }
  });

  it('does not correlate a for…of const, which changes every iteration', () => {
    const source = 'declare function a(): void; declare function b(): void;\nexport function f(xs: boolean[]) { for (const x of xs) { if (x) a(); if (!x) b(); } }';
    const { whole, split } = graphs(source);
    assert.equal(split, whole);
  });
});
