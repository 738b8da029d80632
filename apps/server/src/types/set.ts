import { parseInt64 } from '../util/numbers.js';
import { Charged, type ObjectValue } from '../values.js';
import { HashTable } from '@byor/hashtable';
import { IntSet } from './set-intset.js';

/** Redis caps set-max-intset-entries at 2^30 (intset internals). */
const INTSET_HARD_LIMIT = 1 << 30;

/**
 * A Redis set (t_set.c of redis-server 7.0). Two encodings, as OBJECT ENCODING reports them:
 *
 * - `intset` while every member is an integer (string2ll rules: "12", "-3", not "012" or "+1")
 *   and there are at most set-max-intset-entries (512) of them: an {@link IntSet}, members sorted
 *   numerically, which is also the order SMEMBERS, SSCAN and SPOP/SUNION replies use;
 * - `hashtable` otherwise: a HashTable of member -> true, in no defined order.
 *
 * A set converts to a hashtable when a non-integer member arrives or the intset grows past the
 * limit, and never converts back (7.0 has no listpack sets). New sets made by SINTERSTORE,
 * SUNIONSTORE, SDIFFSTORE, SPOP's rebuild and SMOVE start as intsets again, as in Redis.
 *
 * @example
 * ```ts
 * const set = SetValue.forMember('1');
 * set.add('1', 512); set.add('2', 512);
 * set.encoding(); // 'intset'
 * set.add('x', 512);
 * set.encoding(); // 'hashtable'
 * ```
 */
export class SetValue extends Charged implements ObjectValue {
  #ints: IntSet | null;
  #table: HashTable<true> | null;

  /** An empty set: an intset (default) or a hashtable. O(1). */
  constructor(intset = true) {
    super();
    this.#ints = intset ? new IntSet() : null;
    this.#table = intset ? null : new HashTable<true>();
  }

  /** Prefetches the lookups of members (see ObjectValue.touch). */
  touch(members: readonly string[]): void {
    this.#table?.touch(members);
  }

  /** setTypeCreate: an empty set able to hold `member` (intset when it is an integer). O(1). */
  static forMember(member: string): SetValue {
    return new SetValue(parseInt64(member) !== undefined);
  }

  get type(): 'set' {
    return 'set';
  }

  /** 'intset' or 'hashtable'. O(1). */
  encoding(): 'intset' | 'hashtable' {
    return this.#ints === null ? 'hashtable' : 'intset';
  }

  /** True while intset-encoded (iteration is then in ascending numeric order). */
  get isIntset(): boolean {
    return this.#ints !== null;
  }

  /** Number of members (SCARD). O(1). */
  get size(): number {
    return this.#ints === null ? (this.#table as HashTable<true>).size : this.#ints.size;
  }

  /** SISMEMBER. O(log n) for an intset, O(1) for a hashtable. */
  has(member: string): boolean {
    const ints = this.#ints;
    if (ints === null) return (this.#table as HashTable<true>).has(member);
    const value = parseInt64(member);
    return value !== undefined && ints.has(value);
  }

  /**
   * SADD of one member (setTypeAdd); returns true when it was new. Converts to a hashtable for a
   * non-integer member or when the intset would exceed `maxIntsetEntries`. O(n) for an intset
   * (sorted insert), O(1) for a hashtable.
   */
  add(member: string, maxIntsetEntries: number): boolean {
    const ints = this.#ints;
    if (ints === null) return (this.#table as HashTable<true>).set(member, true);
    const value = parseInt64(member);
    if (value === undefined) {
      this.convertToHashtable();
      return (this.#table as HashTable<true>).set(member, true);
    }
    if (!ints.add(value)) return false;
    if (ints.size > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) this.convertToHashtable();
    return true;
  }

  /** SREM of one member; returns whether it was there. O(n) intset, O(1) hashtable. */
  remove(member: string): boolean {
    const ints = this.#ints;
    if (ints === null) return (this.#table as HashTable<true>).delete(member);
    const value = parseInt64(member);
    return value !== undefined && ints.remove(value);
  }

  /** setTypeConvert: moves the members into a hashtable (no-op when already one). O(n). */
  convertToHashtable(): void {
    const ints = this.#ints;
    if (ints === null) return;
    const table = new HashTable<true>();
    for (let i = 0; i < ints.size; i++) table.set(ints.textAt(i), true);
    this.#table = table;
    this.#ints = null;
  }

  /** A uniformly random member (SRANDMEMBER, SPOP); undefined when empty. O(1). */
  random(): string | undefined {
    const ints = this.#ints;
    if (ints === null) return (this.#table as HashTable<true>).randomKey();
    return ints.size === 0 ? undefined : ints.textAt(Math.floor(Math.random() * ints.size));
  }

  /**
   * `count` distinct members chosen uniformly, in random order (SRANDMEMBER and SPOP with a
   * positive count below the size). O(count) for a hashtable, O(n) for an intset.
   */
  sample(count: number): string[] {
    const ints = this.#ints;
    if (ints === null) {
      const entries = (this.#table as HashTable<true>).sample(count);
      const out = new Array<string>(entries.length);
      for (let i = 0; i < entries.length; i++) out[i] = (entries[i] as [string, true])[0];
      return out;
    }
    const n = ints.size;
    const wanted = Math.min(count, n);
    const slots = new Array<number>(n);
    for (let i = 0; i < n; i++) slots[i] = i;
    const out = new Array<string>(wanted);
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      const pick = slots[j] as number;
      slots[j] = slots[i] as number;
      slots[i] = pick;
      out[i] = ints.textAt(pick);
    }
    return out;
  }

  /** Every member in iteration order (ascending for an intset). O(n). */
  members(): string[] {
    const ints = this.#ints;
    if (ints === null) return [...(this.#table as HashTable<true>).keys()];
    const out = new Array<string>(ints.size);
    for (let i = 0; i < out.length; i++) out[i] = ints.textAt(i);
    return out;
  }

  /** Iterates the members in order without copying them (persistence, set algebra). O(n). */
  *[Symbol.iterator](): IterableIterator<string> {
    const ints = this.#ints;
    if (ints === null) {
      yield* (this.#table as HashTable<true>).keys();
      return;
    }
    for (let i = 0; i < ints.size; i++) yield ints.textAt(i);
  }

  /**
   * One SSCAN step: an intset returns every member with cursor 0 (as Redis does for compact
   * encodings); a hashtable visits about `count` members from `cursor`. Returns the next cursor.
   */
  scan(cursor: number, count: number, visit: (member: string) => void): number {
    const ints = this.#ints;
    if (ints === null) return (this.#table as HashTable<true>).scan(cursor, count, visit);
    for (let i = 0; i < ints.size; i++) visit(ints.textAt(i));
    return 0;
  }

  /** A deep copy with the same encoding (COPY). O(n). */
  clone(): SetValue {
    const copy = new SetValue(this.#ints !== null);
    if (this.#ints !== null) copy.#ints = this.#ints.clone();
    else {
      const table = copy.#table as HashTable<true>;
      for (const member of (this.#table as HashTable<true>).keys()) table.set(member, true);
    }
    return copy;
  }

  /** MEMORY USAGE estimate in bytes (V8 heap, pointer compression). O(n) for a hashtable. */
  memoryUsage(): number {
    const header = 24;
    const ints = this.#ints;
    if (ints !== null) return header + 48 + ints.byteLength;
    let bytes = header + 64;
    for (const member of (this.#table as HashTable<true>).keys())
      bytes += 24 + 12 + Math.ceil(member.length / 4) * 4;
    return bytes;
  }

  /** Throws when the encoding's invariants do not hold (for the model tests). O(n). */
  checkInvariants(maxIntsetEntries = Infinity): void {
    const ints = this.#ints;
    if ((ints === null) === (this.#table === null))
      throw new Error('set: not exactly one encoding');
    if (ints !== null) {
      ints.checkInvariants();
      if (ints.size > maxIntsetEntries) throw new Error(`set: intset of ${ints.size} members`);
    } else {
      (this.#table as HashTable<true>).checkInvariants();
    }
  }
}
