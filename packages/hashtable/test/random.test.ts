import { describe, expect, it } from 'vitest';
import { HashTable, InvalidArgumentError } from '../src/index.js';
import { chiSquare, keyRange, mulberry32 } from './support.js';

// Chi-square critical values at p = 0.001, for the degrees of freedom used below.
const CRITICAL_39 = 72.05; // 40 categories
const CRITICAL_9 = 27.88; // 10 categories
const CRITICAL_299 = 389.0; // 300 categories (normal approximation)

function table(count: number, seed = 11): HashTable<number> {
  const result = new HashTable<number>({ seed, random: mulberry32(seed) });
  for (const [i, key] of keyRange('k', count).entries()) result.set(key, i);
  return result;
}

function draws(source: () => string | undefined, times: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const key = source()!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('randomKey and randomEntry', () => {
  it('are uniform over a linear table', () => {
    const small = table(10);
    const counts = draws(() => small.randomKey(), 20_000);
    expect(counts.size).toBe(10);
    expect(chiSquare(counts.values(), 2000)).toBeLessThan(CRITICAL_9);
  });

  it('are uniform over a hashed table', () => {
    const large = table(40);
    const counts = draws(() => large.randomEntry()![0], 40_000);
    expect(counts.size).toBe(40);
    expect(chiSquare(counts.values(), 1000)).toBeLessThan(CRITICAL_39);
  });

  it('stay uniform with holes in the pool (compaction held back by an iterator)', () => {
    const sparse = table(1200);
    const iterator = sparse.keys();
    iterator.next();
    for (let i = 0; i < 1200; i++) if (i % 4 !== 0) sparse.delete(`k${i}`);
    expect(sparse.stats().freeSlots).toBeGreaterThan(800);
    const counts = draws(() => sparse.randomKey(), 300_000);
    expect(counts.size).toBe(300);
    expect(chiSquare(counts.values(), 1000)).toBeLessThan(CRITICAL_299);
    iterator.return?.();
  });

  it('return an entry whose value matches its key', () => {
    const large = table(500);
    for (let i = 0; i < 1000; i++) {
      const [key, value] = large.randomEntry()!;
      expect(key).toBe(`k${value}`);
    }
  });

  it.each([
    ['always 0', () => 0],
    ['always just below 1', () => 0.9999999999],
    ['always 1 (out of contract)', () => 1],
    ['NaN (out of contract)', () => Number.NaN],
  ])('terminate with a random source that is %s', (_name, random) => {
    for (const count of [3, 40, 3000]) {
      const holey = new HashTable<number>({ random });
      for (const key of keyRange('k', count)) holey.set(key, 0);
      for (let i = 0; i < count; i += 2) holey.delete(`k${i}`);
      expect(holey.has(holey.randomKey()!)).toBe(true);
      const picked = holey.sample(Math.min(5, holey.size));
      expect(new Set(picked.map(([key]) => key)).size).toBe(picked.length);
      expect(holey.sample(holey.size).length).toBe(holey.size);
    }
  });
});

describe('sample', () => {
  it.each([
    [0, 0],
    [1, 1],
    [5, 5],
    [100, 100],
    [101, 100],
    [1_000_000, 100],
  ])('sample(%i) of 100 entries returns %i distinct entries', (count, expected) => {
    const source = table(100);
    const picked = source.sample(count);
    expect(picked.length).toBe(expected);
    expect(new Set(picked.map(([key]) => key)).size).toBe(expected);
    for (const [key, value] of picked) expect(source.get(key)).toBe(value);
  });

  it('returns every entry, shuffled, when count >= size', () => {
    const source = table(200);
    const all = source.sample(200).map(([key]) => key);
    expect([...all].sort()).toEqual(keyRange('k', 200).sort());
    expect(all).not.toEqual(keyRange('k', 200));
  });

  it('includes each entry with probability count / size (sparse picks)', () => {
    const source = table(40); // 5 * 3 < 40: rejection sampling
    const counts = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      for (const [key] of source.sample(5)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(40);
    expect(chiSquare(counts.values(), 1000)).toBeLessThan(CRITICAL_39);
  });

  it('includes each entry with probability count / size (selection sampling)', () => {
    const source = table(40); // 20 * 3 >= 40: algorithm S
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      for (const [key] of source.sample(20)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(chiSquare(counts.values(), 2000)).toBeLessThan(CRITICAL_39);
  });

  it('puts each entry first with equal probability', () => {
    const source = table(10);
    const counts = draws(() => source.sample(6)[0]![0], 20_000);
    expect(chiSquare(counts.values(), 2000)).toBeLessThan(CRITICAL_9);
  });

  it.each([-1, 1.5, Number.NaN])('rejects count %d', (count) => {
    expect(() => table(5).sample(count)).toThrow(InvalidArgumentError);
    expect(() => table(5).sample(count)).toThrow(
      `count must be a non-negative integer, got ${String(count)}`,
    );
  });
});
