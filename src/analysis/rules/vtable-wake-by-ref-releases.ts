import { createRule } from './rule';

export const vtableWakeByRefReleases = createRule({
  id: 'vtable-wake-by-ref-releases',
  code: 39008,
  description: 'A vtable whose `wakeByRef` releases a reference it only borrows.',
  summary: 'a `wakeByRef` that releases a reference it only borrows',
  defaultLevel: 'error',
  consequence: 'use after free',
  messages: {
    releases: (wakeByRef: string, releases: string, path: string) =>
      `\`${wakeByRef}\` releases ${releases}${path}, but a \`wakeByRef\` slot only borrows the waker: the reference is freed while the waker still holds it`,
    help: () => 'end with `forget(arc)` instead of `drop(arc)`: the waker keeps its reference after `wakeByRef`',
  },
});
