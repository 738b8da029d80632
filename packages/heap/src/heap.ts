/**
 * Heap: an indexed binary min-heap ordered by a comparator, the general form.
 *
 * Layout (n = size):
 *
 *     by heap position 0..n-1                by slot (what a handle names): see SlotTable
 *     items:  T[]         [i0 i1 i2 ...]     position, generation, free stack
 *     slotAt: Int32Array  [s0 s1 s2 ...]
 *
 * `items` is a plain array of length n, grown with push and shrunk with pop (never holed or
 * padded with undefined), so V8 keeps numbers unboxed in it. Items move with their position
 * (the comparator needs them side by side); the handle index (slot -> position) is lazy (see
 * SlotTable). Two children per node: with a comparator call per comparison, a 4-ary layout
 * (three calls per level) measured slower than a binary one, unlike NumericHeap whose keys are
 * compared inline. Once indexed, pop and remove refill bottom-up (Floyd), about half the
 * comparator calls of a plain sift-down; without the index, pop is a plain sift-down written out
 * in full (fewer instructions with cheap comparators). The sift loops are written out by hand.
 */
import { HeapInvariantError, StaleHandleError } from './errors.js';
import {
  type HeapHandle,
  MAX_GENERATION,
  growInt32,
  initialCapacity,
  makeHandle,
  nextCapacity,
} from './handle.js';
import { SlotTable } from './slot-table.js';

/** The cold path, kept out of `update` so that V8 still inlines it. */
function staleHandle(handle: number): never {
  throw new StaleHandleError(handle);
}

/**
 * Orders two items: negative when `a` comes first, positive when `b` does, 0 when equal.
 * It must be a consistent total order (as for `Array.prototype.sort`).
 *
 * @example
 * ```ts
 * const byDeadline: Comparator<Job> = (a, b) => a.deadline - b.deadline;
 * ```
 */
export type Comparator<T> = (a: T, b: T) => number;

/** Options of {@link Heap}. */
export interface HeapOptions {
  /** Items the heap holds before it first grows its arrays (at most 2^30). Default 16. */
  readonly initialCapacity?: number;
}

/**
 * An indexed min-heap of items ordered by a comparator: `push` returns a handle through which the
 * item can later be replaced or re-ordered (`update`) or removed (`remove`) in O(log n).
 * Items that compare equal come out in no particular order.
 *
 * @typeParam T - the item type
 *
 * @example
 * ```ts
 * const jobs = new Heap<{ name: string; priority: number }>((a, b) => a.priority - b.priority);
 * const report = jobs.push({ name: 'report', priority: 5 });
 * jobs.push({ name: 'email', priority: 3 });
 * jobs.update(report, { name: 'report', priority: 1 });
 * jobs.pop()?.name; // 'report'
 * ```
 */
export class Heap<T> {
  readonly #compare: Comparator<T>;
  readonly #items: T[] = [];
  #slotAt: Int32Array;
  readonly #slots: SlotTable;

  /**
   * Creates an empty heap ordered by `compare`. O(capacity).
   *
   * @throws {CapacityError} when `initialCapacity` is above 2^30
   * @example
   * ```ts
   * const heap = new Heap<number>((a, b) => a - b);
   * ```
   */
  constructor(compare: Comparator<T>, options: HeapOptions = {}) {
    const capacity = initialCapacity(options.initialCapacity);
    this.#compare = compare;
    this.#slotAt = new Int32Array(capacity);
    this.#slots = new SlotTable(capacity);
  }

  /**
   * The number of items. O(1).
   *
   * @example
   * ```ts
   * while (heap.size > 0) heap.pop();
   * ```
   */
  get size(): number {
    return this.#items.length;
  }

  /**
   * Adds `item` and returns its handle. O(log n) comparisons, amortised over array growth.
   *
   * @example
   * ```ts
   * const handle = heap.push({ deadline: 10 });
   * ```
   */
  push(item: T): HeapHandle {
    // Hot path, written out in full: calls to shared helpers measured ~15% more instructions
    // (V8 stops inlining the nested calls of a push inside a caller's loop).
    const items = this.#items;
    let at = items.length;
    if (at === this.#slotAt.length) this.#grow();
    const slots = this.#slots;
    let slot: number;
    if (slots.freeCount > 0) {
      slot = slots.free[--slots.freeCount]!;
      const generation = slots.generation[slot]!;
      slots.generation[slot] = generation === MAX_GENERATION ? 0 : generation + 1;
    } else {
      slot = slots.slotCount++;
    }
    items.push(item);
    if (slots.indexed) {
      this.#siftUp(at, item, slot);
    } else {
      const compare = this.#compare;
      const slotAt = this.#slotAt;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        const parentItem = items[parent]!;
        if (compare(item, parentItem) >= 0) break;
        items[at] = parentItem;
        slotAt[at] = slotAt[parent]!;
        at = parent;
      }
      items[at] = item;
      slotAt[at] = slot;
    }
    return makeHandle(slot, slots.generation[slot]!);
  }

  /**
   * The smallest item, or undefined when empty. O(1).
   *
   * @example
   * ```ts
   * const next = heap.peek();
   * ```
   */
  peek(): T | undefined {
    return this.#items.length === 0 ? undefined : this.#items[0];
  }

  /**
   * The handle of the smallest item, or undefined when empty. O(1).
   *
   * @example
   * ```ts
   * const first = heap.peekHandle();
   * ```
   */
  peekHandle(): HeapHandle | undefined {
    return this.#items.length === 0 ? undefined : this.#slots.handleOf(this.#slotAt[0]!);
  }

  /**
   * Removes and returns the smallest item (undefined when empty); its handle becomes stale.
   * O(log n) comparisons.
   *
   * @example
   * ```ts
   * const next = heap.pop();
   * ```
   */
  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    slots.free[slots.freeCount++] = slotAt[0]!;
    const size = items.length - 1;
    const item = items.pop() as T;
    if (size === 0) return top;
    const slot = slotAt[size]!;
    if (slots.indexed) {
      this.#refill(0, item, slot, size);
      return top;
    }
    // Hot path without the index, written out in full like push.
    const compare = this.#compare;
    let at = 0;
    for (;;) {
      const first = (at << 1) + 1;
      if (first >= size) break;
      let best = first;
      let bestItem = items[first]!;
      if (first + 1 < size) {
        const second = items[first + 1]!;
        if (compare(second, bestItem) < 0) {
          best = first + 1;
          bestItem = second;
        }
      }
      if (compare(bestItem, item) >= 0) break;
      items[at] = bestItem;
      slotAt[at] = slotAt[best]!;
      at = best;
    }
    items[at] = item;
    slotAt[at] = slot;
    return top;
  }

  /**
   * True when `handle` names an item still in the heap. O(1) (O(n) once, the first time a
   * handle is looked up: see the README).
   *
   * @example
   * ```ts
   * if (heap.has(handle)) heap.remove(handle);
   * ```
   */
  has(handle: HeapHandle): boolean {
    return this.#slots.positionOf(handle, this.#slotAt, this.#items.length) >= 0;
  }

  /**
   * The item `handle` names, or undefined when the handle is stale. O(1).
   *
   * @example
   * ```ts
   * const job = heap.get(handle);
   * ```
   */
  get(handle: HeapHandle): T | undefined {
    const at = this.#slots.positionOf(handle, this.#slotAt, this.#items.length);
    return at >= 0 ? this.#items[at] : undefined;
  }

  /**
   * Replaces the item `handle` names with `item` (or, without `item`, re-orders the current one
   * after its fields changed) and restores the heap order. The handle stays valid. O(log n).
   *
   * @throws {StaleHandleError} when the item is no longer in the heap
   * @example
   * ```ts
   * heap.update(handle, { ...job, priority: 0 });
   * job.priority = 0; heap.update(handle); // same, mutating in place
   * ```
   */
  update(handle: HeapHandle, ...item: [] | [T]): void {
    const items = this.#items;
    const at = this.#slots.positionOf(handle, this.#slotAt, items.length);
    if (at < 0) staleHandle(handle);
    const next = item.length === 0 ? items[at]! : item[0];
    const slot = this.#slotAt[at]!;
    if (at > 0 && this.#compare(next, items[(at - 1) >> 1]!) < 0) {
      this.#siftUp(at, next, slot);
    } else {
      this.#siftDown(at, next, slot, items.length);
    }
  }

  /**
   * Removes the item `handle` names. Returns false (and does nothing) when the handle is
   * already stale, so removing twice is harmless. O(log n).
   *
   * @example
   * ```ts
   * heap.remove(handle);
   * ```
   */
  remove(handle: HeapHandle): boolean {
    const items = this.#items;
    const at = this.#slots.positionOf(handle, this.#slotAt, items.length);
    if (at < 0) return false;
    this.#slots.release(this.#slotAt[at]!);
    const last = items.length - 1;
    const lastItem = items.pop() as T;
    if (at !== last) this.#refill(at, lastItem, this.#slotAt[last]!, last);
    return true;
  }

  /**
   * Removes every item; all handles become stale. Keeps the allocated capacity. O(n).
   *
   * @example
   * ```ts
   * heap.clear();
   * ```
   */
  clear(): void {
    this.#slots.releaseAll(this.#slotAt, this.#items.length);
    this.#items.length = 0;
  }

  /**
   * Verifies the heap order (with the comparator), the handle index and the free list, throwing
   * {@link HeapInvariantError} at the first inconsistency. For tests. O(capacity).
   *
   * @example
   * ```ts
   * heap.checkInvariants();
   * ```
   */
  checkInvariants(): void {
    const items = this.#items;
    for (let at = 1; at < items.length; at++) {
      if (this.#compare(items[at]!, items[(at - 1) >> 1]!) < 0) {
        throw new HeapInvariantError(`item at ${at} is smaller than its parent`);
      }
    }
    const problem = this.#slots.problem(this.#slotAt, items.length);
    if (problem !== undefined) throw new HeapInvariantError(problem);
  }

  #grow(): void {
    const capacity = nextCapacity(this.#slotAt.length);
    this.#slotAt = growInt32(this.#slotAt, capacity, 0);
    this.#slots.grow(capacity);
  }

  /** Moves (item, slot) from position `at` towards the root while its parent is larger. */
  #siftUp(at: number, item: T, slot: number): void {
    const compare = this.#compare;
    const items = this.#items;
    const slotAt = this.#slotAt;
    const position = this.#slots.position;
    const indexed = this.#slots.indexed;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const parentItem = items[parent]!;
      if (compare(item, parentItem) >= 0) break;
      const parentSlot = slotAt[parent]!;
      items[at] = parentItem;
      slotAt[at] = parentSlot;
      if (indexed) position[parentSlot] = at;
      at = parent;
    }
    items[at] = item;
    slotAt[at] = slot;
    if (indexed) position[slot] = at;
  }

  /**
   * Fills the hole at `at` left by a pop or remove with the former last item, bottom-up (Floyd):
   * the hole sinks to a leaf along the smaller children, then the item sifts up from there (past
   * `at` when it is smaller than the hole's ancestors). One comparator call per level on the way
   * down instead of two; the last item usually belongs near the bottom, so the way up is short.
   */
  #refill(at: number, item: T, slot: number, size: number): void {
    const compare = this.#compare;
    const items = this.#items;
    const slotAt = this.#slotAt;
    const position = this.#slots.position;
    const indexed = this.#slots.indexed;
    for (;;) {
      const first = (at << 1) + 1;
      if (first >= size) break;
      let best = first;
      let bestItem = items[first]!;
      if (first + 1 < size) {
        const second = items[first + 1]!;
        if (compare(second, bestItem) < 0) {
          best = first + 1;
          bestItem = second;
        }
      }
      const bestSlot = slotAt[best]!;
      items[at] = bestItem;
      slotAt[at] = bestSlot;
      if (indexed) position[bestSlot] = at;
      at = best;
    }
    this.#siftUp(at, item, slot);
  }

  /** Moves (item, slot) from position `at` towards the leaves of a heap of `size` items. */
  #siftDown(at: number, item: T, slot: number, size: number): void {
    const compare = this.#compare;
    const items = this.#items;
    const slotAt = this.#slotAt;
    const position = this.#slots.position;
    const indexed = this.#slots.indexed;
    for (;;) {
      const first = (at << 1) + 1;
      if (first >= size) break;
      let best = first;
      let bestItem = items[first]!;
      if (first + 1 < size) {
        const second = items[first + 1]!;
        if (compare(second, bestItem) < 0) {
          best = first + 1;
          bestItem = second;
        }
      }
      if (compare(bestItem, item) >= 0) break;
      const bestSlot = slotAt[best]!;
      items[at] = bestItem;
      slotAt[at] = bestSlot;
      if (indexed) position[bestSlot] = at;
      at = best;
    }
    items[at] = item;
    slotAt[at] = slot;
    if (indexed) position[slot] = at;
  }
}
