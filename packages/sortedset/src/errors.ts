/**
 * Every error @byor/sortedset throws. Each class has a stable `code`, a `Symbol.for` brand and
 * a static `isInstance()` that works across two copies of the package. Redis's own error
 * replies (NaN scores, invalid bounds) are results, not exceptions: see `AddOutcome` and the
 * parsers' `undefined`.
 */

const ERROR_MARKER = Symbol.for('@byor/sortedset.error');

/**
 * The stable `code` of each error class.
 *
 * @example
 * if (error.code === SortedSetErrorCode.INVARIANT) report(error);
 */
export const SortedSetErrorCode = {
  /** `checkInvariants()` found a broken sorted set. */
  INVARIANT: 'BYOR_SORTEDSET_INVARIANT',
  /** `add()` got options Redis refuses together (NX with XX, GT or LT; GT with LT). */
  INCOMPATIBLE_OPTIONS: 'BYOR_SORTEDSET_INCOMPATIBLE_OPTIONS',
} as const;

/** One of the values of {@link SortedSetErrorCode}. @example const code: SortedSetErrorCode = error.code; */
export type SortedSetErrorCode = (typeof SortedSetErrorCode)[keyof typeof SortedSetErrorCode];

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && marker in value;
}

/**
 * Base class of the errors of @byor/sortedset.
 *
 * @example
 * try { set.add('a', 1, { nx: true, xx: true }); } catch (error) { if (SortedSetError.isInstance(error)) console.log(error.code); }
 */
export class SortedSetError extends Error {
  readonly [ERROR_MARKER] = true;
  /** A stable machine-readable code, one of {@link SortedSetErrorCode}. */
  readonly code: SortedSetErrorCode;

  constructor(code: SortedSetErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SortedSetError';
    this.code = code;
  }

  /** True for any error thrown by any copy of @byor/sortedset. O(1). */
  static isInstance(value: unknown): value is SortedSetError {
    return hasMarker(value, ERROR_MARKER);
  }
}

const INVARIANT_MARKER = Symbol.for('@byor/sortedset.SortedSetInvariantError');

/**
 * Thrown by `checkInvariants()` when the sorted set is broken (order, the member index, sizes,
 * the encoding limits). Seeing it means a bug in this package; the AVL tree's own
 * `AvlInvariantError` is the `cause` when the tree is at fault.
 *
 * @example
 * expect(() => set.checkInvariants()).not.toThrow(SortedSetInvariantError);
 */
export class SortedSetInvariantError extends SortedSetError {
  readonly [INVARIANT_MARKER] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(SortedSetErrorCode.INVARIANT, message, options);
    this.name = 'SortedSetInvariantError';
  }

  /** True for a {@link SortedSetInvariantError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is SortedSetInvariantError {
    return hasMarker(value, INVARIANT_MARKER);
  }
}

const INCOMPATIBLE_OPTIONS_MARKER = Symbol.for('@byor/sortedset.IncompatibleAddOptionsError');

/**
 * Thrown by `add()` for option combinations that ZADD rejects before touching the set; the
 * server validates its arguments first, so seeing this is a programmer fault. Redis's replies:
 * "ERR XX and NX options at the same time are not compatible" and "ERR GT, LT, and/or NX
 * options at the same time are not compatible".
 *
 * @example
 * set.add('a', 1, { gt: true, lt: true }); // throws IncompatibleAddOptionsError
 */
export class IncompatibleAddOptionsError extends SortedSetError {
  readonly [INCOMPATIBLE_OPTIONS_MARKER] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(SortedSetErrorCode.INCOMPATIBLE_OPTIONS, message, options);
    this.name = 'IncompatibleAddOptionsError';
  }

  /** True for an {@link IncompatibleAddOptionsError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is IncompatibleAddOptionsError {
    return hasMarker(value, INCOMPATIBLE_OPTIONS_MARKER);
  }
}
