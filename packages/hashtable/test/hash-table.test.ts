import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashTable, HashTableLayout, LINEAR_LIMIT } from '../src/index.js';
import { keyRange, mulberry32 } from './support.js';

describe('HashTable: edge cases', () => {
  it("touch hands back each touched key's head value: a linear table's own, a hashed one's chain head", () => {
    for (const size of [3, 5_000]) {
      const table = new HashTable<number>();
      for (let i = 0; i < size; i++) table.set(`k${i}`, i);
      const keys = ['k1', 'absent', 'k2', 'k0'];
      const heads: unknown[] = [];
      table.touch(keys, 0, 1, heads);
      expect(heads).toHaveLength(keys.length);
      if (size === 3) expect(heads).toEqual([1, undefined, 2, 0]);
      // hashed: the value at the head of each key's chain, usually the key's own
      else for (const head of heads) if (head !== undefined) expect(head).toBeTypeOf('number');
      // with a start and a step: keys[1], keys[3]
      const stepped: unknown[] = [];
      table.touch(keys, 1, 2, stepped);
      if (size === 3) expect(stepped).toEqual([undefined, 0]);
      expect(table.get('k2')).toBe(2);
    }
  });

  it('starts empty and allocates nothing', () => {
    const table = new HashTable<number>();
    expect(table.size).toBe(0);
    expect(table.get('a')).toBeUndefined();
    expect(table.has('a')).toBe(false);
    expect(table.delete('a')).toBe(false);
    expect(table.randomKey()).toBeUndefined();
    expect(table.randomEntry()).toBeUndefined();
    expect(table.sample(3)).toEqual([]);
    expect(table.scan(0, 10)).toEqual([0, []]);
    expect([...table]).toEqual([]);
    expect(table.stats()).toEqual({
      size: 0,
      layout: HashTableLayout.EMPTY,
      buckets: 0,
      rehashingFrom: 0,
      rehashingLeft: 0,
      slots: 0,
      freeSlots: 0,
      capacity: 0,
    });
    table.checkInvariants();
  });

  it.each([
    ['the empty string', ''],
    ['a NUL byte', '\u0000'],
    ['bytes 128-255', '\u0080\u00ff\u00fe'],
    ['a long key', 'x'.repeat(10_000)],
    ['a non-latin1 key', 'clé-😀-键'],
    ['a lone surrogate', '\ud800'],
    ['__proto__', '__proto__'],
  ])('stores %s as a key', (_name, key) => {
    const table = new HashTable<string>();
    expect(table.set(key, 'v')).toBe(true);
    expect(table.get(key)).toBe('v');
    expect(table.has(key)).toBe(true);
    for (const other of keyRange('k', 40)) table.set(other, other);
    expect(table.get(key)).toBe('v');
    expect(table.delete(key)).toBe(true);
    expect(table.has(key)).toBe(false);
    table.checkInvariants();
  });

  it('set reports whether the key was new', () => {
    const table = new HashTable<number>();
    expect(table.set('a', 1)).toBe(true);
    expect(table.set('a', 2)).toBe(false);
    expect(table.get('a')).toBe(2);
    expect(table.size).toBe(1);
  });

  it('keeps undefined and null values apart from absence', () => {
    const table = new HashTable<number | null | undefined>();
    table.set('u', undefined);
    table.set('n', null);
    expect(table.has('u')).toBe(true);
    expect(table.get('u')).toBeUndefined();
    expect(table.get('n')).toBeNull();
    expect(table.size).toBe(2);
  });

  it('compares keys by value, not by string identity', () => {
    const table = new HashTable<number>();
    const stored = Buffer.from('user:42').toString('latin1');
    table.set(stored, 1);
    for (const other of keyRange('k', 40)) table.set(other, 0);
    const fresh = Buffer.from('user:42').toString('latin1');
    expect(fresh).not.toBe(undefined);
    expect(table.get(fresh)).toBe(1);
    expect(table.get(`user:${42}`)).toBe(1);
  });

  it('getOrSet creates only when absent', () => {
    const table = new HashTable<number[]>();
    let created = 0;
    const create = (): number[] => {
      created++;
      return [];
    };
    const first = table.getOrSet('list', create);
    first.push(1);
    expect(table.getOrSet('list', create)).toBe(first);
    expect(created).toBe(1);
    for (const key of keyRange('k', 40)) table.getOrSet(key, create);
    expect(created).toBe(41);
    expect(table.getOrSet('list', create)).toEqual([1]);
    expect(created).toBe(41);
  });

  it('getOrSet tolerates a create that changes the table', () => {
    const table = new HashTable<number>();
    for (const key of keyRange('k', 30)) table.set(key, 0);
    const value = table.getOrSet('x', () => {
      for (const key of keyRange('k', 30)) table.delete(key);
      table.set('y', 1);
      return 7;
    });
    expect(value).toBe(7);
    expect([...table].sort()).toEqual([
      ['x', 7],
      ['y', 1],
    ]);
    table.checkInvariants();
  });

  it(`holds up to ${LINEAR_LIMIT} entries in linear form, then hashes`, () => {
    const table = new HashTable<number>({ seed: 1 });
    for (let i = 0; i < LINEAR_LIMIT; i++) table.set(`k${i}`, i);
    expect(table.stats()).toMatchObject({ layout: 'linear', size: 15, slots: 15, capacity: 16 });
    table.set('k15', 15);
    expect(table.stats()).toMatchObject({
      layout: 'hashed',
      size: 16,
      buckets: 16,
      slots: 16,
      capacity: 32,
    });
    for (let i = 0; i <= LINEAR_LIMIT; i++) expect(table.get(`k${i}`)).toBe(i);
    table.checkInvariants();
  });

  it('reuses linear holes and trims the top', () => {
    const table = new HashTable<number>();
    for (let i = 0; i < 5; i++) table.set(`k${i}`, i);
    table.delete('k1');
    expect(table.stats()).toMatchObject({ slots: 5, freeSlots: 1 });
    table.set('x', 9);
    expect(table.stats()).toMatchObject({ slots: 5, freeSlots: 0 });
    expect([...table.keys()]).toEqual(['k0', 'x', 'k2', 'k3', 'k4']);
    table.delete('k4');
    table.delete('k3');
    expect(table.stats()).toMatchObject({ slots: 3, freeSlots: 0 });
    table.checkInvariants();
  });

  it('frees everything when the last entry goes', () => {
    const table = new HashTable<number>();
    for (const key of keyRange('k', 1000)) table.set(key, 1);
    for (const key of keyRange('k', 1000)) table.delete(key);
    expect(table.stats()).toMatchObject({ layout: 'empty', buckets: 0, capacity: 0 });
    table.set('again', 1);
    expect(table.stats()).toMatchObject({ layout: 'linear', size: 1 });
    table.checkInvariants();
  });

  it('clear empties a hashed table', () => {
    const table = new HashTable<number>();
    for (const key of keyRange('k', 100)) table.set(key, 1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get('k1')).toBeUndefined();
    expect(table.stats().layout).toBe('empty');
    table.checkInvariants();
  });

  it('is iterable and tagged', () => {
    const table = new HashTable<number>();
    table.set('a', 1);
    table.set('b', 2);
    expect(new Map(table)).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    expect(Object.prototype.toString.call(table)).toBe('[object HashTable]');
  });

  it('places keys the same way for the same seed', () => {
    const order = (seed: number): string[] => {
      const table = new HashTable<number>({ seed });
      for (const key of keyRange('k', 200)) table.set(key, 0);
      return table.scan(0, 1000)[1].map(([key]) => key);
    };
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
  });
});

type Op =
  | { kind: 'set'; key: string; value: number }
  | { kind: 'delete'; key: string }
  | { kind: 'get'; key: string }
  | { kind: 'has'; key: string }
  | { kind: 'getOrSet'; key: string; value: number }
  | { kind: 'fill'; prefix: string; count: number }
  | { kind: 'drain'; keepEvery: number }
  | { kind: 'rehash'; budget: number }
  | { kind: 'clear' }
  | { kind: 'iterate' }
  | { kind: 'scan'; count: number }
  | { kind: 'random' }
  | { kind: 'sample'; count: number }
  | {
      kind: 'touch';
      keys: string[];
      start: number;
      step: number;
      follow: 'get' | 'set' | 'none';
      skip: number;
    };

const latin1 = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)),
  maxLength: 12,
});
/** Mostly keys from a small pool (so that operations hit), some arbitrary latin1, a few UTF-16. */
export const keyArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 60 }).map((i) => `p${i}`) },
  { weight: 3, arbitrary: latin1 },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('set'), key: keyArbitrary, value: fc.integer() }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete'), key: keyArbitrary }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get'), key: keyArbitrary }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('has'), key: keyArbitrary }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('getOrSet'), key: keyArbitrary, value: fc.integer() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fill'),
      prefix: fc.constantFrom('f', 'g', 'p'),
      count: fc.integer({ min: 1, max: 700 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('drain'),
      keepEvery: fc.integer({ min: 1, max: 12 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('rehash'), budget: fc.integer({ min: 1, max: 300 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'iterate' } as const) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('scan'), count: fc.integer({ min: 1, max: 50 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'random' } as const) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('touch'),
      keys: fc.array(keyArbitrary, { maxLength: 80 }),
      start: fc.integer({ min: 0, max: 3 }),
      step: fc.integer({ min: 1, max: 3 }),
      // then the touched keys in the touch's order (as MSET or MGET does), some skipped
      follow: fc.constantFrom('get' as const, 'set' as const, 'none' as const),
      skip: fc.integer({ min: 0, max: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('sample'), count: fc.integer({ min: 0, max: 40 }) }),
  },
);

function sorted(entries: Iterable<[string, number]>): [string, number][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Applies one operation to the table and to the model, checking the table's answer. */
function step(table: HashTable<number>, model: Map<string, number>, op: Op): void {
  switch (op.kind) {
    case 'set':
      expect(table.set(op.key, op.value)).toBe(!model.has(op.key));
      model.set(op.key, op.value);
      break;
    case 'delete':
      expect(table.delete(op.key)).toBe(model.delete(op.key));
      break;
    case 'get':
      expect(table.get(op.key)).toBe(model.get(op.key));
      break;
    case 'has':
      expect(table.has(op.key)).toBe(model.has(op.key));
      break;
    case 'getOrSet': {
      const expected = model.has(op.key) ? model.get(op.key) : op.value;
      expect(table.getOrSet(op.key, () => op.value)).toBe(expected);
      if (!model.has(op.key)) model.set(op.key, op.value);
      break;
    }
    case 'fill':
      for (let i = 0; i < op.count; i++) {
        const key = `${op.prefix}${i}`;
        expect(table.set(key, i)).toBe(!model.has(key));
        model.set(key, i);
      }
      break;
    case 'drain': {
      let index = 0;
      for (const key of [...model.keys()]) {
        if (index++ % op.keepEvery !== 0) {
          expect(table.delete(key)).toBe(true);
          model.delete(key);
        }
      }
      if (op.keepEvery === 1) {
        for (const key of [...model.keys()]) {
          table.delete(key);
          model.delete(key);
        }
      }
      break;
    }
    case 'rehash': {
      let guard = 0;
      while (table.rehashStep(op.budget) && guard++ < 1_000_000);
      expect(table.rehashStep(op.budget)).toBe(false);
      break;
    }
    case 'clear':
      table.clear();
      model.clear();
      break;
    case 'iterate':
      expect(sorted(table.entries())).toEqual(sorted(model.entries()));
      expect([...table.keys()].length).toBe(model.size);
      expect([...table.values()].sort()).toEqual([...model.values()].sort());
      break;
    case 'scan': {
      // a full scan of a table that does not change between calls returns each entry once
      const seen: [string, number][] = [];
      let cursor = 0;
      let calls = 0;
      do {
        const [next, entries] = table.scan(cursor, op.count);
        seen.push(...entries);
        cursor = next;
      } while (cursor !== 0 && ++calls < 1_000_000);
      expect(sorted(seen)).toEqual(sorted(model.entries()));
      break;
    }
    case 'random': {
      const key = table.randomKey();
      if (model.size === 0) expect(key).toBeUndefined();
      else expect(model.has(key!)).toBe(true);
      const entry = table.randomEntry();
      if (model.size === 0) expect(entry).toBeUndefined();
      else expect(model.get(entry![0])).toBe(entry![1]);
      break;
    }
    case 'touch': {
      // changes nothing: then every touched key reads as the model has it
      const before = table.stats();
      const touchedHeads: unknown[] = [];
      table.touch(op.keys, op.start, op.step, touchedHeads);
      expect(table.stats()).toEqual(before);
      // each head value is undefined or some key's value in the model (in a linear table the
      // touched key's own)
      const present = new Set(model.values());
      for (let i = op.start, n = 0; i < op.keys.length && n < 64; i += op.step, n++) {
        const head = touchedHeads[n];
        if (head !== undefined) expect(present.has(head as number)).toBe(true);
        if (table.stats().layout === 'linear') expect(head).toBe(model.get(op.keys[i]!));
      }
      if (op.follow !== 'none') {
        // the touch's hashes are reused by these lookups: every one must still find its key
        for (let i = op.start, n = 0; i < op.keys.length; i += op.step, n++) {
          const key = op.keys[i]!;
          if (op.skip !== 0 && n === op.skip) continue; // one out of order: the rest hash again
          if (op.follow === 'get') expect(table.get(key)).toBe(model.get(key));
          else {
            expect(table.set(key, n)).toBe(!model.has(key));
            model.set(key, n);
          }
        }
        return;
      }
      // the same keys as bytes (a read buffer), each between two bytes of something else
      const bytes = Buffer.from(op.keys.map((key) => `*${key}*`).join(''), 'latin1');
      const starts: number[] = [];
      const ends: number[] = [];
      let at = 0;
      for (const key of op.keys) {
        starts.push(at + 1);
        ends.push(at + 1 + key.length);
        at += key.length + 2;
      }
      const heads: unknown[] = [];
      table.touchBytes(bytes, starts, ends, op.keys.length, heads);
      expect(table.stats()).toEqual(before);
      // each head value is undefined or some key's value in the model
      const modelValues = new Set(model.values());
      heads.slice(0, op.keys.length).forEach((head, i) => {
        if (head !== undefined) expect(modelValues.has(head as number)).toBe(true);
        // a linear table hands back each key's own value
        if (table.stats().layout === 'linear') expect(head).toBe(model.get(op.keys[i]!));
      });
      for (const key of op.keys) expect(table.get(key)).toBe(model.get(key));
      break;
    }
    case 'sample': {
      const picked = table.sample(op.count);
      expect(picked.length).toBe(Math.min(op.count, model.size));
      expect(new Set(picked.map(([key]) => key)).size).toBe(picked.length);
      for (const [key, value] of picked) expect(model.get(key)).toBe(value);
      break;
    }
  }
}

describe('HashTable: model test against Map', () => {
  it('agrees with a Map on random operation sequences, invariants holding after each step', () => {
    fc.assert(
      fc.property(
        fc.array(opArbitrary, { maxLength: 60 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        fc.integer(),
        (ops, seed, randomSeed) => {
          const table = new HashTable<number>({ seed, random: mulberry32(randomSeed) });
          const model = new Map<string, number>();
          for (const op of ops) {
            step(table, model, op);
            table.checkInvariants();
            expect(table.size).toBe(model.size);
          }
          expect(sorted(table)).toEqual(sorted(model));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with a Map while keys collide in the low bits (one seed, many keys)', () => {
    // every set/delete interleaved with lookups of present and absent keys, across resizes
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), {
          minLength: 200,
          maxLength: 3000,
        }),
        (moves) => {
          const table = new HashTable<number>({ seed: 0 });
          const model = new Map<string, number>();
          for (const [insert, n] of moves) {
            const key = `k${n}`;
            if (insert) {
              expect(table.set(key, n)).toBe(!model.has(key));
              model.set(key, n);
            } else {
              expect(table.delete(key)).toBe(model.delete(key));
            }
            expect(table.get(`k${n + 1}`)).toBe(model.get(`k${n + 1}`));
          }
          table.checkInvariants();
          expect(sorted(table)).toEqual(sorted(model));
        },
      ),
      { numRuns: 40 },
    );
  });
});
