/** Unit tests of lib/stats/astf.ts (the ASTF of paper 3) and lib/repro/rocCurves.ts. */
import {
  astf,
  binomialFraction,
  excessSigma,
  regionFraction,
  selectionFraction,
  weightedFraction,
} from "../../../lib/stats/astf.ts";
import { Rng } from "../../../lib/random/rng.ts";
import { readRocCurves, saveRocCurves } from "../../../lib/repro/rocCurves.ts";
import { assert, assertClose, assertEquals, assertThrows } from "../../helpers.ts";

Deno.test("binomialFraction: value, a non-zero error at k = 0, 68% CP interval", () => {
  const f = binomialFraction(3, 10);
  assertClose(f.value, 0.3, 1e-12, "k/n");
  // p~ = 3.5 / 11, sigma = sqrt(p~ (1 - p~) / 11)
  assertClose(f.sigma, Math.sqrt((3.5 / 11) * (7.5 / 11) / 11), 1e-12, "sigma");
  assert(f.interval[0] < 0.3 && f.interval[1] > 0.3, "interval contains k/n");
  const z = binomialFraction(0, 50);
  assertEquals(z.value, 0);
  assert(z.sigma > 0, "k = 0 keeps a positive error");
  assert(Number.isNaN(binomialFraction(0, 0).value), "n = 0 gives NaN");
  assertThrows(() => binomialFraction(5, 3));
});

Deno.test("astf: bin-by-bin selected fractions with overflow into the last bin", () => {
  const values = [0.5, 1.5, 1.7, 2.5, 9, -1];
  const sel = [1, 0, 1, 1, 1, 1];
  const a = astf(values, sel, [0, 1, 2, 3]);
  assertEquals(a.bins.map((b) => [b.k, b.n]), [[1, 1], [1, 2], [2, 2]]);
  const b = astf(values, sel, [0, 1, 2, 3], { overflow: false });
  assertEquals(b.bins.map((x) => [x.k, x.n]), [[1, 1], [1, 2], [1, 1]]);
  assertThrows(() => astf([1], [1, 0], [0, 1]));
  assertThrows(() => astf([1], [1], [1, 0]));
});

Deno.test("regionFraction and excessSigma", () => {
  const nj = [2, 6, 7, 8, 3, 6];
  const sel = [0, 1, 1, 0, 1, 0];
  const r = regionFraction(sel, (i) => nj[i] >= 6);
  assertEquals([r.k, r.n], [2, 4]);
  const a = binomialFraction(40, 100), b = binomialFraction(10, 100);
  assertClose(excessSigma(a, b), (0.4 - 0.1) / Math.hypot(a.sigma, b.sigma), 1e-12, "sigma");
  assert(excessSigma(a, b) > 0 && excessSigma(b, a) < 0, "sign");
  assert(Number.isNaN(excessSigma(a, binomialFraction(0, 0))), "empty region");
});

Deno.test("selectionFraction raises alpha only when too few events would be selected", () => {
  assertEquals(selectionFraction(1e-3, 1e6, 30), {
    fraction: 1e-3,
    changed: false,
    expected: 1000,
  });
  const s = selectionFraction(1e-3, 20000, 60);
  assert(s.changed, "raised");
  assertClose(s.fraction, 3e-3, 1e-15, "fraction");
  assertThrows(() => selectionFraction(0, 10, 1));
});

Deno.test("saveRocCurves / readRocCurves round trip, and a clear error when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const curves = { A: { fpr: [0, 0.5, 1], tpr: [0, 0.8, 1], auc: 0.65, nBkg: 2, nSig: 2 } };
    await saveRocCurves({ notebook: "01_x", scale: "ci", seed: 1, dir }, curves);
    const back = await readRocCurves("01_x", "ci", { dir });
    assertEquals(back.curves, curves);
    let msg = "";
    try {
      await readRocCurves("01_x", "ci", { dir: `${dir}/none` });
    } catch (e) {
      msg = (e as Error).message;
    }
    assert(/run notebook 01_x/.test(msg), `missing-file message: ${msg}`);
    let bad = "";
    try {
      await saveRocCurves({ notebook: "01_x", scale: "ci", seed: 1, dir }, {
        B: { fpr: [0, 2], tpr: [0, 1], auc: 0.5, nBkg: 1, nSig: 1 },
      });
    } catch (e) {
      bad = (e as Error).message;
    }
    assert(/not a valid ROC/.test(bad), "invalid curve rejected");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("weightedFraction: unit or equal weights give the unweighted fraction exactly", () => {
  const u = weightedFraction(3, 10, 10);
  const b = binomialFraction(3, 10);
  assertClose(u.value, b.value, 1e-15, "value");
  assertClose(u.sigma, b.sigma, 1e-15, "sigma");
  assertClose(u.interval[0], b.interval[0], 1e-12, "lower");
  assertClose(u.interval[1], b.interval[1], 1e-12, "upper");
  // Ten events of weight 0.25: the same measurement, so the same fraction and errors.
  const q = weightedFraction(0.75, 2.5, 10 * 0.0625);
  assertClose(q.n, 10, 1e-12, "n_eff");
  assertClose(q.k, 3, 1e-12, "k_eff");
  assertClose(q.sigma, b.sigma, 1e-12, "sigma");
  assertThrows(() => weightedFraction(3, 2, 2), /weights/);
  assert(Number.isNaN(weightedFraction(0, 0, 0).value), "no events gives NaN");
});

Deno.test("astf and regionFraction with weights: sums of weights; unit weights change nothing", () => {
  const values = [0.5, 1.5, 1.7, 2.5, 9];
  const sel = [1, 0, 1, 1, 0];
  const ones = [1, 1, 1, 1, 1];
  const a = astf(values, sel, [0, 1, 2, 3]);
  const a1 = astf(values, sel, [0, 1, 2, 3], { weights: ones });
  assertEquals(a1.bins.map((x) => [x.k, x.n]), a.bins.map((x) => [x.k, x.n]));
  const w = [1, 0.5, 2, 1, 3];
  const aw = astf(values, sel, [0, 1, 2, 3], { weights: w });
  // Bin 1: events 1.5 (w 0.5, not selected) and 1.7 (w 2, selected): 2 / 2.5.
  assertClose(aw.bins[1].value, 0.8, 1e-12, "weighted value");
  assertClose(aw.bins[1].n, 2.5 * 2.5 / (0.25 + 4), 1e-12, "Kish n_eff");
  const r = regionFraction(sel, (i) => values[i] >= 1, w);
  assertClose(r.value, 3 / 6.5, 1e-12, "region: (2 + 1) / (0.5 + 2 + 1 + 3)");
  assertThrows(() => regionFraction(sel, () => true, [1, 2]), /weights/);
  assertThrows(() => astf(values, sel, [0, 1, 2, 3], { weights: [1] }), /weights/);
});

Deno.test("weightedFraction: pulls of a two-weight (stitched-like) sample have unit width", () => {
  // Statistical check of the effective-count error: 400 toys of 300 events with weight 1 and
  // 300 with weight 0.1 (a stitched bin), selected with probability 0.2 and 0.05. The true
  // weighted fraction is (300 0.2 + 30 0.05) / 330; the pulls' standard deviation must be
  // 1 within its sampling error (sqrt(1 / (2 x 400)) = 0.035; bound 0.15 for the
  // approximation of unequal weights by Kish's n_eff, which over-covers slightly here).
  const rng = Rng.stream(3, "astf-weighted-toys");
  const truth = (300 * 0.2 + 30 * 0.05) / 330;
  let s = 0, s2 = 0;
  const toys = 400;
  for (let t = 0; t < toys; t++) {
    let k = 0, n = 0, n2 = 0;
    for (let i = 0; i < 600; i++) {
      const hi = i < 300;
      const wi = hi ? 1 : 0.1;
      n += wi;
      n2 += wi * wi;
      if (rng.uniform() < (hi ? 0.2 : 0.05)) k += wi;
    }
    const f = weightedFraction(k, n, n2);
    const pull = (f.value - truth) / f.sigma;
    s += pull;
    s2 += pull * pull;
  }
  const mean = s / toys, sd = Math.sqrt(s2 / toys - mean * mean);
  assert(Math.abs(mean) < 0.2, `pull mean ${mean}`);
  assert(Math.abs(sd - 1) < 0.15, `pull standard deviation ${sd}`);
});
