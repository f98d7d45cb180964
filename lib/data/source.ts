/**
 * Which data the notebooks run on: the repository's own SIMULATION (default) or the papers'
 * PUBLISHED files (for users who downloaded them with `deno task fetch`), chosen with one
 * environment variable:
 *
 *     REPRO_DATA=simulation|published      (unset or empty: simulation)
 *
 * Every table a loader returns carries a `source` tag, and {@link assertSingleSource} /
 * {@link loadFromSource} refuse, with a message listing the tables and their sources, to mix
 * simulated and published tables silently (a cocktail of simulated W with published QCD would
 * look like a result and be none).
 *
 * No heavy imports here (no polars, h5wasm, jsroot): anything may import this module.
 */
import type { Table } from "./parquetCache.ts";

/** The two kinds of data. */
export type DataSource = "simulation" | "published";

/** All {@link DataSource} values. */
export const DATA_SOURCES: readonly DataSource[] = ["simulation", "published"];

/** The environment variable that selects the data source. */
export const DATA_SOURCE_ENV = "REPRO_DATA";

/** A wrong data-source setting, or an attempt to mix sources. */
export class DataSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataSourceError";
  }
}

/**
 * Parse a data-source setting (case-insensitive, surrounding spaces ignored; unset or empty
 * means `"simulation"`). Throws a {@link DataSourceError} naming `origin` and the allowed
 * values otherwise.
 */
export function parseDataSource(value: string | undefined, origin = DATA_SOURCE_ENV): DataSource {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "") return "simulation";
  if ((DATA_SOURCES as readonly string[]).includes(v)) return v as DataSource;
  throw new DataSourceError(
    `${origin}=${JSON.stringify(value)} is not a data source; use one of ` +
      `${DATA_SOURCES.join(", ")} (unset means simulation)`,
  );
}

/**
 * The data source selected by `REPRO_DATA` (default `"simulation"`). `env` replaces the
 * environment lookup (tests); without permission to read the environment the default holds.
 */
export function currentDataSource(
  env: (name: string) => string | undefined = readEnv,
): DataSource {
  return parseDataSource(env(DATA_SOURCE_ENV));
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Anything that says where its data came from. */
export interface Sourced {
  /** Simulation or published files. */
  readonly source: DataSource;
  /** Dataset or sample name, e.g. `"W"`, `"qcd_dijet"`. */
  readonly name: string;
  /** Where it came from: the file path, or the simulated dataset name. */
  readonly origin: string;
}

/** A columnar table with its source tag. */
export interface SourcedTable extends Sourced {
  /** Number of rows. */
  readonly rows: number;
  /** The columns (typed arrays, or string/boolean arrays). */
  readonly table: Table;
}

/**
 * Tag `table` with its source. Checks that all columns have the same length and returns it
 * as `rows`.
 */
export function sourcedTable(
  source: DataSource,
  name: string,
  origin: string,
  table: Table,
): SourcedTable {
  if (!(DATA_SOURCES as readonly string[]).includes(source)) {
    throw new DataSourceError(`${origin}: invalid source tag ${JSON.stringify(source)}`);
  }
  let rows = -1;
  for (const [col, values] of Object.entries(table)) {
    if (rows === -1) rows = values.length;
    else if (values.length !== rows) {
      throw new DataSourceError(
        `${origin}: column "${col}" has ${values.length} rows, others have ${rows}`,
      );
    }
  }
  return { source, name, origin, rows: Math.max(rows, 0), table };
}

function describeItem(t: Sourced, i: number): string {
  const src = typeof t?.source === "string" ? t.source : "(no source tag)";
  return `#${i} ${t?.name ?? "?"} [${src}] from ${t?.origin ?? "?"}`;
}

/**
 * Check that all `items` come from one source (and from `expected` when given); return it.
 * Throws a {@link DataSourceError} listing every item with its source when they are mixed,
 * untagged, or not the expected source. An empty list returns `expected` (or throws when
 * there is none).
 */
export function assertSingleSource(
  items: readonly Sourced[],
  expected?: DataSource,
): DataSource {
  if (items.length === 0) {
    if (expected) return expected;
    throw new DataSourceError("assertSingleSource: no tables given");
  }
  const bad = items.findIndex((t) => !(DATA_SOURCES as readonly unknown[]).includes(t?.source));
  if (bad >= 0) {
    throw new DataSourceError(
      `table ${describeItem(items[bad], bad)} carries no valid source tag ` +
        `(expected one of ${DATA_SOURCES.join(", ")}); tag it with sourcedTable()`,
    );
  }
  const sources = new Set(items.map((t) => t.source));
  if (sources.size > 1) {
    throw new DataSourceError(
      "refusing to mix simulated and published data in one analysis: " +
        items.map(describeItem).join("; ") +
        `. Choose one with ${DATA_SOURCE_ENV}=simulation|published.`,
    );
  }
  const got = items[0].source;
  if (expected && got !== expected) {
    throw new DataSourceError(
      `expected ${expected} data (${DATA_SOURCE_ENV}), got ${got}: ` +
        items.map(describeItem).join("; "),
    );
  }
  return got;
}

/** One loader per source, for {@link loadFromSource}. */
export interface SourceLoaders<T extends Sourced> {
  simulation: () => Promise<T[]> | T[];
  published: () => Promise<T[]> | T[];
}

/**
 * The loader facade: run the loader of `source` (default: {@link currentDataSource}) and
 * check that everything it returned carries that source tag, so a notebook cell that calls
 * it cannot end up with a silent mixture.
 */
export async function loadFromSource<T extends Sourced>(
  loaders: SourceLoaders<T>,
  source: DataSource = currentDataSource(),
): Promise<{ source: DataSource; items: T[] }> {
  const items = await loaders[source]();
  assertSingleSource(items, source);
  return { source, items };
}

/**
 * Concatenate tables with identical columns into one (rows in order), after checking that
 * they come from a single source. Column types are kept (typed arrays are copied into one
 * array of the first table's type; string/boolean arrays are joined).
 */
export function concatSourced(
  parts: readonly SourcedTable[],
  name: string,
  origin = parts.map((p) => p.origin).join(" + "),
): SourcedTable {
  const source = assertSingleSource(parts);
  const cols = Object.keys(parts[0].table);
  for (const p of parts) {
    const have = Object.keys(p.table);
    if (have.length !== cols.length || have.some((c, i) => c !== cols[i])) {
      throw new DataSourceError(
        `concatSourced: ${p.origin} has columns ${have.join(",")}, expected ${cols.join(",")}`,
      );
    }
  }
  const rows = parts.reduce((a, p) => a + p.rows, 0);
  const out: Table = {};
  for (const c of cols) {
    const first = parts[0].table[c];
    if (Array.isArray(first)) {
      out[c] = parts.flatMap((p) => p.table[c] as unknown[]) as string[] | boolean[];
    } else {
      const Ctor = (first as Float64Array).constructor as new (n: number) => Float64Array;
      const arr = new Ctor(rows);
      let at = 0;
      for (const p of parts) {
        const v = p.table[c];
        if (Array.isArray(v) || v.constructor !== first.constructor) {
          throw new DataSourceError(
            `concatSourced: column "${c}" of ${p.origin} has another type than in ` +
              parts[0].origin,
          );
        }
        arr.set(v as Float64Array, at);
        at += v.length;
      }
      out[c] = arr;
    }
  }
  return sourcedTable(source, name, origin, out);
}

/**
 * The data source a notebook runs on, for its first cell. `publishedLoader` names the loader
 * (and `deno task fetch` entry) that a published run of this notebook uses; when it is absent
 * the notebook supports the simulation only, and `REPRO_DATA=published` stops it here with a
 * clear message instead of silently running on simulated events.
 */
export function notebookDataSource(
  notebook: string,
  opts: { publishedLoader?: string; env?: (name: string) => string | undefined } = {},
): { source: DataSource; line: string } {
  const source = currentDataSource(opts.env);
  if (source === "published" && opts.publishedLoader === undefined) {
    throw new DataSourceError(
      `${notebook}: ${DATA_SOURCE_ENV}=published is not supported by this notebook yet ` +
        `(its published loader is not wired in); unset ${DATA_SOURCE_ENV} to run on the ` +
        `built-in simulation`,
    );
  }
  const line = source === "simulation"
    ? "data: SIMULATED events from the built-in generator (lib/sim), not the papers' samples"
    : `data: the papers' PUBLISHED files via ${opts.publishedLoader}`;
  return { source, line };
}

/** Rows `idx` of `table` (typed columns keep their type). */
export function takeRows(table: Table, idx: ArrayLike<number>): Table {
  const out: Table = {};
  for (const [name, col] of Object.entries(table)) {
    if (Array.isArray(col)) {
      out[name] = Array.from(idx, (i) => col[i]) as string[] | boolean[];
    } else {
      const Ctor = col.constructor as new (n: number) => typeof col;
      const v = new Ctor(idx.length);
      for (let k = 0; k < idx.length; k++) (v as Float64Array)[k] = (col as Float64Array)[idx[k]];
      out[name] = v;
    }
  }
  return out;
}
