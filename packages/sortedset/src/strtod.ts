/**
 * C's `strtod` as glibc implements it, which is what redis-server 7.0 calls to read scores and
 * score bounds (src/t_zset.c `zslParseRange`, src/object.c `getDoubleFromObject`).
 * https://man7.org/linux/man-pages/man3/strtod.3.html
 *
 * Accepted: leading whitespace, an optional sign, then decimal (`1`, `.5`, `5.`, `1e-3`),
 * hexadecimal (`0x1.8p3`), `inf`/`infinity` or `nan`/`nan(...)`, all case-insensitive.
 *
 * To avoid allocating a result object per call (ZADD parses one score per member), the end
 * position and the ERANGE flag are left in module variables read right after the call.
 *
 * @internal
 */

/** Index just past the parsed text; the start index when nothing was parsed (C's `endptr`). */
export let scanEnd = 0;
/** True when C would set errno to ERANGE with a result of +-HUGE_VAL or 0 (overflow, underflow). */
export let scanRangeError = false;

const PLUS = 43; // +
const MINUS = 45; // -
const DOT = 46; // .
const ZERO = 48; // 0
const NINE = 57; // 9
const LOWER_E = 101; // e
const LOWER_P = 112; // p
const LOWER_X = 120; // x

/** C locale isspace(): space, \t, \n, \v, \f, \r. */
export function isCSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** True when `text` has `word` (lower case) at `index`, ignoring ASCII case. */
function matchesWord(text: string, index: number, word: string): boolean {
  if (index + word.length > text.length) return false;
  for (let offset = 0; offset < word.length; offset++) {
    if ((text.charCodeAt(index + offset) | 0x20) !== word.charCodeAt(offset)) return false;
  }
  return true;
}

/**
 * Parses a double at `start` the way glibc strtod does; sets {@link scanEnd} and
 * {@link scanRangeError}. Returns 0 with `scanEnd === start` when there is no number.
 */
export function strtod(text: string, start: number): number {
  const length = text.length;
  let index = start;
  scanRangeError = false;
  while (index < length && isCSpace(text.charCodeAt(index))) index++;
  let negative = false;
  let code = text.charCodeAt(index);
  if (code === PLUS || code === MINUS) {
    negative = code === MINUS;
    index++;
    code = text.charCodeAt(index);
  }
  if (matchesWord(text, index, 'inf')) {
    index += 3;
    if (matchesWord(text, index, 'inity')) index += 5;
    scanEnd = index;
    return negative ? -Infinity : Infinity;
  }
  if (matchesWord(text, index, 'nan')) {
    index += 3;
    // nan(n-char-sequence): consumed only when the parenthesis closes
    if (text.charCodeAt(index) === 40) {
      let close = index + 1;
      for (; close < length; close++) {
        const c = text.charCodeAt(close);
        const alphanumeric = isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 95;
        if (!alphanumeric) break;
      }
      if (text.charCodeAt(close) === 41) index = close + 1;
    }
    scanEnd = index;
    return Number.NaN;
  }
  if (code === ZERO && (text.charCodeAt(index + 1) | 0x20) === LOWER_X) {
    const value = parseHex(text, index + 2, negative);
    if (scanEnd !== -1) return value;
    // "0x" without hex digits: strtod reads the "0" and stops at the "x"
    scanEnd = index + 1;
    return negative ? -0 : 0;
  }
  const mantissaStart = index;
  let digits = 0;
  let nonZero = false;
  // the integer value too, exact up to 15 digits (below 2^53): a plain integer score, the usual
  // ZADD argument, needs no Number() of a slice
  let integer = 0;
  while (isDigit(text.charCodeAt(index))) {
    const digit = text.charCodeAt(index) - ZERO;
    if (digit !== 0) nonZero = true;
    integer = integer * 10 + digit;
    index++;
    digits++;
  }
  if (digits > 0 && digits <= 15) {
    const next = text.charCodeAt(index);
    if (next !== DOT && (next | 0x20) !== LOWER_E) {
      scanEnd = index;
      return negative ? -integer : integer;
    }
  }
  if (text.charCodeAt(index) === DOT) {
    index++;
    while (isDigit(text.charCodeAt(index))) {
      if (text.charCodeAt(index) !== ZERO) nonZero = true;
      index++;
      digits++;
    }
  }
  if (digits === 0) {
    scanEnd = start;
    return 0;
  }
  if ((text.charCodeAt(index) | 0x20) === LOWER_E) {
    let exponentIndex = index + 1;
    const sign = text.charCodeAt(exponentIndex);
    if (sign === PLUS || sign === MINUS) exponentIndex++;
    if (isDigit(text.charCodeAt(exponentIndex))) {
      while (isDigit(text.charCodeAt(exponentIndex))) exponentIndex++;
      index = exponentIndex;
    }
  }
  scanEnd = index;
  // JavaScript's Number() rounds decimal literals correctly, as glibc's strtod does
  const magnitude = Number(text.slice(mantissaStart, index));
  if (magnitude === Infinity || (magnitude === 0 && nonZero)) scanRangeError = true;
  return negative ? -magnitude : magnitude;
}

/** Hex digits after "0x"; sets scanEnd to -1 when there are none. */
function parseHex(text: string, index: number, negative: boolean): number {
  let mantissa = 0n;
  let digits = 0;
  let exponent = 0;
  let nonZero = false;
  for (let value = hexValue(text.charCodeAt(index)); value >= 0;) {
    mantissa = (mantissa << 4n) | BigInt(value);
    if (value !== 0) nonZero = true;
    digits++;
    value = hexValue(text.charCodeAt(++index));
  }
  if (text.charCodeAt(index) === DOT) {
    let fraction = index + 1;
    for (let value = hexValue(text.charCodeAt(fraction)); value >= 0;) {
      mantissa = (mantissa << 4n) | BigInt(value);
      if (value !== 0) nonZero = true;
      digits++;
      exponent -= 4;
      value = hexValue(text.charCodeAt(++fraction));
    }
    if (digits > 0) index = fraction;
  }
  if (digits === 0) {
    scanEnd = -1;
    return 0;
  }
  if ((text.charCodeAt(index) | 0x20) === LOWER_P) {
    let exponentIndex = index + 1;
    const sign = text.charCodeAt(exponentIndex);
    if (sign === PLUS || sign === MINUS) exponentIndex++;
    if (isDigit(text.charCodeAt(exponentIndex))) {
      let written = 0;
      while (isDigit(text.charCodeAt(exponentIndex))) {
        // clamp: anything past 1e6 already over- or underflows
        written = Math.min(written * 10 + text.charCodeAt(exponentIndex) - ZERO, 1e6);
        exponentIndex++;
      }
      exponent += sign === MINUS ? -written : written;
      index = exponentIndex;
    }
  }
  scanEnd = index;
  // Number(bigint) rounds to nearest; scaling by powers of two is exact until the result
  // leaves the normal range (two steps so that 2 ** exponent itself never overflows early)
  let magnitude = Number(mantissa);
  const half = Math.trunc(exponent / 2);
  magnitude = magnitude * 2 ** half * 2 ** (exponent - half);
  if (magnitude === Infinity || (magnitude === 0 && nonZero)) scanRangeError = true;
  return negative ? -magnitude : magnitude;
}
