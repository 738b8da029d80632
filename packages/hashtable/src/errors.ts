/**
 * Every error @byor/hashtable throws. Each class has a stable `code`, and a `Symbol.for` brand so
 * that `isInstance()` answers correctly even when two copies of the package are loaded.
 *
 * The table throws only for programmer faults (a bad argument, a broken invariant) and for the
 * one hard limit of its entry ids; a missing key is a value (`undefined`, `false`), not an error.
 *
 * @packageDocumentation
 */

const brand = Symbol.for('@byor/hashtable/error');

/**
 * The stable codes of {@link HashTableError}s.
 *
 * @example
 * ```ts
 * if (HashTableError.isInstance(error) && error.code === HashTableErrorCode.INVALID_ARGUMENT) {
 *   reply('-ERR invalid cursor');
 * }
 * ```
 */
export const HashTableErrorCode = {
  /** An argument or option out of its documented domain (a negative count, a fractional cursor...). */
  INVALID_ARGUMENT: 'BYOR_HASHTABLE_INVALID_ARGUMENT',
  /** The table already holds the most entries its 31-bit entry ids can name (2^31 - 1). */
  CAPACITY_EXCEEDED: 'BYOR_HASHTABLE_CAPACITY_EXCEEDED',
  /** `checkInvariants()` found a broken table: a bug in the table, or a hash function that is not deterministic. */
  INVARIANT: 'BYOR_HASHTABLE_INVARIANT',
} as const;

/** One of the values of {@link HashTableErrorCode}. */
export type HashTableErrorCode = (typeof HashTableErrorCode)[keyof typeof HashTableErrorCode];

/**
 * The base class of every error this package throws.
 *
 * @example
 * ```ts
 * try {
 *   table.scan(-1, 10);
 * } catch (error) {
 *   if (HashTableError.isInstance(error)) console.log(error.code); // BYOR_HASHTABLE_INVALID_ARGUMENT
 * }
 * ```
 */
export class HashTableError extends Error {
  /** A stable machine-readable code, one of {@link HashTableErrorCode}. */
  readonly code: HashTableErrorCode;

  constructor(code: HashTableErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for any {@link HashTableError}, from this copy of the package or another one. O(1). */
  static isInstance(value: unknown): value is HashTableError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}

/**
 * Thrown when an argument or an option is outside its documented domain.
 *
 * @example
 * ```ts
 * new HashTable().scan(0, 0); // throws InvalidArgumentError: count must be a positive integer
 * ```
 */
export class InvalidArgumentError extends HashTableError {
  constructor(message: string, options?: ErrorOptions) {
    super(HashTableErrorCode.INVALID_ARGUMENT, message, options);
  }

  /** True for an {@link InvalidArgumentError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is InvalidArgumentError {
    return HashTableError.isInstance(value) && value.code === HashTableErrorCode.INVALID_ARGUMENT;
  }
}

/**
 * Thrown by an insert when the table already holds 2^31 - 1 entries, the most its 31-bit entry
 * ids can name. (V8's `Map` stops at 2^24.)
 *
 * @example
 * ```ts
 * try { table.set(key, value); } catch (error) { if (CapacityExceededError.isInstance(error)) shed(); }
 * ```
 */
export class CapacityExceededError extends HashTableError {
  constructor(limit: number, options?: ErrorOptions) {
    super(
      HashTableErrorCode.CAPACITY_EXCEEDED,
      `hashtable cannot hold more than ${limit} entries`,
      options,
    );
  }

  /** True for a {@link CapacityExceededError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is CapacityExceededError {
    return HashTableError.isInstance(value) && value.code === HashTableErrorCode.CAPACITY_EXCEEDED;
  }
}

/**
 * Thrown by `checkInvariants()` when the table is inconsistent.
 *
 * @example
 * ```ts
 * table.checkInvariants(); // throws HashTableInvariantError if a chain, a count or the free stack is broken
 * ```
 */
export class HashTableInvariantError extends HashTableError {
  constructor(message: string, options?: ErrorOptions) {
    super(HashTableErrorCode.INVARIANT, message, options);
  }

  /** True for a {@link HashTableInvariantError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is HashTableInvariantError {
    return HashTableError.isInstance(value) && value.code === HashTableErrorCode.INVARIANT;
  }
}
