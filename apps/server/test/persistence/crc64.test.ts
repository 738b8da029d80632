import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../src/persistence/crc64.js';

/** Bit-at-a-time CRC-64/Jones with bigint: the reference the table-driven code must match. */
function reference(bytes: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n; // reflected 0xad93d23594c935a9
  let crc = 0n;
  for (const byte of bytes) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

describe('crc64 (CRC-64/Jones, as redis-server)', () => {
  it.each([
    ['', 0n],
    ['123456789', 0xe9c6d914c4b8d9can],
    // a DUMP payload written by redis-server 7.0.15 (SET k abcabc...): its trailer, read LE
    [
      Buffer.from('00c30b1e0361626361e00f020162630a00', 'hex').toString('latin1'),
      0x2a9de5676dbe7488n,
    ],
  ])('crc64(%j)', (text, expected) => {
    expect(crc64(Buffer.from(text, 'latin1'))).toBe(expected);
  });

  it('matches the bit-at-a-time reference for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc64(bytes)).toBe(reference(bytes));
      }),
    );
  });

  it('gives the same result however the input is split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat()), (bytes, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
          (a, b) => a - b,
        );
        const crc = new Crc64();
        let from = 0;
        for (const point of [...points, bytes.length]) {
          crc.update(bytes, from, point);
          from = point;
        }
        expect(crc.value()).toBe(crc64(bytes));
      }),
    );
  });

  it('writes and checks the little-endian trailer', () => {
    const crc = new Crc64().update(Buffer.from('123456789'));
    const trailer = Buffer.alloc(10);
    crc.writeTo(trailer, 1);
    expect(trailer.subarray(1, 9).toString('hex')).toBe('cad9b8c414d9c6e9');
    expect(crc.matches(trailer, 1)).toBe(true);
    trailer[4] = (trailer[4] ?? 0) ^ 1;
    expect(crc.matches(trailer, 1)).toBe(false);
  });
});
