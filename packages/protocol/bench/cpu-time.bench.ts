/**
 * The same comparisons as parsers.bench.ts, timed in CPU time (process.cpuUsage) instead of wall
 * time: on a machine shared with other work, time spent waiting for a core does not count, so
 * these ratios move much less from run to run. Each implementation runs a warm-up round, then the
 * best of 7 rounds is kept. Printed before mitata starts.
 */
import { report } from './compare.js';
import { cases, check } from './implementations.js';

const filter = process.argv[2] ? new RegExp(process.argv[2], 'i') : undefined;
/** bytes parsed per round: enough for a CPU-time reading well above its 1 µs resolution */
const ROUND_BYTES = 32 * 1024 * 1024;

for (const testCase of cases) {
  if (filter && !filter.test(testCase.title)) continue;
  check(testCase);
  const size = testCase.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const calls = Math.max(1, Math.round(ROUND_BYTES / size));
  const values: Record<string, number> = {};
  for (const [name, parse] of Object.entries(testCase.parsers)) {
    for (let i = 0; i < calls; i++) parse(testCase.chunks);
    let best = Infinity;
    for (let round = 0; round < 7; round++) {
      const start = process.cpuUsage();
      for (let i = 0; i < calls; i++) parse(testCase.chunks);
      const used = process.cpuUsage(start);
      best = Math.min(best, used.user + used.system);
    }
    // frames per second of CPU time
    values[name] = (calls * testCase.frames) / (best / 1e6);
  }
  report(`${testCase.title} (CPU time)`, 'ops/s', values, { higherIsBetter: true });
}
