import { describe, expect, it } from 'vitest';
import { measureFrameStars, measureStar, measureStarShape, weightedFwhm } from '../../../shared/pipeline/measure-star';
import { makeSky, type SkyStar } from './sky-fixture';

describe('measureStar', () => {
  it('recovers the FWHM 2.3548*sigma, roundness 1 and centroid of a round Gaussian star', () => {
    const w = 48;
    const img = makeSky(w, w, { bg: 10, stars: [{ x: 24.3, y: 23.8, flux: 5000, sigma: 2 }] });
    const m = measureStar(img, w, w, 24, 24, 10, 10);
    expect(m).not.toBeNull();
    expect(m!.fwhm).toBeCloseTo(2.3548 * 2, 1);
    expect(m!.roundness).toBeGreaterThan(0.99);
    expect(m!.x).toBeCloseTo(24.3, 2);
    expect(m!.y).toBeCloseTo(23.8, 2);
    expect(m!.contrast).toBeCloseTo(m!.peak / 10, 10);
    expect(m!.bg).toBeCloseTo(10, 1); // patch median: sky plus a little of the wings
  });
  it('measures an elliptical star: axes 3 and 1.5 sigma, roundness 0.5, FWHM their geometric mean', () => {
    const w = 48;
    const img = makeSky(w, w, { bg: 1, stars: [{ x: 24, y: 24, flux: 5000, sigma: 3, sigmaY: 1.5 }] });
    const m = measureStar(img, w, w, 24, 24, 10, 1)!;
    expect(m.fwhmMajor).toBeCloseTo(2.3548 * 3, 0);
    expect(m.roundness).toBeCloseTo(0.5, 1);
    expect(m.fwhm).toBeCloseTo(Math.sqrt(m.fwhmMajor * m.fwhmMinor), 12);
  });
  it('rejects a patch that leaves the plane or holds a NaN', () => {
    const w = 30;
    const img = makeSky(w, w, { bg: 1, stars: [{ x: 15, y: 15, flux: 500, sigma: 1.5 }] });
    expect(measureStar(img, w, w, 5, 15, 10, 1)).toBeNull();
    expect(measureStar(img, w, w, 15, 15, 10, 1)).not.toBeNull();
    img[15 * w + 20] = NaN;
    expect(measureStar(img, w, w, 15, 15, 10, 1)).toBeNull();
  });
  it('rejects a flat patch, a single hot pixel and a line (degenerate second moments)', () => {
    const w = 64;
    const flat = new Float32Array(w * w).fill(3);
    expect(measureStar(flat, w, w, 32, 32, 10, 1)).toBeNull();
    flat[32 * w + 32] = 100;
    expect(measureStar(flat, w, w, 32, 32, 10, 1)).toBeNull(); // zero second moments
    const line = new Float32Array(w * w).fill(1);
    for (let x = 0; x < w; x++) line[32 * w + x] = 50; // l2 = 0 for a line
    expect(measureStar(line, w, w, 32, 32, 10, 1)).toBeNull();
  });
});

function frameWithStars(w: number, stars: SkyStar[]) {
  return makeSky(w, w, { bg: 1, noise: 0.005, seed: 9, stars });
}

/** Stars centred on the full-resolution images of proxy positions (2p + 0.5). */
function gridStars(n: number, sigma: (k: number) => number): { full: SkyStar[]; proxy: { x: number; y: number }[] } {
  const full: SkyStar[] = [];
  const proxy: { x: number; y: number }[] = [];
  for (let k = 0; k < n; k++) {
    const px = 10 + 14 * (k % 8);
    const py = 10 + 14 * Math.floor(k / 8);
    proxy.push({ x: px, y: py });
    full.push({ x: 2 * px + 0.5, y: 2 * py + 0.5, flux: 300, sigma: sigma(k) });
  }
  return { full, proxy };
}

describe('measureFrameStars', () => {
  it('takes medians over >= 25 stars seeded from proxy positions mapped with 2p + 0.5', () => {
    const w = 256;
    const { full, proxy } = gridStars(40, () => 1.8);
    const r = measureFrameStars(frameWithStars(w, full), w, w, proxy);
    expect(r.stars).toBe(40);
    expect(r.fwhm!).toBeCloseTo(2.3548 * 1.8, 1);
    expect(r.roundness!).toBeGreaterThan(0.97);
  });
  it('drops FWHM outliers beyond 2.5 sigma_MAD of the median', () => {
    const w = 256;
    const { full, proxy } = gridStars(40, (k) => (k < 3 ? 4 : 1.8 + 0.02 * (k % 5)));
    const r = measureFrameStars(frameWithStars(w, full), w, w, proxy);
    expect(r.stars).toBe(37);
    expect(r.fwhm!).toBeLessThan(2.3548 * 2);
  });
  it('leaves FWHM undefined with fewer than 25 stars, and everything empty without stars', () => {
    const w = 256;
    const { full, proxy } = gridStars(20, () => 1.8);
    const r = measureFrameStars(frameWithStars(w, full), w, w, proxy);
    expect([r.fwhm, r.stars]).toEqual([null, 20]);
    expect(r.roundness).not.toBeNull();
    expect(measureFrameStars(frameWithStars(w, []), w, w, [])).toEqual({ fwhm: null, roundness: null, stars: 0 });
  });
});

describe('weightedFwhm', () => {
  it('scales FWHM by max(stars)/stars and keeps undefined frames undefined', () => {
    const out = weightedFwhm([
      { fwhm: 3, roundness: 1, stars: 100 },
      { fwhm: 3, roundness: 1, stars: 50 },
      { fwhm: null, roundness: 1, stars: 10 },
    ]);
    expect(out).toEqual([3, 6, null]);
  });
});

describe('measureStar on noisy data', () => {
  it('measures the FWHM of a faint star without the noise of the whole patch inflating it', async () => {
    const { mulberry32, gaussianSource } = await import('../../../shared/util/seed');
    const gauss = gaussianSource(mulberry32(42));
    const w = 41;
    const h = 41;
    const sigmaPsf = 3.4 / 2.3548;
    const results: number[] = [];
    for (let trial = 0; trial < 20; trial++) {
      const plane = new Float32Array(w * h);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const r2 = (x - 20.3) ** 2 + (y - 19.8) ** 2;
          // peak 0.3 above a sky of 1 with noise 0.03: SNR ~ 10 per peak pixel
          plane[y * w + x] = 1 + 0.3 * Math.exp(-r2 / (2 * sigmaPsf * sigmaPsf)) + 0.03 * gauss();
        }
      const m = measureStar(plane, w, h, 20, 20, 10, 1);
      if (m) results.push(m.fwhm);
    }
    results.sort((a, b) => a - b);
    const med = results[results.length >> 1];
    expect(results.length).toBeGreaterThan(15);
    expect(med).toBeGreaterThan(3.4 * 0.9);
    expect(med).toBeLessThan(3.4 * 1.1);
  });
});

describe('measureStar adaptive moments at low SNR', () => {
  it('reads the FWHM of stars with a peak SNR of 4 within 10 % (the plain patch moments read 3-6x too wide)', async () => {
    const { mulberry32, gaussianSource } = await import('../../../shared/util/seed');
    const gauss = gaussianSource(mulberry32(7));
    const n = 21;
    const fwhmTrue = 2.5;
    const s = fwhmTrue / 2.3548;
    const out: number[] = [];
    for (let trial = 0; trial < 40; trial++) {
      const plane = new Float32Array(n * n);
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) plane[y * n + x] = 1 + 0.12 * Math.exp(-((x - 10.2) ** 2 + (y - 9.7) ** 2) / (2 * s * s)) + 0.03 * gauss();
      const m = measureStar(plane, n, n, 10, 10, 10, 1);
      if (m) out.push(m.fwhm);
    }
    out.sort((a, b) => a - b);
    expect(out.length).toBeGreaterThan(25);
    const med = out[out.length >> 1];
    expect(Math.abs(med - fwhmTrue) / fwhmTrue).toBeLessThan(0.1);
  });

  it('rejects a patch of pure noise that happens to pass the peak test', async () => {
    const { mulberry32, gaussianSource } = await import('../../../shared/util/seed');
    const gauss = gaussianSource(mulberry32(3));
    const n = 21;
    let measured = 0;
    let wide = 0;
    for (let trial = 0; trial < 30; trial++) {
      const plane = Float32Array.from({ length: n * n }, () => 1 + 0.03 * gauss());
      plane[10 * n + 10] = 1.2;
      const m = measureStar(plane, n, n, 10, 10, 10, 1);
      if (m) {
        measured++;
        if (m.fwhm > 5) wide++;
      }
    }
    // a hot pixel or a noise spike is never a wide star
    expect(wide).toBe(0);
    expect(measured).toBeLessThanOrEqual(30);
  });
});

describe('measureStarShape', () => {
  it('is measureStar without the contrast, whichever reference level measureStar divides by', () => {
    const w = 40;
    const img = makeSky(w, w, { bg: 3, noise: 0.05, seed: 2, stars: [{ x: 20.2, y: 19.7, flux: 800, sigma: 1.6 }] });
    const shape = measureStarShape(img, w, w, 20, 20, 7)!;
    expect(shape).not.toBeNull();
    for (const bgRef of [1, 3, 0.5]) {
      const { contrast, ...rest } = measureStar(img, w, w, 20, 20, 7, bgRef)!;
      expect(rest).toEqual(shape);
      expect(contrast).toBe(shape.peak / bgRef);
    }
  });
  it('rejects what measureStar rejects: a patch over the edge, and a NaN after a good measurement', () => {
    const w = 40;
    const img = makeSky(w, w, { bg: 3, stars: [{ x: 20, y: 20, flux: 800, sigma: 1.6 }] });
    expect(measureStarShape(img, w, w, 3, 20, 7)).toBeNull();
    expect(measureStarShape(img, w, w, 20, 20, 7)).not.toBeNull();
    img[22 * w + 21] = NaN;
    expect(measureStarShape(img, w, w, 20, 20, 7)).toBeNull();
    expect(measureStar(img, w, w, 20, 20, 7, 1)).toBeNull();
  });
});
