// Declared types without `getTypeAtLocation`'s way there, held to its answer:
// - a parameter with a written type: `pollContextParameter` (is it the
//   `Context`?) reads its annotation (`getTypeFromTypeNode`, resolved when the
//   file was checked). The two differ only by the `undefined` an optional
//   parameter adds, which no library-type question sees;
// - a declared name (`waker` in `for (const waker of wakers)`, a destructured
//   binding): discovery asks for the type of its symbol, which is what the
//   checker answers for a declaration's name.
// Checked on every such parameter and name of the fixtures and the corpus, and
// on the odd ones (optional, defaulted, rest, `this`, a parameter property,
// aliases, destructuring, a loop over a union).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { Library, type LibraryTypeName } from '../../src/analysis/library';
import { checkedFixturesAndCorpus, REPO_ROOT, virtualFixture } from './fixture-runner';

const FILE = join(REPO_ROOT, 'test', 'fixtures', 'virtual-parameter-types.ts');

const SOURCE = `
import { Arc, Box, Context, Poll, Waker, type WakerRef } from 'wakerscope/waker';

type Cx = Context;
type MaybeCx = Context | undefined;
type Generic<T> = T;

export class Future {
  constructor(private readonly cx: Context, public waker?: Waker) {}
  poll(this: Future, cx?: Context): Poll<number> { void cx; return Poll.pending(); }
  pollAlias(cx: Cx, maybe: MaybeCx, generic: Generic<Context>): Poll<number> { void cx; void maybe; void generic; return Poll.pending(); }
  pollDefault(cx: Context = this.cx): Poll<number> { void cx; return Poll.pending(); }
  register(waker: WakerRef, ...rest: Array<Context>): void { void waker; void rest; }
  owned(box: Box<number>, arc: Arc<number> | null, either: Waker | Context): void { void box; void arc; void either; }
  names(wakers: Waker[], pairs: [number, Waker][], mixed: (Waker | Box<number>)[], entry: { waker?: Waker }): void {
    for (const waker of wakers) void waker;
    for (const [id, waker] of pairs) void [id, waker];
    for (const item of mixed) void item;
    const { waker = undefined } = entry;
    const [first, ...rest] = wakers;
    let later;
    later = first;
    void [waker, rest, later];
  }
}
`;

const NAMES: readonly LibraryTypeName[] = ['Waker', 'WakerRef', 'RawWaker', 'Box', 'Arc', 'Context', 'RawWakerVTable'];

/** Every parameter with a written type in `files`, with its place. */
function annotatedParameters(files: readonly ts.SourceFile[]): { readonly parameter: ts.ParameterDeclaration & { type: ts.TypeNode }; readonly where: string }[] {
  const found: { parameter: ts.ParameterDeclaration & { type: ts.TypeNode }; where: string }[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isParameter(node) && node.type) found.push({ parameter: node as ts.ParameterDeclaration & { type: ts.TypeNode }, where: `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: \`${node.getText(file)}\`` });
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** Every name a variable declaration or binding element declares in `files`, with its place. */
function declaredNames(files: readonly ts.SourceFile[]): { readonly name: ts.Identifier; readonly where: string }[] {
  const found: { name: ts.Identifier; where: string }[] = [];
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if ((ts.isVariableDeclaration(node) || ts.isBindingElement(node)) && ts.isIdentifier(node.name)) found.push({ name: node.name, where: `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: \`${node.name.text}\`` });
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** Asserts that the shortcuts and `getTypeAtLocation` give the same answer for every library type; returns how many parameters and names. */
function agreeWithChecker(program: ts.Program, files: readonly ts.SourceFile[]): { readonly parameters: number; readonly names: number } {
  const checker = program.getTypeChecker();
  const library = new Library(ts, program);
  const same = (shortcut: ts.Type | undefined, node: ts.Node, where: string): void => {
    const fromShortcut = NAMES.filter((name) => shortcut !== undefined && library.isType(shortcut, name));
    const fromChecker = NAMES.filter((name) => library.isType(checker.getTypeAtLocation(node), name));
    assert.deepEqual(fromShortcut, fromChecker, `${where}: the shortcut says ${fromShortcut.join(', ') || 'none'}, the checker ${fromChecker.join(', ') || 'none'}`);
  };
  const parameters = annotatedParameters(files);
  for (const { parameter, where } of parameters) same(checker.getTypeFromTypeNode(parameter.type), parameter, where);
  const names = declaredNames(files);
  for (const { name, where } of names) {
    const symbol = library.symbolAt(name);
    same(symbol && checker.getTypeOfSymbol(symbol), name, where);
  }
  return { parameters: parameters.length, names: names.length };
}

describe('Declared types: an annotation, or a declared name’s symbol, gives the checker’s answer', function () {
  // Programs of every fixture and corpus file, type-checked: slow on a loaded machine.
  this.timeout(120_000);
  it('on optional, defaulted, rest, this and aliased parameters, parameter properties, loop variables and destructured names', () => {
    const { program, file } = virtualFixture(FILE, SOURCE);
    assert.deepEqual(program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
    assert.deepEqual(agreeWithChecker(program, [file]), { parameters: 17, names: 8 });
  });

  it('on every annotated parameter and declared name of the rule fixtures and the corpus', () => {
    const { program, files } = checkedFixturesAndCorpus();
    const { parameters, names } = agreeWithChecker(program, files);
    assert.ok(parameters > 100 && names > 100, `${parameters} parameters, ${names} names`);
  });
});
