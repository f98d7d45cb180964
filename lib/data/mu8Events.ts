/**
 * The SIMULATED 8 TeV single-muon stream of paper 3 (Knapp et al., "Adversarially Learned
 * Anomaly Detection on CMS Open Data: re-discovering the top quark", EPJ Plus 136 (2021) 236,
 * section 4 and appendix A): dataset specifications, the two tunes, and the deterministic
 * event loop. This module is what the generator workers load (no parquet, no HDF5); the
 * orchestration, cache and CLI are in lib/data/mu8Datasets.ts.
 *
 * Samples (paper 3 appendix A: W+jets, Z/gamma*+jets and tt-bar simulation; 2012 SingleMu
 * data):
 * - `mu8_W`, `mu8_Z`: W -> l nu + jets and Z/gamma* (m > 50 GeV) -> l l + jets from
 *   lib/sim/vJets.ts with at least one hard parton (pT > 20 GeV), as the CMS exclusive-jet-bin
 *   MadGraph samples W1Jets..W4Jets and DY1Jets..DY4Jets the paper used (no 0-jet bin; the
 *   authors' mixing script compile_xsec_mix.py, github.com/mpp-hep/CmsOpenDataNtuplizer);
 *   l = e, mu, tau;
 * - `mu8_ttbar`: tt-bar, all decays (lib/sim/generator.ts);
 * - `mu8_pseudodata`: the stand-in for the CMS data: W+jets, Z/gamma*+jets and tt-bar mixed
 *   at their natural rates, i.e. with fractions sigma_p x epsilon_p / sum, where epsilon_p
 *   (selected / generated) is MEASURED on a pilot run of each process (part of the dataset
 *   and its bookkeeping), never assumed;
 * - `mu8_known_sm`: the "known-SM simulation": W and Z only, mixed the same way, with other
 *   random streams (the dataset name is part of every stream key) AND the "mc" tune, which
 *   differs slightly from the pseudo-data's "data" tune (see {@link MU8_TUNES}), so that
 *   "data" and "simulation" are not identical;
 * - `mu8_known_sm_ge4p`: the same known-SM simulation ("mc" tune, W and Z mixed at their
 *   natural rates) restricted by the generator to >= {@link MU8_STITCH_MIN_PARTONS} hard
 *   partons: the high-multiplicity bin that is stitched to `mu8_known_sm` (its rows with
 *   fewer partons kept, the others replaced; lib/data/stitch.ts), as CMS stitched its
 *   jet-bin W+jets samples. Measured on 8000 selected "mc" W events: every event with
 *   NJ >= 6 came from >= 5 hard partons (14 of 14), those with NJ = 5 from >= 4 (66 of 70),
 *   and 19 % of all from >= 4. The bin therefore puts ~5x more events at NJ >= 6 for the
 *   same CPU, with uniform weights there (inclusive rows with n < 4 reach NJ >= 6 very
 *   rarely, none of the 8000; a bin at >= 5 left ~3 weight-1 rows of n = 4 per 18k rows at
 *   NJ >= 6, and they dominated the weighted errors), which the ASTF at NJ >= 6 (paper 3
 *   fig. 8) needs.
 * Common settings: sqrt(s) = 8 TeV, Poisson pileup with mean 20 (2012 run B averaged ~20
 * interactions per crossing), generator filter (an electron or muon with pT > 22 GeV),
 * reconstruction and selection of lib/reco/openDataReco.ts (muon pT > 23 GeV, Iso < 0.1,
 * |eta| < 1.4; >= 2 jets with pT > 30 GeV, |eta| < 2.4, where the jets are the ntuples'
 * R = 0.5 jets of all PF candidates, the muon included), features of
 * lib/features/paper3Features.ts.
 *
 * Streams: slot (row) i of a dataset with stream name N and seed S draws its process (for
 * mixtures) from `Rng.stream(S, N, "process", i)` with the mixture fractions; calls
 * k = 0, 1, ... of the generator draw from `Rng.stream(S, N, i, k)` and the b-tagging from
 * `Rng.stream(S, N, i, k, "btag")`; the first selected call fills row i. Pilot rows of
 * process p use the stream name `N/pilot/p`. So every row depends only on (S, N, i, the
 * fractions): any split of the rows over workers gives the same table.
 */
import {
  appendPaper3Row,
  newPaper3Table,
  PAPER3_TABLE_COLUMNS,
} from "../features/paper3Features.ts";
import type { ColumnSpec, ColumnTable } from "../features/columnTable.ts";
import { Rng } from "../random/rng.ts";
import {
  OPEN_DATA_JETS,
  type OpenDataRecoConfig,
  OpenDataRecoEvent,
  RECO_OPEN_DATA,
  reconstructOpenData,
} from "../reco/openDataReco.ts";
import { newTruthSummary, PfCandidates, resetTruth, type SimEvent } from "../sim/event.ts";
import { generateEvent, type GeneratorConfig } from "../sim/generator.ts";
import {
  generateVJetsEvent,
  VJETS_DEFAULTS,
  type VJetsGeneratorConfig,
  type VJetsParams,
} from "../sim/vJets.ts";
import { countAttempts, type CountsByProcess } from "./datasets.ts";

/** Processes of the stream (sample names of paper 3 and the published files). */
export type Mu8Process = "W" | "Z" | "ttbar";

/** All processes, in paper order. */
export const MU8_PROCESSES: readonly Mu8Process[] = ["W", "Z", "ttbar"];

/**
 * 8 TeV cross sections (pb), for sigma x efficiency mixing:
 * - W -> l nu (l = e, mu, tau): 36257.2 pb, NNLO (FEWZ), the CMS 2012 reference value
 *   (also in lib/data/published/openData8TeV.ts);
 * - Z/gamma* -> l l, m(ll) > 50 GeV: 3503.71 pb, NNLO (FEWZ), CMS 2012 reference value;
 * - tt-bar: 252.9 pb, NNLO+NNLL for m_t = 172.5 GeV (Czakon, Fiedler, Mitov, PRL 110 (2013)
 *   252004; PHYSICS.md "8 TeV: tt ~253 pb"), the top mass of lib/sim.
 * The W and Z samples are inclusive in jets at generation; the >= 1 hard-parton requirement
 * is part of their generator filter, so these inclusive cross sections apply.
 */
export const MU8_CROSS_SECTIONS_PB: Readonly<Record<Mu8Process, number>> = Object.freeze({
  W: 36257.2,
  Z: 3503.71,
  ttbar: 252.9,
});

/** A tune: the generator and detector settings that differ between "data" and "simulation". */
export interface Mu8Tune {
  /** "data" or "mc". */
  name: string;
  /** What differs and why. */
  description: string;
  /** W/Z + jets parameters. */
  vjets: Readonly<VJetsParams>;
  /** Jet energy scale factor of the paper-3 jets. */
  jetEnergyScale: number;
}

/**
 * The two tunes. "data" (pseudo-data and the single-process samples) is the nominal
 * simulation. "mc" (the known-SM simulation) differs by (i) a jet energy scale 3 % lower,
 * the order of the 2012 CMS jet energy scale uncertainty at 30-100 GeV before residual
 * corrections (2-4 %, CMS JINST 12 (2017) P02014), and (ii) 5 % more extra-jet activity
 * (berendsRatio 0.44 -> 0.46), within the spread of the V + jets generators compared to the
 * 8 TeV W + jets multiplicities (CMS PRD 95 (2017) 052002). Paper 3 section 4 notes that the
 * simulation was not corrected to data ("we couldn't apply the many energy scale and
 * resolution corrections"), so a small data / simulation difference is part of the setup.
 */
export const MU8_TUNES: Readonly<Record<"data" | "mc", Readonly<Mu8Tune>>> = Object.freeze({
  data: Object.freeze({
    name: "data",
    description: "nominal: lib/sim/vJets.ts defaults, jet energy scale 1",
    vjets: VJETS_DEFAULTS,
    jetEnergyScale: 1,
  }),
  mc: Object.freeze({
    name: "mc",
    description: "known-SM simulation: jet energy scale 0.97, V + jets Berends ratio 0.46 " +
      "instead of 0.44",
    vjets: Object.freeze({ ...VJETS_DEFAULTS, berendsRatio: 0.46 }),
    jetEnergyScale: 0.97,
  }),
});

/** Generator settings of the stream (see the module comment). */
export interface Mu8GeneratorSettings {
  sqrtS: number;
  meanPileup: number;
  filterLeptonPtMin: number;
  /** Hard partons required in W/Z (1: the exclusive-jet-bin samples of the paper). */
  minHardPartons: number;
}

/** sqrt(s) = 8 TeV, pileup 20, filter e/mu pT > 22 GeV, W/Z with >= 1 hard parton. */
export const MU8_GENERATOR: Readonly<Mu8GeneratorSettings> = Object.freeze({
  sqrtS: 8000,
  meanPileup: 20,
  filterLeptonPtMin: 22,
  minHardPartons: 1,
});

/**
 * Lowest hard-parton multiplicity of the high-multiplicity known-SM sample
 * `mu8_known_sm_ge4p` (see the module comment).
 */
export const MU8_STITCH_MIN_PARTONS = 4;

/** {@link MU8_GENERATOR} for the high-multiplicity bin of the known-SM simulation. */
export const MU8_GENERATOR_HIGH_MULTIPLICITY: Readonly<Mu8GeneratorSettings> = Object.freeze({
  ...MU8_GENERATOR,
  minHardPartons: MU8_STITCH_MIN_PARTONS,
});

/** A named SIMULATED dataset of the stream. */
export interface Mu8DatasetSpec {
  /** Unique name (cache file stem and stream key). */
  name: string;
  /** What it is; always says SIMULATED. */
  description: string;
  /** Paper and section it reproduces. */
  reference: string;
  /** Processes; several = mixture by cross section x measured efficiency. */
  processes: readonly Mu8Process[];
  /** Cross sections used for mixing (pb). */
  crossSectionsPb: Readonly<Partial<Record<Mu8Process, number>>>;
  tune: Readonly<Mu8Tune>;
  generator: Readonly<Mu8GeneratorSettings>;
  reco: Readonly<OpenDataRecoConfig>;
  /** Numeric columns (the categorical `process` column comes on top). */
  columns: readonly ColumnSpec[];
}

const REFERENCE = "paper 3 (Knapp et al., EPJ Plus 136 (2021) 236), section 4 and appendix A";

function recoFor(tune: Readonly<Mu8Tune>): Readonly<OpenDataRecoConfig> {
  if (tune.jetEnergyScale === OPEN_DATA_JETS.jetEnergyScale) return RECO_OPEN_DATA;
  return Object.freeze({
    ...RECO_OPEN_DATA,
    jets: Object.freeze({ ...OPEN_DATA_JETS, jetEnergyScale: tune.jetEnergyScale }),
  });
}

function spec(
  name: string,
  processes: readonly Mu8Process[],
  tune: Readonly<Mu8Tune>,
  what: string,
  generator: Readonly<Mu8GeneratorSettings> = MU8_GENERATOR,
): Mu8DatasetSpec {
  return Object.freeze({
    name,
    description: `SIMULATED (this repository's generator, not the CMS samples): ${what}; ` +
      "8 TeV, pileup 20, muon pT > 23 GeV, Iso < 0.1, |eta| < 1.4, >= 2 jets (R = 0.5, all " +
      `PF candidates) pT > 30 GeV, |eta| < 2.4; "${tune.name}" tune; paper-3 quantities ` +
      "(Open Data column names) plus truth columns.",
    reference: REFERENCE,
    processes: Object.freeze([...processes]),
    crossSectionsPb: Object.freeze(
      Object.fromEntries(processes.map((p) => [p, MU8_CROSS_SECTIONS_PB[p]])),
    ),
    tune,
    generator,
    reco: recoFor(tune),
    columns: PAPER3_TABLE_COLUMNS,
  });
}

/** The datasets of the stream by name. */
export const MU8_DATASETS: Readonly<Record<string, Mu8DatasetSpec>> = Object.freeze(
  Object.fromEntries(
    [
      spec("mu8_W", ["W"], MU8_TUNES.data, "W -> l nu + jets (>= 1 hard parton)"),
      spec("mu8_Z", ["Z"], MU8_TUNES.data, "Z/gamma* -> l l (m > 50 GeV) + jets (>= 1 parton)"),
      spec("mu8_ttbar", ["ttbar"], MU8_TUNES.data, "tt-bar, all decays"),
      spec(
        "mu8_pseudodata",
        ["W", "Z", "ttbar"],
        MU8_TUNES.data,
        "PSEUDO-DATA, the stand-in for the CMS 2012 SingleMu data: W+jets, Z/gamma*+jets and " +
          "tt-bar mixed by cross section x efficiency measured on a pilot run (tt-bar at its " +
          "natural rate)",
      ),
      spec(
        "mu8_known_sm",
        ["W", "Z"],
        MU8_TUNES.mc,
        "KNOWN-SM SIMULATION: W+jets and Z/gamma*+jets only (no tt-bar), mixed by cross " +
          "section x efficiency measured on a pilot run, independent streams and the " +
          "slightly different 'mc' tune",
      ),
      spec(
        "mu8_known_sm_ge4p",
        ["W", "Z"],
        MU8_TUNES.mc,
        "KNOWN-SM SIMULATION, HIGH-MULTIPLICITY BIN: as mu8_known_sm but with >= " +
          `${MU8_STITCH_MIN_PARTONS} hard partons (generator filter), for stitching`,
        MU8_GENERATOR_HIGH_MULTIPLICITY,
      ),
    ].map((d) => [d.name, d]),
  ),
);

/** The dataset called `name`; throws listing the known names otherwise. */
export function getMu8Dataset(name: string): Mu8DatasetSpec {
  const d = MU8_DATASETS[name];
  if (d === undefined) {
    throw new Error(
      `unknown mu8 dataset "${name}"; known: ${Object.keys(MU8_DATASETS).join(", ")}`,
    );
  }
  return d;
}

/** Stream name of the pilot rows of process `p` of dataset `name`. */
export function pilotStreamName(name: string, p: Mu8Process): string {
  return `${name}/pilot/${p}`;
}

/** Reusable per-worker buffers of the event loop. */
export class Mu8LoopState {
  readonly event: SimEvent = { pf: new PfCandidates(4096), truth: newTruthSummary() };
  readonly reco: OpenDataRecoEvent = new OpenDataRecoEvent();
}

/**
 * Generate one event of `process` with the settings of `spec` (W/Z: lib/sim/vJets.ts with
 * the tune's parameters and the muon-trigger skip; tt-bar: lib/sim/generator.ts with its
 * single-lepton-trigger skip, whose margins cover this selection).
 */
export function generateMu8Event(
  process: Mu8Process,
  rng: Rng,
  out: SimEvent,
  spec: Readonly<Mu8DatasetSpec>,
): void {
  const g = spec.generator;
  if (process === "ttbar") {
    const cfg: GeneratorConfig = {
      sqrtS: g.sqrtS,
      meanPileup: g.meanPileup,
      applyGeneratorFilter: true,
      filterLeptonPtMin: g.filterLeptonPtMin,
      skipUntriggerable: true,
      // As the W / Z + jets of the stream (lib/sim/shower.ts BeamShowerAngle).
      beamShowerAngle: "beam",
    };
    generateEvent("ttbar", rng, out, cfg);
    return;
  }
  const cfg: VJetsGeneratorConfig = {
    sqrtS: g.sqrtS,
    meanPileup: g.meanPileup,
    params: spec.tune.vjets,
    applyGeneratorFilter: true,
    filterLeptonPtMin: g.filterLeptonPtMin,
    minHardPartons: g.minHardPartons,
    skipUntriggerableMuon: true,
  };
  generateVJetsEvent(process, rng, out, cfg);
}

/** Most generator calls per row before giving up (W's selection efficiency is ~2 %). */
export const MU8_MAX_ATTEMPTS_PER_EVENT = 200_000;

/** Rows of a slot range and their counts. */
export interface Mu8RowsResult {
  table: ColumnTable;
  counts: CountsByProcess;
}

/** What a row range is: pilot rows of one process, or dataset rows with mixture fractions. */
export type Mu8RowMode =
  | { kind: "pilot"; process: Mu8Process }
  | { kind: "rows"; fractions: readonly number[] };

/**
 * Generate rows [start, end) of `spec` with `seed` in `mode` (see the module comment for the
 * streams). `fractions` are per entry of spec.processes (ignored for a single process).
 */
export function generateMu8Rows(
  spec: Readonly<Mu8DatasetSpec>,
  seed: number,
  start: number,
  end: number,
  mode: Mu8RowMode,
  state: Mu8LoopState = new Mu8LoopState(),
  maxAttempts: number = MU8_MAX_ATTEMPTS_PER_EVENT,
): Mu8RowsResult {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(`generateMu8Rows(${spec.name}): bad row range [${start}, ${end})`);
  }
  const procs = mode.kind === "pilot" ? [mode.process] : spec.processes;
  const stream = mode.kind === "pilot" ? pilotStreamName(spec.name, mode.process) : spec.name;
  if (mode.kind === "rows" && procs.length > 1) {
    const f = mode.fractions;
    if (f.length !== procs.length || !f.every((x) => x >= 0) || !(f.some((x) => x > 0))) {
      throw new RangeError(
        `generateMu8Rows(${spec.name}): fractions [${f.join(", ")}] do not fit the processes ` +
          `${procs.join(", ")}`,
      );
    }
  }
  const table = newPaper3Table(Math.max(1, end - start));
  const counts: CountsByProcess = {};
  for (const p of procs) counts[p] = { generated: 0, passedFilter: 0, selected: 0 };
  const ev = state.event;
  const reco = state.reco;
  for (let row = start; row < end; row++) {
    const process = procs.length === 1 ? procs[0] : procs[
      Rng.stream(seed, stream, "process", row).categorical(
        (mode as { fractions: readonly number[] }).fractions,
      )
    ];
    const cnt = counts[process];
    for (let k = 0;; k++) {
      if (k >= maxAttempts) {
        throw new Error(
          `generateMu8Rows(${spec.name}): row ${row} (${process}) not selected after ` +
            `${maxAttempts} attempts: the selection efficiency of "${process}" is ~0`,
        );
      }
      ev.pf.reset();
      resetTruth(ev.truth);
      generateMu8Event(process, Rng.stream(seed, stream, row, k), ev, spec);
      countAttempts(cnt, ev.truth);
      if (!ev.truth.passedGeneratorFilter) continue;
      cnt.passedFilter++;
      const lep = reconstructOpenData(
        ev,
        Rng.stream(seed, stream, row, k, "btag"),
        reco,
        spec.reco,
      );
      if (lep < 0) continue;
      cnt.selected++;
      appendPaper3Row(table, ev, reco, lep, process);
      break;
    }
  }
  return { table, counts };
}
