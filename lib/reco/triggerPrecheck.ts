/**
 * Cheap, EXACT answers to "can this event pass the single-lepton trigger?", used by the
 * dataset generator to stop work on events that are bound to fail (most QCD attempts).
 *
 * Two checks, both with the same answer as the full chain (tests/lib/reco/triggerPrecheck_test.ts
 * compares them with reconstructLeptons + triggerLeptonIndex on simulated events):
 *
 * - {@link hasTriggerLepton}: does {@link findLeptons} + {@link triggerLeptonIndex} find a
 *   trigger lepton? Same cuts, same isolation sums (the same floating-point operations in the
 *   same order), but the (pT, eta, phi) of a PF candidate is computed only when it lies within
 *   the azimuthal band of a cone (a test on px, py without asinh/atan2), instead of for all
 *   ~1000-2000 candidates as {@link PfKinematics.compute} does.
 * - {@link hardEventFailsTrigger}: called on the candidates of the HARD event, before the
 *   underlying event and pileup are added. The trigger isolation (paper 1 eq. 3.1) sums
 *   non-pileup charged hadrons, neutral hadrons and photons: the soft particles only ADD to it
 *   and bring no electrons or muons (lib/sim/softQcd.ts). So a lepton whose hard-event Iso is
 *   already >= isoMax fails with any soft component, and an event without a trigger-lepton
 *   candidate passing that bound cannot pass the trigger. (The identification isolation of
 *   lib/reco/leptons.ts is delta-beta corrected and can DECREASE with pileup, so it is not
 *   used here.) A relative margin of 1e-9 on the bound covers the different order of the
 *   floating-point sums.
 */
import { azimuthalBand, inAzimuthalBand } from "../physics/azimuthalBand.ts";
import { eta as etaOf, phi as phiOf } from "../physics/fourVector.ts";
import { PF, type PfCandidates } from "../sim/event.ts";
import type { LeptonConfig } from "./leptons.ts";
import type { LeptonSelection } from "./select.ts";

/** Pseudorapidity margin of the pz / pT pre-test; rounding errors are ~1e-15. */
const ETA_MARGIN = 1e-6;
/** Relative margin of the hard-event isolation bound (floating-point summation order). */
const ISO_BOUND_MARGIN = 1e-9;

const SUMS = new Float64Array(6);

/** A cone radius of {@link coneSums}: 0 (no cone) or in (0, 1.5). */
function validConeR(r: number): boolean {
  return r === 0 || (r > 0 && r < 1.5);
}

/**
 * The cone sums of lib/reco/leptons.ts for candidate `k` at (eta0, phi0) with transverse
 * momentum (lx, ly), lpt, in one pass over the candidates: out[0..2] the delta-beta inputs
 * [charged PV, charged PU, neutral] of particles with pT > particlePtMin within dR < idConeR
 * (as {@link idIsolation}; 0 for none), out[3..5] the trigger sums [charged (not pileup),
 * neutral hadrons, photons] within dR < isoConeR (as {@link isolationSums}; 0 for none).
 * Candidates outside |dphi| < R + margin, or |eta - eta0| < R + margin (R the larger cone),
 * are rejected on (px, py, pz) alone; the others go through the exact tests of leptons.ts for
 * each cone, and each sum adds the same terms in the same order as there.
 */
function coneSums(
  pf: PfCandidates,
  k: number,
  eta0: number,
  phi0: number,
  lpt: number,
  idConeR: number,
  particlePtMin: number,
  isoConeR: number,
  out: Float64Array,
): Float64Array {
  if (!validConeR(idConeR) || !validConeR(isoConeR) || idConeR + isoConeR === 0) {
    throw new RangeError(`triggerPrecheck: cone radii ${idConeR}, ${isoConeR} not in (0, 1.5)`);
  }
  const { px, py, pz, pfClass, fromPileup } = pf;
  const lx = px[k], ly = py[k];
  const coneR = Math.max(idConeR, isoConeR);
  const idR2 = idConeR * idConeR, isoR2 = isoConeR * isoConeR;
  const band = azimuthalBand(coneR, lpt);
  // eta = asinh(pz / pT) is increasing: |eta - eta0| > coneR + margin is decided on pz / pT
  // against these bounds, without the asinh (the margin dwarfs the rounding errors).
  const ratioLo = Math.sinh(eta0 - coneR - ETA_MARGIN);
  const ratioHi = Math.sinh(eta0 + coneR + ETA_MARGIN);
  let a = 0, b = 0, c = 0, ch = 0, neu = 0, gam = 0;
  for (let j = 0; j < pf.n; j++) {
    if (j === k) continue;
    const x = px[j], y = py[j];
    const t2 = x * x + y * y;
    if (!inAzimuthalBand(x, y, t2, lx, ly, band)) continue;
    const pt = Math.sqrt(t2);
    const inId = idConeR > 0 && pt > particlePtMin;
    if (!inId && isoConeR === 0) continue;
    const ratio = pz[j] / pt;
    if (ratio < ratioLo || ratio > ratioHi) continue;
    const de = Math.asinh(ratio) - eta0; // = etaOf(x, y, pz[j]) (pt > 0 here)
    if (de > coneR || de < -coneR) continue;
    let dp = phiOf(x, y) - phi0;
    if (dp > Math.PI) dp -= 2 * Math.PI;
    else if (dp < -Math.PI) dp += 2 * Math.PI;
    const d2 = de * de + dp * dp;
    const cls = pfClass[j];
    if (inId && !(de > idConeR || de < -idConeR) && !(d2 >= idR2)) {
      if (cls === PF.neutralHadron || cls === PF.photon) c += pt;
      else if (cls === PF.chargedHadron) {
        if (fromPileup[j] === 0) a += pt;
        else b += pt;
      }
    }
    if (isoConeR > 0 && !(de > isoConeR || de < -isoConeR) && !(d2 >= isoR2)) {
      if (cls === PF.neutralHadron) neu += pt;
      else if (cls === PF.photon) gam += pt;
      else if (cls === PF.chargedHadron && fromPileup[j] === 0) ch += pt;
    }
  }
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = ch;
  out[4] = neu;
  out[5] = gam;
  return out;
}

/**
 * Visit the electrons and muons of `pf` that pass the kinematic part of both the lepton
 * reconstruction (`cfg`) and the trigger (`sel`): flavour, pT > sel.ptMin, acceptance.
 * `visit(k, pt, eta, phi)` returns true to stop; returns whether it stopped.
 */
function someTriggerCandidate(
  pf: PfCandidates,
  cfg: Readonly<LeptonConfig>,
  sel: Readonly<LeptonSelection>,
  visit: (k: number, pt: number, eta: number, phi: number) => boolean,
): boolean {
  const { px, py, pz, pfClass } = pf;
  for (let k = 0; k < pf.n; k++) {
    const cls = pfClass[k];
    const ele = cls === PF.electron;
    if (!ele && cls !== PF.muon) continue;
    if (ele ? !sel.electrons : !sel.muons) continue;
    const x = px[k], y = py[k];
    const pt = Math.sqrt(x * x + y * y);
    if (!(pt > sel.ptMin)) continue;
    const eta = etaOf(x, y, pz[k]);
    const absEta = Math.abs(eta);
    if (ele) {
      if (pt < cfg.electronPtMin || absEta >= cfg.electronAbsEtaMax) continue;
    } else if (pt < cfg.muonPtMin || absEta >= cfg.muonAbsEtaMax) continue;
    if (!(absEta < sel.absEtaMax)) continue;
    if (visit(k, pt, eta, phiOf(x, y))) return true;
  }
  return false;
}

/**
 * True when reconstructLeptons (lib/reco/reconstruct.ts) followed by triggerLeptonIndex
 * (lib/reco/select.ts) would find a trigger lepton in `pf`: an identified electron or muon in
 * the acceptance of `cfg`, passing the identification isolation, with pT > sel.ptMin,
 * |eta| < sel.absEtaMax and Iso (eq. 3.1, dR < cfg.isoConeR) < sel.isoMax. Exact, and much
 * cheaper when the answer is no.
 */
export function hasTriggerLepton(
  pf: PfCandidates,
  cfg: Readonly<LeptonConfig>,
  sel: Readonly<LeptonSelection>,
): boolean {
  return someTriggerCandidate(pf, cfg, sel, (k, pt, eta, phi) => {
    // Both isolations in one pass (the trigger one is only needed when the first passes).
    const id = pt > cfg.idIsoLeptonPtMin;
    const idConeR = id ? cfg.idIsoConeR : 0;
    const s = coneSums(pf, k, eta, phi, pt, idConeR, cfg.idIsoParticlePtMin, cfg.isoConeR, SUMS);
    if (id && !((s[0] + Math.max(s[2] - 0.5 * s[1], 0)) / pt < cfg.idIsoMax)) return false;
    return (s[3] + s[4] + s[5]) / pt < sel.isoMax;
  });
}

/**
 * Called with the PF candidates of the HARD event only (before the underlying event and
 * pileup): true when no electron or muon can pass the trigger whatever soft particles are
 * added, because each candidate's hard-event isolation (eq. 3.1) is already >= sel.isoMax
 * (see the module comment). False means "may pass".
 */
export function hardEventFailsTrigger(
  pf: PfCandidates,
  cfg: Readonly<LeptonConfig>,
  sel: Readonly<LeptonSelection>,
): boolean {
  const bound = sel.isoMax * (1 + ISO_BOUND_MARGIN);
  return !someTriggerCandidate(pf, cfg, sel, (k, pt, eta, phi) => {
    const s = coneSums(pf, k, eta, phi, pt, 0, 0, cfg.isoConeR, SUMS);
    return (s[3] + s[4] + s[5]) / pt < bound;
  });
}
