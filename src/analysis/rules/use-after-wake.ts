import { createRule } from './rule';

export const useAfterWake = createRule({
  id: 'use-after-wake',
  code: 39001,
  description: 'A waker used after `wake()` consumed it.',
  summary: 'a waker used after `wake()` consumed it',
  defaultLevel: 'error',
  messages: {
    /** `path`: "" on every path, else " when `urgent` is true". */
    use: (name: string, path: string) => `use of \`${name}\` after it was woken${path}`,
    consumedHere: (name: string) => `\`${name}\` woken here`,
    /** Appended to `consumedHere` when a helper of the program wakes it: `everyPath` false when only some of the helper's paths do. */
    byHelper: (helper: string, everyPath: boolean) => `inside \`${helper}\`${everyPath ? '' : ', on some of its paths'}`,
    help: () => 'use `wakeByRef()` if the waker is needed afterwards',
    /** A field or slot used after its waker was woken through it (or through a local that shares it). */
    placeUse: (place: string, everyPath: boolean) => `use of \`${place}\` after its waker was woken${everyPath ? '' : ' on some paths'}`,
    /** `through`: "" or " through `w`". */
    placeConsumedHere: (place: string, through: string) => `\`${place}\` woken here${through}`,
    placeHelp: () => 'use `wakeByRef()` if the waker is needed afterwards, and clear the field once it is consumed',
  },
});
