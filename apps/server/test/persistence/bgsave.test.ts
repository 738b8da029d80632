import { cpSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/start.js';
import { Conn, ReplyFailure } from './client.js';
import { persistence, startByor, tempDir } from './helpers.js';
import { keyspaceDifferences, readKeyspace } from './keyspace.js';

/**
 * BGSAVE over TCP while clients write: the file holds the keyspace as it was when BGSAVE ran,
 * through the real copy-before-write hook (key positions, EXEC queues, MOVE/COPY, blocked
 * clients), not a simulation of it.
 */
describe('BGSAVE under concurrent writes', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function byor(dir: string): Promise<RunningServer> {
    const server = await startByor({ config: { dir, save: '' } });
    cleanup.push(() => server.close());
    return server;
  }

  const KEYS = 300;
  const key = fc.integer({ min: 0, max: KEYS + 20 }).map((i) => `k${i}`);
  const write: fc.Arbitrary<string[]> = fc.oneof(
    fc.tuple(key, fc.string()).map(([k, v]) => ['SET', k, v]),
    fc.tuple(key, key).map(([a, b]) => ['MSET', a, '1', b, '2']),
    key.map((k) => ['DEL', k]),
    key.map((k) => ['INCR', `n${k}`]),
    fc.tuple(key, fc.string()).map(([k, v]) => ['APPEND', k, v]),
    fc.tuple(key, fc.string(), fc.string()).map(([k, f, v]) => ['HSET', `h${k}`, f, v]),
    fc.tuple(key, fc.string()).map(([k, v]) => ['RPUSH', `l${k}`, v]),
    key.map((k) => ['LPOP', `l${k}`]),
    fc.tuple(key, fc.integer()).map(([k, s]) => ['ZADD', `z${k}`, String(s), k]),
    fc.tuple(key, fc.string()).map(([k, m]) => ['SADD', `s${k}`, m]),
    fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
    fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'DB', '1', 'REPLACE']),
    key.map((k) => ['MOVE', k, '1']),
    key.map((k) => ['EXPIRE', k, '5000']),
    key.map((k) => ['PERSIST', k]),
    fc.tuple(key, key).map(([a, b]) => ['ZUNIONSTORE', `z${a}`, '2', `z${a}`, `z${b}`]),
    fc.tuple(key, key).map(([a, b]) => ['SMOVE', `s${a}`, `s${b}`, 'x']),
    fc.tuple(key, key).map(([a, b]) => ['LMOVE', `l${a}`, `l${b}`, 'LEFT', 'RIGHT']),
  );
  const transaction = fc
    .array(write, { minLength: 1, maxLength: 4 })
    .map((writes) => [
      ['MULTI'],
      ...writes,
      ['SELECT', '1'],
      ['SET', 'tx', 'x'],
      ['SELECT', '0'],
      ['EXEC'],
    ]);

  it('writes the keyspace as it was when BGSAVE ran', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { minLength: 50, maxLength: 200 }),
        fc.array(
          fc.oneof(
            write.map((w) => [w]),
            transaction,
          ),
          { maxLength: 150 },
        ),
        fc.array(fc.array(write, { maxLength: 20 }), { minLength: 5, maxLength: 20 }),
        async (setup, during, later) => {
          const dir = tempDir();
          cleanup.push(dir.remove);
          const server = await byor(dir.path);
          const conn = await Conn.connect(server.port);
          const blocked = await Conn.connect(server.port);
          try {
            // enough keys that the snapshot takes many event-loop turns
            const fill: string[][] = [];
            for (let i = 0; i < 8_000; i++) fill.push(['SET', `bulk:${i}`, 'x'.repeat(30)]);
            await conn.pipeline(fill);
            await conn.pipeline(setup);
            const expected = await readKeyspace(server.port, 2);
            // a client blocked in BLMOVE, served by a push during the snapshot
            void blocked.call('BLMOVE', 'queue', 'k3', 'LEFT', 'LEFT', '0');
            await new Promise((resolve) => setTimeout(resolve, 20));
            // BGSAVE, then writes in the same batch and the next ones: all after the snapshot began
            const replies = await conn.pipeline([
              ['BGSAVE'],
              ['INFO', 'persistence'],
              ...during.flat(),
              ['RPUSH', 'queue', 'job'],
            ]);
            expect(replies[0]).toBe('Background saving started');
            expect(String(replies[1])).toContain('rdb_bgsave_in_progress:1');
            // more writes in later batches, while the walk goes on between them
            for (const batch of later) {
              await conn.pipeline(batch);
              await new Promise((resolve) => setImmediate(resolve));
            }
            for (const reply of replies)
              if (reply instanceof ReplyFailure) expect(reply.message).not.toMatch(/^MISCONF/);
            await persistence(server).idle();
            expect(persistence(server).lastBgsaveOk).toBe(true);
            expect(persistence(server).lastFuzzyKeys).toBe(0);
            const copy = tempDir();
            cleanup.push(copy.remove);
            cpSync(join(dir.path, 'dump.rdb'), join(copy.path, 'dump.rdb'));
            const loaded = await byor(copy.path);
            const actual = await readKeyspace(loaded.port, 2);
            expect(keyspaceDifferences(expected, actual, 60_000, false)).toEqual([]);
          } finally {
            await conn.close();
            await blocked.close();
          }
        },
      ),
      { numRuns: 5, endOnFailure: true },
    );
  }, 180_000);
});
