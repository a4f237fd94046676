/**
 * P3 global weights, reference frame and seeing (METHOD.md):
 *   Q_f = alpha*(-z(B_f)) + beta*(-z(sigma_f)) + gamma*z(E_f),  Qc = clip(Q, lo, hi),  G = exp(k*Qc).
 * z is the robust z of section 0 with z_floor_rel, over the usable frames. A frame whose metric is
 * not finite gets z = 0 for that term (neutral): G must stay finite and > 0 (property 2).
 * Strict profile: call computeGlobalWeights once per channel.
 */
import { median, robustZ } from '../image/stats';

/** The `global_metrics` section of the config (METHOD.md section 4). */
export interface GlobalMetricsConfig {
  readonly weights: { readonly background: number; readonly noise: number; readonly gradient: number };
  readonly clamp: readonly [number, number];
  readonly adaptive_weights: boolean;
  readonly weight_exponent_scale: number;
  readonly z_floor_rel: number;
}

/** The config defaults (schema-method.ts; measured in bench/QUALITY.md). */
export const DEFAULT_GLOBAL_METRICS: GlobalMetricsConfig = {
  weights: { background: 0.333, noise: 0.667, gradient: 0 },
  clamp: [-3, 3],
  adaptive_weights: false,
  weight_exponent_scale: 0.5,
  z_floor_rel: 0.5,
};

export const ADAPTIVE_WEIGHT_MIN = 0.1;
export const ADAPTIVE_WEIGHT_MAX = 0.7;
export const LOW_ESS_FRACTION = 0.25;

/** Per-frame metrics of one channel, indexed by usable-frame ordinal. */
export interface GlobalMetricColumns {
  readonly B: ArrayLike<number>;
  readonly sigma: ArrayLike<number>;
  readonly E: ArrayLike<number>;
}

export interface GlobalWeights {
  readonly zB: Float64Array;
  readonly zSigma: Float64Array;
  readonly zE: Float64Array;
  readonly Q: Float64Array;
  readonly Qc: Float64Array;
  readonly G: Float64Array;
  /** alpha, beta, gamma actually used. */
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly adaptiveUsed: boolean;
  readonly ess: number;
  /** ESS < 0.25*N: a LOW_ESS warning is due. */
  readonly lowEss: boolean;
}

function populationVariance(z: Float64Array): number {
  let s = 0;
  let n = 0;
  for (const v of z) if (Number.isFinite(v)) (s += v), n++;
  if (n === 0) return 0;
  const m = s / n;
  let q = 0;
  for (const v of z) if (Number.isFinite(v)) q += (v - m) * (v - m);
  return q / n;
}

/**
 * Adaptive alpha, beta, gamma: proportional to the z variances, each clipped to [0.1, 0.7] and
 * renormalized to 1. One clip+renormalize round can push a weight back above 0.7 (variances
 * (1, 0, 0) give 0.78), so the round is repeated to its fixed point; the result lies in
 * [0.1, 0.7] and sums to 1. Null when the variances sum to <= 1e-12 (use the static weights).
 */
export function adaptiveWeights(variances: readonly [number, number, number]): [number, number, number] | null {
  const total = variances[0] + variances[1] + variances[2];
  if (!(total > 1e-12)) return null;
  let w = variances.map((v) => v / total);
  for (let it = 0; it < 500; it++) {
    const c = w.map((v) => Math.min(Math.max(v, ADAPTIVE_WEIGHT_MIN), ADAPTIVE_WEIGHT_MAX));
    const s = c[0] + c[1] + c[2];
    const next = c.map((v) => v / s);
    const moved = Math.max(...next.map((v, i) => Math.abs(v - w[i])));
    w = next;
    if (moved < 1e-15) break;
  }
  // the fixed point is reached to ~1e-15; pin to the bounds so the property holds exactly
  w = w.map((v) => Math.min(Math.max(v, ADAPTIVE_WEIGHT_MIN), ADAPTIVE_WEIGHT_MAX));
  return [w[0], w[1], w[2]];
}

/** ESS = (sum w)^2 / sum w^2 over finite weights; 0 when all are 0. */
export function effectiveSampleSize(weights: ArrayLike<number>): number {
  let s = 0;
  let q = 0;
  for (let i = 0; i < weights.length; i++) {
    const v = weights[i];
    if (Number.isFinite(v)) (s += v), (q += v * v);
  }
  return q > 0 ? (s * s) / q : 0;
}

export function computeGlobalWeights(metrics: GlobalMetricColumns, cfg: GlobalMetricsConfig): GlobalWeights {
  const n = metrics.B.length;
  if (metrics.sigma.length !== n || metrics.E.length !== n) throw new RangeError('metric columns differ in length');
  const [lo, hi] = cfg.clamp;
  if (!(lo < hi)) throw new RangeError(`clamp lo must be < hi, got [${lo}, ${hi}]`);
  const zB = robustZ(metrics.B, cfg.z_floor_rel);
  const zSigma = robustZ(metrics.sigma, cfg.z_floor_rel);
  const zE = robustZ(metrics.E, cfg.z_floor_rel);
  let alpha = cfg.weights.background;
  let beta = cfg.weights.noise;
  let gamma = cfg.weights.gradient;
  let adaptiveUsed = false;
  if (cfg.adaptive_weights && n > 2) {
    const a = adaptiveWeights([populationVariance(zB), populationVariance(zSigma), populationVariance(zE)]);
    if (a) {
      [alpha, beta, gamma] = a;
      adaptiveUsed = true;
    }
  }
  const fin = (z: number) => (Number.isFinite(z) ? z : 0);
  const Q = new Float64Array(n);
  const Qc = new Float64Array(n);
  const G = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    Q[f] = alpha * -fin(zB[f]) + beta * -fin(zSigma[f]) + gamma * fin(zE[f]);
    Qc[f] = Math.min(Math.max(Q[f], lo), hi);
    G[f] = Math.exp(cfg.weight_exponent_scale * Qc[f]);
  }
  const ess = effectiveSampleSize(G);
  return { zB, zSigma, zE, Q, Qc, G, alpha, beta, gamma, adaptiveUsed, ess, lowEss: ess < LOW_ESS_FRACTION * n };
}

/** Seeing and star count of the frames (P2), for choosing the reference among the G candidates. */
export interface FrameSharpness {
  readonly fwhm: ReadonlyArray<number | null>;
  readonly stars: ReadonlyArray<number>;
}

/**
 * Reference frame. Candidates [REF]: the max(1, min(N, max(16, floor(N/5)))) largest G (ties:
 * lower index). Without `sharpness` [REF]: the candidate nearest to index floor(N/2); ties ->
 * larger G, then lower index.
 * With `sharpness` [DIFF]: the sharpest candidate (smallest P2 FWHM) among those with at least half
 * the candidates' median star count (a cloud-dimmed frame measures few stars and an unreliable
 * FWHM); ties -> more stars, then the REF rule. Why: with this version's global weights (gamma 0:
 * the gradient term rewarded blur, bench/QUALITY.md) G says nothing about seeing, and the REF rule
 * chose a 5.2 px frame as the reference of the CI quality set although 2 px frames were among the
 * candidates; every frame is registered to the reference's stars, and a blurred reference has fewer
 * of them and looser centroids (issue 3: the reference is chosen by star count and FWHM).
 * Falls back to the REF rule when no candidate has a finite FWHM. Returns the usable-frame
 * ordinal, or -1 for N = 0. Strict profile: pass the per-frame geometric mean of the channel G
 * (combineChannelG).
 */
export function selectReferenceFrame(G: ArrayLike<number>, sharpness?: FrameSharpness): number {
  const n = G.length;
  if (n === 0) return -1;
  const m = Math.max(1, Math.min(n, Math.max(16, Math.floor(n / 5))));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => G[b] - G[a] || a - b);
  const candidates = order.slice(0, m);
  const centre = Math.floor(n / 2);
  const nearerCentre = (i: number, best: number) => {
    const di = Math.abs(i - centre);
    const db = Math.abs(best - centre);
    return di < db || (di === db && (G[i] > G[best] || (G[i] === G[best] && i < best)));
  };
  if (sharpness) {
    const starsOf = (i: number) => sharpness.stars[i] ?? 0;
    const sortedStars = candidates.map(starsOf).sort((a, b) => a - b);
    const medianStars = sortedStars[(sortedStars.length - 1) >> 1];
    const eligible = candidates.filter((i) => {
      const f = sharpness.fwhm[i];
      return f !== null && f !== undefined && f > 0 && Number.isFinite(f) && starsOf(i) >= 0.5 * medianStars;
    });
    if (eligible.length > 0) {
      let best = eligible[0];
      for (const i of eligible.slice(1)) {
        const fi = sharpness.fwhm[i] as number;
        const fb = sharpness.fwhm[best] as number;
        if (fi < fb || (fi === fb && (starsOf(i) > starsOf(best) || (starsOf(i) === starsOf(best) && nearerCentre(i, best))))) best = i;
      }
      return best;
    }
  }
  let best = candidates[0];
  for (const i of candidates.slice(1)) if (nearerCentre(i, best)) best = i;
  return best;
}

/** Per-frame geometric mean of per-channel G (= exp(k * mean Qc)); for strict-profile frame choices. */
export function combineChannelG(channels: ReadonlyArray<ArrayLike<number>>): Float64Array {
  const n = channels[0]?.length ?? 0;
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (const g of channels) s += Math.log(g[f]);
    out[f] = Math.exp(s / channels.length);
  }
  return out;
}

export const DEFAULT_SEEING_PX = 3.0;

/** Seeing F = median of the defined (finite, > 0) frame FWHM; none or F <= 0 -> 3.0 [DOC guard]. */
export function seeingOf(fwhm: ReadonlyArray<number | null>): number {
  const defined = fwhm.filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  if (defined.length === 0) return DEFAULT_SEEING_PX;
  const f = median(defined);
  return f > 0 ? f : DEFAULT_SEEING_PX;
}
