import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readAofCommands,
  readAofFile,
  type AofCommandTarget,
  type AofReadResult,
} from '../../src/persistence/aof-reader.js';
import { PersistenceError } from '../../src/persistence/errors.js';
import type { RunningServer } from '../../src/start.js';
import { redisAvailable } from '../differential/harness.js';
import { startRedisServer, type RedisServerProcess } from '@byor/test-oracle';
import { Conn, ReplyFailure } from './client.js';
import { persistence, startByor, tempDir } from './helpers.js';
import { datasetCommands, keyspaceDifferences, readKeyspace, runAll } from './keyspace.js';

/** The commands of an AOF file (RDB preamble skipped), absolute times near now replaced by T. */
function aofCommands(path: string): string[] {
  const bytes = readFileSync(path);
  const out: string[] = [];
  if (bytes.length >= 5 && bytes.toString('latin1', 0, 5) === 'REDIS') return ['<rdb>'];
  const now = Date.now();
  readAofCommands(bytes, 0, bytes.length, {
    execute: (argv) =>
      out.push(
        argv
          .map((arg) => (/^\d{13}$/.test(arg) && Math.abs(Number(arg) - now) < 600_000 ? 'T' : arg))
          .join(' '),
      ),
    inMulti: () => false,
    discardMulti: () => {},
  });
  return out;
}

function files(dir: string): string[] {
  return readdirSync(join(dir, 'appendonlydir')).sort();
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('AOF', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function byor(config: Record<string, string | number>): Promise<RunningServer> {
    const server = await startByor({ config });
    cleanup.push(() => server.close());
    return server;
  }

  async function redis(args: string[]): Promise<RedisServerProcess> {
    const server = await startRedisServer(args);
    cleanup.push(() => server.stop());
    return server;
  }

  function dir(): string {
    const made = tempDir();
    cleanup.push(made.remove);
    return made.path;
  }

  /** The same session on a server: rewritten commands, transactions, databases, blocked clients. */
  async function session(port: number): Promise<void> {
    const conn = await Conn.connect(port);
    const waiter = await Conn.connect(port);
    try {
      const payload = String(await conn.call('DUMP', 'missing-key'));
      expect(payload).toBe('null');
      await conn.call('SET', 'payload-source', 'v');
      const dumped = String(await conn.call('DUMP', 'payload-source'));
      const script: (string | number)[][] = [
        ['SET', 'a', '1'],
        ['SET', 'b', '2', 'EX', '100'],
        ['SET', 'c', '3', 'PX', '100000', 'NX'],
        ['SET', 'c2', '3', 'PX', '100000', 'GET'],
        ['SETEX', 'd', '100', 'v'],
        ['PSETEX', 'e', '100000', 'v'],
        ['SET', 'f', 'v', 'PXAT', '4102444800000'],
        ['GETEX', 'a', 'EX', '100'],
        ['GETEX', 'a', 'PERSIST'],
        ['GETEX', 'f', 'PXAT', '4102444800001'],
        ['GETEX', 'f'],
        ['GETDEL', 'c'],
        ['INCRBYFLOAT', 'n', '1.5'],
        ['INCRBYFLOAT', 'n', '2'],
        ['EXPIRE', 'a', '100'],
        ['EXPIRE', 'a', '100', 'XX'],
        ['PEXPIREAT', 'a', '4102444800000'],
        ['EXPIRE', 'missing', '100'],
        ['HSET', 'h', 'f', '1'],
        ['HINCRBYFLOAT', 'h', 'f', '0.5'],
        ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
        ['LPOP', 'l'],
        ['LMPOP', '1', 'l', 'RIGHT', 'COUNT', '2'],
        ['BLPOP', 'l', '1'],
        ['RPUSH', 'l2', 'x', 'y', 'z'],
        ['BLMOVE', 'l2', 'l3', 'LEFT', 'RIGHT', '0'],
        ['BRPOPLPUSH', 'l2', 'l3', '0'],
        ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
        ['BZPOPMIN', 'z', '0'],
        ['BZPOPMAX', 'z', '0'],
        ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '2'],
        ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '5'],
        ['SADD', 's', '1', '2', '3'],
        ['SREM', 's', '1'],
        ['MULTI'],
        ['SET', 't1', '1'],
        ['INCR', 't1'],
        ['GET', 't1'],
        ['EXEC'],
        ['MULTI'],
        ['GET', 't1'],
        ['EXEC'],
        ['SELECT', '2'],
        ['SET', 'in-db-2', 'v'],
        ['SELECT', '0'],
        ['EXPIRE', 'b', '0'],
        ['RESTORE', 'r', '100000', dumped],
        ['RESTORE', 'r2', '0', dumped],
        ['SET', 'long', 'x'.repeat(5000)],
        ['APPEND', 'long', 'y'],
        ['DEL', 'long', 'nothing'],
      ];
      for (const command of script) {
        const reply = await conn.call(...command);
        expect(reply instanceof ReplyFailure, `${command.join(' ')}: ${String(reply)}`).toBe(false);
      }
      // a blocked client served by another's push: the pop is propagated after the push
      const served = waiter.call('BLPOP', 'queue', '0');
      await wait(50);
      await conn.call('RPUSH', 'queue', 'job');
      expect(await served).toEqual(['queue', 'job']);
    } finally {
      await conn.close();
      await waiter.close();
    }
  }

  it.skipIf(!redisAvailable)(
    'writes the files redis-server writes: manifest, base, and the same commands',
    async () => {
      const mine = dir();
      const server = await byor({ dir: mine, appendonly: 'yes', appendfsync: 'always' });
      const theirs = await redis(['--appendonly', 'yes', '--appendfsync', 'always']);
      await session(server.port);
      await session(theirs.port);
      expect(files(mine)).toEqual(files(theirs.dir));
      const manifest = 'appendonly.aof.manifest';
      expect(readFileSync(join(mine, 'appendonlydir', manifest), 'latin1')).toBe(
        readFileSync(join(theirs.dir, 'appendonlydir', manifest), 'latin1'),
      );
      const incr = 'appendonly.aof.1.incr.aof';
      expect(aofCommands(join(mine, 'appendonlydir', incr))).toEqual(
        aofCommands(join(theirs.dir, 'appendonlydir', incr)),
      );
    },
  );

  it.skipIf(!redisAvailable)(
    "byor's AOF loads in redis-server, and redis-server's in byor, with identical contents",
    async () => {
      const mine = dir();
      const first = await byor({ dir: mine, appendonly: 'yes' });
      await runAll(first.port, datasetCommands(4));
      await session(first.port);
      const expected = await readKeyspace(first.port);
      await first.close();
      const other = await redis(['--dir', mine, '--appendonly', 'yes']);
      expect(keyspaceDifferences(expected, await readKeyspace(other.port))).toEqual([]);

      const theirs = await redis(['--appendonly', 'yes']);
      await runAll(theirs.port, datasetCommands(8));
      await session(theirs.port);
      const expectedTheirs = await readKeyspace(theirs.port);
      const copy = dir();
      cpSync(join(theirs.dir, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
      const loaded = await byor({ dir: copy, appendonly: 'yes' });
      expect(keyspaceDifferences(expectedTheirs, await readKeyspace(loaded.port))).toEqual([]);
    },
  );

  it.each(['yes', 'no'])(
    'BGREWRITEAOF (aof-use-rdb-preamble %s): new base and incr, old files gone, same data after a restart',
    async (preamble) => {
      const path = dir();
      const server = await byor({ dir: path, appendonly: 'yes', 'aof-use-rdb-preamble': preamble });
      await runAll(server.port, datasetCommands(2));
      expect(files(path)).toEqual([
        `appendonly.aof.1.base.${preamble === 'yes' ? 'rdb' : 'aof'}`,
        'appendonly.aof.1.incr.aof',
        'appendonly.aof.manifest',
      ]);
      const conn = await Conn.connect(server.port);
      expect(await conn.call('BGREWRITEAOF')).toBe('Background append only file rewriting started');
      // writes during the rewrite go to the new incremental file
      await conn.call('SET', 'during', 'rewrite');
      await persistence(server).idle();
      await conn.call('SET', 'after', 'rewrite');
      await conn.close();
      const suffix = preamble === 'yes' ? 'rdb' : 'aof';
      expect(files(path)).toEqual([
        `appendonly.aof.2.base.${suffix}`,
        'appendonly.aof.2.incr.aof',
        'appendonly.aof.manifest',
      ]);
      const info = String(
        await Conn.connect(server.port).then(async (c) => {
          const reply = await c.call('INFO', 'persistence');
          await c.close();
          return reply;
        }),
      );
      expect(info).toContain('aof_rewrites:1');
      expect(info).toContain('aof_last_bgrewrite_status:ok');
      const expected = await readKeyspace(server.port);
      await server.close();
      const again = await byor({ dir: path, appendonly: 'yes' });
      expect(keyspaceDifferences(expected, await readKeyspace(again.port))).toEqual([]);
    },
  );

  it('a truncated tail is cut off and the rest loads (aof-load-truncated yes); refused with no', async () => {
    const path = dir();
    const server = await byor({ dir: path, appendonly: 'yes', appendfsync: 'always' });
    await runAll(server.port, [['SET', 'kept', '1'], ['MULTI'], ['SET', 'tx', '1'], ['EXEC']]);
    await server.close();
    const incr = join(path, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const whole = statSync(incr).size;
    appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r');
    await expect(
      byor({ dir: path, appendonly: 'yes', 'aof-load-truncated': 'no' }),
    ).rejects.toThrow(PersistenceError);
    const loaded = await byor({ dir: path, appendonly: 'yes' });
    expect(statSync(incr).size).toBe(whole);
    const view = await readKeyspace(loaded.port, 1);
    expect([...view.keys()].sort()).toEqual(['0:kept', '0:tx']);
    await loaded.close();
    // a MULTI without its EXEC at the end is dropped as well
    appendFileSync(incr, '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$7\r\npartial\r\n$1\r\n1\r\n');
    const reverted = await byor({ dir: path, appendonly: 'yes' });
    expect([...(await readKeyspace(reverted.port, 1)).keys()].sort()).toEqual(['0:kept', '0:tx']);
    expect(statSync(incr).size).toBe(whole);
  });

  it.skipIf(!redisAvailable)('truncates the tail where redis-server does', async () => {
    const path = dir();
    const server = await byor({ dir: path, appendonly: 'yes', appendfsync: 'always' });
    await runAll(server.port, [['SET', 'kept', '1']]);
    await server.close();
    const incr = join(path, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    appendFileSync(incr, '*2\r\n$3\r\nDEL\r\n$4\r\nke');
    const copy = dir();
    cpSync(join(path, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
    await byor({ dir: path, appendonly: 'yes' });
    const other = await redis(['--dir', copy, '--appendonly', 'yes']);
    // redis-server accepts connections while it loads: wait for the data first
    expect((await readKeyspace(other.port, 1)).has('0:kept')).toBe(true);
    expect(readFileSync(incr)).toEqual(
      readFileSync(join(copy, 'appendonlydir', 'appendonly.aof.1.incr.aof')),
    );
  });

  it.skipIf(!redisAvailable)(
    'loads an RDB preamble followed by commands and a cut tail as redis-server does',
    async () => {
      // the RDB part is read a window at a time: the cut is at an offset past it
      const source = dir();
      const saver = await byor({ dir: source });
      await runAll(saver.port, [
        ['SET', 'big', 'x'.repeat(3 << 20)],
        ['RPUSH', 'list', 'a', 'b'],
        ['SAVE'],
      ]);
      await saver.close();
      const path = dir();
      writeFileSync(
        join(path, 'appendonly.aof'),
        Buffer.concat([
          readFileSync(join(source, 'dump.rdb')),
          Buffer.from('*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n*2\r\n$3\r\nDEL\r\n$2\r\nbi'),
        ]),
      );
      const copy = dir();
      cpSync(join(path, 'appendonly.aof'), join(copy, 'appendonly.aof'));
      const mine = await byor({ dir: path, appendonly: 'yes' });
      const theirs = await redis(['--dir', copy, '--appendonly', 'yes']);
      const expected = await readKeyspace(theirs.port, 1);
      expect(expected.has('0:after')).toBe(true);
      expect(keyspaceDifferences(expected, await readKeyspace(mine.port, 1))).toEqual([]);
      expect(readFileSync(join(path, 'appendonlydir', 'appendonly.aof'))).toEqual(
        readFileSync(join(copy, 'appendonlydir', 'appendonly.aof')),
      );
    },
  );

  it('refuses a file that is not an AOF (bad format) and an unknown command', async () => {
    for (const content of ['garbage\r\n', '*1\r\n$7\r\nNOTACMD\r\n']) {
      const path = dir();
      const server = await byor({ dir: path, appendonly: 'yes' });
      await server.close();
      writeFileSync(join(path, 'appendonlydir', 'appendonly.aof.1.incr.aof'), content);
      await expect(byor({ dir: path, appendonly: 'yes' })).rejects.toThrow(PersistenceError);
    }
  });

  it('loads an AOF from before Redis 7 (one file in dir) and moves it into the AOF directory', async () => {
    const path = dir();
    writeFileSync(
      join(path, 'appendonly.aof'),
      '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n',
    );
    const server = await byor({ dir: path, appendonly: 'yes' });
    expect((await readKeyspace(server.port, 1)).get('0:old')?.value).toBe('style');
    expect(existsSync(join(path, 'appendonly.aof'))).toBe(false);
    expect(readFileSync(join(path, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
  });

  it.skipIf(!redisAvailable)(
    'replays its commands as loading: keys do not expire, a PEXPIREAT in the past sets the TTL',
    async () => {
      // an old-style AOF: both servers move it into their AOF directory and replay it
      const aof =
        '*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$3\r\nfoo\r\n' +
        '*3\r\n$9\r\nPEXPIREAT\r\n$4\r\nlist\r\n$4\r\n1000\r\n' +
        '*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$3\r\nbar\r\n' +
        '*3\r\n$3\r\nSET\r\n$4\r\nkept\r\n$1\r\nv\r\n' +
        '*3\r\n$9\r\nPEXPIREAT\r\n$4\r\nkept\r\n$4\r\n1000\r\n' +
        '*2\r\n$7\r\nPERSIST\r\n$4\r\nkept\r\n';
      const answers: string[][] = [];
      for (const start of [
        async (path: string) => (await byor({ dir: path, appendonly: 'yes' })).port,
        async (path: string) => (await redis(['--dir', path, '--appendonly', 'yes'])).port,
      ]) {
        const path = dir();
        writeFileSync(join(path, 'appendonly.aof'), aof);
        const conn = await Conn.connect(await start(path));
        answers.push([
          String(await conn.call('LLEN', 'list')),
          String(await conn.call('GET', 'kept')),
          String(await conn.call('TTL', 'kept')),
        ]);
        await conn.close();
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[1]).toEqual(['0', 'v', '-1']);
    },
  );

  it.skipIf(!redisAvailable)(
    'writes a file name with white space or quotes in its manifest quoted, as redis-server',
    async () => {
      const name = ' file seq \n\n.aof "q" ';
      const manifests: string[] = [];
      for (const start of [
        async (path: string) =>
          (await byor({ dir: path, appendonly: 'yes', appendfilename: name })).port,
        async (path: string) =>
          (await redis(['--dir', path, '--appendonly', 'yes', '--appendfilename', name])).port,
      ]) {
        const path = dir();
        const conn = await Conn.connect(await start(path));
        await conn.call('SET', 'k', 'v');
        await conn.call('BGREWRITEAOF');
        while (String(await conn.call('INFO', 'persistence')).includes('aof_rewrite_in_progress:1'))
          await wait(20);
        await wait(100);
        manifests.push(readFileSync(join(path, 'appendonlydir', `${name}.manifest`), 'latin1'));
        await conn.close();
      }
      expect(manifests[0]).toBe(manifests[1]);
      expect(manifests[1]).toContain(
        'file " file seq \\n\\n.aof \\"q\\" .2.incr.aof" seq 2 type i',
      );
    },
  );

  it('aof-timestamp-enabled: a "#TS:" line before the first command of a second, and atop a rewrite', async () => {
    const path = dir();
    const server = await byor({
      dir: path,
      appendonly: 'yes',
      'aof-timestamp-enabled': 'yes',
      'aof-use-rdb-preamble': 'no',
    });
    const before = Math.floor(Date.now() / 1000);
    await runAll(server.port, [
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
    ]);
    const incr = join(path, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const lines = readFileSync(incr, 'latin1').split('\r\n');
    expect(Number(/^#TS:(\d+)$/.exec(lines[0] ?? '')?.[1])).toBeGreaterThanOrEqual(before);
    expect(lines.filter((line) => line.startsWith('#TS:')).length).toBeLessThanOrEqual(2);
    await runAll(server.port, [['BGREWRITEAOF']]);
    await persistence(server).idle();
    const base = files(path).find((name) => name.includes('.base.'));
    expect(readFileSync(join(path, 'appendonlydir', base ?? ''), 'latin1')).toMatch(/^#TS:\d+\r\n/);
    await server.close();
    // and the annotations load back
    const again = await byor({ dir: path, appendonly: 'yes' });
    expect((await readKeyspace(again.port, 1)).get('0:b')?.value).toBe('2');
  });

  it('CONFIG SET appendonly yes starts the AOF with a rewrite; no stops it', async () => {
    const path = dir();
    const server = await byor({ dir: path });
    await runAll(server.port, [
      ['SET', 'before', '1'],
      ['CONFIG', 'SET', 'appendonly', 'yes'],
    ]);
    await persistence(server).idle();
    await runAll(server.port, [['SET', 'after', '2']]);
    expect(files(path)).toEqual([
      'appendonly.aof.1.base.rdb',
      'appendonly.aof.1.incr.aof',
      'appendonly.aof.manifest',
    ]);
    await runAll(server.port, [
      ['CONFIG', 'SET', 'appendonly', 'no'],
      ['SET', 'unlogged', '3'],
    ]);
    expect(aofCommands(join(path, 'appendonlydir', 'appendonly.aof.1.incr.aof'))).toEqual([
      'SELECT 0',
      'SET after 2',
    ]);
    await server.close();
    const again = await byor({ dir: path, appendonly: 'yes' });
    expect([...(await readKeyspace(again.port, 1)).keys()].sort()).toEqual(['0:after', '0:before']);
  });

  it.each(['everysec', 'no'])(
    'appendfsync %s writes every command before its reply',
    async (policy) => {
      const path = dir();
      const server = await byor({ dir: path, appendonly: 'yes', appendfsync: policy });
      await runAll(server.port, [
        ['SET', 'a', '1'],
        ['RPUSH', 'l', 'x'],
      ]);
      expect(aofCommands(join(path, 'appendonlydir', 'appendonly.aof.1.incr.aof'))).toEqual([
        'SELECT 0',
        'SET a 1',
        'RPUSH l x',
      ]);
    },
  );

  it.skipIf(!redisAvailable)(
    'DEBUG LOADAOF replaces the data with what the AOF holds, appending nothing, as redis-server',
    async () => {
      const run = async (port: number, path: string) => {
        const conn = await Conn.connect(port);
        const out: unknown[] = [];
        for (const command of [
          ['SET', 'a', '1'],
          ['RPUSH', 'l', 'x', 'y'],
          [
            'FUNCTION',
            'LOAD',
            "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
          ],
          ['CONFIG', 'SET', 'appendonly', 'no'],
          ['SET', 'unlogged', '1'],
          ['CONFIG', 'SET', 'appendonly', 'yes'],
        ])
          out.push(await conn.call(...command));
        for (let i = 0; i < 100; i++) {
          const info = String(await conn.call('INFO', 'persistence'));
          if (info.includes('aof_rewrite_in_progress:0') && !info.includes('scheduled:1')) break;
          await wait(20);
        }
        out.push(await conn.call('SET', 'b', '2'));
        out.push(await conn.call('DEL', 'a'));
        const incr = join(
          path,
          'appendonlydir',
          files(path).find((name) => name.endsWith('incr.aof'))!,
        );
        const size = statSync(incr).size;
        out.push(await conn.call('DEBUG', 'LOADAOF'));
        out.push(((await conn.call('KEYS', '*')) as string[]).sort());
        out.push(await conn.call('FCALL', 'f', '0'));
        out.push(
          await conn
            .call('INFO', 'persistence')
            .then((info) => /rdb_changes\S*/.exec(String(info))?.[0]),
        );
        out.push(statSync(incr).size === size);
        await conn.close();
        return out.map((reply) =>
          reply instanceof ReplyFailure ? `error: ${reply.message}` : reply,
        );
      };
      const ours = dir();
      const theirs = dir();
      const debug = 'enable-debug-command';
      // appendfsync always: every write is in the file before its reply (with everysec
      // redis-server may postpone writing while a background fsync runs, and DEBUG LOADAOF's
      // flush would then grow the file with writes made before it)
      const server = await byor({
        dir: ours,
        appendonly: 'yes',
        appendfsync: 'always',
        [debug]: 'yes',
      });
      const other = await redis([
        '--dir',
        theirs,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        `--${debug}`,
        'yes',
      ]);
      const expected = await run(other.port, theirs);
      expect(await run(server.port, ours)).toEqual(expected);
      expect(expected).toContain(true);
    },
  );

  it.skipIf(!redisAvailable)('INFO persistence has the fields redis-server 7.0 has', async () => {
    for (const appendonly of ['no', 'yes']) {
      const server = await byor({ dir: dir(), appendonly });
      const other = await redis(['--appendonly', appendonly]);
      const names = async (port: number) => {
        const conn = await Conn.connect(port);
        const text = String(await conn.call('INFO', 'persistence'));
        await conn.close();
        return text
          .split('\r\n')
          .filter((line) => line.includes(':'))
          .map((line) => line.slice(0, line.indexOf(':')));
      };
      expect(await names(server.port)).toEqual(await names(other.port));
    }
  });
});

describe('an AOF read in windows', () => {
  /** A target that records what it is given, with redis-server's MULTI bookkeeping. */
  function recorder() {
    const log: string[] = [];
    let queued: string[][] | undefined;
    return {
      log,
      target: {
        execute: (argv: string[]) => {
          const name = (argv[0] ?? '').toLowerCase();
          if (name === 'multi') queued = [];
          else if (name === 'exec') {
            for (const command of queued ?? []) log.push(command.join(' '));
            queued = undefined;
          } else if (queued) queued.push(argv);
          else log.push(argv.join(' '));
        },
        inMulti: () => queued !== undefined,
        discardMulti: () => {
          queued = undefined;
        },
      },
    };
  }

  const command = fc.oneof(
    fc
      .array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 })
      .map((args) => ['SET', ...args]),
    fc.constant(['MULTI']),
    fc.constant(['EXEC']),
    fc.string({ maxLength: 20 }).map((text) => ['#', text]),
  );
  const encode = (argv: readonly string[]) =>
    argv[0] === '#'
      ? `#${(argv[1] ?? '').replace(/[\r\n]/g, '')}\r\n`
      : `*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;

  it('gives what a whole read gives, for any window size and any cut', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'byor-aof-')), 'file.aof');
    try {
      fc.assert(
        fc.property(
          fc.array(command, { maxLength: 30 }),
          fc.integer({ min: 1, max: 64 }),
          fc.nat(),
          fc.boolean(),
          (commands, windowBytes, cutAt, cut) => {
            const whole = Buffer.from(commands.map(encode).join(''), 'latin1');
            const bytes = cut ? whole.subarray(0, cutAt % (whole.length + 1)) : whole;
            writeFileSync(path, bytes);
            const outcome = (read: (target: AofCommandTarget) => AofReadResult) => {
              const { log, target } = recorder();
              try {
                const result = read(target);
                return { log, truncated: result.truncated, validUpTo: result.validUpTo };
              } catch (error) {
                return { log, error: (error as Error).message };
              }
            };
            expect(outcome((target) => readAofFile(path, 0, target, windowBytes))).toEqual(
              outcome((target) => readAofCommands(bytes, 0, bytes.length, target)),
            );
          },
        ),
        { numRuns: 500 },
      );
    } finally {
      rmSync(join(path, '..'), { recursive: true, force: true });
    }
  });
});
