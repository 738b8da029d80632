/**
 * Every error @byor/heap throws. Each class has a stable `code`, and a `Symbol.for` brand so that
 * `isInstance()` answers correctly even when two copies of the package are loaded.
 *
 * @packageDocumentation
 */

const brand = Symbol.for('@byor/heap/error');

/**
 * The stable codes of {@link HeapError}s.
 *
 * @example
 * ```ts
 * if (HeapError.isInstance(error) && error.code === HeapErrorCode.STALE_HANDLE) retry();
 * ```
 */
export const HeapErrorCode = {
  /** A handle whose item has left the heap (popped, removed or cleared), or that never existed. */
  STALE_HANDLE: 'BYOR_HEAP_STALE_HANDLE',
  /** A numeric key that is NaN: it cannot be ordered. */
  INVALID_KEY: 'BYOR_HEAP_INVALID_KEY',
  /** The heap would grow past its maximum capacity (2^30 items), or a capacity option is invalid. */
  CAPACITY: 'BYOR_HEAP_CAPACITY',
  /** `checkInvariants()` found a broken heap: a bug in the heap or a comparator that is not a total order. */
  INVARIANT: 'BYOR_HEAP_INVARIANT',
} as const;

/** One of the values of {@link HeapErrorCode}. */
export type HeapErrorCode = (typeof HeapErrorCode)[keyof typeof HeapErrorCode];

/**
 * The base class of every error this package throws.
 *
 * @example
 * ```ts
 * try { heap.update(handle, 5); } catch (error) { if (HeapError.isInstance(error)) console.log(error.code); }
 * ```
 */
export class HeapError extends Error {
  /** A stable machine-readable code, one of {@link HeapErrorCode}. */
  readonly code: HeapErrorCode;

  constructor(code: HeapErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for any {@link HeapError}, from this copy of the package or another one. O(1). */
  static isInstance(value: unknown): value is HeapError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}

/**
 * Thrown by `update()` when the handle does not name an item in the heap.
 *
 * @example
 * ```ts
 * const handle = heap.push(1, 'a');
 * heap.pop();
 * heap.update(handle, 2); // throws StaleHandleError
 * ```
 */
export class StaleHandleError extends HeapError {
  constructor(handle: number, options?: ErrorOptions) {
    super(HeapErrorCode.STALE_HANDLE, `heap handle ${handle} is not in the heap`, options);
  }

  /** True for a {@link StaleHandleError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is StaleHandleError {
    return HeapError.isInstance(value) && value.code === HeapErrorCode.STALE_HANDLE;
  }
}

/**
 * Thrown when a numeric key is NaN.
 *
 * @example
 * ```ts
 * new NumericHeap().push(Number.NaN, 'a'); // throws InvalidKeyError
 * ```
 */
export class InvalidKeyError extends HeapError {
  constructor(key: number, options?: ErrorOptions) {
    super(HeapErrorCode.INVALID_KEY, `heap key ${key} cannot be ordered`, options);
  }

  /** True for an {@link InvalidKeyError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is InvalidKeyError {
    return HeapError.isInstance(value) && value.code === HeapErrorCode.INVALID_KEY;
  }
}

/**
 * Thrown when a heap would grow past 2^30 items, or `initialCapacity` is out of range.
 *
 * @example
 * ```ts
 * new NumericHeap({ initialCapacity: 2 ** 31 }); // throws CapacityError
 * ```
 */
export class CapacityError extends HeapError {
  constructor(message: string, options?: ErrorOptions) {
    super(HeapErrorCode.CAPACITY, message, options);
  }

  /** True for a {@link CapacityError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is CapacityError {
    return HeapError.isInstance(value) && value.code === HeapErrorCode.CAPACITY;
  }
}

/**
 * Thrown by `checkInvariants()` when the heap is inconsistent.
 *
 * @example
 * ```ts
 * heap.checkInvariants(); // throws HeapInvariantError if the order or the handle index is broken
 * ```
 */
export class HeapInvariantError extends HeapError {
  constructor(message: string, options?: ErrorOptions) {
    super(HeapErrorCode.INVARIANT, message, options);
  }

  /** True for a {@link HeapInvariantError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is HeapInvariantError {
    return HeapError.isInstance(value) && value.code === HeapErrorCode.INVARIANT;
  }
}
