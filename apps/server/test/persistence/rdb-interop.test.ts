import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redisAvailable } from '../differential/harness.js';
import { startRedisServer, type RedisServerProcess } from '@byor/test-oracle';
import type { RunningServer } from '../../src/start.js';
import { Conn } from './client.js';
import { startByor, persistence, tempDir } from './helpers.js';
import { datasetCommands, keyspaceDifferences, readKeyspace, runAll } from './keyspace.js';

/**
 * The interop proofs: a dump.rdb written by redis-server 7.0 loads in byor with identical
 * contents (type, value, TTL, OBJECT ENCODING), and one written by byor loads in redis-server.
 */
describe.skipIf(!redisAvailable)('RDB files between byor and redis-server', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function redis(args: string[] = []): Promise<RedisServerProcess> {
    const server = await startRedisServer(args);
    cleanup.push(() => server.stop());
    return server;
  }

  async function byor(config: Record<string, string | number>): Promise<RunningServer> {
    const server = await startByor({ config });
    cleanup.push(() => server.close());
    return server;
  }

  async function call(port: number, ...args: (string | number)[]) {
    const conn = await Conn.connect(port);
    try {
      return await conn.call(...args);
    } finally {
      await conn.close();
    }
  }

  it.each([
    ['SAVE', 'yes'],
    ['BGSAVE', 'yes'],
    ['SAVE', 'no'],
  ])(
    'redis-server %s (rdbcompression %s) -> byor loads identical contents',
    async (command, compression) => {
      const source = await redis(['--rdbcompression', compression]);
      await runAll(source.port, datasetCommands(7));
      expect(await call(source.port, command)).toMatch(/OK|Background saving started/);
      if (command === 'BGSAVE') {
        for (
          let i = 0;
          i < 100 &&
          String(await call(source.port, 'INFO', 'persistence')).includes(
            'rdb_bgsave_in_progress:1',
          );
          i++
        )
          await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const expected = await readKeyspace(source.port);
      expect(expected.size).toBeGreaterThan(30);
      const target = await byor({ dir: source.dir });
      expect(persistence(target).lastLoadKeysLoaded).toBe(expected.size);
      expect(keyspaceDifferences(expected, await readKeyspace(target.port))).toEqual([]);
    },
  );

  it.each([
    ['SAVE', 'yes', 'yes'],
    ['BGSAVE', 'yes', 'yes'],
    ['SAVE', 'no', 'no'],
  ])(
    'byor %s (rdbcompression %s, rdbchecksum %s) -> redis-server loads identical contents',
    async (command, compression, checksum) => {
      const dir = tempDir();
      cleanup.push(dir.remove);
      const source = await byor({
        dir: dir.path,
        rdbcompression: compression,
        rdbchecksum: checksum,
      });
      await runAll(source.port, datasetCommands(11));
      expect(await call(source.port, command)).toMatch(/OK|Background saving started/);
      await persistence(source).idle();
      const expected = await readKeyspace(source.port);
      const target = await redis(['--dir', dir.path]);
      const loaded = await readKeyspace(target.port);
      expect(loaded.size).toBe(expected.size);
      expect(keyspaceDifferences(expected, loaded)).toEqual([]);
    },
  );

  it('a file redis-server wrote loads in byor, which writes it back for redis-server: same contents', async () => {
    const first = await redis();
    await runAll(first.port, datasetCommands(3));
    await call(first.port, 'SAVE');
    const expected = await readKeyspace(first.port);
    const dir = tempDir();
    cleanup.push(dir.remove);
    copyFileSync(join(first.dir, 'dump.rdb'), join(dir.path, 'dump.rdb'));
    const middle = await byor({ dir: dir.path });
    expect(await call(middle.port, 'SAVE')).toBe('OK');
    const last = await redis(['--dir', dir.path]);
    expect(keyspaceDifferences(expected, await readKeyspace(last.port))).toEqual([]);
  });
});
