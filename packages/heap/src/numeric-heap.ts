/**
 * NumericHeap: an indexed 4-ary min-heap keyed by numbers, the fast form.
 *
 * Layout (n = size, c = capacity; typed arrays grow by doubling):
 *
 *     by heap position 0..n-1                by slot (what a handle names): see SlotTable
 *     keys:   Float64Array  [k0 k1 k2 ...]   position, generation, free stack
 *     slotAt: Int32Array    [s0 s1 s2 ...]
 *     values: V[]           [v0 v1 v2 ...]   (a plain array, length c)
 *
 * Sifting moves key, slot and value together, so `pop` reads its value at position 0 with no random
 * access. The values array is made at full capacity (new Array(c), whose holes read as undefined)
 * and remade when the typed arrays grow; pop and remove clear the entry they free, so that the heap
 * keeps no value alive, except a number, left in place: writing undefined among numbers makes V8
 * box them all (35% slower with fractional values). Against Array.prototype.push / pop on an array
 * of length n, this measured about 5% faster on 1M (key, value) pairs, with or without the handle
 * index. A heap of bare keys (every value undefined: deadlines, scores) never creates the values
 * array at all: it appears with the first defined value. Keeping values by slot instead (a sift
 * then moves two arrays; pop reads values[slotAt[0]]) measured faster in some runs and slower in
 * others, and slower with the handle index on.
 *
 * Four children per node instead of two halves the depth; with the keys of the four children
 * adjacent in one Float64Array that measured faster than a binary layout on 1M items
 * (bench/heap.bench.ts), by 8-17% with the sift-down below. The handle index (slot -> position) is
 * lazy (see SlotTable).
 *
 * On a large heap, sifting down (pop; update and remove moving an item down) mostly waits for
 * memory, one level after the other. Two things measured faster there (1M items):
 * - the smallest of four children is picked without branches (a comparison turned into 0 or 1
 *   chooses between two indices): with random keys the branches are hard to predict (10-20%);
 * - each step reads ahead the first key of each child's own children before knowing which child
 *   wins, so that the next level's cache lines are already on their way (about 10%). Reading
 *   their slots too, or two levels ahead, measured slower. The keys read ahead are summed into a
 *   sink, or the optimising compiler would drop the reads as unused.
 * Pop sifts down top-down: with keys compared inline, the bottom-up (Floyd) variant measured
 * slower (it pays off for the comparator form, whose comparisons are calls).
 *
 * Readability was traded for speed in this file: the sift loops are written out by hand, compare
 * four children without a loop or a branch, and keep fields in locals.
 */
import { InvalidKeyError, HeapInvariantError, StaleHandleError } from './errors.js';
import {
  type HeapHandle,
  MAX_GENERATION,
  growFloat64,
  growInt32,
  initialCapacity,
  makeHandle,
  nextCapacity,
} from './handle.js';
import { SlotTable } from './slot-table.js';

/** Cold paths kept out of the hot methods so that V8 still inlines them. */
function invalidKey(key: number): never {
  throw new InvalidKeyError(key);
}

function staleHandle(handle: number): never {
  throw new StaleHandleError(handle);
}

/**
 * Where the sift-down loops leave the sum of what they read ahead: a sink, without which the
 * optimising compiler drops those reads as unused (see the file comment).
 */
const readAheadSink = { sink: 0 };

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
  #values: V[] = [];
  /** False while every value pushed was undefined: then `#values` stays empty and unused. */
  #valued = false;
  readonly #slots: SlotTable;
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
    this.#slots = new SlotTable(capacity);
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
   * Adds `value` with priority `key` (smaller comes first) and returns its handle. The value
   * may be left out when `V` allows undefined (a heap of bare keys).
   * O(log n), amortised over array growth.
   *
   * @throws {InvalidKeyError} when `key` is NaN
   * @example
   * ```ts
   * const handle = heap.push(Date.now() + 1000, timer);
   * new NumericHeap<undefined>().push(42);
   * ```
   */
  push(key: number, ...value: undefined extends V ? [value?: V] : [value: V]): HeapHandle;
  push(key: number, value?: V): HeapHandle {
    // Hot path, written out in full: a call to a shared sift helper measured ~15% slower here
    // (V8 stops inlining the nested calls of a push inside a caller's loop).
    if (key !== key) invalidKey(key);
    let at = this.#size;
    if (at === this.#keys.length) this.#grow();
    if (value !== undefined && !this.#valued) this.#startValues();
    const slots = this.#slots;
    let slot: number;
    if (slots.freeCount > 0) {
      slot = slots.free[--slots.freeCount]!;
      const generation = slots.generation[slot]!;
      slots.generation[slot] = generation === MAX_GENERATION ? 0 : generation + 1;
    } else {
      slot = slots.slotCount++;
    }
    const valued = this.#valued;
    const values = this.#values;
    this.#size = at + 1;
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const position = slots.position;
    const indexed = slots.indexed;
    while (at > 0) {
      const parent = (at - 1) >> 2;
      const parentKey = keys[parent]!;
      if (key >= parentKey) break;
      const parentSlot = slotAt[parent]!;
      keys[at] = parentKey;
      slotAt[at] = parentSlot;
      if (valued) values[at] = values[parent]!;
      if (indexed) position[parentSlot] = at;
      at = parent;
    }
    keys[at] = key;
    slotAt[at] = slot;
    if (valued) values[at] = value as V;
    if (indexed) position[slot] = at;
    return makeHandle(slot, slots.generation[slot]!);
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
    return this.#size === 0 || !this.#valued ? undefined : this.#values[0];
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
    return this.#size === 0 ? undefined : this.#slots.handleOf(this.#slotAt[0]!);
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
    // Hot path: the sift-down is #siftDown's (a copy written out here measured no faster:
    // push/pop of 1M (key, value) pairs 1.07x flatqueue against 1.05x, three alternating runs)
    const size = this.#size - 1;
    if (size < 0) return undefined;
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const slots = this.#slots;
    const values = this.#values;
    const valued = this.#valued;
    const top = valued ? values[0] : undefined;
    slots.free[slots.freeCount++] = slotAt[0]!;
    this.#size = size;
    const value = this.#takeValue(size);
    if (size === 0) return top;
    this.#siftDown(0, keys[size]!, slotAt[size]!, value, size);
    return top;
  }

  /**
   * Removes the item with the smallest key and returns that key (undefined when empty): `pop`
   * for a heap of bare keys. O(log n).
   *
   * @example
   * ```ts
   * const earliest = deadlines.popKey();
   * ```
   */
  popKey(): number | undefined {
    if (this.#size === 0) return undefined;
    const key = this.#keys[0];
    this.pop();
    return key;
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
    return this.#slots.positionOf(handle, this.#slotAt, this.#size) >= 0;
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
    const at = this.#slots.positionOf(handle, this.#slotAt, this.#size);
    return at >= 0 && this.#valued ? this.#values[at] : undefined;
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
    const at = this.#slots.positionOf(handle, this.#slotAt, this.#size);
    return at >= 0 ? this.#keys[at] : undefined;
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
    const at = this.#slots.positionOf(handle, this.#slotAt, this.#size);
    if (at < 0) staleHandle(handle);
    if (key !== key) invalidKey(key);
    const slot = this.#slotAt[at]!;
    const value = (this.#valued ? this.#values[at] : undefined) as V;
    if (key < this.#keys[at]!) this.#siftUp(at, key, slot, value);
    else this.#siftDown(at, key, slot, value, this.#size);
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
    const at = this.#slots.positionOf(handle, this.#slotAt, this.#size);
    if (at < 0) return false;
    this.#slots.release(this.#slotAt[at]!);
    const last = --this.#size;
    const lastValue = this.#takeValue(last);
    if (at !== last) {
      const key = this.#keys[last]!;
      const lastSlot = this.#slotAt[last]!;
      if (key < this.#keys[at]!) this.#siftUp(at, key, lastSlot, lastValue);
      else this.#siftDown(at, key, lastSlot, lastValue, last);
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
    this.#slots.releaseAll(this.#slotAt, this.#size);
    this.#values = [];
    this.#valued = false;
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
    const values = this.#values;
    if (values.length !== (this.#valued ? keys.length : 0)) {
      throw new HeapInvariantError('values length differs from the capacity');
    }
    for (let at = size; at < values.length; at++) {
      const value = values[at];
      if (value !== undefined && typeof value !== 'number') {
        throw new HeapInvariantError(`position ${at}, past the last item, keeps a value`);
      }
    }
    for (let at = 0; at < size; at++) {
      const key = keys[at]!;
      if (key !== key) throw new HeapInvariantError(`NaN key at ${at}`);
      if (at > 0 && keys[(at - 1) >> 2]! > key) {
        throw new HeapInvariantError(`key at ${at} is smaller than its parent`);
      }
    }
    const problem = this.#slots.problem(this.#slotAt, size);
    if (problem !== undefined) throw new HeapInvariantError(problem);
  }

  /**
   * The value at position `at`, which the item there is leaving (undefined in a heap of bare
   * keys), cleared so that the heap keeps nothing alive; a number is left in place (it holds on
   * to nothing, and writing undefined among numbers would make V8 box them all).
   */
  #takeValue(at: number): V {
    if (!this.#valued) return undefined as V;
    const values = this.#values;
    const value = values[at]!;
    if (typeof value !== 'number') values[at] = undefined as V;
    return value;
  }

  /** The first defined value: from now on values are stored (undefined for the earlier items). */
  #startValues(): void {
    this.#values = new Array<V>(this.#keys.length);
    this.#valued = true;
  }

  #grow(): void {
    const capacity = nextCapacity(this.#keys.length);
    this.#keys = growFloat64(this.#keys, capacity);
    this.#slotAt = growInt32(this.#slotAt, capacity, 0);
    this.#slots.grow(capacity);
    if (this.#valued) {
      const old = this.#values;
      const values = new Array<V>(capacity);
      for (let at = 0; at < old.length; at++) values[at] = old[at]!;
      this.#values = values;
    }
  }

  /** Moves (key, slot, value) from position `at` towards the root while its parent is larger. */
  #siftUp(at: number, key: number, slot: number, value: V): void {
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const values = this.#values;
    const valued = this.#valued;
    const position = this.#slots.position;
    const indexed = this.#slots.indexed;
    while (at > 0) {
      const parent = (at - 1) >> 2;
      const parentKey = keys[parent]!;
      if (key >= parentKey) break;
      const parentSlot = slotAt[parent]!;
      keys[at] = parentKey;
      slotAt[at] = parentSlot;
      if (valued) values[at] = values[parent]!;
      if (indexed) position[parentSlot] = at;
      at = parent;
    }
    keys[at] = key;
    slotAt[at] = slot;
    if (valued) values[at] = value;
    if (indexed) position[slot] = at;
  }

  /** Moves (key, slot, value) from position `at` towards the leaves of a heap of `size` items. */
  #siftDown(at: number, key: number, slot: number, value: V, size: number): void {
    const keys = this.#keys;
    const slotAt = this.#slotAt;
    const values = this.#values;
    const valued = this.#valued;
    const position = this.#slots.position;
    const indexed = this.#slots.indexed;
    let readAhead = 0;
    for (;;) {
      const first = (at << 2) + 1;
      if (first >= size) break;
      let best = first;
      let bestKey = keys[first]!;
      if (first + 3 < size) {
        // All four children exist (the common case). Read ahead the first key of each child's
        // own children, whichever child wins (see the file comment).
        const grand = (first << 2) + 1;
        if (grand + 12 < size) {
          readAhead += keys[grand]! + keys[grand + 4]! + keys[grand + 8]! + keys[grand + 12]!;
        }
        // The smaller of each pair, then the smaller of the two, without branches.
        const left = first + +(keys[first + 1]! < bestKey);
        const right = first + 2 + +(keys[first + 3]! < keys[first + 2]!);
        best = left + +(keys[right]! < keys[left]!) * (right - left);
        bestKey = keys[best]!;
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
      if (valued) values[at] = values[best]!;
      if (indexed) position[bestSlot] = at;
      at = best;
    }
    keys[at] = key;
    slotAt[at] = slot;
    if (valued) values[at] = value;
    if (indexed) position[slot] = at;
    readAheadSink.sink = readAhead;
  }
}
