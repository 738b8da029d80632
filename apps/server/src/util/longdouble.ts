/**
 * INCRBYFLOAT's arithmetic, exactly as redis-server does it on x86-64: the stored string and the
 * increment are parsed with strtold into an 80-bit x87 long double (64-bit significand), added
 * with one rounding, and printed with "%.17Lf" minus trailing zeros (util.c ld2string, human mode).
 * JS has no long double, so the values are exact binary fractions in BigInt, rounded to 64
 * significant bits (ties to even) as the hardware rounds them. `0.1 + 0.2` is "0.3" here, as in Redis.
 */

/** value = (negative ? -1 : 1) * significand * 2^exponent, significand < 2^64; or an infinity. */
interface LongDouble {
  readonly negative: boolean;
  readonly significand: bigint;
  readonly exponent: number;
  readonly infinite: boolean;
}

const SIGNIFICAND_BITS = 64;
/** Largest finite value: (2^64 - 1) * 2^(16383 - 63). */
const MAX_EXPONENT = 16383 - 63;
/** Smallest subnormal quantum: 2^-16445. */
const MIN_EXPONENT = -16445;
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds num/den * 2^shift (num, den > 0) to the nearest long double, ties to even.
 * Returns undefined on overflow (strtold: ERANGE with HUGE_VALL) and a zero significand on underflow.
 */
function round(num: bigint, den: bigint, shift: number, negative: boolean): LongDouble | undefined {
  // choose e so that num/den * 2^shift / 2^e lies in [2^63, 2^64)
  let e = bitLength(num) - bitLength(den) + shift - SIGNIFICAND_BITS;
  for (;;) {
    const q = quotient(num, den, shift - e);
    if (q < TWO_63 && e > MIN_EXPONENT) e--;
    else if (q >= TWO_64) e++;
    else break;
  }
  if (e < MIN_EXPONENT) e = MIN_EXPONENT;
  // exact quotient and remainder at this exponent
  let numerator = num;
  let denominator = den;
  const s = shift - e;
  if (s >= 0) numerator <<= BigInt(s);
  else denominator <<= BigInt(-s);
  let significand = numerator / denominator;
  const remainder = numerator - significand * denominator;
  const twice = remainder * 2n;
  if (twice > denominator || (twice === denominator && (significand & 1n) === 1n)) significand++;
  if (significand === TWO_64) {
    significand = TWO_63;
    e++;
  }
  if (e > MAX_EXPONENT) return undefined;
  return { negative, significand, exponent: e, infinite: false };
}

function quotient(num: bigint, den: bigint, s: number): bigint {
  return s >= 0 ? (num << BigInt(s)) / den : num / (den << BigInt(-s));
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * strtold + redis-server's string2ld checks: the whole string, no leading space, no NaN, no
 * overflow, no underflow to zero. Returns undefined when redis-server would say "not a valid float".
 */
export function parseLongDouble(text: string): LongDouble | undefined {
  if (text.length === 0 || text.length >= 5 * 1024) return undefined;
  const inf = INFINITY.exec(text);
  if (inf) return { negative: inf[1] === '-', significand: 0n, exponent: 0, infinite: true };
  const hex = HEX.exec(text);
  if (hex) {
    const [, sign, whole = '', fraction = '', exponent = '0'] = hex;
    if (whole.length + fraction.length === 0) return undefined;
    const digits = BigInt(`0x${whole}${fraction}` === '0x' ? '0' : `0x${whole}${fraction}`);
    return fromRational(sign === '-', digits, 1n, Number(exponent) - 4 * fraction.length, text);
  }
  const decimal = DECIMAL.exec(text);
  if (!decimal) return undefined;
  const [, sign, whole = '', fraction = '', exponentText] = decimal;
  if (whole.length + fraction.length === 0) return undefined;
  const negative = sign === '-';
  const digits = BigInt((whole + fraction).replace(/^0+(?=\d)/, '') || '0');
  if (digits === 0n) return { negative, significand: 0n, exponent: 0, infinite: false };
  let exponent = (exponentText === undefined ? 0 : Number(exponentText)) - fraction.length;
  // Magnitude guard before building huge powers of ten: ~4933 decimal digits is the long double range.
  const magnitude = digits.toString().length + exponent;
  if (magnitude > 4940) return undefined; // overflow
  if (magnitude < -4960) return undefined; // underflow to zero
  if (!Number.isFinite(exponent)) return undefined;
  exponent = Math.trunc(exponent);
  return exponent >= 0
    ? fromRational(negative, digits * 10n ** BigInt(exponent), 1n, 0, text)
    : fromRational(negative, digits, 10n ** BigInt(-exponent), 0, text);
}

function fromRational(
  negative: boolean,
  num: bigint,
  den: bigint,
  shift: number,
  _text: string,
): LongDouble | undefined {
  if (num === 0n) return { negative, significand: 0n, exponent: 0, infinite: false };
  const value = round(num, den, shift, negative);
  if (!value || value.significand === 0n) return undefined;
  return value;
}

/** a + b with one rounding; undefined for an infinite or NaN result. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.infinite || b.infinite) return undefined; // inf, or inf - inf = NaN: both refused by INCRBYFLOAT
  if (a.significand === 0n)
    return b.significand === 0n ? { ...a, negative: a.negative && b.negative } : b;
  if (b.significand === 0n) return a;
  const low = Math.min(a.exponent, b.exponent);
  const sa = (a.negative ? -a.significand : a.significand) << BigInt(a.exponent - low);
  const sb = (b.negative ? -b.significand : b.significand) << BigInt(b.exponent - low);
  const sum = sa + sb;
  if (sum === 0n) return { negative: false, significand: 0n, exponent: 0, infinite: false };
  const negative = sum < 0n;
  return round(negative ? -sum : sum, 1n, low, negative);
}

/** "%.17Lf" then trailing zeros (and a trailing dot) removed; "-0" becomes "0" (ld2string). */
export function formatLongDouble(value: LongDouble): string {
  if (value.infinite) return value.negative ? '-inf' : 'inf';
  // N = round(|value| * 10^17), ties to even, as glibc printf rounds the exact binary value
  let num = value.significand * 10n ** 17n;
  let den = 1n;
  if (value.exponent >= 0) num <<= BigInt(value.exponent);
  else den <<= BigInt(-value.exponent);
  let n = num / den;
  const twice = (num - n * den) * 2n;
  if (twice > den || (twice === den && (n & 1n) === 1n)) n++;
  let digits = n.toString().padStart(18, '0');
  digits = `${digits.slice(0, -17)}.${digits.slice(-17)}`.replace(/0+$/, '').replace(/\.$/, '');
  const text = value.negative ? `-${digits}` : digits;
  return text === '-0' ? '0' : text;
}
