/**
 * Number parsing with redis-server's exact rules (util.c string2ll / string2d), and 64-bit
 * signed integer arithmetic that never rounds: values that fit in a double's 53-bit mantissa stay
 * plain numbers (the fast path), larger ones become bigint.
 */

/** An int64 value: a number when |v| <= 2^53 - 1, else a bigint. */
export type Int64 = number | bigint;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

const ZERO = 48;
const NINE = 57;
const MINUS = 45;

/**
 * Parses a decimal int64 as string2ll does: no leading "+", no spaces, no leading zeros
 * ("0" alone is fine, "-0" is not), at most 20 characters, within int64. Returns undefined otherwise.
 */
export function parseInt64(text: string): Int64 | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === MINUS) {
    negative = true;
    i = 1;
    if (length === 1) return undefined;
  }
  const first = text.charCodeAt(i);
  if (first === ZERO) return length === 1 ? 0 : undefined;
  if (first < ZERO + 1 || first > NINE) return undefined;
  // Up to 15 digits cannot leave the safe-integer range: accumulate in a double.
  if (length - i <= 15) {
    let value = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) return undefined;
      value = value * 10 + (c - ZERO);
    }
    return negative ? -value : value;
  }
  for (let j = i; j < length; j++) {
    const c = text.charCodeAt(j);
    if (c < ZERO || c > NINE) return undefined;
  }
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  return normalize(big);
}

/** Like {@link parseInt64} but returns a JS number, or undefined if it is not exactly representable. */
export function parseSafeInteger(text: string): number | undefined {
  const value = parseInt64(text);
  return typeof value === 'number' ? value : undefined;
}

/** A bigint that fits in a safe integer becomes a number, so equal values have one representation. */
export function normalize(value: bigint): Int64 {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** a + b in int64, or undefined on overflow (Redis: "increment or decrement would overflow"). */
export function addInt64(a: Int64, b: Int64): Int64 | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(a) + BigInt(b);
  if (sum < INT64_MIN || sum > INT64_MAX) return undefined;
  return normalize(sum);
}

/** Decimal text of an int64 (what Redis stores for an integer-encoded string). */
export function int64ToString(value: Int64): string {
  return typeof value === 'number' ? String(value) : value.toString();
}

const FLOAT_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT_HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const FLOAT_INF = /^[+-]?inf(?:inity)?$/i;

/**
 * Parses a double as redis-server's string2d does (strtod, then: no leading space, the whole string
 * consumed, no overflow to infinity, no underflow to zero, no NaN). Accepts "inf", "-inf",
 * "+infinity" (any case), decimal and hexadecimal forms. Returns undefined otherwise.
 */
export function parseDouble(text: string): number | undefined {
  if (text.length === 0) return undefined;
  if (FLOAT_DECIMAL.test(text)) {
    const value = Number(text);
    if (!Number.isFinite(value)) return undefined; // ERANGE overflow
    if (value === 0 && /[1-9]/.test(mantissaOf(text))) return undefined; // ERANGE underflow
    return value;
  }
  if (FLOAT_INF.test(text)) return text.charCodeAt(0) === MINUS ? -Infinity : Infinity;
  const hex = FLOAT_HEX.exec(text);
  if (hex) {
    const [, sign, whole = '', fraction = '', exponent = '0'] = hex;
    if (whole.length + fraction.length === 0) return undefined;
    let value = 0;
    for (const digit of whole + fraction) value = value * 16 + parseInt(digit, 16);
    value *= 2 ** (Number(exponent) - 4 * fraction.length);
    if (!Number.isFinite(value)) return undefined;
    return sign === '-' ? -value : value;
  }
  return undefined;
}

function mantissaOf(text: string): string {
  const e = text.search(/[eE]/);
  return e < 0 ? text : text.slice(0, e);
}

/** Parses a timeout/score style double and also requires it to be finite. */
export function parseFiniteDouble(text: string): number | undefined {
  const value = parseDouble(text);
  return value === undefined || !Number.isFinite(value) ? undefined : value;
}
