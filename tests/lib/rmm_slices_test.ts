/**
 * QCD pT-hat slices of paper 4's stream and their stitching (lib/sim/rmmStream.ts
 * `qcdPtHatSliceFraction`, `QCD_P_HARD_B`, the `QCD_ptHat<c>[_b]` processes; lib/data/
 * rmmSlices.ts): the slice share against plain counting on the inclusive sampler, the slice
 * sampler against the inclusive spectrum above the edge, the weights of a small generated
 * slice against the inclusive sample's rows of the same phase space, and the yield / error /
 * stitching arithmetic on hand-made numbers. < 30 s.
 */
import { generateRmmDataset } from "../../lib/data/rmmDatasets.ts";
import {
  addYields,
  compareWeightedSpectra,
  inSlicePhaseSpace,
  sliceOfLabel,
  stitchInclusiveWeights,
  weightedEfficiency,
  weightedYield,
  yieldRatio,
} from "../../lib/data/rmmSlices.ts";
import { QCD_EVENT, sampleQcdFlavours, sampleQcdKinematics } from "../../lib/sim/hardProcess.ts";
import { FastRng } from "../../lib/sim/random.ts";
import { Rng } from "../../lib/random/rng.ts";
import {
  parseRmmProcess,
  QCD_P_HARD_B,
  qcdPtHatSliceFraction,
  RMM13_SM_CROSS_SECTIONS_PB,
  rmmCrossSectionPb,
  rmmProcessLabel,
} from "../../lib/sim/rmmStream.ts";
import { assert, assertClose, assertEquals, assertThrows } from "../helpers.ts";

Deno.test("slice labels parse and print back; the cross section is sigma_QCD x share", () => {
  assertEquals(parseRmmProcess("QCD_ptHat60_b"), { kind: "QCD", ptHatMin: 60, hardB: true });
  assertEquals(parseRmmProcess("QCD_ptHat100"), { kind: "QCD", ptHatMin: 100 });
  assertEquals(rmmProcessLabel({ kind: "QCD", ptHatMin: 60, hardB: true }), "QCD_ptHat60_b");
  assertThrows(() => parseRmmProcess("QCD_ptHat20"), /outside/);
  assertEquals(sliceOfLabel("QCD_ptHat60_b"), { ptHatMin: 60, hardB: true });
  const f = qcdPtHatSliceFraction(60).value;
  assertClose(
    rmmCrossSectionPb({ kind: "QCD", ptHatMin: 60, hardB: true }),
    RMM13_SM_CROSS_SECTIONS_PB.QCD * f * QCD_P_HARD_B,
    1e-9,
    "slice cross section",
  );
});

Deno.test("pT-hat slice share: the chain estimate agrees with counting inclusive draws", () => {
  // Plain counting: 1e6 inclusive draws of the generator's sampler, pT-hat > c.
  const rng = new FastRng(Rng.stream("rmm_slices_test", 1));
  const n = 1_000_000, cuts = [60, 100];
  const pass = [0, 0];
  for (let i = 0; i < n; i++) {
    sampleQcdKinematics(rng, 13000);
    for (let k = 0; k < cuts.length; k++) if (QCD_EVENT.ptHat > cuts[k]) pass[k]++;
  }
  for (let k = 0; k < cuts.length; k++) {
    const p = pass[k] / n, pe = Math.sqrt(p * (1 - p) / n);
    const f = qcdPtHatSliceFraction(cuts[k]);
    const z = (f.value - p) / Math.hypot(pe, f.error);
    assert(
      Math.abs(z) < 3.5,
      `c = ${cuts[k]}: chain ${f.value} +- ${f.error} vs count ${p} +- ${pe}`,
    );
    assert(f.error / f.value < 0.015, `c = ${cuts[k]}: relative error ${f.error / f.value}`);
  }
  assertEquals(qcdPtHatSliceFraction(30).value, 1);
});

Deno.test("the slice sampler draws the inclusive pT-hat spectrum above its edge", () => {
  const c = 100, edges = [100, 120, 150, 200, 300, 6500];
  const hist = (draw: () => number | null, want: number) => {
    const h = new Array(edges.length - 1).fill(0);
    let got = 0;
    while (got < want) {
      const x = draw();
      if (x === null) continue;
      got++;
      for (let k = 0; k + 1 < edges.length; k++) if (x >= edges[k] && x < edges[k + 1]) h[k]++;
    }
    return h.map((v) => v / want);
  };
  const r1 = new FastRng(Rng.stream("rmm_slices_test", 2));
  const r2 = new FastRng(Rng.stream("rmm_slices_test", 3));
  const n = 40_000;
  const inc = hist(() => {
    sampleQcdKinematics(r1, 13000);
    return QCD_EVENT.ptHat > c ? QCD_EVENT.ptHat : null;
  }, n);
  const sl = hist(() => {
    sampleQcdKinematics(r2, 13000, c);
    return QCD_EVENT.ptHat;
  }, n);
  for (let k = 0; k < inc.length; k++) {
    const e = Math.sqrt((inc[k] + sl[k]) / n) + 1e-9;
    assert(
      Math.abs(inc[k] - sl[k]) < 4 * e,
      `bin ${edges[k]}: inclusive ${inc[k]} vs slice ${sl[k]}`,
    );
  }
  assertThrows(() => sampleQcdKinematics(r1, 13000, 20), /ptHatMin/);
});

Deno.test("QCD_P_HARD_B is the flavour sampler's frequency of a hard b", () => {
  const rng = new FastRng(Rng.stream("rmm_slices_test", 4));
  const n = 400_000;
  let b = 0;
  for (let i = 0; i < n; i++) {
    sampleQcdFlavours(rng, false);
    if (Math.abs(QCD_EVENT.pdg3) === 5) b++;
  }
  const p = b / n;
  assertClose(p, QCD_P_HARD_B, 4 * Math.sqrt(p * (1 - p) / n), "P(hard b)");
});

Deno.test("weighted yields, ratio, efficiency and stitching on hand-made numbers", () => {
  const w = [1, 2, 0, 3];
  const y = weightedYield(w, (i) => i !== 3);
  assertEquals([y.sum, y.sumW2, y.count], [3, 5, 2]);
  assertClose(y.error, Math.sqrt(5), 1e-12, "error");
  const s = addYields(y, weightedYield([4], () => true));
  assertEquals([s.sum, s.sumW2, s.count], [7, 21, 3]);
  const r = yieldRatio({ sum: 2, sumW2: 1, count: 1, error: 1 }, {
    sum: 4,
    sumW2: 4,
    count: 1,
    error: 2,
  });
  assertClose(r.value, 0.5, 1e-12, "ratio");
  assertClose(r.error, 0.5 * Math.sqrt(0.25 + 0.25), 1e-12, "ratio error");
  assert(Number.isNaN(yieldRatio(y, { sum: 0, sumW2: 0, count: 0, error: 0 }).value), "b = 0");
  // Unit weights: the binomial error sqrt(e (1 - e) / n).
  const e = weightedEfficiency([1, 1, 1, 1], () => true, (i) => i < 1);
  assertClose(e.value, 0.25, 1e-12, "efficiency");
  assertClose(e.error, Math.sqrt(0.25 * 0.75 / 4), 1e-12, "efficiency error");
  const truth = {
    process: ["QCD", "QCD", "QCD", "W", "QCD"],
    hardMass: [100, 50, 100, 300, 70],
    qcdHardB: [1, 1, 0, 0, 1],
  };
  const slice = { ptHatMin: 60, hardB: true };
  assertEquals([0, 1, 2, 3, 4].map((i) => inSlicePhaseSpace(truth, i, slice)), [
    true,
    false,
    false,
    false,
    true,
  ]);
  const st = stitchInclusiveWeights([1, 2, 3, 4, 5], truth, slice);
  assertEquals(Array.from(st.weights), [0, 2, 3, 4, 0]);
  assertEquals([st.removed, st.removedWeight], [2, 6]);
  const cmp = compareWeightedSpectra([0, 10, 20], { values: [5, 15], weights: [1, 1] }, {
    values: [5, 5, 15],
    weights: [0.5, 0.5, 1],
  });
  assertEquals(cmp.bins.map((b) => b.b.sum), [1, 1]);
  assertEquals([cmp.chi2, cmp.ndf], [0, 2]);
  assertClose(cmp.ratio.value, 1, 1e-12, "total ratio");
  // An empty bin on one side: the error of one of its events (mean weight 2), not 0.
  const one = compareWeightedSpectra([0, 10, 20], { values: [5, 5], weights: [2, 2] }, {
    values: [5, 15],
    weights: [3, 1],
  });
  assertClose(one.bins[1].pull, 1 / Math.sqrt(1 + 4), 1e-12, "pull of an empty bin");
});

Deno.test("a generated hard-b slice: weights in pb, flags and pT-hat as defined", async () => {
  const s = await generateRmmDataset("rmm13_QCD_ptHat60_b", { events: 40, seed: 3, workers: 0 });
  const ev = s.events;
  const bk = s.bookkeeping.perProcess["QCD_ptHat60_b"];
  for (let i = 0; i < ev.mbb.length; i++) {
    assert(ev.hardMass[i] > 60, `row ${i}: pT-hat ${ev.hardMass[i]}`);
    assertEquals(ev.qcdHardB[i], 1, `row ${i}: hard-b flag`);
  }
  let sum = 0;
  for (const w of ev.weight) sum += w;
  // Rows carry sigma_slice x B / attempts pb (x importance weight): their sum is sigma x eff.
  assertClose(sum, bk.crossSectionPb * bk.efficiency.value, 1e-6 * sum, "sum of weights");
  assertClose(
    bk.crossSectionPb,
    rmmCrossSectionPb(parseRmmProcess("QCD_ptHat60_b")),
    1e-6,
    "sigma",
  );
});
