import type { Database } from '../keyspace.js';
import { HyperLogLog } from './hyperloglog.js';

/**
 * The mutable buffers behind HLL string values. A key holds an immutable latin1 string, and
 * redis-server changes an HLL's registers in place: converting the 12 KB string to bytes for
 * every PFADD would make a million PFADDs on one key copy 12 GB. So each database keeps, for
 * the few HLL keys used last, the HyperLogLog buffer together with the exact string it
 * represents. A command uses the buffer only while the key still holds a string equal to that
 * one (a SET, APPEND or SETRANGE in between makes them differ, and the string is parsed again),
 * and stores the new string it writes to the key. A PFADD that changes nothing copies nothing;
 * one that changes a register writes one new string.
 */

/** How many HLL keys per database keep their buffer (about 12 KB each when dense). */
export const HLL_CACHE_ENTRIES = 16;

interface Entry {
  value: string;
  hll: HyperLogLog;
}

/** The buffers of one database's recently used HLL keys, least recently used first. */
export class HllCache {
  readonly #entries = new Map<string, Entry>();
  /** the most recently used key: PFADDs in a row on one key skip the LRU reordering */
  #recent: string | undefined = undefined;

  /**
   * The HyperLogLog for `value`, the string `key` holds now: the cached buffer when it still
   * represents that string, else a new one parsed from it (and cached). The caller either leaves
   * it unchanged or, after changing it, calls {@link HllCache.store} or {@link HllCache.drop}.
   * O(1) on a hit (a string comparison that stops at the first pointer match), O(length) else.
   *
   * @example
   * ```ts
   * const hll = hllCacheOf(db).acquire(key, value);
   * if (hll.add('x', 3000) === 1) hllCacheOf(db).store(key, hll.toString(), hll);
   * ```
   */
  acquire(key: string, value: string): HyperLogLog {
    const entries = this.#entries;
    const entry = entries.get(key);
    if (entry !== undefined && entry.value === value) {
      if (key !== this.#recent) {
        // most recently used goes last
        entries.delete(key);
        entries.set(key, entry);
        this.#recent = key;
      }
      return entry.hll;
    }
    const hll = HyperLogLog.fromString(value);
    this.store(key, value, hll);
    return hll;
  }

  /** Records that `key` now holds `value`, the string of `hll`. O(1). */
  store(key: string, value: string, hll: HyperLogLog): void {
    const entries = this.#entries;
    const entry = entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.hll = hll;
      if (key !== this.#recent) {
        entries.delete(key);
        entries.set(key, entry);
        this.#recent = key;
      }
      return;
    }
    if (entries.size >= HLL_CACHE_ENTRIES) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(key, { value, hll });
    this.#recent = key;
  }

  /** Forgets `key`'s buffer (it was changed and not written back). O(1). */
  drop(key: string): void {
    this.#entries.delete(key);
    if (key === this.#recent) this.#recent = undefined;
  }

  /** Number of cached buffers. */
  get size(): number {
    return this.#entries.size;
  }
}

const caches = new WeakMap<Database, HllCache>();

/**
 * The HLL buffer cache of a database (created on first use, gone with the database). O(1).
 *
 * @example
 * ```ts
 * const cache = hllCacheOf(client.db);
 * ```
 */
export function hllCacheOf(db: Database): HllCache {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = new HllCache();
    caches.set(db, cache);
  }
  return cache;
}
