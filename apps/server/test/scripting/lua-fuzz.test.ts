import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startPair, type Pair } from '../differential/harness.js';
import { RawClient } from '../helpers/raw-client.js';

/**
 * Random Lua expressions (arithmetic with coercions, concatenation, comparisons, and/or, string
 * and math functions, string.format) evaluated by byor and by redis-server's Lua 5.1: the
 * results, errors included, must be the same bytes.
 */

const number = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom(
    '0.1',
    '1e15',
    '1e14',
    '2^53',
    '1/3',
    '-0.5',
    '123456789012345',
    '3.14159',
    '1e-5',
    '2^63',
    '0/0',
    '1/0',
    '7.5',
  ),
);
const string = fc.constantFrom('"abc"', '"12"', '" 0x10 "', '"1e2"', '""', '"x y"', '"-3.5"');
const leaf = fc.oneof(
  { weight: 4, arbitrary: number },
  { weight: 2, arbitrary: string },
  { weight: 1, arbitrary: fc.constantFrom('nil', 'true', 'false') },
);

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(
        tie('expr'),
        fc.constantFrom(
          '+',
          '-',
          '*',
          '/',
          '%',
          '..',
          '==',
          '~=',
          '<',
          '<=',
          '>',
          '>=',
          'and',
          'or',
        ),
        tie('expr'),
      )
      .map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom('-', 'not ', '#'), tie('expr')).map(([op, a]) => `(${op}${a})`),
    fc
      .tuple(
        fc.constantFrom(
          'math.floor(%)',
          'math.ceil(%)',
          'math.abs(%)',
          'math.max(%, 3)',
          'math.fmod(%, 3)',
          'tostring(%)',
          'tonumber(%)',
          'string.format("%.3f", %)',
          'string.format("%d", %)',
          'string.format("%g", %)',
          'string.format("%5.1s|", %)',
          'string.format("%x", %)',
          'string.rep(%, 2)',
          'string.sub(%, 2)',
          'string.len(%)',
          'string.upper(%)',
          'select("#", %)',
        ),
        tie('expr'),
      )
      .map(([template, a]) => template.replace('%', a).replace('%)', `${a})`)),
  ),
}));

describe.skipIf(!redisAvailable)('Lua expressions, byor vs redis-server', () => {
  let pair: Pair;
  let a: RawClient;
  let b: RawClient;
  beforeAll(async () => {
    pair = await startPair();
    [a, b] = await Promise.all([
      RawClient.connect(pair.byor.port),
      RawClient.connect(pair.redis.port),
    ]);
  });
  afterAll(async () => {
    a.close();
    b.close();
    await pair.stop();
  });

  it.each([
    '2 ^ 10',
    '"2" ^ "3"',
    '2 ^ -1',
    '(-8) ^ (1/3)',
    '0 ^ 0',
    '0 ^ -1',
    '(-2) ^ 3',
    '2 ^ 0.5',
    '10 ^ 15',
    '2 ^ 1024',
    '"x" ^ 2',
    'nil ^ 2',
    '2 ^ 3 ^ 2',
    '-2 ^ 2',
  ])('evaluates %s as redis-server does', async (expression) => {
    const script = `local ok, v = pcall(function() return ${expression} end) return {tostring(ok), type(v), tostring(v)}`;
    const [x, y] = await Promise.all([a.call('EVAL', script, '0'), b.call('EVAL', script, '0')]);
    expect(x).toBe(y);
  });

  it('evaluates random expressions to the same values and errors', async () => {
    await fc.assert(
      fc.asyncProperty(expr, async (expression) => {
        // '^' is left out of the random operators: V8's Math.pow is not correctly rounded and
        // differs from glibc's pow in the last bit for about one input in ten thousand (the
        // table below checks its coercions and edge cases). Two known differences, both about
        // signs of nothing: byor prints every NaN as x86's
        // default "-nan" (V8 does not keep a NaN's sign bit through arrays), where Lua prints
        // "nan" after a negation or math.abs; and Lua 5.1's constant table merges a folded -0
        // into an earlier 0 constant of the same function (1/0 is not folded: its 0 is one), so
        // "x .. -0" may print "x0" there. Replies are compared with both signs dropped below;
        // string functions over such texts (string.len gives 4 or 3) are left out.
        fc.pre(
          !(
            expression.includes('string.') &&
            (expression.includes('0/0') || expression.includes('^'))
          ),
        );
        const script = `local ok, v = pcall(function() return ${expression} end) return {tostring(ok), type(v), tostring(v)}`;
        const [x, y] = await Promise.all([
          a.call('EVAL', script, '0'),
          b.call('EVAL', script, '0'),
        ]);
        const plain = (reply: string) =>
          reply
            .replace(/\$\d+\r\n/g, '$')
            .replace(/-nan/g, 'nan')
            .replace(/-0(?![\d.e])/g, '0');
        expect(plain(x), expression).toBe(plain(y));
      }),
      { numRuns: 1000 },
    );
  });
});
