/** The azimuthal band pre-test of lib/physics/azimuthalBand.ts against the exact |dphi|. */
import { assert } from "../../helpers.ts";
import { azimuthalBand, inAzimuthalBand } from "../../../lib/physics/azimuthalBand.ts";
import { deltaPhi } from "../../../lib/physics/fourVector.ts";
import { Rng } from "../../../lib/random/rng.ts";

Deno.test("azimuthal band: same answer as |dphi| < R + margin away from the edge", () => {
  // Random axes and particles (pT 0.1-500 GeV, any azimuth); near the band edge (within
  // 1e-9 rad) the two tests may legitimately differ by rounding, so those are skipped.
  const rng = new Rng(5);
  let inside = 0, checked = 0;
  for (const coneR of [0.3, 0.4, 0.8, 1.4]) {
    for (let i = 0; i < 20000; i++) {
      const lpt = 1 + 499 * rng.uniform(), lphi = 2 * Math.PI * rng.uniform() - Math.PI;
      const pt = 0.1 + 499.9 * rng.uniform(), phi = 2 * Math.PI * rng.uniform() - Math.PI;
      const dphi = Math.abs(deltaPhi(phi, lphi));
      const half = Math.min(coneR + 1e-6, Math.PI / 2);
      if (Math.abs(dphi - half) < 1e-9) continue;
      const x = pt * Math.cos(phi), y = pt * Math.sin(phi);
      const got = inAzimuthalBand(
        x,
        y,
        x * x + y * y,
        lpt * Math.cos(lphi),
        lpt * Math.sin(lphi),
        azimuthalBand(coneR, lpt),
      );
      assert(got === dphi < half, `R ${coneR}: dphi ${dphi}, band says ${got}`);
      checked++;
      if (got) inside++;
    }
  }
  // Both outcomes exercised (about R / pi of the particles are inside).
  assert(inside > 1000 && checked - inside > 1000, `${inside} of ${checked} inside`);
});
