/**
 * Jets: anti-kT clustering of the particle-flow candidates (paper 1 section 3: "Jets are
 * clustered from the reconstructed PF candidates, using the FastJet implementation of the
 * anti-kT jet algorithm, with a jet-size parameter R=0.4").
 *
 * Inputs (our choices, documented):
 * - Charged candidates flagged as pileup are removed (charged-hadron subtraction, CHS), as
 *   CMS does by vertex association; neutral pileup cannot be identified and stays.
 * - The remaining neutral pileup is subtracted with the FastJet area-median method
 *   (Cacciari & Salam, arXiv:0707.1378): rho = median over (eta, phi) patches of the neutral
 *   pT density, and each jet four-momentum is scaled by max(0, 1 - rho A / pT) with
 *   A = pi R^2 (the area of a hard anti-kT jet). DELPHES's CMS pileup card does the same
 *   with its JetPileUpSubtractor (rho x area). Without it the ~300 neutral pileup particles
 *   of pileup 20 (PHYSICS.md) add ~3 GeV to every R = 0.4 jet.
 * - Isolated leptons and isolated photons are removed from the inputs, since paper 1's ST
 *   counts them separately (otherwise a lepton would enter ST twice: as itself and inside
 *   a jet). Non-isolated leptons (heavy-flavour decays) stay in their jets.
 */
import { clusterAntiKt, type JetCollection } from "../physics/antikt.ts";
import { mass as massOf } from "../physics/fourVector.ts";
import { PF, type PfCandidates } from "../sim/event.ts";
import type { LeptonList } from "./leptons.ts";
import { growF64, growI32, growI8, growU8, KinematicList } from "./objects.ts";
import type { PfKinematics } from "./pfKinematics.ts";
import type { PhotonList } from "./photons.ts";

/** Jet reconstruction settings. */
export interface JetConfig {
  /** Anti-kT distance parameter. */
  R: number;
  /** Minimum jet pT after the pileup correction (GeV). */
  ptMin: number;
  /** Jets are kept when |eta| < this. */
  absEtaMax: number;
  /** Subtract neutral pileup with the area-median rho correction. */
  rhoCorrection: boolean;
  /** rho is estimated from neutral inputs with |eta| < this. */
  rhoAbsEtaMax: number;
  /** Number of eta x phi patches for the rho median. */
  rhoEtaBins: number;
  rhoPhiBins: number;
}

/**
 * Paper 1 jets: anti-kT R = 0.4, pT > 30 GeV, |eta| < 2.6 (the ST definition, paper 1
 * section 3). rho from |eta| < 2.5 (tracker coverage, where CHS applies) in 10 x 8 patches
 * of 0.5 x pi/4 (area 0.39, comparable to a jet's 0.50).
 */
export const JETS_13TEV: Readonly<JetConfig> = Object.freeze({
  R: 0.4,
  ptMin: 30,
  absEtaMax: 2.6,
  rhoCorrection: true,
  rhoAbsEtaMax: 2.5,
  rhoEtaBins: 10,
  rhoPhiBins: 8,
});

/** Reconstructed jets of one event, sorted by decreasing (corrected) pT. */
export class JetList extends KinematicList {
  /** Invariant mass (GeV). */
  mass: Float64Array;
  /** pT before the pileup correction (GeV). */
  rawPt: Float64Array;
  /** Number of constituents. */
  nConstituents: Int32Array;
  /** Truth flavour from heavy-flavour hadron matching: 5 (b), 4 (c), 0 (light). */
  flavour: Int8Array;
  /** 1 when b-tagged (set by {@link applyBTagging} in btag.ts). */
  btag: Uint8Array;
  /** The rho (GeV per unit area) used for the correction of this event. */
  rho = 0;

  constructor(capacity = 16) {
    super(capacity);
    this.mass = new Float64Array(capacity);
    this.rawPt = new Float64Array(capacity);
    this.nConstituents = new Int32Array(capacity);
    this.flavour = new Int8Array(capacity);
    this.btag = new Uint8Array(capacity);
  }

  protected override grow(cap: number): void {
    super.grow(cap);
    this.mass = growF64(this.mass, cap);
    this.rawPt = growF64(this.rawPt, cap);
    this.nConstituents = growI32(this.nConstituents, cap);
    this.flavour = growI8(this.flavour, cap);
    this.btag = growU8(this.btag, cap);
  }

  /** Insert a jet keeping decreasing pT order; flavour and b-tag are cleared. */
  insert(
    px: number,
    py: number,
    pz: number,
    e: number,
    pt: number,
    eta: number,
    phi: number,
    mass: number,
    rawPt: number,
    nConstituents: number,
  ): number {
    this.nextSlot();
    let i = this.n - 1;
    while (i > 0 && this.pt[i - 1] < pt) {
      const j = i - 1;
      this.setKinematics(
        i,
        this.px[j],
        this.py[j],
        this.pz[j],
        this.e[j],
        this.pt[j],
        this.eta[j],
        this.phi[j],
      );
      this.mass[i] = this.mass[j];
      this.rawPt[i] = this.rawPt[j];
      this.nConstituents[i] = this.nConstituents[j];
      i--;
    }
    this.setKinematics(i, px, py, pz, e, pt, eta, phi);
    this.mass[i] = mass;
    this.rawPt[i] = rawPt;
    this.nConstituents[i] = nConstituents;
    this.flavour[i] = 0;
    this.btag[i] = 0;
    return i;
  }
}

/** Reusable scratch buffers for the jet inputs (indexed by PF candidate). */
export class JetInputs {
  /** 1 for candidates entering the clustering. */
  mask: Uint8Array;
  /** 1 for isolated leptons and photons (never clustered, not in rho). */
  exclude: Uint8Array;
  /** 1 for candidates entering the rho median. */
  rhoAccept: Uint8Array;
  /** Patch sums for the rho median. */
  patches: Float64Array;

  constructor(capacity = 2048) {
    this.mask = new Uint8Array(capacity);
    this.exclude = new Uint8Array(capacity);
    this.rhoAccept = new Uint8Array(capacity);
    this.patches = new Float64Array(0);
  }

  /** Make room for `n` candidates. */
  ensure(n: number): void {
    if (n <= this.mask.length) return;
    let cap = Math.max(1, this.mask.length);
    while (cap < n) cap *= 2;
    this.mask = new Uint8Array(cap);
    this.exclude = new Uint8Array(cap);
    this.rhoAccept = new Uint8Array(cap);
  }
}

/** The (eta, phi) patch grid of a median-rho estimate. */
export interface RhoGrid {
  /** Patches cover |eta| < this. */
  rhoAbsEtaMax: number;
  rhoEtaBins: number;
  rhoPhiBins: number;
}

/**
 * Median pT density rho (GeV per unit eta-phi area) of the candidates k < kin.n with
 * `accept[k]` = 1 (all candidates when `accept` is null) in |eta| < grid.rhoAbsEtaMax: their
 * pT summed in grid.rhoEtaBins x grid.rhoPhiBins patches, rho = median patch sum / patch area.
 * `scratch.patches` is reused.
 */
export function medianPatchRho(
  kin: PfKinematics,
  accept: Uint8Array | null,
  grid: Readonly<RhoGrid>,
  scratch: JetInputs,
): number {
  const nb = grid.rhoEtaBins * grid.rhoPhiBins;
  if (scratch.patches.length !== nb) scratch.patches = new Float64Array(nb);
  const p = scratch.patches;
  p.fill(0);
  const etaMax = grid.rhoAbsEtaMax;
  const etaW = (2 * etaMax) / grid.rhoEtaBins;
  const phiW = (2 * Math.PI) / grid.rhoPhiBins;
  for (let k = 0; k < kin.n; k++) {
    if (accept !== null && accept[k] === 0) continue;
    const eta = kin.eta[k];
    if (eta <= -etaMax || eta >= etaMax) continue;
    let ie = Math.floor((eta + etaMax) / etaW);
    if (ie >= grid.rhoEtaBins) ie = grid.rhoEtaBins - 1;
    let ip = Math.floor((kin.phi[k] + Math.PI) / phiW);
    if (ip >= grid.rhoPhiBins) ip = grid.rhoPhiBins - 1;
    if (ip < 0) ip = 0;
    p[ie * grid.rhoPhiBins + ip] += kin.pt[k];
  }
  p.sort();
  const median = nb % 2 === 1 ? p[(nb - 1) / 2] : 0.5 * (p[nb / 2 - 1] + p[nb / 2]);
  return median / (etaW * phiW);
}

/**
 * Median neutral pT density rho (GeV per unit eta-phi area) of the jet inputs: the neutral
 * (photon and neutral-hadron) candidates not excluded, in |eta| < cfg.rhoAbsEtaMax, summed in
 * cfg.rhoEtaBins x cfg.rhoPhiBins patches; rho is the median patch sum over the patch area.
 * Uses `scratch.rhoAccept` and `scratch.patches`.
 */
export function neutralRho(
  pf: PfCandidates,
  kin: PfKinematics,
  exclude: Uint8Array,
  cfg: Readonly<JetConfig>,
  scratch: JetInputs,
): number {
  if (kin.n !== pf.n) {
    throw new Error(`neutralRho: PfKinematics holds ${kin.n} candidates, the event ${pf.n}`);
  }
  scratch.ensure(pf.n);
  const acc = scratch.rhoAccept;
  for (let k = 0; k < pf.n; k++) {
    const c = pf.pfClass[k];
    acc[k] = (c === PF.photon || c === PF.neutralHadron) && exclude[k] === 0 ? 1 : 0;
  }
  return medianPatchRho(kin, acc, cfg, scratch);
}

/**
 * Cluster the jets of one event into `out` (see the file comment for the inputs):
 * anti-kT with cfg.R on the CHS candidates minus isolated leptons and photons, rho-area
 * correction, then pT > cfg.ptMin and |eta| < cfg.absEtaMax. Flavour and b-tag are left at 0
 * (see btag.ts).
 */
export function buildJets(
  pf: PfCandidates,
  kin: PfKinematics,
  leptons: LeptonList,
  photons: PhotonList,
  cfg: Readonly<JetConfig>,
  scratch: JetInputs,
  out: JetList,
): JetList {
  out.reset();
  scratch.ensure(pf.n);
  const ex = scratch.exclude;
  const mask = scratch.mask;
  ex.fill(0, 0, pf.n);
  for (let i = 0; i < leptons.n; i++) if (leptons.isolated[i] === 1) ex[leptons.pfIndex[i]] = 1;
  for (let i = 0; i < photons.n; i++) ex[photons.pfIndex[i]] = 1;
  for (let k = 0; k < pf.n; k++) {
    // CHS: charged candidates from pileup vertices are dropped.
    mask[k] = ex[k] === 0 && (pf.charge[k] === 0 || pf.fromPileup[k] === 0) ? 1 : 0;
  }
  const rho = cfg.rhoCorrection ? neutralRho(pf, kin, ex, cfg, scratch) : 0;
  out.rho = rho;
  const area = Math.PI * cfg.R * cfg.R;
  // Raw jets below ptMin cannot pass after the correction (which only lowers pT).
  const jets = clusterAntiKt(pf.px, pf.py, pf.pz, pf.e, pf.n, {
    R: cfg.R,
    ptMin: cfg.ptMin,
    mask,
    inputPhi: kin.phi,
  });
  return insertCorrectedJets(jets, rho * area, 1, cfg, out);
}

/**
 * Insert the clustered `jets` into `out` after the offset correction and an energy scale:
 * each four-momentum is multiplied by max(0, 1 - offset / raw pT) (offset = rho x jet area,
 * GeV; 0 for none) times `scale`, and kept when the corrected pT > cfg.ptMin (GeV) and
 * |eta| < cfg.absEtaMax.
 */
export function insertCorrectedJets(
  jets: JetCollection,
  offset: number,
  scale: number,
  cfg: Readonly<{ ptMin: number; absEtaMax: number }>,
  out: JetList,
): JetList {
  for (let j = 0; j < jets.n; j++) {
    const rawPt = jets.pt[j];
    const f = (offset > 0 ? Math.max(0, 1 - offset / rawPt) : 1) * scale;
    const pt = rawPt * f;
    if (!(pt > cfg.ptMin && Math.abs(jets.eta[j]) < cfg.absEtaMax)) continue;
    const px = jets.px[j] * f, py = jets.py[j] * f, pz = jets.pz[j] * f, e = jets.e[j] * f;
    out.insert(
      px,
      py,
      pz,
      e,
      pt,
      jets.eta[j],
      jets.phi[j],
      massOf(px, py, pz, e),
      rawPt,
      jets.constituentOffsets[j + 1] - jets.constituentOffsets[j],
    );
  }
  return out;
}
