import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntSet } from '../../src/types/set-intset.js';
import { SetValue } from '../../src/types/set.js';
import { parseInt64 } from '../../src/util/numbers.js';

/**
 * Model tests: random operation sequences against a Set of strings (and a sorted array of
 * bigints for the intset), with the encoding modelled as redis-server 7.0 decides it.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const integerText = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map(String),
  fc.constantFrom('9007199254740992', '9007199254740993', '-9007199254740993'),
  fc.constantFrom(String(INT64_MAX), String(INT64_MIN)),
);
const member = fc.oneof(
  { weight: 4, arbitrary: integerText },
  {
    weight: 1,
    arbitrary: fc.constantFrom('x', '', '01', '-0', '+1', ' 1', '1.0', '9223372036854775808'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);

type Op =
  | { kind: 'add'; member: string; max: number }
  | { kind: 'remove'; member: string }
  | { kind: 'has'; member: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      member,
      max: fc.integer({ min: 0, max: 16 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), member }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('has' as const), member }) },
);

const byNumber = (a: string, b: string) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

describe('IntSet', () => {
  it('matches a sorted array of bigints, across the narrow-to-wide switch', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('add', 'remove', 'has'),
            fc.oneof(
              fc.integer({ min: -50, max: 50 }).map(BigInt),
              fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
            ),
          ),
          { maxLength: 100 },
        ),
        (ops) => {
          const set = new IntSet();
          let model: bigint[] = [];
          for (const [kind, value] of ops) {
            const asInt64 = parseInt64(String(value));
            if (asInt64 === undefined) throw new Error('generator out of int64');
            const present = model.includes(value);
            if (kind === 'add') {
              expect(set.add(asInt64)).toBe(!present);
              if (!present) model = [...model, value].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            } else if (kind === 'remove') {
              expect(set.remove(asInt64)).toBe(present);
              model = model.filter((v) => v !== value);
            } else {
              expect(set.has(asInt64)).toBe(present);
            }
            set.checkInvariants();
            expect(set.size).toBe(model.length);
            expect(Array.from({ length: set.size }, (_, i) => set.textAt(i))).toEqual(
              model.map(String),
            );
          }
          const copy = set.clone();
          copy.checkInvariants();
          expect(Array.from({ length: copy.size }, (_, i) => BigInt(copy.at(i)))).toEqual(model);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('widens once for a member beyond 2^53 and keeps exact values', () => {
    const set = new IntSet();
    for (let i = 0; i < 100; i++) set.add(i);
    expect(set.wide).toBe(false);
    set.add(9007199254740993n);
    expect(set.wide).toBe(true);
    expect(set.textAt(100)).toBe('9007199254740993');
    expect(set.has(9007199254740992)).toBe(false);
    expect(set.remove(9007199254740993n)).toBe(true);
    expect(set.wide).toBe(true);
    for (let i = 0; i < 100; i++) expect(set.remove(i)).toBe(true);
    expect(set.size).toBe(0);
    set.checkInvariants();
  });
});

describe('SetValue', () => {
  it('matches a Set model, encoding conversions included', () => {
    fc.assert(
      fc.property(member, fc.array(op, { maxLength: 80 }), (first, ops) => {
        const set = SetValue.forMember(first);
        const model = new Set<string>();
        let intset = parseInt64(first) !== undefined;
        expect(set.encoding()).toBe(intset ? 'intset' : 'hashtable');
        for (const step of ops) {
          switch (step.kind) {
            case 'add': {
              const isNew = !model.has(step.member);
              model.add(step.member);
              if (parseInt64(step.member) === undefined) intset = false;
              else if (isNew && model.size > step.max) intset = false;
              expect(set.add(step.member, step.max)).toBe(isNew);
              break;
            }
            case 'remove':
              expect(set.remove(step.member)).toBe(model.delete(step.member));
              break;
            case 'has':
              expect(set.has(step.member)).toBe(model.has(step.member));
              break;
          }
          set.checkInvariants();
          expect(set.size).toBe(model.size);
          expect(set.encoding()).toBe(intset ? 'intset' : 'hashtable');
          if (intset) expect(set.members()).toEqual([...model].sort(byNumber));
          else expect(new Set(set.members())).toEqual(model);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random members, distinct samples, scans and clones agree with the contents', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(member, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        (members, count) => {
          const set = SetValue.forMember(members[0]!);
          for (const m of members) set.add(m, 512);
          const all = new Set(members);
          for (let i = 0; i < 20; i++) expect(all.has(set.random()!)).toBe(true);
          const sample = set.sample(count);
          expect(sample).toHaveLength(Math.min(count, members.length));
          expect(new Set(sample).size).toBe(sample.length);
          for (const m of sample) expect(all.has(m)).toBe(true);
          const scanned = new Set<string>();
          let cursor = 0;
          let calls = 0;
          do {
            cursor = set.scan(cursor, 4, (m) => scanned.add(m));
            calls++;
          } while (cursor !== 0 && calls < 1000);
          expect(scanned).toEqual(all);
          if (set.isIntset) expect(calls).toBe(1);
          expect([...set]).toEqual(set.members());
          const copy = set.clone();
          expect(copy.encoding()).toBe(set.encoding());
          expect(copy.members()).toEqual(set.members());
          copy.add('not a number', 512);
          expect(set.has('not a number')).toBe(all.has('not a number'));
          copy.checkInvariants();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('edge cases: what counts as an integer member', () => {
    const table: [string, boolean][] = [
      ['0', true],
      ['-1', true],
      ['9223372036854775807', true],
      ['-9223372036854775808', true],
      ['9223372036854775808', false],
      ['-0', false],
      ['01', false],
      ['+1', false],
      [' 1', false],
      ['1 ', false],
      ['1.0', false],
      ['1e3', false],
      ['', false],
      ['-', false],
    ];
    for (const [text, integer] of table) {
      const set = SetValue.forMember(text);
      expect(set.encoding(), text).toBe(integer ? 'intset' : 'hashtable');
      set.add(text, 512);
      expect(set.encoding(), text).toBe(integer ? 'intset' : 'hashtable');
      expect(set.members(), text).toEqual([text]);
      expect(set.has(text), text).toBe(true);
    }
    const mixed = SetValue.forMember('5');
    mixed.add('5', 512);
    expect(mixed.has('05')).toBe(false);
    expect(mixed.remove('05')).toBe(false);
    expect(mixed.random()).toBe('5');
    expect(new SetValue().random()).toBeUndefined();
    expect(mixed.type).toBe('set');
    expect(mixed.memoryUsage()).toBeGreaterThan(0);
  });
});
