/**
 * The load generator's reports, in redis-benchmark's words where it has them: a block per test
 * (`====== SET ======`, throughput and latency summary), the `-q` line, the `--csv` rows, and a
 * closing table of every test.
 */
import type { BenchOptions } from './options.js';
import type { BenchmarkResult } from './run.js';

function ms(value: number, precision: number): string {
  return value.toFixed(precision);
}

/** redis-benchmark's block for one test (without the full percentile distribution). */
export function testReport(result: BenchmarkResult, options: BenchOptions): string {
  const p = options.precision;
  const l = result.latency;
  let text = `====== ${result.title} ======\n`;
  text += `  ${result.requests} requests completed in ${result.seconds.toFixed(2)} seconds\n`;
  text += `  ${options.clients} parallel clients\n`;
  text += `  ${options.dataSize} bytes payload\n`;
  text += `  keep alive: 1\n`;
  text += `  pipeline: ${options.pipeline}\n`;
  text += `  multi-thread: ${options.threads > 1 ? `yes (${options.threads} threads)` : 'no'}\n`;
  if (result.errors > 0) {
    text += `  errors: ${result.errors} (first: ${result.firstError ?? '?'})\n`;
  }
  text += '\nSummary:\n';
  text += `  throughput summary: ${result.rps.toFixed(2)} requests per second\n`;
  text += '  latency summary (msec):\n';
  const cells = [l.avg, l.min, l.p50, l.p95, l.p99, l.max].map((v) => ms(v, p).padStart(9));
  text += `    ${['avg', 'min', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(9)).join(' ')}\n`;
  text += `    ${cells.join(' ')}\n\n`;
  return text;
}

/** The `-q` line: `SET: 81234.45 requests per second, p50=0.311 msec`. */
export function quietLine(result: BenchmarkResult, options: BenchOptions): string {
  return `${result.title}: ${result.rps.toFixed(2)} requests per second, p50=${ms(result.latency.p50, options.precision)} msec\n`;
}

/** The `--csv` header. */
export const CSV_HEADER =
  '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n';

/** One `--csv` row. */
export function csvLine(result: BenchmarkResult, options: BenchOptions): string {
  const l = result.latency;
  const cells = [
    result.rps.toFixed(2),
    ...[l.avg, l.min, l.p50, l.p95, l.p99, l.max].map((v) => ms(v, options.precision)),
  ];
  return `"${result.title}",${cells.map((cell) => `"${cell}"`).join(',')}\n`;
}

/** The closing table of every test run. */
export function summaryTable(results: readonly BenchmarkResult[], options: BenchOptions): string {
  const p = options.precision;
  const width = Math.max(4, ...results.map((r) => r.title.length));
  const header = ['rps', 'avg', 'min', 'p50', 'p95', 'p99', 'max'];
  let text = `${'test'.padEnd(width)}  ${header[0]!.padStart(12)}${header
    .slice(1)
    .map((h) => h.padStart(9))
    .join('')}   (latency in msec)\n`;
  for (const r of results) {
    const l = r.latency;
    text += `${r.title.padEnd(width)}  ${r.rps.toFixed(2).padStart(12)}`;
    text += [l.avg, l.min, l.p50, l.p95, l.p99, l.max].map((v) => ms(v, p).padStart(9)).join('');
    text += r.errors > 0 ? `   ${r.errors} errors\n` : '\n';
  }
  return text;
}
