import { describe, expect, it } from 'vitest';
import { hotPixelCorrectionInPlace, ISOLATED_MIN_SIGMA, suppressIsolatedPixels, suppressIsolatedPixelsInPlace } from '../../../shared/pipeline/cosmetic';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const W = 64;
const H = 48;

/** A normalized RGGB mosaic: background 1 with noise 0.02, plus optional Gaussian stars of a colour. */
function mosaic(stars: Array<{ x: number; y: number; peak: number; fwhm: number; rgb?: [number, number, number] }>, seed = 1): Float32Array {
  const g = gaussianSource(mulberry32(seed));
  const d = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const colour = (y & 1) === 0 ? ((x & 1) === 0 ? 0 : 1) : (x & 1) === 0 ? 1 : 2;
      let v = 1 + 0.02 * g();
      for (const s of stars) {
        const sig = s.fwhm / 2.3548;
        v += (s.rgb ?? [1, 1, 1])[colour] * s.peak * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * sig * sig));
      }
      d[y * W + x] = v;
    }
  }
  return d;
}

describe('suppressIsolatedPixels (OSC hot pixels before measuring)', () => {
  it('replaces a hot pixel by its same-colour background and reports it', () => {
    const d = mosaic([]);
    d[20 * W + 30] = 3;
    const r = suppressIsolatedPixels(d, W, H);
    expect(r.replaced).toBe(1);
    expect(Math.abs(r.data[20 * W + 30] - 1)).toBeLessThan(0.05);
    expect(d[20 * W + 30]).toBe(3); // the input is not touched
  });

  it('leaves sharp stars alone, even strongly coloured ones', () => {
    const stars = [
      { x: 20, y: 14, peak: 2, fwhm: 1.6 },
      { x: 40.5, y: 30.3, peak: 4, fwhm: 2.0, rgb: [1, 0.35, 0.15] as [number, number, number] },
      { x: 12.2, y: 36, peak: 3, fwhm: 1.5, rgb: [0.2, 0.5, 1] as [number, number, number] },
    ];
    const d = mosaic(stars);
    const r = suppressIsolatedPixels(d, W, H);
    expect(r.replaced).toBe(0);
    expect(Array.from(r.data)).toEqual(Array.from(d));
  });

  it('does not touch pure noise', () => {
    expect(suppressIsolatedPixels(mosaic([], 7), W, H).replaced).toBe(0);
  });

  it('ignores a spike below the significance floor', () => {
    const d = mosaic([]);
    d[20 * W + 30] = 1 + 0.5 * ISOLATED_MIN_SIGMA * 0.02;
    expect(suppressIsolatedPixels(d, W, H).replaced).toBe(0);
  });

  it('keeps NaN pixels NaN and handles tiny or mismatched input', () => {
    const d = mosaic([]);
    d[10 * W + 10] = Number.NaN;
    d[20 * W + 30] = 3;
    const r = suppressIsolatedPixels(d, W, H);
    expect(Number.isNaN(r.data[10 * W + 10])).toBe(true);
    expect(r.replaced).toBe(1);
    expect(suppressIsolatedPixels(new Float32Array(16), 4, 4).replaced).toBe(0);
    expect(() => suppressIsolatedPixels(new Float32Array(10), 4, 4)).toThrow(/10 values for 4x4/);
  });

  it('in place gives exactly the copy\'s result, even for neighbouring hot pixels', () => {
    const d = mosaic([{ x: 20, y: 14, peak: 2, fwhm: 1.6 }]);
    d[20 * W + 30] = 3;
    d[20 * W + 32] = 2.5; // same colour, two pixels away: detection must see the original values
    d[30 * W + 11] = 4;
    const copy = suppressIsolatedPixels(d, W, H);
    const inPlace = d.slice();
    expect(suppressIsolatedPixelsInPlace(inPlace, W, H)).toBe(copy.replaced);
    expect(copy.replaced).toBeGreaterThanOrEqual(2);
    expect(Array.from(inPlace)).toEqual(Array.from(copy.data));
  });
});

describe('hotPixelCorrectionInPlace (P12.3 rule; per frame with stacking.per_frame_cosmetic_correction)', () => {
  const image = (data: Float32Array) => ({ width: W, height: H, planes: 1, data });

  it('replaces isolated hot pixels of a mosaic by the mean of their same-colour pixels at distance 2, in place', () => {
    const d = mosaic([{ x: 20, y: 14, peak: 2, fwhm: 2.5 }]);
    const before = d.slice();
    d[30 * W + 40] = 5;
    d[10 * W + 51] = 6;
    const n = hotPixelCorrectionInPlace(image(d), 5, 'RGGB');
    expect(n).toBe(2);
    const at = (x: number, y: number) => (before[y * W + x - 2] + before[y * W + x + 2] + before[(y - 2) * W + x] + before[(y + 2) * W + x]) / 4;
    expect(d[30 * W + 40]).toBeCloseTo(at(40, 30), 6);
    expect(d[10 * W + 51]).toBeCloseTo(at(51, 10), 6);
    // the star (its neighbours are warm too) and everything else are untouched
    let changed = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== before[i]) changed++;
    expect(changed).toBe(2);
  });

  it('decides on the uncorrected values: two hot pixels two apart are both fixed from the originals', () => {
    const d = mosaic([]);
    d[20 * W + 30] = 4;
    d[20 * W + 32] = 4;
    const orig = d.slice();
    expect(hotPixelCorrectionInPlace(image(d), 5, 'RGGB')).toBe(2);
    // the left one's mean includes the right one's ORIGINAL (hot) value
    const left = (orig[20 * W + 28] + orig[20 * W + 32] + orig[18 * W + 30] + orig[22 * W + 30]) / 4;
    expect(d[20 * W + 30]).toBeCloseTo(left, 6);
  });

  it('corrects nothing in pure noise, and keeps NaN pixels NaN', () => {
    const d = mosaic([], 3);
    d[5 * W + 5] = Number.NaN;
    const before = d.slice();
    expect(hotPixelCorrectionInPlace(image(d), 5, 'RGGB')).toBe(0);
    expect(Array.from(d)).toEqual(Array.from(before));
  });
});
