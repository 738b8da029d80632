import { Charged, type ObjectValue } from '../values.js';
import { normalize, type Int64 } from '../util/numbers.js';
import { ConsumerGroup, ENTRIES_READ_UNKNOWN } from './stream-group.js';
import { StreamId, compareIds } from './stream-id.js';
import { EntryFlag, StreamNode } from './stream-node.js';
import { raxNodeCount } from './stream-rax.js';

/**
 * How entries are packed into nodes: redis.conf's `stream-node-max-bytes` (0: no limit but
 * Redis's 1 GiB listpack cap) and `stream-node-max-entries` (0: no limit), read at every XADD.
 */
export interface StreamLimits {
  readonly nodeMaxBytes: number;
  readonly nodeMaxEntries: number;
}

/** The defaults of redis.conf. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = Object.freeze({
  nodeMaxBytes: 4096,
  nodeMaxEntries: 100,
});

/** Redis's STREAM_LISTPACK_MAX_SIZE: no listpack grows past 1 GiB. */
const LISTPACK_MAX_SIZE = 1 << 30;

/** A trim request (XTRIM, XADD's MAXLEN / MINID), after argument parsing. */
export interface TrimOptions {
  /** 'maxlen': keep at most `maxLength` entries; 'minid': drop entries below `minId` */
  readonly strategy: 'maxlen' | 'minid';
  readonly maxLength: number;
  readonly minId: StreamId;
  /** `~`: remove whole nodes only */
  readonly approximate: boolean;
  /** at most this many entries removed (0: no limit), whole nodes only */
  readonly limit: number;
}

/**
 * A stream key's value (redis-server 7.0's stream type): entries in increasing ID order, each a
 * list of field/value pairs, in nodes that fill exactly as Redis's listpacks do (see
 * {@link StreamNode}); the stream's metadata (last generated ID, first recorded ID, largest deleted
 * ID, entries ever added); and its consumer groups.
 *
 * Lookups and range seeks binary-search the node list by first ID, then the node by ID: O(log n).
 * Appends go to the last node: O(fields). Deletion flags an entry; trimming drops whole nodes
 * from the front. Unlike other collections, a stream may be empty and still exist.
 *
 * @example
 * ```ts
 * const stream = new StreamValue();
 * stream.append(StreamId.of(1, 0), ['name', 'ada'], 0, 1, DEFAULT_STREAM_LIMITS);
 * stream.length; // 1
 * const it = stream.iterator(StreamId.MIN, StreamId.MAX, false);
 * while (it.next()) console.log(it.idText(), it.pairs()); // '1-0' ['name', 'ada']
 * ```
 */
export class StreamValue extends Charged implements ObjectValue {
  /** the nodes in ID order (Redis's radix tree of listpacks) */
  readonly nodes: StreamNode[] = [];
  /** live entries */
  length = 0;
  /** the last ID generated or set (XSETID): new IDs must be above it */
  lastId: StreamId = StreamId.MIN;
  /** the first live entry's ID when it was last recorded (0-0 when empty) */
  firstId: StreamId = StreamId.MIN;
  /** the largest ID ever deleted by XDEL (0-0: none) */
  maxDeletedId: StreamId = StreamId.MIN;
  /** entries ever added (XSETID may set it) */
  entriesAdded: Int64 = 0;
  /** consumer groups by name, created on demand */
  groups: Map<string, ConsumerGroup> | undefined = undefined;

  /** The value's TYPE. O(1). */
  get type(): 'stream' {
    return 'stream';
  }

  /** OBJECT ENCODING: always "stream". O(1). */
  encoding(): 'stream' {
    return 'stream';
  }

  /**
   * Appends an entry with a new ID (the caller has checked it is above {@link lastId}): `pairs`
   * field/value pairs taken from `argv[from]` on. A new node starts when the last one would
   * reach `nodeMaxBytes` with this entry's bytes, or holds `nodeMaxEntries` entries (deleted ones
   * included), as streamAppendItem decides. O(fields).
   */
  append(
    id: StreamId,
    argv: readonly string[],
    from: number,
    pairs: number,
    limits: StreamLimits,
  ): void {
    const nodes = this.nodes;
    let tail = nodes[nodes.length - 1];
    if (tail !== undefined) {
      let maxBytes = limits.nodeMaxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      let payload = 0;
      for (let i = from; i < from + pairs * 2; i++) payload += (argv[i] ?? '').length;
      if (
        tail.listpackBytes + payload >= maxBytes ||
        (limits.nodeMaxEntries !== 0 && tail.size >= limits.nodeMaxEntries)
      ) {
        tail.shrink();
        tail = undefined;
      }
    }
    if (tail === undefined) {
      const fields: string[] = [];
      for (let i = 0; i < pairs; i++) fields.push(argv[from + i * 2] ?? '');
      // a stream that filled a node likely fills the next: size it for the entry limit at once
      const max = limits.nodeMaxEntries;
      tail = new StreamNode(fields, nodes.length !== 0 && max > 0 && max <= 128 ? max : 8);
      nodes.push(tail);
    }
    tail.append(id, argv, from, pairs);
    this.length++;
    this.entriesAdded = increment(this.entriesAdded);
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** The index of the node that holds `id` if any entry does: the last whose first ID <= id, or -1. O(log nodes). */
  nodeFor(id: StreamId): number {
    const nodes = this.nodes;
    let low = 0;
    let high = nodes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((nodes[middle] as StreamNode).compareFirst(id) <= 0) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /** True when a live entry has this ID (streamEntryExists). O(log n). */
  has(id: StreamId): boolean {
    const node = this.nodes[this.nodeFor(id)];
    if (node === undefined) return false;
    const at = entryLowerBound(node, id);
    return at < node.size && node.compareAt(at, id) === 0 && !node.isDeleted(at);
  }

  /**
   * Deletes one entry (streamDeleteItem): flags it, and drops its node when it was the node's
   * last live entry. Returns false when no live entry has this ID. The caller updates the
   * metadata (see {@link deleteEntries}). O(log n).
   */
  delete(id: StreamId): boolean {
    const index = this.nodeFor(id);
    const node = this.nodes[index];
    if (node === undefined) return false;
    const at = entryLowerBound(node, id);
    if (at >= node.size || node.compareAt(at, id) !== 0 || node.isDeleted(at)) return false;
    if (node.live === 1) this.nodes.splice(index, 1);
    else node.markDeleted(at);
    this.length--;
    return true;
  }

  /**
   * XDEL: deletes these IDs, records the largest deleted one and the new first entry. Returns the
   * number deleted. O(k log n).
   */
  deleteEntries(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstDeleted = false;
    for (const id of ids) {
      if (!this.delete(id)) continue;
      if (compareIds(id, this.firstId) === 0) firstDeleted = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted !== 0) {
      if (this.length === 0) this.firstId = StreamId.MIN;
      else if (firstDeleted) this.firstId = this.edgeId(true, true) ?? StreamId.MIN;
    }
    return deleted;
  }

  /**
   * The first (or last) entry's ID, skipping deleted ones or not (streamGetEdgeID); undefined
   * when there is none. O(nodes) worst case, O(1) usually.
   */
  edgeId(first: boolean, skipDeleted: boolean): StreamId | undefined {
    const nodes = this.nodes;
    const count = nodes.length;
    for (let k = 0; k < count; k++) {
      const node = nodes[first ? k : count - 1 - k] as StreamNode;
      for (let j = 0; j < node.size; j++) {
        const at = first ? j : node.size - 1 - j;
        if (!skipDeleted || !node.isDeleted(at)) return node.idAt(at);
      }
    }
    return undefined;
  }

  /** The last live entry's ID (streamLastValidID), or undefined when empty. O(1) usually. */
  lastValidId(): StreamId | undefined {
    return this.length === 0 ? undefined : this.edgeId(false, true);
  }

  /**
   * Trims as streamTrim does: whole nodes from the front while they can go, then, unless
   * approximate, entries inside the next node are flagged deleted. `limit` caps the entries
   * removed (whole nodes only). Returns the number removed. O(removed nodes + node size).
   */
  trim(options: TrimOptions): number {
    const nodes = this.nodes;
    const maxLength = options.maxLength;
    const byLength = options.strategy === 'maxlen';
    const minId = options.minId;
    const limit = options.limit;
    let removed = 0;
    let dropped = 0;
    for (; dropped < nodes.length;) {
      if (byLength && this.length <= maxLength) break;
      const node = nodes[dropped] as StreamNode;
      const entries = node.live;
      if (limit !== 0 && removed + entries > limit) break;
      const whole = byLength
        ? this.length - entries >= maxLength
        : node.compareAt(node.size - 1, minId) < 0;
      if (whole) {
        dropped++;
        this.length -= entries;
        removed += entries;
        continue;
      }
      if (options.approximate) break;
      for (let i = 0; i < node.size; i++) {
        if (byLength ? this.length <= maxLength : node.compareAt(i, minId) >= 0) break;
        if (!node.isDeleted(i)) {
          node.markDeleted(i);
          this.length--;
          removed++;
        }
      }
      break;
    }
    if (dropped !== 0) nodes.splice(0, dropped);
    this.firstId = this.length === 0 ? StreamId.MIN : (this.edgeId(true, true) ?? StreamId.MIN);
    return removed;
  }

  /**
   * An iterator over live entries with IDs in [start, end], forward or in reverse
   * (streamIteratorStart). The stream must not change while it is used. O(log n) to position.
   */
  iterator(start: StreamId, end: StreamId, reverse: boolean): StreamIterator {
    return new StreamIterator(this, start, end, reverse);
  }

  /**
   * True when a tombstone may lie in [start, end] (streamRangeHasTombstones): judged from the
   * largest deleted ID only, as Redis does. O(1).
   */
  rangeHasTombstones(start: StreamId, end: StreamId): boolean {
    const maxDeleted = this.maxDeletedId;
    if (this.length === 0 || maxDeleted.isZero()) return false;
    if (compareIds(this.firstId, maxDeleted) > 0) return false;
    return compareIds(start, maxDeleted) <= 0 && compareIds(maxDeleted, end) <= 0;
  }

  /**
   * The logical read counter of `id`: how many entries were added up to it, when that can be
   * known (streamEstimateDistanceFromFirstEverEntry); {@link ENTRIES_READ_UNKNOWN} otherwise. O(1).
   */
  estimateEntriesRead(id: StreamId): Int64 {
    const added = this.entriesAdded;
    if (added === 0) return 0;
    const toLast = compareIds(id, this.lastId);
    if (this.length === 0 && toLast < 1) return added;
    if (toLast === 0) return added;
    if (toLast > 0) return ENTRIES_READ_UNKNOWN;
    const toFirst = compareIds(id, this.firstId);
    const maxDeleted = this.maxDeletedId;
    if (maxDeleted.isZero() || compareIds(maxDeleted, this.firstId) < 0) {
      if (toFirst < 0) return subtract(added, this.length);
      if (toFirst === 0) return increment(subtract(added, this.length));
    }
    return ENTRIES_READ_UNKNOWN;
  }

  /** A group's lag (entries not yet read by it), or undefined when it cannot be known. O(1). */
  lag(group: ConsumerGroup): Int64 | undefined {
    if (this.entriesAdded === 0) return 0;
    if (
      group.entriesRead !== ENTRIES_READ_UNKNOWN &&
      !this.rangeHasTombstones(group.lastId, StreamId.MAX)
    )
      return subtract(this.entriesAdded, group.entriesRead);
    const read = this.estimateEntriesRead(group.lastId);
    return read === ENTRIES_READ_UNKNOWN ? undefined : subtract(this.entriesAdded, read);
  }

  /** A consumer group by name. O(1). */
  group(name: string): ConsumerGroup | undefined {
    return this.groups?.get(name);
  }

  /** Creates a group; undefined when the name is taken (streamCreateCG). O(1). */
  createGroup(name: string, lastId: StreamId, entriesRead: Int64): ConsumerGroup | undefined {
    const groups = (this.groups ??= new Map());
    if (groups.has(name)) return undefined;
    const group = new ConsumerGroup(name, lastId, entriesRead);
    groups.set(name, group);
    return group;
  }

  /** Groups in name order (byte order, as Redis's radix tree iterates them). O(g log g). */
  sortedGroups(): ConsumerGroup[] {
    if (this.groups === undefined) return [];
    return [...this.groups.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** XINFO STREAM `radix-tree-nodes`: see {@link raxNodeCount}. O(nodes). */
  radixTreeNodes(): number {
    return raxNodeCount(this.nodes);
  }

  /** A deep copy, groups included (COPY). O(n). */
  clone(): StreamValue {
    const copy = new StreamValue();
    for (const node of this.nodes) copy.nodes.push(node.clone());
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    if (this.groups !== undefined) {
      copy.groups = new Map();
      for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    }
    return copy;
  }

  /**
   * MEMORY USAGE estimate in V8 terms: per node its typed arrays and item pointers, per distinct
   * string a 12-byte header plus characters (master fields are shared), per pending entry its
   * object and two list slots. O(n).
   */
  memoryUsage(): number {
    let bytes = 96;
    for (const node of this.nodes) {
      bytes += 120 + node.words.byteLength + node.items.length * 4;
      const items = node.items;
      for (let i = 0; i < node.size; i++) {
        const same = (node.flagsAt(i) & EntryFlag.SAMEFIELDS) !== 0;
        for (let k = node.itemsStart(i); k < node.itemsEnd(i); k++) {
          if (same && (k & 1) === 0) continue;
          bytes += 12 + Math.ceil((items[k] ?? '').length / 4) * 4;
        }
      }
    }
    for (const group of this.groups?.values() ?? []) {
      bytes += 128 + group.pending.size * 56;
      for (const consumer of group.consumers.values())
        bytes += 96 + Math.ceil(consumer.name.length / 4) * 4 + consumer.pending.size * 4;
    }
    return bytes;
  }

  /**
   * Checks the structure: IDs increasing across nodes, live counts, length, metadata bounds, node
   * fill (no node past the entry limit it was built with is not checked: limits may change), and
   * every group's PELs; throws on the first fault. O(n).
   */
  checkInvariants(): void {
    let live = 0;
    let previous: StreamId | undefined;
    for (const node of this.nodes) {
      if (node.size === 0) throw new Error('empty stream node');
      let nodeLive = 0;
      for (let i = 0; i < node.size; i++) {
        const id = node.idAt(i);
        if (previous !== undefined && compareIds(previous, id) >= 0)
          throw new Error(`stream IDs out of order at ${id.toString()}`);
        previous = id;
        if (!node.isDeleted(i)) nodeLive++;
        if (node.pairCount(i) === 0) throw new Error(`entry ${id.toString()} has no fields`);
      }
      if (nodeLive !== node.live) throw new Error(`node live ${node.live}, counted ${nodeLive}`);
      live += nodeLive;
    }
    if (live !== this.length) throw new Error(`stream length ${this.length}, counted ${live}`);
    if (previous !== undefined && compareIds(previous, this.lastId) > 0)
      throw new Error(`entry ${previous.toString()} above last-generated-id`);
    const first = this.edgeId(true, true);
    if (
      this.length === 0
        ? !this.firstId.isZero()
        : compareIds(first ?? StreamId.MIN, this.firstId) !== 0
    )
      throw new Error(`recorded first ID ${this.firstId.toString()} is not the first entry`);
    for (const group of this.groups?.values() ?? []) group.checkInvariants();
  }
}

/**
 * Walks live entries of a range (streamIterator). Call {@link next} until it returns false; after
 * each true, {@link node} and {@link index} locate the entry. One object per walk, no allocation
 * per step: O(log n) to position, O(1) amortised per entry.
 *
 * @example
 * ```ts
 * const it = stream.iterator(StreamId.MIN, StreamId.MAX, true); // newest first
 * if (it.next()) console.log(it.id().toString(), it.pairs());
 * ```
 */
export class StreamIterator {
  readonly #nodes: readonly StreamNode[];
  readonly #start: StreamId;
  readonly #end: StreamId;
  readonly #reverse: boolean;
  #nodeIndex: number;
  #entry: number;
  /** the current entry's node, after next() returned true */
  node: StreamNode | undefined = undefined;
  /** the current entry's index in its node */
  index = 0;

  readonly #firstNode: number;
  readonly #firstEntry: number;

  constructor(stream: StreamValue, start: StreamId, end: StreamId, reverse: boolean) {
    this.#nodes = stream.nodes;
    this.#start = start;
    this.#end = end;
    this.#reverse = reverse;
    if (!reverse) {
      const at = Math.max(0, stream.nodeFor(start));
      this.#nodeIndex = at;
      const node = this.#nodes[at];
      this.#entry = node === undefined ? 0 : entryLowerBound(node, start);
    } else {
      const at = stream.nodeFor(end);
      this.#nodeIndex = at;
      const node = this.#nodes[at];
      this.#entry = node === undefined ? -1 : entryUpperBound(node, end) - 1;
    }
    this.#firstNode = this.#nodeIndex;
    this.#firstEntry = this.#entry;
  }

  /** Back to the start of the range, without seeking again (count, then write). O(1). */
  rewind(): void {
    this.#nodeIndex = this.#firstNode;
    this.#entry = this.#firstEntry;
    this.node = undefined;
  }

  /** Moves to the next live entry in range; false at the end. O(1) amortised. */
  next(): boolean {
    const nodes = this.#nodes;
    if (!this.#reverse) {
      for (;;) {
        const node = nodes[this.#nodeIndex];
        if (node === undefined) return false;
        const at = this.#entry;
        if (at >= node.size) {
          this.#nodeIndex++;
          this.#entry = 0;
          continue;
        }
        if (node.compareAt(at, this.#end) > 0) {
          this.#nodeIndex = nodes.length;
          return false;
        }
        this.#entry = at + 1;
        if (node.isDeleted(at)) continue;
        this.node = node;
        this.index = at;
        return true;
      }
    }
    for (;;) {
      const node = nodes[this.#nodeIndex];
      if (node === undefined) return false;
      const at = this.#entry;
      if (at < 0) {
        this.#nodeIndex--;
        this.#entry = (nodes[this.#nodeIndex]?.size ?? 0) - 1;
        continue;
      }
      if (node.compareAt(at, this.#start) < 0) {
        this.#nodeIndex = -1;
        return false;
      }
      this.#entry = at - 1;
      if (node.isDeleted(at)) continue;
      this.node = node;
      this.index = at;
      return true;
    }
  }

  /** The current entry's ID. O(1). */
  id(): StreamId {
    return (this.node as StreamNode).idAt(this.index);
  }

  /** The current entry's field/value pairs, flattened. O(fields). */
  pairs(): string[] {
    const node = this.node as StreamNode;
    return node.items.slice(node.itemsStart(this.index), node.itemsEnd(this.index));
  }
}

/** Index of the first entry of `node` whose ID is >= id. */
function entryLowerBound(node: StreamNode, id: StreamId): number {
  let low = 0;
  let high = node.size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (node.compareAt(middle, id) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first entry of `node` whose ID is > id. */
function entryUpperBound(node: StreamNode, id: StreamId): number {
  let low = 0;
  let high = node.size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (node.compareAt(middle, id) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * v + 1 in int64 (wrapping as Redis's counters would). O(1).
 *
 * @example
 * ```ts
 * increment(9007199254740991); // 9007199254740992n
 * ```
 */
export function increment(value: Int64): Int64 {
  if (typeof value === 'number' && value < Number.MAX_SAFE_INTEGER) return value + 1;
  return wrap(BigInt(value) + 1n);
}

/**
 * a - b in int64, wrapping. O(1).
 *
 * @example
 * ```ts
 * subtract(10, 3); // 7
 * ```
 */
export function subtract(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (Number.isSafeInteger(difference)) return difference;
  }
  return wrap(BigInt(a) - BigInt(b));
}

function wrap(value: bigint): Int64 {
  return normalize(BigInt.asIntN(64, value));
}
