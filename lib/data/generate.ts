/**
 * Generate a SIMULATED dataset of the registry (lib/data/datasets.ts) on all cores.
 *
 * CLI:
 *   deno task generate <dataset> --events N --seed S [--out FILE] [--workers K]
 *   deno task generate --list
 * Without --out the table goes to the parquet cache (data/cache/, lib/data/parquetCache.ts)
 * and is reused when dataset, events, seed and the generating source code are unchanged.
 * Next to every parquet file, `<file>.bookkeeping.json` holds the bookkeeping (events
 * generated, passing the generator filter, passing the selection, per process) and the
 * parquet file's sha256.
 *
 * Work is split into contiguous row chunks handed to Web Workers (lib/data/generateWorker.ts);
 * the parent concatenates the chunks in row order. Since every row depends only on
 * (seed, dataset, row) the output is identical, byte for byte, for any number of workers and
 * any chunking. By default chunks are "guided": a quarter of the remaining rows per worker,
 * at most {@link MAX_CHUNK_ROWS} and at least {@link MIN_CHUNK_ROWS}, so that the workers
 * finish together (the last chunks are small) while the first ones are large.
 *
 * Library: {@link generateDataset} (table + bookkeeping, no files) and
 * {@link loadOrGenerateDataset} (through the cache) for notebooks.
 */
import { ColumnTable, type ColumnTableTransfer } from "../features/columnTable.ts";
import { ParquetCache, type Table } from "./parquetCache.ts";
import {
  addCounts,
  type Bookkeeping,
  type CountsByProcess,
  DATASETS,
  type DatasetSpec,
  type EventGenerator,
  EventLoopState,
  generateRows,
  getDataset,
  makeBookkeeping,
  PAPER1_TABLE1,
} from "./datasets.ts";
import type { WorkerPayload, WorkerRequest } from "./generateWorker.ts";
import {
  chunkStarts,
  guidedChunkRows,
  MAX_CHUNK_ROWS,
  type RowProgress,
  rowProgress,
  runChunks,
} from "./workerPool.ts";
import {
  type CachedWithSidecar,
  columnTableParquet,
  type DatasetCliArgs,
  etaProgressLine,
  fmtSeconds,
  loadOrMakeWithSidecar,
  parseDatasetCli,
  runCli,
  type SidecarFile,
  sidecarPath,
  sourceHash,
  throttledProgress,
  writeWithSidecar,
} from "./datasetCli.ts";

export { guidedChunkRows, MAX_CHUNK_ROWS, MIN_CHUNK_ROWS } from "./workerPool.ts";

/** Progress of a generation run. */
export type Progress = RowProgress;

/** Options of {@link generateDataset}. */
export interface GenerateOptions {
  /** Number of rows (selected events). */
  events: number;
  /** Dataset seed (non-negative integer). */
  seed: number;
  /**
   * Web Workers to use (default navigator.hardwareConcurrency); 0 runs in this thread.
   * The output does not depend on it.
   */
  workers?: number;
  /**
   * Rows per chunk handed to a worker (fixed). Default: guided chunks with workers (see the
   * module comment); in this thread, about 16 chunks, <= 500 rows (for progress reports).
   */
  chunkRows?: number;
  /** Called after each finished chunk. */
  onProgress?: (p: Progress) => void;
  /**
   * Replace the event generator (tests with toy events); only with `workers: 0`, since
   * workers always use lib/sim/generator.ts.
   */
  generator?: EventGenerator;
}

/** Result of {@link generateDataset}. */
export interface GeneratedDataset {
  spec: DatasetSpec;
  table: ColumnTable;
  bookkeeping: Bookkeeping;
  /** Wall-clock seconds. */
  seconds: number;
  /**
   * Seconds spent generating chunks, summed over the workers (wall-clock inside each chunk,
   * so it includes time the worker waited for a core on a loaded machine).
   */
  busySeconds: number;
  /** Workers used (0: this thread). */
  workers: number;
  /** Chunks the rows were made in. */
  chunks: number;
}

function checkCount(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${what}: expected an integer >= ${min}, got ${v}`);
  }
}

/**
 * Generate `events` rows of dataset `name` with `seed` (see lib/data/datasets.ts for the
 * stream scheme) using `workers` Web Workers; returns the table and the bookkeeping.
 */
export async function generateDataset(
  name: string,
  options: GenerateOptions,
): Promise<GeneratedDataset> {
  const spec = getDataset(name);
  const { events, seed } = options;
  checkCount("generateDataset: events", events, 0);
  checkCount("generateDataset: seed", seed, 0);
  const workers = options.workers ?? navigator.hardwareConcurrency ?? 1;
  checkCount("generateDataset: workers", workers, 0);
  if (options.chunkRows !== undefined) {
    checkCount("generateDataset: chunkRows", options.chunkRows, 1);
  }
  const fixedRows = options.chunkRows ??
    (workers === 0 ? Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.ceil(events / 16))) : undefined);

  if (options.generator !== undefined && workers !== 0) {
    throw new Error("generateDataset: a custom generator needs workers: 0");
  }
  const t0 = performance.now();
  const starts = chunkStarts(events, fixedRows ?? ((left) => guidedChunkRows(left, workers)));
  const counts: CountsByProcess = {};
  let done = 0;
  const state = workers === 0 ? new EventLoopState(options.generator) : null;
  // Each chunk keeps its own counts; they are added in chunk order afterwards, so the
  // (fractional) QCD trial sums do not depend on the order in which workers reply.
  type Part = { table: ColumnTable | ColumnTableTransfer; counts: CountsByProcess };
  const run = await runChunks<WorkerRequest, WorkerPayload, Part>({
    starts,
    workers,
    worker: { url: new URL("./generateWorker.ts", import.meta.url), label: "generate" },
    request: (chunk, start, end) => ({ chunk, dataset: name, seed, start, end }),
    local: (a, b) => generateRows(spec, seed, a, b, state!),
    fromReply: (r) => ({ table: r.table, counts: r.counts }),
    onPart: (_, rows) => {
      done += rows;
      options.onProgress?.(rowProgress(name, done, events, t0));
    },
  });
  for (const part of run.parts) addCounts(counts, part.counts);
  const table = ColumnTable.concat(spec.columns, run.parts.map((p) => p.table), "process");
  if (table.n !== events) {
    throw new Error(`generateDataset(${name}): got ${table.n} rows, expected ${events}`);
  }
  for (const c of spec.components) {
    counts[c.process] ??= { generated: 0, passedFilter: 0, selected: 0 };
  }
  return {
    spec,
    table,
    bookkeeping: makeBookkeeping(spec, seed, counts),
    seconds: (performance.now() - t0) / 1000,
    busySeconds: run.busyMs / 1000,
    workers: run.workers,
    chunks: starts.length - 1,
  };
}

/**
 * The table in the parquet cache's form: numeric columns (float32/float64 as made) then the
 * `process` column as strings.
 */
export const toParquetTable: (table: ColumnTable) => Table = columnTableParquet;

// ---------------------------------------------------------------------------------------
// Cache and files
// ---------------------------------------------------------------------------------------

/** Source folders and files whose content determines the generated rows. */
const SOURCE_DIRS = ["lib/sim", "lib/reco", "lib/physics"];
const SOURCE_FILES = [
  "lib/random/rng.ts",
  "lib/features/hlf21.ts",
  "lib/features/columnTable.ts",
  "lib/features/truthColumns.ts",
  "lib/data/datasets.ts",
];

/**
 * Version of the generating code: "src-" + sha256 (first 16 hex digits) of the sources that
 * make the rows (simulation, reconstruction, physics, rng, features, the event loop), so a
 * cached dataset is regenerated whenever any of them changes.
 */
export function sourceVersion(): Promise<string> {
  return sourceHash("src", SOURCE_FILES, SOURCE_DIRS, true);
}

/** The cache key configuration of a dataset (JSON data; workers are not part of it). */
export function datasetCacheConfig(
  spec: DatasetSpec,
  events: number,
  seed: number,
): Record<string, unknown> {
  return {
    dataset: spec.name,
    events,
    seed,
    generator: { ...spec.generator },
    components: spec.components.map((c) => ({ ...c })),
    selection: spec.selection.name,
    features: spec.features,
  };
}

/** Contents of the `<parquet>.bookkeeping.json` sidecar. */
export type BookkeepingFile = SidecarFile<Bookkeeping>;

/** Path of the bookkeeping sidecar of a parquet file. */
export const bookkeepingPath: (parquetPath: string) => string = sidecarPath;

/** Result of {@link loadOrGenerateDataset}. */
export type LoadedDataset = CachedWithSidecar<Bookkeeping>;

/**
 * Dataset `name` with `events` rows and `seed` from the parquet cache, or generated (on
 * `workers` workers), written atomically to the cache with its bookkeeping sidecar.
 */
export async function loadOrGenerateDataset(
  name: string,
  options: GenerateOptions & { cache?: ParquetCache },
): Promise<LoadedDataset> {
  const spec = getDataset(name);
  const cache = options.cache ?? new ParquetCache();
  const config = datasetCacheConfig(spec, options.events, options.seed);
  return loadOrMakeWithSidecar({
    what: "loadOrGenerateDataset",
    name,
    cache,
    config,
    codeVersion: await sourceVersion(),
    seed: options.seed,
    make: async () => {
      const made = await generateDataset(name, options);
      return { table: toParquetTable(made.table), bookkeeping: made.bookkeeping };
    },
  });
}

/** Write a generated dataset to `path` (parquet, atomic) plus its bookkeeping sidecar. */
export function writeDataset(path: string, g: GeneratedDataset): Promise<string> {
  return writeWithSidecar(path, toParquetTable(g.table), g.bookkeeping, sourceVersion);
}

// ---------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------

const pct = (x: number) => (100 * x).toPrecision(3) + " %";

/**
 * An event count for printing. Generated counts are sums of `truth.generatorTrials`, which
 * are fractional for importance-sampled QCD (attempts / 0.12, lib/sim/generator.ts), so
 * floating-point sums like 11637604.000000002 appear: integers (to 1e-9 relative) print as
 * integers, other counts with one decimal.
 */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? String(r) : x.toFixed(1);
}

/** Human-readable bookkeeping with paper 1 Table 1 values alongside. */
export function formatBookkeeping(bk: Bookkeeping): string {
  const lines = [
    `${bk.dataset} (seed ${bk.seed}): ${bk.events} events selected from ` +
    `${formatCount(bk.generated)} ` +
    `generated (${bk.passedFilter} passed the generator filter)`,
  ];
  for (const [p, e] of Object.entries(bk.perProcess)) {
    const ref = PAPER1_TABLE1[p as keyof typeof PAPER1_TABLE1];
    const paper = ref ? ` [paper 1: ${pct(ref.acceptance)}, ${pct(ref.trigger)}]` : "";
    lines.push(
      `  ${p.padEnd(11)} generated ${formatCount(e.generated)}, filter ${e.passedFilter}, ` +
        `selected ` +
        `${e.selected} (${pct(e.fraction)} of rows); acceptance ${pct(e.acceptance.value)} +- ` +
        `${pct(e.acceptance.error)}, trigger eff. ${pct(e.triggerEfficiency.value)} +- ` +
        `${pct(e.triggerEfficiency.error)}${paper}`,
    );
  }
  return lines.join("\n");
}

const USAGE = `usage: deno task generate <dataset> --events N --seed S [--out FILE] [--workers K]
       deno task generate --list`;

type CliArgs = DatasetCliArgs;

/** Parse the command line; throws with the usage on errors. */
export function parseCli(args: string[]): CliArgs {
  return parseDatasetCli<CliArgs>(args, { usage: USAGE, out: true });
}

async function main(args: string[]): Promise<void> {
  const cli = parseCli(args);
  if (cli.list) {
    for (const d of Object.values(DATASETS)) console.log(`${d.name.padEnd(18)} ${d.description}`);
    return;
  }
  const name = cli.dataset!;
  getDataset(name);
  const onProgress = throttledProgress<Progress>(etaProgressLine);
  const opts = { events: cli.events!, seed: cli.seed!, workers: cli.workers, onProgress };
  const t0 = performance.now();
  if (cli.out !== undefined) {
    const g = await generateDataset(name, opts);
    const sha = await writeDataset(cli.out, g);
    console.log(formatBookkeeping(g.bookkeeping));
    console.log(
      `wrote ${cli.out} (${g.table.n} rows, sha256 ${sha}) and ${bookkeepingPath(cli.out)} ` +
        `in ${fmtSeconds(g.seconds)} (${(g.table.n / g.seconds).toFixed(1)} events/s on ` +
        `${g.workers} worker(s), ${(g.table.n / g.busySeconds).toFixed(1)} events/s per busy ` +
        `worker, ${g.chunks} chunks)`,
    );
  } else {
    const r = await loadOrGenerateDataset(name, opts);
    console.log(formatBookkeeping(r.bookkeeping));
    const s = (performance.now() - t0) / 1000;
    console.log(`${r.fromCache ? "cached" : "wrote"} ${r.path} in ${fmtSeconds(s)}`);
  }
}

if (import.meta.main) await runCli(main);
