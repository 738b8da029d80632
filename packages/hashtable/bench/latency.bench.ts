/**
 * The worst single insert while a table grows from 0 to 10M keys. V8's Map rehashes everything
 * at once when it doubles; the progressive rehash spreads that over later inserts. Each
 * implementation runs in its own process (see child/latency.ts).
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
const title = 'worst single insert while growing from 0 to 10M keys';

if (selected(title)) {
  const results: Record<string, Latency> = {};
  for (const name of ['@byor/hashtable', 'Map', 'js-sdsl HashMap']) {
    results[name] = runChild<Latency>('./latency.ts', [name, String(COUNT)]);
  }
  const pick = (field: keyof Latency): Record<string, number> =>
    Object.fromEntries(Object.entries(results).map(([name, value]) => [name, value[field]]));
  report(title, 'ms (max)', pick('max'));
  report(`${title}: 99.99th percentile (upper bound)`, 'ms', pick('p9999'));
  report(`${title}: inserts over 1 ms`, 'inserts', pick('over1ms'));
  report(`${title}: longest GC pause`, 'ms', pick('gcMaxMs'));
  report(`${title}: total time`, 'ms', pick('totalMs'));
}
