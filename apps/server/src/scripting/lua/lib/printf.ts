import { formatG, isNegativeNaN, toExponentialC, toFixedC } from '../value.js';

/** One conversion of a C format string: %[flags][width][.precision]conversion. */
export interface FormatSpec {
  flags: string;
  width: number;
  /** -1 when absent */
  precision: number;
  conversion: string;
}

function pad(body: string, sign: string, spec: FormatSpec, zeroAllowed: boolean): string {
  const total = sign.length + body.length;
  if (total >= spec.width) return sign + body;
  const fill = spec.width - total;
  if (spec.flags.includes('-')) return sign + body + ' '.repeat(fill);
  if (zeroAllowed && spec.flags.includes('0')) return sign + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + sign + body;
}

/** %d %i: a 64-bit signed integer (the C cast truncates the double toward zero). */
export function formatSigned(value: bigint, spec: FormatSpec): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (spec.precision >= 0) {
    if (spec.precision === 0 && value === 0n) digits = '';
    digits = digits.padStart(spec.precision, '0');
  }
  const sign = negative
    ? '-'
    : spec.flags.includes('+')
      ? '+'
      : spec.flags.includes(' ')
        ? ' '
        : '';
  return pad(digits, sign, spec, spec.precision < 0);
}

/** %u %o %x %X: a 64-bit unsigned integer. */
export function formatUnsigned(value: bigint, spec: FormatSpec): string {
  const unsigned = BigInt.asUintN(64, value);
  const radix = spec.conversion === 'o' ? 8 : spec.conversion === 'u' ? 10 : 16;
  let digits = unsigned.toString(radix);
  if (spec.conversion === 'X') digits = digits.toUpperCase();
  if (spec.precision >= 0) {
    if (spec.precision === 0 && unsigned === 0n) digits = '';
    digits = digits.padStart(spec.precision, '0');
  }
  let prefix = '';
  if (spec.flags.includes('#')) {
    if (spec.conversion === 'o' && !digits.startsWith('0')) digits = '0' + digits;
    else if (spec.conversion === 'x' && unsigned !== 0n) prefix = '0x';
    else if (spec.conversion === 'X' && unsigned !== 0n) prefix = '0X';
  }
  return pad(digits, prefix, spec, spec.precision < 0);
}

/** Fixed notation with `digits` decimals for any magnitude (toFixed switches to exponents at 1e21). */
function toFixed(x: number, digits: number): string {
  if (Math.abs(x) < 1e21) return digits <= 100 ? toFixedC(x, digits) : x.toFixed(100);
  const whole = BigInt(x).toString();
  return digits > 0 ? `${whole}.${'0'.repeat(digits)}` : whole;
}

/** %e %E %f %F %g %G of a double, as glibc prints them. */
export function formatFloat(x: number, spec: FormatSpec): string {
  const conversion = spec.conversion;
  const upper = conversion === 'E' || conversion === 'G' || conversion === 'F';
  const negative = x < 0 || Object.is(x, -0) || isNegativeNaN(x);
  const sign = negative
    ? '-'
    : spec.flags.includes('+')
      ? '+'
      : spec.flags.includes(' ')
        ? ' '
        : '';
  const magnitude = Math.abs(x);
  if (!Number.isFinite(x)) {
    const text = Number.isNaN(x) ? 'nan' : 'inf';
    return pad(upper ? text.toUpperCase() : text, sign, spec, false);
  }
  const precision = spec.precision < 0 ? 6 : spec.precision;
  const alternate = spec.flags.includes('#');
  let body: string;
  switch (conversion) {
    case 'f':
    case 'F':
      body = toFixed(magnitude, precision);
      if (alternate && precision === 0) body += '.';
      break;
    case 'e':
    case 'E': {
      const text = toExponentialC(magnitude, Math.min(precision, 100));
      const at = text.indexOf('e');
      let mantissa = text.slice(0, at);
      if (alternate && precision === 0) mantissa += '.';
      const exponent = Number(text.slice(at + 1));
      body = `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
      if (upper) body = body.toUpperCase();
      break;
    }
    default:
      body = formatG(magnitude, precision, alternate, upper);
  }
  return pad(body, sign, spec, true);
}
