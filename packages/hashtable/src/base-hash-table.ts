/**
 * The table both public classes share: a linear form for small tables, the hashed form (HMap)
 * past {@link LINEAR_LIMIT} entries, and the Map-like API over both.
 *
 * Linear form: a table of at most 15 entries is one key/value page searched by a linear scan,
 * like Redis's listpack encoding of small hashes and sets: no hash is computed, no bucket array
 * nor meta page is allocated. An empty table allocates nothing at all. The 16th entry converts
 * the page, ids unchanged, into page 0 of an HMap; a hashed table goes back to nothing when it
 * is emptied, never back to the linear form (Redis does not convert back either).
 *
 * Iteration walks entry ids in increasing order. Ids never change while an iterator is open
 * (the pool compaction waits), so deleting entries, the current one included, never makes an
 * iterator skip or repeat another entry.
 *
 * @packageDocumentation
 */
import { HashTableInvariantError, InvalidArgumentError } from './errors.js';
import { HOLE, MIN_PAGE0_ENTRIES, newPage } from './entry-pool.js';
import { hashBytes, hashLatin1, mixHash } from './hash.js';
import { HMap, MIN_BUCKETS, REHASHING_WORK, nextPowerOfTwo, randomBelow } from './hmap.js';
import type { TableConfig } from './options.js';
import { ScanSink, acquireSink, releaseSink } from './scan-sink.js';

/**
 * The most entries of a table in linear form (one page searched by a linear scan, like Redis's
 * listpack); the next insert converts it to the hashed form, in O(LINEAR_LIMIT).
 *
 * @example
 * ```ts
 * const table = new HashTable<number>();
 * for (let i = 0; i < LINEAR_LIMIT; i++) table.set(`f${i}`, i);
 * table.stats().layout; // 'linear'
 * table.set('one more', 0);
 * table.stats().layout; // 'hashed'
 * ```
 */
export const LINEAR_LIMIT = MIN_PAGE0_ENTRIES - 1;
/** Entries of a linear page when the first key arrives (ids 1 to 3). */
const LINEAR_FIRST_ENTRIES = 4;
/** The largest cursor: scan cursors are unsigned 32-bit integers. */
const MAX_CURSOR = 0xffff_ffff;

/** The most keys one {@link BaseHashTable.touch} call prepares. */
export const TOUCH_MAX = 64;
// touch's scratch, shared by every table (touch runs to completion): hashes, then chain heads;
// the head entries' keys and values; and where the loads' sum goes so that they are not
// optimised away
const touchHashes = new Int32Array(TOUCH_MAX);
const touchKeys = new Array<unknown>(TOUCH_MAX * 2).fill(undefined);
const touchSink = { sink: 0 };

/**
 * How a table stores its entries right now, as reported by {@link BaseHashTable.stats}.
 *
 * @example
 * ```ts
 * if (table.stats().layout === HashTableLayout.HASHED) console.log('encoding: hashtable');
 * ```
 */
export const HashTableLayout = {
  /** No entries, nothing allocated. */
  EMPTY: 'empty',
  /** Up to 15 entries in one page, found by a linear scan (Redis's listpack, in spirit). */
  LINEAR: 'linear',
  /** Chained buckets over a paged entry pool, with progressive rehashing. */
  HASHED: 'hashed',
} as const;

/** One of the values of {@link HashTableLayout}. */
export type HashTableLayout = (typeof HashTableLayout)[keyof typeof HashTableLayout];

/**
 * Figures about a table's storage, from {@link BaseHashTable.stats}.
 *
 * @example
 * ```ts
 * const { buckets, rehashingFrom } = table.stats(); // e.g. 2048 and 1024 while growing
 * ```
 */
export interface HashTableStats {
  /** Live entries (the same as `size`). */
  readonly size: number;
  /** How the entries are stored. */
  readonly layout: HashTableLayout;
  /** Buckets of the current (newer) bucket array; 0 unless hashed. */
  readonly buckets: number;
  /** Buckets of the older array while a rehash is in progress, else 0. */
  readonly rehashingFrom: number;
  /** Entries still chained from the older array (not yet migrated), else 0. */
  readonly rehashingLeft: number;
  /** Entry slots handed out: live entries plus free slots waiting for reuse. */
  readonly slots: number;
  /** Slots freed by deletes and not yet reused or compacted away. */
  readonly freeSlots: number;
  /** Entry slots allocated (pages), at least `slots`. */
  readonly capacity: number;
}

/**
 * Called by the visitor form of `scan()` for each entry returned.
 *
 * @example
 * ```ts
 * const visit: ScanVisitor<string, number> = (key, value) => reply.push(key, String(value));
 * ```
 */
export type ScanVisitor<K, V> = (key: K, value: V) => void;

/**
 * Called by {@link BaseHashTable.sampleStamped} for each entry sampled, with its stamp.
 *
 * @example
 * ```ts
 * const visit: StampedVisitor<string, unknown> = (key, _value, stamp) => pool.offer(key, stamp);
 * ```
 */
export type StampedVisitor<K, V> = (key: K, value: V, stamp: number) => void;

/**
 * Computes an entry's new stamp from its old one, for {@link BaseHashTable.getRestamped} (an
 * LFU counter's decay and increment). Pass a long-lived function, not a closure made per call.
 *
 * @example
 * ```ts
 * const bump: Restamp = (stamp) => Math.min(stamp + 1, 255);
 * ```
 */
export type Restamp = (stamp: number) => number;

/** The error of a stamp method called on a table created without `stamps: true`. */
function notStamped(): InvalidArgumentError {
  return new InvalidArgumentError('the table was created without stamps (options.stamps)');
}

/**
 * The Map-like table behind {@link HashTable} (latin1 string keys) and {@link CustomHashTable}
 * (keys of any type with the caller's hash and equality). Use it as a parameter type that
 * accepts either.
 *
 * Complexities are expected (over the random seed): O(1) per `get`, `set`, `has`, `delete`,
 * with at most {@link REHASHING_WORK} units of rehash work added to an operation while a resize
 * is in progress, and never a whole-table rehash.
 *
 * @example
 * ```ts
 * function count(table: BaseHashTable<string, number>, key: string): void {
 *   table.set(key, (table.get(key) ?? 0) + 1);
 * }
 * ```
 */
export abstract class BaseHashTable<K, V> implements Iterable<[K, V]> {
  #config: TableConfig;
  /**
   * The linear page ([k, v] pairs at 2 * id), or null when empty or hashed. Id 0 is never an
   * entry: in a table with stamps, slot 0 holds the page's stamps (a Uint32Array indexed by
   * id), so that stamps cost a table without them no field at all.
   */
  #small: unknown[] | null = null;
  /** Linear form: ids in [1, top) are used (live or HOLE). */
  #top = 1;
  /** The hashed form, or null. */
  #map: HMap | null = null;
  #size = 0;
  /** Open iterators (and forEach calls): while positive, entries must not move. */
  #iterators = 0;
  /** Bumped when the storage is dropped (clear, or the last delete): open iterators then end. */
  #epoch = 0;
  /** the stamp of the entry the last swap replaced a value of (see replacedStamp) */
  #replacedStamp = 0;

  /** @internal */
  protected constructor(config: TableConfig) {
    this.#config = config;
  }

  /**
   * The number of entries. O(1).
   *
   * @example
   * ```ts
   * table.set('a', 1);
   * table.size; // 1
   * ```
   */
  get size(): number {
    return this.#size;
  }

  /**
   * `"HashTable"`, for `Object.prototype.toString`. O(1).
   *
   * @example
   * ```ts
   * Object.prototype.toString.call(table); // '[object HashTable]'
   * ```
   */
  get [Symbol.toStringTag](): string {
    return 'HashTable';
  }

  #hash(key: K): number {
    const config = this.#config;
    const hash = config.hash;
    if (hash !== null) return mixHash(hash(key), config.k0, config.k1);
    const touched = config.touchedKeys;
    if (touched !== null) {
      // the next key a touch hashed, as expected: its hash is kept (see TableConfig)
      if (key === touched[config.touchedAt]) {
        const index = config.touchedIndex++;
        if (config.touchedIndex === config.touchedCount) config.touchedKeys = null;
        else config.touchedAt += config.touchedStep;
        return config.touchedHashes![index]!;
      }
      config.touchedKeys = null;
    }
    return hashLatin1(key as unknown as string, config.k0, config.k1);
  }

  /**
   * The hash of a key about to be inserted: the one a stamped lookup that missed it has just
   * computed (a keyspace's SET of a new key), else computed. Stamped string tables only keep
   * one; the compare costs the others nothing but a pointer check against HOLE.
   */
  #insertHash(key: K): number {
    const config = this.#config;
    return key === config.hashedKey ? config.hashedValue : this.#hash(key);
  }

  /** A stamped lookup missed `key`: keep its hash for the insert that may follow. */
  #missed(key: K, hash: number): void {
    const config = this.#config;
    if (config.cachesHash) {
      config.hashedKey = key;
      config.hashedValue = hash;
    }
  }

  /** Pending rehash or compaction work; compaction moves entries, so it forgets the found id. */
  #help(map: HMap): void {
    if (map.compacting) this.#config.foundKey = HOLE;
    map.help(REHASHING_WORK, this.#iterators === 0);
  }

  /**
   * Stamped string tables: the id of `key` if it is the key last found by a stamped lookup (a
   * keyspace reads a key, then writes it: SET, INCR), else 0. Ids only move through compaction
   * and die through delete and clear, which forget it.
   */
  #foundId(key: K): number {
    const config = this.#config;
    return key === config.foundKey ? config.foundId : 0;
  }

  #found(key: K, id: number): void {
    const config = this.#config;
    if (config.cachesHash) {
      config.foundKey = key;
      config.foundId = id;
    }
  }

  /** The value of the string key `bytes[start, end)` in a linear table, or undefined. */
  #linearValueOfBytes(bytes: Uint8Array, start: number, end: number): unknown {
    const page = this.#small;
    if (page === null) return undefined;
    const top = this.#top << 1;
    const length = end - start;
    for (let slot = 2; slot < top; slot += 2) {
      const key = page[slot];
      if (typeof key !== 'string' || key.length !== length) continue;
      let i = 0;
      while (i < length && key.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return page[slot + 1];
    }
    return undefined;
  }

  /** Linear form: the slot (2 * id) holding `key`, or -1. */
  #findLinear(key: K): number {
    const page = this.#small;
    if (page === null) return -1;
    const end = this.#top << 1;
    const equals = this.#config.equals;
    if (equals === null) {
      for (let slot = 2; slot < end; slot += 2) if (page[slot] === key) return slot;
    } else {
      for (let slot = 2; slot < end; slot += 2) {
        const candidate = page[slot];
        if (candidate !== HOLE && equals(candidate, key)) return slot;
      }
    }
    return -1;
  }

  /**
   * The value of `key`, or `undefined` when absent. O(1) expected.
   *
   * @example
   * ```ts
   * table.set('k', 1);
   * table.get('k'); // 1
   * table.get('missing'); // undefined
   * ```
   */
  get(key: K): V | undefined {
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      return slot < 0 ? undefined : (this.#small![slot + 1] as V);
    }
    if (map.busy) this.#help(map);
    const id = map.find(key, this.#hash(key));
    return id === 0 ? undefined : (map.valueAt(id) as V);
  }

  /**
   * Whether `key` is in the table. O(1) expected.
   *
   * @example
   * ```ts
   * table.has('k'); // false
   * ```
   */
  has(key: K): boolean {
    const map = this.#map;
    if (map === null) return this.#findLinear(key) >= 0;
    if (map.busy) this.#help(map);
    return map.find(key, this.#hash(key)) !== 0;
  }

  /**
   * Sets the value of `key`. Returns `true` when the key was new, `false` when an existing value
   * was replaced (unlike `Map#set`, which returns the map): HSET and SADD count new fields and
   * members from it without a second lookup. O(1) expected; an insert may also do up to
   * {@link REHASHING_WORK} units of rehash work, or start a resize (allocating a bucket array).
   *
   * In a table with stamps, `stamp` (stored as a Uint32, as a `Uint32Array` stores it) becomes
   * the entry's stamp; without it a new entry's stamp is 0 and an existing one keeps its own.
   * Passing a stamp to a table without stamps throws {@link InvalidArgumentError}.
   *
   * Throws {@link CapacityExceededError} past 2^31 - 1 entries.
   *
   * @example
   * ```ts
   * table.set('k', 1); // true
   * table.set('k', 2); // false, the value is now 2
   * ```
   */
  set(key: K, value: V, stamp?: number): boolean {
    if (stamp !== undefined && !this.#config.stamps) throw notStamped();
    const map = this.#map;
    if (map === null) return this.#setLinear(key, value, stamp) === HOLE;
    if (map.busy) this.#help(map);
    const hash = this.#insertHash(key);
    const id = map.find(key, hash);
    if (id !== 0) {
      map.setValue(id, value);
      if (stamp !== undefined) map.setStampAt(id, stamp);
      return false;
    }
    const added = map.insert(key, value, hash);
    if (map.stamped) map.setStampAt(added, stamp ?? 0);
    this.#size++;
    return true;
  }

  /**
   * Prepares lookups of several keys: loads into the CPU cache what finding `keys[start]`,
   * `keys[start + step]`, ... (at most {@link TOUCH_MAX} of them) will read, one level at a time
   * across the keys, so that their cache misses overlap instead of each lookup waiting for its
   * own (the software prefetch of a batch, as redis-server 8 does for pipelined commands).
   * Changes nothing and returns nothing; worth it for keys about to be looked up together (a
   * keyspace's MSET) in a table too large for the cache. The hashes it computes are kept for
   * the lookups that follow in the same order (of this table or another with the same options),
   * so that those do not hash their keys again; a lookup of another key drops them. `keys` must
   * not change while they are kept (until the next touch). O(keys).
   *
   * `values`, when given, receives for each key touched the value of the first entry in its
   * chain, as {@link BaseHashTable.touchBytes} gives it.
   *
   * @example
   * ```ts
   * table.touch(['a', 'b', 'c']);
   * for (const key of ['a', 'b', 'c']) table.get(key); // found in the cache
   * ```
   */
  touch(keys: readonly K[], start = 0, step = 1, values?: unknown[]): void {
    const map = this.#map;
    if (map === null) {
      // a linear table is one small page, already at hand: the values are the keys' own
      if (values !== undefined) {
        let count = 0;
        for (let i = start; i < keys.length && count < TOUCH_MAX; i += step) {
          const slot = this.#findLinear(keys[i]!);
          values[count++] = slot < 0 ? undefined : this.#small![slot + 1];
        }
      }
      return;
    }
    const config = this.#config;
    config.touchedKeys = null;
    const hashes = touchHashes;
    let count = 0;
    for (let i = start; i < keys.length && count < TOUCH_MAX; i += step) {
      hashes[count++] = this.#hash(keys[i]!);
    }
    if (config.hash === null && count > 0) {
      // kept for the lookups that follow in this order (map.touch overwrites `hashes`)
      const kept = (config.touchedHashes ??= new Int32Array(TOUCH_MAX));
      for (let i = 0; i < count; i++) kept[i] = hashes[i]!;
      config.touchedKeys = keys;
      config.touchedAt = start;
      config.touchedStep = step;
      config.touchedIndex = 0;
      config.touchedCount = count;
    }
    touchSink.sink = map.touch(hashes, touchKeys, count, values);
  }

  /**
   * {@link BaseHashTable.touch} for latin1 string keys still in bytes: the keys
   * `bytes[starts[i], ends[i])` for `i < count` (at most {@link TOUCH_MAX} of them), hashed
   * from the bytes as their strings would be, so that a server can prefetch the keys of a batch of
   * pipelined commands before it has parsed them. Tables with a custom hash function ignore
   * it (their hash needs the key itself). Changes nothing. O(bytes of the keys).
   *
   * `values`, when given, receives for each key the value of the first entry in its chain
   * (usually the key's own; another key's in a longer chain; in a small linear table exactly
   * the key's own; undefined for an empty chain or a table that ignores the call): a caller
   * whose values point into its own storage (handles) can load that next. The caller should
   * clear it after use, not to keep the values alive.
   *
   * @example
   * ```ts
   * const bytes = Buffer.from('GET a GET b', 'latin1');
   * table.touchBytes(bytes, [4, 10], [5, 11], 2);
   * ```
   */
  touchBytes(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    count: number,
    values?: unknown[],
  ): void {
    const map = this.#map;
    const config = this.#config;
    const n = Math.min(count, TOUCH_MAX);
    if (config.hash !== null) {
      if (values !== undefined) values.fill(undefined, 0, n);
      return;
    }
    if (map === null) {
      // a linear table is one small page, already at hand: the values are the keys' own
      if (values !== undefined) {
        for (let i = 0; i < n; i++)
          values[i] = this.#linearValueOfBytes(bytes, starts[i]!, ends[i]!);
      }
      return;
    }
    const hashes = touchHashes;
    for (let i = 0; i < n; i++) {
      hashes[i] = hashBytes(bytes, starts[i]!, ends[i]!, config.k0, config.k1);
    }
    touchSink.sink = map.touch(hashes, touchKeys, n, values);
  }

  /**
   * {@link BaseHashTable.set} that returns the value it replaced, or `undefined` when the key
   * was new (a keyspace's SET, which must release the old value, in one lookup). O(1) expected.
   *
   * In a table with stamps, the stamp the entry had before is then {@link
   * BaseHashTable.replacedStamp}: a keyspace can keep a few bits about the value in the stamp
   * (its size, say) and learn them about the old value without reading it.
   *
   * @param stamp - tables with stamps: the entry's new stamp (default: 0 for a new entry, the
   *   old stamp kept for an existing one)
   * @param keep - tables with stamps: the bits of an existing entry's old stamp kept beside
   *   `stamp` (its new stamp is `(old & keep) | stamp`); default 0, none
   * @example
   * ```ts
   * table.swap('k', 1); // undefined
   * table.swap('k', 2); // 1
   * ```
   */
  swap(key: K, value: V, stamp?: number, keep = 0): V | undefined {
    const stamped = this.#config.stamps;
    if (stamp !== undefined && !stamped) throw notStamped();
    const found = this.#foundId(key);
    if (found !== 0) {
      // the key just read by a stamped lookup: no hash, no find
      const map = this.#map;
      let old: unknown;
      if (map === null) {
        const page = this.#small!;
        old = page[(found << 1) + 1];
        page[(found << 1) + 1] = value;
        const stamps = page[0] as Uint32Array;
        const before = stamps[found]!;
        this.#replacedStamp = before;
        if (stamp !== undefined) stamps[found] = (before & keep) | stamp;
      } else {
        old = map.valueAt(found);
        map.setValue(found, value);
        const before = map.stampAt(found);
        this.#replacedStamp = before;
        if (stamp !== undefined) map.setStampAt(found, (before & keep) | stamp);
      }
      return old as V;
    }
    const map = this.#map;
    if (map === null) {
      const old = this.#setLinear(key, value, stamp, keep);
      return old === HOLE ? undefined : (old as V);
    }
    if (map.busy) this.#help(map);
    const hash = this.#insertHash(key);
    const id = map.find(key, hash);
    if (id !== 0) {
      const old = map.valueAt(id) as V;
      map.setValue(id, value);
      if (stamped) {
        const before = map.stampAt(id);
        this.#replacedStamp = before;
        if (stamp !== undefined) map.setStampAt(id, (before & keep) | stamp);
      }
      return old;
    }
    const added = map.insert(key, value, hash);
    if (map.stamped) map.setStampAt(added, stamp ?? 0);
    this.#size++;
    this.#replacedStamp = 0;
    return undefined;
  }

  /**
   * Tables with stamps: the stamp of the entry whose value the last {@link BaseHashTable.swap}
   * replaced, as it was before that swap; 0 when that swap added its key (or none ran yet).
   *
   * @example
   * ```ts
   * const keyspace = new HashTable<string>({ stamps: true });
   * keyspace.swap('k', 'v', 7);
   * keyspace.swap('k', 'w', 9); // 'v'
   * keyspace.replacedStamp; // 7
   * ```
   */
  get replacedStamp(): number {
    return this.#replacedStamp;
  }

  /** Linear form of set: returns the value replaced, or HOLE when the key is new. */
  #setLinear(key: K, value: V, stamp: number | undefined, keep = 0): unknown {
    let page = this.#small;
    if (page === null) {
      page = newPage(LINEAR_FIRST_ENTRIES);
      this.#small = page;
      if (this.#config.stamps) page[0] = new Uint32Array(LINEAR_FIRST_ENTRIES);
      this.#top = 1;
    }
    const end = this.#top << 1;
    const equals = this.#config.equals;
    let hole = -1;
    for (let slot = 2; slot < end; slot += 2) {
      const candidate = page[slot];
      if (candidate === HOLE) {
        if (hole < 0) hole = slot;
      } else if (equals === null ? candidate === key : equals(candidate, key)) {
        const old = page[slot + 1];
        page[slot + 1] = value;
        if (this.#config.stamps) {
          const stamps = page[0] as Uint32Array;
          const before = stamps[slot >>> 1]!;
          this.#replacedStamp = before;
          if (stamp !== undefined) stamps[slot >>> 1] = (before & keep) | stamp;
        }
        return old;
      }
    }
    if (hole < 0) {
      if (end >= page.length) {
        const entries = page.length >>> 1;
        if (entries >= MIN_PAGE0_ENTRIES) {
          const map = this.#toHashed(page);
          const id = map.insert(key, value, this.#hash(key));
          if (map.stamped) map.setStampAt(id, stamp ?? 0);
          this.#size++;
          this.#replacedStamp = 0;
          return HOLE;
        }
        const grown = newPage(entries * 2);
        for (let slot = 0; slot < end; slot++) grown[slot] = page[slot];
        page = grown;
        this.#small = page;
        if (this.#config.stamps) {
          const grownStamps = new Uint32Array(entries * 2);
          grownStamps.set(page[0] as Uint32Array);
          grown[0] = grownStamps;
        }
      }
      hole = end;
      this.#top++;
    }
    page[hole] = key;
    page[hole + 1] = value;
    if (this.#config.stamps) (page[0] as Uint32Array)[hole >>> 1] = stamp ?? 0;
    this.#size++;
    this.#replacedStamp = 0;
    return HOLE;
  }

  /** Converts the linear page into page 0 of an HMap, ids unchanged. O(LINEAR_LIMIT). */
  #toHashed(page: unknown[]): HMap {
    const top = this.#top;
    const buckets = Math.max(MIN_BUCKETS, nextPowerOfTwo(this.#size + 1));
    const stamps0 = this.#config.stamps ? (page[0] as Uint32Array) : null;
    page[0] = undefined;
    const map = new HMap(page, top, stamps0, buckets, this.#config.equals);
    for (let id = 1; id < top; id++) {
      const key = page[id << 1];
      if (key === HOLE) map.pushFree(id);
      else map.link(id, this.#hash(key as K));
    }
    this.#map = map;
    this.#small = null;
    return map;
  }

  /**
   * The value of `key`, or `undefined` when absent; a present entry's stamp becomes `stamp` in
   * the same lookup (a keyspace read stamping its LRU clock). Tables with stamps only. O(1)
   * expected.
   *
   * @param stamp - stored as a Uint32
   * @param keep - the bits of the old stamp kept beside `stamp` (the new stamp is
   *   `(old & keep) | stamp`); default 0, none
   * @example
   * ```ts
   * const keyspace = new HashTable<string>({ stamps: true });
   * keyspace.set('k', 'v', 100);
   * keyspace.getStamped('k', 160); // 'v'
   * keyspace.stampOf('k'); // 160
   * ```
   */
  getStamped(key: K, stamp: number, keep = 0): V | undefined {
    if (!this.#config.stamps) throw notStamped();
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      if (slot < 0) return undefined;
      const stamps = this.#small![0] as Uint32Array;
      stamps[slot >>> 1] = (stamps[slot >>> 1]! & keep) | stamp;
      this.#found(key, slot >>> 1);
      return this.#small![slot + 1] as V;
    }
    if (map.busy) this.#help(map);
    const found = this.#foundId(key);
    if (found !== 0) {
      // the key the last stamped lookup found (LPUSH mylist, sixteen times): no hash, no find
      map.setStampAt(found, (map.stampAt(found) & keep) | stamp);
      return map.valueAt(found) as V;
    }
    const hash = this.#hash(key);
    const id = map.find(key, hash);
    if (id === 0) {
      this.#missed(key, hash);
      return undefined;
    }
    map.setStampAt(id, (map.stampAt(id) & keep) | stamp);
    this.#found(key, id);
    return map.valueAt(id) as V;
  }

  /**
   * The value of `key`, or `undefined` when absent; a present entry's stamp becomes
   * `restamp(oldStamp)` in the same lookup (an LFU counter's decay and increment). `restamp`
   * must not change the table. Tables with stamps only. O(1) expected, plus `restamp`.
   *
   * @example
   * ```ts
   * const hit: Restamp = (stamp) => stamp + 1; // made once, not per call
   * table.getRestamped('k', hit);
   * ```
   */
  getRestamped(key: K, restamp: Restamp): V | undefined {
    if (!this.#config.stamps) throw notStamped();
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      if (slot < 0) return undefined;
      const stamps = this.#small![0] as Uint32Array;
      const at = slot >>> 1;
      stamps[at] = restamp(stamps[at]!);
      this.#found(key, at);
      return this.#small![slot + 1] as V;
    }
    if (map.busy) this.#help(map);
    const found = this.#foundId(key);
    if (found !== 0) {
      map.setStampAt(found, restamp(map.stampAt(found)));
      return map.valueAt(found) as V;
    }
    const hash = this.#hash(key);
    const id = map.find(key, hash);
    if (id === 0) {
      this.#missed(key, hash);
      return undefined;
    }
    map.setStampAt(id, restamp(map.stampAt(id)));
    this.#found(key, id);
    return map.valueAt(id) as V;
  }

  /**
   * The stamp of `key`, or `undefined` when absent. Tables with stamps only. O(1) expected.
   *
   * @example
   * ```ts
   * table.set('k', 'v', 7);
   * table.stampOf('k'); // 7
   * ```
   */
  stampOf(key: K): number | undefined {
    if (!this.#config.stamps) throw notStamped();
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      return slot < 0 ? undefined : (this.#small![0] as Uint32Array)[slot >>> 1];
    }
    if (map.busy) this.#help(map);
    const id = map.find(key, this.#hash(key));
    return id === 0 ? undefined : map.stampAt(id);
  }

  /**
   * Sets the stamp of `key` (stored as a Uint32); returns whether the key is present. Tables
   * with stamps only. O(1) expected.
   *
   * @example
   * ```ts
   * table.setStamp('k', 42); // true
   * table.setStamp('missing', 42); // false
   * ```
   *
   * @param keep - the bits of the old stamp kept beside `stamp` (the new stamp is
   *   `(old & keep) | stamp`); default 0, none
   */
  setStamp(key: K, stamp: number, keep = 0): boolean {
    if (!this.#config.stamps) throw notStamped();
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      if (slot < 0) return false;
      const stamps = this.#small![0] as Uint32Array;
      stamps[slot >>> 1] = (stamps[slot >>> 1]! & keep) | stamp;
      return true;
    }
    if (map.busy) this.#help(map);
    const id = map.find(key, this.#hash(key));
    if (id === 0) return false;
    map.setStampAt(id, (map.stampAt(id) & keep) | stamp);
    return true;
  }

  /**
   * Returns the value of `key`, first setting it to `create(key)` when absent. `create` runs
   * only for an absent key (it may use the table; the insert looks the key up again then).
   * O(1) expected.
   *
   * @example
   * ```ts
   * const fields = keyspace.getOrSet('user:1', () => new HashTable<string>());
   * ```
   */
  getOrSet(key: K, create: (key: K) => V): V {
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      if (slot >= 0) return this.#small![slot + 1] as V;
    } else {
      if (map.busy) this.#help(map);
      const id = map.find(key, this.#hash(key));
      if (id !== 0) return map.valueAt(id) as V;
    }
    const value = create(key);
    this.set(key, value);
    return value;
  }

  /**
   * Deletes `key`. Returns whether it was in the table. O(1) expected; may start a shrink when
   * the table falls below 1/8 full. Deleting the last entry frees all storage.
   *
   * @example
   * ```ts
   * table.delete('k'); // true, then false
   * ```
   */
  delete(key: K): boolean {
    this.#config.foundKey = HOLE;
    const map = this.#map;
    if (map === null) {
      const slot = this.#findLinear(key);
      if (slot < 0) return false;
      const page = this.#small!;
      page[slot] = HOLE;
      page[slot + 1] = undefined;
      if (--this.#size === 0) {
        this.#reset();
        return true;
      }
      let top = this.#top;
      while (page[(top - 1) << 1] === HOLE) {
        top--;
        page[top << 1] = undefined;
      }
      this.#top = top;
      return true;
    }
    if (map.busy) this.#help(map);
    if (!map.remove(key, this.#hash(key))) return false;
    if (--this.#size === 0) this.#reset();
    return true;
  }

  /**
   * Deletes every entry and frees all storage. Open iterators end. O(1) (the GC reclaims the pages).
   *
   * @example
   * ```ts
   * table.clear();
   * table.size; // 0
   * ```
   */
  clear(): void {
    this.#reset();
  }

  #reset(): void {
    this.#config.foundKey = HOLE;
    this.#small = null;
    this.#map = null;
    this.#top = 1;
    this.#size = 0;
    this.#epoch++;
  }

  /**
   * Does up to `budget` units of pending rehash or compaction work (one unit per entry moved or
   * empty bucket visited), for a server to call when idle, as Redis's cron does with
   * `dictRehashMilliseconds`. Returns whether work remains. O(budget).
   *
   * Compaction moves entries into the slots of deleted ones and gives pages back. Operations
   * start it once fewer than an eighth of the slots are live; this call starts it as soon as
   * half of them are free. It waits while an iterator is open: the call then reports work left
   * that it does not do.
   *
   * @param budget - a positive integer; default {@link REHASHING_WORK} (128, the book's `k_rehashing_work`)
   * @example
   * ```ts
   * setInterval(() => {
   *   const deadline = performance.now() + 1;
   *   while (table.rehashStep(1000) && performance.now() < deadline);
   * }, 100);
   * ```
   */
  rehashStep(budget: number = REHASHING_WORK): boolean {
    if (!Number.isInteger(budget) || budget < 1) {
      throw new InvalidArgumentError(`budget must be a positive integer, got ${String(budget)}`);
    }
    const map = this.#map;
    if (map === null) return false;
    map.requestCompaction();
    if (map.compacting) this.#config.foundKey = HOLE;
    return map.help(budget, this.#iterators === 0);
  }

  /** Linear form or hashed: the first live id at or after `from`, or 0. */
  #nextLive(from: number): number {
    const map = this.#map;
    if (map === null) {
      const page = this.#small;
      if (page === null) return 0;
      const top = this.#top;
      for (let id = from; id < top; id++) if (page[id << 1] !== HOLE) return id;
      return 0;
    }
    const top = map.top;
    for (let id = from; id < top; id++) if (map.keyAt(id) !== HOLE) return id;
    return 0;
  }

  #keyAt(id: number): K {
    const map = this.#map;
    return (map === null ? this.#small![id << 1] : map.keyAt(id)) as K;
  }

  #valueAt(id: number): V {
    const map = this.#map;
    return (map === null ? this.#small![(id << 1) + 1] : map.valueAt(id)) as V;
  }

  /**
   * The keys, in storage order (insertion order until deletes free slots that later inserts
   * reuse). See {@link BaseHashTable.entries} for what mutations during iteration do.
   * O(1) per step (O(n) for the walk).
   *
   * @example
   * ```ts
   * for (const key of table.keys()) if (key.startsWith('tmp:')) table.delete(key);
   * ```
   */
  *keys(): IterableIterator<K> {
    const epoch = this.#epoch;
    this.#iterators++;
    try {
      for (let id = this.#nextLive(1); id !== 0; id = this.#nextLive(id + 1)) {
        if (this.#epoch !== epoch) return;
        yield this.#keyAt(id);
      }
    } finally {
      this.#iterators--;
    }
  }

  /**
   * The values, in the order of {@link BaseHashTable.keys}. O(1) per step.
   *
   * @example
   * ```ts
   * let total = 0;
   * for (const value of table.values()) total += value;
   * ```
   */
  *values(): IterableIterator<V> {
    const epoch = this.#epoch;
    this.#iterators++;
    try {
      for (let id = this.#nextLive(1); id !== 0; id = this.#nextLive(id + 1)) {
        if (this.#epoch !== epoch) return;
        yield this.#valueAt(id);
      }
    } finally {
      this.#iterators--;
    }
  }

  /**
   * The `[key, value]` pairs, in the order of {@link BaseHashTable.keys}. O(1) per step.
   *
   * Mutations during iteration:
   * - deleting any entry, the current one included, is safe: every entry present from the start
   *   to the end of the iteration is visited exactly once;
   * - setting the value of an existing key is visible if the iterator has not reached it yet;
   * - an entry added during iteration may or may not be visited (it may take a freed slot
   *   behind the iterator);
   * - `clear()`, or deleting the last entry, ends the iteration.
   *
   * Entries do not move while an iterator is open: the pool compaction (which reclaims the
   * slots of deleted entries) waits until the iterator finishes or is closed (`break`,
   * `return()`). An iterator abandoned half-way keeps compaction waiting for its table.
   *
   * @example
   * ```ts
   * for (const [key, value] of table.entries()) console.log(key, value);
   * ```
   */
  *entries(): IterableIterator<[K, V]> {
    const epoch = this.#epoch;
    this.#iterators++;
    try {
      for (let id = this.#nextLive(1); id !== 0; id = this.#nextLive(id + 1)) {
        if (this.#epoch !== epoch) return;
        yield [this.#keyAt(id), this.#valueAt(id)];
      }
    } finally {
      this.#iterators--;
    }
  }

  /**
   * The same as {@link BaseHashTable.entries}, so that `for (const [k, v] of table)` works.
   *
   * @example
   * ```ts
   * const copy = new Map(table);
   * ```
   */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /**
   * Calls `callback(value, key, table)` for each entry, in the order of
   * {@link BaseHashTable.keys}, with the same rules for mutations as
   * {@link BaseHashTable.entries}. O(n).
   *
   * @example
   * ```ts
   * table.forEach((value, key) => console.log(key, value));
   * ```
   */
  forEach(callback: (value: V, key: K, table: this) => void, thisArg?: unknown): void {
    const epoch = this.#epoch;
    this.#iterators++;
    try {
      for (let id = this.#nextLive(1); id !== 0; id = this.#nextLive(id + 1)) {
        if (this.#epoch !== epoch) return;
        callback.call(thisArg, this.#valueAt(id), this.#keyAt(id), this);
      }
    } finally {
      this.#iterators--;
    }
  }

  /**
   * Redis-style cursor scan (SCAN, HSCAN, SSCAN). Start with cursor 0 and call again with the
   * returned cursor until it is 0. Every entry present from the start to the end of a full scan
   * is returned at least once, even when the table grows or shrinks between calls; an entry may
   * be returned more than once (after a shrink), and one added or deleted during the scan may or
   * may not be.
   *
   * `count` is a hint, as in Redis: a call visits buckets until it has at least `count` entries,
   * or has visited `10 * count` buckets, or the scan ends; it returns whole buckets, so it may
   * return more than `count` entries. A table in linear form (15 entries or fewer) returns
   * everything at once with cursor 0, like Redis for a listpack. O(count) expected.
   *
   * The visitor form calls `visit(key, value)` for each entry and allocates nothing; the visitor
   * may change the table (the entries and the next cursor are gathered before it runs).
   *
   * @param cursor - 0 to start, else a cursor returned by the previous call: an integer in [0, 2^32)
   * @param count - a positive integer
   * @returns `[nextCursor, entries]`, or `nextCursor` for the visitor form
   * @example
   * ```ts
   * let cursor = 0;
   * do {
   *   cursor = table.scan(cursor, 100, (key, value) => console.log(key, value));
   * } while (cursor !== 0);
   * ```
   */
  scan(cursor: number, count: number): [nextCursor: number, entries: Array<[K, V]>];
  scan(cursor: number, count: number, visit: ScanVisitor<K, V>): number;
  scan(
    cursor: number,
    count: number,
    visit?: ScanVisitor<K, V>,
  ): number | [nextCursor: number, entries: Array<[K, V]>] {
    if (!Number.isInteger(cursor) || cursor < 0 || cursor > MAX_CURSOR) {
      throw new InvalidArgumentError(
        `cursor must be an integer in [0, 2^32), got ${String(cursor)}`,
      );
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(`count must be a positive integer, got ${String(count)}`);
    }
    if (visit !== undefined && typeof visit !== 'function') {
      throw new InvalidArgumentError('visit must be a function');
    }
    const sink = visit === undefined ? new ScanSink() : acquireSink();
    let next = 0;
    const map = this.#map;
    if (map === null) {
      const page = this.#small;
      if (page !== null) {
        const end = this.#top << 1;
        for (let slot = 2; slot < end; slot += 2) {
          if (page[slot] !== HOLE) sink.push(page[slot], page[slot + 1]);
        }
      }
    } else {
      const wanted = count * 2;
      const maxVisits = count * 10;
      let visits = 0;
      next = cursor;
      do {
        next = map.scanStep(next, sink);
        visits++;
      } while (next !== 0 && sink.length < wanted && visits < maxVisits);
    }
    const items = sink.items;
    const length = sink.length;
    if (visit === undefined) {
      const entries = new Array<[K, V]>(length >>> 1);
      for (let i = 0; i < length; i += 2) entries[i >>> 1] = [items[i] as K, items[i + 1] as V];
      return [next, entries];
    }
    try {
      for (let i = 0; i < length; i += 2) visit(items[i] as K, items[i + 1] as V);
    } finally {
      releaseSink(sink);
    }
    return next;
  }

  /** A uniformly random live id, or 0 when empty. */
  #randomId(): number {
    if (this.#size === 0) return 0;
    const random = this.#config.random;
    const map = this.#map;
    if (map !== null) return map.randomId(random);
    const page = this.#small!;
    const span = this.#top - 1;
    for (let tries = 0; tries < 32; tries++) {
      const id = 1 + randomBelow(random, span);
      if (page[id << 1] !== HOLE) return id;
    }
    // a random source stuck on free slots: walk forward (at most 15 slots)
    let id = 1 + randomBelow(random, span);
    while (page[id << 1] === HOLE) id = id === span ? 1 : id + 1;
    return id;
  }

  /**
   * A uniformly random key (RANDOMKEY, SRANDMEMBER without count), or `undefined` when empty.
   * O(1) expected: random slots of the entry pool until a live one, 2 tries expected.
   *
   * @example
   * ```ts
   * const victim = table.randomKey();
   * ```
   */
  randomKey(): K | undefined {
    const id = this.#randomId();
    return id === 0 ? undefined : this.#keyAt(id);
  }

  /**
   * A uniformly random `[key, value]` (HRANDFIELD WITHVALUES), or `undefined` when empty.
   * O(1) expected.
   *
   * @example
   * ```ts
   * const [field, value] = hash.randomEntry() ?? [];
   * ```
   */
  randomEntry(): [K, V] | undefined {
    const id = this.#randomId();
    return id === 0 ? undefined : [this.#keyAt(id), this.#valueAt(id)];
  }

  /**
   * `count` distinct entries chosen uniformly at random, in random order (SRANDMEMBER and
   * HRANDFIELD with a positive count, SPOP with a count, eviction sampling). When `count` is at
   * least `size`, returns every entry, shuffled. O(count) expected: random picks while `count`
   * is under a third of the table, else one pass of selection sampling (Knuth's algorithm S)
   * over the pool and a shuffle.
   *
   * @param count - a non-negative integer
   * @example
   * ```ts
   * for (const [member] of set.sample(3)) set.delete(member); // SPOP set 3
   * ```
   */
  sample(count: number): Array<[K, V]> {
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`count must be a non-negative integer, got ${String(count)}`);
    }
    const ids = this.#sampleIds(count);
    const entries = new Array<[K, V]>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      entries[i] = [this.#keyAt(id), this.#valueAt(id)];
    }
    return entries;
  }

  /**
   * {@link BaseHashTable.sample} for tables with stamps, as a visitor: calls
   * `visit(key, value, stamp)` for `count` distinct entries chosen uniformly at random (every
   * entry when `count >= size`), in random order, and returns how many it visited (eviction
   * sampling: Redis's dictGetSomeKeys feeding the eviction pool). The entries are chosen before
   * the first call, so the visitor may change the table. O(count) expected.
   *
   * @param count - a non-negative integer
   * @example
   * ```ts
   * let oldest: string | undefined;
   * let oldestStamp = Infinity;
   * table.sampleStamped(5, (key, _value, stamp) => {
   *   if (stamp < oldestStamp) [oldest, oldestStamp] = [key, stamp];
   * });
   * ```
   */
  sampleStamped(count: number, visit: StampedVisitor<K, V>): number {
    if (!this.#config.stamps) throw notStamped();
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`count must be a non-negative integer, got ${String(count)}`);
    }
    if (typeof visit !== 'function') throw new InvalidArgumentError('visit must be a function');
    const ids = this.#sampleIds(count);
    const length = ids.length;
    // gathered first: the visitor may change the table (and move entries)
    const gathered = new Array<unknown>(length * 3);
    for (let i = 0; i < length; i++) {
      const id = ids[i]!;
      gathered[i * 3] = this.#keyAt(id);
      gathered[i * 3 + 1] = this.#valueAt(id);
      gathered[i * 3 + 2] = this.#stampAt(id);
    }
    for (let i = 0; i < length; i++) {
      visit(gathered[i * 3] as K, gathered[i * 3 + 1] as V, gathered[i * 3 + 2] as number);
    }
    return length;
  }

  #stampAt(id: number): number {
    const map = this.#map;
    return map === null ? (this.#small![0] as Uint32Array)[id]! : map.stampAt(id);
  }

  /** `count` distinct random live ids, in random order (all of them when count >= size). */
  #sampleIds(count: number): number[] {
    const size = this.#size;
    if (count === 0 || size === 0) return [];
    const random = this.#config.random;
    let ids: number[] | null = null;
    if (count * 3 < size) ids = this.#sampleByPicks(count);
    if (ids === null) {
      // Algorithm S: keep each live id with probability (still wanted) / (still unseen)
      const wanted = Math.min(count, size);
      ids = [];
      let unseen = size;
      for (
        let id = this.#nextLive(1);
        id !== 0 && ids.length < wanted;
        id = this.#nextLive(id + 1)
      ) {
        if (randomBelow(random, unseen) < wanted - ids.length) ids.push(id);
        unseen--;
      }
      // Fisher-Yates, so that the order is random too
      for (let i = ids.length - 1; i > 0; i--) {
        const j = randomBelow(random, i + 1);
        const swap = ids[i]!;
        ids[i] = ids[j]!;
        ids[j] = swap;
      }
    }
    return ids;
  }

  /**
   * `count` distinct random ids by rejection (each pick is new with probability above 2/3), or
   * null if the random source keeps repeating itself (then the caller falls back to algorithm S).
   */
  #sampleByPicks(count: number): number[] | null {
    const picked = new Set<number>();
    const ids: number[] = [];
    const attempts = count * 8 + 64;
    for (let attempt = 0; attempt < attempts && ids.length < count; attempt++) {
      const id = this.#randomId();
      if (!picked.has(id)) {
        picked.add(id);
        ids.push(id);
      }
    }
    return ids.length === count ? ids : null;
  }

  /**
   * Figures about the storage: layout, bucket arrays, entry slots. O(1).
   *
   * @example
   * ```ts
   * const { layout, buckets, rehashingFrom } = table.stats();
   * ```
   */
  stats(): HashTableStats {
    const map = this.#map;
    if (map !== null) {
      return {
        size: this.#size,
        layout: HashTableLayout.HASHED,
        buckets: map.newer.mask + 1,
        rehashingFrom: map.older === null ? 0 : map.older.mask + 1,
        rehashingLeft: map.older === null ? 0 : map.older.size,
        slots: map.top - 1,
        freeSlots: map.freeCount,
        capacity: map.capacity,
      };
    }
    const page = this.#small;
    let free = 0;
    if (page !== null) for (let id = 1; id < this.#top; id++) if (page[id << 1] === HOLE) free++;
    return {
      size: this.#size,
      layout: page === null ? HashTableLayout.EMPTY : HashTableLayout.LINEAR,
      buckets: 0,
      rehashingFrom: 0,
      rehashingLeft: 0,
      slots: this.#top - 1,
      freeSlots: free,
      capacity: page === null ? 0 : page.length >>> 1,
    };
  }

  /**
   * Throws {@link HashTableInvariantError} if the table is inconsistent: a chain that does not
   * match its hashes, a count that does not match the entries, a broken free stack, a duplicate
   * key, a linear page that should be hashed. For tests (run it after every step of a model
   * test) and for debugging; O(n + buckets).
   *
   * @example
   * ```ts
   * table.set('a', 1);
   * table.checkInvariants(); // passes
   * ```
   */
  checkInvariants(): void {
    const fail = (message: string): never => {
      throw new HashTableInvariantError(`hashtable invariant: ${message}`);
    };
    if (!Number.isInteger(this.#size) || this.#size < 0) fail(`size ${this.#size}`);
    const map = this.#map;
    const page = this.#small;
    const stamped = this.#config.stamps;
    const foundKey = this.#config.foundKey;
    if (this.#config.cachesHash && foundKey !== HOLE) {
      const id = this.#config.foundId;
      const live =
        map !== null ? id > 0 && id < map.top : page !== null && id > 0 && id < this.#top;
      if (!live || this.#keyAt(id) !== foundKey) fail(`the found id ${id} no longer holds its key`);
    }
    if (map !== null) {
      if (page !== null) fail('both a linear page and a hashed map');
      if (map.kv[0]![0] !== undefined) fail('slot 0 of page 0 is used');
      if (map.stamped !== stamped)
        fail(`stamps ${stamped ? 'missing' : 'in a table without stamps'}`);
      if (this.#size === 0) fail('an empty table keeps its hashed map');
      map.checkInvariants((key) => this.#hash(key as K), this.#size);
      return;
    }
    if (page === null) {
      if (this.#size !== 0) fail(`no storage but size ${this.#size}`);
      if (this.#top !== 1) fail(`no storage but top ${this.#top}`);
      return;
    }
    if (this.#size === 0) fail('an empty table keeps its linear page');
    const smallStamps = page[0];
    if (stamped) {
      if (!(smallStamps instanceof Uint32Array)) fail('a linear page without its stamps');
      else if (smallStamps.length * 2 !== page.length)
        fail(`${smallStamps.length} linear stamps for ${page.length >>> 1} entries`);
    } else if (smallStamps !== undefined) fail('linear slot 0 is used');
    const top = this.#top;
    if (top << 1 > page.length)
      fail(`linear top ${top} past the page (${page.length >>> 1} entries)`);
    if (page.length >>> 1 > MIN_PAGE0_ENTRIES) fail(`linear page of ${page.length >>> 1} entries`);
    if (page[1] !== undefined) fail('linear slot 0 is used');
    if (page[(top - 1) << 1] === HOLE) fail(`the top linear slot ${top - 1} is free`);
    let live = 0;
    const equals = this.#config.equals;
    for (let id = 1; id < top; id++) {
      const key = page[id << 1];
      if (key === HOLE) {
        if (page[(id << 1) + 1] !== undefined) fail(`free linear slot ${id} keeps a value`);
        continue;
      }
      live++;
      for (let other = 1; other < id; other++) {
        const earlier = page[other << 1];
        if (earlier === HOLE) continue;
        if (equals === null ? earlier === key : equals(earlier, key)) {
          fail(`linear slots ${other} and ${id} hold equal keys`);
        }
      }
    }
    if (live !== this.#size) fail(`size ${this.#size} but ${live} linear entries`);
    for (let slot = top << 1; slot < page.length; slot++) {
      if (page[slot] !== undefined) fail(`linear slot ${slot >>> 1} above top holds a reference`);
    }
  }
}
