import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * COMMAND GETKEYS and GETKEYSANDFLAGS for every command byor implements, with argument lists
 * drawn from a vocabulary that hits the key specs' corners (keywords they search for, numkeys
 * that are valid, negative, too large or not numbers), compared with redis-server's replies.
 */

const vocabulary = fc.constantFrom(
  'k1',
  'k2',
  'k3',
  '0',
  '1',
  '2',
  '3',
  '-1',
  '1abc',
  ' 1',
  '',
  'STREAMS',
  'streams',
  'STORE',
  'GET',
  'BY',
  'LIMIT',
  'KEYS',
  'GROUP',
  'BLOCK',
  'COUNT',
  'NOACK',
  'WEIGHTS',
  'LEFT',
  'SET',
  'INCRBY',
  'OVERFLOW',
  'AUTH',
  'COPY',
);

describe.skipIf(!redisAvailable)('COMMAND GETKEYS, byor vs redis-server', () => {
  let pair: Pair;
  let ours: RawClient;
  let theirs: RawClient;
  let names: string[];
  beforeAll(async () => {
    pair = await startPair();
    [ours, theirs] = await Promise.all([
      RawClient.connect(pair.byor.port),
      RawClient.connect(pair.redis.port),
    ]);
    // every command and subcommand both have (byor's own, like ZQUERY, aside), as "name sub"
    const list = async (client: RawClient): Promise<string[]> =>
      (await client.call('COMMAND', 'LIST'))
        .split('\r\n')
        .filter((line, i) => i > 0 && !line.startsWith('$') && line !== '');
    const redis = new Set(await list(theirs));
    names = (await list(ours))
      .filter((name) => redis.has(name))
      .map((name) => name.replace('|', ' '));
  });
  afterAll(async () => {
    ours.close();
    theirs.close();
    await pair.stop();
  });

  async function both(args: string[]): Promise<[string, string]> {
    return Promise.all([ours.call(...args), theirs.call(...args)]);
  }

  it('lists keys the same way for random argument lists of every command', async () => {
    expect(names.length).toBeGreaterThan(200);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.array(vocabulary, { maxLength: 9 }),
        fc.constantFrom('GETKEYS', 'GETKEYSANDFLAGS'),
        async (name, args, sub) => {
          const line = ['COMMAND', sub, ...name.split(' '), ...args];
          const [x, y] = await both(line);
          expect(x, line.join(' ')).toBe(y);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'streams', 'a', '0', '0'],
    ['EVAL', 'return 1', '2', 'a', 'b', 'c'],
    ['EVAL', 'return 1', '0'],
    ['EVAL', 'return 1', '1abc', 'a'],
    ['FCALL', 'f', '1', 'a', 'b'],
    ['MSET', 'a', '1', 'b', '2'],
    ['MSET', 'a', '1', 'b'],
    ['ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
    ['ZUNIONSTORE', 'dst', '1abc', 'a'],
    ['MIGRATE', 'h', '1', 'k', '0', '100'],
    ['MIGRATE', 'h', '1', '', '0', '100', 'COPY', 'AUTH', 'keys', 'KEYS', 'a', 'b'],
    ['MIGRATE', 'h', '1', 'k', '0', '100', 'KEYS', 'a', 'b'],
    ['BLMPOP', '0', '2', 'a', 'b', 'LEFT'],
    ['SET', 'k', 'v', 'GET'],
    ['SET', 'k', 'v', 'EX', '1'],
    ['XINFO', 'STREAM', 'k', 'FULL'],
    ['OBJECT', 'ENCODING', 'k'],
    ['OBJECT', 'FOO', 'k'],
    ['SPUBLISH', 'channel', 'message'],
    ['PING', 'x'],
    ['FOO', 'x'],
    ['GET'],
    ['GET', 'a', 'b'],
  ])('%s', async (...args) => {
    for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) {
      const [x, y] = await both(['COMMAND', sub, ...args]);
      expect(x).toBe(y);
    }
  });

  it('answers GETKEYSANDFLAGS in RESP3 as redis-server does', async () => {
    await both(['HELLO', '3']);
    for (const args of [
      ['SET', 'k', 'v', 'GET'],
      ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
      ['EVAL', 's', '1abc', 'a'],
    ]) {
      const [x, y] = await both(['COMMAND', 'GETKEYSANDFLAGS', ...args]);
      expect(x).toBe(y);
    }
    await both(['HELLO', '2']);
  });
});
