import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { transcript, type Step } from './helpers/scenario.js';

/** Pub/sub and keyspace notifications: several connections, compared byte for byte with redis-server. */
const scenarios: Record<string, { connections: number; steps: Step[] }> = {
  'subscribe, publish, patterns, unsubscribe (RESP2)': {
    connections: 3,
    steps: [
      [0, 'UNSUBSCRIBE'],
      [0, 'PUNSUBSCRIBE'],
      [0, 'SUBSCRIBE', 'news', 'sport', 'news'],
      [1, 'PSUBSCRIBE', 'n*', 's?ort'],
      [2, 'PUBLISH', 'news', 'hello'],
      [2, 'PUBLISH', 'sport', 'goal'],
      [2, 'PUBLISH', 'none', 'x'],
      [0, 'PING'],
      [0, 'PING', 'x'],
      [0, 'GET', 'k'],
      [2, 'PUBSUB', 'CHANNELS', 'n*'],
      [2, 'PUBSUB', 'NUMSUB', 'news', 'nope'],
      [2, 'PUBSUB', 'NUMPAT'],
      [0, 'UNSUBSCRIBE', 'news', 'zz'],
      [2, 'PUBLISH', 'news', 'again'],
      [1, 'PUNSUBSCRIBE'],
      [0, 'UNSUBSCRIBE'],
      [2, 'PUBLISH', 'news', 'gone'],
      [0, 'GET', 'k'],
      [2, 'PUBSUB', 'FOO'],
      [0, 'SUBSCRIBE'],
      [0, 'RESET'],
      [2, 'PUBSUB', 'NUMSUB'],
    ],
  },
  'RESP3 pushes': {
    connections: 2,
    steps: [
      [0, 'HELLO', '3'],
      [0, 'SUBSCRIBE', 'c'],
      [0, 'GET', 'k'],
      [1, 'PUBLISH', 'c', 'm1'],
      [0, 'PUBLISH', 'c', 'self'],
      [0, 'PSUBSCRIBE', '*'],
      [1, 'PUBLISH', 'c', 'm2'],
      [0, 'PING'],
      [0, 'UNSUBSCRIBE'],
      [0, 'PUNSUBSCRIBE'],
      [0, 'SSUBSCRIBE', 's1'],
      [1, 'SPUBLISH', 's1', 'shard'],
      [1, 'PUBSUB', 'SHARDCHANNELS'],
      [1, 'PUBSUB', 'SHARDNUMSUB', 's1'],
      [0, 'SUNSUBSCRIBE'],
    ],
  },
  'keyspace notifications': {
    connections: 2,
    steps: [
      [1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      [0, 'PSUBSCRIBE', '__key*__:*'],
      [1, 'SET', 'a', '1'],
      [1, 'SET', 'a', '2', 'EX', '100'],
      [1, 'INCR', 'n'],
      [1, 'APPEND', 'a', 'x'],
      [1, 'EXPIRE', 'a', '50'],
      [1, 'PERSIST', 'a'],
      [1, 'RENAME', 'a', 'b'],
      [1, 'DEL', 'b', 'n'],
      [1, 'GETDEL', 'missing'],
      [1, 'MSET', 'x', '1', 'y', '2'],
      [1, 'COPY', 'x', 'z'],
      [1, 'MOVE', 'z', '1'],
      [1, 'SETRANGE', 'x', '3', 'abc'],
      [1, 'INCRBYFLOAT', 'f', '1.5'],
      [1, 'EXPIRE', 'y', '-1'],
      [1, 'CONFIG', 'SET', 'notify-keyspace-events', 'Eg$m'],
      [1, 'GET', 'nokey'],
      [1, 'SET', 'q', '1'],
      [1, 'CONFIG', 'SET', 'notify-keyspace-events', 'Kn'],
      [1, 'SET', 'new1', '1'],
      [1, 'SET', 'new1', '2'],
      [1, 'CONFIG', 'SET', 'notify-keyspace-events', ''],
      [1, 'SET', 'silent', '1'],
    ],
  },
};

describe.skipIf(!redisAvailable)('pub/sub: byor vs redis-server transcripts', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });
  for (const [name, { connections, steps }] of Object.entries(scenarios)) {
    it(name, async () => {
      const byor = await transcript(pair.byor.port, connections, steps);
      const redis = await transcript(pair.redis.port, connections, steps);
      // client ids differ between the two servers (HELLO's "id" field)
      const normalize = (lines: string[]) =>
        lines.join('\n').replace(/id\\r\\n:\d+/g, 'id\\r\\n:N');
      expect(normalize(byor)).toBe(normalize(redis));
    });
  }
});
