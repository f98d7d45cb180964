/**
 * Dataset registry, event loop, bookkeeping, cocktail fractions and worker determinism.
 * Toy events (one muon) test the loop in milliseconds; the worker test uses the real
 * generator on a small sample.
 */
import { toyMuonGenerator as toy } from "./toyGenerator.ts";
import {
  DATASETS,
  type EventGenerator,
  EventLoopState,
  generateRows,
  getDataset,
  LEP13_COCKTAIL_FRACTIONS,
  ratio,
  registryEntry,
} from "../../lib/data/datasets.ts";
import {
  bookkeepingPath,
  datasetCacheConfig,
  formatCount,
  generateDataset,
  loadOrGenerateDataset,
  parseCli,
  toParquetTable,
  writeDataset,
} from "../../lib/data/generate.ts";
import { sha256File, validateDatasetRegistry } from "../../lib/data/manifest.ts";
import { ParquetCache, readParquetTable } from "../../lib/data/parquetCache.ts";
import { assert, assertEquals, assertInRange, assertThrows } from "../helpers.ts";

Deno.test("registry: the nine 13 TeV datasets, labelled SIMULATED, Table 1 fractions", () => {
  const names = [
    "lep13_W",
    "lep13_QCD",
    "lep13_Z",
    "lep13_ttbar",
    "lep13_cocktail",
    "lep13_Ato4l",
    "lep13_leptoquark",
    "lep13_hToTauTau",
    "lep13_hChToTauNu",
  ];
  for (const n of names) {
    const d = getDataset(n);
    assert(d.description.includes("SIMULATED"), `${n} description says SIMULATED`);
    const sum = d.components.reduce((s, c) => s + c.fraction, 0);
    assertInRange(sum, 1 - 1e-12, 1 + 1e-12, `${n} fractions sum to 1`);
    assertEquals(d.generator.sqrtS, 13000);
    assertEquals(d.generator.meanPileup, 20);
  }
  assertEquals(Object.keys(DATASETS).sort(), [...names].sort());
  const c = getDataset("lep13_cocktail").components;
  assertEquals(c.map((x) => x.process), ["W", "QCD", "Z", "ttbar"]);
  assertEquals(c.map((x) => x.fraction), [0.592, 0.338, 0.067, 0.003]);
  assertEquals(LEP13_COCKTAIL_FRACTIONS.W, 0.592);
  assertThrows(() => getDataset("lep13_nope"), /unknown dataset "lep13_nope"; known: lep13_W/);
  // Registry entries validate against the data/manifest.json schema.
  const reg = { version: 1, datasets: Object.values(DATASETS).map(registryEntry) };
  assertEquals(validateDatasetRegistry(reg, "test").datasets.length, 9);
});

Deno.test("cocktail: process fractions within 5 sigma (binomial) of Table 1", async () => {
  const n = 4000;
  const g = await generateDataset("lep13_cocktail", {
    events: n,
    seed: 5,
    workers: 0,
    generator: toy,
  });
  assertEquals(g.table.n, n);
  const labels = g.table.labels();
  for (const [p, f] of Object.entries(LEP13_COCKTAIL_FRACTIONS)) {
    const k = labels.filter((x) => x === p).length;
    const s = Math.sqrt(f * (1 - f) / n);
    assertInRange(k / n, f - 5 * s, f + 5 * s, `fraction of ${p}`);
    assertEquals(g.bookkeeping.perProcess[p].selected, k);
  }
});

Deno.test("bookkeeping: acceptance and trigger efficiency measured per attempt", async () => {
  const n = 3000;
  const g = await generateDataset("lep13_W", { events: n, seed: 2, workers: 0, generator: toy });
  const bk = g.bookkeeping;
  assertEquals(bk.events, n);
  assertEquals(bk.selected, n);
  const w = bk.perProcess.W;
  assertEquals(w.selected, n);
  assertEquals(w.generated, bk.generated);
  // Toy truth: acceptance 0.5, trigger efficiency 0.5 (a geometric number of attempts).
  assertInRange(
    w.acceptance.value,
    0.5 - 5 * w.acceptance.error,
    0.5 + 5 * w.acceptance.error,
    "A",
  );
  const e = w.triggerEfficiency;
  assertInRange(e.value, 0.5 - 5 * e.error, 0.5 + 5 * e.error, "trigger efficiency");
  // All rows are toy muons above 23 GeV.
  const lepPt = g.table.column("LepPt");
  for (let i = 0; i < n; i++) assert(lepPt[i] > 23 && lepPt[i] < 33);
  assertEquals(ratio(0, 0).value, NaN);
});

Deno.test("bookkeeping printout: fractional QCD trial sums print sensibly", () => {
  // QCD attempts count 1 / 0.12 each, so sums like 11637604.000000002 or 808.333... appear.
  assertEquals(formatCount(11637604.000000002), "11637604");
  assertEquals(formatCount(97 / 0.12), "808.3");
  assertEquals(formatCount(1500), "1500");
  assertEquals(formatCount(0), "0");
});

Deno.test("rows depend only on (seed, dataset, row): any chunking gives the same table", async () => {
  const a = await generateDataset("lep13_cocktail", {
    events: 300,
    seed: 9,
    workers: 0,
    chunkRows: 7,
    generator: toy,
  });
  const b = await generateDataset("lep13_cocktail", {
    events: 300,
    seed: 9,
    workers: 0,
    chunkRows: 300,
    generator: toy,
  });
  assertEquals(toParquetTable(a.table), toParquetTable(b.table));
  assertEquals(a.bookkeeping, b.bookkeeping);
  // A range on its own equals the same rows of the whole.
  const part = generateRows(getDataset("lep13_cocktail"), 9, 100, 120, new EventLoopState(toy));
  assertEquals(
    Array.from(part.table.column("LepPt")),
    Array.from(a.table.column("LepPt").subarray(100, 120)),
  );
  // Another seed differs.
  const c = await generateDataset("lep13_cocktail", {
    events: 300,
    seed: 10,
    workers: 0,
    generator: toy,
  });
  assert(c.table.column("LepPt")[0] !== a.table.column("LepPt")[0]);
});

Deno.test("an unselectable process stops with a clear error", () => {
  const never: EventGenerator = (p, _rng, out) => {
    out.truth.process = p;
  };
  assertThrows(
    () => generateRows(getDataset("lep13_Z"), 1, 0, 1, new EventLoopState(never), 50),
    /row 0 \(Z\) not selected after 50 attempts/,
  );
});

Deno.test("CLI arguments", () => {
  assertEquals(parseCli(["lep13_W", "--events", "10", "--seed=3", "--workers", "2"]), {
    list: false,
    dataset: "lep13_W",
    events: 10,
    seed: 3,
    workers: 2,
  });
  assertEquals(parseCli(["--list"]).list, true);
  assertThrows(() => parseCli(["lep13_W", "--seed", "1"]), /--events is required/);
  assertThrows(() => parseCli(["lep13_W", "--events", "x", "--seed", "1"]), /--events: expected/);
  assertThrows(() => parseCli(["lep13_W", "--bogus"]), /unknown option "--bogus"/);
  const cfg = datasetCacheConfig(getDataset("lep13_W"), 10, 3);
  assert(!("workers" in cfg), "the number of workers is not part of the cache key");
});

Deno.test("cache: generated once, then read back with its bookkeeping sidecar", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const cache = new ParquetCache({ dir, log: (l) => lines.push(l) });
    const opts = { events: 50, seed: 3, workers: 0, generator: toy, cache };
    const a = await loadOrGenerateDataset("lep13_Z", opts);
    assertEquals(a.fromCache, false);
    const b = await loadOrGenerateDataset("lep13_Z", opts);
    assertEquals(b.fromCache, true);
    assertEquals(b.bookkeeping, JSON.parse(JSON.stringify(a.bookkeeping)));
    assertEquals(
      Array.from(b.table.LepPt as Float32Array),
      Array.from(a.table.LepPt as Float32Array),
    );
    // A missing sidecar makes the entry stale: regenerated, same rows.
    await Deno.remove(bookkeepingPath(b.path));
    const c = await loadOrGenerateDataset("lep13_Z", opts);
    assertEquals(c.fromCache, false);
    assertEquals(
      Array.from(c.table.LepPt as Float32Array),
      Array.from(a.table.LepPt as Float32Array),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "real generator: 1 and 2 workers write byte-identical parquet",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const opts = { events: 24, seed: 4, chunkRows: 5 };
      const g1 = await generateDataset("lep13_W", { ...opts, workers: 1 });
      const g2 = await generateDataset("lep13_W", { ...opts, workers: 2 });
      const s1 = await writeDataset(`${dir}/w1.parquet`, g1);
      const s2 = await writeDataset(`${dir}/w2.parquet`, g2);
      assertEquals(s1, s2);
      assertEquals(await sha256File(`${dir}/w1.parquet`), s1);
      assertEquals(g1.bookkeeping, g2.bookkeeping);
      const t = readParquetTable(`${dir}/w1.parquet`);
      assertEquals(t.process.length, 24);
      assertEquals(Array.from(t.LepPt as Float32Array), Array.from(g1.table.column("LepPt")));
      for (let i = 0; i < 24; i++) assert((t.LepPt as Float32Array)[i] > 23, "trigger lepton pT");
      const side = JSON.parse(await Deno.readTextFile(`${dir}/w1.parquet.bookkeeping.json`));
      assertEquals(side.parquetSha256, s1);
      assertEquals(side.bookkeeping.events, 24);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "real generator: importance-sampled QCD bookkeeping is identical with 1 and 2 workers",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // Each QCD row stands for k / 0.12 unbiased attempts; summing those fractions in a
    // worker-dependent order changed the last digits. The integer attempts are summed instead.
    const opts = { events: 30, seed: 6, chunkRows: 3 };
    const g1 = await generateDataset("lep13_QCD", { ...opts, workers: 1 });
    const g2 = await generateDataset("lep13_QCD", { ...opts, workers: 2 });
    assertEquals(g1.bookkeeping, g2.bookkeeping);
    const qcd = g1.bookkeeping.perProcess.QCD;
    assertEquals(qcd.samplingProbability, 0.12);
    assert(Number.isInteger(qcd.attempts), `attempts ${qcd.attempts}`);
    assertEquals(qcd.generated, qcd.attempts! / 0.12);
    // The rows' own attempts (the calls that gave a selected event) are part of the total.
    const trials = g1.table.column("truth_generatorTrials");
    let sum = 0;
    for (let i = 0; i < trials.length; i++) sum += trials[i];
    assert(sum > 0 && sum <= qcd.generated * (1 + 1e-6), `rows ${sum} vs total ${qcd.generated}`);
  },
});
