import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CustomHashTable,
  HashTable,
  InvalidArgumentError,
  LINEAR_LIMIT,
  type Restamp,
} from '../src/index.js';
import { keyRange, mulberry32 } from './support.js';

/** Mostly keys from a small pool (so that operations hit), some arbitrary latin1. */
const keyArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 60 }).map((i) => `p${i}`) },
  {
    weight: 3,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)),
      maxLength: 12,
    }),
  },
);

/** The stamp a Uint32Array stores for `stamp`. */
const u32 = (stamp: number): number => stamp >>> 0;

describe('HashTable with stamps: edge cases', () => {
  it('stores stamps as Uint32 values', () => {
    const table = new HashTable<string>({ stamps: true });
    const cases: [number, number][] = [
      [0, 0],
      [1, 1],
      [0xff_ffff, 0xff_ffff],
      [2 ** 32 - 1, 4294967295],
      [2 ** 32, 0],
      [2 ** 32 + 5, 5],
      [-1, 4294967295],
      [1.9, 1],
      [Number.NaN, 0],
    ];
    for (const [stamp, stored] of cases) {
      table.set('k', 'v', stamp);
      expect(table.stampOf('k')).toBe(stored);
    }
  });

  it('gives a new entry stamp 0 and keeps an existing stamp when set without one', () => {
    const table = new HashTable<number>({ stamps: true });
    expect(table.set('a', 1)).toBe(true);
    expect(table.stampOf('a')).toBe(0);
    table.set('a', 2, 9);
    expect(table.set('a', 3)).toBe(false);
    expect(table.stampOf('a')).toBe(9);
    expect(table.get('a')).toBe(3);
  });

  it('tells the stamp a swap replaced, and keeps the bits asked for, small or hashed', () => {
    for (const entries of [4, LINEAR_LIMIT * 4]) {
      const table = new HashTable<string>({ stamps: true });
      for (let i = 0; i < entries; i++) table.set(`k${i}`, 'v', 0x0100_0000 * (i % 200) + i);
      const key = `k${entries - 1}`;
      const high = 0x0100_0000 * ((entries - 1) % 200);
      const stamp = high + entries - 1;
      // an existing key: its old stamp; the high byte kept, the low bits written
      expect(table.swap(key, 'w', 0x42, 0xff00_0000)).toBe('v');
      expect(table.replacedStamp).toBe(stamp);
      expect(table.stampOf(key)).toBe(high + 0x42);
      // the same after a stamped read (the write takes the entry it found)
      expect(table.getStamped(key, 0x7, 0xff00_0000)).toBe('w');
      expect(table.stampOf(key)).toBe(high + 0x7);
      expect(table.swap(key, 'x', 0x9)).toBe('w');
      expect(table.replacedStamp).toBe(high + 0x7);
      expect(table.stampOf(key)).toBe(0x9);
      // without a stamp the old one stays, and is still told
      expect(table.swap(key, 'y')).toBe('x');
      expect(table.replacedStamp).toBe(0x9);
      expect(table.setStamp(key, 0x0300_0000, 0x00ff_ffff)).toBe(true);
      expect(table.stampOf(key)).toBe(0x0300_0009);
      // a new key: 0
      expect(table.swap('new', 'v', 5)).toBeUndefined();
      expect(table.replacedStamp).toBe(0);
    }
  });

  it('swap returns the replaced value and stamps as set does', () => {
    const table = new HashTable<string>({ stamps: true });
    expect(table.swap('k', 'one', 5)).toBeUndefined();
    expect(table.stampOf('k')).toBe(5);
    expect(table.swap('k', 'two')).toBe('one');
    expect(table.stampOf('k')).toBe(5);
    expect(table.swap('k', 'three', 6)).toBe('two');
    expect(table.stampOf('k')).toBe(6);
    expect(table.get('k')).toBe('three');
    const plain = new HashTable<string>();
    expect(plain.swap('k', 'one')).toBeUndefined();
    expect(plain.swap('k', 'two')).toBe('one');
  });

  it('getStamped, getRestamped, setStamp and stampOf on present and absent keys', () => {
    const table = new HashTable<string>({ stamps: true });
    expect(table.getStamped('x', 1)).toBeUndefined();
    expect(table.stampOf('x')).toBeUndefined();
    expect(table.setStamp('x', 1)).toBe(false);
    const bump: Restamp = (stamp) => stamp + 10;
    expect(table.getRestamped('x', bump)).toBeUndefined();
    expect(table.size).toBe(0);
    table.set('x', 'v', 3);
    expect(table.getStamped('x', 4)).toBe('v');
    expect(table.stampOf('x')).toBe(4);
    expect(table.getRestamped('x', bump)).toBe('v');
    expect(table.stampOf('x')).toBe(14);
    expect(table.setStamp('x', 2)).toBe(true);
    expect(table.stampOf('x')).toBe(2);
    table.checkInvariants();
  });

  it('keeps every stamp through the linear page growth and the switch to hashed', () => {
    const table = new HashTable<number>({ stamps: true });
    const keys = keyRange('k', LINEAR_LIMIT + 2);
    keys.forEach((key, i) => {
      table.set(key, i, 1000 + i);
      table.checkInvariants();
      expect(table.stats().layout).toBe(i < LINEAR_LIMIT ? 'linear' : 'hashed');
      for (let j = 0; j <= i; j++) expect(table.stampOf(keys[j]!)).toBe(1000 + j);
    });
  });

  it('a freed slot reused by a new entry does not keep the old stamp', () => {
    for (const count of [3, 40]) {
      const table = new HashTable<number>({ stamps: true });
      const keys = keyRange('k', count);
      for (const key of keys) table.set(key, 0, 77);
      table.delete(keys[0]!);
      table.set('fresh', 1);
      expect(table.stampOf('fresh')).toBe(0);
      table.checkInvariants();
    }
  });

  it('keeps stamps through compaction (entries moved) and shrinking', () => {
    const table = new HashTable<number>({ stamps: true, seed: 3 });
    const keys = keyRange('k', 5000);
    keys.forEach((key, i) => table.set(key, i, i * 7));
    // delete all but every 50th key: the pool compacts, the table shrinks
    keys.forEach((key, i) => {
      if (i % 50 !== 0) table.delete(key);
    });
    while (table.rehashStep(1000));
    table.checkInvariants();
    const stats = table.stats();
    expect(stats.freeSlots).toBe(0);
    expect(stats.slots).toBe(100);
    keys.forEach((key, i) => {
      expect(table.stampOf(key)).toBe(i % 50 === 0 ? i * 7 : undefined);
    });
  });

  it('keeps stamps beside the hashes across pages (grown, compacted, given back)', () => {
    // past two pages of 2^14 entries: stamps live in the meta pages, which grow page by page
    // and are given back with the entries; each stamp must stay with its own entry
    const table = new HashTable<number>({ stamps: true, seed: 11 });
    const keys = keyRange('k', 40_000);
    const stampFor = (i: number): number => (i * 2_654_435_761) >>> 0; // uses all 32 bits
    keys.forEach((key, i) => table.set(key, i, stampFor(i)));
    table.checkInvariants();
    keys.forEach((key, i) => {
      if (i % 3 === 0) table.setStamp(key, stampFor(i + 1));
    });
    keys.forEach((key, i) => {
      if (i % 10 !== 0) table.delete(key);
    });
    while (table.rehashStep(1000));
    table.checkInvariants();
    // compacted: entries of the third page moved down, pages above the top given back
    expect(table.stats().slots).toBeLessThan(2 ** 14);
    keys.forEach((key, i) => {
      const expected = i % 10 !== 0 ? undefined : stampFor(i % 3 === 0 ? i + 1 : i);
      expect(table.stampOf(key)).toBe(expected);
    });
  });

  it('a write right after a stamped read takes the found entry, never a freed or moved one', () => {
    for (const count of [5, 100]) {
      const table = new HashTable<string>({ stamps: true });
      for (const key of keyRange('k', count)) table.set(key, 'old', 1);
      // read, delete, write: the write inserts again
      expect(table.getStamped('k1', 2)).toBe('old');
      table.delete('k1');
      expect(table.swap('k1', 'new')).toBeUndefined();
      expect(table.get('k1')).toBe('new');
      expect(table.stampOf('k1')).toBe(0);
      // read, clear, write
      table.getStamped('k2', 3);
      table.clear();
      expect(table.swap('k2', 'again', 4)).toBeUndefined();
      expect(table.size).toBe(1);
      table.checkInvariants();
    }
    // read, then compaction moves the entry (other operations run it), then write
    const table = new HashTable<string>({ stamps: true, seed: 5 });
    const keys = keyRange('k', 4000);
    for (const key of keys) table.set(key, 'old', 1);
    const last = keys[keys.length - 1]!; // the top of the pool: compaction moves it first
    // an open iterator holds compaction back until the read is done
    const iterator = table.keys();
    iterator.next();
    for (const key of keys.slice(0, -1)) if (key !== 'k7') table.delete(key);
    expect(table.stats().slots).toBe(4000);
    expect(table.getStamped(last, 9)).toBe('old');
    iterator.return?.(undefined);
    for (let i = 0; i < 100; i++) table.get('absent');
    expect(table.stats().slots).toBeLessThan(100); // the top entries have moved down
    expect(table.swap(last, 'new', 10)).toBe('old');
    expect(table.get(last)).toBe('new');
    expect(table.stampOf(last)).toBe(10);
    expect(table.get('k7')).toBe('old');
    table.checkInvariants();
  });

  it('touch between a stamped read and the write that follows it changes nothing', () => {
    const table = new HashTable<string>({ stamps: true, seed: 9 });
    const keys = keyRange('k', 3000);
    for (const key of keys) table.set(key, `v${key}`, 1);
    // add keys until a resize starts: a rehash in progress, most keys in the older bucket array
    let added = 0;
    while (table.stats().rehashingLeft === 0) table.set(`n${added++}`, 'new', 2);
    expect(table.stats().rehashingLeft).toBeGreaterThan(1000);
    expect(table.getStamped('k7', 5)).toBe('vk7');
    table.touch([...keys.slice(0, 100), 'absent', 'n1'], 0, 1);
    table.touch(keys, 1, 37);
    expect(table.swap('k7', 'w', 6)).toBe('vk7');
    expect(table.stampOf('k7')).toBe(6);
    for (const key of keys) expect(table.get(key)).toBe(key === 'k7' ? 'w' : `v${key}`);
    table.checkInvariants();
  });

  it('clear drops the stamps with the entries', () => {
    const table = new HashTable<number>({ stamps: true });
    for (const key of keyRange('k', 100)) table.set(key, 1, 5);
    table.clear();
    table.checkInvariants();
    expect(table.stampOf('k1')).toBeUndefined();
    table.set('k1', 1);
    expect(table.stampOf('k1')).toBe(0);
  });

  it('sampleStamped reports each sampled entry with its stamp, and lets the visitor delete', () => {
    const table = new HashTable<number>({ stamps: true, random: mulberry32(1) });
    expect(table.sampleStamped(5, () => expect.unreachable())).toBe(0);
    const keys = keyRange('k', 300);
    keys.forEach((key, i) => table.set(key, i, i + 1));
    for (const count of [0, 1, 5, 150, 300, 1000]) {
      const seen = new Set<string>();
      const visited = table.sampleStamped(count, (key, value, stamp) => {
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        expect(stamp).toBe(value + 1);
      });
      expect(visited).toBe(Math.min(count, 300));
      expect(seen.size).toBe(visited);
    }
    const deleted: string[] = [];
    table.sampleStamped(20, (key) => {
      table.delete(key);
      deleted.push(key);
    });
    expect(deleted.length).toBe(20);
    expect(table.size).toBe(280);
    table.checkInvariants();
  });

  it('works on a CustomHashTable', () => {
    const table = new CustomHashTable<number, string>({ hash: (key) => key, stamps: true });
    for (let i = 0; i < 40; i++) table.set(i, `v${i}`, i * 3);
    for (let i = 0; i < 40; i++) expect(table.getStamped(i, i)).toBe(`v${i}`);
    for (let i = 0; i < 40; i++) expect(table.stampOf(i)).toBe(i);
    table.checkInvariants();
  });

  it('refuses the stamp methods on a table created without stamps', () => {
    const table = new HashTable<number>();
    table.set('k', 1);
    const calls: (() => unknown)[] = [
      () => table.set('k', 1, 5),
      () => table.swap('k', 1, 5),
      () => table.getStamped('k', 1),
      () => table.getRestamped('k', (stamp) => stamp),
      () => table.stampOf('k'),
      () => table.setStamp('k', 1),
      () => table.sampleStamped(1, () => undefined),
    ];
    for (const call of calls) expect(call).toThrow(InvalidArgumentError);
    expect(table.get('k')).toBe(1);
    expect(() => new HashTable({ stamps: 'yes' as unknown as boolean })).toThrow(
      'options.stamps must be a boolean',
    );
    expect(() => new HashTable<number>({ stamps: true }).sampleStamped(-1, () => 0)).toThrow(
      InvalidArgumentError,
    );
  });
});

type Op =
  | { kind: 'set'; key: string; value: number; stamp: number | undefined }
  | { kind: 'swap'; key: string; value: number; stamp: number | undefined; keep: number }
  | { kind: 'delete'; key: string }
  | { kind: 'readThenSwap'; key: string; value: number; stamp: number }
  | { kind: 'getStamped'; key: string; stamp: number; keep: number }
  | { kind: 'getRestamped'; key: string }
  | { kind: 'reread'; stamp: number; restamped: boolean }
  | { kind: 'setStamp'; key: string; stamp: number; keep: number }
  | { kind: 'fill'; prefix: string; count: number; stamp: number }
  | { kind: 'drain'; keepEvery: number }
  | { kind: 'rehash'; budget: number }
  | { kind: 'clear' }
  | { kind: 'iterate'; deleteEvery: number }
  | { kind: 'scan'; count: number }
  | { kind: 'sample'; count: number };

const stampArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 0xff_ffff }),
  fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32 + 3, -2),
);
/** The bits of the old stamp a write keeps: none (the default), the high byte, any. */
const keepArbitrary = fc.oneof(
  fc.constant(0),
  fc.constant(0xff00_0000),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
);

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('set'),
      key: keyArbitrary,
      value: fc.integer(),
      stamp: fc.option(stampArbitrary, { nil: undefined }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('swap'),
      key: keyArbitrary,
      value: fc.integer(),
      stamp: fc.option(stampArbitrary, { nil: undefined }),
      keep: keepArbitrary,
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete'), key: keyArbitrary }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('readThenSwap'),
      key: keyArbitrary,
      value: fc.integer(),
      stamp: stampArbitrary,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('getStamped'),
      key: keyArbitrary,
      stamp: stampArbitrary,
      keep: keepArbitrary,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('getRestamped'), key: keyArbitrary }) },
  // the key a stamped lookup found last, again, after whatever ran between (its found id is
  // kept: deletes, drains, fills and clears must forget it)
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reread'),
      stamp: stampArbitrary,
      restamped: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('setStamp'),
      key: keyArbitrary,
      stamp: stampArbitrary,
      keep: keepArbitrary,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fill'),
      prefix: fc.constantFrom('f', 'g', 'p'),
      count: fc.integer({ min: 1, max: 700 }),
      stamp: stampArbitrary,
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
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('iterate'),
      deleteEvery: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('scan'), count: fc.integer({ min: 1, max: 50 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('sample'), count: fc.integer({ min: 0, max: 40 }) }),
  },
);

/** The LFU-like restamp of the model test: made once. */
const restamp: Restamp = (stamp) => (stamp * 3 + 1) % 1000;

type Model = Map<string, [value: number, stamp: number]>;

function put(model: Model, key: string, value: number, stamp: number | undefined): void {
  const old = model.get(key);
  model.set(key, [value, stamp === undefined ? (old?.[1] ?? 0) : u32(stamp)]);
}

/** The stamp a write of `stamp` keeping the bits `keep` leaves on an entry (0 for a new one). */
function kept(
  entry: [value: number, stamp: number] | undefined,
  { stamp, keep }: { stamp: number; keep: number },
): number {
  const old = entry?.[1] ?? 0;
  // bit by bit: the old stamp's bit where keep has one, ORed with the new stamp's
  let result = 0;
  const fresh = u32(stamp | 0);
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    const fromOld = Math.floor(old / mask) % 2 === 1 && Math.floor(u32(keep) / mask) % 2 === 1;
    const fromNew = Math.floor(fresh / mask) % 2 === 1;
    if (fromOld || fromNew) result += mask;
  }
  return result;
}

/** The key of the last stamped lookup of the run (what 'reread' reads again). */
let lastRead = 'p0';

/** Applies one operation to the table and to the model, checking the table's answer. */
function step(table: HashTable<number>, model: Model, op: Op): void {
  if (op.kind === 'getStamped' || op.kind === 'getRestamped' || op.kind === 'readThenSwap') {
    lastRead = op.key;
  }
  switch (op.kind) {
    case 'set':
      expect(table.set(op.key, op.value, op.stamp)).toBe(!model.has(op.key));
      put(model, op.key, op.value, op.stamp);
      break;
    case 'swap': {
      const old = model.get(op.key);
      expect(table.swap(op.key, op.value, op.stamp, op.keep)).toBe(old?.[0]);
      // the entry's stamp before the swap, 0 for a key the swap added
      expect(table.replacedStamp).toBe(old?.[1] ?? 0);
      put(
        model,
        op.key,
        op.value,
        op.stamp === undefined ? undefined : kept(old, { stamp: op.stamp, keep: op.keep }),
      );
      break;
    }
    case 'delete':
      expect(table.delete(op.key)).toBe(model.delete(op.key));
      break;
    case 'readThenSwap': {
      // a keyspace's SET: the write of the key just read takes the found entry without a find
      const entry = model.get(op.key);
      expect(table.getStamped(op.key, op.stamp)).toBe(entry?.[0]);
      if (entry !== undefined) entry[1] = u32(op.stamp);
      table.checkInvariants();
      expect(table.swap(op.key, op.value)).toBe(entry?.[0]);
      put(model, op.key, op.value, undefined);
      break;
    }
    case 'getStamped': {
      const entry = model.get(op.key);
      expect(table.getStamped(op.key, op.stamp, op.keep)).toBe(entry?.[0]);
      if (entry !== undefined) entry[1] = kept(entry, op);
      break;
    }
    case 'getRestamped': {
      const entry = model.get(op.key);
      expect(table.getRestamped(op.key, restamp)).toBe(entry?.[0]);
      if (entry !== undefined) entry[1] = restamp(entry[1]);
      break;
    }
    case 'reread': {
      const entry = model.get(lastRead);
      if (op.restamped) {
        expect(table.getRestamped(lastRead, restamp)).toBe(entry?.[0]);
        if (entry !== undefined) entry[1] = restamp(entry[1]);
      } else {
        expect(table.getStamped(lastRead, op.stamp)).toBe(entry?.[0]);
        if (entry !== undefined) entry[1] = u32(op.stamp);
      }
      break;
    }
    case 'setStamp': {
      const entry = model.get(op.key);
      expect(table.setStamp(op.key, op.stamp, op.keep)).toBe(entry !== undefined);
      if (entry !== undefined) entry[1] = kept(entry, op);
      break;
    }
    case 'fill':
      for (let i = 0; i < op.count; i++) {
        const key = `${op.prefix}${i}`;
        expect(table.set(key, i, op.stamp + i)).toBe(!model.has(key));
        put(model, key, i, op.stamp + i);
      }
      break;
    case 'drain': {
      let index = 0;
      for (const key of [...model.keys()]) {
        if (op.keepEvery === 1 || index++ % op.keepEvery !== 0) {
          expect(table.delete(key)).toBe(true);
          model.delete(key);
        }
      }
      break;
    }
    case 'rehash': {
      let guard = 0;
      while (table.rehashStep(op.budget) && guard++ < 1_000_000);
      break;
    }
    case 'clear':
      table.clear();
      model.clear();
      break;
    case 'iterate': {
      // an open iterator holds compaction back; deletes during it must not disturb the stamps
      let index = 0;
      for (const [key, value] of table) {
        expect(model.get(key)?.[0]).toBe(value);
        if (op.deleteEvery > 0 && index++ % op.deleteEvery === 0) {
          table.delete(key);
          model.delete(key);
        }
      }
      break;
    }
    case 'scan': {
      const seen = new Set<string>();
      let cursor = 0;
      let calls = 0;
      do {
        cursor = table.scan(cursor, op.count, (key, value) => {
          expect(model.get(key)?.[0]).toBe(value);
          seen.add(key);
        });
      } while (cursor !== 0 && ++calls < 1_000_000);
      expect(seen.size).toBe(model.size);
      break;
    }
    case 'sample': {
      const keys = new Set<string>();
      const visited = table.sampleStamped(op.count, (key, value, stamp) => {
        expect(model.get(key)).toEqual([value, stamp]);
        keys.add(key);
      });
      expect(visited).toBe(Math.min(op.count, model.size));
      expect(keys.size).toBe(visited);
      break;
    }
  }
}

describe('HashTable with stamps: model test against Map<key, [value, stamp]>', () => {
  it('agrees with the model on random operation sequences, invariants holding after each step', () => {
    fc.assert(
      fc.property(
        fc.array(opArbitrary, { maxLength: 60 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        fc.integer(),
        (ops, seed, randomSeed) => {
          const table = new HashTable<number>({
            seed,
            random: mulberry32(randomSeed),
            stamps: true,
          });
          const model: Model = new Map();
          lastRead = 'p0';
          for (const op of ops) {
            step(table, model, op);
            table.checkInvariants();
            expect(table.size).toBe(model.size);
          }
          // every entry's stamp, read without touching it
          for (const [key, [value, stamp]] of model) {
            expect(table.get(key)).toBe(value);
            expect(table.stampOf(key)).toBe(stamp);
          }
          table.checkInvariants();
        },
      ),
      { numRuns: 150 },
    );
  });
});
