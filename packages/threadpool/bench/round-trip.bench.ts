/**
 * Round-trip time of a trivial task (value + 1): one task at a time, awaited before the next,
 * so every figure is the whole per-task overhead: posting the task, waking the worker, the
 * reply, waking the main thread, settling the promise. Timed by mitata; each pool is started
 * and warmed up before its run and closed after it. The extra row is ours with
 * `atomicsWait: 0` (idle workers wait for the next task in their event loop instead of in
 * Atomics.wait(), woken by Atomics.notify()), to show what the default buys. mitata times one pool after the
 * other, so on a shared machine a change of load between two pools' turns shows up as a
 * difference between pools. Hence the same measured by hand, interleaved: 40 rounds of 2,000
 * round trips per pool, the pools taking turns, so that load changes fall on all alike; the
 * median time per round trip, and the CPU time the whole process (main thread and workers)
 * spends per round trip, steadier still.
 */
import { compare, report } from '../../../scripts/bench.js';
import {
  interleaved,
  mapValues,
  pools,
  time,
  warmPool,
  WITHOUT_ATOMICS_WAIT,
  type Variant,
} from './peers.js';

const variants: Variant[] = [
  ...Object.keys(pools).map((name): Variant => [name, name, {}]),
  WITHOUT_ATOMICS_WAIT,
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

const ROUND_TRIPS = 2_000;
const { elapsed, cpu } = await interleaved(
  40,
  (pool) =>
    time(async () => {
      for (let i = 0; i < ROUND_TRIPS; i++) await pool.task(i);
    }),
  {},
  [WITHOUT_ATOMICS_WAIT],
);
report(
  'round trip of a trivial task, median of interleaved runs (2 workers)',
  'µs',
  mapValues(elapsed, (ms) => (ms * 1000) / ROUND_TRIPS),
);
report(
  'CPU time per round trip of a trivial task, all threads (2 workers)',
  'µs',
  mapValues(cpu, (ms) => (ms * 1000) / ROUND_TRIPS),
);
