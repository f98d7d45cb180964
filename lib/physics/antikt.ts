/**
 * Anti-kT jet clustering (Cacciari, Salam, Soyez, JHEP 04 (2008) 063) with E-scheme
 * recombination, by FastJet's "N^2 tiled" nearest-neighbour algorithm (Cacciari & Salam,
 * Phys. Lett. B 641 (2006) 57).
 *
 * Distances: d_ij = min(pT_i^-2, pT_j^-2) dR_ij^2 / R^2 with dR in (rapidity, phi), and
 * d_iB = pT_i^-2. At each step the smallest distance is a merge (E-scheme: four-momenta
 * added) or, for a d_iB, a final jet. Internally every distance is multiplied by R^2, as in
 * FastJet.
 *
 * Algorithm: the (y, phi) plane is cut into tiles at least R wide, so a particle's
 * neighbours within R lie in its own or the 8 surrounding tiles. Each pseudojet keeps its
 * geometric nearest neighbour within R and its d_iJ = min(kt2_i, kt2_NN) dR^2 (or the beam
 * distance); after a merge only the pseudojets whose neighbour was one of the two merged
 * ones (found through reverse nearest-neighbour lists) and those near the new one are
 * updated. The minimum d_iJ is kept in a binary tournament tree (O(log N) per update,
 * FastJet's "N2MinHeapTiled"), so the cost is O(N n_tile + N log N); the result is
 * identical to the brute-force definition in antiktReference.ts (tested). Exact ties in
 * the geometric distance (degenerate inputs only) go to the lowest pseudojet slot.
 *
 * Inputs with pT = 0 or non-finite components are skipped (they belong to no jet:
 * assignment -1), as are inputs deselected by `mask`. Units: GeV, radians.
 */

import {
  eta as etaOf,
  mass as massOf,
  phi as phiOf,
  rapidity as rapidityOf,
} from "./fourVector.ts";
import type { ParticleArrays } from "./fourVector.ts";

const TWO_PI = 2 * Math.PI;
/** Rapidity range covered by tiles; pseudojets beyond it go to the edge tiles. */
const TILE_RAP_LIMIT = 10;
/** Smallest tile size (avoids huge tile grids for tiny R). */
const MIN_TILE_SIZE = 0.1;

/** Options of {@link clusterAntiKt}. */
export interface AntiKtOptions {
  /** Jet radius R (in the rapidity-azimuth plane), > 0. */
  R: number;
  /** Keep only jets with pT >= ptMin (GeV); default 0 (all jets). */
  ptMin?: number;
  /** Optional selection of inputs: particle i is clustered only when mask[i] is truthy. */
  mask?: ArrayLike<number | boolean> | null;
  /**
   * Optional azimuth of every input, exactly as `phi(px, py)` of fourVector.ts computes it
   * (e.g. `PfKinematics.phi` of lib/reco): saves recomputing it (one atan2 per input). Other
   * values give other jets.
   */
  inputPhi?: ArrayLike<number> | null;
}

/**
 * Jets sorted by pT descending (struct-of-arrays, length `n`), with each input particle's
 * jet and each jet's constituents (indices into the input arrays, ascending).
 */
export interface JetCollection {
  /** Number of jets (passing ptMin). */
  n: number;
  /** Number of input particles (length of `assignment`). */
  nInputs: number;
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  e: Float64Array;
  /** Transverse momentum (GeV). */
  pt: Float64Array;
  /** Pseudorapidity. */
  eta: Float64Array;
  /** Rapidity. */
  rapidity: Float64Array;
  /** Azimuth in (-pi, pi]. */
  phi: Float64Array;
  /** Mass (GeV). */
  mass: Float64Array;
  /** Jet index of each input particle; -1 when skipped or in a jet below ptMin. */
  assignment: Int32Array;
  /** Constituents of jet j: constituentIndices[constituentOffsets[j] .. offsets[j+1]). */
  constituentOffsets: Int32Array;
  /** Input indices of the constituents, jet after jet, ascending within a jet. */
  constituentIndices: Int32Array;
}

/** The constituents (input indices, ascending) of jet `j` (a view, not a copy). */
export function jetConstituents(jets: JetCollection, j: number): Int32Array {
  return jets.constituentIndices.subarray(
    jets.constituentOffsets[j],
    jets.constituentOffsets[j + 1],
  );
}

/** An empty collection for `nInputs` particles (all unassigned). */
export function emptyJetCollection(nInputs: number): JetCollection {
  return {
    n: 0,
    nInputs,
    px: new Float64Array(0),
    py: new Float64Array(0),
    pz: new Float64Array(0),
    e: new Float64Array(0),
    pt: new Float64Array(0),
    eta: new Float64Array(0),
    rapidity: new Float64Array(0),
    phi: new Float64Array(0),
    mass: new Float64Array(0),
    assignment: new Int32Array(nInputs).fill(-1),
    constituentOffsets: new Int32Array(1),
    constituentIndices: new Int32Array(0),
  };
}

/** True when a particle (GeV) can be clustered: finite components, pT > 0, finite rapidity. */
export function isClusterable(
  px: number,
  py: number,
  pz: number,
  e: number,
): boolean {
  const kt2 = px * px + py * py;
  if (!(kt2 > 0) || !Number.isFinite(kt2) || !Number.isFinite(pz) || !Number.isFinite(e)) {
    return false;
  }
  return Number.isFinite(rapidityOf(px, py, pz, e));
}

/** Absolute slack (in rapidity and azimuth) that keeps the tile-distance bounds conservative. */
const BOUND_SLACK = 1e-9;

/**
 * Reusable anti-kT clusterer: holds the work buffers so that clustering many events
 * allocates only the output. Not re-entrant; use one per worker.
 *
 * Performance notes (the result does not depend on them): the hot loops read the buffers
 * from locals; the initial nearest neighbours come from the pairs within each tile (each
 * distance once) and then a bounded search of the adjacent tiles; a neighbour search skips
 * tiles whose distance bound already exceeds the best candidate (FastJet's "lazy" tiling
 * idea); the tournament tree stops climbing as soon as a node's winner is unchanged; the
 * tile neighbourhoods are cached while the grid size is unchanged; the output reuses the
 * slots' rapidity and azimuth and sorts the jets by insertion (they become final in nearly
 * descending pT). Ties in the geometric nearest neighbour go to the lowest slot,
 * independent of the order of the search. What remains is dominated by data-dependent
 * branches (tile bounds, short member lists, the tree climb) and by Math.log/Math.atan2 for
 * every input and merged jet, which the bit-identical result requires.
 */
export class AntiKtClusterer {
  #cap = 0;
  // Per pseudojet slot (inputs first; a merged jet reuses the lower slot of its parents).
  #jx = new Float64Array(0);
  #jy = new Float64Array(0);
  #jz = new Float64Array(0);
  #je = new Float64Array(0);
  #rap = new Float64Array(0);
  #phi = new Float64Array(0);
  #kt2 = new Float64Array(0);
  #nnDist = new Float64Array(0);
  #nn = new Int32Array(0);
  // Reverse nearest-neighbour lists: the slots whose NN is s are rHead[s], rNext[...], ...
  #rHead = new Int32Array(0);
  #rNext = new Int32Array(0);
  #rPrev = new Int32Array(0);
  #dirty = new Int32Array(0);
  #tile = new Int32Array(0);
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  #orig = new Int32Array(0);
  #cHead = new Int32Array(0);
  #cTail = new Int32Array(0);
  #cNext = new Int32Array(0);
  #finals = new Int32Array(0);
  // Tournament tree over the slots' d_iJ: leaves hold d_iJ (Infinity when inactive), node k
  // holds the slot of the smallest d_iJ below it; node 1 is the global minimum.
  #heapSize = 1;
  #diJ = new Float64Array(0);
  #heapNode = new Int32Array(0);
  // Tiles. Neighbourhood lists (own tile first) depend only on the grid size (cached).
  #tileCap = 0;
  #tileHead = new Int32Array(0);
  #nbrStart = new Int32Array(0);
  #nbr = new Int32Array(0);
  /** Position code of each neighbour entry: 3 (dy + 1) + (dphi + 1), dy, dphi in {-1, 0, 1}. */
  #nbrCode = new Int8Array(0);
  #gridEta = -1;
  #gridPhi = -1;
  #nEta = 1;
  #nPhi = 1;
  #yMin = 0;
  #wy = 1;
  #wphi = 1;
  #invWy = 1;
  #invWphi = 1;
  /** Whether tile distance bounds in azimuth are valid (at least 3 tiles around). */
  #phiBounds = false;
  // Bounds (squared, conservative) from the current search centre to its tile's edges,
  // indexed by position code; filled by #fillBounds.
  #bound2 = new Float64Array(9);

  #ensure(n: number): void {
    if (n <= this.#cap) return;
    let c = Math.max(64, this.#cap);
    while (c < n) c *= 2;
    this.#cap = c;
    this.#jx = new Float64Array(c);
    this.#jy = new Float64Array(c);
    this.#jz = new Float64Array(c);
    this.#je = new Float64Array(c);
    this.#rap = new Float64Array(c);
    this.#phi = new Float64Array(c);
    this.#kt2 = new Float64Array(c);
    this.#nnDist = new Float64Array(c);
    this.#nn = new Int32Array(c);
    this.#rHead = new Int32Array(c);
    this.#rNext = new Int32Array(c);
    this.#rPrev = new Int32Array(c);
    this.#dirty = new Int32Array(c);
    this.#tile = new Int32Array(c);
    this.#prev = new Int32Array(c);
    this.#next = new Int32Array(c);
    this.#orig = new Int32Array(c);
    this.#cHead = new Int32Array(c);
    this.#cTail = new Int32Array(c);
    this.#cNext = new Int32Array(c);
    this.#finals = new Int32Array(c);
    this.#diJ = new Float64Array(c);
    this.#heapNode = new Int32Array(2 * c);
  }

  #setupTiles(nSlots: number, R: number): void {
    const rap = this.#rap;
    let yMin = Infinity, yMax = -Infinity;
    for (let s = 0; s < nSlots; s++) {
      const y = rap[s];
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
    if (yMin < -TILE_RAP_LIMIT) yMin = -TILE_RAP_LIMIT;
    if (yMax > TILE_RAP_LIMIT) yMax = TILE_RAP_LIMIT;
    if (!(yMax > yMin)) yMax = yMin + 1;
    const size = Math.max(R, MIN_TILE_SIZE);
    const nEta = Math.max(1, Math.floor((yMax - yMin) / size));
    const nPhi = Math.max(1, Math.floor(TWO_PI / size));
    this.#nEta = nEta;
    this.#nPhi = nPhi;
    this.#yMin = yMin;
    this.#invWy = nEta / (yMax - yMin);
    this.#invWphi = nPhi / TWO_PI;
    this.#wy = (yMax - yMin) / nEta;
    this.#wphi = TWO_PI / nPhi;
    this.#phiBounds = nPhi >= 3;
    const nTiles = nEta * nPhi;
    if (nTiles > this.#tileCap) {
      let c = Math.max(64, this.#tileCap);
      while (c < nTiles) c *= 2;
      this.#tileCap = c;
      this.#tileHead = new Int32Array(c);
      this.#nbrStart = new Int32Array(c + 1);
      this.#nbr = new Int32Array(9 * c);
      this.#nbrCode = new Int8Array(9 * c);
      this.#gridEta = -1;
    }
    this.#tileHead.fill(-1, 0, nTiles);
    if (nEta === this.#gridEta && nPhi === this.#gridPhi) return;
    this.#gridEta = nEta;
    this.#gridPhi = nPhi;
    const nbr = this.#nbr, nbrStart = this.#nbrStart, code = this.#nbrCode;
    let k = 0;
    for (let iy = 0; iy < nEta; iy++) {
      for (let ip = 0; ip < nPhi; ip++) {
        const t = iy * nPhi + ip;
        nbrStart[t] = k;
        const start = k;
        // Own tile first (the search then has a good bound early), then the others.
        nbr[k] = t;
        code[k++] = 4;
        for (let dy = -1; dy <= 1; dy++) {
          const jy = iy + dy;
          if (jy < 0 || jy >= nEta) continue;
          for (let dp = -1; dp <= 1; dp++) {
            const jp = (ip + dp + nPhi) % nPhi;
            const u = jy * nPhi + jp;
            let dup = false;
            for (let q = start; q < k; q++) {
              if (nbr[q] === u) {
                dup = true;
                break;
              }
            }
            if (dup) continue;
            nbr[k] = u;
            code[k++] = 3 * (dy + 1) + (dp + 1);
          }
        }
      }
    }
    nbrStart[nTiles] = k;
  }

  #tileIndex(y: number, phi: number): number {
    let iy = Math.floor((y - this.#yMin) * this.#invWy);
    if (iy < 0) iy = 0;
    else if (iy >= this.#nEta) iy = this.#nEta - 1;
    let ip = Math.floor((phi < 0 ? phi + TWO_PI : phi) * this.#invWphi);
    if (ip < 0) ip = 0;
    else if (ip >= this.#nPhi) ip = this.#nPhi - 1;
    return iy * this.#nPhi + ip;
  }

  #insert(s: number, t: number): void {
    const head = this.#tileHead[t];
    this.#tile[s] = t;
    this.#prev[s] = -1;
    this.#next[s] = head;
    if (head >= 0) this.#prev[head] = s;
    this.#tileHead[t] = s;
  }

  #remove(s: number): void {
    const p = this.#prev[s], nx = this.#next[s];
    if (p >= 0) this.#next[p] = nx;
    else this.#tileHead[this.#tile[s]] = nx;
    if (nx >= 0) this.#prev[nx] = p;
  }

  /** Make j (or none, -1) the nearest neighbour of slot i, keeping the reverse lists. */
  #setNN(i: number, j: number): void {
    const nn = this.#nn;
    const old = nn[i];
    if (old === j) return;
    const rNext = this.#rNext, rPrev = this.#rPrev, rHead = this.#rHead;
    if (old >= 0) {
      const p = rPrev[i], nx = rNext[i];
      if (p >= 0) rNext[p] = nx;
      else rHead[old] = nx;
      if (nx >= 0) rPrev[nx] = p;
    }
    nn[i] = j;
    if (j >= 0) {
      const h = rHead[j];
      rPrev[i] = -1;
      rNext[i] = h;
      if (h >= 0) rPrev[h] = i;
      rHead[j] = i;
    }
  }

  /**
   * Fill #bound2[code] with a lower bound on the squared (y, phi) distance from the point
   * (y, phi) in tile t to any pseudojet of the neighbour tile at that position code. Every
   * pseudojet lies in the tile of its own (y, phi) (edge tiles also hold the clamped ones,
   * which only makes the true distances larger), so the bounds are the distances to the
   * tile's edges, less a small slack for rounding.
   */
  #fillBounds(y: number, phi: number, t: number): Float64Array {
    const nPhi = this.#nPhi;
    const iy = (t / nPhi) | 0;
    const ip = t - iy * nPhi;
    const yLo = this.#yMin + iy * this.#wy;
    let a = y - yLo - BOUND_SLACK;
    let b = yLo + this.#wy - y - BOUND_SLACK;
    const yl2 = a > 0 ? a * a : 0, yh2 = b > 0 ? b * b : 0;
    let pl2 = 0, ph2 = 0;
    if (this.#phiBounds) {
      const f = phi < 0 ? phi + TWO_PI : phi;
      const pLo = ip * this.#wphi;
      a = f - pLo - BOUND_SLACK;
      b = pLo + this.#wphi - f - BOUND_SLACK;
      pl2 = a > 0 ? a * a : 0;
      ph2 = b > 0 ? b * b : 0;
    }
    const bd = this.#bound2;
    bd[0] = yl2 + pl2;
    bd[1] = yl2;
    bd[2] = yl2 + ph2;
    bd[3] = pl2;
    bd[4] = 0;
    bd[5] = ph2;
    bd[6] = yh2 + pl2;
    bd[7] = yh2;
    bd[8] = yh2 + ph2;
    return bd;
  }

  /**
   * Recompute the nearest neighbour (within R, lowest slot on ties) of slot i over its
   * neighbouring tiles, skipping tiles that cannot hold a closer one.
   */
  #findNN(i: number, R2: number): void {
    const rap = this.#rap, phi = this.#phi, next = this.#next, head = this.#tileHead;
    const nbr = this.#nbr, code = this.#nbrCode;
    const yi = rap[i], fi = phi[i];
    const t = this.#tile[i];
    const bd = this.#fillBounds(yi, fi, t);
    let best = R2, bestJ = -1;
    const qEnd = this.#nbrStart[t + 1];
    for (let q = this.#nbrStart[t]; q < qEnd; q++) {
      if (bd[code[q]] > best) continue;
      for (let j = head[nbr[q]]; j >= 0; j = next[j]) {
        const dy = yi - rap[j];
        let dp = Math.abs(fi - phi[j]);
        if (dp > Math.PI) dp = TWO_PI - dp;
        const d = dy * dy + dp * dp;
        if (d < best || (d === best && j < bestJ)) {
          if (j === i) continue;
          best = d;
          bestJ = j;
        }
      }
    }
    this.#nnDist[i] = best;
    this.#setNN(i, bestJ);
  }

  /**
   * Nearest neighbours of all N slots at the start: first every pair within a tile (each
   * distance once, updating both), then for each pseudojet the neighbouring tiles that may
   * hold a closer one than found so far (bounds as in #findNN).
   */
  #initialNN(N: number, R2: number): void {
    const rap = this.#rap, phi = this.#phi, next = this.#next, head = this.#tileHead;
    const nn = this.#nn, nnDist = this.#nnDist, nbr = this.#nbr, code = this.#nbrCode;
    const nbrStart = this.#nbrStart;
    for (let s = 0; s < N; s++) {
      nn[s] = -1;
      nnDist[s] = R2;
    }
    const nTiles = this.#nEta * this.#nPhi;
    for (let t = 0; t < nTiles; t++) {
      for (let i = head[t]; i >= 0; i = next[i]) {
        const yi = rap[i], fi = phi[i];
        let bi = nnDist[i], bj = nn[i];
        for (let j = next[i]; j >= 0; j = next[j]) {
          const dy = yi - rap[j];
          let dp = Math.abs(fi - phi[j]);
          if (dp > Math.PI) dp = TWO_PI - dp;
          const d = dy * dy + dp * dp;
          if (d < bi || (d === bi && j < bj)) {
            bi = d;
            bj = j;
          }
          const dj = nnDist[j];
          if (d < dj || (d === dj && i < nn[j])) {
            nnDist[j] = d;
            nn[j] = i;
          }
        }
        nnDist[i] = bi;
        nn[i] = bj;
      }
    }
    for (let t = 0; t < nTiles; t++) {
      const qStart = nbrStart[t] + 1, qEnd = nbrStart[t + 1]; // own tile (first) done
      for (let i = head[t]; i >= 0; i = next[i]) {
        const yi = rap[i], fi = phi[i];
        let best = nnDist[i], bestJ = nn[i];
        const bd = this.#fillBounds(yi, fi, t);
        for (let q = qStart; q < qEnd; q++) {
          if (bd[code[q]] > best) continue;
          for (let j = head[nbr[q]]; j >= 0; j = next[j]) {
            const dy = yi - rap[j];
            let dp = Math.abs(fi - phi[j]);
            if (dp > Math.PI) dp = TWO_PI - dp;
            const d = dy * dy + dp * dp;
            if (d < best || (d === best && j < bestJ)) {
              best = d;
              bestJ = j;
            }
          }
        }
        nnDist[i] = best;
        nn[i] = bestJ;
      }
    }
    // Reverse lists.
    const rHead = this.#rHead, rNext = this.#rNext, rPrev = this.#rPrev;
    rHead.fill(-1, 0, N);
    for (let s = 0; s < N; s++) {
      const j = nn[s];
      if (j < 0) continue;
      const h = rHead[j];
      rPrev[s] = -1;
      rNext[s] = h;
      if (h >= 0) rPrev[h] = s;
      rHead[j] = s;
    }
  }

  #diJOf(i: number, R2: number): number {
    const j = this.#nn[i];
    const ki = this.#kt2[i];
    if (j < 0) return ki * R2;
    const kj = this.#kt2[j];
    return (ki < kj ? ki : kj) * this.#nnDist[i];
  }

  /** Build the tournament tree over slots 0..N-1 from their d_iJ. */
  #heapBuild(N: number): void {
    let m = 1;
    while (m < N) m *= 2;
    this.#heapSize = m;
    const val = this.#diJ, node = this.#heapNode;
    val.fill(Infinity, N, m);
    for (let s = 0; s < m; s++) node[m + s] = s;
    for (let k = m - 1; k >= 1; k--) {
      const l = node[2 * k], r = node[2 * k + 1];
      node[k] = val[r] < val[l] ? r : l;
    }
  }

  /**
   * Set the d_iJ of slot s (Infinity removes it) and update the tree: climbing stops at the
   * first node whose winner is neither s nor changed, since nothing above it changes.
   */
  #heapSet(s: number, v: number): void {
    const val = this.#diJ, node = this.#heapNode;
    val[s] = v;
    for (let k = (this.#heapSize + s) >> 1; k >= 1; k >>= 1) {
      const l = node[2 * k], r = node[2 * k + 1];
      const w = val[r] < val[l] ? r : l;
      const old = node[k];
      node[k] = w;
      if (w === old && w !== s) break;
    }
  }

  #setKinematics(s: number): void {
    const px = this.#jx[s], py = this.#jy[s], pz = this.#jz[s], e = this.#je[s];
    this.#rap[s] = rapidityOf(px, py, pz, e);
    this.#phi[s] = phiOf(px, py);
    this.#kt2[s] = 1 / (px * px + py * py);
  }

  /**
   * Cluster the first `n` particles of (px, py, pz, e) (GeV) with anti-kT of radius
   * `opts.R`; see {@link clusterAntiKt}.
   */
  cluster(
    px: ArrayLike<number>,
    py: ArrayLike<number>,
    pz: ArrayLike<number>,
    e: ArrayLike<number>,
    n: number,
    opts: AntiKtOptions,
  ): JetCollection {
    const R = opts.R;
    if (!(R > 0) || !Number.isFinite(R)) throw new RangeError(`clusterAntiKt: R = ${R}`);
    const ptMin = opts.ptMin ?? 0;
    const mask = opts.mask ?? null;
    if (n > px.length || n > py.length || n > pz.length || n > e.length) {
      throw new RangeError(`clusterAntiKt: n = ${n} exceeds the input arrays`);
    }
    if (mask !== null && mask.length < n) {
      throw new RangeError(`clusterAntiKt: mask shorter than n = ${n}`);
    }
    const inputPhi = opts.inputPhi ?? null;
    if (inputPhi !== null && inputPhi.length < n) {
      throw new RangeError(`clusterAntiKt: inputPhi shorter than n = ${n}`);
    }
    const R2 = R * R;
    this.#ensure(n);
    const jx = this.#jx, jy = this.#jy, jz = this.#jz, je = this.#je;
    const rap = this.#rap, phi = this.#phi, kt2 = this.#kt2;
    const orig = this.#orig, cHead = this.#cHead, cTail = this.#cTail, cNext = this.#cNext;

    // Inputs -> slots (the tests of isClusterable, computing the rapidity once).
    let N = 0;
    for (let i = 0; i < n; i++) {
      if (mask !== null && !mask[i]) continue;
      const x = px[i], y = py[i], z = pz[i], en = e[i];
      const k2 = x * x + y * y;
      if (!(k2 > 0) || !Number.isFinite(k2) || !Number.isFinite(z) || !Number.isFinite(en)) {
        continue;
      }
      const r = rapidityOf(x, y, z, en);
      if (!Number.isFinite(r)) continue;
      jx[N] = x;
      jy[N] = y;
      jz[N] = z;
      je[N] = en;
      rap[N] = r;
      phi[N] = inputPhi === null ? phiOf(x, y) : inputPhi[i];
      kt2[N] = 1 / k2;
      orig[N] = i;
      cHead[N] = N;
      cTail[N] = N;
      cNext[N] = -1;
      N++;
    }
    if (N === 0) return emptyJetCollection(n);

    this.#setupTiles(N, R);
    for (let s = 0; s < N; s++) this.#insert(s, this.#tileIndex(rap[s], phi[s]));
    const diJ = this.#diJ, heapNode = this.#heapNode, tile = this.#tile;
    const nn = this.#nn, nnDist = this.#nnDist, next = this.#next, tileHead = this.#tileHead;
    const nbr = this.#nbr, nbrStart = this.#nbrStart, code = this.#nbrCode;
    const rHead = this.#rHead, rNext = this.#rNext, dirty = this.#dirty;
    this.#initialNN(N, R2);
    for (let s = 0; s < N; s++) diJ[s] = this.#diJOf(s, R2);
    this.#heapBuild(N);

    let nActive = N;
    let nFinal = 0;
    const finals = this.#finals;
    while (nActive > 0) {
      // Smallest d_iJ: a merge with its NN b, or a final jet when a has no NN within R.
      const a = heapNode[1];
      const b = nn[a];
      let gone: number, keep: number;
      if (b >= 0) {
        keep = a < b ? a : b;
        gone = a < b ? b : a;
        this.#setNN(keep, -1);
        this.#setNN(gone, -1);
        this.#remove(gone);
        this.#remove(keep);
        jx[keep] += jx[gone];
        jy[keep] += jy[gone];
        jz[keep] += jz[gone];
        je[keep] += je[gone];
        this.#setKinematics(keep);
        this.#insert(keep, this.#tileIndex(rap[keep], phi[keep]));
        cNext[cTail[keep]] = cHead[gone];
        cTail[keep] = cTail[gone];
      } else {
        keep = -1;
        gone = a;
        this.#remove(a);
        finals[nFinal++] = a;
      }
      this.#heapSet(gone, Infinity);
      nActive--;
      if (nActive === 0) break;

      // Pseudojets whose NN was one of the two (taken from the reverse lists before they
      // change) get a new search.
      let nDirty = 0;
      for (let i = rHead[gone]; i >= 0; i = rNext[i]) dirty[nDirty++] = i;
      if (keep >= 0) { for (let i = rHead[keep]; i >= 0; i = rNext[i]) dirty[nDirty++] = i; }
      for (let k = 0; k < nDirty; k++) {
        const i = dirty[k];
        this.#findNN(i, R2);
        this.#heapSet(i, this.#diJOf(i, R2));
      }
      if (keep < 0) continue;

      // The new jet: its own NN, and it becomes the NN of the pseudojets now closer to it
      // than their NN. Only tiles that may hold a pseudojet within R of it are visited.
      const ky = rap[keep], kf = phi[keep];
      const kt = tile[keep];
      const bd = this.#fillBounds(ky, kf, kt);
      let bk = R2, bkJ = -1;
      for (let q = nbrStart[kt]; q < nbrStart[kt + 1]; q++) {
        if (!(bd[code[q]] < R2)) continue;
        for (let i = tileHead[nbr[q]]; i >= 0; i = next[i]) {
          if (i === keep) continue;
          const dy = rap[i] - ky;
          let dp = Math.abs(phi[i] - kf);
          if (dp > Math.PI) dp = TWO_PI - dp;
          const d = dy * dy + dp * dp;
          const di = nnDist[i];
          if (d < di || (d === di && keep < nn[i])) {
            nnDist[i] = d;
            this.#setNN(i, keep);
            this.#heapSet(i, this.#diJOf(i, R2));
          }
          if (d < bk || (d === bk && i < bkJ)) {
            bk = d;
            bkJ = i;
          }
        }
      }
      nnDist[keep] = bk;
      this.#setNN(keep, bkJ);
      this.#heapSet(keep, this.#diJOf(keep, R2));
    }

    return this.#output(n, nFinal, ptMin, inputPhi === null);
  }

  /**
   * The final jets with pT >= ptMin as a JetCollection, sorted by pT descending (ties: lower
   * slot first), with their constituents and the assignment of the inputs. `phiComputed`:
   * whether the azimuth of every slot was computed here (not taken from opts.inputPhi).
   */
  #output(nInputs: number, nFinal: number, ptMin: number, phiComputed: boolean): JetCollection {
    const jx = this.#jx, jy = this.#jy, jz = this.#jz, je = this.#je, finals = this.#finals;
    // Select the final jets (the pT of final f kept in #nnDist, the selection in #dirty,
    // both free by now) and sort them by insertion: jets become final in nearly
    // descending pT, so this is close to linear.
    const ptOf = this.#nnDist, sel = this.#dirty;
    let nJ = 0;
    for (let f = 0; f < nFinal; f++) {
      const s = finals[f];
      const p = Math.sqrt(jx[s] * jx[s] + jy[s] * jy[s]);
      ptOf[f] = p;
      if (!(p >= ptMin)) continue;
      let k = nJ++;
      while (k > 0) {
        const g = sel[k - 1];
        if (!((ptOf[f] - ptOf[g] || finals[g] - s) > 0)) break;
        sel[k] = g;
        k--;
      }
      sel[k] = f;
    }
    const assignment = new Int32Array(nInputs).fill(-1);
    const offsets = new Int32Array(nJ + 1);
    const out: JetCollection = {
      n: nJ,
      nInputs,
      px: new Float64Array(nJ),
      py: new Float64Array(nJ),
      pz: new Float64Array(nJ),
      e: new Float64Array(nJ),
      pt: new Float64Array(nJ),
      eta: new Float64Array(nJ),
      rapidity: new Float64Array(nJ),
      phi: new Float64Array(nJ),
      mass: new Float64Array(nJ),
      assignment,
      constituentOffsets: offsets,
      constituentIndices: assignment, // replaced below
    };
    const cHead = this.#cHead, cTail = this.#cTail, cNext = this.#cNext, orig = this.#orig;
    const rap = this.#rap, phi = this.#phi;
    let nConst = 0;
    for (let j = 0; j < nJ; j++) {
      const f = sel[j];
      const s = finals[f];
      const x = jx[s], y = jy[s], z = jz[s], en = je[s];
      out.px[j] = x;
      out.py[j] = y;
      out.pz[j] = z;
      out.e[j] = en;
      out.pt[j] = ptOf[f];
      out.eta[j] = etaOf(x, y, z);
      // The slot's rapidity and azimuth are those of its four-momentum (same functions),
      // except for an unmerged input whose azimuth came from opts.inputPhi.
      out.rapidity[j] = rap[s];
      out.phi[j] = phiComputed || cHead[s] !== cTail[s] ? phi[s] : phiOf(x, y);
      out.mass[j] = massOf(x, y, z, en);
      offsets[j] = nConst;
      for (let c = cHead[s]; c >= 0; c = cNext[c]) {
        assignment[orig[c]] = j;
        nConst++;
      }
    }
    offsets[nJ] = nConst;
    // Constituents in ascending input order within each jet: one pass over the inputs.
    const indices = new Int32Array(nConst);
    if (nConst > 0) {
      const fill = this.#heapNode; // free by now; needs nJ entries
      for (let j = 0; j < nJ; j++) fill[j] = offsets[j];
      for (let i = 0; i < nInputs; i++) {
        const j = assignment[i];
        if (j >= 0) indices[fill[j]++] = i;
      }
    }
    out.constituentIndices = indices;
    return out;
  }
}

const defaultClusterer = new AntiKtClusterer();

/**
 * Anti-kT jets of the first `n` particles of (px, py, pz, e) (GeV) with radius `opts.R`,
 * E-scheme recombination, keeping jets with pT >= `opts.ptMin` (default 0), optionally
 * only the inputs selected by `opts.mask`. Particles with pT = 0 or non-finite components
 * are skipped. Returns jets sorted by pT descending with constituents and assignment.
 */
export function clusterAntiKt(
  px: ArrayLike<number>,
  py: ArrayLike<number>,
  pz: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  opts: AntiKtOptions,
): JetCollection {
  return defaultClusterer.cluster(px, py, pz, e, n, opts);
}

/** {@link clusterAntiKt} on the `p.n` particles of a {@link ParticleArrays} buffer. */
export function clusterAntiKtParticles(p: ParticleArrays, opts: AntiKtOptions): JetCollection {
  return defaultClusterer.cluster(p.px, p.py, p.pz, p.e, p.n, opts);
}
