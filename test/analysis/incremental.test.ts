// IncrementalAnalyzer (src/analysis/incremental.ts) must return exactly what a
// fresh analyzeFile returns after any edit, while re-analysing only the function
// bodies an edit touched. Each check compares the two on the same program.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { analyzeFile, IncrementalAnalyzer, type Finding } from '../../src/analysis/index';
import { skeletonOf, type IncrementalStats } from '../../src/analysis/incremental';
import { generateFile } from '../../bench/tsserver-latency';
import { FIXTURES_ROOT, FixtureProgram, fixtureFiles, repoCompilerOptions } from './fixture-runner';
import { mulberry32 } from './random';

const describeFindings = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.span.start}-${f.span.end} ${f.rule} ${f.severity} ${f.message} [${f.related.map((r) => `${r.start}-${r.end} ${r.message}`).join('; ')}] ${JSON.stringify(f.fixes)}`);

/** Analyse the program's current version both ways and require the same findings; returns the incremental mode. */
function check(fixtures: FixtureProgram, analyzer: IncrementalAnalyzer, fileName: string, what: string): 'whole' | 'incremental' {
  const file = fixtures.sourceFile(fileName);
  const incremental = analyzer.analyzeFile(fixtures.program, file);
  const whole = analyzeFile(ts, fixtures.program, file);
  assert.deepEqual(describeFindings(incremental), describeFindings(whole), `${what}: incremental and whole analyses differ`);
  assert.deepEqual(incremental, whole, `${what}: findings differ beyond their text`);
  return analyzer.last.mode;
}

const EDIT_CHARACTERS = ['x', '1', ' ', ';', '(', ')', '{', '}', '.', '\n', 'w', 'drop(arc);'];

/** A one-character edit (or a short insertion) at `at`: insert, replace or delete. */
function edit(text: string, at: number, next: () => number): string {
  const choice = next();
  const insert = EDIT_CHARACTERS[Math.floor(next() * EDIT_CHARACTERS.length)]!;
  if (choice < 0.4) return text.slice(0, at) + insert + text.slice(at);
  if (choice < 0.8) return text.slice(0, at) + insert + text.slice(at + 1);
  return text.slice(0, at) + text.slice(at + 1);
}

/**
 * Random edits inside opaque bodies of `fileName` (and one outside), each
 * followed by an analysis of `checked` (default: the edited file itself; files
 * calling its helpers from elsewhere), compared with a whole analysis.
 */
function randomEdits(fixtures: FixtureProgram, fileName: string, count: number, seed: number, checked: readonly string[] = [fileName]): { incremental: number; total: number } {
  const analyzer = new IncrementalAnalyzer(ts);
  const next = mulberry32(seed);
  let text = fixtures.sourceFile(fileName).text;
  for (const other of checked) check(fixtures, analyzer, other, `${other} (first analysis)`);
  let incremental = 0;
  for (let round = 0; round < count; round++) {
    const { regions: bodies } = skeletonOf(ts, fixtures.sourceFile(fileName));
    // Mostly inside a body (what incremental analysis speeds up); every fourth edit anywhere.
    const body = round % 4 !== 3 && bodies.length > 0 ? bodies[Math.floor(next() * bodies.length)]! : { start: 0, end: text.length };
    const at = body.start + 1 + Math.floor(next() * Math.max(1, body.end - body.start - 2));
    text = edit(text, at, next);
    fixtures.setText(fileName, text);
    for (const other of checked) {
      if (check(fixtures, analyzer, other, `${other} after edit ${round + 1} at ${at} of ${fileName}`) === 'incremental') incremental++;
    }
  }
  fixtures.setText(fileName, undefined); // an overridden file is parsed anew for every program: that would look like an edit to the others
  return { incremental, total: count * checked.length };
}

// A test that type-checks several programs takes 2–6 s idle and 25–30 s on a
// loaded 2-core machine: past mocha's 20 s, though nothing hangs.
const SEVERAL_PROGRAMS_TIMEOUT_MS = 120_000;

describe('incremental analysis (tsserver): the same findings as a whole analysis', () => {
  const totals = { incremental: 0, total: 0 };
  const files = [...fixtureFiles(join(FIXTURES_ROOT, 'flow')), ...fixtureFiles(join(FIXTURES_ROOT, 'vtable'))];

  // One program for all fixtures (faster: unchanged files are reused); each test edits only its own file.
  let fixtures: FixtureProgram;
  before(() => {
    fixtures = new FixtureProgram(files);
  });

  files.forEach((fileName, index) => {
    it(`after random edits: ${fileName.slice(FIXTURES_ROOT.length + 1)}`, () => {
      const result = randomEdits(fixtures, fileName, 4, 1000 + index);
      totals.incremental += result.incremental;
      totals.total += result.total;
    });
  });

  // Helpers summarised across files: edits to the helpers, checked in the files that call them.
  const helpers = join(FIXTURES_ROOT, 'flow', 'helpers', 'wakers.ts');
  const callers = files.filter((name) => /cross-file-helper/.test(name));
  it('after random edits to helpers in another file: their callers', () => {
    assert.ok(callers.length >= 2, 'the cross-file helper fixtures are missing');
    for (let seed = 0; seed < 6; seed++) randomEdits(fixtures, helpers, 6, 500 + seed, callers);
  });

  it('reused most results across the fixtures (the edits really exercised incremental re-analysis)', () => {
    assert.ok(totals.total >= 4 * files.length, `only ${totals.total} edits were checked`);
    assert.ok(totals.incremental >= totals.total / 3, `only ${totals.incremental} of ${totals.total} edits were incremental`);
  });

  describe('the tsserver benchmark file (77 vtables, 3,000 lines)', () => {
    let dir: string;
    let fileName: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'wakerscope-incremental-'));
      fileName = join(dir, 'big.ts');
      writeFileSync(fileName, generateFile());
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('after 25 random edits, nearly all re-analysed incrementally', function () {
      this.timeout(60_000);
      const result = randomEdits(new FixtureProgram([fileName]), fileName, 25, 7);
      assert.ok(result.incremental >= 12, `only ${result.incremental} of 25 edits were incremental`);
    });
  });
});

/**
 * A small project whose files call each other's helpers, build vtables from
 * slots declared elsewhere and implement futures: `helpers.ts` ← `slots.ts` ←
 * `main.ts`, and `other.ts`, which imports only the library.
 */
const PROJECT: Record<string, string> = {
  'helpers.ts': `import { Waker, type Context } from 'wakerscope/waker';
export const LIMIT: number = 3;
export declare function consume(w: Waker): void;
export function release(w: Waker): void {
  w.drop();
}
export function keep(cx: Context, into: Waker[]): void {
  into.push(cx.waker().clone());
}
export function wakeAfter(w: Waker, hops: number): void {
  if (hops <= 0) {
    w.wake();
    return;
  }
  wakeAfter(w, hops - 1);
}
export function count(n: number): number {
  return n + LIMIT;
}
const SPINS = 2;
export function spin(w: Waker): void {
  for (let i = 0; i < SPINS; i++) w.wakeByRef();
}
export class Slot {
  waker: Waker | undefined = undefined;
  readonly limit: number = LIMIT;
  parked = 0;
  readonly onWake: (w: Waker) => void = (w) => {
    w.wake();
  };
  park(w: Waker): void {
    this.waker?.drop();
    this.waker = w;
  }
}
type Owned = Waker;
export declare function consumeOwned(w: Owned): void;
interface Parking {
  park(w: Waker): void;
}
export function parking(): Parking {
  return new Slot();
}
function spinsFor(w: Waker): number {
  return w.willWake(w) ? SPINS : 0;
}
`,
  'slots.ts': `import { Arc, RawWaker, drop, forget, type Ptr, type RawWakerVTable } from 'wakerscope/waker';
import { count } from './helpers';
export function retain(ptr: Ptr): void {
  Arc.incrementStrongCount(ptr);
}
export function cloneWith(ptr: Ptr, vtable: RawWakerVTable): RawWaker {
  retain(ptr);
  return new RawWaker(ptr, vtable);
}
export function wakeSlot(ptr: Ptr): void {
  drop(Arc.fromRaw<number>(ptr));
}
export function wakeByRefSlot(ptr: Ptr): void {
  forget(Arc.fromRaw<number>(ptr));
}
export function dropSlot(ptr: Ptr): void {
  const arc = Arc.fromRaw<number>(ptr);
  drop(arc);
}
export function budget(n: number): number {
  return count(n) * 2;
}
`,
  'main.ts': `import { RawWaker, RawWakerVTable, Waker, Poll, type Context, type Future, type Ptr } from 'wakerscope/waker';
import { consume, keep, release, wakeAfter, Slot } from './helpers';
import { cloneWith, dropSlot, wakeByRefSlot, wakeSlot } from './slots';
import { consumeOwned, parking } from './helpers';
export function useConsumed(waker: Waker): void {
  consume(waker);
  waker.wakeByRef();
}
function mainClone(ptr: Ptr): RawWaker {
  return cloneWith(ptr, VTABLE);
}
export const VTABLE = new RawWakerVTable(mainClone, wakeSlot, wakeByRefSlot, dropSlot);
export function handOff(waker: Waker): void {
  release(waker);
  waker.wakeByRef();
}
export function relay(cx: Context): void {
  const waker = cx.waker().clone();
  wakeAfter(waker, 2);
  waker.wakeByRef();
}
export function park(slot: Slot, cx: Context): void {
  slot.park(cx.waker().clone());
}
export class Parked implements Future<void> {
  readonly wakers: Waker[] = [];
  poll(cx: Context): Poll<void> {
    keep(cx, this.wakers);
    return Poll.pending();
  }
}
export class Forgetful implements Future<void> {
  poll(cx: Context): Poll<void> {
    const waker = cx.waker().clone();
    waker.drop();
    return Poll.pending();
  }
}
export function useOwned(waker: Waker): void {
  consumeOwned(waker);
  waker.wakeByRef();
}
export function parkThenWake(waker: Waker): void {
  parking().park(waker);
  waker.wakeByRef();
}
`,
  'other.ts': `import { Waker } from 'wakerscope/waker';
export function giveBack(waker: Waker): void {
  handBack(waker);
  waker.wakeByRef();
}
export function twice(waker: Waker): void {
  waker.wake();
  waker.wakeByRef();
}
export function leak(waker: Waker): number {
  const copy = waker.clone();
  return copy === waker ? 1 : 0;
}
`,
  // A script: what it declares is global.
  'globals.ts': `declare function handBack(waker: import('wakerscope/waker').Waker): void;
`,
};

/** PROJECT's files written into a new temporary folder, and their paths. */
function writeProject(prefix: string): { dir: string; names: string[] } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const names = Object.entries(PROJECT).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  return { dir, names };
}

describe('incremental analysis: several files, edits in one, every file compared', function () {
  this.timeout(SEVERAL_PROGRAMS_TIMEOUT_MS);
  let dir: string;
  let names: string[];
  before(() => ({ dir, names } = writeProject('wakerscope-incremental-project-')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('after random edits in any file, each file analysed again equals a whole analysis, and unedited files reuse their results', function () {
    this.timeout(300_000);
    const fixtures = new FixtureProgram(names);
    const analyzer = new IncrementalAnalyzer(ts);
    const next = mulberry32(12);
    const texts = new Map(names.map((name) => [name, PROJECT[name.slice(dir.length + 1)]!]));
    for (const name of names) check(fixtures, analyzer, name, `${name} (first analysis)`);
    let reusedWhole = 0;
    let returnedAsBefore = 0;
    let othersChecked = 0;
    for (let round = 0; round < 40; round++) {
      const edited = names[Math.floor(next() * names.length)]!;
      const { regions: bodies } = skeletonOf(ts, fixtures.sourceFile(edited));
      const text = texts.get(edited)!;
      const body = round % 4 !== 3 && bodies.length > 0 ? bodies[Math.floor(next() * bodies.length)]! : { start: 0, end: text.length };
      const at = body.start + 1 + Math.floor(next() * Math.max(1, body.end - body.start - 2));
      texts.set(edited, edit(text, at, next));
      fixtures.setText(edited, texts.get(edited));
      for (const name of names) {
        check(fixtures, analyzer, name, `${name.slice(dir.length + 1)} after edit ${round + 1} at ${at} of ${edited.slice(dir.length + 1)}`);
        if (name === edited) continue;
        othersChecked++;
        const { mode, unchanged, analysedRegions, checkedVtables } = analyzer.last;
        if (mode === 'incremental' && analysedRegions.length === 0 && checkedVtables === 0) reusedWhole++;
        if (unchanged) returnedAsBefore++;
      }
    }
    // Most edits land in bodies no other file reads: those files are not analysed again at all, and most of them not even finished again.
    assert.ok(reusedWhole >= othersChecked / 3, `only ${reusedWhole} of ${othersChecked} analyses of unedited files reused everything`);
    assert.ok(returnedAsBefore >= othersChecked / 2, `only ${returnedAsBefore} of ${othersChecked} analyses of unedited files returned their findings as they were`);
  });

  it('after random comment and whitespace edits between declarations, each file equals a whole analysis, the edited one moves its results and no other is analysed whole', function () {
    this.timeout(300_000);
    const fixtures = new FixtureProgram(names);
    const analyzer = new IncrementalAnalyzer(ts);
    const next = mulberry32(34);
    const texts = new Map(names.map((name) => [name, PROJECT[name.slice(dir.length + 1)]!]));
    for (const name of names) check(fixtures, analyzer, name, `${name} (first analysis)`);
    let moved = 0;
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const edited = names[Math.floor(next() * names.length)]!;
      texts.set(edited, triviaEdit(texts.get(edited)!, fixtures.sourceFile(edited), next));
      fixtures.setText(edited, texts.get(edited));
      const what = (name: string): string => `${name.slice(dir.length + 1)} after edit ${round + 1} of ${edited.slice(dir.length + 1)}: ${JSON.stringify(texts.get(edited))}`;
      // The edited file first: whether its edit only moved text decides what the others may do.
      check(fixtures, analyzer, edited, what(edited));
      const movedText = analyzer.last.movedText;
      if (movedText) moved++;
      for (const name of names) {
        if (name === edited) continue;
        const mode = check(fixtures, analyzer, name, what(name));
        if (movedText) assert.equal(mode, 'incremental', `${what(name)}: analysed whole, though the edit only moved text`);
      }
    }
    // Some edits are more than trivia (a comment opened inside another, a line break removed where a statement ends without \`;\`): those are analysed whole.
    assert.ok(moved >= rounds * 0.6, `only ${moved} of ${rounds} edits were found to move text only`);
  });

  it('after random declaration edits (signatures, types, unexported declarations), each file equals a whole analysis, the edited file reuses what names nothing changed, and importers that name nothing changed reuse every result', function () {
    this.timeout(300_000);
    const fixtures = new FixtureProgram(names);
    const analyzer = new IncrementalAnalyzer(ts);
    const next = mulberry32(78);
    const short = (name: string): string => name.slice(dir.length + 1);
    const texts = new Map(names.map((name) => [name, PROJECT[short(name)]!]));
    /** Who imports each file (`slots.ts` and `main.ts` import `helpers.ts`, `main.ts` imports `slots.ts`). */
    const importersOf = (name: string): string[] => names.filter((other) => other !== name && texts.get(other)!.includes(`from './${short(name).replace(/\.ts$/, '')}'`));
    for (const name of names) check(fixtures, analyzer, name, `${name} (first analysis)`);
    let importerAnalyses = 0;
    let untouched = 0;
    let declarationEdits = 0;
    let followed = 0;
    let ownReused = 0;
    const rounds = 48;
    for (let round = 0; round < rounds; round++) {
      // Mostly the modules other files import.
      const edited = join(dir, ['helpers.ts', 'helpers.ts', 'slots.ts', 'main.ts'][Math.floor(next() * 4)]!);
      const before = texts.get(edited)!;
      // Every eighth round puts the file back as it was, so the project does not decay into noise.
      const after = round % 8 === 7 ? PROJECT[short(edited)]! : declarationEdit(before, fixtures.sourceFile(edited), next);
      texts.set(edited, after);
      fixtures.setText(edited, after);
      const what = (name: string): string => `${short(name)} after edit ${round + 1} of ${short(edited)}: ${JSON.stringify(changedText(before, after))}`;
      check(fixtures, analyzer, edited, what(edited));
      const own = analyzer.last;
      if (own.mode === 'whole' || own.redeclared) declarationEdits++;
      if (own.redeclared) {
        // Against what a whole analysis of the edited file analyses: fewer regions or vtables is reuse.
        followed++;
        const whole = new IncrementalAnalyzer(ts);
        whole.analyzeFile(fixtures.program, fixtures.sourceFile(edited));
        if (own.analysedRegions.length < whole.last.analysedRegions.length || own.checkedVtables < whole.last.checkedVtables) ownReused++;
      }
      const importers = importersOf(edited);
      for (const name of names) {
        if (name === edited) continue;
        check(fixtures, analyzer, name, what(name));
        if (!importers.includes(name)) continue;
        importerAnalyses++;
        const { mode, analysedRegions, analysedOutside, checkedVtables } = analyzer.last;
        if (mode === 'incremental' && analysedRegions.length === 0 && !analysedOutside && checkedVtables === 0) untouched++;
      }
    }
    assert.ok(declarationEdits >= rounds / 2, `only ${declarationEdits} of ${rounds} edits changed a declaration`);
    // The edited file itself: its declaration edits followed by name, and some of its results reused.
    assert.ok(followed >= declarationEdits / 2, `only ${followed} of ${declarationEdits} declaration edits were followed in the edited file`);
    assert.ok(ownReused >= followed / 4, `only ${ownReused} of ${followed} analyses of the edited file reused a result`);
    console.log(`      (${declarationEdits} declaration edits, ${followed} followed in the edited file, ${ownReused} of those reused results)`);
    // Analysed whole, as they were before declaration-level reuse, they would reuse nothing.
    assert.ok(untouched >= importerAnalyses / 4, `only ${untouched} of ${importerAnalyses} analyses of an importer reused every result`);
  });

  it('with files parsed incrementally, as tsserver does (the old syntax tree moved): each file analysed equals a whole analysis, and comment edits still only move text', function () {
    this.timeout(300_000);
    const project = new IncrementallyParsed(names);
    const analyzer = new IncrementalAnalyzer(ts);
    const next = mulberry32(56);
    // `slots.ts` is edited but never analysed: its earlier versions' skeletons are read only after their trees moved.
    const analysed = names.filter((name) => !name.endsWith('slots.ts'));
    const compare = (name: string, what: string): string => {
      const file = project.sourceFile(name);
      assert.deepEqual(analyzer.analyzeFile(project.program, file), analyzeFile(ts, project.program, file), what);
      return analyzer.last.mode;
    };
    for (const name of analysed) compare(name, `${name} (first analysis)`);
    let moved = 0;
    let trivia = 0;
    for (let round = 0; round < 40; round++) {
      const edited = names[Math.floor(next() * names.length)]!;
      const file = project.sourceFile(edited);
      const before = file.text;
      const { regions: bodies } = skeletonOf(ts, file);
      // Half comment and whitespace edits between declarations, half a statement added at the start of a body.
      const body = bodies[Math.floor(next() * bodies.length)];
      const after = round % 2 === 0 || !body || before[body.start] !== ' ' ? triviaEdit(before, file, next) : `${before.slice(0, body.end - 1)}void ${round};\n${before.slice(body.end - 1)}`;
      project.replaceText(edited, after);
      const what = (name: string): string => `${name.slice(dir.length + 1)} after edit ${round + 1} of ${edited.slice(dir.length + 1)}: ${changedText(before, after)}`;
      for (const name of [edited, ...analysed.filter((other) => other !== edited)]) {
        if (!analysed.includes(name)) continue;
        compare(name, what(name));
        if (name === edited && round % 2 === 0) {
          trivia++;
          if (analyzer.last.movedText) moved++;
        }
      }
    }
    assert.ok(moved >= trivia * 0.6, `only ${moved} of ${trivia} comment and whitespace edits were found to move text only`);
  });
  it('with several edits between analyses, parsed incrementally (versions never analysed, their syntax trees moved more than once): each file analysed equals a whole analysis', function () {
    this.timeout(300_000);
    const project = new IncrementallyParsed(names);
    let analyzer = new IncrementalAnalyzer(ts);
    const next = mulberry32(90);
    const analysed = names.filter((name) => !name.endsWith('other.ts'));
    const compare = (name: string, what: string): void => {
      const file = project.sourceFile(name);
      assert.deepEqual(analyzer.analyzeFile(project.program, file), analyzeFile(ts, project.program, file), what);
    };
    for (let round = 0; round < 60; round++) {
      // Every third round starts afresh: the first analysis is whole and reads no skeleton, so the version of `other.ts` it saw is read only later, moved.
      if (round % 3 === 0) {
        analyzer = new IncrementalAnalyzer(ts);
        for (const name of analysed) compare(name, `${name} (first analysis, round ${round + 1})`);
      }
      const edits: string[] = [];
      for (let count = 2 + Math.floor(next() * 2); count > 0; count--) {
        // Mostly `other.ts`, which is never analysed and whose code no other file reads: the version the last analysis saw is read only now, its tree moved by every later edit.
        const edited = next() < 0.7 ? join(dir, 'other.ts') : names[Math.floor(next() * names.length)]!;
        const file = project.sourceFile(edited);
        const before = file.text;
        const { regions: bodies } = skeletonOf(ts, file);
        const body = bodies[Math.floor(next() * bodies.length)];
        const kind = next();
        const after =
          kind < 0.4 && body && before[body.start] === ' '
            ? `${before.slice(0, body.end - 1)}void ${round};\n${before.slice(body.end - 1)}`
            : kind < 0.7
              ? triviaEdit(before, file, next)
              : declarationEdit(before, file, next);
        project.replaceText(edited, after);
        edits.push(`${edited.slice(dir.length + 1)}: ${changedText(before, after)}`);
      }
      for (const name of analysed) compare(name, `${name.slice(dir.length + 1)} after round ${round + 1}: ${JSON.stringify(edits)}`);
    }
  });
});

/** The stretches of trivia before each declaration of the file (statements, a class's or interface's members) and before the end of the file. */
function gapsBetweenDeclarations(file: ts.SourceFile): { start: number; end: number }[] {
  const gaps: { start: number; end: number }[] = [];
  const visit = (list: readonly ts.Node[]): void => {
    for (const node of list) {
      gaps.push({ start: node.pos, end: node.getStart(file) });
      if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) visit(node.members);
    }
  };
  visit(file.statements);
  gaps.push({ start: file.endOfFileToken.pos, end: file.text.length });
  return gaps;
}

/** Where two texts differ: the length of their common prefix (`start`) and of their common suffix after it (`common`). */
function changedRange(before: string, after: string): { start: number; common: number } {
  let start = 0;
  while (start < Math.min(before.length, after.length) && before[start] === after[start]) start++;
  let common = 0;
  while (common < Math.min(before.length, after.length) - start && before[before.length - 1 - common] === after[after.length - 1 - common]) common++;
  return { start, common };
}

/** Where two texts differ, with a little context (for messages). */
function changedText(before: string, after: string): string {
  const { start, common } = changedRange(before, after);
  return `${before.slice(Math.max(0, start - 20), before.length - common + 10)} => ${after.slice(Math.max(0, start - 20), after.length - common + 10)}`;
}

const TYPE_WORDS = ['Waker', 'WakerRef', 'Context', 'unknown', 'void', 'number', 'Ptr', 'Waker | undefined'];

/**
 * An edit outside every opaque region (a signature, a type, a declaration's
 * head, an import): most often one type word replaced by another, else a
 * random one-character edit there.
 */
function declarationEdit(text: string, file: ts.SourceFile, next: () => number): string {
  const { regions } = skeletonOf(ts, file);
  const outside = (at: number): boolean => !regions.some((region) => region.start <= at && at < region.end);
  const words = [...text.matchAll(/\b(?:Waker|WakerRef|Context|unknown|void|number|Ptr)\b/g)].filter((match) => outside(match.index));
  if (words.length > 0 && next() < 0.6) {
    const word = words[Math.floor(next() * words.length)]!;
    return text.slice(0, word.index) + TYPE_WORDS[Math.floor(next() * TYPE_WORDS.length)]! + text.slice(word.index + word[0].length);
  }
  for (;;) {
    const at = Math.floor(next() * text.length);
    if (outside(at)) return edit(text, at, next);
  }
}

const TRIVIA = [' ', '\n', '\n\n', '// a note\n', '/* a note */ ', '/** Docs. */\n'];

/** A comment or whitespace inserted into a random gap between declarations, or one whitespace character of one deleted. */
function triviaEdit(text: string, file: ts.SourceFile, next: () => number): string {
  const gaps = gapsBetweenDeclarations(file);
  const gap = gaps[Math.floor(next() * gaps.length)]!;
  const at = gap.start + Math.floor(next() * (gap.end - gap.start + 1));
  if (next() < 0.25 && at < gap.end && /\s/.test(text[at]!)) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + TRIVIA[Math.floor(next() * TRIVIA.length)]! + text.slice(at);
}

/**
 * A program whose files are edited as tsserver edits an open file: parsed
 * incrementally from the last version (`ts.updateSourceFile`), which moves
 * the old syntax tree's nodes to their new positions.
 */
class IncrementallyParsed {
  private readonly files = new Map<string, ts.SourceFile>();
  private readonly host: ts.CompilerHost;
  program: ts.Program;

  constructor(private readonly rootNames: readonly string[], private readonly options = repoCompilerOptions()) {
    const base = ts.createCompilerHost(options, true);
    this.host = {
      ...base,
      getSourceFile: (fileName, languageVersion, onError, shouldCreate) => {
        const known = this.files.get(fileName);
        if (known) return known;
        const file = base.getSourceFile(fileName, languageVersion, onError, shouldCreate);
        if (file) this.files.set(fileName, file);
        return file;
      },
    };
    this.program = ts.createProgram({ rootNames, options, host: this.host });
  }

  sourceFile(fileName: string): ts.SourceFile {
    return this.program.getSourceFile(fileName)!;
  }

  /** The file's text becomes `text`, as one edit of the stretch where they differ (tsserver's change for a keystroke). */
  replaceText(fileName: string, text: string): void {
    const old = this.sourceFile(fileName);
    const { start, common } = changedRange(old.text, text);
    const span = { start, length: old.text.length - common - start };
    this.files.set(old.fileName, ts.updateSourceFile(old, text, { span, newLength: text.length - common - start }));
    this.program = ts.createProgram({ rootNames: this.rootNames, options: this.options, host: this.host, oldProgram: this.program });
  }
}

/** That the last analysis followed the file's own declaration edit, analysing again (where given) exactly these regions, this many vtables, and the units outside every region or not. */
function assertRedeclared(stats: IncrementalStats, expected: { analysedRegions?: readonly number[]; checkedVtables?: number; analysedOutside?: boolean }, what: string): void {
  const actual: Record<string, unknown> = { mode: stats.mode, redeclared: stats.redeclared };
  for (const key of Object.keys(expected) as (keyof typeof expected)[]) actual[key] = stats[key];
  assert.deepEqual(actual, { mode: 'incremental', redeclared: true, ...expected }, what);
}

/** That the last analysis reused every result of the file: no region, no unit outside them, no vtable analysed again. */
function assertUntouched(stats: IncrementalStats, what: string): void {
  assert.deepEqual({ mode: stats.mode, analysedRegions: stats.analysedRegions, analysedOutside: stats.analysedOutside, checkedVtables: stats.checkedVtables }, { mode: 'incremental', analysedRegions: [], analysedOutside: false, checkedVtables: 0 }, `${what}: analysed something again`);
}

describe('incremental analysis: skeleton edits in a project, every file compared', function () {
  this.timeout(SEVERAL_PROGRAMS_TIMEOUT_MS);
  let dir: string;
  let names: string[];
  before(() => ({ dir, names } = writeProject('wakerscope-incremental-skeleton-')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Edits in turn, each `from` → `to` in one file; `reused`: the files that
   * must not have been analysed whole after it; `untouched`: those that must
   * have analysed nothing at all (reused every result).
   */
  const ALL = ['helpers.ts', 'slots.ts', 'main.ts', 'other.ts', 'globals.ts'];
  const EDITS: { file: string; from: string; to: string; reused?: readonly string[]; untouched?: readonly string[] }[] = [
    // Comments and whitespace between declarations: nothing any file reads changed, text only moved (in a module two files import).
    { file: 'helpers.ts', from: 'export function release(', to: '// Releases the waker it is given.\nexport function release(', reused: ALL },
    { file: 'helpers.ts', from: '  park(w: Waker): void {', to: '\n  /* parks */ park(w: Waker): void {', reused: ALL },
    { file: 'main.ts', from: 'export class Parked', to: '\n\nexport class Parked', reused: ALL },
    { file: 'helpers.ts', from: '// Releases the waker it is given.\n', to: '', reused: ALL },
    // A comment inside a declaration, or one that makes a signature untrusted (`typeof`): analysed whole where it may matter.
    { file: 'slots.ts', from: 'export function retain(ptr: Ptr): void {', to: 'export function retain(ptr: Ptr /* pointer */): void {', reused: ['helpers.ts', 'other.ts', 'globals.ts'] },
    { file: 'helpers.ts', from: 'export function count(', to: '// typeof nothing\nexport function count(', reused: ['other.ts', 'globals.ts'] },
    { file: 'helpers.ts', from: '// typeof nothing\n', to: '', reused: ['other.ts', 'globals.ts'] },
    // Initializers no declaration takes its type from: other files reuse everything.
    { file: 'helpers.ts', from: 'export const LIMIT: number = 3;', to: 'export const LIMIT: number = 4;', reused: ['helpers.ts', 'slots.ts', 'main.ts', 'other.ts'] },
    { file: 'helpers.ts', from: '  parked = 0;', to: '  parked = 10;', reused: ['helpers.ts', 'slots.ts', 'main.ts', 'other.ts'] },
    { file: 'helpers.ts', from: 'waker: Waker | undefined = undefined;', to: 'waker: Waker | undefined = Waker.noop();', reused: ['helpers.ts', 'slots.ts', 'main.ts', 'other.ts'] },
    { file: 'helpers.ts', from: '    w.wake();\n  };', to: '    w.wake();\n    w.wakeByRef();\n  };', reused: ['helpers.ts', 'slots.ts', 'main.ts', 'other.ts'] },
    { file: 'helpers.ts', from: 'const SPINS = 2;', to: 'const SPINS = 3;', reused: ['helpers.ts', 'slots.ts', 'main.ts', 'other.ts'] },
    // What a declaration's type is taken from, signatures, imports and exports: analysed whole where they may matter.
    { file: 'helpers.ts', from: '  parked = 10;', to: "  parked = 'ten';" },
    // Declaration edits: only the files that name a changed declaration (through imports, and the declarations those name) see it,
    // and only the regions that name one, or the skeleton (whole), are analysed again. `main.ts` imports from `helpers.ts`, not `release`'s signature's
    // readers only: its other bodies read `release`'s, `keep`'s and `wakeAfter`'s bodies, unchanged, under new region numbers.
    { file: 'helpers.ts', from: 'export function release(w: Waker): void {', to: 'export function release(w: Waker | undefined): void {', reused: ['slots.ts', 'main.ts', 'other.ts', 'globals.ts'], untouched: ['slots.ts', 'other.ts', 'globals.ts'] },
    // A declaration without a body is read through its type alone (here `main.ts` no longer moves its waker into `consume`).
    { file: 'helpers.ts', from: 'export declare function consume(w: Waker): void;', to: 'export declare function consume(w: unknown): void;', reused: ['slots.ts', 'main.ts', 'other.ts', 'globals.ts'], untouched: ['slots.ts', 'other.ts', 'globals.ts'] },
    // An unexported declaration that an exported one names (`consumeOwned`'s parameter type, `parking`'s result type): `main.ts` sees it.
    { file: 'helpers.ts', from: 'type Owned = Waker;', to: 'type Owned = unknown;', reused: ['slots.ts', 'main.ts', 'other.ts', 'globals.ts'], untouched: ['slots.ts', 'other.ts', 'globals.ts'] },
    { file: 'helpers.ts', from: '  park(w: Waker): void;\n}', to: '  park(w: unknown): void;\n}', reused: ['slots.ts', 'main.ts', 'other.ts', 'globals.ts'], untouched: ['slots.ts', 'other.ts', 'globals.ts'] },
    // Declarations no other file names: nothing else is analysed again.
    { file: 'helpers.ts', from: 'function spinsFor(w: Waker): number {', to: 'function spinsFor(w: Waker | undefined): number {', untouched: ['slots.ts', 'main.ts', 'other.ts', 'globals.ts'] },
    { file: 'helpers.ts', from: 'export function spin(w: Waker): void {', to: 'export function spin(w: Waker, times: number): void {', untouched: ['slots.ts', 'main.ts', 'other.ts', 'globals.ts'] },
    { file: 'main.ts', from: 'export function handOff(waker: Waker): void {', to: 'export function handOff(waker: Waker, times = 1): void {', untouched: ['helpers.ts', 'slots.ts', 'other.ts', 'globals.ts'] },
    { file: 'main.ts', from: "import { consume, keep, release, wakeAfter, Slot } from './helpers';", to: "import { consume, keep, release, wakeAfter, type Slot } from './helpers';", untouched: ['helpers.ts', 'slots.ts', 'other.ts', 'globals.ts'] },
    // `main.ts` imports from `slots.ts` but not `budget` (its vtable is checked again: its findings point into `slots.ts`, whose text moved).
    { file: 'slots.ts', from: 'export function budget(n: number): number {', to: 'function budget(n: number): number {', reused: ['main.ts'], untouched: ['helpers.ts', 'other.ts', 'globals.ts'] },
    { file: 'other.ts', from: 'export function leak(', to: '// a comment\nexport const extra: number = 1;\nexport function leak(', untouched: ['helpers.ts', 'slots.ts', 'main.ts', 'globals.ts'] },
    // A script's declarations are global: every file may see them (here `other.ts` no longer moves its waker into `handBack`).
    { file: 'globals.ts', from: 'declare function handBack(waker: ', to: 'declare function handBack(waker: unknown, _: ' },
    { file: 'main.ts', from: 'export const VTABLE = new RawWakerVTable(', to: 'export const VTABLE: RawWakerVTable = new RawWakerVTable(', untouched: ['helpers.ts', 'slots.ts', 'other.ts', 'globals.ts'] },
    { file: 'main.ts', from: 'export const VTABLE: RawWakerVTable = new RawWakerVTable(mainClone, wakeSlot, wakeByRefSlot, dropSlot);', to: 'export const VTABLE: RawWakerVTable = new RawWakerVTable(mainClone, wakeSlot, wakeSlot, dropSlot);', reused: ['helpers.ts', 'slots.ts', 'other.ts'] },
    { file: 'helpers.ts', from: 'export const LIMIT: number = 4;', to: 'export const LIMIT: number = count(1);' },
  ];

  it('after each, every file analysed again equals a whole analysis, and the edits no declaration sees reuse results', function () {
    this.timeout(300_000);
    const fixtures = new FixtureProgram(names);
    const analyzer = new IncrementalAnalyzer(ts);
    const texts = new Map(names.map((name) => [name, PROJECT[name.slice(dir.length + 1)]!]));
    for (const name of names) check(fixtures, analyzer, name, `${name} (first analysis)`);
    EDITS.forEach(({ file, from, to, reused = [], untouched = [] }, round) => {
      const edited = join(dir, file);
      const text = texts.get(edited)!;
      assert.ok(text.includes(from), `edit ${round + 1}: ${file} has no '${from}'`);
      texts.set(edited, text.replace(from, to));
      fixtures.setText(edited, texts.get(edited));
      for (const name of names) {
        const short = name.slice(dir.length + 1);
        const mode = check(fixtures, analyzer, name, `${short} after edit ${round + 1} (${file}: ${to.trim()})`);
        if (reused.includes(short) || untouched.includes(short)) assert.equal(mode, 'incremental', `${short} after edit ${round + 1} (${file}: ${to.trim()}) was analysed whole`);
        if (untouched.includes(short)) assertUntouched(analyzer.last, `${short} after edit ${round + 1} (${file}: ${to.trim()})`);
      }
    });
  });
});


/** A correct Arc vtable's `wake`, `wakeByRef` and `drop` slots and the vtable, after a `myClone` that takes a count. */
const ARC_RELEASING_SLOTS = `function myWake(ptr: Ptr): void {
  drop(Arc.fromRaw<number>(ptr));
}
function myWakeByRef(ptr: Ptr): void {
  forget(Arc.fromRaw<number>(ptr));
}
function myDrop(ptr: Ptr): void {
  drop(Arc.fromRaw<number>(ptr));
}
export const VTABLE = new RawWakerVTable(myClone, myWake, myWakeByRef, myDrop);
`;

/** A correct Arc vtable whose `clone` slot calls `cloneWith` from another module (the scenarios import it). */
const SLOTS_CLONING_WITH_HELPER = `function myClone(ptr: Ptr): RawWaker {
  return cloneWith(ptr, VTABLE);
}
${ARC_RELEASING_SLOTS}`;

/** A caller whose finding depends on what a helper in another file does to the waker it is handed. */
const HAND_OFF: Record<string, string> = {
  'main.ts': `import { Waker } from 'wakerscope/waker';
import { release } from './helpers';
export function handOff(waker: Waker): void {
  release(waker);
  waker.wakeByRef();
}
`,
  'helpers.ts': `import { Waker } from 'wakerscope/waker';
export function release(w: Waker): void {
  w.drop();
}
`,
};

describe('incremental analysis: what an edit invalidates', function () {
  this.timeout(SEVERAL_PROGRAMS_TIMEOUT_MS);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wakerscope-incremental-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Write `files`, analyse `main.ts`, apply `change` to it (or to another file), analyse again: both compared with a whole analysis. */
  function scenario(files: Record<string, string>, change: { file?: string; from: string; to: string }): { before: readonly Finding[]; after: readonly Finding[]; mode: string; stats: IncrementalStats } {
    const names = Object.keys(files).map((name) => join(dir, name));
    Object.entries(files).forEach(([name, text]) => writeFileSync(join(dir, name), text));
    const main = join(dir, 'main.ts');
    // Every file a root: a file that imports main.ts is part of the program too.
    const fixtures = new FixtureProgram(names);
    const analyzer = new IncrementalAnalyzer(ts);
    check(fixtures, analyzer, main, 'before the edit');
    const before = analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(main));
    const target = join(dir, change.file ?? 'main.ts');
    const text = files[change.file ?? 'main.ts']!;
    assert.ok(text.includes(change.from), `the scenario's text has no '${change.from}'`);
    fixtures.setText(target, text.replace(change.from, change.to));
    const mode = check(fixtures, analyzer, main, 'after the edit');
    const stats = analyzer.last;
    const after = analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(main));
    names.forEach((name) => rmSync(name, { force: true }));
    return { before, after, mode, stats };
  }

  const rules = (findings: readonly Finding[]): string[] => findings.map((f) => f.rule);

  const VTABLE = `import { Arc, RawWaker, RawWakerVTable, drop, forget, type Ptr } from 'wakerscope/waker';
function retain(ptr: Ptr): void {
  Arc.incrementStrongCount(ptr);
}
function myClone(ptr: Ptr): RawWaker {
  retain(ptr);
  return new RawWaker(ptr, VTABLE);
}
${ARC_RELEASING_SLOTS}`;

  it("an edit in a slot function's body re-checks the vtable built elsewhere in the file", () => {
    const result = scenario({ 'main.ts': VTABLE }, { from: '  retain(ptr);\n  return', to: '  return' });
    assert.deepEqual(rules(result.before), []);
    assert.deepEqual(rules(result.after), ['vtable-clone-no-retain']);
    assert.equal(result.mode, 'incremental');
  });

  it('an edit in a helper the clone slot calls re-checks the vtable too', () => {
    const result = scenario({ 'main.ts': VTABLE }, { from: 'Arc.incrementStrongCount(ptr);', to: 'void ptr;' });
    assert.deepEqual(rules(result.after), ['vtable-clone-no-retain']);
    assert.equal(result.mode, 'incremental');
  });

  it('an edit that shifts later code moves the findings after it', () => {
    const buggy = VTABLE.replace('  retain(ptr);\n', '');
    const result = scenario({ 'main.ts': buggy }, { from: 'drop(Arc.fromRaw<number>(ptr));\n}\nfunction myWakeByRef', to: 'drop(Arc.fromRaw<number>(ptr)); // a longer line\n}\nfunction myWakeByRef' });
    assert.deepEqual(rules(result.after), ['vtable-clone-no-retain']);
    assert.notDeepEqual(result.after[0]!.related.map((r) => r.start), result.before[0]!.related.map((r) => r.start));
    assert.equal(result.mode, 'incremental');
  });

  it('a wake slot that stops releasing its handle is one finding, the vtable rule\'s (the flow leak it explains is left out)', () => {
    const result = scenario({ 'main.ts': VTABLE }, { from: '  drop(Arc.fromRaw<number>(ptr));\n}\nfunction myWakeByRef', to: '  const arc = Arc.fromRaw<number>(ptr);\n  arc.value;\n}\nfunction myWakeByRef' });
    assert.deepEqual(rules(result.after), ['vtable-wake-no-release']);
    assert.equal(result.mode, 'incremental');
  });

  it('an edit in another slot that takes the explanation away brings the flow leak back', () => {
    // `myWake` keeps its handle; after the edit `myDrop` does too. The vtable rule then blames `myDrop` (against `myClone`'s
    // count) and no longer `myWake`, which agrees with `myDrop`: `myWake`'s kept handle is the flow rule's leak again.
    const keeps = VTABLE.replace('  drop(Arc.fromRaw<number>(ptr));\n}\nfunction myWakeByRef', '  const arc = Arc.fromRaw<number>(ptr);\n  arc.value;\n}\nfunction myWakeByRef');
    const result = scenario({ 'main.ts': keeps }, { from: 'function myDrop(ptr: Ptr): void {\n  drop(Arc.fromRaw<number>(ptr));', to: 'function myDrop(ptr: Ptr): void {\n  const arc = Arc.fromRaw<number>(ptr);\n  arc.value;' });
    assert.deepEqual(rules(result.before), ['vtable-wake-no-release']);
    assert.deepEqual(rules(result.after), ['clone-without-drop', 'vtable-drop-no-release']);
    assert.match(result.after[0]!.message, /`arc` is never dropped/);
    assert.equal(result.mode, 'incremental');
  });

  it('a comment or blank lines between declarations move the findings after them, analysing nothing', () => {
    const buggy = VTABLE.replace('  retain(ptr);\n', '');
    for (const to of ['// The wake slot.\nfunction myWake(', '\n\nfunction myWake(', '/** The wake slot. */ function myWake(']) {
      const result = scenario({ 'main.ts': buggy }, { from: 'function myWake(', to });
      assert.deepEqual(rules(result.after), ['vtable-clone-no-retain'], to);
      assert.notDeepEqual(result.after[0]!.related.map((r) => r.start), result.before[0]!.related.map((r) => r.start), to);
      assert.equal(result.mode, 'incremental', to);
      assert.equal(result.stats.movedText, true, to);
      assert.deepEqual(result.stats.analysedRegions, [], to);
      assert.equal(result.stats.analysedOutside, false, to);
      assert.equal(result.stats.checkedVtables, to.startsWith('/**') ? 1 : 0, `${to}: only a finding on the edited line is found again`);
    }
  });

  it('a comment inside a declaration changes it (what names it is analysed again); a `@ts-…` or `///` directive between declarations only moves text (they change no type)', () => {
    const inside = scenario({ 'main.ts': VTABLE }, { from: 'function retain(ptr: Ptr): void {', to: 'function retain(ptr: Ptr /* a pointer */): void {' });
    // A function's signature holds no code outside its body: the top level's results are kept.
    assertRedeclared(inside.stats, { analysedRegions: [0, 1], checkedVtables: 1, analysedOutside: false }, 'retain, myClone which calls it, the vtable');
    assert.equal(scenario({ 'main.ts': VTABLE }, { from: 'function myWake(', to: '// @ts-ignore\nfunction myWake(' }).stats.movedText, true);
    assert.equal(scenario({ 'main.ts': VTABLE }, { from: 'function myWake(', to: '/// <reference types="node" />\nfunction myWake(' }).stats.movedText, true);
    // `typeof` in a comment before a function makes its signature untrusted, its body no longer opaque (code outside every region): the regions changed.
    assertRedeclared(scenario({ 'main.ts': VTABLE }, { from: 'function myWake(', to: '// typeof\nfunction myWake(' }).stats, { checkedVtables: 1 }, 'the vtable whose wake slot it is');
  });

  it('a `@jsx` pragma edited at the top of a .tsx file re-analyses it: what its JSX elements are changed', () => {
    const files = {
      'view.tsx': `/** @jsx wakerOf */
import { wakerOf, plainOf } from './factories';
export function keep(): void {
  const copy: typeof element = element;
  copy.clone();
}
const element = <task />;
`,
      'factories.ts': `import { Waker } from 'wakerscope/waker';
export declare function wakerOf(...args: unknown[]): Waker;
export declare namespace wakerOf { namespace JSX { type Element = Waker; interface IntrinsicElements { task: {} } } }
export declare function plainOf(...args: unknown[]): number;
export declare namespace plainOf { namespace JSX { type Element = number; interface IntrinsicElements { task: {} } } }
`,
    };
    const names = Object.keys(files).map((name) => join(dir, name));
    Object.entries(files).forEach(([name, text]) => writeFileSync(join(dir, name), text));
    const view = join(dir, 'view.tsx');
    const fixtures = new FixtureProgram(names, { ...repoCompilerOptions(), jsx: ts.JsxEmit.React });
    const analyzer = new IncrementalAnalyzer(ts);
    check(fixtures, analyzer, view, 'before the edit');
    assert.deepEqual(rules(analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(view))), ['clone-without-drop'], 'the element is a Waker');
    fixtures.setText(view, files['view.tsx'].replace('@jsx wakerOf', '@jsx plainOf'));
    assert.equal(check(fixtures, analyzer, view, 'after the pragma edit'), 'whole');
    assert.deepEqual(rules(analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(view))), [], 'the element is a number');
    names.forEach((name) => rmSync(name, { force: true }));
  });

  it('a line break removed where a statement ends without `;` changes the statements (they join): the top level is analysed again', () => {
    const source = VTABLE.replace('export const VTABLE', 'let spins = 0\nspins++\nexport const VTABLE');
    const result = scenario({ 'main.ts': source }, { from: 'let spins = 0\nspins++', to: 'let spins = 0 spins++' });
    assertRedeclared(result.stats, { analysedRegions: [], checkedVtables: 0, analysedOutside: true }, 'nothing names `spins`; the top level runs the statements');
  });

  it('a line break added after a word that can end a statement changes the declaration (`type\\nOwned = Waker` is two expressions, no type): what names it is analysed again', () => {
    const source = `import { Waker } from 'wakerscope/waker';
type Owned = Waker;
export function twice(w: Owned): void {
  w.wake();
  w.wake();
}
`;
    const result = scenario({ 'main.ts': source }, { from: 'type Owned', to: 'type\nOwned' });
    assert.deepEqual(rules(result.before), ['use-after-wake']);
    assert.deepEqual(rules(result.after), []);
    assertRedeclared(result.stats, { analysedRegions: [0] }, '`twice`, which names `Owned`');
  });

  it('a comment in an imported module leaves the findings of the file that imports it as they were', () => {
    const result = scenario(HAND_OFF, { file: 'helpers.ts', from: 'export function release(', to: '/** Drops the waker. */\nexport function release(' });
    assert.deepEqual(rules(result.after), ['use-after-drop']);
    assert.equal(result.mode, 'incremental');
    assert.equal(result.stats.unchanged, true);
  });

  it('removing a return type annotation changes the declaration (the body now types the function): its callers and the vtable are analysed again', () => {
    const result = scenario({ 'main.ts': VTABLE }, { from: 'function retain(ptr: Ptr): void {', to: 'function retain(ptr: Ptr) {' });
    assertRedeclared(result.stats, { analysedRegions: [0], checkedVtables: 1 }, '`myClone`, which calls it, and the vtable');
  });

  it("an unannotated function's body is part of the skeleton: editing it changes the declaration, what names it is analysed again", () => {
    const source = `import { RawWaker, Waker, type Ptr, type RawWakerVTable } from 'wakerscope/waker';
function make(ptr: Ptr, vtable: RawWakerVTable) {
  return new RawWaker(ptr, vtable);
}
export function twice(ptr: Ptr, vtable: RawWakerVTable): Waker {
  const raw = make(ptr, vtable);
  Waker.fromRaw(raw).drop();
  return Waker.fromRaw(raw);
}
`;
    const result = scenario({ 'main.ts': source }, { from: '  return new RawWaker(ptr, vtable);', to: '  return 0;' });
    assert.deepEqual(rules(result.before), ['use-after-move']);
    assertRedeclared(result.stats, { analysedRegions: [0] }, '`twice`, which calls it');
  });

  it('a body that mentions a module-level `let` re-analyses the whole file (closures narrow it unless assigned anywhere)', () => {
    const source = `import { Waker } from 'wakerscope/waker';
let calls = 0;
export function park(waker: Waker): void {
  calls++;
  waker.drop();
}
export function count(n: number): number {
  return n + 1;
}
`;
    const inside = scenario({ 'main.ts': source }, { from: 'calls++;', to: 'calls += 2;' });
    assert.equal(inside.mode, 'whole');
    const elsewhere = scenario({ 'main.ts': source }, { from: 'return n + 1;', to: 'return n + 2;' });
    assert.equal(elsewhere.mode, 'incremental');
  });

  it('a body that mentions a module-level `const` array re-analyses the whole file (a loop over it is entered unless some code may empty it)', () => {
    const source = `import { Waker } from 'wakerscope/waker';
const ITEMS = [1, 2];
export function dropInLoop(waker: Waker): void {
  const copy = waker.clone();
  for (const item of ITEMS) {
    copy.drop();
    break;
  }
}
export function other(n: number): number {
  return n + 1;
}
`;
    const result = scenario({ 'main.ts': source }, { from: '  return n + 1;', to: '  ITEMS.pop();\n  return n + 1;' });
    assert.deepEqual(rules(result.before), []);
    assert.deepEqual(rules(result.after), ['clone-without-drop']);
    assert.equal(result.mode, 'whole');
  });

  const INITIALIZERS = `import { Waker } from 'wakerscope/waker';
const RETRIES = 3;
export const LIMIT: number = 10;
export class Parker {
  wakeups = 0;
  label: string = 'parker';
  readonly onWake: (w: Waker) => void = (w: Waker) => {
    w.wake();
  };
  park(waker: Waker): void {
    for (let i = 0; i < RETRIES; i++) waker.wakeByRef();
    waker.drop();
  }
  count(n: number): number {
    return n + LIMIT;
  }
  other(n: number): number {
    return n;
  }
}
`;

  it("an edit to a class property's initializer that no declaration takes its type from re-analyses nothing", () => {
    for (const [from, to] of [['wakeups = 0;', 'wakeups = 12;'], ["label: string = 'parker';", "label: string = 'parked';"]]) {
      const result = scenario({ 'main.ts': INITIALIZERS }, { from: from!, to: to! });
      assert.equal(result.mode, 'incremental', to);
      assert.deepEqual(result.stats.analysedRegions, [], to);
      assert.equal(result.stats.analysedOutside, false, to);
    }
    // The literal's kind is the property's type: the class changed, its code is analysed again.
    assertRedeclared(scenario({ 'main.ts': INITIALIZERS }, { from: 'wakeups = 0;', to: "wakeups = 'none';" }).stats, { analysedRegions: [4, 5] }, 'the class');
    assertRedeclared(scenario({ 'main.ts': INITIALIZERS }, { from: 'wakeups = 0;', to: 'wakeups = [0];' }).stats, { analysedRegions: [3, 4] }, 'the class (its first region, the literal, gone)');
  });

  it("a property initializer holding waker code is analysed again alone", () => {
    const result = scenario({ 'main.ts': INITIALIZERS }, { from: '    w.wake();\n  };', to: '    w.wake();\n    w.wakeByRef();\n  };' });
    assert.deepEqual(rules(result.before), []);
    assert.deepEqual(rules(result.after), ['use-after-wake']);
    assert.equal(result.mode, 'incremental');
    assert.equal(result.stats.analysedRegions.length, 1);
    assert.equal(result.stats.analysedOutside, false);
  });

  it('an edit that adds a line re-analyses the findings whose message names a line after it', () => {
    const source = `import { type Waker } from 'wakerscope/waker';
interface Waiter {
  cancelled: boolean;
  waker: Waker;
}
export class Channel {
  private readonly waiters: Waiter[] = [];
  close(): void {
    for (const { waker, cancelled } of this.waiters.splice(0)) {
      if (cancelled) continue;
      waker.wake();
    }
  }
}
`;
    const result = scenario({ 'main.ts': source }, { from: 'Waiter[] = [];', to: 'Waiter[] = [\n  ];' });
    assert.match(result.before[0]!.message, /continues at line 10/);
    assert.match(result.after[0]!.message, /continues at line 11/);
    assert.equal(result.mode, 'incremental');
    assert.equal(result.stats.analysedRegions.length, 1, 'close() is analysed again, its message names a line');
  });

  it("an edit to a module-level const's initializer re-analyses the top level and the code that names it", () => {
    const annotated = scenario({ 'main.ts': INITIALIZERS }, { from: 'LIMIT: number = 10;', to: 'LIMIT: number = 20;' });
    assert.equal(annotated.mode, 'incremental');
    assert.equal(annotated.stats.analysedOutside, true);
    assert.equal(annotated.stats.changedRegions, 2, 'the initializer and `count`, which names it');
    const local = scenario({ 'main.ts': INITIALIZERS }, { from: 'const RETRIES = 3;', to: 'const RETRIES = 0;' });
    assert.equal(local.mode, 'incremental');
    assert.equal(local.stats.changedRegions, 2, 'the initializer and `park`, which names it');
    // Exported without a type, its initializer is its type, which other files see: a declaration edit, `park` names it.
    const exported = INITIALIZERS.replace('const RETRIES = 3;', 'export const RETRIES = 3;');
    assertRedeclared(scenario({ 'main.ts': exported }, { from: 'const RETRIES = 3;', to: 'const RETRIES = 0;' }).stats, { analysedRegions: [4] }, '`park`');
    // Named in the skeleton (a type, a property), what it initializes may reach any code: here the class's.
    const named = INITIALIZERS.replace('  wakeups = 0;', '  wakeups: typeof RETRIES = RETRIES;');
    assertRedeclared(scenario({ 'main.ts': named }, { from: 'const RETRIES = 3;', to: 'const RETRIES = 0;' }).stats, { analysedRegions: [4, 5] }, 'the class');
  });

  it('a module-level waker captured by functions makes every body edit re-analyse the whole file', () => {
    const source = `import { Waker } from 'wakerscope/waker';
const shared = Waker.noop().clone();
export function wakeShared(): void {
  shared.wakeByRef();
}
export function count(n: number): number {
  return n + 1;
}
`;
    const result = scenario({ 'main.ts': source }, { from: 'return n + 1;', to: 'return n + 2;' });
    assert.equal(result.mode, 'whole');
  });

  it("an edit to another file's vtable that stops explaining a leak here reports the leak (this file unchanged, and nothing it read: the edit is inside an annotated const's initializer)", () => {
    const slots = `import { Arc, RawWaker, drop, forget, type Ptr } from 'wakerscope/waker';
import { VTABLE } from './vtable';
export function cloneSlot(ptr: Ptr): RawWaker {
  Arc.incrementStrongCount(ptr);
  return new RawWaker(ptr, VTABLE);
}
export function keepingWake(ptr: Ptr): void {
  const arc = Arc.fromRaw<number>(ptr);
  arc.value;
}
export function wakeByRefSlot(ptr: Ptr): void {
  forget(Arc.fromRaw<number>(ptr));
}
export function dropSlot(ptr: Ptr): void {
  drop(Arc.fromRaw<number>(ptr));
}
`;
    const vtable = `import { RawWakerVTable } from 'wakerscope/waker';
import { cloneSlot, dropSlot, keepingWake, wakeByRefSlot } from './main';
export const VTABLE: RawWakerVTable = new RawWakerVTable(cloneSlot, keepingWake, wakeByRefSlot, dropSlot);
`;
    // The vtable's report explains the wake slot's kept handle (one problem, one finding: not here); with \`dropSlot\` as its wake slot, \`keepingWake\` is a plain leak.
    const result = scenario({ 'main.ts': slots, 'vtable.ts': vtable }, { file: 'vtable.ts', from: '(cloneSlot, keepingWake,', to: '(cloneSlot, dropSlot,' });
    assert.deepEqual(rules(result.before), []);
    assert.deepEqual(rules(result.after), ['clone-without-drop']);
    assert.equal(result.mode, 'incremental');
  });

  it("an edit in a helper's body in another file re-checks only the vtable that read it", () => {
    const slots = `import { Arc, RawWaker, type Ptr, type RawWakerVTable } from 'wakerscope/waker';
export function cloneWith(ptr: Ptr, vtable: RawWakerVTable): RawWaker {
  Arc.incrementStrongCount(ptr);
  return new RawWaker(ptr, vtable);
}
`;
    const main = `import { Arc, RawWaker, RawWakerVTable, drop, forget, type Ptr } from 'wakerscope/waker';
import { cloneWith } from './slots';
${SLOTS_CLONING_WITH_HELPER}`;
    const result = scenario({ 'main.ts': main, 'slots.ts': slots }, { file: 'slots.ts', from: '  Arc.incrementStrongCount(ptr);\n', to: '' });
    assert.deepEqual(rules(result.before), []);
    assert.deepEqual(rules(result.after), ['vtable-clone-no-retain']);
    assert.equal(result.mode, 'incremental');
    assert.equal(result.stats.changedFiles, 1);
    assert.equal(result.stats.checkedVtables, 1);
    assert.deepEqual(result.stats.analysedRegions, []);
  });

  const HELPERS = `import { Waker, type Context, type Future, Poll } from 'wakerscope/waker';
function release(w: Waker): void {
  w.drop();
}
function keep(cx: Context, into: Waker[]): void {
  into.push(cx.waker().clone());
}
export function handOff(waker: Waker): void {
  release(waker);
  waker.wakeByRef();
}
export function unrelated(waker: Waker): void {
  waker.wake();
}
export class Parked implements Future<void> {
  readonly wakers: Waker[] = [];
  poll(cx: Context): Poll<void> {
    keep(cx, this.wakers);
    return Poll.pending();
  }
}
`;

  it("an edit in a helper's body re-checks its callers in the same file", () => {
    const result = scenario({ 'main.ts': HELPERS }, { from: '  w.drop();', to: '  void w;' });
    assert.deepEqual(rules(result.before), ['use-after-drop']);
    assert.deepEqual(rules(result.after), []);
    assert.equal(result.mode, 'incremental');
  });

  it("an edit in a registering helper's body re-checks the poll that calls it", () => {
    const result = scenario({ 'main.ts': HELPERS }, { from: '  into.push(cx.waker().clone());', to: '  void into;' });
    assert.deepEqual(rules(result.before), ['use-after-drop']);
    assert.deepEqual(rules(result.after), ['use-after-drop', 'lost-wakeup']);
    assert.equal(result.mode, 'incremental');
  });

  it("an edit in another file's body that nothing here read re-analyses nothing", () => {
    const helpers = `import { Arc, RawWaker, Waker, type Ptr, type RawWakerVTable } from 'wakerscope/waker';
export function release(w: Waker): void {
  w.drop();
}
export function cloneWith(ptr: Ptr, vtable: RawWakerVTable): RawWaker {
  Arc.incrementStrongCount(ptr);
  return new RawWaker(ptr, vtable);
}
export function count(n: number): number {
  return n + 1;
}
`;
    const main = `import { Arc, RawWaker, RawWakerVTable, Waker, drop, forget, type Ptr } from 'wakerscope/waker';
import { cloneWith, count, release } from './helpers';
export function handOff(waker: Waker): void {
  release(waker);
  waker.wakeByRef();
}
export function total(n: number): number {
  return count(n) + 1;
}
${SLOTS_CLONING_WITH_HELPER}`;
    const files = { 'main.ts': main, 'helpers.ts': helpers };
    const unread = scenario(files, { file: 'helpers.ts', from: '  return n + 1;', to: '  return n + 2;' });
    assert.deepEqual(rules(unread.after), ['use-after-drop']);
    assert.equal(unread.mode, 'incremental');
    assert.equal(unread.stats.changedFiles, 1);
    assert.deepEqual(unread.stats.analysedRegions, [], 'no body here read `count` (a call of it reads its signature only)');
    assert.equal(unread.stats.checkedVtables, 0);

    // A declaration this file names changed: the body naming it is analysed again, the one calling `release` (unchanged) is not.
    const signature = scenario(files, { file: 'helpers.ts', from: 'export function count(n: number): number {', to: 'export function count(n: number, m = 1): number {' });
    assert.equal(signature.mode, 'incremental');
    assert.equal(signature.stats.changedRegions, 1, 'only `total`, whose body names `count`');
    assert.deepEqual(signature.stats.analysedRegions, [], "not `handOff`, though it read `release`'s body (the same text, now elsewhere)");
    assert.equal(signature.stats.analysedOutside, false);
    assert.equal(signature.stats.checkedVtables, 0);
  });

  it("a script's global declaration that names a module's type sees that module's edits, in a file that imports neither", () => {
    const files = {
      'main.ts': `import { Waker } from 'wakerscope/waker';
export function giveBack(waker: Waker): void {
  handBack(waker);
  waker.wakeByRef();
}
`,
      'handle.ts': `import { Waker } from 'wakerscope/waker';
export type Handle = Waker;
`,
      'globals.ts': `declare function handBack(waker: import('./handle').Handle): void;
`,
    };
    const result = scenario(files, { file: 'handle.ts', from: 'export type Handle = Waker;', to: 'export type Handle = unknown;' });
    assert.deepEqual(rules(result.before), ['use-after-move']);
    assert.deepEqual(rules(result.after), []);

    // The same through a module's import type: the declaration holding it changed, and the file that imports that declaration sees it.
    const bridged = {
      'main.ts': `import { Waker } from 'wakerscope/waker';
import { handOver } from './bridge';
export function giveBack(waker: Waker): void {
  handOver(waker);
  waker.wakeByRef();
}
`,
      'handle.ts': files['handle.ts'],
      'bridge.ts': `export declare function handOver(waker: import('./handle').Handle): void;
export declare function unrelated(): void;
`,
    };
    const throughModule = scenario(bridged, { file: 'handle.ts', from: 'export type Handle = Waker;', to: 'export type Handle = unknown;' });
    assert.deepEqual(rules(throughModule.before), ['use-after-move']);
    assert.deepEqual(rules(throughModule.after), []);
    assert.equal(throughModule.mode, 'incremental', 'only the body that names `handOver` is analysed again');
    assert.equal(throughModule.stats.changedRegions, 1);
  });

  /** HAND_OFF written to disk and analysed once (`main.ts` reports the helper's drop): the start of both hand-off edits below. */
  function handOffProject() {
    const names = Object.keys(HAND_OFF).map((name) => join(dir, name));
    Object.entries(HAND_OFF).forEach(([name, text]) => writeFileSync(join(dir, name), text));
    const [main, helpers] = [join(dir, 'main.ts'), join(dir, 'helpers.ts')];
    const fixtures = new FixtureProgram(names);
    const analyzer = new IncrementalAnalyzer(ts);
    check(fixtures, analyzer, main, 'before the edits');
    assert.deepEqual(rules(analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(main))), ['use-after-drop']);
    return { names, main, helpers, fixtures, analyzer };
  }

  it("a declaration added before a helper in another file renumbers its body, and a later edit there still re-checks its callers", () => {
    const { names, main, helpers, fixtures, analyzer } = handOffProject();
    // A new function before `release`: its body is now the second region. `main.ts` names nothing new and reads `release`'s body, unchanged.
    const added = HAND_OFF['helpers.ts']!.replace('export function release', 'export function extra(n: number): number {\n  return n;\n}\nexport function release');
    fixtures.setText(helpers, added);
    check(fixtures, analyzer, main, 'after adding a function before the helper');
    assertUntouched(analyzer.last, 'main.ts after adding a function before the helper');
    // What `main.ts` read is now found under the new number: this body edit re-checks it.
    fixtures.setText(helpers, added.replace('  w.drop();', '  w.wake();'));
    check(fixtures, analyzer, main, "after editing the helper's body");
    assert.deepEqual(rules(analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(main))), ['use-after-wake']);
    names.forEach((name) => rmSync(name, { force: true }));
  });

  it("a declaration edit here and an edit in a helper's body elsewhere, analysed together: the caller that names nothing changed here still reads the helper's new body", () => {
    const { names, main, helpers, fixtures, analyzer } = handOffProject();
    // A new declaration before `handOff`: its statement and body are as they were, but what they read of `helpers.ts` is not.
    fixtures.setText(main, HAND_OFF['main.ts']!.replace('export function handOff', 'export function extra(n: number): number {\n  return n;\n}\nexport function handOff'));
    fixtures.setText(helpers, HAND_OFF['helpers.ts']!.replace('  w.drop();', '  w.wake();'));
    check(fixtures, analyzer, main, 'after both edits');
    assertRedeclared(analyzer.last, { analysedRegions: [1] }, '`handOff`, which read the helper');
    assert.deepEqual(rules(analyzer.analyzeFile(fixtures.program, fixtures.sourceFile(main))), ['use-after-wake']);
    // A declaration edit alone leaves `handOff`'s results as they were.
    fixtures.setText(main, HAND_OFF['main.ts']!.replace('export function handOff', 'export function extra(n: string): number {\n  return 0;\n}\nexport function handOff'));
    check(fixtures, analyzer, main, 'after a declaration edit alone');
    assertRedeclared(analyzer.last, { analysedRegions: [], checkedVtables: 0, analysedOutside: false }, 'nothing');
    names.forEach((name) => rmSync(name, { force: true }));
  });

  it("an edit in a helper's body in another file re-checks its callers", () => {
    const result = scenario(HAND_OFF, { file: 'helpers.ts', from: '  w.drop();', to: '  w.wake();' });
    assert.deepEqual(result.before.map((f) => f.rule), ['use-after-drop']);
    assert.deepEqual(result.after.map((f) => f.rule), ['use-after-wake']);
    assert.equal(result.mode, 'incremental');
    assert.deepEqual(result.stats.analysedRegions, [0], 'the caller that read the helper is analysed again');
  });

  it('a body that names nothing of the library but assigns an owned field is analysed after an edit too', () => {
    const source = `import { type Waker } from 'wakerscope/waker';
export class Slots {
  private readonly slots: (Waker | undefined)[] = [];
  cancel(key: number): void {
    this.slots[key] = undefined;
  }
  count(): number {
    return this.slots.length;
  }
}
`;
    const cleared = scenario({ 'main.ts': source }, { from: '    this.slots[key] = undefined;', to: '    this.slots[key]?.drop();\n    this.slots[key] = undefined;' });
    assert.deepEqual(rules(cleared.before), ['clone-without-drop']);
    assert.deepEqual(rules(cleared.after), []);
    assert.equal(cleared.mode, 'incremental');
    // An edit that starts assigning the field in a body that did not.
    const assigned = scenario({ 'main.ts': source }, { from: '    return this.slots.length;', to: '    this.slots[0] = undefined;\n    return this.slots.length;' });
    assert.deepEqual(rules(assigned.after), ['clone-without-drop', 'clone-without-drop']);
    assert.equal(assigned.mode, 'incremental');
  });

  it("an edit in a recursive helper's base case re-checks its callers (its summary is the fixed point of the new body)", () => {
    const source = `import { Waker, type Context } from 'wakerscope/waker';
function wakeAfter(w: Waker, hops: number): void {
  if (hops === 0) {
    w.wake();
    return;
  }
  wakeAfter(w, hops - 1);
}
export function relay(cx: Context): void {
  const waker = cx.waker().clone();
  wakeAfter(waker, 3);
  waker.wakeByRef();
}
`;
    const result = scenario({ 'main.ts': source }, { from: '    w.wake();', to: '    w.wakeByRef();' });
    assert.deepEqual(rules(result.before), ['use-after-wake']);
    // Now it only borrows on every path: the caller still owns its clone, and loses it.
    assert.deepEqual(rules(result.after), ['clone-without-drop']);
    assert.equal(result.mode, 'incremental');
  });

  it('an edited flow finding inside a body is found again, the others are reused', () => {
    const source = `import { Waker } from 'wakerscope/waker';
export function first(waker: Waker): void {
  waker.wake();
  waker.wakeByRef();
}
export function second(waker: Waker): void {
  waker.wake();
}
`;
    const result = scenario({ 'main.ts': source }, { from: '  waker.wake();\n}', to: '  waker.wake();\n  waker.wake();\n}' });
    assert.deepEqual(rules(result.before), ['use-after-wake']);
    assert.deepEqual(rules(result.after), ['use-after-wake', 'use-after-wake']);
    assert.equal(result.mode, 'incremental');
  });
});

describe('incremental analysis: state of files that left the program', function () {
  this.timeout(SEVERAL_PROGRAMS_TIMEOUT_MS);
  it('is dropped when a program without them is analysed, and kept while the program holds them', () => {
    const first = join(FIXTURES_ROOT, 'flow', 'clone-without-drop.fail-block.ts');
    const second = join(FIXTURES_ROOT, 'flow', 'clone-without-drop.fail-if.ts');
    const analyzer = new IncrementalAnalyzer(ts);
    const both = new FixtureProgram([first, second]);
    analyzer.analyzeFile(both.program, both.sourceFile(first));
    analyzer.analyzeFile(both.program, both.sourceFile(second));
    assert.deepEqual(analyzer.trackedFiles().sort(), [both.sourceFile(first).fileName, both.sourceFile(second).fileName].sort());

    // The same program again: nothing is pruned.
    analyzer.analyzeFile(both.program, both.sourceFile(first));
    assert.equal(analyzer.trackedFiles().length, 2);

    // A new program without `second` (deleted, or left the project).
    const onlyFirst = new FixtureProgram([first]);
    const findings = analyzer.analyzeFile(onlyFirst.program, onlyFirst.sourceFile(first));
    assert.deepEqual(analyzer.trackedFiles(), [onlyFirst.sourceFile(first).fileName]);
    assert.deepEqual(findings, analyzeFile(ts, onlyFirst.program, onlyFirst.sourceFile(first)));
  });
});
