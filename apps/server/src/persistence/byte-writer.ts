/**
 * A growable byte buffer for the RDB encoder and the listpack builder: appends bytes, integers
 * and latin1 strings (byor's strings are one char per byte) at the end, doubling when full.
 *
 * @internal
 */
export class ByteWriter {
  buffer: Buffer;
  /** bytes written so far */
  length = 0;

  constructor(capacity = 4096) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `extra` more bytes. O(length) when it grows. */
  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** Forgets the content (keeps the memory). O(1). */
  reset(): void {
    this.length = 0;
  }

  /** The bytes written, as a view (valid until the next write). O(1). */
  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  byte(value: number): void {
    if (this.length === this.buffer.length) this.ensure(1);
    this.buffer[this.length++] = value;
  }

  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const count = end - start;
    this.ensure(count);
    this.buffer.set(source.subarray(start, end), this.length);
    this.length += count;
  }

  /** A latin1 string, one byte per char. O(n). */
  latin1(text: string): void {
    const count = text.length;
    this.ensure(count);
    if (count < 16) {
      // short strings: a loop beats the native call's fixed cost
      const buffer = this.buffer;
      let at = this.length;
      for (let i = 0; i < count; i++) buffer[at++] = text.charCodeAt(i);
    } else {
      this.buffer.write(text, this.length, count, 'latin1');
    }
    this.length += count;
  }

  u16le(value: number): void {
    this.ensure(2);
    this.buffer.writeUInt16LE(value, this.length);
    this.length += 2;
  }

  u32le(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.length);
    this.length += 4;
  }

  u32be(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32BE(value >>> 0, this.length);
    this.length += 4;
  }

  i64le(value: bigint): void {
    this.ensure(8);
    this.buffer.writeBigInt64LE(value, this.length);
    this.length += 8;
  }

  /** A 64-bit integer held in a double (exact up to 2^53), little-endian. */
  i64leNumber(value: number): void {
    this.ensure(8);
    const buffer = this.buffer;
    const lo = value % 0x100000000;
    const hi = Math.floor(value / 0x100000000);
    buffer.writeUInt32LE(lo < 0 ? lo + 0x100000000 : lo, this.length);
    buffer.writeInt32LE(hi, this.length + 4);
    this.length += 8;
  }

  u64be(value: number): void {
    this.ensure(8);
    this.buffer.writeBigUInt64BE(BigInt(value), this.length);
    this.length += 8;
  }

  f64le(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  /** Overwrites 4 bytes at `offset` (a header written once the size is known). */
  setU32le(offset: number, value: number): void {
    this.buffer.writeUInt32LE(value >>> 0, offset);
  }

  setU16le(offset: number, value: number): void {
    this.buffer.writeUInt16LE(value, offset);
  }
}
