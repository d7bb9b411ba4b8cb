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
type Level = Map<unknown, unknown>;

/**
 * `build`, remembering what it said per arguments (compared as `Map` keys
 * compare them: strings by content, everything else by identity). The texts and
 * the string arguments are kept as copies of their own: a name cut out of a
 * file's source is a slice that would keep the whole source alive. A builder of
 * one to three parameters is called without an array of its arguments, so its
 * parameters must be fixed (no rest or default parameters, as no message
 * builder has).
 */
export function sharedTexts<Build extends Text>(build: Build): Build {
  const memory = new TextMemory(build as unknown as (...args: unknown[]) => string);
  switch (build.length) {
    case 1:
      return ((a: unknown) => memory.one(a)) as unknown as Build;
    case 2:
      return ((a: unknown, b: unknown) => memory.two(a, b)) as unknown as Build;
    case 3:
      return ((a: unknown, b: unknown, c: unknown) => memory.three(a, b, c)) as unknown as Build;
    default:
      return ((...args: unknown[]) => memory.any(args)) as unknown as Build;
  }
}

/** What one builder said: a level of maps per argument, the last level holding the texts. */
class TextMemory {
  private texts: Level = new Map();
  /** For a builder of another number of parameters: a tree per number of arguments. */
  private byArity: Level[] = [];
  private remembered = 0;

  constructor(private readonly build: (...args: unknown[]) => string) {}

  one(a: unknown): string {
    const texts = this.texts;
    return (texts.get(a) as string | undefined) ?? this.remember(texts, a, this.build(a));
  }

  two(a: unknown, b: unknown): string {
    const texts = this.level(this.texts, a);
    return (texts.get(b) as string | undefined) ?? this.remember(texts, b, this.build(a, b));
  }

  three(a: unknown, b: unknown, c: unknown): string {
    const texts = this.level(this.level(this.texts, a), b);
    return (texts.get(c) as string | undefined) ?? this.remember(texts, c, this.build(a, b, c));
  }

  any(args: unknown[]): string {
    let texts = (this.byArity[args.length] ??= new Map());
    const last = args.length - 1;
    for (let i = 0; i < last; i++) texts = this.level(texts, args[i]);
    const key = last >= 0 ? args[last] : undefined;
    return (texts.get(key) as string | undefined) ?? this.remember(texts, key, this.build(...args));
  }

  private level(level: Level, key: unknown): Level {
    let next = level.get(key) as Level | undefined;
    if (next === undefined) level.set(ownCopy(key), (next = new Map()));
    return next;
  }

  private remember(texts: Level, key: unknown, built: string): string {
    const text = ownCopy(built);
    if (++this.remembered > REMEMBERED_TEXTS) {
      this.texts = new Map();
      this.byArity = [];
      this.remembered = 0;
    } else {
      texts.set(ownCopy(key), text);
    }
    return text;
  }
}

/** `value`, a string as a flat copy that shares nothing (not a slice of a larger string, not a concatenation). */
function ownCopy<Value>(value: Value): Value {
  return typeof value === 'string' ? (JSON.parse(JSON.stringify(value)) as Value) : value;
}

/** `text` itself, as the one flat copy every finding that says it shares (for a text made elsewhere: a fact's label). */
export const sharedText = sharedTexts((text: string) => text);
