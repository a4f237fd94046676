import { describe, expect, it } from 'vitest';
import { type Image } from '../../../shared/image/image';
import { measureBackground, objectMask, objectMasks, sigmaClippedMedian } from '../../../shared/pipeline/background';
import { normalizeFrame } from '../../../shared/pipeline/normalize';
import { makeSky, starGrid } from './sky-fixture';

const mono = (data: Float32Array, w: number, h: number): Image => ({ width: w, height: h, planes: 1, data });

/** RGGB mosaic whose colours have backgrounds r, g, b (noise relative to each). */
function oscSky(w: number, h: number, r: number, g: number, b: number, seed = 3): Image {
  const base = makeSky(w, h, { bg: 1, noise: 0.01, seed, stars: starGrid(w, h, 24, 12, 40, 1.5) });
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = base[y * w + x] * (y % 2 === 0 ? (x % 2 === 0 ? r : g) : x % 2 === 0 ? g : b);
  return mono(data, w, h);
}

describe('objectMask', () => {
  it('marks a bright pixel and the radius-3 disk around it, not the flat sky', () => {
    const w = 32;
    const d = makeSky(w, w, { bg: 10, noise: 0.1, seed: 5 });
    d[16 * w + 16] = 100;
    const m = objectMask(mono(d, w, w), { colorMode: 'MONO' });
    expect(m[16 * w + 19]).toBe(1);
    expect(m[18 * w + 18]).toBe(1); // 2^2 + 2^2 = 8 <= 9
    expect(m[19 * w + 19]).toBe(0);
    expect(m[2 * w + 2]).toBe(0);
  });
  it('keeps colours apart with independent masks (a red star leaves the green mask empty)', () => {
    const img = oscSky(32, 32, 1, 1, 1);
    const flat = mono(new Float32Array(32 * 32).fill(1), 32, 32);
    flat.data[10 * 32 + 10] = 50; // an R site of RGGB
    const [rMask, gMask] = objectMasks(flat, { colorMode: 'OSC', pattern: 'RGGB' }, true);
    expect(rMask[10 * 32 + 11]).toBe(1);
    expect(gMask.every((v) => v === 0)).toBe(true);
    expect(img.width).toBe(32);
  });
});

describe('measureBackground', () => {
  it('finds a flat mono background within 1e-3 despite stars (property 12)', () => {
    const w = 128;
    const img = mono(makeSky(w, w, { bg: 250, noise: 3, seed: 7, stars: starGrid(w, w, 20, 10, 3000, 1.6) }), w, w);
    const r = measureBackground(img, { colorMode: 'MONO' });
    expect(r.ok).toBe(true);
    expect(Math.abs(r.background[0] / 250 - 1)).toBeLessThan(1e-3);
  });
  it('measures each CFA colour on its own and normalizes each to 1 +- 1e-3', () => {
    const layout = { colorMode: 'OSC' as const, pattern: 'RGGB' as const };
    const img = oscSky(128, 128, 300, 600, 150);
    const r = measureBackground(img, layout);
    if (!r.ok) throw new Error('background expected');
    expect(r.background.map((b, c) => Math.abs(b / [300, 600, 150][c] - 1) < 2e-3)).toEqual([true, true, true]);
    const again = measureBackground(normalizeFrame(img, layout, r.background), layout);
    expect(again.background.every((b) => Math.abs(b - 1) < 1e-3)).toBe(true);
  });
  it('gives every RGB plane its own background', () => {
    const w = 64;
    const data = new Float32Array(w * w * 3);
    [5, 20, 80].forEach((b, c) => data.set(makeSky(w, w, { bg: b, noise: b * 0.01, seed: c + 1 }), c * w * w));
    const r = measureBackground({ width: w, height: w, planes: 3, data }, { colorMode: 'RGB' });
    expect(r.background.map((b, c) => Math.abs(b / [5, 20, 80][c] - 1) < 2e-3)).toEqual([true, true, true]);
  });
  it('falls back to the clipped median when the mask leaves no sky', () => {
    // sigma_MAD = 0 makes every hot pixel an object; their dilated disks cover the whole frame
    const w = 16;
    const d = new Float32Array(w * w).fill(5);
    for (let y = 0; y < w; y += 3) for (let x = 0; x < w; x += 3) d[y * w + x] = 500;
    const r = measureBackground(mono(d, w, w), { colorMode: 'MONO' });
    expect(r.ok).toBe(true);
    expect(r.usedFallback).toEqual([true]);
    expect(r.background[0]).toBe(5);
  });
  it('returns NO_POSITIVE_BACKGROUND for a zero, negative or all-NaN frame instead of throwing', () => {
    for (const fill of [0, -3, NaN]) {
      const r = measureBackground(mono(new Float32Array(64).fill(fill), 8, 8), { colorMode: 'MONO' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect([r.code, r.colour]).toEqual(['NO_POSITIVE_BACKGROUND', 0]);
    }
  });
  it('names the failing colour of an OSC frame with a dead blue channel', () => {
    const img = oscSky(32, 32, 100, 100, 0);
    const r = measureBackground(img, { colorMode: 'OSC', pattern: 'RGGB' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.colour).toBe(2);
  });
});

describe('sigmaClippedMedian', () => {
  it('drops an extreme outlier before taking the median', () => {
    const v = Float64Array.from([...Array.from({ length: 20 }, (_, i) => 10 + (i % 3)), 1e6]);
    expect(sigmaClippedMedian(v)).toBe(11);
  });
  it('is NaN for no values', () => {
    expect(sigmaClippedMedian(new Float64Array(0))).toBeNaN();
  });
});

describe('normalizeFrame', () => {
  it('divides each CFA colour by its own background and keeps NaN', () => {
    const d = Float32Array.from([10, 20, 20, 40, NaN, 20, 20, 40]);
    const out = normalizeFrame(mono(d, 2, 4), { colorMode: 'OSC', pattern: 'RGGB' }, [10, 20, 40]);
    expect(Array.from(out.data)).toEqual([1, 1, 1, 1, NaN, 1, 1, 1]);
    expect(d[0]).toBe(10);
  });
  it('in place writes exactly the copy\'s values into the input frame', () => {
    const d = Float32Array.from({ length: 48 }, (_, i) => 7 + (i * 37) % 11);
    const copy = normalizeFrame(mono(d, 8, 6), { colorMode: 'OSC', pattern: 'GBRG' }, [3, 7, 11]);
    const inPlace = normalizeFrame(mono(d, 8, 6), { colorMode: 'OSC', pattern: 'GBRG' }, [3, 7, 11], true);
    expect(inPlace.data).toBe(d);
    expect(Array.from(d)).toEqual(Array.from(copy.data));
  });
  it('refuses a non-positive background or a wrong number of values', () => {
    const img = mono(new Float32Array(4).fill(1), 2, 2);
    expect(() => normalizeFrame(img, { colorMode: 'MONO' }, [0])).toThrow(RangeError);
    expect(() => normalizeFrame(img, { colorMode: 'MONO' }, [1, 2])).toThrow(RangeError);
  });
});
