/**
 * P8 state clustering (METHOD.md), full mode:
 *   v_f = (G_f, mean_t Q[f,t], var_t Q[f,t], B_f, sigma_f) over the tiles defined in frame f
 *   (population statistics; strict profile: channel-averaged inputs), each component standardized
 *   over frames by mean and population SD (SD <= 1e-6 -> 0) [REF].
 *   K = min(N, clip(floor(N/10), K_min, K_max)).
 *   kmeans: first centre = frame floor(N/2); each next centre = the frame farthest (squared
 *   distance) from its nearest centre, ties lower index [DIFF: REF k-means++ sampling]; 20 Lloyd
 *   iterations, ties -> lower cluster. An empty cluster, or mode quantile: frames sorted by G
 *   ascending (ties index) get label floor(rank*K/N) [REF].
 * No randomness: identical inputs give identical labels.
 */

export interface ClusteringConfig {
  readonly mode: 'kmeans' | 'quantile';
  readonly cluster_count_range: readonly [number, number];
}

export const LLOYD_ITERATIONS = 20;
export const STATE_DIMENSIONS = 5;

export interface ClusteringResult {
  readonly K: number;
  /** Cluster label per usable frame, 0..K-1. */
  readonly labels: Int32Array;
  /** Mode actually used. */
  readonly mode: 'kmeans' | 'quantile';
  /** kmeans met an empty cluster and fell back to quantile labels. */
  readonly emptyClusterFallback: boolean;
}

/** K = min(N, clip(floor(N/10), K_min, K_max)). */
export function clusterCount(n: number, range: readonly [number, number]): number {
  const [kMin, kMax] = range;
  return Math.min(n, Math.min(Math.max(Math.floor(n / 10), kMin), kMax));
}

/**
 * Raw state vectors, row-major N x 5. `Q` is the local quality table (f*nTiles + t, NaN where
 * the tile is missing); a frame without any defined tile gets mean and variance 0.
 */
export function stateVectors(
  G: ArrayLike<number>,
  Q: ArrayLike<number>,
  nTiles: number,
  B: ArrayLike<number>,
  sigma: ArrayLike<number>,
): Float64Array {
  const n = G.length;
  const out = new Float64Array(n * STATE_DIMENSIONS);
  for (let f = 0; f < n; f++) {
    let s = 0;
    let c = 0;
    for (let t = 0; t < nTiles; t++) {
      const v = Q[f * nTiles + t];
      if (Number.isFinite(v)) (s += v), c++;
    }
    const m = c > 0 ? s / c : 0;
    let q = 0;
    for (let t = 0; t < nTiles; t++) {
      const v = Q[f * nTiles + t];
      if (Number.isFinite(v)) q += (v - m) * (v - m);
    }
    const row = f * STATE_DIMENSIONS;
    out[row] = G[f];
    out[row + 1] = m;
    out[row + 2] = c > 0 ? q / c : 0;
    out[row + 3] = B[f];
    out[row + 4] = sigma[f];
  }
  return out;
}

/** Standardizes each column by mean and population SD; SD <= 1e-6 (or non-finite values) -> 0. */
export function standardizeColumns(v: Float64Array, dims: number): Float64Array {
  const n = v.length / dims;
  const out = new Float64Array(v.length);
  for (let d = 0; d < dims; d++) {
    let s = 0;
    for (let f = 0; f < n; f++) s += v[f * dims + d];
    const m = s / n;
    let q = 0;
    for (let f = 0; f < n; f++) q += (v[f * dims + d] - m) ** 2;
    const sd = Math.sqrt(q / n);
    const ok = Number.isFinite(sd) && sd > 1e-6;
    for (let f = 0; f < n; f++) out[f * dims + d] = ok ? (v[f * dims + d] - m) / sd : 0;
  }
  return out;
}

/** Quantile labels: sort by G ascending (ties index), label floor(rank*K/N). */
export function quantileLabels(G: ArrayLike<number>, K: number): Int32Array {
  const n = G.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => G[a] - G[b] || a - b);
  const labels = new Int32Array(n);
  order.forEach((f, rank) => {
    labels[f] = Math.floor((rank * K) / n);
  });
  return labels;
}

function sqDist(x: Float64Array, a: number, c: Float64Array, b: number, dims: number): number {
  let s = 0;
  for (let d = 0; d < dims; d++) {
    const e = x[a * dims + d] - c[b * dims + d];
    s += e * e;
  }
  return s;
}

/**
 * Deterministic k-means on standardized rows; null when a cluster runs empty (caller falls back
 * to quantile labels).
 */
export function kmeansLabels(x: Float64Array, dims: number, K: number): Int32Array | null {
  const n = x.length / dims;
  const centres = new Float64Array(K * dims);
  const first = Math.floor(n / 2);
  centres.set(x.subarray(first * dims, (first + 1) * dims), 0);
  const nearest = new Float64Array(n);
  for (let f = 0; f < n; f++) nearest[f] = sqDist(x, f, centres, 0, dims);
  for (let k = 1; k < K; k++) {
    let pick = 0;
    for (let f = 1; f < n; f++) if (nearest[f] > nearest[pick]) pick = f;
    centres.set(x.subarray(pick * dims, (pick + 1) * dims), k * dims);
    for (let f = 0; f < n; f++) nearest[f] = Math.min(nearest[f], sqDist(x, f, centres, k, dims));
  }
  const labels = new Int32Array(n).fill(-1);
  const counts = new Int32Array(K);
  for (let it = 0; it < LLOYD_ITERATIONS; it++) {
    let changed = false;
    counts.fill(0);
    for (let f = 0; f < n; f++) {
      let best = 0;
      let bestD = sqDist(x, f, centres, 0, dims);
      for (let k = 1; k < K; k++) {
        const d = sqDist(x, f, centres, k, dims);
        if (d < bestD) (bestD = d), (best = k);
      }
      if (labels[f] !== best) changed = true;
      labels[f] = best;
      counts[best]++;
    }
    for (let k = 0; k < K; k++) if (counts[k] === 0) return null;
    if (!changed) break; // centres would not move: the remaining iterations are no-ops
    centres.fill(0);
    for (let f = 0; f < n; f++) for (let d = 0; d < dims; d++) centres[labels[f] * dims + d] += x[f * dims + d];
    for (let k = 0; k < K; k++) for (let d = 0; d < dims; d++) centres[k * dims + d] /= counts[k];
  }
  return labels;
}

/** Clusters the usable frames from raw state vectors (stateVectors) and G. */
export function clusterFrames(state: Float64Array, G: ArrayLike<number>, cfg: ClusteringConfig): ClusteringResult {
  const n = G.length;
  if (state.length !== n * STATE_DIMENSIONS) throw new RangeError(`expected ${n} state vectors of ${STATE_DIMENSIONS}`);
  if (n === 0) return { K: 0, labels: new Int32Array(0), mode: cfg.mode, emptyClusterFallback: false };
  const K = clusterCount(n, cfg.cluster_count_range);
  if (cfg.mode === 'quantile') return { K, labels: quantileLabels(G, K), mode: 'quantile', emptyClusterFallback: false };
  const labels = kmeansLabels(standardizeColumns(state, STATE_DIMENSIONS), STATE_DIMENSIONS, K);
  if (labels === null) return { K, labels: quantileLabels(G, K), mode: 'quantile', emptyClusterFallback: true };
  return { K, labels, mode: 'kmeans', emptyClusterFallback: false };
}
