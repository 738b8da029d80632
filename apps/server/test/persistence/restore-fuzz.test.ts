/**
 * RESTORE of damaged payloads whose checksum is right (bytes flipped, cut or inserted in the
 * body, then the CRC-64 recomputed, as a client that builds payloads itself could send): byor
 * must answer each with OK or an error reply and keep serving, and a value it accepted must be
 * readable, writable and dumped again to a payload that restores to the same value, with the
 * database's invariants intact. redis-server's answer is not the oracle here: without
 * sanitize-dump-payload it may accept a damaged listpack and crash later, which byor must not.
 *
 * BYOR_FUZZ_RUNS (default 300) sets the number of payloads and BYOR_FUZZ_SEED replays one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { dumpPayload, startByor, tempDir, withFileChecksum } from './helpers.js';

const RUNS = Number(process.env.BYOR_FUZZ_RUNS ?? 300);
const SEED = process.env.BYOR_FUZZ_SEED === undefined ? 0x5eed : Number(process.env.BYOR_FUZZ_SEED);

const many = (prefix: string, n: number, width = 1): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);

/** Values of every type and encoding, made by commands; their DUMP payloads are the seeds. */
const SEEDS: Record<string, string[][]> = {
  'string raw': [['SET', 'v', 'hello world']],
  'string int': [['SET', 'v', '12345']],
  'string long': [['SET', 'v', 'x'.repeat(300)]],
  'list listpack': [['RPUSH', 'v', 'a', '1', '-7', 'x'.repeat(70), '300000']],
  'list quicklist': [['RPUSH', 'v', ...many('e', 300, 3)]],
  'hash listpack': [['HSET', 'v', 'f', '1', 'g', 'two', 'h', '-3']],
  'hash hashtable': [['HSET', 'v', ...many('f', 200, 3).flatMap((f) => [f, `${f}v`])]],
  'set intset': [['SADD', 'v', '1', '2', '-3', '70000', '5000000000']],
  'set hashtable': [['SADD', 'v', 'a', 'b', 'c', '1']],
  'zset listpack': [['ZADD', 'v', '1', 'a', '2.5', 'b', '-inf', 'c']],
  'zset skiplist': [['ZADD', 'v', ...many('m', 200, 3).flatMap((m, i) => [String(i / 3), m])]],
  stream: [
    ['XADD', 'v', '1-1', 'f', 'a', 'g', '1'],
    ['XADD', 'v', '2-0', 'f', 'b'],
    ['XADD', 'v', '3-5', 'h', 'c', 'f', 'd'],
    ['XGROUP', 'CREATE', 'v', 'g1', '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', '2', 'STREAMS', 'v', '>'],
  ],
};

/** Commands that read a value of each type whole (of the key `v`), and one that writes it. */
const READS: Record<string, string[][]> = {
  string: [
    ['GET', 'v'],
    ['STRLEN', 'v'],
    ['GETRANGE', 'v', '0', '-1'],
  ],
  list: [
    ['LRANGE', 'v', '0', '-1'],
    ['LLEN', 'v'],
    ['LINDEX', 'v', '-1'],
    ['LPOS', 'v', 'a'],
  ],
  hash: [
    ['HGETALL', 'v'],
    ['HLEN', 'v'],
    ['HGET', 'v', 'f'],
    ['HRANDFIELD', 'v', '-5'],
  ],
  set: [
    ['SMEMBERS', 'v'],
    ['SCARD', 'v'],
    ['SISMEMBER', 'v', '1'],
    ['SRANDMEMBER', 'v', '-5'],
  ],
  zset: [
    ['ZRANGE', 'v', '0', '-1', 'WITHSCORES'],
    ['ZCARD', 'v'],
    ['ZSCORE', 'v', 'a'],
    ['ZRANK', 'v', 'b'],
  ],
  stream: [
    ['XRANGE', 'v', '-', '+'],
    ['XLEN', 'v'],
    ['XINFO', 'STREAM', 'v', 'FULL'],
    ['XINFO', 'GROUPS', 'v'],
  ],
};
const WRITES: Record<string, string[]> = {
  string: ['APPEND', 'v', 'z'],
  list: ['LPUSH', 'v', 'new'],
  hash: ['HSET', 'v', 'new', 'x'],
  set: ['SADD', 'v', 'new'],
  zset: ['ZADD', 'v', '7', 'new'],
  stream: ['XADD', 'v', '*', 'new', 'x'],
};

/** A bulk reply's bytes. */
function bulkBytes(reply: string): Buffer {
  const start = reply.indexOf('\r\n') + 2;
  return Buffer.from(reply.slice(start, reply.length - 2), 'latin1');
}

/** A change to a payload's body: a byte set, a range cut, bytes inserted. */
const damage = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('cut' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
);
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function damaged(body: Buffer, changes: readonly Damage[]): Buffer {
  let bytes = Buffer.from(body);
  for (const change of changes) {
    if (bytes.length === 0) break;
    const at = change.at % bytes.length;
    if (change.kind === 'set') bytes[at] = change.byte;
    else if (change.kind === 'cut')
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
  }
  return bytes;
}

describe('RESTORE of damaged payloads with a right checksum', () => {
  let server: RunningServer;
  let client: RawClient;
  const bodies = new Map<string, Buffer>();
  beforeAll(async () => {
    server = await startServer({ port: 0, config: { save: '', 'enable-debug-command': 'yes' } });
    client = await RawClient.connect(server.port);
    for (const [name, commands] of Object.entries(SEEDS)) {
      await client.call('DEL', 'v');
      for (const command of commands) await client.call(...command);
      const payload = bulkBytes(await client.call('DUMP', 'v'));
      bodies.set(name, payload.subarray(0, payload.length - 10));
    }
    await client.call('DEL', 'v');
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('the seeds restore as they are (the harness is right)', async () => {
    for (const [name, body] of bodies) {
      expect(await client.call('RESTORE', 'v', '0', dumpPayload(body), 'REPLACE'), name).toBe(
        '+OK\r\n',
      );
    }
  });

  it('a stream whose entries pass its last ID is refused, which redis-server 7.0 takes', async () => {
    // the first node's key (its master ID) is at bytes 3-18: a high byte set moves every entry
    // to 2^56 ms and beyond, past the last ID 3-5; XADD * would then append below them
    const body = Buffer.from(bodies.get('stream')!);
    body[3] = 1;
    await client.call('DEL', 'v');
    expect(await client.call('RESTORE', 'v', '0', dumpPayload(body))).toBe(
      '-ERR Bad data format\r\n',
    );
    expect(await client.call('EXISTS', 'v')).toBe(':0\r\n');
  });

  it(`${RUNS} damaged payloads: OK or an error, never a broken value`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(SEEDS)),
        fc.array(damage, { minLength: 1, maxLength: 4 }),
        async (seed, changes) => {
          const payload = dumpPayload(damaged(bodies.get(seed)!, changes));
          await client.call('DEL', 'v');
          const reply = await client.call('RESTORE', 'v', '0', payload);
          if (reply !== '+OK\r\n') {
            // refused with an error, and nothing half-made left behind
            expect(reply).toMatch(/^-ERR /);
            expect(await client.call('EXISTS', 'v')).toBe(':0\r\n');
            return;
          }
          const type = (await client.call('TYPE', 'v')).slice(1, -2);
          for (const command of [
            ...(READS[type] ?? []),
            ['OBJECT', 'ENCODING', 'v'],
            ['DEBUG', 'OBJECT', 'v'],
            ['MEMORY', 'USAGE', 'v'],
          ]) {
            const answer = await client.call(...command);
            expect(answer.startsWith('-'), `${command.join(' ')}: ${answer}`).toBe(false);
          }
          // a write may be refused (a stream whose last ID became the largest), not break it
          await client.call(...(WRITES[type] ?? ['PING']));
          server.server.databases[0]!.checkInvariants();
          // dumped again, it restores to a value that dumps the same
          const again = bulkBytes(await client.call('DUMP', 'v'));
          expect(await client.call('RESTORE', 'copy', '0', again, 'REPLACE')).toBe('+OK\r\n');
          expect(bulkBytes(await client.call('DUMP', 'copy')).equals(again)).toBe(true);
          expect(await client.call('PING')).toBe('+PONG\r\n');
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);
});

/** READS and WRITES of the key `v` for another key. */
const forKey = (command: readonly string[], key: string) =>
  command.map((a) => (a === 'v' ? key : a));

/**
 * An RDB file made by SAVE of every seed value (one with a TTL, one in db 1), damaged the same
 * ways with its CRC-64 recomputed, and loaded by DEBUG RELOAD NOSAVE: byor must answer OK or
 * the load error and keep serving with its databases' invariants intact (redis-server exits on a
 * file it cannot load); a file it loaded must save and load again to the same keys.
 */
describe('DEBUG RELOAD of damaged RDB files with a right checksum', () => {
  let running: RunningServer;
  let client: RawClient;
  const dir = tempDir('byor-rdb-fuzz-');
  let file: Buffer;
  const path = join(dir.path, 'dump.rdb');
  beforeAll(async () => {
    running = await startByor({
      config: { dir: dir.path, dbfilename: 'dump.rdb', save: '', 'enable-debug-command': 'yes' },
    });
    client = await RawClient.connect(running.port);
    for (const [name, commands] of Object.entries(SEEDS)) {
      const key = name.replace(' ', '-');
      for (const command of commands) await client.call(...forKey(command, key));
    }
    await client.call('PEXPIRE', 'string-raw', '100000000');
    await client.call('SELECT', '1');
    await client.call('SET', 'other', 'db');
    await client.call('SELECT', '0');
    expect(await client.call('SAVE')).toBe('+OK\r\n');
    file = readFileSync(path);
  });
  afterAll(async () => {
    client.close();
    await running.close();
    dir.remove();
  });

  it(`${Math.ceil(RUNS / 3)} damaged files: loaded whole or refused, never a broken server`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (changes) => {
        // the damage goes anywhere but the final checksum, which is then made right
        writeFileSync(path, withFileChecksum(damaged(file.subarray(0, file.length - 8), changes)));
        const reply = await client.call('DEBUG', 'RELOAD', 'NOSAVE');
        expect(reply).toMatch(/^(\+OK|-ERR Error trying to load the RDB dump)/);
        for (const db of running.server.databases) db.checkInvariants();
        expect(await client.call('PING')).toBe('+PONG\r\n');
        if (reply !== '+OK\r\n') return;
        const keys = (await client.call('KEYS', '*'))
          .split('\r\n')
          .filter((_, i) => i % 2 === 0 && i > 0);
        for (const key of keys) {
          const type = (await client.call('TYPE', key)).slice(1, -2);
          for (const command of READS[type] ?? []) {
            const answer = await client.call(...forKey(command, key));
            expect(answer.startsWith('-'), `${command.join(' ')}: ${answer}`).toBe(false);
          }
        }
        const size = await client.call('DBSIZE');
        expect(await client.call('SAVE')).toBe('+OK\r\n');
        expect(await client.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('+OK\r\n');
        expect(await client.call('DBSIZE')).toBe(size);
      }),
      { numRuns: Math.ceil(RUNS / 3), seed: SEED },
    );
  }, 300_000);
});
