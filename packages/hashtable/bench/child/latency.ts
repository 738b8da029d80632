/**
 * Worst single insert while growing from 0 to N keys: each `set` is timed on its own.
 * Prints {max, p999, p9999, over1ms, totalMs, gcMaxMs} as JSON.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { implementations, settle } from './tables.js';

const [name = '@byor/hashtable', countText = '10000000'] = process.argv.slice(2);
const count = Number(countText);
const create = implementations[name];
if (create === undefined) throw new Error(`unknown implementation ${name}`);

const keys = new Array<string>(count);
for (let i = 0; i < count; i++) keys[i] = `key:${i}`; // flat strings up to 12 chars
await settle();

let gcMaxMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
});
observer.observe({ entryTypes: ['gc'] });

// a log2 histogram of latencies in nanoseconds: percentiles without storing 10M samples
const histogram = new Float64Array(64);
let max = 0;
let over1ms = 0;
const table = create();
const start = performance.now();
for (let i = 0; i < count; i++) {
  const before = performance.now();
  table.set(keys[i]!, i);
  const elapsed = performance.now() - before;
  if (elapsed > max) max = elapsed;
  if (elapsed > 1) over1ms++;
  histogram[Math.max(0, Math.ceil(Math.log2(elapsed * 1e6 + 1)))]!++;
}
const totalMs = performance.now() - start;
await new Promise((resolve) => setTimeout(resolve, 100)); // let the gc entries arrive
observer.disconnect();

function percentile(fraction: number): number {
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket]!;
    if (seen >= fraction * count) return 2 ** bucket / 1e6; // upper bound of the bucket, in ms
  }
  return max;
}

if (table.size !== count) throw new Error(`size ${table.size}`);
console.log(
  JSON.stringify({
    max,
    p999: percentile(0.999),
    p9999: percentile(0.9999),
    over1ms,
    totalMs,
    gcMaxMs,
  }),
);
