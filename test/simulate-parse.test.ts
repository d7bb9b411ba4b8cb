// The .wakersim language and the one-line sequence notation.
import { strict as assert } from 'node:assert';
import { formatParseError, formatSequence, parseScenario, parseSequence } from '../src/simulate/parse';

const USE = 'use "./seed-box-waker.ts" create createRawWaker';

describe('simulate: parseScenario', () => {
  it('parses the documented example, comments, aliases and expect', () => {
    const text = [
      `${USE}   # module and factory`,
      'new                 # handle 0',
      'clone 0',
      '',
      '  wake 0',
      'wakeByRef 1',
      'drop 1',
      'expect double-free',
    ].join('\n');
    const { scenario, errors } = parseScenario(text, 'x.wakersim');
    assert.deepEqual(errors, []);
    assert.deepEqual(scenario, {
      fileName: 'x.wakersim',
      module: './seed-box-waker.ts',
      moduleLocation: { line: 1, column: 5 },
      factory: 'createRawWaker',
      expect: 'double-free',
      ops: [
        { operation: 'new', line: 2 },
        { operation: 'clone', handle: 0, line: 3 },
        { operation: 'wake', handle: 0, line: 5 },
        { operation: 'wake_by_ref', handle: 1, line: 6 },
        { operation: 'drop', handle: 1, line: 7 },
      ],
    });
  });

  it('allows several `new`s, numbering handles in creation order', () => {
    const { scenario, errors } = parseScenario(`${USE}\nnew\nnew\nclone 1\ndrop 2`, 'x.wakersim');
    assert.deepEqual(errors, []);
    assert.equal(formatSequence(scenario!.ops), 'new; new; clone 1; drop 2');
  });

  const cases: [string, string, { line: number; column: number; endColumn: number; message: string }][] = [
    ['unknown operation', `${USE}\nnew\n  wke 0`, { line: 3, column: 3, endColumn: 6, message: "unknown operation 'wke' (expected new, clone, wake, wake_by_ref, drop, expect)" }],
    ['missing handle', `${USE}\nnew\nclone`, { line: 3, column: 1, endColumn: 6, message: '`clone` needs a handle number (e.g. `clone 0`)' }],
    ['non-numeric handle', `${USE}\nnew\ndrop x1`, { line: 3, column: 6, endColumn: 8, message: "'x1' is not a handle number" }],
    ['handle not created yet', `${USE}\nnew\nwake 1`, { line: 3, column: 6, endColumn: 7, message: 'handle 1 does not exist yet (only handle 0 exists here)' }],
    ['operation before new', `${USE}\nwake 0`, { line: 2, column: 6, endColumn: 7, message: 'handle 0 does not exist yet (no handles exist yet: start with `new`)' }],
    ['extra token', `${USE}\nnew\nwake 0 1`, { line: 3, column: 8, endColumn: 9, message: "unexpected '1' after `wake 0`" }],
    ['argument to new', `${USE}\nnew 3`, { line: 2, column: 5, endColumn: 6, message: "unexpected '3': `new` takes no handle" }],
    ['unknown outcome', `${USE}\nnew\nexpect crash`, { line: 3, column: 8, endColumn: 13, message: "unknown outcome 'crash' (expected ok, leak, reachable, timeout, double-free, use-after-free, use-after-wake, use-after-drop, use-after-move)" }],
    ['unquoted module', 'use seed.ts create f\nnew', { line: 1, column: 5, endColumn: 12, message: 'the module path must be a quoted string (expected `use "./module.ts" create factoryName`)' }],
    ['missing create', 'use "./m.ts" make f\nnew', { line: 1, column: 14, endColumn: 18, message: 'expected `use "./module.ts" create factoryName`' }],
    ['unterminated string', 'use "./m.ts create f\nnew', { line: 1, column: 5, endColumn: 21, message: 'unterminated string: add the closing `"`' }],
    ['missing use', 'new\nwake 0', { line: 1, column: 1, endColumn: 4, message: 'missing `use` line (expected `use "./module.ts" create factoryName`)' }],
    ['no operations', `${USE}\n# nothing`, { line: 2, column: 1, endColumn: 1, message: 'the scenario has no operations: add `new` to create handle 0' }],
    ['second expect', `${USE}\nnew\nexpect ok\nexpect leak`, { line: 4, column: 1, endColumn: 7, message: 'a scenario has one `expect` line; this is a second one' }],
    ['use after operations', `new\n${USE}`, { line: 2, column: 1, endColumn: 4, message: '`use` must come before the first operation' }],
  ];
  for (const [name, text, expected] of cases) {
    it(`reports ${name} with line and column`, () => {
      const { errors } = parseScenario(text, 'x.wakersim');
      assert.deepEqual(errors[errors.length - 1], expected, JSON.stringify(errors));
    });
  }

  it('reports every malformed line, not just the first', () => {
    const { errors } = parseScenario(`${USE}\nnew\nwke 0\nclone\nexpect nope`, 'x.wakersim');
    assert.deepEqual(
      errors.map((e) => e.line),
      [3, 4, 5],
    );
    assert.equal(formatParseError('x.wakersim', errors[0]), "x.wakersim:3:1: unknown operation 'wke' (expected new, clone, wake, wake_by_ref, drop, expect)");
  });
});

describe('simulate: parseSequence', () => {
  it('reads the one-line notation and round-trips through formatSequence', () => {
    const { ops, errors } = parseSequence('new; clone 0; wake 0; wakeByRef 1; drop 1');
    assert.deepEqual(errors, []);
    assert.equal(formatSequence(ops), 'new; clone 0; wake 0; wake_by_ref 1; drop 1');
  });

  it('points at the bad step with its column in the line', () => {
    const { errors } = parseSequence('new; clone 0; wake 5');
    assert.deepEqual(errors, [{ line: 1, column: 20, endColumn: 21, message: 'handle 5 does not exist yet (handles 0–1 exist here)' }]);
    assert.equal(parseSequence('  ').errors[0].message, 'empty sequence: start with `new`');
  });
});
