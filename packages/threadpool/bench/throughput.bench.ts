/**
 * Throughput of 100,000 small tasks (value + 1) submitted at once to 2 workers: the pool's
 * per-task bookkeeping and messaging when the queue is never empty. First with each pool's
 * default of one task per worker at a time, then with 8 tasks in flight per worker
 * (`concurrentTasksPerWorker: 8`; workerpool has no such setting). Median of interleaved
 * batches.
 */
import { report } from '../../../scripts/bench.js';
import { elapsedMs, interleaved } from './peers.js';

const TASKS = 100_000;

async function tasksPerSecond(concurrentTasksPerWorker: number): Promise<Record<string, number>> {
  const ms = await interleaved(
    3,
    (pool) => elapsedMs(() => Promise.all(Array.from({ length: TASKS }, (_, i) => pool.task(i)))),
    { concurrentTasksPerWorker },
  );
  return Object.fromEntries(
    Object.entries(ms).map(([name, value]) => [name, (TASKS / value) * 1000]),
  );
}

report('throughput: 100k small tasks at once (2 workers)', 'tasks/s', await tasksPerSecond(1), {
  higherIsBetter: true,
});
report(
  'throughput: 100k small tasks at once, 8 in flight per worker (2 workers)',
  'tasks/s',
  await tasksPerSecond(8),
  { higherIsBetter: true },
);
