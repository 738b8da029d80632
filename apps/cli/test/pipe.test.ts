/**
 * --pipe: mass insertion of a RESP stream or of a command file, with redis-cli's summary.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeCommand } from '@byor/protocol';
import { startServer, type RunningServer } from '@byor/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import { byorCli, redisCli, redisCliBinary } from './helpers/cli.js';
import { redisServerBinary, startRedisServer, type RedisServerProcess } from '@byor/test-oracle';

const haveRedis = redisServerBinary() !== undefined && redisCliBinary() !== undefined;

/** `count` SET commands as one RESP stream. */
function manySets(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `key:${i}`;
    const value = `value:${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

const SUMMARY_OK = (replies: number): string =>
  'All data transferred. Waiting for the last reply...\n' +
  'Last reply received from server.\n' +
  `errors: 0, replies: ${replies}\n`;

async function dbsize(port: number): Promise<unknown> {
  const connection = await Connection.open({ port });
  const size = await connection.send(['DBSIZE']);
  connection.close();
  return size;
}

describe('--pipe against byor', () => {
  let byor: RunningServer;

  beforeAll(async () => {
    byor = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await byor.close();
  });

  it('inserts 1,000,000 commands and counts every reply', async () => {
    const run = await byorCli(['-p', String(byor.port), '--pipe'], { input: manySets(1_000_000) });
    expect([run.code, run.out, run.err]).toEqual([0, SUMMARY_OK(1_000_000), '']);
    expect(await dbsize(byor.port)).toBe(1_000_000);
  });

  it('reads a command file: quoting, comments, blank lines; errors are counted and printed', async () => {
    const file = [
      '# a comment',
      'SET plain 1',
      '',
      'SET "quoted key" "a\\tb"',
      "SET 'single' 'it\\'s'",
      'INCR "quoted key"',
      'SET "unbalanced',
      'RPUSH list a b c\r',
      'GET plain',
    ].join('\n'); // no newline at the end: the last line counts too
    const run = await byorCli(['-p', String(byor.port), '--pipe'], { input: file });
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      'Invalid argument(s) on line 7: SET "unbalanced\nERR value is not an integer or out of range\n',
    );
    expect(run.out).toBe(
      'All data transferred. Waiting for the last reply...\n' +
        'Last reply received from server.\n' +
        'errors: 2, replies: 6\n',
    );
    const connection = await Connection.open({ port: byor.port });
    expect(
      await connection.sendMany([
        ['GET', 'quoted key'],
        ['GET', 'single'],
        ['LLEN', 'list'],
      ]),
    ).toEqual(['a\tb', "it's", 3]);
    connection.close();
  });

  it('an empty input still waits for the server', async () => {
    const run = await byorCli(['-p', String(byor.port), '--pipe']);
    expect([run.code, run.out]).toEqual([0, SUMMARY_OK(0)]);
  });
});

describe('--pipe timeouts and failures', () => {
  let silent: Server;
  let port: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // accepts and reads, never answers
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => {});
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up after --pipe-timeout seconds without a reply', async () => {
    const run = await byorCli(['-p', String(port), '--pipe', '--pipe-timeout', '1'], {
      input: 'PING\n',
    });
    expect(run.code).toBe(1);
    expect(run.err).toBe('No replies for 1 seconds: exiting.\n');
    expect(run.out).toBe(
      'All data transferred. Waiting for the last reply...\nerrors: 1, replies: 0\n',
    );
  });
});

describe.skipIf(!haveRedis)('--pipe against redis-server, redis-cli as the oracle', () => {
  let redis: RedisServerProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('1,000,000 commands: the same summary as redis-cli', async () => {
    const input = manySets(1_000_000);
    const ours = await byorCli(['-p', String(redis.port), '--pipe'], { input });
    expect([ours.code, ours.out, ours.err]).toEqual([0, SUMMARY_OK(1_000_000), '']);
    expect(await dbsize(redis.port)).toBe(1_000_000);
    const theirs = await redisCli(['-p', String(redis.port), '--pipe'], { input });
    expect(ours.out).toBe(theirs.out);
  });

  it('errors: the same summary and error lines as redis-cli', async () => {
    const input = Buffer.concat([
      encodeCommand(['SET', 'a', '1']),
      encodeCommand(['INCR', 'a']),
      encodeCommand(['LPUSH', 'a', 'x']),
      encodeCommand(['NOPE']),
    ]);
    const ours = await byorCli(['-p', String(redis.port), '--pipe'], { input });
    const theirs = await redisCli(['-p', String(redis.port), '--pipe'], { input });
    expect([ours.code, ours.out, ours.err]).toEqual([theirs.code, theirs.out, theirs.err]);
    expect(ours.out).toContain('errors: 2, replies: 4\n');
  });
});
