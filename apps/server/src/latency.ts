/**
 * Latency tracking as redis-server 7.0's latency.c and its per-command hdr_histogram:
 *
 * - Per-command latency histograms (LATENCY HISTOGRAM). redis-server records each call's duration
 *   in an hdr_histogram (1 ns .. 1 s, 2 significant digits) and replies with a log-2 iteration
 *   from 1024 ns. Only those power-of-two levels are ever printed, so byor keeps just the counts
 *   per level: 21 Uint32 counters per command instead of a full histogram, and the same reply.
 * - The latency monitor (LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR): events sampled at
 *   most once per second into a 160-entry ring, when they take latency-monitor-threshold ms or more.
 *
 * @see https://github.com/redis/redis/blob/7.0/src/latency.c
 * @packageDocumentation
 */
import type { Command } from './commands/types.js';
import type { Server } from './server.js';

/** Levels 1024 ns * 2^k for k = 0..20: the last one covers the histogram's 1 s maximum. */
export const HISTOGRAM_LEVELS = 21;
/** LATENCY_TS_LEN: samples kept per event. */
export const LATENCY_SAMPLES = 160;
/** LATENCY_GRAPH_COLS */
const GRAPH_COLUMNS = 80;

/**
 * The histogram level a call of `micros` microseconds is counted in: redis-server records
 * `micros * 1000` ns (clamped to 1 ns .. 1 s) in an hdr_histogram whose sub-buckets at magnitude
 * 2^m are 2^(m-7) ns wide, and a value belongs to the first level 1024 * 2^k ns its sub-bucket's
 * lowest value does not exceed. O(1).
 *
 * @example
 * ```ts
 * histogramLevel(0); // 0 (printed as 1 us)
 * histogramLevel(3); // 2 (printed as 4 us)
 * ```
 */
export function histogramLevel(micros: number): number {
  let ns = micros * 1000;
  if (ns < 1) ns = 1;
  else if (ns > 1e9) ns = 1e9;
  const magnitude = 31 - Math.clz32(ns);
  const shift = magnitude > 7 ? magnitude - 7 : 0;
  const lowest = (ns >>> shift) << shift;
  if (lowest <= 1024) return 0;
  return 32 - Math.clz32(lowest - 1) - 10;
}

/**
 * The microseconds redis-server prints for a level: the level's highest equivalent value in the
 * histogram, in ns, divided by 1000. O(1).
 *
 * @example
 * ```ts
 * histogramLevelMicros(5); // 33 (32768 + 255 ns)
 * ```
 */
export function histogramLevelMicros(level: number): number {
  const value = 1024 * 2 ** level;
  return Math.floor((value + 2 ** (level + 3) - 1) / 1000);
}

// Histograms by command. Command objects belong to one server, so one map serves every server
// in the process. The last command's counters are cached: pipelines repeat the same command.
const histograms = new WeakMap<Command, Uint32Array>();
let lastCommand: Command | undefined;
let lastCounts: Uint32Array | undefined;

/**
 * Records one call of `command` that took `micros` microseconds, for Server.call() to run after
 * it counted the call: the histogram, and a latency-monitor sample when the call reached
 * latency-monitor-threshold. The first call after CONFIG RESETSTAT (its `calls` back to 1) starts
 * a fresh histogram, as redis-server frees them there. O(1).
 *
 * @example
 * ```ts
 * recordCommandLatency(server, command, elapsed);
 * ```
 */
export function recordCommandLatency(server: Server, command: Command, micros: number): void {
  let counts = lastCounts;
  if (command !== lastCommand) {
    counts = histograms.get(command);
    if (counts === undefined) histograms.set(command, (counts = new Uint32Array(HISTOGRAM_LEVELS)));
    lastCommand = command;
    lastCounts = counts;
  }
  const buckets = counts as Uint32Array;
  if (command.calls === 1) buckets.fill(0);
  const level = histogramLevel(micros);
  buckets[level] = buckets[level]! + 1;
  // a sample needs at least 1 ms (the threshold is whole milliseconds, 0 disables it)
  if (micros >= 1000) {
    const event = command.meta.flags & FAST_FLAG ? 'fast-command' : 'command';
    latencyMonitor(server).addSampleIfNeeded(event, Math.floor(micros / 1000));
  }
}
// CommandFlag.FAST, kept local so this module does not import the command table's module
const FAST_FLAG = 1 << 11;

/**
 * A command's histogram as [printed microseconds, cumulative count] pairs, only the levels where
 * the count grows (fillCommandCDF), or undefined when it has no calls since the last reset. O(1).
 *
 * @example
 * ```ts
 * commandHistogram(server.command('get')!); // [[1, 10], [2, 12]]
 * ```
 */
export function commandHistogram(command: Command): [number, number][] | undefined {
  const counts = histograms.get(command);
  if (counts === undefined || command.calls === 0) return undefined;
  const out: [number, number][] = [];
  let cumulative = 0;
  for (let level = 0; level < HISTOGRAM_LEVELS; level++) {
    const count = counts[level]!;
    if (count === 0) continue;
    cumulative += count;
    out.push([histogramLevelMicros(level), cumulative]);
  }
  return out.length === 0 ? undefined : out;
}

/** One event's samples: a ring of (unix seconds, ms) and the all-time maximum. */
export class LatencyTimeSeries {
  /** next slot to write */
  index = 0;
  /** all-time maximum latency, ms */
  max = 0;
  readonly times = new Int32Array(LATENCY_SAMPLES);
  readonly latencies = new Uint32Array(LATENCY_SAMPLES);

  /** latencyAddSample: one sample per second, the highest of that second kept. O(1). */
  add(now: number, latency: number): void {
    if (latency > this.max) this.max = latency;
    const previous = (this.index + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES;
    if (this.times[previous] === now) {
      if (latency > this.latencies[previous]!) this.latencies[previous] = latency;
      return;
    }
    this.times[this.index] = now;
    this.latencies[this.index] = latency;
    this.index = (this.index + 1) % LATENCY_SAMPLES;
  }

  /** The samples oldest first, as [unix seconds, ms]. O(160). */
  samples(): [number, number][] {
    const out: [number, number][] = [];
    for (let j = 0; j < LATENCY_SAMPLES; j++) {
      const i = (this.index + j) % LATENCY_SAMPLES;
      const time = this.times[i]!;
      if (time !== 0) out.push([time, this.latencies[i]!]);
    }
    return out;
  }

  /** The latest sample, [unix seconds, ms]. O(1). */
  latest(): [number, number] {
    const previous = (this.index + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES;
    return [this.times[previous]!, this.latencies[previous]!];
  }
}

/**
 * The latency monitor of one server (server.latency_events): event name -> samples.
 *
 * @example
 * ```ts
 * const monitor = latencyMonitor(server);
 * monitor.addSampleIfNeeded('command', 12); // recorded when latency-monitor-threshold <= 12
 * monitor.events.get('command')?.samples();
 * ```
 */
export class LatencyMonitor {
  readonly events = new Map<string, LatencyTimeSeries>();
  readonly #server: Server;
  #threshold: number;

  constructor(server: Server) {
    this.#server = server;
    this.#threshold = server.config.number('latency-monitor-threshold');
    server.config.onChange(
      'latency-monitor-threshold',
      (value) => (this.#threshold = Number(value)),
    );
  }

  /** latency-monitor-threshold in ms (0: disabled). */
  get threshold(): number {
    return this.#threshold;
  }

  /** latencyAddSampleIfNeeded: records when monitoring is on and `ms` reaches the threshold. O(1). */
  addSampleIfNeeded(event: string, ms: number): void {
    if (this.#threshold !== 0 && ms >= this.#threshold) this.addSample(event, ms);
  }

  /** latencyAddSample. O(1). */
  addSample(event: string, ms: number): void {
    let series = this.events.get(event);
    if (!series) this.events.set(event, (series = new LatencyTimeSeries()));
    series.add(Math.floor(this.#server.clock.now() / 1000), ms);
  }

  /** latencyResetEvent for the named events, or every event without names; returns how many. */
  reset(names: readonly string[] | undefined): number {
    if (names === undefined) {
      const count = this.events.size;
      this.events.clear();
      return count;
    }
    let count = 0;
    for (const name of names) if (this.events.delete(name)) count++;
    return count;
  }

  /** LATENCY GRAPH's text for an event (latencyCommandGenSparkeline). O(160). */
  graph(event: string, series: LatencyTimeSeries): string {
    const now = Math.floor(this.#server.clock.now() / 1000);
    const samples = series.samples();
    let min = 0;
    let max = 0;
    const values: number[] = [];
    const labels: string[] = [];
    for (const [time, latency] of samples) {
      if (values.length === 0) min = max = latency;
      else {
        if (latency > max) max = latency;
        if (latency < min) min = latency;
      }
      const elapsed = now - time;
      labels.push(
        elapsed < 60
          ? `${elapsed}s`
          : elapsed < 3600
            ? `${Math.trunc(elapsed / 60)}m`
            : elapsed < 86400
              ? `${Math.trunc(elapsed / 3600)}h`
              : `${Math.trunc(elapsed / 86400)}d`,
      );
      values.push(latency);
    }
    let graph = `${event} - high ${max} ms, low ${min} ms (all time high ${series.max} ms)\n`;
    graph += '-'.repeat(GRAPH_COLUMNS) + '\n';
    return graph + renderSparkline(values, labels, GRAPH_COLUMNS, 4);
  }
}

const monitors = new WeakMap<Server, LatencyMonitor>();
let lastServer: Server | undefined;
let lastMonitor: LatencyMonitor | undefined;

/**
 * The latency monitor of a server, created on first use. O(1).
 *
 * @example
 * ```ts
 * latencyMonitor(server).events.size; // 0
 * ```
 */
export function latencyMonitor(server: Server): LatencyMonitor {
  if (server === lastServer) return lastMonitor as LatencyMonitor;
  let monitor = monitors.get(server);
  if (!monitor) monitors.set(server, (monitor = new LatencyMonitor(server)));
  lastServer = server;
  lastMonitor = monitor;
  return monitor;
}

const FILL_CHARSET = '_o#';

/**
 * sparklineRender with SPARKLINE_FILL: `rows` rows of bars per block of `columns` samples, each
 * sample's label written downwards under it after one blank line. O(samples * rows).
 *
 * @example
 * ```ts
 * renderSparkline([50], ['3s'], 80, 4); // ' \n \n \n_\n \n3\ns\n'
 * ```
 */
export function renderSparkline(
  values: readonly number[],
  labels: readonly string[],
  columns: number,
  rows: number,
): string {
  let min = 0;
  let max = 0;
  // sparklineSequenceAddSample's min/max (the else-if is Redis's)
  values.forEach((value, j) => {
    if (j === 0) min = max = value;
    else if (value < min) min = value;
    else if (value > max) max = value;
  });
  const labelCount = labels.filter((label) => label !== '').length;
  let output = '';
  for (let j = 0; j < values.length; j += columns) {
    const length = Math.min(columns, values.length - j);
    if (j !== 0) output += '\n';
    output += renderRange(values, labels, labelCount, min, max, rows, j, length);
  }
  return output;
}

function renderRange(
  values: readonly number[],
  labels: readonly string[],
  labelCount: number,
  min: number,
  max: number,
  rows: number,
  offset: number,
  length: number,
): string {
  const charsetLength = FILL_CHARSET.length;
  const steps = charsetLength * rows;
  let relmax = max - min;
  if (relmax === 0) relmax = 1;
  let output = '';
  let row = 0;
  for (;;) {
    let loop = false;
    const chars = new Array<string>(length).fill(' ');
    for (let j = 0; j < length; j++) {
      const relval = values[j + offset]! - min;
      // C: step = (int) (relval*steps)/relmax, then truncated again into an int
      let step = Math.trunc(Math.trunc(relval * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < rows) {
        const index = step - (rows - row - 1) * charsetLength;
        loop = true;
        if (index >= 0 && index < charsetLength) chars[j] = FILL_CHARSET[index]!;
        else if (index >= charsetLength) chars[j] = '|';
      } else {
        if (labelCount !== 0 && row - rows < 1) {
          loop = true;
          break;
        }
        const label = labels[j + offset] ?? '';
        const at = row - rows - 1;
        // an empty label is no label (sparklineSequenceAddSample stores NULL)
        if (label !== '' && label.length > at) {
          loop = true;
          chars[j] = label[at]!;
        }
      }
    }
    if (!loop) break;
    row++;
    output += chars.join('') + '\n';
  }
  return output;
}
