/**
 * byor-cli against real servers: redis-server (when installed) and byor, with redis-cli run on
 * the same server as the oracle for what is printed and for the one-line errors.
 */
import type { RespValue } from '@byor/protocol';
import { startServer, type RunningServer } from '@byor/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Connection } from '../src/connection.js';
import { byorCli, redisCli, redisCliBinary } from './helpers/cli.js';
import {
  freePort,
  redisServerBinary,
  startRedisServer,
  type RedisServerProcess,
} from '@byor/test-oracle';

const haveRedis = redisServerBinary() !== undefined && redisCliBinary() !== undefined;

/** Commands whose replies do not change from one run to the next. */
const SCRIPT = [
  'FLUSHALL',
  'SET greeting "hello world"',
  'GET greeting',
  'GET missing',
  'INCR counter',
  'INCRBYFLOAT float 1.1',
  'APPEND greeting "\\xff\\x00!"',
  'GET greeting',
  'MSET a 1 b 2',
  'MGET a b nothing',
  'HSET user name ada lang "C and Lisp"',
  'HGET user name',
  'HGETALL user',
  'RPUSH list a b c d e f g h i j k',
  'LRANGE list 0 -1',
  'SADD set x',
  'SMEMBERS set',
  'ZADD z 1 a 2.5 b -3 c',
  'ZRANGE z 0 -1 WITHSCORES',
  'ZSCORE z b',
  'ZRANDMEMBER nothing',
  'EXISTS greeting missing',
  'TYPE list',
  'TTL greeting',
  'OBJECT ENCODING list',
  'SET k v EX',
  'GET',
  'NOSUCHCOMMAND arg',
  'LPUSH greeting x',
  'MULTI',
  'INCR counter',
  'GET counter',
  'EXEC',
  'ECHO "tab\\there"',
  'PING',
  'PING "with arg"',
  'CONFIG GET maxmemory',
  'SELECT 3',
  'DBSIZE',
  'SELECT 0',
  'DBSIZE',
  'COMMAND COUNT',
  'ZRANGE z 0 -1 WITHSCORES',
];

const FORMATS: readonly (readonly string[])[] = [
  ['--no-raw'],
  ['--raw'],
  ['--csv'],
  ['--json'],
  ['--no-raw', '-3'],
  ['--raw', '-3'],
];

describe.skipIf(!haveRedis)('against redis-server: byor-cli prints what redis-cli prints', () => {
  let redis: RedisServerProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  for (const flags of FORMATS) {
    it(`the same commands, ${flags.join(' ')}`, async () => {
      const input = SCRIPT.join('\n') + '\n';
      const args = ['-p', String(redis.port), ...flags];
      const theirs = await redisCli(args, { input });
      const ours = await byorCli(args, { input });
      expect(ours.out).toBe(theirs.out);
      // and the script printed something for every command
      expect(ours.out.length).toBeGreaterThan(200);
    });
  }

  it('one-shot commands print the same, quoted arguments included', async () => {
    const cases = [
      ['SET', 'k', 'é"\\'],
      ['GET', 'k'],
      ['HSET', 'h', 'f', '1'],
      ['HGETALL', 'h'],
      ['INCRBY', 'n', '-5'],
      ['LPUSH', 'k', 'x'],
    ];
    const connection = await Connection.open({ port: redis.port });
    const reset = async (): Promise<void> => {
      await connection.sendMany([['FLUSHALL'], ['SET', 'k', 'v'], ['HSET', 'h', 'g', '2']]);
    };
    for (const argv of cases) {
      for (const flags of [['--no-raw'], ['--raw'], ['--json']]) {
        const args = ['-p', String(redis.port), ...flags, ...argv];
        await reset();
        const ours = await byorCli(args);
        await reset();
        const theirs = await redisCli(args);
        expect({ argv, flags, out: ours.out }).toEqual({ argv, flags, out: theirs.out });
      }
    }
    connection.close();
  });

  it('a server that is down: the same one line, exit status 1', async () => {
    const port = String(await freePort());
    const [ours, theirs] = [
      await byorCli(['-p', port, 'PING']),
      await redisCli(['-p', port, 'PING']),
    ];
    expect(ours.err).toBe(`Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`);
    expect(ours.err).toBe(theirs.err);
    expect([ours.code, theirs.code]).toEqual([1, 1]);
  });

  it('a database that does not exist: the same one line', async () => {
    const args = ['-p', String(redis.port), '-n', '99', 'PING'];
    const [ours, theirs] = [await byorCli(args), await redisCli(args)];
    expect(ours.err).toBe('SELECT 99 failed: ERR DB index is out of range\n');
    expect(ours.err).toBe(theirs.err);
    expect(ours.code).toBe(1);
  });
});

describe.skipIf(!haveRedis)('against a redis-server with a password', () => {
  let redis: RedisServerProcess;

  beforeAll(async () => {
    redis = await startRedisServer(['--requirepass', 's3cret']);
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('a wrong password: the same one line, and the warning about -a', async () => {
    const args = ['-p', String(redis.port), '-a', 'wrong', 'PING'];
    const [ours, theirs] = [await byorCli(args), await redisCli(args)];
    expect(ours.err).toBe(
      "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n" +
        'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n',
    );
    expect(ours.err).toBe(theirs.err);
    expect(ours.code).toBe(1);
  });

  it('the right password from -a, -u, REDISCLI_AUTH; no warning with --no-auth-warning', async () => {
    const port = String(redis.port);
    expect((await byorCli(['-p', port, '-a', 's3cret', '--no-auth-warning', 'PING'])).out).toBe(
      'PONG\n',
    );
    expect(
      (await byorCli(['-u', `redis://:s3cret@127.0.0.1:${port}`, '--no-auth-warning', 'PING'])).out,
    ).toBe('PONG\n');
    const fromEnv = await byorCli(['-p', port, 'PING'], { env: { REDISCLI_AUTH: 's3cret' } });
    expect([fromEnv.out, fromEnv.err]).toEqual(['PONG\n', '']);
    const noPassword = await byorCli(['-p', port, 'PING']);
    expect(noPassword.out).toBe('NOAUTH Authentication required.\n\n');
  });
});

describe('against byor', () => {
  let byor: RunningServer;
  let bookPort: number;

  beforeAll(async () => {
    bookPort = await freePort();
    byor = await startServer({ port: 0, config: { 'byor-port': bookPort } });
  });
  afterAll(async () => {
    await byor.close();
  });

  it('runs a script of commands (stdin, no prompt)', async () => {
    const input = 'SET k v\nGET k\nHSET h a 1 b 2\nHGETALL h\nSET k\n';
    const ours = await byorCli(['-p', String(byor.port), '--no-raw'], { input });
    expect(ours.out).toBe(
      'OK\n"v"\n(integer) 2\n1) "a"\n2) "1"\n3) "b"\n4) "2"\n' +
        "(error) ERR wrong number of arguments for 'set' command\n",
    );
  });

  it('speaks RESP3 with -3 (maps and doubles)', async () => {
    const port = String(byor.port);
    await byorCli(['-p', port, 'ZADD', 'z3', '1.5', 'm']);
    expect((await byorCli(['-p', port, '-3', '--no-raw', 'ZSCORE', 'z3', 'm'])).out).toBe(
      '(double) 1.5\n',
    );
    expect((await byorCli(['-p', port, '-3', '--no-raw', 'HELLO', '3'])).out).toMatch(
      /^1# "server" => "/,
    );
  });

  it.skipIf(!haveRedis)('prints what redis-cli prints for the same byor replies', async () => {
    const input = SCRIPT.join('\n') + '\n';
    for (const flags of [['--no-raw'], ['--raw', '-3']]) {
      const args = ['-p', String(byor.port), ...flags];
      const theirs = await redisCli(args, { input });
      const ours = await byorCli(args, { input });
      expect(ours.out).toBe(theirs.out);
    }
  });

  it("speaks the book's binary protocol with --proto byor", async () => {
    const connection = await Connection.open({ port: byor.port });
    await connection.send(['FLUSHALL']);
    connection.close();
    const input = [
      'set k v',
      'get k',
      'get nothing',
      'zadd z 1.5 m',
      'zadd z x m',
      'zscore z m',
      'zquery z 0 "" 0 10',
      'keys',
      'pttl k',
      'nosuch',
    ].join('\n');
    const ours = await byorCli(['-p', String(bookPort), '--proto', 'byor', '--no-raw'], { input });
    expect(ours.out.split('\n')).toEqual([
      '(nil)',
      '"v"',
      '(nil)',
      '(integer) 1',
      '(error) BAD_ARGUMENT expect fp number',
      '(double) 1.5',
      '1) "m"',
      '2) (double) 1.5',
      expect.stringMatching(/^1\) "[kz]"$/),
      expect.stringMatching(/^2\) "[kz]"$/),
      '(integer) -1',
      '(error) UNKNOWN unknown command.',
      '',
    ]);
  });

  it('Connection: replies in order, pipelines, a closed connection rejects', async () => {
    const connection = await Connection.open({ port: byor.port, db: 2 });
    expect(await connection.send(['SET', 'x', '1'])).toMatchObject({ value: 'OK' });
    expect(
      await connection.sendMany([
        ['INCR', 'x'],
        ['INCR', 'x'],
        ['GET', 'x'],
      ]),
    ).toEqual([2, 3, '3']);
    const pending = connection.send(['BLPOP', 'nothing', '0']);
    connection.close();
    await expect(pending).rejects.toThrow('Connection closed');
    await expect(connection.send(['PING'])).rejects.toThrow();
    expect(connection.isOpen).toBe(false);
  });

  it('Connection: a reply owed when streaming begins goes to its sender, not the stream', async () => {
    const connection = await Connection.open({ port: byor.port });
    try {
      // as the prompt's COMMAND DOCS, sent in the background, then SUBSCRIBE typed at once
      const owed = connection.send(['ECHO', 'owed']);
      const streamed: RespValue[] = [];
      connection.stream((message) => streamed.push(message));
      connection.write(connection.encode(['SUBSCRIBE', 'news']));
      expect(await owed).toBe('owed');
      await vi.waitFor(() => expect(streamed).toEqual([['subscribe', 'news', 1]]));
    } finally {
      connection.close();
    }
  });
});
