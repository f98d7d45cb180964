/**
 * SIMULATED 13 TeV dijet events of paper 2 (VAE on jet images, pileup 40): QCD 2 -> 2 dijets
 * at high mass and Randall-Sundrum gravitons decaying to W W or t t-bar, both hadronically.
 * Paper 2 used PYTHIA 8 + DELPHES (CMS Phase II card, pileup Poisson with mean 40); this is
 * the repository's fast stand-in, with the same shower, hadronisation, decays, detector and
 * pileup as lib/sim/generator.ts (it calls their exported functions; nothing is copied).
 *
 * Chain per event: hard process (this file) -> initial-state radiation (the DLA cascade of
 * lib/sim/hardProcess.ts `sampleIsrCascade`) -> W / top decays (lib/sim/decays.ts) ->
 * shower and hadronisation (lib/sim/shower.ts) -> pi0 / K0S decays -> restoration of the W /
 * top four-momenta (lib/sim/reshuffle.ts) -> detector response (lib/sim/detector.ts) ->
 * underlying event and Poisson pileup (lib/sim/softQcd.ts).
 *
 * Hard processes (units GeV; x = m / sqrt(s)):
 * - QCD 2 -> 2. The parton-level mass m-hat follows the dijet function
 *   dN/dm ~ (1 - x)^p2 / x^p3 with p2 = 10, p3 = 5 (PHYSICS.md: "p2 ~ 5-15 and p3 ~ -(4...6)
 *   for 13 TeV QCD"), on [qcdMassMin, qcdMassMax]. The angular variable chi = exp|y3 - y4| is
 *   flat (PHYSICS.md "chi roughly flat for QCD": t-channel Rutherford scattering,
 *   dsigma/dt ~ 1/t^2, is exactly flat in chi at fixed s-hat), so |d eta| is broad and most
 *   events sit at large |d eta|. The boost y_b = (y3 + y4) / 2 follows the parton luminosity
 *   of a model PDF f(x) ~ x^-a (1 - x)^b at fixed tau = x1 x2 = x^2: the x^-a factors cancel
 *   and dL/dy_b ~ [(1 - sqrt(tau) e^y_b)(1 - sqrt(tau) e^-y_b)]^b with b = 5 (gluon-like
 *   large-x fall-off; our parametrisation). Partons beyond |y| < partonAbsYMax are rejected
 *   at generation; `generatorTrials` counts the attempts, so acceptances stay computable.
 *   3.2 = the jet acceptance 2.4 + 0.8: selected events (two jets in |eta| < 2.4) can come
 *   from a parton beyond the acceptance when an ISR or FSR jet takes its place; with this
 *   version, 2.8 % of the selected events have a parton at |y| > 2.9 and the fraction falls
 *   steeply (extrapolated: ~1 % beyond 3.2 are missed). Flavours: the final-state pair is
 *   g g, q g or q q with mass-dependent shares (gluons dominate at low x, valence quarks at
 *   high x: f_gg = max(0.03, 0.35 - 1.2 x), f_qq = min(0.65, 0.2 + 1.2 x), f_qg the rest,
 *   i.e. 24 / 45 / 31 % at 1.2 TeV and 7 / 45 / 48 % at 3 TeV; our parametrisation of the LO
 *   subprocess fractions); quarks are u, d, s, c, b with 50, 30, 8, 7, 5 % (valence
 *   dominance at large x; our choice), quarks (not antiquarks) 80 % of the time.
 * - RS graviton G -> W W or t t-bar (mass M, width Gamma). The mass is a relativistic
 *   Breit-Wigner on [M max(0.5, 1 - 5 Gamma/M), min(M (1 + 5 Gamma/M), 0.9 sqrt(s))] times
 *   the g g luminosity L(m) ~ m^2 dN/dm(QCD) ~ x^(2 - p3) (1 - x)^p2 (the QCD spectrum
 *   divided by the partonic 1/m^2), so broad resonances are skewed towards low masses as in
 *   PYTHIA. Paper 2 does not give the widths (its authors' samples are called NARROW and
 *   BROAD); we use Gamma/M = 1 % (RS graviton with k/M_Pl ~ 0.1) and 35 % (our choice of a
 *   "broad" benchmark), see {@link GRAVITON_WIDTHS}. Rapidity: the same luminosity shape as
 *   QCD; transverse momentum: recoil against the ISR cascade.
 *   Decay angle in the G rest frame w.r.t. the beam axis: t t-bar from g g -> G -> f f-bar,
 *   dN/dcos ~ 1 - cos^4 (spin 2, |d^2_{+-2,+-1}|^2 summed; the distribution PYTHIA 8 uses for
 *   fermion pairs); W W isotropic, as in PYTHIA 8's RS implementation, which "handles other
 *   decay channels isotropically" (PYTHIA 8 manual, Extra-Dimensional Processes). Both are
 *   central compared with QCD's forward t-channel peak. W -> q q-bar' (u d-bar, c s-bar,
 *   equal) isotropic in the W rest frame (no spin correlations, as in PYTHIA's isotropic
 *   G -> W W); t -> b W with the SM W helicities (lib/sim/decays.ts), W -> q q-bar'. Only
 *   hadronic decays are generated (the all-hadronic dijet final state of paper 2), so the
 *   R = 0.8 jets have 2 (W) or 3 (top) prongs.
 * - Initial-state radiation: the pT-ordered DLA cascade of lib/sim/hardProcess.ts
 *   ({@link PAIR_ISR}, tuned there on t t-bar + jets, g g dominated like both processes
 *   here); its recoil gives the dijet / graviton system its transverse momentum, and the
 *   emissions become partons of the final-state shower. Hard scale: Q = pT-hat for QCD (the
 *   t-channel scale; PYTHIA's default ISR pTmax for QCD 2 -> 2; with Q = m-hat / 2 instead,
 *   ISR jets outgrow the ~100 GeV partons of large-chi events and become the leading jets),
 *   Q = 0.5 m for the s-channel graviton (as for t t-bar, Q = 0.5 m(t t-bar)). At these
 *   masses the incoming partons carry x ~ 0.1-0.3, so the cascade is weighted with the
 *   large-x PDF ratio of lib/sim/hardProcess.ts `IsrPdfSuppression` (b = 5, the
 *   large-x power of the luminosity model above; {@link DijetGeneratorConfig.isrLargeXPower}),
 *   and the partons colour-connected to the beams (the QCD partons and the ISR emissions)
 *   shower from their angle to the beam axis ("beam" convention of lib/sim/shower.ts
 *   `BeamShowerAngle`) instead of 1 rad. Why, measured (2026-11-23, 600 G -> W W 3.5 TeV and
 *   600 QCD events with m-hat > 2.8 TeV, jets with 1 < pT < 2.5 TeV, pileup 40): with the
 *   plain cascade and the 1 rad convention, ISR partons and their wide-angle showers put a
 *   median 25 GeV of generator-level pT that is not from the W into the W's R = 0.8 cone
 *   (13 GeV with "beam", 9 GeV with "beam" and the PDF weight), the ungroomed W-jet mass had
 *   a median of 160 GeV (135 GeV now; 113 GeV without any graviton ISR, 85 GeV without ISR
 *   and pileup) and N-subjettiness tau21 separated W from QCD jets with AUC 0.665 (0.691
 *   now; 0.78 without ISR and neutral pileup). The soft-drop masses are unchanged (W peak
 *   77.6 GeV); the QCD jet-mass median moved from 212 to 190 GeV.
 *
 * Not modelled beyond lib/sim's own limits (see lib/sim/generator.ts): interference, NLO
 * corrections to the angular distributions, the running of alpha_s and PDFs with chi, spin
 * correlations in G -> W W, leptonic or semi-leptonic W / top decays.
 *
 * Determinism: each call seeds an event-local FastRng from four draws of the caller's Rng and
 * uses nothing else; the generator-level record is a module-level buffer (one per worker).
 */
import type { Rng } from "../random/rng.ts";
import { MASS, PDG, WIDTH } from "./constants.ts";
import { decayShortLived, decayTop, decayTwoBodyAxis, decayW, W_MODE } from "./decays.ts";
import { detectorResponse, INVISIBLE } from "./detector.ts";
import { resetTruth, type SimEvent } from "./event.ts";
import { leadingLeptonPt } from "./generator.ts";
import {
  ISR_EMISSIONS,
  type IsrPdfSuppression,
  PAIR_ISR,
  pushIsrEmissions,
  pushPair,
  sampleIsrCascade,
} from "./hardProcess.ts";
import { pushPtYPhiM } from "./kinematics.ts";
import { GenParticles, STATUS } from "./particles.ts";
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

/** PDG code used for the RS graviton (PYTHIA 8 uses 5100039; the generic graviton is 39). */
export const PDG_GRAVITON = 39;

/**
 * A hard process of the dijet stream: QCD 2 -> 2 with a parton-level |y3 - y4| window (the
 * full range is [0, Infinity); a narrower window makes signal-region or sideband samples
 * efficiently), or an RS graviton of pole mass `mass` (GeV) and relative width `relWidth`
 * (Gamma / M) decaying to W W or t t-bar.
 */
export type DijetProcess =
  | {
    readonly kind: "QCD";
    /** Parton-level |y3 - y4| >= this (0 for the inclusive sample). */
    readonly absDeltaYMin: number;
    /** Parton-level |y3 - y4| < this (Infinity for the inclusive sample). */
    readonly absDeltaYMax: number;
  }
  | {
    readonly kind: "GtoWW" | "Gtott";
    /** Pole mass (GeV). */
    readonly mass: number;
    /** Width over mass. */
    readonly relWidth: number;
  };

/** Relative widths of the graviton benchmarks (see the module comment for the choice). */
export const GRAVITON_WIDTHS = Object.freeze({ narrow: 0.01, broad: 0.35 });

/** Generator settings of the dijet stream. */
export interface DijetGeneratorConfig {
  /** Centre-of-mass energy (GeV). */
  sqrtS: number;
  /** Mean number of pileup interactions (Poisson). */
  meanPileup: number;
  /** Partons / graviton decay products must have |y| < this at generation. */
  partonAbsYMax: number;
  /** Range of the QCD parton-level mass m-hat (GeV). */
  qcdMassMin: number;
  qcdMassMax: number;
  /**
   * First opening angle of the partons colour-connected to the beams (the QCD partons and
   * every ISR emission): lib/sim/shower.ts {@link BeamShowerAngle}.
   */
  beamShowerAngle: BeamShowerAngle;
  /**
   * Exponent b of the large-x PDF suppression of ISR (lib/sim/hardProcess.ts
   * {@link IsrPdfSuppression}), or null for the plain DLA cascade.
   */
  isrLargeXPower: number | null;
}

/**
 * Paper 2's stream: 13 TeV, pileup 40 (paper 2 section 2.2: "A Poisson profile is assumed
 * for the pileup distribution, with the average number of collisions set to 40"). QCD
 * m-hat from 1.0 TeV: the analysis keeps mJJ > 1.2 TeV, and mJJ / m-hat has a 5-95 % range
 * of 0.78-1.15 (out-of-cone radiation, ISR jets), so with this version 1.3 % of the selected
 * events have m-hat < 1.05 TeV and a few per mille would come from below 1.0 TeV: the
 * spectrum above 1.2 TeV is unbiased to that level. Up to 8 TeV (x = 0.62, where the
 * spectrum has fallen by ~1e-8 from 1 TeV). Partons within |y| < 3.2 (module comment).
 */
export const DIJET13_GENERATOR: Readonly<DijetGeneratorConfig> = Object.freeze({
  sqrtS: 13000,
  meanPileup: 40,
  partonAbsYMax: 3.2,
  qcdMassMin: 1000,
  qcdMassMax: 8000,
  beamShowerAngle: "beam",
  isrLargeXPower: 5,
});

/**
 * Shape parameters of the hard processes (see the module comment for the sources):
 * dijet function exponents p2, p3 of the QCD m-hat spectrum and of the g g luminosity, and
 * the large-x exponent b of the model PDF behind the y_b distribution.
 */
export const DIJET_SHAPES = Object.freeze({ p2: 10, p3: 5, pdfLargeXPower: 5 });

/** Maximal generation attempts per call (phase-space rejections). */
export const DIJET_MAX_TRIALS = 1_000_000;

/** Generator-level truth of the last event (scratch, overwritten by every call). */
export const DIJET_TRUTH = {
  /** Parton-level mass: m-hat for QCD, the graviton's mass (GeV). */
  hardMass: 0,
  /** Boost y_b and half rapidity difference y* of the two hard objects. */
  yBoost: 0,
  yStar: 0,
  /** PDG codes (partons for QCD, W / top for gravitons) and directions of the two objects. */
  pdg: new Int32Array(2),
  pt: new Float64Array(2),
  eta: new Float64Array(2),
  phi: new Float64Array(2),
};

/** Generator-level record shared by the calls in this worker. */
const GEN = new GenParticles(2048);
/** The event's random stream, reseeded from the caller's Rng at each call. */
const FAST = new FastRng();

/** The generator-level record of the last dijet event (read-only use: tests, validation). */
export function lastDijetGenParticles(): GenParticles {
  return GEN;
}

// ---------------------------------------------------------------------------------------
// Samplers
// ---------------------------------------------------------------------------------------

/** Unnormalised dijet-function density (1 - x)^p2 x^-p3 of x = m / sqrt(s). */
export function dijetShape(x: number, p2 = DIJET_SHAPES.p2, p3 = DIJET_SHAPES.p3): number {
  return x >= 1 || x <= 0 ? 0 : Math.pow(1 - x, p2) * Math.pow(x, -p3);
}

/**
 * Draw m (GeV) from dN/dm ~ (1 - x)^p2 x^-p3 on [mLo, mHi]: x^-p3 by inverting its CDF, then
 * accept with (1 - x)^p2 / (1 - xLo)^p2 (exact).
 */
export function sampleDijetMass(
  rng: SimRandom,
  mLo: number,
  mHi: number,
  sqrtS: number,
  p2 = DIJET_SHAPES.p2,
  p3 = DIJET_SHAPES.p3,
): number {
  const xLo = mLo / sqrtS, xHi = Math.min(mHi / sqrtS, 1);
  const a = 1 - p3;
  const lo = Math.pow(xLo, a), hi = Math.pow(xHi, a);
  const norm = Math.pow(1 - xLo, p2);
  for (;;) {
    const x = Math.pow(lo + rng.uniform() * (hi - lo), 1 / a);
    if (rng.uniform() * norm < Math.pow(1 - x, p2)) return x * sqrtS;
  }
}

/**
 * Draw the boost y_b of a system of mass m from dL/dy_b ~ [(1 - r e^y)(1 - r e^-y)]^b,
 * r = m / sqrt(s), |y_b| < ln(1 / r) (x1, x2 < 1); the density peaks at y_b = 0.
 */
export function sampleBoost(rng: SimRandom, m: number, sqrtS: number): number {
  const r = m / sqrtS;
  const yMax = -Math.log(r);
  const b = DIJET_SHAPES.pdfLargeXPower;
  const w0 = Math.pow((1 - r) * (1 - r), b);
  for (;;) {
    const y = (2 * rng.uniform() - 1) * yMax;
    const f = (1 - r * Math.exp(y)) * (1 - r * Math.exp(-y));
    if (f > 0 && rng.uniform() * w0 < Math.pow(f, b)) return y;
  }
}

/** Draw cos(theta) from 1 - cos^4 (accept-reject). */
export function sampleOneMinusCos4(rng: SimRandom): number {
  for (;;) {
    const c = 2 * rng.uniform() - 1;
    const c2 = c * c;
    if (rng.uniform() < 1 - c2 * c2) return c;
  }
}

/**
 * Gluon or quark of the QCD final state: `pdg` code of a light or heavy quark with the
 * shares of the module comment (u 50, d 30, s 8, c 7, b 5 %; 80 % quarks).
 */
function sampleQuark(rng: SimRandom): number {
  const u = rng.uniform();
  const f = u < 0.5 ? PDG.u : u < 0.8 ? PDG.d : u < 0.88 ? PDG.s : u < 0.95 ? PDG.c : PDG.b;
  return rng.uniform() < 0.8 ? f : -f;
}

/** Mass of a quark (dead cone) or 0 for gluons and light quarks. */
function partonMass(pdg: number): number {
  const a = pdg < 0 ? -pdg : pdg;
  return a === PDG.b ? MASS.b : a === PDG.c ? MASS.c : 0;
}

const FLAVOURS = new Int32Array(2);

/** Final-state flavours of a QCD 2 -> 2 of mass m into {@link FLAVOURS} (module comment). */
function sampleQcdFlavours(rng: SimRandom, m: number, sqrtS: number): void {
  const x = m / sqrtS;
  const fgg = Math.max(0.03, 0.35 - 1.2 * x);
  const fqq = Math.min(0.65, 0.2 + 1.2 * x);
  const u = rng.uniform();
  if (u < fgg) {
    FLAVOURS[0] = PDG.g;
    FLAVOURS[1] = PDG.g;
  } else if (u < fgg + fqq) {
    FLAVOURS[0] = sampleQuark(rng);
    FLAVOURS[1] = sampleQuark(rng);
  } else {
    const qFirst = rng.uniform() < 0.5;
    FLAVOURS[qFirst ? 0 : 1] = sampleQuark(rng);
    FLAVOURS[qFirst ? 1 : 0] = PDG.g;
  }
}

/** Share of quarks among the ISR emissions (q g initial states; g g dominates here). */
const ISR_QUARK_FRACTION = 0.3;

function recordTruth(gen: GenParticles, i1: number, i2: number): void {
  const t = DIJET_TRUTH;
  for (let k = 0; k < 2; k++) {
    const i = k === 0 ? i1 : i2;
    t.pdg[k] = gen.pdg[i];
    t.pt[k] = gen.pt(i);
    t.eta[k] = gen.eta(i);
    t.phi[k] = gen.phi(i);
  }
}

// ---------------------------------------------------------------------------------------
// Hard processes
// ---------------------------------------------------------------------------------------

/**
 * One attempt of a QCD 2 -> 2 (module comment). Returns false when the partons fall outside
 * the generation window (|y| < cfg.partonAbsYMax, the |y3 - y4| window): the caller retries.
 */
function hardQcd(
  gen: GenParticles,
  rng: SimRandom,
  proc: Extract<DijetProcess, { kind: "QCD" }>,
  cfg: Readonly<DijetGeneratorConfig>,
): boolean {
  const sqrtS = cfg.sqrtS;
  const m = sampleDijetMass(rng, cfg.qcdMassMin, cfg.qcdMassMax, sqrtS);
  // chi = exp|dy| flat on [chiLo, chiHi]; |dy| <= 2 partonAbsYMax anyway.
  const dyHi = Math.min(proc.absDeltaYMax, 2 * cfg.partonAbsYMax);
  const chiLo = Math.exp(proc.absDeltaYMin), chiHi = Math.exp(dyHi);
  const chi = chiLo + (chiHi - chiLo) * rng.uniform();
  const yStar = 0.5 * Math.log(chi) * (rng.uniform() < 0.5 ? 1 : -1);
  const yb = sampleBoost(rng, m, sqrtS);
  const yMax = cfg.partonAbsYMax;
  if (Math.abs(yb + yStar) >= yMax || Math.abs(yb - yStar) >= yMax) return false;
  sampleQcdFlavours(rng, m, sqrtS);
  // ISR up to the hard process's transverse scale: pT-hat for the t-channel 2 -> 2 (as
  // PYTHIA's default pTmax = factorisation scale = pT-hat for QCD 2 -> 2).
  const ptHat = m / (2 * Math.cosh(yStar));
  sampleIsrCascade(rng, ptHat, PAIR_ISR.colour, PAIR_ISR.strength, PAIR_ISR, isrPdf(m, yb, cfg));
  const rx = ISR_EMISSIONS.recoilPx, ry = ISR_EMISSIONS.recoilPy;
  const sysPt = Math.min(Math.sqrt(rx * rx + ry * ry), 0.25 * sqrtS);
  const i1 = pushPair(
    gen,
    m,
    sysPt,
    yb,
    Math.atan2(ry, rx),
    partonMass(FLAVOURS[0]),
    FLAVOURS[0],
    STATUS.parton,
    partonMass(FLAVOURS[1]),
    FLAVOURS[1],
    STATUS.parton,
    Math.tanh(yStar),
    TWO_PI * rng.uniform(),
  );
  gen.thetaMax[i1] = beamThetaMax(gen, i1);
  gen.thetaMax[i1 + 1] = beamThetaMax(gen, i1 + 1);
  pushIsrEmissions(gen, rng, yb, ISR_QUARK_FRACTION, PAIR_ISR.yMax);
  DIJET_TRUTH.hardMass = m;
  DIJET_TRUTH.yBoost = yb;
  DIJET_TRUTH.yStar = yStar;
  recordTruth(gen, i1, i1 + 1);
  return true;
}

/**
 * Fraction of the full QCD chi range [1, exp(2 partonAbsYMax)] covered by the |y3 - y4|
 * window of `proc` (1 for the inclusive sample and for gravitons). chi is sampled flat inside
 * the window, so a windowed sample covers only this fraction of the inclusive phase space:
 * its share of the inclusive cross section is fraction x selected / generated, against
 * selected / generated for the inclusive sample.
 */
export function phaseSpaceFraction(
  proc: DijetProcess,
  cfg: Readonly<DijetGeneratorConfig> = DIJET13_GENERATOR,
): number {
  if (proc.kind !== "QCD") return 1;
  const full = Math.exp(2 * cfg.partonAbsYMax) - 1;
  const hi = Math.exp(Math.min(proc.absDeltaYMax, 2 * cfg.partonAbsYMax));
  const lo = Math.exp(proc.absDeltaYMin);
  return Math.max(0, hi - lo) / full;
}

/** Mass window [lo, hi] (GeV) of a graviton (module comment). */
export function gravitonMassWindow(
  mass: number,
  relWidth: number,
  sqrtS: number,
): [number, number] {
  const lo = mass * Math.max(0.5, 1 - 5 * relWidth);
  const hi = Math.min(mass * (1 + 5 * relWidth), 0.9 * sqrtS);
  return [lo, hi];
}

/**
 * Draw a graviton mass: relativistic Breit-Wigner on the window times the g g luminosity
 * x^(2 - p3) (1 - x)^p2 (accept-reject against its value at the lower edge, its maximum).
 */
export function sampleGravitonMass(
  rng: SimRandom,
  mass: number,
  relWidth: number,
  sqrtS: number,
): number {
  const [lo, hi] = gravitonMassWindow(mass, relWidth, sqrtS);
  const lum = (m: number) => dijetShape(m / sqrtS) * m * m;
  const lMax = lum(lo);
  for (let k = 0; k < DIJET_MAX_TRIALS; k++) {
    const m = rng.relativisticBreitWigner(mass, relWidth * mass, lo, hi);
    if (rng.uniform() * lMax < lum(m)) return m;
  }
  throw new Error(`sampleGravitonMass(${mass}, ${relWidth}): no mass accepted`);
}

/** Hadronic W mode: u d-bar or c s-bar with equal probability. */
function hadronicWMode(rng: SimRandom): number {
  return rng.uniform() < 0.5 ? W_MODE.ud : W_MODE.cs;
}

/**
 * The large-x ISR suppression of a system of mass `m` (GeV) at rapidity `yb` (x1,2 =
 * m / sqrt(s) e^(+-yb)), or undefined when `cfg.isrLargeXPower` is null.
 */
function isrPdf(
  m: number,
  yb: number,
  cfg: Readonly<DijetGeneratorConfig>,
): IsrPdfSuppression | undefined {
  if (cfg.isrLargeXPower === null) return undefined;
  const x = m / cfg.sqrtS;
  return {
    x1: x * Math.exp(yb),
    x2: x * Math.exp(-yb),
    yBoost: yb,
    sqrtS: cfg.sqrtS,
    largeXPower: cfg.isrLargeXPower,
  };
}

/**
 * One attempt of G -> W W / t t-bar (module comment). Returns false when a decay product
 * falls outside |y| < cfg.partonAbsYMax (the caller retries).
 */
function hardGraviton(
  gen: GenParticles,
  rng: SimRandom,
  proc: Extract<DijetProcess, { kind: "GtoWW" | "Gtott" }>,
  cfg: Readonly<DijetGeneratorConfig>,
): boolean {
  const sqrtS = cfg.sqrtS;
  const m = sampleGravitonMass(rng, proc.mass, proc.relWidth, sqrtS);
  const yb = sampleBoost(rng, m, sqrtS);
  const top = proc.kind === "Gtott";
  const cosT = top ? sampleOneMinusCos4(rng) : 2 * rng.uniform() - 1;
  // Rapidities of the (nearly massless at these boosts) daughters at zero system pT.
  const yStar = Math.atanh(cosT);
  const yMax = cfg.partonAbsYMax;
  if (Math.abs(yb + yStar) >= yMax || Math.abs(yb - yStar) >= yMax) return false;
  sampleIsrCascade(
    rng,
    PAIR_ISR.qScale * m,
    PAIR_ISR.colour,
    PAIR_ISR.strength,
    PAIR_ISR,
    isrPdf(m, yb, cfg),
  );
  const rx = ISR_EMISSIONS.recoilPx, ry = ISR_EMISSIONS.recoilPy;
  const sysPt = Math.min(Math.sqrt(rx * rx + ry * ry), 0.25 * sqrtS);
  const ig = pushPtYPhiM(gen, sysPt, yb, Math.atan2(ry, rx), m, PDG_GRAVITON, STATUS.hard, -1, 0);
  let m1: number, m2: number, pdg: number;
  if (top) {
    m1 = rng.relativisticBreitWigner(MASS.top, WIDTH.top, 160, 185);
    m2 = rng.relativisticBreitWigner(MASS.top, WIDTH.top, 160, 185);
    pdg = PDG.t;
  } else {
    m1 = rng.relativisticBreitWigner(MASS.W, WIDTH.W, 60, 100);
    m2 = rng.relativisticBreitWigner(MASS.W, WIDTH.W, 60, 100);
    pdg = PDG.W;
  }
  const i1 = decayTwoBodyAxis(gen, ig, m1, pdg, m2, -pdg, cosT, 0, 0, 1, STATUS.hard, 0, rng);
  DIJET_TRUTH.hardMass = m;
  DIJET_TRUTH.yBoost = yb;
  DIJET_TRUTH.yStar = yStar;
  recordTruth(gen, i1, i1 + 1);
  for (let k = 0; k < 2; k++) {
    if (top) decayTop(gen, i1 + k, hadronicWMode(rng), rng);
    else decayW(gen, i1 + k, hadronicWMode(rng), 2 * rng.uniform() - 1, 0, 0, 1, rng);
  }
  pushIsrEmissions(gen, rng, yb, ISR_QUARK_FRACTION, PAIR_ISR.yMax);
  return true;
}

// ---------------------------------------------------------------------------------------
// The event
// ---------------------------------------------------------------------------------------

function checkConfig(proc: DijetProcess, cfg: Readonly<DijetGeneratorConfig>): void {
  const bad = (what: string) => {
    throw new RangeError(`generateDijetEvent: ${what}`);
  };
  if (!(cfg.sqrtS > 100) || !Number.isFinite(cfg.sqrtS)) bad(`sqrtS = ${cfg.sqrtS} GeV`);
  if (!(cfg.meanPileup >= 0) || !Number.isFinite(cfg.meanPileup)) {
    bad(`meanPileup = ${cfg.meanPileup}`);
  }
  if (!(cfg.partonAbsYMax > 0)) bad(`partonAbsYMax = ${cfg.partonAbsYMax}`);
  if (cfg.beamShowerAngle !== "beam" && cfg.beamShowerAngle !== "fixed") {
    bad(`beamShowerAngle = ${JSON.stringify(cfg.beamShowerAngle)} (expected "beam" or "fixed")`);
  }
  if (cfg.isrLargeXPower !== null && !(cfg.isrLargeXPower >= 0)) {
    bad(`isrLargeXPower = ${cfg.isrLargeXPower} (expected a number >= 0 or null)`);
  }
  if (!(cfg.qcdMassMin > 0 && cfg.qcdMassMax > cfg.qcdMassMin && cfg.qcdMassMax < cfg.sqrtS)) {
    bad(`QCD mass range [${cfg.qcdMassMin}, ${cfg.qcdMassMax}] GeV`);
  }
  if (proc.kind === "QCD") {
    if (!(proc.absDeltaYMin >= 0 && proc.absDeltaYMax > proc.absDeltaYMin)) {
      bad(`QCD |dy| window [${proc.absDeltaYMin}, ${proc.absDeltaYMax})`);
    }
  } else if (proc.kind === "GtoWW" || proc.kind === "Gtott") {
    if (!(proc.mass > 200 && proc.mass < cfg.sqrtS && proc.relWidth > 0 && proc.relWidth < 1)) {
      bad(`graviton mass ${proc.mass} GeV, Gamma/M = ${proc.relWidth}`);
    }
  } else {
    bad(`unknown process ${JSON.stringify(proc)}`);
  }
}

/**
 * Generate one SIMULATED dijet event of `proc` into `out` (PF candidates and truth, both
 * reset here), drawing all randomness from `callerRng`. `out.truth.generatorTrials` is the
 * number of generation attempts (phase-space rejections included) the event stands for;
 * `out.truth.hardScale` is the parton-level mass (GeV); {@link DIJET_TRUTH} holds the hard
 * objects. Truth lists of heavy-flavour hadrons and prompt leptons are not filled (no
 * b-tagging or leptons in paper 2).
 */
export function generateDijetEvent(
  proc: DijetProcess,
  callerRng: Rng,
  out: SimEvent,
  cfg: Readonly<DijetGeneratorConfig> = DIJET13_GENERATOR,
): void {
  checkConfig(proc, cfg);
  setBeamShowerAngle(cfg.beamShowerAngle);
  FAST.reseed(callerRng);
  const rng = FAST;
  const gen = GEN;
  let trials = 0;
  for (;;) {
    if (++trials > DIJET_MAX_TRIALS) {
      throw new Error(`generateDijetEvent(${proc.kind}): no event after ${trials - 1} attempts`);
    }
    gen.reset();
    const ok = proc.kind === "QCD"
      ? hardQcd(gen, rng, proc, cfg)
      : hardGraviton(gen, rng, proc, cfg);
    if (ok) break;
  }
  showerAndHadronize(gen, 0, rng);
  decayShortLived(gen, 0, rng);
  if (proc.kind !== "QCD") restoreResonanceMomenta(gen);
  const t = out.truth;
  const pf = out.pf;
  pf.reset();
  resetTruth(t);
  t.process = proc.kind;
  t.generatorTrials = trials;
  t.weight = 1;
  t.hardScale = DIJET_TRUTH.hardMass;
  t.passedGeneratorFilter = true;
  t.leadingGenLeptonPt = leadingLeptonPt(gen);
  t.nPileup = rng.poisson(cfg.meanPileup);
  detectorResponse(gen, pf, rng);
  t.invisiblePx = INVISIBLE.px;
  t.invisiblePy = INVISIBLE.py;
  addUnderlyingEventAndPileup(pf, rng, t.nPileup, cfg.sqrtS);
  t.detectorSimulated = true;
}
