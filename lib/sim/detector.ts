/**
 * Detector response: turns generator-level stable particles into particle-flow (PF)
 * candidates of a CMS-like detector, with DELPHES-card orders of magnitude (the CMS card of
 * DELPHES 3, de Favereau et al., JHEP 02 (2014) 057; PHYSICS.md "Detector response").
 *
 * Per stable particle:
 * - neutrinos: invisible (summed into the truth's invisible pT);
 * - charged hadrons within the tracker (|eta| < 2.5) are tracked with a pT-dependent
 *   efficiency and pT resolution -> PF charged hadron (energy from the track with the pion
 *   mass, as PF does); a small fraction is misidentified as an electron or a muon (fakes); an
 *   untracked charged hadron leaves its energy in the HCAL -> neutral hadron; beyond the
 *   tracker and up to |eta| < 3 the calorimeter sees it as a neutral hadron;
 * - electrons: identified with an (eta, pT)-dependent efficiency -> PF electron (2 % energy
 *   resolution); if not identified, tracked -> charged hadron; beyond the tracker -> photon;
 * - muons: identified in |eta| < 2.4 -> PF muon (1-2 % resolution at 50 GeV, worse at TeV);
 *   otherwise their track -> charged hadron; no calorimeter deposit (minimum ionising);
 * - photons: ECAL, |eta| < 3, sigma(E)/E = 3 %/sqrt(E) (+) 0.5 %, true E > 0.5 GeV -> PF photon;
 * - neutral hadrons (K0L, n): HCAL, |eta| < 3, sigma(E)/E = 100 %/sqrt(E) (+) 5 %, E > 1 GeV
 *   (true E) -> PF neutral hadron (massless, along the particle direction).
 * Everything outside the acceptance is dropped (and so shows up as missing pT).
 *
 * Not modelled: calorimeter towers (granularity, merging of nearby neutrals, the PF
 * subtraction of track energy from towers), photon conversions, bremsstrahlung, the forward
 * calorimeter (3 < |eta| < 5), lepton charge misidentification, displaced-vertex information.
 *
 * Units: GeV.
 */
import type { SimRandom } from "./random.ts";
import { MASS, PDG } from "./constants.ts";
import { PF, type PfCandidates } from "./event.ts";
import { type GenParticles, STATUS } from "./particles.ts";

/** Detector parameters (see the module comment for the sources). */
export interface DetectorParams {
  /** Tracker acceptance |eta| < this (PHYSICS.md, CMS). */
  trackerAbsEta: number;
  /** Calorimeter acceptance |eta| < this (ECAL+HCAL barrel and endcaps, CMS). */
  caloAbsEta: number;
  /** Muon-system acceptance (PHYSICS.md "|eta| < 2.4"). */
  muonAbsEta: number;
  /** Track efficiency for 0.1 < pT < 1 GeV and pT > 1 GeV (PHYSICS.md "~70 %", "~95 %"). */
  trackEffLow: number;
  trackEffHigh: number;
  /** Tracks below this pT (GeV) are not reconstructed (DELPHES CMS card: 0.1 GeV). */
  trackPtMin: number;
  /** ECAL / HCAL energy thresholds (GeV) for neutral candidates (DELPHES CMS card). */
  photonEMin: number;
  neutralHadronEMin: number;
  /** Fake rates per tracked charged hadron with pT > fakePtMin: as electron, as muon. */
  fakeElectronProb: number;
  fakeMuonProb: number;
  fakePtMin: number;
}

/**
 * Default, CMS-like parameters. The fake rates are our choice: with ~2-4 charged hadrons of
 * pT > 5 GeV in a 30-100 GeV jet they give ~0.5 % electron and ~0.1 % muon fakes per jet,
 * the order of magnitude of PHYSICS.md ("1 % electrons, 0.1 % muons per jet", paper 4).
 */
export const DETECTOR_DEFAULTS: Readonly<DetectorParams> = Object.freeze({
  trackerAbsEta: 2.5,
  caloAbsEta: 3.0,
  muonAbsEta: 2.4,
  trackEffLow: 0.7,
  trackEffHigh: 0.95,
  trackPtMin: 0.1,
  photonEMin: 0.5,
  neutralHadronEMin: 1.0,
  fakeElectronProb: 0.002,
  fakeMuonProb: 0.0003,
  fakePtMin: 5,
});

/** Track efficiency at (pT, |eta|), PHYSICS.md: 0 below 0.1 GeV, 70 % to 1 GeV, 95 % above. */
export function trackEfficiency(pt: number, absEta: number, d = DETECTOR_DEFAULTS): number {
  if (absEta >= d.trackerAbsEta || pt < d.trackPtMin) return 0;
  return pt < 1 ? d.trackEffLow : d.trackEffHigh;
}

/**
 * Relative track pT resolution: barrel (|eta| < 1.5) 1 % (+) 0.015 %/GeV x pT, endcap
 * 2.5 % (+) 0.03 %/GeV x pT (PHYSICS.md "~1 % + 0.015 %/GeV x pT (barrel), ~2-3 % endcap").
 */
export function trackResolution(pt: number, absEta: number): number {
  if (absEta < 1.5) {
    const b = 1.5e-4 * pt;
    return Math.sqrt(1e-4 + b * b);
  }
  const b = 3e-4 * pt;
  return Math.sqrt(6.25e-4 + b * b);
}

/**
 * Muon identification efficiency (PHYSICS.md "~95 % (pT > 10 GeV, |eta| < 2.4)"); 3-10 GeV:
 * 90 % (our choice: soft muons still reach the muon stations in most of the acceptance; the
 * HL-LHC DELPHES card of paper 1 identifies muons from a few GeV on). Soft leptons matter
 * for the lepton counts of A -> 4l (four leptons of ~12 GeV on average).
 */
export function muonEfficiency(pt: number, absEta: number, d = DETECTOR_DEFAULTS): number {
  if (absEta >= d.muonAbsEta || pt < 3) return 0;
  return pt < 10 ? 0.9 : 0.95;
}

/**
 * Muon pT resolution: barrel 1 % (+) 0.01 %/GeV x pT, endcap 2 % (+) 0.02 %/GeV x pT
 * (PHYSICS.md "1-2 % at 50 GeV, worse at TeV").
 */
export function muonResolution(pt: number, absEta: number): number {
  const a = absEta < 1.5 ? 0.01 : 0.02;
  const b = (absEta < 1.5 ? 1e-4 : 2e-4) * pt;
  return Math.sqrt(a * a + b * b);
}

/**
 * Electron identification efficiency: 95 % barrel (|eta| < 1.5), 85 % endcap for pT > 10 GeV
 * (PHYSICS.md "85-95 %"); 85 % for 4-10 GeV (the CMS HL-LHC DELPHES card's 85 % for
 * 5-10 GeV electrons; paper 1 used that card), 0 below.
 */
export function electronEfficiency(pt: number, absEta: number, d = DETECTOR_DEFAULTS): number {
  if (absEta >= d.trackerAbsEta || pt < 4) return 0;
  if (pt < 10) return 0.85;
  return absEta < 1.5 ? 0.95 : 0.85;
}

/** Electron energy resolution: 2 % (+) 3 %/sqrt(E) (PHYSICS.md "resolution ~2 %", ECAL). */
export function electronResolution(e: number): number {
  return Math.sqrt(4e-4 + 9e-4 / e);
}

/** ECAL: sigma(E)/E = 3 %/sqrt(E) (+) 0.5 % (PHYSICS.md). */
export function ecalResolution(e: number): number {
  return Math.sqrt(9e-4 / e + 2.5e-5);
}

/** HCAL: sigma(E)/E = 100 %/sqrt(E) (+) 5 % (PHYSICS.md). */
export function hcalResolution(e: number): number {
  return Math.sqrt(1 / e + 2.5e-3);
}

/** Invisible transverse momentum of the last {@link detectorResponse} call (GeV). */
export const INVISIBLE = { px: 0, py: 0 };

/**
 * Append the PF candidates of all stable particles of `gen` (status final) to `pf`, with
 * truthIndex = generator index and fromPileup = false; sums neutrino pT into
 * {@link INVISIBLE}.
 */
export function detectorResponse(
  gen: GenParticles,
  pf: PfCandidates,
  rng: SimRandom,
  d: Readonly<DetectorParams> = DETECTOR_DEFAULTS,
): void {
  INVISIBLE.px = 0;
  INVISIBLE.py = 0;
  // |pz / pT| above this means |eta| > caloAbsEta + 1e-6: outside, decided without the asinh
  // (asinh is increasing; the margin dwarfs its rounding errors).
  const ratioMax = Math.sinh(d.caloAbsEta + 1e-6);
  for (let i = 0; i < gen.n; i++) {
    if (gen.status[i] !== STATUS.final) continue;
    const pdg = gen.pdg[i];
    const apdg = pdg < 0 ? -pdg : pdg;
    const px = gen.px[i], py = gen.py[i], pz = gen.pz[i], e = gen.e[i];
    if (apdg === 12 || apdg === 14 || apdg === 16) {
      INVISIBLE.px += px;
      INVISIBLE.py += py;
      continue;
    }
    const pt = Math.sqrt(px * px + py * py);
    if (pt < 1e-6) continue;
    const ratio = pz / pt;
    if (ratio > ratioMax || ratio < -ratioMax) continue;
    const absEta = Math.abs(Math.asinh(ratio));
    if (absEta >= d.caloAbsEta) continue;
    switch (apdg) {
      case PDG.gamma:
        calorimeter(pf, px, py, pz, e, PF.photon, i, rng, d);
        break;
      case PDG.e: {
        const charge = pdg > 0 ? -1 : 1;
        if (absEta < d.trackerAbsEta && rng.uniform() < electronEfficiency(pt, absEta, d)) {
          const f = 1 + electronResolution(e) * rng.normal();
          if (f > 0) pf.push(px * f, py * f, pz * f, e * f, PF.electron, charge, false, i);
        } else if (rng.uniform() < trackEfficiency(pt, absEta, d)) {
          track(pf, px, py, pz, pt, absEta, MASS.e, PF.chargedHadron, charge, i, rng);
        } else {
          calorimeter(pf, px, py, pz, e, PF.photon, i, rng, d);
        }
        break;
      }
      case PDG.mu: {
        const charge = pdg > 0 ? -1 : 1;
        if (rng.uniform() < muonEfficiency(pt, absEta, d)) {
          const f = 1 + muonResolution(pt, absEta) * rng.normal();
          if (f > 0) {
            const qx = px * f, qy = py * f, qz = pz * f;
            const en = Math.sqrt(qx * qx + qy * qy + qz * qz + MASS.mu * MASS.mu);
            pf.push(qx, qy, qz, en, PF.muon, charge, false, i);
          }
        } else if (rng.uniform() < trackEfficiency(pt, absEta, d)) {
          track(pf, px, py, pz, pt, absEta, MASS.mu, PF.chargedHadron, charge, i, rng);
        }
        break;
      }
      case PDG.piPlus:
      case PDG.KPlus:
      case PDG.p: {
        const charge = apdg === PDG.p ? (pdg > 0 ? 1 : -1) : (pdg > 0 ? 1 : -1);
        if (rng.uniform() < trackEfficiency(pt, absEta, d)) {
          let cls: number = PF.chargedHadron;
          let m: number = MASS.piPlus;
          if (pt > d.fakePtMin) {
            const u = rng.uniform();
            if (u < d.fakeElectronProb) {
              cls = PF.electron;
              m = MASS.e;
            } else if (u < d.fakeElectronProb + d.fakeMuonProb && absEta < d.muonAbsEta) {
              cls = PF.muon;
              m = MASS.mu;
            }
          }
          track(pf, px, py, pz, pt, absEta, m, cls as 0 | 3 | 4, charge, i, rng);
        } else {
          calorimeter(pf, px, py, pz, e, PF.neutralHadron, i, rng, d);
        }
        break;
      }
      default:
        // K0L, neutrons (and any other neutral hadron that reaches the calorimeter).
        calorimeter(pf, px, py, pz, e, PF.neutralHadron, i, rng, d);
        break;
    }
  }
}

/** A reconstructed track: smeared pT, energy from mass hypothesis `m`. */
function track(
  pf: PfCandidates,
  px: number,
  py: number,
  pz: number,
  pt: number,
  absEta: number,
  m: number,
  cls: 0 | 3 | 4,
  charge: number,
  truth: number,
  rng: SimRandom,
): void {
  let f = 1 + trackResolution(pt, absEta) * rng.normal();
  if (f <= 0.05) f = 0.05;
  const qx = px * f, qy = py * f, qz = pz * f;
  pf.push(qx, qy, qz, Math.sqrt(qx * qx + qy * qy + qz * qz + m * m), cls, charge, false, truth);
}

/** A calorimeter-only (neutral) candidate: smeared energy, massless, threshold applied. */
function calorimeter(
  pf: PfCandidates,
  px: number,
  py: number,
  pz: number,
  e: number,
  cls: 1 | 2,
  truth: number,
  rng: SimRandom,
  d: Readonly<DetectorParams>,
): void {
  // Threshold on the deposited (true) energy, then smearing: avoids promoting soft deposits
  // over threshold through the huge sub-GeV HCAL resolution (noise thresholds are set on
  // signal, not on fluctuations).
  if (e < (cls === PF.photon ? d.photonEMin : d.neutralHadronEMin)) return;
  const res = cls === PF.photon ? ecalResolution(e) : hcalResolution(e);
  const es = e * (1 + res * rng.normal());
  if (es <= 0) return;
  const p = Math.sqrt(px * px + py * py + pz * pz);
  if (!(p > 0)) return;
  const f = es / p;
  pf.push(px * f, py * f, pz * f, es, cls, 0, false, truth);
}
