/**
 * SIMULATED 13 TeV events of paper 4's lepton + jets stream (Chekanov & Hopkins, "Event-based
 * anomaly detection for searches for new physics", Universe 8 (2022) 494; the rapidity-mass
 * matrix autoencoder): the Standard Model processes QCD multijets, W, Z/gamma*, H and t t-bar
 * and the BSM benchmarks (SSM Z' and W', a dark-matter mediator produced with a W, and the
 * charged Higgs b g -> H+ t), each as a hard process followed by this repository's shower,
 * hadronisation, decays and detector response. Paper 4 used PYTHIA 8 at truth level (stable
 * particles, anti-kT jets, isolated leptons, fake leptons assigned to jets at random); this is
 * the repository's fast stand-in. The objects and the selection are made in
 * lib/reco/rmmObjects.ts, the datasets in lib/data/rmmDatasets.ts.
 *
 * Chain per event: hard process (this file) -> final-state shower only (lib/sim/shower.ts
 * `shower`) -> generator PRE-FILTER (below) -> hadronisation of the showered partons
 * (`showerAndHadronize`, which no longer branches them) -> pi0 / K0S decays
 * (lib/sim/decays.ts) -> restoration of the resonance four-momenta (lib/sim/reshuffle.ts) ->
 * detector response (lib/sim/detector.ts) with its charged-hadron lepton fakes switched OFF
 * (paper 4 assigns fakes to jets instead, lib/reco/rmmObjects.ts) -> underlying event
 * (lib/sim/softQcd.ts).
 *
 * Pileup: NONE (`meanPileup = 0`). Paper 4 (section 3.1) runs PYTHIA 8 and builds jets and
 * leptons "from stable particles" with no detector simulation and no mention of pileup (its
 * samples are the HepSim truth-level PYTHIA 8 samples); PYTHIA's multiple interactions of the
 * hard collision are kept, as our underlying event.
 *
 * Pre-filter (bookkeeping: every attempt is counted, lib/data/rmmDatasets.ts): after the
 * shower the visible final particles and partons are clustered with anti-kT R = 0.4; an event
 * continues to hadronisation and the detector only when it could pass paper 4's selection
 * (an isolated lepton with pT > 30 GeV and two jets with ET > 40 GeV, or, for a fake lepton,
 * three jets): >= 3 parton-level jets with pT > 30 GeV and |eta| < 2.8, or >= 2 such jets and
 * an electron / muon with pT > 25 GeV and |eta| < 2.6. Measured on events simulated without
 * it (same random streams, lib/reco/rmmObjects.ts selection probabilities): it drops ~0.5 %
 * of the selected QCD rate, <= 0.7 % of W, Z, H and < 0.1 % of t t-bar and BSM, while only
 * ~5 % of the QCD attempts reach hadronisation. Counting a b / c parton as a possible
 * (heavy-flavour) lepton (`prefilterHeavyQuarks`) changes nothing measurable: heavy-flavour
 * leptons essentially never carry 90 % of the dR < 0.2 cone energy. A cut on the hard process
 * alone (before the shower) is NOT safe: wide-angle emissions off forward partons
 * (theta_max = 1 rad, the "fixed" convention of lib/sim/shower.ts `BeamShowerAngle`) make
 * much of the third jet of QCD events.
 *
 * Hard processes (GeV; sources next to each constant):
 * - QCD 2 -> 2: lib/sim/hardProcess.ts's model (pT-hat > 30 GeV, sigma = 1.6e5 nb, all
 *   flavours, no heavy-flavour enrichment), unchanged. A pT-hat SLICE (`{ kind: "QCD",
 *   ptHatMin }`, label `QCD_ptHat<c>`) draws the same spectrum above pT-hat = c: the dedicated
 *   high-mass background sample of an LHC analysis, with the cross section
 *   sigma_QCD x {@link qcdPtHatSliceFraction}(c) (the slice's share measured on the generator's
 *   own pT-hat sampler, not taken from a paper). With `hardB: true` (label
 *   `QCD_ptHat<c>_b`) the slice keeps only the categories of the flavour sampler with a b
 *   quark out of the hard process (b b-bar and b + light: `sampleQcdFlavours(rng, true)`
 *   redrawn until the b category comes, the exact conditional draw) with the cross section
 *   times their probability {@link QCD_P_HARD_B} (from the sampler's own category table): the
 *   "b-enriched" sample of an analysis, stitched with the truth flag `RMM_TRUTH.qcdHardB`
 *   (lib/data/rmmSlices.ts). Two b-tagged jets (m_bb) come ~80 % from these categories. The inclusive stream is unchanged by either.
 * - W, Z/gamma*: inclusive, ALL decays (paper 4: "All decays of top quarks, H and vector
 *   bosons were allowed"), transverse momentum from the pT-ordered initial-state cascade of
 *   lib/sim/hardProcess.ts (`sampleIsrCascade`) whose hard scale is drawn per event
 *   ({@link V_ISR}), so W / Z + jets multiplicities come out near the measured ones.
 * - H (125.1 GeV): gluon fusion, vector-boson fusion, W H and Z H with the LHC Higgs WG
 *   cross sections and all decays with the LHC Higgs WG branching ratios
 *   ({@link HIGGS_PRODUCTION}, {@link HIGGS_DECAYS}).
 * - t t-bar: lib/sim/hardProcess.ts `hardTTbar`, all decays.
 * - SSM Z' (mass M): q q-bar -> Z' -> f f-bar with the Z couplings (+ t t-bar), {@link SSM}.
 * - SSM W' (mass M): q q-bar' -> W' -> l nu, q q-bar' (ud, cs, tb), {@link SSM}.
 * - DM (mass M): a vector dark-matter mediator Z'_DM produced with a W boson
 *   (q q-bar' -> W Z'_DM, "the simplified dark-matter model (DM) with W production", paper 4),
 *   Z'_DM -> q q-bar or chi chi-bar with the LHC DM Working Group couplings, W -> all,
 *   {@link DM_MEDIATOR}.
 * - H+ (mass M, 0.5 TeV in paper 4 section 5): b g -> H- t (+ c.c.), H+ -> t b, all top
 *   decays, {@link HPLUS}.
 * Paper 4 names the BSM models but not their final states (they are "discussed in [17]");
 * the choices above are ours and documented at each constant.
 *
 * Record conventions (lib/sim/particles.ts): heavy neutral vectors (Z', Z'_DM) are stored with
 * the Z code 23 and the W' with the W code 24, because lib/sim/reshuffle.ts restores the
 * four-momenta only of the resonance codes it knows (6, 23, 24, 25, 36, 37, 42); the dark
 * matter particle chi (m = 1 GeV) is stored with the neutrino code 12, the only invisible
 * code of lib/sim/detector.ts. Truth labels come from {@link RmmProcess}, not from PDG codes.
 *
 * Determinism: each call seeds an event-local FastRng from four draws of the caller's Rng and
 * uses nothing else; the generator-level record is a module-level buffer (one per worker).
 */
import { clusterAntiKt } from "../physics/antikt.ts";
import { Rng } from "../random/rng.ts";
import { MASS, PDG, WIDTH } from "./constants.ts";
import {
  chooseWMode,
  decayBosonToFermions,
  decayShortLived,
  decayTop,
  decayTwoBodyAxis,
  decayW,
  openingAngle,
  W_MODE,
} from "./decays.ts";
import { DETECTOR_DEFAULTS, type DetectorParams, detectorResponse, INVISIBLE } from "./detector.ts";
import { resetTruth, type SimEvent } from "./event.ts";
import { fillTruthLists, leadingLeptonPt } from "./generator.ts";
import {
  decayTaus,
  hardTTbar,
  ISR_EMISSIONS,
  PAIR_ISR,
  pushIsrEmissions,
  pushPair,
  pushQcdIsr,
  pushQcdParton,
  QCD,
  QCD_EVENT,
  sampleIsrCascade,
  sampleOnePlusCos2,
  samplePairMomentum,
  sampleQcdFlavours,
  sampleQcdKinematics,
  sampleRapidity,
} from "./hardProcess.ts";
import { pushPtYPhiM, twoBodyP } from "./kinematics.ts";
import { GenParticles, ORIGIN, STATUS } from "./particles.ts";
import { FastRng, type SimRandom } from "./random.ts";
import { restoreResonanceMomenta } from "./reshuffle.ts";
import { beamThetaMax, setBeamShowerAngle, shower, showerAndHadronize } from "./shower.ts";
import { addUnderlyingEventAndPileup } from "./softQcd.ts";

const TWO_PI = 2 * Math.PI;

// ---------------------------------------------------------------------------------------
// Processes, settings, cross sections
// ---------------------------------------------------------------------------------------

/** Standard Model processes of the stream. */
export type RmmSmProcess = "QCD" | "W" | "Z" | "H" | "ttbar";
/** BSM models of the stream (their mass is a parameter). */
export type RmmBsmModel = "Zprime" | "Wprime" | "DM" | "Hplus";

/** All SM process names, in the order of the mixture. */
export const RMM_SM_PROCESSES: readonly RmmSmProcess[] = ["QCD", "W", "Z", "H", "ttbar"];
/** All BSM model names. */
export const RMM_BSM_MODELS: readonly RmmBsmModel[] = ["Zprime", "Wprime", "DM", "Hplus"];

/**
 * A process of the stream: an SM process, or a BSM model with its mass (GeV). QCD may carry
 * `ptHatMin` (GeV, an integer >= 30): a pT-hat slice of the inclusive QCD, and with it
 * `hardB` (only the events with a b quark out of the hard process; module
 * comment).
 */
export type RmmProcess =
  | { readonly kind: RmmSmProcess; readonly ptHatMin?: number; readonly hardB?: boolean }
  | { readonly kind: RmmBsmModel; readonly mass: number };

/** Lowest and highest BSM mass (GeV) accepted (paper 4: 0.5 and 1-6 TeV). */
export const RMM_BSM_MASS_RANGE: readonly [number, number] = [300, 8000];

/**
 * Label of a process, as written in the `process` column: the SM name, or
 * `<model>_<mass in TeV>TeV` (e.g. "Zprime_2TeV", "Hplus_0.5TeV").
 */
export function rmmProcessLabel(p: RmmProcess): string {
  if (p.kind === "Zprime" || p.kind === "Wprime" || p.kind === "DM" || p.kind === "Hplus") {
    return `${p.kind}_${Number((p.mass / 1000).toFixed(4))}TeV`;
  }
  const c = rmmPtHatMin(p);
  if (c !== undefined) {
    return `${p.kind}_ptHat${c}${"hardB" in p && p.hardB ? "_b" : ""}`;
  }
  return p.kind;
}

/** Generator settings of the stream. */
export interface RmmGeneratorConfig {
  /** Centre-of-mass energy (GeV). */
  sqrtS: number;
  /** Mean number of pileup interactions (Poisson); 0 for paper 4 (module comment). */
  meanPileup: number;
  /** Apply the pre-filter (module comment); false simulates every attempt fully. */
  prefilter: boolean;
  /** Pre-filter: parton-level jet pT threshold (GeV) and |eta| range. */
  prefilterJetPtMin: number;
  prefilterJetAbsEtaMax: number;
  /** Pre-filter: lepton / heavy-quark pT threshold (GeV) and lepton |eta| range. */
  prefilterLeptonPtMin: number;
  prefilterLeptonAbsEtaMax: number;
  /** Pre-filter: count a b / c parton above the lepton threshold as a possible lepton. */
  prefilterHeavyQuarks: boolean;
}

/** Paper 4's stream: 13 TeV, no pileup, pre-filter on (module comment for the margins). */
export const RMM13_GENERATOR: Readonly<RmmGeneratorConfig> = Object.freeze({
  sqrtS: 13000,
  meanPileup: 0,
  prefilter: true,
  prefilterJetPtMin: 30,
  prefilterJetAbsEtaMax: 2.8,
  prefilterLeptonPtMin: 25,
  prefilterLeptonAbsEtaMax: 2.6,
  prefilterHeavyQuarks: false,
});

/**
 * The detector of lib/sim/detector.ts with its charged-hadron -> lepton fakes off: paper 4
 * assigns fake leptons to whole jets (0.1 % mu, 1 % e per jet, lib/reco/rmmObjects.ts).
 */
export const RMM_DETECTOR: Readonly<DetectorParams> = Object.freeze({
  ...DETECTOR_DEFAULTS,
  fakeElectronProb: 0,
  fakeMuonProb: 0,
});

/**
 * Cross sections (pb) of the generated SM phase space at 13 TeV, used to mix the SM sample
 * "according to their rates" (paper 4 section 3.3) and to weight events:
 * - QCD: 1.6e5 nb for pT-hat > 30 GeV (PHYSICS.md and lib/sim/hardProcess.ts `QCD`: paper 1's
 *   QCD cross section, the LO PYTHIA 8 value of that phase space).
 * - W: sigma(W+ + W-) x BR(W -> e nu) = 20.6 nb (ATLAS, PLB 759 (2016) 601: 11.83 + 8.79 nb;
 *   PHYSICS.md "~20 nb per lepton flavour") divided by BR(e nu) = 10.71 % (PDG): 192 nb, all
 *   decays.
 * - Z: sigma(Z/gamma* -> l l, m > 50 GeV) = 2.0 nb per flavour (CMS 13 TeV Drell-Yan, 6.0 nb
 *   for e, mu, tau, as in lib/sim/hardProcess.ts `hardZ`; PHYSICS.md 1.9 nb for 60-120 GeV)
 *   divided by BR(Z -> e e) = 3.363 % (PDG): 59.5 nb, all decays.
 * - H: 55.6 pb = ggF 48.58 + VBF 3.78 + WH 1.37 + ZH 0.88 + ttH 0.51 + bbH 0.49 pb (LHC Higgs
 *   Cross Section WG, CERN Yellow Report 4, arXiv:1610.07922, m_H = 125 GeV); ttH and bbH are
 *   generated as gluon fusion ({@link HIGGS_PRODUCTION}).
 * - t t-bar: 832 pb (PHYSICS.md; NNLO+NNLL, Czakon et al.).
 */
export const RMM13_SM_CROSS_SECTIONS_PB: Readonly<Record<RmmSmProcess, number>> = Object.freeze({
  QCD: 1.6e8,
  W: 1.923e5,
  Z: 5.95e4,
  H: 55.6,
  ttbar: 832,
});

/**
 * Approximate LO cross sections (pb, all decays) of the BSM models at 13 TeV at the listed
 * masses (TeV), interpolated log-linearly in the mass by {@link bsmCrossSectionPb}. ORDER OF
 * MAGNITUDE ONLY (a factor ~2): paper 4 quotes none ("the truth-level cross sections
 * reported by the BSM MC generators", and "1,000 BSM events ... corresponds to a cross
 * section of about 7 fb for the LHC Run2 data"), so these serve only to put BSM events on a
 * common scale with the SM. Sources (our reading of the theory curves): SSM Z' from
 * sigma x BR(l l) of the ATLAS 13 TeV dilepton searches (PLB 796 (2019) 68: ~0.3 pb at 1 TeV
 * falling to ~0.03 fb at 5 TeV) divided by BR(l l) = 3 %; SSM W' from sigma x BR(l nu) of the
 * ATLAS 13 TeV l + MET search (PRD 100 (2019) 052013) divided by BR(l nu) = 8.1 %; the DM
 * mediator with a W: the dijet mediator cross section (g_q = 0.25) times an electroweak
 * emission probability of ~1 % (our estimate); H+: sigma(pp -> t H+-) for tan(beta) = 1 of
 * the LHC Higgs WG (type-II 2HDM, arXiv:1610.07922 section IV.3).
 */
export const RMM13_BSM_CROSS_SECTIONS_PB: Readonly<
  Record<RmmBsmModel, ReadonlyArray<readonly [number, number]>>
> = Object.freeze({
  Zprime: [[0.5, 80], [1, 8], [2, 0.6], [3, 0.065], [4, 8e-3], [5, 1.2e-3], [6, 3e-4]],
  Wprime: [[0.5, 200], [1, 18], [2, 1.2], [3, 0.12], [4, 0.016], [5, 2.5e-3], [6, 5e-4]],
  DM: [[0.5, 0.3], [1, 0.03], [2, 2e-3], [3, 2e-4], [4, 3e-5], [5, 5e-6], [6, 1e-6]],
  Hplus: [[0.5, 0.8], [1, 0.06], [2, 2e-3], [3, 1.5e-4], [4, 1.5e-5], [5, 2e-6], [6, 3e-7]],
});

/** Approximate cross section (pb) of a BSM model at `massGeV` ({@link RMM13_BSM_CROSS_SECTIONS_PB}). */
export function bsmCrossSectionPb(model: RmmBsmModel, massGeV: number): number {
  const t = RMM13_BSM_CROSS_SECTIONS_PB[model];
  if (t === undefined) throw new RangeError(`bsmCrossSectionPb: unknown model "${model}"`);
  const m = massGeV / 1000;
  if (!(m > 0 && Number.isFinite(m))) throw new RangeError(`bsmCrossSectionPb: mass ${massGeV}`);
  let k = 0;
  while (k < t.length - 2 && m > t[k + 1][0]) k++;
  const [m0, s0] = t[k], [m1, s1] = t[k + 1];
  const f = (m - m0) / (m1 - m0);
  return Math.exp(Math.log(s0) + f * (Math.log(s1) - Math.log(s0)));
}

/**
 * Cross section (pb) of the generated phase space of any process of the stream; for a QCD
 * pT-hat slice, the inclusive QCD cross section times {@link qcdPtHatSliceFraction}.
 */
export function rmmCrossSectionPb(p: RmmProcess): number {
  if (p.kind === "Zprime" || p.kind === "Wprime" || p.kind === "DM" || p.kind === "Hplus") {
    return bsmCrossSectionPb(p.kind, p.mass);
  }
  const sigma = RMM13_SM_CROSS_SECTIONS_PB[p.kind];
  const c = rmmPtHatMin(p);
  if (c === undefined) return sigma;
  const hf = "hardB" in p && p.hardB === true ? QCD_P_HARD_B : 1;
  return sigma * qcdPtHatSliceFraction(c).value * hf;
}

/** The pT-hat edge of a QCD slice (GeV), undefined for the inclusive QCD and other processes. */
export function rmmPtHatMin(p: RmmProcess): number | undefined {
  return "ptHatMin" in p ? p.ptHatMin : undefined;
}

// ---------------------------------------------------------------------------------------
// QCD pT-hat slices
// ---------------------------------------------------------------------------------------

/**
 * Probability that a QCD event of the flavour sampler (lib/sim/hardProcess.ts
 * `sampleQcdFlavours`) has a b quark out of the hard process: its b b-bar and b + light
 * categories, summed from the sampler's own table `QCD.hfCategory` (the "_b" slices' share).
 */
export const QCD_P_HARD_B = QCD.hfCategory[0] + QCD.hfCategory[2];

/** Share of the inclusive QCD cross section in a pT-hat slice, with its MC uncertainty. */
export interface PtHatSliceFraction {
  /** Lower pT-hat edge of the slice (GeV). */
  ptHatMin: number;
  /** Fraction of the inclusive QCD (pT-hat > 30 GeV) cross section with pT-hat > ptHatMin. */
  value: number;
  /** Its statistical (binomial, propagated through the steps) uncertainty. */
  error: number;
  /** Kinematics draws used. */
  draws: number;
  /** The thresholds of the chain, from the inclusive edge to ptHatMin. */
  steps: number[];
}

/** Draws per step of {@link qcdPtHatSliceFraction} (~0.45 % relative error per step). */
export const PT_HAT_FRACTION_DRAWS_PER_STEP = 200_000;
/** Largest ratio of consecutive thresholds of the chain (conditional probability >~ 0.2). */
const PT_HAT_FRACTION_STEP_RATIO = 1.5;
const sliceFractions = new Map<string, PtHatSliceFraction>();

/**
 * The share of the inclusive QCD cross section with pT-hat > `ptHatMin`, MEASURED on the
 * generator's own pT-hat sampler (lib/sim/hardProcess.ts `sampleQcdKinematics`, the one
 * {@link generateRmmEvent} uses; nothing is taken from a paper or a formula): a chain of
 * thresholds c_0 = 30 GeV (the inclusive edge) < c_1 < ... < c_n = ptHatMin, ratio <= 1.5,
 * and for each step the fraction of `drawsPerStep` events drawn with ptHatMin = c_k that
 * have pT-hat > c_{k+1}; the product is the fraction. (Because the slice sampler draws the
 * inclusive spectrum restricted to pT-hat > c_k, each factor is P(pT-hat > c_{k+1} | pT-hat >
 * c_k); the chain gives ~1 % precision with 2e5 draws per step, where counting pT-hat > c in
 * inclusive draws would need ~1e7 draws, ~5 s, for c = 150 GeV.) The error adds the steps'
 * binomial relative errors in quadrature. Deterministic (a fixed random stream per threshold);
 * memoised per (ptHatMin, sqrtS, drawsPerStep). Tested against plain inclusive counting in
 * tests/lib/rmm_slices_test.ts.
 */
export function qcdPtHatSliceFraction(
  ptHatMin: number,
  sqrtS: number = RMM13_GENERATOR.sqrtS,
  drawsPerStep: number = PT_HAT_FRACTION_DRAWS_PER_STEP,
): PtHatSliceFraction {
  const lo: number = QCD.ptHatMin;
  if (!(ptHatMin >= lo) || !(2 * ptHatMin < sqrtS) || !Number.isFinite(ptHatMin)) {
    throw new RangeError(
      `qcdPtHatSliceFraction: ptHatMin ${ptHatMin} GeV outside [${lo}, sqrt(s)/2)`,
    );
  }
  if (!(Number.isInteger(drawsPerStep) && drawsPerStep >= 100)) {
    throw new RangeError(`qcdPtHatSliceFraction: drawsPerStep ${drawsPerStep}`);
  }
  const key = `${ptHatMin}|${sqrtS}|${drawsPerStep}`;
  const memo = sliceFractions.get(key);
  if (memo !== undefined) return memo;
  const nSteps = ptHatMin > lo
    ? Math.ceil(Math.log(ptHatMin / lo) / Math.log(PT_HAT_FRACTION_STEP_RATIO) - 1e-9)
    : 0;
  const steps = [lo];
  for (let k = 1; k < nSteps; k++) steps.push(lo * Math.pow(ptHatMin / lo, k / nSteps));
  if (nSteps > 0) steps.push(ptHatMin);
  let value = 1, rel2 = 0;
  const rng = new FastRng();
  for (let k = 0; k + 1 < steps.length; k++) {
    rng.reseed(Rng.stream("qcdPtHatSliceFraction", `${sqrtS}|${ptHatMin}`, k));
    let pass = 0;
    for (let i = 0; i < drawsPerStep; i++) {
      sampleQcdKinematics(rng, sqrtS, steps[k]);
      if (QCD_EVENT.ptHat > steps[k + 1]) pass++;
    }
    if (pass === 0) throw new Error(`qcdPtHatSliceFraction: no draw above ${steps[k + 1]} GeV`);
    const p = pass / drawsPerStep;
    value *= p;
    rel2 += (1 - p) / pass;
  }
  const out: PtHatSliceFraction = {
    ptHatMin,
    value,
    error: value * Math.sqrt(rel2),
    draws: (steps.length - 1) * drawsPerStep,
    steps,
  };
  sliceFractions.set(key, Object.freeze(out) as PtHatSliceFraction);
  return out;
}

// ---------------------------------------------------------------------------------------
// Model parameters
// ---------------------------------------------------------------------------------------

/**
 * Initial-state radiation of W, Z/gamma* and gluon-fusion H production: the pT-ordered
 * double-log cascade of lib/sim/hardProcess.ts (`sampleIsrCascade`) with a hard scale drawn per
 * event, Q = m exp(t), t exponential with mean `logScaleMean` (a power-law spread of the
 * scale, standing in for the W + jet matrix element's pT spectrum; PYTHIA's "power shower"
 * also lets ISR reach beyond m), and the emission density multiplied by `strength`. TUNED at
 * parton level: W pT > 30 GeV in 14.5 % and > 100 GeV in 2.3 % of the events (measured 13 TeV
 * W / Z pT spectra: ~8-12 % and ~1.5-2 %, the sources of lib/sim/hardProcess.ts `DY_PT`), and
 * W + >= 1 jet (pT > 30 GeV, |y| < 2.5) in 11 % (measured ~12-15 %, CMS PRD 96 (2017) 072005).
 * The cascade's multiplicities are Poisson-like, so W + >= 2 jets comes out at ~1 % where the
 * measured jet-multiplicity "staircase" (sigma(>= n+1) / sigma(>= n) ~ 0.25) gives ~3 %:
 * W / Z + 2 jets are ~3x low, a known limitation (QCD with a fake lepton dominates the selected
 * SM sample anyway). ggF H with the same settings and C_A: H + >= 1 jet 31 %, pT(H) > 100 GeV
 * 10 % (measured ggF: ~35 % and ~10 %). Colour factor C_F for q q-bar initial states (W, Z).
 */
export const V_ISR = Object.freeze({ logScaleMean: 0.6, strength: 0.5, quarkFraction: 0.75 });

/**
 * Sequential Standard Model Z' and W' (Altarelli et al., Z. Phys. C 45 (1989) 109): the Z and
 * W couplings. Z' -> f f-bar branching ratios: the Z's partial widths (PDG: e, mu, tau
 * 3.37 % each, invisible 20.0 %, (u u-bar + c c-bar) / 2 = 11.6 %, (d d-bar + s s-bar + b
 * b-bar) / 3 = 15.6 %) plus t t-bar with the u u-bar width (phase space ~1 above 1 TeV),
 * renormalised; W+W- is left out (mixing-suppressed, ~1 % in PYTHIA's SSM). Total width
 * Gamma / M = 3.1 % (Gamma_Z / M_Z = 2.74 % times 1.12 for the top). W' -> e nu, mu nu, tau nu
 * (1 each) and u d-bar, c s-bar, t b-bar (3 colours x 1.04 QCD correction each): 8.1 % per
 * lepton flavour, 25.2 % per quark pair; Gamma / M = 3.3 %. W'+ : W'- = 0.7 : 0.3 (the u d-bar
 * vs d u-bar luminosity ratio at x ~ 0.1-0.4; our estimate). Production angle 1 + cos^2 (Z')
 * and the V-A (1 -+ cos)^2 (W'), w.r.t. the beam axis.
 */
export const SSM = Object.freeze({
  zWidthOverMass: 0.031,
  /** Z' decay table: [|pdg| of the fermion, relative weight]. */
  zDecays: Object.freeze([
    [11, 3.37],
    [13, 3.37],
    [15, 3.37],
    [12, 6.67],
    [14, 6.67],
    [16, 6.67],
    [2, 11.6],
    [4, 11.6],
    [6, 11.6],
    [1, 15.6],
    [3, 15.6],
    [5, 15.6],
  ] as ReadonlyArray<readonly [number, number]>),
  wWidthOverMass: 0.033,
  /** W' modes: e, mu, tau, ud, cs (W_MODE order), tb; relative weights. */
  wDecays: Object.freeze([1, 1, 1, 3.12, 3.12, 3.12]),
  wPlusFraction: 0.7,
  /** Colour factor and quark share of the ISR of q q-bar initial states. */
  isrColour: 4 / 3,
  isrQuarkFraction: 0.3,
});

/**
 * Dark-matter mediator: the LHC DM Working Group's vector mediator (Abercrombie et al.,
 * arXiv:1507.00966; Boveia et al., arXiv:1603.04156) with g_q = 0.25, g_chi = 1, m_chi = 1 GeV.
 * Partial widths Gamma(q q-bar) = 3 g_q^2 M / (12 pi) beta (3 - beta^2) / 2 per quark flavour
 * (u, d, s, c, b, t), Gamma(chi chi-bar) = g_chi^2 M / (12 pi): Gamma / M ~ 5.6 %, BR(q q-bar)
 * ~ 53 %, BR(invisible) ~ 47 % at 1 TeV. Produced with a W ("the simplified dark-matter model
 * (DM) with W production", paper 4) as q q-bar' -> W Z'_DM: the momentum p* in the W Z' rest
 * frame from lib/sim/hardProcess.ts `samplePairMomentum` with scale p0 = 0.15 (M + m_W) (our
 * choice: a W radiated off the initial quark, softer than pair production, whose scale
 * 0.29 x threshold fits t t-bar), isotropic production angle; W -> all decays.
 */
export const DM_MEDIATOR = Object.freeze({
  gQ: 0.25,
  gChi: 1.0,
  mChi: 1.0,
  pStarScale: 0.15,
});

/**
 * Charged Higgs b g -> H- t (+ c.c.) (PYTHIA 8 HiggsBSM:bg2H+-t, the process of paper 4
 * section 3.1), H+ -> t b-bar with BR = 100 % (dominant above the t b threshold; the few-%
 * tau nu of a type-II 2HDM at moderate tan(beta) is neglected), Gamma / M = 2 % (our choice).
 * Pair momentum p* from `samplePairMomentum` with p0 = 0.2 (M + m_t) (t t-bar's 0.29 x
 * threshold, lowered for the steeper b g luminosity; our choice), pair rapidity Gaussian
 * sigma 1.0, ISR from the heavy-pair cascade of lib/sim/hardProcess.ts with the b g colour
 * factor (C_A + C_F) / 2.
 */
export const HPLUS = Object.freeze({ widthOverMass: 0.02, pStarScale: 0.2 });

/**
 * Higgs production at 13 TeV (LHC Higgs Cross Section WG, YR4, arXiv:1610.07922, m_H =
 * 125 GeV): ggF 48.58 pb (+ bbH 0.49 and ttH 0.51 pb generated like ggF: ttH's extra tops are
 * not modelled, 0.9 % of H), VBF 3.78 pb, WH 1.37 pb, ZH 0.88 pb. Relative weights.
 */
export const HIGGS_PRODUCTION = Object.freeze({ ggF: 49.58, VBF: 3.78, WH: 1.37, ZH: 0.88 });

/**
 * H(125) branching ratios (LHC Higgs WG YR4, m_H = 125.09 GeV): b b 58.09 %, W W* 21.52 %,
 * g g 8.18 %, tau tau 6.256 %, c c 2.884 %, Z Z* 2.641 %, gamma gamma 0.227 %, Z gamma
 * 0.154 %, mu mu 0.0217 % (the rest, s s-bar etc., folded in by renormalising).
 */
export const HIGGS_DECAYS = Object.freeze({
  bb: 58.09,
  WW: 21.52,
  gg: 8.18,
  tautau: 6.256,
  cc: 2.884,
  ZZ: 2.641,
  gammagamma: 0.227,
  Zgamma: 0.154,
  mumu: 0.0217,
});

/**
 * Z -> f f-bar table (PDG): e, mu, tau 3.363/3.366/3.370 %, nu 20.0 % (three flavours),
 * (u, c) 11.6 %, (d, s, b) 15.6 % each; [|pdg|, weight].
 */
const Z_DECAYS: ReadonlyArray<readonly [number, number]> = [
  [11, 3.363],
  [13, 3.366],
  [15, 3.37],
  [12, 6.667],
  [14, 6.667],
  [16, 6.667],
  [2, 11.6],
  [4, 11.6],
  [1, 15.6],
  [3, 15.6],
  [5, 15.6],
];

// ---------------------------------------------------------------------------------------
// Truth of the last event
// ---------------------------------------------------------------------------------------

/** Generator-level truth of the last event (scratch, overwritten by every call). */
export const RMM_TRUTH = {
  /** Hard mass: pT-hat for QCD, the boson / resonance / system mass otherwise (GeV). */
  hardMass: 0,
  /**
   * QCD: whether the hard process made a b quark (the b b-bar and b + light categories of
   * lib/sim/hardProcess.ts `sampleQcdFlavours`; the overlap flag of the "_b" slices); false
   * for the other QCD events and every other process.
   */
  qcdHardB: false,
  /** Parton-level jets (pT > prefilterJetPtMin) found by the pre-filter. */
  nPartonJets: 0,
  /** Whether the pre-filter passed (always true when the pre-filter is off). */
  prefilterPassed: false,
};

/** Generator-level record shared by the calls in this worker. */
const GEN = new GenParticles(2048);
/** The event's random stream, reseeded from the caller's Rng at each call. */
const FAST = new FastRng();

/** The generator-level record of the last event (read-only use: tests, validation). */
export function lastRmmGenParticles(): GenParticles {
  return GEN;
}

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/** Draw an index with probability proportional to `w[i][1]` of a decay table. */
function pickFromTable(rng: SimRandom, table: ReadonlyArray<readonly [number, number]>): number {
  let total = 0;
  for (let i = 0; i < table.length; i++) total += table[i][1];
  let u = rng.uniform() * total;
  for (let i = 0; i < table.length; i++) {
    u -= table[i][1];
    if (u < 0) return table[i][0];
  }
  return table[table.length - 1][0];
}

/** Draw an index with probability proportional to `w[i]`. */
function pickIndex(rng: SimRandom, w: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i];
  let u = rng.uniform() * total;
  for (let i = 0; i < w.length; i++) {
    u -= w[i];
    if (u < 0) return i;
  }
  return w.length - 1;
}

/**
 * Boost y_b of a system of mass m from a model parton luminosity: at fixed tau = (m/sqrt(s))^2
 * with f(x) ~ x^-a (1 - x)^b the x^-a factors cancel and dL/dy_b ~ [(1 - r e^y)(1 - r e^-y)]^b,
 * r = m / sqrt(s), |y_b| < ln(1/r). b = 3 (valence quarks; as lib/sim/dijet.ts's gluon-like
 * b = 5 for q q-bar annihilation).
 */
function sampleLuminosityBoost(rng: SimRandom, m: number, sqrtS: number, b = 3): number {
  const r = Math.min(m / sqrtS, 0.999);
  const yMax = -Math.log(r);
  const w0 = Math.pow((1 - r) * (1 - r), b);
  for (;;) {
    const y = (2 * rng.uniform() - 1) * yMax;
    const f = (1 - r * Math.exp(y)) * (1 - r * Math.exp(-y));
    if (f > 0 && rng.uniform() * w0 < Math.pow(f, b)) return y;
  }
}

/**
 * Mass of an s-channel resonance (pole M, width Gamma): relativistic Breit-Wigner on
 * [M max(0.5, 1 - 5 Gamma / M), min(M (1 + 5 Gamma / M), 0.9 sqrt(s))] times a parton
 * luminosity x^-3 (1 - x)^10, x = m / sqrt(s) (the shape of lib/sim/dijet.ts's graviton
 * luminosity), so that heavy states get PYTHIA-like low-mass tails (accept-reject against the
 * luminosity's value at the lower edge, its maximum).
 */
export function sampleResonanceMass(
  rng: SimRandom,
  mass: number,
  width: number,
  sqrtS: number,
): number {
  const rel = width / mass;
  const lo = mass * Math.max(0.5, 1 - 5 * rel);
  const hi = Math.min(mass * (1 + 5 * rel), 0.9 * sqrtS);
  const lum = (m: number) => {
    const x = m / sqrtS;
    return Math.pow(1 - x, 10) * Math.pow(x, -3);
  };
  const lMax = lum(lo);
  for (let k = 0; k < 1_000_000; k++) {
    const m = rng.relativisticBreitWigner(mass, width, lo, hi);
    if (rng.uniform() * lMax < lum(m)) return m;
  }
  throw new Error(`sampleResonanceMass(${mass}, ${width}): no mass accepted`);
}

/**
 * Append a colour-singlet system of mass m (code pdg, status hard) whose transverse momentum
 * is the recoil of an ISR cascade of scale q, colour factor `colour` and strength `strength`,
 * at rapidity y; the emissions follow as partons. Returns the system's index.
 */
function pushSingletWithIsr(
  gen: GenParticles,
  rng: SimRandom,
  m: number,
  pdg: number,
  y: number,
  sqrtS: number,
  q: number,
  colour: number,
  strength: number,
  quarkFraction: number,
): number {
  sampleIsrCascade(rng, q, colour, strength);
  const rx = ISR_EMISSIONS.recoilPx, ry = ISR_EMISSIONS.recoilPy;
  const pt = Math.min(Math.sqrt(rx * rx + ry * ry), 0.25 * sqrtS);
  const i = pushPtYPhiM(gen, pt, y, Math.atan2(ry, rx), m, pdg, STATUS.hard, -1, 0);
  pushIsrEmissions(gen, rng, y, quarkFraction, PAIR_ISR.yMax);
  return i;
}

/**
 * Append a pair (m1, pdg1) + (m2, pdg2) (status hard) of system mass mSys recoiling against
 * the heavy-pair ISR cascade of lib/sim/hardProcess.ts (scale 0.5 mSys), at a rapidity from
 * `ySigma` (Gaussian, truncated) or the luminosity model (ySigma <= 0), isotropic production
 * angle. Returns the index of the first (the second is next).
 */
function pushPairWithIsr(
  gen: GenParticles,
  rng: SimRandom,
  sqrtS: number,
  mSys: number,
  m1: number,
  pdg1: number,
  m2: number,
  pdg2: number,
  ySigma: number,
  colour: number,
  quarkFraction: number,
): number {
  sampleIsrCascade(rng, PAIR_ISR.qScale * mSys, colour, PAIR_ISR.strength);
  const rx = ISR_EMISSIONS.recoilPx, ry = ISR_EMISSIONS.recoilPy;
  const pt = Math.min(Math.sqrt(rx * rx + ry * ry), 0.25 * sqrtS);
  const y = ySigma > 0
    ? sampleRapidity(rng, ySigma, mSys, sqrtS)
    : sampleLuminosityBoost(rng, mSys, sqrtS);
  const i1 = pushPair(
    gen,
    mSys,
    pt,
    y,
    Math.atan2(ry, rx),
    m1,
    pdg1,
    STATUS.hard,
    m2,
    pdg2,
    STATUS.hard,
    2 * rng.uniform() - 1,
    TWO_PI * rng.uniform(),
  );
  pushIsrEmissions(gen, rng, y, quarkFraction, PAIR_ISR.yMax);
  return i1;
}

/** A top mass from the relativistic Breit-Wigner (PDG 172.5, 1.42) in [160, 185] GeV. */
function topMass(rng: SimRandom): number {
  return rng.relativisticBreitWigner(MASS.top, WIDTH.top, 160, 185);
}

/**
 * Decay neutral vector `iv` into f f-bar (|pdg| `f`: leptons, neutrinos, quarks, or 6 for
 * t t-bar, whose tops then decay with all W modes), fermion at polar angle acos(cosTheta)
 * w.r.t. the beam axis in the rest frame.
 */
function decayNeutralVector(
  gen: GenParticles,
  rng: SimRandom,
  iv: number,
  f: number,
  cosTheta: number,
): void {
  // Below the t t-bar threshold of the top line shape (2 x 185 GeV, a light Z' tail) the
  // top share goes to b b-bar.
  if (f === PDG.t && gen.m[iv] < 370) f = PDG.b;
  if (f === PDG.t) {
    const it = decayTwoBodyAxis(
      gen,
      iv,
      topMass(rng),
      PDG.t,
      topMass(rng),
      -PDG.t,
      cosTheta,
      0,
      0,
      1,
      STATUS.hard,
      0,
      rng,
    );
    decayTop(gen, it, -1, rng);
    decayTop(gen, it + 1, -1, rng);
    return;
  }
  decayBosonToFermions(gen, iv, f, -f, cosTheta, 0, 0, 1, ORIGIN.prompt, rng);
}

/**
 * Decay `ip` into t + b-bar (sign of `ip`'s code +) or t-bar + b (-): the top then decays with
 * all W modes; the b is a parton fragmenting in `ip`'s rest frame with theta_max = the t-b
 * opening angle (colour singlet).
 */
function decayToTopBottom(gen: GenParticles, rng: SimRandom, ip: number, cosTheta: number): void {
  const plus = gen.pdg[ip] > 0;
  const it = decayTwoBodyAxis(
    gen,
    ip,
    topMass(rng),
    plus ? PDG.t : -PDG.t,
    MASS.b,
    plus ? -PDG.b : PDG.b,
    cosTheta,
    0,
    0,
    1,
    STATUS.hard,
    0,
    rng,
  );
  const ib = it + 1;
  gen.status[ib] = STATUS.parton;
  gen.thetaMax[ib] = openingAngle(gen, it, ib);
  gen.frame[ib] = ip;
  decayTop(gen, it, -1, rng);
}

/** V-A lepton angle of a W / W' decay (as lib/sim/hardProcess.ts `hardW`). */
function wDecayCos(rng: SimRandom, plus: boolean): number {
  const c0 = 2 * Math.cbrt(rng.uniform()) - 1; // (1 + c)^2
  return plus ? -c0 : c0;
}

/** Quark direction along the beam for a W of rapidity y (valence quarks: lib/sim hardW). */
function wQuarkAxis(rng: SimRandom, y: number): number {
  const along = rng.uniform() < 0.5 + 0.35 * Math.tanh(Math.abs(y));
  return (y >= 0) === along ? 1 : -1;
}

/** Decay a Z (or Z*) `iz` with the PDG Z branching ratios, 1 + cos^2 w.r.t. the beam. */
function decayZAll(gen: GenParticles, rng: SimRandom, iz: number): void {
  decayNeutralVector(gen, rng, iz, pickFromTable(rng, Z_DECAYS), sampleOnePlusCos2(rng));
}

/**
 * Off-shell vector-boson pair masses for H -> V V*: density ~ m1 m2 p*(mH; m1, m2) |P(m1)|^2
 * |P(m2)|^2 with P the propagator of (mV, gV) (constant matrix element otherwise; as
 * lib/sim/hardProcess.ts's A -> Z* Z*), by accept-reject in the triangle m1 + m2 < mH.
 */
const VV = new Float64Array(2);
const vvMax = new Map<string, number>();
function sampleOffShellVV(rng: SimRandom, mH: number, mV: number, gV: number): void {
  const lo = 1;
  const w = (m1: number, m2: number) => {
    const mv2 = mV * mV, mg2 = mv2 * gV * gV;
    const d1 = m1 * m1 - mv2, d2 = m2 * m2 - mv2;
    return (m1 * m2 * twoBodyP(mH, m1, m2)) / ((d1 * d1 + mg2) * (d2 * d2 + mg2));
  };
  const key = `${mH}|${mV}|${gV}`;
  let wMax = vvMax.get(key);
  if (wMax === undefined) {
    wMax = 0;
    const n = 400;
    for (let i = 1; i < n; i++) {
      for (let j = 1; j < n; j++) {
        const m1 = lo + ((mH - 2 * lo) * i) / n, m2 = lo + ((mH - 2 * lo) * j) / n;
        if (m1 + m2 < mH) wMax = Math.max(wMax, w(m1, m2));
      }
    }
    wMax *= 1.5;
    vvMax.set(key, wMax);
  }
  for (;;) {
    const m1 = lo + (mH - 2 * lo) * rng.uniform();
    const m2 = lo + (mH - 2 * lo) * rng.uniform();
    if (m1 + m2 >= mH) continue;
    if (rng.uniform() * wMax < w(m1, m2)) {
      VV[0] = m1;
      VV[1] = m2;
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Hard processes
// ---------------------------------------------------------------------------------------

/**
 * QCD 2 -> 2 of lib/sim/hardProcess.ts (no heavy-flavour enrichment), pT-hat > `ptHatMin`
 * (undefined: the inclusive 30 GeV, drawn exactly as before slices existed). Returns pT-hat.
 */
function hardQcd(
  gen: GenParticles,
  rng: SimRandom,
  sqrtS: number,
  ptHatMin: number | undefined,
  hardB: boolean,
): number {
  // The heavy-flavour categories always put their b / c parton in pdg3 (hardProcess.ts).
  sampleQcdFlavours(rng, hardB);
  while (hardB && QCD_EVENT.pdg3 !== PDG.b && QCD_EVENT.pdg3 !== -PDG.b) {
    sampleQcdFlavours(rng, true);
  }
  RMM_TRUTH.qcdHardB = QCD_EVENT.pdg3 === PDG.b || QCD_EVENT.pdg3 === -PDG.b;
  if (ptHatMin === undefined) sampleQcdKinematics(rng, sqrtS);
  else sampleQcdKinematics(rng, sqrtS, ptHatMin);
  pushQcdParton(gen, 0);
  pushQcdParton(gen, 1);
  pushQcdIsr(gen, rng);
  return QCD_EVENT.ptHat;
}

/** Hard scale of the V / ggF-H initial-state cascade ({@link V_ISR}). */
function vIsrScale(rng: SimRandom, m: number): number {
  return m * Math.exp(rng.exponential(V_ISR.logScaleMean));
}

/**
 * Inclusive W -> all (PDG BRs): mass, charge ratio and lepton angles as lib/sim/hardProcess.ts
 * `hardW`; transverse momentum from the ISR cascade of {@link V_ISR}. Returns m(W).
 */
function hardWAll(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const plus = rng.uniform() < 0.574;
  const m = rng.relativisticBreitWigner(MASS.W, WIDTH.W, 40, 250);
  const y = sampleRapidity(rng, 2.0, m, sqrtS);
  const iw = pushSingletWithIsr(
    gen,
    rng,
    m,
    plus ? PDG.W : -PDG.W,
    y,
    sqrtS,
    vIsrScale(rng, m),
    4 / 3,
    V_ISR.strength,
    V_ISR.quarkFraction,
  );
  const first = gen.n;
  const mode = chooseWMode(rng);
  decayW(gen, iw, mode, wDecayCos(rng, plus), 0, 0, wQuarkAxis(rng, y), rng);
  decayTaus(gen, first, rng);
  return m;
}

/**
 * Z/gamma* -> all with m > 50 GeV (paper 4: "a minimum value of 50 GeV on generated invariant
 * masses"): the Z line shape (Breit-Wigner on [50, 150] GeV) with probability 0.93, else the
 * gamma* continuum m^-3.3 on [50, 2000] GeV (lib/sim/hardProcess.ts `hardZ`'s mixture
 * restricted to m > 50 GeV); PDG Z branching ratios for all masses; 1 + cos^2 theta.
 * Returns m.
 */
function hardZAll(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  let m: number;
  if (rng.uniform() < 0.93) m = rng.relativisticBreitWigner(MASS.Z, WIDTH.Z, 50, 150);
  else {
    const a = 3.3, lo = 50, hi = 2000;
    const l1 = Math.pow(lo, 1 - a), h1 = Math.pow(hi, 1 - a);
    m = Math.pow(l1 + rng.uniform() * (h1 - l1), 1 / (1 - a));
  }
  const y = sampleRapidity(rng, 2.0, m, sqrtS);
  const iz = pushSingletWithIsr(
    gen,
    rng,
    m,
    PDG.Z,
    y,
    sqrtS,
    vIsrScale(rng, m),
    4 / 3,
    V_ISR.strength,
    V_ISR.quarkFraction,
  );
  const first = gen.n;
  decayZAll(gen, rng, iz);
  decayTaus(gen, first, rng);
  return m;
}

/** Decay H `ih` with the branching ratios of {@link HIGGS_DECAYS}. */
function decayHiggs(gen: GenParticles, rng: SimRandom, ih: number): void {
  const d = HIGGS_DECAYS;
  const k = pickIndex(rng, [
    d.bb,
    d.WW,
    d.gg,
    d.tautau,
    d.cc,
    d.ZZ,
    d.gammagamma,
    d.Zgamma,
    d.mumu,
  ]);
  const cos = 2 * rng.uniform() - 1;
  switch (k) {
    case 0:
      decayBosonToFermions(gen, ih, PDG.b, -PDG.b, cos, 0, 0, 1, ORIGIN.prompt, rng);
      return;
    case 2:
      decayBosonToFermions(gen, ih, PDG.g, PDG.g, cos, 0, 0, 1, ORIGIN.prompt, rng);
      return;
    case 3:
      decayBosonToFermions(gen, ih, PDG.tau, -PDG.tau, cos, 0, 0, 1, ORIGIN.prompt, rng);
      return;
    case 4:
      decayBosonToFermions(gen, ih, PDG.c, -PDG.c, cos, 0, 0, 1, ORIGIN.prompt, rng);
      return;
    case 8:
      decayBosonToFermions(gen, ih, PDG.mu, -PDG.mu, cos, 0, 0, 1, ORIGIN.prompt, rng);
      return;
    case 6:
      decayTwoBodyAxis(
        gen,
        ih,
        0,
        PDG.gamma,
        0,
        PDG.gamma,
        cos,
        0,
        0,
        1,
        STATUS.final,
        ORIGIN.prompt,
        rng,
      );
      return;
    case 7: {
      const mz = rng.relativisticBreitWigner(MASS.Z, WIDTH.Z, 40, MASS.H - 1);
      const iz = decayTwoBodyAxis(
        gen,
        ih,
        mz,
        PDG.Z,
        0,
        PDG.gamma,
        cos,
        0,
        0,
        1,
        STATUS.hard,
        0,
        rng,
      );
      gen.status[iz + 1] = STATUS.final;
      gen.origin[iz + 1] = ORIGIN.prompt;
      decayZAll(gen, rng, iz);
      return;
    }
    case 1: {
      sampleOffShellVV(rng, gen.m[ih], MASS.W, WIDTH.W);
      const iw = decayTwoBodyAxis(
        gen,
        ih,
        VV[0],
        PDG.W,
        VV[1],
        -PDG.W,
        cos,
        0,
        0,
        1,
        STATUS.hard,
        0,
        rng,
      );
      decayW(gen, iw, chooseWMode(rng), 2 * rng.uniform() - 1, 0, 0, 1, rng);
      decayW(gen, iw + 1, chooseWMode(rng), 2 * rng.uniform() - 1, 0, 0, 1, rng);
      return;
    }
    default: {
      sampleOffShellVV(rng, gen.m[ih], MASS.Z, WIDTH.Z);
      const iz = decayTwoBodyAxis(
        gen,
        ih,
        VV[0],
        PDG.Z,
        VV[1],
        PDG.Z,
        cos,
        0,
        0,
        1,
        STATUS.hard,
        0,
        rng,
      );
      decayZAll(gen, rng, iz);
      decayZAll(gen, rng, iz + 1);
    }
  }
}

/**
 * H(125) production ({@link HIGGS_PRODUCTION}): ggF (pT from the cascade of {@link V_ISR}
 * with C_A), VBF (two tag quarks with pT from a Gamma(2, 30 GeV) distribution (mean 60 GeV)
 * at rapidities y_H +- dy/2, dy ~ N(4.5, 1.2), the typical VBF topology (ATLAS/CMS VBF H
 * analyses); our parametrisation), W H / Z H (pair production, p* scale 60 GeV = 0.29 x
 * threshold as t t-bar, V -> all). Returns the H mass.
 */
function hardHiggs(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const p = HIGGS_PRODUCTION;
  const mode = pickIndex(rng, [p.ggF, p.VBF, p.WH, p.ZH]);
  const mH = MASS.H;
  const first = gen.n;
  if (mode === 0) {
    const y = sampleRapidity(rng, 2.0, mH, sqrtS);
    const ih = pushSingletWithIsr(
      gen,
      rng,
      mH,
      PDG.h0,
      y,
      sqrtS,
      vIsrScale(rng, mH),
      3,
      V_ISR.strength,
      0.2,
    );
    decayHiggs(gen, rng, ih);
  } else if (mode === 1) {
    const yH = sampleRapidity(rng, 1.5, mH, sqrtS);
    const dy = Math.max(1, rng.normal(4.5, 1.2));
    let sx = 0, sy = 0;
    for (let k = 0; k < 2; k++) {
      const pt = rng.gamma(2, 30);
      const phi = TWO_PI * rng.uniform() - Math.PI;
      const yq = Math.max(-4.7, Math.min(4.7, yH + (k === 0 ? 0.5 : -0.5) * dy));
      const f = 1 + Math.floor(rng.uniform() * 2);
      const iq = pushPtYPhiM(gen, pt, yq, phi, 0, f, STATUS.parton, -1, 0);
      gen.thetaMax[iq] = beamThetaMax(gen, iq);
      sx += gen.px[iq];
      sy += gen.py[iq];
    }
    const ih = pushPtYPhiM(
      gen,
      Math.hypot(sx, sy),
      yH,
      Math.atan2(-sy, -sx),
      mH,
      PDG.h0,
      STATUS.hard,
      -1,
      0,
    );
    decayHiggs(gen, rng, ih);
  } else {
    const w = mode === 2;
    const mV = w
      ? rng.relativisticBreitWigner(MASS.W, WIDTH.W, 40, 250)
      : rng.relativisticBreitWigner(MASS.Z, WIDTH.Z, 50, 150);
    const ps = samplePairMomentum(rng, 60);
    const mSys = Math.sqrt(ps * ps + mH * mH) + Math.sqrt(ps * ps + mV * mV);
    const vPdg = w ? (rng.uniform() < 0.574 ? PDG.W : -PDG.W) : PDG.Z;
    const ih = pushPairWithIsr(gen, rng, sqrtS, mSys, mH, PDG.h0, mV, vPdg, 1.6, 4 / 3, 0.3);
    decayHiggs(gen, rng, ih);
    if (w) decayW(gen, ih + 1, chooseWMode(rng), 2 * rng.uniform() - 1, 0, 0, 1, rng);
    else decayZAll(gen, rng, ih + 1);
  }
  decayTaus(gen, first, rng);
  return mH;
}

/** SSM Z' of pole mass M ({@link SSM}). Returns the generated mass. */
function hardZprime(gen: GenParticles, rng: SimRandom, sqrtS: number, mass: number): number {
  const m = sampleResonanceMass(rng, mass, SSM.zWidthOverMass * mass, sqrtS);
  const y = sampleLuminosityBoost(rng, m, sqrtS);
  const iz = pushSingletWithIsr(
    gen,
    rng,
    m,
    PDG.Z,
    y,
    sqrtS,
    PAIR_ISR.qScale * m,
    SSM.isrColour,
    PAIR_ISR.strength,
    SSM.isrQuarkFraction,
  );
  const first = gen.n;
  decayNeutralVector(gen, rng, iz, pickFromTable(rng, SSM.zDecays), sampleOnePlusCos2(rng));
  decayTaus(gen, first, rng);
  return m;
}

/** SSM W' of pole mass M ({@link SSM}). Returns the generated mass. */
function hardWprime(gen: GenParticles, rng: SimRandom, sqrtS: number, mass: number): number {
  const m = sampleResonanceMass(rng, mass, SSM.wWidthOverMass * mass, sqrtS);
  const y = sampleLuminosityBoost(rng, m, sqrtS);
  const plus = rng.uniform() < SSM.wPlusFraction;
  const iw = pushSingletWithIsr(
    gen,
    rng,
    m,
    plus ? PDG.W : -PDG.W,
    y,
    sqrtS,
    PAIR_ISR.qScale * m,
    SSM.isrColour,
    PAIR_ISR.strength,
    SSM.isrQuarkFraction,
  );
  const first = gen.n;
  const mode = pickIndex(rng, SSM.wDecays);
  const c = wDecayCos(rng, plus);
  const qz = wQuarkAxis(rng, y);
  if (mode <= W_MODE.cs) decayW(gen, iw, mode, c, 0, 0, qz, rng);
  else decayToTopBottom(gen, rng, iw, c * qz);
  decayTaus(gen, first, rng);
  return m;
}

/** Quark codes in the order of {@link dmWeights}. */
const DM_QUARKS = [PDG.u, PDG.d, PDG.s, PDG.c, PDG.b, PDG.t];

/** Decay widths (relative) of the DM mediator of mass M: [u, d, s, c, b, t, chi]. */
function dmWeights(mass: number): number[] {
  const dm = DM_MEDIATOR;
  const q = 3 * dm.gQ * dm.gQ;
  const w: number[] = [];
  for (const mq of [0, 0, 0, MASS.c, MASS.b, MASS.top]) {
    const r = 4 * mq * mq / (mass * mass);
    if (r >= 1) {
      w.push(0);
      continue;
    }
    const beta = Math.sqrt(1 - r);
    w.push(q * beta * (3 - beta * beta) / 2);
  }
  const rc = 4 * dm.mChi * dm.mChi / (mass * mass);
  const bc = rc < 1 ? Math.sqrt(1 - rc) : 0;
  w.push(dm.gChi * dm.gChi * bc * (3 - bc * bc) / 2);
  return w;
}

/** Total width over mass of the DM mediator ({@link DM_MEDIATOR}). */
export function dmMediatorWidthOverMass(mass: number): number {
  return dmWeights(mass).reduce((a, b) => a + b, 0) / (12 * Math.PI);
}

/** W + Z'_DM of mediator pole mass M ({@link DM_MEDIATOR}). Returns the mediator mass. */
function hardDm(gen: GenParticles, rng: SimRandom, sqrtS: number, mass: number): number {
  const w = dmWeights(mass);
  const gamma = (w.reduce((a, b) => a + b, 0) / (12 * Math.PI)) * mass;
  const mz = sampleResonanceMass(rng, mass, gamma, sqrtS);
  const mw = rng.relativisticBreitWigner(MASS.W, WIDTH.W, 40, 250);
  const ps = samplePairMomentum(rng, DM_MEDIATOR.pStarScale * (mass + MASS.W));
  const mSys = Math.sqrt(ps * ps + mz * mz) + Math.sqrt(ps * ps + mw * mw);
  const plus = rng.uniform() < 0.574;
  const iz = pushPairWithIsr(
    gen,
    rng,
    sqrtS,
    Math.min(mSys, 0.95 * sqrtS),
    mz,
    PDG.Z,
    mw,
    plus ? PDG.W : -PDG.W,
    0,
    SSM.isrColour,
    SSM.isrQuarkFraction,
  );
  const first = gen.n;
  const k = pickIndex(rng, w);
  const cos = sampleOnePlusCos2(rng);
  if (k < 6) decayNeutralVector(gen, rng, iz, DM_QUARKS[k], cos);
  else {
    // chi chi-bar (invisible; stored with the neutrino code, see the module comment).
    const m = DM_MEDIATOR.mChi;
    decayTwoBodyAxis(gen, iz, m, PDG.nuE, m, -PDG.nuE, cos, 0, 0, 1, STATUS.final, 0, rng);
  }
  decayW(gen, iz + 1, chooseWMode(rng), 2 * rng.uniform() - 1, 0, 0, 1, rng);
  decayTaus(gen, first, rng);
  return mz;
}

/** b g -> H- t (+ c.c.), H+ -> t b ({@link HPLUS}). Returns the H+ mass. */
function hardHplus(gen: GenParticles, rng: SimRandom, sqrtS: number, mass: number): number {
  const gamma = HPLUS.widthOverMass * mass;
  const mh = rng.relativisticBreitWigner(mass, gamma, mass - 5 * gamma, mass + 5 * gamma);
  const mt = topMass(rng);
  const ps = samplePairMomentum(rng, HPLUS.pStarScale * (mass + MASS.top));
  const mSys = Math.min(Math.sqrt(ps * ps + mh * mh) + Math.sqrt(ps * ps + mt * mt), 0.95 * sqrtS);
  const sgn = rng.uniform() < 0.5 ? 1 : -1; // +1: H- t, -1: H+ t-bar
  const first = gen.n;
  const ih = pushPairWithIsr(
    gen,
    rng,
    sqrtS,
    mSys,
    mh,
    -sgn * PDG.hPlus,
    mt,
    sgn * PDG.t,
    1.0,
    (3 + 4 / 3) / 2,
    0.3,
  );
  decayToTopBottom(gen, rng, ih, 2 * rng.uniform() - 1);
  decayTop(gen, ih + 1, -1, rng);
  decayTaus(gen, first, rng);
  return mh;
}

// ---------------------------------------------------------------------------------------
// Pre-filter
// ---------------------------------------------------------------------------------------

let pfPx = new Float64Array(256);
let pfPy = new Float64Array(256);
let pfPz = new Float64Array(256);
let pfE = new Float64Array(256);

/**
 * The pre-filter of the module comment on the record after the shower (partons not yet
 * hadronised). Sets {@link RMM_TRUTH}.nPartonJets; returns whether the event continues.
 */
function prefilter(gen: GenParticles, cfg: Readonly<RmmGeneratorConfig>): boolean {
  if (pfPx.length < gen.n) {
    const cap = 2 * gen.n;
    pfPx = new Float64Array(cap);
    pfPy = new Float64Array(cap);
    pfPz = new Float64Array(cap);
    pfE = new Float64Array(cap);
  }
  let n = 0;
  let lepton = false;
  const lPt = cfg.prefilterLeptonPtMin, lEta = cfg.prefilterLeptonAbsEtaMax;
  for (let i = 0; i < gen.n; i++) {
    const st = gen.status[i];
    if (st !== STATUS.final && st !== STATUS.parton) continue;
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (a === 12 || a === 14 || a === 16) continue;
    const hq = cfg.prefilterHeavyQuarks && st === STATUS.parton && (a === 4 || a === 5);
    if (!lepton && (a === 11 || a === 13 || hq)) {
      const pt = gen.pt(i);
      if (pt > lPt && Math.abs(gen.eta(i)) < (a <= 5 ? cfg.prefilterJetAbsEtaMax : lEta)) {
        lepton = true;
      }
    }
    pfPx[n] = gen.px[i];
    pfPy[n] = gen.py[i];
    pfPz[n] = gen.pz[i];
    pfE[n] = gen.e[i];
    n++;
  }
  const jets = clusterAntiKt(pfPx, pfPy, pfPz, pfE, n, { R: 0.4, ptMin: cfg.prefilterJetPtMin });
  let nj = 0;
  for (let j = 0; j < jets.n; j++) {
    if (jets.pt[j] > cfg.prefilterJetPtMin && Math.abs(jets.eta[j]) < cfg.prefilterJetAbsEtaMax) {
      nj++;
    }
  }
  RMM_TRUTH.nPartonJets = nj;
  return nj >= 3 || (nj >= 2 && lepton);
}

// ---------------------------------------------------------------------------------------
// The event
// ---------------------------------------------------------------------------------------

function checkProcess(p: RmmProcess, cfg: Readonly<RmmGeneratorConfig>): void {
  if (!(cfg.sqrtS > 100) || !Number.isFinite(cfg.sqrtS)) {
    throw new RangeError(`generateRmmEvent: sqrtS = ${cfg.sqrtS} GeV`);
  }
  if (!(cfg.meanPileup >= 0) || !Number.isFinite(cfg.meanPileup)) {
    throw new RangeError(`generateRmmEvent: meanPileup = ${cfg.meanPileup}`);
  }
  switch (p.kind) {
    case "QCD":
      if (p.hardB !== undefined && p.ptHatMin === undefined) {
        throw new RangeError("generateRmmEvent: hardB needs a ptHatMin (a slice)");
      }
      if (p.ptHatMin !== undefined) {
        const c = p.ptHatMin;
        if (!(Number.isInteger(c) && c >= QCD.ptHatMin && 2 * c < cfg.sqrtS)) {
          throw new RangeError(
            `generateRmmEvent: QCD ptHatMin ${c} GeV: an integer in [${QCD.ptHatMin}, sqrt(s)/2)`,
          );
        }
      }
      return;
    case "W":
    case "Z":
    case "H":
    case "ttbar":
      if ("ptHatMin" in p && (p.ptHatMin !== undefined || p.hardB !== undefined)) {
        throw new RangeError(`generateRmmEvent: ptHatMin / hardB are for QCD only`);
      }
      return;
    case "Zprime":
    case "Wprime":
    case "DM":
    case "Hplus": {
      const [lo, hi] = RMM_BSM_MASS_RANGE;
      if (!(p.mass >= lo && p.mass <= hi && p.mass < 0.6 * cfg.sqrtS)) {
        throw new RangeError(
          `generateRmmEvent: ${p.kind} mass ${p.mass} GeV outside [${lo}, ${hi}] GeV`,
        );
      }
      return;
    }
    default:
      throw new RangeError(`generateRmmEvent: unknown process ${JSON.stringify(p)}`);
  }
}

/**
 * Generate one SIMULATED event of `proc` into `out` (PF candidates and truth, reset here),
 * drawing all randomness from `callerRng`. Returns false when the pre-filter rejected the
 * attempt (then `out.pf` is empty, `out.truth.passedGeneratorFilter` is false and no detector
 * simulation was run), true when the event was simulated in full. One call is one unbiased
 * attempt (`out.truth.generatorTrials` = 1); `out.truth.hardScale` and {@link RMM_TRUTH} hold
 * the hard mass.
 */
export function generateRmmEvent(
  proc: RmmProcess,
  callerRng: Rng,
  out: SimEvent,
  cfg: Readonly<RmmGeneratorConfig> = RMM13_GENERATOR,
): boolean {
  checkProcess(proc, cfg);
  // The 1 rad convention of lib/sim 3 (lib/sim/shower.ts BeamShowerAngle): the QCD
  // three-jet rate of this stream's tune rests on it.
  setBeamShowerAngle("fixed");
  FAST.reseed(callerRng);
  const rng = FAST;
  const gen = GEN;
  const sqrtS = cfg.sqrtS;
  gen.reset();
  let hard: number;
  switch (proc.kind) {
    case "QCD":
      hard = hardQcd(gen, rng, sqrtS, proc.ptHatMin, proc.hardB === true);
      break;
    case "W":
      hard = hardWAll(gen, rng, sqrtS);
      break;
    case "Z":
      hard = hardZAll(gen, rng, sqrtS);
      break;
    case "H":
      hard = hardHiggs(gen, rng, sqrtS);
      break;
    case "ttbar":
      hard = hardTTbar(gen, rng, sqrtS);
      break;
    case "Zprime":
      hard = hardZprime(gen, rng, sqrtS, proc.mass);
      break;
    case "Wprime":
      hard = hardWprime(gen, rng, sqrtS, proc.mass);
      break;
    case "DM":
      hard = hardDm(gen, rng, sqrtS, proc.mass);
      break;
    case "Hplus":
      hard = hardHplus(gen, rng, sqrtS, proc.mass);
      break;
  }
  // The pre-filter needs the shower: wide-angle emissions off forward partons make much of
  // the third jet of QCD events (a cut on the hard process alone would lose ~13 % of them).
  shower(gen, 0, rng);
  const pass = !cfg.prefilter || prefilter(gen, cfg);
  if (proc.kind !== "QCD") RMM_TRUTH.qcdHardB = false;
  RMM_TRUTH.hardMass = hard;
  RMM_TRUTH.prefilterPassed = pass;
  const t = out.truth;
  out.pf.reset();
  resetTruth(t);
  t.process = rmmProcessLabel(proc);
  t.generatorTrials = 1;
  t.weight = 1;
  t.hardScale = hard;
  t.passedGeneratorFilter = pass;
  if (!pass) return false;
  // Hadronise the showered partons (theta_max = 0 now: no further branching).
  showerAndHadronize(gen, 0, rng);
  decayShortLived(gen, 0, rng);
  restoreResonanceMomenta(gen);
  t.leadingGenLeptonPt = leadingLeptonPt(gen);
  fillTruthLists(gen, out);
  t.nPileup = rng.poisson(cfg.meanPileup);
  detectorResponse(gen, out.pf, rng, RMM_DETECTOR);
  t.invisiblePx = INVISIBLE.px;
  t.invisiblePy = INVISIBLE.py;
  addUnderlyingEventAndPileup(out.pf, rng, t.nPileup, sqrtS);
  t.detectorSimulated = true;
  return true;
}

/** Parse a process label ({@link rmmProcessLabel}) back into a process. */
export function parseRmmProcess(label: string): RmmProcess {
  if ((RMM_SM_PROCESSES as readonly string[]).includes(label)) {
    return { kind: label as RmmSmProcess };
  }
  const q = /^QCD_ptHat([0-9]+)(_b)?$/.exec(label);
  if (q !== null) {
    const ptHatMin = Number(q[1]);
    if (!(ptHatMin >= QCD.ptHatMin && 2 * ptHatMin < RMM13_GENERATOR.sqrtS)) {
      throw new RangeError(
        `RMM process "${label}": pT-hat edge outside [${QCD.ptHatMin}, 6500) GeV`,
      );
    }
    return q[2] === undefined ? { kind: "QCD", ptHatMin } : { kind: "QCD", ptHatMin, hardB: true };
  }
  const m = /^(Zprime|Wprime|DM|Hplus)_([0-9]+(?:\.[0-9]+)?)TeV$/.exec(label);
  if (m === null) {
    throw new RangeError(
      `unknown RMM process "${label}"; expected one of ${RMM_SM_PROCESSES.join(", ")}, ` +
        "QCD_ptHat<GeV>[_b] or <Zprime|Wprime|DM|Hplus>_<mass>TeV",
    );
  }
  const mass = Math.round(Number(m[2]) * 1e6) / 1e3;
  const [lo, hi] = RMM_BSM_MASS_RANGE;
  if (!(mass >= lo && mass <= hi)) {
    throw new RangeError(`RMM process "${label}": mass outside [${lo / 1000}, ${hi / 1000}] TeV`);
  }
  return { kind: m[1] as RmmBsmModel, mass };
}
