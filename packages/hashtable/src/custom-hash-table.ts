/**
 * The table for keys that are not strings: the caller gives the hash and the equality.
 *
 * @packageDocumentation
 */
import { BaseHashTable } from './base-hash-table.js';
import { type CustomHashTableOptions, customConfig } from './options.js';

/**
 * A hashtable whose keys are of any type, hashed and compared by the caller's functions, with
 * the same API and guarantees as {@link HashTable}. The caller's hash is mixed with the table's
 * seed, so a weak hash still spreads; see {@link CustomHashTableOptions.hash} for hostile keys.
 *
 * Complexity: O(1) expected per operation plus the cost of `hash` and `equals`.
 *
 * @typeParam K - the key type
 * @typeParam V - the value type
 * @example
 * ```ts
 * import { CustomHashTable } from '@byor/hashtable';
 *
 * const ports = new CustomHashTable<number, string>({ hash: (port) => port });
 * ports.set(6379, 'redis');
 * ports.get(6379); // 'redis'
 * ```
 */
export class CustomHashTable<K, V> extends BaseHashTable<K, V> {
  /**
   * An empty table. O(1).
   *
   * @param options - `hash` (required), `equals` (default: SameValueZero), `seed`, `random`
   * @example
   * ```ts
   * const byPair = new CustomHashTable<[number, number], boolean>({
   *   hash: ([a, b]) => Math.imul(a, 0x9e3779b1) ^ b,
   *   equals: (x, y) => x[0] === y[0] && x[1] === y[1],
   * });
   * ```
   */
  constructor(options: CustomHashTableOptions<K>) {
    super(customConfig(options));
  }
}
