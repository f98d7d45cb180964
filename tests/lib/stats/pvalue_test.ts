import { assertClose, assertEquals, assertInRange, assertThrows } from "../../helpers.ts";
import {
  empiricalPValues,
  pValueFlatness,
  ReferenceDistribution,
} from "../../../lib/stats/pvalue.ts";
import { ksOneSample, uniformCdf } from "../../../lib/stats/ks.ts";
import { Rng } from "../../../lib/random/rng.ts";

Deno.test("pValue: +1 convention and plain tail fraction by hand", () => {
  const ref = new ReferenceDistribution([9, 1, 8, 2, 7, 3, 6, 4, 5]); // N = 9
  assertEquals(ref.countAtLeast(5), 5);
  assertEquals(ref.pValue(5), 6 / 10);
  assertEquals(ref.pValue(5, { plusOne: false }), 5 / 9);
  assertEquals(ref.pValue(10), 1 / 10); // never zero with +1
  assertEquals(ref.pValue(10, { plusOne: false }), 0);
  assertEquals(ref.pValue(0), 1);
  assertEquals(ref.pValue(4.5), 6 / 10);
  // Ties count as "at least as anomalous".
  assertEquals(empiricalPValues([1, 2, 2, 3], [2, 2.5]), Float64Array.from([4 / 5, 2 / 5]));
  assertThrows(() => new ReferenceDistribution([]), /empty reference/);
  assertThrows(() => ref.pValue(NaN), /score is NaN/);
});

Deno.test("pValues: uniform for scores drawn from the reference distribution", () => {
  const rng = Rng.stream(5, "pvalue-test");
  const ref = new Float64Array(20000), test = new Float64Array(3000);
  for (let i = 0; i < ref.length; i++) ref[i] = rng.exponential(1);
  for (let i = 0; i < test.length; i++) test[i] = rng.exponential(1);
  const p = empiricalPValues(ref, test);
  let below = 0;
  for (const x of p) if (x <= 0.1) below++;
  assertClose(below / p.length, 0.1, 0.02, "P(p <= 0.1)");
  assertInRange(ksOneSample(p, uniformCdf).pValue, 0.01, 1, "KS against Uniform(0,1)");
});

Deno.test("pValueFlatness: nominal false-alarm rate where the one-sample KS of p-values is not", () => {
  // Reference and test samples of 1000 scores each from the same distribution, 400 toys.
  // The two-sample test (what pValueFlatness returns) must reject at p < 0.01 in about 1 %
  // of toys (binomial: <= 3.5 % is > 3 sigma above 1 %); the naive one-sample KS of the
  // p-values ignores the reference's own fluctuations and rejects ~10x too often (> 5 %).
  const toys = 400, n = 1000;
  let naive = 0, flat = 0;
  for (let t = 0; t < toys; t++) {
    const rng = Rng.stream(12, "flatness", t);
    const ref = Float64Array.from({ length: n }, () => rng.normal());
    const test = Float64Array.from({ length: n }, () => rng.normal());
    const r = pValueFlatness(ref, test);
    if (r.pValue < 0.01) flat++;
    const p = new ReferenceDistribution(ref).pValues(test);
    if (ksOneSample(p, uniformCdf).pValue < 0.01) naive++;
    assertInRange(r.oneSampleD, 0, 1, "one-sample D");
  }
  assertInRange(flat / toys, 0, 0.035, "false-alarm rate of pValueFlatness at p < 0.01");
  assertInRange(naive / toys, 0.05, 1, "false-alarm rate of the naive one-sample KS");
  // A real difference is still found: test scores shifted by 0.3 sigma.
  const rng = Rng.stream(12, "flatness-shift");
  const ref = Float64Array.from({ length: n }, () => rng.normal());
  const test = Float64Array.from({ length: n }, () => rng.normal() + 0.3);
  assertInRange(pValueFlatness(ref, test).pValue, 0, 1e-3, "shifted test sample");
});
