/**
 * W + jets and Z/gamma* + jets production for the 8 TeV single-muon stream of paper 3
 * (Knapp et al., EPJ Plus 136 (2021) 236, section 4 and appendix A: the CMS W+jets and
 * Z/gamma*+jets MadGraph samples in exclusive jet bins). SIMULATED, parametrised, not a
 * matrix-element generator.
 *
 * Why a separate generator: the inclusive W / Z of lib/sim/hardProcess.ts balance the boson
 * pT with one or two soft initial-state partons, which is right for the inclusive
 * single-lepton stream of paper 1 but makes events with two or more jets of pT > 30 GeV
 * rare and their multiplicity shape arbitrary (measured at 8 TeV with lib/reco: ~5 % of
 * triggered W events with >= 1 jet, 1.3 % with >= 2). Paper 3 selects >= 2 jets and studies
 * HT, MJ, NJ, Nb (its figs. 6-9), so the jet multiplicity of W/Z + jets must be modelled.
 *
 * Model ("staircase" or Berends-Giele scaling of V + n jets, Berends et al., Nucl. Phys. B357
 * (1991) 32; measured by CMS, PLB 741 (2015) 12 at 7 TeV and PRD 95 (2017) 052002 at 8 TeV,
 * with sigma(n + 1 jets) / sigma(n jets) ~ 0.2-0.25 for jets of pT > 30 GeV, |eta| < 2.4):
 * - the number n of hard initial-state partons with pT > {@link VJetsParams.ptGen} is 0 with
 *   probability 1 - pFirst, and P(n >= k + 1 | n >= k) = berendsRatio for k >= 1 (an
 *   alpha_s-like suppression per extra jet), at most maxPartons;
 * - each hard parton has pT drawn from pT^-ptPower (1 - xT)^highXPower above ptGen
 *   (xT = 2 pT / sqrt(s)), a rapidity y(V) + N(0, yJetSigma) and a uniform azimuth; it is a
 *   light quark with probability quarkFraction (q g -> V q dominates V + jet at the LHC),
 *   with a charm share for W (s g -> W c) and charm / bottom shares for Z (c g, b g -> Z Q),
 *   else a gluon; all get theta_max = their angle to the beam (at most 1 rad; the "beam"
 *   convention of lib/sim/shower.ts `BeamShowerAngle`, the default here) for the
 *   final-state shower;
 * - below ptGen, the unresolved radiation is the existing soft recoil spectrum
 *   ({@link DY_PT}, truncated at ptGen) carried by one soft parton, as in lib/sim;
 * - the boson recoils against the vector sum of all partons (so its pT grows with the jets);
 *   rapidity Gaussian with width yBosonSigma; mass, decay angles and tau decays as the
 *   inclusive generators of lib/sim/hardProcess.ts (W: relativistic Breit-Wigner, V-A;
 *   Z/gamma*: m(ll) > 50 GeV as the CMS DYJetsToLL_M-50 samples, 1 + cos^2 theta).
 * The parameters are TUNED (see {@link VJETS_DEFAULTS}) so that, after the paper-3
 * reconstruction (lib/reco/openDataReco.ts, anti-kT R = 0.5 jets away from the leptons) at
 * 8 TeV and pileup 20, ~10 % of W -> mu nu events with a selected muon (pT > 23 GeV,
 * |eta| < 1.4, Iso < 0.1) have >= 1 jet of pT > 30 GeV and |eta| < 2.4 and the multiplicity
 * ratios are ~0.2-0.25, the CMS measurements quoted above (order of magnitude). Measured
 * with this version (`deno run -A tests/bench/vjets_multiplicity.ts`, 30000 generated events
 * each, ratio errors ~0.015): W 10.4 % with >= 1 jet, ratios >=2/>=1 = 0.23, >=3/>=2 = 0.18;
 * Z/gamma* 17.2 %, 0.16, 0.23. (lib/sim 3, whose beam-connected partons showered into 1 rad
 * whatever their rapidity (see lib/sim/shower.ts beamThetaMax), had the same numbers with
 * berendsRatio 0.38: its wide-angle emissions from forward partons made extra jets, and a
 * tail of W + jets events with HT of several TeV.)
 *
 * The event chain after the hard process is lib/sim's: final-state shower and
 * hadronisation (lib/sim/shower.ts), short-lived decays, resonance four-momentum
 * restoration, generator filter (an electron or muon of any origin with pT > 22 GeV by
 * default, as lib/sim/generator.ts), detector response, underlying event and pileup. The
 * bookkeeping conventions are those of `generateEvent` (lib/sim/generator.ts):
 * `truth.generatorTrials` counts the unbiased attempts behind a filtered event.
 *
 * Determinism: every draw comes from an event-local FastRng seeded with four words of the
 * caller's Rng; generator-level particles live in a module-level buffer (one per worker).
 */
import type { Rng } from "../random/rng.ts";
import { BR_W, MASS, PDG, WIDTH } from "./constants.ts";
import { clearHfPlan, decayBosonToFermions, decayShortLived, decayW, W_MODE } from "./decays.ts";
import { detectorResponse, INVISIBLE } from "./detector.ts";
import { resetTruth, type SimEvent } from "./event.ts";
import { fillTruthLists, leadingLeptonPt, setInvisibleFromNeutrinos } from "./generator.ts";
import {
  decayTaus,
  DY_PT,
  sampleOnePlusCos2,
  sampleRapidity,
  sampleRecoilPt,
} from "./hardProcess.ts";
import { GenParticles, ORIGIN, STATUS } from "./particles.ts";
import { FastRng, type SimRandom } from "./random.ts";
import { restoreResonanceMomenta } from "./reshuffle.ts";
import {
  type BeamShowerAngle,
  beamThetaMax,
  setBeamShowerAngle,
  showerAndHadronize,
} from "./shower.ts";
import { addUnderlyingEventAndPileup } from "./softQcd.ts";

const TWO_PI = 2 * Math.PI;

/** The two processes of this module (sample names of paper 3 / the published files). */
export type VJetsProcess = "W" | "Z";

/** Parameters of the V + n jets model (see the module comment). */
export interface VJetsParams {
  /** Hard-parton threshold (GeV): partons above it are drawn by the jet-multiplicity model. */
  ptGen: number;
  /** Probability of at least one hard parton. */
  pFirst: number;
  /** P(n >= k + 1 | n >= k) for k >= 1 (Berends-Giele scaling per extra parton). */
  berendsRatio: number;
  /** Largest number of hard partons. */
  maxPartons: number;
  /** Power of the falling parton pT spectrum pT^-ptPower. */
  ptPower: number;
  /** High-xT suppression (1 - xT)^highXPower, xT = 2 pT / sqrt(s) (parton luminosities). */
  highXPower: number;
  /** Width of the boson rapidity at 8 TeV. */
  yBosonSigma: number;
  /** Width of the partons' rapidity around the boson's. */
  yJetSigma: number;
  /** Rapidity cap of the partons. */
  yMax: number;
  /** Probability that a hard parton is a quark (else a gluon). */
  quarkFraction: number;
  /** Share of charm among the quark partons (W: s g -> W c; Z: c g -> Z c). */
  charmShare: number;
  /** Share of bottom among the quark partons (Z: b g -> Z b; ~0 for W). */
  bottomShare: number;
  /** Fraction of Z/gamma* events drawn from the gamma* continuum m^-3.3 above 50 GeV. */
  gammaStarShare: number;
}

/**
 * Default V + jets parameters ("data-like" tune of the mu8 datasets). Sources and reasons:
 * - ptGen 20 GeV: below the 30 GeV jet threshold with room for the shower's out-of-cone
 *   losses and the jet resolution (the CMS 2012 MadGraph samples matched at 20 GeV).
 * - pFirst, berendsRatio, ptPower, highXPower: TUNED to the W + jets numbers of the module
 *   comment; ptPower 2.4 is the pT^-2.4 tail of the boson pT spectrum of lib/sim
 *   ({@link DY_PT}, from measured W/Z pT spectra) which the leading jet balances; the
 *   (1 - xT)^15 factor steepens it to ~pT^-4 at a few hundred GeV as the measured
 *   leading-jet spectra of W + jets at 8 TeV do.
 * - yBosonSigma 1.8: the width 2.0 used at 13 TeV (lib/sim/hardProcess.ts) scaled with the
 *   rapidity range ln(sqrt(s) / m_W) (4.6 at 8 TeV vs 5.1 at 13 TeV).
 * - yJetSigma 1.5: jets around the boson (our choice; ~70 % of the hard partons fall in
 *   |eta| < 2.4, as for the measured W + 1 jet rapidity spectra).
 * - quarkFraction 0.7: q g -> V q ~70-80 % of V + 1 jet at the LHC; more gluons at higher
 *   multiplicity are neglected.
 * - charmShare 0.08: W + c is ~5-8 % of W + jets (CMS, JHEP 02 (2014) 013 at 7 TeV);
 *   bottomShare 0 for W (W + b-bar comes from g -> b b-bar, not modelled).
 * - gammaStarShare 0.03: the continuum above 50 GeV beyond the Z line shape (our choice;
 *   the Z peak dominates sigma(m > 50)).
 */
export const VJETS_DEFAULTS: Readonly<VJetsParams> = Object.freeze({
  ptGen: 20,
  pFirst: 0.2,
  berendsRatio: 0.44,
  maxPartons: 7,
  ptPower: 2.4,
  highXPower: 15,
  yBosonSigma: 1.8,
  yJetSigma: 1.5,
  yMax: 4.7,
  quarkFraction: 0.7,
  charmShare: 0.08,
  bottomShare: 0,
  gammaStarShare: 0.03,
});

/**
 * Heavy-flavour shares of the Z + jets quark partons (our choice, of the order of the
 * measured Z + c and Z + b fractions of Z + jets at the LHC, a few to ~10 %).
 */
export const ZJETS_FLAVOUR: Readonly<{ charmShare: number; bottomShare: number }> = Object
  .freeze({ charmShare: 0.08, bottomShare: 0.05 });

/** Settings of {@link generateVJetsEvent}. */
export interface VJetsGeneratorConfig {
  /** Centre-of-mass energy (GeV): 8000 for paper 3. */
  sqrtS: number;
  /** Mean number of pileup interactions (Poisson): ~20 in 2012. */
  meanPileup: number;
  /** Model parameters (default {@link VJETS_DEFAULTS}). */
  params?: Readonly<VJetsParams>;
  /** Apply the generator filter (default true); see lib/sim/generator.ts. */
  applyGeneratorFilter?: boolean;
  /** Filter threshold on the electron/muon pT (GeV, default 22). */
  filterLeptonPtMin?: number;
  /**
   * Generator-level requirement of at least this many hard partons (pT > params.ptGen),
   * default 0 (inclusive). 1 makes the "V + jets" samples of paper 3 (the CMS W1Jets-W4Jets
   * and DY1Jets-DY4Jets MadGraph samples have at least one matrix-element parton); attempts
   * failing it count as generated and not passing the filter (so `generatorTrials` keeps the
   * inclusive normalisation). Checked before the shower, so it costs little.
   */
  minHardPartons?: number;
  /**
   * Opt-in speed-up for single-MUON-triggered samples (default false): when no final muon
   * (nor a charged hadron that could fake one) has pT > muonTriggerPtMin, |eta| <
   * muonTriggerAbsEtaMax and a hard-event isolation below muonTriggerIsoMax, the detector,
   * underlying event and pileup are skipped (`pf` empty, `truth.detectorSimulated` false).
   * Such an event cannot pass a muon selection tighter than these margins (pileup and the
   * underlying event only add to the isolation).
   */
  skipUntriggerableMuon?: boolean;
  /** Muon pT margin of the skip (GeV, default 20). */
  muonTriggerPtMin?: number;
  /** Muon |eta| margin of the skip (default 1.5). */
  muonTriggerAbsEtaMax?: number;
  /** Muon isolation margin of the skip (default 0.3). */
  muonTriggerIsoMax?: number;
  /**
   * First opening angle of the partons (lib/sim/shower.ts `BeamShowerAngle`): default "beam"
   * (the V + jets tune above is made with it; "fixed" gives W + jets events with HT of
   * several TeV).
   */
  beamShowerAngle?: BeamShowerAngle;
}

/** Most attempts of one call before giving up. */
export const VJETS_MAX_TRIALS = 1_000_000;

const GEN = new GenParticles(1024);
const FAST = new FastRng();

/** The generator-level record of the last {@link generateVJetsEvent} (read-only use). */
export function lastVJetsGenParticles(): GenParticles {
  return GEN;
}

/** Number of hard partons of the last {@link hardVJets} call. */
export const VJETS_LAST = { nHardPartons: 0, bosonPt: 0 };

/** Draw the number of hard partons (see {@link VJetsParams}). */
export function sampleHardPartonCount(rng: SimRandom, p: Readonly<VJetsParams>): number {
  if (!(rng.uniform() < p.pFirst)) return 0;
  let n = 1;
  while (n < p.maxPartons && rng.uniform() < p.berendsRatio) n++;
  return n;
}

/**
 * Draw a hard-parton pT (GeV) from pT^-a (1 - xT)^k above ptGen: a Pareto draw accepted with
 * probability ((1 - xT) / (1 - xT0))^k (xT0 at ptGen), exact.
 */
export function sampleHardPartonPt(
  rng: SimRandom,
  p: Readonly<VJetsParams>,
  sqrtS: number,
): number {
  const a1 = p.ptPower - 1;
  const x0 = (2 * p.ptGen) / sqrtS;
  for (;;) {
    const pt = p.ptGen * Math.pow(rng.uniformPositive(), -1 / a1);
    const xt = (2 * pt) / sqrtS;
    if (xt >= 1) continue;
    if (rng.uniform() < Math.pow((1 - xt) / (1 - x0), p.highXPower)) return pt;
  }
}

function partonFlavour(
  rng: SimRandom,
  p: Readonly<VJetsParams>,
  charmShare: number,
  bottomShare: number,
): number {
  if (!(rng.uniform() < p.quarkFraction)) return PDG.g;
  const sgn = rng.uniform() < 0.5 ? 1 : -1;
  const u = rng.uniform();
  if (u < bottomShare) return sgn * PDG.b;
  if (u < bottomShare + charmShare) return sgn * PDG.c;
  return sgn * (1 + Math.floor(rng.uniform() * 3));
}

function pushParton(gen: GenParticles, pt: number, y: number, phi: number, pdg: number): void {
  const a = pdg < 0 ? -pdg : pdg;
  const m = a === PDG.b ? MASS.b : a === PDG.c ? MASS.c : 0;
  const mt = Math.sqrt(pt * pt + m * m);
  const i = gen.push(
    pt * Math.cos(phi),
    pt * Math.sin(phi),
    mt * Math.sinh(y),
    mt * Math.cosh(y),
    m,
    pdg,
    STATUS.parton,
    -1,
    0,
  );
  gen.thetaMax[i] = beamThetaMax(gen, i);
}

/**
 * Hard process of W + jets (`process` "W") or Z/gamma* + jets ("Z") into `gen`: the hard and
 * soft initial-state partons, the boson balancing them, its decay (taus decayed). Returns
 * the boson mass (the event's hard scale).
 */
export function hardVJets(
  gen: GenParticles,
  rng: SimRandom,
  process: VJetsProcess,
  sqrtS: number,
  p: Readonly<VJetsParams> = VJETS_DEFAULTS,
): number {
  const isW = process === "W";
  // Boson mass.
  let m: number;
  if (isW) m = rng.relativisticBreitWigner(MASS.W, WIDTH.W, 40, 250);
  else if (rng.uniform() < p.gammaStarShare) {
    const a = 3.3, lo = 50, hi = 2000;
    const l1 = Math.pow(lo, 1 - a), h1 = Math.pow(hi, 1 - a);
    m = Math.pow(l1 + rng.uniform() * (h1 - l1), 1 / (1 - a));
  } else m = rng.relativisticBreitWigner(MASS.Z, WIDTH.Z, 50, 150);
  const yV = sampleRapidity(rng, p.yBosonSigma, m, sqrtS);
  // Partons: soft recoil (one parton below ptGen), then the hard ones.
  let sx = 0, sy = 0;
  const soft = sampleRecoilPt(rng, DY_PT.p0, DY_PT.alpha, p.ptGen);
  const phiSoft = TWO_PI * rng.uniform() - Math.PI;
  const cs = isW ? p.charmShare : ZJETS_FLAVOUR.charmShare;
  const bs = isW ? p.bottomShare : ZJETS_FLAVOUR.bottomShare;
  if (soft > 0.3) {
    const y = clamp(yV + rng.normal(0, p.yJetSigma), p.yMax);
    pushParton(gen, soft, y, phiSoft, partonFlavour(rng, p, 0, 0));
    sx += soft * Math.cos(phiSoft);
    sy += soft * Math.sin(phiSoft);
  }
  const n = sampleHardPartonCount(rng, p);
  for (let k = 0; k < n; k++) {
    const pt = sampleHardPartonPt(rng, p, sqrtS);
    const phi = TWO_PI * rng.uniform() - Math.PI;
    const y = clamp(yV + rng.normal(0, p.yJetSigma), p.yMax);
    pushParton(gen, pt, y, phi, partonFlavour(rng, p, cs, bs));
    sx += pt * Math.cos(phi);
    sy += pt * Math.sin(phi);
  }
  VJETS_LAST.nHardPartons = n;
  // The boson balances the partons.
  const ptV = Math.sqrt(sx * sx + sy * sy);
  VJETS_LAST.bosonPt = ptV;
  const mt = Math.sqrt(ptV * ptV + m * m);
  const iv = gen.push(
    -sx,
    -sy,
    mt * Math.sinh(yV),
    mt * Math.cosh(yV),
    m,
    isW ? (rng.uniform() < 0.574 ? PDG.W : -PDG.W) : PDG.Z,
    STATUS.hard,
    -1,
    0,
  );
  const first = gen.n;
  if (isW) {
    // As hardW (lib/sim/hardProcess.ts): lepton flavour by PDG ratios, V-A angle w.r.t. the
    // quark direction, the valence quark along the W's motion with probability
    // 0.5 + 0.35 tanh|y|. W+ : W- = 0.574 : 0.426 (13 TeV; ~0.58 : 0.42 at 8 TeV, where CMS
    // measured W+/W- = 1.39, PRL 112 (2014) 191802: the difference is negligible here).
    const plus = gen.pdg[iv] > 0;
    const lepU = rng.uniform() * (BR_W.e + BR_W.mu + BR_W.tau);
    const mode = lepU < BR_W.e ? W_MODE.e : lepU < BR_W.e + BR_W.mu ? W_MODE.mu : W_MODE.tau;
    const along = rng.uniform() < 0.5 + 0.35 * Math.tanh(Math.abs(yV));
    const qz = (yV >= 0) === along ? 1 : -1;
    const c0 = 2 * Math.cbrt(rng.uniform()) - 1; // (1 + c)^2
    decayW(gen, iv, mode, plus ? -c0 : c0, 0, 0, qz, rng);
  } else {
    const f = rng.uniform() * 3;
    const lep = f < 1 ? PDG.e : f < 2 ? PDG.mu : PDG.tau;
    decayBosonToFermions(gen, iv, lep, -lep, sampleOnePlusCos2(rng), 0, 0, 1, ORIGIN.prompt, rng);
  }
  decayTaus(gen, first, rng);
  return m;
}

function clamp(y: number, yMax: number): number {
  return y > yMax ? yMax : y < -yMax ? -yMax : y;
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

/**
 * Generate one SIMULATED W + jets or Z/gamma* + jets event into `out` (PF candidates and
 * truth, both reset here), all randomness from `callerRng` (see the module comment).
 */
export function generateVJetsEvent(
  process: VJetsProcess,
  callerRng: Rng,
  out: SimEvent,
  cfg: Readonly<VJetsGeneratorConfig>,
): void {
  if (process !== "W" && process !== "Z") {
    throw new RangeError(`generateVJetsEvent: unknown process "${process}" (W or Z)`);
  }
  if (!(cfg.sqrtS > 100) || !Number.isFinite(cfg.sqrtS)) {
    throw new RangeError(`generateVJetsEvent: sqrtS = ${cfg.sqrtS} GeV (expected e.g. 8000)`);
  }
  if (!(cfg.meanPileup >= 0) || !Number.isFinite(cfg.meanPileup)) {
    throw new RangeError(`generateVJetsEvent: meanPileup = ${cfg.meanPileup} (expected >= 0)`);
  }
  const p = cfg.params ?? VJETS_DEFAULTS;
  setBeamShowerAngle(cfg.beamShowerAngle ?? "beam");
  FAST.reseed(callerRng);
  const rng = FAST;
  const gen = GEN;
  const applyFilter = cfg.applyGeneratorFilter !== false;
  const ptMin = cfg.filterLeptonPtMin ?? 22;
  const minPartons = cfg.minHardPartons ?? 0;
  let trials = 0, lead = 0, scale = 0;
  for (;;) {
    if (++trials > VJETS_MAX_TRIALS) {
      throw new Error(
        `generateVJetsEvent(${process}): no event after ${VJETS_MAX_TRIALS} attempts`,
      );
    }
    gen.reset();
    clearHfPlan();
    scale = hardVJets(gen, rng, process, cfg.sqrtS, p);
    if (applyFilter && VJETS_LAST.nHardPartons < minPartons) continue;
    lead = leadingLeptonPt(gen);
    // Without a prompt lepton above threshold only heavy-flavour decays could supply one.
    if (applyFilter && lead <= ptMin && !hasHeavyPartons(gen)) continue;
    showerAndHadronize(gen, 0, rng);
    decayShortLived(gen, 0, rng);
    restoreResonanceMomenta(gen);
    if (lead <= ptMin) lead = leadingLeptonPt(gen);
    if (!applyFilter || lead > ptMin) break;
  }
  const t = out.truth;
  const pf = out.pf;
  pf.reset();
  resetTruth(t);
  t.process = process;
  t.generatorTrials = trials;
  t.weight = 1;
  t.leadingGenLeptonPt = lead;
  t.hardScale = scale;
  t.nHardPartons = VJETS_LAST.nHardPartons;
  t.passedGeneratorFilter = lead > ptMin && VJETS_LAST.nHardPartons >= minPartons;
  fillTruthLists(gen, out);
  t.nPileup = rng.poisson(cfg.meanPileup);
  if (
    cfg.skipUntriggerableMuon === true &&
    !couldTriggerMuon(
      gen,
      cfg.muonTriggerPtMin ?? 20,
      cfg.muonTriggerAbsEtaMax ?? 1.5,
      cfg.muonTriggerIsoMax ?? 0.3,
    )
  ) {
    setInvisibleFromNeutrinos(gen, t);
    t.detectorSimulated = false;
    return;
  }
  detectorResponse(gen, pf, rng);
  t.invisiblePx = INVISIBLE.px;
  t.invisiblePy = INVISIBLE.py;
  addUnderlyingEventAndPileup(pf, rng, t.nPileup, cfg.sqrtS);
  t.detectorSimulated = true;
}

let isoEta = new Float64Array(512);
let isoPhi = new Float64Array(512);
let isoPt = new Float64Array(512);

/**
 * Could this event pass a single-muon selection? True when some final muon, or a charged
 * hadron (fake), has pT > ptMin, |eta| < absEtaMax and a hard-event isolation (sum pT of
 * visible final particles with pT > 0.5 GeV within dR < 0.3, over its pT) below isoMax.
 */
export function couldTriggerMuon(
  gen: GenParticles,
  ptMin: number,
  absEtaMax: number,
  isoMax: number,
): boolean {
  if (isoEta.length < gen.n) {
    isoEta = new Float64Array(2 * gen.n);
    isoPhi = new Float64Array(2 * gen.n);
    isoPt = new Float64Array(2 * gen.n);
  }
  let m = 0;
  let anyCandidate = false;
  for (let i = 0; i < gen.n; i++) {
    if (gen.status[i] !== STATUS.final) continue;
    const a = gen.pdg[i] < 0 ? -gen.pdg[i] : gen.pdg[i];
    if (a === 12 || a === 14 || a === 16) continue;
    const pt = gen.pt(i);
    if (pt < 0.5) continue;
    isoEta[m] = gen.eta(i);
    isoPhi[m] = gen.phi(i);
    // Positive: could be (or fake) a muon; negative: only counts in the isolation.
    isoPt[m] = a === 13 || a === 211 || a === 321 || a === 2212 ? pt : -pt;
    if (isoPt[m] > ptMin && Math.abs(isoEta[m]) < absEtaMax) anyCandidate = true;
    m++;
  }
  if (!anyCandidate) return false;
  const r2 = 0.3 * 0.3;
  for (let c = 0; c < m; c++) {
    const pt = isoPt[c];
    if (!(pt > ptMin) || Math.abs(isoEta[c]) >= absEtaMax) continue;
    const eta = isoEta[c], phi = isoPhi[c];
    let sum = 0;
    for (let j = 0; j < m; j++) {
      if (j === c) continue;
      const de = isoEta[j] - eta;
      if (de > 0.3 || de < -0.3) continue;
      let dp = isoPhi[j] - phi;
      if (dp > Math.PI) dp -= TWO_PI;
      else if (dp < -Math.PI) dp += TWO_PI;
      if (de * de + dp * dp < r2) sum += isoPt[j] < 0 ? -isoPt[j] : isoPt[j];
    }
    if (sum < isoMax * pt) return true;
  }
  return false;
}
