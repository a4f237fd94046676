import type { Image } from '../image/image';
import { medianAndSigmaMad } from '../image/stats';

/**
 * Preview rendering (METHOD.md section 5): long side <= 2048 by block means, linked auto-stretch
 * (one black point and one midtone transfer for all channels): black = median - 2.8*sigma_MAD,
 * the median maps to 0.25. Pure: returns interleaved 8- or 16-bit pixels; the runner encodes the
 * PNG with sharp (`raw: { width, height, channels }`, 16-bit via depth 'ushort').
 */

export const PREVIEW_MAX_LONG_SIDE = 2048;
export const STRETCH_SHADOWS_SIGMA = 2.8;
export const STRETCH_TARGET_MEDIAN = 0.25;
/** Statistics read a regular subsample of about this many pixels per plane: exact enough, bounded RAM. */
const STATS_SAMPLE_PIXELS = 1 << 20;

export interface PreviewOptions {
  readonly maxLongSide?: number;
  readonly depth?: 8 | 16;
}

export interface PreviewImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly depth: 8 | 16;
  /** Interleaved (RGBRGB... or grey), row-major. */
  readonly data: Uint8Array | Uint16Array;
}

export interface StretchParams {
  readonly black: number;
  readonly white: number;
  readonly median: number;
  /** Midtone balance m of MTF(m, x) = (m-1)x/((2m-1)x - m). */
  readonly midtone: number;
}

/** Integer block factor so that ceil(long/k) <= maxLongSide. */
export function previewFactor(width: number, height: number, maxLongSide = PREVIEW_MAX_LONG_SIDE): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxLongSide));
}

/** k x k block means of the finite pixels (NaN if a block has none); edge blocks are partial. */
export function downsampleBlocks(image: Image, k: number): Image {
  if (k === 1) return image;
  const { width: w, height: h, planes } = image;
  const ow = Math.ceil(w / k);
  const oh = Math.ceil(h / k);
  const out = new Float32Array(planes * ow * oh);
  const sum = new Float64Array(ow);
  const cnt = new Float64Array(ow);
  for (let c = 0; c < planes; c++) {
    for (let by = 0; by < oh; by++) {
      sum.fill(0);
      cnt.fill(0);
      for (let y = by * k; y < Math.min(h, (by + 1) * k); y++) {
        const row = (c * h + y) * w;
        for (let x = 0; x < w; x++) {
          const v = image.data[row + x];
          if (v - v !== 0) continue;
          const bx = (x / k) | 0;
          sum[bx] += v;
          cnt[bx]++;
        }
      }
      for (let bx = 0; bx < ow; bx++) out[(c * oh + by) * ow + bx] = cnt[bx] > 0 ? sum[bx] / cnt[bx] : Number.NaN;
    }
  }
  return { width: ow, height: oh, planes, data: out };
}

export function mtf(m: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return ((m - 1) * x) / ((2 * m - 1) * x - m);
}

/**
 * Linked stretch parameters: median and sigma_MAD over all planes pooled (a regular subsample of
 * `stats`), white = max of `display`, m such that MTF(m, x_median) = 0.25.
 */
export function autoStretchParams(stats: Image, display: Image): StretchParams {
  const { width: w, height: h, planes } = stats;
  const step = Math.max(1, Math.ceil(Math.sqrt((w * h) / STATS_SAMPLE_PIXELS)));
  // a typed sample: the same exact median and MAD as from an array (stats.ts), without ~1M pushes
  // into a JS array (~0.15 s of the M run's finish)
  const sample = new Float64Array(planes * Math.ceil(h / step) * Math.ceil(w / step));
  let k = 0;
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < h; y += step) {
      for (let x = 0; x < w; x += step) sample[k++] = stats.data[(c * h + y) * w + x];
    }
  }
  const { median, sigma } = medianAndSigmaMad(sample);
  let white = Number.NEGATIVE_INFINITY;
  const shown = display.data;
  for (let i = 0; i < shown.length; i++) if (shown[i] > white) white = shown[i];
  const black = median - STRETCH_SHADOWS_SIGMA * sigma;
  const xm = white > black ? (median - black) / (white - black) : 0;
  // MTF(m, x_m) = t  <=>  m = MTF(t, x_m); a degenerate median (0 or 1) keeps the transfer linear
  const midtone = xm > 0 && xm < 1 ? mtf(STRETCH_TARGET_MEDIAN, xm) : 0.5;
  return { black, white, median, midtone };
}

export function stretchValue(v: number, p: StretchParams): number {
  if (!(v - v === 0) || !(p.white > p.black)) return 0;
  const x = (v - p.black) / (p.white - p.black);
  return mtf(p.midtone, x);
}

/** Mono or RGB float image -> stretched, downsampled, interleaved preview pixels. */
export function renderPreview(image: Image, options: PreviewOptions = {}): PreviewImage {
  if (image.planes !== 1 && image.planes !== 3) throw new RangeError(`preview: 1 or 3 planes expected, got ${image.planes}`);
  const depth = options.depth ?? 8;
  const small = downsampleBlocks(image, previewFactor(image.width, image.height, options.maxLongSide));
  const params = autoStretchParams(image, small);
  const np = small.width * small.height;
  const channels = image.planes as 1 | 3;
  const maxCode = depth === 8 ? 255 : 65535;
  const data = depth === 8 ? new Uint8Array(np * channels) : new Uint16Array(np * channels);
  for (let i = 0; i < np; i++) {
    for (let c = 0; c < channels; c++) {
      data[i * channels + c] = Math.round(stretchValue(small.data[c * np + i], params) * maxCode);
    }
  }
  return { width: small.width, height: small.height, channels, depth, data };
}
