/**
 * Round-trip time of a trivial task (value + 1): one task at a time, awaited before the next,
 * so every figure is the whole per-task overhead: posting the task, waking the worker, the
 * reply, waking the main thread, settling the promise. Timed by mitata; each pool is started
 * and warmed up before its run and closed after it. The extra row is ours with
 * `atomicsWait: 0` (idle workers wait in their event loop), to show what the Atomics wake-up
 * buys.
 */
import { compare } from '../../../scripts/bench.js';
import { pools, warmPool, type PoolSettings } from './peers.js';

const variants: [string, string, PoolSettings][] = [
  ...Object.keys(pools).map((name): [string, string, PoolSettings] => [name, name, {}]),
  ['@byor/threadpool (atomicsWait: 0)', '@byor/threadpool', { atomicsWait: 0 }],
];
const implementations: Record<string, () => AsyncGenerator> = {};
for (const [label, name, settings] of variants) {
  implementations[label] = async function* () {
    const pool = (await warmPool(pools[name]!, settings))!;
    yield async () => {
      await pool.task(1);
    };
    await pool.close();
  };
}

compare('round trip of a trivial task (2 workers)', implementations);
