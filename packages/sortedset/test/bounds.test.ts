import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLexBound, parseScore, parseScoreBound } from '../src/index.js';

// Expected values were read from redis-server 7.0.15 (ZADD z <text> m / ZCOUNT z <text> +inf).
describe('parseScore (ZADD, ZINCRBY)', () => {
  const cases: [string, number | undefined][] = [
    ['1', 1],
    ['-1.5', -1.5],
    ['+2', 2],
    ['.5', 0.5],
    ['5.', 5],
    ['-0', -0],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['0x10', 16],
    ['0x1p4', 16],
    ['0x1.8', 1.5],
    ['-0X.8p1', -1],
    ['inf', Infinity],
    ['-INF', -Infinity],
    ['+Infinity', Infinity],
    ['infinity', Infinity],
    ['1e-310', 1e-310],
    ['0e-400', 0],
    ['9007199254740993', 9007199254740992],
    ['0x1.p1', 2],
    ['0x1P+2', 4],
    ['0x1p-1075', undefined],
    ['0x1p1024', undefined],
    ['0x.p1', undefined],
    ['.', undefined],
    ['.e1', undefined],
    ['-', undefined],
    ['', undefined],
    [' 1', undefined],
    ['\t1', undefined],
    ['1 ', undefined],
    ['  ', undefined],
    ['0x', undefined],
    ['infinit', undefined],
    ['nan', undefined],
    ['NaN', undefined],
    ['-nan', undefined],
    ['1e400', undefined],
    ['-1e400', undefined],
    ['1e-400', undefined],
    ['1e', undefined],
    ['1e+', undefined],
    ['1_0', undefined],
    ['0b1', undefined],
    ['1\u0000', undefined],
    ['abc', undefined],
    ['(1', undefined],
  ];
  it.each(cases)('parseScore(%j) is %s', (text, expected) => {
    expect(parseScore(text)).toBe(expected);
  });
});

describe('parseScoreBound (ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE)', () => {
  const cases: [string, number | undefined, boolean?][] = [
    ['5', 5, false],
    ['(1.5', 1.5, true],
    ['-inf', -Infinity, false],
    ['+inf', Infinity, false],
    ['(+inf', Infinity, true],
    ['(-inf', -Infinity, true],
    ['infinity', Infinity, false],
    ['-INF', -Infinity, false],
    ['0x10', 16, false],
    ['1e400', Infinity, false],
    ['(1e400', Infinity, true],
    ['-1e400', -Infinity, false],
    ['1e-400', 0, false],
    ['0x1p1024', Infinity, false],
    ['0x1.p1', 2, false],
    ['-0X.8p1', -1, false],
    // C's strtod: leading whitespace is skipped, an empty number is 0, a NUL byte ends the string
    ['', 0, false],
    ['(', 0, true],
    [' 1', 1, false],
    ['( 1', 1, true],
    ['1\u0000zz', 1, false],
    ['1 ', undefined],
    ['nan', undefined],
    ['(nan', undefined],
    ['1_0', undefined],
    ['0b1', undefined],
    ['1e', undefined],
    ['((1', undefined],
    [' (1', undefined],
    ['[1', undefined],
    ['  ', undefined],
    ['0x', undefined],
    ['0x.p1', undefined],
    ['.', undefined],
    ['-', undefined],
    ['+', undefined],
    ['1e+', undefined],
  ];
  it.each(cases)('parseScoreBound(%j)', (text, value, exclusive) => {
    const bound = parseScoreBound(text);
    if (value === undefined) expect(bound).toBeUndefined();
    else expect(bound).toEqual({ value, exclusive });
  });

  it('decimal scores of any length parse as correctly rounded numbers, sign of zero kept', () => {
    const digits = (min: number, max: number) =>
      fc
        .array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max })
        .map((d) => d.join(''));
    const text = fc
      .tuple(
        fc.constantFrom('', '+', '-'),
        fc.oneof(digits(1, 8), digits(14, 22)),
        fc.option(digits(0, 6)),
        fc.option(fc.integer({ min: -30, max: 30 })),
      )
      .map(
        ([sign, whole, fraction, exponent]) =>
          `${sign}${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : `e${exponent}`}`,
      );
    fc.assert(
      fc.property(text, (score) => {
        expect(Object.is(parseScore(score), Number(score))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the sign of zero', () => {
    expect(Object.is(parseScoreBound('-0')?.value, -0)).toBe(true);
    expect(Object.is(parseScore('-0'), -0)).toBe(true);
  });
});

describe('parseLexBound (ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX)', () => {
  const cases: [string, ReturnType<typeof parseLexBound>][] = [
    ['-', '-'],
    ['+', '+'],
    ['+\u0000a', '+'],
    ['[a', { value: 'a', exclusive: false }],
    ['(a', { value: 'a', exclusive: true }],
    ['[', { value: '', exclusive: false }],
    ['(', { value: '', exclusive: true }],
    ['[-', { value: '-', exclusive: false }],
    ['((', { value: '(', exclusive: true }],
    ['[\u00ff\u0000', { value: '\u00ff\u0000', exclusive: false }],
    ['', undefined],
    ['a', undefined],
    ['-a', undefined],
    ['++', undefined],
    [' [a', undefined],
  ];
  it.each(cases)('parseLexBound(%j)', (text, expected) => {
    expect(parseLexBound(text)).toEqual(expected);
  });
});
