import { describe, expect, it } from 'vitest';
import { renderFrame, skyAt } from '../../../shared/synth';
import { spec } from './helpers';

describe('hot pixels', () => {
  const opts = { frames: 4, width: 128, height: 96, hotPixelFraction: 2e-3, noiseFree: true, seed: 3 };
  const withHot = spec(opts);
  const without = spec({ ...opts, hotPixelFraction: 0 });

  it('sit at the same sensor positions in every frame although the sky moves', () => {
    expect(withHot.hotPixels.length).toBe(25);
    expect(Math.hypot(withHot.frames[0].dx - withHot.frames[3].dx, withHot.frames[0].dy - withHot.frames[3].dy)).toBeGreaterThan(1);
    const hot = new Map(withHot.hotPixels.map((h) => [h.y * 128 + h.x, h.adu]));
    for (let f = 0; f < 4; f++) {
      const a = renderFrame(withHot, f).data;
      const b = renderFrame(without, f).data;
      let wrong = 0;
      for (let i = 0; i < a.length; i++) {
        // equal up to the float32 rounding of the sum
        if (Math.abs(a[i] - b[i] - (hot.get(i) ?? 0)) > 1e-6 * Math.abs(a[i]) + 1e-3) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });

  it('stand out of a noisy frame at their positions', () => {
    const noisy = spec({ ...opts, noiseFree: false });
    const img = renderFrame(noisy, 1);
    const frame = noisy.frames[1];
    for (const h of noisy.hotPixels.filter((p) => p.adu > 1000)) {
      const background = noisy.options.pedestalAdu + skyAt(noisy, frame, h.x, h.y);
      expect(img.data[h.y * 128 + h.x]).toBeGreaterThan(background + 0.5 * h.adu);
    }
  });
});

describe('sensor noise', () => {
  /** Flat sky only: residuals noisy - expectation, in bands of similar signal. */
  function residualVariance(o: { gainEPerAdu: number; readNoiseE: number; skyLevelAdu: number }) {
    const common = {
      frames: 1, width: 256, height: 256, starsPerMegapixel: 0, galaxyCount: 0, nebula: false, hotPixelFraction: 0,
      cloudFraction: 0, trailFraction: 0, skyGradient: 0, seed: 21, ...o,
    };
    const noisySpec = spec(common);
    const noisy = renderFrame(noisySpec, 0).data;
    const expected = renderFrame(spec({ ...common, noiseFree: true }), 0).data;
    let s = 0;
    let s2 = 0;
    let signal = 0;
    for (let i = 0; i < noisy.length; i++) {
      const r = noisy[i] - expected[i];
      s += r;
      s2 += r * r;
      signal += expected[i] - noisySpec.options.pedestalAdu;
    }
    const n = noisy.length;
    const mean = s / n;
    return { mean, variance: s2 / n - mean * mean, signalAdu: signal / n };
  }

  it('has variance S/gain + (read noise/gain)^2 + 1/12 in the Gaussian regime', () => {
    const { mean, variance, signalAdu } = residualVariance({ gainEPerAdu: 2, readNoiseE: 5, skyLevelAdu: 800 });
    const predicted = signalAdu / 2 + (5 / 2) ** 2 + 1 / 12;
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(Math.abs(variance / predicted - 1)).toBeLessThan(0.03);
  });

  it('has the same law in the exact-Poisson regime of a faint sky', () => {
    const { mean, variance, signalAdu } = residualVariance({ gainEPerAdu: 1, readNoiseE: 2, skyLevelAdu: 6 });
    const predicted = signalAdu + 4 + 1 / 12;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance / predicted - 1)).toBeLessThan(0.03);
  });

  it('tells gains apart: a four times higher gain gives a clearly smaller variance', () => {
    const low = residualVariance({ gainEPerAdu: 1, readNoiseE: 3, skyLevelAdu: 800 }).variance;
    const high = residualVariance({ gainEPerAdu: 4, readNoiseE: 3, skyLevelAdu: 800 }).variance;
    expect(low / high).toBeGreaterThan(3.5);
  });

  it('writes integers in [0, 65535], clipping saturated pixels', () => {
    const hot = spec({ frames: 1, width: 64, height: 64, skyLevelAdu: 60000, pedestalAdu: 3000, seed: 2 });
    const data = renderFrame(hot, 0).data;
    let clipped = 0;
    for (const v of data) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(65535);
      if (v === 65535) clipped++;
    }
    expect(clipped).toBeGreaterThan(0);
  });
});
