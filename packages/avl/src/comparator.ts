/**
 * Orders two keys: negative when `a` sorts before `b`, positive when after, 0 when equal.
 * It must be a strict weak order and must not change while keys are in a tree.
 *
 * @example
 * const byLength: Comparator<string> = (a, b) => a.length - b.length;
 */
export type Comparator<K> = (a: K, b: K) => number;

/**
 * The default comparator: JavaScript's `<` and `>`, which order numbers numerically, bigints
 * numerically and strings by UTF-16 code units (byte order for latin1 strings). O(1) for
 * numbers, O(length) for strings. NaN compares equal to everything: keep it out of trees.
 *
 * @example
 * [3, 1, 2].sort(naturalOrder); // [1, 2, 3]
 */
export function naturalOrder<K>(a: K, b: K): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
