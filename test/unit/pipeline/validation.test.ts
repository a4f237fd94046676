import { describe, expect, it } from 'vitest';
import { boxResidual } from '../../../shared/image/filters';
import { medianOfFinite, sigmaMad } from '../../../shared/image/stats';
import type { Image } from '../../../shared/image/image';
import { assembleCanvas } from '../../../shared/pipeline/overlap-add';
import { computeTileGrid, type Tile, type TileGrid } from '../../../shared/pipeline/tile-grid';
import {
  backgroundNoise,
  checkFwhmImprovement,
  checkTilePattern,
  checkTileWeightVariance,
  meanTileWeights,
  validateResult,
} from '../../../shared/pipeline/validation';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const W = 200;
const H = 168;
const grid: TileGrid = computeTileGrid(W, H, 1, { tile: { size_factor: 1, min_size: 48, max_divisor: 1, overlap_fraction: 0.25 } });

/** A smooth sky: a rotating gradient, a broad nebula and gaussian stars, plus fixed noise. */
function smoothSky(seed: number): Float32Array {
  const u = mulberry32(seed);
  const g = gaussianSource(u);
  const stars = Array.from({ length: 12 }, () => [u() * W, u() * H, 10 + 40 * u(), 1.5 + 1.5 * u()]);
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let v = 100 + 0.05 * x + 0.03 * y + 30 * Math.exp(-((x - 90) ** 2 + (y - 70) ** 2) / (2 * 40 ** 2));
    for (const [sx, sy, a, s] of stars) v += a * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2 * s * s));
    out[y * W + x] = v + 2 * g();
  }
  return out;
}

function crop(img: Float32Array, t: Tile): Float32Array {
  const out = new Float32Array(t.width * t.height);
  for (let y = 0; y < t.height; y++) out.set(img.subarray((t.y0 + y) * W + t.x0, (t.y0 + y) * W + t.x0 + t.width), y * t.width);
  return out;
}

/** Tile contents differ: each tile carries its own sky offset and a slight gain, as differently weighted frames would. */
function variedTiles(img: Float32Array, seed: number, offsetAmplitude = 4): (t: Tile) => Float32Array {
  const u = mulberry32(seed);
  const offs = grid.tiles.map(() => [offsetAmplitude * (u() - 0.5), 1 + 0.02 * (u() - 0.5)]);
  return (t) => crop(img, t).map((v) => offs[t.id][1] * v + offs[t.id][0]);
}

/** The deliberately broken assembly: boxcar window and no division by the weight sum. */
function unnormalizedBoxcar(tile: (t: Tile) => Float32Array): Float32Array {
  const out = new Float32Array(W * H);
  for (const t of grid.tiles) {
    const d = tile(t);
    for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) out[(t.y0 + y) * W + t.x0 + x] += d[y * t.width + x];
  }
  return out;
}

const asImage = (data: Float32Array): Image => ({ width: W, height: H, planes: 1, data });

describe('checkTilePattern', () => {
  it('passes on a seam-free overlap-add of a smooth image with varying tile content', () => {
    expect(grid.cols).toBeGreaterThan(3);
    for (const [seed, amplitude] of [[1, 4], [2, 4], [3, 20]]) {
      const sky = smoothSky(seed);
      const tiles = variedTiles(sky, seed + 10, amplitude);
      const ola = assembleCanvas(grid, 1, (id) => tiles(grid.tiles[id]));
      const r = checkTilePattern(asImage(ola), grid);
      expect(r.lines.length).toBe(grid.cols - 1 + grid.rows - 1);
      expect(r.pass).toBe(true);
      expect(r.maxRatio).toBeLessThan(1.5);
    }
  });

  it('fails with an unnormalized boxcar window', () => {
    const sky = smoothSky(1);
    const broken = unnormalizedBoxcar(variedTiles(sky, 11));
    const r = checkTilePattern(asImage(broken), grid);
    expect(r.pass).toBe(false);
    expect(r.maxRatio).toBeGreaterThan(1.5);
  });

  it('fails with a normalized boxcar when neighbouring tiles disagree (a step at each tile origin)', () => {
    const sky = smoothSky(2);
    const tiles = variedTiles(sky, 12, 20);
    const acc = new Float64Array(W * H);
    const cnt = new Float64Array(W * H);
    for (const t of grid.tiles) {
      const d = tiles(t);
      for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) {
        acc[(t.y0 + y) * W + t.x0 + x] += d[y * t.width + x];
        cnt[(t.y0 + y) * W + t.x0 + x]++;
      }
    }
    const r = checkTilePattern(asImage(Float32Array.from(acc, (a, i) => a / cnt[i])), grid);
    expect(r.pass).toBe(false);
  });

  it('ignores NaN (magnitude 0) and passes a flat image and a single-tile grid', () => {
    const flat = new Float32Array(W * H).fill(5);
    expect(checkTilePattern(asImage(flat), grid).pass).toBe(true);
    const withHole = smoothSky(4);
    withHole.fill(Number.NaN, 0, W * 10);
    expect(checkTilePattern(asImage(withHole), grid).pass).toBe(true);
    const one = computeTileGrid(W, H, 3, { tile: { size_factor: 32, min_size: 512, max_divisor: 6, overlap_fraction: 0.25 } });
    const r = checkTilePattern(asImage(flat), one);
    expect(r.lines).toEqual([]);
    expect(r.pass).toBe(true);
  });
});

describe('checkTileWeightVariance', () => {
  it('is var/mean^2 over tiles of mean_f W[f,t] against the minimum', () => {
    // table 2 frames x 3 tiles: means 1, 2, 3 -> var 2/3, mean 2 -> 1/6
    const means = meanTileWeights([0, 2, 2, 2, 2, 4], 2, 3);
    expect(Array.from(means)).toEqual([1, 2, 3]);
    const r = checkTileWeightVariance(means, 0.1);
    expect(r.value).toBeCloseTo(1 / 6, 12);
    expect(r.pass).toBe(true);
    expect(checkTileWeightVariance([2, 2, 2], 0.1).pass).toBe(false);
  });

  it('fails on empty or all-zero weights instead of throwing', () => {
    expect(checkTileWeightVariance([], 0.1).pass).toBe(false);
    expect(checkTileWeightVariance([0, 0], 0.1).value).toBeNaN();
  });
});

describe('checkFwhmImprovement', () => {
  it('is 100*(base - result)/base against the minimum, and reports the seeing comparison', () => {
    const r = checkFwhmImprovement(4, 3, 3.5, 10);
    expect(r.improvementPercent).toBe(25);
    expect(r.improvementVsSeeingPercent).toBeCloseTo((100 * 0.5) / 3.5, 12);
    expect(r.pass).toBe(true);
    expect(checkFwhmImprovement(4, 3.9, null, 10).pass).toBe(false);
  });

  it('is skipped, not failed, when a FWHM is undefined', () => {
    const r = checkFwhmImprovement(null, 3, 3, 0);
    expect(r).toMatchObject({ skipped: true, pass: true, improvementPercent: null });
    expect(checkFwhmImprovement(4, Number.NaN, 3, 0).skipped).toBe(true);
  });
});

describe('backgroundNoise', () => {
  it('measures the sigma of the star-free high-passed background', () => {
    const u = mulberry32(3);
    const g = gaussianSource(u);
    const d = new Float32Array(W * H).map((_, i) => 100 + 0.1 * (i % W) + 2 * g());
    for (let k = 0; k < 30; k++) d[Math.floor(u() * d.length)] += 500;
    expect(backgroundNoise(asImage(d))).toBeGreaterThan(1.9);
    expect(backgroundNoise(asImage(d))).toBeLessThan(2.1);
  });
});

describe('backgroundNoise equals its stats.ts definition', () => {
  /** The definition: medianOfFinite and sigmaMad of stats.ts on the box residual. */
  function reference(img: Image): number {
    const y = img.data.subarray(0, img.width * img.height);
    const side = Math.min(img.width, img.height);
    const r = boxResidual(y, img.width, img.height, Math.min(31, side % 2 === 1 ? side : side - 1));
    const bg0 = medianOfFinite(y);
    const s0 = sigmaMad(r);
    const kept: number[] = [];
    for (let i = 0; i < r.length; i++) if (Number.isFinite(r[i]) && y[i] <= bg0 + 3 * s0) kept.push(r[i]);
    return sigmaMad(Float32Array.from(kept));
  }

  it('bit for bit, on images above and below the radix size, with NaN holes and stars', () => {
    for (const [w, h, seed] of [
      [300, 250, 1],
      [301, 219, 2],
      [40, 30, 3],
    ]) {
      const u = mulberry32(seed);
      const g = gaussianSource(u);
      const d = new Float32Array(w * h).map((_, i) => 100 + 0.05 * (i % w) + 2 * g());
      for (let k = 0; k < 60; k++) d[Math.floor(u() * d.length)] += 400 * u();
      for (let k = 0; k < 40; k++) d[Math.floor(u() * d.length)] = Number.NaN;
      const img: Image = { width: w, height: h, planes: 1, data: d };
      const want = reference({ ...img, data: d.slice() });
      expect(Number.isFinite(want)).toBe(true);
      expect(Object.is(backgroundNoise({ ...img, data: d.slice() }), want)).toBe(true);
    }
  });
});

describe('validateResult', () => {
  it('collects the failed checks without throwing', () => {
    const sky = smoothSky(5);
    const broken = unnormalizedBoxcar(variedTiles(sky, 15));
    const report = validateResult(
      { result: asImage(broken), meanStack: asImage(sky), grid, meanTileWeights: [1, 1, 1], fwhmResult: 3, fwhmMeanStack: 3.1, seeing: 3.2, ess: 12 },
      { validation: { min_fwhm_improvement_percent: 5, min_tile_weight_variance: 0.1, require_no_tile_pattern: true } },
    );
    expect(report.failed).toEqual(['fwhm_improvement', 'tile_weight_variance', 'tile_pattern']);
    expect(report.pass).toBe(false);
    expect(report.backgroundNoise.ratio).not.toBeNull();
    expect(report.ess).toBe(12);
  });

  it('passes a good result and skips the tile pattern check when not required', () => {
    const sky = smoothSky(6);
    const ola = assembleCanvas(grid, 1, (id) => crop(sky, grid.tiles[id]));
    const report = validateResult(
      { result: asImage(ola), meanStack: null, grid, meanTileWeights: [1, 2, 3], fwhmResult: 2.5, fwhmMeanStack: 3, seeing: null, ess: null },
      { validation: { min_fwhm_improvement_percent: 0, min_tile_weight_variance: 0.1, require_no_tile_pattern: false } },
    );
    expect(report.tilePattern).toBeNull();
    expect(report.pass).toBe(true);
  });
});
