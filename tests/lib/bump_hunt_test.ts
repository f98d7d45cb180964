/**
 * lib/stats/bumpHunt.ts `knownBackgroundSignificance`: paper 2's template fit with the
 * background known (only the signal yield floats).
 */
import { knownBackgroundSignificance } from "../../lib/stats/bumpHunt.ts";
import { Rng } from "../../lib/random/rng.ts";
import { assert, assertClose } from "../helpers.ts";

Deno.test("known background: counts equal to the background give yield 0 and Z 0", () => {
  const b = [100, 50, 20, 5];
  const r = knownBackgroundSignificance(b, b, [0, 1, 2, 1]);
  assertClose(r.signalYield, 0, 1e-6, "yield");
  assertClose(r.significance, 0, 1e-6, "Z");
});

Deno.test("known background: one signal bin reproduces the closed-form Poisson q0", () => {
  // Only bin 1 carries signal: s_hat = n1 - b1, q0 = 2 (n ln(n / b) - (n - b)).
  const b = [100, 40, 10], n = [100, 60, 10];
  const r = knownBackgroundSignificance(n, b, [0, 3, 0]);
  assertClose(r.signalYield, 20, 1e-6, "yield");
  const q0 = 2 * (60 * Math.log(60 / 40) - 20);
  assertClose(r.q0, q0, 1e-8, "q0");
  assertClose(r.significance, Math.sqrt(q0), 1e-8, "Z");
  const deficit = knownBackgroundSignificance([100, 25, 10], b, [0, 1, 0]);
  assert(deficit.signalYield < 0 && deficit.significance < 0, "a deficit gives a negative Z");
});

Deno.test("known background: the fitted yield is unbiased on Poisson toys", () => {
  const b = [400, 200, 100, 50, 20], t = [0.1, 0.3, 0.4, 0.15, 0.05], s = 60;
  const rng = Rng.stream(7, "known-bkg-toys");
  const poisson = (mu: number) => {
    // Knuth for small mu, normal approximation otherwise (enough for a mean check).
    if (mu > 50) return Math.max(0, Math.round(mu + Math.sqrt(mu) * rng.normal()));
    let k = 0, p = Math.exp(-mu), c = p;
    const u = rng.uniform();
    while (u > c) {
      k++;
      p *= mu / k;
      c += p;
    }
    return k;
  };
  let sum = 0, sumZ = 0;
  const nToys = 400;
  for (let i = 0; i < nToys; i++) {
    const n = b.map((v, k) => poisson(v + s * t[k]));
    const r = knownBackgroundSignificance(n, b, t);
    sum += r.signalYield;
    sumZ += r.significance;
  }
  // Yield error ~ 1 / sqrt(sum t^2 / b) ~ 19 per toy -> ~1 on the mean of 400 toys; the
  // Asimov significance is s sqrt(sum t^2 / b) ~ 3.1.
  assertClose(sum / nToys, s, 5, "mean fitted yield");
  assert(sumZ / nToys > 2 && sumZ / nToys < 3.5, `mean Z ${sumZ / nToys} (expected ~3.1)`);
});
