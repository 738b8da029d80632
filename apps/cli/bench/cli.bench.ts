/**
 * byor-cli's programs against the programs they stand in for, on the same server, in the same
 * run, interleaved round by round (the machine is shared, so each round gives every program the
 * same conditions) and the median kept:
 *
 * - `byor-cli bench` (one thread, and --threads 2) against `redis-benchmark`: the same -t -c -n
 *   -P -d, throughput and p50 read from both programs' identical --csv output. The two should
 *   agree: both are measuring the server.
 * - `byor-cli --pipe` against `redis-cli --pipe`: 1,000,000 SETs, wall time.
 *
 * Needs the package built (dist/bin.js) and redis-server, redis-benchmark and redis-cli installed;
 * BENCH_ROUNDS sets the rounds (default 3). Also run against byor (in this process).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '@byor/server';
import { report } from '../../../scripts/bench.js';
import { redisServerBinary, startRedisServer } from '@byor/test-oracle';

const BYOR_CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Run {
  stdout: string;
  seconds: number;
}

function run(command: string, args: readonly string[], input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else resolve({ stdout, seconds: (performance.now() - started) / 1000 });
    });
    child.stdin.end(input ?? '');
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** rps and p50 of the CSV row whose title starts with `title` (redis-benchmark --csv format). */
function csvRow(csv: string, title: string): { rps: number; p50: number } {
  for (const line of csv.split('\n')) {
    const cells = line.split(',').map((cell) => cell.replaceAll('"', ''));
    if (cells[0]?.startsWith(title)) return { rps: Number(cells[1]), p50: Number(cells[4]) };
  }
  throw new Error(`no ${title} row in:\n${csv}`);
}

interface Config {
  title: string;
  row: string;
  args: string[];
}

const CONFIGS: Config[] = [
  { title: 'SET -c 50 -n 100000', row: 'SET', args: ['-t', 'set', '-c', '50', '-n', '100000'] },
  { title: 'GET -c 50 -n 100000', row: 'GET', args: ['-t', 'get', '-c', '50', '-n', '100000'] },
  {
    title: 'SET -c 50 -n 500000 -P 16 -r 100000',
    row: 'SET',
    args: ['-t', 'set', '-c', '50', '-n', '500000', '-P', '16', '-r', '100000'],
  },
  {
    title: 'SET -c 10 -n 50000 -d 1024',
    row: 'SET',
    args: ['-t', 'set', '-c', '10', '-n', '50000', '-d', '1024'],
  },
  {
    title: 'LRANGE_100 -c 50 -n 20000',
    row: 'LRANGE_100',
    args: ['-t', 'lrange_100', '-c', '50', '-n', '20000'],
  },
];

async function compareLoad(
  server: string,
  port: number,
  configs: readonly Config[],
): Promise<void> {
  for (const config of configs) {
    const programs: Record<string, () => Promise<Run>> = {
      'redis-benchmark': () =>
        run('redis-benchmark', ['-p', String(port), ...config.args, '--csv']),
      'byor-cli bench': () =>
        run(process.execPath, [BYOR_CLI, '-p', String(port), 'bench', ...config.args, '--csv']),
      'byor-cli bench --threads 2': () =>
        run(process.execPath, [
          BYOR_CLI,
          '-p',
          String(port),
          'bench',
          '--threads',
          '2',
          ...config.args,
          '--csv',
        ]),
    };
    const rps: Record<string, number[]> = {};
    const p50: Record<string, number[]> = {};
    const wall: Record<string, number[]> = {};
    const order = Object.entries(programs);
    for (let round = 0; round < ROUNDS; round++) {
      // each round starts with another program: none always runs right after the same one
      const shift = round % order.length;
      for (const [name, start] of [...order.slice(shift), ...order.slice(0, shift)]) {
        const finished = await start();
        const row = csvRow(finished.stdout, config.row);
        (wall[name] ??= []).push(finished.seconds);
        (rps[name] ??= []).push(row.rps);
        (p50[name] ??= []).push(row.p50);
      }
    }
    const ours = ['byor-cli bench', 'byor-cli bench --threads 2'];
    report(
      `${server}: ${config.title}, throughput`,
      'requests/s',
      Object.fromEntries(Object.entries(rps).map(([name, values]) => [name, median(values)])),
      { higherIsBetter: true, ours },
    );
    report(
      `${server}: ${config.title}, p50 latency`,
      'ms',
      Object.fromEntries(Object.entries(p50).map(([name, values]) => [name, median(values)])),
      { ours },
    );
    // the whole process, Node's start-up included: which program got the server through the
    // requests sooner, whatever each one reports
    report(
      `${server}: ${config.title}, wall time of the whole run`,
      's',
      Object.fromEntries(Object.entries(wall).map(([name, values]) => [name, median(values)])),
      { ours },
    );
  }
}

function manySets(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `key:${i}`;
    const value = `value:${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

async function comparePipe(port: number): Promise<void> {
  const input = manySets(1_000_000);
  const seconds: Record<string, number[]> = { 'redis-cli --pipe': [], 'byor-cli --pipe': [] };
  const programs: [string, () => Promise<Run>][] = [
    ['redis-cli --pipe', () => run('redis-cli', ['-p', String(port), '--pipe'], input)],
    [
      'byor-cli --pipe',
      () => run(process.execPath, [BYOR_CLI, '-p', String(port), '--pipe'], input),
    ],
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // alternate which goes first
    const rotated = round % 2 === 0 ? programs : [...programs].reverse();
    for (const [name, start] of rotated) seconds[name]!.push((await start()).seconds);
  }
  report(
    'redis-server: --pipe of 1,000,000 SETs, wall time (process start to summary)',
    's',
    Object.fromEntries(Object.entries(seconds).map(([name, values]) => [name, median(values)])),
    { ours: ['byor-cli --pipe'] },
  );
}

if (redisServerBinary() === undefined) {
  console.log(
    'redis-server is not installed: byor-cli is compared with redis-benchmark only where it is',
  );
} else {
  const redis = await startRedisServer();
  try {
    await compareLoad('redis-server', redis.port, CONFIGS);
    await comparePipe(redis.port);
  } finally {
    await redis.stop();
  }
}
const byor = await startServer({ port: 0 });
try {
  await compareLoad('byor (in this process)', byor.port, CONFIGS.slice(0, 2));
} finally {
  await byor.close();
}
