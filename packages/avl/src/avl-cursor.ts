/**
 * A reusable in-order cursor over an AvlTree, for reading ranges at full speed: it keeps the
 * pending ancestors on a small stack, so a step is a pop or a short descent instead of a climb
 * through parent links (about 1.6x faster than `next()` at 1M nodes), and the caller's loop
 * reads keys itself instead of being called back (no call, and no boxed number, per entry).
 */
import { NIL, type AvlTree } from './avl-tree.js';
import { AvlInvalidNodeError } from './errors.js';

/** Deeper than any AVL tree of MAX_NODES nodes (1.44 log2 n < 45). */
const STACK_DEPTH = 64;

/**
 * An in-order cursor over one {@link AvlTree}, forward or in reverse. Position it with `seek`
 * (at a node) or `seekAt` (at a rank), then call `next()` until it returns NIL. Allocate one
 * and reuse it: positioning allocates nothing. The tree must not change while the cursor walks
 * it; seek again after a change.
 *
 * @example
 * const cursor = new AvlCursor(tree);
 * let sum = 0;
 * for (let node = cursor.seekAt(1000), left = 100; node !== NIL && left > 0; node = cursor.next(), left--) {
 *   sum += tree.key(node);
 * }
 */
export class AvlCursor<K, V> {
  readonly #tree: AvlTree<K, V>;
  readonly #stack = new Int32Array(STACK_DEPTH);
  #depth = 0;
  #node = NIL;
  #reverse = false;

  /**
   * A cursor over `tree`, positioned at the end (`node` is NIL). O(1).
   *
   * @example
   * const cursor = new AvlCursor(tree);
   */
  constructor(tree: AvlTree<K, V>) {
    this.#tree = tree;
  }

  /** The current node; NIL once the walk has passed the last one. O(1). @example cursor.node; */
  get node(): number {
    return this.#node;
  }

  /** True when the cursor walks in descending key order. O(1). @example cursor.reverse; */
  get reverse(): boolean {
    return this.#reverse;
  }

  /**
   * Positions the cursor on `node` (on the first node, or the last in reverse, when `node` is
   * NIL; note that a `lowerBound` of NIL means "none", so check it first) and returns it.
   * O(log n).
   *
   * @throws AvlInvalidNodeError when `node` is neither NIL nor a live node of the tree
   * @example
   * const start = tree.lowerBound(10);
   * if (start !== NIL) for (let n = cursor.seek(start); n !== NIL; n = cursor.next()) use(n);
   */
  seek(node: number, reverse = false): number {
    const tree = this.#tree;
    this.#reverse = reverse;
    this.#depth = 0;
    if (node === NIL) node = reverse ? tree.last() : tree.first();
    else if (!tree.isLive(node)) throw new AvlInvalidNodeError(node);
    this.#node = node;
    if (node === NIL) return NIL;
    // the ancestors still to visit are those whose left subtree (right, in reverse) holds the
    // node; climbing meets them nearest first, and the nearest must end on top of the stack
    const stack = this.#stack;
    let depth = 0;
    for (let child = node, parent = tree.parent(node); parent !== NIL;) {
      if ((reverse ? tree.right(parent) : tree.left(parent)) === child) stack[depth++] = parent;
      child = parent;
      parent = tree.parent(parent);
    }
    for (let low = 0, high = depth - 1; low < high; low++, high--) {
      const swap = stack[low]!;
      stack[low] = stack[high]!;
      stack[high] = swap;
    }
    this.#depth = depth;
    return node;
  }

  /**
   * Positions the cursor on the node at 0-based position `index` in key order (negative:
   * from the end, as `at()` takes it) and returns it, or NIL when out of range. `reverse`
   * sets the direction of the walk that follows. One descent, no climb. O(log n).
   *
   * @example
   * for (let n = cursor.seekAt(-1, true); n !== NIL; n = cursor.next()) use(n); // largest first
   */
  seekAt(index: number, reverse = false): number {
    const tree = this.#tree;
    this.#reverse = reverse;
    this.#depth = 0;
    this.#node = NIL;
    const size = tree.size;
    if (index < 0) index += size;
    if (!(index >= 0 && index < size)) return NIL;
    index = Math.floor(index);
    const stack = this.#stack;
    let depth = 0;
    let node = tree.root;
    while (node !== NIL) {
      const left = tree.left(node);
      const leftSize = tree.subtreeSize(left);
      if (index < leftSize) {
        // going left: this node comes after the target (pending when walking forward)
        if (!reverse) stack[depth++] = node;
        node = left;
      } else if (index === leftSize) {
        break;
      } else {
        if (reverse) stack[depth++] = node;
        index -= leftSize + 1;
        node = tree.right(node);
      }
    }
    this.#depth = depth;
    this.#node = node;
    return node;
  }

  /**
   * Moves to the next node in the cursor's direction and returns it; NIL after the last (and
   * on every call after that). O(1) amortised, O(log n) worst case.
   *
   * @example
   * for (let n = cursor.seekAt(0); n !== NIL; n = cursor.next()) console.log(tree.key(n));
   */
  next(): number {
    let node = this.#node;
    if (node === NIL) return NIL;
    const tree = this.#tree;
    const reverse = this.#reverse;
    node = reverse ? tree.left(node) : tree.right(node);
    if (node !== NIL) {
      // down the subtree that follows, to its nearest end, leaving the path pending
      const stack = this.#stack;
      let depth = this.#depth;
      for (let deeper = reverse ? tree.right(node) : tree.left(node); deeper !== NIL;) {
        stack[depth++] = node;
        node = deeper;
        deeper = reverse ? tree.right(node) : tree.left(node);
      }
      this.#depth = depth;
    } else if (this.#depth > 0) {
      node = this.#stack[--this.#depth]!;
    }
    this.#node = node;
    return node;
  }
}
