/**
 * A list's DUMP payload is its quicklist nodes, and where redis-server starts a node depends on
 * the list's history (pushes at either end, LINSERT's splits and merges, LSET's in-place
 * replacement, the node limit the list was made under). Random histories of one list, with
 * elements from one byte to a few kilobytes and integers of every listpack width, run on byor and
 * on Debian's redis-server: the payloads must be the same bytes (rdbcompression off: Debian's
 * LZF differs from the one Redis bundles, see random.test.ts), and so must the elements.
 *
 * BYOR_FUZZ_RUNS (default 150) sets the number of histories and BYOR_FUZZ_SEED replays one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startConnectedPair, type ConnectedPair } from './harness.js';

const RUNS = Math.ceil(Number(process.env.BYOR_FUZZ_RUNS ?? 300) / 2);
const SEED = process.env.BYOR_FUZZ_SEED === undefined ? 0x9ac4 : Number(process.env.BYOR_FUZZ_SEED);

/** Elements of every listpack encoding: 7/13/16/24/32/64-bit integers, 6/12/32-bit lengths. */
const element = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }).map((n) => 'x'.repeat(n)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('a', 'b', '', '0', '127', '128', '-4096', '4095', '32767'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('-32769', '8388607', '8388608', '2147483647', '-2147483649'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('9223372036854775807', '9223372036854775808', '007', '-0', '1.5'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => 'y'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => 'z'.repeat(n)) },
);
const index = fc.integer({ min: -300, max: 300 }).map(String);

const step = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(
      fc.constantFrom('LPUSH', 'RPUSH'),
      fc.array(element, { minLength: 1, maxLength: 40, size: 'max' }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('LPOP', 'RPOP'), fc.constantFrom('1', '2', '5')),
  },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('BEFORE', 'AFTER'), element, element) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('LSET'), index, element) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constant('LREM'), fc.constantFrom('0', '1', '-1', '2'), element),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constant('LTRIM'), index, index) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant('LMOVE'),
      fc.constantFrom('LEFT', 'RIGHT'),
      fc.constantFrom('LEFT', 'RIGHT'),
    ),
  },
);

/** The command of a step on key `l` (LINSERT's pivot: an element the list may hold). */
function command(step: readonly string[]): string[] {
  const [name = '', a = '', b = ''] = step;
  switch (name) {
    case 'LPUSH':
    case 'RPUSH':
      return [name, 'l', ...(step[1] as unknown as string[])];
    case 'LPOP':
    case 'RPOP':
      return [name, 'l', a];
    case 'BEFORE':
    case 'AFTER':
      return ['LINSERT', 'l', name, a, b];
    case 'LSET':
      return ['LSET', 'l', a, b];
    case 'LREM':
      return ['LREM', 'l', a, b];
    case 'LTRIM':
      return ['LTRIM', 'l', a, b];
    default:
      return ['LMOVE', 'l', 'l', a, b];
  }
}

describe.skipIf(!redisAvailable)('quicklist nodes against redis-server', () => {
  let connected: ConnectedPair;
  beforeAll(async () => {
    connected = await startConnectedPair({ rdbcompression: 'no' });
  });
  afterAll(async () => {
    await connected.stop();
  });

  it(`${RUNS} histories of one list dump to the same bytes`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('-1', '-1', '-2', '1', '3', '-5'),
        // (the pivots of LINSERT are picked from the elements pushed, so that most are found)
        fc.array(step, { minLength: 1, maxLength: 100, size: 'max' }),
        async (fill, steps) => {
          const { byor, redis } = connected;
          const both = (...argv: string[]) =>
            Promise.all([byor.call(...argv), redis.call(...argv)]);
          await both('FLUSHALL');
          await both('CONFIG', 'SET', 'list-max-listpack-size', fill);
          const pushed: string[] = [];
          for (const raw of steps) {
            const argv = command(raw as unknown as string[]);
            if (argv[0] === 'LPUSH' || argv[0] === 'RPUSH') pushed.push(...argv.slice(2));
            if (argv[0] === 'LINSERT' && pushed.length > 0)
              argv[3] = pushed[argv[4]!.length % pushed.length]!;
            const [x, y] = await both(...argv);
            expect(x, argv.join(' ').slice(0, 200)).toBe(y);
          }
          const [x, y] = await both('DUMP', 'l');
          expect(x, 'DUMP l').toBe(y);
          // and the payload restores to the same nodes
          const [u, v] = await both(
            'EVAL',
            "return redis.call('RESTORE', 'm', 0, redis.call('DUMP', 'l') or '')",
            '0',
          );
          expect(u).toBe(v);
          const [p, q] = await both('DUMP', 'm');
          expect(p, 'DUMP of the restored list').toBe(q);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);
});
