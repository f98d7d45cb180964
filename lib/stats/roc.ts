/**
 * ROC curves for anomaly scores (higher score = more signal-like).
 *
 * An event passes a working point with threshold t when score >= t. For every distinct
 * score value t (scanned from the highest down) the curve stores
 *   FPR(t) = sum of background weights with score >= t / total background weight,
 *   TPR(t) = the same for signal,
 * starting from (0, 0) at t = +Infinity and ending at (1, 1). Ties between signal and
 * background give one diagonal step, so the trapezoid area equals the Mann-Whitney
 * probability P(s > b) + 0.5 P(s = b). Both samples are sorted once: O(N log N).
 */
import { argsort } from "./sort.ts";

/** A ROC curve; arrays have one entry per distinct threshold plus the (0, 0) start. */
export interface Roc {
  /** Background efficiency (false-positive rate), non-decreasing from 0 to 1. */
  fpr: Float64Array;
  /** Signal efficiency (true-positive rate), non-decreasing from 0 to 1. */
  tpr: Float64Array;
  /** Score threshold of each point (select score >= threshold); thresholds[0] = +Infinity. */
  thresholds: Float64Array;
  /** Number of background and signal events (unweighted counts). */
  nBkg: number;
  nSig: number;
  /** Total background and signal weights (equal to the counts when unweighted). */
  bkgWeight: number;
  sigWeight: number;
}

/** Optional per-event weights (non-negative, finite) for {@link rocCurve}. */
export interface RocOptions {
  bkgWeights?: ArrayLike<number>;
  sigWeights?: ArrayLike<number>;
}

interface Sorted {
  s: Float64Array;
  w: Float64Array | null;
}

/** Scores sorted from highest to lowest, with weights permuted alongside. */
function sortDescending(
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  what: string,
): Sorted {
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (scores[i] !== scores[i]) throw new RangeError(`${what}: score[${i}] is NaN`);
  }
  if (weights === undefined) {
    const s = Float64Array.from(scores).sort().reverse();
    return { s, w: null };
  }
  if (weights.length !== n) {
    throw new RangeError(`${what}: ${weights.length} weights for ${n} scores`);
  }
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w >= 0 && w < Infinity)) {
      throw new RangeError(`${what}: weight[${i}]=${w}, expected finite and >= 0`);
    }
  }
  const idx = argsort(scores);
  const s = new Float64Array(n), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = scores[idx[n - 1 - i]];
    w[i] = weights[idx[n - 1 - i]];
  }
  return { s, w };
}

/**
 * ROC curve of signal versus background scores (higher = more signal-like), optionally
 * weighted. Throws for empty samples, NaN scores, or negative/non-finite weights.
 */
export function rocCurve(
  bkgScores: ArrayLike<number>,
  sigScores: ArrayLike<number>,
  options: RocOptions = {},
): Roc {
  if (bkgScores.length === 0) throw new RangeError("rocCurve: bkgScores is empty");
  if (sigScores.length === 0) throw new RangeError("rocCurve: sigScores is empty");
  const b = sortDescending(bkgScores, options.bkgWeights, "rocCurve background");
  const s = sortDescending(sigScores, options.sigWeights, "rocCurve signal");
  const nb = b.s.length, ns = s.s.length;
  const fpr = new Float64Array(nb + ns + 1);
  const tpr = new Float64Array(nb + ns + 1);
  const thr = new Float64Array(nb + ns + 1);
  thr[0] = Infinity;
  let i = 0, j = 0, k = 1, cb = 0, cs = 0;
  while (i < nb || j < ns) {
    const t = Math.max(i < nb ? b.s[i] : -Infinity, j < ns ? s.s[j] : -Infinity);
    for (; i < nb && b.s[i] === t; i++) cb += b.w === null ? 1 : b.w[i];
    for (; j < ns && s.s[j] === t; j++) cs += s.w === null ? 1 : s.w[j];
    fpr[k] = cb;
    tpr[k] = cs;
    thr[k] = t;
    k++;
  }
  const wb = cb, ws = cs;
  if (!(wb > 0)) throw new RangeError("rocCurve: total background weight is zero");
  if (!(ws > 0)) throw new RangeError("rocCurve: total signal weight is zero");
  for (let m = 1; m < k; m++) {
    fpr[m] /= wb;
    tpr[m] /= ws;
  }
  fpr[k - 1] = 1;
  tpr[k - 1] = 1;
  return {
    fpr: fpr.slice(0, k),
    tpr: tpr.slice(0, k),
    thresholds: thr.slice(0, k),
    nBkg: nb,
    nSig: ns,
    bkgWeight: wb,
    sigWeight: ws,
  };
}

/** Area under the ROC curve by the trapezoid rule (= P(s > b) + 0.5 P(s = b)). */
export function auc(roc: Roc): number {
  let a = 0;
  for (let k = 1; k < roc.fpr.length; k++) {
    a += (roc.fpr[k] - roc.fpr[k - 1]) * 0.5 * (roc.tpr[k] + roc.tpr[k - 1]);
  }
  return a;
}

/** AUC straight from scores: `auc(rocCurve(bkgScores, sigScores, options))`. */
export function aucFromScores(
  bkgScores: ArrayLike<number>,
  sigScores: ArrayLike<number>,
  options: RocOptions = {},
): number {
  return auc(rocCurve(bkgScores, sigScores, options));
}

/**
 * Smallest FPR the background sample can resolve: the larger of 1 / nBkg and the first
 * non-zero FPR point of the curve (several top-scoring background events may tie).
 */
export function minResolvableFpr(roc: Roc): number {
  let first = 1;
  for (let k = 0; k < roc.fpr.length; k++) {
    if (roc.fpr[k] > 0) {
      first = roc.fpr[k];
      break;
    }
  }
  return Math.max(first, 1 / roc.nBkg);
}

/** Index of the last point with fpr <= target (fpr is non-decreasing); -1 if none. */
function lastAtOrBelow(fpr: Float64Array, target: number): number {
  let lo = -1, hi = fpr.length; // fpr[lo] <= target < fpr[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fpr[mid] <= target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Signal efficiency at background efficiency `fpr`, interpolated linearly in log(FPR)
 * between the neighbouring ROC points (TPR = t_a + (t_b - t_a) ln(f/f_a) / ln(f_b/f_a)).
 * Where the curve has a vertical step at exactly `fpr`, the highest TPR at that FPR is
 * returned. Returns NaN when the background sample cannot resolve `fpr`, i.e.
 * fpr < {@link minResolvableFpr} (in particular fpr < 1 / nBkg): check with
 * {@link isFprResolved}. Valid for any resolvable fpr in (0, 1], e.g. 1e-7 with 1e7+ events.
 */
export function tprAtFpr(roc: Roc, fpr: number): number {
  if (!(fpr >= 0 && fpr <= 1)) throw new RangeError(`tprAtFpr: fpr=${fpr}, expected 0 <= fpr <= 1`);
  if (!isFprResolved(roc, fpr)) return NaN;
  const a = lastAtOrBelow(roc.fpr, fpr);
  const fa = roc.fpr[a];
  if (fa === fpr || a === roc.fpr.length - 1) return roc.tpr[a];
  const b = a + 1;
  const fb = roc.fpr[b];
  const u = Math.log(fpr / fa) / Math.log(fb / fa);
  return roc.tpr[a] + (roc.tpr[b] - roc.tpr[a]) * u;
}

/** {@link tprAtFpr} for many FPR values. */
export function tprAtFprs(roc: Roc, fprs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(fprs.length);
  for (let i = 0; i < fprs.length; i++) out[i] = tprAtFpr(roc, fprs[i]);
  return out;
}

/** Whether the background sample resolves `fpr`: fpr >= {@link minResolvableFpr}(roc). */
export function isFprResolved(roc: Roc, fpr: number): boolean {
  return fpr > 0 && fpr >= minResolvableFpr(roc) * (1 - 1e-12);
}

/** The positive likelihood ratio LR+ = TPR / FPR along the curve (points with FPR > 0). */
export interface LikelihoodRatioCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  lrPlus: Float64Array;
  thresholds: Float64Array;
}

/** LR+ = TPR / FPR at every ROC point with FPR > 0 (the signal enrichment factor). */
export function positiveLikelihoodRatio(roc: Roc): LikelihoodRatioCurve {
  let first = 0;
  while (first < roc.fpr.length && !(roc.fpr[first] > 0)) first++;
  const fpr = roc.fpr.slice(first), tpr = roc.tpr.slice(first);
  const lrPlus = new Float64Array(fpr.length);
  for (let k = 0; k < fpr.length; k++) lrPlus[k] = tpr[k] / fpr[k];
  return { fpr, tpr, lrPlus, thresholds: roc.thresholds.slice(first) };
}

/** LR+ at a given FPR: tprAtFpr(roc, fpr) / fpr (NaN when not resolved). */
export function lrPlusAtFpr(roc: Roc, fpr: number): number {
  return tprAtFpr(roc, fpr) / fpr;
}

/** A working point defined on the background sample. */
export interface WorkingPoint {
  /** Score threshold: events with score >= threshold pass. +Infinity when none may pass. */
  threshold: number;
  /** Background efficiency actually achieved on the sample (<= the requested one). */
  efficiency: number;
  /** Number of background events passing (unweighted). */
  nPass: number;
  /** False when the sample cannot resolve the request (not even one event may pass). */
  resolved: boolean;
}

/**
 * Threshold such that a fraction `eps` of the background passes (score >= threshold),
 * e.g. eps = 5.4e-6 for a trigger rate budget. Convention: the loosest cut whose
 * background efficiency on the sample does not exceed eps (the budget is an upper limit);
 * the threshold is always an observed score, so tied scores pass or fail together. With
 * N events the achieved efficiency is floor(eps N) / N absent ties. When not even one
 * event (or the top tied group) fits in the budget, returns threshold +Infinity with
 * resolved = false.
 */
export function thresholdAtBkgEfficiency(
  bkgScores: ArrayLike<number>,
  eps: number,
  bkgWeights?: ArrayLike<number>,
): WorkingPoint {
  if (!(eps > 0 && eps <= 1)) {
    throw new RangeError(`thresholdAtBkgEfficiency: eps=${eps}, expected 0 < eps <= 1`);
  }
  if (bkgScores.length === 0) throw new RangeError("thresholdAtBkgEfficiency: empty sample");
  const { s, w } = sortDescending(bkgScores, bkgWeights, "thresholdAtBkgEfficiency");
  const n = s.length;
  let total = n;
  if (w !== null) {
    total = 0;
    for (let i = 0; i < n; i++) total += w[i];
    if (!(total > 0)) throw new RangeError("thresholdAtBkgEfficiency: total weight is zero");
  }
  const budget = eps * total * (1 + 1e-12);
  let cum = 0, i = 0, nPass = 0, pass = 0, threshold = Infinity;
  while (i < n) {
    const t = s[i];
    let c = cum, j = i;
    for (; j < n && s[j] === t; j++) c += w === null ? 1 : w[j];
    if (c > budget) break;
    cum = c;
    i = j;
    nPass = j;
    pass = c;
    threshold = t;
  }
  return { threshold, efficiency: pass / total, nPass, resolved: nPass > 0 };
}

/** Fraction (weighted if `weights` given) of `scores` with score >= threshold. */
export function passFraction(
  scores: ArrayLike<number>,
  threshold: number,
  weights?: ArrayLike<number>,
): number {
  if (scores.length === 0) throw new RangeError("passFraction: empty sample");
  if (weights !== undefined && weights.length !== scores.length) {
    throw new RangeError(`passFraction: ${weights.length} weights for ${scores.length} scores`);
  }
  let pass = 0, total = 0;
  for (let i = 0; i < scores.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    total += w;
    if (scores[i] >= threshold) pass += w;
  }
  return pass / total;
}

/**
 * A ROC curve thinned for plotting: keeps the first point, every point where the FPR has
 * grown by a factor `logStep` or the TPR by `linStep` since the last kept point, and the
 * last point (a 10^5-event curve becomes a few hundred points; the shape on log and linear
 * axes is kept).
 */
export function thinRoc(
  fpr: ArrayLike<number>,
  tpr: ArrayLike<number>,
  logStep = 10 ** (1 / 60),
  linStep = 0.004,
): { fpr: number[]; tpr: number[] } {
  const f: number[] = [], t: number[] = [];
  let lastF = -1, lastT = -1;
  for (let k = 0; k < fpr.length; k++) {
    const keep = k === 0 || k === fpr.length - 1 ||
      (fpr[k] > 0 && (lastF <= 0 || fpr[k] >= lastF * logStep)) || tpr[k] >= lastT + linStep;
    if (!keep) continue;
    f.push(fpr[k]);
    t.push(tpr[k]);
    lastF = fpr[k];
    lastT = tpr[k];
  }
  return { fpr: f, tpr: t };
}
