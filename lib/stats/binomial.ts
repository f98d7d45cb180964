/**
 * Binomial confidence intervals for an efficiency k / n and the sample sizes they imply.
 *
 * Clopper-Pearson ("exact") intervals are quantiles of beta distributions,
 *   lower = B^-1(alpha/2; k, n - k + 1),  upper = B^-1(1 - alpha/2; k + 1, n - k),
 * with alpha = 1 - CL (Clopper & Pearson, Biometrika 26 (1934) 404). The regularized
 * incomplete beta function I_x(a, b) and its inverse are written here because
 * simple-statistics has neither; ln Gamma comes from simple-statistics' `gammaln` (Lanczos),
 * replaced by Stirling differences for large arguments to keep ln B(a, b) accurate when
 * n ~ 1e6 or more.
 */
import { gammaln } from "simple-statistics";
import { normalQuantile } from "./normal.ts";

/** A two-sided interval [lower, upper] for a probability. */
export interface Interval {
  lower: number;
  upper: number;
}

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** Stirling-series remainder lnGamma(z) - [(z - 1/2) ln z - z + ln(2 pi)/2], for z >= 100. */
function stirlingCorrection(z: number): number {
  const r = 1 / z, r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680)));
}

/**
 * ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), a, b > 0. For large arguments
 * the Stirling terms are combined analytically (the large ln Gamma values cancel), giving
 * near full relative precision where the naive difference would lose ~7 digits at 1e6.
 */
export function logBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`logBeta: a=${a}, b=${b}, expected both > 0`);
  if (a > b) [a, b] = [b, a];
  const c = a + b;
  if (a >= 100) {
    return HALF_LN_2PI - 0.5 * Math.log(c) + (a - 0.5) * Math.log(a / c) +
      (b - 0.5) * Math.log1p(-a / c) + stirlingCorrection(a) + stirlingCorrection(b) -
      stirlingCorrection(c);
  }
  if (b >= 100) {
    // ln Gamma(b) - ln Gamma(a + b) = -(b - 1/2) ln(1 + a/b) - a ln(a + b) + a + corrections.
    return gammaln(a) - (b - 0.5) * Math.log1p(a / b) - a * Math.log(c) + a +
      stirlingCorrection(b) - stirlingCorrection(c);
  }
  return gammaln(a) + gammaln(b) - gammaln(c);
}

const TINY = 1e-300;
const CF_EPS = 1e-15;

/**
 * Continued fraction for I_x(a, b) (DLMF 8.17.22) evaluated by the modified Lentz method:
 * I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
 * d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
 * d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m)).
 * Converges quickly for x < (a + 1) / (a + b + 2). Returns the value of the 1/(1 + ...) part.
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const maxIter = 10000 + 10 * Math.ceil(Math.sqrt(Math.max(a, b)));
  // Lentz: f = b0 + a1/(b1 + a2/(b2 + ...)), here b0 = 0, a1 = 1, then terms 1 + d_j.
  let c = 1;
  let d = 1 - (a + b) * x / (a + 1); // first term d1 with m = 0
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    // Even step d_{2m}.
    let num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    f *= d * c;
    // Odd step d_{2m+1}.
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < CF_EPS) return f;
  }
  throw new Error(
    `regularizedIncompleteBeta: continued fraction did not converge (x=${x}, a=${a}, b=${b})`,
  );
}

/**
 * Regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), the CDF at x of a
 * Beta(a, b) variable; a, b > 0, 0 <= x <= 1. Uses the continued fraction on the side
 * where it converges fast and the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
 * Accuracy (checked against scipy/Boost): ~1e-14 relative for moderate a, b; for
 * parameters up to 1e6 about 1e-10 relative to min(I, 1 - I), limited by cancellations in
 * the continued fraction near the mean and by the size of a ln x + b ln(1 - x).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`regularizedIncompleteBeta: a=${a}, b=${b}, expected finite and > 0`);
  }
  if (!(x >= 0 && x <= 1)) {
    throw new RangeError(`regularizedIncompleteBeta: x=${x}, expected 0 <= x <= 1`);
  }
  if (x === 0) return 0;
  if (x === 1) return 1;
  const lnFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    return Math.exp(lnFront) * betaContinuedFraction(x, a, b) / a;
  }
  return 1 - Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a) / b;
}

/** Starting point for the inversion (Abramowitz & Stegun 26.5.22 / power-law tails). */
function inverseBetaGuess(p: number, a: number, b: number): number {
  if (a >= 1 && b >= 1) {
    const pp = p < 0.5 ? p : 1 - p;
    const t = Math.sqrt(-2 * Math.log(pp));
    let z = (2.30753 + 0.27061 * t) / (1 + (0.99229 + 0.04481 * t) * t) - t;
    if (p < 0.5) z = -z;
    const al = (z * z - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = z * Math.sqrt(al + h) / h -
      (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    return a / (a + b * Math.exp(2 * w));
  }
  const lna = Math.log(a / (a + b)), lnb = Math.log(b / (a + b));
  const t = Math.exp(a * lna) / a, u = Math.exp(b * lnb) / b, w = t + u;
  return p < t / w ? Math.pow(a * w * p, 1 / a) : 1 - Math.pow(b * w * (1 - p), 1 / b);
}

/**
 * x such that I_x(a, b) = p (the p-quantile of Beta(a, b)): Newton steps on I_x - p kept
 * inside a shrinking bracket, with bisection whenever a step would leave it.
 * Converges to the last few ulps of x; the accuracy is then that of I_x (see above).
 */
export function inverseRegularizedIncompleteBeta(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`inverseRegularizedIncompleteBeta: p=${p}, expected 0 <= p <= 1`);
  }
  if (!(a > 0) || !(b > 0)) {
    throw new RangeError(`inverseRegularizedIncompleteBeta: a=${a}, b=${b}, expected > 0`);
  }
  if (p === 0) return 0;
  if (p === 1) return 1;
  const lnB = logBeta(a, b);
  let lo = 0, hi = 1;
  let x = inverseBetaGuess(p, a, b);
  if (!(x > 0 && x < 1)) x = 0.5;
  for (let iter = 0; iter < 400; iter++) {
    const f = regularizedIncompleteBeta(x, a, b) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const dens = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lnB);
    let next = x - f / dens;
    if (!(next > lo && next < hi)) {
      // Bisect; geometrically when the bracket spans decades next to 0 or 1.
      if (lo === 0 && hi < 0.01) next = hi * 0.01;
      else if (hi === 1 && lo > 0.99) next = 1 - (1 - lo) * 0.01;
      else next = 0.5 * (lo + hi);
    }
    if (Math.abs(next - x) <= 1e-15 * Math.min(x, 1 - x) || hi - lo <= 1e-15 * Math.min(x, 1 - x)) {
      return next;
    }
    x = next;
  }
  return x;
}

function checkAlpha(fn: string, cl: number): number {
  if (!(cl > 0 && cl < 1)) throw new RangeError(`${fn}: cl=${cl}, expected 0 < cl < 1`);
  return 1 - cl;
}

function checkCounts(fn: string, k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: n=${n}, expected integer >= 1`);
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`${fn}: k=${k}, expected integer in [0, n=${n}]`);
  }
}

/** Clopper-Pearson interval for real-valued k in [0, n] (the integer formulae continued). */
function clopperPearsonReal(k: number, n: number, alpha: number): Interval {
  const lower = k <= 0 ? 0 : k >= n
    ? Math.exp(Math.log(alpha / 2) / n) // (alpha/2)^(1/n)
    : inverseRegularizedIncompleteBeta(alpha / 2, k, n - k + 1);
  const upper = k >= n ? 1 : k <= 0
    ? -Math.expm1(Math.log(alpha / 2) / n) // 1 - (alpha/2)^(1/n)
    : inverseRegularizedIncompleteBeta(1 - alpha / 2, k + 1, n - k);
  return { lower, upper };
}

/**
 * Clopper-Pearson (exact) central interval for k successes in n trials at confidence level
 * `cl` (default 0.95). k = 0 gives [0, 1 - (alpha/2)^(1/n)] and k = n gives
 * [(alpha/2)^(1/n), 1] exactly. Example: k = 0, n = 10 at 95% gives upper 0.3085.
 */
export function clopperPearson(k: number, n: number, cl = 0.95): Interval {
  checkCounts("clopperPearson", k, n);
  return clopperPearsonReal(k, n, checkAlpha("clopperPearson", cl));
}

/**
 * Clopper-Pearson central interval for effective (real-valued) counts of a weighted sample,
 * 0 <= k <= n, n > 0: with weights w, n_eff = (sum w)^2 / sum w^2 (Kish's effective sample
 * size) and k_eff = n_eff (sum of the selected weights) / (sum w). The integer formulae
 * continued to real arguments; equal to {@link clopperPearson} for integer counts.
 */
export function clopperPearsonEffective(k: number, n: number, cl = 0.95): Interval {
  if (!(n > 0 && Number.isFinite(n))) {
    throw new RangeError(`clopperPearsonEffective: n=${n}, expected a finite number > 0`);
  }
  if (!(k >= 0 && k <= n)) {
    throw new RangeError(`clopperPearsonEffective: k=${k}, expected a number in [0, n=${n}]`);
  }
  return clopperPearsonReal(k, n, checkAlpha("clopperPearsonEffective", cl));
}

/**
 * Agresti-Coull interval (Agresti & Coull, Am. Stat. 52 (1998) 119): with z = Phi^-1(1 -
 * alpha/2), n~ = n + z^2, p~ = (k + z^2/2) / n~, the interval p~ +- z sqrt(p~(1 - p~)/n~),
 * clipped to [0, 1].
 */
export function agrestiCoull(k: number, n: number, cl = 0.95): Interval {
  checkCounts("agrestiCoull", k, n);
  const z = normalQuantile(1 - checkAlpha("agrestiCoull", cl) / 2);
  const nt = n + z * z;
  const pt = (k + 0.5 * z * z) / nt;
  const half = z * Math.sqrt(pt * (1 - pt) / nt);
  return { lower: Math.max(0, pt - half), upper: Math.min(1, pt + half) };
}

/**
 * Wilson score interval: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),
 * p = k/n (Wilson, JASA 22 (1927) 209).
 */
export function wilson(k: number, n: number, cl = 0.95): Interval {
  checkCounts("wilson", k, n);
  const z = normalQuantile(1 - checkAlpha("wilson", cl) / 2);
  const p = k / n, z2n = z * z / n;
  const centre = (p + 0.5 * z2n) / (1 + z2n);
  const half = z * Math.sqrt(p * (1 - p) / n + 0.25 * z2n / n) / (1 + z2n);
  // k = 0 and k = n give bounds of exactly 0 and 1 (avoid rounding residues).
  return {
    lower: k === 0 ? 0 : Math.max(0, centre - half),
    upper: k === n ? 1 : Math.min(1, centre + half),
  };
}

/** The expected Clopper-Pearson interval on an efficiency measured with n events. */
export interface ExpectedInterval extends Interval {
  /** Expected number of passing events eps * n. */
  k: number;
  /** (upper - lower) / eps: full width relative to the efficiency. */
  relativeWidth: number;
}

/**
 * Clopper-Pearson interval expected when an efficiency (e.g. an FPR) eps is measured on n
 * events: evaluated at the expected count k = eps * n, which need not be an integer (the
 * beta-quantile formulae are used with real k, a smooth interpolation between integers).
 * Example: eps = 5.4e-6, n = 1e6 gives k = 5.4 and a relative width of about 2.
 */
export function expectedClopperPearson(eps: number, n: number, cl = 0.95): ExpectedInterval {
  if (!(eps > 0 && eps < 1)) {
    throw new RangeError(`expectedClopperPearson: eps=${eps}, expected 0 < eps < 1`);
  }
  if (!(n >= 1) || !Number.isFinite(n)) {
    throw new RangeError(`expectedClopperPearson: n=${n}, expected finite n >= 1`);
  }
  const k = eps * n;
  const iv = clopperPearsonReal(k, n, checkAlpha("expectedClopperPearson", cl));
  return { ...iv, k, relativeWidth: (iv.upper - iv.lower) / eps };
}

/**
 * Smallest number of events n such that the expected Clopper-Pearson interval (see
 * {@link expectedClopperPearson}) on an efficiency eps has relative full width
 * (upper - lower) / eps <= relWidth. Found by bisection on n (the width falls
 * monotonically with n); roughly n ~ (2 z / relWidth)^2 / eps for large counts.
 */
export function eventsForRelativeWidth(eps: number, relWidth: number, cl = 0.95): number {
  if (!(eps > 0 && eps < 1)) {
    throw new RangeError(`eventsForRelativeWidth: eps=${eps}, expected 0 < eps < 1`);
  }
  if (!(relWidth > 0) || !Number.isFinite(relWidth)) {
    throw new RangeError(`eventsForRelativeWidth: relWidth=${relWidth}, expected finite > 0`);
  }
  checkAlpha("eventsForRelativeWidth", cl);
  const width = (n: number) => expectedClopperPearson(eps, n, cl).relativeWidth;
  let lo = Math.max(1, Math.floor(1 / eps)); // about one expected event
  if (width(lo) <= relWidth) {
    // Already narrow enough with one expected event: search below.
    let l = 1, h = lo;
    if (width(l) <= relWidth) return 1;
    while (h - l > 1) {
      const m = Math.floor((l + h) / 2);
      if (width(m) <= relWidth) h = m;
      else l = m;
    }
    return h;
  }
  let hi = lo * 2;
  while (width(hi) > relWidth) {
    lo = hi;
    hi *= 2;
    if (hi > 1e18) {
      throw new RangeError(`eventsForRelativeWidth: no n below 1e18 reaches ${relWidth}`);
    }
  }
  while (hi - lo > 1) {
    const m = Math.floor(lo + (hi - lo) / 2);
    if (width(m) <= relWidth) hi = m;
    else lo = m;
  }
  return hi;
}
