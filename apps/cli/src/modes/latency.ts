/**
 * `--latency` and `--latency-history`: PING every 10 ms and the round trips' min, max and mean.
 *
 * On a terminal the figures are one live line (`--latency-history` starts a new line every 15 s,
 * or `-i`); otherwise (`--raw`, `--csv`, `--json` or a pipe) `--latency` samples for one second
 * (or `-i`) and prints one line, and `--latency-history` prints one line per interval. Round
 * trips are measured in fractions of a millisecond (redis-cli rounds them down to whole ones).
 */
import { ErrorReply } from '@byor/protocol';
import { OutputFormats } from '../format.js';
import { sleep } from '../io.js';
import type { Session } from '../session.js';

/** Milliseconds between two PINGs (redis-cli's LATENCY_SAMPLE_RATE). */
const SAMPLE_EVERY = 10;

/** min, max, mean and count of a run of samples. */
export class LatencyStats {
  min = 0;
  max = 0;
  total = 0;
  count = 0;

  /** Adds one round trip in milliseconds. O(1). */
  add(ms: number): void {
    if (this.count === 0 || ms < this.min) this.min = ms;
    if (this.count === 0 || ms > this.max) this.max = ms;
    this.total += ms;
    this.count++;
  }

  get average(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.min = this.max = this.total = this.count = 0;
  }
}

function line(stats: LatencyStats, format: string): string {
  const min = stats.min.toFixed(2);
  const max = stats.max.toFixed(2);
  const avg = stats.average.toFixed(2);
  switch (format) {
    case OutputFormats.RAW:
      return `${min} ${max} ${avg} ${stats.count}\n`;
    case OutputFormats.CSV:
      return `${min},${max},${avg},${stats.count}\n`;
    case OutputFormats.JSON:
    case OutputFormats.QUOTED_JSON:
      return `{"min": ${min}, "max": ${max}, "avg": ${avg}, "count": ${stats.count}}\n`;
    default:
      return `min: ${min}, max: ${max}, avg: ${avg} (${stats.count} samples)`;
  }
}

/**
 * Runs `--latency` (or `--latency-history` when `history`) until Ctrl-C, or for one interval
 * when the output is not the standard format. Resolves with the exit status.
 *
 * @example
 * ```ts
 * // byor-cli --latency-history -i 5
 * ```
 */
export async function runLatency(session: Session, history: boolean): Promise<number> {
  if (!(await session.connect())) return 1;
  const { options } = session;
  const live = session.format === OutputFormats.STANDARD;
  const interval = options.interval > 0 ? options.interval * 1000 : history ? 15_000 : 1_000;
  const stats = new LatencyStats();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  let rangeStart = performance.now();
  try {
    while (!stop.signal.aborted) {
      if (session.connection === undefined && !(await session.connect(true))) {
        await sleep(1000, stop.signal);
        continue;
      }
      const started = performance.now();
      let reply;
      try {
        reply = await session.connection!.send(['PING']);
      } catch {
        continue; // reconnect on the next round
      }
      if (reply instanceof ErrorReply) {
        session.err.write(`Error: ${reply.message}\n`);
        return 1;
      }
      const now = performance.now();
      stats.add(now - started);
      if (live) session.out.write('\x1b[0G\x1b[2K' + line(stats, session.format));
      if (now - rangeStart >= interval) {
        if (!live) {
          await session.out.writeAndDrain(line(stats, session.format));
          if (!history) return 0;
        } else if (history) {
          session.out.write(` -- ${((now - rangeStart) / 1000).toFixed(2)} seconds range\n`);
        }
        if (history) {
          rangeStart = now;
          stats.reset();
        }
      }
      await sleep(SAMPLE_EVERY, stop.signal);
    }
    if (live) session.out.write('\n');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    session.close();
  }
}
