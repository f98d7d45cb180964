/** A toy event generator for the dataset-machinery tests (no physics, instant). */
import type { EventGenerator } from "../../lib/data/datasets.ts";
import { PF } from "../../lib/sim/event.ts";

/**
 * Passes the generator filter with probability 0.5; then one muon with pT uniform in
 * [13, 33] GeV (so pT > 23 GeV with probability 0.5) at |eta| < 2, balanced by a neutral
 * hadron.
 */
export const toyMuonGenerator: EventGenerator = (process, rng, out) => {
  out.truth.process = process;
  out.truth.nPileup = 20;
  if (rng.uniform() >= 0.5) return;
  out.truth.passedGeneratorFilter = true;
  const pt = 13 + 20 * rng.uniform();
  const eta = rng.uniformIn(-2, 2), phi = rng.phi();
  const px = pt * Math.cos(phi), py = pt * Math.sin(phi), pz = pt * Math.sinh(eta);
  out.pf.push(px, py, pz, Math.hypot(px, py, pz), PF.muon, -1, false, 0);
  out.pf.push(-px, -py, 0, pt, PF.neutralHadron, 0, false, -1);
};
