/**
 * Reconstruction of one simulated event from its particle-flow candidates: leptons with
 * isolation, isolated photons, anti-kT jets with CHS and rho correction, b-tagging and
 * missing transverse momentum. Truth is read only by the b-tagging (see btag.ts).
 *
 * One {@link RecoEvent} is allocated per worker and reused for every event.
 */
import type { Rng } from "../random/rng.ts";
import type { SimEvent } from "../sim/event.ts";
import { applyBTagging, BTAG_MEDIUM, type BTagConfig } from "./btag.ts";
import { buildJets, type JetConfig, JetInputs, JetList, JETS_13TEV } from "./jets.ts";
import { findLeptons, type LeptonConfig, LeptonList, LEPTONS_13TEV } from "./leptons.ts";
import { computeMissingEt, type Met, newMet } from "./missingEt.ts";
import { PfKinematics } from "./pfKinematics.ts";
import { findPhotons, type PhotonConfig, PhotonList, PHOTONS_13TEV } from "./photons.ts";

/** All reconstruction settings. */
export interface RecoConfig {
  leptons: Readonly<LeptonConfig>;
  photons: Readonly<PhotonConfig>;
  jets: Readonly<JetConfig>;
  btag: Readonly<BTagConfig>;
}

/** The 13 TeV single-lepton stream (paper 1); each part documents its sources. */
export const RECO_13TEV: Readonly<RecoConfig> = Object.freeze({
  leptons: LEPTONS_13TEV,
  photons: PHOTONS_13TEV,
  jets: JETS_13TEV,
  btag: BTAG_MEDIUM,
});

/** Reconstructed objects of one event (reusable buffers). */
export class RecoEvent {
  /** PF kinematics; eta and phi are NaN for charged pileup (see PfKinematics.compute). */
  readonly kin: PfKinematics = new PfKinematics();
  readonly leptons: LeptonList = new LeptonList();
  readonly photons: PhotonList = new PhotonList();
  readonly jets: JetList = new JetList();
  readonly jetInputs: JetInputs = new JetInputs();
  readonly met: Met = newMet();
  /** Number of b-tagged jets in `jets`. */
  nBTagged = 0;
}

/**
 * Reconstruct `ev` into `out`. `btagRng` must be a stream dedicated to this event's
 * b-tagging (one uniform is drawn per jet).
 */
export function reconstruct(
  ev: SimEvent,
  btagRng: Rng,
  out: RecoEvent,
  cfg: Readonly<RecoConfig> = RECO_13TEV,
): RecoEvent {
  reconstructLeptons(ev, out, cfg);
  return reconstructRest(ev, btagRng, out, cfg);
}

/**
 * First stage of {@link reconstruct}: PF kinematics and leptons only. A selection that
 * looks only at leptons (the single-lepton trigger) can reject an event here and skip the
 * jet clustering, which is most of the reconstruction time; the result of the full chain
 * is unchanged because the later stages do not alter the leptons.
 */
export function reconstructLeptons(
  ev: SimEvent,
  out: RecoEvent,
  cfg: Readonly<RecoConfig> = RECO_13TEV,
): RecoEvent {
  // Charged pileup needs no (eta, phi) here (see PfKinematics.compute).
  out.kin.compute(ev.pf, true);
  findLeptons(ev.pf, out.kin, cfg.leptons, out.leptons);
  return out;
}

/** Second stage of {@link reconstruct}: photons, jets, b-tagging and MET. */
export function reconstructRest(
  ev: SimEvent,
  btagRng: Rng,
  out: RecoEvent,
  cfg: Readonly<RecoConfig> = RECO_13TEV,
): RecoEvent {
  const pf = ev.pf;
  findPhotons(pf, out.kin, cfg.photons, out.photons);
  buildJets(pf, out.kin, out.leptons, out.photons, cfg.jets, out.jetInputs, out.jets);
  out.nBTagged = applyBTagging(out.jets, ev.truth, btagRng, cfg.btag);
  computeMissingEt(pf, out.met);
  return out;
}
