import { describe, expect, it } from 'vitest';
import { HashTable, REHASHING_WORK } from '../src/index.js';
import { keyRange } from './support.js';

/** Inserts keys until a growth rehash starts; returns the table mid-rehash. */
function growingTable(entries: number): HashTable<number> {
  const table = new HashTable<number>({ seed: 3 });
  const keys = keyRange('k', entries);
  for (const [i, key] of keys.entries()) table.set(key, i);
  return table;
}

describe('progressive rehashing', () => {
  it('grows by doubling once the load factor passes 1', () => {
    const table = new HashTable<number>({ seed: 3 });
    for (const key of keyRange('k', 16)) table.set(key, 0);
    expect(table.stats()).toMatchObject({ buckets: 16, rehashingFrom: 0 });
    table.set('k16', 0);
    // the 17th entry starts the rehash; its insert moves nothing yet
    expect(table.stats()).toMatchObject({ buckets: 32, rehashingFrom: 16, rehashingLeft: 17 });
    // the next operation, even a lookup, helps: 16 buckets and 17 entries fit in one step
    expect(table.get('k0')).toBe(0);
    expect(table.stats()).toMatchObject({ buckets: 32, rehashingFrom: 0, rehashingLeft: 0 });
    table.checkInvariants();
  });

  it(`moves at most ${REHASHING_WORK} units of work per operation`, () => {
    const table = growingTable(8193); // 8192 buckets -> 16384
    expect(table.stats()).toMatchObject({ buckets: 16384, rehashingFrom: 8192 });
    let left = table.stats().rehashingLeft;
    expect(left).toBe(8193);
    let steps = 0;
    while (left > 0) {
      table.has('absent');
      const now = table.stats().rehashingLeft;
      expect(left - now).toBeGreaterThan(0);
      expect(left - now).toBeLessThanOrEqual(REHASHING_WORK);
      left = now;
      steps++;
      table.checkInvariants();
    }
    // 8192 buckets with 8193 entries: about 8193 moves plus the empty buckets, 128 per step
    expect(steps).toBeGreaterThanOrEqual(Math.ceil(8193 / REHASHING_WORK));
    expect(steps).toBeLessThanOrEqual(Math.ceil((8193 + 8192) / REHASHING_WORK));
    expect(table.stats().rehashingFrom).toBe(0);
  });

  it('finds every key while a rehash is half done', () => {
    const table = growingTable(4097);
    for (let i = 0; i < 10; i++) table.has('absent');
    expect(table.stats().rehashingLeft).toBeGreaterThan(0);
    for (const [i, key] of keyRange('k', 4097).entries()) expect(table.get(key)).toBe(i);
    table.checkInvariants();
  });

  it('rehashStep does the work in chunks and reports when it is done', () => {
    const table = growingTable(2049);
    expect(table.stats().rehashingFrom).toBe(2048);
    let calls = 0;
    while (table.rehashStep(100)) calls++;
    expect(calls).toBeGreaterThan(10);
    expect(table.stats()).toMatchObject({ buckets: 4096, rehashingFrom: 0 });
    expect(table.rehashStep()).toBe(false);
    expect(new HashTable().rehashStep()).toBe(false);
    const linear = new HashTable<number>();
    linear.set('a', 1);
    expect(linear.rehashStep(1)).toBe(false);
  });

  it('defers a resize that comes due during a rehash until it ends', () => {
    const table = growingTable(1025); // 1024 -> 2048 buckets, rehash pending
    // more inserts than the new table's buckets, without any step in between being enough
    for (const key of keyRange('x', 3000)) table.set(key, 0);
    table.checkInvariants();
    while (table.rehashStep(1000));
    // 4025 entries: 4096 buckets once the deferred resize has run
    expect(table.stats()).toMatchObject({ size: 4025, buckets: 4096, rehashingFrom: 0 });
  });

  it('shrinks progressively once fewer than 1/8 of the buckets are used', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 5000);
    for (const key of keys) table.set(key, 0);
    while (table.rehashStep(1000));
    expect(table.stats().buckets).toBe(8192);
    // 1023 left: below 8192 / 8, the shrink targets the next power of two, 1024
    for (const key of keys.slice(1023)) table.delete(key);
    expect(table.stats()).toMatchObject({ size: 1023, buckets: 1024, rehashingFrom: 8192 });
    for (const key of keys.slice(0, 1023)) expect(table.has(key)).toBe(true);
    while (table.rehashStep(1000));
    expect(table.stats()).toMatchObject({ buckets: 1024, rehashingFrom: 0 });
    table.checkInvariants();
  });

  it('never shrinks below 16 buckets', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 40);
    for (const key of keys) table.set(key, 0);
    for (const key of keys.slice(1)) table.delete(key);
    while (table.rehashStep(1000));
    expect(table.stats()).toMatchObject({ size: 1, layout: 'hashed', buckets: 16 });
    table.checkInvariants();
  });
});

describe('entry pool compaction', () => {
  it('reuses the slots of deleted entries before growing', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 1000);
    for (const key of keys) table.set(key, 0);
    for (const key of keys.slice(100, 200)) table.delete(key);
    expect(table.stats()).toMatchObject({ slots: 1000, freeSlots: 100 });
    for (const key of keyRange('n', 100)) table.set(key, 0);
    expect(table.stats()).toMatchObject({ slots: 1000, freeSlots: 0, size: 1000 });
    table.checkInvariants();
  });

  it('lowers the top without moving entries when the last slots are deleted', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 1000);
    for (const key of keys) table.set(key, 0);
    for (const key of keys.slice(500, 600)) table.delete(key);
    // deleting the top 400 walks the top down past the free slots below them too
    for (const key of keys.slice(600).reverse()) table.delete(key);
    expect(table.stats()).toMatchObject({ size: 500, slots: 500, freeSlots: 0 });
    table.checkInvariants();
  });

  it('compacts the pool and gives pages back after mass deletes', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 100_000);
    for (const key of keys) table.set(key, 0);
    const full = table.stats();
    expect(full.capacity).toBeGreaterThanOrEqual(100_000);
    // delete 9 of every 10, spread over the pool
    for (const [i, key] of keys.entries()) if (i % 10 !== 0) table.delete(key);
    while (table.rehashStep(10_000));
    const after = table.stats();
    expect(after.size).toBe(10_000);
    // idle steps leave at least half of the slots live
    expect(after.freeSlots).toBeLessThanOrEqual(after.size + 16);
    expect(after.capacity).toBeLessThan(full.capacity / 2);
    for (const [i, key] of keys.entries()) expect(table.has(key)).toBe(i % 10 === 0);
    table.checkInvariants();
  });

  it('compacts to two thirds live, from idle steps', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 3000);
    for (const key of keys) table.set(key, 0);
    // keep every 8th key, with compaction held back by an open iterator, then released
    const iterator = table.keys();
    iterator.next();
    for (const [i, key] of keys.entries()) if (i % 8 !== 0) table.delete(key);
    expect(table.stats().slots).toBe(2993); // the top 7 slots were deleted without moving anything
    iterator.return?.();
    let steps = 0;
    while (table.rehashStep(10)) steps++;
    expect(steps).toBeGreaterThan(200); // 10 units per step
    const { size, slots, freeSlots, capacity } = table.stats();
    expect(size).toBe(375);
    expect(freeSlots * 2).toBeLessThanOrEqual(size);
    expect(slots).toBe(size + freeSlots);
    expect(capacity).toBeLessThan(4 * slots);
    expect(keys.every((key, i) => table.has(key) === (i % 8 === 0))).toBe(true);
    table.checkInvariants();
  });

  it('operations alone compact once fewer than an eighth of the slots are live', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 3000);
    for (const key of keys) table.set(key, 0);
    // delete from the front: the top stays live, so only compaction can lower it
    for (const key of keys.slice(0, 2500)) table.delete(key);
    let { size, slots } = table.stats();
    expect(size).toBe(500);
    expect(slots).toBe(3000); // 2500 free of 3000: more than half, less than seven eighths
    for (const key of keys.slice(2500, 2700)) table.delete(key);
    ({ size, slots } = table.stats());
    expect(size).toBe(300);
    // passing seven eighths free started compaction, which the next operations carried on
    expect(slots).toBeLessThan(3000);
    for (let i = 0; i < 100; i++) table.has('absent');
    expect(table.stats().freeSlots * 2).toBeLessThanOrEqual(300);
    expect(keys.slice(2700).every((key) => table.has(key))).toBe(true);
    table.checkInvariants();
  });

  it('does not compact while an iterator is open', () => {
    const table = new HashTable<number>({ seed: 3 });
    const keys = keyRange('k', 3000);
    for (const key of keys) table.set(key, 0);
    const iterator = table.keys();
    iterator.next();
    for (const [i, key] of keys.entries()) if (i % 8 !== 0) table.delete(key);
    const before = table.stats();
    expect(table.rehashStep(10_000)).toBe(true); // work left, none done
    expect(table.stats()).toEqual(before);
    iterator.return?.();
    while (table.rehashStep(10_000));
    expect(table.stats().slots).toBeLessThan(before.slots);
    table.checkInvariants();
  });
});
