/**
 * The weighted sigma clip of METHOD.md P9, shared by tile reconstruction (P9), synthetic frames,
 * the final cluster stack (P11, w = 1) and calibration masters (P1, w = 1).
 *
 * Hot path: called once per pixel with N up to ~1000 samples, so the clipper owns its scratch
 * and reports side results through fields instead of allocating a result object per call.
 */

export interface SigmaClipParams {
  readonly sigma_low: number;
  readonly sigma_high: number;
  readonly max_iters: number;
  readonly min_fraction: number;
}

/** METHOD.md P1: masters use 3/3 sigma, 3 iterations, min_fraction 0.5. */
export const MASTER_CLIP_PARAMS: SigmaClipParams = { sigma_low: 3, sigma_high: 3, max_iters: 3, min_fraction: 0.5 };

/** Weighted mean sum(w*v)/sum(w) of the first n samples (float64); w = null means all weights 1. NaN if n = 0. */
export function weightedMean(values: ArrayLike<number>, weights: ArrayLike<number> | null, n: number): number {
  let sw = 0;
  let swv = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === null ? 1 : weights[i];
    sw += w;
    swv += w * values[i];
  }
  return n === 0 ? Number.NaN : swv / sw;
}

export class WeightedSigmaClipper {
  private keep: Uint8Array;
  /** Samples kept by the last call (n when nothing was clipped or the fallback fired). */
  lastKept = 0;
  /** True when the last call hit the min_fraction floor and returned the unclipped mean. */
  lastClipFallback = false;
  private readonly lo: number;
  private readonly hi: number;
  private readonly maxIters: number;
  private readonly minFraction: number;

  constructor(params: SigmaClipParams, capacity = 64) {
    this.lo = params.sigma_low;
    this.hi = params.sigma_high;
    this.maxIters = params.max_iters;
    this.minFraction = params.min_fraction;
    this.keep = new Uint8Array(capacity);
  }

  /**
   * Clipped weighted mean of the first n samples. The caller passes only valid samples (finite v,
   * finite w > 0); weights = null means all 1. n = 0 -> NaN.
   */
  clip(values: ArrayLike<number>, weights: ArrayLike<number> | null, n: number): number {
    this.lastClipFallback = false;
    this.lastKept = n;
    if (n <= 2) return weightedMean(values, weights, n);
    if (this.keep.length < n) this.keep = new Uint8Array(Math.max(n, this.keep.length * 2));
    const keep = this.keep;
    keep.fill(1, 0, n);
    // Floor of at least one sample: clipping everything is over-clipping too (min_fraction = 0 would
    // otherwise turn a pixel with data into NaN).
    const minKeep = Math.max(1, Math.ceil(this.minFraction * n));
    // Sums over the kept samples: v1 = sum w, v2 = sum w^2, swv = sum w*v. The pass that drops
    // samples also sums the survivors for the next iteration, in the order a separate pass would
    // (this runs for every pixel of every tile: 2 passes per iteration instead of 3, and the final
    // mean is the last sums' swv / v1, bit for bit the mean of a pass over the kept samples).
    let v1 = 0;
    let v2 = 0;
    let swv = 0;
    for (let i = 0; i < n; i++) {
      const w = weights === null ? 1 : weights[i];
      v1 += w;
      v2 += w * w;
      swv += w * values[i];
    }
    let kept = n;
    for (let iter = 0; iter < this.maxIters; iter++) {
      const mu = swv / v1;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        if (keep[i] === 0) continue;
        const w = weights === null ? 1 : weights[i];
        const d = values[i] - mu;
        ss += w * d * d;
      }
      const denom = v1 - v2 / v1;
      const sd = denom > 0 ? Math.sqrt(ss / denom) : 0;
      if (sd === 0) break;
      const lower = mu - this.lo * sd;
      const upper = mu + this.hi * sd;
      let dropped = 0;
      let k1 = 0;
      let k2 = 0;
      let kwv = 0;
      for (let i = 0; i < n; i++) {
        if (keep[i] === 0) continue;
        const v = values[i];
        if (v < lower || v > upper) {
          keep[i] = 0;
          dropped++;
          continue;
        }
        const w = weights === null ? 1 : weights[i];
        k1 += w;
        k2 += w * w;
        kwv += w * v;
      }
      if (dropped === 0) break;
      kept -= dropped;
      if (kept < minKeep) {
        this.lastClipFallback = true;
        this.lastKept = n;
        return weightedMean(values, weights, n);
      }
      v1 = k1;
      v2 = k2;
      swv = kwv;
    }
    this.lastKept = kept;
    return swv / v1;
  }
}

/** One-shot convenience (allocates a clipper): sigma-clipped mean of the finite values with weights 1. */
export function sigmaClippedMean(values: ArrayLike<number>, params: SigmaClipParams): { value: number; kept: number; n: number; clipFallback: boolean } {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[n++] = values[i];
  const clipper = new WeightedSigmaClipper(params, Math.max(1, n));
  const value = clipper.clip(finite, null, n);
  return { value, kept: clipper.lastKept, n, clipFallback: clipper.lastClipFallback };
}
