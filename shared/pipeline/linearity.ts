import type { DataConfig, LinearityConfig } from '../config/config-types';
import type { Image } from '../image/image';
import { sobelMagnitudeSq } from '../image/filters';
import { mean, percentile, stdDev } from '../image/stats';

/**
 * Linearity heuristic of the scan checks (METHOD.md section 2) [REF], warning only: users feed
 * stretched exports by mistake (a TIFF->FITS conversion, a Siril autostretched save) and the stack
 * is then silently wrong. A few frames are downsampled to <= 256 px and judged by five statistics;
 * a frame is linear iff every test passes at the configured strictness.
 *
 * Definitions (on the finite pixels of the downsampled frame `s`):
 * - tail_p99 = (p99 - p50)/(p50 - p1), tail_p95 = (p95 - p50)/(p50 - p5); percentiles by the
 *   section 0 rule (element round(p/100*(n-1)), shared/image/stats `percentile`). A zero
 *   denominator gives +Infinity (0 when the numerator is 0 too): half the frame clipped to its
 *   floor is itself a sign of a stretch.
 * - sd_over_mean = SD/|mean|, population SD (the REF's n-1 differs by < 1e-5 relative at these n).
 * - low_freq_energy = share of sum |F|^2 of the unnormalised 2-D DFT in its four corner blocks of
 *   side r = max(1, floor(min(h,w)/8)) (frequencies kx in [0,r) u [w-r,w), ky likewise, each bin
 *   counted once). The DC term counts, as in the REF: without it a linear sky frame (a pedestal
 *   plus white noise) would score ~4 r^2/(w h) = 1/16 and fail at every strictness, while with it
 *   the pedestal puts nearly all energy in the corners. A stretch lifts the noise and the stars
 *   relative to the mean, moving energy out of the corners. NaN pixels are replaced by the mean.
 *   Computed exactly at any size: the total by Parseval (sum |F|^2 = w h sum s^2) and only the
 *   (2r)^2 corner bins by a direct separable DFT (rows: w h 2r terms, then 2r columns), ~2.4 M
 *   multiply-adds for 256 x 192. shared/image/fft.ts is radix-2 only, and padding a frame whose
 *   energy sits in its pedestal to a power of two would add a step edge (energy far from the
 *   corners), cropping would drop up to half the pixels.
 * - gradient = 2*mean|grad|/|mean| with |grad| = sqrt(Gx^2 + Gy^2), the unnormalised 3x3 Sobel of
 *   METHOD.md section 0 (edge-replicated; the REF's OpenCV default is reflect-101, which only
 *   touches the border row/column), mean over pixels whose window holds no NaN.
 * Thresholds: (a, b, c) are METHOD.md's. The tail tests keep METHOD's 1.2 at `strict` only.
 * [DIFF] At `moderate` and `permissive` the tail tests are off. Bright sources lengthen the upper
 * tail of linear data, while the concave stretches users make by mistake mostly shorten it.
 * Measured on 262 linear synthetic bench frames (uint16, pedestal 200 + sky ~800 ADU;
 * bench/cache/S, bench/cache/quality/{ci,mono-a,mono-b,osc}, /tmp/prof/in): tail_p99 1.01..4.41
 * (all 50 mono-b frames > 1.2; ci/light_00027, 4.41, holds a satellite trail), tail_p95
 * 0.82..1.24, and 6.2..6.5 / 1.9..2.0 on a dense 96x80 star field (the pipeline tests' frames):
 * METHOD's 1.2 flagged 55 of the 262 at every level. Stretched versions of the same frames (asinh /
 * gamma 1/2.2 / Siril-like midtones stretch) measured tail_p99 0.57..3.38, and a tail test was in
 * no case the only failed one: at moderate and permissive they could only add false alarms.
 * The other four limits flagged no linear frame.
 */

export type LinearityStrictness = LinearityConfig['strictness'];

/** A luminance view of a frame downsampled by block means: at most 256 px on its long side. */
export interface LinearitySample {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

export interface LinearityStats {
  readonly tailP99: number;
  readonly tailP95: number;
  readonly sdOverMean: number;
  readonly lowFreqEnergy: number;
  readonly gradient: number;
}

/** Names of the five tests, in the order `failed` lists them. */
export type LinearityTest = 'tail_p99' | 'tail_p95' | 'sd_over_mean' | 'low_freq_energy' | 'gradient';

/** What each test measures, for warning messages. */
export const LINEARITY_TEST_TEXT: Readonly<Record<LinearityTest, string>> = {
  tail_p99: 'bright tail (p99-p50)/(p50-p1)',
  tail_p95: 'bright tail (p95-p50)/(p50-p5)',
  sd_over_mean: 'SD/|mean|',
  low_freq_energy: 'low-frequency energy share',
  gradient: '2*mean|grad|/|mean|',
};

export const LINEARITY_MAX_SIDE = 256;

/** Upper limits (exclusive) of the ratios, lower limit (inclusive) of the energy share. */
export interface LinearityThresholds {
  readonly tailP99: number;
  readonly tailP95: number;
  readonly sdOverMean: number;
  readonly lowFreqEnergy: number;
  readonly gradient: number;
}

/** (a, b, c) of METHOD.md section 2; tail tests off [DIFF] at moderate/permissive (file comment). */
export const LINEARITY_THRESHOLDS: Readonly<Record<LinearityStrictness, LinearityThresholds>> = {
  strict: { tailP99: 1.2, tailP95: 1.2, sdOverMean: 0.5, lowFreqEnergy: 0.95, gradient: 0.5 },
  moderate: { tailP99: Infinity, tailP95: Infinity, sdOverMean: 0.7, lowFreqEnergy: 0.9, gradient: 0.7 },
  permissive: { tailP99: Infinity, tailP95: Infinity, sdOverMean: 1.0, lowFreqEnergy: 0.8, gradient: 1.0 },
};

/**
 * Block-mean downsampling to <= 256 px on the long side. The block is b x b pixels,
 * b = ceil(max(w,h)/256); the last partial row/column of blocks is dropped (as the proxy does).
 * All planes of a block are averaged together (RGB: the luminance, mean of planes). A
 * single-plane frame may be a CFA mosaic (`cfa`, the default for one plane): b is then even and
 * at least 2, so every block holds whole 2x2 cells and the Bayer pattern does not show up as
 * structure; a mono frame only loses one extra 2x binning, which this heuristic does not need.
 * NaN pixels are skipped; an all-NaN block is NaN.
 */
export function downsampleForLinearity(image: Image, opts: { cfa?: boolean } = {}): LinearitySample {
  const { width: w, height: h, planes } = image;
  const cfa = opts.cfa ?? planes === 1;
  let b = Math.max(1, Math.ceil(Math.max(w, h) / LINEARITY_MAX_SIDE));
  if (cfa && b % 2 === 1 && Math.min(w, h) >= b + 1) b += 1;
  // a frame smaller than one block in a dimension keeps one (partial) block there
  const sw = Math.max(1, Math.floor(w / b));
  const sh = Math.max(1, Math.floor(h / b));
  const bw = Math.min(b, w);
  const bh = Math.min(b, h);
  const sums = new Float64Array(sw * sh);
  const counts = new Float64Array(sw * sh);
  const src = image.data;
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < sh * bh; y++) {
      const row = (c * h + y) * w;
      const srow = Math.floor(y / bh) * sw;
      for (let x = 0; x < sw * bw; x++) {
        const v = src[row + x];
        if (v - v !== 0) continue;
        const k = srow + Math.floor(x / bw);
        sums[k] += v;
        counts[k]++;
      }
    }
  }
  const data = new Float64Array(sw * sh);
  for (let i = 0; i < data.length; i++) data[i] = counts[i] > 0 ? sums[i] / counts[i] : Number.NaN;
  return { width: sw, height: sh, data };
}

/** The five statistics of the heuristic (definitions in the file comment). */
export function linearityStats(small: LinearitySample): LinearityStats {
  const { width: w, height: h, data } = small;
  if (data.length !== w * h) throw new RangeError(`linearityStats: ${data.length} values for ${w} x ${h}`);
  const p1 = percentile(data, 1);
  const p5 = percentile(data, 5);
  const p50 = percentile(data, 50);
  const p95 = percentile(data, 95);
  const p99 = percentile(data, 99);
  const m = mean(data);
  return {
    tailP99: ratio(p99 - p50, p50 - p1),
    tailP95: ratio(p95 - p50, p50 - p5),
    sdOverMean: stdDev(data) / Math.abs(m),
    lowFreqEnergy: lowFrequencyShare(data, w, h, m),
    gradient: (2 * meanSobelMagnitude(data, w, h)) / Math.abs(m),
  };
}

function ratio(num: number, den: number): number {
  if (den > 0) return num / den;
  if (num > 0) return Number.POSITIVE_INFINITY;
  return num === 0 && den === 0 ? 0 : Number.NaN;
}

/** Share of the DFT energy in the four corner blocks (see the file comment). NaN if no energy. */
function lowFrequencyShare(data: Float64Array, w: number, h: number, fill: number): number {
  if (!Number.isFinite(fill)) return Number.NaN;
  const x = new Float64Array(w * h);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const v = data[i];
    x[i] = v - v === 0 ? v : fill;
    total += x[i] * x[i];
  }
  total *= w * h;
  if (!(total > 0)) return Number.NaN;
  const r = Math.max(1, Math.floor(Math.min(w, h) / 8));
  const kxs = cornerFrequencies(w, r);
  const kys = cornerFrequencies(h, r);
  const cosW = unitCircle(w, Math.cos);
  const sinW = unitCircle(w, Math.sin);
  const nk = kxs.length;
  // rowRe/rowIm[y*nk + j]: 1-D DFT of row y at frequency kxs[j]
  const rowRe = new Float64Array(h * nk);
  const rowIm = new Float64Array(h * nk);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let j = 0; j < nk; j++) {
      const k = kxs[j];
      let re = 0;
      let im = 0;
      let phase = 0;
      for (let i = 0; i < w; i++) {
        const v = x[o + i];
        re += v * cosW[phase];
        im -= v * sinW[phase];
        phase += k;
        if (phase >= w) phase -= w;
      }
      rowRe[y * nk + j] = re;
      rowIm[y * nk + j] = im;
    }
  }
  const cosH = unitCircle(h, Math.cos);
  const sinH = unitCircle(h, Math.sin);
  let low = 0;
  for (let j = 0; j < nk; j++) {
    for (const k of kys) {
      let re = 0;
      let im = 0;
      let phase = 0;
      for (let y = 0; y < h; y++) {
        // (a + ib)(cos - i sin)
        const a = rowRe[y * nk + j];
        const b = rowIm[y * nk + j];
        re += a * cosH[phase] + b * sinH[phase];
        im += b * cosH[phase] - a * sinH[phase];
        phase += k;
        if (phase >= h) phase -= h;
      }
      low += re * re + im * im;
    }
  }
  return low / total;
}

/** Frequencies [0, r) u [n-r, n), each once, ascending. */
function cornerFrequencies(n: number, r: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (k < r || k >= n - r) out.push(k);
  return out;
}

function unitCircle(n: number, f: (a: number) => number): Float64Array {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = f((2 * Math.PI * i) / n);
  return t;
}

function meanSobelMagnitude(data: Float64Array, w: number, h: number): number {
  const sq = sobelMagnitudeSq(data, w, h);
  let s = 0;
  let n = 0;
  for (let i = 0; i < sq.length; i++) {
    const v = sq[i];
    if (v - v !== 0) continue;
    s += Math.sqrt(v);
    n++;
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Linear iff every test passes; a NaN statistic fails its test. */
export function judgeLinearity(stats: LinearityStats, strictness: LinearityStrictness): { linear: boolean; failed: LinearityTest[] } {
  const t = LINEARITY_THRESHOLDS[strictness];
  if (!t) throw new RangeError(`judgeLinearity: unknown strictness ${String(strictness)}`);
  const failed: LinearityTest[] = [];
  if (!(stats.tailP99 < t.tailP99)) failed.push('tail_p99');
  if (!(stats.tailP95 < t.tailP95)) failed.push('tail_p95');
  if (!(stats.sdOverMean < t.sdOverMean)) failed.push('sd_over_mean');
  if (!(stats.lowFreqEnergy >= t.lowFreqEnergy)) failed.push('low_freq_energy');
  if (!(stats.gradient < t.gradient)) failed.push('gradient');
  return { linear: failed.length === 0, failed };
}

const STAT_OF: Readonly<Record<LinearityTest, keyof LinearityStats>> = {
  tail_p99: 'tailP99',
  tail_p95: 'tailP95',
  sd_over_mean: 'sdOverMean',
  low_freq_energy: 'lowFreqEnergy',
  gradient: 'gradient',
};

/**
 * The user-facing text of one warning: the file, each failed test with its value and limit, and
 * what to do about it, e.g. "light_2.fits: the frame looks stretched (non-linear): 2*mean|grad|/|mean|
 * 3.07 (limit < 0.7) at linearity.strictness moderate. Stack the camera's raw/linear FITS files ...".
 */
export function linearityWarningMessage(w: LinearityWarning, strictness: LinearityStrictness): string {
  const t = LINEARITY_THRESHOLDS[strictness];
  const parts = w.failed.map((name) => {
    const key = STAT_OF[name];
    const limit = key === 'lowFreqEnergy' ? `>= ${t[key]}` : `< ${t[key]}`;
    return `${LINEARITY_TEST_TEXT[name]} ${formatStat(w.stats[key])} (limit ${limit})`;
  });
  return (
    `${w.file}: the frame looks stretched (non-linear): ${parts.join('; ')} at linearity.strictness ${strictness}. ` +
    'Stack the camera\'s raw/linear FITS files, not stretched or display exports (TIFF/JPEG conversions, autostretched saves); ' +
    'if these frames are linear, set linearity.strictness: permissive or data.linear_required: false. The run continues.'
  );
}

function formatStat(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v);
}

export interface LinearityWarning {
  /** The frame's name as given. */
  readonly file: string;
  readonly failed: LinearityTest[];
  readonly stats: LinearityStats;
}

/**
 * Indices of `count` frames spread evenly over `n` (first and last included):
 * round(i*(n-1)/(count-1)), i = 0..count-1, with count = min(maxFrames, n).
 */
export function linearitySampleIndices(n: number, maxFrames: number): number[] {
  const count = Math.min(Math.max(0, Math.floor(maxFrames)), n);
  if (count <= 0) return [];
  if (count === 1) return [0];
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.round((i * (n - 1)) / (count - 1)));
  return out;
}

/**
 * The frames the heuristic looks at: `linearity.max_frames` spread evenly over `frames` (given in
 * order, first and last included), none when `data.linear_required` is false. P2 measures them on
 * the decoded frame it has anyway (before calibration), so the check reads nothing of its own and
 * no longer holds up the start of the run.
 */
export function linearitySample(frames: readonly number[], cfg: { readonly data: Pick<DataConfig, 'linear_required'>; readonly linearity: LinearityConfig }): Set<number> {
  if (!cfg.data.linear_required) return new Set();
  return new Set(linearitySampleIndices(frames.length, cfg.linearity.max_frames).map((i) => frames[i]));
}

/** The statistics the heuristic judges, of one decoded (uncalibrated) frame. */
export function frameLinearity(image: Image): LinearityStats {
  return linearityStats(downsampleForLinearity(image));
}

/** The warning for a frame whose statistics fail the heuristic at `strictness`, else null. */
export function linearityWarning(file: string, stats: LinearityStats, strictness: LinearityStrictness): LinearityWarning | null {
  const { linear, failed } = judgeLinearity(stats, strictness);
  return linear ? null : { file, failed, stats };
}
