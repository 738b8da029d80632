import type { SetValue } from './set.js';
import { ZSet, type ZSetLimits } from './zset.js';

/**
 * ZUNION, ZINTER, ZDIFF, ZINTERCARD and their STORE forms, as redis-server 7.0's
 * zunionInterDiffGenericCommand computes them (t_zset.c). Inputs are sorted sets or plain sets
 * (every member of a set scores 1); a missing key is an empty input.
 */

/** How scores of the same member in several inputs combine (AGGREGATE). */
export const Aggregate = {
  SUM: 0,
  MIN: 1,
  MAX: 2,
} as const;

/** One of the values of {@link Aggregate}. */
export type Aggregate = (typeof Aggregate)[keyof typeof Aggregate];

/** One input key of a set operation, with its WEIGHTS factor. */
export class ZSource {
  readonly value: ZSet | SetValue | undefined;
  weight = 1;

  constructor(value: ZSet | SetValue | undefined) {
    this.value = value;
  }

  /** Number of members (0 for a missing key). */
  get size(): number {
    return this.value === undefined ? 0 : this.value.size;
  }

  /** The member's score (1 in a plain set), or undefined when absent. */
  score(member: string): number | undefined {
    const value = this.value;
    if (value === undefined) return undefined;
    if (value instanceof ZSet) return value.set.score(member);
    return value.has(member) ? 1 : undefined;
  }

  /**
   * Visits every member in redis-server's iteration order: a sorted set from its highest score
   * down (zuiInitIterator walks zsets backward), a set in its own order (ascending for an intset).
   */
  forEach(visitor: (member: string, score: number) => void): void {
    const value = this.value;
    if (value === undefined) return;
    if (value instanceof ZSet) {
      value.set.forEach(visitor, true);
      return;
    }
    for (const member of value) visitor(member, 1);
  }
}

/** A computed result: members and scores in no particular order, and the longest member. */
export interface AlgebraResult {
  readonly members: string[];
  readonly scores: number[];
  maxLength: number;
}

function aggregateInto(target: number, value: number, aggregate: Aggregate): number {
  if (aggregate === Aggregate.SUM) {
    const sum = target + value;
    // +inf + -inf is NaN: Redis keeps the convention that the result is 0
    return Number.isNaN(sum) ? 0 : sum;
  }
  // a NaN value (inf * 0 weight) never wins a comparison, as in C
  if (aggregate === Aggregate.MIN) return value < target ? value : target;
  return value > target ? value : target;
}

/** Sorts inputs by size, smallest first, as Redis's qsort does for ZUNION/ZINTER (stable). */
function bySize(sources: readonly ZSource[]): ZSource[] {
  return [...sources].sort((a, b) => a.size - b.size);
}

function weighted(score: number, weight: number): number {
  const value = score * weight;
  return Number.isNaN(value) ? 0 : value;
}

/** ZUNION: every member of any input, its weighted scores aggregated. O(total members). */
export function union(sources: readonly ZSource[], aggregate: Aggregate): AlgebraResult {
  const accumulator = new Map<string, number>();
  let maxLength = 0;
  for (const source of bySize(sources)) {
    const weight = source.weight;
    source.forEach((member, score) => {
      const value = weighted(score, weight);
      const current = accumulator.get(member);
      if (current === undefined) {
        accumulator.set(member, value);
        if (member.length > maxLength) maxLength = member.length;
      } else {
        accumulator.set(member, aggregateInto(current, value, aggregate));
      }
    });
  }
  return { members: [...accumulator.keys()], scores: [...accumulator.values()], maxLength };
}

/**
 * ZINTER: the members of the smallest input found in every other one, scores aggregated in
 * input-size order. With `cardinalityOnly`, only counts them, stopping at `limit` (0 = no limit).
 */
export function inter(
  sources: readonly ZSource[],
  aggregate: Aggregate,
  cardinalityOnly = false,
  limit = 0,
): AlgebraResult & { cardinality: number } {
  const result = { members: [] as string[], scores: [] as number[], maxLength: 0, cardinality: 0 };
  const sorted = bySize(sources);
  const first = sorted[0];
  if (first === undefined || first.size === 0) return result;
  const others = sorted.slice(1);
  const firstWeight = first.weight;
  let done = false;
  first.forEach((member, memberScore) => {
    if (done) return;
    let score = weighted(memberScore, firstWeight);
    for (const other of others) {
      // the same key twice: Redis reads the score it is iterating instead of looking it up
      const found = other.value === first.value ? memberScore : other.score(member);
      if (found === undefined) return;
      score = aggregateInto(score, found * other.weight, aggregate);
    }
    if (cardinalityOnly) {
      result.cardinality++;
      if (limit > 0 && result.cardinality >= limit) done = true;
      return;
    }
    result.members.push(member);
    result.scores.push(score);
    if (member.length > result.maxLength) result.maxLength = member.length;
  });
  return result;
}

/** ZDIFF: the members of the first input found in no other one, with their own scores. */
export function diff(sources: readonly ZSource[]): AlgebraResult {
  const result = { members: [] as string[], scores: [] as number[], maxLength: 0 };
  const [first, ...others] = sources;
  if (first === undefined || first.size === 0) return result;
  // the first key given again removes everything
  for (const other of others) if (other.value === first.value) return result;
  first.forEach((member, score) => {
    for (const other of others) if (other.score(member) !== undefined) return;
    result.members.push(member);
    result.scores.push(score);
    if (member.length > result.maxLength) result.maxLength = member.length;
  });
  return result;
}

/**
 * Builds the sorted set of a result in the encoding redis-server gives a computed result
 * (listpack when it fits the limits, as zsetConvertToListpackIfNeeded decides).
 */
export function toZSet(result: AlgebraResult, limits: ZSetLimits): ZSet {
  const zset = ZSet.forResult(limits, result.members.length, result.maxLength);
  const { members, scores } = result;
  for (let i = 0; i < members.length; i++) zset.set.add(members[i] ?? '', scores[i] ?? 0);
  return zset;
}

/** The indexes of a result's entries in sorted-set order: by score, then by member bytes. */
export function sortedOrder(result: AlgebraResult): number[] {
  const { members, scores } = result;
  const order = Array.from({ length: members.length }, (_, i) => i);
  return order.sort((i, j) => {
    const a = scores[i] ?? 0;
    const b = scores[j] ?? 0;
    if (a !== b) return a < b ? -1 : 1;
    const x = members[i] ?? '';
    const y = members[j] ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
