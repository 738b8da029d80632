import {
  ErrorReply,
  ReplyParser,
  RespDouble,
  RespWriter,
  SimpleString,
  VerbatimString,
  type RespValue,
} from '@byor/protocol';
import type { Client } from './client.js';
import type { Network } from './network.js';
import type { Clock, Server } from './server.js';
import { startServer, type RunningServer, type StartServerOptions } from './start.js';

/**
 * @byor/server/testing: a real Redis in your test process, over real TCP for every client, with
 * a clock you control and a back door to the data. Start one per test file (or per test): they
 * are isolated and start in milliseconds.
 *
 * @example
 * ```ts
 * import { createTestServer } from '@byor/server/testing';
 * import Redis from 'ioredis';
 *
 * await using redis = await createTestServer();
 * const client = new Redis(redis.url);
 * await client.set('session', 'abc', 'EX', 60);
 * redis.clock.fastForward(61_000);
 * expect(await client.get('session')).toBeNull();
 * ```
 */

/** A clock that follows real time from an offset, and can jump or stand still. */
export class TestClock implements Clock {
  #offset = 0;
  #frozenAt: number | undefined = undefined;
  /** called after every move, so timers that came due fire (blocked clients' timeouts) */
  onMove: () => void = () => {};

  /** The current time in ms. */
  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offset;
  }

  /** Moves time forward by `ms`: TTLs pass, blocking timeouts fire, EXPIREAT deadlines arrive. */
  fastForward(ms: number): void {
    if (this.#frozenAt !== undefined) this.#frozenAt += ms;
    else this.#offset += ms;
    this.onMove();
  }

  /** Sets the current time (a Date or epoch ms). Time keeps running from there unless frozen. */
  setTime(time: Date | number): void {
    const at = typeof time === 'number' ? time : time.getTime();
    if (this.#frozenAt !== undefined) this.#frozenAt = at;
    else this.#offset = at - Date.now();
    this.onMove();
  }

  /** Stops time at its current value (until `unfreeze`). */
  freeze(): void {
    this.#frozenAt = this.now();
  }

  /** Lets time run again from where it stood. */
  unfreeze(): void {
    if (this.#frozenAt === undefined) return;
    this.#offset = this.#frozenAt - Date.now();
    this.#frozenAt = undefined;
  }
}

/** A key's type, as TYPE names it. */
export type KeyType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** A value as plain data: strings, lists as arrays, hashes as records, sets as sorted arrays, sorted sets as [member, score] pairs. */
export type PlainValue = string | string[] | Record<string, string> | [string, number][];

/** One key in a listing or snapshot. */
export interface KeyInfo {
  key: string;
  type: KeyType;
  /** milliseconds left, or undefined for no TTL */
  ttl: number | undefined;
}

/** One entry of the command log. */
export interface LoggedCommand {
  clientId: number;
  clientName: string;
  db: number;
  /** the command name, lower-case */
  name: string;
  argv: string[];
  /** the test clock's time when it arrived */
  time: number;
}

/** Options of {@link createTestServer}. */
export interface TestServerOptions extends Omit<StartServerOptions, 'clock' | 'port'> {
  /** start the clock at this time (default: now) */
  startTime?: Date | number;
  /** a fixed port (default: a free one) */
  port?: number;
}

/** Which commands a fault applies to: a name (any case) or a test on the arguments. */
export type CommandMatcher = string | RegExp | ((argv: string[]) => boolean);

interface FaultRule {
  remaining: number;
  error: string;
  match: CommandMatcher | undefined;
}

function matches(matcher: CommandMatcher | undefined, argv: string[]): boolean {
  if (matcher === undefined) return true;
  const name = argv[0] ?? '';
  if (typeof matcher === 'string') return matcher.toLowerCase() === name.toLowerCase();
  if (matcher instanceof RegExp) return matcher.test(name);
  return matcher(argv);
}

function plain(value: RespValue): unknown {
  if (value instanceof ErrorReply) throw new Error(value.message);
  if (value instanceof SimpleString) return value.value;
  if (value instanceof RespDouble) return value.value;
  if (value instanceof VerbatimString) return value.text;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [plain(k), plain(v)]));
  if (value instanceof Set) return [...value].map(plain);
  return value;
}

/** A running test server: the URL for clients, the clock, the data back door, faults and a command log. */
export class TestServer implements AsyncDisposable {
  readonly running: RunningServer;
  readonly clock: TestClock;
  readonly #server: Server;
  readonly #network: Network;
  readonly #internal: Client;
  readonly #parser = new ReplyParser({ encoding: 'latin1', copyStrings: true });
  readonly #faults: FaultRule[] = [];
  readonly #log: LoggedCommand[] = [];
  #logging = true;

  /** @internal use {@link createTestServer} */
  constructor(running: RunningServer, clock: TestClock) {
    this.running = running;
    this.clock = clock;
    this.#server = running.server;
    const network = this.#server.network as Network | undefined;
    if (!network) throw new Error('the server is not listening');
    this.#network = network;
    clock.onMove = () => {
      this.#server.invalidateTime();
      network.loop.timers.runDue();
    };
    this.#internal = this.#server.createClient(undefined);
    this.#internal.w = new RespWriter(1024);
    this.#internal.resp = 3;
    this.#internal.w.protocol = 3;
    this.#server.hooks.beforeCommand.push((client, argv) => {
      if (this.#logging) {
        this.#log.push({
          clientId: client.id,
          clientName: client.name,
          db: client.db.index,
          name: (argv[0] ?? '').toLowerCase(),
          argv: [...argv],
          time: this.clock.now(),
        });
      }
      for (const rule of this.#faults) {
        if (rule.remaining > 0 && matches(rule.match, argv)) {
          rule.remaining--;
          return rule.error;
        }
      }
      return undefined;
    });
  }

  /** `redis://host:port`, for any client. */
  get url(): string {
    return this.running.url;
  }
  get port(): number {
    return this.running.port;
  }
  get host(): string {
    return this.running.host;
  }
  /** The server core (advanced use). */
  get server(): Server {
    return this.#server;
  }

  /**
   * Runs a command directly, without the protocol or a connection, and returns its reply as plain
   * data (errors throw). Not logged, never affected by injected faults.
   */
  call(argv: readonly (string | number)[], db = 0): unknown {
    const client = this.#internal;
    client.db = this.#server.db(db);
    client.w.reset();
    this.#server.execute(client, argv.map(String));
    this.#parser.push(Buffer.from(client.w.view()));
    const reply = this.#parser.next();
    client.w.reset();
    return plain(reply === undefined ? null : reply);
  }

  /** Reads a key as plain data, or undefined when it does not exist. */
  get(key: string, db = 0): PlainValue | undefined {
    const type = this.call(['TYPE', key], db) as string;
    switch (type) {
      case 'none':
        return undefined;
      case 'string':
        return this.call(['GET', key], db) as string;
      case 'list':
        return this.call(['LRANGE', key, 0, -1], db) as string[];
      case 'set':
        return (this.call(['SMEMBERS', key], db) as string[]).sort();
      case 'hash':
        return Object.fromEntries(this.call(['HGETALL', key], db) as Map<string, string>);
      case 'zset':
        return (this.call(['ZRANGE', key, 0, -1, 'WITHSCORES'], db) as [string, number][]).map(
          ([member, score]): [string, number] => [member, Number(score)],
        );
      default:
        return this.call(['XRANGE', key, '-', '+'], db) as string[];
    }
  }

  /**
   * Writes a key, replacing what was there: a string; an array (a list, or a set with
   * `type: 'set'`); a Set (a set); a record (a hash); [member, score] pairs or a Map of scores (a
   * sorted set). `ttl` in milliseconds.
   */
  set(
    key: string,
    value:
      | string
      | readonly string[]
      | ReadonlySet<string>
      | Readonly<Record<string, string>>
      | readonly (readonly [string, number])[]
      | ReadonlyMap<string, number>,
    options: { type?: 'list' | 'set'; ttl?: number; db?: number } = {},
  ): void {
    const db = options.db ?? 0;
    this.call(['DEL', key], db);
    if (typeof value === 'string') {
      this.call(['SET', key, value], db);
    } else if (value instanceof Map) {
      const args = [...(value as ReadonlyMap<string, number>)].flatMap(
        ([member, score]): (string | number)[] => [score, member],
      );
      if (args.length) this.call(['ZADD', key, ...args], db);
    } else if (value instanceof Set || (Array.isArray(value) && options.type === 'set')) {
      const members = [...(value as Iterable<string>)];
      if (members.length) this.call(['SADD', key, ...members], db);
    } else if (Array.isArray(value)) {
      if (value.length && Array.isArray(value[0])) {
        const args = (value as readonly (readonly [string, number])[]).flatMap(
          ([member, score]) => [score, member],
        );
        this.call(['ZADD', key, ...args], db);
      } else if (value.length) {
        this.call(['RPUSH', key, ...(value as readonly string[])], db);
      }
    } else {
      const fields = Object.entries(value as Record<string, string>).flat();
      if (fields.length) this.call(['HSET', key, ...fields], db);
    }
    if (options.ttl !== undefined) this.call(['PEXPIRE', key, options.ttl], db);
  }

  /** Deletes keys; returns how many existed. */
  delete(keys: string | readonly string[], db = 0): number {
    const list = typeof keys === 'string' ? [keys] : keys;
    return list.length ? (this.call(['DEL', ...list], db) as number) : 0;
  }

  /** Every key of a database with its type and TTL (expired keys are not listed). */
  keys(db = 0, pattern = '*'): KeyInfo[] {
    const out: KeyInfo[] = [];
    for (const key of (this.call(['KEYS', pattern], db) as string[]).sort()) {
      const type = this.call(['TYPE', key], db) as KeyType | 'none';
      if (type === 'none') continue;
      const ttl = this.call(['PTTL', key], db) as number;
      out.push({ key, type, ttl: ttl >= 0 ? ttl : undefined });
    }
    return out;
  }

  /** The whole dataset as plain data: database index -> key -> { type, value, ttl }. Empty databases are left out. */
  snapshot(): Record<number, Record<string, { type: KeyType; value: PlainValue; ttl?: number }>> {
    const out: Record<
      number,
      Record<string, { type: KeyType; value: PlainValue; ttl?: number }>
    > = {};
    for (const db of this.#server.databases) {
      if (db.size === 0) continue;
      const entries: Record<string, { type: KeyType; value: PlainValue; ttl?: number }> = {};
      for (const { key, type, ttl } of this.keys(db.index)) {
        const value = this.get(key, db.index);
        if (value === undefined) continue;
        entries[key] = ttl === undefined ? { type, value } : { type, value, ttl };
      }
      if (Object.keys(entries).length) out[db.index] = entries;
    }
    return out;
  }

  /** Empties every database. */
  flush(): void {
    this.call(['FLUSHALL']);
  }

  /**
   * Makes the next `count` commands (those `match` selects, or any) fail with `error`, a full
   * Redis error text ("ERR ...", "READONLY ...", "LOADING ...").
   */
  failNext(count: number, error = 'ERR injected failure', match?: CommandMatcher): void {
    this.#faults.push({ remaining: count, error, match });
  }

  /** Removes every pending injected failure. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Holds every reply back by `ms` milliseconds (0 turns it off). Replies keep their order. */
  delayReplies(ms: number): void {
    this.#network.replyDelayMs = ms;
  }

  /** Closes client connections (all, or the ones `select` picks); returns how many. */
  dropClients(select?: (client: { id: number; name: string }) => boolean): number {
    return this.#network.dropConnections(
      select ? (client) => select({ id: client.id, name: client.name }) : undefined,
    );
  }

  /** While on, new connections are closed as soon as they are accepted. */
  refuseConnections(on = true): void {
    this.#network.refuseConnections = on;
  }

  /** Commands received from clients so far, in order (the back door's calls are not logged). */
  get commands(): readonly LoggedCommand[] {
    return this.#log;
  }

  /** Forgets the logged commands. */
  clearCommands(): void {
    this.#log.length = 0;
  }

  /** Turns the command log on or off (on by default). */
  logCommands(on: boolean): void {
    this.#logging = on;
  }

  /** Resolves when `predicate` holds (checked every `interval` ms); rejects after `timeout` ms. */
  async waitFor(
    predicate: () => boolean | Promise<boolean>,
    options: { timeout?: number; interval?: number } = {},
  ): Promise<void> {
    const timeout = options.timeout ?? 5000;
    const interval = options.interval ?? 10;
    const deadline = Date.now() + timeout;
    for (;;) {
      if (await predicate()) return;
      if (Date.now() >= deadline)
        throw new Error(`waitFor: condition not met within ${timeout} ms`);
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /** Stops the server and closes every connection. */
  close(): Promise<void> {
    return this.running.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a server on a free loopback port with a test clock.
 *
 * @example
 * ```ts
 * const redis = await createTestServer();
 * redis.set('user:1', { name: 'Ada' });
 * // ... your code under test talks to redis.url ...
 * expect(redis.get('user:1')).toEqual({ name: 'Ada' });
 * await redis.close();
 * ```
 */
export async function createTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const clock = new TestClock();
  if (options.startTime !== undefined) clock.setTime(options.startTime);
  const { startTime: _startTime, ...rest } = options;
  const running = await startServer({ ...rest, port: options.port ?? 0, clock });
  return new TestServer(running, clock);
}

/**
 * Wires a test server into a test runner's hooks (vitest, jest, mocha, node:test): one server
 * for the file, flushed before each test. Returns a getter.
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, beforeEach } from 'vitest';
 * const redis = useTestServer({ beforeAll, afterAll, beforeEach });
 * it('caches', async () => { const client = new Redis(redis().url); ... });
 * ```
 */
export function useTestServer(
  hooks: {
    beforeAll: (fn: () => Promise<void>) => void;
    afterAll: (fn: () => Promise<void>) => void;
    beforeEach?: (fn: () => void) => void;
  },
  options: TestServerOptions = {},
): () => TestServer {
  let server: TestServer | undefined;
  hooks.beforeAll(async () => {
    server = await createTestServer(options);
  });
  hooks.beforeEach?.(() => {
    server?.flush();
    server?.clearFaults();
    server?.clearCommands();
  });
  hooks.afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the test server is not started yet (use it inside tests)');
    return server;
  };
}
