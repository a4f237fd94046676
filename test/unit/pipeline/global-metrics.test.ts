import { describe, expect, it } from 'vitest';
import { type Image } from '../../../shared/image/image';
import { proxyOf } from '../../../shared/image/views';
import { backgroundForQ, measureGlobalMetrics, proxyNoiseAndStructure } from '../../../shared/pipeline/global-metrics';
import { makeSky, starGrid } from './sky-fixture';

const plane = (data: Float32Array, w: number, h = w) => ({ width: w, height: h, data });

describe('proxyNoiseAndStructure', () => {
  it('measures the background noise as sigma_MAD of the non-object pixels', () => {
    const w = 128;
    const r = proxyNoiseAndStructure(plane(makeSky(w, w, { bg: 1, noise: 0.02, seed: 4, stars: starGrid(w, w, 24, 12, 5, 1.2) }), w));
    expect(r.sigma).toBeGreaterThan(0.019);
    expect(r.sigma).toBeLessThan(0.021);
  });
  it('gives E that does not depend on the noise level for pure noise ([DIFF] E/sigma^2)', () => {
    const w = 128;
    const a = proxyNoiseAndStructure(plane(makeSky(w, w, { bg: 1, noise: 0.01, seed: 1 }), w));
    const b = proxyNoiseAndStructure(plane(makeSky(w, w, { bg: 1, noise: 0.04, seed: 2 }), w));
    expect(Math.abs(a.E / b.E - 1)).toBeLessThan(0.1);
  });
  it('gives sharper stars a larger E than the same stars blurred', () => {
    const w = 128;
    const sharp = proxyNoiseAndStructure(plane(makeSky(w, w, { noise: 0.01, seed: 3, stars: starGrid(w, w, 16, 8, 2, 0.8) }), w));
    const soft = proxyNoiseAndStructure(plane(makeSky(w, w, { noise: 0.01, seed: 3, stars: starGrid(w, w, 16, 8, 2, 2.0) }), w));
    expect(sharp.E).toBeGreaterThan(1.5 * soft.E);
  });
  it('ignores a few hot pixels (3x3 median, top 0.1 % dropped)', () => {
    const w = 128;
    const d = makeSky(w, w, { noise: 0.01, seed: 6 });
    const clean = proxyNoiseAndStructure(plane(d, w)).E;
    for (let k = 0; k < 10; k++) d[(10 + 11 * k) * w + 7 + 9 * k] = 50;
    expect(Math.abs(proxyNoiseAndStructure(plane(d, w)).E / clean - 1)).toBeLessThan(0.02);
  });
  it('stays finite on a constant proxy and is NaN on an all-NaN proxy', () => {
    expect(proxyNoiseAndStructure(plane(new Float32Array(256).fill(1), 16))).toEqual({ sigma: 0, E: 0 });
    const r = proxyNoiseAndStructure(plane(new Float32Array(256).fill(NaN), 16));
    expect([r.sigma, r.E].every(Number.isNaN)).toBe(true);
  });
});

describe('backgroundForQ', () => {
  it('weights OSC colours 0.25/0.5/0.25, averages RGB planes and passes mono through', () => {
    expect(backgroundForQ([100, 200, 40], 'OSC')).toBe(135);
    expect(backgroundForQ([30, 60, 90], 'RGB')).toBe(60);
    expect(backgroundForQ([7], 'MONO')).toBe(7);
  });
});

describe('measureGlobalMetrics', () => {
  const w = 96;
  function osc(redBoost: number): Image {
    const base = makeSky(w, w, { bg: 1, noise: 0.01, seed: 8, stars: starGrid(w, w, 20, 10, 3, 1.2) });
    const d = base.slice();
    for (let y = 0; y < w; y += 2) for (let x = 0; x < w; x += 2) d[y * w + x] = base[y * w + x] * redBoost + (x * y) % 7 * 0.01 * (redBoost - 1);
    return { width: w, height: w, planes: 1, data: d };
  }
  it('returns one luminance entry in practical and one per channel in strict', () => {
    const layout = { colorMode: 'OSC' as const, pattern: 'RGGB' as const };
    expect(measureGlobalMetrics(osc(1), layout, [100, 200, 40], 'practical')).toHaveLength(1);
    const strict = measureGlobalMetrics(osc(1), layout, [100, 200, 40], 'strict');
    expect(strict.map((m) => m.B)).toEqual([100, 200, 40]);
  });
  it('keeps G and B metrics unchanged when only the red pixels change (strict, property 7)', () => {
    const layout = { colorMode: 'OSC' as const, pattern: 'RGGB' as const };
    const a = measureGlobalMetrics(osc(1), layout, [1, 1, 1], 'strict');
    const b = measureGlobalMetrics(osc(1.7), layout, [1, 1, 1], 'strict');
    expect(b[0]).not.toEqual(a[0]);
    expect(b.slice(1)).toEqual(a.slice(1));
  });
});

describe('measureGlobalMetrics with a proxy the caller built', () => {
  it('gives the same metrics as building the proxy itself, and uses the one it is given', () => {
    const w = 128;
    const frame: Image = { width: w, height: w, planes: 1, data: makeSky(w, w, { bg: 1, noise: 0.03, seed: 9, stars: starGrid(w, w, 24, 12, 5, 1.2) }) };
    const own = measureGlobalMetrics(frame, { colorMode: 'MONO' }, [1000], 'practical');
    expect(measureGlobalMetrics(frame, { colorMode: 'MONO' }, [1000], 'practical', proxyOf(frame))).toEqual(own);
    const other = proxyOf({ ...frame, data: makeSky(w, w, { bg: 1, noise: 0.06, seed: 10 }) });
    expect(measureGlobalMetrics(frame, { colorMode: 'MONO' }, [1000], 'practical', other)[0].sigma).toBeGreaterThan(1.5 * own[0].sigma);
  });
});
