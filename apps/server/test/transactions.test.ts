import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { transcript, type Step } from './helpers/scenario.js';

/** WATCH across connections, compared byte for byte with redis-server. */
const scenarios: Record<string, Step[]> = {
  'another client write aborts EXEC': [
    [0, 'WATCH', 'k'],
    [1, 'SET', 'k', '2'],
    [0, 'MULTI'],
    [0, 'INCR', 'k'],
    [0, 'EXEC'],
    [0, 'GET', 'k'],
  ],
  'write to another key does not': [
    [0, 'WATCH', 'k'],
    [1, 'SET', 'other', '2'],
    [0, 'MULTI'],
    [0, 'SET', 'k', 'mine'],
    [0, 'EXEC'],
  ],
  'write in another db does not': [
    [0, 'WATCH', 'k'],
    [1, 'SELECT', '1'],
    [1, 'SET', 'k', 'x'],
    [0, 'MULTI'],
    [0, 'SET', 'k', 'v'],
    [0, 'EXEC'],
  ],
  'delete of a missing key does not': [
    [0, 'WATCH', 'k'],
    [1, 'DEL', 'k'],
    [0, 'MULTI'],
    [0, 'PING'],
    [0, 'EXEC'],
  ],
  'expire set by another client aborts': [
    [1, 'SET', 'k', '1'],
    [0, 'WATCH', 'k'],
    [1, 'EXPIRE', 'k', '100'],
    [0, 'MULTI'],
    [0, 'PING'],
    [0, 'EXEC'],
  ],
  'swapdb aborts': [
    [1, 'SET', 'k', '1'],
    [0, 'WATCH', 'k'],
    [1, 'SWAPDB', '0', '1'],
    [0, 'MULTI'],
    [0, 'PING'],
    [0, 'EXEC'],
    [1, 'SWAPDB', '0', '1'],
  ],
  'queued commands run atomically': [
    [0, 'MULTI'],
    [0, 'SET', 'a', '1'],
    [1, 'GET', 'a'],
    [0, 'INCR', 'a'],
    [0, 'EXEC'],
    [1, 'GET', 'a'],
  ],
};

describe.skipIf(!redisAvailable)('transactions across connections: byor vs redis-server', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });
  for (const [name, steps] of Object.entries(scenarios)) {
    it(name, async () => {
      const byor = await transcript(pair.byor.port, 2, steps, 15);
      const redis = await transcript(pair.redis.port, 2, steps, 15);
      expect(byor.join('\n')).toBe(redis.join('\n'));
    });
  }
});
