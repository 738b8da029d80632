import { ByteWriter } from './byte-writer.js';
import { RdbFormatError } from './errors.js';

/**
 * Redis's listpack (listpack.c), the serialized form of small hashes, sorted sets and quicklist
 * nodes in RDB files and DUMP payloads. Spec: https://github.com/antirez/listpack
 *
 *     +-------------+------------+---------+---------+-----+-----+
 *     | total bytes | num items  | entry 0 | entry 1 | ... | EOF |
 *     |  u32 LE     |  u16 LE    |         |         |     | FF  |
 *     +-------------+------------+---------+---------+-----+-----+
 *     entry = encoding + data, then backlen (the size of encoding + data, 1 to 5 bytes)
 *
 * Entry encodings (first byte):
 *
 *     0xxxxxxx                      7-bit unsigned integer
 *     10xxxxxx <data>               string of up to 63 bytes
 *     110xxxxx yyyyyyyy             13-bit signed integer
 *     1110xxxx yyyyyyyy <data>      string of up to 4095 bytes
 *     11110000 <u32 len> <data>     longer string
 *     11110001 <2 bytes>            16-bit signed integer (little-endian)
 *     11110010 <3 bytes>            24-bit signed integer
 *     11110011 <4 bytes>            32-bit signed integer
 *     11110100 <8 bytes>            64-bit signed integer
 *     11111111                      end of listpack
 *
 * A string that is a canonical int64 ("12", "-7", not "012") is stored as an integer, as
 * lpInsert does, so the bytes depend only on the elements: the same elements give the same
 * listpack as redis-server.
 */

const HEADER_SIZE = 6;
const EOF = 0xff;
const ENC_STR_32 = 0xf0;
const ENC_INT_16 = 0xf1;
const ENC_INT_24 = 0xf2;
const ENC_INT_32 = 0xf3;
const ENC_INT_64 = 0xf4;

/**
 * lpStringToInt64: the value of a canonical int64 string (string2ll rules), else undefined. O(n).
 *
 * @example
 * ```ts
 * canonicalInt('-12'); // -12
 * canonicalInt('012'); // undefined
 * ```
 */
export function canonicalInt(text: string): number | bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  let i = 0;
  const negative = text.charCodeAt(0) === 45;
  if (negative) {
    if (length === 1) return undefined;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return length === 1 ? 0 : undefined;
  if (first < 49 || first > 57) return undefined;
  if (length - i <= 15) {
    let value = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      value = value * 10 + (c - 48);
    }
    return negative ? -value : value;
  }
  for (let j = i; j < length; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  const big = BigInt(text);
  if (big < -(2n ** 63n) || big >= 2n ** 63n) return undefined;
  return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
}

/** Bytes of the backlen that follows an entry of `size` bytes (lpEncodeBacklen). */
function backlenSize(size: number): number {
  return size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
}

function writeBacklen(out: ByteWriter, size: number): void {
  if (size <= 127) {
    out.byte(size);
  } else if (size < 16383) {
    out.byte(size >>> 7);
    out.byte((size & 127) | 128);
  } else if (size < 2097151) {
    out.byte(size >>> 14);
    out.byte(((size >>> 7) & 127) | 128);
    out.byte((size & 127) | 128);
  } else if (size < 268435455) {
    out.byte(size >>> 21);
    out.byte(((size >>> 14) & 127) | 128);
    out.byte(((size >>> 7) & 127) | 128);
    out.byte((size & 127) | 128);
  } else {
    out.byte(Math.floor(size / 2 ** 28));
    out.byte(((size >>> 21) & 127) | 128);
    out.byte(((size >>> 14) & 127) | 128);
    out.byte(((size >>> 7) & 127) | 128);
    out.byte((size & 127) | 128);
  }
}

/**
 * Encoded size (encoding + data + backlen) of an element, as lpInsert would store it. O(n).
 *
 * @example
 * ```ts
 * listpackEntrySize('7'); // 2: one byte of 7-bit integer, one of backlen
 * ```
 */
export function listpackEntrySize(text: string): number {
  const value = canonicalInt(text);
  return value === undefined ? stringEntrySize(text.length) : integerEntrySize(value);
}

/** {@link listpackEntrySize} of an integer element. O(1). */
export function integerEntrySize(value: number | bigint): number {
  let size: number;
  if (typeof value === 'bigint') size = 9;
  else if (value >= 0 && value <= 127) size = 1;
  else if (value >= -4096 && value <= 4095) size = 2;
  else if (value >= -32768 && value <= 32767) size = 3;
  else if (value >= -8388608 && value <= 8388607) size = 4;
  else if (value >= -2147483648 && value <= 2147483647) size = 5;
  else size = 9;
  return size + backlenSize(size);
}

/** {@link listpackEntrySize} of an element of `length` bytes that is not an integer. O(1). */
export function stringEntrySize(length: number): number {
  const size = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length;
  return size + backlenSize(size);
}

/**
 * Builds one listpack: `begin()`, `add()` for each element, `end()`. Writes into a ByteWriter
 * and patches the header when done. O(total bytes).
 *
 * @example
 * ```ts
 * const builder = new ListpackBuilder();
 * builder.begin();
 * builder.add('field'); builder.add('42');
 * const bytes = builder.end(); // 0f 00 00 00 02 00 85 'field' 06 2a 01 ff
 * ```
 */
export class ListpackBuilder {
  readonly out = new ByteWriter(256);
  #count = 0;

  begin(): void {
    this.out.reset();
    this.out.ensure(HEADER_SIZE);
    this.out.length = HEADER_SIZE;
    this.#count = 0;
  }

  /** Appends an element (an integer when it is a canonical int64). */
  add(text: string): void {
    const out = this.out;
    this.#count++;
    const value = canonicalInt(text);
    if (value === undefined) {
      const length = text.length;
      let size: number;
      if (length < 64) {
        out.byte(0x80 | length);
        size = 1 + length;
      } else if (length < 4096) {
        out.byte(0xe0 | (length >>> 8));
        out.byte(length & 0xff);
        size = 2 + length;
      } else {
        out.byte(ENC_STR_32);
        out.u32le(length);
        size = 5 + length;
      }
      out.latin1(text);
      writeBacklen(out, size);
      return;
    }
    if (typeof value === 'bigint') {
      out.byte(ENC_INT_64);
      out.i64le(value);
      out.byte(9);
    } else if (value >= 0 && value <= 127) {
      out.byte(value);
      out.byte(1);
    } else if (value >= -4096 && value <= 4095) {
      const v = value < 0 ? (1 << 13) + value : value;
      out.byte(0xc0 | (v >>> 8));
      out.byte(v & 0xff);
      out.byte(2);
    } else if (value >= -32768 && value <= 32767) {
      out.byte(ENC_INT_16);
      out.byte(value & 0xff);
      out.byte((value >>> 8) & 0xff);
      out.byte(3);
    } else if (value >= -8388608 && value <= 8388607) {
      out.byte(ENC_INT_24);
      out.byte(value & 0xff);
      out.byte((value >>> 8) & 0xff);
      out.byte((value >>> 16) & 0xff);
      out.byte(4);
    } else if (value >= -2147483648 && value <= 2147483647) {
      out.byte(ENC_INT_32);
      out.u32le(value);
      out.byte(5);
    } else {
      out.byte(ENC_INT_64);
      out.i64leNumber(value);
      out.byte(9);
    }
  }

  /** Number of elements added since `begin()`. */
  get count(): number {
    return this.#count;
  }

  /** Closes the listpack and returns its bytes (a view, valid until the next `begin()`). */
  end(): Buffer {
    const out = this.out;
    out.byte(EOF);
    out.setU32le(0, out.length);
    out.setU16le(4, this.#count < 65535 ? this.#count : 65535);
    return out.view();
  }
}

/**
 * Every element of the listpack in `bytes[start, start + length)`, integers as their decimal
 * text. Checks the header, each entry's bounds and backlen, and the EOF byte; throws
 * RdbFormatError otherwise. O(n).
 *
 * @example
 * ```ts
 * listpackElements(blob, 0, blob.length); // ['field', '42']
 * ```
 */
export function listpackElements(bytes: Uint8Array, start: number, length: number): string[] {
  if (length < HEADER_SIZE + 1) throw new RdbFormatError('malformed listpack');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, length);
  const total = view.readUInt32LE(0);
  if (total !== length || view[length - 1] !== EOF) throw new RdbFormatError('malformed listpack');
  const declared = view.readUInt16LE(4);
  const out: string[] = [];
  let at = HEADER_SIZE;
  const end = length - 1;
  while (at < end) {
    const first = view[at] as number;
    const entryStart = at;
    if (first < 0x80) {
      out.push(String(first));
      at += 1;
    } else if (first < 0xc0) {
      const size = first & 0x3f;
      if (at + 1 + size > end) throw new RdbFormatError('malformed listpack');
      out.push(view.toString('latin1', at + 1, at + 1 + size));
      at += 1 + size;
    } else if (first < 0xe0) {
      if (at + 2 > end) throw new RdbFormatError('malformed listpack');
      let value = ((first & 0x1f) << 8) | (view[at + 1] as number);
      if (value >= 1 << 12) value -= 1 << 13;
      out.push(String(value));
      at += 2;
    } else if (first < 0xf0) {
      if (at + 2 > end) throw new RdbFormatError('malformed listpack');
      const size = ((first & 0x0f) << 8) | (view[at + 1] as number);
      if (at + 2 + size > end) throw new RdbFormatError('malformed listpack');
      out.push(view.toString('latin1', at + 2, at + 2 + size));
      at += 2 + size;
    } else if (first === ENC_STR_32) {
      if (at + 5 > end) throw new RdbFormatError('malformed listpack');
      const size = view.readUInt32LE(at + 1);
      if (at + 5 + size > end) throw new RdbFormatError('malformed listpack');
      out.push(view.toString('latin1', at + 5, at + 5 + size));
      at += 5 + size;
    } else if (first === ENC_INT_16) {
      if (at + 3 > end) throw new RdbFormatError('malformed listpack');
      out.push(String(view.readInt16LE(at + 1)));
      at += 3;
    } else if (first === ENC_INT_24) {
      if (at + 4 > end) throw new RdbFormatError('malformed listpack');
      out.push(String(view.readIntLE(at + 1, 3)));
      at += 4;
    } else if (first === ENC_INT_32) {
      if (at + 5 > end) throw new RdbFormatError('malformed listpack');
      out.push(String(view.readInt32LE(at + 1)));
      at += 5;
    } else if (first === ENC_INT_64) {
      if (at + 9 > end) throw new RdbFormatError('malformed listpack');
      out.push(view.readBigInt64LE(at + 1).toString());
      at += 9;
    } else {
      throw new RdbFormatError('malformed listpack');
    }
    const size = at - entryStart;
    at += backlenSize(size);
    if (at > end) throw new RdbFormatError('malformed listpack');
  }
  if (at !== end) throw new RdbFormatError('malformed listpack');
  if (declared !== 65535 && declared !== out.length) throw new RdbFormatError('malformed listpack');
  return out;
}
