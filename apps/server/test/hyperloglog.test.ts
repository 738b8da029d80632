import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../src/testing.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';

/**
 * HyperLogLog over TCP, on byor and redis-server side by side: properties of the estimate on
 * random inputs (within Redis's documented error, merges equal to unions, promotion keeping the
 * count), bytes carried from one server to the other, WATCH and keyspace notifications.
 */

/** PFSELFTEST's bound: 6 standard errors (1.04 / sqrt(16384) = 0.81%). */
const maxError = (n: number) => Math.ceil(6 * (1.04 / Math.sqrt(16384)) * n);

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe.skipIf(!redisAvailable)('HyperLogLog on byor and redis-server', () => {
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

  /** PFADD in batches of 2000 elements, pipelined. */
  const add = async (client: Redis, key: string, elements: readonly string[]) => {
    const pipeline = client.pipeline();
    for (let i = 0; i < elements.length; i += 2000)
      pipeline.pfadd(key, ...elements.slice(i, i + 2000));
    await pipeline.exec();
  };
  const both = async (...args: string[]): Promise<[unknown, unknown]> => {
    const [name, ...rest] = args;
    return Promise.all([byor.call(name!, ...rest), redis.call(name!, ...rest)]);
  };

  it('the count of n distinct random elements is within the documented error, as redis-server counts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 60_000 })),
        fc.string({ minLength: 1, maxLength: 8 }),
        async (n, prefix) => {
          const elements = range(`${prefix}:`, 0, n);
          await both('DEL', 'h');
          await Promise.all([add(byor, 'h', elements), add(redis, 'h', elements)]);
          const [count, oracle] = await both('PFCOUNT', 'h');
          expect(count).toBe(oracle);
          expect(Math.abs((count as number) - n)).toBeLessThanOrEqual(Math.max(maxError(n), 1));
          const [bytes, oracleBytes] = await Promise.all([
            byor.getBuffer('h'),
            redis.getBuffer('h'),
          ]);
          expect(bytes?.equals(oracleBytes!)).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('PFMERGE equals one HLL of the union, register for register', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 6_000 })),
          { minLength: 1, maxLength: 4 },
        ),
        async (parts) => {
          await byor.flushall();
          const keys = parts.map((_, i) => `part${i}`);
          const union = new Set<string>();
          for (const [i, [from, length]] of parts.entries()) {
            const elements = range('u', from, from + length);
            if (elements.length) await add(byor, keys[i]!, elements);
            for (const element of elements) union.add(element);
          }
          await byor.pfadd('union'); // created even when the union is empty
          await add(byor, 'union', [...union]);
          await byor.pfmerge('merged', ...keys);
          const [merged, direct, multi] = await Promise.all([
            byor.pfcount('merged'),
            byor.pfcount('union'),
            byor.pfcount(...keys),
          ]);
          expect(merged).toBe(direct);
          expect(multi).toBe(direct);
          const [mergedRegisters, unionRegisters] = await Promise.all([
            byor.call('PFDEBUG', 'GETREG', 'merged'),
            byor.call('PFDEBUG', 'GETREG', 'union'),
          ]);
          expect(mergedRegisters).toEqual(unionRegisters);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('sparse to dense promotion keeps the count', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2_500 }),
        fc.integer({ min: 20, max: 400 }),
        async (n, maxBytes) => {
          await byor.flushall();
          const elements = range('p', 0, n);
          await add(byor, 'sparse', elements);
          await byor.config('SET', 'hll-sparse-max-bytes', String(maxBytes));
          try {
            await add(byor, 'promoted', elements);
          } finally {
            await byor.config('SET', 'hll-sparse-max-bytes', '3000');
          }
          const count = await byor.pfcount('sparse');
          // PFCOUNT of two keys recomputes (no cached value), whatever the encoding
          expect(await byor.pfcount('promoted', 'missing')).toBe(count);
          expect(await byor.pfcount('sparse', 'missing')).toBe(count);
          expect(await byor.pfcount('promoted')).toBe(count);
          await byor.call('PFDEBUG', 'TODENSE', 'sparse');
          expect(await byor.call('PFDEBUG', 'ENCODING', 'sparse')).toBe('dense');
          expect(await byor.pfcount('sparse', 'missing')).toBe(count);
          expect(await byor.call('PFDEBUG', 'GETREG', 'sparse')).toEqual(
            await byor.call('PFDEBUG', 'GETREG', 'promoted'),
          );
        },
      ),
      { numRuns: 20 },
    );
  });

  /** Runs the same commands on both servers; every reply must be the same. */
  const sameReplies = async (commands: readonly (readonly string[])[]) => {
    for (const command of commands) {
      const [name, ...rest] = command;
      const [result, oracle] = await Promise.all([
        byor.callBuffer(name!, ...rest).catch((error: unknown) => String(error)),
        redis.callBuffer(name!, ...rest).catch((error: unknown) => String(error)),
      ]);
      expect(result, command.join(' ').slice(0, 200)).toEqual(oracle);
    }
  };

  it('random PFADD, PFMERGE, PFCOUNT sequences give redis-server replies and bytes', async () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const element = fc.oneof(fc.string({ maxLength: 3 }), fc.nat(5000).map(String));
    const command = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .tuple(key, fc.array(element, { maxLength: 6 }))
          .map(([k, elements]) => ['PFADD', k, ...elements]),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(key, fc.nat(100_000), fc.integer({ min: 1, max: 700 }))
          .map(([k, from, n]) => ['PFADD', k, ...range('n', from, from + n)]),
      },
      {
        weight: 2,
        arbitrary: fc
          .array(key, { minLength: 1, maxLength: 3 })
          .map((keys) => ['PFCOUNT', ...keys]),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(key, { minLength: 1, maxLength: 3 })
          .map((keys) => ['PFMERGE', ...keys]),
      },
      { weight: 1, arbitrary: key.map((k) => ['PFDEBUG', 'TODENSE', k]) },
      { weight: 2, arbitrary: key.map((k) => ['GET', k]) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 40 }),
        fc.constantFrom('3000', '200', '600', '1500'),
        async (commands, maxBytes) => {
          await both('FLUSHALL');
          await both('CONFIG', 'SET', 'hll-sparse-max-bytes', maxBytes);
          try {
            await sameReplies([...commands, ['GET', 'a'], ['GET', 'b'], ['GET', 'c']]);
          } finally {
            await both('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('damaged HLL strings get redis-server replies', async () => {
    const opcode = fc.oneof(
      fc.integer({ min: 1, max: 64 }).map((n) => String.fromCharCode(n - 1)),
      fc
        .integer({ min: 1, max: 16384 })
        .map((n) => String.fromCharCode(0x40 | ((n - 1) >> 8), (n - 1) & 0xff)),
      fc
        .tuple(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 4 }))
        .map(([v, run]) => String.fromCharCode(0x80 | ((v - 1) << 2) | (run - 1))),
      fc.nat(255).map((byte) => String.fromCharCode(byte)),
    );
    const body = fc.oneof(
      fc.array(opcode, { maxLength: 12 }).map((ops) => ops.join('')),
      // mostly valid: a prefix of zeroes and values that may or may not cover 16384 registers
      fc
        .tuple(fc.array(opcode, { maxLength: 8 }), fc.integer({ min: 16000, max: 16384 }))
        .map(
          ([ops, n]) => ops.join('') + String.fromCharCode(0x40 | ((n - 1) >> 8), (n - 1) & 0xff),
        ),
    );
    const card = fc.oneof(
      fc.constant('\x00\x00\x00\x00\x00\x00\x00\x80'),
      fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        card,
        fc.array(fc.nat(3000).map(String), { maxLength: 20 }),
        async (sparse, cached, elements) => {
          const value = Buffer.from(`HYLL\x01\x00\x00\x00${cached}${sparse}`, 'latin1');
          await both('FLUSHALL');
          await Promise.all([byor.set('h', value), redis.set('h', value)]);
          await sameReplies([
            ['PFCOUNT', 'h'],
            ['PFCOUNT', 'h', 'missing'],
            ['PFDEBUG', 'DECODE', 'h'],
            ['PFADD', 'h', ...elements],
            ['GET', 'h'],
            ['PFMERGE', 'dest', 'h'],
            ['GET', 'dest'],
            ['PFDEBUG', 'TODENSE', 'h'],
            ['GET', 'h'],
            ['PFCOUNT', 'h'],
          ]);
        },
      ),
      {
        numRuns: 300,
        // registers covered exactly, then one more run: corrupted for every command
        examples: [['\x7f\xfe\x80\x80', '\x00'.repeat(8), []]],
      },
    );
  });

  it('bytes copied from redis-server to byor and back stay one HLL', async () => {
    for (const n of [3, 400, 5000]) {
      await both('FLUSHALL');
      await add(redis, 'from-redis', range('a', 0, n));
      await add(byor, 'from-byor', range('b', 0, n));
      const [fromRedis, fromByor] = await Promise.all([
        redis.getBuffer('from-redis'),
        byor.getBuffer('from-byor'),
      ]);
      await byor.set('from-redis', fromRedis!);
      await redis.set('from-byor', fromByor!);
      for (const key of ['from-redis', 'from-byor']) {
        const [count, oracle] = await both('PFCOUNT', key);
        expect(count).toBe(oracle);
        await Promise.all([add(byor, key, range('c', 0, n)), add(redis, key, range('c', 0, n))]);
        const [after, oracleAfter] = await Promise.all([byor.getBuffer(key), redis.getBuffer(key)]);
        expect(after?.toString('hex')).toBe(oracleAfter?.toString('hex'));
        expect(
          (await both('PFCOUNT', key, 'from-redis', 'missing')).every((x, _, all) => x === all[0]),
        ).toBe(true);
      }
      // DUMP/RESTORE carries the same bytes both ways
      const [dump, oracleDump] = await Promise.all([
        byor.dumpBuffer('from-byor'),
        redis.dumpBuffer('from-byor'),
      ]);
      await Promise.all([
        byor.restore('restored', 0, oracleDump),
        redis.restore('restored', 0, dump),
      ]);
      const [restored, oracleRestored] = await Promise.all([
        byor.getBuffer('restored'),
        redis.getBuffer('restored'),
      ]);
      expect(restored?.toString('hex')).toBe(oracleRestored?.toString('hex'));
      expect(await byor.pfcount('restored')).toBe(await redis.pfcount('from-byor'));
    }
  });

  it('WATCH sees a PFADD that changed registers or a PFCOUNT that cached, not one that changed nothing', async () => {
    const transaction = async (client: Redis, command: string[]) => {
      await client.watch('h');
      await client.call(command[0]!, ...command.slice(1));
      return client.multi().get('other').exec();
    };
    const script: string[][] = [
      ['PFADD', 'h', 'a'], // changes nothing
      ['PFADD', 'h', 'zz', 'yy'], // changes registers
      ['PFCOUNT', 'h'], // caches the count: the value changed
      ['PFCOUNT', 'h'], // cached already
      ['PFADD', 'h'],
      ['PFMERGE', 'h'],
    ];
    await both('FLUSHALL');
    await both('PFADD', 'h', 'a', 'b');
    for (const command of script) {
      const [result, oracle] = await Promise.all([
        transaction(byor, command),
        transaction(redis, command),
      ]);
      expect(result === null).toBe(oracle === null);
    }
  });

  it('keyspace notifications: pfadd for PFADD and PFMERGE, as redis-server sends them', async () => {
    const listen = async (port: number) => {
      const subscriber = new Redis({ port, host: '127.0.0.1', protocol: 2 });
      const events: string[] = [];
      // the SET that ends the script is the last event: once it is here, all are
      const done = new Promise<void>((resolve) => {
        subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
          events.push(`${channel} ${message}`);
          if (channel === '__keyevent@0__:set' && message === 'done') resolve();
        });
      });
      await subscriber.psubscribe('__keyevent@0__:*');
      return { subscriber, events, done };
    };
    await both('FLUSHALL');
    const [a, b] = await Promise.all([listen(pair.byor.port), listen(pair.redis.port)]);
    try {
      for (const command of [
        ['PFADD', 'h', 'a'],
        ['PFADD', 'h', 'a'],
        ['PFCOUNT', 'h'],
        ['PFMERGE', 'm', 'h'],
        ['PFADD', 'empty'],
        ['PFDEBUG', 'TODENSE', 'h'],
        ['SET', 'done', '1'],
      ])
        await both(...command);
      await Promise.all([a.done, b.done]);
      expect(a.events).toEqual(b.events);
      expect(a.events).toContain('__keyevent@0__:pfadd h');
    } finally {
      a.subscriber.disconnect();
      b.subscriber.disconnect();
    }
  });
});

describe('HyperLogLog propagation (AOF and replicas)', () => {
  it('propagates what changed the bytes, as redis-server: PFCOUNT too when it caches', async () => {
    const test = await createTestServer();
    try {
      const propagated: string[] = [];
      const previous = test.server.hooks.propagate;
      test.server.hooks.propagate = (db, argv) => {
        propagated.push(argv.join(' '));
        previous?.(db, argv);
      };
      const table: [string[], string[]][] = [
        [['PFADD', 'h', 'a', 'b'], ['PFADD h a b']],
        [['PFADD', 'h', 'a'], []],
        [['PFCOUNT', 'h'], ['PFCOUNT h']], // the cached cardinality is written into the value
        [['PFCOUNT', 'h'], []],
        [['PFCOUNT', 'h', 'x'], []],
        [['PFMERGE', 'm', 'h'], ['PFMERGE m h']],
        [['PFDEBUG', 'ENCODING', 'h'], []],
        [['PFDEBUG', 'TODENSE', 'h'], ['PFDEBUG TODENSE h']],
        [['PFDEBUG', 'TODENSE', 'h'], []],
        [['PFDEBUG', 'GETREG', 'm'], ['PFDEBUG GETREG m']],
        [['PFDEBUG', 'GETREG', 'm'], []],
        [['PFADD', 'h'], []],
      ];
      for (const [command, expected] of table) {
        propagated.length = 0;
        test.call(command);
        expect(propagated, command.join(' ')).toEqual(expected);
      }
    } finally {
      await test.close();
    }
  });
});
