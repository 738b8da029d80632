import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';

declare module 'express-session' {
  interface SessionData {
    views: number;
  }
}

/** connect-redis as express-session's store (node-redis 5, SET EX / GET / SCAN) on byor. */
describe('connect-redis', () => {
  let server: RunningServer;
  let client: ReturnType<typeof createClient>;
  let http: Server;
  let url: string;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startServer({ port: 0 });
    client = createClient({ socket: { port: server.port, host: '127.0.0.1' } });
    await client.connect();
    store = new RedisStore({ client, prefix: 'sess:' });
    const middleware = session({
      store,
      secret: 'test secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
    });
    http = createServer((req, res) => {
      middleware(req as never, res as never, () => {
        const request = req as unknown as {
          session: session.Session & Partial<session.SessionData>;
        };
        if (req.url === '/logout') {
          request.session.destroy(() => res.end('bye'));
          return;
        }
        request.session.views = (request.session.views ?? 0) + 1;
        res.end(String(request.session.views));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http.close(resolve));
    await client.quit();
    await server.close();
  });

  it('keeps a session across requests, with a TTL, and destroys it', async () => {
    const first = await fetch(`${url}/`);
    expect(await first.text()).toBe('1');
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^connect\.sid=/);
    const second = await fetch(`${url}/`, { headers: { cookie } });
    expect(await second.text()).toBe('2');
    const keys = await client.keys('sess:*');
    expect(keys).toHaveLength(1);
    const ttl = await client.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(JSON.parse((await client.get(keys[0]!))!)).toMatchObject({ views: 2 });
    const length = await new Promise<number>((resolve, reject) => {
      void store.length((error: unknown, n: number) =>
        error ? reject(error instanceof Error ? error : new Error('length failed')) : resolve(n),
      );
    });
    expect(length).toBe(1);
    const logout = await fetch(`${url}/logout`, { headers: { cookie } });
    expect(await logout.text()).toBe('bye');
    expect(await client.keys('sess:*')).toHaveLength(0);
  });
});
