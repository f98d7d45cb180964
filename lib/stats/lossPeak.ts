/**
 * Small summaries of anomaly-score distributions (paper 4): the height of the peak of a
 * unit-normalised histogram (paper 4 section 4: "the height of the narrow SM histogram randomly
 * changes in the range 0.4-0.7" over repeated trainings) and weighted sums in a region.
 */

import { quantiles } from "./quantiles.ts";

/**
 * Reproducibility of a score distribution over repeated trainings, free of any binning: the
 * spread (max - min) of the medians of the runs' finite `scores`, in units of their mean
 * inter-quartile range. A fixed-bin peak height saturates at 1 once a distribution is narrower
 * than one bin (then every run looks alike); this does not. 0 for identical runs.
 */
export function medianSpreadInIqr(scores: readonly ArrayLike<number>[]): number {
  if (scores.length < 2) throw new RangeError("medianSpreadInIqr: need at least two runs");
  let lo = Infinity, hi = -Infinity, iqrSum = 0;
  for (const [k, run] of scores.entries()) {
    const finite = Array.from(run).filter((v) => Number.isFinite(v));
    if (finite.length < 4) {
      throw new RangeError(`medianSpreadInIqr: run ${k} has < 4 finite scores`);
    }
    const [q1, med, q3] = quantiles(finite, [0.25, 0.5, 0.75]);
    lo = Math.min(lo, med);
    hi = Math.max(hi, med);
    iqrSum += q3 - q1;
  }
  const iqr = iqrSum / scores.length;
  if (!(iqr > 0)) throw new RangeError("medianSpreadInIqr: zero inter-quartile range");
  return (hi - lo) / iqr;
}

/**
 * Peak height of the histogram of the finite `values` in bins of `binWidth` (aligned to
 * multiples of binWidth), normalised to a unit sum ("Events / Total"); NaN without values.
 */
export function peakHeight(values: ArrayLike<number>, binWidth: number): number {
  if (!(binWidth > 0)) throw new RangeError(`peakHeight: binWidth=${binWidth}`);
  const counts = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const b = Math.floor(v / binWidth);
    counts.set(b, (counts.get(b) ?? 0) + 1);
    n++;
  }
  if (n === 0) return NaN;
  let max = 0;
  for (const c of counts.values()) if (c > max) max = c;
  return max / n;
}

/** Sum of `weights[i]` over the rows where `pass(i)` holds, and how many rows that is. */
export function weightedSum(
  weights: ArrayLike<number>,
  pass: (i: number) => boolean,
): { sum: number; count: number } {
  let sum = 0, count = 0;
  for (let i = 0; i < weights.length; i++) {
    if (pass(i)) {
      sum += weights[i];
      count++;
    }
  }
  return { sum, count };
}
