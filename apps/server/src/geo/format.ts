/**
 * Number formatting of geo replies and errors, as glibc's printf writes it: `%.4f` for distances
 * (addReplyDoubleDistance), `%f` in "invalid longitude,latitude pair" errors, and `%.17Lf` with
 * trailing zeros removed for coordinates (addReplyHumanLongDouble, ld2string LD_STR_HUMAN).
 * printf rounds the exact binary value, ties to even; Number.prototype.toFixed rounds ties away
 * from zero and switches to exponent notation from 1e21, so both cases are handled here.
 */

/**
 * C's `%.{digits}f` of a double: the exact value rounded to `digits` decimals (ties to even),
 * "-0.0000" for negative zero, "inf", "-inf" and "-nan" for the special values. O(digits), or
 * O(magnitude digits) above 1e21.
 *
 * @example
 * formatFixed(0.03125, 4); // "0.0312" (toFixed gives "0.0313")
 * formatFixed(200, 6); // "200.000000"
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x)) return '-nan';
    return x > 0 ? 'inf' : '-inf';
  }
  const negative = x < 0 || Object.is(x, -0);
  const magnitude = Math.abs(x);
  let text: string;
  if (magnitude >= 1e21) {
    // an integer: its exact decimal expansion
    text = BigInt(magnitude).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  } else if (isTie(magnitude, digits)) {
    // magnitude = m / 2^(digits+1) with m odd: the dropped digit is exactly 5
    const m = BigInt(magnitude * 2 ** (digits + 1));
    const twice = m * 5n ** BigInt(digits); // 2 * magnitude * 10^digits, odd
    let units = twice / 2n;
    if (units % 2n === 1n) units += 1n;
    const body = units.toString().padStart(digits + 1, '0');
    text = digits > 0 ? body.slice(0, -digits) + '.' + body.slice(-digits) : body;
  } else {
    text = magnitude.toFixed(digits);
  }
  return negative ? '-' + text : text;
}

/** True when the exact value lies halfway between two multiples of 10^-digits. */
function isTie(magnitude: number, digits: number): boolean {
  // halfway means 2 * magnitude * 10^digits is an odd integer: magnitude = odd / (2^(digits+1)
  // * 5^digits), and a double is dyadic, so magnitude * 2^(digits+1) is itself an odd integer
  // (scaling by a power of two is exact)
  return (
    Number.isInteger(magnitude * 2 ** (digits + 1)) && !Number.isInteger(magnitude * 2 ** digits)
  );
}

/**
 * ld2string(LD_STR_HUMAN) of a double promoted to long double: `%.17Lf`, trailing zeros and a
 * trailing dot removed, "-0" printed as "0". What GEOPOS and WITHCOORD print. O(1).
 *
 * @example
 * humanLongDouble(13.361389338970184); // "13.36138933897018433"
 * humanLongDouble(180); // "180"
 */
export function humanLongDouble(x: number): string {
  let text = formatFixed(x, 17);
  if (text.includes('.')) {
    let end = text.length;
    while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
    if (text.charCodeAt(end - 1) === 46 /* . */) end--;
    text = text.slice(0, end);
  }
  return text === '-0' ? '0' : text;
}
