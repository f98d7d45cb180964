import { assert, assertClose, assertInRange, assertThrows } from "../../helpers.ts";
import {
  agrestiCoull,
  clopperPearson,
  clopperPearsonEffective,
  eventsForRelativeWidth,
  expectedClopperPearson,
  inverseRegularizedIncompleteBeta,
  logBeta,
  regularizedIncompleteBeta,
  wilson,
} from "../../../lib/stats/binomial.ts";
import { normalQuantile, pValueToSignificance } from "../../../lib/stats/normal.ts";

Deno.test("normalQuantile: textbook values", () => {
  assertClose(normalQuantile(0.975), 1.959963984540054, 1e-14, "z(0.975)");
  assertClose(normalQuantile(0.5), 0, 0, "z(0.5)");
  assertClose(normalQuantile(0.8413447460685429), 1, 1e-13, "z(Phi(1))");
  assertClose(normalQuantile(0.025), -1.959963984540054, 1e-14, "z(0.025)");
  // The 5 sigma one-sided p-value 2.866515718791939e-7.
  assertClose(pValueToSignificance(2.866515718791939e-7), 5, 1e-9, "5 sigma");
  assertClose(pValueToSignificance(1e-300), 37.0471, 1e-3, "deep tail (r > 5 branch)");
});

Deno.test("logBeta and I_x(a, b): closed forms", () => {
  assertClose(logBeta(2, 3), Math.log(1 / 12), 1e-14, "ln B(2,3)");
  // Stirling branches against the exact ln B(a, 1) = -ln a and ln B(1, b) = -ln b.
  assertClose(logBeta(1, 1e6), -Math.log(1e6), 1e-12, "ln B(1, 1e6)");
  assertClose(logBeta(500, 1), -Math.log(500), 1e-12, "ln B(500, 1)");
  // ln B(n, n) for n = 200 from ln Gamma sums: B(n,n) = Gamma(n)^2/Gamma(2n).
  let lg200 = 0, lg400 = 0;
  for (let i = 1; i < 200; i++) lg200 += Math.log(i);
  for (let i = 1; i < 400; i++) lg400 += Math.log(i);
  assertClose(logBeta(200, 200), 2 * lg200 - lg400, 1e-10, "ln B(200, 200)");
  // I_x(2, 3) = P(Bin(4, x) >= 2) = 11/16 at x = 1/2.
  assertClose(regularizedIncompleteBeta(0.5, 2, 3), 11 / 16, 1e-14, "I_0.5(2,3)");
  // I_x(1/2, 1/2) = (2/pi) asin(sqrt x) (arcsine law).
  assertClose(
    regularizedIncompleteBeta(0.3, 0.5, 0.5),
    2 / Math.PI * Math.asin(Math.sqrt(0.3)),
    1e-14,
    "I_0.3(1/2,1/2)",
  );
  // P(Bin(n, p) >= 1) = I_p(1, n) = 1 - (1 - p)^n, at n = 1e6, p = 5.4e-6.
  const exact = -Math.expm1(1e6 * Math.log1p(-5.4e-6));
  assertClose(regularizedIncompleteBeta(5.4e-6, 1, 1e6) / exact, 1, 1e-11, "I_p(1, 1e6)");
  // Reference values from scipy.special.betainc (Boost), for large parameters.
  const ref: [number, number, number, number][] = [
    [5.4, 1e6, 5.4e-6, 0.5572642934348785],
    [5.4, 1e6, 1e-5, 0.9583042243226749],
    [500, 500, 0.48, 0.10291752730699594],
    [2e5, 1e6, 0.1668, 0.6526109050569342],
  ];
  for (const [a, b, x, want] of ref) {
    assertClose(
      regularizedIncompleteBeta(x, a, b),
      want,
      1e-10 * Math.min(want, 1 - want),
      `I_${x}(${a},${b})`,
    );
  }
  assertThrows(() => regularizedIncompleteBeta(1.2, 1, 1), /x=1.2/);
  assertThrows(() => regularizedIncompleteBeta(0.5, 0, 1), /a=0/);
});

Deno.test("inverseRegularizedIncompleteBeta: round trip over a grid", () => {
  for (const a of [0.3, 1, 5.4, 40, 2e5]) {
    for (const b of [0.5, 2, 1e3, 1e6]) {
      for (const p of [1e-6, 0.025, 0.5, 0.975, 1 - 1e-6]) {
        const x = inverseRegularizedIncompleteBeta(p, a, b);
        // Tolerance: 1e-11 relative to the nearer tail, plus what a few ulps of x can move
        // I_x (the Beta density times 4 eps x; large where the density diverges at 0 or 1).
        const dens = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
        const tol = 1e-9 * Math.min(p, 1 - p) + 4 * Number.EPSILON * x * dens;
        assertClose(regularizedIncompleteBeta(x, a, b), p, tol, `a=${a} b=${b} p=${p}`);
      }
    }
  }
});

Deno.test("clopperPearson: textbook values", () => {
  const a = clopperPearson(0, 10);
  assertClose(a.lower, 0, 0, "k=0 lower");
  assertClose(a.upper, 0.3084971078187608, 1e-12, "k=0, n=10 upper = 1 - 0.025^(1/10)");
  // 1 - 0.025^(1e-6) = -expm1(ln(0.025) / 1e6) = 3.688879e-6 - (3.688879e-6)^2 / 2 + ...
  assertClose(clopperPearson(0, 1e6).upper, 3.68887265e-6, 1e-14, "k=0, n=1e6 upper");
  const b = clopperPearson(5, 10);
  assertClose(b.lower, 0.18708602844739835, 1e-10, "k=5, n=10 lower");
  assertClose(b.upper, 0.8129139715526016, 1e-10, "k=5, n=10 upper");
  const c = clopperPearson(10, 10);
  assertClose(c.lower, 0.6915028921812392, 1e-12, "k=n lower = 0.025^(1/10)");
  assertClose(c.upper, 1, 0, "k=n upper");
  // Poisson limit: k = 5 in n = 1e6 -> [1.6235, 11.668] x 1e-6 (chi-square quantiles / 2n).
  const d = clopperPearson(5, 1e6);
  assertClose(d.lower * 1e6, 1.6235, 1e-3, "k=5, n=1e6 lower");
  assertClose(d.upper * 1e6, 11.668, 1e-3, "k=5, n=1e6 upper");
  // Defining property: P(X >= k | lower) = alpha/2 and P(X <= k | upper) = alpha/2.
  const e = clopperPearson(37, 200, 0.9);
  assertClose(regularizedIncompleteBeta(e.lower, 37, 164), 0.05, 1e-12, "lower tail");
  assertClose(1 - regularizedIncompleteBeta(e.upper, 38, 163), 0.05, 1e-12, "upper tail");
  assertThrows(() => clopperPearson(11, 10), /k=11/);
  assertThrows(() => clopperPearson(1, 10, 95), /cl=95/);
});

Deno.test("agrestiCoull and wilson: hand-computed values", () => {
  // k=5, n=10: p~ = 1/2, half width z sqrt(0.25 / (10 + z^2)) = 0.263408.
  const a = agrestiCoull(5, 10);
  assertClose(a.lower, 0.2365931, 1e-6, "AC lower");
  assertClose(a.upper, 0.7634069, 1e-6, "AC upper");
  // k=0, n=10: p~ = 1.920729/13.841459 = 0.138767, upper = p~ + 0.182120 = 0.320887.
  const b = agrestiCoull(0, 10);
  assertClose(b.lower, 0, 0, "AC lower clipped");
  assertClose(b.upper, 0.3208873, 1e-6, "AC upper");
  // Wilson k=0: upper = z^2 / (n + z^2) = 3.841459 / 13.841459.
  const w = wilson(0, 10);
  assertClose(w.lower, 0, 0, "Wilson lower");
  assertClose(w.upper, 0.2775328, 1e-6, "Wilson upper");
});

Deno.test("expectedClopperPearson and eventsForRelativeWidth: FPR measurement budget", () => {
  // eps = 1e-3 with 1e6 events: k = 1000, relative width ~ 2 z / sqrt(k) = 0.124.
  const a = expectedClopperPearson(1e-3, 1e6);
  assertClose(a.k, 1000, 1e-9, "k");
  assertInRange(a.relativeWidth, 0.12, 0.13, "2 z / sqrt(1000) = 0.124");
  // Integer k reproduces clopperPearson.
  const b = expectedClopperPearson(5e-6, 1e6);
  const c = clopperPearson(5, 1e6);
  assertClose(b.lower, c.lower, 1e-18, "lower");
  assertClose(b.upper, c.upper, 1e-18, "upper");
  // 20% relative width at eps = 1e-3 needs about (2 z / 0.2)^2 / eps = 3.84e5 events.
  const n = eventsForRelativeWidth(1e-3, 0.2);
  assertInRange(n, 3.7e5, 4.1e5, "events for 20% width at FPR 1e-3");
  assertInRange(expectedClopperPearson(1e-3, n).relativeWidth, 0, 0.2, "width at n");
  assertInRange(expectedClopperPearson(1e-3, n - 1).relativeWidth, 0.2, 1, "width at n - 1");
  // The trigger working point 5.4e-6 needs ~1/5.4e-6 times more: about 7e7 events.
  assertInRange(eventsForRelativeWidth(5.4e-6, 0.2), 6.8e7, 7.8e7, "events at FPR 5.4e-6");
});

Deno.test("clopperPearsonEffective: equals clopperPearson at integer counts, monotone in between", () => {
  for (const [k, n] of [[0, 10], [3, 10], [10, 10], [7, 250]]) {
    const a = clopperPearson(k, n, 0.6827), b = clopperPearsonEffective(k, n, 0.6827);
    assertClose(b.lower, a.lower, 1e-12, `lower ${k}/${n}`);
    assertClose(b.upper, a.upper, 1e-12, `upper ${k}/${n}`);
  }
  // Effective counts of a weighted sample: between the neighbouring integer intervals.
  const lo = clopperPearson(3, 10),
    mid = clopperPearsonEffective(3.5, 10),
    hi = clopperPearson(4, 10);
  assert(lo.upper < mid.upper && mid.upper < hi.upper, "upper limit grows with k");
  assertThrows(() => clopperPearsonEffective(11, 10), /k=11/);
  assertThrows(() => clopperPearsonEffective(0, 0), /n=0/);
});
