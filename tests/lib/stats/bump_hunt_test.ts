/**
 * bumpHunt (paper 2 sections 3.2-3.3) on toy spectra: a power-law background m^-5 (a member
 * of the dijet-function family, so the background fit describes it) and a Gaussian signal.
 * The expected (Asimov) significance is checked against its closed form and against the
 * median of the observed significance over pseudo-experiments.
 */
import { assert, assertClose, assertInRange } from "../../helpers.ts";
import { bumpHunt } from "../../../lib/stats/bumpHunt.ts";
import { fitDijet } from "../../../lib/stats/dijetFit.ts";
import { logEdges } from "../../../lib/stats/histogram.ts";
import { Rng } from "../../../lib/random/rng.ts";

const EDGES = logEdges(1200, 6000, 30);

/** n masses (GeV) from ~ m^-5 above 1200 GeV. */
function background(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => 1200 * Math.pow(rng.uniformPositive(), -1 / 4));
}

/** n masses from a Gaussian at 2500 GeV with sigma 150 GeV. */
function signal(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal(2500, 150));
}

Deno.test("bumpHunt: the expected significance is the Asimov q0 of the known-background fit", () => {
  const rng = Rng.stream(1, "bump-hunt-asimov");
  const bkg = background(20000, rng), sig = signal(200, rng), tmpl = signal(4000, rng);
  // A selection keeping every other template event: the expected signal halves.
  const tmplPass = Array.from(tmpl, (_, i) => i % 2 === 0);
  const r = bumpHunt({
    edges: EDGES,
    bkgMjj: bkg,
    sigMjj: sig,
    nInjected: 60,
    templateMjj: tmpl,
    templatePass: tmplPass,
  });
  const t = r.template, tSum = t.reduce((a, b) => a + b, 0);
  // Template events inside the bins (Gaussian well inside 1.2-6 TeV): all that pass.
  assertClose(r.signalExpected, 60 * tSum / tmpl.length, 1e-12);
  assertInRange(r.signalExpected, 28, 32, "60 x ~1/2 expected signal events");
  // Closed form: q0_A = 2 sum_k [(b_k + s t_k) ln(1 + s t_k / b_k) - s t_k], t normalised.
  const b = fitDijet(EDGES, r.bkgCounts, { nParams: 4 }).expected;
  let q0 = 0;
  for (let k = 0; k < b.length; k++) {
    const st = r.signalExpected * t[k] / tSum;
    if (st > 0) q0 += 2 * ((b[k] + st) * Math.log(1 + st / b[k]) - st);
  }
  assertClose(r.expectedKnownBackground.q0, q0, 1e-6 * q0);
  assertClose(r.expectedKnownBackground.signalYield, r.signalExpected, 1e-6 * r.signalExpected);
  assertClose(r.significanceExpected, Math.sqrt(q0), 1e-6);
});

Deno.test("bumpHunt: the observed significance scatters around the expected one", () => {
  // 60 pseudo-experiments (new background and injected events each, same template): the
  // median observed known-background significance must match the Asimov value within its
  // statistical precision (observed values have a spread of ~1 around it).
  const rng = Rng.stream(2, "bump-hunt-toys");
  const tmpl = signal(4000, rng);
  const obs: number[] = [];
  let expected = 0;
  for (let i = 0; i < 60; i++) {
    const r = bumpHunt({
      edges: EDGES,
      bkgMjj: background(20000, rng),
      sigMjj: signal(40, rng),
      nInjected: 40,
      templateMjj: tmpl,
    });
    obs.push(r.significanceKnownBackground);
    expected += r.significanceExpected / 60;
  }
  obs.sort((a, b) => a - b);
  const median = 0.5 * (obs[29] + obs[30]);
  const spread = obs[47] - obs[12]; // ~ the central 60 %: about 1.7 sigma of a unit Gaussian
  assert(spread > 0.8 && spread < 3, `spread of the observed significance ${spread}`);
  // Median of 60 unit-width draws: standard error ~1.25 / sqrt(60) = 0.16; allow 3 of them.
  console.log(
    `expected ${expected.toFixed(3)}, median observed ${median.toFixed(3)}, spread ${
      spread.toFixed(3)
    }`,
  );
  assertInRange(median - expected, -0.5, 0.5, `median observed ${median} vs expected ${expected}`);
});
