/**
 * CPU time per command, the measure that survives a shared machine: wall-clock rps moves with
 * whatever else runs, the server's own CPU time per request much less.
 *
 *   npx tsx bench/cpu.ts [--bin a/dist/bin.js --bin "--some-v8-flag b/dist/bin.js" --redis]
 *     [--tests set,get] [--pipelines 1,16] [--requests 200000] [--rounds 5] [--keys 100000]
 *
 * Each target (byor builds given with --bin, default this package's dist/bin.js; redis-server
 * with --redis) runs in its own process; redis-benchmark (-c 50 or --clients, -d 16 -r 100000)
 * drives it, and
 * the CPU time the server's threads spent (the sum of /proc/<pid>/task/<tid>/schedstat, in ns:
 * main thread, GC helpers, libuv pool) is divided by the request count. Targets alternate
 * within each round (A B, then B A) and the table shows medians, so an A/B of two builds sees
 * the same load. Medians, and minimums (contention only ever adds CPU time: the minimum is the
 * least disturbed run). Linux only.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchArgs, fillFor, freePort, lrangeCommand, machineNow, waitForPort } from './ports.js';

const { values: options } = parseArgs({
  args: benchArgs(),
  options: {
    bin: { type: 'string', multiple: true },
    redis: { type: 'boolean', default: false },
    tests: {
      type: 'string',
      default: 'set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100,mset',
    },
    /** Node flags for every byor target */
    pipelines: { type: 'string', default: '1,16' },
    requests: { type: 'string', default: '200000' },
    /** requests of the pipelined runs: more, so that a run lasts as long as an unpipelined one */
    'requests-pipelined': { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    /**
     * redis-benchmark's -c. With 50 clients a busier server finds more clients ready per wake-up
     * and spends less CPU per command, so load on the machine moves the figure; -c 1 makes every
     * command (or pipeline) one round trip, the steadiest A/B measure.
     */
    clients: { type: 'string', default: '50' },
    /**
     * redis-benchmark's -r. A few keys (--keys 100) stay in the CPU caches: what is left is the
     * commands' own work, without the cache misses of a lookup among 100k keys.
     */
    keys: { type: 'string', default: '100000' },
    'node-flag': { type: 'string', multiple: true },
  },
});
const REQUESTS = Number(options.requests);
const REQUESTS_PIPELINED = Number(options['requests-pipelined']);
const requestsFor = (pipeline: number) => (pipeline > 1 ? REQUESTS_PIPELINED : REQUESTS);
const ROUNDS = Number(options.rounds);
const TESTS = options.tests.split(',');
const PIPELINES = options.pipelines.split(',').map(Number);

interface Target {
  label: string;
  command: string;
  args: string[];
}

// a --bin value may start with Node flags for that target: "--semi-space-growth-factor=2 dist/bin.js"
const targets: Target[] = (options.bin ?? [join(import.meta.dirname, '..', 'dist', 'bin.js')]).map(
  (bin, index) => ({
    label: options.bin ? `byor#${index + 1}` : 'byor',
    command: process.execPath,
    args: [...(options['node-flag'] ?? []), ...bin.split(/\s+/).filter(Boolean)],
  }),
);
if (options.redis) targets.push({ label: 'redis', command: 'redis-server', args: [] });

interface Running {
  target: Target;
  port: number;
  child: ChildProcess;
  dir: string;
}

async function start(target: Target): Promise<Running> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
  const child = spawn(
    target.command,
    [...target.args, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  await waitForPort(port);
  return { target, port, child, dir };
}

function stop(running: Running): void {
  running.child.kill('SIGKILL');
  rmSync(running.dir, { recursive: true, force: true });
}

/** Nanoseconds on CPU of every thread of `pid` (live threads; helpers rarely exit). */
function cpuNanoseconds(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread exited meanwhile */
    }
  }
  return total;
}

/**
 * One redis-benchmark run: its rps and p99 latency (ms). An lrange test runs as its LRANGE
 * command; the caller runs the test's fill first (fillFor), outside the CPU measurement.
 */
function benchmark(port: number, test: string, pipeline: number): { rps: number; p99: number } {
  const lrange = lrangeCommand(test);
  const out = execFileSync(
    'redis-benchmark',
    [
      ...['-p', String(port), ...(lrange ? [] : ['-t', test]), '-n', String(requestsFor(pipeline))],
      ...['-c', options.clients],
      ...['-d', '16'],
      ...['-r', options.keys, '-P', String(pipeline), '--csv'],
      ...(lrange ?? []),
    ],
    { encoding: 'utf8' },
  );
  const rows = out
    .trim()
    .split('\n')
    .filter((row) => !row.startsWith('"test"'));
  const fields = (rows.at(-1) ?? '').split(',').map((field) => Number(field.replace(/"/g, '')));
  return { rps: fields[1] ?? 0, p99: fields[6] ?? 0 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) {
    console.log('redis-benchmark is not installed: nothing to drive the servers with');
    return;
  }
  console.log(
    `# CPU per command (${new Date().toISOString().slice(0, 10)}, ${await machineNow()}): -n ${REQUESTS} (-P 1) / ${REQUESTS_PIPELINED} (pipelined), ${ROUNDS} rounds\n`,
  );
  for (const target of targets)
    console.log(`${target.label}: ${target.command} ${target.args.join(' ')}`);
  const running = await Promise.all(targets.map(start));
  try {
    const header = targets
      .map((t) => `${t.label} ns/cmd (median) | min | ${t.label} rps | p99 ms`)
      .join(' | ');
    console.log(`\n| test | -P | ${header} |`);
    console.log(`|---|---:|${targets.map(() => '---:|---:|---:|---:').join('|')}|`);
    for (const pipeline of PIPELINES) {
      for (const test of TESTS) {
        const cpu = targets.map((): number[] => []);
        const rps = targets.map((): number[] => []);
        const p99 = targets.map((): number[] => []);
        for (let round = 0; round < ROUNDS; round++) {
          const order = running.map((_, i) => i);
          if (round % 2) order.reverse();
          for (const i of order) {
            const server = running[i]!;
            const pid = server.child.pid!;
            const fill = fillFor(test); // what the test reads, untimed
            if (fill) benchmark(server.port, fill, pipeline);
            const before = cpuNanoseconds(pid);
            const sample = benchmark(server.port, test, pipeline);
            rps[i]!.push(sample.rps);
            p99[i]!.push(sample.p99);
            cpu[i]!.push((cpuNanoseconds(pid) - before) / requestsFor(pipeline));
          }
        }
        const cells = targets
          .map(
            (_, i) =>
              `${median(cpu[i]!).toFixed(0)} | ${Math.min(...cpu[i]!).toFixed(0)} | ${Math.round(median(rps[i]!)).toLocaleString('en-US')} | ${median(p99[i]!).toFixed(3)}`,
          )
          .join(' | ');
        console.log(`| ${test.toUpperCase()} | ${pipeline} | ${cells} |`);
      }
    }
  } finally {
    running.forEach(stop);
  }
}

await main();
