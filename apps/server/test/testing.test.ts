import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestServer, useTestServer, type TestServer } from '../src/testing.js';

describe('@byor/server/testing', () => {
  const redis = useTestServer({ beforeAll, afterAll, beforeEach });
  let client: Redis;
  beforeAll(() => {
    client = new Redis(redis().url, { maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    client.on('error', () => {});
  });
  afterAll(() => {
    client.disconnect();
  });

  it('gives a url, a port and a back door to the data', async () => {
    redis().clock.freeze();
    expect(redis().url).toBe(`redis://127.0.0.1:${redis().port}`);
    redis().set('greeting', 'hello', { ttl: 10_000 });
    expect(await client.get('greeting')).toBe('hello');
    await client.set('from-client', 'x');
    expect(redis().get('from-client')).toBe('x');
    expect(redis().get('missing')).toBeUndefined();
    const keys = redis().keys();
    expect(keys.map((k) => [k.key, k.type])).toEqual([
      ['from-client', 'string'],
      ['greeting', 'string'],
    ]);
    expect(keys[1]?.ttl).toBeGreaterThan(9_000);
    expect(redis().snapshot()).toEqual({
      0: {
        'from-client': { type: 'string', value: 'x' },
        greeting: { type: 'string', value: 'hello', ttl: keys[1]?.ttl },
      },
    });
    redis().flush();
    expect(await client.dbsize()).toBe(0);
    redis().clock.unfreeze();
  });

  it('moves time: TTLs pass without waiting', async () => {
    await client.set('session', 'abc', 'EX', 60);
    redis().clock.fastForward(59_000);
    expect(await client.get('session')).toBe('abc');
    expect(await client.ttl('session')).toBe(1);
    redis().clock.fastForward(1_001);
    expect(await client.get('session')).toBeNull();
  });

  it('sets the time: EXPIREAT in the future arrives', async () => {
    const base = Date.UTC(2030, 0, 1);
    redis().clock.setTime(base);
    await client.set('k', 'v');
    await client.expireat('k', base / 1000 + 3600);
    expect(await client.ttl('k')).toBe(3600);
    redis().clock.setTime(new Date(base + 3600_001));
    expect(await client.exists('k')).toBe(0);
    redis().clock.setTime(Date.now());
  });

  it('freezes time', async () => {
    redis().clock.freeze();
    await client.set('k', 'v', 'PX', 1000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await client.pttl('k')).toBe(1000);
    redis().clock.unfreeze();
  });

  it('fails the next commands on demand, by name or for all', async () => {
    redis().failNext(2, "READONLY You can't write against a read only replica.", 'set');
    await expect(client.set('a', '1')).rejects.toThrow(/READONLY/);
    expect(await client.get('a')).toBeNull();
    await expect(client.set('a', '1')).rejects.toThrow(/READONLY/);
    expect(await client.set('a', '1')).toBe('OK');
    redis().failNext(1);
    await expect(client.ping()).rejects.toThrow('ERR injected failure');
    expect(await client.ping()).toBe('PONG');
  });

  it('logs commands and waits for conditions', async () => {
    redis().clearCommands();
    await client.set('x', '1');
    await client.incr('x');
    const names = redis().commands.map((c) => c.name);
    expect(names).toEqual(['set', 'incr']);
    expect(redis().commands[0]?.argv).toEqual(['set', 'x', '1']);
    setTimeout(() => void client.set('later', 'yes'), 20);
    await redis().waitFor(() => redis().get('later') === 'yes');
  });

  it('delays replies, in order', async () => {
    redis().delayReplies(80);
    const started = Date.now();
    const replies = await Promise.all([client.set('d', '1'), client.incr('d'), client.get('d')]);
    expect(replies).toEqual(['OK', 2, '2']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    redis().delayReplies(0);
  });

  it('drops connections and refuses new ones: clients see it and reconnect', async () => {
    const dropped = new Promise<void>((resolve) => client.once('close', () => resolve()));
    expect(redis().dropClients()).toBeGreaterThanOrEqual(1);
    await dropped;
    expect(await client.ping()).toBe('PONG'); // ioredis reconnected
    redis().refuseConnections(true);
    const other = new Redis(redis().url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    other.on('error', () => {});
    await expect(other.connect().then(() => other.ping())).rejects.toThrow();
    other.disconnect();
    redis().refuseConnections(false);
  });

  it('works with node-redis', async () => {
    const nodeRedis = createClient({ url: redis().url });
    await nodeRedis.connect();
    try {
      redis().set('n', '41');
      expect(await nodeRedis.incr('n')).toBe(42);
      redis().failNext(1, 'ERR boom', 'get');
      await expect(nodeRedis.get('n')).rejects.toThrow('ERR boom');
    } finally {
      await nodeRedis.quit();
    }
  });
});

describe('many test servers in one process', () => {
  it('starts 50 isolated servers and closes them all', async () => {
    const servers: TestServer[] = await Promise.all(
      Array.from({ length: 50 }, () => createTestServer()),
    );
    const ports = new Set(servers.map((s) => s.port));
    expect(ports.size).toBe(50);
    servers[0]?.set('only-here', '1');
    expect(servers[1]?.get('only-here')).toBeUndefined();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('supports await using', async () => {
    let port: number;
    {
      await using server = await createTestServer();
      port = server.port;
      expect(port).toBeGreaterThan(0);
    }
    const client = new Redis(port, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow();
    client.disconnect();
  });
});
