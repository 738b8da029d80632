import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * Hashes over TCP, for what a byte comparison cannot cover: random replies (HRANDFIELD) checked
 * by properties on byor and on redis-server alike, full HSCAN iterations of hashtable-encoded
 * hashes (cursors differ between implementations), keyspace notifications, WATCH, real clients.
 */

/** HSET arguments for fields f0..f(n-1) with values v0..v(n-1). */
const fieldArgs = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]).flat();

describe.skipIf(!redisAvailable)('hashes on byor and redis-server', () => {
  let pair: Pair;
  let byor: Redis;
  let redis: Redis;
  beforeAll(async () => {
    pair = await startPair({ 'notify-keyspace-events': 'KEA' });
    byor = new Redis({ port: pair.byor.port, host: '127.0.0.1', protocol: 2 });
    redis = new Redis({ port: pair.redis.port, host: '127.0.0.1', protocol: 2 });
  });
  afterAll(async () => {
    byor.disconnect();
    redis.disconnect();
    await pair.stop();
  });

  /** Runs one command on both servers. */
  const both = async (...args: (string | number)[]): Promise<[unknown, unknown]> => {
    const [name, ...rest] = args.map(String);
    return Promise.all([byor.call(name!, ...rest), redis.call(name!, ...rest)]);
  };

  it('HRANDFIELD: lengths, membership, values and distinctness hold on both servers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constant(600)),
        fc.integer({ min: -70, max: 70 }),
        fc.boolean(),
        async (size, count, withValues) => {
          await both('DEL', 'h');
          await both('HSET', 'h', ...fieldArgs(size));
          const args = ['HRANDFIELD', 'h', count, ...(withValues ? ['WITHVALUES'] : [])];
          const [ours, theirs] = (await both(...args)) as [string[], string[]];
          const picks = count < 0 ? -count : Math.min(count, size);
          for (const reply of [ours, theirs]) {
            expect(reply).toHaveLength(withValues ? picks * 2 : picks);
            const fields = withValues ? reply.filter((_, i) => i % 2 === 0) : reply;
            for (const field of fields) expect(Number(field.slice(1))).toBeLessThan(size);
            if (withValues)
              for (let i = 0; i < reply.length; i += 2)
                expect(reply[i + 1]).toBe(`v${reply[i]!.slice(1)}`);
            if (count > 0) expect(new Set(fields).size).toBe(fields.length);
          }
          // the whole hash: a listpack answers in insertion order, byte for byte
          if (count >= size && size <= 512) expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('HRANDFIELD with a negative count draws every field of a small hash', async () => {
    await both('DEL', 'h');
    await both('HSET', 'h', ...fieldArgs(4));
    const [ours] = (await both('HRANDFIELD', 'h', -2000)) as [string[], string[]];
    expect(new Set(ours)).toEqual(new Set(['f0', 'f1', 'f2', 'f3']));
    const [single] = (await both('HRANDFIELD', 'h')) as [string, string];
    expect(['f0', 'f1', 'f2', 'f3']).toContain(single);
  });

  it('HSCAN of a hashtable-encoded hash returns every field, with MATCH and COUNT', async () => {
    await both('DEL', 'h');
    await both('HSET', 'h', ...fieldArgs(1500));
    for (const options of [
      [],
      ['COUNT', '7'],
      ['COUNT', '1000'],
      ['COUNT', '8589934592'],
      ['MATCH', 'f1*', 'COUNT', '50'],
    ]) {
      const results: Map<string, string>[] = [];
      for (const client of [byor, redis]) {
        const seen = new Map<string, string>();
        let cursor = '0';
        let calls = 0;
        do {
          const [next, items] = (await client.call('HSCAN', 'h', cursor, ...options)) as [
            string,
            string[],
          ];
          for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
          cursor = next;
          calls++;
        } while (cursor !== '0' && calls < 10_000);
        expect(cursor).toBe('0');
        // a COUNT beyond the table returns it all in one call
        if (options[1] === '8589934592') expect(calls).toBe(1);
        results.push(seen);
      }
      expect(results[0]).toEqual(results[1]);
      const expected = options.includes('MATCH') ? 611 : 1500; // f1, f10-f19, f100-f199, f1000-f1499
      expect(results[0]!.size).toBe(expected);
    }
  });

  it('HSCAN returns the fields present for the whole scan while others come and go', async () => {
    for (const client of [byor, redis]) {
      await client.del('h');
      await client.call('HSET', 'h', ...fieldArgs(800));
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, items] = (await client.call('HSCAN', 'h', cursor, 'COUNT', '20')) as [
          string,
          string[],
        ];
        for (let i = 0; i < items.length; i += 2) seen.add(items[i]!);
        cursor = next;
        // fields f600.. are deleted and re-added, new fields arrive
        await client.hdel('h', `f${600 + (round % 200)}`);
        await client.hset('h', `new${round}`, 'x');
        round++;
      } while (cursor !== '0');
      for (let i = 0; i < 600; i++) expect(seen.has(`f${i}`)).toBe(true);
    }
  });

  it('a huge negative count closes the client at the output-buffer hard limit', async () => {
    await both('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
    try {
      for (const port of [pair.byor.port, pair.redis.port]) {
        const client = await RawClient.connect(port);
        try {
          await client.call(...['HSET', 'big', 'field', 'v'.repeat(100)]);
          client.sendOnly(...['HRANDFIELD', 'big', '-100000000', 'WITHVALUES']);
          await client.closed();
        } finally {
          client.close();
        }
      }
    } finally {
      await both('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
    }
  });

  it('keyspace notifications: the same events, in the same order', async () => {
    const subscribers = await Promise.all([
      RawClient.connect(pair.byor.port),
      RawClient.connect(pair.redis.port),
    ]);
    try {
      await both('FLUSHALL');
      await Promise.all(subscribers.map((s) => s.call('PSUBSCRIBE', '__key*__:*')));
      const script: (string | number)[][] = [
        ['HSET', 'h', 'a', '1', 'b', '2'],
        ['HSET', 'h', 'a', '1'],
        ['HMSET', 'h', 'c', '3'],
        ['HSETNX', 'h', 'a', 'x'],
        ['HSETNX', 'h', 'd', 'x'],
        ['HINCRBY', 'h', 'n', '5'],
        ['HINCRBYFLOAT', 'h', 'n', '1.5'],
        ['HINCRBY', 'h', 'a', 'x'],
        ['HDEL', 'h', 'nope'],
        ['HDEL', 'h', 'a', 'b'],
        ['HDEL', 'h', 'c', 'd', 'n'],
        ['HSETNX', 'fresh', 'f', 'v'],
        ['HINCRBYFLOAT', 'fresh2', 'f', '2'],
        ['SET', 'str', 'v'],
        ['HSET', 'str', 'a', '1'],
        ['HDEL', 'fresh', 'f'],
      ];
      for (const command of script) {
        const [name, ...rest] = command.map(String);
        await byor.call(name!, ...rest).catch(() => undefined);
        await redis.call(name!, ...rest).catch(() => undefined);
      }
      const [ours, theirs] = await Promise.all(subscribers.map((s) => s.drain(100)));
      expect(ours!.length).toBeGreaterThan(0);
      expect(ours).toBe(theirs);
    } finally {
      for (const s of subscribers) s.close();
    }
  });

  it('WATCH: writes that change a hash abort the transaction, no-ops do not', async () => {
    const cases: [string, (string | number)[]][] = [
      ['HSET', ['HSET', 'w', 'a', 'new']],
      ['HSET same value', ['HSET', 'w', 'a', '1']],
      ['HSETNX existing field', ['HSETNX', 'w', 'a', 'x']],
      ['HDEL missing field', ['HDEL', 'w', 'nope']],
      ['HDEL', ['HDEL', 'w', 'a']],
      ['HINCRBY', ['HINCRBY', 'w', 'n', '1']],
      ['HGET', ['HGET', 'w', 'a']],
    ];
    for (const [name, write] of cases) {
      const outcomes: unknown[] = [];
      for (const port of [pair.byor.port, pair.redis.port]) {
        const watcher = await RawClient.connect(port);
        const writer = await RawClient.connect(port);
        try {
          await watcher.call('DEL', 'w');
          await watcher.call('HSET', 'w', 'a', '1', 'b', '2');
          await watcher.call('WATCH', 'w');
          await writer.call(...write.map(String));
          await watcher.call('MULTI');
          await watcher.call('HLEN', 'w');
          outcomes.push(await watcher.call('EXEC'));
        } finally {
          watcher.close();
          writer.close();
        }
      }
      expect(outcomes[0], name).toBe(outcomes[1]);
    }
  });
});

describe('hashes with real clients', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('ioredis: objects in and out, HSCAN stream, pipelines', async () => {
    const client = new Redis({ port: server.port, host: '127.0.0.1' });
    try {
      expect(await client.hset('user:1', { name: 'Ada', born: '1815', lang: 'none' })).toBe(3);
      expect(await client.hgetall('user:1')).toEqual({ name: 'Ada', born: '1815', lang: 'none' });
      expect(await client.hincrby('user:1', 'born', 1)).toBe(1816);
      expect(await client.hincrbyfloat('user:1', 'score', '2.5')).toBe('2.5');
      expect(await client.hmget('user:1', 'name', 'missing')).toEqual(['Ada', null]);
      expect(await client.hkeys('user:1')).toEqual(['name', 'born', 'lang', 'score']);
      expect(await client.hdel('user:1', 'lang', 'missing')).toBe(1);
      await client.hset(
        'big',
        Object.fromEntries(Array.from({ length: 700 }, (_, i) => [`k${i}`, `${i}`])),
      );
      const keys = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const stream = client.hscanStream('big', { count: 50 });
        stream.on('data', (items: string[]) => {
          for (let i = 0; i < items.length; i += 2) keys.add(items[i]!);
        });
        stream.on('end', () => resolve());
        stream.on('error', reject);
      });
      expect(keys.size).toBe(700);
      const piped = await client
        .pipeline()
        .hlen('big')
        .hexists('big', 'k5')
        .hstrlen('big', 'k123')
        .exec();
      expect(piped).toEqual([
        [null, 700],
        [null, 1],
        [null, 3],
      ]);
    } finally {
      client.disconnect();
    }
  });

  it('node-redis (RESP3): HGETALL as a map, HRANDFIELD WITHVALUES as pairs', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP: 3 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.hSet('nr:h', { a: '1', b: '2' });
      expect(await client.hGetAll('nr:h')).toEqual({ a: '1', b: '2' });
      const pairs = await client.hRandFieldCountWithValues('nr:h', 5);
      expect(pairs).toHaveLength(2);
      expect(await client.hGet('nr:h', 'b')).toBe('2');
      expect(await client.hLen('nr:missing')).toBe(0);
    } finally {
      await client.quit().catch(() => {});
    }
  });
});
