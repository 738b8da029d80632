import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDouble } from '../src/index.js';
import { referenceG17 } from './support/reference-g17.js';

describe('formatDouble', () => {
  // expected values checked with ZADD/ZSCORE on redis-server 7.0.15 (skiplist encoding)
  const table: [number, string][] = [
    [1.1, '1.1000000000000001'],
    [3, '3'],
    [-3, '-3'],
    [0, '0'],
    [-0, '-0'],
    [1e20, '1e+20'],
    [1e17, '1e+17'],
    [1e16, '10000000000000000'],
    [Number('123456789012345678'), '1.2345678901234568e+17'],
    [0.0001, '0.0001'],
    [1e-5, '1.0000000000000001e-05'],
    [0.1, '0.10000000000000001'],
    [1 / 3, '0.33333333333333331'],
    [3.141, '3.141'],
    [1.5, '1.5'],
    [-2.5e-300, '-2.5e-300'],
    [-9.9998886718268301e-321, '-9.9998886718268301e-321'],
    [5e-324, '4.9406564584124654e-324'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [2 ** 53, '9007199254740992'],
    [2 ** 53 + 2, '9007199254740994'],
    [2 ** 60, '1.152921504606847e+18'],
    [2 ** 56, '72057594037927936'],
    [2 ** 64, '1.8446744073709552e+19'],
    [Number('99999999999999999'), '1e+17'],
    // exact ties: C rounds half to even, toExponential rounds half up
    [2000000000000000.25, '2000000000000000.2'],
    [2000000000000000.75, '2000000000000000.8'],
    [-2000000000000000.25, '-2000000000000000.2'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ];
  for (const [x, expected] of table) {
    it(`${String(x)} -> ${expected}`, () => expect(formatDouble(x)).toBe(expected));
  }

  it('agrees with an exact BigInt %.17g on any double', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(formatDouble(x)).toBe(referenceG17(x));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on ties: values with 18 significant digits ending in 5', () => {
    // m / 4 with m odd around 2^53 has a .25/.75 fraction and 18 significant digits
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 50, max: 2 ** 53 - 1 }), (m) => {
        const x = (m * 2 + 1) / 4;
        expect(formatDouble(x)).toBe(referenceG17(x));
        expect(formatDouble(-x)).toBe(referenceG17(-x));
      }),
      { numRuns: 2000 },
    );
  });
});
