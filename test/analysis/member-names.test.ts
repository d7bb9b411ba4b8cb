// The library member a property access names (`cx.waker().clone()`,
// `this.waker?.wake()`, `arc.clone()`): `Library.nameOf` takes it from the
// receiver's type where that is the checker's answer, and must name what the
// checker's symbol for the property names, on the accesses it answers alone
// and on those it hands to the checker (a class another may extend, an
// interface a value may be narrowed from, a union with another type, a
// wrapper, a static member's or a function's `this`, an inherited member).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { Library } from '../../src/analysis/library';
import { checkerOf, type Checker } from '../../src/analysis/checker';
import { checkedFixturesAndCorpus, REPO_ROOT, virtualFixture } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-member-names.ts');

const SOURCE = `
import { Waker, type Arc, type Box, type Context, type Ptr, type RawWaker, type WakerRef } from 'wakerscope/waker';

class Mine {
  clone(): Mine { return this; }
  wake(): void {}
}
declare function isWaker(value: unknown): value is Waker & { extra: true };
declare function makeRaw(): RawWaker;

class Base {
  protected waker: Waker | undefined;
}

export class Holder extends Base {
  private own: Waker | undefined;
  private mine: Mine | undefined;
  private either: Waker | Mine | undefined;
  static shared: Waker | undefined;
  private readonly later = (): void => this.own?.wakeByRef(); // alone

  poll(cx: Context, w: Waker, maybe: Waker | undefined, arc: Arc<string>, boxed: Box<number> | null, mine: Mine, either: Waker | Mine, ref: WakerRef, raw: RawWaker, data: Ptr): void {
    const copy = cx.waker().clone(); // alone
    cx.waker().wakeByRef(); // alone
    copy.wakeByRef(); // alone
    w.wakeByRef(); // alone
    maybe?.wake(); // alone
    arc.clone().drop(); // alone
    boxed?.drop(); // alone
    Waker.noop().wakeByRef(); // alone
    makeRaw().data; // alone
    mine.clone(); // checker
    either.wake(); // checker
    ref.clone(); // checker
    raw.vtable; // checker
    this.own?.wakeByRef(); // alone
    this.mine?.clone(); // checker
    this.either?.wake(); // checker
    this.waker?.wakeByRef(); // checker
    Holder.shared?.wakeByRef(); // checker
    [w].forEach(() => this.own?.wakeByRef()); // alone
    (w as Waker).wakeByRef(); // checker
    if (isWaker(mine)) mine.wake(); // checker
    if (isWaker(maybe)) maybe.wake(); // alone
    void data;
    this.later();
  }

  static each(): void {
    this.shared?.wakeByRef(); // checker
  }

  withThis(this: Holder): void {
    this.own?.wakeByRef(); // checker
  }
}

export function plain(this: { own: Waker }): void {
  this.own.wakeByRef(); // checker
}
`;

/** Every property access in `files` whose name `nameOf` may resolve (called, or read as a member: `x.data`), with its place. */
function accesses(files: readonly ts.SourceFile[]): { readonly access: ts.PropertyAccessExpression; readonly where: string }[] {
  const found: { access: ts.PropertyAccessExpression; where: string }[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
        found.push({ access: node, where: `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: \`${node.getText(file)}\`` });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/**
 * Names every access with a Library that may answer from the receiver's type and with one that always asks the
 * checker for the property's symbol (its receiver shortcut taken away); returns those the first did not ask about.
 */
function agreeWithChecker(program: ts.Program, files: readonly ts.SourceFile[]): { readonly count: number; readonly alone: ReadonlySet<ts.Node> } {
  const answering = new Library(ts, program);
  const checking = new Library(ts, program);
  (checking as unknown as { memberOfReceiverType(): undefined }).memberOfReceiverType = () => undefined;
  let asked = 0;
  const symbolAt = answering.symbolAt;
  answering.symbolAt = (node) => {
    asked++;
    return symbolAt.call(answering, node);
  };
  const alone = new Set<ts.Node>();
  const found = accesses(files);
  for (const { access, where } of found) {
    const before = asked;
    const answer = answering.nameOf(access);
    if (asked === before) alone.add(access);
    const expected = checking.nameOf(access);
    assert.equal(answer, expected, `${where}: ${answer} instead of ${expected}`);
  }
  return { count: found.length, alone };
}

describe('Library: the member a property access names, with and without the checker', () => {
  const { program, file } = virtualFixture(FILE, SOURCE);
  const lines = file.text.split('\n');
  const marked = (access: ts.Node): string | undefined => /\/\/ (alone|checker)\b/.exec(lines[file.getLineAndCharacterOfPosition(access.getStart(file)).line])?.[1];

  it('the fixture type-checks', () => {
    assert.deepEqual(program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });

  it('names what the checker names, answering alone where its line says `// alone`', () => {
    program.getSemanticDiagnostics(file);
    const { alone } = agreeWithChecker(program, [file]);
    // A marker is about the access whose name ends last on its line (`arc.clone().drop()`: the `drop`).
    const lastOnLine = new Map<number, ts.PropertyAccessExpression>();
    for (const { access } of accesses([file])) {
      if (!marked(access)) continue;
      const line = file.getLineAndCharacterOfPosition(access.getStart(file)).line;
      if ((lastOnLine.get(line)?.name.end ?? -1) < access.name.end) lastOnLine.set(line, access);
    }
    const marks = [...lastOnLine.values()];
    assert.equal(marks.length, 26);
    assert.deepEqual(
      marks.map((access) => `${access.getText(file)}: ${alone.has(access) ? 'alone' : 'checker'}`),
      marks.map((access) => `${access.getText(file)}: ${marked(access)}`),
    );
  });

  it('types `this.own = w` from the class\'s own member, without asking for its symbol', () => {
    const source = `
import type { Waker } from 'wakerscope/waker';
export class Timer {
  private own: Waker | undefined;
  set(w: Waker): void {
    this.own = w;
  }
}
`;
    const fixture = virtualFixture(join(REPO_ROOT, 'test', 'fixtures', 'virtual-this-property.ts'), source);
    fixture.program.getSemanticDiagnostics(fixture.file);
    const library = new Library(ts, fixture.program);
    // The checker the Library asks (checkerOf's one per program), watched for getSymbolAtLocation.
    const checker: { getSymbolAtLocation: Checker['getSymbolAtLocation'] } = checkerOf(fixture.program);
    const getSymbolAtLocation = checker.getSymbolAtLocation;
    let asked = 0;
    checker.getSymbolAtLocation = (node) => {
      asked++;
      return getSymbolAtLocation.call(checker, node);
    };
    try {
      const [target] = accesses([fixture.file]).map(({ access }) => access);
      assert.equal(library.isAssignedType(target!, 'Waker'), true);
      assert.equal(asked, 0);
    } finally {
      checker.getSymbolAtLocation = getSymbolAtLocation;
    }
  });

  it('agrees on the rule fixtures and the corpus, answering alone for most', function () {
    // Type-checks every fixture and corpus program, then asks the checker about each access: slow on a loaded machine.
    this.timeout(120_000);
    const { program, files } = checkedFixturesAndCorpus();
    const { count, alone } = agreeWithChecker(program, files);
    assert.ok(alone.size > count / 2, `${alone.size} of ${count} accesses named without the checker`);
  });
});
