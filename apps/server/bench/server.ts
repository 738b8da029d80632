/**
 * byor-server next to redis-server, measured the same way in the same run:
 *
 *   pnpm --filter @byor/server bench:server [-- --rounds 3 --requests 200000 --quick --bin <bin.js>]
 *
 * Starts byor (the built dist/bin.js, its own process) and Debian's redis-server on free
 * loopback ports, warms both up (each test once, a tenth of a run, then FLUSHALL: byor's
 * JavaScript is compiled as it runs, and a cold first round measures the compiler; `--cold`
 * skips it), runs redis-benchmark against each in alternation (several rounds, three times as
 * many at -P 1; medians), and prints rps and latency percentiles with the ratio byor /
 * redis-server per test. Then loads 1M string keys (16-byte values) and 100k hashes of 10 fields
 * into each and compares RSS.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchArgs, freePort, lrangeCommand, machineNow, waitForPort } from './ports.js';

const { values: options } = parseArgs({
  args: benchArgs(),
  options: {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '200000' },
    quick: { type: 'boolean', default: false },
    /** no warm-up pass: the first round runs on servers that have served nothing yet */
    cold: { type: 'boolean', default: false },
    'skip-memory': { type: 'boolean', default: false },
    /**
     * core: redis-benchmark's tests, then the memory table; scripts: EVAL, EVALSHA, XADD,
     * XREADGROUP; all: every table; memory: the memory table alone
     */
    suite: { type: 'string', default: 'core' },
    /** the byor binary to run (default this package's dist/bin.js) */
    bin: { type: 'string', default: join(import.meta.dirname, '..', 'dist', 'bin.js') },
  },
});
const ROUNDS = Number(options.rounds);
const REQUESTS = Number(options.requests);
/**
 * Requests per run at a pipeline depth: -P 16 answers ~8x faster, and at the -P 1 count a run
 * lasted a third of a second, too short to be more than noise on a shared machine.
 */
const requestsAt = (pipeline: number): number => (pipeline > 1 ? REQUESTS * 5 : REQUESTS);
/**
 * Rounds at a pipeline depth: a -P 1 run's p99 moves by a third from run to run on a shared
 * two-core machine (one build's SET p99 was 0.43 and 0.65 ms within a minute), so -P 1 runs three
 * times as many rounds (they last ~2 s each) and its medians of 9 come out steady.
 */
const roundsAt = (pipeline: number): number => (pipeline > 1 ? ROUNDS : ROUNDS * 3);
const TESTS = options.quick
  ? ['set', 'get']
  : ['set', 'get', 'incr', 'lpush', 'lpop', 'sadd', 'hset', 'zadd', 'lrange_100', 'mset'];
const PIPELINES = [1, 16];

interface Target {
  name: 'byor' | 'redis';
  port: number;
  process: ChildProcess;
  dir: string;
}

async function start(name: Target['name']): Promise<Target> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir];
  const child =
    name === 'byor'
      ? spawn(process.execPath, [options.bin, ...args], {
          stdio: 'ignore',
        })
      : spawn('redis-server', args, { stdio: 'ignore' });
  await waitForPort(port);
  return { name, port, process: child, dir };
}

function stop(target: Target): void {
  target.process.kill('SIGKILL');
  rmSync(target.dir, { recursive: true, force: true });
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
}

/**
 * One redis-benchmark run: a built-in test (`-t`), or `command` (its arguments) when given, of
 * `requests` requests (default: requestsAt the pipeline depth).
 */
function runBenchmark(
  port: number,
  test: string,
  pipeline: number,
  command?: readonly string[],
  requests = requestsAt(pipeline),
): Sample {
  const lrange = command ? undefined : lrangeCommand(test);
  // an lrange test times the LRANGE alone, on a list filled first (see lrangeCommand)
  if (lrange) runBenchmark(port, 'lpush', pipeline, undefined, requests);
  command ??= lrange;
  const out = execFileSync(
    'redis-benchmark',
    [
      '-p',
      String(port),
      ...(command ? [] : ['-t', test]),
      '-n',
      String(requests),
      '-c',
      '50',
      '-d',
      '16',
      '-r',
      '100000',
      '-P',
      String(pipeline),
      '--csv',
      ...(command ?? []),
    ],
    { encoding: 'utf8' },
  );
  const line =
    out
      .trim()
      .split('\n')
      .find((row) => !row.startsWith('"test"')) ?? '';
  // quoted CSV fields: a custom command's name may hold commas (EVAL "...,...")
  const fields = [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((match) => Number(match[1]));
  return { rps: fields[1] ?? 0, p50: fields[4] ?? 0, p99: fields[6] ?? 0 };
}

/**
 * Runs every test once at every depth with a tenth of a run's requests, then empties the
 * server: the rounds then measure compiled code (for byor) on an empty keyspace, as a fresh
 * server would have.
 */
function warmUp(target: Target): void {
  for (const pipeline of PIPELINES) {
    for (const test of TESTS) {
      runBenchmark(target.port, test, pipeline, undefined, Math.ceil(requestsAt(pipeline) / 10));
    }
  }
  execFileSync('redis-cli', ['-p', String(target.port), 'flushall']);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function rss(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Loads data with a pipelined stream of commands through redis-cli --pipe. */
function load(port: number, lines: Iterable<string>): void {
  let text = '';
  for (const line of lines) text += line;
  const result = spawnSync('redis-cli', ['-p', String(port), '--pipe'], {
    input: text,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(result.stderr);
}

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

function* stringKeys(count: number): Generator<string> {
  for (let i = 0; i < count; i++)
    yield resp('SET', `key:${String(i).padStart(12, '0')}`, 'v'.repeat(16));
}

function* hashes(count: number): Generator<string> {
  for (let i = 0; i < count; i++) {
    const fields: string[] = [];
    for (let f = 0; f < 10; f++) fields.push(`field${f}`, `value-${f}-${i}`);
    yield resp('HSET', `hash:${i}`, ...fields);
  }
}

async function main(): Promise<void> {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) {
    console.log(
      'redis-benchmark is not installed (apt-get install -y redis-tools): nothing to compare with',
    );
    return;
  }
  const machine = `${cpus().length} vCPU, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, redis-server ${execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1]}`;
  console.log(
    `# byor-server vs redis-server (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine})\n`,
  );
  console.log(
    `${await machineNow()} (2.00: two cores; near 1: the client and the servers take turns on one)\n`,
  );
  console.log(
    `redis-benchmark -c 50 -d 16 -r 100000 -n ${REQUESTS} (-P 1) / ${requestsAt(16)} (-P 16), ${roundsAt(1)} (-P 1) / ${roundsAt(16)} (-P 16) rounds alternating, medians${options.cold ? ', no warm-up' : ', after a warm-up pass (each test once with a tenth of the requests, then FLUSHALL)'}\n`,
  );
  if (options.suite !== 'memory') await throughput();
  if (options['skip-memory'] || options.suite === 'scripts') return;
  await memory();
}

/** The redis-benchmark tables (core), then the scripts and streams one (scripts). */
async function throughput(): Promise<void> {
  const byor = await start('byor');
  const redis = await start('redis');
  try {
    if (!options.cold && options.suite !== 'scripts')
      for (const target of [byor, redis]) warmUp(target);
    const rows: string[] = [];
    for (const pipeline of options.suite === 'scripts' ? [] : PIPELINES) {
      for (const test of TESTS) {
        const samples: Record<string, Sample[]> = { byor: [], redis: [] };
        for (let round = 0; round < roundsAt(pipeline); round++) {
          for (const target of round % 2 ? [redis, byor] : [byor, redis])
            samples[target.name]?.push(runBenchmark(target.port, test, pipeline));
        }
        const m = (name: string, field: keyof Sample) =>
          median((samples[name] ?? []).map((s) => s[field]));
        const row = `| ${test.toUpperCase()} | ${pipeline} | ${Math.round(m('byor', 'rps')).toLocaleString('en-US')} | ${Math.round(m('redis', 'rps')).toLocaleString('en-US')} | **${(m('byor', 'rps') / m('redis', 'rps')).toFixed(2)}** | ${m('byor', 'p50').toFixed(3)} / ${m('byor', 'p99').toFixed(3)} | ${m('redis', 'p50').toFixed(3)} / ${m('redis', 'p99').toFixed(3)} | **${(m('byor', 'p99') / m('redis', 'p99')).toFixed(2)}** |`;
        rows.push(row);
        console.log(row);
      }
    }
    console.log(
      '\n| test | -P | byor rps | redis rps | rps ratio | byor p50 / p99 ms | redis p50 / p99 ms | p99 ratio |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    stop(byor);
    stop(redis);
  }
  if (options.suite !== 'core') await scriptsAndStreams();
}

/** Memory: fresh processes per case, RSS before and after loading (total is what users see). */
async function memory(): Promise<void> {
  console.log(
    '\n| memory (RSS) | byor total | redis total | ratio | byor growth | redis growth | ratio |\n|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const [label, count, generator] of [
    ['1M keys, 16-byte values', 1_000_000, stringKeys],
    ['100k hashes of 10 fields', 100_000, hashes],
  ] as const) {
    const total: Record<string, number> = {};
    const grown: Record<string, number> = {};
    for (const name of ['byor', 'redis'] as const) {
      const target = await start(name);
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const before = rss(target.process.pid);
        load(target.port, generator(count));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        total[name] = rss(target.process.pid);
        grown[name] = (total[name] ?? 0) - before;
      } finally {
        stop(target);
      }
    }
    const mb = (n: number | undefined) => `${((n ?? 0) / 2 ** 20).toFixed(0)} MB`;
    const ratio = (a: number | undefined, b: number | undefined) =>
      ((a ?? 0) / (b || 1)).toFixed(2);
    console.log(
      `| ${label} | ${mb(total.byor)} | ${mb(total.redis)} | **${ratio(total.byor, total.redis)}** | ${mb(grown.byor)} | ${mb(grown.redis)} | ${ratio(grown.byor, grown.redis)} |`,
    );
  }
}

/** redis-cli against a target, for set-up (SCRIPT LOAD, XGROUP CREATE). */
function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();
}

const SCRIPT = "return redis.call('INCR', KEYS[1])";

/**
 * Issue 14's side-by-side: a small script through EVAL and EVALSHA, and a stream filled by XADD
 * then consumed one entry at a time by XREADGROUP (a group made before the XADDs), at -P 1 and
 * -P 16, rounds alternating between the servers, medians.
 */
async function scriptsAndStreams(): Promise<void> {
  console.log('\n# scripts and streams\n');
  const byor = await start('byor');
  const redis = await start('redis');
  try {
    const rows: string[] = [];
    for (const pipeline of [1, 16]) {
      const names = ['EVAL', 'EVALSHA', 'XADD', 'XREADGROUP'] as const;
      const samples = new Map<string, Sample[]>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of round % 2 ? [redis, byor] : [byor, redis]) {
          const sha = cli(target.port, 'SCRIPT', 'LOAD', SCRIPT);
          cli(target.port, 'DEL', 'bench:stream');
          cli(target.port, 'XGROUP', 'CREATE', 'bench:stream', 'g', '$', 'MKSTREAM');
          const commands: Record<(typeof names)[number], string[]> = {
            EVAL: ['EVAL', SCRIPT, '1', 'bench:counter'],
            EVALSHA: ['EVALSHA', sha, '1', 'bench:counter'],
            XADD: ['XADD', 'bench:stream', '*', 'field', 'value'],
            XREADGROUP: [
              'XREADGROUP',
              'GROUP',
              'g',
              'c',
              'COUNT',
              '1',
              'STREAMS',
              'bench:stream',
              '>',
            ],
          };
          for (const name of names) {
            const key = `${target.name}:${name}`;
            const list = samples.get(key) ?? [];
            list.push(runBenchmark(target.port, name, pipeline, commands[name]));
            samples.set(key, list);
          }
        }
      }
      for (const name of names) {
        const m = (target: string, field: keyof Sample) =>
          median((samples.get(`${target}:${name}`) ?? []).map((sample) => sample[field]));
        const row = `| ${name} | ${pipeline} | ${Math.round(m('byor', 'rps')).toLocaleString('en-US')} | ${Math.round(m('redis', 'rps')).toLocaleString('en-US')} | **${(m('byor', 'rps') / m('redis', 'rps')).toFixed(2)}** | ${m('byor', 'p50').toFixed(3)} / ${m('byor', 'p99').toFixed(3)} | ${m('redis', 'p50').toFixed(3)} / ${m('redis', 'p99').toFixed(3)} | **${(m('byor', 'p99') / m('redis', 'p99')).toFixed(2)}** |`;
        rows.push(row);
        console.log(row);
      }
    }
    console.log(
      '\n| command | -P | byor rps | redis rps | rps ratio | byor p50 / p99 ms | redis p50 / p99 ms | p99 ratio |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    stop(byor);
    stop(redis);
  }
}

await main();
