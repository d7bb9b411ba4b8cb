import { createRule } from './rule';

export const useAfterDrop = createRule({
  id: 'use-after-drop',
  code: 39002,
  description: 'A waker, Box or Arc handle used after it was dropped, including a second drop.',
  summary: 'a waker, Box or Arc handle used after drop, including a second drop',
  defaultLevel: 'error',
  messages: {
    use: (name: string, path: string) => `use of \`${name}\` after it was dropped${path}`,
    consumedHere: (name: string) => `\`${name}\` dropped here`,
    byHelper: (helper: string, everyPath: boolean) => `inside \`${helper}\`${everyPath ? '' : ', on some of its paths'}`,
    help: () => 'clone the value before dropping it if it is needed afterwards',
    secondDropHelp: () => 'remove the second drop: each owned value is released exactly once',
    placeUse: (place: string, everyPath: boolean) => `use of \`${place}\` after its waker was dropped${everyPath ? '' : ' on some paths'}`,
    placeConsumedHere: (place: string, through: string) => `\`${place}\` dropped here${through}`,
    placeHelp: () => 'clear the field once its waker is dropped (`= undefined`)',
  },
});
