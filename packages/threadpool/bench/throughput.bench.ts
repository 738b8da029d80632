/**
 * Throughput of 100,000 small tasks submitted at once (value + 1), 2 workers: the pool's
 * bookkeeping and messaging per task when the queue is never empty. Median of 3 batches.
 */
import { report } from '../../../scripts/bench.js';
import { medianMs, withEachPool } from './peers.js';

const TASKS = 100_000;
const tasksPerSecond: Record<string, number> = {};

await withEachPool(async (name, pool) => {
  const ms = await medianMs(3, () =>
    Promise.all(Array.from({ length: TASKS }, (_, i) => pool.task(i))),
  );
  tasksPerSecond[name] = (TASKS / ms) * 1000;
});

report('throughput: 100k small tasks at once (2 workers)', 'tasks/s', tasksPerSecond, {
  higherIsBetter: true,
});
