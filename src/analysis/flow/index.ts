// The flow rules: use-after-wake, use-after-drop, use-after-move,
// clone-without-drop and lost-wakeup, from an ownership dataflow per function.
//
// Speed: this runs in tsserver on every keystroke. A file whose text names
// nothing of the library is skipped outright; inside a file, only functions
// that mention a library name (one AST walk, no checker) are analysed, and only
// those with tracked bindings or a `poll(cx)` get a CFG. One walk of the file
// gathers each unit's nodes, so discovery never walks the tree again.

import type { FileContext } from '../index';
import type { Finding } from '../types';
import { findMentions, wordsPattern } from '../mentions';
import { scanUnits } from './graph';
import { analyzeFunction } from './ownership';

export { buildCfg, scanUnits, type BasicBlock, type Cfg, type FlowUnit, type Op } from './graph';

/** Identifiers that can only matter if the library is involved. */
const HINTS = new Set([
  'Waker', 'Box', 'Arc', 'RawWaker', 'Context', 'WakerRef',
  'wake', 'clone', 'drop', 'forget', 'intoRaw', 'fromRaw', 'fromArc', 'pending', 'waker', 'poll',
]);
const FILE_HINT = /\b(?:Waker|Box|Arc|RawWaker|Context|wake|clone|drop|forget|intoRaw|fromRaw|fromArc|pending|poll)\b/;
const HINT_WORDS = wordsPattern(HINTS);

export function analyzeFlow(context: FileContext): Finding[] {
  const { ts, file } = context;
  if (!FILE_HINT.test(file.text)) return [];
  const findings: Finding[] = [];
  for (const unit of scanUnits(ts, file, HINTS, findMentions(file.text, HINT_WORDS))) {
    if (!unit.hinted) continue;
    try {
      analyzeFunction(context, unit, findings);
    } catch (error) {
      // Never take the editor down over one odd function: skip it (tests set WAKERSCOPE_STRICT to see the error).
      if (typeof process !== 'undefined' && process.env?.WAKERSCOPE_STRICT) throw error;
    }
  }
  return findings.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule));
}
