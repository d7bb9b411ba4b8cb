// Arrays the analyzer's hot paths build, in one elements kind whatever tier V8 runs the code in.
//
// `Array.prototype.map` returns a packed array from the interpreter and a holey
// one once TurboFan has inlined the call. An array then reaches the code that
// reads it in a second map only after its maker is optimised: every optimised
// function it reaches (`solve`, `transferBlock`, the vtable interpreter, …) is
// deoptimised for a map it never saw and compiled again, inside the analysis
// that is being timed (bench/README, the `jit9` work). The other builders
// (`filter`, `slice`, spread, `flatMap`) give the same kind in every tier.
//
// An array is read by index, not by its iterator: the `for…of` here sees arrays,
// sets and maps' values, and in the tiers it runs in it allocated an iterator
// and a result object per element, garbage every unit and vtable site made
// (bench/README, the `worst12c` work).
//
// `mapKeepingSame` maps without copying when nothing changes.

/**
 * One empty list for all the lists that are empty, never written: of the
 * elements kind of an array of objects, as the lists it stands for are (an
 * empty literal would be one of small integers, a second kind of array wherever
 * the lists are read).
 */
export const NO_ITEMS: readonly never[] = ([null] as never[]).slice(1);

/** `items.map(make)`, always packed. */
export function packedMap<T, U>(items: Iterable<T>, make: (item: T, index: number) => U): U[] {
  const result: U[] = [];
  if (Array.isArray(items)) {
    const array: readonly T[] = items;
    for (let index = 0; index < array.length; index++) result.push(make(array[index]!, index));
  } else {
    for (const item of items) result.push(make(item, result.length));
  }
  return result;
}

/** `items.flatMap(make)`, always packed (`flatMap` itself gives a holey array, which would meet packed ones from the single-path case). */
export function packedFlatMap<T, U>(items: Iterable<T>, make: (item: T, index: number) => readonly U[]): U[] {
  const result: U[] = [];
  if (Array.isArray(items)) {
    const array: readonly T[] = items;
    for (let index = 0; index < array.length; index++) pushAll(result, make(array[index]!, index));
  } else {
    let index = 0;
    for (const item of items) pushAll(result, make(item, index++));
  }
  return result;
}

function pushAll<U>(result: U[], made: readonly U[]): void {
  for (let i = 0; i < made.length; i++) result.push(made[i]!);
}

/** `items` mapped by `fn`, or `items` itself, uncopied, when `fn` returns every item unchanged (incremental.ts renumbers results' reads after an edit, and most keep theirs). */
export function mapKeepingSame<T>(items: readonly T[], fn: (item: T) => T): readonly T[] {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const mapped = fn(item);
    if (mapped === item) continue;
    const result = items.slice();
    result[i] = mapped;
    for (let j = i + 1; j < items.length; j++) result[j] = fn(items[j]!);
    return result;
  }
  return items;
}
