import { describe, expect, it } from 'vitest';
import { measureGlobalMetrics, proxyNoiseAndStructure } from '../../../shared/pipeline/global-metrics';
import { mulberry32 } from '../../../shared/util/seed';
import * as before from './before/global-metrics-before';
import { makeSky, starGrid } from './sky-fixture';

// P2.4 with the WebAssembly kernels behind the mask statistics, the 3x3 median and the E sum,
// against the frozen previous definitions in ./before: sigma and E bit for bit.

describe('proxyNoiseAndStructure against the previous definition', () => {
  it('gives the same sigma and E on star fields of several sizes, with NaN borders and ties', () => {
    for (const [w, h, seed] of [[64, 48, 1], [301, 257, 2], [400, 330, 3]]) {
      const data = makeSky(w, h, { bg: 1, noise: 0.02, seed, stars: starGrid(w, h, 40, 30, 200, 1.5), gx: 1e-4 });
      const u = mulberry32(seed);
      for (let i = 0; i < data.length; i++) {
        if (i % w < 2 || u() < 0.001) data[i] = Number.NaN;
        else if (u() < 0.2) data[i] = Math.round(data[i] * 128) / 128;
      }
      const got = proxyNoiseAndStructure({ width: w, height: h, data });
      const want = before.proxyNoiseAndStructure({ width: w, height: h, data });
      expect(Object.is(got.sigma, want.sigma) && Object.is(got.E, want.E), `${w}x${h}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(true);
      expect(got.E).toBeGreaterThan(0);
    }
  });

  it('gives NaN for a plane without a valid pixel, as before (the failure twin)', () => {
    const data = new Float32Array(40 * 30).fill(Number.NaN);
    const got = proxyNoiseAndStructure({ width: 40, height: 30, data });
    expect(got.sigma).toBeNaN();
    expect(got.E).toBeNaN();
    expect(before.proxyNoiseAndStructure({ width: 40, height: 30, data }).E).toBeNaN();
  });

  it('gives the same per-channel metrics of an OSC frame in the strict profile', () => {
    const w = 260;
    const h = 200;
    const data = makeSky(w, h, { bg: 1, noise: 0.03, seed: 5, stars: starGrid(w, h, 30, 30, 300, 1.2) });
    const image = { width: w, height: h, planes: 1, data };
    const layout = { colorMode: 'OSC' as const, pattern: 'RGGB' as const };
    expect(measureGlobalMetrics(image, layout, [100, 120, 90], 'strict')).toEqual(before.measureGlobalMetrics(image, layout, [100, 120, 90], 'strict'));
  });
});
