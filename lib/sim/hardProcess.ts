/**
 * Hard processes of the 13 TeV single-lepton stream (paper 1 section 3): inclusive W -> l nu,
 * Z/gamma* -> l l, ttbar, QCD 2 -> 2, and the BSM benchmarks A -> 4l, LQ -> b tau,
 * h0 -> tau tau, h+ -> tau nu. Each generator appends the hard-process particles to a
 * {@link GenParticles} record: resonances (status hard, decayed), leptons and neutrinos
 * (final; taus already decayed), coloured partons (status parton, for the shower) including
 * the initial-state-radiation partons that balance the hard system's transverse momentum.
 *
 * This is not a matrix-element generator: production kinematics are parametrised from
 * measured/LO-typical shapes (sources next to each parameter), decays use the correct line
 * shapes (relativistic Breit-Wigner) and angular distributions (V-A for W, 1 + cos^2 for
 * Z/gamma*, SM W helicities in top decays). Parton luminosities enter only through those
 * parametrised shapes.
 *
 * Units: GeV, radians.
 */
import type { SimRandom } from "./random.ts";
import { BR_W, MASS, PDG, WIDTH } from "./constants.ts";
import {
  chooseWMode,
  decayBosonToFermions,
  decayTau,
  decayTop,
  decayTwoBodyAxis,
  decayW,
  W_MODE,
} from "./decays.ts";
import { BOOSTED, boostToRestFrameOf, boostVec, pushPtYPhiM, twoBodyP } from "./kinematics.ts";
import { type GenParticles, ORIGIN, STATUS } from "./particles.ts";
import { beamThetaMax } from "./shower.ts";

const TWO_PI = 2 * Math.PI;

// ---------------------------------------------------------------------------------------
// Shared kinematic samplers
// ---------------------------------------------------------------------------------------

/**
 * Transverse momentum of a colour-singlet system recoiling against initial-state radiation:
 * density ~ pT / (pT^2 + p0^2)^alpha, sampled exactly by inverting the CDF
 * 1 - (p0^2 / (pT^2 + p0^2))^(alpha - 1). Peaks at p0 / sqrt(2 alpha - 1) with a power-law
 * tail pT^(1 - 2 alpha) (PHYSICS.md "boson pT peaks at a few GeV with a power-law tail").
 */
export function sampleRecoilPt(rng: SimRandom, p0: number, alpha: number, ptMax: number): number {
  for (;;) {
    const u = rng.uniformPositive();
    const pt = p0 * Math.sqrt(Math.pow(u, -1 / (alpha - 1)) - 1);
    if (pt < ptMax) return pt;
  }
}

/**
 * W/Z/gamma* pT spectrum: p0 = 5 GeV, alpha = 1.7 gives a peak at 3.4 GeV, ~8 % above 30 GeV
 * and ~1.5 % above 100 GeV, close to the measured 13 TeV W/Z pT spectra (ATLAS, EPJC 80 (2020)
 * 616; CMS, JHEP 12 (2019) 061).
 */
export const DY_PT = { p0: 5, alpha: 1.7 } as const;
/**
 * pT of gluon-fusion scalars (A, h0): harder than Drell-Yan at the same mass (gluon
 * radiation, CA > CF): p0 = 7 GeV, alpha = 1.8 gives a peak near 4 GeV, a mean of ~16 GeV
 * and a pT^-2.6 tail (our choice, the 125 GeV Higgs pT spectrum (mean ~30 GeV) scaled down
 * to m ~ 50-60 GeV).
 */
export const GGF_PT = { p0: 7, alpha: 1.8 } as const;

/**
 * Rapidity of a produced system: Gaussian of width sigma (PHYSICS.md "rapidity roughly
 * Gaussian with width ~2"), truncated at the kinematic limit ln(sqrt(s)/m) - 0.3.
 */
export function sampleRapidity(rng: SimRandom, sigma: number, mass: number, sqrtS: number): number {
  const yMax = Math.max(Math.log(sqrtS / Math.max(mass, 1)) - 0.3, 0.5);
  for (;;) {
    const y = rng.normal(0, sigma);
    if (Math.abs(y) < yMax) return y;
  }
}

/**
 * Momentum in the pair rest frame for 2 -> 2 pair production: density ~ x^2 (1 + x^2)^-3
 * with x = p* / p0 (phase-space rise ~ p*^2 at threshold, parton-luminosity fall ~ p*^-4),
 * mean 4 p0 / pi. Sampled from a quantile table.
 */
const PSTAR_N = 4096;
const PSTAR_Q = (() => {
  // Numerical CDF on a fine grid up to x = 60, then invert.
  const nGrid = 6000, xMax = 60;
  const cdf = new Float64Array(nGrid + 1);
  const f = (x: number) => (x * x) / Math.pow(1 + x * x, 3);
  let acc = 0;
  for (let i = 1; i <= nGrid; i++) {
    const x0 = ((i - 1) * xMax) / nGrid, x1 = (i * xMax) / nGrid;
    acc += 0.5 * (f(x0) + f(x1)) * (x1 - x0);
    cdf[i] = acc;
  }
  const q = new Float64Array(PSTAR_N + 1);
  let j = 0;
  for (let k = 0; k <= PSTAR_N; k++) {
    const target = (k / PSTAR_N) * acc;
    while (j < nGrid && cdf[j + 1] < target) j++;
    const c0 = cdf[j], c1 = cdf[Math.min(j + 1, nGrid)];
    const t = c1 > c0 ? (target - c0) / (c1 - c0) : 0;
    q[k] = ((j + t) * xMax) / nGrid;
  }
  return q;
})();

/** Draw p* (GeV) for pair production with scale p0 (see PSTAR_Q). */
export function samplePairMomentum(rng: SimRandom, p0: number): number {
  const t = rng.uniform() * PSTAR_N;
  const i = t | 0;
  return p0 * (PSTAR_Q[i] + (t - i) * (PSTAR_Q[i + 1] - PSTAR_Q[i]));
}

/**
 * Append a two-body system of mass `mSys` (rest-frame momentum from the masses), with
 * daughter 1 at (cosThetaStar, phiStar) in the system rest frame (lab-parallel axes), the
 * system having (pt, y, phi) in the lab. Returns the index of daughter 1 (daughter 2 next).
 */
export function pushPair(
  gen: GenParticles,
  mSys: number,
  sysPt: number,
  sysY: number,
  sysPhi: number,
  m1: number,
  pdg1: number,
  status1: number,
  m2: number,
  pdg2: number,
  status2: number,
  cosThetaStar: number,
  phiStar: number,
): number {
  const p = twoBodyP(mSys, m1, m2);
  const st = Math.sqrt(Math.max(0, 1 - cosThetaStar * cosThetaStar));
  const qx = p * st * Math.cos(phiStar), qy = p * st * Math.sin(phiStar), qz = p * cosThetaStar;
  const mt = Math.sqrt(sysPt * sysPt + mSys * mSys);
  const E = mt * Math.cosh(sysY);
  const bx = (sysPt * Math.cos(sysPhi)) / E, by = (sysPt * Math.sin(sysPhi)) / E;
  const bz = (mt * Math.sinh(sysY)) / E;
  boostVec(qx, qy, qz, Math.sqrt(p * p + m1 * m1), bx, by, bz);
  const i1 = gen.push(BOOSTED[0], BOOSTED[1], BOOSTED[2], BOOSTED[3], m1, pdg1, status1, -1, 0);
  boostVec(-qx, -qy, -qz, Math.sqrt(p * p + m2 * m2), bx, by, bz);
  gen.push(BOOSTED[0], BOOSTED[1], BOOSTED[2], BOOSTED[3], m2, pdg2, status2, -1, 0);
  return i1;
}

/**
 * Initial-state-radiation partons balancing a hard system of transverse momentum
 * (sysPx, sysPy) at rapidity ySys: one parton when the recoil is below 15 GeV, otherwise one
 * or (with probability 0.4) two, sharing the recoil with a random split and an extra
 * back-to-back transverse kick (exponential, mean 0.3 |recoil|). Rapidities are the system's
 * plus a Gaussian of width 1.6 (ISR is emitted close to the beams' rapidity span, our
 * choice). `quarkFraction` is the probability that an ISR parton is a (light) quark (W/Z +
 * jet at the LHC is dominated by q g -> V q, ~70-80 %; ttbar + jet by g g -> tt g).
 * Partons get status parton and theta_max = {@link beamThetaMax}.
 */
export function addIsrPartons(
  gen: GenParticles,
  rng: SimRandom,
  sysPx: number,
  sysPy: number,
  ySys: number,
  quarkFraction: number,
): void {
  const rx = -sysPx, ry = -sysPy;
  const r = Math.sqrt(rx * rx + ry * ry);
  if (r < 0.3) return; // below hadronisation scales: no resolvable ISR
  const two = r > 15 && rng.uniform() < 0.4;
  if (!two) {
    pushIsr(gen, rng, rx, ry, ySys, quarkFraction);
    return;
  }
  const x = 0.2 + 0.6 * rng.uniform();
  const k = rng.exponential(0.3 * r);
  const phk = TWO_PI * rng.uniform();
  const kx = k * Math.cos(phk), ky = k * Math.sin(phk);
  pushIsr(gen, rng, x * rx + kx, x * ry + ky, ySys, quarkFraction);
  pushIsr(gen, rng, (1 - x) * rx - kx, (1 - x) * ry - ky, ySys, quarkFraction);
}

function pushIsr(
  gen: GenParticles,
  rng: SimRandom,
  px: number,
  py: number,
  ySys: number,
  quarkFraction: number,
): void {
  const pt = Math.sqrt(px * px + py * py);
  if (pt < 0.3) return;
  let y = ySys + rng.normal(0, 1.6);
  if (y > 4.5) y = 4.5;
  if (y < -4.5) y = -4.5;
  let pdg: number = PDG.g;
  if (rng.uniform() < quarkFraction) {
    const f = 1 + Math.floor(rng.uniform() * 3);
    pdg = rng.uniform() < 0.5 ? f : -f;
  }
  const i = gen.push(px, py, pt * Math.sinh(y), pt * Math.cosh(y), 0, pdg, STATUS.parton, -1, 0);
  gen.thetaMax[i] = beamThetaMax(gen, i);
}

/** Set up a colour-singlet resonance with (m, pT from a recoil spectrum, y, phi) + ISR. */
function pushSinglet(
  gen: GenParticles,
  rng: SimRandom,
  m: number,
  pdg: number,
  p0: number,
  alpha: number,
  sqrtS: number,
  isrQuarkFraction: number,
): number {
  const pt = sampleRecoilPt(rng, p0, alpha, 0.25 * sqrtS);
  const y = sampleRapidity(rng, 2.0, m, sqrtS);
  const phi = TWO_PI * rng.uniform() - Math.PI;
  const i = pushPtYPhiM(gen, pt, y, phi, m, pdg, STATUS.hard, -1, 0);
  addIsrPartons(gen, rng, gen.px[i], gen.py[i], y, isrQuarkFraction);
  return i;
}

/** Sample 1 + cos^2 theta (accept-reject). */
export function sampleOnePlusCos2(rng: SimRandom): number {
  for (;;) {
    const c = 2 * rng.uniform() - 1;
    if (2 * rng.uniform() < 1 + c * c) return c;
  }
}

/** Decay all taus (status final, |pdg| 15) from index `from` on. */
export function decayTaus(gen: GenParticles, from: number, rng: SimRandom): void {
  for (let i = from; i < gen.n; i++) {
    if (gen.status[i] === STATUS.final && (gen.pdg[i] === 15 || gen.pdg[i] === -15)) {
      decayTau(gen, i, rng);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Standard Model processes
// ---------------------------------------------------------------------------------------

/**
 * Inclusive W -> l nu (l = e, mu, tau with PDG ratios). W+ : W- = 0.574 : 0.426 (ATLAS 13 TeV
 * sigma(W+) = 11.83 nb, sigma(W-) = 8.79 nb, PLB 759 (2016) 601). Mass: relativistic
 * Breit-Wigner (80.38, 2.085) in [40, 250] GeV. pT: {@link DY_PT}; rapidity Gaussian sigma 2.
 * Lepton angle in the W rest frame w.r.t. the quark direction (V-A): (1 + cos)^2 for the l-
 * of a W-, (1 - cos)^2 for the l+ of a W+ (PHYSICS.md); the quark (valence) is taken along
 * the W's direction of motion with probability 0.5 + 0.35 tanh|y| (valence quarks carry
 * larger x; the dilution at y = 0 is complete), along the beam axis (Collins-Soper frame
 * approximated by the beam axis). Returns the W mass.
 */
export function hardW(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const plus = rng.uniform() < 0.574;
  const m = rng.relativisticBreitWigner(MASS.W, WIDTH.W, 40, 250);
  const iw = pushSinglet(gen, rng, m, plus ? PDG.W : -PDG.W, DY_PT.p0, DY_PT.alpha, sqrtS, 0.75);
  const y = rapidityOf(gen, iw);
  const lepU = rng.uniform() * (BR_W.e + BR_W.mu + BR_W.tau);
  const mode = lepU < BR_W.e ? W_MODE.e : lepU < BR_W.e + BR_W.mu ? W_MODE.mu : W_MODE.tau;
  const along = rng.uniform() < 0.5 + 0.35 * Math.tanh(Math.abs(y));
  const qz = (y >= 0) === along ? 1 : -1;
  const c0 = 2 * Math.cbrt(rng.uniform()) - 1; // (1 + c)^2
  const c = plus ? -c0 : c0;
  const first = gen.n;
  decayW(gen, iw, mode, c, 0, 0, qz, rng);
  decayTaus(gen, first, rng);
  return m;
}

/**
 * Drell-Yan Z/gamma* -> l l (l = e, mu, tau, equal rates), m(ll) > 10 GeV. The mass is a
 * mixture of the Z line shape (relativistic Breit-Wigner 91.19/2.495 in [50, 150] GeV) with
 * probability 0.25 and a gamma* continuum dsigma/dm ~ m^-3.3 on [10, 2000] GeV: the Z share
 * reproduces the ratio of the CMS 13 TeV Drell-Yan samples sigma(m > 50) = 6.0 nb to
 * sigma(10 < m < 50) = 18.6 nb (e, mu, tau together); the continuum slope is the LO gamma*
 * 1/m^3 times the falling q q-bar luminosity. This is also what makes the paper-1 Z
 * acceptance small (16 %): most events are low-mass. Lepton angle 1 + cos^2 theta w.r.t. the
 * beam axis in the rest frame (the small forward-backward asymmetry is neglected).
 * Returns m(ll).
 */
export function hardZ(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  let m: number;
  if (rng.uniform() < 0.25) {
    m = rng.relativisticBreitWigner(MASS.Z, WIDTH.Z, 50, 150);
  } else {
    // Power law m^-a on [lo, hi]: inverse CDF.
    const a = 3.3, lo = 10, hi = 2000;
    const u = rng.uniform();
    const l1 = Math.pow(lo, 1 - a), h1 = Math.pow(hi, 1 - a);
    m = Math.pow(l1 + u * (h1 - l1), 1 / (1 - a));
  }
  const iz = pushSinglet(gen, rng, m, PDG.Z, DY_PT.p0, DY_PT.alpha, sqrtS, 0.75);
  const f = rng.uniform() * 3;
  const lep = f < 1 ? PDG.e : f < 2 ? PDG.mu : PDG.tau;
  const first = gen.n;
  decayBosonToFermions(gen, iz, lep, -lep, sampleOnePlusCos2(rng), 0, 0, 1, ORIGIN.prompt, rng);
  decayTaus(gen, first, rng);
  return m;
}

/**
 * ttbar pair production: top masses from a relativistic Breit-Wigner (172.5, 1.42) in
 * [160, 185] GeV; momentum in the pair frame from {@link samplePairMomentum} with p0 = 100
 * GeV (mean p* ~ 127 GeV, hence mean top pT ~ 100 GeV and m(tt) from 345 GeV with a long
 * tail, PHYSICS.md); isotropic production angle; pair rapidity Gaussian sigma 1.0 (13 TeV
 * y(tt) spectra); pair pT from the recoil against the ISR cascade of {@link PAIR_ISR}
 * (mostly gluons).
 * Tops decay t -> b W with all W modes. Returns m(tt).
 */
export function hardTTbar(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const m1 = rng.relativisticBreitWigner(MASS.top, WIDTH.top, 160, 185);
  const m2 = rng.relativisticBreitWigner(MASS.top, WIDTH.top, 160, 185);
  const pStar = samplePairMomentum(rng, 100);
  const mSys = Math.sqrt(pStar * pStar + m1 * m1) + Math.sqrt(pStar * pStar + m2 * m2);
  const first = gen.n;
  const i1 = pushHeavyPair(gen, rng, sqrtS, mSys, m1, PDG.t, m2, -PDG.t, 1.0, 0.2);
  decayTop(gen, i1, -1, rng);
  decayTop(gen, i1 + 1, -1, rng);
  decayTaus(gen, first, rng);
  return mSys;
}

/**
 * Initial-state radiation of heavy pair production (ttbar, LQ pairs, h+ t): a pT-ordered
 * cascade of resolved emissions in the double-logarithmic approximation, whose recoil gives
 * the pair its transverse momentum (instead of drawing the pair pT and balancing it with one
 * or two partons, which under-produces ISR jets: two emissions of 40 GeV can leave the pair
 * at 10 GeV).
 *
 * Soft-collinear emission off the two incoming partons (colour factor C each, C_A = 3 for the
 * dominant g g initial state of ttbar) is uniform in rapidity and ln pT^2 inside the triangle
 * |y - y_pair| < ln(Q / pT), with density (C alpha_s(pT) / pi) dy dpT^2 / pT^2 per unit of
 * both (Ellis, Stirling & Webber, "QCD and collider physics", ch. 5 and 9), i.e.
 * dn / dt = (4 C alpha_s / pi) t with t = ln(Q / pT): n(pT > p) = (2 C alpha_s / pi)
 * ln^2(Q / p) at fixed coupling. Emissions are generated in decreasing pT with the veto
 * algorithm (alpha_s of the shower's one-loop running with alpha_s(MZ) = 0.118, frozen below
 * {@link PAIR_ISR.ptMin}) down to ptMin; the unresolved rest and the partons' primordial kT
 * are a Gaussian kT (beam remnants balance it: no visible parton). Each emission is a gluon,
 * or a light quark with probability `quarkFraction` (q g initial states), with theta_max =
 * {@link beamThetaMax} for the final-state shower.
 *
 * What the DLA misses (energy-momentum conservation, PDFs suppressing hard emissions at the
 * edge of phase space, coherence) is absorbed in the effective hard scale Q = qScale x m(pair)
 * and the overall strength; both are TUNED: qScale = 0.5 and strength = 1.25 so that ttbar
 * gets ~0.8 additional jets with pT > 30 GeV per event (CMS 13 TeV ttbar + jets, dilepton
 * channel, PRD 95 (2017) 092001: ~50 % of events with >= 1 additional jet, ~20 % with >= 2;
 * ATLAS gap fraction at Q0 = 30 GeV ~0.5), which with the four decay partons gives a mean of
 * ~3.7 reconstructed jets in lepton + jets events (>= 3.5 required by
 * tests/lib/sim/validation_test.ts; it was 2.8 with one or two recoil partons; 3.60 +- 0.03
 * with the "beam" convention of lib/sim/shower.ts `BeamShowerAngle`, whose forward ISR
 * partons do not shower into wide angles), while the
 * pair pT keeps a mean of ~65 GeV with ~35 % of events below 30 GeV (13 TeV pT(tt) spectra,
 * e.g. CMS PRD 97 (2018) 112003: mean ~65 GeV, ~40 % below 35 GeV).
 */
export const PAIR_ISR = {
  /** Effective hard scale Q = qScale x m(pair) (tuned with `strength`, see above). */
  qScale: 0.5,
  /** Multiplier of the DLA emission density (tuned on the ttbar jet multiplicity, above). */
  strength: 1.25,
  /** Colour factor of the incoming partons (C_A: g g dominates ttbar at 13 TeV, ~90 %). */
  colour: 3,
  /** Lowest resolved emission pT (GeV); softer radiation is in the Gaussian kT. */
  ptMin: 4,
  /** Gaussian kT per transverse component (GeV) of the unresolved radiation + primordial kT. */
  kTSigma: 2.5,
  /** alpha_s(MZ) of the running coupling (PDG world average). */
  alphaSMz: 0.118,
  /** Rapidity cap of ISR partons (beyond the calorimeter they are invisible anyway). */
  yMax: 4.7,
} as const;

/** Emissions of the last {@link sampleIsrCascade} call (scratch, reused). */
export const ISR_EMISSIONS = {
  n: 0,
  pt: new Float64Array(32),
  phi: new Float64Array(32),
  dy: new Float64Array(32),
  /** Recoil of the hard system: minus the sum of the emissions and the kT (GeV). */
  recoilPx: 0,
  recoilPy: 0,
};

const B0_5 = (33 - 10) / (12 * Math.PI);
function alphaSRunning(q: number, aMz: number, qFreeze: number): number {
  const qq = q > qFreeze ? q : qFreeze;
  return aMz / (1 + aMz * B0_5 * Math.log((qq * qq) / (91.1876 * 91.1876)));
}

/**
 * Large-x PDF suppression of ISR for a massive system (optional argument of
 * {@link sampleIsrCascade}). The DLA emission density knows nothing of the incoming partons'
 * momentum fractions; for a system of mass M at rapidity y_b they are
 * x1,2 = (M / sqrt(s)) e^(+-y_b), and each emission at rapidity y and transverse momentum pT
 * must be carried by one of them: by the incoming parton along +z when it lies forward of
 * the system (y > y_b), which then needs x1' = x1 + pT e^y / sqrt(s) (light-cone momentum
 * conservation), by the other one otherwise (x2' = x2 + pT e^-y / sqrt(s)). As in a
 * backward-evolution parton shower (Sjostrand, PLB 157 (1985) 321), the emission is weighted
 * by the PDF ratio f(x') / f(x); with the large-x model PDF f(x) ~ (1 - x)^b (the factor x^-a
 * is left out: it matters only for emissions taking a sizeable fraction of x, which the
 * (1 - x)^b factor already suppresses) the weight is ((1 - x') / (1 - x))^b, 0 for x' >= 1,
 * and x grows with each accepted emission (pT-ordered from the hard scale down, the order of
 * backward evolution). Negligible for t t-bar at 13 TeV (x ~ 0.03), it matters for TeV
 * systems at x ~ 0.1-0.3: for a 3.5 TeV graviton (x1 = x2 = 0.27, Q = 1.75 TeV, b = 5) the
 * median recoil pT falls from 330 to 210 GeV and the emissions above 30 GeV from 4.6 to 3.3.
 */
export interface IsrPdfSuppression {
  /** Momentum fractions of the incoming partons along +z and -z before ISR. */
  x1: number;
  x2: number;
  /** Rapidity of the hard system (emission rapidities are y_b + dy). */
  yBoost: number;
  /** Centre-of-mass energy (GeV). */
  sqrtS: number;
  /** Exponent b of the large-x fall-off (1 - x)^b of the model PDF. */
  largeXPower: number;
}

/**
 * Draw the ISR emissions of a hard system of scale `q` (GeV) into {@link ISR_EMISSIONS}
 * (pT, azimuth, rapidity offset from the system) and the system's recoil; see
 * {@link PAIR_ISR} for the model and {@link IsrPdfSuppression} for the optional large-x veto
 * (without it the random-number sequence is that of the plain DLA cascade). At most 32
 * emissions are kept (never reached in practice).
 */
export function sampleIsrCascade(
  rng: SimRandom,
  q: number,
  colour: number,
  strength: number,
  p: typeof PAIR_ISR = PAIR_ISR,
  pdf?: Readonly<IsrPdfSuppression>,
): void {
  const out = ISR_EMISSIONS;
  out.n = 0;
  let sx = rng.normal(0, p.kTSigma), sy = rng.normal(0, p.kTSigma);
  let x1 = 0, x2 = 0;
  if (pdf !== undefined) {
    x1 = pdf.x1;
    x2 = pdf.x2;
    if (!(x1 > 0 && x1 < 1 && x2 > 0 && x2 < 1 && pdf.largeXPower >= 0 && pdf.sqrtS > 0)) {
      throw new RangeError(
        `sampleIsrCascade: PDF suppression needs 0 < x1, x2 < 1, b >= 0 and sqrtS > 0 ` +
          `(got x1 = ${x1}, x2 = ${x2}, b = ${pdf.largeXPower}, sqrtS = ${pdf.sqrtS} GeV)`,
      );
    }
  }
  if (q > p.ptMin) {
    const aMax = alphaSRunning(p.ptMin, p.alphaSMz, p.ptMin);
    const a = (4 * colour * aMax * strength) / Math.PI;
    const tMax = Math.log(q / p.ptMin);
    let t2 = 0;
    for (;;) {
      t2 += (-2 * Math.log(rng.uniformPositive())) / a;
      const t = Math.sqrt(t2);
      if (t >= tMax) break;
      const pt = q * Math.exp(-t);
      if (rng.uniform() * aMax > alphaSRunning(pt, p.alphaSMz, p.ptMin)) continue;
      if (out.n === out.pt.length) break;
      const phi = TWO_PI * rng.uniform() - Math.PI;
      const dy = t * (2 * rng.uniform() - 1);
      if (pdf !== undefined) {
        // Light-cone momentum fraction taken from the leg on the emission's side.
        const forward = dy > 0;
        const xOld = forward ? x1 : x2;
        const xNew = xOld +
          (pt * Math.exp(forward ? pdf.yBoost + dy : -pdf.yBoost - dy)) / pdf.sqrtS;
        const w = xNew >= 1 ? 0 : Math.pow((1 - xNew) / (1 - xOld), pdf.largeXPower);
        if (rng.uniform() >= w) continue;
        if (forward) x1 = xNew;
        else x2 = xNew;
      }
      const k = out.n++;
      out.pt[k] = pt;
      out.phi[k] = phi;
      out.dy[k] = dy;
      sx += pt * Math.cos(phi);
      sy += pt * Math.sin(phi);
    }
  }
  out.recoilPx = -sx;
  out.recoilPy = -sy;
}

/**
 * Append the emissions of the last {@link sampleIsrCascade} as partons around rapidity
 * `ySys`, clamped to |y| <= `yMax` (gluons, or light quarks with probability
 * `quarkFraction`), theta_max = {@link beamThetaMax}. Shared with lib/sim/dijet.ts and lib/sim/rmmStream.ts.
 */
export function pushIsrEmissions(
  gen: GenParticles,
  rng: SimRandom,
  ySys: number,
  quarkFraction: number,
  yMax: number,
): void {
  const em = ISR_EMISSIONS;
  for (let k = 0; k < em.n; k++) {
    const pt = em.pt[k];
    let y = ySys + em.dy[k];
    if (y > yMax) y = yMax;
    else if (y < -yMax) y = -yMax;
    let pdg: number = PDG.g;
    if (rng.uniform() < quarkFraction) {
      const f = 1 + Math.floor(rng.uniform() * 3);
      pdg = rng.uniform() < 0.5 ? f : -f;
    }
    const i = gen.push(
      pt * Math.cos(em.phi[k]),
      pt * Math.sin(em.phi[k]),
      pt * Math.sinh(y),
      pt * Math.cosh(y),
      0,
      pdg,
      STATUS.parton,
      -1,
      0,
    );
    gen.thetaMax[i] = beamThetaMax(gen, i);
  }
}

/**
 * A pair of heavy particles (status hard) recoiling against the ISR cascade of
 * {@link PAIR_ISR} (scale Q = qScale x mSys).
 */
function pushHeavyPair(
  gen: GenParticles,
  rng: SimRandom,
  sqrtS: number,
  mSys: number,
  m1: number,
  pdg1: number,
  m2: number,
  pdg2: number,
  ySigma: number,
  isrQuarkFraction: number,
): number {
  sampleIsrCascade(rng, PAIR_ISR.qScale * mSys, PAIR_ISR.colour, PAIR_ISR.strength);
  const rx = ISR_EMISSIONS.recoilPx, ry = ISR_EMISSIONS.recoilPy;
  const pt = Math.min(Math.sqrt(rx * rx + ry * ry), 0.25 * sqrtS);
  const y = sampleRapidity(rng, ySigma, mSys, sqrtS);
  const phi = Math.atan2(ry, rx);
  const i1 = pushPair(
    gen,
    mSys,
    pt,
    y,
    phi,
    m1,
    pdg1,
    STATUS.hard,
    m2,
    pdg2,
    STATUS.hard,
    2 * rng.uniform() - 1,
    TWO_PI * rng.uniform(),
  );
  pushIsrEmissions(gen, rng, y, isrQuarkFraction, PAIR_ISR.yMax);
  return i1;
}

function rapidityOf(gen: GenParticles, i: number): number {
  const e = gen.e[i], pz = gen.pz[i];
  return 0.5 * Math.log((e + pz) / (e - pz));
}

// ---------------------------------------------------------------------------------------
// QCD 2 -> 2
// ---------------------------------------------------------------------------------------

/**
 * QCD 2 -> 2 settings.
 *
 * Phase space: paper 1 quotes sigma = 1.6e5 nb for its QCD sample (with sqrt(s-hat) >
 * 10 GeV). In LO PYTHIA 8 at 13 TeV that cross section is the one of pT-hat > ~30 GeV (the
 * CMS QCD_Pt_30to50 ... samples sum to ~1.6e5 nb), so we generate pT-hat > 30 GeV and
 * treat this as the paper's QCD sample; the filter acceptance is computed per event of this
 * phase space. (Events with lower pT-hat rarely give a lepton above 22 GeV.)
 *
 * Spectrum: dsigma/dpT-hat ~ pT-hat^-4.9 (1 - xT)^6, xT = 2 pT-hat / sqrt(s) (the slope of
 * the CMS 13 TeV binned QCD cross sections, PHYSICS.md "pT^-(4.5...5) at low pT and faster at
 * high x"). Rapidities: boost of the pair and half the rapidity difference are independent
 * Gaussians of width 1.2 (flat-ish chi for central events; our parametrisation), with
 * x1, x2 < 1 enforced.
 *
 * Flavour: each event is one of: b b-bar (flavour creation, 0.5 %), c c-bar (1 %), one b
 * jet (flavour excitation / gluon splitting, 2.5 %), one c jet (8 %), or light (88 %),
 * giving per-jet b and c fractions of 1.75 % and 5 % (measured LHC b-jet fraction of
 * inclusive jets ~1-3 %, e.g. CMS JHEP 04 (2012) 084, c ~ 2-3 times b). Light partons are
 * gluons with probability 0.6, else u, d, s quarks (LO gluon share of jets at pT ~ 50 GeV).
 */
export const QCD = {
  ptHatMin: 30,
  ptSlope: 4.9,
  highXPower: 6,
  yBoostSigma: 1.2,
  yStarSigma: 1.2,
  /** Probabilities of the heavy-flavour categories: bb, cc, b, c. */
  hfCategory: Float64Array.from([0.005, 0.01, 0.025, 0.08]),
  gluonFraction: 0.6,
  /** Recoil of the dijet system against extra radiation (p0 GeV, alpha). */
  recoil: { p0: 8, alpha: 1.7 },
} as const;

/** Total probability of a heavy-flavour category. */
export const QCD_P_HF = QCD.hfCategory.reduce((a, b) => a + b, 0);

/** Kinematics of one QCD 2 -> 2 draw (scratch, reused). */
export const QCD_EVENT = {
  ptHat: 0,
  y3: 0,
  y4: 0,
  phi: 0,
  sysPt: 0,
  sysPhi: 0,
  pdg3: 0,
  pdg4: 0,
};

function lightParton(rng: SimRandom): number {
  if (rng.uniform() < QCD.gluonFraction) return PDG.g;
  const f = 1 + Math.floor(rng.uniform() * 3);
  return rng.uniform() < 0.5 ? f : -f;
}

/**
 * Draw the flavours of a QCD 2 -> 2 into {@link QCD_EVENT}. With `forceHf`, the flavour is
 * drawn from the heavy-flavour categories only (conditional on heavy flavour; the caller
 * accounts for the probability {@link QCD_P_HF}); a heavy-flavour parton is always pdg3.
 */
export function sampleQcdFlavours(rng: SimRandom, forceHf: boolean): void {
  const u = rng.uniform() * (forceHf ? QCD_P_HF : 1);
  const h = QCD.hfCategory;
  const sgn = rng.uniform() < 0.5 ? 1 : -1;
  if (u < h[0]) {
    QCD_EVENT.pdg3 = sgn * PDG.b;
    QCD_EVENT.pdg4 = -sgn * PDG.b;
  } else if (u < h[0] + h[1]) {
    QCD_EVENT.pdg3 = sgn * PDG.c;
    QCD_EVENT.pdg4 = -sgn * PDG.c;
  } else if (u < h[0] + h[1] + h[2]) {
    QCD_EVENT.pdg3 = sgn * PDG.b;
    QCD_EVENT.pdg4 = lightParton(rng);
  } else if (u < QCD_P_HF) {
    QCD_EVENT.pdg3 = sgn * PDG.c;
    QCD_EVENT.pdg4 = lightParton(rng);
  } else {
    QCD_EVENT.pdg3 = lightParton(rng);
    QCD_EVENT.pdg4 = lightParton(rng);
  }
}

/**
 * Draw the kinematics of a QCD 2 -> 2 into {@link QCD_EVENT} (pT-hat, rapidities, azimuth,
 * recoil of the pair); independent of the flavours.
 *
 * `ptHatMin` (GeV, default {@link QCD}.ptHatMin) is the lower edge of the generated pT-hat: a
 * pT-hat SLICE of the same spectrum. The proposal is a pure power law, whose shape above any
 * threshold does not depend on the threshold, and the accept-reject factors depend only on the
 * drawn kinematics, so events drawn with ptHatMin = c follow the inclusive distribution
 * restricted to pT-hat > c exactly; the slice's share of the inclusive cross section is the
 * inclusive probability of pT-hat > c (lib/sim/rmmStream.ts `qcdPtHatSliceFraction`). The
 * default draws exactly as before (same arithmetic, same random numbers).
 */
export function sampleQcdKinematics(
  rng: SimRandom,
  sqrtS: number,
  ptHatMin: number = QCD.ptHatMin,
): void {
  if (!(ptHatMin >= QCD.ptHatMin) || !(2 * ptHatMin < sqrtS)) {
    throw new RangeError(
      `sampleQcdKinematics: ptHatMin ${ptHatMin} GeV outside [${QCD.ptHatMin}, sqrt(s)/2)`,
    );
  }
  const n1 = QCD.ptSlope - 1;
  for (;;) {
    const pt = ptHatMin * Math.pow(rng.uniformPositive(), -1 / n1);
    const xt = (2 * pt) / sqrtS;
    if (xt >= 1) continue;
    if (rng.uniform() > Math.pow(1 - xt, QCD.highXPower)) continue;
    const yb = rng.normal(0, QCD.yBoostSigma);
    const ys = rng.normal(0, QCD.yStarSigma);
    const y3 = yb + ys, y4 = yb - ys;
    const x1 = (pt / sqrtS) * (Math.exp(y3) + Math.exp(y4));
    const x2 = (pt / sqrtS) * (Math.exp(-y3) + Math.exp(-y4));
    if (x1 >= 1 || x2 >= 1) continue;
    QCD_EVENT.ptHat = pt;
    QCD_EVENT.y3 = y3;
    QCD_EVENT.y4 = y4;
    break;
  }
  QCD_EVENT.phi = TWO_PI * rng.uniform() - Math.PI;
  QCD_EVENT.sysPt = sampleRecoilPt(rng, QCD.recoil.p0, QCD.recoil.alpha, QCD_EVENT.ptHat);
  QCD_EVENT.sysPhi = TWO_PI * rng.uniform() - Math.PI;
}

/**
 * Push outgoing parton `which` (0: pdg3 at y3, 1: pdg4 at y4) of {@link QCD_EVENT}, with the
 * dijet system's recoil shared equally, status parton, theta_max = {@link beamThetaMax}.
 */
export function pushQcdParton(gen: GenParticles, which: 0 | 1): number {
  const ev = QCD_EVENT;
  const phi = which === 0 ? ev.phi : ev.phi + Math.PI;
  const y = which === 0 ? ev.y3 : ev.y4;
  const px = ev.ptHat * Math.cos(phi) + 0.5 * ev.sysPt * Math.cos(ev.sysPhi);
  const py = ev.ptHat * Math.sin(phi) + 0.5 * ev.sysPt * Math.sin(ev.sysPhi);
  const pt = Math.sqrt(px * px + py * py);
  const pdg = which === 0 ? ev.pdg3 : ev.pdg4;
  const ap = pdg < 0 ? -pdg : pdg;
  const m = ap === PDG.b ? MASS.b : ap === PDG.c ? MASS.c : 0;
  const mt = Math.sqrt(pt * pt + m * m);
  const i = gen.push(px, py, mt * Math.sinh(y), mt * Math.cosh(y), m, pdg, STATUS.parton, -1, 0);
  gen.thetaMax[i] = beamThetaMax(gen, i);
  return i;
}

/** Push the ISR partons balancing the dijet recoil of {@link QCD_EVENT}. */
export function pushQcdIsr(gen: GenParticles, rng: SimRandom): void {
  const ev = QCD_EVENT;
  addIsrPartons(
    gen,
    rng,
    ev.sysPt * Math.cos(ev.sysPhi),
    ev.sysPt * Math.sin(ev.sysPhi),
    0.5 * (ev.y3 + ev.y4),
    0.4,
  );
}

// ---------------------------------------------------------------------------------------
// BSM benchmarks of paper 1
// ---------------------------------------------------------------------------------------

/** BSM benchmark masses (paper 1 section 3). */
export const BSM = {
  mA: 50,
  mLQ: 80,
  mH0: 60,
  mHCharged: 60,
  /**
   * Fraction of pair production in the leptoquark sample (the rest is single production
   * b g -> LQ tau). Paper 1 used "any direct production mechanism implemented in PYTHIA8",
   * i.e. PYTHIA 8's LeptoQuark:all: q l -> LQ (needs a lepton from the beam, absent with
   * proton PDFs), q g -> LQ l, and g g, q q-bar -> LQ LQ-bar. Pair production is pure QCD
   * (a few nb for a colour-triplet scalar of 80 GeV at 13 TeV; the top-squark pair cross
   * section is ~1.5 nb at 100 GeV), while single production goes with the LQ Yukawa
   * coupling, lambda^2 / 4 pi = alpha_em in PYTHIA (LeptoQuark:kCoup = 1), and the small
   * b-quark density: our rough estimate is that pair production makes >= 90 % of the
   * sample, hence 0.9 (it was 0.5, "our choice"). Pair events (two b tau) pass the filter
   * more often (18 %) than single ones (15 %): acceptance 16.7 % -> 18 % (paper 1: 19 %).
   */
  lqPairFraction: 0.9,
  /** Share of s-channel c s-bar -> h+ in the h+ sample (TUNED, see hardHChargedToTauNu). */
  hChargedSChannelFraction: 0.4,
} as const;

/**
 * A -> Z* Z* -> 4l with m_A = 50 GeV (paper 1): gluon-fusion production with pT from
 * {@link GGF_PT}, rapidity Gaussian sigma 2.
 *
 * Decay as PYTHIA 8 makes it (the paper's generator; its A is PYTHIA's CP-odd A0, PDG 36):
 * - the two off-shell masses are drawn as in PYTHIA 8's ResonanceDecays::pickMasses for
 *   A0 -> Z Z ("psMode 6"): Breit-Wigners in m^2 (Z mass and width) times the CP-odd
 *   threshold factor lambda^(3/2) x1 x2, x_i = m_i^2 / m_A^2, lambda = (1 - x1 - x2)^2 -
 *   4 x1 x2 (the P-wave of the epsilon-tensor coupling A Z Z~: |M|^2 ~ lambda, with the
 *   Z* -> l l widths ~ m_i giving the x1 x2), i.e. per dm1 dm2 a density ~ m1^3 m2^3
 *   lambda^(3/2) / (BW1 BW2), and each mass above the PYTHIA 8 default Z0 mMin = 10 GeV
 *   (ParticleData.xml), so m1, m2 in [10, 40] GeV with m1 + m2 < m_A. This favours two Z* of
 *   ~20 GeV nearly at rest in the A frame: the leptons then carry 5-20 GeV each, and an A at
 *   rest almost never gives the 22 GeV filter lepton. (The previous parametrisation, a
 *   CP-even-like m1 m2 p* weight down to m = 2 m_mu, let light Z* carry up to ~24 GeV
 *   leptons.) The acceptance falls from 19 % to 16 % (paper 1: 5 %; the rest of the
 *   difference is discussed in lib/sim/generator.ts).
 * - each Z* -> e e or mu mu (equal), lepton angle 1 + cos^2 theta w.r.t. the Z* helicity
 *   axis (its direction in the A rest frame): the Z* of a CP-odd scalar are transversely
 *   polarised (helicity amplitudes A_00 = 0, A_++ = -A_--), which for leptons (small
 *   axial asymmetry) averages to 1 + cos^2 theta; the correlation between the two Z* decay
 *   planes is neglected.
 * Returns m_A.
 */
export function hardAto4l(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const mA = BSM.mA;
  const ia = pushSinglet(gen, rng, mA, PDG.A, GGF_PT.p0, GGF_PT.alpha, sqrtS, 0.2);
  sampleOffShellPair(rng, mA);
  const iz = decayTwoBodyAxis(
    gen,
    ia,
    OFFSHELL[0],
    PDG.Z,
    OFFSHELL[1],
    PDG.Z,
    2 * rng.uniform() - 1,
    0,
    0,
    1,
    STATUS.hard,
    ORIGIN.prompt,
    rng,
  );
  for (let k = 0; k < 2; k++) {
    const lep = rng.uniform() < 0.5 ? PDG.e : PDG.mu;
    // Helicity axis: minus the A direction in the Z* rest frame.
    const z = iz + k;
    boostToRestFrameOf(gen, ia, z);
    const na = Math.hypot(BOOSTED[0], BOOSTED[1], BOOSTED[2]);
    decayBosonToFermions(
      gen,
      z,
      lep,
      -lep,
      sampleOnePlusCos2(rng),
      -BOOSTED[0] / na,
      -BOOSTED[1] / na,
      -BOOSTED[2] / na,
      ORIGIN.prompt,
      rng,
    );
  }
  return mA;
}

/** A -> Z* Z* settings (see {@link hardAto4l}). */
export const A_TO_ZZ = {
  /** Lowest Z* mass (GeV): PYTHIA 8's default Z0 mMin (ParticleData.xml). */
  zStarMassMin: 10,
} as const;

const OFFSHELL = new Float64Array(2);
let offshellMax = 0;

/** PYTHIA 8 psMode-6 density of (m1, m2) per dm1 dm2 for A0 -> Z* Z* (unnormalised). */
function offshellWeight(mA: number, m1: number, m2: number): number {
  const mz2 = MASS.Z * MASS.Z, mg2 = mz2 * WIDTH.Z * WIDTH.Z;
  const x1 = (m1 * m1) / (mA * mA), x2 = (m2 * m2) / (mA * mA);
  const s = 1 - x1 - x2;
  const lam = s * s - 4 * x1 * x2;
  if (!(s > 0) || !(lam > 0)) return 0;
  const d1 = m1 * m1 - mz2, d2 = m2 * m2 - mz2;
  return (m1 * m2 * x1 * x2 * lam * Math.sqrt(lam)) / ((d1 * d1 + mg2) * (d2 * d2 + mg2));
}

function sampleOffShellPair(rng: SimRandom, mA: number): void {
  const lo = A_TO_ZZ.zStarMassMin, hi = mA - lo;
  if (offshellMax === 0) {
    for (let i = 0; i <= 200; i++) {
      for (let j = 0; j <= 200; j++) {
        const m1 = lo + ((hi - lo) * i) / 200, m2 = lo + ((hi - lo) * j) / 200;
        offshellMax = Math.max(offshellMax, offshellWeight(mA, m1, m2));
      }
    }
    offshellMax *= 1.2;
  }
  for (;;) {
    const m1 = lo + (hi - lo) * rng.uniform();
    const m2 = lo + (hi - lo) * rng.uniform();
    if (m1 + m2 >= mA) continue;
    if (rng.uniform() * offshellMax < offshellWeight(mA, m1, m2)) {
      OFFSHELL[0] = m1;
      OFFSHELL[1] = m2;
      return;
    }
  }
}

/**
 * Leptoquark LQ -> b tau, m = 80 GeV (paper 1): with probability {@link BSM.lqPairFraction}
 * pair production (p* scale 50 GeV, like ttbar scaled to the lower mass), otherwise single
 * production b g -> LQ tau (p* scale 40 GeV). Scalar: isotropic decays. Returns the system
 * mass.
 */
export function hardLeptoquark(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const m = BSM.mLQ;
  const first = gen.n;
  let mSys: number;
  if (rng.uniform() < BSM.lqPairFraction) {
    const p = samplePairMomentum(rng, 50);
    mSys = 2 * Math.sqrt(p * p + m * m);
    const i1 = pushHeavyPair(gen, rng, sqrtS, mSys, m, PDG.LQ, m, -PDG.LQ, 1.4, 0.2);
    decayLq(gen, i1, rng);
    decayLq(gen, i1 + 1, rng);
  } else {
    const p = samplePairMomentum(rng, 40);
    mSys = Math.sqrt(p * p + m * m) + Math.sqrt(p * p + MASS.tau * MASS.tau);
    const sgn = rng.uniform() < 0.5 ? 1 : -1;
    const i1 = pushHeavyPair(
      gen,
      rng,
      sqrtS,
      mSys,
      m,
      sgn * PDG.LQ,
      MASS.tau,
      sgn * PDG.tau,
      1.6,
      0.3,
    );
    gen.status[i1 + 1] = STATUS.final;
    gen.origin[i1 + 1] = ORIGIN.prompt;
    decayLq(gen, i1, rng);
  }
  decayTaus(gen, first, rng);
  return mSys;
}

function decayLq(gen: GenParticles, i: number, rng: SimRandom): void {
  const sgn = gen.pdg[i] > 0 ? 1 : -1;
  const ib = decayTwoBodyAxis(
    gen,
    i,
    MASS.b,
    sgn * PDG.b,
    MASS.tau,
    -sgn * PDG.tau,
    2 * rng.uniform() - 1,
    0,
    0,
    1,
    STATUS.parton,
    ORIGIN.prompt,
    rng,
  );
  gen.origin[ib] = 0;
  gen.thetaMax[ib] = 1.0;
  gen.frame[ib] = i;
  gen.status[ib + 1] = STATUS.final;
}

/**
 * Production mechanisms of the neutral scalar h0 (m = 60 GeV) of paper 1. Its name and
 * code are PYTHIA 8's SM Higgs ("h0", PDG 25), so "any direct production mechanism
 * implemented in PYTHIA8" (paper 1 section 3) is the SM Higgs production at this mass:
 * gluon fusion, vector-boson fusion, W h, Z h and t t-bar h (PYTHIA 8's HiggsSM:all; its
 * ff-bar -> h0, mostly b b-bar, and gamma gamma -> h0 are negligible). The shares are our
 * rough estimates of the LO cross sections at 13 TeV for m = 60 GeV: the LHC Higgs Cross
 * Section Working Group values at 125 GeV (CERN-2017-002, YR4: ggF 48.6 pb, VBF 3.78 pb,
 * W h 1.37 pb, Z h 0.88 pb, tth 0.51 pb) scaled to 60 GeV with the growth of the parton
 * luminosities at the lower mass (our estimates: ggF x ~3.2, VBF x ~1.6, W h x ~5.5, Z h
 * x ~5, tth x ~2) and divided by the higher-order K-factors that a LO generator lacks
 * (ggF ~2.3, VBF ~1.05, V h ~1.25): ggF ~67, VBF ~5.7, W h ~6, Z h ~3.5, tth ~0.8 pb, i.e.
 * 81 / 7 / 7 / 4 / 1 %. t t-bar h (1 %) is not generated (its
 * share is given to gluon fusion). The associated W h / Z h events supply a W or Z lepton
 * and the VBF h0 recoils against two tag jets (pT ~ 50 GeV): acceptance W h 28 %, Z h 19 %,
 * VBF ~16 %, gluon fusion 4.4 %. Together they raise the generator-filter acceptance from
 * 4.1 % (gluon fusion alone) to 7.6 % and the trigger efficiency from 58 % to 65 % (paper
 * 1 Table 1: 9 % and 70 %); nothing here is tuned to those numbers.
 */
export const H0_PRODUCTION = {
  /** Share of vector-boson fusion q q -> q q h0 (estimate above). */
  vbf: 0.07,
  /** Share of q q-bar' -> W h0 (estimate above). */
  wh: 0.07,
  /** Share of q q-bar -> Z h0 (estimate above). */
  zh: 0.04,
} as const;

/**
 * Vector-boson-fusion kinematics (our parametrisation of LO VBF at 13 TeV): each tag quark
 * has pT with density ~ pT / (pT^2 + p0^2)^alpha, p0 = 40 GeV ~ m_W / 2, alpha = 2 (median
 * 40 GeV, pT^-3 tail: the t-channel W/Z propagator sets the scale; 13 TeV VBF tag jets have
 * pT ~ 30-100 GeV), azimuths independent, the h0 balancing both (pT ~ 50 GeV); h0
 * rapidity Gaussian sigma 1.5 (VBF scalars are more central than gluon-fusion ones); the
 * tag quarks at y_h0 +- (2.25 + 0.6 N(0, 1)) each, so |delta y_jj| ~ 4.5 +- 1.2 (the
 * forward-backward tag-jet topology of VBF, delta eta_jj ~ 4-5 at 13 TeV).
 */
export const VBF = {
  tagPt0: 40,
  tagAlpha: 2,
  ySigma: 1.5,
  tagDyMean: 2.25,
  tagDySigma: 0.6,
} as const;

/**
 * Neutral scalar h0 -> tau tau, m = 60 GeV (paper 1), isotropic decay. Production (shares
 * {@link H0_PRODUCTION}): gluon fusion ({@link GGF_PT}, rapidity sigma 2), VBF
 * ({@link VBF}), W h0 and Z h0 ({@link hardVh}; the W and Z decay in all their modes).
 * Returns the h0 mass.
 */
export function hardH0ToTauTau(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const m = BSM.mH0;
  const u = rng.uniform();
  const f = H0_PRODUCTION;
  let ih: number;
  if (u < f.vbf) ih = pushVbfScalar(gen, rng, m, PDG.h0, sqrtS);
  else if (u < f.vbf + f.wh) ih = hardVh(gen, rng, m, PDG.h0, true, sqrtS);
  else if (u < f.vbf + f.wh + f.zh) ih = hardVh(gen, rng, m, PDG.h0, false, sqrtS);
  else ih = pushSinglet(gen, rng, m, PDG.h0, GGF_PT.p0, GGF_PT.alpha, sqrtS, 0.2);
  decayTwoBodyAxis(
    gen,
    ih,
    MASS.tau,
    PDG.tau,
    MASS.tau,
    -PDG.tau,
    2 * rng.uniform() - 1,
    0,
    0,
    1,
    STATUS.final,
    ORIGIN.prompt,
    rng,
  );
  // All taus: the h0's and those of a W / Z -> tau decay.
  decayTaus(gen, 0, rng);
  return m;
}

/**
 * A scalar of mass m produced in vector-boson fusion (see {@link VBF}): the scalar (status
 * hard) and two light tag quarks (status parton, theta_max = {@link beamThetaMax}). Returns the scalar.
 */
function pushVbfScalar(
  gen: GenParticles,
  rng: SimRandom,
  m: number,
  pdg: number,
  sqrtS: number,
): number {
  const k1 = sampleRecoilPt(rng, VBF.tagPt0, VBF.tagAlpha, 0.25 * sqrtS);
  const f1 = TWO_PI * rng.uniform() - Math.PI;
  const k2 = sampleRecoilPt(rng, VBF.tagPt0, VBF.tagAlpha, 0.25 * sqrtS);
  const f2 = TWO_PI * rng.uniform() - Math.PI;
  const x1 = k1 * Math.cos(f1), y1 = k1 * Math.sin(f1);
  const x2 = k2 * Math.cos(f2), y2 = k2 * Math.sin(f2);
  const hx = -(x1 + x2), hy = -(y1 + y2);
  const yh = sampleRapidity(rng, VBF.ySigma, m, sqrtS);
  const ih = pushPtYPhiM(
    gen,
    Math.hypot(hx, hy),
    yh,
    Math.atan2(hy, hx),
    m,
    pdg,
    STATUS.hard,
    -1,
    0,
  );
  for (let j = 0; j < 2; j++) {
    const d = Math.max(0.3, VBF.tagDyMean + VBF.tagDySigma * rng.normal());
    let y = j === 0 ? yh + d : yh - d;
    if (y > PAIR_ISR.yMax) y = PAIR_ISR.yMax;
    else if (y < -PAIR_ISR.yMax) y = -PAIR_ISR.yMax;
    const px = j === 0 ? x1 : x2, py = j === 0 ? y1 : y2;
    const pt = j === 0 ? k1 : k2;
    // Valence u or d quark (the VBF initial state is dominated by valence quarks).
    const q = rng.uniform() < 0.6 ? PDG.u : PDG.d;
    const i = gen.push(px, py, pt * Math.sinh(y), pt * Math.cosh(y), 0, q, STATUS.parton, -1, 0);
    gen.thetaMax[i] = beamThetaMax(gen, i);
  }
  return ih;
}

/**
 * Z -> f f-bar branching ratios (PDG / PHYSICS.md): e e 3.363 %, mu mu 3.366 %, tau tau
 * 3.370 %, invisible 20.0 %, hadrons 69.91 % shared as R_b = 0.2163, R_c = 0.1721 (PDG) and
 * the rest over d, s, u in the ratio of their SM partial widths (down-type 0.22, up-type
 * 0.17 of hadrons each).
 */
const Z_DECAY_CUM = (() => {
  const had = 0.6991;
  const rest = had * (1 - 0.2163 - 0.1721);
  const w = [
    [PDG.e, 0.03363],
    [PDG.mu, 0.03366],
    [PDG.tau, 0.0337],
    [PDG.nuE, 0.2 / 3],
    [PDG.nuMu, 0.2 / 3],
    [PDG.nuTau, 0.2 / 3],
    [PDG.b, had * 0.2163],
    [PDG.c, had * 0.1721],
    [PDG.d, (rest * 0.22) / 0.61],
    [PDG.s, (rest * 0.22) / 0.61],
    [PDG.u, (rest * 0.17) / 0.61],
  ];
  const tot = w.reduce((a, x) => a + x[1], 0);
  let acc = 0;
  return w.map(([pdg, b]) => [pdg, acc += b / tot] as const);
})();

function chooseZFermion(rng: SimRandom): number {
  const u = rng.uniform();
  for (const [pdg, c] of Z_DECAY_CUM) if (u < c) return pdg;
  return PDG.u;
}

/**
 * Associated production q q-bar' -> W* -> W h (`isW`) or q q-bar -> Z* -> Z h of a scalar of
 * mass m (status hard; returned). The V h mass m_Vh follows dsigma/dm ~ m^-1.3 x
 * sigma-hat(m^2): the q q-bar luminosity slope of the Drell-Yan continuum of
 * {@link hardZ} (m^-3.3 = LO gamma* 1 / m^2 x luminosity) times the LO Higgs-strahlung
 * sigma-hat ~ (1 / s) lambda^(1/2) (lambda + 12 x) / (1 - x)^2, x = m_V^2 / s, lambda =
 * lambda(1, x, m^2 / s) (e.g. A. Djouadi, Phys. Rept. 457 (2008) 1, section 3), with the
 * production angle dsigma / dcos ~ lambda sin^2 theta + 8 x (longitudinal and transverse
 * V; it integrates to the lambda + 12 x above). The system has the Drell-Yan pT
 * ({@link DY_PT}) and rapidity (Gaussian sigma 2) and recoils against ISR partons as W/Z
 * do. The V (Breit-Wigner mass within 15 GeV of the pole) decays in all its modes
 * (isotropically: its polarisation is neglected).
 */
function hardVh(
  gen: GenParticles,
  rng: SimRandom,
  m: number,
  pdg: number,
  isW: boolean,
  sqrtS: number,
): number {
  const mV0 = isW ? MASS.W : MASS.Z, wV = isW ? WIDTH.W : WIDTH.Z;
  const mV = rng.relativisticBreitWigner(mV0, wV, mV0 - 15, mV0 + 15);
  const lo = mV + m + 1;
  const r = mV * mV;
  const wMax = vhWeightMax(mV0, m);
  let mSys = lo, lam = 0;
  for (;;) {
    // Proposal m^-3.3 on [lo, 3000] (inverse CDF), accepted with vhWeight / wMax.
    const a = 3.3, hi = 3000;
    const l1 = Math.pow(lo, 1 - a), h1 = Math.pow(hi, 1 - a);
    mSys = Math.pow(l1 + rng.uniform() * (h1 - l1), 1 / (1 - a));
    const s = mSys * mSys;
    const x = r / s, y = (m * m) / s;
    const t = 1 - x - y;
    lam = t * t - 4 * x * y;
    if (!(lam > 0)) continue;
    if (rng.uniform() * wMax < vhWeight(x, lam)) break;
  }
  const x = r / (mSys * mSys);
  let c: number;
  for (;;) {
    c = 2 * rng.uniform() - 1;
    if (rng.uniform() * (lam + 8 * x) < lam * (1 - c * c) + 8 * x) break;
  }
  const pt = sampleRecoilPt(rng, DY_PT.p0, DY_PT.alpha, 0.25 * sqrtS);
  const ySys = sampleRapidity(rng, 2.0, mSys, sqrtS);
  const phi = TWO_PI * rng.uniform() - Math.PI;
  const plus = rng.uniform() < 0.574; // W+ : W- as for inclusive W (hardW)
  const vPdg = isW ? (plus ? PDG.W : -PDG.W) : PDG.Z;
  const iv = pushPair(
    gen,
    mSys,
    pt,
    ySys,
    phi,
    mV,
    vPdg,
    STATUS.hard,
    m,
    pdg,
    STATUS.hard,
    c,
    TWO_PI * rng.uniform(),
  );
  addIsrPartons(gen, rng, gen.px[iv] + gen.px[iv + 1], gen.py[iv] + gen.py[iv + 1], ySys, 0.75);
  const cd = 2 * rng.uniform() - 1;
  if (isW) decayW(gen, iv, chooseWMode(rng), cd, 0, 0, 1, rng);
  else {
    const f = chooseZFermion(rng);
    decayBosonToFermions(gen, iv, f, -f, cd, 0, 0, 1, ORIGIN.prompt, rng);
  }
  return iv + 1;
}

/** V h mass weight relative to the m^-3.3 proposal: lambda^(1/2) (lambda + 12 x) / (1 - x)^2. */
function vhWeight(x: number, lam: number): number {
  return (Math.sqrt(lam) * (lam + 12 * x)) / ((1 - x) * (1 - x));
}

const VH_WEIGHT_MAX = new Map<number, number>();

/** Maximum of {@link vhWeight} over m_V in m_V0 +- 15 GeV and m_Vh (scanned once), x 1.2. */
function vhWeightMax(mV0: number, m: number): number {
  const key = mV0 * 1e4 + m;
  let w = VH_WEIGHT_MAX.get(key);
  if (w !== undefined) return w;
  w = 0;
  for (let i = 0; i <= 30; i++) {
    const mV = mV0 - 15 + i;
    for (let j = 0; j <= 2000; j++) {
      const mSys = mV + m + 1 + j * 1.5;
      const s = mSys * mSys, x = (mV * mV) / s, y = (m * m) / s;
      const t = 1 - x - y, lam = t * t - 4 * x * y;
      if (lam > 0) w = Math.max(w, vhWeight(x, lam));
    }
  }
  w *= 1.2;
  VH_WEIGHT_MAX.set(key, w);
  return w;
}

/**
 * Charged scalar h+- -> tau nu, m = 60 GeV (paper 1). "Any direct production mechanism
 * implemented in PYTHIA8" for PYTHIA's H+ (PDG 37) is its group HiggsBSM:allH+-: s-channel
 * f f-bar' -> H+- (in practice c s-bar -> H+, generation-diagonal couplings) and
 * b g -> H+- t (HiggsBSM:bg2H+-t). The share of s-channel production,
 * {@link BSM.hChargedSChannelFraction}, is TUNED (it depends on tan(beta) and on PDFs that we
 * do not model): s-channel events, a soft h+ decaying to one tau, pass the 22 GeV lepton
 * filter only ~2 % of the time, the h+ t events ~29 % (the top's W supplies the lepton), and
 * 0.4 brings the acceptance to paper 1's 18 %.
 * - s-channel: colour-singlet production like a W (pT {@link DY_PT}, rapidity Gaussian
 *   sigma 2, recoil against q/g ISR partons as for W), isotropic decay.
 * - b g -> h- t: p* scale 80 GeV, the top decays t -> b W with all W modes, ISR cascade of
 *   {@link PAIR_ISR}.
 * Returns the mass of the produced system (the h+ mass for the s-channel).
 */
export function hardHChargedToTauNu(gen: GenParticles, rng: SimRandom, sqrtS: number): number {
  const m = BSM.mHCharged;
  if (rng.uniform() < BSM.hChargedSChannelFraction) {
    const plus = rng.uniform() < 0.5;
    const ih = pushSinglet(
      gen,
      rng,
      m,
      plus ? PDG.hPlus : -PDG.hPlus,
      DY_PT.p0,
      DY_PT.alpha,
      sqrtS,
      0.75,
    );
    decayHCharged(gen, ih, plus ? -1 : 1, rng);
    decayTaus(gen, 0, rng);
    return m;
  }
  const mt = rng.relativisticBreitWigner(MASS.top, WIDTH.top, 160, 185);
  const p = samplePairMomentum(rng, 80);
  const mSys = Math.sqrt(p * p + m * m) + Math.sqrt(p * p + mt * mt);
  const sgn = rng.uniform() < 0.5 ? 1 : -1; // +1: h- t, -1: h+ t-bar
  const first = gen.n;
  const ih = pushHeavyPair(gen, rng, sqrtS, mSys, m, -sgn * PDG.hPlus, mt, sgn * PDG.t, 1.2, 0.3);
  decayHCharged(gen, ih, sgn, rng);
  decayTop(gen, ih + 1, -1, rng);
  decayTaus(gen, first, rng);
  return mSys;
}

/** h- -> tau- nu-bar (sgn = +1) or h+ -> tau+ nu (sgn = -1), isotropic (a scalar). */
function decayHCharged(gen: GenParticles, ih: number, sgn: number, rng: SimRandom): void {
  decayTwoBodyAxis(
    gen,
    ih,
    MASS.tau,
    sgn * PDG.tau,
    0,
    -sgn * PDG.nuTau,
    2 * rng.uniform() - 1,
    0,
    0,
    1,
    STATUS.final,
    ORIGIN.prompt,
    rng,
  );
}
