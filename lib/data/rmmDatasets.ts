/**
 * SIMULATED datasets of paper 4's 13 TeV lepton + jets stream (Chekanov & Hopkins, Universe 8
 * (2022) 494): the events of lib/sim/rmmStream.ts, the objects and selection of
 * lib/reco/rmmObjects.ts, stored as the rapidity-mass matrix (lib/features/rmm.ts, T5N10) in
 * the sparse form of the authors' ROOT trees, with the dijet masses, the object lists (for the
 * four-momentum inputs of paper 4 section 4), cross-section weights and the bookkeeping.
 *
 * Datasets:
 * - `rmm13_SM`: the SM mixture "according to their rates" (paper 4 section 3.3): QCD, W, Z, H
 *   and t t-bar drawn per generation attempt with probability proportional to their cross
 *   sections (lib/sim/rmmStream.ts `RMM13_SM_CROSS_SECTIONS_PB`), so that the selected rows
 *   follow sigma x efficiency of each process. With paper 4's truth-level fake rates (1 % e,
 *   0.1 % mu per jet) QCD multijets with a fake lepton dominate: measured sigma x efficiency
 *   (seed 1, 200-3000 rows per component) QCD 8.0e4 pb, W 350 pb, t t-bar 180 pb, Z 90 pb,
 *   H 0.7 pb, i.e. ~99.2 % QCD, 0.4 % W, 0.2 % t t-bar, 0.1 % Z of the rows (the components
 *   can be mixed differently with their `weight` column).
 * - `rmm13_QCD`, `rmm13_W`, `rmm13_Z`, `rmm13_H`, `rmm13_ttbar`: the SM components alone.
 * - `rmm13_QCD_ptHat<c>` and `rmm13_QCD_ptHat<c>_b`: QCD pT-hat slices (pT-hat > c GeV), the
 *   second with only the hard processes with a b quark, each with its share of the inclusive
 *   QCD cross section (lib/sim/rmmStream.ts `qcdPtHatSliceFraction`, `QCD_P_HARD_B`) so that their
 *   `weight` is in the same pb as the inclusive sample's: the dedicated high-mass background
 *   of paper 4's H+ S/B, stitched to `rmm13_SM` by lib/data/rmmSlices.ts.
 * - `rmm13_Zprime_<m>TeV`, `rmm13_Wprime_<m>TeV`, `rmm13_DM_<m>TeV`, `rmm13_Hplus_<m>TeV`: the
 *   BSM models at mass m (any m in 0.3-8 TeV, written as in `Hplus_0.5TeV`, `Zprime_2.5TeV`);
 *   {@link listRmmDatasets} lists paper 4's grid (1-6 TeV in 0.5 TeV steps, H+ also 0.5 TeV).
 *
 * Event slot (row) i: attempts k = 0, 1, 2, ... each draw from `Rng.stream(seed, name, i, k)`
 * (the process of a mixture, then the generator's event seed) and, when the event passes the
 * generator pre-filter, reconstruction draws (b-tagging, the fake-lepton acceptance, the
 * fakes) from `Rng.stream(seed, name, i, k, "reco")`; the first selected attempt fills row i.
 * Rows depend only on (seed, name, i): any split over workers gives the same bytes.
 *
 * Fake-lepton importance sampling (lib/reco/rmmObjects.ts): QCD passes the selection almost
 * only through a jet faked as a lepton, with probability P ~ 3 % per three-jet event. A QCD
 * event is accepted with probability min(1, P / B), B = {@link RMM_QCD_FAKE_IMPORTANCE}, and
 * its fakes are drawn conditionally on passing: a QCD attempt then yields a row 1 / B times
 * more often, so to keep the rates the mixture draws QCD attempts B times less often
 * (process weights sigma x B), and the cost per QCD row drops by B. This is exact (rows follow the distribution of plain
 * random fakes) and unweighted as long as P <= B, i.e. up to 10 jets; rows with P > B (a real
 * isolated lepton in a QCD event: not seen in 10^5 attempts) carry `importanceWeight` = P / B.
 * Other processes use B = 1 (plain random fakes).
 *
 * Storage (three parquet files through lib/data/parquetCache.ts, names `<dataset>`,
 * `<dataset>.cells`, `<dataset>.objects`, with the bookkeeping in
 * `<dataset file>.bookkeeping.json`):
 * - events: `process`, `weight` (cross section per row, pb: the sum over rows estimates
 *   sigma x efficiency; multiply by a luminosity for event counts), `importanceWeight`,
 *   `met`, `metPhi`, `mjj`, `mbb` (GeV; 0 when fewer than two light / b jets), `leptonPt`
 *   (leading lepton), `hardMass` (truth: resonance or system mass, pT-hat for QCD),
 *   `qcdHardB` (truth, 1 for QCD with a b quark out of the hard process), object
 *   counts `nJets`, `nBjets`, `nMuons`, `nElectrons`, `nPhotons`, `nFakeLeptons`, and
 *   `cellOffset` / `nCells`, `objectOffset` / `nObjects` into the two ragged tables;
 * - cells: the non-zero RMM cells, row-major per event, as the authors' trees: `proj`,
 *   `proj_index1` (row), `proj_index2` (column);
 * - objects: every object (not only the leading 10 per type) as `type` (0 jets, 1 b-jets,
 *   2 muons, 3 electrons, 4 photons), `pt`, `eta`, `phi`, `mass`, pT-ordered within a type.
 *
 * CLI: `deno run -A lib/data/rmmDatasets.ts <dataset> --events N --seed S [--workers K]`
 * (through the cache), `--list` for the names.
 */
import { FourMomentumBuilder } from "../features/fourMomentumInputs.ts";
import {
  RMM_SIZE,
  RMM_T5N10,
  RMM_TYPES,
  RmmBuilder,
  type RmmConfig,
  type RmmEvent,
  type RmmObjectList,
} from "../features/rmm.ts";
import { Rng } from "../random/rng.ts";
import { RMM_OBJECTS_PAPER4, type RmmObjectConfig, RmmReconstructor } from "../reco/rmmObjects.ts";
import { newTruthSummary, PfCandidates, type SimEvent } from "../sim/event.ts";
import {
  generateRmmEvent,
  parseRmmProcess,
  QCD_P_HARD_B,
  qcdPtHatSliceFraction,
  RMM13_GENERATOR,
  RMM_BSM_MODELS,
  RMM_SM_PROCESSES,
  RMM_TRUTH,
  rmmCrossSectionPb,
  type RmmGeneratorConfig,
  type RmmProcess,
  rmmProcessLabel,
  rmmPtHatMin,
} from "../sim/rmmStream.ts";
import { type DatasetEntry, type JsonValue, writeJsonAtomic } from "./manifest.ts";
import { ParquetCache, type Table } from "./parquetCache.ts";
import type { RmmWorkerRequest } from "./rmmDatasetsWorker.ts";
import { chunkStarts, runChunks } from "./workerPool.ts";
import {
  type DatasetCliArgs,
  parseDatasetCli,
  runCli,
  sourceHash,
  throttledProgress,
} from "./datasetCli.ts";

// ---------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------

/**
 * Importance scale B of the QCD fake-lepton sampling (module comment): the largest P of an
 * event with up to 10 jets, 1 - 0.989^10 - (terms with <= 1 jet left) = 0.1047, rounded up.
 */
export const RMM_QCD_FAKE_IMPORTANCE = 0.11;

/** A process of a dataset with its cross section and fake-lepton importance scale. */
export interface RmmComponent {
  readonly process: RmmProcess;
  /** Its label in the `process` column. */
  readonly label: string;
  /** Cross section of the generated phase space (pb). */
  readonly crossSectionPb: number;
  /** Importance scale B of the fake sampling (1: plain random fakes). */
  readonly fakeImportance: number;
}

/** A named dataset of the stream. */
export interface RmmDatasetSpec {
  readonly name: string;
  /** What it is; always says SIMULATED. */
  readonly description: string;
  /** Paper and section it reproduces. */
  readonly reference: string;
  /** Processes; a mixture draws them per attempt with weights sigma x B. */
  readonly components: readonly RmmComponent[];
  readonly generator: Readonly<RmmGeneratorConfig>;
  readonly objects: Readonly<RmmObjectConfig>;
  readonly rmm: RmmConfig;
}

const PAPER4 = "paper 4 (Chekanov & Hopkins, Universe 8 (2022) 494), sections 3.1-3.3 and 5";
const PREFIX = "rmm13_";

function component(p: RmmProcess): RmmComponent {
  return Object.freeze({
    process: Object.freeze({ ...p }),
    label: rmmProcessLabel(p),
    crossSectionPb: rmmCrossSectionPb(p),
    fakeImportance: p.kind === "QCD" ? RMM_QCD_FAKE_IMPORTANCE : 1,
  });
}

const WHAT: Record<string, string> = {
  QCD: "QCD 2 -> 2 multijets (pT-hat > 30 GeV) with fake leptons",
  W: "inclusive W, all decays",
  Z: "Z/gamma* (m > 50 GeV), all decays",
  H: "H(125): ggF, VBF, WH, ZH, all decays",
  ttbar: "t t-bar, all decays",
  Zprime: "SSM Z' -> f f-bar",
  Wprime: "SSM W' -> l nu, q q-bar'",
  DM: "vector DM mediator Z'_DM (-> q q-bar, chi chi-bar) produced with a W",
  Hplus: "charged Higgs b g -> H+ t, H+ -> t b",
};

/** Description of the QCD pT-hat slice above `c` GeV, with its measured share. */
function qcdSliceDescription(c: number, hf: boolean): string {
  const f = qcdPtHatSliceFraction(c);
  return `QCD 2 -> 2 multijets with fake leptons, pT-hat SLICE pT-hat > ${c} GeV${
    hf ? `, hard processes with a b quark only (x QCD_P_HARD_B = ${QCD_P_HARD_B})` : ""
  } (the inclusive ` +
    `spectrum above ${c} GeV; cross section = inclusive QCD x ${f.value.toPrecision(4)} +- ` +
    `${f.error.toPrecision(2)}, the share measured on the generator's pT-hat sampler with ` +
    `${f.draws} draws); for a weighted high-mass background, stitched to the inclusive sample ` +
    "at pT-hat = " + `${c} GeV (lib/data/rmmSlices.ts)`;
}

function spec(name: string, processes: RmmProcess[], what: string): RmmDatasetSpec {
  return Object.freeze({
    name,
    description: `SIMULATED (this repository's generator, not PYTHIA 8): ${what}; 13 TeV, ` +
      "no pileup; objects of paper 4 (anti-kT R = 0.4 jets ET > 40 GeV |eta| < 2.5, b-jets, " +
      "leptons isolated in dR < 0.2, photons, 1 % e / 0.1 % mu fakes per jet); selection >= 1 " +
      "isolated lepton pT > 30 GeV and >= 2 jets pT > 30 GeV; sparse T5N10 RMM, mjj, mbb, " +
      "objects, cross-section weights.",
    reference: PAPER4,
    components: Object.freeze(processes.map(component)),
    generator: RMM13_GENERATOR,
    objects: RMM_OBJECTS_PAPER4,
    rmm: RMM_T5N10,
  });
}

/**
 * The dataset called `name` (see the module comment for the names); throws listing the known
 * forms otherwise.
 */
export function rmmDataset(name: string): RmmDatasetSpec {
  if (!name.startsWith(PREFIX)) {
    throw new RangeError(
      `unknown RMM dataset "${name}"; known: ${PREFIX}SM, ${
        RMM_SM_PROCESSES.map((p) => PREFIX + p).join(", ")
      }, ${PREFIX}<${RMM_BSM_MODELS.join("|")}>_<mass>TeV`,
    );
  }
  const rest = name.slice(PREFIX.length);
  if (rest === "SM") {
    return spec(
      name,
      RMM_SM_PROCESSES.map((kind) => ({ kind })),
      "SM mixture QCD / W / Z / H / t t-bar by cross section x efficiency (drawn per attempt)",
    );
  }
  let p: RmmProcess;
  try {
    p = parseRmmProcess(rest);
  } catch (e) {
    throw new RangeError(`unknown RMM dataset "${name}": ${(e as Error).message}`);
  }
  if (rmmProcessLabel(p) !== rest) {
    throw new RangeError(`RMM dataset "${name}": write the mass as "${rmmProcessLabel(p)}"`);
  }
  const c = rmmPtHatMin(p);
  const what = "mass" in p
    ? `${WHAT[p.kind]}, M = ${p.mass / 1000} TeV (BSM benchmark)`
    : c !== undefined
    ? qcdSliceDescription(c, "hardB" in p && p.hardB === true)
    : WHAT[p.kind];
  return spec(name, [p], what);
}

/** Dataset names: the SM mixture and components, and paper 4's BSM mass grid. */
export function listRmmDatasets(): string[] {
  const out = [`${PREFIX}SM`, ...RMM_SM_PROCESSES.map((p) => PREFIX + p)];
  for (const model of RMM_BSM_MODELS) {
    const masses = model === "Hplus" ? [0.5] : [];
    for (let m = 1; m <= 6; m += 0.5) masses.push(m);
    for (const m of masses) {
      out.push(PREFIX + rmmProcessLabel({ kind: model, mass: Math.round(m * 1000) }));
    }
  }
  return out;
}

function registryConfig(spec: RmmDatasetSpec): Record<string, unknown> {
  const { events: _events, seed: _seed, ...config } = rmmCacheConfig(spec, 0, 0);
  return config;
}

/**
 * The entry of `spec` for the committed dataset registry (data/manifest.json, schema in
 * lib/data/manifest.ts): source "simulation", the generating module and its configuration.
 */
export function rmmRegistryEntry(spec: RmmDatasetSpec): DatasetEntry {
  return {
    name: spec.name,
    source: "simulation",
    description: spec.description,
    format: "parquet: events + .cells (proj, proj_index1, proj_index2) + .objects",
    generator: "lib/data/rmmDatasets.ts",
    config: JSON.parse(JSON.stringify(registryConfig(spec))) as Record<string, JsonValue>,
    citation: spec.reference,
  };
}

// ---------------------------------------------------------------------------------------
// The event loop
// ---------------------------------------------------------------------------------------

/** Attempts per row before giving up (QCD needs ~200 on average). */
export const RMM_MAX_ATTEMPTS_PER_ROW = 5_000_000;

/** Reusable per-worker buffers of the event loop. */
export class RmmLoopState {
  readonly event: SimEvent = { pf: new PfCandidates(4096), truth: newTruthSummary() };
  readonly reco: RmmReconstructor;
  readonly builder: RmmBuilder;
  readonly dense: Float32Array;

  constructor(objects: Readonly<RmmObjectConfig> = RMM_OBJECTS_PAPER4, rmm: RmmConfig = RMM_T5N10) {
    this.reco = new RmmReconstructor(objects);
    this.builder = new RmmBuilder(rmm);
    this.dense = new Float32Array(this.builder.size * this.builder.size);
  }
}

/** Per-component attempt counts (integers, so sums do not depend on the order). */
export interface RmmCounts {
  /** Generation attempts per component. */
  attempts: number[];
  /** Attempts passing the generator pre-filter (fully simulated). */
  prefilterPassed: number[];
}

/** Rows of a slot range: per-row columns and the two ragged tables. */
export interface RmmChunk {
  rows: number;
  /** Index of the component (spec.components) of each row. */
  component: Uint8Array;
  importanceWeight: Float32Array;
  met: Float32Array;
  metPhi: Float32Array;
  mjj: Float32Array;
  mbb: Float32Array;
  leptonPt: Float32Array;
  hardMass: Float32Array;
  qcdHardB: Uint8Array;
  nJets: Uint8Array;
  nBjets: Uint8Array;
  nMuons: Uint8Array;
  nElectrons: Uint8Array;
  nPhotons: Uint8Array;
  nFakeLeptons: Uint8Array;
  nCells: Uint16Array;
  nObjects: Uint16Array;
  proj: Float32Array;
  projIndex1: Uint8Array;
  projIndex2: Uint8Array;
  objType: Uint8Array;
  objPt: Float32Array;
  objEta: Float32Array;
  objPhi: Float32Array;
  objMass: Float32Array;
  counts: RmmCounts;
}

/** Growable ragged columns of a chunk. */
class Ragged {
  n = 0;
  proj = new Float32Array(1024);
  i1 = new Uint8Array(1024);
  i2 = new Uint8Array(1024);
  m = 0;
  type = new Uint8Array(256);
  pt = new Float32Array(256);
  eta = new Float32Array(256);
  phi = new Float32Array(256);
  mass = new Float32Array(256);

  pushCell(v: number, r: number, c: number): void {
    if (this.n === this.proj.length) {
      const cap = 2 * this.n;
      this.proj = grow(this.proj, new Float32Array(cap));
      this.i1 = grow(this.i1, new Uint8Array(cap));
      this.i2 = grow(this.i2, new Uint8Array(cap));
    }
    this.proj[this.n] = v;
    this.i1[this.n] = r;
    this.i2[this.n] = c;
    this.n++;
  }

  pushObject(type: number, pt: number, eta: number, phi: number, mass: number): void {
    if (this.m === this.type.length) {
      const cap = 2 * this.m;
      this.type = grow(this.type, new Uint8Array(cap));
      this.pt = grow(this.pt, new Float32Array(cap));
      this.eta = grow(this.eta, new Float32Array(cap));
      this.phi = grow(this.phi, new Float32Array(cap));
      this.mass = grow(this.mass, new Float32Array(cap));
    }
    this.type[this.m] = type;
    this.pt[this.m] = pt;
    this.eta[this.m] = eta;
    this.phi[this.m] = phi;
    this.mass[this.m] = mass;
    this.m++;
  }
}

function grow<T extends Float32Array | Uint8Array>(a: T, b: T): T {
  b.set(a);
  return b;
}

const u8 = (n: number) => (n > 255 ? 255 : n);

/**
 * Generate rows [start, end) of `spec` with `seed` (module comment for the streams and the
 * fake-lepton sampling). `state` holds the reusable buffers (one per worker).
 */
export function generateRmmRows(
  spec: RmmDatasetSpec,
  seed: number,
  start: number,
  end: number,
  state: RmmLoopState = new RmmLoopState(spec.objects, spec.rmm),
  maxAttempts: number = RMM_MAX_ATTEMPTS_PER_ROW,
): RmmChunk {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(`generateRmmRows(${spec.name}): bad row range [${start}, ${end})`);
  }
  const nc = spec.components.length;
  if (nc < 1 || nc > 255) throw new RangeError(`generateRmmRows: ${nc} components`);
  const rows = end - start;
  const out: RmmChunk = {
    rows,
    component: new Uint8Array(rows),
    importanceWeight: new Float32Array(rows),
    met: new Float32Array(rows),
    metPhi: new Float32Array(rows),
    mjj: new Float32Array(rows),
    mbb: new Float32Array(rows),
    leptonPt: new Float32Array(rows),
    hardMass: new Float32Array(rows),
    qcdHardB: new Uint8Array(rows),
    nJets: new Uint8Array(rows),
    nBjets: new Uint8Array(rows),
    nMuons: new Uint8Array(rows),
    nElectrons: new Uint8Array(rows),
    nPhotons: new Uint8Array(rows),
    nFakeLeptons: new Uint8Array(rows),
    nCells: new Uint16Array(rows),
    nObjects: new Uint16Array(rows),
    proj: new Float32Array(0),
    projIndex1: new Uint8Array(0),
    projIndex2: new Uint8Array(0),
    objType: new Uint8Array(0),
    objPt: new Float32Array(0),
    objEta: new Float32Array(0),
    objPhi: new Float32Array(0),
    objMass: new Float32Array(0),
    counts: { attempts: new Array(nc).fill(0), prefilterPassed: new Array(nc).fill(0) },
  };
  const mix = spec.components.map((c) => c.crossSectionPb * c.fakeImportance);
  const rag = new Ragged();
  const { event: ev, reco, builder, dense } = state;
  const size = builder.size;
  for (let row = start; row < end; row++) {
    let done = false;
    for (let k = 0; !done; k++) {
      if (k >= maxAttempts) {
        throw new Error(
          `generateRmmRows(${spec.name}): row ${row} not selected after ${maxAttempts} attempts`,
        );
      }
      const rng = Rng.stream(seed, spec.name, row, k);
      const ci = nc === 1 ? 0 : rng.categorical(mix);
      const comp = spec.components[ci];
      out.counts.attempts[ci]++;
      if (!generateRmmEvent(comp.process, rng, ev, spec.generator)) continue;
      out.counts.prefilterPassed[ci]++;
      const recoRng = Rng.stream(seed, spec.name, row, k, "reco");
      reco.candidates(ev, recoRng);
      const p = reco.selectionProbability();
      if (!(p > 0)) continue;
      const b = comp.fakeImportance;
      if (b < 1 && p < b && !(recoRng.uniform() * b < p)) continue;
      if (b >= 1 && !(recoRng.uniform() < p)) continue;
      const o = reco.applyFakes(recoRng, true);
      if (!o.selected) throw new Error("generateRmmRows: conditional fakes did not select");
      const r = row - start;
      out.component[r] = ci;
      out.importanceWeight[r] = b < 1 && p > b ? p / b : 1;
      out.met[r] = o.met;
      out.metPhi[r] = o.metPhi;
      out.mjj[r] = o.mjj;
      out.mbb[r] = o.mbb;
      let lpt = 0;
      for (const l of [o.muons, o.electrons]) if (l.n > 0 && l.pt[0] > lpt) lpt = l.pt[0];
      out.leptonPt[r] = lpt;
      out.hardMass[r] = RMM_TRUTH.hardMass;
      out.qcdHardB[r] = RMM_TRUTH.qcdHardB ? 1 : 0;
      out.nJets[r] = u8(o.jets.n);
      out.nBjets[r] = u8(o.bjets.n);
      out.nMuons[r] = u8(o.muons.n);
      out.nElectrons[r] = u8(o.electrons.n);
      out.nPhotons[r] = u8(o.photons.n);
      out.nFakeLeptons[r] = u8(o.nFakeLeptons);
      // Sparse RMM: non-zero cells in row-major order (the order of RmmBuilder.sparse).
      builder.fill(o.rmmEvent(), dense, 0);
      const c0 = rag.n;
      for (let c = 0; c < dense.length; c++) {
        const v = dense[c];
        if (v !== 0) rag.pushCell(v, Math.floor(c / size), c % size);
      }
      if (rag.n - c0 > 65535) throw new Error("generateRmmRows: more than 65535 RMM cells");
      out.nCells[r] = rag.n - c0;
      const m0 = rag.m;
      for (let t = 0; t < o.lists.length; t++) {
        const l = o.lists[t];
        for (let i = 0; i < l.n; i++) {
          const m2 = l.e[i] * l.e[i] - l.pt[i] * l.pt[i] - l.pz[i] * l.pz[i];
          rag.pushObject(t, l.pt[i], l.eta[i], l.phi[i], m2 > 0 ? Math.sqrt(m2) : 0);
        }
      }
      out.nObjects[r] = Math.min(rag.m - m0, 65535);
      done = true;
    }
  }
  out.proj = rag.proj.slice(0, rag.n);
  out.projIndex1 = rag.i1.slice(0, rag.n);
  out.projIndex2 = rag.i2.slice(0, rag.n);
  out.objType = rag.type.slice(0, rag.m);
  out.objPt = rag.pt.slice(0, rag.m);
  out.objEta = rag.eta.slice(0, rag.m);
  out.objPhi = rag.phi.slice(0, rag.m);
  out.objMass = rag.mass.slice(0, rag.m);
  return out;
}

/** The typed arrays of a chunk, for postMessage transfer. */
export function rmmChunkTransferables(c: RmmChunk): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(c)) {
    if (ArrayBuffer.isView(v)) out.push(v.buffer as ArrayBuffer);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// A whole sample
// ---------------------------------------------------------------------------------------

/** Events table of a sample (one entry per row). */
export interface RmmEventColumns {
  process: string[];
  /** Cross section per row (pb). */
  weight: Float64Array;
  importanceWeight: Float32Array;
  met: Float32Array;
  metPhi: Float32Array;
  mjj: Float32Array;
  mbb: Float32Array;
  leptonPt: Float32Array;
  hardMass: Float32Array;
  qcdHardB: Uint8Array;
  nJets: Uint8Array;
  nBjets: Uint8Array;
  nMuons: Uint8Array;
  nElectrons: Uint8Array;
  nPhotons: Uint8Array;
  nFakeLeptons: Uint8Array;
  cellOffset: Int32Array;
  nCells: Uint16Array;
  objectOffset: Int32Array;
  nObjects: Uint16Array;
}

/** Non-zero RMM cells of all rows (as the authors' ROOT trees). */
export interface RmmCellColumns {
  proj: Float32Array;
  proj_index1: Uint8Array;
  proj_index2: Uint8Array;
}

/** Objects of all rows. */
export interface RmmObjectColumns {
  /** 0 jets, 1 b-jets, 2 muons, 3 electrons, 4 photons (lib/features/rmm.ts RMM_TYPES). */
  type: Uint8Array;
  pt: Float32Array;
  eta: Float32Array;
  phi: Float32Array;
  mass: Float32Array;
}

/** Bookkeeping of one process of a dataset. */
export interface RmmProcessBookkeeping {
  crossSectionPb: number;
  fakeImportance: number;
  /** Generation attempts of this process. */
  attempts: number;
  /** Attempts passing the generator pre-filter (fully simulated). */
  prefilterPassed: number;
  /** Rows of this process. */
  selected: number;
  /** Sum of the rows' importance weights. */
  sumImportanceWeights: number;
  /**
   * Selection efficiency per generated event, from the rows' weights (S sumImportanceWeights /
   * (A sigma) with S = sum sigma B over the processes and A all attempts; equal to
   * B sumImportanceWeights / attempts up to the fluctuation of the mixture's process draws).
   */
  efficiency: { value: number; error: number };
  /** sigma x efficiency (pb). */
  selectedCrossSectionPb: { value: number; error: number };
  /** Fraction of the dataset's rows. */
  fraction: number;
}

/** Bookkeeping of a generated dataset (stored next to the parquet files). */
export interface RmmBookkeeping {
  dataset: string;
  description: string;
  reference: string;
  seed: number;
  events: number;
  attempts: number;
  /** Sum of the weights (pb): sigma x efficiency of the whole sample. */
  selectedCrossSectionPb: number;
  perProcess: Record<string, RmmProcessBookkeeping>;
  generator: Readonly<RmmGeneratorConfig>;
  objects: Readonly<RmmObjectConfig>;
  rmm: RmmConfig;
  streams: string;
}

/** A generated or loaded sample. */
export interface RmmSample {
  spec: RmmDatasetSpec;
  events: RmmEventColumns;
  cells: RmmCellColumns;
  objects: RmmObjectColumns;
  bookkeeping: RmmBookkeeping;
}

/** Concatenate chunks (in order) into a sample, computing offsets, weights, bookkeeping. */
export function assembleRmmSample(
  spec: RmmDatasetSpec,
  seed: number,
  chunks: readonly RmmChunk[],
): RmmSample {
  const nc = spec.components.length;
  let rows = 0, cells = 0, objs = 0;
  const attempts = new Array(nc).fill(0), pre = new Array(nc).fill(0);
  for (const c of chunks) {
    rows += c.rows;
    cells += c.proj.length;
    objs += c.objType.length;
    for (let i = 0; i < nc; i++) {
      attempts[i] += c.counts.attempts[i];
      pre[i] += c.counts.prefilterPassed[i];
    }
  }
  if (cells > 2 ** 31 - 1 || objs > 2 ** 31 - 1) {
    throw new RangeError(`assembleRmmSample: ${cells} cells / ${objs} objects exceed int32`);
  }
  const ev: RmmEventColumns = {
    process: new Array(rows),
    weight: new Float64Array(rows),
    importanceWeight: new Float32Array(rows),
    met: new Float32Array(rows),
    metPhi: new Float32Array(rows),
    mjj: new Float32Array(rows),
    mbb: new Float32Array(rows),
    leptonPt: new Float32Array(rows),
    hardMass: new Float32Array(rows),
    qcdHardB: new Uint8Array(rows),
    nJets: new Uint8Array(rows),
    nBjets: new Uint8Array(rows),
    nMuons: new Uint8Array(rows),
    nElectrons: new Uint8Array(rows),
    nPhotons: new Uint8Array(rows),
    nFakeLeptons: new Uint8Array(rows),
    cellOffset: new Int32Array(rows),
    nCells: new Uint16Array(rows),
    objectOffset: new Int32Array(rows),
    nObjects: new Uint16Array(rows),
  };
  const cc: RmmCellColumns = {
    proj: new Float32Array(cells),
    proj_index1: new Uint8Array(cells),
    proj_index2: new Uint8Array(cells),
  };
  const oc: RmmObjectColumns = {
    type: new Uint8Array(objs),
    pt: new Float32Array(objs),
    eta: new Float32Array(objs),
    phi: new Float32Array(objs),
    mass: new Float32Array(objs),
  };
  const component = new Uint8Array(rows);
  let r0 = 0, c0 = 0, o0 = 0;
  for (const c of chunks) {
    component.set(c.component, r0);
    for (
      const k of [
        "importanceWeight",
        "met",
        "metPhi",
        "mjj",
        "mbb",
        "leptonPt",
        "hardMass",
        "qcdHardB",
        "nJets",
        "nBjets",
        "nMuons",
        "nElectrons",
        "nPhotons",
        "nFakeLeptons",
        "nCells",
        "nObjects",
      ] as const
    ) (ev[k] as Float32Array | Uint8Array | Uint16Array).set(c[k], r0);
    cc.proj.set(c.proj, c0);
    cc.proj_index1.set(c.projIndex1, c0);
    cc.proj_index2.set(c.projIndex2, c0);
    oc.type.set(c.objType, o0);
    oc.pt.set(c.objPt, o0);
    oc.eta.set(c.objEta, o0);
    oc.phi.set(c.objPhi, o0);
    oc.mass.set(c.objMass, o0);
    r0 += c.rows;
    c0 += c.proj.length;
    o0 += c.objType.length;
  }
  let co = 0, oo = 0;
  for (let r = 0; r < rows; r++) {
    ev.cellOffset[r] = co;
    co += ev.nCells[r];
    ev.objectOffset[r] = oo;
    oo += ev.nObjects[r];
    ev.process[r] = spec.components[component[r]].label;
  }
  // Weights: the mixture draws p with probability sigma_p B_p / S, S = sum_q sigma_q B_q, so
  // an attempt of p stands for S / (A B_p) pb of its cross section (A = all attempts), and a
  // row, kept with probability P / B_p instead of P, for B_p times that: w S / A pb, the
  // same for all processes (the rows follow the rates).
  const totalAttempts = attempts.reduce((a, b) => a + b, 0);
  const S = spec.components.reduce((a, c) => a + c.crossSectionPb * c.fakeImportance, 0);
  const sumW = new Array(nc).fill(0), nSel = new Array(nc).fill(0);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const ci = component[r];
    const w = ev.importanceWeight[r];
    ev.weight[r] = (w * S) / totalAttempts;
    total += ev.weight[r];
    sumW[ci] += w;
    nSel[ci]++;
  }
  const perProcess: Record<string, RmmProcessBookkeeping> = {};
  spec.components.forEach((c, i) => {
    const n = attempts[i];
    const b = c.fakeImportance;
    // Efficiency from the rows' weights (so the per-process sigma x eff add up to the sum of
    // the weights); binomial error of the acceptance selected / attempts, times B.
    // (0 +- 0 when the process was never drawn: JSON has no NaN.)
    const pAcc = n > 0 ? nSel[i] / n : 0;
    const eff = n > 0 ? (S * sumW[i]) / (totalAttempts * c.crossSectionPb) : 0;
    const effErr = n > 0 ? b * Math.sqrt(Math.max(pAcc * (1 - pAcc), 0) / n) : 0;
    perProcess[c.label] = {
      crossSectionPb: c.crossSectionPb,
      fakeImportance: b,
      attempts: n,
      prefilterPassed: pre[i],
      selected: nSel[i],
      sumImportanceWeights: sumW[i],
      efficiency: { value: eff, error: effErr },
      selectedCrossSectionPb: { value: c.crossSectionPb * eff, error: c.crossSectionPb * effErr },
      fraction: rows > 0 ? nSel[i] / rows : 0,
    };
  });
  return {
    spec,
    events: ev,
    cells: cc,
    objects: oc,
    bookkeeping: {
      dataset: spec.name,
      description: spec.description,
      reference: spec.reference,
      seed,
      events: rows,
      attempts: totalAttempts,
      selectedCrossSectionPb: total,
      perProcess,
      generator: spec.generator,
      objects: spec.objects,
      rmm: spec.rmm,
      streams: "attempt k of row i: Rng.stream(seed, name, i, k) (mixture draw, then event " +
        'seed); reconstruction: Rng.stream(seed, name, i, k, "reco") (b-tagging, fake ' +
        "acceptance, fakes)",
    },
  };
}

/** Progress of a generation run. */
export interface RmmProgress {
  dataset: string;
  done: number;
  total: number;
  elapsedSeconds: number;
  /** Rows per second so far. */
  rate: number;
}

/** Options of {@link generateRmmDataset}. */
export interface RmmGenerateOptions {
  /** Rows (selected events), >= 1. */
  events: number;
  /** Dataset seed (non-negative integer). */
  seed: number;
  /** Web Workers (default navigator.hardwareConcurrency); 0 runs in this thread. */
  workers?: number;
  /** Rows per chunk (default ~8 chunks per worker, <= 500); the output does not depend on it. */
  chunkRows?: number;
  /** Called after each chunk. */
  onProgress?: (p: RmmProgress) => void;
}

function checkInt(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${what}: expected an integer >= ${min}, got ${v}`);
  }
}

/**
 * Generate `events` rows of dataset `name` with `seed` on `workers` Web Workers (contiguous
 * chunks, assembled in order: identical bytes for any number of workers).
 */
export async function generateRmmDataset(
  name: string,
  options: RmmGenerateOptions,
): Promise<RmmSample & { seconds: number }> {
  const spec = rmmDataset(name);
  const { events, seed } = options;
  checkInt("generateRmmDataset: events", events, 1);
  checkInt("generateRmmDataset: seed", seed, 0);
  const workers = options.workers ?? navigator.hardwareConcurrency ?? 1;
  checkInt("generateRmmDataset: workers", workers, 0);
  const chunkRows = options.chunkRows ??
    Math.max(1, Math.min(500, Math.ceil(events / (Math.max(workers, 1) * 8))));
  checkInt("generateRmmDataset: chunkRows", chunkRows, 1);
  const t0 = performance.now();
  let done = 0;
  const state = workers === 0 ? new RmmLoopState(spec.objects, spec.rmm) : null;
  const { parts } = await runChunks<RmmWorkerRequest, { rows: RmmChunk }, RmmChunk>({
    starts: chunkStarts(events, chunkRows),
    workers,
    worker: { url: new URL("./rmmDatasetsWorker.ts", import.meta.url), label: "rmm" },
    request: (chunk, start, end) => ({ chunk, dataset: name, seed, start, end }),
    local: (a, b) => generateRmmRows(spec, seed, a, b, state!),
    fromReply: (r) => r.rows,
    onPart: (_, rows) => {
      done += rows;
      if (!options.onProgress) return;
      const el = (performance.now() - t0) / 1000;
      options.onProgress({
        dataset: name,
        done,
        total: events,
        elapsedSeconds: el,
        rate: el > 0 ? done / el : 0,
      });
    },
  });
  const sample = assembleRmmSample(spec, seed, parts);
  return { ...sample, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------
// Reading the stored form
// ---------------------------------------------------------------------------------------

/**
 * Dense RMMs of a sample, one row of size^2 (2601) cells per event, or only the cells
 * `columns` (flat indices, e.g. those kept by an autoencoder), for all rows or the rows
 * `rows`.
 */
export function rmmDenseRows(
  sample: Pick<RmmSample, "events" | "cells">,
  options: { rows?: ArrayLike<number>; columns?: ArrayLike<number>; size?: number } = {},
): { data: Float32Array; rows: number; cols: number } {
  const size = options.size ?? RMM_SIZE;
  const cellsPerMatrix = size * size;
  const ev = sample.events;
  const n = options.rows?.length ?? ev.nCells.length;
  const { proj, proj_index1: r1, proj_index2: r2 } = sample.cells;
  let map: Int32Array | null = null;
  let cols = cellsPerMatrix;
  if (options.columns !== undefined) {
    map = new Int32Array(cellsPerMatrix).fill(-1);
    cols = options.columns.length;
    for (let k = 0; k < cols; k++) {
      const c = options.columns[k];
      if (!(Number.isInteger(c) && c >= 0 && c < cellsPerMatrix)) {
        throw new RangeError(`rmmDenseRows: column ${c} outside [0, ${cellsPerMatrix})`);
      }
      map[c] = k;
    }
  }
  const data = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) {
    const r = options.rows === undefined ? i : options.rows[i];
    if (!(Number.isInteger(r) && r >= 0 && r < ev.nCells.length)) {
      throw new RangeError(`rmmDenseRows: row ${r} outside [0, ${ev.nCells.length})`);
    }
    const a = ev.cellOffset[r], b = a + ev.nCells[r];
    const o = i * cols;
    for (let k = a; k < b; k++) {
      const flat = r1[k] * size + r2[k];
      if (map === null) data[o + flat] = proj[k];
      else if (map[flat] >= 0) data[o + map[flat]] = proj[k];
    }
  }
  return { data, rows: n, cols };
}

/** Object lists of row `r` as an RMM event (pT, eta, phi, mass form), for the RMM or 4-momenta. */
export function rmmEventOfRow(sample: Pick<RmmSample, "events" | "objects">, r: number): RmmEvent {
  const ev = sample.events;
  if (!(Number.isInteger(r) && r >= 0 && r < ev.nObjects.length)) {
    throw new RangeError(`rmmEventOfRow: row ${r} outside [0, ${ev.nObjects.length})`);
  }
  const a = ev.objectOffset[r], b = a + ev.nObjects[r];
  const o = sample.objects;
  const lists: Record<string, RmmObjectList> = {};
  for (let t = 0; t < RMM_TYPES.length; t++) {
    const idx: number[] = [];
    for (let k = a; k < b; k++) if (o.type[k] === t) idx.push(k);
    if (idx.length === 0) continue;
    lists[RMM_TYPES[t]] = {
      pt: idx.map((k) => o.pt[k]),
      eta: idx.map((k) => o.eta[k]),
      phi: idx.map((k) => o.phi[k]),
      mass: idx.map((k) => o.mass[k]),
    };
  }
  return { met: ev.met[r], metPhi: ev.metPhi[r], ...lists };
}

/**
 * Paper 4's alternative input (section 4): raw four-momenta (GeV) of up to 10 objects per
 * type plus MET, 201 values per event (lib/features/fourMomentumInputs.ts), for all rows or
 * `rows`.
 */
export function rmmFourMomentumRows(
  sample: Pick<RmmSample, "events" | "objects">,
  rows?: ArrayLike<number>,
): { data: Float32Array; rows: number; cols: number } {
  const b = new FourMomentumBuilder();
  const n = rows?.length ?? sample.events.nObjects.length;
  const data = new Float32Array(n * b.cols);
  for (let i = 0; i < n; i++) {
    b.fill(rmmEventOfRow(sample, rows === undefined ? i : rows[i]), data, i * b.cols);
  }
  return { data, rows: n, cols: b.cols };
}

// ---------------------------------------------------------------------------------------
// Cache and files
// ---------------------------------------------------------------------------------------

/** Source folders and files whose content determines the generated rows. */
const SOURCE_DIRS = ["lib/sim", "lib/reco", "lib/physics"];
const SOURCE_FILES = [
  "lib/random/rng.ts",
  "lib/features/rmm.ts",
  "lib/data/rmmDatasets.ts",
];

/** Version of the generating code: "src-" + sha256 (16 hex digits) of the sources. */
export function rmmSourceVersion(): Promise<string> {
  return sourceHash("src", SOURCE_FILES, SOURCE_DIRS);
}

/** The cache configuration of a dataset (plain JSON; workers are not part of it). */
export function rmmCacheConfig(
  spec: RmmDatasetSpec,
  events: number,
  seed: number,
): Record<string, unknown> {
  return {
    dataset: spec.name,
    events,
    seed,
    components: spec.components.map((c) => ({
      label: c.label,
      crossSectionPb: c.crossSectionPb,
      fakeImportance: c.fakeImportance,
    })),
    generator: { ...spec.generator },
    objects: { ...spec.objects, btag: { ...spec.objects.btag } },
    rmm: { ...spec.rmm },
  };
}

/** The three tables of a sample in the parquet cache's form. */
export function rmmTables(s: RmmSample): { events: Table; cells: Table; objects: Table } {
  return {
    events: { ...s.events } as unknown as Table,
    cells: { ...s.cells } as unknown as Table,
    objects: { ...s.objects } as unknown as Table,
  };
}

/** Contents of the bookkeeping sidecar. */
export interface RmmBookkeepingFile {
  /** sha256 of the events, cells and objects parquet files. */
  sha256: { events: string; cells: string; objects: string };
  codeVersion: string;
  bookkeeping: RmmBookkeeping;
}

/** Result of {@link loadOrGenerateRmmDataset}. */
export interface RmmLoaded extends RmmSample {
  paths: { events: string; cells: string; objects: string };
  fromCache: boolean;
}

function fromTables(spec: RmmDatasetSpec, t: { events: Table; cells: Table; objects: Table }) {
  return {
    events: t.events as unknown as RmmEventColumns,
    cells: t.cells as unknown as RmmCellColumns,
    objects: t.objects as unknown as RmmObjectColumns,
    spec,
  };
}

/**
 * Dataset `name` with `events` rows and `seed` from the parquet cache (data/cache/), or
 * generated on `workers` workers and written to it (three files and the bookkeeping).
 */
export async function loadOrGenerateRmmDataset(
  name: string,
  options: RmmGenerateOptions & { cache?: ParquetCache },
): Promise<RmmLoaded> {
  const spec = rmmDataset(name);
  const cache = options.cache ?? new ParquetCache();
  const config = rmmCacheConfig(spec, options.events, options.seed);
  const codeVersion = await rmmSourceVersion();
  const parts = ["events", "cells", "objects"] as const;
  const fileName = (p: (typeof parts)[number]) => (p === "events" ? name : `${name}.${p}`);
  const checks = await Promise.all(
    parts.map((p) => cache.verify(fileName(p), config, codeVersion)),
  );
  if (checks.every((c) => c.ok)) {
    const ok = checks as Extract<(typeof checks)[number], { ok: true }>[];
    try {
      const side = JSON.parse(
        await Deno.readTextFile(`${ok[0].path}.bookkeeping.json`),
      ) as RmmBookkeepingFile;
      if (
        side.sha256.events === ok[0].entry.sha256 && side.sha256.cells === ok[1].entry.sha256 &&
        side.sha256.objects === ok[2].entry.sha256
      ) {
        return {
          ...fromTables(spec, { events: ok[0].table, cells: ok[1].table, objects: ok[2].table }),
          bookkeeping: side.bookkeeping,
          paths: { events: ok[0].path, cells: ok[1].path, objects: ok[2].path },
          fromCache: true,
        };
      }
    } catch {
      // Missing or unreadable sidecar: regenerate below.
    }
  }
  const made = await generateRmmDataset(name, options);
  const tables = rmmTables(made);
  const res = [];
  for (const p of parts) {
    await cache.remove(fileName(p), config);
    res.push(await cache.getOrCreate(fileName(p), config, () => tables[p], { codeVersion }));
  }
  const side: RmmBookkeepingFile = {
    sha256: {
      events: res[0].entry.sha256,
      cells: res[1].entry.sha256,
      objects: res[2].entry.sha256,
    },
    codeVersion,
    bookkeeping: made.bookkeeping,
  };
  await writeJsonAtomic(`${res[0].path}.bookkeeping.json`, side);
  return {
    spec,
    events: made.events,
    cells: made.cells,
    objects: made.objects,
    bookkeeping: made.bookkeeping,
    paths: { events: res[0].path, cells: res[1].path, objects: res[2].path },
    fromCache: false,
  };
}

// ---------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------

const pct = (x: number) => (100 * x).toPrecision(3) + " %";

/** Human-readable bookkeeping. */
export function formatRmmBookkeeping(bk: RmmBookkeeping): string {
  const lines = [
    `${bk.dataset} (seed ${bk.seed}): ${bk.events} events selected from ${bk.attempts} ` +
    `attempts; sigma x eff = ${bk.selectedCrossSectionPb.toPrecision(4)} pb`,
  ];
  for (const [p, e] of Object.entries(bk.perProcess)) {
    lines.push(
      `  ${p.padEnd(14)} sigma ${e.crossSectionPb.toPrecision(4)} pb, attempts ${e.attempts} ` +
        `(pre-filter ${e.prefilterPassed}), selected ${e.selected} (${pct(e.fraction)} of rows), ` +
        `eff ${e.efficiency.value.toPrecision(3)} +- ${e.efficiency.error.toPrecision(2)}, ` +
        `sigma x eff ${e.selectedCrossSectionPb.value.toPrecision(4)} pb`,
    );
  }
  return lines.join("\n");
}

const USAGE =
  `usage: deno run -A lib/data/rmmDatasets.ts <dataset> --events N --seed S [--workers K]
       deno run -A lib/data/rmmDatasets.ts --list`;

/** Parsed command line. */
export type RmmCli = Omit<DatasetCliArgs, "out">;

/** Parse the command line; throws with the usage on errors. */
export function parseRmmCli(args: string[]): RmmCli {
  const out = parseDatasetCli(args, { usage: USAGE, out: false });
  if (!out.list) rmmDataset(out.dataset!);
  return out;
}

async function main(args: string[]): Promise<void> {
  const cli = parseRmmCli(args);
  if (cli.list) {
    for (const n of listRmmDatasets()) console.log(`${n.padEnd(24)} ${rmmDataset(n).description}`);
    return;
  }
  const t0 = performance.now();
  const r = await loadOrGenerateRmmDataset(cli.dataset!, {
    events: cli.events!,
    seed: cli.seed!,
    workers: cli.workers,
    onProgress: throttledProgress((p: RmmProgress) =>
      `${p.dataset}: ${p.done}/${p.total} events, ${p.rate.toFixed(1)} events/s, ` +
      `${p.elapsedSeconds.toFixed(0)} s`
    ),
  });
  console.log(formatRmmBookkeeping(r.bookkeeping));
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${r.fromCache ? "cached" : "wrote"} ${r.paths.events} (+ .cells, .objects) in ` +
      `${s.toFixed(1)} s` +
      (r.fromCache ? "" : ` (${(r.events.nCells.length / s).toFixed(1)} events/s)`),
  );
}

if (import.meta.main) await runCli(main);
