/**
 * ROC curves that one notebook saves for another to overlay (notebook 03 draws the VAE ROC
 * of notebook 01 next to ALAD's, as paper 3 fig. 2 draws the VAE of paper 1): a small JSON
 * file `roc_curves.json` next to the notebook's key figures, holding thinned curves
 * (lib/stats/workingPoints.ts `thinRoc`), their AUCs (of the full curve) and the sample
 * sizes. The reader never recomputes: it shows what the other notebook measured.
 */
import { join } from "node:path";
import { figuresDir } from "./paths.ts";
import type { ScaleName } from "./scale.ts";
import { writeFileAtomic } from "./atomicFile.ts";
import { currentDataSource, type DataSource, DataSourceError } from "../data/source.ts";

/** File name of a notebook's saved ROC curves. */
export const ROC_CURVES_FILE = "roc_curves.json";

/** One saved ROC curve (thinned for plotting; `auc` is that of the full curve). */
export interface SavedRoc {
  fpr: number[];
  tpr: number[];
  auc: number;
  /** Background and signal events of the full curve. */
  nBkg: number;
  nSig: number;
  note?: string;
}

/** Content of roc_curves.json. */
export interface RocCurvesFile {
  notebook: string;
  scale: ScaleName;
  seed: number;
  /** The data the curves were measured on (files written before this field: simulation). */
  data?: DataSource;
  generated: string;
  curves: Record<string, SavedRoc>;
}

function checkCurve(name: string, c: SavedRoc, where: string): void {
  const ok = Array.isArray(c?.fpr) && Array.isArray(c?.tpr) && c.fpr.length === c.tpr.length &&
    c.fpr.length >= 2 && typeof c.auc === "number" && Number.isFinite(c.auc) &&
    c.fpr.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) &&
    c.tpr.every((v) => Number.isFinite(v) && v >= 0 && v <= 1);
  if (!ok) {
    throw new Error(`${where}: curve "${name}" is not a valid ROC (fpr, tpr in [0, 1], auc)`);
  }
}

/**
 * Write `curves` to `<dir>/roc_curves.json` (dir: the notebook's figures folder by default),
 * tagged with the data source (default: REPRO_DATA).
 */
export async function saveRocCurves(
  opts: { notebook: string; scale: ScaleName; seed: number; dir?: string; data?: DataSource },
  curves: Record<string, SavedRoc>,
): Promise<string> {
  for (const [k, c] of Object.entries(curves)) checkCurve(k, c, "saveRocCurves");
  const file: RocCurvesFile = {
    notebook: opts.notebook,
    scale: opts.scale,
    seed: opts.seed,
    data: opts.data ?? currentDataSource(),
    generated: new Date().toISOString(),
    curves,
  };
  const path = join(opts.dir ?? figuresDir(opts.notebook, opts.scale), ROC_CURVES_FILE);
  await writeFileAtomic(path, JSON.stringify(file) + "\n");
  return path;
}

/**
 * Read the ROC curves notebook `notebook` saved at `scale`; a missing file says which
 * notebook to run first. Curves measured on another data source than `opts.data` (default:
 * REPRO_DATA) are refused with a {@link DataSourceError}, so an overlay never mixes them.
 */
export async function readRocCurves(
  notebook: string,
  scale: ScaleName,
  opts: { dir?: string; data?: DataSource } = {},
): Promise<RocCurvesFile> {
  const data = opts.data ?? currentDataSource();
  const path = join(opts.dir ?? figuresDir(notebook, scale, data), ROC_CURVES_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      const env = (scale === "default" ? "" : `REPRO_SCALE=${scale} `) +
        (data === "published" ? "REPRO_DATA=published " : "");
      throw new Error(
        `${path} not found: run notebook ${notebook} at scale ${scale} first ` +
          `(${env}deno task notebooks --only ${notebook.slice(0, 3)})`,
      );
    }
    throw e;
  }
  const raw = JSON.parse(text) as RocCurvesFile;
  if (raw?.notebook !== notebook || typeof raw.curves !== "object" || raw.curves === null) {
    throw new Error(`${path}: not the roc_curves.json of ${notebook}`);
  }
  for (const [k, c] of Object.entries(raw.curves)) checkCurve(k, c, path);
  const got = raw.data ?? "simulation";
  if (got !== data) {
    throw new DataSourceError(
      `${path}: curves measured on ${got} data, this run uses ${data} data; run notebook ` +
        `${notebook} with REPRO_DATA=${data} first`,
    );
  }
  return raw;
}
