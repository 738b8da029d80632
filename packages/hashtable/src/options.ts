/**
 * The options of a table, and the resolved configuration that tables with the same options share.
 *
 * @packageDocumentation
 */
import { HOLE } from './entry-pool.js';
import { InvalidArgumentError } from './errors.js';
import { processSeedWords, seedWords } from './hash.js';

/**
 * Options of {@link HashTable} (and of {@link CustomHashTable}).
 *
 * @example
 * ```ts
 * const deterministic = new HashTable<number>({ seed: 42, random: mulberry32(7) });
 * ```
 */
export interface HashTableOptions {
  /**
   * The key of the seeded hash: an integer in [0, 2^53). Tables with the same seed place keys
   * in the same buckets, so scans and samples become reproducible. Default: a random seed drawn
   * once per process from the OS, which is what keeps hostile keys from being precomputed.
   */
  seed?: number | undefined;
  /**
   * The random source of `randomKey()`, `randomEntry()` and `sample()`: returns a float in
   * [0, 1), like `Math.random` (the default). Pass a seeded generator for deterministic tests.
   */
  random?: (() => number) | undefined;
  /**
   * Gives every entry a 32-bit stamp (`getStamped`, `stampOf`, `setStamp`, `sampleStamped`):
   * a server's per-key access clock (Redis's LRU clock or LFU counter) kept beside the entry's
   * hash and chain link, 4 bytes an entry, with no object per entry. Default `false`: a table
   * without stamps has no stamp storage and its operations do not change.
   */
  stamps?: boolean | undefined;
}

/**
 * Options of {@link CustomHashTable}: keys of any type, with the caller's hash and equality.
 *
 * @example
 * ```ts
 * const byPoint = new CustomHashTable<{ x: number; y: number }, string>({
 *   hash: (p) => Math.imul(p.x, 31) + p.y,
 *   equals: (a, b) => a.x === b.x && a.y === b.y,
 * });
 * ```
 */
export interface CustomHashTableOptions<K> extends HashTableOptions {
  /**
   * Hashes a key to a number (used as a 32-bit integer). Keys that are `equals` must hash the
   * same. The table mixes the result with its seed, so a plain hash (the identity on integers)
   * spreads well, but keys that collide here still collide: for keys chosen by an adversary,
   * build it from a keyed hash such as `hashString(part, seed)`.
   */
  hash: (key: K) => number;
  /** Key equality. Default: SameValueZero (`===`, except that NaN equals NaN), as `Map` uses. */
  equals?: ((a: K, b: K) => boolean) | undefined;
}

/** SameValueZero, Map's key equality. */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b); // NaN is the one value not equal to itself
}

/**
 * A resolved configuration: seed words, random source, key functions. Shared by every table
 * created with the same (default) options, so a small table carries one reference, not five.
 *
 * @internal
 */
export class TableConfig {
  constructor(
    readonly k0: number,
    readonly k1: number,
    readonly random: () => number,
    /** null for latin1 string keys, hashed with HalfSipHash */
    readonly hash: ((key: unknown) => number) | null,
    /** null for `===` */
    readonly equals: ((a: unknown, b: unknown) => boolean) | null,
    /** entries carry a Uint32 stamp */
    readonly stamps: boolean,
  ) {
    this.cachesHash = stamps && hash === null;
  }

  /**
   * The last key a stamped lookup missed and its hash, kept by stamped string tables only (a
   * keyspace's SET or INCR of a new key looks it up, then inserts it: the insert need not hash
   * it again). The hash depends only on the key and the seed, so it never goes stale. HOLE
   * (equal to no key) otherwise, so that other tables' inserts pay one pointer compare.
   */
  hashedKey: unknown = HOLE;
  hashedValue = 0;
  /**
   * The key last found by a stamped lookup and its entry id (stamped string tables only, whose
   * config is their own): a write of that key right after needs no find. Forgotten by delete,
   * clear and compaction, the only things that free or move an id.
   */
  foundKey: unknown = HOLE;
  foundId = 0;
  /**
   * The keys the last `touch` of a string table with this config hashed, and their hashes: the
   * lookups that follow it in the same order (a keyspace's MSET or MGET) take each key's hash
   * from here instead of hashing it again. A hash depends only on the key and the seed, which
   * every table of this config shares, so an entry never goes stale. Dropped at the first key
   * that comes out of order, and once used up; null when there is none.
   */
  touchedKeys: readonly unknown[] | null = null;
  /** index in `touchedKeys` of the next key expected, and the step between keys */
  touchedAt = 0;
  touchedStep = 1;
  /** hashes of the touched keys, in order; `touchedIndex` is the next one's, of `touchedCount` */
  touchedHashes: Int32Array | null = null;
  touchedIndex = 0;
  touchedCount = 0;
  /** whether `hashedKey` and `foundKey` are kept */
  readonly cachesHash: boolean;
}

const [processK0, processK1] = processSeedWords();

/** The configuration of `new HashTable()`. */
const defaultStringConfig = new TableConfig(processK0, processK1, Math.random, null, null, false);

/**
 * Validates `options` and resolves the configuration of a string-keyed table.
 *
 * @internal
 */
export function stringConfig(options: HashTableOptions | undefined): TableConfig {
  if (
    options === undefined ||
    (options.seed === undefined && options.random === undefined && options.stamps === undefined)
  ) {
    return defaultStringConfig;
  }
  const [k0, k1] = resolveSeed(options.seed);
  return new TableConfig(
    k0,
    k1,
    resolveRandom(options.random),
    null,
    null,
    resolveStamps(options.stamps),
  );
}

/**
 * Validates `options` and resolves the configuration of a custom-keyed table.
 *
 * @internal
 */
export function customConfig<K>(options: CustomHashTableOptions<K>): TableConfig {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('CustomHashTable needs options with a hash function');
  }
  const { hash, equals } = options;
  if (typeof hash !== 'function') {
    throw new InvalidArgumentError('options.hash must be a function');
  }
  if (equals !== undefined && typeof equals !== 'function') {
    throw new InvalidArgumentError('options.equals must be a function');
  }
  const [k0, k1] = resolveSeed(options.seed);
  return new TableConfig(
    k0,
    k1,
    resolveRandom(options.random),
    hash as (key: unknown) => number,
    (equals ?? sameValueZero) as (a: unknown, b: unknown) => boolean,
    resolveStamps(options.stamps),
  );
}

function resolveSeed(seed: number | undefined): [number, number] {
  return seed === undefined ? [processK0, processK1] : seedWords(seed);
}

function resolveStamps(stamps: boolean | undefined): boolean {
  if (stamps !== undefined && typeof stamps !== 'boolean')
    throw new InvalidArgumentError('options.stamps must be a boolean');
  return stamps === true;
}

function resolveRandom(random: (() => number) | undefined): () => number {
  if (random === undefined) return Math.random;
  if (typeof random !== 'function')
    throw new InvalidArgumentError('options.random must be a function');
  return random;
}
