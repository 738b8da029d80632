import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_VALUE_LIMITS } from '../../src/persistence/rdb-decoder.js';
import { readRdb } from '../../src/persistence/rdb-reader.js';
import type { Server } from '../../src/server.js';
import type { RunningServer } from '../../src/start.js';
import { createTestServer } from '../../src/testing.js';
import { Conn } from './client.js';
import { persistence, startByor, tempDir } from './helpers.js';
import { plainOf, type Plain } from './values.js';

/**
 * Copy-before-write through `hooks.beforeWrite` (Server.call): whatever runs a write during a
 * BGSAVE (a client, a blocked client served later, a script, the testing back door), the file
 * holds the value the key had when BGSAVE started.
 *
 * Each test fills database 0 with BULK keys and writes to database 15: the walk takes database 0
 * first and cannot have reached 15 when the write runs (checked through
 * current_save_keys_processed), so the key written must have been preserved beforehand.
 */
const BULK = 50_000;
const LATE_DB = 15;

/** The RDB file's keys: `db:key` -> plain value. */
function readDump(path: string): Map<string, Plain> {
  const out = new Map<string, Plain>();
  readRdb(
    readFileSync(path),
    {
      aux: () => {},
      key: (db, key, value) => {
        if (db === LATE_DB) out.set(`${db}:${key}`, plainOf(value));
      },
    },
    { limits: DEFAULT_VALUE_LIMITS },
  );
  return out;
}

async function fill(conn: Conn): Promise<void> {
  const value = 'x'.repeat(40);
  for (let start = 0; start < BULK; start += 10_000)
    await conn.pipeline(
      Array.from({ length: 10_000 }, (_, i) => ['SET', `bulk:${start + i}`, value]),
    );
}

function processed(info: unknown): number {
  return Number(/current_save_keys_processed:(\d+)/.exec(String(info))?.[1] ?? NaN);
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

async function saved(server: Server): Promise<void> {
  const persistence_ = persistence({ server } as RunningServer);
  await persistence_.idle();
  expect(persistence_.lastBgsaveOk).toBe(true);
  // every change was announced: nothing was written "as it was when reached"
  expect(persistence_.lastFuzzyKeys).toBe(0);
}

describe('copy-before-write (hooks.beforeWrite)', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function byor(): Promise<{ server: RunningServer; dir: string }> {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const server = await startByor({ config: { dir: dir.path, save: '' } });
    cleanup.push(() => server.close());
    return { server, dir: dir.path };
  }

  async function connect(port: number): Promise<Conn> {
    const conn = await Conn.connect(port);
    cleanup.push(() => conn.close());
    return conn;
  }

  it('a blocked BLMOVE served during BGSAVE: its destination is saved as it was', async () => {
    const { server, dir } = await byor();
    const conn = await connect(server.port);
    const blocked = await connect(server.port);
    await fill(conn);
    await conn.pipeline([
      ['SELECT', LATE_DB],
      ['RPUSH', 'destination', 'before'],
      ['SET', 'other', 'before'],
    ]);
    await blocked.call('SELECT', LATE_DB);
    const served = blocked.call('BLMOVE', 'source', 'destination', 'LEFT', 'LEFT', 0);
    await waitFor(() => server.server.blockedClients === 1);
    // the push serves the blocked client, whose LMOVE writes `destination` outside any call()
    const replies = await conn.pipeline([
      ['BGSAVE'],
      ['RPUSH', 'source', 'job'],
      ['INFO', 'persistence'],
      ['SET', 'other', 'after'],
    ]);
    expect(replies[0]).toBe('Background saving started');
    expect(processed(replies[2])).toBeLessThan(BULK);
    expect(await served).toBe('job');
    expect(await conn.call('LRANGE', 'destination', 0, -1)).toEqual(['job', 'before']);
    await saved(server.server);
    const dump = readDump(join(dir, 'dump.rdb'));
    expect(dump.get(`${LATE_DB}:destination`)).toEqual({ type: 'list', items: ['before'] });
    expect(dump.get(`${LATE_DB}:other`)).toEqual({ type: 'string', value: 'before' });
    expect(dump.has(`${LATE_DB}:source`)).toBe(false);
  });

  it('a chain of blocked clients: a served BRPOPLPUSH whose push serves a BLMOVE', async () => {
    const { server, dir } = await byor();
    const conn = await connect(server.port);
    const first = await connect(server.port);
    const second = await connect(server.port);
    await fill(conn);
    await conn.pipeline([
      ['SELECT', LATE_DB],
      ['RPUSH', 'c', 'c0'],
    ]);
    await first.call('SELECT', LATE_DB);
    await second.call('SELECT', LATE_DB);
    const one = first.call('BRPOPLPUSH', 'a', 'b', 0);
    await waitFor(() => server.server.blockedClients === 1);
    const two = second.call('BLMOVE', 'b', 'c', 'RIGHT', 'LEFT', 0);
    await waitFor(() => server.server.blockedClients === 2);
    // a -> b (first client), then b -> c (second client): neither runs a call() of its own
    const replies = await conn.pipeline([['BGSAVE'], ['RPUSH', 'a', 'x'], ['INFO', 'persistence']]);
    expect(processed(replies[2])).toBeLessThan(BULK);
    expect(await one).toBe('x');
    expect(await two).toBe('x');
    expect(await conn.call('LRANGE', 'c', 0, -1)).toEqual(['x', 'c0']);
    await saved(server.server);
    const dump = readDump(join(dir, 'dump.rdb'));
    expect(dump.get(`${LATE_DB}:c`)).toEqual({ type: 'list', items: ['c0'] });
    expect([...dump.keys()]).toEqual([`${LATE_DB}:c`]);
  });

  it('writes by a script (EVAL) and by EXEC after SELECT', async () => {
    const { server, dir } = await byor();
    const conn = await connect(server.port);
    await fill(conn);
    await conn.pipeline([
      ['SELECT', LATE_DB],
      ['SET', 'scripted', 'before'],
      ['HSET', 'queued', 'field', 'before'],
      ['SELECT', 0],
    ]);
    const replies = await conn.pipeline([
      ['BGSAVE'],
      ['SELECT', LATE_DB],
      [
        'EVAL',
        "redis.call('SET', KEYS[1], 'after'); redis.call('DEL', KEYS[2]); return 1",
        2,
        'scripted',
        'made-by-script',
      ],
      ['SELECT', 0],
      ['MULTI'],
      ['SELECT', LATE_DB],
      ['HSET', 'queued', 'field', 'after'],
      ['SET', 'made-by-exec', '1'],
      ['EXEC'],
      ['INFO', 'persistence'],
    ]);
    expect(replies[0]).toBe('Background saving started');
    expect(replies[2]).toBe(1);
    expect(replies[8]).toEqual(['OK', 0, 'OK']);
    expect(processed(replies[9])).toBeLessThan(BULK);
    await saved(server.server);
    const dump = readDump(join(dir, 'dump.rdb'));
    expect(dump.get(`${LATE_DB}:scripted`)).toEqual({ type: 'string', value: 'before' });
    expect(dump.get(`${LATE_DB}:queued`)).toEqual({
      type: 'hash',
      pairs: [['field', 'before']],
    });
    expect(dump.has(`${LATE_DB}:made-by-exec`)).toBe(false);
  });

  it('writes through the testing back door (createTestServer().call)', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const test = await createTestServer({ config: { dir: dir.path, save: '' } });
    cleanup.push(() => test.close());
    const conn = await connect(test.port);
    await fill(conn);
    test.call(['SET', 'late', 'before'], LATE_DB);
    test.call(['SADD', 'members', 'a', 'b'], LATE_DB);
    expect(test.call(['BGSAVE'])).toBe('Background saving started');
    test.call(['SET', 'late', 'after'], LATE_DB);
    test.call(['SREM', 'members', 'a'], LATE_DB);
    test.call(['SET', 'born', 'after'], LATE_DB);
    expect(processed(test.call(['INFO', 'persistence']))).toBeLessThan(BULK);
    await saved(test.server);
    const dump = readDump(join(dir.path, 'dump.rdb'));
    expect(dump.get(`${LATE_DB}:late`)).toEqual({ type: 'string', value: 'before' });
    expect(dump.get(`${LATE_DB}:members`)).toEqual({ type: 'set', members: ['a', 'b'] });
    expect(dump.has(`${LATE_DB}:born`)).toBe(false);
    expect(test.get('late', LATE_DB)).toBe('after');
  });
});
