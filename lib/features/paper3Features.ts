/**
 * The quantities of paper 3 appendix A (Knapp et al., "Adversarially Learned Anomaly
 * Detection on CMS Open Data: re-discovering the top quark", EPJ Plus 136 (2021) 236),
 * computed from a reconstructed event of the 8 TeV single-muon stream
 * (lib/reco/openDataReco.ts) - reconstruction only, never truth.
 *
 * Column names are those of the published ntuples (lib/data/published/openData8TeV.ts,
 * `OPEN_DATA_COLUMNS`, same order), so simulated and published tables match. Paper symbol
 * -> column, with the definitions we use (the authors' ntuplizer, github.com/mpp-hep/
 * CmsOpenDataNtuplizer hlf_ntuplizer.py, where the paper is terse):
 *
 * 14 event quantities
 * - HT -> `HT`: scalar pT sum of the jets with pT > 30 GeV and |eta| < 2.4 (paper-3 jets:
 *   anti-kT R = 0.5 from all PF candidates, so the isolated muon is one of them when its
 *   pT is above 30 GeV; see lib/reco/openDataReco.ts);
 * - MJ -> `mass_jet`: invariant mass of the sum of those jets (0 without jets);
 * - NJ -> `n_jet`: their number; NB -> `n_bjet`: the b-tagged ones among them (the
 *   ntuplizer counted CSV-tagged jets of any pT; we follow the paper's "jets entering the HT
 *   sum");
 * - pT_miss -> `MET`: |- sum of the pT of all PF candidates|;
 * - pT,TOT(mu), M_mu, N_mu -> `pt_mu`, `mass_mu`, `n_mu`: |vector sum of pT|, invariant mass
 *   and number of all PF muons with pT > 0.5 GeV (the trigger muon included);
 * - pT,TOT(e), M_e, N_e -> `pt_ele`, `mass_ele`, `n_ele`: the same for PF electrons;
 * - N_neu, N_ch, N_gamma -> `n_neu`, `n_ch`, `n_photon`: numbers of ALL PF neutral hadrons,
 *   charged hadrons and photons (pileup included, as the ntuplizer counts PF candidates by
 *   type).
 * 10 lepton quantities (the trigger muon: the highest-pT muon passing the selection)
 * - pT, eta, q -> `lep_pt`, `lep_eta`, `lep_charge`;
 * - Iso_ch, Iso_neu, Iso_gamma -> `lep_iso_ch`, `lep_iso_neu`, `lep_iso_gamma`: cone sums
 *   (dR < 0.3) of charged particles (pileup removed), neutral hadrons and photons over the
 *   lepton pT (lib/reco/leptons.ts; the ntuples' muon `isolationR03` sumPt / hadEt / emEt);
 * - Iso -> `lep_iso` (extra column, the sum of the three; not stored in the ntuples);
 * - MT -> `MT`; pT_miss parallel / perpendicular -> `METp`, `METo` (lib/reco/missingEt.ts
 *   signs: METp > 0 along the lepton, METo counter-clockwise of it);
 * - IsEle -> `lep_is_ele` (extra column: 0 in a single-muon stream; not in the ntuples).
 * 14 + 11 items: the paper counts 10 lepton quantities but lists 11 (Iso and IsEle).
 *
 * Extra, not paper quantities: `n_jet_nomu` (jets of the HT sum farther than dR = 0.5 from
 * the trigger muon: the multiplicity with the muon's own jet removed), `weight`, and truth
 * columns `truth_*` for labels and validation only (never inputs).
 */
import { writeTruthColumns } from "./truthColumns.ts";
import { mass as massOf } from "../physics/fourVector.ts";
import { metComponents, type MetProjection, transverseMassLepMet } from "../reco/missingEt.ts";
import type { OpenDataRecoEvent } from "../reco/openDataReco.ts";
import { PF, type SimEvent } from "../sim/event.ts";
import { columnPositions, type ColumnSpec, ColumnTable, eventTableColumns } from "./columnTable.ts";

/** Jets entering HT, MJ, NJ, NB (paper 3 appendix A): pT > 30 GeV, |eta| < 2.4. */
export const PAPER3_JET = Object.freeze({ ptMin: 30, absEtaMax: 2.4 });
/** PF muons and electrons entering the N, pT,TOT, M sums: pT > 0.5 GeV (appendix A). */
export const PAPER3_PF_LEPTON_PT_MIN = 0.5;

/**
 * The 23 columns of the published paper-3 ntuples, in file order; the published-data loader
 * (lib/data/published/openData8TeV.ts) reads its files with this same list.
 */
export const PAPER3_COLUMNS = [
  "HT",
  "mass_jet",
  "n_jet",
  "n_bjet",
  "lep_pt",
  "lep_eta",
  "lep_charge",
  "lep_iso_ch",
  "lep_iso_neu",
  "lep_iso_gamma",
  "MET",
  "METo",
  "METp",
  "MT",
  "n_mu",
  "pt_mu",
  "mass_mu",
  "n_ele",
  "pt_ele",
  "mass_ele",
  "n_neu",
  "n_ch",
  "n_photon",
] as const;
/** One of {@link PAPER3_COLUMNS}. */
export type Paper3Column = typeof PAPER3_COLUMNS[number];

/** Paper quantities not stored in the ntuples (names as lib/data/published/hepTutorial.ts). */
export const PAPER3_EXTRA_COLUMNS = ["lep_iso", "lep_is_ele", "n_jet_nomu"] as const;

/** Truth columns (labels and validation only). */
export const PAPER3_TRUTH_COLUMNS = [
  "truth_nPileup",
  "truth_nLep",
  "truth_lep1Pdg",
  "truth_lep1Pt",
  "truth_invisiblePt",
  "truth_nB",
  "truth_nC",
  "truth_generatorTrials",
  "truth_hardScale",
  "truth_nHardPartons",
] as const;

const DOCS: Record<string, string> = {
  HT: "scalar pT sum of the jets with pT > 30 GeV, |eta| < 2.4 (R = 0.5, all PF candidates) (GeV)",
  mass_jet: "MJ: invariant mass of the jets in the HT sum (GeV)",
  n_jet: "NJ: number of jets in the HT sum (the isolated muon's own jet included)",
  n_bjet: "NB: number of b-tagged jets among them",
  lep_pt: "trigger muon pT (GeV)",
  lep_eta: "trigger muon pseudorapidity",
  lep_charge: "trigger muon charge (+-1)",
  lep_iso_ch: "charged-particle cone sum (dR < 0.3, pileup removed) / muon pT",
  lep_iso_neu: "neutral-hadron cone sum (dR < 0.3) / muon pT",
  lep_iso_gamma: "photon cone sum (dR < 0.3) / muon pT",
  MET: "pT_miss = |- sum pT of all PF candidates| (GeV)",
  METo: "pT_miss component perpendicular to the muon, signed (GeV)",
  METp: "pT_miss component parallel to the muon (GeV)",
  MT: "transverse mass of the muon and pT_miss (GeV)",
  n_mu: "number of PF muons with pT > 0.5 GeV",
  pt_mu: "|vector pT sum| of those muons (GeV)",
  mass_mu: "invariant mass of those muons (GeV)",
  n_ele: "number of PF electrons with pT > 0.5 GeV",
  pt_ele: "|vector pT sum| of those electrons (GeV)",
  mass_ele: "invariant mass of those electrons (GeV)",
  n_neu: "number of PF neutral hadrons (pileup included)",
  n_ch: "number of PF charged hadrons (pileup included)",
  n_photon: "number of PF photons (pileup included)",
  lep_iso: "Iso = lep_iso_ch + lep_iso_neu + lep_iso_gamma (paper quantity, not in the ntuples)",
  lep_is_ele: "IsEle: 1 for an electron, 0 for a muon (always 0 here; not in the ntuples)",
  n_jet_nomu: "NOT a paper quantity: jets of the HT sum with dR > 0.5 from the trigger muon",
  weight: "event weight (truth.weight; 1 for the unweighted simulation)",
  truth_nPileup: "TRUTH: number of pileup interactions overlaid",
  truth_nLep: "TRUTH: number of prompt charged leptons (e, mu, tau) at generator level",
  truth_lep1Pdg: "TRUTH: PDG id of the leading prompt lepton (0 if none)",
  truth_lep1Pt: "TRUTH: pT of the leading prompt lepton (GeV, 0 if none)",
  truth_invisiblePt: "TRUTH: |sum of invisible pT| (GeV)",
  truth_nB: "TRUTH: number of b hadrons",
  truth_nC: "TRUTH: number of c hadrons",
  truth_generatorTrials: "TRUTH: unbiased generator attempts this event stands for",
  truth_hardScale: "TRUTH: hard scale (boson mass for W/Z, m(tt) for ttbar, GeV)",
  truth_nHardPartons: "TRUTH: hard partons of the W/Z + jets matrix element (0 for tt-bar)",
};

/**
 * Numeric columns of a paper-3 table, in order: the 23 ntuple columns and the extras
 * (float32), `weight` (float64), the truth columns (float32). The categorical `process`
 * column comes on top.
 */
export const PAPER3_TABLE_COLUMNS: readonly ColumnSpec[] = eventTableColumns(
  PAPER3_COLUMNS,
  PAPER3_EXTRA_COLUMNS,
  PAPER3_TRUTH_COLUMNS,
  DOCS,
);

const C = columnPositions(PAPER3_TABLE_COLUMNS);

/** An empty paper-3 table. */
export function newPaper3Table(capacity = 1024): ColumnTable {
  return new ColumnTable(PAPER3_TABLE_COLUMNS, "process", capacity);
}

const PROJ: MetProjection = { parallel: 0, perpendicular: 0 };

/**
 * Append one row to `table` (from {@link newPaper3Table}) for the selected event `ev`,
 * reconstructed into `reco` by lib/reco/openDataReco.ts, with trigger muon `lep` (index into
 * reco.leptons). Returns the row index.
 */
export function appendPaper3Row(
  table: ColumnTable,
  ev: SimEvent,
  reco: OpenDataRecoEvent,
  lep: number,
  process: string,
  weight: number = ev.truth.weight,
): number {
  const L = reco.leptons;
  if (!(lep >= 0 && lep < L.n)) {
    throw new RangeError(`appendPaper3Row: trigger lepton index ${lep} not in [0, ${L.n})`);
  }
  const row = table.addRow(table.labelCode(process));
  const d = table.data;

  // Lepton quantities.
  const lepPhi = L.phi[lep], lepEta = L.eta[lep];
  d[C.lep_pt][row] = L.pt[lep];
  d[C.lep_eta][row] = lepEta;
  d[C.lep_charge][row] = L.charge[lep];
  d[C.lep_iso_ch][row] = L.isoCh[lep];
  d[C.lep_iso_neu][row] = L.isoNeu[lep];
  d[C.lep_iso_gamma][row] = L.isoGamma[lep];
  d[C.lep_iso][row] = L.isoCh[lep] + L.isoNeu[lep] + L.isoGamma[lep];
  d[C.lep_is_ele][row] = L.isEle[lep];
  const met = reco.met;
  metComponents(met, lepPhi, PROJ);
  d[C.MET][row] = met.met;
  d[C.METp][row] = PROJ.parallel;
  d[C.METo][row] = PROJ.perpendicular;
  d[C.MT][row] = transverseMassLepMet(met, L.pt[lep], lepPhi);

  // Jets: HT, MJ, NJ, NB.
  const J = reco.jets;
  let ht = 0, nj = 0, nb = 0, nNoMu = 0, jx = 0, jy = 0, jz = 0, je = 0;
  for (let j = 0; j < J.n; j++) {
    if (!(J.pt[j] > PAPER3_JET.ptMin && Math.abs(J.eta[j]) < PAPER3_JET.absEtaMax)) continue;
    ht += J.pt[j];
    nj++;
    nb += J.btag[j];
    jx += J.px[j];
    jy += J.py[j];
    jz += J.pz[j];
    je += J.e[j];
    const de = J.eta[j] - lepEta;
    let dp = J.phi[j] - lepPhi;
    if (dp > Math.PI) dp -= 2 * Math.PI;
    else if (dp < -Math.PI) dp += 2 * Math.PI;
    if (de * de + dp * dp > 0.25) nNoMu++;
  }
  d[C.HT][row] = ht;
  d[C.mass_jet][row] = nj > 0 ? massOf(jx, jy, jz, je) : 0;
  d[C.n_jet][row] = nj;
  d[C.n_bjet][row] = nb;
  d[C.n_jet_nomu][row] = nNoMu;

  // PF candidates: muon / electron sums and multiplicities.
  const pf = ev.pf;
  const kin = reco.kin;
  let nMu = 0, mx = 0, my = 0, mz = 0, me = 0;
  let nEle = 0, ex = 0, ey = 0, ez = 0, ee = 0;
  let nCh = 0, nNeu = 0, nPho = 0;
  for (let k = 0; k < pf.n; k++) {
    const c = pf.pfClass[k];
    if (c === PF.chargedHadron) nCh++;
    else if (c === PF.neutralHadron) nNeu++;
    else if (c === PF.photon) nPho++;
    else if (kin.pt[k] > PAPER3_PF_LEPTON_PT_MIN) {
      if (c === PF.muon) {
        nMu++;
        mx += pf.px[k];
        my += pf.py[k];
        mz += pf.pz[k];
        me += pf.e[k];
      } else if (c === PF.electron) {
        nEle++;
        ex += pf.px[k];
        ey += pf.py[k];
        ez += pf.pz[k];
        ee += pf.e[k];
      }
    }
  }
  d[C.n_mu][row] = nMu;
  d[C.pt_mu][row] = Math.sqrt(mx * mx + my * my);
  d[C.mass_mu][row] = massOf(mx, my, mz, me);
  d[C.n_ele][row] = nEle;
  d[C.pt_ele][row] = Math.sqrt(ex * ex + ey * ey);
  d[C.mass_ele][row] = massOf(ex, ey, ez, ee);
  d[C.n_ch][row] = nCh;
  d[C.n_neu][row] = nNeu;
  d[C.n_photon][row] = nPho;

  d[C.weight][row] = weight;

  // Truth (labels and validation only).
  writeTruthColumns(d, C, row, ev.truth);
  return row;
}
