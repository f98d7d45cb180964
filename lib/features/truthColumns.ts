/**
 * The generator-truth columns of the simulated event tables (HLF21 and paper 3): labels and
 * validation only, never model inputs. One writer for both tables; a table carries the
 * columns of its layout (`truth_passedFilter`, `truth_leadingGenLeptonPt` and
 * `truth_nHardPartons` are optional).
 */
import type { TruthSummary } from "../sim/event.ts";
import type { NumericColumn } from "./columnTable.ts";

/**
 * Write the truth columns of `t` into row `row` of the column arrays `d`, whose positions by
 * name are `C` (from columnPositions): pileup interactions, prompt leptons, the leading prompt
 * lepton's PDG id and pT (GeV), the invisible pT (GeV), b and c hadrons, generator attempts,
 * hard scale (GeV), and where the layout has them the filter flag, the filter variable and
 * the V + jets hard-parton multiplicity.
 */
export function writeTruthColumns(
  d: NumericColumn[],
  C: Readonly<Record<string, number>>,
  row: number,
  t: TruthSummary,
): void {
  d[C.truth_nPileup][row] = t.nPileup;
  d[C.truth_nLep][row] = t.nLep;
  if (C.truth_passedFilter !== undefined) {
    d[C.truth_passedFilter][row] = t.passedGeneratorFilter ? 1 : 0;
  }
  let lead = -1;
  for (let i = 0; i < t.nLep; i++) if (lead < 0 || t.lepPt[i] > t.lepPt[lead]) lead = i;
  d[C.truth_lep1Pdg][row] = lead >= 0 ? t.lepPdg[lead] : 0;
  d[C.truth_lep1Pt][row] = lead >= 0 ? t.lepPt[lead] : 0;
  d[C.truth_invisiblePt][row] = Math.sqrt(
    t.invisiblePx * t.invisiblePx + t.invisiblePy * t.invisiblePy,
  );
  let nB = 0, nC = 0;
  for (let h = 0; h < t.nHf; h++) {
    if (t.hfFlavour[h] === 5) nB++;
    else if (t.hfFlavour[h] === 4) nC++;
  }
  d[C.truth_nB][row] = nB;
  d[C.truth_nC][row] = nC;
  d[C.truth_generatorTrials][row] = t.generatorTrials;
  if (C.truth_leadingGenLeptonPt !== undefined) {
    d[C.truth_leadingGenLeptonPt][row] = t.leadingGenLeptonPt;
  }
  d[C.truth_hardScale][row] = t.hardScale;
  if (C.truth_nHardPartons !== undefined) d[C.truth_nHardPartons][row] = t.nHardPartons;
}
