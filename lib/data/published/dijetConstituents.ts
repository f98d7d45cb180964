/**
 * Loader of the published paper-2 dijet files (VAE on jet images of the two leading
 * anti-kT R=0.8 jets, 13 TeV, pileup 40): HDF5 files holding
 *
 * - `jetConstituentsList`: float array (N, 2, 100, 3): for each of the two jets, the 100
 *   leading-pT constituents as (d eta, d phi, pT) relative to the jet axis (zero padded);
 * - `eventFeatures`: float array (N, 11): {@link DIJET_EVENT_FEATURES};
 * - optionally `eventFeatureNames` (11 strings) and `particleFeatureNames` (3 strings);
 *   when present, the event columns are matched by name (any order), else by position.
 *
 * Returns the event table (the 11 features as float32, `process`) with its source tag, and
 * the constituents as one flat float32 array in (N, 2, 100, 3) C order, which
 * lib/features turns into 32x32 jet images.
 */
import type { Table } from "../parquetCache.ts";
import { type Sourced, type SourcedTable, sourcedTable } from "../source.ts";
import { Hdf5Reader, type RowRange } from "./hdf5.ts";
import { LoaderError } from "./loaderError.ts";

/** The 11 event features, in file order. */
export const DIJET_EVENT_FEATURES = [
  "mJJ",
  "j1Pt",
  "j1Eta",
  "j1Phi",
  "j1M",
  "j1E",
  "j2Pt",
  "j2M",
  "j2E",
  "DeltaEtaJJ",
  "DeltaPhiJJ",
] as const;

/** Per-constituent fields, in file order. */
export const DIJET_PARTICLE_FEATURES = ["dEta", "dPhi", "pT"] as const;

/** Jets per event and constituents per jet in the files. */
export const DIJET_JETS = 2;
export const DIJET_CONSTITUENTS = 100;

/** Options of {@link loadDijetConstituents}. */
export interface DijetLoadOptions {
  /** Sample name for the `process` column (default: the file name without extension). */
  process?: string;
  /** Rows (events) to read (default: all). */
  rows?: RowRange;
}

/** The constituents of the two leading jets of each event. */
export interface DijetConstituents extends Sourced {
  /** Events. */
  rows: number;
  /** (rows, 2, 100, 3) in C order: [event][jet][constituent][dEta, dPhi, pT]. */
  data: Float32Array;
  /** The shape of `data`. */
  shape: [number, 2, 100, 3];
}

/** A loaded dijet file. */
export interface DijetFile {
  events: SourcedTable;
  constituents: DijetConstituents;
}

/**
 * Load one published paper-2 dijet file (see the module comment). Throws a
 * {@link LoaderError} naming the file and dataset on any problem.
 */
export async function loadDijetConstituents(
  path: string,
  options: DijetLoadOptions = {},
): Promise<DijetFile> {
  const process = processName(path, options.process);
  using h5 = await Hdf5Reader.open(path);
  const { table, rows: n } = readEventTable(h5, path, process, options.rows);
  const cons = h5.numeric(
    "jetConstituentsList",
    [null, DIJET_JETS, DIJET_CONSTITUENTS, DIJET_PARTICLE_FEATURES.length],
    "float",
    options.rows,
  );
  const nEv = h5.info("eventFeatures").shape[0];
  const nCons = h5.info("jetConstituentsList").shape[0];
  if (nEv !== nCons) {
    throw new LoaderError(
      path,
      "jetConstituentsList",
      `${nCons} events but eventFeatures has ${nEv}: the two datasets must have equal length`,
    );
  }
  if (h5.has("particleFeatureNames")) {
    const names = h5.strings("particleFeatureNames", DIJET_PARTICLE_FEATURES.length);
    const want = [/eta/i, /phi/i, /p_?t$/i];
    const ok = want.every((re, i) => re.test(names[i]));
    if (!ok) {
      throw new LoaderError(
        path,
        "particleFeatureNames",
        `expected (d eta, d phi, pT) in that order, found (${names.join(", ")})`,
      );
    }
  }
  const data = cons.data instanceof Float32Array ? cons.data : Float32Array.from(cons.data);
  return {
    events: sourcedTable("published", process, path, table),
    constituents: {
      source: "published",
      name: process,
      origin: path,
      rows: n,
      data,
      shape: [n, DIJET_JETS, DIJET_CONSTITUENTS, 3],
    },
  };
}

function processName(path: string, process?: string): string {
  return process ?? (path.split("/").pop() ?? path).replace(/\.(h5|hdf5)$/i, "");
}

/** The 11 event features (float32 columns, matched by name when named) and `process`. */
function readEventTable(
  h5: Hdf5Reader,
  path: string,
  process: string,
  rows?: RowRange,
): { table: Table; rows: number } {
  const nf = DIJET_EVENT_FEATURES.length;
  const ev = h5.numeric("eventFeatures", [null, nf], "float", rows);
  let order: number[] = DIJET_EVENT_FEATURES.map((_, i) => i);
  if (h5.has("eventFeatureNames")) {
    const names = h5.strings("eventFeatureNames", nf);
    order = DIJET_EVENT_FEATURES.map((f) => {
      const j = names.indexOf(f);
      if (j < 0) {
        throw new LoaderError(
          path,
          "eventFeatureNames",
          `missing feature "${f}"; names present: ${names.join(", ")}`,
        );
      }
      return j;
    });
  }
  const n = ev.shape[0];
  const table: Table = {};
  DIJET_EVENT_FEATURES.forEach((f, c) => {
    const j = order[c];
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = ev.data[i * nf + j];
    table[f] = v;
  });
  table.process = new Array<string>(n).fill(process);
  return { table, rows: n };
}

/**
 * Only the event features of one published paper-2 dijet file (rows `options.rows`), without
 * the constituents (11 x 4 bytes per event instead of 2,400): for selecting events (by
 * |DeltaEtaJJ|, mJJ) before reading their constituents. `total`: the events in the file.
 */
export async function loadDijetEventFeatures(
  path: string,
  options: DijetLoadOptions = {},
): Promise<{ events: SourcedTable; total: number }> {
  const process = processName(path, options.process);
  using h5 = await Hdf5Reader.open(path);
  const { table } = readEventTable(h5, path, process, options.rows);
  return {
    events: sourcedTable("published", process, path, table),
    total: h5.info("eventFeatures").shape[0] ?? 0,
  };
}
