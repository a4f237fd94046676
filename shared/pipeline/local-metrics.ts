/**
 * P6.5 local metrics per tile of one matched frame (METHOD.md), on the luminance Y of the canvas
 * (strict profile: on each channel plane, one table per channel):
 *   R = Y - box31(Y) (box within the tile); bg0 = median(Y); s0 = sigma_MAD(R) (0 -> SD);
 *   background pixels Y <= bg0 + 3*s0; B = their median of Y + mean of D_f over the tile (the real
 *   sky); sigma = sigma_MAD of R there; E = median |grad R|^2 over the tile; S = E/sigma^2 [DIFF].
 *   Stars: local maxima of R above 5*s0 [DIFF: 3*s0; see LOCAL_STAR_SIGMA], strictly above their 8 neighbours, greedily >= 5 px apart
 *   by descending R (ties row-major), at most 50 [DIFF: REF Shi-Tomasi]; measure_star(Y, x, y, r, bg0)
 *   with r = max(5, ceil(1.5*F)); FWHM, Rnd, C = medians; nstar = stars measured.
 * A tile with < 50 % valid pixels is missing in this frame.
 * Speed: where WebAssembly SIMD runs, the tile statistics come from image/wasm/tile-stats.ts, with
 * the same values as the JS definitions here (kept as the reference, `kernels: 'js'`, and the path
 * elsewhere).
 */
import { boxResidual, sobelMagnitudeSq } from '../image/filters';
import { MAD_TO_SIGMA, median, medianDeviationOfFinite, medianOfFinite, stdDev } from '../image/stats';
import { type Plane } from '../image/views';
import { tileStatsKernel, type Bracket, type TileStatsKernel } from '../image/wasm/tile-stats';
import { type Box } from './background';
import { EPS_MAD } from './global-metrics';
import { fitFwhmField, type StarSample } from './fwhm-field';
import { measureStarShape, type StarShape } from './measure-star';

export const LOCAL_BOX_PX = 31;
/**
 * [DIFF: METHOD 3] Detection threshold of tile stars in units of s0. At 3 sigma the noise peaks of a
 * tile outnumber its 1-4 real stars in a short sub; on white noise they measure as tiny and fall
 * out, but on the OSC Y (a 2x2 sliding mean, so correlated noise) they measure ~2.3 px and pinned
 * the FWHM field there: rank correlation with the true per-frame seeing 0.26 on the OSC quality set,
 * 0.96 at 5 sigma (mono 0.96 -> 0.99). bench/QUALITY.md.
 */
export const LOCAL_STAR_SIGMA = 5;
export const LOCAL_STAR_MIN_SEPARATION_PX = 5;
export const LOCAL_STAR_MAX = 50;
export const TILE_MIN_VALID_SHARE = 0.5;

export interface TileMetrics {
  /** Median FWHM of the measured stars (px); NaN without stars. */
  readonly fwhm: number;
  readonly roundness: number;
  readonly contrast: number;
  readonly nstar: number;
  readonly B: number;
  readonly sigma: number;
  readonly E: number;
  readonly S: number;
}

/** measure_star radius for local metrics: max(5, ceil(1.5*F)). */
export function localStarRadius(seeingPx: number): number {
  return Math.max(5, Math.ceil(1.5 * seeingPx));
}

/** Local maxima candidates of R (tile coordinates), selected greedily as the spec says. */
export function detectLocalStars(rPlane: Float32Array, w: number, h: number, threshold: number): { x: number; y: number }[] {
  const cands: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = rPlane[i];
      if (!(v > threshold)) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx !== 0 || dy !== 0) && !(v > rPlane[i + dy * w + dx])) {
            peak = false;
            break;
          }
        }
      }
      if (peak) cands.push(i);
    }
  }
  return pickLocalStars(cands, rPlane, w);
}

/** The greedy selection of detectLocalStars from the candidates' indices (row-major order). */
function pickLocalStars(cands: number[], rPlane: Float32Array, w: number): { x: number; y: number }[] {
  cands.sort((a, b) => rPlane[b] - rPlane[a] || a - b);
  const picked: { x: number; y: number }[] = [];
  const minSq = LOCAL_STAR_MIN_SEPARATION_PX * LOCAL_STAR_MIN_SEPARATION_PX;
  for (const i of cands) {
    if (picked.length >= LOCAL_STAR_MAX) break;
    const x = i % w;
    const y = (i - x) / w;
    if (picked.every((p) => (p.x - x) ** 2 + (p.y - y) ** 2 >= minSq)) picked.push({ x, y });
  }
  return picked;
}

/**
 * Metrics of one tile of one frame; null when the tile is missing (< 50 % valid pixels).
 * `offsetMean` = mean of D_f over the tile (0 for the reference frame or without matching).
 */
export function measureTileMetrics(y: Plane, box: Box, seeingPx: number, offsetMean = 0, kernels: LocalMetricsKernels = 'auto'): TileMetrics | null {
  return measureTileWithStars(y, box, seeingPx, offsetMean, new TileScratch(), new Map(), kernels)?.metrics ?? null;
}


/**
 * Below this magnitude of every tile pixel, R (|R| < 2e17) and its float32 |grad R|^2 (< 1e37)
 * are finite wherever the tile is, so their medians need not look for invalid values.
 */
const DERIVED_FINITE_BOUND = 1e17;

/** The brackets of a tile's medians, tried first for the next tile's (tileNumbersWasm). */
interface MedianHints {
  tile?: Bracket;
  r?: Bracket;
  madR?: Bracket;
  grad?: Bracket;
}

/**
 * Per-tile buffers, reused across the tiles of a frame: allocating ~6 tile-sized arrays per tile
 * cost as much as the arithmetic. Reallocated only when the tile size changes. One per measuring
 * pass (also the owner of the kernel's band of frame rows, and the median hints of the pass).
 */
class TileScratch {
  hints: MedianHints = {};
  size = -1;
  tile = new Float32Array(0);
  r = new Float32Array(0);
  grad = new Float32Array(0);
  bgY = new Float32Array(0);
  bgR = new Float32Array(0);

  fit(n: number): this {
    if (n !== this.size) {
      this.size = n;
      this.tile = new Float32Array(n);
      this.r = new Float32Array(n);
      this.grad = new Float32Array(n);
      this.bgY = new Float32Array(n);
      this.bgR = new Float32Array(n);
    }
    return this;
  }
}

/**
 * measure_star's result apart from the contrast (which divides by the tile's bg0), by canvas pixel.
 * Overlapping tiles find many of the same local maxima; the shape is a function of the position
 * and radius alone, so it is measured once per frame.
 */
type ShapeCache = Map<number, StarShape | null>;

/** The statistics of a tile and the local maxima its stars are measured at. */
interface TileNumbers {
  readonly bg0: number;
  readonly s0: number;
  readonly B: number;
  readonly sigma: number;
  readonly E: number;
  readonly S: number;
  /** the local stars of R (detectLocalStars) */
  readonly peaks: { x: number; y: number }[];
}

/** Which implementation computes the tile statistics: the WebAssembly kernel where it runs, or JS. */
export type LocalMetricsKernels = 'auto' | 'js';

function tileNumbers(y: Plane, box: Box, offsetMean: number, scratch: TileScratch, kernels: LocalMetricsKernels): TileNumbers | null {
  const inside = box.x0 >= 0 && box.y0 >= 0 && box.x0 + box.w <= y.width && box.y0 + box.h <= y.height;
  const wasm = kernels === 'auto' && inside ? tileStatsKernel() : null;
  return wasm ? tileNumbersWasm(y, box, offsetMean, wasm, scratch.hints, scratch) : tileNumbersJs(y, box, offsetMean, scratch);
}

/** S = E/sigma^2 with sigma floored (constant tiles have sigma 0; the floor keeps S finite, 0 there). */
function structure(E: number, sigma: number): number {
  const noise = Math.max(Number.isFinite(sigma) ? sigma : 0, EPS_MAD);
  return E / (noise * noise);
}

/** The JS definition (the reference, and the path where WebAssembly SIMD is missing). */
function tileNumbersJs(y: Plane, box: Box, offsetMean: number, scratch: TileScratch): TileNumbers | null {
  const { w, h } = box;
  const n = w * h;
  const { tile, r, grad, bgY, bgR } = scratch.fit(n);
  let valid = 0;
  let large = 0;
  for (let row = 0; row < h; row++) {
    const from = (box.y0 + row) * y.width + box.x0;
    const to = row * w;
    for (let x = 0; x < w; x++) {
      const v = y.data[from + x];
      tile[to + x] = v;
      valid += +(v - v === 0);
      large += +(Math.abs(v) > DERIVED_FINITE_BOUND);
    }
  }
  if (n === 0 || valid < TILE_MIN_VALID_SHARE * n) return null;

  boxResidual(tile, w, h, LOCAL_BOX_PX, r);
  // all-finite tiles (most) spare the medians a scan each for invalid values
  const tileFinite = valid === n;
  const derivedFinite = tileFinite && large === 0;
  const bg0 = medianOfFinite(tile, n, tileFinite);
  let s0 = MAD_TO_SIGMA * medianDeviationOfFinite(r, medianOfFinite(r, n, derivedFinite), n, derivedFinite);
  if (!(s0 > 0)) s0 = stdDev(r);
  const limit = bg0 + 3 * s0;
  // background pixels gathered branch-free (the test is a coin flip near the limit)
  let nBg = 0;
  for (let i = 0; i < n; i++) {
    const v = tile[i];
    bgY[nBg] = v;
    bgR[nBg] = r[i];
    nBg += +(v <= limit);
  }
  const B = medianOfFinite(bgY, nBg, tileFinite) + offsetMean;
  const sigma = MAD_TO_SIGMA * medianDeviationOfFinite(bgR, medianOfFinite(bgR, nBg, derivedFinite), nBg, derivedFinite);
  const E = medianOfFinite(sobelMagnitudeSq(r, w, h, grad), n, derivedFinite);
  return { bg0, s0, B, sigma, E, S: structure(E, sigma), peaks: detectLocalStars(r, w, h, LOCAL_STAR_SIGMA * s0) };
}

/**
 * tileNumbersJs through the WebAssembly kernel (image/wasm/tile-stats.ts): the same values. The
 * medians differ only in which keys they gather (all are exact); see the comments below.
 */
function tileNumbersWasm(y: Plane, box: Box, offsetMean: number, k: TileStatsKernel, hints: MedianHints, owner: object): TileNumbers | null {
  const { w, h } = box;
  const n = w * h;
  if (n === 0) return null;
  k.fit(w, h, LOCAL_BOX_PX);
  k.loadTile(owner, y.data, y.width, box.x0, box.y0);
  const { r, grad } = k;
  const { valid, large } = k.countTile();
  if (valid < TILE_MIN_VALID_SHARE * n) return null;
  const tileFinite = valid === n;
  const derivedFinite = tileFinite && large === 0;
  k.boxResidual(tileFinite);
  // each median first tries the bracket its kind had in the previous tile (neighbours share their
  // statistics on most of a frame); a bracket that misses costs one pass, the value is exact anyway
  const bg0 = k.median('tile', n, tileFinite, hints.tile);
  hints.tile = k.lastBracket();
  const medR = k.median('r', n, derivedFinite, hints.r);
  const medRBracket = (hints.r = k.lastBracket());
  let s0 = MAD_TO_SIGMA * k.medianDeviation('r', medR, n, derivedFinite, hints.madR);
  const madRBracket = (hints.madR = k.lastBracket());
  if (!(s0 > 0)) s0 = stdDev(r);
  const nBg = k.splitBackground(bg0 + 3 * s0);
  // the background Y is the tile's values up to the limit: its median is among the keys bg0's
  // median gathered (most tiles); the background R's median and MAD lie near all R's, so their
  // brackets are tried first
  const B = ((tileFinite ? k.medianOfTilePrefix(nBg) : null) ?? k.median('bgY', nBg, tileFinite)) + offsetMean;
  const medBgR = k.median('bgR', nBg, derivedFinite, medRBracket);
  const sigma = MAD_TO_SIGMA * k.medianDeviation('bgR', medBgR, nBg, derivedFinite, madRBracket);
  if (w >= 3 && h >= 3) k.sobel();
  else sobelMagnitudeSq(r, w, h, grad);
  const E = k.median('grad', n, derivedFinite, hints.grad);
  hints.grad = k.lastBracket();
  const peaks = w >= 3 && h >= 3 ? pickLocalStars(Array.from(k.localPeaks(LOCAL_STAR_SIGMA * s0)), r, w) : [];
  return { bg0, s0, B, sigma, E, S: structure(E, sigma), peaks };
}

function measureTileWithStars(
  y: Plane,
  box: Box,
  seeingPx: number,
  offsetMean: number,
  scratch: TileScratch,
  shapes: ShapeCache,
  kernels: LocalMetricsKernels,
): { metrics: TileMetrics; stars: StarSample[] } | null {
  const t = tileNumbers(y, box, offsetMean, scratch, kernels);
  if (!t) return null;
  const { bg0, B, sigma, E, S } = t;

  const radius = localStarRadius(seeingPx);
  const fw: number[] = [];
  const rnd: number[] = [];
  const con: number[] = [];
  const stars: StarSample[] = [];
  for (const p of t.peaks) {
    const cx = box.x0 + p.x;
    const cy = box.y0 + p.y;
    const key = cy * y.width + cx;
    let m = shapes.get(key);
    if (m === undefined) {
      m = measureStarShape(y.data, y.width, y.height, cx, cy, radius);
      shapes.set(key, m);
    }
    if (!m) continue;
    fw.push(m.fwhm);
    rnd.push(m.roundness);
    con.push(m.peak / bg0);
    stars.push({ x: m.x, y: m.y, fwhm: m.fwhm });
  }
  return { metrics: { fwhm: median(fw), roundness: median(rnd), contrast: median(con), nstar: fw.length, B, sigma, E, S }, stars };
}

/**
 * The N x tiles metric table of one channel; entry (f, t) at f*nTiles + t. NaN = undefined,
 * missing[f*nTiles + t] = 1 where the tile had < 50 % valid pixels in frame f.
 */
export interface LocalMetricsTable {
  readonly nFrames: number;
  readonly nTiles: number;
  readonly fwhm: Float32Array;
  readonly roundness: Float32Array;
  readonly contrast: Float32Array;
  readonly nstar: Float32Array;
  readonly B: Float32Array;
  readonly sigma: Float32Array;
  readonly E: Float32Array;
  readonly S: Float32Array;
  readonly missing: Uint8Array;
}

export const TILE_METRIC_KEYS = ['fwhm', 'roundness', 'contrast', 'nstar', 'B', 'sigma', 'E', 'S'] as const;

export function createLocalMetricsTable(nFrames: number, nTiles: number): LocalMetricsTable {
  const col = () => new Float32Array(nFrames * nTiles).fill(Number.NaN);
  return {
    nFrames,
    nTiles,
    fwhm: col(),
    roundness: col(),
    contrast: col(),
    nstar: col(),
    B: col(),
    sigma: col(),
    E: col(),
    S: col(),
    missing: new Uint8Array(nFrames * nTiles).fill(1),
  };
}

/** Stores one frame's tile metrics (null = missing) into row f of the table. */
export function setFrameMetrics(table: LocalMetricsTable, f: number, row: ReadonlyArray<TileMetrics | null>): void {
  if (row.length !== table.nTiles) throw new RangeError(`expected ${table.nTiles} tiles, got ${row.length}`);
  for (let t = 0; t < row.length; t++) {
    const k = f * table.nTiles + t;
    const m = row[t];
    table.missing[k] = m ? 0 : 1;
    for (const key of TILE_METRIC_KEYS) table[key][k] = m ? m[key] : Number.NaN;
  }
}

/**
 * All tiles of one frame. `tileOffsets[t]` = mean of D_f over tile t (luminanceOffsetOverBox or
 * meanOffsetOverBox per channel); omitted -> 0.
 * [DIFF] A tile's FWHM is the frame's FWHM field (fitFwhmField over all stars of the frame) at the
 * tile centre, not the median of the tile's own stars: a 10 s sub holds 1-4 measurable stars in a
 * 64 px tile, and their median tracked the true local seeing with a rank correlation of only 0.2 on
 * the bench/quality.ts sets (the field fit: see bench/QUALITY.md). `nstar` stays the tile's own count
 * (STAR/STRUCTURE typing); roundness and contrast stay tile medians.
 */
export function measureLocalMetrics(
  y: Plane,
  tiles: readonly Box[],
  seeingPx: number,
  tileOffsets?: ArrayLike<number>,
  kernels: LocalMetricsKernels = 'auto',
): (TileMetrics | null)[] {
  const scratch = new TileScratch();
  const shapes: ShapeCache = new Map();
  const measured = tiles.map((box, t) => measureTileWithStars(y, box, seeingPx, tileOffsets ? tileOffsets[t] : 0, scratch, shapes, kernels));
  const field = fitFwhmField(
    measured.flatMap((m) => m?.stars ?? []),
    y.width,
    y.height,
  );
  return measured.map((m, t) => {
    if (!m) return null;
    if (!field) return m.metrics;
    const box = tiles[t];
    return { ...m.metrics, fwhm: field(box.x0 + (box.w - 1) / 2, box.y0 + (box.h - 1) / 2) };
  });
}

/**
 * A canvas tile box on the half-resolution OSC colour subplanes (strict profile): subplane pixel
 * (u, v) is CFA cell (2u..2u+1, 2v..2v+1), so the box covers the cells that start inside the tile.
 * Seeing F on the subplanes is F/2.
 */
export function subplaneBox(box: Box): Box {
  const x0 = Math.ceil(box.x0 / 2);
  const y0 = Math.ceil(box.y0 / 2);
  return { x0, y0, w: Math.ceil((box.x0 + box.w) / 2) - x0, h: Math.ceil((box.y0 + box.h) / 2) - y0 };
}
