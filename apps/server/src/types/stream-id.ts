/**
 * Stream entry IDs (t_stream.c of redis-server 7.0): `<ms>-<seq>`, two unsigned 64-bit integers
 * compared as one 128-bit number. JS numbers hold 53 bits exactly, so each half is kept as two
 * 32-bit words: comparisons stay on small integers and `18446744073709551615-18446744073709551615`
 * is exact. IDs in the common range (ms below 2^53) format without BigInt.
 */

const TWO_32 = 4294967296;
/** 2^21: below it `hi * 2^32 + lo` is a safe integer */
const SAFE_HI = 2097152;
const UINT32_MAX = 0xffffffff;

/**
 * An immutable stream ID. `msHi`/`msLo` and `seqHi`/`seqLo` are the high and low 32-bit words of
 * the millisecond and sequence parts.
 *
 * @example
 * ```ts
 * const id = StreamId.of(1700000000000, 3);
 * id.toString(); // '1700000000000-3'
 * compareIds(id, StreamId.MIN); // 1
 * ```
 */
export class StreamId {
  readonly msHi: number;
  readonly msLo: number;
  readonly seqHi: number;
  readonly seqLo: number;

  constructor(msHi: number, msLo: number, seqHi: number, seqLo: number) {
    this.msHi = msHi;
    this.msLo = msLo;
    this.seqHi = seqHi;
    this.seqLo = seqLo;
  }

  /** `0-0`, the smallest ID. */
  static readonly MIN = new StreamId(0, 0, 0, 0);
  /** `18446744073709551615-18446744073709551615`, the largest. */
  static readonly MAX = new StreamId(UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX);

  /** An ID from two non-negative safe integers. O(1). */
  static of(ms: number, seq: number): StreamId {
    return new StreamId(
      Math.floor(ms / TWO_32),
      ms % TWO_32,
      Math.floor(seq / TWO_32),
      seq % TWO_32,
    );
  }

  /** An ID from two uint64 bigints (persistence). O(1). */
  static fromBigInt(ms: bigint, seq: bigint): StreamId {
    return new StreamId(
      Number((ms >> 32n) & 0xffffffffn),
      Number(ms & 0xffffffffn),
      Number((seq >> 32n) & 0xffffffffn),
      Number(seq & 0xffffffffn),
    );
  }

  /** The millisecond part. O(1). */
  get ms(): bigint {
    return (BigInt(this.msHi) << 32n) | BigInt(this.msLo);
  }

  /** The sequence part. O(1). */
  get seq(): bigint {
    return (BigInt(this.seqHi) << 32n) | BigInt(this.seqLo);
  }

  /** True for `0-0`. O(1). */
  isZero(): boolean {
    return (this.msHi | this.msLo | this.seqHi | this.seqLo) === 0;
  }

  /** `<ms>-<seq>` in decimal, as replies print it. O(1). */
  toString(): string {
    return `${uint64Text(this.msHi, this.msLo)}-${uint64Text(this.seqHi, this.seqLo)}`;
  }
}

/**
 * Decimal text of the uint64 `hi * 2^32 + lo`. O(1).
 *
 * @example
 * ```ts
 * uint64Text(1, 0); // '4294967296'
 * ```
 */
export function uint64Text(hi: number, lo: number): string {
  if (hi < SAFE_HI) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * -1, 0 or 1 as `a` is below, equal to or above `b` (streamCompareID). O(1).
 *
 * @example
 * ```ts
 * compareIds(StreamId.of(1, 2), StreamId.of(1, 10)); // -1
 * ```
 */
export function compareIds(a: StreamId, b: StreamId): number {
  if (a.msHi !== b.msHi) return a.msHi < b.msHi ? -1 : 1;
  if (a.msLo !== b.msLo) return a.msLo < b.msLo ? -1 : 1;
  if (a.seqHi !== b.seqHi) return a.seqHi < b.seqHi ? -1 : 1;
  if (a.seqLo !== b.seqLo) return a.seqLo < b.seqLo ? -1 : 1;
  return 0;
}

/** Compares the ID stored at `words[at..at+3]` with `id`. O(1). */
export function compareIdAt(words: Uint32Array, at: number, id: StreamId): number {
  let x = words[at] ?? 0;
  if (x !== id.msHi) return x < id.msHi ? -1 : 1;
  x = words[at + 1] ?? 0;
  if (x !== id.msLo) return x < id.msLo ? -1 : 1;
  x = words[at + 2] ?? 0;
  if (x !== id.seqHi) return x < id.seqHi ? -1 : 1;
  x = words[at + 3] ?? 0;
  if (x !== id.seqLo) return x < id.seqLo ? -1 : 1;
  return 0;
}

/** The ID stored at `words[at..at+3]`. O(1). */
export function idAt(words: Uint32Array, at: number): StreamId {
  return new StreamId(words[at] ?? 0, words[at + 1] ?? 0, words[at + 2] ?? 0, words[at + 3] ?? 0);
}

/** Decimal text of the ID stored at `words[at..at+3]`. O(1). */
export function idTextAt(words: Uint32Array, at: number): string {
  return `${uint64Text(words[at] ?? 0, words[at + 1] ?? 0)}-${uint64Text(words[at + 2] ?? 0, words[at + 3] ?? 0)}`;
}

/**
 * The ID right after `id` (streamIncrID): seq + 1, or the next millisecond with seq 0. Undefined
 * after the largest ID (where Redis wraps to 0-0 and fails). O(1).
 *
 * @example
 * ```ts
 * nextId(StreamId.of(5, 1))?.toString(); // '5-2'
 * ```
 */
export function nextId(id: StreamId): StreamId | undefined {
  if (id.seqLo !== UINT32_MAX) return new StreamId(id.msHi, id.msLo, id.seqHi, id.seqLo + 1);
  if (id.seqHi !== UINT32_MAX) return new StreamId(id.msHi, id.msLo, id.seqHi + 1, 0);
  if (id.msLo !== UINT32_MAX) return new StreamId(id.msHi, id.msLo + 1, 0, 0);
  if (id.msHi !== UINT32_MAX) return new StreamId(id.msHi + 1, 0, 0, 0);
  return undefined;
}

/**
 * The ID right before `id` (streamDecrID): seq - 1, or the previous millisecond with the largest
 * seq. Undefined before 0-0. O(1).
 *
 * @example
 * ```ts
 * previousId(StreamId.of(5, 0))?.toString(); // '4-18446744073709551615'
 * ```
 */
export function previousId(id: StreamId): StreamId | undefined {
  if (id.seqLo !== 0) return new StreamId(id.msHi, id.msLo, id.seqHi, id.seqLo - 1);
  if (id.seqHi !== 0) return new StreamId(id.msHi, id.msLo, id.seqHi - 1, UINT32_MAX);
  if (id.msLo !== 0) return new StreamId(id.msHi, id.msLo - 1, UINT32_MAX, UINT32_MAX);
  if (id.msHi !== 0) return new StreamId(id.msHi - 1, UINT32_MAX, UINT32_MAX, UINT32_MAX);
  return undefined;
}

/**
 * The ID XADD generates from the clock (streamNextID): `now-0` when the clock is past the last
 * ID's millisecond, else the last ID plus one, so IDs stay increasing when time goes backwards.
 * Undefined only after the largest ID. O(1).
 *
 * @example
 * ```ts
 * autoId(StreamId.of(1000, 4), 999)?.toString(); // '1000-5': the clock went back
 * ```
 */
export function autoId(last: StreamId, now: number): StreamId | undefined {
  const hi = Math.floor(now / TWO_32);
  const lo = now % TWO_32;
  if (hi > last.msHi || (hi === last.msHi && lo > last.msLo)) return new StreamId(hi, lo, 0, 0);
  return nextId(last);
}

/** The low and high words of a parsed uint64, or undefined (see {@link parseUint64}). */
type Words = readonly [hi: number, lo: number];

const SPACE = 32;
const PLUS = 43;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const UINT64_LIMIT = 18446744073709551615n;

/**
 * string2ull of redis-server's util.c: first the strict int64 syntax (string2ll; a negative value
 * is refused), else `strtoull(s, &end, 10)` consuming the whole text, which also takes leading
 * white space, a `+` or `-` sign (a negated value wraps modulo 2^64) and leading zeros, and
 * refuses values past 2^64 - 1. O(length).
 *
 * @example
 * ```ts
 * parseUint64(' +007'); // [0, 7]
 * parseUint64('-1'); // undefined: a canonical negative number
 * ```
 */
export function parseUint64(text: string): Words | undefined {
  const length = text.length;
  if (length === 0) return undefined;
  // fast path: up to 15 plain digits (both syntaxes agree there, leading zeros included)
  if (length <= 15) {
    let value = 0;
    let i = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
    }
    if (i === length) return [Math.floor(value / TWO_32), value % TWO_32];
  }
  let i = 0;
  // isspace(): space, \t \n \v \f \r
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && (c < 9 || c > 13)) break;
    i++;
  }
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === PLUS || sign === MINUS) {
    negative = sign === MINUS;
    i++;
  }
  const digitsStart = i;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return undefined;
    i++;
  }
  if (i === digitsStart) return undefined;
  let value = BigInt(text.slice(digitsStart));
  if (value > UINT64_LIMIT) return undefined;
  if (negative) {
    // string2ll accepts a canonical negative number first, and string2ull refuses it
    if (value !== 0n && text.charCodeAt(0) === MINUS && isCanonicalNegative(text)) return undefined;
    value = -value & UINT64_LIMIT;
  }
  return [Number(value >> 32n), Number(value & 0xffffffffn)];
}

/** True when `text` is a string2ll-valid negative int64 ("-5", not "-05" or "- 5"). */
function isCanonicalNegative(text: string): boolean {
  if (text.length < 2 || text.length > 20) return false;
  const first = text.charCodeAt(1);
  if (first <= ZERO || first > NINE) return false;
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return BigInt(text) >= -(2n ** 63n);
}

/** How {@link parseStreamId} reads an argument. */
export interface IdSyntax {
  /** the seq when the text has none: 0 for a range start, 2^64 - 1 for an end */
  readonly missingSeqMax: boolean;
  /** refuse the bare `-` and `+` (streamParseStrictIDOrReply) */
  readonly strict: boolean;
}

/** Range starts and most IDs: `5` is `5-0`; `-` and `+` allowed. */
export const ID_START: IdSyntax = Object.freeze({ missingSeqMax: false, strict: false });
/** Range ends: `5` is `5-18446744073709551615`. */
export const ID_END: IdSyntax = Object.freeze({ missingSeqMax: true, strict: false });
/** Exact IDs (XADD, XDEL, XACK, XCLAIM...): `-` and `+` refused. */
export const ID_STRICT: IdSyntax = Object.freeze({ missingSeqMax: false, strict: true });

/** What {@link parseStreamId} returns for XADD's `<ms>-*` form: the ms, seq to be generated. */
export class PartialId {
  readonly ms: StreamId;
  constructor(ms: StreamId) {
    this.ms = ms;
  }

  /** `<ms>-*`, as typed. O(1). */
  toString(): string {
    return `${uint64Text(this.ms.msHi, this.ms.msLo)}-*`;
  }
}

/**
 * Parses a stream ID argument as streamGenericParseIDOrReply does: at most 127 bytes, read up to
 * the first NUL byte (a C string), `-` (0-0) and `+` (the largest ID) unless strict,
 * `<ms>-<seq>` or `<ms>` (the seq from `syntax`), each part in string2ull syntax. With
 * `allowPartial` (XADD), `<ms>-*` gives a {@link PartialId}. Undefined when invalid. O(length).
 *
 * @example
 * ```ts
 * parseStreamId('5', ID_END)?.toString(); // '5-18446744073709551615'
 * parseStreamId('+', ID_STRICT); // undefined
 * ```
 */
export function parseStreamId(
  text: string,
  syntax: IdSyntax,
  allowPartial = false,
): StreamId | PartialId | undefined {
  if (text.length > 127) return undefined;
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  if (text.length === 1) {
    const c = text.charCodeAt(0);
    if (c === MINUS) return syntax.strict ? undefined : StreamId.MIN;
    if (c === PLUS) return syntax.strict ? undefined : StreamId.MAX;
  }
  const dash = text.indexOf('-');
  const ms = parseUint64(dash < 0 ? text : text.slice(0, dash));
  if (ms === undefined) return undefined;
  if (dash < 0) {
    return syntax.missingSeqMax
      ? new StreamId(ms[0], ms[1], UINT32_MAX, UINT32_MAX)
      : new StreamId(ms[0], ms[1], 0, 0);
  }
  if (allowPartial && text.length === dash + 2 && text.charCodeAt(dash + 1) === 42 /* * */)
    return new PartialId(new StreamId(ms[0], ms[1], 0, 0));
  const seq = parseUint64(text.slice(dash + 1));
  if (seq === undefined) return undefined;
  return new StreamId(ms[0], ms[1], seq[0], seq[1]);
}

/** {@link parseStreamId} without the partial form. */
export function parseId(text: string, syntax: IdSyntax): StreamId | undefined {
  return parseStreamId(text, syntax) as StreamId | undefined;
}
