import type { RespWriter } from '@byor/protocol';
import { ARENA_MAX_LENGTH, StringArena, handleLength } from '../string-arena.js';
import { Charged, type ObjectValue } from '../values.js';
import { integerEntrySize, listpackEntrySize, stringEntrySize } from '../persistence/listpack.js';
import {
  DEFAULT_QUICKLIST_OPTIONS,
  QuicklistNodes,
  type QuicklistOptions,
} from './quicklist-nodes.js';

/**
 * A slot of the chunked layout: an element's handle in the list's arena, or the element itself
 * (empty, longer than the arena takes, or a blank slot's '').
 */
type Slot = string | number;

/**
 * A Redis list (t_list.c of redis-server 7.0): a deque of latin1 strings with O(1) push and pop
 * at both ends and O(1) access by index. Two layouts, both invisible to clients (redis-server 7.0
 * reports every list as "quicklist"):
 *
 * - flat, up to {@link LIST_FLAT_MAX} elements: one packed JS array in list order, like a
 *   listpack. The most compact layout V8 has; pushes and pops at the head move at most
 *   LIST_FLAT_MAX pointers (one memmove of at most 1 KiB).
 * - chunked, past that: fixed chunks of {@link LIST_CHUNK} slots behind a map, as C++'s
 *   std::deque lays them out. Only the first and last chunk are partly used, so element `i` sits
 *   at position `start + i` of the map's address space:
 *
 *   ```
 *   map:   [ null | chunk 1        | chunk 2        | chunk 3        | null ]
 *   slots:          ....[e0 e1 e2 ]  [e3 ...... e258]  [e259 e260 ...]
 *                       ^ start = 1 * CHUNK + offset of e0
 *   element i:  map[(start + i) >>> SHIFT][(start + i) & MASK]
 *   ```
 *
 *   Pushing past either end takes a new chunk (or the one spare kept to avoid churn at a chunk
 *   boundary); popping the last element of a chunk releases it. When the map runs out of room on
 *   one side it is rebuilt twice as large as the chunks in use, centred, so growth stays O(1)
 *   amortised and no step ever copies the elements themselves. A chunked list shrinking to
 *   LIST_FLAT_MAX / 4 elements goes back to flat (the gap avoids flapping between layouts).
 *
 * In the chunked layout, elements of 1 to 127 bytes live in a {@link StringArena} of the list's
 * own and the slots hold their handles (small integers), as the keyspace keeps short values: a
 * list that grows by LPUSH then leaves no string behind for V8's young-generation collector to
 * copy and promote (measured at LPUSH -P 16: 12% of the server's CPU, and at -P 1 half the p99).
 * Elements read out are new strings; LRANGE writes them from the arena's pages
 * ({@link ListValue.writeRange}). The arena keeps its pages while the list shrinks (popped slots
 * are reused by the next pushes) and goes when the list returns to flat or is cleared.
 *
 * Unused slots hold '' so that popped strings can be collected and the chunks stay
 * PACKED_ELEMENTS. Readability was traded for speed in the index arithmetic: positions are
 * non-negative and below 2^31, so `>>>` and `&` replace division and modulo.
 *
 * @example
 * ```ts
 * const list = ListValue.from(['a', 'b']);
 * list.pushLeft('z');
 * list.pushRight('c');
 * list.at(0); // 'z'
 * list.at(-1); // 'c'
 * list.slice(1, 3); // ['a', 'b']
 * list.popLeft(); // 'z'
 * ```
 */
export class ListValue extends Charged implements ObjectValue {
  /** flat layout: the elements in order; null when chunked */
  #flat: string[] | null;
  /** chunked layout: chunks of LIST_CHUNK slots, null outside the used range */
  #map: (Slot[] | null)[];
  /** chunked layout: position of element 0 in the map's address space */
  #start: number;
  /** chunked layout: number of elements */
  #length: number;
  /** a released chunk (all ''), reused by the next push that needs one */
  #spare: Slot[] | null;
  /** chunked layout: the short elements' bytes (the slots hold their handles); null when flat */
  #arena: StringArena | null;
  /** where redis-server's quicklist would have its nodes (DUMP and RDB write them) */
  #nodes: QuicklistNodes;

  /** An empty list whose quicklist nodes follow `options`. */
  constructor(options: QuicklistOptions = DEFAULT_QUICKLIST_OPTIONS) {
    super();
    this.#flat = [];
    this.#map = NO_MAP;
    this.#start = 0;
    this.#length = 0;
    this.#spare = null;
    this.#arena = null;
    this.#nodes = new QuicklistNodes(options);
  }

  /**
   * A list holding `values` in order, its quicklist nodes as pushes at the tail make them (or,
   * `fromHead`, as pushing `values` from last to first at the head does: LPUSH's arguments
   * reversed). A small array is copied into a flat list of exactly its size (a list grown by
   * pushes keeps V8's spare capacity). O(n).
   */
  static from(
    values: Iterable<string>,
    options: QuicklistOptions = DEFAULT_QUICKLIST_OPTIONS,
    fromHead = false,
  ): ListValue {
    const list = new ListValue(options);
    if (Array.isArray(values) && values.length <= LIST_FLAT_MAX) {
      const flat = (values as string[]).slice();
      list.#flat = flat;
      const nodes = list.#nodes;
      if (fromHead) {
        for (let i = flat.length - 1; i >= 0; i--)
          nodes.pushHead(flat[i]!.length, listpackEntrySize(flat[i]!));
      } else {
        for (const value of flat) nodes.pushTail(value.length, listpackEntrySize(value));
      }
      return list;
    }
    if (fromHead) {
      const all = [...values];
      for (let i = all.length - 1; i >= 0; i--) list.pushLeft(all[i]!);
    } else {
      for (const value of values) list.pushRight(value);
    }
    return list;
  }

  /**
   * A list holding `values` in order in quicklist nodes of the given element counts and
   * listpack bytes, as a DUMP payload or an RDB file had them. O(n).
   */
  static fromNodes(
    values: readonly string[],
    options: QuicklistOptions,
    counts: readonly number[],
    bytes: readonly number[],
  ): ListValue {
    const list = new ListValue(options);
    if (values.length <= LIST_FLAT_MAX) list.#flat = values.slice();
    else for (const value of values) list.#pushSlotRight(value);
    list.#nodes = QuicklistNodes.of(options, counts, bytes);
    return list;
  }

  /** The quicklist settings the list was made with. O(1). */
  get quicklistOptions(): QuicklistOptions {
    return this.#nodes;
  }

  /** The element count of each quicklist node, head to tail (DUMP, RDB). O(nodes). */
  nodeCounts(): number[] {
    return this.#nodes.counts();
  }

  /** How many quicklist nodes redis-server would have (its lazy free effort). O(1). */
  get nodeCount(): number {
    return this.#nodes.size;
  }

  /** The listpack bytes of each quicklist node, head to tail (DEBUG OBJECT). O(nodes). */
  nodeBytes(): number[] {
    return this.#nodes.bytes();
  }

  /** The value's TYPE. O(1). */
  get type(): 'list' {
    return 'list';
  }

  /** Always "quicklist": redis-server 7.0 encodes every list as a quicklist. O(1). */
  encoding(): 'quicklist' {
    return 'quicklist';
  }

  /** Number of elements (LLEN). O(1). */
  get length(): number {
    const flat = this.#flat;
    return flat === null ? this.#length : flat.length;
  }

  /** Appends at the tail (RPUSH). O(1) amortised. */
  pushRight(value: string): void {
    this.#nodes.pushTail(value.length, listpackEntrySize(value));
    this.#pushSlotRight(value);
  }

  /** pushRight of the elements only (the nodes are the caller's). */
  #pushSlotRight(value: string): void {
    const flat = this.#flat;
    if (flat !== null) {
      if (flat.length < LIST_FLAT_MAX) {
        flat.push(value);
        return;
      }
      this.#toChunked();
    }
    let at = this.#start + this.#length;
    if (at >>> SHIFT >= this.#map.length) {
      this.#rebuildMap();
      at = this.#start + this.#length;
    }
    const chunk = this.#map[at >>> SHIFT] ?? this.#takeChunk(at >>> SHIFT);
    chunk[at & MASK] = this.#in(value);
    this.#length++;
  }

  /** Prepends at the head (LPUSH). O(1) amortised. */
  pushLeft(value: string): void {
    this.#nodes.pushHead(value.length, listpackEntrySize(value));
    this.#pushSlotLeft(value);
  }

  /** pushLeft of the elements only (the nodes are the caller's). */
  #pushSlotLeft(value: string): void {
    const flat = this.#flat;
    if (flat !== null) {
      if (flat.length < LIST_FLAT_MAX) {
        flat.unshift(value);
        return;
      }
      this.#toChunked();
    }
    if (this.#start === 0) this.#rebuildMap();
    const at = --this.#start;
    const chunk = this.#map[at >>> SHIFT] ?? this.#takeChunk(at >>> SHIFT);
    chunk[at & MASK] = this.#in(value);
    this.#length++;
  }

  /** Removes and returns the head, or undefined when empty (LPOP). O(1). */
  popLeft(): string | undefined {
    if (this.length === 0) return undefined;
    const flat = this.#flat;
    const value = flat !== null ? flat.shift()! : this.#take(this.#detachLeft());
    this.#nodes.popHead(listpackEntrySize(value));
    if (flat === null) this.#afterShrink();
    return value;
  }

  /** Removes and returns the tail, or undefined when empty (RPOP). O(1). */
  popRight(): string | undefined {
    if (this.length === 0) return undefined;
    const flat = this.#flat;
    const value = flat !== null ? flat.pop()! : this.#take(this.#detachRight());
    this.#nodes.popTail(listpackEntrySize(value));
    if (flat === null) this.#afterShrink();
    return value;
  }

  /**
   * Removes the head (`left`) or the tail of a list known not to be empty and writes it as a
   * bulk reply, from the arena's page when it is there (LPOP, RPOP: no string made). O(1).
   */
  popReply(writer: RespWriter, left: boolean): void {
    const flat = this.#flat;
    if (flat !== null) {
      const value = (left ? flat.shift() : flat.pop())!;
      if (left) this.#nodes.popHead(listpackEntrySize(value));
      else this.#nodes.popTail(listpackEntrySize(value));
      writer.bulk(value);
      return;
    }
    const slot = left ? this.#detachLeft() : this.#detachRight();
    if (left) this.#nodes.popHead(this.#entrySize(slot));
    else this.#nodes.popTail(this.#entrySize(slot));
    if (typeof slot === 'number') {
      const arena = this.#arena!;
      arena.reply(writer, slot);
      arena.free(slot);
    } else writer.bulk(slot);
    this.#afterShrink();
  }

  /** Empties the head slot of a non-empty chunked list; returns what it held (not released). */
  #detachLeft(): Slot {
    const at = this.#start;
    const index = at >>> SHIFT;
    const chunk = this.#map[index]!;
    const slot = chunk[at & MASK]!;
    chunk[at & MASK] = '';
    this.#start = at + 1;
    this.#length--;
    if (((at + 1) & MASK) === 0) this.#releaseChunk(index);
    return slot;
  }

  /** Empties the tail slot of a non-empty chunked list; returns what it held (not released). */
  #detachRight(): Slot {
    const at = this.#start + this.#length - 1;
    const index = at >>> SHIFT;
    const chunk = this.#map[index]!;
    const slot = chunk[at & MASK]!;
    chunk[at & MASK] = '';
    this.#length--;
    if ((at & MASK) === 0) this.#releaseChunk(index);
    return slot;
  }

  /**
   * The element at `index`, counting from the tail when negative (-1 is the last), or undefined
   * when out of range (LINDEX). O(1).
   */
  at(index: number): string | undefined {
    const length = this.length;
    if (index < 0) index += length;
    if (index < 0 || index >= length) return undefined;
    const flat = this.#flat;
    if (flat !== null) return flat[index];
    return this.#get(index);
  }

  /**
   * Replaces the element at `index` (negative counts from the tail); false when out of range
   * (LSET). O(1).
   */
  set(index: number, value: string): boolean {
    const length = this.length;
    if (index < 0) index += length;
    if (index < 0 || index >= length) return false;
    this.#nodes.replace(index, this.#entrySize(this.#slot(index)), listpackEntrySize(value));
    const flat = this.#flat;
    if (flat !== null) {
      flat[index] = value;
    } else {
      const at = this.#start + index;
      const chunk = this.#map[at >>> SHIFT]!;
      this.#release(chunk[at & MASK]!);
      chunk[at & MASK] = this.#in(value);
    }
    return true;
  }

  /**
   * The elements from `start` (inclusive) to `end` (exclusive), in order; both already within
   * `0 <= start <= end <= length` (LRANGE). O(end - start).
   */
  slice(start: number, end: number): string[] {
    const flat = this.#flat;
    if (flat !== null) return flat.slice(start, end);
    const out: string[] = [];
    for (let i = start; i < end; i++) out.push(this.#get(i));
    return out;
  }

  /**
   * Writes the elements from `start` (inclusive) to `end` (exclusive) as an array reply, head to
   * tail or, with `reverse`, tail to head; both already within `0 <= start <= end <= length`
   * (LRANGE). Short elements are copied from the arena's pages, with no string made.
   * O(end - start).
   */
  writeRange(writer: RespWriter, start: number, end: number, reverse = false): void {
    const flat = this.#flat;
    if (flat !== null) {
      const values = flat.slice(start, end);
      if (reverse) values.reverse();
      writer.bulkArray(values);
      return;
    }
    writer.arrayHeader(end - start);
    const arena = this.#arena!;
    const map = this.#map;
    const base = this.#start;
    const step = reverse ? -1 : 1;
    for (let i = reverse ? end - 1 : start, n = end - start; n > 0; n--, i += step) {
      const at = base + i;
      const slot = map[at >>> SHIFT]![at & MASK]!;
      if (typeof slot === 'number') arena.reply(writer, slot);
      else writer.bulk(slot);
    }
  }

  /**
   * Index of the first element equal to `value` at or after `from`, or -1 (LINSERT's pivot).
   * O(n).
   */
  indexOf(value: string, from = 0): number {
    const flat = this.#flat;
    if (flat !== null) return flat.indexOf(value, from);
    const map = this.#map;
    const base = this.#start;
    for (let i = from, length = this.#length; i < length; i++) {
      const at = base + i;
      if (this.#matches(map[at >>> SHIFT]![at & MASK]!, value)) return i;
    }
    return -1;
  }

  /**
   * Index of the last element equal to `value` at or before `from`, or -1. O(n).
   */
  lastIndexOf(value: string, from = this.length - 1): number {
    const flat = this.#flat;
    if (flat !== null) return from < 0 ? -1 : flat.lastIndexOf(value, from);
    const map = this.#map;
    const base = this.#start;
    for (let i = Math.min(from, this.#length - 1); i >= 0; i--) {
      const at = base + i;
      if (this.#matches(map[at >>> SHIFT]![at & MASK]!, value)) return i;
    }
    return -1;
  }

  /**
   * Inserts `value` next to the element at `pivot`, after it or before it (LINSERT), moving the
   * shorter side of the list by one. O(min(pivot, length - pivot) + quicklist nodes).
   */
  insertAt(pivot: number, after: boolean, value: string): void {
    const length = this.length;
    if (pivot < 0 || pivot >= length) throw new RangeError(`list index ${pivot} out of range`);
    this.#nodes.insert(pivot, after, value.length, listpackEntrySize(value), (i) =>
      this.#entrySize(this.#slot(i)),
    );
    this.#insertSlot(after ? pivot + 1 : pivot, value);
  }

  /** Inserts `value` before the element at `index` (`index === length` appends). */
  #insertSlot(index: number, value: string): void {
    const length = this.length;
    const flat = this.#flat;
    if (flat !== null && flat.length < LIST_FLAT_MAX) {
      flat.splice(index, 0, value);
      return;
    }
    // the slots move as they are (handles stay where their strings are)
    if (index < length >>> 1) {
      this.#pushSlotLeft('');
      for (let i = 0; i < index; i++) this.#putSlot(i, this.#slot(i + 1));
    } else {
      this.#pushSlotRight('');
      for (let i = length; i > index; i--) this.#putSlot(i, this.#slot(i - 1));
    }
    this.#putSlot(index, this.#in(value));
  }

  /**
   * Removes elements equal to `value` (LREM): the first `count` from the head when count > 0,
   * the last `-count` from the tail when count < 0, all when 0. Returns how many went. O(n).
   */
  removeMatching(value: string, count: number): number {
    const length = this.length;
    // where the removed elements were, in order, for the quicklist nodes
    const positions: number[] = [];
    if (count >= 0) {
      const limit = count === 0 ? Infinity : count;
      let write = this.indexOf(value);
      if (write < 0) return 0;
      for (let read = write; read < length; read++) {
        const item = this.#slot(read);
        if (positions.length < limit && this.#matches(item, value)) {
          positions.push(read);
          this.#release(item);
        } else this.#putSlot(write++, item);
      }
      // the last `removed` slots were moved down or released already
      this.#dropLast(positions.length);
    } else {
      const limit = -count;
      let write = this.lastIndexOf(value);
      if (write < 0) return 0;
      for (let read = write; read >= 0; read--) {
        const item = this.#slot(read);
        if (positions.length < limit && this.#matches(item, value)) {
          positions.push(read);
          this.#release(item);
        } else this.#putSlot(write--, item);
      }
      this.#dropFirst(positions.length);
      positions.reverse();
    }
    this.#nodes.removeSorted(positions, listpackEntrySize(value));
    return positions.length;
  }

  /** Removes the first `count` elements (LPOP with a count, LTRIM). O(count). */
  removeFirst(count: number): void {
    if (count <= 0) return;
    this.#nodes.removeHead(count, (i) => this.#entrySize(this.#slot(i)));
    if (count < this.length) this.#releaseRange(0, count);
    this.#dropFirst(count);
  }

  /** Removes the last `count` elements (RPOP with a count, LTRIM). O(count). */
  removeLast(count: number): void {
    if (count <= 0) return;
    const length = this.length;
    this.#nodes.removeTail(count, length, (i) => this.#entrySize(this.#slot(i)));
    if (count < length) this.#releaseRange(length - count, length);
    this.#dropLast(count);
  }

  /** removeFirst without releasing the slots' handles. O(1) per chunk. */
  #dropFirst(count: number): void {
    if (count <= 0) return;
    if (count >= this.length) {
      this.#resetSlots();
      return;
    }
    const flat = this.#flat;
    if (flat !== null) {
      flat.splice(0, count);
      return;
    }
    const from = this.#start;
    const to = from + count;
    // whole chunks before the new first one go at once; its leading slots are blanked
    for (let index = from >>> SHIFT; index < to >>> SHIFT; index++) this.#map[index] = null;
    const chunk = this.#map[to >>> SHIFT]!;
    chunk.fill('', Math.max(from, to & ~MASK) & MASK, to & MASK);
    this.#start = to;
    this.#length -= count;
    this.#afterShrink();
  }

  /** removeLast without releasing the slots' handles. O(1) per chunk. */
  #dropLast(count: number): void {
    if (count <= 0) return;
    if (count >= this.length) {
      this.#resetSlots();
      return;
    }
    const flat = this.#flat;
    if (flat !== null) {
      flat.length -= count;
      return;
    }
    const end = this.#start + this.#length; // exclusive
    const newEnd = end - count;
    const lastKept = (newEnd - 1) >>> SHIFT;
    for (let index = lastKept + 1; index <= (end - 1) >>> SHIFT; index++) this.#map[index] = null;
    const chunk = this.#map[lastKept]!;
    const chunkEnd = Math.min(end, (lastKept + 1) << SHIFT);
    if (chunkEnd > newEnd) chunk.fill('', newEnd & MASK, ((chunkEnd - 1) & MASK) + 1);
    this.#length -= count;
    this.#afterShrink();
  }

  /** Keeps only the elements from `start` to `end` inclusive, both within range (LTRIM). */
  trim(start: number, end: number): void {
    this.removeLast(this.length - 1 - end);
    this.removeFirst(start);
  }

  /** Removes every element. O(1). */
  clear(): void {
    this.#resetSlots();
    this.#nodes.clear();
  }

  /** Empties the elements' storage (the nodes are the caller's). */
  #resetSlots(): void {
    this.#flat = [];
    this.#map = NO_MAP;
    this.#start = 0;
    this.#length = 0;
    this.#spare = null;
    this.#arena = null;
  }

  /** The elements in order, as a new array (persistence, DUMP). O(n). */
  toArray(): string[] {
    return this.slice(0, this.length);
  }

  /** Iterates the elements from head to tail. O(n) for the whole iteration. */
  *values(): IterableIterator<string> {
    for (let i = 0, length = this.length; i < length; i++) yield this.#get(i);
  }

  /** Iterates the elements from head to tail (`[...list]`). */
  [Symbol.iterator](): IterableIterator<string> {
    return this.values();
  }

  /** A deep copy (COPY). O(n). */
  clone(): ListValue {
    const copy = new ListValue(this.#nodes);
    copy.#nodes = this.#nodes.clone();
    const flat = this.#flat;
    if (flat !== null) {
      copy.#flat = flat.slice();
      return copy;
    }
    copy.#flat = null;
    copy.#map = this.#map.map((chunk) => (chunk === null ? null : chunk.slice()));
    copy.#arena = this.#arena!.clone();
    copy.#start = this.#start;
    copy.#length = this.#length;
    return copy;
  }

  /**
   * MEMORY USAGE estimate in bytes (V8 heap, pointer compression): the list object, its array or
   * chunks, the arena's pages, and the strings outside the arena, sampled evenly past 64
   * elements and extrapolated as redis-server samples quicklist nodes. O(min(n, 64) + pages).
   */
  memoryUsage(): number {
    const length = this.length;
    const flat = this.#flat;
    let bytes = 40;
    if (flat !== null) bytes += 16 + flat.length * 4;
    else
      bytes +=
        16 +
        this.#map.length * 4 +
        (((this.#start + length - 1) >>> SHIFT) - (this.#start >>> SHIFT) + 1) *
          (16 + LIST_CHUNK * 4) +
        this.#arena!.reservedBytes;
    if (length === 0) return bytes;
    const samples = Math.min(length, 64);
    let sampled = 0;
    for (let k = 0; k < samples; k++) {
      const item = this.#slot(Math.floor((k * length) / samples));
      // a handle's bytes are in the arena's pages; a string has V8's header and its chars
      if (typeof item === 'string') sampled += 12 + Math.ceil(item.length / 4) * 4;
    }
    return bytes + Math.round((sampled * length) / samples);
  }

  /** Throws when the layout's invariants do not hold (for the model tests). O(n). */
  checkInvariants(): void {
    this.#nodes.checkInvariants(this.length);
    const flat = this.#flat;
    if (flat !== null) {
      if (flat.length > LIST_FLAT_MAX) throw new Error(`list: flat with ${flat.length} elements`);
      if (this.#map !== NO_MAP || this.#length !== 0 || this.#spare !== null || this.#arena)
        throw new Error('list: flat layout with chunked state');
      for (let i = 0; i < flat.length; i++)
        if (typeof flat[i] !== 'string') throw new Error(`list: element ${i} is not a string`);
      return;
    }
    const length = this.#length;
    if (length <= LIST_FLAT_MAX >>> 2) throw new Error(`list: chunked with ${length} elements`);
    const map = this.#map;
    const start = this.#start;
    const end = start + length;
    if (start < 0 || end > map.length << SHIFT) throw new Error('list: range outside the map');
    const first = start >>> SHIFT;
    const last = (end - 1) >>> SHIFT;
    let handles = 0;
    for (let index = 0; index < map.length; index++) {
      const chunk = map[index];
      if (index < first || index > last) {
        if (chunk !== null) throw new Error(`list: chunk ${index} outside the range is kept`);
        continue;
      }
      if (!chunk || chunk.length !== LIST_CHUNK)
        throw new Error(`list: chunk ${index} missing or resized`);
      for (let slot = 0; slot < LIST_CHUNK; slot++) {
        const at = (index << SHIFT) + slot;
        const item = chunk[slot];
        if (typeof item === 'number') {
          if (!Number.isInteger(item) || item <= 0 || handleLength(item) === 0)
            throw new Error(`list: slot ${at} holds ${item}, not a handle`);
          handles++;
        } else if (typeof item !== 'string')
          throw new Error(`list: slot ${at} is neither a string nor a handle`);
        // (an arena's class holds 2^23 strings: only a list that large keeps short strings)
        else if (item.length > 0 && item.length <= ARENA_MAX_LENGTH)
          throw new Error(`list: slot ${at} holds a short string outside the arena`);
        if ((at < start || at >= end) && item !== '')
          throw new Error(`list: unused slot ${at} still holds a value`);
      }
    }
    if (this.#arena === null || handles !== this.#arena.count)
      throw new Error(`list: ${this.#arena?.count} strings in the arena for ${handles} handles`);
    const spare = this.#spare;
    if (spare !== null && (spare.length !== LIST_CHUNK || spare.some((item) => item !== '')))
      throw new Error('list: spare chunk not blank');
  }

  /** Element `index`, known to be in range. */
  #get(index: number): string {
    const slot = this.#slot(index);
    return typeof slot === 'number' ? this.#arena!.read(slot) : slot;
  }

  /** Slot `index` as stored (a handle or a string), known to be in range. */
  #slot(index: number): Slot {
    const flat = this.#flat;
    if (flat !== null) return flat[index]!;
    const at = this.#start + index;
    return this.#map[at >>> SHIFT]![at & MASK]!;
  }

  /** Overwrites slot `index`, known to be in range, with a slot as stored (its old one is not released). */
  #putSlot(index: number, slot: Slot): void {
    const flat = this.#flat;
    if (flat !== null) {
      flat[index] = slot as string; // a flat list holds no handles
      return;
    }
    const at = this.#start + index;
    this.#map[at >>> SHIFT]![at & MASK] = slot;
  }

  /** The listpack entry size of the element a slot stores (a handle's is read in place). */
  #entrySize(slot: Slot): number {
    if (typeof slot !== 'number') return listpackEntrySize(slot);
    const length = handleLength(slot);
    const integer = length <= 16 ? this.#arena!.integer(slot) : NaN;
    if (integer === integer) return integerEntrySize(integer);
    // (16 to 20 chars may still be an integer the arena does not parse)
    if (length < 16 || length > 20) return stringEntrySize(length);
    const first = this.#arena!.firstCode(slot);
    return first === 45 || (first >= 48 && first <= 57)
      ? listpackEntrySize(this.#arena!.read(slot))
      : stringEntrySize(length);
  }

  /** What a slot stores for `value`: its handle in the arena when it fits there. */
  #in(value: string): Slot {
    const arena = this.#arena;
    return arena === null ? value : arena.hold(value);
  }

  /** The element a slot stores, its handle released: the slot is being emptied. */
  #take(slot: Slot): string {
    if (typeof slot !== 'number') return slot;
    const arena = this.#arena!;
    const value = arena.read(slot);
    arena.free(slot);
    return value;
  }

  /** Releases a slot's handle, if it holds one: its element is gone. */
  #release(slot: Slot): void {
    if (typeof slot === 'number') this.#arena!.free(slot);
  }

  /** Releases the handles of elements `from` to `to` (exclusive), about to be dropped. */
  #releaseRange(from: number, to: number): void {
    const arena = this.#arena;
    if (arena === null || arena.count === 0) return;
    for (let i = from; i < to; i++) this.#release(this.#slot(i));
  }

  /** True when a slot stores `value`. */
  #matches(slot: Slot, value: string): boolean {
    return typeof slot === 'number' ? this.#arena!.equals(slot, value) : slot === value;
  }

  /** Moves a full flat array into chunks, starting at the second chunk of a fresh map. */
  #toChunked(): void {
    const flat = this.#flat as string[];
    const chunks = Math.ceil(flat.length / LIST_CHUNK) + 2;
    this.#map = newMap(chunks);
    this.#start = LIST_CHUNK;
    this.#length = 0;
    this.#flat = null;
    this.#arena = new StringArena();
    for (let i = 0; i < flat.length; i++) {
      const at = LIST_CHUNK + i;
      const chunk = this.#map[at >>> SHIFT] ?? this.#takeChunk(at >>> SHIFT);
      chunk[at & MASK] = this.#in(flat[i]!);
    }
    this.#length = flat.length;
  }

  /**
   * Back to flat once small enough (after any removal in the chunked layout); before that, a
   * list whose arena holds four times the slots its elements use (LTRIM of a long list, or
   * most of a queue drained) moves its elements to a fresh arena, so the pages go. O(1), or
   * O(n) for the move, after at least 3n removals since the arena was that size.
   */
  #afterShrink(): void {
    if (this.#length > LIST_FLAT_MAX >>> 2) {
      if (this.#arena!.sparse) this.#compactArena();
      return;
    }
    const elements = this.slice(0, this.#length);
    this.#resetSlots();
    this.#flat = elements;
  }

  /** Moves the short elements to a fresh arena of their size, dropping the old one's pages. */
  #compactArena(): void {
    const old = this.#arena!;
    const fresh = new StringArena();
    const map = this.#map;
    for (let at = this.#start, end = at + this.#length; at < end; at++) {
      const chunk = map[at >>> SHIFT]!;
      const slot = chunk[at & MASK]!;
      if (typeof slot === 'number') chunk[at & MASK] = fresh.hold(old.read(slot));
    }
    this.#arena = fresh;
  }

  /** Rebuilds the map with free room on both sides of the chunks in use. O(chunks). */
  #rebuildMap(): void {
    const map = this.#map;
    const first = this.#start >>> SHIFT;
    const last = (this.#start + this.#length - 1) >>> SHIFT;
    const used = last - first + 1;
    const size = used * 2 + 2;
    const offset = (size - used) >>> 1;
    const next = newMap(size);
    for (let i = 0; i < used; i++) next[offset + i] = map[first + i] ?? null;
    this.#map = next;
    this.#start = (offset << SHIFT) + (this.#start & MASK);
  }

  /** Puts a blank chunk (the spare, or a new one) at map slot `index`. */
  #takeChunk(index: number): Slot[] {
    const chunk = this.#spare ?? BLANK_CHUNK.slice();
    this.#spare = null;
    this.#map[index] = chunk;
    return chunk;
  }

  /** Releases the chunk at map slot `index`, whose slots are all blank, keeping it as spare. */
  #releaseChunk(index: number): void {
    this.#spare ??= this.#map[index] ?? null;
    this.#map[index] = null;
  }
}

/**
 * Largest list kept in the flat layout; a chunked list returns to flat at a quarter of it.
 *
 * @example
 * ```ts
 * ListValue.from(Array(LIST_FLAT_MAX + 1).fill('x')); // chunked
 * ```
 */
export const LIST_FLAT_MAX = 128;
const SHIFT = 8;
/**
 * Slots per chunk in the chunked layout (a power of two: index arithmetic is a shift and a mask).
 *
 * @example
 * ```ts
 * const chunks = Math.ceil(1_000_000 / LIST_CHUNK); // 3907 chunks for a million elements
 * ```
 */
export const LIST_CHUNK = 1 << SHIFT;
const MASK = LIST_CHUNK - 1;
const BLANK_CHUNK: readonly Slot[] = Array.from({ length: LIST_CHUNK }, () => '');
const NO_MAP: (Slot[] | null)[] = [];

function newMap(size: number): (Slot[] | null)[] {
  const map: (Slot[] | null)[] = [];
  for (let i = 0; i < size; i++) map.push(null);
  return map;
}
