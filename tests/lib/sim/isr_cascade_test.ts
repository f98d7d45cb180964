/**
 * The ISR cascade of lib/sim/hardProcess.ts with and without the large-x PDF suppression
 * (`IsrPdfSuppression`, used by the dijet stream of paper 2).
 */
import { assert, assertThrows } from "../../helpers.ts";
import {
  ISR_EMISSIONS,
  type IsrPdfSuppression,
  PAIR_ISR,
  sampleIsrCascade,
} from "../../../lib/sim/hardProcess.ts";
import { FastRng } from "../../../lib/sim/random.ts";
import { Rng } from "../../../lib/random/rng.ts";

const SQRT_S = 13000;

/** Recoil pT (GeV) of `n` cascades of scale `q`; calls `check` after each one. */
function recoils(
  q: number,
  n: number,
  pdf?: IsrPdfSuppression,
  check: () => void = () => {},
): number[] {
  const rng = new FastRng(Rng.stream(11, "isr-test", q, n));
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    sampleIsrCascade(rng, q, PAIR_ISR.colour, PAIR_ISR.strength, PAIR_ISR, pdf);
    check();
    out.push(Math.hypot(ISR_EMISSIONS.recoilPx, ISR_EMISSIONS.recoilPy));
  }
  return out.sort((a, b) => a - b);
}

Deno.test("ISR PDF suppression: no emission takes an incoming parton beyond x = 1", () => {
  // A 5.9 TeV system at y_b = 0.3: x1 = 0.61, x2 = 0.34. Emissions forward of the system
  // are carried by the +z parton (x1' = x1 + pT e^y / sqrt(s)), the others by the -z one.
  const yb = 0.3, x = 5900 / SQRT_S;
  const pdf = {
    x1: x * Math.exp(yb),
    x2: x * Math.exp(-yb),
    yBoost: yb,
    sqrtS: SQRT_S,
    largeXPower: 5,
  };
  let maxX = 0;
  recoils(2950, 2000, pdf, () => {
    let x1 = pdf.x1, x2 = pdf.x2;
    for (let i = 0; i < ISR_EMISSIONS.n; i++) {
      const dy = ISR_EMISSIONS.dy[i], pt = ISR_EMISSIONS.pt[i];
      if (dy > 0) x1 += (pt * Math.exp(yb + dy)) / SQRT_S;
      else x2 += (pt * Math.exp(-yb - dy)) / SQRT_S;
    }
    maxX = Math.max(maxX, x1, x2);
  });
  assert(maxX < 1, `largest x after ISR ${maxX}`);
});

Deno.test("ISR PDF suppression: softer recoil for TeV systems, none for b = 0", () => {
  // A 3.5 TeV graviton (x1 = x2 = 0.27, Q = 1.75 TeV): the (1 - x)^5 weight removes hard
  // emissions; measured when written: median recoil 330 -> 210 GeV (20k cascades). The
  // bound below (>= 20 % lower, 2000 cascades: the median's statistical error is ~3 %)
  // fails if the weight is not applied.
  const x = 3500 / SQRT_S;
  const pdf = { x1: x, x2: x, yBoost: 0, sqrtS: SQRT_S, largeXPower: 5 };
  const plain = recoils(1750, 2000), weighted = recoils(1750, 2000, pdf);
  const med = (a: number[]) => a[a.length >> 1];
  assert(med(weighted) < 0.8 * med(plain), `median ${med(weighted)} vs ${med(plain)} GeV`);
  // b = 0: weight 1 for every emission below x = 1 (only the rare emissions that would take
  // x beyond 1 are removed), so the recoil distribution is that of the plain cascade; the
  // extra random numbers make it another sample: medians agree within 10 % (3 x the ~3 %
  // statistical error of each).
  const flat = recoils(1750, 2000, { ...pdf, largeXPower: 0 });
  const ratio = med(flat) / med(plain);
  assert(Math.abs(ratio - 1) < 0.1, `median ratio b = 0 / plain ${ratio}`);
});

Deno.test("ISR PDF suppression: bad momentum fractions are rejected with the values", () => {
  const rng = new FastRng(Rng.stream(1, "isr-bad", 0, 0));
  const bad = { x1: 1.2, x2: 0.1, yBoost: 0, sqrtS: SQRT_S, largeXPower: 5 };
  assertThrows(
    () => sampleIsrCascade(rng, 500, PAIR_ISR.colour, PAIR_ISR.strength, PAIR_ISR, bad),
    /x1 = 1\.2/,
  );
});
