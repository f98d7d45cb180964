/**
 * The generator-level particle record: a growable struct-of-arrays buffer of four-momenta,
 * PDG codes, status and mother index, reused across events (one per worker).
 *
 * Status codes:
 * - {@link STATUS.final}: stable final-state particle, handed to the detector;
 * - {@link STATUS.decayed}: decayed, showered or hadronised (its daughters follow);
 * - {@link STATUS.parton}: a coloured parton waiting for the shower;
 * - {@link STATUS.hard}: bookkeeping entry of the hard process (boson, top, ...), decayed.
 *
 * Units: GeV.
 */
import { grown } from "../util/typedArrays.ts";

/** Status codes of {@link GenParticles}. */
export const STATUS = {
  final: 1,
  decayed: 2,
  parton: 3,
  hard: 4,
} as const;

/** Provenance flags (bit field) of a generator particle. */
export const ORIGIN = {
  /** Prompt: from a W/Z/top/BSM decay (or a tau from one). */
  prompt: 1,
  /** From the decay of a tau lepton. */
  fromTau: 2,
  /** From the decay of a heavy-flavour (b or c) hadron. */
  fromHf: 4,
} as const;

/** Generator-level particle list (struct of arrays). */
export class GenParticles {
  n = 0;
  capacity: number;
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  e: Float64Array;
  /** Mass used for this entry (GeV). */
  m: Float64Array;
  pdg: Int32Array;
  /** One of {@link STATUS}. */
  status: Uint8Array;
  /** Bit field of {@link ORIGIN}. */
  origin: Uint8Array;
  /** Index of the mother (-1 for hard-process entries). */
  mother: Int32Array;
  /** Shower: maximal opening angle (rad) of the next emission, for status `parton`. */
  thetaMax: Float64Array;
  /**
   * Hadronisation frame of a parton: the index of the resonance (W, top, ...) in whose rest
   * frame it fragments, or -1 for the lab. Inherited through the shower.
   */
  frame: Int32Array;

  constructor(capacity = 512) {
    this.capacity = capacity;
    this.px = new Float64Array(capacity);
    this.py = new Float64Array(capacity);
    this.pz = new Float64Array(capacity);
    this.e = new Float64Array(capacity);
    this.m = new Float64Array(capacity);
    this.pdg = new Int32Array(capacity);
    this.status = new Uint8Array(capacity);
    this.origin = new Uint8Array(capacity);
    this.mother = new Int32Array(capacity);
    this.thetaMax = new Float64Array(capacity);
    this.frame = new Int32Array(capacity);
  }

  reset(): void {
    this.n = 0;
  }

  /** Append a particle; returns its index. */
  push(
    px: number,
    py: number,
    pz: number,
    e: number,
    m: number,
    pdg: number,
    status: number,
    mother: number,
    origin: number,
  ): number {
    if (this.n === this.capacity) this.#grow();
    const i = this.n++;
    this.px[i] = px;
    this.py[i] = py;
    this.pz[i] = pz;
    this.e[i] = e;
    this.m[i] = m;
    this.pdg[i] = pdg;
    this.status[i] = status;
    this.mother[i] = mother;
    this.origin[i] = origin;
    this.thetaMax[i] = 0;
    this.frame[i] = -1;
    return i;
  }

  /** Transverse momentum of particle i (GeV). */
  pt(i: number): number {
    return Math.sqrt(this.px[i] * this.px[i] + this.py[i] * this.py[i]);
  }

  /** Pseudorapidity of particle i (+-1e5 along the beam). */
  eta(i: number): number {
    const pt = this.pt(i);
    if (pt === 0) return this.pz[i] >= 0 ? 1e5 : -1e5;
    return Math.asinh(this.pz[i] / pt);
  }

  /** Azimuth of particle i in (-pi, pi]. */
  phi(i: number): number {
    return Math.atan2(this.py[i], this.px[i]);
  }

  #grow(): void {
    const cap = this.capacity * 2;
    this.px = grown(this.px, cap);
    this.py = grown(this.py, cap);
    this.pz = grown(this.pz, cap);
    this.e = grown(this.e, cap);
    this.m = grown(this.m, cap);
    this.thetaMax = grown(this.thetaMax, cap);
    this.pdg = grown(this.pdg, cap);
    this.mother = grown(this.mother, cap);
    this.frame = grown(this.frame, cap);
    this.status = grown(this.status, cap);
    this.origin = grown(this.origin, cap);
    this.capacity = cap;
  }
}

/** True for neutrinos (and the invisible BSM particles we never produce). */
export function isNeutrino(pdg: number): boolean {
  const a = pdg < 0 ? -pdg : pdg;
  return a === 12 || a === 14 || a === 16;
}
