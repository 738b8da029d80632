import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { RawClient, encode } from './helpers/raw-client.js';

/**
 * Blocking commands at their edges, compared with redis-server 7.0 byte for byte across several
 * connections: the key a client waits on deleted or changing type (DEL, SET, FLUSHDB, SWAPDB,
 * MOVE, RENAME, expiry) under BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK and XREADGROUP BLOCK; SWAPDB
 * bringing a list in; first-blocked-first-served across keys, after MULTI/EXEC and after a Lua
 * script; CLIENT UNBLOCK and CLIENT KILL of a blocked client; and what MONITOR shows of all this.
 *
 * Scenarios where byor differs from redis-server run as `it.fails` (they pass while the
 * difference exists), each with a comment naming the difference.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A step: a command on a connection. `'~'` before the command sends it and waits until the
 * server counts one more blocked client; `'!'` sends it and waits until the server counts one
 * fewer connection (CLIENT KILL); `'>>'` sends several commands separated by `'|'` in one write
 * and does not wait; `'-'` runs a command without recording what it received (HELLO, whose
 * reply names the server); connection -1 with `['sleep', ms]` waits. `$id:N` in an
 * argument is replaced with connection N's CLIENT ID on that server.
 */
type Step = readonly [connection: number, ...command: string[]];

interface Scenario {
  readonly connections: number;
  readonly steps: readonly Step[];
  /** strip MONITOR's timestamps and client ports (a connection in MONITOR mode is recorded) */
  readonly monitor?: boolean;
  /** why byor differs (the scenario then runs as it.fails) */
  readonly differs?: string;
}

async function until(what: string, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** MONITOR lines without their timestamp and with ports numbered by first appearance. */
function normalizeMonitor(text: string, ports: Map<string, number>): string {
  return text
    .split('\r\n')
    .filter((line) => !line.endsWith('"INFO" "clients"')) // the control connection polling
    .join('\r\n')
    .replace(/^\+\d+\.\d+ /gm, '+')
    .replace(/127\.0\.0\.1:(\d+)/g, (_, port: string) => {
      if (!ports.has(port)) ports.set(port, ports.size);
      return `client${ports.get(port)}`;
    });
}

async function transcript(port: number, scenario: Scenario): Promise<string[]> {
  const clients = await Promise.all(
    Array.from({ length: scenario.connections }, () => RawClient.connect(port)),
  );
  const control = await RawClient.connect(port);
  const info = async (field: string) =>
    Number(new RegExp(`${field}:(\\d+)`).exec(await control.call('INFO', 'clients'))?.[1] ?? -1);
  const ids = await Promise.all(
    clients.map(async (client) => /:(\d+)/.exec(await client.call('CLIENT', 'ID'))?.[1] ?? ''),
  );
  const ports = new Map<string, number>();
  const out: string[] = [];
  try {
    await control.call('FLUSHALL');
    for (const [index, ...raw] of scenario.steps) {
      const command = raw.map((arg) =>
        arg.replace(/\$id:(\d+)/, (_, n: string) => ids[Number(n)] ?? ''),
      );
      if (index < 0) {
        await sleep(Number(command[1]));
      } else if (command[0] === '~') {
        const before = await info('blocked_clients');
        clients[index]?.sendOnly(...command.slice(1));
        await until(
          `${command.join(' ')} to block`,
          async () => (await info('blocked_clients')) > before,
        );
      } else if (command[0] === '>>') {
        // one write holding several commands separated by '|': one batch on the server
        const batch: string[][] = [[]];
        for (const arg of command.slice(1)) {
          if (arg === '|') batch.push([]);
          else batch[batch.length - 1]?.push(arg);
        }
        void clients[index]?.send(Buffer.concat(batch.map((argv) => encode(argv))));
      } else if (command[0] === '!') {
        const before = await info('connected_clients');
        clients[index]?.sendOnly(...command.slice(1));
        await until(
          `${command.join(' ')} to close a connection`,
          async () => (await info('connected_clients')) < before,
        );
      } else {
        clients[index]?.sendOnly(...(command[0] === '-' ? command.slice(1) : command));
        await clients[index]?.waitForReply(3000);
      }
      const received = await Promise.all(clients.map((client) => client.drain(15)));
      if (command[0] === '-') continue;
      const shown = scenario.monitor ? received.map((r) => normalizeMonitor(r, ports)) : received;
      out.push(
        `${index}> ${raw.join(' ')}\n${shown.map((r, i) => `  [${i}] ${JSON.stringify(r)}`).join('\n')}`,
      );
    }
  } finally {
    for (const client of clients) client.close();
    control.close();
  }
  return out;
}

const LPUSH_EXEC = "redis.call('lpush', KEYS[1], 'a'); redis.call('lpush', KEYS[1], 'b'); return 1";

const scenarios: Record<string, Scenario> = {
  // ----- the key a client waits on changes under it
  'BLPOP: the key becomes a string (SET), LPUSH fails, DEL, then LPUSH serves it': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'SET', 'q', 'x'],
      [0, 'LPUSH', 'q', 'a'],
      [0, 'DEL', 'q'],
      [0, 'LPUSH', 'q', 'a'],
    ],
  },
  'BLPOP: the key is a string until the timeout': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'q', '0.1'],
      [0, 'SET', 'q', 'x'],
      [-1, 'sleep', '200'],
      [0, 'GET', 'q'],
    ],
  },
  'BLPOP: FLUSHDB, then a push still serves the waiter': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'FLUSHDB'],
      [0, 'RPUSH', 'q', 'a'],
    ],
  },
  'BLPOP: RENAME of a list over the key serves the waiter': {
    connections: 2,
    steps: [
      [0, 'RPUSH', 'src', 'a', 'b'],
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'RENAME', 'src', 'q'],
      [0, 'LRANGE', 'q', '0', '-1'],
    ],
  },
  'BLPOP: RENAME of a string over the key leaves the waiter blocked': {
    connections: 2,
    steps: [
      [0, 'SET', 'src', 'x'],
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'RENAME', 'src', 'q'],
      [0, 'DEL', 'q'],
      [0, 'RPUSH', 'q', 'a'],
    ],
  },
  'BLPOP: MOVE of a list from db 1 serves the waiter in db 0': {
    connections: 2,
    steps: [
      [0, 'SELECT', '1'],
      [0, 'RPUSH', 'q', 'a', 'b'],
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'MOVE', 'q', '0'],
      [0, 'SELECT', '0'],
      [0, 'LRANGE', 'q', '0', '-1'],
    ],
  },
  'BLPOP: COPY of a list into the key serves the waiter': {
    connections: 2,
    steps: [
      [0, 'RPUSH', 'src', 'a', 'b'],
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'COPY', 'src', 'q'],
      [0, 'LRANGE', 'q', '0', '-1'],
    ],
  },
  'SWAPDB 0 1 brings a list into db 0 where a client waits': {
    connections: 3,
    steps: [
      [0, 'SELECT', '1'],
      [0, 'RPUSH', 'q', 'a', 'b', 'c'],
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLMOVE', 'q', 'd', 'RIGHT', 'LEFT', '0'],
      [0, 'SWAPDB', '0', '1'],
      [0, 'SELECT', '0'],
      [0, 'LRANGE', 'q', '0', '-1'],
      [0, 'LRANGE', 'd', '0', '-1'],
    ],
  },
  'SWAPDB brings a string in: the waiter stays blocked, then is served': {
    connections: 2,
    steps: [
      [0, 'SELECT', '1'],
      [0, 'SET', 'q', 'x'],
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'SWAPDB', '0', '1'],
      [0, 'SELECT', '0'],
      [0, 'DEL', 'q'],
      [0, 'RPUSH', 'q', 'a'],
    ],
  },
  'BLMOVE: the destination became a string: the waiter gets WRONGTYPE, the element stays': {
    connections: 2,
    steps: [
      [1, '~', 'BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'],
      [0, 'SET', 'dst', 'x'],
      [0, 'RPUSH', 'src', 'a'],
      [0, 'LRANGE', 'src', '0', '-1'],
    ],
  },
  'BLMOVE: its push to the destination serves a second waiter (a chain)': {
    connections: 3,
    steps: [
      [1, '~', 'BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'],
      [2, '~', 'BLPOP', 'b', '0'],
      [0, 'RPUSH', 'a', 'x'],
      [0, 'EXISTS', 'a', 'b'],
    ],
  },
  'BZPOPMIN: SET, DEL and ZADD on the key it waits on': {
    connections: 2,
    steps: [
      [1, '~', 'BZPOPMIN', 'z', '0'],
      [0, 'SET', 'z', 'x'],
      [0, 'ZADD', 'z', '1', 'm'],
      [0, 'DEL', 'z'],
      [0, 'ZADD', 'z', '1', 'm', '2', 'n'],
      [0, 'ZRANGE', 'z', '0', '-1'],
    ],
  },
  'BZPOPMIN: ZRANGESTORE overwriting a string (dbOverwrite) does not wake the waiter': {
    connections: 2,
    steps: [
      [0, 'ZADD', 'src', '1', 'm'],
      [1, '~', 'BZPOPMIN', 'z', '0'],
      [0, 'SET', 'z', 'x'],
      [0, 'ZRANGESTORE', 'z', 'src', '0', '-1'],
      [0, 'ZRANGE', 'z', '0', '-1'],
      [0, 'ZADD', 'z', '2', 'n'],
      [0, 'ZRANGE', 'z', '0', '-1'],
    ],
  },
  'BZPOPMIN: SWAPDB brings a sorted set in': {
    connections: 2,
    steps: [
      [0, 'SELECT', '1'],
      [0, 'ZADD', 'z', '1', 'm', '2', 'n'],
      [1, '~', 'BZPOPMIN', 'z', '0'],
      [0, 'SWAPDB', '0', '1'],
    ],
  },
  'XREAD BLOCK: the stream is deleted, a new one with a higher ID serves the reader': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'DEL', 's'],
      [0, 'XADD', 's', '2-1', 'f', 'w'],
    ],
  },
  'XREAD BLOCK: a new stream with a lower ID than $ does not serve the reader': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '3-1', 'f', 'v'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'DEL', 's'],
      [0, 'XADD', 's', '1-1', 'f', 'w'],
      [0, 'XADD', 's', '4-1', 'f', 'x'],
    ],
  },
  'XREAD BLOCK: the key becomes a list, then a stream again': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'DEL', 's'],
      [0, 'RPUSH', 's', 'a'],
      [0, 'DEL', 's'],
      [0, 'XADD', 's', '5-1', 'f', 'x'],
    ],
  },
  'XREAD BLOCK: the stream expires while the reader waits': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [0, 'PEXPIRE', 's', '40'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [-1, 'sleep', '150'],
      [0, 'EXISTS', 's'],
      [0, 'XADD', 's', '2-1', 'f', 'w'],
    ],
  },
  'XREAD BLOCK: FLUSHDB, then XADD': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'FLUSHDB'],
      [0, 'XADD', 's', '2-1', 'f', 'w'],
    ],
  },
  'XREAD BLOCK: SWAPDB brings a stream with newer entries': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [0, 'SELECT', '1'],
      [0, 'XADD', 's', '1-1', 'f', 'old'],
      [0, 'XADD', 's', '7-1', 'f', 'new'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'SWAPDB', '0', '1'],
    ],
  },
  'XREADGROUP BLOCK: the stream is deleted and re-created without the group (NOGROUP)': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'DEL', 's'],
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [0, 'XINFO', 'GROUPS', 's'],
    ],
  },
  'XREADGROUP BLOCK: the group is destroyed, then an entry arrives': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'XGROUP', 'DESTROY', 's', 'g'],
      [0, 'XADD', 's', '1-1', 'f', 'v'],
    ],
  },
  'XREADGROUP BLOCK: the key becomes a string, then a stream with the group again': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'SET', 's', 'x'],
      [0, 'DEL', 's'],
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [0, 'XADD', 's', '1-1', 'f', 'v'],
    ],
  },
  'XREADGROUP BLOCK: FLUSHDB while waiting': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'FLUSHDB'],
      [0, 'XADD', 's', '1-1', 'f', 'v'],
    ],
  },
  'XREADGROUP BLOCK: the stream is renamed away, moved away, swapped away': {
    connections: 4,
    steps: [
      [0, 'XGROUP', 'CREATE', 'a', 'g', '$', 'MKSTREAM'],
      [0, 'XGROUP', 'CREATE', 'b', 'g', '$', 'MKSTREAM'],
      [0, 'XGROUP', 'CREATE', 'c', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'x', 'BLOCK', '0', 'STREAMS', 'a', '>'],
      [2, '~', 'XREADGROUP', 'GROUP', 'g', 'y', 'BLOCK', '0', 'STREAMS', 'b', '>'],
      [3, '~', 'XREADGROUP', 'GROUP', 'g', 'z', 'BLOCK', '0', 'STREAMS', 'c', '>'],
      [0, 'RENAME', 'a', 'a2'],
      [0, 'MOVE', 'b', '1'],
      [0, 'SWAPDB', '0', '1'],
      [0, 'XADD', 'c', '1-1', 'f', 'v'],
    ],
  },
  'XREADGROUP BLOCK: the stream expires while the consumer waits': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [0, 'PEXPIRE', 's', '40'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [-1, 'sleep', '300'],
      [0, 'EXISTS', 's'],
      [0, 'XADD', 's', '1-1', 'f', 'v'],
    ],
  },
  'XREADGROUP BLOCK: the consumer exists while it waits; XADD serves it and records the PEL': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'XINFO', 'CONSUMERS', 's', 'g'],
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [0, 'XPENDING', 's', 'g'],
    ],
  },
  'XREAD BLOCK on two streams: the first one written serves it': {
    connections: 2,
    steps: [
      [0, 'XADD', 'a', '1-1', 'f', 'v'],
      [0, 'XADD', 'b', '1-1', 'f', 'v'],
      [1, '~', 'XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '$'],
      [0, 'MULTI'],
      [0, 'XADD', 'b', '2-1', 'f', 'w'],
      [0, 'XADD', 'a', '2-1', 'f', 'w'],
      [0, 'EXEC'],
    ],
  },
  'FLUSHALL while a client waits, then a push': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'FLUSHALL'],
      [0, 'RPUSH', 'q', 'a'],
    ],
  },
  'SWAPDB with waiters in both databases': {
    connections: 4,
    steps: [
      [0, 'RPUSH', 'q', 'zero'],
      [0, 'SELECT', '1'],
      [0, 'RPUSH', 'p', 'one'],
      [1, '~', 'BLPOP', 'p', '0'],
      [2, 'SELECT', '1'],
      [2, '~', 'BLPOP', 'q', '0'],
      [0, 'SWAPDB', '0', '1'],
      [0, 'DBSIZE'],
    ],
  },
  'a waiter in db 1 is not served by a push to the same key name in db 0': {
    connections: 3,
    steps: [
      [1, 'SELECT', '1'],
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLPOP', 'q', '0'],
      [0, 'RPUSH', 'q', 'a'],
      [0, 'SELECT', '1'],
      [0, 'RPUSH', 'q', 'b'],
    ],
  },
  'BLPOP on the same key twice, BLMOVE from a list to itself': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'q', 'q', '0'],
      [2, '~', 'BLMOVE', 'r', 'r', 'RIGHT', 'LEFT', '0'],
      [0, 'RPUSH', 'q', 'a', 'b'],
      [0, 'RPUSH', 'r', 'x'],
      [0, 'LRANGE', 'r', '0', '-1'],
    ],
  },
  'blocking commands inside a Lua script answer at once': {
    connections: 1,
    steps: [
      [0, 'EVAL', "return redis.call('blpop', KEYS[1], 0)", '1', 'q'],
      [
        0,
        'EVAL',
        "return redis.call('blmove', KEYS[1], KEYS[2], 'LEFT', 'LEFT', 0)",
        '2',
        'q',
        'd',
      ],
      [0, 'EVAL', "return redis.call('bzpopmin', KEYS[1], 0)", '1', 'z'],
      [0, 'EVAL', "return redis.call('xread', 'BLOCK', 0, 'STREAMS', KEYS[1], '$')", '1', 's'],
      [0, 'RPUSH', 'q', 'a'],
      [0, 'EVAL', "return redis.call('blpop', KEYS[1], 0)", '1', 'q'],
    ],
  },
  'a WATCHed key popped by a served waiter fails the transaction': {
    connections: 3,
    steps: [
      [2, 'WATCH', 'q'],
      [1, '~', 'BLPOP', 'q', '0'],
      [0, 'RPUSH', 'q', 'a'],
      [2, 'MULTI'],
      [2, 'PING'],
      [2, 'EXEC'],
    ],
  },
  'a BLPOP pipelined behind a slow command: its timeout starts when it runs': {
    connections: 2,
    // The deadline is 0.3 + 0.6 s after the write. byor runs in this process, so its DEBUG
    // SLEEP also holds up this test's timers: the push comes about 0.3 + 0.4 s after the write
    // for byor and 0.4 s after it for redis-server, inside the deadline for both; a timeout
    // counted from the batch's start (0.6 s) would miss it.
    steps: [
      [1, '>>', 'DEBUG', 'SLEEP', '0.3', '|', 'BLPOP', 'q', '0.6'],
      [-1, 'sleep', '400'],
      [0, 'RPUSH', 'q', 'a'],
    ],
  },
  'RESP3 waiters: timeouts, CLIENT UNBLOCK and wake-ups as RESP3 replies': {
    connections: 4,
    steps: [
      [1, '-', 'HELLO', '3'],
      [2, '-', 'HELLO', '3'],
      [3, '-', 'HELLO', '3'],
      [1, '~', 'BLMOVE', 'q', 'd', 'LEFT', 'RIGHT', '0.05'],
      [-1, 'sleep', '150'],
      [1, '~', 'BZPOPMIN', 'z', '0'],
      [2, '~', 'BLPOP', 'q', '0'],
      [3, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'CLIENT', 'UNBLOCK', '$id:2'],
      [0, 'CLIENT', 'UNBLOCK', '$id:3', 'ERROR'],
      [0, 'ZADD', 'z', '1.5', 'm'],
      [2, '~', 'BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '2'],
      [0, 'RPUSH', 'q', 'a', 'b', 'c'],
    ],
  },
  'BLMPOP and BZMPOP waiters with COUNT share what arrives in block order': {
    connections: 3,
    steps: [
      [1, '~', 'BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2'],
      [2, '~', 'BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '5'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'b', '1', '2', '3'],
      [0, 'ZADD', 'z', '1', 'x', '2', 'y'],
      [0, 'EXEC'],
      [0, 'LRANGE', 'b', '0', '-1'],
    ],
  },
  'XREAD BLOCK: a stream renamed over the key it waits on serves it': {
    connections: 3,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [0, 'XADD', 'other', '1-1', 'f', 'o1'],
      [0, 'XADD', 'other', '9-1', 'f', 'o9'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [2, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '5-0'],
      [0, 'RENAME', 'other', 's'],
    ],
  },
  'XREADGROUP BLOCK: a stream with the same group renamed over the key': {
    connections: 2,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [0, 'XADD', 'other', '1-1', 'f', 'v'],
      [0, 'XGROUP', 'CREATE', 'other', 'g', '0'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'RENAME', 'other', 's'],
      [0, 'XPENDING', 's', 'g'],
    ],
  },
  'XREAD BLOCK: MULTI/EXEC adding several entries gives the reader all of them': {
    connections: 2,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [1, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'MULTI'],
      [0, 'XADD', 's', '2-1', 'f', 'a'],
      [0, 'XADD', 's', '3-1', 'f', 'b'],
      [0, 'XDEL', 's', '2-1'],
      [0, 'EXEC'],
    ],
  },
  // ----- order of service
  'waiters on several keys are served in the order they blocked, per key': {
    connections: 5,
    steps: [
      [1, '~', 'BLPOP', 'a', 'b', '0'],
      [2, '~', 'BLPOP', 'b', 'a', '0'],
      [3, '~', 'BLPOP', 'b', '0'],
      [4, '~', 'BLPOP', 'a', '0'],
      [0, 'RPUSH', 'b', 'x', 'y'],
      [0, 'RPUSH', 'a', 'z'],
      [0, 'RPUSH', 'b', 'w'],
    ],
  },
  'MULTI/EXEC pushing to two keys: ready keys in push order, waiters in block order': {
    connections: 5,
    steps: [
      [1, '~', 'BLPOP', 'a', '0'],
      [2, '~', 'BLPOP', 'b', '0'],
      [3, '~', 'BLPOP', 'a', 'b', '0'],
      [4, '~', 'BZPOPMIN', 'z', '0'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'b', '1', '2'],
      [0, 'ZADD', 'z', '1', 'm'],
      [0, 'RPUSH', 'a', '3'],
      [0, 'EXEC'],
      [0, 'LRANGE', 'a', '0', '-1'],
      [0, 'LRANGE', 'b', '0', '-1'],
    ],
  },
  'MULTI/EXEC pushing then popping: the waiter sees only what is left after EXEC': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLPOP', 'q', '0'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'q', 'a', 'b', 'c'],
      [0, 'LPOP', 'q'],
      [0, 'EXEC'],
      [0, 'MULTI'],
      [0, 'RPUSH', 'q', 'd'],
      [0, 'DEL', 'q'],
      [0, 'EXEC'],
    ],
  },
  'a Lua script pushing twice serves the waiters after the script': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLPOP', 'q', '0'],
      [0, 'EVAL', LPUSH_EXEC, '1', 'q'],
      [0, 'EXISTS', 'q'],
    ],
  },
  'a Lua script that pushes and pops leaves nothing to serve': {
    connections: 2,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [
        0,
        'EVAL',
        "redis.call('rpush', KEYS[1], 'a'); return redis.call('lpop', KEYS[1])",
        '1',
        'q',
      ],
      [0, 'RPUSH', 'q', 'b'],
    ],
  },
  // ----- CLIENT UNBLOCK and CLIENT KILL
  'CLIENT UNBLOCK TIMEOUT and ERROR on BLPOP, BLMOVE, BZPOPMIN and XREAD': {
    connections: 5,
    steps: [
      [0, 'XADD', 's', '1-1', 'f', 'v'],
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0'],
      [3, '~', 'BZPOPMIN', 'z', '0'],
      [4, '~', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
      [0, 'CLIENT', 'UNBLOCK', '$id:1', 'TIMEOUT'],
      [0, 'CLIENT', 'UNBLOCK', '$id:2', 'ERROR'],
      [0, 'CLIENT', 'UNBLOCK', '$id:3'],
      [0, 'CLIENT', 'UNBLOCK', '$id:4', 'ERROR'],
      [0, 'CLIENT', 'UNBLOCK', '$id:4', 'ERROR'],
      [0, 'CLIENT', 'UNBLOCK', '$id:0'],
      [0, 'RPUSH', 'q', 'a'],
    ],
  },
  'CLIENT UNBLOCK of a XREADGROUP waiter, and of a client inside MULTI': {
    connections: 3,
    steps: [
      [0, 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      [1, '~', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
      [0, 'CLIENT', 'UNBLOCK', '$id:1', 'ERROR'],
      [2, 'MULTI'],
      [2, 'BLPOP', 'q', '0'],
      [0, 'CLIENT', 'UNBLOCK', '$id:2'],
      [2, 'EXEC'],
    ],
  },
  'CLIENT KILL of a blocked client: the next waiter gets the element': {
    connections: 3,
    steps: [
      [1, '~', 'BLPOP', 'q', '0'],
      [2, '~', 'BLPOP', 'q', '0'],
      [0, '!', 'CLIENT', 'KILL', 'ID', '$id:1'],
      [0, 'RPUSH', 'q', 'a', 'b'],
      [0, 'LRANGE', 'q', '0', '-1'],
    ],
  },
  // ----- what MONITOR shows
  'MONITOR: a blocked BLPOP, its wake-up by MULTI/EXEC, SELECT inside it': {
    connections: 3,
    monitor: true,
    steps: [
      [0, 'MONITOR'],
      [1, '~', 'BLPOP', 'q', '0'],
      [2, 'MULTI'],
      [2, 'RPUSH', 'q', 'a'],
      [2, 'SELECT', '1'],
      [2, 'SET', 'k', 'v'],
      [2, 'EXEC'],
      [2, 'SELECT', '0'],
    ],
  },
  'MONITOR: EVAL and the commands its script runs': {
    connections: 3,
    monitor: true,
    steps: [
      [0, 'MONITOR'],
      [1, '~', 'BLPOP', 'q', '0'],
      [2, 'EVAL', LPUSH_EXEC, '1', 'q'],
    ],
  },
};

describe.skipIf(!redisAvailable)('blocking at the edges: byor vs redis-server 7.0', () => {
  let pair: Pair;
  beforeAll(async () => {
    // DEBUG SLEEP stands in for a slow command
    pair = await startPair({ 'enable-debug-command': 'yes' });
  });
  afterAll(async () => {
    await pair.stop();
  });

  for (const [name, scenario] of Object.entries(scenarios)) {
    const test = scenario.differs ? it.fails : it;
    test(name, async () => {
      const redis = await transcript(pair.redis.port, scenario);
      const byor = await transcript(pair.byor.port, scenario);
      // EDGE_DUMP=1 prints redis-server's transcript and byor's when it differs
      if (process.env.EDGE_DUMP) {
        const same = JSON.stringify(byor) === JSON.stringify(redis);
        console.log(`${name}\n${redis.join('\n')}\n--- byor\n${same ? 'same' : byor.join('\n')}`);
      }
      expect(byor).toEqual(redis);
    });
  }
});
