import { AddOutcome, type AddOptions } from '@byor/sortedset';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ZSET_LIMITS,
  ZSet,
  listpackScoreText,
  type ZSetLimits,
} from '../../src/types/zset.js';

/**
 * Model tests of the ZSet value type: random operation sequences against a Map of member -> score
 * sorted on demand, with the encoding modelled as redis-server 7.0 decides it (listpack until an
 * insert would exceed zset-max-listpack-entries or brings a member longer than
 * zset-max-listpack-value, then skiplist for good) and the listpack's -0 -> 0 detail.
 */

type Entry = [member: string, score: number];

function compareEntries(a: Entry, b: Entry): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

class Model {
  readonly scores = new Map<string, number>();
  listpack: boolean;
  limits: ZSetLimits;

  constructor(limits: ZSetLimits, firstMemberLength: number) {
    this.limits = limits;
    this.listpack = limits.maxListpackEntries > 0 && firstMemberLength <= limits.maxListpackValue;
  }

  sorted(): Entry[] {
    return [...this.scores].sort(compareEntries);
  }

  add(member: string, score: number, options: AddOptions): AddOutcome {
    const current = this.scores.get(member);
    if (current !== undefined) {
      if (options.nx) return AddOutcome.SKIPPED;
      // a listpack holds no -0, so adding -0 or 0 to a listpack score gives the same result
      const value = options.incr ? current + score : score;
      if (Number.isNaN(value)) return AddOutcome.NAN;
      if ((options.lt && value >= current) || (options.gt && value <= current))
        return AddOutcome.SKIPPED;
      if (value === current) return AddOutcome.UNCHANGED;
      this.scores.set(member, this.listpack && value === 0 ? 0 : value);
      return AddOutcome.UPDATED;
    }
    if (options.xx) return AddOutcome.SKIPPED;
    if (
      this.listpack &&
      (this.scores.size + 1 > this.limits.maxListpackEntries ||
        member.length > this.limits.maxListpackValue)
    )
      this.listpack = false;
    this.scores.set(member, this.listpack && score === 0 ? 0 : score);
    return AddOutcome.ADDED;
  }
}

const memberArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '', '\xff', '\x00'),
  },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 })
      .map((bytes) => String.fromCharCode(...bytes)),
  },
  { weight: 2, arbitrary: fc.constantFrom('L'.repeat(9), 'M'.repeat(12)) },
);
const scoreArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, 0.5, -1.25, Infinity, -Infinity, 1e17, 0.1) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
);
const flagsArb: fc.Arbitrary<AddOptions> = fc.constantFrom<AddOptions>(
  {},
  { nx: true },
  { xx: true },
  { gt: true },
  { lt: true },
  { xx: true, gt: true },
  { xx: true, lt: true },
  { incr: true },
  { incr: true, nx: true },
  { incr: true, xx: true },
  { incr: true, gt: true },
  { incr: true, lt: true },
);
const boundArb = fc.record({ value: scoreArb, exclusive: fc.boolean() });
const indexArb = fc.integer({ min: -12, max: 12 });

type Op =
  | { kind: 'add'; member: string; score: number; flags: AddOptions }
  | { kind: 'remove'; member: string }
  | { kind: 'removeRank'; start: number; stop: number }
  | {
      kind: 'removeScore';
      min: { value: number; exclusive: boolean };
      max: { value: number; exclusive: boolean };
    }
  | { kind: 'pop'; max: boolean; count: number }
  | {
      kind: 'rangeScore';
      min: { value: number; exclusive: boolean };
      max: { value: number; exclusive: boolean };
      reverse: boolean;
      offset: number;
      count: number;
    }
  | { kind: 'rank'; member: string; reverse: boolean }
  | { kind: 'scan'; count: number }
  | { kind: 'clone' }
  | { kind: 'config'; limits: ZSetLimits };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      member: memberArb,
      score: scoreArb,
      flags: flagsArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), member: memberArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('removeRank' as const),
      start: indexArb,
      stop: indexArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('removeScore' as const),
      min: boundArb,
      max: boundArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('pop' as const),
      max: fc.boolean(),
      count: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('rangeScore' as const),
      min: boundArb,
      max: boundArb,
      reverse: fc.boolean(),
      offset: fc.integer({ min: -1, max: 6 }),
      count: fc.integer({ min: -1, max: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('rank' as const),
      member: memberArb,
      reverse: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('scan' as const),
      count: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clone' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('config' as const),
      limits: fc.record({
        maxListpackEntries: fc.integer({ min: 0, max: 8 }),
        maxListpackValue: fc.integer({ min: 0, max: 10 }),
      }),
    }),
  },
);

function inScore(
  score: number,
  min: { value: number; exclusive: boolean },
  max: { value: number; exclusive: boolean },
): boolean {
  const aboveMin = min.exclusive ? score > min.value : score >= min.value;
  const belowMax = max.exclusive ? score < max.value : score <= max.value;
  return aboveMin && belowMax;
}

/** Redis's rank normalisation: [start, stop] inclusive after negative indexes and clamping. */
function rankSpan(size: number, start: number, stop: number): [number, number] | undefined {
  if (start < 0) start += size;
  if (stop < 0) stop += size;
  if (start < 0) start = 0;
  if (start > stop || start >= size) return undefined;
  return [start, Math.min(stop, size - 1)];
}

function entriesOf(zset: ZSet): Entry[] {
  const out: Entry[] = [];
  zset.forEach((member, score) => out.push([member, score]));
  return out;
}

/** Deep equality that tells -0 from 0. */
function expectSameEntries(actual: Entry[], expected: Entry[]): void {
  expect(actual.map(([m, s]) => [m, Object.is(s, -0) ? '-0' : s])).toEqual(
    expected.map(([m, s]) => [m, Object.is(s, -0) ? '-0' : s]),
  );
}

function checkInvariants(zset: ZSet, model: Model): void {
  zset.set.checkInvariants();
  expect(zset.encoding()).toBe(model.listpack ? 'listpack' : 'skiplist');
  expect(zset.size).toBe(model.scores.size);
  expectSameEntries(entriesOf(zset), model.sorted());
  if (zset.encoding() === 'listpack')
    for (const [, score] of entriesOf(zset)) expect(Object.is(score, -0)).toBe(false);
}

function run(zset: ZSet, model: Model, op: Op): ZSet {
  switch (op.kind) {
    case 'add': {
      expect(zset.add(op.member, op.score, op.flags, model.limits)).toBe(
        model.add(op.member, op.score, op.flags),
      );
      return zset;
    }
    case 'remove': {
      expect(zset.set.remove(op.member)).toBe(model.scores.delete(op.member));
      return zset;
    }
    case 'removeRank': {
      const sorted = model.sorted();
      const span = rankSpan(sorted.length, op.start, op.stop);
      const doomed = span ? sorted.slice(span[0], span[1] + 1) : [];
      for (const [member] of doomed) model.scores.delete(member);
      expect(zset.set.removeRangeByRank(op.start, op.stop)).toBe(doomed.length);
      return zset;
    }
    case 'removeScore': {
      const doomed = model.sorted().filter(([, s]) => inScore(s, op.min, op.max));
      for (const [member] of doomed) model.scores.delete(member);
      expect(zset.set.removeRangeByScore(op.min, op.max)).toBe(doomed.length);
      return zset;
    }
    case 'pop': {
      const sorted = model.sorted();
      const taken = op.max ? sorted.reverse().slice(0, op.count) : sorted.slice(0, op.count);
      for (const [member] of taken) model.scores.delete(member);
      const popped = op.max ? zset.set.popMax(op.count) : zset.set.popMin(op.count);
      expectSameEntries(popped, taken);
      return zset;
    }
    case 'rangeScore': {
      let matching = model.sorted().filter(([, s]) => inScore(s, op.min, op.max));
      if (op.reverse) matching.reverse();
      matching = op.offset < 0 ? [] : matching.slice(op.offset);
      if (op.count >= 0) matching = matching.slice(0, op.count);
      const got: Entry[] = [];
      zset.set.forEachByScore(op.min, op.max, (m, s) => got.push([m, s]), {
        reverse: op.reverse,
        offset: op.offset,
        count: op.count,
      });
      expectSameEntries(got, matching);
      expect(zset.set.countByScore(op.min, op.max)).toBe(
        model.sorted().filter(([, s]) => inScore(s, op.min, op.max)).length,
      );
      return zset;
    }
    case 'rank': {
      const sorted = model.sorted();
      const index = sorted.findIndex(([m]) => m === op.member);
      const expected = index < 0 ? undefined : op.reverse ? sorted.length - 1 - index : index;
      expect(zset.set.rank(op.member, op.reverse)).toBe(expected);
      return zset;
    }
    case 'scan': {
      const seen: Entry[] = [];
      let cursor = 0;
      let steps = 0;
      do {
        cursor = zset.scan(cursor, op.count, (m, s) => seen.push([m, s]));
        steps++;
      } while (cursor !== 0 && steps < 1000);
      expect(cursor).toBe(0);
      expectSameEntries(seen.sort(compareEntries), model.sorted());
      return zset;
    }
    case 'config': {
      // CONFIG SET zset-max-listpack-*: applies from the next insert on
      model.limits = op.limits;
      return zset;
    }
    case 'clone': {
      const copy = zset.clone();
      expect(copy.encoding()).toBe(zset.encoding());
      expectSameEntries(entriesOf(copy), entriesOf(zset));
      // a copy is independent of the original
      const probe = zset.clone();
      probe.set.add('\x01only-in-probe', 1);
      expect(zset.set.has('\x01only-in-probe')).toBe(false);
      // the untouched copy carries on in place of the original
      return copy;
    }
  }
}

describe('ZSet', () => {
  it('matches a sorted-array model with Redis encodings, under random operations', () => {
    fc.assert(
      fc.property(
        fc.record({
          maxListpackEntries: fc.integer({ min: 0, max: 8 }),
          maxListpackValue: fc.integer({ min: 0, max: 10 }),
        }),
        memberArb,
        fc.array(opArb, { maxLength: 80 }),
        (limits, first, ops) => {
          let zset = ZSet.create(limits, first.length);
          const model = new Model(limits, first.length);
          checkInvariants(zset, model);
          for (const op of ops) {
            zset = run(zset, model, op);
            checkInvariants(zset, model);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts and walks lex ranges when every score is equal', () => {
    const lexBound = fc.oneof(
      fc.constantFrom<'-' | '+'>('-', '+'),
      fc.record({ value: memberArb, exclusive: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(memberArb, { maxLength: 20 }),
        lexBound,
        lexBound,
        (members, min, max) => {
          const zset = ZSet.create(DEFAULT_ZSET_LIMITS);
          for (const member of members) zset.set.add(member, 0);
          const aboveMin = (m: string) =>
            min === '-'
              ? true
              : min === '+'
                ? false
                : min.exclusive
                  ? m > min.value
                  : m >= min.value;
          const belowMax = (m: string) =>
            max === '+'
              ? true
              : max === '-'
                ? false
                : max.exclusive
                  ? m < max.value
                  : m <= max.value;
          const expected = [...members].sort().filter((m) => aboveMin(m) && belowMax(m));
          expect(zset.set.countByLex(min, max)).toBe(expected.length);
          const got: string[] = [];
          zset.set.forEachByLex(min, max, (m) => got.push(m));
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the limits at each insert: lowered, a listpack converts on its next new member only', () => {
    const zset = ZSet.create(DEFAULT_ZSET_LIMITS);
    for (const member of ['a', 'b', 'c']) zset.add(member, 1, {}, DEFAULT_ZSET_LIMITS);
    const lowered = { maxListpackEntries: 2, maxListpackValue: 64 };
    zset.add('a', 5, {}, lowered);
    zset.add('new', 5, { xx: true }, lowered);
    expect(zset.encoding()).toBe('listpack');
    zset.add('d', 1, {}, lowered);
    expect(zset.encoding()).toBe('skiplist');
    const raised = ZSet.create(lowered);
    for (const member of ['a', 'b']) raised.add(member, 1, {}, lowered);
    raised.add('c', 1, {}, DEFAULT_ZSET_LIMITS);
    expect(raised.encoding()).toBe('listpack');
    raised.add('x'.repeat(65), 1, { nx: true }, DEFAULT_ZSET_LIMITS);
    expect(raised.encoding()).toBe('skiplist');
  });

  it('creates in the encoding ZADD would (first member length, listpacks disabled)', () => {
    const limits = { maxListpackEntries: 128, maxListpackValue: 64 };
    expect(ZSet.create(limits, 64).encoding()).toBe('listpack');
    expect(ZSet.create(limits, 65).encoding()).toBe('skiplist');
    expect(ZSet.create({ maxListpackEntries: 0, maxListpackValue: 64 }, 1).encoding()).toBe(
      'skiplist',
    );
    expect(ZSet.forResult(limits, 128, 64).encoding()).toBe('listpack');
    expect(ZSet.forResult(limits, 129, 1).encoding()).toBe('skiplist');
    expect(ZSet.forResult(limits, 1, 65).encoding()).toBe('skiplist');
  });

  it('keeps -0 only where redis-server does (a skiplist, or the insert that converts)', () => {
    const limits = { maxListpackEntries: 2, maxListpackValue: 64 };
    const zset = ZSet.create(limits);
    zset.add('a', -0, {}, limits);
    expect(Object.is(zset.set.score('a'), 0)).toBe(true);
    zset.add('b', 1, {}, limits);
    // the third member converts the set first, then lands in the skiplist as -0
    zset.add('c', -0, {}, limits);
    expect(zset.encoding()).toBe('skiplist');
    expect(Object.is(zset.set.score('c'), -0)).toBe(true);
    expect(Object.is(zset.set.score('a'), 0)).toBe(true);
  });

  it('reports a memory estimate that grows with the members', () => {
    const small = ZSet.create(DEFAULT_ZSET_LIMITS);
    const empty = small.memoryUsage();
    small.set.add('member', 1);
    expect(small.memoryUsage()).toBeGreaterThan(empty);
    const big = ZSet.create({ maxListpackEntries: 0, maxListpackValue: 64 });
    big.set.add('member', 1);
    expect(big.memoryUsage()).toBeGreaterThan(small.memoryUsage());
  });

  it('iterates entries lazily in order', () => {
    const zset = ZSet.create(DEFAULT_ZSET_LIMITS);
    zset.set.add('b', 2);
    zset.set.add('a', 2);
    zset.set.add('c', 1);
    expect([...zset.entries()]).toEqual([
      ['c', 1],
      ['a', 2],
      ['b', 2],
    ]);
    expect(zset.type).toBe('zset');
  });
});

describe('listpackScoreText (d2string with double2ll, as ZSCAN of a listpack prints scores)', () => {
  const table: [number, string][] = [
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-7, '-7'],
    [1.5, '1.5'],
    [0.1, '0.10000000000000001'],
    [1e17, '100000000000000000'],
    [123456789012345680, '123456789012345680'],
    [4611686018427387904, '4611686018427387904'],
    [-4611686018427387904, '-4611686018427387904'],
    [4611686018427388928, '4.6116860184273889e+18'],
    [1e19, '1e+19'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [1e-7, '9.9999999999999995e-08'],
  ];
  for (const [score, text] of table) {
    it(`${String(score)} -> ${text}`, () => {
      expect(listpackScoreText(score)).toBe(text);
    });
  }
});
