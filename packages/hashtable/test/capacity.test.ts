import { describe, expect, it } from 'vitest';
import { HashTable } from '../src/index.js';

// Opt-in: BYOR_HASHTABLE_BIG=1 pnpm --filter @byor/hashtable test -- capacity
// Needs about 2 GB of heap and a minute on 2 vCPUs.
const big = process.env.BYOR_HASHTABLE_BIG === '1';
const ENTRIES = 20_000_000;
const MAP_LIMIT = 2 ** 24;

describe.runIf(big)('beyond the size of a V8 Map', () => {
  it(`holds ${ENTRIES.toLocaleString('en-US')} entries, where a Map stops at 2^24`, () => {
    const table = new HashTable<number>({ seed: 1 });
    for (let i = 0; i < ENTRIES; i++) table.set(`k${i}`, i);
    expect(table.size).toBe(ENTRIES);
    for (let i = 0; i < ENTRIES; i += 9973) expect(table.get(`k${i}`)).toBe(i);
    expect(table.get(`k${ENTRIES}`)).toBeUndefined();
    const [key, value] = table.randomEntry()!;
    expect(key).toBe(`k${value}`);
    expect(table.sample(1000).length).toBe(1000);
    for (let i = 0; i < ENTRIES; i += 2) table.delete(`k${i}`);
    expect(table.size).toBe(ENTRIES / 2);
    table.checkInvariants();

    const map = new Map<string, number>();
    expect(() => {
      for (let i = 0; i <= MAP_LIMIT; i++) map.set(`k${i}`, i);
    }).toThrow(RangeError);
    expect(map.size).toBe(MAP_LIMIT); // the 2^24 + 1st set throws
  }, 600_000);
});
