import fc from 'fast-check';
import { HashValue } from '../../src/types/hash.js';
import { ListValue } from '../../src/types/list.js';
import { SetValue } from '../../src/types/set.js';
import { ZSet, type ZSetLimits } from '../../src/types/zset.js';
import type { Value } from '../../src/values.js';

/** A value as plain data, in a canonical order (sets sorted, hashes by field unless ordered). */
export type Plain =
  | { type: 'string'; value: string }
  | { type: 'list'; items: string[] }
  | { type: 'set'; members: string[] }
  | { type: 'zset'; entries: [string, number][] }
  | { type: 'hash'; pairs: [string, string][] };

export interface Limits {
  hashEntries: number;
  hashValue: number;
  intsetEntries: number;
  zset: ZSetLimits;
}

export const DEFAULT_LIMITS: Limits = {
  hashEntries: 128,
  hashValue: 64,
  intsetEntries: 512,
  zset: { maxListpackEntries: 128, maxListpackValue: 64 },
};

/** Builds a byor value from plain data, as the commands would (HSET, SADD, ZADD, RPUSH). */
export function build(plain: Plain, limits: Limits = DEFAULT_LIMITS): Value {
  switch (plain.type) {
    case 'string':
      return plain.value;
    case 'list':
      return ListValue.from(plain.items);
    case 'set': {
      const set = SetValue.forMember(plain.members[0] ?? '');
      for (const member of plain.members) set.add(member, limits.intsetEntries);
      return set;
    }
    case 'zset': {
      const zset = ZSet.create(limits.zset, plain.entries[0]?.[0].length ?? 0);
      for (const [member, score] of plain.entries) zset.add(member, score, {}, limits.zset);
      return zset;
    }
    case 'hash': {
      const hash = new HashValue();
      for (const [field, value] of plain.pairs)
        hash.set(field, value, limits.hashEntries, limits.hashValue);
      return hash;
    }
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The plain data of a byor value (canonical order). */
export function plainOf(value: Value): Plain {
  if (typeof value === 'string') return { type: 'string', value };
  if (value instanceof ListValue) return { type: 'list', items: value.toArray() };
  if (value instanceof SetValue) return { type: 'set', members: value.members().sort(byText) };
  if (value instanceof ZSet) return { type: 'zset', entries: [...value.entries()] };
  if (value instanceof HashValue)
    return { type: 'hash', pairs: [...value.entries()].sort((a, b) => byText(a[0], b[0])) };
  throw new Error(`unexpected value ${value.type}`);
}

/** Plain data in canonical order (as plainOf returns it). */
export function canonical(plain: Plain): Plain {
  switch (plain.type) {
    case 'set':
      return { type: 'set', members: [...plain.members].sort(byText) };
    case 'zset':
      return {
        type: 'zset',
        entries: [...plain.entries].sort((a, b) => a[1] - b[1] || byText(a[0], b[0])),
      };
    case 'hash':
      return { type: 'hash', pairs: [...plain.pairs].sort((a, b) => byText(a[0], b[0])) };
    case 'list':
    case 'string':
      return plain;
  }
}

const latin1 = fc
  .uint8Array({ maxLength: 12 })
  .map((bytes) => Buffer.from(bytes).toString('latin1'));
const integerText = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);
/** Strings of every kind RDB encodes differently: ints, short, long (LZF), binary. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 2, arbitrary: integerText },
  { weight: 2, arbitrary: latin1 },
  { weight: 1, arbitrary: fc.constantFrom('', '-0', '007', '+5', '1e5', '12345678901') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 5, max: 40 }))
      .map(([unit, times]) => unit.repeat(times)),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 60, maxLength: 90 }) },
);
const score = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(Infinity, -Infinity, 0.1, 1e17, 2 ** 62, -0),
);

/** A random plain value; sizes cross the encoding thresholds (128 entries, 64 bytes, 512 ints). */
export const plainValue: fc.Arbitrary<Plain> = fc.oneof(
  text.map((value): Plain => ({ type: 'string', value })),
  fc
    .oneof(
      fc.array(text, { minLength: 1, maxLength: 30 }),
      fc.array(fc.string(), { minLength: 200, maxLength: 1500 }),
    )
    .map((items): Plain => ({ type: 'list', items })),
  fc
    .oneof(
      fc.uniqueArray(integerText, { minLength: 1, maxLength: 40 }),
      fc.uniqueArray(text, { minLength: 1, maxLength: 40 }),
      fc.uniqueArray(fc.integer().map(String), { minLength: 513, maxLength: 600 }),
    )
    .map((members): Plain => ({ type: 'set', members })),
  fc
    .oneof(
      fc.uniqueArray(fc.tuple(text, score), { minLength: 1, maxLength: 40, selector: (e) => e[0] }),
      fc.uniqueArray(fc.tuple(fc.string(), score), {
        minLength: 129,
        maxLength: 200,
        selector: (e) => e[0],
      }),
    )
    .map((entries): Plain => ({
      type: 'zset',
      entries: entries.map(([m, s]) => [m, s === 0 ? 0 : s]),
    })),
  fc
    .oneof(
      fc.uniqueArray(fc.tuple(text, text), { minLength: 1, maxLength: 40, selector: (e) => e[0] }),
      fc.uniqueArray(fc.tuple(fc.string(), fc.string()), {
        minLength: 129,
        maxLength: 200,
        selector: (e) => e[0],
      }),
    )
    .map((pairs): Plain => ({ type: 'hash', pairs })),
);
