/**
 * Key figures of notebooks/03_alad_top_rediscovery.ipynb at `ci` scale (written by
 * `deno task test` before the tests run): ALAD on the simulated single-lepton stream
 * (paper 3 section 3) and the re-discovery of tt-bar in simulated 8 TeV single-muon
 * pseudo-data (section 4).
 *
 * What is asserted, and why:
 * - paper 3 section 3: ALAD "matches (and in some cases improves)" the VAE of paper 1. For
 *   every BSM sample the best of the four ALAD scores has an AUC at least the VAE's of
 *   notebook 01 minus 0.05 (0.05: the training-to-training and sample-statistics spread of
 *   short ci trainings, a few 0.01, with margin). The VAE's AUCs are read from notebook
 *   01's own ci key figures, never from a constant;
 * - section 3: the training and validation score distributions agree (no over-training):
 *   two-sample KS p-value of the L1 score above 0.01 (a 1 % false alarm for a fixed seed);
 * - training stability: two seeds give AUCs within 0.02 (max over scores and samples);
 * - section 4: the anomaly selection enriches tt-bar: its share among the selected pseudo-
 *   data events is at least 5 times its share before (paper: about 20 at a selected
 *   fraction of 1e-3; ci selects a looser fraction, so a smaller factor is expected);
 * - the tt-bar share of the pseudo-data is the few per cent of the paper (~4 %): between
 *   2 % and 7 %;
 * - after the post-processing selection NJ >= 6, Nb >= 2 the labelled simulation is almost
 *   pure tt-bar (paper: "an almost pure subset"): purity above 80 %;
 * - the ASTF of the pseudo-data exceeds that of the W+Z simulation at NJ >= 6 by more than
 *   3 standard deviations (paper fig. 8: the excess of anomalies at large jet multiplicity);
 * - LR+ at FPR 1e-5 cannot be measured with ci's 2e4 validation events: not recorded.
 */
import { readKeyFigures } from "../lib/repro/keyFigures.ts";
import { assert, assertInRange } from "./helpers.ts";

const SAMPLES = ["Ato4l", "leptoquark", "hToTauTau", "hChToTauNu"] as const;
const SCORES = ["logits", "features", "l1", "l2"] as const;
const figures = (await readKeyFigures("03_alad_top_rediscovery", "ci")).figures;
const vae = (await readKeyFigures("01_vae_trigger", "ci")).figures;

function value(figs: typeof figures, key: string): number {
  const f = figs[key];
  assert(f !== undefined, `key figure ${key} missing`);
  assert(typeof f.value === "number" && Number.isFinite(f.value), `${key}: not a finite number`);
  return f.value as number;
}

Deno.test("best ALAD score per BSM sample is within 0.05 of the VAE of notebook 01", () => {
  for (const s of SAMPLES) {
    const best = Math.max(...SCORES.map((k) => value(figures, `alad_auc_${k}_${s}`)));
    const v = value(vae, `vae_auc_${s}`);
    assert(
      best >= v - 0.05,
      `${s}: best ALAD AUC ${best} is more than 0.05 below the VAE's ${v}`,
    );
  }
});

Deno.test("every ALAD AUC is a valid area and beats a coin on A -> 4l and h+ -> tau nu", () => {
  for (const s of SAMPLES) {
    for (const k of SCORES) {
      assertInRange(value(figures, `alad_auc_${k}_${s}`), 0, 1, `AUC ${k} ${s}`);
    }
  }
  for (const s of ["Ato4l", "hChToTauNu"]) {
    assertInRange(
      value(figures, `alad_auc_l1_${s}`),
      0.7,
      1,
      `L1 AUC of ${s} (paper 3 fig. 4: the easiest samples)`,
    );
  }
});

Deno.test("no over-training: training and validation L1 scores agree (KS p > 0.01)", () => {
  assertInRange(
    value(figures, "alad_overtraining_ks_pvalue_l1"),
    0.01,
    1,
    "KS p-value, train vs validation",
  );
});

Deno.test("training stability: two seeds give AUCs within 0.02", () => {
  assertInRange(value(figures, "auc_seed_spread_max"), 0, 0.02, "max |AUC(seed 2) - AUC(seed 1)|");
});

Deno.test("LR+ at FPR 1e-5 is not recorded where ci cannot measure it", () => {
  for (const s of SAMPLES) {
    assert(
      figures[`alad_lr_plus_at_fpr_1e-5_${s}`] === undefined,
      `LR+ at 1e-5 recorded for ${s} at ci`,
    );
  }
});

Deno.test("pseudo-data hold a few per cent of tt-bar (paper: ~4 %)", () => {
  assertInRange(
    value(figures, "ttbar_fraction_before"),
    0.02,
    0.07,
    "tt-bar share of the pseudo-data",
  );
});

Deno.test("the anomaly selection enriches tt-bar at least 5-fold (paper: ~20)", () => {
  const before = value(figures, "ttbar_fraction_before");
  const after = value(figures, "ttbar_fraction_selected");
  assert(after >= 5 * before, `tt-bar share ${after} among selected events < 5 x ${before}`);
  assertInRange(value(figures, "ttbar_enrichment"), 5, 1 / before, "enrichment (after / before)");
});

Deno.test("after NJ >= 6, Nb >= 2 the labelled simulation is > 80 % tt-bar", () => {
  assertInRange(value(figures, "pps_ttbar_purity"), 0.8, 1, "tt-bar purity after the PPS");
});

// Paper 3 fig. 8: the anomalies cluster at large jet multiplicity, where W + Z do not put
// them. The excess is a ~2 % ASTF in a bin with ~0.7 % of the events, so its significance grows
// as the square root of the selected pseudo-data events there: ci uses 200k pseudo-data
// events for it (20k gave +1.6 sigma) and a known-SM simulation stitched with a >= 4-parton
// bin, so that the W + Z ASTF there rests on ~300 effective events instead of ~40.
Deno.test("ASTF excess of pseudo-data over W+Z at NJ >= 6 is above 3 sigma", () => {
  const sigma = value(figures, "astf_excess_sigma_nj_ge_6");
  assert(sigma > 3, `ASTF excess at NJ >= 6 is ${sigma} sigma, expected > 3`);
});
