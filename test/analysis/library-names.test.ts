// Library names of calls to imported functions (`drop(w)`, `new RawWaker(…)`):
// `Library` finds the import without the checker unless a scope between the
// call and the file declares the name, so a local, a parameter, a named
// function expression or a namespace member of that name must still win.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { Library } from '../../src/analysis/library';
import { FixtureProgram, fixtureFiles, REPO_ROOT } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-library-names.ts');

const SOURCE = `
import { drop, forget, RawWaker, Waker, type Ptr } from 'wakerscope/waker';
import type { Context } from 'wakerscope/waker';
import { drop as release, type Waker as Borrowed } from 'wakerscope/waker';

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

// A parameter's default sees the file's \`drop\`, not the body's.
export function defaults(w: Waker, later = (): void => drop(w)): void { // drop
  const drop = (x: Waker): void => x.wake();
  drop(w); // -
  later();
}

// An import under another name is the library's all the same.
export function renamed(w: Borrowed): void {
  release(w); // drop
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
    assert.equal(cases.length, 12);
  });

  it('resolves every identifier as the checker does (shadowing, parameter defaults)', () => {
    agreeWithChecker(program, [file]);
  });

  it('names each call as its marker says, whatever was asked first', () => {
    // Twice, each with a fresh Library: once in source order, once backwards (answers are cached per node and per symbol).
    for (const order of [cases, [...cases].reverse()]) {
      const library = new Library(ts, program);
      for (const { call, expected, line } of order) assert.equal(library.calleeOf(call), expected, `line ${line}: ${call.getText(file)}`);
    }
  });
});

/**
 * Asks `referenceTo` about every identifier of `files`, as if every symbol were tracked: wherever
 * the scopes answer, it must be the checker's answer. Returns how many the checker was not asked about.
 */
function agreeWithChecker(program: ts.Program, files: readonly ts.SourceFile[]): { readonly identifiers: number; readonly withoutChecker: number; readonly declaredWithoutChecker: number } {
  const checker = program.getTypeChecker();
  const library = new Library(ts, program);
  const asked = new Set<ts.Node>();
  let calls = 0;
  const symbolAt = library.symbolAt.bind(library);
  library.symbolAt = (node) => {
    asked.add(node);
    calls++;
    return symbolAt(node);
  };
  let identifiers = 0;
  let declaredWithoutChecker = 0;
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        identifiers++;
        const where = `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: \`${node.text}\``;
        const [actual, value, expected] = [library.referenceTo(node, { has: () => true }), library.valueAt(node), checker.getSymbolAtLocation(node)];
        // By identity: a failing deep comparison of two symbols would print the whole program.
        assert.ok(actual === expected, `${where}: ${actual?.getName()} (${actual?.flags}) instead of ${expected?.getName()} (${expected?.flags})`);
        assert.ok(value === expected, `${where}: valueAt gives ${value?.getName()} (${value?.flags}) instead of ${expected?.getName()} (${expected?.flags})`);
        if (ts.isParameter(node.parent) || ts.isVariableDeclaration(node.parent)) {
          const before = calls;
          const declared = library.declaredBy(node);
          assert.ok(declared === expected, `${where}: declaredBy gives ${declared?.getName()} (${declared?.flags}) instead of ${expected?.getName()} (${expected?.flags})`);
          if (calls === before) declaredWithoutChecker++;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { identifiers, withoutChecker: identifiers - asked.size, declaredWithoutChecker };
}

const MODULE_FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-module-values.ts');
const SCRIPT_FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-script-values.ts');

// Each reference to check is marked by a comment after it on its line: `/* table */` where the
// module's table of locals answers, `/* checker */` where the checker must.
const MODULE_SOURCE = `
import { RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';

function cloneSlot(data: Ptr): RawWaker {
  return new RawWaker(data, VTABLE);
}
function wakeSlot(_: Ptr): void {}
export function dropSlot(_: Ptr): void {}
const byRef = (_: Ptr): void => {};
function merged(_: Ptr): void {}
namespace merged {
  export const n = 1;
}

export const VTABLE: RawWakerVTable = new RawWakerVTable(
  cloneSlot, /* table */
  wakeSlot, /* table */
  byRef, /* table */
  dropSlot, /* checker */
);
export const others = [
  merged, /* table */
  drop, /* checker */
  globalThis, /* checker */
];
export function shadowed(wakeSlot: (p: Ptr) => void, p: Ptr): void {
  wakeSlot(p);
}
`;

const SCRIPT_SOURCE = `
function scriptSlot(): void {}
const scriptValues = [
  scriptSlot, /* checker */
];
`;

describe('Library.valueAt: a module\'s own declarations from its table of locals', () => {
  const fixture = new FixtureProgram([MODULE_FILE, SCRIPT_FILE]);
  fixture.setTexts(new Map([[MODULE_FILE, MODULE_SOURCE], [SCRIPT_FILE, SCRIPT_SOURCE]]));
  const program = fixture.program;
  const files = [fixture.sourceFile(MODULE_FILE), fixture.sourceFile(SCRIPT_FILE)];

  it('the fixture type-checks', () => {
    assert.deepEqual(files.flatMap((file) => program.getSemanticDiagnostics(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });

  it('agrees with the checker on every identifier', () => {
    agreeWithChecker(program, files);
  });

  it('asks the checker only for exported declarations, imports, globals and scripts', () => {
    const library = new Library(ts, program);
    const asked = new Set<ts.Node>();
    const symbolAt = library.symbolAt.bind(library);
    library.symbolAt = (node) => {
      asked.add(node);
      return symbolAt(node);
    };
    let marked = 0;
    for (const file of files) {
      const visit = (node: ts.Node): void => {
        const marker = ts.isIdentifier(node) ? /^, \/\* (table|checker) \*\//.exec(file.text.slice(node.end))?.[1] : undefined;
        if (marker && ts.isIdentifier(node)) {
          marked++;
          library.valueAt(node);
          assert.equal(asked.has(node) ? 'checker' : 'table', marker, `\`${node.text}\``);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    assert.equal(marked, 8);
  });
});

describe('Library: references resolved through the scopes agree with the checker', () => {
  it('on every identifier of the rule fixtures and the corpus, and without the checker for many', () => {
    const folders = ['test/fixtures/flow', 'test/fixtures/vtable', 'test/corpus/programs'].map((folder) => join(REPO_ROOT, folder));
    const program = new FixtureProgram(folders.flatMap((folder) => fixtureFiles(folder))).program;
    const { identifiers, withoutChecker, declaredWithoutChecker } = agreeWithChecker(program, program.getSourceFiles().filter((f) => folders.some((folder) => f.fileName.startsWith(folder))));
    // Most identifiers are declarations, properties and types, which the checker answers.
    assert.ok(withoutChecker > identifiers / 10, `${withoutChecker} of ${identifiers} identifiers resolved without the checker`);
    // Parameters and a function's variables are declared by the binder's symbol (`declaredBy`).
    assert.ok(declaredWithoutChecker > identifiers / 20, `${declaredWithoutChecker} of ${identifiers} declared names resolved without the checker`);
  });
});
