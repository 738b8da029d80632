import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCursor } from '../src/cursor.js';
import { CustomHashTable, HashTable, InvalidArgumentError } from '../src/index.js';
import { keyRange } from './support.js';

function fullScan<V>(table: HashTable<V>, count: number): [string, V][] {
  const entries: [string, V][] = [];
  let cursor = 0;
  do {
    const [next, batch] = table.scan(cursor, count);
    entries.push(...batch);
    cursor = next;
  } while (cursor !== 0);
  return entries;
}

describe('scan', () => {
  it('returns a linear table whole, with cursor 0, whatever the count', () => {
    const table = new HashTable<number>();
    for (const [i, key] of keyRange('k', 15).entries()) table.set(key, i);
    const [cursor, entries] = table.scan(0, 1);
    expect(cursor).toBe(0);
    expect(entries).toEqual(keyRange('k', 15).map((key, i) => [key, i]));
    // a cursor left over from a larger table also gets everything
    expect(table.scan(12345, 1)[1].length).toBe(15);
  });

  it('returns each entry exactly once when the table does not change', () => {
    const table = new HashTable<number>({ seed: 1 });
    for (const [i, key] of keyRange('k', 5000).entries()) table.set(key, i);
    for (const count of [1, 10, 1000, 100_000]) {
      const entries = fullScan(table, count);
      expect(entries.length).toBe(5000);
      expect(new Set(entries.map(([key]) => key)).size).toBe(5000);
    }
  });

  it('returns each entry exactly once in the middle of a rehash', () => {
    const table = new HashTable<number>({ seed: 1 });
    for (const key of keyRange('k', 4097)) table.set(key, 0);
    table.has('x'); // one step of the 4096 -> 8192 rehash
    expect(table.stats().rehashingLeft).toBeGreaterThan(0);
    const entries = fullScan(table, 7);
    expect(table.stats().rehashingLeft).toBeGreaterThan(0); // scan does not help rehashing
    expect(new Set(entries.map(([key]) => key)).size).toBe(4097);
    expect(entries.length).toBe(4097);
  });

  it('returns at least count entries per call unless the scan ends', () => {
    const table = new HashTable<number>({ seed: 1 });
    for (const key of keyRange('k', 3000)) table.set(key, 0);
    let cursor = 0;
    do {
      const [next, entries] = table.scan(cursor, 50);
      if (next !== 0) expect(entries.length).toBeGreaterThanOrEqual(50);
      cursor = next;
    } while (cursor !== 0);
  });

  it('visits at most 10 times count buckets per call', () => {
    const table = new HashTable<number>({ seed: 8 });
    const keys = keyRange('k', 1024);
    for (const key of keys) table.set(key, 0);
    // 129 entries in 1024 buckets: just above the 1/8 that would shrink it, many empty runs
    for (const key of keys.slice(129)) table.delete(key);
    while (table.rehashStep(1000));
    expect(table.stats()).toMatchObject({ size: 129, buckets: 1024 });
    let cursor = 0;
    let emptyCalls = 0;
    do {
      const [next, entries] = table.scan(cursor, 1);
      const reachable: number[] = [];
      for (let c = cursor, i = 0; i < 10 && (i === 0 || c !== 0); i++) {
        reachable.push((c = nextCursor(c, 1023)));
      }
      if (entries.length === 0) {
        emptyCalls++;
        // gave up after 10 empty buckets, or reached the end
        expect(next).toBe(reachable.length === 10 ? reachable[9] : 0);
      } else {
        expect(reachable).toContain(next);
      }
      cursor = next;
    } while (cursor !== 0);
    expect(emptyCalls).toBeGreaterThan(0);
  });

  it('the visitor form gets the same entries and cursors as the array form', () => {
    const table = new HashTable<number>({ seed: 4 });
    for (const [i, key] of keyRange('k', 2000).entries()) table.set(key, i);
    let cursor = 0;
    do {
      const [next, expected] = table.scan(cursor, 33);
      const visited: [string, number][] = [];
      expect(table.scan(cursor, 33, (key, value) => visited.push([key, value]))).toBe(next);
      expect(visited).toEqual(expected);
      cursor = next;
    } while (cursor !== 0);
  });

  it('lets the visitor delete what it visits (SCAN with expiry)', () => {
    const table = new HashTable<number>({ seed: 4 });
    for (const [i, key] of keyRange('k', 5000).entries()) table.set(key, i);
    const seen = new Set<string>();
    let cursor = 0;
    do {
      cursor = table.scan(cursor, 20, (key, value) => {
        seen.add(key);
        if (value % 2 === 0) table.delete(key);
      });
    } while (cursor !== 0);
    expect(seen.size).toBe(5000);
    expect(table.size).toBe(2500);
    table.checkInvariants();
  });

  it('allows a scan inside a visitor', () => {
    const table = new HashTable<number>({ seed: 4 });
    for (const key of keyRange('k', 100)) table.set(key, 0);
    let inner = 0;
    table.scan(0, 1, () => {
      inner += table.scan(0, 1000)[1].length;
    });
    expect(inner % 100).toBe(0);
    expect(inner).toBeGreaterThan(0);
  });

  it.each([
    [-1, 1, 'cursor must be an integer in [0, 2^32), got -1'],
    [1.5, 1, 'cursor must be an integer in [0, 2^32), got 1.5'],
    [2 ** 32, 1, 'cursor must be an integer in [0, 2^32), got 4294967296'],
    [Number.NaN, 1, 'cursor must be an integer in [0, 2^32), got NaN'],
    [0, 0, 'count must be a positive integer, got 0'],
    [0, -5, 'count must be a positive integer, got -5'],
    [0, 2.5, 'count must be a positive integer, got 2.5'],
    [0, Infinity, 'count must be a positive integer, got Infinity'],
  ])('scan(%d, %d) throws "%s"', (cursor, count, message) => {
    const table = new HashTable<number>();
    expect(() => table.scan(cursor, count)).toThrow(InvalidArgumentError);
    expect(() => table.scan(cursor, count)).toThrow(message);
  });

  it('accepts the largest cursor', () => {
    const table = new HashTable<number>({ seed: 1 });
    for (const key of keyRange('k', 100)) table.set(key, 0);
    const [cursor] = table.scan(2 ** 32 - 1, 1);
    expect(cursor).toBe(0);
  });
});

describe('scan guarantee: every entry present throughout is returned at least once', () => {
  it('holds across a shrink in the middle of a scan', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const table = new HashTable<number>({ seed });
      const keys = keyRange('k', 8192);
      for (const key of keys) table.set(key, 0);
      while (table.rehashStep(10_000));
      const returned = new Set<string>();
      let cursor = 0;
      for (let call = 0; call < 40; call++) {
        const [next, entries] = table.scan(cursor, 100);
        for (const [key] of entries) returned.add(key);
        cursor = next;
      }
      // keep one key in 64: below 1/8 full, the 8192 buckets shrink to 1024
      const survivors = keys.filter((_, i) => i % 64 === 0);
      for (const [i, key] of keys.entries()) if (i % 64 !== 0) table.delete(key);
      while (table.rehashStep(10_000));
      expect(table.stats().buckets).toBe(1024);
      do {
        const [next, entries] = table.scan(cursor, 100);
        for (const [key] of entries) returned.add(key);
        cursor = next;
      } while (cursor !== 0);
      for (const key of survivors) expect(returned.has(key)).toBe(true);
    }
  });

  type Change =
    | { kind: 'insert'; count: number }
    | { kind: 'delete'; every: number; offset: number }
    | { kind: 'keep'; every: number; offset: number }
    | { kind: 'steps'; count: number };

  const change: fc.Arbitrary<Change> = fc.oneof(
    fc.record({ kind: fc.constant('insert'), count: fc.integer({ min: 0, max: 800 }) }),
    fc.record({
      kind: fc.constant('delete'),
      every: fc.integer({ min: 1, max: 10 }),
      offset: fc.nat(9),
    }),
    // delete all but one key in `every`: shrinks the table
    fc.record({
      kind: fc.constant('keep'),
      every: fc.integer({ min: 9, max: 40 }),
      offset: fc.nat(8),
    }),
    fc.record({ kind: fc.constant('steps'), count: fc.integer({ min: 0, max: 50 }) }),
  );

  it('holds while the table grows and shrinks between calls', () => {
    let runs = 0;
    let runsWithResize = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.array(change, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        (initial, changes, count, seed) => {
          const table = new HashTable<number>({ seed });
          const initialKeys = keyRange('i', initial);
          for (const key of initialKeys) table.set(key, 0);
          const everPresent = new Set(initialKeys);
          const deleted = new Set<string>();
          const returned = new Set<string>();
          let inserted = 0;
          let cursor = 0;
          let call = 0;
          let resized = false;
          do {
            const [next, entries] = table.scan(cursor, count);
            for (const [key] of entries) returned.add(key);
            cursor = next;
            // one change after each of the first calls, then none, so that the scan ends
            const stepChange = changes[call++];
            if (stepChange === undefined) continue;
            const bucketsBefore = table.stats().buckets;
            if (stepChange.kind === 'insert') {
              for (let i = 0; i < stepChange.count; i++) {
                const key = `n${inserted++}`;
                table.set(key, 0);
                everPresent.add(key);
              }
            } else if (stepChange.kind === 'delete' || stepChange.kind === 'keep') {
              const keep = stepChange.kind === 'keep';
              let index = 0;
              for (const key of [...table.keys()]) {
                const hit = index++ % stepChange.every === stepChange.offset % stepChange.every;
                if (hit !== keep) {
                  table.delete(key);
                  deleted.add(key);
                }
              }
            } else {
              for (let i = 0; i < stepChange.count; i++) table.has('absent');
            }
            if (table.stats().buckets !== bucketsBefore) resized = true;
          } while (cursor !== 0);
          for (const key of initialKeys) {
            if (!deleted.has(key)) expect(returned.has(key)).toBe(true);
          }
          for (const key of returned) expect(everPresent.has(key)).toBe(true);
          table.checkInvariants();
          runs++;
          if (resized) runsWithResize++;
        },
      ),
      { numRuns: 120 },
    );
    // the property is only worth something if the table does resize in the middle of scans
    expect(runsWithResize).toBeGreaterThan(runs / 3);
  });

  it('holds for a custom-keyed table whose hash collides a lot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 1500 }),
        fc.array(fc.integer({ min: -600, max: 600 }), { minLength: 1, maxLength: 30 }),
        (initial, deltas) => {
          const table = new CustomHashTable<number, number>({ hash: (key) => key >> 2, seed: 5 });
          for (let i = 0; i < initial; i++) table.set(i, i);
          const returned = new Set<number>();
          const deleted = new Set<number>();
          let next = initial;
          let cursor = 0;
          let call = 0;
          do {
            const [nextCursor, entries] = table.scan(cursor, 5);
            for (const [key] of entries) returned.add(key);
            cursor = nextCursor;
            const delta = deltas[call++] ?? 0;
            if (delta >= 0) for (let i = 0; i < delta; i++) table.set(next++, 0);
            else
              for (const key of [...table.keys()].slice(0, -delta)) {
                table.delete(key);
                deleted.add(key);
              }
          } while (cursor !== 0);
          for (let i = 0; i < initial; i++) if (!deleted.has(i)) expect(returned.has(i)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
