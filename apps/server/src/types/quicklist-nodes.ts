/**
 * Where redis-server 7.0's quicklist would cut a list into nodes (quicklist.c), kept alongside
 * the list's elements.
 *
 * A list's DUMP payload and RDB record are its quicklist nodes, one listpack each, and where the
 * nodes begin depends on the list's history, not only on its elements: LPUSH a b c with
 * list-max-listpack-size 2 leaves [c] [b a], RPUSH the same elements [a b] [c], and LINSERT
 * splits and merges nodes. For byor's payloads to be redis-server's byte for byte, each list
 * replays redis-server's node decisions on the sizes it would see: per node, its element count
 * and its listpack's bytes (`lpBytes`: 7 for the header and end byte, plus each entry's encoded
 * size, which the caller gives). Nothing here holds an element.
 *
 * The nodes are a ring (counts and bytes in two arrays): pushes and pops at either end are O(1),
 * finding an element's node walks from the nearer end, O(nodes), as quicklist.c does.
 *
 * Not modelled: plain nodes (an element of at least 1 GB, quicklist's packed_threshold; byor's
 * elements are shorter than proto-max-bulk-len) and compression, which changes no boundary.
 */

/** quicklist.c optimization_level: the node size limits of fills -1 to -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** quicklist.c SIZE_SAFETY_LIMIT: a node of a positive fill never grows past it. */
const SIZE_SAFETY_LIMIT = 8192;
/** quicklist.c SIZE_ESTIMATE_OVERHEAD: an entry's bytes over its string's length, at most. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** lpBytes of an empty listpack: its 6-byte header and the end byte. */
export const EMPTY_LISTPACK_BYTES = 7;

/** _quicklistNodeSizeMeetsOptimizationRequirement */
function meetsOptimization(bytes: number, fill: number): boolean {
  if (fill >= 0) return false;
  const limit = OPTIMIZATION_LEVEL[-fill - 1];
  return limit !== undefined && bytes <= limit;
}

/** _quicklistNodeAllowInsert: may a string of `length` bytes join a node of `bytes`, `count`? */
function allowsInsert(bytes: number, count: number, fill: number, length: number): boolean {
  const size = bytes + length + SIZE_ESTIMATE_OVERHEAD;
  if (meetsOptimization(size, fill)) return true;
  if (size > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/** _quicklistNodeAllowMerge (its estimate takes 11 bytes off, the ziplist's header and end). */
function allowsMerge(
  aBytes: number,
  aCount: number,
  bBytes: number,
  bCount: number,
  fill: number,
): boolean {
  const size = (aBytes + bBytes - 11) >>> 0;
  if (meetsOptimization(size, fill)) return true;
  if (size > SIZE_SAFETY_LIMIT) return false;
  return aCount + bCount <= fill;
}

/**
 * The settings a quicklist is made with and keeps (quicklistSetOptions): `fill` is
 * list-max-listpack-size; `compress` is list-compress-depth, the nodes this far from either end
 * stay plain and those between are LZF-compressed in redis-server's memory, and so in its DUMP
 * payloads.
 */
export interface QuicklistOptions {
  readonly fill: number;
  readonly compress: number;
}

/** createQuicklistObject's: -2 (8 KB nodes), no compression (SORT STORE's lists keep these). */
export const DEFAULT_QUICKLIST_OPTIONS: QuicklistOptions = Object.freeze({ fill: -2, compress: 0 });

/** The encoded size of the list's element at `index` (before the change being made). */
export type EntrySizeAt = (index: number) => number;

/**
 * The quicklist nodes of one list: counts and listpack bytes, head to tail.
 *
 * @example
 * ```ts
 * const nodes = new QuicklistNodes({ fill: 2, compress: 0 });
 * for (const value of ['a', 'b', 'c']) nodes.pushHead(value.length, 3);
 * nodes.counts(); // [1, 2]
 * ```
 */
export class QuicklistNodes implements QuicklistOptions {
  readonly fill: number;
  readonly compress: number;
  /** ring buffers of the nodes' element counts and bytes; node i at (#first + i) & mask */
  #counts: number[] = [0];
  #bytes: number[] = [0];
  #first = 0;
  #size = 0;
  /** elements over all nodes */
  #total = 0;
  /** the node and offset #locate found */
  #node = 0;
  #offset = 0;

  constructor(options: QuicklistOptions) {
    this.fill = options.fill;
    this.compress = options.compress;
  }

  /** Nodes from `counts` and `bytes` as a payload holds them (RESTORE, RDB loading). O(nodes). */
  static of(
    options: QuicklistOptions,
    counts: readonly number[],
    bytes: readonly number[],
  ): QuicklistNodes {
    const nodes = new QuicklistNodes(options);
    for (let i = 0; i < counts.length; i++) {
      if (counts[i]! > 0) nodes.#insertNode(nodes.#size, counts[i]!, bytes[i]!);
    }
    return nodes;
  }

  /** Number of nodes. O(1). */
  get size(): number {
    return this.#size;
  }

  /** The element count of each node, head to tail. O(nodes). */
  counts(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#count(i));
    return out;
  }

  /** The listpack bytes of each node, head to tail. O(nodes). */
  bytes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#byteSize(i));
    return out;
  }

  /** A copy (quicklistDup). O(nodes). */
  clone(): QuicklistNodes {
    return QuicklistNodes.of(this, this.counts(), this.bytes());
  }

  /** Forgets every node. O(1). */
  clear(): void {
    this.#counts = [0];
    this.#bytes = [0];
    this.#first = 0;
    this.#size = 0;
    this.#total = 0;
  }

  /** quicklistPushHead of a string of `length` bytes, `entry` bytes encoded. O(1) amortised. */
  pushHead(length: number, entry: number): void {
    if (this.#size !== 0 && allowsInsert(this.#byteSize(0), this.#count(0), this.fill, length))
      this.#grow(0, 1, entry);
    else this.#insertNode(0, 1, EMPTY_LISTPACK_BYTES + entry);
  }

  /** quicklistPushTail. O(1) amortised. */
  pushTail(length: number, entry: number): void {
    const last = this.#size - 1;
    if (last >= 0 && allowsInsert(this.#byteSize(last), this.#count(last), this.fill, length))
      this.#grow(last, 1, entry);
    else this.#insertNode(this.#size, 1, EMPTY_LISTPACK_BYTES + entry);
  }

  /** The head element (of `entry` bytes) went. O(1). */
  popHead(entry: number): void {
    this.#shrink(0, 1, entry);
  }

  /** The tail element went. O(1). */
  popTail(entry: number): void {
    this.#shrink(this.#size - 1, 1, entry);
  }

  /** The element at `index` went (quicklistDelIndex: an emptied node goes too). O(nodes). */
  removeAt(index: number, entry: number): void {
    this.#locate(index);
    this.#shrink(this.#node, 1, entry);
  }

  /**
   * Elements at the sorted `indexes` (positions before any of them went), all of `entry` bytes,
   * went (LREM). O(nodes + indexes).
   */
  removeSorted(indexes: readonly number[], entry: number): void {
    let node = 0;
    let nodeStart = 0; // position of the node's first element before the removals
    let removed = 0; // removed from this node so far
    for (const index of indexes) {
      while (index >= nodeStart + this.#count(node) + removed) {
        nodeStart += this.#count(node) + removed;
        removed = 0;
        if (this.#count(node) === 0) this.#removeNode(node);
        else node++;
      }
      this.#grow(node, -1, -entry);
      removed++;
    }
    if (node < this.#size && this.#count(node) === 0) this.#removeNode(node);
  }

  /** The first `count` elements went (quicklistDelRange from the head). O(nodes touched). */
  removeHead(count: number, entryAt: EntrySizeAt): void {
    let position = 0;
    while (count > 0 && this.#size > 0) {
      const nodeCount = this.#count(0);
      if (count >= nodeCount) {
        this.#removeNode(0);
        position += nodeCount;
        count -= nodeCount;
        continue;
      }
      let bytes = 0;
      for (let i = 0; i < count; i++) bytes += entryAt(position + i);
      this.#shrink(0, count, bytes);
      return;
    }
  }

  /** The last `count` elements of a list of `length` went. O(nodes touched). */
  removeTail(count: number, length: number, entryAt: EntrySizeAt): void {
    let end = length;
    while (count > 0 && this.#size > 0) {
      const last = this.#size - 1;
      const nodeCount = this.#count(last);
      if (count >= nodeCount) {
        this.#removeNode(last);
        end -= nodeCount;
        count -= nodeCount;
        continue;
      }
      let bytes = 0;
      for (let i = end - count; i < end; i++) bytes += entryAt(i);
      this.#shrink(last, count, bytes);
      return;
    }
  }

  /** The element at `index` was replaced in place (quicklistReplaceEntry). O(nodes). */
  replace(index: number, oldEntry: number, newEntry: number): void {
    this.#locate(index);
    this.#grow(this.#node, 0, newEntry - oldEntry);
  }

  /**
   * A string of `length` bytes (`entry` encoded) was inserted next to the element at `pivot`,
   * after it or before it (_quicklistInsert: into the pivot's node when it has room, else into
   * the neighbour it borders, else a node of its own, else the pivot's node splits and the
   * nodes around merge where they can). `entryAt` reads the list as it was. O(nodes + node).
   */
  insert(pivot: number, after: boolean, length: number, entry: number, entryAt: EntrySizeAt): void {
    const fill = this.fill;
    this.#locate(pivot);
    const node = this.#node;
    const offset = this.#offset;
    const count = this.#count(node);
    const full = !allowsInsert(this.#byteSize(node), count, fill, length);
    const atTail = after && offset === count - 1;
    const atHead = !after && offset === 0;
    const next = node + 1;
    const previous = node - 1;
    const roomNext =
      atTail &&
      next < this.#size &&
      allowsInsert(this.#byteSize(next), this.#count(next), fill, length);
    const roomPrevious =
      atHead &&
      previous >= 0 &&
      allowsInsert(this.#byteSize(previous), this.#count(previous), fill, length);
    if (!full) {
      this.#grow(node, 1, entry);
    } else if (atTail && roomNext) {
      this.#grow(next, 1, entry);
    } else if (atHead && roomPrevious) {
      this.#grow(previous, 1, entry);
    } else if (atTail || atHead) {
      this.#insertNode(after ? next : node, 1, EMPTY_LISTPACK_BYTES + entry);
    } else {
      // _quicklistSplitNode: after, the node keeps [0, offset] and the new node takes the rest
      // with the element first; before, the node keeps [offset, end) and the new node takes
      // [0, offset) with the element last
      const start = pivot - offset;
      const [from, to] = after ? [offset + 1, count] : [0, offset];
      let moved = 0;
      for (let i = from; i < to; i++) moved += entryAt(start + i);
      this.#grow(node, -(to - from), -moved);
      const at = after ? next : node;
      this.#insertNode(at, to - from + 1, EMPTY_LISTPACK_BYTES + moved + entry);
      this.#mergeAround(after ? node : node + 1);
    }
  }

  /** Throws unless the nodes hold `length` elements, none empty. O(nodes). */
  checkInvariants(length: number): void {
    let total = 0;
    for (let i = 0; i < this.#size; i++) {
      const count = this.#count(i);
      if (count <= 0) throw new Error(`quicklist node ${i} holds ${count} elements`);
      if (this.#byteSize(i) < EMPTY_LISTPACK_BYTES + count)
        throw new Error(`quicklist node ${i}: ${this.#byteSize(i)} bytes for ${count} elements`);
      total += count;
    }
    if (total !== length || total !== this.#total)
      throw new Error(`quicklist nodes hold ${total} (${this.#total}) of ${length} elements`);
  }

  /** _quicklistMergeNodes around the node at `center`. */
  #mergeAround(center: number): void {
    const fill = this.fill;
    const mergeable = (a: number, b: number) =>
      a >= 0 &&
      b < this.#size &&
      allowsMerge(this.#byteSize(a), this.#count(a), this.#byteSize(b), this.#count(b), fill);
    // (prev_prev, prev), then (next, next_next), then (prev, center), then (that, next)
    if (center >= 2 && mergeable(center - 2, center - 1)) {
      this.#merge(center - 2);
      center--;
    }
    if (mergeable(center + 1, center + 2)) this.#merge(center + 1);
    let target = center;
    if (mergeable(center - 1, center)) {
      this.#merge(center - 1);
      target = center - 1;
    }
    if (mergeable(target, target + 1)) this.#merge(target);
  }

  /** Joins node `a` and the one after it (lpMerge: one header and end byte fewer). */
  #merge(a: number): void {
    const count = this.#count(a + 1);
    const bytes = this.#byteSize(a + 1);
    this.#removeNode(a + 1);
    this.#grow(a, count, bytes - EMPTY_LISTPACK_BYTES);
  }

  /** Sets #node and #offset to where the element at `index` is, walking from the nearer end. */
  #locate(index: number): void {
    const total = this.#total;
    if (index < total >>> 1) {
      let node = 0;
      while (index >= this.#count(node)) index -= this.#count(node++);
      this.#node = node;
      this.#offset = index;
    } else {
      let node = this.#size - 1;
      let fromEnd = total - 1 - index;
      while (fromEnd >= this.#count(node)) fromEnd -= this.#count(node--);
      this.#node = node;
      this.#offset = this.#count(node) - 1 - fromEnd;
    }
  }

  #count(node: number): number {
    return this.#counts[(this.#first + node) & (this.#counts.length - 1)]!;
  }

  #byteSize(node: number): number {
    return this.#bytes[(this.#first + node) & (this.#bytes.length - 1)]!;
  }

  #grow(node: number, count: number, bytes: number): void {
    const slot = (this.#first + node) & (this.#counts.length - 1);
    this.#counts[slot]! += count;
    this.#bytes[slot]! += bytes;
    this.#total += count;
  }

  /** Takes `count` elements of `bytes` out of `node`; an emptied node goes. */
  #shrink(node: number, count: number, bytes: number): void {
    if (this.#count(node) === count) this.#removeNode(node);
    else this.#grow(node, -count, -bytes);
  }

  /** Inserts a node at position `at` (0 to size), moving the shorter side of the ring. */
  #insertNode(at: number, count: number, bytes: number): void {
    if (this.#size === this.#counts.length) this.#resize(this.#counts.length * 2);
    const mask = this.#counts.length - 1;
    const counts = this.#counts;
    const sizes = this.#bytes;
    if (at < this.#size - at) {
      this.#first = (this.#first - 1) & mask;
      for (let i = 0; i < at; i++) {
        const to = (this.#first + i) & mask;
        const from = (to + 1) & mask;
        counts[to] = counts[from]!;
        sizes[to] = sizes[from]!;
      }
    } else {
      for (let i = this.#size; i > at; i--) {
        const to = (this.#first + i) & mask;
        const from = (to - 1) & mask;
        counts[to] = counts[from]!;
        sizes[to] = sizes[from]!;
      }
    }
    const slot = (this.#first + at) & mask;
    counts[slot] = count;
    sizes[slot] = bytes;
    this.#size++;
    this.#total += count;
  }

  /** Removes the node at position `at`, moving the shorter side of the ring. */
  #removeNode(at: number): void {
    this.#total -= this.#count(at);
    const mask = this.#counts.length - 1;
    const counts = this.#counts;
    const sizes = this.#bytes;
    if (at < this.#size - 1 - at) {
      for (let i = at; i > 0; i--) {
        const to = (this.#first + i) & mask;
        const from = (to - 1) & mask;
        counts[to] = counts[from]!;
        sizes[to] = sizes[from]!;
      }
      this.#first = (this.#first + 1) & mask;
    } else {
      for (let i = at; i < this.#size - 1; i++) {
        const to = (this.#first + i) & mask;
        const from = (to + 1) & mask;
        counts[to] = counts[from]!;
        sizes[to] = sizes[from]!;
      }
    }
    this.#size--;
    if (this.#size === 0) this.#first = 0;
  }

  #resize(capacity: number): void {
    const counts = new Array<number>(capacity).fill(0);
    const sizes = new Array<number>(capacity).fill(0);
    for (let i = 0; i < this.#size; i++) {
      counts[i] = this.#count(i);
      sizes[i] = this.#byteSize(i);
    }
    this.#counts = counts;
    this.#bytes = sizes;
    this.#first = 0;
  }
}
