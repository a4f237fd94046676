import { gaussianBlur } from '../../image/gaussian';
import { warpImage } from '../../image/warp';
import { composeAffine, rotationAbout, toFullResolution, translation, type Affine2x3 } from './affine';
import { eccAlign } from './ecc';
import { estimateRotation, phaseCorrelate } from './phase-correlation';

/**
 * Intensity-based fallbacks of the cascade (METHOD.md P4.5) for frames without usable stars.
 * robust_phase_ecc: P -> Gaussian(2) -> 3x3 Laplacian -> min-max, 3-level 2x2-mean pyramid; at the
 * coarsest level rotation (log-polar) then translation (phase correlation); ECC at every level.
 * hybrid_phase_ecc: the same without Laplacian and pyramid.
 * Pyramid levels relate like proxy and full resolution (finer = 2*coarser + 0.5), so a coarse
 * matrix is carried to the next level by `toFullResolution`.
 */

export type IntensityMethod = 'robust_phase_ecc' | 'hybrid_phase_ecc';

interface Level {
  readonly w: number;
  readonly h: number;
  /** Input of the phase correlation. */
  readonly phase: Float32Array;
  /** Input of ECC: Gaussian sigma 1.5, min-max scaled. */
  readonly ecc: Float32Array;
}

/** Preprocessed pyramid of one proxy; computed once per reference and per moving frame. */
export interface IntensityPyramid {
  readonly method: IntensityMethod;
  /** levels[0] = full proxy resolution. */
  readonly levels: readonly Level[];
}

const PYRAMID_LEVELS = 3;

export function minMaxScale(img: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < img.length; i++) {
    const v = img[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(img.length);
  const span = hi - lo;
  for (let i = 0; i < img.length; i++) {
    const v = img[i];
    out[i] = v !== v ? Number.NaN : span > 0 ? (v - lo) / span : 0;
  }
  return out;
}

/** 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0], edge-replicated, NaN if any input is NaN. */
export function laplacian3x3(img: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const yu = y > 0 ? y - 1 : 0;
    const yd = y < h - 1 ? y + 1 : h - 1;
    for (let x = 0; x < w; x++) {
      const xl = x > 0 ? x - 1 : 0;
      const xr = x < w - 1 ? x + 1 : w - 1;
      out[y * w + x] = img[yu * w + x] + img[yd * w + x] + img[y * w + xl] + img[y * w + xr] - 4 * img[y * w + x];
    }
  }
  return out;
}

/** 2x2 block mean over valid pixels (odd last row/column dropped); NaN if all four are NaN. */
export function halve(img: Float32Array, w: number, h: number): { data: Float32Array; w: number; h: number } {
  const hw = w >> 1;
  const hh = h >> 1;
  const out = new Float32Array(hw * hh);
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++) {
      const i = 2 * y * w + 2 * x;
      let s = 0;
      let n = 0;
      for (const v of [img[i], img[i + 1], img[i + w], img[i + w + 1]]) {
        if (v === v) {
          s += v;
          n++;
        }
      }
      out[y * hw + x] = n > 0 ? s / n : Number.NaN;
    }
  }
  return { data: out, w: hw, h: hh };
}

export function buildIntensityPyramid(proxy: Float32Array, w: number, h: number, method: IntensityMethod): IntensityPyramid {
  const nLevels = method === 'robust_phase_ecc' ? PYRAMID_LEVELS : 1;
  const blurred = gaussianBlur(proxy, w, h, 2);
  const phase0 = minMaxScale(method === 'robust_phase_ecc' ? laplacian3x3(blurred, w, h) : blurred);
  const levels: Level[] = [];
  let raw = { data: proxy, w, h };
  let ph = { data: phase0, w, h };
  for (let l = 0; l < nLevels; l++) {
    if (l > 0) {
      if (raw.w < 16 || raw.h < 16) break;
      raw = halve(raw.data, raw.w, raw.h);
      ph = halve(ph.data, ph.w, ph.h);
    }
    levels.push({ w: raw.w, h: raw.h, phase: ph.data, ecc: minMaxScale(gaussianBlur(raw.data, raw.w, raw.h, 1.5)) });
  }
  return { method, levels };
}

/** Reference -> moving proxy matrix from intensities, or a reason why none was found. */
export function registerByIntensity(
  ref: IntensityPyramid,
  mov: IntensityPyramid,
  allowRotation: boolean,
): { ok: true; matrix: Affine2x3; rho: number } | { ok: false; reason: string } {
  if (ref.method !== mov.method || ref.levels.length !== mov.levels.length) throw new RangeError('registerByIntensity: pyramids differ in method or depth');
  const top = ref.levels.length - 1;
  const R = ref.levels[top];
  const Mv = mov.levels[top];
  if (R.w !== Mv.w || R.h !== Mv.h) return { ok: false, reason: 'reference and moving proxies differ in size' };
  const cx = (R.w - 1) / 2;
  const cy = (R.h - 1) / 2;
  const thetas: number[] = [0];
  if (allowRotation) {
    const rot = estimateRotation(R.phase, Mv.phase, R.w, R.h);
    const t = (rot.thetaDeg * Math.PI) / 180;
    thetas.length = 0;
    thetas.push(t, t + Math.PI);
  }
  let best: Affine2x3 | null = null;
  let bestPeak = -Infinity;
  for (const t of thetas) {
    const Rc = rotationAbout(t, cx, cy);
    // derotated(q) = mov(Rc*q); derotated(x) = ref(x - d)  =>  M = Rc ∘ T(d)
    const derot = warpImage({ width: R.w, height: R.h, planes: 1, data: Mv.phase }, Rc, R.w, R.h, 'bilinear').data;
    const s = phaseCorrelate(R.phase, derot, R.w, R.h);
    if (s.peak > bestPeak) {
      bestPeak = s.peak;
      best = composeAffine(Rc, translation(s.dx, s.dy));
    }
  }
  if (!best || !best.every(Number.isFinite)) return { ok: false, reason: 'phase correlation found no peak' };
  let M: Affine2x3 = best;
  let rho = Number.NaN;
  for (let l = top; l >= 0; l--) {
    if (l < top) M = toFullResolution(M);
    const finest = l === 0;
    const e = eccAlign(ref.levels[l].ecc, mov.levels[l].ecc, ref.levels[l].w, ref.levels[l].h, M, {
      maxIterations: finest ? 200 : 100,
      eps: finest ? 1e-6 : 1e-4,
      rotation: allowRotation,
    });
    if (e) {
      M = e.matrix;
      rho = e.rho;
    }
  }
  return { ok: true, matrix: M, rho };
}
