import { createRule } from './rule';

export const vtableWakeNoRelease = createRule({
  id: 'vtable-wake-no-release',
  code: 39007,
  description: 'A vtable whose `wake` keeps the reference that `drop` releases: every woken waker leaks.',
  summary: 'a `wake` that keeps the reference `drop` releases',
  defaultLevel: 'error',
  consequence: 'leak',
  messages: {
    mismatch: (wake: string, releases: string, path: string, drop: string, dropReleases: string) =>
      `\`${wake}\` releases ${releases}${path}, but \`${drop}\` releases ${dropReleases}: every woken waker leaks its reference`,
    help: (drop: string) => `\`wake\` consumes the waker: release its reference as \`${drop}\` does (\`drop(Arc.fromRaw(data))\`)`,
  },
});
