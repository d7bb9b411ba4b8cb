import { createRule } from './rule';

export const lostWakeup = createRule({
  id: 'lost-wakeup',
  code: 39005,
  description: "A `poll` (or any function that receives a `Context` and returns `Poll`) that returns `Poll.pending()` on a path where the context's waker was neither kept, woken, nor handed on.",
  summary: "a `poll` (or any function taking a `Context` and returning `Poll`) that returns `Poll.pending()` without keeping, waking or handing on the context's waker",
  defaultLevel: 'error',
  messages: {
    /** `fn`: the poll function, `` `poll` `` or `` `pollRead` `` (or "this closure"); `cx`: the context parameter's name; `path`: "" on every path, else " when `urgent` is false". */
    pending: (fn: string, cx: string, path: string) => `${fn} returns \`Poll.pending()\` without keeping or waking \`${cx}\`'s waker${path}: nothing will poll this future again`,
    received: (cx: string) => `\`${cx}\` received here`,
    keptOnOtherPaths: () => 'the waker is kept or woken here, on other paths',
    /** `condition`: the caller's path to the call ("when `this.id === undefined` is false"), if one decides. */
    throughHelper: (condition: string | undefined, helper: string) => `${condition ? `${condition} and` : 'when'} \`${helper}\` keeps nothing`,
    /** `missedWhen`: the helper's own condition ("when `this.closed` is true"), if one decides. */
    helperKeepsNothing: (helper: string, missedWhen: string | undefined) => `\`${helper}\` keeps no waker${missedWhen ? ` ${missedWhen}` : ' on some of its paths'}`,
    /** The path through a loop that polls each child with the context, on which every child it polled was ready. */
    everyChildReady: () => 'when every child it polls is ready',
    help: (cx: string) => `store \`${cx}.waker().clone()\` where the event source will wake it, or pass \`${cx}\` on to the future you are waiting for`,
  },
});
