import { execFile, spawn, spawnSync } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import {
  freePort,
  hasRedisServer,
  startRedisServer,
  type RedisServerProcess,
} from '@byor/test-oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer as startEmbedded, type RunningServer } from '../src/index.js';
import { createLogger } from '../src/logger.js';
import { ReplicationBacklog } from '../src/replication/backlog.js';
import { readState } from './helpers/model.js';
import { RawClient } from './helpers/raw-client.js';

const run = promisify(execFile);

/** (`dir` makes a server change the process's directory, as redis-server does: back to this) */
const testDirectory = process.cwd();

/**
 * A byor server in a directory of its own (removed once it stops), as each redis-server of the
 * tests has: a replica writes its master's RDB there (temp file, then dbfilename).
 */
async function startServer(
  options: Omit<NonNullable<Parameters<typeof startEmbedded>[0]>, 'config'> & {
    config?: Record<string, string>;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'byor-replication-'));
  const running = await startEmbedded({ ...options, config: { dir, ...options.config } });
  process.chdir(testDirectory);
  void running.closed.finally(() => rmSync(dir, { recursive: true, force: true }));
  return running;
}
const hasRedisCli = spawnSync('redis-cli', ['--version']).status === 0;
const hasRedisBenchmark = spawnSync('redis-benchmark', ['--version']).status === 0;

/** The INFO field `name` of a server. */
async function infoField(client: RawClient, section: string, name: string): Promise<string> {
  const info = await client.call('INFO', section);
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info)?.[1] ?? '';
}

/** Polls `check` every 20 ms until it holds (or fails after `ms`). */
async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until a replica's link to its master is up (its RDB loaded). */
async function linkUp(replica: RawClient): Promise<void> {
  await until(async () => (await infoField(replica, 'replication', 'master_link_status')) === 'up');
}

/** {@link linkUp} for the replicas on `ports`, each through a connection of its own. */
async function linksUp(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const replica = await RawClient.connect(port);
    try {
      await linkUp(replica);
    } finally {
      replica.close();
    }
  }
}

/** Write commands of every type on a few keys, in two databases, some in transactions. */
const randomWrites = (() => {
  const key = fc.constantFrom('a', 'b', 'c');
  const member = fc.constantFrom('x', 'y', 'z', 'w');
  const number = fc.integer({ min: -5, max: 5 }).map(String);
  const write = fc.oneof(
    fc.tuple(fc.constant('SET'), key, member),
    fc.tuple(fc.constant('APPEND'), key, member),
    fc.tuple(fc.constant('INCRBY'), key, number),
    fc.tuple(fc.constant('DEL'), key),
    fc.tuple(fc.constant('LPUSH'), key, member),
    fc.tuple(fc.constant('RPOP'), key),
    fc.tuple(fc.constant('SADD'), key, member),
    fc.tuple(fc.constant('SPOP'), key),
    fc.tuple(fc.constant('HSET'), key, member, number),
    fc.tuple(fc.constant('HINCRBY'), key, member, number),
    fc.tuple(fc.constant('ZADD'), key, number, member),
    fc.tuple(fc.constant('ZINCRBY'), key, number, member),
    fc.tuple(fc.constant('EXPIRE'), key, fc.constantFrom('100', '1000')),
    fc.tuple(fc.constant('PERSIST'), key),
    fc.tuple(fc.constant('COPY'), key, key, fc.constant('REPLACE')),
    fc.tuple(fc.constant('SELECT'), fc.constantFrom('0', '1')),
    fc.constant(['MULTI'] as const),
    fc.constant(['EXEC'] as const),
  );
  return fc.array(write, { maxLength: 40 });
})();

/**
 * The property both directions share: after FLUSHALL and any sequence of {@link randomWrites} on
 * the master, the replica holds the same data once WAIT says it has the stream.
 */
async function followsRandomWrites(master: RawClient, masterPort: number, replicaPort: number) {
  await fc.assert(
    fc.asyncProperty(randomWrites, async (commands) => {
      await runWrites(master, commands);
      await expectInSync(master, masterPort, replicaPort);
    }),
    { numRuns: 25 },
  );
}

/** FLUSHALL, then `commands` (errors and all), leaving the connection in database 0. */
async function runWrites(client: RawClient, commands: readonly (readonly string[])[]) {
  await client.call('FLUSHALL');
  for (const command of commands) await client.call(...command);
  await client.call('DISCARD');
  await client.call('SELECT', '0');
}

/** Both servers' databases 0 and 1 (keys, types, TTLs present, values), once WAIT says synced. */
async function expectInSync(master: RawClient, masterPort: number, replicaPort: number) {
  expect(await master.call('WAIT', '1', '5000')).toBe(':1\r\n');
  const [mine, theirs] = await Promise.all([readState(masterPort), readState(replicaPort)]);
  expect(theirs).toEqual(mine);
}

/**
 * A replica by hand on `port`: `REPLCONF capa eof` when `eof` (its reply awaited first: PSYNC is
 * refused while a reply is pending, as redis-server does), then `PSYNC ? -1`. It stops reading
 * once what it received includes `pauseAt`.
 */
async function handMadeReplica(port: number, eof: boolean, pauseAt?: string) {
  const socket = connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  const text = () => received.toString('latin1');
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (pauseAt !== undefined && text().includes(pauseAt)) socket.pause();
  });
  if (eof) {
    socket.write('*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n');
    await until(() => text() === '+OK\r\n');
  }
  socket.write('*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
  return { socket, received: () => received, text };
}

/** The RDB a byor master sends its replicas after `setup`. */
async function rdbOf(setup: string[][]): Promise<Buffer> {
  const source = await startServer({ port: 0 });
  try {
    const client = await RawClient.connect(source.port);
    for (const command of setup) await client.call(...command);
    client.close();
    const chunks: Buffer[] = [];
    return await new Promise<Buffer>((resolve, reject) =>
      source.server.persistence?.replicaRdb(
        { data: true, functions: true },
        {
          write: (chunk) => chunks.push(chunk),
          pendingBytes: 0,
          drained: () => Promise.resolve(),
          end: (error) => (error ? reject(error) : resolve(Buffer.concat(chunks))),
        },
      ),
    );
  } finally {
    await source.close();
  }
}

/**
 * A master that answers the handshake (PING, REPLCONF) and hands each PSYNC, with its number
 * (0 first), to `psync`; `close` ends it and every connection it has.
 */
async function fakeMaster(psync: (socket: Socket, count: number) => void) {
  const sockets: Socket[] = [];
  let count = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      if (text.includes('PSYNC')) psync(socket, count++);
      else if (text.includes('PING')) socket.write('+PONG\r\n');
      else socket.write('+OK\r\n'.repeat(text.split('REPLCONF').length - 1));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    sockets,
    psyncs: () => count,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('ReplicationBacklog', () => {
  it('keeps the last `size` bytes of the stream and gives them back from any offset it covers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        (size, start, chunks, resized) => {
          const backlog = new ReplicationBacklog(size, start);
          let stream = Buffer.alloc(0);
          chunks.forEach((chunk, i) => {
            if (i === chunks.length >> 1) backlog.resize(resized);
            backlog.append(chunk);
            stream = Buffer.concat([stream, chunk]);
          });
          // the model: bytes start+1 ... start+stream.length, of which the last `size` are kept
          const end = start + stream.length;
          expect(backlog.offset).toBe(end);
          expect(backlog.histlen).toBeLessThanOrEqual(backlog.size);
          const kept = Math.min(backlog.histlen, stream.length);
          expect(backlog.firstByteOffset).toBe(end - backlog.histlen + 1);
          for (let from = end - kept + 1; from <= end + 1; from++) {
            expect(backlog.covers(from)).toBe(true);
            expect(backlog.since(from)).toEqual(stream.subarray(from - start - 1));
          }
          expect(backlog.covers(end + 2)).toBe(false);
          expect(backlog.covers(end - backlog.histlen)).toBe(false);
        },
      ),
    );
  });
});

/**
 * byor as the master of Debian's redis-server: the replica syncs (RDB), follows every write, and
 * continues after a lost link from the backlog; WAIT, ROLE and INFO count it.
 */
describe("the master's pings", () => {
  it('keep their period from the first replica on: none as a replica attaches', async () => {
    const server = await startEmbedded({ port: 0 });
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('SYNC\r\n');
    // the cron runs once a second: a ping due at once would be sent within this time
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    socket.destroy();
    await server.close();
    expect(received).toMatch(/^\$\d+\r\nREDIS/m);
    expect(received).not.toContain('$4\r\nping\r\n');
  });
});

describe.skipIf(!hasRedisServer)('replication to redis-server', () => {
  let master: RunningServer;
  let replica: RedisServerProcess;
  let client: RawClient;
  let replicaClient: RawClient;

  beforeAll(async () => {
    master = await startServer({ port: 0 });
    client = await RawClient.connect(master.port);
    // data before the replica comes: it arrives in the RDB
    await client.call('SET', 'before', 'v');
    await client.call('RPUSH', 'list', 'a', 'b', 'c');
    await client.call('HSET', 'hash', 'f', '1', 'g', '2');
    await client.call('ZADD', 'zset', '1', 'x', '2.5', 'y');
    await client.call('SADD', 'set', 'm', 'n');
    await client.call('SET', 'ttl', 'v', 'EX', '1000');
    await client.call('SELECT', '1');
    await client.call('SET', 'in-db-1', 'v');
    await client.call('SELECT', '0');
    replica = await startRedisServer(['--replicaof', '127.0.0.1', String(master.port)]);
    replicaClient = await RawClient.connect(replica.port);
    await linkUp(replicaClient);
  }, 30_000);

  afterAll(async () => {
    client?.close();
    replicaClient?.close();
    await replica?.stop();
    await master?.close();
  });

  it('sends the dataset in an RDB, then every write as it runs', async () => {
    await expectInSync(client, master.port, replica.port);
    expect(await replicaClient.call('PTTL', 'ttl')).toMatch(/^:(99\d{4}|1000000)\r\n$/);
    await client.call('SET', 'after', 'x', 'PX', '100000');
    await client.call('INCR', 'counter');
    await client.call('LPOP', 'list');
    await client.call('SELECT', '1');
    await client.call('DEL', 'in-db-1');
    await client.call('HSET', 'h1', 'a', 'b');
    await client.call('SELECT', '0');
    expect(await client.call('MULTI')).toBe('+OK\r\n');
    await client.call('INCRBY', 'counter', '10');
    await client.call('SPOP', 'set', '2');
    expect(await client.call('EXEC')).toMatch(/^\*2\r\n:11\r\n/);
    await client.call('EVAL', "redis.call('SET', 'scripted', ARGV[1]); return 1", '0', 'lua');
    await client.call(
      'FUNCTION',
      'LOAD',
      "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
    );
    await expectInSync(client, master.port, replica.port);
    expect(await replicaClient.call('FUNCTION', 'LIST')).toContain('lib');
    expect(await replicaClient.call('GET', 'scripted')).toBe('$3\r\nlua\r\n');
  });

  it('counts the replica in ROLE, INFO and WAIT', async () => {
    await client.call('SET', 'k', 'v');
    expect(await client.call('WAIT', '1', '0')).toBe(':1\r\n');
    const offset = Number(await infoField(client, 'replication', 'master_repl_offset'));
    expect(offset).toBeGreaterThan(0);
    expect(await infoField(client, 'replication', 'connected_slaves')).toBe('1');
    expect(await infoField(client, 'replication', 'slave0')).toMatch(
      new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`),
    );
    expect(await infoField(client, 'replication', 'repl_backlog_active')).toBe('1');
    // WAIT's REPLCONF GETACK made the replica acknowledge the whole stream
    const acknowledged = async () => {
      const line = await infoField(client, 'replication', 'slave0');
      const stream = await infoField(client, 'replication', 'master_repl_offset');
      return /offset=(\d+)/.exec(line)?.[1] === stream;
    };
    await until(acknowledged, 5000);
    // the replica's own view: the same stream, the same offset, once it acknowledged
    await until(
      async () =>
        Number(await infoField(replicaClient, 'replication', 'master_repl_offset')) >= offset,
    );
    expect(await infoField(replicaClient, 'replication', 'master_replid')).toBe(
      await infoField(client, 'replication', 'master_replid'),
    );
    const role = await client.call('ROLE');
    expect(role).toMatch(
      new RegExp(
        `^\\*3\\r\\n\\$6\\r\\nmaster\\r\\n:\\d+\\r\\n\\*1\\r\\n\\*3\\r\\n\\$9\\r\\n127\\.0\\.0\\.1\\r\\n\\$\\d+\\r\\n${replica.port}\\r\\n`,
      ),
    );
    // two replicas cannot acknowledge: WAIT answers 1 at its timeout
    const started = Date.now();
    expect(await client.call('WAIT', '2', '200')).toBe(':1\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await client.call('CLIENT', 'LIST', 'TYPE', 'replica')).toMatch(/ flags=S /);
  });

  it('continues a lost link from the backlog (+CONTINUE), without a new RDB', async () => {
    const fullBefore = await infoField(client, 'stats', 'sync_full');
    expect(await client.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(':1\r\n');
    await client.call('SET', 'while-away', '1');
    await client.call('RPUSH', 'list', 'd');
    await until(async () => (await infoField(client, 'replication', 'connected_slaves')) === '1');
    expect(await infoField(client, 'stats', 'sync_partial_ok')).toBe('1');
    expect(await infoField(client, 'stats', 'sync_full')).toBe(fullBefore);
    await expectInSync(client, master.port, replica.port);
  });

  it('follows random writes of every type, in two databases and in transactions', async () => {
    await followsRandomWrites(client, master.port, replica.port);
  }, 60_000);

  it.skipIf(!hasRedisCli)('gives redis-cli --rdb a file redis-server loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-rdb-'));
    try {
      await client.call('FLUSHALL');
      for (let i = 0; i < 100; i++) await client.call('SET', `key:${i}`, `value:${i}`);
      await run('redis-cli', ['-p', String(master.port), '--rdb', join(dir, 'dump.rdb')]);
      const loaded = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
      const check = await RawClient.connect(loaded.port);
      try {
        expect(await check.call('DBSIZE')).toBe(':100\r\n');
        expect(await check.call('GET', 'key:42')).toBe('$8\r\nvalue:42\r\n');
      } finally {
        check.close();
        await loaded.stop();
      }
      // the client is gone after its RDB: it was never a replica of the stream
      expect(await infoField(client, 'replication', 'connected_slaves')).toBe('1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams the RDB between EOF marks to a replica that takes them, with the writes after its first ACK', async () => {
    for (const eof of [true, false]) {
      const { socket, received, text } = await handMadeReplica(master.port, eof);
      try {
        // +FULLRESYNC, newlines while the RDB is made, then the RDB
        const head = eof
          ? /^\+OK\r\n\+FULLRESYNC [0-9a-f]{40} \d+\r\n\n*\$EOF:([0-9a-f]{40})\r\n/
          : /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n\n*\$(\d+)\r\n/;
        await until(() => head.test(text()));
        const [header, size = ''] = head.exec(text()) ?? [''];
        const rdbEnd = eof
          ? () => text().indexOf(size, header.length)
          : () =>
              received().length >= header.length + Number(size) ? header.length + Number(size) : -1;
        await until(() => rdbEnd() > 0);
        expect(text().slice(header.length, header.length + 9)).toBe('REDIS0010');
        const streamStart = eof ? rdbEnd() + size.length : rdbEnd();
        await client.call('SET', `after-rdb-${eof}`, 'v');
        if (eof) {
          // nothing follows the mark until the replica says it loaded the RDB
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(received().length).toBe(streamStart);
          socket.write('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
        }
        await until(() => text().includes(`after-rdb-${eof}`));
        expect(text().slice(streamStart)).toMatch(/^\*2\r\n\$6\r\nSELECT\r\n/);
      } finally {
        socket.destroy();
      }
    }
  });
});

/**
 * byor as the replica of Debian's redis-server (its diskless sync: the RDB between EOF marks, and
 * the disk one: with a length), and of another byor.
 */
describe.skipIf(!hasRedisServer)('replication from redis-server', () => {
  let master: RedisServerProcess;
  let replica: RunningServer;
  let client: RawClient;
  let replicaClient: RawClient;

  beforeAll(async () => {
    master = await startRedisServer(['--repl-diskless-sync-delay', '0']);
    client = await RawClient.connect(master.port);
    await client.call('SET', 'before', 'v');
    await client.call('RPUSH', 'list', 'a', 'b');
    await client.call('SET', 'ttl', 'v', 'EX', '1000');
    replica = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${master.port}` } });
    replicaClient = await RawClient.connect(replica.port);
    await linkUp(replicaClient);
  }, 30_000);

  afterAll(async () => {
    client?.close();
    replicaClient?.close();
    await replica?.close();
    await master?.stop();
  });

  it('loads the RDB, follows the stream, and refuses writes of its own clients', async () => {
    await expectInSync(client, master.port, replica.port);
    expect(await replicaClient.call('SET', 'mine', 'v')).toBe(
      "-READONLY You can't write against a read only replica.\r\n",
    );
    expect(await replicaClient.call('MULTI')).toBe('+OK\r\n');
    expect(await replicaClient.call('INCR', 'n')).toMatch(/^-READONLY/);
    expect(await replicaClient.call('EXEC')).toMatch(/^-EXECABORT/);
    expect(await replicaClient.call('WAIT', '0', '0')).toMatch(/^-ERR WAIT cannot be used/);
    const role = await replicaClient.call('ROLE');
    expect(role).toMatch(
      new RegExp(
        `^\\*5\\r\\n\\$5\\r\\nslave\\r\\n\\$9\\r\\n127\\.0\\.0\\.1\\r\\n:${master.port}\\r\\n\\$9\\r\\nconnected\\r\\n:\\d+\\r\\n$`,
      ),
    );
    // the offsets agree once the replica acknowledged
    const offset = await infoField(client, 'replication', 'master_repl_offset');
    await until(
      async () => (await infoField(replicaClient, 'replication', 'master_repl_offset')) === offset,
    );
  });

  it('follows random writes of every type, in two databases and in transactions', async () => {
    await followsRandomWrites(client, master.port, replica.port);
  }, 60_000);

  it("lists its master's client (flags=M), shows its commands in MONITOR, and continues after CLIENT KILL TYPE master", async () => {
    // a redis-server replica of the same master beside it: both must answer alike
    const other = await startRedisServer(['--replicaof', '127.0.0.1', String(master.port)]);
    const otherClient = await RawClient.connect(other.port);
    try {
      await linkUp(otherClient);
      await client.call('SELECT', '1');
      await client.call('SET', 'seen', 'v');
      await client.call('SELECT', '0');
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      // CLIENT LIST TYPE master, the fields that do not depend on timing or buffer sizes (its last
      // command: the REPLCONF GETACK of the WAIT)
      const masterLine = async (replicaOf: RawClient): Promise<string> => {
        const text = await replicaOf.call('CLIENT', 'LIST', 'TYPE', 'master');
        const fields = text.slice(text.indexOf('\r\n') + 2).trim();
        return fields
          .split(' ')
          .filter((field) =>
            /^(addr|flags|db|sub|psub|ssub|multi|cmd|user|redir|resp)=/.test(field),
          )
          .join(' ');
      };
      const expected = `addr=127.0.0.1:${master.port} flags=M db=1 sub=0 psub=0 ssub=0 multi=-1 cmd=replconf user=(superuser) redir=-1 resp=2`;
      expect(await masterLine(otherClient)).toBe(expected);
      expect(await masterLine(replicaClient)).toBe(expected);
      // the master's client counts in connected_clients, and its commands show in MONITOR
      for (const replicaOf of [otherClient, replicaClient]) {
        expect(await infoField(replicaOf, 'clients', 'connected_clients')).toBe('2');
      }
      const monitors = await Promise.all(
        [other.port, replica.port].map((port) => RawClient.connect(port)),
      );
      for (const monitor of monitors) expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
      await client.call('SET', 'watched', 'v');
      // the stream was in database 1: a SELECT comes first (shown in the database it selected)
      const origin = `127\\.0\\.0\\.1:${master.port}`;
      for (const monitor of monitors) {
        expect(await monitor.next()).toMatch(
          new RegExp(`^\\+\\d+\\.\\d{6} \\[0 ${origin}\\] "SELECT" "0"\r\n$`),
        );
        expect(await monitor.next()).toMatch(
          new RegExp(`^\\+\\d+\\.\\d{6} \\[0 ${origin}\\] "SET" "watched" "v"\r\n$`),
        );
        monitor.close();
      }
      // CLIENT KILL: the link goes; each replica connects again and continues (a partial sync)
      const partial = Number(await infoField(client, 'stats', 'sync_partial_ok'));
      for (const replicaOf of [otherClient, replicaClient]) {
        expect(await replicaOf.call('CLIENT', 'KILL', 'TYPE', 'master')).toBe(':1\r\n');
      }
      await client.call('SET', 'after-kill', 'v');
      await until(
        async () => Number(await infoField(client, 'stats', 'sync_partial_ok')) === partial + 2,
      );
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      for (const replicaOf of [otherClient, replicaClient]) {
        expect(await replicaOf.call('GET', 'after-kill')).toBe('$1\r\nv\r\n');
        // no user owns the master's client
        expect(await replicaOf.call('CLIENT', 'KILL', 'USER', 'default')).toBe(':0\r\n');
        expect(await masterLine(replicaOf)).toMatch(/^addr=127\.0\.0\.1:\d+ flags=M /);
      }
    } finally {
      otherClient.close();
      await other.stop();
    }
  }, 30_000);

  it("continues a lost link from the master's backlog, then syncs again from a disk RDB", async () => {
    // the stream is in database 1 when the link goes, and goes on there without a SELECT
    await client.call('SELECT', '1');
    await client.call('SET', 'in-db-1', 'before');
    const partial = Number(await infoField(client, 'stats', 'sync_partial_ok'));
    const full = Number(await infoField(client, 'stats', 'sync_full'));
    expect(await client.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(':1\r\n');
    await client.call('SET', 'in-db-1', 'while-away');
    await client.call('SELECT', '0');
    await until(
      async () => Number(await infoField(client, 'stats', 'sync_partial_ok')) === partial + 1,
    );
    expect(Number(await infoField(client, 'stats', 'sync_full'))).toBe(full);
    await client.call('SELECT', '1');
    await client.call('SET', 'in-db-1', 'after');
    await client.call('SELECT', '0');
    await expectInSync(client, master.port, replica.port);
    // a new master history (the master's replication ID changes): a full sync, here from disk
    expect(await client.call('CONFIG', 'SET', 'repl-diskless-sync', 'no')).toBe('+OK\r\n');
    const fullSyncs = Number(await infoField(client, 'stats', 'sync_full'));
    expect(await replicaClient.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    expect(await replicaClient.call('SET', 'mine', 'v')).toBe('+OK\r\n');
    expect(await replicaClient.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('+OK\r\n');
    await linkUp(replicaClient);
    expect(Number(await infoField(client, 'stats', 'sync_full'))).toBe(fullSyncs + 1);
    // what byor wrote as a master is gone: the master's RDB replaced it
    expect(await replicaClient.call('EXISTS', 'mine')).toBe(':0\r\n');
    await expectInSync(client, master.port, replica.port);
  }, 30_000);
});

describe.skipIf(!hasRedisServer)('a full sync through a file, as redis-server', () => {
  let master: RedisServerProcess;
  let client: RawClient;
  beforeAll(async () => {
    master = await startRedisServer(['--repl-diskless-sync-delay', '0']);
    client = await RawClient.connect(master.port);
    await client.call('SET', 'a', '1');
    await client.call('RPUSH', 'list', 'x', 'y');
    await client.call('HSET', 'h', 'f', 'v');
    await client.call('SET', 'ttl', 'v', 'EX', '1000');
    await client.call('SELECT', '2');
    await client.call('SADD', 's', 'm');
    await client.call('SELECT', '0');
  });
  afterAll(async () => {
    client?.close();
    await master?.stop();
  });

  const files = (dir: string) => readdirSync(dir).sort();

  it.each([
    [
      'repl-diskless-load disabled (the default): the RDB is dbfilename',
      [],
      ['dump.rdb'],
      'to disk',
    ],
    [
      'rdb-del-sync-files yes, no persistence: the file is removed once loaded',
      ['rdb-del-sync-files', 'yes', 'save', ''],
      [],
      'to disk',
    ],
    [
      'repl-diskless-load on-empty-db: no file',
      ['repl-diskless-load', 'on-empty-db'],
      [],
      'to parser',
    ],
    ['repl-diskless-load swapdb: no file', ['repl-diskless-load', 'swapdb'], [], 'to parser'],
  ])('%s', async (_name, directives, expected, where) => {
    const lines: string[] = [];
    const config = Object.fromEntries(
      directives.flatMap((_, i) => (i % 2 === 0 ? [[directives[i]!, directives[i + 1]!]] : [])),
    );
    const byor = await startServer({
      port: 0,
      // (byor's save points: redis-server's defaults; its FLUSHALL would save, a sync must not)
      config: { replicaof: `127.0.0.1 ${master.port}`, ...config },
      logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
    });
    const redis = await startRedisServer([
      ...directives.map((word, i) => (i % 2 === 0 ? `--${word}` : word)),
      '--replicaof',
      '127.0.0.1',
      String(master.port),
    ]);
    const byorClient = await RawClient.connect(byor.port);
    const redisClient = await RawClient.connect(redis.port);
    try {
      await Promise.all([linkUp(byorClient), linkUp(redisClient)]);
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      const [theirs, mine, replicated] = await Promise.all([
        readState(master.port),
        readState(byor.port),
        readState(redis.port),
      ]);
      expect(mine).toEqual(theirs);
      expect(replicated).toEqual(theirs);
      // a load from memory is a change to save, one from the file is not
      const changes = (replica: RawClient) =>
        infoField(replica, 'persistence', 'rdb_changes_since_last_save');
      expect(await changes(byorClient)).toBe(await changes(redisClient));
      // the same files left in each replica's directory (no temp-*.rdb)
      const dir = byor.server.config.string('dir');
      expect(files(dir)).toEqual(expected);
      expect(files(redis.dir)).toEqual(expected);
      expect(
        lines.some((line) => line.includes(`receiving streamed RDB from master with EOF ${where}`)),
      ).toBe(true);
      if (expected.length !== 0) {
        // the master's RDB, as received: redis-server loads it into the same data
        const loaded = await startRedisServer(['--dir', dir]);
        try {
          expect(await readState(loaded.port)).toEqual(theirs);
        } finally {
          await loaded.stop();
        }
      }
    } finally {
      byorClient.close();
      redisClient.close();
      await byor.close();
      await redis.stop();
    }
  });

  it('repl-diskless-load swapdb: an RDB that does not load leaves the old data', async () => {
    // a master whose RDB fails its checksum (redis-server exits on that; a byor replica keeps
    // its data and tries again): it answers the first PSYNC, then holds the next
    const rdb = await rdbOf([
      ['SET', 'new', 'v'],
      ['HSET', 'nh', 'f', 'v'],
    ]);
    rdb[rdb.length - 1]! ^= 0xff;
    const fake = await fakeMaster((socket, count) => {
      if (count !== 0) return;
      socket.write(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n$${rdb.length}\r\n`);
      socket.write(rdb);
    });
    const lines: string[] = [];
    const byor = await startServer({
      port: 0,
      config: { 'repl-diskless-load': 'swapdb' },
      logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
    });
    const replica = await RawClient.connect(byor.port);
    const logged = (text: string) => lines.some((line) => line.includes(text));
    try {
      await runWrites(replica, [
        ['SET', 'old', '1'],
        ['HSET', 'oh', 'f', 'v'],
        ['SELECT', '3'],
        ['SET', 'o3', 'x'],
        ['SELECT', '0'],
      ]);
      const before = await readState(byor.port);
      await replica.call('REPLICAOF', '127.0.0.1', String(fake.port));
      await until(() => fake.psyncs() >= 2);
      expect(await readState(byor.port)).toEqual(before);
      expect(logged('Failed trying to load the MASTER synchronization DB from socket')).toBe(true);
      expect(logged('MASTER <-> REPLICA sync: Discarding temporary DB in background')).toBe(true);
      // a master whose RDB loads: its data replaces the old, WATCHers of the keys in either fail
      // (here and on a redis-server replica with the same old data)
      const redis = await startRedisServer(['--repl-diskless-load', 'swapdb']);
      try {
        const outcomes: string[][] = [];
        for (const port of [redis.port, byor.port]) {
          const client = port === byor.port ? replica : await RawClient.connect(port);
          if (port !== byor.port) await client.call('SET', 'old', '1');
          const watchers = await Promise.all(
            ['old', 'a', 'none'].map(() => RawClient.connect(port)),
          );
          for (const [i, key] of ['old', 'a', 'none'].entries())
            await watchers[i]!.call('WATCH', key);
          await client.call('REPLICAOF', '127.0.0.1', String(master.port));
          await linkUp(client);
          const outcome = [];
          for (const watcher of watchers) {
            await watcher.call('MULTI');
            await watcher.call('PING');
            outcome.push(await watcher.call('EXEC'));
            watcher.close();
          }
          outcomes.push(outcome);
          if (client !== replica) client.close();
        }
        expect(outcomes[0]).toEqual(['*-1\r\n', '*-1\r\n', '*1\r\n+PONG\r\n']);
        expect(outcomes[1]).toEqual(outcomes[0]);
      } finally {
        await redis.stop();
      }
      expect(await readState(byor.port)).toEqual(await readState(master.port));
      expect(logged('MASTER <-> REPLICA sync: Swapping active DB with loaded DB')).toBe(true);
      expect(logged('MASTER <-> REPLICA sync: Discarding old DB in background')).toBe(true);
      expect(logged('Flushing old data')).toBe(false);
    } finally {
      replica.close();
      await byor.close();
      fake.close();
    }
  });

  it('an embedded replica that stays off the disk (no dir, save...) receives the RDB in memory', async () => {
    const started = Date.now();
    const lines: string[] = [];
    const replica = await startEmbedded({
      port: 0,
      config: { replicaof: `127.0.0.1 ${master.port}` },
      logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
    });
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await linkUp(replicaClient);
      expect(lines.some((line) => line.includes('with EOF to parser'))).toBe(true);
      expect(await readState(replica.port)).toEqual(await readState(master.port));
      // nothing written where it runs
      const dir = replica.server.config.string('dir');
      expect(files(dir).filter((name) => name.startsWith('temp-'))).toEqual([]);
      const dump = join(dir, 'dump.rdb');
      if (existsSync(dump)) expect(statSync(dump).mtimeMs).toBeLessThan(started);
    } finally {
      replicaClient.close();
      await replica.close();
    }
  });

  it('a replica with appendonly yes rewrites its AOF from the RDB it loaded (a restart has it all)', async () => {
    const byorDir = mkdtempSync(join(tmpdir(), 'byor-replication-'));
    const redisDir = mkdtempSync(join(tmpdir(), 'byor-replication-'));
    const byor = await startEmbedded({
      port: 0,
      config: { dir: byorDir, appendonly: 'yes', replicaof: `127.0.0.1 ${master.port}` },
    });
    process.chdir(testDirectory);
    const redis = await startRedisServer([
      ...['--dir', redisDir, '--appendonly', 'yes'],
      ...['--replicaof', '127.0.0.1', String(master.port)],
    ]);
    const restarted: { close(): Promise<void> }[] = [];
    try {
      await linksUp([byor.port, redis.port]);
      await client.call('SET', 'after-sync', 'v');
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      const expected = await readState(master.port);
      // the AOF rewrite the sync started is done once INFO says so
      for (const port of [byor.port, redis.port]) {
        const replica = await RawClient.connect(port);
        await until(
          async () =>
            (await infoField(replica, 'persistence', 'aof_rewrite_in_progress')) === '0' &&
            (await infoField(replica, 'persistence', 'aof_rewrite_scheduled')) === '0',
        );
        replica.close();
      }
      await byor.close();
      await redis.stop();
      // as masters of their own, from their AOF alone
      const mine = await startEmbedded({ port: 0, config: { dir: byorDir, appendonly: 'yes' } });
      process.chdir(testDirectory);
      restarted.push(mine);
      const theirs = await startRedisServer(['--dir', redisDir, '--appendonly', 'yes']);
      restarted.push({ close: () => theirs.stop() });
      expect(await readState(theirs.port)).toEqual(expected);
      expect(await readState(mine.port)).toEqual(expected);
    } finally {
      await byor.close();
      await redis.stop();
      for (const server of restarted) await server.close();
      rmSync(byorDir, { recursive: true, force: true });
      rmSync(redisDir, { recursive: true, force: true });
    }
  });

  it('removes the file of a transfer cut short', async () => {
    // a master that announces an RDB, sends a part of it and goes away
    const fake = await fakeMaster((socket) => {
      socket.write(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n$1000\r\nREDIS0010`);
      setTimeout(() => socket.destroy(), 100);
    });
    const { port, sockets } = fake;
    const lines: string[] = [];
    const replica = await startServer({
      port: 0,
      config: { replicaof: `127.0.0.1 ${port}` },
      logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
    });
    const dir = replica.server.config.string('dir');
    try {
      await until(() =>
        lines.some((line) => line.includes('receiving 1000 bytes from master to disk')),
      );
      await until(() => files(dir).some((name) => /^temp-\d+\.\d+\.rdb$/.test(name)));
      await until(() => sockets.length > 0 && sockets[0]!.destroyed);
      await until(() => files(dir).length === 0);
    } finally {
      await replica.close();
      fake.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('a restart from the RDB continues the replication history', () => {
  type Kind = 'byor' | 'redis-server';
  /** A server of `kind` on `port` with its files in `dir` (the caller removes `dir`). */
  async function start(kind: Kind, port: number, dir: string, replicaof?: number) {
    if (kind === 'byor') {
      const running = await startEmbedded({
        port,
        config: { dir, ...(replicaof && { replicaof: `127.0.0.1 ${replicaof}` }) },
      });
      process.chdir(testDirectory);
      return { port, stop: () => running.close() };
    }
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--save', '', '--repl-diskless-sync-delay', '0'],
        ...(replicaof ? ['--replicaof', '127.0.0.1', String(replicaof)] : []),
      ],
      { stdio: 'ignore' },
    );
    await until(async () => {
      const client = await RawClient.connect(port).catch(() => undefined);
      client?.close();
      return client !== undefined;
    });
    return {
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) resolve();
          else {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }
        }),
    };
  }

  /** SHUTDOWN SAVE (the connection closes: no reply). */
  async function shutdownSave(port: number): Promise<void> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await until(async () => {
      const probe = await RawClient.connect(port).catch(() => undefined);
      probe?.close();
      return probe === undefined;
    });
  }

  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-restart-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('replicas (byor and redis-server) restarted from their RDB continue with PSYNC', async () => {
    const master = await startRedisServer(['--repl-diskless-sync-delay', '0']);
    const client = await RawClient.connect(master.port);
    const replicas = await Promise.all(
      (['byor', 'redis-server'] as const).map(async (kind) => {
        const port = await freePort();
        const dir = newDir();
        return { kind, port, dir, server: await start(kind, port, dir, master.port) };
      }),
    );
    try {
      await linksUp(replicas.map(({ port }) => port));
      await client.call('SELECT', '3');
      await client.call('SET', 'before', '1');
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      for (const { port } of replicas) await shutdownSave(port);
      // missed while they are down: in database 3, where the stream was, then in 0
      await client.call('SET', 'while-down', '2');
      await client.call('SELECT', '0');
      await client.call('RPUSH', 'list', 'a');
      const full = await infoField(client, 'stats', 'sync_full');
      const partial = Number(await infoField(client, 'stats', 'sync_partial_ok'));
      for (const replica of replicas)
        replica.server = await start(replica.kind, replica.port, replica.dir, master.port);
      await linksUp(replicas.map(({ port }) => port));
      expect(await infoField(client, 'stats', 'sync_full')).toBe(full);
      expect(Number(await infoField(client, 'stats', 'sync_partial_ok'))).toBe(partial + 2);
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      const expected = await readState(master.port);
      for (const { port } of replicas) expect(await readState(port)).toEqual(expected);
    } finally {
      client.close();
      for (const { server } of replicas) await server.stop();
      await master.stop();
    }
  }, 30_000);

  it.each(['redis-server', 'byor'] as const)(
    'a %s master restarted from its RDB lets its replicas continue with PSYNC',
    async (kind) => {
      const port = await freePort();
      const dir = newDir();
      let master = await start(kind, port, dir);
      const theirs = await startRedisServer(['--replicaof', '127.0.0.1', String(port)]);
      const mine = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${port}` } });
      const replicas = [theirs, mine];
      let client = await RawClient.connect(port);
      try {
        await linksUp(replicas.map(({ port: replicaPort }) => replicaPort));
        await client.call('SELECT', '2');
        await client.call('SET', 'before', '1');
        expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
        client.close();
        await shutdownSave(port);
        master = await start(kind, port, dir);
        client = await RawClient.connect(port);
        await until(
          async () => (await infoField(client, 'replication', 'connected_slaves')) === '2',
        );
        expect(await infoField(client, 'stats', 'sync_full')).toBe('0');
        expect(await infoField(client, 'stats', 'sync_partial_ok')).toBe('2');
        // the old history is the second ID, continued from the offset the file saved
        const replid2 = await infoField(client, 'replication', 'master_replid2');
        for (const { port: replicaPort } of replicas) {
          const replica = await RawClient.connect(replicaPort);
          expect(await infoField(replica, 'replication', 'master_replid2')).toBe(replid2);
          replica.close();
        }
        await client.call('SET', 'after', '2');
        await client.call('SELECT', '2');
        await client.call('INCR', 'before');
        expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
        const expected = await readState(port);
        for (const { port: replicaPort } of replicas)
          expect(await readState(replicaPort)).toEqual(expected);
      } finally {
        client.close();
        await theirs.stop();
        await mine.close();
        await master.stop();
      }
    },
    30_000,
  );
});

describe('replication between two byor servers', () => {
  it('a replica under maxmemory takes every write of its master (replica-ignore-maxmemory)', async () => {
    const master = await startServer({ port: 0 });
    const replica = await startServer({
      port: 0,
      config: {
        replicaof: `127.0.0.1 ${master.port}`,
        maxmemory: '1mb',
        'maxmemory-policy': 'allkeys-lru',
      },
    });
    const client = await RawClient.connect(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await linkUp(replicaClient);
      const value = 'x'.repeat(1000);
      await Promise.all(
        Array.from({ length: 3000 }, (_, i) => client.call('SET', `big:${i}`, value)),
      );
      expect(await client.call('WAIT', '1', '10000')).toBe(':1\r\n');
      expect(await replicaClient.call('DBSIZE')).toBe(':3000\r\n');
      expect(await infoField(replicaClient, 'stats', 'evicted_keys')).toBe('0');
    } finally {
      client.close();
      replicaClient.close();
      await replica.close();
      await master.close();
    }
  });

  it('keeps keys past their TTL hidden until the master expires them', async () => {
    const master = await startServer({ port: 0 });
    const replica = await startServer({
      port: 0,
      config: { replicaof: `127.0.0.1 ${master.port}` },
    });
    const client = await RawClient.connect(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await linkUp(replicaClient);
      master.server.activeExpireEnabled = false;
      await client.call('SET', 'short', 'v', 'PX', '30');
      expect(await client.call('WAIT', '1', '5000')).toBe(':1\r\n');
      await new Promise((resolve) => setTimeout(resolve, 60));
      // due on the replica too, but only the master's DEL removes it
      expect(await replicaClient.call('GET', 'short')).toBe('$-1\r\n');
      expect(await replicaClient.call('EXISTS', 'short')).toBe(':0\r\n');
      expect(await replicaClient.call('DBSIZE')).toBe(':1\r\n');
      expect(await client.call('GET', 'short')).toBe('$-1\r\n'); // the master expires it: DEL
      expect(await client.call('WAIT', '1', '5000')).toBe(':1\r\n');
      expect(await replicaClient.call('DBSIZE')).toBe(':0\r\n');
      // a replica of the replica gets the master's history: its ID and offset
      const third = await RawClient.connect(replica.port);
      const masterId = await infoField(client, 'replication', 'master_replid');
      const masterOffset = await infoField(client, 'replication', 'master_repl_offset');
      expect(await third.call('PSYNC', '?', '-1')).toBe(
        `+FULLRESYNC ${masterId} ${masterOffset}\r\n`,
      );
      third.close();
    } finally {
      client.close();
      replicaClient.close();
      await replica.close();
      await master.close();
    }
  });
});

/** The same commands to byor and redis-server, both replicas of a master that is not there. */
describe.skipIf(!hasRedisServer)('a replica whose master is down, byte for byte', () => {
  it('refuses data with MASTERDOWN (replica-serve-stale-data no) and writes with READONLY', async () => {
    const deadPort = await freePort();
    const byor = await startServer({
      port: 0,
      config: { replicaof: `127.0.0.1 ${deadPort}`, 'replica-serve-stale-data': 'no' },
    });
    const redis = await startRedisServer([
      '--replicaof',
      '127.0.0.1',
      String(deadPort),
      '--replica-serve-stale-data',
      'no',
    ]);
    const clients = [await RawClient.connect(byor.port), await RawClient.connect(redis.port)];
    const commands = [
      ['GET', 'k'],
      ['SET', 'k', 'v'],
      ['PING'],
      ['ECHO', 'x'],
      ['DBSIZE'],
      ['EXISTS', 'k'],
      ['MULTI'],
      ['GET', 'k'],
      ['EXEC'],
      ['CONFIG', 'SET', 'replica-serve-stale-data', 'yes'],
      ['GET', 'k'],
      ['SET', 'k', 'v'],
      ['MULTI'],
      ['SET', 'k', 'v'],
      ['EXEC'],
      ['EVAL', "return redis.call('SET', 'k', 'v')", '0'],
      ['EVAL', "return redis.pcall('SET', 'k', 'v')", '0'],
      ['EVAL', "#!lua\nreturn redis.call('GET', 'k')", '0'],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('GET', 'k')", '0'],
      ['WAIT', '0', '0'],
      ['REPLICAOF', '127.0.0.1', String(deadPort)],
      ['SYNC'],
      ['FAILOVER'],
      ['FAILOVER', 'ABORT'],
      ['REPLICAOF', 'NO', 'ONE'],
      ['SET', 'k', 'v'],
      ['GET', 'k'],
    ];
    try {
      for (const command of commands) {
        const [mine, theirs] = await Promise.all(clients.map((c) => c.call(...command)));
        expect(`${command.join(' ')} -> ${mine}`).toBe(`${command.join(' ')} -> ${theirs}`);
      }
    } finally {
      for (const client of clients) client.close();
      await byor.close();
      await redis.stop();
    }
  });
});

/**
 * redis-benchmark's pipelined writes of every type into a master (byor, then redis-server), the
 * other server its replica: once WAIT says the replica has the stream, DEBUG DIGEST (the
 * dataset's hash, the same function in both) must agree.
 */
describe.skipIf(!hasRedisServer || !hasRedisBenchmark)('replication under load', () => {
  const load = async (port: number) =>
    run('redis-benchmark', [
      ...['-p', String(port), '-c', '20', '-P', '16', '-r', '5000', '-n', '20000'],
      ...['-t', 'set,incr,lpush,lpop,sadd,spop,hset,zadd,mset', '-q'],
    ]);
  const debug = { 'enable-debug-command': 'yes' };

  it('byor master, redis-server replica: the same digest', async () => {
    const master = await startServer({ port: 0, config: debug });
    const replica = await startRedisServer([
      ...['--replicaof', '127.0.0.1', String(master.port), '--enable-debug-command', 'yes'],
    ]);
    const [client, replicaClient] = [
      await RawClient.connect(master.port),
      await RawClient.connect(replica.port),
    ];
    try {
      await load(master.port);
      // WAIT counts acknowledgements of this client's own last write: one after the load
      await client.call('SET', 'marker', '1');
      expect(await client.call('WAIT', '1', '10000')).toBe(':1\r\n');
      expect(await client.call('DBSIZE')).not.toBe(':0\r\n');
      expect(await replicaClient.call('DEBUG', 'DIGEST')).toBe(
        await client.call('DEBUG', 'DIGEST'),
      );
    } finally {
      client.close();
      replicaClient.close();
      await replica.stop();
      await master.close();
    }
  }, 60_000);

  it('byor master: writes while the RDB for a new replica is made go to it after the RDB', async () => {
    const master = await startServer({ port: 0, config: debug });
    const client = await RawClient.connect(master.port);
    let replica: RedisServerProcess | undefined;
    let replicaClient: RawClient | undefined;
    try {
      expect(await client.call('DEBUG', 'POPULATE', '200000')).toBe('+OK\r\n');
      replica = await startRedisServer([
        ...['--replicaof', '127.0.0.1', String(master.port), '--enable-debug-command', 'yes'],
      ]);
      await until(async () =>
        (await infoField(client, 'replication', 'slave0')).includes('state=wait_bgsave'),
      );
      // the RDB is being made a slice per event-loop turn: these land in the middle of it (an
      // APPEND to a key the RDB took after it would be applied twice without copy-before-write)
      const writes: string[][] = [];
      for (let i = 0; i < 300; i++)
        writes.push(
          ['APPEND', `key:${i * 601}`, '+'],
          ['DEL', `key:${i * 599 + 1}`],
          ['SET', `new:${i}`, 'v'],
        );
      await Promise.all(writes.map((command) => client.call(...command)));
      expect(await infoField(client, 'replication', 'slave0')).toContain('state=wait_bgsave');
      expect(await client.call('WAIT', '1', '20000')).toBe(':1\r\n');
      replicaClient = await RawClient.connect(replica.port);
      expect(await replicaClient.call('DEBUG', 'DIGEST')).toBe(
        await client.call('DEBUG', 'DIGEST'),
      );
    } finally {
      client.close();
      replicaClient?.close();
      await replica?.stop();
      await master.close();
    }
  }, 60_000);

  it('byor master: a replica that stops reading holds back its RDB, then is cut after repl-timeout', async () => {
    const master = await startServer({ port: 0, config: debug });
    const client = await RawClient.connect(master.port);
    let replica: Awaited<ReturnType<typeof handMadeReplica>> | undefined;
    try {
      // an RDB of some 35 MB, for a replica that reads its first bytes and then nothing
      expect(await client.call('DEBUG', 'POPULATE', '300000', 'key', '100')).toBe('+OK\r\n');
      expect(await client.call('CONFIG', 'SET', 'repl-timeout', '2', 'rdbcompression', 'no')).toBe(
        '+OK\r\n',
      );
      replica = await handMadeReplica(master.port, true, '$EOF:');
      const { text } = replica;
      await until(() => text().includes('$EOF:'));
      // what waits to be sent stays near the 16 MB at which making the RDB pauses
      let most = 0;
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) {
        const list = await client.call('CLIENT', 'LIST', 'TYPE', 'replica');
        most = Math.max(most, Number(/ omem=(\d+)/.exec(list)?.[1] ?? 0));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThan(24 << 20);
      expect(await infoField(client, 'replication', 'slave0')).toContain('state=wait_bgsave');
      // no progress for repl-timeout: the replica is cut, and the RDB given up
      await until(async () => (await infoField(client, 'replication', 'connected_slaves')) === '0');
      expect(await client.call('SET', 'still', 'served')).toBe('+OK\r\n');
    } finally {
      replica?.socket.destroy();
      client.close();
      await master.close();
    }
  }, 60_000);

  it('redis-server master, byor replica: the same digest', async () => {
    const master = await startRedisServer([
      ...['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0'],
    ]);
    const replica = await startServer({
      port: 0,
      config: { ...debug, replicaof: `127.0.0.1 ${master.port}` },
    });
    const [client, replicaClient] = [
      await RawClient.connect(master.port),
      await RawClient.connect(replica.port),
    ];
    try {
      await linkUp(replicaClient);
      await load(master.port);
      // WAIT counts acknowledgements of this client's own last write: one after the load
      await client.call('SET', 'marker', '1');
      expect(await client.call('WAIT', '1', '10000')).toBe(':1\r\n');
      expect(await replicaClient.call('DEBUG', 'DIGEST')).toBe(
        await client.call('DEBUG', 'DIGEST'),
      );
    } finally {
      client.close();
      replicaClient.close();
      await replica.close();
      await master.stop();
    }
  }, 60_000);
});

/**
 * A master that speaks the protocol by hand, sending everything in pieces of a few bytes: the
 * replica must find the RDB's end (its length, or the EOF mark split across reads), load it, and
 * run the stream after it with the offset of each command.
 */
describe('a replica reading its master in small pieces', () => {
  for (const [transfer, piece] of [
    ['with a length', 1],
    ['with a length', 7],
    ['between EOF marks', 1],
    ['between EOF marks', 13],
    ['between EOF marks', 41],
  ] as const) {
    it(`loads an RDB sent ${transfer} ${piece} bytes at a time, then runs the stream`, async () => {
      const rdb = await rdbOf([
        ['SET', 'a', '1'],
        ['RPUSH', 'list', 'x', 'y'],
        ['HSET', 'h', 'f', 'v'],
      ]);
      const replid = 'f'.repeat(40);
      const mark = '0123456789abcdef0123456789abcdef01234567';
      const stream = Buffer.from(
        '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n' +
          '*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n',
        'latin1',
      );
      const acks: string[] = [];
      // the pieces, and a pause (so that the replica reads what came before it) at `pauseAt`
      const sendInPieces = async (socket: Socket, bytes: Buffer, pauseAt: number) => {
        socket.setNoDelay(true);
        for (let at = 0; at < bytes.length; at += piece) {
          const end = Math.min(at + piece, bytes.length);
          if (at < pauseAt && pauseAt < end) {
            socket.write(bytes.subarray(at, pauseAt));
            await new Promise((resolve) => setTimeout(resolve, 50));
            socket.write(bytes.subarray(pauseAt, end));
          } else socket.write(bytes.subarray(at, end));
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const fake = createServer((socket) => {
        let input = '';
        socket.on('data', (chunk) => {
          input += chunk.toString('latin1');
          for (let end = input.indexOf('\r\n'); end >= 0; end = input.indexOf('\r\n')) {
            // commands arrive as RESP arrays: answer each once its last argument is read
            const frame = /^\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)*)/.exec(input);
            if (!frame || frame[2]!.split('\r\n').length - 1 < Number(frame[1]) * 2) return;
            input = input.slice(frame[0].length);
            const args = frame[2]!.split('\r\n').filter((_, i) => i % 2 === 1);
            const name = args[0]?.toUpperCase();
            if (name === 'PING') socket.write('+PONG\r\n');
            else if (name === 'REPLCONF' && args[1]?.toUpperCase() === 'ACK') acks.push(args[2]!);
            else if (name === 'REPLCONF') socket.write('+OK\r\n');
            else if (name === 'PSYNC') {
              const body =
                transfer === 'with a length'
                  ? Buffer.concat([Buffer.from(`$${rdb.length}\r\n`), rdb])
                  : Buffer.concat([Buffer.from(`$EOF:${mark}\r\n`), rdb, Buffer.from(mark)]);
              const head = Buffer.from(`+FULLRESYNC ${replid} 100\r\n\n\n`);
              // the pause splits the EOF mark (or the last bytes of the RDB) in two reads
              void sendInPieces(
                socket,
                Buffer.concat([head, body, stream]),
                head.length + body.length - 20,
              );
            }
          }
        });
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      const port = (fake.address() as { port: number }).port;
      const replica = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${port}` } });
      const client = await RawClient.connect(replica.port);
      try {
        await until(async () => (await client.call('GET', 'a')) === '$1\r\n2\r\n');
        expect(await client.call('GET', 'b')).toBe('$1\r\n2\r\n');
        expect(await client.call('LRANGE', 'list', '0', '-1')).toBe('*2\r\n$1\r\nx\r\n$1\r\ny\r\n');
        // the offset: the one FULLRESYNC gave, plus every byte of the stream
        expect(await infoField(client, 'replication', 'master_repl_offset')).toBe(
          String(100 + stream.length),
        );
        expect(await infoField(client, 'replication', 'master_replid')).toBe(replid);
        await until(() => Promise.resolve(acks.includes(String(100 + stream.length))), 5000);
      } finally {
        client.close();
        await replica.close();
        fake.close();
      }
    });
  }
});

/** masterauth (and masteruser) against a master that requires a password, both ways. */
describe.skipIf(!hasRedisServer)('replication with authentication', () => {
  it('a byor replica of a redis-server with requirepass, and the reverse', async () => {
    const redis = await startRedisServer([
      '--requirepass',
      'secret',
      '--repl-diskless-sync-delay',
      '0',
    ]);
    const byorReplica = await startServer({
      port: 0,
      config: { replicaof: `127.0.0.1 ${redis.port}`, masterauth: 'secret' },
    });
    const byorMaster = await startServer({ port: 0, config: { requirepass: 'other' } });
    const admin = await RawClient.connect(byorMaster.port);
    expect(await admin.call('AUTH', 'other')).toBe('+OK\r\n');
    expect(await admin.call('ACL', 'SETUSER', 'repl', 'on', '>pw', '~*', '&*', '+@all')).toBe(
      '+OK\r\n',
    );
    admin.close();
    const redisReplica = await startRedisServer([
      ...['--replicaof', '127.0.0.1', String(byorMaster.port)],
      ...['--masteruser', 'repl', '--masterauth', 'pw'],
    ]);
    const clients = await Promise.all(
      [byorReplica.port, redisReplica.port].map((port) => RawClient.connect(port)),
    );
    try {
      for (const client of clients) await linkUp(client);
      const [toRedis, toByor] = await Promise.all(
        [redis.port, byorMaster.port].map((port) => RawClient.connect(port)),
      );
      expect(await toRedis!.call('AUTH', 'secret')).toBe('+OK\r\n');
      expect(await toByor!.call('AUTH', 'other')).toBe('+OK\r\n');
      for (const master of [toRedis!, toByor!]) {
        await master.call('SET', 'k', 'v');
        expect(await master.call('WAIT', '1', '5000')).toBe(':1\r\n');
        master.close();
      }
      for (const client of clients) expect(await client.call('GET', 'k')).toBe('$1\r\nv\r\n');
    } finally {
      for (const client of clients) client.close();
      await redisReplica.stop();
      await byorMaster.close();
      await byorReplica.close();
      await redis.stop();
    }
  }, 20_000);
});

/** PUBLISH on a master reaches the subscribers of its replicas (redis-server propagates it). */
describe.skipIf(!hasRedisServer)('pub/sub through replication', () => {
  it('a message published on byor reaches subscribers on a byor and a redis-server replica', async () => {
    const master = await startServer({ port: 0 });
    const byorReplica = await startServer({
      port: 0,
      config: { replicaof: `127.0.0.1 ${master.port}` },
    });
    const redisReplica = await startRedisServer([
      ...['--replicaof', '127.0.0.1', String(master.port)],
    ]);
    const subscribers = await Promise.all(
      [byorReplica.port, redisReplica.port].map((port) => RawClient.connect(port)),
    );
    const client = await RawClient.connect(master.port);
    try {
      for (const subscriber of subscribers) {
        await linkUp(subscriber);
        expect(await subscriber.call('SUBSCRIBE', 'news')).toBe(
          '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n',
        );
      }
      // nobody subscribes on the master itself
      expect(await client.call('PUBLISH', 'news', 'hello')).toBe(':0\r\n');
      for (const subscriber of subscribers)
        expect(await subscriber.next()).toBe(
          '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n',
        );
    } finally {
      client.close();
      for (const subscriber of subscribers) subscriber.close();
      await redisReplica.stop();
      await byorReplica.close();
      await master.close();
    }
  }, 20_000);
});

/**
 * Chained replicas: a byor replica passes its master's stream on, with the master's offsets, to
 * replicas of its own (a redis-server and a byor); promoted, it keeps them (+CONTINUE).
 */
describe.skipIf(!hasRedisServer)('chained replication', () => {
  it('master -> byor replica -> redis-server and byor replicas, then the middle one promoted', async () => {
    const debug = { 'enable-debug-command': 'yes' };
    const master = await startServer({ port: 0, config: debug });
    const middle = await startServer({
      port: 0,
      config: { ...debug, replicaof: `127.0.0.1 ${master.port}` },
    });
    const client = await RawClient.connect(master.port);
    const middleClient = await RawClient.connect(middle.port);
    let redisEnd: RedisServerProcess | undefined;
    let byorEnd: RunningServer | undefined;
    const ends: RawClient[] = [];
    const digests = async () =>
      Promise.all([client, middleClient, ...ends].map((c) => c.call('DEBUG', 'DIGEST')));
    const offsets = async () =>
      Promise.all(
        [client, middleClient, ...ends].map((c) =>
          infoField(c, 'replication', 'master_repl_offset'),
        ),
      );
    try {
      await linkUp(middleClient);
      // the middle replica's stream is in database 3 when the ends sync from it: the RDB says so
      await client.call('SELECT', '3');
      await client.call('SET', 'in-3', 'a');
      expect(await client.call('WAIT', '1', '5000')).toBe(':1\r\n');
      redisEnd = await startRedisServer([
        ...['--replicaof', '127.0.0.1', String(middle.port), '--enable-debug-command', 'yes'],
      ]);
      byorEnd = await startServer({
        port: 0,
        config: { ...debug, replicaof: `127.0.0.1 ${middle.port}` },
      });
      ends.push(await RawClient.connect(redisEnd.port), await RawClient.connect(byorEnd.port));
      for (const end of ends) await linkUp(end);
      // no SELECT comes again in the stream: the ends must already be in database 3
      await client.call('SET', 'also-in-3', 'b');
      await runWrites(client, [
        ['SET', 'a', 'x'],
        ['RPUSH', 'l', 'x', 'y'],
        ['MULTI'],
        ['INCR', 'n'],
        ['HSET', 'h', 'f', 'v'],
        ['EXEC'],
      ]);
      await client.call('SELECT', '3');
      await client.call('SET', 'in-3-again', 'c');
      // every server at the same offset: the ends have the whole stream
      await until(async () => new Set(await offsets()).size === 1);
      const [first, ...rest] = await digests();
      for (const digest of rest) expect(digest).toBe(first);
      expect(await ends[0]!.call('SELECT', '3')).toBe('+OK\r\n');
      expect(await ends[0]!.call('GET', 'in-3-again')).toBe('$1\r\nc\r\n');
      // promoted, the middle server keeps its replicas: they continue from its backlog
      const partialBefore = Number(await infoField(middleClient, 'stats', 'sync_partial_ok'));
      expect(await middleClient.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
      await until(
        async () =>
          Number(await infoField(middleClient, 'stats', 'sync_partial_ok')) === partialBefore + 2,
      );
      await middleClient.call('SET', 'from-the-middle', 'v');
      expect(await middleClient.call('WAIT', '2', '5000')).toBe(':2\r\n');
      const [mine, ...theirs] = await Promise.all(
        [middleClient, ...ends].map((c) => c.call('DEBUG', 'DIGEST')),
      );
      for (const digest of theirs) expect(digest).toBe(mine);
      expect(mine).not.toBe(await client.call('DEBUG', 'DIGEST'));
    } finally {
      client.close();
      middleClient.close();
      for (const end of ends) end.close();
      await byorEnd?.close();
      await redisEnd?.stop();
      await middle.close();
      await master.close();
    }
  }, 30_000);
});

/**
 * The manual switchover: a replica promoted (REPLICAOF NO ONE), the old master made its replica
 * (REPLICAOF). The old master offers its own history and continues; its other replicas stay with
 * it and continue too. No one loads an RDB. redis-server as the old master first, as the oracle.
 */
describe.skipIf(!hasRedisServer)('switchover: the old master follows its promoted replica', () => {
  for (const kind of ['redis-server', 'byor'] as const) {
    it(`${kind} old master, redis-server promoted, byor and redis-server replicas staying`, async () => {
      const debug = ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0'];
      const stops: (() => Promise<void>)[] = [];
      const clients: RawClient[] = [];
      const serve = async (replicaOf: number | undefined, byor: boolean): Promise<RawClient> => {
        let port: number;
        if (byor) {
          const follow = replicaOf === undefined ? {} : { replicaof: `127.0.0.1 ${replicaOf}` };
          const server = await startServer({
            port: 0,
            config: { 'enable-debug-command': 'yes', ...follow },
          });
          stops.push(() => server.close());
          port = server.port;
        } else {
          const follow =
            replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(replicaOf)];
          const server = await startRedisServer([...debug, ...follow]);
          stops.push(() => server.stop());
          port = server.port;
        }
        const client = await RawClient.connect(port);
        clients.push(client);
        return client;
      };
      const port = async (client: RawClient) =>
        Number(await infoField(client, 'server', 'tcp_port'));
      const stat = async (client: RawClient, name: string) =>
        Number(await infoField(client, 'stats', name));
      try {
        const old = await serve(undefined, kind === 'byor');
        const oldPort = await port(old);
        const promoted = await serve(oldPort, false);
        const staying = [await serve(oldPort, true), await serve(oldPort, false)];
        for (const replica of [promoted, ...staying]) await linkUp(replica);
        await runWrites(old, [
          ['SET', 'a', '1'],
          ['SELECT', '2'],
          ['RPUSH', 'l', 'x'],
        ]);
        expect(await old.call('WAIT', '3', '5000')).toBe(':3\r\n');
        const fullSyncs = await stat(old, 'sync_full');
        expect(await promoted.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
        expect(await old.call('REPLICAOF', '127.0.0.1', String(await port(promoted)))).toBe(
          '+OK\r\n',
        );
        await linkUp(old);
        // the old master continued the promoted one's history: no RDB
        expect(await stat(promoted, 'sync_full')).toBe(0);
        expect(await stat(promoted, 'sync_partial_ok')).toBe(1);
        await promoted.call('SELECT', '2');
        await promoted.call('RPUSH', 'l', 'y');
        await promoted.call('SET', 'b', '2');
        expect(await promoted.call('WAIT', '1', '5000')).toBe(':1\r\n');
        // its replicas have the new master's writes through it, without a new RDB
        const digest = await promoted.call('DEBUG', 'DIGEST');
        for (const replica of [old, ...staying]) {
          await until(async () => (await replica.call('DEBUG', 'DIGEST')) === digest);
          expect(await infoField(replica, 'replication', 'master_replid')).toBe(
            await infoField(promoted, 'replication', 'master_replid'),
          );
        }
        expect(await stat(old, 'sync_full')).toBe(fullSyncs);
        expect(await infoField(old, 'replication', 'connected_slaves')).toBe('2');
      } finally {
        for (const client of clients) client.close();
        for (const stop of stops.reverse()) await stop();
      }
    }, 30_000);
  }
});

/** FAILOVER, both ways: byor hands over to a redis-server replica, which hands back. */
describe.skipIf(!hasRedisServer)('FAILOVER', () => {
  it('byor -> redis-server -> byor, the old master becoming a replica that continues', async () => {
    const byor = await startServer({ port: 0, config: { 'enable-debug-command': 'yes' } });
    const redis = await startRedisServer([
      ...['--replicaof', '127.0.0.1', String(byor.port), '--enable-debug-command', 'yes'],
    ]);
    const toByor = await RawClient.connect(byor.port);
    const toRedis = await RawClient.connect(redis.port);
    try {
      await linkUp(toRedis);
      await toByor.call('SET', 'k', 'v');
      expect(await toByor.call('WAIT', '1', '5000')).toBe(':1\r\n');
      expect(await toByor.call('FAILOVER', 'TO', '127.0.0.1', String(redis.port))).toBe('+OK\r\n');
      await until(async () => (await infoField(toByor, 'replication', 'role')) === 'slave');
      await linkUp(toByor);
      expect(await infoField(toRedis, 'replication', 'role')).toBe('master');
      expect(await infoField(toByor, 'replication', 'master_failover_state')).toBe('no-failover');
      // the old master continued the new one's stream (no RDB)
      expect(await infoField(toRedis, 'stats', 'sync_partial_ok')).toBe('1');
      expect(await toByor.call('SET', 'x', '1')).toMatch(/^-READONLY/);
      await toRedis.call('SET', 'on-redis', '1');
      expect(await toRedis.call('WAIT', '1', '5000')).toBe(':1\r\n');
      expect(await toByor.call('GET', 'on-redis')).toBe('$1\r\n1\r\n');
      // and back: redis-server's FAILOVER to byor, which continues from its backlog
      expect(await toRedis.call('FAILOVER', 'TO', '127.0.0.1', String(byor.port))).toBe('+OK\r\n');
      await until(async () => (await infoField(toByor, 'replication', 'role')) === 'master');
      await linkUp(toRedis);
      expect(await infoField(toByor, 'stats', 'sync_partial_ok')).toBe('1');
      await toByor.call('SET', 'on-byor', '2');
      expect(await toByor.call('WAIT', '1', '5000')).toBe(':1\r\n');
      expect(await toRedis.call('DEBUG', 'DIGEST')).toBe(await toByor.call('DEBUG', 'DIGEST'));
    } finally {
      toByor.close();
      toRedis.close();
      await redis.stop();
      await byor.close();
    }
  }, 30_000);
});

/**
 * A byor master with two writable replicas, byor's and redis-server's, both linked up; `body` gets
 * a client of the master, one of each replica (byor's first), byor's log lines and the path of
 * redis-server's log. Everything stops afterwards.
 */
async function withWritableReplicas(
  body: (
    master: RawClient,
    replicas: RawClient[],
    log: { byor: string[]; redisFile: string },
  ) => Promise<void>,
): Promise<void> {
  const master = await startServer({ port: 0, config: { 'enable-debug-command': 'yes' } });
  const lines: string[] = [];
  const ours = await startServer({
    port: 0,
    config: { replicaof: `127.0.0.1 ${master.port}`, 'replica-read-only': 'no' },
    logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
  });
  const logDir = mkdtempSync(join(tmpdir(), 'byor-replica-log-'));
  const redisFile = join(logDir, 'redis.log');
  const theirs = await startRedisServer([
    ...['--replicaof', '127.0.0.1', String(master.port), '--replica-read-only', 'no'],
    ...['--logfile', redisFile],
  ]);
  const client = await RawClient.connect(master.port);
  const replicas = [await RawClient.connect(ours.port), await RawClient.connect(theirs.port)];
  try {
    await Promise.all(replicas.map((replica) => linkUp(replica)));
    await body(client, replicas, { byor: lines, redisFile });
  } finally {
    client.close();
    for (const replica of replicas) replica.close();
    await ours.close();
    await theirs.stop();
    await master.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasRedisServer)('an error a replica sends its master, as redis-server 7.0', () => {
  it('is logged as critical with the command that failed, and counted', async () => {
    await withWritableReplicas(async (client, replicas, log) => {
      for (const replica of replicas) await replica.call('SET', 'number2', 'foo');
      await client.call('INCRBY', 'number2', '1');
      await client.call('DEBUG', 'REPLICATE', 'fake-command-1', 'x');
      await client.call('SET', 'after', '1');
      expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
      const critical = (text: string) =>
        text
          .split('\n')
          .filter((line) => line.includes('== CRITICAL =='))
          .map((line) => line.slice(line.indexOf('== CRITICAL ==')));
      const redisLog = readFileSync(log.redisFile, 'latin1');
      expect(critical(log.byor.join(''))).toEqual(critical(redisLog));
      expect(critical(redisLog)).toHaveLength(2);
      const counts = await Promise.all(
        replicas.map((replica) => infoField(replica, 'stats', 'unexpected_error_replies')),
      );
      expect(counts).toEqual(['2', '2']);
      // the replica kept its own value, and took what followed
      for (const replica of replicas) {
        expect(await replica.call('GET', 'number2')).toBe('$3\r\nfoo\r\n');
        expect(await replica.call('GET', 'after')).toBe('$1\r\n1\r\n');
      }
    });
  });
});

describe.skipIf(!hasRedisServer)(
  'keys past their TTL on a writable replica, as redis-server 7.0',
  () => {
    it('its own clients keys expire there; a read hides a master key past its TTL, a write deletes it', async () => {
      await withWritableReplicas(async (client, replicas) => {
        const answers: string[][] = [[], []];
        // keys of the replica's own clients
        for (const replica of replicas) {
          await replica.call('SELECT', '5');
          for (const key of ['own1', 'own2']) await replica.call('SET', key, '1', 'PX', '100');
          await replica.call('SET', 'kept', '1', 'EX', '100');
        }
        await new Promise((resolve) => setTimeout(resolve, 600));
        for (const [i, replica] of replicas.entries())
          answers[i]!.push(await replica.call('DBSIZE'), await replica.call('TTL', 'kept'));
        // keys of the master, past their TTL on the replica (the master's expiry is off)
        await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
        await client.call('SELECT', '6');
        for (const key of ['key1', 'key2']) await client.call('SET', key, '5', 'PX', '10');
        expect(await client.call('WAIT', '2', '5000')).toBe(':2\r\n');
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const [i, replica] of replicas.entries()) {
          await replica.call('SELECT', '6');
          for (const command of [
            ['DBSIZE'],
            ['EXISTS', 'key1', 'key2'],
            ['INCR', 'key1'],
            ['TTL', 'key1'],
            ['GET', 'key2'],
            ['DBSIZE'],
          ])
            answers[i]!.push(await replica.call(...command));
        }
        expect(answers[0]).toEqual(answers[1]);
        expect(answers[1]![0]).toBe(':1\r\n');
        expect(answers[1]!.slice(2)).toEqual([
          ':2\r\n',
          ':0\r\n',
          ':1\r\n',
          ':-1\r\n',
          '$-1\r\n',
          ':2\r\n',
        ]);
      });
    });
  },
);
