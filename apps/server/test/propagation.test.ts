/**
 * What byor propagates to its replicas (and AOF), compared with redis-server 7.0 command for
 * command: the two servers run the same commands, from several clients where a case needs them,
 * and a replica's link to each (SYNC) must receive the same stream. The expiry cycles are off
 * (DEBUG SET-ACTIVE-EXPIRE 0) so that keys past their TTL are deleted where a command meets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './helpers/raw-client.js';
import { ReplicationStream, streamDifference } from './helpers/replication-stream.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';

/** Waits inside the server (a script looping on TIME) until `ms` have passed. */
const pause = (ms: number) => [
  'EVAL',
  `local s = redis.call('TIME') repeat local t = redis.call('TIME') until (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > ${ms * 1000} return 1`,
  '0',
];

/** What XREADGROUP propagates for entry `id` of stream s read by consumer c of group g. */
const claimed = (id: string) => [
  'XCLAIM',
  's',
  'g',
  'c',
  '0',
  id,
  'TIME',
  '*',
  'RETRYCOUNT',
  '1',
  'FORCE',
  'JUSTID',
  'LASTID',
  id,
];

interface Case {
  readonly name: string;
  /** commands, each from client 0 unless prefixed with the client's number */
  readonly commands: readonly (readonly [number, ...string[]] | readonly string[])[];
  /** what redis-server 7.0 propagates, as a check that the case shows what it is about */
  readonly expected: readonly (readonly string[])[];
  /** DELs that follow each other are compared in any order (SCAN meets keys in hash order) */
  readonly unorderedDeletes?: true;
}

/** The stream with each run of consecutive DELs sorted. */
function sortDeletes(stream: string[][]): string[][] {
  const out: string[][] = [];
  let run: string[][] = [];
  for (const argv of [...stream, []]) {
    if (argv[0] === 'DEL') {
      run.push(argv);
      continue;
    }
    out.push(...run.sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : 1)));
    run = [];
    if (argv.length !== 0) out.push(argv);
  }
  return out;
}

const cases: Case[] = [
  {
    name: 'a write after the expiry of its key: one transaction (DEL, then the write)',
    commands: [['SET', 'k', 'v', 'PX', '1'], pause(3), ['SET', 'k', 'w']],
    expected: [
      ['SET', 'k', 'v', 'PXAT', '*'],
      ['MULTI'],
      ['DEL', 'k'],
      ['SET', 'k', 'w'],
      ['EXEC'],
    ],
  },
  {
    name: 'a read that expires its key: the DEL alone',
    commands: [['SET', 'k', 'v', 'PX', '1'], pause(3), ['GET', 'k']],
    expected: [
      ['SET', 'k', 'v', 'PXAT', '*'],
      ['DEL', 'k'],
    ],
  },
  {
    name: 'SCAN deleting expired keys: no transaction (CMD_TOUCHES_ARBITRARY_KEYS)',
    commands: [['SET', 'a', '1', 'PX', '1'], ['SET', 'b', '2', 'PX', '1'], pause(3), ['SCAN', '0']],
    expected: [
      ['SET', 'a', '1', 'PXAT', '*'],
      ['SET', 'b', '2', 'PXAT', '*'],
      ['DEL', 'a'],
      ['DEL', 'b'],
    ],
    unorderedDeletes: true,
  },
  {
    name: 'EXEC with one write: the write alone; with two: MULTI ... EXEC',
    commands: [
      ['MULTI'],
      ['SET', 'a', '1'],
      ['GET', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'a', '2'],
      ['INCR', 'n'],
      ['EXEC'],
      ['MULTI'],
      ['GET', 'a'],
      ['EXEC'],
    ],
    expected: [['SET', 'a', '1'], ['MULTI'], ['SET', 'a', '2'], ['INCR', 'n'], ['EXEC']],
  },
  {
    name: 'scripts: one write alone, two in a transaction, none nothing',
    commands: [
      ['EVAL', "return redis.call('SET', KEYS[1], 'x')", '1', 'a'],
      ['EVAL', "redis.call('SET', KEYS[1], 'y') return redis.call('DEL', KEYS[1])", '1', 'a'],
      ['EVAL', "return redis.call('GET', KEYS[1])", '1', 'a'],
    ],
    expected: [['SET', 'a', 'x'], ['MULTI'], ['SET', 'a', 'y'], ['DEL', 'a'], ['EXEC']],
  },
  {
    name: 'PUBLISH goes to the replicas, in the transaction of its EXEC',
    commands: [['MULTI'], ['SET', 'a', '1'], ['PUBLISH', 'ch', 'm'], ['EXEC']],
    expected: [['MULTI'], ['SET', 'a', '1'], ['PUBLISH', 'ch', 'm'], ['EXEC']],
  },
  {
    name: 'FLUSHALL and FLUSHDB of empty databases, GETSET, SET ... GET',
    commands: [
      ['FLUSHDB'],
      ['SELECT', '2'],
      ['FLUSHALL'],
      ['GETSET', 'a', '1'],
      ['SET', 'a', '2', 'GET'],
      ['SET', 'a', '3', 'NX', 'GET'],
      ['SET', 'a', '4', 'XX', 'get', 'PXAT', '4102444800000'],
    ],
    expected: [
      ['FLUSHDB'],
      ['SELECT', '2'],
      ['FLUSHALL'],
      ['SET', 'a', '1'],
      ['SET', 'a', '2'],
      ['SET', 'a', '4', 'PXAT', '4102444800000'],
    ],
  },
  {
    name: 'lazyfree-lazy-expire and lazyfree-lazy-user-del: UNLINK where DEL was',
    commands: [
      ['CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes', 'lazyfree-lazy-user-del', 'yes'],
      ['SET', 'a', '1', 'PX', '1'],
      ['SET', 'b', '2'],
      ['SET', 'c', '3'],
      pause(3),
      ['GET', 'a'],
      ['GETDEL', 'b'],
      ['DEL', 'c'],
      ['PEXPIREAT', 'b', '1'],
      ['SET', 'b', '2'],
      ['PEXPIREAT', 'b', '1'],
      ['CONFIG', 'SET', 'lazyfree-lazy-expire', 'no', 'lazyfree-lazy-user-del', 'no'],
    ],
    expected: [
      ['SET', 'a', '1', 'PXAT', '*'],
      ['SET', 'b', '2'],
      ['SET', 'c', '3'],
      ['UNLINK', 'a'],
      ['UNLINK', 'b'],
      ['DEL', 'c'],
      ['SET', 'b', '2'],
      ['UNLINK', 'b'],
    ],
  },
  {
    name: 'XREADGROUP: an XCLAIM per entry read and the group position, in one transaction',
    commands: [
      ['XADD', 's', '1-1', 'f', 'v'],
      ['XADD', 's', '2-1', 'f', 'v'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
      ['XACK', 's', 'g', '1-1'],
    ],
    expected: [
      ['XADD', 's', '1-1', 'f', 'v'],
      ['XADD', 's', '2-1', 'f', 'v'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['MULTI'],
      claimed('1-1'),
      claimed('2-1'),
      ['EXEC'],
      ['XACK', 's', 'g', '1-1'],
    ],
  },
  {
    name: 'blocked BLMOVE, BZPOPMIN, BLMPOP and XREADGROUP served',
    commands: [
      [1, 'BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'],
      [0, 'RPUSH', 'src', 'a', 'b'],
      [1, 'BZPOPMIN', 'z', '0'],
      [0, 'ZADD', 'z', '1', 'm', '2', 'n'],
      [1, 'BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '5'],
      [0, 'RPUSH', 'l', 'x', 'y'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, 'BLOCKING', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'XADD', 's', '5-1', 'f', 'v'],
    ],
    expected: [
      ['RPUSH', 'src', 'a', 'b'],
      ['LMOVE', 'src', 'dst', 'left', 'right'],
      ['ZADD', 'z', '1', 'm', '2', 'n'],
      ['ZPOPMIN', 'z'],
      ['RPUSH', 'l', 'x', 'y'],
      ['LPOP', 'l', '2'],
      ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      ['XADD', 's', '5-1', 'f', 'v'],
      claimed('5-1'),
    ],
  },
  {
    name: 'BZMPOP and ZMPOP propagate the count they took',
    commands: [
      ['ZADD', 'z', '1', 'a'],
      ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '5'],
      ['ZADD', 'z', '1', 'a'],
      ['ZMPOP', '1', 'z', 'MAX', 'COUNT', '9'],
      [1, 'BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '3'],
      [0, 'ZADD', 'z', '1', 'a', '2', 'b'],
    ],
    expected: [
      ['ZADD', 'z', '1', 'a'],
      ['ZPOPMIN', 'z', '1'],
      ['ZADD', 'z', '1', 'a'],
      ['ZPOPMAX', 'z', '1'],
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['ZPOPMAX', 'z', '2'],
    ],
  },
  {
    name: 'SWAPDB waking a client blocked on a key past its TTL: SWAPDB, then the DEL alone',
    commands: [
      ['SELECT', '1'],
      ['RPUSH', 'k', 'hello'],
      ['PEXPIRE', 'k', '30'],
      [1, 'SELECT', '9'],
      [1, 'BRPOP', 'k', '0.3'],
      pause(40),
      ['SWAPDB', '1', '9'],
    ],
    expected: [
      ['SELECT', '1'],
      ['RPUSH', 'k', 'hello'],
      ['PEXPIREAT', 'k', '*'],
      ['SWAPDB', '1', '9'],
      ['SELECT', '9'],
      ['DEL', 'k'],
      ['SELECT', '1'], // the end marker's, from client 0
    ],
  },
  {
    name: 'an EXEC waking a client on a key that expired meanwhile: the DEL alone, after the EXEC',
    commands: [
      [1, 'BRPOP', 'k', '0.3'],
      ['MULTI'],
      ['RPUSH', 'k', 'hello'],
      ['PEXPIRE', 'k', '30'],
      ['DEBUG', 'SLEEP', '0.05'],
      ['EXEC'],
    ],
    expected: [['MULTI'], ['RPUSH', 'k', 'hello'], ['PEXPIREAT', 'k', '*'], ['EXEC'], ['DEL', 'k']],
  },
  {
    name: 'a blocked BLPOP served by another client: LPUSH, then the LPOP it became',
    commands: [
      [1, 'BLPOP', 'list', '0'],
      [0, 'LPUSH', 'list', 'a', 'b'],
    ],
    expected: [
      ['LPUSH', 'list', 'a', 'b'],
      ['LPOP', 'list'],
    ],
  },
];

describe.skipIf(!redisAvailable)('propagation, as redis-server 7.0', () => {
  let pair: Pair;
  let links: [ReplicationStream, ReplicationStream];
  beforeAll(async () => {
    pair = await startPair({ 'enable-debug-command': 'yes' });
    for (const port of [pair.byor.port, pair.redis.port]) {
      const client = await RawClient.connect(port);
      await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      client.close();
    }
    links = [
      await ReplicationStream.open(pair.byor.port),
      await ReplicationStream.open(pair.redis.port),
    ];
    for (const link of links) await link.synced();
  });
  afterAll(async () => {
    for (const link of links) link.close();
    await pair.stop();
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, testCase, index) => {
    const streams: string[][][] = [];
    /** the changes to save each server counted (rdb_changes_since_last_save) */
    const changes: number[] = [];
    const changesOf = async (client: RawClient | undefined) =>
      Number(
        /rdb_changes_since_last_save:(\d+)/.exec(await client!.call('INFO', 'persistence'))?.[1],
      );
    for (const [server, port] of [pair.byor.port, pair.redis.port].entries()) {
      const clients = [await RawClient.connect(port), await RawClient.connect(port)];
      const pending: Promise<string>[] = [];
      await clients[0]?.call('FLUSHALL');
      const changesBefore = await changesOf(clients[0]);
      for (const command of testCase.commands) {
        const [who, argv] =
          typeof command[0] === 'number'
            ? [command[0], command.slice(1) as string[]]
            : [0, command as string[]];
        const client = clients[who];
        if (!client) throw new Error(`no client ${who}`);
        // a blocking command's reply comes later: the next command waits until it blocked
        // (commands named B..., or after BLOCKING)
        const blocking = argv[0] === 'BLOCKING' || (who === 1 && /^B[LZR]/.test(argv[0] ?? ''));
        if (argv[0] === 'BLOCKING') argv.shift();
        if (!blocking) {
          await client.call(...argv);
          continue;
        }
        pending.push(client.call(...argv));
        while (!(await clients[0]!.call('INFO', 'clients')).includes('blocked_clients:1'))
          await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.all(pending);
      changes.push((await changesOf(clients[0])) - changesBefore);
      const end = ['PUBLISH', 'end', String(index)];
      await clients[0]?.call(...end);
      for (const client of clients) client.close();
      const received = await links[server]!.until((argv) => argv.join(' ') === end.join(' '));
      // the case's own part: after the FLUSHALL that starts it, before the marker
      const own = received.slice(received.findIndex((argv) => argv[0] === 'FLUSHALL') + 1, -1);
      streams.push(testCase.unorderedDeletes ? sortDeletes(own) : own);
    }
    const [byor = [], redis = []] = streams;
    expect(streamDifference(byor, redis), JSON.stringify({ byor, redis })).toBeUndefined();
    expect(changes[0], 'changes to save').toBe(changes[1]);
    // and redis-server's is what the case says it is about (* a time)
    const masked = redis.map((argv, i) =>
      argv.map((arg, j) => {
        const want = testCase.expected[i]?.[j];
        return want === '*' ? want : arg;
      }),
    );
    expect(masked).toEqual(testCase.expected);
  });
});
