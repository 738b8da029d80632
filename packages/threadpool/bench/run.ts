/**
 * Entry point of `pnpm bench` for this package.
 *
 * The shared runner (scripts/bench.ts) awaits its main() at the top level, and main() imports
 * the bench files, which import the runner: on Node 20 that import cycle never settles and the
 * process exits with code 13 ("unsettled top-level await") before timing anything. Until the
 * runner stops awaiting at the top level, this file does main()'s job with the runner loaded as
 * a library: it imports the bench files (their `compare` calls register with mitata, their
 * `report` calls print), runs mitata, and prints the comparisons through the runner's `report`
 * (same table: ops/s and the ratio to the best peer). One difference: ops/s come from mitata's
 * median (p50) rather than its mean, which one stall of a shared machine skews less.
 *
 *   pnpm --filter @byor/threadpool bench                every benchmark
 *   pnpm --filter @byor/threadpool bench -- round       only titles matching /round/
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from 'mitata';
import { report } from '../../../scripts/bench.js';

const directory = dirname(fileURLToPath(import.meta.url));
console.log(
  `## @byor/threadpool benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`,
);
for (const file of readdirSync(directory)
  .filter((name) => name.endsWith('.bench.ts'))
  .sort()) {
  await import(pathToFileURL(`${directory}/${file}`).href);
}

/** The part of mitata's result read here (its typings omit `layout` and `group`). */
interface Result {
  benchmarks: { alias: string; group: number; runs: { stats?: { p50: number } }[] }[];
  layout: { name: string | null }[];
}

const { benchmarks, layout } = (await run({ colors: process.stdout.isTTY })) as unknown as Result;
const tables = new Map<string, Record<string, number>>();
for (const trial of benchmarks) {
  const title = String(layout[trial.group]?.name ?? '');
  const stats = trial.runs[0]?.stats;
  if (!stats) continue;
  const values = tables.get(title) ?? {};
  values[trial.alias] = 1e9 / stats.p50;
  tables.set(title, values);
}
for (const [title, values] of tables) report(title, 'ops/s', values, { higherIsBetter: true });
