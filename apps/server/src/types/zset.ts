import { SortedSet, SortedSetEncoding, type EntryVisitor } from '@byor/sortedset';
import { formatDouble } from '@byor/protocol';
import type { ObjectValue } from '../values.js';

/**
 * The listpack limits a sorted set is created with (redis.conf's `zset-max-listpack-entries` and
 * `zset-max-listpack-value`, read from the server's config when the set is created).
 */
export interface ZSetLimits {
  readonly maxListpackEntries: number;
  readonly maxListpackValue: number;
}

/** The limits of a default redis.conf. */
export const DEFAULT_ZSET_LIMITS: ZSetLimits = Object.freeze({
  maxListpackEntries: 128,
  maxListpackValue: 64,
});

/** LLONG_MAX / 2 as a double: the range where redis-server's double2ll prints a score as an integer. */
const INTEGER_TEXT_LIMIT = 4611686018427387904;

/**
 * A score as a listpack stores it (and ZSCAN of a listpack returns it): redis-server 7.0's
 * d2string prints an integral score within +-LLONG_MAX/2 as an integer ("100000000000000000" for
 * 1e17, "0" for -0), anything else with %.17g.
 */
export function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && score >= -INTEGER_TEXT_LIMIT && score <= INTEGER_TEXT_LIMIT) {
    return Number.isSafeInteger(score) ? String(score + 0) : BigInt(score).toString();
  }
  return formatDouble(score);
}

/**
 * A sorted set key's value: a @byor/sortedset SortedSet (members ordered by score, then by bytes)
 * behind the server's ObjectValue interface. The SortedSet tracks the encoding redis-server 7.0
 * would report: "listpack" while it holds at most `zset-max-listpack-entries` members of at most
 * `zset-max-listpack-value` bytes, then "skiplist" for good (Redis never converts back, except that
 * ZUNIONSTORE & co. build their result in the smaller encoding when it fits).
 */
export class ZSet implements ObjectValue {
  /** the sorted set itself; commands call it directly */
  readonly set: SortedSet;
  readonly #limits: ZSetLimits;

  private constructor(set: SortedSet, limits: ZSetLimits) {
    this.set = set;
    this.#limits = limits;
  }

  /**
   * An empty sorted set. As redis-server 7.0's ZADD decides: a listpack unless listpacks are
   * disabled (`maxListpackEntries` 0) or `firstMemberLength` already exceeds `maxListpackValue`.
   */
  static create(limits: ZSetLimits, firstMemberLength = 0): ZSet {
    return new ZSet(
      new SortedSet({
        maxListpackEntries: limits.maxListpackEntries,
        maxListpackValue: limits.maxListpackValue,
        memberLengthHint: firstMemberLength,
      }),
      limits,
    );
  }

  /**
   * An empty sorted set about to receive `size` members whose longest is `maxMemberLength` bytes,
   * in the encoding redis-server's zsetConvertToListpackIfNeeded picks for a computed result
   * (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE): listpack when both fit the limits.
   */
  static forResult(limits: ZSetLimits, size: number, maxMemberLength: number): ZSet {
    return new ZSet(
      new SortedSet({
        maxListpackEntries: limits.maxListpackEntries,
        maxListpackValue: limits.maxListpackValue,
        sizeHint: size,
        memberLengthHint: maxMemberLength,
      }),
      limits,
    );
  }

  get type(): 'zset' {
    return 'zset';
  }

  /** Number of members (ZCARD). */
  get size(): number {
    return this.set.size;
  }

  /** OBJECT ENCODING: "listpack" or "skiplist". */
  encoding(): string {
    return this.set.encoding;
  }

  /** A deep copy in the same encoding (COPY keeps the encoding, as zsetDup does). */
  clone(): ZSet {
    const listpack = this.set.encoding === SortedSetEncoding.LISTPACK;
    const copy = new SortedSet({
      maxListpackEntries: this.#limits.maxListpackEntries,
      maxListpackValue: this.#limits.maxListpackValue,
      // an impossible member length forces the skiplist encoding from the start
      memberLengthHint: listpack ? 0 : Infinity,
      sizeHint: listpack ? 0 : this.set.size,
    });
    this.set.forEach((member, score) => {
      copy.add(member, score);
    });
    return new ZSet(copy, this.#limits);
  }

  /**
   * MEMORY USAGE estimate in V8 terms: one-byte strings (12-byte header + characters), the two
   * parallel arrays of the listpack form (4-byte pointers, 8-byte unboxed doubles) or, in the
   * skiplist form, an AVL node (struct-of-arrays slots) and a hashtable entry per member.
   */
  memoryUsage(): number {
    let bytes = 64;
    const perEntry = this.set.encoding === SortedSetEncoding.LISTPACK ? 12 : 64;
    this.set.forEach((member) => {
      bytes += perEntry + 12 + Math.ceil(member.length / 4) * 4;
    });
    return bytes;
  }

  /**
   * Every member with its score, ascending (persistence, DUMP, AOF rewrite). The set must not
   * change during the walk.
   */
  forEach(visitor: EntryVisitor): void {
    this.set.forEach(visitor);
  }

  /** Every [member, score] pair, ascending, lazily. */
  entries(): IterableIterator<[member: string, score: number]> {
    return this.set.entries();
  }

  /**
   * One ZSCAN step. A listpack is returned whole with cursor 0, exactly as redis-server does. The
   * skiplist form walks ranks from `cursor` (about `count` members per call) and returns the next
   * rank, or 0 at the end: unlike Redis's dictScan cursor, a member may be missed if members
   * ranked before the cursor are removed between calls.
   */
  scan(cursor: number, count: number, visitor: EntryVisitor): number {
    const size = this.set.size;
    if (this.set.encoding === SortedSetEncoding.LISTPACK) {
      this.set.forEach(visitor);
      return 0;
    }
    if (cursor >= size) return 0;
    const stop = Math.min(size, cursor + Math.max(1, count));
    this.set.forEachByRank(cursor, stop - 1, visitor);
    return stop >= size ? 0 : stop;
  }
}
