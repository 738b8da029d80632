import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashTable } from '../src/index.js';
import { keyRange } from './support.js';

function filled(count: number): HashTable<number> {
  const table = new HashTable<number>({ seed: 9 });
  for (const [i, key] of keyRange('k', count).entries()) table.set(key, i);
  return table;
}

describe('iteration', () => {
  it('visits entries in insertion order while nothing was deleted', () => {
    const table = filled(100);
    expect([...table.keys()]).toEqual(keyRange('k', 100));
    expect([...table.values()]).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...table.entries()][3]).toEqual(['k3', 3]);
  });

  it.each([5, 15, 16, 1000, 40_000])('survives deleting the current entry, %i entries', (count) => {
    const table = filled(count);
    const visited: string[] = [];
    for (const key of table.keys()) {
      visited.push(key);
      expect(table.delete(key)).toBe(true);
    }
    expect(visited).toEqual(keyRange('k', count));
    expect(table.size).toBe(0);
    table.checkInvariants();
  });

  it('does not visit entries deleted before they are reached, and visits the others once', () => {
    const table = filled(3000);
    const visited: string[] = [];
    for (const [key, value] of table) {
      visited.push(key);
      if (value % 3 === 0) table.delete(`k${value + 1}`); // an entry ahead
      if (value % 5 === 0) table.delete(`k${value - 1}`); // an entry behind
    }
    const skipped = new Set(Array.from({ length: 1000 }, (_, i) => `k${3 * i + 1}`));
    expect(visited).toEqual(keyRange('k', 3000).filter((key) => !skipped.has(key)));
    table.checkInvariants();
  });

  it('visits every entry present throughout exactly once while others are added', () => {
    const table = filled(10);
    const counts = new Map<string, number>();
    let added = 0;
    for (const key of table.keys()) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      // add enough to convert the linear page to the hashed form and to grow twice
      if (added < 200) for (let i = 0; i < 20; i++) table.set(`new${added++}`, 0);
    }
    for (const key of keyRange('k', 10)) expect(counts.get(key)).toBe(1);
    for (const count of counts.values()) expect(count).toBe(1);
    table.checkInvariants();
  });

  it('sees a value changed before the iterator reaches it', () => {
    const table = filled(50);
    const values: number[] = [];
    for (const [key, value] of table) {
      values.push(value);
      if (key === 'k10') table.set('k20', -1);
    }
    expect(values[20]).toBe(-1);
  });

  it('ends when the table is cleared, even if it is refilled', () => {
    const table = filled(100);
    const visited: string[] = [];
    for (const key of table.keys()) {
      visited.push(key);
      if (visited.length === 10) {
        table.clear();
        for (const other of keyRange('again', 100)) table.set(other, 0);
      }
    }
    expect(visited).toEqual(keyRange('k', 10));
  });

  it('forEach passes value, key, table and thisArg, and allows deleting', () => {
    const table = filled(40);
    const seen: string[] = [];
    const context = { prefix: '>' };
    table.forEach(function (this: typeof context, value, key, self) {
      expect(self).toBe(table);
      expect(value).toBe(Number(key.slice(1)));
      seen.push(this.prefix + key);
      self.delete(key);
    }, context);
    expect(seen).toEqual(keyRange('>k', 40));
    expect(table.size).toBe(0);
  });

  it('forEach stops compaction while it runs, and releases it even when the callback throws', () => {
    const table = filled(3000);
    expect(() =>
      table.forEach((value, key) => {
        if (value % 8 !== 0) table.delete(key);
        if (value === 2999) throw new Error('stop');
      }),
    ).toThrow('stop');
    // compaction can run again now
    while (table.rehashStep(1000));
    expect(table.stats().freeSlots * 2).toBeLessThanOrEqual(table.size);
    table.checkInvariants();
  });

  it('keeps exactly-once for entries present throughout, under random deletes and inserts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600 }),
        fc.array(fc.tuple(fc.nat(700), fc.nat(700), fc.boolean()), { maxLength: 400 }),
        (count, actions) => {
          const table = filled(count);
          const present = new Set(keyRange('k', count));
          const touched = new Set<string>();
          const counts = new Map<string, number>();
          let index = 0;
          for (const key of table.keys()) {
            counts.set(key, (counts.get(key) ?? 0) + 1);
            const [a, b, deleteCurrent] = actions[index++ % Math.max(1, actions.length)] ?? [
              0,
              0,
              false,
            ];
            if (actions.length === 0) continue;
            touched.add(`k${a}`);
            table.delete(`k${a}`);
            table.set(`n${b}`, b);
            if (deleteCurrent) {
              touched.add(key);
              table.delete(key);
            }
          }
          for (const key of present) {
            if (!touched.has(key)) expect(counts.get(key)).toBe(1);
          }
          // a key deleted and set again is a new entry, which may be visited again
          for (const [key, value] of counts) if (!touched.has(key)) expect(value).toBe(1);
          table.checkInvariants();
        },
      ),
      { numRuns: 60 },
    );
  });
});
