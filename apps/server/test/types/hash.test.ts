import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashValue } from '../../src/types/hash.js';
import { StringTable } from '../../src/types/string-table.js';

/**
 * Model test: random operation sequences against a Map (whose insertion order is exactly a
 * listpack's: updates keep their place, deletes close the gap) and a model of the encoding.
 */

type Op =
  | { kind: 'set'; field: string; value: string; maxEntries: number; maxValue: number }
  | { kind: 'delete'; field: string }
  | { kind: 'get'; field: string };

const field = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'd', 'e', '', '1', '01', 'x\x00y'),
  fc.string({ maxLength: 6 }),
);
// short values (kept in the hashtable encoding's arena), and one over its 127 bytes (kept as a string)
const value = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', '12', 'v'.repeat(12), 'w'.repeat(130)),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      field,
      value,
      maxEntries: fc.integer({ min: 0, max: 12 }),
      maxValue: fc.integer({ min: 0, max: 10 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), field }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('get' as const), field }) },
);

function flatOf(model: Map<string, string>): string[] {
  return [...model].flat();
}

describe('HashValue', () => {
  it('matches a Map model, encoding conversions included', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const hash = new HashValue();
        const model = new Map<string, string>();
        let listpack = true;
        for (const step of ops) {
          switch (step.kind) {
            case 'set': {
              if (step.field.length > step.maxValue || step.value.length > step.maxValue)
                listpack = false;
              const isNew = !model.has(step.field);
              model.set(step.field, step.value);
              if (model.size > step.maxEntries) listpack = false;
              expect(hash.set(step.field, step.value, step.maxEntries, step.maxValue)).toBe(isNew);
              break;
            }
            case 'delete':
              expect(hash.delete(step.field)).toBe(model.delete(step.field));
              break;
            case 'get':
              expect(hash.get(step.field)).toBe(model.get(step.field));
              expect(hash.has(step.field)).toBe(model.has(step.field));
              break;
          }
          hash.checkInvariants();
          expect(hash.size).toBe(model.size);
          expect(hash.encoding()).toBe(listpack ? 'listpack' : 'hashtable');
          if (listpack) expect([...hash.pairs()]).toEqual(flatOf(model));
          else expect(new Map([...hash.entries()])).toEqual(model);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random pairs, distinct samples, scans and clones agree with the contents', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        (fields, count, table) => {
          const hash = new HashValue();
          for (const f of fields) hash.set(f, `v:${f}`, 512, 64);
          if (table) hash.convertToHashtable();
          const valueOf = (f: string) => `v:${f}`;

          const random: string[] = [];
          hash.randomPairs(count, random);
          expect(random).toHaveLength(count * 2);
          for (let i = 0; i < random.length; i += 2) {
            expect(fields).toContain(random[i]);
            expect(random[i + 1]).toBe(valueOf(random[i]!));
          }

          const sample = hash.sampleDistinct(count);
          const sampled = sample.filter((_, i) => i % 2 === 0);
          expect(sampled).toHaveLength(Math.min(count, fields.length));
          expect(new Set(sampled).size).toBe(sampled.length);
          for (let i = 0; i < sample.length; i += 2)
            expect(sample[i + 1]).toBe(valueOf(sample[i]!));

          const scanned = new Map<string, string>();
          let cursor = 0;
          let calls = 0;
          do {
            cursor = hash.scan(cursor, 3, (f, v) => scanned.set(f, v));
            calls++;
          } while (cursor !== 0 && calls < 1000);
          expect(cursor).toBe(0);
          expect(scanned).toEqual(new Map(fields.map((f) => [f, valueOf(f)])));
          if (!table) expect(calls).toBe(1);

          const copy = hash.clone();
          expect(copy.encoding()).toBe(hash.encoding());
          expect([...copy.entries()]).toEqual([...hash.entries()]);
          copy.set('fresh field', 'x', 512, 64);
          expect(hash.has('fresh field')).toBe(false);
          copy.checkInvariants();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a hashtable scan returns every field present for the whole scan, despite writes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 200 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        (size, writes, count) => {
          const hash = new HashValue();
          for (let i = 0; i < size; i++) hash.set(`f${i}`, 'v', 0, 64);
          expect(hash.encoding()).toBe('hashtable');
          const touched = new Set<string>();
          const seen = new Set<string>();
          let cursor = 0;
          let step = 0;
          do {
            cursor = hash.scan(cursor, count, (f) => seen.add(f));
            // between calls: add or delete fields
            for (const [add, n] of writes.slice(step * 3, step * 3 + 3)) {
              touched.add(`f${n}`);
              if (add) hash.set(`f${n}`, 'w', 0, 64);
              else hash.delete(`f${n}`);
            }
            step++;
          } while (cursor !== 0);
          for (let i = 0; i < size; i++) {
            const f = `f${i}`;
            if (!touched.has(f)) expect(seen.has(f)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fields of one length that differ in one char anywhere, short and long', () => {
    // lpFind compares a short field char by char from the end, a long one with startsWith
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 31, 32, 33, 100),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('a', 'b', 'c'),
            fc.boolean(),
            fc.string({ maxLength: 4 }),
          ),
          { maxLength: 40 },
        ),
        (length, steps) => {
          const hash = new HashValue();
          const model = new Map<string, string>();
          for (const [position, char, remove, value] of steps) {
            const at = position % length;
            const field = 'x'.repeat(at) + char + 'x'.repeat(length - at - 1);
            if (remove) expect(hash.delete(field)).toBe(model.delete(field));
            else expect(hash.set(field, value, 512, 1000)).toBe(!model.has(field));
            if (!remove) model.set(field, value);
            expect(hash.encoding()).toBe('listpack');
            for (const [f, v] of model) expect(hash.get(f)).toBe(v);
            expect(hash.has('x'.repeat(length))).toBe(false);
          }
          expect([...hash.pairs()]).toEqual(flatOf(model));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('long items: multi-char length headers in the listpack', () => {
    const lengths = [0, 1, 127, 128, 129, 300, 16383, 16384, 70000];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...lengths), fc.constantFrom(...lengths), fc.boolean()), {
          maxLength: 20,
        }),
        (steps) => {
          const hash = new HashValue();
          const model = new Map<string, string>();
          for (const [fieldLength, valueLength, remove] of steps) {
            const field = 'f'.repeat(fieldLength);
            const value = String.fromCharCode(0x80 + (valueLength % 100)).repeat(valueLength);
            if (remove) expect(hash.delete(field)).toBe(model.delete(field));
            else expect(hash.set(field, value, 512, 100_000)).toBe(!model.has(field));
            if (!remove) model.set(field, value);
            hash.checkInvariants();
            expect(hash.encoding()).toBe('listpack');
            expect([...hash.pairs()]).toEqual(flatOf(model));
            for (const [f, v] of model) expect(hash.get(f)).toBe(v);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a hashtable encoding gives back its arena pages once most fields are deleted', () => {
    const table = new StringTable();
    const model = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const value = i % 101 === 0 ? 'L'.repeat(130) : `value:${i}`.padEnd(10 + (i % 13), '.');
      table.set(`field:${i}`, value);
      model.set(`field:${i}`, value);
    }
    const full = table.reservedBytes;
    for (let i = 0; i < 20_000; i++) {
      if (i % 200 === 0) continue;
      expect(table.delete(`field:${i}`)).toBe(true);
      model.delete(`field:${i}`);
      if (i % 997 === 0) table.checkInvariants();
    }
    table.checkInvariants();
    expect(new Map(table.entries())).toEqual(model);
    // (an arena of up to 4,096 slots is kept however few of them are used)
    expect(table.reservedBytes).toBeLessThan(full / 5);
    // and it goes on working on the moved values
    table.set('field:200', 'changed');
    model.set('field:200', 'changed');
    table.set('new', 'v');
    model.set('new', 'v');
    table.checkInvariants();
    expect(new Map(table.entries())).toEqual(model);
  });

  it('edge cases: empty fields and values, limits of zero, memory estimate', () => {
    const hash = new HashValue();
    expect(hash.type).toBe('hash');
    expect(hash.size).toBe(0);
    expect(hash.encoding()).toBe('listpack');
    expect(hash.set('', '', 512, 0)).toBe(true);
    expect(hash.get('')).toBe('');
    expect(hash.encoding()).toBe('listpack');
    expect(hash.set('a', '1', 1, 64)).toBe(true);
    expect(hash.encoding()).toBe('hashtable');
    expect(hash.get('a')).toBe('1');
    expect(hash.delete('a')).toBe(true);
    expect(hash.encoding()).toBe('hashtable');
    const small = new HashValue();
    small.set('x', 'y', 0, 64);
    expect(small.encoding()).toBe('hashtable');
    const lowered = new HashValue();
    lowered.set('a', '1', 512, 64);
    lowered.set('b', '2', 512, 64);
    lowered.set('a', '3', 1, 64); // an update re-checks the (lowered) entry limit
    expect(lowered.encoding()).toBe('hashtable');
    expect(new HashValue().memoryUsage()).toBeGreaterThan(0);
    expect(lowered.memoryUsage()).toBeGreaterThan(new HashValue().memoryUsage());
  });
});
