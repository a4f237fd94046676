import { MAD_TO_SIGMA, medianInPlace, selectInPlace, sigmaMad } from '../image/stats';
import { intersectBoxes, type Box, type Tile, type TileGrid } from './tile-grid';

/**
 * P10 boundary diagnostics (read-only, on R_t): for each right/down grid neighbour pair (a, b), over
 * their overlap and pixels valid in both, D = X_b - X_a. A pair is SEAM_SUSPECT when the median of
 * D is a level offset the noise cannot explain (see `measure`).
 *
 * Streaming like the overlap-add: tiles in ascending id; it keeps the previous tile's right strip
 * and the previous tile row's bottom strips only.
 */

export interface BoundaryPair {
  readonly a: number;
  readonly b: number;
  readonly direction: 'right' | 'down';
  /** Pixel samples valid in both tiles (all planes pooled). */
  readonly n: number;
  readonly meanAbs: number;
  readonly p95Abs: number;
  readonly meanD: number;
  readonly sigmaMadD: number;
  readonly seamSuspect: boolean;
}

interface Strip {
  readonly box: Box;
  readonly data: Float32Array;
}

/** Standard error of a median relative to that of a mean, for Gaussian noise. */
const MEDIAN_SE_FACTOR = 1.2533;
/** Pixels per independent sample after Lanczos/bilinear resampling. */
const CORRELATED_PIXELS = 4;
/**
 * A level step smaller than this fraction of the image's pixel noise is not flagged, however
 * significant: where two neighbours weight the frames almost alike, D scatters so little that
 * steps of ~1 % of the noise passed the significance test (two pairs on the bench's M set, 1.6 %
 * and 1.1 % of the stack's noise), which no stretch shows. bench/quality.ts fails a run at a step
 * of 0.5 sigma; a fifth of that is still flagged.
 */
export const SEAM_VISIBLE_SIGMA = 0.1;

export class BoundaryMeter {
  private readonly grid: TileGrid;
  private readonly planes: number;
  private nextId = 0;
  private rightStrip: Strip | null = null;
  private bottomPrev: (Strip | null)[] = [];
  private bottomCur: (Strip | null)[] = [];
  readonly pairs: BoundaryPair[] = [];

  constructor(grid: TileGrid, planes: number) {
    this.grid = grid;
    this.planes = planes;
  }

  /** Adds tile `tileId` (planes x h x w; null = masked, its pairs are skipped). Ids in order 0, 1, 2, ... */
  add(tileId: number, X: Float32Array | null): void {
    if (tileId !== this.nextId) throw new RangeError(`boundary diagnostics: expected tile ${this.nextId}, got ${tileId}`);
    const g = this.grid;
    const tile = g.tiles[tileId];
    this.nextId++;
    if (tile.col === 0) {
      this.bottomPrev = this.bottomCur;
      this.bottomCur = new Array<Strip | null>(g.cols).fill(null);
      this.rightStrip = null;
    }
    if (X) {
      const whole: Strip = { box: tile, data: X };
      if (tile.col > 0 && this.rightStrip) this.measure(tileId - 1, tileId, 'right', this.rightStrip, whole);
      const above = tile.row > 0 ? this.bottomPrev[tile.col] : null;
      if (above) this.measure(tileId - g.cols, tileId, 'down', above, whole);
      this.rightStrip = tile.col + 1 < g.cols ? this.cut(tile, X, { ...tile, x0: g.xOrigins[tile.col + 1], width: tile.x0 + tile.width - g.xOrigins[tile.col + 1] }) : null;
      this.bottomCur[tile.col] =
        tile.row + 1 < g.rows ? this.cut(tile, X, { ...tile, y0: g.yOrigins[tile.row + 1], height: tile.y0 + tile.height - g.yOrigins[tile.row + 1] }) : null;
    } else {
      this.rightStrip = null;
      this.bottomCur[tile.col] = null;
    }
  }

  /** Copy of the part of tile X inside `region` (clipped to the tile). */
  private cut(tile: Tile, X: Float32Array, region: Box): Strip | null {
    const box = intersectBoxes(tile, region);
    if (!box) return null;
    const data = new Float32Array(this.planes * box.width * box.height);
    for (let c = 0; c < this.planes; c++) {
      for (let y = 0; y < box.height; y++) {
        const src = (c * tile.height + (box.y0 - tile.y0 + y)) * tile.width + (box.x0 - tile.x0);
        data.set(X.subarray(src, src + box.width), (c * box.height + y) * box.width);
      }
    }
    return { box, data };
  }

  private measure(a: number, b: number, direction: 'right' | 'down', sa: Strip, sb: Strip): void {
    const box = intersectBoxes(sa.box, sb.box);
    if (!box) return;
    const d = new Float64Array(this.planes * box.width * box.height);
    const first = new Float64Array(d.length);
    let n = 0;
    let sum = 0;
    let sumAbs = 0;
    for (let c = 0; c < this.planes; c++) {
      for (let y = box.y0; y < box.y0 + box.height; y++) {
        for (let x = box.x0; x < box.x0 + box.width; x++) {
          const va = sa.data[(c * sa.box.height + (y - sa.box.y0)) * sa.box.width + (x - sa.box.x0)];
          const vb = sb.data[(c * sb.box.height + (y - sb.box.y0)) * sb.box.width + (x - sb.box.x0)];
          if (!Number.isFinite(va) || !Number.isFinite(vb)) continue;
          const dv = vb - va;
          first[n] = va;
          d[n++] = dv;
          sum += dv;
          sumAbs += Math.abs(dv);
        }
      }
    }
    if (n === 0) {
      this.pairs.push({ a, b, direction, n: 0, meanAbs: Number.NaN, p95Abs: Number.NaN, meanD: Number.NaN, sigmaMadD: Number.NaN, seamSuspect: false });
      return;
    }
    const vals = d.subarray(0, n);
    const med = medianInPlace(vals.slice());
    const dev = new Float64Array(n);
    const abs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      dev[i] = Math.abs(vals[i] - med);
      abs[i] = Math.abs(vals[i]);
    }
    const sigmaMadD = MAD_TO_SIGMA * medianInPlace(dev);
    const meanD = sum / n;
    const pixelNoise = sigmaMad(first.subarray(0, n));
    this.pairs.push({
      a,
      b,
      direction,
      n,
      meanAbs: sumAbs / n,
      p95Abs: selectInPlace(abs, Math.round(0.95 * (n - 1))),
      meanD,
      sigmaMadD,
      // [DIFF] METHOD: |mean D| > 5·sigma_MAD(D)/sqrt(n). Star profiles differ between tiles that weight
      // frames differently, and their few large differences move the mean: on healthy runs most pairs
      // were flagged. A seam is a level step, which moves the median; the median's standard error is
      // 1.2533·sigma/sqrt(n), and neighbouring pixels are correlated by the warp kernel (~2×2), so n/4
      // independent samples. And a step must be large enough to see: SEAM_VISIBLE_SIGMA of the
      // pixel noise of the first tile over the overlap (sigma_MAD; stars do not move it).
      seamSuspect: Math.abs(med) > (5 * MEDIAN_SE_FACTOR * sigmaMadD) / Math.sqrt(n / CORRELATED_PIXELS) && Math.abs(med) > SEAM_VISIBLE_SIGMA * pixelNoise,
    });
  }
}

export interface TileInfo {
  readonly fallbackUsed: boolean;
  readonly bg: number;
  readonly snr: number;
}

export interface BoundarySummary {
  readonly pairCount: number;
  /** Mean and p95 over measured pairs of their mean|D| and p95|D|. */
  readonly meanOfMeanAbs: number;
  readonly p95OfMeanAbs: number;
  readonly meanOfP95Abs: number;
  readonly p95OfP95Abs: number;
  /** The 8 pairs with the largest mean|D| (ties: lower a, then b), with tile details when given. */
  readonly top: readonly (BoundaryPair & { readonly tileA?: TileInfo; readonly tileB?: TileInfo })[];
  readonly suspects: readonly BoundaryPair[];
}

export function summarizeBoundaries(pairs: readonly BoundaryPair[], tileInfo?: (tileId: number) => TileInfo): BoundarySummary {
  const measured = pairs.filter((p) => p.n > 0);
  const stat = (g: (p: BoundaryPair) => number) => {
    const v = Float64Array.from(measured, g);
    if (v.length === 0) return { mean: Number.NaN, p95: Number.NaN };
    let s = 0;
    for (const x of v) s += x;
    return { mean: s / v.length, p95: selectInPlace(v, Math.round(0.95 * (v.length - 1))) };
  };
  const meanAbs = stat((p) => p.meanAbs);
  const p95Abs = stat((p) => p.p95Abs);
  const top = [...measured]
    .sort((x, y) => y.meanAbs - x.meanAbs || x.a - y.a || x.b - y.b)
    .slice(0, 8)
    .map((p) => (tileInfo ? { ...p, tileA: tileInfo(p.a), tileB: tileInfo(p.b) } : p));
  return {
    pairCount: pairs.length,
    meanOfMeanAbs: meanAbs.mean,
    p95OfMeanAbs: meanAbs.p95,
    meanOfP95Abs: p95Abs.mean,
    p95OfP95Abs: p95Abs.p95,
    top,
    suspects: pairs.filter((p) => p.seamSuspect),
  };
}
