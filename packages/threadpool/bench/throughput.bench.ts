/**
 * Throughput of 100,000 small tasks (value + 1) submitted at once to 2 workers: the pool's
 * per-task bookkeeping and messaging when the queue is never empty. First with each pool's
 * default of one task per worker at a time, then with 8 tasks in flight per worker
 * (`concurrentTasksPerWorker: 8`; workerpool has no such setting). The extra row is ours
 * with `atomicsWait: 0`. Median of interleaved batches; also the CPU time the whole process
 * (main thread and workers) spends per task, which the load of a shared machine disturbs less
 * than wall-clock time.
 */
import { report } from '../../../scripts/bench.js';
import { interleaved, mapValues, time, WITHOUT_ATOMICS_WAIT } from './peers.js';

const TASKS = 100_000;

for (const perWorker of [1, 8]) {
  const { elapsed, cpu } = await interleaved(
    5,
    (pool) => time(() => Promise.all(Array.from({ length: TASKS }, (_, i) => pool.task(i)))),
    { concurrentTasksPerWorker: perWorker },
    perWorker === 1 ? [WITHOUT_ATOMICS_WAIT] : [],
  );
  const setting = perWorker === 1 ? '' : `, ${perWorker} in flight per worker`;
  report(
    `throughput: 100k small tasks at once${setting} (2 workers)`,
    'tasks/s',
    mapValues(elapsed, (ms) => (TASKS / ms) * 1000),
    { higherIsBetter: true },
  );
  report(
    `CPU time per task, all threads: 100k small tasks at once${setting} (2 workers)`,
    'µs',
    mapValues(cpu, (ms) => (ms * 1000) / TASKS),
  );
}
