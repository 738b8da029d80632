/**
 * The two encodings of a sorted set behind one internal interface, named after Redis's
 * OBJECT ENCODING answers: "listpack" (two sorted arrays, for small sets) and "skiplist"
 * (here an order-statistic AVL tree plus a member index). SortedSet expresses every range
 * operation through ranks, so each encoding only answers rank questions.
 *
 * @internal
 */

import type { LexBound, ScoreBound } from './bounds.js';

/** Called once per visited entry, in the order of the walk. */
export type Visitor = (member: string, score: number) => void;

/** Orders (score, member) pairs: by score, then by member code units (= bytes for latin1). */
export function comparePairs(
  scoreA: number,
  memberA: string,
  scoreB: number,
  memberB: string,
): number {
  if (scoreA < scoreB) return -1;
  if (scoreA > scoreB) return 1;
  return memberA < memberB ? -1 : memberA > memberB ? 1 : 0;
}

/** @internal */
export interface Store {
  readonly size: number;
  score(member: string): number | undefined;
  /** Adds a member that is absent. */
  insert(member: string, score: number): void;
  /** Moves a present member from `oldScore` to `newScore`. */
  update(member: string, oldScore: number, newScore: number): void;
  remove(member: string): boolean;
  /** 0-based rank in ascending order, -1 when absent. */
  rank(member: string): number;
  /** Entries with score < `score`, or <= when `inclusive`. */
  countScoreBelow(score: number, inclusive: boolean): number;
  /** Entries with member < `member`, or <= when `inclusive` (meaningful when scores are equal). */
  countMemberBelow(member: string, inclusive: boolean): number;
  /** Entries ordered before the pair (score, member). */
  countPairBelow(score: number, member: string): number;
  /** Visits `count` entries from `rank`, forward or (when `reverse`) backward. */
  visit(rank: number, count: number, reverse: boolean, visitor: Visitor): void;
  /**
   * Visits the entries with a score within [min, max], skipping `offset` (>= 0) first and
   * stopping after `count` (negative: no limit), from the low end or (reverse) the high end.
   * Returns the number visited.
   */
  visitByScore(
    min: ScoreBound,
    max: ScoreBound,
    offset: number,
    count: number,
    reverse: boolean,
    visitor: Visitor,
  ): number;
  /** As visitByScore, for members within [min, max] in byte order. */
  visitByLex(
    min: LexBound,
    max: LexBound,
    offset: number,
    count: number,
    reverse: boolean,
    visitor: Visitor,
  ): number;
  /** Removes the entries of ranks [rank, rank + count). */
  removeRange(rank: number, count: number): void;
  /** The entries from the lowest (or, with `reverse`, the highest), lazily. */
  entries(reverse: boolean): IterableIterator<[member: string, score: number]>;
  memberAt(rank: number): string;
  scoreAt(rank: number): number;
  clear(): void;
  /** Throws SortedSetInvariantError on a broken structure. */
  checkInvariants(): void;
  /** Prefetches the lookups of members (see SortedSet.touch). */
  touch(members: readonly string[]): void;
  /** Prefetches the lookups of members still in bytes (see SortedSet.touchBytes). */
  touchBytes(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    count: number,
  ): void;
}

/** Rank where a lex bound falls: entries below `min` (isMin), or entries not above `max`. */
export function lexRank(store: Store, bound: LexBound, isMin: boolean): number {
  if (bound === '-') return 0;
  if (bound === '+') return store.size;
  return store.countMemberBelow(bound.value, isMin ? bound.exclusive : !bound.exclusive);
}

/** Visits ranks [low, high) after LIMIT (offset >= 0, count < 0 for all), either direction. */
export function visitSpan(
  store: Store,
  low: number,
  high: number,
  offset: number,
  count: number,
  reverse: boolean,
  visitor: Visitor,
): number {
  const total = high - low;
  if (total <= 0 || offset >= total) return 0;
  let visited = total - offset;
  if (count >= 0 && count < visited) visited = count;
  if (visited <= 0) return 0;
  if (reverse) store.visit(high - 1 - offset, visited, true, visitor);
  else store.visit(low + offset, visited, false, visitor);
  return visited;
}
