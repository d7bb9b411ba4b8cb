// The analyzer never throws on user code: thousands of generated programs (every
// flow construct, nested at random) and mutated fixtures (tokens deleted,
// duplicated, swapped, broken syntax) go through `analyzeFile` (every pass,
// configuration, suppressions), with the flow pass's safety net switched off.
//
// Speed: mutants are analysed in batches of many in-memory files per program,
// and each batch's program is built from the previous one (lib and the waker
// library are parsed once).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as ts from 'typescript';
import { analyzeFile, type Finding } from '../../src/analysis/index';
import { FIXTURES_ROOT, REPO_ROOT, fixtureFiles, repoCompilerOptions } from './fixture-runner';
import { mulberry32 } from './random';

const BATCH = 500;
const VIRTUAL_DIR = join(REPO_ROOT, 'test', 'fuzz-virtual');

/** Analyse many sources, each as its own in-memory file, and return the first failure (or nothing). */
class Batches {
  private readonly options = repoCompilerOptions();
  private readonly base = ts.createCompilerHost(this.options, true);
  private readonly cache = new Map<string, ts.SourceFile>();
  private program: ts.Program | undefined;

  /** Mutants that did not parse cleanly, in the last `run`. */
  syntaxBroken = 0;

  run(sources: readonly string[]): string[] {
    const failures: string[] = [];
    this.syntaxBroken = 0;
    for (let start = 0; start < sources.length; start += BATCH) {
      const chunk = sources.slice(start, start + BATCH);
      const files = new Map(chunk.map((text, i) => [join(VIRTUAL_DIR, `m${start + i}.ts`), text]));
      const host: ts.CompilerHost = {
        ...this.base,
        getSourceFile: (fileName, version, onError) => {
          const text = files.get(fileName);
          if (text !== undefined) return ts.createSourceFile(fileName, text, version, true);
          let file = this.cache.get(fileName);
          if (!file) {
            file = this.base.getSourceFile(fileName, version, onError);
            if (file) this.cache.set(fileName, file);
          }
          return file;
        },
        fileExists: (fileName) => files.has(fileName) || this.base.fileExists(fileName),
        readFile: (fileName) => files.get(fileName) ?? this.base.readFile(fileName),
      };
      this.program = ts.createProgram({ rootNames: [...files.keys()], options: this.options, host, oldProgram: this.program });
      for (const [fileName, text] of files) {
        const file = this.program.getSourceFile(fileName);
        if (!file) continue;
        if (this.program.getSyntacticDiagnostics(file).length > 0) this.syntaxBroken++;
        try {
          // Every pass, with configuration and suppressions; the flow pass runs strict (no safety net).
          checkFindings(file, analyzeFile(ts, this.program, file));
        } catch (error) {
          failures.push(`${(error as Error).stack ?? String(error)}\n--- program ---\n${text}`);
          if (failures.length >= 3) return failures;
        }
      }
    }
    return failures;
  }
}

/** Findings must point inside the file, and fixes must edit inside it. */
function checkFindings(file: ts.SourceFile, findings: readonly Finding[]): void {
  const length = file.text.length;
  const inside = (start: number, end: number): boolean => start >= 0 && start <= end && end <= length;
  for (const finding of findings) {
    if (!inside(finding.span.start, finding.span.end)) throw new Error(`${finding.rule}: span ${finding.span.start}..${finding.span.end} outside the file (${length})`);
    for (const related of finding.related) {
      if (!inside(related.start, related.end)) throw new Error(`${finding.rule}: related span outside the file`);
    }
    for (const fix of finding.fixes) {
      for (const edit of fix.edits) if (!inside(edit.start, edit.end)) throw new Error(`${finding.rule}: fix "${fix.title}" edits outside the file`);
    }
  }
}

// ---------------------------------------------------------------- generated programs

const HEADER = `import { Arc, Box, Poll, RawWaker, Waker, drop, forget, type Context, type WakerRef } from 'wakerscope/waker';
declare function mayThrow(): void;
declare function keep(w: Waker): void;
declare function lend(w: WakerRef): void;
declare const flag: boolean;
declare const items: number[];
declare const maybe: { take(w: Waker): void } | undefined;
`;

const variable = fc.constantFrom('w', 'c', 'd');

const simple: fc.Arbitrary<string> = fc.oneof(
  variable.map((v) => `${v}.wake();`),
  variable.map((v) => `${v}.wakeByRef();`),
  variable.map((v) => `${v}.drop();`),
  variable.map((v) => `drop(${v});`),
  variable.map((v) => `forget(${v});`),
  variable.map((v) => `keep(${v});`),
  variable.map((v) => `lend(${v});`),
  variable.map((v) => `maybe?.take(${v});`),
  fc.tuple(variable, variable).map(([a, b]) => `${a} = ${b}.clone();`),
  fc.tuple(variable, variable).map(([a, b]) => `${a} = ${b};`),
  variable.map((v) => `flag && ${v}.wake();`),
  variable.map((v) => `flag || ${v}.drop();`),
  variable.map((v) => `(flag ? ${v} : w).wakeByRef();`),
  variable.map((v) => `const t = () => ${v}.wake(); t();`),
  variable.map((v) => `using u = ${v}.clone();`),
  variable.map((v) => `store.push(${v});`),
  fc.constant('mayThrow();'),
  fc.constant('return;'),
  fc.constant('throw new Error("x");'),
  fc.constant('break;'),
  fc.constant('continue;'),
  fc.constant('break outer;'),
  fc.constant('b.drop();'),
  fc.constant('void b.value;'),
  fc.constant('a = Arc.clone(a);'),
  fc.constant('w.clone();'),
);

const statement: fc.Arbitrary<string> = fc.letrec<{ block: string; stmt: string }>((tie) => ({
  block: fc.array(tie('stmt'), { maxLength: 4 }).map((s) => `{ ${s.join(' ')} }`),
  stmt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    simple,
    fc.tuple(tie('block'), tie('block')).map(([a, b]) => `if (flag) ${a} else ${b}`),
    tie('block').map((b) => `for (const item of items) ${b}`),
    tie('block').map((b) => `outer: for (let i = 0; i < 3; i++) ${b}`),
    tie('block').map((b) => `while (flag) ${b}`),
    tie('block').map((b) => `do ${b} while (flag);`),
    tie('block').map((b) => `for (const k in items) ${b}`),
    fc.tuple(tie('block'), tie('block')).map(([a, b]) => `switch (items.length) { case 0: ${a} case 1: ${b} break; default: w.wakeByRef(); }`),
    fc.tuple(tie('block'), tie('block'), tie('block')).map(([a, b, c]) => `try ${a} catch (e) ${b} finally ${c}`),
    fc.tuple(tie('block'), tie('block')).map(([a, b]) => `try ${a} finally ${b}`),
  ),
})).stmt;

const program = fc.tuple(fc.array(statement, { minLength: 1, maxLength: 6 }), fc.boolean()).map(([body, isPoll]) => {
  const inner = body.join('\n    ');
  if (isPoll) {
    return `${HEADER}
export class F {
  waker: Waker | undefined;
  poll(cx: Context): Poll<number> {
    let w = cx.waker().clone(); let c = w.clone(); let d = c; const store: Waker[] = []; const b = Box.new(1); let a = Arc.new(2);
    ${inner}
    if (flag) return Poll.ready(1);
    return Poll.pending();
  }
}
`;
  }
  return `${HEADER}
export function f(w: Waker, raw: RawWaker): void {
  let c = Waker.fromRaw(raw); let d = w.clone(); const store: Waker[] = []; const b = Box.new(1); let a = Arc.new(2);
  ${inner}
}
`;
});

// ---------------------------------------------------------------- mutated fixtures

interface Token {
  readonly start: number;
  readonly end: number;
}

function tokensOf(text: string): Token[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const tokens: Token[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia) continue;
    tokens.push({ start: scanner.getTokenStart(), end: scanner.getTokenEnd() });
  }
  return tokens;
}

const INSERTS = ['{', '}', '(', ')', ';', 'return', 'break', 'continue', 'if (x)', '=>', '?.', '??', '&&', 'try {', 'finally {', 'using', 'await', 'case 1:', 'else', 'function', 'class', '`', '"', '/*', ','];

function mutate(text: string, tokens: readonly Token[], random: () => number, edits: number): string {
  let result = text;
  // Edit from the end so earlier token offsets stay valid.
  const picks = Array.from({ length: edits }, () => Math.floor(random() * tokens.length)).sort((a, b) => b - a);
  for (const index of picks) {
    const token = tokens[index];
    if (!token) continue;
    const piece = result.slice(token.start, token.end);
    switch (Math.floor(random() * 4)) {
      case 0: // delete
        result = result.slice(0, token.start) + result.slice(token.end);
        break;
      case 1: // duplicate
        result = result.slice(0, token.end) + ' ' + piece + result.slice(token.end);
        break;
      case 2: // insert something that breaks or reshapes the syntax
        result = result.slice(0, token.start) + INSERTS[Math.floor(random() * INSERTS.length)] + ' ' + result.slice(token.start);
        break;
      default: // truncate
        result = result.slice(0, token.end);
    }
  }
  return result;
}

describe('analyzer fuzz: never throws', function () {
  this.timeout(120_000);
  let previous: string | undefined;

  before(() => {
    previous = process.env.WAKERSCOPE_STRICT;
    process.env.WAKERSCOPE_STRICT = '1';
  });
  after(() => {
    if (previous === undefined) delete process.env.WAKERSCOPE_STRICT;
    else process.env.WAKERSCOPE_STRICT = previous;
  });

  const batches = new Batches();

  it('on 800 generated programs using every flow construct', () => {
    const sources = fc.sample(program, { numRuns: 800, seed: 20261126 });
    assert.ok(new Set(sources).size > 600, 'the generator should produce mostly distinct programs');
    assert.deepEqual(batches.run(sources), []);
  });

  it('on 2000 mutations of the fixtures (broken syntax included)', () => {
    const fixtures = [...fixtureFiles(join(FIXTURES_ROOT, 'flow')), ...fixtureFiles(join(FIXTURES_ROOT, 'vtable')), join(REPO_ROOT, 'examples', 'seed-box-waker.ts')];
    const texts = fixtures.map((f) => readFileSync(f, 'utf8'));
    const tokens = texts.map(tokensOf);
    const seeds = fc.sample(fc.tuple(fc.nat({ max: texts.length - 1 }), fc.integer({ min: 1, max: 6 }), fc.integer()), { numRuns: 2000, seed: 7 });
    const sources = seeds.map(([index, edits, seed]) => mutate(texts[index], tokens[index], mulberry32(seed), edits));
    assert.deepEqual(batches.run(sources), []);
    assert.ok(batches.syntaxBroken > 500, `only ${batches.syntaxBroken} mutants have syntax errors: the mutator should break syntax often`);
  });
});
