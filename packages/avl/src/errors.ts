/**
 * Every error @byor/avl throws. Each class has a stable `code`, a `Symbol.for` brand and a
 * static `isInstance()` that works across two copies of the package (the brand is global,
 * `instanceof` is not).
 */

const ERROR_MARKER = Symbol.for('@byor/avl.error');

/**
 * The stable `code` of each error class.
 *
 * @example
 * if (error.code === AvlErrorCode.INVALID_NODE) retry();
 */
export const AvlErrorCode = {
  /** `checkInvariants()` found a broken tree. */
  INVARIANT: 'BYOR_AVL_INVARIANT',
  /** A node handle that is not a live node of this tree was passed in. */
  INVALID_NODE: 'BYOR_AVL_INVALID_NODE',
  /** The tree cannot hold more nodes. */
  CAPACITY: 'BYOR_AVL_CAPACITY',
} as const;

/** One of the values of {@link AvlErrorCode}. @example const code: AvlErrorCode = 'BYOR_AVL_CAPACITY'; */
export type AvlErrorCode = (typeof AvlErrorCode)[keyof typeof AvlErrorCode];

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && marker in value;
}

/**
 * Base class of the errors of @byor/avl.
 *
 * @example
 * try { tree.checkInvariants(); } catch (error) { if (AvlError.isInstance(error)) console.log(error.code); }
 */
export class AvlError extends Error {
  readonly [ERROR_MARKER] = true;
  /** A stable machine-readable code, one of {@link AvlErrorCode}. */
  readonly code: AvlErrorCode;

  constructor(code: AvlErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AvlError';
    this.code = code;
  }

  /** True for any error thrown by any copy of @byor/avl. O(1). */
  static isInstance(value: unknown): value is AvlError {
    return hasMarker(value, ERROR_MARKER);
  }
}

const INVARIANT_MARKER = Symbol.for('@byor/avl.AvlInvariantError');

/**
 * Thrown by `checkInvariants()` when the tree is broken (balance, heights, subtree sizes,
 * parent links, order or the free list). Seeing it means a bug in this package.
 *
 * @example
 * expect(() => tree.checkInvariants()).not.toThrow(AvlInvariantError);
 */
export class AvlInvariantError extends AvlError {
  readonly [INVARIANT_MARKER] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(AvlErrorCode.INVARIANT, message, options);
    this.name = 'AvlInvariantError';
  }

  /** True for an {@link AvlInvariantError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is AvlInvariantError {
    return hasMarker(value, INVARIANT_MARKER);
  }
}

const INVALID_NODE_MARKER = Symbol.for('@byor/avl.AvlInvalidNodeError');

/**
 * Thrown when a node handle passed to a mutating method (or to `rank`/`offset`) is not a live
 * node of the tree: deleted already, never allocated, or `NIL` where a node is needed.
 *
 * @example
 * tree.deleteNode(node);
 * tree.deleteNode(node); // throws AvlInvalidNodeError
 */
export class AvlInvalidNodeError extends AvlError {
  readonly [INVALID_NODE_MARKER] = true;
  /** The offending handle. */
  readonly node: number;

  constructor(node: number, options?: ErrorOptions) {
    super(AvlErrorCode.INVALID_NODE, `${node} is not a live node of this tree`, options);
    this.name = 'AvlInvalidNodeError';
    this.node = node;
  }

  /** True for an {@link AvlInvalidNodeError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is AvlInvalidNodeError {
    return hasMarker(value, INVALID_NODE_MARKER);
  }
}

const CAPACITY_MARKER = Symbol.for('@byor/avl.AvlCapacityError');

/**
 * Thrown when the tree would grow past `MAX_NODES` nodes, or when the node arrays cannot
 * be allocated (the allocation failure is the `cause`).
 *
 * @example
 * new AvlTree<number>(undefined, { capacity: 2 ** 40 }); // throws AvlCapacityError
 */
export class AvlCapacityError extends AvlError {
  readonly [CAPACITY_MARKER] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(AvlErrorCode.CAPACITY, message, options);
    this.name = 'AvlCapacityError';
  }

  /** True for an {@link AvlCapacityError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is AvlCapacityError {
    return hasMarker(value, CAPACITY_MARKER);
  }
}
