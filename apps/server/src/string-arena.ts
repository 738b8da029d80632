/**
 * Short string values kept outside V8's heap, in byte pages.
 *
 * Every write command stores a string that outlives the command. On V8's heap such a string is
 * copied by the next young-generation collection and promoted by the one after: measured at
 * SET -P 16, about a fifth of the server's CPU, and at -P 1 the scavenges' 0.7-1.6 ms pauses
 * are what the write commands' p99 latency waits for. Kept here, the value the parser produced
 * dies young (free to collect) and the keyspace holds a small integer instead.
 *
 * A value of 1 to {@link ARENA_MAX_LENGTH} bytes lives in the size class of its length rounded
 * up to 8 bytes; a class is a list of pages of {@link PAGE_SLOTS} slots (the first starts small
 * and doubles), with a free list of released slots. A handle is a small integer (a V8 Smi:
 * no allocation, no pointer for the collector to follow):
 *
 *     handle = slot << 7 | length          (length 1-127; the class follows from the length)
 *
 * Slots are never moved, so a handle stays valid until {@link StringArena.free}; freed slots
 * are reused by the next value of the same class, as an allocator's size classes are.
 */
import type { RespWriter } from '@byor/protocol';
import type { Latin1Buffer } from './types/bitmap-buffer.js';

/** The longest string kept in an arena (bytes); longer strings stay on the V8 heap. */
export const ARENA_MAX_LENGTH = 127;
const LENGTH_BITS = 7;
const LENGTH_MASK = (1 << LENGTH_BITS) - 1;
const CLASS_SHIFT = 3; // classes are 8 bytes apart
const CLASSES = (ARENA_MAX_LENGTH + 7) >>> CLASS_SHIFT;
const PAGE_SHIFT = 12;
/** Slots in one page of a class (4,096: pages of 32 KiB to 512 KiB). */
export const PAGE_SLOTS = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SLOTS - 1;
/** Slots an arena keeps however few of them are in use (see StringArena.sparse). */
const KEPT_SLOTS = 4096;
/**
 * The most strings a collection moves to a fresh arena at once (about 2-3 ms): a longer one keeps
 * its pages until it is down to this many, rather than pause a command for longer.
 */
const MOVED_MAX = 32_768;
/** Slots of a class's first page when it is made (it grows to PAGE_SLOTS, see #grow). */
const FIRST_PAGE_SLOTS = 16;
/** Slots of one class: handles stay within V8's small integers (2^30 - 1) on every platform. */
const MAX_SLOTS = 1 << (30 - LENGTH_BITS);
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Below this length a value is copied by a charCodeAt loop, above by a native write. */
const SHORT = 32;

/** Below this length {@link StringArena.read} decodes in JS, from it natively. */
const SHORT_READ = 16;
/** One reusable array of char codes per length below SHORT_READ. */
const CODES: number[][] = Array.from({ length: SHORT_READ }, (_, n) =>
  new Array<number>(n).fill(0),
);

type Page = Latin1Buffer;

/** Where touch() leaves the sum of its loads (a result nobody reads is compiled away). */
const touchSink = { sink: 0 };

/** One size class: its pages, the next never-used slot, and the released ones. */
interface SizeClass {
  readonly size: number;
  readonly pages: Page[];
  /** slots the pages hold */
  capacity: number;
  top: number;
  readonly free: number[];
}

/** The length of the string behind a handle. O(1). */
export function handleLength(handle: number): number {
  return handle & LENGTH_MASK;
}

/** The index of the size class of a string of `length` bytes (1-127). */
function classIndex(length: number): number {
  return (length - 1) >>> CLASS_SHIFT;
}

/** Where the string behind a handle starts in its page: its slot's index times its class's size. */
function offsetOf(handle: number): number {
  const size = (classIndex(handle & LENGTH_MASK) + 1) << CLASS_SHIFT;
  return ((handle >>> LENGTH_BITS) & PAGE_MASK) * size;
}

/**
 * Byte pages for short latin1 strings, addressed by integer handles.
 *
 * @example
 * ```ts
 * const arena = new StringArena();
 * const h = arena.store('hello');   // a small integer, or -1 when the string does not fit
 * arena.read(h);                    // 'hello'
 * arena.free(h);
 * ```
 */
export class StringArena {
  readonly #classes: SizeClass[] = [];
  /** slots in use */
  #used = 0;
  /** slots the pages hold, over every class */
  #slots = 0;

  constructor() {
    for (let c = 1; c <= CLASSES; c++) {
      this.#classes.push({ size: c << CLASS_SHIFT, pages: [], capacity: 0, top: 0, free: [] });
    }
  }

  /** Strings held. */
  get count(): number {
    return this.#used;
  }

  /** Slots the pages hold (in use, free or never used yet), over every size class. O(1). */
  get slots(): number {
    return this.#slots;
  }

  /**
   * True when the pages hold four times the slots in use (past {@link KEPT_SLOTS}), and few
   * enough strings are left to move at once: the collection that owns the arena should move its
   * strings to a fresh one (`to.hold(from.read(handle))` for each handle), so the pages go.
   * O(1).
   */
  get sparse(): boolean {
    const used = this.#used;
    return this.#slots > KEPT_SLOTS && used * 4 < this.#slots && used <= MOVED_MAX;
  }

  /** Bytes of the pages allocated (what the arena adds to the process's memory). */
  get reservedBytes(): number {
    let bytes = 0;
    for (const sizeClass of this.#classes) for (const page of sizeClass.pages) bytes += page.length;
    return bytes;
  }

  /**
   * Copies a latin1 string of 1 to {@link ARENA_MAX_LENGTH} chars in; returns its handle, or -1
   * when it is empty, longer, or its class is full (the caller keeps the string itself). O(length).
   */
  store(value: string): number {
    const length = value.length;
    if (length === 0 || length > ARENA_MAX_LENGTH) return -1;
    const sizeClass = this.#classes[classIndex(length)]!;
    let slot: number;
    if (sizeClass.free.length !== 0) slot = sizeClass.free.pop()!;
    else {
      slot = sizeClass.top;
      if (slot >= MAX_SLOTS) return -1;
      if (slot >= sizeClass.capacity) this.#grow(sizeClass);
      sizeClass.top = slot + 1;
    }
    this.#used++;
    const page = sizeClass.pages[slot >>> PAGE_SHIFT]!;
    const at = (slot & PAGE_MASK) * sizeClass.size;
    if (length < SHORT) {
      for (let i = 0; i < length; i++) page[at + i] = value.charCodeAt(i);
    } else {
      page.latin1Write(value, at, length);
    }
    return (slot << LENGTH_BITS) | length;
  }

  /**
   * What a holder keeps for `value`: its handle once stored here, or `value` itself when it
   * does not fit (empty, longer, or its class full). The reverse of {@link StringArena.resolve}.
   * O(length).
   */
  hold(value: string): string | number {
    const handle = this.store(value);
    return handle < 0 ? value : handle;
  }

  /** The string behind a handle (a new JS string). O(length). */
  read(handle: number): string {
    const length = handle & LENGTH_MASK;
    const page = this.#pageOf(handle)!;
    const at = offsetOf(handle);
    if (length >= SHORT_READ) return page.latin1Slice(at, at + length);
    // short (a counter, say): String.fromCharCode over a reused array of the string's length
    // costs 15-30 ns against ~38 ns for the native slice
    const codes = CODES[length]!;
    for (let i = 0; i < length; i++) codes[i] = page[at + i]!;
    return String.fromCharCode.apply(null, codes);
  }

  /**
   * The string behind a handle read as a decimal integer of up to 15 digits, by string2ll's rules
   * (an optional "-", no "+", no spaces, no leading zeros, not "-0"), without making the string;
   * NaN when it is not one (a longer integer included: the caller parses the string). O(length).
   */
  integer(handle: number): number {
    const length = handle & LENGTH_MASK;
    if (length > 16) return NaN;
    const page = this.#pageOf(handle)!;
    let at = offsetOf(handle);
    const end = at + length;
    const negative = page[at] === MINUS;
    if (negative) at++;
    if (end - at > 15 || at === end) return NaN;
    const first = page[at]!;
    if (first === ZERO) return end - at === 1 && !negative ? 0 : NaN;
    let value = 0;
    for (; at < end; at++) {
      const c = page[at]!;
      if (c < ZERO || c > NINE) return NaN;
      value = value * 10 + (c - ZERO);
    }
    return negative ? -value : value;
  }

  /** The first char code of the string behind a handle. O(1). */
  firstCode(handle: number): number {
    return this.#pageOf(handle)![offsetOf(handle)]!;
  }

  /** True when the string behind a handle is `value`, compared in place. O(length). */
  equals(handle: number, value: string): boolean {
    const length = handle & LENGTH_MASK;
    if (value.length !== length) return false;
    const page = this.#pageOf(handle)!;
    const at = offsetOf(handle);
    for (let i = 0; i < length; i++) if (page[at + i] !== value.charCodeAt(i)) return false;
    return true;
  }

  /** Writes the string behind a handle as a bulk reply, straight from its page. O(length). */
  reply(writer: RespWriter, handle: number): void {
    const at = offsetOf(handle);
    writer.bulkSlice(this.#pageOf(handle)!, at, at + (handle & LENGTH_MASK));
  }

  /** `stored` read out when it is a handle, else `stored` itself (a table's value). O(length). */
  resolve<T>(stored: T | number): T | string {
    return typeof stored === 'number' ? this.read(stored) : stored;
  }

  /**
   * Loads into the CPU cache the strings of the handles among `values[0, count)` (other values,
   * negative numbers included, are skipped), one load each, all independent: a batch's reads
   * then find them cached. Changes nothing. O(count).
   */
  touch(values: readonly unknown[], count: number): void {
    let sink = 0;
    for (let i = 0; i < count; i++) {
      const handle = values[i];
      if (typeof handle !== 'number' || handle < 0) continue;
      const page = this.#pageOf(handle);
      if (page !== undefined) sink += page[offsetOf(handle)]!;
    }
    touchSink.sink = sink;
  }

  /** The page holding the string behind a handle (undefined for a number that is none). */
  #pageOf(handle: number): Page | undefined {
    const sizeClass = this.#classes[classIndex(handle & LENGTH_MASK)];
    return sizeClass?.pages[handle >>> (LENGTH_BITS + PAGE_SHIFT)];
  }

  /**
   * Room for the next slot of a class: the first page starts at {@link FIRST_PAGE_SLOTS} and is
   * reallocated twice as large until it has {@link PAGE_SLOTS} (a hash with a few short values
   * reserves a few hundred bytes, not a page), then whole pages are added.
   */
  #grow(sizeClass: SizeClass): void {
    const pages = sizeClass.pages;
    const first = pages[0];
    if (first === undefined || sizeClass.capacity < PAGE_SLOTS) {
      const slots = first === undefined ? FIRST_PAGE_SLOTS : sizeClass.capacity * 2;
      const page = Buffer.allocUnsafeSlow(slots * sizeClass.size) as Page;
      if (first !== undefined) first.copy(page, 0, 0, first.length);
      pages[0] = page;
      this.#slots += slots - sizeClass.capacity;
      sizeClass.capacity = slots;
    } else {
      pages.push(Buffer.allocUnsafeSlow(PAGE_SLOTS * sizeClass.size) as Page);
      sizeClass.capacity += PAGE_SLOTS;
      this.#slots += PAGE_SLOTS;
    }
  }

  /**
   * A copy holding the same strings under the same handles (a collection's deep copy copies its
   * handles and its arena). O(bytes reserved).
   */
  clone(): StringArena {
    const copy = new StringArena();
    copy.#used = this.#used;
    copy.#slots = this.#slots;
    for (let c = 0; c < this.#classes.length; c++) {
      const from = this.#classes[c]!;
      const pages = from.pages.map((page) => {
        const twin = Buffer.allocUnsafeSlow(page.length) as Page;
        page.copy(twin);
        return twin;
      });
      copy.#classes[c] = { ...from, pages, free: from.free.slice() };
    }
    return copy;
  }

  /** Releases a handle's slot for reuse; the handle must not be used again. O(1). */
  free(handle: number): void {
    this.#classes[classIndex(handle & LENGTH_MASK)]!.free.push(handle >>> LENGTH_BITS);
    this.#used--;
  }
}
