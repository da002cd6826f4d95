/**
 * A log-linear latency histogram in the manner of Gil Tene's HdrHistogram: values are
 * non-negative integers (the bench records microseconds); values below `2^subBucketBits` are
 * counted exactly, and above that each power-of-two range is split into `2^(subBucketBits-1)`
 * equal slots, so every recorded value is known to within one part in 10^significantDigits.
 * Recording is a few integer operations and one array increment: no allocation, no sorting.
 *
 * Not here: time itself (the caller measures), concurrency (one histogram per event loop), or
 * HdrHistogram's compressed interchange format (results leave as plain percentiles).
 * Invariants: totalCount equals the sum of the slot counts; min <= every percentile <= max;
 * a value above `valueMax` is counted at `valueMax` (and `clampedCount` says how many were).
 */

/** Enough for 3 significant digits: 2048 exact values, then 1024 slots per power of two. */
export const significantDigitsDefault = 3;
/** The largest value the slots cover: 2^32 - 1 (in microseconds, 71 minutes). */
export const histogramValueMax = 0xffff_ffff;

export class LogLinearHistogram {
  /** log2 of the number of exact values at the bottom. */
  private readonly subBucketBits: number;
  private readonly subBucketHalf: number;
  private readonly counts: Float64Array;
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;
  private clamped = 0;

  constructor(readonly significantDigits = significantDigitsDefault) {
    if (!Number.isInteger(significantDigits) || significantDigits < 1 || significantDigits > 5) {
      throw new RangeError(`significantDigits must be 1..5, not ${significantDigits}`);
    }
    // The smallest power of two that holds 2 * 10^digits distinct values, as HdrHistogram sizes
    // its sub-buckets, so that the top half of each bucket has at least 10^digits slots.
    this.subBucketBits = Math.ceil(Math.log2(2 * 10 ** significantDigits));
    this.subBucketHalf = 1 << (this.subBucketBits - 1);
    this.counts = new Float64Array(this.indexOf(histogramValueMax) + 1);
  }

  /** The slot of a value in 0..histogramValueMax. */
  private indexOf(value: number): number {
    const shift = 31 - Math.clz32(value) - (this.subBucketBits - 1);
    if (shift <= 0) return value;
    return (shift + 1) * this.subBucketHalf + ((value >>> shift) - this.subBucketHalf);
  }

  /** The largest value that lands in a slot (what a percentile reports, as HdrHistogram does). */
  private highestInSlot(index: number): number {
    if (index < 2 * this.subBucketHalf) return index;
    const shift = Math.floor(index / this.subBucketHalf) - 1;
    const low = ((index % this.subBucketHalf) + this.subBucketHalf) * 2 ** shift;
    return low + 2 ** shift - 1;
  }

  record(value: number): void {
    let v = value;
    if (!(v >= 0)) v = 0; // negative or NaN: a clock that went backwards counts as zero
    else if (v > histogramValueMax) {
      v = histogramValueMax;
      this.clamped++;
    } else v = Math.floor(v);
    this.counts[this.indexOf(v)]!++;
    this.total++;
    this.sum += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  /** Adds another histogram's counts to this one (both must have the same precision). */
  add(other: LogLinearHistogram): void {
    if (other.significantDigits !== this.significantDigits) throw new RangeError('histograms of different precision');
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.sum += other.sum;
    this.clamped += other.clamped;
    if (other.total > 0) {
      this.minValue = Math.min(this.minValue, other.minValue);
      this.maxValue = Math.max(this.maxValue, other.maxValue);
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
    this.clamped = 0;
  }

  get totalCount(): number {
    return this.total;
  }

  get clampedCount(): number {
    return this.clamped;
  }

  get min(): number {
    return this.total === 0 ? 0 : this.minValue;
  }

  get max(): number {
    return this.maxValue;
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /**
   * The smallest recorded value v (to the histogram's precision) such that `percentile` percent
   * of the recorded values are <= v; 0 when nothing was recorded.
   */
  valueAtPercentile(percentile: number): number {
    if (this.total === 0) return 0;
    const p = Math.min(100, Math.max(0, percentile));
    const wanted = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= wanted) return Math.max(this.minValue, Math.min(this.highestInSlot(i), this.maxValue));
    }
    return this.maxValue;
  }
}
