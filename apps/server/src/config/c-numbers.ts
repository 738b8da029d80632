/**
 * The C number readers redis-server parses configuration values with, ported to exact 64-bit
 * arithmetic (BigInt) so that edge values read, wrap and saturate as they do there.
 */

export const ULLONG = 2n ** 64n;
export const LLONG_MAX = 2n ** 63n - 1n;
const LLONG_MIN = -(2n ** 63n);

/** string2ll: an optional minus, digits without a leading zero ("0" alone), in long long range. */
export function string2ll(text: string): bigint | undefined {
  if (!/^(0|-?[1-9]\d*)$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < LLONG_MIN || value > LLONG_MAX ? undefined : value;
}

const MEMORY_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/**
 * util.c's memtoull: digits (strtoull's, saturating; none reads as 0) and a unit (b, k, kb, m,
 * mb, g, gb, any case), their product wrapping as an unsigned long long does. Undefined where
 * redis-server reports an error (a sign, a fraction, another unit, 128 digits or more).
 */
export function memtoull(text: string): bigint | undefined {
  const match = /^(\d*)(.*)$/s.exec(text);
  if (text.startsWith('-') || !match) return undefined;
  const [, digits = '', unit = ''] = match;
  const multiplier = MEMORY_UNITS[unit.toLowerCase()];
  if (multiplier === undefined || digits.length >= 128) return undefined;
  const value = digits === '' ? 0n : BigInt(digits);
  return ((value < ULLONG ? value : ULLONG - 1n) * multiplier) % ULLONG;
}

/** An unsigned long long read as a long long (past LLONG_MAX: negative), as C's cast does. */
export function asLongLong(value: bigint): bigint {
  return value > LLONG_MAX ? value - ULLONG : value;
}

const STRTOLL = {
  8: /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/,
  10: /^[ \t\n\v\f\r]*([+-]?)(\d+)$/,
} as const;

/**
 * strtoll(text, &end, base) where the whole text must be read (`*end == '\0'`): leading white
 * space, a sign, digits, saturating at the long long bounds; an empty text is 0, as there.
 * Undefined for anything else.
 */
export function strtollWhole(text: string, base: 8 | 10): bigint | undefined {
  if (text === '') return 0n;
  const match = STRTOLL[base].exec(text);
  if (!match) return undefined;
  const digits = BigInt(`${base === 8 ? '0o' : ''}${match[2] ?? '0'}`);
  const value = match[1] === '-' ? -digits : digits;
  return value > LLONG_MAX ? LLONG_MAX : value < LLONG_MIN ? LLONG_MIN : value;
}

/** A long long stored into a C int: its low 32 bits, signed. */
export function asInt(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}
