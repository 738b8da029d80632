import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SetValue } from '../../src/types/set.js';
import { ZSet } from '../../src/types/zset.js';
import {
  Aggregate,
  ZSource,
  diff,
  inter,
  sortedOrder,
  toZSet,
  union,
  type AlgebraResult,
} from '../../src/types/zset-algebra.js';

/**
 * ZUNION / ZINTER / ZDIFF / ZINTERCARD against a direct model: per member, the list of its
 * weighted scores folded in input-size order with Redis's rules (a NaN product counts as 0 where
 * Redis resets it, SUM turns inf + -inf into 0, MIN/MAX ignore NaN).
 */

const LIMITS = { maxListpackEntries: 128, maxListpackValue: 64 };

const memberArb = fc.constantFrom('a', 'b', 'c', 'd', '1', '2', '10', '-3', 'long-member-name');
const scoreArb = fc.constantFrom(0, -0, 1, 2.5, -1, 0.1, 0.2, Infinity, -Infinity, 1e308);
const weightArb = fc.constantFrom(1, 2, -1, 0, 0.5, Infinity, -Infinity);

type SourceSpec =
  | { kind: 'missing' }
  | { kind: 'zset'; entries: [string, number][] }
  | { kind: 'set'; members: string[] };

const sourceArb: fc.Arbitrary<SourceSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('zset' as const),
      entries: fc.uniqueArray(fc.tuple(memberArb, scoreArb), {
        selector: ([m]) => m,
        maxLength: 6,
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      members: fc.uniqueArray(memberArb, { maxLength: 6 }),
    }),
  },
);

function build(spec: SourceSpec): ZSet | SetValue | undefined {
  if (spec.kind === 'missing') return undefined;
  if (spec.kind === 'zset') {
    const zset = ZSet.create(LIMITS);
    for (const [member, score] of spec.entries) zset.set.add(member, score);
    return zset.size === 0 ? undefined : zset;
  }
  if (spec.members.length === 0) return undefined;
  const set = SetValue.forMember(spec.members[0] ?? '');
  for (const member of spec.members) set.add(member, 512);
  return set;
}

/** member -> score of an input, read through its public API. */
function scoresOf(value: ZSet | SetValue | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (value instanceof ZSet) value.set.forEach((m, s) => out.set(m, s));
  else if (value instanceof SetValue) for (const m of value.members()) out.set(m, 1);
  return out;
}

function fold(target: number, value: number, aggregate: Aggregate): number {
  if (aggregate === Aggregate.SUM) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (aggregate === Aggregate.MIN) return value < target ? value : target;
  return value > target ? value : target;
}

const fixNaN = (x: number) => (Number.isNaN(x) ? 0 : x);

function modelUnion(
  inputs: { scores: Map<string, number>; weight: number }[],
  aggregate: Aggregate,
) {
  const ordered = [...inputs].sort((a, b) => a.scores.size - b.scores.size);
  const out = new Map<string, number>();
  for (const input of ordered) {
    for (const [member, score] of input.scores) {
      const value = fixNaN(score * input.weight);
      const current = out.get(member);
      out.set(member, current === undefined ? value : fold(current, value, aggregate));
    }
  }
  return out;
}

function modelInter(
  inputs: { scores: Map<string, number>; weight: number }[],
  aggregate: Aggregate,
) {
  const [first, ...others] = [...inputs].sort((a, b) => a.scores.size - b.scores.size);
  const out = new Map<string, number>();
  if (!first) return out;
  for (const [member, score] of first.scores) {
    if (!others.every((o) => o.scores.has(member))) continue;
    let value = fixNaN(score * first.weight);
    for (const other of others)
      value = fold(value, (other.scores.get(member) ?? 0) * other.weight, aggregate);
    out.set(member, value);
  }
  return out;
}

function asComparable(result: AlgebraResult): [string, string][] {
  return result.members
    .map((m, i): [string, string] => [
      m,
      Object.is(result.scores[i], -0) ? '-0' : String(result.scores[i]),
    ])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function mapComparable(map: Map<string, number>): [string, string][] {
  return [...map]
    .map(([m, s]): [string, string] => [m, Object.is(s, -0) ? '-0' : String(s)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const aggregateArb = fc.constantFrom<Aggregate>(Aggregate.SUM, Aggregate.MIN, Aggregate.MAX);

describe('set algebra', () => {
  it('union and inter match the model (weights, aggregates, sets, missing keys)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sourceArb, weightArb), { minLength: 1, maxLength: 4 }),
        aggregateArb,
        (specs, aggregate) => {
          const values = specs.map(([spec]) => build(spec));
          const sources = values.map((value, i) => {
            const source = new ZSource(value);
            source.weight = specs[i]?.[1] ?? 1;
            return source;
          });
          const inputs = values.map((value, i) => ({
            scores: scoresOf(value),
            weight: specs[i]?.[1] ?? 1,
          }));
          const unionResult = union(sources, aggregate);
          expect(asComparable(unionResult)).toEqual(mapComparable(modelUnion(inputs, aggregate)));
          const interResult = inter(sources, aggregate);
          const expectedInter = modelInter(inputs, aggregate);
          expect(asComparable(interResult)).toEqual(mapComparable(expectedInter));
          expect(inter(sources, aggregate, true).cardinality).toBe(expectedInter.size);
          expect(inter(sources, aggregate, true, 1).cardinality).toBe(
            Math.min(1, expectedInter.size),
          );
          for (const result of [unionResult, interResult]) {
            expect(result.maxLength).toBe(Math.max(0, ...result.members.map((m) => m.length)));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('diff keeps the first input members found in no other one, unweighted', () => {
    fc.assert(
      fc.property(fc.array(sourceArb, { minLength: 1, maxLength: 4 }), (specs) => {
        const values = specs.map(build);
        const sources = values.map((value) => new ZSource(value));
        const [first, ...others] = values.map(scoresOf);
        const expected = new Map<string, number>();
        for (const [member, score] of first ?? [])
          if (!others.some((o) => o.has(member))) expected.set(member, score);
        expect(asComparable(diff(sources))).toEqual(mapComparable(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('folds scores in input-size order, smallest first (float sums are not associative)', () => {
    const sized = (n: number, score: number) => {
      const zset = ZSet.create(LIMITS);
      zset.set.add('x', score);
      for (let i = 1; i < n; i++) zset.set.add(`pad${i}`, 0);
      return new ZSource(zset);
    };
    // given largest first; Redis sorts them to sizes 1, 2, 3: (0.1 + 0.2) + 0.3
    const sources = [sized(3, 0.3), sized(2, 0.2), sized(1, 0.1)];
    const expected = 0.1 + 0.2 + 0.3;
    expect(expected).not.toBe(0.3 + 0.2 + 0.1);
    const u = union(sources, Aggregate.SUM);
    expect(u.scores[u.members.indexOf('x')]).toBe(expected);
    const i = inter(sources, Aggregate.SUM);
    expect(i.scores[i.members.indexOf('x')]).toBe(expected);
    // ZINTER resets a NaN product only for the smallest input; MIN ignores later NaNs
    const nan = [sized(2, 5), sized(1, Infinity)];
    nan[1]!.weight = 0;
    expect(inter(nan, Aggregate.MIN).scores).toEqual([0]);
    const later = [sized(2, Infinity), sized(1, 5)];
    later[0]!.weight = 0;
    expect(inter(later, Aggregate.MIN).scores).toEqual([5]);
  });

  it('the same key given twice', () => {
    const zset = ZSet.create(LIMITS);
    zset.set.add('a', 1);
    zset.set.add('b', 2);
    const twice = [new ZSource(zset), new ZSource(zset)];
    expect(diff(twice).members).toEqual([]);
    twice[1]!.weight = 3;
    expect(asComparable(inter(twice, Aggregate.SUM))).toEqual([
      ['a', '4'],
      ['b', '8'],
    ]);
  });

  it('sortedOrder sorts by score, then by member bytes', () => {
    const result: AlgebraResult = {
      members: ['b', 'a', '\xff', 'c', 'z'],
      scores: [1, 1, -Infinity, Infinity, 0],
      maxLength: 1,
    };
    expect(sortedOrder(result).map((i) => result.members[i])).toEqual(['\xff', 'z', 'a', 'b', 'c']);
  });

  it('toZSet picks the encoding of a computed result', () => {
    const small: AlgebraResult = { members: ['a', 'b'], scores: [2, 1], maxLength: 1 };
    const zset = toZSet(small, LIMITS);
    expect(zset.encoding()).toBe('listpack');
    expect([...zset.entries()]).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(
      toZSet({ members: ['x'.repeat(65)], scores: [1], maxLength: 65 }, LIMITS).encoding(),
    ).toBe('skiplist');
    const many = Array.from({ length: 129 }, (_, i) => `m${i}`);
    expect(
      toZSet({ members: many, scores: many.map(() => 0), maxLength: 4 }, LIMITS).encoding(),
    ).toBe('skiplist');
  });
});
