// src/analysis/checker.ts: the checker the passes ask has one V8 map for every
// program, where TypeScript's own checkers each have their own. The premise is
// V8's behaviour, so it is checked in a real V8 (a child node with natives
// syntax): if two programs' checkers ever share a map, the premise's assertion
// says so and the module can go.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as ts from 'typescript';
import { checkerOf } from '../../src/analysis/checker';

const CHECKER = join(__dirname, '..', '..', 'src', 'analysis', 'checker.ts');

function programOf(text: string): ts.Program {
  const host = ts.createCompilerHost({ noEmit: true });
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) => (name === 'a.ts' ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest));
  return ts.createProgram(['a.ts'], { noEmit: true, noLib: true }, host);
}

describe('analysis: one checker shape for every program', () => {
  it("two programs' checkers have different maps, their checkerOf the same", () => {
    const script = `
      const ts = require('typescript');
      const { checkerOf } = require(${JSON.stringify(CHECKER)});
      const program = () => ts.createProgram(['a.ts'], { noEmit: true, noLib: true }, { ...ts.createCompilerHost({}), getSourceFile: (name, version) => ts.createSourceFile(name, 'const a = 1;', version), fileExists: () => true });
      const [first, second] = [program(), program()];
      process.stdout.write(JSON.stringify({
        typescript: %HaveSameMap(first.getTypeChecker(), second.getTypeChecker()),
        checkerOf: %HaveSameMap(checkerOf(first), checkerOf(second)),
        fast: %HasFastProperties(checkerOf(first)),
      }));`;
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    // The premise: if TypeScript's checkers ever share a map, checker.ts can go.
    assert.deepEqual(JSON.parse(run.stdout), { typescript: false, checkerOf: true, fast: true });
  });

  it("answers as the program's checker, one object per program", () => {
    const program = programOf('const count: number = 1;\nexport const label = `${count}`;\n');
    const raw = program.getTypeChecker();
    const stable = checkerOf(program);
    assert.equal(checkerOf(program), stable);
    const file = program.getSourceFile('a.ts')!;
    const names: ts.Identifier[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) names.push(node);
      ts.forEachChild(node, visit);
    };
    visit(file);
    assert.equal(names.length, 3);
    for (const name of names) {
      assert.equal(stable.getSymbolAtLocation(name), raw.getSymbolAtLocation(name));
      assert.equal(stable.getTypeAtLocation(name), raw.getTypeAtLocation(name));
      assert.equal(stable.typeToString(stable.getTypeAtLocation(name)), raw.typeToString(raw.getTypeAtLocation(name)));
    }
    assert.equal(stable.resolveName('count', file.statements[1], ts.SymbolFlags.Value, false), raw.getSymbolAtLocation(names[0]));
  });
});
