/**
 * Empirical p-values of test scores against a reference (e.g. Standard Model) sample.
 *
 * The one-sided p-value of a score s is the fraction of reference scores at least as
 * anomalous (>= s). With the "+1" convention (default; North, Curtis & Sham, Am. J. Hum.
 * Genet. 71 (2002) 439; Davison & Hinkley 1997, eq. 4.11)
 *   p(s) = (1 + #{r_j >= s}) / (1 + N),
 * which counts the tested event itself as a member of the reference, is never 0, and is a
 * valid (super-uniform) p-value: P(p <= alpha) <= alpha when s is drawn from the reference
 * distribution. Without it, p(s) = #{r_j >= s} / N (the plain empirical tail fraction,
 * zero above the largest reference score). The reference is sorted once (O(N log N)); each
 * score then costs one binary search (O(log N)).
 */

import { ksOneSample, type KsResult, ksTwoSample, uniformCdf } from "./ks.ts";

/** Options for p-value computation. */
export interface PValueOptions {
  /** Use (1 + count) / (1 + N) (default true) instead of count / N. */
  plusOne?: boolean;
}

/** A sorted reference sample answering tail-fraction queries by binary search. */
export class ReferenceDistribution {
  /** Reference scores in ascending order. */
  readonly sorted: Float64Array;

  /** Sort (a copy of) the reference scores; NaN scores are rejected. */
  constructor(reference: ArrayLike<number>) {
    if (reference.length === 0) throw new RangeError("ReferenceDistribution: empty reference");
    const s = Float64Array.from(reference);
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== s[i]) throw new RangeError(`ReferenceDistribution: reference[${i}] is NaN`);
    }
    this.sorted = s.sort();
  }

  /** Number of reference scores N. */
  get size(): number {
    return this.sorted.length;
  }

  /** Number of reference scores >= s. */
  countAtLeast(s: number): number {
    if (s !== s) throw new RangeError("ReferenceDistribution.countAtLeast: score is NaN");
    const a = this.sorted;
    let lo = 0, hi = a.length; // first index with a[i] >= s lies in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    return a.length - lo;
  }

  /** One-sided p-value of score s (see the module comment for the convention). */
  pValue(s: number, options: PValueOptions = {}): number {
    const c = this.countAtLeast(s);
    const n = this.sorted.length;
    return (options.plusOne ?? true) ? (c + 1) / (n + 1) : c / n;
  }

  /** p-values of many scores. */
  pValues(scores: ArrayLike<number>, options: PValueOptions = {}): Float64Array {
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) out[i] = this.pValue(scores[i], options);
    return out;
  }
}

/** p-values of `scores` against `reference` (sorts the reference once). */
export function empiricalPValues(
  reference: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: PValueOptions = {},
): Float64Array {
  return new ReferenceDistribution(reference).pValues(scores, options);
}

/**
 * Test that the p-values of `test` scores with respect to the `reference` scores are flat, as
 * they must be when both come from one distribution (e.g. two halves of an SM sample).
 *
 * The one-sample KS test of those p-values against Uniform(0, 1) is NOT the right test: the
 * p-values all share the reference's own empirical CDF, whose fluctuations (of order
 * 1 / sqrt(N_ref)) the one-sample test attributes to the tested sample, so it rejects far more
 * often than its nominal rate unless N_ref >> N_test. The KS distance between the p-values'
 * empirical CDF and the uniform one is the two-sample distance between the score samples, so
 * the exact statement is the two-sample KS test of `reference` vs `test` (effective size
 * N_ref N_test / (N_ref + N_test)), which this returns; `oneSampleD` is the uncorrected
 * statistic for display.
 */
export function pValueFlatness(
  reference: ArrayLike<number>,
  test: ArrayLike<number>,
): KsResult & { oneSampleD: number } {
  const p = new ReferenceDistribution(reference).pValues(test);
  const one = ksOneSample(p, uniformCdf);
  return { ...ksTwoSample(reference, test), oneSampleD: one.statistic };
}
