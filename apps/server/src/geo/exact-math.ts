/**
 * Correctly rounded sin, cos and asin, for the distances byor prints with all 17 digits (GEODIST,
 * STOREDIST scores).
 *
 * Why: redis-server calls glibc's libm, V8's Math.sin/cos/asin are fdlibm ports. Both are within
 * one ulp, but they disagree in the last bit for 1-3% of arguments, which shows in the 17th digit
 * of a stored distance. glibc's results are the correctly rounded ones for all but about 0.1% of
 * arguments, so computing the correctly rounded value brings byor's doubles to glibc's ten to
 * twenty times more often than Math does. (Matching glibc bit for bit everywhere would take a port
 * of its IBM tables and of the FMA contractions its x86-64 build makes.)
 *
 * How: double-double arithmetic (about 106 bits): the argument reduced by a three-part pi/2,
 * Taylor series, and for asin one Newton step from Math.asin; the double-double result rounded
 * once to a double. About 1-2 microseconds per call: for replies, not for the search loop (which
 * keeps Math and its last-bit differences, invisible at 4 decimals).
 */

/** A double-double: hi + lo with |lo| <= ulp(hi) / 2. */
type DD = readonly [hi: number, lo: number];

const SPLITTER = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(a: DD, b: DD): DD {
  const s = twoSum(a[0], b[0]);
  const t = twoSum(a[1], b[1]);
  let hi = s[0];
  let lo = s[1] + t[0];
  [hi, lo] = quickTwoSum(hi, lo);
  lo += t[1];
  return quickTwoSum(hi, lo);
}

function mul(a: DD, b: DD): DD {
  const p = twoProd(a[0], b[0]);
  return quickTwoSum(p[0], p[1] + (a[0] * b[1] + a[1] * b[0]));
}

function divByNumber(a: DD, b: number): DD {
  const q1 = a[0] / b;
  const p = twoProd(q1, b);
  const r = add(a, [-p[0], -p[1]]);
  return quickTwoSum(q1, r[0] / b);
}

function negate(a: DD): DD {
  return [-a[0], -a[1]];
}

/** pi/2 in three doubles (the qd library's constants). */
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** 1/n! as double-doubles, n = 0..31. */
const INVERSE_FACTORIAL: DD[] = [];
{
  let value: DD = [1, 0];
  INVERSE_FACTORIAL.push(value);
  for (let n = 1; n < 32; n++) {
    value = divByNumber(value, n);
    INVERSE_FACTORIAL.push(value);
  }
}

/** sin(r) and cos(r) for |r| <= pi/4 (a little more is fine), by Taylor series. */
function sinTaylor(r: DD): DD {
  const r2 = mul(r, r);
  let power = r; // r^(2i+1)
  let sum: DD = r;
  for (let i = 1; i < 15; i++) {
    power = mul(power, r2);
    const term = mul(power, INVERSE_FACTORIAL[2 * i + 1] as DD);
    sum = add(sum, i % 2 === 1 ? negate(term) : term);
  }
  return sum;
}

function cosTaylor(r: DD): DD {
  const r2 = mul(r, r);
  let power: DD = [1, 0]; // r^(2i)
  let sum: DD = [1, 0];
  for (let i = 1; i < 16; i++) {
    power = mul(power, r2);
    const term = mul(power, INVERSE_FACTORIAL[2 * i] as DD);
    sum = add(sum, i % 2 === 1 ? negate(term) : term);
  }
  return sum;
}

/** x - k * pi/2 in double-double, and k, for |x| up to a few times pi. */
function reduce(x: number): [DD, number] {
  const k = Math.round(x / PIO2_1);
  if (k === 0) return [[x, 0], 0];
  let r = twoSum(x, -k * PIO2_1); // k * PIO2_1 is exact for small k
  r = add(r, twoProd(-k, PIO2_2));
  r = add(r, [-k * PIO2_3, 0]);
  return [r, k];
}

/** Past this, reduction by a three-part pi/2 loses accuracy: fall back to Math. */
const REDUCTION_LIMIT = 1e5;

/**
 * sin(x) correctly rounded (up to ties and cases within 2^-100 of one). O(1), about 1 µs.
 *
 * @example
 * exactSin(0.5); // 0.479425538604203
 */
export function exactSin(x: number): number {
  if (!(Math.abs(x) < REDUCTION_LIMIT) || x === 0) return Math.sin(x);
  const [r, k] = reduce(x);
  const quadrant = ((k % 4) + 4) % 4;
  const value =
    quadrant === 0
      ? sinTaylor(r)
      : quadrant === 1
        ? cosTaylor(r)
        : quadrant === 2
          ? negate(sinTaylor(r))
          : negate(cosTaylor(r));
  return value[0] + value[1];
}

/**
 * cos(x) correctly rounded (up to ties and cases within 2^-100 of one). O(1), about 1 µs.
 *
 * @example
 * exactCos(1); // 0.5403023058681398
 */
export function exactCos(x: number): number {
  if (!(Math.abs(x) < REDUCTION_LIMIT)) return Math.cos(x);
  const [r, k] = reduce(x);
  const quadrant = ((k % 4) + 4) % 4;
  const value =
    quadrant === 0
      ? cosTaylor(r)
      : quadrant === 1
        ? negate(sinTaylor(r))
        : quadrant === 2
          ? negate(cosTaylor(r))
          : sinTaylor(r);
  return value[0] + value[1];
}

/**
 * asin(x) correctly rounded for x in [-1, 1] (up to ties and cases within 2^-100 of one): one
 * Newton step on sin(y) = x from Math.asin, in double-double. O(1), about 2 µs.
 *
 * @example
 * exactAsin(0.5); // 0.5235987755982989
 */
export function exactAsin(x: number): number {
  const y0 = Math.asin(x);
  if (!Number.isFinite(y0) || x === 0 || Math.abs(x) === 1) return y0;
  const [r, k] = reduce(y0);
  const quadrant = ((k % 4) + 4) % 4;
  // sin(y0) and cos(y0), y0 within [-pi/2, pi/2]: quadrants 0, 1 and 3 only
  const sine = quadrant === 0 ? sinTaylor(r) : quadrant === 1 ? cosTaylor(r) : negate(cosTaylor(r));
  const cosine =
    quadrant === 0 ? cosTaylor(r) : quadrant === 1 ? negate(sinTaylor(r)) : sinTaylor(r);
  const residual = add([x, 0], negate(sine));
  const step = (residual[0] + residual[1]) / (cosine[0] + cosine[1]);
  const y = twoSum(y0, step);
  return y[0] + y[1];
}
