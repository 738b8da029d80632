import {
  SortedSet,
  SortedSetEncoding,
  type AddOptions,
  type AddOutcome,
  type EntryVisitor,
} from '@byor/sortedset';
import { formatDouble } from '@byor/protocol';
import { Charged, type ObjectValue } from '../values.js';

/**
 * The listpack limits (redis.conf's `zset-max-listpack-entries` and `zset-max-listpack-value`), as
 * the config holds them when a sorted set is created or a member inserted.
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

/** Options for the listpack form: the set itself never converts; {@link ZSet.add} decides. */
const LISTPACK_OPTIONS = Object.freeze({
  maxListpackEntries: Infinity,
  maxListpackValue: Infinity,
});
/** Options for the skiplist form from the start. */
const SKIPLIST_OPTIONS = Object.freeze({ maxListpackEntries: 0 });

/**
 * A sorted set key's value: a @byor/sortedset SortedSet (members ordered by score, then by bytes)
 * behind the server's ObjectValue interface, in the encoding redis-server 7.0 would report:
 * "listpack" while it holds at most `zset-max-listpack-entries` members of at most
 * `zset-max-listpack-value` bytes, then "skiplist" for good (Redis never converts back; only
 * ZUNIONSTORE & co. build their result in the smaller encoding when it fits).
 *
 * As in Redis, the limits are read from the config at every insert ({@link ZSet.add} takes them),
 * so `CONFIG SET zset-max-listpack-entries` applies to existing sets on their next new member.
 * The SortedSet is therefore created with no limits of its own, and converted here.
 */
export class ZSet extends Charged implements ObjectValue {
  #set: SortedSet;

  private constructor(listpack: boolean) {
    super();
    this.#set = new SortedSet(listpack ? LISTPACK_OPTIONS : SKIPLIST_OPTIONS);
  }

  /**
   * An empty sorted set. As redis-server 7.0's ZADD decides: a listpack unless listpacks are
   * disabled (`maxListpackEntries` 0) or `firstMemberLength` already exceeds `maxListpackValue`.
   */
  static create(limits: ZSetLimits, firstMemberLength = 0): ZSet {
    return new ZSet(limits.maxListpackEntries > 0 && firstMemberLength <= limits.maxListpackValue);
  }

  /**
   * An empty sorted set about to receive `size` members whose longest is `maxMemberLength` bytes,
   * in the encoding redis-server's zsetConvertToListpackIfNeeded picks for a computed result
   * (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE): listpack when both fit the limits. Fill it with
   * `set.add`: it does not convert.
   */
  static forResult(limits: ZSetLimits, size: number, maxMemberLength: number): ZSet {
    return new ZSet(
      size <= limits.maxListpackEntries && maxMemberLength <= limits.maxListpackValue,
    );
  }

  get type(): 'zset' {
    return 'zset';
  }

  /** Prefetches the lookups of members (see ObjectValue.touch). */
  touch(members: readonly string[]): void {
    this.#set.touch(members);
  }

  /** The sorted set itself; commands read and remove through it, and add through {@link ZSet.add}. */
  get set(): SortedSet {
    return this.#set;
  }

  /** Number of members (ZCARD). */
  get size(): number {
    return this.#set.size;
  }

  /**
   * zsetAdd: SortedSet.add after redis-server's conversion check. A new member that would make a
   * listpack exceed `limits` (the config now) converts the set to a skiplist first. O(log n), or
   * O(n log n) once for the conversion.
   */
  add(member: string, score: number, options: AddOptions, limits: ZSetLimits): AddOutcome {
    const set = this.#set;
    if (
      set.encoding === SortedSetEncoding.LISTPACK &&
      (set.size + 1 > limits.maxListpackEntries || member.length > limits.maxListpackValue) &&
      !(options.xx === true) &&
      !set.has(member)
    ) {
      this.#convertToSkiplist();
    }
    return this.#set.add(member, score, options);
  }

  /**
   * zsetConvert to the skiplist encoding (SORT does it to a set it sorts); nothing when it is one
   * already. O(n log n) once.
   */
  convertToSkiplist(): void {
    if (this.encoding() !== 'skiplist') this.#convertToSkiplist();
  }

  #convertToSkiplist(): void {
    const skiplist = new SortedSet(SKIPLIST_OPTIONS);
    this.#set.forEach((member, score) => {
      skiplist.add(member, score);
    });
    this.#set = skiplist;
  }

  /** OBJECT ENCODING: "listpack" or "skiplist". */
  encoding(): string {
    return this.#set.encoding;
  }

  /** A deep copy in the same encoding (COPY keeps the encoding, as zsetDup does). */
  clone(): ZSet {
    const copy = new ZSet(this.#set.encoding === SortedSetEncoding.LISTPACK);
    this.#set.forEach((member, score) => {
      copy.#set.add(member, score);
    });
    return copy;
  }

  /**
   * MEMORY USAGE estimate in V8 terms: one-byte strings (12-byte header + characters), the two
   * parallel arrays of the listpack form (4-byte pointers, 8-byte unboxed doubles) or, in the
   * skiplist form, an AVL node (struct-of-arrays slots) and a hashtable entry per member.
   */
  memoryUsage(): number {
    let bytes = 64;
    const perEntry = this.#set.encoding === SortedSetEncoding.LISTPACK ? 12 : 64;
    this.#set.forEach((member) => {
      bytes += perEntry + 12 + Math.ceil(member.length / 4) * 4;
    });
    return bytes;
  }

  /**
   * Every member with its score, ascending (persistence, DUMP, AOF rewrite). The set must not
   * change during the walk.
   */
  forEach(visitor: EntryVisitor): void {
    this.#set.forEach(visitor);
  }

  /** Every [member, score] pair, ascending, lazily. */
  entries(): IterableIterator<[member: string, score: number]> {
    return this.#set.entries();
  }

  /**
   * One ZSCAN step. A listpack is returned whole with cursor 0, exactly as redis-server does. The
   * skiplist form walks ranks from `cursor` (about `count` members per call) and returns the next
   * rank, or 0 at the end: unlike Redis's dictScan cursor, a member may be missed if members
   * ranked before the cursor are removed between calls.
   */
  scan(cursor: number, count: number, visitor: EntryVisitor): number {
    const set = this.#set;
    const size = set.size;
    if (set.encoding === SortedSetEncoding.LISTPACK) {
      set.forEach(visitor);
      return 0;
    }
    if (cursor >= size) return 0;
    const stop = Math.min(size, cursor + Math.max(1, count));
    set.forEachByRank(cursor, stop - 1, visitor);
    return stop >= size ? 0 : stop;
  }
}
