/**
 * `byor-cli bench`: request accounting (exactly -n requests, however split across clients,
 * pipelines and threads), random keys, the tests -t selects, and the reports. No timing is
 * asserted: the figures themselves are compared with redis-benchmark in bench/.
 */
import { startServer, type RunningServer } from '@byor/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/bench/options.js';
import { runBenchmark } from '../src/bench/run.js';
import { selectTests, standardTests } from '../src/bench/tests.js';
import { Connection } from '../src/connection.js';
import { byorCli } from './helpers/cli.js';
import { freePort } from '@byor/test-oracle';

describe('selectTests', () => {
  const all = standardTests(3);

  it.each([
    [undefined, all.length],
    [['set', 'get'], 2],
    [['SET'], 1],
    [['ping'], 2],
    [['lrange_300'], 2],
    [['lrange'], 5],
    [['nothing'], 0],
  ])('-t %j selects %d tests', (names, count) => {
    expect(selectTests(all, names)).toHaveLength(count);
  });

  it("keeps redis-benchmark's order and titles", () => {
    expect(
      selectTests(all, ['mset', 'lrange_100', 'ping_inline']).map((test) => test.title),
    ).toEqual([
      'PING_INLINE',
      'LPUSH (needed to benchmark LRANGE)',
      'LRANGE_100 (first 100 elements)',
      'MSET (10 keys)',
    ]);
  });

  it('finds the random-key placeholders in the encoded requests', () => {
    const [mset] = selectTests(standardTests(5), ['mset']);
    expect(mset!.placeholders).toHaveLength(10);
    for (const at of mset!.placeholders) {
      expect(mset!.request.subarray(at, at + 12).toString()).toBe('__rand_int__');
    }
  });
});

describe('byor-cli bench against byor', () => {
  let byor: RunningServer;
  let port: string;
  let connection: Connection;

  beforeAll(async () => {
    byor = await startServer({ port: 0 });
    port = String(byor.port);
    connection = await Connection.open({ port: byor.port });
  });
  afterAll(async () => {
    connection.close();
    await byor.close();
  });

  it.each([
    [['-c', '7', '-n', '1234'], 'one thread'],
    [['-c', '3', '-n', '1000', '-P', '16'], 'pipelined, a last partial batch'],
    [['-c', '5', '-n', '2001', '--threads', '2'], 'two worker threads'],
    [['-c', '50', '-n', '10'], 'more clients than requests'],
  ])('sends exactly -n requests: %j (%s)', async (flags) => {
    await connection.send(['DEL', 'counter']);
    const run = await byorCli(['-p', port, 'bench', ...flags, '-q', 'INCR', 'counter']);
    expect(run.code).toBe(0);
    const requests = Number(flags[flags.indexOf('-n') + 1]);
    expect(await connection.send(['GET', 'counter'])).toBe(String(requests));
    expect(run.out).toMatch(/^INCR counter: \d+\.\d\d requests per second, p50=\d+\.\d{3} msec\n$/);
  });

  it('-r spreads the keys over the keyspace, 12 digits each', async () => {
    await connection.send(['FLUSHALL']);
    const run = await byorCli(['-p', port, 'bench', '-t', 'set', '-n', '3000', '-r', '50', '-q']);
    expect(run.code).toBe(0);
    const keys = (await connection.send(['KEYS', '*'])) as string[];
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.length).toBeLessThanOrEqual(50);
    for (const key of keys) expect(key).toMatch(/^key:\d{12}$/);
    expect(await connection.send(['GET', keys[0]!])).toBe('xxx');
  });

  it('without -r the placeholder stays, as in redis-benchmark', async () => {
    await connection.send(['FLUSHALL']);
    await byorCli(['-p', port, 'bench', '-t', 'set', '-n', '100', '-d', '10', '-q']);
    expect(await connection.send(['KEYS', '*'])).toEqual(['key:__rand_int__']);
    expect(await connection.send(['GET', 'key:__rand_int__'])).toBe('x'.repeat(10));
  });

  it('reports every test, then a table of all of them', async () => {
    const run = await byorCli([
      '-p',
      port,
      'bench',
      '-t',
      'set,get,lrange_100',
      '-n',
      '500',
      '-c',
      '5',
    ]);
    expect(run.code).toBe(0);
    for (const title of [
      'SET',
      'GET',
      'LPUSH (needed to benchmark LRANGE)',
      'LRANGE_100 (first 100 elements)',
    ]) {
      expect(run.out).toContain(`====== ${title} ======\n  500 requests completed in `);
    }
    expect(run.out).toContain('  5 parallel clients\n  3 bytes payload\n');
    expect(run.out).toMatch(/throughput summary: \d+\.\d\d requests per second/);
    expect(run.out).toMatch(/ {9}avg {7}min {7}p50 {7}p95 {7}p99 {7}max\n(?: +\d+\.\d{3}){6}\n/);
    const table = run.out.slice(run.out.lastIndexOf('test '));
    expect(table.split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('--csv prints redis-benchmark CSV rows', async () => {
    const run = await byorCli(['-p', port, 'bench', '-t', 'ping', '-n', '300', '--csv']);
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toBe(
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
    );
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([
      '"PING_INLINE"',
      '"PING_MBULK"',
    ]);
    for (const line of lines.slice(1)) expect(line).toMatch(/^"[A-Z_]+"(,"\d+\.\d+"){7}$/);
  });

  it('--progress yes draws a progress bar', async () => {
    const run = await byorCli([
      '-p',
      port,
      'bench',
      '-t',
      'get',
      '-n',
      '2000',
      '-c',
      '2',
      '--progress',
      'yes',
      '-q',
    ]);
    // eslint-disable-next-line no-control-regex
    expect(run.out).toMatch(/\r\x1b\[2KGET {2}\[[#-]{24}\] +\d+% {2}[\d,]+\/2,000 {2}[\d,]+ rps/);
  });

  it('counts error replies and says so', async () => {
    const run = await byorCli(['-p', port, 'bench', '-n', '20', '-c', '2', '-q', 'LPUSH']);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      "Error from server: ERR wrong number of arguments for 'lpush' command (20 errors)\n",
    );
  });

  it('a server that is down is one line and status 1', async () => {
    const down = String(await freePort());
    const run = await byorCli(['-p', down, 'bench', '-n', '10']);
    expect([run.code, run.err]).toEqual([
      1,
      `Could not connect to Redis at 127.0.0.1:${down}: Connection refused\n`,
    ]);
  });

  it('runBenchmark: results with latencies in milliseconds and the histogram', async () => {
    const defaults = {
      host: '127.0.0.1',
      port: byor.port,
      socket: undefined,
      user: undefined,
      password: undefined,
      db: 0,
      protocol: undefined,
    };
    const seen: number[] = [];
    const results = await runBenchmark(
      parseBenchArgs(['-t', 'set,get', '-n', '400', '-c', '4'], defaults),
      {
        onProgress: (done) => seen.push(done),
      },
    );
    expect(results.map((result) => [result.title, result.requests, result.errors])).toEqual([
      ['SET', 400, 0],
      ['GET', 400, 0],
    ]);
    for (const result of results) {
      result.histogram.checkInvariants();
      expect(result.histogram.count).toBe(400);
      const l = result.latency;
      expect(l.min <= l.p50 && l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max).toBe(true);
      expect(result.rps).toBeCloseTo(400 / result.seconds, 6);
    }
    expect(seen.at(-1)).toBe(400);
  });
});
