/**
 * A parton gun: one parton of given flavour and pT at fixed (eta, phi), showered and
 * hadronised with the standard chain (no underlying event, no pileup, no detector). For the
 * validation of the shower and hadronisation (multiplicities, energy fractions, jet masses)
 * and for studies of jet substructure.
 */
import type { Rng } from "../random/rng.ts";
import { decayShortLived } from "./decays.ts";
import { GenParticles, STATUS } from "./particles.ts";
import { FastRng } from "./random.ts";
import { SHOWER_DEFAULTS, showerAndHadronize, type ShowerParams } from "./shower.ts";

const FAST = new FastRng();

/**
 * Fill `gen` (reset first) with the hadrons of one parton `pdg` (21 gluon, 1-5 quarks) of
 * transverse momentum `pt` (GeV) at pseudorapidity `eta` and azimuth `phi`, with the
 * shower's maximal angle `thetaMax` (rad; default 1, as for partons connected to the
 * beams). The first entry is the parton itself. Draws are seeded from `rng`. `params` lets
 * validation studies vary the shower settings.
 */
export function partonGun(
  gen: GenParticles,
  rng: Rng,
  pdg: number,
  pt: number,
  eta: number,
  phi = 0,
  thetaMax = 1.0,
  params: Readonly<ShowerParams> = SHOWER_DEFAULTS,
): GenParticles {
  FAST.reseed(rng);
  gen.reset();
  const a = pdg < 0 ? -pdg : pdg;
  const m = a === 5 ? 4.8 : a === 4 ? 1.5 : 0;
  const pz = pt * Math.sinh(eta);
  const i = gen.push(
    pt * Math.cos(phi),
    pt * Math.sin(phi),
    pz,
    Math.sqrt(pt * pt + pz * pz + m * m),
    m,
    pdg,
    STATUS.parton,
    -1,
    0,
  );
  gen.thetaMax[i] = thetaMax;
  showerAndHadronize(gen, 0, FAST, params);
  decayShortLived(gen, 0, FAST);
  return gen;
}
