/**
 * Where things live in the repository. Paths are resolved from this file's location, so
 * they are right whatever the working directory (the Jupyter kernel's cwd is notebooks/).
 */
import type { ScaleName } from "./scale.ts";
import { currentDataSource, type DataSource } from "../data/source.ts";

/** Absolute path of the repository root (two levels above lib/repro/). */
export const REPO_ROOT: string = decodeURIComponent(new URL("../../", import.meta.url).pathname)
  .replace(/\/$/, "");

/** Absolute path inside the repository. */
export function repoPath(...parts: string[]): string {
  return [REPO_ROOT, ...parts].join("/");
}

/**
 * The folder holding a run's notebook folders: `figures/` for the committed `default` run on
 * the simulation, `figures/.scale-<scale>/` for any other scale, and
 * `figures/.scale-<scale>-published/` for any run on the papers' published files
 * (`REPRO_DATA=published`), so neither test runs nor published-data runs overwrite the
 * committed results (all `.scale-*` folders are git-ignored). `source` defaults to REPRO_DATA.
 */
export function resultsRoot(
  scale: ScaleName,
  source: DataSource = currentDataSource(),
): string {
  if (source === "published") return repoPath("figures", `.scale-${scale}-published`);
  return scale === "default" ? repoPath("figures") : repoPath("figures", `.scale-${scale}`);
}

/**
 * Output folder of a notebook's figures and key figures: `<resultsRoot>/<notebook>/`, i.e.
 * `figures/<notebook>/` for the committed `default` run, `figures/.scale-<scale>/<notebook>/`
 * for any other scale (`.scale-<scale>-published/` on published data).
 */
export function figuresDir(
  notebook: string,
  scale: ScaleName,
  source: DataSource = currentDataSource(),
): string {
  return `${resultsRoot(scale, source)}/${notebook}`;
}

/** Folder of generated-data and trained-model caches (git-ignored). */
export function cacheDir(): string {
  return repoPath("data", "cache");
}
