/**
 * The anomaly selection transfer function (ASTF) of paper 3 (Knapp et al., section 4): the
 * bin-by-bin fraction of events that pass the anomaly selection, as a function of a
 * quantity (HT, MJ, NJ, Nb). Comparing the ASTF of data with that of the known-SM
 * simulation says in which range of which quantity the anomalies cluster.
 *
 * Each bin is a binomial measurement: k selected events out of n. The value is k / n; its
 * standard deviation is the binomial sqrt(p (1 - p) / n) evaluated at the Agresti-Coull
 * centre p~ = (k + z^2/2) / (n + z^2) with z = 1 (a one-sigma interval), so that a bin with
 * k = 0 or k = n still carries an honest, non-zero error; the interval is the 68.27 %
 * Clopper-Pearson one. The excess of one ASTF over another in a region is the difference
 * over the two standard deviations added in quadrature.
 *
 * Weighted samples (e.g. a simulation stitched from multiplicity bins, lib/data/stitch.ts):
 * the value is (sum of the selected weights) / (sum of the weights), and k and n become
 * Kish's effective counts n_eff = (sum w)^2 / sum w^2, k_eff = n_eff x value, in the same
 * error and interval formulae; with unit weights this is the unweighted case exactly.
 */
import { clopperPearson, clopperPearsonEffective } from "./binomial.ts";

/** One sigma, as a binomial confidence level. */
export const ONE_SIGMA_CL = 0.6826894921370859;

/** A binomial fraction k / n with its one-sigma error and interval. */
export interface BinomialFraction {
  /** Selected events (weighted samples: the effective count, not an integer). */
  k: number;
  /** Events (weighted samples: the effective count, not an integer). */
  n: number;
  /** k / n (NaN when n = 0). */
  value: number;
  /** sqrt(p~ (1 - p~) / (n + 1)), p~ = (k + 1/2) / (n + 1); NaN when n = 0. */
  sigma: number;
  /** 68.27 % Clopper-Pearson interval ([0, 1] when n = 0). */
  interval: [number, number];
}

/** k / n with the one-sigma error of the module comment. */
export function binomialFraction(k: number, n: number): BinomialFraction {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && n >= 0 && k <= n)) {
    throw new RangeError(`binomialFraction: k=${k}, n=${n}`);
  }
  if (n === 0) return { k, n, value: NaN, sigma: NaN, interval: [0, 1] };
  const nt = n + 1, pt = (k + 0.5) / nt;
  const ci = clopperPearson(k, n, ONE_SIGMA_CL);
  return {
    k,
    n,
    value: k / n,
    sigma: Math.sqrt(pt * (1 - pt) / nt),
    interval: [ci.lower, ci.upper],
  };
}

/**
 * The fraction of a weighted sample: sumwSelected / sumw with Kish's effective counts (see
 * the module comment). Unit weights give {@link binomialFraction}(k, n). Unlike the plain
 * weighted-binomial variance (lib/data/rmmSlices.ts `weightedEfficiency`), the error stays
 * non-zero when no event is selected, as the ASTF of a bin with k = 0 needs.
 */
export function weightedFraction(
  sumwSelected: number,
  sumw: number,
  sumw2: number,
): BinomialFraction {
  if (sumw === 0 && sumw2 === 0 && sumwSelected === 0) {
    return { k: 0, n: 0, value: NaN, sigma: NaN, interval: [0, 1] };
  }
  if (!(sumw > 0 && sumw2 > 0 && sumwSelected >= 0 && sumwSelected <= sumw * (1 + 1e-12))) {
    throw new RangeError(
      `weightedFraction: sum of selected weights ${sumwSelected}, of weights ${sumw}, of ` +
        `squared weights ${sumw2} (expected 0 <= selected <= all, positive weights)`,
    );
  }
  const n = (sumw * sumw) / sumw2;
  const value = Math.min(1, sumwSelected / sumw);
  const k = Math.min(n, (sumwSelected * sumw) / sumw2);
  const nt = n + 1, pt = (k + 0.5) / nt;
  const ci = clopperPearsonEffective(k, n, ONE_SIGMA_CL);
  return { k, n, value, sigma: Math.sqrt(pt * (1 - pt) / nt), interval: [ci.lower, ci.upper] };
}

/** The ASTF of one quantity: a binomial fraction per bin. */
export interface Astf {
  /** Bin edges (n + 1). */
  edges: Float64Array;
  /** Per bin: selected / all events in the bin. */
  bins: BinomialFraction[];
}

/** Options of {@link astf}. */
export interface AstfOptions {
  /** Put values at or above the last edge into the last bin (default true). */
  overflow?: boolean;
  /** Per-event weights (default: unweighted); see {@link weightedFraction}. */
  weights?: ArrayLike<number> | null;
}

/**
 * The ASTF of `values` for the selection `selected` (truthy = passes), in bins of `edges`
 * (a value x falls in bin i when edges[i] <= x < edges[i + 1]; values below the first edge
 * and NaN are ignored; values at or above the last edge go to the last bin unless
 * `overflow` is false).
 */
export function astf(
  values: ArrayLike<number>,
  selected: ArrayLike<boolean | number>,
  edges: ArrayLike<number>,
  options: AstfOptions = {},
): Astf {
  if (values.length !== selected.length) {
    throw new RangeError(`astf: ${values.length} values but ${selected.length} selection flags`);
  }
  const e = Float64Array.from(edges);
  if (e.length < 2) throw new RangeError("astf: need at least two edges");
  for (let i = 1; i < e.length; i++) {
    if (!(e[i] > e[i - 1])) throw new RangeError("astf: edges must increase");
  }
  const nb = e.length - 1;
  const w = options.weights ?? null;
  if (w !== null && w.length !== values.length) {
    throw new RangeError(`astf: ${values.length} values but ${w.length} weights`);
  }
  const n = new Float64Array(nb), k = new Float64Array(nb), n2 = new Float64Array(nb);
  const overflow = options.overflow ?? true;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= e[0])) continue;
    let b: number;
    if (x >= e[nb]) {
      if (!overflow) continue;
      b = nb - 1;
    } else {
      let lo = 0, hi = nb - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (e[mid] <= x) lo = mid;
        else hi = mid - 1;
      }
      b = lo;
    }
    const wi = w === null ? 1 : w[i];
    n[b] += wi;
    n2[b] += wi * wi;
    if (selected[i]) k[b] += wi;
  }
  return {
    edges: e,
    bins: Array.from(
      { length: nb },
      (_, b) => w === null ? binomialFraction(k[b], n[b]) : weightedFraction(k[b], n[b], n2[b]),
    ),
  };
}

/**
 * The ASTF in one region: selected / all events with `inRegion(i)` true; with `weights`,
 * the weighted fraction of {@link weightedFraction}.
 */
export function regionFraction(
  selected: ArrayLike<boolean | number>,
  inRegion: (i: number) => boolean,
  weights: ArrayLike<number> | null = null,
): BinomialFraction {
  if (weights !== null && weights.length !== selected.length) {
    throw new RangeError(
      `regionFraction: ${selected.length} selection flags but ${weights.length} weights`,
    );
  }
  let n = 0, k = 0, n2 = 0;
  for (let i = 0; i < selected.length; i++) {
    if (!inRegion(i)) continue;
    const wi = weights === null ? 1 : weights[i];
    n += wi;
    n2 += wi * wi;
    if (selected[i]) k += wi;
  }
  return weights === null ? binomialFraction(k, n) : weightedFraction(k, n, n2);
}

/**
 * Excess of fraction `a` over fraction `b` in standard deviations:
 * (a - b) / sqrt(sigma_a^2 + sigma_b^2) (NaN when either has no events).
 */
export function excessSigma(a: BinomialFraction, b: BinomialFraction): number {
  if (a.n === 0 || b.n === 0) return NaN;
  return (a.value - b.value) / Math.hypot(a.sigma, b.sigma);
}

/**
 * The selected fraction used at a scale: `alpha` when it leaves at least `minSelected`
 * events among `n`, otherwise minSelected / n (capped at 1). `changed` says whether alpha
 * had to be raised.
 */
export function selectionFraction(
  alpha: number,
  n: number,
  minSelected: number,
): { fraction: number; changed: boolean; expected: number } {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`selectionFraction: alpha=${alpha}`);
  if (!(n > 0)) throw new RangeError(`selectionFraction: n=${n}`);
  if (alpha * n >= minSelected) return { fraction: alpha, changed: false, expected: alpha * n };
  const fraction = Math.min(1, minSelected / n);
  return { fraction, changed: true, expected: fraction * n };
}
