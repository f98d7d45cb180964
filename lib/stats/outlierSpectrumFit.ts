/**
 * Paper 4 figure 3: an invariant-mass spectrum of the events in the outlier region
 * ln(Loss) > C, binned in log-spaced bins and fitted with the 5-parameter dijet function
 * (paper 4 eq. 1, {@link fitDijet}: binned Poisson likelihood), with the pulls and their runs
 * of the same sign ({@link pullRunSummary}) for the "no spurious bump" check.
 *
 * Binning: from `lo` to 1.05 x the 99.5 % quantile in about sqrt(n) log-spaced bins (8 to 25;
 * n: all events for "lowTail", those in the fit range for "peak"). Where the fit starts
 * (`start`):
 * - "lowTail": the 1 % quantile, at least 20 GeV: for an inclusive sample, whose spectrum
 *   falls from low masses on;
 * - "peak": the lower edge of the log bin of highest density (events / GeV) of the spectrum
 *   from its 1 % quantile on: for a sample generated above a threshold (e.g. a pT-hat slice),
 *   whose mass spectrum first rises through a kinematic turn-on that the dijet function does
 *   not describe; dijet searches likewise start their fits above the trigger turn-on.
 *
 * The counts are unweighted: the spectrum must be of events of equal weight (one sample), so
 * that they are Poisson. Masses <= 0 (no such pair in the event) are ignored. Units: GeV.
 */
import { histogramCounts } from "./bumpHunt.ts";
import { type DijetFitResult, fitDijet } from "./dijetFit.ts";
import { logEdges } from "./histogram.ts";
import { type PullRunSummary, pullRunSummary } from "./pullRuns.ts";
import { quantile } from "./quantiles.ts";

/** Options of {@link fitOutlierSpectrum}. */
export interface OutlierSpectrumFitOptions {
  /** Where the fit range starts (see the module comment); default "lowTail". */
  start?: "lowTail" | "peak";
  /** Fewest events (in the fit range) for a fit; default 30. */
  minEvents?: number;
  /** Pull threshold of the same-sign runs; default 2. */
  pullThreshold?: number;
}

/** A fitted outlier spectrum. */
export interface OutlierSpectrumFit {
  /** Bin edges (GeV), log-spaced. */
  edges: Float64Array;
  /** Events per bin. */
  counts: Float64Array;
  /** Events in the fit range. */
  n: number;
  /** The 5-parameter dijet fit. */
  fit: DijetFitResult;
  /** Pulls (n - mu) / sqrt(mu) and their same-sign runs beyond the threshold. */
  runs: PullRunSummary;
}

const binCount = (n: number) => Math.max(8, Math.min(25, Math.round(Math.sqrt(n))));

/**
 * Bin and fit the spectrum `masses` (GeV) of the outlier events; null when fewer than
 * `minEvents` events lie in the fit range (too few for 5 parameters).
 */
export function fitOutlierSpectrum(
  masses: ArrayLike<number>,
  options: OutlierSpectrumFitOptions = {},
): OutlierSpectrumFit | null {
  const start = options.start ?? "lowTail";
  const minEvents = options.minEvents ?? 30;
  if (start !== "lowTail" && start !== "peak") {
    throw new RangeError(`fitOutlierSpectrum: unknown start "${start}" (lowTail or peak)`);
  }
  const sorted = Float64Array.from(Array.from(masses).filter((v) => v > 0 && Number.isFinite(v)))
    .sort();
  if (sorted.length < minEvents) return null;
  const q01 = quantile(sorted, 0.01);
  const hi = quantile(sorted, 0.995) * 1.05;
  let lo = Math.max(20, q01);
  if (start === "peak") {
    const scan = logEdges(q01, hi, binCount(sorted.length));
    const c = histogramCounts(sorted, scan);
    let best = 0;
    for (let k = 1; k < c.length; k++) {
      if (c[k] / (scan[k + 1] - scan[k]) > c[best] / (scan[best + 1] - scan[best])) best = k;
    }
    lo = scan[best];
  }
  if (!(hi > lo)) return null;
  let inRange = 0;
  for (const v of sorted) if (v >= lo && v < hi) inRange++;
  if (inRange < minEvents) return null;
  const edges = logEdges(lo, hi, binCount(start === "peak" ? inRange : sorted.length));
  const counts = histogramCounts(sorted, edges);
  const fit = fitDijet(edges, counts, { nParams: 5 });
  return {
    edges,
    counts,
    n: counts.reduce((a, b) => a + b, 0),
    fit,
    runs: pullRunSummary(fit.pulls, options.pullThreshold ?? 2),
  };
}
