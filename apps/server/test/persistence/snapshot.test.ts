import fc from 'fast-check';
import { RespWriter } from '@byor/protocol';
import { describe, expect, it } from 'vitest';
import { allCommands } from '../../src/commands/index.js';
import { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/logger.js';
import { DEFAULT_VALUE_LIMITS } from '../../src/persistence/rdb-decoder.js';
import { readRdb } from '../../src/persistence/rdb-reader.js';
import { Snapshot } from '../../src/persistence/snapshot.js';
import { AofSnapshotFormat, RdbSnapshotFormat } from '../../src/persistence/snapshot-formats.js';
import { ByteWriter } from '../../src/persistence/byte-writer.js';
import { readAofCommands } from '../../src/persistence/aof-reader.js';
import { Server } from '../../src/server.js';
import { withFileChecksum } from './helpers.js';
import { plainOf, type Plain } from './values.js';

/**
 * Model test of the point-in-time snapshot: a keyspace is written while the snapshot walks it a
 * few keys at a time; what the snapshot wrote must be exactly the keyspace at the moment it began.
 */

const KEYS = Array.from({ length: 40 }, (_, i) => `k${i}`);
const DBS = 3;

type Entry = { plain: Plain; expireAt: number | undefined };
type Model = Map<string, Entry>[];

function newServer(): { server: Server; run: (db: number, argv: string[]) => void } {
  const server = new Server(
    new Config(),
    silentLogger(),
    { now: () => 1_700_000_000_000 },
    allCommands,
  );
  const client = server.createClient(undefined);
  client.w = new RespWriter(256);
  return {
    server,
    run: (db, argv) => {
      client.db = server.db(db);
      server.execute(client, argv);
      client.w.reset();
    },
  };
}

function modelOf(server: Server): Model {
  return server.databases.slice(0, DBS).map((db) => {
    const map = new Map<string, Entry>();
    for (const [key, value] of db.entries())
      map.set(key, { plain: plainOf(value), expireAt: db.getExpire(key) });
    return map;
  });
}

const key = fc.constantFrom(...KEYS);
const member = fc.oneof(
  fc.integer({ min: 0, max: 30 }).map(String),
  fc.constantFrom('a', 'b', 'c', 'x'.repeat(70)),
);
const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, member).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, member).map(([k, v]) => ['APPEND', k, v]),
  key.map((k) => ['DEL', k]),
  fc
    .tuple(key, fc.array(member, { minLength: 1, maxLength: 4 }))
    .map(([k, vs]) => ['RPUSH', k, ...vs]),
  key.map((k) => ['LPOP', k]),
  fc.tuple(key, member, member).map(([k, f, v]) => ['HSET', k, f, v]),
  fc.tuple(key, member).map(([k, m]) => ['SADD', k, m]),
  fc.tuple(key, member).map(([k, m]) => ['SREM', k, m]),
  fc
    .tuple(key, fc.integer({ min: -5, max: 5 }), member)
    .map(([k, s, m]) => ['ZADD', k, String(s), m]),
  fc.tuple(key, fc.integer({ min: 1000, max: 100000 })).map(([k, t]) => ['PEXPIRE', k, String(t)]),
  key.map((k) => ['PERSIST', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
  fc
    .tuple(key, key, fc.integer({ min: 0, max: DBS - 1 }))
    .map(([a, _b, db]) => ['MOVE', a, String(db)]),
);
const step = fc.record({
  db: fc.integer({ min: 0, max: DBS - 1 }),
  command,
  /** snapshot keys to walk before this command */
  walk: fc.integer({ min: 0, max: 3 }),
});

/** The copy-before-write the persistence hook does: every argument, in every db for MOVE/COPY. */
function preserveArgs(snapshot: Snapshot, server: Server, db: number, argv: string[]): void {
  const all = argv[0] === 'MOVE' || argv[0] === 'COPY';
  for (const target of all ? server.databases : [server.db(db)])
    for (const arg of argv.slice(1)) snapshot.preserve(target, arg);
}

function readSnapshot(bytes: Buffer): Model {
  const model: Model = Array.from({ length: DBS }, () => new Map());
  readRdb(
    bytes,
    {
      aux: () => {},
      key: (db, key, value, expireAt) => {
        expect(model[db]?.has(key), `${key} written twice`).toBe(false);
        model[db]?.set(key, { plain: plainOf(value), expireAt });
      },
    },
    { limits: DEFAULT_VALUE_LIMITS },
  );
  return model;
}

function rdbSnapshot(server: Server): { snapshot: Snapshot; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const format = new RdbSnapshotFormat(
    { compression: true },
    { redisVersion: '7.0.15', createdAt: 0, usedMemory: 0, aofBase: false, functions: [] },
  );
  const snapshot = new Snapshot(server.databases, format, (chunk) => chunks.push(chunk), {
    chunkBytes: 64,
  });
  return {
    snapshot,
    bytes: () => {
      return withFileChecksum(Buffer.concat(chunks));
    },
  };
}

describe('Snapshot (point in time without fork)', () => {
  it('writes the keyspace as it was when it began, whatever runs meanwhile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: DBS - 1 }), command), { maxLength: 80 }),
        fc.array(step, { maxLength: 120 }),
        (setup, steps) => {
          const { server, run } = newServer();
          for (const [db, argv] of setup) run(db, argv);
          const before = modelOf(server);
          const { snapshot, bytes } = rdbSnapshot(server);
          snapshot.begin();
          for (const { db, command: argv, walk } of steps) {
            for (let i = 0; i < walk; i++) snapshot.step(-Infinity);
            preserveArgs(snapshot, server, db, argv);
            run(db, argv);
          }
          snapshot.finish();
          expect(readSnapshot(bytes())).toEqual(before);
          expect(snapshot.keysWritten).toBe(before.reduce((sum, map) => sum + map.size, 0));
          expect(snapshot.fuzzyKeys).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never loses or duplicates a key when changes come unannounced (keyChanged)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: DBS - 1 }), command), { maxLength: 60 }),
        fc.array(fc.tuple(step, fc.boolean()), { maxLength: 100 }),
        (setup, steps) => {
          const { server, run } = newServer();
          for (const [db, argv] of setup) run(db, argv);
          const before = modelOf(server);
          const { snapshot, bytes } = rdbSnapshot(server);
          const touched = new Set<string>();
          server.hooks.keyModified.push((db, key) => snapshot.keyChanged(db, key));
          snapshot.begin();
          for (const [{ db, command: argv, walk }, announced] of steps) {
            for (let i = 0; i < walk; i++) snapshot.step(-Infinity);
            if (announced) preserveArgs(snapshot, server, db, argv);
            else
              for (const arg of argv.slice(1))
                for (let d = 0; d < DBS; d++) touched.add(`${d}:${arg}`);
            run(db, argv);
          }
          snapshot.finish();
          const after = readSnapshot(bytes());
          // keys nobody touched without notice are exactly as at the start
          for (let d = 0; d < DBS; d++) {
            for (const [name, entry] of before[d] ?? []) {
              if (!touched.has(`${d}:${name}`)) expect(after[d]?.get(name)).toEqual(entry);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('writes AOF commands that rebuild the same keyspace', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: DBS - 1 }), command), { maxLength: 80 }),
        (setup) => {
          const { server, run } = newServer();
          for (const [db, argv] of setup) run(db, argv);
          const chunks: Buffer[] = [];
          const snapshot = new Snapshot(
            server.databases,
            new AofSnapshotFormat(new ByteWriter(64)),
            (chunk) => chunks.push(chunk),
          );
          snapshot.finish();
          const replayed = newServer();
          let db = 0;
          const bytes = Buffer.concat(chunks);
          readAofCommands(bytes, 0, bytes.length, {
            execute: (argv) => {
              if (argv[0] === 'SELECT') db = Number(argv[1]);
              else replayed.run(db, argv);
            },
            inMulti: () => false,
            discardMulti: () => {},
          });
          expect(modelOf(replayed.server)).toEqual(modelOf(server));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('walks in slices: step() returns at the deadline and resumes', () => {
    const { server, run } = newServer();
    for (let i = 0; i < 1000; i++) run(0, ['SET', `key:${i}`, String(i)]);
    const { snapshot, bytes } = rdbSnapshot(server);
    let steps = 0;
    while (!snapshot.step(-Infinity)) steps++;
    expect(steps).toBeGreaterThan(10);
    expect(readSnapshot(bytes())[0]?.size).toBe(1000);
  });
});
