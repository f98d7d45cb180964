/**
 * ALAD inputs for the 8 TeV single-muon stream of paper 3 (section 4, appendix A), and the
 * small table helpers notebook 03 needs.
 *
 * Preprocessing: the appendix-A quantities (Open Data column names, lib/features/
 * paper3Features.ts), treated as section 3 treats the 21 HLF: the discrete quantities
 * (lepton charge, IsEle, N_mu, N_e) one-hot encoded, everything else standardised to zero
 * median and unit variance (the paper's words; see preprocess.ts for why not the code's
 * inter-quartile range). 21 continuous + 2 + 2 + 9 + 9 one-hot = 43 inputs.
 * The total isolation `lep_iso` is one of the paper's quantities (Iso) and is kept, as the
 * paper lists it next to its three parts.
 */
import type { Table } from "../../data/parquetCache.ts";
import type { AladPreprocessConfig } from "./preprocess.ts";

/** Paper 3 appendix A quantities as ALAD inputs (43 dimensions after one-hot encoding). */
export const OPEN_DATA_ALAD_PREPROCESS: Readonly<AladPreprocessConfig> = Object.freeze({
  continuous: [
    "HT",
    "mass_jet",
    "n_jet",
    "n_bjet",
    "MET",
    "pt_mu",
    "mass_mu",
    "pt_ele",
    "mass_ele",
    "n_neu",
    "n_ch",
    "n_photon",
    "lep_pt",
    "lep_eta",
    "lep_iso_ch",
    "lep_iso_neu",
    "lep_iso_gamma",
    "lep_iso",
    "MT",
    "METp",
    "METo",
  ],
  discrete: [
    { name: "lep_charge", categories: [-1, 1] },
    { name: "lep_is_ele", categories: [0, 1] },
    { name: "n_mu", categories: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
    { name: "n_ele", categories: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
  ],
  scaling: "median-std",
});

/** Number of rows of a table. */
export function rowCount(table: Table): number {
  const first = Object.values(table)[0];
  return first === undefined ? 0 : first.length;
}

/** A numeric column of `table` (throws naming the column when it is missing or not numeric). */
export function numeric(table: Table, name: string): ArrayLike<number> {
  const c = table[name];
  if (c === undefined) throw new Error(`no column "${name}"`);
  if (Array.isArray(c)) throw new Error(`column "${name}" is not numeric`);
  return c as ArrayLike<number>;
}

/**
 * Rows [start, start + count) of the numeric columns `names` as views (no copy for typed
 * arrays), for AladPreprocessor.fit / transform.
 */
export function columnRows(
  table: Table,
  names: readonly string[],
  start = 0,
  count = rowCount(table) - start,
): Record<string, ArrayLike<number>> {
  const n = rowCount(table);
  if (start < 0 || count < 0 || start + count > n) {
    throw new RangeError(`columnRows: rows [${start}, ${start + count}) of ${n}`);
  }
  const out: Record<string, ArrayLike<number>> = {};
  for (const name of names) {
    const c = numeric(table, name) as Float32Array;
    out[name] = typeof c.subarray === "function"
      ? c.subarray(start, start + count)
      : Float64Array.from({ length: count }, (_, i) => c[start + i]);
  }
  return out;
}

/** The column names an AladPreprocessConfig reads. */
export function preprocessColumns(cfg: AladPreprocessConfig): string[] {
  return [...cfg.continuous, ...cfg.discrete.map((d) => d.name)];
}

/** 1 where `labels[i] === value`, else 0. */
export function labelMask(labels: readonly string[], value: string): Uint8Array {
  return Uint8Array.from(labels, (l) => (l === value ? 1 : 0));
}

/** Elements of `values` where `mask` is truthy. */
export function pick(values: ArrayLike<number>, mask: ArrayLike<number | boolean>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (mask[i]) out.push(values[i]);
  return Float64Array.from(out);
}

/**
 * Weighted bin contents of `values` in `edges` (values at or above the last edge go to the
 * last bin, values below the first edge are dropped): sums of weights and of squared weights.
 */
export function weightedCounts(
  values: ArrayLike<number>,
  edges: ArrayLike<number>,
  weight: number | ArrayLike<number> = 1,
  mask?: ArrayLike<number | boolean>,
): { edges: Float64Array; sumw: Float64Array; sumw2: Float64Array } {
  const e = Float64Array.from(edges);
  const nb = e.length - 1;
  const sumw = new Float64Array(nb), sumw2 = new Float64Array(nb);
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && !mask[i]) continue;
    const x = values[i];
    if (!(x >= e[0])) continue;
    let b = nb - 1;
    if (x < e[nb]) {
      b = 0;
      while (b < nb - 1 && e[b + 1] <= x) b++;
    }
    const w = typeof weight === "number" ? weight : weight[i];
    sumw[b] += w;
    sumw2[b] += w * w;
  }
  return { edges: e, sumw, sumw2 };
}
