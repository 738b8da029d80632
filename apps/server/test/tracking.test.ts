import fc from 'fast-check';
import { BasicClientSideCache, createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { Tracking, TrackingFlag } from '../src/tracking.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * Client-side caching: multi-connection transcripts compared byte for byte with redis-server
 * (invalidation pushes, redirection to RESP2 subscribers, broken redirects, BCAST batching, the
 * order of a client's own invalidations and its replies), then the tracking table alone against a
 * model, then node-redis's client-side cache.
 */

/** A step: connection index, then the command; `$idN` stands for connection N's CLIENT ID. */
type Step = readonly [connection: number, ...command: string[]];

async function transcript(port: number, steps: readonly Step[], settleMs = 25): Promise<string[]> {
  const count = Math.max(...steps.map((step) => step[0])) + 1;
  const clients = await Promise.all(Array.from({ length: count }, () => RawClient.connect(port)));
  const out: string[] = [];
  try {
    await clients[0]?.call('FLUSHALL');
    await clients[0]?.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    const ids: string[] = [];
    for (const client of clients) ids.push((await client.call('CLIENT', 'ID')).slice(1, -2));
    for (const [index, ...command] of steps) {
      const argv = command.map((arg) => arg.replace(/\$id(\d)/g, (_, n: string) => ids[+n] ?? ''));
      clients[index]?.sendOnly(...argv);
      await clients[index]?.waitForReply();
      const received = await Promise.all(clients.map((client) => client.drain(settleMs)));
      // client ids differ between the servers: keep them out of the comparison
      const name = (id: string): string => {
        const at = ids.indexOf(id);
        return at >= 0 ? `<id${at}>` : id;
      };
      const idReply = /^CLIENT (ID|GETREDIR)$/i.test(command.join(' '));
      const normalized = received.map((text, i) =>
        i === index && idReply
          ? text.replace(/^:(\d+)\r\n/, (_, id: string) => `:${name(id)}\r\n`)
          : text.replace(
              /(\$2\r\nid\r\n|\$8\r\nredirect\r\n|tracking-redir-broken\r\n):(\d+)/g,
              (_, head: string, id: string) => `${head}:${name(id)}`,
            ),
      );
      out.push(
        `${index}> ${command.join(' ')}\n${normalized.map((r, i) => `  [${i}] ${JSON.stringify(r)}`).join('\n')}`,
      );
    }
  } finally {
    for (const client of clients) client.close();
  }
  return out;
}

const GET_SET_SCRIPT = 'redis.call("set",KEYS[1],"2") return redis.call("get",KEYS[2])';

const scenarios: Record<string, Step[]> = {
  'CLIENT REPLY OFF / SKIP: invalidations and (un)subscribe confirmations are pushes, sent anyway':
    [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on'],
      [0, 'GET', 'k'],
      [0, 'CLIENT', 'REPLY', 'OFF'],
      [1, 'SET', 'k', '1'],
      [0, 'SUBSCRIBE', 'c'],
      [1, 'PUBLISH', 'c', 'm'],
      [0, 'UNSUBSCRIBE', 'c'],
      [0, 'CLIENT', 'REPLY', 'ON'],
      [0, 'CLIENT', 'REPLY', 'SKIP'],
      [0, 'PSUBSCRIBE', 'p*'],
      [0, 'PING'],
      [2, 'CLIENT', 'REPLY', 'OFF'],
      [2, 'SUBSCRIBE', 'c2'],
      [2, 'UNSUBSCRIBE'],
    ],
  'NOLOOP: a script and a served blocked command write as their client; a served command is told after its reply':
    [
      [0, 'HELLO', '3'],
      [0, 'CLIENT', 'TRACKING', 'on', 'NOLOOP'],
      [0, 'SET', 'key1', '1'],
      [0, 'GET', 'key1'],
      [0, 'EVAL', "return redis.call('set', 'key1', '2')", '1', 'key1'],
      [0, 'GET', 'key1'],
      [1, 'HELLO', '3'],
      [1, 'CLIENT', 'TRACKING', 'on'],
      [1, 'RPUSH', 'list2', 'a'],
      [1, 'LRANGE', 'list2', '0', '-1'],
      [1, 'GET', 'key1'],
      [1, 'BLMOVE', 'list1', 'list2', 'LEFT', 'LEFT', '0'],
      [0, 'RPUSH', 'list1', 'foo'],
      [0, 'LRANGE', 'list2', '0', '-1'],
      [2, 'HELLO', '3'],
      [2, 'CLIENT', 'TRACKING', 'on', 'NOLOOP'],
      [2, 'LRANGE', 'list3', '0', '-1'],
      [2, 'BLMOVE', 'list4', 'list3', 'LEFT', 'LEFT', '0'],
      [0, 'RPUSH', 'list4', 'bar'],
      [0, 'SET', 'key1', '3'],
    ],
  'RESP3 default mode: own writes after the reply, other clients, databases, flush': [
    [0, 'HELLO', '3'],
    [0, 'CLIENT', 'TRACKING', 'on'],
    [0, 'GET', 'a'],
    [0, 'SET', 'a', '1'],
    [0, 'GET', 'a'],
    [1, 'SET', 'a', '2'],
    [1, 'SET', 'a', '3'],
    [0, 'MGET', 'a', 'b', 'c'],
    [1, 'SELECT', '1'],
    [1, 'MSET', 'b', '1', 'c', '2'],
    [0, 'HGETALL', 'h'],
    [0, 'EXISTS', 'x'],
    [1, 'HSET', 'h', 'f', 'v'],
    [1, 'SET', 'x', '1'],
    [0, 'STRLEN', 'a'],
    [1, 'FLUSHDB'],
    [0, 'GET', 'a'],
    [0, 'FLUSHALL'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'GETREDIR'],
    [0, 'CLIENT', 'TRACKING', 'off'],
    [0, 'CLIENT', 'GETREDIR'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'GET', 'a'],
    [1, 'SET', 'a', '1'],
  ],
  'MULTI/EXEC, scripts, NOLOOP, expiry': [
    [0, 'HELLO', '3'],
    [0, 'CLIENT', 'TRACKING', 'on'],
    [0, 'GET', 'a'],
    [0, 'GET', 'b'],
    [0, 'MULTI'],
    [0, 'SET', 'a', '1'],
    [0, 'SET', 'b', '1'],
    [0, 'EXEC'],
    [0, 'GET', 'a'],
    [0, 'EVAL', GET_SET_SCRIPT, '2', 'a', 'zz'],
    [1, 'SET', 'zz', '1'],
    [0, 'EVAL_RO', 'return redis.call("get",KEYS[1])', '1', 'q'],
    [1, 'SET', 'q', '1'],
    [0, 'EVAL', 'return redis.call("get","w")', '0'],
    [1, 'SET', 'w', '1'],
    [0, 'CLIENT', 'TRACKING', 'on', 'NOLOOP'],
    [0, 'GET', 'a'],
    [0, 'SET', 'a', '5'],
    [1, 'GET', 'a'],
    [0, 'DEL', 'a'],
    [0, 'GET', 'a'],
    [1, 'SET', 'a', '6'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'SET', 'e', '1', 'PX', '1'],
    [0, 'GET', 'e'],
    [1, 'DEBUG', 'SLEEP', '0.01'],
    [1, 'GET', 'e'],
  ],
  'RESP2 redirect to a subscriber, broken redirect': [
    [0, 'CLIENT', 'TRACKING', 'on'],
    [0, 'CLIENT', 'GETREDIR'],
    [0, 'GET', 'a'],
    [1, 'SET', 'a', '1'],
    [1, 'SUBSCRIBE', '__redis__:invalidate'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$id1'],
    [0, 'CLIENT', 'GETREDIR'],
    [0, 'GET', 'a'],
    [2, 'SET', 'a', '2'],
    [0, 'MGET', 'a', 'b'],
    [2, 'FLUSHALL'],
    [0, 'GET', 'a'],
    [1, 'QUIT'],
    [2, 'SET', 'a', '3'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'GET', 'a'],
    [2, 'SET', 'a', '3'],
  ],
  'RESP3 redirect, broken redirect push, RESP3 target': [
    [0, 'HELLO', '3'],
    [1, 'HELLO', '3'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$id1'],
    [0, 'GET', 'a'],
    [2, 'SET', 'a', '1'],
    [0, 'GET', 'a'],
    [0, 'SET', 'a', '2'],
    [0, 'GET', 'a'],
    [1, 'QUIT'],
    [2, 'SET', 'a', '3'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'GET', 'a'],
    [2, 'SET', 'a', '4'],
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP', 'REDIRECT', '$id0'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'CACHING', 'yes'],
    [0, 'GET', 'a'],
    [0, 'SET', 'a', '5'],
    [2, 'SET', 'a', '6'],
  ],
  'RESP2 without redirect: nothing is sent': [
    [0, 'CLIENT', 'TRACKING', 'on'],
    [0, 'GET', 'a'],
    [1, 'SET', 'a', '1'],
    [0, 'SET', 'a', '2'],
    [0, 'FLUSHALL'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$id0'],
    [0, 'GET', 'a'],
    [1, 'SET', 'a', '1'],
  ],
  'OPTIN and OPTOUT with CLIENT CACHING': [
    [0, 'HELLO', '3'],
    [0, 'CLIENT', 'CACHING', 'yes'],
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN'],
    [0, 'CLIENT', 'CACHING', 'no'],
    [0, 'CLIENT', 'CACHING', 'maybe'],
    [0, 'CLIENT', 'CACHING', 'yes'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'ID'],
    [0, 'GET', 'a'],
    [0, 'GET', 'b'],
    [1, 'MSET', 'a', '1', 'b', '2'],
    [0, 'CLIENT', 'CACHING', 'yes'],
    [0, 'FOO'],
    [0, 'GET', 'b'],
    [1, 'SET', 'b', '3'],
    [0, 'CLIENT', 'CACHING', 'yes'],
    [0, 'MULTI'],
    [0, 'GET', 'a'],
    [0, 'GET', 'b'],
    [0, 'EXEC'],
    [0, 'GET', 'c'],
    [1, 'MSET', 'a', '1', 'b', '2', 'c', '3'],
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'],
    [0, 'CLIENT', 'TRACKING', 'off'],
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'],
    [0, 'CLIENT', 'CACHING', 'yes'],
    [0, 'CLIENT', 'CACHING', 'no'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'GET', 'a'],
    [0, 'GET', 'b'],
    [1, 'MSET', 'a', '1', 'b', '2', 'c', '3'],
    [0, 'RESET'],
    [0, 'CLIENT', 'TRACKINGINFO'],
  ],
  'BCAST: prefixes, batching, NOLOOP, overlaps': [
    [0, 'HELLO', '3'],
    [1, 'HELLO', '3'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b', 'PREFIX', 'bc'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'x'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'SET', 'bcd', '1'],
    [0, 'MSET', 'x', '1', 'a1', '2', 'a0', '3'],
    [1, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP', 'PREFIX', 'k'],
    [1, 'MSET', 'k1', '1', 'k2', '2'],
    [0, 'MSET', 'k1', '1', 'k3', '2'],
    [1, 'GET', 'k1'],
    [1, 'CLIENT', 'TRACKING', 'on'],
    [1, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'],
    [0, 'CLIENT', 'TRACKING', 'off'],
    [0, 'CLIENT', 'TRACKINGINFO'],
    [1, 'DEL', 'k1'],
    [1, 'FLUSHALL'],
  ],
  'argument errors': [
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'],
    [0, 'CLIENT', 'TRACKING', 'on', 'PREFIX', 'x'],
    [0, 'CLIENT', 'TRACKING', 'maybe'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '99999'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '0'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$id1', 'REDIRECT', '$id1'],
    [0, 'CLIENT', 'TRACKING', 'on', 'FOO'],
    [0, 'CLIENT', 'TRACKING', 'on', 'PREFIX'],
    [0, 'CLIENT', 'TRACKING', 'off', 'REDIRECT', '999'],
    [0, 'CLIENT', 'TRACKING', 'off', 'BCAST', 'PREFIX', 'a'],
    [0, 'CLIENT', 'TRACKING'],
    [0, 'CLIENT', 'CACHING'],
    [0, 'CLIENT', 'CACHING', 'yes', 'no'],
    [0, 'CLIENT', 'GETREDIR', 'x'],
    [0, 'CLIENT', 'TRACKINGINFO', 'x'],
    [0, 'CLIENT', 'TRACKING', 'OFF'],
    [0, 'client', 'tracking', 'ON', 'optin', 'noloop'],
    [0, 'CLIENT', 'TRACKING', 'on', 'optout'],
  ],
};

describe.skipIf(!redisAvailable)('tracking: transcripts against redis-server', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  for (const [name, steps] of Object.entries(scenarios)) {
    it(name, async () => {
      const [ours, theirs] = [
        await transcript(pair.byor.port, steps),
        await transcript(pair.redis.port, steps),
      ];
      expect(ours.join('\n')).toBe(theirs.join('\n'));
    });
  }

  it('CLIENT LIST flags and redir, INFO fields', async () => {
    const fields = async (port: number): Promise<string[]> => {
      const a = await RawClient.connect(port);
      const b = await RawClient.connect(port);
      try {
        const out: string[] = [];
        const idB = (await b.call('CLIENT', 'ID')).slice(1, -2);
        const line = async (): Promise<string> => {
          const text = await a.call('CLIENT', 'INFO');
          const flags = /flags=(\S+)/.exec(text)?.[1] ?? '';
          const redir = /redir=(\S+)/.exec(text)?.[1] ?? '';
          return `flags=${flags} redir=${redir === idB ? 'B' : redir}`;
        };
        const info = async (): Promise<string> => {
          const text = (await a.call('INFO', 'everything')).split('\r\n');
          return text.filter((l) => l.startsWith('tracking_')).join(' ');
        };
        out.push(await line(), await info());
        await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', idB);
        await a.call('MGET', 'k1', 'k2', 'k3');
        out.push(await line(), await info());
        await a.call('MULTI');
        out.push(await line());
        await a.call('DISCARD');
        await b.call('QUIT');
        await a.call('SET', 'k1', 'x');
        out.push(await line(), await info());
        await a.call('CLIENT', 'TRACKING', 'off');
        await a.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p', 'PREFIX', 'q');
        out.push(await line(), await info());
        await a.call('CLIENT', 'TRACKING', 'off');
        out.push(await line(), await info());
        await a.call('FLUSHALL');
        out.push(await info());
        return out;
      } finally {
        a.close();
        b.close();
      }
    };
    expect(await fields(pair.byor.port)).toEqual(await fields(pair.redis.port));
  });
});

describe('tracking-table-max-keys', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('evicts random keys down to the limit, invalidating them as if they changed', async () => {
    const client = await RawClient.connect(server.port);
    const other = await RawClient.connect(server.port);
    try {
      await client.call('HELLO', '3');
      await client.call('CLIENT', 'TRACKING', 'on');
      const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
      await client.call('MGET', ...keys);
      expect(await other.call('CONFIG', 'SET', 'tracking-table-max-keys', '2')).toBe('+OK\r\n');
      // the next command (any client) enforces the limit first
      await other.call('PING');
      const pushes = await client.drain(30);
      const evicted = [...pushes.matchAll(/\*1\r\n\$2\r\n(k\d)\r\n/g)].map((m) => m[1]);
      expect(evicted).toHaveLength(3);
      expect(new Set(evicted).size).toBe(3);
      for (const key of evicted) expect(keys).toContain(key);
      const info = await other.call('INFO', 'stats');
      expect(info).toContain('tracking_total_keys:2\r\n');
      expect(info).toContain('tracking_total_items:2\r\n');
      // the keys still tracked are the others
      const kept = keys.filter((key) => !evicted.includes(key));
      await other.call('MSET', ...kept.flatMap((key) => [key, 'v']));
      const rest = await client.drain(30);
      expect([...rest.matchAll(/\$2\r\n(k\d)\r\n/g)].map((m) => m[1]).sort()).toEqual(kept);
      await other.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    } finally {
      client.close();
      other.close();
    }
  });

  it('goes on evicting, more keys each turn, until the table is under the limit, with no command', async () => {
    const client = await RawClient.connect(server.port);
    const other = await RawClient.connect(server.port);
    try {
      await client.call('HELLO', '3');
      await client.call('CLIENT', 'TRACKING', 'on');
      const keys = Array.from({ length: 250 }, (_, i) => `key${i}`);
      await client.call('MGET', ...keys);
      await other.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
      // a first pass takes 100 keys, the next turns 200, 300...: all but one go
      const pushes = await client.drain(200);
      expect(pushes.match(/invalidate/g)).toHaveLength(249);
      await other.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    } finally {
      client.close();
      other.close();
    }
  });
});

describe('tracking table model', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('random remember / invalidate / flush / enable / disable against a Map of sets', () => {
    const core = server.server;
    const clients = Array.from({ length: 4 }, () => core.createClient(undefined));
    const tracking = Tracking.of(core);
    const key = fc.constantFrom('a', 'ab', 'b', 'ba', 'c', 'user:1', 'user:2', '');
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('remember' as const),
        at: fc.nat(3),
        keys: fc.array(key, { maxLength: 4 }),
      }),
      fc.record({ kind: fc.constant('invalidate' as const), key }),
      fc.record({ kind: fc.constant('flush' as const) }),
      fc.record({
        kind: fc.constant('enable' as const),
        at: fc.nat(3),
        bcast: fc.boolean(),
        prefixes: fc.array(fc.constantFrom('a', 'b', 'user:', 'zz'), { maxLength: 2 }),
      }),
      fc.record({ kind: fc.constant('disable' as const), at: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        for (const client of clients) tracking.disable(client);
        tracking.invalidateAll();
        const model = new Map<string, Set<number>>();
        const bcast = new Map<number, Set<string>>();
        for (const step of ops) {
          switch (step.kind) {
            case 'remember': {
              const client = clients[step.at];
              if (!client) break;
              const state = tracking.state(client);
              tracking.remember(client, step.keys);
              if (!state) break;
              for (const k of step.keys) {
                let ids = model.get(k);
                if (!ids) model.set(k, (ids = new Set()));
                ids.add(client.id);
              }
              break;
            }
            case 'invalidate':
              tracking.invalidateKey(undefined, step.key, true);
              model.delete(step.key);
              break;
            case 'flush':
              tracking.invalidateAll();
              model.clear();
              break;
            case 'enable': {
              const client = clients[step.at];
              if (!client) break;
              const flags = tracking.state(client)?.flags ?? 0;
              // the command refuses a switch of mode and overlapping prefixes
              if (flags & TrackingFlag.ON && !(flags & TrackingFlag.BCAST) !== !step.bcast) break;
              const prefixes = step.bcast ? step.prefixes : [];
              if (step.bcast && !tracking.checkPrefixes(client, prefixes).proceed) break;
              tracking.enable(client, 0, step.bcast ? TrackingFlag.BCAST : 0, prefixes);
              if (step.bcast) {
                const own = bcast.get(client.id) ?? new Set();
                if (prefixes.length === 0) own.add('');
                for (const p of prefixes) own.add(p);
                bcast.set(client.id, own);
              }
              break;
            }
            case 'disable': {
              const client = clients[step.at];
              if (!client) break;
              tracking.disable(client);
              bcast.delete(client.id);
              break;
            }
          }
          tracking.checkInvariants();
          const stats = tracking.stats();
          expect(stats.keys).toBe(model.size);
          let items = 0;
          for (const ids of model.values()) items += ids.size;
          expect(stats.items).toBe(items);
          expect(stats.prefixes).toBe(new Set([...bcast.values()].flatMap((s) => [...s])).size);
        }
        tracking.broadcast();
      }),
      { numRuns: 200 },
    );
    for (const client of clients) tracking.disable(client);
    tracking.invalidateAll();
    expect(tracking.stats()).toEqual({ clients: 0, keys: 0, items: 0, prefixes: 0 });
  });
});

describe("node-redis's client-side cache", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves repeated reads from its cache and drops entries when another client writes', async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const cached = createClient({
      url: `redis://127.0.0.1:${server.port}`,
      RESP: 3,
      clientSideCache: cache,
    });
    const writer = createClient({ url: `redis://127.0.0.1:${server.port}` });
    await Promise.all([cached.connect(), writer.connect()]);
    try {
      await writer.set('csc', 'one');
      expect(await cached.get('csc')).toBe('one');
      expect(await cached.get('csc')).toBe('one');
      expect(cache.stats().hitCount).toBe(1);
      await writer.set('csc', 'two');
      // the invalidation push arrives on the cached connection
      for (let i = 0; i < 50 && cache.stats().evictionCount + cache.stats().missCount < 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await cached.get('csc')).toBe('two');
      expect(cache.stats().missCount).toBe(2);
    } finally {
      cached.destroy();
      writer.destroy();
    }
  });
});
