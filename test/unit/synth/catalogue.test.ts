import { describe, expect, it } from 'vitest';
import { spec } from './helpers';

/** Least-squares slope of log10(count per dex) against log10(F) over well-populated log bins. */
function countsSlope(fluxes: number[], lo: number, hi: number, bins: number): number {
  const edges = Array.from({ length: bins + 1 }, (_, i) => Math.log10(lo) + ((Math.log10(hi) - Math.log10(lo)) * i) / bins);
  const counts = new Array(bins).fill(0);
  for (const f of fluxes) {
    const l = Math.log10(f);
    const k = Math.floor(((l - edges[0]) / (edges[bins] - edges[0])) * bins);
    if (k >= 0 && k < bins) counts[k]++;
  }
  const pts = counts.map((c, k) => [(edges[k] + edges[k + 1]) / 2, Math.log10(c)] as const).filter((_, k) => counts[k] >= 20);
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const num = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return num / den;
}

describe('the star catalogue', () => {
  it('follows dN/dF ∝ F^-alpha: counts per dex fall with slope 1 - alpha', () => {
    for (const alpha of [2.0, 2.5]) {
      const s = spec({ frames: 1, width: 2000, height: 2000, starPowerLawIndex: alpha, starsPerMegapixel: 4000 });
      const slope = countsSlope(
        s.stars.map((st) => st.flux),
        150,
        1.5e5,
        9,
      );
      expect(Math.abs(slope - (1 - alpha))).toBeLessThan(0.08);
    }
  });

  it('keeps every flux inside [starFluxMinAdu, starFluxMaxAdu]', () => {
    const s = spec({ frames: 1, width: 500, height: 500, starFluxMinAdu: 300, starFluxMaxAdu: 3000 });
    const f = s.stars.map((st) => st.flux);
    expect(Math.min(...f)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...f)).toBeLessThanOrEqual(3000);
  });

  it('scales the star count with the area and fills a margin beyond the scene edges', () => {
    const small = spec({ frames: 1, width: 500, height: 500 });
    const large = spec({ frames: 1, width: 1000, height: 1000 });
    expect(large.stars.length / small.stars.length).toBeGreaterThan(3);
    expect(large.stars.length / small.stars.length).toBeLessThan(4);
    expect(small.stars.some((st) => st.x < -20)).toBe(true);
    expect(small.stars.some((st) => st.y > 500 + 20)).toBe(true);
  });

  it('gives colour sets star colours normalised to (R + 2G + B)/4 = 1, and mono sets none', () => {
    const colour = spec({ frames: 1, width: 300, height: 300, bayer: 'RGGB' });
    for (const st of colour.stars) expect((st.colour[0] + 2 * st.colour[1] + st.colour[2]) / 4).toBeCloseTo(1, 12);
    expect(new Set(colour.stars.map((st) => st.colour[0].toFixed(3))).size).toBeGreaterThan(10);
    const mono = spec({ frames: 1, width: 300, height: 300 });
    expect(mono.stars.every((st) => st.colour.every((c) => c === 1))).toBe(true);
  });
});

describe('the hot pixels', () => {
  it('number about hotPixelFraction of the sensor, at distinct positions on the sensor', () => {
    const s = spec({ frames: 1, width: 400, height: 250, hotPixelFraction: 1e-3 });
    expect(s.hotPixels.length).toBe(100);
    const keys = new Set(s.hotPixels.map((h) => h.y * 400 + h.x));
    expect(keys.size).toBe(100);
    for (const h of s.hotPixels) {
      expect(h.x).toBeGreaterThanOrEqual(0);
      expect(h.x).toBeLessThan(400);
      expect(h.y).toBeLessThan(250);
      expect(h.adu).toBeGreaterThan(0);
    }
  });

  it('are absent when hotPixelFraction is 0', () => {
    expect(spec({ frames: 1, width: 400, height: 250, hotPixelFraction: 0 }).hotPixels).toEqual([]);
  });
});
