/**
 * The four pools, behind one shape, all with 2 workers started up front (the machine has 2
 * cores): @byor/threadpool, piscina, tinypool and workerpool, each on the same task module.
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

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

export const pools: Record<string, () => Pool> = {
  '@byor/threadpool': () => {
    const pool = new ThreadPool({
      filename: fixture('ours.mjs'),
      size: WORKERS,
      minSize: WORKERS,
      maxQueue: Infinity,
    });
    return {
      task: (value) => pool.run(value),
      hash: (rounds) => pool.run(rounds, { handler: 'hash' }),
      close: () => pool.close(),
    };
  },
  piscina: () => {
    const pool = new Piscina({
      filename: fixture('default-export.mjs').href,
      minThreads: WORKERS,
      maxThreads: WORKERS,
    });
    return {
      task: (value) => pool.run(value),
      hash: (rounds) => pool.run(rounds, { name: 'hash' }),
      close: () => pool.close(),
    };
  },
  tinypool: () => {
    const pool = new Tinypool({
      filename: fixture('default-export.mjs').href,
      minThreads: WORKERS,
      maxThreads: WORKERS,
    });
    return {
      task: (value) => pool.run(value),
      hash: (rounds) => pool.run(rounds, { name: 'hash' }),
      close: () => pool.destroy(),
    };
  },
  workerpool: () => {
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

/** Creates each pool, warms it up (workers started, code hot), hands it to `body`, closes it. */
export async function withEachPool(
  body: (name: string, pool: Pool) => Promise<void>,
): Promise<void> {
  for (const [name, create] of Object.entries(pools)) {
    const pool = create();
    try {
      await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.task(i)));
      await body(name, pool);
    } finally {
      await pool.close();
    }
  }
}

/** Median of `runs` timings of `body`, in milliseconds. */
export async function medianMs(runs: number, body: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
