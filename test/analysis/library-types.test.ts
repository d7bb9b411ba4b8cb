// The type of an assignment's target (`this.waker` in `this.waker = w`):
// `Library.isAssignedType` answers from the property's symbol where that is the
// checker's answer, and must agree with `getTypeAtLocation` everywhere: on the
// properties it answers alone and on the ones it hands to the checker (a
// union's, a generic's, a mapped type's, a readonly one, an accessor).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { Library, type LibraryTypeName } from '../../src/analysis/library';
import { checkerOf, type Checker } from '../../src/analysis/checker';
import { checkedFixturesAndCorpus, REPO_ROOT, virtualFixture } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-library-types.ts');

const SOURCE = `
import { Arc, Box, Waker } from 'wakerscope/waker';

interface Slot { waker?: Waker; count: number }
type Alias = Waker | undefined;
class Holder<T> { value!: T; }
class Other { waker: number = 0; }
class Setter {
  get waker(): Waker | undefined { return undefined; }
  set waker(_: unknown) {}
}

export class Timer {
  private waker: Waker | undefined;
  #private?: Waker;
  ready = false;
  aliased: Alias;
  readonly fixed: Waker | undefined;
  untyped;
  boxes: Box<number>[] = [];
  shared: Arc<number> | null = null;
  constructor(w: Waker) {
    this.fixed = w; // checker
    this.untyped = w; // checker
  }
  poll(w: Waker, slot: Slot, wakers: Waker[], holder: Holder<Waker>, either: Slot | Other, partial: Partial<Slot>, frozen: Readonly<Slot>, setter: Setter): void {
    this.waker = w; // alone
    this.#private = w; // alone
    this.ready = true; // alone
    this.aliased = undefined; // alone
    // @ts-expect-error: assigning a readonly property outside the constructor
    this.fixed = w; // checker
    this.untyped = w; // checker
    this.boxes = []; // alone
    this.shared = null; // alone
    slot.waker = w; // alone
    slot.count = 1; // alone
    wakers.length = 0; // either: Array<Waker>'s length is Array's own symbol once its type was resolved, else one made up
    holder.value = w; // checker
    either.waker = 1 as never; // checker
    partial.waker = w; // checker
    // @ts-expect-error: assigning a readonly property
    frozen.waker = w; // checker
    setter.waker = w; // checker
    (this.waker as Waker | undefined) = undefined; // checker
    this.waker! = w; // checker
  }
}
`;

const NAMES: readonly LibraryTypeName[] = ['Waker', 'Box', 'Arc'];

/** Every `=` assignment's target in `files` that is a property access (through wrappers too), with its place. */
function assignedProperties(files: readonly ts.SourceFile[]): { readonly target: ts.Expression; readonly where: string }[] {
  const targets: { target: ts.Expression; where: string }[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        let target = node.left;
        while (ts.isParenthesizedExpression(target) || ts.isAsExpression(target) || ts.isNonNullExpression(target)) target = target.expression;
        if (ts.isPropertyAccessExpression(target)) targets.push({ target, where: `${file.fileName}:${file.getLineAndCharacterOfPosition(target.getStart(file)).line + 1}: \`${target.getText(file)}\`` });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return targets;
}

/** Asks both ways about every target; returns them, and those the checker's `getTypeAtLocation` was not asked about. */
function agreeWithChecker(program: ts.Program, files: readonly ts.SourceFile[]): { readonly targets: readonly ts.Expression[]; readonly alone: readonly ts.Expression[] } {
  // The checker the Library asks (checkerOf's one per program), watched for getTypeAtLocation.
  const checker: { getTypeAtLocation: Checker['getTypeAtLocation'] } = checkerOf(program);
  const targets = assignedProperties(files);
  const library = new Library(ts, program);
  let asked = 0;
  const alone: ts.Expression[] = [];
  const getTypeAtLocation = checker.getTypeAtLocation;
  checker.getTypeAtLocation = (node) => {
    asked++;
    return getTypeAtLocation.call(checker, node);
  };
  try {
    for (const { target, where } of targets) {
      const before = asked;
      const answers = NAMES.map((name) => library.isAssignedType(target, name));
      const used = asked > before;
      if (!used) alone.push(target);
      const expected = NAMES.map((name) => library.isType(getTypeAtLocation.call(checker, target), name));
      assert.deepEqual(answers, expected, `${where}: ${answers} instead of ${expected}${used ? ' (asked the checker)' : ''}`);
    }
  } finally {
    checker.getTypeAtLocation = getTypeAtLocation;
  }
  return { targets: targets.map(({ target }) => target), alone };
}

describe('Library: the type of an assigned property, with and without the checker', () => {
  const { program, file } = virtualFixture(FILE, SOURCE);

  it('the fixture type-checks', () => {
    assert.deepEqual(program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });

  it('agrees with getTypeAtLocation on every assigned property, answering alone where its line says `// alone`', () => {
    program.getSemanticDiagnostics(file);
    const { targets, alone } = agreeWithChecker(program, [file]);
    const marked = (target: ts.Expression): string => /\/\/ (alone|checker|either)\b/.exec(file.text.split('\n')[file.getLineAndCharacterOfPosition(target.getStart(file)).line])?.[1] ?? '?';
    assert.equal(targets.length, 20);
    assert.deepEqual(
      targets.map((target) => `${target.getText(file)}: ${marked(target) === 'either' ? 'either' : alone.includes(target) ? 'alone' : 'checker'}`),
      targets.map((target) => `${target.getText(file)}: ${marked(target)}`),
    );
  });

  it('agrees on the rule fixtures and the corpus, answering alone for many', function () {
    // Type-checks every fixture and corpus program first: past mocha's 20 s on a loaded machine.
    this.timeout(120_000);
    const { program, files } = checkedFixturesAndCorpus();
    const { targets, alone } = agreeWithChecker(program, files);
    assert.ok(alone.length > targets.length / 2, `${alone.length} of ${targets.length} assigned properties typed without the checker`);
  });
});
