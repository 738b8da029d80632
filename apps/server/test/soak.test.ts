import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../src/testing.js';
import { redisAvailable } from './differential/harness.js';
import {
  MonitorTap,
  SoakChecker,
  fromLibrary,
  parseRaw,
  readState,
  type PlainState,
  type Reply,
} from './helpers/model.js';
import { RawClient } from './helpers/raw-client.js';
import { startRedisServer } from '@byor/test-oracle';

/**
 * Issue 9: a soak of mixed commands from many clients, checked against a model. 20 clients
 * (ioredis, node-redis and raw sockets in turn) each run a seeded random sequence of commands in
 * pipelined bursts over a small key space in two databases, so that they collide: strings, lists,
 * hashes, sets, sorted sets, streams, WATCH/MULTI/EXEC, DEL/RENAME/COPY/MOVE, and BLPOP/BLMOVE/
 * BZPOPMIN with short timeouts that other clients serve. A MONITOR connection records the
 * server's serial order; the log is replayed into a plain model (test/helpers/model.ts) that
 * must produce every reply of every client and the final contents of both databases.
 *
 * The same seed runs against redis-server when it is installed: the model must agree with it
 * too, which proves the model rather than only byor. SOAK_OPS (commands per client, default
 * 2000) and SOAK_SEED change the run; a failure prints the seed.
 */

const SEED = Number(process.env.SOAK_SEED ?? 20261125);
const OPS = Number(process.env.SOAK_OPS ?? 2000);
const CLIENTS = 20;
/**
 * How early byor may time a waiter out against MONITOR's clock: 5 ms for the clocks, as for
 * redis-server (both start a timeout when the blocking command runs).
 */
const BYOR_SLACK_MS = Number(process.env.SOAK_BYOR_SLACK_MS ?? 5);

interface Driver {
  /** the protocol the connection speaks (node-redis 6 says HELLO 3; half the raw sockets too) */
  readonly resp: 2 | 3;
  send(argv: readonly string[]): Promise<Reply>;
  close(): Promise<void>;
}

async function ioredisDriver(port: number, name: string, resp: 2 | 3): Promise<Driver> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    connectionName: name,
    lazyConnect: true,
    ...(resp === 2 ? { protocol: 2 } : { protocol: 3, replyMapping: 'resp3' }),
  });
  await client.connect();
  return {
    resp,
    send: (argv) =>
      client.call(argv[0] ?? '', ...argv.slice(1)).then(fromLibrary, (error: Error) => ({
        error: error.message,
      })),
    close: async () => {
      client.disconnect();
      await Promise.resolve();
    },
  };
}

async function nodeRedisDriver(port: number, name: string): Promise<Driver> {
  const client = createClient({ socket: { port, host: '127.0.0.1' }, name, RESP: 3 });
  client.on('error', () => {});
  await client.connect();
  return {
    resp: 3,
    send: (argv) =>
      client.sendCommand([...argv]).then(fromLibrary, (error: Error) => ({
        error: error.message,
      })),
    close: async () => {
      client.destroy();
      await Promise.resolve();
    },
  };
}

async function rawDriver(port: number, name: string, resp: 2 | 3): Promise<Driver> {
  const client = await RawClient.connect(port);
  await client.call('CLIENT', 'SETNAME', name);
  if (resp === 3) await client.call('HELLO', '3');
  return {
    resp,
    send: async (argv) => parseRaw(await client.call(...argv)),
    close: async () => {
      client.close();
      await Promise.resolve();
    },
  };
}

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = {
  s: ['s0', 's1', 's2'],
  l: ['l0', 'l1', 'l2'],
  h: ['h0', 'h1'],
  t: ['t0', 't1', 't2'],
  z: ['z0', 'z1', 'z2'],
  x: ['x0', 'x1'],
} as const;
const ALL_KEYS = Object.values(KEYS).flat();
const VALUES = ['a', 'b', 'c', '1', '2', '10', '-3', 'xy'];
const FIELDS = ['f0', 'f1', 'f2', 'f3'];
const MEMBERS = ['m0', 'm1', 'm2', 'm3', 'm4'];
const SIDES = ['LEFT', 'RIGHT'];
const TIMEOUTS = ['0.02', '0.1', '0.3'];

/** One client's command source: seeded, and it remembers the stream IDs it was given. */
class Generator {
  readonly #random: () => number;
  readonly #ids: string[] = [];
  #watching = false;

  constructor(seed: number) {
    this.#random = prng(seed);
  }

  #int(n: number): number {
    return Math.floor(this.#random() * n);
  }
  #pick<T>(items: readonly T[]): T {
    return items[this.#int(items.length)]!;
  }
  /** a key of the family, or now and then any key (wrong types, renames across types) */
  #key(family: keyof typeof KEYS): string {
    return this.#random() < 0.96 ? this.#pick(KEYS[family]) : this.#pick(ALL_KEYS);
  }
  #id(): string {
    return this.#ids.length ? this.#pick(this.#ids) : '1-1';
  }

  /** Learns from a reply (the IDs XADD returned). */
  observe(argv: readonly string[], reply: Reply): void {
    if (argv[0] === 'XADD' && typeof reply === 'string' && /^\d+-\d+$/.test(reply)) {
      this.#ids.push(reply);
      if (this.#ids.length > 20) this.#ids.shift();
    }
  }

  /** The next burst of commands, sent pipelined. */
  burst(): string[][] {
    const r = this.#random();
    if (this.#watching) {
      this.#watching = false;
      const commands = Array.from({ length: 1 + this.#int(4) }, () => this.#command(true));
      return [['MULTI'], ...commands, [this.#random() < 0.1 ? 'DISCARD' : 'EXEC']];
    }
    if (r < 0.05) {
      this.#watching = true;
      const keys = [this.#pick(ALL_KEYS), ...(this.#random() < 0.5 ? [this.#pick(ALL_KEYS)] : [])];
      return [
        ['WATCH', ...keys],
        ['TYPE', keys[0]!],
      ];
    }
    if (r < 0.1) {
      const commands = Array.from({ length: 1 + this.#int(4) }, () => this.#command(true));
      return [['MULTI'], ...commands, ['EXEC']];
    }
    return Array.from({ length: 1 + this.#int(8) }, () => this.#command(false));
  }

  #command(inMulti: boolean): string[] {
    const r = this.#int(100);
    const v = () => this.#pick(VALUES);
    if (r < 16) {
      const key = this.#key('s');
      switch (this.#int(9)) {
        case 0: {
          const options = this.#pick([[], ['EX', '1000'], ['NX'], ['XX'], ['GET'], ['KEEPTTL']]);
          return ['SET', key, v(), ...options];
        }
        case 1:
          return ['GET', key];
        case 2:
          return ['INCR', key];
        case 3:
          return ['APPEND', key, v()];
        case 4:
          return ['GETDEL', key];
        case 5:
          return ['SETRANGE', key, String(this.#int(6)), this.#pick(['', 'z', 'qq'])];
        case 6:
          return [
            'EXPIRE',
            key,
            String(1000 + this.#int(1000)),
            ...this.#pick([[], ['NX'], ['XX']]),
          ];
        case 7:
          return ['PERSIST', this.#pick(ALL_KEYS)];
        default:
          return ['SET', key, v()];
      }
    }
    if (r < 38) {
      const key = this.#key('l');
      switch (this.#int(9)) {
        case 0:
        case 1:
          return ['LPUSH', key, v(), ...(this.#random() < 0.3 ? [v()] : [])];
        case 2:
          return ['RPUSH', key, v()];
        case 3:
          return ['RPOP', key, ...(this.#random() < 0.4 ? [String(1 + this.#int(3))] : [])];
        case 4:
          return ['LMOVE', key, this.#key('l'), this.#pick(SIDES), this.#pick(SIDES)];
        case 5:
          return ['LTRIM', key, String(this.#int(3) - 1), String(this.#int(6) - 2)];
        case 6:
          return ['LREM', key, String(this.#int(5) - 2), v()];
        case 7:
          return ['LRANGE', key, '0', '-1'];
        default:
          return ['LLEN', key];
      }
    }
    if (r < 48) {
      const key = this.#key('h');
      switch (this.#int(5)) {
        case 0:
          return [
            'HSET',
            key,
            this.#pick(FIELDS),
            v(),
            ...(this.#random() < 0.3 ? ['f9', v()] : []),
          ];
        case 1:
          return ['HDEL', key, this.#pick(FIELDS)];
        case 2:
          return ['HINCRBY', key, this.#pick(FIELDS), String(this.#int(7) - 3)];
        case 3:
          return ['HGET', key, this.#pick(FIELDS)];
        default:
          return ['HLEN', key];
      }
    }
    if (r < 60) {
      const key = this.#key('t');
      switch (this.#int(6)) {
        case 0:
        case 1:
          return [
            'SADD',
            key,
            this.#pick(MEMBERS),
            ...(this.#random() < 0.4 ? [this.#pick(MEMBERS)] : []),
          ];
        case 2:
          return ['SREM', key, this.#pick(MEMBERS)];
        case 3:
          return ['SMOVE', key, this.#key('t'), this.#pick(MEMBERS)];
        case 4:
          return ['SINTERSTORE', this.#key('t'), key, this.#key('t')];
        default:
          return this.#random() < 0.5 ? ['SCARD', key] : ['SISMEMBER', key, this.#pick(MEMBERS)];
      }
    }
    if (r < 74) {
      const key = this.#key('z');
      const score = () => String(this.#int(11) - 5);
      switch (this.#int(7)) {
        case 0:
        case 1:
          return [
            'ZADD',
            key,
            score(),
            this.#pick(MEMBERS),
            ...(this.#random() < 0.3 ? [score(), this.#pick(MEMBERS)] : []),
          ];
        case 2:
          return ['ZINCRBY', key, this.#pick(['-2', '-1', '1', '3']), this.#pick(MEMBERS)];
        case 3:
          return ['ZREM', key, this.#pick(MEMBERS)];
        case 4:
          return ['ZPOPMIN', key, ...(this.#random() < 0.4 ? [String(1 + this.#int(3))] : [])];
        case 5:
          return [
            'ZRANGESTORE',
            this.#key('z'),
            key,
            String(this.#int(3) - 1),
            String(this.#int(5) - 2),
          ];
        default:
          return this.#random() < 0.5 ? ['ZCARD', key] : ['ZSCORE', key, this.#pick(MEMBERS)];
      }
    }
    if (r < 82) {
      const key = this.#key('x');
      switch (this.#int(6)) {
        case 0:
        case 1:
          return ['XADD', key, '*', 'f', v()];
        case 2: {
          const ms = this.#id().split('-')[0] ?? '1';
          return ['XADD', key, this.#pick([`${ms}-*`, this.#id(), '0-0', '0-*']), 'f', v()];
        }
        case 3:
          return ['XDEL', key, this.#id(), ...(this.#random() < 0.3 ? [this.#id()] : [])];
        case 4:
          return this.#random() < 0.5
            ? ['XTRIM', key, 'MAXLEN', String(this.#int(6))]
            : ['XTRIM', key, 'MINID', this.#id()];
        default:
          return ['XLEN', key];
      }
    }
    if (r < 94) {
      // mostly within one family, so that types mix now and then rather than everywhere
      const family = this.#pick(Object.keys(KEYS) as (keyof typeof KEYS)[]);
      const key = this.#key(family);
      switch (this.#int(8)) {
        case 0:
        case 1:
          return ['DEL', key, ...(this.#random() < 0.3 ? [this.#pick(ALL_KEYS)] : [])];
        case 2:
          return ['EXISTS', key, this.#pick(ALL_KEYS)];
        case 3:
          return ['RENAME', key, this.#key(family)];
        case 4: {
          const options = this.#pick([
            [],
            ['REPLACE'],
            ['DB', String(this.#int(2))],
            ['DB', String(this.#int(2)), 'REPLACE'],
          ]);
          return ['COPY', key, this.#key(family), ...options];
        }
        case 5:
          return ['MOVE', key, String(this.#int(2))];
        case 6:
          if (this.#random() < 0.03) return ['FLUSHDB'];
          return ['SELECT', this.#random() < 0.7 ? '0' : '1'];
        default:
          return ['TYPE', key];
      }
    }
    // blocking, served by other clients' pushes (or, inside MULTI, answered at once)
    const timeout = this.#pick(TIMEOUTS);
    switch (this.#int(3)) {
      case 0:
        return [
          'BLPOP',
          this.#key('l'),
          ...(this.#random() < 0.4 ? [this.#key('l')] : []),
          timeout,
        ];
      case 1:
        return [
          'BLMOVE',
          this.#key('l'),
          this.#key('l'),
          this.#pick(SIDES),
          this.#pick(SIDES),
          timeout,
        ];
      default:
        return inMulti || this.#random() < 0.5
          ? ['BZPOPMIN', this.#key('z'), timeout]
          : ['BZPOPMIN', this.#key('z'), this.#key('z'), timeout];
    }
  }
}

/** The model's replies are RESP2-shaped; a RESP3 connection gets doubles and score pairs. */
function toResp3(argv: readonly string[], reply: Reply, queued: readonly string[][]): Reply {
  if (!Array.isArray(reply) && typeof reply !== 'string') return reply;
  const score = (value: Reply) => (typeof value === 'string' ? Number(value) : value);
  switch (argv[0] ?? '') {
    case 'ZINCRBY':
    case 'ZSCORE':
      return score(reply);
    case 'BZPOPMIN':
      return Array.isArray(reply) ? [reply[0]!, reply[1]!, score(reply[2]!)] : reply;
    case 'ZPOPMIN': {
      if (!Array.isArray(reply)) return reply;
      const pairs: Reply[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i]!, score(reply[i + 1]!)]);
      return argv.length > 2 ? pairs : ((pairs[0] as Reply[] | undefined) ?? []);
    }
    case 'EXEC':
      return Array.isArray(reply)
        ? reply.map((inner, k) => toResp3(queued[k] ?? [], inner, []))
        : reply;
    default:
      return reply;
  }
}

interface SoakResult {
  commands: number;
  issues: string[];
  mismatches: string[];
  /** how MONITOR orders EXEC and its commands, and which db it shows on SELECT (see the report) */
  execOrder: string;
  selectDb: string;
  state: PlainState;
  modelState: PlainState;
  /** blocked clients served by another client's command */
  woken: number;
  /** EXECs that a WATCHed key made fail */
  aborted: number;
  /** the most a waiter timed out before its deadline on the MONITOR clock, in ms */
  early: number;
}

/** Runs the soak against a server on `port` and checks it against the model. */
async function soak(
  port: number,
  seed: number,
  clients: number,
  ops: number,
  slackMs: number,
): Promise<SoakResult> {
  const makers = [
    (p: number, name: string) => ioredisDriver(p, name, 2),
    nodeRedisDriver,
    (p: number, name: string) => rawDriver(p, name, 2),
    (p: number, name: string) => ioredisDriver(p, name, 3),
    nodeRedisDriver,
    (p: number, name: string) => rawDriver(p, name, 3),
  ];
  const drivers = await Promise.all(
    Array.from({ length: clients }, (_, i) => makers[i % makers.length]!(port, `soak-${i}`)),
  );
  const control = await RawClient.connect(port);
  let tap: MonitorTap | undefined;
  try {
    // who is who in MONITOR: its lines name the client's address
    const addresses = new Map<string, number>();
    const list = parseRaw(await control.call('CLIENT', 'LIST'));
    for (const line of (typeof list === 'string' ? list : '').split('\n')) {
      const name = /name=soak-(\d+)/.exec(line)?.[1];
      const addr = /addr=(\S+)/.exec(line)?.[1];
      if (name !== undefined && addr !== undefined) addresses.set(addr, Number(name));
    }
    if (addresses.size !== clients) throw new Error(`CLIENT LIST names ${addresses.size} clients`);
    tap = await MonitorTap.start(port);

    const sent: string[][][] = drivers.map(() => []);
    const actual: Reply[][] = drivers.map(() => []);
    await Promise.all(
      drivers.map(async (driver, i) => {
        const generator = new Generator(seed * 1000 + i);
        const mine = sent[i]!;
        const replies = actual[i]!;
        while (mine.length < ops) {
          const burst = generator.burst();
          mine.push(...burst);
          const got = await Promise.all(burst.map((argv) => driver.send(argv)));
          for (const [j, reply] of got.entries()) {
            replies.push(reply);
            generator.observe(burst[j]!, reply);
          }
        }
      }),
    );
    const end = ['ECHO', `soak-end-${seed}`];
    await control.call(...end);
    await tap.waitFor(end);

    const checker = new SoakChecker(sent, actual, slackMs);
    for (const line of tap.lines) {
      const index = addresses.get(line.addr);
      if (index === undefined) continue;
      if (!checker.line(index, line)) break;
    }
    checker.finish();
    if (process.env.SOAK_DEBUG && checker.issues.length) {
      const at = Number(/^line (\d+)/.exec(checker.issues[0] ?? '')?.[1] ?? 0);
      const known = tap.lines.filter((line) => addresses.has(line.addr));
      for (const line of known.slice(Math.max(0, at - 60), at))
        console.log(addresses.get(line.addr), line.db, line.argv.join(' '));
    }

    const mismatches: string[] = [];
    let aborted = 0;
    for (const [i, commands] of sent.entries()) {
      let multiAt = -1;
      for (const [j, argv] of commands.entries()) {
        if (argv[0] === 'MULTI') multiAt = j;
        let want = checker.expected[i]?.[j];
        if (want !== undefined && want !== 'QUEUED' && drivers[i]?.resp === 3)
          want = toResp3(argv, want, commands.slice(multiAt + 1, j));
        const got = actual[i]?.[j];
        if (JSON.stringify(want) !== JSON.stringify(got) && mismatches.length < 30)
          mismatches.push(
            `client ${i} #${j} ${argv.join(' ')}: model ${JSON.stringify(want)}, server ${JSON.stringify(got)}`,
          );
        if (argv[0] === 'EXEC' && got === null) aborted++;
      }
    }
    const state = await readState(port);
    return {
      commands: sent.reduce((sum, commands) => sum + commands.length, 0),
      issues: checker.issues,
      mismatches,
      execOrder: checker.execOrder,
      selectDb: checker.selectDb,
      state,
      modelState: checker.state(),
      woken: checker.woken,
      early: Math.max(0, ...checker.early),
      aborted,
    };
  } finally {
    tap?.close();
    control.close();
    await Promise.all(drivers.map((driver) => driver.close()));
  }
}

function expectAgreement(result: SoakResult, server: string): void {
  if (process.env.SOAK_DEBUG)
    console.log(server, { woken: result.woken, aborted: result.aborted, early: result.early });
  const context = `${server}, SOAK_SEED=${SEED} SOAK_OPS=${OPS}`;
  expect(result.commands, context).toBeGreaterThanOrEqual(CLIENTS * OPS);
  expect(result.issues, context).toEqual([]);
  expect(result.mismatches, context).toEqual([]);
  expect(result.state, context).toEqual(result.modelState);
  if (OPS >= 500) {
    // the run exercised what it is for: wake-ups across clients and failed WATCHes
    expect(result.woken, context).toBeGreaterThan(0);
    expect(result.aborted, context).toBeGreaterThan(0);
  }
}

/** The back door's snapshot in the model's shape (a stream's value: its entries only). */
function fromSnapshot(server: TestServer): PlainState {
  const out: PlainState = {};
  for (const [db, keys] of Object.entries(server.snapshot())) {
    for (const [key, { type, value, ttl }] of Object.entries(keys)) {
      let plain: unknown = value;
      if (type === 'hash')
        plain = Object.entries(value as Record<string, string>).sort((a, b) =>
          a[0] < b[0] ? -1 : 1,
        );
      if (type === 'zset')
        plain = (value as [string, number][]).map(([member, score]) => [member, String(score)]);
      out[`${db}:${key}`] = { type, ttl: ttl !== undefined, value: plain };
    }
  }
  return out;
}

function streamEntriesOnly(state: PlainState): PlainState {
  const out: PlainState = {};
  for (const [key, entry] of Object.entries(state))
    out[key] =
      entry.type === 'stream'
        ? { ...entry, value: (entry.value as { entries: unknown }).entries }
        : entry;
  return out;
}

describe(`soak: ${CLIENTS} clients x ${OPS} commands against a model (seed ${SEED})`, () => {
  it('byor-server agrees with the model, reply by reply and in its final state', async () => {
    const server = await createTestServer();
    server.logCommands(false);
    try {
      const result = await soak(server.port, SEED, CLIENTS, OPS, BYOR_SLACK_MS);
      expectAgreement(result, 'byor');
      // the testing back door sees the same final state
      expect(fromSnapshot(server), `SOAK_SEED=${SEED}`).toEqual(
        streamEntriesOnly(result.modelState),
      );
    } finally {
      await server.close();
    }
  });

  it.skipIf(!redisAvailable)('redis-server agrees with the same model', async () => {
    const redis = await startRedisServer();
    try {
      const result = await soak(redis.port, SEED, CLIENTS, OPS, 5);
      expectAgreement(result, 'redis-server');
    } finally {
      await redis.stop();
    }
  });
});

/** Hand-made logs: the checker must catch a wrong reply, a wrong wake-up and a wrong EXEC. */
describe('the soak checker catches disagreements', () => {
  type Log = readonly [client: number, time: number, ...argv: string[]][];
  function check(sent: string[][][], actual: Reply[][], log: Log) {
    const checker = new SoakChecker(sent, actual);
    for (const [client, time, ...argv] of log)
      checker.line(client, { time, db: 0, addr: '', argv });
    checker.finish();
    const wrong: string[] = [];
    for (const [i, replies] of actual.entries())
      for (const [j, reply] of replies.entries())
        if (JSON.stringify(checker.expected[i]?.[j]) !== JSON.stringify(reply))
          wrong.push(`${i}#${j}: ${JSON.stringify(checker.expected[i]?.[j])}`);
    return { issues: checker.issues.length, wrong, state: checker.state() };
  }

  it('accepts a consistent log and builds the final state', () => {
    const result = check(
      [
        [
          ['RPUSH', 'q', 'a', 'b'],
          ['SET', 's', '1', 'EX', '1000'],
        ],
        [['BLPOP', 'q', '0.1']],
      ],
      [[2, 'OK'], [['q', 'a']]],
      [
        [0, 0, 'RPUSH', 'q', 'a', 'b'],
        [1, 0, 'BLPOP', 'q', '0.1'],
        [0, 0, 'SET', 's', '1', 'EX', '1000'],
      ],
    );
    expect(result).toEqual({
      issues: 0,
      wrong: [],
      state: {
        '0:q': { type: 'list', ttl: false, value: ['b'] },
        '0:s': { type: 'string', ttl: true, value: '1' },
      },
    });
  });

  it('flags a wrong reply', () => {
    const result = check(
      [
        [
          ['RPUSH', 'q', 'a'],
          ['LLEN', 'q'],
        ],
      ],
      [[1, 2]],
      [
        [0, 0, 'RPUSH', 'q', 'a'],
        [0, 0, 'LLEN', 'q'],
      ],
    );
    expect(result.wrong).toEqual(['0#1: 1']);
  });

  it('flags a waiter passed over before its timeout ended (MONITOR timestamps)', () => {
    const sent = [[['BLPOP', 'q', '1']], [['BLPOP', 'q', '1']], [['RPUSH', 'q', 'a']]];
    const actual: Reply[][] = [[null], [['q', 'a']], [1]];
    // the push comes 1.5 s after the first waiter blocked: it had timed out, the second is served
    const late = check(sent, actual, [
      [0, 0, 'BLPOP', 'q', '1'],
      [1, 1, 'BLPOP', 'q', '1'],
      [2, 1500, 'RPUSH', 'q', 'a'],
    ]);
    expect(late).toMatchObject({ issues: 0, wrong: [] });
    // the push comes 2 ms after: the first waiter was still waiting and should have been served
    const early = check(sent, actual, [
      [0, 0, 'BLPOP', 'q', '1'],
      [1, 1, 'BLPOP', 'q', '1'],
      [2, 2, 'RPUSH', 'q', 'a'],
    ]);
    expect(early.issues).toBe(1);
  });

  it('flags a waiter the model serves but whose reply is empty at its next command', () => {
    const result = check(
      [[['BLPOP', 'q', '1'], ['PING']], [['RPUSH', 'q', 'a']]],
      [[['q', 'b'], 'PONG'], [1]],
      [
        [0, 0, 'BLPOP', 'q', '1'],
        [1, 1, 'RPUSH', 'q', 'a'],
        [0, 2, 'PING'],
      ],
    );
    expect(result.wrong).toEqual(['0#0: ["q","a"]']);
  });

  it('flags an EXEC that ran although a WATCHed key changed', () => {
    const result = check(
      [[['WATCH', 'k'], ['MULTI'], ['SET', 'k', '2'], ['EXEC']], [['SET', 'k', '1']]],
      [['OK', 'OK', 'QUEUED', ['OK']], ['OK']],
      [
        [0, 0, 'WATCH', 'k'],
        [1, 0, 'SET', 'k', '1'],
        [0, 0, 'MULTI'],
        [0, 0, 'SET', 'k', '2'],
        [0, 0, 'EXEC'],
      ],
    );
    expect(result.issues).toBeGreaterThan(0);
    expect(result.wrong).toEqual(['0#3: null']);
  });

  it('flags a MONITOR order that is not the order the client sent', () => {
    const result = check(
      [
        [
          ['SET', 'a', '1'],
          ['SET', 'b', '2'],
        ],
      ],
      [['OK', 'OK']],
      [
        [0, 0, 'SET', 'b', '2'],
        [0, 0, 'SET', 'a', '1'],
      ],
    );
    expect(result.issues).toBeGreaterThan(0);
  });
});
