/**
 * The bench's log-linear histogram (src/bench/core/histogram.ts) against a naive model, a
 * sorted list: every percentile it reports is within its stated precision (one part in 10^3)
 * of the exact nearest-rank percentile, counts and extremes are exact, merging two histograms
 * equals recording both streams into one, and out-of-range values are clamped and counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { histogramValueMax, LogLinearHistogram } from '../../../src/bench/core/histogram.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

/** Nearest-rank percentile of a sorted list, the definition the histogram approximates. */
function exactPercentile(sorted: readonly number[], percentile: number): number {
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

test('values below 2048 are exact', () => {
  const h = new LogLinearHistogram();
  for (let v = 0; v < 2048; v++) h.record(v);
  assert.equal(h.totalCount, 2048);
  assert.equal(h.valueAtPercentile(50), 1023);
  assert.equal(h.valueAtPercentile(100), 2047);
  assert.equal(h.valueAtPercentile(0), 0);
  assert.equal(h.min, 0);
  assert.equal(h.max, 2047);
  assert.equal(h.mean, 1023.5);
});

test('an empty histogram reports zeros', () => {
  const h = new LogLinearHistogram();
  assert.equal(h.valueAtPercentile(99), 0);
  assert.equal(h.min, 0);
  assert.equal(h.max, 0);
  assert.equal(h.mean, 0);
});

test('percentiles are within one part in a thousand of the exact ones', () => {
  const value = fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 50_000_000 }), fc.integer({ min: 0, max: histogramValueMax }));
  fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }), (values, percentiles) => {
    const h = new LogLinearHistogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    assert.equal(h.totalCount, values.length);
    assert.equal(h.min, sorted[0]);
    assert.equal(h.max, sorted[sorted.length - 1]);
    for (const p of [...percentiles, 50, 99, 99.9, 100]) {
      const exact = exactPercentile(sorted, p);
      const reported = h.valueAtPercentile(p);
      // The reported value is the top of the slot holding the exact one, capped by the max.
      assert.ok(reported >= exact, `p${p}: ${reported} < exact ${exact}`);
      assert.ok(reported - exact <= exact / 1000, `p${p}: ${reported} vs exact ${exact}`);
    }
  }), params(300));
});

test('adding one histogram to another equals recording both streams into one', () => {
  fc.assert(fc.property(fc.array(fc.nat(10_000_000)), fc.array(fc.nat(10_000_000)), (a, b) => {
    const left = new LogLinearHistogram();
    const right = new LogLinearHistogram();
    const both = new LogLinearHistogram();
    for (const v of a) { left.record(v); both.record(v); }
    for (const v of b) { right.record(v); both.record(v); }
    left.add(right);
    assert.equal(left.totalCount, both.totalCount);
    assert.equal(left.min, both.min);
    assert.equal(left.max, both.max);
    for (const p of [1, 25, 50, 90, 99, 99.9, 100]) assert.equal(left.valueAtPercentile(p), both.valueAtPercentile(p));
  }), params(100));
});

test('out-of-range values are clamped and counted; negative and NaN count as zero; fractions round down', () => {
  const h = new LogLinearHistogram();
  h.record(histogramValueMax * 4);
  h.record(-5);
  h.record(Number.NaN);
  h.record(7.9);
  assert.equal(h.totalCount, 4);
  assert.equal(h.clampedCount, 1);
  assert.equal(h.max, histogramValueMax);
  assert.equal(h.min, 0);
  assert.equal(h.valueAtPercentile(75), 7);
});

test('reset forgets everything', () => {
  const h = new LogLinearHistogram();
  for (let v = 0; v < 100; v++) h.record(v * 1000);
  h.reset();
  assert.equal(h.totalCount, 0);
  assert.equal(h.valueAtPercentile(50), 0);
  h.record(42);
  assert.equal(h.valueAtPercentile(50), 42);
  assert.equal(h.min, 42);
});

test('precision is a constructor choice, and bad precisions are refused', () => {
  const coarse = new LogLinearHistogram(1);
  coarse.record(1000);
  assert.ok(Math.abs(coarse.valueAtPercentile(50) - 1000) <= 1000 / 10);
  assert.throws(() => new LogLinearHistogram(0), RangeError);
  assert.throws(() => new LogLinearHistogram(6), RangeError);
  assert.throws(() => new LogLinearHistogram(3).add(new LogLinearHistogram(2)), RangeError);
});
