/**
 * HMap and HTab directly, with hashes chosen by the test: the cases a good hash makes too rare
 * to reach through the public tables (bucket chunks that are never written, long chains).
 */
import { describe, expect, it } from 'vitest';
import { newPage } from '../src/entry-pool.js';
import { HMap } from '../src/hmap.js';
import { CHUNK_SHIFT, HTab } from '../src/htab.js';
import { ScanSink } from '../src/scan-sink.js';

const identity = (key: unknown): number => Number(String(key).slice(1));

describe('HTab', () => {
  it('allocates a small table whole and a large one chunk by chunk', () => {
    const small = new HTab(16);
    expect(small.chunks.length).toBe(1);
    expect(small.chunks[0]!.length).toBe(16);
    const large = new HTab(4 << CHUNK_SHIFT);
    expect(large.chunks).toEqual([null, null, null, null]);
    expect(large.head(3 << CHUNK_SHIFT)).toBe(0);
    large.setHead((3 << CHUNK_SHIFT) + 5, 42);
    expect(large.chunks.map((chunk) => chunk !== null)).toEqual([false, false, false, true]);
    expect(large.head((3 << CHUNK_SHIFT) + 5)).toBe(42);
    expect(large.head((3 << CHUNK_SHIFT) + 6)).toBe(0);
  });
});

describe('HMap with chosen hashes', () => {
  it('shrinks out of a table whose chunks were never written, and scans it meanwhile', () => {
    const buckets = 4 << CHUNK_SHIFT;
    const map = new HMap(newPage(16), 1, null, buckets, null);
    // 100 keys hashed to 0..99: all in the first chunk, the other three stay null
    for (let i = 0; i < 100; i++) map.insert(`k${i}`, i, i);
    expect(map.newer.chunks.slice(1)).toEqual([null, null, null]);
    map.checkInvariants(identity, 100);
    expect(map.remove('k99', 99)).toBe(true);
    // 99 entries in 65536 buckets: below 1/8, shrinking to 128 buckets
    expect(map.older?.mask).toBe(buckets - 1);
    expect(map.newer.mask).toBe(127);
    // a full scan while the shrink is in progress
    const sink = new ScanSink();
    let cursor = 0;
    do cursor = map.scanStep(cursor, sink);
    while (cursor !== 0);
    const keys = new Set<unknown>();
    for (let i = 0; i < sink.length; i += 2) keys.add(sink.items[i]);
    expect(keys.size).toBe(99);
    // the three null chunks cost one unit of work each
    let steps = 0;
    while (map.help(10, true)) steps++;
    expect(map.older).toBeNull();
    expect(steps).toBeLessThan(20);
    map.checkInvariants(identity, 99);
    for (let i = 0; i < 99; i++) expect(map.valueAt(map.find(`k${i}`, i))).toBe(i);
  });

  it('keeps one long chain correct through growth, deletes and compaction', () => {
    const map = new HMap(newPage(16), 1, null, 16, null);
    const hashOf = (): number => 5;
    for (let i = 0; i < 2000; i++) map.insert(`k${i}`, i, 5);
    while (map.help(1000, true));
    map.checkInvariants(hashOf, 2000);
    expect(map.newer.mask + 1).toBe(2048);
    for (let i = 0; i < 2000; i += 3) expect(map.remove(`k${i}`, 5)).toBe(true);
    map.requestCompaction();
    while (map.help(50, true));
    map.checkInvariants(hashOf, 1333);
    for (let i = 0; i < 2000; i++) {
      expect(map.find(`k${i}`, 5) !== 0).toBe(i % 3 !== 0);
    }
  });

  it('ends a rehash when a delete takes the last entry of the older table', () => {
    const map = new HMap(newPage(16), 1, null, 16, null);
    // 17 entries in 16 buckets: growth to 32 starts, nothing migrated yet
    for (let i = 0; i < 17; i++) map.insert(`k${i}`, i, i);
    expect(map.older?.size).toBe(17);
    map.checkInvariants(identity, 17);
    for (let i = 0; i < 17; i++) {
      expect(map.remove(`k${i}`, i)).toBe(true);
      map.checkInvariants(identity, 16 - i);
    }
    expect(map.older).toBeNull();
    expect(map.size).toBe(0);
  });
});
