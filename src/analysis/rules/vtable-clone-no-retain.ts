import { createRule } from './rule';

export const vtableCloneNoRetain = createRule({
  id: 'vtable-clone-no-retain',
  code: 39006,
  description: 'A vtable whose `clone` hands out the same data without taking a new reference while `wake`/`drop` release one: a clone and its original free the data twice.',
  summary: 'a `clone` that hands out the same data without taking a reference while `wake`/`drop` release one',
  defaultLevel: 'error',
  consequence: 'double free',
  messages: {
    /** Slot function names; `takes`: "0 references"; `path`: "" or " on some paths"; `releases`: "1". */
    mismatch: (clone: string, takes: string, path: string, releaser: string, releases: string) =>
      `\`${clone}\` takes ${takes}${path}, but \`${releaser}\` releases ${releases}: a clone and its original free the data twice`,
    help: (clone: string) =>
      `take a new reference in \`${clone}\` before returning the same data: \`Arc.incrementStrongCount(data)\`, or \`Arc.fromRaw\` + \`Arc.clone\` + \`forget\` + \`Arc.intoRaw\``,
  },
});
