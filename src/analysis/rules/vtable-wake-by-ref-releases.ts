import { createRule } from './rule';

export const vtableWakeByRefReleases = createRule({
  id: 'vtable-wake-by-ref-releases',
  code: 39008,
  description: 'A vtable whose `wakeByRef` releases a reference it only borrows.',
  summary: 'a `wakeByRef` that releases a reference it only borrows',
  defaultLevel: 'error',
  consequence: 'use after free',
  messages: {
    /** `releases`: "1 reference", or "1 reference on some paths". */
    releases: (wakeByRef: string, releases: string) =>
      `\`${wakeByRef}\` releases ${releases}, but a \`wakeByRef\` slot only borrows the waker: the reference is freed while the waker still holds it`,
    help: (allocation: 'box' | 'arc' | undefined) => {
      const handle = allocation === 'box' ? 'box' : 'arc';
      return `end with \`forget(${handle})\` instead of \`drop(${handle})\`: the waker keeps its reference after \`wakeByRef\``;
    },
  },
});
