/**
 * redis-server 7.0's double replies: `snprintf("%.17g")` (networking.c addReplyDouble), with
 * "inf" and "-inf" written out.
 *
 * `%.17g` is 17 significant digits rounded half-to-even on the exact binary value (glibc), then
 * trailing zeros removed; fixed notation when the decimal exponent X is in [-4, 17), else
 * `d.ddde+XX` with at least two exponent digits.
 *
 * JavaScript's `toExponential(16)` gives the same 17 digits except on exact ties, which it rounds
 * up (half away from zero): 2000000000000000.25 is "2.0000000000000003e+15" there and
 * "2000000000000000.2" in C. Ties are rare (the exact value must have exactly 18 significant
 * digits ending in 5), so they are confirmed with BigInt arithmetic only when the 18-digit
 * rounding ends in 5.
 */

/**
 * Formats a double as redis-server 7.0 replies it (ZSCORE, ZINCRBY, GEODIST...): C's `%.17g`,
 * and "inf", "-inf", "nan". O(1).
 *
 * @example
 * ```ts
 * formatDouble(1.1);      // "1.1000000000000001"
 * formatDouble(3);        // "3"
 * formatDouble(1e20);     // "1e+20"
 * formatDouble(-Infinity) // "-inf"
 * ```
 */
export function formatDouble(x: number): string {
  if (Number.isSafeInteger(x)) return x === 0 && 1 / x < 0 ? '-0' : String(x);
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return formatSignificant(x);
}

function formatSignificant(x: number): string {
  let exponential = x.toExponential(16); // [-]d.dddddddddddddddde[+-]X
  const ePosition = exponential.indexOf('e');
  const lastDigit = exponential.charCodeAt(ePosition - 1) - 48;
  if (lastDigit % 2 === 1 && isExactTie(x)) {
    // JavaScript rounded a tie up to an odd digit; C rounds it to the even one below (no borrow:
    // the digit is odd, so at least 1).
    exponential =
      exponential.slice(0, ePosition - 1) +
      String.fromCharCode(48 + lastDigit - 1) +
      exponential.slice(ePosition);
  }
  const negative = exponential.charCodeAt(0) === 45;
  const mantissaStart = negative ? 1 : 0;
  // digits: the 17 significant digits without the point
  const digits =
    exponential.slice(mantissaStart, mantissaStart + 1) +
    exponential.slice(mantissaStart + 2, ePosition);
  const exponent = Number(exponential.slice(ePosition + 1));
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 17) {
    const fraction = trimZeros(digits.slice(1));
    const magnitude = Math.abs(exponent);
    return `${sign}${digits[0]}${fraction === '' ? '' : '.' + fraction}e${exponent < 0 ? '-' : '+'}${
      magnitude < 10 ? '0' : ''
    }${magnitude}`;
  }
  if (exponent >= 0) {
    const fraction = trimZeros(digits.slice(exponent + 1));
    return `${sign}${digits.slice(0, exponent + 1)}${fraction === '' ? '' : '.' + fraction}`;
  }
  return `${sign}0.${'0'.repeat(-exponent - 1)}${trimZeros(digits)}`;
}

function trimZeros(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 48) end--;
  return text.slice(0, end);
}

const float64 = new DataView(new ArrayBuffer(8));

/**
 * True when |x| lies exactly half-way between two 17-significant-digit decimals, that is when
 * its exact decimal expansion has 18 significant digits, the last a 5.
 */
function isExactTie(x: number): boolean {
  const eighteen = x.toExponential(17);
  const ePosition = eighteen.indexOf('e');
  if (eighteen.charCodeAt(ePosition - 1) !== 53 /* 5 */) return false;
  // exact value of x: mantissa * 2^binaryExponent
  float64.setFloat64(0, Math.abs(x)); // big-endian: the high word first
  const high = float64.getUint32(0);
  const low = float64.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let binaryExponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    binaryExponent = biased - 1075;
  }
  // candidate decimal: D * 10^decimalExponent with D the 18 digits
  const negative = eighteen.charCodeAt(0) === 45;
  const mantissaStart = negative ? 1 : 0;
  const decimalDigits = BigInt(
    eighteen.slice(mantissaStart, mantissaStart + 1) + eighteen.slice(mantissaStart + 2, ePosition),
  );
  const decimalExponent = Number(eighteen.slice(ePosition + 1)) - 17;
  // compare mantissa * 2^b with D * 10^d as integers: move negative powers to the other side
  let left = mantissa;
  let right = decimalDigits;
  if (binaryExponent >= 0) left <<= BigInt(binaryExponent);
  else right <<= BigInt(-binaryExponent);
  if (decimalExponent >= 0) right *= 10n ** BigInt(decimalExponent);
  else left *= 10n ** BigInt(-decimalExponent);
  return left === right;
}
