/**
 * The event generator of the built-in simulation: one call makes one SIMULATED event of a
 * named process, from the hard process to particle-flow candidates. (The papers used
 * PYTHIA 8 + DELPHES, which cannot be run here; this is a fast, seeded, parametrised
 * stand-in, validated against PHYSICS.md and paper 1 Table 1 in tests/lib/sim/.)
 *
 * Chain: hard process (lib/sim/hardProcess.ts: line shapes, production kinematics, decays of
 * W, Z, top, tau, BSM states) -> parton shower (lib/sim/shower.ts) -> hadronisation and
 * heavy-flavour hadron decays (lib/sim/hadronization.ts, lib/sim/decays.ts) -> restoration
 * of resonance four-momenta (lib/sim/reshuffle.ts) -> generator filter -> detector response
 * of the hard event (lib/sim/detector.ts) -> underlying event and pileup, generated directly
 * as PF candidates (lib/sim/softQcd.ts).
 *
 * What the simulation models: resonance masses and widths, V-A / 1 + cos^2 lepton angles and
 * the W Jacobian peak, W/Z pT recoiling against ISR jets, top decays with W helicities,
 * leptonic and hadronic (1- and 3-prong) tau decays, an angular-ordered shower with running
 * alpha_s (jet masses, multiplicities growing with energy, gluon jets 1.5-1.8x quark jets,
 * 2-/3-prong substructure of boosted W/top with the right jet masses), hadron species with
 * CMS-like PF energy fractions (63 % charged, 26 % photons, 11 % neutral hadrons), b/c
 * hadrons with Peterson fragmentation and semileptonic V-A decays (non-isolated leptons
 * inside jets), Poisson pileup with negative-binomial soft multiplicities, CMS-like tracking
 * and calorimetry with thresholds, lepton identification and fakes.
 * What it does not model: matrix elements and PDFs (production spectra are parametrised
 * shapes), initial-state showers (ISR of W/Z/scalars and QCD is one or two partons balancing
 * a parametrised recoil; heavy pairs (ttbar, LQ, h+ t) recoil against a pT-ordered
 * double-log emission cascade, lib/sim/hardProcess.ts PAIR_ISR), colour connections
 * between jets (independent fragmentation; energy is conserved per parton, four-momentum
 * exactly only for each decayed resonance), multiple parton interactions beyond a soft UE,
 * resonances in hadronisation, g -> b b-bar in the shower, photon conversions and
 * bremsstrahlung, calorimeter towers and the forward calorimeter, tau polarisation, spin
 * correlations between decays, displaced vertices.
 *
 * Generator filter (paper 1 section 3: "an electron, muon, or tau lepton with pT > 22 GeV"):
 * we require a generator-level ELECTRON OR MUON of any origin (prompt, from a tau decay, from
 * a heavy-flavour decay) with pT > 22 GeV, no eta requirement, i.e. taus count through their
 * leptonic decays. This reading reproduces paper 1 Table 1 (W 55.6 %, tt 37 %, h0 -> tau tau
 * 9 %); counting the tau itself would give W ~78 % and h0 ~60 %.
 *
 * Measured with SIM_VERSION "lib/sim 3" (seeded samples of 10000 selected events, pileup 20,
 * reconstruction and selection of lib/reco; paper 1 Table 1 in brackets; "lib/sim 4" changed
 * only the 8 TeV single-muon stream, see lib/sim/shower.ts `BeamShowerAngle`), acceptance /
 * trigger efficiency: W 52 % (55.6) / 70 % (68); QCD 0.092 % (0.08)
 * / 8.9 % (9.6); Z 22 % (16) / 76 % (77); tt 40 % (37) / 60 % (49); A -> 4l 16 % (5) / 58 %
 * (98); LQ 18 % (19) / 56 % (62); h0 -> tau tau 7.6 % (9) / 65 % (70); h+ -> tau nu 18 %
 * (18) / 66 % (69). (lib/sim 2, before the BSM production below: A -> 4l 19 / 57 %, LQ
 * 17 / 58 %, h0 4.1 / 58 %, h+ 29 / 67 %; SM unchanged.) The trigger efficiencies of QCD
 * and tt depend mostly on the lepton identification isolation of lib/reco/leptons.ts (tuned
 * there). The BSM samples follow "any direct production mechanism implemented in PYTHIA8"
 * (paper 1 section 3) for PYTHIA's particles of those names (lib/sim/hardProcess.ts): h0
 * (PDG 25) is the SM Higgs at 60 GeV with its gluon-fusion, VBF, W h and Z h production
 * (LO shares estimated, not tuned), A (A0, PDG 36, CP-odd: no tree-level coupling to W/Z
 * pairs, so gluon fusion only) decays to Z* Z* with PYTHIA's mass weights and Z0 mMin,
 * the LQ is mostly pair-produced (QCD), and h+ comes from b g -> h+ t and c s-bar -> h+
 * (the one share TUNED to the 18 % acceptance).
 *
 * A -> 4l cannot reach both of the paper's numbers, 5 % acceptance with 98 % trigger
 * efficiency (total 5 %; ours 16 % x 58 % = 9.4 %):
 * - 98 % is out of reach for any production spectrum with this filter (an e or mu of any
 *   eta with pT > 22 GeV): a gluon-fusion scalar has the broad rapidity of a W (sigma ~2),
 *   so ~21 % of the leading filter leptons have |eta| > 2.5 (W: 21 %, and W's 70 % trigger
 *   efficiency matches the paper's 68 %), and with a steeply falling A pT spectrum 43 % of
 *   the filter leptons lie at 22-25 GeV, where the 23 GeV trigger threshold and the lepton
 *   resolution lose many. 98 % would need a filter with an eta requirement and A's all
 *   boosted well beyond threshold, i.e. a spectrum without the soft A's that any ISR
 *   spectrum has.
 * - 5 %: with PYTHIA's Z* masses an A at rest almost never gives a 22 GeV lepton (2 %
 *   acceptance for pT(A) < 5 GeV), but the acceptance reaches 16 % at pT(A) = 10-20 GeV and
 *   37 % at 20-30 GeV, so 5 % needs a pT(A) spectrum softer than Drell-Yan's, whereas the
 *   h0 of nearly the same mass and production needs the opposite (its gluon-fusion events
 *   pass only 4-5 %). We keep one gluon-fusion spectrum for both (lib/sim/hardProcess.ts
 *   GGF_PT) rather than tuning them apart.
 *
 * Bookkeeping: with the filter on (default), `generateEvent` repeats attempts until one
 * passes and records in `truth.generatorTrials` how many unbiased attempts the event stands
 * for, so the acceptance of a sample is N / sum(generatorTrials). Attempts failing the filter
 * stop before the shower when no coloured heavy quark could still produce a lepton, and
 * otherwise after showering the heavy-quark lines and decaying only the heavy-flavour
 * hadrons, so they cost little. QCD is importance-sampled: only events with a heavy-flavour
 * parton can give a lepton (there are no other lepton sources in QCD here), so we draw the
 * flavour from the heavy-flavour categories only (probability QCD_P_HF = 12 % of all QCD
 * events) and count each attempt as 1 / QCD_P_HF unbiased attempts; before the kinematics
 * we also draw the decay modes of the heavy hadrons and reject attempts without any leptonic
 * mode at once. This is exact (the accepted events follow the conditional distribution), not
 * a weighting: all events have weight 1.
 *
 * Determinism: each call seeds an event-local FastRng (lib/sim/random.ts) with four draws of
 * the `rng` passed in and uses nothing else, so the same Rng state gives the identical event
 * (no Math.random, no hidden state). Buffers: the generator-level record is a module-level
 * scratch buffer (one per worker/isolate); `out` is filled in place.
 */
import { azimuthalBand, inAzimuthalBand } from "../physics/azimuthalBand.ts";
import type { Rng } from "../random/rng.ts";
import { type PfCandidates, resetTruth, type SimEvent, type TruthSummary } from "./event.ts";
import {
  B_MODE,
  C_MODE,
  chooseBMode,
  chooseCMode,
  clearHfPlan,
  decayShortLived,
  HF_PLAN,
} from "./decays.ts";
import { detectorResponse, INVISIBLE } from "./detector.ts";
import {
  hardAto4l,
  hardH0ToTauTau,
  hardHChargedToTauNu,
  hardLeptoquark,
  hardTTbar,
  hardW,
  hardZ,
  pushQcdIsr,
  pushQcdParton,
  QCD_EVENT,
  QCD_P_HF,
  sampleQcdFlavours,
  sampleQcdKinematics,
} from "./hardProcess.ts";
import { GenParticles, ORIGIN, STATUS } from "./particles.ts";
import { FastRng, type SimRandom } from "./random.ts";
import { hadronizeHeavyQuarkOnly } from "./hadronization.ts";
import { restoreResonanceMomenta } from "./reshuffle.ts";
import {
  type BeamShowerAngle,
  setBeamShowerAngle,
  showerAndHadronize,
  showerLine,
} from "./shower.ts";
import { addUnderlyingEventAndPileup } from "./softQcd.ts";

/** The processes of the 13 TeV single-lepton stream (paper 1 sample names). */
export type ProcessName =
  | "W"
  | "QCD"
  | "Z"
  | "ttbar"
  | "Ato4l"
  | "leptoquark"
  | "hToTauTau"
  | "hChToTauNu";

/** All process names, in paper 1 order. */
export const PROCESS_NAMES: readonly ProcessName[] = [
  "W",
  "QCD",
  "Z",
  "ttbar",
  "Ato4l",
  "leptoquark",
  "hToTauTau",
  "hChToTauNu",
];

/** Version tag of the simulation: bump when generated events change (cache keys). */
export const SIM_VERSION = "lib/sim 4";

/** Generator settings. */
export interface GeneratorConfig {
  /** Centre-of-mass energy (GeV), 13000 for paper 1. */
  sqrtS: number;
  /** Mean number of pileup interactions (Poisson), 20 for paper 1. */
  meanPileup: number;
  /** Parameter set; only "default" (or undefined) exists. */
  tune?: string;
  /**
   * Apply the generator filter (default true): repeat attempts until one passes, and record
   * the number of attempts in `truth.generatorTrials`. With false, one unfiltered attempt is
   * made (QCD then is plain, not heavy-flavour enriched) and `passedGeneratorFilter` tells.
   */
  applyGeneratorFilter?: boolean;
  /** Filter threshold on the electron/muon pT (GeV); paper 1: 22. */
  filterLeptonPtMin?: number;
  /**
   * Opt-in speed-up for single-lepton-triggered samples (default false): when no
   * generator-level electron/muon (nor a charged hadron that could fake one) could pass
   * pT > `untriggerablePtMin` with an isolation from the hard event alone below
   * `untriggerableIsoMax`, the detector, underlying event and pileup are skipped, `pf` is
   * left empty and `truth.detectorSimulated` is false. Such an event cannot pass the paper-1
   * trigger (pT > 23 GeV, Iso < 0.45; pileup and UE only add to the isolation), so the
   * selected sample is unchanged up to resolution effects beyond the margins.
   */
  skipUntriggerable?: boolean;
  /** Lepton pT margin of {@link skipUntriggerable} (GeV, default 20 = 23 - 3 sigma-ish). */
  untriggerablePtMin?: number;
  /** Isolation margin of {@link skipUntriggerable} (default 0.6 = 0.45 + resolution margin). */
  untriggerableIsoMax?: number;
  /**
   * First opening angle of beam-connected partons (lib/sim/shower.ts `BeamShowerAngle`):
   * default "fixed" (1 rad, the convention the 13 TeV tunes rest on); the 8 TeV single-muon
   * stream uses "beam".
   */
  beamShowerAngle?: BeamShowerAngle;
}

/**
 * Optional test of the caller on the detector-level candidates of the HARD event, before the
 * underlying event and pileup are added: true when the caller's selection cannot accept the
 * event whatever soft particles are added (e.g. lib/reco/triggerPrecheck.ts
 * hardEventFailsTrigger). The event then stops there with `pf` empty and
 * `truth.detectorSimulated` false. Since the soft component is drawn last, the events that go
 * on are identical with or without a veto.
 */
export type HardEventVeto = (pf: PfCandidates) => boolean;

/** Maximal attempts of one call before giving up (the QCD acceptance is ~1e-3). */
export const MAX_TRIALS = 10_000_000;

/** Generator-level record shared by the calls in this worker. */
const GEN = new GenParticles(1024);
/** The event's random stream, reseeded from the caller's Rng at each call. */
const FAST = new FastRng();

/** The generator-level record of the last event (read-only use: tests, validation). */
export function lastGenParticles(): GenParticles {
  return GEN;
}

type HardGenerator = (gen: GenParticles, rng: SimRandom, sqrtS: number) => number;

const HARD: Record<Exclude<ProcessName, "QCD">, HardGenerator> = {
  W: hardW,
  Z: hardZ,
  ttbar: hardTTbar,
  Ato4l: hardAto4l,
  leptoquark: hardLeptoquark,
  hToTauTau: hardH0ToTauTau,
  hChToTauNu: hardHChargedToTauNu,
};

/** Highest pT (GeV) of a final-state electron or muon in `gen` (0 when none). */
export function leadingLeptonPt(gen: GenParticles): number {
  let best = 0;
  for (let i = 0; i < gen.n; i++) {
    if (gen.status[i] !== STATUS.final) continue;
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (a !== 11 && a !== 13) continue;
    const pt = gen.px[i] * gen.px[i] + gen.py[i] * gen.py[i];
    if (pt > best) best = pt;
  }
  return Math.sqrt(best);
}

/**
 * Shower the line of every heavy quark waiting for the shower and make (and decay) its
 * heavy-flavour hadron, leaving the radiated gluons and the light remainders as partons for
 * a later showerAndHadronize (same physics, different order of work).
 */
function hadronizeHeavyQuarks(gen: GenParticles, rng: SimRandom): void {
  for (let i = 0, n = gen.n; i < n; i++) {
    if (gen.status[i] !== STATUS.parton) continue;
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (a !== 4 && a !== 5) continue;
    // A heavy quark already at the end of its line has theta_max = 0 and stays put.
    hadronizeHeavyQuarkOnly(gen, showerLine(gen, i, rng), rng);
  }
}

/** True when `gen` holds a b or c quark waiting for the shower. */
function hasHeavyPartons(gen: GenParticles): boolean {
  for (let i = 0; i < gen.n; i++) {
    if (gen.status[i] !== STATUS.parton) continue;
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (a === 4 || a === 5) return true;
  }
  return false;
}

function checkConfig(process: string, cfg: GeneratorConfig): void {
  if (!(cfg.sqrtS > 100) || !Number.isFinite(cfg.sqrtS)) {
    throw new RangeError(`generateEvent: sqrtS = ${cfg.sqrtS} GeV (expected e.g. 13000)`);
  }
  if (!(cfg.meanPileup >= 0) || !Number.isFinite(cfg.meanPileup)) {
    throw new RangeError(`generateEvent: meanPileup = ${cfg.meanPileup} (expected >= 0)`);
  }
  if (cfg.tune !== undefined && cfg.tune !== "default") {
    throw new RangeError(`generateEvent: unknown tune "${cfg.tune}" (only "default")`);
  }
  if (process !== "QCD" && !(process in HARD)) {
    throw new RangeError(
      `generateEvent: unknown process "${process}"; known: ${PROCESS_NAMES.join(", ")}`,
    );
  }
}

/**
 * Generate one event of `process` into `out` (pf candidates and truth, both reset here),
 * drawing all randomness from `rng`. See the module comment for the filter and the
 * bookkeeping (`out.truth.generatorTrials`).
 */
export function generateEvent(
  process: ProcessName,
  callerRng: Rng,
  out: SimEvent,
  cfg: GeneratorConfig,
  hardEventVeto?: HardEventVeto,
): void {
  checkConfig(process, cfg);
  setBeamShowerAngle(cfg.beamShowerAngle ?? "fixed");
  FAST.reseed(callerRng);
  const rng = FAST;
  const applyFilter = cfg.applyGeneratorFilter !== false;
  const ptMin = cfg.filterLeptonPtMin ?? 22;
  const sqrtS = cfg.sqrtS;
  const gen = GEN;
  let trials = 0;
  let sampling = 1;
  let lead = 0;
  let scale = 0;
  if (process === "QCD") {
    if (!applyFilter) {
      trials = 1;
      gen.reset();
      clearHfPlan();
      sampleQcdFlavours(rng, false);
      sampleQcdKinematics(rng, sqrtS);
      pushQcdParton(gen, 0);
      pushQcdParton(gen, 1);
      pushQcdIsr(gen, rng);
      showerAndHadronize(gen, 0, rng);
      decayShortLived(gen, 0, rng);
      lead = leadingLeptonPt(gen);
    } else {
      let k = 0;
      for (;;) {
        if (++k > MAX_TRIALS) {
          throw new Error(`generateEvent(QCD): no event after ${MAX_TRIALS} attempts`);
        }
        gen.reset();
        clearHfPlan();
        sampleQcdFlavours(rng, true);
        if (!planHeavyFlavourDecays(rng)) continue;
        sampleQcdKinematics(rng, sqrtS);
        pushQcdParton(gen, 0);
        const a4 = QCD_EVENT.pdg4 < 0 ? -QCD_EVENT.pdg4 : QCD_EVENT.pdg4;
        const hf4 = a4 === 4 || a4 === 5;
        if (hf4) pushQcdParton(gen, 1);
        // Shower the heavy-flavour partons, make and decay only the heavy-flavour hadrons, and
        // test the filter before spending time on the rest of the event (same physics as the
        // normal path: the remainders are fragmented below).
        hadronizeHeavyQuarks(gen, rng);
        lead = leadingLeptonPt(gen);
        if (lead <= ptMin) continue;
        if (!hf4) pushQcdParton(gen, 1);
        pushQcdIsr(gen, rng);
        // Hadronises the light partons left by the first shower (theta_max = 0, so they
        // cannot branch again) and showers the new ones.
        showerAndHadronize(gen, 0, rng);
        decayShortLived(gen, 0, rng);
        break;
      }
      clearHfPlan();
      trials = k / QCD_P_HF;
      sampling = QCD_P_HF;
    }
    scale = QCD_EVENT.ptHat;
  } else {
    const hard = HARD[process];
    for (;;) {
      if (++trials > MAX_TRIALS) {
        throw new Error(`generateEvent(${process}): no event after ${MAX_TRIALS} attempts`);
      }
      gen.reset();
      clearHfPlan();
      scale = hard(gen, rng, sqrtS);
      lead = leadingLeptonPt(gen);
      if (applyFilter && lead <= ptMin) {
        // Only heavy-flavour decays can still supply the lepton: shower, make the heavy
        // hadrons, and test before fragmenting the rest (as for QCD below).
        if (!hasHeavyPartons(gen)) continue;
        hadronizeHeavyQuarks(gen, rng);
        lead = leadingLeptonPt(gen);
        if (lead <= ptMin) continue;
      }
      showerAndHadronize(gen, 0, rng);
      decayShortLived(gen, 0, rng);
      restoreResonanceMomenta(gen);
      if (lead <= ptMin) lead = leadingLeptonPt(gen);
      if (!applyFilter || lead > ptMin) break;
    }
  }
  const t = out.truth;
  const pf = out.pf;
  pf.reset();
  resetTruth(t);
  t.process = process;
  t.generatorTrials = trials;
  t.generatorSamplingProbability = sampling;
  t.weight = 1;
  t.leadingGenLeptonPt = lead;
  t.hardScale = scale;
  t.passedGeneratorFilter = lead > ptMin;
  fillTruthLists(gen, out);
  t.nPileup = rng.poisson(cfg.meanPileup);
  if (
    cfg.skipUntriggerable === true &&
    !couldTrigger(gen, cfg.untriggerablePtMin ?? 20, cfg.untriggerableIsoMax ?? 0.6)
  ) {
    // Neutrinos still give the invisible pT.
    setInvisibleFromNeutrinos(gen, t);
    t.detectorSimulated = false;
    return;
  }
  detectorResponse(gen, pf, rng);
  t.invisiblePx = INVISIBLE.px;
  t.invisiblePy = INVISIBLE.py;
  if (hardEventVeto !== undefined && hardEventVeto(pf)) {
    // The caller's selection cannot accept this event whatever the soft particles: stop
    // here (the soft component draws last, so the events that go on are unchanged).
    pf.reset();
    t.detectorSimulated = false;
    return;
  }
  addUnderlyingEventAndPileup(pf, rng, t.nPileup, sqrtS);
  t.detectorSimulated = true;
}

/**
 * Set the truth's invisible transverse momentum (GeV) to the sum over the final neutrinos of
 * `gen`: used when an event stops before the detector, which otherwise provides it.
 */
export function setInvisibleFromNeutrinos(gen: GenParticles, t: TruthSummary): void {
  let ix = 0, iy = 0;
  for (let i = 0; i < gen.n; i++) {
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (gen.status[i] === STATUS.final && (a === 12 || a === 14 || a === 16)) {
      ix += gen.px[i];
      iy += gen.py[i];
    }
  }
  t.invisiblePx = ix;
  t.invisiblePy = iy;
}

/**
 * Draw the decay modes of the heavy-flavour hadrons of the QCD event in {@link QCD_EVENT}
 * (b: B mode then the cascade c mode; c: c mode) into the decay plan, in the order the
 * shower will hadronise them. Returns false when no mode gives a charged lepton (the
 * attempt cannot pass the filter).
 */
function planHeavyFlavourDecays(rng: SimRandom): boolean {
  clearHfPlan();
  let capable = false;
  for (let j = 0; j < 2; j++) {
    const pdg = j === 0 ? QCD_EVENT.pdg3 : QCD_EVENT.pdg4;
    const a = pdg < 0 ? -pdg : pdg;
    if (a === 5) {
      const mb = chooseBMode(rng);
      const mc = chooseCMode(rng);
      HF_PLAN.modes[HF_PLAN.n++] = mb;
      HF_PLAN.modes[HF_PLAN.n++] = mc;
      if (mb !== B_MODE.had || mc !== C_MODE.had) capable = true;
    } else if (a === 4) {
      const mc = chooseCMode(rng);
      HF_PLAN.modes[HF_PLAN.n++] = mc;
      if (mc !== C_MODE.had) capable = true;
    }
  }
  return capable;
}

/**
 * Fill the truth's heavy-flavour hadrons and prompt leptons from the record (shared with
 * lib/sim/vJets.ts and lib/sim/rmmStream.ts).
 */
export function fillTruthLists(gen: GenParticles, out: SimEvent): void {
  const t = out.truth;
  const capHf = t.hfEta.length, capLep = t.lepPdg.length;
  for (let i = 0; i < gen.n; i++) {
    const pdg = gen.pdg[i];
    const a = pdg < 0 ? -pdg : pdg;
    if (a === 521 || a === 421) {
      if (t.nHf < capHf) {
        const k = t.nHf++;
        t.hfPt[k] = gen.pt(i);
        t.hfEta[k] = gen.eta(i);
        t.hfPhi[k] = gen.phi(i);
        t.hfFlavour[k] = a === 521 ? 5 : 4;
      }
    } else if ((a === 11 || a === 13 || a === 15) && (gen.origin[i] & ORIGIN.prompt) !== 0) {
      if (t.nLep < capLep) {
        const k = t.nLep++;
        t.lepPdg[k] = pdg;
        t.lepPt[k] = gen.pt(i);
        t.lepEta[k] = gen.eta(i);
        t.lepPhi[k] = gen.phi(i);
      }
    }
  }
}

const ISO_R2 = 0.3 * 0.3;
let isoEta = new Float64Array(512);
let isoPhi = new Float64Array(512);
let isoPt = new Float64Array(512);
let isoLep = new Uint8Array(512);
let isoIdx = new Int32Array(512);

/**
 * Could this event pass the single-lepton trigger? True when some final electron/muon, or a
 * charged hadron (fake), has pT > ptMin and a hard-event isolation (sum pT of visible final
 * particles other than electrons and muons with pT > 0.5 GeV within dR < 0.3, over its pT)
 * below isoMax.
 */
function couldTrigger(gen: GenParticles, ptMin: number, isoMax: number): boolean {
  if (isoEta.length < gen.n) {
    isoEta = new Float64Array(2 * gen.n);
    isoPhi = new Float64Array(2 * gen.n);
    isoPt = new Float64Array(2 * gen.n);
    isoLep = new Uint8Array(2 * gen.n);
    isoIdx = new Int32Array(2 * gen.n);
  }
  // Visible final particles above 0.5 GeV, with their pT. (eta, phi) are computed (NaN until
  // then) for the candidates here and, below, only for particles within the azimuthal band
  // of a candidate's cone (lib/physics/azimuthalBand.ts: a test on px, py), which are the
  // only ones the cone test can accept: same sums, without an asinh and an atan2 each.
  let m = 0;
  let anyCandidate = false;
  for (let i = 0; i < gen.n; i++) {
    if (gen.status[i] !== STATUS.final) continue;
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (a === 12 || a === 14 || a === 16) continue;
    const pt = gen.pt(i);
    if (pt < 0.5) continue;
    isoIdx[m] = i;
    const lep = a === 11 || a === 13;
    isoPt[m] = lep || a === 211 || a === 321 || a === 2212 ? pt : -pt;
    isoLep[m] = lep ? 1 : 0;
    isoEta[m] = NaN;
    if (isoPt[m] > ptMin) {
      isoEta[m] = gen.eta(i);
      isoPhi[m] = gen.phi(i);
      if (Math.abs(isoEta[m]) < 2.5) anyCandidate = true;
    }
    m++;
  }
  if (!anyCandidate) return false;
  const { px, py } = gen;
  for (let c = 0; c < m; c++) {
    const pt = isoPt[c];
    if (!(pt > ptMin) || Math.abs(isoEta[c]) >= 2.5) continue; // negative: not chargeable
    const eta = isoEta[c], phi = isoPhi[c];
    const lx = px[isoIdx[c]], ly = py[isoIdx[c]];
    const band = azimuthalBand(0.3, pt);
    let sum = 0;
    for (let j = 0; j < m; j++) {
      // Electrons and muons are not in the isolation sums (lib/reco/leptons.ts).
      if (j === c || isoLep[j] !== 0) continue;
      const ij = isoIdx[j];
      const x = px[ij], y = py[ij];
      if (!inAzimuthalBand(x, y, x * x + y * y, lx, ly, band)) continue;
      if (isoEta[j] !== isoEta[j]) {
        isoEta[j] = gen.eta(ij);
        isoPhi[j] = gen.phi(ij);
      }
      const de = isoEta[j] - eta;
      if (de > 0.3 || de < -0.3) continue;
      let dp = isoPhi[j] - phi;
      if (dp > Math.PI) dp -= 2 * Math.PI;
      else if (dp < -Math.PI) dp += 2 * Math.PI;
      if (de * de + dp * dp < ISO_R2) sum += isoPt[j] < 0 ? -isoPt[j] : isoPt[j];
    }
    if (sum < isoMax * pt) return true;
  }
  return false;
}
