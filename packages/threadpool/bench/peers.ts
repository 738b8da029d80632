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
  /** ours only: the idle worker's Atomics.wait(), to show what it buys (default 10 ms) */
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

/**
 * Measures every pool `rounds` times, interleaved (round 1 of each pool, then round 2 of each,
 * starting with a different pool each round) so that a change in the machine's load falls on
 * all of them alike. Returns the median per pool.
 */
export async function interleaved(
  rounds: number,
  measure: (pool: Pool) => Promise<number>,
  settings: PoolSettings = {},
): Promise<Record<string, number>> {
  const live: [string, Pool][] = [];
  for (const [name, create] of Object.entries(pools)) {
    const pool = await warmPool(create, settings);
    if (pool) live.push([name, pool]);
  }
  const samples = new Map<string, number[]>(live.map(([name]) => [name, []]));
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
  const medians: Record<string, number> = {};
  for (const [name] of live) {
    const sorted = samples.get(name)!.sort((a, b) => a - b);
    medians[name] = sorted[Math.floor(sorted.length / 2)]!;
  }
  return medians;
}

/** Milliseconds `body` takes. */
export async function elapsedMs(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}
