/**
 * Reusable struct-of-arrays containers for reconstructed objects (leptons, photons, jets).
 *
 * One container of each kind is allocated per worker and `reset()` between events; nothing
 * here allocates per event except when a container has to grow (capacity doubles).
 *
 * Units: GeV for momenta and energies, radians for angles.
 */
import { grown } from "../util/typedArrays.ts";

/** Kinematic columns shared by every reconstructed object list. */
export class KinematicList {
  n = 0;
  capacity: number;
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  e: Float64Array;
  /** Transverse momentum (GeV). */
  pt: Float64Array;
  /** Pseudorapidity. */
  eta: Float64Array;
  /** Azimuth in (-pi, pi]. */
  phi: Float64Array;

  constructor(capacity = 16) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) {
      throw new RangeError(`KinematicList: capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.px = new Float64Array(capacity);
    this.py = new Float64Array(capacity);
    this.pz = new Float64Array(capacity);
    this.e = new Float64Array(capacity);
    this.pt = new Float64Array(capacity);
    this.eta = new Float64Array(capacity);
    this.phi = new Float64Array(capacity);
  }

  /** Forget all objects (buffers are kept). */
  reset(): void {
    this.n = 0;
  }

  /** Reserve the next slot, growing if needed; returns its index. Kinematics are not set. */
  protected nextSlot(): number {
    if (this.n === this.capacity) this.grow(this.capacity * 2);
    return this.n++;
  }

  /** Write the kinematics of slot `i`. */
  protected setKinematics(
    i: number,
    px: number,
    py: number,
    pz: number,
    e: number,
    pt: number,
    eta: number,
    phi: number,
  ): void {
    this.px[i] = px;
    this.py[i] = py;
    this.pz[i] = pz;
    this.e[i] = e;
    this.pt[i] = pt;
    this.eta[i] = eta;
    this.phi[i] = phi;
  }

  /** Grow every column to `cap`; subclasses extend this for their own columns. */
  protected grow(cap: number): void {
    this.px = growF64(this.px, cap);
    this.py = growF64(this.py, cap);
    this.pz = growF64(this.pz, cap);
    this.e = growF64(this.e, cap);
    this.pt = growF64(this.pt, cap);
    this.eta = growF64(this.eta, cap);
    this.phi = growF64(this.phi, cap);
    this.capacity = cap;
  }
}

/** Copy a Float64Array into a larger one. */
export function growF64(a: Float64Array, cap: number): Float64Array {
  return grown(a, cap);
}

/** Copy an Int32Array into a larger one. */
export function growI32(a: Int32Array, cap: number): Int32Array {
  return grown(a, cap);
}

/** Copy an Int8Array into a larger one. */
export function growI8(a: Int8Array, cap: number): Int8Array {
  return grown(a, cap);
}

/** Copy a Uint8Array into a larger one. */
export function growU8(a: Uint8Array, cap: number): Uint8Array {
  return grown(a, cap);
}

/**
 * Combined four-momentum of the objects of `list` (all, or those with `mask[i] !== 0`):
 * returns [px, py, pz, e] in `out` (GeV).
 */
export function sumFourMomentum(
  list: KinematicList,
  out: Float64Array,
  mask?: Uint8Array,
): Float64Array {
  let px = 0, py = 0, pz = 0, e = 0;
  for (let i = 0; i < list.n; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    px += list.px[i];
    py += list.py[i];
    pz += list.pz[i];
    e += list.e[i];
  }
  out[0] = px;
  out[1] = py;
  out[2] = pz;
  out[3] = e;
  return out;
}
