import { assertClose, assertEquals, assertThrows } from "../../helpers.ts";
import { medianSpreadInIqr, peakHeight } from "../../../lib/stats/lossPeak.ts";
import { Rng } from "../../../lib/random/rng.ts";

Deno.test("peakHeight: fraction in the fullest aligned bin; saturates for narrow samples", () => {
  assertEquals(peakHeight([0.05, 0.1, 0.15, 0.3, 0.5], 0.2), 0.6); // [0, 0.2) holds 3 of 5
  assertEquals(peakHeight([1.01, 1.02, 1.03], 0.2), 1); // narrower than a bin
  assertEquals(Number.isNaN(peakHeight([NaN], 0.2)), true);
});

Deno.test("medianSpreadInIqr: by hand, scale-free, and blind to a common shift", () => {
  // Runs 0..4 and 2..6: medians 2 and 4, IQRs 2 and 2 -> spread 2 / 2 = 1.
  assertClose(medianSpreadInIqr([[0, 1, 2, 3, 4], [2, 3, 4, 5, 6]]), 1, 1e-12, "by hand");
  const rng = Rng.stream(3, "median-spread");
  const a = Float64Array.from({ length: 4000 }, () => rng.normal());
  const b = Float64Array.from({ length: 4000 }, () => rng.normal() + 0.5);
  const s = medianSpreadInIqr([a, b]);
  assertClose(s, 0.5 / 1.349, 0.06, "a 0.5 sigma shift of a Gaussian (IQR 1.349 sigma)");
  // Narrow runs (all in one 0.2 bin: peak heights identical) are still told apart.
  const na = a.map((x) => 1.1 + 1e-3 * x), nb = b.map((x) => 1.1 + 1e-3 * x);
  assertEquals(peakHeight(na, 0.2), peakHeight(nb, 0.2));
  assertClose(medianSpreadInIqr([na, nb]), s, 1e-9, "invariant under a common shift and scale");
  assertThrows(() => medianSpreadInIqr([a]), /two runs/);
});
