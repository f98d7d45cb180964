/**
 * Working points of an anomaly score defined on a background (SM) sample, measured honestly.
 *
 * A working point at SM efficiency eps is the loosest threshold whose SM pass fraction on
 * the validation sample does not exceed eps ({@link thresholdAtBkgEfficiency}). With N SM
 * events only about eps N of them pass, so the SM efficiency actually reached is known to
 * a binomial (Clopper-Pearson) precision, and a working point with eps N < 1 does not exist
 * on the sample at all. {@link measureWorkingPoint} returns, besides the threshold, the SM
 * and every signal efficiency with 95 % Clopper-Pearson intervals, and whether the sample
 * *measures* the working point: at least `minSmPass` SM events expected to pass
 * (default 10, i.e. a relative 95 % interval of about +-60 %; paper 1's 3.45M validation
 * events give 18.6 at eps = 5.4e-6).
 */
import { clopperPearson } from "./binomial.ts";
import { passFraction, thinRoc, thresholdAtBkgEfficiency } from "./roc.ts";

/** Efficiency k / n with its 95 % Clopper-Pearson interval. */
export interface Efficiency {
  k: number;
  n: number;
  value: number;
  interval: [number, number];
}

/** k / n with the 95 % Clopper-Pearson interval (NaN value and [0, 1] when n = 0). */
export function efficiency(k: number, n: number, cl = 0.95): Efficiency {
  if (n === 0) return { k, n, value: NaN, interval: [0, 1] };
  const ci = clopperPearson(k, n, cl);
  return { k, n, value: k / n, interval: [ci.lower, ci.upper] };
}

/** Number of scores >= threshold. */
export function countAtLeast(scores: ArrayLike<number>, threshold: number): number {
  let k = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] >= threshold) k++;
  return k;
}

/** A working point measured on a background sample and applied to signal samples. */
export interface MeasuredWorkingPoint {
  /** Requested SM efficiency. */
  eps: number;
  /** Score threshold (select score >= threshold); +Infinity when not resolved. */
  threshold: number;
  /** SM efficiency reached on the validation sample, with its interval. */
  sm: Efficiency;
  /** At least one SM event passes (the threshold exists on this sample). */
  resolved: boolean;
  /** Expected SM passing events eps N >= minSmPass: the sample measures this working point. */
  measured: boolean;
  /** Expected SM passing events eps N. */
  expectedSmPass: number;
  /** Per signal sample: efficiency at the threshold (interval: signal statistics only). */
  signals: Record<string, Efficiency>;
}

/** SM events needed so that eps N >= minSmPass. */
export function smEventsToMeasure(eps: number, minSmPass = 10): number {
  return Math.ceil(minSmPass / eps);
}

/**
 * The working point at SM efficiency `eps` on `smScores`, applied to every sample of
 * `signals` (higher score = more anomalous).
 */
export function measureWorkingPoint(
  smScores: ArrayLike<number>,
  signals: Record<string, ArrayLike<number>>,
  eps: number,
  minSmPass = 10,
): MeasuredWorkingPoint {
  const wp = thresholdAtBkgEfficiency(smScores, eps);
  const n = smScores.length;
  const sm = efficiency(wp.nPass, n);
  const out: Record<string, Efficiency> = {};
  for (const [name, s] of Object.entries(signals)) {
    out[name] = wp.resolved ? efficiency(countAtLeast(s, wp.threshold), s.length) : {
      k: 0,
      n: s.length,
      value: NaN,
      interval: [0, 1],
    };
  }
  return {
    eps,
    threshold: wp.threshold,
    sm,
    resolved: wp.resolved,
    measured: wp.resolved && eps * n >= minSmPass,
    expectedSmPass: eps * n,
    signals: out,
  };
}

/** Per-process breakdown of the SM events passing a threshold (paper 1 table 3). */
export interface ProcessBreakdownRow {
  process: string;
  /** Selection efficiency of this process, k / n. */
  efficiency: Efficiency;
  /** Share of the selected SM events (k / total k) with its binomial interval. */
  fraction: Efficiency;
}

/**
 * Efficiency of each process and composition of the selected sample (score >= threshold),
 * for the processes in `order` (labels per event in `labels`).
 */
export function processBreakdown(
  scores: ArrayLike<number>,
  labels: ArrayLike<string>,
  threshold: number,
  order: readonly string[],
): ProcessBreakdownRow[] {
  if (labels.length !== scores.length) {
    throw new RangeError(`processBreakdown: ${labels.length} labels for ${scores.length} scores`);
  }
  const k = new Map<string, number>(order.map((p) => [p, 0]));
  const n = new Map<string, number>(order.map((p) => [p, 0]));
  for (let i = 0; i < scores.length; i++) {
    const p = labels[i];
    if (!n.has(p)) continue;
    n.set(p, n.get(p)! + 1);
    if (scores[i] >= threshold) k.set(p, k.get(p)! + 1);
  }
  const total = order.reduce((s, p) => s + k.get(p)!, 0);
  return order.map((p) => ({
    process: p,
    efficiency: efficiency(k.get(p)!, n.get(p)!),
    fraction: efficiency(k.get(p)!, total),
  }));
}

/** Pass fraction of a boolean selection (e.g. a single-lepton trigger) with its interval. */
export function selectionEfficiency(pass: ArrayLike<boolean | number>): Efficiency {
  let k = 0;
  for (let i = 0; i < pass.length; i++) if (pass[i]) k++;
  return efficiency(k, pass.length);
}

/** Re-exports for callers that only need the pass fraction at a threshold, or a plot curve. */
export { passFraction, thinRoc };

/** Label of a working point for key names: 1e-3, 1e-4, 1e-5, 5.4e-6. */
export function epsLabel(eps: number): string {
  const s = eps.toExponential();
  return s.replace(/e([+-])(\d+)$/, (_, sign, d) => `e${sign === "-" ? "-" : ""}${d}`)
    .replace(/\.0+e/, "e");
}
