/**
 * Jets as in paper 3's CMS Open Data ntuples (Knapp et al., EPJ Plus 136 (2021) 236,
 * appendix A; the authors' ntuplizer, github.com/mpp-hep/CmsOpenDataNtuplizer,
 * hlf_ntuplizer.py and build_pre_datasets.py): the RECO `ak5PFJets` collection of CMS 2012,
 * i.e. anti-kT with R = 0.5 clustered from ALL particle-flow candidates. Unlike the jets of
 * lib/reco/jets.ts (paper 1: R = 0.4, isolated leptons and photons removed, CHS), these
 * jets therefore contain the isolated muon: a muon above ~30 GeV is a jet of its own and is
 * counted in NJ, HT and MJ (so is the second muon of Z -> mu mu). The authors' pre-selection
 * `n_jet > 1` thus effectively asks for the muon plus one more jet (or muon), which is why
 * tt-bar is only ~4 % of their selected data (paper 3 section 5). With the muon's own jet
 * removed (two jets besides the muon) the tt-bar share would be about three times larger:
 * measured on mu8_pseudodata (10000 events, lib/data/mu8Events.ts), 4.3 % of all rows but
 * 13 % of the rows with `n_jet_nomu` >= 2.
 *
 * Pileup: the authors used the uncorrected RECO jets (no jet energy corrections), in which
 * CMS's calorimeter response below one partly offsets the pileup energy. This simulation has
 * unit response, so we subtract the pileup offset instead, with the area-median method that
 * CMS's L1FastJet correction uses (Cacciari & Salam, arXiv:0707.1378): rho = median pT
 * density of all candidates (charged pileup included, as in non-CHS jets) in
 * {@link OpenDataJetConfig.rhoEtaBins} x {@link OpenDataJetConfig.rhoPhiBins} patches of
 * |eta| < rhoAbsEtaMax, jet pT scaled by max(0, 1 - rho A / pT) with A = pi R^2. A global
 * jet energy scale factor (`jetEnergyScale`, 1 by default) models a data / simulation
 * difference of the jet response (used by the mu8 "known-SM simulation" tune,
 * lib/data/mu8Events.ts).
 *
 * The b-tagging is lib/reco/btag.ts's (DELPHES-like flavour matching and efficiencies).
 *
 * {@link reconstructOpenData} is the whole reconstruction and selection of the 8 TeV
 * single-muon stream: leptons with their isolation (lib/reco/leptons.ts, dR < 0.3 cone as the
 * muons' `isolationR03` of the ntuples), the trigger muon of {@link SINGLE_MUON_8TEV}
 * (paper 3 section 4: pT > 23 GeV, Iso < 0.1, |eta| < 1.4), these jets with at least two of
 * pT > 30 GeV and |eta| < 2.4, b-tagging, and pT_miss from all PF candidates (the ntuples'
 * `pfMet`). Truth is read only by the b-tagging, as in lib/reco.
 */
import { hasTriggerLepton } from "./triggerPrecheck.ts";
import { clusterAntiKt } from "../physics/antikt.ts";
import type { Rng } from "../random/rng.ts";
import type { PfCandidates, SimEvent } from "../sim/event.ts";
import { applyBTagging, BTAG_MEDIUM, type BTagConfig } from "./btag.ts";
import { insertCorrectedJets, JetInputs, JetList, medianPatchRho } from "./jets.ts";
import { findLeptons, type LeptonConfig, LeptonList, LEPTONS_13TEV } from "./leptons.ts";
import { computeMissingEt, type Met, newMet } from "./missingEt.ts";
import { PfKinematics } from "./pfKinematics.ts";
import { type LeptonSelection, SINGLE_MUON_8TEV, triggerLeptonIndex } from "./select.ts";

/** Settings of {@link buildOpenDataJets}. */
export interface OpenDataJetConfig {
  /** Anti-kT distance parameter (CMS 2012 ak5: 0.5). */
  R: number;
  /** Keep jets with corrected pT > ptMin (GeV). */
  ptMin: number;
  /** Keep jets with |eta| < absEtaMax. */
  absEtaMax: number;
  /** Subtract the pileup offset rho x area (see the module comment). */
  offsetCorrection: boolean;
  /** rho from candidates with |eta| < this. */
  rhoAbsEtaMax: number;
  /** Patches of the rho median. */
  rhoEtaBins: number;
  rhoPhiBins: number;
  /** Multiplies the jet four-momenta after the offset correction (1: nominal). */
  jetEnergyScale: number;
}

/**
 * Paper 3 jets: R = 0.5, all PF candidates, offset-corrected, kept above 20 GeV in
 * |eta| < 3 (the calorimeter acceptance of lib/sim); the paper-3 quantities use pT > 30 GeV
 * and |eta| < 2.4 (lib/features/paper3Features.ts). rho from |eta| < 2.5 (tracker coverage,
 * where both charged and neutral pileup are seen) in 10 x 8 patches (as lib/reco/jets.ts).
 */
export const OPEN_DATA_JETS: Readonly<OpenDataJetConfig> = Object.freeze({
  R: 0.5,
  ptMin: 20,
  absEtaMax: 3.0,
  offsetCorrection: true,
  rhoAbsEtaMax: 2.5,
  rhoEtaBins: 10,
  rhoPhiBins: 8,
  jetEnergyScale: 1,
});

const RHO_SCRATCH = new JetInputs(0);

/**
 * Median pT density rho (GeV per unit eta-phi area) of ALL candidates of `pf` in
 * |eta| < cfg.rhoAbsEtaMax, from cfg.rhoEtaBins x cfg.rhoPhiBins patches.
 */
export function allCandidateRho(
  pf: PfCandidates,
  kin: PfKinematics,
  cfg: Readonly<OpenDataJetConfig>,
): number {
  if (kin.n !== pf.n) {
    throw new Error(`allCandidateRho: PfKinematics holds ${kin.n} candidates, the event ${pf.n}`);
  }
  return medianPatchRho(kin, null, cfg, RHO_SCRATCH);
}

/**
 * Cluster the paper-3 jets of one event into `out` (sorted by decreasing corrected pT;
 * flavour and b-tag cleared, see lib/reco/btag.ts). `kin` must hold the kinematics of `pf`.
 */
export function buildOpenDataJets(
  pf: PfCandidates,
  kin: PfKinematics,
  cfg: Readonly<OpenDataJetConfig>,
  out: JetList = new JetList(),
): JetList {
  if (kin.n !== pf.n) {
    throw new Error(
      `buildOpenDataJets: PfKinematics holds ${kin.n} candidates but the event has ${pf.n}`,
    );
  }
  if (!(cfg.R > 0) || !(cfg.jetEnergyScale > 0)) {
    throw new RangeError(`buildOpenDataJets: R = ${cfg.R}, jetEnergyScale = ${cfg.jetEnergyScale}`);
  }
  out.reset();
  const rho = cfg.offsetCorrection ? allCandidateRho(pf, kin, cfg) : 0;
  out.rho = rho;
  const area = Math.PI * cfg.R * cfg.R;
  const jes = cfg.jetEnergyScale;
  // The corrections only lower pT when jes <= 1; otherwise raw jets down to ptMin / jes count.
  const rawMin = jes > 1 ? cfg.ptMin / jes : cfg.ptMin;
  const jets = clusterAntiKt(pf.px, pf.py, pf.pz, pf.e, pf.n, { R: cfg.R, ptMin: rawMin });
  return insertCorrectedJets(jets, rho * area, jes, cfg, out);
}

/** Reconstruction and selection settings of the 8 TeV single-muon stream. */
export interface OpenDataRecoConfig {
  /** Lepton acceptance and isolation cone. */
  leptons: Readonly<LeptonConfig>;
  /** Paper-3 jets. */
  jets: Readonly<OpenDataJetConfig>;
  /** b-tagging working point. */
  btag: Readonly<BTagConfig>;
  /** The muon and jet-multiplicity selection (its jet cuts apply to the paper-3 jets). */
  selection: Readonly<LeptonSelection>;
}

/**
 * The paper-3 reconstruction: lib/reco's lepton settings (muons |eta| < 2.4, pT > 10 GeV,
 * dR < 0.3 isolation), {@link OPEN_DATA_JETS}, the medium b-tagging working point (the
 * ntuples used CSV > 0.679, CMS's 2012 medium point) and {@link SINGLE_MUON_8TEV}.
 */
export const RECO_OPEN_DATA: Readonly<OpenDataRecoConfig> = Object.freeze({
  leptons: LEPTONS_13TEV,
  jets: OPEN_DATA_JETS,
  btag: BTAG_MEDIUM,
  selection: SINGLE_MUON_8TEV,
});

/** Reconstructed objects of one event of the stream (reusable buffers). */
export class OpenDataRecoEvent {
  readonly kin: PfKinematics = new PfKinematics();
  readonly leptons: LeptonList = new LeptonList();
  readonly jets: JetList = new JetList();
  readonly met: Met = newMet();
  /** Index of the trigger muon in `leptons` (-1 when none). */
  lep = -1;
  /** Jets with pT > selection.jetPtMin and |eta| < selection.jetAbsEtaMax. */
  nSelectedJets = 0;
  /** Number of b-tagged jets in `jets`. */
  nBTagged = 0;
}

/**
 * Reconstruct `ev` into `out` and apply the selection of `cfg`; returns the trigger muon's
 * index in `out.leptons`, or -1 when the event fails. Jets, b-tags and pT_miss are computed
 * only for events with a trigger muon (the rest of `out` is then stale). `btagRng` must be a
 * stream dedicated to this event's b-tagging (one uniform per jet of `out.jets`).
 */
export function reconstructOpenData(
  ev: SimEvent,
  btagRng: Rng,
  out: OpenDataRecoEvent,
  cfg: Readonly<OpenDataRecoConfig> = RECO_OPEN_DATA,
): number {
  const pf = ev.pf;
  out.lep = -1;
  out.nSelectedJets = 0;
  out.nBTagged = 0;
  out.jets.reset();
  // Exact shortcut (lib/reco/triggerPrecheck.ts): most attempts have no trigger muon.
  if (!hasTriggerLepton(pf, cfg.leptons, cfg.selection)) {
    out.leptons.reset();
    return -1;
  }
  out.kin.compute(pf);
  findLeptons(pf, out.kin, cfg.leptons, out.leptons);
  const lep = triggerLeptonIndex(out.leptons, cfg.selection);
  if (lep < 0) return -1;
  buildOpenDataJets(pf, out.kin, cfg.jets, out.jets);
  const sel = cfg.selection;
  let nj = 0;
  for (let j = 0; j < out.jets.n; j++) {
    if (out.jets.pt[j] > sel.jetPtMin && Math.abs(out.jets.eta[j]) < sel.jetAbsEtaMax) nj++;
  }
  out.nSelectedJets = nj;
  if (nj < sel.minJets) return -1;
  out.nBTagged = applyBTagging(out.jets, ev.truth, btagRng, cfg.btag);
  computeMissingEt(pf, out.met);
  out.lep = lep;
  return lep;
}
