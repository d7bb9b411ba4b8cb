// Docs that are proven: every rule page's "Failing example" must make the
// analyzer report that rule, and its "Fixed example" must be reported clean.
// Each example is a complete module (it imports 'wakerscope/waker' itself) and
// must type-check, so a reader can paste it and see what the page says.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { analyzeFile, RULE_IDS, type Finding } from '../../src/analysis/index';
import { describeFinding, FixtureProgram, REPO_ROOT } from './fixture-runner';

const DOCS = join(REPO_ROOT, 'docs', 'rules');
const EXAMPLES = ['Failing example', 'Fixed example'] as const;
type ExampleKind = (typeof EXAMPLES)[number];

export interface DocExample {
  readonly kind: ExampleKind;
  readonly code: string;
  /** 1-based line of the code's first line in the page. */
  readonly line: number;
}

/**
 * The first ```ts block under each example heading (`## Failing example`,
 * `## Fixed example`, and further cases titled `## Failing example: …`,
 * `## Fixed example: …`), up to the next `## ` heading. Throws `page:line: …`
 * when a plain heading is missing, has no ts block, or its block is not closed.
 */
export function extractExamples(page: string, markdown: string): DocExample[] {
  const lines = markdown.split(/\r?\n/);
  return EXAMPLES.flatMap((kind) => {
    const heading = kind.toLowerCase();
    const headings = lines.flatMap((l, i) => {
      const text = l.trim().toLowerCase();
      return text === `## ${heading}` || text.startsWith(`## ${heading}: `) ? [i] : [];
    });
    if (!headings.some((i) => lines[i].trim().toLowerCase() === `## ${heading}`)) throw new Error(`${page}: no "## ${kind}" heading`);
    return headings.map((start) => exampleUnder(page, lines, start, kind));
  });
}

function exampleUnder(page: string, lines: readonly string[], heading: number, kind: ExampleKind): DocExample {
  let open = -1;
  for (let i = heading + 1; i < lines.length && !/^##\s/.test(lines[i]); i++) {
    if (/^```(ts|typescript)\s*$/.test(lines[i].trim())) {
      open = i;
      break;
    }
  }
  if (open < 0) throw new Error(`${page}:${heading + 1}: no \`\`\`ts block under "${lines[heading].trim().slice(3)}"`);
  const close = lines.findIndex((l, i) => i > open && l.trim() === '```');
  if (close < 0) throw new Error(`${page}:${open + 1}: unclosed code block`);
  return { kind, code: lines.slice(open + 1, close).join('\n') + '\n', line: open + 2 };
}

describe('docs/rules pages are proven by the analyzer', () => {
  const pages = readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort();

  it('has one page per rule', () => {
    assert.deepEqual(pages, [...RULE_IDS].map((id) => `${id}.md`).sort());
  });

  it('extracts examples robustly and names the problem', () => {
    const page = '# x\n\n## Failing example\n\nText.\n\n```ts\nA\n```\n\n## Fixed example\n\n```typescript\nB\n```\n';
    assert.deepEqual(extractExamples('p.md', page), [
      { kind: 'Failing example', code: 'A\n', line: 8 },
      { kind: 'Fixed example', code: 'B\n', line: 14 },
    ]);
    assert.throws(() => extractExamples('p.md', '## Failing example\n```ts\nA\n```\n'), /^Error: p\.md: no "## Fixed example" heading$/);
    assert.throws(() => extractExamples('p.md', '## Failing example\n\n## Fixed example\n```ts\nB\n```\n'), /^Error: p\.md:1: no ```ts block/);
    assert.throws(() => extractExamples('p.md', '## Failing example\n```ts\nA\n'), /^Error: p\.md:2: unclosed code block$/);
    // Further cases: every titled example is extracted, after the plain one of its kind.
    const cases = '## Failing example\n```ts\nA\n```\n## Fixed example\n```ts\nB\n```\n## Failing example: a queue\n```ts\nC\n```\n';
    assert.deepEqual(extractExamples('p.md', cases).map((e) => [e.kind, e.code]), [['Failing example', 'A\n'], ['Failing example', 'C\n'], ['Fixed example', 'B\n']]);
    assert.throws(() => extractExamples('p.md', '## Failing example: a queue\n```ts\nA\n```\n## Fixed example\n```ts\nB\n```\n'), /^Error: p\.md: no "## Failing example" heading$/);
  });

  // One program over every example: the library is loaded and checked once.
  const files = new Map<string, { page: string; rule: string; example: DocExample }>();
  for (const page of pages) {
    const rule = page.replace(/\.md$/, '');
    for (const example of extractExamples(`docs/rules/${page}`, readFileSync(join(DOCS, page), 'utf8'))) {
      const fileName = join(REPO_ROOT, 'test', 'fixtures', 'docs', `${rule}.${example.kind === 'Failing example' ? 'failing' : 'fixed'}-line${example.line}.ts`);
      files.set(fileName, { page, rule, example });
    }
  }
  let program: FixtureProgram | undefined;
  const load = (): FixtureProgram => {
    if (!program) {
      program = new FixtureProgram([...files.keys()]);
      program.setTexts(new Map([...files].map(([fileName, { example }]) => [fileName, example.code])));
    }
    return program;
  };

  for (const [fileName, { page, rule, example }] of files) {
    it(`${page} ${example.kind.toLowerCase()} (line ${example.line})`, function () {
      this.timeout(60_000);
      const fixtures = load();
      assert.deepEqual(fixtures.errorsOf(fileName, { semantic: true }), [], `docs/rules/${page}:${example.line}: the ${example.kind.toLowerCase()} must be a complete, type-correct module`);
      const file = fixtures.sourceFile(fileName);
      const findings: Finding[] = analyzeFile(ts, fixtures.program, file);
      const described = findings.map((f) => describeFinding(file, f));
      if (example.kind === 'Failing example') {
        assert.ok(findings.some((f) => f.rule === rule), `docs/rules/${page}:${example.line}: the failing example must report ${rule}; got: ${described.join('; ') || '(none)'}`);
        // Only that rule, so the page shows one problem at a time.
        assert.deepEqual(described.filter((_, i) => findings[i].rule !== rule), [], `docs/rules/${page}:${example.line}: the failing example must report only ${rule}`);
      } else {
        assert.deepEqual(described, [], `docs/rules/${page}:${example.line}: the fixed example must report nothing`);
      }
    });
  }
});
