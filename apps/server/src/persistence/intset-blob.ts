import type { ByteWriter } from './byte-writer.js';
import { RdbFormatError } from './errors.js';

/**
 * Redis's intset (intset.c) as RDB stores it for RDB_TYPE_SET_INTSET:
 *
 *     +-----------------+-----------------+---------------------------+
 *     | encoding u32 LE | length u32 LE   | members, ascending, LE     |
 *     | 2, 4 or 8       |                 | `encoding` bytes each      |
 *     +-----------------+-----------------+---------------------------+
 *
 * The encoding is the narrowest width holding every member (redis-server widens an intset as
 * members arrive and never narrows it, so a set that once held a wider member may differ).
 */

/**
 * Writes an intset of `members` (canonical integer texts, ascending numerically). O(n).
 *
 * @example
 * ```ts
 * writeIntset(out, ['1', '2']); // 02000000 02000000 0100 0200
 * ```
 */
export function writeIntset(out: ByteWriter, members: readonly string[]): void {
  let width = 2;
  const values: bigint[] = new Array<bigint>(members.length);
  for (let i = 0; i < members.length; i++) {
    const value = BigInt(members[i] as string);
    values[i] = value;
    if (width < 8 && (value < -2147483648n || value > 2147483647n)) width = 8;
    else if (width < 4 && (value < -32768n || value > 32767n)) width = 4;
  }
  out.u32le(width);
  out.u32le(values.length);
  out.ensure(width * values.length);
  const buffer = out.buffer;
  let at = out.length;
  for (const value of values) {
    if (width === 2) buffer.writeInt16LE(Number(value), at);
    else if (width === 4) buffer.writeInt32LE(Number(value), at);
    else buffer.writeBigInt64LE(value, at);
    at += width;
  }
  out.length = at;
}

/**
 * The members of the intset blob `bytes[start, start + length)`, as decimal texts; throws
 * RdbFormatError for a bad width, length or order. O(n).
 *
 * @example
 * ```ts
 * intsetMembers(blob, 0, blob.length); // ['1', '2']
 * ```
 */
export function intsetMembers(bytes: Uint8Array, start: number, length: number): string[] {
  if (length < 8) throw new RdbFormatError('malformed intset');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, length);
  const width = view.readUInt32LE(0);
  const count = view.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + width * count !== length)
    throw new RdbFormatError('malformed intset');
  const out = new Array<string>(count);
  let previous: bigint | undefined;
  for (let i = 0, at = 8; i < count; i++, at += width) {
    const value =
      width === 2
        ? BigInt(view.readInt16LE(at))
        : width === 4
          ? BigInt(view.readInt32LE(at))
          : view.readBigInt64LE(at);
    if (previous !== undefined && value <= previous) throw new RdbFormatError('malformed intset');
    previous = value;
    out[i] = value.toString();
  }
  return out;
}
