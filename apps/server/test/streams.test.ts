import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/index.js';
import { createTestServer, type TestServer } from '../src/testing.js';
import { StreamValue } from '../src/types/stream.js';
import { streamCommands } from '../src/types/stream-rdb.js';
import { dumpPayload } from '../src/commands/persistence.js';
import { DEFAULT_VALUE_LIMITS, RdbDecoder } from '../src/persistence/rdb-decoder.js';
import {
  redisAvailable,
  startConnectedPair,
  startPair,
  type ConnectedPair,
  type Pair,
} from './differential/harness.js';
import { RawClient } from './helpers/raw-client.js';
import { startRedisServer } from '@byor/test-oracle';

/**
 * Streams over TCP, for what a one-connection byte comparison cannot cover: blocked XREAD and
 * XREADGROUP readers woken by other connections, keyspace events and propagation compared with
 * redis-server; random command sequences compared with redis-server (node boundaries, trims,
 * tombstones); and with real clients, what depends on time (generated IDs, idle times, delivery
 * times, timeouts) on the test clock.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One step of a scenario: a command on a connection; `'~'` before the command sends it and waits
 * until the server counts one more blocked client; `'-'` runs it without recording what it
 * received; connection -1 with `['sleep', ms]` waits.
 */
type Step = readonly [connection: number, ...command: string[]];

async function until(what: string, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Runs the steps on fresh connections; returns what every connection received after each step. */
async function transcript(port: number, connections: number, steps: readonly Step[]) {
  const clients = await Promise.all(
    Array.from({ length: connections }, () => RawClient.connect(port)),
  );
  const control = await RawClient.connect(port);
  const blocked = async () =>
    Number(/blocked_clients:(\d+)/.exec(await control.call('INFO', 'clients'))?.[1] ?? -1);
  const out: string[] = [];
  try {
    await control.call('FLUSHALL');
    for (const [index, ...command] of steps) {
      if (index < 0) {
        await sleep(Number(command[1]));
      } else if (command[0] === '~') {
        const before = await blocked();
        clients[index]?.sendOnly(...command.slice(1));
        await until(`${command.join(' ')} to block`, async () => (await blocked()) > before);
      } else {
        clients[index]?.sendOnly(...(command[0] === '-' ? command.slice(1) : command));
        await clients[index]?.waitForReply(3000);
      }
      const received = await Promise.all(clients.map((client) => client.drain(15)));
      if (command[0] === '-') continue;
      out.push(
        `${index}> ${command.join(' ')}\n${received.map((r, i) => `  [${i}] ${JSON.stringify(r)}`).join('\n')}`,
      );
    }
  } finally {
    for (const client of clients) client.close();
    control.close();
  }
  return out;
}

const scenarios: Record<string, { connections: number; steps: Step[] }> = {
  'XREAD waiters are served by XADD in the order they blocked': {
    connections: 4,
    steps: [
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [2, '~', 'XREAD', 'BLOCK', '0', 'COUNT', '1', 'STREAMS', 's', '0-0'],
      [3, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 'other', 's', '$', '$'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XADD', 's', '1-2', 'b', '2'],
    ],
  },
  '$ is the last ID when the reader blocked; an ID waits for entries after it': {
    connections: 3,
    steps: [
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XADD', 's', '1-2', 'a', '2'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [2, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '5-0'],
      [0, 'XADD', 's', '1-3', 'a', '3'],
      [0, 'XADD', 's', '5-0', 'a', '4'],
      [0, 'XADD', 's', '5-1', 'a', '5'],
    ],
  },
  'a reader on several keys is served from the key that got an entry': {
    connections: 2,
    steps: [
      [1, '~', 'XREAD', 'BLOCK', '0', 'COUNT', '5', 'STREAMS', 'a', 'b', 'c', '$', '$', '0'],
      [0, 'MULTI'],
      [0, 'XADD', 'c', '2-1', 'f', 'c'],
      [0, 'XADD', 'b', '1-1', 'f', 'b'],
      [0, 'EXEC'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'a', '1-0', '0-0'],
      [0, 'XADD', 'a', '1-0', 'f', 'a'],
      [0, 'XADD', 'a', '1-1', 'f', 'a'],
    ],
  },
  'entries added and deleted in one transaction: the reader gets an empty list': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'MULTI'],
      [0, 'XADD', 's', '1-2', 'a', '2'],
      [0, 'XDEL', 's', '1-2'],
      [0, 'EXEC'],
      [0, 'XLEN', 's'],
    ],
  },
  'XREADGROUP waiters share new entries, each once': {
    connections: 4,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [2, '~', 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'COUNT', '1', 'STREAMS', 's', '>'],
      [3, '~', 'XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XADD', 's', '1-2', 'a', '2'],
      [0, 'XADD', 's', '1-3', 'a', '3'],
      [0, 'XPENDING', 's', 'g'],
      [0, 'XINFO', 'GROUPS', 's'],
      [0, 'XPENDING', 's', 'g', 'IDLE', '99999', '-', '+', '10'],
    ],
  },
  'several entries in a transaction: the first waiter takes them all': {
    connections: 3,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [2, '~', 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'MULTI'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XADD', 's', '1-2', 'a', '2'],
      [0, 'EXEC'],
      [0, 'XPENDING', 's', 'g'],
    ],
  },
  'a destroyed group answers its blocked readers with NOGROUP': {
    connections: 4,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [0, 'XGROUP', 'CREATE', 's', 'h', '$'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [2, '~', 'XREADGROUP', 'GROUP', 'h', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [3, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'XGROUP', 'DESTROY', 's', 'g'],
      [0, 'XGROUP', 'DESTROY', 's', 'nosuch'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
    ],
  },
  'a group reader whose key is deleted and re-created without the group': {
    connections: 3,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [2, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'DEL', 's'],
      [0, 'PING'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
    ],
  },
  'group readers answer UNBLOCKED when the key goes: SET, DEL, RENAME, FLUSHALL, SWAPDB': {
    connections: 3,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [2, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'SET', 's', 'string'],
      [0, 'DEL', 's'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'RENAME', 's', 't'],
      [0, 'RENAME', 't', 's'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'FLUSHALL'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'SWAPDB', '0', '1'],
      [0, 'SWAPDB', '0', '1'],
      [0, 'XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k', '>'],
      [0, 'RPUSH', 'k', 'x'],
      [0, 'DEL', 'k'],
      [0, 'RPUSH', 'k', 'x'],
      [0, 'DEL', 'k'],
      [0, 'XADD', 'k', '1-1', 'f', 'v'],
      [2, 'PING'],
    ],
  },
  'a key of another type leaves stream readers blocked': {
    connections: 3,
    steps: [
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '0'],
      [2, '~', 'BLPOP', 'k', '0'],
      [0, 'RPUSH', 'k', 'x'],
      [0, 'LPUSH', 'k', 'y'],
      [0, 'DEL', 'k'],
      [0, 'SET', 'k', 'v'],
      [0, 'DEL', 'k'],
      [0, 'XADD', 'k', '1-1', 'a', '1'],
    ],
  },
  'SETID backwards: a blocked reader is served the entries again': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'XGROUP', 'SETID', 's', 'g', '0'],
      [0, 'XTRIM', 's', 'MAXLEN', '5'],
      [0, 'XSETID', 's', '2-0'],
      [0, 'XADD', 's', '2-1', 'a', '2'],
      [0, 'XPENDING', 's', 'g'],
    ],
  },
  'timeouts answer with a null array, in RESP2 and RESP3': {
    connections: 3,
    steps: [
      [2, '-', 'HELLO', '3'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREAD', 'BLOCK', '400', 'STREAMS', 's', '$'],
      [2, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '400', 'STREAMS', 's', '>'],
      [-1, 'sleep', '900'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [1, 'PING'],
    ],
  },
  'RESP3 readers get a map': {
    connections: 3,
    steps: [
      [1, '-', 'HELLO', '3'],
      [2, '-', 'HELLO', '3'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [2, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
    ],
  },
  'waiters in other databases are not woken': {
    connections: 3,
    steps: [
      [1, 'SELECT', '1'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '0'],
      [2, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '0'],
      [0, 'XADD', 's', '1-1', 'db', '0'],
      [0, 'SELECT', '1'],
      [0, 'XADD', 's', '1-1', 'db', '1'],
    ],
  },
  'RENAME and COPY of a stream onto a waited key serve the waiter': {
    connections: 2,
    steps: [
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '0'],
      [0, 'XADD', 'tmp', '1-1', 'a', '1'],
      [0, 'RENAME', 'tmp', 'k'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 'k2', '0'],
      [0, 'COPY', 'k', 'k2'],
    ],
  },
  'keyspace events of the stream commands': {
    connections: 3,
    steps: [
      [1, 'PSUBSCRIBE', '__keyspace@0__:*'],
      [2, 'PSUBSCRIBE', '__keyevent@0__:*'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XADD', 's', '1-2', 'a', '2'],
      [0, 'XADD', 's', 'MAXLEN', '1', '1-3', 'a', '3'],
      [0, 'XADD', 's', 'MAXLEN', '5', '1-4', 'a', '4'],
      [0, 'XADD', 's', 'NOMKSTREAM', '1-5', 'a', '5'],
      [0, 'XADD', 'none', 'NOMKSTREAM', '1-5', 'a', '5'],
      [0, 'XADD', 's', '1-1', 'a', '1'],
      [0, 'XDEL', 's', '1-3'],
      [0, 'XDEL', 's', '1-3'],
      [0, 'XTRIM', 's', 'MAXLEN', '1'],
      [0, 'XTRIM', 's', 'MAXLEN', '1'],
      [0, 'XSETID', 's', '5-0'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '0'],
      [0, 'XGROUP', 'CREATE', 'new', 'g', '0', 'MKSTREAM'],
      [0, 'XGROUP', 'SETID', 's', 'g', '0'],
      [0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
      [0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
      [0, 'XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
      [0, 'XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
      [0, 'XCLAIM', 's', 'g', 'c3', '0', '1-5'],
      [0, 'XAUTOCLAIM', 's', 'g', 'c4', '0', '0'],
      [0, 'XACK', 's', 'g', '1-5'],
      [0, 'XGROUP', 'DELCONSUMER', 's', 'g', 'c1'],
      [0, 'XGROUP', 'DELCONSUMER', 's', 'g', 'nobody'],
      [0, 'XGROUP', 'DESTROY', 's', 'g'],
      [0, 'XGROUP', 'DESTROY', 's', 'g'],
      [0, 'XDEL', 's', '1-5'],
      [0, 'DEL', 's'],
    ],
  },
};

describe.skipIf(!redisAvailable)('streams across connections: byor vs redis-server', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ 'notify-keyspace-events': 'KEA' });
  });
  afterAll(async () => {
    await pair.stop();
  });
  for (const [name, { connections, steps }] of Object.entries(scenarios)) {
    it(name, async () => {
      const byor = await transcript(pair.byor.port, connections, steps);
      const redis = await transcript(pair.redis.port, connections, steps);
      expect(byor.join('\n')).toBe(redis.join('\n'));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Random command sequences, byte for byte against redis-server

type Op =
  | { kind: 'add'; msStep: number; fields: [string, string][]; trim: string[] }
  | { kind: 'del'; picks: number[] }
  | { kind: 'trim'; args: string[] }
  | { kind: 'range'; from: number; count: number; reverse: boolean };

const fieldName = fc.constantFrom('name', 'n', 'payload', '7', '-3', 'extra', '');
const fieldValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -100000000000, max: 100000000000 }).map(String),
  fc.integer({ min: 0, max: 700 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('0', '-0', '00', '127', '128', '4096', '-4097', '9223372036854775807'),
);
const trimArgs = fc.oneof(
  fc
    .tuple(fc.constantFrom('=', '~'), fc.integer({ min: 0, max: 300 }))
    .map(([kind, n]) => ['MAXLEN', kind, String(n)]),
  fc
    .tuple(fc.constantFrom('=', '~'), fc.integer({ min: 0, max: 40 }))
    .map(([kind, ms]) => ['MINID', kind, String(ms)]),
  fc
    .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 250 }))
    .map(([n, limit]) => ['MAXLEN', '~', String(n), 'LIMIT', String(limit)]),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      msStep: fc.constantFrom(0, 0, 0, 1, 2, 1000),
      fields: fc.array(fc.tuple(fieldName, fieldValue), { minLength: 1, maxLength: 3 }),
      trim: fc.oneof(
        { weight: 6, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: trimArgs },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('del' as const),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trim' as const), args: trimArgs }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('range' as const),
      from: fc.nat(),
      count: fc.integer({ min: 1, max: 5 }),
      reverse: fc.boolean(),
    }),
  },
);

/** Turns generated ops into commands with explicit, increasing IDs (so both servers agree). */
function commandsOf(ops: readonly Op[]): string[][] {
  const commands: string[][] = [];
  const ids: string[] = [];
  let ms = 1;
  let seq = 0;
  for (const step of ops) {
    switch (step.kind) {
      case 'add': {
        if (step.msStep === 0) seq++;
        else {
          ms += step.msStep;
          seq = 0;
        }
        const id = `${ms}-${seq}`;
        ids.push(id);
        commands.push(['XADD', 's', ...step.trim, id, ...step.fields.flat()]);
        break;
      }
      case 'del':
        if (ids.length)
          commands.push(['XDEL', 's', ...step.picks.map((pick) => ids[pick % ids.length] ?? '0')]);
        break;
      case 'trim':
        commands.push(['XTRIM', 's', ...step.args], ['XLEN', 's']);
        break;
      case 'range': {
        const from = ids.length ? (ids[step.from % ids.length] ?? '-') : '-';
        commands.push(
          step.reverse
            ? ['XREVRANGE', 's', from, '-', 'COUNT', String(step.count)]
            : ['XRANGE', 's', from, '+', 'COUNT', String(step.count)],
        );
        break;
      }
    }
    if (commands.length % 10 === 0) commands.push(['XINFO', 'STREAM', 's']);
  }
  commands.push(['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0']);
  return commands;
}

describe.skipIf(!redisAvailable)('random stream commands: byor vs redis-server', () => {
  let connected: ConnectedPair;
  beforeAll(async () => {
    connected = await startConnectedPair();
  });
  afterAll(async () => {
    await connected.stop();
  });

  it('replies identically: node boundaries, trims, tombstones, XINFO', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 20, maxLength: 250 }),
        fc.constantFrom(['100', '4096'], ['7', '4096'], ['100', '300'], ['0', '1000'], ['3', '0']),
        async (ops, [entries, bytes]) => {
          const { byor, redis } = connected;
          const setup = [
            ['FLUSHALL'],
            ['CONFIG', 'SET', 'stream-node-max-entries', entries],
            ['CONFIG', 'SET', 'stream-node-max-bytes', bytes],
          ];
          for (const command of setup)
            await Promise.all([byor.call(...command), redis.call(...command)]);
          for (const command of commandsOf(ops)) {
            const [mine, theirs] = await Promise.all([
              byor.call(...command),
              redis.call(...command),
            ]);
            if (mine !== theirs)
              throw new Error(
                `${command.join(' ')}\n  byor:  ${JSON.stringify(mine)}\n  redis: ${JSON.stringify(theirs)}`,
              );
          }
        },
      ),
      { numRuns: 40 },
    );
    for (const client of [connected.byor, connected.redis]) {
      await client.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
      await client.call('CONFIG', 'SET', 'stream-node-max-bytes', '4096');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Propagation, against the AOF of redis-server

const propagationSteps: Step[] = [
  [0, 'XADD', 's', '1-1', 'a', '1'],
  [0, 'XADD', 's', '1-2', 'b', '2'],
  [0, 'XADD', 's', '1-*', 'b', '2'],
  [0, 'XADD', 's', 'MAXLEN', '~', '1', '1-4', 'x', 'y'],
  [0, 'XADD', 's', 'MINID', '~', '0', '1-5', 'x', 'y'],
  [0, 'XADD', 's', '1-1', 'a', '1'],
  [0, 'XGROUP', 'CREATE', 's', 'g', '0'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '0'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'hist', 'STREAMS', 's', '0'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'empty', 'NOACK', 'STREAMS', 's', '9'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'carl', 'NOACK', 'STREAMS', 's', '>'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
  [0, 'XGROUP', 'SETID', 's', 'g', '0'],
  [0, 'XREADGROUP', 'GROUP', 'g', 'dora', 'NOACK', 'STREAMS', 's', '>'],
  [0, 'XACK', 's', 'g', '1-1', '1-9'],
  [0, 'XACK', 's', 'g', '1-9'],
  [0, 'XCLAIM', 's', 'g', 'carol', '0', '1-2', '1-9', 'JUSTID'],
  [0, 'XCLAIM', 's', 'g', 'carol', '0', '1-2', 'LASTID', '9-9', 'JUSTID'],
  [0, 'XCLAIM', 's', 'g', 'carol', '0', '1-7', 'LASTID', '10-0'],
  [0, 'XCLAIM', 's', 'g', 'carol', '0', '1-7'],
  [0, 'XCLAIM', 's', 'g', 'frank', '0', '1-5', 'FORCE', 'JUSTID'],
  [0, 'XDEL', 's', '1-5'],
  [0, 'XAUTOCLAIM', 's', 'g', 'dave', '0', '0', 'JUSTID'],
  [0, 'XAUTOCLAIM', 's', 'g', 'dave', '99999999', '0'],
  [0, 'XTRIM', 's', 'MAXLEN', '~', '0'],
  [0, 'XTRIM', 's', 'MINID', '~', '0'],
  [0, 'XTRIM', 's', 'MAXLEN', '=', '0'],
  [0, 'XTRIM', 's', 'MAXLEN', '=', '0'],
  [0, 'XSETID', 's', '20-0', 'ENTRIESADDED', '50'],
  [0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'erin'],
  [0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'erin'],
  [0, 'XGROUP', 'DELCONSUMER', 's', 'g', 'erin'],
  [0, 'XGROUP', 'DELCONSUMER', 's', 'g', 'erin'],
  [0, 'XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'],
  [1, '~', 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'm', '>'],
  [0, 'XADD', 'm', '1-1', 'a', '1'],
  [1, '~', 'XREADGROUP', 'GROUP', 'g', 'w2', 'NOACK', 'BLOCK', '0', 'STREAMS', 'm', '>'],
  [0, 'XADD', 'm', '1-2', 'a', '1'],
  [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 'm', '$'],
  [0, 'XADD', 'm', '1-3', 'a', '1'],
  [0, 'XGROUP', 'DESTROY', 'm', 'g'],
  [0, 'XGROUP', 'DESTROY', 'm', 'g'],
];

/** The commands of an AOF file (RESP arrays of bulk strings). */
function parseAof(text: string): string[][] {
  const commands: string[][] = [];
  let at = 0;
  const line = () => {
    const end = text.indexOf('\r\n', at);
    const value = text.slice(at, end);
    at = end + 2;
    return value;
  };
  while (at < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = Number(line().slice(1));
      argv.push(text.slice(at, at + length));
      at += length + 2;
    }
    commands.push(argv);
  }
  return commands;
}

/**
 * Comparable propagation: without the scenario's FLUSHALL and the MULTI/EXEC redis-server wraps
 * around a command's several effects; XCLAIM's TIME (each server's own clock) masked.
 */
function comparable(commands: string[][]): string[][] {
  return commands
    .filter((argv) => !['FLUSHALL', 'MULTI', 'EXEC'].includes(argv[0]?.toUpperCase() ?? ''))
    .map((argv) =>
      argv[0] === 'XCLAIM' && argv[6] === 'TIME'
        ? argv.map((arg, i) => (i === 7 ? 'T' : arg))
        : argv,
    );
}

describe.skipIf(!redisAvailable)(
  'propagation of stream commands: byor vs the AOF of redis-server',
  () => {
    it('rewrites IDs and approximate trims, group reads as XCLAIM / SETID / CREATECONSUMER', async () => {
      const redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
      const byor = await startServer({ port: 0 });
      const propagated: string[][] = [];
      let lastDb = -1;
      const previous = byor.server.hooks.propagate;
      byor.server.hooks.propagate = (db, argv) => {
        if (db !== lastDb) propagated.push(['SELECT', String(db)]);
        lastDb = db;
        propagated.push(argv);
        previous?.(db, argv);
      };
      try {
        const mine = await transcript(byor.port, 2, propagationSteps);
        const theirs = await transcript(redis.port, 2, propagationSteps);
        expect(mine.join('\n')).toBe(theirs.join('\n'));
        const directory = join(redis.dir, 'appendonlydir');
        const incremental = readdirSync(directory).find((name) => name.endsWith('.incr.aof'));
        const aof = parseAof(readFileSync(join(directory, incremental ?? ''), 'latin1'));
        expect(comparable(propagated)).toEqual(comparable(aof));
        expect(propagated).toContainEqual(['XADD', 's', 'MAXLEN', '=', '4', '1-4', 'x', 'y']);
      } finally {
        byor.server.hooks.propagate = previous;
        await byor.close();
        await redis.stop();
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------
// DUMP / RESTORE and RDB files, both ways

/** Set-ups that leave one stream at `s`, with node boundaries, tombstones, groups and PELs. */
const dumpSetups: Record<string, string[][]> = {
  'a few entries': [
    ['XADD', 's', '1-1', 'name', 'ada', 'age', '36'],
    ['XADD', 's', '1-2', 'name', 'bob', 'age', '-12'],
    ['XADD', 's', '2-0', 'other', 'x'.repeat(100)],
  ],
  'several nodes, tombstones, trims and metadata': [
    ...Array.from({ length: 260 }, (_, i) => [
      'XADD',
      's',
      `${1000 + (i >> 2)}-${i}`,
      'f',
      `v${i}`,
    ]),
    ['XDEL', 's', '1000-0', '1010-41', '1050-201', '1064-259'],
    ['XTRIM', 's', 'MAXLEN', '200'],
    ['XSETID', 's', '99999-5', 'ENTRIESADDED', '9999', 'MAXDELETEDID', '1064-259'],
  ],
  'an empty stream with groups': [
    ['XGROUP', 'CREATE', 's', 'g1', '$', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 's', 'g2', '7-7', 'ENTRIESREAD', '3'],
  ],
  'the largest IDs': [
    ['XADD', 's', `18446744073709551615-18446744073709551614`, 'a', '1'],
    ['XADD', 's', `18446744073709551615-*`, 'a', '2'],
  ],
  'groups, consumers and pending entries': [
    ...Array.from({ length: 30 }, (_, i) => ['XADD', 's', `5-${i}`, 'job', String(i)]),
    ['XGROUP', 'CREATE', 's', 'workers', '0'],
    ['XGROUP', 'CREATE', 's', 'audit', '$'],
    ['XREADGROUP', 'GROUP', 'workers', 'alice', 'COUNT', '10', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'workers', 'bob', 'COUNT', '5', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'workers', 'alice', 'STREAMS', 's', '0'],
    ['XACK', 's', 'workers', '5-1', '5-3'],
    ['XCLAIM', 's', 'workers', 'carol', '0', '5-4', '5-11', 'RETRYCOUNT', '9223372036854775807'],
    ['XGROUP', 'CREATECONSUMER', 's', 'audit', 'idle'],
    ['XDEL', 's', '5-29'],
  ],
  'a pending entry whose stream entry was deleted': [
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '1-2', 'a', '2'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
    ['XDEL', 's', '1-1'],
  ],
};

describe.skipIf(!redisAvailable)(
  'DUMP, RESTORE and RDB files of streams: byor and redis-server',
  () => {
    let pair: Pair;
    let byor: RawClient;
    let redis: RawClient;
    beforeAll(async () => {
      pair = await startPair();
      byor = await RawClient.connect(pair.byor.port);
      redis = await RawClient.connect(pair.redis.port);
    });
    afterAll(async () => {
      byor.close();
      redis.close();
      await pair.stop();
    });

    /** A RESP bulk reply's payload. */
    const payloadOf = (reply: string) => reply.slice(reply.indexOf('\r\n') + 2, -2);

    for (const [name, setup] of Object.entries(dumpSetups)) {
      it(`${name}: the same DUMP bytes, and each server restores the other's`, async () => {
        for (const client of [byor, redis]) {
          await client.call('FLUSHALL');
          for (const command of setup) await client.call(...command);
        }
        // from redis-server to byor: restored data reads back identical, and dumps back identical
        const theirs = payloadOf(await redis.call('DUMP', 's'));
        await byor.call('DEL', 's');
        expect(await byor.call('RESTORE', 's', '0', Buffer.from(theirs, 'latin1'))).toBe('+OK\r\n');
        const full = ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'];
        expect(await byor.call(...full)).toBe(await redis.call(...full));
        expect(payloadOf(await byor.call('DUMP', 's'))).toBe(theirs);
        // read a byte at a time (an RDB file is read in windows): the same stream
        const bytes = Buffer.from(theirs, 'latin1');
        let given = 0;
        const decoder = new RdbDecoder(
          Buffer.alloc(0),
          DEFAULT_VALUE_LIMITS,
          0,
          0,
          (window, pos, end, count) => {
            const next = Buffer.concat([
              window.subarray(pos, end),
              bytes.subarray(given, given + count - (end - pos)),
            ]);
            given += next.length - (end - pos);
            return next;
          },
        );
        const windowed = decoder.value(decoder.byte());
        expect(windowed).toBeInstanceOf(StreamValue);
        expect(dumpPayload(pair.byor.server, windowed!)).toBe(theirs);
        // and from byor to redis-server
        const ours = payloadOf(await byor.call('DUMP', 's'));
        await redis.call('DEL', 's');
        expect(await redis.call('RESTORE', 's', '0', Buffer.from(ours, 'latin1'))).toBe('+OK\r\n');
        expect(await redis.call(...full)).toBe(await byor.call(...full));
        for (const command of [
          ['XINFO', 'STREAM', 's'],
          ['XINFO', 'STREAM', 's', 'FULL'],
          ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3'],
          ['XRANGE', 's', '-', '+'],
          ['XINFO', 'GROUPS', 's'],
          ['XPENDING', 's', 'workers'],
        ])
          expect(await byor.call(...command)).toBe(await redis.call(...command));
      });
    }

    it('AOF rewrite commands recreate each stream, on both servers alike', async () => {
      for (const [name, setup] of Object.entries(dumpSetups)) {
        // an XCLAIM of a deleted entry drops it from the PEL: redis-server's rewrite loses it too
        if (name.startsWith('a pending entry whose')) continue;
        for (const client of [byor, redis]) await client.call('FLUSHALL');
        for (const command of setup) await byor.call(...command);
        const value = pair.byor.server.db(0).lookup('s');
        expect(value).toBeInstanceOf(StreamValue);
        for (const command of streamCommands('t', value as StreamValue)) {
          const [mine, theirs] = await Promise.all([byor.call(...command), redis.call(...command)]);
          expect(theirs.startsWith('-'), `${command.join(' ')}: ${theirs}`).toBe(false);
          expect(mine).toBe(theirs);
        }
        expect(await byor.call('XINFO', 'STREAM', 't')).toBe(
          await redis.call('XINFO', 'STREAM', 't'),
        );
        // the rewrite packs entries into new nodes; everything else is the original's
        for (const command of [
          ['XRANGE', '?', '-', '+'],
          ['XINFO', 'GROUPS', '?'],
          ['XPENDING', '?', 'workers'],
          ['XPENDING', '?', 'workers', 'IDLE', '999999999', '-', '+', '100'],
        ]) {
          const original = await byor.call(...command.map((arg) => (arg === '?' ? 's' : arg)));
          const recreated = await redis.call(...command.map((arg) => (arg === '?' ? 't' : arg)));
          expect(recreated.replace("'t'", "'s'")).toBe(original);
        }
      }
    });

    it('loads a dump.rdb of redis-server with streams, and saves one redis-server loads', async () => {
      const source = await startRedisServer([]);
      const client = await RawClient.connect(source.port);
      try {
        for (const [index, setup] of Object.values(dumpSetups).entries()) {
          for (const command of setup)
            await client.call(...command.map((arg) => (arg === 's' ? `s${index}` : arg)));
        }
        await client.call('SAVE');
        const loaded = await startServer({
          port: 0,
          config: { dir: source.dir, dbfilename: 'dump.rdb' },
        });
        const mine = await RawClient.connect(loaded.port);
        try {
          for (let index = 0; index < Object.keys(dumpSetups).length; index++) {
            const full = ['XINFO', 'STREAM', `s${index}`, 'FULL', 'COUNT', '0'];
            expect(await mine.call(...full)).toBe(await client.call(...full));
          }
          await mine.call('SAVE');
        } finally {
          mine.close();
          await loaded.close();
        }
        const reloaded = await startRedisServer(['--dbfilename', 'dump.rdb', '--dir', source.dir]);
        const other = await RawClient.connect(reloaded.port);
        try {
          for (let index = 0; index < Object.keys(dumpSetups).length; index++) {
            const full = ['XINFO', 'STREAM', `s${index}`, 'FULL', 'COUNT', '0'];
            expect(await other.call(...full)).toBe(await client.call(...full));
          }
        } finally {
          other.close();
          await reloaded.stop();
        }
      } finally {
        client.close();
        await source.stop();
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------
// Time: generated IDs, idle and delivery times, timeouts (the test clock)

describe('streams on the test clock', () => {
  let redis: TestServer;
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    clients.push(client);
    return client;
  };
  const T0 = 1_700_000_000_000;

  beforeAll(async () => {
    redis = await createTestServer();
  });
  afterEach(() => {
    redis.clock.unfreeze();
    redis.flush();
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('generates IDs from the clock and keeps them increasing when time goes back', async () => {
    const client = connect();
    // frozen first: setting the time, then freezing, lets a millisecond pass in between
    redis.clock.freeze();
    redis.clock.setTime(T0);
    expect(await client.xadd('s', '*', 'a', '1')).toBe(`${T0}-0`);
    expect(await client.xadd('s', '*', 'a', '2')).toBe(`${T0}-1`);
    redis.clock.fastForward(5);
    expect(await client.xadd('s', '*', 'a', '3')).toBe(`${T0 + 5}-0`);
    redis.clock.setTime(T0 - 60_000);
    expect(await client.xadd('s', '*', 'a', '4')).toBe(`${T0 + 5}-1`);
    expect(await client.xadd('s', `${T0 + 5}-*`, 'a', '5')).toBe(`${T0 + 5}-2`);
    expect(await client.xadd('s', `${T0 + 9}-*`, 'a', '6')).toBe(`${T0 + 9}-0`);
    expect(await client.xadd('t', `${T0}-*`, 'a', '1')).toBe(`${T0}-0`);
    expect(await client.xlen('s')).toBe(6);
  });

  it('reports idle times, delivery times and counts from the clock', async () => {
    const client = connect();
    // frozen first: setting the time, then freezing, lets a millisecond pass in between
    redis.clock.freeze();
    redis.clock.setTime(T0);
    await client.xadd('s', '1-1', 'a', '1');
    await client.xadd('s', '1-2', 'a', '2');
    await client.xgroup('CREATE', 's', 'g', '0');
    await client.xreadgroup('GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>');
    redis.clock.fastForward(1500);
    await client.xreadgroup('GROUP', 'g', 'bob', 'STREAMS', 's', '>');
    redis.clock.fastForward(500);
    expect(await client.xpending('s', 'g', '-', '+', 10)).toEqual([
      ['1-1', 'alice', 2000, 1],
      ['1-2', 'bob', 500, 1],
    ]);
    expect(await client.xpending('s', 'g', 'IDLE', 1000, '-', '+', 10)).toEqual([
      ['1-1', 'alice', 2000, 1],
    ]);
    expect(await client.xinfo('CONSUMERS', 's', 'g')).toEqual([
      ['name', 'alice', 'pending', 1, 'idle', 2000],
      ['name', 'bob', 'pending', 1, 'idle', 500],
    ]);
    // a history read delivers again: count + 1, idle 0
    await client.xreadgroup('GROUP', 'g', 'alice', 'STREAMS', 's', '0');
    expect(await client.xpending('s', 'g', '-', '+', 10, 'alice')).toEqual([
      ['1-1', 'alice', 0, 2],
    ]);
    // XCLAIM with a min idle time claims only entries idle that long
    redis.clock.fastForward(100);
    expect(await client.xclaim('s', 'g', 'carol', 300, '1-1', '1-2', 'JUSTID')).toEqual(['1-2']);
    expect(
      await client.xclaim('s', 'g', 'carol', 0, '1-1', 'IDLE', 5000, 'RETRYCOUNT', 9, 'JUSTID'),
    ).toEqual(['1-1']);
    expect(await client.xpending('s', 'g', '-', '+', 10)).toEqual([
      ['1-1', 'carol', 5000, 9],
      ['1-2', 'carol', 0, 1],
    ]);
    expect(await client.xclaim('s', 'g', 'dave', 0, '1-2', 'TIME', T0 + 1000, 'JUSTID')).toEqual([
      '1-2',
    ]);
    expect(await client.xclaim('s', 'g', 'dave', 0, '1-1', 'TIME', T0 + 999_999, 'JUSTID')).toEqual(
      ['1-1'],
    );
    expect(await client.xpending('s', 'g', '-', '+', 10)).toEqual([
      ['1-1', 'dave', 0, 9],
      ['1-2', 'dave', 1100, 1],
    ]);
    // XAUTOCLAIM skips entries not idle long enough
    redis.clock.fastForward(400);
    expect(await client.xautoclaim('s', 'g', 'erin', 1000, '0', 'JUSTID')).toEqual([
      '0-0',
      ['1-2'],
      [],
    ]);
    const full = (await client.xinfo('STREAM', 's', 'FULL')) as unknown[];
    const groups = full[full.indexOf('groups') + 1] as unknown[][];
    expect(groups[0]?.slice(0, 10)).toEqual([
      'name',
      'g',
      'last-delivered-id',
      '1-2',
      'entries-read',
      2,
      'lag',
      0,
      'pel-count',
      2,
    ]);
    expect(groups[0]?.[11]).toEqual([
      ['1-1', 'dave', T0 + 2100, 9],
      ['1-2', 'erin', T0 + 2500, 1],
    ]);
    const consumers = groups[0]?.[13] as unknown[][];
    expect(consumers.map((consumer) => consumer.slice(0, 6))).toEqual([
      ['name', 'alice', 'seen-time', T0 + 2000, 'pel-count', 0],
      ['name', 'bob', 'seen-time', T0 + 1500, 'pel-count', 0],
      ['name', 'carol', 'seen-time', T0 + 2100, 'pel-count', 0],
      ['name', 'dave', 'seen-time', T0 + 2100, 'pel-count', 1],
      ['name', 'erin', 'seen-time', T0 + 2500, 'pel-count', 1],
    ]);
  });

  it('times out a blocked reader when the clock passes its deadline', async () => {
    const reader = connect();
    const admin = connect();
    const reply = reader.xread('BLOCK', 60_000, 'STREAMS', 's', '$');
    await redis.waitFor(() => redis.server.blockedClients === 1);
    redis.clock.fastForward(59_000);
    expect(redis.server.blockedClients).toBe(1);
    redis.clock.fastForward(1_000);
    expect(await reply).toBeNull();
    await admin.xadd('s', '1-1', 'a', '1');
    expect(redis.server.blockedClients).toBe(0);
  });

  it('serves 20 group readers one entry each, first blocked first served', async () => {
    const admin = connect();
    await admin.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM');
    const workers = Array.from({ length: 20 }, () => connect());
    const replies: Promise<unknown>[] = [];
    for (const [i, worker] of workers.entries()) {
      replies.push(
        worker.xreadgroup(
          'GROUP',
          'workers',
          `w${i}`,
          'COUNT',
          1,
          'BLOCK',
          0,
          'STREAMS',
          'jobs',
          '>',
        ),
      );
      await redis.waitFor(() => redis.server.blockedClients === i + 1);
    }
    for (let i = 0; i < 20; i++) await admin.xadd('jobs', `1-${i + 1}`, 'job', String(i));
    const served = await Promise.all(replies);
    expect(served).toEqual(
      Array.from({ length: 20 }, (_, i) => [['jobs', [[`1-${i + 1}`, ['job', String(i)]]]]]),
    );
    const pending = await admin.xpending('jobs', 'workers');
    expect(pending[0]).toBe(20);
    expect((pending[3] as unknown[]).length).toBe(20);
  });

  it('forgets a reader that disconnects while blocked, and CLIENT UNBLOCK ends a wait', async () => {
    const admin = connect();
    await admin.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
    const leaver = connect();
    void leaver.xreadgroup('GROUP', 'g', 'leaver', 'BLOCK', 0, 'STREAMS', 's', '>').catch(() => 0);
    await redis.waitFor(() => redis.server.blockedClients === 1);
    const stayer = connect();
    const served = stayer.xreadgroup('GROUP', 'g', 'stayer', 'BLOCK', 0, 'STREAMS', 's', '>');
    await redis.waitFor(() => redis.server.blockedClients === 2);
    leaver.disconnect();
    await redis.waitFor(() => redis.server.blockedClients === 1);
    await admin.xadd('s', '1-1', 'a', '1');
    expect(await served).toEqual([['s', [['1-1', ['a', '1']]]]]);
    const waiter = connect();
    const id = await waiter.client('ID');
    const unblocked = waiter.xread('BLOCK', 0, 'STREAMS', 's', '$');
    await redis.waitFor(() => redis.server.blockedClients === 1);
    expect(await admin.client('UNBLOCK', id)).toBe(1);
    expect(await unblocked).toBeNull();
    const failed = expect(waiter.xread('BLOCK', 0, 'STREAMS', 's', '$')).rejects.toThrow(
      'UNBLOCKED',
    );
    await redis.waitFor(() => redis.server.blockedClients === 1);
    // (the waiter's error may arrive before this reply: the expectation is already attached)
    expect(await admin.client('UNBLOCK', id, 'ERROR')).toBe(1);
    await failed;
    expect(await waiter.ping()).toBe('PONG');
  });

  it('a pipelined command behind a blocked XREAD runs after it is served', async () => {
    const client = connect();
    const admin = connect();
    const pipeline = client
      .pipeline()
      .xread('BLOCK', 0, 'STREAMS', 's', '0')
      .xadd('s', '2-1', 'mine', '1')
      .xlen('s')
      .exec();
    await redis.waitFor(() => redis.server.blockedClients === 1);
    await admin.xadd('s', '1-1', 'first', '1');
    expect(await pipeline).toEqual([
      [null, [['s', [['1-1', ['first', '1']]]]]],
      [null, '2-1'],
      [null, 2],
    ]);
  });

  it('node-redis reads streams and groups in RESP2 and RESP3', async () => {
    const ours = await nodeRedisSession(redis.port);
    expect(ours[0]).toBe('1-1');
    if (redisAvailable) {
      const other = await startRedisServer([]);
      try {
        expect(ours).toEqual(await nodeRedisSession(other.port));
      } finally {
        await other.stop();
      }
    }
  });
});

/** The same node-redis calls in RESP2 then RESP3; returns what they resolved to. */
async function nodeRedisSession(port: number): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const RESP of [2, 3] as const) {
    const client = createClient({ socket: { port, host: '127.0.0.1' }, RESP });
    await client.connect();
    try {
      await client.flushAll();
      results.push(await client.xAdd('s', '1-1', { a: '1', b: '2' }));
      results.push(await client.xAdd('s', '1-2', { a: '3' }));
      results.push(await client.xRange('s', '-', '+'));
      results.push(await client.xRevRange('s', '+', '-', { COUNT: 1 }));
      results.push(await client.xRead({ key: 's', id: '0' }));
      results.push(await client.xGroupCreate('s', 'g', '0'));
      results.push(await client.xReadGroup('g', 'c', { key: 's', id: '>' }, { COUNT: 1 }));
      results.push(await client.xPending('s', 'g'));
      results.push(await client.xAck('s', 'g', '1-1'));
      results.push(await client.xLen('s'));
      results.push(await client.xTrim('s', 'MAXLEN', 1));
      const info = await client.xInfoStream('s');
      results.push(info);
      results.push(await client.xInfoGroups('s'));
    } finally {
      client.destroy();
    }
  }
  return results;
}
