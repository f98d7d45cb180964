/**
 * Key figures of notebooks/01_vae_trigger.ipynb at `ci` scale (written by `deno task test`
 * before the tests run): the VAE of paper 1 on the simulated single-lepton stream.
 *
 * What is asserted, and why:
 * - the SM p-values of Loss_reco (second half of the validation sample against the first
 *   half as reference) are uniform: a p-value computed from an independent sample of the
 *   same distribution must be (KS p > 0.01, a 1 % false-alarm rate for a fixed seed);
 * - every BSM AUC of the VAE is above 0.7 (paper 1: 0.75-0.92, and an unsupervised score on
 *   these benchmarks must beat a coin clearly) and below the AUC of the supervised BDT
 *   trained on that sample (paper 1 section 5: the BDTs "set a qualitative upper limit");
 * - the ordering of paper 1: h0 -> tau tau (soft leptons and MET, like ttbar and W) is the
 *   hardest benchmark, i.e. has the lowest VAE AUC;
 * - paper 1 section 6: a contamination of 0.02 % A -> 4l events in the training sample has
 *   no visible effect; the contaminated and clean trainings share seed, epochs and size,
 *   so any shift is the contamination's (|delta AUC| <= 0.02 for every sample).
 */
import { readKeyFigures } from "../lib/repro/keyFigures.ts";
import { assert, assertInRange } from "./helpers.ts";

const SAMPLES = ["Ato4l", "leptoquark", "hToTauTau", "hChToTauNu"] as const;
const figures = (await readKeyFigures("01_vae_trigger", "ci")).figures;

function value(key: string): number {
  const f = figures[key];
  assert(f !== undefined, `key figure ${key} missing`);
  assert(typeof f.value === "number" && Number.isFinite(f.value), `${key}: not a finite number`);
  return f.value as number;
}

// Issue #4: "the SM p-value distribution is flat (KS p > 0.01)". The notebook computes the
// p-values of one SM half w.r.t. the other; the KS test of their flatness is the two-sample
// test of the halves (lib/stats/pvalue.ts pValueFlatness), so p < 0.01 happens in 1 % of
// correct runs.
Deno.test("SM p-values of Loss_reco are flat (KS p > 0.01)", () => {
  assertInRange(value("sm_pvalue_ks"), 0.01, 1, "KS p-value of the SM p-values' flatness");
});

Deno.test("every VAE AUC is below the supervised BDT's", () => {
  // The BDTs are trained on the signal: they bound what an unsupervised VAE can reach.
  for (const s of SAMPLES) {
    const vae = value(`vae_auc_${s}`);
    const bdt = value(`bdt_auc_${s}`);
    assert(vae < bdt, `VAE AUC of ${s} (${vae}) should be below the BDT's (${bdt})`);
  }
});

// Issue #4: every BSM AUC of the VAE above 0.7 (paper 1: 0.753-0.922). h0 -> tau tau, the
// hardest, reached it once the BSM samples followed PYTHIA's production mechanisms
// (lib/sim 3: ci 0.725; it was 0.58 with a gluon-fusion-only h0).
Deno.test("VAE AUC above 0.7 (paper 1: 0.75-0.92)", () => {
  for (const s of SAMPLES) {
    assertInRange(value(`vae_auc_${s}`), 0.7, 1, `VAE AUC of ${s} (paper 1: 0.75-0.92)`);
  }
});

Deno.test("paper 1 ordering: h0 -> tau tau is the hardest sample for the VAE", () => {
  const h = value("vae_auc_hToTauTau");
  for (const s of SAMPLES) {
    if (s === "hToTauTau") continue;
    assert(h < value(`vae_auc_${s}`), `AUC hToTauTau ${h} should be below ${s}`);
  }
});

Deno.test("0.02 % A -> 4l contamination moves no AUC by more than 0.02", () => {
  assertInRange(
    value("contamination_max_auc_shift_0.02pct"),
    0,
    0.02,
    "max |AUC(contaminated) - AUC(clean)| (paper 1 fig. 11: no visible change)",
  );
});

Deno.test("working points: efficiencies at 1e-3 and 1e-4 come with intervals", () => {
  for (const s of SAMPLES) {
    for (const wp of ["1e-3", "1e-4"]) {
      const f = figures[`vae_tpr_at_fpr_${wp}_${s}`];
      assert(f !== undefined, `vae_tpr_at_fpr_${wp}_${s} missing`);
      assert(f.interval !== undefined, `vae_tpr_at_fpr_${wp}_${s}: no interval`);
      const v = f.value as number;
      assert(f.interval[0] <= v && v <= f.interval[1], `${wp} ${s}: value outside its interval`);
    }
    // A looser working point keeps at least as many signal events.
    assert(
      (figures[`vae_tpr_at_fpr_1e-3_${s}`].value as number) >=
        (figures[`vae_tpr_at_fpr_1e-4_${s}`].value as number),
      `${s}: efficiency at 1e-3 below that at 1e-4`,
    );
    // ci validation samples cannot measure 5.4e-6: nothing may be recorded there.
    assert(
      figures[`vae_tpr_at_fpr_5.4e-6_${s}`] === undefined,
      `vae_tpr_at_fpr_5.4e-6_${s} recorded at ci scale, where it cannot be measured`,
    );
  }
});
