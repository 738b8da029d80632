/**
 * Entry point of `pnpm bench` for this package.
 *
 * The shared runner (scripts/bench.ts) awaits its main() at the top level, and main() imports
 * the bench files, which import the runner: on Node 20 that cycle never settles (the process
 * exits with code 13, "unsettled top-level await", before timing anything). Until the runner
 * changes, this file does its job: the runner is loaded as a library (its `compare` registers
 * the benchmarks with mitata, its `report` prints measured figures), the bench files are
 * imported, mitata runs, and the same summary is printed (ops/s, ratio to the best peer).
 *
 *   pnpm --filter @byor/hashtable bench            everything (a few minutes)
 *   pnpm --filter @byor/hashtable bench -- get     only the titles matching /get/
 */
import './argv.js';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from 'mitata';
import { opsPerCallByTitle } from './compare.js';

const directory = dirname(fileURLToPath(import.meta.url));
for (const file of readdirSync(directory)
  .filter((name) => name.endsWith('.bench.ts'))
  .sort()) {
  await import(pathToFileURL(`${directory}/${file}`).href);
}

if (opsPerCallByTitle.size > 0) {
  // mitata's typings leave out the group layout that run() returns
  const { benchmarks, layout } = (await run({ colors: process.stdout.isTTY })) as unknown as {
    benchmarks: { alias: string; group: number; runs: { stats?: { avg: number } }[] }[];
    layout: { name: string | number }[];
  };

  const tables = new Map<string, { name: string; ours: boolean; opsPerSecond: number }[]>();
  for (const trial of benchmarks) {
    const title = String(layout[trial.group]?.name ?? '');
    const stats = trial.runs[0]?.stats;
    if (!stats) continue;
    const rows = tables.get(title) ?? [];
    rows.push({
      name: trial.alias,
      ours: trial.alias.startsWith('@byor/'),
      opsPerSecond: (1e9 / stats.avg) * (opsPerCallByTitle.get(title) ?? 1),
    });
    tables.set(title, rows);
  }

  const format = (value: number): string =>
    value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);

  console.log(`\n## Summary (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
  for (const [title, rows] of tables) {
    const best = Math.max(...rows.filter((row) => !row.ours).map((row) => row.opsPerSecond));
    console.log(`\n### ${title}\n\n| implementation | ops/s | vs best peer |\n|---|---:|---:|`);
    for (const row of rows) {
      const ratio = Number.isFinite(best) ? `${(row.opsPerSecond / best).toFixed(2)}x` : '';
      console.log(`| ${row.name} | ${format(row.opsPerSecond)} | ${ratio} |`);
    }
  }
}
