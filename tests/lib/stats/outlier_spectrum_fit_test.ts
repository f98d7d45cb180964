/**
 * fitOutlierSpectrum (paper 4 fig. 3): binning, fit range and the dijet fit of a mass
 * spectrum, on toy spectra drawn from a power law m^-5 (a member of the dijet-function family:
 * p2 = p4 = p5 = 0, p3 = -5), so the fit must describe them.
 */
import { assert, assertEquals, assertThrows } from "../../helpers.ts";
import { fitOutlierSpectrum } from "../../../lib/stats/outlierSpectrumFit.ts";
import { Rng } from "../../../lib/random/rng.ts";

/** n masses (GeV) from the density ~ m^-5 above m0 (inverse CDF). */
function powerLaw(n: number, seed: number, m0 = 100): Float64Array {
  const rng = Rng.stream(seed, "outlier-spectrum-toy");
  return Float64Array.from({ length: n }, () => m0 * Math.pow(rng.uniformPositive(), -1 / 4));
}

Deno.test("fitOutlierSpectrum: a power-law spectrum is described (chi2/ndf, no pull runs)", () => {
  const r = fitOutlierSpectrum(powerLaw(2000, 1));
  assert(r !== null);
  assert(r.fit.status.converged, r.fit.status.message);
  // chi2/ndf of a correct model: mean 1, standard deviation sqrt(2/ndf) ~ 0.35 for ndf ~ 16.
  assert(r.fit.gof.chi2PerNdf > 0.2 && r.fit.gof.chi2PerNdf < 2.5, `${r.fit.gof.chi2PerNdf}`);
  assert(r.runs.beyondThreshold.length < 3, "three adjacent same-sign pulls beyond 2");
  // The lowTail range starts at the 1 % quantile, above the 100 GeV edge of the toy.
  assert(r.edges[0] >= 100 && r.edges[0] < 105, `lo = ${r.edges[0]}`);
  assertEquals(r.edges.length - 1, 25); // sqrt(2000) = 45, capped at 25 bins
  assert(r.n > 0.97 * 2000 && r.n <= 2000, `events in range ${r.n}`);
});

Deno.test("fitOutlierSpectrum: 'peak' starts above a turn-on that 'lowTail' would include", () => {
  // A turn-on: events below ~250 GeV kept with a probability rising from 0 to 1.
  const rng = Rng.stream(2, "turn-on");
  const m = Array.from(powerLaw(40000, 2, 150)).filter((v) =>
    rng.uniform() < 1 / (1 + Math.pow(250 / v, 6))
  );
  const peak = fitOutlierSpectrum(m, { start: "peak" });
  const low = fitOutlierSpectrum(m, { start: "lowTail" });
  assert(peak !== null && low !== null);
  assert(low.edges[0] < 160, `lowTail starts at ${low.edges[0]}`);
  // The density of 150^4 m^-5 x turn-on peaks near 200 GeV.
  assert(peak.edges[0] > 170 && peak.edges[0] < 300, `peak starts at ${peak.edges[0]}`);
  assert(
    peak.fit.gof.chi2PerNdf < 2.5,
    `above the turn-on the power law fits: ${peak.fit.gof.chi2PerNdf}`,
  );
  assert(
    low.fit.gof.chi2PerNdf > peak.fit.gof.chi2PerNdf,
    "the turn-on should spoil the lowTail fit",
  );
});

Deno.test("fitOutlierSpectrum: too few events, non-positive masses, bad options", () => {
  assertEquals(fitOutlierSpectrum(powerLaw(29, 3)), null);
  assertEquals(
    fitOutlierSpectrum([...powerLaw(20, 4), 0, -1, NaN, ...new Array(20).fill(0)]),
    null,
  );
  assertEquals(fitOutlierSpectrum(powerLaw(29, 3), { minEvents: 10 })?.n !== undefined, true);
  assertThrows(
    () => fitOutlierSpectrum(powerLaw(100, 5), { start: "median" as "peak" }),
    /unknown start/,
  );
});
