/**
 * Azimuthal band pre-test of cone sums: is a particle's azimuth within |dphi| < R + margin
 * of an axis, decided on transverse momenta alone (no atan2)? For vectors (x, y) and the
 * axis (lx, ly):
 *   |dphi| < pi/2 and sin^2(dphi) < sin^2(R + margin)  <=>  |dphi| < R + margin
 * (for R + margin <= pi/2), with sin^2(dphi) = (x ly - y lx)^2 / (|p|^2 |l|^2). The margin
 * (1e-6 rad) dwarfs the rounding errors (~1e-15 rad), so every particle the exact cone test
 * (in (eta, phi)) can accept passes; the band only saves the asinh and atan2 of the others.
 * Used by the isolation sums of lib/reco/leptons.ts, lib/reco/triggerPrecheck.ts and the
 * generator-level trigger check of lib/sim/generator.ts.
 */

/** Azimuthal margin (radians) of the band; rounding errors are ~1e-15 rad. */
export const AZIMUTHAL_BAND_MARGIN = 1e-6;

/**
 * The band factor of a cone of radius `coneR` (rad) around an axis of transverse momentum
 * `axisPt` (GeV): sin^2(min(coneR + margin, pi/2)) x axisPt^2, the argument of
 * {@link inAzimuthalBand}.
 */
export function azimuthalBand(coneR: number, axisPt: number): number {
  const s = Math.sin(Math.min(coneR + AZIMUTHAL_BAND_MARGIN, Math.PI / 2));
  return s * s * axisPt * axisPt;
}

/**
 * True when (x, y) lies within the azimuthal band `band` (from {@link azimuthalBand}) of
 * the axis (lx, ly); `t2` = x^2 + y^2 (passed in: callers usually need it for the pT).
 */
export function inAzimuthalBand(
  x: number,
  y: number,
  t2: number,
  lx: number,
  ly: number,
  band: number,
): boolean {
  if (x * lx + y * ly <= 0) return false;
  const cross = x * ly - y * lx;
  return cross * cross < band * t2;
}
