// The flow rules: use-after-wake, use-after-drop, use-after-move,
// clone-without-drop and lost-wakeup, from an ownership dataflow per function.
//
// Speed: this runs in tsserver on every keystroke. A file whose text names
// nothing of the library is skipped outright; inside a file, only functions
// that mention a library name (one AST walk, no checker) are analysed, and only
// those with tracked bindings or a `poll(cx)` get a CFG.

import type * as ts from 'typescript';
import type { FileContext } from '../index';
import type { Finding } from '../types';
import { isFunctionBoundary, type FlowRoot } from './graph';
import { analyzeFunction } from './ownership';

export { buildCfg, type Cfg, type BasicBlock, type Op } from './graph';

/** Identifiers that can only matter if the library is involved. */
const HINTS = new Set([
  'Waker', 'Box', 'Arc', 'RawWaker', 'Context', 'WakerRef',
  'wake', 'clone', 'drop', 'forget', 'intoRaw', 'fromRaw', 'fromArc', 'pending', 'waker', 'poll',
]);
const FILE_HINT = /\b(?:Waker|Box|Arc|RawWaker|Context|wake|clone|drop|forget|intoRaw|fromRaw|fromArc|pending|poll)\b/;

export function analyzeFlow(context: FileContext): Finding[] {
  const { ts, file } = context;
  if (!FILE_HINT.test(file.text)) return [];
  const findings: Finding[] = [];
  for (const root of candidateRoots(ts, file)) {
    try {
      analyzeFunction(context, root, findings);
    } catch (error) {
      // Never take the editor down over one odd function: skip it, loudly in tests.
      if (process.env.WAKERSCOPE_STRICT) throw error;
    }
  }
  return findings.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule));
}

/** Function bodies (and the top level) that mention a library name in their own code. */
function candidateRoots(ts: FileContext['ts'], file: ts.SourceFile): FlowRoot[] {
  const candidates: FlowRoot[] = [];
  const marked = new Set<ts.Node>();
  const stack: ts.Node[] = [file];
  const visit = (node: ts.Node): void => {
    const boundary = isFunctionBoundary(ts, node) && hasBody(ts, node);
    if (boundary) stack.push(node);
    if (ts.isIdentifier(node) && HINTS.has(node.text)) {
      const owner = stack[stack.length - 1];
      if (!marked.has(owner)) {
        marked.add(owner);
        candidates.push(owner as FlowRoot);
      }
    }
    ts.forEachChild(node, visit);
    if (boundary) stack.pop();
  };
  visit(file);
  return candidates;
}

function hasBody(ts: FileContext['ts'], node: ts.Node): boolean {
  if (ts.isClassStaticBlockDeclaration(node)) return true;
  return ts.isFunctionLike(node) && 'body' in node && !!node.body;
}
