import { CapacityError } from './errors.js';

/**
 * Handles: what `push` returns and `update` / `remove` take.
 *
 * A handle is a plain number (no allocation per push) that encodes a slot and a generation:
 *
 *     handle = generation * 2^32 + slot        (generation < 2^21, so handle < 2^53)
 *
 * The slot names the item in the per-slot tables; the generation counts how many times the slot
 * was reused, so a handle kept after its item left the heap is recognised as stale instead of
 * silently naming the slot's next item. A slot's first generation is 0, so most handles are
 * small integers that V8 keeps unboxed; `handle >>> 0` recovers the slot.
 *
 * A handle is live when its generation is the slot's current one AND the slot is in the heap,
 * which is checked through the index: `slotAt[position[slot]] === slot` for a position below the
 * size. A pop or remove therefore writes nothing per slot (the slot just goes on the free stack);
 * the generation is bumped when the slot is reused.
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

/** @internal The generation a handle carries. */
export function generationOf(handle: number, slot: number): number {
  return (handle - slot) / GENERATION_STEP;
}

/** @internal The smallest capacity a heap grows from. */
export const MIN_CAPACITY = 16;

/** @internal The most items a heap holds. */
export const MAX_CAPACITY = 1 << 30;

/** @internal Makes the handle of `slot` at `generation`. */
export function makeHandle(slot: number, generation: number): HeapHandle {
  return (generation * GENERATION_STEP + slot) as HeapHandle;
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
