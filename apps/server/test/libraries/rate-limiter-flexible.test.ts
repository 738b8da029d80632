import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';

/** rate-limiter-flexible's RateLimiterRedis (a Lua script per consume) on byor. */
describe('rate-limiter-flexible', () => {
  let server: RunningServer;
  let ioredis: Redis;
  let nodeRedis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    server = await startServer({ port: 0 });
    ioredis = new Redis({ port: server.port, host: '127.0.0.1', enableOfflineQueue: false });
    nodeRedis = createClient({ socket: { port: server.port, host: '127.0.0.1' } });
    await nodeRedis.connect();
    await new Promise((resolve) => ioredis.once('ready', resolve));
  });
  afterAll(async () => {
    ioredis.disconnect();
    await nodeRedis.quit();
    await server.close();
  });

  it('consumes points until the limit, then rejects with the time to wait (ioredis)', async () => {
    const limiter = new RateLimiterRedis({
      storeClient: ioredis,
      keyPrefix: 'io',
      points: 5,
      duration: 10,
    });
    for (let i = 1; i <= 5; i++) {
      const res = await limiter.consume('user');
      expect(res.remainingPoints).toBe(5 - i);
      expect(res.consumedPoints).toBe(i);
      expect(res.msBeforeNext).toBeGreaterThan(9000);
    }
    const rejected = await limiter.consume('user').catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(RateLimiterRes);
    expect((rejected as RateLimiterRes).remainingPoints).toBe(0);
    expect((rejected as RateLimiterRes).consumedPoints).toBe(6);
    expect(await ioredis.pttl('io:user')).toBeGreaterThan(9000);
    await limiter.delete('user');
    expect((await limiter.consume('user', 2)).remainingPoints).toBe(3);
    expect((await limiter.get('user'))?.consumedPoints).toBe(2);
    await limiter.penalty('user', 2);
    await limiter.reward('user', 1);
    expect((await limiter.get('user'))?.consumedPoints).toBe(3);
  });

  it('blocks a key for a duration and counts with node-redis', async () => {
    const limiter = new RateLimiterRedis({
      storeClient: nodeRedis,
      useRedisPackage: true,
      keyPrefix: 'nr',
      points: 2,
      duration: 1,
      blockDuration: 30,
    });
    await limiter.consume('ip');
    await limiter.consume('ip');
    const rejected = (await limiter
      .consume('ip')
      .catch((error: unknown) => error)) as RateLimiterRes;
    expect(rejected.msBeforeNext).toBeGreaterThan(25_000);
    const blocked = await limiter.block('other', 5);
    expect(blocked.msBeforeNext).toBe(5000);
    expect(await nodeRedis.ttl('nr:other')).toBe(5);
  });

  it('expires points after the duration', async () => {
    const limiter = new RateLimiterRedis({
      storeClient: ioredis,
      keyPrefix: 'short',
      points: 1,
      duration: 1,
    });
    await limiter.consume('k');
    await expect(limiter.consume('k')).rejects.toBeInstanceOf(RateLimiterRes);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await limiter.consume('k')).remainingPoints).toBe(0);
  });
});
