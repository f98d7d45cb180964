/**
 * The convolutional variational autoencoder of paper 2 (section 2, figure 2): a VAE on
 * 32 x 32 jet images, trained on QCD jets, whose per-jet loss is the anomaly score.
 *
 * What the paper states (text of section 2): a VAE with a Gaussian prior on the latent
 * space; loss (eq. 1) `L = L_RECO + beta * D_KL` with `beta = 5e-4`; `L_RECO` (eq. 2) the
 * sum over pixels of `(x_i - mu_i(z))^2` (a unit-variance Gaussian p(x|z)), `D_KL` (eq. 3)
 * the KL divergence of q(z|x) from N(0, I); inputs 32 x 32 jet images; jet 1 and jet 2 are
 * scored independently and their losses combined afterwards (section 2.3, figure 4). The
 * loss used as the anomaly score is that total loss `L` (eq. 1), not the reconstruction term
 * alone: the figure-4 strategies cut on "the loss" of each jet, and the authors' public code
 * (kingusiu/vande, `discriminator/loss_strategy.py`) combines `j1TotalLoss` / `j2TotalLoss`.
 * {@link ConvVae.score} returns all three per jet (`reco`, `kl`, `total`).
 *
 * Figure 2 itself (the layer diagram and its table of implementation details) is an image
 * and is not in our text of the paper, so the layer sizes follow the authors' public
 * implementation of this model (kingusiu/vande, `vae/vae_model.py`, Keras, 2019-2020), which
 * matches everything the text says:
 *
 *   encoder  32x32x1 -> Conv2D 3x3 (6, ReLU, valid) -> 30x30x6 -> Conv2D 3x3 (10) -> 28x28x10
 *            -> Conv2D 3x3 (14) -> 26x26x14 -> AveragePooling 2x2 -> 13x13x14 -> flatten 2366
 *            -> Dense 139 (ReLU; 2366 // 17) -> Dense 56 (ReLU; 2366 // 42)
 *            -> z_mean (10), z_log_var (10); z = mu + exp(log_var / 2) * eps
 *   decoder  z (10) -> Dense 56 -> Dense 139 -> Dense 2366 (ReLU) -> reshape 13x13x14
 *            -> UpSampling 2x2 (nearest) -> 26x26x14 -> Conv2DTranspose 3x3 (14, ReLU, valid)
 *            -> 28x28x14 -> Conv2DTranspose (10) -> 30x30x10 -> Conv2DTranspose (6) -> 32x32x6
 *            -> Conv2DTranspose 3x3 (1, ReLU, same) -> 32x32x1
 *
 * (683,305 parameters; {@link PAPER2_VAE_CONFIG}). Training as in that code: Adam (Keras
 * defaults, learning rate 1e-3), batch 128, up to 100 epochs, a quarter of the training jets
 * held out for validation (`validation_split=0.25`), early stopping on the validation loss
 * (patience 7), reduce-learning-rate-on-plateau (factor 0.1, patience 2, Keras min delta
 * 1e-4), stop on NaN; the final model is the last epoch's (Keras' default). Weights: Glorot-uniform kernels,
 * zero biases (Keras' defaults), drawn from our seeded {@link Rng}.
 *
 * Budget (wasm backend, with the conv-gradient kernels of lib/tf/wasmConvKernels.ts, one
 * thread, batch 128, on a loaded 2-core machine; tests/bench/conv_bench.ts prints the rows
 * `"model": "convVae paper"` / `"convVae fast"`): the paper model (5.1 M multiply-adds per
 * image forward) trains at ~170-340 images/s, i.e. 60-120 s per 20k-image epoch. For ci runs
 * {@link FAST_VAE_CONFIG} keeps the layout (three valid 3x3 convs, average pooling, two
 * dense layers, mirrored transposed-conv decoder, latent 10, the same loss, beta and
 * training settings) with fewer filters (4, 6, 8 instead of 6, 10, 14) and narrower dense
 * layers (64, 32 instead of 139, 56): 181,657 parameters (3.8x fewer), 1.8 M multiply-adds
 * (2.9x fewer), ~360-590 images/s (1.6-2x faster: per-kernel overheads remain). Any field
 * can be overridden ({@link convVaeConfig}).
 *
 * Loss scale: `L_RECO` is a sum over pixels in the images' own units, so the weight of
 * `beta * D_KL` relative to it, and the absolute min delta (1e-4) of the learning-rate
 * schedule, depend on how the images are normalised (lib/features/jetImage.ts divides by the
 * jet pT by default: pixel sums <= 1; `L_RECO` per jet falls from ~0.24 to ~0.065 on our
 * simulated side-band jets as the fast model converges). The paper does not state its
 * normalisation; scale the images, or set `reduceLrOnPlateau.minDelta`, deliberately.
 *
 * The latent space at scoring: the authors' code scores with `model.predict`, i.e. a
 * sampled z; here `latent: "sample"` (the default) draws eps from a seeded stream (image i
 * always gets the same eps, whatever the chunking), `latent: "mean"` uses z = mu.
 *
 * Determinism: the initial weights come from `Rng.stream(seed, "conv-vae-init")`, the
 * train/validation split from `Rng.stream(seed, "conv-vae-split")`, the shuffle of epoch e
 * from `Rng.stream(seed, "conv-vae-shuffle", e)`, the reparametrisation noise of epoch e from
 * `Rng.stream(seed, "conv-vae-eps", e)` and the validation noise from
 * `Rng.stream(seed, "conv-vae-val", e)`: same data, config and seed give the same model on
 * the same backend.
 *
 * Images are flat Float32Arrays of N x S x S (row-major, one channel), as
 * lib/features/jetImage.ts writes them. Scoring runs in chunks of `batchSize` images, one
 * input tensor per chunk, inside `tf.tidy`; nothing is left allocated.
 */
import { type EarlyStoppingOptions, PlateauMonitor, type ReduceLrOptions } from "./plateau.ts";
import * as tf from "@tensorflow/tfjs";
import { initTf } from "../tf/backend.ts";
import { loadIntoVariables, loadTensors, type Metadata, saveTensors } from "../tf/modelIO.ts";
import { configHash, sha256Hex } from "../data/manifest.ts";
import { cacheDir } from "../repro/paths.ts";
import { Rng } from "../random/rng.ts";
import type { EpochRecord, StopReason, TrainHistory } from "./vae/train.ts";

export type { EpochRecord, StopReason, TrainHistory };

type Tensor = tf.Tensor;
type Tensor2D = tf.Tensor2D;
type Tensor4D = tf.Tensor4D;

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

/** Architecture and loss of the conv VAE. */
export interface ConvVaeConfig {
  /** Image side in pixels (paper: 32). */
  imageSize: number;
  /** Filters of the encoder's conv layers; the decoder mirrors them (paper: 6, 10, 14). */
  encoderFilters: number[];
  /** Square kernel size of every (transposed) conv (paper: 3). */
  kernelSize: number;
  /** Padding of the encoder convs and mirrored decoder convs (paper: "valid"). */
  padding: "valid" | "same";
  /** Average-pooling factor after the convs, undone by nearest upsampling (paper: 2; 1 = none). */
  pool: number;
  /** Widths of the encoder's dense layers; the decoder mirrors them (paper: 139, 56). */
  dense: number[];
  /** Latent dimension (paper code: 10). */
  latentDim: number;
  /** Weight of the KL term in the loss (paper: 5e-4). */
  beta: number;
  /** Activation of the output layer (paper code: "relu"; images are non-negative). */
  outputActivation: "relu" | "linear";
}

/** The paper-2 model (see the module comment for the sources of each number). */
export const PAPER2_VAE_CONFIG: Readonly<ConvVaeConfig> = Object.freeze({
  imageSize: 32,
  encoderFilters: Object.freeze([6, 10, 14]) as unknown as number[],
  kernelSize: 3,
  padding: "valid",
  pool: 2,
  dense: Object.freeze([139, 56]) as unknown as number[],
  latentDim: 10,
  beta: 5e-4,
  outputActivation: "relu",
});

/**
 * The paper's layout with fewer filters and narrower dense layers, for ci-scale runs:
 * ~4x cheaper per image, same loss, beta, latent size and training settings.
 */
export const FAST_VAE_CONFIG: Readonly<ConvVaeConfig> = Object.freeze({
  ...PAPER2_VAE_CONFIG,
  encoderFilters: Object.freeze([4, 6, 8]) as unknown as number[],
  dense: Object.freeze([64, 32]) as unknown as number[],
});

/** Named presets. */
export const CONV_VAE_PRESETS = Object.freeze({ paper: PAPER2_VAE_CONFIG, fast: FAST_VAE_CONFIG });

const CONFIG_KEYS: readonly (keyof ConvVaeConfig)[] = [
  "imageSize",
  "encoderFilters",
  "kernelSize",
  "padding",
  "pool",
  "dense",
  "latentDim",
  "beta",
  "outputActivation",
];

function posInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

/** Spatial size after the encoder's convs, and after pooling. */
function convolvedSize(c: ConvVaeConfig): { conv: number; pooled: number } {
  const conv = c.padding === "valid"
    ? c.imageSize - c.encoderFilters.length * (c.kernelSize - 1)
    : c.imageSize;
  return { conv, pooled: conv / c.pool };
}

/**
 * A full, checked config: a preset name or overrides of {@link PAPER2_VAE_CONFIG} (or of
 * `base`). Unknown keys, wrong types and inconsistent sizes (the pooled size must be whole)
 * are rejected.
 */
export function convVaeConfig(
  overrides: Partial<ConvVaeConfig> | keyof typeof CONV_VAE_PRESETS = {},
  base: Readonly<ConvVaeConfig> = PAPER2_VAE_CONFIG,
): ConvVaeConfig {
  if (typeof overrides === "string") {
    const p = CONV_VAE_PRESETS[overrides];
    if (!p) throw new RangeError(`convVaeConfig: unknown preset "${overrides}" (paper, fast)`);
    return convVaeConfig({}, p);
  }
  for (const k of Object.keys(overrides)) {
    if (!CONFIG_KEYS.includes(k as keyof ConvVaeConfig)) {
      throw new RangeError(`convVaeConfig: unknown key "${k}" (known: ${CONFIG_KEYS.join(", ")})`);
    }
  }
  const c: ConvVaeConfig = {
    ...base,
    ...overrides,
    encoderFilters: [...(overrides.encoderFilters ?? base.encoderFilters)],
    dense: [...(overrides.dense ?? base.dense)],
  };
  const bad = (k: string, v: unknown, want: string) => {
    throw new RangeError(`convVaeConfig: ${k}=${JSON.stringify(v)}, expected ${want}`);
  };
  for (const k of ["imageSize", "kernelSize", "pool", "latentDim"] as const) {
    if (!posInt(c[k])) bad(k, c[k], "a positive integer");
  }
  if (c.encoderFilters.length === 0 || !c.encoderFilters.every(posInt)) {
    bad("encoderFilters", c.encoderFilters, "a non-empty list of positive integers");
  }
  if (!c.dense.every(posInt)) bad("dense", c.dense, "a list of positive integers");
  if (c.padding !== "valid" && c.padding !== "same") bad("padding", c.padding, '"valid"|"same"');
  if (c.outputActivation !== "relu" && c.outputActivation !== "linear") {
    bad("outputActivation", c.outputActivation, '"relu"|"linear"');
  }
  if (!(typeof c.beta === "number" && Number.isFinite(c.beta) && c.beta >= 0)) {
    bad("beta", c.beta, "a finite number >= 0");
  }
  const { conv, pooled } = convolvedSize(c);
  if (conv < 1 || !Number.isInteger(pooled) || pooled < 1) {
    throw new RangeError(
      `convVaeConfig: ${c.imageSize}px through ${c.encoderFilters.length} ${c.padding} ` +
        `${c.kernelSize}x${c.kernelSize} convs gives ${conv}px, not divisible by pool ${c.pool}`,
    );
  }
  return c;
}

/** One layer of {@link ConvVae.layers}: name, output shape (no batch axis), parameters. */
export interface ConvVaeLayerInfo {
  name: string;
  kind: string;
  outputShape: number[];
  parameters: number;
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/** Per-image losses. */
export interface ConvVaeLosses {
  /** Sum over pixels of the squared reconstruction error (eq. 2). */
  reco: Float32Array;
  /** KL divergence of q(z|x) from N(0, I) (eq. 3). */
  kl: Float32Array;
  /** `reco + beta * kl` (eq. 1): the paper's per-jet loss and anomaly score. */
  total: Float32Array;
}

/** Options of {@link ConvVae.score} and {@link ConvVae.reconstruct}. */
export interface ScoreOptions {
  /** Images per chunk (default 512). */
  batchSize?: number;
  /** z sampled (default, as the authors' `predict`) or z = mu ("mean"). */
  latent?: "sample" | "mean";
  /** Seed of the sampling noise (default: the model's seed). */
  seed?: number;
}

interface Shapes {
  conv: number;
  pooled: number;
  flat: number;
  lastFilters: number;
}

let instances = 0;

/**
 * The conv VAE: tfjs variables and the forward pass written with tfjs ops (conv2d,
 * avgPool, matMul, resizeNearestNeighbor, conv2dTranspose). Create with
 * {@link ConvVae.create} after `await initTf()`; call {@link ConvVae.dispose} when done.
 */
export { type EarlyStoppingOptions, PlateauMonitor, type ReduceLrOptions };

export class ConvVae {
  /** The architecture. */
  readonly config: ConvVaeConfig;
  /** Seed of the initial weights (and the default scoring noise). */
  readonly seed: number;
  readonly #vars = new Map<string, tf.Variable>();
  readonly #prefix: string;
  readonly #shapes: Shapes;
  #disposed = false;

  private constructor(config: ConvVaeConfig, seed: number) {
    this.config = config;
    this.seed = seed;
    this.#prefix = `conv_vae_${++instances}`;
    const { conv, pooled } = convolvedSize(config);
    const lastFilters = config.encoderFilters[config.encoderFilters.length - 1];
    this.#shapes = { conv, pooled, flat: pooled * pooled * lastFilters, lastFilters };
  }

  /** A freshly initialised model (Glorot-uniform kernels, zero biases, from `seed`). */
  static create(config: Partial<ConvVaeConfig> | "paper" | "fast" = {}, seed = 1): ConvVae {
    const c = convVaeConfig(config);
    const m = new ConvVae(c, seed);
    const rng = Rng.stream(seed, "conv-vae-init");
    for (const spec of m.#variableSpecs()) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(size);
      if (spec.fanIn > 0) {
        const limit = Math.sqrt(6 / (spec.fanIn + spec.fanOut));
        for (let i = 0; i < size; i++) v[i] = (2 * rng.uniform() - 1) * limit;
      }
      const init = tf.tensor(v, spec.shape);
      m.#vars.set(spec.name, tf.variable(init, true, `${m.#prefix}/${spec.name}`));
      init.dispose(); // the variable holds its own reference to the data
    }
    return m;
  }

  /** Names, shapes and Glorot fans (0 for biases) of all weights, in a fixed order. */
  #variableSpecs(): { name: string; shape: number[]; fanIn: number; fanOut: number }[] {
    const c = this.config;
    const k = c.kernelSize;
    const specs: { name: string; shape: number[]; fanIn: number; fanOut: number }[] = [];
    const kernel = (name: string, shape: number[], fanIn: number, fanOut: number) => {
      specs.push({ name: `${name}/kernel`, shape, fanIn, fanOut });
      specs.push({ name: `${name}/bias`, shape: [shape[shape.length - 1]], fanIn: 0, fanOut: 0 });
    };
    let ch = 1;
    c.encoderFilters.forEach((f, i) => {
      kernel(`encoder/conv${i + 1}`, [k, k, ch, f], k * k * ch, k * k * f);
      ch = f;
    });
    let width = this.#shapes.flat;
    c.dense.forEach((d, i) => {
      kernel(`encoder/dense${i + 1}`, [width, d], width, d);
      width = d;
    });
    kernel("encoder/z_mean", [width, c.latentDim], width, c.latentDim);
    kernel("encoder/z_log_var", [width, c.latentDim], width, c.latentDim);
    width = c.latentDim;
    [...c.dense].reverse().forEach((d, i) => {
      kernel(`decoder/dense${i + 1}`, [width, d], width, d);
      width = d;
    });
    kernel(
      `decoder/dense${c.dense.length + 1}`,
      [width, this.#shapes.flat],
      width,
      this.#shapes.flat,
    );
    ch = this.#shapes.lastFilters;
    [...c.encoderFilters].reverse().forEach((f, i) => {
      // conv2dTranspose filters are [h, w, out, in]; the bias has `out` entries.
      specs.push({
        name: `decoder/deconv${i + 1}/kernel`,
        shape: [k, k, f, ch],
        fanIn: k * k * f,
        fanOut: k * k * ch,
      });
      specs.push({ name: `decoder/deconv${i + 1}/bias`, shape: [f], fanIn: 0, fanOut: 0 });
      ch = f;
    });
    specs.push({
      name: "decoder/output/kernel",
      shape: [k, k, 1, ch],
      fanIn: k * k,
      fanOut: k * k * ch,
    });
    specs.push({ name: "decoder/output/bias", shape: [1], fanIn: 0, fanOut: 0 });
    return specs;
  }

  #v(name: string): tf.Variable {
    const v = this.#vars.get(name);
    if (!v) throw new Error(`ConvVae: no variable ${name}`);
    return v;
  }

  #check(): void {
    if (this.#disposed) throw new Error("ConvVae: the model was disposed");
  }

  /** All weights under stable names (`encoder/conv1/kernel`, ...), for saving and loading. */
  namedVariables(): Record<string, tf.Variable> {
    this.#check();
    return Object.fromEntries(this.#vars);
  }

  /** The trainable variables. */
  trainableVariables(): tf.Variable[] {
    this.#check();
    return [...this.#vars.values()];
  }

  /** Number of weights. */
  get parameterCount(): number {
    let n = 0;
    for (const v of this.#vars.values()) n += v.size;
    return n;
  }

  /** Pixels per image (imageSize^2). */
  get pixels(): number {
    return this.config.imageSize * this.config.imageSize;
  }

  /** The layers with output shapes and parameter counts (the figure-2 diagram as a table). */
  layers(): ConvVaeLayerInfo[] {
    const c = this.config;
    const out: ConvVaeLayerInfo[] = [];
    const p = (prefix: string) => {
      let n = 0;
      for (const [name, v] of this.#vars) if (name.startsWith(`${prefix}/`)) n += v.size;
      return n;
    };
    let s = c.imageSize;
    out.push({ name: "input", kind: "Input", outputShape: [s, s, 1], parameters: 0 });
    c.encoderFilters.forEach((f, i) => {
      if (c.padding === "valid") s -= c.kernelSize - 1;
      const name = `encoder/conv${i + 1}`;
      out.push({ name, kind: "Conv2D relu", outputShape: [s, s, f], parameters: p(name) });
    });
    const { pooled, flat, lastFilters } = this.#shapes;
    if (c.pool > 1) {
      out.push({
        name: "encoder/pool",
        kind: "AveragePooling2D",
        outputShape: [pooled, pooled, lastFilters],
        parameters: 0,
      });
    }
    out.push({ name: "encoder/flatten", kind: "Flatten", outputShape: [flat], parameters: 0 });
    c.dense.forEach((d, i) => {
      const name = `encoder/dense${i + 1}`;
      out.push({ name, kind: "Dense relu", outputShape: [d], parameters: p(name) });
    });
    for (const name of ["encoder/z_mean", "encoder/z_log_var"]) {
      out.push({ name, kind: "Dense", outputShape: [c.latentDim], parameters: p(name) });
    }
    out.push({ name: "z", kind: "Sampling", outputShape: [c.latentDim], parameters: 0 });
    [...c.dense].reverse().forEach((d, i) => {
      const name = `decoder/dense${i + 1}`;
      out.push({ name, kind: "Dense relu", outputShape: [d], parameters: p(name) });
    });
    const last = `decoder/dense${c.dense.length + 1}`;
    out.push({ name: last, kind: "Dense relu", outputShape: [flat], parameters: p(last) });
    out.push({
      name: "decoder/reshape",
      kind: "Reshape",
      outputShape: [pooled, pooled, lastFilters],
      parameters: 0,
    });
    s = pooled;
    if (c.pool > 1) {
      s *= c.pool;
      out.push({
        name: "decoder/upsample",
        kind: "UpSampling2D",
        outputShape: [s, s, lastFilters],
        parameters: 0,
      });
    }
    [...c.encoderFilters].reverse().forEach((f, i) => {
      if (c.padding === "valid") s += c.kernelSize - 1;
      const name = `decoder/deconv${i + 1}`;
      out.push({ name, kind: "Conv2DTranspose relu", outputShape: [s, s, f], parameters: p(name) });
    });
    out.push({
      name: "decoder/output",
      kind: `Conv2DTranspose ${c.outputActivation}`,
      outputShape: [s, s, 1],
      parameters: p("decoder/output"),
    });
    return out;
  }

  /** A printable summary (one line per layer, and the total). */
  summary(): string {
    const rows = this.layers().map((l) =>
      `${l.name.padEnd(22)} ${l.kind.padEnd(22)} ${`[${l.outputShape.join("x")}]`.padEnd(12)} ${
        String(l.parameters).padStart(8)
      }`
    );
    return [...rows, `total parameters ${this.parameterCount}`].join("\n");
  }

  /** Encoder: `[B, S, S, 1]` -> mu, log-variance `[B, latent]`. */
  encode(x: Tensor4D): { mu: Tensor2D; logVar: Tensor2D } {
    this.#check();
    return tf.tidy(() => {
      const c = this.config;
      let h: Tensor4D = x;
      c.encoderFilters.forEach((_, i) => {
        const n = `encoder/conv${i + 1}`;
        h = tf.fused.conv2d({
          x: h,
          filter: this.#v(`${n}/kernel`) as unknown as tf.Tensor4D,
          bias: this.#v(`${n}/bias`),
          strides: 1,
          pad: c.padding,
          activation: "relu",
        });
      });
      if (c.pool > 1) h = tf.avgPool(h, c.pool, c.pool, "valid");
      let d: Tensor2D = tf.reshape(h, [h.shape[0], this.#shapes.flat]);
      c.dense.forEach((_, i) => {
        d = this.#dense(d, `encoder/dense${i + 1}`, "relu");
      });
      const mu = this.#dense(d, "encoder/z_mean", "linear");
      const logVar = this.#dense(d, "encoder/z_log_var", "linear");
      return { mu, logVar };
    });
  }

  /** Decoder: z `[B, latent]` -> reconstructed images `[B, S, S, 1]`. */
  decode(z: Tensor2D): Tensor4D {
    this.#check();
    return tf.tidy(() => {
      const c = this.config;
      const { pooled, lastFilters } = this.#shapes;
      const b = z.shape[0];
      let d: Tensor2D = z;
      for (let i = 0; i <= c.dense.length; i++) d = this.#dense(d, `decoder/dense${i + 1}`, "relu");
      let h: Tensor4D = tf.reshape(d, [b, pooled, pooled, lastFilters]);
      let s = pooled;
      if (c.pool > 1) {
        s *= c.pool;
        h = tf.image.resizeNearestNeighbor(h, [s, s]);
      }
      const k = c.kernelSize;
      const deconv = (
        x: Tensor4D,
        name: string,
        out: number,
        pad: "valid" | "same",
        act: string,
      ) => {
        if (pad === "valid") s += k - 1;
        const y = tf.add(
          tf.conv2dTranspose(
            x,
            this.#v(`${name}/kernel`) as unknown as tf.Tensor4D,
            [b, s, s, out],
            1,
            pad,
          ),
          this.#v(`${name}/bias`),
        ) as Tensor4D;
        return act === "relu" ? tf.relu(y) : y;
      };
      [...c.encoderFilters].reverse().forEach((f, i) => {
        h = deconv(h, `decoder/deconv${i + 1}`, f, c.padding, "relu");
      });
      return deconv(h, "decoder/output", 1, "same", c.outputActivation);
    });
  }

  #dense(x: Tensor2D, name: string, activation: "relu" | "linear"): Tensor2D {
    return tf.fused.matMul({
      a: x,
      b: this.#v(`${name}/kernel`) as unknown as Tensor2D,
      bias: this.#v(`${name}/bias`),
      activation,
    }) as Tensor2D;
  }

  /**
   * Per-image losses `[B]` of a batch `x` `[B, S, S, 1]`: reco (sum of squared errors over
   * pixels), kl, total = reco + beta kl; z = mu + exp(logVar / 2) eps with `eps` `[B,
   * latent]`, or z = mu when `eps` is null.
   */
  losses(x: Tensor4D, eps: Tensor2D | null): { reco: Tensor; kl: Tensor; total: Tensor } {
    this.#check();
    return tf.tidy(() => {
      const { mu, logVar } = this.encode(x);
      const z = eps === null
        ? mu
        : tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as Tensor2D;
      const xHat = this.decode(z);
      const reco = tf.sum(tf.squaredDifference(x, xHat), [1, 2, 3]);
      const kl = tf.mul(
        -0.5,
        tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1),
      );
      const total = tf.add(reco, tf.mul(this.config.beta, kl));
      return { reco, kl, total };
    });
  }

  #checkImages(fn: string, images: Float32Array): number {
    const px = this.pixels;
    if (!(images instanceof Float32Array) || images.length % px !== 0) {
      throw new RangeError(
        `ConvVae.${fn}: expected a Float32Array of N x ${this.config.imageSize} x ` +
          `${this.config.imageSize} values, got length ${images?.length}`,
      );
    }
    return images.length / px;
  }

  /**
   * Per-image losses of many images (flat N x S x S), in chunks of `batchSize`, one input
   * tensor per chunk, nothing left allocated. `total` is the paper's anomaly score.
   */
  async score(images: Float32Array, options: ScoreOptions = {}): Promise<ConvVaeLosses> {
    this.#check();
    const n = this.#checkImages("score", images);
    const bs = options.batchSize ?? 512;
    if (!posInt(bs)) throw new RangeError(`ConvVae.score: batchSize=${bs}`);
    const out: ConvVaeLosses = {
      reco: new Float32Array(n),
      kl: new Float32Array(n),
      total: new Float32Array(n),
    };
    const S = this.config.imageSize;
    const L = this.config.latentDim;
    const sample = (options.latent ?? "sample") === "sample";
    const rng = Rng.stream(options.seed ?? this.seed, "conv-vae-score");
    const eps = new Float32Array(bs * L);
    for (let s = 0; s < n; s += bs) {
      const k = Math.min(bs, n - s);
      if (sample) { for (let i = 0; i < k * L; i++) eps[i] = rng.normal(); }
      const packed = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(s * S * S, (s + k) * S * S), [k, S, S, 1]);
        const e = sample ? tf.tensor2d(eps.subarray(0, k * L), [k, L]) : null;
        const l = this.losses(x, e);
        return tf.stack([l.reco, l.kl, l.total]);
      });
      const v = (await packed.data()) as Float32Array;
      packed.dispose();
      out.reco.set(v.subarray(0, k), s);
      out.kl.set(v.subarray(k, 2 * k), s);
      out.total.set(v.subarray(2 * k, 3 * k), s);
    }
    return out;
  }

  /** Reconstructed images (flat N x S x S), with z = mu by default (`latent: "mean"`). */
  async reconstruct(images: Float32Array, options: ScoreOptions = {}): Promise<Float32Array> {
    this.#check();
    const n = this.#checkImages("reconstruct", images);
    const bs = options.batchSize ?? 512;
    const S = this.config.imageSize;
    const L = this.config.latentDim;
    const sample = (options.latent ?? "mean") === "sample";
    const rng = Rng.stream(options.seed ?? this.seed, "conv-vae-score");
    const out = new Float32Array(n * S * S);
    for (let s = 0; s < n; s += bs) {
      const k = Math.min(bs, n - s);
      const eps = new Float32Array(k * L);
      if (sample) { for (let i = 0; i < k * L; i++) eps[i] = rng.normal(); }
      const xHat = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(s * S * S, (s + k) * S * S), [k, S, S, 1]);
        const { mu, logVar } = this.encode(x);
        const z = sample
          ? tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.tensor2d(eps, [k, L]))) as Tensor2D
          : mu;
        return this.decode(z);
      });
      out.set((await xHat.data()) as Float32Array, s * S * S);
      xHat.dispose();
    }
    return out;
  }

  /** Free the variables. */
  dispose(): void {
    if (this.#disposed) return;
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
    this.#disposed = true;
  }
}

// ---------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------

/** Options of {@link trainConvVae}. */
export interface TrainConvVaeOptions {
  /** Maximum number of epochs (paper code: 100; the budget knob at small scales). */
  maxEpochs: number;
  /** Architecture: a preset name or overrides of the paper's (default "paper"). */
  config?: Partial<ConvVaeConfig> | "paper" | "fast";
  /** Batch size (paper code: 128). */
  batchSize?: number;
  /** Adam learning rate (Keras default 1e-3). */
  learningRate?: number;
  /** Fraction of the images held out for validation (paper code: 0.25). */
  validationFraction?: number;
  /** Validation images; when given, all `images` train and nothing is split off. */
  validationImages?: Float32Array;
  /** Early stopping on the validation loss; null disables (paper code: patience 7, delta 0). */
  earlyStopping?: EarlyStoppingOptions | null;
  /** Learning-rate cuts; null disables (paper code: factor 0.1, patience 2, delta 1e-4). */
  reduceLrOnPlateau?: ReduceLrOptions | null;
  /** Keep the weights of the best validation epoch (default false: last epoch, as Keras). */
  restoreBest?: boolean;
  /** Seed of the initial weights, split, shuffles and noise (default 1). */
  seed?: number;
  /** Stop after the epoch during which this wall time (s) was exceeded. */
  maxSeconds?: number;
  /** Images per chunk when computing the validation loss (default 512; no effect on results). */
  evalBatchSize?: number;
  /** Per-epoch progress lines (default console.log; null for silence). */
  log?: ((line: string) => void) | null;
}

/** The training settings of the authors' code (with a caller-given epoch budget). */
export const PAPER2_FIT = Object.freeze({
  batchSize: 128,
  learningRate: 1e-3,
  validationFraction: 0.25,
  earlyStopping: Object.freeze({ patience: 7, minDelta: 0 }),
  reduceLrOnPlateau: Object.freeze({ factor: 0.1, patience: 2, minDelta: 1e-4, minLr: 0 }),
  restoreBest: false,
  seed: 1,
});

/** Result of {@link trainConvVae}. */
export interface TrainedConvVae {
  /** The model (call `dispose()` when done). */
  model: ConvVae;
  /** Per-epoch losses (train and validation), learning rate, images/s, stop reason. */
  history: TrainHistory;
  /** Indices (into `images`) of the training and validation images; validation empty
   * when `validationImages` was given. */
  split: { train: Uint32Array; validation: Uint32Array };
}

/** The seeded train/validation split of `n` images. */
export function splitConvVaeImages(
  n: number,
  validationFraction: number,
  seed: number,
): { train: Uint32Array; validation: Uint32Array } {
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new RangeError(`splitConvVaeImages: validationFraction=${validationFraction}`);
  }
  const perm = Rng.stream(seed, "conv-vae-split").permutation(n);
  const nVal = Math.round(n * validationFraction);
  if (nVal < 1 || n - nVal < 1) {
    throw new RangeError(
      `splitConvVaeImages: ${n} images cannot be split by ${validationFraction}`,
    );
  }
  return { train: perm.slice(0, n - nVal), validation: perm.slice(n - nVal) };
}

function gather(images: Float32Array, px: number, idx: Uint32Array, out: Float32Array): void {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] * px;
    out.set(images.subarray(r, r + px), i * px);
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-2) ? v.toExponential(3) : v.toFixed(4);
}

/** Mean losses of `images` with a seeded sampled z (the validation loss, as Keras'). */
async function meanLosses(
  model: ConvVae,
  images: Float32Array,
  rng: Rng,
  batchSize: number,
): Promise<{ reco: number; kl: number; total: number }> {
  const px = model.pixels;
  const S = model.config.imageSize;
  const L = model.config.latentDim;
  const n = images.length / px;
  let sums = tf.zeros([3]);
  const eps = new Float32Array(batchSize * L);
  for (let s = 0; s < n; s += batchSize) {
    const k = Math.min(batchSize, n - s);
    for (let i = 0; i < k * L; i++) eps[i] = rng.normal();
    const next = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(s * px, (s + k) * px), [k, S, S, 1]);
      const l = model.losses(x, tf.tensor2d(eps.subarray(0, k * L), [k, L]));
      return tf.add(sums, tf.stack([tf.sum(l.total), tf.sum(l.reco), tf.sum(l.kl)]));
    });
    sums.dispose();
    sums = next;
  }
  const v = await sums.data();
  sums.dispose();
  return { total: v[0] / n, reco: v[1] / n, kl: v[2] / n };
}

/**
 * Train the conv VAE on `images` (flat N x S x S): a seeded split into training and
 * validation (or `validationImages`), then Adam on shuffled batches, the validation loss
 * after each epoch, early stopping and learning-rate cuts on it, one progress line per epoch
 * (losses, learning rate, images/s). Returns the model, the history and the split.
 */
export async function trainConvVae(
  images: Float32Array,
  options: TrainConvVaeOptions,
): Promise<TrainedConvVae> {
  const { backend } = await initTf();
  const o = { ...PAPER2_FIT, ...options };
  const log = options.log === undefined ? (l: string) => console.log(l) : options.log;
  if (!posInt(o.maxEpochs)) throw new RangeError(`trainConvVae: maxEpochs=${o.maxEpochs}`);
  if (!posInt(o.batchSize)) throw new RangeError(`trainConvVae: batchSize=${o.batchSize}`);
  const config = convVaeConfig(typeof o.config === "string" ? o.config : o.config ?? {});
  const S = config.imageSize;
  const px = S * S;
  const L = config.latentDim;
  if (!(images instanceof Float32Array) || images.length % px !== 0 || images.length === 0) {
    throw new RangeError(
      `trainConvVae: expected N x ${S} x ${S} float32 values, got ${images?.length}`,
    );
  }
  const nAll = images.length / px;
  let split: { train: Uint32Array; validation: Uint32Array };
  let valImages: Float32Array;
  if (o.validationImages) {
    if (o.validationImages.length % px !== 0 || o.validationImages.length === 0) {
      throw new RangeError(`trainConvVae: validationImages length ${o.validationImages.length}`);
    }
    split = {
      train: Uint32Array.from({ length: nAll }, (_, i) => i),
      validation: new Uint32Array(0),
    };
    valImages = o.validationImages;
  } else {
    split = splitConvVaeImages(nAll, o.validationFraction, o.seed);
    valImages = new Float32Array(split.validation.length * px);
    gather(images, px, split.validation, valImages);
  }
  const n = split.train.length;
  const nVal = valImages.length / px;

  const model = ConvVae.create(config, o.seed);
  const vars = model.trainableVariables();
  const opt = tf.train.adam(o.learningRate);
  const optLr = opt as unknown as { learningRate: number };
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
  log?.(
    `[conv-vae] training on ${n} images, validating on ${nVal} (backend ${backend}, ` +
      `${model.parameterCount} parameters, batch ${o.batchSize}, lr ${o.learningRate}, ` +
      `beta ${config.beta}, up to ${o.maxEpochs} epochs)`,
  );
  const monitor = new PlateauMonitor(o.earlyStopping, o.reduceLrOnPlateau);
  let best: Record<string, tf.Tensor> | null = null;
  const xb = new Float32Array(o.batchSize * px);
  const eb = new Float32Array(o.batchSize * L);
  const t0 = performance.now();
  try {
    for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
      const te = performance.now();
      const perm = Rng.stream(o.seed, "conv-vae-shuffle", epoch).permutation(n);
      const noise = Rng.stream(o.seed, "conv-vae-eps", epoch);
      const lr = optLr.learningRate;
      let sums = tf.zeros([3]);
      for (let s = 0; s < n; s += o.batchSize) {
        const k = Math.min(o.batchSize, n - s);
        const idx = perm.subarray(s, s + k);
        for (let i = 0; i < k; i++) idx[i] = split.train[idx[i]];
        gather(images, px, idx, xb);
        for (let i = 0; i < k * L; i++) eb[i] = noise.normal();
        const x = tf.tensor4d(xb.subarray(0, k * px), [k, S, S, 1]);
        const e = tf.tensor2d(eb.subarray(0, k * L), [k, L]);
        const held: { stats?: tf.Tensor } = {};
        opt.minimize(
          () => {
            const l = model.losses(x, e);
            held.stats = tf.keep(tf.stack([tf.sum(l.total), tf.sum(l.reco), tf.sum(l.kl)]));
            return tf.mean(l.total) as tf.Scalar;
          },
          false,
          vars,
        );
        x.dispose();
        e.dispose();
        const next = tf.add(sums, held.stats!);
        held.stats!.dispose();
        sums.dispose();
        sums = next;
      }
      const tr = await sums.data();
      sums.dispose();
      const trainSeconds = (performance.now() - te) / 1000;
      const v = await meanLosses(
        model,
        valImages,
        Rng.stream(o.seed, "conv-vae-val", epoch),
        o.evalBatchSize ?? 512,
      );
      const seconds = (performance.now() - te) / 1000;
      const rec: EpochRecord = {
        epoch,
        loss: tr[0] / n,
        reco: tr[1] / n,
        kl: tr[2] / n,
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
        `[conv-vae] epoch ${epoch}/${o.maxEpochs}  loss ${fmt(rec.loss)} (reco ${fmt(rec.reco)}, ` +
          `kl ${fmt(rec.kl)})  val ${fmt(rec.valLoss)} (reco ${fmt(rec.valReco)}, kl ${
            fmt(rec.valKl)
          })  lr ${lr.toExponential(1)}  ${rec.eventsPerSecond.toFixed(0)} images/s  ${
            seconds.toFixed(1)
          } s`,
      );
      if (!Number.isFinite(rec.loss) || !Number.isFinite(rec.valLoss)) {
        history.stopReason = "nan";
        log?.(`[conv-vae] non-finite loss at epoch ${epoch}: stopping (TerminateOnNaN)`);
        break;
      }
      if (rec.valLoss < history.bestValLoss) {
        history.bestValLoss = rec.valLoss;
        history.bestEpoch = epoch;
        if (o.restoreBest) {
          if (best) { for (const t of Object.values(best)) t.dispose(); }
          best = Object.fromEntries(vars.map((w, i) => [String(i), tf.clone(w)]));
        }
      }
      const m = monitor.update(rec.valLoss, optLr.learningRate);
      let stop = m.stop;
      if (stop) {
        history.stopReason = "earlyStopping";
        log?.(`[conv-vae] early stopping at epoch ${epoch} (best ${history.bestEpoch})`);
      } else if (m.lr !== optLr.learningRate) {
        log?.(`[conv-vae] reducing learning rate to ${m.lr.toExponential(1)}`);
        optLr.learningRate = m.lr;
      }
      if (!stop && o.maxSeconds !== undefined && (performance.now() - t0) / 1000 > o.maxSeconds) {
        history.stopReason = "maxSeconds";
        log?.(`[conv-vae] time budget of ${o.maxSeconds} s used: stopping`);
        stop = true;
      }
      if (stop) break;
    }
    if (o.restoreBest && best) {
      vars.forEach((w, i) => w.assign(best![String(i)]));
      history.finalEpoch = history.bestEpoch;
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    if (best) { for (const t of Object.values(best)) t.dispose(); }
    opt.dispose();
  }
  history.totalSeconds = (performance.now() - t0) / 1000;
  return { model, history, split };
}

// ---------------------------------------------------------------------------------------
// Saving, loading, caching
// ---------------------------------------------------------------------------------------

/** Bump when a change of this code changes trained models (invalidates caches). */
export const CONV_VAE_CODE_VERSION = 1;

/** What is stored with a saved model. */
export interface SavedConvVaeMetadata {
  kind: "conv-vae";
  codeVersion: number;
  config: ConvVaeConfig;
  seed: number;
  history?: TrainHistory;
  /** Caller's extra fields (cache key, data hash, training options ...). */
  extra?: Metadata;
}

/** Save a model (weights by stable name, config, seed, history) to the folder `dir`. */
export async function saveConvVae(
  model: ConvVae,
  dir: string,
  history?: TrainHistory,
  extra?: Metadata,
): Promise<void> {
  const meta: SavedConvVaeMetadata = {
    kind: "conv-vae",
    codeVersion: CONV_VAE_CODE_VERSION,
    config: model.config,
    seed: model.seed,
    ...(history ? { history } : {}),
    ...(extra ? { extra } : {}),
  };
  await saveTensors(dir, model.namedVariables(), meta as unknown as Metadata);
}

/** Load a model saved by {@link saveConvVae}. */
export async function loadConvVae(
  dir: string,
): Promise<{ model: ConvVae; metadata: SavedConvVaeMetadata }> {
  await initTf();
  const { metadata } = await loadTensors(dir);
  const meta = metadata as unknown as SavedConvVaeMetadata;
  if (meta.kind !== "conv-vae") {
    throw new Error(`loadConvVae: ${dir} holds a "${String(meta.kind)}", not a conv-vae`);
  }
  const model = ConvVae.create(convVaeConfig(meta.config), meta.seed ?? 1);
  try {
    await loadIntoVariables(dir, model.namedVariables());
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata: meta };
}

/** sha256 (hex) of images (flat float32). */
export function hashImages(images: Float32Array): string {
  return sha256Hex(new Uint8Array(images.buffer, images.byteOffset, images.byteLength));
}

/** Options of {@link trainConvVaeCached}. */
export interface CachedTrainConvVaeOptions extends TrainConvVaeOptions {
  /** Folder of the model cache (default `data/cache/models`). */
  cacheRoot?: string;
  /** Retrain even when a cached model exists. */
  force?: boolean;
  /**
   * Hash of the data for the key (default: sha256 of the images and validation images);
   * when given it must cover `validationImages` too.
   */
  dataHash?: string;
}

/**
 * The cache key (sha256 hex) of a training: code version, data hash, full config and every
 * option that changes the result (not `log` or `evalBatchSize`).
 */
export function convVaeCacheKey(images: Float32Array, options: CachedTrainConvVaeOptions): string {
  const {
    log: _log,
    cacheRoot: _root,
    force: _force,
    evalBatchSize: _ebs,
    dataHash,
    validationImages,
    config,
    ...fitOptions
  } = options;
  return configHash({
    kind: "conv-vae",
    codeVersion: CONV_VAE_CODE_VERSION,
    data: dataHash ?? hashImages(images),
    validation: validationImages ? (dataHash ? "given" : hashImages(validationImages)) : null,
    config: convVaeConfig(typeof config === "string" ? config : config ?? {}),
    fit: { ...PAPER2_FIT, ...fitOptions },
  });
}

/**
 * Train, or load the model trained earlier on the same data with the same config, options
 * and seed (folder `<cacheRoot>/conv-vae-<key 16 hex>`), so notebooks can skip training.
 */
export async function trainConvVaeCached(
  images: Float32Array,
  options: CachedTrainConvVaeOptions,
): Promise<TrainedConvVae & { dir: string; fromCache: boolean; key: string }> {
  await initTf();
  const key = convVaeCacheKey(images, options);
  const dir = `${options.cacheRoot ?? `${cacheDir()}/models`}/conv-vae-${key.slice(0, 16)}`;
  const log = options.log === undefined ? (l: string) => console.log(l) : options.log;
  const o = { ...PAPER2_FIT, ...options };
  if (!options.force) {
    let exists = false;
    try {
      exists = (await Deno.stat(`${dir}/model.json`)).isFile;
    } catch {
      exists = false;
    }
    if (exists) {
      try {
        const { model, metadata } = await loadConvVae(dir);
        if (metadata.history && metadata.extra?.cacheKey === key) {
          log?.(`[conv-vae] loaded the trained model from ${dir}`);
          const n = images.length / model.pixels;
          const split = options.validationImages
            ? {
              train: Uint32Array.from({ length: n }, (_, i) => i),
              validation: new Uint32Array(0),
            }
            : splitConvVaeImages(n, o.validationFraction, o.seed);
          return { model, history: metadata.history, split, dir, fromCache: true, key };
        }
        model.dispose();
      } catch (e) {
        log?.(`[conv-vae] cached model at ${dir} unusable (${(e as Error).message}); retraining`);
      }
    }
  }
  const trained = await trainConvVae(images, options);
  await saveConvVae(trained.model, dir, trained.history, {
    cacheKey: key,
    seed: o.seed,
    dataHash: options.dataHash ?? null,
  });
  log?.(`[conv-vae] saved ${dir}`);
  return { ...trained, dir, fromCache: false, key };
}
