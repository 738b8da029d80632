import { startServer, type Logger, type RunningServer } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { ReplicationStream, streamDifference } from '../helpers/replication-stream.js';
import { redisServerBinary, startRedisServer, type RedisServerProcess } from '@byor/test-oracle';

/**
 * The differential runner: the same commands go to byor and to Debian's redis-server, and the
 * reply bytes must be identical. A case is a list of commands run in order on a fresh connection
 * after FLUSHALL; `resp: 3` starts the connection with HELLO 3.
 */
export interface DiffCase {
  readonly name: string;
  readonly commands: readonly (readonly string[])[];
  readonly resp?: 2 | 3;
  /** replies compared as unordered sets of lines (SCAN, KEYS, SMEMBERS...) */
  readonly unordered?: readonly number[];
  /** replies compared as unordered sets of (name, value) pairs (CONFIG GET with a pattern) */
  readonly unorderedPairs?: readonly number[];
}

export interface Mismatch {
  readonly name: string;
  readonly command: string;
  readonly byor: string;
  readonly redis: string;
}

export interface Pair {
  readonly byor: RunningServer;
  readonly redis: RedisServerProcess;
  stop(): Promise<void>;
}

export const redisAvailable = redisServerBinary() !== undefined;

export async function startPair(
  config: Record<string, string> = {},
  logger?: Logger,
): Promise<Pair> {
  const byor = await startServer({ port: 0, config, ...(logger ? { logger } : {}) });
  const redis = await startRedisServer(Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]));
  return {
    byor,
    redis,
    stop: async () => {
      await byor.close();
      await redis.stop();
    },
  };
}

/** A pair of servers and one raw connection to each. */
export interface ConnectedPair {
  readonly pair: Pair;
  readonly byor: RawClient;
  readonly redis: RawClient;
  stop(): Promise<void>;
}

/** {@link startPair}, then one {@link RawClient} connected to each server. */
export async function startConnectedPair(
  config: Record<string, string> = {},
): Promise<ConnectedPair> {
  const pair = await startPair(config);
  const byor = await RawClient.connect(pair.byor.port);
  const redis = await RawClient.connect(pair.redis.port);
  return {
    pair,
    byor,
    redis,
    stop: async () => {
      byor.close();
      redis.close();
      await pair.stop();
    },
  };
}

/**
 * A replica's link to each server of a pair (what each propagates) and a connection to each that
 * ends a case's part of the streams: a PUBLISH, which both propagate.
 */
export interface Streams {
  readonly links: readonly [ReplicationStream, ReplicationStream];
  readonly markers: readonly [RawClient, RawClient];
  /** the number of the last case's marker */
  count: number;
  close(): Promise<void>;
}

/**
 * Attaches a replica's link to each server of `pair`, once each has sent its RDB (a FLUSHALL
 * would stop redis-server's BGSAVE for it); `close` waits until both servers dropped them.
 */
export async function openStreams(pair: Pair): Promise<Streams> {
  const links = [
    await ReplicationStream.open(pair.byor.port),
    await ReplicationStream.open(pair.redis.port),
  ] as const;
  await Promise.all(links.map((link) => link.synced()));
  const markers = [
    await RawClient.connect(pair.byor.port),
    await RawClient.connect(pair.redis.port),
  ] as const;
  return {
    links,
    markers,
    count: 0,
    close: async () => {
      for (const link of links) link.close();
      for (const marker of markers) {
        for (let i = 0; i < 400; i++) {
          const info = await callWithin(marker, 1000, 'INFO', 'replication');
          // (a case may have left INFO refused, or this connection closed)
          if (!info.startsWith('$') || info.includes('connected_slaves:0\r\n')) break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        marker.close();
      }
    },
  };
}

/** `client.call`, or '' when no reply came within `ms` (a case closed the connection). */
function callWithin(client: RawClient, ms: number, ...argv: string[]): Promise<string> {
  return Promise.race([
    client.call(...argv),
    new Promise<string>((resolve) => setTimeout(() => resolve(''), ms)),
  ]);
}

/**
 * What each server propagated since the last marker, when they differ (not compared when a
 * server refused the marker: a case left it so, and the next marker ends both parts).
 */
async function streamMismatch(
  streams: Streams,
): Promise<{ byor: string; redis: string } | undefined> {
  const marker = ['PUBLISH', '__case__', String(++streams.count)];
  const replies = await Promise.all(
    streams.markers.map((client) => callWithin(client, 1000, ...marker)),
  );
  if (!replies.every((reply) => reply.startsWith(':'))) return undefined;
  const end = marker.join(' ');
  const [byor = [], redis = []] = await Promise.all(
    streams.links.map((link) => link.until((argv) => argv.join(' ') === end)),
  );
  const difference = streamDifference(byor, redis);
  if (difference === undefined) return undefined;
  const shown = (stream: string[][]) => JSON.stringify(stream).slice(0, 2000);
  return { byor: `${difference}; ${shown(byor)}`, redis: shown(redis) };
}

/** Sorts the lines of a multi-element reply so order-free replies can be compared. */
export function canonical(reply: string): string {
  const lines = reply.split('\r\n');
  const header = lines.shift() ?? '';
  return [header, ...lines.sort()].join('\r\n');
}

/** Sorts the (name, value) bulk pairs of a flat array or map reply. */
export function canonicalPairs(reply: string): string {
  // a map's elements are its pairs; a flat array's, two frames each (a nil is one line)
  const { header, elements } = elementsOf(reply);
  if (reply[0] === '%' || reply[0] === '|') return header + elements.sort().join('');
  const pairs: string[] = [];
  for (let i = 0; i < elements.length; i += 2) pairs.push(elements[i]! + (elements[i + 1] ?? ''));
  return header + pairs.sort().join('');
}

/** Where the RESP2/RESP3 frame that starts at `at` of `reply` ends. */
function frameEnd(reply: string, at: number): number {
  const lineEnd = reply.indexOf('\r\n', at);
  const n = Number(reply.slice(at + 1, lineEnd));
  switch (reply.charAt(at)) {
    case '$':
    case '=':
    case '!':
      return n < 0 ? lineEnd + 2 : lineEnd + 2 + n + 2;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const count = n < 0 ? 0 : reply[at] === '%' || reply[at] === '|' ? 2 * n : n;
      let end = lineEnd + 2;
      for (let i = 0; i < count; i++) end = frameEnd(reply, end);
      return end;
    }
    default:
      return lineEnd + 2;
  }
}

/** The header line of an aggregate reply and its elements' frames (a map's as key + value). */
function elementsOf(reply: string): { header: string; elements: string[] } {
  const headerEnd = reply.indexOf('\r\n') + 2;
  const header = reply.slice(0, headerEnd);
  const elements: string[] = [];
  if (!'*~>%|'.includes(reply[0] ?? '')) return { header: reply, elements };
  const pairs = reply[0] === '%' || reply[0] === '|';
  for (let at = headerEnd; at < reply.length;) {
    const end = frameEnd(reply, pairs ? frameEnd(reply, at) : at);
    elements.push(reply.slice(at, end));
    at = end;
  }
  return { header, elements };
}

/**
 * An aggregate reply with its elements sorted, nested ones whole (ZRANDMEMBER ... WITHSCORES in
 * RESP3 answers [member, score] pairs): the same set of elements in any order.
 */
export function canonicalElements(reply: string): string {
  const { header, elements } = elementsOf(reply);
  return header + elements.sort().join('');
}

/**
 * A reply's shape: its types, lengths of aggregates, integers and errors, with the content of
 * strings and doubles left out. For commands whose elements are chosen at random (SRANDMEMBER,
 * RANDOMKEY): how many, of what type, nil or empty, are still redis-server's.
 */
export function replyShape(reply: string): string {
  const type = reply[0] ?? '';
  const headerEnd = reply.indexOf('\r\n') + 2;
  if ('*~>%|'.includes(type)) {
    let shape = reply.slice(0, headerEnd);
    for (let at = headerEnd; at < reply.length; at = frameEnd(reply, at))
      shape += ` ${replyShape(reply.slice(at, frameEnd(reply, at)))}`;
    return shape;
  }
  if ((type === '$' || type === '=') && !reply.startsWith('$-1')) return `${type}?`;
  return type === ',' ? ',?' : reply;
}

/**
 * Runs the cases on both servers; returns every mismatch (empty when all replies match). With
 * `streams`, what each server propagated for a case is compared too.
 */
export async function runCases(
  pair: Pair,
  cases: readonly DiffCase[],
  streams?: Streams,
): Promise<{ mismatches: Mismatch[]; commands: number }> {
  const mismatches: Mismatch[] = [];
  let commands = 0;
  for (const testCase of cases) {
    let changes: number[] | undefined;
    const a = await RawClient.connect(pair.byor.port);
    const b = await RawClient.connect(pair.redis.port);
    try {
      await a.call('FLUSHALL');
      await b.call('FLUSHALL');
      await a.call('CONFIG', 'RESETSTAT');
      await b.call('CONFIG', 'RESETSTAT');
      // rdb_changes_since_last_save when the case starts: its changes are compared
      changes = await Promise.all([a, b].map(changesOf));
      if (testCase.resp === 3) {
        await a.call('HELLO', '3');
        await b.call('HELLO', '3');
      }
      for (const [index, command] of testCase.commands.entries()) {
        commands++;
        let [x, y] = await Promise.all([a.call(...command), b.call(...command)]);
        if (testCase.unordered?.includes(index)) {
          x = canonical(x);
          y = canonical(y);
        }
        // CONFIG GET's order is redis-server's dict order, random per process
        const configGet =
          (command[0] ?? '').toUpperCase() === 'CONFIG' &&
          (command[1] ?? '').toUpperCase() === 'GET';
        if (testCase.unorderedPairs?.includes(index) || configGet) {
          x = canonicalPairs(x);
          y = canonicalPairs(y);
        }
        if (x !== y)
          mismatches.push({ name: testCase.name, command: command.join(' '), byor: x, redis: y });
      }
    } finally {
      a.close();
      b.close();
    }
    const stats = await Promise.all([
      countersOf(pair.byor.port, changes?.[0] ?? 0),
      countersOf(pair.redis.port, changes?.[1] ?? 0),
    ]);
    const [x, y] = stats.map((counters) => counters.join('\n'));
    if (x !== y) {
      const byor = stats[0].filter((line) => !stats[1].includes(line)).join(' ');
      const redis = stats[1].filter((line) => !stats[0].includes(line)).join(' ');
      mismatches.push({ name: testCase.name, command: '(INFO counters)', byor, redis });
    }
    const propagated = streams && (await streamMismatch(streams));
    if (propagated !== undefined)
      mismatches.push({ name: testCase.name, command: '(replication stream)', ...propagated });
  }
  return { mismatches, commands };
}

/**
 * INFO keyspace's db lines once every expired key is reclaimed (SCAN of each database deletes
 * the expired keys it meets, on both servers): which of them the active expiry cycles had
 * reclaimed by then is timing. Run after the counters are read, so its own commands, hits and
 * changes are not counted.
 */
async function reclaimedKeyspace(client: RawClient, info: string): Promise<string[]> {
  for (const [, db] of info.matchAll(/^db(\d+):/gm)) {
    if (!(await client.call('SELECT', db ?? '0')).startsWith('+')) return dbLines(info);
    let cursor = '0';
    do {
      const reply = await client.call('SCAN', cursor, 'COUNT', '1000');
      const next = /^\*2\r\n\$\d+\r\n(\d+)\r\n/.exec(reply)?.[1];
      if (next === undefined) return dbLines(info);
      cursor = next;
    } while (cursor !== '0');
  }
  return dbLines(await client.call('INFO', 'keyspace'));
}

function dbLines(info: string): string[] {
  return info.split('\r\n').filter((line) => /^db\d+:/.test(line));
}

/**
 * INFO fields a case's commands leave the same on both servers (TIME loops and timing aside;
 * avg_ttl is redis-server's estimate from its expiry cycle's samples, byor's the mean).
 */
const COUNTERS =
  /^(?:keyspace_hits|keyspace_misses|total_error_replies|errorstat_[^:]+|cmdstat_(?!time:)[^:]+|pubsub_(?:channels|patterns)|pubsubshard_channels|blocked_clients|tracking_[a-z_]+|evicted_keys|connected_clients|rdb_changes_since_last_save):/;

/** rdb_changes_since_last_save (server.dirty). */
export async function changesOf(client: RawClient): Promise<number> {
  return Number(
    /rdb_changes_since_last_save:(\d+)/.exec(await client.call('INFO', 'persistence'))?.[1],
  );
}

/**
 * The counters of INFO stats, commandstats (calls, rejected and failed calls: not the times),
 * errorstats, clients and keyspace (keys and expires), read on a connection of their own (the
 * case's may be subscribed, in RESP3 or closed); none when INFO is refused (a case left a
 * password set).
 */
export async function countersOf(port: number, changesBefore: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  try {
    const info = await client.call('INFO', 'everything');
    const keyspace = await reclaimedKeyspace(client, info);
    return info
      .split('\r\n')
      .filter((line) => COUNTERS.test(line))
      .concat(keyspace)
      .map((line) =>
        line
          .replace(/usec=[^,]*,usec_per_call=[^,]*,/, '')
          .replace(/,avg_ttl=\d+/, '')
          .replace(
            /^rdb_changes_since_last_save:(\d+)/,
            (_, count: string) => `changes in the case:${Number(count) - changesBefore}`,
          ),
      )
      .sort();
  } finally {
    client.close();
  }
}
