/**
 * The input tables of the notebooks, from either data source (lib/data/source.ts):
 *
 * - `simulation` (default): the repository's generated datasets, loaded exactly as the
 *   notebooks loaded them before (same dataset names, sizes, seeds and call order, so the
 *   same cache entries and the same tables);
 * - `published`: the papers' public files under `REPRO_PUBLISHED_DIR` (lib/data/publishedFiles.ts),
 *   read with the loaders of lib/data/published/ and shaped into the same tables.
 *
 * Every table comes back tagged with its source ({@link Sourced}) and each loader checks
 * with {@link assertSingleSource} that nothing it returns mixes the two. Where the published
 * files cannot give what a notebook step needs, the step is named in {@link NotebookData}
 * (printed in the notebook's first cell) and the loaders say so; nothing is filled in from
 * the simulation.
 *
 * - {@link loadHlfInputs}: notebook 01 and notebook 03 section 3, the paper-1 SM cocktail and
 *   the four BSM samples (21 HLF).
 * - {@link loadOpenDataInputs}: notebook 03 section 4, the 8 TeV single-muon samples (the
 *   "pseudo-data", the known-SM W + Z simulation and the ttbar simulation).
 * - {@link loadDijetInputs}: notebook 02, the paper-2 QCD side-band and signal-region samples
 *   and the graviton samples, with their jet constituents.
 * - {@link loadRmmInputs}: notebook 04, the paper-4 SM mixture, BSM and H+ samples as sparse
 *   RMM cells with mjj and mbb; {@link rmmStep} skips the steps the published files cannot
 *   serve.
 * - {@link notebookData}: the data source line of a notebook's first cell; refuses
 *   `REPRO_DATA=published` for a notebook whose published inputs are not wired in, with the
 *   reason.
 */
import { BSM_SAMPLES, SM_PROCESSES } from "../rates/triggerRates.ts";
import { Rng } from "../random/rng.ts";
import type { EventGenerator } from "./datasets.ts";
import { LEP13_COCKTAIL_FRACTIONS } from "./datasets.ts";
import { loadOrGenerateDataset } from "./generate.ts";
import { loadOrGenerateMu8Dataset } from "./mu8Datasets.ts";
import { MU8_STITCH_MIN_PARTONS } from "./mu8Events.ts";
import { stitchSamples } from "./stitch.ts";
import { type LoadedDijetDataset, loadOrGenerateDijetDataset } from "./dijetDatasets.ts";
import { DIJET_RECO_13TEV } from "../reco/dijet.ts";
import type { ParquetCache, Table } from "./parquetCache.ts";
import {
  loadOrGenerateRmmDataset,
  type RmmCellColumns,
  rmmDenseRows,
  type RmmEventColumns,
  type RmmLoaded,
} from "./rmmDatasets.ts";
import { RMM_N, RMM_SIZE, RMM_SQRT_S_GEV, RMM_T } from "../features/rmm.ts";
import {
  DIJET_CONSTITUENTS,
  DIJET_JETS,
  DIJET_PARTICLE_FEATURES,
  Hdf5Reader,
  loadDijetConstituents,
  loadDijetEventFeatures,
  loadHlfBenchmark,
  loadOpenData8TeV,
  loadRmmRoot,
  mcEventWeight,
  OPEN_DATA_8TEV_SAMPLES,
  OPEN_DATA_LUMI_PB,
  RMM_TREE,
  type RmmSet,
  RootReader,
} from "./published/mod.ts";
import {
  locatePublishedFiles,
  locatePublishedFileSets,
  PAPER1_HLF_FILES,
  PAPER1_HLF_GROUP,
  PAPER2_DIJET_FILES,
  PAPER2_DIJET_GROUP,
  PAPER3_OPEN_DATA_FILES,
  PAPER3_OPEN_DATA_GROUP,
  PAPER4_RMM_GROUP,
  paper4RmmFileSpec,
  publishedDir,
} from "./publishedFiles.ts";
import {
  assertSingleSource,
  concatSourced,
  currentDataSource,
  type DataSource,
  DataSourceError,
  notebookDataSource,
  type Sourced,
  type SourcedTable,
  sourcedTable,
  takeRows,
} from "./source.ts";

export { takeRows };

// ---------------------------------------------------------------------------------------
// Which notebooks run on published files
// ---------------------------------------------------------------------------------------

/** What a notebook can do with the published files. */
export interface PublishedSupport {
  /** The loader(s) the notebook calls. */
  loader: string;
  /** Sub-folders of REPRO_PUBLISHED_DIR it reads. */
  folders: readonly string[];
  /** Steps that do not run, or run differently, on the published files, and why. */
  limits: readonly string[];
}

/** Notebooks wired to the published files (any other refuses REPRO_DATA=published). */
export const PUBLISHED_NOTEBOOKS: Readonly<Record<string, PublishedSupport>> = Object.freeze({
  "01_vae_trigger": {
    loader: "lib/data/notebookInputs.ts loadHlfInputs (paper 1 HLF files)",
    folders: [PAPER1_HLF_GROUP],
    limits: [
      "the SM cocktail is mixed from the four SM files with the fractions of paper 1 Table 1 " +
      "(the files hold one process each; acceptances and trigger efficiencies are not in them)",
    ],
  },
  "03_alad_top_rediscovery": {
    loader: "lib/data/notebookInputs.ts loadHlfInputs (paper 1 HLF files, section 3) and " +
      "loadOpenDataInputs (paper 3 CMS Open Data ntuples, section 4)",
    folders: [PAPER1_HLF_GROUP, PAPER3_OPEN_DATA_GROUP],
    limits: [
      "section 4 runs on the recorded 2012 SingleMu data instead of the labelled pseudo-data: " +
      "the steps that need the truth label of each data event (tt̄ fraction before and " +
      "after the anomaly selection, its enrichment, the truth tt̄ purity after the PPS) are " +
      "skipped",
      "section 4 simulation: W+jets, Z/γ*+jets jet-bin samples unweighted into one mixture " +
      "with the cross sections and K factors of lib/data/published/openData8TeV.ts (not " +
      "printed in paper 3)",
    ],
  },
  "02_dijet_jet_image_vae": {
    loader: "lib/data/notebookInputs.ts loadDijetInputs (paper 2 dijet files)",
    folders: [PAPER2_DIJET_GROUP],
    limits: [
      "QCD side band (|Δη_jj| ≥ 1.4) and signal region (< 1.4) selected from the QCD files by " +
      "|DeltaEtaJJ|, the graviton samples by file name and restricted to the signal region " +
      "(paper 2 section 2.3; the simulated graviton samples keep every |Δη_jj|); all with the " +
      "simulation's mJJ > 1.2 TeV; the first selected events of the files, in name order, " +
      "shuffled with the seed",
      "the files hold no generator truth (the simulation's hardMass, nPileup columns): the " +
      "notebook does not use them; jet images and soft-drop masses are made from the " +
      "published constituents with lib/features exactly as for the simulation",
    ],
  },
  "04_rmm_autoencoder": {
    loader: "lib/data/notebookInputs.ts loadRmmInputs (paper 4 RMM ROOT files)",
    folders: [PAPER4_RMM_GROUP],
    limits: [
      "the files hold the T5N10 RMM cells only: mjj and mbb are recovered from the mass " +
      "cells (13 TeV x cell(1, 2), cell(11, 12)); sections 2-4 (training, ln(Loss), AUCs, " +
      "outlier-region fits) and figure 5 run",
      "skipped: the SM per-process table (no process labels), section 5 (four-momentum " +
      "inputs: no objects in the files), figure 6 in pb/GeV (no cross section per event) " +
      "and the S/B with the stitched QCD slice (no generator truth or weights)",
      "a sample split over several files is read as one (each file its share by entries), " +
      "shuffled with the seed",
    ],
  },
});

/** Why the other notebooks refuse REPRO_DATA=published. */
export const PUBLISHED_REFUSALS: Readonly<Record<string, string>> = Object.freeze({
  "00_simulated_datasets": "it validates the built-in simulation itself (generator " +
    "bookkeeping, acceptances, truth columns); the published files hold none of that",
});

/** The data-source line of a notebook's first cell, and where published files are read. */
export interface NotebookData {
  source: DataSource;
  /** One line for the first cell. */
  line: string;
  /** The published folder (also given in simulation runs). */
  dir: string;
}

/**
 * The data source a notebook runs on (REPRO_DATA), for its first cell. A notebook not in
 * {@link PUBLISHED_NOTEBOOKS} stops with a {@link DataSourceError} under
 * `REPRO_DATA=published` (naming the reason when {@link PUBLISHED_REFUSALS} has one).
 */
export function notebookData(
  notebook: string,
  opts: { env?: (name: string) => string | undefined } = {},
): NotebookData {
  const support = PUBLISHED_NOTEBOOKS[notebook];
  const dir = publishedDir(opts.env);
  if (!support) {
    try {
      const d = notebookDataSource(notebook, { env: opts.env });
      return { ...d, dir };
    } catch (e) {
      const why = PUBLISHED_REFUSALS[notebook];
      if (why && e instanceof DataSourceError) {
        throw new DataSourceError(`${e.message}. Reason: ${why}`);
      }
      throw e;
    }
  }
  const d = notebookDataSource(notebook, { publishedLoader: support.loader, env: opts.env });
  if (d.source === "simulation") return { ...d, dir };
  const line = `${d.line}, read from ${support.folders.map((f) => `${dir}/${f}/`).join(" and ")}` +
    support.limits.map((l) => `\n  note: ${l}`).join("");
  return { source: d.source, line, dir };
}

// ---------------------------------------------------------------------------------------
// Small table helpers
// ---------------------------------------------------------------------------------------

/**
 * Integer counts proportional to `weights` summing to `total` (largest remainder; ties to
 * the earlier entry).
 */
export function allocate(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0) || weights.some((w) => !(w >= 0))) {
    throw new RangeError(`allocate: weights must be non-negative with a positive sum`);
  }
  const exact = weights.map((w) => (w / sum) * total);
  const n = exact.map(Math.floor);
  let left = total - n.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ r: x - Math.floor(x), i })).sort((a, b) =>
    b.r - a.r || a.i - b.i
  );
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) n[order[k].i]++;
  return n;
}

function notEnough(
  path: string,
  have: number,
  need: number,
  what: string,
  setting: string,
): DataSourceError {
  return new DataSourceError(
    `${path}: ${have} rows, but ${what} needs ${need}; use a smaller sample ` +
      `(REPRO_SET="${setting}") or a smaller REPRO_SCALE`,
  );
}

// ---------------------------------------------------------------------------------------
// Paper 1 HLF: notebook 01, notebook 03 section 3
// ---------------------------------------------------------------------------------------

/** A table of one sample with its source tag. */
export type SampleTable = SourcedTable;

/** The SM cocktail: the table and its composition. */
export interface HlfCocktail extends SourcedTable {
  /**
   * Composition. Simulation: the generator's full bookkeeping (lib/data/datasets.ts); published:
   * the fraction of rows taken from each SM file.
   */
  bookkeeping: { perProcess: Record<string, { fraction: number }> };
  /** Where the process fractions come from. */
  fractionsFrom: string;
}

/** What {@link loadHlfInputs} returns. */
export interface HlfInputs {
  source: DataSource;
  /** The SM cocktail (`events` rows, processes interleaved). */
  cocktail: HlfCocktail;
  /** Each BSM sample of BSM_SAMPLES (`bsmEvents` rows). */
  bsm: Record<string, SampleTable>;
  /** How the tables were made (printed by the published path). */
  notes: string[];
}

/** Options of the simulation path (tests: toy generator, temporary cache). */
export interface SimulationOptions {
  cache?: ParquetCache;
  workers?: number;
  generator?: EventGenerator;
}

/** Options of {@link loadHlfInputs}. */
export interface HlfInputOptions {
  /** Data source (default: REPRO_DATA). */
  source?: DataSource;
  /** Rows of the SM cocktail (training + validation). */
  events: number;
  /** Rows of each BSM sample. */
  bsmEvents: number;
  seed: number;
  /** Published folder (default: REPRO_PUBLISHED_DIR or data/published/). */
  dir?: string;
  /** Passed to the dataset generation (simulation only). */
  sim?: SimulationOptions;
  /** Where the published path prints its notes (default console.log; null: silent). */
  log?: ((line: string) => void) | null;
}

/**
 * The paper-1 HLF inputs of notebook 01 (and notebook 03 section 3): the SM cocktail with
 * `events` rows and each BSM sample with `bsmEvents` rows.
 *
 * - simulation: `lep13_cocktail` and `lep13_<sample>` from lib/data/generate.ts, as before.
 * - published: the eight paper-1 HLF files. The cocktail takes the first n_p rows of each
 *   SM file, n_p = events x (paper 1 Table 1 fraction: W 59.2 %, QCD 33.8 %, Z 6.7 %,
 *   tt 0.3 %, rounded by largest remainder), and interleaves them with a permutation seeded
 *   by `seed` (so the notebook's training and validation halves hold every process); each
 *   BSM sample is the first `bsmEvents` rows of its file. A file with too few rows is an
 *   error that says which setting to lower.
 */
export async function loadHlfInputs(opts: HlfInputOptions): Promise<HlfInputs> {
  const source = opts.source ?? currentDataSource();
  const out = source === "simulation"
    ? await simulatedHlf(opts)
    : await publishedHlf(opts, opts.dir ?? publishedDir());
  assertSingleSource([out.cocktail, ...Object.values(out.bsm)], source);
  return out;
}

async function simulatedHlf(opts: HlfInputOptions): Promise<HlfInputs> {
  const sim = opts.sim ?? {};
  const c = await loadOrGenerateDataset("lep13_cocktail", {
    events: opts.events,
    seed: opts.seed,
    ...sim,
  });
  const cocktail: HlfCocktail = {
    ...sourcedTable("simulation", "lep13_cocktail", c.path, c.table),
    bookkeeping: c.bookkeeping,
    fractionsFrom: "the simulated cross sections x measured efficiencies (lib/data/datasets.ts)",
  };
  const bsm: Record<string, SampleTable> = {};
  for (const s of BSM_SAMPLES) {
    const d = await loadOrGenerateDataset(`lep13_${s}`, {
      events: opts.bsmEvents,
      seed: opts.seed,
      ...sim,
    });
    bsm[s] = sourcedTable("simulation", `lep13_${s}`, d.path, d.table);
  }
  return { source: "simulation", cocktail, bsm, notes: [] };
}

async function publishedHlf(opts: HlfInputOptions, dir: string): Promise<HlfInputs> {
  const log = opts.log === undefined ? (l: string) => console.log(l) : opts.log;
  const specs = [...SM_PROCESSES, ...BSM_SAMPLES].map((s) => PAPER1_HLF_FILES[s]);
  const paths = await locatePublishedFiles(specs, dir) as Record<string, string>;
  const fractions = SM_PROCESSES.map((p) => LEP13_COCKTAIL_FRACTIONS[p]);
  const counts = allocate(fractions, opts.events);
  const notes: string[] = [];
  const parts: SourcedTable[] = [];
  const perProcess: Record<string, { fraction: number }> = {};
  for (const [k, p] of SM_PROCESSES.entries()) {
    const need = counts[k];
    // Read at least one row, so every file is checked even when it contributes none.
    const t = await loadHlfBenchmark(paths[p], { process: p, rows: { end: Math.max(need, 1) } });
    if (t.rows < need) {
      throw notEnough(
        paths[p],
        t.rows,
        need,
        `the SM cocktail (${(100 * fractions[k]).toFixed(1)} % of ${opts.events} events, paper ` +
          "1 Table 1)",
        "nTrain=...,nVal=...",
      );
    }
    if (t.missingExtras.length) {
      notes.push(`${paths[p]}: no ${t.missingExtras.join(", ")} (NaN; not notebook inputs)`);
    }
    parts.push(sourcedTable("published", p, t.origin, takeRows(t.table, range(need))));
    perProcess[p] = { fraction: need / opts.events };
  }
  const all = concatSourced(parts, "paper1_sm_cocktail");
  const perm = Rng.stream(opts.seed, "published-hlf-cocktail").permutation(all.rows);
  const cocktail: HlfCocktail = {
    ...sourcedTable("published", "paper1_sm_cocktail", all.origin, takeRows(all.table, perm)),
    bookkeeping: { perProcess },
    fractionsFrom: "paper 1 Table 1 (W 59.2 %, QCD 33.8 %, Z 6.7 %, tt 0.3 %), applied to the " +
      "per-process published files",
  };
  notes.unshift(
    `SM cocktail: ${SM_PROCESSES.map((p, k) => `${counts[k]} ${p}`).join(", ")} (first rows ` +
      `of each file, fractions of paper 1 Table 1), interleaved with seed ${opts.seed}`,
  );
  const bsm: Record<string, SampleTable> = {};
  for (const s of BSM_SAMPLES) {
    const t = await loadHlfBenchmark(paths[s], { process: s, rows: { end: opts.bsmEvents } });
    if (t.rows < opts.bsmEvents) {
      throw notEnough(paths[s], t.rows, opts.bsmEvents, `the ${s} sample`, "nBsm=...");
    }
    bsm[s] = { ...sourcedTable("published", s, t.origin, t.table) };
  }
  notes.push(`BSM samples: the first ${opts.bsmEvents} rows of each file`);
  if (log) { for (const n of notes) log(`[published] ${n}`); }
  return { source: "published", cocktail, bsm, notes };
}

function range(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

// ---------------------------------------------------------------------------------------
// Paper 3 section 4: 8 TeV single-muon samples
// ---------------------------------------------------------------------------------------

/** One of the three section-4 samples, as the notebook uses it. */
export interface Mu8Sample extends SourcedTable {
  /**
   * Luminosity the rows stand for (pb^-1) and the process fractions of the rows. Simulation:
   * the full generator bookkeeping (lib/data/mu8Datasets.ts); published: computed from the
   * cross sections, K factors and `n_tot` of the files (recorded data: no process fractions).
   */
  bookkeeping: {
    equivalentLumiPb: number;
    perProcess: Record<string, { fraction: number }>;
  };
}

/** What {@link loadOpenDataInputs} returns. */
export interface OpenDataInputs {
  source: DataSource;
  /** The "pseudo-data": the simulated mixture, or the recorded SingleMu data. */
  pd: Mu8Sample;
  /** The known-SM (W + Z) simulation. */
  ksm: Mu8Sample;
  /** The ttbar simulation. */
  ttmc: Mu8Sample;
  /**
   * Whether each pseudo-data event carries its true process in `process` (simulation: yes;
   * recorded data: no, every row is "data").
   */
  pseudoDataTruth: boolean;
  notes: string[];
}

/** Options of {@link loadOpenDataInputs}. */
export interface OpenDataInputOptions {
  source?: DataSource;
  /** Rows of the pseudo-data (published: the first rows of the SingleMu file). */
  pseudoData: number;
  /** Rows of the known-SM (W + Z) sample. */
  knownSm: number;
  /** Rows of the ttbar sample. */
  ttbar: number;
  /**
   * Simulation only: rows of the known-SM sample's high-multiplicity bin
   * (`mu8_known_sm_ge4p`, W/Z with >= 4 hard partons), stitched to the `knownSm` rows
   * (lib/data/stitch.ts): the known-SM rows then carry weights (`weight` column). 0 or
   * absent: the inclusive known-SM sample alone, every weight 1.
   */
  knownSmHighMultiplicity?: number;
  seed: number;
  /** Pilot events of the simulated mixtures (simulation only). */
  pilotEvents: number;
  dir?: string;
  /** Integrated luminosity of the published data (pb^-1; default 4400, paper 3 section 4). */
  lumiPb?: number;
  sim?: { cache?: ParquetCache; workers?: number };
  log?: ((line: string) => void) | null;
}

/**
 * The section-4 inputs of notebook 03: the pseudo-data, the known-SM (W + Z) simulation and
 * the ttbar simulation, each with the requested number of rows and its equivalent luminosity.
 *
 * - simulation: `mu8_pseudodata`, `mu8_known_sm`, `mu8_ttbar` of lib/data/mu8Datasets.ts,
 *   as before; with `knownSmHighMultiplicity` > 0 the known-SM sample is `mu8_known_sm`
 *   stitched with `mu8_known_sm_ge4p` on the hard-parton multiplicity (lib/data/stitch.ts):
 *   its `weight` column then holds each row's weight relative to the luminosity in the
 *   bookkeeping (1 for the inclusive rows, L_incl / L_bin for the bin rows).
 * - published: the paper-3 CMS Open Data ntuples. The pseudo-data are the first
 *   `pseudoData` rows of the 2012 SingleMu data (4.4 fb^-1 for all rows; no truth labels).
 *   The simulated samples are weighted in the files (sigma K L / n_tot per event, jet bins
 *   with different weights); they are turned into unweighted samples like the simulation's:
 *   the known-SM rows are drawn from each W/DY jet-bin file in proportion to its expected
 *   yield (sigma K L rows / n_tot), the first rows of each file, and interleaved with a
 *   permutation seeded by `seed`; every row then stands for the same luminosity,
 *   `equivalentLumiPb` = rows L / (sum of the expected yields), and `weight` is 1. The
 *   derived paper-3 quantities missing from the (N, 23) files are added: `lep_iso` =
 *   lep_iso_ch + lep_iso_neu + lep_iso_gamma (appendix A), `lep_is_ele` = 0 (single-muon
 *   selection).
 */
export async function loadOpenDataInputs(opts: OpenDataInputOptions): Promise<OpenDataInputs> {
  const source = opts.source ?? currentDataSource();
  const out = source === "simulation"
    ? await simulatedOpenData(opts)
    : await publishedOpenData(opts, opts.dir ?? publishedDir());
  assertSingleSource([out.pd, out.ksm, out.ttmc], source);
  return out;
}

async function simulatedOpenData(opts: OpenDataInputOptions): Promise<OpenDataInputs> {
  const sim = opts.sim ?? {};
  const tag = (name: string, d: Awaited<ReturnType<typeof loadOrGenerateMu8Dataset>>) => ({
    ...sourcedTable("simulation", name, d.path, d.table),
    bookkeeping: d.bookkeeping,
  });
  const pd = await loadOrGenerateMu8Dataset("mu8_pseudodata", {
    events: opts.pseudoData,
    seed: opts.seed,
    pilotEvents: opts.pilotEvents,
    ...sim,
  });
  const ksm = await loadOrGenerateMu8Dataset("mu8_known_sm", {
    events: opts.knownSm,
    seed: opts.seed,
    pilotEvents: opts.pilotEvents,
    ...sim,
  });
  const ttmc = await loadOrGenerateMu8Dataset("mu8_ttbar", {
    events: opts.ttbar,
    seed: opts.seed,
    ...sim,
  });
  const notes: string[] = [];
  let ksmSample: Mu8Sample = tag("mu8_known_sm", ksm);
  const nHigh = opts.knownSmHighMultiplicity ?? 0;
  if (nHigh > 0) {
    const high = await loadOrGenerateMu8Dataset("mu8_known_sm_ge4p", {
      events: nHigh,
      seed: opts.seed,
      pilotEvents: opts.pilotEvents,
      ...sim,
    });
    const st = stitchSamples(
      { name: "mu8_known_sm", table: ksm.table, lumiPb: ksm.bookkeeping.equivalentLumiPb },
      { name: "mu8_known_sm_ge4p", table: high.table, lumiPb: high.bookkeeping.equivalentLumiPb },
      "truth_nHardPartons",
      MU8_STITCH_MIN_PARTONS,
    );
    notes.push(
      `known-SM simulation stitched on the hard-parton multiplicity: ${st.keptInclusive} ` +
        `rows of mu8_known_sm with < ${MU8_STITCH_MIN_PARTONS} partons (${st.droppedInclusive} ` +
        `with more dropped) + ${st.binRows} rows of mu8_known_sm_ge4p, weight ` +
        `${st.binWeightFactor.toPrecision(4)} each; the sample stands for ` +
        `${st.lumiPb.toPrecision(5)} pb^-1`,
    );
    ksmSample = {
      ...sourcedTable("simulation", "mu8_known_sm+mu8_known_sm_ge4p", ksm.path, st.table),
      bookkeeping: {
        equivalentLumiPb: st.lumiPb,
        perProcess: weightedProcessFractions(st.table),
      },
    };
  }
  return {
    source: "simulation",
    pd: tag("mu8_pseudodata", pd),
    ksm: ksmSample,
    ttmc: tag("mu8_ttbar", ttmc),
    pseudoDataTruth: true,
    notes,
  };
}

/** Weighted share of each process of a table with `process` and `weight` columns. */
function weightedProcessFractions(table: Table): Record<string, { fraction: number }> {
  const proc = table.process as string[], w = table.weight as ArrayLike<number>;
  const sum: Record<string, number> = {};
  let total = 0;
  for (let i = 0; i < proc.length; i++) {
    sum[proc[i]] = (sum[proc[i]] ?? 0) + w[i];
    total += w[i];
  }
  return Object.fromEntries(Object.entries(sum).map(([p, v]) => [p, { fraction: v / total }]));
}

/** Rows and n_tot of an Open Data file, without reading the rows. */
async function openDataShape(path: string): Promise<{ rows: number; nTot: number }> {
  using h5 = await Hdf5Reader.open(path);
  return { rows: h5.info("data").shape[0] ?? 0, nTot: h5.scalar("n_tot") };
}

/** The paper-3 quantities the (N, 23) files do not store, derived as appendix A defines them. */
function addDerivedPaper3(table: Table): Table {
  const ch = table.lep_iso_ch as Float32Array;
  const neu = table.lep_iso_neu as Float32Array;
  const gam = table.lep_iso_gamma as Float32Array;
  const iso = new Float32Array(ch.length);
  for (let i = 0; i < iso.length; i++) iso[i] = ch[i] + neu[i] + gam[i];
  return {
    ...table,
    lep_iso: iso,
    lep_is_ele: new Float32Array(ch.length),
    weight: new Float64Array(ch.length).fill(1),
  };
}

async function publishedOpenData(opts: OpenDataInputOptions, dir: string): Promise<OpenDataInputs> {
  const log = opts.log === undefined ? (l: string) => console.log(l) : opts.log;
  const lumi = opts.lumiPb ?? OPEN_DATA_LUMI_PB;
  const bins = Object.keys(PAPER3_OPEN_DATA_FILES).filter((s) => s !== "data" && s !== "TTbar");
  const specs = Object.values(PAPER3_OPEN_DATA_FILES);
  const found = await locatePublishedFiles(specs, dir, new Set(specs.map((s) => s.sample)));
  // Required: the data, ttbar, and at least one W and one DY jet bin (else W1Jets / DY1Jets
  // are reported as the missing ones).
  const required = new Set(["data", "TTbar"]);
  for (const prefix of ["W", "DY"]) {
    if (!bins.some((b) => b.startsWith(prefix) && found[b] !== null)) {
      required.add(`${prefix}1Jets`);
    }
  }
  const optional = new Set(specs.map((s) => s.sample).filter((s) => !required.has(s)));
  const paths = await locatePublishedFiles(specs, dir, optional);
  const present = bins.filter((b) => paths[b] !== null);
  const notes: string[] = [];
  const absent = bins.filter((b) => paths[b] === null);
  notes.push(
    `known-SM simulation from ${present.join(", ")}` +
      (absent.length ? ` (not found, so not used: ${absent.join(", ")})` : ""),
  );

  // Known SM: unweighted mixture of the jet bins in proportion to their expected yields.
  const shapes = await Promise.all(present.map((b) => openDataShape(paths[b]!)));
  const yields = present.map((b, i) => {
    const mc = OPEN_DATA_8TEV_SAMPLES[b];
    return mcEventWeight(mc.crossSectionPb, mc.kFactor, shapes[i].nTot, lumi) * shapes[i].rows;
  });
  const sumY = yields.reduce((a, b) => a + b, 0);
  const take = allocate(yields, opts.knownSm);
  const maxN = Math.floor(Math.min(...shapes.map((s, i) => s.rows * sumY / yields[i])));
  const short = take.findIndex((k, i) => k > shapes[i].rows);
  if (short >= 0) {
    throw notEnough(
      paths[present[short]]!,
      shapes[short].rows,
      take[short],
      `a known-SM sample of ${opts.knownSm} unweighted events (at most ${maxN} from these files)`,
      `nKnownSm=${maxN}`,
    );
  }
  const ksmParts: SourcedTable[] = [];
  for (const [i, b] of present.entries()) {
    const t = await loadOpenData8TeV(paths[b]!, {
      sample: { kind: "mc", name: b },
      lumiPb: lumi,
      rows: { end: Math.max(take[i], 1) },
    });
    ksmParts.push(
      sourcedTable("published", b, t.origin, addDerivedPaper3(takeRows(t.table, range(take[i])))),
    );
  }
  const ksmAll = concatSourced(ksmParts, "paper3_known_sm");
  const perm = Rng.stream(opts.seed, "published-open-data-known-sm").permutation(ksmAll.rows);
  const fraction = (prefix: string) =>
    present.reduce((a, b, i) => a + (b.startsWith(prefix) ? yields[i] : 0), 0) / sumY;
  const ksm: Mu8Sample = {
    ...sourcedTable("published", "paper3_known_sm", ksmAll.origin, takeRows(ksmAll.table, perm)),
    bookkeeping: {
      equivalentLumiPb: opts.knownSm * lumi / sumY,
      perProcess: { W: { fraction: fraction("W") }, Z: { fraction: fraction("DY") } },
    },
  };
  notes.push(
    `known-SM: ${present.map((b, i) => `${take[i]} ${b}`).join(", ")} (expected yields ` +
      `${present.map((b, i) => `${b} ${yields[i].toFixed(0)}`).join(", ")} in ${lumi} pb^-1)`,
  );

  // ttbar simulation.
  const ttShape = await openDataShape(paths.TTbar!);
  if (ttShape.rows < opts.ttbar) {
    throw notEnough(paths.TTbar!, ttShape.rows, opts.ttbar, "the ttbar sample", "nTtbar=...");
  }
  const tt = await loadOpenData8TeV(paths.TTbar!, {
    sample: { kind: "mc", name: "TTbar" },
    lumiPb: lumi,
    rows: { end: opts.ttbar },
  });
  const ttYield = tt.eventWeight * ttShape.rows;
  const ttmc: Mu8Sample = {
    ...sourcedTable("published", "TTbar", tt.origin, addDerivedPaper3(tt.table)),
    bookkeeping: {
      equivalentLumiPb: opts.ttbar * lumi / ttYield,
      perProcess: { ttbar: { fraction: 1 } },
    },
  };

  // The recorded data: no truth labels.
  const dShape = await openDataShape(paths.data!);
  if (dShape.rows < opts.pseudoData) {
    throw notEnough(
      paths.data!,
      dShape.rows,
      opts.pseudoData,
      "the data sample",
      `nPseudo=${dShape.rows}`,
    );
  }
  const d = await loadOpenData8TeV(paths.data!, {
    sample: { kind: "data" },
    rows: { end: opts.pseudoData },
  });
  const pd: Mu8Sample = {
    ...sourcedTable("published", "data", d.origin, addDerivedPaper3(d.table)),
    bookkeeping: { equivalentLumiPb: opts.pseudoData * lumi / dShape.rows, perProcess: {} },
  };
  notes.push(
    `data: the first ${opts.pseudoData} of ${dShape.rows} SingleMu events ` +
      `(${lumi} pb^-1 for all rows), no truth labels`,
  );
  if (log) { for (const n of notes) log(`[published] ${n}`); }
  return { source: "published", pd, ksm, ttmc, pseudoDataTruth: false, notes };
}

/**
 * Whether a step that needs the truth labels of the pseudo-data can run; when it cannot
 * (recorded data), prints `skipped: <step>: ...` through `log` and returns false.
 */
export function truthStep(
  inputs: Pick<OpenDataInputs, "pseudoDataTruth" | "source">,
  step: string,
  log: (line: string) => void = (l) => console.log(l),
): boolean {
  if (inputs.pseudoDataTruth) return true;
  log(
    `skipped: ${step}: needs the true process of each data event, which the ${inputs.source} ` +
      "SingleMu data (recorded collisions) do not carry",
  );
  return false;
}

// ---------------------------------------------------------------------------------------
// Paper 2: notebook 02
// ---------------------------------------------------------------------------------------

/** One dijet sample as notebook 02 uses it: the event table and the jet constituents. */
export interface DijetSample extends SourcedTable {
  /** Events (= rows). */
  n: number;
  /**
   * (n, 2, 100, 3) in C order, (d eta, d phi, pT) of the 100 leading constituents of jet 1
   * and jet 2 (the published layout; lib/features/jetImage.ts `splitDijetConstituents`).
   */
  constituents: Float32Array;
  /** Simulation: whether the dataset came from the cache; published: false. */
  fromCache: boolean;
  /**
   * Simulation: the dataset exactly as `loadOrGenerateDijetDataset` returned it (spec,
   * bookkeeping, truth columns); published: null.
   */
  dataset: LoadedDijetDataset | null;
}

/** What {@link loadDijetInputs} returns. */
export interface DijetInputs {
  source: DataSource;
  /** QCD side band (|Δη_jj| ≥ 1.4): trains the VAE. */
  qcdSB: DijetSample;
  /** QCD signal region (|Δη_jj| < 1.4). */
  qcdSR: DijetSample;
  /** The graviton samples, keyed as requested in `signals`. */
  sig: Record<string, DijetSample>;
  notes: string[];
}

/** Options of {@link loadDijetInputs}. */
export interface DijetInputOptions {
  source?: DataSource;
  /** Events of the QCD side band. */
  sideband: number;
  /** Events of the QCD signal region. */
  signalRegion: number;
  /** Events of each graviton sample. */
  signal: number;
  /**
   * Graviton samples, by the names of the simulated datasets without `dijet13_`
   * (`GtoWW_1.5TeV_broad`, `Gtott_3.5TeV`, ...; the keys of `PAPER2_DIJET_FILES`).
   */
  signals: readonly string[];
  seed: number;
  dir?: string;
  /** Passed to the dataset generation (simulation only). */
  sim?: { cache?: ParquetCache; workers?: number };
  log?: ((line: string) => void) | null;
  /** Events whose features are read at a time when scanning the published files (20000). */
  chunkRows?: number;
}

/**
 * The inputs of notebook 02: the QCD side band, the QCD signal region and the graviton
 * samples, with their constituents.
 *
 * - simulation: `dijet13_QCD_SB` (seed), `dijet13_QCD_SR` (seed + 1) and
 *   `dijet13_<signal>` (seed + 2) from lib/data/dijetDatasets.ts, as before.
 * - published: the paper-2 HDF5 files under `<dir>/paper2_dijet/` (file names in
 *   lib/data/publishedFiles.ts `PAPER2_DIJET_FILES`). Events pass the simulation's selection
 *   mJJ > 1.2 TeV (lib/reco/dijet.ts `DIJET_RECO_13TEV.mjjMin`); the QCD files give the side
 *   band (|DeltaEtaJJ| ≥ 1.4) and the signal region (< 1.4), each graviton sample the
 *   signal-region events of its files (paper 2 section 2.3: the VAE is applied to the events
 *   of the signal region). The first selected events of the files (read in name order) are
 *   taken and shuffled with a permutation seeded by `seed`, so that the notebook's halves of
 *   the signal region are alike even when a file is ordered (e.g. by generation slice).
 *   Only the event features are read to select; constituents only for the chunks that hold
 *   selected events. Too few selected events is an error naming the files and the setting.
 */
export async function loadDijetInputs(opts: DijetInputOptions): Promise<DijetInputs> {
  const source = opts.source ?? currentDataSource();
  const out = source === "simulation"
    ? await simulatedDijet(opts)
    : await publishedDijet(opts, opts.dir ?? publishedDir());
  assertSingleSource([out.qcdSB, out.qcdSR, ...Object.values(out.sig)], source);
  return out;
}

function simDijetSample(d: LoadedDijetDataset): DijetSample {
  return {
    ...sourcedTable("simulation", d.spec.name, d.path, d.table),
    n: d.n,
    constituents: d.constituents,
    fromCache: d.fromCache,
    dataset: d,
  };
}

async function simulatedDijet(opts: DijetInputOptions): Promise<DijetInputs> {
  const sim = opts.sim ?? {};
  const qcdSB = await loadOrGenerateDijetDataset("dijet13_QCD_SB", {
    events: opts.sideband,
    seed: opts.seed,
    ...sim,
  });
  const qcdSR = await loadOrGenerateDijetDataset("dijet13_QCD_SR", {
    events: opts.signalRegion,
    seed: opts.seed + 1,
    ...sim,
  });
  const sig: Record<string, DijetSample> = {};
  for (const s of opts.signals) {
    sig[s] = simDijetSample(
      await loadOrGenerateDijetDataset(`dijet13_${s}`, {
        events: opts.signal,
        seed: opts.seed + 2,
        ...sim,
      }),
    );
  }
  return {
    source: "simulation",
    qcdSB: simDijetSample(qcdSB),
    qcdSR: simDijetSample(qcdSR),
    sig,
    notes: [],
  };
}

/** |Δη_jj| region of a selection. */
type DijetRegion = "sideband" | "signal";

/** Whether an event with `mjj`, `deta` passes the selection of `region` (see loadDijetInputs). */
export function inDijetRegion(mjj: number, deta: number, region: DijetRegion): boolean {
  if (!(mjj > DIJET_RECO_13TEV.mjjMin)) return false;
  const a = Math.abs(deta);
  return region === "signal" ? a < DIJET_RECO_13TEV.deltaEtaCut : a >= DIJET_RECO_13TEV.deltaEtaCut;
}

interface DijetWant {
  name: string;
  process: string;
  region: DijetRegion;
  need: number;
  what: string;
  setting: string;
}

const DIJET_EVENT_FLOATS = DIJET_JETS * DIJET_CONSTITUENTS * DIJET_PARTICLE_FEATURES.length;

/**
 * The first events of `files` (in order) that pass each want's selection, up to `need` each,
 * shuffled with `seed`.
 */
async function pickDijetEvents(
  files: readonly string[],
  wants: readonly DijetWant[],
  seed: number,
  chunkRows: number,
): Promise<DijetSample[]> {
  const parts = wants.map(() => [] as SourcedTable[]);
  const cons = wants.map(() => [] as Float32Array[]);
  const have = wants.map(() => 0);
  const full = () => wants.every((w, k) => have[k] >= w.need);
  for (const file of files) {
    if (full()) break;
    let total = Infinity;
    for (let start = 0; start < total && !full(); start += chunkRows) {
      const f = await loadDijetEventFeatures(file, { rows: { start, end: start + chunkRows } });
      total = f.total;
      const mjj = f.events.table.mJJ as Float32Array,
        deta = f.events.table.DeltaEtaJJ as Float32Array;
      const sel = wants.map(() => [] as number[]);
      for (let i = 0; i < f.events.rows; i++) {
        const k = wants.findIndex((w, j) =>
          have[j] + sel[j].length < w.need && inDijetRegion(mjj[i], deta[i], w.region)
        );
        if (k >= 0) sel[k].push(i);
      }
      const all = sel.flat();
      if (all.length === 0) continue;
      const lo = Math.min(...all), hi = Math.max(...all) + 1;
      const d = await loadDijetConstituents(file, { rows: { start: start + lo, end: start + hi } });
      wants.forEach((w, k) => {
        if (sel[k].length === 0) return;
        const idx = sel[k].map((i) => i - lo);
        const t = takeRows(d.events.table, idx);
        t.process = new Array<string>(idx.length).fill(w.process);
        parts[k].push(sourcedTable("published", w.name, file, t));
        const c = new Float32Array(idx.length * DIJET_EVENT_FLOATS);
        idx.forEach((i, r) =>
          c.set(
            d.constituents.data.subarray(i * DIJET_EVENT_FLOATS, (i + 1) * DIJET_EVENT_FLOATS),
            r * DIJET_EVENT_FLOATS,
          )
        );
        cons[k].push(c);
        have[k] += idx.length;
      });
    }
  }
  return wants.map((w, k) => {
    if (have[k] < w.need) {
      throw new DataSourceError(
        `${files.join(", ")}: ${have[k]} events with ${describeDijetRegion(w.region)}, but ` +
          `${w.what} needs ${w.need}; use a smaller sample (REPRO_SET="${w.setting}") or a ` +
          "smaller REPRO_SCALE",
      );
    }
    const origins = [...new Set(parts[k].map((p) => p.origin))];
    const t = concatSourced(parts[k], w.name, origins.join(" + "));
    const perm = Rng.stream(seed, "published-dijet", w.name).permutation(t.rows);
    const c = new Float32Array(t.rows * DIJET_EVENT_FLOATS);
    const flat = new Float32Array(t.rows * DIJET_EVENT_FLOATS);
    let at = 0;
    for (const p of cons[k]) {
      flat.set(p, at);
      at += p.length;
    }
    perm.forEach((src, r) =>
      c.set(
        flat.subarray(src * DIJET_EVENT_FLOATS, (src + 1) * DIJET_EVENT_FLOATS),
        r * DIJET_EVENT_FLOATS,
      )
    );
    return {
      ...sourcedTable("published", w.name, t.origin, takeRows(t.table, perm)),
      n: t.rows,
      constituents: c,
      fromCache: false,
      dataset: null,
    };
  });
}

function describeDijetRegion(region: DijetRegion): string {
  const { mjjMin, deltaEtaCut } = DIJET_RECO_13TEV;
  return `mJJ > ${mjjMin} GeV and |DeltaEtaJJ| ${region === "signal" ? "<" : "≥"} ${deltaEtaCut}`;
}

async function publishedDijet(opts: DijetInputOptions, dir: string): Promise<DijetInputs> {
  const log = opts.log === undefined ? (l: string) => console.log(l) : opts.log;
  const chunk = opts.chunkRows ?? 20000;
  const unknown = opts.signals.filter((s) => !(s in PAPER2_DIJET_FILES) || s === "QCD");
  if (unknown.length) {
    throw new DataSourceError(
      `no paper-2 file pattern for ${unknown.join(", ")}; known graviton samples: ` +
        Object.keys(PAPER2_DIJET_FILES).filter((s) => s !== "QCD").join(", "),
    );
  }
  const specs = ["QCD", ...opts.signals].map((s) => PAPER2_DIJET_FILES[s]);
  const files = await locatePublishedFileSets(specs, dir);
  const [qcdSB, qcdSR] = await pickDijetEvents(
    files.QCD,
    [
      {
        name: "QCD_SB",
        process: "QCD",
        region: "sideband",
        need: opts.sideband,
        what: "the QCD side band",
        setting: "nSideband=...",
      },
      {
        name: "QCD_SR",
        process: "QCD",
        region: "signal",
        need: opts.signalRegion,
        what: "the QCD signal region",
        setting: "nSignalRegion=...",
      },
    ],
    opts.seed,
    chunk,
  );
  const sig: Record<string, DijetSample> = {};
  for (const s of opts.signals) {
    [sig[s]] = await pickDijetEvents(
      files[s],
      [{
        name: s,
        process: s,
        region: "signal",
        need: opts.signal,
        what: `the ${s} sample`,
        setting: "nSignal=...",
      }],
      opts.seed,
      chunk,
    );
  }
  const notes = [
    `QCD from ${files.QCD.length} file(s): the first ${opts.sideband} side-band ` +
    `(${describeDijetRegion("sideband")}) and ${opts.signalRegion} signal-region ` +
    `(${describeDijetRegion("signal")}) events, shuffled with seed ${opts.seed}`,
    `graviton samples (${opts.signals.join(", ")}): the first ${opts.signal} signal-region ` +
    "events of each (paper 2 section 2.3)",
  ];
  if (log) { for (const n of notes) log(`[published] ${n}`); }
  return { source: "published", qcdSB, qcdSR, sig, notes };
}

// ---------------------------------------------------------------------------------------
// Paper 4: notebook 04
// ---------------------------------------------------------------------------------------

/** Per-event columns of an RMM sample that both sources give. */
export interface RmmInputEvents {
  /** Non-zero cells of each row, and where they start in `cells`. */
  nCells: Uint16Array;
  cellOffset: Int32Array;
  /** Mass of the two leading light jets (GeV; 0 with fewer than two). */
  mjj: Float32Array;
  /** Mass of the two leading b-jets (GeV; 0 with fewer than two). */
  mbb: Float32Array;
}

/** One RMM sample as notebook 04 uses it. */
export interface RmmInputSample extends Sourced {
  /** Events (= rows). */
  n: number;
  /**
   * Simulation: the dataset's full events table (process, weight, hardMass, ... as
   * lib/data/rmmDatasets.ts writes them); published: only {@link RmmInputEvents}, with mjj and
   * mbb recovered from the RMM mass cells ({@link rmmPairMasses}).
   */
  events: RmmInputEvents & Partial<RmmEventColumns>;
  /** Non-zero cells, row-major per event (the authors' `proj`, `proj_index1`, `proj_index2`). */
  cells: RmmCellColumns;
  /** Simulation: whether the dataset came from the cache; published: false. */
  fromCache: boolean;
  /**
   * Simulation: the dataset exactly as `loadOrGenerateRmmDataset` returned it (objects,
   * per-process labels, cross-section weights, bookkeeping); published: null.
   */
  dataset: RmmLoaded | null;
}

/** What {@link loadRmmInputs} returns. */
export interface RmmInputs {
  source: DataSource;
  /** The SM mixture. */
  sm: RmmInputSample;
  /** BSM samples keyed `<model>_<m>TeV`. */
  bsm: Record<string, RmmInputSample>;
  /** H+ (0.5 TeV). */
  hplus: RmmInputSample;
  notes: string[];
}

/** Options of {@link loadRmmInputs}. */
export interface RmmInputOptions {
  source?: DataSource;
  /** Events of the SM mixture. */
  sm: number;
  /** Events of each BSM sample. */
  bsm: number;
  /** Events of the H+ sample. */
  hplus: number;
  /** BSM models (Zprime, Wprime, DM). */
  models: readonly string[];
  /** Masses (TeV). */
  masses: readonly number[];
  seed: number;
  dir?: string;
  /** Passed to the dataset generation (simulation only). */
  sim?: { cache?: ParquetCache; workers?: number };
  log?: ((line: string) => void) | null;
  /** Entries read from a ROOT file at a time (5000). */
  chunkRows?: number;
}

/** The H+ sample of notebook 04. */
export const RMM_HPLUS_SAMPLE = "Hplus_0.5TeV";

/** Key of a BSM sample: `<model>_<m>TeV` (the simulated dataset without `rmm13_`). */
export function rmmBsmKey(model: string, massTeV: number): string {
  return `${model}_${massTeV}TeV`;
}

/**
 * The inputs of notebook 04: the SM mixture, the BSM samples (`models` x `masses`) and the
 * H+ sample, as sparse RMM cells with mjj and mbb.
 *
 * - simulation: `rmm13_SM`, `rmm13_<model>_<m>TeV` (models outer, masses inner) and
 *   `rmm13_Hplus_0.5TeV` from `loadOrGenerateRmmDataset`, with the same names, sizes, seed
 *   and order as the notebook used before.
 * - published: the paper-4 ROOT files under `<dir>/paper4_rmm/` (names:
 *   lib/data/publishedFiles.ts {@link paper4RmmFileSpec}), read with
 *   lib/data/published/rmmRoot.ts. They must have paper 4's T5N10 layout (51x51; MET, 10 jets,
 *   10 b-jets, 10 muons, 10 electrons, 10 photons, the order of lib/features/rmm.ts, which
 *   follows the authors' Map2RMM), else a {@link DataSourceError} says what the file holds.
 *   A sample split over several files is read as one: each file contributes in proportion to
 *   its entries (its first entries), and the rows are shuffled with a permutation seeded by
 *   `seed` (the notebook trains on the first rows). mjj and mbb come from the mass cells
 *   ({@link rmmPairMasses}). The files hold no objects (four-momenta), no per-process labels,
 *   no cross section per event and no generator truth: the notebook skips the steps that need
 *   them ({@link rmmStep}).
 */
export async function loadRmmInputs(opts: RmmInputOptions): Promise<RmmInputs> {
  const source = opts.source ?? currentDataSource();
  const out = source === "simulation"
    ? await simulatedRmm(opts)
    : await publishedRmm(opts, opts.dir ?? publishedDir());
  assertSingleSource([out.sm, ...Object.values(out.bsm), out.hplus], source);
  return out;
}

function simRmmSample(d: RmmLoaded): RmmInputSample {
  return {
    source: "simulation",
    name: d.spec.name,
    origin: d.paths.events,
    n: d.events.nCells.length,
    events: d.events,
    cells: d.cells,
    fromCache: d.fromCache,
    dataset: d,
  };
}

async function simulatedRmm(opts: RmmInputOptions): Promise<RmmInputs> {
  const sim = opts.sim ?? {};
  const sm = await loadOrGenerateRmmDataset("rmm13_SM", {
    events: opts.sm,
    seed: opts.seed,
    ...sim,
  });
  const bsm: Record<string, RmmInputSample> = {};
  for (const model of opts.models) {
    for (const m of opts.masses) {
      const key = rmmBsmKey(model, m);
      bsm[key] = simRmmSample(
        await loadOrGenerateRmmDataset(`rmm13_${key}`, {
          events: opts.bsm,
          seed: opts.seed,
          ...sim,
        }),
      );
    }
  }
  const hplus = await loadOrGenerateRmmDataset(`rmm13_${RMM_HPLUS_SAMPLE}`, {
    events: opts.hplus,
    seed: opts.seed,
    ...sim,
  });
  return {
    source: "simulation",
    sm: simRmmSample(sm),
    bsm,
    hplus: simRmmSample(hplus),
    notes: [],
  };
}

/**
 * mjj and mbb (GeV) of `rows` dense RMMs (rows, size, size) in paper 4's T5N10 layout
 * (lib/features/rmm.ts): the cells above the diagonal hold m(i, j) / sqrt(s), with jets at
 * indices 1-10 and b-jets at 11-20 (pT-ordered), so mjj = sqrt(s) cell(1, 2) and mbb =
 * sqrt(s) cell(11, 12) with sqrt(s) = 13000 GeV (`RMM_SQRT_S_GEV`); 0 without a pair (the
 * cell is empty), as the simulation's `mjj` / `mbb` columns (lib/reco/rmmObjects.ts: the two
 * leading untagged jets, the two leading b-jets).
 */
export function rmmPairMasses(
  dense: Float32Array,
  rows: number,
  size: number = RMM_SIZE,
): { mjj: Float32Array; mbb: Float32Array } {
  if (size !== RMM_SIZE) {
    throw new RangeError(`rmmPairMasses: ${size}x${size} matrices, expected T5N10 ${RMM_SIZE}`);
  }
  const cells = size * size;
  if (dense.length < rows * cells) {
    throw new RangeError(`rmmPairMasses: ${dense.length} values for ${rows} matrices`);
  }
  const j1 = 1, b1 = 1 + RMM_N; // first jet, first b-jet (types jets, bjets)
  const mjj = new Float32Array(rows), mbb = new Float32Array(rows);
  for (let e = 0; e < rows; e++) {
    mjj[e] = RMM_SQRT_S_GEV * dense[e * cells + j1 * size + j1 + 1];
    mbb[e] = RMM_SQRT_S_GEV * dense[e * cells + b1 * size + b1 + 1];
  }
  return { mjj, mbb };
}

/** Dense rows of a sample for the autoencoder (lib/data/rmmDatasets.ts `rmmDenseRows`). */
export function rmmInputRows(
  sample: Pick<RmmInputSample, "events" | "cells">,
  options: { rows?: ArrayLike<number>; columns?: ArrayLike<number> } = {},
): { data: Float32Array; rows: number; cols: number } {
  // rmmDenseRows reads only nCells and cellOffset of the events table.
  return rmmDenseRows(
    { events: sample.events as RmmEventColumns, cells: sample.cells },
    options,
  );
}

/** What a notebook-04 step needs that the published RMM files do not hold. */
export type RmmNeed = "process" | "objects" | "weights" | "truth";

const RMM_NEED_REASON: Readonly<Record<RmmNeed, string>> = Object.freeze({
  process: "the process of each SM event (QCD, W, Z, H, tt̄), which the published RMM trees " +
    "do not carry (one mixture of cells)",
  objects: "the objects' four-momenta, which the published RMM trees do not hold (only the " +
    "RMM cells)",
  weights: "a cross section per event (pb), which the published RMM trees do not give",
  truth: "generator truth (pT-hat, hard b quark, process labels) and cross-section weights " +
    "to stitch a dedicated QCD slice to the SM sample, none of which the published RMM " +
    "trees hold",
});

/**
 * Whether a notebook-04 step needing `need` can run on `inputs`: always on the simulation;
 * on published files it prints `skipped: <step>: needs ...` through `log` and returns false.
 */
export function rmmStep(
  inputs: Pick<RmmInputs, "source">,
  need: RmmNeed,
  step: string,
  log: (line: string) => void = (l) => console.log(l),
): boolean {
  if (inputs.source === "simulation") return true;
  log(`skipped: ${step}: needs ${RMM_NEED_REASON[need]}`);
  return false;
}

async function rmmEntries(path: string): Promise<number> {
  using root = await RootReader.open(path);
  const t = await root.object(RMM_TREE, "TTree");
  const n = Number(t.fEntries);
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new DataSourceError(`${path}: tree ${RMM_TREE}: invalid number of entries ${t.fEntries}`);
  }
  return n;
}

/** Sparse cells of consecutive events (one chunk of one file). */
interface RmmSparseChunk {
  nCells: Uint16Array;
  proj: Float32Array;
  i1: Uint8Array;
  i2: Uint8Array;
  mjj: Float32Array;
  mbb: Float32Array;
}

function sparsifyRmm(set: RmmSet): RmmSparseChunk {
  const { rows, size, data } = set;
  const cells = size * size;
  const nCells = new Uint16Array(rows);
  let total = 0;
  for (let e = 0; e < rows; e++) {
    let c = 0;
    for (let k = e * cells; k < (e + 1) * cells; k++) if (data[k] !== 0) c++;
    nCells[e] = c;
    total += c;
  }
  const proj = new Float32Array(total), i1 = new Uint8Array(total), i2 = new Uint8Array(total);
  let o = 0;
  for (let e = 0; e < rows; e++) {
    for (let k = 0; k < cells; k++) {
      const v = data[e * cells + k];
      if (v === 0) continue;
      proj[o] = v;
      i1[o] = Math.floor(k / size);
      i2[o] = k % size;
      o++;
    }
  }
  return { nCells, proj, i1, i2, ...rmmPairMasses(data, rows, size) };
}

/**
 * `need` events of the files of one sample (each file its share by entries, its first
 * entries), shuffled with `seed`, as an {@link RmmInputSample}.
 */
async function readRmmSample(
  name: string,
  files: readonly string[],
  need: number,
  seed: number,
  chunkRows: number,
  setting: string,
): Promise<RmmInputSample> {
  const entries = [];
  for (const f of files) entries.push(await rmmEntries(f));
  const total = entries.reduce((a, b) => a + b, 0);
  if (total < need) {
    throw notEnough(files.join(" + "), total, need, `the ${name} sample`, `${setting}=${total}`);
  }
  const take = need === 0 ? entries.map(() => 0) : allocate(entries, need);
  const chunks: RmmSparseChunk[] = [];
  for (let f = 0; f < files.length; f++) {
    for (let start = 0; start < take[f]; start += chunkRows) {
      const set = await loadRmmRoot(files[f], {
        name,
        entries: { start, end: Math.min(take[f], start + chunkRows) },
      });
      if (set.size !== RMM_SIZE || set.maxNumber !== RMM_N || set.maxTypes !== RMM_T) {
        throw new DataSourceError(
          `${files[f]}: RMM with ${set.maxTypes} object types x ${set.maxNumber} objects ` +
            `(${set.size}x${set.size}), but notebook 04 needs paper 4's T5N10 layout ` +
            `(${RMM_SIZE}x${RMM_SIZE}: MET, then 10 each of jets, b-jets, muons, electrons, ` +
            "photons; lib/features/rmm.ts): mjj, mbb and the kept cells are defined on it",
        );
      }
      chunks.push(sparsifyRmm(set));
    }
  }
  // Concatenate, then permute the events.
  const nCellsAll = new Uint16Array(need),
    mjjAll = new Float32Array(need),
    mbbAll = new Float32Array(need);
  let at = 0, cellsTotal = 0;
  for (const c of chunks) {
    nCellsAll.set(c.nCells, at);
    mjjAll.set(c.mjj, at);
    mbbAll.set(c.mbb, at);
    at += c.nCells.length;
    cellsTotal += c.proj.length;
  }
  const projAll = new Float32Array(cellsTotal),
    i1All = new Uint8Array(cellsTotal),
    i2All = new Uint8Array(cellsTotal);
  let co = 0;
  for (const c of chunks) {
    projAll.set(c.proj, co);
    i1All.set(c.i1, co);
    i2All.set(c.i2, co);
    co += c.proj.length;
  }
  const srcOffset = new Int32Array(need + 1);
  for (let e = 0; e < need; e++) srcOffset[e + 1] = srcOffset[e] + nCellsAll[e];
  const perm = Rng.stream(seed, "published-rmm", name).permutation(need);
  const events: RmmInputEvents = {
    nCells: new Uint16Array(need),
    cellOffset: new Int32Array(need),
    mjj: new Float32Array(need),
    mbb: new Float32Array(need),
  };
  const cells: RmmCellColumns = {
    proj: new Float32Array(cellsTotal),
    proj_index1: new Uint8Array(cellsTotal),
    proj_index2: new Uint8Array(cellsTotal),
  };
  let o = 0;
  for (let r = 0; r < need; r++) {
    const s = perm[r];
    const a = srcOffset[s], b = srcOffset[s + 1];
    events.nCells[r] = b - a;
    events.cellOffset[r] = o;
    events.mjj[r] = mjjAll[s];
    events.mbb[r] = mbbAll[s];
    cells.proj.set(projAll.subarray(a, b), o);
    cells.proj_index1.set(i1All.subarray(a, b), o);
    cells.proj_index2.set(i2All.subarray(a, b), o);
    o += b - a;
  }
  return {
    source: "published",
    name,
    origin: files.join(" + "),
    n: need,
    events,
    cells,
    fromCache: false,
    dataset: null,
  };
}

async function publishedRmm(opts: RmmInputOptions, dir: string): Promise<RmmInputs> {
  const log = opts.log === undefined ? (l: string) => console.log(l) : opts.log;
  const chunk = opts.chunkRows ?? 5000;
  const bsmKeys = opts.models.flatMap((model) => opts.masses.map((m) => rmmBsmKey(model, m)));
  const specs = ["SM", ...bsmKeys, RMM_HPLUS_SAMPLE].map(paper4RmmFileSpec);
  const files = await locatePublishedFileSets(specs, dir);
  const sm = await readRmmSample("SM", files.SM, opts.sm, opts.seed, chunk, "nSm");
  const bsm: Record<string, RmmInputSample> = {};
  for (const k of bsmKeys) {
    bsm[k] = await readRmmSample(k, files[k], opts.bsm, opts.seed, chunk, "nBsm");
  }
  const hplus = await readRmmSample(
    RMM_HPLUS_SAMPLE,
    files[RMM_HPLUS_SAMPLE],
    opts.hplus,
    opts.seed,
    chunk,
    "nHplus",
  );
  const notes = [
    `SM from ${files.SM.length} file(s), ${opts.sm} events (each file its share by entries), ` +
    `shuffled with seed ${opts.seed}; BSM (${bsmKeys.join(", ")}): ${opts.bsm} events each; ` +
    `H+: ${opts.hplus} events`,
    `mjj = ${RMM_SQRT_S_GEV} GeV x cell(1, 2) and mbb = ${RMM_SQRT_S_GEV} GeV x cell(11, 12) ` +
    "of the RMM (T5N10 layout)",
  ];
  if (log) { for (const n of notes) log(`[published] ${n}`); }
  return { source: "published", sm, bsm, hplus, notes };
}
