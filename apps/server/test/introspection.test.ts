import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import {
  HISTOGRAM_LEVELS,
  LATENCY_SAMPLES,
  LatencyTimeSeries,
  histogramLevel,
  histogramLevelMicros,
  renderSparkline,
} from '../src/latency.js';
import { drawSchotter, renderCanvas, schotter } from '../src/lolwut.js';
import {
  redisAvailable,
  runCases,
  startPair,
  type DiffCase,
  type Pair,
} from './differential/harness.js';

/** DEBUG cases: compared with a redis-server that has DEBUG enabled. */
const debugCases: DiffCase[] = [
  {
    name: 'digest of every type, with and without TTLs',
    commands: [
      ['DEBUG', 'DIGEST'],
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100'],
      ['SET', 'n', '12345'],
      ['ZADD', 'z', '0.1', 'a', '1.5', 'b', '-inf', 'c'],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['SADD', 's', '1', '2', 'x'],
      ['SADD', 'si', '1', '2', '-3'],
      ['HSET', 'h', 'f', 'v', 'g', 'w'],
      ['XADD', 'x', '1-1', 'a', 'b'],
      ['XADD', 'x', '2-5', 'a', 'c', 'd', 'e'],
      ['SET', 'bin', '\x00\xff\r\n'],
      ['DEBUG', 'DIGEST'],
      ['DEBUG', 'DIGEST-VALUE', 'k', 'n', 'z', 'l', 's', 'si', 'h', 'x', 'bin', 'nokey'],
      ['DEBUG', 'DIGEST-VALUE'],
      ['SELECT', '3'],
      ['SET', 'k', 'v'],
      ['DEBUG', 'DIGEST'],
      ['DEBUG', 'DIGEST', 'x'],
    ],
  },
  {
    name: 'digest order: lists ordered, sets not',
    commands: [
      ['RPUSH', 'a', '1', '2'],
      ['RPUSH', 'b', '2', '1'],
      ['SADD', 'c', 'x', 'y'],
      ['SADD', 'd', 'y', 'x'],
      ['DEBUG', 'DIGEST-VALUE', 'a', 'b', 'c', 'd'],
    ],
  },
  {
    name: 'digest of big encodings',
    commands: [
      ['RPUSH', 'l', ...Array.from({ length: 200 }, (_, i) => `e${i}`)],
      ['HSET', 'h', ...Array.from({ length: 300 }, (_, i) => `f${i % 150}`)],
      ['ZADD', 'z', ...Array.from({ length: 300 }, (_, i) => (i % 2 ? `m${i}` : `${i / 7}`))],
      ['SADD', 's', ...Array.from({ length: 600 }, (_, i) => `${i}`)],
      ['DEBUG', 'DIGEST-VALUE', 'l', 'h', 'z', 's'],
      ['DEBUG', 'DIGEST'],
    ],
  },
  {
    name: 'protocol types in RESP2',
    commands: [
      ...['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map'].map((t) => [
        'DEBUG',
        'PROTOCOL',
        t,
      ]),
      ...['attrib', 'push', 'verbatim', 'true', 'false', 'nosuch'].map((t) => [
        'DEBUG',
        'PROTOCOL',
        t,
      ]),
      ['DEBUG', 'PROTOCOL'],
    ],
  },
  {
    name: 'protocol types in RESP3',
    resp: 3,
    commands: [
      ...['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map'].map((t) => [
        'DEBUG',
        'PROTOCOL',
        t,
      ]),
      ['DEBUG', 'PROTOCOL', 'attrib'],
      ['DEBUG', 'PROTOCOL', 'verbatim'],
      ['DEBUG', 'PROTOCOL', 'TRUE'],
      ['DEBUG', 'PROTOCOL', 'false'],
    ],
  },
  {
    name: 'reload keeps the dataset',
    commands: [
      ['SET', 'k', 'v'],
      ['RPUSH', 'l', 'a', 'b'],
      ['HSET', 'h', 'f', 'v'],
      ['PEXPIRE', 'k', '100000'],
      ['DEBUG', 'DIGEST'],
      ['DEBUG', 'RELOAD'],
      ['DEBUG', 'DIGEST'],
      ['DBSIZE'],
      ['SET', 'later', 'x'],
      ['DEBUG', 'RELOAD', 'NOSAVE'],
      ['EXISTS', 'later'],
      ['DEBUG', 'RELOAD', 'bogus'],
      ['LRANGE', 'l', '0', '-1'],
    ],
  },
  {
    name: 'quicklist-packed-threshold reads a size as memtoull does',
    commands: [
      ...[
        '1kb',
        'KB',
        '4gb',
        '4294967295',
        '4293918720',
        '4293918721',
        '18446744073709551616',
        '-1',
        '1.5',
        '5k',
        'x',
      ].map((size) => ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', size]),
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
    ],
  },
  {
    name: 'other subcommands and errors',
    commands: [
      ['DEBUG', 'nosuch'],
      ['DEBUG', 'nosuch', 'a\r\nb'],
      ['DEBUG'],
      ['DEBUG', 'HELP', 'x'],
      ['DEBUG', 'JMAP'],
      ['DEBUG', 'STRINGMATCH-LEN'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'ERROR', 'MYERR something'],
      ['DEBUG', 'ERROR', 'line\r\nbreak'],
      ['DEBUG', 'LOG', 'hello'],
      ['DEBUG', 'LEAK', 'x'],
      ['DEBUG', 'CHANGE-REPL-ID'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '10'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1gb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'x'],
      ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1'],
      ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '0'],
      ['DEBUG', 'LISTPACK', 'nokey'],
      ['DEBUG', 'QUICKLIST', 'nokey'],
      ['HSET', 'h', 'f', 'v'],
      ['RPUSH', 'l', 'a'],
      ['DEBUG', 'LISTPACK', 'h'],
      ['DEBUG', 'LISTPACK', 'l'],
      ['DEBUG', 'QUICKLIST', 'l'],
      ['DEBUG', 'QUICKLIST', 'h'],
      ['DEBUG', 'SLEEP', '0'],
    ],
  },
  {
    name: 'populate',
    commands: [
      ['DEBUG', 'POPULATE', '3'],
      ['MGET', 'key:0', 'key:1', 'key:2', 'key:3'],
      ['SET', 'p:1', 'mine'],
      ['DEBUG', 'POPULATE', '3', 'p', '4'],
      ['MGET', 'p:0', 'p:1', 'p:2'],
      ['DEBUG', 'POPULATE', '2', 'q', '12'],
      ['MGET', 'q:0', 'q:1'],
      ['DEBUG', 'POPULATE', '-1'],
      ['DEBUG', 'POPULATE', 'x'],
      ['DEBUG', 'POPULATE', '1', 'r', 'y'],
      ['DEBUG', 'POPULATE', '1', 'r', '-1'],
      ['DBSIZE'],
    ],
  },
];

describe.skipIf(!redisAvailable)('DEBUG against redis-server with DEBUG enabled', () => {
  let pair: Pair;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byor-introspection-'));
    pair = await startPair({ 'enable-debug-command': 'yes', dir, save: '' });
  });
  afterAll(async () => {
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${debugCases.length} cases match byte for byte`, async () => {
    const { mismatches, commands } = await runCases(pair, debugCases);
    const report = mismatches
      .map(
        (m) =>
          `[${m.name}] ${m.command}\n  byor:  ${JSON.stringify(m.byor)}\n  redis: ${JSON.stringify(m.redis)}`,
      )
      .join('\n');
    expect(report, `${mismatches.length} of ${commands} replies differ`).toBe('');
  });
});

describe('histogram levels', () => {
  it('match redis-server hdr_histogram log-2 iteration', () => {
    // [microseconds, printed bucket]: from redis-server 7.0 replies and hdr_histogram arithmetic
    const table: [number, number][] = [
      [0, 1],
      [1, 1],
      [2, 2],
      [3, 4],
      [4, 4],
      [5, 8],
      [8, 8],
      [9, 16],
      [16, 16],
      [17, 33],
      [33, 33],
      [34, 66],
      [33_816, 33_816],
      [33_817, 67_633],
      [50_000, 67_633],
      [2_000_000, 1_082_130], // clamped to 1 s: the 2^30 ns level
    ];
    for (const [micros, printed] of table)
      expect([micros, histogramLevelMicros(histogramLevel(micros))]).toEqual([micros, printed]);
  });

  it('levels grow with the duration and stay in range', () => {
    fc.assert(
      fc.property(fc.nat(3_000_000), fc.nat(3_000_000), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const levelLow = histogramLevel(low);
        const levelHigh = histogramLevel(high);
        expect(levelLow).toBeLessThanOrEqual(levelHigh);
        expect(levelHigh).toBeLessThan(HISTOGRAM_LEVELS);
        // a duration is never printed below itself (the bucket is an upper bound)
        expect(histogramLevelMicros(levelLow)).toBeGreaterThanOrEqual(Math.min(low, 1_000_000));
      }),
    );
  });
});

describe('latency time series', () => {
  it('keeps the max per second and the last 160 seconds, as a model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 1000 })), {
          maxLength: 400,
        }),
        (steps) => {
          const series = new LatencyTimeSeries();
          const model: [number, number][] = [];
          let now = 1_700_000_000;
          let max = 0;
          for (const [advance, latency] of steps) {
            now += advance;
            series.add(now, latency);
            max = Math.max(max, latency);
            const last = model[model.length - 1];
            if (last && last[0] === now) last[1] = Math.max(last[1], latency);
            else model.push([now, latency]);
            expect(series.samples()).toEqual(model.slice(-LATENCY_SAMPLES));
            expect(series.max).toBe(max);
            expect(series.latest()).toEqual(model[model.length - 1]);
          }
        },
      ),
    );
  });
});

describe('sparkline', () => {
  it('renders as redis-server (one sample, seen in a LATENCY GRAPH reply)', () => {
    expect(renderSparkline([50], ['3s'], 80, 4)).toBe(' \n \n \n_\n \n3\ns\n');
  });

  it('draws bars of rising samples and labels under each', () => {
    expect(renderSparkline([0, 6, 11], ['1s', '2s', '10s'], 80, 4)).toBe(
      '  #\n _|\n ||\n_||\n   \n121\nss0\n  s\n',
    );
  });

  it('wraps past the column count', () => {
    const text = renderSparkline([1, 2, 3], ['', '', ''], 2, 1);
    expect(text).toBe('_o\n\n#\n');
  });
});

describe('lolwut', () => {
  it('canvas size and line widths follow the arguments', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (columns, perRow, perCol) => {
          const canvas = drawSchotter(columns, perRow, perCol);
          expect(canvas.width).toBe(columns * 2);
          const text = renderCanvas(canvas);
          const rows = Math.ceil(canvas.height / 4);
          const lines = text.split('\n');
          // a newline after each row of cells, except after a row starting on the last pixel line
          const trailing = canvas.height > 0 && (canvas.height - 1) % 4 !== 0 ? 1 : 0;
          expect(lines.length).toBe(canvas.height === 0 ? 1 : rows + trailing);
          // three UTF-8 bytes per Braille cell, one cell per two pixels
          for (const line of lines.slice(0, rows)) expect(line.length).toBe(columns * 3);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('the first two rows of squares do not depend on the random source', () => {
    const a = renderCanvas(drawSchotter(40, 4, 2, () => 0.1));
    const b = renderCanvas(drawSchotter(40, 4, 2, () => 0.9));
    expect(a).toBe(b);
    const c = renderCanvas(drawSchotter(40, 4, 3, () => 0.1));
    const d = renderCanvas(drawSchotter(40, 4, 3, () => 0.9));
    expect(c).not.toBe(d);
  });

  it('ends with the caption', () => {
    expect(schotter(1, 1, 1, '7.0.15')).toBe(
      '\xe2\xa0\x8b\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n',
    );
  });
});

describe('over TCP', () => {
  let server: RunningServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startServer({ port: 0, config: { 'enable-debug-command': 'yes' } });
    client = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
  });
  afterAll(async () => {
    client.disconnect();
    await server.close();
  });

  it('LATENCY HISTOGRAM counts calls per command and subcommand', async () => {
    await client.config('RESETSTAT');
    for (let i = 0; i < 5; i++) await client.set('k', String(i));
    await client.get('k');
    await client.config('GET', 'maxmemory');
    const reply = (await client.call(
      'LATENCY',
      'HISTOGRAM',
      'set',
      'get',
      'config|get',
    )) as unknown[];
    const map = new Map<string, unknown[]>();
    for (let i = 0; i < reply.length; i += 2)
      map.set(reply[i] as string, reply[i + 1] as unknown[]);
    expect([...map.keys()]).toEqual(['set', 'get', 'config|get']);
    const set = map.get('set')!;
    expect(set[0]).toBe('calls');
    expect(set[1]).toBe(5);
    const buckets = set[3] as number[];
    // cumulative counts grow to the number of calls over power-of-two buckets
    expect(buckets[buckets.length - 1]).toBe(5);
    for (let i = 2; i < buckets.length; i += 2) {
      expect(buckets[i]!).toBeGreaterThan(buckets[i - 2]!);
      expect(buckets[i + 1]!).toBeGreaterThan(buckets[i - 1]!);
    }
    await client.config('RESETSTAT');
    const after = (await client.call('LATENCY', 'HISTOGRAM', 'set')) as unknown[];
    expect(after).toEqual([]);
    // a container brings its subcommands that have calls; a name given twice is answered twice
    await client.call('CLIENT', 'ID');
    await client.set('k', 'v');
    const names = (await client.call('LATENCY', 'HISTOGRAM', 'client', 'set', 'set')) as unknown[];
    expect(names.filter((_, i) => i % 2 === 0)).toEqual(['client|id', 'set', 'set']);
  });

  it('the latency monitor samples slow commands past the threshold', async () => {
    await client.call('LATENCY', 'RESET');
    await client.config('SET', 'latency-monitor-threshold', '5');
    try {
      await client.call('DEBUG', 'SLEEP', '0.02');
      const latest = (await client.call('LATENCY', 'LATEST')) as unknown[][];
      expect(latest.length).toBe(1);
      const [event, , latency, max] = latest[0]!;
      expect(event).toBe('command');
      expect(latency as number).toBeGreaterThanOrEqual(15);
      expect(max).toBe(latency);
      const history = (await client.call('LATENCY', 'HISTORY', 'command')) as number[][];
      expect(history.length).toBe(1);
      const graph = (await client.call('LATENCY', 'GRAPH', 'command')) as string;
      expect(graph).toMatch(/^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
      const doctor = (await client.call('LATENCY', 'DOCTOR')) as string;
      expect(doctor).toMatch(/^Dave, I have observed latency spikes/);
      expect(doctor).toMatch(/1\. command: 1 latency spikes/);
      expect(await client.call('LATENCY', 'RESET', 'command', 'nosuch')).toBe(1);
      expect(await client.call('LATENCY', 'LATEST')).toEqual([]);
    } finally {
      await client.config('SET', 'latency-monitor-threshold', '0');
    }
  });

  it('MEMORY STATS has redis-server 7.0 field names in order, and adds up', async () => {
    await client.flushall();
    await client.set('a', 'x'.repeat(100));
    await client.set('b', 'y', 'EX', 100);
    const reply = (await client.call('MEMORY', 'STATS')) as unknown[];
    const names = reply.filter((_, i) => i % 2 === 0);
    expect(names).toEqual([
      'peak.allocated',
      'total.allocated',
      'startup.allocated',
      'replication.backlog',
      'clients.slaves',
      'clients.normal',
      'cluster.links',
      'aof.buffer',
      'lua.caches',
      'functions.caches',
      'db.0',
      'overhead.total',
      'keys.count',
      'keys.bytes-per-key',
      'dataset.bytes',
      'dataset.percentage',
      'peak.percentage',
      'allocator.allocated',
      'allocator.active',
      'allocator.resident',
      'allocator-fragmentation.ratio',
      'allocator-fragmentation.bytes',
      'allocator-rss.ratio',
      'allocator-rss.bytes',
      'rss-overhead.ratio',
      'rss-overhead.bytes',
      'fragmentation',
      'fragmentation.bytes',
    ]);
    const value = (name: string) => reply[reply.indexOf(name) + 1];
    expect(value('keys.count')).toBe(2);
    expect(value('db.0')).toEqual([
      'overhead.hashtable.main',
      32,
      'overhead.hashtable.expires',
      24,
      'overhead.hashtable.slot-to-keys',
      0,
    ]);
    const total = value('total.allocated') as number;
    expect((value('overhead.total') as number) + (value('dataset.bytes') as number)).toBe(total);
    const info = await client.info('memory');
    expect(info).toContain(`used_memory:${total}\r\n`);
    expect(await client.call('MEMORY', 'DOCTOR')).toMatch(/^Hi Sam, this instance is empty/);
    expect(await client.call('MEMORY', 'MALLOC-STATS')).toBe(
      'Stats not supported for the current allocator',
    );
  });

  it('DEBUG HELP lists the subcommands, DEBUG SET-ACTIVE-EXPIRE switches active expiry', async () => {
    const help = (await client.call('DEBUG', 'HELP')) as string[];
    expect(help[0]).toBe('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.slice(-2)).toEqual(['HELP', '    Prints this help.']);
    expect(help).toContain('DIGEST-VALUE <key> [<key> ...]');
    await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    expect(server.server.activeExpireEnabled).toBe(false);
    await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    expect(server.server.activeExpireEnabled).toBe(true);
  });
});
