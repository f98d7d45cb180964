/**
 * Execute the notebooks `notebooks/NN_*.ipynb` in lexical order with Jupyter (nbclient) and
 * the Deno kernel, at the scale in `REPRO_SCALE` (`default` when unset).
 *
 *     deno run -A lib/repro/runNotebooks.ts [--only 00_,02_] [--keep-going] [--verbose]
 *                                           [--cell-timeout SECONDS]
 *
 * Where the executed notebooks go: at `default` scale they replace `notebooks/NN_*.ipynb`
 * (the committed notebooks carry the outputs of the default run), but only when the whole
 * notebook ran; at any other scale they go to `figures/.scale-<scale>/notebooks/`, so a test
 * run never touches the committed notebooks, and with `REPRO_DATA=published` (any scale) to
 * `figures/.scale-<scale>-published/notebooks/`. On a failing cell the run stops, prints the
 * notebook, the cell and the error with its traceback, keeps the partially executed
 * notebook for inspection and exits with status 1.
 *
 * Each notebook is executed by lib/repro/jupyter/execute_notebook.py (nbclient), which also
 * keeps outputs the Deno kernel sends after reporting a cell finished (plain nbclient and
 * `jupyter nbconvert --execute` drop those at random).
 *
 * The pure parts (selection, argument parsing, failure extraction and formatting) are
 * exported for the tests.
 */
import { currentScale, type ScaleName } from "./scale.ts";
import { repoPath, resultsRoot } from "./paths.ts";
import { currentDataSource, type DataSource } from "../data/source.ts";
import {
  EXECUTE_DRIVER_PATH,
  findPythonWith,
  formatSeconds,
  jupyterEnv,
  relToRepo,
  RUNNER_PY_MODULES,
} from "./jupyter.ts";

/** File names of runnable notebooks: two digits, an underscore, a name, `.ipynb`. */
export const NOTEBOOK_FILE: RegExp = /^\d{2}_[^/]+\.ipynb$/;

/** Default per-cell time limit in seconds (0 = none). */
export const DEFAULT_CELL_TIMEOUT_S = 4 * 3600;

/**
 * The notebooks to run, in order: names matching `NN_*.ipynb`, sorted lexically (by UTF-16
 * code units, so the result does not depend on the locale). With `only`, keep the names
 * that start with one of its prefixes (`00_`, `02`, `01_rates`, or a full file name).
 */
export function selectNotebooks(names: readonly string[], only: readonly string[] = []): string[] {
  const runnable = names.filter((n) => NOTEBOOK_FILE.test(n));
  runnable.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (only.length === 0) return runnable;
  return runnable.filter((n) => only.some((p) => n.startsWith(p)));
}

/** Options of the runner's command line. */
export interface RunOptions {
  /** Prefixes of the notebooks to run; empty = all. */
  only: string[];
  /** Run the later notebooks after a failure instead of stopping. */
  keepGoing: boolean;
  /** Print a line per executed cell, and the kernel's own stderr. */
  verbose: boolean;
  /** Time limit per cell in seconds; 0 = none. */
  cellTimeoutS: number;
  help: boolean;
}

/** Usage text of the runner. */
export const USAGE: string = `usage: deno task notebooks [options]
  --only P[,P...]        run only the notebooks whose file name starts with a prefix P
                         (e.g. --only 00_ or --only 01,03); may be repeated
  --keep-going           run the remaining notebooks after a failure
  --verbose              print each cell's wall time and the kernel's stderr
  --cell-timeout S       time limit per cell in seconds (default ${DEFAULT_CELL_TIMEOUT_S}; 0 = none)
  --help                 this text
Scale: REPRO_SCALE=ci|default|paper (default: default), REPRO_SET=key=value,..., REPRO_SEED=n.`;

/** Parse the runner's arguments; throws an Error with a readable message on bad input. */
export function parseRunArgs(args: readonly string[]): RunOptions {
  const opts: RunOptions = {
    only: [],
    keepGoing: false,
    verbose: false,
    cellTimeoutS: DEFAULT_CELL_TIMEOUT_S,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--only": {
        const parts = value().split(",").map((s) => s.trim()).filter((s) => s !== "");
        if (parts.length === 0) throw new Error("--only needs at least one prefix");
        opts.only.push(...parts);
        break;
      }
      case "--keep-going":
        opts.keepGoing = true;
        break;
      case "--verbose":
        opts.verbose = true;
        break;
      case "--cell-timeout": {
        const raw = value();
        const n = Number(raw);
        if (raw === "" || !Number.isInteger(n) || n < 0) {
          throw new Error(`--cell-timeout: expected a non-negative integer, got "${raw}"`);
        }
        opts.cellTimeoutS = n;
        break;
      }
      case "--help":
      case "-h":
        opts.help = true;
        break;
      default:
        throw new Error(`unknown argument "${arg}"`);
    }
  }
  return opts;
}

/**
 * Where the executed copy of `file` (a name in notebooks/) is written: in place at the
 * `default` scale on the simulation, `<resultsRoot>/notebooks/<file>` otherwise
 * (`figures/.scale-<scale>/notebooks/`, or `figures/.scale-<scale>-published/notebooks/` with
 * `REPRO_DATA=published`).
 */
export function executedPath(
  file: string,
  scale: ScaleName,
  source: DataSource = currentDataSource(),
): string {
  return scale === "default" && source === "simulation"
    ? repoPath("notebooks", file)
    : `${resultsRoot(scale, source)}/notebooks/${file}`;
}

/** The parts of an nbformat-4 notebook that the runner reads. */
export interface NotebookJson {
  cells: NotebookCell[];
  [key: string]: unknown;
}

/** One cell of a notebook (only the fields the runner reads). */
export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata?: { tags?: string[]; [key: string]: unknown };
  outputs?: NotebookOutput[];
  [key: string]: unknown;
}

/** One output of a code cell; error outputs carry ename, evalue and traceback. */
export interface NotebookOutput {
  output_type: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  [key: string]: unknown;
}

/** What the Python driver reports on its last stdout line (`REPRO_RESULT {...}`). */
export interface DriverResult {
  ok: boolean;
  /** Python exception class, e.g. CellExecutionError, CellTimeoutError, DeadKernelError. */
  exception: string | null;
  message: string | null;
  /** The kernel's error name and value, when a cell failed with an error reply. */
  ename?: string;
  evalue?: string;
  /** Index among all cells of the last cell started, or null if none started. */
  last_cell_index: number | null;
  seconds: number;
}

/** Find and parse the driver's `REPRO_RESULT {...}` line; undefined when there is none. */
export function parseDriverResult(stdout: string): DriverResult | undefined {
  const lines = stdout.split("\n").filter((l) => l.startsWith("REPRO_RESULT "));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  try {
    const r = JSON.parse(last.slice("REPRO_RESULT ".length)) as DriverResult;
    return typeof r.ok === "boolean" ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Where a failure happened and what it was. */
export interface FailureReport {
  /** Error name (the JS error class, or the Jupyter-side exception). */
  ename: string;
  evalue: string;
  traceback: string[];
  /** The failing cell, when known. */
  cell?: {
    /** 1-based position among the code cells. */
    codeNumber: number;
    codeCount: number;
    /** 0-based index among all cells (what nbclient and nbformat call the cell index). */
    cellIndex: number;
    id?: string;
    source: string;
  };
}

function sourceText(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function cellInfo(nb: NotebookJson, cellIndex: number): FailureReport["cell"] {
  const cell = nb.cells[cellIndex];
  if (cell === undefined) return undefined;
  let codeNumber = 0;
  let codeCount = 0;
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    codeCount++;
    if (i <= cellIndex) codeNumber = codeCount;
  });
  return { codeNumber, codeCount, cellIndex, id: cell.id, source: sourceText(cell) };
}

/**
 * The failure of a run, from the partially executed notebook and the driver's result:
 * the first code cell with an `error` output (cells tagged `raises-exception` are allowed
 * to fail and are skipped); else, for failures without an error output (a cell time-out,
 * a dead kernel), the last cell started with the driver's exception. Undefined when the
 * driver reported success.
 */
export function findFailure(
  nb: NotebookJson | undefined,
  driver: DriverResult | undefined,
): FailureReport | undefined {
  if (driver?.ok === true) return undefined;
  if (nb !== undefined) {
    for (let i = 0; i < nb.cells.length; i++) {
      const cell = nb.cells[i];
      if (cell.cell_type !== "code") continue;
      if (cell.metadata?.tags?.includes("raises-exception")) continue;
      const err = (cell.outputs ?? []).find((o) => o.output_type === "error");
      if (err !== undefined) {
        return {
          ename: err.ename ?? "Error",
          evalue: err.evalue ?? "",
          traceback: err.traceback ?? [],
          cell: cellInfo(nb, i),
        };
      }
    }
  }
  const ename = driver?.ename ?? driver?.exception ?? "Error";
  const evalue = driver?.ename !== undefined
    ? driver.evalue ?? ""
    : driver?.message ?? "the notebook driver ended without a result";
  const idx = driver?.last_cell_index;
  return {
    ename,
    evalue,
    traceback: [],
    cell: nb !== undefined && typeof idx === "number" ? cellInfo(nb, idx) : undefined,
  };
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Remove ANSI colour codes (Deno's tracebacks may carry them). */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

/** Most source lines shown in a failure report. */
export const MAX_SOURCE_LINES = 25;

/** A failure report as printed: notebook, cell, source, error, traceback. */
export function formatFailure(
  notebook: string,
  failure: FailureReport,
  seconds: number,
  partialPath?: string,
): string {
  const out: string[] = [];
  out.push(`[notebooks] FAILED: ${notebook} (after ${formatSeconds(seconds)})`);
  const c = failure.cell;
  if (c !== undefined) {
    const id = c.id !== undefined ? `id "${c.id}"` : "no id";
    out.push(
      `  cell: code cell ${c.codeNumber} of ${c.codeCount} (${id}; index ${c.cellIndex} ` +
        `among all cells)`,
    );
    const lines = c.source.replace(/\n$/, "").split("\n");
    out.push("  source:");
    for (const l of lines.slice(0, MAX_SOURCE_LINES)) out.push(`    | ${l}`);
    if (lines.length > MAX_SOURCE_LINES) {
      out.push(`    | ... (${lines.length - MAX_SOURCE_LINES} more lines)`);
    }
  } else {
    out.push("  cell: unknown (the failure happened outside a cell)");
  }
  const value = stripAnsi(failure.evalue).trimEnd();
  const valueLines = value.split("\n");
  out.push(`  error: ${failure.ename}: ${valueLines[0]}`);
  for (const l of valueLines.slice(1)) out.push(`    ${l}`);
  const tb = failure.traceback.flatMap((t) => stripAnsi(t).split("\n"));
  if (tb.length > 0) {
    out.push("  traceback:");
    for (const l of tb) out.push(`    ${l}`);
  }
  if (partialPath !== undefined) out.push(`  partially executed notebook: ${partialPath}`);
  return out.join("\n");
}

/**
 * True for the Deno kernel's bare "Error: Execution failed" without a traceback, which is
 * what it answers for a cell that does not parse (a syntax error).
 */
export function isBareExecutionFailure(f: FailureReport): boolean {
  return f.ename === "Error" && f.evalue === "Execution failed" && f.traceback.length === 0;
}

/** The useful lines of a `deno fmt` parse error: message and the marked source lines. */
export function cleanParseError(stderr: string): string[] {
  const lines: string[] = [];
  for (const raw of stripAnsi(stderr).split("\n")) {
    if (raw.startsWith("Stack backtrace:")) break;
    const l = raw.replace(/^error: /, "").replace(/file:\/\/\S*_stdin\.ts/, "cell");
    if (l.trim() !== "") lines.push(l);
  }
  return lines;
}

/**
 * The kernel gives no details on syntax errors, so ask `deno fmt` to parse the cell: it
 * names the error and marks the line and column. Empty when the source parses.
 */
async function parseErrorOf(source: string): Promise<string[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=ts", "-"],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(source));
  await w.close();
  const out = await child.output();
  return out.code === 0 ? [] : cleanParseError(new TextDecoder().decode(out.stderr));
}

/** Lines of the kernel's stderr that carry no information (Deno's own banner). */
function interestingStderr(text: string): string {
  return text.split("\n")
    .filter((l) => !stripAnsi(l).includes(`"deno jupyter" is unstable`))
    .join("\n").trim();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function readNotebook(path: string): Promise<NotebookJson | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as NotebookJson;
  } catch {
    return undefined;
  }
}

async function main(args: string[]): Promise<number> {
  let opts: RunOptions;
  let scale: ScaleName;
  try {
    opts = parseRunArgs(args);
    scale = currentScale();
  } catch (e) {
    console.error(`[notebooks] ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }

  const dir = repoPath("notebooks");
  const names: string[] = [];
  if (await exists(dir)) {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  }
  const all = selectNotebooks(names);
  const skipped = names.filter((n) => n.endsWith(".ipynb") && !NOTEBOOK_FILE.test(n)).sort();
  if (skipped.length > 0) {
    console.log(`[notebooks] not run (name is not NN_*.ipynb): ${skipped.join(", ")}`);
  }
  if (all.length === 0) {
    console.log("[notebooks] no notebooks/NN_*.ipynb found: nothing to run");
    return 0;
  }
  const selected = selectNotebooks(all, opts.only);
  if (selected.length === 0) {
    console.error(
      `[notebooks] --only ${opts.only.join(",")} matches none of: ${all.join(", ")}`,
    );
    return 2;
  }

  const python = await findPythonWith(RUNNER_PY_MODULES);
  if (python === undefined) {
    console.error(
      `[notebooks] no Python with ${RUNNER_PY_MODULES.join(", ")} found ` +
        `(looked at /usr/bin/python3 and python3 on PATH): run "deno task setup" first`,
    );
    return 1;
  }

  // NO_COLOR keeps ANSI colour codes out of the saved outputs.
  const env = await jupyterEnv({ REPRO_SCALE: scale, NO_COLOR: "1" });
  const where = scale === "default" && currentDataSource() === "simulation"
    ? "in place in notebooks/"
    : `to ${relToRepo(`${resultsRoot(scale)}/notebooks`)}/`;
  console.log(
    `[notebooks] ${selected.length} notebook(s) at REPRO_SCALE=${scale}, saved ${where}`,
  );

  // On a terminal the result goes on the notebook's line (not with --verbose's cell lines).
  const tty = Deno.stdout.isTerminal() && !opts.verbose;
  const enc = new TextEncoder();
  const failed: string[] = [];
  let done = 0;
  const t0 = performance.now();
  let tmpDir: string | undefined;
  for (const [k, name] of selected.entries()) {
    const src = repoPath("notebooks", name);
    const dest = executedPath(name, scale);
    let target = dest;
    if (dest === src) {
      // Never leave a half-run notebook in notebooks/: run into a temporary file first.
      tmpDir ??= await Deno.makeTempDir({ prefix: "repro-notebooks-" });
      target = `${tmpDir}/${name}`;
    } else {
      await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    }
    done++;
    const head = `[notebooks] ${k + 1}/${selected.length} ${name}`;
    if (tty) await Deno.stdout.write(enc.encode(`${head} ...`));
    else console.log(`${head}: running`);

    const start = performance.now();
    const proc = await new Deno.Command(python, {
      args: [
        EXECUTE_DRIVER_PATH,
        src,
        target,
        repoPath("notebooks"),
        String(opts.cellTimeoutS),
        ...(opts.verbose ? ["--verbose"] : []),
      ],
      env,
      stdin: "null",
      stdout: "piped",
      stderr: opts.verbose ? "inherit" : "piped",
    }).output();
    const seconds = (performance.now() - start) / 1000;
    const dec = new TextDecoder();
    const stdout = dec.decode(proc.stdout);
    const driver = parseDriverResult(stdout);

    if (proc.code === 0 && driver?.ok === true) {
      if (target !== dest) {
        await Deno.copyFile(target, dest);
        await Deno.remove(target);
      }
      const line = `ok in ${formatSeconds(seconds)} -> ${relToRepo(dest)}`;
      if (tty) await Deno.stdout.write(enc.encode(` ${line}\n`));
      else console.log(`${head}: ${line}`);
      continue;
    }

    if (tty) await Deno.stdout.write(enc.encode(" FAILED\n"));
    failed.push(name);
    const nb = driver !== undefined ? await readNotebook(target) : undefined;
    const failure = findFailure(nb, driver)!;
    if (isBareExecutionFailure(failure) && failure.cell !== undefined) {
      const parse = await parseErrorOf(failure.cell.source);
      if (parse.length > 0) {
        failure.traceback = [
          "(the Deno kernel gives no details for a cell that does not parse; deno fmt says:)",
          ...parse,
        ];
      }
    }
    console.error(
      formatFailure(name, failure, seconds, nb !== undefined ? relToRepo(target) : undefined),
    );
    const rest = [
      driver === undefined ? stdout.trim() : "",
      opts.verbose ? "" : interestingStderr(dec.decode(proc.stderr)),
    ].filter((s) => s !== "");
    // Without an error output, the Jupyter side (kernel start, time-out) says what happened.
    if (rest.length > 0 && (failure.traceback.length === 0 || driver === undefined)) {
      console.error("  output of the notebook driver:");
      for (const l of rest.join("\n").split("\n")) console.error(`    ${l}`);
    }
    if (!opts.keepGoing) break;
  }
  const total = formatSeconds((performance.now() - t0) / 1000);
  if (failed.length > 0) {
    const notRun = selected.length - done;
    console.error(
      `[notebooks] ${failed.length} failed (${failed.join(", ")})` +
        (notRun > 0 ? `, ${notRun} not run` : "") + `; total ${total}`,
    );
    return 1;
  }
  if (tmpDir !== undefined) await Deno.remove(tmpDir, { recursive: true });
  console.log(`[notebooks] all ${selected.length} ok in ${total}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
