/**
 * The entries of a table, stored as a struct of arrays in pages instead of one object per entry.
 *
 *     kv page p    [ k0 v0 | k1 v1 | k2 v2 | ... ]   JS array, 2 slots per entry (16 bytes)
 *     meta page p  [ h0 n0 | h1 n1 | h2 n2 | ... ]   Int32Array: hash and next id (8 bytes)
 *
 *     entry id  = (page << PAGE_SHIFT) | slot       ids start at 1: 0 is the null link
 *
 * A live entry's meta holds its hash and the id of the next entry of its chain. A free slot
 * (deleted, waiting for reuse) holds the HOLE marker as its key, and its meta holds the previous
 * and next free ids: the free list is doubly linked so that a free slot at the top of the pool
 * can be taken out of it in O(1) when the pool shrinks.
 *
 * Why pages: growing one JS array of 10M entries copies all of it at once (tens of
 * milliseconds), the very spike progressive rehashing exists to avoid. Pages of 2^14 entries
 * are allocated one at a time and never copied; only page 0 grows by doubling, up to a page,
 * so that a small table stays small. 2^14 keeps a kv page (2^15 slots) below V8's limit for
 * `new Array(n)` to make a fast (not dictionary-mode) array.
 *
 * Entries never move while they live, except when the pool is compacted (see HMap), which
 * waits while an iterator is open: iteration walks ids in order.
 *
 * @packageDocumentation
 */
import { CapacityExceededError } from './errors.js';

/** log2 of the entries in a page. */
export const PAGE_SHIFT = 14;
/** Entries in a full page. */
export const PAGE_ENTRIES = 1 << PAGE_SHIFT;
/** `id & PAGE_MASK` is an entry's slot in its page. */
export const PAGE_MASK = PAGE_ENTRIES - 1;
/** The most entries a table holds: ids are positive int32 values, 1 to 2^31 - 1. */
export const MAX_ENTRIES = 0x7fff_ffff;
/** Page 0 never shrinks below this many entries (the size of a linear table's page). */
export const MIN_PAGE0_ENTRIES = 16;
/**
 * The key of a free slot. A private symbol: no caller's key can be equal to it.
 *
 * @internal
 */
export const HOLE: unique symbol = Symbol('@byor/hashtable.hole');

/**
 * A key/value page of `entries` entries, every slot `undefined` (so that all pages share one
 * elements kind and the property loads on them stay monomorphic).
 *
 * @internal
 */
export function newPage(entries: number): unknown[] {
  return new Array<unknown>(entries * 2).fill(undefined);
}

/** A copy of `page` with room for `entries` entries. */
function grownPage(page: unknown[], entries: number): unknown[] {
  const copy = newPage(entries);
  const length = Math.min(page.length, copy.length);
  for (let i = 0; i < length; i++) copy[i] = page[i];
  return copy;
}

/** A copy of a meta page with room for `entries` entries. */
function grownMeta(meta: Int32Array, entries: number): Int32Array {
  const copy = new Int32Array(entries * 2);
  copy.set(meta.length <= copy.length ? meta : meta.subarray(0, copy.length));
  return copy;
}

/**
 * The paged entry storage and its free list. HMap extends it, so that the hot paths read the
 * pages as fields of one object.
 *
 * @internal
 */
export class EntryPool {
  /** key/value pages */
  kv: unknown[][];
  /** hash/next (or prev-free/next-free) pages */
  meta: Int32Array[];
  /** ids in [1, top) have been handed out: each is live or on the free list */
  top: number;
  /** ids in [0, capacity) have storage */
  capacity: number;
  /** first free id, 0 when none */
  freeHead: number;
  /** free ids below top */
  freeCount: number;

  /** Adopts `page0` (a linear table's page, its ids unchanged) as page 0. */
  constructor(page0: unknown[], top: number) {
    const entries = page0.length >>> 1;
    this.kv = [page0];
    this.meta = [new Int32Array(entries * 2)];
    this.top = top;
    this.capacity = entries;
    this.freeHead = 0;
    this.freeCount = 0;
  }

  /** The key of entry `id` (HOLE for a free slot). */
  keyAt(id: number): unknown {
    return this.kv[id >>> PAGE_SHIFT]![(id & PAGE_MASK) << 1];
  }

  /** The value of entry `id`. */
  valueAt(id: number): unknown {
    return this.kv[id >>> PAGE_SHIFT]![((id & PAGE_MASK) << 1) + 1];
  }

  /** Replaces the value of entry `id`. */
  setValue(id: number, value: unknown): void {
    this.kv[id >>> PAGE_SHIFT]![((id & PAGE_MASK) << 1) + 1] = value;
  }

  /** The stored hash of live entry `id`. */
  hashAt(id: number): number {
    return this.meta[id >>> PAGE_SHIFT]![(id & PAGE_MASK) << 1]!;
  }

  /** The next id in the chain of live entry `id` (or in the free list for a free slot). */
  nextAt(id: number): number {
    return this.meta[id >>> PAGE_SHIFT]![((id & PAGE_MASK) << 1) + 1]!;
  }

  /** Sets the next id of `id`. */
  setNext(id: number, next: number): void {
    this.meta[id >>> PAGE_SHIFT]![((id & PAGE_MASK) << 1) + 1] = next;
  }

  /** Takes a slot for a new entry: a free one if any, else the next id, growing the storage. O(1), amortized over page 0's doublings. */
  allocate(): number {
    const head = this.freeHead;
    if (head !== 0) {
      this.unlinkFree(head);
      return head;
    }
    if (this.top === this.capacity) this.#grow();
    return this.top++;
  }

  /** Frees live slot `id`: HOLE key, references dropped for the GC, pushed on the free list. */
  release(id: number): void {
    const page = this.kv[id >>> PAGE_SHIFT]!;
    const slot = (id & PAGE_MASK) << 1;
    page[slot] = HOLE;
    page[slot + 1] = undefined;
    this.pushFree(id);
  }

  /** Pushes `id` (already holding HOLE) on the free list. */
  pushFree(id: number): void {
    const meta = this.meta[id >>> PAGE_SHIFT]!;
    const slot = (id & PAGE_MASK) << 1;
    const head = this.freeHead;
    meta[slot] = 0; // prev
    meta[slot + 1] = head; // next
    if (head !== 0) this.meta[head >>> PAGE_SHIFT]![(head & PAGE_MASK) << 1] = id;
    this.freeHead = id;
    this.freeCount++;
  }

  /** Takes free slot `id` out of the free list. O(1). */
  unlinkFree(id: number): void {
    const meta = this.meta[id >>> PAGE_SHIFT]!;
    const slot = (id & PAGE_MASK) << 1;
    const prev = meta[slot]!;
    const next = meta[slot + 1]!;
    if (prev === 0) this.freeHead = next;
    else this.meta[prev >>> PAGE_SHIFT]![((prev & PAGE_MASK) << 1) + 1] = next;
    if (next !== 0) this.meta[next >>> PAGE_SHIFT]![(next & PAGE_MASK) << 1] = prev;
    this.freeCount--;
  }

  /**
   * Lowers `top` past free slots at the top of the pool (no entry moves), and gives back pages
   * that lie wholly above it. O(1) amortized.
   */
  trimTop(): void {
    let top = this.top;
    while (top > 1 && this.keyAt(top - 1) === HOLE) {
      top--;
      this.unlinkFree(top);
      const page = this.kv[top >>> PAGE_SHIFT]!;
      const slot = (top & PAGE_MASK) << 1;
      page[slot] = undefined;
    }
    this.top = top;
    this.releasePages();
  }

  /**
   * Gives back storage above `top`: the last page once `top` is half a page below it (the
   * margin keeps a table that hovers at a page boundary from allocating the page back and
   * forth), and half of page 0 once a single-page pool is a quarter full.
   */
  releasePages(): void {
    const kv = this.kv;
    if (kv.length > 1) {
      const lastStart = (kv.length - 1) << PAGE_SHIFT;
      if (this.top + (PAGE_ENTRIES >>> 1) <= lastStart) {
        kv.pop();
        this.meta.pop();
        this.capacity -= PAGE_ENTRIES;
      }
    } else if (this.capacity > MIN_PAGE0_ENTRIES && this.top * 4 <= this.capacity) {
      const entries = this.capacity >>> 1;
      kv[0] = grownPage(kv[0]!, entries);
      this.meta[0] = grownMeta(this.meta[0]!, entries);
      this.capacity = entries;
    }
  }

  #grow(): void {
    if (this.capacity > MAX_ENTRIES) throw new CapacityExceededError(MAX_ENTRIES);
    const kv = this.kv;
    if (kv.length === 1 && this.capacity < PAGE_ENTRIES) {
      // page 0 doubles until it is a full page: at most 2^14 entries copied, once per doubling
      const entries = Math.min(this.capacity * 2, PAGE_ENTRIES);
      kv[0] = grownPage(kv[0]!, entries);
      this.meta[0] = grownMeta(this.meta[0]!, entries);
      this.capacity = entries;
    } else {
      kv.push(newPage(PAGE_ENTRIES));
      this.meta.push(new Int32Array(PAGE_ENTRIES * 2));
      this.capacity += PAGE_ENTRIES;
    }
  }
}
