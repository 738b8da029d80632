/** Test helpers: a seeded random source and a uniformity statistic. */

/** mulberry32: a small seeded PRNG returning floats in [0, 1), for deterministic sampling tests. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
export function chiSquare(counts: Iterable<number>, expected: number): number {
  let statistic = 0;
  for (const count of counts) statistic += (count - expected) ** 2 / expected;
  return statistic;
}

/** Keys `${prefix}0` .. `${prefix}${count - 1}`. */
export function keyRange(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
}
