/**
 * Training as in paper 1 (section 4.1) and its code: Adam (Keras defaults, learning rate
 * 1e-3), batch size 1000, shuffling every epoch, early stopping on the validation loss
 * (patience 20, min delta 0.005), reduce-learning-rate-on-plateau (factor 0.1, patience 8,
 * min delta 0.01), stop on NaN; training and validation sets of equal size (the caller's
 * choice; the paper used 3.45M + 3.45M events). The max-norm constraint is applied after
 * each step. Like Keras 2.1 in the original, the final model is the last epoch's
 * (`restoreBest` keeps the best validation epoch instead), and the validation loss is
 * computed with a sampled z (`validationLatent`).
 *
 * Callback semantics are those of current Keras: a learning-rate cut after `patience`
 * epochs without an improvement larger than min delta, a stop after `patience` such
 * epochs (Keras 2.1 counted one more epoch in both).
 *
 * Deterministic given the seed: the shuffle of epoch e is
 * `Rng.stream(seed, "<model>-shuffle", e).permutation(n)`, the reparametrisation noise of
 * epoch e comes from `Rng.stream(seed, "<model>-eps", e)`, the validation noise from
 * `Rng.stream(seed, "<model>-val", e)`, the initial weights from the model's own seed.
 * Each epoch's rows are permuted once on the host and batches are views of that copy
 * (uploading a 1000 x 21 view is ~5 us on wasm, a row `slice` of a device tensor ~140 us).
 */
import { type EarlyStoppingOptions, PlateauMonitor, type ReduceLrOptions } from "../plateau.ts";
import { initTf } from "../../tf/backend.ts";
import { loadTensors, type Metadata, saveTensors } from "../../tf/modelIO.ts";
import { configHash, sha256Hex, writeJsonAtomic } from "../../data/manifest.ts";
import { cacheDir } from "../../repro/paths.ts";
import { Rng } from "../../random/rng.ts";
import { Adam, applyMaxNorm } from "./dense.ts";
import {
  type HlfRows,
  N_FEATURES,
  permuteHlfRows,
  sliceHlfRows,
  VAE_FEATURE_NAMES,
} from "./likelihoods.ts";
import { HlfVae, type HlfVaeConfig, type StepLosses, validateVaeConfig } from "./hlfVae.ts";

export type { EarlyStoppingOptions, ReduceLrOptions };

/** Options of {@link fit}, {@link trainHlfVae} and the plain AE trainer. */
export interface FitOptions {
  /** Maximum number of epochs (the budget knob at small scales). */
  maxEpochs: number;
  /** Batch size (paper: 1000). */
  batchSize?: number;
  /** Initial Adam learning rate (Keras default 1e-3). */
  learningRate?: number;
  /** Early stopping; null disables (default: patience 20, min delta 0.005). */
  earlyStopping?: EarlyStoppingOptions | null;
  /** Learning-rate cuts; null disables (default: factor 0.1, patience 8, min delta 0.01). */
  reduceLrOnPlateau?: ReduceLrOptions | null;
  /** Seed of shuffles and noise (default 1). */
  seed?: number;
  /** Keep the weights of the best validation epoch (default false, as the original). */
  restoreBest?: boolean;
  /** Stop after the epoch during which this wall time (s) was exceeded (default none). */
  maxSeconds?: number;
  /** Where the per-epoch progress lines go (default console.log; null for silence). */
  log?: ((line: string) => void) | null;
}

/** The paper's training settings (with a caller-given epoch budget). */
export const PAPER_FIT_OPTIONS: Required<Omit<FitOptions, "maxEpochs" | "maxSeconds" | "log">> =
  Object.freeze({
    batchSize: 1000,
    learningRate: 1e-3,
    earlyStopping: Object.freeze({ patience: 20, minDelta: 0.005 }),
    reduceLrOnPlateau: Object.freeze({ factor: 0.1, patience: 8, minDelta: 0.01, minLr: 0 }),
    seed: 1,
    restoreBest: false,
  });

/** One epoch of the history. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Training loss (mean over the epoch's batches, as Keras reports it). */
  loss: number;
  reco: number;
  kl: number;
  /** Validation loss on the whole validation set at the end of the epoch. */
  valLoss: number;
  valReco: number;
  valKl: number;
  /** Learning rate used during the epoch. */
  lr: number;
  /** Wall time of the epoch (s), training + validation. */
  seconds: number;
  /** Training throughput (events / s of the training passes). */
  eventsPerSecond: number;
}

/** Why training stopped. */
export type StopReason = "maxEpochs" | "earlyStopping" | "nan" | "maxSeconds";

/** Training history: per-epoch losses for train and validation, and the outcome. */
export interface TrainHistory {
  epochs: EpochRecord[];
  stopReason: StopReason;
  /** Epoch with the lowest validation loss. */
  bestEpoch: number;
  bestValLoss: number;
  /** Epoch whose weights the model holds. */
  finalEpoch: number;
  /** TensorFlow.js backend used. */
  backend: string;
  /** Total wall time (s). */
  totalSeconds: number;
  /** Training / validation sizes. */
  trainSize: number;
  validationSize: number;
}

/** A model the generic loop can train: data operations, one step, validation. */
export interface FitTarget<D> {
  /** Used in the progress lines and random-stream names. */
  readonly name: string;
  /** Trainable parameters (updated in place). */
  readonly theta: Float32Array;
  size(data: D): number;
  permute(data: D, perm: Uint32Array): D;
  slice(data: D, start: number, count: number): D;
  /** Batch means and d(mean loss)/d theta into `grad`; `rng` is the epoch's noise stream. */
  step(batch: D, rng: Rng, grad: Float32Array): StepLosses;
  /** Means over `data` at the end of epoch `epoch` (1-based). */
  validate(data: D, epoch: number): StepLosses;
  /** Called after each optimiser update (constraints). */
  afterUpdate(): void;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-2) ? v.toExponential(3) : v.toFixed(4);
}

/** Train `target` with the paper's loop (see the module comment); returns the history. */
export async function fit<D>(
  target: FitTarget<D>,
  train: D,
  val: D,
  options: FitOptions,
): Promise<TrainHistory> {
  const { backend } = await initTf();
  const o = { ...PAPER_FIT_OPTIONS, ...options };
  const log = options.log === undefined ? (l: string) => console.log(l) : options.log;
  const n = target.size(train);
  const nVal = target.size(val);
  if (!Number.isInteger(o.maxEpochs) || o.maxEpochs < 1) {
    throw new RangeError(`fit: maxEpochs=${o.maxEpochs}, expected a positive integer`);
  }
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
    throw new RangeError(`fit: batchSize=${o.batchSize}, expected a positive integer`);
  }
  if (n === 0 || nVal === 0) throw new RangeError(`fit: ${n} training / ${nVal} validation rows`);
  const adam = new Adam(target.theta.length, { learningRate: o.learningRate });
  const grad = new Float32Array(target.theta.length);
  const history: TrainHistory = {
    epochs: [],
    stopReason: "maxEpochs",
    bestEpoch: 0,
    bestValLoss: Infinity,
    finalEpoch: 0,
    backend,
    totalSeconds: 0,
    trainSize: n,
    validationSize: nVal,
  };
  const monitor = new PlateauMonitor(o.earlyStopping, o.reduceLrOnPlateau);
  let best: Float32Array | null = null;
  const t0 = performance.now();
  log?.(
    `[${target.name}] training on ${n} events, validating on ${nVal} (backend ${backend}, ` +
      `batch ${o.batchSize}, lr ${o.learningRate}, up to ${o.maxEpochs} epochs)`,
  );
  for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
    const te = performance.now();
    const perm = Rng.stream(o.seed, `${target.name}-shuffle`, epoch).permutation(n);
    const data = target.permute(train, perm);
    const noise = Rng.stream(o.seed, `${target.name}-eps`, epoch);
    let sums = { reco: 0, kl: 0, total: 0 };
    const lr = adam.learningRate;
    for (let s = 0; s < n; s += o.batchSize) {
      const k = Math.min(o.batchSize, n - s);
      const l = target.step(target.slice(data, s, k), noise, grad);
      adam.step(target.theta, grad);
      target.afterUpdate();
      sums = {
        reco: sums.reco + l.reco * k,
        kl: sums.kl + l.kl * k,
        total: sums.total + l.total * k,
      };
    }
    const trainSeconds = (performance.now() - te) / 1000;
    const v = target.validate(val, epoch);
    const seconds = (performance.now() - te) / 1000;
    const rec: EpochRecord = {
      epoch,
      loss: sums.total / n,
      reco: sums.reco / n,
      kl: sums.kl / n,
      valLoss: v.total,
      valReco: v.reco,
      valKl: v.kl,
      lr,
      seconds,
      eventsPerSecond: n / trainSeconds,
    };
    history.epochs.push(rec);
    history.finalEpoch = epoch;
    log?.(
      `[${target.name}] epoch ${epoch}/${o.maxEpochs}  loss ${fmt(rec.loss)} (reco ${
        fmt(rec.reco)
      }, kl ${fmt(rec.kl)})  val ${fmt(rec.valLoss)} (reco ${fmt(rec.valReco)}, kl ${
        fmt(rec.valKl)
      })  lr ${lr.toExponential(1)}  ${(rec.eventsPerSecond / 1000).toFixed(1)}k ev/s  ${
        seconds.toFixed(1)
      } s`,
    );
    if (!Number.isFinite(rec.loss) || !Number.isFinite(rec.valLoss)) {
      history.stopReason = "nan";
      log?.(`[${target.name}] non-finite loss at epoch ${epoch}: stopping (TerminateOnNaN)`);
      break;
    }
    if (rec.valLoss < history.bestValLoss) {
      history.bestValLoss = rec.valLoss;
      history.bestEpoch = epoch;
      if (o.restoreBest) best = target.theta.slice();
    }
    let stop = false;
    const plateau = monitor.update(rec.valLoss, adam.learningRate);
    if (plateau.stop) {
      history.stopReason = "earlyStopping";
      log?.(`[${target.name}] early stopping at epoch ${epoch} (best ${history.bestEpoch})`);
      stop = true;
    } else if (plateau.lr < adam.learningRate) {
      log?.(`[${target.name}] reducing learning rate to ${plateau.lr.toExponential(1)}`);
      adam.learningRate = plateau.lr;
    }
    if (!stop && o.maxSeconds !== undefined && (performance.now() - t0) / 1000 > o.maxSeconds) {
      history.stopReason = "maxSeconds";
      log?.(`[${target.name}] time budget of ${o.maxSeconds} s used: stopping`);
      stop = true;
    }
    if (stop) break;
  }
  if (o.restoreBest && best) {
    target.theta.set(best);
    history.finalEpoch = history.bestEpoch;
  }
  history.totalSeconds = (performance.now() - t0) / 1000;
  return history;
}

/** Write a training history as JSON (atomically) to `path`. */
export async function saveTrainHistory(path: string, history: TrainHistory): Promise<void> {
  await writeJsonAtomic(path, history);
}

/**
 * Split rows into a training and a validation set of equal size (the paper's 3.45M +
 * 3.45M), after a shuffle from `Rng.stream(seed, "train-validation-split")`; with an odd
 * count the extra row goes to training.
 */
export function splitTrainValidation(
  rows: HlfRows,
  seed: number,
): { train: HlfRows; val: HlfRows } {
  const perm = Rng.stream(seed, "train-validation-split").permutation(rows.n);
  const shuffled = permuteHlfRows(rows, perm);
  const nTrain = Math.ceil(rows.n / 2);
  return {
    train: sliceHlfRows(shuffled, 0, nTrain),
    val: sliceHlfRows(shuffled, nTrain, rows.n - nTrain),
  };
}

// ---------------------------------------------------------------------------------------
// The VAE
// ---------------------------------------------------------------------------------------

/** Options of {@link trainHlfVae}: the fit options plus the model settings. */
export interface TrainVaeOptions extends FitOptions {
  /** Model settings (default: the paper's, {@link PAPER_VAE_CONFIG}). */
  config?: Partial<HlfVaeConfig>;
  /** Validation loss with a sampled z ("sample", as Keras) or z = mu_z. Default "sample". */
  validationLatent?: "sample" | "mean";
  /** Start from this model instead of a fresh one (it is trained in place). */
  initial?: HlfVae;
}

/** The VAE as a {@link FitTarget}. */
export function vaeFitTarget(
  model: HlfVae,
  seed: number,
  validationLatent: "sample" | "mean" = "sample",
): FitTarget<HlfRows> {
  let eps = new Float32Array(0);
  const d = model.config.latentDim;
  const kernels = model.maxNormKernels();
  return {
    name: "hlf-vae",
    theta: model.theta,
    size: (r) => r.n,
    permute: (r, p) => permuteHlfRows(r, p),
    slice: (r, s, k) => sliceHlfRows(r, s, k),
    step(batch, rng, grad) {
      if (eps.length < batch.n * d) eps = new Float32Array(batch.n * d);
      for (let i = 0; i < batch.n * d; i++) eps[i] = rng.normal();
      return model.lossAndGradient(batch, eps.subarray(0, batch.n * d), grad);
    },
    validate(data, epoch) {
      const s = model.evaluate(data, {
        latent: validationLatent,
        seed: new Rng(seed, "hlf-vae-val", epoch).nextUint32(),
        chunkSize: 10000,
      });
      let reco = 0;
      let kl = 0;
      for (let i = 0; i < data.n; i++) {
        reco += s.reco[i];
        kl += s.kl[i];
      }
      reco /= data.n;
      kl /= data.n;
      return { reco, kl, total: reco + model.config.beta * kl };
    },
    afterUpdate() {
      if (model.config.maxNorm > 0) {
        for (const [off, nin, out] of kernels) {
          applyMaxNorm(model.theta, off, nin, out, model.config.maxNorm);
        }
      }
    },
  };
}

/**
 * Train the paper-1 VAE on `train` (validation `val`), both from `prepareHlfRows`.
 * Returns the model (last epoch, or best with `restoreBest`) and the history.
 */
export async function trainHlfVae(
  train: HlfRows,
  val: HlfRows,
  options: TrainVaeOptions,
): Promise<{ model: HlfVae; history: TrainHistory }> {
  await initTf();
  const seed = options.seed ?? PAPER_FIT_OPTIONS.seed;
  const model = options.initial ?? HlfVae.create(options.config ?? {}, seed, train);
  const history = await fit(
    vaeFitTarget(model, seed, options.validationLatent),
    train,
    val,
    options,
  );
  return { model, history };
}

// ---------------------------------------------------------------------------------------
// Saving, loading and the training cache
// ---------------------------------------------------------------------------------------

/** Bump when a change of this code changes trained models (invalidates caches). */
export const VAE_CODE_VERSION = 1;

/** sha256 (hex) of prepared rows (model-order values and row count). */
export function hashHlfRows(rows: HlfRows): string {
  const bytes = new Uint8Array(rows.x.buffer, rows.x.byteOffset, rows.n * N_FEATURES * 4);
  return sha256Hex(bytes);
}

/** What is stored with a saved VAE. */
export interface SavedVaeMetadata {
  kind: "hlf-vae";
  codeVersion: number;
  config: HlfVaeConfig;
  /** Feature (column) names in model order. */
  features: string[];
  history?: TrainHistory;
  /** Caller's extra fields (data hashes, training options, seed ...). */
  extra?: Metadata;
}

/** Save a VAE (weights by Keras layer name + config + history) to the folder `dir`. */
export async function saveHlfVae(
  model: HlfVae,
  dir: string,
  history?: TrainHistory,
  extra?: Metadata,
): Promise<void> {
  const meta: SavedVaeMetadata = {
    kind: "hlf-vae",
    codeVersion: VAE_CODE_VERSION,
    config: model.config,
    features: [...VAE_FEATURE_NAMES],
    ...(history ? { history } : {}),
    ...(extra ? { extra } : {}),
  };
  await saveTensors(dir, model.namedWeights(), meta as unknown as Metadata);
}

/** Load a VAE saved by {@link saveHlfVae}. */
export async function loadHlfVae(
  dir: string,
): Promise<{ model: HlfVae; metadata: SavedVaeMetadata }> {
  const { tensors, metadata } = await loadTensors(dir);
  const meta = metadata as unknown as SavedVaeMetadata;
  if (meta.kind !== "hlf-vae") {
    throw new Error(`loadHlfVae: ${dir} holds a "${String(meta.kind)}", not an hlf-vae`);
  }
  if (JSON.stringify(meta.features) !== JSON.stringify(VAE_FEATURE_NAMES)) {
    throw new Error(`loadHlfVae: ${dir} has feature order ${meta.features}`);
  }
  const model = HlfVae.fromNamedWeights(
    meta.config,
    tensors as Record<string, { values: Float32Array; shape: number[] }>,
  );
  return { model, metadata: meta };
}

/** Options of {@link trainHlfVaeCached}. */
export interface CachedTrainVaeOptions extends TrainVaeOptions {
  /** Folder of the model cache (default `data/cache/models`). */
  cacheRoot?: string;
  /** Retrain even when a cached model exists (default false). */
  force?: boolean;
}

/**
 * Cache key of a training run: sha256 of the code version, the data hashes, the model
 * config and every option that changes the result (not `log`).
 */
export function vaeCacheKey(train: HlfRows, val: HlfRows, options: TrainVaeOptions): string {
  const { log: _log, initial, config, ...fitOptions } = options;
  if (initial) throw new Error("vaeCacheKey: a run from an initial model cannot be cached");
  return configHash({
    kind: "hlf-vae",
    codeVersion: VAE_CODE_VERSION,
    train: hashHlfRows(train),
    val: hashHlfRows(val),
    config: validateVaeConfig(config ?? {}),
    fit: { ...PAPER_FIT_OPTIONS, validationLatent: "sample", ...fitOptions },
  });
}

/**
 * Train, or load the model trained earlier with the same data, config, options and seed
 * (folder `<cacheRoot>/hlf-vae-<key 16 hex>`). Returns where it lives and whether it came
 * from the cache.
 */
export async function trainHlfVaeCached(
  train: HlfRows,
  val: HlfRows,
  options: CachedTrainVaeOptions,
): Promise<{ model: HlfVae; history: TrainHistory; dir: string; fromCache: boolean }> {
  await initTf();
  const { cacheRoot, force, ...opts } = options;
  const key = vaeCacheKey(train, val, opts);
  const dir = `${cacheRoot ?? `${cacheDir()}/models`}/hlf-vae-${key.slice(0, 16)}`;
  const log = options.log === undefined ? (l: string) => console.log(l) : options.log;
  if (!force) {
    try {
      const { model, metadata } = await loadHlfVae(dir);
      if (metadata.history && metadata.extra?.cacheKey === key) {
        log?.(`[hlf-vae] loaded the trained model from ${dir}`);
        return { model, history: metadata.history, dir, fromCache: true };
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !String(e).includes("cannot read")) {
        log?.(`[hlf-vae] cached model at ${dir} unusable (${(e as Error).message}); retraining`);
      }
    }
  }
  const { model, history } = await trainHlfVae(train, val, opts);
  await saveHlfVae(model, dir, history, { cacheKey: key, seed: opts.seed ?? 1 });
  return { model, history, dir, fromCache: false };
}
