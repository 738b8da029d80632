/**
 * The entries of a table, stored as a struct of arrays in pages instead of one object per entry.
 *
 *     kv page p    [ k0 v0 | k1 v1 | k2 v2 | ... ]   JS array, 2 slots per entry (16 bytes)
 *     meta page p  [ h0 n0 | h1 n1 | h2 n2 | ... ]   Int32Array: hash and next id (8 bytes)
 *                  [ h0 n0 s0 | h1 n1 s1 | ... ]     with stamps: and the stamp (12 bytes)
 *
 *     entry id  = (page << PAGE_SHIFT) | slot       ids start at 1: 0 is the null link
 *
 * A live entry's meta holds its hash and the id of the next entry of its chain. A free slot
 * (deleted, waiting for reuse) holds the HOLE marker as its key, and its id is pushed on the
 * free stack, which inserts pop before growing the pool:
 *
 *     free stack  [ 7 | 3 | 12 | 9 | ... ]   Int32Array chunks of 2^14 ids, pushed and popped
 *                                            at the end: a delete writes nowhere else
 *
 * When the top of the pool is lowered past free slots, their ids stay on the stack, stale (at
 * or above `top`), and are dropped when popped. `top` only grows once the stack is empty, so a
 * stale id can never come back to life while still on the stack.
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
/** log2 of the ids in a chunk of the free stack. */
export const STACK_SHIFT = 14;
/** `index & STACK_MASK` is an index's place in its chunk. */
export const STACK_MASK = (1 << STACK_SHIFT) - 1;
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

/** Int32 slots per entry in a meta page: hash and next id. */
export const META_STRIDE = 2;
/** Int32 slots per entry in a meta page of a table with stamps: hash, next id and stamp. */
export const STAMPED_META_STRIDE = 3;

/** A copy of a meta page (`stride` slots per entry) with room for `entries` entries. */
function grownMeta(meta: Int32Array, entries: number, stride: number): Int32Array {
  const copy = new Int32Array(entries * stride);
  copy.set(meta.length <= copy.length ? meta : meta.subarray(0, copy.length));
  return copy;
}

/**
 * The paged entry storage and its free stack. HMap extends it, so that the hot paths read the
 * pages as fields of one object. The fields are public rather than `#private` because a
 * subclass cannot read a `#private` field; the class is internal (not exported by the package).
 *
 * @internal
 */
export class EntryPool {
  /** key/value pages */
  kv: unknown[][];
  /** hash/next(/stamp) pages */
  meta: Int32Array[];
  /**
   * Int32 slots per entry in a meta page: {@link META_STRIDE}, or {@link STAMPED_META_STRIDE}
   * in a table with stamps. The stamp sits beside the hash rather than in a parallel page: a
   * lookup reads the hash's cache line anyway, so reading or rewriting the stamp (an LRU clock
   * on every access) costs no other line. Three slots, not four: entry i starts at byte 12i, so
   * 2 of every 16 entries straddle two lines, and a table of 1M keys keeps 4 MB.
   */
  readonly stride: number;
  /** ids in [1, top) have been handed out: each is live or on the free stack */
  top: number;
  /** ids in [0, capacity) have storage */
  capacity: number;
  /** the free stack: chunks of ids, valid (free slots below top) or stale (at or above top) */
  freeStack: Int32Array[];
  /** ids on the free stack */
  freeLength: number;
  /** free slots below top: the valid ids of the stack */
  freeCount: number;

  /**
   * Adopts `page0` (a linear table's page, its ids unchanged) as page 0, and copies `stamps0`
   * (its stamps, as many entries) into meta page 0 when the table has stamps.
   */
  constructor(page0: unknown[], top: number, stamps0: Uint32Array | null) {
    const entries = page0.length >>> 1;
    this.kv = [page0];
    this.stride = stamps0 === null ? META_STRIDE : STAMPED_META_STRIDE;
    const meta0 = new Int32Array(entries * this.stride);
    if (stamps0 !== null) {
      for (let i = 0; i < entries; i++) meta0[i * STAMPED_META_STRIDE + 2] = stamps0[i]!;
    }
    this.meta = [meta0];
    this.top = top;
    this.capacity = entries;
    this.freeStack = [];
    this.freeLength = 0;
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

  /** Whether the table keeps a stamp per entry. */
  get stamped(): boolean {
    return this.stride === STAMPED_META_STRIDE;
  }

  /** The stamp of entry `id` (tables with stamps only; a Uint32). */
  stampAt(id: number): number {
    return this.meta[id >>> PAGE_SHIFT]![(id & PAGE_MASK) * STAMPED_META_STRIDE + 2]! >>> 0;
  }

  /** Sets the stamp of entry `id` (tables with stamps only; stored as a Uint32). */
  setStampAt(id: number, stamp: number): void {
    this.meta[id >>> PAGE_SHIFT]![(id & PAGE_MASK) * STAMPED_META_STRIDE + 2] = stamp;
  }

  /** The stored hash of live entry `id`. */
  hashAt(id: number): number {
    return this.meta[id >>> PAGE_SHIFT]![(id & PAGE_MASK) * this.stride]!;
  }

  /** The next id in the chain of live entry `id`. */
  nextAt(id: number): number {
    return this.meta[id >>> PAGE_SHIFT]![(id & PAGE_MASK) * this.stride + 1]!;
  }

  /** Sets the next id of `id`. */
  setNext(id: number, next: number): void {
    this.meta[id >>> PAGE_SHIFT]![(id & PAGE_MASK) * this.stride + 1] = next;
  }

  /** Takes a slot for a new entry: a free one if any, else the next id, growing the storage. O(1), amortized over page 0's doublings. */
  allocate(): number {
    if (this.freeCount > 0) return this.popFree();
    if (this.freeLength > 0) this.#dropStale();
    if (this.top === this.capacity) this.#grow();
    return this.top++;
  }

  /** Frees live slot `id`: HOLE key, references dropped for the GC, id pushed on the free stack. */
  release(id: number): void {
    const page = this.kv[id >>> PAGE_SHIFT]!;
    const slot = (id & PAGE_MASK) << 1;
    page[slot] = HOLE;
    page[slot + 1] = undefined;
    this.pushFree(id);
  }

  /** Pushes `id` (already holding HOLE, below top) on the free stack. O(1). */
  pushFree(id: number): void {
    const length = this.freeLength;
    let chunk = this.freeStack[length >>> STACK_SHIFT];
    if (chunk === undefined) {
      chunk = new Int32Array(1 << STACK_SHIFT);
      this.freeStack.push(chunk);
    }
    chunk[length & STACK_MASK] = id;
    this.freeLength = length + 1;
    this.freeCount++;
  }

  /** Pops a valid free id, dropping stale ones on the way. Only when `freeCount > 0`. O(1) amortized. */
  popFree(): number {
    const stack = this.freeStack;
    let length = this.freeLength;
    let id: number;
    do {
      length--;
      id = stack[length >>> STACK_SHIFT]![length & STACK_MASK]!;
    } while (id >= this.top);
    this.freeLength = length;
    this.freeCount--;
    // give back a chunk once the stack is a chunk and a half below it
    if (stack.length > 1 && length + (1 << STACK_SHIFT) * 1.5 <= stack.length << STACK_SHIFT) {
      stack.pop();
    }
    return id;
  }

  /**
   * Lowers `top` past free slots at the top of the pool (no entry moves), and gives back pages
   * that lie wholly above it. O(1) amortized.
   */
  trimTop(): void {
    let top = this.top;
    while (top > 1 && this.keyAt(top - 1) === HOLE) {
      top--;
      this.freeCount--; // its id stays on the stack, stale
      const page = this.kv[top >>> PAGE_SHIFT]!;
      const slot = (top & PAGE_MASK) << 1;
      page[slot] = undefined;
    }
    this.top = top;
    if (this.freeCount === 0 && this.freeLength > 0) this.#dropStale();
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
      this.meta[0] = grownMeta(this.meta[0]!, entries, this.stride);
      this.capacity = entries;
    }
  }

  /** Empties a stack that holds only stale ids, keeping one chunk. */
  #dropStale(): void {
    this.freeLength = 0;
    if (this.freeStack.length > 1) this.freeStack.length = 1;
  }

  #grow(): void {
    if (this.capacity > MAX_ENTRIES) throw new CapacityExceededError(MAX_ENTRIES);
    const kv = this.kv;
    if (kv.length === 1 && this.capacity < PAGE_ENTRIES) {
      // page 0 doubles until it is a full page: at most 2^14 entries copied, once per doubling
      const entries = Math.min(this.capacity * 2, PAGE_ENTRIES);
      kv[0] = grownPage(kv[0]!, entries);
      this.meta[0] = grownMeta(this.meta[0]!, entries, this.stride);
      this.capacity = entries;
    } else {
      kv.push(newPage(PAGE_ENTRIES));
      this.meta.push(new Int32Array(PAGE_ENTRIES * this.stride));
      this.capacity += PAGE_ENTRIES;
    }
  }
}
