/** Unit tests of lib/data/stitch.ts (stitching an inclusive sample with a high-bin sample). */
import { stitchSamples } from "../../../lib/data/stitch.ts";
import type { Table } from "../../../lib/data/parquetCache.ts";
import { Rng } from "../../../lib/random/rng.ts";
import { assert, assertClose, assertEquals, assertThrows } from "../../helpers.ts";

function table(n: number[], x: number[], proc: string[]): Table {
  return {
    process: proc,
    truth_nHardPartons: Float32Array.from(n),
    x: Float32Array.from(x),
    weight: new Float64Array(n.length).fill(1),
  };
}

Deno.test("stitchSamples: keeps the inclusive rows below the bin, appends the bin rows, reweights them", () => {
  const inc = table([1, 5, 2, 6, 3], [10, 11, 12, 13, 14], ["W", "W", "Z", "Z", "W"]);
  const bin = table([5, 7], [20, 21], ["Z", "W"]);
  const st = stitchSamples(
    { name: "inc", table: inc, lumiPb: 2 },
    { name: "bin", table: bin, lumiPb: 8 },
    "truth_nHardPartons",
    5,
  );
  assertEquals(st.keptInclusive, 3);
  assertEquals(st.droppedInclusive, 2);
  assertEquals(st.binRows, 2);
  assertEquals(st.lumiPb, 2);
  assertClose(st.binWeightFactor, 0.25, 1e-15, "L_incl / L_bin");
  assertEquals([...(st.table.x as Float32Array)], [10, 12, 14, 20, 21]);
  assertEquals(st.table.process, ["W", "Z", "W", "Z", "W"]);
  assertEquals([...(st.table.weight as Float64Array)], [1, 1, 1, 0.25, 0.25]);
  assert(st.table.x instanceof Float32Array, "column types are kept");
  // The inputs are not modified.
  assertEquals([...(bin.weight as Float64Array)], [1, 1]);
});

Deno.test("stitchSamples: clear errors for a bin row outside the bin, mismatched columns, bad luminosity", () => {
  const inc = table([1, 2], [1, 2], ["W", "W"]);
  assertThrows(
    () =>
      stitchSamples(
        { name: "inc", table: inc, lumiPb: 1 },
        { name: "bin", table: table([5, 4], [1, 2], ["W", "W"]), lumiPb: 1 },
        "truth_nHardPartons",
        5,
      ),
    /row 1 of the bin sample "bin" has truth_nHardPartons = 4; expected >= 5/,
  );
  const other: Table = { ...table([5], [1], ["W"]), extra: new Float32Array(1) };
  assertThrows(
    () =>
      stitchSamples(
        { name: "inc", table: inc, lumiPb: 1 },
        { name: "bin", table: other, lumiPb: 1 },
        "truth_nHardPartons",
        5,
      ),
    /only in "bin": extra/,
  );
  assertThrows(
    () =>
      stitchSamples(
        { name: "inc", table: inc, lumiPb: 0 },
        { name: "bin", table: table([5], [1], ["W"]), lumiPb: 1 },
        "truth_nHardPartons",
        5,
      ),
    /"inc" stands for 0 pb/,
  );
  assertThrows(
    () =>
      stitchSamples(
        { name: "inc", table: inc, lumiPb: 1 },
        { name: "bin", table: table([5], [1], ["W"]), lumiPb: 1 },
        "nPartons",
        5,
      ),
    /"inc" has no column "nPartons"/,
  );
});

Deno.test("stitchSamples: the stitched weighted rate of a high-multiplicity observable matches the truth", () => {
  // Toy V + jets: parton multiplicity n with P(n >= k + 1 | n >= k) = 0.45 (n >= 1), and a
  // "many jets" flag with probability 0.3 for n >= 5, 0.001 below. The inclusive sample
  // (20k rows, 1 pb^-1 per 20k rows) sees few n >= 5 events; the bin sample (5k rows with
  // n >= 5) stands for 5k / (P(n >= 5) x 20k) pb^-1. The stitched weighted rate of the flag
  // must agree with the exact rate within 3 of its standard errors, and its error must be
  // much smaller than the inclusive sample's.
  const r = 0.45, pHi = r ** 4; // P(n >= 5) given n >= 1
  const exact = pHi * 0.3 + (1 - pHi) * 0.001;
  const rng = Rng.stream(9, "stitch-toy");
  const draw = (nMin: number, rows: number): Table => {
    const n: number[] = [], x: number[] = [];
    for (let i = 0; i < rows; i++) {
      let k = 1;
      while (rng.uniform() < r) k++;
      if (k < nMin) {
        i--;
        continue;
      }
      n.push(k);
      x.push(rng.uniform() < (k >= 5 ? 0.3 : 0.001) ? 1 : 0);
    }
    return table(n, x, n.map(() => "W"));
  };
  const inc = draw(1, 20000), bin = draw(5, 5000);
  const st = stitchSamples(
    { name: "inc", table: inc, lumiPb: 1 },
    { name: "bin", table: bin, lumiPb: 5000 / (pHi * 20000) },
    "truth_nHardPartons",
    5,
  );
  const w = st.table.weight as Float64Array, x = st.table.x as Float32Array;
  let sw = 0, swx = 0, sw2x = 0;
  for (let i = 0; i < w.length; i++) {
    sw += w[i];
    swx += w[i] * x[i];
    sw2x += w[i] * w[i] * x[i];
  }
  const rate = swx / sw, err = Math.sqrt(sw2x) / sw;
  assertClose(sw / 20000, 1, 0.03, "summed weights / inclusive rows (within statistics)");
  assert(Math.abs(rate - exact) < 3 * err, `stitched rate ${rate} +- ${err} vs exact ${exact}`);
  const incErr = Math.sqrt(exact / 20000);
  assert(err < incErr / 2, `stitched error ${err} vs inclusive ${incErr}`);
});
