import {
  HLL_Q as Q,
  HLL_REGISTERS as REGISTERS,
  hashBytes,
  hllPattern,
  murmurHash64A,
} from './hyperloglog-hash.js';

/**
 * A HyperLogLog in redis-server's own representation (hyperloglog.c), as a mutable byte buffer.
 * In the keyspace an HLL is a plain string value; commands turn it into this form, change
 * registers in place, and write the bytes back as a latin1 string, so GET, DUMP and RDB files
 * carry exactly the bytes redis-server would.
 *
 *     +------+---+-----+----------+----------------------------------+
 *     | HYLL | E | N/U | Cardin.  | registers (dense) / opcodes (sparse)
 *     +------+---+-----+----------+----------------------------------+
 *      0      4   5     8          16
 *
 * E is 0 (dense) or 1 (sparse); Cardin. is the cached cardinality, little endian, invalid when
 * the top bit of byte 15 is set. Dense: 16384 6-bit registers packed from the LSB of each byte
 * (12288 bytes). Sparse: run-length opcodes ZERO 00xxxxxx (1-64 zero registers), XZERO 01xxxxxx
 * yyyyyyyy (1-16384 zero registers), VAL 1vvvvvxx (1-4 registers of value 1-32).
 *
 * The buffer always has one spare zero byte past the dense registers (sds strings' implicit
 * terminator, which HLL_DENSE_GET_REGISTER reads for the last register) and three bytes of room
 * for a sparse opcode split.
 */

/** 16384 registers */
export const HLL_REGISTERS = REGISTERS;
/** Imported constants copied into this module: loops read a local, not an import binding. */
const HLL_Q = Q;
/** HLL_HDR_SIZE */
export const HLL_HEADER_SIZE = 16;
/** HLL_DENSE_SIZE: 12304 bytes */
export const HLL_DENSE_SIZE = HLL_HEADER_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
/** The encoding byte values. */
export const HllEncoding = { DENSE: 0, SPARSE: 1 } as const;

const REGISTER_MAX = 63;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const XZERO_BIT = 0x40;
const VAL_BIT = 0x80;
/** 0.5 / ln(2): hyperloglog.c writes 0.721347520444481703680, the same double */
const ALPHA_INF = 0.7213475204444817;
const CARD_OFFSET = 8;

/** Register histogram, reused by every count (one command runs at a time). */
const histogram = new Int32Array(64);

/**
 * A new empty HLL as createHLLObject makes it: sparse, one XZERO:16384 opcode, cached
 * cardinality 0. The 18 bytes as a latin1 string.
 */
export const EMPTY_HLL = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff';

/**
 * True when `value` is what isHLLObjectOrReply accepts: at least 16 bytes, "HYLL", encoding 0 or
 * 1, and exactly 12304 bytes when dense. A sparse body is only checked when it is used. O(1).
 *
 * @example
 * ```ts
 * isHllString(EMPTY_HLL); // true
 * isHllString('hello'); // false
 * ```
 */
export function isHllString(value: string): boolean {
  if (value.length < HLL_HEADER_SIZE) return false;
  if (value.charCodeAt(0) !== 72 || value.charCodeAt(1) !== 89) return false; // H Y
  if (value.charCodeAt(2) !== 76 || value.charCodeAt(3) !== 76) return false; // L L
  const encoding = value.charCodeAt(4);
  if (encoding > HllEncoding.SPARSE) return false;
  return encoding !== HllEncoding.DENSE || value.length === HLL_DENSE_SIZE;
}

/**
 * The cached cardinality of an HLL string when it is valid, else -1 (no buffer needed: PFCOUNT's
 * fast path). A cached value past 2^53 comes back as a bigint. O(1).
 *
 * @example
 * ```ts
 * cachedCardinality(EMPTY_HLL); // 0
 * ```
 */
export function cachedCardinality(value: string): number | bigint {
  if (value.charCodeAt(CARD_OFFSET + 7) & 0x80) return -1;
  let lo = 0;
  let hi = 0;
  for (let i = 3; i >= 0; i--) {
    lo = lo * 256 + value.charCodeAt(CARD_OFFSET + i);
    hi = hi * 256 + value.charCodeAt(CARD_OFFSET + 4 + i);
  }
  if (hi < 1 << 21) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** hllSigma (Ertl, arXiv:1702.01284). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** hllTau (Ertl, arXiv:1702.01284). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y; // pow(1 - x, 2): a square is exact before the one rounding either way
  } while (zPrime !== z);
  return z / 3;
}

/** The estimate of hllCount from the register histogram (Ertl's improved estimator, 7.0). */
function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - (histogram[HLL_Q + 1] ?? 0)) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j] ?? 0;
    z *= 0.5;
  }
  z += m * sigma((histogram[0] ?? 0) / m);
  const estimate = Math.round((ALPHA_INF * m * m) / z); // llroundl: positive, so halves go up
  // llroundl of a value past LLONG_MAX (or of +inf, z = 0) is x86's "integer indefinite",
  // LLONG_MIN, which hllCount returns as the uint64 2^63
  return estimate < 2 ** 63 ? estimate : 2 ** 63;
}

/**
 * A cardinality as PFCOUNT replies it (addReplyLongLong of the uint64): exact past 2^53, and
 * 2^63 (the overflow value) as -2^63. O(1).
 *
 * @example
 * ```ts
 * cardinalityReply(2 ** 63); // -9223372036854775808n
 * ```
 */
export function cardinalityReply(card: number): number | bigint {
  return card <= Number.MAX_SAFE_INTEGER ? card : BigInt.asIntN(64, BigInt(card));
}

/**
 * The cardinality of a union already merged into one byte per register (PFCOUNT with several
 * keys: the HLL_RAW encoding). O(16384).
 *
 * @example
 * ```ts
 * const max = new Uint8Array(HLL_REGISTERS);
 * HyperLogLog.fromString(value).mergeInto(max);
 * countRegisters(max);
 * ```
 */
export function countRegisters(registers: Uint8Array): number {
  histogram.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i] ?? 0]!++;
  return estimate();
}

/**
 * A HyperLogLog's bytes, mutable; see the file comment for the layout. Adding an element is
 * O(1) dense and O(sparse bytes) sparse (at most hll-sparse-max-bytes, 3000 by default);
 * counting and merging are O(16384).
 *
 * @example
 * ```ts
 * const hll = HyperLogLog.create();
 * for (const element of ['a', 'b', 'c']) hll.add(element, 3000);
 * hll.count(); // 3
 * hll.invalidateCache();
 * db.set(key, hll.toString()); // the bytes redis-server would hold
 * ```
 */
export class HyperLogLog {
  /** the bytes; `length` of them are the value, the rest is spare room (zeroes) */
  #bytes: Buffer;
  #length: number;

  private constructor(bytes: Buffer, length: number) {
    this.#bytes = bytes;
    this.#length = length;
  }

  /**
   * Copies an HLL string (checked with {@link isHllString}) into a buffer. O(length).
   *
   * @example
   * ```ts
   * const hll = HyperLogLog.fromString(EMPTY_HLL);
   * hll.add('a', 3000); // 1
   * ```
   */
  static fromString(value: string): HyperLogLog {
    const length = value.length;
    const bytes = Buffer.alloc(length + 8);
    bytes.write(value, 0, length, 'latin1');
    return new HyperLogLog(bytes, length);
  }

  /** A new empty sparse HLL (createHLLObject). O(1). */
  static create(): HyperLogLog {
    return HyperLogLog.fromString(EMPTY_HLL);
  }

  /** The value as a latin1 string (what the keyspace stores): one copy of the bytes, O(length). */
  toString(): string {
    return this.#bytes.toString('latin1', 0, this.#length);
  }

  /** Bytes of the value (18 for a new HLL, 12304 dense). O(1). */
  get length(): number {
    return this.#length;
  }

  /** True for the sparse encoding. O(1). */
  get sparse(): boolean {
    return this.#bytes[4] === HllEncoding.SPARSE;
  }

  /** Marks the cached cardinality invalid (HLL_INVALIDATE_CACHE). O(1). */
  invalidateCache(): void {
    this.#bytes[CARD_OFFSET + 7]! |= 0x80;
  }

  /** Stores a cardinality (below 2^64) in the cache bytes, little endian. O(1). */
  setCachedCardinality(card: number): void {
    // a cardinality of 2^63 (the overflow value) leaves the cache invalid, as in redis-server
    this.#bytes.writeBigUInt64LE(BigInt(card), CARD_OFFSET);
  }

  /**
   * Adds an element (hllAdd): 1 when a register changed, 0 when not, -1 when the sparse
   * representation is corrupted. A sparse HLL becomes dense when a register needs a value above
   * 32 or the sparse bytes would pass `sparseMaxBytes` (hll-sparse-max-bytes). O(1) dense,
   * O(sparse length) sparse.
   *
   * @example
   * ```ts
   * const hll = HyperLogLog.create();
   * hll.add('x', 3000); // 1
   * hll.add('x', 3000); // 0
   * ```
   */
  add(element: string, sparseMaxBytes: number): number {
    murmurHash64A(element);
    const pattern = hllPattern();
    return this.setRegister(pattern >> 6, pattern & 63, sparseMaxBytes);
  }

  /** Adds an element given as bytes (PFSELFTEST). */
  addBytes(element: Uint8Array, length: number, sparseMaxBytes: number): number {
    hashBytes(element, length);
    const pattern = hllPattern();
    return this.setRegister(pattern >> 6, pattern & 63, sparseMaxBytes);
  }

  /**
   * Raises register `index` to `count` if it is lower (hllDenseSet / hllSparseSet): 1 when it
   * changed, 0 when not, -1 on a corrupted sparse representation.
   */
  setRegister(index: number, count: number, sparseMaxBytes: number): number {
    const encoding = this.#bytes[4];
    if (encoding === HllEncoding.DENSE) return denseSet(this.#bytes, index, count);
    if (encoding === HllEncoding.SPARSE) return this.#sparseSet(index, count, sparseMaxBytes);
    return -1;
  }

  /** The value of register `index` in the dense encoding. O(1). */
  denseRegister(index: number): number {
    return denseGet(this.#bytes, index);
  }

  /** Writes register `index` of the dense encoding, whatever its value was. O(1). */
  writeDenseRegister(index: number, value: number): void {
    denseWrite(this.#bytes, index, value);
  }

  /**
   * Converts a sparse HLL to dense in place (hllSparseToDense); false when the sparse data is
   * corrupted (the HLL is then left unchanged). A dense HLL is left as it is. O(16384).
   */
  toDense(): boolean {
    const sparse = this.#bytes;
    if (sparse[4] === HllEncoding.DENSE) return true;
    const dense = Buffer.alloc(HLL_DENSE_SIZE + 8);
    sparse.copy(dense, 0, 0, HLL_HEADER_SIZE); // magic and cached cardinality
    dense[4] = HllEncoding.DENSE;
    let index = 0;
    let p = HLL_HEADER_SIZE;
    const end = this.#length;
    while (p < end) {
      const op = sparse[p]!;
      if ((op & 0xc0) === 0) {
        index += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === XZERO_BIT) {
        index += (((op & 0x3f) << 8) | sparse[p + 1]!) + 1;
        p += 2;
      } else {
        let runLength = (op & 0x3) + 1;
        const value = ((op >> 2) & 0x1f) + 1;
        // a run past the last register is corruption, even one that ends the registers exactly
        // before it (redis-server 7.0.15 answers INVALIDOBJ)
        if (runLength + index > HLL_REGISTERS) return false;
        while (runLength--) denseWrite(dense, index++, value);
        p++;
      }
    }
    if (index !== HLL_REGISTERS) return false;
    this.#bytes = dense;
    this.#length = HLL_DENSE_SIZE;
    return true;
  }

  /**
   * The estimated cardinality (hllCount), or -1 when the sparse representation is corrupted.
   * Does not read or write the cache bytes. O(16384) dense, O(sparse length) sparse.
   */
  count(): number {
    histogram.fill(0);
    const bytes = this.#bytes;
    if (bytes[4] === HllEncoding.DENSE) {
      denseHistogram(bytes);
    } else {
      let index = 0;
      let p = HLL_HEADER_SIZE;
      const end = this.#length;
      while (p < end) {
        const op = bytes[p]!;
        if ((op & 0xc0) === 0) {
          const runLength = (op & 0x3f) + 1;
          index += runLength;
          histogram[0]! += runLength;
          p++;
        } else if ((op & 0xc0) === XZERO_BIT) {
          const runLength = (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
          index += runLength;
          histogram[0]! += runLength;
          p += 2;
        } else {
          const runLength = (op & 0x3) + 1;
          index += runLength;
          histogram[((op >> 2) & 0x1f) + 1]! += runLength;
          p++;
        }
      }
      if (index !== HLL_REGISTERS) return -1;
    }
    return estimate();
  }

  /**
   * max[i] = MAX(max[i], register i) for every register (hllMerge); false when the sparse
   * representation is corrupted. O(16384).
   */
  mergeInto(max: Uint8Array): boolean {
    const bytes = this.#bytes;
    if (bytes[4] === HllEncoding.DENSE) {
      // four registers per three bytes, as hllDenseRegHisto reads them (no per-register shifts)
      for (let i = 0, r = HLL_HEADER_SIZE; i < HLL_REGISTERS; i += 4, r += 3) {
        const b0 = bytes[r]!;
        const b1 = bytes[r + 1]!;
        const b2 = bytes[r + 2]!;
        const v0 = b0 & 63;
        const v1 = ((b0 >> 6) | (b1 << 2)) & 63;
        const v2 = ((b1 >> 4) | (b2 << 4)) & 63;
        const v3 = b2 >> 2;
        if (v0 > max[i]!) max[i] = v0;
        if (v1 > max[i + 1]!) max[i + 1] = v1;
        if (v2 > max[i + 2]!) max[i + 2] = v2;
        if (v3 > max[i + 3]!) max[i + 3] = v3;
      }
      return true;
    }
    let i = 0;
    let p = HLL_HEADER_SIZE;
    const end = this.#length;
    while (p < end) {
      const op = bytes[p]!;
      if ((op & 0xc0) === 0) {
        i += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === XZERO_BIT) {
        i += (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
        p += 2;
      } else {
        let runLength = (op & 0x3) + 1;
        const value = ((op >> 2) & 0x1f) + 1;
        // a run past the last register is corruption, even one that ends the registers exactly
        // before it (redis-server 7.0.15 answers INVALIDOBJ)
        if (runLength + i > HLL_REGISTERS) return false;
        while (runLength--) {
          if (value > max[i]!) max[i] = value;
          i++;
        }
        p++;
      }
    }
    return i === HLL_REGISTERS;
  }

  /** PFDEBUG DECODE: the sparse opcodes as "Z:16384 v:3,1 z:12" ("" when none). O(length). */
  decode(): string {
    const bytes = this.#bytes;
    const parts: string[] = [];
    let p = HLL_HEADER_SIZE;
    while (p < this.#length) {
      const op = bytes[p]!;
      if ((op & 0xc0) === 0) {
        parts.push(`z:${(op & 0x3f) + 1}`);
        p++;
      } else if ((op & 0xc0) === XZERO_BIT) {
        parts.push(`Z:${(((op & 0x3f) << 8) | (bytes[p + 1] ?? 0)) + 1}`);
        p += 2;
      } else {
        parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 0x3) + 1}`);
        p++;
      }
    }
    return parts.join(' ');
  }

  /**
   * Checks the structure of an HLL built from valid data: the header, the dense length, zero
   * bytes past the end, and for the sparse encoding that the opcodes cover exactly 16384
   * registers. Throws on a violation (tests call it after every step).
   */
  checkInvariants(): void {
    const bytes = this.#bytes;
    if (bytes.toString('latin1', 0, 4) !== 'HYLL') throw new Error('bad magic');
    if (bytes.length < this.#length + 1) throw new Error('no spare byte');
    for (let i = this.#length; i < bytes.length; i++)
      if (bytes[i] !== 0) throw new Error(`spare byte ${i} is not zero`);
    if (bytes[4] === HllEncoding.DENSE) {
      if (this.#length !== HLL_DENSE_SIZE) throw new Error('dense length');
      return;
    }
    if (bytes[4] !== HllEncoding.SPARSE) throw new Error('encoding');
    let index = 0;
    let p = HLL_HEADER_SIZE;
    while (p < this.#length) {
      const op = bytes[p]!;
      if ((op & 0xc0) === 0) {
        index += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === XZERO_BIT) {
        index += (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
        p += 2;
      } else {
        index += (op & 0x3) + 1;
        p++;
      }
    }
    if (p !== this.#length) throw new Error('opcode runs past the end');
    if (index !== HLL_REGISTERS) throw new Error(`sparse opcodes cover ${index} registers`);
  }

  /**
   * hllSparseSet, byte for byte: the opcode covering `index` is found, split into at most
   * XZERO-VAL-XZERO (or VAL-VAL-VAL), the tail moved, then up to five opcodes from the previous
   * one are scanned to merge equal adjacent VALs. Promotes to dense past `sparseMaxBytes`.
   */
  #sparseSet(index: number, count: number, sparseMaxBytes: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.#promote(index, count);
    this.#reserve(this.#length + 3);
    const bytes = this.#bytes;
    let p = HLL_HEADER_SIZE;
    let end = this.#length;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = bytes[p]!;
      let opLength = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & VAL_BIT) span = (op & 0x3) + 1;
      else {
        span = (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
        opLength = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += opLength;
      first += span;
    }
    if (span === 0 || p >= end) return -1; // invalid format

    const op = bytes[p]!;
    let next = (op & 0xc0) === XZERO_BIT ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const isZero = (op & 0xc0) === 0;
    const isXZero = (op & 0xc0) === XZERO_BIT;
    const isVal = !isZero && !isXZero;
    const runLength = isZero
      ? (op & 0x3f) + 1
      : isXZero
        ? (((op & 0x3f) << 8) | bytes[p + 1]!) + 1
        : (op & 0x3) + 1;

    let updatedInPlace = false;
    if (isVal) {
      const oldCount = ((op >> 2) & 0x1f) + 1;
      if (oldCount >= count) return 0; // case A
      if (runLength === 1) {
        bytes[p] = valOpcode(count, 1); // case B
        updatedInPlace = true;
      }
    }
    if (!updatedInPlace && isZero && runLength === 1) {
      bytes[p] = valOpcode(count, 1); // case C
      updatedInPlace = true;
    }
    if (!updatedInPlace) {
      // case D: the general split, into seq (at most 5 bytes)
      const seq = splitSequence;
      let n = 0;
      const last = first + span - 1;
      if (isZero || isXZero) {
        if (index !== first) n = writeZeroRun(seq, n, index - first);
        seq[n++] = valOpcode(count, 1);
        if (index !== last) n = writeZeroRun(seq, n, last - index);
      } else {
        const current = ((op >> 2) & 0x1f) + 1;
        if (index !== first) seq[n++] = valOpcode(current, index - first);
        seq[n++] = valOpcode(count, 1);
        if (index !== last) seq[n++] = valOpcode(current, last - index);
      }
      const oldLength = isXZero ? 2 : 1;
      const delta = n - oldLength;
      if (delta > 0 && this.#length + delta > sparseMaxBytes) return this.#promote(index, count);
      if (delta !== 0 && next !== -1) bytes.copyWithin(next + delta, next, end);
      this.#length += delta;
      bytes[this.#length] = 0; // sdsIncrLen writes the terminator, then the sequence is copied
      // (a truncated last opcode makes the sequence run past the end, as it does in the sds)
      for (let i = 0; i < n; i++) bytes[p + i] = seq[i]!;
      end += delta;
    }

    // step 4: merge adjacent VAL opcodes with the same value, scanning up to 5 opcodes
    p = prev === -1 ? HLL_HEADER_SIZE : prev;
    let scan = 5;
    while (p < end && scan-- > 0) {
      const op = bytes[p]!;
      if ((op & 0xc0) === XZERO_BIT) {
        p += 2;
        continue;
      } else if ((op & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && bytes[p + 1]! & VAL_BIT) {
        const next = bytes[p + 1]!;
        const v1 = ((op >> 2) & 0x1f) + 1;
        const v2 = ((next >> 2) & 0x1f) + 1;
        if (v1 === v2) {
          const merged = (op & 0x3) + 1 + (next & 0x3) + 1;
          if (merged <= SPARSE_VAL_MAX_LEN) {
            bytes[p + 1] = valOpcode(v1, merged);
            bytes.copyWithin(p, p + 1, end);
            end--;
            this.#length--;
            bytes[end] = 0;
            continue; // try to merge the merged value with the one on its right
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  /** The promote label of hllSparseSet: convert, then set the register in the dense form. */
  #promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return denseSet(this.#bytes, index, count);
  }

  #reserve(capacity: number): void {
    if (this.#bytes.length >= capacity + 1) return;
    const grown = Buffer.alloc(Math.max(capacity + 1, this.#bytes.length * 2));
    // all of it, as realloc keeps the sds bytes past its length (a damaged HLL's last opcode
    // can lie there)
    this.#bytes.copy(grown, 0, 0, this.#bytes.length);
    this.#bytes = grown;
  }
}

const splitSequence = new Uint8Array(5);

function valOpcode(value: number, length: number): number {
  return (((value - 1) << 2) | (length - 1) | VAL_BIT) & 0xff;
}

/** A ZERO (up to 64) or XZERO run of `length` registers at seq[n]; returns the new n. */
function writeZeroRun(seq: Uint8Array, n: number, length: number): number {
  if (length > SPARSE_ZERO_MAX_LEN) {
    const l = length - 1;
    seq[n] = (l >> 8) | XZERO_BIT;
    seq[n + 1] = l & 0xff;
    return n + 2;
  }
  seq[n] = length - 1;
  return n + 1;
}

/** HLL_DENSE_GET_REGISTER (reads the byte after the last register: the spare zero byte). */
function denseGet(bytes: Buffer, index: number): number {
  const byte = HLL_HEADER_SIZE + ((index * 6) >> 3);
  const fb = (index * 6) & 7;
  return ((bytes[byte]! >> fb) | (bytes[byte + 1]! << (8 - fb))) & REGISTER_MAX;
}

/** HLL_DENSE_SET_REGISTER. */
function denseWrite(bytes: Buffer, index: number, value: number): void {
  const byte = HLL_HEADER_SIZE + ((index * 6) >> 3);
  const fb = (index * 6) & 7;
  const fb8 = 8 - fb;
  bytes[byte] = (bytes[byte]! & ~(REGISTER_MAX << fb)) | (value << fb);
  bytes[byte + 1] = (bytes[byte + 1]! & ~(REGISTER_MAX >> fb8)) | (value >> fb8);
}

/** hllDenseSet: 1 when the register was raised. */
function denseSet(bytes: Buffer, index: number, count: number): number {
  if (count > denseGet(bytes, index)) {
    denseWrite(bytes, index, count);
    return 1;
  }
  return 0;
}

/** hllDenseRegHisto: 16 registers per 12 bytes, unrolled as redis-server does it. */
function denseHistogram(bytes: Buffer): void {
  const h = histogram;
  let r = HLL_HEADER_SIZE;
  for (let j = 0; j < 1024; j++, r += 12) {
    for (let k = 0; k < 12; k += 3) {
      const b0 = bytes[r + k]!;
      const b1 = bytes[r + k + 1]!;
      const b2 = bytes[r + k + 2]!;
      h[b0 & 63]!++;
      h[((b0 >> 6) | (b1 << 2)) & 63]!++;
      h[((b1 >> 4) | (b2 << 4)) & 63]!++;
      h[(b2 >> 2) & 63]!++;
    }
  }
}

/**
 * PFSELFTEST's checks, as redis-server runs them: register round trips on 1000 random dense
 * HLLs, then 10 million elements added to a dense and a sparse HLL with their counts compared
 * and checked against 6 standard errors at 1, 10, 100... Returns undefined on success, else the
 * error text. O(10^7).
 *
 * @example
 * ```ts
 * selfTest(3000); // undefined
 * ```
 */
export function selfTest(
  sparseMaxBytes: number,
  random: () => number = Math.random,
): string | undefined {
  const emptyDense = 'HYLL' + '\x00'.repeat(HLL_DENSE_SIZE - 4);
  let counters = HyperLogLog.fromString(emptyDense);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(random() * 64) & REGISTER_MAX;
      expected[i] = r;
      counters.writeDenseRegister(i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = counters.denseRegister(i);
      if (value !== expected[i])
        return `TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`;
    }
  }

  counters = HyperLogLog.fromString(emptyDense);
  const sparse = HyperLogLog.create();
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = Math.floor(random() * 0x100000000) >>> 0;
  const seedHi = Math.floor(random() * 0x100000000) >>> 0;
  const element = new Uint8Array(8);
  const view = new DataView(element.buffer);
  view.setUint32(4, seedHi, true);
  for (let j = 1; j <= 10_000_000; j++) {
    view.setUint32(0, (j ^ seedLo) >>> 0, true);
    counters.addBytes(element, 8, sparseMaxBytes);
    sparse.addBytes(element, 8, sparseMaxBytes);
    if (j === checkpoint) {
      if (j < sparseMaxBytes / 2 && !sparse.sparse) return 'TESTFAILED sparse encoding not used';
      const count = counters.count();
      if (count !== sparse.count()) return 'TESTFAILED dense/sparse disagree';
      let maxError = Math.ceil(relativeError * 6 * checkpoint);
      if (j === 10) maxError = 1;
      const absoluteError = Math.abs(checkpoint - count);
      if (absoluteError > maxError)
        return `TESTFAILED Too big error. card:${checkpoint} abserr:${absoluteError}`;
      checkpoint *= 10;
    }
  }
  return undefined;
}
