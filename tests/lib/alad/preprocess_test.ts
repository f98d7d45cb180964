/**
 * Tests of the ALAD input preprocessing (lib/models/alad/preprocess.ts): paper 3's
 * 21 HLF -> 39 inputs, median/std (the default, the paper's "zero median and unit
 * variance"), robust (the code's IQR) and standard scaling, one-hot with clipping, JSON round
 * trip.
 */
import { assertClose, assertEquals, assertThrows } from "../../helpers.ts";
import {
  AladPreprocessor,
  HLF21_ALAD_PREPROCESS,
  preprocessedDim,
} from "../../../lib/models/alad/preprocess.ts";
import { HLF21_NAMES, newHlf21Table } from "../../../lib/features/hlf21.ts";
import { ColumnTable } from "../../../lib/features/columnTable.ts";

/** Rows of the 21 HLF with simple known values. */
function hlfColumns(rows: number): Record<string, Float32Array> {
  const cols: Record<string, Float32Array> = {};
  for (const name of HLF21_NAMES) cols[name] = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    cols.HT[i] = i; // 0..rows-1
    cols.LepCharge[i] = i % 2 === 0 ? 1 : -1;
    cols.LepIsEle[i] = i % 3 === 0 ? 1 : 0;
    cols.nMu[i] = i % 12; // 9..11 clip to 8
    cols.nEle[i] = 0;
    cols.bJets[i] = 0; // constant: IQR 0 -> scale 1
  }
  return cols;
}

Deno.test("HLF21 config: 17 continuous + 2 + 2 + 9 + 9 one-hot = 39, covering the 21 HLF", () => {
  const cfg = HLF21_ALAD_PREPROCESS;
  assertEquals(cfg.continuous.length, 17);
  assertEquals(cfg.discrete.map((d) => [d.name, d.categories.length]), [
    ["LepCharge", 2],
    ["LepIsEle", 2],
    ["nMu", 9],
    ["nEle", 9],
  ]);
  assertEquals(preprocessedDim(cfg), 39);
  const used = [...cfg.continuous, ...cfg.discrete.map((d) => d.name)].sort();
  assertEquals(used, [...HLF21_NAMES].sort(), "every HLF used once");
  assertEquals(cfg.scaling, "median-std", "the paper's zero median and unit variance");
});

Deno.test("median-std scaling (the default): centre the median, scale the population std", () => {
  const n = 101;
  const cols = hlfColumns(n);
  // A point-mass column like allEleMass: 0 (no electron), 0.000511 (one electron) and a tail
  // at 90 (two electrons from a Z). Its IQR is 0.000511 (RobustScaler would map the tail to
  // ~1.8e5); its std is O(10), so the tail stays O(1 - 10).
  for (let i = 0; i < n; i++) cols.allEleMass[i] = i % 20 === 0 ? 90 : i % 2 === 0 ? 0 : 0.000511;
  const p = AladPreprocessor.fit(cols);
  const ht = HLF21_ALAD_PREPROCESS.continuous.indexOf("HT");
  assertClose(p.center[ht], 50, 1e-12, "median of 0..100");
  // population variance of 0..100: (101^2 - 1) / 12 = 850
  assertClose(p.scale[ht], Math.sqrt(850), 1e-9, "population std of 0..100");
  const j = HLF21_ALAD_PREPROCESS.continuous.indexOf("allEleMass");
  const v = Array.from(cols.allEleMass);
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  assertClose(p.scale[j], std, 1e-6, "std, not the 0.000511 IQR");
  const { data, dim } = p.transform(cols);
  const tail = (90 - p.center[j]) / std;
  assertClose(data[0 * dim + j], tail, 1e-5, "the Z -> ee tail");
  assertEquals(tail < 10, true, `tail ${tail} stays O(1 - 10)`);
  const robust = AladPreprocessor.fit(cols, { ...HLF21_ALAD_PREPROCESS, scaling: "robust" });
  assertClose(robust.scale[j], 0.000511, 1e-9, "the code's IQR for comparison");
  // A constant column is scaled by 1; the JSON round trip keeps the scaling.
  assertEquals(p.scale[HLF21_ALAD_PREPROCESS.continuous.indexOf("bJets")], 1);
  const q = AladPreprocessor.fromJSON(JSON.parse(JSON.stringify(p)));
  assertEquals(q.config.scaling, "median-std");
  assertEquals(q.transform(cols).data, data);
});

Deno.test("robust scaling (median, IQR), one-hot with clipping, feature names, JSON", () => {
  const n = 101;
  const cols = hlfColumns(n);
  const p = AladPreprocessor.fit(cols, { ...HLF21_ALAD_PREPROCESS, scaling: "robust" });
  assertEquals(p.dim, 39);
  const names = p.featureNames();
  assertEquals(names.length, 39);
  assertEquals(names.slice(17, 21), ["LepCharge=-1", "LepCharge=1", "LepIsEle=0", "LepIsEle=1"]);
  assertEquals(names[38], "nEle=8");
  const ht = HLF21_ALAD_PREPROCESS.continuous.indexOf("HT");
  assertClose(p.center[ht], 50, 1e-12, "median of 0..100");
  assertClose(p.scale[ht], 50, 1e-12, "IQR of 0..100 (75 - 25)");
  const bj = HLF21_ALAD_PREPROCESS.continuous.indexOf("bJets");
  assertEquals(p.scale[bj], 1, "zero IQR replaced by 1");

  const { data, rows, dim } = p.transform(cols);
  assertEquals([rows, dim], [n, 39]);
  const row = (i: number) => Array.from(data.subarray(i * 39, (i + 1) * 39));
  // Row 10: HT 10 -> -0.8; charge +1; not electron; nMu 10 -> clipped to 8; nEle 0.
  const r = row(10);
  assertClose(r[ht], (10 - 50) / 50, 1e-6, "scaled HT");
  assertEquals(r.slice(17, 21), [0, 1, 1, 0]);
  assertEquals(r.slice(21, 30), [0, 0, 0, 0, 0, 0, 0, 0, 1], "nMu 10 -> bin 8");
  assertEquals(r.slice(30, 39), [1, 0, 0, 0, 0, 0, 0, 0, 0]);
  for (let i = 0; i < n; i++) {
    const oneHot = row(i).slice(17);
    assertEquals(oneHot.reduce((s, v) => s + v, 0), 4, `row ${i}: one 1 per discrete feature`);
  }

  // JSON round trip (through a string) gives the same transform.
  const q = AladPreprocessor.fromJSON(JSON.parse(JSON.stringify(p)));
  assertEquals(q.transform(cols).data, data);
  // A ColumnTable-like source (column(name)) works too, and a row limit.
  const table = { column: (name: string) => cols[name] };
  assertEquals(p.transform(table, 5).data, data.subarray(0, 5 * 39));
});

Deno.test("standard scaling option; errors name the column", () => {
  const cols = hlfColumns(4); // HT 0, 1, 2, 3: mean 1.5, population std sqrt(1.25)
  const p = AladPreprocessor.fit(cols, { ...HLF21_ALAD_PREPROCESS, scaling: "standard" });
  const ht = HLF21_ALAD_PREPROCESS.continuous.indexOf("HT");
  assertClose(p.center[ht], 1.5, 1e-12, "mean");
  assertClose(p.scale[ht], Math.sqrt(1.25), 1e-12, "std");
  const bad = hlfColumns(4);
  bad.LepCharge[2] = 0; // inside [-1, 1] but not a category
  assertThrows(() => p.transform(bad), /LepCharge\[2\] = 0/);
  const missing: Record<string, Float32Array> = { ...cols };
  delete missing.MT;
  assertThrows(() => AladPreprocessor.fit(missing), /no column "MT"/);
  const nan = hlfColumns(4);
  nan.HT[1] = NaN;
  assertThrows(() => AladPreprocessor.fit(nan), /HT\[1\]/);
  assertThrows(
    () => AladPreprocessor.fromJSON({ ...p.toJSON(), center: [1] }),
    /expected 17 centres/,
  );
});

Deno.test("works on an HLF21 ColumnTable", () => {
  const t: ColumnTable = newHlf21Table(4);
  for (let i = 0; i < 3; i++) {
    const r = t.addRow(t.labelCode("W"));
    for (const name of HLF21_NAMES) t.data[t.indexOf(name)][r] = name === "LepCharge" ? 1 : i;
  }
  const p = AladPreprocessor.fit(t);
  const out = p.transform(t);
  assertEquals([out.rows, out.dim], [3, 39]);
});

Deno.test("robust scaling: a zero-IQR (mostly-zero) column is scaled by its std, not left raw", () => {
  // 90 % zeros and 10 % values of 100 (GeV-like): q25 = q75 = 0, IQR 0. sklearn's
  // RobustScaler would scale by 1 (raw units); we scale by the population std instead.
  const n = 100;
  const cols = hlfColumns(n);
  for (let i = 0; i < n; i++) cols.allEleMass[i] = i % 10 === 0 ? 100 : 0;
  const robust = { ...HLF21_ALAD_PREPROCESS, scaling: "robust" as const };
  const p = AladPreprocessor.fit(cols, robust);
  const j = HLF21_ALAD_PREPROCESS.continuous.indexOf("allEleMass");
  assertEquals(p.center[j], 0, "median of a mostly-zero column");
  // mean 10, population variance 0.1 * 90^2 + 0.9 * 10^2 = 900 -> std 30.
  assertClose(p.scale[j], 30, 1e-9, "zero IQR -> population std");
  const { data, dim } = p.transform(cols);
  assertClose(data[0 * dim + j], 100 / 30, 1e-6, "a non-zero entry becomes O(1)");
  assertEquals(data[1 * dim + j], 0);
  // A column with a non-zero IQR keeps the IQR (HT = 0..99: 74.25 - 24.75 = 49.5).
  assertClose(p.scale[HLF21_ALAD_PREPROCESS.continuous.indexOf("HT")], 49.5, 1e-12, "IQR kept");
  // A small but non-zero IQR is kept as RobustScaler's (no std fallback): half the events
  // at 0, half at the electron mass 0.000511 -> IQR 0.000511.
  for (let i = 0; i < n; i++) cols.allMuMass[i] = i % 10 === 0 ? 100 : i % 2 === 0 ? 0 : 0.000511;
  const p2 = AladPreprocessor.fit(cols, robust);
  assertClose(p2.scale[HLF21_ALAD_PREPROCESS.continuous.indexOf("allMuMass")], 0.000511, 1e-9);
  // A constant column (std 0 too) is still scaled by 1, and the JSON round trip keeps it all.
  assertEquals(p.scale[HLF21_ALAD_PREPROCESS.continuous.indexOf("bJets")], 1);
  const q = AladPreprocessor.fromJSON(JSON.parse(JSON.stringify(p2)));
  assertEquals(q.transform(cols).data, p2.transform(cols).data);
});
