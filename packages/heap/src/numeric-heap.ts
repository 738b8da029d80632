/**
 * NumericHeap: an indexed 4-ary min-heap keyed by numbers, the fast form.
 *
 * Layout (n = size, c = capacity; every array grows by doubling):
 *
 *     by heap position 0..n-1          by slot 0..c-1 (what a handle names)
 *     keys:   Float64Array  [k0 k1 ..]  slots:  Int32Array [pos0 gen0 pos1 gen1 ..]
 *     slotAt: Int32Array    [s0 s1 ..]  values: V[]        [v0 v1 ..]
 *                                       free:   Int32Array stack of released slots
 *
 * Sifting moves keys and slot numbers (two typed arrays, no write barrier) and writes the moved
 * item's position into its slot entry, which is how a handle finds its item in O(1) for `update`
 * and `remove`. Values stay in their slot and are read once, by `pop`. Four children per node
 * instead of two halves the depth of the tree, which measured faster than a binary layout on 1M
 * items (bench/heap.bench.ts, ARCHITECTURE.md). Readability was traded for speed in this file: the
 * sift loops are written out by hand, compare four children without a loop, and keep fields in
 * locals.
 */
import { InvalidKeyError, HeapInvariantError, StaleHandleError } from './errors.js';
import {
  type HeapHandle,
  GENERATION_STEP,
  growFloat64,
  growInt32,
  initialCapacity,
  liveSlotIndex,
  makeHandle,
  nextCapacity,
  retireSlot,
} from './handle.js';

/** Options of {@link NumericHeap}. */
export interface NumericHeapOptions {
  /** Items the heap holds before it first grows its arrays (at most 2^30). Default 16. */
  readonly initialCapacity?: number;
}

/**
 * An indexed min-heap of values ordered by a numeric key: `push` returns a handle through which
 * the item's key can later be changed (`update`) or the item removed (`remove`) in O(log n).
 * Keys live in a `Float64Array`; items with equal keys come out in no particular order.
 *
 * @typeParam V - the value carried by each item
 *
 * @example
 * ```ts
 * const deadlines = new NumericHeap<string>();
 * const a = deadlines.push(300, 'a');
 * deadlines.push(100, 'b');
 * deadlines.update(a, 50);           // 'a' is due first now
 * deadlines.peekKey();               // 50
 * deadlines.pop();                   // 'a'
 * ```
 */
export class NumericHeap<V> {
  #keys: Float64Array;
  #slotAt: Int32Array;
  #slots: Int32Array;
  #values: (V | undefined)[];
  #free: Int32Array;
  #freeCount = 0;
  #slotCount = 0;
  #size = 0;

  /**
   * Creates an empty heap. O(capacity).
   *
   * @throws {CapacityError} when `initialCapacity` is above 2^30
   * @example
   * ```ts
   * const heap = new NumericHeap<number>({ initialCapacity: 1 << 20 });
   * ```
   */
  constructor(options: NumericHeapOptions = {}) {
    const capacity = initialCapacity(options.initialCapacity);
    this.#keys = new Float64Array(capacity);
    this.#slotAt = new Int32Array(capacity);
    this.#slots = new Int32Array(capacity * 2).fill(-1);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#free = new Int32Array(capacity);
  }

  /**
   * The number of items. O(1).
   *
   * @example
   * ```ts
   * if (heap.size === 0) return;
   * ```
   */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds `value` with priority `key` (smaller comes first) and returns its handle.
   * O(log n), amortised over array growth.
   *
   * @throws {InvalidKeyError} when `key` is NaN
   * @example
   * ```ts
   * const handle = heap.push(Date.now() + 1000, timer);
   * ```
   */
  push(key: number, value: V): HeapHandle {
    if (key !== key) throw new InvalidKeyError(key);
    if (this.#size === this.#keys.length) this.#grow();
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
    this.#values[slot] = value;
    this.#siftUp(this.#size++, key, slot);
    return makeHandle(slot, generation);
  }

  /**
   * The value with the smallest key, or undefined when empty. O(1).
   *
   * @example
   * ```ts
   * const next = heap.peek();
   * ```
   */
  peek(): V | undefined {
    return this.#size === 0 ? undefined : this.#values[this.#slotAt[0]!];
  }

  /**
   * The smallest key, or undefined when empty. O(1).
   *
   * @example
   * ```ts
   * while (heap.size > 0 && heap.peekKey()! <= now) heap.pop();
   * ```
   */
  peekKey(): number | undefined {
    return this.#size === 0 ? undefined : this.#keys[0];
  }

  /**
   * The handle of the item with the smallest key, or undefined when empty. O(1).
   *
   * @example
   * ```ts
   * const first = heap.peekHandle();
   * if (first !== undefined) heap.update(first, later);
   * ```
   */
  peekHandle(): HeapHandle | undefined {
    if (this.#size === 0) return undefined;
    const slot = this.#slotAt[0]!;
    return makeHandle(slot, this.#slots[(slot << 1) + 1]!);
  }

  /**
   * Removes the item with the smallest key and returns its value (undefined when empty); its
   * handle becomes stale. O(log n).
   *
   * @example
   * ```ts
   * const due = heap.pop();
   * ```
   */
  pop(): V | undefined {
    if (this.#size === 0) return undefined;
    const slot = this.#slotAt[0]!;
    const value = this.#values[slot];
    this.#release(slot);
    const last = --this.#size;
    if (last > 0) this.#siftDown(0, this.#keys[last]!, this.#slotAt[last]!, last);
    return value;
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
   * The value of the item `handle` names, or undefined when the handle is stale. O(1).
   *
   * @example
   * ```ts
   * const timer = heap.get(handle);
   * ```
   */
  get(handle: HeapHandle): V | undefined {
    return liveSlotIndex(this.#slots, handle) >= 0 ? this.#values[handle >>> 0] : undefined;
  }

  /**
   * The key of the item `handle` names, or undefined when the handle is stale. O(1).
   *
   * @example
   * ```ts
   * const due = heap.keyOf(handle);
   * ```
   */
  keyOf(handle: HeapHandle): number | undefined {
    const index = liveSlotIndex(this.#slots, handle);
    return index >= 0 ? this.#keys[this.#slots[index]!] : undefined;
  }

  /**
   * Changes the key of the item `handle` names and restores the heap order. O(log n).
   *
   * @throws {StaleHandleError} when the item is no longer in the heap
   * @throws {InvalidKeyError} when `key` is NaN
   * @example
   * ```ts
   * heap.update(handle, Date.now() + 5000); // push the deadline back
   * ```
   */
  update(handle: HeapHandle, key: number): void {
    const index = liveSlotIndex(this.#slots, handle);
    if (index < 0) throw new StaleHandleError(handle);
    if (key !== key) throw new InvalidKeyError(key);
    const at = this.#slots[index]!;
    if (key < this.#keys[at]!) this.#siftUp(at, key, index >> 1);
    else this.#siftDown(at, key, index >> 1, this.#size);
  }

  /**
   * Removes the item `handle` names. Returns false (and does nothing) when the handle is
   * already stale, so removing twice is harmless. O(log n).
   *
   * @example
   * ```ts
   * heap.remove(handle); // cancel
   * ```
   */
  remove(handle: HeapHandle): boolean {
    const index = liveSlotIndex(this.#slots, handle);
    if (index < 0) return false;
    const at = this.#slots[index]!;
    this.#release(index >> 1);
    const last = --this.#size;
    if (at !== last) {
      const key = this.#keys[last]!;
      const lastSlot = this.#slotAt[last]!;
      if (key < this.#keys[at]!) this.#siftUp(at, key, lastSlot);
      else this.#siftDown(at, key, lastSlot, last);
    }
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
    for (let at = 0; at < this.#size; at++) this.#release(slotAt[at]!);
    this.#size = 0;
  }

  /**
   * Verifies the heap order, the handle index and the free list, throwing
   * {@link HeapInvariantError} at the first inconsistency. For tests. O(capacity).
   *
   * @example
   * ```ts
   * heap.checkInvariants();
   * ```
   */
  checkInvariants(): void {
    const size = this.#size;
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    const fail = (message: string): never => {
      throw new HeapInvariantError(message);
    };
    if (this.#slotCount - this.#freeCount !== size) fail('live slot count differs from size');
    for (let at = 0; at < size; at++) {
      const key = keys[at]!;
      if (key !== key) fail(`NaN key at ${at}`);
      if (at > 0 && keys[(at - 1) >> 2]! > key) fail(`key at ${at} is smaller than its parent`);
      const slot = slotAt[at]!;
      if (slot < 0 || slot >= this.#slotCount) fail(`slot ${slot} at ${at} out of range`);
      if (slots[slot << 1] !== at) fail(`slot ${slot} does not point back to ${at}`);
      const handle = makeHandle(slot, slots[(slot << 1) + 1]!);
      if (liveSlotIndex(slots, handle) !== slot << 1) fail(`handle of slot ${slot} is not live`);
      if (handle >= Number.MAX_SAFE_INTEGER - GENERATION_STEP) fail(`handle ${handle} too large`);
    }
    for (let index = 0; index < this.#freeCount; index++) {
      const slot = this.#free[index]!;
      if (slots[slot << 1] !== -1) fail(`free slot ${slot} still has a position`);
      if (this.#values[slot] !== undefined) fail(`free slot ${slot} still holds a value`);
    }
    for (let slot = this.#slotCount; slot < keys.length; slot++) {
      if (slots[slot << 1] !== -1) fail(`unused slot ${slot} has a position`);
    }
  }

  /** Frees a slot: retires its handle, drops its value, pushes it on the free stack. */
  #release(slot: number): void {
    retireSlot(this.#slots, slot << 1);
    this.#values[slot] = undefined;
    this.#free[this.#freeCount++] = slot;
  }

  #grow(): void {
    const capacity = nextCapacity(this.#keys.length);
    this.#keys = growFloat64(this.#keys, capacity);
    this.#slotAt = growInt32(this.#slotAt, capacity, 0);
    this.#slots = growInt32(this.#slots, capacity * 2, -1);
    this.#free = growInt32(this.#free, capacity, 0);
    const values = this.#values;
    for (let slot = values.length; slot < capacity; slot++) values.push(undefined);
  }

  /** Moves (key, slot) from position `at` towards the root until its parent is not larger. */
  #siftUp(at: number, key: number, slot: number): void {
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    while (at > 0) {
      const parent = (at - 1) >> 2;
      const parentKey = keys[parent]!;
      if (key >= parentKey) break;
      const parentSlot = slotAt[parent]!;
      keys[at] = parentKey;
      slotAt[at] = parentSlot;
      slots[parentSlot << 1] = at;
      at = parent;
    }
    keys[at] = key;
    slotAt[at] = slot;
    slots[slot << 1] = at;
  }

  /** Moves (key, slot) from position `at` towards the leaves of a heap of `size` items. */
  #siftDown(at: number, key: number, slot: number, size: number): void {
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    for (;;) {
      const first = (at << 2) + 1;
      if (first >= size) break;
      let best = first;
      let bestKey = keys[first]!;
      if (first + 3 < size) {
        // All four children exist (the common case): compare them without a loop.
        const key1 = keys[first + 1]!;
        const key2 = keys[first + 2]!;
        const key3 = keys[first + 3]!;
        if (key1 < bestKey) {
          best = first + 1;
          bestKey = key1;
        }
        if (key2 < bestKey) {
          best = first + 2;
          bestKey = key2;
        }
        if (key3 < bestKey) {
          best = first + 3;
          bestKey = key3;
        }
      } else {
        for (let child = first + 1; child < size; child++) {
          const childKey = keys[child]!;
          if (childKey < bestKey) {
            best = child;
            bestKey = childKey;
          }
        }
      }
      if (bestKey >= key) break;
      const bestSlot = slotAt[best]!;
      keys[at] = bestKey;
      slotAt[at] = bestSlot;
      slots[bestSlot << 1] = at;
      at = best;
    }
    keys[at] = key;
    slotAt[at] = slot;
    slots[slot << 1] = at;
  }
}
