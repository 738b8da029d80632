/**
 * The per-slot side of an indexed heap: which slot a handle names, its generation, and (once
 * something asked for it) its position in the heap.
 *
 *     position:   Int32Array by slot   where the slot's item sits (valid while `indexed`)
 *     generation: Int32Array by slot   bumped each time the slot is reused
 *     free:       Int32Array stack     released slots, reused last-in first-out
 *
 * The index is lazy: a heap used only for push / pop never writes `position` (each sift step
 * would cost a write at a random address). The first call that needs it (has, get, keyOf,
 * update, remove) builds it in O(n) and from then on every sift keeps it current.
 *
 * Fields are public for the sift loops of the two heaps, which read them into locals; the class
 * is internal to the package.
 *
 * @internal
 */
import {
  GENERATION_STEP,
  MAX_GENERATION,
  growInt32,
  type HeapHandle,
  makeHandle,
  MAX_CAPACITY,
} from './handle.js';

/** @internal */
export class SlotTable {
  position: Int32Array;
  generation: Int32Array;
  free: Int32Array;
  freeCount = 0;
  /** Slots ever handed out; slots below it are live or free. */
  slotCount = 0;
  indexed = false;

  constructor(capacity: number) {
    this.position = new Int32Array(capacity);
    this.generation = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  /** A slot for a new item: the last released one (its generation bumped), else a fresh one. */
  allocate(): number {
    if (this.freeCount > 0) {
      const slot = this.free[--this.freeCount]!;
      const generation = this.generation[slot]!;
      this.generation[slot] = generation === MAX_GENERATION ? 0 : generation + 1;
      return slot;
    }
    return this.slotCount++;
  }

  /** Puts a slot back on the free stack; its handle dies now (it is no longer in the heap). */
  release(slot: number): void {
    this.free[this.freeCount++] = slot;
  }

  /** The current handle of `slot`. */
  handleOf(slot: number): HeapHandle {
    return makeHandle(slot, this.generation[slot]!);
  }

  /**
   * The heap position of the item `handle` names, or -1 when the handle is stale (its item left
   * the heap or its slot was reused), out of range, or not a handle at all.
   */
  positionOf(handle: number, slotAt: Int32Array, size: number): number {
    const slot = handle >>> 0;
    if (slot >= this.slotCount || slot >= MAX_CAPACITY) return -1;
    if (this.generation[slot] !== (handle - slot) / GENERATION_STEP) return -1;
    if (!this.indexed) this.buildIndex(slotAt, size);
    const at = this.position[slot]!;
    return at < size && slotAt[at] === slot ? at : -1;
  }

  /** Records every item's position: O(n), once; the sifts keep it current afterwards. */
  buildIndex(slotAt: Int32Array, size: number): void {
    const position = this.position;
    for (let at = 0; at < size; at++) position[slotAt[at]!] = at;
    this.indexed = true;
  }

  /** Grows the per-slot arrays to `capacity` slots. */
  grow(capacity: number): void {
    this.position = growInt32(this.position, capacity, 0);
    this.generation = growInt32(this.generation, capacity, 0);
    this.free = growInt32(this.free, capacity, 0);
  }

  /** Releases every live slot (the heap was cleared). */
  releaseAll(slotAt: Int32Array, size: number): void {
    for (let at = 0; at < size; at++) this.release(slotAt[at]!);
  }

  /** Checks the slot bookkeeping against the heap's `slotAt`; returns a problem or undefined. */
  problem(slotAt: Int32Array, size: number): string | undefined {
    if (this.slotCount - this.freeCount !== size) return 'live slot count differs from size';
    const seen = new Uint8Array(this.slotCount);
    for (let at = 0; at < size; at++) {
      const slot = slotAt[at]!;
      if (slot < 0 || slot >= this.slotCount) return `slot ${slot} at ${at} out of range`;
      if (seen[slot] === 1) return `slot ${slot} is in the heap twice`;
      seen[slot] = 1;
      if (this.indexed && this.position[slot] !== at) {
        return `slot ${slot} does not point back to ${at}`;
      }
      const generation = this.generation[slot]!;
      if (generation < 0 || generation > MAX_GENERATION) return `slot ${slot} generation invalid`;
      if (this.positionOf(this.handleOf(slot), slotAt, size) !== at) {
        return `the handle of slot ${slot} does not find it`;
      }
    }
    for (let index = 0; index < this.freeCount; index++) {
      const slot = this.free[index]!;
      if (slot < 0 || slot >= this.slotCount) return `free slot ${slot} out of range`;
      if (seen[slot] === 1) return `free slot ${slot} is in the heap`;
      seen[slot] = 2;
    }
    return undefined;
  }
}
