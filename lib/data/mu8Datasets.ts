/**
 * Generate the SIMULATED datasets of the 8 TeV single-muon stream of paper 3 (specs, tunes
 * and the event loop: lib/data/mu8Events.ts) on all cores, with bookkeeping and the parquet
 * cache.
 *
 * CLI:
 *   deno run -A lib/data/mu8Datasets.ts <dataset> --events N --seed S [--workers K]
 *     [--pilot-events P] [--out FILE]
 *   deno run -A lib/data/mu8Datasets.ts --list
 * Datasets: mu8_W, mu8_Z, mu8_ttbar, mu8_pseudodata, mu8_known_sm, mu8_known_sm_ge4p (the
 * known-SM simulation's >= 4-parton bin, stitched to mu8_known_sm by lib/data/stitch.ts).
 * Also `deno task generate-mu8 ...`. Without --out the table
 * goes to the parquet cache (data/cache/, lib/data/parquetCache.ts) and is reused when
 * dataset, events, seed, pilot size and the generating source code are unchanged; next to
 * every parquet file `<file>.bookkeeping.json` holds the bookkeeping and the file's sha256.
 *
 * Mixtures (mu8_pseudodata, mu8_known_sm) are made in two steps:
 *  1. a pilot run of `pilotEvents` selected events per process (its own streams) measures
 *     each efficiency epsilon_p = selected / generated (generated = unbiased generator
 *     attempts, so epsilon includes the generator filter);
 *  2. the rows draw their process with the fractions f_p = sigma_p epsilon_p / sum_q sigma_q
 *     epsilon_q (cross sections in {@link MU8_CROSS_SECTIONS_PB}), i.e. the natural rates.
 * The bookkeeping records sigma_p, the pilot counts, epsilon_p +- its binomial error, the
 * selected cross sections sigma_p epsilon_p, the fractions, the rows' own counts, and the
 * integrated luminosity the sample stands for (events / sum sigma epsilon).
 *
 * Work is split into contiguous row chunks handed to Web Workers (lib/data/mu8Worker.ts);
 * the parent concatenates the chunks in row order, so the table is identical, byte for
 * byte, for any number of workers.
 */
import { ColumnTable, type ColumnTableTransfer } from "../features/columnTable.ts";
import {
  addCounts,
  type CountsByProcess,
  type ProcessCounts,
  type Ratio,
  ratio,
} from "./datasets.ts";
import {
  generateMu8Rows,
  getMu8Dataset,
  MU8_CROSS_SECTIONS_PB,
  MU8_DATASETS,
  Mu8LoopState,
  type Mu8Process,
  type Mu8RowMode,
} from "./mu8Events.ts";
import type { Mu8DatasetSpec } from "./mu8Events.ts";
import type { Mu8WorkerPayload, Mu8WorkerRequest } from "./mu8Worker.ts";
import { chunkStarts, runChunks, WorkerPool } from "./workerPool.ts";
import {
  type CachedWithSidecar,
  columnTableParquet,
  type DatasetCliArgs,
  loadOrMakeWithSidecar,
  parseDatasetCli,
  runCli,
  type SidecarFile,
  sidecarPath,
  sourceHash,
  throttledProgress,
  writeWithSidecar,
} from "./datasetCli.ts";
import { ParquetCache, type Table } from "./parquetCache.ts";

export {
  generateMu8Rows,
  getMu8Dataset,
  MU8_CROSS_SECTIONS_PB,
  MU8_DATASETS,
  type Mu8DatasetSpec,
  type Mu8Process,
};

/** Pilot size (selected events per process) of a mixture when none is given. */
export const MU8_DEFAULT_PILOT_EVENTS = 1000;

/** Progress of a generation run (pilot rows count as rows). */
export interface Mu8Progress {
  dataset: string;
  /** "pilot" or "rows". */
  phase: "pilot" | "rows";
  done: number;
  total: number;
  elapsedSeconds: number;
  /** Rows per second so far. */
  rate: number;
}

/** Options of {@link generateMu8Dataset}. */
export interface Mu8GenerateOptions {
  /** Number of rows (selected events). */
  events: number;
  /** Dataset seed (non-negative integer). */
  seed: number;
  /** Web Workers (default navigator.hardwareConcurrency); 0 runs in this thread. */
  workers?: number;
  /** Rows per chunk handed to a worker (default: ~8 chunks per worker, <= 250). */
  chunkRows?: number;
  /** Selected pilot events per process of a mixture (default 1000). */
  pilotEvents?: number;
  /** Called after each finished chunk. */
  onProgress?: (p: Mu8Progress) => void;
}

/** One process of a mixture: cross section, pilot measurement and fraction. */
export interface Mu8MixtureEntry {
  process: Mu8Process;
  crossSectionPb: number;
  /** Counts of the pilot run. */
  pilot: ProcessCounts;
  /** selected / generated of the pilot run. */
  efficiency: Ratio;
  /** sigma x epsilon (pb) and its error from the efficiency's. */
  selectedCrossSectionPb: number;
  selectedCrossSectionErrorPb: number;
  /** Fraction of the rows: sigma epsilon / sum. */
  fraction: number;
}

/** Measured efficiencies of one process of the rows. */
export interface Mu8ProcessBookkeeping extends ProcessCounts {
  crossSectionPb: number;
  /** Generator filter: passedFilter / generated. */
  acceptance: Ratio;
  /** Selection after the filter: selected / passedFilter. */
  selectionEfficiency: Ratio;
  /** selected / generated. */
  totalEfficiency: Ratio;
  /** sigma x totalEfficiency (pb). */
  selectedCrossSectionPb: number;
  /** Fraction of the rows. */
  fraction: number;
}

/** Bookkeeping of a generated dataset (stored next to the parquet file). */
export interface Mu8Bookkeeping {
  dataset: string;
  description: string;
  seed: number;
  tune: string;
  /** Rows (selected events). */
  events: number;
  /** Totals over the processes of the rows. */
  generated: number;
  passedFilter: number;
  selected: number;
  perProcess: Record<string, Mu8ProcessBookkeeping>;
  /** Mixtures only: the pilot and the fractions used. */
  mixture: {
    pilotEvents: number;
    entries: Mu8MixtureEntry[];
    /** sum sigma epsilon (pb). */
    selectedCrossSectionPb: number;
  } | null;
  /**
   * Integrated luminosity (pb^-1) the rows stand for: events / sum sigma epsilon (mixtures:
   * from the pilot; single processes: from the rows' own efficiency).
   */
  equivalentLumiPb: number;
  generator: Readonly<Record<string, unknown>>;
  selection: string;
  /** Stream-key scheme, so others can reproduce a row. */
  streams: string;
}

/** Result of {@link generateMu8Dataset}. */
export interface Mu8GeneratedDataset {
  spec: Mu8DatasetSpec;
  table: ColumnTable;
  bookkeeping: Mu8Bookkeeping;
  seconds: number;
}

function checkInt(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${what}: expected an integer >= ${min}, got ${v}`);
  }
}

/**
 * Mixture fractions from pilot counts: f_p = sigma_p epsilon_p / sum, epsilon_p = selected /
 * generated. Throws when a process has no generated attempts.
 */
export function mixtureFractions(
  spec: Readonly<Mu8DatasetSpec>,
  pilot: CountsByProcess,
): Mu8MixtureEntry[] {
  const entries = spec.processes.map((p) => {
    const c = pilot[p];
    if (!c || !(c.generated > 0)) {
      throw new Error(`mixtureFractions(${spec.name}): no pilot attempts for "${p}"`);
    }
    const sigma = spec.crossSectionsPb[p] ?? MU8_CROSS_SECTIONS_PB[p];
    const eff = ratio(c.selected, c.generated);
    return {
      process: p,
      crossSectionPb: sigma,
      pilot: { ...c },
      efficiency: eff,
      selectedCrossSectionPb: sigma * eff.value,
      selectedCrossSectionErrorPb: sigma * eff.error,
      fraction: 0,
    };
  });
  const total = entries.reduce((s, e) => s + e.selectedCrossSectionPb, 0);
  if (!(total > 0)) throw new Error(`mixtureFractions(${spec.name}): nothing selected`);
  for (const e of entries) e.fraction = e.selectedCrossSectionPb / total;
  return entries;
}

/** Build the bookkeeping of a dataset from the rows' counts and (mixtures) the pilot. */
export function makeMu8Bookkeeping(
  spec: Readonly<Mu8DatasetSpec>,
  seed: number,
  counts: CountsByProcess,
  mixture: { pilotEvents: number; entries: Mu8MixtureEntry[] } | null,
): Mu8Bookkeeping {
  let generated = 0, passedFilter = 0, selected = 0;
  for (const p of spec.processes) {
    const c = counts[p];
    if (!c) continue;
    generated += c.generated;
    passedFilter += c.passedFilter;
    selected += c.selected;
  }
  const perProcess: Record<string, Mu8ProcessBookkeeping> = {};
  for (const p of spec.processes) {
    const c = counts[p] ?? { generated: 0, passedFilter: 0, selected: 0 };
    const sigma = spec.crossSectionsPb[p] ?? MU8_CROSS_SECTIONS_PB[p];
    const tot = ratio(c.selected, c.generated);
    perProcess[p] = {
      ...c,
      crossSectionPb: sigma,
      acceptance: ratio(c.passedFilter, c.generated),
      selectionEfficiency: ratio(c.selected, c.passedFilter),
      totalEfficiency: tot,
      selectedCrossSectionPb: sigma * tot.value,
      fraction: selected > 0 ? c.selected / selected : NaN,
    };
  }
  let mix: Mu8Bookkeeping["mixture"] = null;
  let lumi: number;
  if (mixture) {
    const s = mixture.entries.reduce((a, e) => a + e.selectedCrossSectionPb, 0);
    mix = { pilotEvents: mixture.pilotEvents, entries: mixture.entries, selectedCrossSectionPb: s };
    lumi = selected / s;
  } else {
    const s = spec.processes.reduce((a, p) => a + perProcess[p].selectedCrossSectionPb, 0);
    lumi = s > 0 ? selected / s : NaN;
  }
  const name = spec.name;
  return {
    dataset: name,
    description: spec.description,
    seed,
    tune: spec.tune.name,
    events: selected,
    generated,
    passedFilter,
    selected,
    perProcess,
    mixture: mix,
    equivalentLumiPb: lumi,
    generator: { ...spec.generator, vjets: { ...spec.tune.vjets } },
    selection: spec.reco.selection.name +
      `; jets anti-kT R=${spec.reco.jets.R} from all PF candidates, JES ${spec.reco.jets.jetEnergyScale}`,
    streams: `process: Rng.stream(seed, "${name}", "process", row); attempt k of row: ` +
      `Rng.stream(seed, "${name}", row, k); b-tagging: Rng.stream(seed, "${name}", row, k, ` +
      `"btag"); pilot of process p: the same with the stream name "${name}/pilot/p"`,
  };
}

/**
 * Luminosity weight per row to normalise the dataset to `lumiPb` (e.g. 4400 pb^-1, paper 3):
 * lumiPb / equivalentLumiPb.
 */
export function lumiWeight(bk: Readonly<Mu8Bookkeeping>, lumiPb: number): number {
  if (!(lumiPb > 0) || !(bk.equivalentLumiPb > 0)) {
    throw new RangeError(`lumiWeight: lumi ${lumiPb}, equivalent lumi ${bk.equivalentLumiPb}`);
  }
  return lumiPb / bk.equivalentLumiPb;
}

// ---------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------

/** A pool of generator workers (lib/data/mu8Worker.ts), reused across phases. */
type Mu8WorkerPool = WorkerPool<Mu8WorkerRequest, Mu8WorkerPayload>;

const MU8_WORKER = { url: new URL("./mu8Worker.ts", import.meta.url), label: "mu8" };

/**
 * Generate `events` rows of dataset `name` with `seed` (mixtures: pilot first), on
 * `workers` Web Workers; returns the table and the bookkeeping. The output does not depend
 * on `workers` or `chunkRows`.
 */
export async function generateMu8Dataset(
  name: string,
  options: Mu8GenerateOptions,
): Promise<Mu8GeneratedDataset> {
  const spec = getMu8Dataset(name);
  const { events, seed } = options;
  checkInt("generateMu8Dataset: events", events, 0);
  checkInt("generateMu8Dataset: seed", seed, 0);
  const workers = options.workers ?? navigator.hardwareConcurrency ?? 1;
  checkInt("generateMu8Dataset: workers", workers, 0);
  const isMixture = spec.processes.length > 1;
  const pilotEvents = options.pilotEvents ?? MU8_DEFAULT_PILOT_EVENTS;
  checkInt("generateMu8Dataset: pilotEvents", pilotEvents, 1);
  const chunkFor = (n: number) =>
    options.chunkRows ?? Math.max(1, Math.min(250, Math.ceil(n / (Math.max(workers, 1) * 8))));
  checkInt("generateMu8Dataset: chunkRows", chunkFor(Math.max(events, 1)), 1);

  const t0 = performance.now();
  const pool: Mu8WorkerPool | null = workers > 0
    ? new WorkerPool(MU8_WORKER.url, workers, MU8_WORKER.label)
    : null;
  const state = pool ? null : new Mu8LoopState();
  try {
    // A phase: rows [0, n) in `mode`, chunked; returns the parts in order and the counts.
    const phase = async (
      n: number,
      mode: Mu8RowMode,
      label: "pilot" | "rows",
      progress: { done: number; total: number },
    ) => {
      const counts: CountsByProcess = {};
      const { parts } = await runChunks<
        Mu8WorkerRequest,
        Mu8WorkerPayload,
        ColumnTable | ColumnTableTransfer
      >({
        starts: chunkStarts(n, chunkFor(n)),
        workers: pool ?? 0,
        worker: MU8_WORKER,
        request: (chunk, start, end) => ({ chunk, dataset: name, seed, start, end, mode }),
        local: (a, b) => {
          const r = generateMu8Rows(spec, seed, a, b, mode, state!);
          addCounts(counts, r.counts);
          return r.table;
        },
        fromReply: (r) => {
          addCounts(counts, r.counts);
          return r.table;
        },
        onPart: (_, rows) => {
          progress.done += rows;
          if (!options.onProgress) return;
          const el = (performance.now() - t0) / 1000;
          options.onProgress({
            dataset: name,
            phase: label,
            done: progress.done,
            total: progress.total,
            elapsedSeconds: el,
            rate: el > 0 ? progress.done / el : 0,
          });
        },
      });
      return { parts, counts };
    };

    let fractions: number[] = spec.processes.map(() => 1);
    let mixture: { pilotEvents: number; entries: Mu8MixtureEntry[] } | null = null;
    const progress = {
      done: 0,
      total: events + (isMixture ? pilotEvents * spec.processes.length : 0),
    };
    if (isMixture && events > 0) {
      const pilot: CountsByProcess = {};
      for (const p of spec.processes) {
        const r = await phase(pilotEvents, { kind: "pilot", process: p }, "pilot", progress);
        addCounts(pilot, r.counts);
      }
      const entries = mixtureFractions(spec, pilot);
      fractions = entries.map((e) => e.fraction);
      mixture = { pilotEvents, entries };
    }
    const main = await phase(events, { kind: "rows", fractions }, "rows", progress);
    const table = ColumnTable.concat(spec.columns, main.parts, "process");
    if (table.n !== events) {
      throw new Error(`generateMu8Dataset(${name}): got ${table.n} rows, expected ${events}`);
    }
    return {
      spec,
      table,
      bookkeeping: makeMu8Bookkeeping(spec, seed, main.counts, mixture),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    pool?.close();
  }
}

// ---------------------------------------------------------------------------------------
// Cache and files
// ---------------------------------------------------------------------------------------

/** Sources whose content determines the rows. */
const SOURCE_DIRS = ["lib/sim", "lib/reco", "lib/physics"];
const SOURCE_FILES = [
  "lib/random/rng.ts",
  "lib/features/columnTable.ts",
  "lib/features/truthColumns.ts",
  "lib/features/paper3Features.ts",
  "lib/data/datasets.ts",
  "lib/data/mu8Events.ts",
];

/**
 * Version of the generating code: "mu8-" + sha256 (16 hex digits) of the sources that make
 * the rows, so a cached dataset is regenerated whenever any of them changes.
 */
export function mu8SourceVersion(): Promise<string> {
  return sourceHash("mu8", SOURCE_FILES, SOURCE_DIRS);
}

/** The cache key configuration of a dataset (plain JSON; workers are not part of it). */
export function mu8CacheConfig(
  spec: Readonly<Mu8DatasetSpec>,
  events: number,
  seed: number,
  pilotEvents: number,
): Record<string, unknown> {
  return {
    dataset: spec.name,
    events,
    seed,
    pilotEvents: spec.processes.length > 1 ? pilotEvents : null,
    processes: [...spec.processes],
    crossSectionsPb: { ...spec.crossSectionsPb },
    tune: { name: spec.tune.name, vjets: { ...spec.tune.vjets }, jes: spec.tune.jetEnergyScale },
    generator: { ...spec.generator },
    selection: spec.reco.selection.name,
    jets: { ...spec.reco.jets },
  };
}

/** The table in the parquet cache's form (numeric columns, then `process` as strings). */
export const mu8ParquetTable: (table: ColumnTable) => Table = columnTableParquet;

/** Contents of the `<parquet>.bookkeeping.json` sidecar. */
export type Mu8BookkeepingFile = SidecarFile<Mu8Bookkeeping>;

/** Path of the bookkeeping sidecar of a parquet file. */
export const mu8BookkeepingPath: (parquetPath: string) => string = sidecarPath;

/** Result of {@link loadOrGenerateMu8Dataset}. */
export type Mu8LoadedDataset = CachedWithSidecar<Mu8Bookkeeping>;

/**
 * Dataset `name` with `events` rows and `seed` from the parquet cache, or generated and
 * written atomically to the cache with its bookkeeping sidecar.
 */
export async function loadOrGenerateMu8Dataset(
  name: string,
  options: Mu8GenerateOptions & { cache?: ParquetCache },
): Promise<Mu8LoadedDataset> {
  const spec = getMu8Dataset(name);
  const cache = options.cache ?? new ParquetCache();
  const pilotEvents = options.pilotEvents ?? MU8_DEFAULT_PILOT_EVENTS;
  const config = mu8CacheConfig(spec, options.events, options.seed, pilotEvents);
  return loadOrMakeWithSidecar({
    what: "loadOrGenerateMu8Dataset",
    name,
    cache,
    config,
    codeVersion: await mu8SourceVersion(),
    seed: options.seed,
    make: async () => {
      const made = await generateMu8Dataset(name, options);
      return { table: mu8ParquetTable(made.table), bookkeeping: made.bookkeeping };
    },
  });
}

/** Write a generated dataset to `path` (parquet, atomic) plus its bookkeeping sidecar. */
export function writeMu8Dataset(path: string, g: Mu8GeneratedDataset): Promise<string> {
  return writeWithSidecar(path, mu8ParquetTable(g.table), g.bookkeeping, mu8SourceVersion);
}

// ---------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------

const pct = (x: number) => (100 * x).toPrecision(3) + " %";

/** Human-readable bookkeeping. */
export function formatMu8Bookkeeping(bk: Readonly<Mu8Bookkeeping>): string {
  const lines = [
    `${bk.dataset} (seed ${bk.seed}, tune "${bk.tune}"): ${bk.events} events selected from ` +
    `${bk.generated.toFixed(0)} generated (${bk.passedFilter} passed the generator filter); ` +
    `equivalent luminosity ${bk.equivalentLumiPb.toPrecision(4)} pb^-1`,
  ];
  for (const [p, e] of Object.entries(bk.perProcess)) {
    lines.push(
      `  ${p.padEnd(6)} generated ${e.generated.toFixed(0)}, filter ${e.passedFilter}, ` +
        `selected ${e.selected} (${pct(e.fraction)} of rows); acceptance ` +
        `${pct(e.acceptance.value)}, selection eff. ${pct(e.selectionEfficiency.value)}, ` +
        `total ${e.totalEfficiency.value.toExponential(3)} -> sigma x eff ` +
        `${e.selectedCrossSectionPb.toPrecision(4)} pb`,
    );
  }
  if (bk.mixture) {
    lines.push(`  mixture from a pilot of ${bk.mixture.pilotEvents} selected events per process:`);
    for (const m of bk.mixture.entries) {
      lines.push(
        `    ${m.process.padEnd(6)} sigma ${m.crossSectionPb} pb x eff ` +
          `${m.efficiency.value.toExponential(3)} +- ${m.efficiency.error.toExponential(2)} = ` +
          `${m.selectedCrossSectionPb.toPrecision(4)} +- ` +
          `${m.selectedCrossSectionErrorPb.toPrecision(2)} pb -> fraction ${pct(m.fraction)}`,
      );
    }
  }
  return lines.join("\n");
}

const USAGE = "usage: deno run -A lib/data/mu8Datasets.ts <dataset> --events N --seed S " +
  "[--workers K] [--pilot-events P] [--out FILE]\n       deno run -A lib/data/mu8Datasets.ts --list";

interface CliArgs extends DatasetCliArgs {
  pilotEvents?: number;
}

/** Parse the command line; throws with the usage on errors. */
export function parseMu8Cli(args: string[]): CliArgs {
  return parseDatasetCli<CliArgs>(args, {
    usage: USAGE,
    out: true,
    ints: { "--pilot-events": { key: "pilotEvents", min: 1 } },
  });
}

async function main(args: string[]): Promise<void> {
  const cli = parseMu8Cli(args);
  if (cli.list) {
    const width = Math.max(...Object.keys(MU8_DATASETS).map((n) => n.length));
    for (const d of Object.values(MU8_DATASETS)) {
      console.log(`${d.name.padEnd(width)} ${d.description}`);
    }
    return;
  }
  const name = cli.dataset!;
  getMu8Dataset(name);
  const onProgress = throttledProgress((p: Mu8Progress) =>
    `${p.dataset} [${p.phase}]: ${p.done}/${p.total} rows, ${p.rate.toFixed(1)} rows/s, ` +
    `${p.elapsedSeconds.toFixed(0)} s`
  );
  const opts: Mu8GenerateOptions = {
    events: cli.events!,
    seed: cli.seed!,
    workers: cli.workers,
    pilotEvents: cli.pilotEvents,
    onProgress,
  };
  const t0 = performance.now();
  if (cli.out !== undefined) {
    const g = await generateMu8Dataset(name, opts);
    const sha = await writeMu8Dataset(cli.out, g);
    console.log(formatMu8Bookkeeping(g.bookkeeping));
    console.log(
      `wrote ${cli.out} (${g.table.n} rows, sha256 ${sha}) and ${mu8BookkeepingPath(cli.out)} ` +
        `in ${g.seconds.toFixed(1)} s (${(g.table.n / g.seconds).toFixed(1)} events/s)`,
    );
  } else {
    const r = await loadOrGenerateMu8Dataset(name, opts);
    console.log(formatMu8Bookkeeping(r.bookkeeping));
    const s = (performance.now() - t0) / 1000;
    console.log(`${r.fromCache ? "cached" : "wrote"} ${r.path} in ${s.toFixed(1)} s`);
  }
}

if (import.meta.main) await runCli(main);
