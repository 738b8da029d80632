/**
 * An order-statistic AVL tree (Build Your Own Redis, chapters 10-11): every node carries its
 * subtree height and size, so rank, select (`at`) and the book's `avl_offset` take O(log n).
 *
 * Layout (struct of arrays, not one object per node). Node handles are small integers; handle
 * 0 is NIL, a sentinel whose size and height are 0, so `size(left(n))` needs no null check.
 *
 *   links   Int32Array, 4 slots per node      heights  Uint8Array, 1 slot per node
 *   +------+-------+--------+------+          +--------+
 *   | left | right | parent | size |  x n     | height |  x n     (height 0 = free slot)
 *   +------+-------+--------+------+          +--------+
 *   keys[n - 1], values[n - 1]: plain arrays (an all-number column stays unboxed doubles)
 *
 * Freed nodes go on a free list threaded through their `left` slot. Nothing here recurses:
 * insert and delete fix the tree bottom-up through parent links, so depth never touches the
 * call stack. Readability was traded for speed in the loops below: links are read by index
 * arithmetic on local copies of the arrays instead of through accessor calls.
 */
import { naturalOrder, type Comparator } from './comparator.js';
import { AvlCapacityError, AvlInvalidNodeError, AvlInvariantError } from './errors.js';

/**
 * The null node handle: "no node", and the end position of an iteration. O(1).
 *
 * @example
 * if (tree.find(key) === NIL) console.log('absent');
 */
export const NIL = 0;

/**
 * The most nodes one tree can hold (536,870,910): node `n` keeps its links at `4 * n` of an
 * Int32Array, so `4 * n` must stay a 31-bit integer.
 *
 * @example
 * if (expected > MAX_NODES) throw new Error('split the data');
 */
export const MAX_NODES = 2 ** 29 - 2;

/**
 * Options of {@link AvlTree}.
 *
 * @example
 * new AvlTree<number>(undefined, { capacity: 1_000_000 });
 */
export interface AvlTreeOptions {
  /**
   * Nodes to allocate room for up front; the arrays double when full. Default 8 (a small tree
   * is cheap: about 30 bytes per node slot).
   */
  readonly capacity?: number;
}

const LEFT = 0;
const RIGHT = 1;
const PARENT = 2;
const SIZE = 3;
const DEFAULT_CAPACITY = 8;

/**
 * A sorted map (or set, with `V = undefined`) on an AVL tree with subtree sizes.
 *
 * Entries are addressed by node handles (numbers): a handle stays valid, and keeps naming the
 * same entry, until that entry is deleted; then the handle may be reused. `NIL` (0) stands for
 * "no node" and, in iteration, for the position past the end: `next(last) === NIL`,
 * `prev(NIL) === last`, `next(NIL) === first`, `rank(NIL) === size`.
 *
 * Keys are unique under the comparator. Besides the keyed methods, the tree exposes its
 * structure (`root`, `left`, `right`, `parent`, `subtreeSize`) and positional insertion
 * (`insertBefore`), so that a structure ordered by more than the key (a sorted set ordered by
 * score, then member) can run its own descent, as the book's zset does.
 *
 * @example
 * const tree = new AvlTree<number, string>();
 * tree.set(10, 'ten');
 * tree.set(5, 'five');
 * tree.rank(tree.find(10)); // 1
 * tree.key(tree.at(0)); // 5
 * tree.key(tree.offset(tree.first(), 1)); // 10
 */
export class AvlTree<K, V = undefined> {
  readonly #compare: Comparator<K>;
  #links: Int32Array;
  #heights: Uint8Array;
  #keys: (K | undefined)[] = [];
  #values: (V | undefined)[] = [];
  #root = NIL;
  #size = 0;
  /** the highest node handle that fits in the arrays */
  #capacity: number;
  /** the next never-used handle */
  #fresh = 1;
  #freeHead = NIL;

  /**
   * Creates an empty tree. O(capacity).
   *
   * @param compare the key order; default {@link naturalOrder} (`<`/`>`)
   * @param options see {@link AvlTreeOptions}
   * @throws AvlCapacityError when `options.capacity` exceeds {@link MAX_NODES}
   * @example
   * const byName = new AvlTree<string, number>((a, b) => a.localeCompare(b));
   */
  constructor(compare: Comparator<K> = naturalOrder, options: AvlTreeOptions = {}) {
    const capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_CAPACITY));
    if (!(capacity <= MAX_NODES)) {
      throw new AvlCapacityError(`capacity ${options.capacity} exceeds ${MAX_NODES} nodes`);
    }
    this.#compare = compare;
    this.#capacity = capacity;
    this.#links = new Int32Array((capacity + 1) * 4);
    this.#heights = new Uint8Array(capacity + 1);
  }

  /** The number of entries. O(1). @example new AvlTree<number>().size; // 0 */
  get size(): number {
    return this.#size;
  }

  /**
   * The root node, or NIL when empty: the start of a custom descent. O(1).
   *
   * @example
   * for (let n = tree.root; n !== NIL; n = tree.left(n)) lastSeen = n; // walks to the minimum
   */
  get root(): number {
    return this.#root;
  }

  // ---------------------------------------------------------------------------------------
  // Node accessors. They do not validate the handle (they are the inner loop of custom
  // descents): a stale handle reads stale data.

  /** The left child of `node`, or NIL. O(1). @example tree.left(tree.root); */
  left(node: number): number {
    return this.#links[node << 2]!;
  }

  /** The right child of `node`, or NIL. O(1). @example tree.right(tree.root); */
  right(node: number): number {
    return this.#links[(node << 2) + RIGHT]!;
  }

  /** The parent of `node`, or NIL for the root. O(1). @example tree.parent(tree.root); // NIL */
  parent(node: number): number {
    return this.#links[(node << 2) + PARENT]!;
  }

  /**
   * The number of entries in the subtree rooted at `node` (0 for NIL). O(1).
   *
   * @example
   * tree.subtreeSize(tree.root) === tree.size; // true
   */
  subtreeSize(node: number): number {
    return this.#links[(node << 2) + SIZE]!;
  }

  /** The key of `node`. O(1). @example tree.key(tree.first()); // the smallest key */
  key(node: number): K {
    return this.#keys[node - 1] as K;
  }

  /** The value of `node`. O(1). @example tree.value(tree.find(10)); */
  value(node: number): V {
    return this.#values[node - 1] as V;
  }

  /**
   * Replaces the value of `node`; the position in the tree does not change. O(1).
   *
   * @throws AvlInvalidNodeError when `node` is not a live node
   * @example
   * tree.setValue(tree.find(10), 'TEN');
   */
  setValue(node: number, value: V): void {
    this.#assertLive(node);
    this.#values[node - 1] = value;
  }

  /** True when `node` is a live node of this tree. O(1). @example tree.isLive(NIL); // false */
  isLive(node: number): boolean {
    return node > 0 && node < this.#fresh && this.#heights[node] !== 0;
  }

  // ---------------------------------------------------------------------------------------
  // Keyed operations

  /**
   * The node holding `key`, or NIL. O(log n).
   *
   * @example
   * const node = tree.find(10);
   * if (node !== NIL) console.log(tree.value(node));
   */
  find(key: K): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    while (node !== NIL) {
      const order = compare(key, keys[node - 1] as K);
      if (order === 0) return node;
      node = links[(node << 2) + (order < 0 ? LEFT : RIGHT)]!;
    }
    return NIL;
  }

  /** True when `key` is in the tree. O(log n). @example tree.has(10); */
  has(key: K): boolean {
    return this.find(key) !== NIL;
  }

  /** The value stored under `key`, or undefined. O(log n). @example tree.get(10); // 'ten' */
  get(key: K): V | undefined {
    const node = this.find(key);
    return node === NIL ? undefined : this.#values[node - 1];
  }

  /**
   * Inserts `key` or, when present, replaces its value. Returns the entry's node. O(log n).
   *
   * @example
   * tree.set(10, 'ten');
   * const set = new AvlTree<string>();
   * set.set('a');
   */
  set(this: AvlTree<K, undefined>, key: K): number;
  set(key: K, value: V): number;
  set(key: K, value?: V): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    let parent = NIL;
    let order = 0;
    while (node !== NIL) {
      order = compare(key, keys[node - 1] as K);
      if (order === 0) {
        this.#values[node - 1] = value;
        return node;
      }
      parent = node;
      node = links[(node << 2) + (order < 0 ? LEFT : RIGHT)]!;
    }
    return this.#attach(parent, order < 0, key, value);
  }

  /**
   * Inserts `key` when absent and returns its new node; returns NIL, changing nothing, when an
   * equal key is present. O(log n).
   *
   * @example
   * tree.insert(10, 'ten'); // a node
   * tree.insert(10, 'again'); // NIL
   */
  insert(this: AvlTree<K, undefined>, key: K): number;
  insert(key: K, value: V): number;
  insert(key: K, value?: V): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    let parent = NIL;
    let order = 0;
    while (node !== NIL) {
      order = compare(key, keys[node - 1] as K);
      if (order === 0) return NIL;
      parent = node;
      node = links[(node << 2) + (order < 0 ? LEFT : RIGHT)]!;
    }
    return this.#attach(parent, order < 0, key, value);
  }

  /**
   * Removes `key`; true when it was present. O(log n).
   *
   * @example
   * tree.delete(10); // true
   * tree.delete(10); // false
   */
  delete(key: K): boolean {
    const node = this.find(key);
    if (node === NIL) return false;
    this.#detach(node);
    return true;
  }

  /**
   * The first node whose key is >= `key`, or NIL when every key is smaller. O(log n).
   *
   * @example
   * tree.key(tree.lowerBound(7)); // the smallest key >= 7
   * tree.prev(tree.lowerBound(7)); // the largest key < 7 (last() when lowerBound is NIL)
   */
  lowerBound(key: K): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    let found = NIL;
    while (node !== NIL) {
      if (compare(key, keys[node - 1] as K) <= 0) {
        found = node;
        node = links[node << 2]!;
      } else {
        node = links[(node << 2) + RIGHT]!;
      }
    }
    return found;
  }

  /**
   * The first node whose key is > `key`, or NIL when no key is larger. O(log n).
   *
   * @example
   * tree.key(tree.upperBound(7)); // the smallest key > 7
   * tree.prev(tree.upperBound(7)); // the largest key <= 7
   */
  upperBound(key: K): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    let found = NIL;
    while (node !== NIL) {
      if (compare(key, keys[node - 1] as K) < 0) {
        found = node;
        node = links[node << 2]!;
      } else {
        node = links[(node << 2) + RIGHT]!;
      }
    }
    return found;
  }

  /**
   * The 0-based position of `key`, or -1 when absent: `rank(find(key))` in one descent.
   * O(log n).
   *
   * @example
   * tree.indexOf(tree.key(tree.at(3))); // 3
   */
  indexOf(key: K): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    let before = 0;
    while (node !== NIL) {
      const order = compare(key, keys[node - 1] as K);
      const left = links[node << 2]!;
      if (order < 0) {
        node = left;
      } else {
        const leftSize = links[(left << 2) + SIZE]!;
        if (order === 0) return before + leftSize;
        before += leftSize + 1;
        node = links[(node << 2) + RIGHT]!;
      }
    }
    return -1;
  }

  /**
   * The number of keys `< key`, or `<= key` when `inclusive`: counting a range takes two of
   * these, never a walk. One descent, O(log n).
   *
   * @example
   * tree.countBelow(20) - tree.countBelow(10); // keys in [10, 20)
   * tree.countBelow(20, true) - tree.countBelow(10, true); // keys in (10, 20]
   */
  countBelow(key: K, inclusive = false): number {
    const links = this.#links;
    const keys = this.#keys;
    const compare = this.#compare;
    let node = this.#root;
    let count = 0;
    while (node !== NIL) {
      const order = compare(key, keys[node - 1] as K);
      if (order < 0 || (order === 0 && !inclusive)) {
        node = links[node << 2]!;
      } else {
        count += links[(links[node << 2]! << 2) + SIZE]! + 1;
        node = links[(node << 2) + RIGHT]!;
      }
    }
    return count;
  }

  // ---------------------------------------------------------------------------------------
  // Node operations

  /**
   * Removes the entry at `node`. Other handles stay valid (the successor is relinked into the
   * node's place, not copied). O(log n).
   *
   * @throws AvlInvalidNodeError when `node` is not a live node
   * @example
   * tree.deleteNode(tree.first()); // pop the minimum
   */
  deleteNode(node: number): void {
    this.#assertLive(node);
    this.#detach(node);
  }

  /**
   * Inserts an entry immediately before `node` in order (at the end when `node` is NIL),
   * without consulting the comparator: the caller guarantees the order, as the book's zset
   * does after its own descent. Returns the new node. O(log n).
   *
   * @throws AvlInvalidNodeError when `node` is neither NIL nor a live node
   * @example
   * tree.insertBefore(tree.lowerBound(key), key, value); // same as insert() for a new key
   */
  insertBefore(this: AvlTree<K, undefined>, node: number, key: K): number;
  insertBefore(node: number, key: K, value: V): number;
  insertBefore(node: number, key: K, value?: V): number {
    if (node === NIL) {
      const last = this.last();
      return this.#attach(last, false, key, value);
    }
    this.#assertLive(node);
    const links = this.#links;
    let child = links[node << 2]!;
    if (child === NIL) return this.#attach(node, true, key, value);
    // the rightmost node of the left subtree has a free right slot and precedes `node`
    for (
      let right = links[(child << 2) + RIGHT]!;
      right !== NIL;
      right = links[(right << 2) + RIGHT]!
    ) {
      child = right;
    }
    return this.#attach(child, false, key, value);
  }

  /** The node with the smallest key, or NIL. O(log n). @example tree.key(tree.first()); */
  first(): number {
    const links = this.#links;
    let node = this.#root;
    if (node === NIL) return NIL;
    for (let left = links[node << 2]!; left !== NIL; left = links[left << 2]!) node = left;
    return node;
  }

  /** The node with the largest key, or NIL. O(log n). @example tree.key(tree.last()); */
  last(): number {
    const links = this.#links;
    let node = this.#root;
    if (node === NIL) return NIL;
    for (let right = links[(node << 2) + RIGHT]!; right !== NIL;) {
      node = right;
      right = links[(node << 2) + RIGHT]!;
    }
    return node;
  }

  /**
   * The in-order successor of `node`; NIL after the last node; `next(NIL)` is `first()`.
   * O(log n) worst case, O(1) amortised over an iteration.
   *
   * @example
   * for (let n = tree.first(); n !== NIL; n = tree.next(n)) console.log(tree.key(n));
   */
  next(node: number): number {
    if (node === NIL) return this.first();
    const links = this.#links;
    let child = links[(node << 2) + RIGHT]!;
    if (child !== NIL) {
      for (let left = links[child << 2]!; left !== NIL; left = links[left << 2]!) child = left;
      return child;
    }
    let parent = links[(node << 2) + PARENT]!;
    while (parent !== NIL && links[(parent << 2) + RIGHT] === node) {
      node = parent;
      parent = links[(node << 2) + PARENT]!;
    }
    return parent;
  }

  /**
   * The in-order predecessor of `node`; NIL before the first node; `prev(NIL)` is `last()`.
   * O(log n) worst case, O(1) amortised over an iteration.
   *
   * @example
   * for (let n = tree.last(); n !== NIL; n = tree.prev(n)) console.log(tree.key(n));
   */
  prev(node: number): number {
    if (node === NIL) return this.last();
    const links = this.#links;
    let child = links[node << 2]!;
    if (child !== NIL) {
      for (let right = links[(child << 2) + RIGHT]!; right !== NIL;) {
        child = right;
        right = links[(child << 2) + RIGHT]!;
      }
      return child;
    }
    let parent = links[(node << 2) + PARENT]!;
    while (parent !== NIL && links[parent << 2] === node) {
      node = parent;
      parent = links[(node << 2) + PARENT]!;
    }
    return parent;
  }

  /**
   * The 0-based position of `node` in key order; `rank(NIL)` is `size` (the end). O(log n).
   *
   * @throws AvlInvalidNodeError when `node` is neither NIL nor a live node
   * @example
   * tree.rank(tree.first()); // 0
   */
  rank(node: number): number {
    if (node === NIL) return this.#size;
    this.#assertLive(node);
    const links = this.#links;
    let rank = links[(links[node << 2]! << 2) + SIZE]!;
    for (let parent = links[(node << 2) + PARENT]!; parent !== NIL;) {
      if (links[(parent << 2) + RIGHT] === node)
        rank += links[(links[parent << 2]! << 2) + SIZE]! + 1;
      node = parent;
      parent = links[(node << 2) + PARENT]!;
    }
    return rank;
  }

  /**
   * The node at 0-based position `index` in key order; a negative index counts from the end
   * (`at(-1)` is the last node); NIL when out of range. O(log n).
   *
   * @example
   * tree.key(tree.at(0)); // the smallest key
   * tree.key(tree.at(-1)); // the largest key
   */
  at(index: number): number {
    if (index < 0) index += this.#size;
    if (!(index >= 0 && index < this.#size)) return NIL;
    index = Math.floor(index);
    const links = this.#links;
    let node = this.#root;
    while (node !== NIL) {
      const leftSize = links[(links[node << 2]! << 2) + SIZE]!;
      if (index < leftSize) {
        node = links[node << 2]!;
      } else if (index === leftSize) {
        return node;
      } else {
        index -= leftSize + 1;
        node = links[(node << 2) + RIGHT]!;
      }
    }
    return NIL;
  }

  /**
   * The node `k` places after `node` in key order (before it when `k` is negative), or NIL when
   * that falls outside the tree: the book's `avl_offset`, which walks up and down from `node`
   * using subtree sizes. `offset(NIL, k)` counts from the end position (`offset(NIL, -1)` is
   * the last node). O(log n).
   *
   * @throws AvlInvalidNodeError when `node` is neither NIL nor a live node
   * @example
   * tree.offset(tree.find(10), 100); // the node 100 places after key 10
   */
  offset(node: number, k: number): number {
    if (node === NIL) {
      const index = this.#size + k;
      return k < 0 && index >= 0 ? this.at(index) : NIL;
    }
    this.#assertLive(node);
    if (k !== Math.floor(k)) return NIL;
    const links = this.#links;
    // `position` is the rank of `node` relative to the starting node
    let position = 0;
    while (position !== k) {
      const i = node << 2;
      if (position < k && position + links[(links[i + RIGHT]! << 2) + SIZE]! >= k) {
        // the target is inside the right subtree
        node = links[i + RIGHT]!;
        position += links[(links[node << 2]! << 2) + SIZE]! + 1;
      } else if (position > k && position - links[(links[i]! << 2) + SIZE]! <= k) {
        // the target is inside the left subtree
        node = links[i]!;
        position -= links[(links[(node << 2) + RIGHT]! << 2) + SIZE]! + 1;
      } else {
        // go to the parent
        const parent = links[i + PARENT]!;
        if (parent === NIL) return NIL;
        if (links[(parent << 2) + RIGHT] === node) {
          position -= links[(links[i]! << 2) + SIZE]! + 1;
        } else {
          position += links[(links[i + RIGHT]! << 2) + SIZE]! + 1;
        }
        node = parent;
      }
    }
    return node;
  }

  // ---------------------------------------------------------------------------------------
  // Iteration

  /**
   * Node handles in key order from `from` (default: the first node), or in reverse order from
   * `from` (default: the last node) when `reverse` is true. Deleting the node just yielded is
   * allowed; other changes during the iteration are not. O(1) amortised per step.
   *
   * @example
   * for (const node of tree.nodes(tree.lowerBound(5))) console.log(tree.key(node));
   * for (const node of tree.nodes(NIL, true)) console.log(tree.key(node)); // largest first
   */
  *nodes(from: number = NIL, reverse = false): IterableIterator<number> {
    let node = from === NIL ? (reverse ? this.last() : this.first()) : from;
    if (node !== NIL) this.#assertLive(node);
    while (node !== NIL) {
      const following = reverse ? this.prev(node) : this.next(node);
      yield node;
      node = following;
    }
  }

  /**
   * `[key, value]` pairs in key order (or reverse), from `from` as in {@link AvlTree.nodes}.
   * O(1) amortised per step.
   *
   * @example
   * for (const [key, value] of tree.entries()) console.log(key, value);
   */
  *entries(from: number = NIL, reverse = false): IterableIterator<[K, V]> {
    for (const node of this.nodes(from, reverse)) {
      yield [this.#keys[node - 1] as K, this.#values[node - 1] as V];
    }
  }

  /** Keys in order (or reverse) from `from`. @example [...tree.keys()]; // sorted keys */
  *keys(from: number = NIL, reverse = false): IterableIterator<K> {
    for (const node of this.nodes(from, reverse)) yield this.#keys[node - 1] as K;
  }

  /** Values in key order (or reverse) from `from`. @example [...tree.values()]; */
  *values(from: number = NIL, reverse = false): IterableIterator<V> {
    for (const node of this.nodes(from, reverse)) yield this.#values[node - 1] as V;
  }

  /** Same as {@link AvlTree.entries}. @example new Map(tree); */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /**
   * Calls `visitor(key, value, node)` in key order (or reverse) from `from`, without
   * allocating; stops early when the visitor returns `false`. Returns the number of calls.
   * Deleting the visited node inside the visitor is allowed. O(1) amortised per step.
   *
   * @example
   * tree.forEach((key, value) => { console.log(key, value); });
   */
  forEach(
    visitor: (key: K, value: V, node: number) => boolean | void,
    from: number = NIL,
    reverse = false,
  ): number {
    let node = from === NIL ? (reverse ? this.last() : this.first()) : from;
    if (node !== NIL) this.#assertLive(node);
    let calls = 0;
    while (node !== NIL) {
      const following = reverse ? this.prev(node) : this.next(node);
      calls++;
      if (visitor(this.#keys[node - 1] as K, this.#values[node - 1] as V, node) === false) break;
      node = following;
    }
    return calls;
  }

  /**
   * Removes every entry; capacity is kept. O(n) (references to keys and values are released).
   *
   * @example
   * tree.clear();
   * tree.size; // 0
   */
  clear(): void {
    this.#root = NIL;
    this.#size = 0;
    this.#fresh = 1;
    this.#freeHead = NIL;
    this.#keys.length = 0;
    this.#values.length = 0;
    this.#heights.fill(0);
  }

  /**
   * Verifies every structural invariant and throws {@link AvlInvariantError} on the first
   * violation: parent links, AVL balance (|height(left) - height(right)| <= 1), stored heights
   * and subtree sizes, strictly increasing keys under the comparator, the entry count, and the
   * free list. For tests. O(n), no recursion.
   *
   * @example
   * tree.checkInvariants(); // throws when broken
   */
  checkInvariants(): void {
    const links = this.#links;
    const heights = this.#heights;
    const fail = (message: string): never => {
      throw new AvlInvariantError(message);
    };
    if (heights[NIL] !== 0 || links[SIZE] !== 0 || links[LEFT] !== 0 || links[RIGHT] !== 0) {
      fail('the NIL sentinel was written to');
    }
    if (this.#root !== NIL && links[(this.#root << 2) + PARENT] !== NIL) {
      fail(`root ${this.#root} has a parent`);
    }
    if (links[(this.#root << 2) + SIZE] !== this.#size) {
      fail(`root size ${links[(this.#root << 2) + SIZE]} != size ${this.#size}`);
    }
    let count = 0;
    let previous = NIL;
    for (let node = this.first(); node !== NIL; node = this.next(node)) {
      if (++count > this.#size) fail('more nodes reachable than size');
      if (!this.isLive(node)) fail(`reachable node ${node} is not live`);
      const i = node << 2;
      const left = links[i + LEFT]!;
      const right = links[i + RIGHT]!;
      if (left !== NIL && links[(left << 2) + PARENT] !== node) fail(`bad parent of ${left}`);
      if (right !== NIL && links[(right << 2) + PARENT] !== node) fail(`bad parent of ${right}`);
      const leftHeight = heights[left]!;
      const rightHeight = heights[right]!;
      if (heights[node] !== Math.max(leftHeight, rightHeight) + 1) {
        fail(`node ${node}: height ${heights[node]} != 1 + max(${leftHeight}, ${rightHeight})`);
      }
      if (Math.abs(leftHeight - rightHeight) > 1) {
        fail(`node ${node} unbalanced: heights ${leftHeight} and ${rightHeight}`);
      }
      const expectedSize = links[(left << 2) + SIZE]! + links[(right << 2) + SIZE]! + 1;
      if (links[i + SIZE] !== expectedSize) {
        fail(`node ${node}: size ${links[i + SIZE]} != ${expectedSize}`);
      }
      if (
        previous !== NIL &&
        !(this.#compare(this.#keys[previous - 1] as K, this.#keys[node - 1] as K) < 0)
      ) {
        fail(`keys out of order at node ${node}`);
      }
      previous = node;
    }
    if (count !== this.#size) fail(`${count} nodes reachable, size is ${this.#size}`);
    let free = 0;
    for (let node = this.#freeHead; node !== NIL; node = links[node << 2]!) {
      if (++free > this.#fresh) fail('the free list has a cycle');
      if (heights[node] !== 0) fail(`free node ${node} is marked live`);
    }
    if (count + free !== this.#fresh - 1) {
      fail(`${count} live + ${free} free != ${this.#fresh - 1} allocated`);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Internals

  #assertLive(node: number): void {
    if (!(node > 0 && node < this.#fresh && this.#heights[node] !== 0)) {
      throw new AvlInvalidNodeError(node);
    }
  }

  /** Allocates a node, links it under `parent` (or as the root) and rebalances. */
  #attach(parent: number, toLeft: boolean, key: K, value: V | undefined): number {
    let node = this.#freeHead;
    if (node !== NIL) {
      this.#freeHead = this.#links[node << 2]!;
      this.#keys[node - 1] = key;
      this.#values[node - 1] = value;
    } else {
      node = this.#fresh;
      if (node > this.#capacity) this.#grow();
      this.#fresh = node + 1;
      this.#keys.push(key);
      this.#values.push(value);
    }
    const links = this.#links;
    const i = node << 2;
    links[i] = NIL;
    links[i + RIGHT] = NIL;
    links[i + PARENT] = parent;
    links[i + SIZE] = 1;
    this.#heights[node] = 1;
    this.#size++;
    if (parent === NIL) {
      this.#root = node;
    } else {
      links[(parent << 2) + (toLeft ? LEFT : RIGHT)] = node;
      this.#rebalanceUp(parent, 1);
    }
    return node;
  }

  #grow(): void {
    const capacity = this.#capacity;
    if (capacity >= MAX_NODES)
      throw new AvlCapacityError(`a tree holds at most ${MAX_NODES} nodes`);
    const next = Math.min(MAX_NODES, capacity * 2);
    try {
      const links = new Int32Array((next + 1) * 4);
      links.set(this.#links);
      const heights = new Uint8Array(next + 1);
      heights.set(this.#heights);
      this.#links = links;
      this.#heights = heights;
      this.#capacity = next;
    } catch (error) {
      throw new AvlCapacityError(`cannot grow the tree to ${next} nodes`, { cause: error });
    }
  }

  /** Unlinks `node` (live), rebalances, and puts it on the free list. */
  #detach(node: number): void {
    const links = this.#links;
    const heights = this.#heights;
    const i = node << 2;
    const left = links[i]!;
    const right = links[i + RIGHT]!;
    const parent = links[i + PARENT]!;
    let fixFrom: number;
    if (left === NIL || right === NIL) {
      // at most one child: it takes the node's place
      const child = left === NIL ? right : left;
      if (child !== NIL) links[(child << 2) + PARENT] = parent;
      this.#replaceChild(parent, node, child);
      fixFrom = parent;
    } else {
      // two children: the successor (leftmost of the right subtree) takes the node's place,
      // relinked rather than copied so that every other handle keeps naming its entry
      let successor = right;
      for (let l = links[successor << 2]!; l !== NIL; l = links[l << 2]!) successor = l;
      const s = successor << 2;
      if (successor === right) {
        fixFrom = successor;
      } else {
        const successorParent = links[s + PARENT]!;
        const successorRight = links[s + RIGHT]!;
        links[successorParent << 2] = successorRight;
        if (successorRight !== NIL) links[(successorRight << 2) + PARENT] = successorParent;
        links[s + RIGHT] = right;
        links[(right << 2) + PARENT] = successor;
        fixFrom = successorParent;
      }
      links[s] = left;
      links[(left << 2) + PARENT] = successor;
      links[s + PARENT] = parent;
      this.#replaceChild(parent, node, successor);
      // the successor inherits the old height and size of the position, so the bottom-up fix
      // sees the position's height change exactly as if the node itself had shrunk
      heights[successor] = heights[node]!;
      links[s + SIZE] = links[i + SIZE]!;
    }
    this.#size--;
    if (fixFrom !== NIL) this.#rebalanceUp(fixFrom, -1);
    // free the slot; numbers are left in place so an all-number column keeps V8's unboxed
    // double storage, anything else is released for the garbage collector
    heights[node] = 0;
    links[i] = this.#freeHead;
    links[i + RIGHT] = NIL;
    links[i + PARENT] = NIL;
    links[i + SIZE] = 0;
    this.#freeHead = node;
    if (typeof this.#keys[node - 1] !== 'number') this.#keys[node - 1] = undefined;
    if (typeof this.#values[node - 1] !== 'number') this.#values[node - 1] = undefined;
  }

  #replaceChild(parent: number, oldChild: number, newChild: number): void {
    if (parent === NIL) {
      this.#root = newChild;
    } else {
      const p = parent << 2;
      if (this.#links[p] === oldChild) this.#links[p] = newChild;
      else this.#links[p + RIGHT] = newChild;
    }
  }

  /**
   * The book's avl_fix, bottom-up from `node` after one entry was added (`delta` 1) or removed
   * (-1) below it: recompute heights and sizes, rotating where unbalanced. Once a subtree's
   * height comes out unchanged, no ancestor can be unbalanced by this change, so the rest of
   * the way to the root only adjusts sizes by `delta`.
   */
  #rebalanceUp(node: number, delta: number): void {
    const links = this.#links;
    const heights = this.#heights;
    while (node !== NIL) {
      const oldHeight = heights[node];
      const top = this.#rebalance(node);
      let parent = links[(top << 2) + PARENT]!;
      if (heights[top] === oldHeight) {
        while (parent !== NIL) {
          const p = parent << 2;
          links[p + SIZE] = links[p + SIZE]! + delta;
          parent = links[p + PARENT]!;
        }
        return;
      }
      node = parent;
    }
  }

  /** Restores balance at `node` whose children are balanced; returns the subtree's new root. */
  #rebalance(node: number): number {
    const links = this.#links;
    const heights = this.#heights;
    const i = node << 2;
    const left = links[i]!;
    const right = links[i + RIGHT]!;
    const leftHeight = heights[left]!;
    const rightHeight = heights[right]!;
    if (leftHeight > rightHeight + 1) {
      if (heights[links[left << 2]!]! < heights[links[(left << 2) + RIGHT]!]!) {
        this.#rotateLeft(left);
      }
      return this.#rotateRight(node);
    }
    if (rightHeight > leftHeight + 1) {
      if (heights[links[(right << 2) + RIGHT]!]! < heights[links[right << 2]!]!) {
        this.#rotateRight(right);
      }
      return this.#rotateLeft(node);
    }
    heights[node] = (leftHeight > rightHeight ? leftHeight : rightHeight) + 1;
    links[i + SIZE] = links[(left << 2) + SIZE]! + links[(right << 2) + SIZE]! + 1;
    return node;
  }

  /**
   *     x              y
   *    / \            / \
   *   a   y    ->    x   c
   *      / \        / \
   *     b   c      a   b
   */
  #rotateLeft(x: number): number {
    const links = this.#links;
    const heights = this.#heights;
    const xi = x << 2;
    const y = links[xi + RIGHT]!;
    const yi = y << 2;
    const b = links[yi]!;
    const parent = links[xi + PARENT]!;
    links[xi + RIGHT] = b;
    if (b !== NIL) links[(b << 2) + PARENT] = x;
    links[yi] = x;
    links[xi + PARENT] = y;
    links[yi + PARENT] = parent;
    this.#replaceChild(parent, x, y);
    const a = links[xi]!;
    const heightA = heights[a]!;
    const heightB = heights[b]!;
    const heightX = (heightA > heightB ? heightA : heightB) + 1;
    heights[x] = heightX;
    const sizeX = links[(a << 2) + SIZE]! + links[(b << 2) + SIZE]! + 1;
    links[xi + SIZE] = sizeX;
    const c = links[yi + RIGHT]!;
    const heightC = heights[c]!;
    heights[y] = (heightX > heightC ? heightX : heightC) + 1;
    links[yi + SIZE] = sizeX + links[(c << 2) + SIZE]! + 1;
    return y;
  }

  /**
   *       x          y
   *      / \        / \
   *     y   c  ->  a   x
   *    / \            / \
   *   a   b          b   c
   */
  #rotateRight(x: number): number {
    const links = this.#links;
    const heights = this.#heights;
    const xi = x << 2;
    const y = links[xi]!;
    const yi = y << 2;
    const b = links[yi + RIGHT]!;
    const parent = links[xi + PARENT]!;
    links[xi] = b;
    if (b !== NIL) links[(b << 2) + PARENT] = x;
    links[yi + RIGHT] = x;
    links[xi + PARENT] = y;
    links[yi + PARENT] = parent;
    this.#replaceChild(parent, x, y);
    const c = links[xi + RIGHT]!;
    const heightB = heights[b]!;
    const heightC = heights[c]!;
    const heightX = (heightB > heightC ? heightB : heightC) + 1;
    heights[x] = heightX;
    const sizeX = links[(b << 2) + SIZE]! + links[(c << 2) + SIZE]! + 1;
    links[xi + SIZE] = sizeX;
    const a = links[yi]!;
    const heightA = heights[a]!;
    heights[y] = (heightA > heightX ? heightA : heightX) + 1;
    links[yi + SIZE] = sizeX + links[(a << 2) + SIZE]! + 1;
    return y;
  }
}
