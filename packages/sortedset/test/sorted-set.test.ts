import { describe, expect, it } from 'vitest';
import { ModelZSet } from './model.js';
import {
  AddOutcome,
  IncompatibleAddOptionsError,
  MAX_SCORE,
  MIN_SCORE,
  SortedSet,
  SortedSetError,
  SortedSetErrorCode,
  SortedSetInvariantError,
  parseLexBound,
  parseScoreBound,
  type AddOptions,
  type RangeOptions,
  type SortedSetOptions,
} from '../src/index.js';

const encodings: [string, SortedSetOptions][] = [
  ['listpack', {}],
  ['skiplist', { maxListpackEntries: 0 }],
];

function abcde(options: SortedSetOptions): SortedSet {
  const set = new SortedSet(options);
  for (const [member, score] of [
    ['c', 3],
    ['a', 1],
    ['e', 5],
    ['b', 2],
    ['d', 4],
  ] as const) {
    set.add(member, score);
  }
  return set;
}

const members = (entries: [string, number][]) => entries.map(([member]) => member).join(' ');
const score = (text: string) => parseScoreBound(text)!;
const lex = (text: string) => parseLexBound(text)!;

it('does what the README example says', () => {
  const board = new SortedSet();
  board.add('ann', 30);
  board.add('bob', 10);
  expect(board.add('cid', 20, { nx: true })).toBe(AddOutcome.ADDED);
  expect(board.add('bob', 15, { incr: true })).toBe(AddOutcome.UPDATED);
  expect(board.score('bob')).toBe(25);
  expect(board.rank('ann', true)).toBe(0);
  expect(board.rangeByRank(0, -1)).toEqual([
    ['cid', 20],
    ['bob', 25],
    ['ann', 30],
  ]);
  expect(board.countByScore(parseScoreBound('(20')!, MAX_SCORE)).toBe(2);
  const seen: [string, number][] = [];
  const top = { reverse: true, count: 2 };
  board.forEachByScore(MIN_SCORE, MAX_SCORE, (member, score) => seen.push([member, score]), top);
  expect(seen).toEqual([
    ['ann', 30],
    ['bob', 25],
  ]);
});

describe.each(encodings)('SortedSet (%s)', (encoding, options) => {
  it('starts in the expected encoding', () => {
    expect(new SortedSet(options).encoding).toBe(encoding);
  });

  // ZADD z 1 a, then ZADD z <flags> <score> <member>; expected outcome and ZSCORE afterwards
  const adds: [AddOptions, string, number, AddOutcome, number | undefined][] = [
    [{}, 'a', 1, AddOutcome.UNCHANGED, 1],
    [{}, 'a', 2, AddOutcome.UPDATED, 2],
    [{}, 'b', 2, AddOutcome.ADDED, 2],
    [{}, 'a', 0.5, AddOutcome.UPDATED, 0.5],
    [{ nx: true }, 'a', 5, AddOutcome.SKIPPED, 1],
    [{ nx: true }, 'b', 5, AddOutcome.ADDED, 5],
    [{ xx: true }, 'a', 5, AddOutcome.UPDATED, 5],
    [{ xx: true }, 'b', 5, AddOutcome.SKIPPED, undefined],
    [{ gt: true }, 'a', 0, AddOutcome.SKIPPED, 1],
    [{ gt: true }, 'a', 1, AddOutcome.SKIPPED, 1],
    [{ gt: true }, 'a', 2, AddOutcome.UPDATED, 2],
    [{ gt: true }, 'b', -1, AddOutcome.ADDED, -1],
    [{ lt: true }, 'a', 2, AddOutcome.SKIPPED, 1],
    [{ lt: true }, 'a', 0, AddOutcome.UPDATED, 0],
    [{ lt: true, xx: true }, 'b', 0, AddOutcome.SKIPPED, undefined],
    [{ incr: true }, 'a', 2.5, AddOutcome.UPDATED, 3.5],
    [{ incr: true }, 'a', 0, AddOutcome.UNCHANGED, 1],
    [{ incr: true }, 'b', 2.5, AddOutcome.ADDED, 2.5],
    [{ incr: true, nx: true }, 'a', 1, AddOutcome.SKIPPED, 1],
    [{ incr: true, xx: true }, 'b', 1, AddOutcome.SKIPPED, undefined],
    [{ incr: true, gt: true }, 'a', -1, AddOutcome.SKIPPED, 1],
    [{ incr: true, lt: true }, 'a', -1, AddOutcome.UPDATED, 0],
    [{ incr: true }, 'a', -Infinity, AddOutcome.UPDATED, -Infinity],
    [{}, 'a', Number.NaN, AddOutcome.NAN, 1],
    [{ incr: true }, 'b', Number.NaN, AddOutcome.NAN, undefined],
  ];
  it.each(adds)('ZADD %j %s %d', (flags, member, value, outcome, after) => {
    const set = new SortedSet(options);
    set.add('a', 1);
    expect(set.add(member, value, flags)).toBe(outcome);
    expect(set.score(member)).toBe(after);
    set.checkInvariants();
  });

  it('keeps -0 in the skiplist and stores it as 0 in the listpack, as Redis does', () => {
    const set = new SortedSet(options);
    expect(set.add('a', -0)).toBe(AddOutcome.ADDED);
    expect(Object.is(set.score('a'), encoding === 'listpack' ? 0 : -0)).toBe(true);
    expect(set.add('a', 0)).toBe(AddOutcome.UNCHANGED);
    // ZADD INCR replies the computed score, before the listpack stores it
    expect(Object.is(set.increment('b', -0), -0)).toBe(true);
    expect(Object.is(set.score('b'), encoding === 'listpack' ? 0 : -0)).toBe(true);
  });

  it('increment() returns what ZINCRBY and ZADD INCR reply', () => {
    const set = new SortedSet(options);
    expect(set.increment('a', 2)).toBe(2);
    expect(set.increment('a', 1.5)).toBe(3.5);
    expect(set.increment('a', 1, { xx: true })).toBe(4.5);
    expect(set.increment('b', 1, { xx: true })).toBeNull();
    expect(set.increment('a', 1, { nx: true })).toBeNull();
    expect(set.increment('a', -10, { gt: true })).toBeNull();
    expect(set.increment('a', 0, { lt: true })).toBeNull();
    expect(set.increment('a', 0)).toBe(4.5);
    expect(set.increment('a', Infinity)).toBe(Infinity);
    expect(set.increment('a', -Infinity)).toBeNaN();
    expect(set.score('a')).toBe(Infinity);
    expect(set.increment('c', Number.NaN)).toBeNaN();
    expect(set.has('c')).toBe(false);
    expect(() => set.increment('a', 1, { nx: true, xx: true })).toThrow(
      IncompatibleAddOptionsError,
    );
  });

  it('reports NaN from inf + -inf and leaves the score, even with XX or GT', () => {
    const set = new SortedSet(options);
    set.add('a', Infinity);
    expect(set.add('a', -Infinity, { incr: true })).toBe(AddOutcome.NAN);
    expect(set.add('a', -Infinity, { incr: true, xx: true })).toBe(AddOutcome.NAN);
    expect(set.add('a', -Infinity, { incr: true, gt: true })).toBe(AddOutcome.NAN);
    expect(set.score('a')).toBe(Infinity);
  });

  it('refuses the option combinations ZADD refuses', () => {
    const set = new SortedSet(options);
    for (const flags of [
      { nx: true, xx: true },
      { nx: true, gt: true },
      { nx: true, lt: true },
      { gt: true, lt: true },
    ]) {
      expect(() => set.add('a', 1, flags)).toThrow(IncompatibleAddOptionsError);
    }
    expect(set.size).toBe(0);
  });

  // Expected results read from redis-server 7.0.15 on ZADD z 1 a 2 b 3 c 4 d 5 e
  it.each([
    [0, -1, false, 'a b c d e'],
    [-2, -1, false, 'd e'],
    [3, 1, false, ''],
    [-100, 1, false, 'a b'],
    [2, 100, false, 'c d e'],
    [5, 6, false, ''],
    [0, -1, true, 'e d c b a'],
    [0, 1, true, 'e d'],
    [-1, -1, true, 'a'],
  ] as const)('ZRANGE z %d %d (rev: %s)', (start, stop, reverse, expected) => {
    expect(members(abcde(options).rangeByRank(start, stop, reverse))).toBe(expected);
  });

  it.each([
    ['-inf', '+inf', { offset: -1, count: 2 }, ''],
    ['-inf', '+inf', { offset: 1, count: -1 }, 'b c d e'],
    ['-inf', '+inf', { offset: 1, count: 0 }, ''],
    ['-inf', '+inf', { offset: 7, count: 2 }, ''],
    ['-inf', '+inf', { reverse: true, offset: 1, count: 2 }, 'd c'],
    ['2', '4', { reverse: true }, 'd c b'],
    ['(1', '(4', { reverse: true }, 'c b'],
    ['(1', '4', { reverse: true, offset: 1, count: 1 }, 'c'],
    ['1', '1.5', { offset: 0, count: -5 }, 'a'],
    ['4', '(1', {}, ''],
    ['(5', '+inf', {}, ''],
    ['5', '5', {}, 'e'],
  ] as [string, string, RangeOptions, string][])(
    'ZRANGEBYSCORE z %s %s %j',
    (min, max, rangeOptions, expected) => {
      const set = abcde(options);
      expect(members(set.rangeByScore(score(min), score(max), rangeOptions))).toBe(expected);
    },
  );

  it.each([
    ['-', '+', {}, 'a b c d e'],
    ['[b', '(d', {}, 'b c'],
    ['(', '+', {}, 'a b c d e'],
    ['+', '-', {}, ''],
    ['[c', '[a', {}, ''],
    ['-', '[d', { reverse: true }, 'd c b a'],
    ['(a', '+', { offset: 1, count: 2 }, 'c d'],
    ['[aa', '[cc', {}, 'b c'],
  ] as [string, string, RangeOptions, string][])(
    'ZRANGEBYLEX z %s %s %j',
    (min, max, rangeOptions, expected) => {
      const set = new SortedSet(options);
      for (const member of ['c', 'a', 'e', 'b', 'd']) set.add(member, 0);
      expect(members(set.rangeByLex(lex(min), lex(max), rangeOptions))).toBe(expected);
      expect(set.countByLex(lex(min), lex(max))).toBe(
        members(set.rangeByLex(lex(min), lex(max)))
          .split(' ')
          .filter(Boolean).length,
      );
    },
  );

  it('counts by score without walking, and zero for empty or inverted ranges', () => {
    const set = abcde(options);
    expect(set.countByScore(MIN_SCORE, MAX_SCORE)).toBe(5);
    expect(set.countByScore(score('(1'), score('3'))).toBe(2);
    expect(set.countByScore(score('3'), score('1'))).toBe(0);
    expect(set.countByScore(score('(3'), score('(3'))).toBe(0);
    expect(new SortedSet(options).countByScore(MIN_SCORE, MAX_SCORE)).toBe(0);
  });

  it('ranks forward and backward', () => {
    const set = abcde(options);
    expect([set.rank('a'), set.rank('e'), set.rank('a', true), set.rank('e', true)]).toEqual([
      0, 4, 4, 0,
    ]);
    expect(set.rank('x')).toBeUndefined();
  });

  it('removes ranges and returns the counts', () => {
    let set = abcde(options);
    expect(set.removeRangeByRank(1, -2)).toBe(3);
    expect(members(set.rangeByRank(0, -1))).toBe('a e');
    set = abcde(options);
    expect(set.removeRangeByRank(-100, 100)).toBe(5);
    expect(set.size).toBe(0);
    set = abcde(options);
    expect(set.removeRangeByScore(score('(1'), score('4'))).toBe(3);
    expect(members(set.rangeByRank(0, -1))).toBe('a e');
    expect(set.removeRangeByScore(score('3'), score('1'))).toBe(0);
    expect(set.removeRangeByLex(lex('[b'), lex('+'))).toBe(1);
    expect(members(set.rangeByRank(0, -1))).toBe('a');
    set.checkInvariants();
  });

  it('pops from both ends', () => {
    const set = abcde(options);
    expect(set.popMin()).toEqual([['a', 1]]);
    expect(set.popMax(2)).toEqual([
      ['e', 5],
      ['d', 4],
    ]);
    expect(set.popMin(0)).toEqual([]);
    expect(set.popMax(-1)).toEqual([]);
    expect(set.popMin(10)).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
    expect(set.popMax()).toEqual([]);
    set.checkInvariants();
  });

  // the book's zquery on (1,a) (2,b) (3,c) (4,d) (5,e)
  it.each([
    [-Infinity, '', 0, 10, 'a b c d e'],
    [2, 'b', 0, 4, 'b c'],
    [2, 'a', 0, 4, 'b c'],
    [2, 'c', 0, 4, 'c d'],
    [2, 'b', 1, 5, 'c d'],
    [2, 'b', -1, 2, 'a'],
    [2, 'b', -2, 2, ''],
    [2, 'b', 3, 100, 'e'],
    [2, 'b', 4, 100, ''],
    [5, 'f', -1, 100, ''],
    [2, 'b', 0, 1, ''],
    [2, 'b', 0, 0, ''],
    [2, 'b', 0, -1, ''],
  ] as const)('zquery %d %j %d %d', (queryScore, member, offset, limit, expected) => {
    expect(members(abcde(options).query(queryScore, member, offset, limit))).toBe(expected);
  });

  it('draws random members as ZRANDMEMBER does', () => {
    const set = abcde(options);
    const fixed = () => 0.5;
    expect(set.randomMember(fixed)).toBe('c');
    expect(set.randomEntries(0)).toEqual([]);
    expect(set.randomEntries(5)).toEqual([...set]);
    expect(set.randomEntries(50)).toEqual([...set]);
    expect(set.randomEntries(-3, fixed)).toEqual([
      ['c', 3],
      ['c', 3],
      ['c', 3],
    ]);
    const sample = set.randomEntries(4, fixed);
    expect(new Set(sample.map(([member]) => member)).size).toBe(4);
    expect(new SortedSet(options).randomMember()).toBeUndefined();
    expect(new SortedSet(options).randomEntries(-3)).toEqual([]);
  });

  it('orders by score, then by member bytes, with infinities and signed zeros', () => {
    const set = new SortedSet(options);
    const entries: [string, number][] = [
      ['b', 0],
      ['a', -0],
      ['\u00ff', -Infinity],
      ['', Infinity],
      ['a\u0000', 0],
      ['B', 0],
      ['x', 1e-300],
      ['y', -1e-300],
    ];
    for (const [member, value] of entries) set.add(member, value);
    expect(members([...set])).toBe(['\u00ff', 'y', 'B', 'a', 'a\u0000', 'b', 'x', ''].join(' '));
    set.checkInvariants();
  });

  it('reads ranges from inside a range visitor', () => {
    const set = abcde(options);
    const seen: string[] = [];
    set.forEachByScore(score('2'), score('4'), (member) => {
      const inner = members(set.rangeByScore(score('(1'), score('5'), { reverse: true, count: 2 }));
      seen.push(`${member}:${inner}`);
    });
    expect(seen).toEqual(['b:e d', 'c:e d', 'd:e d']);
    const lexSet = new SortedSet(options);
    for (const member of ['a', 'b', 'c', 'd']) lexSet.add(member, 0);
    const lexSeen: string[] = [];
    lexSet.forEachByLex(
      lex('[b'),
      '+',
      (member) => {
        lexSeen.push(
          `${member}:${members(lexSet.rangeByLex(lex('(a'), lex('[c'), { reverse: true }))}`,
        );
      },
      { reverse: true },
    );
    expect(lexSeen).toEqual(['d:c b', 'c:c b', 'b:c b']);
  });

  it('clears', () => {
    const set = abcde(options);
    set.clear();
    expect([set.size, [...set], set.encoding]).toEqual([0, [], encoding]);
    set.add('z', 1);
    expect([...set]).toEqual([['z', 1]]);
  });
});

describe('encoding conversion (zset-max-listpack-entries / -value)', () => {
  it('converts past 128 entries and never back', () => {
    const set = new SortedSet();
    for (let index = 0; index < 128; index++) set.add(`m${index}`, index);
    expect(set.encoding).toBe('listpack');
    set.add('m0', 1000);
    expect(set.encoding).toBe('listpack');
    set.add('extra', -1);
    expect(set.encoding).toBe('skiplist');
    expect(set.rank('extra')).toBe(0);
    expect(set.rank('m0')).toBe(128);
    set.checkInvariants();
    set.popMin(100);
    expect(set.encoding).toBe('skiplist');
    set.checkInvariants();
  });

  it('converts on a member longer than 64 bytes', () => {
    const set = new SortedSet();
    set.add('x'.repeat(64), 1);
    expect(set.encoding).toBe('listpack');
    set.add('x'.repeat(65), 2);
    expect(set.encoding).toBe('skiplist');
    expect([...set].map(([member, value]) => [member.length, value])).toEqual([
      [64, 1],
      [65, 2],
    ]);
  });

  it('starts as a skiplist when the hints exceed the limits, as zsetTypeCreate does', () => {
    expect(new SortedSet({ sizeHint: 128 }).encoding).toBe('listpack');
    expect(new SortedSet({ sizeHint: 129 }).encoding).toBe('skiplist');
    expect(new SortedSet({ memberLengthHint: 65 }).encoding).toBe('skiplist');
    expect(new SortedSet({ maxListpackValue: 10, memberLengthHint: 10 }).encoding).toBe('listpack');
  });

  it('does not convert when a long member is refused by XX', () => {
    const set = new SortedSet();
    expect(set.add('x'.repeat(100), 1, { xx: true })).toBe(AddOutcome.SKIPPED);
    expect(set.encoding).toBe('listpack');
  });
});

describe('LIMIT offsets past the walking threshold (avl_offset jumps)', () => {
  it.each(encodings)('matches the model in %s', (_encoding, options) => {
    const set = new SortedSet(options);
    const model = new ModelZSet();
    for (let index = 0; index < 500; index++) {
      const member = `m${(index * 7919) % 500}`;
      const value = index % 50;
      set.add(member, value);
      model.add(member, value);
    }
    set.add('x', 0);
    model.add('x', 0);
    const bounds = [
      [score('-inf'), score('+inf')],
      [score('(3'), score('40')],
      [score('10'), score('(10')],
      [score('7'), score('7')],
    ] as const;
    for (const [min, max] of bounds) {
      for (const offset of [0, 31, 32, 33, 40, 100, 250, 499, 500, 501]) {
        for (const count of [-1, 1, 17]) {
          for (const reverse of [false, true]) {
            const rangeOptions = { offset, count, reverse };
            expect(set.rangeByScore(min, max, rangeOptions)).toEqual(
              model.byScore(min, max, rangeOptions),
            );
          }
        }
      }
    }
    const same = new SortedSet(options);
    const sameModel = new ModelZSet();
    for (let index = 0; index < 300; index++) {
      same.add(`k${index}`, 1);
      sameModel.add(`k${index}`, 1);
    }
    for (const [min, max] of [
      [lex('-'), lex('+')],
      [lex('(k1'), lex('[k5')],
      [lex('[k200'), lex('+')],
    ] as const) {
      for (const offset of [0, 33, 120, 299, 300]) {
        for (const reverse of [false, true]) {
          const rangeOptions = { offset, count: 50, reverse };
          expect(same.rangeByLex(min, max, rangeOptions)).toEqual(
            sameModel.byLex(min, max, rangeOptions),
          );
        }
      }
    }
  });
});

describe('errors', () => {
  it('brands errors with stable codes across copies', () => {
    const error = new IncompatibleAddOptionsError('x');
    expect(error.code).toBe(SortedSetErrorCode.INCOMPATIBLE_OPTIONS);
    expect(error.code).toBe('BYOR_SORTEDSET_INCOMPATIBLE_OPTIONS');
    expect(SortedSetError.isInstance(error)).toBe(true);
    expect(IncompatibleAddOptionsError.isInstance(error)).toBe(true);
    expect(SortedSetInvariantError.isInstance(error)).toBe(false);
    const foreign = Object.assign(new Error('copy'), {
      [Symbol.for('@byor/sortedset.error')]: true,
      [Symbol.for('@byor/sortedset.SortedSetInvariantError')]: true,
    });
    expect(SortedSetInvariantError.isInstance(foreign)).toBe(true);
    expect(SortedSetError.isInstance(new Error('x'))).toBe(false);
    expect(SortedSetError.isInstance(undefined)).toBe(false);
    const cause = new Error('tree');
    const invariant = new SortedSetInvariantError('broken', { cause });
    expect([invariant.code, invariant.name, invariant.cause]).toEqual([
      'BYOR_SORTEDSET_INVARIANT',
      'SortedSetInvariantError',
      cause,
    ]);
  });
});
