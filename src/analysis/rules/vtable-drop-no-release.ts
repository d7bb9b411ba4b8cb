import { createRule } from './rule';
import { release } from './vtable-wake-no-release';

export const vtableDropNoRelease = createRule({
  id: 'vtable-drop-no-release',
  code: 39009,
  description: 'A vtable whose `drop` releases nothing while `clone` takes a reference: every dropped waker leaks.',
  summary: 'a `drop` that releases nothing while `clone` takes a reference',
  defaultLevel: 'error',
  consequence: 'leak',
  messages: {
    /** `releases`: "0 references" (or "0 references on some paths"); `cloneTakes`: "1". `always`: on every path. */
    mismatch: (drop: string, releases: string, clone: string, cloneTakes: string, always: boolean) =>
      `\`${drop}\` releases ${releases}, but \`${clone}\` takes ${cloneTakes}: ${always ? 'every dropped waker leaks' : 'a waker dropped on those paths leaks'} its reference`,
    help: (drop: string, allocation: 'box' | 'arc' | undefined) => `release the waker's reference in \`${drop}\`: ${release(allocation)}`,
    /** A count kept by hand in a Box (`refs`), counted down by `wake`. */
    countHelp: (drop: string, field: string) => `release the waker's reference in \`${drop}\`: count \`${field}\` down and free the box at zero, as \`wake\` does`,
  },
});
