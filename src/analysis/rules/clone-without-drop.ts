import { createRule } from './rule';

/** What leaks: an owned `Waker`, `Box`, `Arc` or `RawWaker`. */
export type OwnedKind = 'waker' | 'box' | 'arc' | 'raw';

const PARAMETER_NOUN: Readonly<Record<OwnedKind, string>> = { waker: 'waker parameter', box: '`Box` parameter', arc: '`Arc` parameter', raw: '`RawWaker` parameter' };

const NOUN: Readonly<Record<OwnedKind, string>> = { waker: 'a waker', box: 'a `Box`', arc: 'an `Arc`', raw: 'a `RawWaker`' };

function never(kind: OwnedKind): string {
  return kind === 'waker' ? 'dropped, woken or moved' : 'dropped, moved or turned into a raw pointer';
}

export const cloneWithoutDrop = createRule({
  id: 'clone-without-drop',
  code: 39004,
  description: 'An owned waker that reaches the end of its scope on some path without being consumed or moved (a leak).',
  summary: 'an owned waker that reaches the end of its scope on some path without being consumed or moved',
  defaultLevel: 'error',
  messages: {
    /** `path`: "" on every path, else " when `urgent` is true". */
    leak: (name: string, kind: OwnedKind, path: string) => `\`${name}\` is never ${never(kind)}${path}: it leaks`,
    help: (name: string, kind: OwnedKind) => (kind === 'waker' ? `drop \`${name}\` or declare it with \`using\`` : `drop \`${name}\`, or declare it with \`using\``),
    parameterLeak: (name: string, kind: OwnedKind, path: string) => `${PARAMETER_NOUN[kind]} \`${name}\` is never ${never(kind)}${path}: it leaks`,
    parameterHelp: (name: string, kind: OwnedKind) =>
      kind === 'waker' ? `drop or wake \`${name}\`, or take a \`WakerRef\` if the function only borrows it` : `drop \`${name}\` or move it on: the function owns it`,
    /** `w.clone()` used as a temporary: borrowed, then thrown away. */
    temporaryLeak: () => 'this waker is never dropped, woken or moved: it leaks',
    temporaryDiscarded: () => 'the new waker is only borrowed, then discarded here',
    temporaryHelp: () => 'wake or drop the new waker, or use the borrowed one directly (`wakeByRef()` needs no clone)',
    /** A field or slot assigned while it (may) still hold a waker: `this.waker = w.clone()`. */
    placeOverwrite: (place: string, everyPath: boolean) => `assigning \`${place}\` loses the waker it ${everyPath ? 'still holds' : 'may still hold'}: it leaks`,
    /** `method`: `set` or `delete`, the `Map` call that lets go of the entry's old value. */
    entryOverwrite: (entry: string, method: string, everyPath: boolean) => `\`${method}\` on the entry \`${entry}\` loses the waker it ${everyPath ? 'still holds' : 'may still hold'}: it leaks`,
    /** On the function that runs on every poll: why the place may already hold a waker. */
    placeFilledEarlier: (place: string) => `this runs on every poll (it takes the task's waker by reference): \`${place}\` may hold what an earlier call stored`,
    placeStoredHere: () => 'the old waker was stored here',
    /** `this.queue.splice(index, 1);` as a statement: it takes out owned values nobody consumes. */
    removedDiscarded: (removal: string, kind: OwnedKind, property: string | undefined, optional: boolean) =>
      property
        ? `\`${removal}\` takes out entries whose \`${property}\` ${optional ? 'may still hold' : 'holds'} ${NOUN[kind]}, and discards them: it leaks`
        : `\`${removal}\` takes out ${NOUN[kind]} and discards it: it leaks`,
    /** Captured by a closure that outlives the call (a timer's callback) and only borrows it there. */
    closureLeak: (name: string, kind: OwnedKind) => `\`${name}\` is moved into a closure that never ${kind === 'waker' ? 'drops, wakes or moves' : 'drops or moves'} it: it leaks`,
    closureTakesIt: (name: string) => `the closure takes \`${name}\` here and only borrows it`,
    closureHelp: (name: string, kind: OwnedKind) =>
      kind === 'waker' ? `wake \`${name}\` in the closure (\`${name}.wake()\` consumes it, \`wakeByRef()\` does not), or drop it there when done` : `drop \`${name}\` in the closure when done with it`,
    removedHelp: (fix: string) => `drop what it takes out: \`${fix}\``,
    placeHelp: (place: string) => `drop the old waker first (\`${place}?.drop()\`), or take it out and hand it on`,
  },
});
