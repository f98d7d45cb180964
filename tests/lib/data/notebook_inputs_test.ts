/**
 * The notebooks' input loaders (lib/data/notebookInputs.ts) on both data sources:
 *
 * - published: a temporary REPRO_PUBLISHED_DIR built with the fixture writers
 *   (tests/fixtures/writers.ts) under the expected file names; the tables have the columns,
 *   rows and source tags the notebooks use, the cocktail the fractions of paper 1 Table 1,
 *   the Open Data mixtures their luminosity; a missing file names the expected path and the
 *   fetch command; too few rows name the setting to lower; sources never mix;
 * - simulation: the same tables as the dataset loaders the notebooks called before (toy
 *   generator, temporary cache), tagged "simulation";
 * - where results of a published run go (never the committed folders), and the ROC-curve
 *   overlay refusing curves of the other source.
 */
import { toyMuonGenerator as toy } from "../toyGenerator.ts";
import { assert, assertClose, assertEquals } from "../../helpers.ts";
import {
  allocate,
  inDijetRegion,
  loadDijetInputs,
  loadHlfInputs,
  loadOpenDataInputs,
  loadRmmInputs,
  notebookData,
  PUBLISHED_NOTEBOOKS,
  RMM_HPLUS_SAMPLE,
  rmmInputRows,
  rmmPairMasses,
  rmmStep,
  takeRows,
  truthStep,
} from "../../../lib/data/notebookInputs.ts";
import {
  locatePublishedFile,
  PAPER1_HLF_FILES,
  PAPER2_DIJET_FILES,
  PAPER3_OPEN_DATA_FILES,
  paper4RmmFileSpec,
  PUBLISHED_DIR_ENV,
  publishedDir,
  PublishedFileError,
} from "../../../lib/data/publishedFiles.ts";
import { assertSingleSource, DATA_SOURCE_ENV, DataSourceError } from "../../../lib/data/source.ts";
import { LEP13_COCKTAIL_FRACTIONS } from "../../../lib/data/datasets.ts";
import { loadOrGenerateDataset } from "../../../lib/data/generate.ts";
import { loadOrGenerateMu8Dataset } from "../../../lib/data/mu8Datasets.ts";
import { ParquetCache } from "../../../lib/data/parquetCache.ts";
import {
  mcEventWeight,
  OPEN_DATA_8TEV_SAMPLES,
  OPEN_DATA_COLUMNS,
  OPEN_DATA_LUMI_PB,
} from "../../../lib/data/published/mod.ts";
import { HLF21_NAMES } from "../../../lib/features/hlf21.ts";
import { BSM_SAMPLES, SM_PROCESSES } from "../../../lib/rates/triggerRates.ts";
import { figuresDir, REPO_ROOT, repoPath, resultsRoot } from "../../../lib/repro/paths.ts";
import { executedPath } from "../../../lib/repro/runNotebooks.ts";
import { readRocCurves, saveRocCurves } from "../../../lib/repro/rocCurves.ts";
import {
  type dijetFileValues,
  type RmmCellList,
  rmmCells,
  writeDijetFile,
  writeHlfFixture,
  writeOpenDataFixture,
  writeRmmFile,
} from "../../fixtures/writers.ts";
import { loadOrGenerateRmmDataset, rmmDenseRows } from "../../../lib/data/rmmDatasets.ts";
import {
  RMM_CELLS,
  rmmCellKind,
  type RmmEvent,
  rmmLabels,
  rmmMatrix,
  rmmSparse,
} from "../../../lib/features/rmm.ts";
import { Rng } from "../../../lib/random/rng.ts";
import { loadOrGenerateDijetDataset } from "../../../lib/data/dijetDatasets.ts";
import { DIJET_EVENT_FEATURES } from "../../../lib/data/published/mod.ts";
import { jetImages, splitDijetConstituents } from "../../../lib/features/jetImage.ts";

const tmp = await Deno.makeTempDir({ prefix: "notebook-inputs-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* already gone */ }
});
let folderCount = 0;
async function newDir(): Promise<string> {
  const d = `${tmp}/published-${folderCount++}`;
  await Deno.mkdir(d, { recursive: true });
  return d;
}

async function assertRejects(
  fn: () => Promise<unknown>,
  type: new (...a: never[]) => Error,
  pattern: RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof type, `expected a ${type.name}, got ${(e as Error)?.name}: ${e}`);
    assert(pattern.test((e as Error).message), `message ${(e as Error).message} ~ ${pattern}`);
    return e as Error;
  }
  throw new Error(`expected a ${type.name} matching ${pattern}, nothing was thrown`);
}

// ---------------------------------------------------------------------------------------
// Paper 1 HLF files
// ---------------------------------------------------------------------------------------

const HLF_ROWS = 600;
const HLF_SAMPLES = [...SM_PROCESSES, ...BSM_SAMPLES];

/**
 * The eight paper-1 files under `<dir>/paper1_hlf/` with the published names (QCD with raw
 * MET + azimuths, the others with METp/METo stored); returns the values written.
 */
async function makeHlfFolder(
  dir: string,
  opts: { skip?: string[]; rows?: Record<string, number> } = {},
): Promise<Record<string, Record<string, Float64Array>>> {
  await Deno.mkdir(`${dir}/paper1_hlf`, { recursive: true });
  const values: Record<string, Record<string, Float64Array>> = {};
  for (const [k, s] of HLF_SAMPLES.entries()) {
    if (opts.skip?.includes(s)) continue;
    values[s] = await writeHlfFixture(
      `${dir}/paper1_hlf/${PAPER1_HLF_FILES[s].file}`,
      s === "QCD" ? "raw" : "stored",
      10 + k,
      opts.rows?.[s] ?? HLF_ROWS,
    );
  }
  return values;
}

const f32 = (xs: ArrayLike<number>) => Array.from(Float32Array.from(xs));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

Deno.test("published HLF: cocktail with paper 1 Table 1 fractions, BSM samples, source tags", async () => {
  const dir = await newDir();
  const written = await makeHlfFolder(dir);
  const events = 1000, bsmEvents = 50;
  const inp = await loadHlfInputs({
    source: "published",
    events,
    bsmEvents,
    seed: 7,
    dir,
    log: null,
  });
  assertEquals(inp.source, "published");
  assertEquals(assertSingleSource([inp.cocktail, ...Object.values(inp.bsm)]), "published");
  const c = inp.cocktail;
  assertEquals(c.rows, events);
  for (const col of [...HLF21_NAMES, "weight", "process"]) assert(col in c.table, `column ${col}`);
  // 59.2 / 33.8 / 6.7 / 0.3 % of 1000 events.
  const expected: Record<string, number> = { W: 592, QCD: 338, Z: 67, ttbar: 3 };
  const proc = c.table.process as string[];
  for (const p of SM_PROCESSES) {
    const idx = proc.flatMap((q, i) => (q === p ? [i] : []));
    assertEquals(idx.length, expected[p], `${p} rows`);
    assertClose(c.bookkeeping.perProcess[p].fraction, LEP13_COCKTAIL_FRACTIONS[p], 1e-12, p);
    // The rows of process p are the first n_p rows of its file (in another order).
    for (const col of ["HT", "LepPt", "nJets", "METp"]) {
      const got = sorted(idx.map((i) => (c.table[col] as Float32Array)[i]));
      const want = sorted(f32(written[p][col].subarray(0, expected[p])));
      if (col === "METp" && p === "QCD") {
        // Computed from MET and the azimuths by the loader: equal to float precision.
        got.forEach((v, i) => assertClose(v, want[i], 1e-3 * (1 + Math.abs(want[i])), "METp"));
      } else assertEquals(got, want, `${p} ${col}`);
    }
  }
  // Interleaved: the first half (the notebooks' training rows) holds W, QCD and Z.
  const firstHalf = new Set(proc.slice(0, events / 2));
  for (const p of ["W", "QCD", "Z"]) assert(firstHalf.has(p), `${p} in the first half`);
  // Seeded: the same seed gives the same order, another seed another.
  const again = await loadHlfInputs({
    source: "published",
    events,
    bsmEvents,
    seed: 7,
    dir,
    log: null,
  });
  assertEquals(again.cocktail.table.process, proc);
  const other = await loadHlfInputs({
    source: "published",
    events,
    bsmEvents,
    seed: 8,
    dir,
    log: null,
  });
  assert(JSON.stringify(other.cocktail.table.process) !== JSON.stringify(proc), "seed matters");
  for (const s of BSM_SAMPLES) {
    const b = inp.bsm[s];
    assertEquals([b.source, b.name, b.rows], ["published", s, bsmEvents]);
    assertEquals(b.table.process, new Array(bsmEvents).fill(s));
    assertEquals(f32(b.table.HT as Float32Array), f32(written[s].HT.subarray(0, bsmEvents)));
    assert(b.origin.endsWith(PAPER1_HLF_FILES[s].file), b.origin);
  }
});

Deno.test("published HLF: REPRO_DATA and REPRO_PUBLISHED_DIR select the files", async () => {
  const dir = await newDir();
  await makeHlfFolder(dir);
  const saved = [DATA_SOURCE_ENV, PUBLISHED_DIR_ENV].map((k) => [k, Deno.env.get(k)] as const);
  try {
    Deno.env.set(DATA_SOURCE_ENV, "published");
    Deno.env.set(PUBLISHED_DIR_ENV, dir);
    assertEquals(publishedDir(), dir);
    const inp = await loadHlfInputs({ events: 100, bsmEvents: 10, seed: 1, log: null });
    assertEquals(inp.source, "published");
    assert(inp.cocktail.origin.includes(`${dir}/paper1_hlf/`), inp.cocktail.origin);
    const nb = notebookData("01_vae_trigger");
    assertEquals(nb.source, "published");
    assert(nb.line.includes(`${dir}/paper1_hlf/`), nb.line);
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
});

Deno.test("published HLF: a missing file names the expected path and deno task fetch", async () => {
  const dir = await newDir();
  await makeHlfFolder(dir, { skip: ["hChToTauNu"] });
  const e = await assertRejects(
    () =>
      loadHlfInputs({ source: "published", events: 100, bsmEvents: 10, seed: 1, dir, log: null }),
    PublishedFileError,
    /missing published file/,
  );
  const expected = `${dir}/paper1_hlf/hChToTauNu_13TeV_PU20.h5`;
  assert(e.message.includes(expected), e.message);
  assert(e.message.includes("deno task fetch paper1_hlf_hChToTauNu"), e.message);
  assertEquals((e as PublishedFileError).expected, expected);
  // Two missing: both listed in one error.
  const dir2 = await newDir();
  await makeHlfFolder(dir2, { skip: ["W", "Ato4l"] });
  const e2 = await assertRejects(
    () =>
      loadHlfInputs({
        source: "published",
        events: 100,
        bsmEvents: 10,
        seed: 1,
        dir: dir2,
        log: null,
      }),
    PublishedFileError,
    /2 published files missing/,
  );
  assert(e2.message.includes("Wlnu_lepFilter_13TeV.h5"), e2.message);
  assert(e2.message.includes("Ato4l_lepFilter_13TeV.h5"), e2.message);
  // An empty folder: the error never falls back to the simulation.
  await assertRejects(
    () =>
      loadHlfInputs({
        source: "published",
        events: 10,
        bsmEvents: 2,
        seed: 1,
        dir: `${dir}/none`,
        log: null,
      }),
    PublishedFileError,
    /8 published files missing/,
  );
});

Deno.test("published HLF: too few rows name the setting; fetch layout and ambiguity", async () => {
  const dir = await newDir();
  await makeHlfFolder(dir, { rows: { Z: 40 } });
  await assertRejects(
    () =>
      loadHlfInputs({ source: "published", events: 1000, bsmEvents: 10, seed: 1, dir, log: null }),
    DataSourceError,
    /Zll_lepFilter_13TeV\.h5: 40 rows, but the SM cocktail \(6\.7 % of 1000 events, paper 1 Table 1\) needs 67; .*REPRO_SET/,
  );
  await assertRejects(
    () =>
      loadHlfInputs({ source: "published", events: 100, bsmEvents: 700, seed: 1, dir, log: null }),
    DataSourceError,
    /600 rows, but the Ato4l sample needs 700/,
  );
  // Where `deno task fetch paper1_hlf_W` puts it: <dir>/<dataset>/<file>.
  const d2 = await newDir();
  await Deno.mkdir(`${d2}/paper1_hlf_W`);
  await writeHlfFixture(`${d2}/paper1_hlf_W/Wlnu_lepFilter_13TeV.h5`);
  assertEquals(
    await locatePublishedFile(PAPER1_HLF_FILES.W, d2),
    `${d2}/paper1_hlf_W/Wlnu_lepFilter_13TeV.h5`,
  );
  // Two candidates for one sample: refused, listing both.
  await Deno.mkdir(`${d2}/paper1_hlf`);
  await writeHlfFixture(`${d2}/paper1_hlf/Wlnu_a.h5`);
  await writeHlfFixture(`${d2}/paper1_hlf/Wlnu_b.h5`);
  await assertRejects(
    () => locatePublishedFile(PAPER1_HLF_FILES.W, d2),
    PublishedFileError,
    /2 files look like .*Wlnu_a\.h5, Wlnu_b\.h5/,
  );
});

// ---------------------------------------------------------------------------------------
// Paper 3 CMS Open Data ntuples
// ---------------------------------------------------------------------------------------

const OD_FILES: Record<string, { file: string; rows: number; nTot: number }> = {
  data: { file: "SingleMu_Run2012B_8TeV.h5", rows: 300, nTot: 5000 },
  W2Jets: { file: "W2Jets_8TeV.h5", rows: 400, nTot: 1_000_000 },
  W3Jets: { file: "W3Jets_8TeV.h5", rows: 300, nTot: 500_000 },
  DY2Jets: { file: "DY2Jets_8TeV.h5", rows: 300, nTot: 400_000 },
  TTbar: { file: "TTbar_8TeV.h5", rows: 200, nTot: 100_000 },
};

async function makeOpenDataFolder(
  dir: string,
  skip: string[] = [],
): Promise<Record<string, Record<string, Float64Array>>> {
  await Deno.mkdir(`${dir}/paper3_opendata`, { recursive: true });
  const out: Record<string, Record<string, Float64Array>> = {};
  for (const [k, [s, f]] of Object.entries(OD_FILES).entries()) {
    if (skip.includes(s)) continue;
    out[s] = await writeOpenDataFixture(`${dir}/paper3_opendata/${f.file}`, 20 + k, f.rows, f.nTot);
  }
  return out;
}

function expectedYield(sample: string): number {
  const mc = OPEN_DATA_8TEV_SAMPLES[sample];
  const f = OD_FILES[sample];
  return mcEventWeight(mc.crossSectionPb, mc.kFactor, f.nTot) * f.rows;
}

Deno.test("published Open Data: data, unweighted W+Z mixture and ttbar with their luminosity", async () => {
  const dir = await newDir();
  const written = await makeOpenDataFolder(dir);
  const opts = {
    source: "published" as const,
    pseudoData: 250,
    knownSm: 200,
    ttbar: 100,
    seed: 3,
    pilotEvents: 0,
    dir,
    log: null,
  };
  const od = await loadOpenDataInputs(opts);
  assertEquals(od.source, "published");
  assertEquals(od.pseudoDataTruth, false);
  assertEquals(assertSingleSource([od.pd, od.ksm, od.ttmc]), "published");
  const cols = [...OPEN_DATA_COLUMNS, "lep_iso", "lep_is_ele", "weight", "process"];
  for (const t of [od.pd, od.ksm, od.ttmc]) {
    assertEquals(Object.keys(t.table).sort(), [...cols].sort(), t.name);
    assertEquals(Array.from(t.table.weight as Float64Array), new Array(t.rows).fill(1));
    assertEquals(Array.from(t.table.lep_is_ele as Float32Array), new Array(t.rows).fill(0));
    const iso = t.table.lep_iso as Float32Array;
    const [ch, neu, gam] = ["lep_iso_ch", "lep_iso_neu", "lep_iso_gamma"].map((c) =>
      t.table[c] as Float32Array
    );
    for (let i = 0; i < t.rows; i++) assertClose(iso[i], ch[i] + neu[i] + gam[i], 1e-3, "lep_iso");
  }
  // The recorded data: the first rows, no process labels, luminosity in proportion.
  assertEquals(od.pd.rows, 250);
  assertEquals(od.pd.table.process, new Array(250).fill("data"));
  assertEquals(f32(od.pd.table.HT as Float32Array), f32(written.data.HT.subarray(0, 250)));
  assertClose(od.pd.bookkeeping.equivalentLumiPb, OPEN_DATA_LUMI_PB * 250 / 300, 1e-9, "data lumi");
  assertEquals(od.pd.bookkeeping.perProcess, {});
  // Known SM: rows in proportion to the expected yields sigma K L rows / n_tot.
  const bins = ["W2Jets", "W3Jets", "DY2Jets"];
  const yields = bins.map(expectedYield);
  const sumY = yields.reduce((a, b) => a + b, 0);
  const take = allocate(yields, 200);
  assertEquals(od.ksm.rows, 200);
  const proc = od.ksm.table.process as string[];
  assertEquals(proc.filter((p) => p === "W").length, take[0] + take[1]);
  assertEquals(proc.filter((p) => p === "Z").length, take[2]);
  assertClose(
    od.ksm.bookkeeping.equivalentLumiPb,
    200 * OPEN_DATA_LUMI_PB / sumY,
    1e-9,
    "ksm lumi",
  );
  assertClose(od.ksm.bookkeeping.perProcess.W.fraction, (yields[0] + yields[1]) / sumY, 1e-12, "W");
  // The DY2Jets rows are its first rows.
  const zIdx = proc.flatMap((p, i) => (p === "Z" ? [i] : []));
  assertEquals(
    sorted(zIdx.map((i) => (od.ksm.table.HT as Float32Array)[i])),
    sorted(f32(written.DY2Jets.HT.subarray(0, take[2]))),
  );
  // ttbar.
  assertEquals([od.ttmc.rows, (od.ttmc.table.process as string[])[0]], [100, "ttbar"]);
  assertClose(
    od.ttmc.bookkeeping.equivalentLumiPb,
    100 * OPEN_DATA_LUMI_PB / expectedYield("TTbar"),
    1e-9,
    "tt lumi",
  );
  // Truth-dependent steps are skipped with a message naming the step.
  const lines: string[] = [];
  assertEquals(truthStep(od, "tt̄ enrichment", (l) => lines.push(l)), false);
  assert(/^skipped: tt̄ enrichment: needs the true process/.test(lines[0]), lines[0]);
  assertEquals(
    truthStep({ source: "simulation", pseudoDataTruth: true }, "x", (l) => lines.push(l)),
    true,
  );
  assertEquals(lines.length, 1);
});

Deno.test("published Open Data: too many events, missing W+jets, missing data", async () => {
  const dir = await newDir();
  await makeOpenDataFolder(dir);
  const base = {
    source: "published" as const,
    pseudoData: 100,
    knownSm: 100,
    ttbar: 50,
    seed: 1,
    pilotEvents: 0,
    dir,
    log: null,
  };
  const yields = ["W2Jets", "W3Jets", "DY2Jets"].map(expectedYield);
  const sumY = yields.reduce((a, b) => a + b, 0);
  const maxN = Math.floor(Math.min(...[400, 300, 300].map((r, i) => r * sumY / yields[i])));
  await assertRejects(
    () => loadOpenDataInputs({ ...base, knownSm: maxN + 50 }),
    DataSourceError,
    new RegExp(`at most ${maxN} from these files.*nKnownSm=${maxN}`),
  );
  await assertRejects(
    () => loadOpenDataInputs({ ...base, pseudoData: 301 }),
    DataSourceError,
    /SingleMu_Run2012B_8TeV\.h5: 300 rows, but the data sample needs 301/,
  );
  const noW = await newDir();
  await makeOpenDataFolder(noW, ["W2Jets", "W3Jets"]);
  await assertRejects(
    () => loadOpenDataInputs({ ...base, dir: noW }),
    PublishedFileError,
    /paper3_opendata\/W1Jets_8TeV\.h5.*deno task fetch paper3_opendata_W1Jets/,
  );
  const noData = await newDir();
  await makeOpenDataFolder(noData, ["data"]);
  await assertRejects(
    () => loadOpenDataInputs({ ...base, dir: noData }),
    PublishedFileError,
    /paper3_opendata\/SingleMu_Run2012B_8TeV\.h5 \(paper 3 CMS Open Data ntuple, 2012 SingleMu data/,
  );
  // A simulated file whose name mentions Run2012 is not taken for the data.
  assert(!PAPER3_OPEN_DATA_FILES.data.matches("W2Jets_Summer12_Run2012.h5"));
  assert(PAPER3_OPEN_DATA_FILES.data.matches("SingleMu_Run2012B.h5"));
});

// ---------------------------------------------------------------------------------------
// Paper 2 dijet files
// ---------------------------------------------------------------------------------------

/** Files of the paper-2 folder: the authors' names; QCD split in two parts. */
const DIJET_FILES: Record<string, { file: string; rows: number; seed: number; mass?: number }> = {
  qcd0: { file: "qcd_sqrtshatTeV_13TeV_PU40_000.h5", rows: 300, seed: 31 },
  qcd1: { file: "qcd_sqrtshatTeV_13TeV_PU40_001.h5", rows: 300, seed: 32 },
  "GtoWW_1.5TeV_broad": {
    file: "RSGraviton_WW_BROAD_13TeV_PU40_1.5TeV.h5",
    rows: 120,
    seed: 33,
    mass: 1500,
  },
  "Gtott_3.5TeV": { file: "RSGraviton_tt_NARROW_13TeV_PU40.h5", rows: 120, seed: 34, mass: 3500 },
  // Not requested: must not be taken for the 1.5 TeV broad sample.
  "GtoWW_4.5TeV": {
    file: "RSGraviton_WW_NARROW_13TeV_PU40_4.5TeV.h5",
    rows: 20,
    seed: 35,
    mass: 4500,
  },
};
const DIJET_SIGNALS = ["GtoWW_1.5TeV_broad", "Gtott_3.5TeV"];

async function makeDijetFolder(
  dir: string,
  skip: string[] = [],
): Promise<Record<string, ReturnType<typeof dijetFileValues>>> {
  await Deno.mkdir(`${dir}/paper2_dijet`, { recursive: true });
  const out: Record<string, ReturnType<typeof dijetFileValues>> = {};
  for (const [k, f] of Object.entries(DIJET_FILES)) {
    if (skip.includes(k)) continue;
    out[k] = await writeDijetFile(`${dir}/paper2_dijet/${f.file}`, {
      rows: f.rows,
      seed: f.seed,
      ...(f.mass ? { mjj: (r) => r.normal(f.mass!, 0.05 * f.mass!) } : {}),
      noNames: k === "qcd1",
    });
  }
  return out;
}

/** Indices of the written events passing `region`, in file order. */
function passing(v: ReturnType<typeof dijetFileValues>, region: "signal" | "sideband"): number[] {
  const m = Float32Array.from(v.events.mJJ), d = Float32Array.from(v.events.DeltaEtaJJ);
  return Array.from(m.keys()).filter((i) => inDijetRegion(m[i], d[i], region));
}

Deno.test("published dijet: side band / signal region by |DeltaEtaJJ|, gravitons by file name", async () => {
  const dir = await newDir();
  const written = await makeDijetFolder(dir);
  const opts = {
    source: "published" as const,
    sideband: 200,
    signalRegion: 150,
    signal: 40,
    signals: DIJET_SIGNALS,
    seed: 4,
    dir,
    log: null,
    chunkRows: 64,
  };
  const inp = await loadDijetInputs(opts);
  assertEquals(inp.source, "published");
  const all = [inp.qcdSB, inp.qcdSR, ...Object.values(inp.sig)];
  assertEquals(assertSingleSource(all), "published");
  assertEquals(Object.keys(inp.sig), DIJET_SIGNALS);
  for (const d of all) {
    assertEquals(Object.keys(d.table).sort(), [...DIJET_EVENT_FEATURES, "process"].sort(), d.name);
    assertEquals(d.constituents.length, d.n * 2 * 100 * 3, d.name);
    assertEquals([d.rows, d.fromCache, d.dataset], [d.n, false, null]);
    // Jet images exactly as for the simulation.
    const { jet1, jet2 } = splitDijetConstituents(d.constituents);
    assertEquals(jetImages(jet1).length, d.n * 32 * 32);
    assertEquals(jetImages(jet2).length, d.n * 32 * 32);
  }
  assertEquals([inp.qcdSB.n, inp.qcdSR.n], [200, 150]);
  assertEquals([inp.qcdSB.name, inp.qcdSR.name], ["QCD_SB", "QCD_SR"]);
  assertEquals(inp.qcdSB.table.process, new Array(200).fill("QCD"));
  for (const s of DIJET_SIGNALS) {
    assertEquals([inp.sig[s].n, inp.sig[s].name, (inp.sig[s].table.process as string[])[0]], [
      40,
      s,
      s,
    ]);
    assertEquals(inp.sig[s].origin, `${dir}/paper2_dijet/${DIJET_FILES[s].file}`);
  }
  // The QCD side band spans both parts (file 000 has ~150 side-band events).
  assert(inp.qcdSB.origin.includes("_000.h5 + ") && inp.qcdSB.origin.includes("_001.h5"));
  // Every event is in its region, and the events are the first that pass, file after file.
  const check = (
    d: typeof inp.qcdSR,
    region: "signal" | "sideband",
    sources: ReturnType<typeof dijetFileValues>[],
  ) => {
    const m = d.table.mJJ as Float32Array, de = d.table.DeltaEtaJJ as Float32Array;
    for (let i = 0; i < d.n; i++) assert(inDijetRegion(m[i], de[i], region), `${d.name} ${i}`);
    const pool = sources.flatMap((v) => passing(v, region).map((i) => ({ v, i }))).slice(0, d.n);
    assertEquals(sorted(Array.from(m)), sorted(f32(pool.map(({ v, i }) => v.events.mJJ[i]))));
    // The constituents travel with their event (matched by mJJ).
    for (let r = 0; r < d.n; r += 7) {
      const hit = pool.find(({ v, i }) => Math.fround(v.events.mJJ[i]) === m[r])!;
      assertEquals(
        Array.from(d.constituents.subarray(r * 600, (r + 1) * 600)),
        Array.from(hit.v.constituents.subarray(hit.i * 600, (hit.i + 1) * 600)),
        `${d.name} event ${r}`,
      );
      assertEquals(
        (d.table.j1Pt as Float32Array)[r],
        Math.fround(hit.v.events.j1Pt[hit.i]),
        "columns by position (file without names) and by name agree",
      );
    }
  };
  check(inp.qcdSB, "sideband", [written.qcd0, written.qcd1]);
  check(inp.qcdSR, "signal", [written.qcd0, written.qcd1]);
  for (const s of DIJET_SIGNALS) check(inp.sig[s], "signal", [written[s]]);
  // Shuffled with the seed: the same seed gives the same order, another seed another.
  const again = await loadDijetInputs(opts);
  assertEquals(
    Array.from(again.qcdSR.table.mJJ as Float32Array),
    Array.from(inp.qcdSR.table.mJJ as Float32Array),
  );
  const other = await loadDijetInputs({ ...opts, seed: 5, chunkRows: 1000 });
  assert(
    JSON.stringify(Array.from(other.qcdSR.table.mJJ as Float32Array)) !==
      JSON.stringify(Array.from(inp.qcdSR.table.mJJ as Float32Array)),
    "seed matters",
  );
  assertEquals(
    sorted(Array.from(other.qcdSR.table.mJJ as Float32Array)),
    sorted(Array.from(inp.qcdSR.table.mJJ as Float32Array)),
    "the chunk size does not change the events",
  );
  // The first-cell line names the folder and the limits.
  const nb = notebookData("02_dijet_jet_image_vae", {
    env: (k) =>
      ({ [DATA_SOURCE_ENV]: "published", [PUBLISHED_DIR_ENV]: dir } as Record<string, string>)[k],
  });
  assertEquals(nb.source, "published");
  assert(nb.line.includes(`${dir}/paper2_dijet/`) && nb.line.includes("DeltaEtaJJ"), nb.line);
});

Deno.test("published dijet: missing files, too few events, file-name patterns", async () => {
  const dir = await newDir();
  await makeDijetFolder(dir, ["Gtott_3.5TeV"]);
  const base = {
    source: "published" as const,
    sideband: 50,
    signalRegion: 50,
    signal: 20,
    signals: DIJET_SIGNALS,
    seed: 1,
    dir,
    log: null,
  };
  const e = await assertRejects(
    () => loadDijetInputs(base),
    PublishedFileError,
    /missing published file/,
  );
  const expected = `${dir}/paper2_dijet/RSGraviton_tt_NARROW_13TeV_PU40.h5`;
  assert(e.message.includes(expected), e.message);
  assert(e.message.includes("deno task fetch paper2_dijet_Gtott_3.5TeV"), e.message);
  assertEquals((e as PublishedFileError).expected, expected);
  // Nothing there: every file listed, never a fall-back to the simulation.
  const e2 = await assertRejects(
    () => loadDijetInputs({ ...base, dir: `${dir}/none` }),
    PublishedFileError,
    /3 published files missing/,
  );
  assert(e2.message.includes("qcd_sqrtshatTeV_13TeV_PU40.h5"), e2.message);
  assert(e2.message.includes("RSGraviton_WW_BROAD_13TeV_PU40_1.5TeV.h5"), e2.message);
  // Too few selected events: the files and the setting are named.
  const d2 = await newDir();
  await makeDijetFolder(d2);
  await assertRejects(
    () => loadDijetInputs({ ...base, dir: d2, signalRegion: 5000 }),
    DataSourceError,
    /_000\.h5, .*_001\.h5: \d+ events with mJJ > 1200 GeV and \|DeltaEtaJJ\| < 1\.4, but the QCD signal region needs 5000; .*nSignalRegion/,
  );
  await assertRejects(
    () => loadDijetInputs({ ...base, dir: d2, signals: ["GtoWW_9TeV"] }),
    DataSourceError,
    /no paper-2 file pattern for GtoWW_9TeV/,
  );
  // Patterns: mass and width are told apart, "3p5TeV" accepted, "13TeV" is no mass.
  const m = (k: string, f: string) => PAPER2_DIJET_FILES[k].matches(f);
  assert(m("GtoWW_1.5TeV", "RSGraviton_WW_NARROW_13TeV_PU40_1.5TeV.h5"));
  assert(m("GtoWW_3.5TeV", "RSGraviton_WW_NARROW_13TeV_PU40_3p5TeV_000.h5"));
  assert(!m("GtoWW_1.5TeV", "RSGraviton_WW_BROAD_13TeV_PU40_1.5TeV.h5"));
  assert(!m("GtoWW_1.5TeV", "RSGraviton_WW_NARROW_13TeV_PU40_4.5TeV.h5"));
  assert(!m("GtoWW_3.5TeV", "RSGraviton_WW_NARROW_13TeV_PU40.h5"));
  assert(m("Gtott_3.5TeV_broad", "RSGraviton_tt_BROAD_13TeV_PU40.h5"));
  assert(!m("Gtott_3.5TeV", "RSGraviton_tt_BROAD_13TeV_PU40.h5"));
  assert(m("QCD", "qcd_sqrtshatTeV_13TeV_PU40_SIDEBAND.h5"));
  assert(!m("QCD", "RSGraviton_WW_NARROW_13TeV_PU40_1.5TeV.h5"));
});

// ---------------------------------------------------------------------------------------
// Simulation path: the same tables as before
// ---------------------------------------------------------------------------------------

Deno.test("simulation HLF: the tables of loadOrGenerateDataset, tagged simulation", async () => {
  const cache = new ParquetCache({ dir: `${tmp}/cache-hlf`, log: () => {} });
  const sim = { cache, workers: 0, generator: toy };
  const inp = await loadHlfInputs({
    source: "simulation",
    events: 40,
    bsmEvents: 12,
    seed: 5,
    sim,
  });
  assertEquals(inp.source, "simulation");
  const before = await loadOrGenerateDataset("lep13_cocktail", { events: 40, seed: 5, ...sim });
  assert(before.fromCache, "same cache entry as the notebook's previous call");
  assertEquals(Object.keys(inp.cocktail.table), Object.keys(before.table));
  for (const c of Object.keys(before.table)) {
    assertEquals(
      Array.from(inp.cocktail.table[c] as ArrayLike<unknown>),
      Array.from(before.table[c] as ArrayLike<unknown>),
      c,
    );
  }
  assertEquals(JSON.stringify(inp.cocktail.bookkeeping), JSON.stringify(before.bookkeeping));
  assertEquals([inp.cocktail.source, inp.cocktail.name, inp.cocktail.rows], [
    "simulation",
    "lep13_cocktail",
    40,
  ]);
  for (const s of BSM_SAMPLES) {
    const d = await loadOrGenerateDataset(`lep13_${s}`, { events: 12, seed: 5, ...sim });
    assertEquals(Object.keys(inp.bsm[s].table), Object.keys(d.table));
    assertEquals(
      Array.from(inp.bsm[s].table.HT as Float32Array),
      Array.from(d.table.HT as Float32Array),
      s,
    );
    assertEquals(inp.bsm[s].source, "simulation");
  }
});

Deno.test("simulation Open Data: the tables of loadOrGenerateMu8Dataset, with truth", async () => {
  const cache = new ParquetCache({ dir: `${tmp}/cache-mu8`, log: () => {} });
  const opts = {
    source: "simulation" as const,
    pseudoData: 8,
    knownSm: 8,
    ttbar: 4,
    seed: 2,
    pilotEvents: 8,
    sim: { cache, workers: 0 },
  };
  const od = await loadOpenDataInputs(opts);
  assertEquals([od.source, od.pseudoDataTruth], ["simulation", true]);
  const pairs = [
    [
      od.pd,
      await loadOrGenerateMu8Dataset("mu8_pseudodata", {
        events: 8,
        seed: 2,
        pilotEvents: 8,
        cache,
        workers: 0,
      }),
    ],
    [
      od.ksm,
      await loadOrGenerateMu8Dataset("mu8_known_sm", {
        events: 8,
        seed: 2,
        pilotEvents: 8,
        cache,
        workers: 0,
      }),
    ],
    [
      od.ttmc,
      await loadOrGenerateMu8Dataset("mu8_ttbar", { events: 4, seed: 2, cache, workers: 0 }),
    ],
  ] as const;
  for (const [mine, before] of pairs) {
    assert(before.fromCache, `${mine.name}: same cache entry`);
    assertEquals(mine.source, "simulation");
    assertEquals(Object.keys(mine.table), Object.keys(before.table));
    assertEquals(
      Array.from(mine.table.HT as Float32Array),
      Array.from(before.table.HT as Float32Array),
      mine.name,
    );
    assertEquals(JSON.stringify(mine.bookkeeping), JSON.stringify(before.bookkeeping));
  }
});

// ---------------------------------------------------------------------------------------
// First cell, helpers, where results go
// ---------------------------------------------------------------------------------------

Deno.test("simulation dijet: the datasets of loadOrGenerateDijetDataset, tagged simulation", async () => {
  const cache = new ParquetCache({ dir: `${tmp}/cache-dijet`, log: () => {} });
  const sim = { cache, workers: 0 };
  const inp = await loadDijetInputs({
    source: "simulation",
    sideband: 3,
    signalRegion: 2,
    signal: 2,
    signals: ["GtoWW_2.5TeV"],
    seed: 6,
    sim,
  });
  assertEquals(inp.source, "simulation");
  const pairs = [
    [inp.qcdSB, "dijet13_QCD_SB", 3, 6],
    [inp.qcdSR, "dijet13_QCD_SR", 2, 7],
    [inp.sig["GtoWW_2.5TeV"], "dijet13_GtoWW_2.5TeV", 2, 8],
  ] as const;
  for (const [mine, name, events, seed] of pairs) {
    const before = await loadOrGenerateDijetDataset(name, { events, seed, ...sim });
    assert(before.fromCache, `${name}: same cache entry as the notebook's previous call`);
    assertEquals([mine.source, mine.name, mine.origin, mine.n, mine.rows], [
      "simulation",
      name,
      before.path,
      events,
      events,
    ]);
    assertEquals(Object.keys(mine.table), Object.keys(before.table));
    for (const c of Object.keys(before.table)) {
      assertEquals(
        Array.from(mine.table[c] as ArrayLike<unknown>),
        Array.from(before.table[c] as ArrayLike<unknown>),
        `${name} ${c}`,
      );
    }
    assertEquals(Array.from(mine.constituents), Array.from(before.constituents));
    assertEquals(mine.dataset?.spec.name, name);
  }
});

Deno.test("notebookData: the first-cell line; refusals name the reason", () => {
  const sim = (_: string) => undefined;
  const pub = (dir: string) => (k: string) =>
    ({ [DATA_SOURCE_ENV]: "published", [PUBLISHED_DIR_ENV]: dir } as Record<string, string>)[k];
  const s = notebookData("01_vae_trigger", { env: sim });
  assertEquals(s.source, "simulation");
  assert(s.line.includes("SIMULATED"), s.line);
  assertEquals(s.dir, repoPath("data", "published"));
  const p = notebookData("03_alad_top_rediscovery", { env: pub("/x/pub") });
  assertEquals(p.source, "published");
  assert(
    p.line.includes("/x/pub/paper1_hlf/") && p.line.includes("/x/pub/paper3_opendata/"),
    p.line,
  );
  assert(/no truth|truth label/.test(p.line), "the limits are printed");
  assertEquals(Object.keys(PUBLISHED_NOTEBOOKS).sort(), [
    "01_vae_trigger",
    "02_dijet_jet_image_vae",
    "03_alad_top_rediscovery",
    "04_rmm_autoencoder",
  ]);
  let err = "";
  try {
    notebookData("00_simulated_datasets", { env: pub("/x") });
  } catch (e) {
    assert(e instanceof DataSourceError);
    err = e.message;
  }
  assert(
    /not supported by this notebook.*Reason: it validates the built-in simulation/.test(err),
    err,
  );
  const rmm = notebookData("04_rmm_autoencoder", { env: pub("/x/pub") });
  assertEquals(rmm.source, "published");
  assert(rmm.line.includes("/x/pub/paper4_rmm/"), rmm.line);
  assert(/skipped: .*section 5/.test(rmm.line), "the skipped steps are printed");
  // Relative REPRO_PUBLISHED_DIR: from the repository root.
  assertEquals(
    publishedDir((k) => (k === PUBLISHED_DIR_ENV ? "my/files/" : undefined)),
    `${REPO_ROOT}/my/files`,
  );
});

Deno.test("allocate and takeRows", () => {
  assertEquals(allocate([0.592, 0.338, 0.067, 0.003], 100), [59, 34, 7, 0]);
  assertEquals(allocate([0.592, 0.338, 0.067, 0.003], 1000), [592, 338, 67, 3]);
  assertEquals(allocate([1, 1, 1], 4), [2, 1, 1]);
  const t = takeRows({ a: Float32Array.of(1, 2, 3), b: ["x", "y", "z"] }, [2, 0]);
  assert(t.a instanceof Float32Array);
  assertEquals([Array.from(t.a), t.b], [[3, 1], ["z", "x"]]);
});

Deno.test("published runs write under figures/.scale-<scale>-published/, never the committed folders", async () => {
  assertEquals(resultsRoot("default", "simulation"), `${REPO_ROOT}/figures`);
  assertEquals(resultsRoot("ci", "simulation"), `${REPO_ROOT}/figures/.scale-ci`);
  assertEquals(
    resultsRoot("default", "published"),
    `${REPO_ROOT}/figures/.scale-default-published`,
  );
  assertEquals(
    figuresDir("01_x", "ci", "published"),
    `${REPO_ROOT}/figures/.scale-ci-published/01_x`,
  );
  assertEquals(figuresDir("01_x", "default", "simulation"), `${REPO_ROOT}/figures/01_x`);
  assertEquals(
    executedPath("01_x.ipynb", "default", "simulation"),
    `${REPO_ROOT}/notebooks/01_x.ipynb`,
  );
  assertEquals(
    executedPath("01_x.ipynb", "default", "published"),
    `${REPO_ROOT}/figures/.scale-default-published/notebooks/01_x.ipynb`,
  );
  // ROC curves carry their source; an overlay of the other source is refused.
  const dir = `${tmp}/roc`;
  const curve = { fpr: [0, 1], tpr: [0, 1], auc: 0.5, nBkg: 10, nSig: 10 };
  await saveRocCurves({ notebook: "01_x", scale: "ci", seed: 1, dir, data: "simulation" }, {
    A: curve,
  });
  assertEquals((await readRocCurves("01_x", "ci", { dir, data: "simulation" })).data, "simulation");
  await assertRejects(
    () => readRocCurves("01_x", "ci", { dir, data: "published" }),
    DataSourceError,
    /curves measured on simulation data, this run uses published data/,
  );
  // Files written before the tag: simulation.
  const file = JSON.parse(await Deno.readTextFile(`${dir}/roc_curves.json`));
  delete file.data;
  await Deno.writeTextFile(`${dir}/roc_curves.json`, JSON.stringify(file));
  assertEquals((await readRocCurves("01_x", "ci", { dir, data: "simulation" })).notebook, "01_x");
});

// ---------------------------------------------------------------------------------------
// Paper 4: notebook 04
// ---------------------------------------------------------------------------------------

type P4 = [number, number, number, number];

/** A four-vector (GeV) from pT, eta, phi, m. */
function p4(pt: number, eta: number, phi: number, m: number): P4 {
  const px = pt * Math.cos(phi), py = pt * Math.sin(phi), pz = pt * Math.sinh(eta);
  return [px, py, pz, Math.sqrt(px * px + py * py + pz * pz + m * m)];
}

function pairMass(a: P4, b: P4): number {
  const s = [0, 1, 2, 3].map((k) => a[k] + b[k]);
  return Math.sqrt(Math.max(0, s[3] * s[3] - s[0] * s[0] - s[1] * s[1] - s[2] * s[2]));
}

function list(objs: P4[]) {
  const sorted = [...objs].sort((x, y) => Math.hypot(y[0], y[1]) - Math.hypot(x[0], x[1]));
  return {
    px: sorted.map((o) => o[0]),
    py: sorted.map((o) => o[1]),
    pz: sorted.map((o) => o[2]),
    e: sorted.map((o) => o[3]),
  };
}

/** Random events with jets, b-jets and a muon; their sparse T5N10 RMMs and true masses. */
function rmmEvents(seed: number, n: number) {
  const rng = Rng.stream(seed, "test-rmm-events");
  const out: { cells: RmmCellList; mjj: number; mbb: number; dense: Float32Array }[] = [];
  for (let e = 0; e < n; e++) {
    const obj = (k: number) =>
      Array.from(
        { length: k },
        () => p4(40 + 400 * rng.uniform(), 5 * rng.uniform() - 2.5, 6 * rng.uniform(), 10),
      );
    const jets = obj(1 + Math.floor(4 * rng.uniform()));
    const bjets = obj(Math.floor(3 * rng.uniform()));
    const ev: RmmEvent = {
      met: 100 * rng.uniform(),
      metPhi: 1,
      jets: list(jets),
      ...(bjets.length ? { bjets: list(bjets) } : {}),
      muons: list(obj(1)),
    };
    const sp = rmmSparse(ev);
    const lj = list(jets), lb = list(bjets);
    const at = (l: ReturnType<typeof list>, i: number): P4 => [l.px[i], l.py[i], l.pz[i], l.e[i]];
    out.push({
      cells: { r: sp.projIndex1, c: sp.projIndex2, v: sp.proj },
      mjj: jets.length >= 2 ? pairMass(at(lj, 0), at(lj, 1)) : 0,
      mbb: bjets.length >= 2 ? pairMass(at(lb, 0), at(lb, 1)) : 0,
      dense: rmmMatrix(ev),
    });
  }
  return out;
}

Deno.test("rmmPairMasses: mjj = 13 TeV x cell(1, 2), mbb = 13 TeV x cell(11, 12) of the T5N10 RMM", () => {
  // The layout the notebook relies on (lib/features/rmm.ts): MET 0, jets 1-10, b-jets 11-20.
  assertEquals([rmmCellKind(1, 2), rmmCellKind(11, 12)], ["mass", "mass"]);
  assertEquals(rmmLabels().slice(0, 3), ["MET", "j1", "j2"]);
  const evs = rmmEvents(11, 40);
  assert(
    evs.some((e) => e.mbb > 0) && evs.some((e) => e.mbb === 0) && evs.some((e) => e.mjj === 0),
  );
  const dense = new Float32Array(evs.length * RMM_CELLS);
  evs.forEach((e, i) => dense.set(e.dense, i * RMM_CELLS));
  const { mjj, mbb } = rmmPairMasses(dense, evs.length);
  evs.forEach((e, i) => {
    assertClose(mjj[i], e.mjj, 1e-3, `mjj ${i}`);
    assertClose(mbb[i], e.mbb, 1e-3, `mbb ${i}`);
  });
  let err = "";
  try {
    rmmPairMasses(new Float32Array(25), 1, 5);
  } catch (e) {
    err = (e as Error).message;
  }
  assert(/T5N10/.test(err), err);
});

Deno.test("published RMM: SM parts, BSM and H+ files -> sparse cells, mjj/mbb, source tags", async () => {
  const dir = await newDir();
  const g = `${dir}/paper4_rmm`;
  await Deno.mkdir(g);
  const smA = rmmEvents(1, 30), smB = rmmEvents(2, 10);
  const z1 = rmmEvents(3, 12), z15 = rmmEvents(4, 9), hp = rmmEvents(5, 8);
  await writeRmmFile(`${g}/SM_part1.root`, smA.map((e) => e.cells));
  await writeRmmFile(`${g}/SM_part2.root`, smB.map((e) => e.cells));
  await writeRmmFile(`${g}/Zprime_1TeV.root`, z1.map((e) => e.cells));
  await writeRmmFile(`${g}/rmm13_Zprime_1p5TeV.root`, z15.map((e) => e.cells));
  await writeRmmFile(`${g}/Hplus_0.5TeV.root`, hp.map((e) => e.cells));
  const lines: string[] = [];
  const inp = await loadRmmInputs({
    source: "published",
    sm: 20,
    bsm: 8,
    hplus: 8,
    models: ["Zprime"],
    masses: [1, 1.5],
    seed: 3,
    dir,
    chunkRows: 7,
    log: (l) => lines.push(l),
  });
  assertEquals(inp.source, "published");
  assertEquals(Object.keys(inp.bsm), ["Zprime_1TeV", "Zprime_1.5TeV"]);
  assert(lines.some((l) => l.startsWith("[published] SM from 2 file(s)")), lines.join("\n"));
  const key = (d: ArrayLike<number>) => Array.from(d).join(",");
  const cases = [
    [inp.sm, "SM", 20, [...smA.slice(0, 15), ...smB.slice(0, 5)]], // allocate([30, 10], 20)
    [inp.bsm.Zprime_1TeV, "Zprime_1TeV", 8, z1.slice(0, 8)],
    [inp.bsm["Zprime_1.5TeV"], "Zprime_1.5TeV", 8, z15.slice(0, 8)],
    [inp.hplus, RMM_HPLUS_SAMPLE, 8, hp],
  ] as const;
  for (const [s, name, n, src] of cases) {
    assertEquals([s.source, s.name, s.n, s.fromCache, s.dataset], [
      "published",
      name,
      n,
      false,
      null,
    ]);
    assert(s.origin.includes(`${g}/`), s.origin);
    assertEquals(s.events.nCells.length, n);
    assertEquals(s.events.process, undefined, "no process labels are invented");
    assertEquals(s.events.weight, undefined, "no cross sections are invented");
    const rows = rmmInputRows(s);
    assertEquals([rows.rows, rows.cols], [n, RMM_CELLS]);
    // The rows are the files' first events (each once), shuffled, with their masses.
    const want = new Map(src.map((e) => [key(e.dense), e]));
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const k = key(rows.data.subarray(i * RMM_CELLS, (i + 1) * RMM_CELLS));
      const e = want.get(k);
      assert(e !== undefined && !seen.has(k), `${name} row ${i}: one of the expected events`);
      seen.add(k);
      assertClose(s.events.mjj[i], e!.mjj, 1e-3, `${name} mjj`);
      assertClose(s.events.mbb[i], e!.mbb, 1e-3, `${name} mbb`);
    }
  }
  // Shuffled: the SM rows are not in file order.
  const first = key(rmmInputRows(inp.sm, { rows: [0, 1, 2, 3, 4] }).data);
  assert(first !== key(smA.slice(0, 5).flatMap((e) => Array.from(e.dense))), "shuffled");
  // Same seed, same rows.
  const again = await loadRmmInputs({
    source: "published",
    sm: 20,
    bsm: 8,
    hplus: 8,
    models: ["Zprime"],
    masses: [1, 1.5],
    seed: 3,
    dir,
    log: null,
  });
  assertEquals(Array.from(again.sm.cells.proj), Array.from(inp.sm.cells.proj));
  assertEquals(Array.from(again.sm.events.mjj), Array.from(inp.sm.events.mjj));
  // rmmStep: the steps the published files cannot serve are skipped with the reason.
  const msgs: string[] = [];
  assertEquals(rmmStep(inp, "objects", "section 5", (l) => msgs.push(l)), false);
  assertEquals(
    rmmStep({ source: "simulation" }, "objects", "section 5", (l) => msgs.push(l)),
    true,
  );
  assertEquals(msgs.length, 1);
  assert(/^skipped: section 5: needs the objects' four-momenta/.test(msgs[0]), msgs[0]);
});

Deno.test("published RMM: missing files, wrong layout, too few events, file-name patterns", async () => {
  const dir = await newDir();
  const g = `${dir}/paper4_rmm`;
  await Deno.mkdir(g);
  await writeRmmFile(`${g}/SM.root`, rmmEvents(1, 6).map((e) => e.cells));
  const opts = {
    source: "published" as const,
    sm: 4,
    bsm: 2,
    hplus: 2,
    models: ["Zprime", "DM"],
    masses: [2],
    seed: 1,
    dir,
    log: null,
  };
  const e = await assertRejects(
    () => loadRmmInputs(opts),
    PublishedFileError,
    /3 published files missing/,
  );
  for (const s of ["Zprime_2TeV", "DM_2TeV", "Hplus_0.5TeV"]) {
    assert(e.message.includes(`${g}/${s}.root`), e.message);
    assert(e.message.includes(`deno task fetch paper4_rmm_${s}`), e.message);
  }
  for (const s of ["Zprime_2TeV", "DM_2TeV", "Hplus_0.5TeV"]) {
    await writeRmmFile(`${g}/${s}.root`, rmmEvents(2, 3).map((x) => x.cells));
  }
  await assertRejects(
    () => loadRmmInputs({ ...opts, bsm: 5 }),
    DataSourceError,
    /Zprime_2TeV\.root: 3 rows, but the Zprime_2TeV sample needs 5.*REPRO_SET="nBsm=3"/,
  );
  assertEquals((await loadRmmInputs(opts)).bsm.DM_2TeV.n, 2);
  // Another topology (T2N2, the committed fixture's) is refused with the layout it needs.
  await writeRmmFile(`${g}/SM.root`, rmmCells(), { maxTypes: 2, maxNumber: 2 });
  await assertRejects(() => loadRmmInputs(opts), DataSourceError, /5x5.*T5N10 layout \(51x51/);
  // Names.
  const m = (s: string, f: string) => paper4RmmFileSpec(s).matches(f);
  assert(m("SM", "SM.root") && m("SM", "rmm13_SM_part2.root") && m("SM", "sm-001.root"));
  assert(!m("SM", "SMALL.root") && !m("SM", "SM.h5"));
  assert(m("Zprime_1TeV", "Zprime_1TeV.root") && m("Zprime_1TeV", "rmm13_Zprime_1.0TeV.root"));
  assert(!m("Zprime_1TeV", "Zprime_1.5TeV.root") && !m("Zprime_1TeV", "Zprime_10TeV.root"));
  assert(m("Zprime_1.5TeV", "zprime_1p5TeV_v2.root") && !m("Wprime_1.5TeV", "Zprime_1.5TeV.root"));
  assert(m("Hplus_0.5TeV", "Hplus_0.5TeV.root"));
  let err = "";
  try {
    paper4RmmFileSpec("Graviton_2TeV");
  } catch (x) {
    err = (x as Error).message;
  }
  assert(/no paper-4 RMM file pattern for "Graviton_2TeV"/.test(err), err);
});

Deno.test("simulation RMM: the datasets of loadOrGenerateRmmDataset, tagged simulation", async () => {
  const cache = new ParquetCache({ dir: `${tmp}/cache-rmm`, log: () => {} });
  const sim = { cache, workers: 0 };
  const inp = await loadRmmInputs({
    source: "simulation",
    sm: 3,
    bsm: 2,
    hplus: 2,
    models: ["Zprime"],
    masses: [2],
    seed: 5,
    sim,
  });
  assertEquals(inp.source, "simulation");
  const pairs = [
    [inp.sm, "rmm13_SM", 3],
    [inp.bsm.Zprime_2TeV, "rmm13_Zprime_2TeV", 2],
    [inp.hplus, "rmm13_Hplus_0.5TeV", 2],
  ] as const;
  for (const [mine, name, events] of pairs) {
    const before = await loadOrGenerateRmmDataset(name, { events, seed: 5, ...sim });
    assert(before.fromCache, `${name}: same cache entry as the notebook's previous call`);
    assertEquals([mine.source, mine.name, mine.origin, mine.n], [
      "simulation",
      name,
      before.paths.events,
      events,
    ]);
    assertEquals(mine.dataset?.spec.name, name);
    assertEquals(Object.keys(mine.events), Object.keys(before.events));
    for (const c of ["mjj", "mbb", "weight", "nCells"] as const) {
      assertEquals(Array.from(mine.events[c]!), Array.from(before.events[c]), `${name} ${c}`);
    }
    assertEquals(Array.from(mine.events.process!), before.events.process);
    assertEquals(
      Array.from(rmmInputRows(mine).data),
      Array.from(rmmDenseRows(before).data),
      `${name} dense rows`,
    );
    // The mass cells give the simulation's mjj / mbb.
    const d = rmmDenseRows(before);
    const pm = rmmPairMasses(d.data, d.rows);
    for (let i = 0; i < events; i++) {
      assertClose(pm.mjj[i], before.events.mjj[i], 1e-3, `${name} mjj from cells`);
      assertClose(pm.mbb[i], before.events.mbb[i], 1e-3, `${name} mbb from cells`);
    }
  }
});
