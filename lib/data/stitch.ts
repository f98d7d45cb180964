/**
 * Stitching an inclusive simulated sample with a sample of one high bin of a generator
 * variable, as CMS does with its jet-multiplicity-binned W+jets and Z+jets samples (paper 3,
 * appendix A, used W1Jets..W4Jets): the inclusive sample keeps its rows below the bin, the
 * bin sample replaces its rows inside it, and the bin rows are weighted so that both parts
 * stand for the same integrated luminosity.
 *
 * With N_incl inclusive rows standing for L_incl (pb^-1) and N_bin bin rows standing for
 * L_bin (the bin sample's own equivalent luminosity: its rows over its selected cross
 * section, generator filter included), an inclusive row keeps its weight w and a bin row
 * gets w L_incl / L_bin; the stitched sample stands for L_incl. Summed weights per bin of
 * any observable are then estimates of the inclusive sample's, with the bin's statistical
 * error reduced by the ratio of the bin sample's rows there to the inclusive sample's.
 *
 * Paper 4's pT-hat slices are stitched the same way on weights that are already in pb
 * (lib/data/rmmSlices.ts `stitchInclusiveWeights`, which zeroes the overlapping inclusive rows
 * instead of dropping them); this module works on whole tables with equivalent luminosities,
 * the bookkeeping of the unweighted paper-3 samples.
 */
import type { Table } from "./parquetCache.ts";
import { concatSourced, sourcedTable, takeRows } from "./source.ts";

/** One input sample of {@link stitchSamples}. */
export interface StitchSample {
  /** Name used in error messages (dataset name). */
  name: string;
  table: Table;
  /** Integrated luminosity the rows stand for (pb^-1). */
  lumiPb: number;
}

/** What {@link stitchSamples} returns. */
export interface StitchResult {
  /** Inclusive rows with column < minValue, then every bin row; `weight` rescaled. */
  table: Table;
  /** Luminosity the stitched rows stand for: the inclusive sample's (pb^-1). */
  lumiPb: number;
  /** Inclusive rows kept (column < minValue) and dropped (replaced by the bin sample). */
  keptInclusive: number;
  droppedInclusive: number;
  /** Rows of the bin sample. */
  binRows: number;
  /** Factor applied to the bin rows' weights: L_incl / L_bin. */
  binWeightFactor: number;
}

function numericColumn(s: StitchSample, column: string): ArrayLike<number> {
  const c = s.table[column];
  if (c === undefined) {
    throw new RangeError(`stitchSamples: sample "${s.name}" has no column "${column}"`);
  }
  if (Array.isArray(c)) {
    throw new TypeError(
      `stitchSamples: column "${column}" of sample "${s.name}" is categorical; expected numbers`,
    );
  }
  return c as ArrayLike<number>;
}

function rowsOf(s: StitchSample): number {
  let n = -1;
  for (const [k, c] of Object.entries(s.table)) {
    if (n < 0) n = c.length;
    else if (c.length !== n) {
      throw new RangeError(
        `stitchSamples: sample "${s.name}": column "${k}" has ${c.length} rows, others ${n}`,
      );
    }
  }
  return Math.max(n, 0);
}

/**
 * Stitch `inclusive` and `bin` on `column` (e.g. `truth_nHardPartons`) at `minValue`: the
 * bin sample must hold only rows with column >= minValue (checked; a violation names the
 * row), the inclusive sample's rows with column >= minValue are dropped, and the bin rows'
 * `weightColumn` (default "weight") is multiplied by L_incl / L_bin. Both tables need the
 * same columns with the same types.
 */
export function stitchSamples(
  inclusive: StitchSample,
  bin: StitchSample,
  column: string,
  minValue: number,
  weightColumn = "weight",
): StitchResult {
  for (const s of [inclusive, bin]) {
    if (!(s.lumiPb > 0 && Number.isFinite(s.lumiPb))) {
      throw new RangeError(
        `stitchSamples: sample "${s.name}" stands for ${s.lumiPb} pb^-1 (expected > 0)`,
      );
    }
  }
  const keysA = Object.keys(inclusive.table).sort(), keysB = Object.keys(bin.table).sort();
  if (keysA.join(",") !== keysB.join(",")) {
    const onlyA = keysA.filter((k) => !keysB.includes(k));
    const onlyB = keysB.filter((k) => !keysA.includes(k));
    throw new RangeError(
      `stitchSamples: the samples' columns differ (only in "${inclusive.name}": ` +
        `${onlyA.join(", ") || "none"}; only in "${bin.name}": ${onlyB.join(", ") || "none"})`,
    );
  }
  const nA = rowsOf(inclusive), nB = rowsOf(bin);
  const va = numericColumn(inclusive, column), vb = numericColumn(bin, column);
  for (let i = 0; i < nB; i++) {
    if (!(vb[i] >= minValue)) {
      throw new RangeError(
        `stitchSamples: row ${i} of the bin sample "${bin.name}" has ${column} = ${vb[i]}; ` +
          `expected >= ${minValue}`,
      );
    }
  }
  let kept = 0;
  for (let i = 0; i < nA; i++) if (va[i] < minValue) kept++;
  const keep = new Int32Array(kept);
  for (let i = 0, j = 0; i < nA; i++) if (va[i] < minValue) keep[j++] = i;
  numericColumn(inclusive, weightColumn);
  numericColumn(bin, weightColumn);
  const factor = inclusive.lumiPb / bin.lumiPb;
  const table = concatSourced(
    [
      sourcedTable("simulation", inclusive.name, inclusive.name, takeRows(inclusive.table, keep)),
      sourcedTable("simulation", bin.name, bin.name, bin.table),
    ],
    `${inclusive.name}+${bin.name}`,
  ).table;
  const w = table[weightColumn] as Float64Array;
  for (let i = kept; i < kept + nB; i++) w[i] *= factor;
  return {
    table,
    lumiPb: inclusive.lumiPb,
    keptInclusive: kept,
    droppedInclusive: nA - kept,
    binRows: nB,
    binWeightFactor: factor,
  };
}
