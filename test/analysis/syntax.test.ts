import { strict as assert } from 'node:assert';
import ts from 'typescript';
import { isOuterExpression, skipOuterExpressions, walkUpOuterExpressions } from '../../src/analysis/syntax';

/** The initializer of `const x = <text>;`, parsed as TypeScript. */
function initializer(text: string): ts.Expression {
  const file = ts.createSourceFile('t.ts', `const x = ${text};`, ts.ScriptTarget.Latest, /*setParentNodes*/ true, ts.ScriptKind.TS);
  const statement = file.statements[0] as ts.VariableStatement;
  return statement.declarationList.declarations[0].initializer!;
}

describe('syntax toolkit: outer expressions', () => {
  for (const text of ['(w)', 'w as Waker', 'w satisfies Waker', 'w!', '<Waker>w', '((<Waker>w)! as Waker) satisfies Waker']) {
    it(`sees \`w\` through \`${text}\``, () => {
      const inner = skipOuterExpressions(ts, initializer(text));
      assert.ok(ts.isIdentifier(inner) && inner.text === 'w', ts.SyntaxKind[inner.kind]);
    });
  }

  for (const text of ['await w', 'void w', 'typeof w', '(a, w)', 'c ? w : v', 'w.clone()']) {
    it(`stops at \`${text}\`: it computes a new value`, () => {
      const outer = initializer(text);
      const skipped = skipOuterExpressions(ts, outer);
      assert.equal(skipped, ts.isParenthesizedExpression(outer) ? outer.expression : outer);
      assert.ok(!isOuterExpression(ts, skipped));
    });
  }

  it('walks up from `w` to the outermost wrapper', () => {
    const outer = initializer('((w as Waker)!)');
    const identifier = skipOuterExpressions(ts, outer);
    assert.equal(walkUpOuterExpressions(ts, identifier), outer);
    assert.equal(walkUpOuterExpressions(ts, outer), outer);
  });
});
