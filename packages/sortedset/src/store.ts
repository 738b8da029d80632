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
  /**
   * How lex ranges find their ends: by a scan from either end (true: a listpack's zzl*InLexRange)
   * or by a descent, as in sorted data (false: the skiplist's zsl*InLexRange).
   */
  readonly scansLex: boolean;
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
  /**
   * As visitByScore, for members within [min, max] in byte order, walked as Redis walks them
   * (see {@link firstInLexRange}): from the first member in range, LIMIT's offset skipped
   * unchecked, then while the members stay within the far end.
   */
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

/** zslLexValueGteMin: `member` is not below `min`. */
export function lexGteMin(member: string, min: LexBound): boolean {
  if (min === '-') return true;
  if (min === '+') return false;
  return min.exclusive ? member > min.value : member >= min.value;
}

/** zslLexValueLteMax: `member` is not above `max`. */
export function lexLteMax(member: string, max: LexBound): boolean {
  if (max === '+') return true;
  if (max === '-') return false;
  return max.exclusive ? member < max.value : member <= max.value;
}

/**
 * zslIsInLexRange / zzlIsInLexRange: false when the range is empty (`min` above `max`, or equal
 * with either end exclusive; `-` and `+` count as exclusive) or when the last member is below
 * `min` or the first above `max`.
 */
export function lexRangeOverlaps(store: Store, min: LexBound, max: LexBound): boolean {
  // sdscmplex: '-' below and '+' above every string, each equal to itself
  const order =
    min === max
      ? 0
      : min === '-' || max === '+'
        ? -1
        : min === '+' || max === '-'
          ? 1
          : min.value < max.value
            ? -1
            : min.value > max.value
              ? 1
              : 0;
  const exclusive = (bound: LexBound) => typeof bound === 'string' || bound.exclusive;
  if (order > 0 || (order === 0 && (exclusive(min) || exclusive(max)))) return false;
  const size = store.size;
  return (
    size !== 0 && lexGteMin(store.memberAt(size - 1), min) && lexLteMax(store.memberAt(0), max)
  );
}

/**
 * The rank a lex range starts at, as Redis finds it (zzlFirstInLexRange, zslFirstInLexRange),
 * or -1 when the range holds nothing: the first member not below `min`, by a scan from the low
 * end or a descent (`store.scansLex`), which must not be above `max`. When the scores differ the
 * members are not in byte order and Redis calls the result unspecified; this is what it gives.
 */
export function firstInLexRange(store: Store, min: LexBound, max: LexBound): number {
  if (!lexRangeOverlaps(store, min, max)) return -1;
  let rank = 0;
  if (!store.scansLex) rank = lexRank(store, min, true);
  // (the scan stops: the last member is not below min)
  else while (!lexGteMin(store.memberAt(rank), min)) rank++;
  return rank < store.size && lexLteMax(store.memberAt(rank), max) ? rank : -1;
}

/** The rank a lex range ends at, walking down (zzlLastInLexRange, zslLastInLexRange), or -1. */
export function lastInLexRange(store: Store, min: LexBound, max: LexBound): number {
  if (!lexRangeOverlaps(store, min, max)) return -1;
  let rank = store.size - 1;
  if (!store.scansLex) rank = lexRank(store, max, false) - 1;
  else while (!lexLteMax(store.memberAt(rank), max)) rank--;
  return rank >= 0 && lexGteMin(store.memberAt(rank), min) ? rank : -1;
}

/** The rank past the members from `rank` on that are not above `max` (ZREMRANGEBYLEX's walk). */
export function endOfLexRun(store: Store, rank: number, max: LexBound): number {
  let end = rank;
  while (end < store.size && lexLteMax(store.memberAt(end), max)) end++;
  return end;
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
