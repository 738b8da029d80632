import { CapacityError } from './errors.js';

/**
 * Handles: what `push` returns and `update` / `remove` take.
 *
 * A handle is a plain number (no allocation per push) that encodes a slot and a generation:
 *
 *     handle = generation * 2^32 + slot        (generation < 2^21, so handle < 2^53)
 *
 * The slot indexes the per-item table; the generation counts how many times the slot was reused,
 * so a handle kept after its item left the heap is recognised as stale instead of silently naming
 * the slot's next item. A slot's first generation is 0, so most handles are small integers that
 * V8 keeps unboxed; `handle >>> 0` recovers the slot.
 *
 * The per-slot table is one Int32Array with two entries per slot, so that the bookkeeping of a
 * pop or a remove touches a single cache line:
 *
 *     slots: [ position(0), generation(0), position(1), generation(1), ... ]
 *              -1 when the slot is free or was never used
 */

declare const handleBrand: unique symbol;

/**
 * An opaque reference to one item of a {@link Heap} or {@link NumericHeap}, valid until the item
 * leaves the heap (pop, remove, clear). A plain number at run time; branded so that a key or an
 * index cannot be passed by mistake.
 *
 * @example
 * ```ts
 * const handle: HeapHandle = heap.push(10, 'job');
 * heap.update(handle, 5);
 * ```
 */
export type HeapHandle = number & { readonly [handleBrand]: true };

/** @internal 2^32: a handle's generation step. */
export const GENERATION_STEP = 4294967296;

/** @internal The largest generation; the next one wraps to 0 (keeps handles below 2^53). */
export const MAX_GENERATION = 2097151;

/** @internal The smallest capacity a heap grows from. */
export const MIN_CAPACITY = 16;

/** @internal The most items a heap holds (slot * 2 must fit an Int32Array index). */
export const MAX_CAPACITY = 1 << 30;

/** @internal Makes the handle of `slot` at `generation`. */
export function makeHandle(slot: number, generation: number): HeapHandle {
  return (generation * GENERATION_STEP + slot) as HeapHandle;
}

/**
 * @internal The index in the slot table of the live item `handle` names, or -1 when the handle
 * is stale, out of range or not an integer handle.
 */
export function liveSlotIndex(slots: Int32Array, handle: number): number {
  const slot = handle >>> 0;
  if (slot >= MAX_CAPACITY) return -1;
  const index = slot << 1;
  // A never-used or freed slot has position -1; `undefined >= 0` is false past the end.
  if (!((slots[index] as number) >= 0)) return -1;
  return slots[index + 1] === (handle - slot) / GENERATION_STEP ? index : -1;
}

/** @internal Marks the slot at `index` free and retires its handle. */
export function retireSlot(slots: Int32Array, index: number): void {
  const generation = slots[index + 1]!;
  slots[index] = -1;
  slots[index + 1] = generation === MAX_GENERATION ? 0 : generation + 1;
}

/** @internal Copies `source` into a new Float64Array of `capacity` elements. */
export function growFloat64(source: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(source);
  return grown;
}

/** @internal Copies `source` into a new Int32Array of `capacity` elements, the rest set to `fill`. */
export function growInt32(source: Int32Array, capacity: number, fill: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(source);
  if (fill !== 0) grown.fill(fill, source.length);
  return grown;
}

/** @internal The capacity after `capacity`, or a CapacityError past {@link MAX_CAPACITY}. */
export function nextCapacity(capacity: number): number {
  if (capacity >= MAX_CAPACITY)
    throw new CapacityError(`a heap holds at most ${MAX_CAPACITY} items`);
  return Math.min(capacity * 2, MAX_CAPACITY);
}

/** @internal The starting capacity for an `initialCapacity` option. */
export function initialCapacity(requested: number | undefined): number {
  const capacity = Math.ceil(requested ?? MIN_CAPACITY);
  if (!(capacity <= MAX_CAPACITY)) {
    throw new CapacityError(`initialCapacity must be a number up to ${MAX_CAPACITY}`);
  }
  return Math.max(MIN_CAPACITY, capacity);
}
