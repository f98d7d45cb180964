/**
 * The dense autoencoder of paper 4 (section 3.2), for RMM inputs and for the four-momentum
 * alternative of section 4:
 *
 *     inputs (d) -> 20 -> 10 -> 5 (latent) -> 10 -> 20 -> d,  ReLU after every layer
 *
 * "The ReLU activation function was used for all layers" (the output layer included; the
 * paper tested sigmoid for the input/output layers and found it slower and worse), Adam
 * (Keras defaults, learning rate 1e-3), mean squared error between input and output, batch
 * 100, early stopping when the validation loss has not improved for 30 epochs, on a 70 / 30
 * split of the training sample. The paper lists the decoder's hidden layers as "20 and 10";
 * the mirror 5 -> 10 -> 20 -> d is used: for d = 750 it gives 31,315 parameters, the
 * paper's "about 32,000" (the literal order 5 -> 20 -> 10 -> d would give 23,865). Widths
 * and activations are configurable.
 *
 * Inputs are raw rows (an RMM of 2601 cells, or 201 four-momentum values) reduced to the
 * kept columns - by default those non-zero somewhere in the training sample (paper: 750 of
 * 2601) - and optionally min-max scaled to [0, 1] per column on the training rows (paper 4
 * section 3.2 applies it to the RMM too, {@link PAPER4_RMM_INPUT}, and to the four-momentum
 * inputs of section 4; a column constant in the training rows maps to 0). The kept columns
 * and the scaling are part of the model and are
 * saved with it, so a loaded model scores raw rows directly. The anomaly score is the
 * per-event reconstruction loss (mean over the kept inputs of the squared error; the Keras
 * MSE) and its logarithm ln(Loss), the variable of paper 4's figures 2, 4 and 5.
 *
 * Engine: parameters live in one flat Float32Array `theta` in the Keras layout (kernel
 * [in, out] then bias, per layer), laid out and Glorot-initialised by the VAE helper's
 * `DenseStack`, and are updated by its `Adam` inside its epoch loop (`fit` of
 * lib/models/vae/train.ts: shuffles, early stopping, progress lines, history). The compute
 * is split by what is fast on wasm: the narrow layers and the first layer run as plain
 * JavaScript loops in float64 scratch, the first one over the non-zero inputs only (an RMM
 * row has ~60 non-zero cells of 750); the wide output layer's product runs through
 * TensorFlow.js (XNNPACK), and so does its backward pass while many output gradients are
 * non-zero - once a ReLU output predicts exactly 0 for the cells of absent objects (~90 % of
 * them after the first epoch) loops over the non-zero gradients are faster. Measured on the
 * build machine (one core, CPU time; d = 750, batch 100, simulated lepton + jets RMMs):
 * ~78k events/s per training step (~50k for a whole epoch with its validation pass) and
 * ~100k events/s scoring, versus ~50k events/s per step with the all-tfjs `DenseStack`
 * passes. With `engine = "js"` the output layer runs as loops too (no tfjs backend needed;
 * ~35k events/s per step). The gradients are checked against the tfjs `DenseStack.backward` in the tests.
 *
 * Determinism: initial weights from `Rng.stream(seed, "dense-ae-init")`, the 70 / 30 split
 * from `Rng.stream(seed, "dense-ae-split")`, the shuffles from `fit`
 * (`Rng.stream(seed, "dense-ae-shuffle", epoch)`); single-threaded arithmetic in a fixed
 * order (the choice of backward path depends on the data only), so the same data, options,
 * seed and backend give identical weights and scores.
 */
import { configHash, sha256Hex } from "../../data/manifest.ts";
import { cacheDir } from "../../repro/paths.ts";
import { Rng } from "../../random/rng.ts";
import { initTf } from "../../tf/backend.ts";
import { loadTensors, type Metadata, type NamedArray, saveTensors } from "../../tf/modelIO.ts";
import * as tf from "@tensorflow/tfjs";
import { DenseStack, readInto, upload } from "../vae/dense.ts";
import { fit, type FitTarget, type TrainHistory } from "../vae/train.ts";
import type { StepLosses } from "../vae/hlfVae.ts";

export type { EpochRecord, StopReason, TrainHistory } from "../vae/train.ts";

/** Activation of a layer. */
export type AeActivation = "relu" | "linear";

/** Architecture of the autoencoder (the input width comes from the kept columns). */
export interface DenseAeLayers {
  /** Encoder hidden widths; the decoder mirrors them (paper 4: [20, 10]). */
  readonly hidden: readonly number[];
  /** Latent (bottleneck) width (paper 4: 5). */
  readonly latentDim: number;
  /** Activation of the hidden layers (paper 4: ReLU). */
  readonly hiddenActivation: AeActivation;
  /** Activation of the latent layer (paper 4: ReLU, "for all layers"). */
  readonly latentActivation: AeActivation;
  /** Activation of the output layer (paper 4: ReLU). */
  readonly outputActivation: AeActivation;
}

/** Paper 4's architecture. */
export const PAPER4_AE_LAYERS: DenseAeLayers = Object.freeze({
  hidden: Object.freeze([20, 10]) as readonly number[],
  latentDim: 5,
  hiddenActivation: "relu",
  latentActivation: "relu",
  outputActivation: "relu",
});

/** Validate a partial architecture against {@link PAPER4_AE_LAYERS}. */
export function denseAeLayers(layers: Partial<DenseAeLayers> = {}): DenseAeLayers {
  for (const k of Object.keys(layers)) {
    if (!(k in PAPER4_AE_LAYERS)) {
      throw new Error(`DenseAeLayers: unknown key "${k}"; known: ${Object.keys(PAPER4_AE_LAYERS)}`);
    }
  }
  const c = { ...PAPER4_AE_LAYERS, ...layers };
  if (!Array.isArray(c.hidden) || !c.hidden.every((h) => Number.isInteger(h) && h >= 1)) {
    throw new RangeError(`DenseAeLayers.hidden=${c.hidden}, expected positive integers`);
  }
  if (!Number.isInteger(c.latentDim) || c.latentDim < 1) {
    throw new RangeError(`DenseAeLayers.latentDim=${c.latentDim}`);
  }
  for (const k of ["hiddenActivation", "latentActivation", "outputActivation"] as const) {
    if (c[k] !== "relu" && c[k] !== "linear") {
      throw new RangeError(`DenseAeLayers.${k}="${c[k]}", expected "relu" or "linear"`);
    }
  }
  return Object.freeze({ ...c, hidden: Object.freeze([...c.hidden]) });
}

/** Rows of a row-major matrix. */
export interface MatrixRows {
  /** (rows, cols) row-major. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

function checkRows(what: string, m: MatrixRows): void {
  if (!(m.data instanceof Float32Array)) throw new TypeError(`${what}: data is not a Float32Array`);
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 1) {
    throw new RangeError(`${what}: rows=${m.rows}, cols=${m.cols}`);
  }
  if (m.data.length < m.rows * m.cols) {
    throw new RangeError(`${what}: ${m.data.length} values for ${m.rows} x ${m.cols}`);
  }
}

/** How raw rows become model inputs; saved with the model. */
export interface AeInputSpec {
  /** Width of the raw rows (2601 for T5N10 RMMs, 201 for four-momenta). */
  readonly rawDim: number;
  /** Kept raw columns, ascending (the model's input width is their number). */
  readonly columns: Int32Array;
  /** Min-max scaling of the kept columns, (x - min) / (max - min) (0 where max = min), or null. */
  readonly scaleMin: Float32Array | null;
  readonly scaleMax: Float32Array | null;
}

/**
 * Above this fraction of non-zero output gradients the output layer's backward pass runs as
 * dense tfjs products, below it as loops over the non-zero entries (for 100 x 750 batches on
 * wasm the two dense products take ~0.8 ms, the loops ~25 ns per non-zero gradient).
 */
const SPARSE_OUTPUT_FRACTION = 0.3;

/** The autoencoder: architecture, input spec and parameters. */
export class DenseAe {
  readonly layers: DenseAeLayers;
  readonly input: AeInputSpec;
  /** Input (= output) width: the number of kept columns. */
  readonly dim: number;
  /** Parameter layout (kernels [in, out] row-major, then biases), all layers in one stack. */
  readonly stack: DenseStack;
  /** All trainable parameters. */
  readonly theta: Float32Array;
  readonly #widths: number[];
  readonly #relu: boolean[];
  readonly #inv: Float64Array | null;
  // Float64 scratch, grown on demand: weights and gradients per layer (see #syncWeights),
  // activations per layer, backpropagated gradients, non-zero inputs of layer 0.
  readonly #w: Float64Array[] = [];
  readonly #b: Float64Array[] = [];
  readonly #gw: Float64Array[] = [];
  readonly #gb: Float64Array[] = [];
  #acts: Float64Array[] = [];
  #out = new Float32Array(0);
  #dz = new Float32Array(0);
  #h32 = new Float32Array(0);
  #hT32 = new Float32Array(0);
  #wT32 = new Float32Array(0);
  #act = new Int32Array(0);
  #actStart = new Int32Array(0);
  #dA = new Float64Array(0);
  #dB = new Float64Array(0);
  #nzStart = new Int32Array(0);
  #nzIdx = new Int32Array(0);
  #nzVal = new Float64Array(0);
  #cap = 0;

  constructor(layers: Partial<DenseAeLayers>, input: AeInputSpec) {
    this.layers = denseAeLayers(layers);
    this.input = checkInputSpec(input);
    this.dim = input.columns.length;
    const L = this.layers;
    this.#widths = [this.dim, ...L.hidden, L.latentDim, ...[...L.hidden].reverse(), this.dim];
    const acts: AeActivation[] = [
      ...L.hidden.map(() => L.hiddenActivation),
      L.latentActivation,
      ...L.hidden.map(() => L.hiddenActivation),
      L.outputActivation,
    ];
    this.#relu = acts.map((a) => a === "relu");
    this.stack = new DenseStack(
      acts.map((activation, l) => ({
        in: this.#widths[l],
        out: this.#widths[l + 1],
        activation,
      })),
      0,
    );
    this.theta = new Float32Array(this.stack.size);
    if (input.scaleMin && input.scaleMax) {
      this.#inv = new Float64Array(this.dim);
      for (let c = 0; c < this.dim; c++) {
        const r = input.scaleMax[c] - input.scaleMin[c];
        this.#inv[c] = r > 0 ? 1 / r : 0;
      }
    } else this.#inv = null;
  }

  /** A fresh model: Glorot-uniform kernels and zero biases from `Rng.stream(seed, "dense-ae-init")`. */
  static create(layers: Partial<DenseAeLayers>, input: AeInputSpec, seed: number): DenseAe {
    const m = new DenseAe(layers, input);
    m.stack.initGlorot(m.theta, Rng.stream(seed, "dense-ae-init"));
    return m;
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.theta.length;
  }

  /** Layer widths from input to output, e.g. [750, 20, 10, 5, 10, 20, 750]. */
  get widths(): readonly number[] {
    return this.#widths;
  }

  /**
   * Model inputs (rows x dim) from raw rows: rows of `rawDim` values (e.g. whole RMMs) are
   * reduced to the kept columns, rows of `dim` values are taken as already reduced (e.g.
   * `rmmMatrices(events, {}, model.input.columns)`); then the scaling, if any, is applied.
   * `out` (length >= rows dim) may be given to avoid an allocation.
   */
  prepare(raw: MatrixRows, out?: Float32Array): Float32Array {
    checkRows("DenseAe.prepare", raw);
    return this.#prepareRows(raw, 0, raw.rows, out);
  }

  #prepareRows(raw: MatrixRows, start: number, count: number, out?: Float32Array): Float32Array {
    const { data, cols } = raw;
    const d = this.dim;
    let colIdx: Int32Array | null;
    if (cols === this.input.rawDim) colIdx = cols === d ? null : this.input.columns;
    else if (cols === d) colIdx = null;
    else {
      throw new RangeError(
        `DenseAe: rows have ${cols} columns; the model takes ${this.input.rawDim} (raw) or ` +
          `${d} (kept columns only)`,
      );
    }
    const x = out ?? new Float32Array(count * d);
    if (x.length < count * d) throw new RangeError(`DenseAe.prepare: out too short`);
    const min = this.input.scaleMin;
    const inv = this.#inv;
    for (let r = 0; r < count; r++) {
      const src = (start + r) * cols;
      const o = r * d;
      if (colIdx) {
        for (let c = 0; c < d; c++) x[o + c] = data[src + colIdx[c]];
      } else x.set(data.subarray(src, src + d), o);
      if (inv && min) {
        for (let c = 0; c < d; c++) x[o + c] = (x[o + c] - min[c]) * inv[c];
      }
    }
    return x;
  }

  #reserve(n: number): void {
    const nl = this.#relu.length;
    if (this.#w.length === 0) {
      // Weight and gradient scratch (float64): layer 0 in the kernel layout [in, out], the
      // others transposed [out, in].
      for (let l = 0; l < nl; l++) {
        const I = this.#widths[l], O = this.#widths[l + 1];
        this.#w.push(new Float64Array(I * O));
        this.#b.push(new Float64Array(O));
        this.#gw.push(new Float64Array(I * O));
        this.#gb.push(new Float64Array(O));
      }
      this.#wT32 = new Float32Array(this.#widths[nl - 1] * this.dim);
    }
    if (n <= this.#cap) return;
    const cap = Math.max(n, 2 * this.#cap);
    this.#acts = this.#widths.slice(1, nl).map((w) => new Float64Array(cap * w));
    this.#out = new Float32Array(cap * this.dim);
    this.#dz = new Float32Array(cap * this.dim);
    this.#act = new Int32Array(cap * this.dim);
    this.#actStart = new Int32Array(cap + 1);
    this.#h32 = new Float32Array(cap * this.#widths[nl - 1]);
    this.#hT32 = new Float32Array(cap * this.#widths[nl - 1]);
    const maxW = Math.max(...this.#widths);
    this.#dA = new Float64Array(cap * maxW);
    this.#dB = new Float64Array(cap * maxW);
    this.#nzStart = new Int32Array(cap + 1);
    this.#nzIdx = new Int32Array(cap * this.dim);
    this.#nzVal = new Float64Array(cap * this.dim);
    this.#cap = cap;
  }

  /** Copy theta into the float64 weight scratch (layer 0 as [in, out], others as [out, in]). */
  #syncWeights(): void {
    const theta = this.theta;
    for (let l = 0; l < this.#relu.length; l++) {
      const I = this.#widths[l], O = this.#widths[l + 1];
      const kOff = this.stack.kernelOffset(l), bOff = this.stack.biasOffset(l);
      const w = this.#w[l];
      if (l === 0) w.set(theta.subarray(kOff, kOff + I * O));
      else {
        for (let i = 0; i < I; i++) {
          for (let o = 0; o < O; o++) w[o * I + i] = theta[kOff + i * O + o];
        }
      }
      this.#b[l].set(theta.subarray(bOff, bOff + O));
    }
  }

  /**
   * Engine of the output layer (the only wide dense product): "tfjs" runs its three matrix
   * products through TensorFlow.js (XNNPACK on wasm; `initTf()` must have run), "js" in
   * plain loops (no backend needed; slower for wide inputs). Both give the same results up
   * to float32 rounding.
   */
  engine: "tfjs" | "js" = "tfjs";

  /**
   * Forward pass of `n` prepared rows `x`: activations into the scratch, the non-zero
   * inputs of each row listed for layer 0. Returns the output (float32, n x dim).
   */
  #forward(x: Float32Array, n: number): Float32Array {
    this.#reserve(n);
    this.#syncWeights();
    const d = this.dim;
    const nl = this.#relu.length;
    const acts = this.#acts;
    sparseInputForward(
      n,
      d,
      this.#widths[1],
      x,
      this.#nzStart,
      this.#nzIdx,
      this.#nzVal,
      this.#w[0],
      this.#b[0],
      acts[0],
      this.#relu[0],
    );
    for (let l = 1; l < nl - 1; l++) {
      denseForwardT(
        n,
        this.#widths[l],
        this.#widths[l + 1],
        acts[l - 1],
        this.#w[l],
        this.#b[l],
        acts[l],
        this.#relu[l],
      );
    }
    // Output layer.
    const l = nl - 1;
    const I = this.#widths[l];
    const out = this.#out;
    if (this.engine === "tfjs") {
      const h = this.#h32;
      h.set(acts[l - 1].subarray(0, n * I));
      this.#tfOutputForward(h, n, I, out);
    } else denseForwardT(n, I, d, acts[l - 1], this.#w[l], this.#b[l], out, this.#relu[l]);
    return out;
  }

  #tfOutputForward(h: Float32Array, n: number, I: number, out: Float32Array): void {
    const d = this.dim;
    const l = this.#relu.length - 1;
    const kOff = this.stack.kernelOffset(l), bOff = this.stack.biasOffset(l);
    tf.tidy(() => {
      const y = tf.fused.matMul({
        a: upload(h, [n, I]),
        b: upload(this.theta.subarray(kOff, kOff + I * d), [I, d]),
        bias: upload(this.theta.subarray(bOff, bOff + d), [d]),
        activation: this.#relu[l] ? "relu" : "linear",
      });
      readInto(y, out);
    });
  }

  /**
   * Batch-mean MSE of `n` prepared rows `x` (Keras: mean over inputs, then over the batch)
   * and its gradient w.r.t. theta, written into `grad`.
   */
  lossAndGradient(x: Float32Array, n: number, grad: Float32Array): number {
    const d = this.dim;
    if (grad.length !== this.theta.length) {
      throw new RangeError(`lossAndGradient: grad has ${grad.length} != ${this.theta.length}`);
    }
    if (!Number.isInteger(n) || n < 1 || x.length < n * d) {
      throw new RangeError(`lossAndGradient: ${x.length} values for ${n} rows of ${d}`);
    }
    const out = this.#forward(x, n);
    const nl = this.#relu.length;
    const lo = nl - 1;
    const I = this.#widths[lo];
    const acts = this.#acts;
    const gbOut = this.#gb[lo];
    const sse = outputGradient(
      n,
      d,
      out,
      x,
      this.#relu[lo],
      2 / (n * d),
      this.#dz,
      gbOut,
      this.#act,
      this.#actStart,
    );
    const loss = sse / (n * d);
    const nnz = this.#actStart[n];
    let dY = this.#dA;
    let dNext = this.#dB;
    const kOut = this.stack.kernelOffset(lo);
    // With a ReLU output, most outputs of a trained model are 0 for the many always-empty
    // cells of an event and their dZ vanishes: the sparse loops then beat the dense products.
    if (this.engine === "tfjs" && nnz > SPARSE_OUTPUT_FRACTION * n * d) {
      this.#tfOutputBackward(n, I, acts[lo - 1], grad.subarray(kOut, kOut + I * d), dY);
    } else {
      const gw = this.#gw[lo];
      sparseOutputBackward(
        n,
        I,
        d,
        this.#dz,
        this.#act,
        this.#actStart,
        acts[lo - 1],
        this.#w[lo],
        gw,
        dY,
      );
      untranspose(I, d, gw, grad, kOut);
    }
    grad.set(gbOut, this.stack.biasOffset(lo));
    for (let l = nl - 2; l >= 1; l--) {
      const I = this.#widths[l], O = this.#widths[l + 1];
      const gw = this.#gw[l], gb = this.#gb[l];
      gb.fill(0);
      denseBackwardT(n, I, O, dY, acts[l], this.#relu[l], acts[l - 1], this.#w[l], gw, gb, dNext);
      untranspose(I, O, gw, grad, this.stack.kernelOffset(l));
      grad.set(gb, this.stack.biasOffset(l));
      const t = dY;
      dY = dNext;
      dNext = t;
    }
    const gw0 = this.#gw[0], gb0 = this.#gb[0];
    sparseInputBackward(
      n,
      this.#widths[1],
      dY,
      acts[0],
      this.#relu[0],
      this.#nzStart,
      this.#nzIdx,
      this.#nzVal,
      gw0,
      gb0,
    );
    grad.set(gw0, this.stack.kernelOffset(0));
    grad.set(gb0, this.stack.biasOffset(0));
    return loss;
  }

  /** Output layer backward through tfjs: dW = h^T dZ [I, d] into `gradK`, dH = dZ W^T. */
  #tfOutputBackward(
    n: number,
    I: number,
    h: Float64Array,
    gradK: Float32Array,
    dH: Float64Array,
  ): void {
    const d = this.dim;
    const lo = this.#relu.length - 1;
    const hT = this.#hT32;
    for (let r = 0; r < n; r++) for (let i = 0; i < I; i++) hT[i * n + r] = h[r * I + i];
    const wT = this.#wT32;
    wT.set(this.#w[lo]);
    const dH32 = this.#h32;
    const dz = this.#dz;
    tf.tidy(() => {
      const dzt = upload(dz, [n, d]);
      readInto(tf.matMul(upload(hT, [I, n]), dzt), gradK);
      readInto(tf.matMul(dzt, upload(wT, [d, I])), dH32);
    });
    for (let k = 0; k < n * I; k++) dH[k] = dH32[k];
  }

  /** Per-event loss of `n` prepared rows `x` (mean squared error over the inputs). */
  lossOfPrepared(x: Float32Array, n: number, chunkSize = 2048): Float32Array {
    const d = this.dim;
    if (x.length < n * d) throw new RangeError(`lossOfPrepared: ${x.length} < ${n} x ${d}`);
    const res = new Float32Array(n);
    for (let s = 0; s < n; s += chunkSize) {
      const k = Math.min(chunkSize, n - s);
      const xs = x.subarray(s * d, (s + k) * d);
      const out = this.#forward(xs, k);
      for (let r = 0; r < k; r++) {
        let e = 0;
        for (let c = 0; c < d; c++) {
          const diff = out[r * d + c] - xs[r * d + c];
          e += diff * diff;
        }
        res[s + r] = e / d;
      }
    }
    return res;
  }

  /**
   * Per-event reconstruction loss (the anomaly score) of raw rows (whole, or reduced to the
   * kept columns: see {@link prepare}): the mean over the kept (and scaled) inputs of the
   * squared error, as Keras' MSE. Use {@link lnLoss} for ln(Loss). Processes `chunkSize`
   * rows at a time, so large samples need no second full-size copy.
   */
  loss(raw: MatrixRows, chunkSize = 2048): Float32Array {
    checkRows("DenseAe.loss", raw);
    const res = new Float32Array(raw.rows);
    const buf = new Float32Array(Math.min(chunkSize, Math.max(raw.rows, 1)) * this.dim);
    for (let s = 0; s < raw.rows; s += chunkSize) {
      const k = Math.min(chunkSize, raw.rows - s);
      const x = this.#prepareRows(raw, s, k, buf);
      res.set(this.lossOfPrepared(x, k, chunkSize), s);
    }
    return res;
  }

  /** Reconstructed model inputs (rows x dim, in the kept / scaled space) of raw rows. */
  reconstruct(raw: MatrixRows): Float32Array {
    const x = this.prepare(raw);
    const out = new Float32Array(raw.rows * this.dim);
    const chunk = 2048;
    for (let s = 0; s < raw.rows; s += chunk) {
      const k = Math.min(chunk, raw.rows - s);
      out.set(
        this.#forward(x.subarray(s * this.dim, (s + k) * this.dim), k).subarray(0, k * this.dim),
        s * this.dim,
      );
    }
    return out;
  }

  /** Latent (bottleneck) activations (rows x latentDim) of raw rows. */
  encode(raw: MatrixRows): Float32Array {
    const x = this.prepare(raw);
    const lat = this.layers.hidden.length;
    const w = this.layers.latentDim;
    const out = new Float32Array(raw.rows * w);
    const chunk = 2048;
    for (let s = 0; s < raw.rows; s += chunk) {
      const k = Math.min(chunk, raw.rows - s);
      this.#forward(x.subarray(s * this.dim, (s + k) * this.dim), k);
      out.set(this.#acts[lat].subarray(0, k * w), s * w);
    }
    return out;
  }

  /** Layer names of the saved weights: encoder_1.., latent, decoder_1.., output. */
  layerNames(): string[] {
    return [
      ...this.layers.hidden.map((_, i) => `encoder_${i + 1}`),
      "latent",
      ...this.layers.hidden.map((_, i) => `decoder_${i + 1}`),
      "output",
    ];
  }

  /** Weights by name (`<layer>/kernel` [in, out], `<layer>/bias`) and the input spec. */
  namedWeights(): Record<string, NamedArray> {
    const out: Record<string, NamedArray> = {};
    this.layerNames().forEach((name, l) => {
      const { in: I, out: O } = this.stack.layers[l];
      const k = this.stack.kernelOffset(l), b = this.stack.biasOffset(l);
      out[`${name}/kernel`] = { values: this.theta.slice(k, k + I * O), shape: [I, O] };
      out[`${name}/bias`] = { values: this.theta.slice(b, b + O), shape: [O] };
    });
    out["input/columns"] = { values: this.input.columns.slice(), shape: [this.dim] };
    if (this.input.scaleMin && this.input.scaleMax) {
      out["input/scale_min"] = { values: this.input.scaleMin.slice(), shape: [this.dim] };
      out["input/scale_max"] = { values: this.input.scaleMax.slice(), shape: [this.dim] };
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Kernels (small monomorphic functions, so that V8 optimises each loop on its own)
// ---------------------------------------------------------------------------------------

/**
 * Layer 0: z[r, :] = b + sum over the non-zero x[r, i] of x[r, i] W[i, :] (W as [in, out]);
 * lists the non-zero inputs (CSR: nzStart, nzIdx, nzVal) for the backward pass.
 */
function sparseInputForward(
  n: number,
  d: number,
  O: number,
  x: Float32Array,
  nzStart: Int32Array,
  nzIdx: Int32Array,
  nzVal: Float64Array,
  w: Float64Array,
  b: Float64Array,
  z: Float64Array,
  relu: boolean,
): void {
  let k = 0;
  for (let r = 0; r < n; r++) {
    nzStart[r] = k;
    const xr = r * d;
    for (let i = 0; i < d; i++) {
      const v = x[xr + i];
      if (v !== 0) {
        nzIdx[k] = i;
        nzVal[k++] = v;
      }
    }
  }
  nzStart[n] = k;
  for (let r = 0; r < n; r++) {
    const zr = r * O;
    for (let o = 0; o < O; o++) z[zr + o] = b[o];
    for (let j = nzStart[r]; j < nzStart[r + 1]; j++) {
      const v = nzVal[j], wi = nzIdx[j] * O;
      for (let o = 0; o < O; o++) z[zr + o] += v * w[wi + o];
    }
    if (relu) { for (let o = 0; o < O; o++) if (z[zr + o] < 0) z[zr + o] = 0; }
  }
}

/** z[r, o] = act(b[o] + sum_i a[r, i] W^T[o, i]) with W^T as [out, in]. */
function denseForwardT(
  n: number,
  I: number,
  O: number,
  a: Float64Array,
  wT: Float64Array,
  b: Float64Array,
  z: Float64Array | Float32Array,
  relu: boolean,
): void {
  for (let r = 0; r < n; r++) {
    const ar = r * I, zr = r * O;
    for (let o = 0; o < O; o++) {
      let s = b[o];
      const wo = o * I;
      for (let i = 0; i < I; i++) s += a[ar + i] * wT[wo + i];
      z[zr + o] = relu && s < 0 ? 0 : s;
    }
  }
}

/**
 * Output gradient of the batch-mean MSE over n rows of d: dz = g (out - x), 0 where a ReLU
 * output is 0; bias gradient summed into gb (zeroed here); the columns of the non-zero dz of
 * row r listed in act[actStart[r] .. actStart[r + 1]). Returns the sum of squared errors.
 */
function outputGradient(
  n: number,
  d: number,
  out: Float32Array,
  x: Float32Array,
  relu: boolean,
  g: number,
  dz: Float32Array,
  gb: Float64Array,
  act: Int32Array,
  actStart: Int32Array,
): number {
  gb.fill(0);
  let loss = 0;
  let m = 0;
  for (let r = 0; r < n; r++) {
    actStart[r] = m;
    const r0 = r * d;
    for (let o = 0; o < d; o++) {
      const y = out[r0 + o];
      const diff = y - x[r0 + o];
      loss += diff * diff;
      const v = relu && y <= 0 ? 0 : g * diff;
      dz[r0 + o] = v;
      if (v !== 0) {
        gb[o] += v;
        act[m++] = o;
      }
    }
  }
  actStart[n] = m;
  return loss;
}

/**
 * Output layer backward over the listed non-zero dz only (transposed layout):
 * gW^T[o, :] += dz h[r, :], dH[r, :] += dz W^T[o, :]; gwT and dH zeroed here.
 */
function sparseOutputBackward(
  n: number,
  I: number,
  d: number,
  dz: Float32Array,
  act: Int32Array,
  actStart: Int32Array,
  h: Float64Array,
  wT: Float64Array,
  gwT: Float64Array,
  dH: Float64Array,
): void {
  gwT.fill(0);
  dH.fill(0, 0, n * I);
  for (let r = 0; r < n; r++) {
    const ar = r * I, r0 = r * d;
    for (let j = actStart[r]; j < actStart[r + 1]; j++) {
      const o = act[j];
      const v = dz[r0 + o];
      const wo = o * I;
      for (let i = 0; i < I; i++) {
        gwT[wo + i] += v * h[ar + i];
        dH[ar + i] += v * wT[wo + i];
      }
    }
  }
}

/**
 * Backward of a layer in the transposed layout: for each (r, o) with dY != 0 and, for ReLU,
 * z > 0: gb[o] += dY, gW^T[o, :] += dY a[r, :], dA[r, :] += dY W^T[o, :]. gwT and dA are
 * zeroed here; gb is accumulated.
 */
function denseBackwardT(
  n: number,
  I: number,
  O: number,
  dY: Float64Array,
  z: Float64Array,
  relu: boolean,
  a: Float64Array,
  wT: Float64Array,
  gwT: Float64Array,
  gb: Float64Array,
  dA: Float64Array,
): void {
  gwT.fill(0);
  dA.fill(0, 0, n * I);
  for (let r = 0; r < n; r++) {
    const zr = r * O, ar = r * I;
    for (let o = 0; o < O; o++) {
      const v = dY[zr + o];
      if (v === 0 || (relu && z[zr + o] <= 0)) continue;
      gb[o] += v;
      const wo = o * I;
      for (let i = 0; i < I; i++) {
        gwT[wo + i] += v * a[ar + i];
        dA[ar + i] += v * wT[wo + i];
      }
    }
  }
}

/** grad[off + i O + o] = gwT[o I + i] (back to the Keras [in, out] layout). */
function untranspose(
  I: number,
  O: number,
  gwT: Float64Array,
  grad: Float32Array,
  off: number,
): void {
  for (let o = 0; o < O; o++) {
    const wo = o * I;
    for (let i = 0; i < I; i++) grad[off + i * O + o] = gwT[wo + i];
  }
}

/** Layer 0 backward: dZ = dY relu'(z); gb = sum dZ; gW[i, :] = sum over non-zero x of x dZ. */
function sparseInputBackward(
  n: number,
  O: number,
  dY: Float64Array,
  z: Float64Array,
  relu: boolean,
  nzStart: Int32Array,
  nzIdx: Int32Array,
  nzVal: Float64Array,
  gw: Float64Array,
  gb: Float64Array,
): void {
  gw.fill(0);
  gb.fill(0);
  for (let r = 0; r < n; r++) {
    const zr = r * O;
    if (relu) { for (let o = 0; o < O; o++) if (z[zr + o] <= 0) dY[zr + o] = 0; }
    for (let o = 0; o < O; o++) gb[o] += dY[zr + o];
    for (let j = nzStart[r]; j < nzStart[r + 1]; j++) {
      const v = nzVal[j], wi = nzIdx[j] * O;
      for (let o = 0; o < O; o++) gw[wi + o] += v * dY[zr + o];
    }
  }
}

function checkInputSpec(s: AeInputSpec): AeInputSpec {
  if (!Number.isInteger(s.rawDim) || s.rawDim < 1) {
    throw new RangeError(`AeInputSpec.rawDim=${s.rawDim}`);
  }
  if (!(s.columns instanceof Int32Array) || s.columns.length === 0) {
    throw new RangeError("AeInputSpec.columns: a non-empty Int32Array is required");
  }
  for (let k = 0; k < s.columns.length; k++) {
    const c = s.columns[k];
    if (c < 0 || c >= s.rawDim || (k > 0 && c <= s.columns[k - 1])) {
      throw new RangeError(
        `AeInputSpec.columns[${k}]=${c}: columns must be ascending and in [0, ${s.rawDim})`,
      );
    }
  }
  if ((s.scaleMin === null) !== (s.scaleMax === null)) {
    throw new RangeError("AeInputSpec: scaleMin and scaleMax must both be set or both null");
  }
  if (s.scaleMin && s.scaleMax) {
    if (s.scaleMin.length !== s.columns.length || s.scaleMax.length !== s.columns.length) {
      throw new RangeError("AeInputSpec: scaleMin / scaleMax lengths differ from columns");
    }
  }
  return s;
}

/** Natural logarithm of each loss (paper 4's ln(Loss)); -Infinity for a loss of 0. */
export function lnLoss(loss: ArrayLike<number>): Float64Array {
  const out = new Float64Array(loss.length);
  for (let i = 0; i < loss.length; i++) out[i] = Math.log(loss[i]);
  return out;
}

// ---------------------------------------------------------------------------------------
// Input specs
// ---------------------------------------------------------------------------------------

/**
 * The input spec of raw rows: `columns` "nonzero" (columns with a non-zero value in some
 * row of `raw`; paper 4's pruning), "all", or an explicit ascending list (e.g. the union
 * over the full sample and BSM samples, as the paper advises); `scaling` "minmax" learns
 * per-column ranges on `raw` (paper 4's RMM and four-momentum inputs) or "none" (raw rows).
 */
export function inputSpecFor(
  raw: MatrixRows,
  columns: "nonzero" | "all" | ArrayLike<number> = "nonzero",
  scaling: "none" | "minmax" = "none",
): AeInputSpec {
  checkRows("inputSpecFor", raw);
  const { data, rows, cols } = raw;
  let kept: Int32Array;
  if (columns === "all") kept = Int32Array.from({ length: cols }, (_, i) => i);
  else if (columns === "nonzero") {
    const any = new Uint8Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) if (data[o + c] !== 0) any[c] = 1;
    }
    const list: number[] = [];
    for (let c = 0; c < cols; c++) if (any[c]) list.push(c);
    if (list.length === 0) throw new RangeError("inputSpecFor: every column is zero in every row");
    kept = Int32Array.from(list);
  } else kept = Int32Array.from(columns);
  let scaleMin: Float32Array | null = null;
  let scaleMax: Float32Array | null = null;
  if (scaling === "minmax") {
    if (rows === 0) throw new RangeError("inputSpecFor: min-max scaling needs rows");
    scaleMin = new Float32Array(kept.length).fill(Infinity);
    scaleMax = new Float32Array(kept.length).fill(-Infinity);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let k = 0; k < kept.length; k++) {
        const v = data[o + kept[k]];
        if (v < scaleMin[k]) scaleMin[k] = v;
        if (v > scaleMax[k]) scaleMax[k] = v;
      }
    }
  } else if (scaling !== "none") throw new RangeError(`inputSpecFor: scaling="${scaling}"`);
  return checkInputSpec({ rawDim: cols, columns: kept, scaleMin, scaleMax });
}

// ---------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------

/** Options of {@link trainDenseAe}. */
export interface TrainDenseAeOptions {
  /** Maximum number of epochs (the budget knob; the paper trains a few hundred). */
  maxEpochs: number;
  /** Architecture (default {@link PAPER4_AE_LAYERS}). */
  layers?: Partial<DenseAeLayers>;
  /** Kept columns (default "nonzero" on all the given rows; see {@link inputSpecFor}). */
  columns?: "nonzero" | "all" | ArrayLike<number>;
  /**
   * Input scaling (default "none": raw rows; "minmax" for paper 4's RMM and four-momentum
   * inputs, see {@link PAPER4_RMM_INPUT}).
   */
  scaling?: "none" | "minmax";
  /** Fraction of the rows held out for validation (paper: 0.3 of 100k). */
  validationFraction?: number;
  /** Batch size (paper: 100). */
  batchSize?: number;
  /** Adam learning rate (Keras default 1e-3). */
  learningRate?: number;
  /** Early-stopping patience in epochs (paper: 30); null disables. */
  patience?: number | null;
  /** Minimum decrease of the validation loss that counts as an improvement (Keras: 0). */
  minDelta?: number;
  /** Keep the weights of the best validation epoch (default false, Keras' default). */
  restoreBest?: boolean;
  /** Seed of the initial weights, split and shuffles (default 1). */
  seed?: number;
  /** Stop after the epoch during which this wall time (s) was exceeded. */
  maxSeconds?: number;
  /** Per-epoch progress lines (default console.log; null for silence). */
  log?: ((line: string) => void) | null;
}

/** Paper 4's training settings (with the caller's epoch budget). */
export const PAPER4_AE_FIT = Object.freeze({
  validationFraction: 0.3,
  batchSize: 100,
  learningRate: 1e-3,
  patience: 30,
  minDelta: 0,
  restoreBest: false,
  seed: 1,
  columns: "nonzero",
  scaling: "none",
});

/**
 * Paper 4's preprocessing of the RMM inputs (section 3.2): the cells that are non-zero
 * somewhere ("after removing cells with 0 cell values for all events, 750 input columns were
 * retained"), min-max scaled to [0, 1] per column on the training rows ("The scaling of input
 * values to the range [0 - 1] has been applied for comparisons with an alternative ML feature
 * space"; the paper adds that without it its results were nearly identical).
 *
 * Why the scaling matters here although the paper found it nearly neutral: with the authors'
 * Map2RMM conventions (lib/features/rmm.ts, C = 1) the rapidity cells h = cosh(dy/2) - 1 and
 * hL = cosh(y) - 1 reach 5.1, while ET, MT and masses over sqrt(s) of the SM mixture are
 * ~0.01. Unscaled, 97 % of the per-event squared error of the ci model (SM and Z' 3 TeV
 * alike) sits in the rapidity cells and ~1 % in the mass / ET / MT cells that carry a heavy
 * resonance's energy scale: the ci AUC of Z' (W') 3 TeV was 0.83-0.87 (0.79-0.83), not
 * improved by 3x more SM training events (0.82) or more epochs (all trainings early-stop),
 * 0.89 (0.86) with the rapidity cells divided by cosh(2.5) - 1, and 0.98 (0.99) min-max
 * scaled (stable over seeds 1-3 within 0.002). Spread into the options of
 * {@link trainDenseAe}.
 */
export const PAPER4_RMM_INPUT = Object.freeze({
  columns: "nonzero" as const,
  scaling: "minmax" as const,
});

/** Result of {@link trainDenseAe}. */
export interface TrainedDenseAe {
  model: DenseAe;
  /** Per-epoch training and validation losses (the learning curves of fig. 1 / 4a). */
  history: TrainHistory;
  /** Row indices (into the given rows) of the training and validation parts. */
  split: { train: Uint32Array; validation: Uint32Array };
}

/** Training rows for `fit`: prepared inputs plus a row order. */
interface RowView {
  readonly x: Float32Array;
  readonly d: number;
  readonly idx: Uint32Array;
}

/** The 70 / 30 split of `rows` rows: shuffled by `Rng.stream(seed, "dense-ae-split")`. */
export function splitRows(
  rows: number,
  validationFraction: number,
  seed: number,
): { train: Uint32Array; validation: Uint32Array } {
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new RangeError(`splitRows: validationFraction=${validationFraction}, expected (0, 1)`);
  }
  const perm = Rng.stream(seed, "dense-ae-split").permutation(rows);
  const nVal = Math.round(rows * validationFraction);
  if (nVal < 1 || rows - nVal < 1) {
    throw new RangeError(
      `splitRows: ${rows} rows cannot be split with fraction ${validationFraction}`,
    );
  }
  return { train: perm.slice(0, rows - nVal), validation: perm.slice(rows - nVal) };
}

/** The model as a target of the generic epoch loop. */
function aeFitTarget(model: DenseAe, batchSize: number): FitTarget<RowView> {
  const d = model.dim;
  let batch = new Float32Array(batchSize * d);
  // The validation rows, gathered once (fit passes the same view every epoch).
  const gathered = new WeakMap<RowView, Float32Array>();
  return {
    name: "dense-ae",
    theta: model.theta,
    size: (v) => v.idx.length,
    permute: (v, p) => {
      const idx = new Uint32Array(p.length);
      for (let i = 0; i < p.length; i++) idx[i] = v.idx[p[i]];
      return { x: v.x, d: v.d, idx };
    },
    slice: (v, s, k) => ({ x: v.x, d: v.d, idx: v.idx.subarray(s, s + k) }),
    step(v, _rng, grad): StepLosses {
      const n = v.idx.length;
      if (batch.length < n * d) batch = new Float32Array(n * d);
      for (let r = 0; r < n; r++) {
        const src = v.idx[r] * d;
        batch.set(v.x.subarray(src, src + d), r * d);
      }
      const l = model.lossAndGradient(batch, n, grad);
      return { reco: l, kl: 0, total: l };
    },
    validate(v): StepLosses {
      const n = v.idx.length;
      let x = gathered.get(v);
      if (!x) {
        x = new Float32Array(n * d);
        for (let r = 0; r < n; r++) x.set(v.x.subarray(v.idx[r] * d, v.idx[r] * d + d), r * d);
        gathered.set(v, x);
      }
      const loss = model.lossOfPrepared(x, n);
      let s = 0;
      for (let i = 0; i < n; i++) s += loss[i];
      s /= n;
      return { reco: s, kl: 0, total: s };
    },
    afterUpdate() {},
  };
}

/**
 * Train paper 4's autoencoder on raw rows (RMMs, or four-momentum rows with
 * `scaling: "minmax"`): the kept columns and the scaling are learned on all the given rows,
 * which are then split 70 / 30 into training and validation ({@link splitRows}); Adam on
 * batches of 100, MSE, early stopping after 30 epochs without a lower validation loss, one
 * progress line per epoch. Returns the model (last epoch, or best with `restoreBest`), the
 * learning curves and the split.
 */
export async function trainDenseAe(
  raw: MatrixRows,
  options: TrainDenseAeOptions,
): Promise<TrainedDenseAe> {
  checkRows("trainDenseAe", raw);
  const o = { ...PAPER4_AE_FIT, ...options };
  if (!Number.isInteger(o.maxEpochs) || o.maxEpochs < 1) {
    throw new RangeError(`trainDenseAe: maxEpochs=${o.maxEpochs}, expected a positive integer`);
  }
  await initTf();
  const input = inputSpecFor(raw, o.columns, o.scaling);
  const model = DenseAe.create(o.layers ?? {}, input, o.seed);
  const split = splitRows(raw.rows, o.validationFraction, o.seed);
  const x = model.prepare(raw);
  const view = (idx: Uint32Array): RowView => ({ x, d: model.dim, idx });
  const log = options.log === undefined ? (l: string) => console.log(l) : options.log;
  const layout = model.widths.join("-");
  log?.(
    `[dense-ae] ${raw.rows} rows x ${raw.cols} raw columns -> ${model.dim} kept inputs ` +
      `(${o.scaling === "minmax" ? "min-max scaled" : "unscaled"}); layers ${layout}; ` +
      `${model.parameterCount} parameters`,
  );
  const history = await fit(
    aeFitTarget(model, o.batchSize),
    view(split.train),
    view(split.validation),
    {
      maxEpochs: o.maxEpochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      earlyStopping: o.patience === null ? null : { patience: o.patience, minDelta: o.minDelta },
      reduceLrOnPlateau: null,
      seed: o.seed,
      restoreBest: o.restoreBest,
      ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
      log,
    },
  );
  return { model, history, split };
}

// ---------------------------------------------------------------------------------------
// Saving, loading, caching
// ---------------------------------------------------------------------------------------

/** Bump when a change of this code changes trained models (invalidates caches). */
export const DENSE_AE_CODE_VERSION = 1;

/** What is stored with a saved model. */
export interface SavedDenseAeMetadata {
  kind: "dense-ae";
  codeVersion: number;
  layers: DenseAeLayers;
  rawDim: number;
  history?: TrainHistory;
  extra?: Metadata;
}

/** Save a model (weights, kept columns, scaling, architecture, history) to the folder `dir`. */
export async function saveDenseAe(
  model: DenseAe,
  dir: string,
  history?: TrainHistory,
  extra?: Metadata,
): Promise<void> {
  const meta: SavedDenseAeMetadata = {
    kind: "dense-ae",
    codeVersion: DENSE_AE_CODE_VERSION,
    layers: model.layers,
    rawDim: model.input.rawDim,
    ...(history ? { history } : {}),
    ...(extra ? { extra } : {}),
  };
  await saveTensors(dir, model.namedWeights(), meta as unknown as Metadata);
}

/** Load a model saved by {@link saveDenseAe}. */
export async function loadDenseAe(
  dir: string,
): Promise<{ model: DenseAe; metadata: SavedDenseAeMetadata }> {
  await initTf();
  const { tensors, metadata } = await loadTensors(dir);
  const meta = metadata as unknown as SavedDenseAeMetadata;
  if (meta.kind !== "dense-ae") {
    throw new Error(`loadDenseAe: ${dir} holds a "${String(meta.kind)}", not a dense-ae`);
  }
  const get = (name: string, int = false): NamedArray => {
    const t = tensors[name];
    if (!t || (int ? !(t.values instanceof Int32Array) : !(t.values instanceof Float32Array))) {
      throw new Error(`loadDenseAe: ${dir} has no ${int ? "int32" : "float32"} tensor "${name}"`);
    }
    return t;
  };
  const columns = get("input/columns", true).values as Int32Array;
  const scaled = "input/scale_min" in tensors;
  const model = new DenseAe(meta.layers, {
    rawDim: meta.rawDim,
    columns,
    scaleMin: scaled ? get("input/scale_min").values as Float32Array : null,
    scaleMax: scaled ? get("input/scale_max").values as Float32Array : null,
  });
  model.layerNames().forEach((name, l) => {
    const { in: I, out: O } = model.stack.layers[l];
    const k = get(`${name}/kernel`), b = get(`${name}/bias`);
    if (k.shape.join(",") !== `${I},${O}` || b.shape.join(",") !== `${O}`) {
      throw new Error(
        `loadDenseAe: ${dir}: "${name}" has shapes [${k.shape}], [${b.shape}]; expected [${I},${O}], [${O}]`,
      );
    }
    model.theta.set(k.values, model.stack.kernelOffset(l));
    model.theta.set(b.values, model.stack.biasOffset(l));
  });
  return { model, metadata: meta };
}

/** Options of {@link trainDenseAeCached}. */
export interface CachedTrainDenseAeOptions extends TrainDenseAeOptions {
  /** Folder of the model cache (default `data/cache/models`). */
  cacheRoot?: string;
  /** Retrain even when a cached model exists. */
  force?: boolean;
}

/**
 * Train, or load the model trained earlier on the same rows with the same options and seed
 * (folder `<cacheRoot>/dense-ae-<key 16 hex>`; key = sha256 of the code version, the rows
 * and every option but `log`).
 */
export async function trainDenseAeCached(
  raw: MatrixRows,
  options: CachedTrainDenseAeOptions,
): Promise<TrainedDenseAe & { dir: string; fromCache: boolean }> {
  const { cacheRoot, force, log: _log, ...opts } = options;
  checkRows("trainDenseAeCached", raw);
  const bytes = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.rows * raw.cols * 4);
  const cols = opts.columns;
  const key = configHash({
    kind: "dense-ae",
    codeVersion: DENSE_AE_CODE_VERSION,
    data: sha256Hex(bytes),
    shape: [raw.rows, raw.cols],
    fit: {
      ...PAPER4_AE_FIT,
      ...opts,
      layers: denseAeLayers(opts.layers ?? {}),
      columns: typeof cols === "string" || cols === undefined
        ? cols ?? "nonzero"
        : Array.from(cols),
    },
  });
  const dir = `${cacheRoot ?? `${cacheDir()}/models`}/dense-ae-${key.slice(0, 16)}`;
  const log = options.log === undefined ? (l: string) => console.log(l) : options.log;
  if (!force) {
    try {
      const { model, metadata } = await loadDenseAe(dir);
      const extra = metadata.extra as {
        cacheKey?: string;
        split?: { train: number[]; validation: number[] };
      } | undefined;
      if (metadata.history && extra?.cacheKey === key) {
        log?.(`[dense-ae] loaded the trained model from ${dir}`);
        const o = { ...PAPER4_AE_FIT, ...opts };
        return {
          model,
          history: metadata.history,
          split: splitRows(raw.rows, o.validationFraction, o.seed),
          dir,
          fromCache: true,
        };
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !String(e).includes("cannot read")) {
        log?.(`[dense-ae] cached model at ${dir} unusable (${(e as Error).message}); retraining`);
      }
    }
  }
  const trained = await trainDenseAe(raw, { ...opts, log: options.log });
  await saveDenseAe(trained.model, dir, trained.history, { cacheKey: key, seed: opts.seed ?? 1 });
  return { ...trained, dir, fromCache: false };
}
