/**
 * The measurement behind the tune of lib/sim/vJets.ts (SIMULATED W / Z + jets at 8 TeV,
 * pileup 20): of the inclusive W -> mu nu and Z -> mu mu events (no hard-parton requirement)
 * with a selected muon (paper 3: pT > 23 GeV, |eta| < 1.4, Iso < 0.1), the fraction with
 * >= 1 jet and the ratios N(>= n + 1 jets) / N(>= n jets) of the paper-3 jets (anti-kT
 * R = 0.5, pT > 30 GeV, |eta| < 2.4) farther than dR = 0.5 from every reconstructed lepton
 * of pT > 10 GeV (paper-3 jets keep the muons, which would count as jets). CMS measured
 * ratios of ~0.2-0.25 at 7 and 8 TeV (see the module comment of vJets.ts).
 *
 *     deno run -A tests/bench/vjets_multiplicity.ts [events=30000] [berendsRatio]
 *
 * prints one line per process; the statistical error of a ratio is ~0.015 at 30000 events.
 */
import { deltaR2 } from "../../lib/physics/fourVector.ts";
import { Rng } from "../../lib/random/rng.ts";
import {
  OpenDataRecoEvent,
  RECO_OPEN_DATA,
  reconstructOpenData,
} from "../../lib/reco/openDataReco.ts";
import { newTruthSummary, PfCandidates, resetTruth, type SimEvent } from "../../lib/sim/event.ts";
import { generateVJetsEvent, VJETS_DEFAULTS, type VJetsProcess } from "../../lib/sim/vJets.ts";

/** Jet multiplicity counts (0, 1, ..., >= 5) of one process. */
export function vJetsMultiplicity(
  process: VJetsProcess,
  events: number,
  berendsRatio: number,
): { selected: number; counts: number[] } {
  const cfgReco = { ...RECO_OPEN_DATA, selection: { ...RECO_OPEN_DATA.selection, minJets: 0 } };
  const params = { ...VJETS_DEFAULTS, berendsRatio };
  const ev: SimEvent = { pf: new PfCandidates(4096), truth: newTruthSummary() };
  const reco = new OpenDataRecoEvent();
  const counts = [0, 0, 0, 0, 0, 0];
  let selected = 0;
  const near = (j: number, m: number) =>
    deltaR2(reco.jets.eta[j], reco.jets.phi[j], reco.leptons.eta[m], reco.leptons.phi[m]) < 0.25;
  for (let i = 0; i < events; i++) {
    ev.pf.reset();
    resetTruth(ev.truth);
    generateVJetsEvent(process, Rng.stream(5, "vjets-tune", process, i), ev, {
      sqrtS: 8000,
      meanPileup: 20,
      params,
      applyGeneratorFilter: true,
      filterLeptonPtMin: 22,
    });
    if (!ev.truth.passedGeneratorFilter) continue;
    const lep = reconstructOpenData(ev, Rng.stream(5, "vjets-tune-b", process, i), reco, cfgReco);
    if (lep < 0) continue;
    selected++;
    let k = 0;
    for (let j = 0; j < reco.jets.n; j++) {
      if (!(reco.jets.pt[j] > 30 && Math.abs(reco.jets.eta[j]) < 2.4)) continue;
      let clean = true;
      for (let m = 0; m < reco.leptons.n; m++) {
        if (reco.leptons.pt[m] > 10 && near(j, m)) clean = false;
      }
      if (clean) k++;
    }
    counts[Math.min(5, k)]++;
  }
  return { selected, counts };
}

if (import.meta.main) {
  const events = Number(Deno.args[0] ?? 30000);
  const ratio = Number(Deno.args[1] ?? VJETS_DEFAULTS.berendsRatio);
  if (!(events > 0) || !(ratio >= 0 && ratio < 1)) {
    throw new Error(`usage: vjets_multiplicity.ts [events > 0] [0 <= berendsRatio < 1]`);
  }
  for (const p of ["W", "Z"] as const) {
    const { selected, counts } = vJetsMultiplicity(p, events, ratio);
    const ge = (k: number) => counts.slice(k).reduce((a, b) => a + b, 0);
    const r = (k: number) => (ge(k + 1) / ge(k)).toFixed(3);
    console.log(
      `${p} (berendsRatio ${ratio}): ${selected} selected of ${events} generated; ` +
        `>= 1 jet ${(100 * ge(1) / selected).toFixed(1)} %, >=2/>=1 ${r(1)}, >=3/>=2 ${r(2)}, ` +
        `>=4/>=3 ${r(3)}`,
    );
  }
}
