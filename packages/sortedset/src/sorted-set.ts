/**
 * Redis's sorted set (ZSET), chapters 10-12 of Build Your Own Redis: members ordered by
 * (score, member bytes), a member -> score lookup, and every range operation in O(log n) to
 * find its start. Small sets use the compact "listpack" encoding; past `maxListpackEntries`
 * entries or a member longer than `maxListpackValue`, the set converts (once, like Redis) to
 * the "skiplist" encoding: an order-statistic AVL tree plus a hashtable, as in the book.
 */
import type { LexBound, ScoreBound } from './bounds.js';
import { CompactStore } from './compact-store.js';
import { IncompatibleAddOptionsError, SortedSetInvariantError } from './errors.js';
import { endOfLexRun, firstInLexRange, lastInLexRange, type Store, type Visitor } from './store.js';
import { TreeStore } from './tree-store.js';

/** A member with its score, as ranges and pops return them. @example const [member, score] = set.popMin()[0]!; */
export type ScoredMember = [member: string, score: number];

/**
 * Receives each entry of a range walk, in order, without a pair being allocated.
 *
 * @example
 * const write: EntryVisitor = (member, score) => reply.bulk(member).double(score);
 */
export type EntryVisitor = (member: string, score: number) => void;

/** A source of uniform random numbers in [0, 1), like `Math.random`. @example set.randomMember(seededRandom); */
export type RandomSource = () => number;

/**
 * The names Redis's OBJECT ENCODING reports for a sorted set.
 *
 * @example
 * if (set.encoding === SortedSetEncoding.LISTPACK) console.log('compact');
 */
export const SortedSetEncoding = {
  /** Two small sorted arrays (Redis: a listpack). */
  LISTPACK: 'listpack',
  /** The AVL tree + hashtable pair (Redis's name for its skiplist + dict encoding). */
  SKIPLIST: 'skiplist',
} as const;

/** One of the values of {@link SortedSetEncoding}. @example const encoding: SortedSetEncoding = set.encoding; */
export type SortedSetEncoding = (typeof SortedSetEncoding)[keyof typeof SortedSetEncoding];

/**
 * Options of {@link SortedSet}; the defaults are redis.conf's.
 *
 * @example
 * new SortedSet({ maxListpackEntries: 0 }); // always the tree encoding
 */
export interface SortedSetOptions {
  /** Most entries kept in the listpack encoding (`zset-max-listpack-entries`). Default 128. */
  readonly maxListpackEntries?: number;
  /** Longest member, in bytes, kept in the listpack encoding (`zset-max-listpack-value`). Default 64. */
  readonly maxListpackValue?: number;
  /**
   * Entries about to be added (Redis's `zsetTypeCreate` size hint: ZADD passes its number of
   * pairs). Above `maxListpackEntries`, the set starts in the skiplist encoding. Default 0.
   */
  readonly sizeHint?: number;
  /** Longest member about to be added; above `maxListpackValue` the set starts as a skiplist. Default 0. */
  readonly memberLengthHint?: number;
}

/**
 * ZADD's flags. All default to false; NX excludes XX, GT and LT; GT excludes LT.
 *
 * @example
 * set.add('a', 5, { xx: true, gt: true }); // raise an existing score only
 */
export interface AddOptions {
  /** Only add new members, never update. */
  readonly nx?: boolean;
  /** Only update existing members, never add. */
  readonly xx?: boolean;
  /** Update only when the new score is greater than the current one (new members are added). */
  readonly gt?: boolean;
  /** Update only when the new score is less than the current one (new members are added). */
  readonly lt?: boolean;
  /**
   * Add `score` to the current score (0 for a new member), as ZADD INCR and ZINCRBY do; see
   * {@link SortedSet.increment}, which also returns the new score.
   */
  readonly incr?: boolean;
}

/**
 * What {@link SortedSet.add} did, enough for every ZADD reply:
 * - ZADD: count `ADDED`; with CH, count `ADDED` and `UPDATED`.
 * - ZADD INCR / ZINCRBY: `SKIPPED` replies nil, `NAN` replies
 *   "ERR resulting score is not a number (NaN)", anything else replies the new score, which
 *   {@link SortedSet.increment} returns directly (prefer it for those two commands).
 *
 * @example
 * if (set.add(member, score) === AddOutcome.ADDED) added++;
 */
export const AddOutcome = {
  /** The member existed with exactly this score. */
  UNCHANGED: 0,
  /** The member was new and is now in the set. */
  ADDED: 1,
  /** The member existed and its score changed. */
  UPDATED: 2,
  /** NX, XX, GT or LT prevented the change. */
  SKIPPED: 3,
  /** The score, or the sum with INCR, is NaN; nothing changed. */
  NAN: 4,
} as const;

/** One of the values of {@link AddOutcome}. @example const outcome: AddOutcome = set.add('a', 1); */
export type AddOutcome = (typeof AddOutcome)[keyof typeof AddOutcome];

/**
 * LIMIT and direction of a score or lex range.
 *
 * @example
 * set.rangeByScore(MIN_SCORE, MAX_SCORE, { reverse: true, offset: 10, count: 10 });
 */
export interface RangeOptions {
  /** Walk from the high end (ZREVRANGEBYSCORE, ZRANGE ... REV). Default false. */
  readonly reverse?: boolean;
  /** Entries to skip first (LIMIT offset); a negative offset yields nothing, as in Redis. Default 0. */
  readonly offset?: number;
  /** Most entries to return (LIMIT count); negative means all, as in Redis. Default -1. */
  readonly count?: number;
}

const DEFAULT_MAX_LISTPACK_ENTRIES = 128;
const DEFAULT_MAX_LISTPACK_VALUE = 64;
const MAX_INITIAL_CAPACITY = 1 << 16;
const NO_OPTIONS: AddOptions = Object.freeze({});
const NO_RANGE: RangeOptions = Object.freeze({});

/**
 * A Redis sorted set of latin1 string members (one char per byte, compared by code unit =
 * byte order) with double scores, `-Infinity` and `Infinity` included, NaN never.
 *
 * Ranks are 0-based in ascending (score, member) order. Rank arguments follow Redis: negative
 * indexes count from the end (-1 is the last), and out-of-range ends are clamped.
 *
 * @example
 * const set = new SortedSet();
 * set.add('alice', 30);
 * set.add('bob', 10);
 * set.add('carol', 20, { nx: true });
 * set.rank('alice'); // 2
 * set.rangeByRank(0, -1); // [['bob', 10], ['carol', 20], ['alice', 30]]
 * set.countByScore({ value: 10, exclusive: true }, { value: Infinity, exclusive: false }); // 2
 * set.add('bob', 5, { incr: true }); // AddOutcome.UPDATED
 * set.score('bob'); // 15
 */
export class SortedSet {
  #store: Store;
  #listpack: boolean;
  readonly #maxListpackEntries: number;
  readonly #maxListpackValue: number;
  /** the score the last add() computed (Redis's `newscore`), read by increment() */
  #newScore = 0;

  /**
   * Creates an empty sorted set. O(1).
   *
   * @example
   * const set = new SortedSet({ sizeHint: argumentsPairs, memberLengthHint: longestMember });
   */
  constructor(options: SortedSetOptions = {}) {
    this.#maxListpackEntries = options.maxListpackEntries ?? DEFAULT_MAX_LISTPACK_ENTRIES;
    this.#maxListpackValue = options.maxListpackValue ?? DEFAULT_MAX_LISTPACK_VALUE;
    const sizeHint = options.sizeHint ?? 0;
    // Redis's zsetTypeCreate: a listpack when the hints fit (and listpacks are enabled at all)
    this.#listpack =
      this.#maxListpackEntries > 0 &&
      sizeHint <= this.#maxListpackEntries &&
      (options.memberLengthHint ?? 0) <= this.#maxListpackValue;
    // the hint sizes the first allocation, capped: growth doubles from there
    this.#store = this.#listpack
      ? new CompactStore()
      : new TreeStore(Math.min(Math.max(8, sizeHint), MAX_INITIAL_CAPACITY));
  }

  /**
   * Prefetches the lookups of members still in bytes: the latin1 members
   * `bytes[starts[i], ends[i])`, i < count, whose lookups (ZADD, ZSCORE...) come next, have what
   * finding them reads loaded into the CPU cache together (@byor/hashtable's `touchBytes`), so
   * that their cache misses overlap. Changes nothing; a listpack-encoded set ignores it.
   * O(bytes of the members).
   *
   * @example
   * ```ts
   * const bytes = Buffer.from('ZSCORE z a', 'latin1');
   * zset.touchBytes(bytes, [9], [10], 1);
   * ```
   */
  touchBytes(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    count: number,
  ): void {
    this.#store.touchBytes(bytes, starts, ends, count);
  }

  /**
   * {@link SortedSet.touchBytes} for members already strings, whose lookups follow in that
   * order: they find their hashes kept (@byor/hashtable's `touch`). `members` must not change
   * until the next touch. Changes nothing; a listpack-encoded set ignores it. O(members).
   *
   * @example
   * ```ts
   * zset.touch(['a', 'b']);
   * zset.score('a');
   * zset.score('b');
   * ```
   */
  touch(members: readonly string[]): void {
    this.#store.touch(members);
  }

  /** The number of members (ZCARD). O(1). @example new SortedSet().size; // 0 */
  get size(): number {
    return this.#store.size;
  }

  /**
   * The current encoding, as OBJECT ENCODING names it. O(1).
   *
   * @example
   * new SortedSet().encoding; // 'listpack'
   */
  get encoding(): SortedSetEncoding {
    return this.#listpack ? SortedSetEncoding.LISTPACK : SortedSetEncoding.SKIPLIST;
  }

  /**
   * Adds `member` with `score` or updates its score, with ZADD's NX/XX/GT/LT/INCR semantics.
   * O(log n) in the skiplist encoding (O(n) moves, n <= 128, in the listpack one).
   *
   * @throws IncompatibleAddOptionsError for NX with XX, GT or LT, and for GT with LT
   * @example
   * set.add('a', 1); // AddOutcome.ADDED
   * set.add('a', 2, { gt: true }); // AddOutcome.UPDATED
   * set.add('a', 1, { gt: true }); // AddOutcome.SKIPPED
   * set.add('a', -Infinity, { incr: true }); // AddOutcome.UPDATED: the score is -inf
   * set.add('a', Infinity, { incr: true }); // AddOutcome.NAN: -inf + inf
   */
  add(member: string, score: number, options: AddOptions = NO_OPTIONS): AddOutcome {
    return this.#add(member, score, options, options.incr === true);
  }

  /**
   * Adds `delta` to the score of `member` (from 0 when absent), with ZADD's NX/XX/GT/LT:
   * ZINCRBY and ZADD INCR. Returns the new score exactly as Redis replies it (`-0` included,
   * even where the listpack encoding stores 0), `null` when NX/XX/GT/LT prevented the change
   * (ZADD INCR replies nil), or `NaN` when the sum is not a number (nothing changed; Redis
   * replies "ERR resulting score is not a number (NaN)"). O(log n).
   *
   * @throws IncompatibleAddOptionsError as {@link SortedSet.add}
   * @example
   * set.increment('a', 2); // 2
   * set.increment('a', 1, { xx: true }); // 3
   * set.increment('b', 1, { xx: true }); // null: absent
   * set.increment('a', Infinity); // Infinity
   * set.increment('a', -Infinity); // NaN
   */
  increment(member: string, delta: number, options: AddOptions = NO_OPTIONS): number | null {
    const outcome = this.#add(member, delta, options, true);
    if (outcome === AddOutcome.SKIPPED) return null;
    if (outcome === AddOutcome.NAN) return Number.NaN;
    return this.#newScore;
  }

  /** t_zset.c zsetAdd; leaves the resulting score (Redis's `newscore`) in #newScore. */
  #add(member: string, score: number, options: AddOptions, incr: boolean): AddOutcome {
    const nx = options.nx === true;
    const xx = options.xx === true;
    const gt = options.gt === true;
    const lt = options.lt === true;
    if (nx && xx) {
      throw new IncompatibleAddOptionsError(
        'XX and NX options at the same time are not compatible',
      );
    }
    if ((gt && lt) || (nx && (gt || lt))) {
      throw new IncompatibleAddOptionsError(
        'GT, LT, and/or NX options at the same time are not compatible',
      );
    }
    if (Number.isNaN(score)) return AddOutcome.NAN;
    const current = this.#store.score(member);
    if (current !== undefined) {
      if (nx) return AddOutcome.SKIPPED;
      if (incr) {
        score += current;
        if (Number.isNaN(score)) return AddOutcome.NAN;
      }
      if ((lt && score >= current) || (gt && score <= current)) return AddOutcome.SKIPPED;
      this.#newScore = score;
      // 0 and -0 are equal here, as in C
      if (score === current) return AddOutcome.UNCHANGED;
      this.#store.update(member, current, score);
      return AddOutcome.UPDATED;
    }
    if (xx) return AddOutcome.SKIPPED;
    if (
      this.#listpack &&
      (this.#store.size >= this.#maxListpackEntries || member.length > this.#maxListpackValue)
    ) {
      this.#convertToSkiplist();
    }
    this.#newScore = score;
    this.#store.insert(member, score);
    return AddOutcome.ADDED;
  }

  /**
   * Removes `member`; true when it was present (ZREM). O(log n).
   *
   * @example
   * set.remove('a'); // true
   */
  remove(member: string): boolean {
    return this.#store.remove(member);
  }

  /**
   * The score of `member`, or undefined (ZSCORE). O(1) in the skiplist encoding.
   *
   * @example
   * set.score('a'); // 1
   */
  score(member: string): number | undefined {
    return this.#store.score(member);
  }

  /** True when `member` is in the set. O(1). @example set.has('a'); */
  has(member: string): boolean {
    return this.#store.score(member) !== undefined;
  }

  /**
   * The 0-based rank of `member` in ascending order, or in descending order when `reverse`
   * (ZRANK, ZREVRANK); undefined when absent. O(log n).
   *
   * @example
   * set.rank('a'); // 0 for the lowest score
   * set.rank('a', true); // 0 for the highest score
   */
  rank(member: string, reverse = false): number | undefined {
    const rank = this.#store.rank(member);
    if (rank < 0) return undefined;
    return reverse ? this.#store.size - 1 - rank : rank;
  }

  // -----------------------------------------------------------------------------------------
  // By rank

  /**
   * Visits the entries of ranks `start`..`stop` inclusive (ZRANGE): negative indexes count
   * from the end, out-of-range ends are clamped; with `reverse`, ranks count from the highest
   * score (ZRANGE ... REV, ZREVRANGE). Returns the number visited. O(log n + count).
   *
   * @example
   * set.forEachByRank(0, -1, (member, score) => reply.push(member, score));
   */
  forEachByRank(start: number, stop: number, visitor: EntryVisitor, reverse = false): number {
    const size = this.#store.size;
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    if (start < 0) start = 0;
    if (start > stop || start >= size) return 0;
    if (stop >= size) stop = size - 1;
    const count = stop - start + 1;
    if (reverse) this.#store.visit(size - 1 - start, count, true, visitor);
    else this.#store.visit(start, count, false, visitor);
    return count;
  }

  /**
   * The entries of ranks `start`..`stop` inclusive, as {@link SortedSet.forEachByRank} visits
   * them. O(log n + count).
   *
   * @example
   * set.rangeByRank(0, 1); // the two lowest
   * set.rangeByRank(0, 1, true); // the two highest, highest first
   */
  rangeByRank(start: number, stop: number, reverse = false): ScoredMember[] {
    const entries: ScoredMember[] = [];
    this.forEachByRank(start, stop, (member, score) => entries.push([member, score]), reverse);
    return entries;
  }

  /**
   * Removes the entries of ranks `start`..`stop` inclusive, Redis-style indexes
   * (ZREMRANGEBYRANK); returns how many were removed. O(count * log n).
   *
   * @example
   * set.removeRangeByRank(0, -3); // keep only the two highest
   */
  removeRangeByRank(start: number, stop: number): number {
    const size = this.#store.size;
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    if (start < 0) start = 0;
    if (start > stop || start >= size) return 0;
    if (stop >= size) stop = size - 1;
    const count = stop - start + 1;
    this.#store.removeRange(start, count);
    return count;
  }

  // -----------------------------------------------------------------------------------------
  // By score

  /**
   * The number of entries with a score between `min` and `max` (ZCOUNT): two O(log n)
   * descents over subtree sizes, never a walk.
   *
   * @example
   * set.countByScore(parseScoreBound('(1')!, parseScoreBound('+inf')!);
   */
  countByScore(min: ScoreBound, max: ScoreBound): number {
    const low = this.#store.countScoreBelow(min.value, min.exclusive);
    const high = this.#store.countScoreBelow(max.value, !max.exclusive);
    return high > low ? high - low : 0;
  }

  /**
   * Visits the entries with a score between `min` and `max`, ascending or (with `reverse`)
   * descending, after LIMIT's `offset` and `count` (ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGE
   * BYSCORE). `min` is always the low end, also in reverse. Returns the number visited.
   * O(log n + offset + count) in the listpack encoding, O(log n + count) in the skiplist one.
   *
   * @example
   * set.forEachByScore(MIN_SCORE, MAX_SCORE, (member, score) => write(member, score), { reverse: true, count: 10 });
   */
  forEachByScore(
    min: ScoreBound,
    max: ScoreBound,
    visitor: EntryVisitor,
    options: RangeOptions = NO_RANGE,
  ): number {
    const offset = options.offset ?? 0;
    const count = options.count ?? -1;
    if (offset < 0 || count === 0) return 0;
    return this.#store.visitByScore(min, max, offset, count, options.reverse === true, visitor);
  }

  /**
   * The entries with a score between `min` and `max`, as {@link SortedSet.forEachByScore}
   * visits them. O(log n + count).
   *
   * @example
   * set.rangeByScore({ value: 1, exclusive: false }, { value: 5, exclusive: true }, { offset: 0, count: 2 });
   */
  rangeByScore(min: ScoreBound, max: ScoreBound, options: RangeOptions = NO_RANGE): ScoredMember[] {
    const entries: ScoredMember[] = [];
    this.forEachByScore(min, max, (member, score) => entries.push([member, score]), options);
    return entries;
  }

  /**
   * Removes the entries with a score between `min` and `max` (ZREMRANGEBYSCORE); returns how
   * many. O(log n + count * log n).
   *
   * @example
   * set.removeRangeByScore(MIN_SCORE, { value: 0, exclusive: true }); // drop negative scores
   */
  removeRangeByScore(min: ScoreBound, max: ScoreBound): number {
    const low = this.#store.countScoreBelow(min.value, min.exclusive);
    const high = this.#store.countScoreBelow(max.value, !max.exclusive);
    if (high <= low) return 0;
    this.#store.removeRange(low, high - low);
    return high - low;
  }

  // -----------------------------------------------------------------------------------------
  // By lex (meaningful when every score is equal, as in Redis; otherwise walked as Redis walks
  // it, see firstInLexRange)

  /**
   * The number of members between `min` and `max` in byte order (ZLEXCOUNT), in O(log n) (a
   * listpack's O(n) scan, n <= its 128 entries, as Redis's). As in Redis, the result is
   * meaningful only when all scores are equal.
   *
   * @example
   * set.countByLex({ value: 'a', exclusive: false }, '+'); // members >= "a"
   */
  countByLex(min: LexBound, max: LexBound): number {
    const store = this.#store;
    const first = firstInLexRange(store, min, max);
    if (first < 0) return 0;
    // zlexcountCommand: a listpack counts from the first while not above max, a skiplist by the
    // ranks of the first and the last in range (the same when scores are equal)
    if (store.scansLex) return endOfLexRun(store, first, max) - first;
    const last = lastInLexRange(store, min, max);
    return last < 0 ? store.size - first : last + 1 - first;
  }

  /**
   * Visits the members between `min` and `max` in byte order, with LIMIT and `reverse`
   * (ZRANGEBYLEX, ZREVRANGEBYLEX, ZRANGE BYLEX); `min` is the low end, also in reverse.
   * Returns the number visited. O(log n + count).
   *
   * @example
   * set.forEachByLex('-', '+', (member) => members.push(member));
   */
  forEachByLex(
    min: LexBound,
    max: LexBound,
    visitor: EntryVisitor,
    options: RangeOptions = NO_RANGE,
  ): number {
    const offset = options.offset ?? 0;
    const count = options.count ?? -1;
    if (offset < 0 || count === 0) return 0;
    return this.#store.visitByLex(min, max, offset, count, options.reverse === true, visitor);
  }

  /**
   * The entries between `min` and `max` in byte order, as {@link SortedSet.forEachByLex}
   * visits them. O(log n + count).
   *
   * @example
   * set.rangeByLex({ value: 'b', exclusive: false }, { value: 'd', exclusive: true });
   */
  rangeByLex(min: LexBound, max: LexBound, options: RangeOptions = NO_RANGE): ScoredMember[] {
    const entries: ScoredMember[] = [];
    this.forEachByLex(min, max, (member, score) => entries.push([member, score]), options);
    return entries;
  }

  /**
   * Removes the members between `min` and `max` in byte order (ZREMRANGEBYLEX); returns how
   * many. O(log n + count * log n).
   *
   * @example
   * set.removeRangeByLex('-', { value: 'm', exclusive: true });
   */
  removeRangeByLex(min: LexBound, max: LexBound): number {
    // z*DeleteRangeByLex: from the first in range while not above max
    const store = this.#store;
    const first = firstInLexRange(store, min, max);
    if (first < 0) return 0;
    const removed = endOfLexRun(store, first, max) - first;
    store.removeRange(first, removed);
    return removed;
  }

  // -----------------------------------------------------------------------------------------
  // Pops, random members, the book's zquery

  /**
   * Removes and returns up to `count` entries with the lowest scores, lowest first (ZPOPMIN).
   * A count of 0 or less returns nothing. O(count * log n).
   *
   * @example
   * set.popMin(); // [['bob', 10]]
   */
  popMin(count = 1): ScoredMember[] {
    const entries: ScoredMember[] = [];
    const taken = Math.min(count, this.#store.size);
    if (!(taken > 0)) return entries;
    this.#store.visit(0, taken, false, (member, score) => entries.push([member, score]));
    this.#store.removeRange(0, taken);
    return entries;
  }

  /**
   * Removes and returns up to `count` entries with the highest scores, highest first
   * (ZPOPMAX). A count of 0 or less returns nothing. O(count * log n).
   *
   * @example
   * set.popMax(2); // the two highest, highest first
   */
  popMax(count = 1): ScoredMember[] {
    const entries: ScoredMember[] = [];
    const size = this.#store.size;
    const taken = Math.min(count, size);
    if (!(taken > 0)) return entries;
    this.#store.visit(size - 1, taken, true, (member, score) => entries.push([member, score]));
    this.#store.removeRange(size - taken, taken);
    return entries;
  }

  /**
   * One member chosen uniformly at random, or undefined when empty (ZRANDMEMBER without a
   * count). O(log n).
   *
   * @example
   * set.randomMember();
   */
  randomMember(random: RandomSource = Math.random): string | undefined {
    const size = this.#store.size;
    if (size === 0) return undefined;
    return this.#store.memberAt(Math.floor(random() * size));
  }

  /**
   * Random entries as ZRANDMEMBER with a count returns them: for `count` > 0, that many
   * distinct entries (the whole set when `count` >= size); for `count` < 0, `-count` entries
   * drawn with repetition; none for 0. O(k log n) for k entries returned.
   *
   * @example
   * set.randomEntries(3); // 3 distinct entries
   * set.randomEntries(-5); // 5 draws, repeats possible
   */
  randomEntries(count: number, random: RandomSource = Math.random): ScoredMember[] {
    const entries: ScoredMember[] = [];
    const size = this.#store.size;
    if (size === 0 || count === 0) return entries;
    const store = this.#store;
    const push: Visitor = (member, score) => entries.push([member, score]);
    if (count < 0) {
      for (let draw = 0; draw < -count; draw++) {
        store.visit(Math.floor(random() * size), 1, false, push);
      }
      return entries;
    }
    if (count >= size) {
      store.visit(0, size, false, push);
      return entries;
    }
    if (count * 3 > size) {
      // dense: a partial Fisher-Yates shuffle of the ranks
      const ranks = new Int32Array(size);
      for (let index = 0; index < size; index++) ranks[index] = index;
      for (let index = 0; index < count; index++) {
        const pick = index + Math.floor(random() * (size - index));
        const rank = ranks[pick]!;
        ranks[pick] = ranks[index]!;
        store.visit(rank, 1, false, push);
      }
      return entries;
    }
    // sparse: draw ranks, rejecting repeats
    const chosen = new Set<number>();
    while (chosen.size < count) {
      const rank = Math.floor(random() * size);
      if (chosen.has(rank)) continue;
      chosen.add(rank);
      store.visit(rank, 1, false, push);
    }
    return entries;
  }

  /**
   * The book's `zquery`: entries from the first (score, member) pair >= the given one,
   * moved `offset` entries (backward when negative), then at most `limit` array elements (a
   * pair counts two, so `floor(limit / 2)` entries). Empty when no pair is >= the given one, or
   * when the offset leaves the set. O(log n + count).
   *
   * @example
   * set.query(-Infinity, '', 0, 10); // the first 5 entries
   * set.query(20, 'carol', -1, 2); // the entry just before (20, 'carol')
   */
  query(score: number, member: string, offset: number, limit: number): ScoredMember[] {
    const entries: ScoredMember[] = [];
    const size = this.#store.size;
    const start = this.#store.countPairBelow(score, member);
    if (start >= size) return entries;
    const first = start + offset;
    if (!(first >= 0 && first < size)) return entries;
    const count = Math.min(Math.floor(limit / 2), size - first);
    if (!(count > 0)) return entries;
    this.#store.visit(first, count, false, (entryMember, entryScore) =>
      entries.push([entryMember, entryScore]),
    );
    return entries;
  }

  // -----------------------------------------------------------------------------------------
  // Iteration

  /**
   * Visits every entry in ascending order (descending with `reverse`), for ZSCAN, DUMP and RDB
   * writers. Returns the number visited. The set must not change during the walk. O(n).
   *
   * @example
   * set.forEach((member, score) => rdb.writeEntry(member, score));
   */
  forEach(visitor: EntryVisitor, reverse = false): number {
    const size = this.#store.size;
    if (size > 0) this.#store.visit(reverse ? size - 1 : 0, size, reverse, visitor);
    return size;
  }

  /**
   * The entries in ascending order, or descending with `reverse`, lazily. O(1) amortised per
   * step. The set must not change during the walk.
   *
   * @example
   * for (const [member, score] of set.entries(true)) console.log(member, score);
   */
  entries(reverse = false): IterableIterator<ScoredMember> {
    return this.#store.entries(reverse);
  }

  /**
   * Same as {@link SortedSet.entries}: ascending order.
   *
   * @example
   * for (const [member, score] of set) console.log(member, score);
   */
  [Symbol.iterator](): IterableIterator<ScoredMember> {
    return this.#store.entries(false);
  }

  /**
   * Removes every member; the encoding returns to listpack when the limits allow it. O(n).
   *
   * @example
   * set.clear();
   */
  clear(): void {
    this.#listpack = this.#maxListpackEntries > 0;
    this.#store = this.#listpack ? new CompactStore() : new TreeStore(8);
  }

  /**
   * Verifies order, the member index, the tree's balance and sizes, and the listpack limits;
   * throws {@link SortedSetInvariantError} on the first violation. For tests. O(n).
   *
   * @example
   * set.checkInvariants();
   */
  checkInvariants(): void {
    this.#store.checkInvariants();
    if (!this.#listpack) return;
    if (this.#store.size > this.#maxListpackEntries) {
      throw new SortedSetInvariantError(
        `listpack holds ${this.#store.size} > ${this.#maxListpackEntries} entries`,
      );
    }
    this.#store.visit(0, this.#store.size, false, (member) => {
      if (member.length > this.#maxListpackValue) {
        throw new SortedSetInvariantError(`listpack holds a member of ${member.length} bytes`);
      }
    });
  }

  // -----------------------------------------------------------------------------------------
  // Internals

  #convertToSkiplist(): void {
    const compact = this.#store as CompactStore;
    // room for a quarter more: a set that just outgrew the listpack rarely doubles soon
    const tree = new TreeStore(Math.max(8, compact.size + (compact.size >> 2)));
    compact.visit(0, compact.size, false, (member, score) => tree.append(member, score));
    this.#store = tree;
    this.#listpack = false;
  }
}
