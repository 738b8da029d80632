/**
 * `byor-cli bench`: redis-benchmark's tests (or one command), each run with `-c` connections,
 * `-n` requests and `-P` pipelining, from the main thread or from `--threads` worker threads of
 * @byor/threadpool, with a live progress bar and a report per test.
 */
import { ThreadPool } from '@byor/threadpool';
import type { ConnectionOptions } from '../connection.js';
import { UsageError } from '../errors.js';
import { Output, type CliIo } from '../io.js';
import { toBytes } from '../repr.js';
import { messageOf } from '../session.js';
import { LatencyHistogram } from './histogram.js';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';
import { BENCH_USAGE, type BenchOptions } from './options.js';
import { ProgressBar } from './progress.js';
import { CSV_HEADER, csvLine, quietLine, summaryTable, testReport } from './report.js';
import { benchTest, selectTests, standardTests, type BenchTest } from './tests.js';
import type * as BenchWorker from './worker.js';

/**
 * The results of one test of {@link runBenchmark}. Latencies in milliseconds.
 *
 * @example
 * ```ts
 * const [result]: BenchmarkResult[] = await runBenchmark(options);
 * console.log(result.rps, result.latency.p99);
 * ```
 */
export interface BenchmarkResult {
  title: string;
  /** requests answered */
  requests: number;
  errors: number;
  firstError: string | undefined;
  /** wall time from the first request sent to the last reply */
  seconds: number;
  /** requests answered per second */
  rps: number;
  latency: { avg: number; min: number; p50: number; p95: number; p99: number; max: number };
  /** every reply's latency, in µs */
  histogram: LatencyHistogram;
}

/**
 * Callbacks of {@link runBenchmark}.
 *
 * @example
 * ```ts
 * await runBenchmark(options, { onTest: (test) => console.log(test.title), onProgress: (done) => bar.update(done) });
 * ```
 */
export interface BenchmarkHooks {
  /** a test starts */
  onTest?: (test: BenchTest) => void;
  /** requests answered so far in the current test (every 100 ms) */
  onProgress?: (done: number) => void;
  /** a test is over */
  onResult?: (result: BenchmarkResult) => void;
}

/** The URL of the built worker module, next to the bundle that contains this code. */
export function benchWorkerUrl(): URL {
  return new URL('./bench-worker.js', import.meta.url);
}

/** `total` split into `parts` near-equal integers. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** The tests the options ask for. */
export function benchTests(options: BenchOptions): BenchTest[] {
  if (options.command.length > 0) {
    const argv = options.command.map(toBytes);
    return [benchTest(options.command.join(' '), 'custom', argv)];
  }
  const tests = selectTests(standardTests(options.dataSize), options.tests);
  if (tests.length === 0) {
    throw new UsageError(
      `No test matches -t ${options.tests?.join(',') ?? ''} (see byor-cli bench --help)`,
    );
  }
  return tests;
}

function connectionOf(options: BenchOptions): ConnectionOptions {
  return {
    host: options.host,
    port: options.port,
    ...(options.socket !== undefined ? { socket: options.socket } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    db: options.db,
    protocol: options.protocol,
  };
}

function resultOf(title: string, parts: readonly LoadResult[]): BenchmarkResult {
  const histogram = new LatencyHistogram();
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let startedAt = Infinity;
  let endedAt = -Infinity;
  for (const part of parts) {
    histogram.merge(new LatencyHistogram(part.histogram));
    requests += part.requests;
    errors += part.errors;
    firstError ??= part.firstError;
    startedAt = Math.min(startedAt, part.startedAt);
    endedAt = Math.max(endedAt, part.endedAt);
  }
  const seconds = Math.max(endedAt - startedAt, 1e-6) / 1000;
  return {
    title,
    requests,
    errors,
    firstError,
    seconds,
    rps: requests / seconds,
    latency: {
      avg: histogram.mean / 1000,
      min: histogram.min / 1000,
      p50: histogram.percentile(50) / 1000,
      p95: histogram.percentile(95) / 1000,
      p99: histogram.percentile(99) / 1000,
      max: histogram.max / 1000,
    },
    histogram,
  };
}

/**
 * Runs the tests the options ask for, one after the other, and resolves with their results.
 * Rejects with a `ConnectError` when the server cannot be reached. O(requests).
 *
 * @example
 * ```ts
 * const [set] = await runBenchmark({ ...parseBenchArgs(['-t', 'set', '-n', '10000'], defaults) });
 * console.log(`${set.rps.toFixed(0)} SET/s, p99 ${set.latency.p99} ms`);
 * ```
 */
export async function runBenchmark(
  options: BenchOptions,
  hooks: BenchmarkHooks = {},
): Promise<BenchmarkResult[]> {
  const tests = benchTests(options);
  const threads = Math.min(options.threads, options.clients);
  const pool =
    threads > 1
      ? new ThreadPool<typeof BenchWorker>({
          filename: benchWorkerUrl(),
          size: threads,
          minSize: threads,
        })
      : undefined;
  const results: BenchmarkResult[] = [];
  try {
    for (const test of tests) {
      hooks.onTest?.(test);
      const base: Omit<LoadSpec, 'clients' | 'requests'> = {
        connection: connectionOf(options),
        pipeline: options.pipeline,
        request: test.request,
        placeholders: test.placeholders,
        keyspace: options.keyspace,
      };
      let parts: LoadResult[];
      if (pool === undefined) {
        parts = [
          await runLoad(
            { ...base, clients: options.clients, requests: options.requests },
            hooks.onProgress,
          ),
        ];
      } else {
        const clients = split(options.clients, threads);
        // requests in proportion to each thread's clients
        const requests = clients.map((c) => Math.floor((options.requests * c) / options.clients));
        let left = options.requests - requests.reduce((a, b) => a + b, 0);
        for (let i = 0; left > 0; i = (i + 1) % threads, left--) requests[i]!++;
        const done = new Array<number>(threads).fill(0);
        parts = await Promise.all(
          clients.map((count, i) =>
            pool.run(
              { ...base, clients: count, requests: requests[i]! },
              {
                onMessage: (message) => {
                  done[i] = message as number;
                  hooks.onProgress?.(done.reduce((a, b) => a + b, 0));
                },
              },
            ),
          ),
        );
      }
      const result = resultOf(test.title, parts);
      results.push(result);
      hooks.onResult?.(result);
    }
  } finally {
    await pool?.destroy();
  }
  return results;
}

/**
 * `byor-cli bench` on the command line: runs the tests, printing a progress bar (on a terminal)
 * and the reports. Resolves with the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await runBench(options.bench, processIo());
 * ```
 */
export async function runBench(options: BenchOptions, io: CliIo): Promise<number> {
  const out = new Output(io.stdout);
  if (options.help) {
    out.write(BENCH_USAGE);
    return 0;
  }
  const showProgress = options.progress ?? (io.stdout.isTTY === true && !options.csv);
  const all: BenchmarkResult[] = [];
  if (options.csv) out.write(CSV_HEADER);
  try {
    do {
      let bar: ProgressBar | undefined;
      const results = await runBenchmark(
        { ...options, loop: false },
        {
          onTest: (test) => {
            bar = showProgress
              ? new ProgressBar(io.stdout, test.title, options.requests)
              : undefined;
          },
          onProgress: (done) => bar?.update(done),
          onResult: (result) => {
            bar?.clear();
            bar = undefined;
            if (options.csv) out.write(csvLine(result, options));
            else if (options.quiet) out.write(quietLine(result, options));
            else out.write(testReport(result, options));
            if (result.errors > 0 && !options.csv) {
              io.stderr.write(
                `Error from server: ${result.firstError ?? ''} (${result.errors} errors)\n`,
              );
            }
          },
        },
      ).finally(() => bar?.clear());
      if (!options.loop) all.push(...results); // a loop keeps no history
    } while (options.loop);
  } catch (error) {
    io.stderr.write(messageOf(error) + '\n');
    return 1;
  }
  if (!options.csv && !options.quiet && all.length > 1) out.write(summaryTable(all, options));
  await out.drained();
  return all.some((result) => result.errors > 0) ? 1 : 0;
}
