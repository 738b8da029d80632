import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../src/testing.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * Sorted sets over TCP, for what the one-connection byte comparison cannot cover: blocking pops
 * served across connections (order, fairness, keys of another type, transactions, timeouts) and
 * keyspace notifications, compared byte for byte with redis-server; random replies (ZRANDMEMBER)
 * and full ZSCAN iterations of skiplists checked by properties; real clients (ioredis with
 * several blocked connections, node-redis over RESP3) and the book's ZQUERY.
 */

/** One step: a connection index, a command, and 'blocks' when the command gets no reply yet. */
type Step = readonly [connection: number, command: readonly string[], blocks?: 'blocks'];

/**
 * Runs the steps on `connections` fresh connections and records, after each step, everything
 * every connection received: the sender's reply (awaited, unless the step blocks), and what other
 * connections got meanwhile (replies to blocked clients, pushes). HELLO replies are left out (they
 * carry the connection id).
 */
async function transcript(
  port: number,
  connections: number,
  steps: readonly Step[],
): Promise<string> {
  const clients = await Promise.all(
    Array.from({ length: connections }, () => RawClient.connect(port)),
  );
  const out: string[] = [];
  try {
    await clients[0]?.call('FLUSHALL');
    for (const [index, command, blocks] of steps) {
      const sender = clients[index];
      if (!sender) throw new Error(`no connection ${index}`);
      sender.sendOnly(...command);
      if (blocks === undefined) await sender.waitForReply(2000);
      const received = await Promise.all(clients.map((client) => client.drain(15)));
      out.push(`${index}> ${command.join(' ')}`);
      if ((command[0] ?? '').toUpperCase() === 'HELLO') continue;
      received.forEach((bytes, i) => {
        if (bytes) out.push(`  [${i}] ${JSON.stringify(bytes)}`);
      });
    }
  } finally {
    for (const client of clients) client.close();
  }
  return out.join('\n');
}

const scenarios: Record<string, { connections: number; steps: Step[] }> = {
  'BZPOPMIN is served by a ZADD from another client': {
    connections: 2,
    steps: [
      [0, ['BZPOPMIN', 'k', '0'], 'blocks'],
      [1, ['ZADD', 'k', '2', 'b', '1', 'a']],
      [1, ['ZRANGE', 'k', '0', '-1', 'WITHSCORES']],
    ],
  },
  'first blocked, first served: one ZADD serves three clients': {
    connections: 4,
    steps: [
      [0, ['BZPOPMIN', 'k', '0'], 'blocks'],
      [1, ['BZPOPMAX', 'k', '0'], 'blocks'],
      [2, ['BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '2'], 'blocks'],
      [3, ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e']],
      [3, ['ZRANGE', 'k', '0', '-1']],
    ],
  },
  'a single member serves only the first; the second waits for the next': {
    connections: 3,
    steps: [
      [0, ['BZPOPMAX', 'k', '0'], 'blocks'],
      [1, ['BZPOPMAX', 'k', '0'], 'blocks'],
      [2, ['ZADD', 'k', '1', 'a']],
      [2, ['EXISTS', 'k']],
      [2, ['ZINCRBY', 'k', '3', 'b']],
    ],
  },
  'blocked on several keys, served from the one written': {
    connections: 2,
    steps: [
      [0, ['BZPOPMIN', 'a', 'b', 'c', '0'], 'blocks'],
      [1, ['ZADD', 'c', '7', 'x']],
      [0, ['BZMPOP', '0', '3', 'a', 'b', 'c', 'MAX', 'COUNT', '5'], 'blocks'],
      [1, ['ZADD', 'b', '1', 'p', '2', 'q']],
    ],
  },
  'a key of another type keeps the client blocked': {
    connections: 2,
    steps: [
      [0, ['BZPOPMIN', 'k', '0'], 'blocks'],
      [1, ['LPUSH', 'k', 'x']],
      [1, ['SET', 'k', 'string']],
      [1, ['DEL', 'k']],
      [1, ['ZADD', 'k', '1', 'm']],
    ],
  },
  'store commands that create the key serve blocked clients': {
    connections: 2,
    steps: [
      [1, ['ZADD', 'src', '1', 'a', '2', 'b', '3', 'c']],
      [0, ['BZPOPMIN', 'u', '0'], 'blocks'],
      [1, ['ZUNIONSTORE', 'u', '1', 'src']],
      [0, ['BZPOPMAX', 'i', '0'], 'blocks'],
      [1, ['ZINTERSTORE', 'i', '1', 'src']],
      [0, ['BZPOPMIN', 'd', '0'], 'blocks'],
      [1, ['ZDIFFSTORE', 'd', '1', 'src']],
      [0, ['BZPOPMIN', 'r', '0'], 'blocks'],
      [1, ['ZRANGESTORE', 'r', 'src', '1', '2']],
      [0, ['BZPOPMIN', 'e', '0'], 'blocks'],
      [1, ['ZUNIONSTORE', 'e', '1', 'nokey']],
      [1, ['ZINCRBY', 'e', '5', 'z']],
    ],
  },
  'added and popped inside one transaction: nothing left to serve': {
    connections: 2,
    steps: [
      [0, ['BZPOPMIN', 'k', '0'], 'blocks'],
      [1, ['MULTI']],
      [1, ['ZADD', 'k', '1', 'a']],
      [1, ['ZPOPMIN', 'k']],
      [1, ['EXEC']],
      [1, ['MULTI']],
      [1, ['ZADD', 'k', '2', 'b', '3', 'c']],
      [1, ['ZADD', 'k', '4', 'd']],
      [1, ['EXEC']],
      [1, ['ZRANGE', 'k', '0', '-1']],
    ],
  },
  'timeouts reply a nil array': {
    connections: 2,
    steps: [
      [0, ['BZPOPMIN', 'k', '0.05']],
      [0, ['BZMPOP', '0.05', '1', 'k', 'MIN']],
      [1, ['HELLO', '3']],
      [1, ['BZPOPMAX', 'k', '0.05']],
      [1, ['ZADD', 'k', '1', 'a']],
    ],
  },
  'blocked RESP3 clients': {
    connections: 3,
    steps: [
      [0, ['HELLO', '3']],
      [1, ['HELLO', '3']],
      [0, ['BZPOPMIN', 'k', '0'], 'blocks'],
      [1, ['BZMPOP', '0', '1', 'k', 'MAX', 'COUNT', '2'], 'blocks'],
      [2, ['ZADD', 'k', '1.5', 'a', '2.5', 'b', '-0', 'c', 'inf', 'd']],
    ],
  },
  'a blocked client that disconnects is forgotten': {
    connections: 3,
    steps: [
      [0, ['CLIENT', 'SETNAME', 'leaver']],
      [0, ['BZPOPMIN', 'k', '0'], 'blocks'],
      [1, ['CLIENT', 'KILL', 'SKIPME', 'yes', 'TYPE', 'normal']],
      [2, ['ZADD', 'k', '1', 'a']],
      [2, ['ZCARD', 'k']],
    ],
  },
  'WATCH sees sorted-set writes and only real ones': {
    connections: 2,
    steps: [
      [0, ['ZADD', 'z', '1', 'a', '2', 'b']],
      [0, ['WATCH', 'z']],
      [1, ['ZADD', 'z', '1', 'a']],
      [1, ['ZADD', 'z', 'NX', '5', 'a']],
      [1, ['ZREM', 'z', 'nope']],
      [1, ['ZREMRANGEBYSCORE', 'z', '10', '20']],
      [1, ['ZINCRBY', 'z', '0', 'a']],
      [0, ['MULTI']],
      [0, ['ZCARD', 'z']],
      [0, ['EXEC']],
      [0, ['WATCH', 'z']],
      [1, ['ZINCRBY', 'z', '1', 'a']],
      [0, ['MULTI']],
      [0, ['ZCARD', 'z']],
      [0, ['EXEC']],
      [0, ['WATCH', 'z']],
      [1, ['ZPOPMIN', 'z']],
      [0, ['MULTI']],
      [0, ['ZCARD', 'z']],
      [0, ['EXEC']],
    ],
  },
  'keyspace notifications of every sorted-set write': {
    connections: 3,
    steps: [
      [2, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']],
      [2, ['PSUBSCRIBE', '__key*@0__:*']],
      [0, ['ZADD', 'z', '1', 'a', '2', 'b']],
      [0, ['ZADD', 'z', '1', 'a']],
      [0, ['ZADD', 'z', 'CH', '5', 'a']],
      [0, ['ZINCRBY', 'z', '1', 'a']],
      [0, ['ZADD', 'z', 'INCR', '1', 'c']],
      [0, ['ZADD', 'z', 'XX', 'INCR', '1', 'nope']],
      [0, ['ZREM', 'z', 'a', 'nope']],
      [0, ['ZREM', 'z', 'nope']],
      [0, ['ZADD', 'z', '1', 'a', '3', 'd', '4', 'e']],
      [0, ['ZREMRANGEBYRANK', 'z', '0', '0']],
      [0, ['ZREMRANGEBYRANK', 'z', '10', '20']],
      [0, ['ZREMRANGEBYSCORE', 'z', '1', '2']],
      [0, ['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c']],
      [0, ['ZREMRANGEBYLEX', 'l', '[a', '[b']],
      [0, ['ZREMRANGEBYLEX', 'l', '-', '+']],
      [0, ['ZPOPMIN', 'z']],
      [0, ['ZPOPMAX', 'z', '5']],
      [0, ['ZADD', 'x', '1', 'a', '2', 'b']],
      [0, ['ZUNIONSTORE', 'd', '1', 'x']],
      [0, ['ZINTERSTORE', 'd', '1', 'x']],
      [0, ['ZDIFFSTORE', 'd', '1', 'x']],
      [0, ['ZRANGESTORE', 'd2', 'x', '0', '0']],
      [0, ['ZUNIONSTORE', 'd', '1', 'nokey']],
      [0, ['ZRANGESTORE', 'd2', 'nokey', '0', '-1']],
      [0, ['ZMPOP', '1', 'x', 'MAX']],
      [0, ['ZMPOP', '1', 'x', 'MIN', 'COUNT', '3']],
      [1, ['BZPOPMIN', 'b', '0'], 'blocks'],
      [0, ['ZADD', 'b', '1', 'm']],
      [0, ['ZADD', 'y', '1', 'a']],
      [0, ['BZPOPMAX', 'y', '0']],
      [0, ['ZREMRANGEBYRANK', 'nokey', '0', '1']],
      [2, ['CONFIG', 'SET', 'notify-keyspace-events', '']],
    ],
  },
};

describe.skipIf(!redisAvailable)('sorted sets across connections: byor vs redis-server', () => {
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
      expect(byor).toBe(redis);
    });
  }
});

/** The kinds of sorted sets the properties run on. */
const kinds: Record<string, string[]> = {
  listpack: Array.from({ length: 20 }, (_, i) => [String(i % 7), `m${i}`]).flat(),
  skiplist: Array.from({ length: 300 }, (_, i) => [String(i / 3), `member:${i}`]).flat(),
};

describe.skipIf(!redisAvailable)(
  'random replies and scans: properties on byor and redis-server',
  () => {
    let pair: Pair;
    let clients: [string, Redis][];
    beforeAll(async () => {
      pair = await startPair();
      clients = [
        ['byor', new Redis({ port: pair.byor.port, host: '127.0.0.1', protocol: 2 })],
        ['redis', new Redis({ port: pair.redis.port, host: '127.0.0.1', protocol: 2 })],
      ];
    });
    afterAll(async () => {
      for (const [, client] of clients) client.disconnect();
      await pair.stop();
    });

    for (const [kind, pairs] of Object.entries(kinds)) {
      const scores = new Map<string, string>();
      for (let i = 0; i < pairs.length; i += 2) scores.set(pairs[i + 1] ?? '', pairs[i] ?? '');
      const size = scores.size;

      it(`ZRANDMEMBER on a ${kind}: distinct members, counts, repetitions, scores`, async () => {
        for (const [server, client] of clients) {
          await client.del('z');
          await client.zadd('z', ...pairs);
          expect(await client.object('ENCODING', 'z'), server).toBe(kind);
          for (let round = 0; round < 20; round++) {
            const one = (await client.zrandmember('z')) as string;
            expect(scores.has(one), server).toBe(true);
            for (const count of [1, 2, 5, Math.floor(size / 2), size - 1]) {
              const members = await client.zrandmember('z', count);
              expect(members.length, server).toBe(count);
              expect(new Set(members).size, server).toBe(count);
              for (const member of members) expect(scores.has(member), server).toBe(true);
            }
            const repeated = await client.zrandmember('z', -(size * 2));
            expect(repeated.length, server).toBe(size * 2);
            for (const member of repeated) expect(scores.has(member), server).toBe(true);
            const withScores = await client.zrandmember('z', -7, 'WITHSCORES');
            expect(withScores.length, server).toBe(14);
            for (let i = 0; i < withScores.length; i += 2) {
              const member = withScores[i] ?? '';
              expect(Number(withScores[i + 1]), server).toBe(Number(scores.get(member)));
            }
            const distinctWithScores = await client.zrandmember('z', 3, 'WITHSCORES');
            expect(distinctWithScores.length, server).toBe(6);
          }
          // over many draws every member shows up: the choice is not stuck on a few
          const seen = new Set<string>();
          for (let i = 0; i < 20 && seen.size < size; i++)
            for (const member of await client.zrandmember('z', -size)) seen.add(member);
          expect(seen.size, server).toBe(size);
        }
      });

      it(`a full ZSCAN of a ${kind} returns every member with its score`, async () => {
        for (const [server, client] of clients) {
          await client.del('z');
          await client.zadd('z', ...pairs);
          for (const [count, match] of [
            [1, '*'],
            [7, '*'],
            [100, '*'],
            [10, 'm*1'],
            [10, 'member:1*'],
          ] as const) {
            const found = new Map<string, string>();
            let cursor = '0';
            let calls = 0;
            do {
              const [next, flat] = await client.zscan('z', cursor, 'MATCH', match, 'COUNT', count);
              cursor = next;
              for (let i = 0; i < flat.length; i += 2) found.set(flat[i] ?? '', flat[i + 1] ?? '');
              calls++;
            } while (cursor !== '0' && calls < 10_000);
            const pattern = new RegExp(`^${match.replace(/\*/g, '.*')}$`);
            const expected = [...scores.keys()].filter((m) => pattern.test(m));
            expect([...found.keys()].sort(), `${server} COUNT ${count} MATCH ${match}`).toEqual(
              expected.sort(),
            );
            for (const [member, score] of found)
              expect(Number(score)).toBe(Number(scores.get(member)));
            if (kind === 'listpack') expect(calls).toBe(1);
          }
        }
      });
    }
  },
);

describe('sorted sets with real clients on a test server', () => {
  let server: TestServer;
  const open: Redis[] = [];
  const connect = (): Redis => {
    const client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    open.push(client);
    return client;
  };
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterEach(() => {
    while (open.length) open.pop()?.disconnect();
    server.flush();
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves five blocked ioredis clients in the order they blocked', async () => {
    const waiters = Array.from({ length: 5 }, () => connect());
    const replies: Promise<[string, string, string] | null>[] = [];
    for (const waiter of waiters) {
      replies.push(waiter.bzpopmin('jobs', 0));
      // each client is blocked before the next one asks
      await waitUntil(() => blockedCount(server) === replies.length);
    }
    const producer = connect();
    await producer.zadd('jobs', 5, 'e', 3, 'c', 1, 'a', 4, 'd', 2, 'b');
    expect(await Promise.all(replies)).toEqual([
      ['jobs', 'a', '1'],
      ['jobs', 'b', '2'],
      ['jobs', 'c', '3'],
      ['jobs', 'd', '4'],
      ['jobs', 'e', '5'],
    ]);
    expect(await producer.exists('jobs')).toBe(0);
  });

  it('times blocked clients out on the server clock', async () => {
    const waiter = connect();
    const other = connect();
    const reply = waiter.bzpopmax('never', 30);
    const multi = other.call('BZMPOP', '60', '1', 'never', 'MIN');
    await waitUntil(() => blockedCount(server) === 2);
    server.clock.fastForward(30_001);
    expect(await reply).toBeNull();
    expect(blockedCount(server)).toBe(1);
    server.clock.fastForward(30_000);
    expect(await multi).toBeNull();
    expect(blockedCount(server)).toBe(0);
  });

  it('BZMPOP with COUNT hands over up to COUNT members, then the key is gone', async () => {
    const waiter = connect();
    const reply = waiter.call('BZMPOP', '0', '2', 'a', 'b', 'MAX', 'COUNT', '10');
    await waitUntil(() => blockedCount(server) === 1);
    await connect().zadd('b', 1, 'x', 2, 'y');
    expect(await reply).toEqual([
      'b',
      [
        ['y', '2'],
        ['x', '1'],
      ],
    ]);
    expect(server.get('b')).toBeUndefined();
  });

  it('node-redis over RESP3: scores are numbers, pops and ranges decode', async () => {
    const client = createClient({ url: server.url, RESP: 3 });
    await client.connect();
    try {
      expect(
        await client.zAdd('z', [
          { score: 1.5, value: 'a' },
          { score: -2, value: 'b' },
        ]),
      ).toBe(2);
      expect(await client.zScore('z', 'a')).toBe(1.5);
      expect(await client.zRangeWithScores('z', 0, -1)).toEqual([
        { value: 'b', score: -2 },
        { value: 'a', score: 1.5 },
      ]);
      expect(await client.zPopMax('z')).toEqual({ value: 'a', score: 1.5 });
      expect(await client.zCard('z')).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it("the book's ZQUERY: pairs from the first (score, member) >= the given one", async () => {
    const client = connect();
    await client.zadd('z', 1, 'a', 2, 'b', 2, 'c', 3, 'd', 5, 'e');
    const zquery = (...args: (string | number)[]) => client.call('ZQUERY', 'z', ...args);
    const table: [(string | number)[], unknown][] = [
      [
        ['-inf', '', 0, 10],
        ['a', '1', 'b', '2', 'c', '2', 'd', '3', 'e', '5'],
      ],
      [
        [2, '', 0, 4],
        ['b', '2', 'c', '2'],
      ],
      [
        [2, 'b', 0, 2],
        ['b', '2'],
      ],
      [
        [2, 'bb', 0, 2],
        ['c', '2'],
      ],
      [
        [2, 'c', 1, 100],
        ['d', '3', 'e', '5'],
      ],
      [
        [2, 'c', -1, 2],
        ['b', '2'],
      ],
      [
        [2, 'c', -2, 4],
        ['a', '1', 'b', '2'],
      ],
      [[2, 'c', -3, 4], []],
      [[2, 'c', 3, 4], []],
      [
        [4, '', 0, 3],
        ['e', '5'],
      ],
      [[6, '', 0, 10], []],
      [[6, '', -1, 10], []],
      [['-inf', '', 0, 0], []],
      [['-inf', '', 0, 1], []],
      [['-inf', '', 0, -4], []],
      [['inf', '', 0, 10], []],
    ];
    for (const [args, expected] of table)
      expect(await zquery(...args), args.join(' ')).toEqual(expected);
    expect(await client.call('ZQUERY', 'nokey', '0', '', '0', '10')).toEqual([]);
    await expect(zquery('x', '', 0, 10)).rejects.toThrow('ERR value is not a valid float');
    await expect(zquery('nan', '', 0, 10)).rejects.toThrow('ERR value is not a valid float');
    await expect(zquery(1, '', 'x', 10)).rejects.toThrow(
      'ERR value is not an integer or out of range',
    );
    await expect(zquery(1, '', 0, '1.5')).rejects.toThrow(
      'ERR value is not an integer or out of range',
    );
    await client.set('s', 'x');
    await expect(client.call('ZQUERY', 's', '0', '', '0', '10')).rejects.toThrow(/^WRONGTYPE/);
    await expect(client.call('ZQUERY', 'z', '0', '', '0')).rejects.toThrow(
      "ERR wrong number of arguments for 'zquery' command",
    );
  });

  it('ZQUERY on a skiplist and in RESP3 (scores are doubles)', async () => {
    const raw = await RawClient.connect(server.port);
    try {
      const members = Array.from({ length: 300 }, (_, i) => [String(i / 2), `m${i}`]).flat();
      await raw.call('ZADD', 'big', ...members);
      expect(await raw.call('OBJECT', 'ENCODING', 'big')).toBe('$8\r\nskiplist\r\n');
      expect(await raw.call('ZQUERY', 'big', '10', 'm20', '1', '4')).toBe(
        '*4\r\n$3\r\nm21\r\n$4\r\n10.5\r\n$3\r\nm22\r\n$2\r\n11\r\n',
      );
      await raw.call('HELLO', '3');
      expect(await raw.call('ZQUERY', 'big', '149', '', '0', '10')).toBe(
        '*4\r\n$4\r\nm298\r\n,149\r\n$4\r\nm299\r\n,149.5\r\n',
      );
    } finally {
      raw.close();
    }
  });
});

function blockedCount(server: TestServer): number {
  return server.server.blockedClients;
}

async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
