import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAYER_PATTERNS, bayerColorAt, type BayerPattern } from '../../../shared/image/image';
import { debayerBilinear } from '../../../shared/pipeline/demosaic-bilinear';
import { debayerRcd } from '../../../shared/pipeline/demosaic-rcd';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

/** A known RGB scene: truth(c, x, y), sampled into a mosaic and compared with the demosaic. */
type Scene = (c: number, x: number, y: number) => number;

function sample(scene: Scene, w: number, h: number, p: BayerPattern, dx = 0, dy = 0): Float32Array {
  const m = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = scene(bayerColorAt(p, x, y), x + dx, y + dy);
  return m;
}

/** Gaussian stars (FWHM in px) of one colour on a sky of another, at seeded sub-pixel positions. */
function starField(w: number, h: number, fwhm: number, seed: number, count = 30): Scene {
  const u = mulberry32(seed);
  const stars = Array.from({ length: count }, () => ({ x: 6 + u() * (w - 12), y: 6 + u() * (h - 12), a: 300 + 4000 * u() }));
  const s2 = 2 * (fwhm / 2.3548) ** 2;
  const colour = [1, 0.8, 0.55];
  const sky = [100, 120, 90];
  return (c, x, y) => {
    let v = sky[c];
    for (const s of stars) {
      const d2 = (x - s.x) ** 2 + (y - s.y) ** 2;
      if (d2 < 64) v += colour[c] * s.a * Math.exp(-d2 / s2);
    }
    return v;
  };
}

/** A bright-on-dark edge slanted by ~5.7 degrees, smoothed over ~1 px (an erf-like ramp). */
function slantedEdge(w: number): Scene {
  const lo = [40, 60, 30];
  const hi = [900, 700, 1200];
  return (c, x, y) => {
    const d = x - (w / 2 + 0.1 * y);
    const t = 1 / (1 + Math.exp(-1.7 * d));
    return lo[c] + (hi[c] - lo[c]) * t;
  };
}

/** RMS error against the truth and RMS of its second difference along x (the zipper: 2-px alternation). */
function errors(out: Float32Array, scene: Scene, w: number, h: number, margin: number): { rms: number; zipper: number } {
  let se = 0;
  let sz = 0;
  let n = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = margin; y < h - margin; y++) {
      for (let x = margin; x < w - margin; x++) {
        const e = (xx: number) => out[(c * h + y) * w + xx] - scene(c, xx, y);
        se += e(x) ** 2;
        sz += (e(x - 1) - 2 * e(x) + e(x + 1)) ** 2;
        n++;
      }
    }
  }
  return { rms: Math.sqrt(se / n), zipper: Math.sqrt(sz / n) };
}

function maxRelError(out: Float32Array, scene: Scene, w: number, h: number, margin: number): number {
  let worst = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = margin; y < h - margin; y++) {
      for (let x = margin; x < w - margin; x++) {
        const t = scene(c, x, y);
        worst = Math.max(worst, Math.abs(out[(c * h + y) * w + x] - t) / Math.abs(t));
      }
    }
  }
  return worst;
}

/** Channel values of (x, y) in an RGB result of width w, height h. */
const rgbAt = (data: Float32Array, w: number, h: number, x: number, y: number): number[] => [0, 1, 2].map((c) => data[(c * h + y) * w + x]);

describe('debayerRcd', () => {
  it('reproduces a flat colour field exactly on every pixel, borders included, for all patterns', () => {
    const flat: Scene = (c) => [3.3, 7.1, 0.2][c];
    for (const p of BAYER_PATTERNS) {
      const out = debayerRcd(sample(flat, 37, 29, p), 37, 29, p).data;
      for (let c = 0; c < 3; c++) for (let i = 0; i < 37 * 29; i++) expect(out[c * 37 * 29 + i]).toBe(Math.fround(flat(c, 0, 0)));
    }
  });

  it('does not reproduce the field when decoded with the wrong pattern (R and B swap)', () => {
    const flat: Scene = (c) => [3, 7, 11][c];
    const out = debayerRcd(sample(flat, 16, 16, 'RGGB'), 16, 16, 'BGGR').data;
    expect(rgbAt(out, 16, 16, 8, 8)).toEqual([11, 7, 3]);
  });

  it('reproduces a smooth gradient to 1e-4 relative in the interior and is bilinear at the border', () => {
    const w = 96;
    const h = 80;
    const grad: Scene = (c, x, y) => [500, 800, 300][c] + [0.7, 1.1, 0.4][c] * x + [0.3, -0.5, 0.9][c] * y + 0.002 * x * y;
    const m = sample(grad, w, h, 'RGGB');
    const out = debayerRcd(m, w, h, 'RGGB').data;
    expect(maxRelError(out, grad, w, h, 10)).toBeLessThan(1e-4);
    const bil = debayerBilinear(m, w, h, 'RGGB').data;
    for (const [x, y] of [[0, 0], [1, 5], [w - 1, h - 1], [40, 2], [3, 40]]) expect(rgbAt(out, w, h, x, y)).toEqual(rgbAt(bil, w, h, x, y));
  });

  it('misses the same gradient by far when the pattern is off by one column', () => {
    const grad: Scene = (c, x, y) => [500, 800, 300][c] + [0.7, 1.1, 0.4][c] * x + [0.3, -0.5, 0.9][c] * y;
    const out = debayerRcd(sample(grad, 48, 48, 'RGGB'), 48, 48, 'GRBG').data;
    expect(maxRelError(out, grad, 48, 48, 10)).toBeGreaterThan(0.1);
  });

  it('beats bilinear on Gaussian stars of FWHM 3 px: under 60 % of its RMS error and of its zipper', () => {
    const w = 128;
    const h = 96;
    const scene = starField(w, h, 3, 7);
    const m = sample(scene, w, h, 'RGGB');
    const rcd = errors(debayerRcd(m, w, h, 'RGGB').data, scene, w, h, 10);
    const bil = errors(debayerBilinear(m, w, h, 'RGGB').data, scene, w, h, 10);
    expect(rcd.rms).toBeLessThan(0.6 * bil.rms);
    expect(rcd.zipper).toBeLessThan(0.6 * bil.zipper);
  });

  it('beats bilinear across a sharp slanted edge: lower RMS error and less zipper', () => {
    const w = 96;
    const h = 96;
    const scene = slantedEdge(w);
    const m = sample(scene, w, h, 'GBRG');
    const rcd = errors(debayerRcd(m, w, h, 'GBRG').data, scene, w, h, 10);
    const bil = errors(debayerBilinear(m, w, h, 'GBRG').data, scene, w, h, 10);
    expect(rcd.rms).toBeLessThan(0.7 * bil.rms);
    expect(rcd.zipper).toBeLessThan(0.7 * bil.zipper);
  });

  it('pays for it on structureless noise: its per-pixel noise is above bilinear (which averages everything)', () => {
    const g = gaussianSource(mulberry32(5));
    const w = 96;
    const m = Float32Array.from({ length: w * w }, () => 1000 + 10 * g());
    const sd = (data: Float32Array) => {
      let s = 0;
      let s2 = 0;
      let n = 0;
      for (let y = 10; y < w - 10; y++) {
        for (let x = 10; x < w - 10; x++) {
          const v = data[w * w + y * w + x]; // G plane
          s += v;
          s2 += v * v;
          n++;
        }
      }
      return Math.sqrt(s2 / n - (s / n) ** 2);
    };
    const rcd = sd(debayerRcd(m, w, w, 'RGGB').data);
    const bil = sd(debayerBilinear(m, w, w, 'RGGB').data);
    expect(rcd).toBeGreaterThan(bil);
    expect(rcd).toBeLessThan(1.25 * bil);
  });

  it('gives every pattern the RGGB result of the correspondingly shifted scene', () => {
    const w = 72;
    const h = 64;
    const scene = starField(w + 2, h + 2, 3, 3);
    const ref = debayerRcd(sample(scene, w + 1, h + 1, 'RGGB'), w + 1, h + 1, 'RGGB').data;
    // pattern p at (x, y) has the colour RGGB has at (x + dx, y + dy)
    const shifts: Record<BayerPattern, [number, number]> = { RGGB: [0, 0], GRBG: [1, 0], GBRG: [0, 1], BGGR: [1, 1] };
    for (const p of BAYER_PATTERNS) {
      const [dx, dy] = shifts[p];
      const out = debayerRcd(sample(scene, w, h, p, dx, dy), w, h, p).data;
      for (let y = 12; y < h - 12; y++) {
        for (let x = 12; x < w - 12; x++) expect(rgbAt(out, w, h, x, y), `${p} ${x},${y}`).toEqual(rgbAt(ref, w + 1, h + 1, x + dx, y + dy));
      }
    }
  });

  it('does not give the shifted result when the pattern is not shifted with the scene', () => {
    const scene = starField(66, 66, 3, 3);
    const ref = debayerRcd(sample(scene, 65, 65, 'RGGB'), 65, 65, 'RGGB').data;
    const out = debayerRcd(sample(scene, 64, 64, 'RGGB', 1, 0), 64, 64, 'RGGB').data;
    let differ = 0;
    for (let y = 12; y < 52; y++) for (let x = 12; x < 52; x++) if (rgbAt(out, 64, 64, x, y).join() !== rgbAt(ref, 65, 65, x + 1, y).join()) differ++;
    expect(differ).toBeGreaterThan(1000);
  });

  it('processes tall images in row bands without seams: a crop gives the full image result away from its edges', () => {
    const w = 40;
    const h = 300;
    const scene = starField(w, h, 3, 9, 60);
    const full = debayerRcd(sample(scene, w, h, 'RGGB'), w, h, 'RGGB').data;
    // the crop starts 100 rows down, so its band boundaries fall elsewhere in the scene
    const ch = 200;
    const crop = debayerRcd(sample(scene, w, ch, 'RGGB', 0, 100), w, ch, 'RGGB').data;
    for (let y = 12; y < ch - 12; y++) for (let x = 12; x < w - 12; x++) expect(rgbAt(crop, w, ch, x, y)).toEqual(rgbAt(full, w, h, x, y + 100));
  });

  it('keeps a NaN pixel local: only its own channel is NaN, and pixels 11 px away are unchanged', () => {
    const w = 64;
    const scene = starField(w, w, 3, 4, 40);
    const clean = sample(scene, w, w, 'RGGB');
    const holed = clean.slice();
    holed[32 * w + 33] = Number.NaN; // a G site
    const a = debayerRcd(clean, w, w, 'RGGB').data;
    const b = debayerRcd(holed, w, w, 'RGGB').data;
    let changedNear = 0;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const vb = rgbAt(b, w, w, x, y);
        if (x === 33 && y === 32) {
          expect(vb[1]).toBeNaN();
          expect(Number.isFinite(vb[0]) && Number.isFinite(vb[2])).toBe(true);
          continue;
        }
        expect(vb.every(Number.isFinite), `${x},${y}`).toBe(true);
        const far = Math.max(Math.abs(x - 33), Math.abs(y - 32)) > 10;
        if (far) expect(vb, `${x},${y}`).toEqual(rgbAt(a, w, w, x, y));
        else if (vb.join() !== rgbAt(a, w, w, x, y).join()) changedNear++;
      }
    }
    // the twin: the neighbourhood did fall back (otherwise the locality check above proves nothing)
    expect(changedNear).toBeGreaterThan(20);
  });

  it('keeps a NaN block (an uncovered canvas corner) to itself', () => {
    const w = 48;
    const m = sample(starField(w, w, 3, 2), w, w, 'BGGR');
    for (let y = 0; y < 15; y++) for (let x = 0; x < 20; x++) m[y * w + x] = Number.NaN;
    const out = debayerRcd(m, w, w, 'BGGR').data;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x < 20 && y < 15;
        const finite = rgbAt(out, w, w, x, y).every(Number.isFinite);
        // bilinear reaches 1 px into the block from outside: its edge pixels may be finite
        if (!inside) expect(finite, `${x},${y}`).toBe(true);
        else if (x < 19 && y < 14) expect(finite, `${x},${y}`).toBe(false);
      }
    }
  });

  // (from 2x2 up: a single row or column lacks a CFA colour entirely, NaN in bilinear too)
  it('is finite wherever the input is finite: zeros, negatives, outliers, tiny images', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BAYER_PATTERNS), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 0, max: 1e6 }), (p, w, h, seed) => {
        const u = mulberry32(seed);
        const pick = [0, -50, 1e-30, 65535, 3e6, -1e4];
        const m = Float32Array.from({ length: w * h }, () => (u() < 0.3 ? pick[Math.floor(u() * pick.length)] : 200 * u() - 50));
        expect(debayerRcd(m, w, h, p).data.every(Number.isFinite)).toBe(true);
      }),
      { seed: 3, numRuns: 80 },
    );
  });

  it('scales with the data: 4x the mosaic gives exactly 4x the result', () => {
    const w = 48;
    const m = sample(starField(w, w, 2.5, 6), w, w, 'GRBG');
    const a = debayerRcd(m, w, w, 'GRBG').data;
    const b = debayerRcd(m.map((v) => 4 * v), w, w, 'GRBG').data;
    expect(b).toEqual(a.map((v) => 4 * v));
  });

  it('is not finite where the input is not: the twin of the property above', () => {
    const m = new Float32Array(25).fill(7);
    m[12] = Number.POSITIVE_INFINITY;
    expect(debayerRcd(m, 5, 5, 'RGGB').data.every(Number.isFinite)).toBe(false);
  });

  it('refuses a mosaic smaller than width*height', () => {
    expect(() => debayerRcd(new Float32Array(10), 4, 4, 'RGGB')).toThrow(RangeError);
  });
});
