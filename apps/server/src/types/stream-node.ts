import { compareIdAt, idAt, idTextAt, type StreamId } from './stream-id.js';

/**
 * One node of a stream: what redis-server 7.0 keeps in one listpack of its radix tree (t_stream.c
 * streamAppendItem). Entries are appended in ID order; deleting one only flags it (a tombstone),
 * and the node goes away when its last live entry does. Node boundaries matter to clients: `~`
 * trimming removes whole nodes only, and XINFO STREAM reports the number of nodes, so a node
 * fills exactly as a listpack would: the byte size of the listpack Redis would have built is
 * tracked element by element ({@link StreamNode.listpackBytes}), and a new node starts when
 * `stream-node-max-bytes` or `stream-node-max-entries` says so.
 *
 * Layout: one typed array of five uint32 words per entry (live or deleted), and one array of the
 * entries' strings:
 *
 * ```
 * words: [msHi msLo seqHi seqLo flags|end][msHi ...]...
 *                                   ^ end: index in `items` after the entry's last value
 *                                     (bits 0-29); flags (DELETED, SAMEFIELDS) in bits 30-31
 * items: [field value field value ...]   entry i spans [end(i - 1), end(i)); master fields are
 *                                        shared by the entries that repeat them (SAMEFIELDS)
 * ```
 *
 * Readability was traded for memory and speed here: one allocation per node instead of three,
 * no per-entry object. The words array grows by 4x from 8 entries and is trimmed to size when the
 * node is sealed (as lpShrinkToFit); a node after the first of its stream starts at the entry
 * limit's capacity (at most 128), since a stream that filled a node will likely fill the next.
 *
 * @example
 * ```ts
 * const node = new StreamNode(['name']);
 * node.append(StreamId.of(1, 0), ['name', 'ada'], 0, 1);
 * node.listpackBytes; // what lpBytes() reports for the same listpack
 * ```
 */
export class StreamNode {
  /** five uint32 words per entry: the ID, then flags and the end of its items */
  words: Uint32Array;
  /** field, value, field, value... of every entry in order */
  items: string[];
  /** the fields of the node's first entry (the listpack's master entry) */
  readonly masterFields: readonly string[];
  /** entries in the node, deleted ones included */
  size = 0;
  /** entries not deleted */
  live = 0;
  /** listpack bytes of every element but the live/deleted counters, header and end byte */
  #elementBytes = 0;
  // The first ID again, in the node object itself: node seeks compare it without reaching into
  // each node's typed array (one cache line per step of the binary search instead of three).
  #firstMsHi = 0;
  #firstMsLo = 0;
  #firstSeqHi = 0;
  #firstSeqLo = 0;

  /** A node whose master entry has these fields (the first entry's). O(fields). */
  constructor(masterFields: readonly string[], capacity = 8) {
    this.words = new Uint32Array(capacity * WORDS);
    this.items = [];
    this.masterFields = masterFields;
    // master entry: count, deleted (counted apart), num-fields, the fields, the 0 terminator
    let bytes = intElementBytes(masterFields.length) + INT_ZERO_BYTES;
    for (const field of masterFields) bytes += stringElementBytes(field);
    this.#elementBytes = bytes;
  }

  /** Entries deleted but still in the node (tombstones). O(1). */
  get deleted(): number {
    return this.size - this.live;
  }

  /**
   * The size of the listpack redis-server would hold for this node (lpBytes): 6 header bytes,
   * the elements, the end byte. O(1).
   */
  get listpackBytes(): number {
    return (
      7 + this.#elementBytes + intElementBytes(this.live) + intElementBytes(this.size - this.live)
    );
  }

  /** The node's key in Redis's radix tree: its first entry's ID (deleted or not). O(1). */
  get masterId(): StreamId {
    return idAt(this.words, 0);
  }

  /** Entry `index`'s ID. O(1). */
  idAt(index: number): StreamId {
    return idAt(this.words, index * WORDS);
  }

  /** Entry `index`'s ID as text. O(1). */
  idTextAt(index: number): string {
    return idTextAt(this.words, index * WORDS);
  }

  /** Compares entry `index`'s ID with `id`: -1, 0 or 1. O(1). */
  compareAt(index: number, id: StreamId): number {
    return compareIdAt(this.words, index * WORDS, id);
  }

  /** Compares the node's first ID (its key) with `id`: -1, 0 or 1. O(1). */
  compareFirst(id: StreamId): number {
    if (this.#firstMsHi !== id.msHi) return this.#firstMsHi < id.msHi ? -1 : 1;
    if (this.#firstMsLo !== id.msLo) return this.#firstMsLo < id.msLo ? -1 : 1;
    if (this.#firstSeqHi !== id.seqHi) return this.#firstSeqHi < id.seqHi ? -1 : 1;
    if (this.#firstSeqLo !== id.seqLo) return this.#firstSeqLo < id.seqLo ? -1 : 1;
    return 0;
  }

  /** Index in {@link items} of entry `index`'s first field. O(1). */
  itemsStart(index: number): number {
    return index === 0 ? 0 : ((this.words[index * WORDS - 1] ?? 0) & END_MASK) >>> 0;
  }

  /** Index in {@link items} after entry `index`'s last value. O(1). */
  itemsEnd(index: number): number {
    return ((this.words[index * WORDS + 4] ?? 0) & END_MASK) >>> 0;
  }

  /** Entry `index`'s {@link EntryFlag} bits. O(1). */
  flagsAt(index: number): number {
    return (this.words[index * WORDS + 4] ?? 0) >>> FLAG_SHIFT;
  }

  /**
   * Appends an entry: `pairs` field/value pairs from `argv[from]` on. Whether its fields are the
   * master's decides its listpack size (SAMEFIELDS entries store values only), as in Redis; such
   * entries share the master's field strings. O(fields).
   */
  append(id: StreamId, argv: readonly string[], from: number, pairs: number): void {
    const index = this.size;
    if ((index + 1) * WORDS > this.words.length) this.#resize(Math.max(8, index * 4));
    const words = this.words;
    const at = index * WORDS;
    words[at] = id.msHi;
    words[at + 1] = id.msLo;
    words[at + 2] = id.seqHi;
    words[at + 3] = id.seqLo;
    if (index === 0) {
      this.#firstMsHi = id.msHi;
      this.#firstMsLo = id.msLo;
      this.#firstSeqHi = id.seqHi;
      this.#firstSeqLo = id.seqLo;
    }
    const master = this.masterFields;
    let same = pairs === master.length;
    for (let i = 0; same && i < pairs; i++) same = argv[from + i * 2] === master[i];
    const items = this.items;
    let bytes = FLAGS_BYTES;
    bytes += idDeltaBytes(words[0] ?? 0, words[1] ?? 0, id.msHi, id.msLo);
    bytes += idDeltaBytes(words[2] ?? 0, words[3] ?? 0, id.seqHi, id.seqLo);
    if (same) {
      for (let i = 0; i < pairs; i++) {
        const value = argv[from + i * 2 + 1] ?? '';
        items.push(master[i] ?? '', value);
        bytes += stringElementBytes(value);
      }
      bytes += intElementBytes(pairs + 3);
    } else {
      bytes += intElementBytes(pairs);
      for (let i = 0; i < pairs * 2; i++) {
        const text = argv[from + i] ?? '';
        items.push(text);
        bytes += stringElementBytes(text);
      }
      bytes += intElementBytes(pairs * 2 + 4);
    }
    this.#elementBytes += bytes;
    const flags = same ? EntryFlag.SAMEFIELDS : EntryFlag.NONE;
    words[at + 4] = ((flags << FLAG_SHIFT) | items.length) >>> 0;
    this.size = index + 1;
    this.live++;
  }

  /** Flags entry `index` deleted (the caller knows it is live). O(1). */
  markDeleted(index: number): void {
    const at = index * WORDS + 4;
    this.words[at] = ((this.words[at] ?? 0) | (EntryFlag.DELETED << FLAG_SHIFT)) >>> 0;
    this.live--;
  }

  /** True when entry `index` is deleted. O(1). */
  isDeleted(index: number): boolean {
    return (this.flagsAt(index) & EntryFlag.DELETED) !== 0;
  }

  /** Number of field/value pairs of entry `index`. O(1). */
  pairCount(index: number): number {
    return (this.itemsEnd(index) - this.itemsStart(index)) >>> 1;
  }

  /** Trims the storage to the entries held (lpShrinkToFit when the node is sealed). O(size). */
  shrink(): void {
    if (this.words.length !== this.size * WORDS) this.#resize(this.size);
    if (this.items.length !== 0) this.items = this.items.slice();
  }

  /** A deep copy (COPY). O(size). */
  clone(): StreamNode {
    const copy = new StreamNode(this.masterFields, 0);
    copy.words = this.words.slice(0, this.size * WORDS);
    copy.items = this.items.slice();
    copy.size = this.size;
    copy.live = this.live;
    copy.#elementBytes = this.#elementBytes;
    copy.#firstMsHi = this.#firstMsHi;
    copy.#firstMsLo = this.#firstMsLo;
    copy.#firstSeqHi = this.#firstSeqHi;
    copy.#firstSeqLo = this.#firstSeqLo;
    return copy;
  }

  #resize(capacity: number): void {
    const words = new Uint32Array(capacity * WORDS);
    words.set(this.words.subarray(0, this.size * WORDS));
    this.words = words;
  }
}

/** uint32 words per entry. */
const WORDS = 5;
/** flags live in the top two bits of an entry's fifth word */
const FLAG_SHIFT = 30;
const END_MASK = (1 << FLAG_SHIFT) - 1;

/** Entry flags, as the listpack stores them. */
export const EntryFlag = {
  NONE: 0,
  /** a tombstone: XDEL or a trim inside the node */
  DELETED: 1,
  /** the entry's fields are the master entry's: the listpack holds its values only */
  SAMEFIELDS: 2,
} as const;

// ---------------------------------------------------------------------------------------------
// listpack element sizes (listpack.c): an encoding, the data, then the element's length
// backwards in 1-5 bytes. Strings that read as an int64 are stored as integers.

/** lpEncodeBacklen's size for an element of `length` bytes. */
function backlenBytes(length: number): number {
  if (length <= 127) return 1;
  if (length < 16383) return 2;
  if (length < 2097151) return 3;
  if (length < 268435455) return 4;
  return 5;
}

/** Encoded size of an integer element (7-bit uint, 13/16/24/32/64-bit int). */
function intEncodingBytes(value: number): number {
  if (value >= 0 && value <= 127) return 1;
  if (value >= -4096 && value <= 4095) return 2;
  if (value >= -32768 && value <= 32767) return 3;
  if (value >= -8388608 && value <= 8388607) return 4;
  if (value >= -2147483648 && value <= 2147483647) return 5;
  return 9;
}

/**
 * Bytes of an integer element, backlen included. O(1).
 *
 * @example
 * ```ts
 * intElementBytes(127); // 2
 * intElementBytes(128); // 3
 * ```
 */
export function intElementBytes(value: number): number {
  const encoded = intEncodingBytes(value);
  return encoded + backlenBytes(encoded);
}

const INT_ZERO_BYTES = 2;
/** flags are 0..3: one 7-bit uint plus its backlen */
const FLAGS_BYTES = 2;

/**
 * Bytes of a string element as lpAppend stores it (as an integer when it reads as one). O(n).
 *
 * @example
 * ```ts
 * stringElementBytes('abc'); // 5
 * stringElementBytes('-0'); // 4: not canonical, so a string
 * ```
 */
export function stringElementBytes(text: string): number {
  const length = text.length;
  const asInt = int64Encoding(text);
  if (asInt !== 0) return asInt + backlenBytes(asInt);
  const encoded = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length;
  return encoded + backlenBytes(encoded);
}

/**
 * The integer encoding size of `text` if lpStringToInt64 accepts it (1-20 bytes, canonical
 * decimal, within int64), else 0.
 */
function int64Encoding(text: string): number {
  const length = text.length;
  if (length === 0 || length > 20) return 0;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */) {
    if (length === 1) return 0;
    i = 1;
  }
  const lead = text.charCodeAt(i);
  if (lead === 48 /* 0 */) return length === 1 ? 1 : 0;
  if (lead < 49 || lead > 57) return 0;
  for (let j = i + 1; j < length; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return 0;
  }
  if (length - i <= 15) return intEncodingBytes(Number(text));
  const value = BigInt(text);
  if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) return 0;
  return 9;
}

const TWO_32 = 4294967296;

/**
 * Bytes of the element holding `current - master` for one half of an ID (ms or seq): the
 * difference is taken modulo 2^64 and stored as an int64, as `lpAppendInteger(lp, id.ms -
 * master_id.ms)` does with uint64 operands.
 */
function idDeltaBytes(masterHi: number, masterLo: number, hi: number, lo: number): number {
  let dHi = hi - masterHi;
  let dLo = lo - masterLo;
  if (dLo < 0) {
    dLo += TWO_32;
    dHi -= 1;
  }
  dHi = ((dHi % TWO_32) + TWO_32) % TWO_32;
  // as int64: the high word's top bit is the sign
  if (dHi === 0) return intElementBytes(dLo);
  if (dHi === 0xffffffff && dLo >= 0x80000000) return intElementBytes(dLo - TWO_32);
  return 10; // beyond 32 bits: the 64-bit encoding (9 bytes) and a 1-byte backlen
}
