/**
 * The arithmetic of bench/compare: medians of repeated runs, and the zkts/ZooKeeper ratio of
 * those medians with the spread of the per-round ratios, checked against a target.
 *
 * Rounds are paired (round i of A ran next to round i of B, A/B/A/B), so the spread is taken
 * over the ratios of pairs: it shows how much the answer moves from one pair to the next,
 * which a ratio of two medians alone hides. Not here: running anything, or formatting.
 */

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Which way is better for a metric: more ops/s, or less latency, CPU and memory. */
export type Better = 'higher' | 'lower';

export interface Target {
  /** The zkts/ZooKeeper ratio of medians that meets the goal. */
  readonly ratio: number;
  /** 'higher': the ratio must be >= `ratio`; 'lower': <= `ratio`. */
  readonly better: Better;
}

export interface PairedComparison {
  readonly medianA: number;
  readonly medianB: number;
  /** medianA / medianB; NaN when medianB is 0. */
  readonly ratio: number;
  /** The smallest and largest of the per-round ratios a[i] / b[i]. */
  readonly ratioMin: number;
  readonly ratioMax: number;
  readonly rounds: number;
  /** Undefined without a target. */
  readonly targetMet: boolean | undefined;
}

/** Compares A's rounds with B's, round by round (the lists must be the same length). */
export function comparePaired(a: readonly number[], b: readonly number[], target?: Target): PairedComparison {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`paired rounds must be equal in number and not empty (${a.length} vs ${b.length})`);
  const ratios = a.map((value, i) => value / b[i]!);
  const medianA = median(a);
  const medianB = median(b);
  const ratio = medianB === 0 ? Number.NaN : medianA / medianB;
  const finite = ratios.filter(Number.isFinite);
  return {
    medianA,
    medianB,
    ratio,
    ratioMin: finite.length === 0 ? Number.NaN : Math.min(...finite),
    ratioMax: finite.length === 0 ? Number.NaN : Math.max(...finite),
    rounds: a.length,
    targetMet: target === undefined || !Number.isFinite(ratio) ? undefined
      : target.better === 'higher' ? ratio >= target.ratio : ratio <= target.ratio,
  };
}
