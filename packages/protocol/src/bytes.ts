/**
 * Byte values the wire formats are made of, and the Buffer methods the hot paths call.
 *
 * RESP2: https://redis.io/docs/latest/develop/reference/protocol-spec/
 * RESP3: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md
 *
 * @internal
 */

/** The first byte of each RESP frame. */
export const RESP_TYPES = {
  SIMPLE_STRING: 43, // +
  SIMPLE_ERROR: 45, // -
  INTEGER: 58, // :
  BULK_STRING: 36, // $
  ARRAY: 42, // *
  NULL: 95, // _
  BOOLEAN: 35, // #
  DOUBLE: 44, // ,
  BIG_NUMBER: 40, // (
  BULK_ERROR: 33, // !
  VERBATIM_STRING: 61, // =
  MAP: 37, // %
  SET: 126, // ~
  ATTRIBUTE: 124, // |
  PUSH: 62, // >
} as const;

export const CR = 13; // \r
export const LF = 10; // \n
export const NUL = 0;
export const SPACE = 32;
export const TAB = 9;
export const VT = 11; // \v
export const FF = 12; // \f
export const MINUS = 45; // -
export const PLUS = 43; // +
export const DOT = 46; // .
export const COLON = 58; // :
export const ZERO = 48; // 0
export const NINE = 57; // 9
export const DOUBLE_QUOTE = 34; // "
export const SINGLE_QUOTE = 39; // '
export const BACKSLASH = 92; // \
export const LOWER_T = 116; // t
export const LOWER_F = 102; // f

/**
 * Node's Buffer carries one-shot string codecs that skip the encoding switch of
 * `toString(encoding, start, end)` / `write(string, offset, encoding)`. They are present on every
 * Buffer since Node 0.x but missing from @types/node, hence this view of the type.
 */
export interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number, length?: number): number;
  utf8Write(text: string, offset: number, length?: number): number;
}

/** Views any Uint8Array as a FastBuffer without copying. */
export function asFastBuffer(bytes: Uint8Array): FastBuffer {
  return (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ) as FastBuffer;
}

export const EMPTY_BUFFER = Buffer.alloc(0) as FastBuffer;

/**
 * Number of decimal digits of a non-negative safe integer. Compares with growing powers of ten
 * (exact in a double up to 10^22): a loop of float divisions, the other way, made this 40% of
 * an integer reply's cost (a 7-digit LPUSH length: 26 -> 14 ns).
 */
export function decimalLength(n: number): number {
  let length = 1;
  for (let power = 10; n >= power; power *= 10) length++;
  return length;
}

/**
 * Writes the decimal digits of a safe integer at `at`; returns the index after them.
 * The caller has checked the capacity (a RespWriter: HEADER_ROOM).
 */
export function writeInteger(buffer: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    buffer[at++] = MINUS;
    n = -n;
  }
  if (n < 10) {
    buffer[at] = ZERO + n;
    return at + 1;
  }
  const end = at + decimalLength(n);
  let i = end - 1;
  if (n < 2147483648) {
    // int32 arithmetic: faster than double division
    while (n >= 10) {
      const quotient = (n / 10) | 0;
      buffer[i--] = ZERO + (n - quotient * 10);
      n = quotient;
    }
  } else {
    while (n >= 10) {
      const quotient = Math.floor(n / 10);
      buffer[i--] = ZERO + (n - quotient * 10);
      n = quotient;
    }
  }
  buffer[i] = ZERO + n;
  return end;
}

/**
 * `<type>n\r\n` at `at`: a frame's header (`*3`, `$5`...); returns the index after it. The
 * caller has checked the capacity.
 */
export function writeHeader(buffer: Uint8Array, at: number, type: number, n: number): number {
  buffer[at++] = type;
  at = writeInteger(buffer, at, n);
  buffer[at++] = CR;
  buffer[at++] = LF;
  return at;
}
