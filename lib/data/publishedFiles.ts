/**
 * Where the papers' published files are expected, and how a notebook finds them when it runs
 * with `REPRO_DATA=published` (lib/data/source.ts).
 *
 *     REPRO_PUBLISHED_DIR=<folder>     (default data/published/; a relative path is taken
 *                                       from the repository root, not from the notebook's
 *                                       working folder)
 *
 * Layout under that folder (one sub-folder per group of files; the file names only need to
 * be recognised by the loaders' name patterns, so the published names work as they are):
 *
 *     paper1_hlf/        the paper-1 HLF files (also notebook 03, section 3):
 *                        Wlnu_lepFilter_13TeV.h5, qcd_lepFilter_13TeV.h5,
 *                        Zll_lepFilter_13TeV.h5, ttbar_lepFilter_13TeV.h5,
 *                        Ato4l_lepFilter_13TeV.h5, leptoquark_LOWMASS_lepFilter_13TeV.h5,
 *                        hToTauTau_13TeV_PU20.h5, hChToTauNu_13TeV_PU20.h5
 *     paper3_opendata/   the paper-3 CMS Open Data ntuples ((N, 23) `data` + `n_tot`): the
 *                        2012 SingleMu data (a name containing "SingleMu" or "Run2012", or
 *                        starting with "data"), W1Jets..W4Jets, DY1Jets..DY4Jets, TTbar
 *     paper2_dijet/      the paper-2 dijet files (`jetConstituentsList` + `eventFeatures`), named
 *                        as in its authors' code: QCD `qcd_sqrtshatTeV_13TeV_PU40*.h5` (any
 *                        name starting with "qcd"; one file, or the SIDEBAND / SIGNALREGION
 *                        files, or `_000.h5`, `_001.h5` parts: all are read), the gravitons
 *                        `RSGraviton_WW_NARROW_13TeV_PU40_1.5TeV.h5`, `..._BROAD_...`
 *                        (1.5, 2.5, 3.5, 4.5 TeV; "3p5TeV" also matches) and
 *                        `RSGraviton_tt_NARROW_13TeV_PU40.h5`, `RSGraviton_tt_BROAD_13TeV_PU40.h5`
 *                        (3.5 TeV; a "_3.5TeV" suffix may be present). Every file matching a
 *                        sample's pattern is read, in name order ({@link locatePublishedFileSets})
 *     paper4_rmm/        the paper-4 RMM ROOT files (Map2RMM trees `inputNN` + `dimensions`,
 *                        T5N10), one sample per name, named like the simulated datasets with
 *                        an optional `rmm13_` prefix: `SM*.root` (one file or parts, read as
 *                        one mixture), `Zprime_<m>TeV*.root`, `Wprime_<m>TeV*.root`,
 *                        `DM_<m>TeV*.root` (m = 1, 1.5, ..., 6; "1p5TeV" also matches) and
 *                        `Hplus_0.5TeV*.root` ({@link paper4RmmFileSpec}; paper 4 prints no
 *                        file names)
 *
 * `deno task fetch <name>` writes a manifest entry `<name>` to `<folder>/<name>/<file>`; that
 * folder is searched too, so fetched files are found where fetch puts them.
 *
 * A missing file is a {@link PublishedFileError} naming the path the notebook expected and the
 * fetch command (and saying so when data/manifest.json does not list the dataset yet: the
 * papers cite their Zenodo / CERN Open Data records without printing file URLs, so this
 * repository records no URL it could not check).
 *
 * Light module: no HDF5/ROOT/polars imports.
 */
import { repoPath } from "../repro/paths.ts";
import { DATA_SOURCE_ENV, DataSourceError } from "./source.ts";
import { datasetRegistryPath, loadDatasetRegistry } from "./manifest.ts";

/** The environment variable naming the folder of the published files. */
export const PUBLISHED_DIR_ENV = "REPRO_PUBLISHED_DIR";

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * The folder of the published files: `REPRO_PUBLISHED_DIR` (relative paths from the
 * repository root) or `data/published/`. `env` replaces the environment lookup (tests).
 */
export function publishedDir(env: (name: string) => string | undefined = readEnv): string {
  const v = (env(PUBLISHED_DIR_ENV) ?? "").trim();
  if (v === "") return repoPath("data", "published");
  const abs = v.startsWith("/") ? v : repoPath(v);
  return abs.replace(/\/+$/, "");
}

/** A published file a notebook needs. */
export interface PublishedFileSpec {
  /** Sample key used by the notebook inputs (e.g. `W`, `Ato4l`, `data`, `W2Jets`). */
  sample: string;
  /** Name of its data/manifest.json entry (for `deno task fetch <dataset>`). */
  dataset: string;
  /** Sub-folder of the published folder holding the group of files. */
  group: string;
  /** The file name as the papers' records name it (what error messages suggest). */
  file: string;
  /** Whether a file name (no folder) holds this sample. */
  matches: (fileName: string) => boolean;
  /** What it is, for messages. */
  what: string;
}

/** The sub-folder of the paper-1 HLF files. */
export const PAPER1_HLF_GROUP = "paper1_hlf";
/** The sub-folder of the paper-3 CMS Open Data ntuples. */
export const PAPER3_OPEN_DATA_GROUP = "paper3_opendata";

const H5_EXT = /\.(h5|hdf5)$/i;

function hlfSpec(sample: string, file: string, pattern: RegExp, what: string): PublishedFileSpec {
  return {
    sample,
    dataset: `paper1_hlf_${sample}`,
    group: PAPER1_HLF_GROUP,
    file,
    matches: (name) => H5_EXT.test(name) && pattern.test(name),
    what: `paper 1 HLF file, ${what}`,
  };
}

/**
 * The eight paper-1 HLF files (Cerri et al., JHEP 05 (2019) 036, section 3; the same
 * patterns as lib/data/published/hlfBenchmark.ts `HLF_SAMPLE_PATTERNS`).
 */
export const PAPER1_HLF_FILES: Readonly<Record<string, PublishedFileSpec>> = Object.freeze({
  W: hlfSpec("W", "Wlnu_lepFilter_13TeV.h5", /^wlnu|^wjets|^w_/i, "SM W -> l nu"),
  QCD: hlfSpec("QCD", "qcd_lepFilter_13TeV.h5", /^qcd/i, "SM QCD multijet"),
  Z: hlfSpec("Z", "Zll_lepFilter_13TeV.h5", /^zll|^zjets|^z_/i, "SM Z -> l l"),
  ttbar: hlfSpec("ttbar", "ttbar_lepFilter_13TeV.h5", /^ttbar|^tt_/i, "SM ttbar"),
  Ato4l: hlfSpec("Ato4l", "Ato4l_lepFilter_13TeV.h5", /^ato4l/i, "BSM A -> 4 l"),
  leptoquark: hlfSpec(
    "leptoquark",
    "leptoquark_LOWMASS_lepFilter_13TeV.h5",
    /^leptoquark/i,
    "BSM LQ -> b tau",
  ),
  hToTauTau: hlfSpec("hToTauTau", "hToTauTau_13TeV_PU20.h5", /^htotautau/i, "BSM h0 -> tau tau"),
  hChToTauNu: hlfSpec(
    "hChToTauNu",
    "hChToTauNu_13TeV_PU20.h5",
    /^hchtotaunu/i,
    "BSM h+ -> tau nu",
  ),
});

function odSpec(sample: string, file: string, pattern: RegExp, what: string): PublishedFileSpec {
  return {
    sample,
    dataset: `paper3_opendata_${sample}`,
    group: PAPER3_OPEN_DATA_GROUP,
    file,
    matches: (name) => H5_EXT.test(name) && pattern.test(name),
    what: `paper 3 CMS Open Data ntuple, ${what}`,
  };
}

/**
 * The paper-3 CMS Open Data ntuples (Knapp et al., EPJ Plus 136 (2021) 236, section 4 and
 * appendix A), with the sample names of lib/data/published/openData8TeV.ts
 * (`OPEN_DATA_8TEV_SAMPLES`; matched in file names as `openDataSampleFromFileName` does).
 * `data` is required, and TTbar; of the W and DY jet bins, those present are used (at least
 * one of each).
 */
const OPEN_DATA_JET_BINS = [
  "W1Jets",
  "W2Jets",
  "W3Jets",
  "W4Jets",
  "DY1Jets",
  "DY2Jets",
  "DY3Jets",
  "DY4Jets",
] as const;
const OPEN_DATA_MC_PATTERN = /w[1-4]jets|dy[1-4]jets|ttbar|ttjets|^tt_/i;

export const PAPER3_OPEN_DATA_FILES: Readonly<Record<string, PublishedFileSpec>> = Object.freeze({
  data: {
    ...odSpec("data", "SingleMu_Run2012B_8TeV.h5", /singlemu|^data|run2012/i, "2012 SingleMu data"),
    // A simulated sample whose name mentions Run2012 is not the data.
    matches: (name: string) =>
      H5_EXT.test(name) && /singlemu|^data|run2012/i.test(name) &&
      !OPEN_DATA_MC_PATTERN.test(name),
  },
  ...Object.fromEntries(OPEN_DATA_JET_BINS.map((s) => [
    s,
    odSpec(
      s,
      `${s}_8TeV.h5`,
      new RegExp(s, "i"),
      `${s.startsWith("W") ? "W" : "Z/gamma*"}+jets simulation (${s})`,
    ),
  ])),
  TTbar: odSpec("TTbar", "TTbar_8TeV.h5", /ttbar|ttjets|^tt_/i, "ttbar simulation"),
});

// ---------------------------------------------------------------------------------------
// Paper 2 dijet files
// ---------------------------------------------------------------------------------------

/** The sub-folder of the paper-2 dijet files. */
export const PAPER2_DIJET_GROUP = "paper2_dijet";

function dijetSpec(sample: string, file: string, pattern: RegExp, what: string): PublishedFileSpec {
  return {
    sample,
    dataset: `paper2_dijet_${sample}`,
    group: PAPER2_DIJET_GROUP,
    file,
    matches: (name) => H5_EXT.test(name) && pattern.test(name),
    what: `paper 2 dijet file(s), ${what}`,
  };
}

/** The graviton masses (TeV) of paper 2 (section 2.3): W W at each, t t-bar at 3.5. */
const PAPER2_WW_MASSES = [1.5, 2.5, 3.5, 4.5] as const;

/** `_1.5TeV`, `_1p5TeV`, `-1.5TeV` (not inside "13TeV"). */
function massPattern(m: number): string {
  const [a, b] = m.toFixed(1).split(".");
  return `[_-]${a}[.p]${b}tev`;
}

/**
 * The paper-2 dijet files (Pierini et al., VAE on jet images; names of its authors' code,
 * github.com/kingusiu/vande `config/sample_dict.py`, which the paper does not print), keyed
 * by the names of the simulated samples (`dijet13_<key>` in lib/data/dijetSamples.ts):
 *
 * - `QCD`: every file whose name starts with "qcd" (`qcd_sqrtshatTeV_13TeV_PU40.h5`, or the
 *   `..._SIDEBAND` / `..._SIGNALREGION` files, or `_NNN.h5` parts): the side band and the
 *   signal region are selected by |DeltaEtaJJ|, so any split of the files works;
 * - `GtoWW_<m>TeV` / `GtoWW_<m>TeV_broad` (m = 1.5, 2.5, 3.5, 4.5):
 *   `RSGraviton_WW_NARROW_13TeV_PU40_<m>TeV*.h5` / `RSGraviton_WW_BROAD_13TeV_PU40_<m>TeV*.h5`;
 * - `Gtott_3.5TeV` / `Gtott_3.5TeV_broad`: `RSGraviton_tt_NARROW_13TeV_PU40*.h5` /
 *   `RSGraviton_tt_BROAD_13TeV_PU40*.h5` (only 3.5 TeV exists).
 */
export const PAPER2_DIJET_FILES: Readonly<Record<string, PublishedFileSpec>> = Object.freeze({
  QCD: dijetSpec(
    "QCD",
    "qcd_sqrtshatTeV_13TeV_PU40.h5",
    /^qcd/i,
    "QCD multijet (side band and signal region)",
  ),
  ...Object.fromEntries(PAPER2_WW_MASSES.flatMap((m) =>
    (["narrow", "broad"] as const).map((w) => {
      const key = `GtoWW_${m.toFixed(1)}TeV${w === "broad" ? "_broad" : ""}`;
      return [
        key,
        dijetSpec(
          key,
          `RSGraviton_WW_${w.toUpperCase()}_13TeV_PU40_${m.toFixed(1)}TeV.h5`,
          new RegExp(`^rsgraviton_ww_${w}_.*${massPattern(m)}`, "i"),
          `RS graviton -> W W, ${m.toFixed(1)} TeV, ${w}`,
        ),
      ];
    })
  )),
  ...Object.fromEntries((["narrow", "broad"] as const).map((w) => {
    const key = `Gtott_3.5TeV${w === "broad" ? "_broad" : ""}`;
    return [
      key,
      dijetSpec(
        key,
        `RSGraviton_tt_${w.toUpperCase()}_13TeV_PU40.h5`,
        new RegExp(`^rsgraviton_tt_${w}_`, "i"),
        `RS graviton -> t t-bar, 3.5 TeV, ${w}`,
      ),
    ];
  })),
});

// ---------------------------------------------------------------------------------------
// Paper 4 RMM ROOT files
// ---------------------------------------------------------------------------------------

/** The sub-folder of the paper-4 RMM ROOT files. */
export const PAPER4_RMM_GROUP = "paper4_rmm";

const ROOT_EXT = /\.root$/i;

/** The BSM models of paper 4 with a mass grid (section 3.1), and the H+ benchmark. */
const PAPER4_RMM_MODELS: Readonly<Record<string, string>> = Object.freeze({
  Zprime: "SSM Z'",
  Wprime: "SSM W'",
  DM: "simplified dark-matter model with W",
  Hplus: "charged Higgs H+ t",
});

/**
 * The file spec of one paper-4 RMM sample (Chekanov & Hopkins, Universe 8 (2022) 494; RMMs
 * written by the authors' Map2RMM code as ROOT trees, lib/data/published/rmmRoot.ts). Paper 4
 * names the samples (SM mixture; SSM Z', W' and the DM model at 1-6 TeV in 0.5 TeV steps;
 * H+ at 0.5 TeV) but prints no file names, so the files are expected under the names of the
 * simulated datasets (lib/data/rmmDatasets.ts), with or without their `rmm13_` prefix:
 *
 * - `SM`: every `.root` file whose name starts with "SM" (`SM.root`, `SM_part1.root`, ...):
 *   the parts of one SM mixture;
 * - `<model>_<m>TeV` (model Zprime, Wprime, DM, Hplus; e.g. `Zprime_1.5TeV`): files named
 *   `<model>_<m>TeV*.root` (`1p5TeV` and `1.0TeV` also match; `Zprime_1TeV` does not match
 *   `Zprime_1.5TeV.root`).
 *
 * Throws a {@link DataSourceError} for any other sample name.
 */
export function paper4RmmFileSpec(sample: string): PublishedFileSpec {
  const base = {
    sample,
    dataset: `paper4_rmm_${sample}`,
    group: PAPER4_RMM_GROUP,
    file: `${sample}.root`,
  };
  if (sample === "SM") {
    return {
      ...base,
      matches: (name) => ROOT_EXT.test(name) && /^(rmm13_)?sm([^a-z]|$)/i.test(name),
      what: "paper 4 RMM file(s), SM mixture",
    };
  }
  const m = /^([A-Za-z]+)_([0-9]+(?:\.[0-9]+)?)TeV$/.exec(sample);
  if (!m || !(m[1] in PAPER4_RMM_MODELS)) {
    throw new DataSourceError(
      `no paper-4 RMM file pattern for "${sample}"; known: SM, ` +
        `<${Object.keys(PAPER4_RMM_MODELS).join("|")}>_<mass>TeV`,
    );
  }
  const [whole, frac = "0"] = m[2].split(".");
  const fracPart = frac.replace(/0+$/, "");
  const mass = fracPart === "" ? `${whole}(?:[.p]0+)?` : `${whole}[.p]${fracPart}0*`;
  const pattern = new RegExp(`^(rmm13_)?${m[1]}[_-]?${mass}tev`, "i");
  return {
    ...base,
    matches: (name) => ROOT_EXT.test(name) && pattern.test(name),
    what: `paper 4 RMM file(s), ${PAPER4_RMM_MODELS[m[1]]}, M = ${Number(m[2])} TeV`,
  };
}

/** A published file that is missing or cannot be told apart from another. */
export class PublishedFileError extends DataSourceError {
  /** The path the notebook expected. */
  readonly expected: string;
  constructor(message: string, expected: string) {
    super(message);
    this.name = "PublishedFileError";
    this.expected = expected;
  }
}

async function listDir(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) out.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return [];
    throw e;
  }
  return out.sort();
}

/** The folders searched for `spec`, in order: `<dir>/<group>/`, `<dir>/<dataset>/`. */
export function searchFolders(spec: PublishedFileSpec, dir: string = publishedDir()): string[] {
  return [`${dir}/${spec.group}`, `${dir}/${spec.dataset}`];
}

/** The path suggested for `spec` in messages: `<dir>/<group>/<file>`. */
export function expectedPath(spec: PublishedFileSpec, dir: string = publishedDir()): string {
  return `${dir}/${spec.group}/${spec.file}`;
}

async function listedDatasets(): Promise<Set<string>> {
  try {
    const reg = await loadDatasetRegistry();
    return new Set(reg.datasets.filter((d) => d.source !== "simulation").map((d) => d.name));
  } catch {
    return new Set();
  }
}

async function findIn(spec: PublishedFileSpec, dir: string): Promise<string | null> {
  for (const folder of searchFolders(spec, dir)) {
    const hits = (await listDir(folder)).filter((n) => spec.matches(n));
    if (hits.length === 1) return `${folder}/${hits[0]}`;
    if (hits.length > 1) {
      throw new PublishedFileError(
        `${folder}: ${hits.length} files look like the ${spec.what} (${hits.join(", ")}); ` +
          "keep one of them there",
        expectedPath(spec, dir),
      );
    }
  }
  return null;
}

/**
 * The error for missing files: each expected path with its fetch command, then where else
 * the files may lie and how to get them.
 */
async function missingError(missing: readonly PublishedFileSpec[], dir: string) {
  const listed = await listedDatasets();
  const lines = missing.map((s) =>
    `- ${expectedPath(s, dir)} (${s.what}): \`deno task fetch ${s.dataset}\`` +
    (listed.has(s.dataset) ? "" : " (not in the manifest yet)")
  );
  const unlisted = missing.filter((s) => !listed.has(s.dataset));
  return new PublishedFileError(
    `${
      missing.length === 1 ? "missing published file" : `${missing.length} published files missing`
    }` +
      ` (${PUBLISHED_DIR_ENV}=${dir}; unset ${DATA_SOURCE_ENV} to run on the built-in ` +
      `simulation):\n${lines.join("\n")}\n` +
      "Any .h5 / .root name the loader recognises will do, in <folder>/<group>/ or where " +
      "`deno task fetch` puts it, <folder>/<dataset>/." +
      (unlisted.length
        ? ` ${datasetRegistryPath()} does not list ${
          unlisted.length === missing.length ? "these datasets" : "the ones marked"
        } yet (the papers cite their Zenodo / CERN Open Data records without file URLs): ` +
          "add each entry with its URL and sha256 so that `deno task fetch <dataset>` " +
          "downloads it, or copy the files there by hand."
        : ""),
    expectedPath(missing[0], dir),
  );
}

/**
 * Find the file of `spec` under `dir`: the one file whose name `spec.matches` in
 * `<dir>/<group>/` (else in `<dir>/<dataset>/`). `optional`: return null when absent
 * instead of throwing. Throws a {@link PublishedFileError} naming the expected path and the
 * fetch command when the file is missing, or listing the candidates when several match.
 */
export async function locatePublishedFile(
  spec: PublishedFileSpec,
  dir: string = publishedDir(),
  opts: { optional?: boolean } = {},
): Promise<string | null> {
  const found = await findIn(spec, dir);
  if (found !== null || opts.optional) return found;
  throw await missingError([spec], dir);
}

/**
 * Find the files of `specs` (keyed by sample); the samples in `optional` may be absent
 * (null). All missing required files are reported in one {@link PublishedFileError}.
 */
export async function locatePublishedFiles(
  specs: readonly PublishedFileSpec[],
  dir: string = publishedDir(),
  optional: ReadonlySet<string> = new Set(),
): Promise<Record<string, string | null>> {
  const found: Record<string, string | null> = {};
  const missing: PublishedFileSpec[] = [];
  for (const s of specs) {
    found[s.sample] = await findIn(s, dir);
    if (found[s.sample] === null && !optional.has(s.sample)) missing.push(s);
  }
  if (missing.length) throw await missingError(missing, dir);
  return found;
}

/**
 * All files of each of `specs` (keyed by sample), for samples that may be split over several
 * files: every name `spec.matches` in `<dir>/<group>/` (else in `<dir>/<dataset>/`), sorted
 * by name. All samples with no file are reported in one {@link PublishedFileError}.
 */
export async function locatePublishedFileSets(
  specs: readonly PublishedFileSpec[],
  dir: string = publishedDir(),
): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  const missing: PublishedFileSpec[] = [];
  for (const s of specs) {
    found[s.sample] = [];
    for (const folder of searchFolders(s, dir)) {
      const hits = (await listDir(folder)).filter((n) => s.matches(n));
      if (hits.length) {
        found[s.sample] = hits.map((h) => `${folder}/${h}`);
        break;
      }
    }
    if (found[s.sample].length === 0) missing.push(s);
  }
  if (missing.length) throw await missingError(missing, dir);
  return found;
}
