import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf.js';

function compress(input: Uint8Array, limit = input.length - 4): Buffer | undefined {
  const out = Buffer.alloc(Math.max(limit, 0) + 8);
  const length = lzfCompress(input, 0, input.length, out, 0, limit);
  return length === 0 ? undefined : out.subarray(0, length);
}

describe('LZF (lzf_c.c / lzf_d.c as redis-server builds them)', () => {
  // expected bytes: the LZF part of redis-server 7.0's DUMP of the same string
  it.each([
    ['a'.repeat(100), '016161e0570001 6161'],
    ['abcabcabcabcabcabcabcabcabcabc', '0361626361e00f020162 63'],
  ])('compresses %j to the bytes redis-server writes', (text, hex) => {
    const compressed = compress(Buffer.from(text, 'latin1'));
    expect(compressed?.toString('hex')).toBe(hex.replace(/ /g, ''));
  });

  it('gives up (0) when the result would not save 4 bytes', () => {
    const random = Buffer.from('qwertyuiopasdfghjklzxcvbnm0123456789', 'latin1');
    expect(compress(random)).toBeUndefined();
    expect(lzfCompress(random, 0, 0, Buffer.alloc(8), 0, 4)).toBe(0);
  });

  it('round-trips any input that compresses, at any offset', () => {
    const input = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 2000 }),
      // repetitive data, the kind that compresses
      fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 400 }))
        .map(([unit, times]) =>
          Uint8Array.from(
            { length: unit.length * times },
            (_, i) => unit[i % unit.length] as number,
          ),
        ),
    );
    fc.assert(
      fc.property(input, fc.nat({ max: 16 }), (bytes, offset) => {
        const padded = new Uint8Array(bytes.length + offset);
        padded.set(bytes, offset);
        const out = new Uint8Array(bytes.length + 16);
        const length = lzfCompress(padded, offset, bytes.length, out, 3, bytes.length + 8);
        if (length === 0) return;
        const back = new Uint8Array(bytes.length + 5);
        expect(lzfDecompress(out, 3, length, back, 2, bytes.length)).toBe(bytes.length);
        expect(Buffer.from(back.subarray(2, 2 + bytes.length)).equals(Buffer.from(bytes))).toBe(
          true,
        );
      }),
    );
  });

  it.each([
    ['a back reference before the start', '20 00', 10],
    ['a literal run past the end of the input', '05 61 62', 10],
    ['output larger than announced', '02 61 62 63', 2],
    ['a back reference missing its offset byte', '01 61 61 20', 10],
  ])('refuses %s', (_name, hex, outLength) => {
    const input = Buffer.from(hex.replace(/ /g, ''), 'hex');
    expect(lzfDecompress(input, 0, input.length, Buffer.alloc(64), 0, outLength)).toBe(-1);
  });
});
