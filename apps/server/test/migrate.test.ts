import { createServer, type Server as NetServer } from 'node:net';
import {
  freePort,
  hasRedisServer,
  startRedisServer,
  type RedisServerProcess,
} from '@byor/test-oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * MIGRATE from byor and from redis-server, to byor and to redis-server: the same sequence gives
 * the same replies on the source and the same data on the target, byte for byte, in all four
 * directions (redis-server to redis-server is the reference).
 */
describe.skipIf(!hasRedisServer)('MIGRATE', () => {
  const redis: RedisServerProcess[] = [];
  const byor: RunningServer[] = [];
  let silent: NetServer;
  let silentPort: number;

  beforeAll(async () => {
    redis.push(await startRedisServer(), await startRedisServer());
    byor.push(await startServer({ port: 0 }), await startServer({ port: 0 }));
    // a target that accepts and never answers
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  }, 30_000);

  afterAll(async () => {
    for (const server of byor) await server.close();
    for (const server of redis) await server.stop();
    silent?.close();
  });

  /** The replies of the source and the target's data after the sequence. */
  async function transcript(source: number, target: number): Promise<string[]> {
    const from = await RawClient.connect(source);
    const to = await RawClient.connect(target);
    const closed = await freePort();
    const out: string[] = [];
    const host = '127.0.0.1';
    const t = String(target);
    try {
      await from.call('FLUSHALL');
      await to.call('FLUSHALL');
      await from.call('SET', 'a', '1');
      await from.call('RPUSH', 'l', 'x', 'y');
      await from.call('SET', 't', 'v', 'PX', '100000');
      await from.call('HSET', 'h', 'f', 'v');
      for (const key of ['b', 'c', 'd', 'e']) await from.call('SET', key, key);
      await to.call('SELECT', '3');
      await to.call('SET', 'b', 'theirs');
      const commands: string[][] = [
        ['MIGRATE', host, t, 'a', '0', '1000'],
        ['MIGRATE', host, t, 'nokey', '0', '1000'],
        ['MIGRATE', host, t, '', '3', '1000', 'KEYS', 'l', 't', 'missing', 'h'],
        ['EXISTS', 'a', 'l', 't', 'h'],
        // b exists on the target: c goes, b stays
        ['MIGRATE', host, t, '', '3', '1000', 'KEYS', 'c', 'b'],
        ['EXISTS', 'c', 'b'],
        ['MIGRATE', host, t, 'b', '3', '1000', 'COPY', 'REPLACE'],
        ['EXISTS', 'b'],
        // the target has no password: AUTH's error comes first
        ['MIGRATE', host, t, 'd', '0', '1000', 'AUTH', 'pw'],
        ['MIGRATE', host, t, 'd', '0', '1000', 'AUTH2', 'user', 'pw'],
        ['EXISTS', 'd'],
        ['MIGRATE', host, String(closed), 'd', '0', '1000'],
        ['MIGRATE', host, String(silentPort), 'e', '0', '200'],
        // the port as atoi() reads it: a negative one fails to connect, 0 is refused
        ['MIGRATE', host, '-1', 'e', '0', '200'],
        ['MIGRATE', host, 'abc', 'e', '0', '200'],
        ['EXISTS', 'd', 'e'],
        ['MIGRATE', host, t, 'a', '0', '1000', 'KEYS', 'a'],
        ['MIGRATE', host, t, 'e', 'x', '1000'],
        ['MIGRATE', host, t, 'e', '0', '1.5'],
        ['MIGRATE', host, t, 'e', '0', '1000', 'BAD'],
        ['MIGRATE', host, t, 'e', '0', '1000', 'AUTH'],
        ['MIGRATE', host, t, 'e', '0'],
        ['MIGRATE', host, t, 'e', '-1', '1000'],
      ];
      const names = new Map([
        [t, 'TARGET'],
        [String(closed), 'CLOSED'],
        [String(silentPort), 'SILENT'],
      ]);
      for (const command of commands) {
        const shown = command.map((arg) => names.get(arg) ?? arg).join(' ');
        out.push(`${shown} -> ${await from.call(...command)}`);
      }
      // the target closes the cached connection: the next MIGRATE connects again, unseen
      await to.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await from.call('SET', 'f', 'f');
      out.push(`after a kill -> ${await from.call('MIGRATE', host, t, 'f', '0', '1000')}`);
      out.push(`DBSIZE -> ${await from.call('DBSIZE')}`);
      // the target: database 0 and 3, the TTL kept (to the second)
      for (const db of ['0', '3']) {
        await to.call('SELECT', db);
        out.push(`target ${db}: ${await to.call('DBSIZE')}`);
        for (const key of ['a', 'l', 't', 'h', 'b', 'c', 'd', 'e', 'f']) {
          const type = await to.call('TYPE', key);
          out.push(`${db} ${key} ${type} ${await to.call('DUMP', key)}`);
        }
        const ttl = Number(/:(\d+)/.exec(await to.call('PTTL', 't'))?.[1] ?? -1);
        out.push(`${db} t ttl ${ttl > 90_000 ? 'kept' : ttl}`);
      }
    } finally {
      from.close();
      to.close();
    }
    return out;
  }

  /**
   * The target's side of a MIGRATE: its connection is a client there (CLIENT LIST, INFO,
   * CLIENT KILL), whose commands the target's ACLs check and log.
   */
  async function targetSide(source: number, target: number): Promise<string[]> {
    const from = await RawClient.connect(source);
    const to = await RawClient.connect(target);
    const out: string[] = [];
    const t = String(target);
    const migrate = (key: string, user: string) =>
      from.call('MIGRATE', '127.0.0.1', t, key, '0', '1000', 'AUTH2', user, 'pw');
    // the line of the client that is not `to`, with the fields that do not change between runs
    const migrateClient = async () => {
      const list = await to.call('CLIENT', 'LIST', 'TYPE', 'normal');
      const lines = list
        .split('\n')
        .filter((line) => line.includes('id=') && !line.includes('cmd=client|list'));
      return lines
        .map((line) => /db=\d+|cmd=\S+|user=\S+/g[Symbol.match](line)?.join(' '))
        .join(' | ');
    };
    const connected = async () =>
      /connected_clients:(\d+)/.exec(await to.call('INFO', 'clients'))?.[1];
    try {
      await from.call('FLUSHALL');
      await to.call('FLUSHALL');
      await to.call('ACL', 'LOG', 'RESET');
      await to.call('ACL', 'SETUSER', 'mover', 'on', '>pw', '~*', '+@all', '-restore');
      await to.call('ACL', 'SETUSER', 'writer', 'on', '>pw', '~k*', '+@all');
      await from.call('SET', 'k1', 'v');
      await from.call('SET', 'other', 'v');
      out.push(`before: ${await connected()}`);
      out.push(`as mover -> ${await migrate('k1', 'mover')}`);
      out.push(`source EXISTS -> ${await from.call('EXISTS', 'k1')}`);
      out.push(`connected: ${await connected()}; ${await migrateClient()}`);
      const log = await to.call('ACL', 'LOG');
      out.push(
        `ACL LOG: ${/reason\r\n\$\d+\r\n\w+[\s\S]*?username\r\n\$\d+\r\n\w+/.exec(log)?.[0] ?? log}`,
      );
      out.push(`as writer, a key it may not write -> ${await migrate('other', 'writer')}`);
      out.push(`as writer -> ${await migrate('k1', 'writer')}`);
      out.push(`connected: ${await connected()}; ${await migrateClient()}`);
      out.push(`target GET -> ${await to.call('GET', 'k1')}`);
      out.push(`kill -> ${await to.call('CLIENT', 'KILL', 'USER', 'writer')}`);
      out.push(`connected: ${await connected()}`);
    } finally {
      await to.call('ACL', 'DELUSER', 'mover', 'writer');
      from.close();
      to.close();
    }
    return out;
  }

  it('is a client of its target, checked by its ACLs, as redis-server', async () => {
    const expected = await targetSide(redis[0]!.port, redis[1]!.port);
    expect(expected.join('\n')).toContain('NOPERM');
    for (const [source, target] of [
      [byor[0]!.port, byor[1]!.port],
      [byor[0]!.port, redis[1]!.port],
      [redis[0]!.port, byor[1]!.port],
    ] as const) {
      expect(await targetSide(source, target)).toEqual(expected);
    }
  }, 60_000);

  it('moves keys as redis-server does, in all four directions', async () => {
    const expected = await transcript(redis[0]!.port, redis[1]!.port);
    // a refused connection shows when writing, as redis-server's non-blocking connect finds out
    expect(expected.join('\n')).toContain('-IOERR error or timeout writing to target instance');
    expect(expected.join('\n')).toContain('-IOERR error or timeout reading to target instance');
    for (const [source, target] of [
      [byor[0]!.port, byor[1]!.port],
      [byor[0]!.port, redis[1]!.port],
      [redis[0]!.port, byor[1]!.port],
    ] as const) {
      expect(await transcript(source, target)).toEqual(expected);
    }
  }, 60_000);
});

describe('MIGRATE to a byor of this process that moved its port', () => {
  it('finds it at its new port (CONFIG SET port), not at the old one', async () => {
    const source = await startServer({ port: 0 });
    const target = await startServer({ port: 0 });
    const from = await RawClient.connect(source.port);
    const to = await RawClient.connect(target.port);
    try {
      const moved = await freePort();
      const old = String(target.port);
      expect(await to.call('CONFIG', 'SET', 'port', String(moved))).toBe('+OK\r\n');
      await from.call('SET', 'k', 'v');
      // its own event loop is the target's: a socket would wait for itself until the timeout
      expect(await from.call('MIGRATE', '127.0.0.1', String(moved), 'k', '0', '1000')).toBe(
        '+OK\r\n',
      );
      expect(await to.call('GET', 'k')).toBe('$1\r\nv\r\n');
      await from.call('SET', 'k2', 'v');
      expect(await from.call('MIGRATE', '127.0.0.1', old, 'k2', '0', '200')).toMatch(/^-IOERR/);
    } finally {
      from.close();
      to.close();
      await source.close();
      await target.close();
    }
  });
});
