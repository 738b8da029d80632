/**
 * A latency histogram in the manner of HdrHistogram (what redis-benchmark records into): values
 * are integer microseconds, kept exactly up to 2,047 µs and within 0.1% above (1,024 linear
 * sub-buckets per power of two), up to 2^31 µs. Recording is O(1) with no allocation; the counts
 * live in one `Uint32Array`, so a worker thread can hand its histogram over without copying.
 *
 *     index:  0 .. 2047           value itself (exact)
 *             2048 .. 3071        values 2048 .. 4094, step 2
 *             3072 .. 4095        values 4096 .. 8188, step 4     ... and so on
 */
import { InvalidHistogramError } from '../errors.js';

/** log2 of the sub-buckets per power of two: 1,024 of them, 0.1% precision. */
const SUB_BITS = 10;
const SUB = 1 << SUB_BITS;
/** Largest recordable value; larger ones are clamped to it. */
const MAX_VALUE = 2 ** 31 - 1;
/** Number of buckets: enough for every shift up to 31 bits. */
const BUCKETS = (31 - SUB_BITS + 1) * SUB;

function bucketOf(value: number): number {
  if (value < 2 * SUB) return value;
  const shift = 31 - Math.clz32(value) - SUB_BITS;
  return (shift + 1) * SUB + ((value >>> shift) - SUB);
}

/** Largest value that lands in a bucket (what HdrHistogram reports for a percentile). */
function highestOf(index: number): number {
  if (index < 2 * SUB) return index;
  const shift = Math.floor(index / SUB) - 1;
  const sub = (index % SUB) + SUB;
  return (sub + 1) * 2 ** shift - 1;
}

/** Smallest value that lands in a bucket. */
function lowestOf(index: number): number {
  if (index < 2 * SUB) return index;
  const shift = Math.floor(index / SUB) - 1;
  return ((index % SUB) + SUB) * 2 ** shift;
}

/**
 * A histogram's state as plain data, for `postMessage` (the counts' buffer can be transferred).
 *
 * @example
 * ```ts
 * port.postMessage(histogram.toData(), [histogram.toData().counts.buffer]);
 * const copy = new LatencyHistogram(received as HistogramData);
 * ```
 */
export interface HistogramData {
  counts: Uint32Array;
  count: number;
  min: number;
  max: number;
  total: number;
}

/**
 * Latencies in microseconds: count, min, max, mean and percentiles.
 *
 * @example
 * ```ts
 * const histogram = new LatencyHistogram();
 * histogram.record(120);
 * histogram.record(480);
 * histogram.percentile(50); // 120
 * histogram.mean;           // 300
 * ```
 */
export class LatencyHistogram {
  readonly #counts: Uint32Array;
  #count = 0;
  #min = Infinity;
  #max = 0;
  #total = 0;

  constructor(data?: HistogramData) {
    if (data === undefined) {
      this.#counts = new Uint32Array(BUCKETS);
      return;
    }
    if (data.counts.length !== BUCKETS) {
      throw new InvalidHistogramError(`expected ${BUCKETS} buckets, got ${data.counts.length}`);
    }
    this.#counts = data.counts;
    this.#count = data.count;
    this.#min = data.count === 0 ? Infinity : data.min;
    this.#max = data.max;
    this.#total = data.total;
  }

  /** Records one value (µs; rounded, negatives as 0, past 2^31-1 clamped). O(1). */
  record(value: number): void {
    this.recordMany(value, 1);
  }

  /** Records `times` occurrences of a value at once. O(1). */
  recordMany(value: number, times: number): void {
    if (times <= 0) return;
    let v = Math.round(value);
    if (!(v > 0)) v = 0; // also NaN
    if (v > MAX_VALUE) v = MAX_VALUE;
    this.#counts[bucketOf(v)]! += times;
    this.#count += times;
    this.#total += v * times;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Smallest value recorded (0 when empty). */
  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** Largest value recorded (0 when empty). */
  get max(): number {
    return this.#max;
  }

  /** Mean of the values recorded (0 when empty). */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#total / this.#count;
  }

  /**
   * The value below or at which `p` percent of the values are, to 0.1% (HdrHistogram's
   * `getValueAtPercentile`: the highest value of the bucket, never above the maximum). 0 gives
   * the minimum. O(buckets).
   *
   * @example
   * ```ts
   * histogram.percentile(99); // p99 in µs
   * ```
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    if (p <= 0) return this.min;
    const wanted = Math.max(1, Math.ceil((Math.min(p, 100) / 100) * this.#count));
    let seen = 0;
    const counts = this.#counts;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i]!;
      if (seen >= wanted) return Math.min(highestOf(i), this.#max);
    }
    return this.#max;
  }

  /** Adds another histogram's values to this one. O(buckets). */
  merge(other: LatencyHistogram): void {
    const mine = this.#counts;
    const theirs = other.#counts;
    for (let i = 0; i < mine.length; i++) mine[i]! += theirs[i]!;
    if (other.#count > 0) {
      this.#count += other.#count;
      this.#total += other.#total;
      if (other.#min < this.#min) this.#min = other.#min;
      if (other.#max > this.#max) this.#max = other.#max;
    }
  }

  /** The state as plain data (the counts are shared, not copied). O(1). */
  toData(): HistogramData {
    return {
      counts: this.#counts,
      count: this.#count,
      min: this.min,
      max: this.#max,
      total: this.#total,
    };
  }

  /**
   * Throws {@link InvalidHistogramError} if the bookkeeping is inconsistent: the counts do not
   * add up to `count`, or min/max fall outside the buckets that hold values. O(buckets).
   */
  checkInvariants(): void {
    let sum = 0;
    let first = -1;
    let last = -1;
    const counts = this.#counts;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] === 0) continue;
      sum += counts[i]!;
      if (first === -1) first = i;
      last = i;
    }
    if (sum !== this.#count)
      throw new InvalidHistogramError(`counts add up to ${sum}, count is ${this.#count}`);
    if (sum === 0) {
      if (this.#total !== 0 || this.#max !== 0)
        throw new InvalidHistogramError('empty but has a total or max');
      return;
    }
    if (this.#min < lowestOf(first) || this.#min > highestOf(first)) {
      throw new InvalidHistogramError(`min ${this.#min} is not in the first used bucket`);
    }
    if (this.#max < lowestOf(last) || this.#max > highestOf(last)) {
      throw new InvalidHistogramError(`max ${this.#max} is not in the last used bucket`);
    }
    if (this.#total < this.#min * sum || this.#total > this.#max * sum) {
      throw new InvalidHistogramError('total is outside count x [min, max]');
    }
  }
}
