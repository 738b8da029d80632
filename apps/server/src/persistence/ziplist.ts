import { RdbFormatError } from './errors.js';

/**
 * The encodings of RDB files written before Redis 7 (load only): the ziplist (ziplist.c) of
 * RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_HASH_ZIPLIST and of quicklist nodes in
 * RDB_TYPE_LIST_QUICKLIST, and the zipmap (zipmap.c) of RDB_TYPE_HASH_ZIPMAP.
 *
 *     ziplist: <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... <FF>
 *     entry:   <prevlen: 1 byte, or FE + u32 LE> <encoding> <data>
 *       00pppppp                 string, 6-bit length
 *       01pppppp qqqqqqqq        string, 14-bit length (big-endian)
 *       10000000 <u32 BE>        string, 32-bit length
 *       11000000 int16 | 11010000 int32 | 11100000 int64 | 11110000 int24 | 11111110 int8
 *       1111xxxx                 immediate 0..12 (xxxx - 1)
 *
 *     zipmap:  <zmlen> (<len>key<len><free>value<free bytes>)... <FF>
 *       len: 1 byte below 254, else 254 + u32 LE
 */

/**
 * Every element of the ziplist in `bytes[start, start + length)`, integers as decimal text;
 * throws RdbFormatError when malformed. O(n).
 *
 * @example
 * ```ts
 * ziplistElements(blob, 0, blob.length); // ['a', '12']
 * ```
 */
export function ziplistElements(bytes: Uint8Array, start: number, length: number): string[] {
  if (length < 11) throw new RdbFormatError('malformed ziplist');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, length);
  if (view.readUInt32LE(0) !== length || view[length - 1] !== 0xff)
    throw new RdbFormatError('malformed ziplist');
  const out: string[] = [];
  let at = 10;
  const end = length - 1;
  while (at < end) {
    // prevlen
    at += view[at] === 0xfe ? 5 : 1;
    if (at >= end) throw new RdbFormatError('malformed ziplist');
    const encoding = view[at] as number;
    const kind = encoding >>> 6;
    if (kind === 0) {
      const size = encoding & 0x3f;
      at += 1;
      if (at + size > end) throw new RdbFormatError('malformed ziplist');
      out.push(view.toString('latin1', at, at + size));
      at += size;
    } else if (kind === 1) {
      if (at + 2 > end) throw new RdbFormatError('malformed ziplist');
      const size = ((encoding & 0x3f) << 8) | (view[at + 1] as number);
      at += 2;
      if (at + size > end) throw new RdbFormatError('malformed ziplist');
      out.push(view.toString('latin1', at, at + size));
      at += size;
    } else if (kind === 2) {
      if (at + 5 > end) throw new RdbFormatError('malformed ziplist');
      const size = view.readUInt32BE(at + 1);
      at += 5;
      if (at + size > end) throw new RdbFormatError('malformed ziplist');
      out.push(view.toString('latin1', at, at + size));
      at += size;
    } else {
      at += 1;
      let value: string;
      let size: number;
      if (encoding === 0xc0) {
        size = 2;
        value = String(at + size <= end ? view.readInt16LE(at) : 0);
      } else if (encoding === 0xd0) {
        size = 4;
        value = String(at + size <= end ? view.readInt32LE(at) : 0);
      } else if (encoding === 0xe0) {
        size = 8;
        value = at + size <= end ? view.readBigInt64LE(at).toString() : '0';
      } else if (encoding === 0xf0) {
        size = 3;
        value = String(at + size <= end ? view.readIntLE(at, 3) : 0);
      } else if (encoding === 0xfe) {
        size = 1;
        value = String(at + size <= end ? view.readInt8(at) : 0);
      } else if (encoding >= 0xf1 && encoding <= 0xfd) {
        size = 0;
        value = String((encoding & 0x0f) - 1);
      } else {
        throw new RdbFormatError('malformed ziplist');
      }
      if (at + size > end) throw new RdbFormatError('malformed ziplist');
      out.push(value);
      at += size;
    }
  }
  if (at !== end) throw new RdbFormatError('malformed ziplist');
  return out;
}

/**
 * The `[key, value, key, value...]` of the zipmap in `bytes[start, start + length)`; throws
 * RdbFormatError when malformed. O(n).
 *
 * @example
 * ```ts
 * zipmapElements(blob, 0, blob.length); // ['field', 'value']
 * ```
 */
export function zipmapElements(bytes: Uint8Array, start: number, length: number): string[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, length);
  const out: string[] = [];
  let at = 1; // zmlen
  const readLength = (): number => {
    if (at >= length) throw new RdbFormatError('malformed zipmap');
    const first = view[at] as number;
    if (first < 254) {
      at += 1;
      return first;
    }
    if (first === 254 && at + 5 <= length) {
      const value = view.readUInt32LE(at + 1);
      at += 5;
      return value;
    }
    throw new RdbFormatError('malformed zipmap');
  };
  while (at < length && view[at] !== 0xff) {
    const keyLength = readLength();
    if (at + keyLength > length) throw new RdbFormatError('malformed zipmap');
    const key = view.toString('latin1', at, at + keyLength);
    at += keyLength;
    const valueLength = readLength();
    if (at >= length) throw new RdbFormatError('malformed zipmap');
    const free = view[at] as number;
    at += 1;
    if (at + valueLength + free > length) throw new RdbFormatError('malformed zipmap');
    out.push(key, view.toString('latin1', at, at + valueLength));
    at += valueLength + free;
  }
  if (at !== length - 1) throw new RdbFormatError('malformed zipmap');
  return out;
}
