/**
 * Per-event cache of (pT, eta, phi) for every particle-flow candidate, computed once and
 * shared by isolation, photon finding and jet input selection (which would otherwise each
 * recompute asinh/atan2 for ~1000-2000 candidates per lepton).
 */
import { etaFromPtPz, phi as phiOf } from "../physics/fourVector.ts";
import { PF, type PfCandidates } from "../sim/event.ts";
import { growF64 } from "./objects.ts";

/** Transverse kinematics of the PF candidates of one event (reused buffers). */
export class PfKinematics {
  n = 0;
  capacity: number;
  /** Transverse momentum (GeV). */
  pt: Float64Array;
  /** Pseudorapidity. */
  eta: Float64Array;
  /** Azimuth in (-pi, pi]. */
  phi: Float64Array;
  /**
   * True when the last {@link compute} skipped the charged pileup candidates: their eta and
   * phi are then NaN (pt is set).
   */
  pileupTracksSkipped = false;

  constructor(capacity = 2048) {
    this.capacity = capacity;
    this.pt = new Float64Array(capacity);
    this.eta = new Float64Array(capacity);
    this.phi = new Float64Array(capacity);
  }

  /**
   * Fill from the candidates of `pf` (overwrites the previous event). With
   * `skipPileupTracks`, charged hadrons flagged as pileup get eta = phi = NaN instead of an
   * asinh and an atan2 (about 40 % of the candidates at pileup 20): lib/reco drops them from
   * the jet inputs (CHS), the rho estimate (neutrals only) and every isolation sum but the
   * delta-beta one, and {@link idIsolation} (lib/reco/leptons.ts) computes the few it needs
   * itself, with the same functions, so the reconstruction is unchanged.
   */
  compute(pf: PfCandidates, skipPileupTracks = false): this {
    if (pf.n > this.capacity) {
      let cap = this.capacity;
      while (cap < pf.n) cap *= 2;
      this.pt = growF64(this.pt, cap);
      this.eta = growF64(this.eta, cap);
      this.phi = growF64(this.phi, cap);
      this.capacity = cap;
    }
    const { px, py, pz, pfClass, fromPileup } = pf;
    const ptA = this.pt, etaA = this.eta, phiA = this.phi;
    for (let i = 0; i < pf.n; i++) {
      const x = px[i], y = py[i];
      const t = Math.sqrt(x * x + y * y);
      ptA[i] = t;
      if (skipPileupTracks && fromPileup[i] === 1 && pfClass[i] === PF.chargedHadron) {
        etaA[i] = NaN;
        phiA[i] = NaN;
        continue;
      }
      etaA[i] = etaFromPtPz(t, pz[i]);
      phiA[i] = phiOf(x, y);
    }
    this.n = pf.n;
    this.pileupTracksSkipped = skipPileupTracks;
    return this;
  }
}
