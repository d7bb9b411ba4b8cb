// The type a call expects of an argument (`Effects` decides move, borrow or
// escape by it): `expectedArgumentType` reads it from the call's resolved
// signature where that is the checker's answer, and must be the very type
// `getContextualType` gives, on the arguments it answers alone and on those it
// hands to the checker (a spread, an optional or defaulted parameter, a tuple
// or generic rest, an argument past the parameters).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { expectedArgumentType } from '../../src/analysis/flow/effects';
import { checkedFixturesAndCorpus, REPO_ROOT, virtualFixture } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-argument-types.ts');

const SOURCE = `
import { Arc, Waker, drop } from 'wakerscope/waker';

declare function take(w: Waker): void;
declare function maybe(w?: Waker): void;
function withDefault(w: Waker | undefined = undefined): void {
  w?.drop();
}
declare function many(first: number, ...rest: Waker[]): void;
declare function frozen(...rest: readonly Waker[]): void;
declare function tuple(...rest: [Waker, number]): void;
declare function generic<T extends unknown[]>(...rest: T): void;
declare function identity<T>(value: T): T;
declare function overloaded(w: Waker): void;
declare function overloaded(n: number, w: Arc<number>): void;
class Holder {
  constructor(readonly w: Waker) {}
}

export function calls(w: Waker, a: Arc<number>, list: Waker[], wakers: [number, Waker]): void {
  take(w); // alone
  maybe(w); // checker
  withDefault(w); // checker
  many(1, w, w); // alone
  frozen(w); // alone
  tuple(w, 1); // checker
  generic(w, a); // checker
  identity(w); // alone
  overloaded(w); // alone
  overloaded(1, a); // alone
  new Holder(w); // alone
  list.push(w); // alone
  list.push(...list); // checker
  many(...wakers); // checker
  // @ts-expect-error: one argument too many
  take(w, w); // checker
  drop(a); // alone
  take((w as Waker)); // alone
}
`;

/** Every argument of every call and \`new\` in \`files\`, with its place. */
function callArguments(files: readonly ts.SourceFile[]): { readonly call: ts.CallExpression | ts.NewExpression; readonly argument: ts.Expression; readonly where: string }[] {
  const found: { call: ts.CallExpression | ts.NewExpression; argument: ts.Expression; where: string }[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        for (const argument of node.arguments ?? []) {
          found.push({ call: node, argument, where: `${file.fileName}:${file.getLineAndCharacterOfPosition(argument.getStart(file)).line + 1}: \`${argument.getText(file)}\`` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** Asks both ways about every argument; returns them, and those the checker's `getContextualType` was not asked about. */
function agreeWithChecker(program: ts.Program, files: readonly ts.SourceFile[]): { readonly count: number; readonly alone: ReadonlySet<ts.Expression> } {
  const checker = program.getTypeChecker();
  const found = callArguments(files);
  let asked = 0;
  const alone = new Set<ts.Expression>();
  const getContextualType = checker.getContextualType;
  checker.getContextualType = ((node: ts.Expression) => {
    asked++;
    return getContextualType.call(checker, node);
  }) as typeof checker.getContextualType;
  try {
    for (const { call, argument, where } of found) {
      const before = asked;
      const answer = expectedArgumentType(ts, checker, call, argument);
      if (asked === before) alone.add(argument);
      const expected = getContextualType.call(checker, argument);
      assert.ok(answer === expected, `${where}: ${answer && checker.typeToString(answer)} instead of ${expected && checker.typeToString(expected)}`);
    }
  } finally {
    checker.getContextualType = getContextualType;
  }
  return { count: found.length, alone };
}

describe('expectedArgumentType: the type a call expects of an argument, with and without the checker', () => {
  const { program, file } = virtualFixture(FILE, SOURCE);

  it('the fixture type-checks', () => {
    assert.deepEqual(program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });

  it('is the contextual type of every argument, answering alone where its line says `// alone`', () => {
    program.getSemanticDiagnostics(file);
    const { count, alone } = agreeWithChecker(program, [file]);
    assert.equal(count, 23);
    const lines = file.text.split('\n');
    const calls = callArguments([file]).map(({ call }) => call).filter((call, i, all) => all.indexOf(call) === i);
    const marked = (call: ts.Node): string => /\/\/ (alone|checker)\b/.exec(lines[file.getLineAndCharacterOfPosition(call.getStart(file)).line])?.[1] ?? '?';
    const answered = (call: ts.CallExpression | ts.NewExpression): string => ((call.arguments ?? []).every((argument) => alone.has(argument)) ? 'alone' : 'checker');
    assert.deepEqual(
      calls.map((call) => `${call.getText(file)}: ${answered(call)}`),
      calls.map((call) => `${call.getText(file)}: ${marked(call)}`),
    );
  });

  it('agrees on the rule fixtures and the corpus, answering alone for most', function () {
    // Type-checks every fixture and corpus program, then asks the checker about each call: slow on a loaded machine.
    this.timeout(120_000);
    const { program, files } = checkedFixturesAndCorpus();
    const { count, alone } = agreeWithChecker(program, files);
    assert.ok(alone.size > count / 2, `${alone.size} of ${count} arguments typed without the checker`);
  });
});
