/**
 * Key figures of notebooks/04_rmm_autoencoder.ipynb at `ci` scale (written by `deno task test`
 * before the tests run): paper 4's autoencoder on rapidity-mass matrices (RMM) of the
 * simulated 13 TeV lepton + jets stream.
 *
 * The RMM builder itself is checked cell by cell against hand-computed matrices in
 * tests/lib/rmm_test.ts, and the autoencoder (gradients, early stopping, save/load, the RMM
 * pipeline) in tests/lib/rmm_autoencoder_test.ts. What is asserted here, and why:
 * - the number of kept RMM cells (non-zero somewhere in the SM and BSM samples) is plausible:
 *   between 100 and 2601 (paper 4: 750 of 2601 with 1M SM events; fewer events and
 *   this simulation's object multiplicities give fewer);
 * - the median ln(Loss) of Z' and W' rises with the resonance mass (paper 4 fig. 2: "the
 *   larger the mass of the resonance, the further away the line is from the SM");
 * - heavy Z' / W' are separated from the SM (AUC of ln(Loss)), and at >= 3 TeV with AUC > 0.9
 *   (issue 7; paper 4 fig. 2: "a good separation between the SM events and the BSM events",
 *   the heavy resonances furthest from the SM). This needs paper 4's [0, 1] input scaling
 *   (lib/models/ae/denseAe.ts `PAPER4_RMM_INPUT`): with the raw RMM the ci AUC at 3 TeV was
 *   0.79-0.87, the rapidity cells making up ~97 % of the loss;
 * - the background-only 5-parameter dijet fits of m_jj and m_bb in the outlier region
 *   ln(Loss) > C describe the spectra (chi2/ndf in [0.5, 2]; for a correct model chi2/ndf has
 *   a standard deviation sqrt(2 / ndf) ~ 0.4-0.6 for ndf 6-15) with no three adjacent bins
 *   with pulls beyond 2 of the same sign (paper 4 fig. 3: no spurious bumps); m_bb on the
 *   dedicated b-enriched QCD sample when the inclusive outliers hold too few b-jet pairs;
 * - the four-momentum inputs are less stable over repeated trainings than the RMM (paper 4
 *   section 4): the spread of the SM ln(Loss) peak height is larger.
 * - the H+ S/B in m_bb > 500 GeV is measurable: B comes from the inclusive SM application rows
 *   stitched to a dedicated weighted QCD sample (pT-hat > 60 GeV, hard b; lib/data/rmmSlices.ts),
 *   so it rests on >= 20 SM events, and the weighted slice reproduces the inclusive rows of its
 *   phase space (cross-section ratio; ci: 0.91 +- 0.10).
 * - the H+ S/B in m_bb > 500 GeV rises after the cut (paper 4 fig. 6: "the selection cut can
 *   significantly increase the signal-over-background ratio"), by more than one standard error
 *   of the gain. The autoencoder is trained with the paper's composition (1 % H+ among the SM
 *   training rows) and the cut keeps 1 % of the SM (notebook section 6). The bound is one
 *   standard error because B rests on 28 SM events of the dedicated sample at ci (gain
 *   1.26 +- 0.17); at default (67 events) the gain is 1.30 +- 0.11. With 10 % of the H+ sample
 *   in the training (8-14 % of its rows) and the same cut it is 1.04 +- 0.22 at ci (1.24 +- 0.28
 *   at default): the composition is what makes the rise.
 */
import { readKeyFigures } from "../lib/repro/keyFigures.ts";
import { assert, assertInRange } from "./helpers.ts";

const figures = (await readKeyFigures("04_rmm_autoencoder", "ci")).figures;

function value(key: string): number {
  const f = figures[key];
  assert(f !== undefined, `key figure ${key} missing`);
  assert(typeof f.value === "number" && Number.isFinite(f.value), `${key}: not a finite number`);
  return f.value as number;
}

/** Masses (TeV) with a median key figure for `model`, ascending. */
function massesOf(model: string): number[] {
  const re = new RegExp(`^median_ln_loss_${model}_([0-9.]+)TeV$`);
  return Object.keys(figures).map((k) => re.exec(k)).filter((m) => m !== null)
    .map((m) => Number(m![1])).sort((a, b) => a - b);
}

Deno.test("kept RMM cells in a plausible range (100-2601; paper 4: 750)", () => {
  assertInRange(value("rmm_kept_columns"), 100, 2601, "non-zero RMM cells (paper 4: 750)");
});

Deno.test("BSM median ln(Loss) rises with the resonance mass (Z', W')", () => {
  for (const model of ["Zprime", "Wprime"]) {
    const masses = massesOf(model);
    assert(masses.length >= 2, `${model}: need >= 2 masses, got ${masses.length}`);
    for (let i = 1; i < masses.length; i++) {
      const lo = value(`median_ln_loss_${model}_${masses[i - 1]}TeV`);
      const hi = value(`median_ln_loss_${model}_${masses[i]}TeV`);
      assert(
        hi > lo,
        `${model}: median ln(Loss) at ${masses[i]} TeV (${hi}) <= ${masses[i - 1]} TeV (${lo})`,
      );
    }
  }
});

Deno.test("Z'/W' separation from the SM grows with the resonance mass", () => {
  // Physics expectation: heavier resonances put more energy into fewer, harder objects, far
  // from the SM bulk of the RMM, so the AUC rises with mass (paper 4 fig. 2). The issue's
  // AUC > 0.9 at >= 3 TeV is the next test.
  for (const model of ["Zprime", "Wprime"]) {
    const masses = massesOf(model);
    assert(masses.length >= 2, `${model}: fewer than two masses`);
    for (let i = 1; i < masses.length; i++) {
      const lo = value(`auc_${model}_${masses[i - 1]}TeV`);
      const hi = value(`auc_${model}_${masses[i]}TeV`);
      assert(hi > lo, `${model}: AUC at ${masses[i]} TeV (${hi}) <= ${masses[i - 1]} TeV (${lo})`);
    }
  }
});

Deno.test("Z'/W' at >= 3 TeV: AUC > 0.9 (issue 7; paper 4 fig. 2)", () => {
  for (const model of ["Zprime", "Wprime"]) {
    const heavy = massesOf(model).filter((x) => x >= 3);
    assert(heavy.length >= 1, `${model}: no mass >= 3 TeV in the key figures`);
    for (const m of heavy) {
      assertInRange(value(`auc_${model}_${m}TeV`), 0.9, 1, `AUC ${model} ${m} TeV`);
    }
  }
});

// m_bb: at ci the inclusive SM outliers hold ~13 events with two b jets, so the notebook fits
// the outliers of the dedicated b-enriched QCD sample (ci: 181 events in the fit range).
Deno.test("outlier-region m_jj and m_bb: dijet fits chi2/ndf in [0.5, 2], no run of 3 same-sign pulls > 2", () => {
  assertInRange(value("outlier_fit_chi2_ndf_mjj"), 0.5, 2, "chi2/ndf of the m_jj fit");
  assertInRange(value("outlier_fit_chi2_ndf_mbb"), 0.5, 2, "chi2/ndf of the m_bb fit");
  assert(value("outlier_max_same_sign_pull_run") < 3, "three adjacent same-sign pulls beyond 2");
  assert(value("outlier_sm_events") >= 200, "the outlier sample should hold a few hundred events");
});

// Paper 4 section 4: with four-momentum inputs the SM ln(Loss) peak "randomly changes" over
// trainings. The paper's measure, the peak height in fixed bins, saturates at 1 once our
// four-momentum distribution is narrower than a bin (default: heights 0.985-0.996); the spread
// of the medians in units of the IQR needs no binning (ci 19 vs 0.43, default 122 vs 0.68).
Deno.test("four-momentum inputs: SM ln(Loss) medians spread over trainings more than the RMM's", () => {
  const fv = value("fourvector_sm_median_spread_iqr");
  const rmm = value("rmm_sm_median_spread_iqr");
  assert(fv > 3 * rmm, `four-momentum median spread ${fv} IQR not well above the RMM's ${rmm}`);
});

Deno.test("four-momentum inputs: larger SM peak-height spread over trainings than the RMM", () => {
  const fv = value("fourvector_sm_peak_height_spread");
  const rmm = value("rmm_sm_peak_height_spread");
  assert(fv > rmm, `four-momentum spread ${fv} should exceed the RMM's ${rmm}`);
});

Deno.test("H+ (0.5 TeV): B in m_bb > 500 GeV measured with the stitched high-mass SM sample", () => {
  assert(
    value("hplus_sb_sm_events_before") >= 20,
    `B before the cut rests on ${value("hplus_sb_sm_events_before")} SM events (want >= 20)`,
  );
  assert(value("hplus_sb_sm_events_after") >= 1, "no SM event left after the cut");
  // The weighted slice against the inclusive rows of its phase space (~90 events at ci: ~10 %).
  assertInRange(
    value("hplus_slice_validation_xsec_ratio"),
    0.6,
    1.4,
    "slice / inclusive sigma x eff",
  );
  assert(value("hplus_sb_before") > 0 && value("hplus_sb_after") > 0, "S/B not measured");
});

Deno.test("H+ (0.5 TeV): S/B in m_bb > 500 GeV rises after the cut", () => {
  const before = value("hplus_sb_before"), after = value("hplus_sb_after");
  assert(after > before, `S/B should rise after the cut: ${before} -> ${after}`);
  const gain = value("hplus_sb_gain"), err = value("hplus_sb_gain_error");
  // The gain is S/B after / before = eff(H+) / eff(SM) in the region; consistent with the two S/B.
  assertInRange(gain, 0.999 * (after / before), 1.001 * (after / before), "gain vs the two S/B");
  assert(err > 0 && gain - 1 > err, `gain ${gain} +- ${err}: not above 1 by one standard error`);
});
