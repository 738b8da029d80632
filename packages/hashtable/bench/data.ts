/**
 * Shared benchmark data: keys shaped like Redis keys, made the way a RESP parser makes them
 * (`buffer.latin1Slice()`: flat one-byte strings), and a seeded shuffle.
 */

/** A seeded PRNG (mulberry32), so that every run sees the same keys and orders. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A string as the server receives it: a fresh flat latin1 string copied out of a Buffer. */
export function fromWire(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

/** `count` distinct keys such as `user:3735928559`, 12 to 15 bytes, in a scrambled order. */
export function makeKeys(count: number): string[] {
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) keys[i] = fromWire(`user:${Math.imul(i, 0x9e3779b1) >>> 0}`);
  return keys;
}

/** A seeded Fisher-Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const copy = items.slice();
  const random = seededRandom(seed);
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = swap;
  }
  return copy;
}

/** Whether the runner's title filter (`pnpm bench -- <regex>`) selects `title`. */
export function selected(title: string): boolean {
  const pattern = process.argv[2];
  return pattern === undefined || new RegExp(pattern, 'i').test(title);
}
