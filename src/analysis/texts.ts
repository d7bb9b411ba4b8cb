// The texts findings carry, made once per distinct text. A finding outlives the
// analysis of its file, and so do its texts: built afresh each time, every one
// is a tree of concatenated strings (11,282 in the 1× worst case, 24 of them
// distinct) that each scavenge copies again and then promotes. A builder that
// remembers its text per arguments hands every finding that says the same thing
// one flat string, and builds nothing when it has said it before.
//
// This module imports nothing, so the rule registry (which imports nothing of
// the analyzer but this) can use it.

/** How many texts one builder remembers before it starts over: a long-lived editor session must not grow without end. */
const REMEMBERED_TEXTS = 2048;

type Text = (...args: never[]) => string;

/**
 * `build`, remembering what it said per arguments (compared as `Map` keys
 * compare them: strings by content, everything else by identity). The texts and
 * the string arguments are kept as copies of their own: a name cut out of a
 * file's source is a slice that would keep the whole source alive.
 */
export function sharedTexts<Build extends Text>(build: Build): Build {
  // One tree of maps per number of arguments, a level per argument; the last level holds the texts.
  let byArity: Map<unknown, unknown>[] = [];
  let remembered = 0;
  const said = (...args: Parameters<Build>): string => {
    let level = (byArity[args.length] ??= new Map());
    const last = args.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(args[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) level.set(ownCopy(args[i]), (next = new Map()));
      level = next;
    }
    const key = last >= 0 ? args[last] : undefined;
    let text = level.get(key) as string | undefined;
    if (text === undefined) {
      if (++remembered > REMEMBERED_TEXTS) {
        byArity = [];
        remembered = 0;
        return ownCopy(build(...args));
      }
      text = ownCopy(build(...args));
      level.set(ownCopy(key), text);
    }
    return text;
  };
  return said as Build;
}

/** `value`, a string as a flat copy that shares nothing (not a slice of a larger string, not a concatenation). */
function ownCopy<Value>(value: Value): Value {
  return typeof value === 'string' ? (JSON.parse(JSON.stringify(value)) as Value) : value;
}

/** `text` itself, as the one flat copy every finding that says it shares (for a text made elsewhere: a fact's label). */
export const sharedText = sharedTexts((text: string) => text);
