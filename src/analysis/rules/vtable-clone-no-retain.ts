import { createRule } from './rule';

export const vtableCloneNoRetain = createRule({
  id: 'vtable-clone-no-retain',
  code: 39006,
  description: 'A vtable whose `clone` hands out the same data without taking a new reference while `wake`/`drop` release one: a clone and its original free the data twice.',
  summary: 'a `clone` that hands out the same data without taking a reference while `wake`/`drop` release one',
  defaultLevel: 'error',
  consequence: 'double free',
  messages: {
    /**
     * Slot function names and what they do: `takes` "0 references" (or "0
     * references on some paths"), `releases` "1". `always`: on every path.
     */
    mismatch: (clone: string, takes: string, releaser: string, releases: string, always: boolean) =>
      `\`${clone}\` takes ${takes}, but \`${releaser}\` releases ${releases}: ${always ? '' : 'on those paths '}a clone and its original free the data twice`,
    /** The fix fits what the data is: a count on an Arc; a box of its own for a Box, which has one owner. */
    help: (clone: string, allocation: 'box' | 'arc' | undefined) =>
      allocation === 'arc'
        ? `take a new reference in \`${clone}\` before returning the same data: \`Arc.incrementStrongCount(data)\`, or \`Arc.fromRaw\` + \`Arc.clone\` + \`forget\` + \`Arc.intoRaw\``
        : allocation === 'box'
          ? `a \`Box\` has one owner, so \`${clone}\` cannot hand out the same box: return a fresh box holding a copy of the value (\`Box.intoRaw(Box.new(copy))\`), or keep the data in an \`Arc\` and take a count in \`${clone}\``
          : `give the clone a reference of its own in \`${clone}\`: take a count if the data is an \`Arc\` (\`Arc.incrementStrongCount(data)\`), or return a fresh allocation holding a copy`,
    /** A count kept by hand in a Box (`refs`): `clone` must count it up, as the releasing slot counts it down. */
    countHelp: (clone: string, field: string, releaser: string) =>
      `\`${releaser}\` counts \`${field}\` down before freeing at zero: count it up in \`${clone}\` (\`box.value.${field}++\`, then \`forget(box)\`) before returning the same data`,
  },
});
