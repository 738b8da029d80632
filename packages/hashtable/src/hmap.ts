/**
 * `HMap` of the book (chapter 8): two chained tables and progressive rehashing.
 *
 * A resize never moves every entry at once. It allocates the new bucket array (`newer`), keeps
 * the old one (`older`), and each later operation moves a bounded amount of work from `older`
 * to `newer` (`hm_help_rehashing`), so the worst single insert pays for at most
 * `REHASHING_WORK` moves, not for the whole table:
 *
 *     newer  [ . . . . . . . . ]  2^(k+1) buckets: new inserts go here
 *     older  [ x x x . . . . . ]  2^k buckets, drained from migratePos upward
 *                  ^ migratePos
 *
 * Lookups and deletes look in `newer`, then in `older`. The entries themselves never move:
 * migrating one relinks its id into the other bucket array (the stored hash gives its bucket,
 * no key is hashed again).
 *
 * Resize policy (Redis's): grow to twice the buckets when the load factor passes 1, shrink to
 * the next power of two above the size when it falls below 1/8, never while a rehash is in
 * progress (the chains get longer for a while instead; the check runs again when the rehash
 * ends). The book moves `k_rehashing_work = 128` entries per step and skips empty buckets for
 * free; here an empty bucket visited (or a bucket chunk never written) counts as one unit of
 * work too, so that a step stays bounded when a shrink drains a mostly empty table.
 *
 * The same steps compact the entry pool when fewer than an eighth of its slots are live (after
 * mass deletes; idle steps, through `requestCompaction`, from half): the entry at the top of the
 * pool moves into a free slot below, its chain relinked (found through its stored hash), and
 * pages above the top are given back. Compaction is the only thing that moves a live entry, so
 * it waits while an iterator is open.
 *
 * @packageDocumentation
 */
import { nextCursor } from './cursor.js';
import { EntryPool, HOLE, PAGE_MASK, PAGE_SHIFT, STACK_MASK, STACK_SHIFT } from './entry-pool.js';
import { HashTableInvariantError } from './errors.js';
import { CHUNK_MASK, CHUNK_SHIFT, HTab } from './htab.js';
import type { ScanSink } from './scan-sink.js';

/**
 * The book's `k_rehashing_work`: the units of rehash work (one per entry migrated or empty
 * bucket visited) that each operation does while a resize is in progress, and the default
 * budget of `rehashStep()`. Bounds the extra cost of any single operation: O(128).
 *
 * @example
 * ```ts
 * table.rehashStep(REHASHING_WORK * 8); // an idle server can do more per call
 * ```
 */
export const REHASHING_WORK = 128;

/** A hashed table never has fewer buckets. */
export const MIN_BUCKETS = 16;
/** Nor more: cursors are 32-bit, and past 2^30 buckets the load factor grows instead. */
export const MAX_BUCKETS = 1 << 30;

/** Tries of uniform random slots before falling back to a walk (only a sparse pool needs it). */
const RANDOM_TRIES = 32;

/** The smallest power of two at least `n` (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/**
 * A uniform integer in [0, n) from a random source of floats in [0, 1). Clamped, so that a
 * source returning 1 (or more) stays in range.
 *
 * @internal
 */
export function randomBelow(random: () => number, n: number): number {
  const index = Math.floor(random() * n);
  return index >= n ? n - 1 : index > 0 ? index : 0;
}

/**
 * The hashed form of a table: the entry pool, `newer` and `older` bucket arrays, and the
 * progressive rehash between them.
 *
 * @internal
 */
export class HMap extends EntryPool {
  /** The table new entries go to. */
  newer: HTab;
  /** The table being drained by a rehash in progress, else null. */
  older: HTab | null;
  /** The next bucket of `older` to migrate: buckets below it are empty. */
  migratePos: number;
  /** True while the pool should be compacted (see {@link HMap.remove}). */
  compacting: boolean;
  /** `older !== null || compacting`, kept as one field: every operation reads it. */
  busy: boolean;
  /** The caller's key equality, null for `===` (string keys). */
  readonly equals: ((a: unknown, b: unknown) => boolean) | null;

  /**
   * Adopts `page0` (ids unchanged) with an empty bucket array of `bucketCount` buckets. The
   * caller then links every live id with {@link HMap.link} and frees the others with
   * {@link EntryPool.pushFree}.
   */
  constructor(
    page0: unknown[],
    top: number,
    stamps0: Uint32Array | null,
    bucketCount: number,
    equals: ((a: unknown, b: unknown) => boolean) | null,
  ) {
    super(page0, top, stamps0);
    this.newer = new HTab(bucketCount);
    this.older = null;
    this.migratePos = 0;
    this.compacting = false;
    this.busy = false;
    this.equals = equals;
  }

  /** Live entries. */
  get size(): number {
    const older = this.older;
    return this.newer.size + (older === null ? 0 : older.size);
  }

  /** Chains live entry `id`, whose key is in place, into `newer` under `hash`. O(1). */
  link(id: number, hash: number): void {
    const meta = this.meta[id >>> PAGE_SHIFT]!;
    const slot = (id & PAGE_MASK) * this.stride;
    const newer = this.newer;
    const bucket = hash & newer.mask;
    meta[slot] = hash;
    meta[slot + 1] = newer.head(bucket);
    newer.setHead(bucket, id);
    newer.size++;
  }

  /** The id of the entry with `key` (hashed to `hash`), or 0. O(1) expected. */
  find(key: unknown, hash: number): number {
    const id = this.#findIn(this.newer, key, hash);
    if (id !== 0) return id;
    const older = this.older;
    return older === null ? 0 : this.#findIn(older, key, hash);
  }

  // Hot path: the chain walk reads the page arrays once, indexes them by hand (no accessor
  // calls), and loads the key in the same step as the hash so that the two cache misses overlap.
  // The `===` loop (string keys) and the `equals` loop are separate so that neither tests which
  // one it is per entry.
  #findIn(table: HTab, key: unknown, hash: number): number {
    const bucket = hash & table.mask;
    const chunk = table.chunks[bucket >>> CHUNK_SHIFT]!;
    if (chunk === null) return 0;
    let id = chunk[bucket & CHUNK_MASK]!;
    if (id === 0) return 0;
    const kv = this.kv;
    const meta = this.meta;
    const stride = this.stride;
    const equals = this.equals;
    if (equals === null) {
      do {
        const page = id >>> PAGE_SHIFT;
        const at = (id & PAGE_MASK) * stride;
        const links = meta[page]!;
        const candidate = kv[page]![(id & PAGE_MASK) << 1];
        if (links[at] === hash && candidate === key) return id;
        id = links[at + 1]!;
      } while (id !== 0);
      return 0;
    }
    do {
      const page = id >>> PAGE_SHIFT;
      const at = (id & PAGE_MASK) * stride;
      const links = meta[page]!;
      if (links[at] === hash && equals(kv[page]![(id & PAGE_MASK) << 1], key)) return id;
      id = links[at + 1]!;
    } while (id !== 0);
    return 0;
  }

  /**
   * Loads the cache lines that finding the keys of `hashes[0, count)` (hashed as `find` takes
   * them) will read, level by level across the keys, so that their misses overlap instead of
   * coming one after another: the bucket heads, then each head entry's hash, key and value,
   * then the key and a string value themselves (`keys` is scratch room for 2 * count); the head
   * entries' values go to `values` when given. Changes nothing. Only `newer` is read (during a
   * rehash an older key just misses as it would have). Returns a number to be consumed (loads
   * whose result is unused would be dropped by the compiler).
   */
  touch(hashes: Int32Array, keys: unknown[], count: number, values?: unknown[]): number {
    const newer = this.newer;
    const mask = newer.mask;
    const chunks = newer.chunks;
    const ids = hashes; // each hash becomes its chain's head id once read
    for (let i = 0; i < count; i++) {
      const bucket = hashes[i]! & mask;
      const chunk = chunks[bucket >>> CHUNK_SHIFT]!;
      ids[i] = chunk === null ? 0 : chunk[bucket & CHUNK_MASK]!;
    }
    const kv = this.kv;
    const meta = this.meta;
    const stride = this.stride;
    let sink = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if (id === 0) {
        keys[i << 1] = undefined;
        keys[(i << 1) + 1] = undefined;
        continue;
      }
      const page = id >>> PAGE_SHIFT;
      sink += meta[page]![(id & PAGE_MASK) * stride]!;
      const slot = (id & PAGE_MASK) << 1;
      keys[i << 1] = kv[page]![slot];
      keys[(i << 1) + 1] = kv[page]![slot + 1];
    }
    for (let i = 0; i < count; i++) {
      const key = keys[i << 1];
      const value = keys[(i << 1) + 1];
      if (typeof key === 'string') sink += key.length;
      if (typeof value === 'string') sink += value.length;
      if (values !== undefined) values[i] = value;
      keys[i << 1] = undefined;
      keys[(i << 1) + 1] = undefined;
    }
    return sink;
  }

  /**
   * Inserts an entry whose key is known to be absent, then starts a resize if one is due;
   * returns its id. O(1) amortized.
   */
  insert(key: unknown, value: unknown, hash: number): number {
    const id = this.allocate();
    const page = this.kv[id >>> PAGE_SHIFT]!;
    const slot = (id & PAGE_MASK) << 1;
    page[slot] = key;
    page[slot + 1] = value;
    this.link(id, hash);
    // hm_insert: check the load factor once no rehash is in progress
    if (this.older === null) {
      const newer = this.newer;
      if (newer.size > newer.mask + 1 && newer.mask + 1 < MAX_BUCKETS) {
        this.#triggerRehashing((newer.mask + 1) * 2);
      }
    }
    return id;
  }

  /** Deletes the entry with `key`; returns whether it existed. O(1) expected. */
  remove(key: unknown, hash: number): boolean {
    const id = this.#unlink(this.newer, key, hash) || this.#unlinkOlder(key, hash);
    if (id === 0) return false;
    this.release(id);
    if (id === this.top - 1) {
      this.trimTop();
    } else if (!this.compacting && this.freeCount > 7 * this.size + MIN_BUCKETS) {
      // operations compact once fewer than an eighth of the slots are live, until two thirds
      // are: a full drain then moves about a tenth of the entries once more (idle steps,
      // `requestCompaction`, start as soon as half of the slots are free)
      this.compacting = true;
      this.busy = true;
    }
    if (this.older === null) this.#shrinkIfSparse();
    return true;
  }

  #unlinkOlder(key: unknown, hash: number): number {
    const older = this.older;
    if (older === null) return 0;
    const id = this.#unlink(older, key, hash);
    // the last entry of `older` deleted: the rehash is over, as when #migrate empties it
    if (id !== 0 && older.size === 0) this.#endRehashing();
    return id;
  }

  /** Takes the entry with `key` out of `table`'s chain; returns its id or 0. */
  #unlink(table: HTab, key: unknown, hash: number): number {
    const bucket = hash & table.mask;
    const equals = this.equals;
    let previous = 0;
    let id = table.head(bucket);
    while (id !== 0) {
      const page = id >>> PAGE_SHIFT;
      const at = (id & PAGE_MASK) * this.stride;
      const links = this.meta[page]!;
      const next = links[at + 1]!;
      // loaded with the hash: the two misses overlap
      const candidate = this.kv[page]![(id & PAGE_MASK) << 1];
      if (links[at] === hash) {
        if (equals === null ? candidate === key : equals(candidate, key)) {
          if (previous === 0) table.setHead(bucket, next);
          else this.setNext(previous, next);
          table.size--;
          return id;
        }
      }
      previous = id;
      id = next;
    }
    return 0;
  }

  /** Starts a shrink when the load factor is below 1/8 (Redis's HASHTABLE_MIN_FILL). */
  #shrinkIfSparse(): void {
    const newer = this.newer;
    const buckets = newer.mask + 1;
    if (buckets > MIN_BUCKETS && newer.size * 8 < buckets) {
      const target = Math.max(MIN_BUCKETS, nextPowerOfTwo(newer.size));
      if (target < buckets) this.#triggerRehashing(target);
    }
  }

  /** Grows or shrinks if due; called when a rehash ends, since none starts during one. */
  #resizeIfNeeded(): void {
    const newer = this.newer;
    if (newer.size > newer.mask + 1 && newer.mask + 1 < MAX_BUCKETS) {
      this.#triggerRehashing((newer.mask + 1) * 2);
    } else {
      this.#shrinkIfSparse();
    }
  }

  /** hm_trigger_rehashing: the current table becomes `older`, a new empty one `newer`. */
  #triggerRehashing(bucketCount: number): void {
    if (this.newer.size === 0) {
      // nothing to move: the new size at once
      this.newer = new HTab(bucketCount);
      return;
    }
    this.older = this.newer;
    this.newer = new HTab(bucketCount);
    this.migratePos = 0;
    this.busy = true;
  }

  /** Starts compaction if at least half of the slots are free: for idle steps. O(1). */
  requestCompaction(): void {
    if (!this.compacting && this.freeCount > this.size + MIN_BUCKETS) {
      this.compacting = true;
      this.busy = true;
    }
  }

  /**
   * hm_help_rehashing: does up to `budget` units of pending work (one unit per entry migrated,
   * empty bucket visited or entry compacted), rehash first. Compaction runs only when
   * `mayCompact` (no iterator open). Returns whether work remains. O(budget).
   */
  help(budget: number, mayCompact: boolean): boolean {
    let work = 0;
    if (this.older !== null) work = this.#migrate(budget);
    if (this.compacting && mayCompact) {
      while (work < budget && this.#compactStep()) work++;
      if (this.freeCount * 2 <= this.size) this.compacting = false;
    }
    this.busy = this.older !== null || this.compacting;
    return this.busy;
  }

  /** Moves up to `budget` units from `older` to `newer`; returns the work done. */
  #migrate(budget: number): number {
    const older = this.older!;
    const newer = this.newer;
    const mask = newer.mask;
    const meta = this.meta;
    const stride = this.stride;
    let position = this.migratePos;
    let work = 0;
    while (work < budget && older.size > 0) {
      const chunk = older.chunks[position >>> CHUNK_SHIFT]!;
      if (chunk === null) {
        // a chunk never written: skip it whole, for one unit of work
        position = ((position >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
        work++;
        continue;
      }
      const id = chunk[position & CHUNK_MASK]!;
      work++;
      if (id === 0) {
        position++;
        continue;
      }
      // detach the head of the older chain, push it on the newer one
      const links = meta[id >>> PAGE_SHIFT]!;
      const at = (id & PAGE_MASK) * stride;
      chunk[position & CHUNK_MASK] = links[at + 1]!;
      const bucket = links[at]! & mask;
      links[at + 1] = newer.head(bucket);
      newer.setHead(bucket, id);
      older.size--;
      newer.size++;
    }
    this.migratePos = position;
    if (older.size === 0) this.#endRehashing();
    return work;
  }

  /** `older` is empty: drop it, and start the next resize if one is due. */
  #endRehashing(): void {
    this.older = null;
    this.migratePos = 0;
    this.busy = this.compacting;
    this.#resizeIfNeeded();
  }

  /**
   * One unit of compaction: drops a free slot at the top of the pool, or moves the top entry
   * into the first free slot. Returns false when there is nothing to compact.
   */
  #compactStep(): boolean {
    if (this.freeCount === 0) return false;
    const top = this.top - 1;
    if (this.keyAt(top) === HOLE) {
      this.trimTop();
      return true;
    }
    const target = this.popFree(); // below top: top is live
    const hash = this.hashAt(top);
    const fromPage = this.kv[top >>> PAGE_SHIFT]!;
    const fromSlot = (top & PAGE_MASK) << 1;
    const toPage = this.kv[target >>> PAGE_SHIFT]!;
    const toSlot = (target & PAGE_MASK) << 1;
    toPage[toSlot] = fromPage[fromSlot];
    toPage[toSlot + 1] = fromPage[fromSlot + 1];
    fromPage[fromSlot] = undefined;
    fromPage[fromSlot + 1] = undefined;
    const toMeta = this.meta[target >>> PAGE_SHIFT]!;
    const toAt = (target & PAGE_MASK) * this.stride;
    toMeta[toAt] = hash;
    toMeta[toAt + 1] = this.nextAt(top);
    if (this.stamped) this.setStampAt(target, this.stampAt(top));
    this.#relink(top, target, hash);
    this.top = top;
    this.trimTop();
    return true;
  }

  /** Points whatever links to entry `from` (a bucket head or a chain predecessor) at `to`. */
  #relink(from: number, to: number, hash: number): void {
    if (this.#relinkIn(this.newer, from, to, hash)) return;
    const older = this.older;
    if (older !== null && this.#relinkIn(older, from, to, hash)) return;
    throw new HashTableInvariantError(`entry ${from} is in no chain of its hash`);
  }

  #relinkIn(table: HTab, from: number, to: number, hash: number): boolean {
    const bucket = hash & table.mask;
    let id = table.head(bucket);
    if (id === from) {
      table.setHead(bucket, to);
      return true;
    }
    while (id !== 0) {
      const next = this.nextAt(id);
      if (next === from) {
        this.setNext(id, to);
        return true;
      }
      id = next;
    }
    return false;
  }

  /**
   * One step of Redis's `dictScan`: gathers the bucket at `cursor` (and, while rehashing, every
   * bucket of the larger table that expands it) into `sink`, and returns the next cursor.
   * Read-only: a scan never helps rehashing. O(1) expected per bucket.
   */
  scanStep(cursor: number, sink: ScanSink): number {
    const older = this.older;
    if (older === null) {
      const table = this.newer;
      this.#gather(table.head(cursor & table.mask), sink);
      return nextCursor(cursor, table.mask);
    }
    let small = this.newer;
    let large = older;
    if (small.mask > large.mask) {
      small = older;
      large = this.newer;
    }
    const smallMask = small.mask;
    const largeMask = large.mask;
    this.#gather(small.head(cursor & smallMask), sink);
    let next = cursor;
    // visit the buckets of the larger table that expand the smaller table's bucket
    do {
      this.#gather(large.head(next & largeMask), sink);
      next = nextCursor(next, largeMask);
    } while ((next & (smallMask ^ largeMask)) !== 0);
    return next;
  }

  #gather(head: number, sink: ScanSink): void {
    for (let id = head; id !== 0; id = this.nextAt(id)) {
      const page = this.kv[id >>> PAGE_SHIFT]!;
      const slot = (id & PAGE_MASK) << 1;
      sink.push(page[slot], page[slot + 1]);
    }
  }

  /**
   * A uniformly random live id: random slots of the pool until one is live (the pool is at
   * least half full unless compaction waits for an iterator, so 2 tries expected). After
   * `RANDOM_TRIES` misses it walks forward from a random slot instead, which always ends but
   * favours entries that follow long runs of free slots. 0 when empty.
   */
  randomId(random: () => number): number {
    const span = this.top - 1;
    if (span < 1 || this.freeCount === span) return 0;
    for (let tries = 0; tries < RANDOM_TRIES; tries++) {
      const id = 1 + randomBelow(random, span);
      if (this.keyAt(id) !== HOLE) return id;
    }
    let id = 1 + randomBelow(random, span);
    while (this.keyAt(id) === HOLE) id = id === span ? 1 : id + 1;
    return id;
  }

  /**
   * Throws {@link HashTableInvariantError} unless every structure agrees: each live entry is in
   * exactly the chain its stored hash picks (and `hashOf` recomputes that hash), the table sizes
   * match their chains, `older` is empty below `migratePos`, the free stack holds exactly the
   * free slots, and no key is reachable twice. O(slots + buckets).
   */
  checkInvariants(hashOf: (key: unknown) => number, expectedSize: number): void {
    const fail = (message: string): never => {
      throw new HashTableInvariantError(`hashtable invariant: ${message}`);
    };
    if (this.capacity < this.top) fail(`top ${this.top} above capacity ${this.capacity}`);
    const meta = this.meta;
    if (meta.length !== this.kv.length)
      fail(`${meta.length} meta pages for ${this.kv.length} pages`);
    for (let page = 0; page < meta.length; page++) {
      if (meta[page]!.length * 2 !== this.kv[page]!.length * this.stride)
        fail(`meta page ${page} holds ${meta[page]!.length / this.stride} entries`);
    }
    if (this.top < 1) fail(`top ${this.top} below 1`);
    const seen = new Uint8Array(this.top);
    const checkTable = (table: HTab, name: string, from: number): void => {
      let count = 0;
      for (let bucket = 0; bucket <= table.mask; bucket++) {
        const head = table.head(bucket);
        if (bucket < from && head !== 0)
          fail(`${name} bucket ${bucket} below migratePos is not empty`);
        for (let id = head; id !== 0; id = this.nextAt(id)) {
          if (id < 1 || id >= this.top)
            fail(`${name} bucket ${bucket} links to id ${id} outside [1, ${this.top})`);
          if (seen[id] !== 0) fail(`id ${id} is linked twice (or a chain has a cycle)`);
          seen[id] = 1;
          const key = this.keyAt(id);
          if (key === HOLE) fail(`free slot ${id} is linked in ${name} bucket ${bucket}`);
          const hash = this.hashAt(id);
          if ((hash & table.mask) !== bucket)
            fail(`id ${id} hash ${hash} is in ${name} bucket ${bucket}`);
          if (hashOf(key) !== hash)
            fail(`id ${id} stored hash ${hash} differs from its key's hash`);
          if (this.find(key, hash) !== id)
            fail(`id ${id}'s key is found at id ${this.find(key, hash)}`);
          count++;
        }
      }
      if (count !== table.size) fail(`${name} size ${table.size} but ${count} chained entries`);
    };
    if ((this.newer.mask & (this.newer.mask + 1)) !== 0) fail(`newer mask ${this.newer.mask}`);
    if (this.newer.mask + 1 < MIN_BUCKETS) fail(`newer has ${this.newer.mask + 1} buckets`);
    checkTable(this.newer, 'newer', 0);
    const older = this.older;
    if (older === null) {
      if (this.migratePos !== 0) fail(`migratePos ${this.migratePos} without a rehash`);
    } else {
      if (older.size === 0) fail('an empty older table is kept');
      if (this.migratePos > older.mask) fail(`migratePos ${this.migratePos} past older`);
      checkTable(older, 'older', this.migratePos);
    }
    if (this.size !== expectedSize) fail(`size ${this.size}, table says ${expectedSize}`);
    let free = 0;
    for (let index = 0; index < this.freeLength; index++) {
      const id = this.freeStack[index >>> STACK_SHIFT]![index & STACK_MASK]!;
      if (id < 1) fail(`free stack holds id ${id}`);
      if (id >= this.top) continue; // stale: dropped when popped
      if (seen[id] === 1) fail(`free slot ${id} is also live`);
      if (seen[id] === 2) fail(`free slot ${id} is twice on the free stack`);
      seen[id] = 2;
      if (this.keyAt(id) !== HOLE) fail(`free slot ${id} holds a key`);
      free++;
    }
    if (this.freeStack.length << STACK_SHIFT < this.freeLength) fail('free stack too short');
    if (free !== this.freeCount) fail(`freeCount ${this.freeCount} but ${free} free slots`);
    for (let id = 1; id < this.top; id++) {
      if (seen[id] === 0) fail(`slot ${id} is neither linked nor free`);
    }
    if (this.top > 1 && this.keyAt(this.top - 1) === HOLE)
      fail(`the top slot ${this.top - 1} is free`);
    for (let id = this.top; id < this.capacity; id++) {
      if (this.keyAt(id) !== undefined || this.valueAt(id) !== undefined)
        fail(`slot ${id} above top holds a reference`);
    }
  }
}
