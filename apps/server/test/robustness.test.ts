import { connect } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startServer, type RunningServer } from '../src/index.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';
import { encode } from './helpers/raw-client.js';

/** Sends raw bytes and collects everything the server answers until it closes or `ms` pass. */
function exchange(
  port: number,
  bytes: string | Buffer,
  ms = 300,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    let closed = false;
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {});
    socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
    setTimeout(() => {
      socket.destroy();
      resolve({ reply, closed });
    }, ms);
  });
}

const MALFORMED: Record<string, string> = {
  'invalid multibulk length': '*abc\r\n',
  'multibulk too long': '*1048577\r\n',
  'negative bulk length': '*1\r\n$-5\r\n',
  'bulk length not a number': '*1\r\n$x\r\n',
  'expected $': '*1\r\n+OK\r\n',
  'bulk over proto-max-bulk-len': '*1\r\n$536870913\r\n',
  'unbalanced quotes': 'SET "a b\r\n',
  'quote not followed by space': 'SET "a"b c\r\n',
  'commands before the error still run': 'PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*x\r\n',
  'inline command': 'SET a b\r\nGET a\r\n',
  'empty lines and *0 are skipped': '\r\n\r\n*0\r\nPING\r\n',
  'lf-only inline': 'PING\n',
  'inline with quotes and escapes': 'SET q "a\\x41\\n" \r\nGET q\r\n',
};

/** A command as a multibulk. */
const multibulk = (...argv: string[]): string => encode(argv).toString('latin1');

/** Pieces of input, well-formed and not, that random inputs are made of. */
const piece = fc.oneof(
  fc.constantFrom(
    multibulk('PING'),
    multibulk('SET', 'k', 'v'),
    multibulk('GET', 'k'),
    multibulk('ECHO', 'a\r\nb'),
    multibulk('NOSUCH', 'x'),
    multibulk(''),
    'PING\r\n',
    'ECHO hello world\r\n',
    'SET k "a b"\r\n',
    "ECHO 'x\\'y'\r\n",
    'ECHO "\\x4"\r\n',
    'GET k\n',
    '   \r\n',
    '\r\n',
    '*0\r\n',
    '*-1\r\n',
    '*\r\n',
    '$3\r\nabc\r\n',
    '*1\r\n$3\r\nPING\r\n',
    '*2\r\n$4\r\nECHO\r\n$3\r\nabcd\r\n',
    '*2\r\n$4\r\nECHO\r\n$5\r\nab\r\n',
    '*1\r\n$01\r\nx\r\n',
    '*1\r\n$+1\r\nx\r\n',
    '*01\r\n$4\r\nPING\r\n',
    '*1\r\n$4\r\nPING',
    '*3\r\n$3\r\nSET\r\n',
    '\x00\x01\x02\r\n',
    'PING\rPING\r\n',
  ),
  fc.constantFrom(...Object.values(MALFORMED)),
  fc.string({
    unit: fc.constantFrom('*', '$', '1', '2', '-', '\r', '\n', 'a', ' ', '"'),
    maxLength: 12,
  }),
);

describe.skipIf(!redisAvailable)(
  'malformed input: the same reply and disconnect as redis-server',
  () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await startPair();
    });
    afterAll(async () => {
      await pair.stop();
    });
    for (const [name, bytes] of Object.entries(MALFORMED)) {
      it(name, async () => {
        const [byor, redis] = await Promise.all([
          exchange(pair.byor.port, bytes),
          exchange(pair.redis.port, bytes),
        ]);
        expect(byor).toEqual(redis);
      });
    }
    it('pieces of well-formed and malformed input, in one write', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 6 }), async (pieces) => {
          const bytes = pieces.join('');
          const [byor, redis] = await Promise.all([
            exchange(pair.byor.port, bytes, 60),
            exchange(pair.redis.port, bytes, 60),
          ]);
          expect(byor, JSON.stringify(bytes)).toEqual(redis);
        }),
        {
          numRuns: Number(process.env.BYOR_FUZZ_RUNS ?? 60),
          // BYOR_FUZZ_SEED replays (or explores) another sequence of inputs
          seed:
            process.env.BYOR_FUZZ_SEED === undefined ? 0x5eed : Number(process.env.BYOR_FUZZ_SEED),
        },
      );
    }, 120_000);
  },
);

describe.skipIf(!redisAvailable)(
  'a huge negative count of a random pick: closed at the output-buffer hard limit, as redis-server',
  () => {
    let pair: Pair;
    const warnings: string[] = [];
    beforeAll(async () => {
      pair = await startPair(
        { 'client-output-buffer-limit': 'normal 1mb 0 0' },
        { ...silentLogger(), level: 'warning', warning: (line) => warnings.push(line) },
      );
      const setup = Buffer.concat([
        encode(['SADD', 's', 'm'.repeat(100)]),
        encode(['HSET', 'h', 'f', 'v'.repeat(100)]),
        encode(['ZADD', 'z', '1', 'm'.repeat(100)]),
      ]);
      await Promise.all([exchange(pair.byor.port, setup), exchange(pair.redis.port, setup)]);
    });
    afterAll(async () => {
      await pair.stop();
    });
    // counts past 2^53, and past the range of WITHVALUES / WITHSCORES (an error instead)
    const commands = [
      ['SRANDMEMBER s', ''],
      ['HRANDFIELD h', ' WITHVALUES'],
      ['ZRANDMEMBER z', ' WITHSCORES'],
    ].flatMap(([command, option]) =>
      ['-100000000', '-9223372036854775807'].flatMap((count) => [
        `${command} ${count}`,
        ...(option ? [`${command} ${count}${option}`] : []),
      ]),
    );
    for (const command of commands) {
      it(command, async () => {
        warnings.length = 0;
        const bytes = encode(command.split(' '));
        const [byor, redis] = await Promise.all([
          exchange(pair.byor.port, bytes, 1500),
          exchange(pair.redis.port, bytes, 1500),
        ]);
        // redis-server frees the client without writing what it had: nothing arrives
        expect(byor).toEqual(redis);
        expect(warnings.filter((line) => !line.includes('output buffer limits'))).toEqual([]);
        if (redis.closed) expect(warnings).toHaveLength(1);
      });
    }
  },
);

describe('bad input never costs memory or other clients', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      config: { 'client-output-buffer-limit': 'normal 256kb 128kb 0' },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('a huge declared bulk length does not allocate up front', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const { reply, closed } = await exchange(
      server.port,
      '*2\r\n$3\r\nGET\r\n$536870000\r\nabc',
      200,
    );
    expect(reply).toBe('');
    expect(closed).toBe(false);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('keys named like object internals are plain keys', async () => {
    const client = new Redis(server.port, { lazyConnect: true });
    await client.connect();
    try {
      for (const key of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'prototype']) {
        expect(await client.get(key)).toBeNull();
        expect(await client.set(key, `v-${key}`)).toBe('OK');
        expect(await client.get(key)).toBe(`v-${key}`);
        expect(await client.type(key)).toBe('string');
      }
      expect(await client.exists('__proto__', 'constructor')).toBe(2);
      expect((await client.keys('*')).sort()).toEqual([
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'prototype',
        'toString',
      ]);
      await client.flushall();
    } finally {
      client.disconnect();
    }
  });

  it('a client that never reads is dropped at the output limit; others are unaffected', async () => {
    const other = new Redis(server.port, { lazyConnect: true });
    await other.connect();
    const value = 'x'.repeat(64 * 1024);
    await other.set('big', value);
    const greedy = connect(server.port, '127.0.0.1');
    greedy.pause(); // never reads: it will not even see the disconnect
    greedy.on('error', () => {});
    await new Promise((resolve) => greedy.once('connect', resolve));
    const request = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(200), 'latin1');
    for (let i = 0; i < 20; i++) greedy.write(request);
    const clients = async () => ((await other.client('LIST')) as string).trim().split('\n').length;
    const deadline = Date.now() + 20_000;
    while ((await clients()) > 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await clients()).toBe(1);
    // dropped after a few MB of replies (kernel buffers + the limit), not after all 256 MB
    const loop = (server.server.network as unknown as { loop: { stats: { bytesSent: number } } })
      .loop;
    expect(loop.stats.bytesSent).toBeLessThan(32 * 1024 * 1024);
    expect(await other.get('big')).toBe(value);
    greedy.destroy();
    other.disconnect();
  });

  it('maxclients refuses with Redis error', async () => {
    const small = await startServer({ port: 0, config: { maxclients: 2 } });
    const sockets = [connect(small.port, '127.0.0.1'), connect(small.port, '127.0.0.1')];
    await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { reply, closed } = await exchange(small.port, 'PING\r\n', 200);
    expect(reply).toBe('-ERR max number of clients reached\r\n');
    expect(closed).toBe(true);
    for (const s of sockets) s.destroy();
    await small.close();
  });

  it('query buffer limit disconnects a flooding client', async () => {
    const small = await startServer({ port: 0, config: { 'client-query-buffer-limit': '1mb' } });
    const socket = connect(small.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('*2\r\n$3\r\nSET\r\n$3000000\r\n');
    socket.write(Buffer.alloc(2 * 1024 * 1024, 97));
    await closed;
    await small.close();
  });
});
