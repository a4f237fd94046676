import { describe, expect, it } from 'vitest';
import {
  createLocalMetricsTable,
  detectLocalStars,
  localStarRadius,
  measureLocalMetrics,
  measureTileMetrics,
  setFrameMetrics,
  subplaneBox,
} from '../../../shared/pipeline/local-metrics';
import { fitFwhmField } from '../../../shared/pipeline/fwhm-field';
import { makeSky, starGrid } from './sky-fixture';

const w = 128;
const box = { x0: 0, y0: 0, w: 64, h: 64 };
const starry = (sigma: number, seed = 1) => ({ width: w, height: w, data: makeSky(w, w, { bg: 1, noise: 0.005, seed, stars: starGrid(w, w, 12, 8, 3, sigma) }) });

describe('localStarRadius', () => {
  it('is max(5, ceil(1.5 F))', () => {
    expect([localStarRadius(2), localStarRadius(3.4), localStarRadius(8)]).toEqual([5, 6, 12]);
  });
});

describe('measureTileMetrics', () => {
  it('measures the stars of a tile: count, FWHM, roundness and contrast against bg0', () => {
    const m = measureTileMetrics(starry(1.5), box, 3)!;
    expect(m.nstar).toBeGreaterThanOrEqual(20); // 5 x 5 grid in the tile, edge ones may fail
    expect(m.fwhm).toBeCloseTo(2.3548 * 1.5, 0);
    expect(m.roundness).toBeGreaterThan(0.85);
    expect(m.contrast).toBeGreaterThan(1.05);
    expect(m.B).toBeCloseTo(1, 2);
    expect(m.sigma).toBeGreaterThan(0.004);
    expect(m.sigma).toBeLessThan(0.007); // star wings leak a little into R
  });
  it('gives a tile with structure a higher S = E/sigma^2 than pure noise, whose S does not depend on the noise level', () => {
    const noise = (sd: number, seed: number) => ({ width: w, height: w, data: makeSky(w, w, { bg: 1, noise: sd, seed }) });
    const quiet = measureTileMetrics(noise(0.005, 4), box, 3)!.S;
    const loud = measureTileMetrics(noise(0.02, 5), box, 3)!.S;
    expect(Math.abs(quiet / loud - 1)).toBeLessThan(0.15);
    expect(measureTileMetrics(starry(2.5), box, 3)!.S).toBeGreaterThan(1.5 * quiet);
  });
  it('adds the mean of D_f over the tile to B', () => {
    const y = starry(1.5);
    expect(measureTileMetrics(y, box, 3, 0.25)!.B - measureTileMetrics(y, box, 3, 0)!.B).toBeCloseTo(0.25, 6);
  });
  it('reports a tile with < 50 % valid pixels as missing', () => {
    const y = starry(1.5);
    for (let r = 0; r < 33; r++) y.data.fill(NaN, r * w, r * w + 64);
    expect(measureTileMetrics(y, box, 3)).toBeNull();
    expect(measureTileMetrics(y, { x0: 64, y0: 64, w: 64, h: 64 }, 3)).not.toBeNull();
  });
  it('finds no stars and S = 0 on a constant tile', () => {
    const m = measureTileMetrics({ width: 64, height: 64, data: new Float32Array(64 * 64).fill(1) }, box, 3)!;
    expect([m.nstar, m.S, m.sigma, m.B]).toEqual([0, 0, 0, 1]);
    expect(m.fwhm).toBeNaN();
  });
});

describe('detectLocalStars', () => {
  it('keeps the brighter of two maxima closer than 5 px and ignores the tile border', () => {
    const n = 20;
    const r = new Float32Array(n * n);
    r[5 * n + 5] = 10;
    r[5 * n + 8] = 8; // 3 px away: dropped
    r[5 * n + 12] = 6; // 7 px away: kept
    r[0 * n + 15] = 50; // border row: not a full 8-neighbourhood
    expect(detectLocalStars(r, n, n, 1)).toEqual([
      { x: 5, y: 5 },
      { x: 12, y: 5 },
    ]);
  });
  it('needs strictly larger values than all 8 neighbours and caps the list at 50', () => {
    const n = 80;
    const r = new Float32Array(n * n);
    r[10 * n + 10] = 5;
    r[10 * n + 11] = 5; // plateau: neither is a strict maximum
    expect(detectLocalStars(r, n, n, 1)).toEqual([]);
    const many = new Float32Array(n * n);
    for (let y = 3; y < n - 3; y += 6) for (let x = 3; x < n - 3; x += 6) many[y * n + x] = 2 + x + y;
    expect(detectLocalStars(many, n, n, 1)).toHaveLength(50);
  });
});

describe('local metric table', () => {
  it('stores one frame row per call and marks missing tiles', () => {
    const y = starry(1.5);
    const tiles = [box, { x0: 64, y0: 0, w: 64, h: 64 }];
    const table = createLocalMetricsTable(2, 2);
    setFrameMetrics(table, 1, measureLocalMetrics(y, tiles, 3, [0, 0.5]));
    setFrameMetrics(table, 0, [null, measureTileMetrics(y, tiles[1], 3)]);
    expect(Array.from(table.missing)).toEqual([1, 0, 0, 0]);
    expect(table.nstar[0]).toBeNaN();
    expect(table.B[3] - table.B[1]).toBeCloseTo(0.5, 6);
    expect(() => setFrameMetrics(table, 0, [null])).toThrow(RangeError);
  });
});

describe('subplaneBox', () => {
  it('maps a canvas tile to the CFA cells that start inside it', () => {
    expect(subplaneBox({ x0: 0, y0: 0, w: 64, h: 64 })).toEqual({ x0: 0, y0: 0, w: 32, h: 32 });
    expect(subplaneBox({ x0: 48, y0: 47, w: 64, h: 63 })).toEqual({ x0: 24, y0: 24, w: 32, h: 31 });
  });
});

describe('fitFwhmField', () => {
  const W = 400;
  const H = 300;
  const truth = (x: number, y: number) => 3 * Math.exp(0.2 * ((x - 199.5) / 250) - 0.1 * ((y - 149.5) / 250));

  it('recovers a FWHM that changes across the field from noisy stars, ignoring blends', async () => {
    const { mulberry32, gaussianSource } = await import('../../../shared/util/seed');
    const u = mulberry32(5);
    const g = gaussianSource(mulberry32(6));
    const stars = Array.from({ length: 80 }, () => {
      const x = u() * W;
      const y = u() * H;
      return { x, y, fwhm: truth(x, y) * Math.exp(0.08 * g()) };
    });
    stars.push({ x: 10, y: 10, fwhm: 30 }, { x: 390, y: 290, fwhm: 25 });
    const field = fitFwhmField(stars, W, H)!;
    for (const [x, y] of [[0, 0], [399, 0], [200, 150], [0, 299], [399, 299]]) expect(field(x, y) / truth(x, y)).toBeCloseTo(1, 1);
  });

  it('falls back to the median FWHM with few stars and to null without any', () => {
    const few = [3, 4, 5].map((fwhm, i) => ({ x: 10 * i, y: 0, fwhm }));
    expect(fitFwhmField(few, W, H)!(300, 200)).toBe(4);
    expect(fitFwhmField([], W, H)).toBeNull();
  });
});

describe('measureLocalMetrics', () => {
  it('gives every tile of a frame the FWHM field at its centre, also a tile without stars', () => {
    const y = starry(2);
    const data = Float32Array.from(y.data);
    for (let r = 64; r < 128; r++) data.fill(1, r * w + 64, r * w + 128);
    const tiles = [
      { x0: 0, y0: 0, w: 64, h: 64 },
      { x0: 64, y0: 64, w: 64, h: 64 },
    ];
    const [starred, empty] = measureLocalMetrics({ width: w, height: w, data }, tiles, 3);
    expect(empty!.nstar).toBe(0);
    expect(starred!.nstar).toBeGreaterThan(5);
    expect(starred!.fwhm).toBeGreaterThan(0.75 * 2.3548 * 2);
    expect(empty!.fwhm / starred!.fwhm).toBeCloseTo(1, 1);
  });
});

describe('measureLocalMetrics over overlapping tiles', () => {
  it('gives each tile the metrics it has on its own: buffers and star measurements shared across tiles leak nothing', () => {
    // overlapping tiles of two sizes (scratch reallocated), one with NaN pixels, stars in the overlaps
    const y = starry(1.8, 7);
    const data = Float32Array.from(y.data);
    for (let r = 100; r < 128; r++) data.fill(NaN, r * w, r * w + 20);
    const plane = { width: w, height: w, data };
    const tiles = [
      { x0: 0, y0: 0, w: 64, h: 64 },
      { x0: 40, y0: 0, w: 64, h: 64 },
      { x0: 40, y0: 40, w: 64, h: 64 },
      { x0: 0, y0: 70, w: 58, h: 58 },
      { x0: 30, y0: 70, w: 64, h: 58 },
    ];
    const all = measureLocalMetrics(plane, tiles, 3, [0, 0.1, 0.2, 0.3, 0.4]);
    tiles.forEach((box, t) => {
      const alone = measureTileMetrics(plane, box, 3, 0.1 * t)!;
      // fwhm is the frame's field in measureLocalMetrics; every other metric is the tile's own
      expect({ ...all[t]!, fwhm: 0 }).toEqual({ ...alone, fwhm: 0 });
    });
    expect(all.every((m) => m !== null && m.nstar > 0)).toBe(true);
  });
});
