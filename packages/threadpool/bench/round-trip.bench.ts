/**
 * Round-trip time of a trivial task (value + 1): one task at a time, awaited before the next,
 * so every figure is the full per-task overhead: postMessage, the worker's wake-up, the reply,
 * the promise. Timed by mitata; each pool is created, warmed up and closed around its run.
 */
import { compare } from '../../../scripts/bench.js';
import { pools } from './peers.js';

const implementations: Record<string, () => AsyncGenerator> = {};
for (const [name, create] of Object.entries(pools)) {
  implementations[name] = async function* () {
    const pool = create();
    await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.task(i)));
    yield async () => {
      await pool.task(1);
    };
    await pool.close();
  };
}

compare('round trip of a trivial task (2 workers)', implementations);
