import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * Sets over TCP, for what a byte comparison cannot cover: random replies (SRANDMEMBER, SPOP)
 * checked by properties on byor and on redis-server alike, full SSCAN iterations of
 * hashtable-encoded sets, keyspace notifications, WATCH, real clients.
 */

const ints = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const isInteger = (member: string) => /^(?:0|-?[1-9]\d{0,18})$/.test(member);
const ascending = (members: string[]) =>
  members.every((m, i) => i === 0 || BigInt(members[i - 1]!) < BigInt(m));

/** The kinds of sets the properties run on, and how to build them. */
const kinds: Record<string, string[][]> = {
  intset: [['SADD', 's', ...ints(-5, 20)]],
  'large intset': [['SADD', 's', ...ints(1, 500)]],
  'hashtable of integers (past the limit)': [['SADD', 's', ...ints(1, 600)]],
  'hashtable of integers (a string came and went)': [
    ['SADD', 's', 'x', ...ints(1, 40)],
    ['SREM', 's', 'x'],
  ],
  'strings and integers': [['SADD', 's', 'a', 'b', 'c', ...ints(1, 30)]],
  strings: [['SADD', 's', ...Array.from({ length: 50 }, (_, i) => `m${i}`)]],
};

describe.skipIf(!redisAvailable)('sets on byor and redis-server', () => {
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

  const both = async (...args: (string | number)[]): Promise<[unknown, unknown]> => {
    const [name, ...rest] = args.map(String);
    return Promise.all([byor.call(name!, ...rest), redis.call(name!, ...rest)]);
  };
  const build = async (kind: string) => {
    await both('DEL', 's');
    for (const command of kinds[kind]!) await both(...command);
    const [members] = (await both('SMEMBERS', 's')) as [string[], string[]];
    return new Set(members);
  };

  it('SRANDMEMBER: lengths, membership and distinctness hold on both servers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(kinds)),
        fc.integer({ min: -80, max: 80 }),
        async (kind, count) => {
          const members = await build(kind);
          const [ours, theirs] = (await both('SRANDMEMBER', 's', count)) as [string[], string[]];
          const picks = count < 0 ? -count : Math.min(count, members.size);
          for (const reply of [ours, theirs]) {
            expect(reply).toHaveLength(picks);
            for (const member of reply) expect(members.has(member)).toBe(true);
            if (count > 0) expect(new Set(reply).size).toBe(reply.length);
          }
          // the whole set, in the set's own order: defined for an intset
          const [encoding] = await both('OBJECT', 'ENCODING', 's');
          if (count >= members.size && encoding === 'intset') expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('SPOP with a count: the popped and the kept partition the set; encodings as redis-server', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(kinds)),
        fc.nat({ max: 700 }),
        async (kind, wanted) => {
          const original = await build(kind);
          const size = original.size;
          const count = Math.min(wanted, size + 3);
          const [encodingBefore] = await both('OBJECT', 'ENCODING', 's');
          await both('EXPIRE', 's', 1000);
          const replies = (await both('SPOP', 's', count)) as [string[], string[]];
          const rest = (await both('SMEMBERS', 's')) as [string[], string[]];
          const encodings = await both('OBJECT', 'ENCODING', 's');
          // the rebuilt set keeps the key's TTL (dbOverwrite)
          const ttls = (await both('TTL', 's')) as [number, number];
          for (const ttl of ttls) expect(count >= size ? ttl === -2 : ttl > 990).toBe(true);
          for (const side of [0, 1] as const) {
            const popped = replies[side];
            const kept = rest[side];
            expect(popped).toHaveLength(Math.min(count, size));
            expect(new Set(popped).size).toBe(popped.length);
            expect(new Set([...popped, ...kept])).toEqual(original);
            expect(popped.length + kept.length).toBe(size);
            const allIntegers = popped.every(isInteger);
            if (count >= size) {
              // served as SUNION: an intset-built reply is sorted
              if (allIntegers && size <= 512) expect(ascending(popped)).toBe(true);
              expect(encodings[side]).toBeNull();
            } else if ((size - count) * 5 <= count) {
              // rebuilt from the kept members: the old set's order for the popped ones
              if (encodingBefore === 'intset') expect(ascending(popped)).toBe(true);
              const intset = kept.every(isInteger) && kept.length <= 512;
              expect(encodings[side]).toBe(intset ? 'intset' : 'hashtable');
            } else {
              expect(encodings[side]).toBe(encodingBefore);
            }
          }
          // which members stay is random: the encodings agree unless that choice decides it
          const rebuilt = count < size && (size - count) * 5 <= count;
          if (!rebuilt || [...original].every(isInteger)) expect(encodings[0]).toBe(encodings[1]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('SPOP without a count empties a set one member at a time', async () => {
    for (const kind of ['intset', 'strings and integers']) {
      const original = await build(kind);
      const popped: string[] = [];
      for (let i = 0; i < original.size; i++) popped.push((await byor.spop('s'))!);
      expect(new Set(popped)).toEqual(original);
      expect(await byor.exists('s')).toBe(0);
      expect(await byor.spop('s')).toBeNull();
    }
  });

  it('SSCAN of a hashtable-encoded set returns every member, with MATCH and COUNT', async () => {
    await both('DEL', 's');
    await both('SADD', 's', ...ints(1, 2000), 'x');
    for (const options of [[], ['COUNT', '3'], ['COUNT', '5000'], ['MATCH', '*7', 'COUNT', '40']]) {
      const results: Set<string>[] = [];
      for (const client of [byor, redis]) {
        const seen = new Set<string>();
        let cursor = '0';
        let calls = 0;
        do {
          const [next, items] = (await client.call('SSCAN', 's', cursor, ...options)) as [
            string,
            string[],
          ];
          for (const item of items) seen.add(item);
          cursor = next;
          calls++;
        } while (cursor !== '0' && calls < 10_000);
        expect(cursor).toBe('0');
        results.push(seen);
      }
      expect(results[0]).toEqual(results[1]);
      expect(results[0]!.size).toBe(options.includes('MATCH') ? 200 : 2001);
    }
  });

  it('SSCAN returns the members present for the whole scan while others come and go', async () => {
    for (const client of [byor, redis]) {
      await client.del('s');
      await client.call('SADD', 's', ...ints(1, 900), 'x');
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, items] = (await client.call('SSCAN', 's', cursor, 'COUNT', '25')) as [
          string,
          string[],
        ];
        for (const item of items) seen.add(item);
        cursor = next;
        await client.srem('s', String(700 + (round % 200)));
        await client.sadd('s', `new${round}`);
        round++;
      } while (cursor !== '0');
      for (let i = 1; i < 700; i++) expect(seen.has(String(i))).toBe(true);
    }
  });

  it('a huge negative count closes the client at the output-buffer hard limit', async () => {
    await both('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
    try {
      for (const port of [pair.byor.port, pair.redis.port]) {
        const client = await RawClient.connect(port);
        try {
          await client.call(...['SADD', 'big', 'm'.repeat(100)]);
          client.sendOnly(...['SRANDMEMBER', 'big', '-100000000']);
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
      const script: string[][] = [
        ['SADD', 'a', '1', '2', '3'],
        ['SADD', 'a', '1'],
        ['SADD', 'b', 'x', '2'],
        ['SREM', 'a', 'nope'],
        ['SREM', 'a', '1'],
        ['SMOVE', 'a', 'b', '2'],
        ['SMOVE', 'a', 'b', 'nope'],
        ['SMOVE', 'a', 'c', '3'],
        ['SMOVE', 'b', 'b', 'x'],
        ['SINTERSTORE', 'd', 'b', 'c'],
        ['SADD', 'c', 'x'],
        ['SINTERSTORE', 'd', 'b', 'c'],
        ['SINTERSTORE', 'd', 'b', 'missing'],
        ['SUNIONSTORE', 'u', 'b', 'c'],
        ['SUNIONSTORE', 'u', 'missing'],
        ['SDIFFSTORE', 'df', 'b', 'c'],
        ['SDIFFSTORE', 'df', 'b', 'b'],
        ['SPOP', 'b'],
        ['SPOP', 'c', '0'],
        ['SPOP', 'c', '5'],
        ['SADD', 'p', '1', '2', '3', '4', '5', '6', '7'],
        ['SPOP', 'p', '2'],
        ['SPOP', 'p', '4'],
        ['SET', 'str', 'v'],
        ['SADD', 'str', 'm'],
        ['SINTERSTORE', 'str', 'p'],
        ['EXPIRE', 'str', '100'],
        ['SUNIONSTORE', 'str', 'p'],
      ];
      for (const [name, ...rest] of script) {
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

  it('WATCH: writes that change a set abort the transaction, no-ops do not', async () => {
    const cases: string[][] = [
      ['SADD', 'w', '9'],
      ['SADD', 'w', '1'],
      ['SREM', 'w', 'nope'],
      ['SREM', 'w', '1'],
      ['SMOVE', 'w', 'other', 'nope'],
      ['SMOVE', 'w', 'other', '2'],
      ['SMOVE', 'other', 'w', 'o'],
      ['SMOVE', 'other', 'w', '1'],
      ['SPOP', 'w', '0'],
      ['SPOP', 'w', '1'],
      ['SINTERSTORE', 'w', 'w', 'other'],
      ['SINTERSTORE', 'w', 'nothing'],
      ['SDIFFSTORE', 'w', 'w', 'nothing'],
      ['SRANDMEMBER', 'w', '2'],
    ];
    for (const write of cases) {
      const outcomes: string[] = [];
      for (const port of [pair.byor.port, pair.redis.port]) {
        const watcher = await RawClient.connect(port);
        const writer = await RawClient.connect(port);
        try {
          await watcher.call('DEL', 'w', 'other');
          await watcher.call('SADD', 'w', '1', '2', '3');
          await watcher.call('SADD', 'other', 'o', '1');
          await watcher.call('WATCH', 'w');
          await writer.call(...write);
          await watcher.call('MULTI');
          await watcher.call('SCARD', 'w');
          outcomes.push(await watcher.call('EXEC'));
        } finally {
          watcher.close();
          writer.close();
        }
      }
      expect(outcomes[0], write.join(' ')).toBe(outcomes[1]);
    }
  });
});

describe('sets with real clients', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('ioredis: members, algebra, SSCAN stream', async () => {
    const client = new Redis({ port: server.port, host: '127.0.0.1' });
    try {
      expect(await client.sadd('tags:a', 'red', 'green', 'blue')).toBe(3);
      expect(await client.sadd('tags:b', 'green', 'blue', 'black')).toBe(3);
      expect((await client.sinter('tags:a', 'tags:b')).sort()).toEqual(['blue', 'green']);
      expect((await client.sdiff('tags:a', 'tags:b')).sort()).toEqual(['red']);
      expect(await client.sunionstore('tags:all', 'tags:a', 'tags:b')).toBe(4);
      expect(await client.smismember('tags:all', 'red', 'pink')).toEqual([1, 0]);
      expect(await client.sintercard(2, 'tags:a', 'tags:b')).toBe(2);
      await client.sadd('numbers', ...ints(1, 1000));
      const seen = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        const stream = client.sscanStream('numbers', { count: 100 });
        stream.on('data', (items: string[]) => items.forEach((m) => seen.add(m)));
        stream.on('end', () => resolve());
        stream.on('error', reject);
      });
      expect(seen.size).toBe(1000);
      expect(await client.smembers('missing')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('node-redis (RESP3): SMEMBERS as a set reply, SPOP, SRANDMEMBER', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP: 3 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.sAdd('nr:s', ['3', '1', '2']);
      expect(await client.sMembers('nr:s')).toEqual(['1', '2', '3']);
      expect(await client.sIsMember('nr:s', '2')).toBe(1);
      expect(await client.sRandMemberCount('nr:s', 10)).toEqual(['1', '2', '3']);
      expect((await client.sPopCount('nr:s', 5)).sort()).toEqual(['1', '2', '3']);
      expect(await client.exists('nr:s')).toBe(0);
    } finally {
      await client.quit().catch(() => {});
    }
  });
});
