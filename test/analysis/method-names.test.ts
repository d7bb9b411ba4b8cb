// The method `w.wake()` or `w.drop()` calls, for a name `w`: `consumingMethodOf`
// names it from `w`'s declared type where that is the checker's answer, and
// must name what `Library.nameOf` (the checker's symbol) names, on the calls it
// answers alone and on those it hands to the checker (a wrapper around the
// receiver, a union with another type, a method the class does not declare).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { consumingMethodOf } from '../../src/analysis/flow/effects';
import { Library } from '../../src/analysis/library';
import { checkedFixturesAndCorpus, REPO_ROOT, virtualFixture } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-method-names.ts');

const SOURCE = `
import { Arc, Box, Waker, type RawWaker } from 'wakerscope/waker';

class Mine {
  wake(): void {}
  drop(): void {}
}
declare function isWaker(value: unknown): value is Waker & { extra: true };

export function calls(w: Waker, maybe: Waker | undefined, box: Box<number>, arc: Arc<string> | null, either: Waker | Mine, mine: Mine, raw: RawWaker, dead: Waker, wakers: Waker[]): void {
  w.wake(); // alone
  maybe?.wake(); // alone
  if (maybe) maybe.drop(); // alone
  box.drop(); // alone
  arc?.drop(); // alone
  either.wake(); // checker
  mine.drop(); // checker
  (w as unknown as Mine).wake(); // checker
  w!.drop(); // checker
  // @ts-expect-error: a RawWaker has no drop
  raw.drop(); // checker
  if (isWaker(dead)) dead.wake(); // alone
  for (const each of wakers) each.wake(); // alone
  const ctor = Waker;
  // @ts-expect-error: the class has no static wake
  ctor.wake(); // checker
}
`;

/** Every `x.wake()` and `x.drop()` whose receiver \`x\` is a name (through wrappers too), with its place. */
function consumingCalls(files: readonly ts.SourceFile[]): { readonly access: ts.PropertyAccessExpression; readonly receiver: ts.Identifier; readonly where: string }[] {
  const found: { access: ts.PropertyAccessExpression; receiver: ts.Identifier; where: string }[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && (node.expression.name.text === 'wake' || node.expression.name.text === 'drop')) {
        let receiver: ts.Expression = node.expression.expression;
        while (ts.isParenthesizedExpression(receiver) || ts.isAsExpression(receiver) || ts.isNonNullExpression(receiver)) receiver = receiver.expression;
        if (ts.isIdentifier(receiver)) found.push({ access: node.expression, receiver, where: `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: \`${node.getText(file)}\`` });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** Asks both ways about every call; returns them, and those `nameOf` was not asked about. */
function agreeWithChecker(program: ts.Program, files: readonly ts.SourceFile[]): { readonly count: number; readonly alone: ReadonlySet<ts.Node> } {
  const checker = program.getTypeChecker();
  const answering = new Library(ts, program);
  const asking = new Library(ts, program);
  let asked = 0;
  const nameOf = answering.nameOf;
  answering.nameOf = (node) => {
    asked++;
    return nameOf.call(answering, node);
  };
  const alone = new Set<ts.Node>();
  const found = consumingCalls(files);
  for (const { access, receiver, where } of found) {
    const symbol = checker.getSymbolAtLocation(receiver);
    if (!symbol) continue;
    const before = asked;
    const answer = consumingMethodOf(ts, checker, answering, symbol, access);
    if (asked === before) alone.add(access);
    const expected = asking.nameOf(access);
    assert.equal(answer, expected, `${where}: ${answer} instead of ${expected}`);
  }
  return { count: found.length, alone };
}

describe('consumingMethodOf: the method w.wake() or w.drop() calls, with and without the checker', () => {
  const { program, file } = virtualFixture(FILE, SOURCE);

  it('the fixture type-checks', () => {
    assert.deepEqual(program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });

  it('names what the checker names, answering alone where its line says `// alone`', () => {
    program.getSemanticDiagnostics(file);
    const { count, alone } = agreeWithChecker(program, [file]);
    const calls = consumingCalls([file]);
    assert.equal(count, 13);
    const lines = file.text.split('\n');
    const marked = (access: ts.Node): string => /\/\/ (alone|checker)\b/.exec(lines[file.getLineAndCharacterOfPosition(access.getStart(file)).line])?.[1] ?? '?';
    assert.deepEqual(
      calls.map(({ access }) => `${access.getText(file)}: ${alone.has(access) ? 'alone' : 'checker'}`),
      calls.map(({ access }) => `${access.getText(file)}: ${marked(access)}`),
    );
  });

  it('agrees on the rule fixtures and the corpus, answering alone for most', function () {
    // Type-checks every fixture and corpus program, then asks the checker about each call: slow on a loaded machine.
    this.timeout(120_000);
    const { program, files } = checkedFixturesAndCorpus();
    const { count, alone } = agreeWithChecker(program, files);
    assert.ok(alone.size > count / 2, `${alone.size} of ${count} calls named without the checker`);
  });
});
