import type { Image } from '../image/image';
import { boxResidual, sobelMagnitudeSq } from '../image/filters';
import { percentile, medianInPlace } from '../image/stats';
import { allPixels, radixMedian, radixMedianAndSigmaMad } from '../image/radix-median';
import type { TileGrid } from './tile-grid';

/**
 * P13 validation (METHOD.md): checks never abort a run; a failed check turns the run status into
 * validation_failed with complete outputs.
 */

export interface ValidationConfig {
  readonly validation: {
    readonly min_fwhm_improvement_percent: number;
    readonly min_tile_weight_variance: number;
    readonly require_no_tile_pattern: boolean;
  };
}

export const TILE_PATTERN_MAX_RATIO = 1.5;
export const TILE_PATTERN_P95_RATIO = 1.25;
const LINE_OFFSET_PX = 2;

export interface FwhmCheck {
  readonly fwhmBase: number | null;
  readonly fwhmResult: number | null;
  readonly seeing: number | null;
  /** 100*(base - result)/base; null when either FWHM is undefined. */
  readonly improvementPercent: number | null;
  /** 100*(F - result)/F against the seeing F [REF], reported only. */
  readonly improvementVsSeeingPercent: number | null;
  /** False only when both FWHMs exist and the improvement is below the minimum. */
  readonly pass: boolean;
  readonly skipped: boolean;
}

/** FWHM of the result vs the equal-weight mean stack (checked) and vs the seeing F (reported). */
export function checkFwhmImprovement(fwhmBase: number | null, fwhmResult: number | null, seeing: number | null, minPercent: number): FwhmCheck {
  const ok = (v: number | null): v is number => v !== null && Number.isFinite(v) && v > 0;
  const improvementPercent = ok(fwhmBase) && ok(fwhmResult) ? (100 * (fwhmBase - fwhmResult)) / fwhmBase : null;
  const improvementVsSeeingPercent = ok(seeing) && ok(fwhmResult) ? (100 * (seeing - fwhmResult)) / seeing : null;
  return {
    fwhmBase: ok(fwhmBase) ? fwhmBase : null,
    fwhmResult: ok(fwhmResult) ? fwhmResult : null,
    seeing: ok(seeing) ? seeing : null,
    improvementPercent,
    improvementVsSeeingPercent,
    pass: improvementPercent === null || improvementPercent >= minPercent,
    skipped: improvementPercent === null,
  };
}

/** mean_f W[f,t] per tile from the N x tiles table `w[f*tiles + t]` (non-finite W counts as 0). */
export function meanTileWeights(w: ArrayLike<number>, nFrames: number, nTiles: number): Float64Array {
  const out = new Float64Array(nTiles);
  for (let f = 0; f < nFrames; f++) {
    for (let t = 0; t < nTiles; t++) {
      const v = w[f * nTiles + t];
      if (Number.isFinite(v)) out[t] += v;
    }
  }
  for (let t = 0; t < nTiles; t++) out[t] /= Math.max(1, nFrames);
  return out;
}

export interface TileWeightVarianceCheck {
  /** var/mean^2 (population variance) over tiles of mean_f W[f,t]. */
  readonly value: number;
  readonly pass: boolean;
}

export function checkTileWeightVariance(meanWeights: ArrayLike<number>, minVariance: number): TileWeightVarianceCheck {
  let s = 0;
  let n = 0;
  for (let t = 0; t < meanWeights.length; t++) {
    if (Number.isFinite(meanWeights[t])) {
      s += meanWeights[t];
      n++;
    }
  }
  const mean = n > 0 ? s / n : Number.NaN;
  let ss = 0;
  for (let t = 0; t < meanWeights.length; t++) if (Number.isFinite(meanWeights[t])) ss += (meanWeights[t] - mean) ** 2;
  const value = n > 0 && mean !== 0 ? ss / n / (mean * mean) : Number.NaN;
  return { value, pass: Number.isFinite(value) && value >= minVariance };
}

export interface TilePatternLine {
  readonly axis: 'column' | 'row';
  readonly position: number;
  readonly ratio: number;
}

export interface TilePatternCheck {
  readonly lines: readonly TilePatternLine[];
  readonly maxRatio: number;
  readonly p95Ratio: number;
  readonly pass: boolean;
}

/**
 * Median of the Sobel magnitude along one line. [DIFF] The reference takes the mean, which one
 * bright star crossing an origin line drives above the 1.5 limit even on a plain mean stack (measured
 * on small canvases: ratios 1.2–1.33 with no seam at all); a seam raises the whole line, so the
 * median sees it and the stars do not.
 */
function lineMedian(mag: Float32Array, w: number, h: number, axis: 'column' | 'row', pos: number): number {
  const n = axis === 'column' ? h : w;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = axis === 'column' ? mag[i * w + pos] : mag[pos * w + i];
  return medianInPlace(v);
}

/** Luminance of an image: the plane itself, or the mean of the planes. */
export function luminanceOf(image: Image): Float32Array {
  const np = image.width * image.height;
  if (image.planes === 1) return image.data.subarray(0, np);
  const out = new Float32Array(np);
  for (let i = 0; i < np; i++) {
    let s = 0;
    for (let c = 0; c < image.planes; c++) s += image.data[c * np + i];
    out[i] = s / image.planes;
  }
  return out;
}

/**
 * Tile pattern [REF]: Sobel magnitude of the result (NaN -> 0); for every interior tile origin
 * column (row) the median over that line divided by the mean of the medians of the lines at +-2 px. A seam lives on
 * the origin lines, where a tile's window starts. Pass iff max < 1.5 and p95 < 1.25.
 */
export function checkTilePattern(image: Image, grid: TileGrid): TilePatternCheck {
  const { width: w, height: h } = image;
  // the magnitude replaces its square in place: one canvas-sized buffer instead of two
  const mag = sobelMagnitudeSq(luminanceOf(image), w, h);
  for (let i = 0; i < mag.length; i++) mag[i] = mag[i] === mag[i] ? Math.sqrt(mag[i]) : 0;
  const lines: TilePatternLine[] = [];
  const scan = (axis: 'column' | 'row', origins: readonly number[], extent: number) => {
    for (const p of origins) {
      if (p - LINE_OFFSET_PX < 0 || p + LINE_OFFSET_PX >= extent) continue;
      const line = lineMedian(mag, w, h, axis, p);
      const side = 0.5 * (lineMedian(mag, w, h, axis, p - LINE_OFFSET_PX) + lineMedian(mag, w, h, axis, p + LINE_OFFSET_PX));
      // a flat neighbourhood: no structure either way is no seam; structure only on the line is one
      const ratio = side > 1e-12 ? line / side : line > 1e-12 ? Number.POSITIVE_INFINITY : 1;
      lines.push({ axis, position: p, ratio });
    }
  };
  scan('column', [...new Set(grid.xOrigins)].filter((x) => x > 0), w);
  scan('row', [...new Set(grid.yOrigins)].filter((y) => y > 0), h);
  if (lines.length === 0) return { lines, maxRatio: Number.NaN, p95Ratio: Number.NaN, pass: true };
  const ratios = lines.map((l) => l.ratio);
  const maxRatio = Math.max(...ratios);
  const finite = ratios.filter(Number.isFinite);
  const p95Ratio = finite.length === ratios.length ? percentile(ratios, 95) : Number.POSITIVE_INFINITY;
  return { lines, maxRatio, p95Ratio, pass: maxRatio < TILE_PATTERN_MAX_RATIO && p95Ratio < TILE_PATTERN_P95_RATIO };
}

/**
 * Background noise: sigma_MAD of the high-passed (Y - box31(Y)) star-free background, where
 * background pixels are Y <= median(Y) + 3*sigma_MAD(high-pass), as in P6.5.
 */
export function backgroundNoise(image: Image): number {
  const { width: w, height: h } = image;
  const y = luminanceOf(image);
  const k = Math.min(31, oddAtMost(Math.min(w, h)));
  // the high-pass in float32 (storage precision, METHOD.md 0; the noise changes in the 7th digit):
  // a 24 MP validation holds one extra canvas, not four. The medians read typed arrays uncopied.
  const r = boxResidual(y, w, h, k);
  // the radix medians (image/radix-median.ts) give stats.ts's values (medianOfFinite, sigmaMad) at a
  // fraction of their time on whole images: ~0.5 s of the host's finish on the M set before
  const bg0 = radixMedian(y, allPixels(y.length));
  const s0 = radixMedianAndSigmaMad(r, allPixels(r.length)).sigma;
  // the background residuals are packed to the front of r itself
  let n = 0;
  for (let i = 0; i < r.length; i++) if (Number.isFinite(r[i]) && y[i] <= bg0 + 3 * s0) r[n++] = r[i];
  return radixMedianAndSigmaMad(r, allPixels(n)).sigma;
}

function oddAtMost(n: number): number {
  return Math.max(1, n % 2 === 1 ? n : n - 1);
}

export interface ValidationInput {
  readonly result: Image;
  readonly meanStack: Image | null;
  readonly grid: TileGrid;
  /** mean_f W[f,t] per tile. */
  readonly meanTileWeights: ArrayLike<number>;
  readonly fwhmResult: number | null;
  readonly fwhmMeanStack: number | null;
  readonly seeing: number | null;
  /** Reported only. */
  readonly ess: number | null;
}

export interface ValidationReport {
  readonly fwhm: FwhmCheck;
  readonly tileWeightVariance: TileWeightVarianceCheck;
  /** Null when validation.require_no_tile_pattern is false. */
  readonly tilePattern: TilePatternCheck | null;
  readonly backgroundNoise: { readonly result: number; readonly meanStack: number | null; readonly ratio: number | null };
  readonly ess: number | null;
  /** Names of the failed checks; empty = ok. */
  readonly failed: readonly ('fwhm_improvement' | 'tile_weight_variance' | 'tile_pattern')[];
  readonly pass: boolean;
}

export function validateResult(input: ValidationInput, cfg: ValidationConfig): ValidationReport {
  const v = cfg.validation;
  const fwhm = checkFwhmImprovement(input.fwhmMeanStack, input.fwhmResult, input.seeing, v.min_fwhm_improvement_percent);
  const twv = checkTileWeightVariance(input.meanTileWeights, v.min_tile_weight_variance);
  const tilePattern = v.require_no_tile_pattern ? checkTilePattern(input.result, input.grid) : null;
  const noiseResult = backgroundNoise(input.result);
  const noiseMean = input.meanStack ? backgroundNoise(input.meanStack) : null;
  const failed: ('fwhm_improvement' | 'tile_weight_variance' | 'tile_pattern')[] = [];
  if (!fwhm.pass) failed.push('fwhm_improvement');
  if (!twv.pass) failed.push('tile_weight_variance');
  if (tilePattern && !tilePattern.pass) failed.push('tile_pattern');
  return {
    fwhm,
    tileWeightVariance: twv,
    tilePattern,
    backgroundNoise: { result: noiseResult, meanStack: noiseMean, ratio: noiseMean !== null && noiseMean > 0 ? noiseResult / noiseMean : null },
    ess: input.ess,
    failed,
    pass: failed.length === 0,
  };
}
