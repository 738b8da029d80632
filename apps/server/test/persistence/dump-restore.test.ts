import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, runCases, type DiffCase, type Pair } from '../differential/harness.js';
import { startRedisServer } from '@byor/test-oracle';
import { Conn, ReplyFailure } from './client.js';
import { dumpPayload, startByor, tempDir } from './helpers.js';
import { persistenceOf } from '../../src/persistence/persistence.js';
import { datasetCommands, keyspaceDifferences, readKeyspace, runAll } from './keyspace.js';

/** DUMP and RESTORE against redis-server 7.0: the same payload bytes, the same errors. */
describe.skipIf(!redisAvailable)('DUMP / RESTORE', () => {
  let pair: Pair;
  const dir = tempDir();
  beforeAll(async () => {
    // a directory of its own: BGSAVE inside MULTI is scheduled and then runs
    const byor = await startByor({ config: { dir: dir.path, save: '' } });
    const redis = await startRedisServer();
    pair = {
      byor,
      redis,
      stop: async () => {
        await byor.close();
        await redis.stop();
      },
    };
  });
  afterAll(async () => {
    await persistenceOf(pair.byor.server).idle();
    await pair.stop();
    dir.remove();
  });

  async function dumpOf(port: number, setup: (string | number)[][], key: string): Promise<string> {
    const conn = await Conn.connect(port);
    try {
      await conn.call('FLUSHALL');
      for (const command of setup) await conn.call(...command);
      return String(await conn.call('DUMP', key));
    } finally {
      await conn.close();
    }
  }

  it('writes the same DUMP payload bytes as redis-server (rdbcompression no)', async () => {
    const compact = datasetCommands(5);
    // keys whose encodings iterate in a defined order (hashtable sets and hashes do not)
    const keys = [
      'int8',
      'int16',
      'int32',
      'int64',
      'notint',
      'empty',
      'short',
      'compressible',
      'binary',
      'big',
      'list-small',
      'list-long',
      'list-wide',
      'list-lpush',
      'intset16',
      'intset32',
      'intset64',
      'zset-small',
      'zset-big',
      'zset-long-member',
      'hash-small',
    ];
    for (const port of [pair.byor.port, pair.redis.port])
      await runAll(port, [['CONFIG', 'SET', 'rdbcompression', 'no']]);
    try {
      for (const key of keys) {
        const [mine, theirs] = await Promise.all([
          dumpOf(pair.byor.port, compact, key),
          dumpOf(pair.redis.port, compact, key),
        ]);
        expect(Buffer.from(mine, 'latin1').toString('hex'), key).toBe(
          Buffer.from(theirs, 'latin1').toString('hex'),
        );
      }
    } finally {
      for (const port of [pair.byor.port, pair.redis.port])
        await runAll(port, [['CONFIG', 'SET', 'rdbcompression', 'yes']]);
    }
  });

  it('RESTOREs payloads across servers both ways, with compression, TTLs kept', async () => {
    for (const [from, to] of [
      [pair.redis.port, pair.byor.port],
      [pair.byor.port, pair.redis.port],
    ] as const) {
      await runAll(from, [['FLUSHALL'], ...datasetCommands(9)]);
      await runAll(to, [['FLUSHALL']]);
      const source = await Conn.connect(from);
      const target = await Conn.connect(to);
      try {
        const keys = (await source.call('KEYS', '*')) as string[];
        for (const key of keys) {
          const payload = String(await source.call('DUMP', key));
          const ttl = Number(await source.call('PTTL', key));
          const reply = await target.call('RESTORE', key, ttl > 0 ? ttl : 0, payload);
          expect(reply, key).toBe('OK');
        }
      } finally {
        await source.close();
        await target.close();
      }
      const problems = keyspaceDifferences(await readKeyspace(from, 1), await readKeyspace(to, 1));
      expect(problems).toEqual([]);
    }
  });

  it('matches redis-server reply for reply (errors, options, edge cases)', async () => {
    const payload = await dumpOf(pair.redis.port, [['SET', 'k', 'value']], 'k');
    const listPayload = await dumpOf(pair.redis.port, [['RPUSH', 'l', 'a', 'b', 'c']], 'l');
    const zsetPayload = await dumpOf(pair.redis.port, [['ZADD', 'z', '1', 'a']], 'z');
    const bytes = Buffer.from(payload, 'latin1');
    const badCrc = Buffer.from(bytes);
    badCrc[badCrc.length - 1] = (badCrc[badCrc.length - 1] ?? 0) ^ 1;
    const future = Buffer.from(bytes);
    future.writeUInt16LE(11, future.length - 10);
    const withCrc = (body: Buffer) => dumpPayload(body).toString('latin1');
    const cases: DiffCase[] = [
      {
        name: 'DUMP of a missing key, every type',
        commands: [
          ['DUMP', 'nothing'],
          ['SET', 's', '12'],
          ['DUMP', 's'],
          ['RPUSH', 'l', '1', 'two'],
          ['DUMP', 'l'],
          ['SADD', 'set', '1', '2'],
          ['DUMP', 'set'],
          ['ZADD', 'z', '1.5', 'a'],
          ['DUMP', 'z'],
          ['HSET', 'h', 'f', 'v'],
          ['DUMP', 'h'],
          ['DUMP'],
          ['DUMP', 'a', 'b'],
        ],
      },
      {
        name: 'RESTORE: new key, BUSYKEY, REPLACE, TTL, ABSTTL',
        commands: [
          ['RESTORE', 'k', '0', payload],
          ['GET', 'k'],
          ['RESTORE', 'k', '0', payload],
          ['RESTORE', 'k', '0', payload, 'REPLACE'],
          ['RESTORE', 'k2', '100000', payload],
          ['TTL', 'k2'],
          ['RESTORE', 'k3', '4102444800000', payload, 'ABSTTL'],
          ['PEXPIRETIME', 'k3'],
          ['RESTORE', 'k4', '1', payload, 'ABSTTL'],
          ['EXISTS', 'k4'],
          ['SET', 'k5', 'old'],
          ['RESTORE', 'k5', '1', payload, 'ABSTTL', 'REPLACE'],
          ['EXISTS', 'k5'],
          ['RESTORE', 'l', '0', listPayload],
          ['LRANGE', 'l', '0', '-1'],
          ['RESTORE', 'z', '0', zsetPayload, 'replace', 'absttl'],
          ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
        ],
      },
      {
        name: 'RESTORE errors',
        commands: [
          ['RESTORE', 'k', '-1', payload],
          ['RESTORE', 'k', 'abc', payload],
          ['RESTORE', 'k', '0', badCrc.toString('latin1')],
          ['RESTORE', 'k', '0', future.toString('latin1')],
          ['RESTORE', 'k', '0', 'short'],
          ['RESTORE', 'k', '0', ''],
          ['RESTORE', 'k', '0', withCrc(Buffer.from([0, 5, 0x61]))],
          ['RESTORE', 'k', '0', withCrc(Buffer.from([42, 1, 0x61]))],
          ['RESTORE', 'k', '0', withCrc(Buffer.from([1, 0]))],
          ['RESTORE', 'k', '0', payload, 'FOO'],
          ['RESTORE', 'k', '0', payload, 'IDLETIME'],
          ['RESTORE', 'k', '0', payload, 'IDLETIME', '-1'],
          ['RESTORE', 'k', '0', payload, 'IDLETIME', 'x'],
          ['RESTORE', 'k', '0', payload, 'FREQ', '256'],
          ['RESTORE', 'k', '0', payload, 'FREQ', '-1'],
          ['RESTORE', 'k', '0', payload, 'FREQ', '1', 'IDLETIME', '5'],
          ['RESTORE', 'k', '0', payload, 'IDLETIME', '5', 'FREQ', '1'],
          ['RESTORE', 'k', '0', payload, 'IDLETIME', '5'],
          ['RESTORE', 'k6', '0', payload, 'FREQ', '200'],
          ['SET', 'busy', 'x'],
          ['RESTORE', 'busy', '-1', 'garbage'],
          ['RESTORE', 'k'],
        ],
      },
      {
        name: 'DUMP / RESTORE in RESP3 and inside MULTI',
        resp: 3,
        commands: [
          ['SET', 'a', 'v'],
          ['MULTI'],
          ['DUMP', 'a'],
          ['RESTORE', 'b', '0', payload],
          ['EXEC'],
          ['DUMP', 'missing'],
        ],
      },
      {
        name: 'SAVE, BGSAVE and BGREWRITEAOF arguments',
        commands: [
          ['BGSAVE', 'NOW'],
          ['BGSAVE', 'SCHEDULE', 'x'],
          ['SAVE', 'x'],
          ['BGREWRITEAOF', 'x'],
          ['MULTI'],
          ['BGSAVE'],
          ['EXEC'],
        ],
      },
    ];
    const { mismatches, commands } = await runCases(pair, cases);
    expect(mismatches).toEqual([]);
    expect(commands).toBeGreaterThan(50);
  });

  it('DUMP of a value larger than the output buffer chunk and RESTORE of it', async () => {
    const conn = await Conn.connect(pair.byor.port);
    try {
      await conn.call('SET', 'huge', 'q'.repeat(3_000_000));
      const payload = String(await conn.call('DUMP', 'huge'));
      expect(payload.length).toBeLessThan(100_000); // LZF
      expect(await conn.call('RESTORE', 'copy', 0, payload)).toBe('OK');
      expect(await conn.call('STRLEN', 'copy')).toBe(3_000_000);
      const bad = await conn.call('RESTORE', 'copy', 0, payload);
      expect(bad).toBeInstanceOf(ReplyFailure);
    } finally {
      await conn.close();
    }
  });
});
