import type { Value } from '../values.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZSet, listpackScoreText } from '../types/zset.js';
import { ByteWriter } from './byte-writer.js';
import { Crc64 } from './crc64.js';
import { writeIntset } from './intset-blob.js';
import { ListpackBuilder } from './listpack.js';
import { lzfCompress } from './lzf.js';
import { pluginForValue } from './rdb-plugins.js';
import { QuicklistContainer, RDB_VERSION, RdbEncoding, RdbOpcode, RdbType } from './rdb-format.js';
import { RdbFormatError } from './errors.js';

/**
 * rdbSaveLen into a byte array at `at`; returns the offset after it. Self-contained (the
 * persistence worker runs it from its source text). O(1).
 *
 * @internal
 */
export function writeLength(target: Uint8Array, at: number, value: number): number {
  if (value < 64) {
    target[at] = value;
    return at + 1;
  }
  if (value < 16384) {
    target[at] = (value >>> 8) | 0x40;
    target[at + 1] = value & 0xff;
    return at + 2;
  }
  if (value <= 0xffffffff) {
    target[at] = 0x80;
    target[at + 1] = value >>> 24;
    target[at + 2] = (value >>> 16) & 0xff;
    target[at + 3] = (value >>> 8) & 0xff;
    target[at + 4] = value & 0xff;
    return at + 5;
  }
  target[at] = 0x81;
  const high = Math.floor(value / 0x100000000);
  const low = value % 0x100000000;
  for (let i = 0; i < 4; i++) {
    target[at + 1 + i] = (high >>> (24 - 8 * i)) & 0xff;
    target[at + 5 + i] = (low >>> (24 - 8 * i)) & 0xff;
  }
  return at + 9;
}

/** What the encoder reads from the config (rdbcompression, list-max-listpack-size). */
export interface RdbEncoderOptions {
  /** LZF-compress strings longer than 20 bytes (`rdbcompression`, default true) */
  readonly compression: boolean;
}

/**
 * Serializes values in redis-server 7.0's RDB encoding (rdbSaveObject and friends) into a
 * {@link ByteWriter}: strings with integer and LZF encodings, lists as quicklists of listpacks,
 * sets as intsets or member lists, sorted sets and hashes as listpacks or element lists, each in the
 * encoding the value has (OBJECT ENCODING). Used for RDB files, AOF preambles and DUMP.
 *
 * @example
 * ```ts
 * const encoder = new RdbEncoder({ compression: true });
 * encoder.dump('hello'); // the DUMP payload of a string
 * ```
 */
export class RdbEncoder {
  readonly out: ByteWriter;
  compression: boolean;
  /** the latin1 bytes of a string about to be compressed */
  #plain = Buffer.allocUnsafe(4096);
  /** LZF output (4 bytes of slack, see lzfCompress) */
  #packed = Buffer.allocUnsafe(4096 + 8);
  readonly #listpack = new ListpackBuilder();
  /**
   * When set, strings and blobs that may compress are written raw, without their length, and
   * their [offset, length] recorded here: the persistence worker compresses them (LZF) and writes
   * the headers, off the event loop. See snapshot-formats.ts.
   */
  deferred: number[] | undefined = undefined;

  constructor(options: RdbEncoderOptions, out: ByteWriter = new ByteWriter(64 * 1024)) {
    this.out = out;
    this.compression = options.compression;
  }

  /** rdbSaveLen. O(1). */
  len(value: number): void {
    const out = this.out;
    out.ensure(9);
    out.length = writeLength(out.buffer, out.length, value);
  }

  /**
   * rdbSaveRawString: a canonical integer in the int32 range as an integer encoding, a string
   * longer than 20 bytes LZF-compressed when that saves at least 4 bytes, else length + bytes.
   * O(n).
   */
  string(text: string): void {
    const length = text.length;
    if (length <= 11 && this.#integer(text)) return;
    if (this.compression && length > 20) {
      if (this.deferred !== undefined) {
        this.deferred.push(this.out.length, length);
        this.out.latin1(text);
        return;
      }
      if (this.#plain.length < length) this.#plain = Buffer.allocUnsafe(length * 2);
      this.#plain.write(text, 0, length, 'latin1');
      if (this.#compressed(this.#plain, 0, length)) return;
      this.len(length);
      this.out.bytes(this.#plain, 0, length);
      return;
    }
    this.len(length);
    this.out.latin1(text);
  }

  /** rdbSaveRawString of binary bytes (listpacks, intsets). O(n). */
  blob(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.compression && length > 20 && this.deferred !== undefined) {
      this.deferred.push(this.out.length, length);
      this.out.bytes(bytes, start, end);
      return;
    }
    if (this.compression && length > 20 && this.#compressed(bytes, start, length)) return;
    this.len(length);
    this.out.bytes(bytes, start, end);
  }

  /** rdbSaveLzfStringObject: writes the LZF form and returns true, or false when it does not pay. */
  #compressed(bytes: Uint8Array, start: number, length: number): boolean {
    const size = this.#lzf(bytes, start, length, length - 4);
    if (size === 0) return false;
    this.#lzfString(size, length);
    return true;
  }

  /** lzfCompress into #packed (grown to fit `limit`); the size, or 0 past `limit`. O(n). */
  #lzf(bytes: Uint8Array, start: number, length: number, limit: number): number {
    if (this.#packed.length < limit + 8) this.#packed = Buffer.allocUnsafe(limit * 2 + 8);
    return lzfCompress(bytes, start, length, this.#packed, 0, limit);
  }

  /** An LZF string (rdbSaveLzfBlob): `size` bytes of #packed that decompress to `length`. */
  #lzfString(size: number, length: number): void {
    this.out.byte(0xc0 | RdbEncoding.LZF);
    this.len(size);
    this.len(length);
    this.out.bytes(this.#packed, 0, size);
  }

  /** rdbTryIntegerEncoding: writes the integer encoding and returns true when `text` has one. */
  #integer(text: string): boolean {
    const length = text.length;
    if (length === 0) return false;
    let i = 0;
    const negative = text.charCodeAt(0) === 45;
    if (negative) {
      if (length === 1) return false;
      i = 1;
    }
    const first = text.charCodeAt(i);
    if (first === 48 && length !== 1) return false;
    let value = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
      value = value * 10 + (c - 48);
    }
    if (negative) value = -value;
    const out = this.out;
    if (value >= -128 && value <= 127) {
      out.byte(0xc0 | RdbEncoding.INT8);
      out.byte(value & 0xff);
    } else if (value >= -32768 && value <= 32767) {
      out.byte(0xc0 | RdbEncoding.INT16);
      out.byte(value & 0xff);
      out.byte((value >>> 8) & 0xff);
    } else if (value >= -2147483648 && value <= 2147483647) {
      out.byte(0xc0 | RdbEncoding.INT32);
      out.u32le(value);
    } else {
      return false;
    }
    return true;
  }

  /** rdbSaveObjectType: the type byte redis-server 7.0 writes for a value. O(1). */
  typeOf(value: Value): number {
    if (typeof value === 'string') return RdbType.STRING;
    if (value instanceof HashValue)
      return value.encoding() === 'listpack' ? RdbType.HASH_LISTPACK : RdbType.HASH;
    if (value instanceof ZSet)
      return value.encoding() === 'listpack' ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
    if (value instanceof SetValue) return value.isIntset ? RdbType.SET_INTSET : RdbType.SET;
    if (value instanceof ListValue) return RdbType.LIST_QUICKLIST_2;
    const plugin = pluginForValue(value.type);
    if (!plugin) throw new RdbFormatError(`no RDB encoding for values of type ${value.type}`);
    return plugin.rdbType(value);
  }

  /** rdbSaveObject: the payload of `value` whose type byte is `type` (from typeOf). O(n). */
  value(value: Value, type: number): void {
    if (typeof value === 'string') {
      this.string(value);
      return;
    }
    switch (type) {
      case RdbType.HASH_LISTPACK: {
        const builder = this.#listpack;
        builder.begin();
        for (const [field, item] of (value as HashValue).entries()) {
          builder.add(field);
          builder.add(item);
        }
        const bytes = builder.end();
        this.blob(bytes, 0, bytes.length);
        return;
      }
      case RdbType.HASH: {
        const hash = value as HashValue;
        this.len(hash.size);
        for (const [field, item] of hash.entries()) {
          this.string(field);
          this.string(item);
        }
        return;
      }
      case RdbType.ZSET_LISTPACK: {
        const builder = this.#listpack;
        builder.begin();
        (value as ZSet).forEach((member, score) => {
          builder.add(member);
          builder.add(listpackScoreText(score));
        });
        const bytes = builder.end();
        this.blob(bytes, 0, bytes.length);
        return;
      }
      case RdbType.ZSET_2: {
        // highest score first, so that loading inserts at the head of the skiplist (rdb.c)
        const zset = value as ZSet;
        this.len(zset.size);
        zset.set.forEach((member, score) => {
          this.string(member);
          this.out.f64le(score);
        }, true);
        return;
      }
      case RdbType.SET_INTSET: {
        const scratch = this.#listpack.out;
        scratch.reset();
        writeIntset(scratch, (value as SetValue).members());
        this.blob(scratch.buffer, 0, scratch.length);
        return;
      }
      case RdbType.SET: {
        const set = value as SetValue;
        this.len(set.size);
        for (const member of set) this.string(member);
        return;
      }
      case RdbType.LIST_QUICKLIST_2:
        this.#quicklist(value as ListValue);
        return;
      default: {
        const plugin = pluginForValue(value.type);
        if (!plugin) throw new RdbFormatError(`no RDB encoding for values of type ${value.type}`);
        plugin.write(value, this);
      }
    }
  }

  /**
   * A list as RDB_TYPE_LIST_QUICKLIST_2: one listpack per node of the quicklist redis-server
   * would hold (the list keeps where they begin, see quicklist-nodes.ts). O(n).
   */
  #quicklist(list: ListValue): void {
    const counts = list.nodeCounts();
    const nodes = counts.length;
    this.len(nodes);
    // the nodes redis-server keeps LZF-compressed (list-compress-depth from either end) are
    // written in that form whatever rdbcompression says (rdbSaveLzfBlob)
    const depth = list.quicklistOptions.compress;
    const builder = this.#listpack;
    let index = 0;
    for (let node = 0; node < nodes; node++) {
      const count = counts[node]!;
      this.len(QuicklistContainer.PACKED);
      builder.begin();
      for (const element of list.slice(index, index + count)) builder.add(element);
      const bytes = builder.end();
      const interior = depth > 0 && node >= depth && node < nodes - depth;
      if (!interior || !this.#compressedNode(bytes)) this.blob(bytes, 0, bytes.length);
      index += count;
    }
  }

  /**
   * __quicklistCompressNode then rdbSaveLzfBlob: a listpack of 48 bytes or more whose LZF form
   * is at least 8 bytes shorter is written in that form (returns true). O(n).
   */
  #compressedNode(bytes: Uint8Array): boolean {
    const length = bytes.length;
    if (length < 48) return false;
    const size = this.#lzf(bytes, 0, length, length);
    if (size === 0 || size + 8 >= length) return false;
    this.#lzfString(size, length);
    return true;
  }

  /**
   * One key of a database: [EXPIRETIME_MS ms] [IDLE seconds] [FREQ counter] type key value, the
   * access opcodes when >= 0 (rdbSaveKeyValuePair under an LRU / LFU policy). O(n).
   */
  keyValue(
    key: string,
    value: Value,
    expireAt: number | undefined,
    idleSeconds = -1,
    frequency = -1,
  ): void {
    if (expireAt !== undefined) {
      this.out.byte(RdbOpcode.EXPIRETIME_MS);
      this.out.i64leNumber(expireAt);
    }
    if (idleSeconds >= 0) {
      this.out.byte(RdbOpcode.IDLE);
      this.len(idleSeconds);
    }
    if (frequency >= 0) {
      this.out.byte(RdbOpcode.FREQ);
      this.out.byte(frequency);
    }
    const type = this.typeOf(value);
    this.out.byte(type);
    this.string(key);
    this.value(value, type);
  }

  /** "REDIS0010" and the AUX fields redis-server 7.0 writes (rdbSaveInfoAuxFields). */
  header(aux: readonly (readonly [string, string])[]): void {
    this.out.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    for (const [name, value] of aux) {
      this.out.byte(RdbOpcode.AUX);
      this.string(name);
      this.string(value);
    }
  }

  /** SELECTDB and RESIZEDB before a database's keys. */
  selectDb(index: number, size: number, expires: number): void {
    this.out.byte(RdbOpcode.SELECTDB);
    this.len(index);
    this.out.byte(RdbOpcode.RESIZEDB);
    this.len(size);
    this.len(expires);
  }

  /**
   * A DUMP payload (createDumpPayload): type, value, RDB version (u16 LE), CRC64 (u64 LE) of
   * all of it. Returns it as a latin1 string, ready to be a bulk reply. O(n).
   */
  dump(value: Value): string {
    const out = this.out;
    out.reset();
    const type = this.typeOf(value);
    out.byte(type);
    this.value(value, type);
    return this.#payload();
  }

  /** One function library's source as redis-server 7.0 saves it (rdbSaveFunctions). */
  functionLibrary(code: string): void {
    this.out.byte(RdbOpcode.FUNCTION2);
    this.string(code);
  }

  /**
   * A FUNCTION DUMP payload: each library as in an RDB file, then the RDB version and CRC64 as
   * DUMP. O(total code length).
   */
  dumpFunctions(codes: Iterable<string>): string {
    this.out.reset();
    for (const code of codes) this.functionLibrary(code);
    return this.#payload();
  }

  /** Appends the RDB version and CRC64 trailer of a DUMP payload; returns the payload. */
  #payload(): string {
    const out = this.out;
    out.u16le(RDB_VERSION);
    const crc = new Crc64().update(out.buffer, 0, out.length);
    out.ensure(8);
    crc.writeTo(out.buffer, out.length);
    out.length += 8;
    const payload = out.buffer.toString('latin1', 0, out.length);
    out.reset();
    return payload;
  }
}
