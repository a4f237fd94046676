import type { Image } from '../image/image';
import { bayerColorAt, type BayerPattern } from '../image/image';
import { median } from '../image/stats';
import { MASTER_CLIP_PARAMS, WeightedSigmaClipper } from './sigma-clip';

/**
 * P1 calibration, pure parts (METHOD.md section 2 "Calibration"): per-pixel sigma-clipped means of
 * calibration frames (the P9 routine with equal weights, 3/3 sigma, 3 iterations, min_fraction 0.5),
 * dark selection by exposure (and temperature), flat normalization per CFA colour (per plane for
 * RGB), and light = (raw − bias − dark) / flat with flat < flat_min → NaN.
 */

/** Sigma-clipped mean per pixel of `n` frames of `size` values each, laid out [frame][pixel]. */
export function combineFrames(stack: Float32Array, n: number, size: number): Float32Array {
  if (stack.length !== n * size) throw new RangeError(`combineFrames: ${stack.length} values for ${n} frames of ${size}`);
  const out = new Float32Array(size);
  const clipper = new WeightedSigmaClipper(MASTER_CLIP_PARAMS, Math.max(1, n));
  const vals = new Float64Array(n);
  for (let i = 0; i < size; i++) {
    let k = 0;
    for (let f = 0; f < n; f++) {
      const v = stack[f * size + i];
      if (Number.isFinite(v)) vals[k++] = v;
    }
    out[i] = k === 0 ? Number.NaN : clipper.clip(vals, null, k);
  }
  return out;
}

export interface DarkCandidate {
  readonly exposureS: number | null;
  readonly tempC: number | null;
}

export interface DarkSelection {
  /** Indices of the darks to combine. */
  readonly use: number[];
  /** Multiply the combined (bias-subtracted) dark by this to match the lights (1 = exact match). */
  readonly scale: number;
  readonly reason: string;
}

/**
 * Darks whose EXPTIME is within `tolerancePercent` of the lights' median (and CCD-TEMP within
 * `tempToleranceC` when `useTemp`). Without a match, `scaleToExposure` (with bias subtraction) uses
 * every dark scaled by t_light / t_dark; otherwise null (CALIBRATION_MISMATCH).
 */
export function selectDarks(
  darks: readonly DarkCandidate[],
  light: { exposureS: number | null; tempC: number | null },
  cfg: { autoSelect: boolean; tolerancePercent: number; useTemp: boolean; tempToleranceC: number; scaleToExposure: boolean; biasSubtracted: boolean },
): DarkSelection | null {
  if (darks.length === 0) return null;
  if (!cfg.autoSelect || light.exposureS === null) return { use: darks.map((_, i) => i), scale: 1, reason: 'all darks' };
  const tol = (cfg.tolerancePercent / 100) * light.exposureS;
  const tempOk = (d: DarkCandidate) => !cfg.useTemp || light.tempC === null || (d.tempC !== null && Math.abs(d.tempC - light.tempC) <= cfg.tempToleranceC);
  const match = darks.map((d, i) => ({ d, i })).filter(({ d }) => d.exposureS !== null && Math.abs(d.exposureS - (light.exposureS as number)) <= tol && tempOk(d));
  if (match.length > 0) return { use: match.map((m) => m.i), scale: 1, reason: `${match.length} dark(s) within ±${cfg.tolerancePercent} % of ${light.exposureS} s` };
  if (cfg.scaleToExposure && cfg.biasSubtracted) {
    const usable = darks.map((d, i) => ({ d, i })).filter(({ d }) => d.exposureS !== null && d.exposureS > 0 && tempOk(d));
    if (usable.length === 0) return null;
    const tDark = median(usable.map((u) => u.d.exposureS as number));
    return { use: usable.map((u) => u.i), scale: light.exposureS / tDark, reason: `no dark of ${light.exposureS} s: master dark of ${tDark} s scaled by ${(light.exposureS / tDark).toFixed(4)}` };
  }
  return null;
}

/** Divides a flat by its own median per CFA colour (mosaic) or per plane. */
export function normalizeFlat(flat: Image, pattern: BayerPattern | null): Image {
  const out = new Float32Array(flat.data);
  const n = flat.width * flat.height;
  if (pattern && flat.planes === 1) {
    for (let c = 0; c < 3; c++) {
      const vals: number[] = [];
      for (let y = 0; y < flat.height; y++) for (let x = 0; x < flat.width; x++) if (bayerColorAt(pattern, x, y) === c) vals.push(flat.data[y * flat.width + x]);
      const m = median(vals);
      for (let y = 0; y < flat.height; y++) for (let x = 0; x < flat.width; x++) if (bayerColorAt(pattern, x, y) === c) out[y * flat.width + x] /= m;
    }
  } else {
    for (let c = 0; c < flat.planes; c++) {
      const m = median(flat.data.subarray(c * n, (c + 1) * n));
      for (let i = c * n; i < (c + 1) * n; i++) out[i] /= m;
    }
  }
  return { ...flat, data: out };
}

export interface Masters {
  /** bias + scaled dark, already combined (one subtraction per pixel). */
  readonly offset: Float32Array | null;
  /** Normalized flat. */
  readonly flat: Float32Array | null;
}

/** light = (raw − offset) / flat; flat < flatMin (or non-finite) → NaN. Returns a new image. */
export function applyCalibration(raw: Image, masters: Masters, flatMin: number): Image {
  const n = raw.data.length;
  if (masters.offset && masters.offset.length !== n) throw new RangeError('calibration master size differs from the light frame');
  if (masters.flat && masters.flat.length !== n) throw new RangeError('calibration master size differs from the light frame');
  const out = new Float32Array(n);
  const off = masters.offset;
  const flat = masters.flat;
  for (let i = 0; i < n; i++) {
    let v = raw.data[i] - (off ? off[i] : 0);
    if (flat) {
      const f = flat[i];
      v = f >= flatMin ? v / f : Number.NaN;
    }
    out[i] = v;
  }
  return { ...raw, data: out };
}
