/**
 * Final-state parton shower: a coherent-branching (angular-ordered) 1 -> 2 cascade in the
 * collinear approximation, in the spirit of the HERWIG shower (Marchesini & Webber,
 * Nucl. Phys. B310 (1988) 461; Ellis, Stirling & Webber, "QCD and collider physics", ch. 5).
 *
 * Each parton of status `parton` with energy E and maximal opening angle theta_max (set by
 * whoever created it: the opening angle to its colour partner; for partons connected to the
 * beams {@link beamThetaMax}, 1 rad or the angle to the beam axis) emits with the density
 *
 *   dP = alpha_s(kT) / (2 pi) dtheta^2 / theta^2 P(z) dz,   kT = z (1 - z) E theta,
 *
 * with the LO splitting functions P_qq = CF (1 + z^2)/(1 - z), P_gg = CA [z/(1-z) + (1-z)/z +
 * z(1-z)], P_qg = TR (z^2 + (1-z)^2) per light flavour, ordered in decreasing angle (each
 * daughter's theta_max is the angle of the branching that made it: colour coherence), down to
 * the cutoff kT > Q0 (3.5 GeV, see {@link ShowerParams.q0} for why not 1 GeV). Heavy quarks (b, c) have a dead cone theta > m_Q / E. The
 * Sudakov form factor is sampled exactly with the veto algorithm (overestimates alpha_s(Q0) and
 * 2C/(1-z)-type kernels). A branching conserves energy; the daughters (massless) share it as
 * z E and (1 - z) E and fly at angles (1 - z) theta and z theta on opposite sides of the
 * mother's direction, so transverse momentum is balanced and the pair gets the invariant mass
 * m^2 ~ z (1 - z) E^2 theta^2 (the mother's 3-momentum shrinks by ~ m^2 / 2E): this is what
 * gives jets their mass and boosted W/top jets their 2-/3-prong structure.
 *
 * Not modelled: initial-state showers (initial-state radiation is represented by the
 * recoiling ISR partons of the hard process, which then shower as final-state partons),
 * g -> b b-bar / c c-bar in the shower (heavy flavour enters through the hard process),
 * exact momentum conservation between jets, spin correlations.
 *
 * Every final parton is handed to the hadronisation (lib/sim/hadronization.ts) as soon as it
 * stops branching.
 */
import type { SimRandom } from "./random.ts";
import { MASS, PDG } from "./constants.ts";
import { hadronizeParton } from "./hadronization.ts";
import { PERP, perpBasis } from "./kinematics.ts";
import { type GenParticles, STATUS } from "./particles.ts";

/** Shower parameters. */
export interface ShowerParams {
  /**
   * Cutoff on the branching transverse momentum kT (GeV). A parton shower proper runs to
   * ~1 GeV, but here every final parton starts its own independent-fragmentation chain,
   * which is not collinear safe: a 1 GeV cutoff double-counts hadrons and makes the charged
   * multiplicity of 1 TeV quark jets ~60 instead of ~20-30 (PHYSICS.md). Emissions below a
   * few GeV are therefore left to the hadronisation; 3.5 GeV is tuned so that quark jets
   * have ~6.5 charged particles at 30 GeV and ~32 at 1 TeV, gluon jets 1.5-1.8 times more
   * (PHYSICS.md "Jets, showers, hadrons").
   */
  q0: number;
  /**
   * alpha_s(MZ) of the one-loop running coupling used with kT as scale. 0.13 is in the
   * range of LO parton-shower tunes (PYTHIA 8 Monash: 0.1365 for final-state radiation).
   */
  alphaSMz: number;
  /** Number of light flavours produced in g -> q q-bar splittings (u, d, s). */
  nfSplit: number;
}

/** Default shower settings (see {@link ShowerParams}). */
export const SHOWER_DEFAULTS: Readonly<ShowerParams> = Object.freeze({
  q0: 3.5,
  alphaSMz: 0.13,
  nfSplit: 3,
});

/** Largest first opening angle (rad) of a parton colour-connected to the beams. */
export const BEAM_THETA_MAX = 1.0;

/**
 * How the first opening angle of a parton colour-connected to an incoming parton is chosen
 * (initial-state emissions, the outgoing partons of QCD 2 -> 2 and of V + jets, VBF tag
 * quarks); see {@link beamThetaMax}:
 * - "beam": the angle to the beam axis, along which the colour partner flies (angular
 *   ordering: the first emission stays inside the cone of the colour partner, Marchesini &
 *   Webber 1988), capped at {@link BEAM_THETA_MAX}. Since E sin(theta_beam) = pT, the first
 *   emission of a forward parton has kT <= E theta / 4 ~ pT / 4, of the order of the hard
 *   scale. Used by the 8 TeV single-muon stream (lib/sim/vJets.ts, lib/data/mu8Events.ts)
 *   and the 13 TeV dijet stream of paper 2 (lib/sim/dijet.ts, where the 1 rad convention put
 *   forward ISR radiation into the boosted W jets).
 * - "fixed": 1 rad whatever the rapidity (lib/sim 3 for every stream). A 50 GeV gluon at
 *   y = 4 (E = 1.4 TeV) can then emit up to 340 GeV of kT at wide angles into the central
 *   detector: 81 % of such gluons end with a scalar pT sum above 100 GeV (median 178 GeV),
 *   and 8 TeV W + jets events reached HT > sqrt(s), most of the W/Z events with six or more
 *   jets. Still the default of the 13 TeV single-lepton and RMM streams
 *   (lib/sim/generator.ts, rmmStream.ts), whose tunes rest on it: with "beam" the three-jet
 *   rate of QCD in the RMM stream falls ~5x below its tune (the 2 -> 2 model has no hard ISR
 *   cascade to make third jets); moving it needs a QCD ISR model first.
 * Set per event by each generator entry point from its configuration (module state, one per
 * worker), so the convention of one stream never leaks into another.
 */
export type BeamShowerAngle = "beam" | "fixed";

let beamShowerAngle: BeamShowerAngle = "fixed";

/** Select the {@link BeamShowerAngle} convention for the events generated next. */
export function setBeamShowerAngle(mode: BeamShowerAngle): void {
  if (mode !== "beam" && mode !== "fixed") {
    throw new RangeError(`setBeamShowerAngle: "${mode}" (expected "beam" or "fixed")`);
  }
  beamShowerAngle = mode;
}

/** The {@link BeamShowerAngle} convention in force. */
export function getBeamShowerAngle(): BeamShowerAngle {
  return beamShowerAngle;
}

/**
 * theta_max of parton i of `gen` when its colour partner is an incoming parton, in the
 * {@link BeamShowerAngle} convention in force: min(angle to the beam axis, 1 rad) for "beam",
 * 1 rad for "fixed".
 */
export function beamThetaMax(gen: GenParticles, i: number): number {
  if (beamShowerAngle === "fixed") return BEAM_THETA_MAX;
  const px = gen.px[i], py = gen.py[i], pz = gen.pz[i];
  const t = Math.atan2(Math.sqrt(px * px + py * py), Math.abs(pz));
  return t < BEAM_THETA_MAX ? t : BEAM_THETA_MAX;
}

const CF = 4 / 3;
const CA = 3;
const TR = 0.5;
const MZ = 91.1876;
/** One-loop beta0 for nf = 5: (33 - 2 nf) / (12 pi). */
const B0 = (33 - 10) / (12 * Math.PI);

let stack: Int32Array = new Int32Array(256);

/** One-loop alpha_s at scale q (GeV), frozen below `qFreeze`. */
function alphaS(q: number, aMz: number, qFreeze: number): number {
  const qq = q > qFreeze ? q : qFreeze;
  return aMz / (1 + aMz * B0 * Math.log((qq * qq) / (MZ * MZ)));
}

/**
 * Shower all partons of status `parton` with index >= `from`, hadronising each final parton.
 * Appends daughters/hadrons to `gen`.
 */
export function showerAndHadronize(
  gen: GenParticles,
  from: number,
  rng: SimRandom,
  params: Readonly<ShowerParams> = SHOWER_DEFAULTS,
): void {
  run(gen, from, rng, params, true);
}

/**
 * Shower all partons of status `parton` with index >= `from` WITHOUT hadronising: final
 * partons keep status `parton` with theta_max = 0, so a later {@link showerAndHadronize}
 * hadronises them without further branching (and without drawing random numbers for them
 * in the shower).
 */
export function shower(
  gen: GenParticles,
  from: number,
  rng: SimRandom,
  params: Readonly<ShowerParams> = SHOWER_DEFAULTS,
): void {
  run(gen, from, rng, params, false);
}

/**
 * Shower only the line of parton i (typically a heavy quark): after each branching follow the
 * daughter that keeps i's flavour and leave the other (a gluon) as a status-`parton` entry
 * with its theta_max, to be showered by a later {@link showerAndHadronize}. Returns the index
 * of the line's final parton, left with status `parton` and theta_max = 0. The physics is
 * identical to {@link showerAndHadronize}; only the order of the work differs (used to test
 * the generator filter on heavy-flavour decays cheaply).
 */
export function showerLine(
  gen: GenParticles,
  i: number,
  rng: SimRandom,
  params: Readonly<ShowerParams> = SHOWER_DEFAULTS,
): number {
  const q0 = params.q0;
  const aMax = alphaS(q0, params.alphaSMz, q0);
  for (;;) {
    const d = branch(gen, i, rng, q0, aMax, params.alphaSMz, params.nfSplit);
    if (d < 0) {
      gen.thetaMax[i] = 0;
      return i;
    }
    // q -> q g keeps the flavour in the first daughter; g -> g g / q q-bar: first daughter.
    i = d;
  }
}

function run(
  gen: GenParticles,
  from: number,
  rng: SimRandom,
  params: Readonly<ShowerParams>,
  hadronize: boolean,
): void {
  const nStart = gen.n;
  let sp = 0;
  for (let i = nStart - 1; i >= from; i--) {
    if (gen.status[i] === STATUS.parton) {
      if (sp === stack.length) stack = growStack(stack);
      stack[sp++] = i;
    }
  }
  const q0 = params.q0;
  const aMax = alphaS(q0, params.alphaSMz, q0);
  const nf = params.nfSplit;
  while (sp > 0) {
    const i = stack[--sp];
    const d = branch(gen, i, rng, q0, aMax, params.alphaSMz, nf);
    if (d < 0) {
      if (hadronize) hadronizeParton(gen, i, rng);
      else gen.thetaMax[i] = 0;
    } else {
      if (sp + 2 > stack.length) stack = growStack(stack);
      stack[sp++] = d + 1;
      stack[sp++] = d;
    }
  }
}

function growStack(s: Int32Array): Int32Array {
  const t = new Int32Array(s.length * 2);
  t.set(s);
  return t;
}

/**
 * Try to branch parton i below its theta_max. On success appends two daughter partons and
 * returns the index of the first; returns -1 when the parton stops (no branching above the
 * cutoff).
 */
function branch(
  gen: GenParticles,
  i: number,
  rng: SimRandom,
  q0: number,
  aMax: number,
  aMz: number,
  nf: number,
): number {
  const E = gen.e[i];
  const pdg = gen.pdg[i];
  const apdg = pdg < 0 ? -pdg : pdg;
  const isGluon = apdg === PDG.g;
  const deadCone = apdg === PDG.b ? MASS.b / E : apdg === PDG.c ? MASS.c / E : 0;
  let theta = gen.thetaMax[i];
  const pref = aMax / (2 * Math.PI);
  for (;;) {
    // kT <= E theta / 4: nothing resolvable below theta = 4 Q0 / E.
    if (E * theta < 4 * q0) return -1;
    const eps = q0 / (E * theta);
    const L = Math.log(1 / eps);
    // Overestimated integrals of the kernels over z (per unit ln theta^2).
    const iSoft = isGluon ? 2 * CA * L : 2 * CF * L;
    const iSplit = isGluon ? TR * nf : 0;
    const c = pref * (iSoft + iSplit);
    // Next emission angle: theta'^2 = theta^2 U^(1/c).
    theta = theta * Math.pow(rng.uniformPositive(), 0.5 / c);
    if (E * theta < 4 * q0) return -1;
    if (theta < deadCone) return -1;
    let z: number;
    let kind: number; // 0: q -> q g, 1: g -> g g, 2: g -> q q-bar
    let accept: number;
    if (!isGluon) {
      z = 1 - Math.pow(eps, rng.uniform());
      kind = 0;
      accept = 0.5 * (1 + z * z);
    } else if (rng.uniform() * (iSoft + iSplit) < iSoft) {
      const w = 1 - Math.pow(eps, rng.uniform());
      z = rng.uniform() < 0.5 ? w : 1 - w;
      kind = 1;
      const omz = 1 - z;
      accept = (z / omz + omz / z + z * omz) / (1 / omz + 1 / z);
    } else {
      z = rng.uniform();
      kind = 2;
      accept = z * z + (1 - z) * (1 - z);
    }
    const kt = z * (1 - z) * E * theta;
    if (kt < q0) continue;
    accept *= alphaS(kt, aMz, q0) / aMax;
    if (rng.uniform() >= accept) continue;
    return makeDaughters(gen, i, z, theta, kind, rng);
  }
}

/** Append the two daughters of a branching of parton i at (z, theta); returns the first. */
function makeDaughters(
  gen: GenParticles,
  i: number,
  z: number,
  theta: number,
  kind: number,
  rng: SimRandom,
): number {
  const E = gen.e[i];
  const px = gen.px[i], py = gen.py[i], pz = gen.pz[i];
  const p = Math.sqrt(px * px + py * py + pz * pz);
  const nx = px / p, ny = py / p, nz = pz / p;
  perpBasis(nx, ny, nz);
  const ph = 2 * Math.PI * rng.uniform();
  const cph = Math.cos(ph), sph = Math.sin(ph);
  const ux = cph * PERP[0] + sph * PERP[3];
  const uy = cph * PERP[1] + sph * PERP[4];
  const uz = cph * PERP[2] + sph * PERP[5];
  const th1 = (1 - z) * theta, th2 = z * theta;
  const c1 = Math.cos(th1), s1 = Math.sin(th1);
  const c2 = Math.cos(th2), s2 = Math.sin(th2);
  const e1 = z * E, e2 = (1 - z) * E;
  const pdg = gen.pdg[i];
  let pdg1: number, pdg2: number;
  if (kind === 0) {
    pdg1 = pdg;
    pdg2 = PDG.g;
  } else if (kind === 1) {
    pdg1 = PDG.g;
    pdg2 = PDG.g;
  } else {
    const f = 1 + Math.floor(rng.uniform() * 3); // d, u, s
    pdg1 = f;
    pdg2 = -f;
  }
  const origin = gen.origin[i];
  const d1 = gen.push(
    e1 * (c1 * nx + s1 * ux),
    e1 * (c1 * ny + s1 * uy),
    e1 * (c1 * nz + s1 * uz),
    e1,
    0,
    pdg1,
    STATUS.parton,
    i,
    origin,
  );
  const d2 = gen.push(
    e2 * (c2 * nx - s2 * ux),
    e2 * (c2 * ny - s2 * uy),
    e2 * (c2 * nz - s2 * uz),
    e2,
    0,
    pdg2,
    STATUS.parton,
    i,
    origin,
  );
  gen.thetaMax[d1] = theta;
  gen.thetaMax[d2] = theta;
  gen.frame[d1] = gen.frame[i];
  gen.frame[d2] = gen.frame[i];
  gen.status[i] = STATUS.decayed;
  return d1;
}
