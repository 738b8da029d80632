/**
 * An independent, slow, exact `%.17g`: BigInt arithmetic on the exact binary value, rounding
 * half to even as glibc does. The oracle for formatDouble's property test.
 */
export function referenceG17(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0`;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  // |x| = numerator / denominator exactly
  const numerator = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa;
  const denominator = exponent >= 0 ? 1n : 1n << BigInt(-exponent);
  // decimal exponent X: 10^X <= |x| < 10^(X+1)
  let X = Math.floor(Math.log10(Math.abs(x)));
  const atLeast = (e: number) =>
    e >= 0
      ? numerator >= 10n ** BigInt(e) * denominator
      : numerator * 10n ** BigInt(-e) >= denominator;
  while (!atLeast(X)) X--;
  while (atLeast(X + 1)) X++;
  // R = round_half_even(|x| * 10^(16 - X))
  const scale = 16 - X;
  let top = numerator;
  let bottom = denominator;
  if (scale >= 0) top *= 10n ** BigInt(scale);
  else bottom *= 10n ** BigInt(-scale);
  let R = top / bottom;
  const remainder = top - R * bottom;
  if (remainder * 2n > bottom || (remainder * 2n === bottom && R % 2n === 1n)) R += 1n;
  if (R === 10n ** 17n) {
    R = 10n ** 16n;
    X += 1;
  }
  const digits = R.toString();
  const trim = (text: string) => text.replace(/0+$/, '');
  if (X < -4 || X >= 17) {
    const fraction = trim(digits.slice(1));
    const e = Math.abs(X).toString().padStart(2, '0');
    return `${sign}${digits[0]}${fraction ? '.' + fraction : ''}e${X < 0 ? '-' : '+'}${e}`;
  }
  if (X >= 0) {
    const fraction = trim(digits.slice(X + 1));
    return `${sign}${digits.slice(0, X + 1)}${fraction ? '.' + fraction : ''}`;
  }
  return `${sign}0.${'0'.repeat(-X - 1)}${trim(digits)}`;
}
