// Fixes never corrupt a file (issue 13 §3), as a property over thousands of
// generated and mutated programs: every fix the analyzer offers (safe or
// not), plus random edits posing as fixes, goes through the CLI's fixText and
// writeFileAtomic, and
//   1. the result parses whenever the original did (a fix that would break
//      the syntax is rejected, and each rejected one really would have);
//   2. text outside the applied edits is unchanged, byte for byte;
//   3. the atomic write leaves exactly the new text and no temporary file.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as ts from 'typescript';
import { analyzeFile, type Fix, type TextEdit } from '../src/analysis/index';
import { applyFixes, fixText, syntaxError, writeFileAtomic } from '../src/cli/fix';
import { REPO_ROOT, repoCompilerOptions } from './analysis/fixture-runner';
import { mulberry32 } from './analysis/random';

const PROGRAMS = 5000;
const BATCH = 250;
const VIRTUAL_DIR = join(REPO_ROOT, 'test', 'fix-property-virtual');

const HEADER = `import { Poll, type Context, type Waker, type WakerRef } from 'wakerscope/waker';\n\n`;

// Statements around a clone `c`: the shapes the fixes handle (closing braces,
// early returns and throws with and without braces, loops, switch cases).
const around = fc.constantFrom(
  'c.wakeByRef();',
  'if (flag) { return 1; }',
  'if (flag) return 2;',
  "if (flag) throw new Error('stop');",
  'for (let k = 0; k < n; k++) { if (k > 2) break; c.wakeByRef(); }',
  'while (n > 0) { n--; if (n === 3) continue; }',
  'switch (n) { case 1: return 3; default: break; }',
  '{ const inner = 1; void inner; }',
  '// a comment ✓',
);
const ending = fc.constantFrom('', 'c.drop();', 'c.wake();', 'c.wake();\n  c.wakeByRef();', 'keep(c);');
const cloneFunction = fc.tuple(fc.array(around, { maxLength: 5 }), ending, fc.boolean()).map(
  ([body, end, asConst]) => `export function f(source: WakerRef, flag: boolean, n: number): number {
  ${asConst ? 'const' : 'let'} c = source.clone();
  ${[...body, end].join('\n  ')}
  return 0;
}`,
);
const pollClass = fc.tuple(fc.boolean(), fc.constantFrom('return Poll.pending();', 'if (this.ready) return Poll.pending();', 'cx.waker().wakeByRef();\n    return Poll.pending();')).map(
  ([field, body]) => `export class Fut {
  ${field ? 'waker: Waker | undefined = undefined;' : 'count = 0;'}
  ready = false;
  poll(cx: Context): Poll<number> {
    ${body}
  }
}`,
);
const program = fc.tuple(fc.array(fc.oneof(cloneFunction, pollClass), { minLength: 1, maxLength: 3 }), fc.boolean()).map(
  ([parts, crlf]) => {
    const text = HEADER + 'declare function keep(w: Waker): void;\n\n' + parts.map((p, i) => p.replace('function f(', `function f${i}(`).replace('class Fut', `class Fut${i}`)).join('\n\n') + '\n';
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  },
);

const INSERTS = ['{', '}', '(', ')', ';', 'return', '=>', '`', '"', '/*', ',', ' ', '\n', 'é', '\r\n'];

/** Break or bend a program: insert, delete or duplicate a few characters at random. */
function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * out.length);
    const choice = random();
    if (choice < 0.4) out = out.slice(0, at) + INSERTS[Math.floor(random() * INSERTS.length)] + out.slice(at);
    else if (choice < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 4));
    else out = out.slice(0, at) + out.slice(at, at + 6) + out.slice(at);
  }
  return out;
}

/** Random edits posing as a fix: some keep the syntax, many break it. */
function randomFix(file: string, text: string, random: () => number): Fix {
  const edits: TextEdit[] = [];
  for (let i = 0, count = 1 + Math.floor(random() * 2); i < count; i++) {
    const start = Math.floor(random() * text.length);
    const end = Math.min(text.length, start + Math.floor(random() * 3));
    edits.push({ file, start, end, newText: INSERTS[Math.floor(random() * INSERTS.length)]! });
  }
  return { title: 'random', edits, safe: true };
}

/** Property 2: the result is the original with exactly the applied edits spliced in. */
function assertOnlyEditsChanged(original: string, result: string, applied: readonly Fix[]): void {
  const edits = applied.flatMap((fix) => fix.edits).sort((a, b) => a.start - b.start);
  let from = 0;
  let out = 0;
  for (const edit of edits) {
    const kept = original.slice(from, edit.start);
    assert.equal(result.slice(out, out + kept.length), kept, 'text before an edit changed');
    out += kept.length;
    assert.equal(result.slice(out, out + edit.newText.length), edit.newText);
    out += edit.newText.length;
    from = edit.end;
  }
  assert.equal(result.slice(out), original.slice(from), 'text after the last edit changed');
}

describe('fixes never corrupt a file (property, fast-check)', function () {
  this.timeout(300_000);
  const directory = mkdtempSync(join(tmpdir(), 'wakerscope-fix-property-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it(`${PROGRAMS} generated and mutated programs: results parse, only edited ranges change, writes are atomic`, () => {
    const random = mulberry32(1309);
    const generated = fc.sample(program, { numRuns: PROGRAMS, seed: 1309 });
    const sources = generated.map((text, i) => (i % 3 === 2 ? mutate(text, random) : text));
    const options = repoCompilerOptions();
    const base = ts.createCompilerHost(options, true);
    const cache = new Map<string, ts.SourceFile>();
    let previous: ts.Program | undefined;
    let offered = 0;
    let applied = 0;
    let rejected = 0;
    let written = 0;
    for (let start = 0; start < sources.length; start += BATCH) {
      const files = new Map(sources.slice(start, start + BATCH).map((text, i) => [join(VIRTUAL_DIR, `p${start + i}.ts`).split('\\').join('/'), text]));
      const host: ts.CompilerHost = {
        ...base,
        getSourceFile: (fileName, version, onError) => {
          const text = files.get(fileName);
          if (text !== undefined) return ts.createSourceFile(fileName, text, version, true);
          let file = cache.get(fileName);
          if (!file) {
            file = base.getSourceFile(fileName, version, onError);
            if (file) cache.set(fileName, file);
          }
          return file;
        },
        fileExists: (fileName) => files.has(fileName) || base.fileExists(fileName),
        readFile: (fileName) => files.get(fileName) ?? base.readFile(fileName),
      };
      previous = ts.createProgram({ rootNames: [...files.keys()], options, host, oldProgram: previous });
      for (const [fileName, text] of files) {
        const source = previous.getSourceFile(fileName)!;
        const offeredFixes = analyzeFile(ts, previous, source).flatMap((finding) => finding.fixes);
        offered += offeredFixes.length;
        const fixes = [...offeredFixes, randomFix(fileName, text, random)];
        const parsedBefore = syntaxError(ts, fileName, text) === undefined;
        const result = fixText(ts, fileName, text, fixes);
        const context = `${fileName}:\n${text}`;
        if (parsedBefore) assert.equal(syntaxError(ts, fileName, result.text), undefined, `the fixed text does not parse: ${context}`);
        else assert.equal(result.text, text, `a file that did not parse was changed: ${context}`);
        for (const { fix } of result.rejected) assert.notEqual(syntaxError(ts, fileName, applyFixes(text, [fix]).text), undefined, `a fix was rejected that parses: ${context}`);
        assertOnlyEditsChanged(text, result.text, result.applied);
        applied += result.applied.length;
        rejected += result.rejected.length;
        if (result.applied.length > 0 && ++written % 20 === 0) {
          const target = join(directory, 'file.ts');
          writeFileSync(target, text);
          writeFileAtomic(target, result.text);
          assert.equal(readFileSync(target, 'utf8'), result.text);
          assert.deepEqual(readdirSync(directory), ['file.ts']);
        }
      }
    }
    // The run exercised every path: fixes offered and applied, and broken ones rejected.
    assert.ok(offered > PROGRAMS / 2, `only ${offered} fixes offered`);
    assert.ok(applied > PROGRAMS / 2, `only ${applied} fixes applied`);
    assert.ok(rejected > PROGRAMS / 10, `only ${rejected} fixes rejected`);
  });
});
