/**
 * Stitching a dedicated high-mass QCD sample to paper 4's inclusive SM mixture, and weighted
 * yields with statistical errors: the tools of the H+ S/B in m_bb > 500 GeV (notebook 04,
 * section 6).
 *
 * Why: with paper 4's fake-lepton rates the SM rows with two b-tagged jets and m_bb > 500 GeV
 * are ~1e-4 of the inclusive sample (QCD with a fake lepton), too few to measure the SM cut
 * efficiency there. An LHC analysis then adds a dedicated, weighted sample of that phase
 * space: here a QCD pT-hat slice restricted to hard processes with a b quark
 * (`rmm13_QCD_ptHat<c>_b`, lib/data/rmmDatasets.ts), whose `weight` column is already in the
 * same pb per row as the inclusive sample's (its cross section is the inclusive QCD one times
 * the slice share measured on the generator's own samplers, lib/sim/rmmStream.ts
 * `qcdPtHatSliceFraction` and `QCD_P_HARD_B`).
 *
 * Stitching (overlap removal by generator truth, as for b-enriched / pT-hat-binned samples):
 * the inclusive rows of the slice's phase space (QCD, pT-hat = `hardMass` > c and, for a "_b"
 * slice, `qcdHardB` = 1) get weight 0 and are replaced by the slice rows; every other
 * inclusive row (other processes, QCD below c, QCD without a hard b) keeps its weight. The
 * same weights are used before and after any cut, so the cut efficiency of the background is
 * that of the stitched sample.
 *
 * Errors: a weighted yield sum w has the variance sum w^2 (independent events, Poisson); a
 * ratio of two independent yields adds the relative errors in quadrature; a weighted
 * efficiency (pass / all on the same events) has the variance
 * (sum_pass w^2 (1 - e)^2 + sum_fail w^2 e^2) / (sum w)^2.
 */

/** A weighted yield: sum of the weights, sum of their squares, raw count, sqrt(sum w^2). */
export interface WeightedYield {
  sum: number;
  sumW2: number;
  count: number;
  error: number;
}

/** Weighted yield of the rows `i` with `pass(i)` (weights of 0 count neither in sum nor count). */
export function weightedYield(
  weights: ArrayLike<number>,
  pass: (i: number) => boolean,
): WeightedYield {
  let sum = 0, sumW2 = 0, count = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (w === 0 || !pass(i)) continue;
    sum += w;
    sumW2 += w * w;
    count++;
  }
  return { sum, sumW2, count, error: Math.sqrt(sumW2) };
}

/** Sum of two independent weighted yields. */
export function addYields(a: WeightedYield, b: WeightedYield): WeightedYield {
  const sumW2 = a.sumW2 + b.sumW2;
  return { sum: a.sum + b.sum, sumW2, count: a.count + b.count, error: Math.sqrt(sumW2) };
}

/** A value with its statistical error. */
export interface ValueError {
  value: number;
  error: number;
}

/** s / b of two independent yields, relative errors added in quadrature (NaN when b = 0). */
export function yieldRatio(s: WeightedYield, b: WeightedYield): ValueError {
  if (!(b.sum > 0)) return { value: NaN, error: NaN };
  const value = s.sum / b.sum;
  const rs = s.sum > 0 ? s.sumW2 / (s.sum * s.sum) : 0;
  const rb = b.sumW2 / (b.sum * b.sum);
  return { value, error: Math.abs(value) * Math.sqrt(rs + rb) };
}

/**
 * Weighted efficiency of `pass` on the rows with `all` (both evaluated on the same events),
 * with the binomial variance of weighted events (module comment).
 */
export function weightedEfficiency(
  weights: ArrayLike<number>,
  all: (i: number) => boolean,
  pass: (i: number) => boolean,
): ValueError & { passed: WeightedYield; total: WeightedYield } {
  const total = weightedYield(weights, all);
  const passed = weightedYield(weights, (i) => all(i) && pass(i));
  if (!(total.sum > 0)) return { value: NaN, error: NaN, passed, total };
  const e = passed.sum / total.sum;
  const failW2 = total.sumW2 - passed.sumW2;
  const v = (passed.sumW2 * (1 - e) * (1 - e) + failW2 * e * e) / (total.sum * total.sum);
  return { value: e, error: Math.sqrt(Math.max(v, 0)), passed, total };
}

/** Truth columns of inclusive rows that decide the overlap with a slice. */
export interface SliceTruth {
  process: readonly string[];
  /** pT-hat for QCD rows (GeV). */
  hardMass: ArrayLike<number>;
  /** 1 for QCD rows with a b quark out of the hard process. */
  qcdHardB: ArrayLike<number>;
}

/** The phase space of a slice: QCD with pT-hat > ptHatMin, and a hard b when `hardB`. */
export interface SliceDefinition {
  ptHatMin: number;
  hardB: boolean;
}

/** The slice of a dataset label `QCD_ptHat<c>` / `QCD_ptHat<c>_b` (the `process` column). */
export function sliceOfLabel(label: string): SliceDefinition {
  const m = /^QCD_ptHat([0-9]+)(_b)?$/.exec(label);
  if (m === null) throw new RangeError(`sliceOfLabel: "${label}" is not a QCD pT-hat slice`);
  return { ptHatMin: Number(m[1]), hardB: m[2] !== undefined };
}

/** Whether inclusive row `i` lies in the phase space of `slice` (then the slice replaces it). */
export function inSlicePhaseSpace(t: SliceTruth, i: number, slice: SliceDefinition): boolean {
  return t.process[i] === "QCD" && t.hardMass[i] > slice.ptHatMin &&
    (!slice.hardB || t.qcdHardB[i] === 1);
}

/**
 * Weights of the stitched background: the inclusive rows' `weights` with the rows in the
 * slice's phase space set to 0 (module comment); the slice rows keep their own weights.
 */
export function stitchInclusiveWeights(
  weights: ArrayLike<number>,
  truth: SliceTruth,
  slice: SliceDefinition,
): { weights: Float64Array; removed: number; removedWeight: number } {
  const n = weights.length;
  if (truth.process.length !== n || truth.hardMass.length !== n || truth.qcdHardB.length !== n) {
    throw new RangeError("stitchInclusiveWeights: weights and truth columns differ in length");
  }
  const out = Float64Array.from(weights);
  let removed = 0, removedWeight = 0;
  for (let i = 0; i < n; i++) {
    if (inSlicePhaseSpace(truth, i, slice)) {
      removed++;
      removedWeight += out[i];
      out[i] = 0;
    }
  }
  return { weights: out, removed, removedWeight };
}

/** One bin of {@link compareWeightedSpectra}. */
export interface SpectrumBin {
  lo: number;
  hi: number;
  a: WeightedYield;
  b: WeightedYield;
  /** (b - a) / sqrt(err_a^2 + err_b^2); 0 when both are empty. */
  pull: number;
}

/**
 * Compare two weighted spectra of the same quantity in `edges` (e.g. the inclusive rows of a
 * slice's phase space, `a`, and the slice, `b`): per-bin yields with errors and pulls, chi2 over
 * the bins where either is non-empty (a side with no event in a bin gets the error of one of
 * its events, its mean weight), and the ratio of the totals (b / a) with its error.
 * Values outside the edges are ignored.
 */
export function compareWeightedSpectra(
  edges: readonly number[],
  a: { values: ArrayLike<number>; weights: ArrayLike<number> },
  b: { values: ArrayLike<number>; weights: ArrayLike<number> },
): {
  bins: SpectrumBin[];
  chi2: number;
  ndf: number;
  totalA: WeightedYield;
  totalB: WeightedYield;
  ratio: ValueError;
} {
  if (edges.length < 2) throw new RangeError("compareWeightedSpectra: need >= 2 edges");
  const lo = edges[0], hi = edges[edges.length - 1];
  const inRange = (v: number) => v >= lo && v < hi;
  const totalA = weightedYield(a.weights, (i) => inRange(a.values[i]));
  const totalB = weightedYield(b.weights, (i) => inRange(b.values[i]));
  const ya0 = totalA.count > 0 ? totalA.sum / totalA.count : 0;
  const yb0 = totalB.count > 0 ? totalB.sum / totalB.count : 0;
  const bins: SpectrumBin[] = [];
  let chi2 = 0, ndf = 0;
  for (let k = 0; k + 1 < edges.length; k++) {
    const l = edges[k], h = edges[k + 1];
    const ya = weightedYield(a.weights, (i) => a.values[i] >= l && a.values[i] < h);
    const yb = weightedYield(b.weights, (i) => b.values[i] >= l && b.values[i] < h);
    // An empty side's error is that of one of its events (mean weight), not 0: a bin with
    // no event of a sample is compatible with less than about one event's weight there.
    const va = ya.count > 0 ? ya.sumW2 : ya0 * ya0, vb = yb.count > 0 ? yb.sumW2 : yb0 * yb0;
    const v = ya.count + yb.count > 0 ? va + vb : 0;
    const pull = v > 0 ? (yb.sum - ya.sum) / Math.sqrt(v) : 0;
    if (v > 0) {
      chi2 += pull * pull;
      ndf++;
    }
    bins.push({ lo: l, hi: h, a: ya, b: yb, pull });
  }
  return { bins, chi2, ndf, totalA, totalB, ratio: yieldRatio(totalB, totalA) };
}
