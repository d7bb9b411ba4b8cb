// Cheap text filters: where names occur in a file's text, so walks can skip the
// subtrees that mention none of them without looking at their nodes (speed).

/**
 * Offsets (ascending) where `pattern` (global, whole words) matches `text`, or
 * `undefined` when the text may spell an identifier with a unicode escape
 * (`\u0077ake` is `wake` to the parser): then nothing may be skipped.
 */
export function findMentions(text: string, pattern: RegExp): number[] | undefined {
  return text.includes('\\u') ? undefined : wordOffsets(text, pattern);
}

/** Offsets (ascending) where `pattern` (global) matches `text` as written, escapes and all. */
export function wordOffsets(text: string, pattern: RegExp): number[] {
  const offsets: number[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) offsets.push(match.index);
  return offsets;
}

/**
 * What `wordOffsets(text, pattern)` finds, for a `pattern` whose every match is
 * a whole word of word characters (`wordsPattern` of such words), without a
 * match object per occurrence: `test` moves `lastIndex` to the end of a match,
 * and its start is where the word characters before that end begin.
 */
export function wordStarts(text: string, pattern: RegExp): number[] {
  const offsets: number[] = [];
  pattern.lastIndex = 0;
  while (pattern.test(text)) {
    let start = pattern.lastIndex - 1;
    while (start > 0 && isWordCharacter(text.charCodeAt(start - 1))) start--;
    offsets.push(start);
  }
  return offsets;
}

/**
 * Offsets (ascending) where one of `words` (word characters only) occurs in
 * `text` as a whole word: what `wordOffsets(text, wordsPattern(words))` finds
 * (two whole words never overlap), without a match object per occurrence.
 */
export function wholeWordOffsets(text: string, words: readonly string[]): number[] {
  const offsets: number[] = [];
  for (const word of words) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
      // Bounds checked first: `charCodeAt` outside the text deoptimises the function (as addSegments did).
      const end = at + word.length;
      if ((at === 0 || !isWordCharacter(text.charCodeAt(at - 1))) && (end === text.length || !isWordCharacter(text.charCodeAt(end)))) offsets.push(at);
    }
  }
  return offsets.sort((a, b) => a - b);
}

/** Whether a character code is one `\w` matches (`\b` is a change of it). */
function isWordCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || code === 95 || (code >= 97 && code <= 122);
}

/** Whether a mention starts in `[pos, end)`; `undefined` mentions means "maybe". */
export function mentionedIn(mentions: readonly number[] | undefined, pos: number, end: number): boolean {
  if (!mentions) return true;
  let low = 0;
  let high = mentions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (mentions[middle]! < pos) low = middle + 1;
    else high = middle;
  }
  return low < mentions.length && mentions[low]! < end;
}

/** The offsets of both lists, ascending (each ascending). */
export function mergeMentions(a: readonly number[], b: readonly number[]): number[] {
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(a[i]! <= b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) merged.push(a[i++]!);
  while (j < b.length) merged.push(b[j++]!);
  return merged;
}

/** A global regular expression matching any of `words` as a whole word. */
export function wordsPattern(words: Iterable<string>): RegExp {
  return new RegExp(`\\b(?:${[...words].join('|')})\\b`, 'g');
}

/**
 * Matches any of `names` as a whole identifier, or undefined for none: `$`, `_`
 * and Unicode identifier characters continue an identifier (where `\b` would
 * match `wake` in `$wake` and never match `$slot` at all).
 */
export function identifiersPattern(names: Iterable<string>): RegExp | undefined {
  const escaped = [...names].map((name) => name.replace(/\$/g, '\\$'));
  if (escaped.length === 0) return undefined;
  return new RegExp(`(?<![\\p{ID_Continue}$\\u200c\\u200d])(?:${escaped.join('|')})(?![\\p{ID_Continue}$\\u200c\\u200d])`, 'u');
}
