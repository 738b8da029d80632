import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';

const run = promisify(execFile);

const hasRedisCli = spawnSync('redis-cli', ['--version']).status === 0;

/** Real clients, unchanged, over TCP: what they send on connect and what applications do with them. */
describe('interop with real clients', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('ioredis: connects (HELLO/INFO ready check), strings, pipelines, transactions, pub/sub', async () => {
    const redis = new Redis({ port: server.port, host: server.host, lazyConnect: true });
    const subscriber = new Redis({ port: server.port, host: server.host, lazyConnect: true });
    try {
      await redis.connect();
      expect(redis.status).toBe('ready');
      expect(await redis.set('io:a', 'hello')).toBe('OK');
      expect(await redis.get('io:a')).toBe('hello');
      expect(await redis.incrby('io:n', 41)).toBe(41);
      expect(await redis.incr('io:n')).toBe(42);
      expect(await redis.set('io:t', 'v', 'EX', 100, 'NX')).toBe('OK');
      expect(await redis.ttl('io:t')).toBe(100);
      const piped = await redis.pipeline().set('io:p', '1').incr('io:p').get('io:p').exec();
      expect(piped).toEqual([
        [null, 'OK'],
        [null, 2],
        [null, '2'],
      ]);
      const tx = await redis.multi().set('io:m', 'x').append('io:m', 'y').get('io:m').exec();
      expect(tx).toEqual([
        [null, 'OK'],
        [null, 2],
        [null, 'xy'],
      ]);
      await expect(redis.call('NOSUCHCOMMAND')).rejects.toThrow(/unknown command/);
      const binary = Buffer.from([0, 255, 13, 10, 128]);
      await redis.set('io:bin', binary);
      expect(await redis.getBuffer('io:bin')).toEqual(binary);

      await subscriber.connect();
      const received = new Promise<[string, string]>((resolve) =>
        subscriber.on('message', (channel: string, message: string) => resolve([channel, message])),
      );
      await subscriber.subscribe('io:chan');
      expect(await redis.publish('io:chan', 'ping')).toBe(1);
      expect(await received).toEqual(['io:chan', 'ping']);
    } finally {
      redis.disconnect();
      subscriber.disconnect();
    }
  });

  it('node-redis: connects with HELLO 3 and CLIENT SETINFO, RESP3 replies, transactions, pub/sub', async () => {
    const client = createClient({ url: server.url });
    const subscriber = client.duplicate();
    client.on('error', () => {});
    subscriber.on('error', () => {});
    try {
      await client.connect();
      expect(await client.set('nr:a', 'v')).toBe('OK');
      expect(await client.get('nr:a')).toBe('v');
      expect(await client.get('nr:missing')).toBeNull();
      expect(await client.mGet(['nr:a', 'nr:missing'])).toEqual(['v', null]);
      expect(await client.incrByFloat('nr:f', 0.1)).toBe('0.1');
      expect(await client.multi().set('nr:x', '1').incr('nr:x').exec()).toEqual(['OK', 2]);
      const info = await client.clientInfo();
      expect(info.id).toBeGreaterThan(0);
      expect(await client.configGet('maxmemory')).toEqual({ maxmemory: '0' });
      await subscriber.connect();
      const got = new Promise<string>((resolve) => {
        void subscriber.subscribe('nr:chan', (message) => resolve(message));
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await client.publish('nr:chan', 'hello')).toBe(1);
      expect(await got).toBe('hello');
    } finally {
      await client.quit().catch(() => {});
      await subscriber.quit().catch(() => {});
    }
  });

  it('many connections at once', async () => {
    const clients = Array.from(
      { length: 200 },
      () => new Redis({ port: server.port, host: server.host, lazyConnect: true }),
    );
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const replies = await Promise.all(clients.map((c, i) => c.set(`many:${i}`, String(i))));
      expect(replies.every((r) => r === 'OK')).toBe(true);
      expect(await clients[0]!.dbsize()).toBeGreaterThanOrEqual(200);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it.runIf(hasRedisCli)('redis-cli: one-shot commands, inline and piped input', async () => {
    const cli = (...args: string[]) =>
      run('redis-cli', ['-p', String(server.port), ...args]).then((r) => r.stdout);
    expect(await cli('SET', 'cli:a', 'b')).toBe('OK\n');
    expect(await cli('GET', 'cli:a')).toBe('b\n');
    expect(await cli('--no-raw', 'INCR', 'cli:n')).toBe('(integer) 1\n');
    expect(await cli('--no-raw', 'GET', 'cli:missing')).toBe('(nil)\n');
    expect(await cli('-3', '--no-raw', 'HELLO', '3')).toContain('"proto" => (integer) 3');
    const { stdout } = await run('bash', [
      '-c',
      `printf 'SET cli:p 1\\nINCR cli:p\\n' | redis-cli -p ${server.port}`,
    ]);
    expect(stdout).toBe('OK\n2\n');
  });
});
