/**
 * The string-keyed table: what the server's keyspace, hashes and sets are made of.
 *
 * @packageDocumentation
 */
import { BaseHashTable } from './base-hash-table.js';
import { type HashTableOptions, stringConfig } from './options.js';

/**
 * A hashtable keyed by strings, with a Map-like API, progressive rehashing (no insert ever
 * rehashes the whole table), Redis-style cursor scans and O(1) random sampling. Book chapter 8.
 *
 * Keys are compared with `===` and hashed with HalfSipHash-1-3 over their latin1 bytes (one
 * char per byte, as a RESP parser produces them with `buffer.latin1Slice()`), keyed by a random
 * per-process seed. Any string works as a key; one with characters above 255 is hashed over its
 * UTF-16 code units instead, more slowly.
 *
 * Complexity: O(1) expected per operation, O(key length) for the hash. An insert does at most
 * 128 units of rehash work while a resize is in progress. Memory: nothing while empty, one
 * small page up to 15 entries, then about 24 bytes per entry plus 4 to 8 per bucket.
 *
 * @typeParam V - the value type
 * @example
 * ```ts
 * import { HashTable } from '@byor/hashtable';
 *
 * const keyspace = new HashTable<string>();
 * keyspace.set('greeting', 'hello'); // true: a new key
 * keyspace.get('greeting'); // 'hello'
 * const [next, entries] = keyspace.scan(0, 10);
 * ```
 */
export class HashTable<V> extends BaseHashTable<string, V> {
  /**
   * An empty table; allocates its storage on the first insert. O(1).
   *
   * @param options - `seed` (default: random per process) and `random` (default: `Math.random`)
   * @example
   * ```ts
   * const forTests = new HashTable<number>({ seed: 1, random: () => 0.5 });
   * ```
   */
  constructor(options?: HashTableOptions) {
    super(stringConfig(options));
  }
}
