import { createRule } from './rule';

export const useAfterMove = createRule({
  id: 'use-after-move',
  code: 39003,
  description: 'A value used after its ownership moved (passed, assigned, stored, captured, `fromRaw` twice).',
  summary: 'a value used after its ownership moved (passed, assigned, stored, captured, `fromRaw` twice)',
  defaultLevel: 'error',
  messages: {
    use: (name: string, path: string) => `use of \`${name}\` after it was moved${path}`,
    movedHere: () => 'value moved here',
    movedIntoHelper: (helper: string, everyPath: boolean) => `value moved into \`${helper}\`${everyPath ? '' : ' on some of its paths'} here`,
    help: () => 'clone the value before moving it if it is needed afterwards',
    rawWakerHelp: () => 'a `RawWaker` becomes a `Waker` once; clone that waker instead',
    /** A `using` declaration whose value moved: the end of its scope drops what it no longer owns. */
    usingDropsMoved: (name: string, path: string) => `\`${name}\` is declared with \`using\`, so the end of its scope drops it after it was moved${path}`,
    usingDropsHere: (name: string) => `\`${name}\` is dropped here by \`using\``,
    usingHelp: (name: string) => `declare \`${name}\` with \`const\`: the value belongs to where it was moved`,
  },
});
