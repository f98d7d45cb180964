/**
 * Paper 4's dense autoencoder (lib/models/ae/denseAe.ts): architecture and parameter count,
 * gradients against the tfjs `DenseStack` backward pass (itself checked against autodiff in
 * tests/lib/vae/), learning on a synthetic low-dimensional manifold with off-manifold points
 * scoring higher, early stopping, determinism, save/load, and the RMM pipeline end to end.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertInRange, assertThrows } from "../helpers.ts";
import { initTf } from "../../lib/tf/backend.ts";
import { Rng } from "../../lib/random/rng.ts";
import { readInto, upload } from "../../lib/models/vae/dense.ts";
import {
  DenseAe,
  inputSpecFor,
  lnLoss,
  loadDenseAe,
  type MatrixRows,
  PAPER4_AE_LAYERS,
  PAPER4_RMM_INPUT,
  saveDenseAe,
  splitRows,
  trainDenseAe,
  trainDenseAeCached,
} from "../../lib/models/ae/mod.ts";
import { nonZeroColumns, type RmmEvent, rmmMatrices } from "../../lib/features/rmm.ts";
import { fourMomentumInputs } from "../../lib/features/fourMomentumInputs.ts";

const quiet = { log: null };

/** AUC = P(score of a positive > score of a negative) (Mann-Whitney U / (n1 n0), ties 1/2). */
function auc(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  let u = 0;
  for (let i = 0; i < pos.length; i++) {
    for (let j = 0; j < neg.length; j++) u += pos[i] > neg[j] ? 1 : pos[i] === neg[j] ? 0.5 : 0;
  }
  return u / (pos.length * neg.length);
}

/**
 * Rows on a 2-dimensional manifold in [0.15, 0.85]^d: x_j = 0.5 + 0.35 sin(a_j z1 + b_j z2 +
 * c_j), z uniform in [0, 1]^2; `offManifold` draws the phase of every column independently
 * (same marginal range, no 2-d structure).
 */
function manifoldRows(n: number, d: number, seed: number, offManifold = false): MatrixRows {
  const shape = Rng.stream(1234, "manifold-shape");
  const a = Array.from({ length: d }, () => shape.uniformIn(-3, 3));
  const b = Array.from({ length: d }, () => shape.uniformIn(-3, 3));
  const c = Array.from({ length: d }, () => shape.uniformIn(0, 2 * Math.PI));
  const rng = Rng.stream(seed, "manifold-rows", offManifold ? 1 : 0);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z1 = rng.uniform(), z2 = rng.uniform();
    for (let j = 0; j < d; j++) {
      const phase = offManifold ? rng.uniformIn(0, 2 * Math.PI) : a[j] * z1 + b[j] * z2 + c[j];
      data[i * d + j] = 0.5 + 0.35 * Math.sin(phase);
    }
  }
  return { data, rows: n, cols: d };
}

/**
 * Simple lepton + jets events (simulated here for the test only); `ptScale` multiplies the
 * jet and electron pT (the same rapidities: a "heavier" sample that differs only in energy).
 */
function toyEvents(n: number, seed: number, ptScale = 1): RmmEvent[] {
  const rng = Rng.stream(seed, "toy-rmm-events");
  const objs = (mean: number, scale: number) => {
    const k = rng.poisson(mean);
    return {
      pt: Array.from({ length: k }, () => ptScale * (30 + rng.exponential(scale))),
      eta: Array.from({ length: k }, () => rng.uniformIn(-2.5, 2.5)),
      phi: Array.from({ length: k }, () => rng.uniformIn(-Math.PI, Math.PI)),
    };
  };
  return Array.from({ length: n }, () => ({
    met: rng.exponential(40),
    metPhi: rng.uniformIn(-Math.PI, Math.PI),
    jets: objs(3, 60),
    bjets: objs(0.5, 60),
    muons: { pt: [30 + rng.exponential(30)], eta: [rng.uniformIn(-2.4, 2.4)], phi: [0] },
    electrons: objs(0.2, 30),
  }));
}

Deno.test("dense AE: paper-4 architecture, ~32k parameters for 750 inputs", () => {
  const spec = {
    rawDim: 2601,
    columns: Int32Array.from({ length: 750 }, (_, i) => 2 * i),
    scaleMin: null,
    scaleMax: null,
  };
  const m = DenseAe.create({}, spec, 1);
  assertEquals([...m.widths], [750, 20, 10, 5, 10, 20, 750]);
  assertEquals(m.parameterCount, 31315); // the paper: "about 32,000"
  assertEquals(m.layerNames(), [
    "encoder_1",
    "encoder_2",
    "latent",
    "decoder_1",
    "decoder_2",
    "output",
  ]);
  assert(m.stack.layers.every((l) => l.activation === "relu"), "ReLU for all layers");
  assertEquals(PAPER4_AE_LAYERS.latentDim, 5);
  assertThrows(() => DenseAe.create({ depth: 3 } as never, spec, 1), /unknown key/);
  assertThrows(() => DenseAe.create({ hidden: [0] }, spec, 1), /hidden/);
  assertThrows(
    () => DenseAe.create({}, { ...spec, columns: Int32Array.from([3, 2]) }, 1),
    /ascending/,
  );
  const { train, validation } = splitRows(1000, 0.3, 7);
  assertEquals([train.length, validation.length], [700, 300]);
  assertEquals(new Set([...train, ...validation]).size, 1000);
});

Deno.test("dense AE: gradients match the tfjs DenseStack backward pass (both engines, both paths)", async () => {
  await initTf({ log: () => {} });
  const rng = Rng.stream(3, "grad-check");
  const d = 60, n = 17;
  // Sparse non-negative inputs like RMM rows.
  const x = new Float32Array(n * d).map(() => (rng.uniform() < 0.15 ? rng.uniform() : 0));
  const spec = {
    rawDim: d,
    columns: Int32Array.from({ length: d }, (_, i) => i),
    scaleMin: null,
    scaleMax: null,
  };
  const m = DenseAe.create({}, spec, 5);
  const reference = () => {
    const g = new Float32Array(m.parameterCount);
    const out = new Float32Array(n * d), dOut = new Float32Array(n * d);
    let loss = 0;
    tf.tidy(() => {
      const w = m.stack.upload(m.theta);
      const xt = upload(x, [n, d]);
      const outs = m.stack.forward(w, xt);
      readInto(outs[outs.length - 1], out);
      for (let i = 0; i < n * d; i++) {
        loss += (out[i] - x[i]) ** 2;
        dOut[i] = 2 * (out[i] - x[i]) / (n * d);
      }
      m.stack.backward(w, xt, outs, dOut, g, false);
    });
    return { g, loss: loss / (n * d) };
  };
  const check = (what: string) => {
    const ref = reference();
    let scale = 0;
    for (const v of ref.g) scale = Math.max(scale, Math.abs(v));
    assert(scale > 0, "non-trivial gradient");
    for (const engine of ["tfjs", "js"] as const) {
      m.engine = engine;
      const g = new Float32Array(m.parameterCount);
      const loss = m.lossAndGradient(x, n, g);
      assertClose(loss, ref.loss, 1e-6 * ref.loss, `${what} ${engine} loss`);
      for (let i = 0; i < g.length; i++) {
        assertClose(g[i], ref.g[i], 1e-5 * scale, `${what} ${engine} gradient ${i}`);
      }
    }
    m.engine = "tfjs";
  };
  check("dense output gradients");
  // Switch most outputs off (negative output biases): the sparse output path is taken.
  const bOut = m.stack.biasOffset(5);
  for (let o = 0; o < d; o++) if (o % 5 !== 0) m.theta[bOut + o] = -10;
  check("sparse output gradients");
  // Per-event losses agree between engines and with the batch loss.
  const per = m.lossOfPrepared(x, n);
  m.engine = "js";
  const perJs = m.lossOfPrepared(x, n);
  m.engine = "tfjs";
  const mean = per.reduce((s, v) => s + v, 0) / n;
  assertClose(mean, reference().loss, 1e-6, "mean of per-event losses = batch MSE");
  per.forEach((v, i) => assertClose(perJs[i], v, 1e-6, `per-event loss ${i}`));
});

Deno.test("dense AE: learns a 2-d manifold; off-manifold points have larger loss (AUC > 0.9)", async () => {
  const d = 40;
  const rows = manifoldRows(3000, d, 1);
  const inlier = manifoldRows(300, d, 99), outlier = manifoldRows(300, d, 99, true);
  // Linear output: targets fill [0.15, 0.85], so every output unit has to be live (see below).
  const lines: string[] = [];
  const { model, history, split } = await trainDenseAe(rows, {
    maxEpochs: 40,
    seed: 1,
    layers: { outputActivation: "linear" },
    log: (l) => lines.push(l),
  });
  assertEquals([split.train.length, split.validation.length], [2100, 900]);
  assertEquals(model.dim, d);
  assertEquals(history.epochs.length, lines.filter((l) => / epoch \d+\//.test(l)).length);
  const first = history.epochs[0].valLoss, best = history.bestValLoss;
  // Each column has variance 0.35^2 / 2 = 0.061: a constant predictor has MSE ~0.06; a 5-d
  // bottleneck can represent the 2-d manifold, so the loss must go far below that.
  assert(best < 0.02 && best < 0.2 * first, `validation loss falls: first ${first}, best ${best}`);
  const inl = model.loss(inlier), out = model.loss(outlier);
  assertInRange(auc(out, inl), 0.9, 1, "off-manifold rows reconstruct worse than on-manifold ones");
  const ln = lnLoss(inl);
  ln.forEach((v, i) => assertClose(v, Math.log(inl[i]), 1e-12, "ln(Loss)"));
  // The paper's ReLU output: output units whose pre-activation starts negative for every
  // row never recover (zero gradient), leaving a loss floor on dense targets (harmless for
  // RMM cells, which are mostly 0); it still learns and separates the off-manifold rows.
  const paper = await trainDenseAe(rows, { maxEpochs: 40, seed: 1, log: null });
  const p0 = paper.history.epochs[0].valLoss, pBest = paper.history.bestValLoss;
  assert(pBest < 0.75 * p0, `paper architecture: validation loss falls (${p0} -> ${pBest})`);
  assertInRange(
    auc(paper.model.loss(outlier), paper.model.loss(inlier)),
    0.8,
    1,
    "paper architecture separates off-manifold rows (0.93 for this seed)",
  );
});

Deno.test("dense AE: early stopping after `patience` epochs without a lower validation loss", async () => {
  // Learning rate 0: the validation loss never improves after epoch 1.
  const rows = manifoldRows(400, 12, 2);
  const { history } = await trainDenseAe(rows, {
    maxEpochs: 50,
    patience: 3,
    learningRate: 0,
    ...quiet,
  });
  assertEquals(history.stopReason, "earlyStopping");
  assertEquals(history.epochs.length, 4);
  const { history: h2 } = await trainDenseAe(rows, { maxEpochs: 3, patience: null, ...quiet });
  assertEquals([h2.stopReason, h2.epochs.length], ["maxEpochs", 3]);
});

Deno.test("dense AE: deterministic with a seed; save/load round trip identical", async () => {
  const events = toyEvents(600, 4);
  const rmm = rmmMatrices(events);
  const raw = { data: rmm.data, rows: rmm.rows, cols: rmm.cols };
  const a = await trainDenseAe(raw, { maxEpochs: 3, seed: 11, ...quiet });
  const b = await trainDenseAe(raw, { maxEpochs: 3, seed: 11, ...quiet });
  const c = await trainDenseAe(raw, { maxEpochs: 3, seed: 12, ...quiet });
  assertEquals(Array.from(a.model.theta), Array.from(b.model.theta));
  assertEquals(a.history.epochs.map((e) => e.valLoss), b.history.epochs.map((e) => e.valLoss));
  assert(Array.from(a.model.theta).some((v, i) => v !== c.model.theta[i]), "seed matters");
  // Kept columns: the cells non-zero in some training event.
  assertEquals(Array.from(a.model.input.columns), Array.from(nonZeroColumns(rmm.data, 2601)));
  assert(a.model.dim < 2601 && a.model.dim > 20, `kept ${a.model.dim} columns`);
  const scores = a.model.loss(raw);
  const dir = await Deno.makeTempDir({ prefix: "dense-ae-" });
  try {
    await saveDenseAe(a.model, dir, a.history, { note: "test" });
    const { model, metadata } = await loadDenseAe(dir);
    assertEquals(Array.from(model.theta), Array.from(a.model.theta));
    assertEquals(Array.from(model.input.columns), Array.from(a.model.input.columns));
    assertEquals(model.input.scaleMin, null);
    assertEquals(metadata.history?.epochs.length, 3);
    assertEquals(metadata.extra, { note: "test" });
    assertEquals(Array.from(model.loss(raw)), Array.from(scores));
    // Rows restricted to the kept cells score the same as whole matrices.
    const kept = rmmMatrices(events.slice(0, 50), {}, model.input.columns);
    assertEquals(
      Array.from(model.loss({ data: kept.data, rows: kept.rows, cols: kept.cols })),
      Array.from(scores.subarray(0, 50)),
    );
    assertThrows(() => model.loss({ data: new Float32Array(10), rows: 1, cols: 10 }), /columns/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dense AE: four-momentum inputs with min-max scaling saved with the model", async () => {
  const p4 = fourMomentumInputs(toyEvents(400, 5));
  const raw = { data: p4.data, rows: p4.rows, cols: p4.cols };
  const { model } = await trainDenseAe(raw, { maxEpochs: 2, scaling: "minmax", ...quiet });
  assertEquals(model.input.rawDim, 201);
  const x = model.prepare(raw);
  let lo = Infinity, hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assertEquals([lo, hi], [0, 1]);
  const spec = inputSpecFor(raw, "nonzero", "minmax");
  assertEquals(Array.from(spec.scaleMin!), Array.from(model.input.scaleMin!));
  const dir = await Deno.makeTempDir({ prefix: "dense-ae-p4-" });
  try {
    await saveDenseAe(model, dir);
    const { model: back } = await loadDenseAe(dir);
    assertEquals(Array.from(back.input.scaleMax!), Array.from(model.input.scaleMax!));
    assertEquals(Array.from(back.loss(raw)), Array.from(model.loss(raw)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dense AE: the training cache returns the same model for the same rows and options", async () => {
  const rmm = rmmMatrices(toyEvents(300, 6));
  const root = await Deno.makeTempDir({ prefix: "dense-ae-cache-" });
  try {
    const opts = { maxEpochs: 2, seed: 3, cacheRoot: root, log: null };
    const a = await trainDenseAeCached(rmm, opts);
    const b = await trainDenseAeCached(rmm, opts);
    assertEquals([a.fromCache, b.fromCache, a.dir], [false, true, b.dir]);
    assertEquals(Array.from(b.model.theta), Array.from(a.model.theta));
    assertEquals(b.history.epochs.length, 2);
    assertEquals(Array.from(b.split.validation), Array.from(a.split.validation));
    const c = await trainDenseAeCached(rmm, { ...opts, seed: 4 });
    assert(!c.fromCache && c.dir !== a.dir, "another seed is another cache entry");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dense AE: paper 4's RMM preprocessing (min-max to [0, 1]) exposes energy-scale anomalies", async () => {
  // The RMM's rapidity cells (C = 1: cosh(dy/2) - 1, cosh(y) - 1) reach ~5 while ET, MT and
  // masses over sqrt(s) stay ~0.01: raw, the squared error is all rapidity, and events that
  // differ only in energy (jets 10x harder, the same rapidities) look like the SM; min-max
  // scaled per column on the training rows, as paper 4 section 3.2 did, they stand out.
  assertEquals({ ...PAPER4_RMM_INPUT }, { columns: "nonzero", scaling: "minmax" });
  const train = rmmMatrices(toyEvents(1000, 1));
  const sm = rmmMatrices(toyEvents(300, 2)), heavy = rmmMatrices(toyEvents(300, 3, 10));
  // Sum of squares of the raw cells: rapidity (h below the diagonal, hL in column 0) vs
  // the others (MET, MT in row 0, ET and ET imbalances on the diagonal, masses above it):
  // ~29,000 vs ~150.
  let rap = 0, energy = 0;
  for (let r = 0; r < train.rows; r++) {
    for (let c = 0; c < 2601; c++) {
      const v = train.data[r * 2601 + c], i = Math.floor(c / 51), j = c % 51;
      if ((j === 0 && i > 0) || (i > j && j > 0)) rap += v * v;
      else energy += v * v;
    }
  }
  assert(rap > 50 * energy, `raw cells: sum of squares rapidity ${rap}, energy ${energy}`);
  const raw = await trainDenseAe(train, { maxEpochs: 40, seed: 1, ...quiet });
  const scaled = await trainDenseAe(train, {
    maxEpochs: 40,
    seed: 1,
    ...PAPER4_RMM_INPUT,
    ...quiet,
  });
  assert(scaled.model.input.scaleMin !== null, "the scaling is part of the model");
  const x = scaled.model.prepare(train);
  assert(x.every((v) => v >= 0 && v <= 1), "training inputs in [0, 1]");
  const aucRaw = auc(raw.model.loss(heavy), raw.model.loss(sm));
  const aucScaled = auc(scaled.model.loss(heavy), scaled.model.loss(sm));
  // Measured: 0.52 raw, 0.93 scaled.
  assertInRange(aucRaw, 0, 0.7, "raw RMM: energy-scale anomaly hidden by the rapidity cells");
  assertInRange(aucScaled, 0.85, 1, "min-max scaled RMM: energy-scale anomaly separated");
});
