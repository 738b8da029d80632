/**
 * Redis's `string2ll` (util.c), the strict integer syntax of RESP lengths and counts.
 *
 * @internal
 */
import { MINUS, NINE, ZERO } from './bytes.js';

const LLONG_MAX_DIGITS = '9223372036854775807';
const LLONG_MIN_DIGITS = '9223372036854775808';

/**
 * Redis's `string2ll` over `bytes[start, end)`: an optional '-', then digits with no leading
 * zero ("0" itself is fine, "-0" is not), within the range of a signed 64-bit integer.
 * Returns NaN when invalid; values past 2^53 come back rounded, which every limit check allows.
 */
export function parseLongLong(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length <= 0) return Number.NaN;
  if (length === 1 && bytes[start] === ZERO) return 0;
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  const digits = end - i;
  if (digits === 0 || digits > 19) return Number.NaN;
  const first = bytes[i]!;
  if (first <= ZERO || first > NINE) return Number.NaN;
  let value = 0;
  for (let j = i; j < end; j++) {
    const digit = bytes[j]! - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  if (digits === 19) {
    const limit = negative ? LLONG_MIN_DIGITS : LLONG_MAX_DIGITS;
    for (let j = 0; j < 19; j++) {
      const digit = bytes[i + j]!;
      const max = limit.charCodeAt(j);
      if (digit < max) break;
      if (digit > max) return Number.NaN;
    }
  }
  return negative ? -value : value;
}
