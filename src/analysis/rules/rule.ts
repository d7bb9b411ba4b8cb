// What a rule *is*, declared in one place (the shape of typescript-eslint's
// `createRule({ meta, create })`): its id, its stable diagnostic code, what it
// reports, its default level and the builders of every sentence it prints.
// The passes that detect problems (flow/, vtable/, suppress.ts) call the
// builders; front ends, settings and docs read the rest.
//
// Every builder says each distinct text once (`sharedTexts`): findings that
// say the same thing share one flat string.
//
// This module and the rule modules import nothing of the analyzer but
// `texts.ts` (which imports nothing), so `types.ts` can take `RuleId` from the registry without an import cycle.

import { sharedTexts } from '../texts';

/** A configured level: `error` keeps the analyzer's own verdict (error on every path, warning on some). */
export type RuleLevel = 'off' | 'warn' | 'error';

export interface RuleMeta<Id extends string = string> {
  readonly id: Id;
  /**
   * The diagnostic code editors show (`wakerscope(39006)`). Fixed per rule and
   * never reused; in a range TypeScript does not use (a test checks every code
   * in `ts.Diagnostics`), because tsserver picks quick fixes by code.
   */
  readonly code: number;
  /** One or two sentences: ESLint's `docs.description`, SARIF's rule text, the settings. */
  readonly description: string;
  /** A short noun phrase for the README's rule table: "a waker used after `wake()` consumed it". */
  readonly summary: string;
  /** Path of the docs page, relative to the repository root (derived from the id). */
  readonly docs: string;
  readonly defaultLevel: RuleLevel;
  /** What breaking the rule leads to at run time, for hover: "double free". */
  readonly consequence?: string;
}

/** A sentence builder: the arguments are the program's own words (names, counts, "when `urgent` is true"). */
type MessageBuilder = (...args: never[]) => string;

export interface Rule<Id extends string = string, Messages extends Record<string, MessageBuilder> = Record<string, MessageBuilder>> extends RuleMeta<Id> {
  readonly messages: Messages;
}

export function createRule<const Id extends string, Messages extends Record<string, MessageBuilder>>(
  meta: Omit<RuleMeta<Id>, 'docs'> & { readonly messages: Messages },
): Rule<Id, Messages> {
  const messages = {} as Record<string, MessageBuilder>;
  for (const [name, build] of Object.entries(meta.messages)) messages[name] = sharedTexts(build);
  return { ...meta, messages: messages as Messages, docs: `docs/rules/${meta.id}.md` };
}
