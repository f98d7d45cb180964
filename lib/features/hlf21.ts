/**
 * The 21 high-level features (HLF) of paper 1 (Cerri et al., "Variational autoencoders for
 * new physics mining at the Large Hadron Collider", JHEP 05 (2019) 036, section 3), computed
 * from a reconstructed event and its trigger lepton.
 *
 * Column names follow the published HLF files, so simulation and loaders give the same
 * tables (paper symbol -> column):
 *   pT(l) -> LepPt; ChPFIso, NeuPFIso, GammaPFIso -> LepIsoCh, LepIsoNeu, LepIsoGamma;
 *   charge -> LepCharge; isEle -> LepIsEle; ST -> HT; NJ -> nJets; MJ -> allJetMass;
 *   Nb -> bJets; pTmiss parallel / perpendicular -> METp / METo; MT -> MT;
 *   N_mu, M_mu, pT,TOT(mu) -> nMu, allMuMass, allMuPt; N_e, M_e, pT,TOT(e) -> nEle,
 *   allEleMass, allElePt; N charged / neutral hadrons -> nChHad, nNeuHad.
 * Kept but not used as inputs: LepEta, nPhoton.
 *
 * Definitions (paper 1 section 3, with our documented choices):
 * - ST: "scalar sum of the pT of all the jets, leptons, and photons in the event with
 *   pT > 30 GeV and |eta| < 2.6"; leptons are the isolated leptons of lib/reco/leptons.ts,
 *   photons the isolated photons of lib/reco/photons.ts.
 * - NJ, MJ, Nb: number, invariant mass (of the summed four-momenta; 0 without jets) and
 *   number of b-tagged jets among the jets entering ST.
 * - METp, METo: components of pT_miss (eq. 3.2) parallel and perpendicular (signed, see
 *   lib/reco/missingEt.ts) to the trigger lepton; MT: eq. 3.3.
 * - N_mu, M_mu, pT,TOT(mu): number of selected muons, invariant mass of their summed
 *   four-momenta and |vector sum of their pT|; "selected" = identified, pT > 5 GeV, in
 *   acceptance and Iso < 0.45 (lib/reco/leptons.ts), the trigger lepton included. Same for
 *   electrons.
 * - nChHad: PF charged hadrons not flagged as pileup (after charged-hadron subtraction);
 *   nNeuHad: all PF neutral hadrons (neutral pileup cannot be removed), so it grows with
 *   pileup.
 * - Isolations are relative (divided by the lepton pT), eq. 3.1 split by particle class.
 */
import { writeTruthColumns } from "./truthColumns.ts";
import { mass as massOf } from "../physics/fourVector.ts";
import { metComponents, type MetProjection, transverseMassLepMet } from "../reco/missingEt.ts";
import type { RecoEvent } from "../reco/reconstruct.ts";
import { PF, type SimEvent } from "../sim/event.ts";
import { columnPositions, type ColumnSpec, ColumnTable, eventTableColumns } from "./columnTable.ts";

/** ST / NJ / MJ object threshold (GeV) and acceptance (paper 1 section 3). */
export const ST_PT_MIN = 30;
export const ST_ABS_ETA_MAX = 2.6;

/** The 21 HLF inputs of paper 1, in the order of DESIGN.md (names of the published files). */
export const HLF21_NAMES = [
  "HT",
  "METp",
  "METo",
  "MT",
  "nJets",
  "bJets",
  "allJetMass",
  "LepPt",
  "LepIsoCh",
  "LepIsoGamma",
  "LepIsoNeu",
  "LepCharge",
  "LepIsEle",
  "nMu",
  "allMuMass",
  "allMuPt",
  "nEle",
  "allEleMass",
  "allElePt",
  "nChHad",
  "nNeuHad",
] as const;
export type Hlf21Name = typeof HLF21_NAMES[number];

const DOCS: Record<string, string> = {
  HT: "ST: scalar pT sum of jets, isolated leptons and photons with pT > 30 GeV, |eta| < 2.6 (GeV)",
  METp: "pT_miss component parallel to the trigger lepton (GeV)",
  METo: "pT_miss component perpendicular to the trigger lepton, signed (GeV)",
  MT: "transverse mass of trigger lepton and pT_miss, paper 1 eq. 3.3 (GeV)",
  nJets: "number of jets in the ST sum (anti-kT R=0.4, pT > 30 GeV, |eta| < 2.6)",
  bJets: "number of b-tagged jets among them",
  allJetMass: "invariant mass of the jets in the ST sum (GeV)",
  LepPt: "trigger lepton pT (GeV)",
  LepIsoCh: "ChPFIso: charged-particle cone sum (dR<0.3, pileup removed) / lepton pT",
  LepIsoGamma: "GammaPFIso: photon cone sum (dR<0.3) / lepton pT",
  LepIsoNeu: "NeuPFIso: neutral-hadron cone sum (dR<0.3) / lepton pT",
  LepCharge: "trigger lepton charge (+-1)",
  LepIsEle: "1 when the trigger lepton is an electron, else 0",
  nMu: "number of selected muons (pT > 5 GeV, |eta| < 2.4, Iso < 0.45)",
  allMuMass: "invariant mass of the selected muons (GeV)",
  allMuPt: "|vector sum pT| of the selected muons (GeV)",
  nEle: "number of selected electrons (pT > 5 GeV, |eta| < 2.5, Iso < 0.45)",
  allEleMass: "invariant mass of the selected electrons (GeV)",
  allElePt: "|vector sum pT| of the selected electrons (GeV)",
  nChHad: "number of PF charged hadrons not from pileup",
  nNeuHad: "number of PF neutral hadrons (pileup included)",
  LepEta: "trigger lepton pseudorapidity (not an input)",
  nPhoton: "number of isolated photons, pT > 10 GeV, |eta| < 2.5 (not an input)",
  weight: "event weight (truth.weight; 1 for the unweighted simulation)",
  truth_nPileup: "TRUTH: number of pileup interactions overlaid",
  truth_nLep: "TRUTH: number of prompt charged leptons (e, mu, tau) at generator level",
  truth_passedFilter: "TRUTH: 1 when the generator filter passed (lepton pT > 22 GeV)",
  truth_lep1Pdg: "TRUTH: PDG id of the leading prompt lepton (0 if none)",
  truth_lep1Pt: "TRUTH: pT of the leading prompt lepton (GeV, 0 if none)",
  truth_invisiblePt: "TRUTH: |sum of invisible pT| (GeV)",
  truth_nB: "TRUTH: number of b hadrons",
  truth_nC: "TRUTH: number of c hadrons",
  truth_generatorTrials: "TRUTH: unbiased generator attempts this event stands for",
  truth_leadingGenLeptonPt:
    "TRUTH: highest generator-level e/mu pT, any origin (filter variable, GeV)",
  truth_hardScale: "TRUTH: hard scale (pT-hat for QCD, resonance/system mass otherwise, GeV)",
};

/** Extra columns: kept for studies, not VAE inputs. */
export const HLF21_EXTRA_NAMES = ["LepEta", "nPhoton"] as const;
/** Truth columns (labels and validation only). */
export const HLF21_TRUTH_NAMES = [
  "truth_nPileup",
  "truth_nLep",
  "truth_passedFilter",
  "truth_lep1Pdg",
  "truth_lep1Pt",
  "truth_invisiblePt",
  "truth_nB",
  "truth_nC",
  "truth_generatorTrials",
  "truth_leadingGenLeptonPt",
  "truth_hardScale",
] as const;

/**
 * Numeric columns of an HLF21 table, in order: the 21 inputs (float32), LepEta, nPhoton,
 * weight (float64) and the truth columns. The categorical `process` column comes on top.
 */
export const HLF21_TABLE_COLUMNS: readonly ColumnSpec[] = eventTableColumns(
  HLF21_NAMES,
  HLF21_EXTRA_NAMES,
  HLF21_TRUTH_NAMES,
  DOCS,
);

// Column positions (fixed by HLF21_TABLE_COLUMNS).
const C = columnPositions(HLF21_TABLE_COLUMNS);

/** An empty HLF21 table. */
export function newHlf21Table(capacity = 1024): ColumnTable {
  return new ColumnTable(HLF21_TABLE_COLUMNS, "process", capacity);
}

const PROJ: MetProjection = { parallel: 0, perpendicular: 0 };

/**
 * Append one row to `table` (made by {@link newHlf21Table}) from the reconstructed event
 * `reco` of `ev` with trigger lepton `lep` (index into reco.leptons). Returns the row index.
 */
export function appendHlf21Row(
  table: ColumnTable,
  ev: SimEvent,
  reco: RecoEvent,
  lep: number,
  process: string,
  weight: number = ev.truth.weight,
): number {
  const L = reco.leptons;
  if (!(lep >= 0 && lep < L.n)) {
    throw new RangeError(`appendHlf21Row: trigger lepton index ${lep} not in [0, ${L.n})`);
  }
  const row = table.addRow(table.labelCode(process));
  const d = table.data;

  // Trigger lepton.
  d[C.LepPt][row] = L.pt[lep];
  d[C.LepEta][row] = L.eta[lep];
  d[C.LepIsoCh][row] = L.isoCh[lep];
  d[C.LepIsoNeu][row] = L.isoNeu[lep];
  d[C.LepIsoGamma][row] = L.isoGamma[lep];
  d[C.LepCharge][row] = L.charge[lep];
  d[C.LepIsEle][row] = L.isEle[lep];

  // ST, NJ, MJ, Nb.
  let st = 0;
  const J = reco.jets;
  let nj = 0, nb = 0, jx = 0, jy = 0, jz = 0, je = 0;
  for (let j = 0; j < J.n; j++) {
    if (!(J.pt[j] > ST_PT_MIN && Math.abs(J.eta[j]) < ST_ABS_ETA_MAX)) continue;
    st += J.pt[j];
    nj++;
    nb += J.btag[j];
    jx += J.px[j];
    jy += J.py[j];
    jz += J.pz[j];
    je += J.e[j];
  }
  // Leptons: counts, masses, vector sums; isolated ones above 30 GeV enter ST.
  let nMu = 0, mx = 0, my = 0, mz = 0, me = 0;
  let nEle = 0, ex = 0, ey = 0, ez = 0, ee = 0;
  for (let i = 0; i < L.n; i++) {
    if (L.isolated[i] !== 1) continue;
    if (L.pt[i] > ST_PT_MIN && Math.abs(L.eta[i]) < ST_ABS_ETA_MAX) st += L.pt[i];
    if (L.isEle[i] === 1) {
      nEle++;
      ex += L.px[i];
      ey += L.py[i];
      ez += L.pz[i];
      ee += L.e[i];
    } else {
      nMu++;
      mx += L.px[i];
      my += L.py[i];
      mz += L.pz[i];
      me += L.e[i];
    }
  }
  const P = reco.photons;
  for (let i = 0; i < P.n; i++) {
    if (P.pt[i] > ST_PT_MIN && Math.abs(P.eta[i]) < ST_ABS_ETA_MAX) st += P.pt[i];
  }
  d[C.HT][row] = st;
  d[C.nJets][row] = nj;
  d[C.bJets][row] = nb;
  d[C.allJetMass][row] = massOf(jx, jy, jz, je);
  d[C.nMu][row] = nMu;
  d[C.allMuMass][row] = massOf(mx, my, mz, me);
  d[C.allMuPt][row] = Math.sqrt(mx * mx + my * my);
  d[C.nEle][row] = nEle;
  d[C.allEleMass][row] = massOf(ex, ey, ez, ee);
  d[C.allElePt][row] = Math.sqrt(ex * ex + ey * ey);
  d[C.nPhoton][row] = P.n;

  // pT_miss relative to the lepton, MT (eq. 3.3).
  const met = reco.met;
  metComponents(met, L.phi[lep], PROJ);
  d[C.METp][row] = PROJ.parallel;
  d[C.METo][row] = PROJ.perpendicular;
  d[C.MT][row] = transverseMassLepMet(met, L.pt[lep], L.phi[lep]);

  // PF multiplicities.
  const pf = ev.pf;
  let nCh = 0, nNeu = 0;
  for (let k = 0; k < pf.n; k++) {
    const c = pf.pfClass[k];
    if (c === PF.chargedHadron) {
      if (pf.fromPileup[k] === 0) nCh++;
    } else if (c === PF.neutralHadron) nNeu++;
  }
  d[C.nChHad][row] = nCh;
  d[C.nNeuHad][row] = nNeu;

  d[C.weight][row] = weight;

  // Truth (labels and validation only).
  writeTruthColumns(d, C, row, ev.truth);
  return row;
}
