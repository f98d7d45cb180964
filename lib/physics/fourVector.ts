/**
 * Four-vector kinematics on plain numbers and struct-of-arrays particle buffers.
 *
 * Conventions: momenta and energies in GeV, angles in radians, four-vectors ordered
 * (px, py, pz, E), metric (+, -, -, -). Azimuth phi lies in (-pi, pi]; differences of
 * azimuths are wrapped to [-pi, pi].
 */
import { grown } from "../util/typedArrays.ts";

const TWO_PI = 2 * Math.PI;

/**
 * Pseudorapidity (and rapidity) returned for a vector along the beam (pT = 0), with the sign
 * of pz; FastJet's `MaxRap` plays the same role.
 */
export const MAX_RAPIDITY = 1e5;

/** Transverse momentum sqrt(px^2 + py^2) (GeV). */
export function pt(px: number, py: number): number {
  return Math.sqrt(px * px + py * py);
}

/** Squared transverse momentum px^2 + py^2 (GeV^2). */
export function pt2(px: number, py: number): number {
  return px * px + py * py;
}

/**
 * Pseudorapidity -ln tan(theta/2) = asinh(pz / pT). For pT = 0 returns +-MAX_RAPIDITY with
 * the sign of pz (0 for the null vector).
 */
export function eta(px: number, py: number, pz: number): number {
  return etaFromPtPz(Math.sqrt(px * px + py * py), pz);
}

/** {@link eta} from pT = sqrt(px^2 + py^2) and pz (GeV), for callers that have pT already. */
export function etaFromPtPz(pt: number, pz: number): number {
  if (pt === 0) return pz > 0 ? MAX_RAPIDITY : pz < 0 ? -MAX_RAPIDITY : 0;
  return Math.asinh(pz / pt);
}

/**
 * Rapidity 0.5 ln((E + pz) / (E - pz)), computed as in FastJet for numerical stability:
 * 0.5 ln((pT^2 + m^2) / (E + |pz|)^2) with m^2 clamped at 0. Along the beam (pT = 0 and
 * E = |pz|) returns +-(MAX_RAPIDITY + |pz|).
 */
export function rapidity(px: number, py: number, pz: number, e: number): number {
  const kt2 = px * px + py * py;
  const apz = Math.abs(pz);
  if (kt2 === 0 && e === apz) {
    const r = MAX_RAPIDITY + apz;
    return pz >= 0 ? r : -r;
  }
  const m2 = (e + pz) * (e - pz) - kt2;
  const ePlus = e + apz;
  const r = 0.5 * Math.log((kt2 + (m2 > 0 ? m2 : 0)) / (ePlus * ePlus));
  return pz > 0 ? -r : r;
}

/** Azimuth atan2(py, px) in (-pi, pi] (radians); 0 for px = py = 0. */
export function phi(px: number, py: number): number {
  if (px === 0 && py === 0) return 0;
  const f = Math.atan2(py, px);
  return f === -Math.PI ? Math.PI : f;
}

/** Invariant mass squared E^2 - p^2 (GeV^2), may be negative from rounding. */
export function mass2(px: number, py: number, pz: number, e: number): number {
  return e * e - px * px - py * py - pz * pz;
}

/** Invariant mass sqrt(max(m^2, 0)) (GeV). */
export function mass(px: number, py: number, pz: number, e: number): number {
  const m2 = e * e - px * px - py * py - pz * pz;
  return m2 > 0 ? Math.sqrt(m2) : 0;
}

/** Azimuthal difference phi1 - phi2 wrapped to [-pi, pi] (radians). */
export function deltaPhi(phi1: number, phi2: number): number {
  let d = phi1 - phi2;
  if (d > Math.PI || d < -Math.PI) {
    d -= TWO_PI * Math.round(d / TWO_PI);
    // Rounding of the multiple can leave |d| a hair above pi.
    if (d > Math.PI) d -= TWO_PI;
    else if (d < -Math.PI) d += TWO_PI;
  }
  return d;
}

/** Angular distance sqrt(deta^2 + dphi^2) with the azimuth wrapped (eta may be rapidity). */
export function deltaR(eta1: number, phi1: number, eta2: number, phi2: number): number {
  const de = eta1 - eta2;
  const dp = deltaPhi(phi1, phi2);
  return Math.sqrt(de * de + dp * dp);
}

/** Squared angular distance deta^2 + dphi^2 with the azimuth wrapped. */
export function deltaR2(eta1: number, phi1: number, eta2: number, phi2: number): number {
  const de = eta1 - eta2;
  const dp = deltaPhi(phi1, phi2);
  return de * de + dp * dp;
}

/**
 * (pT, eta, phi, m) -> (px, py, pz, E) written into `out[offset .. offset+3]`
 * (GeV, radians; m < 0 is treated as 0). Returns `out`.
 */
export function fromPtEtaPhiM(
  ptv: number,
  etav: number,
  phiv: number,
  m: number,
  out: Float64Array = new Float64Array(4),
  offset = 0,
): Float64Array {
  const px = ptv * Math.cos(phiv);
  const py = ptv * Math.sin(phiv);
  const pz = ptv * Math.sinh(etav);
  const mm = m > 0 ? m : 0;
  out[offset] = px;
  out[offset + 1] = py;
  out[offset + 2] = pz;
  out[offset + 3] = Math.sqrt(px * px + py * py + pz * pz + mm * mm);
  return out;
}

/**
 * (pT, rapidity y, phi, m) -> (px, py, pz, E) into `out[offset ..]` (GeV, radians), using
 * mT = sqrt(pT^2 + m^2), E = mT cosh y, pz = mT sinh y. Returns `out`.
 */
export function fromPtYPhiM(
  ptv: number,
  y: number,
  phiv: number,
  m: number,
  out: Float64Array = new Float64Array(4),
  offset = 0,
): Float64Array {
  const mt = Math.sqrt(ptv * ptv + (m > 0 ? m * m : 0));
  out[offset] = ptv * Math.cos(phiv);
  out[offset + 1] = ptv * Math.sin(phiv);
  out[offset + 2] = mt * Math.sinh(y);
  out[offset + 3] = mt * Math.cosh(y);
  return out;
}

/**
 * Invariant mass (GeV) of the sum of the particles `indices` of the component arrays
 * (sqrt(max(m^2, 0))); 0 for an empty set.
 */
export function invariantMass(
  px: ArrayLike<number>,
  py: ArrayLike<number>,
  pz: ArrayLike<number>,
  e: ArrayLike<number>,
  indices: ArrayLike<number>,
): number {
  let sx = 0, sy = 0, sz = 0, se = 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    sx += px[i];
    sy += py[i];
    sz += pz[i];
    se += e[i];
  }
  return mass(sx, sy, sz, se);
}

/**
 * Transverse mass MT = sqrt(2 pT1 pT2 (1 - cos dphi)) of two (massless) objects, e.g. a
 * lepton and the missing transverse momentum (paper 1, eq. 3.3) (GeV, radians).
 */
export function transverseMass(pt1: number, phi1: number, pt2: number, phi2: number): number {
  const v = 2 * pt1 * pt2 * (1 - Math.cos(phi1 - phi2));
  return v > 0 ? Math.sqrt(v) : 0;
}

/**
 * Transverse mass from transverse components: sqrt(2 (pT1 pT2 - p1.p2)), equal to
 * {@link transverseMass} (GeV).
 */
export function transverseMassXY(px1: number, py1: number, px2: number, py2: number): number {
  const v = 2 * (Math.sqrt((px1 * px1 + py1 * py1) * (px2 * px2 + py2 * py2)) -
    px1 * px2 - py1 * py2);
  return v > 0 ? Math.sqrt(v) : 0;
}

/**
 * Lorentz boost of (px, py, pz, E) by the velocity (bx, by, bz) (units of c, |b| < 1): a
 * vector at rest in a frame moving with velocity b in the lab comes out with momentum
 * E b gamma, as ROOT's TLorentzVector::Boost. Writes into `out[offset ..]`, returns `out`.
 * Boosting by -b undoes a boost by b. Throws for |b| >= 1.
 */
export function boost(
  px: number,
  py: number,
  pz: number,
  e: number,
  bx: number,
  by: number,
  bz: number,
  out: Float64Array = new Float64Array(4),
  offset = 0,
): Float64Array {
  const b2 = bx * bx + by * by + bz * bz;
  if (!(b2 < 1)) throw new RangeError(`boost: |beta|^2 = ${b2} >= 1`);
  if (b2 === 0) {
    out[offset] = px;
    out[offset + 1] = py;
    out[offset + 2] = pz;
    out[offset + 3] = e;
    return out;
  }
  const gamma = 1 / Math.sqrt(1 - b2);
  const bp = bx * px + by * py + bz * pz;
  const gamma2 = (gamma - 1) / b2;
  const f = gamma2 * bp + gamma * e;
  out[offset] = px + f * bx;
  out[offset + 1] = py + f * by;
  out[offset + 2] = pz + f * bz;
  out[offset + 3] = gamma * (e + bp);
  return out;
}

/**
 * Velocity p / E of a four-vector (units of c), written into `out[offset .. offset+2]`:
 * boosting by its negative takes the vector to its rest frame. Returns `out`.
 */
export function velocity(
  px: number,
  py: number,
  pz: number,
  e: number,
  out: Float64Array = new Float64Array(3),
  offset = 0,
): Float64Array {
  if (!(e > 0)) throw new RangeError(`velocity: E = ${e} <= 0`);
  out[offset] = px / e;
  out[offset + 1] = py / e;
  out[offset + 2] = pz / e;
  return out;
}

/**
 * Two-body decay momentum (GeV) in the rest frame of a parent of mass M into daughters of
 * masses m1, m2: sqrt(lambda(M^2, m1^2, m2^2)) / (2M); 0 below threshold.
 */
export function twoBodyMomentum(mParent: number, m1: number, m2: number): number {
  const s = mParent * mParent;
  const a = s - (m1 + m2) * (m1 + m2);
  const b = s - (m1 - m2) * (m1 - m2);
  const l = a * b;
  return l > 0 && mParent > 0 ? Math.sqrt(l) / (2 * mParent) : 0;
}

/**
 * A reusable, growable struct-of-arrays particle list: one object per worker, `reset()`
 * between events, `push()` to append. Growth replaces the column arrays, so do not keep
 * references to `px`, `py`, ... across `push` calls.
 */
export class ParticleArrays {
  /** Number of particles in use. */
  n = 0;
  /** Allocated length of every column. */
  capacity: number;
  /** Momentum components and energy (GeV). */
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  e: Float64Array;
  /** PDG particle id. */
  pdg: Int32Array;
  /** Electric charge in units of e (quarks: use 3x charge if needed; documented by caller). */
  charge: Int8Array;
  /** Generator status code (e.g. 1 = final state). */
  status: Int32Array;
  /** Free bit flags for the caller (e.g. from pileup, prompt, visible). */
  flags: Uint32Array;
  /** Index of the mother particle in this list, -1 for none. */
  parent: Int32Array;

  constructor(capacity = 1024) {
    const cap = Math.max(1, Math.floor(capacity));
    this.capacity = cap;
    this.px = new Float64Array(cap);
    this.py = new Float64Array(cap);
    this.pz = new Float64Array(cap);
    this.e = new Float64Array(cap);
    this.pdg = new Int32Array(cap);
    this.charge = new Int8Array(cap);
    this.status = new Int32Array(cap);
    this.flags = new Uint32Array(cap);
    this.parent = new Int32Array(cap);
  }

  /** Empty the list, keeping the allocation. */
  reset(): void {
    this.n = 0;
  }

  /** Make room for at least `cap` particles (keeps the content). */
  ensureCapacity(cap: number): void {
    if (cap <= this.capacity) return;
    let c = this.capacity;
    while (c < cap) c *= 2;
    this.px = grown(this.px, c);
    this.py = grown(this.py, c);
    this.pz = grown(this.pz, c);
    this.e = grown(this.e, c);
    this.pdg = grown(this.pdg, c);
    this.charge = grown(this.charge, c);
    this.status = grown(this.status, c);
    this.flags = grown(this.flags, c);
    this.parent = grown(this.parent, c);
    this.capacity = c;
  }

  /** Append a particle (GeV); returns its index. Grows the buffers when full. */
  push(
    px: number,
    py: number,
    pz: number,
    e: number,
    pdg = 0,
    charge = 0,
    status = 1,
    parent = -1,
    flags = 0,
  ): number {
    if (this.n === this.capacity) this.ensureCapacity(this.n + 1);
    const i = this.n++;
    this.px[i] = px;
    this.py[i] = py;
    this.pz[i] = pz;
    this.e[i] = e;
    this.pdg[i] = pdg;
    this.charge[i] = charge;
    this.status[i] = status;
    this.parent[i] = parent;
    this.flags[i] = flags;
    return i;
  }

  /** Append a particle given (pT, eta, phi, m) (GeV, radians); returns its index. */
  pushPtEtaPhiM(
    ptv: number,
    etav: number,
    phiv: number,
    m: number,
    pdg = 0,
    charge = 0,
    status = 1,
    parent = -1,
    flags = 0,
  ): number {
    const mm = m > 0 ? m : 0;
    const px = ptv * Math.cos(phiv);
    const py = ptv * Math.sin(phiv);
    const pz = ptv * Math.sinh(etav);
    const e = Math.sqrt(px * px + py * py + pz * pz + mm * mm);
    return this.push(px, py, pz, e, pdg, charge, status, parent, flags);
  }

  /** Transverse momentum of particle i (GeV). */
  pt(i: number): number {
    return pt(this.px[i], this.py[i]);
  }

  /** Pseudorapidity of particle i. */
  eta(i: number): number {
    return eta(this.px[i], this.py[i], this.pz[i]);
  }

  /** Rapidity of particle i. */
  rapidity(i: number): number {
    return rapidity(this.px[i], this.py[i], this.pz[i], this.e[i]);
  }

  /** Azimuth of particle i in (-pi, pi]. */
  phi(i: number): number {
    return phi(this.px[i], this.py[i]);
  }

  /** Mass of particle i (GeV). */
  mass(i: number): number {
    return mass(this.px[i], this.py[i], this.pz[i], this.e[i]);
  }
}
