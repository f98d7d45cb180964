/**
 * Electrons and muons from the particle-flow candidates, with paper 1's isolation.
 *
 * Identification is done in two steps. The detector stage (lib/sim) decides which PF
 * candidates are identified as `PF.electron` / `PF.muon`; here we apply the kinematic
 * acceptance and the identification isolation of DELPHES (see below), then compute the
 * isolation of paper 1 eq. 3.1 (arXiv:1811.10276, section 3):
 *
 *   Iso = sum_{p != l, dR(p, l) < 0.3} pT(p) / pT(l),
 *
 * where p runs over photons, charged particles and neutral hadrons. The three parts are
 * kept separately as ChPFIso, NeuPFIso and GammaPFIso (each divided by the lepton pT), the
 * HLF inputs of paper 1. Charged candidates flagged as pileup are removed from the charged
 * sum (charged-hadron subtraction by vertex association); neutral pileup cannot be
 * identified and stays in NeuPFIso / GammaPFIso (PHYSICS.md, "Underlying event and pileup").
 * Other electrons and muons are NOT in the sums: DELPHES isolates against its `EFlowFilter`
 * collection, the particle flow with electrons and muons removed (delphes_card_CMS.tcl,
 * `PdgCodeFilter EFlowFilter` with codes +-11, +-13), so the leptons of a boosted Z* or of
 * A -> 4l do not spoil each other's isolation.
 *
 * Identification isolation. Paper 1's electrons and muons are DELPHES's, and DELPHES's
 * `Isolation` module (DELPHES 3.4) only keeps a lepton whose relative isolation in
 * dR < 0.5 (particles with pT > 0.5 GeV, leptons excluded, delta-beta pileup correction
 * sum = charged(PV) + max(neutral - 0.5 charged(PU), 0)) is below PTRatioMax (0.12 for
 * electrons, 0.25 for muons in the CMS cards). The trigger's Iso < 0.45 (dR < 0.3) is then
 * applied on top. We model that step with {@link LeptonConfig.idIsoMax}; see
 * {@link LEPTONS_13TEV} for the tuned values.
 *
 * The cone sums are written here rather than with lib/physics/isolation.ts because paper 1's
 * charged sum runs over several charged classes, while that helper sums one class only.
 */
import { azimuthalBand, inAzimuthalBand } from "../physics/azimuthalBand.ts";
import { eta as etaOf, phi as phiOf } from "../physics/fourVector.ts";
import { PF, type PfCandidates } from "../sim/event.ts";
import { growF64, growI32, growI8, growU8, KinematicList } from "./objects.ts";
import type { PfKinematics } from "./pfKinematics.ts";

/** Acceptance and isolation settings of the lepton reconstruction. */
export interface LeptonConfig {
  /** Minimum electron pT (GeV). */
  electronPtMin: number;
  /** Electron acceptance |eta| < this (tracker coverage). */
  electronAbsEtaMax: number;
  /** Minimum muon pT (GeV). */
  muonPtMin: number;
  /** Muon acceptance |eta| < this (muon system coverage). */
  muonAbsEtaMax: number;
  /** Isolation cone radius in (eta, phi). */
  isoConeR: number;
  /** A lepton is "isolated" (counted in the HLF, removed from jet inputs) when Iso < this. */
  isoMax: number;
  /** Identification isolation (DELPHES-like, see the file comment): cone radius. */
  idIsoConeR: number;
  /** Identification isolation: only particles with pT above this (GeV) enter the sum. */
  idIsoParticlePtMin: number;
  /** Identification isolation: leptons with delta-beta relative isolation >= this are dropped. */
  idIsoMax: number;
  /** Identification isolation applies to leptons with pT above this (GeV) only. */
  idIsoLeptonPtMin: number;
}

/**
 * Lepton settings for the 13 TeV single-lepton stream of paper 1.
 * - |eta| < 2.5 (e) / 2.4 (mu): tracker / muon-system coverage (brief of this repository,
 *   CMS; PHYSICS.md "Muons: efficiency ~95 % (pT > 10 GeV, |eta| < 2.4)").
 * - pT > 5 GeV: paper 1 uses the CMS HL-LHC (Phase-II) DELPHES card, whose electron and
 *   muon efficiencies start well below 10 GeV (85 % for electrons of 5-10 GeV); paper 1
 *   quotes no threshold for the non-trigger leptons counted in N_mu and N_e. 5 GeV keeps the
 *   soft leptons of A -> 4l (m_A = 50 GeV: four leptons of ~12 GeV on average), so that most
 *   selected A -> 4l events have >= 3 reconstructed leptons (tests/lib/sim/validation_test.ts);
 *   with 10 GeV only ~20 % do.
 * - dR < 0.3 and Iso < 0.45: paper 1 section 3, eq. 3.1 and the trigger's loose isolation;
 *   the same cut defines which leptons are counted in N_mu, N_e (our choice, documented).
 * - Identification isolation dR < 0.5, particles pT > 0.5 GeV, delta-beta corrected: the
 *   DELPHES `Isolation` module settings. idIsoMax = 0.35 is TUNED: with the CMS-card values
 *   (0.12 e, 0.25 mu) the QCD trigger efficiency falls to ~2 % (paper 1 Table 1: 9.6 %);
 *   0.35 moves the trigger efficiencies of paper 1 Table 1 towards the paper at once: QCD
 *   17 % -> 9 % (9.6 %), ttbar 72 % -> 62 % (49 %: leptons near b jets fail it), W 71 % ->
 *   70 % (68 %), Z 76 % -> 75 % (77 %). idIsoLeptonPtMin = 15 GeV (our choice): below it the
 *   relative sum of a lepton is dominated by underlying-event and pileup fluctuations
 *   (median ~1.6 GeV, 90 % quantile ~7 GeV in dR < 0.5 at pileup 20 for 5-10 GeV leptons),
 *   which would remove ~40 % of the soft A -> 4l leptons that the loose Iso < 0.45 keeps.
 */
export const LEPTONS_13TEV: Readonly<LeptonConfig> = Object.freeze({
  electronPtMin: 5,
  electronAbsEtaMax: 2.5,
  muonPtMin: 5,
  muonAbsEtaMax: 2.4,
  isoConeR: 0.3,
  isoMax: 0.45,
  idIsoConeR: 0.5,
  idIsoParticlePtMin: 0.5,
  idIsoMax: 0.35,
  idIsoLeptonPtMin: 15,
});

/** Reconstructed electrons and muons of one event, sorted by decreasing pT. */
export class LeptonList extends KinematicList {
  /** Charge in units of e. */
  charge: Int8Array;
  /** 1 for an electron, 0 for a muon. */
  isEle: Uint8Array;
  /** Index of the PF candidate. */
  pfIndex: Int32Array;
  /** Charged-particle isolation sum / lepton pT (ChPFIso). */
  isoCh: Float64Array;
  /** Neutral-hadron isolation sum / lepton pT (NeuPFIso). */
  isoNeu: Float64Array;
  /** Photon isolation sum / lepton pT (GammaPFIso). */
  isoGamma: Float64Array;
  /** Total relative isolation, eq. 3.1: isoCh + isoNeu + isoGamma. */
  iso: Float64Array;
  /** 1 when iso < the configured isoMax. */
  isolated: Uint8Array;

  constructor(capacity = 8) {
    super(capacity);
    this.charge = new Int8Array(capacity);
    this.isEle = new Uint8Array(capacity);
    this.pfIndex = new Int32Array(capacity);
    this.isoCh = new Float64Array(capacity);
    this.isoNeu = new Float64Array(capacity);
    this.isoGamma = new Float64Array(capacity);
    this.iso = new Float64Array(capacity);
    this.isolated = new Uint8Array(capacity);
  }

  protected override grow(cap: number): void {
    super.grow(cap);
    this.charge = growI8(this.charge, cap);
    this.isEle = growU8(this.isEle, cap);
    this.pfIndex = growI32(this.pfIndex, cap);
    this.isoCh = growF64(this.isoCh, cap);
    this.isoNeu = growF64(this.isoNeu, cap);
    this.isoGamma = growF64(this.isoGamma, cap);
    this.iso = growF64(this.iso, cap);
    this.isolated = growU8(this.isolated, cap);
  }

  /**
   * Insert a lepton keeping the list sorted by decreasing pT (insertion; lists are short).
   * `iso` holds the absolute cone sums [charged, neutral hadrons, photons] in GeV.
   */
  insert(
    pf: PfCandidates,
    kin: PfKinematics,
    k: number,
    iso: Float64Array,
    isoMax: number,
  ): number {
    this.nextSlot();
    const pt = kin.pt[k];
    let i = this.n - 1;
    while (i > 0 && this.pt[i - 1] < pt) {
      this.#move(i - 1, i);
      i--;
    }
    this.setKinematics(i, pf.px[k], pf.py[k], pf.pz[k], pf.e[k], pt, kin.eta[k], kin.phi[k]);
    this.charge[i] = pf.charge[k];
    this.isEle[i] = pf.pfClass[k] === PF.electron ? 1 : 0;
    this.pfIndex[i] = k;
    this.isoCh[i] = iso[0] / pt;
    this.isoNeu[i] = iso[1] / pt;
    this.isoGamma[i] = iso[2] / pt;
    this.iso[i] = (iso[0] + iso[1] + iso[2]) / pt;
    this.isolated[i] = this.iso[i] < isoMax ? 1 : 0;
    return i;
  }

  #move(from: number, to: number): void {
    this.px[to] = this.px[from];
    this.py[to] = this.py[from];
    this.pz[to] = this.pz[from];
    this.e[to] = this.e[from];
    this.pt[to] = this.pt[from];
    this.eta[to] = this.eta[from];
    this.phi[to] = this.phi[from];
    this.charge[to] = this.charge[from];
    this.isEle[to] = this.isEle[from];
    this.pfIndex[to] = this.pfIndex[from];
    this.isoCh[to] = this.isoCh[from];
    this.isoNeu[to] = this.isoNeu[from];
    this.isoGamma[to] = this.isoGamma[from];
    this.iso[to] = this.iso[from];
    this.isolated[to] = this.isolated[from];
  }
}

/**
 * Isolation cone sums around PF candidate `k` (paper 1 eq. 3.1): writes the scalar pT sums
 * (GeV) of [charged particles, neutral hadrons, photons] within dR < `coneR` of candidate `k`,
 * excluding `k` itself, into `out`. Charged particles are charged hadrons not flagged as
 * pileup (charged-hadron subtraction); electrons and muons are never counted (DELPHES's
 * EFlowFilter, see the file comment); neutral hadrons and photons are all counted, pileup
 * included, since neutral pileup cannot be identified.
 */
export function isolationSums(
  pf: PfCandidates,
  kin: PfKinematics,
  k: number,
  coneR: number,
  out: Float64Array,
): Float64Array {
  if (kin.n !== pf.n) {
    throw new Error(
      `isolationSums: PfKinematics holds ${kin.n} candidates but the event has ${pf.n}; ` +
        "call kin.compute(pf) first",
    );
  }
  const eta0 = kin.eta[k], phi0 = kin.phi[k];
  const r2 = coneR * coneR;
  let ch = 0, neu = 0, gam = 0;
  const { pfClass, fromPileup } = pf;
  const { pt, eta, phi } = kin;
  for (let j = 0; j < pf.n; j++) {
    if (j === k) continue;
    const de = eta[j] - eta0;
    // Written to reject NaN too: the charged pileup skipped by PfKinematics.compute, which
    // this sum leaves out anyway.
    if (!(de <= coneR && de >= -coneR)) continue;
    let dp = phi[j] - phi0;
    if (dp > Math.PI) dp -= 2 * Math.PI;
    else if (dp < -Math.PI) dp += 2 * Math.PI;
    if (de * de + dp * dp >= r2) continue;
    const c = pfClass[j];
    if (c === PF.neutralHadron) neu += pt[j];
    else if (c === PF.photon) gam += pt[j];
    else if (c === PF.chargedHadron && fromPileup[j] === 0) ch += pt[j];
  }
  out[0] = ch;
  out[1] = neu;
  out[2] = gam;
  return out;
}

/**
 * DELPHES-like identification isolation of PF candidate `k` (see the file comment): the
 * delta-beta corrected sum charged(PV) + max(neutral - 0.5 charged(PU), 0) over the
 * candidates with pT > `particlePtMin` within dR < `coneR`, electrons and muons excluded,
 * divided by the pT of `k`.
 */
export function idIsolation(
  pf: PfCandidates,
  kin: PfKinematics,
  k: number,
  coneR: number,
  particlePtMin: number,
): number {
  const eta0 = kin.eta[k], phi0 = kin.phi[k];
  const r2 = coneR * coneR;
  let chPv = 0, chPu = 0, neu = 0;
  const { px, py, pz, pfClass, fromPileup } = pf;
  const { pt, eta, phi } = kin;
  // Charged pileup skipped by kin.compute: (eta, phi) computed here, for those within the
  // azimuthal band |dphi| < coneR + margin only (lib/physics/azimuthalBand.ts: a test on
  // px, py; the band is wider than the cone by far more than the rounding errors).
  const lazy = kin.pileupTracksSkipped;
  if (lazy && !(coneR > 0 && coneR < 1.5)) {
    throw new RangeError(`idIsolation: cone radius ${coneR} outside (0, 1.5)`);
  }
  const lx = px[k], ly = py[k];
  const band = azimuthalBand(coneR, pt[k]);
  for (let j = 0; j < pf.n; j++) {
    if (j === k || pt[j] <= particlePtMin) continue;
    let etaJ = eta[j], phiJ = phi[j];
    if (lazy && fromPileup[j] === 1 && pfClass[j] === PF.chargedHadron) {
      const x = px[j], y = py[j];
      if (!inAzimuthalBand(x, y, x * x + y * y, lx, ly, band)) continue;
      etaJ = etaOf(x, y, pz[j]);
      phiJ = phiOf(x, y);
    }
    const de = etaJ - eta0;
    if (de > coneR || de < -coneR) continue;
    let dp = phiJ - phi0;
    if (dp > Math.PI) dp -= 2 * Math.PI;
    else if (dp < -Math.PI) dp += 2 * Math.PI;
    if (de * de + dp * dp >= r2) continue;
    const c = pfClass[j];
    if (c === PF.neutralHadron || c === PF.photon) neu += pt[j];
    else if (c === PF.chargedHadron) {
      if (fromPileup[j] === 0) chPv += pt[j];
      else chPu += pt[j];
    }
  }
  return (chPv + Math.max(neu - 0.5 * chPu, 0)) / pt[k];
}

const ISO_SCRATCH = new Float64Array(3);

/**
 * Fill `out` with the identified electrons and muons inside the acceptance of `cfg` that pass
 * the identification isolation, with their isolation, sorted by decreasing pT. `kin` must
 * hold the kinematics of `pf`.
 */
export function findLeptons(
  pf: PfCandidates,
  kin: PfKinematics,
  cfg: Readonly<LeptonConfig>,
  out: LeptonList,
): LeptonList {
  out.reset();
  for (let k = 0; k < pf.n; k++) {
    const c = pf.pfClass[k];
    if (c !== PF.electron && c !== PF.muon) continue;
    const pt = kin.pt[k];
    const absEta = Math.abs(kin.eta[k]);
    if (c === PF.electron) {
      if (pt < cfg.electronPtMin || absEta >= cfg.electronAbsEtaMax) continue;
    } else if (pt < cfg.muonPtMin || absEta >= cfg.muonAbsEtaMax) continue;
    if (
      pt > cfg.idIsoLeptonPtMin &&
      !(idIsolation(pf, kin, k, cfg.idIsoConeR, cfg.idIsoParticlePtMin) < cfg.idIsoMax)
    ) continue;
    isolationSums(pf, kin, k, cfg.isoConeR, ISO_SCRATCH);
    out.insert(pf, kin, k, ISO_SCRATCH, cfg.isoMax);
  }
  return out;
}
