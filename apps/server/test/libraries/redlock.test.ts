import { Redis } from 'ioredis';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';

interface Lock {
  value: string;
  unlock(): Promise<void>;
  extend(ttl: number): Promise<Lock>;
}
interface RedlockInstance {
  lock(resource: string, ttl: number): Promise<Lock>;
  quit(): Promise<void>;
}
type RedlockClass = new (clients: unknown[], options: Record<string, number>) => RedlockInstance;
// redlock 4 ships no type declarations
const Redlock = createRequire(import.meta.url)('redlock') as RedlockClass;

/** redlock (the Redlock algorithm: SET NX PX, then Lua scripts to release and extend) on byor. */
describe('redlock', () => {
  let servers: RunningServer[];
  let clients: Redis[];

  beforeAll(async () => {
    servers = await Promise.all([0, 1, 2].map(() => startServer({ port: 0 })));
    clients = servers.map((server) => new Redis({ port: server.port, host: '127.0.0.1' }));
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const server of servers) await server.close();
  });

  it('locks a resource on a majority of three byor servers, extends and releases it', async () => {
    const redlock = new Redlock(clients, {
      retryCount: 2,
      retryDelay: 20,
      retryJitter: 5,
      driftFactor: 0.01,
    });
    const lock = await redlock.lock('locks:account', 2000);
    for (const client of clients) expect(await client.get('locks:account')).toBe(lock.value);
    await expect(redlock.lock('locks:account', 2000)).rejects.toThrow();
    const extended = await lock.extend(5000);
    expect(await clients[0]!.pttl('locks:account')).toBeGreaterThan(4000);
    await extended.unlock();
    for (const client of clients) expect(await client.exists('locks:account')).toBe(0);
    const again = await redlock.lock('locks:account', 1000);
    await again.unlock();
  });

  it('does not release a lock it no longer holds', async () => {
    const redlock = new Redlock(clients, {
      retryCount: 0,
      retryDelay: 10,
      retryJitter: 0,
      driftFactor: 0.01,
    });
    const lock = await redlock.lock('locks:stolen', 5000);
    for (const client of clients) await client.set('locks:stolen', 'someone-else');
    await expect(lock.unlock()).rejects.toThrow();
    for (const client of clients) expect(await client.get('locks:stolen')).toBe('someone-else');
  });
});
