import { describe, expect, it } from 'vitest';
import { detectStars, skyAt, skyGrid, SKY_CELL_PX } from '../../../shared/pipeline/registration/stars';
import { randomStars, renderStars, type TestStar } from './sky';

function nearest(stars: { x: number; y: number }[], x: number, y: number): { x: number; y: number; d: number } | null {
  let best: { x: number; y: number; d: number } | null = null;
  for (const s of stars) {
    const d = Math.hypot(s.x - x, s.y - y);
    if (!best || d < best.d) best = { x: s.x, y: s.y, d };
  }
  return best;
}

describe('detectStars', () => {
  it('finds isolated stars with centroids within 0.05 px on noise-free data', () => {
    const truth: TestStar[] = [];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) truth.push({ x: 10 + 15 * i + 0.13 * j, y: 10 + 15 * j + 0.41 - 0.07 * i, flux: 3000, sigma: 0.85 });
    const img = renderStars(100, 100, truth, { noise: 0 });
    // a flat background has sigma_MAD 0 -> s = 1
    const stars = detectStars(img, 100, 100, { topK: 120 });
    expect(stars).toHaveLength(36);
    for (const t of truth) expect(nearest(stars, t.x, t.y)!.d).toBeLessThan(0.05);
  });

  it('sorts by flux (brightest first) and keeps top-K', () => {
    const truth: TestStar[] = [1000, 5000, 2000, 8000].map((flux, i) => ({ x: 15 + 20 * i, y: 30, flux, sigma: 1 }));
    const img = renderStars(100, 60, truth, { noise: 2, seed: 3 });
    const stars = detectStars(img, 100, 60, { topK: 3 });
    expect(stars.map((s) => Math.round(s.x))).toEqual([75, 35, 55]);
  });

  it('measures FWHM and roundness of a round star', () => {
    const img = renderStars(40, 40, [{ x: 20.2, y: 19.7, flux: 5000, sigma: 1 }], { noise: 0 });
    const [s] = detectStars(img, 40, 40, { topK: 5 });
    // the 5x5 window truncates the wings, so the moment FWHM is a bit below 2.3548*sigma
    expect(s.fwhm).toBeGreaterThan(1.8);
    expect(s.fwhm).toBeLessThan(2.5);
    expect(s.roundness).toBeGreaterThan(0.9);
  });

  it('rejects faint hot pixels whose window noise would pass the share test', () => {
    // hot pixels at ~10 sigma: the positive noise of the 5x5 window brings centre/flux below 0.8
    const img = renderStars(120, 120, [{ x: 60.2, y: 60.7, flux: 800, sigma: 1.1 }], { noise: 3, seed: 12 });
    const hot = [[15, 15], [100, 30], [30, 95], [90, 90], [50, 20]];
    for (const [x, y] of hot) img[y * 120 + x] += 30;
    const stars = detectStars(img, 120, 120, { topK: 50, k: 2.5 });
    for (const s of stars) for (const [x, y] of hot) expect(Math.hypot(s.x - x, s.y - y)).toBeGreaterThan(2);
    expect(stars.some((s) => Math.hypot(s.x - 60.2, s.y - 60.7) < 0.2)).toBe(true);
  });

  it('rejects hot pixels (single bright pixels)', () => {
    const img = renderStars(80, 80, [{ x: 40.3, y: 40.6, flux: 3000, sigma: 1 }], { noise: 3, seed: 4 });
    for (const [x, y] of [[10, 10], [60, 20], [25, 65]]) img[y * 80 + x] += 2000;
    const stars = detectStars(img, 80, 80, { topK: 50 });
    expect(stars.length).toBeGreaterThan(0);
    expect(stars[0].x).toBeCloseTo(40.3, 0);
    for (const s of stars) {
      expect(Math.hypot(s.x - 10, s.y - 10)).toBeGreaterThan(2);
      expect(Math.hypot(s.x - 60, s.y - 20)).toBeGreaterThan(2);
      expect(Math.hypot(s.x - 25, s.y - 65)).toBeGreaterThan(2);
    }
  });

  it('does not turn a thin satellite trail into stars', () => {
    const w = 160;
    const truth = randomStars(25, w, w, 11);
    const img = renderStars(w, w, truth, { noise: 3, seed: 5 });
    // a 1-px wide diagonal trail, 25 sigma bright, crossing the whole frame
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
      const d = Math.abs(0.45 * x - y + 30) / Math.hypot(0.45, 1);
      img[y * w + x] += 75 * Math.exp(-(d * d) / (2 * 0.6 * 0.6));
    }
    const stars = detectStars(img, w, w, { topK: 120 });
    const onTrail = stars.filter((s) => Math.abs(0.45 * s.x - s.y + 30) / Math.hypot(0.45, 1) < 1.5);
    const trueOnTrail = truth.filter((s) => Math.abs(0.45 * s.x - s.y + 30) / Math.hypot(0.45, 1) < 3);
    expect(onTrail.length).toBeLessThanOrEqual(trueOnTrail.length + 2);
    expect(stars.length).toBeGreaterThan(15);
  });

  it('deblends a close pair into two stars with unbiased centroids', () => {
    const pair: TestStar[] = [
      { x: 30.2, y: 30.1, flux: 4000, sigma: 0.9 },
      { x: 33.4, y: 30.6, flux: 3000, sigma: 0.9 },
    ];
    const stars = detectStars(renderStars(60, 60, pair, { noise: 0 }), 60, 60, { topK: 10 });
    expect(stars).toHaveLength(2);
    for (const t of pair) expect(nearest(stars, t.x, t.y)!.d).toBeLessThan(0.15);
  });

  it('retries with k = 2.5 when k = 3.5 finds too few stars', () => {
    // faint stars: peak ~3 sigma, invisible at 3.5 sigma
    const truth: TestStar[] = [];
    for (let i = 0; i < 5; i++) truth.push({ x: 15 + 20 * i, y: 40, flux: 3 * 10 * 2 * Math.PI, sigma: 1 });
    const img = renderStars(110, 80, truth, { noise: 10, seed: 8 });
    const at25 = detectStars(img, 110, 80, { topK: 40, k: 2.5 });
    const auto = detectStars(img, 110, 80, { topK: 40 });
    expect(auto).toEqual(at25);
    expect(truth.filter((t) => nearest(auto, t.x, t.y)!.d < 1).length).toBeGreaterThanOrEqual(4);
  });

  it('does not retry when k = 3.5 finds enough stars', () => {
    const img = renderStars(120, 120, randomStars(40, 120, 120, 12), { noise: 2, seed: 9 });
    const auto = detectStars(img, 120, 120, { topK: 40 });
    expect(auto.length).toBeGreaterThanOrEqual(20);
    expect(auto).not.toEqual(detectStars(img, 120, 120, { topK: 40, k: 2.5 }));
  });

  it('finds nothing in a blank frame and is deterministic', () => {
    expect(detectStars(new Float32Array(64 * 64).fill(5), 64, 64, { topK: 20 })).toEqual([]);
    const img = renderStars(64, 64, randomStars(10, 64, 64, 2), { noise: 2, seed: 1 });
    expect(detectStars(img, 64, 64, { topK: 20 })).toEqual(detectStars(img, 64, 64, { topK: 20 }));
  });

  it('rejects a proxy whose size does not match and a non-positive top-K', () => {
    expect(() => detectStars(new Float32Array(10), 4, 4, { topK: 5 })).toThrow(RangeError);
    expect(() => detectStars(new Float32Array(16), 4, 4, { topK: 0 })).toThrow(RangeError);
  });
});

describe('the sky grid of detectStars (issue 3: background and noise on a coarse grid)', () => {
  // a light-pollution gradient 100 -> 250 ADU across the frame, noise 3, stars of peak ~48 ADU: one
  // global level (median 175, sigma_MAD ~55 from the gradient) would put the threshold above them all
  const W = 512;
  const H = 256;
  const truth: TestStar[] = [];
  for (let i = 0; i < 16; i++) for (let j = 0; j < 6; j++) truth.push({ x: 16 + 31 * i + 0.3 * j, y: 20 + 40 * j + 0.2 * i, flux: 300, sigma: 1 });
  const flat = renderStars(W, H, truth, { noise: 3, seed: 4, background: 0 });
  const img = flat.map((v, i) => v + 100 + (150 * (i % W)) / W);

  it('finds the stars on a sky gradient, and only stars', () => {
    // top-K 120: the 96 stars are more than half, so the k = 2.5 retry (which admits noise peaks) does not run
    const stars = detectStars(img, W, H, { topK: 120 });
    const found = truth.filter((t) => (nearest(stars, t.x, t.y)?.d ?? Infinity) < 0.5).length;
    expect(found).toBeGreaterThanOrEqual(0.9 * truth.length);
    for (const s of stars) expect(Math.min(...truth.map((t) => Math.hypot(t.x - s.x, t.y - s.y)))).toBeLessThan(1);
  });

  it('follows the gradient between cell centres and is constant beyond the outer ones', () => {
    const g = skyGrid(img, W, H)!;
    expect(g.nx).toBe(W / SKY_CELL_PX);
    for (const x of [SKY_CELL_PX / 2, 200, 300, W - SKY_CELL_PX / 2]) expect(skyAt(g, x, 128).level).toBeCloseTo(100 + (150 * x) / W, -0.5);
    expect(skyAt(g, 0, 128).level).toBe(skyAt(g, SKY_CELL_PX / 2, 128).level);
    // the noise of a cell is the noise plus its share of the gradient, not the whole frame's spread
    expect(skyAt(g, 256, 128).noise).toBeLessThan(15);
  });

  it('gives a cell with too few finite pixels the median of the defined cells, and no grid without data', () => {
    const holed = img.slice();
    for (let y = 0; y < SKY_CELL_PX; y++) for (let x = 0; x < SKY_CELL_PX; x++) holed[y * W + x] = Number.NaN;
    const g = skyGrid(holed, W, H)!;
    const defined = Array.from(g.level).slice(1);
    const sorted = [...defined].sort((a, b) => a - b);
    const mid = sorted.length % 2 ? sorted[sorted.length >> 1] : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
    expect(g.level[0]).toBe(mid);
    expect(g.level[0]).toBeGreaterThan(150);
    expect(skyGrid(new Float32Array(64).fill(Number.NaN), 8, 8)).toBeNull();
  });
});
