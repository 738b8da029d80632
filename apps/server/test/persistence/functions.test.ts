import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/start.js';
import { redisAvailable } from '../differential/harness.js';
import { startRedisServer, type RedisServerProcess } from '@byor/test-oracle';
import { Conn, ReplyFailure } from './client.js';
import { startByor, tempDir } from './helpers.js';

/**
 * Function libraries (FUNCTION LOAD) survive restarts as redis-server's do: saved in RDB files
 * (FUNCTION2 records), rewritten into the AOF, carried by FUNCTION DUMP / RESTORE, and readable
 * by the other server in each direction.
 */

const LIBRARY = (name: string, fn: string, result: string): string =>
  `#!lua name=${name}\nredis.register_function('${fn}', function(keys, args) return '${result}' .. (args[1] or '') end)\n-- ${'padding so that LZF compresses the source '.repeat(3)}`;

function expectError(reply: unknown, message: string | RegExp): void {
  expect(reply).toBeInstanceOf(ReplyFailure);
  expect((reply as ReplyFailure).message).toMatch(message);
}

const servers = {
  redis: async (args: string[] = []): Promise<RedisServerProcess> => startRedisServer(args),
  byor: async (config: Record<string, string>): Promise<RunningServer> => startByor({ config }),
};

describe('function libraries and persistence', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function byor(config: Record<string, string>): Promise<RunningServer> {
    const server = await servers.byor(config);
    cleanup.push(() => server.close());
    return server;
  }

  async function redis(args: string[] = []): Promise<RedisServerProcess> {
    const server = await servers.redis(args);
    cleanup.push(() => server.stop());
    return server;
  }

  async function connect(port: number): Promise<Conn> {
    const conn = await Conn.connect(port);
    cleanup.push(() => conn.close());
    return conn;
  }

  async function loadLibraries(conn: Conn): Promise<void> {
    expect(await conn.call('FUNCTION', 'LOAD', LIBRARY('alpha', 'hello', 'hi '))).toBe('alpha');
    expect(await conn.call('FUNCTION', 'LOAD', LIBRARY('beta', 'bye', 'bye '))).toBe('beta');
  }

  async function expectLibraries(conn: Conn): Promise<void> {
    expect(await conn.call('FCALL', 'hello', '0', 'you')).toBe('hi you');
    expect(await conn.call('FCALL', 'bye', '0', 'now')).toBe('bye now');
    const list = (await conn.call('FUNCTION', 'LIST', 'WITHCODE')) as unknown[][];
    const names = list.map((entry) => String(entry[1])).sort();
    expect(names).toEqual(['alpha', 'beta']);
  }

  it('SAVE writes the libraries and a restart loads them', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const first = await byor({ dir: dir.path, save: '' });
    const conn = await connect(first.port);
    await loadLibraries(conn);
    expect(await conn.call('SAVE')).toBe('OK');
    await conn.close();
    await first.close();
    const second = await byor({ dir: dir.path, save: '' });
    await expectLibraries(await connect(second.port));
  });

  it.each(['yes', 'no'])(
    'the AOF (aof-use-rdb-preamble %s) keeps the libraries through a rewrite and a restart',
    async (preamble) => {
      const dir = tempDir();
      cleanup.push(dir.remove);
      const config = {
        dir: dir.path,
        save: '',
        appendonly: 'yes',
        'aof-use-rdb-preamble': preamble,
      };
      const first = await byor(config);
      const conn = await connect(first.port);
      await loadLibraries(conn);
      expect(await conn.call('BGREWRITEAOF')).toMatch(/rewriting started/);
      for (let i = 0; i < 100; i++) {
        const info = String(await conn.call('INFO', 'persistence'));
        if (info.includes('aof_rewrite_in_progress:0') && !info.includes('scheduled:1')) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await conn.close();
      await first.close();
      const second = await byor(config);
      await expectLibraries(await connect(second.port));
    },
  );

  it('FUNCTION DUMP / RESTORE with APPEND, REPLACE and FLUSH', async () => {
    const server = await byor({});
    const conn = await connect(server.port);
    await loadLibraries(conn);
    const payload = (await conn.call('FUNCTION', 'DUMP')) as string;
    expectError(
      await conn.call('FUNCTION', 'RESTORE', payload),
      /^ERR Library (alpha|beta) already exists$/,
    );
    expect(await conn.call('FUNCTION', 'RESTORE', payload, 'REPLACE')).toBe('OK');
    expect(await conn.call('FUNCTION', 'DELETE', 'beta')).toBe('OK');
    expect(await conn.call('FUNCTION', 'LOAD', LIBRARY('gamma', 'bye', 'x'))).toBe('gamma');
    // beta's function name is taken by gamma, which stays: the whole restore fails
    expectError(
      await conn.call('FUNCTION', 'RESTORE', payload, 'REPLACE'),
      /^ERR Function bye already exists$/,
    );
    expect(await conn.call('FUNCTION', 'RESTORE', payload, 'FLUSH')).toBe('OK');
    await expectLibraries(conn);
    expectError(
      await conn.call('FUNCTION', 'RESTORE', payload, 'MERGE'),
      'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.',
    );
    expectError(
      await conn.call('FUNCTION', 'RESTORE', 'junk'),
      'ERR DUMP payload version or checksum are wrong',
    );
    await conn.call('SET', 'k', 'v');
    const keyPayload = (await conn.call('DUMP', 'k')) as string;
    expectError(
      await conn.call('FUNCTION', 'RESTORE', keyPayload),
      'ERR given type is not a function',
    );
    await conn.call('FUNCTION', 'FLUSH');
    const empty = (await conn.call('FUNCTION', 'DUMP')) as string;
    expect(empty.length).toBe(10);
    expect(await conn.call('FUNCTION', 'RESTORE', empty)).toBe('OK');
  });

  describe.skipIf(!redisAvailable)('with redis-server', () => {
    it('FUNCTION DUMP gives the same bytes, and each server restores the other one', async () => {
      const ours = await connect((await byor({})).port);
      const theirs = await connect((await redis()).port);
      // one library: the order of several is redis-server's dict order
      for (const conn of [ours, theirs])
        await conn.call('FUNCTION', 'LOAD', LIBRARY('alpha', 'hello', 'hi '));
      const [a, b] = [
        (await ours.call('FUNCTION', 'DUMP')) as string,
        (await theirs.call('FUNCTION', 'DUMP')) as string,
      ];
      expect(a).toBe(b);
      for (const conn of [ours, theirs])
        await conn.call('FUNCTION', 'LOAD', LIBRARY('beta', 'bye', 'bye '));
      const fromRedis = (await theirs.call('FUNCTION', 'DUMP')) as string;
      const fromByor = (await ours.call('FUNCTION', 'DUMP')) as string;
      expect(await ours.call('FUNCTION', 'RESTORE', fromRedis, 'FLUSH')).toBe('OK');
      expect(await theirs.call('FUNCTION', 'RESTORE', fromByor, 'FLUSH')).toBe('OK');
      await expectLibraries(ours);
      await expectLibraries(theirs);
    });

    it('DEBUG RELOAD empties the libraries first; NOFLUSH fails on one already there, MERGE replaces it', async () => {
      const dir = tempDir();
      cleanup.push(dir.remove);
      const run = async (conn: Conn): Promise<unknown[]> => {
        const out: unknown[] = [];
        const call = async (...args: string[]): Promise<void> => {
          const reply = await conn.call(...args);
          out.push(reply instanceof ReplyFailure ? `error: ${reply.message}` : reply);
        };
        await call('FUNCTION', 'LOAD', LIBRARY('alpha', 'hello', 'hi '));
        await call('SET', 'k', 'saved');
        await call('DEBUG', 'RELOAD');
        await call('FCALL', 'hello', '0', 'again');
        await call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH');
        await call('DEL', 'k');
        await call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH');
        await call('FUNCTION', 'DELETE', 'alpha');
        await call('FUNCTION', 'LOAD', LIBRARY('alpha', 'hello', 'changed '));
        await call('SET', 'k', 'changed');
        await call('SET', 'other', 'kept');
        await call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE');
        await call('FCALL', 'hello', '0', 'merged');
        await call('MGET', 'k', 'other');
        await call('FUNCTION', 'LOAD', LIBRARY('beta', 'bye', 'bye '));
        await call('DEBUG', 'RELOAD', 'NOSAVE');
        await call('FUNCTION', 'LIST', 'LIBRARYNAME', 'beta');
        return out;
      };
      const debug = 'enable-debug-command';
      const config = { dir: dir.path, save: '', [debug]: 'yes' };
      const ours = await run(await connect((await byor(config)).port));
      const theirs = await run(await connect((await redis([`--${debug}`, 'yes'])).port));
      expect(ours).toEqual(theirs);
      expect(theirs).toContain('hi again');
      expect(theirs).toContain('hi merged');
    });

    it("redis-server's dump.rdb brings its libraries to byor, and byor's to redis-server", async () => {
      const source = await redis();
      const theirs = await connect(source.port);
      await loadLibraries(theirs);
      expect(await theirs.call('SAVE')).toBe('OK');
      const middle = await byor({ dir: source.dir, save: '', 'enable-protected-configs': 'yes' });
      const ours = await connect(middle.port);
      await expectLibraries(ours);
      const dir = tempDir();
      cleanup.push(dir.remove);
      expect(await ours.call('CONFIG', 'SET', 'dir', dir.path)).toBe('OK');
      expect(await ours.call('SAVE')).toBe('OK');
      const last = await redis(['--dir', dir.path]);
      await expectLibraries(await connect(last.port));
    });
  });
});
