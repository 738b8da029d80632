import type { Database } from '../keyspace.js';

/**
 * Node's Buffer one-shot latin1 codecs (present on every Buffer, missing from @types/node): they
 * skip the encoding switch of `toString('latin1', ...)`.
 *
 * @example
 * ```ts
 * const bytes: Latin1Buffer = allocLatin1(4);
 * bytes.latin1Write('ab', 0);
 * ```
 */
export interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number, length?: number): number;
}

/**
 * A zero-filled buffer of `size` bytes, typed with its latin1 codecs. O(size).
 *
 * @example
 * ```ts
 * allocLatin1(3).latin1Slice(0, 3); // '\0\0\0'
 * ```
 */
export function allocLatin1(size: number): Latin1Buffer {
  return Buffer.alloc(size) as Latin1Buffer;
}

/**
 * A string value edited in place by SETBIT and BITFIELD, without copying the whole string per
 * command.
 *
 * byor stores strings as immutable latin1 JS strings, so setting one bit of a 1 MB bitmap would
 * copy 1 MB: setting bits one by one would be quadratic. A BitmapBuffer keeps the bytes in a
 * growable Buffer and the string as a rope of 4 KiB chunk strings, joined in a complete binary
 * tree of V8 cons strings (readability traded for speed: this is a segment tree of strings):
 *
 *     nodes[1]                      = the value stored in the keyspace (a cons string)
 *     nodes[2], nodes[3]            = its halves
 *     ...
 *     nodes[slots + j]              = bytes [j * CHUNK, (j + 1) * CHUNK) as a flat string ('' past the end)
 *
 * Changing a byte rebuilds its chunk string (one 4 KiB copy) and the log2(slots) cons strings
 * above it: O(CHUNK + log n) per edit instead of O(n). The keyspace holds `nodes[1]`, an ordinary
 * JS string to everything else; V8 flattens it once when someone reads it (GET, persistence), and
 * the next edit makes a new root. A value that has grown past the tree is re-rooted in a tree of
 * twice the slots (amortised O(1) per byte appended).
 *
 * The proper fix is a mutable string representation in the keyspace (values.ts), as sds is in
 * Redis: this class is the workaround that keeps values.ts unchanged.
 *
 * @example
 * ```ts
 * const buffer = new BitmapBuffer('\0'.repeat(1 << 20));
 * buffer.setByte(5000, 0xff);
 * const value = buffer.commit(); // a new 1 MiB string; one 4 KiB chunk was copied
 * ```
 */
export class BitmapBuffer {
  #bytes: Latin1Buffer;
  #length: number;
  /** leaves of the tree (a power of two) */
  #slots: number;
  #nodes: string[];
  /** range of leaves changed since the last {@link BitmapBuffer.commit} (empty when low > high) */
  #dirtyLow = 1;
  #dirtyHigh = 0;

  /** Bytes per leaf string. */
  static readonly CHUNK = 4096;

  /** A buffer holding `value`'s bytes. O(n). */
  constructor(value: string) {
    this.#length = value.length;
    this.#bytes = allocLatin1(Math.max(16, value.length));
    this.#bytes.latin1Write(value, 0, value.length);
    this.#slots = slotsFor(value.length);
    this.#nodes = new Array<string>(2 * this.#slots).fill('');
    this.#rebuildAll(value);
  }

  /** Number of bytes (the string's length). */
  get length(): number {
    return this.#length;
  }

  /** Bytes of storage held (capacity), for the cache's memory budget. */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** The current value as a string (after {@link BitmapBuffer.commit}). O(1). */
  get value(): string {
    return this.#nodes[1] ?? '';
  }

  /** The byte at `index`, 0 past the end. O(1). */
  byteAt(index: number): number {
    return index < this.#length ? (this.#bytes[index] ?? 0) : 0;
  }

  /** A view of the bytes (valid until the next write). O(1). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /**
   * Pads the value with zero bytes up to `length` bytes (sdsgrowzero); returns true when it grew.
   * Amortised O(1) per byte added.
   */
  grow(length: number): boolean {
    const old = this.#length;
    if (length <= old) return false;
    if (length > this.#bytes.length) {
      // sdsMakeRoomFor's policy: double while small, then 1 MiB at a time
      const capacity = length < 1 << 20 ? length * 2 : length + (1 << 20);
      const bytes = allocLatin1(capacity);
      bytes.set(this.#bytes.subarray(0, old));
      this.#bytes = bytes;
    }
    this.#length = length;
    if (length > this.#slots * BitmapBuffer.CHUNK) {
      this.#slots = slotsFor(length);
      this.#nodes = new Array<string>(2 * this.#slots).fill('');
      this.#dirtyLow = 0;
      this.#dirtyHigh = this.#slots - 1;
    } else {
      this.#markDirty(
        Math.floor(old / BitmapBuffer.CHUNK),
        Math.floor((length - 1) / BitmapBuffer.CHUNK),
      );
    }
    return true;
  }

  /** Writes a byte within the current length. O(1); the string follows at commit. */
  setByte(index: number, byte: number): void {
    this.#bytes[index] = byte;
    const leaf = Math.floor(index / BitmapBuffer.CHUNK);
    this.#markDirty(leaf, leaf);
  }

  /**
   * Rebuilds the changed chunk strings and the cons strings above them; returns the new value.
   * O(changed bytes + log n).
   */
  commit(): string {
    let low = this.#dirtyLow;
    let high = this.#dirtyHigh;
    if (low > high) return this.value;
    const slots = this.#slots;
    const nodes = this.#nodes;
    const bytes = this.#bytes;
    const length = this.#length;
    const chunk = BitmapBuffer.CHUNK;
    for (let leaf = low; leaf <= high; leaf++) {
      const start = leaf * chunk;
      nodes[slots + leaf] =
        start >= length ? '' : bytes.latin1Slice(start, Math.min(length, start + chunk));
    }
    low = (slots + low) >> 1;
    high = (slots + high) >> 1;
    while (low >= 1) {
      for (let node = low; node <= high; node++)
        nodes[node] = (nodes[2 * node] ?? '') + (nodes[2 * node + 1] ?? '');
      if (low === 1) break;
      low >>= 1;
      high >>= 1;
    }
    this.#dirtyLow = 1;
    this.#dirtyHigh = 0;
    return nodes[1] ?? '';
  }

  /** Throws when the tree's strings disagree with the bytes (tests). O(n). */
  checkInvariants(): void {
    if (this.#dirtyLow <= this.#dirtyHigh) throw new Error('uncommitted changes');
    const slots = this.#slots;
    if ((slots & (slots - 1)) !== 0) throw new Error(`slots ${slots} is not a power of two`);
    if (slots * BitmapBuffer.CHUNK < this.#length && slots > 1) throw new Error('tree too small');
    for (let node = 1; node < slots; node++) {
      if (this.#nodes[node] !== (this.#nodes[2 * node] ?? '') + (this.#nodes[2 * node + 1] ?? ''))
        throw new Error(`node ${node} is not the concatenation of its children`);
    }
    if (this.value !== this.#bytes.latin1Slice(0, this.#length))
      throw new Error('the value differs from the bytes');
    for (let i = this.#length; i < this.#bytes.length; i++)
      if (this.#bytes[i] !== 0) throw new Error(`byte ${i} past the end is not zero`);
  }

  #markDirty(low: number, high: number): void {
    if (low < this.#dirtyLow || this.#dirtyLow > this.#dirtyHigh) this.#dirtyLow = low;
    if (high > this.#dirtyHigh) this.#dirtyHigh = high;
  }

  #rebuildAll(value: string): void {
    const slots = this.#slots;
    const chunk = BitmapBuffer.CHUNK;
    if (slots === 1) {
      this.#nodes[1] = value;
      return;
    }
    for (let leaf = 0; leaf < slots; leaf++) {
      const start = leaf * chunk;
      this.#nodes[slots + leaf] =
        start >= value.length ? '' : value.slice(start, Math.min(value.length, start + chunk));
    }
    for (let node = slots - 1; node >= 1; node--)
      this.#nodes[node] = (this.#nodes[2 * node] ?? '') + (this.#nodes[2 * node + 1] ?? '');
  }
}

/** Leaves needed for `length` bytes: the next power of two of the chunk count (at least 1). */
function slotsFor(length: number): number {
  const chunks = Math.max(1, Math.ceil(length / BitmapBuffer.CHUNK));
  let slots = 1;
  while (slots < chunks) slots *= 2;
  return slots;
}

/** Strings shorter than this are simply rebuilt per edit (a copy of a few KiB is cheaper). */
const MIN_CACHED_LENGTH = 16 * 1024;
/** Memory the cache may hold across every database, in bytes of buffer capacity. */
const CACHE_BUDGET = 64 * 1024 * 1024;

interface CacheEntry {
  buffer: BitmapBuffer;
  accounted: number;
}

/**
 * The BitmapBuffers of the large strings SETBIT/BITFIELD edited last, least recently used first,
 * within a memory budget. An entry is valid while the keyspace still holds the exact string the
 * buffer last produced (`buffer.value === value`: a pointer comparison when it is the same string
 * object); any other write to the key (SET, APPEND, DEL...) makes it stale, and the next edit
 * rebuilds it from the string. One cache per server; entries are keyed by Database object and key.
 * Lookups are O(1); eviction is least recently used first.
 *
 * @example
 * ```ts
 * const buffer = cache.acquire(db, key, current);
 * buffer.setByte(0, 1);
 * db.update(key, buffer.commit());
 * cache.done(db, key, buffer);
 * ```
 */
export class BitmapCache {
  #entries = new Map<string, CacheEntry>();
  #byDb = new WeakMap<Database, number>();
  #nextDbId = 1;
  #bytes = 0;
  readonly #budget: number;
  readonly #minLength: number;

  constructor(budget = CACHE_BUDGET, minLength = MIN_CACHED_LENGTH) {
    this.#budget = budget;
    this.#minLength = minLength;
  }

  /** Bytes held by cached buffers. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of cached buffers. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The buffer of `key` when the cache holds one for exactly `value`, else undefined. O(1) when
   * `value` is the string the buffer produced.
   */
  peek(db: Database, key: string, value: string): BitmapBuffer | undefined {
    if (value.length < this.#minLength) return undefined;
    const entry = this.#entries.get(this.#id(db, key));
    return entry !== undefined && entry.buffer.value === value ? entry.buffer : undefined;
  }

  /**
   * A buffer to edit `value` (the key's current string, '' for a new key): the cached one, or a
   * new one (O(n)). Call {@link BitmapCache.done} after committing the edit.
   */
  acquire(db: Database, key: string, value: string): BitmapBuffer {
    const id = this.#id(db, key);
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      if (entry.buffer.value === value) {
        // most recently used last
        this.#entries.delete(id);
        this.#entries.set(id, entry);
        return entry.buffer;
      }
      this.#remove(id, entry);
    }
    return new BitmapBuffer(value);
  }

  /** Keeps (or drops) `buffer` after an edit, according to its size and the budget. */
  done(db: Database, key: string, buffer: BitmapBuffer): void {
    const id = this.#id(db, key);
    const entry = this.#entries.get(id);
    if (buffer.length < this.#minLength || buffer.capacity > this.#budget) {
      if (entry !== undefined) this.#remove(id, entry);
      return;
    }
    if (entry === undefined) {
      this.#entries.set(id, { buffer, accounted: buffer.capacity });
      this.#bytes += buffer.capacity;
    } else {
      entry.buffer = buffer;
      this.#bytes += buffer.capacity - entry.accounted;
      entry.accounted = buffer.capacity;
    }
    for (const [oldId, old] of this.#entries) {
      if (this.#bytes <= this.#budget) break;
      this.#remove(oldId, old);
    }
  }

  #remove(id: string, entry: CacheEntry): void {
    this.#entries.delete(id);
    this.#bytes -= entry.accounted;
  }

  #id(db: Database, key: string): string {
    let dbId = this.#byDb.get(db);
    if (dbId === undefined) {
      dbId = this.#nextDbId++;
      this.#byDb.set(db, dbId);
    }
    return `${dbId}\0${key}`;
  }
}
