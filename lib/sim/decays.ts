/**
 * Particle decays of the generator: W and Z/gamma* to fermions with their angular
 * distributions, top quarks, tau leptons (leptonic and hadronic 1- and 3-prong modes),
 * weakly decaying b and c hadrons (semileptonic with V-A matrix elements, hadronic with
 * phase space), pi0 -> gamma gamma and K0S -> pi pi.
 *
 * What is approximate (and documented at each function): tau polarisation is ignored
 * (isotropic in the tau rest frame); heavy-flavour hadrons are one generic B (m = 5.3 GeV)
 * and one generic D (m = 1.9 GeV) species; their hadronic decays are phase space into a
 * charm hadron / kaon plus 1-4 pions; b -> c c-bar s and baryonic modes are not modelled.
 *
 * Units: GeV.
 */
import type { SimRandom } from "./random.ts";
import { BR_HF, BR_TAU, BR_W, MASS, PDG } from "./constants.ts";
import {
  BOOSTED,
  boostToRestFrameOf,
  decayTwoBody,
  PERP,
  perpBasis,
  phaseSpace,
  PS_OUT,
  pushBoostedDaughters,
} from "./kinematics.ts";
import { type GenParticles, ORIGIN, STATUS } from "./particles.ts";

const TWO_PI = 2 * Math.PI;

// Scratch arrays for the n-body decays (no allocation per decay).
const dMass = new Float64Array(8);
const dPdg = new Int32Array(8);

/**
 * Two-body decay of `ip` with daughter 1 at polar angle acos(cosTheta) from the unit axis
 * (ax, ay, az) given in the parent's rest frame, azimuth uniform. Returns daughter 1's index.
 */
export function decayTwoBodyAxis(
  gen: GenParticles,
  ip: number,
  m1: number,
  pdg1: number,
  m2: number,
  pdg2: number,
  cosTheta: number,
  ax: number,
  ay: number,
  az: number,
  status: number,
  origin: number,
  rng: SimRandom,
): number {
  perpBasis(ax, ay, az);
  const ph = TWO_PI * rng.uniform();
  const st = Math.sqrt(Math.max(0, 1 - cosTheta * cosTheta));
  const cp = st * Math.cos(ph), sp = st * Math.sin(ph);
  const dx = cosTheta * ax + cp * PERP[0] + sp * PERP[3];
  const dy = cosTheta * ay + cp * PERP[1] + sp * PERP[4];
  const dz = cosTheta * az + cp * PERP[2] + sp * PERP[5];
  // Express the direction as (cos, phi) w.r.t. the lab-parallel rest-frame axes.
  const c = Math.max(-1, Math.min(1, dz));
  return decayTwoBody(gen, ip, m1, pdg1, m2, pdg2, c, Math.atan2(dy, dx), status, origin);
}

/** Status for a daughter: partons go to the shower, everything else is final for now. */
function statusFor(pdg: number): number {
  const a = pdg < 0 ? -pdg : pdg;
  return a <= 5 || a === 21 ? STATUS.parton : STATUS.final;
}

/** Mass used for a stable lepton / quark daughter. */
export function fermionMass(pdg: number): number {
  switch (pdg < 0 ? -pdg : pdg) {
    case 11:
      return MASS.e;
    case 13:
      return MASS.mu;
    case 15:
      return MASS.tau;
    case 5:
      return MASS.b;
    case 4:
      return MASS.c;
    default:
      return 0;
  }
}

/**
 * Decay a vector boson `iv` (W or Z/gamma*) into fermion `pdgF` and antifermion `pdgFbar`,
 * where the fermion's polar angle cosTheta w.r.t. the unit axis (ax, ay, az) (in the boson
 * rest frame) has been drawn by the caller. Quark daughters get status parton with the
 * shower's maximal angle set to their opening angle (colour coherence of a singlet).
 * Returns the fermion's index (the antifermion is the next).
 */
export function decayBosonToFermions(
  gen: GenParticles,
  iv: number,
  pdgF: number,
  pdgFbar: number,
  cosTheta: number,
  ax: number,
  ay: number,
  az: number,
  origin: number,
  rng: SimRandom,
): number {
  const m1 = fermionMass(pdgF), m2 = fermionMass(pdgFbar);
  const s1 = statusFor(pdgF);
  const i1 = decayTwoBodyAxis(
    gen,
    iv,
    m1,
    pdgF,
    m2,
    pdgFbar,
    cosTheta,
    ax,
    ay,
    az,
    s1,
    origin,
    rng,
  );
  const i2 = i1 + 1;
  gen.status[i2] = statusFor(pdgFbar);
  if (s1 === STATUS.parton) {
    const open = openingAngle(gen, i1, i2);
    gen.thetaMax[i1] = open;
    gen.thetaMax[i2] = open;
    // A colour singlet: fragment in the boson's rest frame.
    gen.frame[i1] = iv;
    gen.frame[i2] = iv;
    // Quarks from boson decays are not "prompt leptons": clear the flag.
    gen.origin[i1] = 0;
    gen.origin[i2] = 0;
  }
  return i1;
}

/** Opening angle (rad) between particles i and j. */
export function openingAngle(gen: GenParticles, i: number, j: number): number {
  const ax = gen.px[i], ay = gen.py[i], az = gen.pz[i];
  const bx = gen.px[j], by = gen.py[j], bz = gen.pz[j];
  const na = Math.sqrt(ax * ax + ay * ay + az * az), nb = Math.sqrt(bx * bx + by * by + bz * bz);
  if (na === 0 || nb === 0) return Math.PI / 2;
  const c = (ax * bx + ay * by + az * bz) / (na * nb);
  return Math.acos(Math.max(-1, Math.min(1, c)));
}

/**
 * Polar-angle distribution of the charged lepton (or down-type fermion) in the rest frame of
 * a W from a top decay, w.r.t. the W flight direction in the top rest frame:
 * dN/dcos = 3/4 (1 - c^2) F0 + 3/8 (1 - c)^2 FL + 3/8 (1 + c)^2 FR, with the SM NNLO helicity
 * fractions F0 = 0.687, FL = 0.311, FR = 0.0017 (Czarnecki, Korner, Piclum, PRD 81 (2010)
 * 111503). Accept-reject.
 */
export function sampleTopWHelicityCos(rng: SimRandom): number {
  const f0 = 0.687, fl = 0.311, fr = 0.0017;
  for (;;) {
    const c = 2 * rng.uniform() - 1;
    const f = 0.75 * (1 - c * c) * f0 + 0.375 * (1 - c) * (1 - c) * fl +
      0.375 * (1 + c) * (1 + c) * fr;
    // max of f <= 1.5 * fl + 0.75 * f0 < 1.
    if (rng.uniform() < f) return c;
  }
}

/** Cumulative W decay table: e, mu, tau, u d-bar, c s-bar (PDG BRs; hadrons split 1:1). */
const W_CUM = (() => {
  const w = [BR_W.e, BR_W.mu, BR_W.tau, BR_W.had / 2, BR_W.had / 2];
  const t = w.reduce((a, b) => a + b, 0);
  let s = 0;
  return Float64Array.from(w.map((x) => (s += x / t)));
})();

/** W decay modes of {@link chooseWMode}. */
export const W_MODE = { e: 0, mu: 1, tau: 2, ud: 3, cs: 4 } as const;

/** Draw a W decay mode with the PDG branching ratios (PHYSICS.md). */
export function chooseWMode(rng: SimRandom): number {
  const u = rng.uniform();
  let k = 0;
  while (k < 4 && u >= W_CUM[k]) k++;
  return k;
}

/**
 * Decay W `iw` (pdg +-24) in mode `mode` (see {@link W_MODE}), with the charged lepton /
 * down-type antiquark (W+) or charged lepton / down-type quark (W-) at cosTheta w.r.t. the
 * axis (ax, ay, az) in the W rest frame. Leptons are flagged prompt. Returns the index of
 * the first daughter.
 */
export function decayW(
  gen: GenParticles,
  iw: number,
  mode: number,
  cosTheta: number,
  ax: number,
  ay: number,
  az: number,
  rng: SimRandom,
): number {
  const plus = gen.pdg[iw] > 0;
  const prompt = ORIGIN.prompt;
  // For W+: "fermion" drawn at cosTheta is the antilepton / down-type antiquark.
  let a: number, b: number; // a: the one at cosTheta; b: its partner.
  switch (mode) {
    case W_MODE.e:
      a = plus ? -PDG.e : PDG.e;
      b = plus ? PDG.nuE : -PDG.nuE;
      break;
    case W_MODE.mu:
      a = plus ? -PDG.mu : PDG.mu;
      b = plus ? PDG.nuMu : -PDG.nuMu;
      break;
    case W_MODE.tau:
      a = plus ? -PDG.tau : PDG.tau;
      b = plus ? PDG.nuTau : -PDG.nuTau;
      break;
    case W_MODE.ud:
      a = plus ? -PDG.d : PDG.d;
      b = plus ? PDG.u : -PDG.u;
      break;
    default:
      a = plus ? -PDG.s : PDG.s;
      b = plus ? PDG.c : -PDG.c;
      break;
  }
  return decayBosonToFermions(gen, iw, a, b, cosTheta, ax, ay, az, prompt, rng);
}

/**
 * Top decay t -> b W (BR ~ 100 %, PHYSICS.md) with the W mass from a relativistic
 * Breit-Wigner (80.38, 2.085) truncated to [40 GeV, m_t - m_b]; isotropic in the top rest
 * frame (tops are unpolarised in QCD pair production at LO); the W decays in `wMode` (or a
 * random mode when < 0) with the SM helicity fractions. Returns the b quark's index.
 */
export function decayTop(gen: GenParticles, it: number, wMode: number, rng: SimRandom): number {
  const e = gen.e[it], px = gen.px[it], py = gen.py[it], pz = gen.pz[it];
  const mt = Math.sqrt(Math.max(e * e - px * px - py * py - pz * pz, 0));
  const hiW = Math.max(mt - MASS.b - 0.5, 41);
  const mw = rng.relativisticBreitWigner(MASS.W, 2.085, 40, hiW);
  const top = gen.pdg[it] > 0;
  const ib = decayTwoBody(
    gen,
    it,
    MASS.b,
    top ? PDG.b : -PDG.b,
    mw,
    top ? PDG.W : -PDG.W,
    2 * rng.uniform() - 1,
    TWO_PI * rng.uniform(),
    STATUS.parton,
    0,
  );
  const iw = ib + 1;
  gen.status[iw] = STATUS.hard;
  gen.thetaMax[ib] = 1.0;
  gen.frame[ib] = it;
  // Helicity axis: minus the b direction in the W rest frame.
  boostToRestFrameOf(gen, ib, iw);
  const nb = Math.hypot(BOOSTED[0], BOOSTED[1], BOOSTED[2]);
  const mode = wMode >= 0 ? wMode : chooseWMode(rng);
  decayW(
    gen,
    iw,
    mode,
    sampleTopWHelicityCos(rng),
    -BOOSTED[0] / nb,
    -BOOSTED[1] / nb,
    -BOOSTED[2] / nb,
    rng,
  );
  return ib;
}

// ---------------------------------------------------------------------------------------
// tau decays
// ---------------------------------------------------------------------------------------

const TAU_CUM = (() => {
  const w = [
    BR_TAU.e,
    BR_TAU.mu,
    BR_TAU.pi,
    BR_TAU.piPi0,
    BR_TAU.pi2Pi0,
    BR_TAU.threePi,
    BR_TAU.threePiPi0,
  ];
  const t = w.reduce((a, b) => a + b, 0);
  let s = 0;
  return Float64Array.from(w.map((x) => (s += x / t)));
})();

/**
 * Three-body decay of `ip` into (0: charged lepton / quark "particle", 1: massless
 * antineutrino-like "anti", 2: "partner") with the V-A matrix element |M|^2 ~
 * (p_parent . p_anti)(p_partner . p_particle) (muon-decay structure; e.g. tau- -> l- nu-bar_l
 * nu_tau, b -> c l- nu-bar). In Dalitz variables s02 = (p0 + p2)^2, s01 = (p0 + p1)^2 the
 * weight is (M^2 - s02)(s02 - m0^2 - m2^2) / 4, a function of s02 only, and phase space is
 * uniform in (s01, s02): we sample both uniformly in the enclosing rectangle, keep points
 * inside the Dalitz region and accept with weight / max, then build the momenta (isotropic
 * orientation). Appends the three daughters and returns the first.
 */
function decayVA3(
  gen: GenParticles,
  ip: number,
  mParent: number,
  m0: number,
  pdg0: number,
  pdg1: number,
  m2: number,
  pdg2: number,
  origin: number,
  rng: SimRandom,
): number {
  const M2 = mParent * mParent, m0s = m0 * m0, m2s = m2 * m2;
  const s02lo = (m0 + m2) * (m0 + m2), s02hi = M2; // m1 = 0
  const s01lo = m0s, s01hi = (mParent - m2) * (mParent - m2);
  const wPeak = Math.min(Math.max(0.5 * (M2 + m0s + m2s), s02lo), s02hi);
  const wMax = 0.25 * (M2 - wPeak) * (wPeak - m0s - m2s);
  let s01 = 0, s02 = 0;
  for (let k = 0; k < 10000; k++) {
    s02 = s02lo + (s02hi - s02lo) * rng.uniform();
    s01 = s01lo + (s01hi - s01lo) * rng.uniform();
    // Dalitz boundary for s01 at fixed s02 (energies in the (0,2) rest frame).
    const m02 = Math.sqrt(s02);
    const e0 = (s02 - m2s + m0s) / (2 * m02);
    const e1 = (M2 - s02) / (2 * m02); // massless daughter 1
    const p0 = Math.sqrt(Math.max(e0 * e0 - m0s, 0));
    const lo = (e0 + e1) * (e0 + e1) - (p0 + e1) * (p0 + e1);
    const hi = (e0 + e1) * (e0 + e1) - (p0 - e1) * (p0 - e1);
    if (s01 < lo || s01 > hi) continue;
    const w = 0.25 * (M2 - s02) * (s02 - m0s - m2s);
    if (rng.uniform() * wMax <= w) break;
  }
  // Rest-frame energies and momenta.
  const s12 = M2 + m0s + m2s - s01 - s02;
  const E0 = (M2 + m0s - s12) / (2 * mParent);
  const E1 = (M2 - s02) / (2 * mParent);
  const E2 = (M2 + m2s - s01) / (2 * mParent);
  const q0 = Math.sqrt(Math.max(E0 * E0 - m0s, 0));
  const q1 = Math.max(E1, 0);
  const q2 = Math.sqrt(Math.max(E2 * E2 - m2s, 0));
  // Angle between daughters 0 and 1 from p2 = -(p0 + p1).
  let c01 = q0 > 0 && q1 > 0 ? (q2 * q2 - q0 * q0 - q1 * q1) / (2 * q0 * q1) : 1;
  if (c01 > 1) c01 = 1;
  else if (c01 < -1) c01 = -1;
  const s01a = Math.sqrt(1 - c01 * c01);
  // Isotropic orientation: direction n of daughter 0, azimuth of daughter 1 around it.
  const cn = 2 * rng.uniform() - 1, sn = Math.sqrt(1 - cn * cn);
  const phn = TWO_PI * rng.uniform();
  const nx = sn * Math.cos(phn), ny = sn * Math.sin(phn), nz = cn;
  perpBasis(nx, ny, nz);
  const ph1 = TWO_PI * rng.uniform();
  const cph = Math.cos(ph1), sph = Math.sin(ph1);
  const ux = c01 * nx + s01a * (cph * PERP[0] + sph * PERP[3]);
  const uy = c01 * ny + s01a * (cph * PERP[1] + sph * PERP[4]);
  const uz = c01 * nz + s01a * (cph * PERP[2] + sph * PERP[5]);
  PS_OUT[0] = q0 * nx;
  PS_OUT[1] = q0 * ny;
  PS_OUT[2] = q0 * nz;
  PS_OUT[3] = E0;
  PS_OUT[4] = q1 * ux;
  PS_OUT[5] = q1 * uy;
  PS_OUT[6] = q1 * uz;
  PS_OUT[7] = q1;
  PS_OUT[8] = -PS_OUT[0] - PS_OUT[4];
  PS_OUT[9] = -PS_OUT[1] - PS_OUT[5];
  PS_OUT[10] = -PS_OUT[2] - PS_OUT[6];
  PS_OUT[11] = E2;
  dMass[0] = m0;
  dMass[1] = 0;
  dMass[2] = m2;
  dPdg[0] = pdg0;
  dPdg[1] = pdg1;
  dPdg[2] = pdg2;
  const first = pushBoostedDaughters(gen, ip, 3, dMass, dPdg, STATUS.final, origin);
  gen.status[first] = statusFor(pdg0);
  gen.status[first + 2] = statusFor(pdg2);
  return first;
}

/** Draw a resonance mass from a truncated non-relativistic Breit-Wigner on [lo, hi]. */
function bwTruncated(rng: SimRandom, m: number, w: number, lo: number, hi: number): number {
  for (let k = 0; k < 100; k++) {
    const x = rng.breitWigner(m, w);
    if (x > lo && x < hi) return x;
  }
  return 0.5 * (lo + hi);
}

/**
 * Decay tau `it` (pdg +-15) with the PDG branching ratios of PHYSICS.md: e nu nu, mu nu nu
 * (V-A matrix element), pi nu, rho(-> pi pi0) nu, a1(-> pi 2pi0) nu, a1(-> 3pi) nu and
 * 3pi pi0 nu (phase space). Polarisation is ignored. Daughters inherit the tau's origin flags
 * plus `fromTau`. Returns the index of the first daughter.
 */
export function decayTau(gen: GenParticles, it: number, rng: SimRandom): number {
  const minus = gen.pdg[it] > 0; // tau- has code +15
  const q = minus ? -1 : 1; // charge sign of the tau
  const origin = gen.origin[it] | ORIGIN.fromTau;
  const nuTau = minus ? PDG.nuTau : -PDG.nuTau;
  const piCh = q * PDG.piPlus; // pi- for tau-
  const u = rng.uniform();
  let mode = 0;
  while (mode < 6 && u >= TAU_CUM[mode]) mode++;
  const mTau = MASS.tau;
  switch (mode) {
    case 0:
    case 1: {
      const lep = mode === 0 ? PDG.e : PDG.mu;
      const nuL = mode === 0 ? PDG.nuE : PDG.nuMu;
      const first = decayVA3(
        gen,
        it,
        mTau,
        mode === 0 ? MASS.e : MASS.mu,
        minus ? lep : -lep,
        minus ? -nuL : nuL,
        0,
        nuTau,
        origin,
        rng,
      );
      return first;
    }
    case 2: {
      const c = 2 * rng.uniform() - 1;
      return decayTwoBody(
        gen,
        it,
        MASS.piPlus,
        piCh,
        0,
        nuTau,
        c,
        TWO_PI * rng.uniform(),
        1,
        origin,
      );
    }
    case 3: {
      const mRho = bwTruncated(
        rng,
        MASS.rho,
        MASS.rhoWidth,
        MASS.piPlus + MASS.pi0 + 0.001,
        mTau - 0.001,
      );
      const c = 2 * rng.uniform() - 1;
      const ir = decayTwoBody(
        gen,
        it,
        mRho,
        q * PDG.rho,
        0,
        nuTau,
        c,
        TWO_PI * rng.uniform(),
        STATUS.hard,
        origin,
      );
      gen.status[ir + 1] = STATUS.final;
      return decayTwoBody(
        gen,
        ir,
        MASS.piPlus,
        piCh,
        MASS.pi0,
        PDG.pi0,
        2 * rng.uniform() - 1,
        TWO_PI * rng.uniform(),
        STATUS.final,
        origin,
      );
    }
    case 4:
    case 5: {
      const lo = mode === 4 ? MASS.piPlus + 2 * MASS.pi0 : 3 * MASS.piPlus;
      const mA1 = bwTruncated(rng, MASS.a1, MASS.a1Width, lo + 0.001, mTau - 0.001);
      const c = 2 * rng.uniform() - 1;
      const ia = decayTwoBody(
        gen,
        it,
        mA1,
        q * PDG.a1,
        0,
        nuTau,
        c,
        TWO_PI * rng.uniform(),
        STATUS.hard,
        origin,
      );
      gen.status[ia + 1] = STATUS.final;
      if (mode === 4) {
        dMass[0] = MASS.piPlus;
        dPdg[0] = piCh;
        dMass[1] = MASS.pi0;
        dPdg[1] = PDG.pi0;
        dMass[2] = MASS.pi0;
        dPdg[2] = PDG.pi0;
      } else {
        dMass[0] = MASS.piPlus;
        dPdg[0] = piCh;
        dMass[1] = MASS.piPlus;
        dPdg[1] = piCh;
        dMass[2] = MASS.piPlus;
        dPdg[2] = -piCh;
      }
      phaseSpace(mA1, dMass, 3, rng);
      return pushBoostedDaughters(gen, ia, 3, dMass, dPdg, STATUS.final, origin);
    }
    default: {
      // 3 pi pi0 nu: five-body phase space.
      dMass[0] = MASS.piPlus;
      dPdg[0] = piCh;
      dMass[1] = MASS.piPlus;
      dPdg[1] = piCh;
      dMass[2] = MASS.piPlus;
      dPdg[2] = -piCh;
      dMass[3] = MASS.pi0;
      dPdg[3] = PDG.pi0;
      dMass[4] = 0;
      dPdg[4] = nuTau;
      phaseSpace(mTau, dMass, 5, rng);
      return pushBoostedDaughters(gen, it, 5, dMass, dPdg, STATUS.final, origin);
    }
  }
}

// ---------------------------------------------------------------------------------------
// heavy-flavour hadron decays
// ---------------------------------------------------------------------------------------

/** Decay modes of a b hadron: e, mu, tau semileptonic, hadronic. */
export const B_MODE = { e: 0, mu: 1, tau: 2, had: 3 } as const;
/** Decay modes of a c hadron: e, mu semileptonic, hadronic. */
export const C_MODE = { e: 0, mu: 1, had: 2 } as const;

/** Draw a b-hadron decay mode (BR_HF: 10.7 % e, 10.7 % mu, 2.4 % tau). */
export function chooseBMode(rng: SimRandom): number {
  const u = rng.uniform();
  if (u < BR_HF.bToL) return B_MODE.e;
  if (u < 2 * BR_HF.bToL) return B_MODE.mu;
  if (u < 2 * BR_HF.bToL + BR_HF.bToTau) return B_MODE.tau;
  return B_MODE.had;
}

/** Draw a c-hadron decay mode (BR_HF: 9.6 % e, 9.6 % mu). */
export function chooseCMode(rng: SimRandom): number {
  const u = rng.uniform();
  if (u < BR_HF.cToL) return C_MODE.e;
  if (u < 2 * BR_HF.cToL) return C_MODE.mu;
  return C_MODE.had;
}

/**
 * Pre-drawn decay modes for the next heavy-flavour hadron decays (consumed in order by
 * {@link decayHeavyHadron}); used by the QCD importance sampling, which decides the decay
 * chain before the kinematics. Empty in normal running.
 */
export const HF_PLAN = { modes: new Int8Array(64), n: 0, next: 0 };

/** Clear the heavy-flavour decay plan. */
export function clearHfPlan(): void {
  HF_PLAN.n = 0;
  HF_PLAN.next = 0;
}

function nextPlannedMode(): number {
  if (HF_PLAN.next < HF_PLAN.n) return HF_PLAN.modes[HF_PLAN.next++];
  return -1;
}

/** Mean number of pions accompanying the charm hadron / kaon in hadronic decays. */
const HAD_NPI_CUM = Float64Array.from([0.15, 0.5, 0.85, 1.0]); // 1, 2, 3, 4 pions

/** Random pion (charge +-1 with probability 2/3, else pi0): pdg code. */
function randomPion(rng: SimRandom): number {
  const u = rng.uniform() * 3;
  return u < 1 ? PDG.piPlus : u < 2 ? -PDG.piPlus : PDG.pi0;
}

/**
 * Decay a weakly decaying heavy-flavour hadron `ih` (|pdg| 521: b hadron, 421: c hadron).
 * Sign convention as PDG: a b quark makes a hadron of negative code (B-), a c quark a hadron
 * of positive code (D0). Modes (BR_HF, PDG): b -> l nu X_c (l = e, mu 10.7 % each, tau
 * 2.4 %), with X_c a generic c hadron of mass 1.9 GeV, V-A matrix element; otherwise
 * X_c + 1-4 pions (phase space). c -> l nu K (e, mu 9.6 % each, V-A), otherwise K + 1-4 pions.
 * The X_c is then decayed in turn (b -> c cascade, giving the softer cascade leptons).
 * Daughters inherit `fromHf`. Returns the index of the first daughter.
 */
export function decayHeavyHadron(gen: GenParticles, ih: number, rng: SimRandom): number {
  const pdg = gen.pdg[ih];
  const apdg = pdg < 0 ? -pdg : pdg;
  const origin = (gen.origin[ih] & ~ORIGIN.prompt) | ORIGIN.fromHf;
  const mH = gen.m[ih];
  if (apdg === PDG.bHadron) {
    const hasB = pdg < 0; // contains a b quark (B-, anti-B0)
    const xc = hasB ? PDG.cHadron : -PDG.cHadron; // b -> c
    const planned = nextPlannedMode();
    const mode = planned >= 0 ? planned : chooseBMode(rng);
    let first: number;
    if (mode === B_MODE.had) {
      first = hadronicDecay(gen, ih, mH, MASS.cHadron, xc, origin, rng);
    } else {
      // b -> c l- nu-bar: particle l- (code +11/+13/+15), anti nu-bar, partner c.
      const lep = mode === B_MODE.e ? PDG.e : mode === B_MODE.mu ? PDG.mu : PDG.tau;
      const nu = lep + 1;
      const lm = mode === B_MODE.e ? MASS.e : mode === B_MODE.mu ? MASS.mu : MASS.tau;
      first = decayVA3(
        gen,
        ih,
        mH,
        lm,
        hasB ? lep : -lep,
        hasB ? -nu : nu,
        MASS.cHadron,
        xc,
        origin,
        rng,
      );
      if (mode === B_MODE.tau) decayTau(gen, first, rng);
    }
    // Decay the charm hadron of the cascade (the last daughter pushed with |pdg| 421).
    for (let k = gen.n - 1; k >= first; k--) {
      if (gen.mother[k] === ih && (gen.pdg[k] === PDG.cHadron || gen.pdg[k] === -PDG.cHadron)) {
        gen.status[k] = STATUS.final;
        decayHeavyHadron(gen, k, rng);
        break;
      }
    }
    return first;
  }
  // c hadron: c -> s l+ nu. Contains c quark when pdg > 0.
  const hasC = pdg > 0;
  const planned = nextPlannedMode();
  const mode = planned >= 0 ? planned : chooseCMode(rng);
  const kaon = kaonCode(rng, hasC ? -1 : 1);
  const mK = Math.abs(kaon) === PDG.KPlus ? MASS.KPlus : MASS.K0;
  if (mode === C_MODE.had) return hadronicDecay(gen, ih, mH, mK, kaon, origin, rng);
  const lep = mode === C_MODE.e ? PDG.e : PDG.mu;
  const lm = mode === C_MODE.e ? MASS.e : MASS.mu;
  // c -> s l+ nu: particle nu (partner s pairs with it), anti l+; our decayVA3 ordering is
  // (particle, anti, partner) with |M|^2 ~ (p_parent . p_anti)(p_partner . p_particle).
  const first = decayVA3(
    gen,
    ih,
    mH,
    0,
    hasC ? lep + 1 : -(lep + 1),
    hasC ? -lep : lep,
    mK,
    kaon,
    origin,
    rng,
  );
  // decayVA3 put the neutrino first with mass 0 and the lepton second with mass 0: fix the
  // lepton mass (negligible kinematic effect) so downstream code sees a consistent record.
  gen.m[first + 1] = lm;
  return first;
}

/** A kaon code for an s quark (charge sign `sq` = -1 for s, +1 for s-bar as K+/K0 parent). */
function kaonCode(rng: SimRandom, sq: number): number {
  // s-bar -> K+ (u s-bar) or K0 (d s-bar); s -> K- or anti-K0. Neutral kaons as K0S/K0L.
  if (rng.uniform() < 0.5) return sq > 0 ? PDG.KPlus : -PDG.KPlus;
  return rng.uniform() < 0.5 ? PDG.K0S : PDG.K0L;
}

/** Hadronic decay: one heavy daughter (mass mX, code pdgX) plus 1-4 pions, phase space. */
function hadronicDecay(
  gen: GenParticles,
  ih: number,
  mH: number,
  mX: number,
  pdgX: number,
  origin: number,
  rng: SimRandom,
): number {
  const u = rng.uniform();
  let nPi = 1;
  while (nPi < 4 && u >= HAD_NPI_CUM[nPi - 1]) nPi++;
  dMass[0] = mX;
  dPdg[0] = pdgX;
  let sumM = mX;
  let n = 1;
  for (let k = 0; k < nPi; k++) {
    const pc = randomPion(rng);
    const m = pc === PDG.pi0 ? MASS.pi0 : MASS.piPlus;
    if (sumM + m >= mH - 0.05) break;
    dMass[n] = m;
    dPdg[n] = pc;
    sumM += m;
    n++;
  }
  phaseSpace(mH, dMass, n, rng);
  return pushBoostedDaughters(gen, ih, n, dMass, dPdg, STATUS.final, origin);
}

// ---------------------------------------------------------------------------------------
// short-lived light hadrons
// ---------------------------------------------------------------------------------------

/**
 * Decay pi0 -> gamma gamma (98.8 %, treated as 100 %) and K0S -> pi+ pi- (69.2 %) / pi0 pi0
 * (30.7 %) for all final particles from index `from` on (PDG BRs; both decay well before the
 * calorimeter). Decay products are appended and processed in the same pass.
 */
export function decayShortLived(gen: GenParticles, from: number, rng: SimRandom): void {
  for (let i = from; i < gen.n; i++) {
    if (gen.status[i] !== STATUS.final) continue;
    const pdg = gen.pdg[i];
    if (pdg === PDG.pi0) {
      decayTwoBody(
        gen,
        i,
        0,
        PDG.gamma,
        0,
        PDG.gamma,
        2 * rng.uniform() - 1,
        TWO_PI * rng.uniform(),
        1,
        gen.origin[i],
      );
    } else if (pdg === PDG.K0S) {
      const charged = rng.uniform() < 0.692;
      decayTwoBody(
        gen,
        i,
        charged ? MASS.piPlus : MASS.pi0,
        charged ? PDG.piPlus : PDG.pi0,
        charged ? MASS.piPlus : MASS.pi0,
        charged ? -PDG.piPlus : PDG.pi0,
        2 * rng.uniform() - 1,
        TWO_PI * rng.uniform(),
        STATUS.final,
        gen.origin[i],
      );
    }
  }
}
