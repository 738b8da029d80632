/**
 * The one benchmark runner for the whole repo (mitata underneath).
 *
 * A package's `bench/*.bench.ts` files register comparisons with {@link compare} (timed by
 * mitata, ours next to the npm peers in the same process) or report figures they measured
 * themselves (memory, worst-case latency) with {@link report}. `pnpm bench` in a package runs
 * this file, which imports every bench file, runs them, and prints one table per comparison
 * with ops/s and the ratio of each implementation to the best peer.
 *
 *   pnpm --filter @byor/hashtable bench            all of a package's benchmarks
 *   pnpm --filter @byor/hashtable bench -- get     only comparisons whose title matches /get/
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bench, do_not_optimize, group, run, summary } from 'mitata';

export { do_not_optimize };

interface Registered {
  title: string;
  name: string;
  ours: boolean;
  opsPerCall: number;
}

interface Row {
  name: string;
  ours: boolean;
  value: number;
  unit: string;
  /** true when a bigger value is better (ops/s); false for bytes, milliseconds */
  higherIsBetter: boolean;
}

const registered: Registered[] = [];
const reports: { title: string; rows: Row[] }[] = [];
// `pnpm bench -- get` passes "--" through: the filter is the first argument after it
const filterArgument = process.argv.slice(2).find((arg) => arg !== '--');
const filter = filterArgument ? new RegExp(filterArgument, 'i') : undefined;

export interface CompareOptions {
  /** the names in `implementations` that are ours; default: names starting with "@byor/" or "byor" */
  ours?: readonly string[];
  /** operations done by one call of each function, so ops/s counts operations, not calls */
  opsPerCall?: number;
  /**
   * Operations per call of particular implementations, overriding `opsPerCall` for them: a peer
   * that is O(n) per operation can do fewer per call so that the comparison finishes in time.
   * ops/s still counts operations, so the summary compares cost per operation; mitata's own
   * per-call lines then name each count and its "x faster" summary is left out (it compares calls).
   */
  opsPerCallOf?: Readonly<Record<string, number>>;
}

/**
 * Times each implementation of one operation side by side in this process.
 * Peers that lack the operation are simply left out of `implementations`; say so in a note.
 */
export function compare(
  title: string,
  implementations: Record<string, () => unknown>,
  options: CompareOptions = {},
): void {
  if (filter && !filter.test(title)) return;
  const isOurs = (name: string) =>
    options.ours
      ? options.ours.includes(name)
      : name.startsWith('@byor/') || name.startsWith('byor');
  const opsPerCallOf = (name: string) => options.opsPerCallOf?.[name] ?? options.opsPerCall ?? 1;
  const names = Object.keys(implementations);
  for (const name of Object.keys(options.opsPerCallOf ?? {})) {
    if (!names.includes(name)) throw new Error(`opsPerCallOf names no implementation: ${name}`);
  }
  const mixed = new Set(names.map(opsPerCallOf)).size > 1;
  const register = () => {
    for (const [name, fn] of Object.entries(implementations)) {
      const opsPerCall = opsPerCallOf(name);
      registered.push({ title, name, ours: isOurs(name), opsPerCall });
      bench(mixed ? `${name} [${opsPerCall} ops/call]` : name, fn);
    }
  };
  group(title, () => (mixed ? register() : summary(register)));
}

/** Adds figures measured by the bench file itself (bytes per entry, worst latency...) to the summary. */
export function report(
  title: string,
  unit: string,
  values: Record<string, number>,
  options: { higherIsBetter?: boolean; ours?: readonly string[] } = {},
): void {
  if (filter && !filter.test(title)) return;
  const rows = Object.entries(values).map(([name, value]) => ({
    name,
    ours: options.ours
      ? options.ours.includes(name)
      : name.startsWith('@byor/') || name.startsWith('byor'),
    value,
    unit,
    higherIsBetter: options.higherIsBetter ?? false,
  }));
  reports.push({ title, rows });
  console.log(formatTable(title, rows));
}

function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function formatTable(title: string, rows: Row[]): string {
  const peers = rows.filter((row) => !row.ours);
  const best = peers.length
    ? peers.reduce((a, b) => ((a.higherIsBetter ? a.value >= b.value : a.value <= b.value) ? a : b))
    : undefined;
  const lines = [
    `\n### ${title}\n`,
    `| implementation | ${rows[0]?.unit ?? ''} | vs best peer |`,
    '|---|---:|---:|',
  ];
  for (const row of rows) {
    let ratio = '';
    if (best && best.value > 0 && row.value > 0) {
      const r = row.higherIsBetter ? row.value / best.value : best.value / row.value;
      ratio = `${r.toFixed(2)}x`;
    }
    lines.push(`| ${row.name} | ${formatNumber(row.value)} | ${ratio} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dir = resolve(process.cwd(), 'bench');
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.bench.ts'))
    .sort();
  for (const file of files) await import(pathToFileURL(resolve(dir, file)).href);
  if (registered.length === 0) return;
  const { benchmarks } = await run({ colors: process.stdout.isTTY });
  const byTitle = new Map<string, Row[]>();
  benchmarks.forEach((trial, index) => {
    const meta = registered[index];
    const stats = trial.runs[0]?.stats;
    if (!meta || !stats) return;
    const rows = byTitle.get(meta.title) ?? [];
    rows.push({
      name: meta.name,
      ours: meta.ours,
      value: (1e9 / stats.avg) * meta.opsPerCall,
      unit: 'ops/s',
      higherIsBetter: true,
    });
    byTitle.set(meta.title, rows);
  });
  console.log(`\n## Summary (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
  for (const [title, rows] of byTitle) console.log(formatTable(title, rows));
  for (const { title, rows } of reports) console.log(formatTable(title, rows));
  for (const release of releases.splice(0)) await release();
}

const releases: (() => unknown)[] = [];

/**
 * Registers what a bench file must close once every comparison ran (servers, sockets, child
 * processes): anything left open would keep the process alive after the summary.
 */
export function whenDone(release: () => unknown): void {
  releases.push(release);
}

// Not awaited at the top level: main() imports the bench files, which import this module back;
// a top-level await here would leave that import cycle unsettled (Node exits with code 13).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
