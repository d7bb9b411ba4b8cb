// One ESLint rule per analyzer rule id. The rules are thin: the first one to run
// on a file asks the shared analyzer for every finding (cached per program and
// source file), and each rule reports the findings carrying its own id.

import { getParserServices } from '@typescript-eslint/utils/eslint-utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { relative } from 'node:path';
import type * as ts from 'typescript';
import { analyzeFile, docsUrl, isUserFile, RULES, RULE_IDS, type AnalyzerConfig, type Finding, type Fix, type RelatedSpan, type RuleId } from '../analysis/index';

export type MessageId = 'finding' | 'suggestion' | 'needsTypeInformation';
export type WakerscopeRule = TSESLint.RuleModule<MessageId, []>;
type Context = Readonly<TSESLint.RuleContext<MessageId, []>>;

const TYPE_INFORMATION_DOCS = 'https://typescript-eslint.io/getting-started/typed-linting';

/**
 * Every rule at `error` keeps the analyzer's own verdicts: in ESLint, the lint
 * configuration (not the tsconfig plugin entry) decides which rules run.
 */
const ANALYZER_CONFIG: AnalyzerConfig = { rules: Object.fromEntries(RULE_IDS.map((id) => [id, 'error'])) };

/** One analysis per program and file, shared by all rules (a program is replaced when any file changes). */
const findingsCache = new WeakMap<ts.Program, WeakMap<ts.SourceFile, readonly Finding[]>>();

/** How many (program, file) analyses have run, so a test can check the rules share one. */
export const analysisStats = { analyses: 0 };

/** The loaded `typescript` modules, by the SourceFile class each one makes. */
const typeScriptBySourceFileClass = new WeakMap<object, typeof ts>();

/**
 * The `typescript` module that made `file`: the parser's own instance, never a
 * second copy, whose SyntaxKind numbers could differ from the program's. Found
 * among the loaded modules by the class of its source files; the one resolved
 * beside this plugin (the same module when both are the project's peer) if none matches.
 */
export function typeScriptOf(file: ts.SourceFile): typeof ts {
  const made = Object.getPrototypeOf(file).constructor as object;
  let found = typeScriptBySourceFileClass.get(made);
  if (!found) {
    for (const loaded of Object.values(require.cache)) {
      if (!loaded || !/[\\/]typescript[\\/]lib[\\/]typescript\.js$/.test(loaded.filename)) continue;
      // `objectAllocator` is typescript's own (not in its .d.ts): it makes the program's nodes.
      const candidate = loaded.exports as { objectAllocator?: { getSourceFileConstructor?(): unknown } };
      if (candidate.objectAllocator?.getSourceFileConstructor?.() === made) found = loaded.exports as typeof ts;
    }
    found ??= require('typescript') as typeof ts;
    typeScriptBySourceFileClass.set(made, found);
  }
  return found;
}

export function findingsFor(program: ts.Program, file: ts.SourceFile): readonly Finding[] {
  let byFile = findingsCache.get(program);
  if (!byFile) findingsCache.set(program, (byFile = new WeakMap()));
  let findings = byFile.get(file);
  if (!findings) {
    analysisStats.analyses++;
    // The waker library itself and declaration files are not user code.
    findings = isUserFile(program, file) ? analyzeFile(typeScriptOf(file), program, file, ANALYZER_CONFIG) : [];
    byFile.set(file, findings);
  }
  return findings;
}

/** Files (by their SourceCode) already told about missing type information: one report per file, not per rule. */
const toldAboutTypeInformation = new WeakSet<object>();

function createRule(id: RuleId): WakerscopeRule {
  return {
    meta: {
      type: 'problem',
      docs: { description: RULES[id].description, url: docsUrl(id) },
      messages: {
        finding: '{{message}}',
        suggestion: '{{title}}',
        needsTypeInformation: `wakerscope rules need type information: set languageOptions.parserOptions.projectService with @typescript-eslint/parser (see ${TYPE_INFORMATION_DOCS})`,
      },
      schema: [],
      hasSuggestions: true,
    },
    defaultOptions: [],
    create(context) {
      return { Program: (program) => reportFindings(context, id, program) };
    },
  };
}

function reportFindings(context: Context, id: RuleId, programNode: TSESTree.Program): void {
  const sourceCode = context.sourceCode;
  let services;
  try {
    // Throws when the parser is not typescript-eslint's or the file has no program.
    services = getParserServices(context);
  } catch {
    if (!toldAboutTypeInformation.has(sourceCode)) {
      toldAboutTypeInformation.add(sourceCode);
      context.report({ node: programNode, loc: { line: 1, column: 0 }, messageId: 'needsTypeInformation' });
    }
    return;
  }
  const file = services.esTreeNodeToTSNodeMap.get(programNode);
  for (const finding of findingsFor(services.program, file)) {
    if (finding.rule !== id || finding.span.file !== file.fileName) continue;
    context.report({
      loc: { start: sourceCode.getLocFromIndex(finding.span.start), end: sourceCode.getLocFromIndex(finding.span.end) },
      messageId: 'finding',
      data: { message: messageWithRelated(finding, file, services.program, context.cwd) },
      suggest: suggestionsFor(finding, file.fileName),
    });
  }
}

/** The analyzer's message with its related spans appended briefly: "… (woken at line 12)". */
function messageWithRelated(finding: Finding, file: ts.SourceFile, program: ts.Program, cwd: string): string {
  if (finding.related.length === 0) return finding.message;
  const notes = finding.related.map((related) => `${placeLabel(related.message)} ${whereIs(related, file, program, cwd)}`);
  return `${finding.message} (${notes.join('; ')})`;
}

/** "woken here" → "woken at": the location replaces "here". */
function placeLabel(label: string): string {
  return /\shere$/.test(label) ? label.replace(/\shere$/, ' at') : `${label} at`;
}

function whereIs(span: RelatedSpan, file: ts.SourceFile, program: ts.Program, cwd: string): string {
  if (span.file === file.fileName) return `line ${file.getLineAndCharacterOfPosition(span.start).line + 1}`;
  const other = program.getSourceFile(span.file);
  const line = other ? `:${other.getLineAndCharacterOfPosition(span.start).line + 1}` : '';
  return `${relative(cwd, span.file) || span.file}${line}`;
}

/**
 * The quick fixes ESLint can apply as suggestions: every edit in the linted file
 * (ESLint fixes one file at a time), none overlapping (ESLint would throw).
 */
export function applicableFixes(finding: Finding, fileName: string): Fix[] {
  return finding.fixes.filter((fix) => {
    if (fix.edits.length === 0 || fix.edits.some((edit) => edit.file !== fileName)) return false;
    const sorted = [...fix.edits].sort((a, b) => a.start - b.start);
    return sorted.every((edit, index) => index === 0 || sorted[index - 1]!.end <= edit.start);
  });
}

function suggestionsFor(finding: Finding, fileName: string): TSESLint.SuggestionReportDescriptor<MessageId>[] {
  return applicableFixes(finding, fileName).map((fix) => ({
    messageId: 'suggestion',
    data: { title: fix.title },
    fix: (fixer) => fix.edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.newText)),
  }));
}

export const rules: Readonly<Record<RuleId, WakerscopeRule>> = Object.fromEntries(RULE_IDS.map((id) => [id, createRule(id)])) as Record<RuleId, WakerscopeRule>;
