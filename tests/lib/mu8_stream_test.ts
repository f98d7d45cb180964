/**
 * The SIMULATED 8 TeV single-muon stream of paper 3 (lib/data/mu8Datasets.ts, mu8Events.ts,
 * lib/sim/vJets.ts, lib/reco/openDataReco.ts, lib/features/paper3Features.ts) on small
 * samples: the selection holds on every row, the pseudo-data's tt-bar fraction comes out of
 * the measured efficiencies near paper 3's ~4 %, tt-bar has more jets and b jets than
 * W+jets, the known-SM simulation is close to (but not the same as) the pseudo-data's W+Z,
 * and the tables do not depend on the number of workers.
 */
import { OPEN_DATA_COLUMNS } from "../../lib/data/published/openData8TeV.ts";
import {
  formatMu8Bookkeeping,
  generateMu8Dataset,
  loadOrGenerateMu8Dataset,
  lumiWeight,
  mixtureFractions,
  MU8_DATASETS,
  mu8BookkeepingPath,
  mu8CacheConfig,
  type Mu8GeneratedDataset,
  mu8ParquetTable,
  parseMu8Cli,
} from "../../lib/data/mu8Datasets.ts";
import {
  generateMu8Event,
  getMu8Dataset,
  MU8_STITCH_MIN_PARTONS,
  MU8_TUNES,
} from "../../lib/data/mu8Events.ts";
import { ParquetCache } from "../../lib/data/parquetCache.ts";
import type { ColumnTable } from "../../lib/features/columnTable.ts";
import {
  PAPER3_COLUMNS,
  PAPER3_JET,
  PAPER3_TABLE_COLUMNS,
} from "../../lib/features/paper3Features.ts";
import { Rng } from "../../lib/random/rng.ts";
import {
  buildOpenDataJets,
  OPEN_DATA_JETS,
  OpenDataRecoEvent,
  reconstructOpenData,
} from "../../lib/reco/openDataReco.ts";
import { SINGLE_MUON_8TEV } from "../../lib/reco/select.ts";
import { newTruthSummary, PfCandidates, type SimEvent } from "../../lib/sim/event.ts";
import { FastRng } from "../../lib/sim/random.ts";
import { sampleHardPartonCount, sampleHardPartonPt, VJETS_DEFAULTS } from "../../lib/sim/vJets.ts";
import { ksTwoSample } from "../../lib/stats/ks.ts";
import { assert, assertEquals, assertInRange, assertThrows } from "../helpers.ts";

// Shared samples, generated once (lazily) for the tests that need them.
const cached = new Map<string, Promise<Mu8GeneratedDataset>>();
function sample(
  name: string,
  events: number,
  pilotEvents: number,
  workers: number,
): Promise<Mu8GeneratedDataset> {
  const key = `${name}/${events}/${pilotEvents}/${workers}`;
  let p = cached.get(key);
  if (!p) {
    p = generateMu8Dataset(name, { events, seed: 11, workers, pilotEvents });
    cached.set(key, p);
  }
  return p;
}
const pseudodata = () => sample("mu8_pseudodata", 300, 100, 2);
const knownSm = () => sample("mu8_known_sm", 300, 100, 2);

function col(t: ColumnTable, name: string): Float64Array {
  return Float64Array.from(t.column(name));
}
function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

Deno.test("paper-3 quantities carry the Open Data ntuple column names, in file order", () => {
  assertEquals([...PAPER3_COLUMNS], [...OPEN_DATA_COLUMNS]);
  assertEquals(PAPER3_TABLE_COLUMNS.slice(0, 23).map((c) => c.name), [...OPEN_DATA_COLUMNS]);
  // The two paper quantities not in the ntuples (Iso, IsEle) are there too.
  const names = PAPER3_TABLE_COLUMNS.map((c) => c.name);
  for (const n of ["lep_iso", "lep_is_ele"]) assert(names.includes(n), n);
});

Deno.test("registry: six SIMULATED datasets; pseudo-data with tt, known-SM without", () => {
  assertEquals(Object.keys(MU8_DATASETS).sort(), [
    "mu8_W",
    "mu8_Z",
    "mu8_known_sm",
    "mu8_known_sm_ge4p",
    "mu8_pseudodata",
    "mu8_ttbar",
  ]);
  for (const d of Object.values(MU8_DATASETS)) {
    assert(d.description.includes("SIMULATED"), `${d.name}: description says SIMULATED`);
    assertEquals(d.generator.sqrtS, 8000);
    assertEquals(d.generator.meanPileup, 20);
    assertEquals(d.reco.selection, SINGLE_MUON_8TEV);
  }
  assertEquals([...getMu8Dataset("mu8_pseudodata").processes], ["W", "Z", "ttbar"]);
  assertEquals([...getMu8Dataset("mu8_known_sm").processes], ["W", "Z"]);
  assert(getMu8Dataset("mu8_known_sm").tune !== getMu8Dataset("mu8_pseudodata").tune);
  // The high-multiplicity bin: the known-SM simulation with a parton-multiplicity filter.
  const hi = getMu8Dataset("mu8_known_sm_ge4p"), ksm = getMu8Dataset("mu8_known_sm");
  assertEquals([...hi.processes], ["W", "Z"]);
  assert(hi.tune === ksm.tune, "same tune as the inclusive known-SM sample");
  assertEquals(hi.generator.minHardPartons, MU8_STITCH_MIN_PARTONS);
  assertEquals(ksm.generator.minHardPartons, 1);
  assertThrows(() => getMu8Dataset("nope"), /unknown mu8 dataset/);
});

Deno.test("truth_nHardPartons: >= 1 in the inclusive known-SM rows, >= 4 in its high bin, whose efficiency includes P(n >= 4)", async () => {
  const inc = await knownSm();
  const hi = await sample("mu8_known_sm_ge4p", 60, 40, 2);
  const nInc = col(inc.table, "truth_nHardPartons"), nHi = col(hi.table, "truth_nHardPartons");
  assert(nInc.every((n) => n >= 1 && n <= VJETS_DEFAULTS.maxPartons), "inclusive: 1..maxPartons");
  assert(
    nHi.every((n) => n >= MU8_STITCH_MIN_PARTONS),
    "bin sample: all >= MU8_STITCH_MIN_PARTONS",
  );
  // The bin's selected cross section is a small part of the inclusive one: P(n >= 4 | n >= 1)
  // = r^3 = 0.097 for r = 0.46 ("mc" tune), times a higher selection efficiency (more jets):
  // measured, 19 % of the selected "mc" W events have n >= 4. So its luminosity per row is
  // 2.5-15x the inclusive sample's (~5).
  const ratio = hi.bookkeeping.equivalentLumiPb / hi.bookkeeping.events /
    (inc.bookkeeping.equivalentLumiPb / inc.bookkeeping.events);
  assertInRange(ratio, 2.5, 15, "luminosity per row, bin / inclusive");
});

Deno.test("V + jets model: Berends scaling of the hard-parton multiplicity, pT above ptGen", () => {
  const rng = new FastRng(new Rng(5, "vjets-count"));
  const p = VJETS_DEFAULTS;
  const n = 200_000;
  const ge = new Float64Array(p.maxPartons + 2);
  for (let i = 0; i < n; i++) {
    const k = sampleHardPartonCount(rng, p);
    for (let j = 0; j <= k; j++) ge[j]++;
  }
  // P(n >= 1) = pFirst and P(n >= 2 | n >= 1) = berendsRatio, within 5 binomial sigma.
  const f1 = ge[1] / n, r = ge[2] / ge[1];
  assertInRange(
    f1,
    p.pFirst - 5 * Math.sqrt(p.pFirst / n),
    p.pFirst + 5 * Math.sqrt(p.pFirst / n),
    "P(n>=1)",
  );
  const sr = 5 * Math.sqrt(p.berendsRatio * (1 - p.berendsRatio) / ge[1]);
  assertInRange(r, p.berendsRatio - sr, p.berendsRatio + sr, "P(n>=2 | n>=1)");
  let above = 0;
  const m = 20_000;
  for (let i = 0; i < m; i++) {
    const pt = sampleHardPartonPt(rng, p, 8000);
    assert(pt >= p.ptGen && pt < 4000, `pT ${pt} in [ptGen, sqrt(s)/2)`);
    if (pt > 30) above++;
  }
  // P(pT > 30 GeV | > ptGen) of the density pT^-a (1 - xT)^k, integrated numerically.
  const dens = (x: number) => Math.pow(x, -p.ptPower) * Math.pow(1 - x / 4000, p.highXPower);
  let all = 0, hi = 0;
  for (let x = p.ptGen; x < 4000; x += 0.05) {
    const w = 0.05 * dens(x + 0.025);
    all += w;
    if (x >= 30) hi += w;
  }
  const q = hi / all, sq = 5 * Math.sqrt(q * (1 - q) / m);
  assertInRange(above / m, q - sq, q + sq, "P(pT > 30 GeV | > ptGen)");
});

Deno.test("mixture fractions are sigma x measured efficiency, normalised", () => {
  const spec = getMu8Dataset("mu8_pseudodata");
  const m = mixtureFractions(spec, {
    W: { generated: 10_000, passedFilter: 1000, selected: 100 },
    Z: { generated: 4000, passedFilter: 600, selected: 100 },
    ttbar: { generated: 1000, passedFilter: 400, selected: 100 },
  });
  const s = m.map((e) => e.crossSectionPb * e.pilot.selected / e.pilot.generated);
  const tot = s.reduce((a, b) => a + b, 0);
  m.forEach((e, i) => assertInRange(e.fraction, s[i] / tot - 1e-12, s[i] / tot + 1e-12, e.process));
  assertThrows(
    () => mixtureFractions(spec, { W: { generated: 0, passedFilter: 0, selected: 0 } }),
    /no pilot attempts/,
  );
});

Deno.test("selection of paper 3 section 4 holds on every row", async () => {
  for (const g of [await pseudodata(), await knownSm()]) {
    const t = g.table;
    const lepPt = col(t, "lep_pt"), eta = col(t, "lep_eta"), iso = col(t, "lep_iso");
    const ch = col(t, "lep_iso_ch"), neu = col(t, "lep_iso_neu"), gam = col(t, "lep_iso_gamma");
    const nj = col(t, "n_jet"),
      nb = col(t, "n_bjet"),
      ht = col(t, "HT"),
      ele = col(t, "lep_is_ele");
    const nmu = col(t, "n_mu"), nomu = col(t, "n_jet_nomu"), q = col(t, "lep_charge");
    assertEquals(t.n, g.bookkeeping.events);
    for (let i = 0; i < t.n; i++) {
      const at = `${g.spec.name} row ${i}`;
      assert(lepPt[i] > SINGLE_MUON_8TEV.ptMin, `${at}: muon pT ${lepPt[i]} > 23 GeV`);
      assert(Math.abs(eta[i]) < SINGLE_MUON_8TEV.absEtaMax, `${at}: |eta| ${eta[i]} < 1.4`);
      assert(iso[i] < SINGLE_MUON_8TEV.isoMax, `${at}: Iso ${iso[i]} < 0.1`);
      assert(Math.abs(iso[i] - (ch[i] + neu[i] + gam[i])) < 1e-5, `${at}: Iso = sum of parts`);
      assert(nj[i] >= 2, `${at}: >= 2 jets (${nj[i]})`);
      assert(ht[i] > 2 * PAPER3_JET.ptMin, `${at}: HT ${ht[i]} > 2 x 30 GeV`);
      assert(nb[i] <= nj[i] && nomu[i] <= nj[i], `${at}: n_bjet, n_jet_nomu <= n_jet`);
      assert(ele[i] === 0 && nmu[i] >= 1, `${at}: a muon stream`);
      assert(q[i] === 1 || q[i] === -1, `${at}: charge +-1`);
    }
  }
});

Deno.test("pseudo-data: tt-bar fraction from sigma x measured efficiency is 2-8 % (paper 3: ~4 %)", async () => {
  const g = await pseudodata();
  const bk = g.bookkeeping;
  assert(bk.mixture !== null, "a mixture records its pilot");
  const tt = bk.mixture!.entries.find((e) => e.process === "ttbar")!;
  // Paper 3 section 5: tt-bar is "a ~4 % population (after selection requirements)".
  assertInRange(tt.fraction, 0.02, 0.08, "tt-bar fraction of the selected pseudo-data");
  // The fractions come from the pilot's counts (not constants): recompute them.
  const sel = bk.mixture!.entries.map((e) =>
    e.crossSectionPb * e.pilot.selected / e.pilot.generated
  );
  const tot = sel.reduce((a, b) => a + b, 0);
  bk.mixture!.entries.forEach((e, i) =>
    assertInRange(e.fraction, sel[i] / tot - 1e-9, sel[i] / tot + 1e-9, e.process)
  );
  // The rows follow the fractions: tt-bar count within 5 binomial sigma.
  const nTt = g.table.labels().filter((l) => l === "ttbar").length;
  const exp = tt.fraction * g.table.n, sd = Math.sqrt(exp * (1 - tt.fraction));
  assertInRange(nTt, exp - 5 * sd, exp + 5 * sd, "tt-bar rows vs the mixture fraction");
  assert(
    bk.equivalentLumiPb > 0 && Math.abs(lumiWeight(bk, 4400) * bk.equivalentLumiPb - 4400) < 1e-6,
  );
  assert(formatMu8Bookkeeping(bk).includes("fraction"));
});

Deno.test("tt-bar has more jets and b-tagged jets than W+jets", async () => {
  const pd = await pseudodata();
  const tt = await sample("mu8_ttbar", 100, 1, 0);
  const isW = pd.table.labels().map((l) => l === "W");
  const w = (c: string) => col(pd.table, c).filter((_, i) => isW[i]);
  assert(isW.filter((x) => x).length > 150, "enough W rows in the pseudo-data");
  // tt-bar -> b b-bar + 2 W: four partons (two b) in lepton+jets vs W + 1-2 partons.
  const njW = mean(w("n_jet")), njT = mean(tt.table.column("n_jet"));
  const nbW = mean(w("n_bjet")), nbT = mean(tt.table.column("n_bjet"));
  assert(njT > njW + 1, `<NJ> tt ${njT.toFixed(2)} > W ${njW.toFixed(2)} + 1`);
  assert(nbT > nbW + 0.5, `<Nb> tt ${nbT.toFixed(2)} > W ${nbW.toFixed(2)} + 0.5`);
  assert(mean(tt.table.column("HT")) > mean(w("HT")), "<HT> tt > W");
  // Single-process bookkeeping: every row is of that process, efficiencies measured.
  assertEquals(tt.bookkeeping.perProcess.ttbar.selected, 100);
  assertEquals(tt.bookkeeping.mixture, null);
  assert(
    pd.bookkeeping.perProcess.W.totalEfficiency.value <
      tt.bookkeeping.perProcess.ttbar.totalEfficiency.value,
    "W is selected far less often than tt-bar",
  );
});

Deno.test("known-SM simulation: not the pseudo-data's W+Z, but statistically close in the bulk", async () => {
  const pd = await pseudodata(), sm = await knownSm();
  assertEquals(sm.bookkeeping.tune, "mc");
  assertEquals(pd.bookkeeping.tune, "data");
  assert(!sm.table.labels().includes("ttbar"), "no tt-bar in the known-SM simulation");
  const keep = pd.table.labels().map((l) => l !== "ttbar");
  // Independent streams: no event in common.
  const key = (t: ColumnTable, i: number) => `${t.column("lep_pt")[i]}/${t.column("n_ch")[i]}`;
  const seen = new Set<string>();
  for (let i = 0; i < pd.table.n; i++) seen.add(key(pd.table, i));
  for (let i = 0; i < sm.table.n; i++) assert(!seen.has(key(sm.table, i)), "rows differ");
  // Close in the bulk: two-sample KS p-values above 1e-3 (N ~ 300 each).
  for (const c of ["lep_pt", "MET", "MT", "HT", "n_jet", "n_ch", "lep_iso"]) {
    const a = col(pd.table, c).filter((_, i) => keep[i]);
    const ks = ksTwoSample(a, col(sm.table, c));
    assert(ks.pValue > 1e-3, `${c}: KS D = ${ks.statistic.toFixed(3)}, p = ${ks.pValue}`);
  }
  // Slightly different: the same generated event gives jets 3 % softer with the mc tune.
  const ev: SimEvent = { pf: new PfCandidates(4096), truth: newTruthSummary() };
  const specPd = getMu8Dataset("mu8_pseudodata"), specSm = getMu8Dataset("mu8_known_sm");
  generateMu8Event("ttbar", Rng.stream(3, "jes-check"), ev, specPd);
  const r1 = new OpenDataRecoEvent(), r2 = new OpenDataRecoEvent();
  r1.kin.compute(ev.pf);
  buildOpenDataJets(ev.pf, r1.kin, specPd.reco.jets, r1.jets);
  buildOpenDataJets(ev.pf, r1.kin, specSm.reco.jets, r2.jets);
  assert(r1.jets.n > 0);
  for (let j = 0; j < Math.min(r1.jets.n, r2.jets.n); j++) {
    if (r2.jets.pt[j] < OPEN_DATA_JETS.ptMin + 5) break;
    assertInRange(r2.jets.pt[j] / r1.jets.pt[j], 0.97 - 1e-9, 0.97 + 1e-9, `jet ${j} pT ratio`);
  }
  assert(MU8_TUNES.mc.vjets.berendsRatio > MU8_TUNES.data.vjets.berendsRatio);
});

Deno.test("reconstruction: the isolated muon is one of the paper-3 jets (ntuple ak5PFJets)", () => {
  const spec = getMu8Dataset("mu8_W");
  const ev: SimEvent = { pf: new PfCandidates(4096), truth: newTruthSummary() };
  const reco = new OpenDataRecoEvent();
  let found = 0;
  for (let k = 0; k < 3000 && found < 5; k++) {
    generateMu8Event("W", Rng.stream(4, "muon-jet", k), ev, spec);
    const lep = reconstructOpenData(ev, Rng.stream(4, "muon-jet", k, "btag"), reco, spec.reco);
    if (lep < 0 || reco.leptons.pt[lep] < 40) continue;
    found++;
    // A jet within dR < 0.1 of the muon carrying at least its pT.
    let hit = false;
    for (let j = 0; j < reco.jets.n; j++) {
      const de = reco.jets.eta[j] - reco.leptons.eta[lep];
      let dp = Math.abs(reco.jets.phi[j] - reco.leptons.phi[lep]);
      if (dp > Math.PI) dp = 2 * Math.PI - dp;
      if (de * de + dp * dp < 0.01 && reco.jets.pt[j] > 0.9 * reco.leptons.pt[lep]) hit = true;
    }
    assert(hit, `event ${k}: the ${reco.leptons.pt[lep].toFixed(1)} GeV muon makes a jet`);
  }
  assert(found >= 3, `found ${found} selected W events with a muon above 40 GeV`);
});

Deno.test({
  name: "determinism: 0, 1 and 2 workers give identical tables and bookkeeping",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const opts = { events: 24, seed: 5, pilotEvents: 8, chunkRows: 5 };
    const g0 = await generateMu8Dataset("mu8_pseudodata", { ...opts, workers: 0 });
    const g1 = await generateMu8Dataset("mu8_pseudodata", { ...opts, workers: 1 });
    const g2 = await generateMu8Dataset("mu8_pseudodata", { ...opts, workers: 2, chunkRows: 3 });
    const t0 = mu8ParquetTable(g0.table);
    for (const g of [g1, g2]) {
      const t = mu8ParquetTable(g.table);
      assertEquals(Object.keys(t), Object.keys(t0));
      for (const k of Object.keys(t0)) assertEquals(t[k], t0[k], `column ${k}`);
      assertEquals(JSON.stringify(g.bookkeeping), JSON.stringify(g0.bookkeeping));
    }
    // A different seed gives different events.
    const g3 = await generateMu8Dataset("mu8_pseudodata", { ...opts, seed: 6, workers: 0 });
    assert(g3.table.column("lep_pt")[0] !== g0.table.column("lep_pt")[0]);
  },
});

Deno.test("cache: generated once, then read back with its bookkeeping sidecar", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cache = new ParquetCache({ dir, log: () => {} });
    const opts = { events: 15, seed: 3, workers: 0, cache };
    const a = await loadOrGenerateMu8Dataset("mu8_ttbar", opts);
    assertEquals(a.fromCache, false);
    const b = await loadOrGenerateMu8Dataset("mu8_ttbar", opts);
    assertEquals(b.fromCache, true);
    assertEquals(b.bookkeeping, JSON.parse(JSON.stringify(a.bookkeeping)));
    assertEquals(Array.from(b.table.HT as Float32Array), Array.from(a.table.HT as Float32Array));
    assertEquals(b.table.process, new Array(15).fill("ttbar"));
    await Deno.remove(mu8BookkeepingPath(b.path));
    assertEquals((await loadOrGenerateMu8Dataset("mu8_ttbar", opts)).fromCache, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI arguments and cache key", () => {
  assertEquals(parseMu8Cli(["mu8_W", "--events", "10", "--seed=3", "--pilot-events", "50"]), {
    list: false,
    dataset: "mu8_W",
    events: 10,
    seed: 3,
    pilotEvents: 50,
  });
  assertThrows(() => parseMu8Cli(["mu8_W", "--events", "10"]), /--seed is required/);
  assertThrows(() => parseMu8Cli(["mu8_W", "--bogus"]), /unknown option/);
  const spec = getMu8Dataset("mu8_W");
  assertEquals(mu8CacheConfig(spec, 10, 1, 100).pilotEvents, null, "no pilot for one process");
  assert(!("workers" in mu8CacheConfig(spec, 10, 1, 100)));
});
