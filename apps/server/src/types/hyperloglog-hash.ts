/**
 * MurmurHash64A as redis-server's hyperloglog.c computes it (endian neutral, seed 0xadc83b19),
 * and hllPatLen: which register an element goes to and the length of its "000..1" pattern.
 *
 * JS has no 64-bit integer arithmetic short of BigInt (two orders of magnitude slower), so the
 * 64-bit state is kept as two uint32 halves and multiplied with 16-bit limbs. Results come back
 * through module-level typed arrays and a packed integer instead of allocated pairs: readability
 * traded for no allocation per hashed element, PFADD's hot path.
 */

/** m = 0xc6a4a7935bd1e995, split into halves and the low half's 16-bit limbs */
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO_0 = M_LO & 0xffff;
const M_LO_1 = M_LO >>> 16;
/** the seed redis-server hashes HLL elements with */
const SEED = 0xadc83b19;
/** r = 47: `x ^= x >> 47` keeps only the high half's top 17 bits, shifted into the low half */
const R_HI_SHIFT = 47 - 32;

/** HLL_P: the low 14 bits of the hash address the register */
export const HLL_P = 14;
/** HLL_Q: bits left for the pattern (50) */
export const HLL_Q = 64 - HLL_P;
/** HLL_REGISTERS: 16384 */
export const HLL_REGISTERS = 1 << HLL_P;

/**
 * The product of the last multiplyByM, high half first. A typed array and not two module
 * variables: a module `let` holding a uint32 above 2^30 is a heap number, one allocation per
 * write (measured: 270 instead of 53 ns per 8-byte element).
 */
const product = new Uint32Array(2);

/** (hi:lo) * m mod 2^64 into product. */
function multiplyByM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * M_LO_0;
  const p01 = a0 * M_LO_1;
  const p10 = a1 * M_LO_0;
  const p11 = a1 * M_LO_1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  product[1] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  product[0] = carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI);
}

/**
 * The 64-bit hash of the last call to {@link murmurHash64A} or {@link hashBytes}: [high half,
 * low half] (a typed array, written without allocating).
 */
export const lastHash = new Uint32Array(2);

/**
 * MurmurHash64A of a latin1 string (one byte per char) with redis-server's HLL seed; the result
 * is left in {@link lastHash}. O(length).
 *
 * @example
 * ```ts
 * murmurHash64A('a'); // lastHash[0], lastHash[1]: the two halves of the 64-bit hash
 * ```
 */
export function murmurHash64A(text: string): void {
  const length = text.length;
  multiplyByM(0, length);
  let hHi = product[0]!;
  let hLo = (product[1]! ^ SEED) >>> 0;
  const blocks = length - (length & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kLo =
      (text.charCodeAt(i) |
        (text.charCodeAt(i + 1) << 8) |
        (text.charCodeAt(i + 2) << 16) |
        (text.charCodeAt(i + 3) << 24)) >>>
      0;
    let kHi =
      (text.charCodeAt(i + 4) |
        (text.charCodeAt(i + 5) << 8) |
        (text.charCodeAt(i + 6) << 16) |
        (text.charCodeAt(i + 7) << 24)) >>>
      0;
    multiplyByM(kHi, kLo);
    kHi = product[0]!;
    kLo = (product[1]! ^ (kHi >>> R_HI_SHIFT)) >>> 0;
    multiplyByM(kHi, kLo);
    multiplyByM((hHi ^ product[0]!) >>> 0, (hLo ^ product[1]!) >>> 0);
    hHi = product[0]!;
    hLo = product[1]!;
  }
  const rest = length & 7;
  if (rest !== 0) {
    // the switch's fall-through: bytes 4..6 go to the high half, 0..3 to the low half
    if (rest >= 7) hHi ^= text.charCodeAt(i + 6) << 16;
    if (rest >= 6) hHi ^= text.charCodeAt(i + 5) << 8;
    if (rest >= 5) hHi ^= text.charCodeAt(i + 4);
    if (rest >= 4) hLo ^= text.charCodeAt(i + 3) << 24;
    if (rest >= 3) hLo ^= text.charCodeAt(i + 2) << 16;
    if (rest >= 2) hLo ^= text.charCodeAt(i + 1) << 8;
    hLo ^= text.charCodeAt(i);
    multiplyByM(hHi >>> 0, hLo >>> 0);
    hHi = product[0]!;
    hLo = product[1]!;
  }
  finish(hHi, hLo);
}

/**
 * MurmurHash64A of bytes (PFSELFTEST hashes 8-byte integers); the result is left in
 * {@link lastHash}. O(length).
 *
 * @example
 * ```ts
 * hashBytes(new Uint8Array([97]), 1); // the same hash as murmurHash64A('a')
 * ```
 */
export function hashBytes(bytes: Uint8Array, length: number): void {
  multiplyByM(0, length);
  let hHi = product[0]!;
  let hLo = (product[1]! ^ SEED) >>> 0;
  const blocks = length - (length & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kLo =
      ((bytes[i] ?? 0) |
        ((bytes[i + 1] ?? 0) << 8) |
        ((bytes[i + 2] ?? 0) << 16) |
        ((bytes[i + 3] ?? 0) << 24)) >>>
      0;
    let kHi =
      ((bytes[i + 4] ?? 0) |
        ((bytes[i + 5] ?? 0) << 8) |
        ((bytes[i + 6] ?? 0) << 16) |
        ((bytes[i + 7] ?? 0) << 24)) >>>
      0;
    multiplyByM(kHi, kLo);
    kHi = product[0]!;
    kLo = (product[1]! ^ (kHi >>> R_HI_SHIFT)) >>> 0;
    multiplyByM(kHi, kLo);
    multiplyByM((hHi ^ product[0]!) >>> 0, (hLo ^ product[1]!) >>> 0);
    hHi = product[0]!;
    hLo = product[1]!;
  }
  const rest = length & 7;
  if (rest !== 0) {
    if (rest >= 7) hHi ^= (bytes[i + 6] ?? 0) << 16;
    if (rest >= 6) hHi ^= (bytes[i + 5] ?? 0) << 8;
    if (rest >= 5) hHi ^= bytes[i + 4] ?? 0;
    if (rest >= 4) hLo ^= (bytes[i + 3] ?? 0) << 24;
    if (rest >= 3) hLo ^= (bytes[i + 2] ?? 0) << 16;
    if (rest >= 2) hLo ^= (bytes[i + 1] ?? 0) << 8;
    hLo ^= bytes[i] ?? 0;
    multiplyByM(hHi >>> 0, hLo >>> 0);
    hHi = product[0]!;
    hLo = product[1]!;
  }
  finish(hHi, hLo);
}

/** h ^= h >> r; h *= m; h ^= h >> r */
function finish(hHi: number, hLo: number): void {
  multiplyByM(hHi >>> 0, (hLo ^ (hHi >>> R_HI_SHIFT)) >>> 0);
  lastHash[0] = product[0]!;
  lastHash[1] = product[1]! ^ (product[0]! >>> R_HI_SHIFT);
}

/**
 * hllPatLen of the last hash, packed into one small integer: `register * 64 + count`, where
 * register is the low 14 bits of the hash (0..16383) and count the position of the first 1 bit
 * of the remaining 50 bits, counting from 1 (51 when they are all zero). One return value
 * instead of two keeps the hot path free of allocations and module-variable writes. O(1).
 *
 * @example
 * ```ts
 * murmurHash64A('element');
 * const pattern = hllPattern();
 * const register = pattern >> 6; // 0..16383
 * const count = pattern & 63; // 1..51
 * ```
 */
export function hllPattern(): number {
  const hi = lastHash[0]!;
  const lo = lastHash[1]!;
  const register = lo & (HLL_REGISTERS - 1);
  const low = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0;
  if (low !== 0) return (register << 6) | (32 - Math.clz32(low & -low));
  // bits 32..49 of the shifted hash, with bit 50 set so the count stops at Q + 1 = 51
  const high = (hi >>> HLL_P) | (1 << (HLL_Q - 32));
  return (register << 6) | (64 - Math.clz32(high & -high));
}
