/**
 * The worst single insert while a table grows from 0 to 10M keys. V8's Map rehashes everything
 * at once when it doubles; the progressive rehash spreads that over later inserts. Each
 * implementation runs in its own process (see child/latency.ts), three times: on a shared
 * machine a run's worst insert is often the scheduler taking the CPU away (4 ms ticks), which
 * no table causes, so each figure is the best of the three runs. A spike the table itself
 * causes (Map's full rehash) shows in every run.
 */
import { report } from './compare.js';
import { runChild } from './child/run.js';
import { selected } from './data.js';

interface Latency {
  max: number;
  p999: number;
  p9999: number;
  over1ms: number;
  totalMs: number;
  gcMaxMs: number;
}

const COUNT = 10_000_000;
const RUNS = 3;
const title = 'worst single insert while growing from 0 to 10M keys';

if (selected(title)) {
  const results: Record<string, Latency> = {};
  for (const name of ['@byor/hashtable', 'Map', 'js-sdsl HashMap']) {
    const runs: Latency[] = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(runChild<Latency>('./latency.ts', [name, String(COUNT)]));
    }
    const best = (field: keyof Latency): number => Math.min(...runs.map((run) => run[field]));
    results[name] = {
      max: best('max'),
      p999: best('p999'),
      p9999: best('p9999'),
      over1ms: best('over1ms'),
      totalMs: best('totalMs'),
      gcMaxMs: best('gcMaxMs'),
    };
  }
  const pick = (field: keyof Latency): Record<string, number> =>
    Object.fromEntries(Object.entries(results).map(([name, value]) => [name, value[field]]));
  report(`${title} (best of ${RUNS} runs)`, 'ms (max)', pick('max'));
  report(`${title}: 99.99th percentile (upper bound)`, 'ms', pick('p9999'));
  report(`${title}: inserts over 1 ms`, 'inserts', pick('over1ms'));
  report(`${title}: longest GC pause`, 'ms', pick('gcMaxMs'));
  report(`${title}: total time`, 'ms', pick('totalMs'));
}
