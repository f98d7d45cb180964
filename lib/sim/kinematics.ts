/**
 * Small kinematics kernels of the generator, written for the hot loops: they work on
 * scalars and module-level scratch buffers, never allocate, and write results into the
 * {@link GenParticles} record. (The general-purpose four-vector helpers live in
 * lib/physics/fourVector.ts; these are specialised in-place variants.)
 *
 * Units: GeV, radians. Frames: "rest frame" always means the frame reached from the lab by
 * a pure boost, so its axes are parallel to the lab axes.
 */
import type { SimRandom } from "./random.ts";
import type { GenParticles } from "./particles.ts";

/** Two-body decay momentum: sqrt(lambda(M^2, m1^2, m2^2)) / (2M); 0 below threshold. */
export function twoBodyP(m: number, m1: number, m2: number): number {
  const s = m * m;
  const a = s - (m1 + m2) * (m1 + m2);
  if (a <= 0 || m <= 0) return 0;
  const b = s - (m1 - m2) * (m1 - m2);
  return Math.sqrt(a * b) / (2 * m);
}

/** Scratch output of {@link boostVec}: px, py, pz, E. */
export const BOOSTED: Float64Array = new Float64Array(4);

/**
 * Boost (px, py, pz, e) by velocity (bx, by, bz) (|b| < 1) into {@link BOOSTED}: a vector at
 * rest comes out with momentum gamma m b (the convention of ROOT's TLorentzVector::Boost).
 */
export function boostVec(
  px: number,
  py: number,
  pz: number,
  e: number,
  bx: number,
  by: number,
  bz: number,
): void {
  const b2 = bx * bx + by * by + bz * bz;
  if (b2 <= 0) {
    BOOSTED[0] = px;
    BOOSTED[1] = py;
    BOOSTED[2] = pz;
    BOOSTED[3] = e;
    return;
  }
  // Guard against rounding for ultra-relativistic parents (|b| -> 1).
  const gamma = 1 / Math.sqrt(Math.max(1 - b2, 1e-18));
  const bp = bx * px + by * py + bz * pz;
  const f = ((gamma - 1) / b2) * bp + gamma * e;
  BOOSTED[0] = px + f * bx;
  BOOSTED[1] = py + f * by;
  BOOSTED[2] = pz + f * bz;
  BOOSTED[3] = gamma * (e + bp);
}

/**
 * Boost particle `i` of `gen` into the rest frame of particle `frame` (reached by a pure
 * boost) into {@link BOOSTED}: e.g. a daughter's direction in its parent's rest frame, the
 * helicity axis of a decay.
 */
export function boostToRestFrameOf(gen: GenParticles, i: number, frame: number): void {
  const e = gen.e[frame];
  boostVec(
    gen.px[i],
    gen.py[i],
    gen.pz[i],
    gen.e[i],
    -gen.px[frame] / e,
    -gen.py[frame] / e,
    -gen.pz[frame] / e,
  );
}

/** Scratch output of {@link perpBasis}: e1 (0..2) and e2 (3..5). */
export const PERP: Float64Array = new Float64Array(6);

/**
 * Two unit vectors e1, e2 perpendicular to the unit vector (nx, ny, nz) and to each other,
 * written into {@link PERP}: (e1, e2, n) is right-handed.
 */
export function perpBasis(nx: number, ny: number, nz: number): void {
  // e1 = normalise(a x n) with a the coordinate axis least aligned with n.
  let e1x: number, e1y: number, e1z: number;
  if (Math.abs(nx) < 0.6) {
    // a = x: a x n = (0, -nz, ny)
    e1x = 0;
    e1y = -nz;
    e1z = ny;
  } else {
    // a = y: a x n = (nz, 0, -nx)
    e1x = nz;
    e1y = 0;
    e1z = -nx;
  }
  const inv = 1 / Math.sqrt(e1x * e1x + e1y * e1y + e1z * e1z);
  e1x *= inv;
  e1y *= inv;
  e1z *= inv;
  PERP[0] = e1x;
  PERP[1] = e1y;
  PERP[2] = e1z;
  // e2 = n x e1
  PERP[3] = ny * e1z - nz * e1y;
  PERP[4] = nz * e1x - nx * e1z;
  PERP[5] = nx * e1y - ny * e1x;
}

/**
 * Decay particle `ip` of `gen` into two daughters: daughter 1 flies along (cosTheta, phi) in
 * the parent's rest frame (lab-parallel axes), daughter 2 opposite. Appends both with status
 * `status`, marks the parent decayed, and returns the index of daughter 1 (daughter 2 is the
 * next index). The parent's mass is taken from its four-momentum.
 */
export function decayTwoBody(
  gen: GenParticles,
  ip: number,
  m1: number,
  pdg1: number,
  m2: number,
  pdg2: number,
  cosTheta: number,
  phi: number,
  status: number,
  origin: number,
): number {
  const e = gen.e[ip], px = gen.px[ip], py = gen.py[ip], pz = gen.pz[ip];
  const mm = e * e - px * px - py * py - pz * pz;
  const mass = mm > 0 ? Math.sqrt(mm) : 0;
  const p = twoBodyP(mass, m1, m2);
  const st = Math.sqrt(Math.max(0, 1 - cosTheta * cosTheta));
  const qx = p * st * Math.cos(phi), qy = p * st * Math.sin(phi), qz = p * cosTheta;
  const bx = px / e, by = py / e, bz = pz / e;
  boostVec(qx, qy, qz, Math.sqrt(p * p + m1 * m1), bx, by, bz);
  const i1 = gen.push(BOOSTED[0], BOOSTED[1], BOOSTED[2], BOOSTED[3], m1, pdg1, status, ip, origin);
  boostVec(-qx, -qy, -qz, Math.sqrt(p * p + m2 * m2), bx, by, bz);
  gen.push(BOOSTED[0], BOOSTED[1], BOOSTED[2], BOOSTED[3], m2, pdg2, status, ip, origin);
  gen.status[ip] = 2;
  return i1;
}

/** Maximum number of daughters of {@link phaseSpace}. */
export const MAX_BODIES = 8;
/** Output of {@link phaseSpace}: (px, py, pz, E) of daughter k at 4k..4k+3 (rest frame). */
export const PS_OUT: Float64Array = new Float64Array(4 * MAX_BODIES);
const psInvMass = new Float64Array(MAX_BODIES);
const psPd = new Float64Array(MAX_BODIES);
const psR = new Float64Array(MAX_BODIES);

/**
 * Uniform n-body phase space (the GENBOD algorithm, F. James, CERN 68-15, as in ROOT's
 * TGenPhaseSpace, with accept-reject on the phase-space weight) for a parent of mass `mass`
 * at rest decaying to `n` daughters of masses `masses[0..n-1]`. Writes the daughters'
 * rest-frame four-momenta to {@link PS_OUT}. Returns false when below threshold.
 * Accept-reject gives up after 200 tries and keeps the last configuration (bias negligible
 * for the <= 6-body decays used here).
 */
export function phaseSpace(
  mass: number,
  masses: ArrayLike<number>,
  n: number,
  rng: SimRandom,
): boolean {
  if (n < 2 || n > MAX_BODIES) throw new RangeError(`phaseSpace: n=${n}`);
  let sumM = 0;
  for (let i = 0; i < n; i++) sumM += masses[i];
  const tecm = mass - sumM;
  if (tecm <= 0) return false;
  // Maximal weight bound (TGenPhaseSpace::SetDecay).
  let emmax = tecm + masses[0];
  let emmin = 0;
  let wtmax = 1;
  for (let i = 1; i < n; i++) {
    emmin += masses[i - 1];
    emmax += masses[i];
    wtmax *= twoBodyP(emmax, emmin, masses[i]);
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    // Sorted uniforms r_1..r_{n-2} (insertion sort; n is small).
    psR[0] = 0;
    for (let i = 1; i < n - 1; i++) {
      const u = rng.uniform();
      let j = i;
      while (j > 1 && psR[j - 1] > u) {
        psR[j] = psR[j - 1];
        j--;
      }
      psR[j] = u;
    }
    psR[n - 1] = 1;
    let sm = 0;
    for (let i = 0; i < n; i++) {
      sm += masses[i];
      psInvMass[i] = psR[i] * tecm + sm;
    }
    let wt = 1;
    for (let i = 1; i < n; i++) {
      psPd[i - 1] = twoBodyP(psInvMass[i], psInvMass[i - 1], masses[i]);
      wt *= psPd[i - 1];
    }
    if (attempt < 199 && rng.uniform() * wtmax > wt) continue;
    // Build momenta: daughters 0 and 1 back to back in the frame of psInvMass[1], then add
    // daughter i recoiling against the (0..i-1) system, boosting the latter each time.
    let c = 2 * rng.uniform() - 1;
    let s = Math.sqrt(1 - c * c);
    let ph = 2 * Math.PI * rng.uniform();
    let p = psPd[0];
    PS_OUT[0] = p * s * Math.cos(ph);
    PS_OUT[1] = p * s * Math.sin(ph);
    PS_OUT[2] = p * c;
    PS_OUT[3] = Math.sqrt(p * p + masses[0] * masses[0]);
    PS_OUT[4] = -PS_OUT[0];
    PS_OUT[5] = -PS_OUT[1];
    PS_OUT[6] = -PS_OUT[2];
    PS_OUT[7] = Math.sqrt(p * p + masses[1] * masses[1]);
    for (let i = 2; i < n; i++) {
      c = 2 * rng.uniform() - 1;
      s = Math.sqrt(1 - c * c);
      ph = 2 * Math.PI * rng.uniform();
      p = psPd[i - 1];
      const dx = p * s * Math.cos(ph), dy = p * s * Math.sin(ph), dz = p * c;
      // The (0..i-1) system has mass psInvMass[i-1] and momentum -(dx,dy,dz).
      const esys = Math.sqrt(p * p + psInvMass[i - 1] * psInvMass[i - 1]);
      const bx = -dx / esys, by = -dy / esys, bz = -dz / esys;
      for (let k = 0; k < i; k++) {
        boostVec(
          PS_OUT[4 * k],
          PS_OUT[4 * k + 1],
          PS_OUT[4 * k + 2],
          PS_OUT[4 * k + 3],
          bx,
          by,
          bz,
        );
        PS_OUT[4 * k] = BOOSTED[0];
        PS_OUT[4 * k + 1] = BOOSTED[1];
        PS_OUT[4 * k + 2] = BOOSTED[2];
        PS_OUT[4 * k + 3] = BOOSTED[3];
      }
      PS_OUT[4 * i] = dx;
      PS_OUT[4 * i + 1] = dy;
      PS_OUT[4 * i + 2] = dz;
      PS_OUT[4 * i + 3] = Math.sqrt(p * p + masses[i] * masses[i]);
    }
    return true;
  }
  return true;
}

/**
 * Append daughters from {@link PS_OUT} (rest-frame momenta) to `gen`, boosted by the velocity
 * of parent `ip`; marks the parent decayed. Returns the index of the first daughter.
 */
export function pushBoostedDaughters(
  gen: GenParticles,
  ip: number,
  n: number,
  masses: ArrayLike<number>,
  pdgs: ArrayLike<number>,
  status: number,
  origin: number,
): number {
  const e = gen.e[ip];
  const bx = gen.px[ip] / e, by = gen.py[ip] / e, bz = gen.pz[ip] / e;
  const first = gen.n;
  for (let k = 0; k < n; k++) {
    boostVec(PS_OUT[4 * k], PS_OUT[4 * k + 1], PS_OUT[4 * k + 2], PS_OUT[4 * k + 3], bx, by, bz);
    gen.push(
      BOOSTED[0],
      BOOSTED[1],
      BOOSTED[2],
      BOOSTED[3],
      masses[k],
      pdgs[k],
      status,
      ip,
      origin,
    );
  }
  gen.status[ip] = 2;
  return first;
}

/** Minkowski product of daughters a and b of {@link PS_OUT}. */
export function psDot(a: number, b: number): number {
  return PS_OUT[4 * a + 3] * PS_OUT[4 * b + 3] - PS_OUT[4 * a] * PS_OUT[4 * b] -
    PS_OUT[4 * a + 1] * PS_OUT[4 * b + 1] - PS_OUT[4 * a + 2] * PS_OUT[4 * b + 2];
}

/**
 * Set up a particle of mass `m`, transverse momentum `pt`, rapidity `y` and azimuth `phi` in
 * `gen` (appended); returns its index.
 */
export function pushPtYPhiM(
  gen: GenParticles,
  pt: number,
  y: number,
  phi: number,
  m: number,
  pdg: number,
  status: number,
  mother: number,
  origin: number,
): number {
  const mt = Math.sqrt(pt * pt + m * m);
  return gen.push(
    pt * Math.cos(phi),
    pt * Math.sin(phi),
    mt * Math.sinh(y),
    mt * Math.cosh(y),
    m,
    pdg,
    status,
    mother,
    origin,
  );
}
