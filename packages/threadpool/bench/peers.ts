/**
 * The four pools behind one shape, all with 2 workers started up front (the machine has 2
 * cores) on the same task module: @byor/threadpool, piscina, tinypool and workerpool. Each
 * runs with its defaults otherwise (ours: `maxQueue: Infinity`, since the throughput benchmark
 * queues 100k tasks at once and our default queue is bounded).
 */
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { ThreadPool } from '../src/index.js';

export const WORKERS = 2;

export interface Pool {
  /** the trivial task: value + 1 */
  task(value: number): Promise<unknown>;
  /** the CPU-bound task: sha256 of 1 MiB, `rounds` times */
  hash(rounds: number): Promise<unknown>;
  close(): Promise<unknown>;
}

export interface PoolSettings {
  /** tasks each worker holds at once (workerpool has no such setting: left out when > 1) */
  concurrentTasksPerWorker?: number;
  /** ours only: an idle worker's Atomics.wait() (default 10 ms; 0 shows what it buys) */
  atomicsWait?: number;
}

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

export const pools: Record<string, (settings: PoolSettings) => Pool | undefined> = {
  '@byor/threadpool': ({ concurrentTasksPerWorker = 1, atomicsWait = 10 }) => {
    const pool = new ThreadPool({
      filename: fixture('ours.mjs'),
      size: WORKERS,
      minSize: WORKERS,
      maxQueue: Infinity,
      concurrentTasksPerWorker,
      atomicsWait,
    });
    return {
      task: (value) => pool.run(value),
      hash: (rounds) => pool.run(rounds, { handler: 'hash' }),
      close: () => pool.close(),
    };
  },
  piscina: ({ concurrentTasksPerWorker = 1 }) => {
    const pool = new Piscina({
      filename: fixture('default-export.mjs').href,
      minThreads: WORKERS,
      maxThreads: WORKERS,
      concurrentTasksPerWorker,
    });
    return {
      task: (value) => pool.run(value),
      hash: (rounds) => pool.run(rounds, { name: 'hash' }),
      close: () => pool.close(),
    };
  },
  tinypool: ({ concurrentTasksPerWorker = 1 }) => {
    const pool = new Tinypool({
      filename: fixture('default-export.mjs').href,
      minThreads: WORKERS,
      maxThreads: WORKERS,
      concurrentTasksPerWorker,
    });
    return {
      task: (value) => pool.run(value),
      hash: (rounds) => pool.run(rounds, { name: 'hash' }),
      close: () => pool.destroy(),
    };
  },
  workerpool: ({ concurrentTasksPerWorker = 1 }) => {
    if (concurrentTasksPerWorker > 1) return undefined;
    const pool = workerpool.pool(fixture('workerpool.mjs').pathname, {
      minWorkers: WORKERS,
      maxWorkers: WORKERS,
      workerType: 'thread',
    });
    return {
      // workerpool's own promise class, adopted into a native promise like the others return
      task: (value) => Promise.resolve(pool.exec('task', [value])),
      hash: (rounds) => Promise.resolve(pool.exec('hash', [rounds])),
      close: () => Promise.resolve(pool.terminate()),
    };
  },
};

/** Starts a pool and runs 2,000 tasks on it: workers started, code hot. */
export async function warmPool(
  create: (settings: PoolSettings) => Pool | undefined,
  settings: PoolSettings = {},
): Promise<Pool | undefined> {
  const pool = create(settings);
  if (pool) await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.task(i)));
  return pool;
}

/** An extra row: [label, name of a pool above, settings of that pool]. */
export type Variant = [label: string, name: string, settings: PoolSettings];

/** The extra row of ours with the idle workers' Atomics.wait() turned off. */
export const WITHOUT_ATOMICS_WAIT: Variant = [
  '@byor/threadpool (atomicsWait: 0)',
  '@byor/threadpool',
  { atomicsWait: 0 },
];

/** What one measurement gives: wall-clock time, and CPU time of the whole process. */
export interface Timing {
  /** milliseconds of wall-clock time */
  elapsed: number;
  /** milliseconds of CPU time, user + system, all threads (main and workers) */
  cpu: number;
}

/**
 * Measures every pool `rounds` times, interleaved (round 1 of each pool, then round 2 of each,
 * starting with a different pool each round) so that a change in the machine's load falls on
 * all of them alike. Returns the median of each figure per pool.
 */
export async function interleaved(
  rounds: number,
  measure: (pool: Pool) => Promise<Timing>,
  settings: PoolSettings = {},
  variants: Variant[] = [],
): Promise<{ elapsed: Record<string, number>; cpu: Record<string, number> }> {
  const live: [string, Pool][] = [];
  for (const [name, create] of Object.entries(pools)) {
    const pool = await warmPool(create, settings);
    if (pool) live.push([name, pool]);
  }
  for (const [label, name, extra] of variants) {
    const pool = await warmPool(pools[name]!, { ...settings, ...extra });
    if (pool) live.push([label, pool]);
  }
  const samples = new Map<string, Timing[]>(live.map(([name]) => [name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < live.length; i++) {
        const [name, pool] = live[(i + round) % live.length]!;
        samples.get(name)!.push(await measure(pool));
      }
    }
  } finally {
    await Promise.all(live.map(([, pool]) => pool.close()));
  }
  const median = (values: number[]): number =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const elapsed: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const [name] of live) {
    elapsed[name] = median(samples.get(name)!.map((timing) => timing.elapsed));
    cpu[name] = median(samples.get(name)!.map((timing) => timing.cpu));
  }
  return { elapsed, cpu };
}

/** Wall-clock and CPU time (whole process) that `body` takes. */
export async function time(body: () => Promise<unknown>): Promise<Timing> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await body();
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { elapsed, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Maps every value of `record` through `convert`. */
export function mapValues(
  record: Record<string, number>,
  convert: (value: number) => number,
): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, convert(value)]));
}
