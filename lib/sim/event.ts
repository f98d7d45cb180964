/**
 * The simulated event record handed from the generator (hard process, shower,
 * hadronisation, underlying event, pileup, detector response) to reconstruction.
 *
 * Everything is struct-of-arrays in reusable buffers: one `SimEvent` is allocated per
 * worker and `reset()` between events, never one object per particle.
 *
 * Units: GeV for momenta and energies, radians for angles.
 */
import { grown } from "../util/typedArrays.ts";

/** Particle-flow candidate classes after the detector simulation. */
export const PF = {
  /** Charged hadron (track + calorimeter). */
  chargedHadron: 0,
  /** Neutral hadron (HCAL only: K0L, n, ...). */
  neutralHadron: 1,
  /** Photon (ECAL only; mostly pi0 -> gamma gamma). */
  photon: 2,
  /** Reconstructed electron candidate (track + ECAL, passed identification). */
  electron: 3,
  /** Reconstructed muon candidate (track + muon system, passed identification). */
  muon: 4,
} as const;
export type PfClass = typeof PF[keyof typeof PF];

/** Growable struct-of-arrays buffer with a fixed set of typed columns. */
export class PfCandidates {
  n = 0;
  capacity: number;
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  e: Float64Array;
  /** One of {@link PF}. */
  pfClass: Uint8Array;
  /** Electric charge in units of e (-1, 0, +1). */
  charge: Int8Array;
  /**
   * 1 when the candidate comes from a pileup vertex. Charged pileup candidates are
   * identifiable by vertex association (charged-hadron subtraction); neutral ones are not,
   * so reconstruction may only use this flag for charged candidates.
   */
  fromPileup: Uint8Array;
  /**
   * Index into the truth record of the generator particle this candidate came from
   * (-1 for pileup / underlying event): truth, for labels and validation only.
   */
  truthIndex: Int32Array;

  constructor(capacity = 2048) {
    this.capacity = capacity;
    this.px = new Float64Array(capacity);
    this.py = new Float64Array(capacity);
    this.pz = new Float64Array(capacity);
    this.e = new Float64Array(capacity);
    this.pfClass = new Uint8Array(capacity);
    this.charge = new Int8Array(capacity);
    this.fromPileup = new Uint8Array(capacity);
    this.truthIndex = new Int32Array(capacity);
  }

  reset(): void {
    this.n = 0;
  }

  /** Append a candidate; returns its index. Grows the buffers when full. */
  push(
    px: number,
    py: number,
    pz: number,
    e: number,
    pfClass: PfClass,
    charge: number,
    fromPileup: boolean,
    truthIndex: number,
  ): number {
    if (this.n === this.capacity) this.#grow();
    const i = this.n++;
    this.px[i] = px;
    this.py[i] = py;
    this.pz[i] = pz;
    this.e[i] = e;
    this.pfClass[i] = pfClass;
    this.charge[i] = charge;
    this.fromPileup[i] = fromPileup ? 1 : 0;
    this.truthIndex[i] = truthIndex;
    return i;
  }

  /**
   * Make room for `extra` more candidates without reallocating (for writers that fill the
   * columns directly: write at index `n`, then increment `n`). Column arrays may be replaced.
   */
  reserve(extra: number): void {
    while (this.capacity < this.n + extra) this.#grow();
  }

  #grow(): void {
    const cap = this.capacity * 2;
    this.px = grown(this.px, cap);
    this.py = grown(this.py, cap);
    this.pz = grown(this.pz, cap);
    this.e = grown(this.e, cap);
    this.pfClass = grown(this.pfClass, cap);
    this.charge = grown(this.charge, cap);
    this.fromPileup = grown(this.fromPileup, cap);
    this.truthIndex = grown(this.truthIndex, cap);
    this.capacity = cap;
  }
}

/**
 * Generator-level record kept alongside the reconstructed event: for labels and
 * validation only, never for features. Heavy-flavour hadrons (b, c) are listed so that
 * the detector's b-tagging can be applied to reconstructed jets by matching (dR < 0.3 or
 * ghost association), as DELPHES does with partons.
 */
export interface TruthSummary {
  /** Process label, e.g. "W", "QCD", "Z", "ttbar", "Ato4l". */
  process: string;
  /** Heavy-flavour hadron directions and flavours (5 = b, 4 = c), count in `nHf`. */
  nHf: number;
  hfEta: Float64Array;
  hfPhi: Float64Array;
  hfPt: Float64Array;
  hfFlavour: Int8Array;
  /** Prompt (from W/Z/tau/BSM decays) charged leptons at generator level, count in `nLep`. */
  nLep: number;
  lepPdg: Int32Array;
  lepPt: Float64Array;
  lepEta: Float64Array;
  lepPhi: Float64Array;
  /** Sum of neutrino (and other invisible) transverse momentum, GeV. */
  invisiblePx: number;
  invisiblePy: number;
  /** Number of pileup interactions overlaid. */
  nPileup: number;
  /** True when the generator-level filter passed (e.g. a lepton with pT > 22 GeV). */
  passedGeneratorFilter: boolean;
  /**
   * Number of unbiased generator attempts this event stands for (>= 1). The generator
   * repeats attempts until the filter passes (and QCD samples heavy flavour
   * preferentially), so the filter acceptance of a sample is
   * (number of events) / (sum of generatorTrials), not passed / calls.
   */
  generatorTrials: number;
  /**
   * Probability with which the generator sampled the attempts of this event (1, or
   * QCD_P_HF for the heavy-flavour-enriched QCD of lib/sim/generator.ts): generatorTrials is
   * (integer attempts) / this, so the integer attempts can be summed exactly.
   */
  generatorSamplingProbability: number;
  /** Event weight (1: all samples of lib/sim are unweighted). */
  weight: number;
  /**
   * Highest transverse momentum (GeV) of a generator-level electron or muon of any origin
   * (prompt, from tau or heavy-flavour decays): the variable of paper 1's generator filter;
   * 0 when there is none.
   */
  leadingGenLeptonPt: number;
  /**
   * Hard scale of the event (GeV): pT-hat of the 2 -> 2 for QCD, the boson / resonance mass
   * for W, Z, A, h0, the system mass for pair production (ttbar, LQ, h+ t).
   */
  hardScale: number;
  /**
   * Hard partons of the V + jets matrix element (lib/sim/vJets.ts: the sampled parton
   * multiplicity n, before the shower); 0 for every other process. The variable by which
   * V + jets samples are split into parton-multiplicity bins and stitched (paper 3's W+jets
   * and Z+jets simulation came in jet-multiplicity bins).
   */
  nHardPartons: number;
  /**
   * False when the event was stopped before the end because it cannot pass the caller's
   * selection: the detector, underlying event and pileup skipped (opt-in speed-up of the
   * generator, `GeneratorConfig.skipUntriggerable`), or the soft component skipped after a
   * hard-event veto (`HardEventVeto` of lib/sim/generator.ts); `pf` is then empty.
   */
  detectorSimulated: boolean;
}

/** One simulated event after the detector: PF candidates plus the truth summary. */
export interface SimEvent {
  pf: PfCandidates;
  truth: TruthSummary;
}

/** A fresh truth summary with room for `cap` heavy-flavour hadrons and leptons. */
export function newTruthSummary(cap = 64): TruthSummary {
  return {
    process: "",
    nHf: 0,
    hfEta: new Float64Array(cap),
    hfPhi: new Float64Array(cap),
    hfPt: new Float64Array(cap),
    hfFlavour: new Int8Array(cap),
    nLep: 0,
    lepPdg: new Int32Array(cap),
    lepPt: new Float64Array(cap),
    lepEta: new Float64Array(cap),
    lepPhi: new Float64Array(cap),
    invisiblePx: 0,
    invisiblePy: 0,
    nPileup: 0,
    passedGeneratorFilter: false,
    generatorTrials: 0,
    generatorSamplingProbability: 1,
    weight: 1,
    leadingGenLeptonPt: 0,
    hardScale: 0,
    nHardPartons: 0,
    detectorSimulated: false,
  };
}

/** Clear a truth summary for reuse. */
export function resetTruth(t: TruthSummary): void {
  t.process = "";
  t.nHf = 0;
  t.nLep = 0;
  t.invisiblePx = 0;
  t.invisiblePy = 0;
  t.nPileup = 0;
  t.passedGeneratorFilter = false;
  t.generatorTrials = 0;
  t.generatorSamplingProbability = 1;
  t.weight = 1;
  t.leadingGenLeptonPt = 0;
  t.hardScale = 0;
  t.nHardPartons = 0;
  t.detectorSimulated = false;
}
