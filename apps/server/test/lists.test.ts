import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { createTestServer } from '../src/testing.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';
import { startRedisServer } from '@byor/test-oracle';

/**
 * Lists over TCP, for what a one-connection byte comparison cannot cover: blocked clients woken
 * by other connections (fairness, BLMOVE chains, deleted keys, MULTI, timeouts, keyspace events)
 * compared byte for byte with redis-server across several connections, and with real clients
 * (ioredis, node-redis) CLIENT UNBLOCK, disconnects while blocked and the injectable clock.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One step of a scenario: a command on a connection; `'~'` before the command sends it and waits
 * until the server counts one more blocked client; `'-'` runs it without recording what it
 * received (HELLO, whose reply names the server); connection -1 with `['sleep', ms]` waits.
 */
type Step = readonly [connection: number, ...command: string[]];

async function until(what: string, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * Runs the steps on fresh connections and returns, after each step, what every connection
 * received. A control connection reads INFO blocked_clients so that a blocking command is known
 * to be blocked before the next step runs, without guessing delays.
 */
async function transcript(port: number, connections: number, steps: readonly Step[]) {
  const clients = await Promise.all(
    Array.from({ length: connections }, () => RawClient.connect(port)),
  );
  const control = await RawClient.connect(port);
  const blocked = async () =>
    Number(/blocked_clients:(\d+)/.exec(await control.call('INFO', 'clients'))?.[1] ?? -1);
  const out: string[] = [];
  try {
    await control.call('FLUSHALL');
    for (const [index, ...command] of steps) {
      if (index < 0) {
        await sleep(Number(command[1]));
      } else if (command[0] === '~') {
        const before = await blocked();
        clients[index]?.sendOnly(...command.slice(1));
        await until(`${command.join(' ')} to block`, async () => (await blocked()) > before);
      } else {
        clients[index]?.sendOnly(...(command[0] === '-' ? command.slice(1) : command));
        await clients[index]?.waitForReply(3000);
      }
      const received = await Promise.all(clients.map((client) => client.drain(15)));
      if (command[0] === '-') continue;
      out.push(
        `${index}> ${command.join(' ')}\n${received.map((r, i) => `  [${i}] ${JSON.stringify(r)}`).join('\n')}`,
      );
    }
  } finally {
    for (const client of clients) client.close();
    control.close();
  }
  return out;
}

const scenarios: Record<string, { connections: number; steps: Step[] }> = {
  'BLPOP waiters are served in the order they blocked': {
    connections: 4,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLPOP', 'q', '0'],
      [3, '~', 'BRPOP', 'q', '0'],
      [0, 'RPUSH', 'q', 'a', 'b'],
      [0, 'LLEN', 'q'],
      [0, 'RPUSH', 'q', 'c', 'd'],
      [0, 'LRANGE', 'q', '0', '-1'],
    ],
  },
  'a waiter on several keys is served from the key that was pushed': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'a', 'b', '0'],
      [2, '~', 'BRPOP', 'b', '0'],
      [0, 'RPUSH', 'b', 'x', 'y'],
      [0, 'EXISTS', 'a', 'b'],
    ],
  },
  'one push serves several waiters of every kind and keeps the rest': {
    connections: 4,
    steps: [
      [1, '~', 'BLPOP', 'k', '0'],
      [2, '~', 'BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '2'],
      [3, '~', 'BRPOP', 'k', '0'],
      [0, 'RPUSH', 'k', '1', '2', '3', '4', '5'],
      [0, 'LRANGE', 'k', '0', '-1'],
    ],
  },
  'BLMOVE and BRPOPLPUSH chains wake the next waiter': {
    connections: 4,
    steps: [
      [1, '~', 'BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'],
      [2, '~', 'BRPOPLPUSH', 'b', 'c', '0'],
      [3, '~', 'BLPOP', 'c', '0'],
      [0, 'LPUSH', 'a', 'v'],
      [0, 'EXISTS', 'a', 'b', 'c'],
    ],
  },
  'a waiter on a key deleted and re-created is served': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'k', '0'],
      [0, 'SET', 'k', 'string'],
      [0, 'DEL', 'k'],
      [0, 'RPUSH', 'k', 'v'],
      [0, 'EXISTS', 'k'],
      [1, '~', 'BRPOP', 'k', '0'],
      [0, 'RPUSH', 'k', 'a'],
      [0, 'LPOP', 'k'],
      [0, 'RPUSH', 'k', 'b'],
    ],
  },
  'a transaction that pushes and pops leaves the waiter blocked': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'k', '0'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'k', 'a'],
      [0, 'LPOP', 'k'],
      [0, 'EXEC'],
      [0, 'RPUSH', 'k', 'b'],
    ],
  },
  'a transaction that pushes serves the waiter after EXEC': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'k', '0'],
      [2, '~', 'BLMOVE', 'k', 'k2', 'LEFT', 'LEFT', '0'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'k', 'a', 'b', 'c'],
      [0, 'LLEN', 'k'],
      [0, 'EXEC'],
      [0, 'LRANGE', 'k', '0', '-1'],
      [0, 'LRANGE', 'k2', '0', '-1'],
    ],
  },
  'timeouts answer with a null array, the element stays': {
    connections: 4,
    steps: [
      [1, '~', 'BLPOP', 'k', '0.6'],
      [2, '~', 'BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.6'],
      [3, '~', 'BLMPOP', '0.6', '1', 'k', 'LEFT'],
      [-1, 'sleep', '1200'],
      [0, 'RPUSH', 'k', 'x'],
      [0, 'LLEN', 'k'],
      [1, 'PING'],
    ],
  },
  'RESP3 waiters: served replies and the timeout reply': {
    connections: 3,
    steps: [
      [1, '-', 'HELLO', '3'],
      [2, '-', 'HELLO', '3'],
      [1, '~', 'BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0.5'],
      [-1, 'sleep', '1000'],
      [1, '~', 'BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '2'],
      [2, '~', 'BRPOP', 'k', '0'],
      [0, 'RPUSH', 'k', 'a', 'b', 'c'],
    ],
  },
  'BLMOVE to a key of another type answers WRONGTYPE when served': {
    connections: 2,
    steps: [
      [1, '~', 'BLMOVE', 'a', 's', 'LEFT', 'LEFT', '0'],
      [0, 'SET', 's', 'x'],
      [0, 'RPUSH', 'a', 'v'],
      [0, 'LRANGE', 'a', '0', '-1'],
      [1, 'PING'],
    ],
  },
  'the same key twice is served once; BRPOPLPUSH onto its own source': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'k', 'k', '0'],
      [0, 'RPUSH', 'k', 'a', 'b'],
      [0, 'LRANGE', 'k', '0', '-1'],
      [2, '~', 'BRPOPLPUSH', 'r', 'r', '0'],
      [0, 'RPUSH', 'r', 'x'],
      [0, 'LRANGE', 'r', '0', '-1'],
    ],
  },
  'waiters in other databases are not woken': {
    connections: 3,
    steps: [
      [1, 'SELECT', '1'],
      [1, '~', 'BLPOP', 'k', '0'],
      [2, '~', 'BLPOP', 'k', '0'],
      [0, 'RPUSH', 'k', 'db0'],
      [0, 'SELECT', '1'],
      [0, 'RPUSH', 'k', 'db1'],
    ],
  },
  'keyspace events of list commands and of served waiters': {
    connections: 5,
    steps: [
      [3, 'PSUBSCRIBE', '__keyspace@0__:*'],
      [4, 'PSUBSCRIBE', '__keyevent@0__:*'],
      [0, 'RPUSH', 'l', 'a', 'b', 'c', 'd'],
      [0, 'LPUSH', 'l', 'z'],
      [0, 'LINSERT', 'l', 'BEFORE', 'a', 'x'],
      [0, 'LINSERT', 'l', 'BEFORE', 'nope', 'x'],
      [0, 'LSET', 'l', '0', 'y'],
      [0, 'LREM', 'l', '1', 'x'],
      [0, 'LREM', 'l', '1', 'nope'],
      [0, 'LTRIM', 'l', '0', '2'],
      [0, 'LPOP', 'l'],
      [0, 'RPOP', 'l', '5'],
      [0, 'RPUSH', 'm', '1', '2'],
      [0, 'LMOVE', 'm', 'n', 'LEFT', 'RIGHT'],
      [0, 'RPOPLPUSH', 'm', 'n'],
      [0, 'LMPOP', '1', 'n', 'LEFT', 'COUNT', '5'],
      [0, 'LPUSHX', 'n', 'q'],
      [0, 'RPUSH', 'o', 'v'],
      [0, 'BLPOP', 'o', '0'],
      [0, 'RPUSH', 'o', 'v', 'w'],
      [0, 'LTRIM', 'o', '1', '0'],
      [1, '~', 'BLPOP', 'a', '0'],
      [2, '~', 'BLMOVE', 'b', 'c', 'RIGHT', 'LEFT', '0'],
      [0, 'RPUSH', 'a', '1', '2'],
      [0, 'RPUSH', 'b', 'x'],
      [1, '~', 'BLMPOP', '0', '1', 'd', 'LEFT', 'COUNT', '5'],
      [0, 'RPUSH', 'd', '1', '2'],
    ],
  },
  'RENAME onto a key with waiters serves them': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'k', '0'],
      [0, 'RPUSH', 'tmp', 'x'],
      [0, 'RENAME', 'tmp', 'k'],
    ],
  },
  'MOVE and COPY onto a key with waiters serve them': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'k', '0'],
      [0, 'RPUSH', 'tmp', 'x', 'y'],
      [0, 'COPY', 'tmp', 'k'],
      [0, 'LRANGE', 'k', '0', '-1'],
      [1, '~', 'BRPOP', 'k2', '0'],
      [0, 'SELECT', '1'],
      [0, 'RPUSH', 'k2', 'z'],
      [0, 'MOVE', 'k2', '0'],
    ],
  },
  'a waiter on several keys is served from the first key made ready, in a transaction': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'a', 'b', '0'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'b', '1'],
      [0, 'RPUSH', 'a', '2'],
      [0, 'EXEC'],
      [0, 'LRANGE', 'a', '0', '-1'],
      [0, 'LRANGE', 'b', '0', '-1'],
    ],
  },
};

describe.skipIf(!redisAvailable)('blocking lists across connections: byor vs redis-server', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ 'notify-keyspace-events': 'KEA' });
  });
  afterAll(async () => {
    await pair.stop();
  });
  for (const [name, { connections, steps }] of Object.entries(scenarios)) {
    it(name, async () => {
      const byor = await transcript(pair.byor.port, connections, steps);
      const redis = await transcript(pair.redis.port, connections, steps);
      expect(byor.join('\n')).toBe(redis.join('\n'));
    });
  }
});

describe('blocking lists with real clients', () => {
  let server: RunningServer;
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    clients.push(client);
    return client;
  };
  let admin: Redis;
  const blockedClients = async () =>
    Number(/blocked_clients:(\d+)/.exec(await admin.info('clients'))?.[1] ?? -1);
  const waitBlocked = (n: number) =>
    until(`${n} blocked clients`, async () => (await blockedClients()) === n);

  beforeAll(async () => {
    server = await startServer({ port: 0 });
    admin = connect();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server.close();
  });

  it('serves 20 BLPOP waiters first blocked, first served', async () => {
    await admin.del('jobs');
    const waiters = Array.from({ length: 20 }, () => connect());
    const replies: Promise<[string, string] | null>[] = [];
    for (const [i, waiter] of waiters.entries()) {
      replies.push(waiter.blpop('jobs', 0));
      await waitBlocked(i + 1);
    }
    await admin.rpush('jobs', ...Array.from({ length: 20 }, (_, i) => `job${i}`));
    const served = await Promise.all(replies);
    expect(served).toEqual(Array.from({ length: 20 }, (_, i) => ['jobs', `job${i}`]));
    expect(await admin.exists('jobs')).toBe(0);
    for (const waiter of waiters) waiter.disconnect();
  });

  it('times out each waiter at its own deadline, in deadline order', async () => {
    const [slow, fast] = [connect(), connect()];
    const order: string[] = [];
    const slowReply = slow.brpop('nothing', 0.3).then((reply) => (order.push('slow'), reply));
    const fastReply = fast
      .blmove('nothing', 'dst', 'LEFT', 'RIGHT', 0.1)
      .then((reply) => (order.push('fast'), reply));
    expect(await Promise.all([slowReply, fastReply])).toEqual([null, null]);
    expect(order).toEqual(['fast', 'slow']);
    expect(await blockedClients()).toBe(0);
    expect(await admin.exists('dst')).toBe(0);
  });

  it('does not block inside MULTI: the queued BLPOP answers as a timeout', async () => {
    const client = connect();
    await client.del('k');
    const replies = await client
      .multi()
      .blpop('k', 0)
      .brpoplpush('k', 'd', 0)
      .rpush('k', 'v')
      .blpop('k', 0)
      .exec();
    expect(replies).toEqual([
      [null, null],
      [null, null],
      [null, 1],
      [null, ['k', 'v']],
    ]);
    expect(await blockedClients()).toBe(0);
  });

  it('CLIENT UNBLOCK ends a wait as a timeout or with an error', async () => {
    const waiter = connect();
    const id = await waiter.client('ID');
    const timedOut = waiter.blpop('k', 0);
    await waitBlocked(1);
    expect(await admin.client('UNBLOCK', id)).toBe(1);
    expect(await timedOut).toBeNull();
    const failed = expect(waiter.blmove('k', 'd', 'LEFT', 'LEFT', 0)).rejects.toThrow(
      'UNBLOCKED client unblocked via CLIENT UNBLOCK',
    );
    await waitBlocked(1);
    // (the waiter's error may arrive before this reply: the expectation is already attached)
    expect(await admin.client('UNBLOCK', id, 'ERROR')).toBe(1);
    await failed;
    expect(await admin.client('UNBLOCK', id)).toBe(0);
    // the connection works normally afterwards
    expect(await waiter.ping()).toBe('PONG');
  });

  it('forgets a client that disconnects while blocked: the next push is not lost', async () => {
    await admin.del('k');
    const leaver = connect();
    void leaver.blpop('k', 0).catch(() => undefined);
    await waitBlocked(1);
    const stayer = connect();
    const served = stayer.blpop('k', 0);
    await waitBlocked(2);
    leaver.disconnect();
    await waitBlocked(1);
    await admin.rpush('k', 'a', 'b');
    expect(await served).toEqual(['k', 'a']);
    expect(await admin.lrange('k', 0, -1)).toEqual(['b']);
  });

  it('a served client goes on with the commands it pipelined behind the blocking one', async () => {
    await admin.del('k');
    const client = connect();
    const pipeline = client.pipeline().blpop('k', 0).rpush('k', 'mine').lrange('k', 0, -1).exec();
    await waitBlocked(1);
    await admin.rpush('k', 'first');
    expect(await pipeline).toEqual([
      [null, ['k', 'first']],
      [null, 1],
      [null, ['mine']],
    ]);
  });

  it('node-redis: blPop, brPop, blMove and blmPop in RESP2 and RESP3', async () => {
    const ours = await nodeRedisSession(server.port);
    expect(ours.slice(0, 3)).toEqual([{ key: 'a', element: '1' }, { key: 'a', element: '3' }, '2']);
    expect(ours.at(-1)).toBeNull();
    if (redisAvailable) {
      const redis = await startRedisServer([]);
      try {
        expect(ours).toEqual(await nodeRedisSession(redis.port));
      } finally {
        await redis.stop();
      }
    }
  });
});

/**
 * What list commands propagate to the AOF and replicas: redis-server rewrites blocking and
 * multi-key pops into the plain command that had the effect (BLPOP -> LPOP, BLMPOP -> RPOP key
 * count, BLMOVE -> LMOVE...) and propagates nothing for commands that changed nothing.
 */
const propagationSteps: Step[] = [
  [0, 'RPUSH', 'a', '1', '2', '3', '4', '5'],
  [0, 'BLPOP', 'a', '0'],
  [0, 'BRPOP', 'missing', 'a', '0'],
  [0, 'BLMPOP', '0', '1', 'a', 'RIGHT', 'COUNT', '10'],
  [0, 'RPUSH', 's', 'x', 'y', 'z'],
  [0, 'BLMOVE', 's', 'd', 'Left', 'right', '0'],
  [0, 'BRPOPLPUSH', 's', 'd', '0'],
  [0, 'LMPOP', '2', 'missing', 'd', 'LEFT', 'COUNT', '1'],
  [0, 'LMOVE', 's', 'd', 'LEFT', 'LEFT'],
  [0, 'LTRIM', 'd', '0', '-1'],
  [0, 'LREM', 'd', '0', 'nope'],
  [0, 'LPOP', 'd', '0'],
  [0, 'LPOP', 'missing'],
  [0, 'LINSERT', 'd', 'BEFORE', 'nope', 'x'],
  [0, 'BLPOP', 'missing', '0.01'],
  [1, '~', 'BLMOVE', 'e', 'f', 'RIGHT', 'LEFT', '0'],
  [0, 'RPUSH', 'e', 'v'],
  [1, '~', 'BLPOP', 'g', '0'],
  [0, 'RPUSH', 'g', '1', '2'],
  [1, '~', 'BLMPOP', '0', '1', 'h', 'LEFT', 'COUNT', '5'],
  [0, 'RPUSH', 'h', '1', '2'],
  [1, '~', 'BRPOPLPUSH', 'i', 'j', '0'],
  [0, 'LPUSH', 'i', 'z'],
];

/** The commands of an AOF file (a sequence of RESP arrays of bulk strings). */
function parseAof(text: string): string[][] {
  const commands: string[][] = [];
  let at = 0;
  const line = () => {
    const end = text.indexOf('\r\n', at);
    const value = text.slice(at, end);
    at = end + 2;
    return value;
  };
  while (at < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = Number(line().slice(1));
      argv.push(text.slice(at, at + length));
      at += length + 2;
    }
    commands.push(argv);
  }
  return commands;
}

/** Propagated commands without FLUSHALL (the scenario's own set-up), SELECT kept. */
const withoutFlush = (commands: string[][]) =>
  commands.filter((argv) => argv[0]?.toUpperCase() !== 'FLUSHALL');

describe.skipIf(!redisAvailable)(
  'propagation of list commands: byor vs the AOF of redis-server',
  () => {
    it('rewrites blocking and multi-key pops, and propagates nothing for no-ops', async () => {
      const redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
      const byor = await startServer({ port: 0 });
      const propagated: string[][] = [];
      let lastDb = -1;
      const previous = byor.server.hooks.propagate;
      byor.server.hooks.propagate = (db, argv) => {
        if (db !== lastDb) propagated.push(['SELECT', String(db)]);
        lastDb = db;
        propagated.push(argv);
        previous?.(db, argv);
      };
      try {
        await transcript(byor.port, 2, propagationSteps);
        await transcript(redis.port, 2, propagationSteps);
        const directory = join(redis.dir, 'appendonlydir');
        const incremental = readdirSync(directory).find((name) => name.endsWith('.incr.aof'));
        const aof = parseAof(readFileSync(join(directory, incremental ?? ''), 'latin1'));
        expect(withoutFlush(propagated)).toEqual(withoutFlush(aof));
        expect(withoutFlush(propagated)).toContainEqual(['LMOVE', 'e', 'f', 'right', 'left']);
      } finally {
        byor.server.hooks.propagate = previous;
        await byor.close();
        await redis.stop();
      }
    });
  },
);

/** The same node-redis calls, RESP2 then RESP3; returns every result. */
async function nodeRedisSession(port: number): Promise<unknown[]> {
  const results: unknown[] = [];
  const control = await RawClient.connect(port);
  const blocked = async () =>
    Number(/blocked_clients:(\d+)/.exec(await control.call('INFO', 'clients'))?.[1] ?? -1);
  try {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ url: `redis://127.0.0.1:${port}`, RESP });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.del(['a', 'b']);
        const popped = client.blPop('a', 0);
        await until('blPop to block', async () => (await blocked()) === 1);
        await control.call('RPUSH', 'a', '1', '2', '3');
        results.push(await popped);
        results.push(await client.brPop(['b', 'a'], 0));
        results.push(await client.blMove('a', 'b', 'LEFT', 'RIGHT', 0));
        results.push(await client.blmPop(0.01, ['a'], 'LEFT'));
        results.push(await client.blmPop(0, ['a', 'b'], 'RIGHT', { COUNT: 5 }));
        results.push(await client.lmPop(['b'], 'LEFT'));
        results.push(await client.lPos('b', 'x'));
        results.push(await client.blPop('a', 0.01));
      } finally {
        client.destroy();
      }
    }
  } finally {
    control.close();
  }
  return results;
}

describe('blocking timeouts on the injectable clock', () => {
  it('a BLPOP timeout fires when the test clock passes it, not before', async () => {
    const redis = await createTestServer();
    const client = new Redis(redis.url);
    const admin = new Redis(redis.url);
    try {
      let settled = false;
      const reply = client.blpop('k', 30).then((value) => {
        settled = true;
        return value;
      });
      await until('BLPOP to block', async () =>
        /blocked_clients:1\r?\n/.test(await admin.info('clients')),
      );
      redis.clock.fastForward(29_000);
      expect(await admin.ping()).toBe('PONG');
      expect(settled).toBe(false);
      redis.clock.fastForward(2_000);
      expect(await reply).toBeNull();
    } finally {
      client.disconnect();
      admin.disconnect();
      await redis.close();
    }
  });
});
