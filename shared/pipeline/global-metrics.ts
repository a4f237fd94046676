/**
 * P2.4 global frame metrics, measured on the proxy P of the normalized frame (strict profile:
 * on each channel proxy):
 * - sigma_f: sigma_MAD of the non-object proxy pixels (object mask as in P2.2, radius-3 dilation);
 * - E_f: mean of |grad P'|^2 (P' = 3x3 median of P) over valid pixels with the largest 0.1 %
 *   dropped, divided by sigma_f^2. [DIFF] The REF median of |grad|^2 over background pixels is a
 *   noise measure (about 16.6 sigma^2); E/sigma^2 is flat for pure noise and grows with sharp stars;
 *   the 3x3 median keeps single hot pixels from counting as structure.
 * - B_f: the raw background used by Q: mono/plane value; OSC 0.25 B_R + 0.5 B_G + 0.25 B_B [REF];
 *   RGB (practical) the plane mean, matching Y = mean of planes.
 */
import { sobelMagnitudeSq } from '../image/filters';
import { type ColorMode, type Image } from '../image/image';
import { allPixels, radixMedianAndSigmaMad } from '../image/radix-median';
import { median3x3BySortedColumns } from '../image/rank-filters';
import { selectInPlace } from '../image/stats';
import { channelProxies, proxyOf, type Plane } from '../image/views';
import { objectMask, type ColourLayout } from './background';
import { smallestSumWasm } from './wasm/bg-select';

export const EPS_MAD = 1e-6;
/** Share of the largest |grad|^2 values left out of E (stars' saturated cores, residual hot pixels). */
export const E_TOP_DROP_FRACTION = 0.001;

export interface GlobalMetrics {
  /** Raw background for Q (input ADU). */
  readonly B: number;
  /** Noise of the normalized proxy (relative to the background). */
  readonly sigma: number;
  /** Structure energy over noise, dimensionless. */
  readonly E: number;
}

export type PipelineProfile = 'practical' | 'strict';

/** sigma and E of one proxy plane. NaN sigma/E if the plane has no valid pixel. */
export function proxyNoiseAndStructure(proxy: Plane): { sigma: number; E: number } {
  const { width: w, height: h, data } = proxy;
  const asImage: Image = { width: w, height: h, planes: 1, data };
  const mask = objectMask(asImage, { colorMode: 'MONO' });
  const sigma = radixMedianAndSigmaMad(data, allPixels(w * h), mask).sigma;

  const grad = sobelMagnitudeSq(median3x3BySortedColumns(data, w, h), w, h);
  // the kernel does the gather, the select and the sum below, the same arrangement swap for swap
  const fast = smallestSumWasm(grad, (m) => m - Math.floor(E_TOP_DROP_FRACTION * m));
  if (fast !== null) {
    if (fast.m === 0 || !Number.isFinite(sigma)) return { sigma, E: Number.NaN };
    const noise = Math.max(sigma, EPS_MAD);
    return { sigma, E: fast.sum / fast.keep / (noise * noise) };
  }
  // one gather pass into a plane-sized array; g is its finite prefix, in row-major order as before
  // (selectInPlace's arrangement, and so the summation order, depends on exactly that array)
  const all = new Float64Array(grad.length);
  let m = 0;
  for (let i = 0; i < grad.length; i++) {
    const v = grad[i];
    if (v - v === 0) all[m++] = v;
  }
  if (m === 0 || !Number.isFinite(sigma)) return { sigma, E: Number.NaN };
  const g = all.subarray(0, m);
  const drop = Math.floor(E_TOP_DROP_FRACTION * m);
  const keep = m - drop;
  // after selecting rank `keep`, g[0..keep) holds the `keep` smallest values
  if (drop > 0) selectInPlace(g, keep);
  let s = 0;
  for (let i = 0; i < keep; i++) s += g[i];
  // a noise-free (constant) proxy has sigma 0: the floor keeps E finite (it is 0 there)
  const noise = Math.max(sigma, EPS_MAD);
  return { sigma, E: s / keep / (noise * noise) };
}

/** B_f for Q from the per-colour raw backgrounds of P2.2 (luminance channel). */
export function backgroundForQ(background: readonly number[], colorMode: ColorMode): number {
  if (colorMode === 'MONO') return background[0];
  if (colorMode === 'OSC') return 0.25 * background[0] + 0.5 * background[1] + 0.25 * background[2];
  return (background[0] + background[1] + background[2]) / 3;
}

/**
 * Global metrics of one normalized frame. practical: one entry (luminance proxy);
 * strict: one entry per channel (MONO [L]; RGB/OSC [R, G, B]) with that channel's raw B.
 */
export function measureGlobalMetrics(
  normalized: Image,
  layout: ColourLayout,
  rawBackground: readonly number[],
  profile: PipelineProfile,
  /** proxyOf(normalized) when the caller has built it already (P2 writes it anyway). */
  proxy?: Plane,
): GlobalMetrics[] {
  if (profile === 'practical' || layout.colorMode === 'MONO') {
    const { sigma, E } = proxyNoiseAndStructure(proxy ?? proxyOf(normalized));
    return [{ B: backgroundForQ(rawBackground, layout.colorMode), sigma, E }];
  }
  return channelProxies(normalized, layout.colorMode, layout.pattern).map((p, c) => {
    const { sigma, E } = proxyNoiseAndStructure(p);
    return { B: rawBackground[c], sigma, E };
  });
}
