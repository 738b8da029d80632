import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { freePort, hasRedisServer, startRedisServer } from '@byor/test-oracle';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config, startServer, type RunningServer } from '../src/index.js';
import { createTestServer } from '../src/testing.js';
import { RawClient } from './helpers/raw-client.js';
import { createLogger } from '../src/logger.js';

/** Connection and server administration: CLIENT, MONITOR, SLOWLOG, CONFIG REWRITE, INFO, expiry. */
describe('server administration', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('CLIENT LIST / INFO / KILL by id, addr and type', async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    await a.call('CLIENT', 'SETNAME', 'alpha');
    const id = Number((await b.call('CLIENT', 'ID')).slice(1));
    const list = await a.call('CLIENT', 'LIST');
    expect(list).toContain(' name=alpha ');
    expect(list).toContain(`id=${id} `);
    const info = await b.call('CLIENT', 'INFO');
    expect(info).toMatch(
      /^\$\d+\r\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name= age=\d+ idle=\d+ flags=N db=0 /,
    );
    expect(await a.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':1\r\n');
    await b.closed();
    expect(await a.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':0\r\n');
    const c = await RawClient.connect(server.port);
    const addr = /addr=(\S+)/.exec(await c.call('CLIENT', 'INFO'))?.[1] ?? '';
    expect(await a.call('CLIENT', 'KILL', addr)).toBe('+OK\r\n');
    await c.closed();
    const d = await RawClient.connect(server.port);
    await d.call('SUBSCRIBE', 'ch');
    expect(await a.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':1\r\n');
    await d.closed();
    a.close();
  });

  it("CLIENT LIST idle counts from the client's last read or write", async () => {
    let time = Date.now();
    const clocked = await startServer({ port: 0, clock: { now: () => time } });
    try {
      const a = await RawClient.connect(clocked.port);
      const b = await RawClient.connect(clocked.port);
      await a.call('CLIENT', 'SETNAME', 'a');
      await b.call('CLIENT', 'SETNAME', 'b');
      const idle = (list: string, name: string) =>
        Number(new RegExp(`name=${name} age=\\d+ idle=(\\d+)`).exec(list)?.[1]);
      time += 5_000;
      let list = await b.call('CLIENT', 'LIST');
      expect(idle(list, 'a')).toBe(5);
      expect(idle(list, 'b')).toBe(0);
      await a.call('PING');
      time += 2_000;
      list = await b.call('CLIENT', 'LIST');
      expect(idle(list, 'a')).toBe(2);
      a.close();
      b.close();
    } finally {
      await clocked.close();
    }
  });

  it('CLIENT REPLY OFF / SKIP / ON', async () => {
    const a = await RawClient.connect(server.port);
    a.sendOnly('CLIENT', 'REPLY', 'OFF');
    a.sendOnly('SET', 'silent', '1');
    a.sendOnly('CLIENT', 'REPLY', 'SKIP');
    expect(await a.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    a.sendOnly('CLIENT', 'REPLY', 'SKIP');
    a.sendOnly('GET', 'silent');
    expect(await a.call('GET', 'silent')).toBe('$1\r\n1\r\n');
    a.close();
  });

  it('CLIENT PAUSE holds writes until the timeout, CLIENT UNPAUSE releases', async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    expect(await a.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('+OK\r\n');
    expect(await b.call('GET', 'paused')).toBe('$-1\r\n');
    const write = b.call('SET', 'paused', 'yes');
    const early = await Promise.race([
      write,
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 100)),
    ]);
    expect(early).toBe('waiting');
    expect(await a.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    expect(await write).toBe('+OK\r\n');
    expect(await a.call('CLIENT', 'PAUSE', '50')).toBe('+OK\r\n');
    expect(await b.call('GET', 'paused')).toBe('$3\r\nyes\r\n');
    a.close();
    b.close();
  });

  it('MONITOR streams the commands of other clients', async () => {
    const monitor = await RawClient.connect(server.port);
    const other = await RawClient.connect(server.port);
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    await other.call('SET', 'mon', 'a b"c');
    const line = await monitor.next();
    expect(line).toMatch(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "mon" "a b\\"c"\r\n$/);
    // microseconds, as redis-server prints them: not a millisecond clock padded with zeros
    const micros = [line];
    for (let i = 0; i < 3; i++) {
      await other.call('PING');
      micros.push(await monitor.next());
    }
    expect(micros.some((entry) => !/^\+\d+\.\d{3}000 /.test(entry))).toBe(true);
    monitor.close();
    other.close();
  });

  it('SLOWLOG records commands over the threshold', async () => {
    const a = await RawClient.connect(server.port);
    await a.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await a.call('SLOWLOG', 'RESET');
    await a.call('SET', 'slow', 'x');
    const entries = await a.call('SLOWLOG', 'GET', '1');
    expect(entries).toMatch(
      /^\*1\r\n\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n\*3\r\n\$3\r\nSET\r\n\$4\r\nslow\r\n\$1\r\nx\r\n/,
    );
    expect(await a.call('SLOWLOG', 'LEN')).toMatch(/^:[1-9]\d*\r\n$/);
    await a.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await a.call('SLOWLOG', 'RESET');
    expect(await a.call('SLOWLOG', 'LEN')).toBe(':0\r\n');
    a.close();
  });

  it('INFO has the sections and fields clients parse', async () => {
    const redis = new Redis(server.port, { lazyConnect: true });
    await redis.connect();
    try {
      await redis.set('info:k', 'v', 'EX', 100);
      const info = await redis.info();
      for (const field of [
        'redis_version:7.0.15',
        'loading:0',
        'connected_clients:',
        'used_memory:',
        'maxmemory_policy:noeviction',
        'role:master',
        'total_commands_processed:',
        'keyspace_hits:',
      ]) {
        expect(info).toContain(field);
      }
      expect(info).toMatch(/db0:keys=\d+,expires=\d+,avg_ttl=\d+/);
      const sections = [...info.matchAll(/^# (\w+)/gm)].map((m) => m[1]);
      expect(sections).toEqual([
        'Server',
        'Clients',
        'Memory',
        'Persistence',
        'Stats',
        'Replication',
        'CPU',
        'Modules',
        'Errorstats',
        'Cluster',
        'Keyspace',
      ]);
      expect(await redis.info('commandstats')).toMatch(
        /cmdstat_set:calls=\d+,usec=\d+,usec_per_call=[\d.]+,rejected_calls=\d+,failed_calls=\d+/,
      );
    } finally {
      redis.disconnect();
    }
  });
});

describe('CONFIG REWRITE', () => {
  it('writes the changed directives back to the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-rewrite-'));
    try {
      const file = join(dir, 'redis.conf');
      writeFileSync(file, '# my settings\nmaxclients 100\nport 0\n');
      const config = Config.fromArgv([file]);
      const server = await startServer({ config });
      const a = await RawClient.connect(server.port);
      expect(await a.call('CONFIG', 'SET', 'maxclients', '200', 'hz', '20')).toBe('+OK\r\n');
      expect(await a.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
      a.close();
      await server.close();
      const text = readFileSync(file, 'latin1');
      expect(text).toContain('# my settings');
      expect(text).toMatch(/^maxclients 200$/m);
      expect(text).toMatch(/^hz 20$/m);
      expect(text).not.toMatch(/^maxclients 100$/m);
      const reloaded = Config.fromArgv([file]);
      expect(reloaded.number('maxclients')).toBe(200);
      expect(reloaded.number('hz')).toBe(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a config file it answers as redis-server', async () => {
    const server = await startServer({ port: 0 });
    const a = await RawClient.connect(server.port);
    expect(await a.call('CONFIG', 'REWRITE')).toBe(
      '-ERR The server is running without a config file\r\n',
    );
    a.close();
    await server.close();
  });
});

describe('INFO keyspace avg_ttl', () => {
  it('is the mean time to live of the keys with one, 0 without', async () => {
    const redis = await createTestServer();
    try {
      redis.clock.freeze();
      const avg = () => /avg_ttl=(\d+)/.exec(String(redis.call(['INFO', 'keyspace'])))?.[1];
      redis.call(['SET', 'a', '1', 'PX', '1000']);
      redis.call(['SET', 'b', '1', 'PX', '3000']);
      redis.call(['SET', 'c', '1']);
      expect(avg()).toBe('2000');
      redis.clock.fastForward(500);
      expect(avg()).toBe('1500');
      redis.call(['PEXPIRE', 'c', '6500']); // deadlines 1000, 3000, 7000 from the start
      expect(avg()).toBe(String(Math.round((500 + 2500 + 6500) / 3)));
      redis.call(['PERSIST', 'b']);
      redis.call(['RENAME', 'c', 'd']);
      expect(avg()).toBe('3500');
      redis.call(['SWAPDB', '0', '1']);
      expect(String(redis.call(['INFO', 'keyspace']))).toMatch(/db1:keys=3,expires=2,avg_ttl=3500/);
      redis.call(['SWAPDB', '0', '1']);
      redis.call(['DEL', 'a', 'd']);
      expect(avg()).toBe('0');
      redis.call(['SET', 'e', '1', 'PX', '100']);
      expect(avg()).toBe('100');
      redis.call(['FLUSHALL']);
      expect(avg()).toBeUndefined();
    } finally {
      await redis.close();
    }
  });
});

describe('active expiry', () => {
  it('reclaims a million expired keys in slices, without a pause', async () => {
    const redis = await createTestServer({ config: { hz: 100 } });
    try {
      const db = redis.server.db(0);
      const now = redis.clock.now();
      for (let i = 0; i < 1_000_000; i++) {
        db.add(`k:${i}`, 'v');
        db.setExpire(`k:${i}`, now + 1000);
      }
      expect(db.size).toBe(1_000_000);
      redis.clock.fastForward(1001);
      // the event loop keeps answering while the cron reclaims the keys a slice at a time:
      // PINGs see the key count go down in several steps, not all at once
      const client = await RawClient.connect(redis.port);
      const sizes = new Set<number>();
      for (let round = 0; round < 2000 && db.size > 0; round++) {
        expect(await client.call('PING')).toBe('+PONG\r\n');
        sizes.add(db.size);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(db.size).toBe(0);
      expect(redis.server.stats.expiredKeys).toBe(1_000_000);
      expect(sizes.size).toBeGreaterThan(3);
      client.close();
    } finally {
      await redis.close();
    }
  });
});

describe.skipIf(!hasRedisServer)("CLIENT LIST's cmd=", () => {
  /** After each sequence (a restricted user's), the cmd= another client sees for its client. */
  async function lastCommands(port: number): Promise<string[]> {
    const admin = await RawClient.connect(port);
    await admin.call('ACL', 'SETUSER', 'restricted', 'on', '>pw', '~*', '+@all', '-get');
    const sequences = [
      [['SET', 'a', '1']],
      [['GET', 'a']], // refused by the ACL
      [['GET']], // wrong arity
      [['NOSUCH']],
      [['CLIENT', 'NOSUCH']],
      [['OBJECT']], // a container with no subcommand
      [['CONFIG', 'GET', 'port']],
      [['MULTI'], ['SET', 'a', '1']], // queued
      [['MULTI'], ['SET', 'a', '1'], ['EXEC']],
      [['EVAL', "return redis.call('set', 'a', '1')", '0']],
      [['MULTI'], ['ZMPOP', '0', 'MIN'], ['EXEC']],
    ];
    const out: string[] = [];
    try {
      for (const sequence of sequences) {
        const client = await RawClient.connect(port);
        const id = /:(\d+)/.exec(await client.call('CLIENT', 'ID'))?.[1] ?? '';
        await client.call('AUTH', 'restricted', 'pw');
        const replies = [];
        for (const command of sequence) replies.push(await client.call(...command));
        const list = await admin.call('CLIENT', 'LIST', 'ID', id);
        out.push(`${sequence.map((c) => c.join(' ')).join('; ')} -> ${/cmd=\S+/.exec(list)?.[0]}`);
        client.close();
      }
    } finally {
      await admin.call('ACL', 'DELUSER', 'restricted');
      admin.close();
    }
    return out;
  }

  it('names the command last received, even refused or queued, as redis-server', async () => {
    const redis = await startRedisServer();
    const byor = await startServer({ port: 0 });
    try {
      const expected = await lastCommands(redis.port);
      expect(expected).toContain('NOSUCH -> cmd=NULL');
      expect(await lastCommands(byor.port)).toEqual(expected);
    } finally {
      await byor.close();
      await redis.stop();
    }
  });
});

/** Polls INFO clients through `client` until the server reports `count` blocked clients. */
async function untilBlocked(client: RawClient, count: number): Promise<void> {
  while (!(await client.call('INFO', 'clients')).includes(`blocked_clients:${count}\r`))
    await new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * Runs `probe` against a fresh byor and a fresh redis-server, both given `directives`; its two
 * results, byor's first.
 */
async function onBoth<T>(
  probe: (port: number) => Promise<T>,
  directives: Record<string, string> = {},
): Promise<[T, T]> {
  const byor = await startServer({ port: 0, config: directives });
  const redis = await startRedisServer(
    Object.entries(directives).flatMap(([name, value]) => [`--${name}`, value]),
  );
  try {
    return [await probe(byor.port), await probe(redis.port)];
  } finally {
    await byor.close();
    await redis.stop();
  }
}

describe.skipIf(!hasRedisServer)('RESET, as redis-server 7.0', () => {
  it('clears the name, database, protocol, subscriptions and transaction, keeps NO-EVICT', async () => {
    const states = await onBoth(async (port) => {
      const client = await RawClient.connect(port);
      for (const command of [
        ['CLIENT', 'SETNAME', 'app'],
        ['CLIENT', 'NO-EVICT', 'on'],
        ['SELECT', '3'],
        ['HELLO', '3'],
        ['MULTI'],
        ['RESET'],
      ])
        await client.call(...command);
      const info = await client.call('CLIENT', 'INFO');
      client.close();
      return info
        .split(/[ \r\n]/)
        .filter((field) => /^(?:name|flags|db|sub|multi|resp)=/.test(field))
        .join(' ');
    });
    expect(states[0]).toBe(states[1]);
    expect(states[1]).toBe('name= flags=e db=0 sub=0 multi=-1 resp=2');
  });
});

describe.skipIf(!hasRedisServer)('CLIENT UNBLOCK, as redis-server 7.0', () => {
  it('counts the blocked command failed (TIMEOUT too) and checks the reason before the id', async () => {
    const results = await onBoth(async (port) => {
      const waiting = await RawClient.connect(port);
      const admin = await RawClient.connect(port);
      const id = (await waiting.call('CLIENT', 'ID')).slice(1, -2);
      const out: string[] = [await admin.call('CLIENT', 'UNBLOCK', 'x', 'maybe')];
      for (const reason of ['TIMEOUT', 'ERROR']) {
        const reply = waiting.call('BLPOP', 'queue', '0');
        await untilBlocked(admin, 1);
        out.push(await admin.call('CLIENT', 'UNBLOCK', id, reason), await reply);
      }
      const stats = await admin.call('INFO', 'commandstats');
      out.push(
        ...stats
          .split('\r\n')
          .filter((line) => /^cmdstat_(?:blpop|client\|unblock)/.test(line))
          .map((line) => line.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
          .sort(),
      );
      waiting.close();
      admin.close();
      return out;
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toContain('cmdstat_blpop:calls=2,rejected_calls=0,failed_calls=2');
  });
});

describe.skipIf(!hasRedisServer)(
  'blocked clients in INFO and CLIENT LIST, as redis-server 7.0',
  () => {
    it('counts a command held by CLIENT PAUSE as blocked, and only timed waits in the timeout table', async () => {
      const results = await onBoth(async (port) => {
        const admin = await RawClient.connect(port);
        const waiters = await Promise.all([0, 1, 2].map(() => RawClient.connect(port)));
        const [forever, timed, paused] = waiters as [RawClient, RawClient, RawClient];
        const clients = async (): Promise<string[]> => {
          const info = await admin.call('INFO', 'clients');
          const list = await admin.call('CLIENT', 'LIST', 'TYPE', 'normal');
          return [
            ...info
              .split('\r\n')
              .filter((line) => /^(?:blocked_clients|clients_in_timeout)/.test(line)),
            ...list
              .split('\n')
              .map((line) => `${/flags=\S+/.exec(line)?.[0]} ${/cmd=\S+/.exec(line)?.[0]}`)
              .filter((line) => !line.includes('cmd=client|list'))
              .sort(),
          ];
        };
        await admin.call('CONFIG', 'SET', 'timeout', '1');
        const replies = [forever.call('BLPOP', 'a', '0'), timed.call('BLPOP', 'b', '30')];
        await untilBlocked(admin, 2);
        await admin.call('CLIENT', 'PAUSE', '5000', 'WRITE');
        replies.push(paused.call('SET', 'k', 'v'));
        await untilBlocked(admin, 3);
        const out = await clients();
        // past the idle timeout: blocked clients are exempt (the admin connection stays active)
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 400));
          await admin.call('PING');
        }
        out.push(...(await clients()));
        await admin.call('CLIENT', 'UNPAUSE');
        await admin.call('RPUSH', 'a', '1');
        await admin.call('RPUSH', 'b', '2');
        out.push(...(await Promise.all(replies)));
        out.push(...(await clients()));
        for (const client of [admin, ...waiters]) client.close();
        return out;
      });
      expect(results[0]).toEqual(results[1]);
      expect(results[1]).toContain('blocked_clients:3');
      expect(results[1]).toContain('clients_in_timeout_table:1');
    });
  },
);

describe.skipIf(!hasRedisServer)('a refused EXEC, as redis-server 7.0', () => {
  it('aborts the transaction with the reason (arity, NOREPLICAS, MASTERDOWN) and MONITOR sees it', async () => {
    const results = await onBoth(async (port) => {
      const [client, admin, monitor] = await Promise.all(
        [0, 1, 2].map(() => RawClient.connect(port)),
      );
      await monitor!.call('MONITOR');
      const out: string[] = [];
      const run = async (conn: RawClient, ...command: string[]) =>
        out.push(`${command.join(' ')} -> ${await conn.call(...command)}`);
      const c = client!;
      const a = admin!;
      await run(c, 'SET', 'xx', '1');
      await run(c, 'MULTI');
      await run(c, 'INCR', 'xx');
      await run(c, 'EXEC', 'extra');
      await run(c, 'EXEC');
      await run(c, 'MULTI');
      await run(c, 'INCR', 'xx');
      await run(a, 'CONFIG', 'SET', 'min-replicas-to-write', '2');
      await run(c, 'EXEC');
      await run(c, 'MULTI');
      await run(c, 'GET', 'xx');
      await run(c, 'EXEC');
      await run(a, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
      await run(a, 'CONFIG', 'SET', 'replica-serve-stale-data', 'no');
      await run(c, 'MULTI');
      await run(c, 'GET', 'xx');
      await run(a, 'REPLICAOF', '127.0.0.1', '1');
      await run(c, 'EXEC');
      await run(c, 'MULTI');
      await run(c, 'PING');
      await run(c, 'EXEC');
      await run(a, 'REPLICAOF', 'NO', 'ONE');
      await run(c, 'GET', 'xx');
      out.push(/multi=\S+/.exec(await c.call('CLIENT', 'INFO'))?.[0] ?? '');
      await run(a, 'PING');
      const seen = await monitor!.drain(50);
      out.push(
        ...String(seen)
          .split('\r\n')
          .filter((line) => /"(?:exec|multi|incr|get)"/i.test(line))
          .map((line) => line.replace(/^\+[\d.]+ \[\d+ [^\]]+\] /, '')),
      );
      for (const conn of [client, admin, monitor]) conn!.close();
      return out;
    });
    expect(results[1].filter((line) => /^"exec"/i.test(line)).length).toBe(6);
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toContain(
      'EXEC -> -EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.\r\n',
    );
  });
});

describe.skipIf(!hasRedisServer)('SLOWLOG, as redis-server 7.0', () => {
  it('redacts secrets and logs a blocked command when its wait ends', async () => {
    const results = await onBoth(async (port) => {
      const client = await RawClient.connect(port);
      const waiting = await RawClient.connect(port);
      await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await client.call('SLOWLOG', 'RESET');
      for (const command of [
        ['AUTH', 'secret'],
        ['AUTH', 'someone', 'secret'],
        ['AUTH', 'a', 'b', 'c'],
        ['HELLO', '2', 'AUTH', 'someone', 'secret'],
        ['ACL', 'SETUSER', 'slowlog user', '+get', '>pw'],
        ['ACL', 'DELUSER', 'slowlog user'],
        ['CONFIG', 'SET', 'masterauth', 'pw', 'maxmemory-samples', '5'],
        ['CONFIG', 'SET', 'masteruser', ''],
        ['MIGRATE', '127.0.0.1', '1', 'nokey', '0', '100', 'AUTH', 'pw'],
        ['MIGRATE', '127.0.0.1', '1', 'nokey', '0', '100', 'AUTH2', 'user', 'pw'],
      ])
        await client.call(...command);
      const served = waiting.call('BLPOP', 'list', '0');
      await untilBlocked(client, 1);
      await client.call('RPUSH', 'list', 'x');
      await served;
      await waiting.call('BLPOP', 'list', '0.01');
      const id = (await waiting.call('CLIENT', 'ID')).slice(1, -2);
      const unblocked = waiting.call('BLPOP', 'list', '0');
      await untilBlocked(client, 1);
      await client.call('CLIENT', 'UNBLOCK', id);
      await unblocked;
      const log = await client.call('SLOWLOG', 'GET', '-1');
      client.close();
      waiting.close();
      // each entry's arguments (the fourth field), oldest first; the INFO polls left out
      return log
        .split(/\r\n\*\d+\r\n(?=:\d+\r\n:\d+\r\n:\d+\r\n)/)
        .map((entry) =>
          [...entry.matchAll(/\$\d+\r\n([^\r]*)/g)]
            .map((match) => match[1])
            .slice(0, -2)
            .join(' '),
        )
        .filter((args) => !args.startsWith('INFO') && !args.startsWith('CLIENT ID'))
        .map((args) => args.replace(/^CLIENT UNBLOCK \d+$/, 'CLIENT UNBLOCK <id>'))
        .reverse();
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toContain('ACL SETUSER (redacted) (redacted) (redacted)');
    expect(results[1]).toContain('BLPOP list 0');
    expect(results[1]).not.toContain('BLPOP list 0.01');
  });
});

describe.skipIf(!hasRedisServer)('CLIENT PAUSE WRITE, as redis-server 7.0', () => {
  it('holds writes and may-replicate commands (PFCOUNT, PUBLISH, EVAL, FCALL), not reads', async () => {
    const results = await onBoth(async (port) => {
      const admin = await RawClient.connect(port);
      /** Runs the last command of `commands` under a pause: whether it was held, and its reply. */
      const underPause = async (...commands: string[][]): Promise<string> => {
        const client = await RawClient.connect(port);
        for (const command of commands.slice(0, -1)) await client.call(...command);
        const last = commands[commands.length - 1]!;
        await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
        const reply = client.call(...last);
        let held = false;
        for (let i = 0; i < 20 && !held; i++) {
          held = (await admin.call('INFO', 'clients')).includes('blocked_clients:1\r');
          if (!held) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await admin.call('CLIENT', 'UNPAUSE');
        const line = `${commands.map((c) => c[0]).join(' ')} ${held ? 'held' : 'ran'}: ${JSON.stringify(await reply)}`;
        client.close();
        return line;
      };
      await admin.call('PFADD', 'hll', 'a');
      await admin.call(
        'FUNCTION',
        'LOAD',
        "#!lua name=p\nredis.register_function('f', function() return 1 end)",
      );
      const out: string[] = [];
      for (const command of [
        ['GET', 'hll'],
        ['EVAL_RO', 'return 1', '0'],
        ['FCALL_RO', 'f', '0'],
        ['PFCOUNT', 'hll'],
        ['PUBLISH', 'ch', 'x'],
        ['EVAL', 'return 1', '0'],
        ['FCALL', 'f', '0'],
        ['SET', 'k', 'v'],
        ['EVAL', '#!lua flags=no-writes\nreturn 1', '0'],
        ['EVAL', '#!lua\nreturn 1', '0'],
        ['FCALL', 'nosuch', '0'],
        ['SET', 'k'],
        ['NOSUCH'],
      ])
        out.push(await underPause(command));
      // an EXEC holding a write waits; one of reads does not
      out.push(await underPause(['MULTI'], ['GET', 'k'], ['EXEC']));
      out.push(await underPause(['MULTI'], ['SET', 'k', 'w'], ['EXEC']));
      admin.close();
      return out;
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toContain('PFCOUNT held: ":1\\r\\n"');
  });
});

describe.skipIf(!hasRedisServer)('INFO, as redis-server 7.0', () => {
  it("has redis-server's sections and fields, in its order (byor adds byor_version and node_version)", async () => {
    const [ours, theirs] = await onBoth(async (port) => {
      const client = await RawClient.connect(port);
      const text = await client.call('INFO', 'everything');
      client.close();
      return text
        .split('\r\n')
        .filter((line) => line !== '' && !line.startsWith('$'))
        .map((line) => (line.startsWith('#') ? line : line.slice(0, line.indexOf(':'))))
        .filter((name) => !/^(?:cmdstat_|errorstat_|latency_percentiles_usec_|db\d)/.test(name));
    });
    expect(ours.filter((name) => name !== 'byor_version' && name !== 'node_version')).toEqual(
      theirs,
    );
  });
});

describe.skipIf(!hasRedisServer)('CLIENT INFO buffers, as redis-server 7.0', () => {
  it('counts the running command in qbuf and argv-mem, and tot-mem as redis-server does', async () => {
    const [ours, theirs] = await onBoth(async (port) => {
      const client = await RawClient.connect(port);
      await client.call('SET', 'k', 'v');
      const id = (await client.call('CLIENT', 'ID')).slice(1, -2);
      const out: string[] = [];
      for (const command of [
        ['CLIENT', 'INFO'],
        ['CLIENT', 'LIST', 'ID', '999999', id],
      ]) {
        const reply = await client.call(...command);
        out.push(reply.replace(/^.*?(qbuf=.*?) events.*$/s, '$1'));
      }
      client.close();
      return out;
    });
    expect(ours).toEqual(theirs);
    expect(theirs[0]).toBe(
      'qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658',
    );
  });
});

describe.skipIf(!hasRedisServer)('DEBUG PAUSE-CRON, as redis-server 7.0', () => {
  it('stops the cron: keys past their TTL stay until it runs again', async () => {
    const byor = await startServer({ port: 0, config: { 'enable-debug-command': 'yes' } });
    const redis = await startRedisServer(['--enable-debug-command', 'yes']);
    try {
      for (const port of [byor.port, redis.port]) {
        const client = await RawClient.connect(port);
        const sizes: string[] = [];
        expect(await client.call('DEBUG', 'PAUSE-CRON', '1')).toBe('+OK\r\n');
        await client.call('SET', 'k', 'v', 'PX', '10');
        await new Promise((resolve) => setTimeout(resolve, 300));
        sizes.push(await client.call('DBSIZE'));
        await client.call('DEBUG', 'PAUSE-CRON', '0');
        await new Promise((resolve) => setTimeout(resolve, 300));
        sizes.push(await client.call('DBSIZE'));
        client.close();
        expect(sizes, `port ${port}`).toEqual([':1\r\n', ':0\r\n']);
      }
    } finally {
      await byor.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!hasRedisServer)('expiry under CLIENT PAUSE, as redis-server 7.0', () => {
  it('keys past their TTL read as missing and are deleted only once the pause ends', async () => {
    const [ours, theirs] = await onBoth(async (port) => {
      const client = await RawClient.connect(port);
      const expired = async () =>
        /expired_keys:(\d+)/.exec(await client.call('INFO', 'stats'))?.[1] ?? '';
      const out: string[] = [await expired()];
      await client.call('MULTI');
      await client.call('SET', 'foo', 'bar', 'PX', '10');
      await client.call('SET', 'bar', 'foo', 'PX', '10');
      await client.call('CLIENT', 'PAUSE', '50000', 'WRITE');
      await client.call('EXEC');
      await new Promise((resolve) => setTimeout(resolve, 300));
      out.push(await client.call('GET', 'foo'), await client.call('DBSIZE'), await expired());
      await client.call('CLIENT', 'UNPAUSE');
      out.push(await client.call('GET', 'foo'), await client.call('GET', 'bar'), await expired());
      client.close();
      return out;
    });
    expect(ours).toEqual(theirs);
    expect(theirs).toEqual(['0', '$-1\r\n', ':2\r\n', '0', '$-1\r\n', '$-1\r\n', '2']);
  });
});

describe.skipIf(!hasRedisServer)('DEBUG SET-DISABLE-DENY-SCRIPTS, as redis-server 7.0', () => {
  it('lets scripts call commands flagged noscript while it is set', async () => {
    const byor = await startServer({ port: 0, config: { 'enable-debug-command': 'yes' } });
    const redis = await startRedisServer(['--enable-debug-command', 'yes']);
    try {
      const results: string[][] = [];
      for (const port of [byor.port, redis.port]) {
        const client = await RawClient.connect(port);
        const script = "return redis.call('debug', 'protocol', 'bignum')";
        const out: string[] = [];
        for (const setting of ['0', '1', '0']) {
          out.push(await client.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', setting));
          out.push(
            (await client.call('EVAL', script, '0')).replace(/script: \w+/, 'script: <sha>'),
          );
        }
        client.close();
        results.push(out);
      }
      expect(results[0]).toEqual(results[1]);
      expect(results[1]?.[3]).toMatch(/^\$37\r\n/);
    } finally {
      await byor.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!hasRedisServer)('CONFIG SET port and bind, as redis-server 7.0', () => {
  /** Whether a new connection to `port` is served ('PONG') or refused. */
  async function reachable(port: number, host = '127.0.0.1'): Promise<string> {
    try {
      const client = await RawClient.connect(port, host);
      const reply = await client.call('PING');
      client.close();
      return reply.trim();
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'error';
    }
  }

  /** Moves the server about with CONFIG SET; what each step answered and who could connect. */
  async function moves(port: number, busyPort: number): Promise<string[]> {
    const out: string[] = [];
    const client = await RawClient.connect(port);
    const bind = await client.call('CONFIG', 'GET', 'bind');
    const moved = await freePort();
    out.push(`port: ${await client.call('CONFIG', 'SET', 'port', String(moved))}`);
    // the connection that asked stays; new ones go to the new port only
    out.push(`same connection: ${await client.call('PING')}`);
    out.push(`new port: ${await reachable(moved)}, old port: ${await reachable(port)}`);
    const info = await client.call('INFO', 'server');
    out.push(`tcp_port is the new port: ${info.includes(`tcp_port:${moved}\r\n`)}`);
    out.push(`busy port: ${await client.call('CONFIG', 'SET', 'port', String(busyPort))}`);
    out.push(`port kept: ${(await client.call('CONFIG', 'GET', 'port')).includes(`${moved}`)}`);
    // a CONFIG SET is all or nothing: maxmemory goes back too
    out.push(
      `pair: ${await client.call('CONFIG', 'SET', 'maxmemory', '5mb', 'port', String(busyPort))}`,
    );
    out.push(`maxmemory: ${await client.call('CONFIG', 'GET', 'maxmemory')}`);
    out.push(`bad bind: ${await client.call('CONFIG', 'SET', 'bind', '999.999.999.999')}`);
    out.push(`one bad: ${await client.call('CONFIG', 'SET', 'bind', '127.0.0.1 999.999.999.999')}`);
    out.push(`bind kept: ${(await client.call('CONFIG', 'GET', 'bind')) === bind}`);
    out.push(`still served: ${await reachable(moved)}`);
    // from loopback to every address on the same port, and back: the old socket closes first
    out.push(`wildcard: ${await client.call('CONFIG', 'SET', 'bind', '*')}`);
    out.push(`served: ${await reachable(moved)}`);
    out.push(`loopback: ${await client.call('CONFIG', 'SET', 'bind', '127.0.0.1 -::1')}`);
    out.push(`served: ${await reachable(moved)}`);
    out.push(`bind: ${await client.call('CONFIG', 'GET', 'bind')}`);
    // an empty bind: no TCP listener, until one is named again
    out.push(`no address: ${await client.call('CONFIG', 'SET', 'bind', '')}`);
    out.push(`served: ${await reachable(moved)}`);
    out.push(`loopback: ${await client.call('CONFIG', 'SET', 'bind', '127.0.0.1')}`);
    out.push(`served: ${await reachable(moved)}`);
    // port 0: no TCP listener at all
    out.push(`port 0: ${await client.call('CONFIG', 'SET', 'port', '0')}`);
    out.push(`after port 0: ${await reachable(moved)}, asker: ${await client.call('PING')}`);
    client.close();
    return out;
  }

  it('moves the listeners, keeps them on a failure and answers with the same errors', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'byor-rebind-'));
    const lines: string[] = [];
    const byor = await startServer({
      port: 0,
      logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
    });
    const redis = await startRedisServer(['--logfile', join(dir, 'redis.log')]);
    try {
      const ours = await moves(byor.port, busyPort);
      const theirs = await moves(redis.port, busyPort);
      expect(theirs).toContain('new port: +PONG, old port: ECONNREFUSED');
      expect(ours).toEqual(theirs);
      // the log lines of the failures, as redis-server writes them
      const failures = (text: string) =>
        text
          .split('\n')
          .filter((line) => /Could not create|Failed applying/.test(line))
          .map((line) => line.replace(/^.*?[#*] /, '').replace(/:\d+:/, ':<port>:'));
      const expected = failures(readFileSync(join(dir, 'redis.log'), 'utf8'));
      expect(expected.length).toBeGreaterThanOrEqual(8);
      expect(failures(lines.join('\n'))).toEqual(expected);
    } finally {
      busy.close();
      await byor.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts with bind "* -::*" (an IPv4 and an IPv6 listener on one port)', async () => {
    const byor = await startServer({ port: 0, host: '* -::*' });
    try {
      expect(await reachable(byor.port)).toBe('+PONG');
      expect(await reachable(byor.port, '::1')).toMatch(/^\+PONG$|^EADDRNOTAVAIL$|^EAFNOSUPPORT$/);
    } finally {
      await byor.close();
    }
  });

  it('refuses to start with nowhere to listen (an empty bind, no unixsocket)', async () => {
    await expect(startServer({ port: 0, host: '' })).rejects.toThrow(
      'Configured to not listen anywhere, exiting.',
    );
  });

  it('logs a port in use at start-up as redis-server does', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const lines: string[] = [];
    try {
      await expect(
        startServer({
          port,
          logger: createLogger({ level: 'notice', write: (line) => lines.push(line) }),
        }),
      ).rejects.toThrow(`Failed listening on port ${port} (TCP), aborting.`);
      expect(lines.join('\n')).toContain(
        `Warning: Could not create server TCP listening socket 127.0.0.1:${port}: bind: Address already in use`,
      );
    } finally {
      busy.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('CONFIG SET refusals, as redis-server 7.0', () => {
  /** CONFIG SET of every directive to its own value: OK, or why not, by name. */
  async function refusals(port: number): Promise<Map<string, string>> {
    const client = await RawClient.connect(port);
    const reply = await client.call('CONFIG', 'GET', '*');
    const items = reply.split('\r\n').filter((_, index) => index > 0 && index % 2 === 0);
    const out = new Map<string, string>();
    for (let i = 0; i + 1 < items.length; i += 2) {
      const [name = '', value = ''] = [items[i], items[i + 1]];
      const answer = await client.call('CONFIG', 'SET', name, value);
      out.set(name, /can't set (\w+)/.exec(answer)?.[1] ?? answer.trim());
    }
    client.close();
    return out;
  }

  it('refuses the immutable and the protected directives that redis-server refuses', async () => {
    const byor = await startServer({ port: 0 });
    const redis = await startRedisServer();
    try {
      const theirs = await refusals(redis.port);
      const ours = await refusals(byor.port);
      expect(theirs.get('dir')).toBe('protected');
      expect(theirs.get('bgsave_cpulist')).toBe('immutable');
      // CONFIG GET * lists the same directives (byor-port only by its exact name)
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      for (const [name, answer] of theirs)
        expect(`${name}: ${ours.get(name)}`).toBe(`${name}: ${answer}`);
    } finally {
      await byor.close();
      await redis.stop();
    }
  });

  async function sequence(port: number): Promise<string[]> {
    const client = await RawClient.connect(port);
    const dir = JSON.stringify(await client.call('CONFIG', 'GET', 'dir'));
    const out: string[] = [];
    for (const command of [
      ['CONFIG', 'SET', 'DIR', '/tmp'],
      ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
      // the names are checked before the values, and the first refusal is the reply
      ['CONFIG', 'SET', 'maxmemory', 'abc', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'dir', '/tmp', 'bgsave_cpulist', '1'],
      ['CONFIG', 'SET', 'bgsave_cpulist', '1', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'dir', '/tmp', 'nosuch', '1'],
      ['CONFIG', 'SET', 'nosuch', '1', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'maxmemory', '1', 'MAXMEMORY', '2', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'MAXMEMORY', 'abc'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', 'abc'],
      ['CONFIG', 'SET', 'enable-protected-configs', 'yes'],
    ])
      out.push(await client.call(...command));
    out.push(`dir unchanged: ${JSON.stringify(await client.call('CONFIG', 'GET', 'dir')) === dir}`);
    client.close();
    return out;
  }

  it('answers a refused CONFIG SET with the first refusal, names before values', async () => {
    const [ours, theirs] = await onBoth(sequence);
    expect(theirs).toContain(
      "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
    );
    expect(ours).toEqual(theirs);
  });

  it('lets a local client set them with enable-protected-configs local, anyone with yes', async () => {
    for (const setting of ['local', 'yes']) {
      const byor = await startServer({ port: 0, config: { 'enable-protected-configs': setting } });
      const redis = await startRedisServer(['--enable-protected-configs', setting]);
      try {
        const answers: string[][] = [];
        for (const port of [byor.port, redis.port]) {
          const client = await RawClient.connect(port);
          answers.push([
            await client.call('CONFIG', 'SET', 'dbfilename', 'moved.rdb'),
            await client.call('CONFIG', 'GET', 'dbfilename'),
            // a value that cannot be applied puts back the others of its CONFIG SET
            await client.call('CONFIG', 'SET', 'maxmemory', '10mb', 'dir', '/nonexistent/dir'),
            await client.call('CONFIG', 'GET', 'maxmemory'),
          ]);
          client.close();
        }
        expect(answers[0]).toEqual(answers[1]);
        expect(answers[1]?.[0]).toBe('+OK\r\n');
      } finally {
        await byor.close();
        await redis.stop();
      }
    }
  });
});

describe.skipIf(!hasRedisServer)('rename-command, as redis-server 7.0', () => {
  async function renamed(port: number): Promise<string[]> {
    const client = await RawClient.connect(port);
    const out: string[] = [];
    for (const command of [
      ['CONFIG', 'GET', 'maxmemory'],
      ['MyConfig', 'GET', 'maxmemory'],
      ['MYCONFIG', 'GET', 'maxmemory'],
      ['FLUSHALL'],
      ['COMMAND', 'INFO', 'config', 'flushall'],
      ['COMMAND', 'DOCS', 'config'],
      ['EVAL', "return redis.call('myconfig', 'get', 'maxmemory')", '0'],
      ['EVAL', "return redis.call('config', 'get', 'maxmemory')", '0'],
      // ACL rules keep the original names
      ['ACL', 'SETUSER', 'u', 'on', 'nopass', '+config|get'],
      ['ACL', 'SETUSER', 'u', '+myconfig'],
    ])
      out.push((await client.call(...command)).replace(/script: \w+/, 'script: <sha>'));
    // the renamed command under its own name in the lists and the statistics
    const info = await client.call('COMMAND', 'INFO', 'myconfig');
    out.push(`info names it: ${info.includes('$6\r\nconfig\r\n')}`);
    const list = await client.call('COMMAND', 'LIST');
    out.push(
      `listed: config ${list.includes('\r\nconfig\r\n')}, flushall ${list.includes('\r\nflushall\r\n')}`,
    );
    const stats = await client.call('INFO', 'commandstats');
    out.push(`stats: ${/cmdstat_config\|get:calls=\d+/.exec(stats)?.[0]}`);
    client.close();
    return out;
  }

  it('answers to the new name, forgets the old, and removes a command renamed to ""', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-rename-'));
    const file = join(dir, 'redis.conf');
    writeFileSync(file, 'rename-command CONFIG MyConfig\nrename-command FLUSHALL ""\n');
    const byor = await startServer({ port: 0, configFile: file });
    const redis = await startRedisServer([
      ...['--rename-command', 'CONFIG', 'MyConfig'],
      ...['--rename-command', 'FLUSHALL', ''],
    ]);
    try {
      const theirs = await renamed(redis.port);
      expect(theirs[0]).toMatch(/^-ERR unknown command 'CONFIG'/);
      expect(theirs).toContain('stats: cmdstat_config|get:calls=2');
      expect(await renamed(byor.port)).toEqual(theirs);
    } finally {
      await byor.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasRedisServer)('unixsocketperm, as redis-server 7.0', () => {
  it('is read and shown in octal, and is the socket file mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-unixperm-'));
    const ours = join(dir, 'byor.sock');
    const theirs = join(dir, 'redis.sock');
    const byor = await startServer({
      port: 0,
      config: { unixsocket: ours, unixsocketperm: '700' },
    });
    const redis = await startRedisServer(['--unixsocket', theirs, '--unixsocketperm', '700']);
    try {
      const answers: string[] = [];
      for (const port of [byor.port, redis.port]) {
        const client = await RawClient.connect(port);
        answers.push(await client.call('CONFIG', 'GET', 'unixsocketperm'));
        client.close();
      }
      expect(answers[1]).toBe('*2\r\n$14\r\nunixsocketperm\r\n$3\r\n700\r\n');
      expect(answers[0]).toBe(answers[1]);
      expect(statSync(ours).mode & 0o777).toBe(statSync(theirs).mode & 0o777);
      expect(statSync(ours).mode & 0o777).toBe(0o700);
    } finally {
      await byor.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasRedisServer)('DEBUG OBJECT of a key past its TTL, as redis-server 7.0', () => {
  it('still finds it (dictFind), without deleting it', async () => {
    const [ours, theirs] = await onBoth(
      async (port) => {
        const client = await RawClient.connect(port);
        const out: string[] = [];
        await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
        await client.call('SET', 'key', 'value', 'PX', '1');
        await new Promise((resolve) => setTimeout(resolve, 10));
        out.push((await client.call('DEBUG', 'OBJECT', 'key')).replace(/0x[0-9a-f]+/, '<at>'));
        out.push((await client.call('DEBUG', 'OBJECT', 'key')).slice(0, 10));
        out.push(await client.call('EXISTS', 'key'));
        out.push(await client.call('DEBUG', 'OBJECT', 'key'));
        client.close();
        return out;
      },
      { 'enable-debug-command': 'yes' },
    );
    expect(theirs[0]).toMatch(/^\+Value at:<at> refcount:1 encoding:embstr/);
    expect(ours).toEqual(theirs);
  });
});

describe.skipIf(!hasRedisServer)(
  'scripts over maxmemory, as redis-server 7.0 (scriptVerifyOOM)',
  () => {
    async function overMemory(port: number): Promise<string[]> {
      const client = await RawClient.connect(port);
      const out: string[] = [];
      const sha = (reply: string) => reply.replace(/script: \w+/, 'script: <sha>');
      await client.call('SET', 'before', '1');
      await client.call('CONFIG', 'SET', 'maxmemory', '1');
      for (const command of [
        // the first write of a script is refused, a read is not
        ['EVAL', "return redis.call('SET', 'x', 1)", '0'],
        ['EVAL', "return redis.pcall('SET', 'x', 1)['err']", '0'],
        ['EVAL', "return redis.call('GET', 'before')", '0'],
        // a command that only deletes may run, and then the script may write
        ['EVAL', "redis.call('DEL', 'nokey'); return redis.call('SET', 'y', 1)", '0'],
        ['EVAL', "redis.call('DEL', 'before'); return redis.call('SET', 'z', 1)", '0'],
        // allow-oom, and no-writes scripts
        ['EVAL', "#!lua flags=allow-oom\nreturn redis.call('SET', 'w', 1)", '0'],
        ['EVAL', "#!lua flags=no-writes\nreturn redis.call('GET', 'w')", '0'],
        ['EVAL', "#!lua\nreturn redis.call('SET', 'v', 1)", '0'],
      ])
        out.push(sha(await client.call(...command)));
      await client.call('CONFIG', 'SET', 'maxmemory', '0');
      out.push(await client.call('MGET', 'x', 'y', 'z', 'w', 'v'));
      client.close();
      return out;
    }

    it('refuses a denyoom command until the script has written, unless it allows OOM', async () => {
      const [ours, theirs] = await onBoth(overMemory);
      expect(theirs[0]).toMatch(/^-OOM command not allowed when used memory > 'maxmemory'/);
      expect(ours).toEqual(theirs);
    });
  },
);

describe.skipIf(!hasRedisServer)('lazyfreed_objects, as redis-server 7.0 counts it', () => {
  /**
   * Runs `steps` on a client; after each, its replies (but XADD's IDs) and the counter once
   * redis-server's thread is done.
   */
  async function counts(port: number, steps: string[][][]): Promise<string[]> {
    const client = await RawClient.connect(port);
    const field = async (name: string) =>
      new RegExp(`${name}:(\\d+)`).exec(await client.call('INFO', 'memory'))?.[1] ?? '?';
    const out: string[] = [];
    try {
      for (const [index, step] of steps.entries()) {
        const replies: string[] = [];
        for (const command of step) {
          const reply = await client.call(...command);
          if (command[0] !== 'XADD') replies.push(reply.trim());
        }
        for (let tries = 0; tries < 100; tries++) {
          if ((await field('lazyfree_pending_objects')) === '0') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        out.push(`step ${index}: ${replies.join(' ')} -> ${await field('lazyfreed_objects')}`);
      }
    } finally {
      client.close();
    }
    return out;
  }
  const members = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const pairs = (count: number) =>
    Array.from({ length: count }, (_, i) => [String(i), `m${i}`]).flat();
  const fill = [
    ['SADD', 'set', ...members('m', 100)],
    ['SADD', 'ints', ...members('', 65)],
    ['SADD', 'small', ...members('m', 64)],
    // past hash-max-listpack-entries (512 in Debian's build): a hash table
    ['HSET', 'hash', ...pairs(600)],
    ['ZADD', 'zset', ...pairs(200)],
    ['RPUSH', 'list', ...members('e', 1000)],
  ];

  it('counts what UNLINK, FLUSH ASYNC and the script flushes hand to the background', async () => {
    const stream = Array.from({ length: 300 }, (_, i) => ['XADD', 'stream', '*', 'f', String(i)]);
    const steps = [
      fill,
      [['UNLINK', 'set', 'ints', 'small']],
      [['UNLINK', 'hash', 'zset', 'list']],
      [['CONFIG', 'SET', 'stream-node-max-entries', '5'], ...stream, ['UNLINK', 'stream']],
      [
        ['XADD', 's', '*', 'a', 'b'],
        ['XGROUP', 'CREATE', 's', 'g', '$'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['UNLINK', 's'],
      ],
      [...fill, ['DEL', 'set', 'hash'], ['SET', 'zset', 'x'], ['EXPIRE', 'list', '0']],
      [
        ['MSET', 'a', '1', 'b', '2', 'c', '3'],
        ['FLUSHALL', 'ASYNC'],
      ],
      [['MSET', 'a', '1', 'b', '2'], ['FLUSHDB', 'SYNC'], ['FLUSHALL']],
      [
        ...Array.from({ length: 70 }, (_, i) => ['SCRIPT', 'LOAD', `return ${i}`]),
        ['SCRIPT', 'FLUSH', 'ASYNC'],
      ],
      [
        ['SCRIPT', 'LOAD', 'return 1'],
        ['SCRIPT', 'FLUSH', 'ASYNC'],
        ['CONFIG', 'RESETSTAT'],
      ],
    ];
    const [ours, theirs] = await onBoth((port) => counts(port, steps));
    expect(ours).toEqual(theirs);
    expect(new Set(theirs.map((line) => line.split(' -> ')[1])).size).toBeGreaterThan(3);
  });

  it('follows the lazyfree-lazy-* directives', async () => {
    const steps = [
      [...fill, ['DEL', 'set']],
      [
        ['GETDEL', 'x'],
        ['SET', 'hash', 'x'],
      ],
      [['RENAME', 'zset', 'list']],
      [['PEXPIRE', 'list', '0']],
      [...fill, ['SET', 'k', 'v'], ['FLUSHALL']],
      [...fill, ['FLUSHDB', 'SYNC']],
    ];
    const [ours, theirs] = await onBoth((port) => counts(port, steps), {
      'lazyfree-lazy-user-del': 'yes',
      'lazyfree-lazy-server-del': 'yes',
      'lazyfree-lazy-expire': 'yes',
      'lazyfree-lazy-user-flush': 'yes',
    });
    expect(ours).toEqual(theirs);
    expect(new Set(theirs.map((line) => line.split(' -> ')[1])).size).toBeGreaterThan(3);
  });
});

describe.skipIf(!hasRedisServer)('keys past their TTL in an RDB, as redis-server 7.0', () => {
  it('are saved, and a load counts them expired (rdb_last_load_keys_*)', async () => {
    const results = await onBoth(
      async (port) => {
        const client = await RawClient.connect(port);
        const out: string[] = [await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')];
        for (let i = 0; i < 5; i++) out.push(await client.call('SET', `gone${i}`, 'v', 'PX', '5'));
        out.push(
          await client.call('SET', 'kept', 'v'),
          await client.call('SET', 'later', 'v', 'EX', '100'),
        );
        await new Promise((resolve) => setTimeout(resolve, 30));
        out.push(await client.call('DEBUG', 'RELOAD'));
        const info = await client.call('INFO', 'persistence');
        out.push(...info.split('\r\n').filter((line) => line.startsWith('rdb_last_load_keys')));
        out.push(await client.call('DBSIZE'));
        client.close();
        return out;
      },
      { 'enable-debug-command': 'yes' },
    );
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toContain('rdb_last_load_keys_expired:5');
  });
});
