// Save as Scenario: an exploration row as a `.wakersim` regression file, next
// to the module it explores. Pure (no `vscode`), so the text is unit-tested by
// parsing it back and running it.

import * as path from 'node:path';
import { EXPECTABLE_OUTCOMES, type Outcome } from '../simulate/types';

export interface SavedScenario {
  /** The file to write, not yet existing when `exists` says so. */
  readonly file: string;
  readonly text: string;
}

/**
 * The scenario file for `sequence` (`new; clone 0; …`) of `factory` in
 * `module`: `<module>-<outcome>.wakersim` beside it, numbered when taken.
 * An outcome a scenario cannot expect (`error`) is written as a comment.
 */
export function scenarioFor(module: string, factory: string, sequence: string, outcome: Outcome, exists: (file: string) => boolean): SavedScenario {
  const directory = path.dirname(module);
  const stem = path.basename(module).replace(/\.[cm]?tsx?$/, '');
  let file = path.join(directory, `${stem}-${outcome}.wakersim`);
  for (let n = 2; exists(file); n++) file = path.join(directory, `${stem}-${outcome}-${n}.wakersim`);
  const expectable = (EXPECTABLE_OUTCOMES as readonly string[]).includes(outcome);
  const lines = [
    `# Regression scenario: ${sequence} ends in ${outcome}.`,
    '# Saved from the Wakerscope exploration panel; run it with Wakerscope: Simulate Scenario.',
    `use "./${path.basename(module)}" create ${factory}`,
    '',
    ...sequence.split(';').map((op) => op.trim()).filter(Boolean),
    '',
    expectable ? `expect ${outcome}` : `# The run ended in ${outcome}, which a scenario cannot expect.`,
    '',
  ];
  return { file, text: lines.join('\n') };
}
