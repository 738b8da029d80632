/**
 * Where a database keeps its values and their access stamps: numbered slots, so that the key
 * table maps a key to a small integer (stored inline, no allocation) and the stamp of every key
 * sits in a typed array beside the value.
 *
 *     key table   key -> slot (a small integer)
 *     values      [ v0 | v1 | v2 | ... ]    JS array pages of 2^14 slots (4 bytes a slot)
 *     stamps      [ s0 | s1 | s2 | ... ]    Uint32Array pages (4 bytes a slot): LRU/LFU clock
 *     free        [ 7 | 3 | ... ]           slots of deleted keys, reused first
 *
 * Why slots rather than a stamp next to each value: a wrapper object per key costs 16-20 bytes,
 * a second key -> stamp table about 30; a slot costs 8 bytes (measured: see ARCHITECTURE.md,
 * "Memory and eviction"). Pages are never copied when the store grows (no pause at 10M keys).
 *
 * @packageDocumentation
 */
import type { Value } from './values.js';

const PAGE_SHIFT = 14;
const PAGE_SLOTS = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SLOTS - 1;

/**
 * Values and 32-bit stamps by slot number. Slots are handed out from 0 upward, reused after
 * `release` (last released first). O(1) per operation.
 *
 * @example
 * ```ts
 * const slots = new ValueSlots();
 * const slot = slots.allocate('hello', 42);
 * slots.value(slot); // 'hello'
 * slots.stamps[slot >>> 14]![slot & 0x3fff]; // 42
 * ```
 */
export class ValueSlots {
  /** value pages (hot path: read directly by the keyspace) */
  readonly values: Value[][] = [];
  /** stamp pages, parallel to `values` */
  readonly stamps: Uint32Array[] = [];
  #top = 0;
  #free: number[] = [];

  /** Slots in use. O(1). */
  get size(): number {
    return this.#top - this.#free.length;
  }

  /** A slot holding `value` and `stamp`. O(1) (a new page every 2^14 slots). */
  allocate(value: Value, stamp: number): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#top++;
      const page = slot >>> PAGE_SHIFT;
      if (page === this.values.length) {
        // filled with a string so that every page has the same elements kind
        this.values.push(new Array<Value>(PAGE_SLOTS).fill(''));
        this.stamps.push(new Uint32Array(PAGE_SLOTS));
      }
    }
    this.values[slot >>> PAGE_SHIFT]![slot & PAGE_MASK] = value;
    this.stamps[slot >>> PAGE_SHIFT]![slot & PAGE_MASK] = stamp;
    return slot;
  }

  /** The value in `slot`. O(1). */
  value(slot: number): Value {
    return this.values[slot >>> PAGE_SHIFT]![slot & PAGE_MASK]!;
  }

  /** Replaces the value in `slot`. O(1). */
  setValue(slot: number, value: Value): void {
    this.values[slot >>> PAGE_SHIFT]![slot & PAGE_MASK] = value;
  }

  /** The stamp of `slot`. O(1). */
  stamp(slot: number): number {
    return this.stamps[slot >>> PAGE_SHIFT]![slot & PAGE_MASK]!;
  }

  /** Sets the stamp of `slot`. O(1). */
  setStamp(slot: number, stamp: number): void {
    this.stamps[slot >>> PAGE_SHIFT]![slot & PAGE_MASK] = stamp;
  }

  /** Frees `slot` (its value is dropped so the GC can reclaim it). O(1). */
  release(slot: number): void {
    this.values[slot >>> PAGE_SHIFT]![slot & PAGE_MASK] = '';
    if (slot === this.#top - 1) this.#top--;
    else this.#free.push(slot);
  }

  /** Throws when the free list and the top disagree (model tests). O(n). */
  checkInvariants(): void {
    const seen = new Set<number>();
    for (const slot of this.#free) {
      if (slot >= this.#top) throw new Error(`free slot ${slot} at or above top ${this.#top}`);
      if (seen.has(slot)) throw new Error(`slot ${slot} freed twice`);
      seen.add(slot);
    }
    if (this.values.length * PAGE_SLOTS < this.#top) throw new Error('pages missing below top');
  }
}
