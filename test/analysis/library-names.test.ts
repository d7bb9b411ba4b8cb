// Library names of calls to imported functions (`drop(w)`, `new RawWaker(…)`):
// `Library` finds the import without the checker unless a scope between the
// call and the file declares the name, so a local, a parameter, a named
// function expression or a namespace member of that name must still win.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { Library } from '../../src/analysis/library';
import { FixtureProgram, REPO_ROOT } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-library-names.ts');

const SOURCE = `
import { drop, forget, RawWaker, Waker, type Ptr } from 'wakerscope/waker';
import type { Context } from 'wakerscope/waker';

export function imported(w: Waker, v: Waker, p: Ptr, cx: Context): RawWaker {
  drop(w); // drop
  forget(v); // forget
  void cx;
  return new RawWaker(p, undefined!); // RawWaker
}

export function blockLocal(w: Waker): void {
  {
    const drop = (x: Waker): void => x.wake();
    drop(w); // -
  }
  drop(w); // drop
}

export function parameter(drop: (w: Waker) => void, w: Waker): void {
  drop(w); // -
}

export const named = function forget(w?: Waker): void {
  if (w) forget(); // -
};

export function hoisted(w: Waker): void {
  if (w) {
    drop(w); // -
  }
  function drop(x: Waker): void {
    x.wake();
  }
}

namespace Local {
  export function forget(_: Waker): void {}
  export function use(w: Waker): void {
    forget(w); // -
  }
}
export const local = Local.use;
`;

describe('Library: names of imported functions, with and without the checker', () => {
  const fixture = new FixtureProgram([FILE]);
  fixture.setText(FILE, SOURCE);
  const program = fixture.program;
  const file = fixture.sourceFile(FILE);

  /** Each call whose line ends in `// name` (or `// -` for none), with that expectation. */
  const cases: { readonly call: ts.CallExpression | ts.NewExpression; readonly expected: string | undefined; readonly line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression)) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      const marker = /\/\/ (\S+)$/.exec(file.text.split('\n')[line])?.[1];
      if (marker) cases.push({ call: node, expected: marker === '-' ? undefined : marker, line: line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  it('the fixture type-checks and marks every call', () => {
    assert.deepEqual(program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
    assert.equal(cases.length, 9);
  });

  it('names each call as its marker says, whatever was asked first', () => {
    // Twice, each with a fresh Library: once in source order, once backwards (answers are cached per node and per symbol).
    for (const order of [cases, [...cases].reverse()]) {
      const library = new Library(ts, program);
      for (const { call, expected, line } of order) assert.equal(library.calleeOf(call), expected, `line ${line}: ${call.getText(file)}`);
    }
  });
});
