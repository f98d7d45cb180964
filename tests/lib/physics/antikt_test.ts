import { Rng } from "../../../lib/random/rng.ts";
import {
  AntiKtClusterer,
  clusterAntiKt,
  clusterAntiKtParticles,
  type JetCollection,
  jetConstituents,
} from "../../../lib/physics/antikt.ts";
import { clusterAntiKtReference } from "../../../lib/physics/antiktReference.ts";
import { deltaR, ParticleArrays, rapidity } from "../../../lib/physics/fourVector.ts";
import { assert, assertClose, assertEquals } from "../../helpers.ts";
import { randomEvent } from "./eventGen.ts";

function relClose(a: number, b: number, what: string): void {
  assertClose(a, b, 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), what);
}

/** Same jets: same constituents and assignment exactly, kinematics to 1e-9 relative. */
function assertSameJets(fast: JetCollection, ref: JetCollection, tag: string): void {
  assertEquals(fast.n, ref.n, `${tag}: number of jets`);
  assertEquals(fast.nInputs, ref.nInputs, `${tag}: nInputs`);
  assertEquals(Array.from(fast.constituentOffsets), Array.from(ref.constituentOffsets), tag);
  assertEquals(Array.from(fast.constituentIndices), Array.from(ref.constituentIndices), tag);
  assertEquals(Array.from(fast.assignment), Array.from(ref.assignment), `${tag}: assignment`);
  for (let j = 0; j < fast.n; j++) {
    for (const k of ["px", "py", "pz", "e", "pt", "eta", "rapidity", "phi", "mass"] as const) {
      relClose(fast[k][j], ref[k][j], `${tag}: jet ${j} ${k}`);
    }
  }
}

Deno.test("antikt: identical to the O(N^3) reference on 60 random events, R = 0.4 and 0.8", () => {
  const p = new ParticleArrays(64);
  let nJetsTotal = 0, nMerged = 0;
  for (let ev = 0; ev < 60; ev++) {
    const rng = Rng.stream(7, "antikt-equivalence", ev);
    const nSoft = rng.integer(150);
    const nHard = rng.integer(5);
    randomEvent(rng, nSoft, nHard, 3 + rng.integer(25), p);
    for (const R of [0.4, 0.8]) {
      const fast = clusterAntiKtParticles(p, { R });
      const ref = clusterAntiKtReference(p.px, p.py, p.pz, p.e, p.n, { R });
      assertSameJets(fast, ref, `event ${ev} R=${R} (n=${p.n})`);
      nJetsTotal += fast.n;
      nMerged += p.n - fast.n;
    }
  }
  assert(nJetsTotal > 500 && nMerged > 1000, "the events exercise both merges and beam steps");
});

/** Bit-identical jets: every field equal, floating-point values compared with Object.is. */
function assertIdenticalJets(fast: JetCollection, ref: JetCollection, tag: string): void {
  assertEquals(fast.n, ref.n, `${tag}: number of jets`);
  assertEquals(Array.from(fast.assignment), Array.from(ref.assignment), `${tag}: assignment`);
  assertEquals(Array.from(fast.constituentOffsets), Array.from(ref.constituentOffsets), tag);
  assertEquals(Array.from(fast.constituentIndices), Array.from(ref.constituentIndices), tag);
  for (const k of ["px", "py", "pz", "e", "pt", "eta", "rapidity", "phi", "mass"] as const) {
    for (let j = 0; j < fast.n; j++) {
      assert(
        Object.is(fast[k][j], ref[k][j]),
        `${tag}: jet ${j} ${k} ${fast[k][j]} != ${ref[k][j]}`,
      );
    }
  }
}

Deno.test("antikt: bit-identical to the reference on pileup-like events, R = 0.4 and 0.8", () => {
  // Soft particles flat in |eta| < 3 (pT ~ 0.3 + exp(1.2) GeV) plus a few hard clusters, as
  // in the simulated events; one clusterer reused across events and radii.
  const p = new ParticleArrays();
  const clusterer = new AntiKtClusterer();
  let nMerged = 0;
  for (let ev = 0; ev < 24; ev++) {
    const rng = Rng.stream(7, "antikt-pileup-exact", ev);
    randomEvent(rng, 150 + rng.integer(150), 1 + rng.integer(4), 5 + rng.integer(20), p, 3);
    for (const R of [0.4, 0.8]) {
      const fast = clusterer.cluster(p.px, p.py, p.pz, p.e, p.n, { R });
      const ref = clusterAntiKtReference(p.px, p.py, p.pz, p.e, p.n, { R });
      assertIdenticalJets(fast, ref, `event ${ev} R=${R} (n=${p.n})`);
      nMerged += p.n - fast.n;
    }
  }
  assert(nMerged > 5000, "the events exercise many merges");
});

Deno.test("antikt: identical to the reference for small and large R (tile edge cases)", () => {
  const p = new ParticleArrays();
  for (let ev = 0; ev < 12; ev++) {
    const rng = Rng.stream(7, "antikt-radii", ev);
    randomEvent(rng, 40 + rng.integer(80), 1 + rng.integer(4), 10, p);
    for (const R of [0.05, 0.2, 1.0, 1.5, 2.2, 3.5, 7]) {
      const fast = clusterAntiKt(p.px, p.py, p.pz, p.e, p.n, { R });
      const ref = clusterAntiKtReference(p.px, p.py, p.pz, p.e, p.n, { R });
      assertSameJets(fast, ref, `event ${ev} R=${R}`);
    }
  }
});

Deno.test("antikt: ptMin and mask agree with the reference; a clusterer is reusable", () => {
  const p = new ParticleArrays();
  const clusterer = new AntiKtClusterer();
  for (let ev = 0; ev < 10; ev++) {
    const rng = Rng.stream(7, "antikt-mask", ev);
    randomEvent(rng, 100 + rng.integer(100), 3, 15, p);
    const mask = new Uint8Array(p.n);
    for (let i = 0; i < p.n; i++) mask[i] = rng.bernoulli(0.7) ? 1 : 0;
    const opts = { R: 0.4, ptMin: 5, mask };
    const fast = clusterer.cluster(p.px, p.py, p.pz, p.e, p.n, opts);
    const ref = clusterAntiKtReference(p.px, p.py, p.pz, p.e, p.n, opts);
    assertSameJets(fast, ref, `event ${ev}`);
    for (let j = 0; j < fast.n; j++) assert(fast.pt[j] >= 5);
    for (let i = 0; i < p.n; i++) if (!mask[i]) assertEquals(fast.assignment[i], -1);
  }
});

Deno.test("antikt: jets conserve four-momentum and are sorted by pT", () => {
  const rng = Rng.stream(7, "antikt-conservation");
  const p = randomEvent(rng, 800, 4, 20);
  const jets = clusterAntiKtParticles(p, { R: 0.4 });
  let sx = 0, sy = 0, sz = 0, se = 0, jx = 0, jy = 0, jz = 0, je = 0;
  for (let i = 0; i < p.n; i++) {
    sx += p.px[i];
    sy += p.py[i];
    sz += p.pz[i];
    se += p.e[i];
  }
  for (let j = 0; j < jets.n; j++) {
    jx += jets.px[j];
    jy += jets.py[j];
    jz += jets.pz[j];
    je += jets.e[j];
    if (j > 0) assert(jets.pt[j] <= jets.pt[j - 1], "pT descending");
  }
  // The hardest anti-kT jet is (nearly) a cone: its constituents lie within ~R of its axis.
  for (const c of jetConstituents(jets, 0)) {
    assert(
      deltaR(rapidity(p.px[c], p.py[c], p.pz[c], p.e[c]), p.phi(c), jets.rapidity[0], jets.phi[0]) <
        0.44,
    );
  }
  assertClose(jx, sx, 1e-9, "sum px");
  assertClose(jy, sy, 1e-9, "sum py");
  assertClose(jz, sz, 1e-8, "sum pz");
  assertClose(je, se, 1e-8, "sum E");
  assertEquals(jets.constituentIndices.length, p.n);
});

Deno.test("antikt: hand-made configurations", () => {
  const p = new ParticleArrays();
  // Hard particle + soft one at dR = 0.35 (inside R = 0.4) + soft one at dR = 0.45.
  p.pushPtEtaPhiM(100, 0, 0, 0);
  p.pushPtEtaPhiM(1, 0.35, 0, 0);
  p.pushPtEtaPhiM(1, -0.45, 0, 0);
  let jets = clusterAntiKtParticles(p, { R: 0.4 });
  assertEquals(jets.n, 2);
  assertEquals(Array.from(jets.assignment), [0, 0, 1]);
  assertEquals(Array.from(jetConstituents(jets, 0)), [0, 1]);
  assertClose(jets.pt[0], 101, 1e-3, "hard jet pT");
  // Across the phi = +-pi seam: two particles 0.2 apart in phi merge.
  p.reset();
  p.pushPtEtaPhiM(30, 1, Math.PI - 0.1, 0);
  p.pushPtEtaPhiM(20, 1, -Math.PI + 0.1, 0);
  jets = clusterAntiKtParticles(p, { R: 0.4 });
  assertEquals(jets.n, 1);
  assertClose(jets.pt[0], Math.sqrt(1300 + 1200 * Math.cos(0.2)), 1e-9, "seam jet pT");
  assertClose(Math.abs(jets.phi[0]), Math.PI, 0.03, "seam jet phi");
  // With a mask leaving out the first particle, the second is alone.
  jets = clusterAntiKtParticles(p, { R: 0.4, mask: [0, 1] });
  assertEquals(Array.from(jets.assignment), [-1, 0]);
  assertClose(jets.pt[0], 20, 1e-12, "masked jet pT");
});

Deno.test("antikt: degenerate inputs (n = 0, pT = 0, non-finite, bad R)", () => {
  const empty = clusterAntiKt(new Float64Array(0), [], [], [], 0, { R: 0.4 });
  assertEquals(empty.n, 0);
  assertEquals(empty.constituentOffsets.length, 1);
  // Particles along the beam and a NaN are skipped; the single good one is a jet.
  const px = [0, 0, 3, NaN], py = [0, 0, 4, 1], pz = [10, -10, 0, 1], e = [10, 10, 5, 2];
  const jets = clusterAntiKt(px, py, pz, e, 4, { R: 0.4 });
  assertEquals(jets.n, 1);
  assertEquals(Array.from(jets.assignment), [-1, -1, 0, -1]);
  assertClose(jets.pt[0], 5, 1e-12, "pt");
  assertClose(jets.mass[0], 0, 1e-12, "mass");
  assert.throws(() => clusterAntiKt(px, py, pz, e, 4, { R: 0 }), /R = 0/);
  assert.throws(() => clusterAntiKt(px, py, pz, e, 5, { R: 0.4 }), /exceeds/);
});
