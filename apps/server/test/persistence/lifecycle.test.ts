import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redisAvailable } from '../differential/harness.js';
import { startRedisServer } from '@byor/test-oracle';
import type { RunningServer } from '../../src/start.js';
import { Conn, ReplyFailure } from './client.js';
import { persistence, startByor, tempDir } from './helpers.js';

/** SHUTDOWN saves, MISCONF after a failed BGSAVE, embedded servers that stay off the disk. */
describe('persistence life cycle', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function byor(config: Record<string, string | number>): Promise<RunningServer> {
    const server = await startByor({ config });
    cleanup.push(() => server.close());
    return server;
  }

  function dir(): string {
    const made = tempDir();
    cleanup.push(made.remove);
    return made.path;
  }

  async function shutdown(server: RunningServer, ...args: string[]): Promise<void> {
    const conn = await Conn.connect(server.port);
    void conn.call('SHUTDOWN', ...args);
    await server.closed;
    await conn.close();
  }

  it.each([
    ['SHUTDOWN with save rules', '3600 1', [], true],
    ['SHUTDOWN NOSAVE with save rules', '3600 1', ['NOSAVE'], false],
    ['SHUTDOWN without save rules', '', [], false],
    ['SHUTDOWN SAVE without save rules', '', ['SAVE'], true],
  ] as const)('%s', async (_name, save, args, saved) => {
    const path = dir();
    const server = await byor({ dir: path, save });
    const conn = await Conn.connect(server.port);
    await conn.call('SET', 'k', 'v');
    await conn.close();
    await shutdown(server, ...args);
    expect(existsSync(join(path, 'dump.rdb'))).toBe(saved);
  });

  it('SHUTDOWN flushes and syncs the AOF; the restart has every write', async () => {
    const path = dir();
    const server = await byor({ dir: path, appendonly: 'yes', appendfsync: 'no', save: '' });
    const conn = await Conn.connect(server.port);
    await conn.pipeline(Array.from({ length: 1000 }, (_, i) => ['SET', `k${i}`, String(i)]));
    await conn.close();
    await shutdown(server);
    const again = await byor({ dir: path, appendonly: 'yes' });
    const check = await Conn.connect(again.port);
    expect(await check.call('DBSIZE')).toBe(1000);
    await check.close();
  });

  it('an embedded server without persistence options never writes on its own', async () => {
    const server = await startByor({ config: {} });
    cleanup.push(() => server.close());
    const conn = await Conn.connect(server.port);
    expect(await conn.call('CONFIG', 'GET', 'save')).toEqual(['save', '']);
    await conn.close();
    expect(persistence(server).saveParams()).toEqual([]);
  });

  it.skipIf(!redisAvailable)(
    'a failed BGSAVE makes writes answer MISCONF, as redis-server does, until a save succeeds',
    async () => {
      const path = dir();
      const gone = join(path, 'gone');
      mkdirSync(gone);
      const server = await byor({ dir: gone, save: '3600 1' });
      const redis = await startRedisServer(['--dir', gone, '--save', '3600 1']);
      cleanup.push(() => redis.stop());
      rmSync(gone, { recursive: true });
      const replies: string[][] = [];
      for (const port of [server.port, redis.port]) {
        const conn = await Conn.connect(port);
        const out: string[] = [];
        out.push(String(await conn.call('BGSAVE')));
        for (let i = 0; i < 100; i++) {
          const info = String(await conn.call('INFO', 'persistence'));
          if (info.includes('rdb_bgsave_in_progress:0')) {
            out.push(/rdb_last_bgsave_status:(\w+)/.exec(info)?.[1] ?? '');
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        out.push(String(await conn.call('SET', 'k', 'v')));
        out.push(String(await conn.call('PING')));
        out.push(String(await conn.call('GET', 'k')));
        out.push(String(await conn.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no')));
        out.push(String(await conn.call('SET', 'k', 'v')));
        replies.push(out);
        await conn.close();
      }
      expect(replies[0]).toEqual(replies[1]);
      expect(replies[0]?.[1]).toBe('err');
      expect(replies[0]?.[2]).toMatch(/^-MISCONF/);
      expect(persistence(server).lastBgsaveOk).toBe(false);
      expect(new ReplyFailure('x').toString()).toBe('-x');
    },
  );
});
