/**
 * The seeded hash of the table: HalfSipHash-1-3 over the bytes of a latin1 string.
 *
 * Why a keyed hash: a table hashed with a public function can be flooded with keys that all land
 * in one chain, turning every operation into O(n) (hash flooding). Redis keys its dict with
 * SipHash-1-3 for that reason; HalfSipHash is SipHash's 32-bit sibling (same ARX design on 32-bit
 * words), the one Linux uses for its hashtables (`hsiphash`), and it maps onto JavaScript's
 * 32-bit integer arithmetic without any 64-bit emulation. Multiply-xorshift hashes (murmur3,
 * FNV) were measured about 25% cheaper here, but have seed-independent multicollisions: an
 * attacker can flood them whatever the seed.
 *
 * Spec: https://github.com/veorq/SipHash (halfsiphash.c), with cROUNDS = 1 and dROUNDS = 3 as
 * in Linux's `hsiphash`; checked against the vectors of Linux's `lib/siphash_kunit.c`.
 *
 * Byte layout: a latin1 string is one byte per character (code points 0-255), read as
 * little-endian 32-bit words:
 *
 *     chars  c0 c1 c2 c3 | c4 c5 c6 c7 | ... | tail (0-3 chars)
 *     words  m0          | m1          | ... | b = len << 24 | tail
 *
 * A string with a character above 255 (not latin1) is hashed again over its UTF-16 code units
 * (two per word), so that such keys stay correct and spread well, only slower.
 *
 * @packageDocumentation
 */
import { randomFillSync } from 'node:crypto';
import { InvalidArgumentError } from './errors.js';

// Hot path: the rounds are written out by hand (no helper per round, no closures) so that
// TurboFan keeps every state word in a register; `(x << n) | (x >>> (32 - n))` compiles to one
// rotate instruction.

/**
 * Hashes a latin1 string with HalfSipHash-1-3 keyed by the two 32-bit words `k0`, `k1`.
 * Returns a signed 32-bit integer. O(length).
 *
 * @internal
 */
export function hashLatin1(key: string, k0: number, k1: number): number {
  let v0 = k0 | 0;
  let v1 = k1 | 0;
  let v2 = 0x6c796765 ^ k0;
  let v3 = 0x74656462 ^ k1;
  const length = key.length;
  const end = length & ~3;
  let seen = 0; // OR of every char code: above 0xff means the key is not latin1
  let i = 0;
  for (; i < end; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    const m = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    v3 ^= m;
    // SIPROUND (cROUNDS = 1)
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m;
  }
  // the last block: the length's low byte on top, then the 0-3 remaining chars
  let b = length << 24;
  const rest = length & 3;
  if (rest > 0) {
    const c = key.charCodeAt(i);
    seen |= c;
    b |= c;
    if (rest > 1) {
      const c1 = key.charCodeAt(i + 1);
      seen |= c1;
      b |= c1 << 8;
      if (rest > 2) {
        const c2 = key.charCodeAt(i + 2);
        seen |= c2;
        b |= c2 << 16;
      }
    }
  }
  if (seen > 0xff) return hashUtf16(key, k0, k1);
  return sipFinish(v0, v1, v2, v3, b);
}

/**
 * {@link hashLatin1} of the latin1 string whose bytes are `bytes[start, end)`, without making the
 * string: the same hash, for keys still in a read buffer. O(end - start).
 *
 * @internal
 */
export function hashBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  k0: number,
  k1: number,
): number {
  let v0 = k0 | 0;
  let v1 = k1 | 0;
  let v2 = 0x6c796765 ^ k0;
  let v3 = 0x74656462 ^ k1;
  const length = end - start;
  const blocks = start + (length & ~3);
  let i = start;
  for (; i < blocks; i += 4) {
    const m = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    v3 ^= m;
    // SIPROUND (cROUNDS = 1)
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m;
  }
  let b = length << 24;
  const rest = length & 3;
  if (rest > 0) b |= bytes[i]!;
  if (rest > 1) b |= bytes[i + 1]! << 8;
  if (rest > 2) b |= bytes[i + 2]! << 16;
  return sipFinish(v0, v1, v2, v3, b);
}

/** The last block `b` (length and tail) and the three finalization rounds; returns the hash. */
function sipFinish(v0: number, v1: number, v2: number, v3: number, b: number): number {
  v3 ^= b;
  v0 = (v0 + v1) | 0;
  v1 = (v1 << 5) | (v1 >>> 27);
  v1 ^= v0;
  v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0;
  v3 = (v3 << 8) | (v3 >>> 24);
  v3 ^= v2;
  v0 = (v0 + v3) | 0;
  v3 = (v3 << 7) | (v3 >>> 25);
  v3 ^= v0;
  v2 = (v2 + v1) | 0;
  v1 = (v1 << 13) | (v1 >>> 19);
  v1 ^= v2;
  v2 = (v2 << 16) | (v2 >>> 16);
  v0 ^= b;
  v2 ^= 0xff;
  // dROUNDS = 3
  for (let round = 0; round < 3; round++) {
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  return v1 ^ v3;
}

/**
 * HalfSipHash-1-3 over the UTF-16 code units of a string that is not latin1 (two bytes per
 * char, little-endian). The slow path: kept out of the hot function, and written with a round
 * helper for clarity. O(length).
 */
function hashUtf16(key: string, k0: number, k1: number): number {
  const v = Int32Array.of(k0, k1, 0x6c796765 ^ k0, 0x74656462 ^ k1);
  const length = key.length;
  const end = length & ~1;
  let i = 0;
  for (; i < end; i += 2) {
    const m = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    v[3]! ^= m;
    sipRound(v);
    v[0]! ^= m;
  }
  // the byte length (two per char) in the top byte, the odd last char below it
  const b = (length << 25) | (i < length ? key.charCodeAt(i) : 0);
  v[3]! ^= b;
  sipRound(v);
  v[0]! ^= b;
  v[2]! ^= 0xff;
  sipRound(v);
  sipRound(v);
  sipRound(v);
  return v[1]! ^ v[3]!;
}

/** One HalfSipHash round on the state words v0..v3. */
function sipRound(v: Int32Array): void {
  let v0 = v[0]!;
  let v1 = v[1]!;
  let v2 = v[2]!;
  let v3 = v[3]!;
  v0 = (v0 + v1) | 0;
  v1 = (v1 << 5) | (v1 >>> 27);
  v1 ^= v0;
  v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0;
  v3 = (v3 << 8) | (v3 >>> 24);
  v3 ^= v2;
  v0 = (v0 + v3) | 0;
  v3 = (v3 << 7) | (v3 >>> 25);
  v3 ^= v0;
  v2 = (v2 + v1) | 0;
  v1 = (v1 << 13) | (v1 >>> 19);
  v1 ^= v2;
  v2 = (v2 << 16) | (v2 >>> 16);
  v[0] = v0;
  v[1] = v1;
  v[2] = v2;
  v[3] = v3;
}

/**
 * Mixes a caller's 32-bit hash with the seed words, so that a weak hash (the identity on small
 * integers, say) still spreads over the low bits that pick a bucket. Two rounds of the
 * `lowbias32` finalizer (Chris Wellons' hash-prospector), keyed by xor. O(1).
 *
 * @internal
 */
export function mixHash(hash: number, k0: number, k1: number): number {
  let x = (hash ^ k0) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  x ^= k1;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x;
}

const TWO_POW_32 = 0x1_0000_0000;

/**
 * The two 32-bit key words of a numeric seed: its low and high 32 bits.
 * Throws {@link InvalidArgumentError} unless the seed is an integer in [0, 2^53).
 *
 * @internal
 */
export function seedWords(seed: number): [k0: number, k1: number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`seed must be an integer in [0, 2^53), got ${String(seed)}`);
  }
  return [(seed % TWO_POW_32) | 0, Math.floor(seed / TWO_POW_32) | 0];
}

/** The random per-process key of every table created without a `seed`. */
const processKey = new Int32Array(2);
randomFillSync(processKey);

/**
 * The per-process key words, drawn once from the OS random source when the module loads.
 *
 * @internal
 */
export function processSeedWords(): [k0: number, k1: number] {
  return [processKey[0] ?? 0, processKey[1] ?? 0];
}

/**
 * Hashes a string the way the table does: HalfSipHash-1-3 over its latin1 bytes (UTF-16 code
 * units when it has a character above 255), keyed by `seed`. Useful to build the `hash` of a
 * {@link CustomHashTable} from string parts. Returns a signed 32-bit integer. O(length).
 *
 * @param key - the string to hash
 * @param seed - an integer in [0, 2^53): its low and high 32 bits are the two key words
 * @example
 * ```ts
 * const hash = (point: { layer: string; id: number }) => hashString(point.layer, 42) ^ point.id;
 * ```
 */
export function hashString(key: string, seed: number): number {
  const [k0, k1] = seedWords(seed);
  return hashLatin1(key, k0, k1);
}
