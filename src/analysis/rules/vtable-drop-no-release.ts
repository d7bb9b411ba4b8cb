import { createRule } from './rule';

export const vtableDropNoRelease = createRule({
  id: 'vtable-drop-no-release',
  code: 39009,
  description: 'A vtable whose `drop` releases nothing while `clone` takes a reference: every dropped waker leaks.',
  summary: 'a `drop` that releases nothing while `clone` takes a reference',
  defaultLevel: 'error',
  consequence: 'leak',
  messages: {
    mismatch: (drop: string, releases: string, path: string, clone: string, cloneTakes: string) =>
      `\`${drop}\` releases ${releases}${path}, but \`${clone}\` takes ${cloneTakes}: every dropped waker leaks its reference`,
    help: (drop: string) => `release the waker's reference in \`${drop}\`: \`drop(Arc.fromRaw(data))\``,
  },
});
