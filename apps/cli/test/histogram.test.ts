import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/bench/histogram.js';
import { InvalidHistogramError } from '../src/errors.js';

/** The exact percentile of sorted values, the way the histogram defines it. */
function exactPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (p <= 0) return sorted[0]!;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const value = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }));

describe('LatencyHistogram', () => {
  it('matches a sorted array within 0.1% after every operation (model test)', () => {
    const command = fc.oneof(
      fc.record({
        kind: fc.constant('record' as const),
        value,
        times: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({
        kind: fc.constant('merge' as const),
        values: fc.array(value, { maxLength: 20 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 60 }),
        fc.constantFrom(0, 1, 50, 90, 95, 99, 99.9, 100),
        (commands, p) => {
          const histogram = new LatencyHistogram();
          const model: number[] = [];
          for (const step of commands) {
            if (step.kind === 'record') {
              histogram.recordMany(step.value, step.times);
              for (let i = 0; i < step.times; i++) model.push(step.value);
            } else {
              const other = new LatencyHistogram();
              for (const v of step.values) other.record(v);
              histogram.merge(other);
              model.push(...step.values);
            }
            histogram.checkInvariants();
            const sorted = [...model].sort((a, b) => a - b);
            expect(histogram.count).toBe(model.length);
            expect(histogram.min).toBe(sorted[0] ?? 0);
            expect(histogram.max).toBe(sorted.at(-1) ?? 0);
            const mean = model.length === 0 ? 0 : model.reduce((a, b) => a + b, 0) / model.length;
            expect(histogram.mean).toBeCloseTo(mean, 6);
            const exact = exactPercentile(sorted, p);
            const got = histogram.percentile(p);
            // within the bucket of the exact value: exact below 2048, 0.1% above
            expect(got).toBeGreaterThanOrEqual(exact);
            expect(got - exact).toBeLessThanOrEqual(exact < 2048 ? 0 : exact / 1024);
          }
        },
      ),
    );
  });

  it.each([
    [[], 50, 0],
    [[5], 0, 5],
    [[5], 100, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 75, 3],
    [[1, 2, 3, 4], 76, 4],
    [[2047, 2048, 2049], 100, 2049],
    [[10_000], 50, 10_000],
  ])('percentile of %j at %d is %d', (values, p, expected) => {
    const histogram = new LatencyHistogram();
    for (const v of values) histogram.record(v);
    expect(histogram.percentile(p)).toBe(expected);
  });

  it('rounds, floors negatives and NaN at 0, clamps huge values', () => {
    const histogram = new LatencyHistogram();
    histogram.record(1.6);
    histogram.record(-3);
    histogram.record(Number.NaN);
    histogram.record(2 ** 40);
    histogram.checkInvariants();
    expect([histogram.min, histogram.max, histogram.count]).toEqual([0, 2 ** 31 - 1, 4]);
    expect(histogram.percentile(25)).toBe(0);
    expect(histogram.percentile(75)).toBe(2);
  });

  it('moves through plain data (as between threads) and back', () => {
    const histogram = new LatencyHistogram();
    for (const v of [3, 300, 30_000]) histogram.record(v);
    const copy = new LatencyHistogram(structuredClone(histogram.toData()));
    copy.checkInvariants();
    expect([copy.count, copy.min, copy.max, copy.mean, copy.percentile(50)]).toEqual([
      3, 3, 30_000, 10_101, 300,
    ]);
  });

  it('refuses data of the wrong shape and reports broken bookkeeping', () => {
    expect(
      () =>
        new LatencyHistogram({ counts: new Uint32Array(3), count: 0, min: 0, max: 0, total: 0 }),
    ).toThrow(InvalidHistogramError);
    const data = new LatencyHistogram().toData();
    data.counts[10] = 1;
    expect(() => new LatencyHistogram(data).checkInvariants()).toThrow(
      'counts add up to 1, count is 0',
    );
  });
});
