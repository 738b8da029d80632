import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, hashString } from '../src/index.js';
import { hashBytes, hashLatin1, mixHash, processSeedWords, seedWords } from '../src/hash.js';

// Linux lib/siphash_kunit.c, 32-bit branch: HalfSipHash-1-3 of the bytes 0, 1, ..., i-1
// under the key words 0x03020100, 0x07060504.
const VECTORS = [
  0x5814c896, 0xe7e864ca, 0xbc4b0e30, 0x01539939, 0x7e059ea6, 0x88e3d89b, 0xa0080b65, 0x9d38d9d6,
  0x577999b1, 0xc839caed, 0xe4fa32cf, 0x959246ee, 0x6b28096c, 0x66dd9cd6, 0x16658a7c, 0xd0257b04,
  0x8b31d501, 0x2b1cd04b, 0x06712339, 0x522aca67, 0x911bb605, 0x90a65f0e, 0xf826ef7b, 0x62512deb,
  0x57150ad7, 0x5d473507, 0x1ec47442, 0xab64afd3, 0x0a4100d0, 0x6d2ce652, 0x2331b6a3, 0x08d8791a,
  0xbc6dda8d, 0xe0f6c934, 0xb0652033, 0x9b9851cc, 0x7c46fb7f, 0x732ba8cb, 0xf142997a, 0xfcc9aa1b,
  0x05327eb2, 0xe110131c, 0xf9e5e7c0, 0xa7d708a6, 0x11795ab1, 0x65671619, 0x9f5fff91, 0xd89c5267,
  0x007783eb, 0x95766243, 0xab639262, 0x9c7e1390, 0xc368dda6, 0x38ddc455, 0xfa13d379, 0x979ea4e8,
  0x53ecd77e, 0x2ee80657, 0x33dbb66a, 0xae3f0577, 0x88b4c4cc, 0x3e7f480b, 0x74c1ebf8, 0x87178304,
];

function bytes(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(i);
  return text;
}

describe('hashLatin1 (HalfSipHash-1-3)', () => {
  it.each(VECTORS.map((vector, length) => [length, vector] as const))(
    'matches the reference vector for %i bytes',
    (length, vector) => {
      expect(hashLatin1(bytes(length), 0x03020100, 0x07060504) >>> 0).toBe(vector);
    },
  );

  it('hashes bytes 128-255 as single bytes (latin1, not UTF-8)', () => {
    let text = '';
    for (let i = 0; i < 64; i++) text += String.fromCharCode(0xc0 + (i & 0x3f));
    // the same 64 bytes, built from a Buffer the way a RESP parser would
    const fromBuffer = Buffer.from(
      Array.from({ length: 64 }, (_, i) => 0xc0 + (i & 0x3f)),
    ).toString('latin1');
    expect(hashLatin1(fromBuffer, 1, 2)).toBe(hashLatin1(text, 1, 2));
  });

  it('hashBytes gives the hash of the same bytes as a latin1 string, wherever they sit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array({ maxLength: 9 }),
        fc.integer(),
        fc.integer(),
        (key, before, k0, k1) => {
          const buffer = Buffer.concat([before, key, Buffer.from('tail')]);
          const text = Buffer.from(key).toString('latin1');
          expect(hashBytes(buffer, before.length, before.length + key.length, k0, k1)).toBe(
            hashLatin1(text, k0, k1),
          );
        },
      ),
    );
  });

  it('depends on the key words', () => {
    const key = 'user:1000';
    const hashes = new Set([
      hashLatin1(key, 0, 0),
      hashLatin1(key, 1, 0),
      hashLatin1(key, 0, 1),
      hashLatin1(key, -1, -1),
    ]);
    expect(hashes.size).toBe(4);
  });

  it('hashes non-latin1 strings over their UTF-16 code units, spreading them', () => {
    const keys = Array.from({ length: 4096 }, (_, i) => `键${String.fromCharCode(0x4e00 + i)}值`);
    const buckets = new Set(keys.map((key) => hashLatin1(key, 7, 9) & 0xfff));
    // 4096 keys in 4096 buckets: a uniform hash fills about 1 - 1/e of them
    expect(buckets.size).toBeGreaterThan(2400);
    expect(hashLatin1('ā', 1, 2)).not.toBe(hashLatin1('\u0001', 1, 2));
    expect(hashLatin1('😀', 1, 2)).toBe(hashLatin1('\ud83d\ude00', 1, 2));
  });

  it('spreads keys that differ in one character over the low bits', () => {
    const keys = Array.from({ length: 4096 }, (_, i) => `key:${i}`);
    const buckets = new Set(keys.map((key) => hashLatin1(key, 3, 4) & 0xfff));
    expect(buckets.size).toBeGreaterThan(2400);
  });
});

describe('mixHash', () => {
  it('spreads consecutive integers over the low bits', () => {
    const buckets = new Set(Array.from({ length: 4096 }, (_, i) => mixHash(i, 11, 13) & 0xfff));
    expect(buckets.size).toBeGreaterThan(2400);
  });

  it('is keyed by both words', () => {
    expect(new Set([mixHash(5, 0, 0), mixHash(5, 1, 0), mixHash(5, 0, 1)]).size).toBe(3);
  });
});

describe('seeds', () => {
  it.each([
    [0, [0, 0]],
    [1, [1, 0]],
    [0xffff_ffff, [-1, 0]],
    [2 ** 32, [0, 1]],
    [2 ** 32 + 5, [5, 1]],
    [Number.MAX_SAFE_INTEGER, [-1, 0x1f_ffff]],
  ] as const)('seed %d is the key words %j', (seed, words) => {
    expect(seedWords(seed)).toEqual(words);
  });

  it.each([-1, 1.5, Number.NaN, Infinity, 2 ** 53])('rejects seed %d', (seed) => {
    expect(() => seedWords(seed)).toThrow(InvalidArgumentError);
    expect(() => seedWords(seed)).toThrow(
      `seed must be an integer in [0, 2^53), got ${String(seed)}`,
    );
  });

  it('draws a per-process seed once', () => {
    expect(processSeedWords()).toEqual(processSeedWords());
  });

  it('hashString is hashLatin1 under the seed words', () => {
    expect(hashString('abc', 2 ** 32 + 5)).toBe(hashLatin1('abc', 5, 1));
    expect(hashString('', 0)).toBe(hashLatin1('', 0, 0));
  });
});
