/**
 * A simple dijet bump hunt for paper 2 (sections 3.2-3.3): histogram the mjj of background
 * events plus a given number of injected signal events, optionally after a selection, fit
 * the dijet function (background only) and dijet function + signal template, and return
 * the local significance. Used before and after the VAE cut at several injected amounts.
 *
 * Two significances are returned:
 * - `significance`: the background shape is fitted on the data mixture (dijet function +
 *   signal template, likelihood ratio against the dijet function alone). Conservative: with a
 *   broad template the fitted background absorbs part of the signal, and the fit's
 *   mismodelling of a small sample shows up as a spurious signal.
 * - `significanceKnownBackground`: paper 2's fits (sections 3.2-3.3: "the plots show a simple
 *   template fit assuming that we know the background shape"): the background expectation is
 *   the dijet function fitted to the background-only spectrum after the same selection
 *   (shape and normalisation fixed), only the signal yield of the template floats
 *   ({@link knownBackgroundSignificance}). Optimistic, as the paper says.
 * - `significanceExpected`: the same known-background template fit on the Asimov data set
 *   (Cowan, Cranmer, Gross, Vitells, EPJC 71 (2011) 1554): counts = the fitted background +
 *   the expected injected signal (nInjected x the fraction of template events passing the
 *   selection inside the bins) with the template's shape. It is the median significance
 *   expected at that injected amount, free of the fluctuations of one background sample and
 *   one set of injected events (at ~40 injected events those move the observed value by ~1
 *   sigma), so it is the number to compare before and after a cut.
 */
import { type DijetFitResult, fitDijet } from "./dijetFit.ts";
import type { DijetParamCount } from "./dijetFunction.ts";
import { fitSignalPlusBackground, type SignalFitResult } from "./significance.ts";

/** Counts of `values` in the bins of `edges` (outside the range ignored). */
export function histogramCounts(
  values: ArrayLike<number>,
  edges: ArrayLike<number>,
  select?: (i: number) => boolean,
): Float64Array {
  const nb = edges.length - 1;
  const out = new Float64Array(nb);
  for (let i = 0; i < values.length; i++) {
    if (select && !select(i)) continue;
    const v = values[i];
    if (!(v >= edges[0] && v < edges[nb])) continue;
    let lo = 0, hi = nb;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v >= edges[mid]) lo = mid;
      else hi = mid;
    }
    out[lo] += 1;
  }
  return out;
}

/** Input of {@link bumpHunt}. */
export interface BumpHuntInput {
  /** mjj bin edges (GeV). */
  edges: ArrayLike<number>;
  /** Background mjj (GeV) and whether each event passes the selection. */
  bkgMjj: ArrayLike<number>;
  bkgPass?: ArrayLike<boolean>;
  /** Injected signal mjj and pass flags (only the first `nInjected` are used). */
  sigMjj: ArrayLike<number>;
  sigPass?: ArrayLike<boolean>;
  nInjected: number;
  /**
   * Signal template mjj (events independent of the injected ones; the template is their
   * histogram after the same selection).
   */
  templateMjj: ArrayLike<number>;
  templatePass?: ArrayLike<boolean>;
  /** Dijet-function form (default 4). */
  nParams?: DijetParamCount;
}

/** Result of {@link bumpHunt}. */
export interface BumpHuntResult {
  counts: Float64Array;
  bkgCounts: Float64Array;
  sigCounts: Float64Array;
  template: Float64Array;
  fit: SignalFitResult;
  significance: number;
  /** Injected signal events that passed the selection (and fell inside the bins). */
  signalInRange: number;
  /** Background events inside the bins. */
  backgroundInRange: number;
  /** Paper 2's template fit with the background known (see the module comment). */
  knownBackground: KnownBackgroundFit;
  /** `knownBackground.significance`. */
  significanceKnownBackground: number;
  /** Expected signal events passing inside the bins: nInjected x template pass fraction. */
  signalExpected: number;
  /** The known-background fit on the Asimov data set (see the module comment). */
  expectedKnownBackground: KnownBackgroundFit;
  /** `expectedKnownBackground.significance`: the median expected local significance. */
  significanceExpected: number;
}

/** Result of {@link knownBackgroundSignificance}. */
export interface KnownBackgroundFit {
  /** Fitted signal yield (events in the bins; may be negative). */
  signalYield: number;
  /** q0 = 2 (NLL(yield 0) - NLL(fitted yield)), >= 0. */
  q0: number;
  /** sign(yield) sqrt(q0). */
  significance: number;
}

function poissonNll(n: ArrayLike<number>, mu: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < n.length; k++) {
    if (mu[k] > 0) s += mu[k] - (n[k] > 0 ? n[k] * Math.log(mu[k]) : 0);
    else if (n[k] > 0) return Infinity;
  }
  return s;
}

/**
 * Template fit with a known background: counts n_k ~ Poisson(b_k + s t_k), t the template
 * normalised to unit sum over the bins, b fixed, s the only free parameter (the Poisson NLL
 * is convex in s: its derivative 1 - sum n_k t_k / (b_k + s t_k) is found by bisection on the
 * range where every expectation stays positive). Returns the yield, q0 and the signed local
 * significance. Bins with b_k <= 0 must have t_k > 0 or n_k = 0 (else the NLL is infinite).
 */
export function knownBackgroundSignificance(
  counts: ArrayLike<number>,
  background: ArrayLike<number>,
  template: ArrayLike<number>,
): KnownBackgroundFit {
  const nb = counts.length;
  if (background.length !== nb || template.length !== nb) {
    throw new RangeError(
      `knownBackgroundSignificance: ${nb} counts, ${background.length} background, ` +
        `${template.length} template bins`,
    );
  }
  let tSum = 0;
  for (let k = 0; k < nb; k++) {
    if (!(template[k] >= 0) || !(background[k] >= 0) || !(counts[k] >= 0)) {
      throw new RangeError(`knownBackgroundSignificance: negative or NaN entry in bin ${k}`);
    }
    tSum += template[k];
  }
  if (!(tSum > 0)) return { signalYield: 0, q0: 0, significance: 0 };
  const t = Float64Array.from(template, (v) => v / tSum);
  // Lowest yield keeping b + s t > 0 wherever t > 0; highest: all counts in the template.
  let lo = -Infinity;
  let nTot = 0;
  for (let k = 0; k < nb; k++) {
    if (t[k] > 0) lo = Math.max(lo, -background[k] / t[k]);
    nTot += counts[k];
  }
  const hi = Math.max(nTot, 1) / Math.min(...Array.from(t).filter((v) => v > 0)) + 1;
  const grad = (s: number) => {
    let g = 1;
    for (let k = 0; k < nb; k++) {
      if (t[k] > 0 && counts[k] > 0) g -= counts[k] * t[k] / (background[k] + s * t[k]);
    }
    return g;
  };
  let a = lo + 1e-9 * Math.max(1, Math.abs(lo)), b = hi;
  if (grad(a) >= 0) b = a;
  else {
    while (grad(b) < 0) b *= 2;
    for (let i = 0; i < 200 && b - a > 1e-10 * Math.max(1, Math.abs(b)); i++) {
      const m = 0.5 * (a + b);
      if (grad(m) < 0) a = m;
      else b = m;
    }
  }
  const sHat = b;
  const mu = (s: number) => Float64Array.from(background, (v, k) => v + s * t[k]);
  const q0 = Math.max(0, 2 * (poissonNll(counts, mu(0)) - poissonNll(counts, mu(sHat))));
  return { signalYield: sHat, q0, significance: Math.sign(sHat) * Math.sqrt(q0) };
}

/** Histogram background + injected signal, fit b and s+b, return the local significance. */
export function bumpHunt(input: BumpHuntInput): BumpHuntResult {
  const { edges } = input;
  const bPass = input.bkgPass, sPass = input.sigPass, tPass = input.templatePass;
  const nInj = Math.min(input.nInjected, input.sigMjj.length);
  const bkgCounts = histogramCounts(input.bkgMjj, edges, bPass ? (i) => bPass[i] : undefined);
  const sigCounts = histogramCounts(
    input.sigMjj,
    edges,
    (i) => i < nInj && (sPass ? sPass[i] : true),
  );
  const template = histogramCounts(
    input.templateMjj,
    edges,
    tPass ? (i) => tPass[i] : undefined,
  );
  const counts = bkgCounts.map((b, k) => b + sigCounts[k]);
  const fit = fitSignalPlusBackground(edges, counts, {
    signal: { kind: "template", counts: template },
    nParams: input.nParams ?? 4,
  });
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  const bkgExpected = fitDijet(edges, bkgCounts, { nParams: input.nParams ?? 4 }).expected;
  const known = knownBackgroundSignificance(counts, bkgExpected, template);
  // Asimov data set: the fitted background plus the expected passing signal, template-shaped.
  const tSum = sum(template);
  const nTemplate = input.templateMjj.length;
  const signalExpected = nTemplate > 0 ? nInj * tSum / nTemplate : 0;
  const asimov = bkgExpected.map((b, k) =>
    b + (tSum > 0 ? signalExpected * template[k] / tSum : 0)
  );
  const expected = knownBackgroundSignificance(asimov, bkgExpected, template);
  return {
    counts,
    bkgCounts,
    sigCounts,
    template,
    fit,
    significance: fit.significance,
    signalInRange: sum(sigCounts),
    backgroundInRange: sum(bkgCounts),
    knownBackground: known,
    significanceKnownBackground: known.significance,
    signalExpected,
    expectedKnownBackground: expected,
    significanceExpected: expected.significance,
  };
}

/** Background-only dijet fit of mjj (optionally after a selection). */
export function backgroundFit(
  edges: ArrayLike<number>,
  mjj: ArrayLike<number>,
  pass?: ArrayLike<boolean>,
  nParams: DijetParamCount = 4,
): { counts: Float64Array; fit: DijetFitResult } {
  const counts = histogramCounts(mjj, edges, pass ? (i) => pass[i] : undefined);
  return { counts, fit: fitDijet(edges, counts, { nParams }) };
}
