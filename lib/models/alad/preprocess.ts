/**
 * Input preprocessing of the ALAD model (paper 3, section 3): "The discrete quantities
 * (q_l, IsEle, N_mu and N_e) are represented through one-hot encoding. The other features are
 * standardized to a zero median and unit variance. The resulting vector ... has a dimension
 * of 39."
 *
 * The 39 dimensions for paper 1's 21 HLF (lib/features/hlf21.ts) are, in this order (the
 * order of paper 3's code, `HLFDataPreprocessorV2`: continuous block, then one-hot blocks):
 * - 17 continuous: HT, METp, METo, MT, nJets, bJets, allJetMass, LepPt, LepIsoCh,
 *   LepIsoGamma, LepIsoNeu, allMuMass, allMuPt, allEleMass, allElePt, nChHad, nNeuHad;
 * - 22 one-hot: LepCharge in {-1, +1} (2), LepIsEle in {0, 1} (2), nMu in {0..8} (9),
 *   nEle in {0..8} (9).
 * 17 + 2 + 2 + 9 + 9 = 39. The categories are those of the code's benchmark config; values
 * outside a feature's range are clipped to it first (so nMu >= 8 falls in the "8" bin, as in
 * the code); a value inside the range that is not a category is an error.
 *
 * Scaling of the continuous features, three options:
 * - "median-std" (the default, the paper's words): x' = (x - median) / std, std the population
 *   standard deviation: "standardized to a zero median and unit variance" (section 3);
 * - "robust" (paper 3's code, sklearn's `RobustScaler`): x' = (x - median) / IQR, IQR =
 *   q75 - q25 (linear-interpolation quantiles, numpy's default), with one departure: where
 *   the IQR is zero, sklearn leaves the column in raw units (scale 1); here it is scaled by
 *   its standard deviation instead;
 * - "standard": (x - mean) / std.
 * A zero standard deviation (a constant column) gives scale 1.
 *
 * Why not the code's IQR (measured on notebook 03's ci cocktail): the lepton and jet masses
 * are point masses, 0 for events without such objects and the single object's mass otherwise
 * (0.000511 GeV for one electron, 0.106 GeV for one muon, 0 for fewer than two jets; each
 * of those holds more than a quarter of the events), so their IQR is the distance between two
 * point masses (allEleMass 0.00051, allMuMass 0.106, allJetMass 2.0), not a width. Scaled
 * by it, the multi-lepton and multi-jet tails reach 10^2 - 10^5 (a Z -> ee mass of 90 GeV
 * becomes 1.8e5), so the L1, L2 and Features scores are those three columns' magnitudes: the
 * mean L1 score of SM events is ~10^3, its AUCs stay at the "distance to the mean" baseline
 * (A -> 4l 0.83) however long ALAD trains (240 to 2000 steps at ci), because no generator
 * output can reach those values. Scaled by the standard deviation (12 GeV, 12 GeV, 56 GeV),
 * the mean L1 score falls from 18 to 2.5 as ALAD trains and the AUCs rise with it
 * (A -> 4l 0.62 -> 0.93, h0 -> tau tau 0.63 -> 0.76 over 2000 steps).
 *
 * Fit on training data, then apply to any sample; the fitted state is plain JSON.
 */
import { quantiles } from "../../stats/quantiles.ts";

/** A one-hot encoded discrete feature. */
export interface OneHotFeature {
  /** Column name. */
  name: string;
  /** Allowed values, ascending; one output dimension each. */
  categories: number[];
}

/** Scaling of the continuous features. */
export type AladScaling = "median-std" | "robust" | "standard";

/** Which columns are continuous and which one-hot encoded. */
export interface AladPreprocessConfig {
  /** Continuous columns, scaled. */
  continuous: string[];
  /** Discrete columns, one-hot encoded after clipping to their category range. */
  discrete: OneHotFeature[];
  /** Scaling of the continuous columns ("median-std" in the paper configs). */
  scaling: AladScaling;
}

/** Paper 3's preprocessing of paper 1's 21 HLF: 17 continuous + 22 one-hot = 39 inputs. */
export const HLF21_ALAD_PREPROCESS: Readonly<AladPreprocessConfig> = Object.freeze({
  continuous: [
    "HT",
    "METp",
    "METo",
    "MT",
    "nJets",
    "bJets",
    "allJetMass",
    "LepPt",
    "LepIsoCh",
    "LepIsoGamma",
    "LepIsoNeu",
    "allMuMass",
    "allMuPt",
    "allEleMass",
    "allElePt",
    "nChHad",
    "nNeuHad",
  ],
  discrete: [
    { name: "LepCharge", categories: [-1, 1] },
    { name: "LepIsEle", categories: [0, 1] },
    { name: "nMu", categories: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
    { name: "nEle", categories: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
  ],
  scaling: "median-std",
});

/** Input dimension produced by `config`. */
export function preprocessedDim(config: AladPreprocessConfig): number {
  return config.continuous.length + config.discrete.reduce((s, d) => s + d.categories.length, 0);
}

/**
 * Where columns come from: a record of arrays by name, or anything with `column(name)`
 * (e.g. lib/features/columnTable.ts's ColumnTable).
 */
export type ColumnSource =
  | Readonly<Record<string, ArrayLike<number>>>
  | { column(name: string): ArrayLike<number> };

function getColumn(src: ColumnSource, name: string): ArrayLike<number> {
  if (typeof (src as { column?: unknown }).column === "function") {
    return (src as { column(name: string): ArrayLike<number> }).column(name);
  }
  const col = (src as Readonly<Record<string, ArrayLike<number>>>)[name];
  if (col === undefined) throw new Error(`ALAD preprocessing: no column "${name}"`);
  return col;
}

function head(col: ArrayLike<number>, n: number): ArrayLike<number> {
  if (col.length === n) return col;
  const sub = (col as { subarray?: (a: number, b: number) => ArrayLike<number> }).subarray;
  if (typeof sub === "function") return sub.call(col, 0, n);
  return Float64Array.from({ length: n }, (_, i) => col[i]);
}

/** The fitted, serialisable state of an {@link AladPreprocessor}. */
export interface AladPreprocessorJson {
  /** Format tag. */
  kind: "alad-preprocessor";
  /** Format version (1). */
  version: 1;
  /** Column roles and scaling. */
  config: AladPreprocessConfig;
  /** Centre of each continuous column (median, or mean for "standard"). */
  center: number[];
  /** Scale per continuous column (std; IQR for "robust", std where it is 0; 1 if both are 0). */
  scale: number[];
  /** Rows the fit used. */
  fitRows: number;
}

/** Rows of a preprocessed sample. */
export interface PreprocessedMatrix {
  /** Row-major values, `rows * dim`. */
  data: Float32Array;
  /** Number of rows. */
  rows: number;
  /** Number of columns (39 for HLF21). */
  dim: number;
}

function validateConfig(config: AladPreprocessConfig): void {
  const seen = new Set<string>();
  for (const name of [...config.continuous, ...config.discrete.map((d) => d.name)]) {
    if (seen.has(name)) throw new Error(`ALAD preprocessing: column "${name}" listed twice`);
    seen.add(name);
  }
  for (const d of config.discrete) {
    if (d.categories.length === 0) {
      throw new Error(`ALAD preprocessing: "${d.name}" has no categories`);
    }
    for (let i = 1; i < d.categories.length; i++) {
      if (!(d.categories[i] > d.categories[i - 1])) {
        throw new Error(`ALAD preprocessing: categories of "${d.name}" must be ascending`);
      }
    }
  }
  if (!["median-std", "robust", "standard"].includes(config.scaling)) {
    throw new Error(
      `ALAD preprocessing: scaling "${config.scaling}" (median-std, robust or standard)`,
    );
  }
}

function cloneConfig(config: AladPreprocessConfig): AladPreprocessConfig {
  return {
    continuous: [...config.continuous],
    discrete: config.discrete.map((d) => ({ name: d.name, categories: [...d.categories] })),
    scaling: config.scaling,
  };
}

/** A scale at or below this (relative to the centre's magnitude) counts as zero. */
function zeroScale(center: number): number {
  return 10 * Number.EPSILON * Math.max(1, Math.abs(center));
}

/** Fitted preprocessing: scale continuous columns, one-hot encode discrete ones. */
export class AladPreprocessor {
  /** Column roles and scaling. */
  readonly config: AladPreprocessConfig;
  /** Centre per continuous column. */
  readonly center: Float64Array;
  /** Scale per continuous column. */
  readonly scale: Float64Array;
  /** Rows used by the fit. */
  readonly fitRows: number;

  private constructor(
    config: AladPreprocessConfig,
    center: Float64Array,
    scale: Float64Array,
    fitRows: number,
  ) {
    this.config = cloneConfig(config);
    this.center = center;
    this.scale = scale;
    this.fitRows = fitRows;
  }

  /**
   * Fit the scaling on training columns (`rows` = column length by default; the first
   * `rows` entries are used).
   */
  static fit(
    src: ColumnSource,
    config: AladPreprocessConfig = HLF21_ALAD_PREPROCESS,
    rows?: number,
  ): AladPreprocessor {
    validateConfig(config);
    const nc = config.continuous.length;
    const center = new Float64Array(nc);
    const scale = new Float64Array(nc);
    let n = rows ?? -1;
    config.continuous.forEach((name, j) => {
      const col = getColumn(src, name);
      if (n < 0) n = col.length;
      if (col.length < n) {
        throw new RangeError(`ALAD preprocessing: column "${name}" has ${col.length} < ${n} rows`);
      }
      const values = head(col, n);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(values[i])) {
          throw new RangeError(`ALAD preprocessing: ${name}[${i}] = ${values[i]}`);
        }
      }
      if (n === 0) throw new RangeError("ALAD preprocessing: cannot fit on zero rows");
      const std = (): number => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += values[i];
        const mean = sum / n;
        let ss = 0;
        for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
        return Math.sqrt(ss / n);
      };
      let c: number, s: number;
      if (config.scaling === "standard") {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += values[i];
        c = sum / n;
        s = std();
      } else {
        const q = quantiles(values, [0.25, 0.5, 0.75]);
        c = q[1];
        s = config.scaling === "robust" ? q[2] - q[0] : std();
        // Zero IQR (mostly-constant column): unit variance instead of raw units (see above).
        if (!(s > zeroScale(c))) s = std();
      }
      center[j] = c;
      scale[j] = s > zeroScale(c) ? s : 1;
    });
    return new AladPreprocessor(config, center, scale, Math.max(n, 0));
  }

  /** Restore from {@link toJSON}'s output. */
  static fromJSON(json: AladPreprocessorJson): AladPreprocessor {
    if (json?.kind !== "alad-preprocessor" || json.version !== 1) {
      throw new Error("AladPreprocessor.fromJSON: not an alad-preprocessor of version 1");
    }
    validateConfig(json.config);
    const nc = json.config.continuous.length;
    if (json.center.length !== nc || json.scale.length !== nc) {
      throw new Error(`AladPreprocessor.fromJSON: expected ${nc} centres and scales`);
    }
    return new AladPreprocessor(
      json.config,
      Float64Array.from(json.center),
      Float64Array.from(json.scale),
      json.fitRows,
    );
  }

  /** Plain-JSON fitted state. */
  toJSON(): AladPreprocessorJson {
    return {
      kind: "alad-preprocessor",
      version: 1,
      config: cloneConfig(this.config),
      center: Array.from(this.center),
      scale: Array.from(this.scale),
      fitRows: this.fitRows,
    };
  }

  /** Output dimension (39 for HLF21). */
  get dim(): number {
    return preprocessedDim(this.config);
  }

  /** Names of the output columns: continuous names, then `<name>=<category>`. */
  featureNames(): string[] {
    const out = [...this.config.continuous];
    for (const d of this.config.discrete) for (const c of d.categories) out.push(`${d.name}=${c}`);
    return out;
  }

  /** Preprocess `rows` rows (default: the column length) into a row-major float32 matrix. */
  transform(src: ColumnSource, rows?: number): PreprocessedMatrix {
    const cfg = this.config;
    const dim = this.dim;
    const first = cfg.continuous[0] ?? cfg.discrete[0]?.name;
    if (first === undefined) throw new Error("ALAD preprocessing: no columns configured");
    const n = rows ?? getColumn(src, first).length;
    const data = new Float32Array(n * dim);
    cfg.continuous.forEach((name, j) => {
      const col = getColumn(src, name);
      if (col.length < n) {
        throw new RangeError(`ALAD preprocessing: column "${name}" has ${col.length} < ${n} rows`);
      }
      const c = this.center[j];
      const inv = 1 / this.scale[j];
      for (let i = 0; i < n; i++) data[i * dim + j] = (col[i] - c) * inv;
    });
    let offset = cfg.continuous.length;
    for (const d of cfg.discrete) {
      const col = getColumn(src, d.name);
      if (col.length < n) {
        throw new RangeError(
          `ALAD preprocessing: column "${d.name}" has ${col.length} < ${n} rows`,
        );
      }
      const cats = d.categories;
      const lo = cats[0];
      const hi = cats[cats.length - 1];
      const index = new Map<number, number>(cats.map((c, k) => [c, k]));
      for (let i = 0; i < n; i++) {
        const raw = col[i];
        if (Number.isNaN(raw)) throw new RangeError(`ALAD preprocessing: ${d.name}[${i}] is NaN`);
        const v = raw < lo ? lo : raw > hi ? hi : raw;
        const k = index.get(v);
        if (k === undefined) {
          throw new RangeError(
            `ALAD preprocessing: ${d.name}[${i}] = ${raw} is not one of [${cats.join(", ")}]`,
          );
        }
        data[i * dim + offset + k] = 1;
      }
      offset += cats.length;
    }
    return { data, rows: n, dim };
  }
}
