import { createRule } from './rule';

export const vtableWakeNoRelease = createRule({
  id: 'vtable-wake-no-release',
  code: 39007,
  description: 'A vtable whose `wake` keeps the reference that `drop` releases: every woken waker leaks.',
  summary: 'a `wake` that keeps the reference `drop` releases',
  defaultLevel: 'error',
  consequence: 'leak',
  messages: {
    /** `releases`: "0 references" (or "0 references on some paths"); `dropReleases`: "1". `always`: on every path. */
    mismatch: (wake: string, releases: string, drop: string, dropReleases: string, always: boolean) =>
      `\`${wake}\` releases ${releases}, but \`${drop}\` releases ${dropReleases}: ${always ? 'every woken waker leaks' : 'a waker woken on those paths leaks'} its reference`,
    help: (drop: string, allocation: 'box' | 'arc' | undefined) => `\`wake\` consumes the waker: release its reference as \`${drop}\` does (${release(allocation)})`,
    /** A count kept by hand in a Box (`refs`), counted down by `drop`. */
    countHelp: (drop: string, field: string) => `\`wake\` consumes the waker: count \`${field}\` down and free the box at zero, as \`${drop}\` does`,
  },
});

/** How a slot releases the waker's reference, for the allocation the slots use. */
export function release(allocation: 'box' | 'arc' | undefined): string {
  return allocation === 'box' ? '`drop(Box.fromRaw(data))`' : allocation === 'arc' ? '`drop(Arc.fromRaw(data))`' : '`drop(Arc.fromRaw(data))` or `drop(Box.fromRaw(data))`, as the data was allocated';
}
