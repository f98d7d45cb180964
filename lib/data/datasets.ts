/**
 * Registry of the SIMULATED datasets made by this repository's own generator
 * (lib/sim/generator.ts), and the deterministic event loop that produces them.
 *
 * A dataset is a list of selected events. Event slot `i` (0-based, the row index) is
 * produced as follows:
 *  1. its process is the dataset's single process, or for a cocktail a categorical draw
 *     with the cocktail fractions from `Rng.stream(seed, name, "process", i)`;
 *  2. calls k = 0, 1, 2, ... of the generator for that process draw from
 *     `Rng.stream(seed, name, i, k)`. The generator applies the generator filter itself
 *     (paper 1 section 3: the filter is applied at generation): each call returns an event
 *     passing it and says in `truth.generatorTrials` how many unbiased attempts it stands
 *     for (fractional for QCD, which is heavy-flavour enriched; lib/sim/generator.ts). The
 *     event is reconstructed (b-tagging draws from `Rng.stream(seed, name, i, k, "btag")`)
 *     and selected; the first selected call fills row i.
 * So every row depends only on (seed, name, i): any split of the slots over workers gives
 * the same table. Every call is counted, per process, so the acceptance (filter) and
 * trigger efficiency (selection after filter) of paper 1 Table 1 are measured, not assumed:
 *   generated = sum of generatorTrials, passedFilter = events returned by the generator,
 *   acceptance = passedFilter / generated, trigger efficiency = selected / passedFilter.
 *
 * Cocktail fractions are the fractions AFTER selection (paper 1 Table 1 "Event fraction":
 * W 59.2 %, QCD 33.8 %, Z 6.7 %, tt 0.3 %), which is why the process is drawn per selected
 * slot rather than per attempt.
 */
import { appendHlf21Row, HLF21_TABLE_COLUMNS, newHlf21Table } from "../features/hlf21.ts";
import type { ColumnSpec, ColumnTable } from "../features/columnTable.ts";
import { Rng } from "../random/rng.ts";
import type { DatasetEntry } from "./manifest.ts";
import {
  RECO_13TEV,
  type RecoConfig,
  RecoEvent,
  reconstructLeptons,
  reconstructRest,
} from "../reco/reconstruct.ts";
import {
  type LeptonSelection,
  selectEvent,
  SINGLE_LEPTON_13TEV,
  triggerLeptonIndex,
} from "../reco/select.ts";
import {
  newTruthSummary,
  PfCandidates,
  resetTruth,
  type SimEvent,
  type TruthSummary,
} from "../sim/event.ts";
import {
  generateEvent,
  type GeneratorConfig,
  type HardEventVeto,
  type ProcessName,
} from "../sim/generator.ts";
import { hardEventFailsTrigger, hasTriggerLepton } from "../reco/triggerPrecheck.ts";

/** One process of a dataset and its fraction of the selected events. */
export interface DatasetComponent {
  process: ProcessName;
  /** Fraction of the selected events (components of a dataset sum to 1). */
  fraction: number;
}

/** A named simulated dataset. */
export interface DatasetSpec {
  /** Unique name (also the cache file name stem). */
  name: string;
  /** What it is; always says SIMULATED. */
  description: string;
  /** Paper and section it reproduces. */
  reference: string;
  /** Processes with their fractions after selection. */
  components: readonly DatasetComponent[];
  /** Generator settings (centre-of-mass energy, pileup). */
  generator: Readonly<GeneratorConfig>;
  /** Reconstruction settings. */
  reco: Readonly<RecoConfig>;
  /** Event selection. */
  selection: Readonly<LeptonSelection>;
  /** Feature set written per selected event. */
  features: "hlf21";
  /** Numeric columns of the table (the categorical `process` column comes on top). */
  columns: readonly ColumnSpec[];
}

/**
 * Generator settings of the 13 TeV single-lepton stream (paper 1 section 3): sqrt(s) =
 * 13 TeV, mean pileup 20, generator filter on (an electron or muon with pT > 22 GeV), and the
 * generator's opt-in `skipUntriggerable` speed-up: events that cannot pass the single-lepton
 * trigger (no e/mu/charged hadron with pT > 20 GeV and hard-event isolation < 0.6) skip the
 * detector and pileup and come back with no PF candidates, so they fail our selection as
 * they would anyway (margins 20 < 23 GeV and 0.6 > 0.45 cover the resolution).
 */
export const LEP13_GENERATOR: Readonly<GeneratorConfig> = Object.freeze({
  sqrtS: 13000,
  meanPileup: 20,
  applyGeneratorFilter: true,
  filterLeptonPtMin: 22,
  skipUntriggerable: true,
});

/**
 * Paper 1 Table 1 SM cocktail fractions after the trigger (Cerri et al., JHEP 05 (2019) 036,
 * Table 1 "Event fraction"): W 59.2 %, QCD 33.8 %, Z 6.7 %, tt 0.3 %.
 */
export const LEP13_COCKTAIL_FRACTIONS: Readonly<Record<"W" | "QCD" | "Z" | "ttbar", number>> =
  Object.freeze({ W: 0.592, QCD: 0.338, Z: 0.067, ttbar: 0.003 });

/**
 * Paper 1 Table 1 (Cerri et al., JHEP 05 (2019) 036): generator-filter acceptance and "L1
 * trigger" (lepton pT > 23 GeV, Iso < 0.45) efficiency, as fractions, for comparison with the
 * measured bookkeeping (never used to make events).
 */
export const PAPER1_TABLE1: Readonly<Record<ProcessName, { acceptance: number; trigger: number }>> =
  Object.freeze({
    W: { acceptance: 0.556, trigger: 0.68 },
    QCD: { acceptance: 0.0008, trigger: 0.096 },
    Z: { acceptance: 0.16, trigger: 0.77 },
    ttbar: { acceptance: 0.37, trigger: 0.49 },
    Ato4l: { acceptance: 0.05, trigger: 0.98 },
    leptoquark: { acceptance: 0.19, trigger: 0.62 },
    hToTauTau: { acceptance: 0.09, trigger: 0.70 },
    hChToTauNu: { acceptance: 0.18, trigger: 0.69 },
  });

const PAPER1 = "paper 1 (Cerri et al., JHEP 05 (2019) 036), section 3 and Table 1";

function lep13(
  name: string,
  components: readonly DatasetComponent[],
  what: string,
): DatasetSpec {
  return Object.freeze({
    name,
    description: `SIMULATED (this repository's generator, not PYTHIA/DELPHES): ${what}; ` +
      "13 TeV, pileup 20, generator filter lepton pT > 22 GeV, selection one e or mu with " +
      "pT > 23 GeV and Iso < 0.45; 21 HLF of paper 1 plus truth columns.",
    reference: PAPER1,
    components: Object.freeze(components.map((c) => Object.freeze({ ...c }))),
    generator: LEP13_GENERATOR,
    reco: RECO_13TEV,
    selection: SINGLE_LEPTON_13TEV,
    features: "hlf21" as const,
    columns: HLF21_TABLE_COLUMNS,
  });
}

/** All datasets by name. */
export const DATASETS: Readonly<Record<string, DatasetSpec>> = Object.freeze(
  Object.fromEntries(
    [
      lep13("lep13_W", [{ process: "W", fraction: 1 }], "inclusive W -> l nu (l = e, mu, tau)"),
      lep13("lep13_QCD", [{ process: "QCD", fraction: 1 }], "QCD multijet, sqrt(s_hat) > 10 GeV"),
      lep13("lep13_Z", [{ process: "Z", fraction: 1 }], "inclusive Z -> l l (l = e, mu, tau)"),
      lep13("lep13_ttbar", [{ process: "ttbar", fraction: 1 }], "ttbar, all decays"),
      lep13(
        "lep13_cocktail",
        (["W", "QCD", "Z", "ttbar"] as const).map((p) => ({
          process: p,
          fraction: LEP13_COCKTAIL_FRACTIONS[p],
        })),
        "SM cocktail W/QCD/Z/tt mixed with paper 1 Table 1 fractions 59.2/33.8/6.7/0.3 % " +
          "(process drawn per selected event)",
      ),
      lep13(
        "lep13_Ato4l",
        [{ process: "Ato4l", fraction: 1 }],
        "BSM A -> 4 leptons (m_A = 50 GeV, via off-shell ZZ)",
      ),
      lep13(
        "lep13_leptoquark",
        [{ process: "leptoquark", fraction: 1 }],
        "BSM leptoquark LQ -> b tau (m = 80 GeV)",
      ),
      lep13(
        "lep13_hToTauTau",
        [{ process: "hToTauTau", fraction: 1 }],
        "BSM neutral scalar h0 -> tau tau (m = 60 GeV)",
      ),
      lep13(
        "lep13_hChToTauNu",
        [{ process: "hChToTauNu", fraction: 1 }],
        "BSM charged scalar h+- -> tau nu (m = 60 GeV)",
      ),
    ].map((d) => [d.name, d]),
  ),
);

/** The dataset called `name`; throws listing the known names otherwise. */
export function getDataset(name: string): DatasetSpec {
  const d = DATASETS[name];
  if (d === undefined) {
    throw new Error(`unknown dataset "${name}"; known: ${Object.keys(DATASETS).join(", ")}`);
  }
  return d;
}

/** All dataset specs in registry order. */
export function listDatasets(): DatasetSpec[] {
  return Object.values(DATASETS);
}

/**
 * The entry of `spec` for the committed dataset registry (data/manifest.json, schema in
 * lib/data/manifest.ts): source "simulation", the generating module and its configuration.
 */
export function registryEntry(spec: DatasetSpec): DatasetEntry {
  return {
    name: spec.name,
    source: "simulation",
    description: spec.description,
    format: "parquet",
    generator: "lib/data/generate.ts",
    config: {
      generator: { ...spec.generator },
      components: spec.components.map((c) => ({ process: c.process, fraction: c.fraction })),
      selection: spec.selection.name,
      features: spec.features,
      columns: [...spec.columns.map((c) => c.name), "process"],
    },
    citation: spec.reference,
  };
}

// ---------------------------------------------------------------------------------------
// Bookkeeping
// ---------------------------------------------------------------------------------------

/** Counts of one process. */
export interface ProcessCounts {
  /**
   * Unbiased generator attempts: the sum of `truth.generatorTrials` (may be fractional for
   * importance-sampled QCD).
   */
  generated: number;
  /** Attempts passing the generator filter. */
  passedFilter: number;
  /** Attempts passing filter and selection (= rows of this process). */
  selected: number;
  /**
   * Integer generator attempts behind `generated`, and the probability they were sampled
   * with (see {@link countAttempts}); absent for counts made without them.
   */
  attempts?: number;
  samplingProbability?: number;
}

/**
 * Add one event's generator attempts to `c`. The integer attempts are summed and
 * generated = attempts / sampling probability, so the total is the same whatever the order
 * of the sums (1 or 2 workers); summing the fractional generatorTrials of importance-sampled
 * QCD (k / 0.12) would differ in the last digits.
 */
export function countAttempts(c: ProcessCounts, t: TruthSummary): void {
  const p = t.generatorSamplingProbability;
  const attempts = t.generatorTrials > 0 ? Math.round(t.generatorTrials * p) : 1;
  if (c.samplingProbability !== undefined && c.samplingProbability !== p) {
    throw new Error(
      `countAttempts(${t.process}): sampling probability ${p} after ${c.samplingProbability}`,
    );
  }
  c.samplingProbability = p;
  c.attempts = (c.attempts ?? 0) + attempts;
  c.generated = c.attempts / p;
}

/** Counts per process of a range of slots (or of a whole dataset). */
export type CountsByProcess = Record<string, ProcessCounts>;

/** Add `b` into `a` (per process). */
export function addCounts(a: CountsByProcess, b: CountsByProcess): CountsByProcess {
  for (const [p, c] of Object.entries(b)) {
    const t = a[p] ??= { generated: 0, passedFilter: 0, selected: 0 };
    if (c.attempts !== undefined && c.samplingProbability !== undefined) {
      if (t.samplingProbability !== undefined && t.samplingProbability !== c.samplingProbability) {
        throw new Error(`addCounts(${p}): different sampling probabilities`);
      }
      if (t.attempts === undefined && t.generated > 0) {
        throw new Error(`addCounts(${p}): counts with and without integer attempts`);
      }
      t.samplingProbability = c.samplingProbability;
      t.attempts = (t.attempts ?? 0) + c.attempts;
      t.generated = t.attempts / t.samplingProbability;
    } else t.generated += c.generated;
    t.passedFilter += c.passedFilter;
    t.selected += c.selected;
  }
  return a;
}

/** A ratio k/n with its binomial standard error sqrt(r (1 - r) / n). */
export interface Ratio {
  value: number;
  error: number;
  k: number;
  n: number;
}

/**
 * k/n with binomial error (NaN when n = 0). For importance-sampled QCD, n is the effective
 * number of attempts (sum of generatorTrials, 1 / 0.12 per actual heavy-flavour attempt in
 * lib/sim/generator.ts), so the acceptance error is understated by up to sqrt(1 / 0.12) ~ 3.
 */
export function ratio(k: number, n: number): Ratio {
  if (n === 0) return { value: NaN, error: NaN, k, n };
  const r = k / n;
  return { value: r, error: Math.sqrt(Math.max(r * (1 - r), 0) / n), k, n };
}

/** Measured acceptance and efficiencies of one process. */
export interface ProcessEfficiencies extends ProcessCounts {
  /** Generator filter acceptance: passedFilter / generated (paper 1 Table 1 "Acceptance"). */
  acceptance: Ratio;
  /** Selection ("L1 trigger") efficiency after the filter: selected / passedFilter. */
  triggerEfficiency: Ratio;
  /** selected / generated. */
  totalEfficiency: Ratio;
  /** Fraction of the dataset's rows. */
  fraction: number;
}

/** Bookkeeping of a generated dataset (stored next to the parquet file). */
export interface Bookkeeping {
  dataset: string;
  description: string;
  seed: number;
  /** Rows (selected events). */
  events: number;
  generated: number;
  passedFilter: number;
  selected: number;
  perProcess: Record<string, ProcessEfficiencies>;
  /** Settings the rows were made with. */
  generator: Readonly<GeneratorConfig>;
  selection: string;
  /** Stream-key scheme, so others can reproduce a row. */
  streams: string;
}

/** Build the bookkeeping record from summed counts. */
export function makeBookkeeping(
  spec: DatasetSpec,
  seed: number,
  counts: CountsByProcess,
): Bookkeeping {
  let generated = 0, passedFilter = 0, selected = 0;
  for (const c of Object.values(counts)) {
    generated += c.generated;
    passedFilter += c.passedFilter;
    selected += c.selected;
  }
  const perProcess: Record<string, ProcessEfficiencies> = {};
  for (const comp of spec.components) {
    const c = counts[comp.process] ?? { generated: 0, passedFilter: 0, selected: 0 };
    perProcess[comp.process] = {
      ...c,
      acceptance: ratio(c.passedFilter, c.generated),
      triggerEfficiency: ratio(c.selected, c.passedFilter),
      totalEfficiency: ratio(c.selected, c.generated),
      fraction: selected > 0 ? c.selected / selected : NaN,
    };
  }
  return {
    dataset: spec.name,
    description: spec.description,
    seed,
    events: selected,
    generated,
    passedFilter,
    selected,
    perProcess,
    generator: spec.generator,
    selection: spec.selection.name,
    streams: 'process: Rng.stream(seed, name, "process", row); attempt k of row: ' +
      'Rng.stream(seed, name, row, k); b-tagging: Rng.stream(seed, name, row, k, "btag")',
  };
}

// ---------------------------------------------------------------------------------------
// The event loop
// ---------------------------------------------------------------------------------------

/**
 * Filtered events per row before giving up (a process whose selection efficiency is ~0
 * would otherwise loop forever). The lowest trigger efficiency after the filter in paper 1
 * Table 1 is QCD's 9.6 %, i.e. ~10 calls per row, so this leaves a wide margin.
 */
export const MAX_ATTEMPTS_PER_EVENT = 100_000;

/** Signature of {@link generateEvent}: fill `out` with one event of `process` from `rng`. */
export type EventGenerator = (
  process: ProcessName,
  rng: Rng,
  out: SimEvent,
  cfg: Readonly<GeneratorConfig>,
  hardEventVeto?: HardEventVeto,
) => void;

/** Reusable per-worker buffers of the event loop, and the event generator it calls. */
export class EventLoopState {
  readonly event: SimEvent = { pf: new PfCandidates(4096), truth: newTruthSummary() };
  readonly reco: RecoEvent = new RecoEvent();
  /** The generator (lib/sim/generator.ts; replaceable in tests by a toy one). */
  readonly generate: EventGenerator;

  constructor(generate: EventGenerator = generateEvent) {
    this.generate = generate;
  }
}

/** Result of {@link generateRows}: the rows of a slot range and their counts. */
export interface RowsResult {
  table: ColumnTable;
  counts: CountsByProcess;
}

/**
 * Generate rows [start, end) of dataset `spec` with `seed` (see the module comment for the
 * stream scheme). `state` holds reusable buffers (one per worker).
 */
export function generateRows(
  spec: DatasetSpec,
  seed: number,
  start: number,
  end: number,
  state: EventLoopState = new EventLoopState(),
  maxAttempts: number = MAX_ATTEMPTS_PER_EVENT,
): RowsResult {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(`generateRows(${spec.name}): bad row range [${start}, ${end})`);
  }
  const table = newHlf21Table(Math.max(1, end - start));
  const counts: CountsByProcess = {};
  for (const c of spec.components) {
    counts[c.process] = { generated: 0, passedFilter: 0, selected: 0 };
  }
  const fractions = spec.components.map((c) => c.fraction);
  const ev = state.event;
  const reco = state.reco;
  // Exact early exits (lib/reco/triggerPrecheck.ts): stop an attempt before the soft
  // component when its hard event already fails the trigger isolation, and before the
  // reconstruction when no trigger lepton exists; the selected events are unchanged.
  const leptonCfg = spec.reco.leptons;
  const sel = spec.selection;
  const veto: HardEventVeto = (pf) => hardEventFailsTrigger(pf, leptonCfg, sel);
  for (let row = start; row < end; row++) {
    const comp = spec.components.length === 1
      ? spec.components[0]
      : spec.components[Rng.stream(seed, spec.name, "process", row).categorical(fractions)];
    const cnt = counts[comp.process];
    let done = false;
    for (let k = 0; !done; k++) {
      if (k >= maxAttempts) {
        throw new Error(
          `generateRows(${spec.name}): row ${row} (${comp.process}) not selected after ` +
            `${maxAttempts} attempts (filter passed ${cnt.passedFilter}, selected ` +
            `${cnt.selected} so far): the selection efficiency of "${comp.process}" is ~0`,
        );
      }
      ev.pf.reset();
      resetTruth(ev.truth);
      state.generate(comp.process, Rng.stream(seed, spec.name, row, k), ev, spec.generator, veto);
      // A generator without the bookkeeping (or with the filter off) stands for one attempt.
      countAttempts(cnt, ev.truth);
      if (!ev.truth.passedGeneratorFilter) continue;
      cnt.passedFilter++;
      // Leptons first: without a trigger lepton the event fails whatever its jets, so the
      // reconstruction is skipped (exact: each attempt has its own b-tag stream).
      if (!hasTriggerLepton(ev.pf, leptonCfg, sel)) continue;
      reconstructLeptons(ev, reco, spec.reco);
      if (triggerLeptonIndex(reco.leptons, spec.selection) < 0) continue;
      reconstructRest(ev, Rng.stream(seed, spec.name, row, k, "btag"), reco, spec.reco);
      const lep = selectEvent(reco.leptons, reco.jets, spec.selection);
      if (lep < 0) continue;
      cnt.selected++;
      appendHlf21Row(table, ev, reco, lep, comp.process);
      done = true;
    }
  }
  return { table, counts };
}
