/**
 * A CPU-bound batch: 32 tasks each hashing 1 MiB four times with sha256, on 2 workers. The
 * work dominates here; the figures show whether a pool keeps both workers busy to the end.
 * Median of interleaved batches.
 */
import { report } from '../../../scripts/bench.js';
import { interleaved, time } from './peers.js';

const TASKS = 32;
const ROUNDS = 4;

const { elapsed } = await interleaved(9, (pool) =>
  time(() => Promise.all(Array.from({ length: TASKS }, () => pool.hash(ROUNDS)))),
);

report(
  `CPU-bound batch: ${TASKS} tasks x sha256 of ${ROUNDS} MiB (2 workers)`,
  'ms per batch',
  elapsed,
);
