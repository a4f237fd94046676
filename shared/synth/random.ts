import { gaussianSource, mulberry32, seedFor } from '../util/seed';

/**
 * Every random draw of the generator comes from its own labelled mulberry32 stream (METHOD.md 1.3),
 * so changing one knob (say the cloud share) leaves the stars, the seeing and the noise untouched,
 * and frame f's noise (label `noise:<f>`) does not depend on which frames were rendered before.
 */
export interface RandomStream {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  between(lo: number, hi: number): number;
  /** Log-uniform in [lo, hi), lo > 0. */
  logBetween(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
}

export function synthRunKey(seed: number): string {
  return `tile-compile-synth:${seed}`;
}

export function randomStream(seed: number, label: string): RandomStream {
  const uniform = mulberry32(seedFor(synthRunKey(seed), label));
  const normal = gaussianSource(uniform);
  return {
    uniform,
    normal,
    between: (lo, hi) => lo + (hi - lo) * uniform(),
    logBetween: (lo, hi) => lo * Math.exp(Math.log(hi / lo) * uniform()),
    int: (lo, hi) => lo + Math.min(hi - lo, Math.floor((hi - lo + 1) * uniform())),
  };
}

/** Below this mean [e-] shot noise is drawn exactly; above it the Gaussian limit is used. */
export const POISSON_EXACT_BELOW = 50;

/**
 * An exact Poisson deviate for small means by inversion (sequential search from 0). Costs about
 * mean + 1 steps, so it is only used below POISSON_EXACT_BELOW, where exp(-mean) is far from
 * underflow.
 */
export function poissonSmall(mean: number, uniform: () => number): number {
  if (!(mean > 0)) return 0;
  const u = uniform();
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  // the k < 1000 guard only matters if u rounds above the summed cdf (~1e-16 short of 1)
  while (u >= cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}
