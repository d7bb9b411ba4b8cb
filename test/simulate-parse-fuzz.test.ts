// Fuzz of the `.wakersim` parser (issue 13 §4): 10,000 scenarios, generated
// from the grammar and then mutated, must never make the parser throw, and
// every error it reports must print as one line whose file:line:column lies
// inside the file.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { formatParseError, parseScenario, parseSequence } from '../src/simulate/parse';
import { EXPECTABLE_OUTCOMES, OPERATIONS } from '../src/simulate/types';

const FILE = 'fuzz.wakersim';
/** What editors (and the parser) count as line breaks. */
const LINE_BREAK = /\r\n|\r|\n/;
const LINE_TERMINATORS = /[\r\n\u2028\u2029]/;

const handle = fc.oneof(fc.nat({ max: 6 }).map(String), fc.constantFrom('-1', '01', 'x', '"0"', '99999999999999999999', '1.5'));
const word = fc.constantFrom(...OPERATIONS, 'wakeByRef', 'use', 'expect', 'create', ...EXPECTABLE_OUTCOMES, 'timeout', 'reachable', 'bogus');
const comment = fc.oneof(fc.constant(''), fc.string().map((text) => ` # ${text}`));
const line = fc.oneof(
  fc.tuple(fc.constantFrom('use "./m.ts" create make', 'use "" create make', 'use ./m.ts create make', 'use "./m.ts" make', 'use "./m.ts create make'), comment).map(
    ([text, note]) => text + note,
  ),
  fc.tuple(fc.constantFrom(...OPERATIONS, 'wakeByRef'), fc.option(handle, { nil: undefined }), comment).map(
    ([operation, arg, note]) => `${operation}${arg === undefined ? '' : ` ${arg}`}${note}`,
  ),
  fc.tuple(fc.constantFrom('expect', 'expect expect'), fc.option(word, { nil: undefined })).map(([head, arg]) => `${head}${arg ? ` ${arg}` : ''}`),
  fc.array(word, { maxLength: 4 }).map((words) => words.join(' ')),
  fc.constantFrom('', '   ', '\t', '#', '"', '""', '\u2028', '\u00a0new', 'new\u0000', '\ufeffuse', 'new "a\u2028b"', 'clone "0\u2029"', 'expect "ok\u2028"'),
);
const scenario = fc.tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r')).map(([lines, eol]) => lines.join(eol));

/** Edits that break a well-formed file the ways typing does: insert, delete, replace, duplicate. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('"', '#', '\n', '\r', '\u2028', '\u0000', '\\', ' 0', '💥')) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, edits: readonly Mutation[]): string {
  let result = text;
  for (const edit of edits) {
    const at = result.length === 0 ? 0 : edit.at % (result.length + 1);
    if (edit.kind === 'insert') result = result.slice(0, at) + edit.text + result.slice(at);
    else if (edit.kind === 'delete') result = result.slice(0, at) + result.slice(at + edit.length);
    else result = result.slice(0, at) + result.slice(at, at + edit.length) + result.slice(at);
  }
  return result;
}

const input = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(scenario, fc.array(mutation, { maxLength: 4 })).map(([text, edits]) => mutate(text, edits)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

function assertErrorsInside(text: string, errors: readonly { line: number; column: number; endColumn: number; message: string }[]): void {
  const lines = text.split(LINE_BREAK);
  for (const error of errors) {
    const printed = formatParseError(FILE, error);
    assert.doesNotMatch(printed, LINE_TERMINATORS, `not one line: ${JSON.stringify(printed)}`);
    assert.ok(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines.length, `line ${error.line} outside 1–${lines.length}: ${printed}`);
    const width = lines[error.line - 1].length;
    assert.ok(Number.isInteger(error.column) && error.column >= 1 && error.column <= width + 1, `column ${error.column} outside 1–${width + 1}: ${printed}`);
    assert.ok(error.endColumn >= error.column && error.endColumn <= width + 1, `end column ${error.endColumn} outside ${error.column}–${width + 1}: ${printed}`);
  }
}

describe('simulate: parser fuzz', () => {
  it('10,000 generated and mutated scenarios: never throws; each error is one line at a file:line:column inside the file', () => {
    fc.assert(
      fc.property(input, (text) => {
        const { scenario: parsed, errors } = parseScenario(text, FILE);
        assertErrorsInside(text, errors);
        // A file without errors yields a scenario that uses only handles it created.
        if (errors.length === 0) assert.ok(parsed && parsed.ops.length > 0);
      }),
      { numRuns: 10_000, seed: 0x5eed },
    );
  });

  it('the one-line sequence notation: never throws; each error is one line inside its one line', () => {
    fc.assert(
      fc.property(input, (text) => {
        const oneLine = text.replace(/\r\n|\r|\n/g, ';');
        assertErrorsInside(oneLine, parseSequence(oneLine).errors);
      }),
      { numRuns: 2_000, seed: 0x5eed },
    );
  });
});
