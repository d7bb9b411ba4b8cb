// The .wakersim TextMate grammar, tokenized by the same engine VS Code uses
// (vscode-textmate over the Oniguruma regex library), and its language configuration.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';

const ROOT = resolve(__dirname, '..');
const GRAMMAR = join(ROOT, 'syntaxes', 'wakersim.tmLanguage.json');

async function loadGrammar(): Promise<IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => (scopeName === 'source.wakersim' ? parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  const grammar = await registry.loadGrammar('source.wakersim');
  assert.ok(grammar, 'the grammar loads');
  return grammar;
}

/** Each non-blank token of each line with its innermost scope. */
function tokenize(grammar: IGrammar, text: string): [string, string][] {
  let stack = INITIAL;
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      const value = line.slice(token.startIndex, token.endIndex);
      if (value.trim()) out.push([value.trim(), token.scopes[token.scopes.length - 1]]);
    }
    stack = result.ruleStack;
  }
  return out;
}

describe('simulate: the .wakersim grammar', () => {
  let grammar: IGrammar;
  before(async () => {
    grammar = await loadGrammar();
  });

  it('colours every part of the documented example', () => {
    const tokens = tokenize(
      grammar,
      ['use "./seed-box-waker.ts" create createRawWaker   # module', 'new', 'clone 0', 'wake_by_ref 1', 'wakeByRef 1', 'drop 12  # why', 'expect double-free', 'expect ok', 'expect reachable'].join('\n'),
    );
    assert.deepEqual(tokens, [
      ['use', 'keyword.control.import.wakersim'],
      ['"', 'punctuation.definition.string.begin.wakersim'],
      ['./seed-box-waker.ts', 'string.quoted.double.module.wakersim'],
      ['"', 'punctuation.definition.string.end.wakersim'],
      ['create', 'keyword.control.create.wakersim'],
      ['createRawWaker', 'entity.name.function.factory.wakersim'],
      ['#', 'punctuation.definition.comment.wakersim'],
      ['module', 'comment.line.number-sign.wakersim'],
      ['new', 'keyword.operator.operation.wakersim'],
      ['clone', 'keyword.operator.operation.wakersim'],
      ['0', 'constant.numeric.integer.handle.wakersim'],
      ['wake_by_ref', 'keyword.operator.operation.wakersim'],
      ['1', 'constant.numeric.integer.handle.wakersim'],
      ['wakeByRef', 'keyword.operator.operation.wakersim'],
      ['1', 'constant.numeric.integer.handle.wakersim'],
      ['drop', 'keyword.operator.operation.wakersim'],
      ['12', 'constant.numeric.integer.handle.wakersim'],
      ['#', 'punctuation.definition.comment.wakersim'],
      ['why', 'comment.line.number-sign.wakersim'],
      ['expect', 'keyword.control.expect.wakersim'],
      ['double-free', 'constant.language.outcome.violation.wakersim'],
      ['expect', 'keyword.control.expect.wakersim'],
      ['ok', 'constant.language.outcome.ok.wakersim'],
      ['expect', 'keyword.control.expect.wakersim'],
      ['reachable', 'constant.language.outcome.reachable.wakersim'],
    ]);
  });

  it('marks unknown operations and stray words as invalid, and does not leak state across lines', () => {
    const tokens = tokenize(grammar, ['wke 0', 'wake x', 'expect crash', 'use "./unterminated', 'new'].join('\n'));
    assert.deepEqual(tokens, [
      ['wke', 'invalid.illegal.unknown-operation.wakersim'],
      ['0', 'source.wakersim'],
      ['wake', 'keyword.operator.operation.wakersim'],
      ['x', 'invalid.illegal.unexpected.wakersim'],
      ['expect', 'keyword.control.expect.wakersim'],
      ['crash', 'invalid.illegal.unexpected.wakersim'],
      ['use', 'keyword.control.import.wakersim'],
      ['"', 'punctuation.definition.string.begin.wakersim'],
      ['./unterminated', 'string.quoted.double.module.wakersim'],
      ['new', 'keyword.operator.operation.wakersim'],
    ]);
  });

  it('tokenizes the example scenarios without an invalid token', () => {
    for (const name of ['seed-box-waker.wakersim', 'arc-waker.wakersim']) {
      const invalid = tokenize(grammar, readFileSync(join(ROOT, 'examples', name), 'utf8')).filter(([, scope]) => scope.startsWith('invalid'));
      assert.deepEqual(invalid, [], name);
    }
  });

  it('the language configuration comments with # and is contributed with the grammar', () => {
    const configuration = JSON.parse(readFileSync(join(ROOT, 'syntaxes', 'wakersim.language-configuration.json'), 'utf8')) as { comments: { lineComment: string } };
    assert.equal(configuration.comments.lineComment, '#');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { languages: { id: string; extensions: string[]; configuration: string }[]; grammars: { language: string; scopeName: string; path: string }[] };
    };
    const language = manifest.contributes.languages.find((l) => l.id === 'wakersim');
    assert.deepEqual(language?.extensions, ['.wakersim']);
    assert.equal(resolve(ROOT, language!.configuration), join(ROOT, 'syntaxes', 'wakersim.language-configuration.json'));
    const grammar = manifest.contributes.grammars.find((g) => g.language === 'wakersim');
    assert.equal(grammar?.scopeName, 'source.wakersim');
    assert.equal(resolve(ROOT, grammar!.path), GRAMMAR);
  });
});
