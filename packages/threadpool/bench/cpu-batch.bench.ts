/**
 * A CPU-bound batch: 32 tasks each hashing 1 MiB with sha256 four times, on 2 workers. Here
 * the work dominates and the figures show whether a pool keeps both workers busy.
 * Median of 3 batches.
 */
import { report } from '../../../scripts/bench.js';
import { medianMs, withEachPool } from './peers.js';

const TASKS = 32;
const ROUNDS = 4;
const batchMs: Record<string, number> = {};

await withEachPool(async (name, pool) => {
  batchMs[name] = await medianMs(3, () =>
    Promise.all(Array.from({ length: TASKS }, () => pool.hash(ROUNDS))),
  );
});

report(`CPU-bound batch: ${TASKS} x sha256 of ${ROUNDS} MiB (2 workers)`, 'ms per batch', batchMs);
