/**
 * Heap: an indexed 4-ary min-heap ordered by a comparator, the general form.
 *
 * Layout (n = size, c = capacity):
 *
 *     by heap position 0..n-1          by slot 0..c-1 (what a handle names)
 *     items:  T[]        [i0 i1 ..]     slots: Int32Array [pos0 gen0 pos1 gen1 ..]
 *     slotAt: Int32Array [s0 s1 ..]     free:  Int32Array stack of released slots
 *
 * Items move with their position (the comparator needs them side by side); each move also writes
 * the item's position into its slot entry, so a handle finds its item in O(1). Four children per
 * node: the same number of comparisons as a binary heap on the way down, half the moves. The sift
 * loops are written out by hand for speed.
 */
import { HeapInvariantError, StaleHandleError } from './errors.js';
import {
  type HeapHandle,
  growInt32,
  initialCapacity,
  liveSlotIndex,
  makeHandle,
  nextCapacity,
  retireSlot,
} from './handle.js';

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
  #items: (T | undefined)[];
  #slotAt: Int32Array;
  #slots: Int32Array;
  #free: Int32Array;
  #freeCount = 0;
  #slotCount = 0;
  #size = 0;

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
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
    this.#slotAt = new Int32Array(capacity);
    this.#slots = new Int32Array(capacity * 2).fill(-1);
    this.#free = new Int32Array(capacity);
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
    return this.#size;
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
    if (this.#size === this.#slotAt.length) this.#grow();
    let slot: number;
    let generation: number;
    if (this.#freeCount > 0) {
      slot = this.#free[--this.#freeCount]!;
      generation = this.#slots[(slot << 1) + 1]!;
    } else {
      slot = this.#slotCount++;
      generation = 0;
      this.#slots[(slot << 1) + 1] = 0;
    }
    this.#siftUp(this.#size++, item, slot);
    return makeHandle(slot, generation);
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
    return this.#size === 0 ? undefined : this.#items[0];
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
    if (this.#size === 0) return undefined;
    const slot = this.#slotAt[0]!;
    return makeHandle(slot, this.#slots[(slot << 1) + 1]!);
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
    if (this.#size === 0) return undefined;
    const items = this.#items;
    const top = items[0];
    this.#release(this.#slotAt[0]!);
    const last = --this.#size;
    if (last > 0) this.#siftDown(0, items[last] as T, this.#slotAt[last]!, last);
    items[last] = undefined;
    return top;
  }

  /**
   * True when `handle` names an item still in the heap. O(1).
   *
   * @example
   * ```ts
   * if (heap.has(handle)) heap.remove(handle);
   * ```
   */
  has(handle: HeapHandle): boolean {
    return liveSlotIndex(this.#slots, handle) >= 0;
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
    const index = liveSlotIndex(this.#slots, handle);
    return index >= 0 ? this.#items[this.#slots[index]!] : undefined;
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
    const index = liveSlotIndex(this.#slots, handle);
    if (index < 0) throw new StaleHandleError(handle);
    const at = this.#slots[index]!;
    const next = item.length === 0 ? (this.#items[at] as T) : item[0];
    // Sift up first; if it did not move, the item may belong further down.
    if (at > 0 && this.#compare(next, this.#items[(at - 1) >> 2] as T) < 0) {
      this.#siftUp(at, next, index >> 1);
    } else {
      this.#siftDown(at, next, index >> 1, this.#size);
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
    const index = liveSlotIndex(this.#slots, handle);
    if (index < 0) return false;
    const items = this.#items;
    const at = this.#slots[index]!;
    this.#release(index >> 1);
    const last = --this.#size;
    if (at !== last) {
      const item = items[last] as T;
      const lastSlot = this.#slotAt[last]!;
      if (at > 0 && this.#compare(item, items[(at - 1) >> 2] as T) < 0) {
        this.#siftUp(at, item, lastSlot);
      } else {
        this.#siftDown(at, item, lastSlot, last);
      }
    }
    items[last] = undefined;
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
    const slotAt = this.#slotAt;
    const items = this.#items;
    for (let at = 0; at < this.#size; at++) {
      this.#release(slotAt[at]!);
      items[at] = undefined;
    }
    this.#size = 0;
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
    const size = this.#size;
    const items = this.#items;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    const fail = (message: string): never => {
      throw new HeapInvariantError(message);
    };
    if (this.#slotCount - this.#freeCount !== size) fail('live slot count differs from size');
    for (let at = 0; at < size; at++) {
      if (at > 0 && this.#compare(items[at] as T, items[(at - 1) >> 2] as T) < 0) {
        fail(`item at ${at} is smaller than its parent`);
      }
      const slot = slotAt[at]!;
      if (slot < 0 || slot >= this.#slotCount) fail(`slot ${slot} at ${at} out of range`);
      if (slots[slot << 1] !== at) fail(`slot ${slot} does not point back to ${at}`);
      const handle = makeHandle(slot, slots[(slot << 1) + 1]!);
      if (liveSlotIndex(slots, handle) !== slot << 1) fail(`handle of slot ${slot} is not live`);
    }
    for (let at = size; at < items.length; at++) {
      if (items[at] !== undefined) fail(`position ${at} past the end still holds an item`);
    }
    for (let index = 0; index < this.#freeCount; index++) {
      const slot = this.#free[index]!;
      if (slots[slot << 1] !== -1) fail(`free slot ${slot} still has a position`);
    }
    for (let slot = this.#slotCount; slot < slotAt.length; slot++) {
      if (slots[slot << 1] !== -1) fail(`unused slot ${slot} has a position`);
    }
  }

  /** Frees a slot: retires its handle and pushes it on the free stack. */
  #release(slot: number): void {
    retireSlot(this.#slots, slot << 1);
    this.#free[this.#freeCount++] = slot;
  }

  #grow(): void {
    const capacity = nextCapacity(this.#slotAt.length);
    this.#slotAt = growInt32(this.#slotAt, capacity, 0);
    this.#slots = growInt32(this.#slots, capacity * 2, -1);
    this.#free = growInt32(this.#free, capacity, 0);
    const items = this.#items;
    for (let at = items.length; at < capacity; at++) items.push(undefined);
  }

  /** Moves (item, slot) from position `at` towards the root until its parent is not larger. */
  #siftUp(at: number, item: T, slot: number): void {
    const compare = this.#compare;
    const items = this.#items;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    while (at > 0) {
      const parent = (at - 1) >> 2;
      const parentItem = items[parent] as T;
      if (compare(item, parentItem) >= 0) break;
      const parentSlot = slotAt[parent]!;
      items[at] = parentItem;
      slotAt[at] = parentSlot;
      slots[parentSlot << 1] = at;
      at = parent;
    }
    items[at] = item;
    slotAt[at] = slot;
    slots[slot << 1] = at;
  }

  /** Moves (item, slot) from position `at` towards the leaves of a heap of `size` items. */
  #siftDown(at: number, item: T, slot: number, size: number): void {
    const compare = this.#compare;
    const items = this.#items;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    for (;;) {
      const first = (at << 2) + 1;
      if (first >= size) break;
      let best = first;
      let bestItem = items[first] as T;
      const end = first + 4 < size ? first + 4 : size;
      for (let child = first + 1; child < end; child++) {
        const childItem = items[child] as T;
        if (compare(childItem, bestItem) < 0) {
          best = child;
          bestItem = childItem;
        }
      }
      if (compare(bestItem, item) >= 0) break;
      const bestSlot = slotAt[best]!;
      items[at] = bestItem;
      slotAt[at] = bestSlot;
      slots[bestSlot << 1] = at;
      at = best;
    }
    items[at] = item;
    slotAt[at] = slot;
    slots[slot << 1] = at;
  }
}
