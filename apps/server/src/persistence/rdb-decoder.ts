import type { Value } from '../values.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZSet, type ZSetLimits } from '../types/zset.js';
import { RdbFormatError } from './errors.js';
import { intsetMembers } from './intset-blob.js';
import { listpackElements, listpackEntrySize } from './listpack.js';
import {
  DEFAULT_QUICKLIST_OPTIONS,
  EMPTY_LISTPACK_BYTES,
  type QuicklistOptions,
} from '../types/quicklist-nodes.js';
import { lzfDecompress } from './lzf.js';
import { pluginForRdbType } from './rdb-plugins.js';
import { QuicklistContainer, RdbEncoding, RdbType } from './rdb-format.js';
import { ziplistElements, zipmapElements } from './ziplist.js';

/** The encoding thresholds a loaded value is checked against (the server's config). */
export interface ValueLimits {
  readonly hashMaxListpackEntries: number;
  readonly hashMaxListpackValue: number;
  readonly setMaxIntsetEntries: number;
  readonly zset: ZSetLimits;
  /** list-max-listpack-size and list-compress-depth, kept by each list loaded (default -2, 0) */
  readonly list?: QuicklistOptions;
}

/** redis.conf's defaults. */
export const DEFAULT_VALUE_LIMITS: ValueLimits = Object.freeze({
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zset: Object.freeze({ maxListpackEntries: 128, maxListpackValue: 64 }),
});

const UNLIMITED_VALUE = Number.MAX_SAFE_INTEGER;

/** A listpack score as zzlStrtod reads it: a number, "inf" or "-inf". */
function scoreFromText(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const score = text.length === 0 ? NaN : Number(text);
  if (Number.isNaN(score)) throw new RdbFormatError('invalid zset score');
  return score;
}

/**
 * More input for an {@link RdbDecoder} that reads in windows (an RDB file or a transfer read a
 * chunk at a time, never held whole): given the window and the part of it not read yet
 * (`bytes[pos, end)`), returns a new Buffer that starts with that part and holds at least `count`
 * bytes, or all that is left when the input ends first. The old window is not written to: views
 * of it taken before stay valid.
 */
export type RdbRefill = (bytes: Buffer, pos: number, end: number, count: number) => Buffer;

/**
 * Reads RDB-encoded data from a Buffer (rdbLoad* of rdb.c): lengths, strings in every encoding,
 * doubles, and values of every type redis-server 7 writes or older versions wrote (listpacks,
 * intsets, quicklists of listpacks or ziplists, ziplists, zipmaps, plain element lists), built
 * into byor's types in the encoding redis-server would choose for them under `limits`.
 * Throws {@link RdbFormatError} on anything malformed or truncated.
 *
 * With a {@link RdbRefill}, the Buffer is a window on a longer input that the decoder moves
 * forward when it needs more: `bytes`, `pos` and `end` then change on every {@link
 * RdbDecoder.ensure} (read `bytes` after it), and {@link RdbDecoder.offset} is the position in the
 * whole input.
 *
 * @example
 * ```ts
 * const decoder = new RdbDecoder(payload, DEFAULT_VALUE_LIMITS);
 * const type = decoder.byte();
 * const value = decoder.value(type);
 * ```
 */
export class RdbDecoder {
  bytes: Buffer;
  /** read position in `bytes` */
  pos: number;
  end: number;
  limits: ValueLimits;
  /** set by {@link RdbDecoder.lenOrEncoding}: the length byte announced a special encoding */
  #encoded = false;
  readonly #refill: RdbRefill | undefined;
  /** bytes of the input before the current window */
  #before = 0;

  constructor(
    bytes: Uint8Array,
    limits: ValueLimits,
    start = 0,
    end = bytes.length,
    refill?: RdbRefill,
  ) {
    this.bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
    this.limits = limits;
    this.#refill = refill;
  }

  /** The read position in the whole input (`pos` when the input is one Buffer). */
  get offset(): number {
    return this.#before + this.pos;
  }

  /**
   * Makes sure `count` bytes are there to read from `pos` (moving the window forward when
   * reading in windows). Throws {@link RdbFormatError} when the input ends first.
   */
  ensure(count: number): void {
    if (this.pos + count <= this.end) return;
    const refill = this.#refill;
    if (refill !== undefined) {
      const next = refill(this.bytes, this.pos, this.end, count);
      this.#before += this.pos;
      this.bytes = next;
      this.pos = 0;
      this.end = next.length;
      if (count <= next.length) return;
    }
    throw new RdbFormatError('unexpected end of RDB data');
  }

  byte(): number {
    this.ensure(1);
    return this.bytes[this.pos++] as number;
  }

  /** rdbLoadLenByRef: a length, or the special encoding number when {@link wasEncoded}. */
  lenOrEncoding(): number {
    const first = this.byte();
    const kind = first >>> 6;
    this.#encoded = false;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.byte();
    if (kind === 3) {
      this.#encoded = true;
      return first & 0x3f;
    }
    if (first === 0x80) {
      this.ensure(4);
      const value = this.bytes.readUInt32BE(this.pos);
      this.pos += 4;
      return value;
    }
    if (first === 0x81) {
      this.ensure(8);
      const value = this.bytes.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbFormatError('length too large');
      return Number(value);
    }
    throw new RdbFormatError(`unknown length encoding ${first}`);
  }

  /** True when the last {@link lenOrEncoding} read a special encoding. */
  get wasEncoded(): boolean {
    return this.#encoded;
  }

  /** rdbLoadLen: a plain length. */
  len(): number {
    const value = this.lenOrEncoding();
    if (this.#encoded) throw new RdbFormatError('unexpected string encoding for a length');
    return value;
  }

  /** rdbGenericLoadStringObject as a latin1 string. O(n). */
  string(): string {
    const length = this.lenOrEncoding();
    if (this.#encoded) {
      switch (length) {
        case RdbEncoding.INT8:
          this.ensure(1);
          return String(this.bytes.readInt8(this.pos++));
        case RdbEncoding.INT16:
          this.ensure(2);
          this.pos += 2;
          return String(this.bytes.readInt16LE(this.pos - 2));
        case RdbEncoding.INT32:
          this.ensure(4);
          this.pos += 4;
          return String(this.bytes.readInt32LE(this.pos - 4));
        case RdbEncoding.LZF: {
          const plain = this.#lzf();
          return plain.toString('latin1', 0, plain.length);
        }
        default:
          throw new RdbFormatError(`unknown string encoding ${length}`);
      }
    }
    this.ensure(length);
    const start = this.pos;
    this.pos += length;
    return this.bytes.toString('latin1', start, start + length);
  }

  /**
   * A string's raw bytes (a listpack, intset or ziplist blob): a view into the input, or the
   * decompressed bytes of an LZF string. O(1), or O(n) for LZF.
   */
  blob(): Buffer {
    const length = this.lenOrEncoding();
    if (this.#encoded) {
      if (length === RdbEncoding.LZF) return this.#lzf();
      // an integer-encoded blob is never valid
      throw new RdbFormatError('integer-encoded blob');
    }
    this.ensure(length);
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, start + length);
  }

  #lzf(): Buffer {
    const compressed = this.len();
    const length = this.len();
    this.ensure(compressed);
    const out = Buffer.allocUnsafe(length);
    const written = lzfDecompress(this.bytes, this.pos, compressed, out, 0, length);
    if (written !== length) throw new RdbFormatError('invalid LZF compressed string');
    this.pos += compressed;
    return out;
  }

  /** rdbLoadBinaryDoubleValue: 8 bytes little-endian. */
  binaryDouble(): number {
    this.ensure(8);
    const value = this.bytes.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** rdbLoadDoubleValue (RDB_TYPE_ZSET): a length byte (253 nan, 254 inf, 255 -inf), then text. */
  textDouble(): number {
    const length = this.byte();
    if (length === 253) return NaN;
    if (length === 254) return Infinity;
    if (length === 255) return -Infinity;
    this.ensure(length);
    const text = this.bytes.toString('latin1', this.pos, this.pos + length);
    this.pos += length;
    const value = Number(text);
    if (Number.isNaN(value)) throw new RdbFormatError('invalid double');
    return value;
  }

  /** A u64 LE millisecond time (EXPIRETIME_MS). */
  millis(): number {
    this.ensure(8);
    const value = Number(this.bytes.readBigInt64LE(this.pos));
    this.pos += 8;
    return value;
  }

  /** A u32 LE second time (EXPIRETIME), in ms. */
  seconds(): number {
    this.ensure(4);
    const value = this.bytes.readInt32LE(this.pos);
    this.pos += 4;
    return value * 1000;
  }

  /**
   * rdbLoadObject: a value of RDB `type`. Returns undefined for an empty collection (redis-server
   * skips those keys). O(n).
   */
  value(type: number): Value | undefined {
    switch (type) {
      case RdbType.STRING:
        return this.string();
      case RdbType.LIST: {
        const count = this.len();
        const elements = new Array<string>(count);
        for (let i = 0; i < count; i++) elements[i] = this.string();
        return count === 0 ? undefined : ListValue.from(elements, this.#listOptions);
      }
      case RdbType.LIST_ZIPLIST: {
        const blob = this.blob();
        const elements = ziplistElements(blob, 0, blob.length);
        return elements.length === 0 ? undefined : ListValue.from(elements, this.#listOptions);
      }
      case RdbType.LIST_QUICKLIST:
      case RdbType.LIST_QUICKLIST_2:
        return this.#quicklist(type === RdbType.LIST_QUICKLIST_2);
      case RdbType.SET:
        return this.#set();
      case RdbType.SET_INTSET: {
        const blob = this.blob();
        return this.#setFrom(intsetMembers(blob, 0, blob.length));
      }
      case RdbType.SET_LISTPACK: {
        const blob = this.blob();
        return this.#setFrom(listpackElements(blob, 0, blob.length));
      }
      case RdbType.ZSET:
      case RdbType.ZSET_2:
        return this.#zset(type === RdbType.ZSET_2);
      case RdbType.ZSET_ZIPLIST:
      case RdbType.ZSET_LISTPACK: {
        const blob = this.blob();
        const items =
          type === RdbType.ZSET_LISTPACK
            ? listpackElements(blob, 0, blob.length)
            : ziplistElements(blob, 0, blob.length);
        return this.#zsetFromPairs(items);
      }
      case RdbType.HASH:
        return this.#hash();
      case RdbType.HASH_ZIPMAP:
      case RdbType.HASH_ZIPLIST:
      case RdbType.HASH_LISTPACK: {
        const blob = this.blob();
        const items =
          type === RdbType.HASH_LISTPACK
            ? listpackElements(blob, 0, blob.length)
            : type === RdbType.HASH_ZIPLIST
              ? ziplistElements(blob, 0, blob.length)
              : zipmapElements(blob, 0, blob.length);
        return this.#hashFromPairs(items);
      }
      default: {
        const plugin = pluginForRdbType(type);
        if (plugin) return plugin.read(type, this);
        if (type === RdbType.MODULE_PRE_GA || type === RdbType.MODULE_2)
          throw new RdbFormatError('module values are not supported');
        if (
          type === RdbType.STREAM_LISTPACKS ||
          type === RdbType.STREAM_LISTPACKS_2 ||
          type === RdbType.STREAM_LISTPACKS_3
        )
          throw new RdbFormatError('stream values are not supported yet');
        throw new RdbFormatError(`unknown RDB value type ${type}`);
      }
    }
  }

  get #listOptions(): QuicklistOptions {
    return this.limits.list ?? DEFAULT_QUICKLIST_OPTIONS;
  }

  /**
   * A quicklist's nodes, kept as they come (quicklistAppendListpack): each listpack's elements
   * and bytes (a ziplist's as the listpack it converts to); empty ones skipped. A plain node (an
   * element of 1 GB or more in redis-server) becomes a node of its one element.
   */
  #quicklist(withContainers: boolean): ListValue | undefined {
    const nodes = this.len();
    const elements: string[] = [];
    const counts: number[] = [];
    const bytes: number[] = [];
    for (let n = 0; n < nodes; n++) {
      let container: number = QuicklistContainer.PACKED;
      if (withContainers) {
        container = this.len();
        if (container !== QuicklistContainer.PACKED && container !== QuicklistContainer.PLAIN)
          throw new RdbFormatError(`unknown quicklist container ${container}`);
      }
      if (container === QuicklistContainer.PLAIN) {
        const element = this.string();
        elements.push(element);
        counts.push(1);
        bytes.push(EMPTY_LISTPACK_BYTES + listpackEntrySize(element));
        continue;
      }
      const blob = this.blob();
      const items = withContainers
        ? listpackElements(blob, 0, blob.length)
        : ziplistElements(blob, 0, blob.length);
      if (items.length === 0) continue;
      let size = blob.length;
      if (!withContainers) {
        size = EMPTY_LISTPACK_BYTES;
        for (const item of items) size += listpackEntrySize(item);
      }
      for (const item of items) elements.push(item);
      counts.push(items.length);
      bytes.push(size);
    }
    return elements.length === 0
      ? undefined
      : ListValue.fromNodes(elements, this.#listOptions, counts, bytes);
  }

  #set(): SetValue | undefined {
    const count = this.len();
    if (count === 0) return undefined;
    const limit = this.limits.setMaxIntsetEntries;
    const set = new SetValue(count <= limit);
    for (let i = 0; i < count; i++) {
      if (!set.add(this.string(), limit)) throw new RdbFormatError('duplicate set members');
    }
    return set;
  }

  #setFrom(members: readonly string[]): SetValue | undefined {
    if (members.length === 0) return undefined;
    const limit = this.limits.setMaxIntsetEntries;
    const set = new SetValue(true);
    for (const member of members) {
      if (!set.add(member, limit)) throw new RdbFormatError('duplicate set members');
    }
    return set;
  }

  #zset(binary: boolean): ZSet | undefined {
    const count = this.len();
    if (count === 0) return undefined;
    const limits = this.limits.zset;
    const zset = ZSet.create(limits);
    for (let i = 0; i < count; i++) {
      const member = this.string();
      const score = binary ? this.binaryDouble() : this.textDouble();
      if (Number.isNaN(score)) throw new RdbFormatError('zset score is NaN');
      if (zset.set.has(member)) throw new RdbFormatError('duplicate zset members');
      zset.add(member, score, {}, limits);
    }
    return zset;
  }

  #zsetFromPairs(items: readonly string[]): ZSet | undefined {
    if (items.length === 0) return undefined;
    if (items.length % 2 !== 0) throw new RdbFormatError('odd zset listpack');
    // as redis-server: a loaded listpack stays one unless it has too many entries
    const limits: ZSetLimits = {
      maxListpackEntries: this.limits.zset.maxListpackEntries,
      maxListpackValue: UNLIMITED_VALUE,
    };
    const zset = ZSet.create(limits);
    for (let i = 0; i < items.length; i += 2) {
      const member = items[i] as string;
      const score = scoreFromText(items[i + 1] as string);
      if (zset.set.has(member)) throw new RdbFormatError('duplicate zset members');
      zset.add(member, score, {}, limits);
    }
    return zset;
  }

  #hash(): HashValue | undefined {
    const count = this.len();
    if (count === 0) return undefined;
    const maxEntries = this.limits.hashMaxListpackEntries;
    const maxValue = this.limits.hashMaxListpackValue;
    const hash = new HashValue();
    if (count > maxEntries) hash.convertToHashtable();
    for (let i = 0; i < count; i++) {
      const field = this.string();
      const item = this.string();
      if (!hash.set(field, item, maxEntries, maxValue))
        throw new RdbFormatError('duplicate hash fields');
    }
    return hash;
  }

  #hashFromPairs(items: readonly string[]): HashValue | undefined {
    if (items.length === 0) return undefined;
    if (items.length % 2 !== 0) throw new RdbFormatError('odd hash listpack');
    const maxEntries = this.limits.hashMaxListpackEntries;
    const maxValue = this.limits.hashMaxListpackValue;
    const hash = new HashValue();
    if (items.length / 2 > maxEntries) hash.convertToHashtable();
    for (let i = 0; i < items.length; i += 2) {
      if (!hash.set(items[i] as string, items[i + 1] as string, maxEntries, maxValue))
        throw new RdbFormatError('duplicate hash fields');
    }
    return hash;
  }
}
